//! Plimsoll's model.
//!
//! * [`diag`]: the vocabulary every crate shares: [`Gap`], [`Severity`], [`RuleMeta`], [`Finding`],
//!   [`Loc`] and [`ObjectId`].
//! * [`k8s`]: Kubernetes objects read from the YAML tree (unknown kinds and CRDs included),
//!   with `List` kinds expanded.
//! * [`workload`]: the pod template of every workload kind, and its containers.
//! * [`selector`]: label selectors evaluated the way the API server does.
//! * [`facts`] and [`index`]: the compact facts kept per object after its file is dropped, and the
//!   index that answers cross-object questions (which NetworkPolicies select this pod, which PDB
//!   covers this Deployment, ...).
//! * [`declarations`]: `readiness.yaml` (owners, on-call, runbooks, RTO/RPO, restore-test
//!   cadence) and what the scan can verify of it; [`cron`]: backup schedules' intervals.

pub mod cron;
pub mod declarations;
pub mod diag;
pub mod evidence;
pub mod facts;
pub mod image;
pub mod index;
pub mod k8s;
pub mod selector;
pub mod workload;

pub use diag::{FileId, Finding, Gap, Loc, ObjectId, Peer, RuleMeta, Severity};
pub use facts::{Detail, ObjectFacts};
pub use image::ImageRef;
pub use index::Index;
pub use k8s::{Object, objects};
pub use selector::{LabelSelector, Labels};
pub use workload::{Container, ContainerKind, Workload, WorkloadKind};
