//! Restore drills for PostgreSQL: prove that a backup restores, measure how long it takes
//! (RTO) and how old the data is (RPO), and keep the evidence.
//!
//! A drill restores a `pg_dump` archive into a scratch database (`plimsoll_drill_<id>`) on a
//! given server or on a throwaway server started with `initdb`/`pg_ctl`, or starts a
//! `pg_basebackup` copy as a throwaway server; then it compares tables, exact row counts and
//! content checksums with the source or with counts recorded at backup time, runs the user's
//! SQL assertions, records every step in a [`evidence::DrillRecord`], and removes everything
//! it created, also when it fails or is interrupted.
//!
//! The command line is [`cli::PostgresArgs`] + [`cli::run`] (`plimsoll drill postgres`).
//!
//! The restore itself is done by the real PostgreSQL programs (`pg_restore -j`, `pg_dump`,
//! `pg_verifybackup`, `initdb`, `pg_ctl`); the verification queries use the synchronous
//! `postgres` crate: a few long aggregate queries, parallel across `--jobs` connections, one
//! thread each, with cancel tokens for Ctrl-C. That needs no async runtime in this crate's API
//! (the crate wraps `tokio-postgres`, the same protocol code) and keeps typed results and
//! server error codes, which parsing `psql` output would lose.

pub mod archive;
pub mod cancel;
pub mod cli;
pub mod conn;
pub mod drill;
pub mod evidence;
pub mod readiness;
pub mod scratch;
pub mod server;
pub mod time;
pub mod tools;
pub mod verify;

pub use cancel::Cancel;
pub use evidence::{DrillRecord, load_dir};

/// `n` random bytes as lower-case hex, from the kernel.
pub fn random_hex(n: usize) -> String {
    use std::io::Read;
    let mut buf = vec![0u8; n];
    if std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .is_err()
    {
        // Never reached on Linux; still unique enough for names, not for passwords.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let seed = t.as_nanos() ^ u128::from(std::process::id());
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (seed >> ((i % 16) * 8)) as u8;
        }
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}
