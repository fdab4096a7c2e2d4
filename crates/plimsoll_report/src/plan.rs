//! The plan: the fewest changes that move the stage up one step.
//!
//! The stage is decided by the most severe unsuppressed finding (see [`crate::summary`]), so the
//! next stage asks for exactly one class of findings to go:
//!
//! | from | to | what must go |
//! |---|---|---|
//! | `poc` | `pilot` | every critical finding |
//! | `pilot` | `platform` | every high finding |
//! | `platform` | `production` | every medium finding, plus the missing change and recovery evidence |
//!
//! Findings are grouped into *changes*: one change is one rule across every object it touches
//! (fixing `privileged` is the same edit on every container, and one review). The number of
//! changes is therefore the number of distinct rules among the findings that must go, which is
//! the fewest possible when a change is one rule. Missing evidence (no GitOps controller, no
//! backup schedule) is a change of its own, unless a finding about the whole scan in that gap is
//! already in the plan (it says the same thing, e.g. `CHG-001 no-gitops-controller`).
//!
//! Changes are ordered by gap in [`Gap::PLAN_ORDER`] (the order in which the work is cheapest to
//! pay for), then by severity, then by rule id. Suppressed findings are never in a plan.

use std::collections::BTreeMap;

use plimsoll_ingest::ScanResult;
use plimsoll_model::{Finding, Gap, RuleMeta, Severity};

use crate::ReportInput;
use crate::summary::{Evidence, Stage, Summary};

/// Where a user finds a finding in the repository.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    pub file: String,
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters; `None` when only the line is known (rendered output).
    pub column: Option<u32>,
}

impl Place {
    /// `file:line`.
    pub fn short(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }

    /// `file:line:column`, or `file:line`.
    pub fn full(&self) -> String {
        match self.column {
            Some(c) => format!("{}:{}:{c}", self.file, self.line),
            None => self.short(),
        }
    }
}

/// The place of a finding: for a finding in rendered output (a Helm chart, a Kustomize overlay),
/// the template or source file and line it comes from, which is what a reader or a code review
/// annotation needs; otherwise the scanned file, line and column. `None` for findings about the
/// whole scan.
pub fn place(scan: &ScanResult, f: &Finding) -> Option<Place> {
    let l = f.loc?;
    Some(match scan.provenance(&l) {
        Some(p) => Place {
            file: p.file.to_string(),
            line: p.line,
            column: None,
        },
        None => Place {
            file: scan.path(l.file).to_string(),
            line: l.line,
            column: Some(l.column),
        },
    })
}

/// The verdict shown beside a gap's score.
pub fn verdict(score: u8) -> &'static str {
    if score >= 90 {
        "ready"
    } else if score >= 70 {
        "close"
    } else if score >= 40 {
        "gaps"
    } else {
        "not started"
    }
}

/// The stage after `stage`, if any.
pub fn next_stage(stage: Stage) -> Option<Stage> {
    match stage {
        Stage::Poc => Some(Stage::Pilot),
        Stage::Pilot => Some(Stage::Platform),
        Stage::Platform => Some(Stage::Production),
        Stage::Production => None,
    }
}

/// The severity whose findings keep a scan below `target`, and whether `target` also needs the
/// change and recovery evidence.
fn requirement(target: Stage) -> Option<(Severity, bool)> {
    match target {
        Stage::Poc => None,
        Stage::Pilot => Some((Severity::Critical, false)),
        Stage::Platform => Some((Severity::High, false)),
        Stage::Production => Some((Severity::Medium, true)),
    }
}

/// What the step asks for, in one line.
pub fn requirement_text(target: Stage) -> &'static str {
    match target {
        Stage::Poc => "nothing",
        Stage::Pilot => "fix every critical finding",
        Stage::Platform => "fix every high finding",
        Stage::Production => "fix every medium finding and show change and recovery evidence",
    }
}

/// One place a change touches.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Target {
    /// `Kind/namespace/name` (or `Kind/name` without a namespace); `None` for the whole scan.
    pub object: Option<String>,
    pub container: Option<String>,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
}

