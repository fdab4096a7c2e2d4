use plimsoll_yaml::YamlFile;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports a mapping key written twice in the same YAML mapping.
    ///
    /// ## Why it matters
    /// Kubernetes keeps the last value and silently drops the first, so the manifest a reviewer
    /// reads is not the object the cluster gets: a `securityContext` or `resources` block written
    /// twice means one of them is ignored. Strict decoders (`kubectl --validate=strict`) reject it.
    ///
    /// ## How to fix
    /// Merge the two entries into one key.
    ///
    /// ## Severity
    /// Low: usually a copy-and-paste slip, but it hides what is really deployed.
    pub struct DuplicateKey {
        id: "CHG-002",
        name: "duplicate-key",
        gap: Change,
        severity: Low,
        target: Target::Files,
        summary: "Mapping key appears twice; Kubernetes keeps only the last",
        peers: [],
    }
}

impl Rule for DuplicateKey {
    fn check_file(&self, f: &YamlFile, cx: &mut Cx<'_>) {
        for d in &f.documents {
            for dup in &d.duplicates {
                let first = f.source.line_col(dup.first.start).line;
                cx.report_span(
                    dup.duplicate,
                    format!(
                        "key `{}` repeats the one on line {first}; only this one takes effect",
                        dup.key
                    ),
                );
            }
        }
    }
}
