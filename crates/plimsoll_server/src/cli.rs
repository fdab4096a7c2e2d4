//! `plimsoll serve`: the arguments and the entry point the CLI mounts.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::config::{ConfigSource, Threshold};
use crate::policy::Policy;
use crate::server::{ConfigWatch, ServerOptions, start};
use crate::tls::{TlsSource, default_sans, self_signed};

/// Serve the validating admission webhook (`POST /validate`, `/healthz`, `/readyz`, `/metrics`)
/// over HTTPS.
#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:8443")]
    pub listen: SocketAddr,

    /// Serving certificate chain (PEM). Reloaded when the file changes.
    #[arg(
        long,
        value_name = "FILE",
        requires = "tls_key",
        conflicts_with = "self_signed"
    )]
    pub tls_cert: Option<PathBuf>,

    /// Private key of the serving certificate (PEM). Reloaded when the file changes.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Development only: generate a CA and a serving certificate at start-up and print the CA
    /// bundle (base64, for the webhook's `caBundle`) on standard output.
    #[arg(long, required_unless_present = "tls_cert")]
    pub self_signed: bool,

    /// With --self-signed: write `ca.crt`, `tls.crt` and `tls.key` into DIR and exit, for a
    /// Secret and the chart's `webhook.caBundle` when cert-manager is not used.
    #[arg(long, value_name = "DIR", requires = "self_signed")]
    pub write_certs: Option<PathBuf>,

    /// Service name for the self-signed certificate's names (`<service>.<namespace>.svc`).
    #[arg(long, value_name = "NAME", default_value = "plimsoll")]
    pub service_name: String,

    /// Namespace for the self-signed certificate's names.
    #[arg(
        long,
        value_name = "NS",
        env = "POD_NAMESPACE",
        default_value = "default"
    )]
    pub namespace: String,

    /// Configuration file (the same `plimsoll.yaml` as `plimsoll scan`: rules, severities,
    /// settings, profiles, `namespaceProfiles`, exemptions, `notSuppressible`, `failOn`).
    /// Reloaded when it changes; a new file that does not load keeps the old rules.
    #[arg(long, value_name = "FILE", env = "PLIMSOLL_CONFIG")]
    pub config: Option<PathBuf>,

    /// Default profile (from the configuration, or `production`, `pilot`); namespaces listed in
    /// `namespaceProfiles` get theirs.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Deny requests with findings at or above this severity (`never`: only warn); findings
    /// below are warnings. Default: the configuration's `failOn`, else high.
    #[arg(long, visible_alias = "block-on", value_name = "SEVERITY",
          value_parser = Threshold::parse)]
    pub fail_on: Option<Threshold>,

    /// Ignore `plimsoll.dev/ignore` annotations (configuration exemptions still apply).
    #[arg(long)]
    pub no_annotation_suppressions: bool,

    /// How often to check --config for changes.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub config_reload_interval: Duration,

    /// Namespaces never evaluated (repeatable; `prefix*` matches by prefix). Giving any
    /// replaces the default.
    #[arg(
        long = "exempt-namespace",
        value_name = "NS",
        default_value = "kube-system"
    )]
    pub exempt_namespaces: Vec<String>,

    /// On UPDATE, block even on findings the stored object already had (default: such findings
    /// only warn, so fixing one thing never requires fixing everything first).
    #[arg(long)]
    pub no_ratchet: bool,

    /// Largest request body accepted; larger ones get 413.
    #[arg(long, value_name = "BYTES", default_value_t = 3 << 20)]
    pub max_body_bytes: usize,

    /// Time allowed to receive a request body (e.g. `10s`, `500ms`).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub request_timeout: Duration,

    /// Time allowed to receive request headers; slower connections are closed (slowloris).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub header_read_timeout: Duration,

    /// How often to check --tls-cert/--tls-key for changes.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub tls_reload_interval: Duration,

    /// After SIGTERM, keep serving this long with /readyz failing before draining (skipped when
    /// a `GET /prestop` hook already waited it).
    #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = parse_duration)]
    pub shutdown_delay: Duration,

    /// Time in-flight requests get to finish on shutdown.
    #[arg(long, value_name = "DURATION", default_value = "25s", value_parser = parse_duration)]
    pub shutdown_grace: Duration,

    /// Log format on standard error.
    #[arg(long, value_name = "FORMAT", default_value = "json",
          value_parser = clap::builder::PossibleValuesParser::new(["json", "text"]))]
    pub log_format: String,

    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,
}

/// `10s`, `500ms`, `2m`, or a plain number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: f64 = num
        .parse()
        .map_err(|_| format!("invalid duration {s:?} (e.g. 10s, 500ms)"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return Err(format!("invalid duration unit in {s:?} (ms, s, m)")),
    };
    Duration::try_from_secs_f64(secs).map_err(|e| e.to_string())
}

fn init_logging(format: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("PLIMSOLL_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if format == "text" {
        b.try_init()
    } else {
        b.json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .try_init()
    };
}

/// Run the webhook until SIGTERM or SIGINT. Returns the process exit code: 0 after a clean
/// shutdown, 2 when it cannot start (bad certificate, address in use), 1 on a later failure.
pub fn run(args: &ServeArgs) -> i32 {
    init_logging(&args.log_format);
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all();
    if let Some(n) = args.workers {
        rt.worker_threads(n.max(1));
    }
    let rt = match rt.build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("plimsoll serve: cannot start the runtime: {e}");
            return 2;
        }
    };
    rt.block_on(serve(args))
}

