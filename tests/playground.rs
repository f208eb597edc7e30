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
            desired_count: "3".into(),
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
        desired_count: "2".into(),
        strategy: "default".into(),
        member_of: String::new(),
        distinct_instance: false,
        minimum_healthy_percent: "100".into(),
        maximum_percent: "200".into(),
        circuit_breaker: true,
        rollback: true,
        load_balancer: None,
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
        desired_count: "3".into(),
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
        forms::run_task_request("serverless", "report", "2", "FARGATE"),
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
        Some(Hit::Task(chip.task, chip.serial))
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
    // A service by `cluster/name`: names repeat across clusters.
    let cluster = &s.world().ecs.services[0].cluster;
    let web = Some(format!("{cluster}/web"));
    assert!(kinds.contains(&(Kind::ServiceEvent, web.clone())));
    assert!(kinds.contains(&(Kind::Task, web.clone())));
    assert!(kinds.contains(&(Kind::Deployment, web)));
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

/// The session of issue 13's chart lag: a 1536 MiB definition, two m5.large in 1a and two
/// t3.medium in 1b, service `mo` (memberOf t3.medium, 2 tasks), then `roll` (4 tasks, 50/100).
fn chart_lag_session() -> Session {
    let mut s = session("blank");
    let mut definition = example();
    definition["containerDefinitions"][0]["memoryReservation"] = json!(1536);
    s.request("ecs:RegisterTaskDefinition", definition).unwrap();
    for (kind, zone) in [("m5.large", "us-east-1a"), ("t3.medium", "us-east-1b")] {
        let request =
            ecsplay::ec2::run_instances_request(kind, 2, zone, "demo", &Default::default());
        s.request("ec2:RunInstances", request).unwrap();
    }
    s.advance_by(90_000);
    let mo = ServiceForm {
        name: "mo".into(),
        member_of: "attribute:ecs.instance-type == t3.medium".into(),
        ..service_form()
    };
    s.request("ecs:CreateService", mo.request()).unwrap();
    // Made a moment later, as a person fills in the second form.
    s.advance_by(30_000);
    let roll = ServiceForm {
        name: "roll".into(),
        desired_count: "4".into(),
        minimum_healthy_percent: "50".into(),
        maximum_percent: "100".into(),
        ..service_form()
    };
    s.request("ecs:CreateService", roll.request()).unwrap();
    s.fast_forward();
    s
}

#[test]
fn the_charted_running_count_changes_the_moment_a_task_starts() {
    let s = chart_lag_session();
    let world = s.world();
    let roll = world
        .ecs
        .services
        .iter()
        .find(|t| t.name == "roll")
        .unwrap();
    let series = ServiceSeries::of(roll);
    // Every moment a task of the service reached RUNNING is a point of the running line, with
    // the number running from then on.
    let mut started: Vec<u64> = roll
        .tasks
        .iter()
        .filter_map(|&t| world.ecs.tasks[t].started_at)
        .collect();
    started.sort_unstable();
    assert_eq!(started.len(), 4, "all four tasks started");
    for (n, at) in started.iter().enumerate() {
        let value = series
            .running
            .iter()
            .rev()
            .find(|(t, _)| t <= at)
            .map(|p| p.1)
            .unwrap();
        let running_then = started.iter().filter(|t| *t <= at).count() as u32;
        assert_eq!(
            value, running_then,
            "task {n} started at {at}: {:?}",
            series.running
        );
    }
    let last_start = *started.last().unwrap();
    assert!(
        series.running.contains(&(last_start, 4)),
        "running 4 from {last_start}: {:?}",
        series.running
    );
}

#[test]
fn the_keyboard_visits_every_waiting_group_instance_and_task_in_reading_order() {
    let mut s = session("default");
    s.fast_forward();
    let layout = MapLayout::build(s.world(), 900.0);
    let stops = layout.stops();
    let instances = layout
        .boxes
        .iter()
        .filter(|b| matches!(b.kind, ecsplay::ui::model::map::BoxKind::Container(_)))
        .count();
    assert_eq!(stops.len(), instances + layout.chips.len());
    assert!(matches!(stops[0], Hit::Instance(_)), "{stops:?}");
    // Right from nothing goes to the first stop, then on; Left goes back; End and Home jump.
    let first = layout.next_stop(None, "ArrowRight").unwrap();
    assert_eq!(first, stops[0]);
    let second = layout.next_stop(Some(&first), "ArrowDown").unwrap();
    assert_eq!(second, stops[1]);
    assert!(
        matches!(second, Hit::Task(..)),
        "an instance's tasks follow it"
    );
    assert_eq!(
        layout.next_stop(Some(&second), "ArrowLeft"),
        Some(first.clone())
    );
    assert_eq!(layout.next_stop(Some(&first), "End"), stops.last().cloned());
    assert_eq!(layout.next_stop(Some(&second), "Home"), Some(first));
    assert_eq!(layout.next_stop(None, "x"), None);
    // Every stop has a rectangle for the keyboard's ring.
    assert!(stops.iter().all(|h| layout.rect_of(h).is_some()));
}

