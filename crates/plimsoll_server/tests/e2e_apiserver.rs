//! End-to-end through a real kube-apiserver (Debian's 1.20.2 build, see
//! `scripts/kube-apiserver-build.sh`): etcd and the API server on loopback, the webhook binary
//! registered with a `ValidatingWebhookConfiguration` (`url` + `caBundle`), and kubectl.
//!
//! Checks: a privileged Pod (and Deployment) is denied with Plimsoll's message and field path; a
//! hardened Pod is admitted; warnings reach kubectl (`Warning:` lines); `--dry-run=server` is
//! evaluated and stores nothing; with the webhook stopped, `failurePolicy: Ignore` admits and
//! `Fail` denies.
//!
//! Skipped (with a message) when the binaries are not built, unless `PLIMSOLL_E2E` is set, in which
//! case a missing binary fails the test. Binaries: `$PLIMSOLL_KUBE_APISERVER`, `$PLIMSOLL_ETCD`,
//! else `${PLIMSOLL_CACHE:-$HOME/.cache/plimsoll}/kube-apiserver/bin/{kube-apiserver,etcd}`;
//! kubectl from `$PLIMSOLL_KUBECTL` or `PATH`.

use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;

fn cache_bin(name: &str) -> PathBuf {
    let base = std::env::var_os("PLIMSOLL_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/plimsoll")
        });
    base.join("kube-apiserver/bin").join(name)
}

fn find_tool(env: &str, fallback: PathBuf) -> Option<PathBuf> {
    let p = std::env::var_os(env).map(PathBuf::from).unwrap_or(fallback);
    p.is_file().then_some(p)
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Children killed on drop (the test may panic half-way).
struct Proc {
    name: &'static str,
    child: Option<Child>,
    log: PathBuf,
}

impl Proc {
    fn spawn(name: &'static str, dir: &Path, cmd: &mut Command) -> Proc {
        let log = dir.join(format!("{name}.log"));
        let out = std::fs::File::create(&log).unwrap();
        let child = cmd
            .stdout(Stdio::from(out.try_clone().unwrap()))
            .stderr(Stdio::from(out))
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name}: {e}"));
        Proc {
            name,
            child: Some(child),
            log,
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM, then wait (SIGKILL after 30 s). Returns the exit code.
    fn terminate(&mut self) -> Option<i32> {
        let mut child = self.child.take()?;
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(st)) = child.try_wait() {
                return st.code();
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
            if std::thread::panicking() {
                let log = self.log_text();
                let tail: String = log
                    .lines()
                    .rev()
                    .take(30)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect::<Vec<_>>()
                    .join("\n");
                eprintln!("--- last lines of {} log ---\n{tail}", self.name);
            }
        }
    }
}

struct Kube {
    kubectl: PathBuf,
    kubeconfig: PathBuf,
}

impl Kube {
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = Command::new(&self.kubectl);
        cmd.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--request-timeout=30s")
            .args(args)
            .env("NO_PROXY", "127.0.0.1,localhost")
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("kubectl");
        if let Some(s) = stdin {
            child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
        }
        child.wait_with_output().unwrap()
    }

    /// Run, and return (success, stdout, stderr).
    fn sh(&self, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
        let o = self.run(args, stdin);
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    }

    fn ok(&self, args: &[&str], stdin: Option<&str>) -> (String, String) {
        let (ok, out, err) = self.sh(args, stdin);
        assert!(ok, "kubectl {args:?} failed:\n{out}\n{err}");
        (out, err)
    }
}

