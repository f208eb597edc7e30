//! A differential test of target tracking (aws-facts 6.2 and 17.3.1): the desired count the
//! model reaches over random metric series, against a small reference written here from the
//! facts alone: the high alarm (3 of 3 one-minute datapoints above the target) scales out to
//! `ceil(current x metric / target)`, one more at least; the low alarm (15 of 15 below 0.9 x
//! the target) scales in to `ceil(current x metric / target)` when that is fewer; both within
//! min and max; cooldowns of 0, so every minute in ALARM may act.

mod sim;

use ecsplay::world::World;
use serde_json::json;

const TARGET: f64 = 50.0;
const MIN: u32 = 1;
const MAX: u32 = 20;

/// A small generator for the series (not the simulation's: the reference owns its draws).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as f64 / (1u64 << 31) as f64
    }
}

fn world() -> World {
    let mut world = sim::scalable_app(2, MIN, MAX);
    sim::ok(
        &mut world,
        "application-autoscaling:PutScalingPolicy",
        json!({ "PolicyName": "load", "ServiceNamespace": "ecs", "ResourceId": "service/demo/app",
                "ScalableDimension": "ecs:service:DesiredCount", "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": { "TargetValue": TARGET, "ScaleOutCooldown": 0, "ScaleInCooldown": 0,
                    "CustomizedMetricSpecification": { "MetricName": "Load", "Namespace": "App", "Statistic": "Average" } } }),
    );
    world
}

/// The reference's next desired count after a minute whose datapoints (oldest first) are
/// `series`, from `current`.
fn reference(series: &[f64], current: u32) -> u32 {
    let v = *series.last().unwrap();
    let last = |n: usize| (series.len() >= n).then(|| &series[series.len() - n..]);
    if last(3).is_some_and(|w| w.iter().all(|&x| x > TARGET)) {
        if current >= MAX {
            return current;
        }
        let wanted = ((f64::from(current.max(1)) * v / TARGET).ceil() as u32).max(current + 1);
        return wanted.clamp(MIN, MAX);
    }
    if last(15).is_some_and(|w| w.iter().all(|&x| x < 0.9 * TARGET)) {
        if current <= MIN {
            return current;
        }
        let wanted = ((f64::from(current) * v / TARGET).ceil() as u32).min(current);
        return wanted.clamp(MIN, MAX);
    }
    current
}

#[test]
fn target_tracking_decides_as_the_reference_over_random_series() {
    for seed in 1..=6u64 {
        let mut world = world();
        let mut draws = Lcg(seed);
        let mut series = Vec::new();
        let mut expected = 2u32;
        let (mut outs, mut ins) = (0, 0);
        // Stretches of high and low load, so both alarms get their turn.
        for minute in 0..150 {
            let high = (minute / 25) % 2 == 0;
            let value = if high {
                40.0 + draws.next() * 80.0
            } else {
                draws.next() * 44.0
            };
            let value = (value * 100.0).round() / 100.0;
            sim::feed_load(&mut world, &[value]);
            series.push(value);
            let next = reference(&series, expected);
            outs += usize::from(next > expected);
            ins += usize::from(next < expected);
            expected = next;
            let desired = sim::app_desired(&mut world) as u32;
            assert_eq!(
                desired,
                expected,
                "seed {seed}, minute {minute}, series {:?}",
                &series[series.len().saturating_sub(15)..]
            );
        }
        // The series made both alarms act, so the comparison covered both ways.
        assert!(
            outs > 0 && ins > 0,
            "seed {seed}: {outs} scale-outs, {ins} scale-ins"
        );
    }
}
