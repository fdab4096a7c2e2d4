//! Evidence from outside the manifests: restore drills that ran (`plimsoll drill`).

/// One restore drill's outcome, as the scan needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct DrillEvidence {
    /// The service the drill was for (matched to workloads through the declarations, or by name).
    pub service: Option<Box<str>>,
    /// The database restored (a fallback for matching by name).
    pub database: Option<Box<str>>,
    pub passed: bool,
    /// When the drill finished (seconds since the epoch).
    pub finished_unix: i64,
    /// The evidence file.
    pub file: Box<str>,
}

impl DrillEvidence {
    /// Whether this drill is about a workload or service called `name`.
    pub fn is_for(&self, name: &str) -> bool {
        self.service.as_deref() == Some(name)
            || (self.service.is_none() && self.database.as_deref() == Some(name))
    }
}
