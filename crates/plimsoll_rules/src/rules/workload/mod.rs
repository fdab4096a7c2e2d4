use crate::rule::Rule;

mod privileged_container;

pub const RULES: &[&dyn Rule] = &[&privileged_container::PrivilegedContainer];
