//! Scratch databases: `plimsoll_drill_<id>`, created from `template0` for one drill, commented
//! with the drill id, and dropped by that drill only. Nothing without the prefix is ever
//! dropped, and a database this process did not create is never dropped (a name collision
//! fails the create instead).

use crate::conn::{Resolved, pg_error, quote_ident, quote_literal, sqlstate};

pub const PREFIX: &str = "plimsoll_drill_";

/// A scratch database this drill created.
#[derive(Debug)]
pub struct ScratchDb {
    admin: Resolved,
    pub name: String,
    dropped: bool,
}

/// Valid scratch names: the prefix, then `[a-z0-9_]`, at most 63 bytes.
pub fn check_name(name: &str) -> Result<(), String> {
    if !name.starts_with(PREFIX) {
        return Err(format!(
            "refusing `{name}`: scratch databases are named {PREFIX}<id>"
        ));
    }
    if name.len() > 63
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(format!(
            "refusing `{name}`: not a valid scratch database name"
        ));
    }
    Ok(())
}

impl ScratchDb {
    /// `CREATE DATABASE` from `template0` (so extensions in `template1` cannot collide with
    /// the dump's), in the archive's encoding when known. `admin` is a connection to the
    /// server's maintenance database.
    pub fn create(
        admin: &Resolved,
        name: &str,
        encoding: Option<&str>,
        comment: &str,
    ) -> Result<ScratchDb, String> {
        check_name(name)?;
        let mut client = admin.connect()?;
        let enc = encoding.filter(|e| e.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        let mut sql = format!("CREATE DATABASE {} TEMPLATE template0", quote_ident(name));
        if let Some(e) = enc {
            sql.push_str(&format!(" ENCODING {}", quote_literal(e)));
        }
        if let Err(e) = client.batch_execute(&sql) {
            // 22023: the encoding does not match the server's locale; C works with any.
            if enc.is_some() && sqlstate(&e) == Some("22023") {
                let retry = format!("{sql} LOCALE 'C'");
                client
                    .batch_execute(&retry)
                    .map_err(|e| format!("creating {name}: {}", pg_error(&e)))?;
            } else {
                return Err(format!("creating {name}: {}", pg_error(&e)));
            }
        }
        let db = ScratchDb {
            admin: admin.clone(),
            name: name.to_string(),
            dropped: false,
        };
        let _ = client.batch_execute(&format!(
            "COMMENT ON DATABASE {} IS {}",
            quote_ident(name),
            quote_literal(comment)
        ));
        Ok(db)
    }

    /// A connection spec for the scratch database.
    pub fn resolved(&self) -> Resolved {
        Resolved {
            dbname: self.name.clone(),
            ..self.admin.clone()
        }
    }

    pub fn is_dropped(&self) -> bool {
        self.dropped
    }

    /// Drops the database, ending any session still in it (`WITH (FORCE)` on 13+, else
    /// `pg_terminate_backend`). Idempotent.
    pub fn drop_now(&mut self) -> Result<(), String> {
        if self.dropped {
            return Ok(());
        }
        check_name(&self.name)?;
        let mut client = self.admin.connect()?;
        let _ = client.batch_execute("SET lock_timeout = '30s'; SET statement_timeout = '10min'");
        let version: i32 = client
            .query_one("select current_setting('server_version_num')::int", &[])
            .map(|r| r.get(0))
            .map_err(|e| pg_error(&e))?;
        let mut last = String::new();
        for attempt in 0..5 {
            let r = if version >= 130_000 {
                client.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    quote_ident(&self.name)
                ))
            } else {
                let _ = client.query(
                    "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
                    &[&self.name],
                );
                client.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {}",
                    quote_ident(&self.name)
                ))
            };
            match r {
                Ok(()) => {
                    self.dropped = true;
                    return Ok(());
                }
                Err(e) => last = pg_error(&e),
            }
            std::thread::sleep(std::time::Duration::from_millis(200 * (attempt + 1)));
        }
        Err(format!("dropping {}: {last}", self.name))
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        if !self.dropped
            && let Err(e) = self.drop_now()
        {
            eprintln!(
                "plimsoll drill: could not drop scratch database {}: {e}",
                self.name
            );
        }
    }
}

/// Scratch databases left on a server by drills that could not clean up (killed with
/// SIGKILL, machine lost): names with the prefix whose comment says a Plimsoll drill made
/// them. Returns (name, comment).
pub fn leftovers(admin: &Resolved) -> Result<Vec<(String, String)>, String> {
    let mut client = admin.connect()?;
    let rows = client
        .query(
            "select d.datname::text, coalesce(shobj_description(d.oid, 'pg_database'), '') \
               from pg_database d where d.datname like 'plimsoll\\_drill\\_%' order by 1",
            &[],
        )
        .map_err(|e| pg_error(&e))?;
    Ok(rows
        .iter()
        .map(|r| (r.get::<_, String>(0), r.get::<_, String>(1)))
        .filter(|(n, c)| check_name(n).is_ok() && c.starts_with("plimsoll drill "))
        .collect())
}

/// Drops one leftover (see [`leftovers`]).
pub fn drop_leftover(admin: &Resolved, name: &str) -> Result<(), String> {
    check_name(name)?;
    let mut db = ScratchDb {
        admin: admin.clone(),
        name: name.to_string(),
        dropped: false,
    };
    db.drop_now()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(check_name("plimsoll_drill_20261101t104000_ab12").is_ok());
        assert!(check_name("app").is_err());
        assert!(check_name("plimsoll_drill_X").is_err());
        assert!(check_name("plimsoll_drill_a\"; drop database app; --").is_err());
        assert!(check_name(&format!("{PREFIX}{}", "a".repeat(60))).is_err());
    }
}
