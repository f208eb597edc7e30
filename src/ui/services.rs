//! Services and tasks: create a service (launch type, desired count, placement strategy and
//! constraints with the memberOf expression checked as you type, deployment configuration,
//! circuit breaker), change a service's desired count, deploy a revision, and run standalone
//! tasks. Each is the AWS request of the same name.

use serde_json::{json, Value};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::capacity::outcome_line;
use super::fields::{checked, input_value, select_value, use_field_defaults, use_field_value};
use super::model::forms::{
    active_clusters, check_member_of, revisions, run_task_request, ServiceForm, STRATEGY_CHOICES,
};
use super::state::{Origin, Outcome, SimRef};
use crate::ecs::{SchedulingStrategy, ServiceStatus};

#[derive(Properties, PartialEq)]
pub struct ServicesProps {
    pub sim: SimRef,
    pub outcome: Option<std::rc::Rc<Outcome>>,
    pub fargate_enabled: bool,
    pub onrequest: Callback<(String, Value)>,
    pub onbatch: Callback<Vec<(String, Value)>>,
}

#[function_component(ServicesPanel)]
pub fn services_panel(props: &ServicesProps) -> Html {
    let session = props.sim.borrow();
    let world = session.world();
    let revisions = revisions(world, true);
    let clusters = active_clusters(world);
    // A scheduled action's schedule, checked against the session's clock as it is typed.
    let check = {
        let sim = props.sim.clone();
        Callback::from(move |(schedule, zone): (String, String)| {
            super::model::scaling::schedule_check(sim.borrow().world(), &schedule, &zone)
        })
    };
    // A scaling form's request, checked against the session's world as it is typed.
    let validate = {
        let sim = props.sim.clone();
        Callback::from(move |(action, input): (String, Value)| {
            super::model::scaling::form_check(sim.borrow().world(), &action, &input)
        })
    };
    let check_step = {
        let sim = props.sim.clone();
        Callback::from(
            move |(cluster, service, form): (String, String, super::model::scaling::StepForm)| {
                form.check(sim.borrow().world(), &cluster, &service)
            },
        )
    };
    let services: Vec<Html> = world
        .ecs
        .services
        .iter()
        .enumerate()
        .filter(|(_, s)| s.status != ServiceStatus::Inactive)
        .map(|(n, s)| {
            let live = s.tasks.iter().map(|&t| &world.ecs.tasks[t]).filter(|t| !t.is_stopped());
            let running = live.clone().filter(|t| t.is_running()).count();
            let pending = live.clone().filter(|t| t.is_pending()).count();
            // PROVISIONING with no instance: waiting for a capacity provider's instances.
            let waiting = live
                .filter(|t| t.launch_type == crate::ecs::LaunchType::Ec2 && t.container_instance.is_none())
                .count();
            let primary = &s.deployments[0];
            // What DescribeServices says: a daemon's desired count is the tasks it runs.
            let desired = world.target_count(n) as u32;
            let started = world.live_tasks(n).len() as u32;
            // An old placement failure explains nothing once no task waits.
            let failure = s
                .last_placement_failure
                .as_ref()
                .filter(|_| desired > started)
                .and_then(|d| d.failure())
                .map(|f| f.message.clone());
            html! {
                <ServiceRow
                    cluster={s.cluster.clone()}
                    name={s.name.clone()}
                    status={s.status.as_str()}
                    daemon={s.scheduling_strategy == SchedulingStrategy::Daemon}
                    task_definition={s.task_definition().to_string()}
                    {desired}
                    {running}
                    {pending}
                    {waiting}
                    fargate={s.launch_type == crate::ecs::LaunchType::Fargate}
                    rollout={format!("{} {}", primary.status.as_str(), primary.rollout_state.as_str())}
                    {failure}
                    revisions={revisions.clone()}
                    scaling={super::model::scaling::scaling_view(world, &s.cluster, &s.name)}
                    check={check.clone()}
                    validate={validate.clone()}
                    check_step={check_step.clone()}
                    onrequest={props.onrequest.clone()}
                    onbatch={props.onbatch.clone()}
                />
            }
        })
        .collect();
    // Target groups a new service may register with, and what of each revision would take
    // their traffic.
    let target_groups = super::model::forms::load_balancer_choices(world);
    let ports: Vec<(String, Option<(String, u16)>)> = (revisions.iter())
        .map(|r| (r.clone(), super::model::forms::load_balanced_port(world, r)))
        .collect();
    html! {
        <section class="panel" id="panel-services" aria-labelledby="panel-services-title">
            <h2 id="panel-services-title">{ "Services and tasks" }</h2>
            if services.is_empty() { <p class="muted">{ "No services yet." }</p> }
            <ul class="service-list" id="service-list">{ for services }</ul>
            { outcome_line(props.outcome.as_deref(), Origin::Services) }
            <details class="subform" open={world.ecs.services.is_empty()}>
                <summary>{ "Create service" }</summary>
                <CreateService clusters={clusters.clone()} revisions={revisions.clone()} fargate_enabled={props.fargate_enabled} onrequest={props.onrequest.clone()}
                    target_groups={target_groups.clone()} ports={ports.clone()} />
            </details>
            <details class="subform">
                <summary>{ "Run task" }</summary>
                <RunTask {clusters} {revisions} fargate_enabled={props.fargate_enabled} onrequest={props.onrequest.clone()} {target_groups} {ports} />
            </details>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ServiceRowProps {
    cluster: String,
    name: String,
    status: &'static str,
    daemon: bool,
    task_definition: String,
    desired: u32,
    running: usize,
    pending: usize,
    /// Of those pending, the tasks waiting for capacity.
    waiting: usize,
    /// On Fargate: its row can move it to Fargate's capacity providers.
    fargate: bool,
    rollout: String,
    failure: Option<String>,
    revisions: Vec<String>,
    scaling: super::model::scaling::ScalingView,
    check: Callback<(String, String), Result<String, String>>,
    validate: Callback<(String, Value), Option<String>>,
    check_step: Callback<(String, String, super::model::scaling::StepForm), Option<String>>,
    onrequest: Callback<(String, Value)>,
    onbatch: Callback<Vec<(String, Value)>>,
}

#[function_component(ServiceRow)]
fn service_row(props: &ServiceRowProps) -> Html {
    let desired_ref = use_node_ref();
    let revision_ref = use_node_ref();
    let base = json!({ "cluster": props.cluster, "service": props.name });
    let onscale = {
        let (onrequest, desired_ref, base) =
            (props.onrequest.clone(), desired_ref.clone(), base.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut input = base.clone();
            if let Some(count) = super::model::forms::number_as_typed(&input_value(&desired_ref)) {
                input["desiredCount"] = count;
            }
            onrequest.emit(("ecs:UpdateService".into(), input));
        })
    };
    let ondeploy = {
        let (onrequest, revision_ref, base) =
            (props.onrequest.clone(), revision_ref.clone(), base.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut input = base.clone();
            let revision = select_value(&revision_ref);
            if let Some(update) = super::model::forms::strategy_update(&base, &revision) {
                input = update;
            } else if revision == "force" {
                input["forceNewDeployment"] = json!(true);
            } else {
                input["taskDefinition"] = json!(revision);
            }
            onrequest.emit(("ecs:UpdateService".into(), input));
        })
    };
    // The desired count shown follows the service's; what is typed stays until it changes.
    use_field_value(&desired_ref, props.desired.to_string());
    html! {
        <li class="service-row" data-service={props.name.clone()}>
            <div class="service-head">
                <strong>{ props.name.clone() }</strong>
                <code>{ props.task_definition.clone() }</code>
                <span class="muted">{ format!("{} · desired {} · running {} · pending {}", props.status, props.desired, props.running, props.pending) }</span>
                if props.waiting > 0 {
                    <span class="badge waiting-capacity" title="PROVISIONING: no instance of the capacity provider has room yet">{ format!("{} waiting for capacity", props.waiting) }</span>
                }
                <span class="badge">{ props.rollout.clone() }</span>
            </div>
            if let Some(message) = &props.failure { <p class="check-error small">{ message.clone() }</p> }
            <div class="row">
                if !props.daemon {
                    <form class="inline-form form-scale" onsubmit={onscale} novalidate=true>
                        <input ref={desired_ref} type="number" min="0" aria-label={format!("Desired count of {}", props.name)} />
                        <button class="btn btn-small" type="submit">{ "Set desired" }</button>
                    </form>
                }
                <form class="inline-form form-deploy" onsubmit={ondeploy}>
                    <select ref={revision_ref} aria-label={format!("Revision to deploy to {}", props.name)}>
                        { for props.revisions.iter().map(|r| html! { <option value={r.clone()} selected={*r == props.task_definition}>{ r.clone() }</option> }) }
                        <option value="force">{ "force new deployment" }</option>
                        if props.fargate {
                            { for super::model::forms::FARGATE_STRATEGY_CHOICES.iter().map(|(v, words)| html! { <option value={*v}>{ *words }</option> }) }
                        }
                    </select>
                    <button class="btn btn-small" type="submit">{ "Deploy" }</button>
                </form>
            </div>
            if !props.daemon {
                <super::scaling::ScalingSection cluster={props.cluster.clone()} service={props.name.clone()}
                    view={props.scaling.clone()} check={props.check.clone()} validate={props.validate.clone()}
                    check_step={props.check_step.clone()} onrequest={props.onrequest.clone()} onbatch={props.onbatch.clone()} />
            }
        </li>
    }
}

