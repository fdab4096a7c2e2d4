use crate::rule::Rule;

mod automount_service_account_token;
mod binding_to_default_service_account;
mod binding_to_system_group;
mod cluster_admin_binding;
mod create_pods_access;
mod default_namespace;
mod default_service_account;
mod kube_system_workload;
mod namespace_without_limitrange;
mod namespace_without_pod_security;
mod namespace_without_quota;
mod pod_exec_access;
mod rbac_escalation_verbs;
mod rbac_wildcard;
mod required_labels_missing;
mod secrets_read_access;
mod support;
mod workload_cluster_admin;

pub const RULES: &[&dyn Rule] = &[
    &workload_cluster_admin::WorkloadClusterAdmin,
    &cluster_admin_binding::ClusterAdminBinding,
    &binding_to_system_group::BindingToSystemGroup,
    &rbac_wildcard::RbacWildcard,
    &secrets_read_access::SecretsReadAccess,
    &pod_exec_access::PodExecAccess,
    &rbac_escalation_verbs::RbacEscalationVerbs,
    &create_pods_access::CreatePodsAccess,
    &default_service_account::DefaultServiceAccount,
    &automount_service_account_token::AutomountServiceAccountToken,
    &default_namespace::DefaultNamespace,
    &kube_system_workload::KubeSystemWorkload,
    &namespace_without_quota::NamespaceWithoutQuota,
    &namespace_without_limitrange::NamespaceWithoutLimitRange,
    &namespace_without_pod_security::NamespaceWithoutPodSecurity,
    &binding_to_default_service_account::BindingToDefaultServiceAccount,
    &required_labels_missing::RequiredLabelsMissing,
];
