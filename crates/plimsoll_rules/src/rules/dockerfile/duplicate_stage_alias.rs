use plimsoll_formats::dockerfile::Dockerfile;

use super::support::{at_stage, line_of};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports a stage name (`FROM ... AS <name>`) used by an earlier stage too (names are
    /// case-insensitive).
    ///
    /// ## Why it matters
    /// BuildKit refuses the Dockerfile, and older builders silently let `COPY --from` and
    /// `FROM <name>` pick one of the stages: which one depends on the builder, so the image
    /// can contain the output of the wrong stage.
    ///
    /// ## How to fix
    /// Give every stage its own name:
    ///
    /// ```dockerfile
    /// FROM node:22 AS deps
    /// FROM node:22 AS build
    /// ```
    ///
    /// ## Severity
    /// Medium: the build is ambiguous or broken.
    pub struct DuplicateStageAlias {
        id: "DKR-024",
        name: "duplicate-stage-alias",
        gap: Image,
        severity: Medium,
        target: Target::Dockerfiles,
        summary: "Two stages have the same name",
        peers: [Hadolint: ["DL3024"], Checkov: ["CKV_DOCKER_11"], Trivy: ["DS-0012"]],
    }
}

impl Rule for DuplicateStageAlias {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for s in &d.stages {
            let Some(alias) = &s.alias else { continue };
            if let Some(first) = d.stage_named(&alias.value, s.index) {
                let line = line_of(
                    d,
                    first
                        .alias
                        .as_ref()
                        .map(|a| a.span)
                        .unwrap_or(first.image.span),
                );
                at_stage(cx, d, Some(s.index));
                cx.report_span(
                    alias.span,
                    format!(
                        "stage name `{}` is already used by the stage at line {line}",
                        alias.value
                    ),
                );
            }
        }
    }
}
