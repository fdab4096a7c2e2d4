use plimsoll_formats::dockerfile::{Dockerfile, Keyword};

use super::support::at_stage;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports the `MAINTAINER` instruction.
    ///
    /// ## Why it matters
    /// `MAINTAINER` has been deprecated since Docker 1.13: its value lands in a legacy field
    /// that registries, scanners and `docker inspect --format '{{ .Config.Labels }}'` do not
    /// read, so whoever needs to reach the image's owners during an incident does not find
    /// them. The standard OCI labels are read by all of these.
    ///
    /// ## How to fix
    /// Use the OCI label instead:
    ///
    /// ```dockerfile
    /// LABEL org.opencontainers.image.authors="platform-team@example.com" \
    ///       org.opencontainers.image.source="https://github.com/acme/app"
    /// ```
    ///
    /// ## Severity
    /// Low: metadata hygiene.
    pub struct MaintainerDeprecated {
        id: "DKR-016",
        name: "maintainer-deprecated",
        gap: Image,
        severity: Low,
        target: Target::Dockerfiles,
        summary: "Deprecated `MAINTAINER` instruction",
        peers: [Hadolint: ["DL4000"], Checkov: ["CKV_DOCKER_6"], Trivy: ["DS-0022"]],
    }
}

impl Rule for MaintainerDeprecated {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for i in d
            .instructions
            .iter()
            .filter(|i| i.keyword == Keyword::Maintainer)
        {
            at_stage(cx, d, i.stage);
            cx.report_span(
                i.keyword_span,
                "`MAINTAINER` is deprecated: use `LABEL org.opencontainers.image.authors=...`",
            );
        }
    }
}
