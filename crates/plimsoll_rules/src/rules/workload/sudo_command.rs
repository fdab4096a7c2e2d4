use plimsoll_model::Workload;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports containers (init and ephemeral ones included) whose `command` or `args` run
    /// `sudo`, as a word of any item (`sudo`, `/usr/bin/sudo`, or inside a shell script passed
    /// to `sh -c`). The message never repeats the command line, which may hold secrets.
    ///
    /// ## Why it matters
    /// `sudo` in an entrypoint means the image ships a setuid-root binary and a sudoers rule, and
    /// that the process expects to become root at run time. Whatever `runAsNonRoot` says, any
    /// code running as that user can do the same: one bug in the application is root in the
    /// container. It also only works while privilege escalation is allowed, so it blocks the
    /// hardening (`allowPrivilegeEscalation: false`) the workload should have.
    ///
    /// ## How to fix
    /// Do the privileged step at build time, or in an init container with exactly the
    /// capability it needs, and run the main process as its own user:
    ///
    /// ```yaml
    /// initContainers:
    ///   - name: fix-perms
    ///     image: busybox:1.36
    ///     command: ["chown", "-R", "10001:10001", "/data"]
    ///     securityContext:
    ///       runAsUser: 0
    ///       capabilities: { drop: ["ALL"], add: ["CHOWN"] }
    /// containers:
    ///   - name: app
    ///     command: ["/app/server"]
    /// ```
    ///
    /// ## Severity
    /// Medium: it hands root to anything that compromises the process, but still within the
    /// container's other limits (capabilities, seccomp, no host access).
    pub struct SudoCommand {
        id: "WKL-025",
        name: "sudo-in-command",
        gap: Workload,
        severity: Medium,
        target: Target::Workloads,
        summary: "Container command runs `sudo`",
        peers: [Kubescape: ["C-0062"]],
    }
}

/// `text` runs sudo: a shell word that is `sudo` or a path ending in `/sudo`.
fn runs_sudo(text: &str) -> bool {
    text.split(|ch: char| ch.is_whitespace() || ";&|()`'\"<>{}=!".contains(ch))
        .any(|word| word == "sudo" || word.ends_with("/sudo"))
}

impl Rule for SudoCommand {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for c in w.containers() {
            for field in ["command", "args"] {
                let Some(list) = c.get(field) else { continue };
                for item in list.items() {
                    if item.as_str().is_some_and(runs_sudo) {
                        cx.report_in(
                            &c,
                            item,
                            format!(
                                "container `{}` runs `sudo` in its `{field}`: the process expects to become root at run time",
                                c.name()
                            ),
                        );
                    }
                }
            }
        }
    }
}
