use plimsoll_formats::dockerfile::Dockerfile;

use super::support::{Pm, at_stage, pm_cmds, runs};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports whole-system upgrades in a build: `apt-get upgrade`, `dist-upgrade` or
    /// `full-upgrade`, `apk upgrade`, `yum`/`dnf update`/`upgrade`/`distro-sync` without
    /// package names, and `zypper update`/`dist-upgrade`.
    ///
    /// ## Why it matters
    /// What the image contains then depends on the day it was built rather than on the
    /// Dockerfile and the base image: two builds of one commit differ, a rebuild can pull a new
    /// library version the application was never tested with, and `dist-upgrade` can even
    /// move to a new distribution release. Security fixes belong in the base image: pin a
    /// newer tag or digest (DKR-001, DKR-002) so the change is reviewed and reproducible.
    /// Docker's own guidance has softened on this, and some teams upgrade on purpose to get
    /// fixes before the base image does: hence Low, and suppress with a reason if that is
    /// your policy.
    ///
    /// ## How to fix
    /// Drop the upgrade and move to a newer base image:
    ///
    /// ```dockerfile
    /// FROM debian:12.8-slim@sha256:...
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Severity
    /// Low: a reproducibility concern.
    pub struct PackageUpgrade {
        id: "DKR-025",
        name: "package-upgrade",
        gap: Image,
        severity: Low,
        target: Target::Dockerfiles,
        summary: "Whole-system package upgrade during the build",
        peers: [Hadolint: ["DL3035"], Trivy: ["DS-0024"]],
    }
}

impl Rule for PackageUpgrade {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for (run, script) in runs(d) {
            for c in pm_cmds(script) {
                let upgrade = match c.pm {
                    Pm::AptGet | Pm::Apt => c.sub_is(&["upgrade", "dist-upgrade", "full-upgrade"]),
                    Pm::Apk => c.sub_is(&["upgrade"]),
                    Pm::Yum | Pm::Dnf | Pm::Microdnf => {
                        c.sub_is(&["update", "upgrade", "distro-sync"]) && c.packages().is_empty()
                    }
                    Pm::Zypper => {
                        c.sub_is(&["update", "up", "dist-upgrade", "dup"])
                            && c.packages().is_empty()
                    }
                    _ => false,
                };
                if !upgrade {
                    continue;
                }
                let sub = c.sub.map(|s| s.value.as_str()).unwrap_or("");
                at_stage(cx, d, run.stage);
                cx.report_span(
                    c.sub.unwrap_or(c.cmd.word()).span,
                    format!(
                        "`{} {sub}` upgrades every package to whatever is current at build time",
                        c.cmd.name()
                    ),
                );
            }
        }
    }
}
