//! What other services may read of EC2: an instance's facts, as a view, never EC2's state.

use crate::world::World;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum InstanceState {
    Pending,
    Running,
    Terminated,
}

impl InstanceState {
    pub fn as_str(&self) -> &'static str {
        match self {
            InstanceState::Pending => "pending",
            InstanceState::Running => "running",
            InstanceState::Terminated => "terminated",
        }
    }
}

/// One instance as another service sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InstanceView<'a> {
    pub id: &'a str,
    pub instance_type: &'a str,
    pub image_id: &'a str,
    pub availability_zone: &'a str,
    pub subnet_id: &'a str,
    pub state: InstanceState,
    pub has_instance_profile: bool,
    pub user_data: Option<&'a str>,
}

pub fn instance<'a>(world: &'a World, id: &str) -> Option<InstanceView<'a>> {
    world.ec2.instances.get(id).map(|i| InstanceView {
        id: &i.id,
        instance_type: &i.instance_type,
        image_id: &i.image_id,
        availability_zone: &i.availability_zone,
        subnet_id: &i.subnet_id,
        state: i.state,
        has_instance_profile: i.has_instance_profile,
        user_data: i.user_data.as_deref(),
    })
}

/// Every instance, in launch order.
pub fn instances(world: &World) -> impl Iterator<Item = InstanceView<'_>> + '_ {
    (world.ec2.launch_order.iter()).filter_map(move |id| instance(world, id))
}
