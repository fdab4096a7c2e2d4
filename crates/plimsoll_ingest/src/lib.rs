//! Finding, classifying and reading what a team deploys from, and scanning it.
//!
//! [`discover`] walks paths (respecting `.gitignore`) and classifies files by name and place;
//! [`scan`] reads and parses them in parallel, runs the per-file pass of the engine on each,
//! drops the trees, builds the cross-object index from the facts, and runs the index pass.

pub mod discover;
pub mod scan;

pub use discover::{FileKind, Input, discover};
pub use scan::{InputError, ScanOptions, ScanResult, ScannedFile, scan};
