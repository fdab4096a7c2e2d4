//! The HTTPS server: routes, limits, graceful shutdown.
//!
//! * `POST /validate`: an `AdmissionReview` in, an `AdmissionReview` out.
//! * `GET /healthz` (alive), `GET /readyz` (serving and not shutting down), `GET /metrics`.
//! * `GET /prestop`: for a `lifecycle.preStop.httpGet` hook. Waits `shutdown_delay` and answers,
//!   so the kubelet sends SIGTERM only once the terminating pod has left the Service's endpoints
//!   (no `sleep` binary needed in a distroless image, and no Kubernetes 1.30 `sleep` action). It
//!   changes no state (a caller cannot make a healthy pod unready) and at most two callers wait.
//!
//! The rules can change while serving: with [`ServerOptions::config`] the configuration file is
//! polled and a new [`Reviewer`] swapped in when it changes and loads (a broken file keeps the
//! old rules and is logged at `error`); each request takes the current one.
//!
//! Limits: bodies over `max_body_bytes` get 413 (at once when `Content-Length` says so, else when
//! the limit is crossed); a body not fully read within `request_timeout` gets 408; request
//! headers not received within `header_read_timeout` close the connection (slowloris), and so
//! does a TLS handshake not done within `handshake_timeout`. Accepted sockets get `TCP_NODELAY`:
//! without it a response written in two segments waits ~40 ms for the peer's delayed ACK.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_server::Handle;
use axum_server::accept::NoDelayAcceptor;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper_util::rt::TokioTimer;
use tokio::task::JoinHandle;

use crate::admission;
use crate::config::{ConfigSource, Poll, Stamp};
use crate::metrics::Metrics;
use crate::review::{Outcome, Reviewer};
use crate::tls::TlsSource;

/// Everything about how the server listens and protects itself.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    pub listen: SocketAddr,
    pub tls: TlsSource,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    pub header_read_timeout: Duration,
    pub handshake_timeout: Duration,
    /// After SIGTERM: how long to keep serving while `/readyz` fails (endpoints propagate).
    pub shutdown_delay: Duration,
    /// Then: how long in-flight requests may take before connections are cut.
    pub shutdown_grace: Duration,
    /// Reload the rules when the configuration file changes.
    pub config: Option<ConfigWatch>,
}

/// The configuration file to poll, how often, and what was loaded at start.
#[derive(Clone, Debug)]
pub struct ConfigWatch {
    pub source: ConfigSource,
    pub every: Duration,
    /// The stamp of the file the starting reviewer was built from.
    pub loaded: Stamp,
}

impl ServerOptions {
    pub fn new(listen: SocketAddr, tls: TlsSource) -> ServerOptions {
        ServerOptions {
            listen,
            tls,
            max_body_bytes: 3 << 20,
            request_timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(10),
            handshake_timeout: Duration::from_secs(5),
            shutdown_delay: Duration::ZERO,
            shutdown_grace: Duration::from_secs(25),
            config: None,
        }
    }
}

struct AppState {
    /// The current rules; a configuration reload replaces the `Arc`.
    reviewer: RwLock<Arc<Reviewer>>,
    metrics: Metrics,
    ready: AtomicBool,
    max_body: usize,
    request_timeout: Duration,
    shutdown_delay: Duration,
    /// Set once a preStop hook has waited the shutdown delay: SIGTERM then drains at once.
    prestop_waited: AtomicBool,
    prestop_slots: tokio::sync::Semaphore,
}

impl AppState {
    fn reviewer(&self) -> Arc<Reviewer> {
        self.reviewer
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn set_reviewer(&self, r: Reviewer) {
        *self.reviewer.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(r);
    }
}

/// A server that is listening.
pub struct Running {
    /// The bound address (useful with port 0).
    pub addr: SocketAddr,
    handle: Handle<SocketAddr>,
    state: Arc<AppState>,
    task: JoinHandle<io::Result<()>>,
    /// Certificate and configuration watchers.
    watchers: Vec<JoinHandle<()>>,
    tls: RustlsConfig,
    delay: Duration,
    grace: Duration,
}

impl Running {
    pub fn metrics_text(&self) -> String {
        self.state.metrics.render()
    }

    /// The rules serving now.
    pub fn reviewer(&self) -> Arc<Reviewer> {
        self.state.reviewer()
    }

    /// Replace the rules (new requests use them; requests in flight finish with the old ones).
    pub fn set_reviewer(&self, r: Reviewer) {
        self.state.set_reviewer(r);
    }

    /// The live TLS configuration (swap it to rotate certificates by hand).
    pub fn tls(&self) -> &RustlsConfig {
        &self.tls
    }

