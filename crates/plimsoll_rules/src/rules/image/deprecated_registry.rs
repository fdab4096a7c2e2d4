use plimsoll_model::{ImageRef, Workload};

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports containers whose image comes from the frozen Kubernetes registry `k8s.gcr.io`, or
    /// from its backing repository `gcr.io/google_containers` (`gcr.io/google-containers`).
    /// The message names the `registry.k8s.io` reference to use instead.
    ///
    /// ## Why it matters
    /// The Kubernetes project froze `k8s.gcr.io` on 3 April 2023 and serves new images and
    /// patches only from `registry.k8s.io`. An image from the old name never gets another
    /// security fix, new versions will never appear there, and the old name depends on Google
    /// keeping a redirect alive: the day it stops, every node that needs to pull (a scale-up, a
    /// node replacement, a DaemonSet on a new node) fails with `ImagePullBackOff`, typically for
    /// cluster add-ons such as ingress controllers, metrics-server or CSI sidecars.
    ///
    /// ## How to fix
    /// Same path and tag, new host:
    ///
    /// ```yaml
    /// containers:
    ///   - name: metrics-server
    ///     image: registry.k8s.io/metrics-server/metrics-server:v0.7.2
    /// ```
    ///
    /// ## Severity
    /// Medium: nothing breaks today, but it is an outage waiting for a registry change outside
    /// your control, on components that are usually critical to the cluster.
    pub struct DeprecatedRegistry {
        id: "IMG-004",
        name: "image-registry-deprecated",
        gap: Image,
        severity: Medium,
        target: Target::Workloads,
        summary: "Image comes from the frozen `k8s.gcr.io` registry",
        peers: [
            Kubescape: ["C-0253"],
            Kyverno: ["other/restrict-deprecated-registry"],
        ],
    }
}

/// The frozen registry prefix of an image, and the path under `registry.k8s.io`.
fn frozen<'a>(image: &ImageRef<'a>) -> Option<(&'static str, &'a str)> {
    let registry = image.registry?;
    if registry.eq_ignore_ascii_case("k8s.gcr.io") {
        let rest = image.raw.trim().split_once('/')?.1;
        return Some(("k8s.gcr.io", rest));
    }
    if registry.eq_ignore_ascii_case("gcr.io") {
        let rest = image.raw.trim().split_once('/')?.1;
        for legacy in ["google_containers/", "google-containers/"] {
            if let Some(path) = rest.strip_prefix(legacy) {
                let shown = if legacy.starts_with("google_") {
                    "gcr.io/google_containers"
                } else {
                    "gcr.io/google-containers"
                };
                return Some((shown, path));
            }
        }
    }
    None
}

impl Rule for DeprecatedRegistry {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for c in w.containers() {
            let Some(node) = c.image() else { continue };
            let Some(text) = node.as_str() else { continue };
            let image = ImageRef::parse(text);
            let Some((old, path)) = frozen(&image) else {
                continue;
            };
            cx.report_in(
                &c,
                node,
                format!(
                    "image `{text}` comes from `{old}`, frozen since April 2023: use `registry.k8s.io/{path}`"
                ),
            );
        }
    }
}
