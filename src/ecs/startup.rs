//! What a task needs between "placed" and "running", checked where ECS checks it (aws-facts
//! 10, 17.6, 17.7), with IAM asked through `iam::read`:
//!
//! 1. At launch, ECS assumes the task's roles: a role that does not exist or does not trust
//!    `ecs-tasks.amazonaws.com` refuses RunTask, and a service says it "failed to launch a
//!    task" ([`World::assume_roles_error`]).
//! 2. At PENDING, the execution resources: the registry auth for a private ECR image, with
//!    the execution role (on EC2 without one, the instance role); a private registry's
//!    credentials and the log driver's secrets; each container's environment files and
//!    secrets; then its EFS volumes (`super::volumes`).
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

/// One variable of a container's resolved environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub value: String,
    /// Where it came from: `None` for `environment`, else the environment file's ARN or the
    /// secret's `valueFrom`.
    pub from: Option<String>,
    /// A secret's: masked in the page.
    pub secret: bool,
    /// The Secrets Manager version (or Parameter Store version) read, for a secret.
    pub version: Option<String>,
}

/// What a start-up check found: its steps, the reason the task cannot start (if it cannot),
/// the log streams to create, and each container's resolved environment.
#[derive(Debug, Default)]
pub struct Checked {
    pub steps: Vec<StartupStep>,
    pub failure: Option<String>,
    pub writes: Vec<LogWrite>,
    pub environment: Vec<(usize, Vec<EnvVar>)>,
    /// EFS volumes mounted: (volume, file system, root directory).
    pub efs_mounts: Vec<(String, String, String)>,
    /// What other services must do for the task (an access point's root made).
    pub commands: Vec<Command>,
}

impl Checked {
    fn pass(&mut self, step: &str, detail: String) {
        self.steps.push(StartupStep {
            step: step.into(),
            detail,
            passed: true,
        });
    }

    pub(crate) fn pass_step(&mut self, step: &str, detail: String) {
        self.pass(step, detail);
    }

    pub(crate) fn fail_step(&mut self, step: &str, reason: String) {
        self.steps.push(StartupStep {
            step: step.into(),
            detail: reason.clone(),
            passed: false,
        });
        self.failure = Some(reason);
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
        // Which of its ARNs ECS names as the source is unconfirmed; the guide's trust policies
        // match any ECS ARN of the account, so the task definition's stands for it.
        let config = &self.config;
        let source = format!(
            "arn:aws:ecs:{}:{}:task-definition/{}",
            config.region,
            config.account,
            definition.key()
        );
        [&definition.task_role, &definition.execution_role]
            .into_iter()
            .flatten()
            .find(|role| !iam::can_assume(self, role, ECS_TASKS, &source))
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
        self.instance_role(task)
    }

    /// The role of the instance profile of the EC2 instance task `task` runs on, with the
    /// instance's id as its session (what the agent and the instance metadata act with).
    fn instance_role(&self, task: TaskIdx) -> Option<(String, String)> {
        let instance = self.ecs.tasks[task].container_instance?;
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
        for (container, environment) in checked.environment {
            self.ecs.tasks[task].containers[container].environment = environment;
        }
        self.ecs.tasks[task].efs_mounts.extend(checked.efs_mounts);
        for command in checked.commands {
            self.command(command);
        }
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
        if let Err((step, reason)) = self.execution_secrets(task, definition, &mut checked) {
            return checked.fail(&step, reason);
        }
        for (n, spec) in definition.containers.iter().enumerate() {
            if spec.environment.is_empty()
                && spec.environment_files.is_empty()
                && spec.secrets.is_empty()
            {
                continue;
            }
            let mut environment: Vec<EnvVar> = (spec.environment.iter())
                .map(|(name, value)| EnvVar {
                    name: name.clone(),
                    value: value.clone(),
                    from: None,
                    secret: false,
                    version: None,
                })
                .collect();
            let role = self.acting_role(task, definition, false);
            for file in &spec.environment_files {
                match self.env_file(file, role.as_ref(), fargate) {
                    Ok(vars) => {
                        let count = vars.len();
                        // `environment` wins over a file; across files the first value wins.
                        for (name, value) in vars {
                            if !environment.iter().any(|v| v.name == name) {
                                environment.push(EnvVar {
                                    name,
                                    value,
                                    from: Some(file.clone()),
                                    secret: false,
                                    version: None,
                                });
                            }
                        }
                        let by = role
                            .as_ref()
                            .map_or(String::new(), |(r, _)| format!(" with {r}"));
                        checked.pass("Environment file", format!("{file}: {count} variables{by}"));
                    }
                    Err(reason) => return checked.fail("Environment file", reason),
                }
            }
            for (name, value_from) in &spec.secrets {
                match self.secret_value(value_from, role.as_ref(), fargate) {
                    Ok((value, version)) => {
                        let by = role
                            .as_ref()
                            .map_or(String::new(), |(r, _)| format!(" with {r}"));
                        checked.pass(
                            "Secret",
                            format!("{name} from {value_from} (version {version}){by}"),
                        );
                        environment.retain(|v| v.name != *name);
                        environment.push(EnvVar {
                            name: name.clone(),
                            value,
                            from: Some(value_from.clone()),
                            secret: true,
                            version: Some(version),
                        });
                    }
                    Err(reason) => return checked.fail("Secret", reason),
                }
            }
            checked.environment.push((n, environment));
        }
        self.mount_volumes(task, definition, &mut checked);
        checked
    }

