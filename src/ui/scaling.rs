//! A service's auto scaling, in its row of the services panel: register it as a scalable
//! target (min and max), add a target-tracking policy (CPU, memory, or requests per target of
//! its ALB target group) with AWS's defaults, and see its policies' alarms with their states
//! and the latest scaling activities. Every change is an Application Auto Scaling request.

use serde_json::{json, Value};
use yew::prelude::*;

use super::capacity::{input_value, select_value};
use super::model::scaling::{
    scheduled_request, target_tracking_request, ScalingView, TRACKED_METRICS,
};

#[derive(Properties, PartialEq)]
pub struct ScalingProps {
    pub cluster: String,
    pub service: String,
    pub view: ScalingView,
    /// What the schedule typed names next (or what is wrong with it), from the session.
    pub check: Callback<(String, String), Result<String, String>>,
    pub onrequest: Callback<(String, Value)>,
}

#[function_component(ScalingSection)]
pub fn scaling_section(props: &ScalingProps) -> Html {
    let (min_ref, max_ref, metric_ref, target_ref) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let resource = format!("service/{}/{}", props.cluster, props.service);
    // The scheduled-action form, checked as it is typed.
    let (name_ref, schedule_ref, zone_ref, smin_ref, smax_ref) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let checked = use_state(|| None::<Result<String, String>>);
    let oncheck = {
        let (check, checked, schedule_ref, zone_ref) = (
            props.check.clone(),
            checked.clone(),
            schedule_ref.clone(),
            zone_ref.clone(),
        );
        Callback::from(move |_: Event| {
            checked.set(Some(
                check.emit((input_value(&schedule_ref), select_value(&zone_ref))),
            ));
        })
    };
    let oninput_check = {
        let oncheck = oncheck.clone();
        Callback::from(move |e: InputEvent| oncheck.emit(e.into()))
    };
    let onschedule = {
        let (onrequest, resource) = (props.onrequest.clone(), resource.clone());
        let refs = (
            name_ref.clone(),
            schedule_ref.clone(),
            zone_ref.clone(),
            smin_ref.clone(),
            smax_ref.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            onrequest.emit((
                "application-autoscaling:PutScheduledAction".into(),
                scheduled_request(
                    &resource,
                    &input_value(&refs.0),
                    &input_value(&refs.1),
                    &select_value(&refs.2),
                    &input_value(&refs.3),
                    &input_value(&refs.4),
                ),
            ));
        })
    };
    // The target's default follows the metric chosen.
    let onmetric = {
        let (metric_ref, target_ref) = (metric_ref.clone(), target_ref.clone());
        Callback::from(move |_: Event| {
            let metric = select_value(&metric_ref);
            if let Some((_, _, default)) = TRACKED_METRICS.iter().find(|(m, _, _)| *m == metric) {
                if let Some(input) = target_ref.cast::<web_sys::HtmlInputElement>() {
                    input.set_value(default);
                }
            }
        })
    };
    let onregister = {
        let (onrequest, resource, min_ref, max_ref) = (
            props.onrequest.clone(),
            resource.clone(),
            min_ref.clone(),
            max_ref.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let number = |text: String| {
                text.trim()
                    .parse::<i64>()
                    .map_or_else(|_| json!(text.trim()), |n| json!(n))
            };
            onrequest.emit((
                "application-autoscaling:RegisterScalableTarget".into(),
                json!({ "ServiceNamespace": "ecs", "ResourceId": resource,
                        "ScalableDimension": crate::autoscaling::DIMENSION,
                        "MinCapacity": number(input_value(&min_ref)), "MaxCapacity": number(input_value(&max_ref)) }),
            ));
        })
    };
    let onpolicy = {
        let (onrequest, resource, metric_ref, target_ref, label) = (
            props.onrequest.clone(),
            resource.clone(),
            metric_ref.clone(),
            target_ref.clone(),
            props.view.resource_label.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            onrequest.emit((
                "application-autoscaling:PutScalingPolicy".into(),
                target_tracking_request(
                    &resource,
                    &select_value(&metric_ref),
                    &input_value(&target_ref),
                    label.as_deref(),
                ),
            ));
        })
    };
    let view = &props.view;
    let (min, max) = view.bounds.unwrap_or((1, 10));
    html! {
        <details class="scaling" data-scaling={props.service.clone()} open={view.bounds.is_some()}>
            <summary>{ match view.bounds {
                Some((min, max)) => format!("Auto scaling: {min} to {max} tasks, {} {}", view.policies.len(), if view.policies.len() == 1 { "policy" } else { "policies" }),
                None => "Auto scaling: off".to_string(),
            } }</summary>
            <form class="inline-form form-scalable-target" onsubmit={onregister} novalidate=true
                title="RegisterScalableTarget: the desired count stays between min and max">
                <label>{ "min " }<input ref={min_ref} class="scaling-min" type="number" min="0" value={min.to_string()} aria-label={format!("Minimum tasks of {}", props.service)} /></label>
                <label>{ "max " }<input ref={max_ref} class="scaling-max" type="number" min="0" value={max.to_string()} aria-label={format!("Maximum tasks of {}", props.service)} /></label>
                <button class="btn btn-small" type="submit">{ if view.bounds.is_some() { "Update" } else { "Register" } }</button>
            </form>
            if view.bounds.is_some() {
                <form class="inline-form wrap form-target-tracking" onsubmit={onpolicy} novalidate=true
                    title="PutScalingPolicy (TargetTrackingScaling): two CloudWatch alarms, 300 s cooldowns">
                    <select ref={metric_ref} class="scaling-metric" aria-label="Metric to track" onchange={onmetric}>
                        { for TRACKED_METRICS.iter().enumerate()
                            .filter(|(_, (m, _, _))| *m != "ALBRequestCountPerTarget" || view.resource_label.is_some())
                            .map(|(n, (metric, words, _))| html! { <option value={*metric} selected={n == 0}>{ *words }</option> }) }
                    </select>
                    <label>{ "target " }<input ref={target_ref} class="scaling-target" type="text" inputmode="decimal" size="6" value={TRACKED_METRICS[0].2} aria-label="Target value" /></label>
                    <button class="btn btn-small btn-primary" type="submit">{ "Add target tracking" }</button>
                </form>
            }
            if view.bounds.is_some() {
                <form class="inline-form wrap form-scheduled" onsubmit={onschedule} novalidate=true
                    title="PutScheduledAction: new min and max at the schedule's times, in its time zone">
                    <input ref={name_ref} class="scheduled-name" type="text" size="8" value="business-hours" aria-label="Scheduled action name" />
                    <input ref={schedule_ref} class="scheduled-schedule" type="text" size="22" value="cron(0 9 ? * MON-FRI *)"
                        aria-label="Schedule: at(...), rate(...) or cron(...)" oninput={oninput_check} />
                    <select ref={zone_ref} class="scheduled-zone" aria-label="Time zone" onchange={oncheck.clone()}>
                        { for crate::autoscaling::schedule::ZONES.iter().map(|(name, _, _)| html! { <option value={*name} selected={*name == "UTC"}>{ *name }</option> }) }
                    </select>
                    <label>{ "min " }<input ref={smin_ref} class="scheduled-min" type="text" inputmode="numeric" size="3" value="4" aria-label="New minimum" /></label>
                    <label>{ "max " }<input ref={smax_ref} class="scheduled-max" type="text" inputmode="numeric" size="3" value={max.to_string()} aria-label="New maximum" /></label>
                    <button class="btn btn-small" type="submit">{ "Add scheduled action" }</button>
                    { match &*checked {
                        Some(Ok(next)) => html! { <span class="small check-ok schedule-check">{ next.clone() }</span> },
                        Some(Err(why)) => html! { <span class="small check-error schedule-check">{ why.clone() }</span> },
                        None => html! {},
                    } }
                </form>
            }
            if !view.scheduled.is_empty() {
                <ul class="scheduled-actions small">{ for view.scheduled.iter().map(|(name, schedule, zone)| html! {
                    <li data-scheduled={name.clone()}>{ format!("{name}: {schedule} ({zone})") }</li>
                }) }</ul>
            }
            <ul class="scaling-policies small">
                { for view.policies.iter().map(|(name, kind, alarms)| html! {
                    <li class="policy" data-policy={name.clone()}>
                        <strong>{ name.clone() }</strong>{ format!(" ({kind})") }
                        <ul class="alarms">{ for alarms.iter().map(|(alarm, state, threshold, sign)| html! {
                            <li class="alarm" data-alarm={alarm.clone()}>
                                <span class={classes!("badge", "alarm-state", state.to_ascii_lowercase())}>{ *state }</span>
                                { format!(" {sign} {threshold} · {alarm}") }
                            </li>
                        }) }</ul>
                    </li>
                }) }
            </ul>
            if !view.activities.is_empty() {
                <ol class="scaling-activities small">{ for view.activities.iter().map(|(description, cause, status)| html! {
                    <li title={cause.clone()}>{ format!("{description} ({status})") }</li>
                }) }</ol>
            }
        </details>
    }
}
