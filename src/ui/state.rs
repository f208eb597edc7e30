//! UI state as a reducer: one `Action` per user intent, one `Reducible` impl (style rule 2). The
//! session is shared behind a `RefCell`: the reducer is the only writer, and every change bumps
//! `version`, which is what components compare to know they must redraw.

use std::cell::{Ref, RefCell};
use std::rc::Rc;

use serde_json::Value;
use yew::Reducible;

use super::model::map::Hit;
use super::model::saved::{Saved, SAVED_FORMAT};
use super::model::session::{FastForward, Session};
use crate::engine::time::SimTime;
use crate::engine::ApiError;
use crate::scenario::{presets, Scenario};

/// A wall-clock frame longer than this (a background tab, a breakpoint) is taken as this long,
/// so the world never leaps ahead unseen.
pub const FRAME_MS_MAX: f64 = 100.0;

/// How many simulated seconds pass per wall-clock second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speed {
    X1,
    X10,
    X100,
    X1000,
}

impl Speed {
    pub const ALL: [Speed; 4] = [Speed::X1, Speed::X10, Speed::X100, Speed::X1000];

    pub fn factor(self) -> u32 {
        match self {
            Speed::X1 => 1,
            Speed::X10 => 10,
            Speed::X100 => 100,
            Speed::X1000 => 1000,
        }
    }

    pub fn label(self) -> String {
        format!("{}x", self.factor())
    }

    /// The speed of a factor (1, 10, 100, 1000).
    pub fn from_factor(factor: u32) -> Option<Speed> {
        Speed::ALL.into_iter().find(|s| s.factor() == factor)
    }
}

/// The session, shared; equal when their versions are (components skip redraws on that).
#[derive(Clone)]
pub struct SimRef {
    session: Rc<RefCell<Session>>,
    pub version: u64,
}

impl PartialEq for SimRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session) && self.version == other.version
    }
}

impl SimRef {
    pub fn borrow(&self) -> Ref<'_, Session> {
        self.session.borrow()
    }
}

/// Which panel asked for a request, so its answer shows there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Editor,
    Capacity,
    Services,
    Inspector,
    LoadBalancing,
    Roles,
    Secrets,
    Efs,
    Logs,
    /// The embedding page, through `postMessage`.
    Embed,
}

/// The answer to the last request a panel made.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub origin: Origin,
    pub action: String,
    pub result: Result<Value, ApiError>,
}

#[derive(Clone, PartialEq)]
pub struct UiState {
    pub sim: SimRef,
    pub preset: Option<String>,
    pub playing: bool,
    pub speed: Speed,
    pub selection: Option<Hit>,
    pub editor: Rc<str>,
    pub outcome: Option<Rc<Outcome>>,
    /// A one-line note for the header: what fast-forward did, why a saved session was not read.
    pub notice: Option<String>,
    pub fargate_enabled: bool,
    /// The session Reset or another scenario replaced, while it had work in it (requests made,
    /// text typed): kept, in storage too, until restored, dismissed or replaced by the next.
    pub set_aside: Option<Rc<Saved>>,
    /// The cluster the map shows when there are several: None for the first, `*` for all.
    pub map_cluster: Option<String>,
    /// The last share link made, shown to copy by hand when the clipboard would not take it.
    pub share_link: Option<Rc<str>>,
    /// The scenario card being run: its index in `model::cards::CARDS` and the answer chosen.
    pub card: Option<(usize, usize)>,
}

impl UiState {
    pub fn new(session: Session, preset: Option<String>, editor: String) -> Self {
        // Offered from the start when the scenario uses Fargate: a Fargate-compatible revision,
        // or a request with the FARGATE launch type.
        let fargate_enabled = session
            .world()
            .ecs
            .task_definitions
            .values()
            .flatten()
            .any(|d| d.fargate_compatible)
            || session
                .scenario()
                .steps
                .iter()
                .any(|s| s.input["launchType"] == "FARGATE");
        UiState {
            sim: SimRef {
                session: Rc::new(RefCell::new(session)),
                version: 0,
            },
            preset,
            playing: false,
            speed: Speed::X10,
            selection: None,
            editor: editor.into(),
            outcome: None,
            notice: None,
            fargate_enabled,
            set_aside: None,
            map_cluster: None,
            share_link: None,
            card: None,
        }
    }

    /// The session as saved, if discarding it would lose work: requests made, or text in the
    /// editor other than what its scenario offers.
    pub fn work_to_set_aside(&self) -> Option<Rc<Saved>> {
        let saved = self.saved();
        let edited = saved.editor != super::model::editor::EXAMPLE_TASK_DEFINITION
            && saved.editor != editor_text_for(&self.sim.borrow());
        (saved.user_requests > 0 || edited).then(|| Rc::new(saved))
    }

