//! Cron expressions as robfig/cron (used by Velero, K8up and CloudNativePG) reads them: the
//! field parser shared with the recovery rules, Go durations (`720h0m0s`), and the worst-case
//! interval between two runs of a schedule (what a declared RPO is compared with).

/// One cron field: the set of values it selects (indexed by value, 64 slots) and whether it is
/// a plain `*`/`?` (robfig's "star bit": `*/2` is not a star).
pub fn field(
    text: &str,
    min: u32,
    max: u32,
    names: &[&str],
    what: &str,
) -> Result<(Vec<bool>, bool), String> {
    let mut set = vec![false; 64];
    let mut star = false;
    let value = |s: &str| -> Result<u32, String> {
        let lower = s.to_ascii_lowercase();
        if let Some(i) = names.iter().position(|n| *n == lower) {
            return Ok(i as u32 + if min == 1 { 1 } else { 0 });
        }
        let v: u32 = s
            .parse()
            .map_err(|_| format!("`{s}` is not a valid {what}"))?;
        if v < min || v > max {
            return Err(format!("{what} `{v}` is outside {min}-{max}"));
        }
        Ok(v)
    };
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let step: u32 = s
                    .parse()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| format!("`{s}` is not a valid step in the {what} field"))?;
                (r, Some(step))
            }
            None => (part, None),
        };
        let (lo, hi) = if range == "*" || range == "?" {
            if step.is_none_or(|s| s == 1) {
                star = true;
            }
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            let (a, b) = (value(a)?, value(b)?);
            if a > b {
                return Err(format!("range `{range}` of the {what} field is backwards"));
            }
            (a, b)
        } else {
            let a = value(range)?;
            (a, if step.is_some() { max } else { a })
        };
        let mut v = lo;
        while v <= hi {
            set[v as usize] = true;
            v += step.unwrap_or(1);
        }
    }
    Ok((set, star))
}

