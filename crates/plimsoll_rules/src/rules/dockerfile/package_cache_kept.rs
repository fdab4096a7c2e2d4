use plimsoll_formats::dockerfile::{Dockerfile, Instruction, Keyword, Script};

use super::support::{Pm, at_stage, cache_mount, pm_cmds, removes, shipped, truthy};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports package installs that leave the package manager's cache in the image, in the
    /// stages that end up in it (the final stage and the stages it is built `FROM`):
    /// - `apt-get update` without `rm -rf /var/lib/apt/lists/*` in the same `RUN`;
    /// - `apk add` without `--no-cache` (or removing `/var/cache/apk`);
    /// - `pip install` without `--no-cache-dir` (or `PIP_NO_CACHE_DIR` set);
    /// - `yum`/`dnf`/`microdnf install` without `... clean all`, `zypper install` without
    ///   `zypper clean`, `yarn install` without `yarn cache clean`.
    ///
    /// A `RUN --mount=type=cache` on the cache directory counts as clean.
    ///
    /// ## Why it matters
    /// A file deleted in a later `RUN` is still in the earlier layer: the cache is shipped to
    /// every node that pulls the image, tens to hundreds of megabytes each time, slowing every
    /// deploy, scale-out and node replacement. Stale package lists also make later installs in
    /// derived images fetch outdated versions. Build stages that are not shipped are not
    /// reported.
    ///
    /// ## How to fix
    /// Clean up in the same `RUN`, or use a cache mount:
    ///
    /// ```dockerfile
    /// RUN apt-get update \
    ///  && apt-get install -y --no-install-recommends ca-certificates \
    ///  && rm -rf /var/lib/apt/lists/*
    /// RUN apk add --no-cache curl
    /// RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
    /// ```
    ///
    /// ## Severity
    /// Low: it costs size and time, not safety.
    pub struct PackageCacheKept {
        id: "DKR-009",
        name: "package-cache-kept",
        gap: Image,
        severity: Low,
        target: Target::Dockerfiles,
        summary: "Package manager cache left in the image",
        peers: [
            Hadolint: ["DL3009", "DL3019", "DL3042", "DL3032", "DL3040", "DL3036", "DL3060"],
            Trivy: ["DS-0015", "DS-0019", "DS-0020", "DS-0025", "DS-0027"],
        ],
    }
}

fn cleans(script: &Script, name: &[&str], sub: &str, arg: Option<&str>) -> bool {
    script.programs().any(|c| {
        name.contains(&c.name())
            && c.args().iter().any(|a| a.value == sub)
            && arg.is_none_or(|x| c.args().iter().any(|a| a.value == x))
    })
}

/// `PIP_NO_CACHE_DIR` set (to a true value) before instruction `at` in the stage's lineage.
fn pip_no_cache_env(d: &Dockerfile, run: &Instruction, at: usize) -> bool {
    let Some(stage) = run.stage else { return false };
    d.lineage(stage).iter().any(|s| {
        let end = if s.index == stage { at } else { s.body.end };
        d.instructions[s.body.start.min(end)..end]
            .iter()
            .filter(|i| i.keyword == Keyword::Env)
            .flat_map(|i| i.pairs())
            .any(|p| {
                p.key.value == "PIP_NO_CACHE_DIR"
                    && p.value.as_ref().is_some_and(|v| truthy(&v.value))
            })
    })
}

fn pip_no_cache_script(script: &Script) -> bool {
    script.commands.iter().any(|c| {
        c.assignments
            .iter()
            .chain(c.words.iter().filter(|w| w.value.contains('=')))
            .any(|a| {
                a.value
                    .split_once('=')
                    .is_some_and(|(k, v)| k == "PIP_NO_CACHE_DIR" && truthy(v))
            })
    })
}

impl Rule for PackageCacheKept {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        let shipped = shipped(d);
        for (at, run) in d.instructions.iter().enumerate() {
            if run.keyword != Keyword::Run || !run.stage.is_some_and(|s| shipped.contains(&s)) {
                continue;
            }
            let Some(script) = run.script() else { continue };
            for c in pm_cmds(script) {
                let (word, msg) = match c.pm {
                    Pm::AptGet | Pm::Apt if c.sub_is(&["update"]) => {
                        if removes(script, &["/var/lib/apt/lists"])
                            || cache_mount(run, &["/var/lib/apt"])
                        {
                            continue;
                        }
                        (
                            c.sub,
                            "`apt-get update` leaves the package lists in the layer: add `rm -rf /var/lib/apt/lists/*` to the same `RUN`".to_string(),
                        )
                    }
                    Pm::Apk if c.is_install() => {
                        if c.cmd.has_flag(&[], &["no-cache"])
                            || removes(script, &["/var/cache/apk"])
                            || cache_mount(run, &["/var/cache/apk", "/etc/apk/cache"])
                        {
                            continue;
                        }
                        (
                            c.sub,
                            "`apk add` without `--no-cache` leaves the package index in the layer"
                                .to_string(),
                        )
                    }
                    Pm::Pip if c.is_install() => {
                        if c.cmd.has_flag(&[], &["no-cache-dir"])
                            || pip_no_cache_env(d, run, at)
                            || pip_no_cache_script(script)
                            || removes(
                                script,
                                &["/root/.cache/pip", "/root/.cache", "~/.cache/pip"],
                            )
                            || cache_mount(run, &["/root/.cache", "~/.cache"])
                        {
                            continue;
                        }
                        (c.sub, "`pip install` without `--no-cache-dir` leaves downloaded wheels in the layer".to_string())
                    }
                    Pm::Yum | Pm::Dnf | Pm::Microdnf if c.is_install() => {
                        let names: &[&str] = match c.pm {
                            Pm::Yum => &["yum"],
                            Pm::Dnf => &["dnf", "tdnf"],
                            _ => &["microdnf"],
                        };
                        if cleans(script, names, "clean", Some("all"))
                            || removes(script, &["/var/cache/yum", "/var/cache/dnf"])
                            || cache_mount(run, &["/var/cache/yum", "/var/cache/dnf"])
                        {
                            continue;
                        }
                        (
                            c.sub,
                            format!(
                                "`{}` without `{} clean all` in the same `RUN` leaves the package cache in the layer",
                                c.pm.install_verb(),
                                names[0]
                            ),
                        )
                    }
                    Pm::Zypper if c.is_install() => {
                        if cleans(script, &["zypper"], "clean", None)
                            || cleans(script, &["zypper"], "cc", None)
                            || removes(script, &["/var/cache/zypp"])
                        {
                            continue;
                        }
                        (c.sub, "`zypper install` without `zypper clean` in the same `RUN` leaves the package cache in the layer".to_string())
                    }
                    Pm::Yarn
                        if c.sub_is(&["install"])
                            || (c.sub.is_none()
                                && c.cmd.args().iter().all(|a| a.value.starts_with('-'))) =>
                    {
                        if cleans(script, &["yarn"], "cache", Some("clean"))
                            || cache_mount(
                                run,
                                &[
                                    "/usr/local/share/.cache/yarn",
                                    "/root/.cache/yarn",
                                    "/root/.yarn",
                                ],
                            )
                            || c.cmd.has_flag(&[], &["cache-folder"])
                        {
                            continue;
                        }
                        (c.sub, "`yarn install` without `yarn cache clean` leaves the package cache in the layer".to_string())
                    }
                    _ => continue,
                };
                let span = word.unwrap_or(c.cmd.word()).span;
                at_stage(cx, d, run.stage);
                cx.report_span(span, msg);
            }
        }
    }
}
