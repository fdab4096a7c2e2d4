use crate::rule::Rule;

mod pod_not_isolated;

pub const RULES: &[&dyn Rule] = &[&pod_not_isolated::PodNotIsolated];
