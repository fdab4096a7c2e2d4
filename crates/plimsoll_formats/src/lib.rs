//! Readers for what is deployed without Kubernetes: Dockerfiles, Compose files and systemd
//! units. Each keeps byte spans into its source so findings point at the offending line and
//! column, and reports problems instead of failing. [`runnable`] is the one view over what runs
//! (a Kubernetes container, a Compose service, a systemd service) that the rules about a shared
//! risk are written against.

pub mod compose;
pub mod dockerfile;
pub mod runnable;
pub mod systemd;

/// A problem that stopped (part of) a file from being read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    pub message: String,
    /// Byte offset in the source.
    pub offset: u32,
}
