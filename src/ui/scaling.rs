//! A service's auto scaling, in its row of the services panel: register it as a scalable
//! target (min and max), add a target-tracking policy (CPU, memory, or requests per target of
//! its ALB target group), a step policy with its alarm, or a scheduled action, each with AWS's
//! defaults filled in and checked as it is typed (the API's own checks, against the session's
//! world); see the policies' alarms with their states and the latest scaling activities.
//! Every change is an Application Auto Scaling (and, for a step policy's alarm, CloudWatch)
//! request.

use serde_json::Value;
use yew::prelude::*;

use super::fields::{input_value, select_value, use_field_value};
use super::model::scaling::{
    register_request, scheduled_request, target_tracking_request, ScalingView, StepDirection,
    StepForm, ADJUSTMENT_TYPES, STEP_METRICS, TRACKED_METRICS,
};

#[derive(Properties, PartialEq)]
pub struct ScalingProps {
    pub cluster: String,
    pub service: String,
    pub view: ScalingView,
    /// What the schedule typed names next (or what is wrong with it), from the session.
    pub check: Callback<(String, String), Result<String, String>>,
    /// The refusal a request would meet now (None: accepted), from the session.
    pub validate: Callback<(String, Value), Option<String>>,
    /// The same for the step form's policy and alarm.
    pub check_step: Callback<(String, String, StepForm), Option<String>>,
    pub onrequest: Callback<(String, Value)>,
    pub onbatch: Callback<Vec<(String, Value)>>,
}

