//! Declared recovery targets per service, read from `readiness.yaml` through the shared
//! declarations reader (`plimsoll_model::declarations`), so the drill and the scanner agree on
//! one format:
//!
//! ```yaml
//! services:
//!   orders:                       # the name given to --service
//!     rto: 1h                     # time to restore and verify
//!     rpo: 15m                    # maximum backup age
//!     restoreTest: {cadence: 7d}  # how often a drill must pass (read by the scanner)
//! restoreTests: {cadence: 30d}    # the default cadence
//! ```

use std::path::Path;
use std::time::Duration;

use plimsoll_model::declarations;

/// One service's declared targets.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServiceTargets {
    pub name: String,
    pub rto: Option<Duration>,
    pub rpo: Option<Duration>,
    /// Drill cadence: the service's `restoreTest.cadence`, else `restoreTests.cadence`.
    pub drill: Option<Duration>,
}

/// Reads every service's targets. Errors carry file, line and column.
pub fn load(path: &Path) -> Result<Vec<ServiceTargets>, String> {
    let d = declarations::load(path).map_err(|errors| {
        errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    Ok(d.services
        .iter()
        .map(|s| ServiceTargets {
            name: s.name.to_string(),
            rto: s.rto.as_ref().map(|x| x.as_std()),
            rpo: s.rpo.as_ref().map(|x| x.as_std()),
            drill: d.restore_cadence(s).map(|x| x.as_std()),
        })
        .collect())
}

/// The targets of one service, if `readiness.yaml` declares it.
pub fn find(path: &Path, service: &str) -> Result<Option<ServiceTargets>, String> {
    Ok(load(path)?.into_iter().find(|s| s.name == service))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_shared_format_and_rejects_the_old_key() {
        let dir = std::env::temp_dir().join(format!("plimsoll-readiness-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("readiness.yaml");
        std::fs::write(&p, "services:\n  orders:\n    rto: 1h\n    rpo: 15m\n    restoreTest: {cadence: 7d}\n  web: {}\nrestoreTests: {cadence: 30d}\n").unwrap();
        let m = load(&p).unwrap();
        let orders = m.iter().find(|s| s.name == "orders").unwrap();
        assert_eq!(orders.rto, Some(Duration::from_secs(3600)));
        assert_eq!(orders.rpo, Some(Duration::from_secs(900)));
        assert_eq!(orders.drill, Some(Duration::from_secs(7 * 86_400)));
        let web = m.iter().find(|s| s.name == "web").unwrap();
        assert_eq!(web.drill, Some(Duration::from_secs(30 * 86_400)));
        std::fs::write(&p, "services:\n  orders:\n    drill: 7d\n").unwrap();
        let e = load(&p).unwrap_err();
        assert!(e.contains("readiness.yaml:3:5"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
