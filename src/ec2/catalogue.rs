//! The EC2 instance types the model knows, with the figures ECS placement uses: vCPUs, memory,
//! architecture and the maximum number of network interfaces (the primary one included).
//! Figures are the published EC2 specifications for each type.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    X86_64,
    Arm64,
}

impl Architecture {
    /// The value of the `ecs.cpu-architecture` attribute.
    pub fn attribute(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceType {
    pub name: &'static str,
    pub vcpus: u32,
    pub memory_mib: u32,
    pub architecture: Architecture,
    /// Maximum ENIs, primary included: an instance without trunking runs `max_enis - 1`
    /// awsvpc tasks (aws-facts 3.4).
    pub max_enis: u32,
    pub gpus: u32,
}

const fn t(
    name: &'static str,
    vcpus: u32,
    memory_gib: u32,
    architecture: Architecture,
    max_enis: u32,
    gpus: u32,
) -> InstanceType {
    InstanceType {
        name,
        vcpus,
        memory_mib: memory_gib * 1024,
        architecture,
        max_enis,
        gpus,
    }
}

use Architecture::{Arm64, X86_64};

/// Sorted by family, then size.
pub const INSTANCE_TYPES: &[InstanceType] = &[
    t("t3.micro", 2, 1, X86_64, 2, 0),
    t("t3.small", 2, 2, X86_64, 3, 0),
    t("t3.medium", 2, 4, X86_64, 3, 0),
    t("t3.large", 2, 8, X86_64, 3, 0),
    t("t3.xlarge", 4, 16, X86_64, 4, 0),
    t("t3.2xlarge", 8, 32, X86_64, 4, 0),
    t("m5.large", 2, 8, X86_64, 3, 0),
    t("m5.xlarge", 4, 16, X86_64, 4, 0),
    t("m5.2xlarge", 8, 32, X86_64, 4, 0),
    t("m5.4xlarge", 16, 64, X86_64, 8, 0),
    t("m5.8xlarge", 32, 128, X86_64, 8, 0),
    t("m5.12xlarge", 48, 192, X86_64, 8, 0),
    t("m5.16xlarge", 64, 256, X86_64, 15, 0),
    t("m5.24xlarge", 96, 384, X86_64, 15, 0),
    t("m6i.large", 2, 8, X86_64, 3, 0),
    t("m6i.xlarge", 4, 16, X86_64, 4, 0),
    t("m6i.2xlarge", 8, 32, X86_64, 4, 0),
    t("m6i.4xlarge", 16, 64, X86_64, 8, 0),
    t("m6g.medium", 1, 4, Arm64, 2, 0),
    t("m6g.large", 2, 8, Arm64, 3, 0),
    t("m6g.xlarge", 4, 16, Arm64, 4, 0),
    t("m6g.2xlarge", 8, 32, Arm64, 4, 0),
    t("c5.large", 2, 4, X86_64, 3, 0),
    t("c5.xlarge", 4, 8, X86_64, 4, 0),
    t("c5.2xlarge", 8, 16, X86_64, 4, 0),
    t("c5.4xlarge", 16, 32, X86_64, 8, 0),
    t("c5.9xlarge", 36, 72, X86_64, 8, 0),
    t("c6g.medium", 1, 2, Arm64, 2, 0),
    t("c6g.large", 2, 4, Arm64, 3, 0),
    t("c6g.xlarge", 4, 8, Arm64, 4, 0),
    t("c6g.2xlarge", 8, 16, Arm64, 4, 0),
    t("r5.large", 2, 16, X86_64, 3, 0),
    t("r5.xlarge", 4, 32, X86_64, 4, 0),
    t("r5.2xlarge", 8, 64, X86_64, 4, 0),
    t("r5.4xlarge", 16, 128, X86_64, 8, 0),
    t("g4dn.xlarge", 4, 16, X86_64, 3, 1),
    t("g4dn.2xlarge", 8, 32, X86_64, 3, 1),
    t("p3.2xlarge", 8, 61, X86_64, 4, 1),
];

pub fn instance_type(name: &str) -> Option<&'static InstanceType> {
    INSTANCE_TYPES.iter().find(|t| t.name == name)
}

/// Memory the ECS agent registers for an instance of `physical_mib`: what the operating system
/// reports as total, less the kernel's and the OS's share. AWS does not publish a formula; the
/// agent registers the OS-visible total (AGENT, `ECS_RESERVED_MEMORY` default 0), which on the
/// ECS-optimized Amazon Linux AMI is a few percent under the nominal size. ecsplay takes 4%,
/// rounded down to whole MiB (unconfirmed; a scenario can subtract more with
/// `ECS_RESERVED_MEMORY` in the UserData).
pub const OS_MEMORY_SHARE_PERCENT: u32 = 4;

pub fn registered_memory_mib(physical_mib: u32) -> u32 {
    physical_mib - physical_mib * OS_MEMORY_SHARE_PERCENT / 100
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_has_the_common_families_and_a_gpu_type() {
        for family in ["t3.", "m5.", "m6i.", "m6g.", "c5.", "c6g.", "r5."] {
            assert!(
                INSTANCE_TYPES.iter().any(|t| t.name.starts_with(family)),
                "{family}"
            );
        }
        assert!(INSTANCE_TYPES.iter().any(|t| t.gpus > 0));
        let m6g = instance_type("m6g.large").unwrap();
        assert_eq!(
            (m6g.vcpus, m6g.memory_mib, m6g.architecture),
            (2, 8192, Architecture::Arm64)
        );
        assert_eq!(
            instance_type("c5.large").unwrap().max_enis,
            3,
            "2 awsvpc tasks, aws-facts 3.4"
        );
        assert!(instance_type("m9.huge").is_none());
    }

    #[test]
    fn registered_memory_is_below_physical() {
        assert_eq!(registered_memory_mib(8192), 7865);
    }
}