impl Target {
    /// `Kind/ns/name [container]`, or `the whole scan`.
    pub fn label(&self) -> String {
        match (&self.object, &self.container) {
            (Some(o), Some(c)) => format!("{o} [{c}]"),
            (Some(o), None) => o.clone(),
            (None, _) => "the whole scan".to_string(),
        }
    }

    /// `file:line`, or `None` when the finding has no place.
    pub fn place(&self) -> Option<String> {
        let file = self.file.as_deref()?;
        Some(match self.line {
            Some(l) => format!("{file}:{l}"),
            None => file.to_string(),
        })
    }
}

/// What a step is about.
#[derive(Clone, Copy, Debug)]
pub enum StepKind {
    /// Fix every finding of one rule.
    Rule(&'static RuleMeta),
    /// Add what proves the gap is handled (a GitOps controller, a backup schedule).
    Evidence,
}

impl PartialEq for StepKind {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (StepKind::Rule(a), StepKind::Rule(b)) => a.id == b.id,
            (StepKind::Evidence, StepKind::Evidence) => true,
            _ => false,
        }
    }
}

impl Eq for StepKind {}

/// One change of the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub gap: Gap,
    /// The most severe finding the change removes (`medium` for evidence).
    pub severity: Severity,
    pub kind: StepKind,
    /// Where, one per finding, sorted by file, line and object. Empty for evidence.
    pub targets: Vec<Target>,
}

impl Step {
    /// The rule id, or `evidence:<gap>`.
    pub fn id(&self) -> String {
        match self.kind {
            StepKind::Rule(m) => m.id.to_string(),
            StepKind::Evidence => format!("evidence:{}", self.gap),
        }
    }

    /// What to do, in one line (the first paragraph of the rule's fix).
    pub fn action(&self) -> String {
        match self.kind {
            StepKind::Rule(m) => {
                let s = m.fix_short().trim_end_matches(':').trim();
                if s.is_empty() { m.summary.to_string() } else { one_line(s) }
            }
            StepKind::Evidence => match self.gap {
                Gap::Change => "Manage the manifests with Argo CD or Flux, and keep the controller object (an Application, or a Kustomization or HelmRelease) in the repository".to_string(),
                Gap::Recovery => "Schedule backups (a Velero or K8up Schedule, or a CloudNativePG ScheduledBackup) of every namespace with state, and keep the schedule in the repository".to_string(),
                g => format!("Show evidence for the {g} gap"),
            },
        }
    }

    /// Distinct objects (with container) the change touches.
    pub fn objects(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .targets
            .iter()
            .filter(|t| t.object.is_some())
            .map(Target::label)
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// A headline such as `privileged-container on 2 containers: StatefulSet/db [postgres], ...`.
    pub fn headline(&self) -> String {
        match self.kind {
            StepKind::Evidence => match self.gap {
                Gap::Change => "Add a GitOps controller (change evidence)".to_string(),
                Gap::Recovery => "Add a backup schedule (recovery evidence)".to_string(),
                g => format!("Add {g} evidence"),
            },
            StepKind::Rule(m) => {
                let objects = self.objects();
                if objects.is_empty() {
                    return format!("{}: {}", m.name, m.summary);
                }
                let all_containers = self.targets.iter().all(|t| t.container.is_some());
                let noun = match (all_containers, objects.len()) {
                    (true, 1) => "container",
                    (true, _) => "containers",
                    (false, 1) => "object",
                    (false, _) => "objects",
                };
                const SHOWN: usize = 3;
                let mut list = objects
                    .iter()
                    .take(SHOWN)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ");
                if objects.len() > SHOWN {
                    list.push_str(&format!(" and {} more", objects.len() - SHOWN));
                }
                format!("{} on {} {noun}: {list}", m.name, objects.len())
            }
        }
    }
}

/// The plan from the current stage to the next one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub from: Stage,
    /// `None` when the scan is already at `production`.
    pub to: Option<Stage>,
    pub steps: Vec<Step>,
}

