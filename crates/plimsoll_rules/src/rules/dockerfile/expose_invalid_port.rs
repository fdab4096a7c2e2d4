use plimsoll_formats::dockerfile::{Dockerfile, Keyword};

use super::support::at_stage;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports `EXPOSE` entries that are not a port (`1`-`65535`) or a range of ports,
    /// optionally followed by `/tcp`, `/udp` or `/sctp`. Entries given by a variable are
    /// skipped.
    ///
    /// ## Why it matters
    /// `EXPOSE` is documentation that tools act on: `docker run -P`, Compose and many
    /// platforms publish or probe the exposed ports. A typo (`80800`, `8080/tpc`) either fails
    /// the build or documents a port the service does not listen on, so health checks and
    /// load balancers are pointed at nothing.
    ///
    /// ## How to fix
    /// Expose the port the service listens on, with a valid protocol:
    ///
    /// ```dockerfile
    /// EXPOSE 8080/tcp 9090
    /// ```
    ///
    /// ## Severity
    /// Low: a correctness and documentation error.
    pub struct ExposeInvalidPort {
        id: "DKR-026",
        name: "expose-invalid-port",
        gap: Image,
        severity: Low,
        target: Target::Dockerfiles,
        summary: "`EXPOSE` entry is not a valid port",
        peers: [Hadolint: ["DL3011"], Trivy: ["DS-0008"]],
    }
}

fn valid_port(s: &str) -> bool {
    s.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p))
}

fn valid(entry: &str) -> bool {
    let (ports, proto) = match entry.split_once('/') {
        Some((p, proto)) => (p, Some(proto)),
        None => (entry, None),
    };
    if proto.is_some_and(|p| !matches!(p.to_ascii_lowercase().as_str(), "tcp" | "udp" | "sctp")) {
        return false;
    }
    match ports.split_once('-') {
        Some((a, b)) => {
            valid_port(a) && valid_port(b) && a.parse::<u32>().ok() <= b.parse::<u32>().ok()
        }
        None => valid_port(ports),
    }
}

impl Rule for ExposeInvalidPort {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for i in d
            .instructions
            .iter()
            .filter(|i| i.keyword == Keyword::Expose)
        {
            for w in i.words() {
                if w.is_dynamic() || valid(&w.value) {
                    continue;
                }
                at_stage(cx, d, i.stage);
                cx.report_span(
                    w.span,
                    format!("`EXPOSE {}` is not a port between 1 and 65535 (with `/tcp`, `/udp` or `/sctp`)", w.value),
                );
            }
        }
    }
}
