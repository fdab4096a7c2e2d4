//! Compose rules: what only a Compose file can get wrong (published ports, restart policies,
//! log rotation, data volumes, sensitive bind mounts, CPU and process limits). The risks Compose
//! shares with Kubernetes and systemd (privileged, root, secrets in the environment, health
//! checks, memory limits, mutable images, writable root filesystems, host namespaces, the
//! Docker socket, capabilities, no-new-privileges) are the shared rules', which target Compose
//! files too (see `docs/compose-systemd.md`).

use crate::rule::Rule;

mod cpu_pids_limits_missing;
mod database_without_volume;
mod log_rotation_missing;
mod port_on_all_interfaces;
mod restart_policy_missing;
mod sensitive_host_mount;
mod support;

pub const RULES: &[&dyn Rule] = &[
    &port_on_all_interfaces::PortOnAllInterfaces,
    &restart_policy_missing::RestartPolicyMissing,
    &cpu_pids_limits_missing::CpuPidsLimitsMissing,
    &sensitive_host_mount::SensitiveHostMount,
    &log_rotation_missing::LogRotationMissing,
    &database_without_volume::DatabaseWithoutVolume,
];
