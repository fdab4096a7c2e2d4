use plimsoll_model::Workload;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports containers (init and ephemeral ones included) with `stdin: true` or
    /// `tty: true`, one finding per field.
    ///
    /// ## Why it matters
    /// These fields are for interactive sessions: they keep a terminal attached to the main
    /// process so that anyone allowed to `kubectl attach` types straight into it, often a
    /// shell, with no audit of what is typed beyond the attach itself. In a production manifest
    /// they are usually a leftover from debugging, or a sign that the image's entrypoint is a
    /// shell waiting for input rather than a service. A TTY also merges stderr into stdout and
    /// adds control characters, which breaks structured logging.
    ///
    /// ## How to fix
    /// Remove both fields; debug with `kubectl debug` or `kubectl exec` when needed:
    ///
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: ghcr.io/acme/web:1.4.2
    ///     # no stdin: true / tty: true
    /// ```
    ///
    /// ## Severity
    /// Low: it is hygiene; access still needs the `pods/attach` permission.
    pub struct InteractiveTty {
        id: "WKL-026",
        name: "interactive-tty",
        gap: Workload,
        severity: Low,
        target: Target::Workloads,
        summary: "Container keeps an interactive stdin or TTY",
        peers: [],
    }
}

impl Rule for InteractiveTty {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for c in w.containers() {
            for (field, what) in [("stdin", "keeps stdin open"), ("tty", "allocates a TTY")] {
                if let Some(n) = c.get(field)
                    && n.as_bool() == Some(true)
                {
                    cx.report_in(
                        &c,
                        n,
                        format!(
                            "container `{}` {what} (`{field}: true`): an interactive session in a production workload",
                            c.name()
                        ),
                    );
                }
            }
        }
    }
}
