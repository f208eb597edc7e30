//! Embed mode in the browser: the player's starting state from its address, and the
//! `postMessage` link with the page that embeds it (`model::embed` has the protocol). Messages
//! are taken only from the embedding page's origin and sent only to it.

use std::rc::Rc;

use gloo::events::EventListener;
use serde_json::{json, Value};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::model::embed::{self, Command, EmbedOptions};
use super::model::session::Session;
use super::model::share;
use super::state::{editor_text_for, Action, Origin, Speed, UiState};
use crate::scenario::{presets, Scenario};

/// The address's query string.
pub fn query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// The origin the player talks with: the `origin` parameter, else the embedding page's (the
/// referrer's), else its own.
pub fn peer_origin(options: &EmbedOptions) -> String {
    let own = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    options
        .origin
        .clone()
        .or_else(|| {
            let referrer = web_sys::window()?.document()?.referrer();
            web_sys::Url::new(&referrer).ok().map(|u| u.origin())
        })
        .filter(|o| !o.is_empty() && o != "null")
        .unwrap_or(own)
}

/// The session a `scenario` parameter or `load` message names: a share link's payload, or a
/// preset's id.
pub fn scenario_state(scenario: &str) -> Result<UiState, String> {
    if share::is_link(scenario) {
        let saved = share::decode(scenario).map_err(|e| e.to_string())?;
        return Ok(UiState::from_saved(saved));
    }
    let preset: Scenario = presets::preset(scenario).ok_or_else(|| {
        format!("{scenario:?} is neither a preset's id nor a share link's payload (v1:...)")
    })?;
    let session = Session::new(preset);
    let editor = editor_text_for(&session);
    Ok(UiState::new(session, Some(scenario.to_string()), editor))
}

/// The player's first state: the scenario asked for (else the default), its speed and
/// whether it plays, and what in the address could not be read.
pub fn initial(options: &EmbedOptions) -> UiState {
    let mut problems = options.problems.clone();
    // A card runs its own scenario.
    let card_scenario = options
        .card
        .and_then(super::model::cards::card)
        .map(|card| card.scenario);
    if let (Some(own), Some(asked)) = (&card_scenario, &options.scenario) {
        problems.push(format!(
            "scenario={asked}: the card runs its own scenario ({own})"
        ));
    }
    let asked = card_scenario.as_deref().or(options.scenario.as_deref());
    let mut state = match scenario_state(asked.unwrap_or("default")) {
        Ok(state) => state,
        Err(why) => {
            problems.push(format!("scenario: {why}"));
            scenario_state("default").expect("the default preset")
        }
    };
    if let Some(speed) = options.speed.and_then(Speed::from_factor) {
        state.speed = speed;
    }
    state.playing = options.autoplay;
    if !problems.is_empty() {
        state.notice = Some(problems.join("; "));
    }
    state
}

/// Sends `message` to the embedding page.
pub fn post(origin: &str, message: &Value) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    if let Ok(data) = web_sys::js_sys::JSON::parse(&message.to_string()) {
        let _ = parent.post_message(&data, origin);
    }
}

/// Listens for the embedding page's messages; dropping the listener stops it.
pub fn listen(origin: Rc<str>, dispatcher: UseReducerDispatcher<UiState>) -> Option<EventListener> {
    let window = web_sys::window()?;
    Some(EventListener::new(&window, "message", move |event| {
        let Some(event) = event.dyn_ref::<web_sys::MessageEvent>() else {
            return;
        };
        if event.origin() != *origin {
            return;
        }
        let text = web_sys::js_sys::JSON::stringify(&event.data())
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default();
        let Ok(message) = serde_json::from_str::<Value>(&text) else {
            return;
        };
        match embed::command(&message) {
            None => {}
            Some(Err(why)) => post(&origin, &embed::message("error", json!({ "message": why }))),
            Some(Ok(command)) => dispatcher.dispatch(action(command)),
        }
    }))
}

fn action(command: Command) -> Action {
    match command {
        Command::Load(scenario) => Action::EmbedLoad(scenario),
        Command::Play => Action::Play,
        Command::Pause => Action::Pause,
        Command::Step => Action::Step,
        Command::Seek(time) => Action::Seek(time),
        Command::SetSpeed(speed) => {
            Action::SetSpeed(Speed::from_factor(speed).unwrap_or(Speed::X10))
        }
        Command::Apply { action, input } => Action::Request {
            origin: Origin::Embed,
            action,
            input,
        },
    }
}
