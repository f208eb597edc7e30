//! EFS in the page: file systems with their mount targets per zone (a task in a zone without
//! one cannot mount the file system), made here, and what is stored on each. Every change is
//! an AWS request.

use serde_json::{json, Value};
use yew::prelude::*;

use super::capacity::outcome_line;
use super::fields::{input_value, use_field_defaults};
use super::state::{Origin, Outcome, SimRef};

/// The zones the page offers mount targets in: the default VPC's first three.
const ZONES: [char; 3] = ['a', 'b', 'c'];

#[derive(Properties, PartialEq)]
pub struct EfsProps {
    pub sim: SimRef,
    pub outcome: Option<std::rc::Rc<Outcome>>,
    pub onrequest: Callback<(String, Value)>,
}

#[function_component(EfsPanel)]
pub fn efs_panel(props: &EfsProps) -> Html {
    let session = props.sim.borrow();
    let world = session.world();
    let region = world.config.region.clone();
    let systems = crate::efs::read::file_systems(world);
    let name_ref = use_node_ref();
    use_field_defaults(&[(name_ref.clone(), "shared-data")]);
    let oncreate = {
        let (onrequest, name_ref) = (props.onrequest.clone(), name_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let name = input_value(&name_ref);
            onrequest.emit((
                "efs:CreateFileSystem".into(),
                json!({ "CreationToken": name, "Encrypted": true, "Tags": [{ "Key": "Name", "Value": name }] }),
            ));
        })
    };
    let add_target = |fs: &str, zone: char| {
        let (onrequest, fs) = (props.onrequest.clone(), fs.to_string());
        Callback::from(move |_: MouseEvent| {
            onrequest.emit((
                "efs:CreateMountTarget".into(),
                json!({ "FileSystemId": fs, "SubnetId": crate::ec2::network::default_subnet_id(zone) }),
            ))
        })
    };
    html! {
        <section class="panel" id="panel-efs" aria-labelledby="panel-efs-title">
            <h2 id="panel-efs-title">{ "EFS file systems" }</h2>
            <p class="muted">{ "A task mounts a file system through the mount target in its own zone (NFS, port 2049, allowed by the mount target's security groups). Mount targets made here use the default VPC's subnet and security group." }</p>
            <ul class="role-list" id="efs-list">
                { for systems.iter().map(|(id, name, zones)| {
                    let used = crate::efs::read::files(world, id, "/");
                    let bytes: u64 = used.iter().map(|(_, f)| f.bytes).sum();
                    html! {
                        <li class="role-row" id={format!("efs-{id}")}>
                            <div><strong>{ name.clone().unwrap_or_else(|| id.clone()) }</strong><span class="muted mono">{ format!(" {id}") }</span></div>
                            <div>{ format!("Mount targets: {}", if zones.is_empty() { "none".to_string() } else { zones.join(", ") }) }</div>
                            <div class="muted">{ format!("{} files, {bytes} bytes", used.len()) }</div>
                            <div class="inline-form">
                                { for ZONES.iter().filter(|z| !zones.contains(&format!("{region}{z}"))).map(|z| html! {
                                    <button class="btn btn-small" data-zone={format!("{region}{z}")} onclick={add_target(id, *z)}>{ format!("Mount target in {region}{z}") }</button>
                                }) }
                            </div>
                        </li>
                    }
                }) }
                if systems.is_empty() { <li class="muted">{ "No file systems." }</li> }
            </ul>
            <form class="inline-form" id="form-efs" onsubmit={oncreate}>
                <input ref={name_ref} aria-label="File system name" id="efs-name" class="mono" />
                <button class="btn btn-small" type="submit">{ "Create file system" }</button>
            </form>
            { outcome_line(props.outcome.as_deref(), Origin::Efs) }
        </section>
    }
}
