//! ecsplay: a browser playground for Amazon ECS on EC2 and Fargate.
//!
//! The crate map (design.md section 2). Folders mirror the AWS services, so a behaviour lives
//! where AWS keeps it:
//!
//! - [`engine`]: time, the event queue, ids, errors and request parsing, the event log. It
//!   knows no service.
//! - [`world`]: the composition root: the `World`, dispatch by prefix, timers, commands between
//!   services, `describe` (docs/architecture.md).
//! - [`ecs`]: task definitions, clusters, container instances and their agent, tasks,
//!   services, placement.
//! - [`ec2`]: the instance-type catalogue, instances and their boot, VPCs, subnets and security
//!   groups.
//! - [`elb`]: Elastic Load Balancing v2: load balancers, listeners, target groups, target
//!   health.
//! - [`cloudwatch`]: CloudWatch metrics: the store the services publish to each minute, and
//!   the requests that read it.
//! - [`iam`]: IAM roles, managed and inline policies, instance profiles, and the policy
//!   evaluator the services ask whenever AWS checks a role.
//! - [`logs`]: CloudWatch Logs: log groups, streams and events, written by the awslogs driver.
//! - [`efs`]: EFS file systems, mount targets, access points and the files tasks write.
//! - [`ssm`], [`secretsmanager`], [`s3`]: Parameter Store parameters, Secrets Manager secrets
//!   and S3 objects, as ECS reads them for a container's secrets and environment files.
//! - [`sim`]: the playground's own `sim:` actions: image behaviour, traffic and its cost.
//! - [`scenario`]: the versioned scenario format: a seed and a timeline of AWS requests.
//! - [`bench`]: the benchmarks that print their figures (design.md section 7).
//! - [`fuzz`]: the deterministic fuzzer (`ecsplay fuzz`, and a short pass in `make test`).
//! - [`ui`]: the playground. `ui::model` (the session, the editor's checks, the map's geometry,
//!   the charts' series) is pure and tested natively; the Yew components beside it (wasm32
//!   only) are the only code that touches the browser.
//!
//! Everything outside the `ui` components is pure Rust that builds and tests natively; it never imports
//! `yew`, `web_sys`, `gloo` or `js_sys`.

pub mod asg;
pub mod autoscaling;
pub mod bench;
pub mod cloudwatch;
pub mod ec2;
pub mod ecs;
pub mod efs;
pub mod elb;
pub mod engine;
pub mod fuzz;
pub mod iam;
pub mod logs;
pub mod s3;
pub mod scenario;
pub mod secretsmanager;
pub mod sim;
pub mod ssm;
pub mod world;

pub mod ui;
