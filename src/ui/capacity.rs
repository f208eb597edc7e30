//! Capacity: launch EC2 instances into a cluster (type with its vCPUs and memory, count, zone,
//! custom attributes), drain, activate or terminate them, set an attribute on one, and offer
//! Fargate. Every change is an AWS request (RunInstances, UpdateContainerInstancesState,
//! TerminateInstances, PutAttributes), so it is logged and saved like a scenario step.

use serde_json::{json, Value};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::fields::{
    checked_zones, input_value, select_value, use_field_defaults, use_field_value,
};
use super::model::forms::{active_clusters, parse_attributes};
use super::state::{Origin, Outcome, SimRef};
use crate::ec2::catalogue::INSTANCE_TYPES;
use crate::ec2::run_instances_request;
use crate::ecs::InstanceStatus;

/// Instances one launch may ask for (RunInstances allows more; the form keeps it readable).
pub const LAUNCH_COUNT_MAX: u32 = 50;

#[derive(Properties, PartialEq)]
pub struct CapacityProps {
    pub sim: SimRef,
    pub outcome: Option<std::rc::Rc<Outcome>>,
    pub fargate_enabled: bool,
    pub onrequest: Callback<(String, Value)>,
    pub onbatch: Callback<Vec<(String, Value)>>,
    pub onfargate: Callback<bool>,
}

