//! Deterministic, AWS-shaped identifiers. Each is derived from the scenario seed and a counter
//! through SplitMix64, not drawn from the simulation's random generator, so adding a random
//! decision somewhere never renames every task after it.

/// SplitMix64 (Steele, Lea, Flood 2014): a bijective 64-bit mixer, used here as a hash.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[derive(Debug, Clone)]
pub struct IdGen {
    seed: u64,
    counter: u64,
}

impl IdGen {
    pub fn new(seed: u64) -> Self {
        Self { seed, counter: 0 }
    }

    fn next_u64(&mut self) -> u64 {
        self.counter += 1;
        splitmix64(splitmix64(self.seed) ^ self.counter)
    }

    /// `n` lowercase hex digits.
    pub fn hex(&mut self, n: usize) -> String {
        let mut out = String::with_capacity(n + 16);
        while out.len() < n {
            out.push_str(&format!("{:016x}", self.next_u64()));
        }
        out.truncate(n);
        out
    }

    /// A task or container-instance id: 32 hex digits.
    pub fn task_id(&mut self) -> String {
        self.hex(32)
    }

    /// An EC2 instance id: `i-` and 17 hex digits.
    pub fn instance_id(&mut self) -> String {
        format!("i-{}", self.hex(17))
    }

    /// A service deployment id: `ecs-svc/` and 19 digits.
    pub fn deployment_id(&mut self) -> String {
        let digits = self.next_u64() % 9_000_000_000_000_000_000 + 1_000_000_000_000_000_000;
        format!("ecs-svc/{digits}")
    }

    /// An EventBridge event id, shaped like a UUID.
    pub fn uuid(&mut self) -> String {
        let h = self.hex(32);
        format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_aws_shaped_and_repeatable() {
        let mut a = IdGen::new(42);
        let mut b = IdGen::new(42);
        let task = a.task_id();
        assert_eq!(task, b.task_id());
        assert_eq!(task.len(), 32);
        assert!(task
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        let instance = a.instance_id();
        assert!(
            instance.starts_with("i-") && instance.len() == 19,
            "{instance}"
        );
        let deployment = a.deployment_id();
        assert_eq!(deployment.len(), "ecs-svc/".len() + 19, "{deployment}");
        assert_eq!(a.uuid().len(), 36);
        assert_ne!(IdGen::new(43).task_id(), task, "the seed changes the ids");
    }
}
