//! The inspector: the selected task (its task definition, status history, containers, stop code
//! and reason, and the placement why-trace: every instance with the check that rejected it, or
//! its strategy scores) or the selected container instance (registered and remaining resources,
//! ports, attributes, tasks).

use serde_json::{json, Value};
use yew::prelude::*;

use super::model::map::Hit;
use super::state::SimRef;
use crate::ecs::placement::trace::PlacementTrace;
use crate::engine::time::format_clock;
use crate::world::World;

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub sim: SimRef,
    pub selection: Option<Hit>,
    pub onselect: Callback<Option<Hit>>,
    pub onrequest: Callback<(String, Value)>,
}

#[function_component(Inspector)]
pub fn inspector(props: &InspectorProps) -> Html {
    let session = props.sim.borrow();
    let world = session.world();
    let body = match &props.selection {
        None => {
            html! { <p class="muted">{ "Click a task or an instance on the cluster map to inspect it." }</p> }
        }
        Some(Hit::Task(t, serial))
            if world
                .ecs
                .tasks
                .get(*t)
                .is_some_and(|task| task.serial == *serial) =>
        {
            task_view(world, *t, &props.onrequest, &props.onselect)
        }
        Some(Hit::Instance(i)) if *i < world.ecs.container_instances.len() => {
            instance_view(world, *i, &props.onselect)
        }
        Some(Hit::Waiting(s)) if *s < world.ecs.services.len() => waiting_view(world, *s),
        Some(_) => html! { <p class="muted">{ "The selection is gone." }</p> },
    };
    html! {
        <section class="panel" id="panel-inspector" aria-labelledby="panel-inspector-title">
            <h2 id="panel-inspector-title">{ "Inspector" }</h2>
            { body }
        </section>
    }
}

/// The task's health, with why when it is UNKNOWN.
fn health_words(task: &crate::ecs::Task) -> String {
    let health = task.health().as_str();
    if health != "UNKNOWN" {
        return health.to_string();
    }
    if !task.essential_health_check {
        "UNKNOWN: no essential container has a health check, so ECS reports UNKNOWN (the service counts a RUNNING task as healthy)".to_string()
    } else if task.is_running() {
        "UNKNOWN: the health check has not answered yet".to_string()
    } else {
        "UNKNOWN: a task is checked once it runs".to_string()
    }
}

fn field(name: &str, value: impl Into<Html>) -> Html {
    html! { <><dt>{ name }</dt><dd>{ value.into() }</dd></> }
}

