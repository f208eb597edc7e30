//! The Cluster Query Language (aws-facts 2.5): every example of the ECS guide, both operator
//! forms, lists, patterns, dates and versions, and malformed expressions with their columns.

use std::collections::BTreeMap;

use ecsplay::ecs::placement::cql::{parse, Facts};

struct Instance {
    attributes: BTreeMap<String, Option<String>>,
    ec2_instance_id: String,
    agent_connected: bool,
    agent_version: String,
    registered_at_s: i64,
    running: u32,
    groups: Vec<String>,
}

impl Facts for Instance {
    fn attribute(&self, name: &str) -> Option<Option<&str>> {
        self.attributes.get(name).map(|v| v.as_deref())
    }
    fn ec2_instance_id(&self) -> &str {
        &self.ec2_instance_id
    }
    fn agent_connected(&self) -> bool {
        self.agent_connected
    }
    fn agent_version(&self) -> &str {
        &self.agent_version
    }
    fn registered_at_s(&self) -> i64 {
        self.registered_at_s
    }
    fn running_tasks_count(&self) -> u32 {
        self.running
    }
    fn any_group(&self, test: &mut dyn FnMut(&str) -> bool) -> bool {
        self.groups.iter().any(|g| test(g))
    }
}

/// A t2.small in us-east-1a, stack=prod, agent 1.14.4, registered 2018-02-01, running one task
/// of group service:production.
fn instance() -> Instance {
    let mut attributes = BTreeMap::new();
    for (name, value) in [
        ("ecs.instance-type", "t2.small"),
        ("ecs.availability-zone", "us-east-1a"),
        ("ecs.os-type", "linux"),
        ("ecs.os-family", "LINUX"),
        ("stack", "prod"),
        ("cores", "8"),
    ] {
        attributes.insert(name.to_string(), Some(value.to_string()));
    }
    attributes.insert("ecs.capability.task-eni".into(), None);
    Instance {
        attributes,
        ec2_instance_id: "i-abcd1234".into(),
        agent_connected: true,
        agent_version: "1.14.4".into(),
        registered_at_s: 1_517_443_200, // 2018-02-01T00:00:00Z
        running: 1,
        groups: vec!["service:production".into()],
    }
}

#[track_caller]
fn holds(expression: &str) -> bool {
    parse(expression)
        .unwrap_or_else(|e| panic!("{expression}: {e}"))
        .eval(&instance())
}

#[test]
fn every_example_of_the_guide_parses_and_evaluates() {
    let cases = [
        ("attribute:ecs.instance-type == t2.small", true),
        ("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", true),
        ("attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d", false),
        ("task:group == service:production", true),
        ("not(task:group == database)", true),
        ("runningTasksCount == 1", true),
        ("agentVersion < 1.14.5", true),
        ("registeredAt < 2018-02-13", true),
        ("ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", true),
        ("attribute:stack == prod", true),
        ("attribute:stack != prod", false),
        ("attribute:ecs.instance-type =~ t2.*", true),
        ("task:group == databases", false),
        ("attribute:ecs.os-family == WINDOWS_SERVER_2022_FULL", false),
        ("(attribute:stack == dev or attribute:stack == prod) and attribute:ecs.os-type == linux", true),
    ];
    for (expression, expected) in cases {
        assert_eq!(holds(expression), expected, "{expression}");
    }
}

#[test]
fn word_and_symbol_forms_agree() {
    let pairs = [
        ("attribute:stack == prod", "attribute:stack equals prod"),
        ("attribute:stack != prod", "attribute:stack not_equals prod"),
        ("runningTasksCount > 0", "runningTasksCount greater_than 0"),
        (
            "runningTasksCount >= 2",
            "runningTasksCount greater_than_equal 2",
        ),
        ("runningTasksCount < 1", "runningTasksCount less_than 1"),
        (
            "runningTasksCount <= 1",
            "runningTasksCount less_than_equal 1",
        ),
        ("attribute:stack exists", "attribute:stack exists"),
        ("attribute:team !exists", "attribute:team not_exists"),
        (
            "attribute:stack in [dev, prod]",
            "attribute:stack in [dev, prod]",
        ),
        (
            "attribute:stack !in [dev, test]",
            "attribute:stack not_in [dev, test]",
        ),
        ("attribute:stack =~ pr.d", "attribute:stack matches pr.d"),
        (
            "attribute:stack !~ pr.d",
            "attribute:stack not_matches pr.d",
        ),
        (
            "attribute:a exists && attribute:b exists",
            "attribute:a exists and attribute:b exists",
        ),
        (
            "attribute:stack exists || attribute:b exists",
            "attribute:stack exists or attribute:b exists",
        ),
        (
            "!(attribute:stack == prod)",
            "not (attribute:stack == prod)",
        ),
    ];
    for (symbol, word) in pairs {
        assert_eq!(holds(symbol), holds(word), "{symbol} / {word}");
    }
    assert!(holds("runningTasksCount greater_than 0"));
    assert!(!holds("attribute:stack not_matches pr.d"));
    assert!(holds("attribute:team not_exists"));
}

