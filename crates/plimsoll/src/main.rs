//! `plimsoll`: the command line.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use plimsoll_ingest::{ScanOptions, discover, scan};
use plimsoll_model::{Peer, RuleMeta, Severity};
use plimsoll_report::{Evidence, ReportInput, Summary};
use plimsoll_rules::{Engine, Settings, registry};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Plimsoll marks how far a deployment is from carrying production load.
#[derive(Parser)]
#[command(name = "plimsoll", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan manifests and report every production gap with its place.
    Scan(ScanArgs),
    /// List the rules.
    Rules(RulesArgs),
    /// Show a rule's documentation.
    Explain {
        /// Rule id (IMG-001) or name (image-tag-mutable).
        rule: String,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Json,
    Sarif,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Never,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args)]
struct ScanArgs {
    /// Files or directories to scan (`-` reads standard input). Default: the current directory.
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value = "human")]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Exit 1 when a finding at or above this severity remains.
    #[arg(long, value_enum, default_value = "high")]
    fail_on: FailOn,
    /// Colour in human output.
    #[arg(long, value_enum, default_value = "auto")]
    color: Color,
    /// Namespace of namespaced objects that do not name one.
    #[arg(long)]
    namespace: Option<String>,
    /// Largest file to parse, in MiB.
    #[arg(long, default_value_t = 32)]
    max_file_size: usize,
    /// Minimum replicas a replicated workload should run.
    #[arg(long, default_value_t = 2)]
    min_replicas: i64,
}

#[derive(clap::Args)]
struct RulesArgs {
    /// `table` or `json`.
    #[arg(long, short, default_value = "table")]
    format: String,
    /// Print the mapping to one peer tool's check ids (kube-score, kube-linter, polaris,
    /// checkov, kubescape, trivy, kyverno, hadolint, systemd-analyze).
    #[arg(long)]
    peer: Option<String>,
    /// Write one Markdown page per rule (and an index) into this directory.
    #[arg(long, value_name = "DIR")]
    write_docs: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Scan(a) => run_scan(a),
        Command::Rules(a) => run_rules(a),
        Command::Explain { rule } => run_explain(&rule),
    };
    ExitCode::from(code)
}

fn usage_error(msg: &str) -> u8 {
    eprintln!("error: {msg}");
    2
}

fn run_scan(a: ScanArgs) -> u8 {
    let paths = if a.paths.is_empty() { vec![PathBuf::from(".")] } else { a.paths.clone() };
    let settings = Settings {
        min_replicas: a.min_replicas,
        ..Settings::default()
    };
    let engine = Engine::new(registry::all(), settings);
    let (inputs, walk_errors) = discover(&paths);
    let opts = ScanOptions {
        limits: plimsoll_yaml::Limits {
            max_bytes: a.max_file_size << 20,
            ..Default::default()
        },
        default_namespace: a.namespace.clone(),
        keep_sources: a.format == Format::Human,
    };
    let mut result = scan(&engine, &inputs, &opts);
    for (p, e) in walk_errors {
        result.errors.push(plimsoll_ingest::InputError {
            file: p.display().to_string(),
            line: None,
            column: None,
            message: e,
        });
    }
    let summary = Summary::compute(
        &result.findings,
        result.files.len() - result.skipped.len(),
        result.documents,
        result.objects,
        Evidence::from_index(&result.index),
    );
    let rules: Vec<&'static RuleMeta> = engine.rules().iter().map(|r| r.meta()).collect();
    let input = ReportInput {
        scan: &result,
        summary: &summary,
        rules: &rules,
        tool_version: VERSION,
    };
    let to_terminal = a.output.is_none() && std::io::stdout().is_terminal();
    let color = match a.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none(),
    };
    let text = match a.format {
        Format::Human => plimsoll_report::human::render(&input, color),
        Format::Json => serde_json::to_string_pretty(&plimsoll_report::json::render(&input)).expect("json") + "\n",
        Format::Sarif => serde_json::to_string_pretty(&plimsoll_report::sarif::render(&input)).expect("json") + "\n",
    };
    let written = match &a.output {
        Some(p) => std::fs::write(p, text.as_bytes()).map_err(|e| format!("cannot write {}: {e}", p.display())),
        None => anstream::AutoStream::never(std::io::stdout().lock())
            .write_all(text.as_bytes())
            .map_err(|e| format!("cannot write output: {e}")),
    };
    if let Err(e) = written {
        return usage_error(&e);
    }
    if a.format != Format::Human {
        // errors are in the report; say so on stderr too so CI logs show them
        for e in &result.errors {
            eprintln!("error: {}{}: {}", e.file, e.line.map(|l| format!(":{l}:{}", e.column.unwrap_or(1))).unwrap_or_default(), e.message);
        }
    }
    if !result.errors.is_empty() {
        return 2;
    }
    let threshold = match a.fail_on {
        FailOn::Critical => Some(Severity::Critical),
        FailOn::High => Some(Severity::High),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::Low => Some(Severity::Low),
        FailOn::Never => None,
    };
    let failing = threshold.is_some_and(|t| {
        result
            .findings
            .iter()
            .any(|f| f.suppressed.is_none() && f.severity.at_least(t))
    });
    u8::from(failing)
}

