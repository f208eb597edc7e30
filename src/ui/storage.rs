//! Autosave: `localStorage` when the page may use it, else memory for the life of the page (a
//! sandboxed iframe, or storage switched off), so saving never fails and never throws.

use std::cell::RefCell;

use super::model::saved::{Saved, SET_ASIDE_KEY, STORAGE_KEY};

thread_local! {
    static MEMORY: RefCell<Option<String>> = const { RefCell::new(None) };
    static SET_ASIDE_MEMORY: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn local_storage() -> Option<web_sys::Storage> {
    // Reading `window.localStorage` itself throws in some sandboxes: that is `Err` here.
    web_sys::window()?.local_storage().ok().flatten()
}

/// Where saves go: `"localStorage"` or `"memory"` (shown in the footer, asserted by tests).
pub fn backend() -> &'static str {
    match local_storage() {
        Some(storage) if storage.set_item("ecsplay.probe", "1").is_ok() => {
            let _ = storage.remove_item("ecsplay.probe");
            "localStorage"
        }
        _ => "memory",
    }
}

pub fn save(saved: &Saved) {
    let text = saved.to_json();
    let stored = local_storage().is_some_and(|s| s.set_item(STORAGE_KEY, &text).is_ok());
    if !stored {
        MEMORY.with(|m| *m.borrow_mut() = Some(text));
    }
}

/// The last save, if one can be read. An unreadable one is reported and left in place, so a
/// newer version of the page can still read it.
pub fn load() -> Result<Option<Saved>, String> {
    let text = local_storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .or_else(|| MEMORY.with(|m| m.borrow().clone()));
    match text {
        None => Ok(None),
        Some(text) => Saved::parse(&text).map(Some),
    }
}

/// Forgets the save (the "start over" of a test, or a user's fresh start).
pub fn clear() {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(STORAGE_KEY);
    }
    MEMORY.with(|m| *m.borrow_mut() = None);
}

/// Keeps the session set aside by Reset or another scenario (or forgets it, for None), so it
/// can be restored after a reload too.
pub fn save_set_aside(saved: Option<&Saved>) {
    SET_ASIDE_MEMORY.with(|m| *m.borrow_mut() = saved.map(Saved::to_json));
    if let Some(storage) = local_storage() {
        let _ = match saved {
            Some(saved) => storage.set_item(SET_ASIDE_KEY, &saved.to_json()),
            None => storage.remove_item(SET_ASIDE_KEY),
        };
    }
}

/// The session set aside, if one is kept and can be read.
pub fn load_set_aside() -> Option<Saved> {
    let text = local_storage()
        .and_then(|s| s.get_item(SET_ASIDE_KEY).ok().flatten())
        .or_else(|| SET_ASIDE_MEMORY.with(|m| m.borrow().clone()))?;
    Saved::parse(&text).ok()
}

/// The storage key of the cards answered.
const CARDS_KEY: &str = "ecsplay.cards";

/// The ids of the cards whose answer has been shown.
pub fn load_cards() -> Vec<String> {
    local_storage()
        .and_then(|s| s.get_item(CARDS_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

pub fn save_cards(ids: &[String]) {
    if let (Some(storage), Ok(text)) = (local_storage(), serde_json::to_string(ids)) {
        let _ = storage.set_item(CARDS_KEY, &text);
    }
}
