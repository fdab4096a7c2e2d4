use plimsoll_formats::dockerfile::{Dockerfile, Keyword};

use super::support::at_stage;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports a script downloaded and run in one go: `curl ... | sh`, `wget -O- ... | bash`
    /// (also into `sudo sh`, `python`, `perl`, `ruby`, `node`, `php`), and
    /// `sh -c "$(curl ...)"` or `bash <(curl ...)`. No peer reports this as such; hadolint's
    /// DL4006 only asks for `pipefail` on any pipe.
    ///
    /// ## Why it matters
    /// The script is run as it arrives, unread and unchecked: whoever controls the server, its
    /// CDN or DNS at build time runs code in the build, as root by default, and the result
    /// ships in the image. The script also changes under you (the same URL installs different
    /// versions on different days), and a download cut half-way can run a truncated script.
    /// Same supply-chain risk as `ADD` from a URL (DKR-020), with execution.
    ///
    /// ## How to fix
    /// Download to a file, verify it, then run it, or use the distribution's package:
    ///
    /// ```dockerfile
    /// RUN curl -fsSLo /tmp/install.sh https://example.com/install-1.2.3.sh \
    ///  && echo "3b1f...  /tmp/install.sh" | sha256sum -c - \
    ///  && sh /tmp/install.sh && rm /tmp/install.sh
    /// ```
    ///
    /// ## Severity
    /// Medium: remote code runs in the build without verification.
    pub struct CurlPipeShell {
        id: "DKR-029",
        name: "curl-pipe-shell",
        gap: Image,
        severity: Medium,
        target: Target::Dockerfiles,
        summary: "Downloaded script piped straight into a shell (`curl | sh`)",
        peers: [],
    }
}

const DOWNLOADERS: &[&str] = &["curl", "wget", "fetch"];
const INTERPRETERS: &[&str] = &[
    "sh", "bash", "ash", "dash", "zsh", "ksh", "python", "python3", "python2", "perl", "ruby",
    "node", "php",
];

fn interpreter(name: &str) -> bool {
    INTERPRETERS.contains(&name)
        || name
            .strip_prefix("python")
            .is_some_and(|r| r.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

/// The downloader run inside `$(...)`, `<(...)` or backticks.
fn substituted_download(raw: &str) -> Option<&'static str> {
    ["$(", "<(", "`"].iter().find_map(|open| {
        raw.match_indices(open).find_map(|(i, _)| {
            let rest = raw[i + open.len()..].trim_start();
            DOWNLOADERS
                .iter()
                .find(|d| rest.starts_with(&format!("{d} ")))
                .copied()
        })
    })
}

impl Rule for CurlPipeShell {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for i in d.instructions.iter().filter(|i| i.keyword == Keyword::Run) {
            let Some(script) = i.script() else { continue };
            let cmds = &script.commands;
            for (k, c) in cmds.iter().enumerate() {
                let Some(p) = c.program() else { continue };
                if DOWNLOADERS.contains(&p.name()) && c.piped_out {
                    let Some(next) = cmds.get(k + 1).filter(|n| n.piped_in) else {
                        continue;
                    };
                    let Some(np) = next.program() else { continue };
                    if interpreter(np.name()) {
                        at_stage(cx, d, i.stage);
                        cx.report_span(
                            p.word().span,
                            format!(
                                "`{} | {}` runs a script downloaded at build time without checking it",
                                p.name(),
                                np.name()
                            ),
                        );
                        break;
                    }
                }
                if interpreter(p.name())
                    && let Some((w, dl)) = p
                        .args()
                        .iter()
                        .find_map(|w| substituted_download(&w.raw).map(|dl| (w, dl)))
                {
                    at_stage(cx, d, i.stage);
                    cx.report_span(
                            w.span,
                            format!(
                                "`{}` runs a script that `{dl}` downloads at build time, without checking it",
                                p.name()
                            ),
                        );
                    break;
                }
            }
        }
    }
}