fn wait_for(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

const HARDENED_SPEC: &str = r#"
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: app
    image: registry.example.com/app@sha256:0000000000000000000000000000000000000000000000000000000000000000
    imagePullPolicy: IfNotPresent
    ports: [{containerPort: 8080, name: http}]
    resources:
      requests: {cpu: 50m, memory: 64Mi}
      limits: {cpu: 200m, memory: 128Mi}
    readinessProbe: {httpGet: {path: /ready, port: http}}
    livenessProbe: {httpGet: {path: /live, port: http}}
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      privileged: false
      capabilities: {drop: [ALL]}
"#;

fn pod(name: &str, image: Option<&str>, privileged: bool) -> String {
    let mut spec = HARDENED_SPEC.to_string();
    if let Some(i) = image {
        spec = spec.replace(
            "registry.example.com/app@sha256:0000000000000000000000000000000000000000000000000000000000000000",
            i,
        );
    }
    if privileged {
        spec = spec.replace("privileged: false", "privileged: true");
        spec = spec.replace(
            "allowPrivilegeEscalation: false",
            "allowPrivilegeEscalation: true",
        );
    }
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: e2e\n  labels: {{app: {name}}}\nspec:{spec}"
    )
}

fn deployment(name: &str, privileged: bool) -> String {
    let spec = pod(name, None, privileged);
    let pod_spec = spec.split_once("spec:").unwrap().1.replace("\n", "\n    ");
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: e2e\nspec:\n  replicas: 2\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:{pod_spec}\n"
    )
}

fn webhook_config(port: u16, ca_pem: &str, failure_policy: &str) -> String {
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    format!(
        r#"apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: plimsoll-e2e
webhooks:
- name: validate.plimsoll.dev
  admissionReviewVersions: [v1]
  sideEffects: None
  failurePolicy: {failure_policy}
  timeoutSeconds: 2
  matchPolicy: Equivalent
  clientConfig:
    url: https://127.0.0.1:{port}/validate
    caBundle: {ca}
  namespaceSelector:
    matchLabels: {{plimsoll.dev/e2e: "on"}}
  rules:
  - apiGroups: [""]
    apiVersions: [v1]
    operations: [CREATE, UPDATE]
    resources: [pods]
    scope: Namespaced
  - apiGroups: [apps]
    apiVersions: [v1]
    operations: [CREATE, UPDATE]
    resources: [deployments, statefulsets, daemonsets, replicasets]
    scope: Namespaced
"#
    )
}

/// Milliseconds kubectl reports for its POST (`--v=6`), e.g. `... 201 Created in 7 milliseconds`.
fn post_millis(stderr: &str) -> Option<u64> {
    stderr.lines().find(|l| l.contains("POST")).and_then(|l| {
        if let Some(i) = l.find("milliseconds=") {
            return l[i + 13..]
                .split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok();
        }
        let j = l.find(" milliseconds")?;
        l[..j].rsplit(' ').next()?.parse().ok()
    })
}

