//! The charts' data, free of the browser: per service, desired, running and pending tasks over
//! time with each deployment's start marked; the cluster's CPU and memory reservation comes from
//! the session's samples.

use crate::ecs::Service;
use crate::world::World;

/// Each service's name as the legend, the charts and the map show it: with its cluster when
/// another cluster has a service of the same name (`api (binpack)`), index for index.
pub fn service_labels(world: &World) -> Vec<String> {
    let services = &world.ecs.services;
    services
        .iter()
        .map(|s| {
            let repeated = services
                .iter()
                .any(|o| o.name == s.name && o.cluster != s.cluster);
            if repeated {
                format!("{} ({})", s.name, s.cluster)
            } else {
                s.name.clone()
            }
        })
        .collect()
}
use crate::engine::time::SimTime;

/// A step series: the value holds from each point's time until the next point.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceSeries {
    pub name: String,
    pub desired: Vec<(SimTime, u32)>,
    pub running: Vec<(SimTime, u32)>,
    pub pending: Vec<(SimTime, u32)>,
    /// Each deployment's start: time and its task definition (`family:revision`).
    pub deployments: Vec<(SimTime, String)>,
    /// Each scaling activity that set its desired count: time, the new count (`-> 4`), and
    /// the activity's description and cause (shown on hover).
    pub scaling: Vec<ScalingMark>,
}

/// Where on a chart's canvas, as a share of its width from the left, the time `at` falls: the
/// plot spans from `left` to `width - right` pixels of `width` over 0 to `end` minutes.
pub fn x_share(at: SimTime, end_minutes: f64, (left, right, width): (f64, f64, f64)) -> f64 {
    let minutes = at as f64 / crate::engine::time::MS_PER_MINUTE as f64;
    (left + minutes / end_minutes.max(f64::MIN_POSITIVE) * (width - left - right)) / width
}

/// Scaling activities marked on a service's tasks chart at the most (the newest).
pub const SCALING_MARKS_MAX: usize = 20;

/// A scaling activity's mark: when, its label (`-> 4`), and what it says (description and
/// cause, as DescribeScalingActivities gives them).
pub type ScalingMark = (SimTime, String, String);

/// The scaling activities that set `cluster`/`service`'s desired count, as chart marks.
pub fn scaling_marks(world: &World, cluster: &str, service: &str) -> Vec<ScalingMark> {
    let resource = format!("service/{cluster}/{service}");
    let mut marks: Vec<ScalingMark> = (world.autoscaling.activities.iter().rev())
        .filter(|a| a.resource_id == resource && a.not_scaled.is_none())
        .filter_map(|a| {
            let count = a.description.strip_prefix("Setting desired count to ")?;
            Some((
                a.at,
                format!("-> {}", count.trim_end_matches('.')),
                format!("{} {}", a.description, a.cause),
            ))
        })
        .take(SCALING_MARKS_MAX)
        .collect();
    marks.reverse();
    marks
}

impl ServiceSeries {
    /// Sums the service's per-deployment timeline into service totals at each time a point was
    /// recorded.
    pub fn of(service: &Service) -> ServiceSeries {
        let mut series = ServiceSeries {
            name: service.name.clone(),
            ..Default::default()
        };
        // The latest point of each deployment as of the time being summed.
        let mut latest: Vec<(&str, u32, u32, u32)> = Vec::new();
        let points = &service.timeline;
        let mut i = 0;
        while i < points.len() {
            let time = points[i].time;
            while i < points.len() && points[i].time == time {
                let p = &points[i];
                match latest.iter_mut().find(|(id, ..)| *id == p.deployment_id) {
                    Some(entry) => *entry = (&p.deployment_id, p.desired, p.running, p.pending),
                    None => latest.push((&p.deployment_id, p.desired, p.running, p.pending)),
                }
                i += 1;
            }
            let desired = latest.iter().map(|e| e.1).max().unwrap_or(0);
            series.desired.push((time, desired));
            series
                .running
                .push((time, latest.iter().map(|e| e.2).sum()));
            series
                .pending
                .push((time, latest.iter().map(|e| e.3).sum()));
        }
        let mut deployments: Vec<(SimTime, String)> = service
            .deployments
            .iter()
            .map(|d| (d.created_at, d.task_definition.clone()))
            .collect();
        deployments.sort();
        series.deployments = deployments;
        series
    }