#[derive(Properties, PartialEq)]
struct FormProps {
    clusters: Vec<String>,
    revisions: Vec<String>,
    fargate_enabled: bool,
    onrequest: Callback<(String, Value)>,
    /// Target groups by name and ARN.
    target_groups: Vec<(String, String)>,
    /// Each revision's container and port for a load balancer.
    ports: Vec<(String, Option<(String, u16)>)>,
}

fn cluster_options(clusters: &[String]) -> Html {
    html! {
        <>
            { for clusters.iter().enumerate().map(|(n, c)| html! { <option value={c.clone()} selected={n == 0}>{ c.clone() }</option> }) }
            if clusters.is_empty() { <option value="default">{ "default" }</option> }
        </>
    }
}

fn launch_type_options(fargate: bool) -> Html {
    html! {
        <>
            <option value="EC2" selected=true>{ "EC2" }</option>
            <option value="default">{ super::model::forms::LAUNCH_CHOICES[1].1 }</option>
            if fargate {
                { for super::model::forms::LAUNCH_CHOICES[2..].iter().map(|(value, words)| html! { <option value={*value}>{ *words }</option> }) }
            }
        </>
    }
}

#[function_component(CreateService)]
fn create_service(props: &FormProps) -> Html {
    let refs: Vec<NodeRef> = (0..13).map(|_| NodeRef::default()).collect();
    let refs = use_memo((), move |_| refs);
    let member_of_error = use_state(|| None::<String>);
    let fargate = use_state(|| false);
    let onlaunch = {
        let fargate = fargate.clone();
        Callback::from(move |e: Event| {
            let choice = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            fargate.set(super::model::forms::is_fargate_choice(&choice))
        })
    };
    let oncql = {
        let member_of_error = member_of_error.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            member_of_error.set(check_member_of(&input.value()));
        })
    };
    let onsubmit = {
        let (refs, onrequest, ports) = (refs.clone(), props.onrequest.clone(), props.ports.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let task_definition = select_value(&refs[2]);
            let group = select_value(&refs[12]);
            let load_balancer = (!group.is_empty()).then(|| {
                let port = (ports.iter())
                    .find(|(r, _)| *r == task_definition)
                    .and_then(|(_, p)| p.clone())
                    .unwrap_or_default();
                (group, port.0, port.1)
            });
            let form = ServiceForm {
                cluster: select_value(&refs[0]),
                name: input_value(&refs[1]).trim().to_string(),
                task_definition: select_value(&refs[2]),
                launch_type: select_value(&refs[3]),
                daemon: select_value(&refs[4]) == "DAEMON",
                desired_count: input_value(&refs[5]),
                strategy: select_value(&refs[6]),
                member_of: input_value(&refs[7]),
                distinct_instance: checked(&refs[8]),
                minimum_healthy_percent: input_value(&refs[9]),
                maximum_percent: input_value(&refs[10]),
                circuit_breaker: checked(&refs[11]),
                rollback: checked(&refs[11]),
                load_balancer,
            };
            onrequest.emit(("ecs:CreateService".into(), form.request()));
        })
    };
    use_field_defaults(&[
        (refs[1].clone(), "web"),
        (refs[5].clone(), "4"),
        (refs[9].clone(), "100"),
        (refs[10].clone(), "200"),
    ]);
    html! {
        <form class="form-grid" id="form-create-service" {onsubmit} novalidate=true>
            <label for="svc-cluster">{ "Cluster" }</label>
            <select id="svc-cluster" ref={refs[0].clone()}>{ cluster_options(&props.clusters) }</select>
            <label for="svc-name">{ "Service name" }</label>
            <input id="svc-name" ref={refs[1].clone()} />
            <label for="svc-td">{ "Task definition" }</label>
            <select id="svc-td" ref={refs[2].clone()}>
                { for props.revisions.iter().enumerate().map(|(n, r)| html! { <option value={r.clone()} selected={n == 0}>{ r.clone() }</option> }) }
            </select>
            <label for="svc-launch">{ "Launch type" }</label>
            <select id="svc-launch" ref={refs[3].clone()} onchange={onlaunch}>{ launch_type_options(props.fargate_enabled) }</select>
            if *fargate {
                <span></span>
                <p class="muted small" id="svc-fargate-note">{ "Fargate places tasks itself, spread over the subnets' zones: AWS refuses a placement strategy or constraint with it, so leave them at default and empty." }</p>
            }
            <label for="svc-scheduling">{ "Scheduling" }</label>
            <select id="svc-scheduling" ref={refs[4].clone()}>
                <option value="REPLICA" selected=true>{ "REPLICA" }</option>
                <option value="DAEMON">{ "DAEMON (one per instance)" }</option>
            </select>
            <label for="svc-desired">{ "Desired count" }</label>
            <input id="svc-desired" ref={refs[5].clone()} type="number" min="0" />
            <label for="svc-strategy">{ "Placement strategy" }</label>
            <select id="svc-strategy" ref={refs[6].clone()}>
                { for STRATEGY_CHOICES.iter().enumerate().map(|(n, (label, _))| html! { <option value={*label} selected={n == 0}>{ *label }</option> }) }
            </select>
            <label for="svc-member-of">{ "memberOf" }</label>
            <div>
                <input id="svc-member-of" ref={refs[7].clone()} class="mono" placeholder="attribute:ecs.instance-type =~ t3.*"
                    aria-invalid={member_of_error.is_some().to_string()} aria-describedby="svc-member-of-check" oninput={oncql} />
                <p id="svc-member-of-check" class={if member_of_error.is_some() { "check-error small" } else { "muted small" }}>
                    { member_of_error.as_ref().cloned().unwrap_or_else(|| "Cluster Query Language; empty for none.".into()) }
                </p>
            </div>
            <label for="svc-distinct">{ "distinctInstance" }</label>
            <input id="svc-distinct" ref={refs[8].clone()} type="checkbox" />
            <label for="svc-min">{ "Minimum healthy %" }</label>
            <input id="svc-min" ref={refs[9].clone()} type="number" min="0" />
            <label for="svc-max">{ "Maximum %" }</label>
            <input id="svc-max" ref={refs[10].clone()} type="number" min="0" />
            <label for="svc-breaker">{ "Circuit breaker" }</label>
            <label class="toggle"><input id="svc-breaker" ref={refs[11].clone()} type="checkbox" />{ " enable, with rollback" }</label>
            <label for="svc-target-group">{ "Load balancer" }</label>
            <select id="svc-target-group" ref={refs[12].clone()} title="loadBalancers: the tasks register with this target group or Classic Load Balancer (the definition's first container port)">
                <option value="" selected=true>{ "none" }</option>
                { for props.target_groups.iter().map(|(label, value)| html! { <option value={value.clone()}>{ label.clone() }</option> }) }
            </select>
            <span></span>
            <button class="btn btn-primary" id="btn-create-service" type="submit">{ "Create service" }</button>
        </form>
    }
}

