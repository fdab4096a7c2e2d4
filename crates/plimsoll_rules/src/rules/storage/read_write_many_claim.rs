use plimsoll_model::Object;

use super::claims;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports PersistentVolumeClaims and StatefulSet `volumeClaimTemplates` that ask for the
    /// `ReadWriteMany` access mode.
    ///
    /// ## Why it matters
    /// `ReadWriteMany` lets every pod on every node write the same volume at once. Only network
    /// filesystems offer it (NFS, CephFS, EFS, Azure Files), with weaker locking, consistency and
    /// latency than a block device; software that assumes it is the only writer (databases,
    /// embedded stores, most caches) corrupts its files when a second replica or a rolling update
    /// opens them. It is also rarely what was meant: the mode is often copied from an example.
    /// `ReadWriteOncePod` or `ReadWriteOnce` make the single-writer assumption true.
    ///
    /// ## How to fix
    /// Ask for one writer, and share data through the application instead of the filesystem:
    ///
    /// ```yaml
    /// spec:
    ///   accessModes: [ReadWriteOncePod]   # or ReadWriteOnce
    ///   resources: {requests: {storage: 20Gi}}
    /// ```
    ///
    /// ## Severity
    /// Low: many uses of a shared volume are deliberate and safe (static assets, uploads); the
    /// finding asks to confirm that the writers coordinate.
    pub struct ReadWriteManyClaim {
        id: "STO-005",
        name: "read-write-many-claim",
        gap: Storage,
        severity: Low,
        target: Target::Kinds(&["PersistentVolumeClaim", "StatefulSet"]),
        summary: "Volume claim asks for `ReadWriteMany`",
        peers: [
            Kyverno: ["other/enforce-readwriteonce-pod"],
        ],
    }
}

impl Rule for ReadWriteManyClaim {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        for c in claims(o) {
            for m in c
                .spec
                .and_then(|s| s.get("accessModes"))
                .into_iter()
                .flat_map(|m| m.items())
            {
                if m.as_str() == Some("ReadWriteMany") {
                    cx.report(
                        m,
                        format!(
                            "{} asks for `ReadWriteMany`: every pod on every node can write it at once",
                            c.what
                        ),
                    );
                }
            }
        }
    }
}
