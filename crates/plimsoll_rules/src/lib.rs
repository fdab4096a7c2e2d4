//! Plimsoll's rules and the engine that runs them.
//!
//! One rule is one file under `src/rules/<gap>/`, declared with [`declare_rule!`]: its doc
//! comment is its documentation (`## What it does`, `## Why it matters`, `## How to fix`,
//! `## Severity`), and it sits next to `fixtures/<RULE-ID>/{fail,pass}*.yaml` which the one
//! generic test driver (`tests/fixtures.rs`) runs. Each gap's `mod.rs` lists its rules in
//! `RULES`; [`registry::all`] chains the gaps. Rules never do I/O.

pub mod config;
pub mod date;
pub mod engine;
pub mod registry;
pub mod rule;
pub mod rules;
pub mod suppress;
pub mod util;

pub use engine::{Engine, FileOutcome, Settings};
pub use plimsoll_model::{Finding, Gap, Peer, RuleMeta, Severity};
pub use rule::{Cx, IndexCx, Meta, Rule, Target};
