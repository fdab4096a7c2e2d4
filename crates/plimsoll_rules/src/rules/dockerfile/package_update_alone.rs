use plimsoll_formats::dockerfile::Dockerfile;

use super::support::{Pm, at_stage, pm_cmds, runs};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports a `RUN` that refreshes the package index (`apt-get update`, `apk update`,
    /// `yum`/`dnf makecache`) without installing anything in the same `RUN`.
    ///
    /// ## Why it matters
    /// Docker caches each `RUN` by its text. The `RUN apt-get update` layer is reused for
    /// months, while a later `RUN apt-get install ...` is rebuilt whenever its list changes:
    /// it then installs from a stale index, fails with 404s once the mirror has moved on, or
    /// silently installs old versions with known vulnerabilities.
    ///
    /// ## How to fix
    /// Update and install in one `RUN`:
    ///
    /// ```dockerfile
    /// RUN apt-get update \
    ///  && apt-get install -y --no-install-recommends curl \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Severity
    /// Low: it breaks or ages builds, it does not open anything.
    pub struct PackageUpdateAlone {
        id: "DKR-021",
        name: "package-update-alone",
        gap: Image,
        severity: Low,
        target: Target::Dockerfiles,
        summary: "Package index refreshed in a `RUN` that installs nothing",
        peers: [Checkov: ["CKV_DOCKER_5"], Trivy: ["DS-0017"]],
    }
}

impl Rule for PackageUpdateAlone {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for (run, script) in runs(d) {
            let cmds: Vec<_> = pm_cmds(script).collect();
            let update = cmds.iter().find(|c| match c.pm {
                Pm::AptGet | Pm::Apt | Pm::Apk => c.sub_is(&["update"]),
                Pm::Yum | Pm::Dnf => c.sub_is(&["makecache"]),
                Pm::Zypper => c.sub_is(&["refresh", "ref"]),
                _ => false,
            });
            let Some(u) = update else { continue };
            let installs = cmds
                .iter()
                .any(|c| c.is_install() || c.sub_is(&["upgrade", "dist-upgrade", "full-upgrade"]));
            // anything else that installs (a script, dpkg, a configure step) counts too
            let other = script.programs().any(|p| {
                matches!(
                    p.name(),
                    "dpkg" | "install_packages" | "apt-install" | "xargs"
                )
            });
            if installs || other {
                continue;
            }
            at_stage(cx, d, run.stage);
            let name = u.cmd.name();
            let sub = u.sub.map(|s| s.value.as_str()).unwrap_or("update");
            cx.report_span(
                u.sub.unwrap_or(u.cmd.word()).span,
                format!(
                    "`{name} {sub}` in a `RUN` that installs nothing: Docker caches this layer, and later installs use a stale index"
                ),
            );
        }
    }
}
