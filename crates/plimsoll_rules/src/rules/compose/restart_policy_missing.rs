use plimsoll_formats::compose::ComposeFile;

use super::support::each_service;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports Compose services with neither `restart:` nor `deploy.restart_policy`. A service
    /// that says `restart: "no"` is taken at its word (one-off tasks).
    ///
    /// ## Why it matters
    /// Without a restart policy a container that crashes, or that the kernel's OOM killer stops,
    /// stays down, and so does everything it served, until someone notices and runs
    /// `docker compose up` again. After a host reboot none of the services come back.
    ///
    /// ## How to fix
    /// Set a restart policy:
    ///
    /// ```yaml
    /// services:
    ///   api:
    ///     restart: unless-stopped   # or on-failure:5 to give up on a crash loop
    /// ```
    ///
    /// ## Severity
    /// Medium: it turns every crash and every reboot into an outage that lasts until someone
    /// acts.
    pub struct RestartPolicyMissing {
        id: "CMP-002",
        name: "compose-restart-policy-missing",
        gap: Resilience,
        severity: Medium,
        target: Target::ComposeFiles,
        summary: "Compose service has no restart policy",
        peers: [],
    }
}

impl Rule for RestartPolicyMissing {
    fn check_compose(&self, c: &ComposeFile, cx: &mut Cx<'_>) {
        each_service(c, cx, |s, cx| {
            if s.restart().is_none() {
                cx.report_span(
                    s.key_span(),
                    format!(
                        "service `{}` has no restart policy: after a crash or a reboot it stays down (`restart: unless-stopped`)",
                        s.name()
                    ),
                );
            }
        });
    }
}
