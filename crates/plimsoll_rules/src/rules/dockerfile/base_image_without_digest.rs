use plimsoll_formats::dockerfile::{Base, Dockerfile};
use plimsoll_model::ImageRef;

use super::support::{at_stage, image_label};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports `FROM` lines whose image has a tag but no digest (`@sha256:...`). Untagged and
    /// `latest` images are left to DKR-001; `scratch`, earlier stages and images whose
    /// variables have no default are skipped.
    ///
    /// ## Why it matters
    /// Tags move: `python:3.12-slim` is rebuilt every few weeks, and a registry or an attacker
    /// who controls it can point a tag anywhere. A digest names the exact bytes, so the build
    /// is reproducible and a base-image update is a reviewed change (Renovate and Dependabot
    /// update digests for you). It is the build-time side of IMG-002 for running containers.
    ///
    /// ## How to fix
    /// Keep the tag for readers and add the digest:
    ///
    /// ```dockerfile
    /// FROM python:3.12-slim@sha256:af4e85f1cac90dd3771e47292ea7c8a9830abfabbe4faa5c53f158854c2e819d
    /// ```
    ///
    /// ## Severity
    /// Low: a tag is pinned enough for most teams; digests are the next step for supply-chain
    /// integrity.
    pub struct BaseImageWithoutDigest {
        id: "DKR-002",
        name: "base-image-without-digest",
        gap: Image,
        severity: Low,
        target: Target::Dockerfiles,
        summary: "Base image is referenced by tag, not by digest",
        peers: [],
    }
}

impl Rule for BaseImageWithoutDigest {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for s in &d.stages {
            let Base::Image(resolved) = &s.base else {
                continue;
            };
            let image = ImageRef::parse(resolved);
            if image.is_templated() || image.is_pinned() || image.is_mutable_latest() {
                continue;
            }
            at_stage(cx, d, Some(s.index));
            cx.report_span(
                s.image.span,
                format!(
                    "base image {} is referenced by tag only, so the registry decides what the build starts from",
                    image_label(s)
                ),
            );
        }
    }
}
