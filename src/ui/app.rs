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
use super::efs::EfsPanel;
use super::embed;
use super::event_log::EventLog;
use super::inspector::Inspector;
use super::learn::LearnPanel;
use super::load_balancing::LoadBalancingPanel;
use super::map::ClusterMap;
use super::model::editor::EXAMPLE_TASK_DEFINITION;
use super::model::embed as embed_model;
use super::model::map::Hit;
use super::model::map_paint::service_colour;
use super::model::session::Session;
use super::model::share;
use super::roles::{LogViewer, RolesPanel};
use super::secrets::SecretsPanel;
use super::services::ServicesPanel;
use super::session_io::{self, ImportButton};
use super::state::{Action, Origin, Speed, UiState};
use super::storage;
use super::time_controls::TimeControls;
use crate::engine::time::{format_clock, SimTime};
use crate::scenario::{Scenario, Step};

/// The state a visitor starts in: the last autosave, else the default scenario; with the
/// session set aside before, if one is kept.
fn initial_state() -> UiState {
    // A first visit: nothing saved (a save that cannot be read says so instead).
    let saved = storage::load();
    let first_visit = matches!(saved, Ok(None));
    let mut state = autosaved_state(saved);
    state.set_aside = storage::load_set_aside().map(Rc::new);
    let fragment = session_io::fragment();
    if share::is_link(&fragment) {
        return state.open_link(&fragment);
    }
    if first_visit && state.set_aside.is_none() {
        state.notice = Some(FIRST_RUN_HINT.into());
    }
    state
}

/// What the header says on a first visit.
pub const FIRST_RUN_HINT: &str = "New here? Press ▶ Play (or Space) to watch the instances boot and the service place its tasks, Steady » to jump to the end, then click a task on the map to see why it went there.";

