//! The exposure score against the real `systemd-analyze security --offline=true`.
//!
//! * Every unit of the shared corpus (`../shared/corpus`): the overall score within 0.1 (it is in
//!   fact equal), and every assessor's badness equal.
//! * A few hundred synthetic units, generated from a fixed seed so that each assessor and each
//!   parsing rule (continuations, resets, `~` lists, drop-ins, load-time implications) is seen:
//!   every assessor's badness equal.
//!
//! When `systemd-analyze` is missing the tests are skipped with a message, except under CI
//! (env `CI` set), where they fail.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use plimsoll_formats::systemd::{self, Unit};
use plimsoll_yaml::SourceFile;

fn tool() -> Option<PathBuf> {
    let found = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "systemd-analyze is required under CI"
        );
        eprintln!("SKIPPED: systemd-analyze not found");
    }
    found
}

/// `(overall tenths, json_field -> badness)` from the real tool; `None` when it refuses the unit.
fn real(tool: &Path, unit: &Path) -> Option<(u64, BTreeMap<String, Option<u64>>)> {
    let text = Command::new(tool)
        .args(["security", "--offline=true", "--no-pager"])
        .arg(unit)
        .output()
        .ok()?;
    let stdout = String::from_utf8_lossy(&text.stdout);
    let line = stdout
        .lines()
        .find(|l| l.contains("Overall exposure level"))?;
    let score = line.split(": ").nth(1)?.split_whitespace().next()?;
    let (a, b) = score.split_once('.')?;
    let tenths = a.parse::<u64>().ok()? * 10 + b.parse::<u64>().ok()?;
    let json = Command::new(tool)
        .args(["security", "--offline=true", "--no-pager", "--json=short"])
        .arg(unit)
        .env("SYSTEMD_ANALYZE_DEBUG", "1")
        .output()
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).ok()?;
    let mut m = BTreeMap::new();
    for row in v.as_array()? {
        let id = row["json_field"].as_str()?.to_string();
        let b = row["badness"].as_u64().filter(|&b| b != u64::MAX);
        m.insert(id, b);
    }
    Some((tenths, m))
}

fn ours(unit: &Unit) -> (u64, BTreeMap<String, Option<u64>>) {
    let e = unit.exposure();
    let m = e
        .assessments
        .iter()
        .map(|a| (a.id.to_string(), a.badness))
        .collect();
    (e.tenths(), m)
}

fn compare(tool: &Path, path: &Path) -> Result<Option<u64>, String> {
    let Some((t_real, a_real)) = real(tool, path) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path).unwrap();
    let unit = systemd::parse(SourceFile::new(path.display().to_string(), text));
    let (t_ours, a_ours) = ours(&unit);
    let diffs: Vec<String> = a_real
        .iter()
        .filter(|(k, v)| a_ours.get(*k) != Some(v))
        .map(|(k, v)| format!("{k}: systemd {v:?}, ours {:?}", a_ours.get(k)))
        .collect();
    if t_real != t_ours || !diffs.is_empty() {
        return Err(format!(
            "{}: systemd {}.{}, ours {}.{}\n  {}",
            path.display(),
            t_real / 10,
            t_real % 10,
            t_ours / 10,
            t_ours % 10,
            diffs.join("\n  ")
        ));
    }
    Ok(Some(t_ours))
}

fn corpus_units() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let mut out = Vec::new();
    for repo in [
        "coreos__fedora-coreos-config",
        "prometheus__node_exporter",
        "caddyserver__dist",
        "etcd-io__etcd",
        "containerd__containerd",
    ] {
        walk(&root.join(repo), &mut out);
    }
    out.sort();
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            // drop-in directories (`x.service.d/`) are read with their unit
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let dropins = [".service.d", ".socket.d", ".mount.d", ".timer.d", ".path.d"]
                .iter()
                .any(|s| name.ends_with(s));
            if !dropins {
                walk(&p, out);
            }
        } else if p.extension().and_then(|x| x.to_str()).is_some_and(|x| {
            matches!(
                x,
                "service" | "socket" | "target" | "timer" | "path" | "mount"
            )
        }) {
            out.push(p);
        }
    }
}

