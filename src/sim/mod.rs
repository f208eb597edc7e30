//! The playground's own actions, `sim:` (design.md section 4): what AWS has no request for.
//! How an image behaves once started (`sim:SetImageBehavior`: its start, exit, health, and
//! what a request costs it) and the traffic sent to load balancers (`sim:SetTraffic`, in
//! [`traffic`]); failures come with their issue. The same shape as a service folder: its
//! requests, its state, and the read functions others may call ([`read`]). It has no timers:
//! traffic is sampled as the clock passes each sample's time (see `World::pass_samples`).

pub mod spot;
pub mod traffic;
pub mod zones;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::engine::error::{parse_request, ApiError};
use crate::engine::time::{duration_from_ms, parse_duration, SimTime};
use crate::world::World;

/// The `sim:` actions' state.
#[derive(Debug, Default)]
pub struct SimState {
    /// How each image behaves once started, by exact image string.
    images: BTreeMap<String, read::ImageBehavior>,
    pub traffic: traffic::TrafficState,
    /// Availability Zones failed by `sim:FailAvailabilityZone`.
    pub failed_zones: std::collections::BTreeSet<String>,
    /// Random interruptions an hour of each group's EC2 Spot instances (`sim:SetSpotCapacity`
    /// with `autoScalingGroupName`).
    pub ec2_spot_rates: BTreeMap<String, f64>,
}

/// What other services may ask of `sim:`.
pub mod read {
    use crate::engine::time::SimTime;
    use crate::world::World;

    /// How an image behaves once started (design.md section 4, `sim:SetImageBehavior`).
    #[derive(Debug, Clone, PartialEq, Eq, Default)]
    pub struct ImageBehavior {
        pub pull_fails: bool,
        pub exit_after_ms: Option<SimTime>,
        pub exit_code: i32,
        pub health_check_fails: bool,
        pub startup_ms: SimTime,
        /// Whether the image's health endpoint answers a load balancer's check with an error
        /// (`"targetHealth": "fail"`).
        pub target_health_fails: bool,
        /// CPU time one request costs, of one vCPU, in microseconds (`"cpuPerRequest"`).
        pub cpu_per_request_us: u64,
        /// The response time of a request on an idle task, in microseconds (`"latency"`).
        pub latency_us: u64,
        /// Memory a running container of the image uses, MiB (`"memory"`).
        pub memory_mib: u32,
        /// Lines a container of the image writes when it starts and when it exits (`"logs"`:
        /// `"start"`, `"exit"`); `None` when not said (it then writes one line saying it
        /// started, the playground's stand-in for an application's output).
        pub log_start: Option<Vec<String>>,
        pub log_exit: Vec<String>,
        /// Lines written for the requests a container of the image answers (`"logs"`:
        /// `"request"`), one a request in turn, at most
        /// [`super::traffic::REQUEST_LOG_LINES_PER_SAMPLE_MAX`] a task each traffic sample.
        pub log_request: Vec<String>,
        /// AWS calls the application makes with its credentials (`"calls"`): at start, then
        /// every `every_ms` if given.
        pub calls: Vec<AppCall>,
        /// Files a container writes (`"writes"`): at start, then every `every_ms` if given.
        pub writes: Vec<FileWrite>,
        /// The image's size, bytes (`"imageSize"`): its layers take that much of a Fargate
        /// task's ephemeral storage.
        pub image_bytes: u64,
    }