#[function_component(CapacityPanel)]
pub fn capacity_panel(props: &CapacityProps) -> Html {
    let (type_ref, count_ref, zone_ref, cluster_ref, attrs_ref) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let form_error = use_state(|| None::<String>);
    let session = props.sim.borrow();
    let world = session.world();
    let region = world.config.region.clone();
    let zones: Vec<String> = ["a", "b", "c"]
        .iter()
        .map(|z| format!("{region}{z}"))
        .collect();
    let clusters = active_clusters(world);

    let onlaunch = {
        let onrequest = props.onrequest.clone();
        let refs = (
            type_ref.clone(),
            count_ref.clone(),
            zone_ref.clone(),
            cluster_ref.clone(),
            attrs_ref.clone(),
        );
        let form_error = form_error.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let count = input_value(&refs.1).parse::<u32>().unwrap_or(0);
            if !(1..=LAUNCH_COUNT_MAX).contains(&count) {
                form_error.set(Some(format!("Count must be 1 to {LAUNCH_COUNT_MAX}.")));
                return;
            }
            match parse_attributes(&input_value(&refs.4)) {
                Err(message) => form_error.set(Some(format!("Custom attributes: {message}"))),
                Ok(attributes) => {
                    form_error.set(None);
                    let cluster = select_value(&refs.3);
                    let cluster = if cluster.is_empty() {
                        "default".to_string()
                    } else {
                        cluster
                    };
                    let request = run_instances_request(
                        &select_value(&refs.0),
                        count,
                        &select_value(&refs.2),
                        &cluster,
                        &attributes,
                    );
                    onrequest.emit(("ec2:RunInstances".into(), request));
                }
            }
        })
    };
    use_field_defaults(&[(count_ref.clone(), "2")]);
    html! {
        <section class="panel" id="panel-capacity" aria-labelledby="panel-capacity-title">
            <h2 id="panel-capacity-title">{ "Capacity" }</h2>
            <form class="form-grid" id="form-launch" onsubmit={onlaunch}>
                <label for="cap-type">{ "Instance type" }</label>
                <select id="cap-type" ref={type_ref}>
                    { for INSTANCE_TYPES.iter().map(|t| html! {
                        <option value={t.name} selected={t.name == "m5.large"}>
                            { format!("{} · {} vCPU · {} GiB{}", t.name, t.vcpus, fmt_gib(t.memory_mib),
                                if t.architecture == crate::ec2::catalogue::Architecture::Arm64 { " · arm64" } else { "" }) }
                        </option>
                    }) }
                </select>
                <label for="cap-count">{ "Count" }</label>
                <input id="cap-count" ref={count_ref} type="number" min="1" max={LAUNCH_COUNT_MAX.to_string()} />
                <label for="cap-zone">{ "Availability Zone" }</label>
                <select id="cap-zone" ref={zone_ref}>
                    { for zones.iter().enumerate().map(|(n, z)| html! { <option value={z.clone()} selected={n == 0}>{ z.clone() }</option> }) }
                </select>
                <label for="cap-cluster">{ "Cluster" }</label>
                <select id="cap-cluster" ref={cluster_ref}>
                    { for clusters.iter().enumerate().map(|(n, c)| html! { <option value={c.clone()} selected={n == 0}>{ c.clone() }</option> }) }
                    if clusters.is_empty() { <option value="default">{ "default" }</option> }
                </select>
                <label for="cap-attrs">{ "Custom attributes" }</label>
                <input id="cap-attrs" ref={attrs_ref} placeholder="stack=prod, team=web" />
                <span></span>
                <button class="btn btn-primary" id="btn-launch" type="submit">{ "Launch instances" }</button>
            </form>
            if let Some(message) = &*form_error { <p class="check-error">{ message.clone() }</p> }
            { outcome_line(props.outcome.as_deref(), Origin::Capacity) }
            <InstanceList sim={props.sim.clone()} onrequest={props.onrequest.clone()} />
            <AutoScalingGroups sim={props.sim.clone()} onrequest={props.onrequest.clone()} onbatch={props.onbatch.clone()} />
            <label class="toggle">
                <input type="checkbox" id="cap-fargate" checked={props.fargate_enabled}
                    onchange={let onfargate = props.onfargate.clone(); Callback::from(move |e: Event| {
                        let input: HtmlInputElement = e.target_unchecked_into();
                        onfargate.emit(input.checked());
                    })} />
                { " Fargate: offer the FARGATE launch type (no instances to manage; tasks run in the subnets' zones)" }
            </label>
            if props.fargate_enabled {
                <FargateCapacity sim={props.sim.clone()} onrequest={props.onrequest.clone()} />
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct GroupsProps {
    sim: SimRef,
    onrequest: Callback<(String, Value)>,
    onbatch: Callback<Vec<(String, Value)>>,
}

/// EC2 Auto Scaling: a form that makes a launch template for a cluster and a group from it
/// (CreateLaunchTemplate, CreateAutoScalingGroup), and each group with its sizes, a desired
/// capacity to set, its instances' lifecycle states and its latest activities.
#[function_component(AutoScalingGroups)]
fn auto_scaling_groups(props: &GroupsProps) -> Html {
    let (name_ref, type_ref, cluster_ref, min_ref, desired_ref, max_ref) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let (spot_ref, second_ref) = (use_node_ref(), use_node_ref());
    let zone_refs = use_memo((), |_| ['a', 'b', 'c'].map(|z| (z, NodeRef::default())));
    use_field_defaults(&[
        (name_ref.clone(), "nodes"),
        (min_ref.clone(), "1"),
        (desired_ref.clone(), "2"),
        (max_ref.clone(), "6"),
        (spot_ref.clone(), "0"),
    ]);
    let session = props.sim.borrow();
    let world = session.world();
    let clusters = active_clusters(world);
    let groups = super::model::forms::group_lines(world);
    let zones = ["us-east-1a", "us-east-1b", "us-east-1c"];
    drop(session);
    let oncreate = {
        let (onbatch, zone_refs) = (props.onbatch.clone(), zone_refs.clone());
        let refs = (
            name_ref.clone(),
            type_ref.clone(),
            cluster_ref.clone(),
            min_ref.clone(),
            desired_ref.clone(),
            max_ref.clone(),
            spot_ref.clone(),
            second_ref.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let form = super::model::forms::AsgForm {
                name: input_value(&refs.0),
                instance_type: select_value(&refs.1),
                cluster: select_value(&refs.2),
                zones: checked_zones(zone_refs.as_slice()),
                min: input_value(&refs.3),
                desired: input_value(&refs.4),
                max: input_value(&refs.5),
                spot_percent: input_value(&refs.6),
                second_type: select_value(&refs.7),
            };
            onbatch.emit(form.batch());
        })
    };
    html! {
        <details class="asg-section" id="asg-section" open={!groups.is_empty()}>
            <summary>{ format!("Auto Scaling groups ({})", groups.len()) }</summary>
            <form class="form-grid" id="form-asg" onsubmit={oncreate} novalidate=true
                title="CreateLaunchTemplate (the ECS-optimized AMI, the type, ecsInstanceRole, user data naming the cluster), then CreateAutoScalingGroup from it">
                <label for="asg-name">{ "Name" }</label><input id="asg-name" ref={name_ref} type="text" />
                <label for="asg-type">{ "Instance type" }</label>
                <select id="asg-type" ref={type_ref}>
                    { for INSTANCE_TYPES.iter().map(|t| html! { <option value={t.name} selected={t.name == "m5.large"}>{ t.name }</option> }) }
                </select>
                <label for="asg-cluster">{ "Cluster" }</label>
                <select id="asg-cluster" ref={cluster_ref}>
                    { for clusters.iter().enumerate().map(|(n, c)| html! { <option value={c.clone()} selected={n == 0}>{ c.clone() }</option> }) }
                    if clusters.is_empty() { <option value="default">{ "default" }</option> }
                </select>
                <span>{ "Zones" }</span>
                <span class="inline-form">{ for zone_refs.iter().map(|(z, r)| html! {
                    <label><input type="checkbox" ref={r.clone()} checked={*z != 'c'} />{ format!(" {}", zones[(*z as u8 - b'a') as usize]) }</label>
                }) }</span>
                <label for="asg-min">{ "Min / desired / max" }</label>
                <span class="inline-form">
                    <input id="asg-min" ref={min_ref} type="text" inputmode="numeric" size="3" aria-label="Minimum size" />
                    <input id="asg-desired" ref={desired_ref} type="text" inputmode="numeric" size="3" aria-label="Desired capacity" />
                    <input id="asg-max" ref={max_ref} type="text" inputmode="numeric" size="3" aria-label="Maximum size" />
                </span>
                <label for="asg-spot">{ "Spot" }</label>
                <span class="inline-form" title="A mixed instances policy: this share of the instances Spot (the rest On-Demand), over the type and an optional second one; the agents drain at a Spot interruption notice">
                    <input id="asg-spot" ref={spot_ref} type="text" inputmode="numeric" size="3" aria-label="Spot share of the instances, percent" />{ " % over " }
                    <select id="asg-second-type" ref={second_ref} aria-label="A second instance type">
                        <option value="" selected=true>{ "the one type" }</option>
                        { for INSTANCE_TYPES.iter().map(|t| html! { <option value={t.name}>{ format!("+ {}", t.name) }</option> }) }
                    </select>
                </span>
                <span></span><button class="btn btn-small btn-primary" type="submit">{ "Create group" }</button>
            </form>
            <ul class="groups small" id="asg-list">
                { for groups.iter().map(|g| html! { <GroupRow line={g.clone()} onrequest={props.onrequest.clone()} /> }) }
            </ul>
        </details>
    }
}

#[derive(Properties, PartialEq)]
struct GroupRowProps {
    line: super::model::forms::GroupLine,
    onrequest: Callback<(String, Value)>,
}

#[function_component(GroupRow)]
fn group_row(props: &GroupRowProps) -> Html {
    let desired_ref = use_node_ref();
    let g = &props.line;
    use_field_value(&desired_ref, g.desired.to_string());
    let onset = {
        let (onrequest, desired_ref, name) =
            (props.onrequest.clone(), desired_ref.clone(), g.name.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = input_value(&desired_ref);
            let desired = text
                .trim()
                .parse::<i64>()
                .map_or_else(|_| json!(text.trim()), |n| json!(n));
            onrequest.emit((
                "autoscaling:SetDesiredCapacity".into(),
                json!({ "AutoScalingGroupName": name, "DesiredCapacity": desired }),
            ));
        })
    };
    let oncreate_provider = {
        let (onrequest, request) = (props.onrequest.clone(), g.provider_request());
        Callback::from(move |_: MouseEvent| {
            onrequest.emit(("ecs:CreateCapacityProvider".into(), request.clone()))
        })
    };
    let onassociate = {
        let (onrequest, request) = (props.onrequest.clone(), g.associate_request());
        Callback::from(move |_: MouseEvent| {
            if let Some(request) = &request {
                onrequest.emit(("ecs:PutClusterCapacityProviders".into(), request.clone()));
            }
        })
    };
    let cpu_ref = use_node_ref();
    use_field_defaults(&[(cpu_ref.clone(), "50")]);
    let oncpu = {
        let (onrequest, line, cpu_ref) = (props.onrequest.clone(), g.clone(), cpu_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            onrequest.emit((
                "autoscaling:PutScalingPolicy".into(),
                line.cpu_policy_request(&input_value(&cpu_ref)),
            ));
        })
    };
    let ondelete_cpu = {
        let (onrequest, group, policy) = (
            props.onrequest.clone(),
            g.name.clone(),
            g.cpu_policy
                .as_ref()
                .map(|(n, _)| n.clone())
                .unwrap_or_default(),
        );
        Callback::from(move |_: MouseEvent| {
            onrequest.emit((
                "autoscaling:DeletePolicy".into(),
                json!({ "AutoScalingGroupName": group, "PolicyName": policy }),
            ))
        })
    };
    html! {
        <li class="group" data-group={g.name.clone()}>
            <strong>{ g.name.clone() }</strong>
            { format!(" · min {} · desired {} · max {} · {} instances", g.min, g.desired, g.max, g.instances.len()) }
            <form class="inline-form" onsubmit={onset} novalidate=true title="SetDesiredCapacity">
                <input ref={desired_ref} class="group-desired" type="text" inputmode="numeric" size="3" aria-label={format!("Desired capacity of {}", g.name)} />
                <button class="btn btn-small" type="submit">{ "Set desired" }</button>
            </form>
            { match (&g.provider, g.associate_request()) {
                (None, _) => html! {
                    <button class="btn btn-small" type="button" onclick={oncreate_provider}
                        title="CreateCapacityProvider (managed scaling on at 100%, managed draining on)">{ "Create capacity provider" }</button>
                },
                (Some(p), Some(_)) if !g.cluster.as_ref().is_some_and(|(_, ps)| ps.contains(p)) => html! {
                    <>{ format!("capacity provider {p} ") }
                    <button class="btn btn-small" type="button" onclick={onassociate}
                        title="PutClusterCapacityProviders: the cluster's default strategy becomes this provider">
                        { format!("Use in cluster {}", g.cluster.as_ref().map_or("", |(c, _)| c.as_str())) }</button></>
                },
                (Some(p), _) => html! { <span class="provider-name">{ format!("capacity provider {p}") }</span> },
            } }
            { match &g.cpu_policy {
                Some((name, target)) => html! {
                    <p class="small cpu-policy">{ format!("policy {name}: average CPU at {target}% ") }
                        <button class="btn btn-small" type="button" onclick={ondelete_cpu} title="DeletePolicy (and its two alarms)">{ "Delete policy" }</button></p>
                },
                None => html! {
                    <form class="inline-form form-cpu-policy" onsubmit={oncpu} novalidate=true
                        title="PutScalingPolicy: target tracking on ASGAverageCPUUtilization (two alarms on AWS/EC2 CPUUtilization)">
                        <label>{ "Scale on CPU at " }<input ref={cpu_ref} class="group-cpu-target" type="text" inputmode="decimal" size="3" aria-label={format!("Target average CPU of {}, percent", g.name)} />{ " %" }</label>
                        <button class="btn btn-small" type="submit">{ "Add policy" }</button>
                    </form>
                },
            } }
            <ul class="group-instances">{ for g.instances.iter().map(|(id, zone, state, spot)| {
                let interrupt = {
                    let (onrequest, id) = (props.onrequest.clone(), id.clone());
                    Callback::from(move |_: MouseEvent| onrequest.emit(("sim:InterruptSpot".into(), json!({ "instanceIds": [id] }))))
                };
                html! {
                    <li class="mono" data-instance={id.clone()}><span class={classes!("badge", "lifecycle", state.to_ascii_lowercase())}>{ *state }</span>{ format!(" {id} · {zone}{}", if *spot { " · Spot" } else { "" }) }
                        if *spot && !state.starts_with("Terminating") {
                            { " " }<button class="btn btn-small btn-interrupt-instance" type="button" onclick={interrupt}
                                title="sim:InterruptSpot: EC2's two-minute notice, then the instance is reclaimed">{ "Interrupt" }</button>
                        }
                    </li>
                }
            }) }</ul>
            if !g.activities.is_empty() {
                <ol class="group-activities">{ for g.activities.iter().map(|(d, s)| html! { <li>{ format!("{d} ({s})") }</li> }) }</ol>
            }
        </li>
    }
}

