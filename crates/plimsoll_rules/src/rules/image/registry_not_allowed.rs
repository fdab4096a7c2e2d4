use plimsoll_model::{ImageRef, Workload};

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// When the configuration lists `settings.allowedRegistries`, reports containers whose image
    /// comes from anywhere else. An entry is a registry (`ghcr.io`) or a registry path prefix
    /// (`ghcr.io/acme`); images without a registry are Docker Hub's (`docker.io/library/...`).
    /// Without the setting the rule reports nothing.
    ///
    /// ## Why it matters
    /// Where images come from is the supply chain. A trusted registry is where the organisation
    /// scans, signs and mirrors what it runs; an image pulled from an arbitrary public account can
    /// change owner, be typo-squatted, or disappear (rate limits, deleted tags) on the day a node
    /// needs to pull it again.
    ///
    /// ## How to fix
    /// Mirror the image into an allowed registry and reference it there:
    ///
    /// ```yaml
    /// # plimsoll.yaml
    /// settings:
    ///   allowedRegistries: [ghcr.io/acme, registry.k8s.io]
    /// ---
    /// containers:
    ///   - name: web
    ///     image: ghcr.io/acme/mirror/nginx:1.27.3
    /// ```
    ///
    /// ## Severity
    /// Medium: it widens who can change what runs, but does not by itself open a way in.
    pub struct RegistryNotAllowed {
        id: "IMG-006",
        name: "image-registry-not-allowed",
        gap: Image,
        severity: Medium,
        target: Target::Workloads,
        summary: "Container image comes from a registry outside `settings.allowedRegistries`",
        peers: [
            Kubescape: ["C-0001", "C-0078"],
            Trivy: ["KSV-0125"],
            Kyverno: ["best-practices/restrict-image-registries"],
        ],
    }
}

/// Whether an image (normalised to `registry/repository`) is under an allowed entry.
pub(crate) fn allowed(image: &ImageRef<'_>, entries: &[String]) -> bool {
    let registry = image.effective_registry();
    let repo = if image.registry.is_none() && !image.repository.contains('/') {
        format!("library/{}", image.repository)
    } else {
        image.repository.to_string()
    };
    let full = format!("{registry}/{repo}");
    entries.iter().any(|e| {
        let e = e.trim_end_matches('/');
        full == e || full.starts_with(&format!("{e}/"))
    })
}

impl Rule for RegistryNotAllowed {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        if cx.settings.allowed_registries.is_empty() {
            return;
        }
        let entries = cx.settings.allowed_registries.clone();
        for c in w.containers() {
            let Some(node) = c.image() else { continue };
            let Some(text) = node.as_str() else { continue };
            let image = ImageRef::parse(text);
            if image.is_templated() || allowed(&image, &entries) {
                continue;
            }
            cx.report_in(
                &c,
                node,
                format!(
                    "image `{text}` comes from `{}`, which is not among the allowed registries ({})",
                    image.effective_registry(),
                    entries.join(", ")
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_docker_hub() {
        let e = vec!["ghcr.io/acme".to_string(), "docker.io/library".to_string()];
        assert!(allowed(&ImageRef::parse("ghcr.io/acme/web:1"), &e));
        assert!(!allowed(&ImageRef::parse("ghcr.io/acmeevil/web:1"), &e));
        assert!(allowed(&ImageRef::parse("nginx:1.27"), &e));
        assert!(!allowed(&ImageRef::parse("bitnami/redis:7"), &e));
        assert!(!allowed(&ImageRef::parse("quay.io/acme/x"), &e));
    }
}
