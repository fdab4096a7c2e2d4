//! Arbitrary input through the whole engine (parse, objects, every rule, facts, index) never
//! panics.

use plimsoll_model::{FileId, Index};
use plimsoll_rules::Engine;
use plimsoll_yaml::{Limits, SourceFile, parse};
use proptest::prelude::*;

fn run(engine: &Engine, text: &str) {
    let yaml = parse(SourceFile::new("p.yaml", text), &Limits::default());
    let out = engine.check_yaml(FileId(0), &yaml, None);
    let ix = Index::new(out.facts);
    let _ = engine.check_index(&ix);
}

/// Manifest-shaped YAML built from fragments of real manifests, in random nesting and order.
fn manifestish() -> impl Strategy<Value = String> {
    let keys = prop::sample::select(vec![
        "apiVersion: apps/v1",
        "apiVersion: v1",
        "kind: Deployment",
        "kind: Pod",
        "kind: StatefulSet",
        "kind: CronJob",
        "kind: Service",
        "kind: NetworkPolicy",
        "kind: Secret",
        "kind: ClusterRoleBinding",
        "kind: List",
        "metadata:",
        "  name: x",
        "  namespace: ns",
        "  labels: {app: a}",
        "spec:",
        "  template:",
        "    spec:",
        "  selector: {app: a}",
        "      containers:",
        "      - name: c",
        "        image: nginx",
        "        securityContext: {privileged: yes}",
        "        env: [{name: PASSWORD, value: p}]",
        "  podSelector: {}",
        "items:",
        "- kind: Pod",
        "  replicas: 3",
        "roleRef: {kind: ClusterRole, name: cluster-admin}",
        "subjects: [{kind: ServiceAccount, name: default}]",
        "data: {a: b}",
        "---",
        "  jobTemplate: {spec: {template: {spec: {containers: [{name: j}]}}}}",
        "  ports: [{port: 80, targetPort: http}]",
        "  <<: *a",
        "x: &a {k: v}",
        "      volumes: [{hostPath: {path: /}}]",
        "    spec: ~",
        "  containers: 7",
        "      - 12",
    ]);
    prop::collection::vec(keys, 0..40).prop_map(|v| v.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn manifest_shaped_input_never_panics(text in manifestish()) {
        let engine = Engine::with_all_rules();
        run(&engine, &text);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        let engine = Engine::with_all_rules();
        run(&engine, &text);
    }
}