    /// The session a share link holds, the current one set aside (with Restore) if it holds
    /// work; or, when the link cannot be opened, the current session untouched and why.
    pub fn open_link(self, fragment: &str) -> UiState {
        match super::model::share::decode(fragment) {
            Ok(saved) => {
                let mut opened = UiState::from_saved(saved);
                opened.sim.version = self.sim.version + 1;
                opened.set_aside = self.work_to_set_aside().or(self.set_aside.clone());
                let session = opened.sim.borrow();
                let notice = format!(
                    "Opened a shared session: {} at T+{}.{}",
                    session.scenario().name,
                    crate::engine::time::format_clock(session.now()),
                    if opened.set_aside.is_some() {
                        " Yours is set aside: Restore brings it back."
                    } else {
                        ""
                    }
                );
                drop(session);
                opened.notice = Some(notice);
                super::session_io::clear_fragment();
                opened
            }
            Err(why) => UiState {
                notice: Some(format!(
                    "This share link could not be opened: {why}. Your own session is as you left it."
                )),
                ..self
            },
        }
    }

    /// A fresh state for `session`, the current one set aside if it holds work.
    fn replaced_by(&self, session: Session, preset: Option<String>) -> UiState {
        let set_aside = self.work_to_set_aside().or_else(|| self.set_aside.clone());
        let editor = editor_text_for(&session);
        let mut fresh = UiState::new(session, preset, editor);
        fresh.sim.version = self.sim.version + 1;
        fresh.speed = self.speed;
        fresh.notice = set_aside_notice(
            set_aside.as_deref(),
            self.set_aside.as_ref() != set_aside.as_ref(),
        );
        fresh.set_aside = set_aside;
        fresh
    }

    /// The state a saved document describes.
    pub fn from_saved(saved: Saved) -> Self {
        let session = Session::restore(saved.scenario, saved.user_requests, saved.time_ms);
        UiState::new(session, saved.preset, saved.editor)
    }

    pub fn saved(&self) -> Saved {
        let session = self.sim.borrow();
        Saved {
            format: SAVED_FORMAT,
            preset: self.preset.clone(),
            scenario: session.scenario().clone(),
            user_requests: session.user_requests(),
            time_ms: session.now(),
            editor: self.editor.to_string(),
        }
    }

    pub fn now(&self) -> SimTime {
        self.sim.borrow().now()
    }

    fn changed(mut self) -> Self {
        self.sim.version += 1;
        self
    }

    fn with_session(self, change: impl FnOnce(&mut Session)) -> Self {
        change(&mut self.sim.session.borrow_mut());
        self.changed()
    }
}

pub enum Action {
    Play,
    Pause,
    TogglePlay,
    SetSpeed(Speed),
    /// A wall-clock frame of this many milliseconds passed while playing.
    Tick(f64),
    /// To the next moment something is due.
    Step,
    FastForward,
    /// Back to the scenario's start, without the user's requests.
    Reset,
    /// Open a preset scenario.
    Load(String),
    /// Open a scenario document (already checked).
    Open(Box<Scenario>),
    /// Back to the session Reset or another scenario set aside.
    RestoreSetAside,
    /// Forget the session set aside.
    DismissSetAside,
    /// Show one cluster on the map (`*` for every cluster).
    ShowCluster(String),
    /// A share link was made (or could not be), and copied to the clipboard or not.
    Shared {
        link: Result<String, String>,
        copied: bool,
    },
    /// A scenario file was read (its name, and its text or why it could not be read).
    Import(String, Result<String, String>),
    /// Say something in the header.
    Notice(String),
    /// Open the session of a share link (the address's fragment).
    OpenLink(String),
    /// Go to this simulated time (an embedding page's `seek`): forward, or from the start.
    Seek(SimTime),
    /// An embedding page's `load`: a preset's id or a share link's payload.
    EmbedLoad(String),
    /// Run a scenario card's scenario with this answer chosen (card index, answer index).
    StartCard(usize, usize),
    Request {
        origin: Origin,
        action: String,
        input: Value,
    },
    /// Requests made one after another, a later one naming an earlier answer (`${r0...}`).
    Requests {
        origin: Origin,
        batch: Vec<(String, Value)>,
    },
    Select(Option<Hit>),
    EditText(String),
    EnableFargate(bool),
}

