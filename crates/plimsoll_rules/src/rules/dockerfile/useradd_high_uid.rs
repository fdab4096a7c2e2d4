use plimsoll_formats::dockerfile::Dockerfile;

use super::support::{at_stage, runs};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports `useradd` with a UID of more than five digits (`-u 1000000`) and without
    /// `-l`/`--no-log-init`.
    ///
    /// ## Why it matters
    /// `useradd` reserves space for the new user in the sparse `/var/log/lastlog` and
    /// `/var/log/faillog` files, indexed by UID. Docker's layer storage does not keep them
    /// sparse: a UID of 100000000 writes gigabytes of zeros into the image, making it slow to
    /// push and pull and filling node disks.
    ///
    /// ## How to fix
    /// Add `--no-log-init` (`-l`):
    ///
    /// ```dockerfile
    /// RUN useradd --no-log-init --uid 100000 --create-home app
    /// ```
    ///
    /// ## Severity
    /// Low: it bloats the image, it does not open anything.
    pub struct UseraddHighUid {
        id: "DKR-027",
        name: "useradd-high-uid",
        gap: Image,
        severity: Low,
        target: Target::Dockerfiles,
        summary: "`useradd` with a high UID and without `-l` bloats the image",
        peers: [Hadolint: ["DL3046"]],
    }
}

impl Rule for UseraddHighUid {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for (run, script) in runs(d) {
            for c in script.programs().filter(|c| c.name() == "useradd") {
                if c.has_flag(&['l'], &["no-log-init"]) {
                    continue;
                }
                let Some(uid) = c.option(Some('u'), "uid") else {
                    continue;
                };
                let v = uid.value.rsplit('=').next().unwrap_or("");
                let v = v.strip_prefix("-u").unwrap_or(v);
                if v.len() > 5 && v.bytes().all(|b| b.is_ascii_digit()) {
                    at_stage(cx, d, run.stage);
                    cx.report_span(
                        uid.span,
                        format!("`useradd` with UID {v} and without `-l` writes huge lastlog and faillog files into the layer"),
                    );
                }
            }
        }
    }
}
