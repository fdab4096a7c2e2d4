use plimsoll_formats::dockerfile::{Dockerfile, Keyword};

use super::support::at_stage;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports `WORKDIR` with a relative path. Paths starting with a variable, and Windows
    /// paths with a drive letter, are skipped.
    ///
    /// ## Why it matters
    /// A relative `WORKDIR` is resolved against the previous one, which may come from the
    /// base image: the same Dockerfile puts files in different places when the base image
    /// changes its `WORKDIR`, and `COPY`, `RUN` and the start command silently act on the
    /// wrong directory.
    ///
    /// ## How to fix
    /// Use an absolute path:
    ///
    /// ```dockerfile
    /// WORKDIR /app
    /// ```
    ///
    /// ## Severity
    /// Low: a predictability rule.
    pub struct WorkdirRelative {
        id: "DKR-013",
        name: "workdir-relative",
        gap: Image,
        severity: Low,
        target: Target::Dockerfiles,
        summary: "`WORKDIR` is a relative path",
        peers: [Hadolint: ["DL3000"], Checkov: ["CKV_DOCKER_10"], Trivy: ["DS-0009"]],
    }
}

impl Rule for WorkdirRelative {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for i in d
            .instructions
            .iter()
            .filter(|i| i.keyword == Keyword::Workdir)
        {
            let Some(w) = i.text() else { continue };
            let v = w.value.trim_matches(['"', '\'']);
            let windows =
                v.len() >= 2 && v.as_bytes()[1] == b':' && v.as_bytes()[0].is_ascii_alphabetic();
            if v.starts_with('/')
                || v.starts_with('$')
                || windows
                || v.starts_with('\\')
                || v.is_empty()
            {
                continue;
            }
            at_stage(cx, d, i.stage);
            cx.report_span(
                w.span,
                format!(
                    "`WORKDIR {}` is relative to whatever the previous working directory was",
                    w.value
                ),
            );
        }
    }
}
