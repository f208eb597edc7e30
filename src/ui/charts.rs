//! Charts drawn with plotters on canvases: per service, desired, running and pending tasks over
//! time with each deployment's start marked; the cluster's CPU and memory reservation. They are
//! redrawn when the simulation moves on, at most every [`CHART_REDRAW_MS`] of wall time, not on
//! every animation frame. The same drawing goes to plotters' SVG backend for "Export SVG", so the
//! file shows what the page shows. A scenario card's moment, once revealed, is a line on each.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use super::model::charts::{MetricChart, ServiceSeries, CHARTED_SERVICES_MAX};
use super::model::map_paint::service_colour;
use super::model::session::Sample;
use super::state::SimRef;
use crate::engine::time::{SimTime, MS_PER_MINUTE};

/// Charts redraw at most this often (wall-clock milliseconds) while the simulation plays.
pub const CHART_REDRAW_MS: f64 = 250.0;

const DESIRED: RGBColor = RGBColor(22, 25, 31);
const RUNNING: RGBColor = RGBColor(3, 127, 12);
const PENDING: RGBColor = RGBColor(236, 114, 17);
const CPU: RGBColor = RGBColor(9, 114, 211);
const MEMORY: RGBColor = RGBColor(3, 127, 12);
const MARK: RGBColor = RGBColor(132, 78, 206);
/// A scenario card's moment: the time that shows its answer.
const MOMENT: RGBColor = RGBColor(209, 50, 18);
/// A scaling activity's mark on the tasks chart.
const SCALING: RGBColor = RGBColor(3, 127, 12);
/// An alarm's time in ALARM, behind its chart's lines.
const ALARM_BAND: RGBColor = RGBColor(253, 226, 226);
/// Each chart's size in pixels, on the page and in the SVG export.
const CHART_W: u32 = 420;
const CHART_H: u32 = 170;
/// The plot's inset in a chart's canvas, in pixels: left (margin and y labels), right (margin),
/// and the canvas's width; [`chart_on`] lays the plot out with these.
const PLOT_INSET: (f64, f64, f64) = (
    (MARGIN + Y_LABELS) as f64,
    MARGIN_RIGHT as f64,
    CHART_W as f64,
);
const MARGIN: u32 = 8;
const MARGIN_RIGHT: u32 = 16;
const Y_LABELS: u32 = 34;

#[derive(Properties, PartialEq)]
pub struct ChartsProps {
    pub sim: SimRef,
    /// The revealed moment of the scenario card being run, marked on every chart.
    #[prop_or_default]
    pub moment: Option<SimTime>,
}

