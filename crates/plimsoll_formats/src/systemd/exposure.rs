//! The exposure score of `systemd-analyze security --offline=true` (systemd 252): the same
//! assessors, weights, ranges and rounding, fed by the settings as systemd's own parsers and
//! its load-time adjustments (`DynamicUser=` implying a sandbox, `PrivateDevices=` closing the
//! device policy and dropping capabilities, ...) would leave them.
//!
//! Each assessor gives a badness between 0 and its range (or "not applicable"); the score is
//! `ceil(100 * Σ ceil(badness·weight/range) / Σ weight)` tenths, shown as `0.0`-`10.0`.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

use super::syscalls::GROUPS;
use super::{Unit, UnitKind, parse_bool};

/// One assessor's verdict on a unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Assessment {
    /// The `--security-policy` JSON identifier, e.g. `NoNewPrivileges`, `UserOrDynamicUser`.
    pub id: &'static str,
    /// The setting as `systemd-analyze` names it, e.g. `NoNewPrivileges=`.
    pub setting: &'static str,
    pub description: String,
    pub weight: u64,
    pub range: u64,
    /// `None` when the assessor does not apply to this unit.
    pub badness: Option<u64>,
}

impl Assessment {
    fn points(&self) -> u64 {
        match self.badness {
            Some(b) => (b * self.weight).div_ceil(self.range),
            None => 0,
        }
    }
}

/// The assessors' verdicts and the overall score.
#[derive(Clone, Debug, PartialEq)]
pub struct Exposure {
    pub assessments: Vec<Assessment>,
}

impl Exposure {
    fn sums(&self) -> (u64, u64) {
        let mut badness = 0;
        let mut weight = 0;
        for a in &self.assessments {
            if a.badness.is_some() {
                badness += a.points();
                weight += a.weight;
            }
        }
        (badness, weight)
    }

    /// The score in tenths (0-100), exactly as `systemd-analyze` rounds it.
    pub fn tenths(&self) -> u64 {
        let (b, w) = self.sums();
        if w == 0 { 0 } else { (b * 100).div_ceil(w) }
    }

    /// The score, 0.0 (perfect) to 10.0 (dangerous).
    pub fn score(&self) -> f64 {
        self.tenths() as f64 / 10.0
    }

    /// `systemd-analyze`'s word for the score.
    pub fn level(&self) -> &'static str {
        match self.tenths() {
            100.. => "DANGEROUS",
            90.. => "UNSAFE",
            75.. => "EXPOSED",
            50.. => "MEDIUM",
            10.. => "OK",
            1.. => "SAFE",
            _ => "PERFECT",
        }
    }

    /// What one assessment adds to the score, in tenths (the EXPOSURE column).
    pub fn contribution(&self, a: &Assessment) -> u64 {
        let (_, w) = self.sums();
        match a.badness {
            Some(b) if b > 0 && w > 0 => (b * a.weight * 100).div_ceil(a.range).div_ceil(w),
            _ => 0,
        }
    }

    /// The settings that raise the score, the heaviest first.
    pub fn raising(&self) -> Vec<&Assessment> {
        let mut v: Vec<&Assessment> = self
            .assessments
            .iter()
            .filter(|a| a.badness.is_some_and(|b| b > 0))
            .collect();
        v.sort_by(|a, b| {
            (b.badness.unwrap_or(0) * b.weight * a.range)
                .cmp(&(a.badness.unwrap_or(0) * a.weight * b.range))
                .then(a.id.cmp(b.id))
        });
        v
    }

    pub fn get(&self, id: &str) -> Option<&Assessment> {
        self.assessments.iter().find(|a| a.id == id)
    }
}

// Capabilities (linux/capability.h).
const CAP_NAMES: [&str; 41] = [
    "chown",
    "dac_override",
    "dac_read_search",
    "fowner",
    "fsetid",
    "kill",
    "setgid",
    "setuid",
    "setpcap",
    "linux_immutable",
    "net_bind_service",
    "net_broadcast",
    "net_admin",
    "net_raw",
    "ipc_lock",
    "ipc_owner",
    "sys_module",
    "sys_rawio",
    "sys_chroot",
    "sys_ptrace",
    "sys_pacct",
    "sys_admin",
    "sys_boot",
    "sys_nice",
    "sys_resource",
    "sys_time",
    "sys_tty_config",
    "mknod",
    "lease",
    "audit_write",
    "audit_control",
    "setfcap",
    "mac_override",
    "mac_admin",
    "syslog",
    "wake_alarm",
    "block_suspend",
    "audit_read",
    "perfmon",
    "bpf",
    "checkpoint_restore",
];

fn cap(name: &str) -> u64 {
    let i = CAP_NAMES
        .iter()
        .position(|n| *n == name)
        .expect("known capability");
    1 << i
}

fn cap_from_name(word: &str) -> Option<u32> {
    let lower = word.to_ascii_lowercase();
    if let Some(n) = lower.strip_prefix("cap_")
        && let Some(i) = CAP_NAMES.iter().position(|c| *c == n)
    {
        return Some(i as u32);
    }
    match word.parse::<u32>() {
        Ok(i) if i < 64 => Some(i),
        _ => None,
    }
}

// Namespaces (linux/sched.h clone flags).
const NS: [(&str, u64); 7] = [
    ("cgroup", 0x0200_0000),
    ("ipc", 0x0800_0000),
    ("net", 0x4000_0000),
    ("mnt", 0x0002_0000),
    ("pid", 0x2000_0000),
    ("user", 0x1000_0000),
    ("uts", 0x0400_0000),
];
const NS_ALL: u64 =
    0x0200_0000 | 0x0800_0000 | 0x4000_0000 | 0x0002_0000 | 0x2000_0000 | 0x1000_0000 | 0x0400_0000;
const NS_INITIAL: u64 = u64::MAX;

fn ns(name: &str) -> u64 {
    NS.iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .unwrap_or(0)
}

// Address families (linux/socket.h), aliases included.
const AF_UNIX: u32 = 1;
const AF_INET: u32 = 2;
const AF_INET6: u32 = 10;
const AF_NETLINK: u32 = 16;
const AF_PACKET: u32 = 17;
const AF_NAMES: &[(&str, u32)] = &[
    ("AF_UNIX", 1),
    ("AF_LOCAL", 1),
    ("AF_FILE", 1),
    ("AF_INET", 2),
    ("AF_AX25", 3),
    ("AF_IPX", 4),
    ("AF_APPLETALK", 5),
    ("AF_NETROM", 6),
    ("AF_BRIDGE", 7),
    ("AF_ATMPVC", 8),
    ("AF_X25", 9),
    ("AF_INET6", 10),
    ("AF_ROSE", 11),
    ("AF_DECNET", 12),
    ("AF_NETBEUI", 13),
    ("AF_SECURITY", 14),
    ("AF_KEY", 15),
    ("AF_NETLINK", 16),
    ("AF_ROUTE", 16),
    ("AF_PACKET", 17),
    ("AF_ASH", 18),
    ("AF_ECONET", 19),
    ("AF_ATMSVC", 20),
    ("AF_RDS", 21),
    ("AF_SNA", 22),
    ("AF_IRDA", 23),
    ("AF_PPPOX", 24),
    ("AF_WANPIPE", 25),
    ("AF_LLC", 26),
    ("AF_IB", 27),
    ("AF_MPLS", 28),
    ("AF_CAN", 29),
    ("AF_TIPC", 30),
    ("AF_BLUETOOTH", 31),
    ("AF_IUCV", 32),
    ("AF_RXRPC", 33),
    ("AF_ISDN", 34),
    ("AF_PHONET", 35),
    ("AF_IEEE802154", 36),
    ("AF_CAIF", 37),
    ("AF_ALG", 38),
    ("AF_NFC", 39),
    ("AF_VSOCK", 40),
    ("AF_KCM", 41),
    ("AF_QIPCRTR", 42),
    ("AF_SMC", 43),
    ("AF_XDP", 44),
    ("AF_MCTP", 45),
];