    /// Graceful shutdown: fail `/readyz`, keep serving for the shutdown delay, stop accepting,
    /// let in-flight requests finish within the grace period, then return.
    pub async fn shutdown(self) -> io::Result<()> {
        self.state.ready.store(false, Ordering::SeqCst);
        tracing::info!(
            delay_ms = self.delay.as_millis() as u64,
            grace_ms = self.grace.as_millis() as u64,
            connections = self.handle.connection_count(),
            "shutting down: draining in-flight requests"
        );
        if !self.delay.is_zero() && !self.state.prestop_waited.load(Ordering::SeqCst) {
            tokio::time::sleep(self.delay).await;
        }
        self.handle.graceful_shutdown(Some(self.grace));
        self.wait().await
    }

    /// Wait for the server to stop (after a shutdown, or on an accept-loop error).
    pub async fn wait(mut self) -> io::Result<()> {
        let r = (&mut self.task)
            .await
            .unwrap_or_else(|e| Err(io::Error::other(e.to_string())));
        for w in self.watchers.drain(..) {
            w.abort();
        }
        tracing::info!("server stopped");
        r
    }

    /// Stop at once, cutting connections (tests).
    pub fn abort(&self) {
        self.handle.shutdown();
        for w in &self.watchers {
            w.abort();
        }
    }
}

/// The router, without TLS (tests can drive it with `tower::ServiceExt::oneshot`).
fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/validate", post(validate))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/prestop", get(prestop))
        .with_state(state)
}

/// Bind, load the certificate and start serving in the background.
pub async fn start(opts: ServerOptions, reviewer: Reviewer) -> io::Result<Running> {
    let tls = opts.tls.load()?;
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|e| io::Error::new(e.kind(), format!("bind {}: {e}", opts.listen)))?;
    let addr = listener.local_addr()?;
    let state = Arc::new(AppState {
        reviewer: RwLock::new(Arc::new(reviewer)),
        metrics: Metrics::default(),
        ready: AtomicBool::new(false),
        max_body: opts.max_body_bytes,
        request_timeout: opts.request_timeout,
        shutdown_delay: opts.shutdown_delay,
        prestop_waited: AtomicBool::new(false),
        prestop_slots: tokio::sync::Semaphore::new(2),
    });
    let handle: Handle<SocketAddr> = Handle::new();
    let acceptor = RustlsAcceptor::new(tls.clone())
        .handshake_timeout(opts.handshake_timeout)
        .acceptor(NoDelayAcceptor::new());
    let mut server = axum_server::Server::from_listener(listener)
        .acceptor(acceptor)
        .http1_only()
        .handle(handle.clone());
    server
        .http_builder()
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(opts.header_read_timeout)
        .keep_alive(true);
    let app = router(state.clone());
    let task = tokio::spawn(server.serve(app.into_make_service()));
    let mut watchers = Vec::new();
    if let TlsSource::Files {
        cert,
        key,
        reload_every,
    } = &opts.tls
    {
        watchers.push(tokio::spawn(crate::tls::watch(
            tls.clone(),
            cert.clone(),
            key.clone(),
            *reload_every,
        )));
    }
    if let Some(w) = opts.config.clone() {
        watchers.push(tokio::spawn(watch_config(state.clone(), w)));
    }
    state.ready.store(true, Ordering::SeqCst);
    tracing::info!(%addr, "listening (https)");
    Ok(Running {
        addr,
        handle,
        state,
        task,
        watchers,
        tls,
        delay: opts.shutdown_delay,
        grace: opts.shutdown_grace,
    })
}

/// Poll the configuration file every `w.every`; when its content changes, load it and swap the
/// new rules in. A file that does not load (or went away) keeps the rules serving and is logged
/// at `error` once per change, with every problem and its place; `/metrics` counts reloads by
/// result and shows whether the last one succeeded.
async fn watch_config(st: Arc<AppState>, w: ConfigWatch) {
    let source = Arc::new(w.source);
    let mut last = w.loaded;
    let mut tick = tokio::time::interval(w.every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        let src = source.clone();
        let polled = match tokio::task::spawn_blocking(move || src.poll(&last)).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "configuration reload task failed");
                continue;
            }
        };
        let path = source
            .path
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        match polled {
            Poll::Same => {}
            Poll::Touched(stamp) => last = stamp,
            Poll::Changed(stamp, Ok(reviewer)) => {
                last = stamp;
                let profiles: Vec<&str> = reviewer.profiles().iter().map(|p| &*p.name).collect();
                tracing::info!(
                    config = %path,
                    profiles = %profiles.join(","),
                    blocking = %reviewer.policy.blocking,
                    warn_only = reviewer.policy.warn_only,
                    "reloaded configuration"
                );
                st.set_reviewer(reviewer);
                st.metrics.config_reload(true);
            }
            Poll::Changed(stamp, Err(e)) => {
                last = stamp;
                tracing::error!(
                    config = %path,
                    error = %e.lines().join("; "),
                    "configuration changed but does not load; keeping the rules in force"
                );
                st.metrics.config_reload(false);
            }
        }
    }
}