#[test]
fn values_patterns_dates_and_versions() {
    let cases = [
        // Java's matches() covers the whole value: "t2" alone does not match "t2.small".
        ("attribute:ecs.instance-type =~ t2", false),
        ("attribute:ecs.instance-type =~ (t2|t3)\\..*", true),
        (
            "attribute:ecs.instance-type =~ '^t[23]\\.(small|micro)$'",
            true,
        ),
        ("attribute:ecs.capability.task-eni exists", true),
        ("attribute:ecs.capability.task-eni == true", false),
        // Numbers compare as numbers: 8 < 16, though "8" > "16" as text.
        ("attribute:cores < 16", true),
        ("attribute:stack > prea", true),
        ("attribute:team != prod", true),
        ("attribute:team == prod", false),
        ("registeredAt >= 2018-02-01T00:00:00Z", true),
        ("registeredAt > 2018-02-01T00:00:00+00:00", false),
        ("registeredAt == 2018-02-01T00:00:00", true),
        ("agentVersion >= 1.14.4", true),
        ("agentVersion > 1.9.0", true),
        ("agentConnected == true", true),
        ("agentConnected != true", false),
        ("ec2InstanceId =~ i-abcd.*", true),
        ("task:group in [service:production, service:web]", true),
        ("task:group != service:production", false),
        ("task:group =~ service:.*", true),
        (
            "runningTasksCount == 0 or task:group == service:production",
            true,
        ),
        ("not runningTasksCount == 1", false),
        (
            "attribute:stack == prod and not attribute:stack == dev or runningTasksCount == 9",
            true,
        ),
        ("ec2InstanceId in [\"i-abcd1234\"]", true),
    ];
    for (expression, expected) in cases {
        assert_eq!(holds(expression), expected, "{expression}");
    }
}

#[test]
fn malformed_expressions_say_where_and_what_was_expected() {
    let cases = [
        ("", 1, "Expected an expression"),
        ("attribute:", 11, "Expected an attribute name"),
        ("color == red", 1, "Expected a subject"),
        ("attribute:stack", 16, "Expected an operator"),
        ("attribute:stack ==", 19, "Expected a value"),
        ("attribute:stack === prod", 19, "Expected a value"),
        ("attribute:stack == prod and", 28, "Expected an expression"),
        ("(attribute:stack == prod", 25, "Expected `)`"),
        (
            "attribute:stack in prod",
            20,
            "Expected `[` to start a list",
        ),
        ("attribute:stack in [a, b", 25, "Expected `,` or `]`"),
        ("attribute:stack == 'prod", 20, "Expected a closing '"),
        (
            "attribute:stack == prod extra",
            25,
            "Expected `and`, `or` or the end",
        ),
        (
            "runningTasksCount =~ 1",
            19,
            "The operator is not valid for runningTasksCount",
        ),
        (
            "ec2InstanceId > i-1",
            15,
            "The operator is not valid for ec2InstanceId",
        ),
        (
            "agentVersion exists",
            14,
            "The operator is not valid for agentVersion",
        ),
        ("runningTasksCount == many", 22, "Expected a whole number"),
        ("registeredAt < yesterday", 16, "Expected a date"),
        ("agentVersion < 1.x", 16, "Expected a version"),
        ("attribute:stack =~ (prod", 20, "Invalid regular expression"),
    ];
    for (expression, column, message) in cases {
        let error = parse(expression).expect_err(expression);
        assert_eq!(error.column, column, "{expression}: {error}");
        assert!(error.message.starts_with(message), "{expression}: {error}");
    }
}