/// `--self-signed --write-certs DIR`: write a CA and a serving certificate, print the caBundle.
fn write_certs(args: &ServeArgs, dir: &std::path::Path) -> i32 {
    let sans = default_sans(&args.service_name, &args.namespace);
    let s = match self_signed(&sans) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("plimsoll serve: cannot generate a certificate: {e}");
            return 2;
        }
    };
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("ca.crt"), &s.ca_pem)?;
        std::fs::write(dir.join("tls.crt"), &s.cert_pem)?;
        write_private(&dir.join("tls.key"), &s.key_pem)
    };
    match write() {
        Ok(()) => {
            println!(
                "wrote {0}/ca.crt, {0}/tls.crt, {0}/tls.key for {1}",
                dir.display(),
                sans.join(", ")
            );
            println!("caBundle: {}", s.ca_bundle());
            0
        }
        Err(e) => {
            eprintln!(
                "plimsoll serve: writing certificates to {}: {e}",
                dir.display()
            );
            2
        }
    }
}

async fn serve(args: &ServeArgs) -> i32 {
    if let Some(dir) = &args.write_certs {
        return write_certs(args, dir);
    }
    // the rules first: a configuration that does not load stops the start-up before anything
    // is printed or bound
    let source = ConfigSource {
        path: args.config.clone(),
        profile: args.profile.clone(),
        fail_on: args.fail_on,
        policy: Policy {
            exempt_namespaces: args.exempt_namespaces.clone(),
            ratchet_updates: !args.no_ratchet,
            annotations: !args.no_annotation_suppressions,
            ..Policy::default()
        },
    };
    let loaded = match source.load() {
        Ok(l) => l,
        Err(e) => {
            for line in e.lines() {
                eprintln!("error: {line}");
            }
            return 2;
        }
    };
    let reviewer = loaded.reviewer;
    {
        let profiles: Vec<&str> = reviewer.profiles().iter().map(|p| &*p.name).collect();
        tracing::info!(
            config = %args.config.as_deref().map(|p| p.display().to_string()).unwrap_or_default(),
            profiles = %profiles.join(","),
            blocking = %reviewer.policy.blocking,
            warn_only = reviewer.policy.warn_only,
            not_suppressible = %reviewer.policy.not_suppressible.join(","),
            exemptions = reviewer.policy.exemptions.len(),
            "rules loaded"
        );
    }
    let config = loaded.stamp.map(|loaded| ConfigWatch {
        source: source.clone(),
        every: args.config_reload_interval,
        loaded,
    });
    let tls = if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        TlsSource::Files {
            cert: cert.clone(),
            key: key.clone(),
            reload_every: args.tls_reload_interval,
        }
    } else {
        let sans = default_sans(&args.service_name, &args.namespace);
        match self_signed(&sans) {
            Ok(s) => {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "caBundle: {}", s.ca_bundle());
                let _ = out.flush();
                tracing::warn!(
                    sans = %sans.join(","),
                    "serving a self-signed development certificate; use --tls-cert/--tls-key in production"
                );
                TlsSource::Pem {
                    cert: s.cert_pem,
                    key: s.key_pem,
                }
            }
            Err(e) => {
                eprintln!("plimsoll serve: cannot generate a certificate: {e}");
                return 2;
            }
        }
    };
    let opts = ServerOptions {
        config,
        max_body_bytes: args.max_body_bytes,
        request_timeout: args.request_timeout,
        header_read_timeout: args.header_read_timeout,
        shutdown_delay: args.shutdown_delay,
        shutdown_grace: args.shutdown_grace,
        ..ServerOptions::new(args.listen, tls)
    };
    let running = match start(opts, reviewer).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("plimsoll serve: {e}");
            return 2;
        }
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening: https://{}", running.addr);
        let _ = out.flush();
    }
    match shutdown_signal().await {
        Ok(sig) => tracing::info!(signal = sig, "received signal"),
        Err(e) => {
            tracing::error!(error = %e, "cannot listen for signals");
            return 1;
        }
    }
    match running.shutdown().await {
        Ok(()) => 0,
        Err(e) => {
            tracing::error!(error = %e, "server failed");
            1
        }
    }
}

fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)?;
        f.write_all(text.as_bytes())
    }
    #[cfg(not(unix))]
    {
        std::fs::write(path, text)
    }
}

async fn shutdown_signal() -> std::io::Result<&'static str> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        tokio::select! {
            _ = term.recv() => Ok("SIGTERM"),
            _ = int.recv() => Ok("SIGINT"),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await?;
        Ok("ctrl-c")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    #[test]
    fn defaults_and_aliases() {
        let c = Cli::parse_from(["x", "--self-signed"]);
        assert_eq!(c.serve.listen.to_string(), "0.0.0.0:8443");
        assert_eq!(c.serve.fail_on, None);
        assert_eq!(c.serve.max_body_bytes, 3 << 20);
        assert_eq!(c.serve.exempt_namespaces, vec!["kube-system"]);
        let c = Cli::parse_from(["x", "--self-signed", "--block-on", "critical"]);
        assert_eq!(
            c.serve.fail_on,
            Some(Threshold::At(plimsoll_model::Severity::Critical))
        );
        let c = Cli::parse_from(["x", "--self-signed", "--fail-on", "never"]);
        assert_eq!(c.serve.fail_on, Some(Threshold::Never));
        assert!(Cli::try_parse_from(["x"]).is_err(), "TLS source required");
        assert!(
            Cli::try_parse_from(["x", "--tls-cert", "c"]).is_err(),
            "key required"
        );
        assert!(
            Cli::try_parse_from(["x", "--self-signed", "--tls-cert", "c", "--tls-key", "k"])
                .is_err()
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert!(parse_duration("3h").is_err());
        assert!(parse_duration("x").is_err());
    }
}