async fn readyz(State(st): State<Arc<AppState>>) -> Response {
    if st.ready.load(Ordering::SeqCst) {
        "ok".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "shutting down").into_response()
    }
}

async fn prestop(State(st): State<Arc<AppState>>) -> Response {
    let Ok(_slot) = st.prestop_slots.try_acquire() else {
        return (StatusCode::OK, "already waiting").into_response();
    };
    tracing::info!(
        delay_ms = st.shutdown_delay.as_millis() as u64,
        "preStop hook: waiting before SIGTERM"
    );
    tokio::time::sleep(st.shutdown_delay).await;
    st.prestop_waited.store(true, Ordering::SeqCst);
    "ok".into_response()
}

async fn metrics(State(st): State<Arc<AppState>>) -> Response {
    let mut r = st.metrics.render().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    r
}

fn reject(st: &AppState, start: Instant, code: StatusCode, msg: String) -> Response {
    st.metrics.decision(if code.is_server_error() {
        "error"
    } else {
        "invalid"
    });
    st.metrics.observe(start.elapsed());
    tracing::warn!(status = code.as_u16(), error = %msg, "rejected admission request");
    (code, msg).into_response()
}

async fn validate(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let start = Instant::now();
    if let Some(ct) = req.headers().get(header::CONTENT_TYPE)
        && !ct.to_str().unwrap_or("").contains("json")
    {
        return reject(
            &st,
            start,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected Content-Type: application/json".into(),
        );
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > st.max_body as u64) {
        return reject(
            &st,
            start,
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("body over the {} byte limit", st.max_body),
        );
    }
    let body: Body = req.into_body();
    let read = tokio::time::timeout(
        st.request_timeout,
        Limited::new(body, st.max_body).collect(),
    )
    .await;
    let bytes = match read {
        Err(_) => {
            return reject(
                &st,
                start,
                StatusCode::REQUEST_TIMEOUT,
                format!("body not received within {:?}", st.request_timeout),
            );
        }
        Ok(Err(e)) if e.is::<LengthLimitError>() => {
            return reject(
                &st,
                start,
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("body over the {} byte limit", st.max_body),
            );
        }
        Ok(Err(e)) => {
            return reject(
                &st,
                start,
                StatusCode::BAD_REQUEST,
                format!("reading body: {e}"),
            );
        }
        Ok(Ok(c)) => c.to_bytes(),
    };
    let request = match admission::decode(&bytes) {
        Ok(r) => r,
        Err(e) => return reject(&st, start, StatusCode::BAD_REQUEST, e.to_string()),
    };
    let dry_run = request.dry_run.unwrap_or(false);
    st.metrics.request(&request.operation, dry_run);
    // A rule that panics must not take the connection down unanswered: answer 500, which the
    // API server treats as a failed call (failurePolicy decides), and say which request it was.
    let reviewer = st.reviewer();
    let verdict = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        reviewer.review(&request)
    })) {
        Ok(v) => v,
        Err(_) => {
            tracing::error!(uid = %request.uid, kind = %request.kind.kind, "evaluation panicked");
            return reject(
                &st,
                start,
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("internal error evaluating request {}", request.uid),
            );
        }
    };
    st.metrics.decision(verdict.outcome.as_str());
    for f in &verdict.findings {
        st.metrics
            .finding(f.rule, f.severity.as_str(), f.action.as_str());
    }
    let body = match serde_json::to_vec(&verdict.response.into_review()) {
        Ok(b) => b,
        Err(e) => {
            return reject(
                &st,
                start,
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("encoding response: {e}"),
            );
        }
    };
    let elapsed = start.elapsed();
    st.metrics.observe(elapsed);
    let skipped = match verdict.outcome {
        Outcome::Skipped(why) => why,
        _ => "",
    };
    let blocked: Vec<&str> = verdict
        .findings
        .iter()
        .filter(|f| f.action == crate::review::Action::Blocked)
        .map(|f| f.rule)
        .collect();
    // Decisions that say something are logged at info; plain admits at debug.
    macro_rules! log_review {
        ($level:ident) => {
            tracing::$level!(
                uid = %request.uid,
                operation = %request.operation,
                kind = %request.kind.kind,
                namespace = %request.namespace,
                name = %request.name,
                user = %request.user_info.username,
                dry_run,
                profile = verdict.profile.as_deref().unwrap_or(""),
                result = verdict.outcome.as_str(),
                skipped,
                findings = verdict.findings.len(),
                blocked = %blocked.join(","),
                latency_us = elapsed.as_micros() as u64,
                "admission review"
            )
        };
    }
    match verdict.outcome {
        Outcome::Denied | Outcome::Warned => log_review!(info),
        _ => log_review!(debug),
    }
    let mut r = Response::new(Body::from(body));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}
