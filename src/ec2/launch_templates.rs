//! Launch templates: CreateLaunchTemplate, CreateLaunchTemplateVersion, DescribeLaunchTemplates,
//! DescribeLaunchTemplateVersions, DeleteLaunchTemplate. What an instance is launched with (its
//! AMI, type, instance profile, security groups and user data); EC2 Auto Scaling launches its
//! groups' instances from them (`world::Command::LaunchInstance`).

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{catalogue, dry_run_stop, Ec2Instance, InstanceState, Timer, INSTANCE_BOOT_MS};
use crate::engine::error::{parse_request, refuse_unmodelled, ApiError, Unmodelled};
use crate::world::World;

/// Launch templates an account holds here (AWS's quota is 5,000 per Region).
pub const LAUNCH_TEMPLATES_MAX: usize = 5_000;
/// Versions one template holds here (AWS's quota is 10,000).
pub const VERSIONS_MAX: usize = 1_000;

/// One version of a launch template: its number and the data as given.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    pub number: u32,
    pub description: Option<String>,
    pub data: Value,
    pub created_at: crate::engine::time::SimTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LaunchTemplate {
    pub id: String,
    pub name: String,
    pub default_version: u32,
    pub versions: Vec<Version>,
    pub created_at: crate::engine::time::SimTime,
}

impl LaunchTemplate {
    pub fn latest(&self) -> u32 {
        self.versions.last().map_or(1, |v| v.number)
    }

    /// The version a `Version` field names: `$Latest`, `$Default`, or a number (none: the
    /// default).
    pub fn resolve(&self, version: Option<&str>) -> Option<&Version> {
        let number = match version {
            None | Some("$Default") => self.default_version,
            Some("$Latest") => self.latest(),
            Some(n) => n.parse().ok()?,
        };
        self.versions.iter().find(|v| v.number == number)
    }
}

