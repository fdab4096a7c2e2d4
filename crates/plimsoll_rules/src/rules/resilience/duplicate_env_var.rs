use std::collections::HashMap;

use plimsoll_model::Workload;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports environment variables defined twice in the `env` list of the same container.
    ///
    /// ## Why it matters
    /// Kubernetes does not reject the duplicate: the later entry silently wins. The manifest
    /// then says two things, and which one the application sees depends on the order, which
    /// changes with merges, Kustomize patches and Helm templates. Someone will change the first
    /// entry, see no effect in production, and spend an afternoon finding out why.
    ///
    /// ## How to fix
    /// Keep one entry per name:
    ///
    /// ```yaml
    /// env:
    ///   - {name: LOG_LEVEL, value: info}
    ///   # - {name: LOG_LEVEL, value: debug}   # removed: it silently overrode the line above
    /// ```
    ///
    /// ## Severity
    /// Low: a configuration slip that misleads readers more than it breaks the service.
    pub struct DuplicateEnvVar {
        id: "RES-017",
        name: "duplicate-env-var",
        gap: Resilience,
        severity: Low,
        target: Target::Workloads,
        summary: "Environment variable is defined twice in a container",
        peers: [
            KubeScore: ["environment-variable-key-duplication"],
            KubeLinter: ["duplicate-env-var"],
            Kubescape: ["C-0295"],
        ],
    }
}

impl Rule for DuplicateEnvVar {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for c in w.containers() {
            let mut seen: HashMap<&str, u32> = HashMap::new();
            for e in c.env() {
                let Some(n) = e.get("name") else { continue };
                let Some(name) = n.as_str() else { continue };
                let line = cx.loc(n.anchor()).line;
                if let Some(first) = seen.get(name) {
                    cx.report_in(
                        &c,
                        n,
                        format!(
                            "environment variable `{name}` of container `{}` is already set on line {first}; this later entry silently wins",
                            c.name()
                        ),
                    );
                } else {
                    seen.insert(name, line);
                }
            }
        }
    }
}
