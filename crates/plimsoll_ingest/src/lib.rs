//! Finding, classifying and reading what a team deploys from, and scanning it.
//!
//! [`discover`] walks paths (respecting `.gitignore`) and classifies files by name and place;
//! [`scan`] reads and parses them in parallel, runs the per-file pass of the engine on each,
//! drops the trees, builds the cross-object index from the facts, and runs the index pass.
//! Helm charts and Kustomize overlays are rendered by the real tools first ([`render`],
//! [`helm`], [`kustomize`]) and scanned as what they render to, with a table per rendered file
//! that names the template or source file of each document.

pub mod discover;
pub mod helm;
pub mod kustomize;
pub mod render;
pub mod scan;

pub use discover::{FileKind, Input, discover};
pub use render::{HelmOptions, Match, Provenance, RenderSource, RenderTool, Rendered, RenderedDoc};
pub use scan::{
    InputError, Progress, ReadinessFile, ScanOptions, ScanResult, ScannedFile, parse_only, scan,
};
