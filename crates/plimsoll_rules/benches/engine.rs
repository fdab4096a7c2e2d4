//! Micro-benchmarks of the three layers on the same bytes: YAML parsing, the model (objects,
//! workloads, facts, index) and the rule engine (per-file rules, cross-object rules).
//!
//! Input: every manifest of `../shared/corpus` when it is there (`PLIMSOLL_BENCH_DIR` to point
//! elsewhere), else the bundled examples. `cargo bench -p plimsoll_rules`.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use plimsoll_model::facts::extract;
use plimsoll_model::{FileId, Index, objects};
use plimsoll_rules::Engine;
use plimsoll_yaml::{Limits, SourceFile, parse};

fn inputs() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::var("PLIMSOLL_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            let corpus = root.join("../shared/corpus");
            if corpus.is_dir() {
                corpus
            } else {
                root.join("examples")
            }
        });
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                if !p.join("Chart.yaml").exists() {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml")
                && let Ok(t) = std::fs::read_to_string(&p)
                && t.contains("apiVersion")
                && t.contains("kind")
            {
                out.push((p.display().to_string(), t));
            }
        }
    }
    out.sort();
    out
}

fn bench(c: &mut Criterion) {
    let files = inputs();
    let bytes: u64 = files.iter().map(|(_, t)| t.len() as u64).sum();
    let limits = Limits::default();
    let engine = Engine::with_all_rules();
    let parsed: Vec<_> = files
        .iter()
        .map(|(p, t)| parse(SourceFile::new(p.clone(), t.clone()), &limits))
        .collect();

    let mut g = c.benchmark_group("layers");
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(10);
    g.bench_function("yaml: parse", |b| {
        b.iter(|| {
            for (p, t) in &files {
                black_box(parse(SourceFile::new(p.clone(), t.clone()), &limits));
            }
        })
    });
    g.bench_function("model: objects, workloads and facts", |b| {
        b.iter(|| {
            let mut facts = Vec::new();
            for (i, y) in parsed.iter().enumerate() {
                for o in objects(y) {
                    black_box(
                        plimsoll_model::Workload::from_object(o).map(|w| w.containers().count()),
                    );
                    facts.push(extract(FileId(i as u32), &y.source, &o, None));
                }
            }
            black_box(Index::new(facts))
        })
    });
    g.bench_function("engine: per-file rules", |b| {
        b.iter(|| {
            for (i, y) in parsed.iter().enumerate() {
                black_box(engine.check_yaml(FileId(i as u32), y, None));
            }
        })
    });
    let facts: Vec<_> = parsed
        .iter()
        .enumerate()
        .flat_map(|(i, y)| engine.check_yaml(FileId(i as u32), y, None).facts)
        .collect();
    let ix = Index::new(facts);
    g.bench_function("engine: cross-object rules", |b| {
        b.iter(|| black_box(engine.check_index(&ix)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