fn task_view(
    world: &World,
    t: usize,
    onrequest: &Callback<(String, Value)>,
    onselect: &Callback<Option<Hit>>,
) -> Html {
    let task = &world.ecs.tasks[t];
    let instance = task
        .container_instance
        .map(|i| &world.ecs.container_instances[i]);
    let history: Vec<(&str, Option<u64>)> = vec![
        ("created (PROVISIONING/PENDING)", Some(task.created_at)),
        ("image pull started", task.pull_started_at),
        ("image pull stopped", task.pull_stopped_at),
        ("started (RUNNING)", task.started_at),
        ("stopping", task.stopping_at),
        ("execution stopped", task.execution_stopped_at),
        ("STOPPED", task.stopped_at),
    ];
    let stop = {
        let (onrequest, input) = (
            onrequest.clone(),
            json!({ "cluster": task.cluster, "task": task.arn, "reason": "Stopped from the playground" }),
        );
        Callback::from(move |_: MouseEvent| onrequest.emit(("ecs:StopTask".into(), input.clone())))
    };
    let open_instance = task.container_instance.map(|i| {
        let onselect = onselect.clone();
        Callback::from(move |_: MouseEvent| onselect.emit(Some(Hit::Instance(i))))
    });
    html! {
        <div class="inspect" id="inspect-task">
            <h3>{ format!("Task {}", task.id) }</h3>
            <dl class="fields">
                { field("Task definition", html! { <code>{ task.task_definition.clone() }</code> }) }
                { field("Group", task.group.clone()) }
                { field("Launch type", task.launch_type.as_str()) }
                if let Some(provider) = &task.capacity_provider { { field("Capacity provider", provider.clone()) } }
                { field("Last / desired status", format!("{} / {}", task.last_status.as_str(), task.desired_status.as_str())) }
                { field("Health", health_words(task)) }
                { field("Availability Zone", task.availability_zone.clone()) }
                { field("Container instance", match (instance, open_instance) {
                    (Some(ci), Some(onclick)) => html! { <button class="link" {onclick}>{ ci.ec2_instance_id.clone() }</button> },
                    _ => html! { "Fargate" },
                }) }
                { field("CPU / memory", format!("{} units / {} MiB", task.cpu_units, task.memory_mib)) }
                if let Some(code) = task.stop_code { { field("Stop code", code.as_str()) } }
                if let Some(reason) = &task.stopped_reason { { field("Stopped reason", reason.clone()) } }
            </dl>
            if !task.is_stopped() && task.desired_status != crate::ecs::TaskStatus::Stopped {
                <button class="btn btn-small btn-danger" id="btn-stop-task" onclick={stop}>{ "Stop task" }</button>
            }
            <h4>{ "Status history" }</h4>
            <ol class="history">
                { for history.iter().filter_map(|(what, at)| at.map(|at| html! {
                    <li><span class="mono">{ format!("T+{}", format_clock(at)) }</span>{ format!(" {what}") }</li>
                })) }
            </ol>
            <h4>{ "Start-up checklist" }</h4>
            { startup_view(task) }
            { task_logs(world, task) }
            { environment_view(world, task) }
            { files_view(world, task) }
            if !task.app_calls.is_empty() {
                <h4>{ "The application's AWS calls (task role)" }</h4>
                <ul class="checklist" id="task-app-calls">
                    { for task.app_calls.iter().map(|(_, action, resource, answer)| {
                        let ok = answer.starts_with("200");
                        html! {
                            <li class={if ok { "passed" } else { "failed" }}>
                                <span aria-hidden="true">{ if ok { "✓ " } else { "✗ " } }</span>
                                <strong>{ format!("{action} {resource}") }</strong>{ format!(": {answer}") }
                            </li>
                        }
                    }) }
                </ul>
            }
            <h4>{ "Containers" }</h4>
            <ul class="containers">
                { for task.containers.iter().map(|c| html! {
                    <li>
                        <strong>{ c.name.clone() }</strong>{ format!(" {} · {}", c.image, c.last_status.as_str()) }
                        { c.exit_code.map(|code| format!(" · exit {code}")).unwrap_or_default() }
                        { format!(" · health {}", c.health.as_str()) }
                        { c.reason.as_ref().map(|r| format!(" · {r}")).unwrap_or_default() }
                        { if c.bindings.is_empty() { String::new() } else {
                            format!(" · ports {}", c.bindings.iter().map(|(cp, hp, udp)| format!("{hp}->{cp}/{}", if *udp { "udp" } else { "tcp" })).collect::<Vec<_>>().join(", "))
                        } }
                    </li>
                }) }
            </ul>
            <h4>{ "Placement: why here" }</h4>
            { match world.ecs.placement_traces.get(&t) {
                Some(decision) => why_trace(&decision.expand(&world.ecs)),
                None => html! { <p class="muted">{ if task.launch_type == crate::ecs::LaunchType::Fargate {
                    "Fargate chose the zone: it spreads a service's tasks over its subnets' zones."
                } else {
                    "This decision's trace is no longer kept (the oldest go first)."
                } }</p> },
            } }
        </div>
    }
}

/// Each check the task went through to start (its roles, the registry auth, its log
/// streams), passed or failed with the reason.
fn startup_view(task: &crate::ecs::Task) -> Html {
    if task.startup.is_empty() {
        return html! { <p class="muted">{ "Nothing to check: no roles, no private ECR image, no awslogs driver." }</p> };
    }
    html! {
        <ul class="checklist" id="startup-checklist">
            { for task.startup.iter().map(|s| html! {
                <li class={if s.passed { "passed" } else { "failed" }}>
                    <span aria-hidden="true">{ if s.passed { "✓ " } else { "✗ " } }</span>
                    <strong>{ s.step.clone() }</strong>{ format!(": {}", s.detail) }
                </li>
            }) }
        </ul>
    }
}

