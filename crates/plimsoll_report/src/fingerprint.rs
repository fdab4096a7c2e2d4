//! Stable finding fingerprints: the same gap keeps the same fingerprint when lines move.

use plimsoll_model::Finding;

fn fnv1a(bytes: &[u8], mut h: u64) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

/// A hex fingerprint built from the rule, the file, the object, the container and the message
/// with its numbers blanked (not the line or column, and not a line number a message may
/// mention), so it survives reformatting and moved lines.
pub fn fingerprint(f: &Finding, path: &str) -> String {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    let message: String = f
        .message
        .chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect();
    for part in [
        f.rule.id,
        path,
        &f.object.as_ref().map(|o| o.to_string()).unwrap_or_default(),
        f.container.as_deref().unwrap_or(""),
        &message,
    ] {
        h = fnv1a(part.as_bytes(), h);
        h = fnv1a(&[0], h);
    }
    format!("{h:016x}")
}
