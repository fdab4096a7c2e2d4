use crate::rule::Rule;

mod argo_default_project;
mod argo_no_self_heal;
mod deprecated_api_version;
mod duplicate_key;
mod git_sync_sidecar;
mod gitops_sync_suspended;
mod invalid_label;
mod namespace_not_gitops_managed;
mod no_gitops_controller;

pub const RULES: &[&dyn Rule] = &[
    &no_gitops_controller::NoGitopsController,
    &duplicate_key::DuplicateKey,
    &deprecated_api_version::DeprecatedApiVersion,
    &argo_default_project::ArgoDefaultProject,
    &argo_no_self_heal::ArgoNoSelfHeal,
    &namespace_not_gitops_managed::NamespaceNotGitopsManaged,
    &invalid_label::InvalidLabel,
    &git_sync_sidecar::GitSyncSidecar,
    &gitops_sync_suspended::GitopsSyncSuspended,
];
