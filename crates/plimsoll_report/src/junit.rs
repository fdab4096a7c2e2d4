//! JUnit XML (through `quick-junit`): one test suite per gap, in plan order, with its score as a
//! property; one test case per rule and object. A test case fails when the rule has an
//! unsuppressed finding on the object, is skipped when every finding there is suppressed (the
//! reason is the skip message), and every rule that ran without a finding in the gap passes as
//! one test case. Input errors are test cases with an `error` in the suite `inputs`.
//!
//! Test cases carry `file` and `line` attributes, which GitLab and other consumers link to.

use std::collections::BTreeMap;

use plimsoll_model::{Finding, Gap};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::ReportInput;
use crate::plan::{fix_line, place, verdict};

fn object_label(f: &Finding) -> String {
    match (&f.object, &f.container) {
        (Some(o), Some(c)) => format!("{o} [{c}]"),
        (Some(o), None) => o.to_string(),
        _ => "the whole scan".to_string(),
    }
}

fn where_(input: &ReportInput<'_>, f: &Finding) -> String {
    match place(input.scan, f) {
        Some(p) => p.full(),
        None => "(the whole scan)".to_string(),
    }
}

fn test_case(input: &ReportInput<'_>, findings: &[&Finding]) -> TestCase {
    let first = findings[0];
    let m = first.rule;
    let name = format!("{} {}: {}", m.id, m.name, object_label(first));
    let open: Vec<&&Finding> = findings.iter().filter(|f| f.suppressed.is_none()).collect();
    let status = if let Some(worst) = open.iter().min_by_key(|f| f.severity) {
        let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
        let message = if open.len() == 1 {
            open[0].message.to_string()
        } else {
            format!("{} ({} findings)", worst.message, open.len())
        };
        let mut description = String::new();
        for f in &open {
            description.push_str(&format!(
                "{} {}: {}\n",
                f.severity,
                where_(input, f),
                f.message
            ));
        }
        description.push_str(&format!("fix: {} (plimsoll explain {})", fix_line(m), m.id));
        st.set_message(message)
            .set_type(worst.severity.as_str())
            .set_description(description);
        st
    } else {
        let mut st = TestCaseStatus::skipped();
        let reasons: Vec<&str> = findings
            .iter()
            .filter_map(|f| f.suppressed.as_deref())
            .collect();
        st.set_message(format!("suppressed: {}", reasons.join("; ")))
            .set_type("suppressed");
        st
    };
    let mut tc = TestCase::new(name, status);
    tc.set_classname(format!("plimsoll.{}.{}", m.gap, m.id));
    if let Some(p) = place(input.scan, first) {
        tc.extra.insert("file".into(), p.file.as_str().into());
        tc.extra.insert("line".into(), p.line.to_string().into());
    }
    tc
}

pub fn report(input: &ReportInput<'_>) -> Report {
    let mut report = Report::new("plimsoll");
    for gap in Gap::PLAN_ORDER {
        let g = input.summary.gap(gap);
        let mut suite = TestSuite::new(format!("plimsoll/{gap}"));
        suite.add_property(Property::new("score", g.score.to_string()));
        suite.add_property(Property::new("verdict", verdict(g.score)));
        // (rule, object, container) -> findings, in rule then object order
        let mut groups: BTreeMap<(&str, String), Vec<&Finding>> = BTreeMap::new();
        for f in input.scan.findings.iter().filter(|f| f.gap() == gap) {
            groups
                .entry((f.rule.id, object_label(f)))
                .or_default()
                .push(f);
        }
        // by rule id: the rules that found nothing pass, the others have a case per object
        let mut cases: Vec<((&str, String), TestCase)> = groups
            .iter()
            .map(|(key, findings)| (key.clone(), test_case(input, findings)))
            .collect();
        for m in input.rules.iter().filter(|m| m.gap == gap) {
            if !groups.keys().any(|(id, _)| *id == m.id) {
                let mut tc =
                    TestCase::new(format!("{} {}", m.id, m.name), TestCaseStatus::success());
                tc.set_classname(format!("plimsoll.{gap}.{}", m.id));
                cases.push(((m.id, String::new()), tc));
            }
        }
        cases.sort_by(|a, b| a.0.cmp(&b.0));
        suite.add_test_cases(cases.into_iter().map(|(_, tc)| tc));
        report.add_test_suite(suite);
    }
    if !input.scan.errors.is_empty() {
        let mut suite = TestSuite::new("plimsoll/inputs");
        for e in &input.scan.errors {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Error);
            st.set_message(e.message.clone()).set_type("input-error");
            let mut tc = TestCase::new(format!("read {}", e.file), st);
            tc.set_classname("plimsoll.inputs");
            tc.extra.insert("file".into(), e.file.as_str().into());
            if let Some(l) = e.line {
                tc.extra.insert("line".into(), l.to_string().into());
            }
            suite.add_test_case(tc);
        }
        report.add_test_suite(suite);
    }
    report
}

pub fn render(input: &ReportInput<'_>) -> String {
    report(input)
        .to_string()
        .expect("JUnit XML serialises into a string")
}
