//! Helm charts, rendered with the real `helm template`.
//!
//! Each document of helm's output starts with a `# Source: <chart>/templates/x.yaml` comment
//! (subcharts: `<chart>/charts/<sub>/templates/x.yaml`); that names the template, which is read
//! from the chart directory so findings can name a line in it.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use plimsoll_yaml::{Limits, SourceFile, parse};

use crate::render::{
    Failure, HelmOptions, Output, RenderSource, RenderTool, RenderedDoc, display_dir, find_tool,
    normalize, run, section_lines, split_docs,
};

/// What `Chart.yaml` says about a chart.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ChartMeta {
    pub name: Option<String>,
    pub library: bool,
}

pub(crate) fn chart_meta(chart: &Path) -> ChartMeta {
    let Ok(text) = std::fs::read_to_string(chart.join("Chart.yaml")) else {
        return ChartMeta::default();
    };
    let yaml = parse(SourceFile::new("Chart.yaml", text), &Limits::default());
    let Some((_, root)) = yaml.roots().next() else {
        return ChartMeta::default();
    };
    ChartMeta {
        name: root.get_str("name").map(str::to_string),
        library: root.get_str("type") == Some("library"),
    }
}

/// A valid release name from a chart name: lowercase letters, digits and `-`, at most 53.
pub(crate) fn release_name(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    s.truncate(53);
    let s = s.trim_matches('-');
    if s.is_empty() {
        "release".to_string()
    } else {
        s.to_string()
    }
}

/// `helm template <release> <chart> [--namespace NS] [-f FILE]... [--set K=V]...`
pub(crate) fn render(
    chart: &Path,
    opts: &HelmOptions,
    namespace: Option<&str>,
) -> Result<Output, Failure> {
    let meta = chart_meta(chart);
    if meta.library {
        return Err(Failure::Skip {
            reason: "library chart: not installable on its own; it is rendered as part of the \
                     charts that depend on it"
                .into(),
            warn: false,
        });
    }
    let helm = find_tool("PLIMSOLL_HELM", &["helm"]).map_err(|e| Failure::Skip {
        reason: format!("{e}; install helm or set PLIMSOLL_HELM; chart not scanned"),
        warn: true,
    })?;
    let release = match &opts.release {
        Some(r) => r.clone(),
        None => release_name(meta.name.as_deref().unwrap_or_else(|| {
            chart
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("release")
        })),
    };
    let mut cmd = Command::new(&helm);
    cmd.arg("template").arg(&release).arg(chart);
    if let Some(ns) = namespace {
        cmd.arg("--namespace").arg(ns);
    }
    for v in &opts.values {
        cmd.arg("-f").arg(v);
    }
    for s in &opts.set {
        cmd.arg("--set").arg(s);
    }
    let text = run(cmd).map_err(|e| Failure::Error(format!("helm template failed: {e}")))?;
    let (sources, docs) = table(chart, &text);
    Ok(Output {
        tool: RenderTool::Helm,
        text,
        sources,
        docs,
    })
}

/// The provenance table of helm's output: a source per `# Source:` template, and per document
/// the template's lines that produced it (the matching `---` section of the template when the
/// template has as many sections as it rendered documents, else the whole template).
pub(crate) fn table(chart: &Path, text: &str) -> (Vec<RenderSource>, Vec<RenderedDoc>) {
    let chart_disp = display_dir(chart);
    let mut sources: Vec<RenderSource> = Vec::new();
    let mut by_name: HashMap<&str, u32> = HashMap::new();
    let mut docs = Vec::new();
    for (span, body_line) in split_docs(text) {
        let head = &text[span.start as usize..];
        let source = head
            .lines()
            .take_while(|l| {
                let t = l.trim();
                t.is_empty() || t.starts_with('#') || t.starts_with("---")
            })
            .find_map(|l| l.trim().strip_prefix("# Source: "))
            .map(str::trim);
        let idx = source.map(|s| {
            *by_name.entry(s).or_insert_with(|| {
                // `<chart name>/templates/x.yaml`: the first component is the chart's name
                let rel = s.split_once('/').map(|(_, r)| r).unwrap_or(s);
                let path = normalize(&Path::new(&chart_disp).join(rel))
                    .display()
                    .to_string();
                let text = std::fs::read_to_string(chart.join(rel))
                    .ok()
                    .map(|t| SourceFile::new(path.clone(), t));
                sources.push(RenderSource { path, text });
                sources.len() as u32 - 1
            })
        });
        docs.push(RenderedDoc {
            span,
            body_line,
            source: idx,
            lines: (1, 1),
        });
    }
    // per source, the template's sections if they pair one-to-one with the rendered documents
    for (i, src) in sources.iter().enumerate() {
        let mine: Vec<usize> = (0..docs.len())
            .filter(|&d| docs[d].source == Some(i as u32))
            .collect();
        let (whole, sections) = match &src.text {
            Some(t) => ((1, (t.line_count() as u32).max(1)), section_lines(t.text())),
            None => ((1, 1), Vec::new()),
        };
        for (k, &d) in mine.iter().enumerate() {
            docs[d].lines = if sections.len() == mine.len() {
                sections[k]
            } else {
                whole
            };
        }
    }
    (sources, docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_names_are_valid() {
        assert_eq!(release_name("ingress-nginx"), "ingress-nginx");
        assert_eq!(release_name("My_Chart"), "my-chart");
        assert_eq!(release_name("__"), "release");
    }

    #[test]
    fn table_maps_documents_to_templates() {
        let d = tempfile::tempdir().unwrap();
        let chart = d.path().join("c");
        std::fs::create_dir_all(chart.join("templates")).unwrap();
        std::fs::write(
            chart.join("templates/two.yaml"),
            "kind: A\nmetadata:\n  name: a\n---\nkind: B\nmetadata:\n  name: b\n",
        )
        .unwrap();
        let out = "---\n# Source: c/templates/two.yaml\nkind: A\nmetadata:\n  name: a\n---\n# Source: c/templates/two.yaml\nkind: B\nmetadata:\n  name: b\n---\n# Source: c/charts/sub/templates/x.yaml\nkind: C\n";
        let (sources, docs) = table(&chart, out);
        assert_eq!(sources.len(), 2);
        assert!(sources[0].path.ends_with("c/templates/two.yaml"));
        assert!(sources[0].text.is_some());
        assert!(sources[1].path.ends_with("c/charts/sub/templates/x.yaml"));
        assert!(sources[1].text.is_none());
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[0].lines, (1, 3));
        assert_eq!(docs[1].lines, (5, 7));
        assert_eq!(docs[2].source, Some(1));
    }
}
