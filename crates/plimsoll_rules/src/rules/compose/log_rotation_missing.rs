use plimsoll_formats::compose::ComposeFile;

use super::support::each_service;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports Compose services whose logs are not rotated: no `logging:` at all (Docker's
    /// default `json-file` driver keeps everything), or the `json-file` driver without
    /// `options.max-size`. Drivers that rotate or ship logs (`local`, `journald`, `syslog`,
    /// `fluentd`, `gelf`, `awslogs`, ...) pass. A daemon-wide default in `/etc/docker/daemon.json`
    /// cannot be seen from the Compose file: if you have one, suppress this rule with that
    /// reason.
    ///
    /// ## Why it matters
    /// `json-file` logs grow without bound under `/var/lib/docker/containers`. A chatty service,
    /// or one stuck in an error loop, fills the host's disk, and then every service on the host
    /// fails, the database first.
    ///
    /// ## How to fix
    /// Cap the size of the logs (or use a driver that ships or rotates them):
    ///
    /// ```yaml
    /// services:
    ///   api:
    ///     logging:
    ///       driver: json-file
    ///       options: {max-size: "10m", max-file: "5"}
    /// ```
    ///
    /// ## Severity
    /// Low: it takes time and volume to hurt, but when it does the whole host stops.
    pub struct LogRotationMissing {
        id: "CMP-005",
        name: "compose-log-rotation-missing",
        gap: Observability,
        severity: Low,
        target: Target::ComposeFiles,
        summary: "Compose service logs are not rotated",
        peers: [],
    }
}

impl Rule for LogRotationMissing {
    fn check_compose(&self, c: &ComposeFile, cx: &mut Cx<'_>) {
        each_service(c, cx, |s, cx| match s.logging() {
            None => {
                cx.report_span(
                    s.key_span(),
                    format!(
                        "service `{}` uses Docker's default `json-file` logging without rotation: its logs can fill the host's disk (`logging: {{options: {{max-size: 10m}}}}`)",
                        s.name()
                    ),
                );
            }
            Some(f) => {
                let driver = f.node.get_str("driver").unwrap_or("json-file");
                let sized = f
                    .node
                    .path(&["options", "max-size"])
                    .is_some_and(|n| !n.is_null());
                if driver == "json-file" && !sized {
                    cx.report_span(
                        f.span,
                        format!(
                            "service `{}` logs with `json-file` and no `max-size`: its logs can fill the host's disk",
                            s.name()
                        ),
                    );
                }
            }
        });
    }
}
