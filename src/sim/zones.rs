//! A failing Availability Zone (issue 17 item 5): `sim:FailAvailabilityZone` takes a zone
//! away: every EC2 instance there fails as `sim:FailInstance` fails one (its tasks are lost
//! with ECS's reason, its group replaces it), EC2 has no capacity there for new instances
//! (RunInstances is refused with EC2's InsufficientInstanceCapacity, a group launches in its
//! other zones) and Fargate places no task there. `sim:RestoreAvailabilityZone` gives the zone
//! back; what moved away stays where it is (the model does not rebalance groups). Both are
//! idempotent: failing a failed zone fails what was launched there since (nothing: EC2 has
//! no capacity there), restoring a zone that is up changes nothing.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::engine::error::{parse_request, ApiError};
use crate::world::{Command, World};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ZoneRequest {
    availability_zone: String,
}

fn invalid(message: impl Into<String>, path: &str) -> ApiError {
    ApiError::new("InvalidParameterException", message, Some(path))
}

impl World {
    /// The zone a request names, checked: one of the Region's (it has a default subnet).
    fn requested_zone(&self, input: &Value) -> Result<String, ApiError> {
        let request: ZoneRequest = parse_request(input)?;
        let zone = request.availability_zone;
        if crate::ec2::read::default_subnet(self, &zone).is_none() {
            return Err(invalid(
                format!(
                    "{zone} is not an Availability Zone of {}.",
                    self.config.region
                ),
                "$.availabilityZone",
            ));
        }
        Ok(zone)
    }

    /// `sim:FailAvailabilityZone` `{"availabilityZone": "us-east-1a"}`.
    pub(crate) fn fail_availability_zone(&mut self, input: &Value) -> Result<Value, ApiError> {
        let zone = self.requested_zone(input)?;
        let failed: Vec<String> = crate::ec2::read::instances(self)
            .filter(|i| {
                i.availability_zone == zone
                    && i.state != crate::ec2::read::InstanceState::Terminated
            })
            .map(|i| i.id.to_string())
            .collect();
        self.sim.failed_zones.insert(zone.clone());
        for id in &failed {
            self.command(Command::TerminateInstance(id.clone()));
        }
        Ok(json!({ "availabilityZone": zone, "failedInstanceIds": failed }))
    }

    /// `sim:RestoreAvailabilityZone` `{"availabilityZone": "us-east-1a"}`.
    pub(crate) fn restore_availability_zone(&mut self, input: &Value) -> Result<Value, ApiError> {
        let zone = self.requested_zone(input)?;
        self.sim.failed_zones.remove(&zone);
        Ok(json!({ "availabilityZone": zone }))
    }
}