#[function_component(RunTask)]
fn run_task(props: &FormProps) -> Html {
    let (cluster, td, count, launch) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let onsubmit = {
        let (cluster, td, count, launch, onrequest) = (
            cluster.clone(),
            td.clone(),
            count.clone(),
            launch.clone(),
            props.onrequest.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let request = run_task_request(
                &select_value(&cluster),
                &select_value(&td),
                &input_value(&count),
                &select_value(&launch),
            );
            onrequest.emit(("ecs:RunTask".into(), request));
        })
    };
    use_field_defaults(&[(count.clone(), "1")]);
    html! {
        <form class="form-grid" id="form-run-task" {onsubmit} novalidate=true>
            <label for="run-cluster">{ "Cluster" }</label>
            <select id="run-cluster" ref={cluster}>{ cluster_options(&props.clusters) }</select>
            <label for="run-td">{ "Task definition" }</label>
            <select id="run-td" ref={td}>
                { for props.revisions.iter().enumerate().map(|(n, r)| html! { <option value={r.clone()} selected={n == 0}>{ r.clone() }</option> }) }
            </select>
            <label for="run-count">{ "Count" }</label>
            <input id="run-count" ref={count} type="number" min="1" max="10" />
            <label for="run-launch">{ "Launch type" }</label>
            <select id="run-launch" ref={launch}>{ launch_type_options(props.fargate_enabled) }</select>
            <span></span>
            <button class="btn btn-primary" id="btn-run-task" type="submit">{ "Run task" }</button>
        </form>
    }
}
