use plimsoll_formats::dockerfile::{Dockerfile, Keyword};

use super::support::at_stage;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports `sudo` in `RUN`, `CMD` or `ENTRYPOINT`.
    ///
    /// ## Why it matters
    /// `RUN` already runs as the current `USER`; switching with `USER root` ... `USER app` is
    /// explicit and leaves nothing behind. `sudo` in a build means the image ships `sudo` and a
    /// sudoers rule, so any process of the unprivileged user, including an attacker who gets
    /// code execution in it, can become root. In `CMD`/`ENTRYPOINT` it also runs the service
    /// under a TTY-oriented wrapper that does not forward signals. Same risk as WKL-025 for a
    /// Kubernetes container command.
    ///
    /// ## How to fix
    /// Switch users with `USER` around the steps that need root:
    ///
    /// ```dockerfile
    /// USER root
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///  && rm -rf /var/lib/apt/lists/*
    /// USER app
    /// ```
    ///
    /// Use `gosu` or `setpriv` if an entrypoint must drop privileges.
    ///
    /// ## Severity
    /// Medium: it is a ready-made privilege escalation inside the container.
    pub struct SudoInImage {
        id: "DKR-007",
        name: "sudo-in-image",
        gap: Workload,
        severity: Medium,
        target: Target::Dockerfiles,
        summary: "`sudo` used in the image",
        peers: [
            Hadolint: ["DL3004"],
            Checkov: ["CKV2_DOCKER_1"],
            Trivy: ["DS-0010"],
        ],
    }
}

impl Rule for SudoInImage {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for i in &d.instructions {
            if !matches!(i.keyword, Keyword::Run | Keyword::Cmd | Keyword::Entrypoint) {
                continue;
            }
            let Some(script) = i.script() else { continue };
            if let Some(w) = script
                .commands
                .iter()
                .filter_map(|c| c.words.first())
                .find(|w| w.value == "sudo" || w.value.ends_with("/sudo"))
            {
                at_stage(cx, d, i.stage);
                cx.report_span(w.span, format!("`{}` runs `sudo`", i.keyword.as_str()));
            }
        }
    }
}