    /// The secrets the agent reads for itself with the execution role: a private registry's
    /// credentials (`repositoryCredentials`, a Secrets Manager secret by ARN or, in the task's
    /// Region, by name) and the log driver's `secretOptions`. Each read is a step; the first
    /// failure is ECS's reason, as for `secrets`.
    fn execution_secrets(
        &self,
        task: TaskIdx,
        definition: &TaskDefinition,
        checked: &mut Checked,
    ) -> Result<(), (String, String)> {
        let fargate = self.ecs.tasks[task].launch_type == LaunchType::Fargate;
        let role = self.acting_role(task, definition, false);
        let by = role
            .as_ref()
            .map_or(String::new(), |(r, _)| format!(" with {r}"));
        for spec in &definition.containers {
            if let Some(parameter) = &spec.repository_credentials {
                let step = "Private registry credentials";
                let arn = if parameter.starts_with("arn:") {
                    parameter.clone()
                } else {
                    let config = &self.config;
                    format!(
                        "arn:aws:secretsmanager:{}:{}:secret:{parameter}",
                        config.region, config.account
                    )
                };
                match self.secret_value(&arn, role.as_ref(), fargate) {
                    Ok((_, version)) => checked.pass(
                        step,
                        format!("{} from {parameter} (version {version}){by}", spec.image),
                    ),
                    Err(reason) => return Err((step.to_string(), reason)),
                }
            }
            for (name, value_from) in &spec.log_secrets {
                let step = "Log driver secret";
                match self.secret_value(value_from, role.as_ref(), fargate) {
                    Ok((_, version)) => checked.pass(
                        step,
                        format!("{name} from {value_from} (version {version}){by}"),
                    ),
                    Err(reason) => return Err((step.to_string(), reason)),
                }
            }
        }
        Ok(())
    }

    /// What an allowed call of an application gets: for the reads the model holds the data of
    /// (an S3 object, a parameter, a secret), the service's error when it is not there, as the
    /// SDK reports it; else 200.
    fn app_call_answer(&self, role: &str, action: &str, resource: &str) -> String {
        let found = match action.to_ascii_lowercase().as_str() {
            "s3:getobject" => crate::s3::read::object_of(resource).map(|(bucket, key)| {
                if crate::s3::read::object(self, &bucket, &key).is_some() {
                    Ok(())
                } else if !crate::s3::read::bucket_exists(self, &bucket) {
                    Err("NoSuchBucket: The specified bucket does not exist".to_string())
                } else if iam::authorize(self, role, "s3:ListBucket", &format!("arn:aws:s3:::{bucket}"))
                    == Decision::Allowed
                {
                    Err("NoSuchKey: The specified key does not exist.".to_string())
                } else {
                    // Without s3:ListBucket, S3 answers a missing key with 403.
                    Err("AccessDenied: Access Denied".to_string())
                }
            }),
            "ssm:getparameter" | "ssm:getparameters" => Some(
                crate::ssm::read::parameter(self, resource)
                    .map(|_| ())
                    .ok_or_else(|| "ParameterNotFound".to_string()),
            ),
            "secretsmanager:getsecretvalue" => {
                crate::secretsmanager::read::reference(resource).map(|r| {
                    crate::secretsmanager::read::resolve(self, &r).map(|_| ()).map_err(|_| {
                        "ResourceNotFoundException: Secrets Manager can't find the specified secret."
                            .to_string()
                    })
                })
            }
            _ => None,
        };
        match found {
            Some(Err(error)) => error,
            _ => format!("200 OK (as {role})"),
        }
    }

