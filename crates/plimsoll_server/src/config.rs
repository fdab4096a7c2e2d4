//! `plimsoll serve --config plimsoll.yaml`: the same configuration file as `plimsoll scan`.
//!
//! [`ConfigSource`] reads and parses the file with `plimsoll_rules::config::parse_config` (strict,
//! errors with file, line and column), resolves the default profile and every profile named by
//! `namespaceProfiles`, and builds a [`Reviewer`]: the resolved rules and settings per profile,
//! the severity overrides, the exemptions and `rules.notSuppressible`, and the blocking severity
//! (`failOn`, unless `--fail-on` was given). The server polls the file ([`Stamp`]) and swaps in a
//! new reviewer when it changes; a file that does not load keeps the old one (see
//! `server::watch_config`).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use plimsoll_model::Severity;
use plimsoll_rules::config::{Config, ConfigError, parse_config};

use crate::policy::Policy;
use crate::review::Reviewer;

/// The blocking threshold: a severity, or `never` (every finding only warns).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threshold {
    At(Severity),
    Never,
}

impl Threshold {
    /// `critical`, `high`, `medium`, `low` or `never` (any case).
    pub fn parse(s: &str) -> Result<Threshold, String> {
        let l = s.to_ascii_lowercase();
        if l == "never" {
            return Ok(Threshold::Never);
        }
        Severity::parse(&l)
            .map(Threshold::At)
            .ok_or_else(|| format!("unknown severity {s:?} (critical, high, medium, low, never)"))
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Threshold::At(s) => write!(f, "{s}"),
            Threshold::Never => f.write_str("never"),
        }
    }
}

/// Why a configuration did not load. Displayed one problem per line, `file:line:col: message`
/// for parse errors (as `plimsoll scan` prints them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    Read { path: String, error: String },
    Invalid(Vec<ConfigError>),
    Resolve { path: String, error: String },
}

impl LoadError {
    /// One line per problem.
    pub fn lines(&self) -> Vec<String> {
        match self {
            LoadError::Read { path, error } => vec![format!("cannot read {path}: {error}")],
            LoadError::Invalid(errors) => errors
                .iter()
                .map(|e| format!("{}:{}:{}: {}", e.file, e.line, e.column, e.message))
                .collect(),
            LoadError::Resolve { path, error } => vec![format!("{path}: {error}")],
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines().join("\n"))
    }
}

impl std::error::Error for LoadError {}

/// What the file looked like when it was read: its modification time and size (polled), and a
/// hash of its content (so that a touched but unchanged file is not reloaded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub modified: Option<SystemTime>,
    pub len: u64,
    pub hash: u64,
}

/// Modification time and size of `path` (following symlinks: a mounted ConfigMap's file is a
/// symlink that the kubelet swaps), `None` when it cannot be read.
pub fn file_stamp(path: &Path) -> Option<(Option<SystemTime>, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok(), m.len()))
}

fn hash(text: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// Where the webhook's rules come from: an optional `plimsoll.yaml`, the profile given on the
/// command line, `--fail-on`, and the rest of the policy (flags).
#[derive(Clone, Debug)]
pub struct ConfigSource {
    /// `None`: no configuration file (every rule, built-in profiles only).
    pub path: Option<PathBuf>,
    /// `--profile`: the default profile, instead of the configuration's `profile`.
    pub profile: Option<String>,
    /// `--fail-on`: wins over the configuration's `failOn`.
    pub fail_on: Option<Threshold>,
    /// The policy from the flags; the configuration adds its exemptions and notSuppressible
    /// rules and sets the blocking severity.
    pub policy: Policy,
}

/// A loaded configuration.
pub struct Loaded {
    pub reviewer: Reviewer,
    /// `None` without a configuration file.
    pub stamp: Option<Stamp>,
}

impl ConfigSource {
    /// No file: every rule, `production` (or `profile`), blocking at `high` (or `fail_on`).
    pub fn without_file(policy: Policy) -> ConfigSource {
        ConfigSource {
            path: None,
            profile: None,
            fail_on: None,
            policy,
        }
    }

    fn display_path(&self) -> String {
        self.path
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "<no configuration>".into())
    }

    /// Build a reviewer from a parsed configuration.
    pub fn build(&self, cfg: &Config) -> Result<Reviewer, LoadError> {
        let mut policy = self.policy.clone();
        let threshold = self.fail_on.unwrap_or(match cfg.fail_on {
            Some(Some(s)) => Threshold::At(s),
            Some(None) => Threshold::Never,
            None => Threshold::At(Severity::High),
        });
        match threshold {
            Threshold::At(s) => {
                policy.blocking = s;
                policy.warn_only = false;
            }
            Threshold::Never => policy.warn_only = true,
        }
        Reviewer::from_config(cfg, self.profile.as_deref(), policy).map_err(|error| {
            LoadError::Resolve {
                path: self.display_path(),
                error,
            }
        })
    }

    /// Parse configuration text (named after [`ConfigSource::path`]) and build a reviewer.
    pub fn parse(&self, text: &str) -> Result<Reviewer, LoadError> {
        let all = plimsoll_rules::registry::all();
        let cfg = parse_config(&self.display_path(), text, &all).map_err(LoadError::Invalid)?;
        self.build(&cfg)
    }

    /// Read the file (if any) and build a reviewer. The stamp is taken before the file is read,
    /// so a change during the read is seen at the next poll.
    pub fn load(&self) -> Result<Loaded, LoadError> {
        let Some(path) = &self.path else {
            return Ok(Loaded {
                reviewer: self.build(&Config::default())?,
                stamp: None,
            });
        };
        let (modified, len) = file_stamp(path).unwrap_or((None, 0));
        let text = std::fs::read_to_string(path).map_err(|e| LoadError::Read {
            path: self.display_path(),
            error: e.to_string(),
        })?;
        let reviewer = self.parse(&text)?;
        Ok(Loaded {
            reviewer,
            stamp: Some(Stamp {
                modified,
                len,
                hash: hash(&text),
            }),
        })
    }

    /// Look at the file once, against the stamp of what was last read.
    pub fn poll(&self, last: &Stamp) -> Poll {
        let Some(path) = &self.path else {
            return Poll::Same;
        };
        let now = file_stamp(path);
        if now == Some((last.modified, last.len)) {
            return Poll::Same;
        }
        let (modified, len) = now.unwrap_or((None, 0));
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let stamp = Stamp {
                    modified,
                    len,
                    hash: hash(&text),
                };
                if stamp.hash == last.hash {
                    Poll::Touched(stamp)
                } else {
                    Poll::Changed(stamp, self.parse(&text))
                }
            }
            Err(e) => Poll::Changed(
                Stamp {
                    modified,
                    len,
                    hash: 0,
                },
                Err(LoadError::Read {
                    path: self.display_path(),
                    error: e.to_string(),
                }),
            ),
        }
    }
}

