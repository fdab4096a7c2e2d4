use plimsoll_formats::dockerfile::{Dockerfile, Keyword};

use super::support::at_stage;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports `EXPOSE 22` (or `22/tcp`).
    ///
    /// ## Why it matters
    /// An image that exposes SSH usually runs an SSH daemon next to the application: a second
    /// way in that bypasses the platform's access control and audit (`docker exec`,
    /// `kubectl exec`), with its own keys or passwords baked into or copied into the image,
    /// and a daemon that must be patched too. Same risk as WKL-024 for a Kubernetes container
    /// port.
    ///
    /// ## How to fix
    /// Remove the SSH server and the `EXPOSE`; debug with `docker exec` or `kubectl debug`.
    ///
    /// ```dockerfile
    /// EXPOSE 8080
    /// ```
    ///
    /// ## Severity
    /// Medium: an extra remote entry point, usually with long-lived credentials.
    pub struct SshPortExposed {
        id: "DKR-012",
        name: "image-exposes-ssh",
        gap: Workload,
        severity: Medium,
        target: Target::Dockerfiles,
        summary: "Image exposes the SSH port 22",
        peers: [Checkov: ["CKV_DOCKER_1"], Trivy: ["DS-0004"]],
    }
}

impl Rule for SshPortExposed {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for i in d
            .instructions
            .iter()
            .filter(|i| i.keyword == Keyword::Expose)
        {
            for w in i.words() {
                let port = w.value.split('/').next().unwrap_or("");
                if port == "22" {
                    at_stage(cx, d, i.stage);
                    cx.report_span(w.span, "the image exposes port 22 (SSH)");
                }
            }
        }
    }
}