#[test]
fn corpus_units_score_like_systemd_analyze() {
    let Some(tool) = tool() else { return };
    let units = corpus_units();
    if units.is_empty() {
        eprintln!("SKIPPED: corpus not found");
        return;
    }
    let mut problems = Vec::new();
    let mut compared = 0;
    for u in &units {
        match compare(&tool, u) {
            Ok(Some(_)) => compared += 1,
            Ok(None) => problems.push(format!("{}: systemd-analyze gave no score", u.display())),
            Err(e) => problems.push(e),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(compared, units.len());
    assert!(compared >= 50, "only {compared} corpus units");
    eprintln!("{compared} corpus units: the same score and assessments as systemd-analyze");
}

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const SETTINGS: &[(&str, &[&str])] = &[
    ("User", &["root", "0", "nobody", "app", "", "www-data"]),
    ("DynamicUser", &["yes", "no", "true", "bogus"]),
    ("SupplementaryGroups", &["wheel", "", "a b"]),
    ("PrivateDevices", &["yes", "no", "on", "0"]),
    ("PrivateMounts", &["yes", "no"]),
    ("PrivateNetwork", &["yes", "no"]),
    ("PrivateTmp", &["yes", "no", "1"]),
    ("PrivateUsers", &["yes", "no"]),
    ("ProtectControlGroups", &["yes", "no"]),
    ("ProtectKernelModules", &["yes", "no"]),
    ("ProtectKernelTunables", &["yes", "no"]),
    ("ProtectKernelLogs", &["yes", "no"]),
    ("ProtectClock", &["yes", "no"]),
    ("ProtectHostname", &["yes", "no"]),
    (
        "ProtectHome",
        &["yes", "no", "read-only", "tmpfs", "", "bogus", "true"],
    ),
    (
        "ProtectSystem",
        &["yes", "no", "full", "strict", "", "false"],
    ),
    ("LockPersonality", &["yes", "no"]),
    ("MemoryDenyWriteExecute", &["yes", "no"]),
    ("NoNewPrivileges", &["yes", "no", "true"]),
    ("RemoveIPC", &["yes", "no"]),
    ("RestrictRealtime", &["yes", "no"]),
    ("RestrictSUIDSGID", &["yes", "no"]),
    ("Delegate", &["yes", "no", "", "cpu memory"]),
    ("KeyringMode", &["private", "shared", "inherit", ""]),
    (
        "ProtectProc",
        &["noaccess", "invisible", "ptraceable", "default"],
    ),
    ("ProcSubset", &["pid", "all"]),
    ("NotifyAccess", &["all", "main", "none", "exec"]),
    (
        "UMask",
        &[
            "0077", "0027", "0022", "0002", "0000", "0007", "0037", "", "999",
        ],
    ),
    (
        "CapabilityBoundingSet",
        &[
            "",
            "~",
            "CAP_NET_BIND_SERVICE",
            "~CAP_SYS_ADMIN CAP_SYS_PTRACE",
            "CAP_CHOWN CAP_KILL",
            "cap_net_raw bogus",
            "~CAP_SETUID CAP_SETGID CAP_SETPCAP CAP_SYS_TIME CAP_BPF",
            "CAP_AUDIT_WRITE CAP_MAC_ADMIN",
        ],
    ),
    (
        "AmbientCapabilities",
        &["", "CAP_NET_BIND_SERVICE", "~CAP_KILL", "bogus"],
    ),
    (
        "RestrictNamespaces",
        &[
            "yes",
            "no",
            "",
            "~user net",
            "mnt pid",
            "~cgroup",
            "uts ipc bogus",
            "~yes",
        ],
    ),
    (
        "RestrictAddressFamilies",
        &[
            "",
            "none",
            "AF_UNIX AF_INET AF_INET6",
            "~AF_PACKET",
            "AF_NETLINK",
            "~AF_INET AF_ALG",
            "AF_ROUTE af_local",
            "AF_BLUETOOTH",
        ],
    ),
    (
        "SystemCallArchitectures",
        &["native", "", "x86-64", "native x86", "bogus"],
    ),
    (
        "SystemCallFilter",
        &[
            "@system-service",
            "~@privileged @resources",
            "~@mount",
            "",
            "@basic-io @file-system",
            "~@clock @debug @module @raw-io @reboot @swap @obsolete @cpu-emulation",
            "@system-service @clock",
            "read write",
            "~@privileged:EPERM",
            "~reboot",
            "@known",
            "~@known",
        ],
    ),
    (
        "IPAddressDeny",
        &["any", "", "0.0.0.0/0", "::/0", "localhost", "10.0.0.0/8"],
    ),
    (
        "IPAddressAllow",
        &[
            "localhost",
            "10.0.0.0/8",
            "127.0.0.1",
            "::1/64",
            "",
            "link-local",
            "::1",
        ],
    ),
    ("IPIngressFilterPath", &["/sys/fs/bpf/x", ""]),
    ("DevicePolicy", &["closed", "strict", "auto"]),
    ("DeviceAllow", &["/dev/null rw", "", "char-rtc r", "bogus"]),
    ("RootDirectory", &["/srv/root", "/", ""]),
    ("RootImage", &["/x.img", ""]),
    ("LoadCredentialEncrypted", &["a:/b"]),
];

fn random_unit(rng: &mut Rng, n: usize) -> (String, String, Vec<(String, String)>) {
    let kind = match n % 10 {
        0 => "socket",
        1 => "target",
        2 => "mount",
        _ => "service",
    };
    let name = match kind {
        "mount" => "srv-x.mount".to_string(),
        _ => format!("unit{n}.{kind}"),
    };
    let section = match kind {
        "socket" => "Socket",
        "mount" => "Mount",
        "target" => "Unit",
        _ => "Service",
    };
    let mut text = String::from("[Unit]\nDescription=generated\n");
    if rng.chance(10) {
        text.push_str("DefaultDependencies=no\n");
    }
    text.push_str(&format!("\n[{section}]\n"));
    match kind {
        "service" => {
            text.push_str("ExecStart=/usr/bin/true\n");
            if rng.chance(20) {
                text.push_str("Type=notify\n");
            }
        }
        "socket" => text.push_str("ListenStream=1234\n"),
        "mount" => text.push_str("What=/dev/sdb1\nWhere=/srv/x\n"),
        _ => {}
    }
    let lines = 1 + rng.next() % 25;
    for _ in 0..lines {
        let (key, values) = SETTINGS[(rng.next() % SETTINGS.len() as u64) as usize];
        let value = rng.pick(values);
        if rng.chance(5) && value.contains(' ') {
            let (a, b) = value.split_once(' ').unwrap();
            text.push_str(&format!("{key}={a} \\\n  {b}\n"));
        } else if rng.chance(5) {
            text.push_str(&format!("# {key}={value}\n"));
        } else {
            text.push_str(&format!("{key}={value}\n"));
        }
    }
    let mut dropins = Vec::new();
    if kind == "service" && rng.chance(25) {
        for f in ["10-a.conf", "20-b.conf"] {
            let (key, values) = SETTINGS[(rng.next() % SETTINGS.len() as u64) as usize];
            dropins.push((
                format!("{name}.d/{f}"),
                format!("[Service]\n{key}={}\n", rng.pick(values)),
            ));
        }
    }
    (name, text, dropins)
}

#[test]
fn synthetic_units_score_like_systemd_analyze() {
    let Some(tool) = tool() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut problems = Vec::new();
    let mut compared = 0;
    for n in 0..300 {
        let case = dir.path().join(format!("case{n}"));
        std::fs::create_dir_all(&case).unwrap();
        let (name, text, dropins) = random_unit(&mut rng, n);
        let path = case.join(&name);
        std::fs::write(&path, &text).unwrap();
        for (rel, body) in &dropins {
            let p = case.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, body).unwrap();
        }
        match compare(&tool, &path) {
            Ok(Some(_)) => compared += 1,
            Ok(None) => {}
            Err(e) => problems.push(format!("{e}\n--- unit:\n{text}{dropins:?}")),
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} differ:\n{}",
        problems.len(),
        compared + problems.len(),
        problems.join("\n\n")
    );
    assert!(
        compared > 200,
        "systemd-analyze scored only {compared} units"
    );
}