/// A check's verdict under its form: AWS's refusal, if the request would meet one.
fn verdict(checked: &Option<String>, class: &'static str) -> Html {
    match checked {
        Some(why) => {
            html! { <span class={classes!("small", "check-error", class)}>{ why.clone() }</span> }
        }
        None => html! {},
    }
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
    let policy_checked = use_state(|| None::<String>);
    let onmetric = {
        let (metric_ref, target_ref, checked) = (
            metric_ref.clone(),
            target_ref.clone(),
            policy_checked.clone(),
        );
        Callback::from(move |_: Event| {
            checked.set(None);
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
            onrequest.emit((
                "application-autoscaling:RegisterScalableTarget".into(),
                register_request(&resource, &input_value(&min_ref), &input_value(&max_ref)),
            ));
        })
    };
    let bounds_checked = use_state(|| None::<String>);
    let oncheck_bounds = {
        let (validate, checked, resource, min_ref, max_ref) = (
            props.validate.clone(),
            bounds_checked.clone(),
            resource.clone(),
            min_ref.clone(),
            max_ref.clone(),
        );
        Callback::from(move |_: InputEvent| {
            checked.set(validate.emit((
                "application-autoscaling:RegisterScalableTarget".into(),
                register_request(&resource, &input_value(&min_ref), &input_value(&max_ref)),
            )));
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
    let oncheck_policy = {
        let (validate, checked, resource, metric_ref, target_ref, label) = (
            props.validate.clone(),
            policy_checked.clone(),
            resource.clone(),
            metric_ref.clone(),
            target_ref.clone(),
            props.view.resource_label.clone(),
        );
        Callback::from(move |_: InputEvent| {
            checked.set(validate.emit((
                "application-autoscaling:PutScalingPolicy".into(),
                target_tracking_request(
                    &resource,
                    &select_value(&metric_ref),
                    &input_value(&target_ref),
                    label.as_deref(),
                ),
            )));
        })
    };
    // The step form: a policy with one step past its threshold, and the alarm that invokes it.
    let step_refs = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let step_form = {
        let refs = step_refs.clone();
        move || StepForm {
            direction: if select_value(&refs.0) == "in" {
                StepDirection::In
            } else {
                StepDirection::Out
            },
            metric: select_value(&refs.1),
            threshold: input_value(&refs.2),
            adjustment_type: select_value(&refs.3),
            adjustment: input_value(&refs.4),
            cooldown: input_value(&refs.5),
        }
    };
    let step_checked = use_state(|| None::<String>);
    let oncheck_step = {
        let (check_step, checked, step_form, cluster, service) = (
            props.check_step.clone(),
            step_checked.clone(),
            step_form.clone(),
            props.cluster.clone(),
            props.service.clone(),
        );
        Callback::from(move |_: Event| {
            checked.set(check_step.emit((cluster.clone(), service.clone(), step_form())))
        })
    };
    let oninput_step = {
        let oncheck_step = oncheck_step.clone();
        Callback::from(move |e: InputEvent| oncheck_step.emit(e.into()))
    };
    let onstep = {
        let (onbatch, cluster, service) = (
            props.onbatch.clone(),
            props.cluster.clone(),
            props.service.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            onbatch.emit(step_form().batch(&cluster, &service));
        })
    };
    // Open once registered, or as the person left it: a re-render keeps it as it is.
    let opened = use_state(|| None::<bool>);
    let ontoggle = {
        let opened = opened.clone();
        Callback::from(move |e: Event| {
            if let Some(details) = e.target_dyn_into::<web_sys::Element>() {
                opened.set(Some(details.has_attribute("open")));
            }
        })
    };
    let view = &props.view;
    let open = opened.unwrap_or(view.bounds.is_some());
    let (min, max) = view.bounds.unwrap_or((1, 10));
    use_field_value(&min_ref, min.to_string());
    use_field_value(&max_ref, max.to_string());
    use_field_value(&target_ref, TRACKED_METRICS[0].2.to_string());
    use_field_value(&step_refs.2, "70".into());
    use_field_value(&step_refs.4, "2".into());
    use_field_value(&step_refs.5, "300".into());
    use_field_value(&name_ref, "business-hours".into());
    use_field_value(&schedule_ref, "cron(0 9 ? * MON-FRI *)".into());
    use_field_value(&smin_ref, "4".into());
    use_field_value(&smax_ref, max.to_string());
    html! {
        <details class="scaling" data-scaling={props.service.clone()} {open} {ontoggle}>
            <summary>{ match view.bounds {
                Some((min, max)) => format!("Auto scaling: {min} to {max} tasks, {} {}", view.policies.len(), if view.policies.len() == 1 { "policy" } else { "policies" }),
                None => "Auto scaling: off".to_string(),
            } }</summary>
            <form class="inline-form form-scalable-target" onsubmit={onregister} novalidate=true
                title="RegisterScalableTarget: the desired count stays between min and max">
                <label>{ "min " }<input ref={min_ref} class="scaling-min" type="text" inputmode="numeric" size="4" aria-label={format!("Minimum tasks of {}", props.service)} oninput={oncheck_bounds.clone()} /></label>
                <label>{ "max " }<input ref={max_ref} class="scaling-max" type="text" inputmode="numeric" size="4" aria-label={format!("Maximum tasks of {}", props.service)} oninput={oncheck_bounds} /></label>
                <button class="btn btn-small" type="submit">{ if view.bounds.is_some() { "Update" } else { "Register" } }</button>
                { verdict(&bounds_checked, "bounds-check") }
            </form>
            if view.bounds.is_some() {
                <form class="inline-form wrap form-target-tracking" onsubmit={onpolicy} novalidate=true
                    title="PutScalingPolicy (TargetTrackingScaling): two CloudWatch alarms, 300 s cooldowns">
                    <select ref={metric_ref} class="scaling-metric" aria-label="Metric to track" onchange={onmetric}>
                        { for TRACKED_METRICS.iter().enumerate()
                            .filter(|(_, (m, _, _))| *m != "ALBRequestCountPerTarget" || view.resource_label.is_some())
                            .map(|(n, (metric, words, _))| html! { <option value={*metric} selected={n == 0}>{ *words }</option> }) }
                    </select>
                    <label>{ "target " }<input ref={target_ref} class="scaling-target" type="text" inputmode="decimal" size="6" aria-label="Target value" oninput={oncheck_policy} /></label>
                    <button class="btn btn-small btn-primary" type="submit">{ "Add target tracking" }</button>
                    { verdict(&policy_checked, "policy-check") }
                </form>
                <form class="inline-form wrap form-step" onsubmit={onstep} novalidate=true
                    title="PutScalingPolicy (StepScaling) with one step past the threshold, then PutMetricAlarm: the service's metric, one datapoint of a minute, invoking the policy">
                    <select ref={step_refs.0.clone()} class="step-direction" aria-label="Scale out or in" onchange={oncheck_step.clone()}>
                        <option value="out" selected=true>{ "out when" }</option>
                        <option value="in">{ "in when" }</option>
                    </select>
                    <select ref={step_refs.1.clone()} class="step-metric" aria-label="Metric of the alarm" onchange={oncheck_step.clone()}>
                        { for STEP_METRICS.iter().enumerate().map(|(n, (metric, words))| html! { <option value={*metric} selected={n == 0}>{ *words }</option> }) }
                    </select>
                    <label>{ "crosses " }<input ref={step_refs.2.clone()} class="step-threshold" type="text" inputmode="decimal" size="4" aria-label="Alarm threshold" oninput={oninput_step.clone()} /></label>
                    <label>{ "by " }<input ref={step_refs.4.clone()} class="step-adjustment" type="text" inputmode="numeric" size="3" aria-label="Scaling adjustment" oninput={oninput_step.clone()} /></label>
                    <select ref={step_refs.3.clone()} class="step-adjustment-type" aria-label="Adjustment type" onchange={oncheck_step}>
                        { for ADJUSTMENT_TYPES.iter().enumerate().map(|(n, (kind, words))| html! { <option value={*kind} selected={n == 0}>{ *words }</option> }) }
                    </select>
                    <label>{ "cooldown " }<input ref={step_refs.5.clone()} class="step-cooldown" type="text" inputmode="numeric" size="4" aria-label="Cooldown in seconds" oninput={oninput_step} /></label>
                    <button class="btn btn-small" type="submit">{ "Add step scaling" }</button>
                    { verdict(&step_checked, "step-check") }
                </form>
            }
            if view.bounds.is_some() {
                <form class="inline-form wrap form-scheduled" onsubmit={onschedule} novalidate=true
                    title="PutScheduledAction: new min and max at the schedule's times, in its time zone">
                    <input ref={name_ref} class="scheduled-name" type="text" size="8" aria-label="Scheduled action name" />
                    <input ref={schedule_ref} class="scheduled-schedule" type="text" size="22"
                        aria-label="Schedule: at(...), rate(...) or cron(...)" oninput={oninput_check} />
                    <select ref={zone_ref} class="scheduled-zone" aria-label="Time zone" onchange={oncheck.clone()}>
                        { for crate::autoscaling::schedule::ZONES.iter().map(|(name, _, _)| html! { <option value={*name} selected={*name == "UTC"}>{ *name }</option> }) }
                    </select>
                    <label>{ "min " }<input ref={smin_ref} class="scheduled-min" type="text" inputmode="numeric" size="3" aria-label="New minimum" /></label>
                    <label>{ "max " }<input ref={smax_ref} class="scheduled-max" type="text" inputmode="numeric" size="3" aria-label="New maximum" /></label>
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