    /// One file a container writes (`sim:SetImageBehavior` `"writes"`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct FileWrite {
        pub path: String,
        pub every_ms: Option<SimTime>,
        pub bytes: u64,
    }

    /// One AWS call of an application (`sim:SetImageBehavior` `"calls"`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct AppCall {
        pub action: String,
        pub resource: String,
        pub every_ms: Option<SimTime>,
    }

    /// How containers of `image` behave: as `sim:SetImageBehavior` said, else the defaults
    /// (the pull succeeds, the container runs until stopped, its checks pass, ready at once).
    pub fn image_behavior(world: &World, image: &str) -> ImageBehavior {
        world.sim.images.get(image).cloned().unwrap_or_default()
    }

    /// Whether anything gives tasks a load (traffic, or an image that holds memory): without,
    /// every task uses nothing and callers may skip asking task by task.
    /// Whether `sim:FailAvailabilityZone` has taken `zone` away (and it is not restored).
    pub fn zone_failed(world: &World, zone: &str) -> bool {
        world.sim.failed_zones.contains(zone)
    }

    pub fn any_load(world: &World) -> bool {
        !world.sim.traffic.flows.is_empty()
            || !world.sim.images.is_empty()
            || world.sim.traffic.any_usage()
    }

    /// What a running task uses in the minute under way: CPU units (its requests' cost,
    /// averaged over the minute's traffic samples) and MiB (its images' `memory`).
    pub fn task_usage(world: &World, task: crate::ecs::read::TaskIdx) -> (f64, f64) {
        let cpu = world.sim.traffic.cpu_used(world, task);
        let memory = if world.sim.images.is_empty() {
            0.0
        } else {
            crate::ecs::read::task_images(world, task)
                .filter_map(|image| world.sim.images.get(image))
                .map(|b| f64::from(b.memory_mib))
                .sum()
        };
        (cpu, memory)
    }
}

