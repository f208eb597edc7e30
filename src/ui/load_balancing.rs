//! Load balancing: security groups and their inbound rules (add, revoke, a new group), an
//! Application Load Balancer made with its listener and target group in one form, a Classic
//! Load Balancer with its health check and connection draining in another, and each target
//! group's targets (a Classic Load Balancer's instances) with their health (state, ELB's reason
//! and description, and the changes that led there), registered and deregistered here. Every
//! change is an AWS request.

use serde_json::{json, Value};
use yew::prelude::*;

use super::capacity::outcome_line;
use super::fields::{
    checked_zones, input_value, select_value, use_field_defaults, use_field_value,
};
use super::model::forms::{
    alb_batch, classic_batch, ingress_request, traffic_request, AlbForm, ClassicForm,
    TRAFFIC_PROFILES,
};
use super::state::{Origin, Outcome, SimRef};
use crate::ec2::network::{Peer, Rule};
use crate::ec2::read::InstanceState;
use crate::elb::TargetState;
use crate::engine::time::format_clock;

#[derive(Properties, PartialEq)]
pub struct LoadBalancingProps {
    pub sim: SimRef,
    pub outcome: Option<std::rc::Rc<Outcome>>,
    pub onrequest: Callback<(String, Value)>,
    pub onbatch: Callback<Vec<(String, Value)>>,
}

fn rule_text(rule: &Rule, names: &dyn Fn(&str) -> String) -> String {
    let ports = match rule.protocol.as_str() {
        "-1" => "all traffic".to_string(),
        p if rule.from_port == rule.to_port => format!("{} {}", p.to_uppercase(), rule.from_port),
        p => format!("{} {}-{}", p.to_uppercase(), rule.from_port, rule.to_port),
    };
    let peer = match &rule.peer {
        Peer::Cidr(cidr) => cidr.to_string(),
        Peer::Group(id) => names(id),
    };
    format!("{ports} from {peer}")
}

