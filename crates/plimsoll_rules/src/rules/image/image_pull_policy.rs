use plimsoll_model::{ImageRef, Workload};

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports containers whose image uses a *moving* tag (none, `latest`, `main`, `master`,
    /// `dev`, `edge`, `nightly`, `stable`, `canary`, `*-SNAPSHOT`, ...) and whose effective
    /// `imagePullPolicy` is not `Always`. The effective policy follows Kubernetes' defaulting:
    /// when the field is omitted it is `Always` for no tag or `latest`, `IfNotPresent` for any
    /// other tag. Images pinned by digest and release tags (`1.4.2`) are never reported.
    ///
    /// ## Why it matters
    /// A moving tag is meant to be re-pulled: that is the point of publishing `main` or
    /// `nightly`. With `IfNotPresent` each node keeps the copy it pulled first, so replicas on
    /// old nodes run last month's build while those on new nodes run today's, a rollout
    /// "restart" changes nothing, and a bug fixed upstream stays in production on some nodes
    /// only. Cached images also outlive the pull secrets that protected them: any pod on that
    /// node can start a private image without credentials.
    ///
    /// kube-score and Polaris ask for `Always` on every image; that is contested (kube-score
    /// issue #48) because it makes every pod start depend on the registry being up. Plimsoll
    /// asks for it only where the tag is designed to move: pin release tags or digests instead.
    ///
    /// ## How to fix
    /// Best, pin a release tag or a digest (then the policy does not matter). If the moving tag
    /// is intended, pull it on every start:
    ///
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: ghcr.io/acme/web:main
    ///     imagePullPolicy: Always
    /// ```
    ///
    /// ## Severity
    /// Low: it causes version skew between replicas rather than an outage or an opening, and
    /// pinning the image (IMG-001, IMG-002) removes the problem altogether.
    pub struct ImagePullPolicy {
        id: "IMG-003",
        name: "image-pull-policy-not-always",
        gap: Image,
        severity: Low,
        target: Target::Workloads,
        summary: "Image with a moving tag is not pulled on every start",
        peers: [
            KubeScore: ["container-image-pull-policy"],
            Polaris: ["pullPolicyNotAlways"],
            Checkov: ["CKV_K8S_15"],
            Kubescape: ["C-0075"],
            Kyverno: ["other/imagepullpolicy-always"],
        ],
    }
}

/// Tags that are published to move.
const MOVING_TAGS: &[&str] = &[
    "latest",
    "main",
    "master",
    "trunk",
    "head",
    "dev",
    "develop",
    "development",
    "edge",
    "nightly",
    "stable",
    "unstable",
    "canary",
    "next",
    "snapshot",
    "testing",
    "rolling",
];

/// The moving tag of an unpinned image (`latest` when there is no tag).
fn moving_tag<'a>(image: &ImageRef<'a>) -> Option<&'a str> {
    if image.is_pinned() {
        return None;
    }
    let Some(tag) = image.tag else {
        return Some("latest");
    };
    let lower = tag.to_ascii_lowercase();
    let moving = MOVING_TAGS.contains(&lower.as_str())
        || ["-snapshot", "-latest", "-nightly", "-edge"]
            .iter()
            .any(|s| lower.ends_with(s));
    moving.then_some(tag)
}

impl Rule for ImagePullPolicy {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for c in w.containers() {
            let Some(image_node) = c.image() else {
                continue;
            };
            let Some(text) = image_node.as_str() else {
                continue;
            };
            let image = ImageRef::parse(text);
            if text.trim().is_empty() || image.is_templated() {
                continue;
            }
            let Some(tag) = moving_tag(&image) else {
                continue;
            };
            match c.get("imagePullPolicy").filter(|n| !n.is_null()) {
                Some(policy) => {
                    let Some(value) = policy.as_str() else {
                        continue;
                    };
                    if value == "Always" || value.contains("{{") {
                        continue;
                    }
                    cx.report_in(
                        &c,
                        policy,
                        format!(
                            "`imagePullPolicy: {value}` with the moving tag `{tag}` of `{text}`: each node keeps the build it pulled first"
                        ),
                    );
                }
                None => {
                    if image.tag.is_none() || image.tag == Some("latest") {
                        // Kubernetes defaults to `Always` for these.
                        continue;
                    }
                    cx.report_in(
                        &c,
                        image_node,
                        format!(
                            "image `{text}` uses the moving tag `{tag}` but `imagePullPolicy` defaults to `IfNotPresent` for it: each node keeps the build it pulled first"
                        ),
                    );
                }
            }
        }
    }
}
