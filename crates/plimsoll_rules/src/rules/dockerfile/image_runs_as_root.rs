use plimsoll_formats::dockerfile::{Base, Dockerfile};
use plimsoll_model::ImageRef;

use super::support::{at_stage, effective_user, is_root_user};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports an image whose final stage runs as root: its last `USER` (in the stage or the
    /// stages it is built `FROM`) is `root` or `0`, or there is no `USER` at all and the base
    /// image is not one known to set a non-root user (tags or names with `nonroot`,
    /// `rootless` or `unprivileged`). Only the final stage counts: build stages do not run in
    /// production. A `USER` given by a variable is trusted.
    /// A Dockerfile that could not be read to the end is not judged on what it lacks.
    ///
    /// ## Why it matters
    /// Without `USER`, every container started from the image runs as UID 0 unless whoever
    /// runs it overrides the user. Root in the container is root on the host's kernel: it owns
    /// every file it can see, keeps the capabilities the runtime grants, and turns a host mount,
    /// a kernel bug or a runtime escape into root on the machine. It is the same risk as a
    /// Kubernetes container with `runAsUser: 0` (WKL-004) or a Compose service or systemd unit
    /// running as root, decided here once for every place the image runs. Images that start
    /// as root and drop privileges in their entrypoint (`gosu`, `su-exec`) still need a root
    /// start and cannot run under `runAsNonRoot`.
    ///
    /// ## How to fix
    /// Create an unprivileged user and switch to it at the end of the final stage:
    ///
    /// ```dockerfile
    /// RUN groupadd --system --gid 10001 app \
    ///  && useradd --system --uid 10001 --gid app --no-log-init app
    /// USER 10001:10001
    /// ```
    ///
    /// ## Severity
    /// High: nothing but the runtime's other defenses stands between a compromised process and
    /// root on the host.
    pub struct ImageRunsAsRoot {
        id: "DKR-003",
        name: "image-runs-as-root",
        gap: Workload,
        severity: High,
        target: Target::Dockerfiles,
        summary: "Final stage runs as root (no `USER`, or `USER root`)",
        peers: [
            Hadolint: ["DL3002"],
            Checkov: ["CKV_DOCKER_8", "CKV_DOCKER_3"],
            Trivy: ["DS-0002"],
        ],
    }
}

/// Base images that are known to run as a non-root user.
fn non_root_base(image: &str) -> bool {
    let i = ImageRef::parse(image);
    let tag = i.tag.unwrap_or("");
    tag.contains("nonroot")
        || tag.contains("rootless")
        || i.repository.contains("unprivileged")
        || i.repository.contains("rootless")
        || i.repository.ends_with("-nonroot")
}

impl Rule for ImageRunsAsRoot {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        let Some(last) = d.final_stage() else { return };
        at_stage(cx, d, Some(last.index));
        if let Some(user) = effective_user(d, last) {
            let Some(w) = user.text() else { return };
            if is_root_user(&w.value) {
                let msg = if user.stage == Some(last.index) {
                    format!(
                        "`USER {}` is the last user of the final stage, so the container runs as root",
                        w.value
                    )
                } else {
                    format!(
                        "the final stage inherits `USER {}` from the stage it is built on, so the container runs as root",
                        w.value
                    )
                };
                cx.report_span(w.span, msg);
            }
            return;
        }
        if !d.complete() {
            // a `USER` may follow the place where reading stopped
            return;
        }
        let lineage = d.lineage(last.index);
        let root_stage = lineage.last().copied().unwrap_or(last);
        let msg = match &root_stage.base {
            Base::Image(img) if non_root_base(img) => return,
            Base::Image(img) => format!(
                "the final stage sets no `USER`, so the container runs as the user of `{img}`, which is root unless that image says otherwise"
            ),
            Base::Scratch => {
                "the final stage is built `FROM scratch` and sets no `USER`, so the container runs as root (UID 0)".to_string()
            }
            _ => "the final stage sets no `USER`, so the container runs as the base image's user, root for most images".to_string(),
        };
        cx.report_span(d.from_instruction(last).keyword_span, msg);
    }
}
