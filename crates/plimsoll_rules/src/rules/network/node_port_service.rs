use plimsoll_model::Object;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports Services of `type: NodePort`.
    ///
    /// ## Why it matters
    /// A NodePort opens the same port on every node of the cluster, on every interface, in the
    /// 30000-32767 range. Anything that can reach a node can reach the Service, around the
    /// Ingress or load balancer where TLS, authentication and rate limits live; node firewall
    /// rules then have to track every NodePort by hand. Ports are also a scarce shared range: two
    /// teams choosing the same number collide.
    ///
    /// ## How to fix
    /// Expose HTTP through an Ingress or Gateway and keep the Service internal:
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata: {name: web}
    /// spec:
    ///   type: ClusterIP
    ///   selector: {app: web}
    ///   ports: [{name: http, port: 80, targetPort: http}]
    /// ```
    ///
    /// ## Severity
    /// Low: nodes are usually on a private network; the port bypasses the front door rather than
    /// opening a new one to the internet.
    pub struct NodePortService {
        id: "NET-003",
        name: "node-port-service",
        gap: Network,
        severity: Low,
        target: Target::Kinds(&["Service"]),
        summary: "Service is exposed on every node (`type: NodePort`)",
        peers: [
            KubeScore: ["service-type"],
            KubeLinter: ["exposed-services"],
            Kyverno: ["best-practices/restrict-node-port"],
        ],
    }
}

impl Rule for NodePortService {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        if o.group() != "" {
            return;
        }
        if let Some(t) = o.spec().and_then(|s| s.get("type"))
            && t.as_str() == Some("NodePort")
        {
            cx.report(
                t,
                format!(
                    "Service `{}` opens a port on every node of the cluster",
                    o.name().unwrap_or("")
                ),
            );
        }
    }
}
