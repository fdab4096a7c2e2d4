use plimsoll_formats::dockerfile::Dockerfile;

use super::support::{at_stage, runs};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports `cd` in a `RUN` (once per `RUN`).
    ///
    /// ## Why it matters
    /// A `cd` lasts for one `RUN` only: the next `RUN`, `COPY` and the start command are back in
    /// the `WORKDIR`, which readers (and later edits that split the `RUN`) easily forget. A `cd`
    /// to a directory that does not exist also makes the rest of an `&&` chain silently not
    /// run when written with `;`. `WORKDIR` states the directory once, creates it, and holds
    /// for what follows.
    ///
    /// ## How to fix
    /// Set the directory with `WORKDIR`:
    ///
    /// ```dockerfile
    /// WORKDIR /src/app
    /// RUN make install
    /// ```
    ///
    /// ## Severity
    /// Low: a readability and maintenance rule.
    pub struct RunCd {
        id: "DKR-023",
        name: "run-cd",
        gap: Image,
        severity: Low,
        target: Target::Dockerfiles,
        summary: "`RUN cd ...`: use `WORKDIR`",
        peers: [Hadolint: ["DL3003"], Trivy: ["DS-0013"]],
    }
}

impl Rule for RunCd {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for (run, script) in runs(d) {
            if let Some(c) = script.programs().find(|c| c.name() == "cd") {
                at_stage(cx, d, run.stage);
                cx.report_span(
                    c.word().span,
                    "`cd` in a `RUN` only lasts for that `RUN`: use `WORKDIR`",
                );
            }
        }
    }
}