impl Plan {
    /// The plan for a rendered report.
    pub fn of(input: &ReportInput<'_>) -> Plan {
        Plan::compute(&input.scan.findings, input.summary, |f| {
            place(input.scan, f)
        })
    }

    /// The plan from `summary.stage` to the next stage. `place` places a finding.
    pub fn compute(
        findings: &[Finding],
        summary: &Summary,
        place: impl Fn(&Finding) -> Option<Place>,
    ) -> Plan {
        let to = next_stage(summary.stage);
        let steps = match to {
            Some(t) => steps_to(findings, summary.evidence, t, &place),
            None => Vec::new(),
        };
        Plan {
            from: summary.stage,
            to,
            steps,
        }
    }

    /// The later steps of the ladder: for each stage after [`Plan::to`], how many changes and
    /// findings stand between it and the stage before it, counted as if everything before had
    /// been done.
    pub fn later(findings: &[Finding], summary: &Summary) -> Vec<(Stage, usize, usize)> {
        let mut out = Vec::new();
        let mut stage = next_stage(summary.stage);
        while let Some(s) = stage.and_then(next_stage) {
            let steps = steps_to(findings, summary.evidence, s, &|_: &Finding| None);
            let n: usize = steps.iter().map(|st| st.targets.len()).sum();
            out.push((s, steps.len(), n));
            stage = Some(s);
        }
        out
    }
}

/// The changes that remove every unsuppressed finding of the severity that keeps the scan below
/// `target` (findings of other severities are the other steps' business), plus missing evidence.
pub fn steps_to(
    findings: &[Finding],
    evidence: Evidence,
    target: Stage,
    place: &dyn Fn(&Finding) -> Option<Place>,
) -> Vec<Step> {
    let Some((severity, needs_evidence)) = requirement(target) else {
        return Vec::new();
    };
    let mut by_rule: BTreeMap<&'static str, Step> = BTreeMap::new();
    for f in findings
        .iter()
        .filter(|f| f.suppressed.is_none() && f.severity == severity)
    {
        let step = by_rule.entry(f.rule.id).or_insert_with(|| Step {
            gap: f.rule.gap,
            severity: f.severity,
            kind: StepKind::Rule(f.rule),
            targets: Vec::new(),
        });
        let at = place(f);
        step.targets.push(Target {
            object: f.object.as_ref().map(|o| o.to_string()),
            container: f.container.as_deref().map(str::to_string),
            file: at.as_ref().map(|p| p.file.clone()),
            line: at.as_ref().map(|p| p.line),
            column: at.and_then(|p| p.column),
            message: f.message.to_string(),
        });
    }
    let mut steps: Vec<Step> = by_rule.into_values().collect();
    for s in &mut steps {
        s.targets.sort();
    }
    if needs_evidence {
        for (gap, present) in [
            (Gap::Change, evidence.change),
            (Gap::Recovery, evidence.recovery),
        ] {
            // a finding about the whole scan in the gap already says the evidence is missing
            let covered = steps
                .iter()
                .any(|s| s.gap == gap && s.targets.iter().any(|t| t.object.is_none()));
            if !present && !covered {
                steps.push(Step {
                    gap,
                    severity: Severity::Medium,
                    kind: StepKind::Evidence,
                    targets: Vec::new(),
                });
            }
        }
    }
    let order = |g: Gap| {
        Gap::PLAN_ORDER
            .iter()
            .position(|&x| x == g)
            .unwrap_or(usize::MAX)
    };
    steps.sort_by_key(|s| {
        (
            order(s.gap),
            s.severity,
            matches!(s.kind, StepKind::Evidence),
            match s.kind {
                StepKind::Rule(m) => m.id,
                StepKind::Evidence => "",
            },
        )
    });
    steps
}

