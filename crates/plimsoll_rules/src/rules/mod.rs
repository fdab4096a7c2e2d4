//! Rules, one folder per gap, one file per rule, fixtures beside them.

pub mod access;
pub mod change;
pub mod compose;
pub mod declarations;
pub mod dockerfile;
pub mod image;
pub mod network;
pub mod observability;
pub mod recovery;
pub mod resilience;
pub(crate) mod runnable;
pub mod secrets;
pub mod storage;
pub mod systemd;
pub mod workload;
