use plimsoll_formats::compose::ComposeFile;

use super::support::each_service;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports ports a Compose service publishes on every interface of the host: `"8080:80"`,
    /// `"80"` (a random host port) or `host_ip: 0.0.0.0`, in short or long syntax.
    ///
    /// ## Why it matters
    /// A published port listens on every address of the host, public ones included, and
    /// Docker inserts its own firewall rules ahead of the host's: a `ufw deny` or a cloud
    /// security group configured on the host does not protect it. A database, an admin UI or a
    /// debug port published this way for local convenience is reachable from the internet the
    /// day the host has a public address.
    ///
    /// ## How to fix
    /// Bind it to the interface that needs it, usually the loopback (a reverse proxy on the
    /// host then exposes what must be public), or do not publish it at all: services of the
    /// same Compose project reach each other on the project network without published ports.
    ///
    /// ```yaml
    /// services:
    ///   db:
    ///     ports:
    ///       - "127.0.0.1:5432:5432"
    /// ```
    ///
    /// ## Severity
    /// Medium: it exposes the service beyond what was meant, around the host's firewall, but the
    /// service still has its own authentication.
    pub struct PortOnAllInterfaces {
        id: "CMP-001",
        name: "port-published-on-all-interfaces",
        gap: Network,
        severity: Medium,
        target: Target::ComposeFiles,
        summary: "Compose service publishes a port on every interface of the host",
        peers: [],
    }
}

impl Rule for PortOnAllInterfaces {
    fn check_compose(&self, c: &ComposeFile, cx: &mut Cx<'_>) {
        each_service(c, cx, |s, cx| {
            for p in s.ports() {
                if !p.on_all_interfaces() {
                    continue;
                }
                let message = match &p.published {
                    Some(host) if *host == p.target => format!(
                        "service `{}` publishes port {host} on every interface of the host: bind it to `127.0.0.1` or an internal address",
                        s.name(),
                    ),
                    Some(host) => format!(
                        "service `{}` publishes port {host} (container port {}) on every interface of the host: bind it to `127.0.0.1` or an internal address",
                        s.name(),
                        p.target
                    ),
                    None => format!(
                        "service `{}` publishes port {} on a random host port on every interface: bind it to `127.0.0.1` or use `expose:`",
                        s.name(),
                        p.target
                    ),
                };
                cx.report_span(p.span, message);
            }
        });
    }
}
