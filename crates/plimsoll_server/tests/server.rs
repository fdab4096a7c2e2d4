//! The webhook over real TLS on loopback: decisions, bad input, slow clients, limits, metrics,
//! certificate reload and graceful shutdown.

mod common;

use std::time::{Duration, Instant};

use common::*;
use plimsoll_model::Severity;
use plimsoll_rules::{Engine, registry};
use plimsoll_server::tls::{SelfSigned, TlsSource, self_signed};
use plimsoll_server::{Policy, Reviewer, Running, ServerOptions, start};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn reviewer(blocking: Severity) -> Reviewer {
    let rules = ["WKL-001", "IMG-001"]
        .iter()
        .map(|id| registry::find(id).unwrap())
        .collect();
    Reviewer::new(
        Engine::new(rules, Default::default()),
        Policy {
            blocking,
            ..Policy::default()
        },
    )
}

fn certs() -> SelfSigned {
    self_signed(&["localhost".into(), "127.0.0.1".into()]).unwrap()
}

fn options(c: &SelfSigned) -> ServerOptions {
    let mut o = ServerOptions::new(
        "127.0.0.1:0".parse().unwrap(),
        TlsSource::Pem {
            cert: c.cert_pem.clone(),
            key: c.key_pem.clone(),
        },
    );
    o.max_body_bytes = 64 << 10;
    o.request_timeout = Duration::from_secs(1);
    o.header_read_timeout = Duration::from_secs(1);
    o.handshake_timeout = Duration::from_secs(1);
    o.shutdown_grace = Duration::from_secs(5);
    o
}

async fn server(blocking: Severity) -> (Running, SelfSigned) {
    let c = certs();
    let r = start(options(&c), reviewer(blocking)).await.unwrap();
    (r, c)
}

async fn still_serving(r: &Running, ca: &str) {
    let resp = get(r.addr, ca, "/healthz").await;
    assert_eq!(resp.status, 200, "server went down: {resp:?}");
}

#[tokio::test]
async fn privileged_pod_is_denied_hardened_admitted_with_same_uid() {
    let (r, c) = server(Severity::High).await;
    let bad = post_review(
        r.addr,
        &c.ca_pem,
        &review(
            "u-1",
            "CREATE",
            "apps",
            "Pod",
            &pod("p", DIGEST_IMAGE, true),
            false,
        ),
    )
    .await;
    assert_eq!(bad.status, 200);
    assert!(
        bad.head
            .to_ascii_lowercase()
            .contains("content-type: application/json")
    );
    let v = bad.json();
    assert_eq!(v["apiVersion"], "admission.k8s.io/v1");
    assert_eq!(v["kind"], "AdmissionReview");
    assert_eq!(v["response"]["uid"], "u-1");
    assert_eq!(v["response"]["allowed"], false);
    assert_eq!(v["response"]["status"]["code"], 403);
    let msg = v["response"]["status"]["message"].as_str().unwrap();
    assert!(
        msg.contains("WKL-001 container `app` runs privileged (at spec.containers[0].securityContext.privileged)"),
        "{msg}"
    );

    let good = post_review(
        r.addr,
        &c.ca_pem,
        &review(
            "u-2",
            "CREATE",
            "apps",
            "Pod",
            &pod("p", DIGEST_IMAGE, false),
            true,
        ),
    )
    .await
    .json();
    assert_eq!(good["response"]["uid"], "u-2");
    assert_eq!(good["response"]["allowed"], true);
    assert!(good["response"].get("warnings").is_none());

    let metrics = get(r.addr, &c.ca_pem, "/metrics").await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .body
            .contains("plimsoll_admission_requests_total{operation=\"CREATE\",dry_run=\"true\"} 1")
    );
    assert!(
        metrics
            .body
            .contains("plimsoll_admission_decisions_total{result=\"denied\"} 1")
    );
    assert!(metrics.body.contains(
        "plimsoll_admission_findings_total{rule=\"WKL-001\",severity=\"critical\",action=\"blocked\"} 1"
    ));
    assert!(
        metrics
            .body
            .contains("plimsoll_admission_duration_seconds_count 2")
    );
    assert_eq!(get(r.addr, &c.ca_pem, "/readyz").await.status, 200);
    r.shutdown().await.unwrap();
}

