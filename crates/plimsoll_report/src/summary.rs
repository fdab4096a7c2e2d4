//! Scores and stage.
//!
//! Per gap, unsuppressed findings weigh `critical` 10, `high` 4, `medium` 1.5, `low` 0.5; with
//! `W` their sum and `N` the number of objects scanned (at least 1), the score is
//! `round(100 / (1 + W / N))`, capped at 40 when the gap has a critical finding, 70 with a high
//! one, 90 with a medium one and 99 with a low one. The stage is `poc` with any critical finding,
//! `pilot` with a high one, `platform` with neither, and `production` when nothing is above low
//! and both the change gap (a GitOps controller object) and the recovery gap (a backup schedule,
//! or no stateful workload at all) have positive evidence.

use plimsoll_model::{Finding, Gap, Index, Severity};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Poc,
    Pilot,
    Platform,
    Production,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Poc => "poc",
            Stage::Pilot => "pilot",
            Stage::Platform => "platform",
            Stage::Production => "production",
        }
    }
}

/// Positive evidence that no finding can show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// A GitOps controller object (Argo CD, Flux) is in the scan.
    pub change: bool,
    /// A backup schedule (Velero, K8up, CloudNativePG) is in the scan, or nothing in the scan
    /// holds state (no stateful workload: nothing to restore).
    pub recovery: bool,
}

impl Evidence {
    pub fn from_index(ix: &Index) -> Evidence {
        Evidence {
            change: ix.gitops_objects().next().is_some(),
            recovery: ix.backup_schedules().next().is_some()
                || !ix.workloads().any(|(_, w)| w.is_stateful()),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GapScore {
    pub gap: Gap,
    pub score: u8,
    pub findings: usize,
    pub counts: [usize; 4],
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub documents: usize,
    pub objects: usize,
    pub stage: Stage,
    /// Unsuppressed findings by severity (critical, high, medium, low).
    pub counts: [usize; 4],
    pub suppressed: usize,
    pub gaps: Vec<GapScore>,
    pub evidence: Evidence,
    /// Set when a baseline was applied.
    pub baseline: Option<crate::baseline::Outcome>,
}

fn weight(s: Severity) -> f64 {
    match s {
        Severity::Critical => 10.0,
        Severity::High => 4.0,
        Severity::Medium => 1.5,
        Severity::Low => 0.5,
    }
}

fn sev_index(s: Severity) -> usize {
    match s {
        Severity::Critical => 0,
        Severity::High => 1,
        Severity::Medium => 2,
        Severity::Low => 3,
    }
}

impl Summary {
    pub fn compute(
        findings: &[Finding],
        files: usize,
        documents: usize,
        objects: usize,
        evidence: Evidence,
    ) -> Summary {
        let mut counts = [0usize; 4];
        let mut suppressed = 0;
        let mut per_gap: Vec<([usize; 4], f64)> = vec![([0; 4], 0.0); Gap::ALL.len()];
        for f in findings {
            if f.suppressed.is_some() {
                suppressed += 1;
                continue;
            }
            let si = sev_index(f.severity);
            counts[si] += 1;
            let g = &mut per_gap[f.gap() as usize];
            g.0[si] += 1;
            g.1 += weight(f.severity);
        }
        let n = objects.max(1) as f64;
        let gaps = Gap::ALL
            .iter()
            .map(|&gap| {
                let (c, w) = per_gap[gap as usize];
                let mut score = (100.0 / (1.0 + w / n)).round() as u8;
                let cap = if c[0] > 0 {
                    40
                } else if c[1] > 0 {
                    70
                } else if c[2] > 0 {
                    90
                } else if c[3] > 0 {
                    99
                } else {
                    100
                };
                score = score.min(cap);
                GapScore {
                    gap,
                    score,
                    findings: c.iter().sum(),
                    counts: c,
                }
            })
            .collect();
        let stage = if counts[0] > 0 {
            Stage::Poc
        } else if counts[1] > 0 {
            Stage::Pilot
        } else if counts[2] > 0 || !(evidence.change && evidence.recovery) {
            Stage::Platform
        } else {
            Stage::Production
        };
        Summary {
            files,
            documents,
            objects,
            stage,
            counts,
            suppressed,
            gaps,
            evidence,
            baseline: None,
        }
    }

    pub fn gap(&self, gap: Gap) -> &GapScore {
        &self.gaps[gap as usize]
    }
}