/// Each container's environment as it was resolved at start, secrets masked; a secret
/// rotated since says that only a new task (a new deployment) reads the new value.
fn environment_view(world: &World, task: &crate::ecs::Task) -> Html {
    if task.containers.iter().all(|c| c.environment.is_empty()) {
        return html! {};
    }
    let rotated = |v: &crate::ecs::startup::EnvVar| {
        let from = v.from.as_deref()?;
        let reference = crate::secretsmanager::read::reference(from)?;
        // A reference pinned to a stage other than AWSCURRENT, or to a version, never moves.
        if reference.version_id.is_some()
            || reference
                .version_stage
                .as_deref()
                .is_some_and(|s| s != "AWSCURRENT")
        {
            return None;
        }
        let arn = crate::secretsmanager::read::secret_arn(world, &reference);
        let current = crate::secretsmanager::read::current_version(world, &arn)?;
        (Some(current.as_str()) != v.version.as_deref()).then_some(())
    };
    html! {
        <>
            <h4>{ "Environment (read at start)" }</h4>
            <ul class="environment mono" id="task-environment">
                { for task.containers.iter().filter(|c| !c.environment.is_empty()).flat_map(|c| {
                    let container = c.name.clone();
                    c.environment.iter().map(move |v| {
                        let value = if v.secret { "••••••".to_string() } else { v.value.clone() };
                        let source = match (&v.from, &v.version) {
                            (Some(from), Some(version)) => format!(" (secret from {from}, version {version})"),
                            (Some(from), None) => format!(" (from {from})"),
                            _ => String::new(),
                        };
                        let note = rotated(v).map(|_| " rotated since: a new deployment reads the new value");
                        html! {
                            <li class={classes!(note.is_some().then_some("rotated"))}>
                                { format!("{container}: {}={value}", v.name) }<span class="muted">{ source }</span>
                                if let Some(note) = note { <strong class="rotated-note">{ note }</strong> }
                            </li>
                        }
                    }).collect::<Vec<_>>()
                }) }
            </ul>
        </>
    }
}

fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

/// The task's volumes: where each one's data lives and how long, with the files there (an
/// EFS file system's are every task's), and what the containers wrote to their own layers.
fn files_view(world: &World, task: &crate::ecs::Task) -> Html {
    use crate::ecs::task_definition::VolumeKind;
    let Ok(definition) = world.resolve_task_definition(&task.task_definition, "$") else {
        return html! {};
    };
    let instance = task
        .container_instance
        .map(|i| &world.ecs.container_instances[i]);
    // (title, where its data lives, its files: path, bytes, last writer)
    type Section = (String, String, Vec<(String, u64, String)>);
    let mut sections: Vec<Section> = Vec::new();
    for v in &definition.volumes {
        let (place, files) = match &v.kind {
            VolumeKind::Efs { file_system, .. } => {
                let root = task.efs_mounts.iter().find(|(n, _, _)| *n == v.name).map(|(_, _, r)| r.clone());
                let files = root.as_ref().map(|r| crate::efs::read::files(world, file_system, r).into_iter().map(|(p, f)| (p, f.bytes, f.writer)).collect()).unwrap_or_default();
                (format!("EFS {file_system}:{}: shared by every task that mounts it, in every zone; kept when tasks stop", root.unwrap_or_else(|| "(not mounted)".into())), files)
            }
            VolumeKind::Host { source_path: Some(source) } if instance.is_some() => (
                format!("bind mount of the instance's {source}: kept across tasks on this instance, lost with the instance"),
                crate::ecs::volumes::listed(&instance.expect("checked").host_files, source),
            ),
            VolumeKind::Docker { shared: true, .. } if instance.is_some() => {
                let dir = format!("/var/lib/docker/volumes/{}/_data", v.name);
                (format!("shared Docker volume ({dir}): kept on this instance, lost with it"), crate::ecs::volumes::listed(&instance.expect("checked").host_files, &dir))
            }
            _ => (
                if task.launch_type == crate::ecs::LaunchType::Fargate { "the task's ephemeral storage: gone with the task".to_string() } else { "the task's own storage: gone with the task".to_string() },
                crate::ecs::volumes::listed(&task.files, &format!("{}:", v.name)),
            ),
        };
        sections.push((format!("Volume {}", v.name), place, files));
    }
    for c in &task.containers {
        let layer = crate::ecs::volumes::listed(&task.files, &format!("{}:", c.name));
        if !layer.is_empty() {
            sections.push((
                format!("Container {}", c.name),
                "its writable layer: gone with the task".into(),
                layer,
            ));
        }
    }
    if sections.is_empty() {
        return html! {};
    }
    let ephemeral = (task.launch_type == crate::ecs::LaunchType::Fargate).then(|| {
        format!(
            "Ephemeral storage: {} of {} GiB used (image layers and the task's own files)",
            size_text(world.ephemeral_used(task)),
            definition.ephemeral_storage_gib
        )
    });
    html! {
        <>
            <h4>{ "Volumes and files" }</h4>
            <div id="task-files" class="task-files">
                if let Some(line) = ephemeral { <p class="muted">{ line }</p> }
                { for sections.iter().map(|(title, place, files)| html! {
                    <div class="volume">
                        <div><strong>{ title.clone() }</strong>{ format!(": {place}") }</div>
                        <ul class="mono">
                            { for files.iter().map(|(path, bytes, writer)| html! {
                                <li>{ format!("{} · {} · last written by {writer}", path.split_once(':').map_or(path.as_str(), |(_, p)| p), size_text(*bytes)) }</li>
                            }) }
                            if files.is_empty() { <li class="muted">{ "no files yet" }</li> }
                        </ul>
                    </div>
                }) }
            </div>
        </>
    }
}

