//! The drill record (`plimsoll/drill/v1`): written by every drill, read back by the scanner
//! (`plimsoll scan --evidence DIR`, `.plimsoll/evidence/`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::time::{human_bytes, human_duration, parse_timestamp};

pub const SCHEMA: &str = "plimsoll/drill/v1";

/// One drill.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DrillRecord {
    pub schema: String,
    pub id: String,
    #[serde(default)]
    pub service: Option<String>,
    /// `logical` (pg_dump archive) or `physical` (base backup).
    #[serde(default)]
    pub mode: String,
    /// The source database, redacted (no password), when one was given.
    #[serde(default)]
    pub source: Option<String>,
    pub backup: BackupRecord,
    pub target: TargetRecord,
    pub steps: Vec<StepRecord>,
    pub checks: Vec<CheckRecord>,
    pub measurements: Measurements,
    pub targets: Targets,
    pub verdict: Verdict,
    /// Why the verdict is `fail`, one line each.
    #[serde(default)]
    pub failures: Vec<String>,
    #[serde(default)]
    pub warnings: Vec<String>,
    #[serde(default)]
    pub started_at: String,
    pub finished_at: String,
    /// `plimsoll <version>`.
    #[serde(default)]
    pub tool: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupRecord {
    pub path: String,
    /// `custom`, `directory`, `tar`, `plain`, `base-backup`, or `fresh-dump`.
    pub format: String,
    /// `sha256:…` (archive file), `toc-sha256:…` (directory archive), `manifest-sha256:…`
    /// (base backup).
    #[serde(default)]
    pub identity: Option<String>,
    /// When the backup was taken (RFC 3339), and from what that is known.
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub created_at_source: Option<String>,
    /// Backup age when the drill started: the recovery point actually achieved.
    #[serde(default)]
    pub age_seconds: Option<f64>,
    #[serde(default)]
    pub bytes: Option<u64>,
    #[serde(default)]
    pub database: Option<String>,
    #[serde(default)]
    pub server_version: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TargetRecord {
    /// `scratch-database` (on --target), `scratch-server` (initdb), or
    /// `scratch-server-from-base-backup`.
    pub kind: String,
    /// The server, redacted.
    #[serde(default)]
    pub server: Option<String>,
    /// The scratch database (always `plimsoll_drill_<id>` for logical drills).
    #[serde(default)]
    pub database: Option<String>,
    #[serde(default)]
    pub server_version: Option<String>,
    /// Whether everything the drill created was removed.
    #[serde(default)]
    pub cleaned_up: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub name: String,
    pub started_at: String,
    pub seconds: f64,
    pub ok: bool,
    #[serde(default)]
    pub detail: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckRecord {
    /// `tables`, `rows public.orders`, `checksum public.orders`, `sql: select ...`
    pub name: String,
    /// `tables`, `rows`, `checksum`, `sql`.
    #[serde(default)]
    pub kind: String,
    pub ok: bool,
    #[serde(default)]
    pub expected: Option<String>,
    #[serde(default)]
    pub actual: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Measurements {
    /// Restore alone (pg_restore; for a base backup: copy + start + WAL replay).
    #[serde(default)]
    pub restore_seconds: Option<f64>,
    /// Counts, checksums and checks.
    #[serde(default)]
    pub verify_seconds: Option<f64>,
    /// From the start of the drill to the end of verification (compared with the RTO).
    #[serde(default)]
    pub recovery_seconds: Option<f64>,
    #[serde(default)]
    pub cleanup_seconds: Option<f64>,
    /// Whole drill, cleanup included.
    #[serde(default)]
    pub total_seconds: Option<f64>,
    /// `pg_database_size` of the restored database (data directory size for a base backup).
    #[serde(default)]
    pub bytes_restored: Option<u64>,
    #[serde(default)]
    pub throughput_bytes_per_second: Option<f64>,
    #[serde(default)]
    pub tables: Option<u64>,
    #[serde(default)]
    pub rows: Option<u64>,
    #[serde(default)]
    pub jobs: Option<u32>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Targets {
    #[serde(default)]
    pub rto_seconds: Option<f64>,
    #[serde(default)]
    pub rpo_seconds: Option<f64>,
    /// `None` when no target was declared.
    #[serde(default)]
    pub rto_met: Option<bool>,
    #[serde(default)]
    pub rpo_met: Option<bool>,
    /// `flags`, `readiness.yaml (<path>)`, or `none`.
    #[serde(default)]
    pub declared_in: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
}

impl DrillRecord {
    pub fn passed(&self) -> bool {
        self.verdict == Verdict::Pass
    }

    /// `finished_at` as Unix seconds.
    pub fn finished_unix(&self) -> Option<f64> {
        parse_timestamp(&self.finished_at)
    }

    /// Writes the record (pretty JSON) atomically: a temporary file renamed into place.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        }
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())? + "\n";
        let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
        std::fs::write(&tmp, text).map_err(|e| format!("writing {}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, path).map_err(|e| format!("writing {}: {e}", path.display()))
    }

    pub fn read(path: &Path) -> Result<DrillRecord, String> {
        let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
        parse(&text)
    }

    /// A short human summary.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let verdict = if self.passed() { "PASS" } else { "FAIL" };
        let service = self
            .service
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        s.push_str(&format!("plimsoll drill {}{service}: {verdict}\n", self.id));
        let b = &self.backup;
        let mut bl = format!("  backup    {} [{}]", b.path, b.format);
        if let Some(c) = &b.created_at {
            bl.push_str(&format!(", taken {c}"));
        }
        if let Some(a) = b.age_seconds {
            bl.push_str(&format!(", age {}", human_duration(a)));
        }
        if let Some(id) = &b.identity {
            let short: String = id
                .chars()
                .take(id.find(':').map_or(0, |i| i + 13))
                .collect();
            bl.push_str(&format!(", {short}…"));
        }
        s.push_str(&bl);
        s.push('\n');
        let t = &self.target;
        let mut tl = format!("  target    {}", t.kind);
        if let Some(d) = &t.database {
            tl.push_str(&format!(" {d}"));
        }
        if let Some(srv) = &t.server {
            tl.push_str(&format!(" on {srv}"));
        }
        tl.push_str(if t.cleaned_up {
            " (removed)"
        } else {
            " (NOT removed)"
        });
        s.push_str(&tl);
        s.push('\n');
        let m = &self.measurements;
        if let Some(r) = m.restore_seconds {
            let mut l = format!("  restore   {}", human_duration(r));
            if let Some(b) = m.bytes_restored {
                l.push_str(&format!(", {}", human_bytes(b)));
            }
            if let Some(tp) = m.throughput_bytes_per_second {
                l.push_str(&format!(", {}/s", human_bytes(tp as u64)));
            }
            if let Some(j) = m.jobs {
                l.push_str(&format!(", {j} job(s)"));
            }
            s.push_str(&l);
            s.push('\n');
        }
        if let Some(v) = m.verify_seconds {
            let by_kind = |k: &str| {
                let all: Vec<&CheckRecord> = self.checks.iter().filter(|c| c.kind == k).collect();
                (all.iter().filter(|c| c.ok).count(), all.len())
            };
            let mut l = format!("  verify    {}", human_duration(v));
            if let (Some(t), Some(r)) = (m.tables, m.rows) {
                l.push_str(&format!(", {t} tables, {r} rows"));
            }
            for (k, label) in [
                ("tables", "table list"),
                ("rows", "counts"),
                ("checksum", "checksums"),
                ("sql", "checks"),
            ] {
                let (ok, n) = by_kind(k);
                if n > 0 {
                    l.push_str(&format!("; {label} {ok}/{n}"));
                }
            }
            s.push_str(&l);
            s.push('\n');
        }
        let tg = &self.targets;
        let met = |m: Option<bool>| match m {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "no target",
        };
        if let Some(r) = m.recovery_seconds {
            let of = tg
                .rto_seconds
                .map(|t| format!(" of {}", human_duration(t)))
                .unwrap_or_default();
            s.push_str(&format!(
                "  RTO       {}{of} ({})\n",
                human_duration(r),
                met(tg.rto_met)
            ));
        }
        if let Some(a) = b.age_seconds {
            let of = tg
                .rpo_seconds
                .map(|t| format!(" of {}", human_duration(t)))
                .unwrap_or_default();
            s.push_str(&format!(
                "  RPO       {}{of} ({})\n",
                human_duration(a),
                met(tg.rpo_met)
            ));
        }
        for w in &self.warnings {
            s.push_str(&format!("  warning   {w}\n"));
        }
        for f in &self.failures {
            s.push_str(&format!("  FAILED    {f}\n"));
        }
        s
    }
}

/// Parses a record; refuses other schemas.
pub fn parse(text: &str) -> Result<DrillRecord, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    match v.get("schema").and_then(|s| s.as_str()) {
        Some(SCHEMA) => {}
        Some(other) => return Err(format!("schema `{other}`, expected `{SCHEMA}`")),
        None => return Err(format!("no `schema` field (expected `{SCHEMA}`)")),
    }
    serde_json::from_value(v).map_err(|e| format!("invalid drill record: {e}"))
}

/// Every `*.json` under `dir` (recursively, sorted by path) that claims a drill schema
/// (`plimsoll/drill/…`) or claims none, with the record or why it could not be read. Other
/// Plimsoll files (counts files, `plimsoll/drill-counts/v1`) are skipped. A missing directory
/// gives an empty list.
pub fn load_dir(dir: &Path) -> Vec<(PathBuf, Result<DrillRecord, String>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(p),
                Ok(t) if t.is_file() && p.extension().is_some_and(|x| x == "json") => files.push(p),
                _ => {}
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .filter_map(|p| {
            let text = match std::fs::read_to_string(&p) {
                Ok(t) => t,
                Err(e) => return Some((p, Err(e.to_string()))),
            };
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
                && let Some(s) = v.get("schema").and_then(|s| s.as_str())
                && !s.starts_with("plimsoll/drill/")
            {
                return None;
            }
            let r = parse(&text);
            Some((p, r))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> DrillRecord {
        DrillRecord {
            schema: SCHEMA.into(),
            id: "20261101t104000-ab12cd".into(),
            service: Some("orders".into()),
            mode: "logical".into(),
            source: None,
            backup: BackupRecord {
                path: "/b/x.dump".into(),
                format: "custom".into(),
                age_seconds: Some(60.0),
                ..Default::default()
            },
            target: TargetRecord {
                kind: "scratch-database".into(),
                cleaned_up: true,
                ..Default::default()
            },
            steps: vec![StepRecord {
                name: "restore".into(),
                started_at: "2026-11-01T10:40:00Z".into(),
                seconds: 1.5,
                ok: true,
                detail: String::new(),
            }],
            checks: vec![CheckRecord {
                name: "rows public.a".into(),
                kind: "rows".into(),
                ok: true,
                expected: Some("3".into()),
                actual: Some("3".into()),
            }],
            measurements: Measurements {
                restore_seconds: Some(1.5),
                verify_seconds: Some(0.2),
                recovery_seconds: Some(2.0),
                ..Default::default()
            },
            targets: Targets {
                rto_seconds: Some(60.0),
                rto_met: Some(true),
                ..Default::default()
            },
            verdict: Verdict::Pass,
            failures: vec![],
            warnings: vec![],
            started_at: "2026-11-01T10:40:00Z".into(),
            finished_at: "2026-11-01T10:40:02Z".into(),
            tool: "plimsoll test".into(),
        }
    }

    #[test]
    fn round_trip_and_load_dir() {
        let d = tempfile::tempdir().unwrap();
        let r = sample();
        r.write(&d.path().join("a/drill.json")).unwrap();
        std::fs::write(
            d.path().join("counts.json"),
            r#"{"schema":"plimsoll/drill-counts/v1"}"#,
        )
        .unwrap();
        std::fs::write(d.path().join("bad.json"), "{").unwrap();
        std::fs::write(d.path().join("notes.txt"), "x").unwrap();
        let loaded = load_dir(d.path());
        assert_eq!(loaded.len(), 2, "{loaded:?}");
        assert!(loaded[0].0.ends_with("a/drill.json"));
        assert_eq!(loaded[0].1.as_ref().unwrap(), &r);
        assert!(loaded[1].1.is_err());
        assert_eq!(r.finished_unix(), parse_timestamp("2026-11-01T10:40:02Z"));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["verdict"], "pass");
        assert!(r.summary().contains("PASS"));
        assert!(load_dir(&d.path().join("missing")).is_empty());
    }
}
