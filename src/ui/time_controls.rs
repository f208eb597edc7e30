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
    html! {
        <div class="time-controls" role="group" aria-label="Time controls">
            { play_pause }
            <button class="btn" id="btn-step" onclick={emit(&props.onstep)} title="Step to the next event (N)">{ "Step ›" }</button>
            <button class="btn" id="btn-fast-forward" onclick={emit(&props.onfastforward)} title="Fast forward to a steady state (F)">{ "Steady »" }</button>
            <button class="btn" id="btn-reset" onclick={emit(&props.onreset)} title="Back to the scenario's start, without your requests (R)">{ "⟲ Reset" }</button>
            <div class="speeds" role="radiogroup" aria-label="Speed (keys 1 to 4)">
                { for Speed::ALL.iter().map(|&speed| {
                    let onspeed = props.onspeed.clone();
                    let checked = speed == props.speed;
                    html! {
                        <button
                            class={classes!("btn", "btn-speed", checked.then_some("selected"))}
                            role="radio"
                            aria-checked={checked.to_string()}
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
