use plimsoll_formats::dockerfile::{Dockerfile, Keyword};

use super::support::at_stage;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports `CMD` and `ENTRYPOINT` written in shell form (`CMD node server.js`) rather than
    /// exec (JSON) form (`CMD ["node", "server.js"]`), unless the command starts with `exec`,
    /// which replaces the shell with the program.
    ///
    /// ## Why it matters
    /// Shell form runs `/bin/sh -c "node server.js"`: the shell is PID 1 and the program its
    /// child. `docker stop`, Compose and Kubernetes send `SIGTERM` to PID 1, and `sh` neither
    /// forwards it nor exits, so the program never hears it: in-flight requests are not
    /// drained, connections and files are not closed, and after the grace period (10 s in
    /// Docker, 30 s in Kubernetes) everything is killed with `SIGKILL`. Every deploy and
    /// scale-down then drops work. A shell-form `ENTRYPOINT` also ignores `CMD` and the
    /// arguments of `docker run`.
    ///
    /// ## How to fix
    /// Use exec form, or `exec` the program when you need the shell for variables:
    ///
    /// ```dockerfile
    /// CMD ["node", "server.js"]
    /// # or
    /// CMD exec node server.js --port "$PORT"
    /// ```
    ///
    /// ## Severity
    /// Medium: it turns every graceful shutdown into a hard kill.
    pub struct ShellFormEntrypoint {
        id: "DKR-005",
        name: "shell-form-entrypoint",
        gap: Workload,
        severity: Medium,
        target: Target::Dockerfiles,
        summary: "`CMD` or `ENTRYPOINT` in shell form: the shell, not the program, gets the stop signal",
        peers: [Hadolint: ["DL3025"]],
    }
}

impl Rule for ShellFormEntrypoint {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for i in &d.instructions {
            if !matches!(i.keyword, Keyword::Cmd | Keyword::Entrypoint) || i.onbuild {
                continue;
            }
            let Some(c) = i.command() else { continue };
            if c.exec || c.text().trim().is_empty() {
                continue;
            }
            let first = c.script.commands.first();
            if first.and_then(|f| f.name()) == Some("exec") {
                continue;
            }
            let program = c
                .script
                .programs()
                .next()
                .map(|p| format!("`{}`", p.name()))
                .unwrap_or_else(|| "the program".into());
            at_stage(cx, d, i.stage);
            cx.report_span(
                c.span,
                format!(
                    "`{}` in shell form runs under `/bin/sh -c`, so the shell is PID 1 and {program} never receives SIGTERM",
                    i.keyword.as_str()
                ),
            );
        }
    }
}