#[tokio::test]
async fn warnings_are_short_and_listed() {
    let (r, c) = server(Severity::Critical).await;
    let v = post_review(
        r.addr,
        &c.ca_pem,
        &review(
            "u",
            "CREATE",
            "apps",
            "Pod",
            &pod("p", "nginx:latest", false),
            false,
        ),
    )
    .await
    .json();
    assert_eq!(v["response"]["allowed"], true);
    let w = v["response"]["warnings"].as_array().unwrap();
    assert_eq!(w.len(), 1);
    let w = w[0].as_str().unwrap();
    assert!(
        w.starts_with("IMG-001 ") && w.ends_with("(at spec.containers[0].image)"),
        "{w}"
    );
    assert!(w.chars().count() < 120);
    r.shutdown().await.unwrap();
}

#[tokio::test]
async fn bad_input_gets_clear_errors_and_the_server_stays_up() {
    let (r, c) = server(Severity::High).await;
    let ca = &c.ca_pem;

    // malformed JSON
    let resp = post_review(r.addr, ca, "{\"apiVersion\": ").await;
    assert_eq!(resp.status, 400);
    assert!(
        resp.body.contains("not a valid AdmissionReview"),
        "{}",
        resp.body
    );

    // wrong apiVersion
    let v1beta1 = review(
        "u",
        "CREATE",
        "apps",
        "Pod",
        &pod("p", DIGEST_IMAGE, true),
        false,
    )
    .replace("admission.k8s.io/v1", "admission.k8s.io/v1beta1");
    let resp = post_review(r.addr, ca, &v1beta1).await;
    assert_eq!(resp.status, 400);
    assert!(
        resp.body.contains("admissionReviewVersions: [v1]"),
        "{}",
        resp.body
    );

    // not a review at all
    let resp = post_review(r.addr, ca, r#"{"apiVersion":"v1","kind":"Pod"}"#).await;
    assert_eq!(resp.status, 400);

    // no request
    let resp = post_review(
        r.addr,
        ca,
        r#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#,
    )
    .await;
    assert_eq!(resp.status, 400);

    // missing object: admitted, with a warning saying it was not evaluated
    let resp = post_review(
        r.addr,
        ca,
        &review("u-none", "CREATE", "apps", "Pod", "null", false),
    )
    .await
    .json();
    assert_eq!(resp["response"]["uid"], "u-none");
    assert_eq!(resp["response"]["allowed"], true);
    assert!(
        resp["response"]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("no object")
    );

    // wrong content type, wrong method, unknown path
    let resp = request(r.addr, ca, "POST", "/validate", Some("text/plain"), b"{}").await;
    assert_eq!(resp.status, 415);
    assert_eq!(get(r.addr, ca, "/validate").await.status, 405);
    assert_eq!(get(r.addr, ca, "/nope").await.status, 404);

    // huge body, declared: 413 before it is read
    let big = vec![b' '; (64 << 10) + 1];
    let resp = post_review(r.addr, ca, std::str::from_utf8(&big).unwrap()).await;
    assert_eq!(resp.status, 413);

    // huge body, chunked (no Content-Length): 413 once the limit is crossed
    let mut s = connect(r.addr, ca).await.unwrap();
    s.write_all(b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        .await
        .unwrap();
    let (mut rd, mut wr) = tokio::io::split(s);
    let writer = tokio::spawn(async move {
        let chunk = vec![b'x'; 8192];
        for _ in 0..64 {
            let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
            frame.extend_from_slice(&chunk);
            frame.extend_from_slice(b"\r\n");
            if wr.write_all(&frame).await.is_err() {
                break;
            }
        }
    });
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), rd.read_to_end(&mut out)).await;
    writer.abort();
    assert_eq!(parse(&out).status, 413, "{}", String::from_utf8_lossy(&out));

    still_serving(&r, ca).await;
    let m = get(r.addr, ca, "/metrics").await.body;
    assert!(m.contains("plimsoll_admission_decisions_total{result=\"invalid\"}"));
    r.shutdown().await.unwrap();
}