fn af_from_name(word: &str) -> Option<u32> {
    let upper = word.to_ascii_uppercase();
    AF_NAMES.iter().find(|(n, _)| *n == upper).map(|(_, v)| *v)
}

const ARCHES: &[&str] = &[
    "native",
    "x86",
    "x86-64",
    "x32",
    "arm",
    "arm64",
    "loongarch64",
    "mips",
    "mips64",
    "mips64-n32",
    "mips-le",
    "mips64-le",
    "mips64-le-n32",
    "parisc",
    "parisc64",
    "ppc",
    "ppc64",
    "ppc64-le",
    "riscv64",
    "s390",
    "s390x",
];

/// The system call groups, expanded to their (existing) system calls.
fn groups() -> &'static HashMap<&'static str, HashSet<&'static str>> {
    static G: OnceLock<HashMap<&'static str, HashSet<&'static str>>> = OnceLock::new();
    G.get_or_init(|| {
        fn expand(name: &str, out: &mut HashSet<&'static str>, depth: u32) {
            if depth > 8 {
                return;
            }
            if let Some((_, members)) = GROUPS.iter().find(|(g, _)| *g == name) {
                for m in members.iter() {
                    if m.starts_with('@') {
                        expand(m, out, depth + 1);
                    } else {
                        out.insert(m);
                    }
                }
            }
        }
        GROUPS
            .iter()
            .map(|(g, _)| {
                let mut s = HashSet::new();
                expand(g, &mut s, 0);
                (*g, s)
            })
            .collect()
    })
}

/// Every system call that exists on this platform.
fn known_syscalls() -> &'static HashSet<&'static str> {
    static K: OnceLock<HashSet<&'static str>> = OnceLock::new();
    K.get_or_init(|| groups().values().flatten().copied().collect())
}

/// What `get_security_info` would read from the loaded unit.
struct Info {
    default_dependencies: bool,
    ambient: u64,
    bounding: u64,
    user: Option<String>,
    supplementary_groups: bool,
    dynamic_user: bool,
    ip_deny_all: bool,
    ip_allow_localhost: bool,
    ip_allow_other: bool,
    ip_filters_custom: bool,
    keyring_mode: Option<String>,
    protect_proc: Option<String>,
    proc_subset: Option<String>,
    lock_personality: bool,
    memory_deny_write_execute: bool,
    no_new_privileges: bool,
    notify_access: Option<String>,
    protect_hostname: bool,
    private_devices: bool,
    private_mounts: bool,
    private_network: bool,
    private_tmp: bool,
    private_users: bool,
    protect_control_groups: bool,
    protect_kernel_modules: bool,
    protect_kernel_tunables: bool,
    protect_kernel_logs: bool,
    protect_clock: bool,
    protect_home: Option<String>,
    protect_system: Option<String>,
    remove_ipc: bool,
    /// Restricted (true = the family cannot be used).
    af_inet: bool,
    af_unix: bool,
    af_netlink: bool,
    af_packet: bool,
    af_other: bool,
    restrict_namespaces: u64,
    restrict_realtime: bool,
    restrict_suid_sgid: bool,
    root_directory: Option<String>,
    root_image: Option<String>,
    delegate: bool,
    device_policy: Option<String>,
    device_allow: usize,
    syscall_archs: BTreeSet<String>,
    syscall_allow_list: bool,
    syscall_filter: HashSet<&'static str>,
    umask: u32,
}

impl Info {
    /// `security_info_new`: what a unit without an execution context is assessed with.
    fn bare(default_dependencies: bool) -> Info {
        Info {
            default_dependencies,
            ambient: 0,
            bounding: u64::MAX,
            user: None,
            supplementary_groups: false,
            dynamic_user: false,
            ip_deny_all: false,
            ip_allow_localhost: false,
            ip_allow_other: false,
            ip_filters_custom: false,
            keyring_mode: None,
            protect_proc: None,
            proc_subset: None,
            lock_personality: false,
            memory_deny_write_execute: false,
            no_new_privileges: false,
            notify_access: None,
            protect_hostname: false,
            private_devices: false,
            private_mounts: false,
            private_network: false,
            private_tmp: false,
            private_users: false,
            protect_control_groups: false,
            protect_kernel_modules: false,
            protect_kernel_tunables: false,
            protect_kernel_logs: false,
            protect_clock: false,
            protect_home: None,
            protect_system: None,
            remove_ipc: false,
            af_inet: false,
            af_unix: false,
            af_netlink: false,
            af_packet: false,
            af_other: false,
            restrict_namespaces: NS_INITIAL,
            restrict_realtime: false,
            restrict_suid_sgid: false,
            root_directory: None,
            root_image: None,
            delegate: false,
            device_policy: None,
            device_allow: 0,
            syscall_archs: BTreeSet::new(),
            syscall_allow_list: false,
            syscall_filter: HashSet::new(),
            umask: 0o002,
        }
    }

    fn runs_privileged(&self) -> bool {
        match self.user.as_deref() {
            Some("0" | "root") => true,
            _ if self.dynamic_user => false,
            u => u.is_none_or(str::is_empty),
        }
    }
}

/// The execution and cgroup settings as systemd's parsers leave them.
struct Exec {
    info: Info,
    cap_bounding_initial: bool,
    /// `RestrictAddressFamilies=`: allow list or deny list, and the families listed (`None`
    /// until a list is started: `none` leaves an empty allow list that the next line replaces).
    af_allow: bool,
    af_set: Option<BTreeSet<u32>>,
    syscalls: Option<HashMap<&'static str, i32>>,
    ip_deny: Vec<(bool, Vec<u8>, u8)>,
    ip_allow: Vec<(bool, Vec<u8>, u8)>,
    ip_filters: (bool, bool),
    mount_images: bool,
    encrypted_credentials: bool,
}

fn words(v: &str) -> impl Iterator<Item = &str> {
    v.split_ascii_whitespace()
        .map(|w| w.trim_matches(|c| c == '"' || c == '\''))
}

fn set_bool(target: &mut bool, v: &str) {
    if let Some(b) = parse_bool(v) {
        *target = b;
    }
}

