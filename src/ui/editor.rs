//! The task-definition editor: a textarea over a highlighted copy of its text, line numbers,
//! Tab to indent (Escape, then Tab, to leave), the live check under it, Register, and the
//! revisions registered so far, each reopenable as `describe-task-definition` output.

use serde_json::Value;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use super::model::editor::{check, line_column, size_words, tokens, Check, EDITOR_BYTES_MAX};
use super::state::Outcome;

const INDENT: &str = "  ";

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub text: AttrValue,
    /// `family:revision` of every revision, newest first.
    pub revisions: Vec<String>,
    pub outcome: Option<std::rc::Rc<Outcome>>,
    pub onedit: Callback<String>,
    pub onregister: Callback<Value>,
    pub onopen: Callback<String>,
}

#[function_component(TaskDefinitionEditor)]
pub fn task_definition_editor(props: &EditorProps) -> Html {
    let text = props.text.to_string();
    let checked = use_memo(text.clone(), |text| check(text));
    let overlay = use_node_ref();
    let gutter = use_node_ref();
    let escaped = use_mut_ref(|| false);
    // Text over the limit is kept (in the session and its autosave) but not put in the
    // textarea unless asked: a browser lays a textarea of megabytes out for seconds at every
    // change. `shown_large` is the user's "show it anyway".
    let shown_large = use_state(|| false);
    let large = text.len() > EDITOR_BYTES_MAX;
    let hidden = large && !*shown_large;
    // The textarea is written only when the text changed other than by typing in it (a
    // revision opened, a session restored): writing back what it already holds makes the
    // browser lay it out again on every key.
    let area_ref = use_node_ref();
    {
        let area_ref = area_ref.clone();
        use_effect_with((props.text.clone(), hidden), move |(text, hidden)| {
            if let Some(area) = area_ref.cast::<HtmlTextAreaElement>() {
                let wanted = if *hidden { "" } else { text.as_str() };
                if area.value() != wanted {
                    area.set_value(wanted);
                }
            }
        });
    }
    let onshow = {
        let shown_large = shown_large.clone();
        Callback::from(move |_: MouseEvent| shown_large.set(true))
    };
    let ondiscard = {
        let (onedit, shown_large) = (props.onedit.clone(), shown_large.clone());
        Callback::from(move |_: MouseEvent| {
            shown_large.set(false);
            onedit.emit(String::new());
        })
    };

    let oninput = {
        let (onedit, shown) = (props.onedit.clone(), *shown_large);
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            let value = area.value();
            // Emptied here, in the event, before anything can ask the page's layout (a frame of
            // the map does) and make the browser lay the megabytes out.
            if value.len() > EDITOR_BYTES_MAX && !shown {
                area.set_value("");
            }
            onedit.emit(value);
        })
    };
    let onkeydown = {
        let onedit = props.onedit.clone();
        let escaped = escaped.clone();
        Callback::from(move |e: KeyboardEvent| {
            let was_escaped = std::mem::replace(&mut *escaped.borrow_mut(), e.key() == "Escape");
            if e.key() != "Tab" || was_escaped || e.shift_key() {
                return;
            }
            e.prevent_default();
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            let value = area.value();
            // Selection offsets are UTF-16 code units; map them to a byte offset.
            let start = area.selection_start().ok().flatten().unwrap_or(0) as usize;
            let byte = utf16_to_byte(&value, start);
            let mut next = value.clone();
            next.insert_str(byte, INDENT);
            area.set_value(&next);
            let caret = (start + INDENT.len()) as u32;
            let _ = area.set_selection_range(caret, caret);
            onedit.emit(next);
        })
    };
    let onscroll = {
        let (overlay, gutter) = (overlay.clone(), gutter.clone());
        Callback::from(move |e: Event| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            for node in [&overlay, &gutter] {
                if let Some(el) = node.cast::<web_sys::Element>() {
                    el.set_scroll_top(area.scroll_top());
                    el.set_scroll_left(if node == &overlay {
                        area.scroll_left()
                    } else {
                        0
                    });
                }
            }
        })
    };
    let onregister = {
        let (onregister, text) = (props.onregister.clone(), text.clone());
        Callback::from(move |_: MouseEvent| {
            // Malformed JSON never reaches the API (the CLI refuses it too): the check shows why.
            // Anything that parses goes to RegisterTaskDefinition, which refuses or accepts it.
            if let Ok(value) = serde_json::from_str::<Value>(&text) {
                onregister.emit(value);
            }
        })
    };

    let error_line = match &*checked {
        Check::Syntax { line, .. } => Some(*line),
        Check::Invalid {
            span: Some((start, _)),
            ..
        } => Some(line_column(&text, *start).0),
        _ => None,
    };
    // Past the limit the text is neither checked nor highlighted: the textarea shows it plainly,
    // and the page stays as quick as a plain textarea (a highlighted copy of megabytes is
    // millions of elements).
    let plain = large;
    let lines = if plain { 0 } else { text.split('\n').count() };
    html! {
        <section class="panel" id="panel-task-definition" aria-labelledby="panel-task-definition-title">
            <h2 id="panel-task-definition-title">{ "Task definition" }</h2>
            <div class={classes!("editor", plain.then_some("plain"))}>
                <div class="gutter" ref={gutter} aria-hidden="true">
                    { for (1..=lines).map(|n| html! {
                        <div class={classes!((Some(n) == error_line).then_some("gutter-error"))}>{ n }</div>
                    }) }
                </div>
                <div class="editor-body">
                    <pre class="overlay" ref={overlay} aria-hidden="true">{ if plain { Html::default() } else { highlighted(&text, &checked) } }</pre>
                    <textarea
                        id="td-editor"
                        spellcheck="false"
                        autocomplete="off"
                        aria-label="Task definition JSON (RegisterTaskDefinition request, or describe-task-definition output). Tab indents; Escape then Tab leaves."
                        aria-describedby="td-check"
                        aria-invalid={(!checked.is_valid()).to_string()}
                        ref={area_ref}
                        readonly={hidden}
                        placeholder={if hidden { "The text is over the editor's limit: it is kept, not shown (see below)." } else { "" }}
                        {oninput}
                        {onkeydown}
                        {onscroll}
                    />
                </div>
            </div>
            { check_line(&checked) }
            if large {
                <p class="row" id="td-large">
                    if hidden {
                        <button class="btn btn-small" id="btn-show-large" onclick={onshow} title="Put the text in the editor: the page may be slow while it holds it">{ "Show it anyway" }</button>
                    }
                    <button class="btn btn-small btn-danger" id="btn-discard-large" onclick={ondiscard}>{ "Discard it" }</button>
                </p>
            }
            <div class="row">
                <button class="btn btn-primary" id="btn-register" onclick={onregister} disabled={plain}>{ "Register new revision" }</button>
                { outcome(props.outcome.as_deref()) }
            </div>
            <Revisions revisions={props.revisions.clone()} onopen={props.onopen.clone()} />
        </section>
    }
}

