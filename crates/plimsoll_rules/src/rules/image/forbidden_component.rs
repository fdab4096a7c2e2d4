use plimsoll_model::{ImageRef, Workload};

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports containers running components that should not be deployed in a production
    /// cluster: Helm v2's server side, Tiller (`gcr.io/kubernetes-helm/tiller`,
    /// `ghcr.io/helm/tiller`, any `.../tiller` image), and the Kubernetes Dashboard
    /// (`kubernetesui/dashboard`, `kubernetesui/dashboard-api`/`-web`/`-auth`,
    /// `kubernetes-dashboard-amd64`, ...), from any registry or mirror.
    ///
    /// ## Why it matters
    /// Tiller runs with cluster-admin rights and, as installed by default, answers unauthenticated
    /// gRPC calls from any pod in the cluster: one compromised pod can install a chart that
    /// creates a privileged DaemonSet on every node. Helm v2 has had no release, not even a
    /// security fix, since November 2020. The Dashboard is a web UI that holds a service-account
    /// token and lets whoever reaches it act with that token's rights; exposed or over-privileged
    /// Dashboards are a classic first step of cluster takeovers (Tesla's 2018 cryptojacking
    /// incident started from an unprotected Kubernetes console). Production clusters are
    /// operated through `kubectl`, GitOps and short-lived credentials, not through a standing
    /// in-cluster console.
    ///
    /// ## How to fix
    /// Remove Tiller and migrate releases to Helm 3 (`helm 2to3`), which has no server side. Remove
    /// the Dashboard; if a UI is required, run it locally against the user's own credentials:
    ///
    /// ```yaml
    /// # Delete these objects (and their ServiceAccounts and bindings):
    /// #   Deployment kube-system/tiller-deploy
    /// #   Deployment kubernetes-dashboard/kubernetes-dashboard
    /// # then deploy with `helm upgrade --install` (Helm 3) or GitOps, and browse the cluster
    /// # with a desktop client (Headlamp, Lens) that uses your own kubeconfig.
    /// ```
    ///
    /// ## Severity
    /// High: both are well-known paths to cluster-admin, but how far an attacker gets depends on
    /// network exposure and RBAC that this manifest alone does not show.
    pub struct ForbiddenComponent {
        id: "IMG-005",
        name: "forbidden-component",
        gap: Image,
        severity: High,
        target: Target::Workloads,
        summary: "Workload runs Tiller or the Kubernetes Dashboard",
        peers: [
            Checkov: ["CKV_K8S_33", "CKV_K8S_34", "CKV_K8S_44", "CKV_K8S_45"],
            Kubescape: ["C-0014"],
            Trivy: ["KSV-0102"],
            Kyverno: ["best-practices/disallow-helm-tiller"],
        ],
    }
}

/// What a repository path is, when it is a forbidden component.
fn forbidden(repository: &str) -> Option<&'static str> {
    let repo = repository.to_ascii_lowercase();
    let mut parts = repo.rsplit('/');
    let last = parts.next().unwrap_or("");
    let owner = parts.next().unwrap_or("");
    if last == "tiller" {
        return Some("Tiller, Helm v2's cluster-admin server");
    }
    let dashboard = last.starts_with("kubernetes-dashboard")
        || (owner == "kubernetesui"
            && (last == "dashboard"
                || ["dashboard-api", "dashboard-web", "dashboard-auth"].contains(&last)));
    dashboard.then_some("the Kubernetes Dashboard")
}

impl Rule for ForbiddenComponent {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for c in w.containers() {
            let Some(node) = c.image() else { continue };
            let Some(text) = node.as_str() else { continue };
            let image = ImageRef::parse(text);
            let Some(what) = forbidden(image.repository) else {
                continue;
            };
            cx.report_in(
                &c,
                node,
                format!("image `{text}` runs {what}, which should not run in production"),
            );
        }
    }
}
