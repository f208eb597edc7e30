//! Embed mode, without the browser: the query parameters of `?embed=1` and the versioned
//! `postMessage` protocol between a page and the players it embeds.
//!
//! Parameters: `embed=1`; `scenario` (a preset's id, or a share link's payload `v1:...`);
//! `autoplay=1`; `speed` (1, 10, 100 or 1000); `panels` (`map`, `charts`, comma-separated);
//! `theme` (`light` or `dark`); `origin` (the embedding page's origin, which the player takes
//! messages from and sends them to; else the referrer's origin); `card` (a scenario card's id:
//! the player shows the card and runs its scenario). A parameter it cannot read is named in the
//! player, never silently dropped.
//!
//! Messages are JSON objects with `"ecsplay": 1` and a `type`. In: `load` (`scenario`), `play`,
//! `pause`, `step`, `seek` (`timeMs`, forward only), `setSpeed` (`speed`), `apply` (`action`,
//! `input`: an AWS request). Out: `ready`, `tick` (`timeMs`), `event` (`record`: a log record as
//! `ecsplay run` prints it), `error` (`message`). Messages of another version, or not for
//! ecsplay, are ignored, as the protocol's later versions will be by this one.

use serde_json::{json, Value};

/// The protocol's version, in every message both ways.
pub const PROTOCOL_VERSION: u64 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    Map,
    Charts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// No `theme`: the system's (`prefers-color-scheme`).
    #[default]
    System,
    Light,
    Dark,
}

/// What a player's address asks for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EmbedOptions {
    pub embed: bool,
    /// A preset's id or a share link's payload.
    pub scenario: Option<String>,
    pub autoplay: bool,
    pub speed: Option<u32>,
    pub panels: Vec<Panel>,
    pub theme: Theme,
    pub origin: Option<String>,
    /// A scenario card's index in `cards::CARDS`: the player shows it and runs its scenario.
    pub card: Option<usize>,
    /// What could not be read, in words.
    pub problems: Vec<String>,
}

/// The speeds the player offers.
pub const SPEEDS: [u32; 4] = [1, 10, 100, 1000];

/// Reads a query string (`?embed=1&scenario=default`, with or without its `?`).
pub fn options(query: &str) -> EmbedOptions {
    let mut out = EmbedOptions {
        panels: vec![Panel::Map, Panel::Charts],
        ..EmbedOptions::default()
    };
    let query = query.strip_prefix('?').unwrap_or(query);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = decode_component(value);
        match key {
            "embed" => out.embed = value == "1" || value == "true",
            "scenario" => out.scenario = Some(value),
            "autoplay" => out.autoplay = value == "1" || value == "true",
            "speed" => match value.parse::<u32>() {
                Ok(speed) if SPEEDS.contains(&speed) => out.speed = Some(speed),
                _ => out
                    .problems
                    .push(format!("speed={value}: the speeds are 1, 10, 100 and 1000")),
            },
            "panels" => {
                out.panels.clear();
                for name in value.split(',').filter(|n| !n.is_empty()) {
                    match name {
                        "map" => out.panels.push(Panel::Map),
                        "charts" => out.panels.push(Panel::Charts),
                        other => out
                            .problems
                            .push(format!("panels: {other:?} is not a panel (map, charts)")),
                    }
                }
            }
            "theme" => match value.as_str() {
                "light" => out.theme = Theme::Light,
                "dark" => out.theme = Theme::Dark,
                other => out
                    .problems
                    .push(format!("theme={other}: the themes are light and dark")),
            },
            "origin" => out.origin = Some(value),
            "card" => match super::cards::index_of(&value) {
                Some(index) => out.card = Some(index),
                None => out.problems.push(format!(
                    "card={value}: not a scenario card (the cards: {})",
                    super::cards::cards()
                        .iter()
                        .map(|c| c.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            },
            other => out
                .problems
                .push(format!("{other}: not a parameter of the player")),
        }
    }
    out
}

/// `%2C` and `+` as the browser writes them in a query.
fn decode_component(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| char::from(b).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(high), Some(low)) => {
                        out.push((high * 16 + low) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A message a page sent the player.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Load(String),
    Play,
    Pause,
    Step,
    Seek(u64),
    SetSpeed(u32),
    Apply { action: String, input: Value },
}

/// The command a message carries: None for what is not an ecsplay message of this version
/// (ignored), Err for an ecsplay message that is malformed (answered with an `error`).
pub fn command(message: &Value) -> Option<Result<Command, String>> {
    if message.get("ecsplay").and_then(Value::as_u64) != Some(PROTOCOL_VERSION) {
        return None;
    }
    let kind = message.get("type").and_then(Value::as_str)?;
    let field = |name: &str| message.get(name);
    Some(match kind {
        "load" => field("scenario")
            .and_then(Value::as_str)
            .map(|s| Command::Load(s.to_string()))
            .ok_or_else(|| "load needs a scenario: a preset's id or a share link's payload".into()),
        "play" => Ok(Command::Play),
        "pause" => Ok(Command::Pause),
        "step" => Ok(Command::Step),
        "seek" => field("timeMs")
            .and_then(Value::as_u64)
            .map(Command::Seek)
            .ok_or_else(|| "seek needs timeMs, a whole number of milliseconds".into()),
        "setSpeed" => match field("speed").and_then(Value::as_u64) {
            Some(speed) if SPEEDS.contains(&(speed as u32)) => Ok(Command::SetSpeed(speed as u32)),
            _ => Err("setSpeed needs speed: 1, 10, 100 or 1000".into()),
        },
        "apply" => match (field("action").and_then(Value::as_str), field("input")) {
            (Some(action), Some(input)) => Ok(Command::Apply {
                action: action.to_string(),
                input: input.clone(),
            }),
            _ => Err("apply needs action (\"ecs:CreateService\") and input (the request)".into()),
        },
        // A type of a later version: ignored, as the protocol says.
        _ => return None,
    })
}

/// A message the player sends.
pub fn message(kind: &str, fields: Value) -> Value {
    let mut out = json!({ "ecsplay": PROTOCOL_VERSION, "type": kind });
    if let (Some(out), Some(fields)) = (out.as_object_mut(), fields.as_object()) {
        out.extend(fields.clone());
    }
    out
}
