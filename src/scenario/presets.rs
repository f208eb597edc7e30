//! The example scenarios shipped with the playground (`static/scenarios/`), in the order the
//! picker lists them. They are part of the build: one that fails to parse is a bug, caught by
//! `tests/determinism.rs`, which runs each against its golden log.

/// Id (the file's stem) and document.
pub const PRESETS: &[(&str, &str)] = &[
    (
        "default",
        include_str!("../../static/scenarios/default.json"),
    ),
    (
        "binpack-vs-spread",
        include_str!("../../static/scenarios/binpack-vs-spread.json"),
    ),
    (
        "constraints",
        include_str!("../../static/scenarios/constraints.json"),
    ),
    (
        "rolling-update",
        include_str!("../../static/scenarios/rolling-update.json"),
    ),
    (
        "failed-deployment",
        include_str!("../../static/scenarios/failed-deployment.json"),
    ),
    (
        "random-placement",
        include_str!("../../static/scenarios/random-placement.json"),
    ),
    (
        "task-definitions",
        include_str!("../../static/scenarios/task-definitions.json"),
    ),
    (
        "fargate-basics",
        include_str!("../../static/scenarios/fargate-basics.json"),
    ),
    (
        "daemon-and-draining",
        include_str!("../../static/scenarios/daemon-and-draining.json"),
    ),
    (
        "alb-security-groups",
        include_str!("../../static/scenarios/alb-security-groups.json"),
    ),
    (
        "alb-rolling-update",
        include_str!("../../static/scenarios/alb-rolling-update.json"),
    ),
    (
        "alb-fargate",
        include_str!("../../static/scenarios/alb-fargate.json"),
    ),
    (
        "alb-traffic-overload",
        include_str!("../../static/scenarios/alb-traffic-overload.json"),
    ),
    (
        "nlb-cross-zone",
        include_str!("../../static/scenarios/nlb-cross-zone.json"),
    ),
    (
        "clb-static-ports",
        include_str!("../../static/scenarios/clb-static-ports.json"),
    ),
    (
        "target-tracking-daily",
        include_str!("../../static/scenarios/target-tracking-daily.json"),
    ),
    (
        "step-scaling",
        include_str!("../../static/scenarios/step-scaling.json"),
    ),
    (
        "scheduled-business-hours",
        include_str!("../../static/scenarios/scheduled-business-hours.json"),
    ),
    (
        "alb-requests-per-target",
        include_str!("../../static/scenarios/alb-requests-per-target.json"),
    ),
    (
        "cooldown-spike",
        include_str!("../../static/scenarios/cooldown-spike.json"),
    ),
    (
        "fargate-spot-mix",
        include_str!("../../static/scenarios/fargate-spot-mix.json"),
    ),
    (
        "asg-basics",
        include_str!("../../static/scenarios/asg-basics.json"),
    ),
    (
        "managed-scaling",
        include_str!("../../static/scenarios/managed-scaling.json"),
    ),
    (
        "closed-loop-day",
        include_str!("../../static/scenarios/closed-loop-day.json"),
    ),
    (
        "scale-from-zero",
        include_str!("../../static/scenarios/scale-from-zero.json"),
    ),
    (
        "zone-failure",
        include_str!("../../static/scenarios/zone-failure.json"),
    ),
    (
        "execution-role-missing",
        include_str!("../../static/scenarios/execution-role-missing.json"),
    ),
    (
        "efs-shared-zones",
        include_str!("../../static/scenarios/efs-shared-zones.json"),
    ),
    (
        "sidecar-bind-mount",
        include_str!("../../static/scenarios/sidecar-bind-mount.json"),
    ),
    (
        "ephemeral-storage-full",
        include_str!("../../static/scenarios/ephemeral-storage-full.json"),
    ),
    (
        "task-role-s3",
        include_str!("../../static/scenarios/task-role-s3.json"),
    ),
    (
        "missing-secret",
        include_str!("../../static/scenarios/missing-secret.json"),
    ),
    (
        "awslogs-crash",
        include_str!("../../static/scenarios/awslogs-crash.json"),
    ),
    (
        "asg-cpu-scaling",
        include_str!("../../static/scenarios/asg-cpu-scaling.json"),
    ),
    (
        "asg-spot-mix",
        include_str!("../../static/scenarios/asg-spot-mix.json"),
    ),
    (
        "troubleshooting",
        include_str!("../../static/scenarios/troubleshooting.json"),
    ),
    ("blank", include_str!("../../static/scenarios/blank.json")),
];

/// Each preset's id and scenario name, in picker order.
pub fn names() -> Vec<(&'static str, String)> {
    PRESETS
        .iter()
        .map(|(id, json)| {
            let scenario = super::Scenario::parse(json).expect("presets are valid scenarios");
            (*id, scenario.name)
        })
        .collect()
}

/// The preset with this id.
pub fn preset(id: &str) -> Option<super::Scenario> {
    PRESETS
        .iter()
        .find(|(name, _)| *name == id)
        .map(|(_, json)| super::Scenario::parse(json).expect("presets are valid scenarios"))
}