#[function_component(Charts)]
pub fn charts(props: &ChartsProps) -> Html {
    let session = props.sim.borrow();
    let world = session.world();
    let labels = super::model::charts::service_labels(world);
    let series: Vec<ServiceSeries> = world
        .ecs
        .services
        .iter()
        .zip(labels)
        .take(CHARTED_SERVICES_MAX)
        .map(|(s, label)| ServiceSeries {
            name: label,
            scaling: super::model::charts::scaling_marks(world, &s.cluster, &s.name),
            ..ServiceSeries::of(s)
        })
        .collect();
    let now = session.now();
    let moment = props.moment;
    let samples: Vec<Sample> = session.samples().to_vec();
    let mut metric_charts = super::model::charts::traffic_charts(world);
    metric_charts.extend(super::model::charts::alarm_charts(world));
    metric_charts.extend(super::model::charts::group_charts(world));
    metric_charts.extend(super::model::charts::provider_chart(&samples));
    let more = world
        .ecs
        .services
        .len()
        .saturating_sub(CHARTED_SERVICES_MAX);
    drop(session);
    let service_refs = use_memo(series.len(), |n| {
        (0..*n).map(|_| NodeRef::default()).collect::<Vec<_>>()
    });
    let reservation_ref = use_node_ref();
    let metric_refs = use_memo(metric_charts.len(), |n| {
        (0..*n).map(|_| NodeRef::default()).collect::<Vec<_>>()
    });
    let last_drawn = use_mut_ref(|| f64::NEG_INFINITY);
    // A redraw skipped by the throttle is made later, so the charts always end on the last state.
    let trailing = use_mut_ref(|| None::<gloo::timers::callback::Timeout>);
    {
        let (service_refs, reservation_ref, series, samples) = (
            service_refs.clone(),
            reservation_ref.clone(),
            series.clone(),
            samples.clone(),
        );
        let (metric_refs, metric_charts) = (metric_refs.clone(), metric_charts.clone());
        use_effect_with((props.sim.clone(), moment), move |_| {
            let draw = move || {
                for (node, s) in service_refs.iter().zip(&series) {
                    if let Some(root) = canvas_area(node) {
                        let _ = draw_service(&root, s, now, moment);
                    }
                }
                if let Some(root) = canvas_area(&reservation_ref) {
                    let _ = draw_reservation(&root, &samples, now, moment);
                }
                for (node, chart) in metric_refs.iter().zip(&metric_charts) {
                    if let Some(root) = canvas_area(node) {
                        let _ = draw_metric(&root, chart, now, moment);
                    }
                }
            };
            let wall = web_sys::window()
                .and_then(|w| w.performance())
                .map_or(0.0, |p| p.now());
            let since = wall - *last_drawn.borrow();
            if since >= CHART_REDRAW_MS {
                *last_drawn.borrow_mut() = wall;
                *trailing.borrow_mut() = None;
                draw();
            } else {
                let last_drawn = last_drawn.clone();
                let wait = (CHART_REDRAW_MS - since).ceil() as u32;
                *trailing.borrow_mut() =
                    Some(gloo::timers::callback::Timeout::new(wait, move || {
                        *last_drawn.borrow_mut() = web_sys::window()
                            .and_then(|w| w.performance())
                            .map_or(0.0, |p| p.now());
                        draw();
                    }));
            }
        });
    }
    let onexport = {
        let (series, samples, metric_charts) =
            (series.clone(), samples.clone(), metric_charts.clone());
        Callback::from(move |_: MouseEvent| {
            if let Ok(svg) = charts_svg(&series, &samples, &metric_charts, now, moment) {
                super::session_io::download("ecsplay-charts.svg", "image/svg+xml", &svg);
            }
        })
    };
    html! {
        <section class="panel" id="panel-charts" aria-labelledby="panel-charts-title">
            <div class="panel-head">
                <h2 id="panel-charts-title">{ "Charts" }</h2>
                <button class="btn btn-small" id="btn-export-svg" onclick={onexport}
                    title="Download these charts as one SVG file">{ "Export SVG" }</button>
            </div>
            <div class="legend">
                <span class="key" style="--c:#16191f">{ "desired" }</span>
                <span class="key" style="--c:#037f0c">{ "running" }</span>
                <span class="key" style="--c:#ec7211">{ "pending" }</span>
                <span class="key dashed" style="--c:#844ece">{ "deployment started" }</span>
                if moment.is_some() { <span class="key dashed" id="chart-moment-key" style="--c:#d13212">{ "the card's moment" }</span> }
            </div>
            <div class="chart-grid">
                { for series.iter().zip(service_refs.iter()).enumerate().map(|(n, (s, node))| html! {
                    <figure class="chart">
                        <figcaption><span class="swatch" style={format!("background:{}", service_colour(Some(n)))}></span>{ format!("Service {}: tasks", s.name) }</figcaption>
                        <div class="chart-frame">
                            <canvas ref={node.clone()} width={CHART_W.to_string()} height={CHART_H.to_string()} class="chart-canvas" data-service={s.name.clone()}
                                role="img" aria-label={format!("Desired, running and pending tasks of {} over time", s.name)}></canvas>
                            // Each scaling mark's description and cause, on hover over its line.
                            { for s.scaling.iter().map(|(t, label, said)| html! {
                                <span class="scaling-mark" title={said.clone()} aria-label={format!("{label}: {said}")}
                                    style={format!("left:{:.2}%", 100.0 * super::model::charts::x_share(*t, x_range(now).end, PLOT_INSET))}></span>
                            }) }
                        </div>
                    </figure>
                }) }
                <figure class="chart">
                    <figcaption>{ "Cluster reservation: CPU (blue) and memory (green), % of registered" }</figcaption>
                    <canvas ref={reservation_ref} id="chart-reservation" width={CHART_W.to_string()} height={CHART_H.to_string()} class="chart-canvas"
                        role="img" aria-label="Cluster CPU and memory reservation over time"></canvas>
                </figure>
                { for metric_charts.iter().zip(metric_refs.iter()).map(|(c, node)| html! {
                    <figure class="chart" data-chart={c.kind} data-points={c.points().to_string()}>
                        <figcaption>{ c.caption.clone() }</figcaption>
                        <canvas ref={node.clone()} width={CHART_W.to_string()} height={CHART_H.to_string()} class="chart-canvas"
                            role="img" aria-label={c.caption.clone()}></canvas>
                        <div class="legend small">{ for c.lines.iter().map(|l| html! {
                            <span class="key" style={format!("--c:{}", line_hex(l.colour))}>{ l.label.clone() }</span>
                        }) }</div>
                    </figure>
                }) }
            </div>
            if series.is_empty() { <p class="muted">{ "Service charts appear once a service exists." }</p> }
            if more > 0 { <p class="muted">{ format!("{more} more services not charted.") }</p> }
        </section>
    }
}

