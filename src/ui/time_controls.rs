//! Play, pause, single step, speed, fast forward to steady state, reset, and the sim clock.

use yew::prelude::*;

use super::state::Speed;
use crate::engine::time::format_clock;

#[derive(Properties, PartialEq)]
pub struct TimeControlsProps {
    pub sim_time_ms: u64,
    pub playing: bool,
    pub speed: Speed,
    pub onplay: Callback<()>,
    pub onpause: Callback<()>,
    pub onstep: Callback<()>,
    pub onfastforward: Callback<()>,
    pub onreset: Callback<()>,
    pub onspeed: Callback<Speed>,
}

#[function_component(TimeControls)]
pub fn time_controls(props: &TimeControlsProps) -> Html {
    let emit = |cb: &Callback<()>| {
        let cb = cb.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let play_pause = if props.playing {
        html! { <button class="btn" id="btn-pause" onclick={emit(&props.onpause)} title="Pause (Space)">{ "❚❚ Pause" }</button> }
    } else {
        html! { <button class="btn btn-primary" id="btn-play" onclick={emit(&props.onplay)} title="Play (Space)">{ "▶ Play" }</button> }
    };
    // A radio group: one tab stop (the checked speed), the arrow keys move the choice and the
    // focus with it, as WAI-ARIA's radio group pattern has it.
    let speed_refs = use_memo((), |_| Speed::ALL.map(|_| NodeRef::default()));
    let onspeedkey = {
        let (onspeed, current, refs) = (props.onspeed.clone(), props.speed, speed_refs.clone());
        Callback::from(move |e: KeyboardEvent| {
            let Some(next) = speed_after_key(current, &e.key()) else {
                return;
            };
            e.prevent_default();
            onspeed.emit(next);
            let n = Speed::ALL.iter().position(|s| *s == next).unwrap_or(0);
            if let Some(button) = refs[n].cast::<web_sys::HtmlElement>() {
                let _ = button.focus();
            }
        })
    };
    html! {
        <div class="time-controls" role="group" aria-label="Time controls">
            { play_pause }
            <button class="btn" id="btn-step" onclick={emit(&props.onstep)} title="Step to the next event (N)">{ "Step ›" }</button>
            <button class="btn" id="btn-fast-forward" onclick={emit(&props.onfastforward)} title="Fast forward to a steady state (F)">{ "Steady »" }</button>
            <button class="btn" id="btn-reset" onclick={emit(&props.onreset)} title="Back to the scenario's start, without your requests (R)">{ "⟲ Reset" }</button>
            <div class="speeds" role="radiogroup" aria-label="Speed (keys 1 to 4)" onkeydown={onspeedkey}>
                { for Speed::ALL.iter().enumerate().map(|(n, &speed)| {
                    let onspeed = props.onspeed.clone();
                    let checked = speed == props.speed;
                    html! {
                        <button
                            ref={speed_refs[n].clone()}
                            class={classes!("btn", "btn-speed", checked.then_some("selected"))}
                            role="radio"
                            aria-checked={checked.to_string()}
                            tabindex={if checked { "0" } else { "-1" }}
                            onclick={Callback::from(move |_| onspeed.emit(speed))}
                        >{ speed.label() }</button>
                    }
                }) }
            </div>
            <output class="clock" id="sim-clock" aria-label="Simulation time">
                { format!("T+{}", format_clock(props.sim_time_ms)) }
            </output>
        </div>
    }
}

/// The speed an arrow key (or Home / End) moves a radio group's choice to, wrapping round.
pub fn speed_after_key(current: Speed, key: &str) -> Option<Speed> {
    let n = Speed::ALL.iter().position(|s| *s == current)?;
    let len = Speed::ALL.len();
    let next = match key {
        "ArrowRight" | "ArrowDown" => (n + 1) % len,
        "ArrowLeft" | "ArrowUp" => (n + len - 1) % len,
        "Home" => 0,
        "End" => len - 1,
        _ => return None,
    };
    Some(Speed::ALL[next])
}
