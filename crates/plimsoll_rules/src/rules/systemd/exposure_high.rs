use plimsoll_formats::systemd::Unit;

use super::each_service;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Computes a service unit's exposure exactly as `systemd-analyze security --offline=true`
    /// does (systemd 252: the same 81 assessors, weights and rounding, with drop-ins merged and
    /// the implications systemd applies at load, such as `DynamicUser=` implying a sandbox), and
    /// reports units that score 7.5 or more, which `systemd-analyze` calls EXPOSED, UNSAFE or
    /// DANGEROUS. The finding names the settings that raise the score most, with their share of
    /// it. The score of every unit is in the JSON report (`units[].exposure`, and
    /// `object.exposure` on the unit's findings).
    ///
    /// ## Why it matters
    /// A unit runs with whatever the system gives a process by default: the whole file system,
    /// every device, every capability of its user, the host's network and the kernel's full
    /// system call interface. The sandboxing options take those away, so that a compromised or
    /// buggy service can damage only what it was meant to touch. A high score means one bug in
    /// the service is a bug in the host.
    ///
    /// ## How to fix
    /// Start from the settings named in the finding, with the heaviest first, and check the
    /// service still works after each (`systemd-analyze security UNIT` shows the rest):
    ///
    /// ```ini
    /// [Service]
    /// DynamicUser=yes
    /// ProtectSystem=strict
    /// ProtectHome=yes
    /// PrivateTmp=yes
    /// PrivateDevices=yes
    /// NoNewPrivileges=yes
    /// CapabilityBoundingSet=
    /// RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
    /// SystemCallFilter=@system-service
    /// SystemCallArchitectures=native
    /// ```
    ///
    /// ## Severity
    /// Medium: the score measures how little stands between a flaw in the service and the
    /// host; the other rules name the individual settings that matter most.
    pub struct ExposureHigh {
        id: "SYD-001",
        name: "unit-exposure-high",
        gap: Workload,
        severity: Medium,
        target: Target::SystemdUnits,
        summary: "systemd service is EXPOSED or worse in `systemd-analyze security`",
        peers: [
            SystemdAnalyze: [
                "UserOrDynamicUser", "SupplementaryGroups", "PrivateDevices", "PrivateMounts",
                "PrivateNetwork", "PrivateTmp", "PrivateUsers", "ProtectControlGroups",
                "ProtectKernelModules", "ProtectKernelTunables", "ProtectKernelLogs",
                "ProtectClock", "ProtectHome", "ProtectHostname", "ProtectSystem",
                "RootDirectoryOrRootImage", "LockPersonality", "MemoryDenyWriteExecute",
                "NoNewPrivileges", "CapabilityBoundingSet_CAP_SYS_ADMIN",
                "CapabilityBoundingSet_CAP_SET_UID_GID_PCAP", "CapabilityBoundingSet_CAP_SYS_PTRACE",
                "CapabilityBoundingSet_CAP_SYS_TIME", "CapabilityBoundingSet_CAP_NET_ADMIN",
                "CapabilityBoundingSet_CAP_SYS_RAWIO", "CapabilityBoundingSet_CAP_SYS_MODULE",
                "CapabilityBoundingSet_CAP_AUDIT", "CapabilityBoundingSet_CAP_SYSLOG",
                "CapabilityBoundingSet_CAP_SYS_NICE_RESOURCE", "CapabilityBoundingSet_CAP_MKNOD",
                "CapabilityBoundingSet_CAP_CHOWN_FSETID_SETFCAP",
                "CapabilityBoundingSet_CAP_DAC_FOWNER_IPC_OWNER", "CapabilityBoundingSet_CAP_KILL",
                "CapabilityBoundingSet_CAP_NET_BIND_SERVICE_BROADCAST_RAW)",
                "CapabilityBoundingSet_CAP_SYS_BOOT", "CapabilityBoundingSet_CAP_MAC",
                "CapabilityBoundingSet_CAP_LINUX_IMMUTABLE", "CapabilityBoundingSet_CAP_IPC_LOCK",
                "CapabilityBoundingSet_CAP_SYS_CHROOT", "CapabilityBoundingSet_CAP_BLOCK_SUSPEND",
                "CapabilityBoundingSet_CAP_WAKE_ALARM", "CapabilityBoundingSet_CAP_LEASE",
                "CapabilityBoundingSet_CAP_SYS_TTY_CONFIG", "CapabilityBoundingSet_CAP_SYS_PACCT",
                "CapabilityBoundingSet_CAP_BPF", "UMask", "KeyringMode", "ProtectProc", "ProcSubset",
                "NotifyAccess", "RemoveIPC", "Delegate", "RestrictRealtime", "RestrictSUIDSGID",
                "RestrictNamespaces_user", "RestrictNamespaces_mnt", "RestrictNamespaces_ipc",
                "RestrictNamespaces_pid", "RestrictNamespaces_cgroup", "RestrictNamespaces_net",
                "RestrictNamespaces_uts", "RestrictAddressFamilies_AF_INET_INET6",
                "RestrictAddressFamilies_AF_UNIX", "RestrictAddressFamilies_AF_NETLINK",
                "RestrictAddressFamilies_AF_PACKET", "RestrictAddressFamilies_OTHER",
                "SystemCallArchitectures", "SystemCallFilter_swap", "SystemCallFilter_obsolete",
                "SystemCallFilter_clock", "SystemCallFilter_cpu_emulation", "SystemCallFilter_debug",
                "SystemCallFilter_mount", "SystemCallFilter_module", "SystemCallFilter_raw_io",
                "SystemCallFilter_reboot", "SystemCallFilter_privileged",
                "SystemCallFilter_resources", "IPAddressDeny", "DeviceAllow", "AmbientCapabilities",
            ],
        ],
    }
}

/// Scores from this one up are reported (`systemd-analyze`'s EXPOSED).
const THRESHOLD_TENTHS: u64 = 75;

fn tenths(t: u64) -> String {
    format!("{}.{}", t / 10, t % 10)
}

impl Rule for ExposureHigh {
    fn check_unit(&self, u: &Unit, cx: &mut Cx<'_>) {
        each_service(u, cx, |u, cx| {
            let e = u.exposure();
            if e.tenths() < THRESHOLD_TENTHS {
                return;
            }
            let top: Vec<String> = e
                .raising()
                .into_iter()
                .take(5)
                .map(|a| format!("`{}` ({})", a.setting, tenths(e.contribution(a))))
                .collect();
            cx.report_span(
                u.anchor("Service"),
                format!(
                    "unit `{}` has an exposure of {} ({}) in `systemd-analyze security`; what raises it most: {}",
                    u.name,
                    tenths(e.tenths()),
                    e.level(),
                    top.join(", ")
                ),
            );
        });
    }
}
