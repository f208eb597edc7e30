//! A simulated day, the benchmark's workload at a fraction of its size: every task placed,
//! running and healthy at the end, each service steady, the placement decisions kept within
//! their budget (the newest ones, each with every instance's fate), and the same log twice.

use ecsplay::bench::simulated_day;
use ecsplay::ecs::task::PLACEMENT_TRACE_FATES_MAX;
use ecsplay::ecs::{Health, TaskStatus};
use ecsplay::scenario::run::log_lines;

#[test]
fn a_day_ends_with_every_task_healthy_and_the_newest_decisions_kept() {
    let (instances, tasks) = (200, 2_000);
    let world = simulated_day(instances, tasks);
    assert_eq!(world.ecs.tasks.len(), tasks, "no task replaced all day");
    for task in world.ecs.tasks.iter() {
        assert_eq!(task.last_status, TaskStatus::Running, "{}", task.id);
        assert_eq!(task.health(), Health::Healthy, "{}", task.id);
    }
    let steady = "has reached a steady state.";
    let messages = log_lines(&world).join("\n");
    assert!(
        messages.contains(steady),
        "no service reached a steady state"
    );

    // 2,000 decisions over 200 instances are 400,000 fates: the budget keeps the newest 500.
    let kept: Vec<usize> = world.ecs.placement_traces.keys().copied().collect();
    let fates: usize = world.ecs.placement_traces.values().map(|d| d.fates()).sum();
    assert!(fates <= PLACEMENT_TRACE_FATES_MAX);
    assert_eq!(kept.len(), PLACEMENT_TRACE_FATES_MAX / instances);
    assert_eq!(kept, (tasks - kept.len()..tasks).collect::<Vec<_>>());
    let newest = world.ecs.placement_traces[&(tasks - 1)].expand(&world.ecs);
    assert_eq!(newest.instances.len(), instances);
    let chosen: Vec<&str> = newest
        .instances
        .iter()
        .filter(|f| f.result == "chosen")
        .map(|f| f.container_instance.as_str())
        .collect();
    assert_eq!(chosen, [newest.chosen.as_deref().unwrap()]);
    let task = &world.ecs.tasks[tasks - 1];
    let placed_on = &world.ecs.container_instances[task.container_instance.unwrap()];
    assert_eq!(
        chosen[0], placed_on.id,
        "the trace names where the task went"
    );
}

#[test]
fn a_day_replays_the_same() {
    let first = log_lines(&simulated_day(30, 300));
    let second = log_lines(&simulated_day(30, 300));
    assert!(first.len() > 600, "{} lines", first.len());
    assert_eq!(first, second);
}
