use crate::rule::Rule;

mod cpu_request_missing;
mod cronjob_concurrency_unset;
mod cronjob_without_deadline;
mod duplicate_env_var;
mod hpa_min_replicas_low;
mod hpa_target_has_replicas;
mod hpa_target_missing;
mod job_without_ttl;
mod memory_limit_missing;
mod memory_request_missing;
mod missing_pdb;
mod naked_pod;
mod no_pod_spread;
mod pdb_blocks_eviction;
mod recreate_strategy;
mod replicas_below_minimum;
mod selector_mismatch;
mod support;

pub const RULES: &[&dyn Rule] = &[
    &cpu_request_missing::CpuRequestMissing,
    &memory_request_missing::MemoryRequestMissing,
    &memory_limit_missing::MemoryLimitMissing,
    &replicas_below_minimum::ReplicasBelowMinimum,
    &missing_pdb::MissingPdb,
    &pdb_blocks_eviction::PdbBlocksEviction,
    &no_pod_spread::NoPodSpread,
    &recreate_strategy::RecreateStrategy,
    &hpa_target_has_replicas::HpaTargetHasReplicas,
    &hpa_target_missing::HpaTargetMissing,
    &hpa_min_replicas_low::HpaMinReplicasLow,
    &naked_pod::NakedPod,
    &selector_mismatch::SelectorMismatch,
    &cronjob_without_deadline::CronjobWithoutDeadline,
    &cronjob_concurrency_unset::CronjobConcurrencyUnset,
    &job_without_ttl::JobWithoutTtl,
    &duplicate_env_var::DuplicateEnvVar,
];