fn autosaved_state(saved: Result<Option<super::model::saved::Saved>, String>) -> UiState {
    match saved {
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

/// Whether the panels stack in one column (the stylesheet's narrowest layout).
fn narrow_screen() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(max-width: 700px)").ok().flatten())
        .is_some_and(|m| m.matches())
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

/// Keyboard shortcuts, unless the key belongs to what has the focus: every key of a field
/// (typing), and Space and Enter of a button, link, `<summary>`, radio or the cluster map (they
/// press it). A shortcut never steals a key from a focused control.
fn shortcut(e: &web_sys::KeyboardEvent) -> Option<Action> {
    let focused = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    let typing = focused.as_ref().is_some_and(|el| {
        matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
            || el.has_attribute("contenteditable")
    });
    let pressable = focused.as_ref().is_some_and(|el| {
        matches!(
            el.tag_name().as_str(),
            "BUTTON" | "A" | "SUMMARY" | "CANVAS"
        ) || el.has_attribute("role")
            || el.has_attribute("tabindex")
    });
    if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
        return None;
    }
    if pressable && matches!(e.key().as_str(), " " | "Enter") {
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

/// While playing, the time reached is saved once per this much simulated time at 1x (scaled
/// by the speed, so about once a second of wall-clock time).
pub const AUTOSAVE_PLAYING_MS: u64 = 1_000;

#[function_component(App)]
pub fn app() -> Html {
    // `?embed=1`: a bare player, driven by the page that embeds it (README, "Embed mode").
    let options = use_memo((), |_| embed_model::options(&embed::query()));
    let state = {
        let options = options.clone();
        use_reducer_eq(move || {
            if options.embed {
                embed::initial(&options)
            } else {
                initial_state()
            }
        })
    };
    let embedded = options.embed;
    use_embed_link(&state, &options);
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
    // A share link pasted into the address of an open page changes only its fragment.
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|window| {
                EventListener::new(&window, "hashchange", move |_| {
                    let fragment = session_io::fragment();
                    if share::is_link(&fragment) {
                        dispatcher.dispatch(Action::OpenLink(fragment));
                    }
                })
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
            // While playing, the time reached is saved at most every few wall-clock seconds'
            // worth of frames (each simulated AUTOSAVE_PLAYING_MS), so a reload comes back
            // close to where it was.
            if state.playing {
                state.now() / AUTOSAVE_PLAYING_MS.saturating_mul(u64::from(state.speed.factor()))
            } else {
                state.now()
            },
            state.playing,
        );
        let state = state.clone();
        // A player keeps nothing: the visitor's own session stays as they left it.
        use_effect_with(key, move |_| {
            if !embedded {
                storage::save(&state.saved())
            }
        });
    }
    {
        let set_aside = state.set_aside.clone();
        use_effect_with(set_aside, move |set_aside| {
            if !embedded {
                storage::save_set_aside(set_aside.as_deref())
            }
        });
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
        Callback::from(move |hit: Option<Hit>| {
            let selected = hit.is_some();
            d.dispatch(Action::Select(hit));
            // On a narrow screen the panels stack and the inspector is far below the map: go
            // to it, or the click seems to do nothing.
            if selected && narrow_screen() {
                if let Some(panel) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.get_element_by_id("panel-inspector"))
                {
                    panel.scroll_into_view();
                }
            }
        })
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
    let batch = |origin: Origin| {
        let d = state.dispatcher();
        Callback::from(move |batch: Vec<(String, Value)>| {
            d.dispatch(Action::Requests { origin, batch })
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

    let onshare = {
        let (d, state) = (state.dispatcher(), state.clone());
        Callback::from(move |_: MouseEvent| match share::encode(&state.saved()) {
            Ok(fragment) => {
                let link = session_io::link_to(&fragment);
                let d = d.clone();
                let copied = link.clone();
                session_io::copy(
                    &link,
                    Callback::from(move |ok: bool| {
                        d.dispatch(Action::Shared {
                            link: Ok(copied.clone()),
                            copied: ok,
                        })
                    }),
                );
            }
            Err(why) => d.dispatch(Action::Shared {
                link: Err(why.to_string()),
                copied: false,
            }),
        })
    };
    let onexport = {
        let sim = state.sim.clone();
        Callback::from(move |_: MouseEvent| {
            let text = share::scenario_file(&sim.borrow());
            session_io::download("ecsplay-scenario.json", "application/json", &text);
        })
    };
    let onexportlog = {
        let sim = state.sim.clone();
        Callback::from(move |_: MouseEvent| {
            let text = share::log_lines(sim.borrow().world());
            session_io::download("ecsplay-log.jsonl", "application/x-ndjson", &text);
        })
    };
    let onfile = {
        let d = state.dispatcher();
        Callback::from(move |(name, text): (String, Result<String, String>)| {
            d.dispatch(Action::Import(name, text))
        })
    };
    let drop_readers = use_mut_ref(Vec::new);
    let ondrop = {
        let (readers, onfile) = (drop_readers.clone(), onfile.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            session_io::read_first(
                e.data_transfer().and_then(|d| d.files()),
                &readers,
                onfile.clone(),
            );
        })
    };
    // A file may be dropped anywhere on the page.
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let onstartcard = {
        let d = state.dispatcher();
        Callback::from(move |(card, answer): (usize, usize)| {
            d.dispatch(Action::StartCard(card, answer))
        })
    };
    let onmapcluster = {
        let d = state.dispatcher();
        Callback::from(move |e: Event| {
            d.dispatch(Action::ShowCluster(
                e.target_unchecked_into::<web_sys::HtmlSelectElement>()
                    .value(),
            ))
        })
    };

    if embedded {
        return embed_view(&state, &options, &map_cluster_for(&state), onselect);
    }
    let session = state.sim.borrow();
    let world = session.world();
    let revisions = super::model::forms::revisions(world, false);
    let scenario_name = session.scenario().name.clone();
    let description = session.scenario().description.clone();
    let steps: Vec<Step> = session.scenario().steps.clone();
    let now = session.now();
    let service_names = super::model::charts::service_labels(world);
    let has_target_groups = !world.elb.target_groups.is_empty();
    let has_spot = (world.ecs.clusters.values()).any(|c| {
        c.capacity_providers
            .iter()
            .any(|p| p == crate::ecs::read::FARGATE_SPOT)
    });
    // Clusters with something to show; with more than one, the map shows one at a time.
    let map_clusters = map_clusters(world);
    drop(session);
    let map_cluster = map_cluster_for(&state);
    let moment = card_moment(&state);

    html! {
        <div class={classes!("app", reduced_motion.then_some("reduced-motion"))} id="ecsplay-app" {ondrop} {ondragover}>
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
            if let Some(saved) = &state.set_aside {
                <div class="set-aside" id="set-aside">
                    <span>{ format!("Set aside: {} with {} of your requests.", saved.scenario.name, saved.user_requests) }</span>
                    <button class="btn btn-small" id="btn-restore" onclick={dispatch(|| Action::RestoreSetAside).reform(|_: MouseEvent| ())}>{ "Restore" }</button>
                    <button class="btn btn-small" id="btn-dismiss-set-aside" onclick={dispatch(|| Action::DismissSetAside).reform(|_: MouseEvent| ())}>{ "Forget it" }</button>
                </div>
            }
            <div class="session-bar" role="group" aria-label="This session">
                <button class="btn btn-small" id="btn-share" onclick={onshare} title="Copy a link that opens this session as it is now: the scenario, your requests, the time reached">{ "Share link" }</button>
                <button class="btn btn-small" id="btn-export" onclick={onexport} title="Download the session as a scenario file, your requests as steps: ecsplay run replays it">{ "Export scenario" }</button>
                <button class="btn btn-small" id="btn-export-log" onclick={onexportlog} title="Download the event log as JSON lines, as ecsplay run prints it">{ "Export log" }</button>
                <ImportButton {onfile} />
                if let Some(link) = &state.share_link {
                    <input class="share-link mono" id="share-link" readonly=true value={link.to_string()} aria-label="Share link" />
                }
            </div>
            <p class="scenario-description">
                <strong class="scenario-name" id="scenario-name">{ scenario_name }</strong>
                if let Some(description) = description { { format!(" — {description}") } }
            </p>
            <main class="workspace">
                <div class="column column-left">
                    <TaskDefinitionEditor text={AttrValue::from(state.editor.clone())} {revisions} outcome={state.outcome.clone()} {onedit} {onregister} {onopen} />
                    <CapacityPanel sim={state.sim.clone()} outcome={state.outcome.clone()} fargate_enabled={state.fargate_enabled} onrequest={request(Origin::Capacity)} onbatch={batch(Origin::Capacity)} {onfargate} />
                    <ServicesPanel sim={state.sim.clone()} outcome={state.outcome.clone()} fargate_enabled={state.fargate_enabled} onrequest={request(Origin::Services)} onbatch={batch(Origin::Services)} />
                    <LoadBalancingPanel sim={state.sim.clone()} outcome={state.outcome.clone()} onrequest={request(Origin::LoadBalancing)} onbatch={batch(Origin::LoadBalancing)} />
                    <RolesPanel sim={state.sim.clone()} outcome={state.outcome.clone()} onrequest={request(Origin::Roles)} onbatch={batch(Origin::Roles)} />
                    <SecretsPanel sim={state.sim.clone()} outcome={state.outcome.clone()} onrequest={request(Origin::Secrets)} onbatch={batch(Origin::Secrets)} />
                    <EfsPanel sim={state.sim.clone()} outcome={state.outcome.clone()} onrequest={request(Origin::Efs)} />
                </div>
                <div class="column column-center">
                    <section class="panel panel-wide" id="panel-cluster-map" aria-labelledby="panel-cluster-map-title">
                        <div class="map-head">
                            <h2 id="panel-cluster-map-title">{ match &map_cluster {
                                Some(c) => format!("Cluster map: {c}"),
                                None if map_clusters.len() > 1 => "Cluster map: every cluster".to_string(),
                                None => "Cluster map".to_string(),
                            } }</h2>
                            if map_clusters.len() > 1 {
                                <label class="map-cluster">{ "Cluster " }
                                    <select id="map-cluster" onchange={onmapcluster}>
                                        { for map_clusters.iter().map(|c| html! { <option value={c.clone()} selected={map_cluster.as_deref() == Some(c.as_str())}>{ c.clone() }</option> }) }
                                        <option value="*" selected={map_cluster.is_none()}>{ "All clusters" }</option>
                                    </select>
                                </label>
                            }
                        </div>
                        <ClusterMap sim={state.sim.clone()} cluster={map_cluster.clone()} selection={state.selection.clone()} reduced_motion={*reduced_motion} onselect={onselect.clone()} />
                        <MapLegend services={service_names} targets={has_target_groups} spot={has_spot} />
                    </section>
                    <Charts sim={state.sim.clone()} moment={moment} />
                    <LogViewer sim={state.sim.clone()} outcome={state.outcome.clone()} onrequest={request(Origin::Logs)} />
                </div>
                <div class="column column-right">
                    <LearnPanel sim={state.sim.clone()} active={state.card} onstart={onstartcard} />
                    <Inspector sim={state.sim.clone()} selection={state.selection.clone()} onselect={onselect} onrequest={request(Origin::Inspector)} />
                    <EventLog sim={state.sim.clone()} moment={moment} />
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
    /// Whether a load balancer target group exists (its targets' health marks the chips).
    targets: bool,
    /// Whether a cluster has FARGATE_SPOT (its tasks are marked).
    spot: bool,
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
            if props.targets {
                <span class="target-key healthy">{ "target healthy" }</span>
                <span class="target-key unhealthy">{ "target unhealthy" }</span>
                <span class="target-key checking">{ "target initial or draining" }</span>
                <span class="flow-key">{ "load balancer lane, flows as wide as requests a second" }</span>
                <span class="cpu-key">{ "bar under a chip: CPU used of its limit" }</span>
            }
            if props.spot { <span class="spot-key">{ "Fargate Spot task (dark corner)" }</span> }
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
            <h2 id="panel-timeline-title">{ format!("Scenario timeline ({} {})", props.steps.len(), if props.steps.len() == 1 { "step" } else { "steps" }) }</h2>
            <ol class="timeline">
                { for props.steps.iter().map(|step| html! {
                    <li class={classes!((step.at <= props.now).then_some("done"))}>
                        <span class="at mono">{ format!("T+{}", format_clock(step.at)) }</span>
                        <code class="action">{ step.action.clone() }</code>
                    </li>
                }) }
            </ol>
        </section>
    }
}

/// The clusters with something to show (instances, services or tasks); with more than one,
/// the map shows one at a time.
/// The moment that shows the running card's answer, once the simulation has reached it.
fn card_moment(state: &UiState) -> Option<SimTime> {
    let (index, _) = state.card?;
    let card = super::model::cards::card(index)?;
    super::model::cards::revealed_at(&card, state.sim.borrow().world())
}

fn map_clusters(world: &crate::world::World) -> Vec<String> {
    world
        .ecs
        .clusters
        .values()
        .filter(|c| {
            c.active && (!c.instances.is_empty() || !c.services.is_empty() || !c.tasks.is_empty())
        })
        .map(|c| c.name.clone())
        .collect()
}

/// The cluster the map shows (None for all): the one picked, else the first when there are
/// several.
fn map_cluster_for(state: &UiState) -> Option<String> {
    let clusters = map_clusters(state.sim.borrow().world());
    match state.map_cluster.as_deref() {
        _ if clusters.len() < 2 => None,
        Some("*") => None,
        Some(c) if clusters.iter().any(|m| m == c) => Some(c.to_string()),
        _ => clusters.first().cloned(),
    }
}

/// A player's link with the page that embeds it: its messages in, and `ready`, a `tick` each
/// time the clock moves, an `event` for each new log record and an `error` for each refused
/// request out. Nothing runs outside embed mode.
#[hook]
fn use_embed_link(state: &UseReducerHandle<UiState>, options: &embed_model::EmbedOptions) {
    let origin: Rc<str> = if options.embed {
        embed::peer_origin(options).into()
    } else {
        "".into()
    };
    {
        let (origin, dispatcher, embedded) = (origin.clone(), state.dispatcher(), options.embed);
        use_effect_with((), move |_| {
            let listener = embedded
                .then(|| embed::listen(origin.clone(), dispatcher))
                .flatten();
            if embedded {
                embed::post(
                    &origin,
                    &embed_model::message(
                        "ready",
                        serde_json::json!({ "protocol": embed_model::PROTOCOL_VERSION }),
                    ),
                );
            }
            move || drop(listener)
        });
    }
    {
        let (origin, embedded) = (origin.clone(), options.embed);
        use_effect_with(state.now(), move |now| {
            if embedded {
                embed::post(
                    &origin,
                    &embed_model::message("tick", serde_json::json!({ "timeMs": now })),
                );
            }
        });
    }
    {
        // Records are numbered from the start of the run; the player sends each once, at most
        // EMBED_EVENTS_PER_UPDATE at a time (the oldest of a burst are said to be skipped).
        let sent = use_mut_ref(|| 0u64);
        let total = {
            let session = state.sim.borrow();
            session.world().log_dropped() + session.world().log().len() as u64
        };
        let (origin, embedded, sim) = (origin.clone(), options.embed, state.sim.clone());
        use_effect_with(total, move |total| {
            if !embedded {
                return;
            }
            let session = sim.borrow();
            let world = session.world();
            let mut next = (*sent.borrow()).max(world.log_dropped());
            if *total < next {
                next = world.log_dropped(); // a new session: from its start
            }
            let from = next.max(total.saturating_sub(EMBED_EVENTS_PER_UPDATE));
            for number in from..*total {
                let record = &world.log()[(number - world.log_dropped()) as usize];
                let line: serde_json::Value =
                    serde_json::from_str(&record.to_line(|t| world.iso(t))).unwrap_or_default();
                embed::post(
                    &origin,
                    &embed_model::message(
                        "event",
                        serde_json::json!({ "number": number, "record": line }),
                    ),
                );
            }
            *sent.borrow_mut() = *total;
        });
    }
    {
        let (origin, embedded) = (origin, options.embed);
        use_effect_with(state.outcome.clone(), move |outcome| {
            let refused = outcome
                .as_deref()
                .filter(|o| o.origin == Origin::Embed)
                .and_then(|o| {
                    o.result
                        .as_ref()
                        .err()
                        .map(|e| (o.action.clone(), e.to_string()))
                });
            if let (true, Some((action, error))) = (embedded, refused) {
                embed::post(
                    &origin,
                    &embed_model::message(
                        "error",
                        serde_json::json!({ "message": format!("{action} refused: {error}") }),
                    ),
                );
            }
        });
    }
}

/// New log records sent to the embedding page per update, at most.
pub const EMBED_EVENTS_PER_UPDATE: u64 = 200;

/// The bare player: the scenario's title, a compact time bar, the map and the charts (as the
/// address's `panels` asks), and a link that opens the session in the full playground.
fn embed_view(
    state: &UseReducerHandle<UiState>,
    options: &embed_model::EmbedOptions,
    map_cluster: &Option<String>,
    onselect: Callback<Option<Hit>>,
) -> Html {
    let d = state.dispatcher();
    let emit = |action: fn() -> Action| {
        let d = d.clone();
        Callback::from(move |_: ()| d.dispatch(action()))
    };
    let onspeed = {
        let d = d.clone();
        Callback::from(move |speed: Speed| d.dispatch(Action::SetSpeed(speed)))
    };
    let onopen = {
        let state = state.clone();
        Callback::from(move |e: MouseEvent| {
            // The link is made when followed: deflating the session on every frame would cost.
            let anchor: web_sys::HtmlAnchorElement = e.target_unchecked_into();
            let base = web_sys::window()
                .and_then(|w| w.location().pathname().ok())
                .unwrap_or_default();
            match share::encode(&state.saved()) {
                Ok(fragment) => anchor.set_href(&format!("{base}#{fragment}")),
                Err(_) => anchor.set_href(&base),
            }
        })
    };
    let oncard = {
        let d = d.clone();
        Callback::from(move |(card, answer): (usize, usize)| {
            d.dispatch(Action::StartCard(card, answer))
        })
    };
    let name = state.sim.borrow().scenario().name.clone();
    let now = state.now();
    let theme = match options.theme {
        embed_model::Theme::System => None,
        embed_model::Theme::Light => Some("theme-light"),
        embed_model::Theme::Dark => Some("theme-dark"),
    };
    html! {
        <div class={classes!("app", "embed", theme)} id="ecsplay-app">
            <header class="embed-bar">
                <strong class="embed-title" id="scenario-name">{ name }</strong>
                <TimeControls
                    sim_time_ms={now}
                    playing={state.playing}
                    speed={state.speed}
                    onplay={emit(|| Action::Play)}
                    onpause={emit(|| Action::Pause)}
                    onstep={emit(|| Action::Step)}
                    onfastforward={emit(|| Action::FastForward)}
                    onreset={emit(|| Action::Reset)}
                    {onspeed}
                />
                <a class="embed-open" id="embed-open" href="./" target="_blank" rel="noopener" onclick={onopen}>{ "Open in ecsplay ↗" }</a>
            </header>
            if let Some(notice) = &state.notice { <div class="notice" role="status" id="notice">{ notice.clone() }</div> }
            <main class="embed-panels">
                if options.panels.contains(&embed_model::Panel::Map) {
                    <section class="panel panel-wide" id="panel-cluster-map" aria-label="Cluster map">
                        <ClusterMap sim={state.sim.clone()} cluster={map_cluster.clone()} selection={state.selection.clone()} reduced_motion={false} {onselect} />
                    </section>
                }
                // A card goes first in the side column, where it is seen without scrolling.
                <div class="embed-side">
                    if let Some(card) = options.card {
                        <LearnPanel sim={state.sim.clone()} active={state.card} onstart={oncard} fixed={card} remember={false} />
                    }
                    if options.panels.contains(&embed_model::Panel::Charts) {
                        <Charts sim={state.sim.clone()} moment={card_moment(state)} />
                    }
                </div>
            </main>
        </div>
    }
}