/// The findings grouped by gap in [`Gap::PLAN_ORDER`] (gaps without findings left out), each
/// group sorted by severity, then file, line and rule. Suppressed findings are included.
pub fn by_gap<'f>(
    findings: &'f [Finding],
    place: &dyn Fn(&Finding) -> Option<Place>,
) -> Vec<(Gap, Vec<&'f Finding>)> {
    Gap::PLAN_ORDER
        .iter()
        .filter_map(|&gap| {
            let mut v: Vec<&Finding> = findings.iter().filter(|f| f.gap() == gap).collect();
            if v.is_empty() {
                return None;
            }
            v.sort_by_cached_key(|f| (f.severity, place(f), f.rule.id));
            Some((gap, v))
        })
        .collect()
}

/// The first paragraph of a rule's fix, on one line, without the colon that introduces its code.
pub fn fix_line(m: &RuleMeta) -> String {
    one_line(m.fix_short().trim_end_matches(':'))
}

/// `1 change`, `2 changes`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The stages after the plan's target as one line: `pilot → platform: 3 changes (5 findings);
/// ...`, or `None` when there are none.
pub fn later_summary(findings: &[Finding], summary: &Summary, mut from: Stage) -> Option<String> {
    let later = Plan::later(findings, summary);
    if later.is_empty() {
        return None;
    }
    let parts: Vec<String> = later
        .iter()
        .map(|&(stage, changes, findings)| {
            let s = format!(
                "{} → {}: {} ({})",
                from.as_str(),
                stage.as_str(),
                count(changes, "change", "changes"),
                count(findings, "finding", "findings")
            );
            from = stage;
            s
        })
        .collect();
    Some(parts.join("; "))
}

/// The object a finding is about, for reports: `Kind/ns/name [container]`, or the whole scan.
pub fn object_label(f: &Finding) -> String {
    match (&f.object, &f.container) {
        (Some(o), Some(c)) => format!("{o} [{c}]"),
        (Some(o), None) => o.to_string(),
        _ => "the whole scan".to_string(),
    }
}

