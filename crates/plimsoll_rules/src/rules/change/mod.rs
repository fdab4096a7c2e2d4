use crate::rule::Rule;

mod duplicate_key;
mod no_gitops_controller;

pub const RULES: &[&dyn Rule] = &[
    &no_gitops_controller::NoGitopsController,
    &duplicate_key::DuplicateKey,
];
