//! The playground: the header (scenario picker, time controls, clock), the panels, and the
//! effects that drive them: the animation-frame loop while playing, keyboard shortcuts, and
//! autosave (style rule 11: each is a handle stored and dropped to cancel).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use gloo::render::{request_animation_frame, AnimationFrame};
use serde_json::Value;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::capacity::CapacityPanel;
use super::charts::Charts;
use super::editor::TaskDefinitionEditor;
use super::event_log::EventLog;
use super::inspector::Inspector;
use super::map::ClusterMap;
use super::model::editor::EXAMPLE_TASK_DEFINITION;
use super::model::map::Hit;
use super::model::map_paint::service_colour;
use super::model::session::Session;
use super::services::ServicesPanel;
use super::state::{Action, Origin, Speed, UiState};
use super::storage;
use super::time_controls::TimeControls;
use crate::engine::time::format_duration;
use crate::scenario::{Scenario, Step};

/// The state a visitor starts in: the last autosave, else the default scenario.
fn initial_state() -> UiState {
    match storage::load() {
        Ok(Some(saved)) => UiState::from_saved(saved),
        Ok(None) => UiState::new(
            Session::new(Scenario::default_scenario()),
            Some("default".into()),
            EXAMPLE_TASK_DEFINITION.into(),
        ),
        Err(why) => {
            let mut state = UiState::new(
                Session::new(Scenario::default_scenario()),
                Some("default".into()),
                EXAMPLE_TASK_DEFINITION.into(),
            );
            state.notice = Some(format!(
                "The saved session could not be read ({why}); started the default scenario."
            ));
            state
        }
    }
}

fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

/// Drives the simulation while playing: one `Tick` per animation frame with the wall time since
/// the last. Dropping the returned handle's frame stops it.
fn start_frames(dispatcher: UseReducerDispatcher<UiState>) -> Rc<RefCell<Option<AnimationFrame>>> {
    fn schedule(
        handle: Rc<RefCell<Option<AnimationFrame>>>,
        last: Rc<Cell<Option<f64>>>,
        dispatcher: UseReducerDispatcher<UiState>,
    ) {
        let next = handle.clone();
        let frame = request_animation_frame(move |time_ms| {
            if let Some(previous) = last.replace(Some(time_ms)) {
                dispatcher.dispatch(Action::Tick(time_ms - previous));
            }
            schedule(next, last, dispatcher);
        });
        *handle.borrow_mut() = Some(frame);
    }
    let handle = Rc::new(RefCell::new(None));
    schedule(handle.clone(), Rc::new(Cell::new(None)), dispatcher);
    handle
}

