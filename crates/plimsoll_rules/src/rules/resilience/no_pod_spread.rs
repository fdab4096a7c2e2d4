use plimsoll_model::Workload;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports replicated workloads with two or more `replicas` whose pod template has neither a
    /// `podAntiAffinity` nor `topologySpreadConstraints`.
    ///
    /// ## Why it matters
    /// The scheduler places replicas where resources fit, and nothing stops it from putting all
    /// of them on the same node or in the same zone, which is likely right after a rollout onto
    /// a fresh node. Then one node failure, one kernel upgrade or one zone outage takes down
    /// every replica together and the second replica bought nothing. Spreading makes the
    /// replicas fail independently.
    ///
    /// ## How to fix
    /// Spread the pods across nodes (and zones, if the cluster has several):
    ///
    /// ```yaml
    /// spec:
    ///   template:
    ///     spec:
    ///       topologySpreadConstraints:
    ///         - maxSkew: 1
    ///           topologyKey: kubernetes.io/hostname
    ///           whenUnsatisfiable: ScheduleAnyway
    ///           labelSelector: {matchLabels: {app: api}}
    /// ```
    ///
    /// ## Severity
    /// Low: it matters only when a node or zone fails, and the scheduler's default scoring
    /// already spreads pods somewhat.
    pub struct NoPodSpread {
        id: "RES-007",
        name: "no-pod-spread",
        gap: Resilience,
        severity: Low,
        target: Target::Workloads,
        summary: "Multi-replica workload does not spread its pods across nodes",
        peers: [
            KubeScore: [
                "deployment-has-host-podantiaffinity",
                "statefulset-has-host-podantiaffinity",
                "pod-topology-spread-constraints",
            ],
            KubeLinter: ["no-anti-affinity"],
            Polaris: ["topologySpreadConstraint"],
            Kyverno: [
                "other/create-pod-antiaffinity",
                "other/topologyspreadconstraints-policy",
                "other/spread-pods-across-topology",
            ],
        ],
    }
}

impl Rule for NoPodSpread {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        let Some(node) = w.replicas_node() else {
            return;
        };
        let Some(replicas) = node.as_i64() else {
            return;
        };
        if replicas < 2 {
            return;
        }
        let spec = w.pod_spec;
        let anti = spec
            .path(&["affinity", "podAntiAffinity"])
            .is_some_and(|a| !a.is_empty());
        let spread = spec
            .get("topologySpreadConstraints")
            .is_some_and(|t| !t.is_empty());
        if !anti && !spread {
            cx.report(
                node,
                format!(
                    "{replicas} replicas but no podAntiAffinity or topologySpreadConstraints; they may all land on one node"
                ),
            );
        }
    }
}
