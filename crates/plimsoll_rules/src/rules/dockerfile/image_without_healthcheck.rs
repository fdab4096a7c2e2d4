use plimsoll_formats::dockerfile::{Args, Dockerfile, Keyword};

use super::support::at_stage;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports a service image without a health check: the final stage (or a stage it is built
    /// `FROM`) declares a port with `EXPOSE` but has no `HEALTHCHECK CMD`, or switches it off
    /// with `HEALTHCHECK NONE`. Images that expose no port (jobs, command-line tools, build
    /// images) are not services and are skipped, and so are build stages. A health check
    /// inherited from a base image from a registry cannot be seen and is not assumed.
    /// A Dockerfile that could not be read to the end is not judged on what it lacks.
    ///
    /// ## Why it matters
    /// Docker, Compose and Swarm only know a container is alive, not that it works: a server
    /// stuck in a deadlock or that lost its database stays "Up" and keeps receiving traffic.
    /// With a health check, `docker ps` shows `unhealthy`, Compose can wait for
    /// `service_healthy` before starting dependants, and Swarm replaces the task. It is the
    /// same gap as a Kubernetes container without probes (OBS-001, OBS-002) or a Compose
    /// service without `healthcheck`. Kubernetes ignores `HEALTHCHECK`; give it probes instead.
    ///
    /// ## How to fix
    /// Check the service itself, cheaply, in exec form:
    ///
    /// ```dockerfile
    /// HEALTHCHECK --interval=30s --timeout=3s --retries=3 \
    ///   CMD ["wget", "-q", "--spider", "http://127.0.0.1:8080/healthz"]
    /// ```
    ///
    /// In `scratch` or distroless images without a shell or `wget`, let the binary check itself
    /// (`CMD ["/app", "healthcheck"]`).
    ///
    /// ## Severity
    /// Low: it matters where Docker or Compose runs the image, and orchestrators have their own
    /// probes.
    pub struct ImageWithoutHealthcheck {
        id: "DKR-004",
        name: "image-without-healthcheck",
        gap: Observability,
        severity: Low,
        target: Target::Dockerfiles,
        summary: "Service image (it `EXPOSE`s a port) has no `HEALTHCHECK`",
        peers: [
            Checkov: ["CKV_DOCKER_2"],
            Trivy: ["DS-0026"],
            Hadolint: ["DL3057"],
        ],
    }
}

impl Rule for ImageWithoutHealthcheck {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        let Some(last) = d.final_stage() else { return };
        at_stage(cx, d, Some(last.index));
        let lineage = d.lineage(last.index);
        let healthcheck = lineage.iter().find_map(|s| {
            d.body(s)
                .iter()
                .rev()
                .find(|i| i.keyword == Keyword::Healthcheck && !i.onbuild)
        });
        match healthcheck {
            Some(h) if matches!(h.args, Args::HealthcheckNone) => {
                cx.report_span(
                    h.keyword_span,
                    "`HEALTHCHECK NONE` switches off the health check of the final stage",
                );
            }
            Some(_) => {}
            None if !d.complete() => {}
            None => {
                let ports: Vec<&str> = lineage
                    .iter()
                    .flat_map(|s| d.body(s))
                    .filter(|i| i.keyword == Keyword::Expose && !i.onbuild)
                    .flat_map(|i| i.words())
                    .map(|w| w.value.as_str())
                    .collect();
                if ports.is_empty() {
                    return;
                }
                cx.report_span(
                    d.from_instruction(last).keyword_span,
                    format!(
                        "the final stage serves port {} but has no `HEALTHCHECK`, so Docker only knows the process is alive, not that it works",
                        ports.join(", ")
                    ),
                );
            }
        }
    }
}
