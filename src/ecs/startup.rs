//! What a task needs between "placed" and "running", checked where ECS checks it (aws-facts
//! 10, 17.6, 17.7), with IAM asked through `iam::read`:
//!
//! 1. At launch, ECS assumes the task's roles: a role that does not exist or does not trust
//!    `ecs-tasks.amazonaws.com` refuses RunTask, and a service says it "failed to launch a
//!    task" ([`World::assume_roles_error`]).
//! 2. At PENDING, the execution resources: the registry auth for a private ECR image, with
//!    the execution role (on EC2 without one, the instance role).
//! 3. When its containers are created, the awslogs driver: the log group (created with
//!    `awslogs-create-group`) and the task's log stream, with the execution role on Fargate
//!    and the instance role on EC2.
//!
//! Each check a task goes through is kept as a step of its start-up checklist
//! ([`StartupStep`]), passed or failed with the reason, for the inspector. A failure stops the
//! task with stop code `TaskFailedToStart` and ECS's text.

use super::task_definition::{AwsLogs, TaskDefinition};
use super::{LaunchType, StopCode, TaskIdx};
use crate::iam::read::{self as iam, Decision};
use crate::logs::LogWrite;
use crate::world::{Command, World};

/// The trust principal of task and execution roles.
pub const ECS_TASKS: &str = "ecs-tasks.amazonaws.com";

/// One step of a task's start-up, as the inspector lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartupStep {
    /// What was done: "Assume the execution role", "Pull image from ECR", ...
    pub step: String,
    /// With what (the role, the group), or why it failed.
    pub detail: String,
    pub passed: bool,
}

/// What a start-up check found: its steps, the reason the task cannot start (if it cannot),
/// and the log streams to create.
#[derive(Debug, Default)]
pub struct Checked {
    pub steps: Vec<StartupStep>,
    pub failure: Option<String>,
    pub writes: Vec<LogWrite>,
}

impl Checked {
    fn pass(&mut self, step: &str, detail: String) {
        self.steps.push(StartupStep {
            step: step.into(),
            detail,
            passed: true,
        });
    }

    fn fail(mut self, step: &str, reason: String) -> Self {
        self.steps.push(StartupStep {
            step: step.into(),
            detail: reason.clone(),
            passed: false,
        });
        self.failure = Some(reason);
        self
    }
}

/// ECS's message when it cannot assume a task's role (aws-facts 4.5).
pub fn unable_to_assume(role: &str) -> String {
    format!("ECS was unable to assume the role '{role}' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.")
}

/// `prefix/container/task-id`, the awslogs stream of a container (aws-facts 17.7.1); without a
/// prefix (EC2) the stream is named by the container's Docker id, which the model makes from
/// the task id and the container name.
pub fn stream_name(logs: &AwsLogs, container: &str, task_id: &str) -> String {
    match &logs.stream_prefix {
        Some(prefix) => format!("{prefix}/{container}/{task_id}"),
        None => format!("{task_id}-{container}"),
    }
}

/// A private ECR image's repository ARN (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>`).
fn ecr_repository(image: &str) -> Option<String> {
    let (host, path) = image.split_once('/')?;
    let (account, rest) = host.split_once(".dkr.ecr.")?;
    let region = rest.strip_suffix(".amazonaws.com")?;
    let repo = path.split(['@', ':']).next()?;
    Some(format!("arn:aws:ecr:{region}:{account}:repository/{repo}"))
}

impl World {
    /// Why ECS cannot assume the definition's roles, if it cannot.
    pub(crate) fn assume_roles_error(&self, definition: &TaskDefinition) -> Option<String> {
        [&definition.task_role, &definition.execution_role]
            .into_iter()
            .flatten()
            .find(|role| !iam::can_assume(self, role, ECS_TASKS))
            .map(|role| unable_to_assume(role))
    }