impl Reducible for UiState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.notice = None;
        let next = match action {
            Action::Play => UiState {
                playing: true,
                ..next
            },
            Action::Pause => UiState {
                playing: false,
                ..next
            },
            Action::TogglePlay => UiState {
                playing: !next.playing,
                ..next
            },
            Action::SetSpeed(speed) => UiState { speed, ..next },
            Action::Tick(wall_ms) => {
                let sim_ms =
                    (wall_ms.clamp(0.0, FRAME_MS_MAX) * f64::from(next.speed.factor())) as SimTime;
                if sim_ms == 0 {
                    return self;
                }
                next.with_session(|s| {
                    s.advance_by(sim_ms);
                })
            }
            Action::Step => {
                let from = next.now();
                let mut to = None;
                let mut next = next.with_session(|s| to = s.step());
                next.notice = Some(step_notice(from, to));
                next
            }
            Action::FastForward => {
                // Already steady, and nothing happened in the moment looked at: say so rather
                // than "fast-forwarded 5s" (a request just made can leave it looking steady
                // until the scheduler acts, so the look decides).
                let records = |s: &UiState| {
                    let session = s.sim.borrow();
                    session.world().log_dropped() + session.world().log().len() as u64
                };
                let (was_steady, before) = (next.sim.borrow().is_steady(), records(&next));
                let mut result = None;
                let mut next = next.with_session(|s| result = Some(s.fast_forward()));
                next.playing = false;
                let quiet = was_steady && records(&next) == before;
                next.notice = result.map(|ff| {
                    if quiet && ff.steady {
                        "Already at a steady state: nothing happened in the moments looked at. Make a request, or press Play to watch time pass.".to_string()
                    } else {
                        fast_forward_notice(ff)
                    }
                });
                next
            }
            Action::Reset => {
                let set_aside = next.work_to_set_aside().filter(|s| s.user_requests > 0);
                let mut next = next.with_session(Session::reset);
                next.playing = false;
                next.selection = None;
                next.outcome = None;
                if set_aside.is_some() {
                    next.notice = set_aside_notice(set_aside.as_deref(), true);
                    next.set_aside = set_aside;
                }
                next
            }
            Action::Load(id) => match presets::preset(&id) {
                Some(scenario) => next.replaced_by(Session::new(scenario), Some(id)),
                None => next,
            },
            Action::Open(scenario) => next.replaced_by(Session::new(*scenario), None),
            Action::RestoreSetAside => match next.set_aside.take() {
                Some(saved) => {
                    let mut restored = UiState::from_saved((*saved).clone());
                    restored.sim.version = next.sim.version + 1;
                    restored.speed = next.speed;
                    restored.notice = Some("Restored the session that was set aside.".into());
                    restored
                }
                None => next,
            },
            Action::Shared { link, copied } => match link {
                Ok(link) => UiState {
                    notice: Some(if copied {
                        format!("Share link copied to the clipboard ({} characters): it opens this session as it is now.", link.len())
                    } else {
                        "Share link made: copy it from the box below (the clipboard would not take it).".to_string()
                    }),
                    share_link: Some(link.into()),
                    ..next
                },
                Err(why) => UiState {
                    notice: Some(format!("No share link: {why}")),
                    ..next
                },
            },
            Action::Import(name, text) => {
                let scenario = text
                    .map_err(|e| format!("{name}: {e}"))
                    .and_then(|text| super::model::share::read_scenario_file(&name, &text));
                match scenario {
                    Ok(scenario) => {
                        let mut fresh = next.replaced_by(Session::new(scenario), None);
                        let set_aside = fresh.notice.take();
                        fresh.notice = Some(format!(
                            "Opened {name}.{}",
                            set_aside.map(|n| format!(" {n}")).unwrap_or_default()
                        ));
                        fresh
                    }
                    Err(why) => UiState {
                        notice: Some(format!("Not opened, nothing changed: {why}")),
                        ..next
                    },
                }
            }
            Action::OpenLink(fragment) => next.open_link(&fragment),
            Action::Seek(time) => {
                let mut next = next.with_session(|s| {
                    if time < s.now() {
                        let (scenario, requests) = (s.scenario().clone(), s.user_requests());
                        *s = Session::restore(scenario, requests, 0);
                    }
                    s.advance_to(time);
                });
                next.selection = None;
                next
            }
            Action::StartCard(card, chosen) => {
                let Some(found) = super::model::cards::cards().into_iter().nth(card) else {
                    return Rc::new(next);
                };
                let Some(scenario) = presets::preset(&found.scenario) else {
                    return Rc::new(next);
                };
                let mut fresh = next.replaced_by(Session::new(scenario), Some(found.scenario));
                fresh.card = Some((card, chosen));
                fresh.playing = true;
                fresh.speed = Speed::X100;
                fresh
            }
            Action::EmbedLoad(scenario) => match super::embed::scenario_state(&scenario) {
                Ok(mut fresh) => {
                    fresh.sim.version = next.sim.version + 1;
                    fresh.speed = next.speed;
                    fresh
                }
                Err(why) => UiState {
                    notice: Some(why),
                    ..next
                },
            },
            Action::Notice(notice) => UiState {
                notice: Some(notice),
                ..next
            },
            Action::ShowCluster(cluster) => UiState {
                map_cluster: Some(cluster),
                selection: None,
                ..next
            },
            Action::DismissSetAside => UiState {
                set_aside: None,
                ..next
            },
            Action::Request {
                origin,
                action,
                input,
            } => {
                let mut result = None;
                let mut next = next.with_session(|s| result = Some(s.request(&action, input)));
                next.outcome = result.map(|result| {
                    Rc::new(Outcome {
                        origin,
                        action,
                        result,
                    })
                });
                next
            }
            Action::Requests { origin, batch } => {
                let mut result = None;
                let mut next = next.with_session(|s| result = Some(s.request_batch(&batch)));
                next.outcome = result.map(|result| {
                    let (action, result) = match result {
                        Ok(answer) => (batch.last().map(|b| b.0.clone()), Ok(answer)),
                        Err((n, error)) => (batch.get(n).map(|b| b.0.clone()), Err(error)),
                    };
                    Rc::new(Outcome {
                        origin,
                        action: action.unwrap_or_default(),
                        result,
                    })
                });
                next
            }
            Action::Select(selection) => UiState { selection, ..next },
            Action::EditText(text) => UiState {
                editor: text.into(),
                ..next
            },
            Action::EnableFargate(on) => UiState {
                fargate_enabled: on,
                ..next
            },
        };
        Rc::new(next)
    }
}

