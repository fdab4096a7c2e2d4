//! Prometheus metrics, rendered in the text exposition format (no client library: six families).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

pub struct Metrics {
    /// (operation, dry_run) → count
    requests: Mutex<BTreeMap<(String, bool), u64>>,
    /// result → count
    decisions: Mutex<BTreeMap<&'static str, u64>>,
    /// (rule, severity, action) → count
    findings: Mutex<BTreeMap<(&'static str, &'static str, &'static str), u64>>,
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
    config_reloads_ok: AtomicU64,
    config_reloads_failed: AtomicU64,
    config_last_ok: AtomicBool,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            requests: Default::default(),
            decisions: Default::default(),
            findings: Default::default(),
            buckets: Default::default(),
            count: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
            config_reloads_ok: AtomicU64::new(0),
            config_reloads_failed: AtomicU64::new(0),
            config_last_ok: AtomicBool::new(true),
        }
    }
}

fn bump<K: Ord>(m: &Mutex<BTreeMap<K, u64>>, k: K) {
    let mut m = m.lock().unwrap_or_else(|e| e.into_inner());
    *m.entry(k).or_insert(0) += 1;
}

impl Metrics {
    pub fn request(&self, operation: &str, dry_run: bool) {
        let op = match operation {
            "CREATE" | "UPDATE" | "DELETE" | "CONNECT" => operation,
            _ => "other",
        };
        bump(&self.requests, (op.to_string(), dry_run));
    }

    /// `result` is one of `allowed`, `warned`, `denied`, `exempt`, `skipped`, `invalid` (4xx),
    /// `error` (5xx).
    pub fn decision(&self, result: &'static str) {
        bump(&self.decisions, result);
    }

    /// `action` is `blocked`, `warned` or `suppressed`.
    pub fn finding(&self, rule: &'static str, severity: &'static str, action: &'static str) {
        bump(&self.findings, (rule, severity, action));
    }

    /// A configuration reload: `ok` when the new file loaded and is in force.
    pub fn config_reload(&self, ok: bool) {
        if ok {
            self.config_reloads_ok.fetch_add(1, Ordering::Relaxed);
        } else {
            self.config_reloads_failed.fetch_add(1, Ordering::Relaxed);
        }
        self.config_last_ok.store(ok, Ordering::Relaxed);
    }

    pub fn observe(&self, d: Duration) {
        let s = d.as_secs_f64();
        for (i, b) in BUCKETS.iter().enumerate() {
            if s <= *b {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add(d.as_micros() as u64, Ordering::Relaxed);
    }

    /// The Prometheus text format.
    pub fn render(&self) -> String {
        let mut o = String::with_capacity(4096);
        o.push_str("# HELP plimsoll_admission_requests_total Admission reviews received.\n");
        o.push_str("# TYPE plimsoll_admission_requests_total counter\n");
        for ((op, dry), n) in self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                o,
                "plimsoll_admission_requests_total{{operation=\"{op}\",dry_run=\"{dry}\"}} {n}"
            );
        }
        o.push_str("# HELP plimsoll_admission_decisions_total Admission decisions by result.\n");
        o.push_str("# TYPE plimsoll_admission_decisions_total counter\n");
        for (r, n) in self
            .decisions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                o,
                "plimsoll_admission_decisions_total{{result=\"{r}\"}} {n}"
            );
        }
        o.push_str("# HELP plimsoll_admission_findings_total Findings on admitted or denied objects, by rule.\n");
        o.push_str("# TYPE plimsoll_admission_findings_total counter\n");
        for ((rule, sev, action), n) in self
            .findings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                o,
                "plimsoll_admission_findings_total{{rule=\"{rule}\",severity=\"{sev}\",action=\"{action}\"}} {n}"
            );
        }
        o.push_str("# HELP plimsoll_admission_duration_seconds Time from request received to response ready.\n");
        o.push_str("# TYPE plimsoll_admission_duration_seconds histogram\n");
        for (i, b) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                o,
                "plimsoll_admission_duration_seconds_bucket{{le=\"{b}\"}} {}",
                self.buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(
            o,
            "plimsoll_admission_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            o,
            "plimsoll_admission_duration_seconds_sum {}",
            self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(o, "plimsoll_admission_duration_seconds_count {count}");
        o.push_str("# HELP plimsoll_config_reloads_total Configuration file reloads by result (failure: the old rules stay in force).\n");
        o.push_str("# TYPE plimsoll_config_reloads_total counter\n");
        let _ = writeln!(
            o,
            "plimsoll_config_reloads_total{{result=\"success\"}} {}",
            self.config_reloads_ok.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            o,
            "plimsoll_config_reloads_total{{result=\"failure\"}} {}",
            self.config_reloads_failed.load(Ordering::Relaxed)
        );
        o.push_str("# HELP plimsoll_config_last_reload_successful 1 when the configuration file in place is the one in force.\n");
        o.push_str("# TYPE plimsoll_config_last_reload_successful gauge\n");
        let _ = writeln!(
            o,
            "plimsoll_config_last_reload_successful {}",
            u8::from(self.config_last_ok.load(Ordering::Relaxed))
        );
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_families() {
        let m = Metrics::default();
        m.request("CREATE", true);
        m.decision("denied");
        m.finding("WKL-001", "critical", "blocked");
        m.observe(Duration::from_micros(300));
        let t = m.render();
        assert!(t.contains(
            "plimsoll_admission_requests_total{operation=\"CREATE\",dry_run=\"true\"} 1"
        ));
        assert!(t.contains("plimsoll_admission_decisions_total{result=\"denied\"} 1"));
        assert!(t.contains("plimsoll_admission_findings_total{rule=\"WKL-001\",severity=\"critical\",action=\"blocked\"} 1"));
        assert!(t.contains("plimsoll_admission_duration_seconds_bucket{le=\"0.00025\"} 0"));
        assert!(t.contains("plimsoll_admission_duration_seconds_bucket{le=\"0.0005\"} 1"));
        assert!(t.contains("plimsoll_admission_duration_seconds_count 1"));
        assert!(t.contains("plimsoll_config_last_reload_successful 1"));
        m.config_reload(false);
        let t = m.render();
        assert!(t.contains("plimsoll_config_reloads_total{result=\"failure\"} 1"));
        assert!(t.contains("plimsoll_config_last_reload_successful 0"));
    }
}