    /// An environment file's variables (`VARIABLE=VALUE` lines; `#` comments and blank lines
    /// skipped; no shell escapes), read with `role`; or ECS's reason it could not be read.
    fn env_file(
        &self,
        arn: &str,
        role: Option<&(String, String)>,
        fargate: bool,
    ) -> Result<Vec<(String, String)>, String> {
        let (bucket, key) = crate::s3::read::object_of(arn).unwrap_or_default();
        let failed = |status: &str| {
            let error = match status {
                "404" => "operation error S3: HeadObject, https response error StatusCode: 404, api error NotFound: Not Found",
                _ => "operation error S3: HeadObject, https response error StatusCode: 403, api error Forbidden: Forbidden",
            };
            if fargate {
                format!("ResourceInitializationError: failed to download env files: service call has been retried 1 time(s): {error}.")
            } else {
                format!("unable to download env file with key {key} from bucket {bucket}, error: {error}")
            }
        };
        let Some((role, _)) = role else {
            return Err(failed("403"));
        };
        if iam::authorize(self, role, "s3:GetObject", arn) != Decision::Allowed {
            return Err(failed("403"));
        }
        let Some(body) = crate::s3::read::object(self, &bucket, &key) else {
            // S3 answers 404 for a missing key only to a caller that may list the bucket.
            let list = iam::authorize(
                self,
                role,
                "s3:ListBucket",
                &format!("arn:aws:s3:::{bucket}"),
            );
            return Err(failed(if list == Decision::Allowed {
                "404"
            } else {
                "403"
            }));
        };
        Ok(body
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim_start().is_empty() && !l.trim_start().starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.to_string()))
            .collect())
    }

    /// A secret's value from Secrets Manager or Parameter Store, read with `role`, and the
    /// version read; or ECS's reason it could not be (aws-facts 17.6.2).
    fn secret_value(
        &self,
        value_from: &str,
        role: Option<&(String, String)>,
        fargate: bool,
    ) -> Result<(String, String), String> {
        let prefix = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed:";
        let region = &self.config.region;
        let (role, session) = role
            .map(|(r, s)| (r.as_str(), s.as_str()))
            .unwrap_or(("", ""));
        if let Some(reference) = crate::secretsmanager::read::reference(value_from) {
            let arn = crate::secretsmanager::read::secret_arn(self, &reference);
            let asm = |error: String| {
                if fargate {
                    format!("{prefix} unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret {} from secrets manager: {error}", reference.secret)
                } else {
                    format!("Fetching secret data from AWS Secrets Manager in region {region}: secret {}: {error}", reference.secret)
                }
            };
            let decision = iam::authorize(self, role, "secretsmanager:GetSecretValue", &arn);
            if decision != Decision::Allowed {
                return Err(asm(format!(
                    "AccessDeniedException: {}",
                    iam::denied_message(
                        self,
                        role,
                        session,
                        "secretsmanager:GetSecretValue",
                        &arn,
                        decision
                    )
                )));
            }
            use crate::secretsmanager::read::Unreadable;
            return crate::secretsmanager::read::resolve(self, &reference).map_err(|e| match e {
                Unreadable::NotFound if !fargate => format!("ResourceNotFoundException: The task can't retrieve the secret with ARN '{}' from AWS Secrets Manager. Check whether the secret exists in the specified Region", reference.secret),
                Unreadable::NotFound => asm("ResourceNotFoundException: Secrets Manager can't find the specified secret.".into()),
                Unreadable::NoVersion(message) => asm(format!("ResourceNotFoundException: {message}")),
                // The agent's wording, as remembered (unconfirmed).
                Unreadable::NoKey(key) => asm(format!("retrieved secret from Secrets Manager did not contain json key {key}")),
            });
        }
        let arn = crate::ssm::read::arn_of(self, value_from);
        let ssm = |error: String| {
            if fargate {
                format!("{prefix} unable to retrieve secrets from ssm: service call has been retried 1 time(s): {error}")
            } else {
                format!("Fetching secret data from SSM Parameter Store in {region}: {error}")
            }
        };
        let decision = iam::authorize(self, role, "ssm:GetParameters", &arn);
        if decision != Decision::Allowed {
            return Err(ssm(format!(
                "AccessDeniedException: {}",
                iam::denied_message(self, role, session, "ssm:GetParameters", &arn, decision)
            )));
        }
        match crate::ssm::read::parameter(self, value_from) {
            Some(p) => Ok((p.value, p.version.to_string())),
            None if fargate => Err(ssm(format!("invalid ssm parameters: {value_from}"))),
            None => Err(ssm(format!("invalid parameters: {value_from}"))),
        }
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

    /// [`World::container_log`] with the task's own definition.
    pub(crate) fn task_container_log(
        &self,
        task: TaskIdx,
        container: usize,
        lines: Vec<String>,
    ) -> Option<LogWrite> {
        let t = self.ecs.tasks.get(task)?;
        let definition = self.resolve_task_definition(&t.task_definition, "$").ok()?;
        self.container_log(task, definition, container, lines)
    }

    /// The credentials a task's application gets: its task role; without one, on EC2, the
    /// instance role through the instance metadata (what a container reaches unless IMDS is
    /// blocked); on Fargate none. (role ARN, session) or None.
    fn application_role(&self, task: TaskIdx) -> Option<(String, String)> {
        let t = &self.ecs.tasks[task];
        let definition = self.resolve_task_definition(&t.task_definition, "$").ok()?;
        match &definition.task_role {
            Some(role) => {
                let arn = iam::role(self, role).map_or_else(|| role.clone(), |r| r.arn);
                Some((arn, t.id.clone()))
            }
            None if t.launch_type == LaunchType::Ec2 => self.instance_role(task),
            None => None,
        }
    }

    /// A running container's application makes its AWS calls (sim:SetImageBehavior
    /// `calls`) with its credentials: each answer is kept on the task and written to the
    /// container's log; calls with `every` are made again.
    pub(crate) fn app_calls(&mut self, task: TaskIdx, generation: u32, container: usize) {
        let Some(t) = self.ecs.tasks.get(task) else {
            return;
        };
        if t.generation != generation || t.last_status != super::TaskStatus::Running {
            return;
        }
        let image = t.containers[container].image.clone();
        let calls = self.behavior(&image).calls;
        let credentials = self.application_role(task);
        let mut answers = Vec::new();
        let mut again = None::<u64>;
        for call in &calls {
            let answer = match &credentials {
                None => "NoCredentialProviders: no valid providers in chain. The task has no task role (taskRoleArn).".to_string(),
                Some((role, session)) => match iam::authorize(self, role, &call.action, &call.resource) {
                    Decision::Allowed => self.app_call_answer(role, &call.action, &call.resource),
                    decision => format!(
                        "AccessDenied: {}",
                        iam::denied_message(self, role, session, &call.action, &call.resource, decision)
                    ),
                },
            };
            if let Some(every) = call.every_ms {
                again = Some(again.map_or(every, |a| a.min(every)));
            }
            answers.push((
                container,
                call.action.clone(),
                call.resource.clone(),
                answer,
            ));
        }
        let lines: Vec<String> = (answers.iter())
            .map(|(_, action, resource, answer)| format!("{action} {resource}: {answer}"))
            .collect();
        let t = &mut self.ecs.tasks[task];
        t.app_calls.retain(|(c, _, _, _)| *c != container);
        t.app_calls.extend(answers);
        if let Some(write) = self.task_container_log(task, container, lines) {
            self.command(Command::WriteLogs(write));
        }
        if let Some(every) = again {
            self.schedule(
                every,
                super::Timer::AppCalls {
                    task,
                    generation,
                    container,
                },
            );
        }
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
