//! The event log: service events, task and instance state changes, deployments and refused
//! requests, newest first, filterable by service and kind; each row opens to AWS's JSON.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::model::log_view::{classify, summary, Kind};
use super::state::SimRef;
use crate::engine::log::LOG_RECORDS_MAX;
use crate::engine::time::{format_clock, SimTime};

/// Rows shown at once (the newest that match the filter).
pub const LOG_ROWS_MAX: usize = 200;

#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    pub sim: SimRef,
    /// The revealed moment of the scenario card being run: its records are highlighted.
    #[prop_or_default]
    pub moment: Option<SimTime>,
}

#[function_component(EventLog)]
pub fn event_log(props: &EventLogProps) -> Html {
    let service_filter = use_state(String::new);
    let kind_filter = use_state(String::new);
    let session = props.sim.borrow();
    let world = session.world();
    // Each service by `cluster/name`, shown by name (with its cluster where names repeat).
    let labels = super::model::charts::service_labels(world);
    let mut services: Vec<(String, String)> = world
        .ecs
        .services
        .iter()
        .zip(labels)
        .map(|(s, label)| (format!("{}/{}", s.cluster, s.name), label))
        .collect();
    services.sort();
    services.dedup();
    // The card's moment in the log: its records, or where none fall at that very time (a
    // moment given as a time), the last records before it.
    let moment = props.moment.and_then(|at| {
        world
            .log()
            .iter()
            .rev()
            .map(|r| r.time())
            .find(|&t| t <= at)
    });
    let mut matching = 0usize;
    // Records are numbered from the start of the run, so a row keeps naming its own record
    // (and stays open) when the filter changes or the oldest records are let go.
    let dropped = world.log_dropped();
    let rows: Vec<Html> = world
        .log()
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, record)| {
            let (kind, service) = classify(record);
            (kind_filter.is_empty() || kind.id() == *kind_filter)
                && (service_filter.is_empty()
                    || service.as_deref() == Some(service_filter.as_str()))
        })
        .inspect(|_| matching += 1)
        .take(LOG_ROWS_MAX)
        .map(|(index, record)| {
            let (kind, _) = classify(record);
            html! {
                <LogRow
                    key={dropped + index as u64}
                    at={format!("T+{}", format_clock(record.time()))}
                    kind={kind}
                    text={summary(record)}
                    sim={props.sim.clone()}
                    number={dropped + index as u64}
                    moment={moment == Some(record.time())}
                />
            }
        })
        .collect();
    let onservice = {
        let service_filter = service_filter.clone();
        Callback::from(move |e: Event| {
            service_filter.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let onkind = {
        let kind_filter = kind_filter.clone();
        Callback::from(move |e: Event| {
            kind_filter.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    html! {
        <section class="panel" id="panel-event-log" aria-labelledby="panel-event-log-title">
            <h2 id="panel-event-log-title">{ format!("Event log ({})", dropped + world.log().len() as u64) }</h2>
            <div class="filters">
                <select id="log-service" aria-label="Filter by service" onchange={onservice}>
                    <option value="" selected={service_filter.is_empty()}>{ "All services" }</option>
                    { for services.iter().map(|(key, label)| html! { <option value={key.clone()} selected={*key == *service_filter}>{ label.clone() }</option> }) }
                </select>
                <select id="log-kind" aria-label="Filter by kind" onchange={onkind}>
                    <option value="" selected={kind_filter.is_empty()}>{ "All kinds" }</option>
                    { for Kind::ALL.iter().map(|k| html! { <option value={k.id()} selected={k.id() == *kind_filter}>{ k.label() }</option> }) }
                </select>
            </div>
            <div role="log" aria-live="polite" aria-label="Events, newest first">
                <ol class="event-log">
                    { for rows }
                </ol>
            </div>
            if matching > LOG_ROWS_MAX { <p class="muted small" id="log-rows-note">{ format!("Showing the newest {LOG_ROWS_MAX} of {matching} that match.") }</p> }
            if dropped > 0 { <p class="muted small" id="log-dropped-note">{ format!("The log keeps the newest {LOG_RECORDS_MAX} records; the {dropped} before them were let go.") }</p> }
            if matching == 0 { <p class="muted">{ "Nothing yet: events appear here, newest first, as the simulation runs." }</p> }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct LogRowProps {
    at: String,
    kind: Kind,
    text: String,
    sim: SimRef,
    /// The record's number since the run began, to show its JSON when opened.
    number: u64,
    /// Whether the record is of the running card's moment.
    moment: bool,
}

/// One record: its time, kind and summary; a click shows AWS's JSON.
#[function_component(LogRow)]
fn log_row(props: &LogRowProps) -> Html {
    let open = use_state(|| false);
    let onclick = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    html! {
        <li class={classes!("log-row", props.kind.id(), props.moment.then_some("moment"))}>
            <button class="log-line" aria-expanded={open.to_string()} {onclick}>
                <span class="mono at">{ props.at.clone() }</span>
                if props.moment { <span class="moment-badge">{ "card's moment" }</span> }
                <span class="kind">{ props.kind.label() }</span>
                <span class="text">{ props.text.clone() }</span>
            </button>
            if *open { <pre class="json">{ record_json(&props.sim, props.number) }</pre> }
        </li>
    }
}

fn record_json(sim: &SimRef, number: u64) -> String {
    let session = sim.borrow();
    let world = session.world();
    let index = number.checked_sub(world.log_dropped()).map(|i| i as usize);
    index
        .and_then(|i| world.log().get(i))
        .map(|record| {
            serde_json::to_string_pretty(&record.to_json(|t| world.iso(t))).unwrap_or_default()
        })
        .unwrap_or_default()
}
