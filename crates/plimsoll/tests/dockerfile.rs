//! Dockerfiles end to end: a proof-of-concept Dockerfile and a hardened one scanned through the
//! CLI, an unreadable one, and agreement with the real hadolint on corpus files.
//!
//! hadolint comes from `PLIMSOLL_HADOLINT` or `PATH` (scripts/test.d/30-hadolint.sh installs
//! it). Without it the agreement test is skipped with a message, except under CI (env `CI`
//! set), where it fails. The full-corpus figure is `bench/hadolint/agreement.sh`; see
//! docs/dockerfile.md.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command as Std;

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn scan(dir: &Path, file: &str) -> (Value, i32, String) {
    let out = Command::cargo_bin("plimsoll")
        .unwrap()
        .current_dir(dir)
        .args(["scan", file, "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (
        v,
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// `rule line:column` of every Dockerfile finding (scan-level rules, such as the one about
/// missing readiness declarations, are not about the Dockerfile).
fn places(v: &Value) -> BTreeSet<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("DKR-"))
        .map(|f| {
            format!(
                "{} {}:{}",
                f["rule"].as_str().unwrap(),
                f["line"],
                f["column"]
            )
        })
        .collect()
}

const POC: &str = r#"FROM node
WORKDIR /app
ENV DB_PASSWORD=hunter2
COPY package*.json ./
RUN curl -fsSL https://deb.nodesource.com/setup_22.x | bash - \
 && apt-get update && apt-get install -y build-essential
RUN npm install
COPY . .
EXPOSE 3000
CMD node server.js
"#;

#[test]
fn poc_dockerfile_shows_what_makes_it_unfit() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", POC);
    let (v, code, raw) = scan(dir.path(), "Dockerfile");
    assert_eq!(code, 1, "a literal secret is critical and fails the gate");
    assert!(v["errors"].as_array().unwrap().is_empty());
    let want: BTreeSet<String> = [
        "DKR-001 1:6",  // FROM node: no tag
        "DKR-003 1:1",  // no USER: runs as root
        "DKR-004 1:1",  // serves 3000, no HEALTHCHECK
        "DKR-030 3:5",  // ENV DB_PASSWORD=<literal>
        "DKR-017 5:5",  // curl | bash without pipefail
        "DKR-029 5:5",  // curl | bash
        "DKR-009 6:13", // apt-get update without removing the lists
        "DKR-022 6:31", // no --no-install-recommends
        "DKR-008 6:42", // build-essential unpinned
        "DKR-005 10:5", // CMD in shell form
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(places(&v), want, "{raw}");
    // the secret's value is never printed, in any output
    assert!(!raw.contains("hunter2"));
    let human = Command::cargo_bin("plimsoll")
        .unwrap()
        .current_dir(dir.path())
        .args(["scan", "Dockerfile"])
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(
        human.contains("DKR-030") && !human.contains("hunter2"),
        "{human}"
    );
    assert_eq!(v["summary"]["stage"], "poc");
    let sev = |rule: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule)
            .map(|f| f["severity"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(sev("DKR-030"), "critical");
    assert_eq!(sev("DKR-003"), "high");
    assert_eq!(sev("DKR-005"), "medium");
}

const HARDENED: &str = r#"# syntax=docker/dockerfile:1
ARG NODE_VERSION=22.11.0
FROM node:${NODE_VERSION}-bookworm-slim@sha256:5a6d5ec84ae13e4aa8a4e2f0bb8e71aa4a6a8b3e4d22d4b4d5f59a3c1e2d7b90 AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci --omit=dev
COPY . .

FROM node:${NODE_VERSION}-bookworm-slim@sha256:5a6d5ec84ae13e4aa8a4e2f0bb8e71aa4a6a8b3e4d22d4b4d5f59a3c1e2d7b90
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD ["node", "healthcheck.js"]
CMD ["node", "server.js"]
"#;

#[test]
fn hardened_dockerfile_has_no_dockerfile_findings() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", HARDENED);
    let (v, code, raw) = scan(dir.path(), "Dockerfile");
    assert!(v["errors"].as_array().unwrap().is_empty(), "{raw}");
    assert!(places(&v).is_empty(), "{raw}");
    assert_eq!(code, 0);
}

#[test]
fn unreadable_dockerfile_is_an_error_with_a_place_and_no_guess() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "api.Dockerfile",
        "FROM alpine:3.20\nRUN apk add --no-cache curl=8.9.1-r2\nBOGUS instruction\nUSER 10001\n",
    );
    let (v, _, raw) = scan(dir.path(), "api.Dockerfile");
    let e = &v["errors"][0];
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(3), Some(1)),
        "{raw}"
    );
    assert!(e["message"].as_str().unwrap().contains("BOGUS"));
    // the USER after the error was never read: no "runs as root" conclusion
    assert!(
        !places(&v).iter().any(|p| p.starts_with("DKR-003")),
        "{raw}"
    );
}

