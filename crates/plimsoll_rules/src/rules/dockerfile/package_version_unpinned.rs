use plimsoll_formats::dockerfile::{Dockerfile, Word};

use super::support::{Pm, PmCmd, at_stage, pm_cmds, runs};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports package installs that name packages without a version: `apt-get install`
    /// (`pkg=1.2-3`), `apk add` (`pkg=1.2-r0` or `pkg~1.2`), `pip install` (`pkg==1.2`, or a
    /// requirements or constraints file), `npm install` (`pkg@1.2.3`; `@latest` is not a
    /// version), `gem install` (`pkg:1.2` or `-v`), `go install` and `go get` (`mod@v1.2.3`,
    /// not `@latest`), `yum`/`dnf`/`microdnf install` (`pkg-1.2`) and `zypper install`
    /// (`pkg=1.2`). Local files and paths, and packages given by a variable, are not checked.
    /// One finding per command, at its first unpinned package.
    ///
    /// ## Why it matters
    /// The image gets whatever version the repository has on the day of the build: two builds
    /// of the same commit differ, and a routine rebuild (for a one-line change) can bring a
    /// new major version with it. It is the same reproducibility risk as an unpinned base
    /// image (DKR-001), one layer up. Pinning is contested for OS packages (distributions
    /// remove old versions, which breaks pinned builds), which is why this is Low: pin what
    /// your application depends on, and update pins deliberately (Renovate can).
    ///
    /// ## How to fix
    /// Pin the versions, or install from a lock or requirements file that does:
    ///
    /// ```dockerfile
    /// RUN apt-get update \
    ///  && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8 \
    ///  && rm -rf /var/lib/apt/lists/*
    /// RUN pip install --no-cache-dir -r requirements.txt   # with pinned versions
    /// ```
    ///
    /// ## Severity
    /// Low: a reproducibility concern, not a vulnerability by itself.
    pub struct PackageVersionUnpinned {
        id: "DKR-008",
        name: "package-version-unpinned",
        gap: Image,
        severity: Low,
        target: Target::Dockerfiles,
        summary: "Package installed without a pinned version",
        peers: [
            Hadolint: ["DL3008", "DL3018", "DL3013", "DL3016", "DL3028", "DL3062", "DL3033", "DL3041", "DL3037"],
        ],
    }
}

const PIP_VCS: &[&str] = &["git+", "hg+", "svn+", "bzr+", "git:"];

fn pinned(pm: Pm, p: &str) -> bool {
    match pm {
        Pm::AptGet | Pm::Apt => p.contains('=') || p.contains('/') || p.ends_with(".deb"),
        Pm::Apk => p.contains('=') || p.contains('~') || p.ends_with(".apk") || p.contains('/'),
        Pm::Pip => {
            ["==", ">=", "<=", ">", "<", "!=", "~=", "==="]
                .iter()
                .any(|s| p.contains(s))
                || (PIP_VCS.iter().any(|v| p.starts_with(v)) && p.contains('@'))
                || p.ends_with(".whl")
                || p.ends_with(".tar.gz")
                || p.ends_with(".zip")
                || (!PIP_VCS.iter().any(|v| p.starts_with(v)) && p.contains('/'))
                || p == "."
        }
        Pm::Npm => {
            if p.starts_with("git") {
                return p.contains('#');
            }
            if [".tar", ".tar.gz", ".tgz"].iter().any(|s| p.ends_with(s))
                || ["/", "./", "../", "~/"].iter().any(|s| p.starts_with(s))
            {
                return true;
            }
            let unscoped = p
                .strip_prefix('@')
                .map(|r| r.split_once('/').map(|x| x.1).unwrap_or(r))
                .unwrap_or(p);
            match unscoped.split_once('@') {
                Some((_, v)) => !v.is_empty() && v != "latest" && v != "next",
                None => false,
            }
        }
        Pm::Gem => p.contains(':'),
        Pm::Go => {
            p.starts_with('.')
                || p.starts_with('/')
                || p.split_once('@')
                    .is_some_and(|(_, v)| !v.is_empty() && v != "latest")
        }
        Pm::Yum | Pm::Dnf | Pm::Microdnf => {
            p.ends_with(".rpm")
                || p.contains('/')
                || p.contains('=')
                || p.as_bytes()
                    .windows(2)
                    .any(|w| w[0] == b'-' && w[1].is_ascii_digit())
        }
        Pm::Zypper => p.contains('=') || p.contains('<') || p.contains('>') || p.ends_with(".rpm"),
        Pm::Yarn => true,
    }
}

/// Packages of an install that carry no version.
fn unpinned<'a>(c: &PmCmd<'a>) -> Vec<&'a Word> {
    if !c.is_install() || c.pm == Pm::Yarn {
        return Vec::new();
    }
    // a requirements or constraints file, or one version for all gems, pins them
    let pinned_elsewhere = match c.pm {
        Pm::Pip => c
            .cmd
            .has_flag(&['r', 'c', 'e'], &["requirement", "constraint", "editable"]),
        Pm::Gem => c.cmd.has_flag(&['v'], &["version"]),
        _ => false,
    };
    if pinned_elsewhere {
        return Vec::new();
    }
    c.packages()
        .into_iter()
        .filter(|w| !w.is_dynamic() && !w.value.is_empty() && !pinned(c.pm, &w.value))
        .collect()
}

impl Rule for PackageVersionUnpinned {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for (run, script) in runs(d) {
            for c in pm_cmds(script) {
                let bad = unpinned(&c);
                let Some(first) = bad.first() else { continue };
                let more = match bad.len() {
                    1 => String::new(),
                    2 => format!(" (and `{}`)", bad[1].value),
                    n => format!(" (and {} more)", n - 1),
                };
                let verb = match (c.pm, c.sub) {
                    (Pm::Go, Some(sub)) => format!("go {}", sub.value),
                    _ => c.pm.install_verb().to_string(),
                };
                at_stage(cx, d, run.stage);
                cx.report_span(
                    first.span,
                    format!(
                        "`{verb}` installs `{}`{more} without a pinned version",
                        first.value
                    ),
                );
            }
        }
    }
}
