//! The playground's logic, natively: the editor's checks (line and column, the AWS error with
//! its path and where it is in the text, describe output), the session (requests kept as
//! steps, refusals changing nothing, fast forward, save and restore), the forms' requests as ECS
//! takes them, the cluster map's geometry and hit-testing, the charts' series and the event
//! log's kinds.

use ecsplay::scenario::presets::{preset, PRESETS};
use ecsplay::scenario::run::log_lines;
use ecsplay::scenario::Scenario;
use ecsplay::ui::model::charts::ServiceSeries;
use ecsplay::ui::model::editor::{self, Check, EXAMPLE_TASK_DEFINITION};
use ecsplay::ui::model::forms::{self, ServiceForm};
use ecsplay::ui::model::log_view::{classify, Kind};
use ecsplay::ui::model::map::{ChipState, Hit, MapLayout, DETAILED_INSTANCES_PER_ZONE_MAX};
use ecsplay::ui::model::saved::{Saved, SAVED_FORMAT};
use ecsplay::ui::model::session::Session;
use serde_json::{json, Value};

/// The editor's starting text as a request.
fn example() -> Value {
    serde_json::from_str(EXAMPLE_TASK_DEFINITION).unwrap()
}

fn session(id: &str) -> Session {
    Session::new(preset(id).unwrap())
}

fn running(session: &Session, service: &str) -> usize {
    let world = session.world();
    let s = world
        .ecs
        .services
        .iter()
        .find(|s| s.name == service)
        .unwrap();
    s.tasks
        .iter()
        .filter(|&&t| world.ecs.tasks[t].is_running())
        .count()
}