/// A Go `time.Duration` string (`720h0m0s`, `1.5h`, `90m`) in seconds.
pub fn go_duration_secs(s: &str) -> Option<f64> {
    let s = s.trim();
    if s == "0" {
        return Some(0.0);
    }
    let mut rest = s;
    let mut total = 0.0;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let mult = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        total += n * mult;
        rest = &rest[unit_len..];
    }
    Some(total)
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// The longest time, in seconds, that can pass between two runs of a schedule: `0 * * * *` is
/// 3600, `0 2 * * *` 86400, `0 2 * * 1-5` three days (Friday to Monday), `@every 6h` 21600.
/// `with_seconds` reads a leading seconds field (CloudNativePG); `k8up` accepts K8up's
/// `@daily-random` descriptors (as often as their plain form). `None` when the expression does
/// not parse or never runs (`0 0 30 2 *`).
pub fn max_interval_secs(expr: &str, with_seconds: bool, k8up: bool) -> Option<u64> {
    let mut e = expr.trim();
    if let Some(rest) = e.strip_prefix("CRON_TZ=").or_else(|| e.strip_prefix("TZ=")) {
        e = rest.split_once(' ').map(|(_, r)| r.trim()).unwrap_or("");
    }
    if let Some(d) = e.strip_prefix('@') {
        let base = if k8up {
            d.strip_suffix("-random").unwrap_or(d)
        } else {
            d
        };
        let spelled = match base {
            "yearly" | "annually" => "0 0 1 1 *",
            "monthly" => "0 0 1 * *",
            "weekly" => "0 0 * * 0",
            "daily" | "midnight" => "0 0 * * *",
            "hourly" => "0 * * * *",
            _ => {
                let secs = go_duration_secs(d.strip_prefix("every ")?.trim())?;
                // robfig runs `@every` at least once a second
                return (secs > 0.0).then(|| (secs.ceil() as u64).max(1));
            }
        };
        return max_interval_secs(spelled, false, false);
    }
    let fields: Vec<&str> = e.split_whitespace().collect();
    if fields.len() != if with_seconds { 6 } else { 5 } {
        return None;
    }
    let (secs, f) = if with_seconds {
        (field(fields[0], 0, 59, &[], "second").ok()?.0, &fields[1..])
    } else {
        let mut s = vec![false; 64];
        s[0] = true;
        (s, &fields[..])
    };
    let minutes = field(f[0], 0, 59, &[], "minute").ok()?.0;
    let hours = field(f[1], 0, 23, &[], "hour").ok()?.0;
    let (dom, dom_star) = field(f[2], 1, 31, &[], "day-of-month").ok()?;
    let (months, _) = field(f[3], 1, 12, &MONTHS, "month").ok()?;
    let (dow, dow_star) = field(f[4], 0, 6, &DAYS, "day-of-week").ok()?;
    // the times of day it runs, in seconds, ascending
    let mut times = Vec::new();
    for h in (0..24).filter(|&h| hours[h]) {
        for m in (0..60).filter(|&m| minutes[m]) {
            for s in (0..60).filter(|&s| secs[s]) {
                times.push((h * 3600 + m * 60 + s) as u64);
            }
        }
    }
    let (first, last) = (*times.first()?, *times.last()?);
    let mut worst = times.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
    // the days it runs over 28 years (a whole cycle of weekdays and leap years)
    let (mut y, mut mo, mut d, mut wd) = (2000u32, 1usize, 1usize, 6usize); // 2000-01-01: Saturday
    let mut prev_day: Option<u64> = None;
    let mut runs_daily_somewhere = false;
    for day in 0..(28 * 365 + 7) as u64 {
        let day_ok = if dom_star || dow_star {
            dom[d] && dow[wd]
        } else {
            dom[d] || dow[wd]
        };
        if months[mo] && day_ok {
            if let Some(p) = prev_day {
                worst = worst.max((day - p) * 86_400 + first - last);
            } else {
                runs_daily_somewhere = true;
            }
            prev_day = Some(day);
        }
        wd = (wd + 1) % 7;
        d += 1;
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let len = [
            31,
            if leap { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ][mo - 1];
        if d > len {
            d = 1;
            mo += 1;
            if mo > 12 {
                mo = 1;
                y += 1;
            }
        }
    }
    runs_daily_somewhere.then_some(worst)
}

/// A number of seconds the way `readiness.yaml` writes durations: `45s`, `15m`, `1h30m`, `2d`.
pub fn format_secs(secs: u64) -> String {
    if secs == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut rest = secs;
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_case_intervals() {
        let m = |e: &str| max_interval_secs(e, false, false);
        assert_eq!(m("0 * * * *"), Some(3600));
        assert_eq!(m("*/15 * * * *"), Some(900));
        assert_eq!(m("0 2 * * *"), Some(86_400));
        assert_eq!(m("0 2,14 * * *"), Some(12 * 3600));
        assert_eq!(m("0 1,2 * * *"), Some(23 * 3600));
        // weekdays only: Friday 02:00 to Monday 02:00
        assert_eq!(m("0 2 * * 1-5"), Some(3 * 86_400));
        assert_eq!(m("0 3 * * SUN"), Some(7 * 86_400));
        assert_eq!(m("@weekly"), Some(7 * 86_400));
        assert_eq!(m("@hourly"), Some(3600));
        assert_eq!(m("@every 6h"), Some(6 * 3600));
        // 31-day months: from the 1st of a 31-day month to the 1st of the next
        assert_eq!(m("@monthly"), Some(31 * 86_400));
        assert_eq!(m("0 0 1 1 *"), Some(366 * 86_400));
        assert_eq!(m("CRON_TZ=Europe/Paris 30 * * * *"), Some(3600));
        assert_eq!(max_interval_secs("*/30 * * * * *", true, false), Some(30));
        assert_eq!(
            max_interval_secs("@daily-random", false, true),
            Some(86_400)
        );
        assert_eq!(m("@daily-random"), None);
        assert_eq!(m("0 0 30 2 *"), None);
        assert_eq!(m("0 25 * * *"), None);
        assert_eq!(m("not cron"), None);
    }

    #[test]
    fn durations_print_compactly() {
        assert_eq!(format_secs(3600), "1h");
        assert_eq!(format_secs(5400), "1h30m");
        assert_eq!(format_secs(2 * 86_400), "2d");
        assert_eq!(format_secs(45), "45s");
    }

    #[test]
    fn go_durations() {
        assert_eq!(go_duration_secs("720h0m0s"), Some(720.0 * 3600.0));
        assert_eq!(go_duration_secs("1.5h"), Some(5400.0));
        assert_eq!(go_duration_secs("7d"), None);
    }
}