/// Launch template data fields the model does not act on, refused by path.
const DATA_UNMODELLED: &[Unmodelled] = &[
    Unmodelled {
        path: "$.LaunchTemplateData.InstanceMarketOptions",
        why: "Spot instances arrive with mixed instances policies.",
        default: None,
    },
    Unmodelled {
        path: "$.LaunchTemplateData.NetworkInterfaces",
        why: "network interfaces are not simulated: name SecurityGroupIds and the group's subnets.",
        default: None,
    },
    Unmodelled {
        path: "$.LaunchTemplateData.InstanceRequirements",
        why: "attribute-based instance type selection is not simulated: name InstanceType.",
        default: None,
    },
    Unmodelled {
        path: "$.LaunchTemplateData.SecurityGroups",
        why: "name security groups by id in SecurityGroupIds.",
        default: None,
    },
    Unmodelled {
        path: "$.LaunchTemplateData.Placement",
        why: "an Auto Scaling group places its instances in its own subnets.",
        default: None,
    },
];

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct TemplateData {
    image_id: Option<String>,
    instance_type: Option<String>,
    user_data: Option<String>,
    iam_instance_profile: Option<InstanceProfile>,
    security_group_ids: Option<Vec<String>>,
    security_groups: Option<Value>,
    key_name: Option<Value>,
    tag_specifications: Option<Value>,
    block_device_mappings: Option<Value>,
    monitoring: Option<Value>,
    metadata_options: Option<Value>,
    ebs_optimized: Option<Value>,
    instance_market_options: Option<Value>,
    network_interfaces: Option<Value>,
    instance_requirements: Option<Value>,
    placement: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct InstanceProfile {
    name: Option<String>,
    arn: Option<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateRequest {
    launch_template_name: String,
    version_description: Option<String>,
    launch_template_data: Value,
    tag_specifications: Option<Value>,
    client_token: Option<Value>,
    dry_run: Option<bool>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateVersionRequest {
    launch_template_id: Option<String>,
    launch_template_name: Option<String>,
    source_version: Option<String>,
    version_description: Option<String>,
    launch_template_data: Value,
    client_token: Option<Value>,
    dry_run: Option<bool>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DescribeRequest {
    launch_template_ids: Option<Vec<String>>,
    launch_template_names: Option<Vec<String>>,
    dry_run: Option<bool>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DescribeVersionsRequest {
    launch_template_id: Option<String>,
    launch_template_name: Option<String>,
    versions: Option<Vec<String>>,
    dry_run: Option<bool>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DeleteRequest {
    launch_template_id: Option<String>,
    launch_template_name: Option<String>,
    dry_run: Option<bool>,
}

fn error(code: &str, message: impl Into<String>, path: &str) -> ApiError {
    ApiError::new(code, message, Some(path))
}

/// A template's name: 3 to 128 of letters, digits and `().-/_` (EC2's rule).
fn check_name(name: &str) -> Result<(), ApiError> {
    let ok = (3..=128).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "().-/_".contains(c));
    if ok {
        Ok(())
    } else {
        Err(error(
            "InvalidLaunchTemplateName.MalformedException",
            "A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.'",
            "$.LaunchTemplateName",
        ))
    }
}

impl World {
    /// Template data, checked: its fields, its instance type, its security groups and its
    /// user data (base64, as the API takes it in a template).
    fn check_template_data(&self, data: &Value) -> Result<(), ApiError> {
        let wrapped = json!({ "LaunchTemplateData": data });
        refuse_unmodelled(&wrapped, DATA_UNMODELLED)?;
        let parsed: TemplateData = parse_request(data).map_err(|mut e| {
            e.path = e.path.map(|p| p.replacen('$', "$.LaunchTemplateData", 1));
            e
        })?;
        if let Some(kind) = &parsed.instance_type {
            if catalogue::instance_type(kind).is_none() {
                return Err(error(
                    "InvalidParameterValue",
                    format!("Invalid value '{kind}' for InstanceType."),
                    "$.LaunchTemplateData.InstanceType",
                ));
            }
        }
        if let Some(text) = &parsed.user_data {
            if crate::engine::base64::decode(text).is_none() {
                return Err(error(
                    "InvalidUserData.Malformed",
                    "Invalid BASE64 encoding of user data.",
                    "$.LaunchTemplateData.UserData",
                ));
            }
        }
        for (n, id) in parsed.security_group_ids.iter().flatten().enumerate() {
            if self.ec2.network.group(id).is_none() {
                return Err(error(
                    "InvalidGroupId.NotFound",
                    format!("The security group '{id}' does not exist"),
                    &format!("$.LaunchTemplateData.SecurityGroupIds[{n}]"),
                ));
            }
        }
        Ok(())
    }

    /// The template a request names by id or name; exactly one of them.
    fn named_template(&self, id: Option<&str>, name: Option<&str>) -> Result<usize, ApiError> {
        let found = match (id, name) {
            (Some(id), None) => self.ec2.launch_templates.iter().position(|t| t.id == id),
            (None, Some(name)) => self
                .ec2
                .launch_templates
                .iter()
                .position(|t| t.name == name),
            _ => {
                return Err(error(
                    "MissingParameter",
                    "The request must include either LaunchTemplateId or LaunchTemplateName.",
                    "$.LaunchTemplateId",
                ))
            }
        };
        found.ok_or_else(|| match (id, name) {
            (Some(id), _) => error(
                "InvalidLaunchTemplateId.NotFound",
                format!("The specified launch template, with template ID {id}, does not exist."),
                "$.LaunchTemplateId",
            ),
            (_, name) => error(
                "InvalidLaunchTemplateName.NotFoundException",
                format!(
                    "The specified launch template, with template name {}, does not exist.",
                    name.unwrap_or_default()
                ),
                "$.LaunchTemplateName",
            ),
        })
    }

    pub(crate) fn create_launch_template(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: CreateRequest = parse_request(input)?;
        check_name(&request.launch_template_name)?;
        self.check_template_data(&request.launch_template_data)?;
        if (self.ec2.launch_templates.iter()).any(|t| t.name == request.launch_template_name) {
            return Err(error(
                "InvalidLaunchTemplateName.AlreadyExistsException",
                format!(
                    "Launch template name already in use. ({})",
                    request.launch_template_name
                ),
                "$.LaunchTemplateName",
            ));
        }
        if self.ec2.launch_templates.len() >= LAUNCH_TEMPLATES_MAX {
            return Err(error(
                "LaunchTemplateLimitExceeded",
                format!("The model holds {LAUNCH_TEMPLATES_MAX} launch templates at the most."),
                "$.LaunchTemplateName",
            ));
        }
        dry_run_stop(request.dry_run)?;
        let id = format!("lt-{}", self.ids.hex(17));
        let template = LaunchTemplate {
            id,
            name: request.launch_template_name,
            default_version: 1,
            versions: vec![Version {
                number: 1,
                description: request.version_description,
                data: request.launch_template_data,
                created_at: self.now,
            }],
            created_at: self.now,
        };
        let answer = self.template_json(&template);
        self.ec2.launch_templates.push(template);
        Ok(json!({ "LaunchTemplate": answer }))
    }

    pub(crate) fn create_launch_template_version(
        &mut self,
        input: &Value,
    ) -> Result<Value, ApiError> {
        let request: CreateVersionRequest = parse_request(input)?;
        let t = self.named_template(
            request.launch_template_id.as_deref(),
            request.launch_template_name.as_deref(),
        )?;
        // With a SourceVersion, the new version is that one with the fields given replaced.
        let data = match request.source_version.as_deref() {
            Some(source) => {
                let Some(base) = self.ec2.launch_templates[t].resolve(Some(source)) else {
                    return Err(error(
                        "InvalidLaunchTemplateId.VersionNotFound",
                        format!("Could not find launch template version {source}."),
                        "$.SourceVersion",
                    ));
                };
                let mut merged: Map<String, Value> =
                    base.data.as_object().cloned().unwrap_or_default();
                for (k, v) in request
                    .launch_template_data
                    .as_object()
                    .into_iter()
                    .flatten()
                {
                    merged.insert(k.clone(), v.clone());
                }
                Value::Object(merged)
            }
            None => request.launch_template_data.clone(),
        };
        self.check_template_data(&data)?;
        if self.ec2.launch_templates[t].versions.len() >= VERSIONS_MAX {
            return Err(error(
                "VersionLimitExceeded",
                format!("The model holds {VERSIONS_MAX} versions of a template at the most."),
                "$.LaunchTemplateData",
            ));
        }
        dry_run_stop(request.dry_run)?;
        let now = self.now;
        let template = &mut self.ec2.launch_templates[t];
        let number = template.latest() + 1;
        template.versions.push(Version {
            number,
            description: request.version_description,
            data,
            created_at: now,
        });
        let template = template.clone();
        let version = template.versions.last().expect("just pushed");
        Ok(json!({ "LaunchTemplateVersion": self.version_json(&template, version) }))
    }

    pub(crate) fn describe_launch_templates(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeRequest = parse_request(input)?;
        dry_run_stop(request.dry_run)?;
        let ids = request.launch_template_ids.unwrap_or_default();
        let names = request.launch_template_names.unwrap_or_default();
        for (n, name) in names.iter().enumerate() {
            if !self.ec2.launch_templates.iter().any(|t| t.name == *name) {
                return Err(error(
                    "InvalidLaunchTemplateName.NotFoundException",
                    "At least one of the launch templates specified in the request does not exist.",
                    &format!("$.LaunchTemplateNames[{n}]"),
                ));
            }
        }
        let templates: Vec<Value> = (self.ec2.launch_templates.iter())
            .filter(|t| {
                (ids.is_empty() && names.is_empty())
                    || ids.contains(&t.id)
                    || names.contains(&t.name)
            })
            .map(|t| self.template_json(t))
            .collect();
        Ok(json!({ "LaunchTemplates": templates }))
    }

    pub(crate) fn describe_launch_template_versions(
        &mut self,
        input: &Value,
    ) -> Result<Value, ApiError> {
        let request: DescribeVersionsRequest = parse_request(input)?;
        dry_run_stop(request.dry_run)?;
        let t = self.named_template(
            request.launch_template_id.as_deref(),
            request.launch_template_name.as_deref(),
        )?;
        let template = &self.ec2.launch_templates[t];
        let versions: Vec<Value> = match &request.versions {
            Some(asked) => {
                let mut out = Vec::new();
                for (n, v) in asked.iter().enumerate() {
                    let Some(version) = template.resolve(Some(v)) else {
                        return Err(error(
                            "InvalidLaunchTemplateId.VersionNotFound",
                            format!("Could not find launch template version {v}."),
                            &format!("$.Versions[{n}]"),
                        ));
                    };
                    out.push(self.version_json(template, version));
                }
                out
            }
            None => (template.versions.iter())
                .map(|v| self.version_json(template, v))
                .collect(),
        };
        Ok(json!({ "LaunchTemplateVersions": versions }))
    }

    pub(crate) fn delete_launch_template(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DeleteRequest = parse_request(input)?;
        let t = self.named_template(
            request.launch_template_id.as_deref(),
            request.launch_template_name.as_deref(),
        )?;
        dry_run_stop(request.dry_run)?;
        let template = self.ec2.launch_templates.remove(t);
        Ok(json!({ "LaunchTemplate": self.template_json(&template) }))
    }

    fn template_json(&self, t: &LaunchTemplate) -> Value {
        json!({
            "LaunchTemplateId": t.id,
            "LaunchTemplateName": t.name,
            "CreateTime": self.iso(t.created_at),
            "CreatedBy": format!("arn:aws:iam::{}:root", self.config.account),
            "DefaultVersionNumber": t.default_version,
            "LatestVersionNumber": t.latest(),
        })
    }

    fn version_json(&self, t: &LaunchTemplate, v: &Version) -> Value {
        let mut out = json!({
            "LaunchTemplateId": t.id,
            "LaunchTemplateName": t.name,
            "VersionNumber": v.number,
            "CreateTime": self.iso(v.created_at),
            "CreatedBy": format!("arn:aws:iam::{}:root", self.config.account),
            "DefaultVersion": v.number == t.default_version,
            "LaunchTemplateData": v.data,
        });
        if let Some(d) = &v.description {
            out["VersionDescription"] = json!(d);
        }
        out
    }

    /// Launches instance `id` from a template's version into a zone's subnet, for an Auto
    /// Scaling group (`world::Command::LaunchInstance`, checked by the group when it made the
    /// order): as RunInstances would with the template's data.
    pub(crate) fn launch_from_template(&mut self, order: &super::read::LaunchOrder) {
        let Some(template) = (self.ec2.launch_templates.iter()).find(|t| t.id == order.template_id)
        else {
            return;
        };
        let Some(version) = template.resolve(Some(&order.version.to_string())) else {
            return;
        };
        let data: TemplateData = match parse_request(&version.data) {
            Ok(data) => data,
            Err(_) => return,
        };
        let instance_type = (order.instance_type.clone())
            .or(data.instance_type)
            .unwrap_or_else(|| "m5.large".into());
        let security_group_ids = match data.security_group_ids {
            Some(ids) if !ids.is_empty() => ids,
            _ => vec![super::network::DEFAULT_SECURITY_GROUP_ID.to_string()],
        };
        let instance = Ec2Instance {
            id: order.instance_id.clone(),
            instance_type,
            image_id: data
                .image_id
                .unwrap_or_else(|| "ami-0ecsplay00000000".into()),
            availability_zone: order.zone.clone(),
            subnet_id: order.subnet.clone(),
            state: InstanceState::Pending,
            launched_at: self.now,
            instance_profile: (data.iam_instance_profile.as_ref())
                .and_then(|p| p.name.clone().or_else(|| p.arn.clone())),
            security_group_ids,
            user_data: data.user_data,
            spot: order.spot,
            spot_noticed: false,
        };
        self.ec2
            .instances
            .insert(order.instance_id.clone(), instance);
        self.ec2.launch_order.push(order.instance_id.clone());
        self.schedule(INSTANCE_BOOT_MS, Timer::Booted(order.instance_id.clone()));
    }
}
