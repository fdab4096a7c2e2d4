use plimsoll_formats::compose::ComposeFile;
use plimsoll_formats::runnable::{Limit, Runnable};

use super::support::{each_service, is_one_off};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports Compose services without a CPU limit (`deploy.resources.limits.cpus` or `cpus`)
    /// or without a process limit (`deploy.resources.limits.pids` or `pids_limit`), one finding
    /// per service naming what is missing. The memory limit is `memory-limit-missing`'s
    /// (RES-003). One-off services (`restart: "no"`) are skipped.
    ///
    /// ## Why it matters
    /// Compose services share one host. Without a CPU limit a busy loop or a traffic spike in
    /// one service starves the others, the database included; without a process limit a fork
    /// bomb or a thread leak exhausts the host's process table and nothing else can start, not
    /// even an SSH session to fix it.
    ///
    /// ## How to fix
    /// Give the service a CPU and a process budget under `deploy.resources.limits`:
    ///
    /// ```yaml
    /// services:
    ///   api:
    ///     deploy:
    ///       resources:
    ///         limits: {cpus: "1.5", memory: 512M, pids: 256}
    /// ```
    ///
    /// ## Severity
    /// Medium: one misbehaving service can take the whole host down with it.
    pub struct CpuPidsLimitsMissing {
        id: "CMP-003",
        name: "compose-cpu-pids-limits-missing",
        gap: Resilience,
        severity: Medium,
        target: Target::ComposeFiles,
        summary: "Compose service has no CPU or process limit",
        peers: [],
    }
}

impl Rule for CpuPidsLimitsMissing {
    fn check_compose(&self, c: &ComposeFile, cx: &mut Cx<'_>) {
        each_service(c, cx, |s, cx| {
            if is_one_off(s) {
                return;
            }
            let r = Runnable::Compose(*s);
            let mut missing = Vec::new();
            if !matches!(r.cpu_limit(), Limit::Set { .. }) {
                missing.push("CPU (`cpus`)");
            }
            if !matches!(r.process_limit(), Limit::Set { .. }) {
                missing.push("process (`pids`)");
            }
            if missing.is_empty() {
                return;
            }
            let at = s
                .path(&["deploy", "resources", "limits"])
                .or_else(|| s.path(&["deploy", "resources"]))
                .map(|f| f.span)
                .unwrap_or_else(|| s.key_span());
            cx.report_span(
                at,
                format!(
                    "service `{}` has no {} limit: it can starve the other services of the host",
                    s.name(),
                    missing.join(" or ")
                ),
            );
        });
    }
}