// ---------------------------------------------------------------- hadolint agreement

fn hadolint() -> Option<PathBuf> {
    let found = match std::env::var_os("PLIMSOLL_HADOLINT").filter(|v| !v.is_empty()) {
        Some(p) => Some(PathBuf::from(p)).filter(|p| p.is_file()),
        None => std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|d| d.join("hadolint"))
                .find(|p| p.is_file())
        }),
    };
    if found.is_none() {
        if std::env::var_os("CI").is_some() {
            panic!("hadolint is required under CI (scripts/test.d/30-hadolint.sh installs it)");
        }
        eprintln!(
            "SKIPPED: hadolint not found; run scripts/test.d/30-hadolint.sh and export its output"
        );
    }
    found
}

fn corpus() -> Option<PathBuf> {
    let p = root().join("../shared/corpus");
    if !p.is_dir() {
        if std::env::var_os("CI").is_some() {
            panic!("the corpus is required under CI: {}", p.display());
        }
        eprintln!("SKIPPED: corpus not found at {}", p.display());
        return None;
    }
    Some(p)
}

/// Plimsoll rule -> (DL id, words its message must contain); the same table as
/// bench/hadolint/agreement.py.
const MAPPING: &[(&str, &str, &str)] = &[
    ("DKR-001", "DL3006", "base image|has no tag"),
    ("DKR-001", "DL3007", "base image|`latest` tag"),
    ("DKR-003", "DL3002", "`USER "),
    ("DKR-005", "DL3025", ""),
    ("DKR-006", "DL3020", ""),
    ("DKR-007", "DL3004", ""),
    ("DKR-008", "DL3008", "`apt-get install`"),
    ("DKR-008", "DL3018", "`apk add`"),
    ("DKR-008", "DL3013", "`pip install`"),
    ("DKR-008", "DL3016", "`npm install`"),
    ("DKR-008", "DL3028", "`gem install`"),
    ("DKR-008", "DL3062", "`go "),
    ("DKR-008", "DL3033", "`yum install`"),
    ("DKR-008", "DL3041", "dnf install`"),
    ("DKR-008", "DL3037", "`zypper install`"),
    ("DKR-009", "DL3009", "`apt-get update`"),
    ("DKR-009", "DL3019", "`apk add`"),
    ("DKR-009", "DL3042", "`pip install`"),
    ("DKR-009", "DL3032", "`yum install`"),
    ("DKR-009", "DL3040", "dnf install`"),
    ("DKR-009", "DL3036", "`zypper install`"),
    ("DKR-009", "DL3060", "`yarn install`"),
    ("DKR-010", "DL3014", "`apt-get install`"),
    ("DKR-010", "DL3030", "`yum install`"),
    ("DKR-010", "DL3038", "`dnf install`"),
    ("DKR-010", "DL3034", "`zypper install`"),
    ("DKR-013", "DL3000", ""),
    ("DKR-014", "DL3023", "copies from the stage it is in"),
    ("DKR-014", "DL3022", "stage"),
    ("DKR-016", "DL4000", ""),
    ("DKR-017", "DL4006", ""),
    ("DKR-018", "DL3027", ""),
    ("DKR-019", "DL4001", ""),
    ("DKR-022", "DL3015", ""),
    ("DKR-023", "DL3003", ""),
    ("DKR-024", "DL3024", ""),
    ("DKR-026", "DL3011", ""),
    ("DKR-027", "DL3046", ""),
    ("DKR-028", "DL4003", "`CMD`"),
    ("DKR-028", "DL4004", "`ENTRYPOINT`"),
    ("DKR-028", "DL3012", "`HEALTHCHECK`"),
    ("DKR-030", "DL3064", ""),
];

/// The message contains every `|`-separated word of the pattern.
fn matches(message: &str, pattern: &str) -> bool {
    pattern.split('|').all(|w| message.contains(w))
}

