use plimsoll_formats::dockerfile::Dockerfile;

use super::support::{Pm, at_stage, pm_cmds, runs};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports package installs that can stop to ask a question: `apt-get install` without
    /// `-y` (or `--yes`, `--assume-yes`, `-qq`), `yum`/`dnf install` without `-y`, and
    /// `zypper install` without `-y`/`--no-confirm` or `-n`/`--non-interactive`.
    ///
    /// ## Why it matters
    /// A build has no terminal: when the package manager asks "Do you want to continue?" it
    /// reads end-of-file and aborts, so the build breaks the first time an install pulls in an
    /// extra dependency or needs more disk, typically in CI on the day of a release. A single
    /// `-q` does not answer the question (only `-qq` implies `-y`).
    ///
    /// ## How to fix
    /// Answer yes up front:
    ///
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Severity
    /// Low: the build fails loudly rather than producing a bad image.
    pub struct PackageInstallInteractive {
        id: "DKR-010",
        name: "package-install-interactive",
        gap: Image,
        severity: Low,
        target: Target::Dockerfiles,
        summary: "Package install may prompt (no `-y`)",
        peers: [
            Hadolint: ["DL3014", "DL3030", "DL3034", "DL3038"],
            Trivy: ["DS-0021"],
        ],
    }
}

impl Rule for PackageInstallInteractive {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for (run, script) in runs(d) {
            for c in pm_cmds(script) {
                if !c.is_install() {
                    continue;
                }
                let answered = match c.pm {
                    Pm::AptGet => {
                        c.cmd.has_flag(&['y'], &["yes", "assume-yes", "force-yes"])
                            || c.cmd.short_count('q') >= 2
                            || c.cmd
                                .args()
                                .iter()
                                .any(|a| a.value.contains("Assume-Yes=true"))
                    }
                    Pm::Yum | Pm::Dnf => c.cmd.has_flag(&['y'], &["assumeyes", "yes"]),
                    Pm::Zypper => c
                        .cmd
                        .has_flag(&['y', 'n'], &["no-confirm", "non-interactive"]),
                    _ => continue,
                };
                if answered {
                    continue;
                }
                at_stage(cx, d, run.stage);
                cx.report_span(
                    c.sub.unwrap_or(c.cmd.word()).span,
                    format!(
                        "`{}` without `-y` stops at its confirmation prompt, which a build cannot answer",
                        c.pm.install_verb()
                    ),
                );
            }
        }
    }
}