/// A service whose 9000 MiB tasks fit no instance: m5.large and t3.medium.
fn unplaceable_session() -> Session {
    let mut s = session("blank");
    let mut definition = example();
    definition["containerDefinitions"][0]["memoryReservation"] = json!(9000);
    s.request("ecs:RegisterTaskDefinition", definition).unwrap();
    for kind in ["m5.large", "t3.medium"] {
        let request =
            ecsplay::ec2::run_instances_request(kind, 1, "us-east-1a", "demo", &Default::default());
        s.request("ec2:RunInstances", request).unwrap();
    }
    s.advance_by(90_000);
    s.request("ecs:CreateService", service_form().request())
        .unwrap();
    s.fast_forward();
    s
}

#[test]
fn tasks_that_cannot_be_placed_can_be_selected_and_keep_their_last_decision() {
    let s = unplaceable_session();
    let layout = MapLayout::build(s.world(), 900.0);
    let waiting = layout.waiting.first().unwrap_or_else(|| {
        panic!(
            "nothing waits: {:?}",
            ecsplay::scenario::run::log_lines(s.world())
                .iter()
                .rev()
                .take(8)
                .collect::<Vec<_>>()
        )
    });
    assert_eq!((waiting.name.as_str(), waiting.count), ("web", 2));
    // A click on the group's label selects it; the keyboard's first stop is the group too.
    let hit = layout.hit(waiting.x + 4.0, 17.0);
    assert_eq!(hit, Some(Hit::Waiting(waiting.service)));
    assert_eq!(layout.stops()[0], Hit::Waiting(waiting.service));
    let world = s.world();
    let decision = world.ecs.services[waiting.service]
        .last_placement_failure
        .as_ref()
        .expect("the failed decision is kept");
    let trace = decision.expand(&world.ecs);
    assert_eq!(trace.instances.len(), 2);
    for fate in &trace.instances {
        assert_eq!(fate.check, Some("memory"), "{fate:?}");
        let detail = fate.detail.as_deref().unwrap();
        assert!(detail.starts_with("needs 9000 MiB of memory, "), "{detail}");
        assert!(detail.ends_with(" MiB available"), "{detail}");
        assert!(fate.ec2_instance_id.starts_with("i-"));
        assert_eq!(
            fate.container_instance.len(),
            32,
            "{}",
            fate.container_instance
        );
    }
    let failure = trace.failure.unwrap();
    assert!(failure
        .message
        .contains(failure.closest.as_deref().unwrap()));
}

#[test]
fn a_placement_failure_is_forgotten_once_every_task_is_placed() {
    let mut s = unplaceable_session();
    // Room at last: an instance large enough for both tasks.
    let request = ecsplay::ec2::run_instances_request(
        "m5.4xlarge",
        1,
        "us-east-1a",
        "demo",
        &Default::default(),
    );
    s.request("ec2:RunInstances", request).unwrap();
    s.fast_forward();
    assert_eq!(running(&s, "web"), 2);
    assert!(s.world().ecs.services[0].last_placement_failure.is_none());
}

#[test]
fn services_of_the_same_name_in_two_clusters_are_named_with_their_cluster() {
    let mut s = session("binpack-vs-spread");
    s.fast_forward();
    let world = s.world();
    let labels = ecsplay::ui::model::charts::service_labels(world);
    assert_eq!(labels.len(), world.ecs.services.len());
    let mut unique = labels.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), labels.len(), "{labels:?}");
    for (label, service) in labels.iter().zip(&world.ecs.services) {
        assert_eq!(*label, format!("{} ({})", service.name, service.cluster));
    }
    // The map shows one cluster at a time: each cluster's instances, and only those.
    let all = MapLayout::build(world, 900.0);
    let mut shown = 0;
    for cluster in world.ecs.clusters.keys() {
        let layout = MapLayout::build_for(world, 900.0, Some(cluster));
        for b in &layout.boxes {
            if let ecsplay::ui::model::map::BoxKind::Container(n) = b.kind {
                assert_eq!(world.ecs.container_instances[n].cluster, *cluster);
                shown += 1;
            }
        }
    }
    assert_eq!(shown, all.boxes.len());
    // A single cluster's names stay as they are.
    let mut default = session("default");
    default.fast_forward();
    assert_eq!(
        ecsplay::ui::model::charts::service_labels(default.world()),
        vec!["web".to_string()]
    );
}