    /// The largest value in any series (for the chart's y range).
    pub fn max_value(&self) -> u32 {
        self.desired
            .iter()
            .chain(&self.running)
            .chain(&self.pending)
            .map(|p| p.1)
            .max()
            .unwrap_or(0)
    }
}

/// Services charted (the first ones created); the rest are named in a note.
pub const CHARTED_SERVICES_MAX: usize = 4;
/// Load balancers charted from their metrics (the first ones made).
pub const CHARTED_LOAD_BALANCERS_MAX: usize = 2;

/// A line of a metric chart: its label and colour slot, and its points (the end of each
/// datapoint's minute, when it was published, and the value).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricLine {
    pub label: String,
    pub colour: usize,
    pub points: Vec<(SimTime, f64)>,
}

/// A chart drawn from CloudWatch's datapoints, as the console's metric graphs are.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricChart {
    /// Which chart it is, for the page (`requests`, `latency`, `hosts`, `cpu`).
    pub kind: &'static str,
    pub caption: String,
    /// How the y axis reads (`{v:.0}%`...): a suffix for its labels.
    pub unit: &'static str,
    pub lines: Vec<MetricLine>,
    /// Spans drawn behind the lines: an alarm's time in ALARM (start, end).
    pub bands: Vec<(SimTime, SimTime)>,
}

impl MetricChart {
    pub fn max_value(&self) -> f64 {
        (self.lines.iter())
            .flat_map(|l| l.points.iter().map(|p| p.1))
            .fold(0.0, f64::max)
    }

    pub fn points(&self) -> usize {
        self.lines.iter().map(|l| l.points.len()).sum()
    }
}

/// One statistic of a metric, per minute, at each minute's end.
fn metric_points(
    world: &World,
    namespace: &str,
    name: &str,
    dims: &[(&str, &str)],
    statistic: &str,
    scale: f64,
) -> Vec<(SimTime, f64)> {
    let id = crate::cloudwatch::metrics::MetricId::new(namespace, name, dims);
    (world.cloudwatch.metrics.series(&id).into_iter())
        .flat_map(|s| s.points.iter())
        .map(|(minute, stats)| {
            (
                minute + crate::cloudwatch::PERIOD_MS,
                stats.get(statistic) * scale,
            )
        })
        .collect()
}

/// Two series added minute by minute (a minute missing from one counts as zero there).
fn sum_points(a: &[(SimTime, f64)], b: &[(SimTime, f64)]) -> Vec<(SimTime, f64)> {
    let mut out: std::collections::BTreeMap<SimTime, f64> = a.iter().copied().collect();
    for &(t, v) in b {
        *out.entry(t).or_default() += v;
    }
    out.into_iter().collect()
}