/// An x-axis label, in one unit for the whole axis: minutes while the axis spans up to two
/// hours, hours past that.
fn axis_time(minutes: f64, in_hours: bool) -> String {
    if !in_hours {
        format!("{minutes:.0}m")
    } else {
        let hours = minutes / 60.0;
        if (hours - hours.round()).abs() < 1e-6 {
            format!("{hours:.0}h")
        } else {
            format!("{hours:.1}h")
        }
    }
}

/// A count's tick label: whole numbers only, so a small range does not repeat "1, 1, 2".
fn count_label(v: f64) -> String {
    if (v - v.round()).abs() < 1e-6 {
        format!("{v:.0}")
    } else {
        String::new()
    }
}

fn minutes(ms: SimTime) -> f64 {
    ms as f64 / MS_PER_MINUTE as f64
}

/// The x range: from the start to now, at least ten minutes.
fn x_range(now: SimTime) -> std::ops::Range<f64> {
    0.0..minutes(now).max(10.0)
}

/// A step line through `points`, held to `now`.
fn steps(points: &[(SimTime, u32)], now: SimTime) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2 + 1);
    for (n, &(t, v)) in points.iter().enumerate() {
        if n > 0 {
            out.push((minutes(t), f64::from(points[n - 1].1)));
        }
        out.push((minutes(t), f64::from(v)));
    }
    if let Some(&(_, v)) = points.last() {
        out.push((minutes(now), f64::from(v)));
    }
    out
}

type Area<DB> = DrawingArea<DB, plotters::coord::Shift>;

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The drawing area of a chart's canvas, once it is in the page.
fn canvas_area(node: &NodeRef) -> Option<Area<CanvasBackend>> {
    let canvas = node.cast::<HtmlCanvasElement>()?;
    Some(CanvasBackend::with_canvas_object(canvas)?.into_drawing_area())
}

/// A cleared area with the axes both charts share: time since the start on x, `y_max` on y.
fn chart_on<'a, DB: DrawingBackend + 'a>(
    root: &'a Area<DB>,
    now: SimTime,
    y_max: f64,
    y_labels: usize,
    y_label: &dyn Fn(&f64) -> String,
) -> Result<Chart<'a, DB>, Box<dyn std::error::Error + 'a>> {
    let in_hours = x_range(now).end > 120.0;
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(root)
        .margin(MARGIN)
        // Room for the last time label, which is centred on the right edge.
        .margin_right(MARGIN_RIGHT)
        .x_label_area_size(22)
        .y_label_area_size(Y_LABELS)
        .build_cartesian_2d(x_range(now), 0.0..y_max)?;
    chart
        .configure_mesh()
        .x_labels(6)
        .y_labels(y_labels)
        .x_label_formatter(&|m| axis_time(*m, in_hours))
        .y_label_formatter(y_label)
        .light_line_style(RGBColor(240, 242, 244))
        .label_style(("sans-serif", 11))
        .draw()?;
    Ok(chart)
}

/// A vertical line at `at` with a label near the top, `row` rows down.
fn mark<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    at: SimTime,
    label: &str,
    colour: RGBColor,
    y_max: f64,
    row: usize,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let x = minutes(at);
    chart.draw_series(LineSeries::new(
        [(x, 0.0), (x, y_max)],
        colour.stroke_width(1),
    ))?;
    chart.draw_series(std::iter::once(Text::new(
        label.to_string(),
        (x, y_max * (0.98 - 0.09 * row as f64)),
        ("sans-serif", 10).into_font().color(&colour),
    )))?;
    Ok(())
}

fn draw_service<'a, DB: DrawingBackend + 'a>(
    root: &'a Area<DB>,
    series: &ServiceSeries,
    now: SimTime,
    moment: Option<SimTime>,
) -> Result<(), Box<dyn std::error::Error + 'a>> {
    let top = series.max_value().max(1);
    let y_max = f64::from(top) * 1.15;
    let ticks = (top as usize + 1).min(5);
    let mut chart = chart_on(root, now, y_max, ticks, &|v| count_label(*v))?;
    for (n, (t, label)) in series.deployments.iter().enumerate() {
        // Labels of deployments close together (a rollback) step down, not over each other.
        let row = series.deployments[..n]
            .iter()
            .rev()
            .take_while(|(earlier, _)| minutes(*t) - minutes(*earlier) < x_range(now).end / 6.0)
            .count()
            % 3;
        mark(&mut chart, *t, label, MARK, y_max, row)?;
    }
    if let Some(at) = moment {
        mark(&mut chart, at, "card", MOMENT, y_max, 3)?;
    }
    // Each scaling activity that set the desired count, marked with the count it set.
    for (n, (t, label, _)) in series.scaling.iter().enumerate() {
        mark(&mut chart, *t, label, SCALING, y_max, 3 + n % 3)?;
    }
    chart.draw_series(LineSeries::new(
        steps(&series.pending, now),
        PENDING.stroke_width(2),
    ))?;
    chart.draw_series(LineSeries::new(
        steps(&series.running, now),
        RUNNING.stroke_width(2),
    ))?;
    chart.draw_series(LineSeries::new(
        steps(&series.desired, now),
        DESIRED.stroke_width(1),
    ))?;
    root.present()?;
    Ok(())
}

