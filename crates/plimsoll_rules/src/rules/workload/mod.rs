use crate::rule::Rule;

mod apparmor_unconfined;
mod capabilities_not_dropped;
mod capability_outside_baseline;
mod dangerous_capability;
mod host_network;
mod host_pid_ipc;
mod host_port;
mod interactive_tty;
mod low_uid_gid;
mod net_raw;
mod privilege_escalation;
mod privileged_container;
mod proc_mount;
mod root_group;
mod run_as_non_root;
mod run_as_root_user;
mod runtime_socket;
mod sc;
mod seccomp_missing;
mod seccomp_unconfined;
mod security_context_missing;
mod selinux_options;
mod ssh_port;
mod sudo_command;
mod unsafe_sysctl;
mod windows_host_process;
mod writable_root_fs;

pub const RULES: &[&dyn Rule] = &[
    &privileged_container::PrivilegedContainer,
    &privilege_escalation::PrivilegeEscalation,
    &run_as_non_root::RunAsNonRoot,
    &run_as_root_user::RunAsRootUser,
    &low_uid_gid::LowUidGid,
    &root_group::RootGroup,
    &writable_root_fs::WritableRootFs,
    &capabilities_not_dropped::CapabilitiesNotDropped,
    &net_raw::NetRaw,
    &dangerous_capability::DangerousCapability,
    &capability_outside_baseline::CapabilityOutsideBaseline,
    &host_network::HostNetwork,
    &host_pid_ipc::HostPidIpc,
    &host_port::HostPort,
    &runtime_socket::RuntimeSocket,
    &seccomp_unconfined::SeccompUnconfined,
    &seccomp_missing::SeccompMissing,
    &apparmor_unconfined::ApparmorUnconfined,
    &selinux_options::SelinuxOptions,
    &proc_mount::ProcMount,
    &unsafe_sysctl::UnsafeSysctl,
    &windows_host_process::WindowsHostProcess,
    &security_context_missing::SecurityContextMissing,
    &ssh_port::SshPort,
    &sudo_command::SudoCommand,
    &interactive_tty::InteractiveTty,
];