/// What a poll of the configuration file found.
pub enum Poll {
    /// Same time and size as last read.
    Same,
    /// A new time or size, the same content: nothing to reload.
    Touched(Stamp),
    /// New content (or the file went away), and what loading it gave.
    Changed(Stamp, Result<Reviewer, LoadError>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds() {
        assert_eq!(Threshold::parse("High"), Ok(Threshold::At(Severity::High)));
        assert_eq!(Threshold::parse("never"), Ok(Threshold::Never));
        assert!(Threshold::parse("urgent").is_err());
    }

    #[test]
    fn fail_on_flag_wins_over_the_configuration() {
        let mut src = ConfigSource::without_file(Policy::default());
        let r = src.parse("failOn: medium\n").unwrap();
        assert_eq!(r.policy.blocking, Severity::Medium);
        let r = src.parse("failOn: never\n").unwrap();
        assert!(r.policy.warn_only);
        src.fail_on = Some(Threshold::At(Severity::Critical));
        let r = src.parse("failOn: never\n").unwrap();
        assert_eq!(r.policy.blocking, Severity::Critical);
        assert!(!r.policy.warn_only);
    }

    #[test]
    fn errors_have_places_and_unknown_profiles_are_errors() {
        let src = ConfigSource {
            path: Some("conf/plimsoll.yaml".into()),
            ..ConfigSource::without_file(Policy::default())
        };
        let e = src.parse("rules:\n  disable: [IMG-01]\n").err().unwrap();
        let lines = e.lines();
        assert!(
            lines[0].starts_with("conf/plimsoll.yaml:2:13: unknown rule or gap `IMG-01`"),
            "{lines:?}"
        );
        let e = src.parse("profile: nope\n").err().unwrap();
        assert!(e.to_string().contains("unknown profile `nope`"), "{e}");
    }

    #[test]
    fn polling_sees_changes_not_touches() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("plimsoll.yaml");
        std::fs::write(&path, "failOn: high\n").unwrap();
        let src = ConfigSource {
            path: Some(path.clone()),
            ..ConfigSource::without_file(Policy::default())
        };
        let stamp = src.load().unwrap().stamp.unwrap();
        assert!(matches!(src.poll(&stamp), Poll::Same));
        let f = std::fs::File::options().write(true).open(&path).unwrap();
        f.set_modified(SystemTime::now() + std::time::Duration::from_secs(5))
            .unwrap();
        let Poll::Touched(touched) = src.poll(&stamp) else {
            panic!("a touch is not a change")
        };
        std::fs::write(&path, "failOn: low\n").unwrap();
        let Poll::Changed(_, Ok(r)) = src.poll(&touched) else {
            panic!("change not seen")
        };
        assert_eq!(r.policy.blocking, Severity::Low);
        std::fs::write(&path, "failOn: sometimes\n").unwrap();
        assert!(matches!(src.poll(&touched), Poll::Changed(_, Err(_))));
    }

    /// A mounted ConfigMap: `plimsoll.yaml -> ..data/plimsoll.yaml`, and the kubelet updates it
    /// by writing a new directory and swapping the `..data` symlink.
    #[cfg(unix)]
    #[test]
    fn polling_follows_a_configmap_symlink_swap() {
        use std::os::unix::fs::symlink;
        let d = tempfile::tempdir().unwrap();
        let v1 = d.path().join("..2026_01_01_v1");
        std::fs::create_dir(&v1).unwrap();
        std::fs::write(v1.join("plimsoll.yaml"), "failOn: high\n").unwrap();
        symlink("..2026_01_01_v1", d.path().join("..data")).unwrap();
        symlink("..data/plimsoll.yaml", d.path().join("plimsoll.yaml")).unwrap();
        let src = ConfigSource {
            path: Some(d.path().join("plimsoll.yaml")),
            ..ConfigSource::without_file(Policy::default())
        };
        let stamp = src.load().unwrap().stamp.unwrap();
        let v2 = d.path().join("..2026_01_01_v2");
        std::fs::create_dir(&v2).unwrap();
        std::fs::write(v2.join("plimsoll.yaml"), "failOn: medium\n").unwrap();
        symlink("..2026_01_01_v2", d.path().join("..data_tmp")).unwrap();
        std::fs::rename(d.path().join("..data_tmp"), d.path().join("..data")).unwrap();
        std::fs::remove_dir_all(&v1).unwrap();
        let Poll::Changed(_, Ok(r)) = src.poll(&stamp) else {
            panic!("the swap was not seen")
        };
        assert_eq!(r.policy.blocking, Severity::Medium);
    }
}
