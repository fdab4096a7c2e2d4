//! `docs/rules/` is generated from the rules; this fails when it is stale.
//! Regenerate with `cargo run -- rules --write-docs docs/rules`.

use std::path::Path;

use assert_cmd::Command;

#[test]
fn rule_docs_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let fresh = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("plimsoll")
        .unwrap()
        .args(["rules", "--write-docs"])
        .arg(fresh.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let committed = root.join("docs/rules");
    let mut stale = Vec::new();
    for entry in std::fs::read_dir(fresh.path()).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap();
        let want = std::fs::read_to_string(&p).unwrap();
        match std::fs::read_to_string(committed.join(name)) {
            Ok(have) if have == want => {}
            _ => stale.push(name.to_string_lossy().to_string()),
        }
    }
    for entry in std::fs::read_dir(&committed).into_iter().flatten() {
        let name = entry.unwrap().file_name();
        if !fresh.path().join(&name).exists() {
            stale.push(format!(
                "{} (no such rule any more)",
                name.to_string_lossy()
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules is stale for {stale:?}; run `cargo run -- rules --write-docs docs/rules`"
    );
}
