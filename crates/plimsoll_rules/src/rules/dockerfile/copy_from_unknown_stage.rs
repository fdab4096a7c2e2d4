use plimsoll_formats::dockerfile::{Dockerfile, Keyword};

use super::support::at_stage;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports `COPY --from=<name>` where the name is not a stage defined before, or is the
    /// stage the `COPY` is in, and a numeric `--from` that is not an earlier stage. References
    /// that look like an image (`nginx:1.27`, `ghcr.io/acme/tools`) or use a variable are
    /// skipped.
    ///
    /// ## Why it matters
    /// When the name is not a stage, Docker does not fail: it pulls an image of that name from
    /// Docker Hub (untagged, so `latest`) and copies from it. A typo in a stage name, or a
    /// stage renamed or reordered, then ships files from a stranger's image, unnoticed. A stage
    /// cannot copy from itself.
    ///
    /// ## How to fix
    /// Name the build stage and refer to it after it is defined:
    ///
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/app ./cmd/app
    /// FROM gcr.io/distroless/static:nonroot
    /// COPY --from=build /out/app /app
    /// ```
    ///
    /// ## Severity
    /// Medium: the image can silently contain files from an unintended image.
    pub struct CopyFromUnknownStage {
        id: "DKR-014",
        name: "copy-from-unknown-stage",
        gap: Image,
        severity: Medium,
        target: Target::Dockerfiles,
        summary: "`COPY --from` names no earlier stage",
        peers: [Hadolint: ["DL3022", "DL3023"], Trivy: ["DS-0006"]],
    }
}

impl Rule for CopyFromUnknownStage {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for i in d
            .instructions
            .iter()
            .filter(|i| i.keyword == Keyword::Copy && !i.onbuild)
        {
            let Some(cur) = i.stage else { continue };
            let Some(v) = i.flag("from").and_then(|f| f.value.as_ref()) else {
                continue;
            };
            let name = v.value.as_str();
            if v.is_dynamic() || name.is_empty() {
                continue;
            }
            let msg = if let Ok(n) = name.parse::<usize>() {
                if n < cur {
                    continue;
                }
                if n == cur {
                    format!("`COPY --from={name}` copies from the stage it is in")
                } else {
                    format!(
                        "`COPY --from={name}` refers to a stage that is not defined before this one"
                    )
                }
            } else if d.stages[cur]
                .name()
                .is_some_and(|a| a.eq_ignore_ascii_case(name))
            {
                format!("`COPY --from={name}` copies from the stage it is in")
            } else if d.stage_named(name, cur).is_some() || name.contains(['/', ':', '@', '.']) {
                // an earlier stage, or an image reference (DKR-001 judges its tag)
                continue;
            } else if d.stages[cur..]
                .iter()
                .any(|s| s.name().is_some_and(|a| a.eq_ignore_ascii_case(name)))
            {
                format!(
                    "`COPY --from={name}` refers to a stage defined after this one, so Docker pulls an image called `{name}` instead"
                )
            } else {
                format!(
                    "`COPY --from={name}` names no stage, so Docker pulls an image called `{name}` from the registry instead"
                )
            };
            at_stage(cx, d, Some(cur));
            cx.report_span(v.span, msg);
        }
    }
}