/// Keyboard shortcuts, unless the user is typing in a field.
fn shortcut(e: &web_sys::KeyboardEvent) -> Option<Action> {
    let typing = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || el.has_attribute("contenteditable")
        });
    if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
        return None;
    }
    Some(match e.key().as_str() {
        " " | "k" => Action::TogglePlay,
        "n" | "." => Action::Step,
        "f" => Action::FastForward,
        "r" => Action::Reset,
        "1" => Action::SetSpeed(Speed::X1),
        "2" => Action::SetSpeed(Speed::X10),
        "3" => Action::SetSpeed(Speed::X100),
        "4" => Action::SetSpeed(Speed::X1000),
        "Escape" => Action::Select(None),
        _ => return None,
    })
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer_eq(initial_state);
    let reduced_motion = use_memo((), |_| prefers_reduced_motion());
    // Parsed once: the header renders on every frame while playing.
    let preset_names = use_memo((), |_| crate::scenario::presets::names());

    // The frame loop runs while playing; the effect's cleanup drops the pending frame.
    {
        let dispatcher = state.dispatcher();
        use_effect_with(state.playing, move |playing| {
            let handle = playing.then(|| start_frames(dispatcher));
            move || {
                if let Some(handle) = handle {
                    handle.borrow_mut().take();
                }
            }
        });
    }
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|window| {
                // Not passive: a shortcut's key (Space) must not also scroll the page.
                EventListener::new_with_options(
                    &window,
                    "keydown",
                    EventListenerOptions::enable_prevent_default(),
                    move |event| {
                        if let Some(e) = event.dyn_ref::<web_sys::KeyboardEvent>() {
                            if let Some(action) = shortcut(e) {
                                e.prevent_default();
                                dispatcher.dispatch(action);
                            }
                        }
                    },
                )
            });
            move || drop(listener)
        });
    }
    // Autosave when what would be lost changes: the requests made, the text typed, the preset,
    // and the time reached whenever the simulation stops.
    {
        let key = (
            state.sim.borrow().scenario().steps.len(),
            state.editor.clone(),
            state.preset.clone(),
            if state.playing { u64::MAX } else { state.now() },
        );
        let state = state.clone();
        use_effect_with(key, move |_| storage::save(&state.saved()));
    }

    let dispatch = |make: fn() -> Action| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: ()| dispatcher.dispatch(make()))
    };
    let onspeed = {
        let d = state.dispatcher();
        Callback::from(move |speed: Speed| d.dispatch(Action::SetSpeed(speed)))
    };
    let onselect = {
        let d = state.dispatcher();
        Callback::from(move |hit: Option<Hit>| d.dispatch(Action::Select(hit)))
    };
    let request = |origin: Origin| {
        let d = state.dispatcher();
        Callback::from(move |(action, input): (String, Value)| {
            d.dispatch(Action::Request {
                origin,
                action,
                input,
            })
        })
    };
    let onedit = {
        let d = state.dispatcher();
        Callback::from(move |text: String| d.dispatch(Action::EditText(text)))
    };
    let onregister = {
        let d = state.dispatcher();
        Callback::from(move |input: Value| {
            d.dispatch(Action::Request {
                origin: Origin::Editor,
                action: "ecs:RegisterTaskDefinition".into(),
                input,
            })
        })
    };
    let onopen = {
        let (d, sim) = (state.dispatcher(), state.sim.clone());
        Callback::from(move |key: String| {
            let Some((family, revision)) = key.rsplit_once(':') else {
                return;
            };
            let output = sim
                .borrow()
                .world()
                .describe_task_definition_output(family, revision.parse().unwrap_or(0));
            if let Some(output) = output {
                d.dispatch(Action::EditText(
                    serde_json::to_string_pretty(&output).unwrap_or_default(),
                ));
            }
        })
    };
    let onfargate = {
        let d = state.dispatcher();
        Callback::from(move |on: bool| d.dispatch(Action::EnableFargate(on)))
    };
    let onpreset = {
        let d = state.dispatcher();
        Callback::from(move |e: Event| {
            d.dispatch(Action::Load(
                e.target_unchecked_into::<web_sys::HtmlSelectElement>()
                    .value(),
            ))
        })
    };

    let session = state.sim.borrow();
    let world = session.world();
    let revisions = super::model::forms::revisions(world, false);
    let scenario_name = session.scenario().name.clone();
    let description = session.scenario().description.clone();
    let steps: Vec<Step> = session.scenario().steps.clone();
    let now = session.now();
    let service_names: Vec<String> = world.ecs.services.iter().map(|s| s.name.clone()).collect();
    drop(session);

    html! {
        <div class={classes!("app", reduced_motion.then_some("reduced-motion"))} id="ecsplay-app">
            <header class="topbar">
                <div class="brand">
                    <span class="logo" aria-hidden="true">{ "◆" }</span>
                    <h1>{ "ecsplay" }</h1>
                    <span class="tagline">{ "Amazon ECS playground" }</span>
                </div>
                <label class="picker">
                    <span class="visually-hidden">{ "Scenario" }</span>
                    <select id="scenario-picker" onchange={onpreset} aria-label="Scenario">
                        if state.preset.is_none() { <option selected=true value="">{ "(your scenario)" }</option> }
                        { for preset_names.iter().map(|(id, name)| html! {
                            <option value={*id} selected={state.preset.as_deref() == Some(*id)}>{ name.clone() }</option>
                        }) }
                    </select>
                </label>
                <TimeControls
                    sim_time_ms={now}
                    playing={state.playing}
                    speed={state.speed}
                    onplay={dispatch(|| Action::Play)}
                    onpause={dispatch(|| Action::Pause)}
                    onstep={dispatch(|| Action::Step)}
                    onfastforward={dispatch(|| Action::FastForward)}
                    onreset={dispatch(|| Action::Reset)}
                    {onspeed}
                />
            </header>
            if let Some(notice) = &state.notice { <div class="notice" role="status" id="notice">{ notice.clone() }</div> }
            <p class="scenario-description">
                <strong class="scenario-name" id="scenario-name">{ scenario_name }</strong>
                if let Some(description) = description { { format!(" — {description}") } }
            </p>
            <main class="workspace">
                <div class="column column-left">
                    <TaskDefinitionEditor text={AttrValue::from(state.editor.to_string())} {revisions} outcome={state.outcome.clone()} {onedit} {onregister} {onopen} />
                    <CapacityPanel sim={state.sim.clone()} outcome={state.outcome.clone()} fargate_enabled={state.fargate_enabled} onrequest={request(Origin::Capacity)} {onfargate} />
                    <ServicesPanel sim={state.sim.clone()} outcome={state.outcome.clone()} fargate_enabled={state.fargate_enabled} onrequest={request(Origin::Services)} />
                </div>
                <div class="column column-center">
                    <section class="panel panel-wide" id="panel-cluster-map" aria-labelledby="panel-cluster-map-title">
                        <h2 id="panel-cluster-map-title">{ "Cluster map" }</h2>
                        <ClusterMap sim={state.sim.clone()} selection={state.selection.clone()} reduced_motion={*reduced_motion} onselect={onselect.clone()} />
                        <MapLegend services={service_names} />
                    </section>
                    <Charts sim={state.sim.clone()} />
                </div>
                <div class="column column-right">
                    <Inspector sim={state.sim.clone()} selection={state.selection.clone()} onselect={onselect} onrequest={request(Origin::Inspector)} />
                    <EventLog sim={state.sim.clone()} />
                    <Timeline {steps} now={now} />
                </div>
            </main>
            <footer class="footer">
                { format!("Keys: Space play/pause · N step · F fast forward · R reset · 1-4 speed · Esc clear selection. Autosave: {}.", storage::backend()) }
            </footer>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct MapLegendProps {
    services: Vec<String>,
}

#[function_component(MapLegend)]
fn map_legend(props: &MapLegendProps) -> Html {
    html! {
        <div class="legend" id="map-legend">
            <span class="chip-key running">{ "running" }</span>
            <span class="chip-key pending">{ "pending" }</span>
            <span class="chip-key unhealthy">{ "unhealthy" }</span>
            <span class="chip-key stopping">{ "stopping" }</span>
            <span class="chip-key stopped">{ "stopped" }</span>
            { for props.services.iter().enumerate().map(|(n, name)| html! {
                <span class="key" style={format!("--c:{}", service_colour(Some(n)))}>{ format!("service {name}") }</span>
            }) }
            <span class="key" style={format!("--c:{}", service_colour(None))}>{ "standalone task" }</span>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct TimelineProps {
    steps: Vec<Step>,
    now: u64,
}

/// The scenario's steps in order, the ones already performed marked done.
#[function_component(Timeline)]
fn timeline(props: &TimelineProps) -> Html {
    html! {
        <section class="panel" id="panel-timeline" aria-labelledby="panel-timeline-title">
            <h2 id="panel-timeline-title">{ format!("Scenario timeline ({} steps)", props.steps.len()) }</h2>
            <ol class="timeline">
                { for props.steps.iter().map(|step| html! {
                    <li class={classes!((step.at <= props.now).then_some("done"))}>
                        <span class="at">{ format!("+{}", format_duration(step.at)) }</span>
                        <code class="action">{ step.action.clone() }</code>
                    </li>
                }) }
            </ol>
        </section>
    }
}