fn rule_json(m: &RuleMeta) -> serde_json::Value {
    let mut peers = serde_json::Map::new();
    for (p, ids) in m.peers {
        peers.insert(p.key().to_string(), serde_json::json!(ids));
    }
    serde_json::json!({
        "id": m.id,
        "name": m.name,
        "gap": m.gap,
        "severity": m.severity,
        "summary": m.summary,
        "rationale": m.rationale(),
        "fix": m.fix_text(),
        "severity_reason": m.section("Severity"),
        "peers": peers,
    })
}

fn run_rules(a: RulesArgs) -> u8 {
    let rules: Vec<&'static RuleMeta> = registry::all().iter().map(|r| r.meta()).collect();
    if let Some(dir) = &a.write_docs {
        if let Err(e) = std::fs::create_dir_all(dir) {
            return usage_error(&format!("cannot create {}: {e}", dir.display()));
        }
        for (name, text) in plimsoll_report::docs::pages(&rules) {
            if let Err(e) = std::fs::write(dir.join(&name), text) {
                return usage_error(&format!("cannot write {name}: {e}"));
            }
        }
        println!("wrote {} rule pages to {}", rules.len(), dir.display());
        return 0;
    }
    if let Some(peer) = &a.peer {
        let Some(p) = Peer::parse(peer) else {
            let keys: Vec<&str> = Peer::ALL.iter().map(|p| p.key()).collect();
            return usage_error(&format!("unknown peer `{peer}`; one of: {}", keys.join(", ")));
        };
        if a.format == "json" {
            let map: serde_json::Map<String, serde_json::Value> = rules
                .iter()
                .filter(|m| !m.peer_ids(p).is_empty())
                .map(|m| (m.id.to_string(), serde_json::json!(m.peer_ids(p))))
                .collect();
            println!("{}", serde_json::to_string_pretty(&map).expect("json"));
        } else {
            println!("{:<10} {:<32} {}", "PLIMSOLL", "NAME", peer.to_uppercase());
            for m in &rules {
                let ids = m.peer_ids(p);
                if !ids.is_empty() {
                    println!("{:<10} {:<32} {}", m.id, m.name, ids.join(", "));
                }
            }
        }
        return 0;
    }
    match a.format.as_str() {
        "json" => {
            let v: Vec<serde_json::Value> = rules.iter().map(|m| rule_json(m)).collect();
            println!("{}", serde_json::to_string_pretty(&v).expect("json"));
        }
        "table" => {
            println!("{:<8} {:<9} {:<14} {:<34} SUMMARY", "ID", "SEVERITY", "GAP", "NAME");
            for m in &rules {
                println!("{:<8} {:<9} {:<14} {:<34} {}", m.id, m.severity.as_str(), m.gap.as_str(), m.name, m.summary);
            }
        }
        other => return usage_error(&format!("unknown format `{other}` for rules; use table or json")),
    }
    0
}

fn run_explain(key: &str) -> u8 {
    let Some(rule) = registry::find(key) else {
        return usage_error(&format!("no rule `{key}`; `plimsoll rules` lists them"));
    };
    let m = rule.meta();
    println!("# {} {}\n", m.id, m.name);
    println!("{} · gap {} · severity {}\n", m.summary, m.gap, m.severity);
    println!("{}\n", m.docs_text());
    if !m.peers.is_empty() {
        println!("## Peers\n");
        for (p, ids) in m.peers {
            println!("- {}: {}", p.key(), ids.join(", "));
        }
    }
    0
}
