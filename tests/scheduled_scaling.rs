//! Scheduled scaling (aws-facts 6.4): `at`, `rate` and six-field `cron` schedules read in a
//! time zone with its daylight saving time, StartTime and EndTime, and the new min and max
//! pushing the desired count inside them, with Application Auto Scaling's activity wording.

mod sim;

use ecsplay::autoscaling::schedule::{next_after, parse, zone};
use ecsplay::engine::time::{format_timestamp, parse_timestamp};
use serde_json::json;

fn at(text: &str) -> i64 {
    parse_timestamp(text).unwrap()
}

fn next(schedule: &str, tz: &str, after: &str) -> String {
    let s = parse(schedule).unwrap();
    let t = next_after(&s, zone(tz).unwrap(), at(after), at(after), None).unwrap();
    format_timestamp(t)
}

#[test]
fn a_weekday_cron_in_new_york_follows_the_clocks_across_the_change_to_summer_time() {
    // 9:00 on weekdays; 2026's change is Sunday 8 March.
    let schedule = "cron(0 9 ? * MON-FRI *)";
    assert_eq!(
        next(schedule, "America/New_York", "2026-03-05T15:00:00Z"),
        "2026-03-06T14:00:00.000Z",
        "Friday 9:00 EST"
    );
    assert_eq!(
        next(schedule, "America/New_York", "2026-03-06T15:00:00Z"),
        "2026-03-09T13:00:00.000Z",
        "Monday 9:00 EDT, an hour earlier in UTC"
    );
    // Europe moves on the last Sunday of March (29 March 2026), Sydney back on 5 April.
    assert_eq!(
        next("cron(30 8 * * ? *)", "Europe/Paris", "2026-03-28T08:00:00Z"),
        "2026-03-29T06:30:00.000Z"
    );
    assert_eq!(
        next(
            "cron(0 12 * * ? *)",
            "Australia/Sydney",
            "2026-04-04T02:00:00Z"
        ),
        "2026-04-05T02:00:00.000Z",
        "noon AEST after summer time ends (AEDT noon was 01:00 UTC)"
    );
    assert_eq!(
        next("cron(0 0 1 JAN ? 2027)", "UTC", "2026-06-01T00:00:00Z"),
        "2027-01-01T00:00:00.000Z"
    );
    assert_eq!(
        next("rate(15 minutes)", "UTC", "2026-01-01T00:00:00Z"),
        "2026-01-01T00:15:00.000Z"
    );
    assert_eq!(
        next(
            "at(2026-07-04T18:00:00)",
            "America/Los_Angeles",
            "2026-01-01T00:00:00Z"
        ),
        "2026-07-05T01:00:00.000Z",
        "18:00 PDT"
    );
    assert_eq!(
        next("cron(0 9 * * ? *)", "Etc/GMT+9", "2026-01-01T00:00:00Z"),
        "2026-01-01T18:00:00.000Z",
        "Etc/GMT+9 is nine hours west"
    );
    for bad in [
        "cron(0 9 * * *)",
        "cron(0 9 1 * MON *)",
        "rate(1 minutes)",
        "rate(5 minute)",
        "every(5 minutes)",
        "cron(0 25 * * ? *)",
    ] {
        assert!(parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn business_hours_in_paris_raise_the_minimum_at_nine_and_lower_the_maximum_at_six() {
    let mut world = sim::scalable_app(2, 1, 10);
    let base = json!({ "ServiceNamespace": "ecs", "ResourceId": "service/demo/app", "ScalableDimension": "ecs:service:DesiredCount",
                       "Timezone": "Europe/Paris" });
    let with = |extra: serde_json::Value| {
        let mut v = base.clone();
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        v
    };
    sim::ok(
        &mut world,
        "application-autoscaling:PutScheduledAction",
        with(
            json!({ "ScheduledActionName": "open", "Schedule": "cron(0 9 ? * MON-FRI *)",
                     "ScalableTargetAction": { "MinCapacity": 5, "MaxCapacity": 10 } }),
        ),
    );
    sim::ok(
        &mut world,
        "application-autoscaling:PutScheduledAction",
        with(
            json!({ "ScheduledActionName": "close", "Schedule": "cron(0 18 ? * MON-FRI *)",
                     "ScalableTargetAction": { "MinCapacity": 1, "MaxCapacity": 3 } }),
        ),
    );
    let listed = sim::ok(
        &mut world,
        "application-autoscaling:DescribeScheduledActions",
        json!({ "ServiceNamespace": "ecs", "ResourceId": "service/demo/app" }),
    );
    assert_eq!(listed["ScheduledActions"][0]["Timezone"], "Europe/Paris");
    assert_eq!(
        listed["ScheduledActions"][0]["ScalableTargetAction"],
        json!({ "MinCapacity": 5, "MaxCapacity": 10 })
    );
    let desired = sim::app_desired;
    // 2026-01-01 is a Thursday; 9:00 in Paris is 08:00 UTC.
    let now = world.now();
    sim::advance(&mut world, 8 * 3_600_000 - 60_000 - now);
    assert_eq!(desired(&mut world), 2);
    sim::advance(&mut world, 120_000);
    assert_eq!(desired(&mut world), 5, "pushed up to the new minimum");
    let activities = sim::ok(
        &mut world,
        "application-autoscaling:DescribeScalingActivities",
        json!({ "ServiceNamespace": "ecs", "ResourceId": "service/demo/app" }),
    )["ScalingActivities"]
        .clone();
    assert_eq!(
        activities[1]["Description"],
        "Setting min capacity to 5 and max capacity to 10"
    );
    assert_eq!(
        activities[1]["Cause"],
        "scheduled action name open was triggered"
    );
    assert_eq!(activities[0]["Description"], "Setting desired count to 5.");
    assert_eq!(activities[0]["Cause"], "minimum capacity was set to 5");
    // 18:00 Paris (17:00 UTC): the maximum of 3 brings the count down.
    sim::advance(&mut world, 9 * 3_600_000);
    assert_eq!(desired(&mut world), 3, "pushed down to the new maximum");
    let target = sim::ok(
        &mut world,
        "application-autoscaling:DescribeScalableTargets",
        json!({ "ServiceNamespace": "ecs" }),
    );
    assert_eq!(target["ScalableTargets"][0]["MinCapacity"], 1);
    assert_eq!(target["ScalableTargets"][0]["MaxCapacity"], 3);
    // Refusals: an unknown zone, a bad expression, a name that is not there.
    let e = sim::err(
        &mut world,
        "application-autoscaling:PutScheduledAction",
        with(
            json!({ "ScheduledActionName": "x", "Schedule": "cron(0 9 * * ? *)", "Timezone": "Mars/Olympus" }),
        ),
    );
    assert_eq!(e.code, "UnsupportedFeatureException");
    let e = sim::err(
        &mut world,
        "application-autoscaling:PutScheduledAction",
        with(json!({ "ScheduledActionName": "x", "Schedule": "cron(0 9 * *)" })),
    );
    assert_eq!(e.code, "ValidationException");
    assert!(
        e.message
            .starts_with("Invalid schedule expression 'cron(0 9 * *)'"),
        "{}",
        e.message
    );
    sim::ok(
        &mut world,
        "application-autoscaling:DeleteScheduledAction",
        json!({ "ServiceNamespace": "ecs", "ResourceId": "service/demo/app", "ScalableDimension": "ecs:service:DesiredCount", "ScheduledActionName": "open" }),
    );
    let e = sim::err(
        &mut world,
        "application-autoscaling:DeleteScheduledAction",
        json!({ "ServiceNamespace": "ecs", "ResourceId": "service/demo/app", "ScalableDimension": "ecs:service:DesiredCount", "ScheduledActionName": "open" }),
    );
    assert_eq!(e.code, "ObjectNotFoundException");
}

#[test]
fn the_panels_schedule_check_says_the_next_time_or_what_is_wrong() {
    use ecsplay::ui::model::scaling::{schedule_check, scheduled_request};
    let world = sim::world();
    // 2026-01-01 is a Thursday: the next weekday 9:00 in Paris is that morning, 08:00 UTC.
    assert_eq!(
        schedule_check(&world, "cron(0 9 ? * MON-FRI *)", "Europe/Paris").as_deref(),
        Ok("next: 2026-01-01 09:00 Europe/Paris (08:00 UTC)")
    );
    assert!(schedule_check(&world, "cron(0 9 * *)", "UTC")
        .unwrap_err()
        .contains("six fields"));
    let request = scheduled_request("service/demo/web", "open", "rate(1 hour)", "UTC", "4", "");
    assert_eq!(
        request["ScalableTargetAction"],
        json!({ "MinCapacity": 4 }),
        "an empty max is left out"
    );
    assert_eq!(request["ScheduledActionName"], "open");
}