fn parse_prefix(word: &str) -> Vec<(bool, Vec<u8>, u8)> {
    match word {
        "any" => {
            return vec![(false, vec![0; 4], 0), (true, vec![0; 16], 0)];
        }
        "localhost" => {
            return vec![
                (false, vec![127, 0, 0, 0], 8),
                (true, Ipv6Addr::LOCALHOST.octets().to_vec(), 128),
            ];
        }
        "link-local" => {
            return vec![
                (false, vec![169, 254, 0, 0], 16),
                (
                    true,
                    Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0).octets().to_vec(),
                    64,
                ),
            ];
        }
        "multicast" => {
            return vec![
                (false, vec![224, 0, 0, 0], 4),
                (
                    true,
                    Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0).octets().to_vec(),
                    8,
                ),
            ];
        }
        _ => {}
    }
    let (addr, len) = match word.split_once('/') {
        Some((a, l)) => (a, l.parse::<u8>().ok()),
        None => (word, None),
    };
    let (v6, mut bytes, max) = if let Ok(a) = addr.parse::<Ipv4Addr>() {
        (false, a.octets().to_vec(), 32u8)
    } else if let Ok(a) = addr.parse::<Ipv6Addr>() {
        (true, a.octets().to_vec(), 128u8)
    } else {
        return Vec::new();
    };
    let len = match (word.contains('/'), len) {
        (false, _) => max,
        (true, Some(l)) if l <= max => l,
        _ => return Vec::new(),
    };
    // mask the address to its prefix, as systemd does
    for (i, b) in bytes.iter_mut().enumerate() {
        let bit = (i * 8) as u32;
        let keep = (len as u32).saturating_sub(bit).min(8);
        *b &= if keep == 0 { 0 } else { 0xffu8 << (8 - keep) };
    }
    vec![(v6, bytes, len)]
}

