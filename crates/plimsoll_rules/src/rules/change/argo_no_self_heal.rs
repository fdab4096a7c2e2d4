use plimsoll_model::Object;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports Argo CD `Application`s (and the template of `ApplicationSet`s) that do not sync
    /// automatically (`syncPolicy.automated`), or sync automatically without `selfHeal: true`.
    ///
    /// ## Why it matters
    /// With manual sync, Git says one thing and the cluster runs another until someone presses
    /// the button: merged fixes do not ship, and a reverted change stays deployed. Without
    /// `selfHeal`, a `kubectl edit` in production survives until the next commit touches the same
    /// object: the drift is shown as `OutOfSync` and nothing more. Both defeat the point of
    /// GitOps, that the repository is what runs.
    ///
    /// ## How to fix
    /// Sync automatically, prune what was removed from Git, and revert drift:
    ///
    /// ```yaml
    /// spec:
    ///   syncPolicy:
    ///     automated:
    ///       prune: true
    ///       selfHeal: true
    /// ```
    ///
    /// ## Severity
    /// Low: changes are still reviewed in Git; what is lost is the guarantee that the cluster
    /// matches them.
    pub struct ArgoNoSelfHeal {
        id: "CHG-005",
        name: "argo-no-self-heal",
        gap: Change,
        severity: Low,
        target: Target::Kinds(&["Application", "ApplicationSet"]),
        summary: "Argo CD Application does not sync automatically or does not revert drift",
        peers: [],
    }
}

impl Rule for ArgoNoSelfHeal {
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
        let policy = spec.get("syncPolicy");
        let automated = policy
            .and_then(|p| p.get("automated"))
            .filter(|a| !a.is_null() && a.get_bool("enabled") != Some(false));
        let Some(automated) = automated else {
            cx.report(
                policy.unwrap_or(spec),
                format!("{} `{name}` syncs only when someone triggers it; Git and the cluster drift apart", o.kind),
            );
            return;
        };
        if automated.get_bool("selfHeal") != Some(true) {
            cx.report(
                automated,
                format!("{} `{name}` syncs automatically but without `selfHeal: true`; manual changes in the cluster are not reverted", o.kind),
            );
        }
    }
}
