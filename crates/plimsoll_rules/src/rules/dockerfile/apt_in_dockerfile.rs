use plimsoll_formats::dockerfile::Dockerfile;

use super::support::{at_stage, runs};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports `apt` (rather than `apt-get` or `apt-cache`) in `RUN`.
    ///
    /// ## Why it matters
    /// `apt` is the interactive front end: its output and behaviour are not a stable
    /// interface (it warns "apt does not have a stable CLI interface. Use with caution in
    /// scripts"), it shows progress bars meant for a terminal, and its defaults may change
    /// between releases, changing what the build installs.
    ///
    /// ## How to fix
    /// Use `apt-get` (and `apt-cache` for queries):
    ///
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Severity
    /// Low: a scripting hygiene rule.
    pub struct AptInDockerfile {
        id: "DKR-018",
        name: "apt-in-dockerfile",
        gap: Image,
        severity: Low,
        target: Target::Dockerfiles,
        summary: "`apt` used in a build; use `apt-get`",
        peers: [Hadolint: ["DL3027"], Checkov: ["CKV_DOCKER_9"]],
    }
}

impl Rule for AptInDockerfile {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for (run, script) in runs(d) {
            if let Some(c) = script.programs().find(|c| c.name() == "apt") {
                at_stage(cx, d, run.stage);
                cx.report_span(
                    c.word().span,
                    "`apt` is meant for people, not scripts: use `apt-get` or `apt-cache`",
                );
            }
        }
    }
}
