use plimsoll_formats::compose::ComposeFile;
use plimsoll_formats::runnable::{Health, Runnable};
use plimsoll_model::Workload;

use super::support::{is_serving, long_running_containers, port_list};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};
use crate::rules::runnable;

declare_rule! {
    /// ## What it does
    /// Reports serving containers (those that declare a `containerPort`) of long-running
    /// workloads that have no `readinessProbe`. Jobs, CronJobs and init containers are not
    /// reported; native sidecars (init containers with `restartPolicy: Always`) are.
    ///
    /// Compose services without a `healthcheck:` (or with one disabled) are reported too: in
    /// Compose the healthcheck is what tells dependents (`depends_on: {condition: service_healthy}`)
    /// and operators when the service can serve.
    ///
    /// ## Why it matters
    /// Without a readiness probe a pod receives traffic from its Services the moment its
    /// process starts, before it has opened its port, loaded its cache or connected to its
    /// database, and it keeps receiving traffic while it is overloaded or shutting down. Every
    /// rollout and every restart then turns into a burst of connection errors, and a rolling
    /// update happily replaces healthy pods by pods that cannot serve.
    ///
    /// ## How to fix
    /// Add a probe that answers only when the container can serve:
    ///
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     ports: [{name: http, containerPort: 8080}]
    ///     readinessProbe:
    ///       httpGet: {path: /ready, port: http}
    ///       periodSeconds: 5
    ///       failureThreshold: 3
    /// ```
    ///
    /// In a Compose file:
    ///
    /// ```yaml
    /// services:
    ///   api:
    ///     healthcheck:
    ///       test: ["CMD", "wget", "-qO-", "http://localhost:8080/ready"]
    ///       interval: 10s
    ///       retries: 3
    /// ```
    ///
    /// ## Severity
    /// Medium: it causes failed requests on every rollout and hides overloaded pods, but
    /// does not lose data or open access.
    pub struct ReadinessProbeMissing {
        id: "OBS-001",
        name: "readiness-probe-missing",
        gap: Observability,
        severity: Medium,
        target: Target::Workloads,
        also: [Target::ComposeFiles],
        summary: "Serving container has no readiness probe",
        peers: [
            KubeScore: ["pod-probes"],
            KubeLinter: ["no-readiness-probe"],
            Polaris: ["readinessProbeMissing"],
            Checkov: ["CKV_K8S_9"],
            Kubescape: ["C-0018"],
            Kyverno: ["best-practices/require-probes"],
        ],
    }
}

/// Compose services.
fn check(r: &Runnable<'_>, cx: &mut Cx<'_>) {
    let subject = r.subject();
    let (at, message) = match r.health() {
        Health::Present { .. } => return,
        Health::Disabled { at } => (
            at,
            format!("{subject} disables its healthcheck: nothing tells when it is ready or hung"),
        ),
        Health::Missing { at } => (
            at,
            format!(
                "{subject} has no healthcheck: unless its image has a `HEALTHCHECK`, nothing tells when it is ready or hung"
            ),
        ),
    };
    runnable::report(cx, r, at, message);
}

impl Rule for ReadinessProbeMissing {
    fn check_compose(&self, c: &ComposeFile, cx: &mut Cx<'_>) {
        runnable::compose(c, cx, check);
    }

    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for c in long_running_containers(w) {
            if is_serving(&c) && c.get("readinessProbe").is_none() {
                cx.report_in(
                    &c,
                    c.anchor(),
                    format!(
                        "container `{}` serves on port {} but has no readinessProbe; it gets traffic before it can answer",
                        c.name(),
                        port_list(&c)
                    ),
                );
            }
        }
    }
}
