//! Timestamps (RFC 3339, UTC) and human durations (`90s`, `15m`, `1h30m`, `7d`), without a
//! date-time dependency: the drill only needs UTC civil time and second resolution.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now.
pub fn now_unix() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// `2026-11-01T12:00:00Z` for Unix seconds (fractions are dropped).
pub fn rfc3339(unix: f64) -> String {
    let secs = unix.floor() as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// The current time as RFC 3339.
pub fn now_rfc3339() -> String {
    rfc3339(now_unix())
}

/// Compact UTC stamp for identifiers: `20261101t120000`.
pub fn compact_stamp(unix: f64) -> String {
    rfc3339(unix)
        .replace(['-', ':'], "")
        .trim_end_matches('Z')
        .to_ascii_lowercase()
}

/// Unix seconds of a file's modification time.
pub fn mtime_unix(meta: &std::fs::Metadata) -> Option<f64> {
    meta.modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs_f64())
}

/// Parses `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS`, optionally followed by fractional
/// seconds, `Z`, ` UTC`, ` GMT` or a numeric offset (`+02`, `+0200`, `+02:00`), into Unix
/// seconds. A bare timestamp without a zone is taken as UTC. Other zone names are refused
/// (`None`): they cannot be resolved without a zone database.
pub fn parse_timestamp(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.len() < 19 {
        return None;
    }
    let b = t.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = t.get(r)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    if b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b' ' || b[10] == b'T')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = &t[19..];
    let mut frac = 0.0;
    if let Some(r) = rest.strip_prefix('.') {
        let digits: String = r.chars().take_while(|c| c.is_ascii_digit()).collect();
        frac = format!("0.{digits}").parse().unwrap_or(0.0);
        rest = &r[digits.len()..];
    }
    let rest = rest.trim();
    let offset = match rest {
        "" | "Z" | "z" | "UTC" | "GMT" | "+00" | "+0000" | "+00:00" => 0,
        _ => {
            let (sign, body) = match rest.as_bytes()[0] {
                b'+' => (1, &rest[1..]),
                b'-' => (-1, &rest[1..]),
                _ => return None,
            };
            let body: String = body.chars().filter(|c| *c != ':').collect();
            if !body.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let (oh, om) = match body.len() {
                2 => (body.parse::<i64>().ok()?, 0),
                4 => (
                    body[..2].parse::<i64>().ok()?,
                    body[2..].parse::<i64>().ok()?,
                ),
                _ => return None,
            };
            sign * (oh * 3600 + om * 60)
        }
    };
    let days = days_from_civil(y, mo, d);
    Some((days * 86_400 + h * 3600 + mi * 60 + s - offset) as f64 + frac)
}

/// Howard Hinnant's `days_from_civil`.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// Parses a duration: a bare number of seconds, or a sequence of `<number><unit>` with units
/// `ms`, `s`, `m`, `h`, `d`, `w` (`1h30m`, `15m`, `7d`, `0.5h`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty duration".into());
    }
    if let Ok(secs) = t.parse::<f64>() {
        return to_duration(secs, text);
    }
    let mut total = 0.0;
    let mut rest = t;
    while !rest.is_empty() {
        let n_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if n_len == 0 {
            return Err(format!(
                "invalid duration `{text}`: expected a number at `{rest}`"
            ));
        }
        let n: f64 = rest[..n_len]
            .parse()
            .map_err(|_| format!("invalid duration `{text}`"))?;
        rest = &rest[n_len..];
        let u_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit = &rest[..u_len];
        rest = rest[u_len..].trim_start();
        let scale = match unit {
            "ms" => 0.001,
            "s" | "sec" | "secs" => 1.0,
            "m" | "min" | "mins" => 60.0,
            "h" | "hr" | "hrs" => 3600.0,
            "d" | "day" | "days" => 86_400.0,
            "w" | "week" | "weeks" => 604_800.0,
            "" => return Err(format!("invalid duration `{text}`: missing unit after {n}")),
            other => {
                return Err(format!(
                    "invalid duration `{text}`: unknown unit `{other}` (use ms, s, m, h, d, w)"
                ));
            }
        };
        total += n * scale;
    }
    to_duration(total, text)
}

fn to_duration(secs: f64, text: &str) -> Result<Duration, String> {
    if secs.is_finite() && secs >= 0.0 {
        Ok(Duration::from_secs_f64(secs))
    } else {
        Err(format!("invalid duration `{text}`"))
    }
}

/// `1h02m03s`, `4m05s`, `12.3s`: for the human summary.
pub fn human_duration(secs: f64) -> String {
    if secs < 60.0 {
        return format!("{secs:.1}s");
    }
    let s = secs.round() as u64;
    let (d, h, m, s) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60, s % 60);
    if d > 0 {
        format!("{d}d{h:02}h{m:02}m")
    } else if h > 0 {
        format!("{h}h{m:02}m{s:02}s")
    } else {
        format!("{m}m{s:02}s")
    }
}

/// `1.2 GB`, `340 MB`, `12 kB`, `512 B` (decimal units).
pub fn human_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1e9 {
        format!("{:.2} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.1} kB", b / 1e3)
    } else {
        format!("{bytes} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip() {
        assert_eq!(rfc3339(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_793_534_400.0), "2026-11-01T12:00:00Z");
        assert_eq!(
            parse_timestamp("2026-11-01T12:00:00Z"),
            Some(1_793_534_400.0)
        );
        assert_eq!(
            parse_timestamp("2026-11-01 12:00:00 UTC"),
            Some(1_793_534_400.0)
        );
        assert_eq!(
            parse_timestamp("2026-11-01 14:00:00+02"),
            Some(1_793_534_400.0)
        );
        assert_eq!(
            parse_timestamp("2026-11-01 14:00:00 +02:00"),
            Some(1_793_534_400.0)
        );
        assert_eq!(
            parse_timestamp("2026-11-01 12:00:00.5"),
            Some(1_793_534_400.5)
        );
        assert_eq!(parse_timestamp("2026-11-01 12:00:00 CET"), None);
        assert_eq!(
            parse_timestamp("2024-02-29 00:00:00"),
            Some(1_709_164_800.0)
        );
        assert_eq!(compact_stamp(1_793_534_400.0), "20261101t120000");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("7d").unwrap(), Duration::from_secs(604_800));
        assert_eq!(parse_duration("0.5h").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("-3").is_err());
        assert_eq!(human_duration(5.25), "5.2s");
        assert_eq!(human_duration(3723.0), "1h02m03s");
    }
}
