use plimsoll_formats::dockerfile::{Args, Dockerfile, Keyword, Source};

use super::add_instead_of_copy::is_url;
use super::support::at_stage;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports `ADD` of a URL without `--checksum=sha256:...` (or, for a Git repository, not
    /// pinned to a full commit hash with `#<commit>`).
    ///
    /// ## Why it matters
    /// The file is whatever the server returns at build time. A compromised or changed release
    /// page, a moved `latest` link or a redirect puts different bytes in the image, unseen by
    /// review and different from one build to the next. With `--checksum` the build fails
    /// instead. The same goes for the base image (DKR-001) and for `curl | sh` (DKR-029).
    ///
    /// ## How to fix
    /// Pin the download with `--checksum` (BuildKit), so a changed file fails the build:
    ///
    /// ```dockerfile
    /// ADD --checksum=sha256:24454f830cdd571e2c4ad5ab1ffd0d9f0e3b4c7a1b... \
    ///     https://github.com/acme/tool/releases/download/v1.2.3/tool.tar.gz /tmp/
    /// ```
    ///
    /// ## Severity
    /// Medium: unverified code and data enter the image on every build.
    pub struct AddFromUrl {
        id: "DKR-020",
        name: "add-from-url",
        gap: Image,
        severity: Medium,
        target: Target::Dockerfiles,
        summary: "`ADD` downloads a URL without a checksum",
        peers: [Checkov: ["CKV_DOCKER_4"], Trivy: ["DS-0005"]],
    }
}

fn pinned_git(url: &str) -> bool {
    url.rsplit_once('#').is_some_and(|(_, r)| {
        let r = r.split(':').next().unwrap_or("");
        r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

impl Rule for AddFromUrl {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for i in &d.instructions {
            if i.keyword != Keyword::Add || i.flag("checksum").is_some() {
                continue;
            }
            let Args::Files { sources, .. } = &i.args else {
                continue;
            };
            for s in sources {
                let Source::Path(w) = s else { continue };
                if !is_url(&w.value) {
                    continue;
                }
                let git = w.value.starts_with("git@") || w.value.contains(".git");
                if git && pinned_git(&w.value) {
                    continue;
                }
                at_stage(cx, d, i.stage);
                let msg = if git {
                    format!(
                        "`ADD` clones `{}` at whatever its branch or tag points to at build time",
                        w.value
                    )
                } else {
                    format!(
                        "`ADD` downloads `{}` without `--checksum`, so the image gets whatever the server returns",
                        w.value
                    )
                };
                cx.report_span(w.span, msg);
            }
        }
    }
}
