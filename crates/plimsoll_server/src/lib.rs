//! Plimsoll's validating admission webhook.
//!
//! The gate at the door: the same rules as `plimsoll scan`, applied to each object the API server
//! is about to store. `POST /validate` takes an `admission.k8s.io/v1` `AdmissionReview`
//! ([`admission`]); the object is parsed by `plimsoll_yaml` (JSON is YAML, spans kept) and run
//! through the per-object rules ([`review`]); findings at or above the [`policy::Policy`]'s
//! blocking severity deny the request with a 403 listing `RULE-ID message (at field.path)`, the
//! others come back as warnings. [`server`] is the HTTPS server (axum on hyper, rustls on ring,
//! `TCP_NODELAY`, bounded bodies and times, graceful drain), [`tls`] loads and reloads the
//! certificate or generates a development one, [`metrics`] renders Prometheus text, and [`cli`]
//! is what `plimsoll serve` mounts. The rules, profiles, severities, exemptions and
//! not-suppressible rules come from the same `plimsoll.yaml` as `plimsoll scan` ([`config`]),
//! reloaded when the file changes.

pub mod admission;
pub mod cli;
pub mod config;
pub mod metrics;
pub mod policy;
pub mod review;
pub mod server;
pub mod tls;

pub use config::{ConfigSource, Threshold};
pub use policy::{Policy, SuppressionHook};
pub use review::{Outcome, Reviewer, Verdict};
pub use server::{ConfigWatch, Running, ServerOptions, start};