#[test]
fn number_fields_go_as_typed_so_the_api_refuses_what_is_not_an_integer() {
    assert_eq!(forms::number_as_typed(" 3 "), Some(json!(3)));
    assert_eq!(forms::number_as_typed(""), None);
    assert_eq!(forms::number_as_typed("1e2"), Some(json!("1e2")));
    let mut s = session("default");
    let cluster = s.world().ecs.clusters.keys().next().unwrap().clone();
    for (typed, message) in [
        ("1e2", "Invalid type for parameter desiredCount, value: 1e2, type: <class 'str'>, valid types: <class 'int'>"),
        ("2.5", "Invalid type for parameter desiredCount, value: 2.5, type: <class 'str'>, valid types: <class 'int'>"),
        ("", "desiredCount is required for a service using the REPLICA scheduling strategy."),
    ] {
        let form = ServiceForm {
            cluster: cluster.clone(),
            name: "other".into(),
            desired_count: typed.into(),
            ..service_form()
        };
        let error = s.request("ecs:CreateService", form.request()).unwrap_err();
        assert_eq!(error.message, message, "typed {typed:?}");
    }
    let form = ServiceForm {
        cluster,
        name: "other".into(),
        desired_count: "-1".into(),
        ..service_form()
    };
    assert!(s.request("ecs:CreateService", form.request()).is_err());
    assert!(s.world().ecs.services.iter().all(|t| t.name != "other"));
}

#[test]
fn fargate_with_a_placement_strategy_gets_aws_refusal_not_silence() {
    let mut s = session("fargate-basics");
    let form = ServiceForm {
        cluster: "serverless".into(),
        name: "spot".into(),
        task_definition: "api:1".into(),
        launch_type: "FARGATE".into(),
        strategy: "binpack(memory)".into(),
        ..service_form()
    };
    let error = s.request("ecs:CreateService", form.request()).unwrap_err();
    assert_eq!(error.code, "InvalidParameterException");
    assert_eq!(
        error.message,
        "Task placement strategies are not supported for tasks using the Fargate launch type."
    );
}

#[test]
fn custom_attributes_are_checked_as_ecs_checks_them() {
    assert!(forms::parse_attributes("=x")
        .unwrap_err()
        .contains("no name"));
    assert!(forms::parse_attributes("team=a, team=b")
        .unwrap_err()
        .contains("given twice"));
    assert!(forms::parse_attributes("ecs.instance-type=fake")
        .unwrap_err()
        .contains("ecs. namespace"));
    assert!(forms::parse_attributes("équipe=web").is_err());
    assert!(forms::parse_attributes("team=wéb").is_err());
    assert_eq!(
        forms::parse_attributes("team=web, stack=prod")
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn a_selected_task_is_told_apart_from_a_later_task_in_its_slot() {
    let mut s = session("default");
    s.fast_forward();
    let layout = MapLayout::build(s.world(), 900.0);
    let chip = layout.chips[0];
    let selected = Hit::Task(chip.task, chip.serial);
    let arn = s.world().ecs.tasks[chip.task].arn.clone();
    s.request(
        "ecs:StopTask",
        json!({ "cluster": "demo", "task": arn, "reason": "test" }),
    )
    .unwrap();
    // An hour after it stopped the task is forgotten; the service's replacements and more
    // tasks take slots, the freed one among them.
    s.advance_by(2 * 60 * 60 * 1000);
    s.request(
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "web", "desiredCount": 8 }),
    )
    .unwrap();
    s.fast_forward();
    let world = s.world();
    let now_in_slot = world.ecs.tasks.get(chip.task).expect("the slot is reused");
    assert_ne!(now_in_slot.serial, chip.serial);
    assert_ne!(now_in_slot.arn, arn);
    // The old selection names no chip; the new task's chip is another stop.
    let layout = MapLayout::build(world, 900.0);
    assert_eq!(layout.rect_of(&selected), None);
    assert!(layout
        .stops()
        .contains(&Hit::Task(chip.task, now_in_slot.serial)));
}

