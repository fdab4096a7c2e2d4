use plimsoll_formats::dockerfile::{Dockerfile, Keyword};

use super::support::{at_stage, line_of};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports a stage that uses both `curl` and `wget` in its `RUN`s, at the first use of the
    /// second one.
    ///
    /// ## Why it matters
    /// Two download tools mean two sets of options, proxy and TLS settings and failure
    /// behaviours to get right (`curl` without `-f` succeeds on a 404 page), and usually both
    /// end up installed in the image: more packages to patch and more tools for an attacker
    /// who gets a shell.
    ///
    /// ## How to fix
    /// Pick one (and remove it after use in the final stage if the service does not need it):
    ///
    /// ```dockerfile
    /// RUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz \
    ///  && curl -fsSLo /tmp/b.tgz https://example.com/b.tgz
    /// ```
    ///
    /// ## Severity
    /// Low: hygiene and image surface.
    pub struct CurlAndWget {
        id: "DKR-019",
        name: "curl-and-wget",
        gap: Image,
        severity: Low,
        target: Target::Dockerfiles,
        summary: "Stage uses both `curl` and `wget`",
        peers: [Hadolint: ["DL4001"], Trivy: ["DS-0014"]],
    }
}

impl Rule for CurlAndWget {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for s in &d.stages {
            let mut first: Option<(&str, plimsoll_yaml::Span)> = None;
            'stage: for i in d.body(s).iter().filter(|i| i.keyword == Keyword::Run) {
                let Some(script) = i.script() else { continue };
                for c in script.programs() {
                    let name = c.name();
                    if name != "curl" && name != "wget" {
                        continue;
                    }
                    match first {
                        None => {
                            first =
                                Some((if name == "curl" { "curl" } else { "wget" }, c.word().span))
                        }
                        Some((other, at)) if other != name => {
                            at_stage(cx, d, Some(s.index));
                            cx.report_span(
                                c.word().span,
                                format!(
                                    "`{name}` here and `{other}` at line {}: use one download tool",
                                    line_of(d, at)
                                ),
                            );
                            break 'stage;
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}
