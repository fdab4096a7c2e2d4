use plimsoll_formats::dockerfile::{Args, Dockerfile, Keyword, Source};

use super::support::at_stage;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports `ADD` used to copy local files or directories: a source that is neither a URL
    /// nor a local tar archive (which `ADD` unpacks, and which is the one thing it is for).
    /// Sources given by a variable or a here-document are skipped.
    ///
    /// ## Why it matters
    /// `ADD` does more than copy: it unpacks archives and downloads URLs. Used for plain files
    /// it hides those side effects from reviewers: a file renamed to `.tar.gz` is silently
    /// unpacked into the image, and a source changed to a URL is silently fetched. `COPY` does
    /// exactly one thing and says so.
    ///
    /// ## How to fix
    /// Copy local files with `COPY`; keep `ADD` for the archives you want unpacked:
    ///
    /// ```dockerfile
    /// COPY --chown=app:app src/ /app/src/
    /// ```
    ///
    /// ## Severity
    /// Low: a hygiene rule that keeps the image's content predictable.
    pub struct AddInsteadOfCopy {
        id: "DKR-006",
        name: "add-instead-of-copy",
        gap: Image,
        severity: Low,
        target: Target::Dockerfiles,
        summary: "`ADD` copies local files; use `COPY`",
        peers: [
            Hadolint: ["DL3020"],
            Checkov: ["CKV_DOCKER_4"],
            Trivy: ["DS-0005"],
        ],
    }
}

/// What `ADD` unpacks (local tar archives, compressed or not).
pub(super) fn is_archive(path: &str) -> bool {
    const EXT: &[&str] = &[
        ".tar",
        ".tar.gz",
        ".tgz",
        ".tar.bz2",
        ".tbz",
        ".tbz2",
        ".tb2",
        ".tar.xz",
        ".txz",
        ".tar.lz",
        ".tlz",
        ".tar.lzma",
        ".tar.z",
        ".tz",
        ".tar.zst",
        ".tzst",
        ".gz",
        ".bz2",
        ".xz",
        ".lz",
        ".lzma",
        ".z",
        ".zst",
    ];
    let p = path.trim_matches(['"', '\'']).to_ascii_lowercase();
    EXT.iter().any(|e| p.ends_with(e))
}

pub(super) fn is_url(path: &str) -> bool {
    let p = path.trim_matches(['"', '\'']);
    p.starts_with("http://") || p.starts_with("https://") || p.starts_with("git@")
}

impl Rule for AddInsteadOfCopy {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for i in &d.instructions {
            if i.keyword != Keyword::Add {
                continue;
            }
            let Args::Files { sources, .. } = &i.args else {
                continue;
            };
            let local = sources.iter().find_map(|s| match s {
                Source::Path(w)
                    if !w.is_dynamic() && !is_url(&w.value) && !is_archive(&w.value) =>
                {
                    Some(w)
                }
                _ => None,
            });
            if let Some(w) = local {
                at_stage(cx, d, i.stage);
                cx.report_span(
                    i.keyword_span,
                    format!(
                        "`ADD` copies the local path `{}`; `COPY` does the same without unpacking or downloading",
                        w.value
                    ),
                );
            }
        }
    }
}
