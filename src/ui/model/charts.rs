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