fn utf16_to_byte(text: &str, utf16: usize) -> usize {
    let mut units = 0;
    for (byte, c) in text.char_indices() {
        if units >= utf16 {
            return byte;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// The text as spans by token kind, the erroneous part wrapped in `<mark>`.
fn highlighted(text: &str, checked: &Check) -> Html {
    let mark = match checked {
        Check::Syntax { offset, .. } => {
            // A syntax error marks one character (or the end of the text).
            let end = text[*offset..]
                .chars()
                .next()
                .map_or(*offset, |c| offset + c.len_utf8());
            Some((*offset, end.max(*offset)))
        }
        Check::Invalid { span, .. } => *span,
        _ => None,
    };
    let mut out: Vec<Html> = Vec::new();
    let mut marked: Vec<Html> = Vec::new();
    for token in tokens(text) {
        let piece = &text[token.start..token.end];
        let inside = mark.is_some_and(|(s, e)| token.start < e.max(s + 1) && token.end > s);
        let span = html! { <span class={token.kind.class()}>{ piece }</span> };
        if inside {
            marked.push(span);
            continue;
        }
        if !marked.is_empty() {
            out.push(html! { <mark class="err">{ for marked.drain(..) }</mark> });
        }
        out.push(span);
    }
    if !marked.is_empty() {
        out.push(html! { <mark class="err">{ for marked.drain(..) }</mark> });
    }
    if let Some((start, _)) = mark {
        if start >= text.len() {
            out.push(html! { <mark class="err">{ " " }</mark> });
        }
    }
    // A trailing newline needs a character after it for the overlay to keep the textarea's height.
    out.push(html! { { " " } });
    out.into_iter().collect::<Html>()
}

fn check_line(checked: &Check) -> Html {
    let (class, text) = match checked {
        Check::Empty => (
            "check-note",
            "Paste a RegisterTaskDefinition request or describe-task-definition output."
                .to_string(),
        ),
        Check::TooLarge { bytes } => (
            "check-error",
            format!(
                "The text is {}: over the editor's limit of {} KiB, so it is not checked or highlighted, and shown only if you ask. It is kept as it is: shorten it to register it, or discard it.",
                size_words(*bytes),
                EDITOR_BYTES_MAX / 1024
            ),
        ),
        Check::Syntax {
            line,
            column,
            message,
            ..
        } => (
            "check-error",
            format!("Line {line}, column {column}: {message}"),
        ),
        Check::Invalid { error, .. } => (
            "check-error",
            format!(
                "{}: {}{}",
                error.code,
                error.message,
                error
                    .path
                    .as_ref()
                    .map(|p| format!(" (at {p})"))
                    .unwrap_or_default()
            ),
        ),
        Check::Valid {
            family,
            from_describe_output,
        } => (
            "check-ok",
            format!(
                "✓ Valid: registers the next revision of {family}{}",
                if *from_describe_output {
                    " (read from describe-task-definition output)"
                } else {
                    ""
                }
            ),
        ),
    };
    html! { <p id="td-check" class={class} role="status">{ text }</p> }
}

fn outcome(outcome: Option<&Outcome>) -> Html {
    let Some(outcome) = outcome.filter(|o| o.origin == super::state::Origin::Editor) else {
        return html! {};
    };
    match &outcome.result {
        Ok(value) => {
            let arn = value
                .pointer("/taskDefinition/taskDefinitionArn")
                .and_then(Value::as_str)
                .unwrap_or_default();
            html! { <span class="outcome ok" id="td-outcome">{ format!("Registered {}", crate::ecs::cluster::short_id(arn)) }</span> }
        }
        Err(error) => html! {
            <span class="outcome error" id="td-outcome">
                { format!("RegisterTaskDefinition refused: {error}. Nothing was registered; your text is kept.") }
            </span>
        },
    }
}

#[derive(Properties, PartialEq)]
struct RevisionsProps {
    revisions: Vec<String>,
    onopen: Callback<String>,
}

#[function_component(Revisions)]
fn revisions(props: &RevisionsProps) -> Html {
    if props.revisions.is_empty() {
        return html! { <p class="muted">{ "No revisions registered yet." }</p> };
    }
    html! {
        <details class="revisions" open=true>
            <summary>{ format!("Revisions ({})", props.revisions.len()) }</summary>
            <ul id="td-revisions">
                { for props.revisions.iter().map(|key| {
                    let onopen = props.onopen.clone();
                    let k = key.clone();
                    html! {
                        <li>
                            <code>{ key.clone() }</code>
                            <button class="btn btn-small" title="Open this revision in the editor, as describe-task-definition prints it"
                                onclick={Callback::from(move |_| onopen.emit(k.clone()))}>{ "Open" }</button>
                        </li>
                    }
                }) }
            </ul>
        </details>
    }
}
