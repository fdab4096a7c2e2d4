use plimsoll_formats::dockerfile::{Dockerfile, Keyword};

use super::support::{at_stage, line_of};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports a `CMD`, `ENTRYPOINT` or `HEALTHCHECK` that a later one of the same kind in the
    /// same stage replaces, pointing at the one that has no effect.
    ///
    /// ## Why it matters
    /// Only the last of each takes effect. The earlier one is dead code that readers (and
    /// reviewers) take for what the container does: a health check or start command that was
    /// added, reviewed and approved may simply not be the one that runs.
    ///
    /// ## How to fix
    /// Keep one of each per stage:
    ///
    /// ```dockerfile
    /// ENTRYPOINT ["/usr/local/bin/app"]
    /// CMD ["serve", "--port", "8080"]
    /// ```
    ///
    /// ## Severity
    /// Medium: what runs in production is not what the Dockerfile seems to say.
    pub struct RepeatedCmdEntrypoint {
        id: "DKR-028",
        name: "repeated-cmd-entrypoint",
        gap: Workload,
        severity: Medium,
        target: Target::Dockerfiles,
        summary: "Stage has more than one `CMD`, `ENTRYPOINT` or `HEALTHCHECK`; only the last counts",
        peers: [
            Hadolint: ["DL4003", "DL4004", "DL3012"],
            Trivy: ["DS-0016", "DS-0007", "DS-0023"],
        ],
    }
}

impl Rule for RepeatedCmdEntrypoint {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for s in &d.stages {
            for kw in [Keyword::Cmd, Keyword::Entrypoint, Keyword::Healthcheck] {
                let all: Vec<_> = d
                    .body(s)
                    .iter()
                    .filter(|i| i.keyword == kw && !i.onbuild)
                    .collect();
                let Some(last) = all.last() else { continue };
                let line = line_of(d, last.keyword_span);
                for i in &all[..all.len() - 1] {
                    at_stage(cx, d, Some(s.index));
                    cx.report_span(
                        i.keyword_span,
                        format!(
                            "this `{}` has no effect: the `{}` at line {line} replaces it",
                            kw.as_str(),
                            kw.as_str()
                        ),
                    );
                }
            }
        }
    }
}
