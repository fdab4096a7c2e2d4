use crate::rule::Rule;
// the cron field parser and Go durations live in the model (declared RPOs use them too)
use plimsoll_model::cron::{field, go_duration_secs};

mod backup_excludes_stateful_namespace;
mod backup_less_than_daily;
mod backup_retention_short;
mod backup_schedule_invalid_cron;
mod backup_schedule_paused;
mod backup_skips_volume_data;
mod namespace_claims_not_backed_up;
mod restore_not_tested;
mod stateful_workload_not_backed_up;

pub const RULES: &[&dyn Rule] = &[
    &stateful_workload_not_backed_up::StatefulWorkloadNotBackedUp,
    &backup_schedule_invalid_cron::BackupScheduleInvalidCron,
    &backup_retention_short::BackupRetentionShort,
    &namespace_claims_not_backed_up::NamespaceClaimsNotBackedUp,
    &backup_excludes_stateful_namespace::BackupExcludesStatefulNamespace,
    &backup_skips_volume_data::BackupSkipsVolumeData,
    &backup_schedule_paused::BackupSchedulePaused,
    &backup_less_than_daily::BackupLessThanDaily,
    &restore_not_tested::RestoreNotTested,
];

/// Which backup operator a schedule object belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operator {
    Velero,
    K8up,
    Cnpg,
}

impl Operator {
    fn of(o: &plimsoll_model::Object<'_>) -> Option<Operator> {
        match (o.group(), o.kind) {
            ("velero.io", "Schedule") => Some(Operator::Velero),
            ("k8up.io", "Schedule") => Some(Operator::K8up),
            ("postgresql.cnpg.io", "ScheduledBackup") => Some(Operator::Cnpg),
            _ => None,
        }
    }

    /// The backup schedule expression of the object: Velero `spec.schedule`, K8up
    /// `spec.backup.schedule`, CloudNativePG `spec.schedule`.
    fn backup_schedule<'a>(
        self,
        o: &plimsoll_model::Object<'a>,
    ) -> Option<plimsoll_yaml::Node<'a>> {
        let spec = o.spec()?;
        match self {
            Operator::Velero | Operator::Cnpg => spec.get("schedule"),
            Operator::K8up => spec.path(&["backup", "schedule"]),
        }
    }

    /// CloudNativePG schedules have a leading seconds field.
    fn with_seconds(self) -> bool {
        self == Operator::Cnpg
    }
}

/// A parsed cron schedule: how many days at most pass between two runs.
#[derive(Debug, PartialEq)]
enum Cron {
    /// Runs on every day (or more often).
    Daily,
    /// Skips some days; the text says how often it runs.
    LessThanDaily(String),
}