fn parse_errno(s: &str) -> Option<i32> {
    if let Ok(n) = s.parse::<i32>() {
        return (0..=4095).contains(&n).then_some(n);
    }
    if s == "kill" {
        return Some(i32::MAX - 1);
    }
    (s.len() > 1
        && s.starts_with('E')
        && s[1..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
    .then_some(1)
}

impl Exec {
    fn new(unit: &Unit, default_dependencies: bool) -> Exec {
        let mut info = Info::bare(default_dependencies);
        info.keyring_mode = Some(
            if unit.kind == UnitKind::Service {
                "private"
            } else {
                "inherit"
            }
            .into(),
        );
        info.protect_proc = Some("default".into());
        info.proc_subset = Some("all".into());
        info.protect_home = Some("no".into());
        info.protect_system = Some("no".into());
        info.device_policy = Some("auto".into());
        info.umask = 0o022;
        if unit.kind == UnitKind::Service {
            info.notify_access = Some("none".into());
        }
        Exec {
            info,
            cap_bounding_initial: true,
            af_allow: false,
            af_set: None,
            syscalls: None,
            ip_deny: Vec::new(),
            ip_allow: Vec::new(),
            ip_filters: (false, false),
            mount_images: false,
            encrypted_credentials: false,
        }
    }

    fn capabilities(&mut self, v: &str, bounding: bool) {
        let (invert, rest) = match v.strip_prefix('~') {
            Some(r) => (true, r),
            None => (false, v),
        };
        let mut sum = 0u64;
        for w in words(rest) {
            if let Some(i) = cap_from_name(w) {
                sum |= 1 << i;
            }
        }
        let set = if bounding {
            &mut self.info.bounding
        } else {
            &mut self.info.ambient
        };
        let initial = if bounding { u64::MAX } else { 0 };
        if sum == 0 || *set == initial {
            *set = if invert { !sum } else { sum };
        } else if invert {
            *set &= !sum;
        } else {
            *set |= sum;
        }
        if bounding {
            self.cap_bounding_initial = false;
        }
    }

    fn namespaces(&mut self, v: &str) {
        let i = &mut self.info;
        if v.is_empty() {
            i.restrict_namespaces = NS_INITIAL;
            return;
        }
        if let Some(restrict) = parse_bool(v) {
            // a boolean replaces what came before (`~yes` is not a boolean: it is ignored)
            i.restrict_namespaces = if restrict { 0 } else { NS_ALL };
            return;
        }
        let (invert, rest) = match v.strip_prefix('~') {
            Some(r) => (true, r),
            None => (false, v),
        };
        let mut flags = 0u64;
        for w in words(rest) {
            let f = ns(w);
            if f == 0 {
                return; // an unknown namespace makes systemd ignore the whole assignment
            }
            flags |= f;
        }
        if i.restrict_namespaces == NS_INITIAL {
            i.restrict_namespaces = if invert { !flags & NS_ALL } else { flags };
        } else if invert {
            i.restrict_namespaces &= !flags;
        } else {
            i.restrict_namespaces |= flags;
        }
    }

    fn address_families(&mut self, v: &str) {
        if v.is_empty() || v == "none" {
            self.af_set = None;
            self.af_allow = v == "none";
            return;
        }
        let (invert, rest) = match v.strip_prefix('~') {
            Some(r) => (true, r),
            None => (false, v),
        };
        if self.af_set.is_none() {
            self.af_allow = !invert;
        }
        let allow = self.af_allow;
        let set = self.af_set.get_or_insert_with(BTreeSet::new);
        for w in words(rest) {
            let Some(af) = af_from_name(w) else { continue };
            if invert != allow {
                set.insert(af);
            } else {
                set.remove(&af);
            }
        }
    }

    fn syscall_filter(&mut self, v: &str) {
        if v.is_empty() {
            self.syscalls = None;
            self.info.syscall_allow_list = false;
            return;
        }
        let (invert, rest) = match v.strip_prefix('~') {
            Some(r) => (true, r),
            None => (false, v),
        };
        if self.syscalls.is_none() {
            let mut m = HashMap::new();
            if invert {
                self.info.syscall_allow_list = false;
            } else {
                self.info.syscall_allow_list = true;
                for s in groups().get("@default").into_iter().flatten() {
                    m.insert(*s, -1);
                }
            }
            self.syscalls = Some(m);
        }
        let allow_list = self.info.syscall_allow_list;
        let map = self.syscalls.as_mut().expect("just set");
        for w in words(rest) {
            let (name, errno) = match w.split_once(':') {
                Some((n, e)) => match parse_errno(e) {
                    Some(e) => (n, e),
                    None => continue,
                },
                None => (w, -1),
            };
            let names: Vec<&'static str> = if name.starts_with('@') {
                match groups().get(name) {
                    Some(g) => g.iter().copied().collect(),
                    None => continue,
                }
            } else {
                match known_syscalls().get(name) {
                    Some(s) => vec![*s],
                    None => continue,
                }
            };
            let add = (invert != allow_list) || (invert && allow_list && errno >= 0);
            for n in names {
                if add {
                    map.insert(n, errno);
                } else {
                    map.remove(n);
                }
            }
        }
    }

    fn apply(&mut self, unit: &Unit, key: &str, v: &str) {
        let service = unit.kind == UnitKind::Service;
        let i = &mut self.info;
        match key {
            "User" => i.user = (!v.is_empty()).then(|| v.to_string()),
            "DynamicUser" => set_bool(&mut i.dynamic_user, v),
            "SupplementaryGroups" => {
                i.supplementary_groups =
                    !v.is_empty() && (i.supplementary_groups || words(v).next().is_some())
            }
            "PrivateDevices" => set_bool(&mut i.private_devices, v),
            "PrivateMounts" => set_bool(&mut i.private_mounts, v),
            "PrivateNetwork" => set_bool(&mut i.private_network, v),
            "PrivateTmp" => set_bool(&mut i.private_tmp, v),
            "PrivateUsers" => set_bool(&mut i.private_users, v),
            "ProtectControlGroups" => set_bool(&mut i.protect_control_groups, v),
            "ProtectKernelModules" => set_bool(&mut i.protect_kernel_modules, v),
            "ProtectKernelTunables" => set_bool(&mut i.protect_kernel_tunables, v),
            "ProtectKernelLogs" => set_bool(&mut i.protect_kernel_logs, v),
            "ProtectClock" => set_bool(&mut i.protect_clock, v),
            "ProtectHostname" => set_bool(&mut i.protect_hostname, v),
            "LockPersonality" => set_bool(&mut i.lock_personality, v),
            "MemoryDenyWriteExecute" => set_bool(&mut i.memory_deny_write_execute, v),
            "NoNewPrivileges" => set_bool(&mut i.no_new_privileges, v),
            "RemoveIPC" => set_bool(&mut i.remove_ipc, v),
            "RestrictRealtime" => set_bool(&mut i.restrict_realtime, v),
            "RestrictSUIDSGID" => set_bool(&mut i.restrict_suid_sgid, v),
            "Delegate" if service => {
                // a list of controllers (or nothing) turns delegation on
                i.delegate = parse_bool(v).unwrap_or(true);
            }
            "ProtectHome" => {
                i.protect_home = Some(
                    match (v, parse_bool(v)) {
                        ("", _) => return, // an empty value is ignored, not a reset
                        (_, Some(true)) => "yes",
                        (_, Some(false)) => "no",
                        ("read-only", _) => "read-only",
                        ("tmpfs", _) => "tmpfs",
                        _ => return,
                    }
                    .into(),
                )
            }
            "ProtectSystem" => {
                i.protect_system = Some(
                    match (v, parse_bool(v)) {
                        ("", _) => return, // an empty value is ignored, not a reset
                        (_, Some(true)) => "yes",
                        (_, Some(false)) => "no",
                        ("full", _) => "full",
                        ("strict", _) => "strict",
                        _ => return,
                    }
                    .into(),
                )
            }
            "KeyringMode" => {
                if matches!(v, "inherit" | "private" | "shared") {
                    i.keyring_mode = Some(v.into());
                }
            }
            "ProtectProc" => {
                if matches!(v, "default" | "noaccess" | "invisible" | "ptraceable") {
                    i.protect_proc = Some(v.into());
                }
            }
            "ProcSubset" => {
                if matches!(v, "all" | "pid") {
                    i.proc_subset = Some(v.into());
                }
            }
            "NotifyAccess" if service => {
                if matches!(v, "none" | "main" | "exec" | "all") {
                    i.notify_access = Some(v.into());
                }
            }
            "UMask" => {
                if let Ok(m) = u32::from_str_radix(v, 8)
                    && m <= 0o7777
                {
                    i.umask = m;
                }
            }
            "CapabilityBoundingSet" => self.capabilities(v, true),
            "AmbientCapabilities" => self.capabilities(v, false),
            "RestrictNamespaces" => self.namespaces(v),
            "RestrictAddressFamilies" => self.address_families(v),
            "SystemCallArchitectures" => {
                if v.is_empty() {
                    i.syscall_archs.clear();
                }
                for w in words(v) {
                    if ARCHES.contains(&w) {
                        i.syscall_archs.insert(w.to_string());
                    }
                }
            }
            "SystemCallFilter" => self.syscall_filter(v),
            "IPAddressDeny" | "IPAddressAllow" => {
                let list = if key == "IPAddressDeny" {
                    &mut self.ip_deny
                } else {
                    &mut self.ip_allow
                };
                if v.is_empty() {
                    list.clear();
                }
                for w in words(v) {
                    list.extend(parse_prefix(w));
                }
            }
            "IPIngressFilterPath" => self.ip_filters.0 = !v.is_empty(),
            "IPEgressFilterPath" => self.ip_filters.1 = !v.is_empty(),
            "DevicePolicy" => {
                if matches!(v, "auto" | "closed" | "strict") {
                    i.device_policy = Some(v.into());
                }
            }
            "DeviceAllow" => {
                if v.is_empty() {
                    i.device_allow = 0;
                } else {
                    let mut it = words(v);
                    let path = it.next().unwrap_or("");
                    let mode = it.next().unwrap_or("rwm");
                    let path_ok = path.starts_with("/dev/")
                        || path.starts_with("char-")
                        || path.starts_with("block-");
                    if path_ok && mode.chars().all(|c| matches!(c, 'r' | 'w' | 'm')) {
                        i.device_allow += 1;
                    }
                }
            }
            "RootDirectory" => i.root_directory = (!v.is_empty()).then(|| v.to_string()),
            "RootImage" => i.root_image = (!v.is_empty()).then(|| v.to_string()),
            "MountImages" => self.mount_images = !v.is_empty(),
            "LoadCredentialEncrypted" | "SetCredentialEncrypted" => {
                self.encrypted_credentials |= !v.is_empty();
            }
            _ => {}
        }
    }

    /// `unit_patch_contexts` and `get_security_info`.
    fn finish(mut self, unit: &Unit) -> Info {
        let i = &mut self.info;
        if i.private_devices {
            i.bounding &= !(cap("mknod") | cap("sys_rawio"));
        }
        if i.protect_kernel_modules {
            i.bounding &= !cap("sys_module");
        }
        if i.protect_kernel_logs {
            i.bounding &= !cap("syslog");
        }
        if i.protect_clock {
            i.bounding &= !(cap("sys_time") | cap("wake_alarm"));
        }
        if i.dynamic_user {
            if i.user.is_none() {
                let stem = unit
                    .name
                    .rsplit_once('.')
                    .map(|(s, _)| s)
                    .unwrap_or(&unit.name);
                i.user = Some(stem.split('@').next().unwrap_or(stem).to_string());
            }
            i.private_tmp = true;
            i.remove_ipc = true;
            i.protect_system = Some("strict".into());
            if i.protect_home.as_deref() == Some("no") {
                i.protect_home = Some("read-only".into());
            }
            i.no_new_privileges = true;
            i.restrict_suid_sgid = true;
        }
        if i.private_devices && i.device_policy.as_deref() == Some("auto") {
            i.device_policy = Some("closed".into());
        }
        if i.device_policy.as_deref() != Some("auto") || i.device_allow > 0 {
            if i.root_image.is_some() || self.mount_images {
                i.device_allow += 5;
            }
            if i.protect_clock {
                i.device_allow += 1;
            }
            if self.encrypted_credentials {
                i.device_allow += 1;
            }
        }
        // address families
        let allow = self.af_allow;
        let set = self.af_set.take().unwrap_or_default();
        i.af_inet = allow;
        i.af_unix = allow;
        i.af_netlink = allow;
        i.af_packet = allow;
        i.af_other = allow;
        for af in set {
            match af {
                AF_INET | AF_INET6 => i.af_inet = !allow,
                AF_UNIX => i.af_unix = !allow,
                AF_NETLINK => i.af_netlink = !allow,
                AF_PACKET => i.af_packet = !allow,
                _ => i.af_other = !allow,
            }
        }
        // system calls
        if let Some(m) = self.syscalls.take() {
            let allow_list = i.syscall_allow_list;
            i.syscall_filter = m
                .into_iter()
                .filter(|&(_, e)| !(allow_list && e >= 0))
                .map(|(n, _)| n)
                .collect();
        }
        // IP address lists
        let v4_any = self.ip_deny.iter().any(|(v6, _, l)| !v6 && *l == 0);
        let v6_any = self.ip_deny.iter().any(|(v6, _, l)| *v6 && *l == 0);
        i.ip_deny_all = v4_any && v6_any;
        for (v6, bytes, _) in &self.ip_allow {
            let localhost = if *v6 {
                bytes.as_slice() == Ipv6Addr::LOCALHOST.octets()
            } else {
                bytes.first() == Some(&127)
            };
            if localhost {
                i.ip_allow_localhost = true;
            } else {
                i.ip_allow_other = true;
            }
        }
        i.ip_filters_custom = self.ip_filters.0 || self.ip_filters.1;
        self.info
    }
}

fn info_of(unit: &Unit) -> Info {
    let mut default_dependencies = true;
    for e in unit.section_entries("Unit") {
        if e.key == "DefaultDependencies" {
            set_bool(&mut default_dependencies, &e.value);
        }
    }
    let Some(section) = unit.kind.exec_section() else {
        return Info::bare(default_dependencies);
    };
    let mut exec = Exec::new(unit, default_dependencies);
    for e in unit.section_entries(section) {
        exec.apply(unit, &e.key, &e.value);
    }
    exec.finish(unit)
}

type Assess = fn(&Info) -> (Option<u64>, Option<&'static str>);

struct Assessor {
    setting: &'static str,
    id: &'static str,
    weight: u64,
    range: u64,
    good: &'static str,
    bad: &'static str,
    default_dependencies_only: bool,
    assess: Assess,
}

const fn flag(
    setting: &'static str,
    id: &'static str,
    weight: u64,
    good: &'static str,
    bad: &'static str,
    assess: Assess,
) -> Assessor {
    Assessor {
        setting,
        id,
        weight,
        range: 1,
        good,
        bad,
        default_dependencies_only: false,
        assess,
    }
}

fn b(x: bool) -> (Option<u64>, Option<&'static str>) {
    (Some(x as u64), None)
}

macro_rules! caps {
    ($setting:literal, $id:literal, $weight:literal, $good:literal, $bad:literal, [$($c:literal),+]) => {
        flag($setting, $id, $weight, $good, $bad, |i| b(i.bounding & ($(cap($c))|+) != 0))
    };
}

macro_rules! nsflag {
    ($name:literal, $id:literal, $weight:literal, $what:literal) => {
        flag(
            concat!("RestrictNamespaces=~", $name),
            $id,
            $weight,
            concat!("Service cannot create ", $what, " namespaces"),
            concat!("Service may create ", $what, " namespaces"),
            |i| b(i.restrict_namespaces & ns($name) != 0),
        )
    };
}

macro_rules! sysfilter {
    ($group:literal, $id:literal, $weight:literal) => {
        Assessor {
            setting: concat!("SystemCallFilter=~", $group),
            id: $id,
            weight: $weight,
            range: 10,
            good: concat!("System call filter excludes ", $group),
            bad: "Service does not filter system calls",
            default_dependencies_only: false,
            assess: |i| syscall_filter(i, $group),
        }
    };
}

fn syscall_filter(i: &Info, group: &str) -> (Option<u64>, Option<&'static str>) {
    if !i.syscall_allow_list && i.syscall_filter.is_empty() {
        return (Some(10), Some("Service does not filter system calls"));
    }
    let members = groups().get(group);
    let bad = members
        .into_iter()
        .flatten()
        .any(|s| i.syscall_filter.contains(s) == i.syscall_allow_list);
    match (i.syscall_allow_list, bad) {
        (true, true) => (
            Some(9),
            Some("System call allow list defined for service, and the group is included"),
        ),
        (true, false) => (
            Some(0),
            Some("System call allow list defined for service, and the group is not included"),
        ),
        (false, true) => (
            Some(10),
            Some("System call deny list defined for service, and the group is not included"),
        ),
        (false, false) => (
            Some(0),
            Some("System call deny list defined for service, and the group is included"),
        ),
    }
}

const ASSESSORS: &[Assessor] = &[
    Assessor {
        setting: "User=/DynamicUser=",
        id: "UserOrDynamicUser",
        weight: 2000,
        range: 10,
        good: "Service runs under a static non-root user identity",
        bad: "Service runs as root user",
        default_dependencies_only: false,
        assess: |i| {
            if i.user.as_deref() == Some("nobody") {
                (
                    Some(9),
                    Some(
                        "Service runs under as 'nobody' user, which should not be used for services",
                    ),
                )
            } else if i.dynamic_user && !matches!(i.user.as_deref(), Some("0" | "root")) {
                (
                    Some(0),
                    Some("Service runs under a transient non-root user identity"),
                )
            } else if i
                .user
                .as_deref()
                .is_some_and(|u| !matches!(u, "0" | "root" | ""))
            {
                (
                    Some(0),
                    Some("Service runs under a static non-root user identity"),
                )
            } else {
                (Some(10), None)
            }
        },
    },
    Assessor {
        setting: "SupplementaryGroups=",
        id: "SupplementaryGroups",
        weight: 200,
        range: 1,
        good: "Service has no supplementary groups",
        bad: "Service runs with supplementary groups",
        default_dependencies_only: false,
        assess: |i| {
            if i.runs_privileged() {
                (None, Some("Service runs as root, option does not matter"))
            } else {
                b(i.supplementary_groups)
            }
        },
    },
    flag(
        "PrivateDevices=",
        "PrivateDevices",
        1000,
        "Service has no access to hardware devices",
        "Service potentially has access to hardware devices",
        |i| b(!i.private_devices),
    ),
    flag(
        "PrivateMounts=",
        "PrivateMounts",
        1000,
        "Service cannot install system mounts",
        "Service may install system mounts",
        |i| b(!i.private_mounts),
    ),
    flag(
        "PrivateNetwork=",
        "PrivateNetwork",
        2500,
        "Service has no access to the host's network",
        "Service has access to the host's network",
        |i| b(!i.private_network),
    ),
    Assessor {
        default_dependencies_only: true,
        ..flag(
            "PrivateTmp=",
            "PrivateTmp",
            1000,
            "Service has no access to other software's temporary files",
            "Service has access to other software's temporary files",
            |i| b(!i.private_tmp),
        )
    },
    flag(
        "PrivateUsers=",
        "PrivateUsers",
        1000,
        "Service does not have access to other users",
        "Service has access to other users",
        |i| b(!i.private_users),
    ),
    flag(
        "ProtectControlGroups=",
        "ProtectControlGroups",
        1000,
        "Service cannot modify the control group file system",
        "Service may modify the control group file system",
        |i| b(!i.protect_control_groups),
    ),
    flag(
        "ProtectKernelModules=",
        "ProtectKernelModules",
        1000,
        "Service cannot load or read kernel modules",
        "Service may load or read kernel modules",
        |i| b(!i.protect_kernel_modules),
    ),
    flag(
        "ProtectKernelTunables=",
        "ProtectKernelTunables",
        1000,
        "Service cannot alter kernel tunables (/proc/sys, …)",
        "Service may alter kernel tunables",
        |i| b(!i.protect_kernel_tunables),
    ),
    flag(
        "ProtectKernelLogs=",
        "ProtectKernelLogs",
        1000,
        "Service cannot read from or write to the kernel log ring buffer",
        "Service may read from or write to the kernel log ring buffer",
        |i| b(!i.protect_kernel_logs),
    ),
    flag(
        "ProtectClock=",
        "ProtectClock",
        1000,
        "Service cannot write to the hardware clock or system clock",
        "Service may write to the hardware clock or system clock",
        |i| b(!i.protect_clock),
    ),
    Assessor {
        setting: "ProtectHome=",
        id: "ProtectHome",
        weight: 1000,
        range: 10,
        good: "Service has no access to home directories",
        bad: "Service has full access to home directories",
        default_dependencies_only: true,
        assess: |i| match i.protect_home.as_deref().map(|v| (v, parse_bool(v))) {
            Some((_, Some(true))) => (Some(0), Some("Service has no access to home directories")),
            Some(("read-only", _)) => (
                Some(5),
                Some("Service has read-only access to home directories"),
            ),
            Some(("tmpfs", _)) => (
                Some(1),
                Some("Service has access to fake empty home directories"),
            ),
            _ => (
                Some(10),
                Some("Service has full access to home directories"),
            ),
        },
    },
    flag(
        "ProtectHostname=",
        "ProtectHostname",
        50,
        "Service cannot change system host/domainname",
        "Service may change system host/domainname",
        |i| b(!i.protect_hostname),
    ),
    Assessor {
        setting: "ProtectSystem=",
        id: "ProtectSystem",
        weight: 1000,
        range: 10,
        good: "Service has strict read-only access to the OS file hierarchy",
        bad: "Service has full access to the OS file hierarchy",
        default_dependencies_only: true,
        assess: |i| match i.protect_system.as_deref().map(|v| (v, parse_bool(v))) {
            Some((_, Some(true))) => (
                Some(5),
                Some("Service has limited write access to the OS file hierarchy"),
            ),
            Some(("full", _)) => (
                Some(3),
                Some("Service has very limited write access to the OS file hierarchy"),
            ),
            Some(("strict", _)) => (
                Some(0),
                Some("Service has strict read-only access to the OS file hierarchy"),
            ),
            _ => (
                Some(10),
                Some("Service has full access to the OS file hierarchy"),
            ),
        },
    },
    Assessor {
        default_dependencies_only: true,
        ..flag(
            "RootDirectory=/RootImage=",
            "RootDirectoryOrRootImage",
            200,
            "Service has its own root directory/image",
            "Service runs within the host's root directory",
            |i| {
                let root = |p: &Option<String>| {
                    p.as_deref()
                        .is_none_or(|p| p.is_empty() || p.trim_matches('/').is_empty())
                };
                b(root(&i.root_directory) && root(&i.root_image))
            },
        )
    },
    flag(
        "LockPersonality=",
        "LockPersonality",
        100,
        "Service cannot change ABI personality",
        "Service may change ABI personality",
        |i| b(!i.lock_personality),
    ),
    flag(
        "MemoryDenyWriteExecute=",
        "MemoryDenyWriteExecute",
        100,
        "Service cannot create writable executable memory mappings",
        "Service may create writable executable memory mappings",
        |i| b(!i.memory_deny_write_execute),
    ),
    flag(
        "NoNewPrivileges=",
        "NoNewPrivileges",
        1000,
        "Service processes cannot acquire new privileges",
        "Service processes may acquire new privileges",
        |i| b(!i.no_new_privileges),
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_SYS_ADMIN",
        "CapabilityBoundingSet_CAP_SYS_ADMIN",
        1500,
        "Service has no administrator privileges",
        "Service has administrator privileges",
        ["sys_admin"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_SET(UID|GID|PCAP)",
        "CapabilityBoundingSet_CAP_SET_UID_GID_PCAP",
        1500,
        "Service cannot change UID/GID identities/capabilities",
        "Service may change UID/GID identities/capabilities",
        ["setuid", "setgid", "setpcap"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_SYS_PTRACE",
        "CapabilityBoundingSet_CAP_SYS_PTRACE",
        1500,
        "Service has no ptrace() debugging abilities",
        "Service has ptrace() debugging abilities",
        ["sys_ptrace"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_SYS_TIME",
        "CapabilityBoundingSet_CAP_SYS_TIME",
        1000,
        "Service processes cannot change the system clock",
        "Service processes may change the system clock",
        ["sys_time"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_NET_ADMIN",
        "CapabilityBoundingSet_CAP_NET_ADMIN",
        1000,
        "Service has no network configuration privileges",
        "Service has network configuration privileges",
        ["net_admin"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_SYS_RAWIO",
        "CapabilityBoundingSet_CAP_SYS_RAWIO",
        1000,
        "Service has no raw I/O access",
        "Service has raw I/O access",
        ["sys_rawio"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_SYS_MODULE",
        "CapabilityBoundingSet_CAP_SYS_MODULE",
        1000,
        "Service cannot load kernel modules",
        "Service may load kernel modules",
        ["sys_module"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_AUDIT_*",
        "CapabilityBoundingSet_CAP_AUDIT",
        500,
        "Service has no audit subsystem access",
        "Service has audit subsystem access",
        ["audit_control", "audit_read", "audit_write"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_SYSLOG",
        "CapabilityBoundingSet_CAP_SYSLOG",
        500,
        "Service has no access to kernel logging",
        "Service has access to kernel logging",
        ["syslog"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_SYS_(NICE|RESOURCE)",
        "CapabilityBoundingSet_CAP_SYS_NICE_RESOURCE",
        500,
        "Service has no privileges to change resource use parameters",
        "Service has privileges to change resource use parameters",
        ["sys_nice", "sys_resource"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_MKNOD",
        "CapabilityBoundingSet_CAP_MKNOD",
        500,
        "Service cannot create device nodes",
        "Service may create device nodes",
        ["mknod"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_(CHOWN|FSETID|SETFCAP)",
        "CapabilityBoundingSet_CAP_CHOWN_FSETID_SETFCAP",
        1000,
        "Service cannot change file ownership/access mode/capabilities",
        "Service may change file ownership/access mode/capabilities unrestricted",
        ["chown", "fsetid", "setfcap"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_(DAC_*|FOWNER|IPC_OWNER)",
        "CapabilityBoundingSet_CAP_DAC_FOWNER_IPC_OWNER",
        1000,
        "Service cannot override UNIX file/IPC permission checks",
        "Service may override UNIX file/IPC permission checks",
        ["dac_override", "dac_read_search", "fowner", "ipc_owner"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_KILL",
        "CapabilityBoundingSet_CAP_KILL",
        500,
        "Service cannot send UNIX signals to arbitrary processes",
        "Service may send UNIX signals to arbitrary processes",
        ["kill"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_NET_(BIND_SERVICE|BROADCAST|RAW)",
        "CapabilityBoundingSet_CAP_NET_BIND_SERVICE_BROADCAST_RAW)",
        500,
        "Service has no elevated networking privileges",
        "Service has elevated networking privileges",
        ["net_bind_service", "net_broadcast", "net_raw"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_SYS_BOOT",
        "CapabilityBoundingSet_CAP_SYS_BOOT",
        100,
        "Service cannot issue reboot()",
        "Service may issue reboot()",
        ["sys_boot"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_MAC_*",
        "CapabilityBoundingSet_CAP_MAC",
        100,
        "Service cannot adjust SMACK MAC",
        "Service may adjust SMACK MAC",
        ["mac_admin", "mac_override"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_LINUX_IMMUTABLE",
        "CapabilityBoundingSet_CAP_LINUX_IMMUTABLE",
        75,
        "Service cannot mark files immutable",
        "Service may mark files immutable",
        ["linux_immutable"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_IPC_LOCK",
        "CapabilityBoundingSet_CAP_IPC_LOCK",
        50,
        "Service cannot lock memory into RAM",
        "Service may lock memory into RAM",
        ["ipc_lock"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_SYS_CHROOT",
        "CapabilityBoundingSet_CAP_SYS_CHROOT",
        50,
        "Service cannot issue chroot()",
        "Service may issue chroot()",
        ["sys_chroot"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_BLOCK_SUSPEND",
        "CapabilityBoundingSet_CAP_BLOCK_SUSPEND",
        25,
        "Service cannot establish wake locks",
        "Service may establish wake locks",
        ["block_suspend"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_WAKE_ALARM",
        "CapabilityBoundingSet_CAP_WAKE_ALARM",
        25,
        "Service cannot program timers that wake up the system",
        "Service may program timers that wake up the system",
        ["wake_alarm"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_LEASE",
        "CapabilityBoundingSet_CAP_LEASE",
        25,
        "Service cannot create file leases",
        "Service may create file leases",
        ["lease"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_SYS_TTY_CONFIG",
        "CapabilityBoundingSet_CAP_SYS_TTY_CONFIG",
        25,
        "Service cannot issue vhangup()",
        "Service may issue vhangup()",
        ["sys_tty_config"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_SYS_PACCT",
        "CapabilityBoundingSet_CAP_SYS_PACCT",
        25,
        "Service cannot use acct()",
        "Service may use acct()",
        ["sys_pacct"]
    ),
    caps!(
        "CapabilityBoundingSet=~CAP_BPF",
        "CapabilityBoundingSet_CAP_BPF",
        25,
        "Service may not load BPF programs",
        "Service may load BPF programs",
        ["bpf"]
    ),
    Assessor {
        setting: "UMask=",
        id: "UMask",
        weight: 100,
        range: 10,
        good: "Files created by service are accessible only by service's own user by default",
        bad: "Files created by service are world-writable by default",
        default_dependencies_only: false,
        assess: |i| {
            let set = |bits: u32| i.umask & bits == bits;
            if !set(0o002) {
                (
                    Some(10),
                    Some("Files created by service are world-writable by default"),
                )
            } else if !set(0o004) {
                (
                    Some(5),
                    Some("Files created by service are world-readable by default"),
                )
            } else if !set(0o020) {
                (
                    Some(2),
                    Some("Files created by service are group-writable by default"),
                )
            } else if !set(0o040) {
                (
                    Some(1),
                    Some("Files created by service are group-readable by default"),
                )
            } else {
                (
                    Some(0),
                    Some(
                        "Files created by service are accessible only by service's own user by default",
                    ),
                )
            }
        },
    },
    flag(
        "KeyringMode=",
        "KeyringMode",
        1000,
        "Service doesn't share key material with other services",
        "Service shares key material with other service",
        |i| b(i.keyring_mode.as_deref() != Some("private")),
    ),
    Assessor {
        setting: "ProtectProc=",
        id: "ProtectProc",
        weight: 1000,
        range: 3,
        good: "Service has restricted access to process tree (/proc hidepid=)",
        bad: "Service has full access to process tree (/proc hidepid=)",
        default_dependencies_only: false,
        assess: |i| match i.protect_proc.as_deref() {
            Some("noaccess") => (Some(1), None),
            Some("invisible" | "ptraceable") => (Some(0), None),
            _ => (Some(3), None),
        },
    },
    flag(
        "ProcSubset=",
        "ProcSubset",
        10,
        "Service has no access to non-process /proc files (/proc subset=)",
        "Service has full access to non-process /proc files (/proc subset=)",
        |i| b(i.proc_subset.as_deref() != Some("pid")),
    ),
    flag(
        "NotifyAccess=",
        "NotifyAccess",
        1000,
        "Service child processes cannot alter service state",
        "Service child processes may alter service state",
        |i| b(i.notify_access.as_deref() == Some("all")),
    ),
    flag(
        "RemoveIPC=",
        "RemoveIPC",
        100,
        "Service user cannot leave SysV IPC objects around",
        "Service user may leave SysV IPC objects around",
        |i| {
            if i.runs_privileged() {
                (None, Some("Service runs as root, option does not apply"))
            } else {
                b(!i.remove_ipc)
            }
        },
    ),
    flag(
        "Delegate=",
        "Delegate",
        100,
        "Service does not maintain its own delegated control group subtree",
        "Service maintains its own delegated control group subtree",
        |i| b(i.delegate),
    ),
    flag(
        "RestrictRealtime=",
        "RestrictRealtime",
        500,
        "Service realtime scheduling access is restricted",
        "Service may acquire realtime scheduling",
        |i| b(!i.restrict_realtime),
    ),
    flag(
        "RestrictSUIDSGID=",
        "RestrictSUIDSGID",
        1000,
        "SUID/SGID file creation by service is restricted",
        "Service may create SUID/SGID files",
        |i| b(!i.restrict_suid_sgid),
    ),
    nsflag!("user", "RestrictNamespaces_user", 1500, "user"),
    nsflag!("mnt", "RestrictNamespaces_mnt", 500, "file system"),
    nsflag!("ipc", "RestrictNamespaces_ipc", 500, "IPC"),
    nsflag!("pid", "RestrictNamespaces_pid", 500, "process"),
    nsflag!("cgroup", "RestrictNamespaces_cgroup", 500, "cgroup"),
    nsflag!("net", "RestrictNamespaces_net", 500, "network"),
    nsflag!("uts", "RestrictNamespaces_uts", 100, "hostname"),
    flag(
        "RestrictAddressFamilies=~AF_(INET|INET6)",
        "RestrictAddressFamilies_AF_INET_INET6",
        1500,
        "Service cannot allocate Internet sockets",
        "Service may allocate Internet sockets",
        |i| b(!i.af_inet),
    ),
    flag(
        "RestrictAddressFamilies=~AF_UNIX",
        "RestrictAddressFamilies_AF_UNIX",
        25,
        "Service cannot allocate local sockets",
        "Service may allocate local sockets",
        |i| b(!i.af_unix),
    ),
    flag(
        "RestrictAddressFamilies=~AF_NETLINK",
        "RestrictAddressFamilies_AF_NETLINK",
        200,
        "Service cannot allocate netlink sockets",
        "Service may allocate netlink sockets",
        |i| b(!i.af_netlink),
    ),
    flag(
        "RestrictAddressFamilies=~AF_PACKET",
        "RestrictAddressFamilies_AF_PACKET",
        1000,
        "Service cannot allocate packet sockets",
        "Service may allocate packet sockets",
        |i| b(!i.af_packet),
    ),
    flag(
        "RestrictAddressFamilies=~…",
        "RestrictAddressFamilies_OTHER",
        1250,
        "Service cannot allocate exotic sockets",
        "Service may allocate exotic sockets",
        |i| b(!i.af_other),
    ),
    Assessor {
        setting: "SystemCallArchitectures=",
        id: "SystemCallArchitectures",
        weight: 1000,
        range: 10,
        good: "Service may execute system calls only with native ABI",
        bad: "Service may execute system calls with all ABIs",
        default_dependencies_only: false,
        assess: |i| {
            if i.syscall_archs.is_empty() {
                (
                    Some(10),
                    Some("Service may execute system calls with all ABIs"),
                )
            } else if i.syscall_archs.len() == 1 && i.syscall_archs.contains("native") {
                (
                    Some(0),
                    Some("Service may execute system calls only with native ABI"),
                )
            } else {
                (
                    Some(8),
                    Some("Service may execute system calls with multiple ABIs"),
                )
            }
        },
    },
    sysfilter!("@swap", "SystemCallFilter_swap", 1000),
    sysfilter!("@obsolete", "SystemCallFilter_obsolete", 250),
    sysfilter!("@clock", "SystemCallFilter_clock", 1000),
    sysfilter!("@cpu-emulation", "SystemCallFilter_cpu_emulation", 250),
    sysfilter!("@debug", "SystemCallFilter_debug", 1000),
    sysfilter!("@mount", "SystemCallFilter_mount", 1000),
    sysfilter!("@module", "SystemCallFilter_module", 1000),
    sysfilter!("@raw-io", "SystemCallFilter_raw_io", 1000),
    sysfilter!("@reboot", "SystemCallFilter_reboot", 1000),
    sysfilter!("@privileged", "SystemCallFilter_privileged", 700),
    sysfilter!("@resources", "SystemCallFilter_resources", 700),
    Assessor {
        setting: "IPAddressDeny=",
        id: "IPAddressDeny",
        weight: 1000,
        range: 10,
        good: "Service blocks all IP address ranges",
        bad: "Service does not define an IP address allow list",
        default_dependencies_only: false,
        assess: |i| {
            if i.ip_filters_custom {
                (
                    Some(0),
                    Some("Service defines custom ingress/egress IP filters with BPF programs"),
                )
            } else if !i.ip_deny_all {
                (
                    Some(10),
                    Some("Service does not define an IP address allow list"),
                )
            } else if i.ip_allow_other {
                (
                    Some(5),
                    Some("Service defines IP address allow list with non-localhost entries"),
                )
            } else if i.ip_allow_localhost {
                (
                    Some(2),
                    Some("Service defines IP address allow list with only localhost entries"),
                )
            } else {
                (Some(0), Some("Service blocks all IP address ranges"))
            }
        },
    },
    Assessor {
        setting: "DeviceAllow=",
        id: "DeviceAllow",
        weight: 1000,
        range: 10,
        good: "Service has a minimal device ACL",
        bad: "Service has no device ACL",
        default_dependencies_only: false,
        assess: |i| match i.device_policy.as_deref() {
            Some("strict" | "closed") if i.device_allow > 0 => (
                Some(5),
                Some("Service has a device ACL with some special devices"),
            ),
            Some("strict" | "closed") => (Some(0), Some("Service has a minimal device ACL")),
            _ => (Some(10), Some("Service has no device ACL")),
        },
    },
    flag(
        "AmbientCapabilities=",
        "AmbientCapabilities",
        500,
        "Service process does not receive ambient capabilities",
        "Service process receives ambient capabilities",
        |i| b(i.ambient != 0),
    ),
];

/// Assess a unit the way `systemd-analyze security --offline=true` does.
pub(super) fn assess(unit: &Unit) -> Exposure {
    let info = info_of(unit);
    let assessments = ASSESSORS
        .iter()
        .map(|a| {
            let (badness, description) =
                if a.default_dependencies_only && !info.default_dependencies {
                    (
                        None,
                        Some("Service runs in special boot phase, option is not appropriate"),
                    )
                } else {
                    (a.assess)(&info)
                };
            let description = description
                .unwrap_or(match badness {
                    Some(0) => a.good,
                    _ => a.bad,
                })
                .to_string();
            Assessment {
                id: a.id,
                setting: a.setting,
                description,
                weight: a.weight,
                range: a.range,
                badness,
            }
        })
        .collect();
    Exposure { assessments }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plimsoll_yaml::SourceFile;

    fn score(name: &str, text: &str) -> f64 {
        super::super::parse_with_dropins(SourceFile::new(name, text), Vec::new())
            .exposure()
            .score()
    }

    #[test]
    fn known_scores() {
        // values checked against systemd-analyze 252
        assert_eq!(score("a.service", "[Service]\nExecStart=/bin/true\n"), 9.6);
        assert_eq!(score("t.target", "[Unit]\nDescription=x\n"), 9.8);
        assert_eq!(score("t.socket", "[Socket]\nListenStream=1\n"), 9.8);
    }

    #[test]
    fn weights_sum_like_systemd() {
        let total: u64 = ASSESSORS.iter().map(|a| a.weight).sum();
        assert_eq!(ASSESSORS.len(), 81);
        assert!(total > 50_000);
    }

    #[test]
    fn syscall_groups_nest() {
        let g = groups();
        assert!(g["@privileged"].is_superset(&g["@clock"]));
        assert!(g["@system-service"].contains("read"));
        assert!(!g["@system-service"].contains("reboot"));
    }
}