    /// The role the task's agent acts with for `what`: the execution role when the
    /// definition names one (`awslogs` on EC2 always uses the instance's), else on EC2 the
    /// instance role, with the session name IAM shows (the task id, or the instance id).
    fn acting_role(
        &self,
        task: TaskIdx,
        definition: &TaskDefinition,
        logs: bool,
    ) -> Option<(String, String)> {
        let t = &self.ecs.tasks[task];
        let on_ec2 = t.launch_type == LaunchType::Ec2;
        if let Some(role) = &definition.execution_role {
            if !(logs && on_ec2) {
                let arn = iam::role(self, role).map_or_else(|| role.clone(), |r| r.arn);
                return Some((arn, t.id.clone()));
            }
        }
        let instance = t.container_instance?;
        let ec2_id = self.ecs.container_instances[instance]
            .ec2_instance_id
            .clone();
        let profile = crate::ec2::read::instance(self, &ec2_id)?.instance_profile?;
        let role = iam::instance_profile_role(self, profile)?;
        let arn = iam::role(self, &role).map_or(role, |r| r.arn);
        Some((arn, ec2_id))
    }

    /// The launch-time steps of a task whose roles ECS assumed.
    pub(crate) fn assumed_roles(definition: &TaskDefinition) -> Vec<StartupStep> {
        let mut checked = Checked::default();
        for (step, role) in [
            ("Assume the task role", &definition.task_role),
            ("Assume the execution role", &definition.execution_role),
        ] {
            if let Some(role) = role {
                checked.pass(step, format!("{role} trusts {ECS_TASKS}"));
            }
        }
        checked.steps
    }

    /// Carries out what a check found: its steps go to the task's checklist, its log streams
    /// are made, and a failure stops the task. Whether the task goes on.
    pub(crate) fn apply_checked(&mut self, task: TaskIdx, checked: Checked) -> bool {
        self.ecs.tasks[task].startup.extend(checked.steps);
        if let Some(reason) = checked.failure {
            self.fail_start(task, &reason);
            return false;
        }
        for write in checked.writes {
            self.command(Command::WriteLogs(write));
        }
        true
    }

    /// The execution resources a task fetches at PENDING: the registry auth of its private
    /// ECR images. The reason it fails, if it does (the step is recorded either way).
    pub(crate) fn fetch_execution_resources(
        &self,
        task: TaskIdx,
        definition: &TaskDefinition,
    ) -> Checked {
        let mut checked = Checked::default();
        let fargate = self.ecs.tasks[task].launch_type == LaunchType::Fargate;
        for spec in &definition.containers {
            let Some(repository) = ecr_repository(&spec.image) else {
                continue;
            };
            let Some((role, session)) = self.acting_role(task, definition, false) else {
                let reason = "CannotPullECRContainerError: NoCredentialProviders: no valid providers in chain: the task has no execution role and its instance no instance profile".to_string();
                return checked.fail("Pull image from ECR", reason);
            };
            let checks = [
                ("ecr:GetAuthorizationToken", "*".to_string()),
                ("ecr:BatchGetImage", repository.clone()),
                ("ecr:GetDownloadUrlForLayer", repository.clone()),
            ];
            for (action, resource) in checks {
                let decision = iam::authorize(self, &role, action, &resource);
                if decision != Decision::Allowed {
                    let denied =
                        iam::denied_message(self, &role, &session, action, &resource, decision);
                    // Fargate's wording is observed (aws-facts 10); the EC2 agent's error type is
                    // its CannotPullECRContainerError, the rest of its wording the model's.
                    let reason = if fargate {
                        format!("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): AccessDeniedException: {denied}")
                    } else {
                        format!("CannotPullECRContainerError: AccessDeniedException: {denied}")
                    };
                    return checked.fail("Pull image from ECR", reason);
                }
            }
            checked.pass("Pull image from ECR", format!("{} with {role}", spec.image));
        }
        checked
    }