/// Parse a cron expression the way robfig/cron (used by Velero, K8up and CloudNativePG) does:
/// five fields (six with seconds), names for months and weekdays, `*`, `?`, ranges, lists,
/// steps, the `@daily`-style descriptors and `@every <duration>`; K8up also knows
/// `@daily-random` and friends. `Err` says what is wrong.
fn parse_cron(expr: &str, with_seconds: bool, k8up: bool) -> Result<Cron, String> {
    let mut e = expr.trim();
    if let Some(rest) = e.strip_prefix("CRON_TZ=").or_else(|| e.strip_prefix("TZ=")) {
        e = rest.split_once(' ').map(|(_, r)| r.trim()).unwrap_or("");
    }
    if e.is_empty() {
        return Err("the schedule is empty".into());
    }
    if let Some(d) = e.strip_prefix('@') {
        let base = if k8up {
            d.strip_suffix("-random").unwrap_or(d)
        } else {
            d
        };
        return match base {
            "yearly" | "annually" => Ok(Cron::LessThanDaily("once a year".into())),
            "monthly" => Ok(Cron::LessThanDaily("once a month".into())),
            "weekly" => Ok(Cron::LessThanDaily("once a week".into())),
            "daily" | "midnight" | "hourly" => Ok(Cron::Daily),
            _ => match d.strip_prefix("every ") {
                Some(dur) => match go_duration_secs(dur.trim()) {
                    Some(s) if s <= 0.0 => {
                        Err(format!("`@every {dur}` is not a positive duration"))
                    }
                    Some(s) if s > 86_400.0 => {
                        Ok(Cron::LessThanDaily(format!("every {}", dur.trim())))
                    }
                    Some(_) => Ok(Cron::Daily),
                    None => Err(format!("`{}` is not a Go duration", dur.trim())),
                },
                None => Err(format!("`@{d}` is not a known descriptor")),
            },
        };
    }
    let fields: Vec<&str> = e.split_whitespace().collect();
    let want = if with_seconds { 6 } else { 5 };
    if fields.len() != want {
        return Err(format!(
            "{} fields where {want} are expected: {}minute hour day-of-month month day-of-week",
            fields.len(),
            if with_seconds { "second " } else { "" }
        ));
    }
    let f = if with_seconds {
        &fields[1..]
    } else {
        &fields[..]
    };
    if with_seconds {
        field(fields[0], 0, 59, &[], "second")?;
    }
    field(f[0], 0, 59, &[], "minute")?;
    field(f[1], 0, 23, &[], "hour")?;
    let (dom, dom_star) = field(f[2], 1, 31, &[], "day-of-month")?;
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    let (month, _) = field(f[3], 1, 12, &MONTHS, "month")?;
    let (dow, dow_star) = field(f[4], 0, 6, &DAYS, "day-of-week")?;
    let all = |set: &[bool], lo: usize, hi: usize| (lo..=hi).all(|i| set[i]);
    let every_month = all(&month, 1, 12);
    let every_day = if dom_star || dow_star {
        all(&dom, 1, 31) && all(&dow, 0, 6)
    } else {
        all(&dom, 1, 31) || all(&dow, 0, 6)
    };
    if every_month && every_day {
        Ok(Cron::Daily)
    } else if !every_month {
        Ok(Cron::LessThanDaily("in some months only".into()))
    } else if all(&dom, 1, 31) || dom_star {
        let n = (0..=6).filter(|&i| dow[i]).count();
        Ok(Cron::LessThanDaily(format!("on {n} day(s) a week")))
    } else {
        Ok(Cron::LessThanDaily("on some days of the month only".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_parses_like_robfig() {
        assert_eq!(parse_cron("0 2 * * *", false, false), Ok(Cron::Daily));
        assert_eq!(parse_cron("*/15 * * * *", false, false), Ok(Cron::Daily));
        assert_eq!(parse_cron("0 3 * * SUN-SAT", false, false), Ok(Cron::Daily));
        assert_eq!(parse_cron("@every 6h", false, false), Ok(Cron::Daily));
        assert_eq!(
            parse_cron("CRON_TZ=Europe/Paris 0 2 * * *", false, false),
            Ok(Cron::Daily)
        );
        assert_eq!(parse_cron("0 0 0 * * *", true, false), Ok(Cron::Daily));
        assert_eq!(parse_cron("@daily-random", false, true), Ok(Cron::Daily));
        assert!(matches!(
            parse_cron("0 2 * * 0", false, false),
            Ok(Cron::LessThanDaily(_))
        ));
        assert!(matches!(
            parse_cron("0 2 */2 * *", false, false),
            Ok(Cron::LessThanDaily(_))
        ));
        assert!(matches!(
            parse_cron("0 2 1 * *", false, false),
            Ok(Cron::LessThanDaily(_))
        ));
        assert!(matches!(
            parse_cron("@weekly", false, false),
            Ok(Cron::LessThanDaily(_))
        ));
        assert!(matches!(
            parse_cron("@every 48h", false, false),
            Ok(Cron::LessThanDaily(_))
        ));
        assert!(parse_cron("0 2 * *", false, false).is_err());
        assert!(parse_cron("0 25 * * *", false, false).is_err());
        assert!(parse_cron("0 2 * * 7", false, false).is_err());
        assert!(parse_cron("60 * * * *", false, false).is_err());
        assert!(parse_cron("0 2 * * *", true, false).is_err());
        assert!(parse_cron("@daily-random", false, false).is_err());
        assert!(parse_cron("@fortnightly", false, false).is_err());
        assert!(parse_cron("0 5-2 * * *", false, false).is_err());
        assert!(parse_cron("0 3 * * MON-SUN", false, false).is_err());
    }

    #[test]
    fn go_durations() {
        assert_eq!(go_duration_secs("720h0m0s"), Some(720.0 * 3600.0));
        assert_eq!(go_duration_secs("1.5h"), Some(5400.0));
        assert_eq!(go_duration_secs("90m"), Some(5400.0));
        assert_eq!(go_duration_secs("7d"), None);
        assert_eq!(go_duration_secs(""), None);
    }
}