fn median(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

#[test]
fn e2e_admission_through_a_real_kube_apiserver() {
    let required = std::env::var_os("PLIMSOLL_E2E").is_some();
    let apiserver = find_tool("PLIMSOLL_KUBE_APISERVER", cache_bin("kube-apiserver"));
    let etcd = find_tool("PLIMSOLL_ETCD", cache_bin("etcd"));
    let kubectl = std::env::var_os("PLIMSOLL_KUBECTL")
        .map(PathBuf::from)
        .or_else(|| which("kubectl"));
    let (Some(apiserver), Some(etcd), Some(kubectl)) = (apiserver, etcd, kubectl) else {
        let msg = format!(
            "e2e_apiserver SKIPPED: needs kube-apiserver and etcd (run scripts/kube-apiserver-build.sh; \
             looked in {}) and kubectl on PATH",
            cache_bin("").display()
        );
        assert!(
            !required,
            "{msg} (PLIMSOLL_E2E is set, so this is a failure)"
        );
        eprintln!("{msg}");
        return;
    };

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // etcd
    let (etcd_client, etcd_peer) = (free_port(), free_port());
    let mut _etcd = Proc::spawn(
        "etcd",
        d,
        Command::new(&etcd)
            .arg("--data-dir")
            .arg(d.join("etcd"))
            .arg(format!(
                "--listen-client-urls=http://127.0.0.1:{etcd_client}"
            ))
            .arg(format!(
                "--advertise-client-urls=http://127.0.0.1:{etcd_client}"
            ))
            .arg(format!("--listen-peer-urls=http://127.0.0.1:{etcd_peer}"))
            .arg(format!(
                "--initial-advertise-peer-urls=http://127.0.0.1:{etcd_peer}"
            ))
            .arg(format!(
                "--initial-cluster=default=http://127.0.0.1:{etcd_peer}"
            ))
            .env("ETCD_UNSUPPORTED_ARCH", std::env::consts::ARCH),
    );

    // kube-apiserver: service-account keys (ECDSA, from rcgen), a static admin token
    let sa = rcgen::KeyPair::generate().unwrap();
    std::fs::write(d.join("sa.key"), sa.serialize_pem()).unwrap();
    std::fs::write(d.join("sa.pub"), sa.public_key_pem()).unwrap();
    std::fs::write(
        d.join("tokens.csv"),
        "e2e-token-0123456789,admin,admin-uid,system:masters\n",
    )
    .unwrap();
    let api_port = free_port();
    let mut apiserver_proc = Proc::spawn(
        "kube-apiserver",
        d,
        Command::new(&apiserver)
            .arg(format!("--etcd-servers=http://127.0.0.1:{etcd_client}"))
            .args(["--bind-address=127.0.0.1", "--advertise-address=127.0.0.1"])
            .arg(format!("--secure-port={api_port}"))
            .args(["--insecure-port=0", "--endpoint-reconciler-type=none"])
            .arg(format!("--cert-dir={}", d.join("certs").display()))
            .arg("--service-cluster-ip-range=10.0.0.0/24")
            .arg(format!(
                "--service-account-key-file={}",
                d.join("sa.pub").display()
            ))
            .arg(format!(
                "--service-account-signing-key-file={}",
                d.join("sa.key").display()
            ))
            .arg("--service-account-issuer=https://kubernetes.default.svc")
            .arg(format!(
                "--token-auth-file={}",
                d.join("tokens.csv").display()
            ))
            .args([
                "--authorization-mode=RBAC",
                "--enable-priority-and-fairness=false",
                // else the API server itself rejects privileged containers before any webhook
                "--allow-privileged=true",
                // no controller-manager creates ServiceAccounts or their tokens here
                "--disable-admission-plugins=ServiceAccount",
            ])
            .env("NO_PROXY", "127.0.0.1,localhost"),
    );
    let kubeconfig = d.join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: e2e\n  cluster:\n    server: https://127.0.0.1:{api_port}\n    insecure-skip-tls-verify: true\nusers:\n- name: admin\n  user:\n    token: e2e-token-0123456789\ncontexts:\n- name: e2e\n  context: {{cluster: e2e, user: admin}}\ncurrent-context: e2e\n"
        ),
    )
    .unwrap();
    let k = Kube {
        kubectl,
        kubeconfig,
    };
    let t0 = Instant::now();
    wait_for("kube-apiserver /readyz", Duration::from_secs(90), || {
        k.sh(&["get", "--raw", "/readyz"], None).0
    });
    eprintln!("kube-apiserver ready in {:?}", t0.elapsed());
    let (version, _) = k.ok(&["get", "--raw", "/version"], None);
    assert!(version.contains("\"gitVersion\""), "{version}");

    // the webhook, with a certificate signed by a CA of the test's own, from files
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "e2e CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let mut leaf =
        rcgen::CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    leaf.distinguished_name
        .push(rcgen::DnType::CommonName, "127.0.0.1");
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
    std::fs::write(d.join("tls.crt"), leaf_cert.pem()).unwrap();
    std::fs::write(d.join("tls.key"), leaf_key.serialize_pem()).unwrap();
    let ca_pem = ca_cert.pem();

    let hook_port = free_port();
    // `critical` blocks: WKL-001 (privileged) denies, IMG-001 (mutable tag, high) warns; both
    // rules are in the registry since the first commit, so the test does not depend on the rule
    // set growing.
    let mut hook = Proc::spawn(
        "webhook",
        d,
        Command::new(env!("CARGO_BIN_EXE_plimsoll-serve"))
            .arg(format!("--listen=127.0.0.1:{hook_port}"))
            .arg(format!("--tls-cert={}", d.join("tls.crt").display()))
            .arg(format!("--tls-key={}", d.join("tls.key").display()))
            .args(["--fail-on", "critical"])
            .env("PLIMSOLL_LOG", "debug,hyper=info,rustls=info"),
    );
    wait_for("webhook listening", Duration::from_secs(20), || {
        std::net::TcpStream::connect(("127.0.0.1", hook_port)).is_ok()
    });

    k.ok(
        &["apply", "-f", "-"],
        Some("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: e2e\n  labels: {plimsoll.dev/e2e: \"on\"}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: e2e-off\n"),
    );
    k.ok(
        &["apply", "-f", "-"],
        Some(&webhook_config(hook_port, &ca_pem, "Ignore")),
    );

    // The API server picks up webhook configurations asynchronously: wait until a privileged
    // pod is denied (dry-run, so nothing is stored meanwhile).
    let privileged = pod("priv", None, true);
    let mut last = String::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (ok, out, err) = k.sh(
            &["create", "--dry-run=server", "-f", "-"],
            Some(&privileged),
        );
        if !ok && err.contains("denied") {
            break;
        }
        last = format!("{out}{err}");
        assert!(
            Instant::now() < deadline,
            "webhook not active after 30 s; last kubectl output: {last}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    drop(last);

    // 1. privileged pod: denied, with Plimsoll's message and the field path
    let (ok, _, err) = k.sh(&["create", "-f", "-"], Some(&privileged));
    assert!(!ok, "privileged pod admitted");
    assert!(
        err.contains("admission webhook \"validate.plimsoll.dev\" denied the request"),
        "{err}"
    );
    assert!(err.contains("WKL-001"), "{err}");
    assert!(
        err.contains("(at spec.containers[0].securityContext.privileged)"),
        "{err}"
    );
    eprintln!("denied as expected:\n{err}");
    let (ok, _, _) = k.sh(&["-n", "e2e", "get", "pod", "priv"], None);
    assert!(!ok, "denied pod was stored");

    // 2. hardened pod: admitted (low findings, e.g. about a bare Pod, may still warn)
    let (out, err) = k.ok(&["create", "-f", "-"], Some(&pod("hardened", None, false)));
    assert!(out.contains("pod/hardened created"), "{out}");
    assert!(
        !err.contains("Warning: WKL-001") && !err.contains("Warning: IMG-001"),
        "{err}"
    );

    // 3. a finding below the threshold: admitted with a warning kubectl prints
    let (out, err) = k.ok(
        &["create", "-f", "-"],
        Some(&pod("warned", Some("nginx:latest"), false)),
    );
    assert!(out.contains("pod/warned created"), "{out}");
    let warning = err
        .lines()
        .find(|l| l.starts_with("Warning: IMG-001"))
        .unwrap_or_else(|| panic!("no IMG-001 warning in: {err}"));
    assert!(
        warning.contains("(at spec.containers[0].image)"),
        "{warning}"
    );
    eprintln!("warning as expected: {warning}");

    // 4. dry-run: evaluated (denials and warnings), nothing stored
    let (ok, _, err) = k.sh(
        &["create", "--dry-run=server", "-f", "-"],
        Some(&privileged),
    );
    assert!(!ok && err.contains("WKL-001"), "{err}");
    let (_, err) = k.ok(
        &["create", "--dry-run=server", "-f", "-"],
        Some(&pod("dry", Some("nginx:latest"), false)),
    );
    assert!(err.contains("Warning: IMG-001"), "{err}");
    let (ok, _, _) = k.sh(&["-n", "e2e", "get", "pod", "dry"], None);
    assert!(!ok, "dry-run pod was stored");

    // 5. workloads: a privileged Deployment is denied at the template's path; a hardened one passes
    let (ok, _, err) = k.sh(&["create", "-f", "-"], Some(&deployment("web-priv", true)));
    assert!(!ok, "privileged deployment admitted");
    assert!(
        err.contains("(at spec.template.spec.containers[0].securityContext.privileged)"),
        "{err}"
    );
    k.ok(&["create", "-f", "-"], Some(&deployment("web", false)));

    // 6. UPDATE: the stored hardened pod cannot be made privileged (spec is immutable for pods,
    //    so use the Deployment); a label change on a clean object passes.
    let (ok, _, err) = k.sh(
        &[
            "-n",
            "e2e",
            "patch",
            "deployment",
            "web",
            "--type=json",
            "-p",
            r#"[{"op":"replace","path":"/spec/template/spec/containers/0/securityContext/privileged","value":true},{"op":"replace","path":"/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation","value":true}]"#,
        ],
        None,
    );
    assert!(!ok && err.contains("WKL-001"), "{err}");
    k.ok(&["-n", "e2e", "label", "pod", "hardened", "tier=web"], None);

    // 7. namespaces outside the selector are not sent to the webhook
    let off = privileged.replace("namespace: e2e", "namespace: e2e-off");
    k.ok(&["create", "--dry-run=server", "-f", "-"], Some(&off));

    // latency through the API server, with and without the webhook (kubectl --v=6 timings)
    let mut with_hook = Vec::new();
    let mut without = Vec::new();
    for i in 0..10 {
        let p = pod(&format!("lat-{i}"), None, false);
        let (_, err) = k.ok(
            &["create", "--dry-run=server", "--v=6", "-f", "-"],
            Some(&p),
        );
        with_hook.extend(post_millis(&err));
        let p = p.replace("namespace: e2e", "namespace: e2e-off");
        let (_, err) = k.ok(
            &["create", "--dry-run=server", "--v=6", "-f", "-"],
            Some(&p),
        );
        without.extend(post_millis(&err));
    }
    eprintln!(
        "API server POST (dry-run) median: {} ms with the webhook, {} ms without ({} / {} samples)",
        median(with_hook.clone()),
        median(without.clone()),
        with_hook.len(),
        without.len()
    );

    // metrics saw dry-run requests
    std::fs::write(d.join("ca.pem"), &ca_pem).unwrap();
    let metrics = Command::new("curl")
        .args(["-sS", "--cacert"])
        .arg(d.join("ca.pem"))
        .arg(format!("https://127.0.0.1:{hook_port}/metrics"))
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    if !metrics.is_empty() {
        assert!(
            metrics.contains("dry_run=\"true\""),
            "no dry-run requests counted:\n{metrics}"
        );
        assert!(metrics.contains("plimsoll_admission_decisions_total{result=\"denied\"}"));
    }

    // 8. the webhook goes away: SIGTERM drains and exits 0
    assert_eq!(hook.terminate(), Some(0), "webhook exit code");
    let log = hook.log_text();
    assert!(
        log.contains("\"uid\":"),
        "no uid in the webhook's logs:\n{log}"
    );
    assert!(log.contains("\"result\":\"denied\""), "{log}");
    assert!(log.contains("\"dry_run\":true"), "{log}");

    // failurePolicy: Ignore admits while the webhook is down ...
    let (out, _) = k.ok(&["create", "-f", "-"], Some(&pod("while-down", None, true)));
    assert!(out.contains("created"), "{out}");
    // ... and Fail denies
    k.ok(
        &["apply", "-f", "-"],
        Some(&webhook_config(hook_port, &ca_pem, "Fail")),
    );
    wait_for("failurePolicy Fail active", Duration::from_secs(30), || {
        let (ok, _, err) = k.sh(
            &["create", "--dry-run=server", "-f", "-"],
            Some(&pod("fail-closed", None, false)),
        );
        !ok && err.contains("failed calling webhook")
    });
    let (ok, _, err) = k.sh(
        &["create", "-f", "-"],
        Some(&pod("fail-closed", None, false)),
    );
    assert!(!ok, "admitted with failurePolicy: Fail and no webhook");
    assert!(err.contains("failed calling webhook"), "{err}");
    eprintln!("fail-closed as expected: {}", err.trim());

    // the API server survived all of it
    assert!(k.sh(&["get", "--raw", "/readyz"], None).0);
    apiserver_proc.terminate();
}