/// The task's newest log lines, from the awslogs groups of its containers.
fn task_logs(world: &World, task: &crate::ecs::Task) -> Html {
    let Some(definition) = world
        .resolve_task_definition(&task.task_definition, "$")
        .ok()
    else {
        return html! {};
    };
    let mut groups: Vec<&str> = (definition.containers.iter())
        .filter_map(|c| c.awslogs.as_ref().map(|l| l.group.as_str()))
        .collect();
    groups.dedup();
    if groups.is_empty() {
        return html! {};
    }
    let mut lines: Vec<crate::logs::read::Line> = groups
        .iter()
        .flat_map(|g| crate::logs::read::lines(world, g, &task.id, "", 20))
        .collect();
    lines.sort_by_key(|l| l.at);
    html! {
        <>
            <h4>{ format!("Logs ({})", groups.join(", ")) }</h4>
            <ol class="log-lines mono" id="task-log-lines">
                { for lines.iter().map(|l| html! { <li><span class="log-time">{ format!("T+{}", format_clock(l.at)) }</span>{ format!(" {}", l.message) }</li> }) }
                if lines.is_empty() { <li class="muted">{ "No lines yet." }</li> }
            </ol>
        </>
    }
}

/// A service's tasks that have no instance: how many, and the scheduler's last decision for
/// them (every instance's check, with the numbers), which is why they wait.
fn waiting_view(world: &World, service: usize) -> Html {
    // Counted as the services panel counts them: the scheduler's own target and live tasks.
    let s = &world.ecs.services[service];
    let started = world.live_tasks(service).len();
    let waiting = world.target_count(service).saturating_sub(started);
    html! {
        <div class="inspect" id="inspect-waiting">
            <h3>{ format!("Service {}: {waiting} {} waiting", s.name, if waiting == 1 { "task" } else { "tasks" }) }</h3>
            <dl class="fields">
                { field("Cluster", s.cluster.clone()) }
                { field("Task definition", html! { <code>{ s.task_definition().to_string() }</code> }) }
                { field("Desired / started", format!("{} / {started}", world.target_count(service))) }
            </dl>
            <h4>{ "Placement: why not yet" }</h4>
            { match &s.last_placement_failure {
                Some(decision) => why_trace(&decision.expand(&world.ecs)),
                None => html! { <p class="muted">{ "No placement has failed for this service: its tasks are on their way, or the scheduler has not looked yet (it does, about every 15 seconds, and when capacity changes)." }</p> },
            } }
        </div>
    }
}

