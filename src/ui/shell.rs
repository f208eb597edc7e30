//! The app shell: header with the scenario name and the time controls, and the panels of
//! design.md section 6. Panels whose feature has not arrived yet say what will appear there.

use yew::prelude::*;

use super::state::{Action, Speed, UiState};
use crate::engine::time::{format_clock, format_duration};
use crate::scenario::{Scenario, Step};

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer_eq(|| UiState::new(Scenario::default_scenario()));
    let dispatch = |action: Action| {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(action.clone()))
    };
    let onspeed = {
        let state = state.clone();
        Callback::from(move |speed: Speed| state.dispatch(Action::SetSpeed(speed)))
    };
    html! {
        <div class="app" id="ecsplay-app">
            <header class="topbar">
                <div class="brand">
                    <span class="logo" aria-hidden="true">{ "◆" }</span>
                    <h1>{ "ecsplay" }</h1>
                    <span class="tagline">{ "Amazon ECS playground" }</span>
                </div>
                <div class="scenario-name" id="scenario-name" title="Scenario">
                    { state.scenario.name.clone() }
                </div>
                <TimeControls
                    sim_time_ms={state.sim_time_ms}
                    playing={state.playing}
                    speed={state.speed}
                    onplay={dispatch(Action::Play)}
                    onpause={dispatch(Action::Pause)}
                    onreset={dispatch(Action::Reset)}
                    {onspeed}
                />
            </header>
            <main class="workspace">
                <div class="column column-left">
                    <Placeholder id="panel-task-definition" title="Task definition">
                        { "The task-definition editor: paste a RegisterTaskDefinition request or the output of \
                           aws ecs describe-task-definition, see each error at its line, column and field path, \
                           and register new revisions." }
                    </Placeholder>
                    <Placeholder id="panel-capacity" title="Capacity">
                        { "Add EC2 instances by type, count and Availability Zone, drain or terminate them, set \
                           custom attributes, and enable Fargate." }
                    </Placeholder>
                    <Placeholder id="panel-services" title="Services and tasks">
                        { "Create services (placement strategies, constraints, deployment configuration), change \
                           the desired count, deploy a new revision, run and stop standalone tasks." }
                    </Placeholder>
                </div>
                <div class="column column-center">
                    <Placeholder id="panel-cluster-map" title="Cluster map" wide=true>
                        { "Availability Zones as columns, container instances as boxes with CPU and memory in \
                           use, tasks as chips coloured by lifecycle state; Fargate tasks in their own lane." }
                    </Placeholder>
                    <Placeholder id="panel-charts" title="Charts">
                        { "Desired, running and pending tasks per service over time, with deployments marked; \
                           cluster CPU and memory reservation." }
                    </Placeholder>
                </div>
                <div class="column column-right">
                    <Placeholder id="panel-inspector" title="Inspector">
                        { "Select a task or an instance to see its details and the placement why-trace: each \
                           instance and the check that rejected it, or its strategy scores." }
                    </Placeholder>
                    <Timeline steps={state.scenario.steps.clone()} />
                    <section class="panel" id="panel-event-log" aria-labelledby="panel-event-log-title">
                        <h2 id="panel-event-log-title">{ "Event log" }</h2>
                        <div class="event-log" role="log" aria-live="polite">
                            <p class="placeholder">
                                { "Service events, task state changes and API errors appear here, newest first, \
                                   as the simulation runs." }
                            </p>
                        </div>
                    </section>
                </div>
            </main>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct TimeControlsProps {
    sim_time_ms: u64,
    playing: bool,
    speed: Speed,
    onplay: Callback<MouseEvent>,
    onpause: Callback<MouseEvent>,
    onreset: Callback<MouseEvent>,
    onspeed: Callback<Speed>,
}

#[function_component(TimeControls)]
fn time_controls(props: &TimeControlsProps) -> Html {
    let play_pause = if props.playing {
        html! { <button class="btn" id="btn-pause" onclick={props.onpause.clone()} aria-label="Pause">{ "❚❚ Pause" }</button> }
    } else {
        html! { <button class="btn btn-primary" id="btn-play" onclick={props.onplay.clone()} aria-label="Play">{ "▶ Play" }</button> }
    };
    html! {
        <div class="time-controls" role="group" aria-label="Time controls">
            { play_pause }
            <button class="btn" id="btn-reset" onclick={props.onreset.clone()} aria-label="Reset to start">{ "⟲ Reset" }</button>
            <div class="speeds" role="radiogroup" aria-label="Speed">
                { for Speed::ALL.iter().map(|&speed| {
                    let onspeed = props.onspeed.clone();
                    let checked = speed == props.speed;
                    html! {
                        <button
                            class={classes!("btn", "btn-speed", checked.then_some("selected"))}
                            role="radio"
                            aria-checked={checked.to_string()}
                            onclick={Callback::from(move |_| onspeed.emit(speed))}
                        >{ speed.label() }</button>
                    }
                }) }
            </div>
            <output class="clock" id="sim-clock" aria-label="Simulation time">
                { format!("T+{}", format_clock(props.sim_time_ms)) }
            </output>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct PlaceholderProps {
    id: AttrValue,
    title: AttrValue,
    #[prop_or_default]
    wide: bool,
    children: Html,
}

#[function_component(Placeholder)]
fn placeholder(props: &PlaceholderProps) -> Html {
    let title_id = format!("{}-title", props.id);
    html! {
        <section class={classes!("panel", props.wide.then_some("panel-wide"))} id={props.id.clone()} aria-labelledby={title_id.clone()}>
            <h2 id={title_id}>{ props.title.clone() }</h2>
            <p class="placeholder">{ props.children.clone() }</p>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct TimelineProps {
    steps: Vec<Step>,
}

/// The scenario's steps, in order: what will happen, and when.
#[function_component(Timeline)]
fn timeline(props: &TimelineProps) -> Html {
    html! {
        <section class="panel" id="panel-timeline" aria-labelledby="panel-timeline-title">
            <h2 id="panel-timeline-title">{ format!("Scenario timeline ({} steps)", props.steps.len()) }</h2>
            <ol class="timeline">
                { for props.steps.iter().map(|step| html! {
                    <li>
                        <span class="at">{ format!("+{}", format_duration(step.at)) }</span>
                        <code class="action">{ step.action.clone() }</code>
                    </li>
                }) }
            </ol>
        </section>
    }
}
