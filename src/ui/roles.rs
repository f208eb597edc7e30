//! IAM roles and CloudWatch Logs in the page. The roles panel lists every role (made, implied
//! by its conventional name, or named by a task definition and missing) with what it trusts,
//! its policies and what uses it; it makes a role from a template, attaches and detaches
//! managed policies. The log viewer shows a log group's newest lines, filtered by a term
//! pattern and a stream (a task id). Every change is an AWS request.

use serde_json::{json, Value};
use yew::prelude::*;

use super::capacity::outcome_line;
use super::fields::{input_value, select_value, use_field_defaults};
use super::model::roles::{create_role_batch, role_rows, RoleState, TEMPLATES};
use super::state::{Origin, Outcome, SimRef};
use crate::engine::time::format_clock;

/// Lines the viewer shows at the most (the newest).
pub const VIEWER_LINES_MAX: usize = 200;

#[derive(Properties, PartialEq)]
pub struct RolesProps {
    pub sim: SimRef,
    pub outcome: Option<std::rc::Rc<Outcome>>,
    pub onrequest: Callback<(String, Value)>,
    pub onbatch: Callback<Vec<(String, Value)>>,
}

#[function_component(RolesPanel)]
pub fn roles_panel(props: &RolesProps) -> Html {
    let session = props.sim.borrow();
    let world = session.world();
    let rows = role_rows(world);
    let policies = crate::iam::read::managed_policies();
    let (name_ref, template_ref) = (use_node_ref(), use_node_ref());
    use_field_defaults(&[(name_ref.clone(), "appTaskRole")]);
    let oncreate = {
        let (onbatch, name_ref, template_ref) = (
            props.onbatch.clone(),
            name_ref.clone(),
            template_ref.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            onbatch.emit(create_role_batch(
                &input_value(&name_ref),
                &select_value(&template_ref),
            ));
        })
    };
    let row_html = |row: &super::model::roles::RoleRow| {
        let name = row.name.clone();
        let status = match row.state {
            RoleState::Made => "",
            RoleState::Implied => " (implied by its name)",
            RoleState::Missing => " (missing: ECS cannot assume it)",
        };
        let create = (row.state == RoleState::Missing).then(|| {
            let (onbatch, name, template) = (props.onbatch.clone(), name.clone(), row.template);
            Callback::from(move |_: MouseEvent| onbatch.emit(create_role_batch(&name, template)))
        });
        let attach_ref = NodeRef::default();
        let onattach = {
            let (onrequest, name, attach_ref) =
                (props.onrequest.clone(), name.clone(), attach_ref.clone());
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                onrequest.emit((
                    "iam:AttachRolePolicy".into(),
                    json!({ "RoleName": name, "PolicyArn": select_value(&attach_ref) }),
                ));
            })
        };
        let detach = |policy: &str| {
            let arn = policies
                .iter()
                .find(|(n, _)| *n == policy)
                .map(|(_, a)| a.to_string());
            let (onrequest, name) = (props.onrequest.clone(), name.clone());
            arn.map(|arn| {
                Callback::from(move |_: MouseEvent| {
                    onrequest.emit((
                        "iam:DetachRolePolicy".into(),
                        json!({ "RoleName": name, "PolicyArn": arn }),
                    ))
                })
            })
        };
        let id = format!("role-{}", row.name);
        html! {
            <li class={classes!("role-row", (row.state == RoleState::Missing).then_some("missing"))} id={id.clone()}>
                <div><strong>{ row.name.clone() }</strong><span class="muted">{ status }</span></div>
                if !row.trusts.is_empty() { <div class="muted">{ format!("Trusts {}", row.trusts.join(", ")) }</div> }
                <ul class="role-policies">
                    { for row.policies.iter().map(|p| html! {
                        <li>{ p.clone() }
                            if row.state == RoleState::Made {
                                if let Some(onclick) = detach(p) {
                                    { " " }<button class="btn btn-small" {onclick} title="iam:DetachRolePolicy">{ "Detach" }</button>
                                }
                            }
                        </li>
                    }) }
                    if row.policies.is_empty() && row.state != RoleState::Missing { <li class="muted">{ "no policies" }</li> }
                </ul>
                { for row.uses.iter().map(|u| html! { <div class="role-use">{ format!("Used as the {u}") }</div> }) }
                if let Some(onclick) = create {
                    <button class="btn btn-small" id={format!("{id}-create")} {onclick}>{ format!("Create {} ({} role)", row.name, row.template) }</button>
                }
                if row.state == RoleState::Made {
                    <form class="inline-form" onsubmit={onattach}>
                        <select ref={attach_ref} aria-label={format!("Policy for {}", row.name)} id={format!("{id}-policy")}>
                            { for policies.iter().map(|(n, arn)| html! { <option value={*arn}>{ *n }</option> }) }
                        </select>
                        <button class="btn btn-small" type="submit" id={format!("{id}-attach")}>{ "Attach" }</button>
                    </form>
                }
            </li>
        }
    };
    html! {
        <section class="panel" id="panel-roles" aria-labelledby="panel-roles-title">
            <h2 id="panel-roles-title">{ "IAM roles" }</h2>
            <p class="muted">{ "The execution role pulls images and writes logs for ECS; the task role is the application's. Roles named in a task definition and never made are missing, except the conventional ones (ecsTaskExecutionRole, ecsInstanceRole, ecsEventsRole)." }</p>
            if rows.is_empty() { <p class="muted">{ "No roles yet." }</p> }
            <ul class="role-list">{ for rows.iter().map(row_html) }</ul>
            <form class="inline-form" id="form-create-role" onsubmit={oncreate}>
                <input ref={name_ref} aria-label="Role name" id="role-name" class="mono" />
                <select ref={template_ref} aria-label="Role template" id="role-template">
                    { for TEMPLATES.iter().map(|t| html! { <option value={t.id}>{ t.label }</option> }) }
                </select>
                <button class="btn btn-small" type="submit">{ "Create role" }</button>
            </form>
            { outcome_line(props.outcome.as_deref(), Origin::Roles) }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct LogViewerProps {
    pub sim: SimRef,
    pub outcome: Option<std::rc::Rc<Outcome>>,
    pub onrequest: Callback<(String, Value)>,
}

#[function_component(LogViewer)]
pub fn log_viewer(props: &LogViewerProps) -> Html {
    let session = props.sim.borrow();
    let world = session.world();
    let groups = crate::logs::read::groups(world);
    let chosen = use_state(String::new);
    let filter = use_state(String::new);
    let stream = use_state(String::new);
    let group = if groups.contains(&*chosen) {
        (*chosen).clone()
    } else {
        groups.first().cloned().unwrap_or_default()
    };
    let lines = crate::logs::read::lines(world, &group, &stream, &filter, VIEWER_LINES_MAX);
    let filter_ok = crate::logs::parse_pattern(&filter).is_ok();
    let onchoose = {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                chosen.set(select.value());
            }
        })
    };
    let text_setter = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                state.set(input.value());
            }
        })
    };
    let new_group = use_node_ref();
    use_field_defaults(&[(new_group.clone(), "/ecs/web")]);
    let oncreate = {
        let (onrequest, new_group) = (props.onrequest.clone(), new_group.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            onrequest.emit((
                "logs:CreateLogGroup".into(),
                json!({ "logGroupName": input_value(&new_group) }),
            ));
        })
    };
    html! {
        <section class="panel panel-wide" id="panel-logs" aria-labelledby="panel-logs-title">
            <h2 id="panel-logs-title">{ "CloudWatch Logs" }</h2>
            if groups.is_empty() {
                <p class="muted">{ "No log groups. A container with the awslogs driver writes to its group once the group exists (or with awslogs-create-group and logs:CreateLogGroup)." }</p>
            } else {
                <div class="log-controls">
                    <label>{ "Group " }
                        <select id="log-group" onchange={onchoose}>
                            { for groups.iter().map(|g| html! { <option value={g.clone()} selected={*g == group}>{ g.clone() }</option> }) }
                        </select>
                    </label>
                    <label>{ "Filter " }<input id="log-filter" class="mono" placeholder="ERROR ?WARN -health" value={(*filter).clone()} oninput={text_setter(&filter)} /></label>
                    <label>{ "Stream " }<input id="log-stream" class="mono" placeholder="task id or prefix" value={(*stream).clone()} oninput={text_setter(&stream)} /></label>
                </div>
                if !filter_ok { <p class="outcome error">{ "Filter patterns here are terms: ERROR, \"exact phrase\", ?either, -not." }</p> }
                <ol class="log-lines mono" id="log-lines">
                    { for lines.iter().map(|l| html! {
                        <li><span class="log-time">{ format!("T+{}", format_clock(l.at)) }</span>{ " " }<span class="log-stream">{ l.stream.clone() }</span>{ " " }<span class="log-message">{ l.message.clone() }</span></li>
                    }) }
                    if lines.is_empty() { <li class="muted">{ "No lines match." }</li> }
                </ol>
            }
            <form class="inline-form" id="form-create-log-group" onsubmit={oncreate}>
                <input ref={new_group} aria-label="Log group name" class="mono" id="new-log-group" />
                <button class="btn btn-small" type="submit">{ "Create log group" }</button>
            </form>
            { outcome_line(props.outcome.as_deref(), Origin::Logs) }
        </section>
    }
}
