use plimsoll_formats::dockerfile::{Base, Dockerfile, Keyword};
use plimsoll_model::ImageRef;

use super::support::{at_stage, image_label};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports `FROM` lines whose image has no tag, or the `latest` tag, and no digest. Global
    /// `ARG` defaults are substituted first (`ARG BASE=node` then `FROM ${BASE}` is `node`);
    /// `scratch` and earlier stages are not images and are skipped, and so are images whose
    /// variables have no default. `COPY --from=<image>` with such an image is reported too:
    /// it copies files out of whatever that image is at build time.
    ///
    /// ## Why it matters
    /// A mutable tag means the image is whatever the registry serves at build time: the same
    /// commit builds different images on different days, a rebuild to fix one line can pull a
    /// new major version of the runtime, and you cannot tell from the Dockerfile what the image
    /// was built on, so you cannot audit, reproduce or revert it. This is the same risk as a
    /// Kubernetes container or a Compose service running a `latest` image (IMG-001), one step
    /// earlier: at build time instead of pull time.
    ///
    /// ## How to fix
    /// Name a release tag, and better a digest, which cannot move:
    ///
    /// ```dockerfile
    /// FROM node:22.11-bookworm-slim@sha256:4b2b...
    /// ```
    ///
    /// ## Severity
    /// Medium: it breaks reproducible builds, but the image that was built and deployed does
    /// not change under you (unlike a `latest` image pulled at run time, which is High).
    pub struct BaseImageMutableTag {
        id: "DKR-001",
        name: "base-image-mutable-tag",
        gap: Image,
        severity: Medium,
        target: Target::Dockerfiles,
        summary: "Base image has no tag or uses `latest`",
        peers: [
            Hadolint: ["DL3006", "DL3007"],
            Checkov: ["CKV_DOCKER_7"],
            Trivy: ["DS-0001"],
        ],
    }
}

impl Rule for BaseImageMutableTag {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for s in &d.stages {
            let Base::Image(resolved) = &s.base else {
                continue;
            };
            let image = ImageRef::parse(resolved);
            if image.is_templated() || !image.is_mutable_latest() {
                continue;
            }
            let msg = match image.tag {
                None => format!(
                    "base image {} has no tag, so it means `latest` at build time",
                    image_label(s)
                ),
                Some(_) => format!(
                    "base image {} uses the mutable `latest` tag",
                    image_label(s)
                ),
            };
            at_stage(cx, d, Some(s.index));
            cx.report_span(s.image.span, msg);
        }
        for i in d.instructions.iter().filter(|i| i.keyword == Keyword::Copy) {
            let Some(v) = i.flag("from").and_then(|f| f.value.as_ref()) else {
                continue;
            };
            // stage names and indexes are DKR-014's; only image references here
            if v.is_dynamic() || !v.value.contains(['/', ':', '.']) {
                continue;
            }
            let image = ImageRef::parse(&v.value);
            if !image.is_mutable_latest() {
                continue;
            }
            let what = if image.tag.is_none() {
                "has no tag"
            } else {
                "uses the `latest` tag"
            };
            at_stage(cx, d, i.stage);
            cx.report_span(
                v.span,
                format!("`COPY --from={}` copies from an image that {what}, so the files change with whatever it is at build time", v.value),
            );
        }
    }
}