/// The traffic charts: for each charted load balancer, requests and 5xx a minute, target
/// response time, and healthy and unhealthy hosts per target group; then each service's CPU
/// utilization. Only what has datapoints.
pub fn traffic_charts(world: &World) -> Vec<MetricChart> {
    use crate::elb::load_balancer::Kind;
    use crate::elb::traffic::dimension_value;
    let mut charts = Vec::new();
    for lb in world
        .elb
        .load_balancers
        .iter()
        .take(CHARTED_LOAD_BALANCERS_MAX)
    {
        let lb_dim = dimension_value(&lb.arn);
        // A Classic Load Balancer's metrics are AWS/ELB's, by LoadBalancerName.
        let (ns, by_lb, requests_name, latency_name, errors) = match lb.kind {
            Kind::Application => (
                "AWS/ApplicationELB",
                [("LoadBalancer", lb_dim)],
                "RequestCount",
                Some("TargetResponseTime"),
                ["HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count"],
            ),
            Kind::Network => (
                "AWS/NetworkELB",
                [("LoadBalancer", lb_dim)],
                "NewFlowCount",
                None,
                ["TCP_ELB_Reset_Count", "TCP_Target_Reset_Count"],
            ),
            Kind::Classic => (
                "AWS/ELB",
                [("LoadBalancerName", lb.name.as_str())],
                "RequestCount",
                Some("Latency"),
                ["HTTPCode_Backend_5XX", "HTTPCode_ELB_5XX"],
            ),
        };
        let requests = metric_points(world, ns, requests_name, &by_lb, "Sum", 1.0);
        if requests.is_empty() {
            continue;
        }
        let errors = sum_points(
            &metric_points(world, ns, errors[0], &by_lb, "Sum", 1.0),
            &metric_points(world, ns, errors[1], &by_lb, "Sum", 1.0),
        );
        charts.push(MetricChart {
            kind: "requests",
            caption: format!("{}: requests and 5xx a minute", lb.name),
            unit: "",
            bands: Vec::new(),
            lines: vec![
                MetricLine {
                    label: requests_name.into(),
                    colour: 0,
                    points: requests,
                },
                MetricLine {
                    label: if lb.kind == Kind::Network {
                        "resets"
                    } else {
                        "5xx (target + ELB)"
                    }
                    .into(),
                    colour: 1,
                    points: errors,
                },
            ],
        });
        if let Some(latency) = latency_name {
            charts.push(MetricChart {
                kind: "latency",
                caption: format!(
                    "{}: {} (ms, average)",
                    lb.name,
                    if lb.kind == Kind::Classic {
                        "latency"
                    } else {
                        "target response time"
                    }
                ),
                unit: " ms",
                bands: Vec::new(),
                lines: vec![MetricLine {
                    label: latency.into(),
                    colour: 2,
                    points: metric_points(world, ns, latency, &by_lb, "Average", 1000.0),
                }],
            });
        }
        let mut hosts = Vec::new();
        for g in crate::elb::traffic::groups_of(world, &lb.arn) {
            let tg = &world.elb.target_groups[g];
            let both = [
                ("LoadBalancer", lb_dim),
                ("TargetGroup", dimension_value(&tg.arn)),
            ];
            let dims: &[(&str, &str)] = if tg.classic { &by_lb } else { &both };
            let name = if tg.classic {
                "instances"
            } else {
                tg.name.as_str()
            };
            hosts.push(MetricLine {
                label: format!("{name} healthy"),
                colour: 3,
                points: metric_points(world, ns, "HealthyHostCount", dims, "Minimum", 1.0),
            });
            hosts.push(MetricLine {
                label: format!("{name} unhealthy"),
                colour: 1,
                points: metric_points(world, ns, "UnHealthyHostCount", dims, "Maximum", 1.0),
            });
        }
        charts.push(MetricChart {
            kind: "hosts",
            caption: format!("{}: healthy and unhealthy hosts", lb.name),
            unit: "",
            bands: Vec::new(),
            lines: hosts,
        });
    }
    let labels = service_labels(world);
    let cpu: Vec<MetricLine> = (world.ecs.services.iter().zip(labels))
        .enumerate()
        .take(CHARTED_SERVICES_MAX)
        .map(|(n, (s, label))| MetricLine {
            label,
            colour: 10 + n,
            points: metric_points(
                world,
                "AWS/ECS",
                "CPUUtilization",
                &[("ClusterName", &s.cluster), ("ServiceName", &s.name)],
                "Average",
                1.0,
            ),
        })
        .filter(|l| l.points.iter().any(|p| p.1 > 0.0))
        .collect();
    if !cpu.is_empty() {
        charts.push(MetricChart {
            kind: "cpu",
            caption: "Services: CPUUtilization (%, AWS/ECS)".into(),
            unit: "%",
            bands: Vec::new(),
            lines: cpu,
        });
    }
    charts
}

/// Alarms charted at the most (the first made).
pub const CHARTED_ALARMS_MAX: usize = 4;