    /// The awslogs driver of each container, as its containers are created: the group
    /// (created if `awslogs-create-group` is set and the role may) and the stream. The reason
    /// it fails, if it does.
    pub(crate) fn start_log_drivers(&self, task: TaskIdx, definition: &TaskDefinition) -> Checked {
        let mut checked = Checked::default();
        let fargate = self.ecs.tasks[task].launch_type == LaunchType::Fargate;
        let task_id = self.ecs.tasks[task].id.clone();
        let failed = |cause: String| {
            if fargate {
                format!("ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: {cause} : exit status 1")
            } else {
                format!("CannotStartContainerError: Error response from daemon: failed to initialize logging driver: {cause}")
            }
        };
        for spec in &definition.containers {
            let Some(logs) = &spec.awslogs else {
                continue;
            };
            let stream = stream_name(logs, &spec.name, &task_id);
            let group_arn = format!(
                "arn:aws:logs:{}:{}:log-group:{}",
                logs.region, self.config.account, logs.group
            );
            let role = self.acting_role(task, definition, true);
            let denied = |world: &World, action: &str, resource: &str| -> Option<String> {
                let Some((role, session)) = &role else {
                    return Some("NoCredentialProviders: no valid providers in chain".to_string());
                };
                let decision = iam::authorize(world, role, action, resource);
                (decision != Decision::Allowed).then(|| {
                    format!(
                        "AccessDeniedException: {}",
                        iam::denied_message(world, role, session, action, resource, decision)
                    )
                })
            };
            // A group of another Region is not this Region's: it "does not exist".
            let exists = logs.region == self.config.region
                && crate::logs::read::group_exists(self, &logs.group);
            if !exists {
                if !logs.create_group || logs.region != self.config.region {
                    let reason = failed("failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.".into());
                    return checked.fail("Log to CloudWatch Logs", reason);
                }
                if let Some(error) = denied(self, "logs:CreateLogGroup", &group_arn) {
                    let reason = failed(format!("failed to create Cloudwatch log group: {error}"));
                    return checked.fail("Log to CloudWatch Logs", reason);
                }
            }
            let stream_arn = format!("{group_arn}:log-stream:{stream}");
            if let Some(error) = denied(self, "logs:CreateLogStream", &stream_arn) {
                let reason = failed(format!("failed to create Cloudwatch log stream: {error}"));
                return checked.fail("Log to CloudWatch Logs", reason);
            }
            let by = role
                .as_ref()
                .map_or(String::new(), |(r, _)| format!(" with {r}"));
            let created = if exists { "" } else { " (group created)" };
            checked.pass(
                "Log to CloudWatch Logs",
                format!("{}: {stream}{created}{by}", logs.group),
            );
            checked.writes.push(LogWrite {
                group: logs.group.clone(),
                stream,
                create_group: !exists,
                lines: Vec::new(),
            });
        }
        checked
    }

    /// What a container of the task writes to its awslogs stream, if it has one.
    pub(crate) fn container_log(
        &self,
        task: TaskIdx,
        definition: &TaskDefinition,
        container: usize,
        lines: Vec<String>,
    ) -> Option<LogWrite> {
        let logs = definition.containers.get(container)?.awslogs.as_ref()?;
        if lines.is_empty() || logs.region != self.config.region {
            return None;
        }
        let t = &self.ecs.tasks[task];
        Some(LogWrite {
            group: logs.group.clone(),
            stream: stream_name(logs, &definition.containers[container].name, &t.id),
            create_group: false,
            lines,
        })
    }

    /// Stops a task that could not start, with its reason on the first container too.
    pub(crate) fn fail_start(&mut self, task: TaskIdx, reason: &str) {
        if let Some(c) = self.ecs.tasks[task].containers.first_mut() {
            c.reason = Some(reason.to_string());
        }
        self.stop_task_now(task, StopCode::TaskFailedToStart, reason);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_repositories_and_stream_names() {
        assert_eq!(
            ecr_repository("123456789012.dkr.ecr.us-east-1.amazonaws.com/web/app:1.2").as_deref(),
            Some("arn:aws:ecr:us-east-1:123456789012:repository/web/app")
        );
        assert_eq!(ecr_repository("nginx:latest"), None);
        assert_eq!(ecr_repository("public.ecr.aws/nginx/nginx:1"), None);
        let logs = AwsLogs {
            group: "/ecs/web".into(),
            region: "us-east-1".into(),
            stream_prefix: Some("ecs".into()),
            create_group: false,
        };
        assert_eq!(
            stream_name(&logs, "web", "5b64c49eb10e4b4bbeb051b02a02c58a"),
            "ecs/web/5b64c49eb10e4b4bbeb051b02a02c58a"
        );
    }
}
