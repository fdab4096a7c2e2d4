//! The readiness summary and the output formats.
//!
//! * [`summary`]: a score 0-100 per gap and the stage of the whole scan.
//! * [`json`]: the `plimsoll/report/v1` JSON contract.
//! * [`human`]: rustc-style diagnostics with the offending key underlined.
//! * [`sarif`]: SARIF 2.1.0 for code-scanning upload.
//! * [`plan`]: the fewest changes that move the stage up one step.
//! * [`markdown`] and [`html`]: the readiness report (stage, scores, plan, findings by gap).
//! * [`junit`], [`github`], [`gitlab`]: JUnit XML, GitHub Actions annotations, GitLab Code Quality.

pub mod baseline;
pub mod docs;
pub mod fingerprint;
pub mod github;
pub mod gitlab;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod plan;
pub mod sarif;
pub mod summary;

pub use summary::{Evidence, Stage, Summary};

/// Everything a renderer needs.
pub struct ReportInput<'a> {
    pub scan: &'a plimsoll_ingest::ScanResult,
    pub summary: &'a Summary,
    /// Every rule that ran (SARIF lists them).
    pub rules: &'a [&'static plimsoll_model::RuleMeta],
    pub tool_version: &'a str,
}
