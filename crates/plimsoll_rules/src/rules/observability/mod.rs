use crate::rule::Rule;

mod alert_without_runbook;
mod liveness_probe_missing;
mod metrics_not_scraped;
mod monitor_selects_nothing;
mod namespace_without_alerts;
mod no_graceful_shutdown;
mod probe_port_unknown;
mod probes_identical;
mod readiness_probe_missing;
mod support;

pub const RULES: &[&dyn Rule] = &[
    &readiness_probe_missing::ReadinessProbeMissing,
    &liveness_probe_missing::LivenessProbeMissing,
    &probes_identical::ProbesIdentical,
    &probe_port_unknown::ProbePortUnknown,
    &no_graceful_shutdown::NoGracefulShutdown,
    &metrics_not_scraped::MetricsNotScraped,
    &namespace_without_alerts::NamespaceWithoutAlerts,
    &alert_without_runbook::AlertWithoutRunbook,
    &monitor_selects_nothing::MonitorSelectsNothing,
];
