use plimsoll_model::Object;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports Argo CD `Application`s (and the template of `ApplicationSet`s) in the `default`
    /// project, or with no project.
    ///
    /// ## Why it matters
    /// An `AppProject` is Argo CD's security boundary: it lists the repositories an application
    /// may deploy from, the clusters and namespaces it may deploy to, and the kinds it may
    /// create. The `default` project allows every repository, every destination and every kind,
    /// cluster-scoped ones included, so whoever can change the Application (or its repository)
    /// can deploy anything anywhere, `ClusterRoleBinding`s included.
    ///
    /// ## How to fix
    /// Give the team a project limited to its repositories and namespaces, and use it:
    ///
    /// ```yaml
    /// apiVersion: argoproj.io/v1alpha1
    /// kind: AppProject
    /// metadata: {name: shop, namespace: argocd}
    /// spec:
    ///   sourceRepos: [https://git.acme.com/shop/*]
    ///   destinations: [{server: https://kubernetes.default.svc, namespace: shop}]
    ///   clusterResourceWhitelist: []
    /// ---
    /// kind: Application
    /// spec:
    ///   project: shop
    /// ```
    ///
    /// ## Severity
    /// Medium: it removes the guard rails around what GitOps may deploy, which matters once a
    /// repository or an Application is in the wrong hands.
    pub struct ArgoDefaultProject {
        id: "CHG-004",
        name: "argo-default-project",
        gap: Change,
        severity: Medium,
        target: Target::Kinds(&["Application", "ApplicationSet"]),
        summary: "Argo CD Application uses the unrestricted `default` project",
        peers: [
            Kyverno: ["argo/application-prevent-default-project"],
        ],
    }
}

impl Rule for ArgoDefaultProject {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        if o.group() != "argoproj.io" {
            return;
        }
        let spec = match o.kind {
            "ApplicationSet" => o.spec().and_then(|s| s.path(&["template", "spec"])),
            _ => o.spec(),
        };
        let Some(spec) = spec else { return };
        let name = o.name().unwrap_or("");
        match spec.get("project").filter(|p| !p.is_null()) {
            Some(p) if p.as_str() == Some("default") => {
                cx.report(
                    p,
                    format!("{} `{name}` is in the `default` project, which may deploy anything anywhere", o.kind),
                );
            }
            None => {
                cx.report(
                    spec,
                    format!("{} `{name}` names no project; Argo CD needs one, and `default` may deploy anything anywhere", o.kind),
                );
            }
            _ => {}
        }
    }
}