/// `s` on one line, runs of white space as one space.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use plimsoll_model::{FileId, Loc, ObjectId};

    use super::*;

    fn meta(
        id: &'static str,
        name: &'static str,
        gap: Gap,
        severity: Severity,
    ) -> &'static RuleMeta {
        Box::leak(Box::new(RuleMeta {
            id,
            name,
            gap,
            severity,
            summary: "summary",
            docs: " ## How to fix\n\n Do the thing:\n\n ```yaml\n a: b\n ```\n",
            peers: &[],
        }))
    }

    fn finding(
        m: &'static RuleMeta,
        kind: &str,
        name: &str,
        container: Option<&str>,
        line: u32,
    ) -> Finding {
        let mut f = Finding::new(
            m,
            Some(Loc {
                file: FileId(0),
                line,
                column: 3,
                span: Default::default(),
            }),
            format!("{} on {name}", m.id),
        );
        f.object = Some(Arc::new(ObjectId {
            api_version: "apps/v1".into(),
            kind: kind.into(),
            namespace: Some("shop".into()),
            name: name.into(),
        }));
        f.container = container.map(Into::into);
        f
    }

    fn summary(findings: &[Finding], evidence: Evidence) -> Summary {
        Summary::compute(findings, 1, 1, 5, evidence)
    }

    fn plan(findings: &[Finding], evidence: Evidence) -> Plan {
        Plan::compute(findings, &summary(findings, evidence), |f| {
            f.loc.map(|l| Place {
                file: "k8s/app.yaml".to_string(),
                line: l.line,
                column: Some(l.column),
            })
        })
    }

    fn ids(p: &Plan) -> Vec<String> {
        p.steps.iter().map(Step::id).collect()
    }

    #[test]
    fn verdicts() {
        assert_eq!(verdict(100), "ready");
        assert_eq!(verdict(90), "ready");
        assert_eq!(verdict(89), "close");
        assert_eq!(verdict(70), "close");
        assert_eq!(verdict(69), "gaps");
        assert_eq!(verdict(40), "gaps");
        assert_eq!(verdict(39), "not started");
        assert_eq!(verdict(0), "not started");
    }

    #[test]
    fn poc_to_pilot_groups_critical_findings_by_rule_in_plan_order() {
        let priv_ = meta(
            "WKL-001",
            "privileged-container",
            Gap::Workload,
            Severity::Critical,
        );
        let host = meta("STO-001", "host-path", Gap::Storage, Severity::Critical);
        let secret = meta(
            "SCR-001",
            "literal-secret-env",
            Gap::Secrets,
            Severity::Critical,
        );
        let tag = meta("IMG-001", "image-tag-mutable", Gap::Image, Severity::High);
        let findings = vec![
            finding(secret, "Deployment", "web", Some("web"), 30),
            finding(priv_, "StatefulSet", "db", Some("postgres"), 42),
            finding(priv_, "DaemonSet", "agent", Some("agent"), 12),
            finding(tag, "Deployment", "web", Some("web"), 20),
            finding(host, "StatefulSet", "db", None, 51),
        ];
        let p = plan(&findings, Evidence::default());
        assert_eq!((p.from, p.to), (Stage::Poc, Some(Stage::Pilot)));
        // storage before workload before secrets; the high IMG-001 waits for the next step
        assert_eq!(ids(&p), ["STO-001", "WKL-001", "SCR-001"]);
        let wkl = &p.steps[1];
        assert_eq!(wkl.severity, Severity::Critical);
        assert_eq!(
            wkl.objects(),
            [
                "DaemonSet/shop/agent [agent]",
                "StatefulSet/shop/db [postgres]"
            ]
        );
        assert_eq!(
            wkl.headline(),
            "privileged-container on 2 containers: DaemonSet/shop/agent [agent], StatefulSet/shop/db [postgres]"
        );
        assert_eq!(wkl.action(), "Do the thing");
        let places: Vec<_> = wkl.targets.iter().map(|t| t.place().unwrap()).collect();
        assert_eq!(places, ["k8s/app.yaml:12", "k8s/app.yaml:42"]);
        assert_eq!(
            p.steps[0].headline(),
            "host-path on 1 object: StatefulSet/shop/db"
        );
    }

    #[test]
    fn pilot_to_platform_takes_only_high_findings() {
        let tag = meta("IMG-001", "image-tag-mutable", Gap::Image, Severity::High);
        let tls = meta(
            "NET-008",
            "ingress-without-tls",
            Gap::Network,
            Severity::High,
        );
        let probe = meta(
            "OBS-001",
            "no-readiness",
            Gap::Observability,
            Severity::Medium,
        );
        let findings = vec![
            finding(tls, "Ingress", "web", None, 78),
            finding(probe, "Deployment", "web", Some("web"), 15),
            finding(tag, "Deployment", "web", Some("web"), 16),
            finding(tag, "StatefulSet", "db", Some("postgres"), 40),
        ];
        let p = plan(&findings, Evidence::default());
        assert_eq!((p.from, p.to), (Stage::Pilot, Some(Stage::Platform)));
        assert_eq!(ids(&p), ["IMG-001", "NET-008"]);
        assert_eq!(p.steps[0].targets.len(), 2);
    }

    #[test]
    fn suppressed_findings_are_not_in_the_plan() {
        let priv_ = meta(
            "WKL-001",
            "privileged-container",
            Gap::Workload,
            Severity::Critical,
        );
        let tag = meta("IMG-001", "image-tag-mutable", Gap::Image, Severity::High);
        let mut s = finding(priv_, "StatefulSet", "db", Some("postgres"), 42);
        s.suppressed = Some("reason=needs it until=2099-01-01".into());
        let findings = vec![s, finding(tag, "Deployment", "web", Some("web"), 16)];
        let p = plan(&findings, Evidence::default());
        assert_eq!(p.from, Stage::Pilot);
        assert_eq!(ids(&p), ["IMG-001"]);
    }

    #[test]
    fn severity_overrides_count_by_the_findings_severity() {
        // a high rule raised to critical on one object is part of the first step only there
        let tag = meta("IMG-001", "image-tag-mutable", Gap::Image, Severity::High);
        let mut raised = finding(tag, "Deployment", "web", Some("web"), 16);
        raised.severity = Severity::Critical;
        let findings = vec![
            raised,
            finding(tag, "StatefulSet", "db", Some("postgres"), 40),
        ];
        let p = plan(&findings, Evidence::default());
        assert_eq!(p.from, Stage::Poc);
        assert_eq!(p.steps.len(), 1);
        assert_eq!(p.steps[0].objects(), ["Deployment/shop/web [web]"]);
    }

    #[test]
    fn platform_to_production_adds_missing_evidence_after_mediums() {
        let probe = meta(
            "OBS-001",
            "no-readiness",
            Gap::Observability,
            Severity::Medium,
        );
        let spread = meta("RES-010", "no-spread", Gap::Resilience, Severity::Medium);
        let low = meta("OBS-002", "no-liveness", Gap::Observability, Severity::Low);
        let findings = vec![
            finding(spread, "Deployment", "web", None, 5),
            finding(probe, "Deployment", "web", Some("web"), 15),
            finding(low, "Deployment", "web", Some("web"), 15),
        ];
        let p = plan(&findings, Evidence::default());
        assert_eq!((p.from, p.to), (Stage::Platform, Some(Stage::Production)));
        assert_eq!(
            ids(&p),
            ["OBS-001", "RES-010", "evidence:change", "evidence:recovery"]
        );
        assert_eq!(
            p.steps[2].headline(),
            "Add a GitOps controller (change evidence)"
        );
        assert!(p.steps[3].action().contains("Velero"));

        // only the evidence missing is asked for
        let p = plan(
            &findings,
            Evidence {
                change: true,
                recovery: false,
            },
        );
        assert_eq!(ids(&p), ["OBS-001", "RES-010", "evidence:recovery"]);

        // nothing medium and evidence missing: the plan is the evidence
        let p = plan(
            &findings[2..],
            Evidence {
                change: false,
                recovery: true,
            },
        );
        assert_eq!(ids(&p), ["evidence:change"]);
    }

    #[test]
    fn a_whole_scan_finding_stands_for_the_evidence() {
        let no_gitops = meta(
            "CHG-001",
            "no-gitops-controller",
            Gap::Change,
            Severity::Medium,
        );
        let findings = vec![Finding::new(no_gitops, None, "no Argo CD or Flux object")];
        let p = plan(
            &findings,
            Evidence {
                change: false,
                recovery: true,
            },
        );
        assert_eq!(ids(&p), ["CHG-001"]);
        let t = &p.steps[0].targets[0];
        assert_eq!((t.label(), t.place()), ("the whole scan".to_string(), None));
        assert_eq!(p.steps[0].headline(), "no-gitops-controller: summary");
    }

    #[test]
    fn production_has_an_empty_plan() {
        let low = meta("OBS-002", "no-liveness", Gap::Observability, Severity::Low);
        let findings = vec![finding(low, "Deployment", "web", Some("web"), 15)];
        let p = plan(
            &findings,
            Evidence {
                change: true,
                recovery: true,
            },
        );
        assert_eq!((p.from, p.to), (Stage::Production, None));
        assert!(p.steps.is_empty());
    }

    #[test]
    fn later_counts_every_further_step() {
        let priv_ = meta(
            "WKL-001",
            "privileged-container",
            Gap::Workload,
            Severity::Critical,
        );
        let tag = meta("IMG-001", "image-tag-mutable", Gap::Image, Severity::High);
        let probe = meta(
            "OBS-001",
            "no-readiness",
            Gap::Observability,
            Severity::Medium,
        );
        let findings = vec![
            finding(priv_, "StatefulSet", "db", Some("postgres"), 42),
            finding(tag, "Deployment", "web", Some("web"), 16),
            finding(tag, "StatefulSet", "db", Some("postgres"), 40),
            finding(probe, "Deployment", "web", Some("web"), 15),
        ];
        let s = summary(&findings, Evidence::default());
        let later = Plan::later(&findings, &s);
        // pilot -> platform: one change (IMG-001) on 2 findings; platform -> production: OBS-001
        // plus the two missing evidences
        assert_eq!(later, [(Stage::Platform, 1, 2), (Stage::Production, 3, 1)]);
    }
}