/// Every instance the scheduler looked at: refused by which check and why, or its scores.
pub fn why_trace(trace: &PlacementTrace) -> Html {
    html! {
        <div class="why-trace">
            <p class="small">
                { format!("Strategies: {}{} · ", trace.strategies.join(" then "), if trace.default_strategies { " (default)" } else { "" }) }
                { format!("constraints: {} · ", if trace.constraints.is_empty() { "none".into() } else { trace.constraints.join(", ") }) }
                { format!("needs {} CPU units, {} MiB", trace.demand.cpu, trace.demand.memory_mib) }
                { if trace.demand.host_ports.is_empty() { String::new() } else { format!(", ports {}", trace.demand.host_ports.join(" ")) } }
            </p>
            if let Some(failure) = &trace.failure {
                <p class="check-error small">{ format!("{} — {}", failure.reason, failure.message) }</p>
                if let Some(fate) = failure.closest.as_ref().and_then(|id| trace.instances.iter().find(|f| f.container_instance == *id)) {
                    <p class="small" id="closest-instance">{ format!("Container instance {} is EC2 instance {} ({}).", fate.container_instance, fate.ec2_instance_id, fate.availability_zone) }</p>
                }
            }
            <table class="trace-table">
                <thead><tr><th>{ "Instance (zone)" }</th><th>{ "Result" }</th><th>{ "Why" }</th></tr></thead>
                <tbody>
                    { for trace.instances.iter().map(|fate| html! {
                        <tr class={fate.result}>
                            <td class="instance-ids" title={format!("EC2 instance {}, container instance {}", fate.ec2_instance_id, fate.container_instance)}>
                                <span class="mono">{ fate.ec2_instance_id.clone() }</span>
                                <span class="mono muted">{ fate.container_instance.clone() }</span>
                                <span class="muted">{ fate.availability_zone.clone() }</span>
                            </td>
                            <td>{ fate.result }</td>
                            <td>{ if fate.result == "rejected" {
                                format!("{}: {}", fate.check.unwrap_or(""), fate.detail.clone().unwrap_or_default())
                            } else {
                                fate.scores.iter().map(|s| format!("{} = {} ({})", s.strategy, s.value, s.meaning)).collect::<Vec<_>>().join("; ")
                            } }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

fn instance_view(world: &World, i: usize, onselect: &Callback<Option<Hit>>) -> Html {
    let ci = &world.ecs.container_instances[i];
    let ports = super::model::map::port_list;
    html! {
        <div class="inspect" id="inspect-instance">
            <h3>{ format!("Container instance {}", ci.ec2_instance_id) }</h3>
            <dl class="fields">
                { field("Container instance", html! { <code>{ ci.id.clone() }</code> }) }
                { field("Type / zone", format!("{} · {}", ci.instance_type, ci.availability_zone)) }
                { field("Status", format!("{}{}", ci.status.as_str(), if ci.agent_connected { "" } else { " (agent disconnected)" })) }
                { field("CPU", format!("{} registered · {} remaining", ci.cpu_units_registered, ci.cpu_units_registered - ci.cpu_units_used)) }
                { field("Memory", format!("{} MiB registered · {} MiB remaining", ci.memory_mib_registered, ci.memory_mib_registered - ci.memory_mib_used)) }
                { field("ENIs (awsvpc)", format!("{} of {} in use", ci.enis_used, ci.enis_registered)) }
                { field("TCP ports", ports(&ci.tcp_ports)) }
                { field("UDP ports", ports(&ci.udp_ports)) }
            </dl>
            <h4>{ "Attributes" }</h4>
            <ul class="attributes">
                { for ci.attributes.iter().map(|(k, v)| html! {
                    <li><code>{ k.clone() }</code>{ v.as_ref().map(|v| format!(" = {v}")).unwrap_or_default() }</li>
                }) }
            </ul>
            <h4>{ "Tasks" }</h4>
            <ul class="task-links">
                { for ci.tasks.iter().filter(|&&t| !world.ecs.tasks[t].is_stopped()).map(|&t| {
                    let onselect = onselect.clone();
                    let task = &world.ecs.tasks[t];
                    let serial = task.serial;
                    html! { <li><button class="link" onclick={Callback::from(move |_| onselect.emit(Some(Hit::Task(t, serial))))}>
                        { format!("{} · {} · {}", task.id, task.task_definition, task.last_status.as_str()) }
                    </button></li> }
                }) }
            </ul>
        </div>
    }
}
