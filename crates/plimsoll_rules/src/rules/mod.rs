//! Rules, one folder per gap, one file per rule, fixtures beside them.

pub mod access;
pub mod change;
pub mod image;
pub mod network;
pub mod observability;
pub mod recovery;
pub mod resilience;
pub mod secrets;
pub mod storage;
pub mod workload;
