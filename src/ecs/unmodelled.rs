//! The request fields ECS takes that this model does not act on yet. Each is refused with
//! `UnsupportedFeatureException` and its path when given a value that would change what
//! happens; an empty value, `false`, or the documented default (what leaving the field out
//! means) is accepted. Fields that change nothing the model simulates (tags, `clientToken`,
//! `platformVersion`, `propagateTags`, `enableECSManagedTags`, `startedBy`, `referenceId`) are
//! taken as they are. The README lists both.

use serde_json::Value;

use crate::engine::error::Unmodelled;

const EXEC: &str = "ECS Exec (execute-command) is not simulated.";
const VOLUME_CONFIGURATIONS: &str = "Amazon EBS volumes configured at launch are not simulated.";

fn is(value: &Value, expected: &str) -> bool {
    value.as_str() == Some(expected)
}

/// `containerOverrides` that only name their containers, as the console and the CLI's
/// skeletons write them, override nothing.
fn overrides_nothing(value: &Value) -> bool {
    let Some(map) = value.as_object() else {
        return false;
    };
    map.iter().all(|(key, v)| {
        key == "containerOverrides"
            && v.as_array().is_some_and(|list| {
                list.iter()
                    .all(|o| o.as_object().is_some_and(|o| o.keys().all(|k| k == "name")))
            })
    })
}

const fn field(path: &'static str, why: &'static str) -> Unmodelled {
    Unmodelled {
        path,
        why,
        default: None,
    }
}

fn disabled(v: &Value) -> bool {
    is(v, "DISABLED")
}

fn rolling(v: &Value) -> bool {
    is(v, "ROLLING")
}

fn alarms_off(v: &Value) -> bool {
    v["enable"] == Value::Bool(false)
}

fn ecs_controller(v: &Value) -> bool {
    v.as_object().is_some_and(|o| o.len() == 1) && is(&v["type"], "ECS")
}

/// What CreateService and UpdateService both take and the model does not act on, and then
/// what only one of them takes.
macro_rules! service_fields {
    ($($extra:expr),*) => {
        &[
            field("$.serviceRegistries", "service discovery (AWS Cloud Map) is not simulated."),
            field("$.serviceConnectConfiguration", "Service Connect is not simulated."),
            field("$.volumeConfigurations", VOLUME_CONFIGURATIONS),
            field("$.vpcLatticeConfigurations", "VPC Lattice is not simulated."),
            field("$.enableExecuteCommand", EXEC),
            with_default(
                "$.availabilityZoneRebalancing",
                "the scheduler does not rebalance tasks across zones once they are placed.",
                disabled,
            ),
            with_default(
                "$.deploymentConfiguration.alarms",
                "deployment alarms (a rollback on a CloudWatch alarm) are not simulated; deployments here watch the circuit breaker.",
                alarms_off,
            ),
            with_default(
                "$.deploymentConfiguration.strategy",
                "deployments here are rolling updates.",
                rolling,
            ),
            field(
                "$.deploymentConfiguration.bakeTimeInMinutes",
                "deployments here are rolling updates, without a bake time.",
            ),
            field(
                "$.deploymentConfiguration.lifecycleHooks",
                "deployments here are rolling updates, without lifecycle hooks.",
            ),
            $($extra),*
        ]
    };
}

const fn with_default(
    path: &'static str,
    why: &'static str,
    default: fn(&Value) -> bool,
) -> Unmodelled {
    Unmodelled {
        path,
        why,
        default: Some(default),
    }
}

pub const CREATE_SERVICE: &[Unmodelled] = service_fields!(with_default(
    "$.deploymentController",
    "only the rolling update controller (type ECS) is simulated.",
    ecs_controller
));

pub const UPDATE_SERVICE: &[Unmodelled] = service_fields!(field(
    "$.networkConfiguration",
    "a service keeps the network configuration it was created with."
));

const OVERRIDES: &str =
    "task and container overrides are not simulated: register a revision instead.";

pub const RUN_TASK: &[Unmodelled] = &[
    with_default("$.overrides", OVERRIDES, overrides_nothing),
    field("$.volumeConfigurations", VOLUME_CONFIGURATIONS),
    field("$.enableExecuteCommand", EXEC),
];

pub const START_TASK: &[Unmodelled] = &[
    with_default("$.overrides", OVERRIDES, overrides_nothing),
    field("$.volumeConfigurations", VOLUME_CONFIGURATIONS),
    field("$.enableExecuteCommand", EXEC),
];

const PAGES: &str = "lists are answered whole, in one page.";

/// List operations: every answer is one page.
pub const LIST: &[Unmodelled] = &[field("$.maxResults", PAGES), field("$.nextToken", PAGES)];

/// Describe operations' `include` (tags, settings, statistics...): what the answers carry is
/// all there is.
pub const DESCRIBE: &[Unmodelled] = &[field(
    "$.include",
    "the answers carry what the model has; tags and the extra details are not simulated.",
)];

/// `settings` of `containerInsights` off (as the model reports it), and nothing else.
fn insights_off(v: &Value) -> bool {
    v.as_array().is_some_and(|settings| {
        settings
            .iter()
            .all(|s| is(&s["name"], "containerInsights") && is(&s["value"], "disabled"))
    })
}

pub const CREATE_CLUSTER: &[Unmodelled] = &[
    with_default(
        "$.settings",
        "Container Insights is not simulated: its setting stays disabled.",
        insights_off,
    ),
    field(
        "$.configuration",
        "ECS Exec and managed storage configurations are not simulated.",
    ),
    field(
        "$.serviceConnectDefaults",
        "Service Connect is not simulated.",
    ),
];
