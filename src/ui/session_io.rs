//! The session in and out of the page: a share link (copied to the clipboard, or shown to copy
//! by hand), the scenario file and the event log downloaded, a scenario file opened from the
//! file picker or dropped on the page. The formats are `model::share`'s; this is the browser's
//! side: the clipboard, downloads and file reading.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::file::callbacks::FileReader;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Offers `text` as a download named `name`.
pub fn download(name: &str, mime: &str, text: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = web_sys::js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(anchor) = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        anchor.set_href(&url);
        anchor.set_download(name);
        anchor.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// The page's address with `fragment` as its fragment.
pub fn link_to(fragment: &str) -> String {
    let location = web_sys::window().map(|w| w.location());
    let base = location
        .and_then(|l| {
            Some(format!(
                "{}{}{}",
                l.origin().ok()?,
                l.pathname().ok()?,
                l.search().ok()?
            ))
        })
        .unwrap_or_default();
    format!("{base}#{fragment}")
}

/// The address's fragment (with its `#`), if any.
pub fn fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Takes the fragment off the address (a share link opened), so a reload opens the session as
/// it is by then, not the link again.
pub fn clear_fragment() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let plain = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&plain));
    }
}

/// Copies `text` to the clipboard; `done` hears whether it could.
pub fn copy(text: &str, done: Callback<bool>) {
    let Some(window) = web_sys::window() else {
        done.emit(false);
        return;
    };
    let promise = window.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::spawn_local(async move {
        let copied = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
        done.emit(copied);
    });
}

#[derive(Properties, PartialEq)]
pub struct ImportProps {
    /// A file's name and its text once read, or why it could not be.
    pub onfile: Callback<(String, Result<String, String>)>,
}

/// Reads the first file of a list as text and hands it on; the reader is kept until it ends.
pub fn read_first(
    files: Option<web_sys::FileList>,
    readers: &Rc<RefCell<Vec<FileReader>>>,
    onfile: Callback<(String, Result<String, String>)>,
) {
    let Some(file) = files.and_then(|f| f.get(0)) else {
        return;
    };
    let name = file.name();
    let file = gloo::file::File::from(file);
    let reader = gloo::file::callbacks::read_as_text(&file, move |text| {
        onfile.emit((name, text.map_err(|e| e.to_string())));
    });
    let mut kept = readers.borrow_mut();
    // One file at a time: an older reader still going is dropped (which cancels it).
    kept.clear();
    kept.push(reader);
}

/// "Import scenario…": a file picker for a scenario file.
#[function_component(ImportButton)]
pub fn import_button(props: &ImportProps) -> Html {
    let readers = use_mut_ref(Vec::new);
    let onchange = {
        let (readers, onfile) = (readers.clone(), props.onfile.clone());
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            read_first(input.files(), &readers, onfile.clone());
            // The same file can be picked again.
            input.set_value("");
        })
    };
    html! {
        <label class="btn btn-small file-button" title="Open a scenario file (format 1), as ecsplay run takes; you can also drop one on the page">
            { "Import scenario…" }
            <input type="file" id="import-file" accept=".json,application/json" class="visually-hidden" {onchange} />
        </label>
    }
}
