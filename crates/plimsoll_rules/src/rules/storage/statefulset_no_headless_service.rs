use plimsoll_model::facts::Detail;
use plimsoll_model::{Index, WorkloadKind};

use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports StatefulSets without a `serviceName`, whose `serviceName` names no Service of the
    /// scan, or names a Service that is not headless (`clusterIP: None`).
    ///
    /// ## Why it matters
    /// A StatefulSet's pods get their stable network identities (`db-0.db.shop.svc`) from the
    /// headless Service named in `serviceName`. Without it the names do not resolve: replicas
    /// cannot find each other to form a cluster (database replication, Kafka, etcd,
    /// Elasticsearch discovery), clients that address a particular member fail, and the stable
    /// identity that was the reason for using a StatefulSet is gone. A Service with a cluster IP
    /// load-balances instead of publishing per-pod records.
    ///
    /// ## How to fix
    /// Add a headless Service selecting the pods and name it in `serviceName`:
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata: {name: db-headless, namespace: shop}
    /// spec:
    ///   clusterIP: None
    ///   selector: {app: db}
    ///   ports: [{name: postgres, port: 5432}]
    /// ---
    /// kind: StatefulSet
    /// spec:
    ///   serviceName: db-headless
    /// ```
    ///
    /// ## Severity
    /// Medium: clustered stateful software fails to find its peers, but single-replica sets
    /// reached through a normal Service keep working.
    pub struct StatefulsetNoHeadlessService {
        id: "STO-002",
        name: "statefulset-no-headless-service",
        gap: Storage,
        severity: Medium,
        target: Target::Index,
        summary: "StatefulSet has no existing headless Service in `serviceName`",
        peers: [
            KubeScore: ["statefulset-has-servicename"],
        ],
    }
}

impl Rule for StatefulsetNoHeadlessService {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        for (o, w) in ix.workloads() {
            if w.kind != WorkloadKind::StatefulSet {
                continue;
            }
            let Some((name, loc)) = &w.service_name else {
                cx.report(
                    o,
                    o.loc,
                    format!(
                        "StatefulSet `{}` has no `serviceName`; its pods get no stable DNS names",
                        o.id.name
                    ),
                );
                continue;
            };
            let svc = ix.services_in(o.ns()).find(|s| s.id.name == *name);
            match svc.map(|s| &s.detail) {
                None => {
                    cx.report(
                        o,
                        *loc,
                        format!(
                            "`serviceName: {name}` names no Service in namespace `{}` of the scan",
                            o.ns()
                        ),
                    );
                }
                Some(Detail::Service(s)) if !s.headless => {
                    cx.report(
                        o,
                        *loc,
                        format!(
                            "Service `{name}` has a cluster IP instead of `clusterIP: None`, so the pods of StatefulSet `{}` get no per-pod DNS records",
                            o.id.name
                        ),
                    );
                }
                _ => {}
            }
        }
    }
}
