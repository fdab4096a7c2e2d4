use plimsoll_formats::dockerfile::Dockerfile;

use super::support::{Pm, at_stage, pm_cmds, runs};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports `apt-get install` without `--no-install-recommends` (or
    /// `-o APT::Install-Recommends=false`).
    ///
    /// ## Why it matters
    /// By default apt also installs every package the ones you asked for merely recommend:
    /// often documentation, X11 libraries, compilers or extra daemons. They make the image
    /// larger and slower to pull, and every extra package is more CVEs to triage and patch,
    /// for code the service never runs.
    ///
    /// ## How to fix
    /// Install only what you name:
    ///
    /// ```dockerfile
    /// RUN apt-get update \
    ///  && apt-get install -y --no-install-recommends ca-certificates curl \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Severity
    /// Low: attack surface and size, not a direct exposure.
    pub struct AptInstallRecommends {
        id: "DKR-022",
        name: "apt-install-recommends",
        gap: Image,
        severity: Low,
        target: Target::Dockerfiles,
        summary: "`apt-get install` without `--no-install-recommends`",
        peers: [Hadolint: ["DL3015"], Trivy: ["DS-0029"]],
    }
}

impl Rule for AptInstallRecommends {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for (run, script) in runs(d) {
            for c in pm_cmds(script) {
                if !matches!(c.pm, Pm::AptGet | Pm::Apt) || !c.is_install() {
                    continue;
                }
                if c.cmd.has_flag(&[], &["no-install-recommends"])
                    || c.cmd.args().iter().any(|a| {
                        let v = a.value.to_ascii_lowercase();
                        v.contains("install-recommends=false") || v.contains("install-recommends=0")
                    })
                {
                    continue;
                }
                at_stage(cx, d, run.stage);
                cx.report_span(
                    c.sub.unwrap_or(c.cmd.word()).span,
                    format!(
                        "`{}` without `--no-install-recommends` also installs every recommended package",
                        c.pm.install_verb()
                    ),
                );
            }
        }
    }
}