#[tokio::test]
async fn slow_clients_are_cut_off_and_the_server_stays_up() {
    let (r, c) = server(Severity::High).await;
    let ca = c.ca_pem.clone();

    // slowloris: headers trickle in one byte at a time, never finished
    let t0 = Instant::now();
    let mut s = connect(r.addr, &ca).await.unwrap();
    s.write_all(b"POST /validate HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();
    let mut closed = false;
    for _ in 0..40 {
        if s.write_all(b"X").await.is_err() || s.flush().await.is_err() {
            closed = true;
            break;
        }
        let mut buf = [0u8; 256];
        match tokio::time::timeout(Duration::from_millis(100), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                closed = true;
                break;
            }
            Ok(Ok(_)) => {
                // hyper may answer 408 before closing
                closed = true;
                break;
            }
            Err(_) => {}
        }
    }
    assert!(
        closed,
        "slowloris connection still open after {:?}",
        t0.elapsed()
    );
    assert!(
        t0.elapsed() >= Duration::from_millis(900),
        "closed too early: {:?}",
        t0.elapsed()
    );
    assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());

    // slow body: headers complete, body stalls: 408 within the request timeout
    let mut s = connect(r.addr, &ca).await.unwrap();
    s.write_all(b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"apiVersion\"")
        .await
        .unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
    assert_eq!(parse(&out).status, 408, "{}", String::from_utf8_lossy(&out));

    // TCP connection that never starts TLS: closed after the handshake timeout
    let mut tcp = tokio::net::TcpStream::connect(r.addr).await.unwrap();
    let mut buf = [0u8; 16];
    let n = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut buf)).await;
    assert!(matches!(n, Ok(Ok(0)) | Ok(Err(_))), "{n:?}");

    // garbage instead of a ClientHello
    let mut tcp = tokio::net::TcpStream::connect(r.addr).await.unwrap();
    tcp.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
    let n = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut buf)).await;
    assert!(n.is_ok(), "not closed");

    still_serving(&r, &ca).await;
    r.shutdown().await.unwrap();
}