/// A chart per alarm with datapoints: its metric at its statistic and its threshold, the
/// caption saying its state (a scaling policy's alarms show why the desired count moved).
pub fn alarm_charts(world: &World) -> Vec<MetricChart> {
    let mut charts = Vec::new();
    for alarm in world.cloudwatch.alarms.iter().take(CHARTED_ALARMS_MAX) {
        let dims: Vec<(&str, &str)> = (alarm.metric.dimensions.iter())
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let points = metric_points(
            world,
            &alarm.metric.namespace,
            &alarm.metric.name,
            &dims,
            &alarm.statistic,
            1.0,
        );
        let (Some(first), Some(last)) = (points.first().copied(), points.last().copied()) else {
            continue;
        };
        let short = alarm
            .name
            .rsplit_once("-Alarm")
            .map_or(alarm.name.as_str(), |(_, rest)| rest);
        let short = short.split('-').next().unwrap_or(short);
        let name = if alarm.name.starts_with("TargetTracking-") {
            format!("Alarm{short} (target tracking)")
        } else {
            alarm.name.clone()
        };
        // Its time in ALARM, from its history's state changes (the newest 100).
        let mut bands = Vec::new();
        let mut since = None;
        for h in alarm.history.iter().filter(|h| h.kind == "StateUpdate") {
            let state = h.data["newState"]["stateValue"].as_str().unwrap_or("");
            match (state == "ALARM", since) {
                (true, None) => since = Some(h.time),
                (false, Some(start)) => {
                    bands.push((start, h.time));
                    since = None;
                }
                _ => {}
            }
        }
        if let Some(start) = since {
            bands.push((start, world.now()));
        }
        charts.push(MetricChart {
            kind: "alarm",
            bands,
            caption: format!(
                "{name}: {} {} ({}), now {}",
                alarm.metric.name,
                alarm.statistic,
                alarm.comparison.as_str(),
                alarm.state.as_str()
            ),
            unit: "",
            lines: vec![
                MetricLine {
                    label: alarm.metric.name.clone(),
                    colour: 0,
                    points,
                },
                MetricLine {
                    label: format!("threshold {}", alarm.threshold),
                    colour: 1,
                    points: vec![(first.0, alarm.threshold), (last.0, alarm.threshold)],
                },
            ],
        });
    }
    charts
}

/// Auto Scaling groups charted from their group metrics, at the most (the first made).
pub const CHARTED_GROUPS_MAX: usize = 2;

/// Each group that collects its metrics (EnableMetricsCollection): desired, in-service and
/// pending instances a minute, from `AWS/AutoScaling` as the console's Monitoring tab draws
/// them. Only what has datapoints.
pub fn group_charts(world: &World) -> Vec<MetricChart> {
    let mut charts = Vec::new();
    let groups = (world.asg.groups.iter()).filter(|g| !g.enabled_metrics.is_empty());
    for g in groups.take(CHARTED_GROUPS_MAX) {
        let dims = [("AutoScalingGroupName", g.name.as_str())];
        let lines: Vec<MetricLine> = [
            ("GroupDesiredCapacity", "desired"),
            ("GroupInServiceInstances", "in service"),
            ("GroupPendingInstances", "pending"),
        ]
        .into_iter()
        .enumerate()
        .map(|(colour, (metric, label))| MetricLine {
            label: label.to_string(),
            colour,
            points: metric_points(
                world,
                crate::asg::metrics::NAMESPACE,
                metric,
                &dims,
                "Average",
                1.0,
            ),
        })
        .filter(|l| !l.points.is_empty())
        .collect();
        if lines.is_empty() {
            continue;
        }
        charts.push(MetricChart {
            kind: "group",
            caption: format!(
                "Auto Scaling group {}: instances (AWS/AutoScaling, min {} max {})",
                g.name, g.min, g.max
            ),
            unit: "",
            lines,
            bands: Vec::new(),
        });
    }
    charts
}

/// RUNNING tasks per capacity provider over time, from the session's samples; None before any
/// task runs on a provider.
pub fn provider_chart(samples: &[crate::ui::model::session::Sample]) -> Option<MetricChart> {
    let mut names: Vec<&str> = Vec::new();
    for s in samples {
        for (p, _) in &s.providers {
            if !names.contains(&p.as_str()) {
                names.push(p);
            }
        }
    }
    if names.is_empty() {
        return None;
    }
    let lines = (names.iter().enumerate())
        .map(|(colour, name)| MetricLine {
            label: name.to_string(),
            colour,
            points: (samples.iter())
                .map(|s| {
                    let n = (s.providers.iter())
                        .find(|(p, _)| p == name)
                        .map_or(0, |(_, n)| *n);
                    (s.time, f64::from(n))
                })
                .collect(),
        })
        .collect();
    Some(MetricChart {
        kind: "providers",
        caption: "Running tasks per capacity provider".to_string(),
        unit: "",
        lines,
        bands: Vec::new(),
    })
}
