use plimsoll_formats::dockerfile::{Dockerfile, Keyword};
use plimsoll_model::Severity;

use super::support::at_stage;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};
use crate::util::{is_placeholder_value, looks_secret_name};

declare_rule! {
    /// ## What it does
    /// Reports `ENV` and `ARG` whose name says they hold a secret (password, token, API key,
    /// credential...):
    /// - with a literal value: `ENV DB_PASSWORD=hunter2`, `ARG NPM_TOKEN=abc` (Critical; the
    ///   value is never printed);
    /// - `ENV` set from a variable (`ENV NPM_TOKEN=$NPM_TOKEN`), which copies a build argument
    ///   into the image's configuration (High);
    /// - `ARG` without a default, a secret passed with `--build-arg` (High).
    ///
    /// Names ending in `_FILE`, `_PATH` or `_URL` point at a secret rather than hold one and are
    /// skipped; `auth` counts only as a word of its own (`BASIC_AUTH`, not
    /// `NODE_TLS_REJECT_UNAUTHORIZED`). Empty values and obvious placeholders are skipped.
    ///
    /// ## Why it matters
    /// Everything in `ENV` is stored in the image configuration: anyone who can pull the image
    /// reads it with `docker inspect`, from any registry, mirror or node cache it was copied to,
    /// for as long as the image exists, and it cannot be rotated without rebuilding every tag.
    /// Build arguments are recorded too, in `docker history` for every `RUN` that sees them and
    /// in provenance attestations. It is the image-time form of SCR-001 (a literal secret in a
    /// Kubernetes container's environment), with a wider audience.
    ///
    /// ## How to fix
    /// Give secrets to the build with a secret mount, and to the container at run time:
    ///
    /// ```dockerfile
    /// # docker build --secret id=npmrc,src=$HOME/.npmrc .
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// ```
    ///
    /// ## Severity
    /// Critical for a literal value, a credential in plain text for anyone who can pull the
    /// image; High for build arguments, whose values end up in the image's history.
    pub struct SecretInBuildEnv {
        id: "DKR-030",
        name: "secret-in-build-env",
        gap: Secrets,
        severity: Critical,
        target: Target::Dockerfiles,
        summary: "Secret in `ENV` or `ARG` is stored in the image",
        peers: [Hadolint: ["DL3064"], Trivy: ["DS-0031"]],
    }
}

impl Rule for SecretInBuildEnv {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        let mut declared: Vec<&str> = Vec::new();
        for i in &d.instructions {
            if !matches!(i.keyword, Keyword::Env | Keyword::Arg) {
                continue;
            }
            let kw = i.keyword.as_str();
            for p in i.pairs() {
                let name = p.key.value.as_str();
                if !looks_secret_name(name) {
                    continue;
                }
                at_stage(cx, d, i.stage);
                match &p.value {
                    Some(v) if v.value.trim().is_empty() => {}
                    Some(v) if v.is_dynamic() && i.keyword == Keyword::Env => {
                        cx.report_span(
                            p.key.span,
                            format!("`ENV {name}` copies a build-time value into the image configuration, where `docker inspect` shows it"),
                        )
                        .severity = Severity::High;
                    }
                    Some(v) if !is_placeholder_value(&v.value) && !v.is_dynamic() => {
                        let what = if i.keyword == Keyword::Env {
                            "stores a literal secret in the image configuration"
                        } else {
                            "has a literal secret as its default, recorded in the image history"
                        };
                        cx.report_span(p.key.span, format!("`{kw} {name}` {what}"))
                            .redact = Some(v.span);
                    }
                    // a stage's `ARG NAME` that brings a global one into scope is the same argument
                    None if i.keyword == Keyword::Arg && !declared.contains(&name) => {
                        declared.push(name);
                        cx.report_span(
                            p.key.span,
                            format!("build argument `{name}` looks like a secret: build arguments are recorded in the image history; use `RUN --mount=type=secret`"),
                        )
                        .severity = Severity::High;
                    }
                    _ => {}
                }
            }
        }
    }
}
