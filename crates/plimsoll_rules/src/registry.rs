//! The registry: every rule, gap by gap. Ids are never reused.

use crate::rule::Rule;
use crate::rules;

/// Every registered rule, in gap order.
pub fn all() -> Vec<&'static dyn Rule> {
    [
        rules::image::RULES,
        rules::workload::RULES,
        rules::storage::RULES,
        rules::network::RULES,
        rules::observability::RULES,
        rules::resilience::RULES,
        rules::access::RULES,
        rules::secrets::RULES,
        rules::change::RULES,
        rules::recovery::RULES,
        rules::compose::RULES,
        rules::systemd::RULES,
        rules::dockerfile::RULES,
        rules::declarations::RULES,
        &[
            &crate::suppress::SuppressionWithoutReason,
            &crate::suppress::SuppressionExpired,
        ],
    ]
    .into_iter()
    .flatten()
    .copied()
    .collect()
}

/// A rule by id (`IMG-001`) or name (`image-tag-mutable`), case-insensitive.
pub fn find(key: &str) -> Option<&'static dyn Rule> {
    all().into_iter().find(|r| {
        let m = r.meta();
        m.id.eq_ignore_ascii_case(key) || m.name.eq_ignore_ascii_case(key)
    })
}
