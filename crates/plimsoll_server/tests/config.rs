//! `plimsoll serve --config plimsoll.yaml`: the same configuration as `plimsoll scan` (rule
//! selection, severity overrides, profiles per namespace, annotations and exemptions,
//! notSuppressible, failOn), and reloading it while serving.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use plimsoll_server::admission::decode;
use plimsoll_server::review::Action;
use plimsoll_server::tls::{TlsSource, self_signed};
use plimsoll_server::{
    ConfigSource, ConfigWatch, Outcome, Policy, Reviewer, ServerOptions, Verdict, start,
};

/// A reviewer from configuration text, as `plimsoll serve --config` builds it.
fn reviewer(config: &str) -> Reviewer {
    ConfigSource {
        path: Some("plimsoll.yaml".into()),
        ..ConfigSource::without_file(Policy::default())
    }
    .parse(config)
    .unwrap_or_else(|e| panic!("{e}"))
}

fn run(r: &Reviewer, ns: &str, kind: &str, object: &str) -> Verdict {
    let body = review("uid-7", "CREATE", ns, kind, object, false);
    r.review(&decode(body.as_bytes()).unwrap())
}

/// A Pod with everything right except what the test asks for.
fn pod_with(name: &str, image: &str, privileged: bool, annotation: Option<&str>) -> String {
    let annotations = annotation
        .map(|a| format!(r#","annotations":{{"plimsoll.dev/ignore":"{a}"}}"#))
        .unwrap_or_default();
    format!(
        r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"{name}"{annotations}}},"spec":{{"automountServiceAccountToken":false,"securityContext":{{"runAsNonRoot":true,"runAsUser":10001,"seccompProfile":{{"type":"RuntimeDefault"}}}},"containers":[{{"name":"app","image":"{image}","securityContext":{{"privileged":{privileged},"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{{"drop":["ALL"]}}}},"resources":{{"requests":{{"cpu":"100m","memory":"64Mi"}},"limits":{{"memory":"64Mi"}}}},"readinessProbe":{{"httpGet":{{"path":"/ready","port":8080}}}},"livenessProbe":{{"httpGet":{{"path":"/live","port":8080}}}}}}]}}}}"#
    )
}

fn privileged() -> String {
    pod_with("web", DIGEST_IMAGE, true, None)
}

fn action(v: &Verdict, rule: &str) -> Option<Action> {
    v.findings.iter().find(|f| f.rule == rule).map(|f| f.action)
}

fn denial(v: &Verdict) -> String {
    v.response
        .status
        .as_ref()
        .map(|s| s.message.clone())
        .unwrap_or_default()
}

#[test]
fn without_a_configuration_a_privileged_pod_is_denied() {
    let v = run(&reviewer(""), "shop", "Pod", &privileged());
    assert_eq!(v.outcome, Outcome::Denied, "{v:?}");
    assert!(denial(&v).contains("WKL-001"), "{}", denial(&v));
    assert_eq!(v.profile.as_deref(), Some("production"));
    // and the hardened one is admitted
    let ok = run(
        &reviewer(""),
        "shop",
        "Pod",
        &pod_with("web", DIGEST_IMAGE, false, None),
    );
    assert!(ok.response.allowed, "{ok:?}");
}

#[test]
fn a_configuration_that_disables_a_rule_admits_what_it_would_deny() {
    for key in ["WKL-001", "privileged-container"] {
        let r = reviewer(&format!("rules:\n  disable: [{key}]\n"));
        let v = run(&r, "shop", "Pod", &privileged());
        assert!(v.response.allowed, "{key}: {v:?}");
        assert_eq!(action(&v, "WKL-001"), None, "the rule did not run");
    }
    // a whole gap
    let r = reviewer("rules:\n  disable: [image]\n");
    let latest = pod_with("web", "nginx:latest", false, None);
    assert_eq!(
        run(&reviewer(""), "shop", "Pod", &latest).outcome,
        Outcome::Denied
    );
    assert!(run(&r, "shop", "Pod", &latest).response.allowed);
}

#[test]
fn a_severity_override_turns_a_deny_into_a_warning() {
    let r = reviewer("rules:\n  severity:\n    WKL-001: medium\n");
    let v = run(&r, "shop", "Pod", &privileged());
    assert_eq!(v.outcome, Outcome::Warned, "{v:?}");
    assert!(v.response.allowed);
    assert!(
        v.response
            .warnings
            .iter()
            .any(|w| w.starts_with("WKL-001 ")),
        "{:?}",
        v.response.warnings
    );
    let f = v.findings.iter().find(|f| f.rule == "WKL-001").unwrap();
    assert_eq!(f.severity, plimsoll_model::Severity::Medium);
    // and the other way round: raised to the blocking severity, a warning denies
    let r = reviewer("rules:\n  severity:\n    OBS-003: high\n");
    let same_probe = privileged()
        .replace("\"privileged\":true", "\"privileged\":false")
        .replace("/live", "/ready");
    let v = run(&r, "shop", "Pod", &same_probe);
    assert_eq!(v.outcome, Outcome::Denied, "{v:?}");
    assert!(denial(&v).contains("OBS-003"), "{}", denial(&v));
}

#[test]
fn fail_on_from_the_configuration_sets_the_blocking_severity() {
    let r = reviewer("failOn: critical\n");
    let latest = pod_with("web", "nginx:latest", false, None);
    let v = run(&r, "shop", "Pod", &latest);
    assert_eq!(v.outcome, Outcome::Warned, "IMG-001 is high: {v:?}");
    assert!(!run(&r, "shop", "Pod", &privileged()).response.allowed);
    let never = reviewer("failOn: never\n");
    let v = run(&never, "shop", "Pod", &privileged());
    assert_eq!(v.outcome, Outcome::Warned, "{v:?}");
    assert!(v.response.warnings.iter().any(|w| w.starts_with("WKL-001")));
}

#[test]
fn a_namespace_profile_relaxes_one_namespace_only() {
    let r = reviewer(
        "namespaceProfiles:\n  - namespace: sandbox-legacy\n    profile: production\n  - namespace: \"sandbox-*\"\n    profile: sandbox\nprofiles:\n  sandbox:\n    rules:\n      disable: [WKL-001]\n      severity: {IMG-001: low}\n",
    );
    let latest_privileged = pod_with("web", "nginx:latest", true, None);
    let relaxed = run(&r, "sandbox-a", "Pod", &latest_privileged);
    assert!(relaxed.response.allowed, "{relaxed:?}");
    assert_eq!(relaxed.profile.as_deref(), Some("sandbox"));
    assert_eq!(action(&relaxed, "WKL-001"), None);
    assert_eq!(action(&relaxed, "IMG-001"), Some(Action::Warned));
    // another namespace, and the earlier, more specific entry: the default rules
    for ns in ["shop", "sandbox-legacy", "sandboxed"] {
        let v = run(&r, ns, "Pod", &latest_privileged);
        assert_eq!(v.outcome, Outcome::Denied, "{ns}: {v:?}");
        assert_eq!(v.profile.as_deref(), Some("production"), "{ns}");
        assert_eq!(action(&v, "WKL-001"), Some(Action::Blocked));
        assert_eq!(action(&v, "IMG-001"), Some(Action::Blocked));
    }
}

#[test]
fn the_builtin_pilot_profile_applies_per_namespace() {
    // a hardened Deployment whose selector does not match its template: RES-013 is high, and
    // pilot caps resilience findings at medium
    let template = pod_with("x", DIGEST_IMAGE, false, None)
        .replace(r#""apiVersion":"v1","kind":"Pod","#, "")
        .replace(r#""name":"x""#, r#""labels":{"app":"other"}"#);
    let deployment = format!(
        r#"{{"apiVersion":"apps/v1","kind":"Deployment","metadata":{{"name":"api"}},"spec":{{"replicas":2,"selector":{{"matchLabels":{{"app":"api"}}}},"template":{template}}}}}"#
    );
    let r = reviewer("namespaceProfiles:\n  - {namespace: \"team-*\", profile: pilot}\n");
    let prod = run(&r, "shop", "Deployment", &deployment);
    assert_eq!(prod.outcome, Outcome::Denied, "{prod:?}");
    assert_eq!(action(&prod, "RES-013"), Some(Action::Blocked));
    let pilot = run(&r, "team-a", "Deployment", &deployment);
    assert_eq!(pilot.profile.as_deref(), Some("pilot"));
    assert_eq!(pilot.outcome, Outcome::Warned, "{pilot:?}");
    let f = pilot.findings.iter().find(|f| f.rule == "RES-013").unwrap();
    assert_eq!(
        (f.severity, f.action),
        (plimsoll_model::Severity::Medium, Action::Warned)
    );
}

#[test]
fn an_annotation_suppresses_a_finding_but_not_a_not_suppressible_rule() {
    let annotated = pod_with(
        "agent",
        "nginx:latest",
        true,
        Some("WKL-001,IMG-001 reason=node agent, ticket OPS-7"),
    );
    // without notSuppressible: both findings are suppressed, the pod is admitted
    let v = run(&reviewer(""), "shop", "Pod", &annotated);
    assert!(v.response.allowed, "{v:?}");
    assert_eq!(action(&v, "WKL-001"), Some(Action::Suppressed));
    assert_eq!(action(&v, "IMG-001"), Some(Action::Suppressed));
    assert!(
        v.response.warnings.iter().all(|w| !w.contains("WKL-001")),
        "suppressed findings are not warnings"
    );
    // notSuppressible (by id, name or gap): the annotation cannot hide WKL-001
    for key in ["WKL-001", "privileged-container", "workload"] {
        let r = reviewer(&format!("rules:\n  notSuppressible: [{key}]\n"));
        let v = run(&r, "shop", "Pod", &annotated);
        assert_eq!(v.outcome, Outcome::Denied, "{key}: {v:?}");
        assert!(denial(&v).contains("WKL-001"), "{}", denial(&v));
        assert!(!denial(&v).contains("IMG-001"), "{}", denial(&v));
        assert_eq!(action(&v, "IMG-001"), Some(Action::Suppressed));
    }
    // the pod template's annotation counts for a Deployment
    let deployment = format!(
        r#"{{"apiVersion":"apps/v1","kind":"Deployment","metadata":{{"name":"agent"}},"spec":{{"replicas":2,"selector":{{"matchLabels":{{"app":"a"}}}},"template":{}}}}}"#,
        annotated
            .replace(r#""apiVersion":"v1","kind":"Pod","#, "")
            .replace(r#""name":"agent","#, r#""labels":{"app":"a"},"#)
    );
    let v = run(&reviewer(""), "shop", "Deployment", &deployment);
    assert_eq!(action(&v, "WKL-001"), Some(Action::Suppressed), "{v:?}");
    // an annotation without a reason suppresses nothing, and says so
    let bare = pod_with("agent", DIGEST_IMAGE, true, Some("WKL-001"));
    let v = run(&reviewer(""), "shop", "Pod", &bare);
    assert_eq!(v.outcome, Outcome::Denied);
    assert!(
        v.response.warnings.iter().any(|w| w.starts_with("CHG-090")),
        "{:?}",
        v.response.warnings
    );
    // an expired one neither
    let expired = pod_with(
        "agent",
        DIGEST_IMAGE,
        true,
        Some("WKL-001 reason=old until=2020-01-01"),
    );
    let v = run(&reviewer(""), "shop", "Pod", &expired);
    assert_eq!(v.outcome, Outcome::Denied);
    assert!(v.response.warnings.iter().any(|w| w.starts_with("CHG-091")));
    // --no-annotation-suppressions
    let src = ConfigSource::without_file(Policy {
        annotations: false,
        ..Policy::default()
    });
    let v = run(&src.parse("").unwrap(), "shop", "Pod", &annotated);
    assert_eq!(v.outcome, Outcome::Denied);
}

#[test]
fn configuration_exemptions_match_namespace_kind_and_name() {
    let r = reviewer(
        "rules:\n  notSuppressible: [IMG-001]\nexemptions:\n  - rules: [WKL-001, IMG-001]\n    namespace: \"node-*\"\n    kind: Pod\n    name: \"agent-*\"\n    reason: node agents need the host, ticket OPS-9\n",
    );
    let latest_privileged = |name: &str| pod_with(name, "nginx:latest", true, None);
    let v = run(&r, "node-system", "Pod", &latest_privileged("agent-1"));
    assert_eq!(action(&v, "WKL-001"), Some(Action::Suppressed), "{v:?}");
    // notSuppressible beats an exemption too
    assert_eq!(action(&v, "IMG-001"), Some(Action::Blocked));
    assert!(!v.response.allowed);
    assert!(
        v.findings
            .iter()
            .filter(|f| f.rule == "WKL-001")
            .all(|f| f.path.is_some()),
        "paths stay paths in the object"
    );
    for (ns, name) in [("shop", "agent-1"), ("node-system", "web")] {
        let v = run(&r, ns, "Pod", &latest_privileged(name));
        assert_eq!(action(&v, "WKL-001"), Some(Action::Blocked), "{ns}/{name}");
    }
}

#[tokio::test]
async fn a_reloaded_configuration_takes_effect_and_a_broken_one_keeps_the_old() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plimsoll.yaml");
    std::fs::write(&path, "rules:\n  disable: [WKL-001]\n").unwrap();
    let source = ConfigSource {
        path: Some(path.clone()),
        ..ConfigSource::without_file(Policy::default())
    };
    let loaded = source.load().unwrap();
    let certs = self_signed(&["localhost".into()]).unwrap();
    let mut opts = ServerOptions::new(
        "127.0.0.1:0".parse().unwrap(),
        TlsSource::Pem {
            cert: certs.cert_pem.clone(),
            key: certs.key_pem.clone(),
        },
    );
    opts.config = Some(ConfigWatch {
        source,
        every: Duration::from_millis(50),
        loaded: loaded.stamp.unwrap(),
    });
    let running = start(opts, loaded.reviewer).await.unwrap();
    let ca = certs.ca_pem.clone();
    let allowed = |uid: &'static str| {
        let ca = ca.clone();
        let addr = running.addr;
        async move {
            let body = review(uid, "CREATE", "shop", "Pod", &privileged(), false);
            let r = post_review(addr, &ca, &body).await;
            assert_eq!(r.status, 200, "{r:?}");
            r.json()["response"]["allowed"].as_bool().unwrap()
        }
    };
    assert!(allowed("before").await, "WKL-001 is disabled");

    // the rule comes back: denied within a few polls
    write(&path, "# WKL-001 enabled again\nfailOn: high\n");
    wait_until("the new configuration", || async {
        !allowed("after").await
    })
    .await;
    let m = get(running.addr, &ca, "/metrics").await.body;
    assert!(
        m.contains("plimsoll_config_reloads_total{result=\"success\"} 1"),
        "{m}"
    );

    // a broken file: logged, counted, and the rules in force stay
    write(&path, "rules:\n  disabel: [WKL-001]\n");
    wait_until("the failed reload", || async {
        get(running.addr, &ca, "/metrics")
            .await
            .body
            .contains("plimsoll_config_last_reload_successful 0")
    })
    .await;
    assert!(!allowed("broken").await, "the old rules are still in force");
    let m = get(running.addr, &ca, "/metrics").await.body;
    assert!(
        m.contains("plimsoll_config_reloads_total{result=\"failure\"} 1"),
        "{m}"
    );

    // fixed: in force again
    write(&path, "rules:\n  disable: [privileged-container]\n");
    wait_until("the fixed configuration", || async {
        allowed("fixed").await
    })
    .await;
    let m = get(running.addr, &ca, "/metrics").await.body;
    assert!(
        m.contains("plimsoll_config_last_reload_successful 1"),
        "{m}"
    );
    assert!(
        running.reviewer().policy.blocking == plimsoll_model::Severity::High
            && running.reviewer().profiles().len() == 1
    );
    running.abort();
}

/// Write the file and move its time forward, so that a rewrite within the file system's time
/// granularity is still a change.
fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(std::time::SystemTime::now() + Duration::from_secs(1))
        .unwrap();
}

async fn wait_until<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !f().await {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[test]
fn serve_refuses_to_start_on_a_broken_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plimsoll.yaml");
    std::fs::write(
        &path,
        "rules:\n  disable: [WKL-01]\nnamespaceProfiles:\n  - {namespace: a, profile: pliot}\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_plimsoll-serve"))
        .args(["--self-signed", "--listen", "127.0.0.1:0", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let p = path.display().to_string();
    assert!(
        stderr.contains(&format!(
            "error: {p}:2:13: unknown rule or gap `WKL-01`; did you mean `WKL-001`?"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("error: {p}:4:")) && stderr.contains("unknown profile `pliot`"),
        "{stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "nothing served, no caBundle printed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    // an unknown --profile is an error too
    std::fs::write(&path, "failOn: high\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_plimsoll-serve"))
        .args([
            "--self-signed",
            "--listen",
            "127.0.0.1:0",
            "--profile",
            "nope",
            "--config",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown profile `nope`"));
}
