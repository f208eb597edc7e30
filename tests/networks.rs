//! EC2 networks: the Region's default VPC with a default subnet per zone and its default
//! security group; CreateVpc, CreateSubnet and security groups with their inbound rules, in
//! EC2's shapes and words; an instance's subnet and groups; ECS reading a subnet's zone; and
//! what a group's rules let in (`ec2::read::ingress_allows`).

mod sim;

use ecsplay::ec2::read::{ingress_allows, Source};
use serde_json::{json, Value};

fn ipv4(text: &str) -> u32 {
    let octets: Vec<u8> = text.split('.').map(|o| o.parse().unwrap()).collect();
    u32::from_be_bytes([octets[0], octets[1], octets[2], octets[3]])
}

#[test]
fn a_region_starts_with_a_default_vpc_a_default_subnet_per_zone_and_a_default_group() {
    let mut world = sim::world();
    let vpcs = sim::ok(&mut world, "ec2:DescribeVpcs", json!({}));
    assert_eq!(vpcs["Vpcs"].as_array().unwrap().len(), 1);
    let vpc = &vpcs["Vpcs"][0];
    assert_eq!(vpc["CidrBlock"], "172.31.0.0/16");
    assert_eq!(vpc["IsDefault"], true);
    assert_eq!(vpc["State"], "available");
    let subnets = sim::ok(&mut world, "ec2:DescribeSubnets", json!({}))["Subnets"].clone();
    let rows: Vec<(String, String, String)> = subnets
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            assert_eq!(s["DefaultForAz"], true);
            assert_eq!(s["VpcId"], vpc["VpcId"]);
            (
                s["SubnetId"].as_str().unwrap().to_string(),
                s["AvailabilityZone"].as_str().unwrap().to_string(),
                s["CidrBlock"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(rows.len(), 6);
    assert_eq!(
        rows[0],
        (
            "subnet-aaaaaaaaaaaaaaaaa".into(),
            "us-east-1a".into(),
            "172.31.0.0/20".into()
        )
    );
    assert_eq!(
        rows[2],
        (
            "subnet-ccccccccccccccccc".into(),
            "us-east-1c".into(),
            "172.31.32.0/20".into()
        )
    );
    // 4,096 addresses in a /20, less AWS's five.
    assert_eq!(subnets[0]["AvailableIpAddressCount"], 4091);
    let groups = sim::ok(&mut world, "ec2:DescribeSecurityGroups", json!({}));
    let default = &groups["SecurityGroups"][0];
    assert_eq!(default["GroupName"], "default");
    assert_eq!(
        default["IpPermissions"][0]["UserIdGroupPairs"][0]["GroupId"], default["GroupId"],
        "the default group lets its own members in"
    );
    assert_eq!(default["IpPermissions"][0]["IpProtocol"], "-1");
    assert!(default["IpPermissions"][0].get("FromPort").is_none());
}

#[test]
fn vpcs_and_subnets_are_made_and_refused_as_ec2_does() {
    let mut world = sim::world();
    let vpc = sim::ok(
        &mut world,
        "ec2:CreateVpc",
        json!({ "CidrBlock": "10.0.0.0/16" }),
    )["Vpc"]
        .clone();
    let vpc_id = vpc["VpcId"].as_str().unwrap().to_string();
    assert!(vpc_id.starts_with("vpc-") && vpc_id.len() == 21, "{vpc_id}");
    assert_eq!(vpc["IsDefault"], false);
    let subnet = sim::ok(
        &mut world,
        "ec2:CreateSubnet",
        json!({ "VpcId": vpc_id, "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1b" }),
    )["Subnet"]
        .clone();
    assert_eq!(subnet["AvailabilityZone"], "us-east-1b");
    assert_eq!(subnet["AvailableIpAddressCount"], 251);
    assert_eq!(subnet["DefaultForAz"], false);
    let cases: &[(&str, Value, &str, &str)] = &[
        (
            "ec2:CreateVpc",
            json!({ "CidrBlock": "10.0.0.0/8" }),
            "InvalidVpc.Range",
            "The CIDR '10.0.0.0/8' is invalid.",
        ),
        (
            "ec2:CreateVpc",
            json!({ "CidrBlock": "10.0.0.0/16", "AmazonProvidedIpv6CidrBlock": true }),
            "UnsupportedFeatureException",
            "",
        ),
        (
            "ec2:CreateSubnet",
            json!({ "VpcId": vpc_id, "CidrBlock": "10.1.0.0/24" }),
            "InvalidSubnet.Range",
            "The CIDR '10.1.0.0/24' is invalid.",
        ),
        (
            "ec2:CreateSubnet",
            json!({ "VpcId": vpc_id, "CidrBlock": "10.0.1.128/25" }),
            "InvalidSubnet.Conflict",
            "The CIDR '10.0.1.128/25' conflicts with another subnet",
        ),
        (
            "ec2:CreateSubnet",
            json!({ "VpcId": "vpc-0000000000000dead", "CidrBlock": "10.0.2.0/24" }),
            "InvalidVpcID.NotFound",
            "The vpc ID 'vpc-0000000000000dead' does not exist",
        ),
        (
            "ec2:CreateSubnet",
            json!({ "VpcId": vpc_id, "CidrBlock": "10.0.2.0/24", "AvailabilityZone": "us-west-2a" }),
            "InvalidParameterValue",
            "Invalid availability zone: [us-west-2a]. Use a zone of us-east-1 such as us-east-1a.",
        ),
        (
            "ec2:DescribeSubnets",
            json!({ "SubnetIds": ["subnet-0nothing"] }),
            "InvalidSubnetID.NotFound",
            "The subnet ID 'subnet-0nothing' does not exist",
        ),
    ];
    for (action, input, code, message) in cases {
        let before = world.describe_all()["ec2Networks"].clone();
        let error = sim::err(&mut world, action, input.clone());
        assert_eq!(error.code, *code, "{action} {input}");
        if !message.is_empty() {
            assert_eq!(error.message, *message, "{action} {input}");
        }
        assert_eq!(
            world.describe_all()["ec2Networks"],
            before,
            "a refusal changes nothing"
        );
    }
}

fn group(world: &mut ecsplay::world::World, name: &str) -> String {
    sim::ok(
        world,
        "ec2:CreateSecurityGroup",
        json!({ "GroupName": name, "Description": format!("{name} tier") }),
    )["GroupId"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn security_group_rules_are_added_listed_refused_twice_and_revoked() {
    let mut world = sim::world();
    let alb = group(&mut world, "alb");
    let tasks = group(&mut world, "tasks");
    let added = sim::ok(
        &mut world,
        "ec2:AuthorizeSecurityGroupIngress",
        json!({ "GroupId": tasks, "IpPermissions": [
            { "IpProtocol": "tcp", "FromPort": 32768, "ToPort": 61000,
              "UserIdGroupPairs": [{ "GroupId": alb }] },
            { "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
              "IpRanges": [{ "CidrIp": "203.0.113.0/24" }] }
        ] }),
    );
    assert_eq!(added["Return"], true);
    let rules = added["SecurityGroupRules"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0]["ReferencedGroupInfo"]["GroupId"], json!(alb));
    assert_eq!(rules[1]["CidrIpv4"], "203.0.113.0/24");
    assert!(rules[0]["SecurityGroupRuleId"]
        .as_str()
        .unwrap()
        .starts_with("sgr-"));
    // The short form, as `aws ec2 authorize-security-group-ingress --protocol tcp --port 80
    // --cidr 0.0.0.0/0` sends it.
    sim::ok(
        &mut world,
        "ec2:AuthorizeSecurityGroupIngress",
        json!({ "GroupId": alb, "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0" }),
    );
    let twice = sim::err(
        &mut world,
        "ec2:AuthorizeSecurityGroupIngress",
        json!({ "GroupId": alb, "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0" }),
    );
    assert_eq!(twice.code, "InvalidPermission.Duplicate");
    assert_eq!(
        twice.message,
        "the specified rule \"peer: 0.0.0.0/0, TCP, from port: 80, to port: 80, ALLOW\" already exists"
    );
    let described = sim::ok(
        &mut world,
        "ec2:DescribeSecurityGroups",
        json!({ "GroupIds": [tasks] }),
    );
    let permissions = described["SecurityGroups"][0]["IpPermissions"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(permissions.len(), 2);
    assert_eq!(permissions[0]["FromPort"], 32768);
    assert_eq!(permissions[0]["UserIdGroupPairs"][0]["GroupId"], json!(alb));

    // What the rules let in.
    let from_alb = Source {
        address: ipv4("172.31.5.9"),
        security_groups: std::slice::from_ref(&alb),
    };
    let from_internet = Source {
        address: ipv4("198.51.100.7"),
        security_groups: &[],
    };
    let groups = std::slice::from_ref(&tasks);
    assert!(ingress_allows(&world, groups, from_alb, "tcp", 49153));
    assert!(
        !ingress_allows(&world, groups, from_alb, "tcp", 80),
        "80 is not in the range"
    );
    assert!(
        !ingress_allows(&world, groups, from_alb, "udp", 49153),
        "TCP only"
    );
    assert!(!ingress_allows(&world, groups, from_internet, "tcp", 49153));
    assert!(ingress_allows(
        &world,
        groups,
        Source {
            address: ipv4("203.0.113.40"),
            security_groups: &[]
        },
        "tcp",
        22
    ));
    assert!(!ingress_allows(
        &world,
        &["sg-never".into()],
        from_alb,
        "tcp",
        49153
    ));

    // Revoked, the ALB's traffic no longer gets in; revoking it again is refused.
    let revoke = json!({ "GroupId": tasks, "IpPermissions": [
        { "IpProtocol": "tcp", "FromPort": 32768, "ToPort": 61000, "UserIdGroupPairs": [{ "GroupId": alb }] }
    ] });
    sim::ok(&mut world, "ec2:RevokeSecurityGroupIngress", revoke.clone());
    assert!(!ingress_allows(&world, groups, from_alb, "tcp", 49153));
    let again = sim::err(&mut world, "ec2:RevokeSecurityGroupIngress", revoke);
    assert_eq!(again.code, "InvalidPermission.NotFound");
    assert_eq!(
        again.message,
        "The specified rule does not exist in this security group."
    );
}

#[test]
fn security_groups_are_refused_as_ec2_refuses_them() {
    let mut world = sim::world();
    group(&mut world, "web");
    let cases: &[(&str, Value, &str, &str)] = &[
        (
            "ec2:CreateSecurityGroup",
            json!({ "GroupName": "web", "Description": "again" }),
            "InvalidGroup.Duplicate",
            "The security group 'web' already exists for VPC 'vpc-0defa017000000000'",
        ),
        (
            "ec2:CreateSecurityGroup",
            json!({ "GroupName": "sg-web", "Description": "x" }),
            "InvalidParameterValue",
            "Group names may not be in the format sg-*.",
        ),
        (
            "ec2:AuthorizeSecurityGroupIngress",
            json!({ "GroupId": "sg-0000000000000dead", "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0" }),
            "InvalidGroup.NotFound",
            "The security group 'sg-0000000000000dead' does not exist",
        ),
        (
            "ec2:AuthorizeSecurityGroupIngress",
            json!({ "GroupName": "nope", "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0" }),
            "InvalidGroup.NotFound",
            "The security group 'nope' does not exist in default VPC 'vpc-0defa017000000000'",
        ),
        (
            "ec2:AuthorizeSecurityGroupIngress",
            json!({ "GroupName": "web", "IpProtocol": "tcp", "FromPort": 90, "ToPort": 80, "CidrIp": "0.0.0.0/0" }),
            "InvalidParameterValue",
            "",
        ),
        (
            "ec2:AuthorizeSecurityGroupIngress",
            json!({ "GroupName": "web", "IpProtocol": "gre", "CidrIp": "0.0.0.0/0" }),
            "InvalidParameterValue",
            "Invalid value 'gre' for IP protocol. Unknown protocol.",
        ),
        (
            "ec2:AuthorizeSecurityGroupIngress",
            json!({ "GroupName": "web", "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "10.0.0/8" }),
            "InvalidParameterValue",
            "CIDR block 10.0.0/8 is malformed",
        ),
    ];
    for (action, input, code, message) in cases {
        let before = world.describe_all()["ec2Networks"].clone();
        let error = sim::err(&mut world, action, input.clone());
        assert_eq!(error.code, *code, "{input}");
        if !message.is_empty() {
            assert_eq!(error.message, *message, "{input}");
        }
        assert_eq!(world.describe_all()["ec2Networks"], before);
    }
}

#[test]
fn an_instance_is_in_its_subnets_zone_with_its_groups() {
    let mut world = sim::world();
    let vpc = sim::ok(
        &mut world,
        "ec2:CreateVpc",
        json!({ "CidrBlock": "10.0.0.0/16" }),
    );
    let vpc_id = vpc["Vpc"]["VpcId"].clone();
    let subnet = sim::ok(
        &mut world,
        "ec2:CreateSubnet",
        json!({ "VpcId": vpc_id, "CidrBlock": "10.0.3.0/24", "AvailabilityZone": "us-east-1c" }),
    )["Subnet"]["SubnetId"]
        .clone();
    let web = group(&mut world, "web");
    let launch = |subnet: &Value, groups: Value| {
        json!({ "InstanceType": "m5.large", "MinCount": 1, "MaxCount": 1,
                "SubnetId": subnet, "SecurityGroupIds": groups })
    };
    // A subnet of another VPC than the group's is refused; a group that does not exist too.
    let mixed = sim::err(
        &mut world,
        "ec2:RunInstances",
        launch(&subnet, json!([web])),
    );
    assert_eq!(mixed.code, "InvalidParameter");
    let missing = sim::err(
        &mut world,
        "ec2:RunInstances",
        launch(&subnet, json!(["sg-0000000000000dead"])),
    );
    assert_eq!(missing.code, "InvalidGroup.NotFound");
    assert_eq!(missing.path.as_deref(), Some("$.SecurityGroupIds[0]"));
    // In its VPC, with no group named: the VPC's own default group.
    let instance =
        sim::ok(&mut world, "ec2:RunInstances", launch(&subnet, json!([])))["Instances"][0].clone();
    assert_eq!(instance["Placement"]["AvailabilityZone"], "us-east-1c");
    assert_eq!(instance["SubnetId"], subnet);
    assert_eq!(instance["SecurityGroups"][0]["GroupName"], "default");
    assert_ne!(
        instance["SecurityGroups"][0]["GroupId"], "sg-0defa017000000000",
        "the new VPC's default group, not the default VPC's"
    );
    // A Placement naming another zone than the subnet's is refused.
    let elsewhere = sim::err(
        &mut world,
        "ec2:RunInstances",
        json!({ "InstanceType": "m5.large", "MinCount": 1, "MaxCount": 1, "SubnetId": subnet,
                "Placement": { "AvailabilityZone": "us-east-1a" } }),
    );
    assert_eq!(
        elsewhere.path.as_deref(),
        Some("$.Placement.AvailabilityZone")
    );
    // In the default VPC with the group named.
    let default_subnet = json!("subnet-bbbbbbbbbbbbbbbbb");
    let second = sim::ok(
        &mut world,
        "ec2:RunInstances",
        launch(&default_subnet, json!([web])),
    )["Instances"][0]
        .clone();
    assert_eq!(second["Placement"]["AvailabilityZone"], "us-east-1b");
    assert_eq!(
        second["SecurityGroups"],
        json!([{ "GroupId": web, "GroupName": "web" }])
    );
}

#[test]
fn fargate_tasks_run_in_the_zones_of_subnets_that_exist() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "demo" }),
    );
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "api", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
                "cpu": "256", "memory": "512",
                "containerDefinitions": [{ "name": "api", "image": "api:1" }] }),
    );
    let vpc = sim::ok(
        &mut world,
        "ec2:CreateVpc",
        json!({ "CidrBlock": "10.0.0.0/16" }),
    );
    let subnet = |world: &mut ecsplay::world::World, cidr: &str, zone: &str| {
        sim::ok(
            world,
            "ec2:CreateSubnet",
            json!({ "VpcId": vpc["Vpc"]["VpcId"], "CidrBlock": cidr, "AvailabilityZone": zone }),
        )["Subnet"]["SubnetId"]
            .clone()
    };
    let c = subnet(&mut world, "10.0.1.0/24", "us-east-1c");
    let e = subnet(&mut world, "10.0.2.0/24", "us-east-1e");
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "api", "taskDefinition": "api", "desiredCount": 4,
                "launchType": "FARGATE",
                "networkConfiguration": { "awsvpcConfiguration": { "subnets": [c, e] } } }),
    );
    sim::advance(&mut world, 120_000);
    let mut zones: Vec<String> = world.describe_all()["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["availabilityZone"].as_str().unwrap().to_string())
        .collect();
    zones.sort();
    assert_eq!(
        zones,
        ["us-east-1c", "us-east-1c", "us-east-1e", "us-east-1e"],
        "spread over the subnets' own zones, not the list's positions (a and b)"
    );
}