#[test]
fn the_maps_text_alternative_counts_what_it_shows_and_says_what_changed() {
    let mut s = session("daemon-and-draining");
    let booting = MapLayout::build(s.world(), 900.0).summary();
    assert_eq!((booting.instances, booting.booting), (0, 2));
    assert_eq!(
        booting.sentence(None),
        "0 container instances (2 more booting). 0 tasks."
    );
    s.fast_forward();
    let world = s.world();
    let layout = MapLayout::build(world, 900.0);
    let summary = layout.summary();
    let running = world.ecs.tasks.iter().filter(|t| t.is_running()).count();
    assert_eq!(summary.instances, world.ecs.container_instances.len());
    assert_eq!(
        summary.tasks[1], running,
        "running tasks, as the chips show"
    );
    assert_eq!(summary.waiting, 0);
    let sentence = summary.sentence(Some(&booting));
    assert!(
        sentence.starts_with(&format!("{} container instances", summary.instances)),
        "{sentence}"
    );
    assert!(
        sentence.contains(&format!("Changed: {running} more running")),
        "{sentence}"
    );
}

#[test]
fn the_load_balancer_form_makes_a_group_a_balancer_and_its_listener_in_one_batch() {
    let mut s = session("default");
    let form = forms::AlbForm {
        name: "shop".into(),
        zones: vec!['a', 'b'],
        security_group: String::new(),
        listener_port: "8080".into(),
        target_port: "80".into(),
        health_check_path: "/health".into(),
        interval_s: "10".into(),
        healthy_threshold: "2".into(),
        unhealthy_threshold: String::new(),
        target_type: "instance".into(),
    };
    let steps_before = s.scenario().steps.len();
    let listener = s.request_batch(&forms::alb_batch(&form)).unwrap();
    let world = s.world();
    let tg = &world.elb.target_groups[0];
    assert_eq!(
        (
            tg.health.interval_s,
            tg.health.healthy_threshold,
            tg.health.unhealthy_threshold
        ),
        (10, 2, 2),
        "the unhealthy threshold left empty is ELB's default"
    );
    assert_eq!(tg.health.path.as_deref(), Some("/health"));
    assert_eq!(listener["Listeners"][0]["Port"], 8080);
    assert_eq!(
        listener["Listeners"][0]["DefaultActions"][0]["TargetGroupArn"],
        json!(tg.arn),
        "the listener names the group by the first answer"
    );
    // Recorded as three steps, their references resolved, so the session replays.
    let steps = &s.scenario().steps[steps_before..];
    assert_eq!(steps.len(), 3);
    assert!(
        !steps[2].input.to_string().contains("${"),
        "{}",
        steps[2].input
    );
    // The same form again stops at its first request, with its index.
    let (at, error) = s.request_batch(&forms::alb_batch(&form)).unwrap_err();
    assert_eq!((at, error.code.as_str()), (0, "DuplicateTargetGroupName"));
    assert_eq!(s.scenario().steps.len(), steps_before + 3);
    // One zone is not enough for an ALB; the group made first stays made, as in a script.
    let one_zone = forms::AlbForm {
        name: "solo".into(),
        zones: vec!['a'],
        ..form
    };
    let (at, error) = s.request_batch(&forms::alb_batch(&one_zone)).unwrap_err();
    assert_eq!((at, error.code.as_str()), (1, "ValidationError"));
    // A rule from the panel: TCP 80 from a group (another rule than the default group's
    // all-traffic one), refused the second time.
    let rule = forms::ingress_request("sg-0defa017000000000", "80", "", "sg-0defa017000000000");
    let added = s
        .request("ec2:AuthorizeSecurityGroupIngress", rule.clone())
        .unwrap();
    assert_eq!(added["SecurityGroupRules"][0]["FromPort"], 80);
    assert_eq!(added["SecurityGroupRules"][0]["ToPort"], 80);
    let error = s
        .request("ec2:AuthorizeSecurityGroupIngress", rule)
        .unwrap_err();
    assert_eq!(error.code, "InvalidPermission.Duplicate");
}

#[test]
fn the_service_form_puts_a_service_behind_a_target_group_on_its_definitions_port() {
    let mut s = session("alb-security-groups");
    s.advance_by(60_000);
    let world = s.world();
    assert_eq!(
        forms::load_balanced_port(world, "web:1"),
        Some(("web".to_string(), 80))
    );
    assert_eq!(forms::load_balanced_port(world, "web:9"), None);
    let group = world.elb.target_groups[0].arn.clone();
    let form = ServiceForm {
        name: "second".into(),
        desired_count: "1".into(),
        load_balancer: Some((group.clone(), "web".into(), 80)),
        ..service_form()
    };
    let request = form.request();
    assert_eq!(
        request["loadBalancers"],
        json!([{ "targetGroupArn": group, "containerName": "web", "containerPort": 80 }])
    );
    let created = s.request("ecs:CreateService", request).unwrap();
    assert_eq!(
        created["service"]["loadBalancers"][0]["targetGroupArn"],
        json!(group)
    );
}