fn plimsoll_codes(file: &Path) -> BTreeSet<&'static str> {
    let (v, _, _) = scan(
        file.parent().unwrap(),
        file.file_name().unwrap().to_str().unwrap(),
    );
    let mut out = BTreeSet::new();
    for f in v["findings"].as_array().unwrap() {
        let (rule, msg) = (f["rule"].as_str().unwrap(), f["message"].as_str().unwrap());
        if rule == "DKR-014" && msg.contains("copies from the stage it is in") {
            out.insert("DL3023");
            continue;
        }
        for (r, dl, pat) in MAPPING {
            if *r == rule && matches(msg, pat) {
                out.insert(*dl);
            }
        }
    }
    out
}

fn hadolint_codes(hadolint: &Path, file: &Path) -> BTreeSet<String> {
    let out = Std::new(hadolint)
        .args(["-f", "json", "--no-fail", "--disable-ignore-pragma"])
        .arg(file)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "hadolint output is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect()
}

/// Files that together exercise most shared rules, from several upstreams.
const SAMPLE: &[&str] = &[
    "docker-library__postgres/17/bookworm/Dockerfile",
    "docker-library__postgres/17/alpine3.22/Dockerfile",
    "nextcloud__docker/33/apache/Dockerfile",
    "nextcloud__docker/33/fpm-alpine/Dockerfile",
    "GoogleCloudPlatform__microservices-demo/src/frontend/Dockerfile",
    "GoogleCloudPlatform__microservices-demo/src/emailservice/Dockerfile",
    "GoogleCloudPlatform__microservices-demo/src/loadgenerator/Dockerfile",
    "dockersamples__example-voting-app/vote/Dockerfile",
    "dockersamples__example-voting-app/result/Dockerfile",
    "istio__istio/samples/bookinfo/src/ratings/Dockerfile",
    "istio__istio/samples/bookinfo/src/reviews/Dockerfile",
    "kubernetes__ingress-nginx/images/nginx/rootfs/Dockerfile",
    "kubernetes__examples/web/guestbook-go/Dockerfile",
    "kubernetes__examples/_archived/phabricator/php-phabricator/Dockerfile",
];

/// Measured on this sample (docs/dockerfile.md has the full-corpus figures): 99.3% of the
/// file x rule decisions agree, and 93.8% of the files either tool flags for a rule (Dice).
const MIN_AGREEMENT: f64 = 0.98;
const MIN_DICE: f64 = 0.90;

#[test]
fn agrees_with_hadolint_on_corpus_files() {
    let Some(hadolint) = hadolint() else { return };
    let Some(corpus) = corpus() else { return };
    let shared: BTreeSet<&str> = MAPPING.iter().map(|(_, dl, _)| *dl).collect();
    let (mut agree, mut total, mut both, mut one) = (0usize, 0usize, 0usize, 0usize);
    let mut disagreements: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for rel in SAMPLE {
        let file = corpus.join(rel);
        assert!(file.is_file(), "{} is not in the corpus", file.display());
        let hl = hadolint_codes(&hadolint, &file);
        assert!(!hl.contains("DL1000"), "hadolint cannot parse {rel}");
        let pl = plimsoll_codes(&file);
        for dl in &shared {
            let (h, p) = (hl.contains(*dl), pl.contains(dl));
            total += 1;
            match (h, p) {
                (true, true) => {
                    agree += 1;
                    both += 1;
                }
                (false, false) => agree += 1,
                (true, false) => {
                    one += 1;
                    disagreements
                        .entry(format!("{dl} hadolint only"))
                        .or_default()
                        .push(rel);
                }
                (false, true) => {
                    one += 1;
                    disagreements
                        .entry(format!("{dl} plimsoll only"))
                        .or_default()
                        .push(rel);
                }
            }
        }
    }
    let rate = agree as f64 / total as f64;
    let dice = (2 * both) as f64 / (2 * both + one) as f64;
    eprintln!(
        "hadolint agreement on {} files: {:.1}% of decisions, {:.1}% of flagged (both {both}, one only {one})",
        SAMPLE.len(),
        rate * 100.0,
        dice * 100.0
    );
    for (k, files) in &disagreements {
        eprintln!("  {k}: {files:?}");
    }
    assert!(
        both > 20,
        "too few shared findings ({both}) for the figure to mean anything"
    );
    assert!(
        rate >= MIN_AGREEMENT && dice >= MIN_DICE,
        "agreement {:.1}% / {:.1}% below {:.0}% / {:.0}%: {disagreements:#?}",
        rate * 100.0,
        dice * 100.0,
        MIN_AGREEMENT * 100.0,
        MIN_DICE * 100.0
    );
}
