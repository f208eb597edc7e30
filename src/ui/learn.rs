//! "Learn": scenario cards. Pick a card, read it, choose an answer, then run its scenario; the
//! answer is revealed when the simulation reaches the moment that shows it, with that moment's
//! time, the explanation and the AWS page it rests on. Answered cards are remembered.

use yew::prelude::*;

use super::model::cards::{self, Card};
use super::state::SimRef;
use super::storage;
use crate::engine::time::format_clock;

/// Brings the event log's first record of the card's moment into view.
fn show_moment_in_log() {
    let row = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".log-row.moment").ok().flatten());
    if let Some(row) = row {
        // Nearest: the log scrolls to the row, the page only as far as it must.
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Nearest);
        row.scroll_into_view_with_scroll_into_view_options(&options);
    }
}

#[derive(Properties, PartialEq)]
pub struct LearnProps {
    pub sim: SimRef,
    /// The card being run and the answer chosen.
    pub active: Option<(usize, usize)>,
    pub onstart: Callback<(usize, usize)>,
    /// Only this card, without the picker (the embed player's `card`).
    #[prop_or_default]
    pub fixed: Option<usize>,
    /// Whether answered cards are remembered in storage (not in the embed player, which keeps
    /// nothing).
    #[prop_or(true)]
    pub remember: bool,
}

#[function_component(LearnPanel)]
pub fn learn_panel(props: &LearnProps) -> Html {
    let all = use_memo((), |_| cards::cards());
    let picked = use_state(|| {
        props
            .fixed
            .or(props.active.map(|(card, _)| card))
            .unwrap_or(0)
    });
    let chosen = use_state(|| None::<usize>);
    let remember = props.remember;
    let solved = use_state(move || {
        if remember {
            storage::load_cards()
        } else {
            Vec::new()
        }
    });
    let card: &Card = &all[(*picked).min(all.len() - 1)];
    let session = props.sim.borrow();
    let world = session.world();
    let running = props.active.filter(|(c, _)| *c == *picked);
    let revealed = running.and_then(|_| cards::revealed_at(card, world));
    // Remember a card once its answer is shown.
    {
        let (solved, id) = (solved.clone(), card.id.clone());
        use_effect_with((revealed.is_some(), id), move |(shown, id)| {
            if *shown && !solved.contains(id) {
                let mut next = (*solved).clone();
                next.push(id.clone());
                if remember {
                    storage::save_cards(&next);
                }
                solved.set(next);
            }
        });
    }
    let onpick = {
        let (picked, chosen) = (picked.clone(), chosen.clone());
        Callback::from(move |e: Event| {
            let value = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            picked.set(value.parse().unwrap_or(0));
            chosen.set(None);
        })
    };
    let onrun = {
        let (onstart, picked, chosen) = (props.onstart.clone(), *picked, *chosen);
        Callback::from(move |_: MouseEvent| {
            if let Some(answer) = chosen {
                onstart.emit((picked, answer));
            }
        })
    };
    html! {
        <section class="panel" id="panel-learn" aria-labelledby="panel-learn-title">
            <details class="learn" open={props.active.is_some() || props.fixed.is_some()}>
            <summary><h2 id="panel-learn-title" class="inline-title">{
                if props.fixed.is_some() { "Scenario card".to_string() } else { format!("Learn: {} scenario cards", all.len()) }
            }</h2></summary>
            if props.fixed.is_none() {
                <select id="card-picker" aria-label="Scenario card" onchange={onpick}>
                    { for all.iter().enumerate().map(|(n, c)| html! {
                        <option value={n.to_string()} selected={n == *picked}>
                            { format!("{}{}", if solved.contains(&c.id) { "✓ " } else { "" }, c.title) }
                        </option>
                    }) }
                </select>
            } else {
                <h3 class="card-title" id="card-title">{ card.title.clone() }</h3>
            }
            <p class="small">{ card.narrative.clone() }</p>
            <fieldset class="card-question" id="card-question">
                <legend>{ card.question.clone() }</legend>
                { for card.answers.iter().enumerate().map(|(n, answer)| {
                    let chosen = chosen.clone();
                    let marked = revealed.map(|_| if n == card.correct { " right" } else { "" }).unwrap_or("");
                    html! {
                        <label class={classes!("card-answer", marked.trim().to_string())}>
                            <input type="radio" name="card-answer" value={n.to_string()}
                                checked={*chosen == Some(n) || (running.map(|r| r.1) == Some(n) && chosen.is_none())}
                                onchange={Callback::from(move |_| chosen.set(Some(n)))} />
                            { format!(" {}", answer.text) }
                        </label>
                    }
                }) }
            </fieldset>
            <button class="btn btn-small btn-primary" id="btn-run-card" onclick={onrun} disabled={chosen.is_none()}
                title="Loads the card's scenario and plays it at 100x; the answer shows when the moment comes">{ "Run to see" }</button>
            if let (Some((_, answer)), None) = (running, revealed) {
                <p class="muted small" id="card-waiting">{ format!("You chose: {}. Watching for the moment that shows it…", card.answers[answer].text) }</p>
            }
            if let (Some((_, answer)), Some(at)) = (running, revealed) {
                <div class="card-reveal" id="card-reveal" role="status">
                    <p><strong>{ if answer == card.correct { "Right." } else { "Not quite." } }</strong>
                        { format!(" At T+{} the simulation showed it: {}", format_clock(at), card.answers[card.correct].text) }</p>
                    <p class="small">{ card.explanation.clone() }</p>
                    <p class="small"><a href={card.documentation.clone()} target="_blank" rel="noopener">{ "The AWS documentation" }</a>
                        if props.fixed.is_none() {
                            { " · " }<button class="btn btn-small" id="btn-card-moment" onclick={Callback::from(|_: MouseEvent| show_moment_in_log())}
                                title="Scroll the event log to the records of this moment">{ "Show the moment in the log" }</button>
                        }
                    </p>
                </div>
            }
            </details>
        </section>
    }
}