#[derive(Properties, PartialEq)]
struct FargateCapacityProps {
    sim: SimRef,
    onrequest: Callback<(String, Value)>,
}

/// Fargate's capacity providers: each cluster's, a button that associates FARGATE and
/// FARGATE_SPOT (PutClusterCapacityProviders), and Fargate Spot: the tasks running on it, a
/// button that interrupts a share of them, and whether Spot has capacity (the `sim:` actions).
#[function_component(FargateCapacity)]
fn fargate_capacity(props: &FargateCapacityProps) -> Html {
    let share_ref = use_node_ref();
    use_field_defaults(&[(share_ref.clone(), "30")]);
    let session = props.sim.borrow();
    let world = session.world();
    let clusters = active_clusters(world);
    let (available, _) = crate::ecs::read::spot_settings(world);
    let spot_running = crate::ecs::read::spot_task_arns(world).len();
    let oninterrupt = {
        let (onrequest, share_ref) = (props.onrequest.clone(), share_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            onrequest.emit((
                "sim:InterruptSpot".into(),
                super::model::forms::interrupt_spot_request(&input_value(&share_ref)),
            ));
        })
    };
    let onavailable = {
        let onrequest = props.onrequest.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            onrequest.emit((
                "sim:SetSpotCapacity".into(),
                json!({ "capacityProvider": "FARGATE_SPOT", "available": input.checked() }),
            ));
        })
    };
    html! {
        <div class="fargate-capacity" id="fargate-capacity">
            <ul class="small providers">
                { for clusters.iter().map(|name| {
                    let providers = world.ecs.clusters.get(name).map(|c| c.capacity_providers.clone()).unwrap_or_default();
                    let onassociate = {
                        let (onrequest, name) = (props.onrequest.clone(), name.clone());
                        Callback::from(move |_: MouseEvent| onrequest.emit((
                            "ecs:PutClusterCapacityProviders".into(),
                            super::model::forms::fargate_providers_request(&name),
                        )))
                    };
                    html! {
                        <li data-providers={name.clone()}>
                            { format!("{name}: capacity providers {}", if providers.is_empty() { "none".to_string() } else { providers.join(", ") }) }
                            if providers.len() < 2 {
                                { " " }<button class="btn btn-small" type="button" onclick={onassociate}
                                    title="PutClusterCapacityProviders: services and RunTask may then name them in a capacity provider strategy">
                                    { "Add FARGATE and FARGATE_SPOT" }</button>
                            }
                        </li>
                    }
                }) }
            </ul>
            <form class="inline-form wrap" id="form-interrupt-spot" onsubmit={oninterrupt} novalidate=true
                title="sim:InterruptSpot: Fargate reclaims a share of the running Spot tasks (the two-minute warning, SIGTERM, the stop; services replace them on Spot)">
                <span class="small">{ format!("Spot tasks running: {spot_running}") }</span>
                <label>{ "interrupt " }<input ref={share_ref} id="spot-share" type="text" inputmode="numeric" size="3" aria-label="Share of Spot tasks to interrupt, percent" />{ " %" }</label>
                <button class="btn btn-small" id="btn-interrupt-spot" type="submit" disabled={spot_running == 0}>{ "Interrupt Spot" }</button>
            </form>
            <label class="toggle small">
                <input type="checkbox" id="spot-available" checked={available} onchange={onavailable} />
                { " Fargate Spot has capacity (off: Spot tasks wait, with ECS's placement failure)" }
            </label>
        </div>
    }
}