#[tokio::test]
async fn many_concurrent_reviews_on_keep_alive_connections() {
    let (r, c) = server(Severity::High).await;
    let body = review(
        "u",
        "CREATE",
        "apps",
        "Pod",
        &pod("p", DIGEST_IMAGE, true),
        false,
    );
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (addr, ca, body) = (r.addr, c.ca_pem.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let mut s = connect(addr, &ca).await.unwrap();
            for _ in 0..10 {
                let req = format!(
                    "POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                s.write_all(req.as_bytes()).await.unwrap();
                // read one response: head, then Content-Length bytes
                let mut buf = Vec::new();
                let mut tmp = [0u8; 4096];
                loop {
                    let n = s.read(&mut tmp).await.unwrap();
                    assert!(n > 0);
                    buf.extend_from_slice(&tmp[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..i]).to_ascii_lowercase();
                        let len: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length: "))
                            .unwrap()
                            .trim()
                            .parse()
                            .unwrap();
                        if buf.len() >= i + 4 + len {
                            assert!(head.starts_with("http/1.1 200"));
                            break;
                        }
                    }
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let m = get(r.addr, &c.ca_pem, "/metrics").await.body;
    assert!(
        m.contains("plimsoll_admission_decisions_total{result=\"denied\"} 160"),
        "{m}"
    );
    r.shutdown().await.unwrap();
}

#[tokio::test]
async fn graceful_shutdown_drains_in_flight_requests() {
    let c = certs();
    let mut o = options(&c);
    o.request_timeout = Duration::from_secs(5);
    o.shutdown_delay = Duration::from_millis(500);
    let r = start(o, reviewer(Severity::High)).await.unwrap();
    let addr = r.addr;
    let body = review(
        "u-drain",
        "CREATE",
        "apps",
        "Pod",
        &pod("p", DIGEST_IMAGE, false),
        false,
    );

    // a request whose body is half sent when the shutdown starts
    let mut s = connect(addr, &c.ca_pem).await.unwrap();
    let head = format!(
        "POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let (a, b) = body.as_bytes().split_at(body.len() / 2);
    s.write_all(a).await.unwrap();
    s.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;

    let shutdown = tokio::spawn(r.shutdown());
    // during the shutdown delay: still serving, but not ready
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(get(addr, &c.ca_pem, "/readyz").await.status, 503);
    assert_eq!(get(addr, &c.ca_pem, "/healthz").await.status, 200);
    // after the delay, the in-flight request still completes
    tokio::time::sleep(Duration::from_millis(700)).await;
    s.write_all(b).await.unwrap();
    s.flush().await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
    let resp = parse(&out);
    assert_eq!(resp.status, 200, "{resp:?}");
    assert_eq!(resp.json()["response"]["uid"], "u-drain");
    tokio::time::timeout(Duration::from_secs(10), shutdown)
        .await
        .expect("shutdown finished")
        .unwrap()
        .unwrap();
    // and new connections are refused
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn certificate_files_are_reloaded_when_they_change() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("tls.crt"), dir.path().join("tls.key"));
    let a = certs();
    std::fs::write(&cert, &a.cert_pem).unwrap();
    std::fs::write(&key, &a.key_pem).unwrap();
    let mut o = options(&a);
    o.tls = TlsSource::Files {
        cert: cert.clone(),
        key: key.clone(),
        reload_every: Duration::from_millis(100),
    };
    let r = start(o, reviewer(Severity::High)).await.unwrap();
    still_serving(&r, &a.ca_pem).await;

    // a broken pair is ignored: the old certificate keeps serving
    std::fs::write(&cert, "garbage").unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    still_serving(&r, &a.ca_pem).await;

    // a new pair (new CA) is picked up without restart
    let b = certs();
    std::fs::write(&key, &b.key_pem).unwrap();
    std::fs::write(&cert, &b.cert_pem).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if connect(r.addr, &b.ca_pem).await.is_ok() {
            break;
        }
        assert!(Instant::now() < deadline, "new certificate not served");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        connect(r.addr, &a.ca_pem).await.is_err(),
        "old CA still accepted"
    );
    still_serving(&r, &b.ca_pem).await;
    r.shutdown().await.unwrap();
}

#[tokio::test]
async fn prestop_hook_waits_the_shutdown_delay_once() {
    let c = certs();
    let mut o = options(&c);
    o.shutdown_delay = Duration::from_millis(400);
    let r = start(o, reviewer(Severity::High)).await.unwrap();
    let t = Instant::now();
    let resp = get(r.addr, &c.ca_pem, "/prestop").await;
    assert_eq!(resp.status, 200);
    assert!(
        t.elapsed() >= Duration::from_millis(400),
        "{:?}",
        t.elapsed()
    );
    // the hook changes nothing a caller could abuse: still ready
    assert_eq!(get(r.addr, &c.ca_pem, "/readyz").await.status, 200);
    // SIGTERM after the hook drains at once
    let t = Instant::now();
    r.shutdown().await.unwrap();
    assert!(
        t.elapsed() < Duration::from_millis(350),
        "{:?}",
        t.elapsed()
    );
}

plimsoll_rules::declare_rule! {
    /// ## What it does
    /// Panics: a stand-in for a rule with a bug.
    pub struct PanickingRule {
        id: "TST-999", name: "panicking-rule", gap: Workload, severity: Low,
        target: plimsoll_rules::Target::Workloads,
        summary: "Panics",
        peers: [],
    }
}

impl plimsoll_rules::Rule for PanickingRule {
    fn check_workload(&self, _: &plimsoll_model::Workload<'_>, _: &mut plimsoll_rules::Cx<'_>) {
        panic!("rule bug");
    }
}

#[tokio::test]
async fn a_panicking_rule_gets_a_500_and_the_server_stays_up() {
    static RULE: PanickingRule = PanickingRule;
    let c = certs();
    let reviewer = Reviewer::new(
        Engine::new(vec![&RULE], Default::default()),
        Policy::default(),
    );
    let r = start(options(&c), reviewer).await.unwrap();
    let resp = post_review(
        r.addr,
        &c.ca_pem,
        &review(
            "u-panic",
            "CREATE",
            "apps",
            "Pod",
            &pod("p", DIGEST_IMAGE, false),
            false,
        ),
    )
    .await;
    assert_eq!(resp.status, 500, "{resp:?}");
    assert!(resp.body.contains("u-panic"));
    still_serving(&r, &c.ca_pem).await;
    let m = get(r.addr, &c.ca_pem, "/metrics").await.body;
    assert!(
        m.contains("plimsoll_admission_decisions_total{result=\"error\"} 1"),
        "{m}"
    );
    r.shutdown().await.unwrap();
}
