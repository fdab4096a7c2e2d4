use plimsoll_formats::compose::ComposeFile;
use plimsoll_formats::runnable::Runnable;
use plimsoll_model::{ImageRef, Workload};

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};
use crate::rules::runnable;

declare_rule! {
    /// ## What it does
    /// Reports containers and Compose services whose image has no tag, or the `latest` tag,
    /// and no digest. (A Compose service that also has `build:` names the image it builds; its
    /// base image is checked in its Dockerfile.)
    ///
    /// ## Why it matters
    /// A mutable tag means the image that runs is whatever the registry serves at pull time:
    /// two replicas of the same Deployment can run different code, a node restart can silently
    /// upgrade you, and a rollback to "the previous version" may roll forward instead. You
    /// cannot tell from the manifest what is running, so you cannot audit, reproduce or revert it.
    ///
    /// ## How to fix
    /// Pin a release tag, and better a digest, which cannot move:
    ///
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: ghcr.io/acme/web:1.4.2@sha256:3f1c...
    /// ```
    ///
    /// ## Severity
    /// High: it breaks reproducibility and rollback, the basics of operating a release, but is
    /// not by itself a way in for an attacker.
    pub struct ImageTagMutable {
        id: "IMG-001",
        name: "image-tag-mutable",
        gap: Image,
        severity: High,
        target: Target::Workloads,
        also: [Target::ComposeFiles],
        summary: "Container image has no tag or uses `latest`",
        peers: [
            KubeScore: ["container-image-tag"],
            KubeLinter: ["latest-tag"],
            Polaris: ["tagNotSpecified"],
            Checkov: ["CKV_K8S_14"],
            Trivy: ["KSV-0013"],
            Kyverno: ["best-practices/disallow-latest-tag"],
        ],
    }
}

fn check(r: &Runnable<'_>, cx: &mut Cx<'_>) {
    if let Runnable::Compose(s) = r
        && s.build().is_some()
    {
        return;
    }
    let Some((text, at)) = r.image() else { return };
    let image = ImageRef::parse(text);
    if image.is_templated() || !image.is_mutable_latest() {
        return;
    }
    let msg = match image.tag {
        None => format!("image `{text}` has no tag, so it means `latest`"),
        Some(_) => format!("image `{text}` uses the mutable `latest` tag"),
    };
    runnable::report(cx, r, at, msg);
}

impl Rule for ImageTagMutable {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        runnable::workload(w, cx, check);
    }

    fn check_compose(&self, c: &ComposeFile, cx: &mut Cx<'_>) {
        runnable::compose(c, cx, check);
    }
}