fn fmt_gib(mib: u32) -> String {
    if mib % 1024 == 0 {
        (mib / 1024).to_string()
    } else {
        format!("{:.1}", f64::from(mib) / 1024.0)
    }
}

/// The answer to a panel's last request, when it came from `origin`.
pub fn outcome_line(outcome: Option<&Outcome>, origin: Origin) -> Html {
    match outcome.filter(|o| o.origin == origin) {
        Some(Outcome {
            action,
            result: Err(error),
            ..
        }) => html! {
            <p class="outcome error" role="alert">{ format!("{action} refused: {error}") }</p>
        },
        Some(Outcome {
            action,
            result: Ok(_),
            ..
        }) => html! { <p class="outcome ok">{ format!("{action} accepted.") }</p> },
        None => html! {},
    }
}

#[derive(Properties, PartialEq)]
struct InstanceListProps {
    sim: SimRef,
    onrequest: Callback<(String, Value)>,
}

#[function_component(InstanceList)]
fn instance_list(props: &InstanceListProps) -> Html {
    let armed_state = use_state(|| None::<String>);
    let armed = (*armed_state).clone();
    let session = props.sim.borrow();
    let world = session.world();
    let rows: Vec<Html> = world
        .ecs
        .container_instances
        .iter()
        .filter(|i| i.status != InstanceStatus::Inactive)
        .map(|i| {
            let request = |action: &'static str, input: Value| {
                let onrequest = props.onrequest.clone();
                Callback::from(move |_: MouseEvent| onrequest.emit((action.to_string(), input.clone())))
            };
            let (toggle_label, toggle_status) = if i.status == InstanceStatus::Draining { ("Activate", "ACTIVE") } else { ("Drain", "DRAINING") };
            let drain = request("ecs:UpdateContainerInstancesState", json!({ "cluster": i.cluster, "containerInstances": [i.arn], "status": toggle_status }));
            // Terminating asks once more: the first press arms the button, the second terminates.
            let armed = armed.as_deref() == Some(i.ec2_instance_id.as_str());
            let terminate = if armed {
                let (onrequest, disarm, id) = (props.onrequest.clone(), armed_state.clone(), i.ec2_instance_id.clone());
                Callback::from(move |_: MouseEvent| {
                    disarm.set(None);
                    onrequest.emit(("ec2:TerminateInstances".to_string(), json!({ "InstanceIds": [id] })));
                })
            } else {
                let (arm, id) = (armed_state.clone(), i.ec2_instance_id.clone());
                Callback::from(move |_: MouseEvent| arm.set(Some(id.clone())))
            };
            let fail = request("sim:FailInstance", json!({ "instanceId": i.ec2_instance_id }));
            let live = i.tasks.iter().filter(|&&t| !world.ecs.tasks[t].is_stopped()).count();
            html! {
                <li class="instance-row" data-instance={i.ec2_instance_id.clone()}>
                    <span class="mono">{ i.ec2_instance_id.clone() }</span>
                    <span class="muted">{ format!("{} · {} · {} · {} tasks", i.instance_type, i.availability_zone, i.status.as_str(), live) }</span>
                    <span class="row-actions">
                        <button class="btn btn-small" onclick={drain}>{ toggle_label }</button>
                        <button class="btn btn-small btn-danger" onclick={terminate}>{ if armed { "Confirm: terminate" } else { "Terminate" } }</button>
                        <button class="btn btn-small btn-fail" onclick={fail}
                            title="sim:FailInstance: the host fails; its tasks are lost and an Auto Scaling group replaces it">{ "Fail" }</button>
                    </span>
                </li>
            }
        })
        .collect();
    let attr_target = use_node_ref();
    let attr_text = use_node_ref();
    let error = use_state(|| None::<String>);
    let onput = {
        let (onrequest, target, text, error) = (
            props.onrequest.clone(),
            attr_target.clone(),
            attr_text.clone(),
            error.clone(),
        );
        let instances: Vec<(String, String, String)> = world
            .ecs
            .container_instances
            .iter()
            .map(|i| (i.arn.clone(), i.cluster.clone(), i.ec2_instance_id.clone()))
            .collect();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let chosen = select_value(&target);
            let Some((arn, cluster, _)) = instances.iter().find(|(arn, ..)| *arn == chosen) else {
                return;
            };
            match parse_attributes(&input_value(&text)) {
                Ok(map) if !map.is_empty() => {
                    error.set(None);
                    let attributes: Vec<Value> = map.iter().map(|(k, v)| json!({ "name": k, "value": v, "targetType": "container-instance", "targetId": arn })).collect();
                    onrequest.emit((
                        "ecs:PutAttributes".into(),
                        json!({ "cluster": cluster, "attributes": attributes }),
                    ));
                }
                Ok(_) => error.set(Some("Give at least one name=value.".into())),
                Err(message) => error.set(Some(message)),
            }
        })
    };
    // The zones the instances are in, and those failed: each can fail or come back.
    let mut zones: std::collections::BTreeMap<String, bool> =
        (world.ecs.container_instances.iter())
            .filter(|i| i.status != InstanceStatus::Inactive)
            .map(|i| (i.availability_zone.clone(), false))
            .collect();
    for zone in &world.sim.failed_zones {
        zones.insert(zone.clone(), true);
    }
    let zone_row = html! {
        if !zones.is_empty() {
            <p class="small zone-controls" id="zone-controls">
                { "Availability Zones: " }
                { for zones.iter().map(|(zone, failed)| {
                    let (action, label, title) = if *failed {
                        ("sim:RestoreAvailabilityZone", format!("Restore {zone}"), "sim:RestoreAvailabilityZone: EC2 has capacity there again")
                    } else {
                        ("sim:FailAvailabilityZone", format!("Fail {zone}"), "sim:FailAvailabilityZone: every instance there fails (its tasks lost), EC2 and Fargate place nothing there")
                    };
                    let (onrequest, zone_name) = (props.onrequest.clone(), zone.clone());
                    let onclick = Callback::from(move |_: MouseEvent| onrequest.emit((action.to_string(), json!({ "availabilityZone": zone_name }))));
                    html! {
                        <button class={classes!("btn", "btn-small", (!*failed).then_some("btn-fail"))} type="button" data-zone={zone.clone()} {title} {onclick}>{ label }</button>
                    }
                }) }
            </p>
        }
    };
    if rows.is_empty() {
        return html! { <>{ zone_row }<p class="muted">{ "No container instances registered yet." }</p></> };
    }
    html! {
        <>
            <ul class="instance-list" id="instance-list">{ for rows }</ul>
            { zone_row }
            <form class="inline-form" id="form-attributes" onsubmit={onput}>
                <select ref={attr_target} aria-label="Container instance">
                    { for world.ecs.container_instances.iter().filter(|i| i.status != InstanceStatus::Inactive).enumerate().map(|(n, i)| html! {
                        <option value={i.arn.clone()} selected={n == 0}>{ i.ec2_instance_id.clone() }</option>
                    }) }
                </select>
                <input ref={attr_text} placeholder="name=value" aria-label="Attribute to set" />
                <button class="btn btn-small" type="submit">{ "Set attribute" }</button>
            </form>
            if let Some(message) = &*error { <p class="check-error">{ message.clone() }</p> }
        </>
    }
}