#[test]
fn malformed_json_is_reported_at_its_line_and_column() {
    let text = "{\n  \"family\": \"web\",\n  \"cpu\": 256\n  \"memory\": 512\n}";
    match editor::check(text) {
        Check::Syntax {
            line,
            column,
            offset,
            message,
        } => {
            assert_eq!((line, column), (4, 3));
            assert_eq!(&text[offset..offset + 1], "\"");
            assert!(message.contains("expected ',' or '}'"), "{message}");
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn an_invalid_definition_shows_the_aws_error_with_its_path_underlined() {
    let text = EXAMPLE_TASK_DEFINITION.replace("\"cpu\": 256,", "\"cpu\": 256, \"memory\": 0,");
    let Check::Invalid { error, span } = editor::check(&text) else {
        panic!("expected an AWS error")
    };
    assert_eq!(error.code, "ClientException");
    assert_eq!(
        error.path.as_deref(),
        Some("$.containerDefinitions[0].memory")
    );
    let (start, end) = span.expect("the field is found in the text");
    assert_eq!(&text[start..end], "\"memory\": 0");
    // A field the request does not know: the CLI's unknown-parameter error, at the field.
    let text = EXAMPLE_TASK_DEFINITION.replace(
        "\"family\": \"web\",",
        "\"family\": \"web\", \"familly\": \"x\",",
    );
    let Check::Invalid { error, span } = editor::check(&text) else {
        panic!("expected an error")
    };
    assert_eq!(error.code, "ParamValidationError");
    assert!(error.message.contains("familly"), "{}", error.message);
    assert!(span.is_some());
}

#[test]
fn a_failed_register_changes_nothing_and_a_good_one_makes_the_next_revision() {
    let mut s = session("default");
    let steps = s.scenario().steps.len();
    let bad = EXAMPLE_TASK_DEFINITION.replace("\"essential\": true", "\"essential\": false");
    let input: Value = serde_json::from_str(&bad).unwrap();
    let error = s.request("ecs:RegisterTaskDefinition", input).unwrap_err();
    assert_eq!(error.code, "ClientException");
    assert_eq!(
        s.world().ecs.task_definitions["web"].len(),
        1,
        "still only web:1"
    );
    assert_eq!(
        s.scenario().steps.len(),
        steps,
        "a refusal is not kept as a step"
    );
    assert!(matches!(
        s.world().log().last(),
        Some(ecsplay::engine::LogRecord::Failed { .. })
    ));

    let good = example();
    s.request("ecs:RegisterTaskDefinition", good).unwrap();
    assert_eq!(s.world().ecs.task_definitions["web"].len(), 2);
    assert_eq!(s.user_requests(), 1);
}

#[test]
fn a_revision_reopened_as_describe_output_registers_as_it_is() {
    let mut s = session("default");
    let output = s.world().describe_task_definition_output("web", 1).unwrap();
    let text = serde_json::to_string_pretty(&output).unwrap();
    assert_eq!(
        editor::check(&text),
        Check::Valid {
            family: "web".into(),
            from_describe_output: true
        }
    );
    s.request(
        "ecs:RegisterTaskDefinition",
        serde_json::from_str(&text).unwrap(),
    )
    .unwrap();
    let revisions = &s.world().ecs.task_definitions["web"];
    assert_eq!(revisions.len(), 2);
    assert_eq!(
        revisions[0].request["containerDefinitions"],
        revisions[1].request["containerDefinitions"]
    );
    // An error in pasted describe output is found inside "taskDefinition".
    let broken = text.replacen("\"memoryReservation\": 512", "\"memoryReservation\": -5", 1);
    let Check::Invalid {
        span: Some((start, end)),
        ..
    } = editor::check(&broken)
    else {
        panic!("expected an error with a span")
    };
    assert_eq!(&broken[start..end], "\"memoryReservation\": -5");
}

#[test]
fn fast_forward_runs_until_the_service_is_steady() {
    let mut s = session("default");
    let ff = s.fast_forward();
    assert!(ff.steady);
    assert!(ff.to >= 10 * 60_000, "past the last step at 10m: {}", ff.to);
    assert_eq!(running(&s, "web"), 6);
    assert!(s.is_steady());
}

#[test]
fn a_step_goes_to_the_next_moment_something_is_due() {
    let mut s = session("default");
    let next = s.world().next_timer_at().unwrap();
    assert_eq!(s.step(), Some(next));
    assert_eq!(s.now(), next);
}

#[test]
fn a_saved_session_restores_to_the_same_log() {
    let mut s = session("blank");
    s.request("ecs:RegisterTaskDefinition", example()).unwrap();
    s.request(
        "ec2:RunInstances",
        ecsplay::ec2::run_instances_request(
            "m5.large",
            2,
            "us-east-1a",
            "demo",
            &Default::default(),
        ),
    )
    .unwrap();
    s.advance_by(90_000);
    s.request(
        "ecs:CreateService",
        ServiceForm {
            desired_count: 3,
            ..service_form()
        }
        .request(),
    )
    .unwrap();
    s.fast_forward();
    let saved = Saved {
        format: SAVED_FORMAT,
        preset: Some("blank".into()),
        scenario: s.scenario().clone(),
        user_requests: s.user_requests(),
        time_ms: s.now(),
        editor: "{}".into(),
    };
    let restored = Saved::parse(&saved.to_json()).unwrap();
    let again = Session::restore(restored.scenario, restored.user_requests, restored.time_ms);
    assert_eq!(log_lines(again.world()), log_lines(s.world()));
    assert_eq!(again.user_requests(), 3);
    assert_eq!(running(&again, "web"), 3);
    // Reset drops the user's requests.
    let mut reset = again;
    reset.reset();
    assert_eq!(reset.user_requests(), 0);
    assert!(reset.world().ecs.services.is_empty());
    // Another format version is refused with a message, not misread.
    let future = saved.to_json().replacen("\"format\":1", "\"format\":2", 1);
    assert!(Saved::parse(&future).unwrap_err().contains("format"));
}

fn service_form() -> ServiceForm {
    ServiceForm {
        cluster: "demo".into(),
        name: "web".into(),
        task_definition: "web:1".into(),
        launch_type: "EC2".into(),
        daemon: false,
        desired_count: 2,
        strategy: "default".into(),
        member_of: String::new(),
        distinct_instance: false,
        minimum_healthy_percent: 100,
        maximum_percent: 200,
        circuit_breaker: true,
        rollback: true,
    }
}

#[test]
fn the_forms_make_requests_ecs_accepts_and_constraints_take_effect() {
    let mut s = session("blank");
    s.request("ecs:RegisterTaskDefinition", example()).unwrap();
    let attributes = forms::parse_attributes("stack=prod, team = web").unwrap();
    s.request(
        "ec2:RunInstances",
        ecsplay::ec2::run_instances_request("t3.large", 1, "us-east-1a", "demo", &attributes),
    )
    .unwrap();
    s.request(
        "ec2:RunInstances",
        ecsplay::ec2::run_instances_request(
            "m5.large",
            2,
            "us-east-1b",
            "demo",
            &Default::default(),
        ),
    )
    .unwrap();
    s.advance_by(120_000);
    let instances = &s.world().ecs.container_instances;
    assert_eq!(instances.len(), 3);
    assert_eq!(
        instances[0].attributes.get("stack"),
        Some(&Some("prod".to_string()))
    );
    assert_eq!(
        instances[0].attributes.get("team"),
        Some(&Some("web".to_string()))
    );

    let form = ServiceForm {
        desired_count: 3,
        strategy: "binpack(memory)".into(),
        member_of: "attribute:ecs.instance-type =~ m5.*".into(),
        distinct_instance: true,
        ..service_form()
    };
    s.request("ecs:CreateService", form.request()).unwrap();
    s.fast_forward();
    let world = s.world();
    let service = &world.ecs.services[0];
    let live: Vec<_> = service
        .tasks
        .iter()
        .map(|&t| &world.ecs.tasks[t])
        .filter(|t| !t.is_stopped())
        .collect();
    assert_eq!(
        live.len(),
        2,
        "distinctInstance on the two m5 instances leaves one task unplaced"
    );
    assert!(live.iter().all(
        |t| world.ecs.container_instances[t.container_instance.unwrap()].instance_type
            == "m5.large"
    ));
    assert!(service.last_placement_failure.is_some());

    // The memberOf box checks CQL as the user types, with the column.
    assert_eq!(forms::check_member_of(""), None);
    assert_eq!(
        forms::check_member_of("attribute:ecs.instance-type =~ t3.*"),
        None
    );
    let message = forms::check_member_of("attribute:ecs.instance-type ==").unwrap();
    assert!(message.starts_with("Column "), "{message}");
    assert!(forms::parse_attributes("stack")
        .unwrap_err()
        .contains("name=value"));
}

#[test]
fn the_run_task_form_runs_fargate_tasks_in_the_subnets_zones() {
    let mut s = session("fargate-basics");
    s.fast_forward();
    let before = s.world().ecs.tasks.len();
    s.request(
        "ecs:RunTask",
        forms::run_task_request("serverless", "report", 2, "FARGATE"),
    )
    .unwrap();
    assert_eq!(s.world().ecs.tasks.len(), before + 2);
    let layout = MapLayout::build(s.world(), 900.0);
    assert!(layout.fargate_lane.is_some());
    assert!(layout.boxes.is_empty(), "no EC2 instances in this scenario");
    assert_eq!(layout.zones.len(), 3);
}

#[test]
fn the_map_lays_out_zones_instances_and_tasks_and_hits_them() {
    let mut s = session("default");
    let layout = MapLayout::build(s.world(), 900.0);
    assert_eq!(layout.boxes.len(), 2, "two instances booting");
    assert!(layout.boxes.iter().all(|b| b.sublabel == "booting"));
    s.fast_forward();
    let layout = MapLayout::build(s.world(), 900.0);
    assert_eq!(
        layout
            .zones
            .iter()
            .map(|z| z.name.as_str())
            .collect::<Vec<_>>(),
        ["us-east-1a", "us-east-1b"]
    );
    assert_eq!(layout.boxes.len(), 2);
    let running: Vec<_> = layout
        .chips
        .iter()
        .filter(|c| c.state == ChipState::Running)
        .collect();
    assert_eq!(running.len(), 6);
    assert!(layout.waiting.is_empty());
    let chip = running[0];
    assert_eq!(
        layout.hit(chip.x + 1.0, chip.y + 1.0),
        Some(Hit::Task(chip.task))
    );
    let b = &layout.boxes[1];
    assert!(matches!(
        layout.hit(b.x + 2.0, b.y + 2.0),
        Some(Hit::Instance(_))
    ));
    assert_eq!(layout.hit(-50.0, -50.0), None);
    // Each chip sits inside its instance's box, in its zone's column.
    for chip in &layout.chips {
        let task = &s.world().ecs.tasks[chip.task];
        let zone = layout
            .zones
            .iter()
            .find(|z| z.name == task.availability_zone)
            .unwrap();
        assert!(chip.x >= zone.x && chip.x + chip.size <= zone.x + zone.w + 1.0);
    }
}

#[test]
fn a_service_that_cannot_be_placed_waits_in_the_strip() {
    let mut s = session("default");
    s.fast_forward();
    s.request(
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "web", "desiredCount": 40 }),
    )
    .unwrap();
    s.advance_by(60_000);
    let layout = MapLayout::build(s.world(), 900.0);
    let waiting = layout
        .waiting
        .iter()
        .find(|w| w.name == "web")
        .expect("web waits");
    let placed = running(&s, "web")
        + s.world()
            .ecs
            .tasks
            .iter()
            .filter(|t| t.is_pending())
            .count();
    assert_eq!(waiting.count as usize, 40 - placed);
}

#[test]
fn a_large_fleet_switches_the_map_to_compact_boxes() {
    // The benchmark's fleet at a tenth of its size (debug builds check every placement twice).
    let fleet = ecsplay::bench::map_fleet(150, 1_500);
    let layout = MapLayout::build(&fleet, 1200.0);
    assert!(layout.compact);
    assert_eq!(layout.boxes.len(), 150);
    assert!(150 / layout.zones.len() > DETAILED_INSTANCES_PER_ZONE_MAX);
    assert_eq!(layout.chips.len(), 1_500);
    assert!(layout.chips.iter().all(|c| c.state == ChipState::Running));
    let b = &layout.boxes[0];
    assert!(b.w < 40.0);
}

#[test]
fn charts_sum_deployments_and_mark_each_one() {
    let mut s = session("rolling-update");
    s.fast_forward();
    let world = s.world();
    let series = ServiceSeries::of(&world.ecs.services[0]);
    // web:1, then web:2, then web:3: one mark per deployment, in order.
    let marks: Vec<&str> = series
        .deployments
        .iter()
        .map(|(_, td)| td.as_str())
        .collect();
    assert_eq!(marks, ["web:1", "web:2", "web:3"]);
    let desired = world.ecs.services[0].desired_count;
    assert_eq!(series.running.last().unwrap().1, desired);
    assert_eq!(series.pending.last().unwrap().1, 0);
    // During the rollout, running tasks of both revisions together exceed desired (maximum 200%).
    assert!(series.running.iter().any(|&(_, n)| n > desired));
    assert!(series.max_value() >= desired);
    assert!(s.samples().len() > 10);
    assert!(s
        .samples()
        .iter()
        .all(|p| (0.0..=100.0).contains(&p.memory_reserved_percent)));
}

#[test]
fn the_event_log_tells_kinds_and_services_apart() {
    let mut s = session("default");
    s.fast_forward();
    let _ = s.request(
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "web:9" }),
    );
    let kinds: Vec<(Kind, Option<String>)> = s.world().log().iter().map(classify).collect();
    assert!(kinds.contains(&(Kind::ServiceEvent, Some("web".into()))));
    assert!(kinds.contains(&(Kind::Task, Some("web".into()))));
    assert!(kinds.iter().any(|(k, _)| *k == Kind::Instance));
    assert_eq!(kinds.last().unwrap().0, Kind::ApiError);
}

#[test]
fn every_preset_loads() {
    for (id, json) in PRESETS {
        let scenario = Scenario::parse(json).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(!scenario.name.is_empty());
        assert!(preset(id).is_some());
    }
}

#[test]
fn fast_forward_stops_when_a_service_cannot_place_and_nothing_changes() {
    let mut s = session("constraints");
    let ff = s.fast_forward();
    assert!(!ff.steady, "one-per-host keeps a task it cannot place");
    assert!(ff.stuck);
    let last_step = s.scenario().steps.iter().map(|step| step.at).max().unwrap();
    let quiet = ecsplay::ui::model::session::FAST_FORWARD_QUIET_MS;
    assert!(
        ff.to < last_step + 4 * quiet,
        "stopped soon after the last change: {}",
        ff.to
    );
}

#[test]
fn a_rolled_back_deployment_still_reaches_a_steady_state() {
    let mut s = session("failed-deployment");
    let ff = s.fast_forward();
    assert!(ff.steady, "{ff:?}");
    let service = &s.world().ecs.services[0];
    assert_eq!(service.task_definition(), "web:1");
}
