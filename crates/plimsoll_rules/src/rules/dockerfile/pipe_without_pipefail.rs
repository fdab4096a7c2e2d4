use plimsoll_formats::dockerfile::{Cmd, Dockerfile, Instruction, Keyword, Word};

use super::support::at_stage;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports a `RUN` with a pipe (`a | b`) when neither the stage's `SHELL` (or that of the
    /// stage it is built `FROM`) nor the `RUN` itself (`set -o pipefail`, before the pipe)
    /// turns on `pipefail`. Stages whose `SHELL` is PowerShell or `cmd` are skipped.
    ///
    /// ## Why it matters
    /// A pipeline's status is that of its last command: `curl -fsSL $URL | tar -xz` succeeds
    /// when the download fails half-way and `tar` happens to exit 0, and
    /// `wget -O- $URL | gpg --import` imports nothing without failing. The build goes green and
    /// the image lacks what the `RUN` was for, which shows up at run time in production.
    ///
    /// ## How to fix
    /// Make the shell fail on any failed command of a pipe:
    ///
    /// ```dockerfile
    /// SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    /// RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /usr/local/bin
    /// ```
    ///
    /// On images without bash (Alpine, BusyBox), `SHELL ["/bin/ash", "-eo", "pipefail", "-c"]`.
    ///
    /// ## Severity
    /// Low: failed steps can pass unnoticed, but the damage shows at run time, not as an
    /// exposure.
    pub struct PipeWithoutPipefail {
        id: "DKR-017",
        name: "pipe-without-pipefail",
        gap: Image,
        severity: Low,
        target: Target::Dockerfiles,
        summary: "`RUN` pipes commands without `pipefail`",
        peers: [Hadolint: ["DL4006"]],
    }
}

/// `-o pipefail` (or `-eo pipefail`...) among the words.
fn sets_pipefail(words: &[Word]) -> bool {
    words.windows(2).any(|w| {
        let f = &w[0].value;
        f.starts_with('-') && !f.starts_with("--") && f.ends_with('o') && w[1].value == "pipefail"
    })
}

#[derive(Clone, Copy, Default)]
struct State {
    pipefail: bool,
    non_posix: bool,
}

fn apply_shell(i: &Instruction, st: &mut State) {
    let words = i.words();
    let prog = words
        .first()
        .map(|w| {
            w.value
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    st.non_posix = matches!(
        prog.as_str(),
        "pwsh" | "pwsh.exe" | "powershell" | "powershell.exe" | "cmd" | "cmd.exe"
    );
    st.pipefail = sets_pipefail(words);
}

fn is_set_pipefail(c: &Cmd<'_>) -> bool {
    c.name() == "set" && sets_pipefail(c.words)
}

impl Rule for PipeWithoutPipefail {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for s in &d.stages {
            let mut st = State::default();
            // SHELL is inherited from the stage this one is built on
            for anc in d.lineage(s.index).iter().skip(1).rev() {
                for i in d
                    .body(anc)
                    .iter()
                    .filter(|i| i.keyword == Keyword::Shell && !i.onbuild)
                {
                    apply_shell(i, &mut st);
                }
            }
            for i in d.body(s) {
                if i.onbuild {
                    continue;
                }
                if i.keyword == Keyword::Shell {
                    apply_shell(i, &mut st);
                    continue;
                }
                if i.keyword != Keyword::Run || st.pipefail || st.non_posix {
                    continue;
                }
                let Some(c) = i.command() else { continue };
                if c.exec || c.script.pipes.is_empty() {
                    continue;
                }
                let mut on = false;
                for sc in &c.script.commands {
                    if sc.program().is_some_and(|p| is_set_pipefail(&p)) {
                        on = true;
                    }
                    if sc.piped_out && !on {
                        let Some(w) = sc.words.first() else { continue };
                        at_stage(cx, d, Some(s.index));
                        cx.report_span(
                            w.span,
                            format!(
                                "the exit status of `{}` is lost in the pipe: without `pipefail` the `RUN` succeeds when it fails",
                                w.value
                            ),
                        );
                        break;
                    }
                }
            }
        }
    }
}