/// Performs `sim:<operation>`.
pub fn dispatch(world: &mut World, operation: &str, input: &Value) -> Result<Value, ApiError> {
    match operation {
        "SetImageBehavior" => world.set_image_behavior(input),
        "SetTraffic" => world.set_traffic(input),
        "SetSpotCapacity" => world.set_spot_capacity(input),
        "InterruptSpot" => world.interrupt_spot_request(input),
        "FailInstance" => world.fail_instance(input),
        "FailAvailabilityZone" => world.fail_availability_zone(input),
        "RestoreAvailabilityZone" => world.restore_availability_zone(input),
        _ => Err(ApiError::unknown_operation(&format!("sim:{operation}"))),
    }
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SetImageBehaviorRequest {
    image: String,
    pull: Option<String>,
    exit_after: Option<Value>,
    exit_code: Option<i32>,
    health_check: Option<String>,
    startup_time: Option<Value>,
    target_health: Option<String>,
    cpu_per_request: Option<Value>,
    latency: Option<Value>,
    memory: Option<i64>,
    logs: Option<ImageLogs>,
    calls: Option<Vec<CallRequest>>,
    writes: Option<Vec<WriteRequest>>,
    image_size: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WriteRequest {
    path: String,
    every: Option<Value>,
    size: Option<Value>,
}

/// Writes one image makes at the most.
pub const IMAGE_WRITES_MAX: usize = 5;
/// What one write adds to its file when `size` is not given.
pub const WRITE_BYTES_DEFAULT: u64 = 1_024;
/// The largest image or write the model takes: 1 TiB.
pub const BYTES_MAX: u64 = 1 << 40;

/// A size: bytes as a number, or text with a unit (`"512KiB"`, `"20 MiB"`, `"2GiB"`, `"1TiB"`,
/// and the decimal `KB`, `MB`, `GB`, `TB`).
pub fn size_field(value: &Option<Value>, path: &str) -> Result<Option<u64>, ApiError> {
    let bytes = match value {
        None => return Ok(None),
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(text)) => {
            let text = text.trim();
            let split = text
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(text.len());
            let (number, unit) = (text[..split].trim(), text[split..].trim());
            let scale: Option<f64> = match unit {
                "" | "B" => Some(1.0),
                "KiB" => Some(1024.0),
                "MiB" => Some(1024.0 * 1024.0),
                "GiB" => Some(1024.0 * 1024.0 * 1024.0),
                "TiB" => Some(1024.0 * 1024.0 * 1024.0 * 1024.0),
                "KB" => Some(1e3),
                "MB" => Some(1e6),
                "GB" => Some(1e9),
                "TB" => Some(1e12),
                _ => None,
            };
            match (number.parse::<f64>().ok(), scale) {
                (Some(n), Some(scale)) if n >= 0.0 => Some((n * scale).round() as u64),
                _ => None,
            }
        }
        Some(_) => None,
    };
    match bytes {
        Some(b) if b <= BYTES_MAX => Ok(Some(b)),
        _ => Err(ApiError::invalid_parameter(
            "a size is bytes, or a number with a unit such as \"512KiB\", \"20MiB\" or \"2GiB\", at most 1TiB.",
            path,
        )),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CallRequest {
    action: String,
    resource: String,
    every: Option<Value>,
}

/// Calls one image makes at the most.
pub const IMAGE_CALLS_MAX: usize = 5;
/// The shortest interval between an application's repeated calls.
pub const CALL_EVERY_MS_MIN: SimTime = 5_000;

/// `"logs"` of sim:SetImageBehavior: what a container writes to its log.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ImageLogs {
    start: Option<Vec<String>>,
    request: Option<Vec<String>>,
    exit: Option<Vec<String>>,
}

/// Lines one `"logs"` list holds at the most.
pub const IMAGE_LOG_LINES_MAX: usize = 20;

/// The cost of one request, from a duration field (`"20ms"`, or milliseconds as a number,
/// fractions allowed): microseconds, at most [`traffic::REQUEST_TIME_US_MAX`].
fn request_time_field(value: &Option<Value>, path: &str) -> Result<u64, ApiError> {
    let ms = match value {
        None => return Ok(0),
        Some(Value::Number(n)) => n.as_f64().unwrap_or(-1.0),
        Some(Value::String(text)) => {
            parse_duration(text).map_err(|e| ApiError::invalid_parameter(e.0, path))? as f64
        }
        Some(_) => {
            return Err(ApiError::serialization(
                "expected a duration such as \"20ms\"",
                path,
            ))
        }
    };
    let us = (ms * 1000.0).round();
    if !(0.0..=traffic::REQUEST_TIME_US_MAX as f64).contains(&us) {
        return Err(ApiError::invalid_parameter(
            format!(
                "{} must be from 0 to {} ms.",
                path.trim_start_matches("$."),
                traffic::REQUEST_TIME_US_MAX / 1000
            ),
            path,
        ));
    }
    Ok(us as u64)
}

/// A duration field of sim:SetImageBehavior: `"30s"` or milliseconds.
fn duration_field(value: &Option<Value>, path: &str) -> Result<Option<SimTime>, ApiError> {
    match value {
        None => Ok(None),
        Some(Value::String(text)) => parse_duration(text)
            .map(Some)
            .map_err(|e| ApiError::invalid_parameter(e.0, path)),
        // A number is milliseconds, under the same 366-day limit as a string.
        Some(Value::Number(n)) if n.as_u64().is_some() => duration_from_ms(n.as_u64().unwrap_or(0))
            .map(Some)
            .map_err(|e| ApiError::invalid_parameter(e.0, path)),
        Some(_) => Err(ApiError::serialization(
            "expected a duration such as \"30s\"",
            path,
        )),
    }
}

impl World {
    fn set_image_behavior(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: SetImageBehaviorRequest = parse_request(input)?;
        let pull_fails = match request.pull.as_deref() {
            None | Some("ok") => false,
            Some("fail") => true,
            Some(_) => {
                return Err(ApiError::invalid_parameter(
                    "pull must be \"ok\" or \"fail\".",
                    "$.pull",
                ))
            }
        };
        let health_check_fails = match request.health_check.as_deref() {
            None | Some("pass") => false,
            Some("fail") => true,
            Some(_) => {
                return Err(ApiError::invalid_parameter(
                    "healthCheck must be \"pass\" or \"fail\".",
                    "$.healthCheck",
                ))
            }
        };
        let target_health_fails = match request.target_health.as_deref() {
            None | Some("pass") => false,
            Some("fail") => true,
            Some(_) => {
                return Err(ApiError::invalid_parameter(
                    "targetHealth must be \"pass\" or \"fail\".",
                    "$.targetHealth",
                ))
            }
        };
        let memory_mib = match request.memory {
            None => 0,
            Some(m) if (0..=i64::from(traffic::IMAGE_MEMORY_MIB_MAX)).contains(&m) => m as u32,
            Some(_) => {
                return Err(ApiError::invalid_parameter(
                    format!(
                        "memory must be from 0 to {} MiB.",
                        traffic::IMAGE_MEMORY_MIB_MAX
                    ),
                    "$.memory",
                ))
            }
        };
        let logs = request.logs.unwrap_or(ImageLogs {
            start: None,
            request: None,
            exit: None,
        });
        for (list, path) in [
            (&logs.start, "$.logs.start"),
            (&logs.request, "$.logs.request"),
            (&logs.exit, "$.logs.exit"),
        ] {
            if list.as_ref().is_some_and(|l| l.len() > IMAGE_LOG_LINES_MAX) {
                return Err(ApiError::invalid_parameter(
                    format!(
                        "{} holds at most {IMAGE_LOG_LINES_MAX} lines.",
                        path.trim_start_matches("$.")
                    ),
                    path,
                ));
            }
        }
        let calls = request.calls.unwrap_or_default();
        if calls.len() > IMAGE_CALLS_MAX {
            return Err(ApiError::invalid_parameter(
                format!("calls holds at most {IMAGE_CALLS_MAX} calls."),
                "$.calls",
            ));
        }
        let mut app_calls = Vec::new();
        for (i, call) in calls.into_iter().enumerate() {
            let every_ms = duration_field(&call.every, &format!("$.calls[{i}].every"))?;
            if every_ms.is_some_and(|ms| ms < CALL_EVERY_MS_MIN) {
                return Err(ApiError::invalid_parameter(
                    format!(
                        "calls[{i}].every must be at least {} s.",
                        CALL_EVERY_MS_MIN / 1000
                    ),
                    &format!("$.calls[{i}].every"),
                ));
            }
            if !call.action.contains(':') {
                return Err(ApiError::invalid_parameter(
                    "action is an IAM action such as \"s3:GetObject\".",
                    &format!("$.calls[{i}].action"),
                ));
            }
            app_calls.push(read::AppCall {
                action: call.action,
                resource: call.resource,
                every_ms,
            });
        }
        let writes = request.writes.unwrap_or_default();
        if writes.len() > IMAGE_WRITES_MAX {
            return Err(ApiError::invalid_parameter(
                format!("writes holds at most {IMAGE_WRITES_MAX} files."),
                "$.writes",
            ));
        }
        let mut file_writes = Vec::new();
        for (i, w) in writes.into_iter().enumerate() {
            if !w.path.starts_with('/') || w.path.ends_with('/') {
                return Err(ApiError::invalid_parameter(
                    "path is a file's absolute path in the container, such as /data/out.log.",
                    &format!("$.writes[{i}].path"),
                ));
            }
            let every_ms = duration_field(&w.every, &format!("$.writes[{i}].every"))?;
            if every_ms.is_some_and(|ms| ms < CALL_EVERY_MS_MIN) {
                return Err(ApiError::invalid_parameter(
                    format!(
                        "writes[{i}].every must be at least {} s.",
                        CALL_EVERY_MS_MIN / 1000
                    ),
                    &format!("$.writes[{i}].every"),
                ));
            }
            let bytes =
                size_field(&w.size, &format!("$.writes[{i}].size"))?.unwrap_or(WRITE_BYTES_DEFAULT);
            file_writes.push(read::FileWrite {
                path: w.path,
                every_ms,
                bytes,
            });
        }
        let image_bytes = size_field(&request.image_size, "$.imageSize")?.unwrap_or(0);
        let behavior = read::ImageBehavior {
            writes: file_writes,
            image_bytes,
            calls: app_calls,
            log_start: logs.start,
            log_exit: logs.exit.unwrap_or_default(),
            log_request: logs.request.unwrap_or_default(),
            cpu_per_request_us: request_time_field(&request.cpu_per_request, "$.cpuPerRequest")?,
            latency_us: request_time_field(&request.latency, "$.latency")?,
            memory_mib,
            target_health_fails,
            pull_fails,
            exit_after_ms: duration_field(&request.exit_after, "$.exitAfter")?,
            exit_code: request
                .exit_code
                .unwrap_or(if request.exit_after.is_some() { 1 } else { 0 }),
            health_check_fails,
            startup_ms: duration_field(&request.startup_time, "$.startupTime")?.unwrap_or(0),
        };
        self.sim.images.insert(request.image.clone(), behavior);
        Ok(json!({ "image": request.image }))
    }
}
