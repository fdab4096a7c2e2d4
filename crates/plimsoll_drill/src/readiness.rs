//! Declared recovery targets per service, from `readiness.yaml`:
//!
//! ```yaml
//! services:
//!   orders:            # the name given to --service
//!     rto: 1h          # time to restore and verify
//!     rpo: 15m         # maximum backup age
//!     drill: 7d        # how often a drill must pass (read by the scanner)
//! ```
//!
//! `services` may also be a list of mappings with a `name` key. Durations are `90s`, `15m`,
//! `1h30m`, `7d` or a number of seconds.

use std::path::Path;
use std::time::Duration;

use plimsoll_yaml::{Limits, Node, SourceFile, parse};

use crate::time::parse_duration;

/// One service's declared targets.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServiceTargets {
    pub name: String,
    pub rto: Option<Duration>,
    pub rpo: Option<Duration>,
    /// Drill cadence.
    pub drill: Option<Duration>,
}

/// Reads every service's targets.
pub fn load(path: &Path) -> Result<Vec<ServiceTargets>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_str(&path.display().to_string(), &text)
}

pub fn parse_str(name: &str, text: &str) -> Result<Vec<ServiceTargets>, String> {
    let file = parse(SourceFile::new(name, text), &Limits::default());
    if let Some(e) = file.errors.first() {
        let lc = file.source.line_col(e.offset);
        return Err(format!("{name}:{}:{}: {}", lc.line, lc.column, e.message));
    }
    let Some((_, root)) = file.roots().next() else {
        return Ok(Vec::new());
    };
    let Some(services) = root.get("services") else {
        return Err(format!("{name}: no `services` key"));
    };
    let mut out = Vec::new();
    if services.is_mapping() {
        for (k, v) in services.entries() {
            let Some(n) = k.as_str() else { continue };
            out.push(service(name, n, v)?);
        }
    } else if services.is_sequence() {
        for item in services.items() {
            let Some(n) = item.get_str("name") else {
                return Err(format!(
                    "{name}: a service in the `services` list has no `name`"
                ));
            };
            out.push(service(name, n, item)?);
        }
    } else {
        return Err(format!("{name}: `services` must be a mapping or a list"));
    }
    Ok(out)
}

fn service(file: &str, name: &str, node: Node<'_>) -> Result<ServiceTargets, String> {
    let dur = |key: &str| -> Result<Option<Duration>, String> {
        match node.get(key).and_then(|v| v.as_str()) {
            None => Ok(None),
            Some(t) => parse_duration(t)
                .map(Some)
                .map_err(|e| format!("{file}: services.{name}.{key}: {e}")),
        }
    };
    Ok(ServiceTargets {
        name: name.to_string(),
        rto: dur("rto")?,
        rpo: dur("rpo")?,
        drill: dur("drill")?,
    })
}

/// The targets of `service`, if declared.
pub fn find(path: &Path, service: &str) -> Result<Option<ServiceTargets>, String> {
    Ok(load(path)?.into_iter().find(|s| s.name == service))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_shapes() {
        let m = parse_str(
            "r.yaml",
            "services:\n  orders:\n    rto: 1h\n    rpo: 15m\n    drill: 7d\n  web: {}\n",
        )
        .unwrap();
        assert_eq!(m[0].name, "orders");
        assert_eq!(m[0].rto, Some(Duration::from_secs(3600)));
        assert_eq!(m[0].rpo, Some(Duration::from_secs(900)));
        assert_eq!(m[0].drill, Some(Duration::from_secs(604_800)));
        assert_eq!(m[1].rto, None);
        let l = parse_str("r.yaml", "services:\n  - name: db\n    rpo: 300\n").unwrap();
        assert_eq!(l[0].rpo, Some(Duration::from_secs(300)));
        assert!(
            parse_str("r.yaml", "services:\n  x:\n    rto: soon\n")
                .unwrap_err()
                .contains("services.x.rto")
        );
        assert!(parse_str("r.yaml", "other: 1\n").is_err());
    }
}