#[function_component(LoadBalancingPanel)]
pub fn load_balancing_panel(props: &LoadBalancingProps) -> Html {
    let session = props.sim.borrow();
    let world = session.world();
    let groups = world.ec2.network.security_groups.clone();
    let group_name = |id: &str| {
        groups
            .iter()
            .find(|g| g.id == id)
            .map_or_else(|| id.to_string(), |g| format!("{} ({})", g.name, g.id))
    };
    let instances: Vec<String> = crate::ec2::read::instances(world)
        .filter(|i| i.state == InstanceState::Running)
        .map(|i| i.id.to_string())
        .collect();
    let now = world.now();
    let region = world.config.region.clone();
    // The rule form.
    let (rule_group, rule_from, rule_to, rule_source, new_group) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let onallow = {
        let (onrequest, refs) = (
            props.onrequest.clone(),
            (
                rule_group.clone(),
                rule_from.clone(),
                rule_to.clone(),
                rule_source.clone(),
            ),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            onrequest.emit((
                "ec2:AuthorizeSecurityGroupIngress".into(),
                ingress_request(
                    &select_value(&refs.0),
                    &input_value(&refs.1),
                    &input_value(&refs.2),
                    &select_value(&refs.3),
                ),
            ));
        })
    };
    let oncreategroup = {
        let (onrequest, name) = (props.onrequest.clone(), new_group.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let name = input_value(&name);
            onrequest.emit((
                "ec2:CreateSecurityGroup".into(),
                json!({ "GroupName": name, "Description": format!("{name} (made in the playground)") }),
            ));
        })
    };
    // The load balancer form.
    let alb = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let target_type_ref = use_node_ref();
    let zone_refs = use_memo((), |_| ['a', 'b', 'c'].map(|z| (z, NodeRef::default())));
    let oncreatealb = {
        let (onbatch, alb, zone_refs, target_type_ref) = (
            props.onbatch.clone(),
            alb.clone(),
            zone_refs.clone(),
            target_type_ref.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let form = AlbForm {
                name: input_value(&alb.0),
                zones: checked_zones(zone_refs.as_slice()),
                security_group: select_value(&alb.1),
                listener_port: input_value(&alb.2),
                target_port: input_value(&alb.3),
                health_check_path: input_value(&alb.4),
                interval_s: input_value(&alb.5),
                healthy_threshold: input_value(&alb.6),
                unhealthy_threshold: input_value(&alb.7),
                target_type: select_value(&target_type_ref),
            };
            onbatch.emit(alb_batch(&form));
        })
    };
    // The Classic Load Balancer form.
    let clb: [NodeRef; 8] = Default::default();
    let clb_zones = use_memo((), |_| ['a', 'b', 'c'].map(|z| (z, NodeRef::default())));
    let oncreateclb = {
        let (onbatch, clb, clb_zones) = (props.onbatch.clone(), clb.clone(), clb_zones.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let form = ClassicForm {
                name: input_value(&clb[0]),
                zones: checked_zones(clb_zones.as_slice()),
                protocol: select_value(&clb[1]),
                listener_port: input_value(&clb[2]),
                instance_port: input_value(&clb[3]),
                health_target: input_value(&clb[4]),
                interval_s: input_value(&clb[5]),
                healthy_threshold: input_value(&clb[6]),
                unhealthy_threshold: String::new(),
                draining_s: input_value(&clb[7]),
            };
            onbatch.emit(classic_batch(&form));
        })
    };
    let group_options = |with_none: bool| {
        html! { <>
            if with_none { <option value="">{ "the VPC's default group" }</option> }
            { for groups.iter().filter(|g| g.vpc_id == crate::ec2::network::DEFAULT_VPC_ID).map(|g| html! {
                <option value={g.id.clone()}>{ format!("{} ({})", g.name, g.id) }</option>
            }) }
        </> }
    };
    let target_groups = world.elb.target_groups.clone();
    let balancers = world.elb.load_balancers.clone();
    let listeners = world.elb.listeners.clone();
    let traffic: Vec<(String, f64)> = (world.sim.traffic.flows.iter())
        .map(|f| (f.load_balancer.clone(), f.rate_at(world.now())))
        .collect();
    drop(session);
    use_field_defaults(&[
        (alb.0.clone(), "web"),
        (alb.2.clone(), "80"),
        (alb.3.clone(), "80"),
        (alb.4.clone(), "/"),
        (clb[0].clone(), "legacy"),
        (clb[2].clone(), "80"),
        (clb[3].clone(), "80"),
        (clb[4].clone(), "HTTP:80/"),
    ]);
    html! {
        <section class="panel" id="panel-load-balancing" aria-labelledby="panel-load-balancing-title">
            <h2 id="panel-load-balancing-title">{ "Load balancing" }</h2>
            { outcome_line(props.outcome.as_deref(), Origin::LoadBalancing) }
            <details class="lb-section" open=true>
                <summary><strong>{ format!("Security groups ({})", groups.len()) }</strong></summary>
                <ul class="sg-list" id="sg-list">
                    { for groups.iter().map(|g| html! {
                        <li class="sg">
                            <span class="mono">{ format!("{} ({})", g.name, g.id) }</span>
                            if g.vpc_id != crate::ec2::network::DEFAULT_VPC_ID { <span class="muted small">{ format!(" in {}", g.vpc_id) }</span> }
                            <ul class="sg-rules">
                                if g.ingress.is_empty() { <li class="muted small">{ "no inbound rules: nothing gets in" }</li> }
                                { for g.ingress.iter().map(|r| {
                                    let (onrequest, revoke) = (props.onrequest.clone(), revoke_request(&g.id, r));
                                    html! {
                                        <li class="small">{ rule_text(r, &group_name) }{ " " }
                                            <button class="btn btn-small" title="RevokeSecurityGroupIngress"
                                                onclick={Callback::from(move |_: MouseEvent| onrequest.emit(("ec2:RevokeSecurityGroupIngress".into(), revoke.clone())))}>{ "Revoke" }</button>
                                        </li>
                                    }
                                }) }
                            </ul>
                        </li>
                    }) }
                </ul>
                <form class="inline-form wrap" id="form-ingress" onsubmit={onallow} novalidate=true>
                    <label>{ "Allow TCP " }<input ref={rule_from} id="rule-from" type="text" inputmode="numeric" size="5" placeholder="80" aria-label="From port" /></label>
                    <label>{ "to " }<input ref={rule_to} id="rule-to" type="text" inputmode="numeric" size="5" placeholder="(same)" aria-label="To port" /></label>
                    <label>{ "from " }<select ref={rule_source} id="rule-source" aria-label="Source">
                        <option value="0.0.0.0/0">{ "anywhere (0.0.0.0/0)" }</option>
                        <option value="172.31.0.0/16">{ "the default VPC (172.31.0.0/16)" }</option>
                        { for groups.iter().map(|g| html! { <option value={g.id.clone()}>{ format!("group {}", g.name) }</option> }) }
                    </select></label>
                    <label>{ "into " }<select ref={rule_group} id="rule-group" aria-label="Security group">{ group_options(false) }</select></label>
                    <button class="btn btn-small" type="submit">{ "Add rule" }</button>
                </form>
                <form class="inline-form" id="form-group" onsubmit={oncreategroup} novalidate=true>
                    <input ref={new_group} id="group-name" type="text" placeholder="alb" aria-label="New security group's name" />
                    <button class="btn btn-small" type="submit">{ "New security group" }</button>
                </form>
            </details>
            <details class="lb-section">
                <summary><strong>{ "Create an Application Load Balancer" }</strong></summary>
                <form class="form-grid" id="form-alb" onsubmit={oncreatealb} novalidate=true>
                    <label for="alb-name">{ "Name" }</label><input ref={alb.0.clone()} id="alb-name" type="text" />
                    <span>{ "Zones" }</span>
                    <span class="inline-form">{ for zone_refs.iter().map(|(z, r)| html! {
                        <label><input ref={r.clone()} type="checkbox" checked={*z != 'c'} />{ format!(" {region}{z}") }</label>
                    }) }</span>
                    <label for="alb-group">{ "Security group" }</label><select ref={alb.1.clone()} id="alb-group">{ group_options(true) }</select>
                    <label for="alb-port">{ "Listener port (HTTP)" }</label><input ref={alb.2.clone()} id="alb-port" type="text" inputmode="numeric" />
                    <label for="alb-target-type">{ "Targets" }</label><select ref={target_type_ref} id="alb-target-type">
                        <option value="instance" selected=true>{ "instance (EC2 tasks, bridge or host ports)" }</option>
                        <option value="ip">{ "ip (awsvpc and Fargate tasks)" }</option>
                    </select>
                    <label for="alb-target-port">{ "Target port" }</label><input ref={alb.3.clone()} id="alb-target-port" type="text" inputmode="numeric" />
                    <label for="alb-path">{ "Health check path" }</label><input ref={alb.4.clone()} id="alb-path" type="text" />
                    <label for="alb-interval">{ "Interval (s)" }</label><input ref={alb.5.clone()} id="alb-interval" type="text" inputmode="numeric" placeholder="30" />
                    <label for="alb-healthy">{ "Healthy threshold" }</label><input ref={alb.6.clone()} id="alb-healthy" type="text" inputmode="numeric" placeholder="5" />
                    <label for="alb-unhealthy">{ "Unhealthy threshold" }</label><input ref={alb.7.clone()} id="alb-unhealthy" type="text" inputmode="numeric" placeholder="2" />
                    <span></span><button class="btn btn-small btn-primary" type="submit"
                        title="CreateTargetGroup, CreateLoadBalancer, then CreateListener forwarding to the group">{ "Create load balancer" }</button>
                </form>
            </details>
            <details class="lb-section">
                <summary><strong>{ "Create a Classic Load Balancer" }</strong></summary>
                <p class="small muted">{ "The previous generation: instances are its targets, one port, no path rules, never awsvpc or Fargate tasks. Made by the API, connection draining and cross-zone load balancing are off." }</p>
                <form class="form-grid" id="form-clb" onsubmit={oncreateclb} novalidate=true>
                    <label for="clb-name">{ "Name" }</label><input ref={clb[0].clone()} id="clb-name" type="text" />
                    <span>{ "Zones" }</span>
                    <span class="inline-form">{ for clb_zones.iter().map(|(z, r)| html! {
                        <label><input ref={r.clone()} type="checkbox" checked={*z != 'c'} />{ format!(" {region}{z}") }</label>
                    }) }</span>
                    <label for="clb-protocol">{ "Protocol" }</label><select ref={clb[1].clone()} id="clb-protocol">
                        <option value="HTTP" selected=true>{ "HTTP" }</option><option value="TCP">{ "TCP" }</option>
                    </select>
                    <label for="clb-port">{ "Load balancer port" }</label><input ref={clb[2].clone()} id="clb-port" type="text" inputmode="numeric" />
                    <label for="clb-instance-port">{ "Instance port" }</label><input ref={clb[3].clone()} id="clb-instance-port" type="text" inputmode="numeric" />
                    <label for="clb-target">{ "Health check target" }</label><input ref={clb[4].clone()} id="clb-target" type="text" />
                    <label for="clb-interval">{ "Interval (s)" }</label><input ref={clb[5].clone()} id="clb-interval" type="text" inputmode="numeric" placeholder="30" />
                    <label for="clb-healthy">{ "Healthy threshold" }</label><input ref={clb[6].clone()} id="clb-healthy" type="text" inputmode="numeric" placeholder="10" />
                    <label for="clb-draining">{ "Connection draining (s)" }</label><input ref={clb[7].clone()} id="clb-draining" type="text" inputmode="numeric" placeholder="off" />
                    <span></span><button class="btn btn-small btn-primary" type="submit"
                        title="CreateLoadBalancer (the Classic shape), ConfigureHealthCheck, and ModifyLoadBalancerAttributes for connection draining">{ "Create Classic Load Balancer" }</button>
                </form>
            </details>
            { for balancers.iter().map(|lb| {
                let sending = traffic.iter().find(|(arn, _)| *arn == lb.arn).map(|(_, r)| *r);
                html! {
                <div class="lb" data-lb={lb.name.clone()}>
                    <p><strong>{ format!("{} ({})", lb.name, lb.kind.as_str()) }</strong>
                        <span class="muted small">{ format!(" {} · {}", lb.dns_name, lb.zones.iter().map(|(_, z)| z.as_str()).collect::<Vec<_>>().join(", ")) }</span></p>
                    <ul class="small">{ for listeners.iter().filter(|l| l.load_balancer == lb.arn).map(|l| html! {
                        <li>{ match &lb.classic {
                            Some(c) => format!("{} :{} → instances :{}", l.protocol, l.port, c.listeners.first().map_or(0, |cl| cl.instance_port)),
                            None => format!("{} :{} → {}", l.protocol, l.port, l.forward.iter().map(|(arn, _)| arn.rsplit('/').nth(1).unwrap_or(arn).to_string()).collect::<Vec<_>>().join(", ")),
                        } }</li>
                    }) }</ul>
                    <TrafficForm name={lb.name.clone()} arn={lb.arn.clone()} {sending} onrequest={props.onrequest.clone()} />
                    <p class="small muted" data-rate={format!("{:.0}", lb.requests_per_second)}>{
                        if sending.is_some() { format!("Arriving now: {:.0} requests a second (sampled every 10 s; the charts show each minute).", lb.requests_per_second) }
                        else { "No traffic: send some to see requests, latency and CPU on the charts.".to_string() }
                    }</p>
                </div>
                }
            }) }
            { for target_groups.iter().filter(|tg| tg.classic).map(|tg| {
                let Some(lb) = balancers.iter().find(|lb| lb.arn == tg.arn) else { return html! {} };
                let classic = lb.classic.as_deref();
                let register_ref = NodeRef::default();
                let onregister = {
                    let (onrequest, name, node) = (props.onrequest.clone(), lb.name.clone(), register_ref.clone());
                    Callback::from(move |e: SubmitEvent| {
                        e.prevent_default();
                        onrequest.emit(("elasticloadbalancing:RegisterInstancesWithLoadBalancer".into(),
                            json!({ "LoadBalancerName": name, "Instances": [{ "InstanceId": select_value(&node) }] })));
                    })
                };
                html! {
                    <div class="tg classic" data-tg={tg.name.clone()} data-classic="true">
                        <p><strong>{ format!("Classic Load Balancer {}: instances", lb.name) }</strong>
                            <span class="muted small">{ format!(" on port {} · checks {} every {} s, InService after {}, OutOfService after {} · connection draining {} · cross-zone {}",
                                tg.port, classic.map_or("", |c| c.health_target.as_str()), tg.health.interval_s, tg.health.healthy_threshold, tg.health.unhealthy_threshold,
                                classic.and_then(|c| c.draining_s).map_or("off".to_string(), |s| format!("{s} s")),
                                if classic.is_some_and(|c| c.cross_zone) { "on" } else { "off" }) }</span></p>
                        <ul class="targets">
                            if tg.targets.is_empty() { <li class="muted small">{ "no instances registered" }</li> }
                            { for tg.targets.iter().map(|t| {
                                let (state, code, description) = crate::elb::classic::classic_health(lb, tg, Some(t));
                                let (onrequest, deregister) = (props.onrequest.clone(),
                                    json!({ "LoadBalancerName": lb.name, "Instances": [{ "InstanceId": t.id }] }));
                                html! {
                                    <li class={classes!("target", t.state.as_str())}>
                                        <span class="mono">{ t.id.clone() }</span>{ " " }
                                        <span class={classes!("badge", "health", t.state.as_str())}>{ state }</span>
                                        if t.requests_per_second > 0.0 { <span class="small mono target-rate">{ format!(" {:.0} req/s", t.requests_per_second) }</span> }
                                        if state != "InService" || t.state == TargetState::Draining { <span class="small">{ format!(" {code}: {description}") }</span> }
                                        if t.state != TargetState::Draining {
                                            { " " }<button class="btn btn-small" title="DeregisterInstancesFromLoadBalancer"
                                                onclick={Callback::from(move |_: MouseEvent| onrequest.emit(("elasticloadbalancing:DeregisterInstancesFromLoadBalancer".into(), deregister.clone())))}>{ "Deregister" }</button>
                                        }
                                    </li>
                                }
                            }) }
                        </ul>
                        <form class="inline-form" onsubmit={onregister} novalidate=true>
                            <select ref={register_ref} aria-label={format!("Instance to register with {}", lb.name)}>
                                { for instances.iter().map(|i| html! { <option value={i.clone()}>{ i.clone() }</option> }) }
                            </select>
                            <button class="btn btn-small" type="submit" disabled={instances.is_empty()}>{ "Register instance" }</button>
                        </form>
                    </div>
                }
            }) }
            { for target_groups.iter().filter(|tg| !tg.classic).map(|tg| {
                let register_ref = NodeRef::default();
                let onregister = {
                    let (onrequest, arn, node) = (props.onrequest.clone(), tg.arn.clone(), register_ref.clone());
                    Callback::from(move |e: SubmitEvent| {
                        e.prevent_default();
                        onrequest.emit(("elasticloadbalancing:RegisterTargets".into(),
                            json!({ "TargetGroupArn": arn, "Targets": [{ "Id": select_value(&node) }] })));
                    })
                };
                html! {
                    <div class="tg" data-tg={tg.name.clone()}>
                        <p><strong>{ format!("Target group {}", tg.name) }</strong>
                            <span class="muted small">{ format!(" {} :{} · checks {} {} every {} s, healthy after {}, unhealthy after {} · deregistration delay {} s",
                                tg.protocol, tg.port, tg.health.protocol, tg.health.path.clone().unwrap_or_default(),
                                tg.health.interval_s, tg.health.healthy_threshold, tg.health.unhealthy_threshold, tg.deregistration_delay_s) }</span></p>
                        <ul class="targets">
                            if tg.targets.is_empty() { <li class="muted small">{ "no targets registered" }</li> }
                            { for tg.targets.iter().map(|t| {
                                let (onrequest, deregister) = (props.onrequest.clone(),
                                    json!({ "TargetGroupArn": tg.arn, "Targets": [{ "Id": t.id, "Port": t.port }] }));
                                html! {
                                    <li class={classes!("target", t.state.as_str())}>
                                        <span class="mono">{ format!("{}:{}", t.id, t.port) }</span>{ " " }
                                        <span class={classes!("badge", "health", t.state.as_str())}>{ t.state.as_str() }</span>
                                        if t.requests_per_second > 0.0 { <span class="small mono target-rate">{ format!(" {:.0} req/s", t.requests_per_second) }</span> }
                                        if let Some(reason) = t.reason.filter(|_| t.state != TargetState::Healthy) {
                                            <span class="small">{ format!(" {}: {}", reason.code(), reason.description()) }</span>
                                        }
                                        if t.state != TargetState::Draining {
                                            { " " }<button class="btn btn-small" title="DeregisterTargets: the target drains for the deregistration delay"
                                                onclick={Callback::from(move |_: MouseEvent| onrequest.emit(("elasticloadbalancing:DeregisterTargets".into(), deregister.clone())))}>{ "Deregister" }</button>
                                        }
                                        <details class="small"><summary>{ format!("History ({})", t.history.len()) }</summary>
                                            <ol class="timeline">{ for t.history.iter().rev().map(|(at, state, reason)| html! {
                                                <li>{ format!("T+{} {}{}", format_clock(*at), state.as_str(),
                                                    reason.map(|r| format!(" ({})", r.description())).unwrap_or_default()) }</li>
                                            }) }</ol>
                                        </details>
                                    </li>
                                }
                            }) }
                        </ul>
                        <form class="inline-form" onsubmit={onregister} novalidate=true>
                            <select ref={register_ref} aria-label={format!("Instance to register with {}", tg.name)}>
                                { for instances.iter().map(|i| html! { <option value={i.clone()}>{ i.clone() }</option> }) }
                            </select>
                            <button class="btn btn-small" type="submit" disabled={instances.is_empty()}>{ "Register instance" }</button>
                        </form>
                    </div>
                }
            }) }
            <p class="muted small">{ format!("Targets are checked on their group's interval (now T+{}). A service created with loadBalancers registers its tasks itself.", format_clock(now)) }</p>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct TrafficFormProps {
    name: String,
    arn: String,
    /// The requests a second sent now, if any.
    sending: Option<f64>,
    onrequest: Callback<(String, Value)>,
}

/// A load balancer's traffic: a slider of requests a second and a profile. The slider starts
/// at what is sent now and follows it when it changes, and is the person's while they drag it.
#[function_component(TrafficForm)]
fn traffic_form(props: &TrafficFormProps) -> Html {
    let (rate_ref, profile_ref) = (use_node_ref(), use_node_ref());
    let rate = props.sending.map_or(100.0, |r| r.round());
    let shown = use_state(|| rate);
    {
        let shown = shown.clone();
        use_effect_with(rate, move |rate| shown.set(*rate));
    }
    use_field_value(&rate_ref, rate.to_string());
    let onrate = {
        let (rate_ref, shown) = (rate_ref.clone(), shown.clone());
        Callback::from(move |_: InputEvent| {
            if let Ok(rate) = input_value(&rate_ref).parse::<f64>() {
                shown.set(rate);
            }
        })
    };
    let ontraffic = {
        let (onrequest, arn, rate_ref, profile_ref) = (
            props.onrequest.clone(),
            props.arn.clone(),
            rate_ref.clone(),
            profile_ref.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // The slider always holds a number of 0 or more, and the profile is one of the list.
            if let Ok(request) =
                traffic_request(&arn, &input_value(&rate_ref), &select_value(&profile_ref))
            {
                onrequest.emit(("sim:SetTraffic".into(), request));
            }
        })
    };
    let onstop = {
        let (onrequest, arn) = (props.onrequest.clone(), props.arn.clone());
        Callback::from(move |_: MouseEvent| {
            onrequest.emit((
                "sim:SetTraffic".into(),
                json!({ "loadBalancer": arn, "requestsPerSecond": 0 }),
            ))
        })
    };
    let sending = props.sending;
    html! {
        <form class="inline-form wrap traffic-form" data-traffic={props.name.clone()} onsubmit={ontraffic} novalidate=true
            title="sim:SetTraffic: requests sent to this load balancer">
            <label>{ "Traffic " }<input ref={rate_ref} class="traffic-rate" type="range" min="0" max="2000" step="10"
                oninput={onrate} aria-label={format!("Requests a second to {}", props.name)} /></label>
            <output id={format!("traffic-rate-{}", props.name)} class="mono small">{ format!("{} req/s", *shown) }</output>
            <select ref={profile_ref} class="traffic-profile" aria-label="Traffic profile">
                { for TRAFFIC_PROFILES.iter().enumerate().map(|(n, (name, text))| html! { <option value={*name} selected={n == 0}>{ *text }</option> }) }
            </select>
            <button class="btn btn-small btn-primary" type="submit">{ "Send traffic" }</button>
            <button class="btn btn-small" type="button" onclick={onstop} disabled={sending.is_none()}>{ "Stop" }</button>
        </form>
    }
}

/// RevokeSecurityGroupIngress for one rule of a group.
fn revoke_request(group: &str, rule: &Rule) -> Value {
    let mut permission = json!({ "IpProtocol": rule.protocol });
    if rule.protocol != "-1" {
        permission["FromPort"] = json!(rule.from_port);
        permission["ToPort"] = json!(rule.to_port);
    }
    match &rule.peer {
        Peer::Cidr(cidr) => permission["IpRanges"] = json!([{ "CidrIp": cidr.to_string() }]),
        Peer::Group(id) => permission["UserIdGroupPairs"] = json!([{ "GroupId": id }]),
    }
    json!({ "GroupId": group, "IpPermissions": [permission] })
}