fn draw_reservation<'a, DB: DrawingBackend + 'a>(
    root: &'a Area<DB>,
    samples: &[Sample],
    now: SimTime,
    moment: Option<SimTime>,
) -> Result<(), Box<dyn std::error::Error + 'a>> {
    let mut chart = chart_on(root, now, 100.0, 5, &|v| format!("{v:.0}%"))?;
    if let Some(at) = moment {
        mark(&mut chart, at, "card", MOMENT, 100.0, 0)?;
    }
    chart.draw_series(LineSeries::new(
        samples
            .iter()
            .map(|s| (minutes(s.time), s.cpu_reserved_percent)),
        CPU.stroke_width(2),
    ))?;
    chart.draw_series(LineSeries::new(
        samples
            .iter()
            .map(|s| (minutes(s.time), s.memory_reserved_percent)),
        MEMORY.stroke_width(2),
    ))?;
    root.present()?;
    Ok(())
}

/// A metric line's colour: fixed ones for the load balancer's lines, the service's colour
/// for a service (slot 10 and up).
fn line_colour(slot: usize) -> RGBColor {
    match slot {
        0 => CPU,
        1 => RGBColor(209, 50, 18),
        2 => MARK,
        3 => RUNNING,
        n => {
            let c = service_colour(Some(n - 10));
            RGBColor(c.r, c.g, c.b)
        }
    }
}

fn line_hex(slot: usize) -> String {
    let RGBColor(r, g, b) = line_colour(slot);
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn draw_metric<'a, DB: DrawingBackend + 'a>(
    root: &'a Area<DB>,
    chart: &MetricChart,
    now: SimTime,
    moment: Option<SimTime>,
) -> Result<(), Box<dyn std::error::Error + 'a>> {
    let y_max = (chart.max_value() * 1.15).max(1.0);
    let unit = chart.unit;
    let mut area = chart_on(root, now, y_max, 5, &|v| {
        if *v >= 10.0 || *v == 0.0 {
            format!("{v:.0}{unit}")
        } else {
            format!("{v:.1}{unit}")
        }
    })?;
    if let Some(at) = moment {
        mark(&mut area, at, "card", MOMENT, y_max, 0)?;
    }
    // An alarm's time in ALARM, behind its metric.
    area.draw_series(chart.bands.iter().map(|&(from, to)| {
        Rectangle::new(
            [(minutes(from), 0.0), (minutes(to), y_max)],
            ALARM_BAND.filled(),
        )
    }))?;
    for line in &chart.lines {
        area.draw_series(LineSeries::new(
            line.points.iter().map(|&(t, v)| (minutes(t), v)),
            line_colour(line.colour).stroke_width(2),
        ))?;
    }
    root.present()?;
    Ok(())
}

/// Every chart the panel shows, one under the other with its caption, as one SVG document.
pub fn charts_svg(
    series: &[ServiceSeries],
    samples: &[Sample],
    metric_charts: &[MetricChart],
    now: SimTime,
    moment: Option<SimTime>,
) -> Result<String, String> {
    const CAPTION_H: u32 = 20;
    let rows = series.len() + 1 + metric_charts.len();
    let mut svg = String::new();
    {
        let size = (CHART_W, (CHART_H + CAPTION_H) * rows as u32);
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let areas = root.split_evenly((rows, 1));
        let caption = ("sans-serif", 13).into_font().color(&DESIRED);
        for (area, s) in areas.iter().zip(series) {
            let area = area
                .titled(&format!("Service {}: tasks", s.name), caption.clone())
                .map_err(|e| e.to_string())?;
            draw_service(&area, s, now, moment).map_err(|e| e.to_string())?;
        }
        for (area, chart) in areas[series.len() + 1..].iter().zip(metric_charts) {
            let area = area
                .titled(&chart.caption, caption.clone())
                .map_err(|e| e.to_string())?;
            draw_metric(&area, chart, now, moment).map_err(|e| e.to_string())?;
        }
        let last = areas[series.len()]
            .titled(
                "Cluster reservation: CPU and memory, % of registered",
                caption,
            )
            .map_err(|e| e.to_string())?;
        draw_reservation(&last, samples, now, moment).map_err(|e| e.to_string())?;
    }
    Ok(svg)
}
