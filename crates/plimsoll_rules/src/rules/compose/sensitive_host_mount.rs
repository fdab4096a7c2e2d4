use plimsoll_formats::compose::{ComposeFile, MountKind};

use super::support::each_service;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports bind mounts of sensitive host paths into a Compose service: the root (`/`),
    /// system directories (`/etc`, `/usr`, `/lib`, `/boot`, `/dev`, `/proc`, `/sys`, `/run`,
    /// `/var/run`, `/var/lib/docker`, `/var/lib/kubelet`), home directories (`/root`, `/home`,
    /// `~`) and anything under `.ssh`, `/root`, `/proc`, `/sys` or `/boot`, and credential files
    /// (`/etc/shadow`, `/etc/sudoers`, `/etc/kubernetes`). The Docker socket is
    /// `runtime-socket-mount`'s (WKL-015). Read-only mounts are reported too: reading is enough
    /// to steal keys.
    ///
    /// ## Why it matters
    /// A container is a process of the host; a bind mount hands it the host's files with the
    /// container user's rights, root by default. Writable `/etc` or `/` is the host; `/proc` and
    /// `/sys` reach the kernel; `/root`, `~/.ssh` and `/etc/shadow` give away the keys to this
    /// host and the others it can log into.
    ///
    /// ## How to fix
    /// Mount only the one file or directory the service needs, read-only, from a path made for
    /// it, or use a named volume:
    ///
    /// ```yaml
    /// services:
    ///   app:
    ///     volumes:
    ///       - ./config/app.toml:/etc/app/app.toml:ro
    ///       - app-data:/var/lib/app
    /// ```
    ///
    /// ## Severity
    /// High: it removes the boundary between the container and the host for those files.
    pub struct SensitiveHostMount {
        id: "CMP-004",
        name: "sensitive-host-path-mount",
        gap: Storage,
        severity: High,
        target: Target::ComposeFiles,
        summary: "Compose service bind-mounts a sensitive host path",
        peers: [],
    }
}

/// Host paths that are sensitive themselves.
const EXACT: &[&str] = &[
    "/",
    "/etc",
    "/usr",
    "/lib",
    "/lib64",
    "/bin",
    "/sbin",
    "/boot",
    "/dev",
    "/proc",
    "/sys",
    "/run",
    "/var/run",
    "/var",
    "/var/lib",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/kubelet",
    "/root",
    "/home",
    "~",
    "$HOME",
    "${HOME}",
    "/etc/shadow",
    "/etc/gshadow",
    "/etc/sudoers",
    "/etc/sudoers.d",
    "/etc/ssh",
    "/etc/kubernetes",
    "/etc/docker",
];

/// Host paths whose whole subtree is sensitive.
const UNDER: &[&str] = &[
    "/root",
    "/proc",
    "/sys",
    "/boot",
    "/etc/kubernetes",
    "/etc/ssh",
];

fn normalise(path: &str) -> String {
    let p = path.trim();
    if p == "/" {
        return "/".into();
    }
    let trimmed = p.trim_end_matches('/');
    let mut out = String::new();
    let mut last_slash = false;
    for ch in trimmed.chars() {
        if ch == '/' && last_slash {
            continue;
        }
        last_slash = ch == '/';
        out.push(ch);
    }
    out
}

fn runtime_socket(p: &str) -> bool {
    p.ends_with(".sock")
}

/// Why a host path is sensitive, if it is.
fn sensitive(path: &str) -> bool {
    let p = normalise(path);
    if runtime_socket(&p) {
        return false;
    }
    EXACT.contains(&p.as_str())
        || UNDER.iter().any(|u| p.starts_with(&format!("{u}/")))
        || p.split('/')
            .any(|c| c == ".ssh" || c == ".aws" || c == ".kube" || c == ".gnupg")
}

impl Rule for SensitiveHostMount {
    fn check_compose(&self, c: &ComposeFile, cx: &mut Cx<'_>) {
        each_service(c, cx, |s, cx| {
            for m in s.mounts() {
                if m.kind != MountKind::Bind {
                    continue;
                }
                let Some(source) = &m.source else { continue };
                if !sensitive(source) {
                    continue;
                }
                let how = if m.read_only { "read-only" } else { "writable" };
                cx.report_span(
                    m.span,
                    format!(
                        "service `{}` mounts the host's `{source}` ({how}) at `{}`: the container can reach the host's own files there",
                        s.name(),
                        m.target.as_deref().unwrap_or("?")
                    ),
                );
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::sensitive;

    #[test]
    fn paths() {
        for p in [
            "/",
            "/etc",
            "/etc/",
            "//etc",
            "/root/.bashrc",
            "~/.ssh",
            "/home/me/.ssh/id_rsa",
            "/proc/1",
            "/var/run",
        ] {
            assert!(sensitive(p), "{p}");
        }
        for p in [
            "./data",
            "/srv/app",
            "/etc/localtime",
            "/var/run/docker.sock",
            "/opt/app/config",
        ] {
            assert!(!sensitive(p), "{p}");
        }
    }
}
