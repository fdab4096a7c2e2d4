use plimsoll_model::{ImageRef, Workload};

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports containers (init and ephemeral ones included) whose image carries a release tag
    /// but no `@sha256:` digest. Images with no tag or `latest` are left to `image-tag-mutable`
    /// (IMG-001), and unrendered templates (`{{ .Values.image }}`, `${IMAGE}`) are skipped.
    ///
    /// ## Why it matters
    /// A tag is a pointer the registry lets anyone with push rights move. `1.4.2` today can be
    /// other bytes tomorrow: a re-pushed hotfix, a rebuilt base image, or a compromised CI account
    /// publishing a backdoor under a trusted name. Nodes that pull later (a scale-up, a node
    /// replacement, an eviction) then run code that nobody reviewed, next to replicas still on
    /// the old bytes. A digest names the content itself, so what was tested is what runs, and an
    /// admission controller or an audit can verify it.
    ///
    /// ## How to fix
    /// Keep the tag for readers and add the digest (`crane digest`, `docker buildx imagetools
    /// inspect` or your CI print it); let Renovate or Dependabot bump both together:
    ///
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: ghcr.io/acme/web:1.4.2@sha256:3f1c4e9a...
    /// ```
    ///
    /// ## Severity
    /// Low: release tags are rarely moved in practice, and exploiting it needs write access to
    /// the registry; it is supply-chain hygiene rather than an open door.
    pub struct ImageNotPinned {
        id: "IMG-002",
        name: "image-not-pinned-by-digest",
        gap: Image,
        severity: Low,
        target: Target::Workloads,
        summary: "Container image is referenced by tag, not by digest",
        peers: [
            Checkov: ["CKV_K8S_43"],
            Kubescape: ["C-0306"],
            Kyverno: ["other/require-image-checksum"],
        ],
    }
}

impl Rule for ImageNotPinned {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for c in w.containers() {
            let Some(node) = c.image() else { continue };
            let Some(text) = node.as_str() else { continue };
            let image = ImageRef::parse(text);
            if text.trim().is_empty()
                || image.is_templated()
                || image.is_pinned()
                || image.is_mutable_latest()
            {
                continue;
            }
            cx.report_in(
                &c,
                node,
                format!(
                    "image `{text}` is referenced by tag only, so the registry decides which bytes run"
                ),
            );
        }
    }
}
