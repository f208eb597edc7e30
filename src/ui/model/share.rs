//! Share links: a session (the saved document of [`super::saved`]: the scenario with your
//! requests as steps, the time reached, the editor's text) in a URL fragment, `#v1:` and the
//! document deflated and written in URL-safe base64 without padding. A link is a forever format
//! (style rule 13): `v1` is read by every later version, a new layout gets a new version, and
//! whatever cannot be read is refused with why, never half-opened.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use super::saved::Saved;

/// The version this build writes (and the only one it reads).
pub const SHARE_VERSION: &str = "v1";
/// A link holds at most this many bytes of deflated session (the payload is a third larger in
/// base64): some browsers and chat tools cut longer URLs.
pub const SHARE_COMPRESSED_BYTES_MAX: usize = 64 * 1024;
/// A link's session may inflate to at most this many bytes, so a crafted link cannot make the
/// page inflate gigabytes.
pub const SHARE_DECOMPRESSED_BYTES_MAX: usize = 1024 * 1024;
/// How hard deflate works (miniz's scale, 0 to 10): the best ratio; a session is small.
const DEFLATE_LEVEL: u8 = 9;

/// Why a link cannot be made or opened, in words for the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareError {
    /// The session is too large to go in a link.
    TooLarge { compressed: usize },
    /// The fragment is not `#v<n>:...`.
    NotALink,
    /// A version this build does not read.
    UnknownVersion(String),
    /// The payload is not URL-safe base64, or not deflate.
    Corrupt(String),
    /// The payload is longer, or inflates larger, than a link may be.
    TooLargeToOpen,
    /// It inflated, but it is not a session.
    NotASession(String),
}

impl std::fmt::Display for ShareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kib = |n: usize| n.div_ceil(1024);
        match self {
            ShareError::TooLarge { compressed } => write!(
                f,
                "this session is too large for a link: {} KiB compressed, and a link holds at most {} KiB. Export it as a scenario file instead.",
                kib(*compressed),
                kib(SHARE_COMPRESSED_BYTES_MAX)
            ),
            ShareError::NotALink => write!(f, "the address's fragment is not a share link (#v1:...)"),
            ShareError::UnknownVersion(v) => write!(
                f,
                "the link is of version {v:?}, which this version of ecsplay does not read (it reads {SHARE_VERSION})"
            ),
            ShareError::Corrupt(why) => write!(f, "the link is damaged ({why}): was it cut short when copied?"),
            ShareError::TooLargeToOpen => write!(
                f,
                "the link holds more than a link may ({} KiB compressed, {} KiB once inflated)",
                kib(SHARE_COMPRESSED_BYTES_MAX),
                kib(SHARE_DECOMPRESSED_BYTES_MAX)
            ),
            ShareError::NotASession(why) => write!(f, "the link does not hold a session: {why}"),
        }
    }
}

/// The fragment (without `#`) that carries `saved`.
pub fn encode(saved: &Saved) -> Result<String, ShareError> {
    let json = saved.to_json();
    let compressed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), DEFLATE_LEVEL);
    if compressed.len() > SHARE_COMPRESSED_BYTES_MAX {
        return Err(ShareError::TooLarge {
            compressed: compressed.len(),
        });
    }
    Ok(format!(
        "{SHARE_VERSION}:{}",
        URL_SAFE_NO_PAD.encode(compressed)
    ))
}

/// Whether a fragment looks like a share link of some version (`v<digits>:`), so the page knows
/// to try it, and to say why when it cannot open it.
pub fn is_link(fragment: &str) -> bool {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    fragment
        .split_once(':')
        .and_then(|(v, _)| v.strip_prefix('v'))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The session a fragment (with or without its `#`) carries.
pub fn decode(fragment: &str) -> Result<Saved, ShareError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if !is_link(fragment) {
        return Err(ShareError::NotALink);
    }
    let (version, payload) = fragment.split_once(':').expect("is_link saw the colon");
    if version != SHARE_VERSION {
        return Err(ShareError::UnknownVersion(version.to_string()));
    }
    if payload.len() > SHARE_COMPRESSED_BYTES_MAX.div_ceil(3) * 4 {
        return Err(ShareError::TooLargeToOpen);
    }
    let compressed = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|e| ShareError::Corrupt(format!("not URL-safe base64: {e}")))?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(
        &compressed,
        SHARE_DECOMPRESSED_BYTES_MAX,
    )
    .map_err(|e| match e.status {
        miniz_oxide::inflate::TINFLStatus::HasMoreOutput => ShareError::TooLargeToOpen,
        _ => ShareError::Corrupt("not deflate data, or cut short".into()),
    })?;
    let text = String::from_utf8(json)
        .map_err(|_| ShareError::NotASession("it is not UTF-8 text".into()))?;
    Saved::parse(&text).map_err(ShareError::NotASession)
}

/// The session as a scenario file (format 1): the scenario as loaded with your requests as
/// steps at their times, so `ecsplay run` replays it. Pretty-printed, as the presets are.
pub fn scenario_file(session: &super::session::Session) -> String {
    let mut text = serde_json::to_string_pretty(session.scenario()).expect("a scenario serializes");
    text.push('\n');
    text
}

/// The event log as `ecsplay run` prints it: one JSON record per line (the newest records the
/// log keeps, see `engine::log`).
pub fn log_lines(world: &crate::world::World) -> String {
    let mut out = crate::scenario::run::log_lines(world).join("\n");
    out.push('\n');
    out
}

/// A scenario file read as the command line reads one: its errors name the file, then the
/// line and column.
pub fn read_scenario_file(name: &str, text: &str) -> Result<crate::scenario::Scenario, String> {
    crate::scenario::Scenario::parse(text).map_err(|e| format!("{name}: {e}"))
}