/// What the editor holds for a session just opened: the newest revision of the family its
/// first service uses (else its first family), as describe-task-definition prints it; for a
/// scenario with none, the example definition.
pub fn editor_text_for(session: &Session) -> String {
    let world = session.world();
    let ecs = &world.ecs;
    let family = ecs
        .services
        .first()
        .and_then(|s| {
            let short = s.task_definition().rsplit('/').next().unwrap_or_default();
            short.rsplit_once(':').map(|(f, _)| f.to_string())
        })
        .or_else(|| ecs.task_definitions.keys().next().cloned());
    family
        .and_then(|f| {
            let revision = ecs.task_definitions.get(&f)?.len();
            world.describe_task_definition_output(&f, revision)
        })
        .and_then(|output| serde_json::to_string_pretty(&output).ok())
        .unwrap_or_else(|| super::model::editor::EXAMPLE_TASK_DEFINITION.to_string())
}

fn set_aside_notice(saved: Option<&Saved>, new: bool) -> Option<String> {
    let saved = saved.filter(|_| new)?;
    let requests = match saved.user_requests {
        0 => "your text in the editor".to_string(),
        1 => "your 1 request".to_string(),
        n => format!("your {n} requests"),
    };
    Some(format!(
        "The previous session ({}, {requests}) was set aside: Restore brings it back.",
        saved.scenario.name
    ))
}

fn step_notice(from: SimTime, to: Option<SimTime>) -> String {
    use crate::engine::time::{format_clock, format_duration};
    match to {
        None => {
            "Nothing is due: no timer or scenario step is queued, so Step has nowhere to go.".into()
        }
        Some(to) if to == from => {
            format!("Stepped: what was due at T+{} happened.", format_clock(to))
        }
        Some(to) => format!(
            "Stepped {} to T+{}, the next moment something was due.",
            format_duration(to - from),
            format_clock(to)
        ),
    }
}

fn fast_forward_notice(ff: FastForward) -> String {
    use crate::engine::time::format_duration;
    if ff.steady {
        format!(
            "Fast-forwarded {} to a steady state.",
            format_duration(ff.to - ff.from)
        )
    } else if ff.stuck {
        format!(
            "Fast-forwarded {}: nothing has changed for {}, but a service is not steady: see its events in the log.",
            format_duration(ff.to - ff.from),
            format_duration(super::model::session::FAST_FORWARD_QUIET_MS)
        )
    } else {
        format!(
            "Fast-forwarded {}: still not steady; press Play to watch why.",
            format_duration(ff.to - ff.from)
        )
    }
}
