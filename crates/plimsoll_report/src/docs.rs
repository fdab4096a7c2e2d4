//! Rule documentation pages, generated from the rules themselves (`docs/rules/*.md`).

use std::fmt::Write;

use plimsoll_model::{Gap, RuleMeta};

/// One page per rule.
pub fn rule_page(m: &RuleMeta) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {} `{}`\n", m.id, m.name);
    let _ = writeln!(s, "{}\n", m.summary);
    let _ = writeln!(
        s,
        "| gap | severity |\n|---|---|\n| `{}` | `{}` |\n",
        m.gap, m.severity
    );
    s.push_str(&m.docs_text());
    s.push_str("\n\n## Equivalent checks in other tools\n\n");
    if m.peers.is_empty() {
        s.push_str("None of kube-score, kube-linter, Polaris, Checkov, Kubescape, Trivy or Kyverno checks this.\n");
    } else {
        s.push_str("| tool | ids |\n|---|---|\n");
        for (p, ids) in m.peers {
            let ids: Vec<String> = ids.iter().map(|i| format!("`{i}`")).collect();
            let _ = writeln!(s, "| {} | {} |", p.key(), ids.join(", "));
        }
    }
    s
}

/// The index page: every rule by gap, in the order the work is cheapest to pay for.
pub fn index_page(rules: &[&RuleMeta]) -> String {
    let mut s = String::from(
        "# Rules\n\nGenerated from the rules' own documentation (`plimsoll rules --write-docs docs/rules`).\n",
    );
    for gap in Gap::PLAN_ORDER {
        let mine: Vec<&&RuleMeta> = rules.iter().filter(|m| m.gap == gap).collect();
        if mine.is_empty() {
            continue;
        }
        let _ = writeln!(
            s,
            "\n## {} (`{}`)\n\n| id | name | severity | summary |\n|---|---|---|---|",
            gap.title(),
            gap
        );
        for m in mine {
            let _ = writeln!(
                s,
                "| [{id}]({id}.md) | `{}` | {} | {} |",
                m.name,
                m.severity,
                m.summary,
                id = m.id
            );
        }
    }
    s
}

/// All pages: (file name, content).
pub fn pages(rules: &[&RuleMeta]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = rules
        .iter()
        .map(|m| (format!("{}.md", m.id), rule_page(m)))
        .collect();
    v.push(("README.md".to_string(), index_page(rules)));
    v
}
