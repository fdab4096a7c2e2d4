//! Backups: which kind a path is, when it was taken, what it contains (the archive's table of
//! contents), and its identity (a SHA-256).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::cancel::Cancel;
use crate::time::{mtime_unix, parse_timestamp};
use crate::tools::{PgTools, RunOptions, run};

/// The kind of backup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackupFormat {
    /// `pg_dump -Fc` file.
    Custom,
    /// `pg_dump -Fd` directory (with `toc.dat`).
    Directory,
    /// `pg_dump -Ft` file.
    Tar,
    /// `pg_dump` plain SQL file.
    Plain,
    /// `pg_basebackup -Fp` directory (with `PG_VERSION` and `backup_label`).
    BaseBackup,
}

impl BackupFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            BackupFormat::Custom => "custom",
            BackupFormat::Directory => "directory",
            BackupFormat::Tar => "tar",
            BackupFormat::Plain => "plain",
            BackupFormat::BaseBackup => "base-backup",
        }
    }

    pub fn is_physical(self) -> bool {
        self == BackupFormat::BaseBackup
    }

    /// Whether `pg_restore -j` works on it.
    pub fn parallel(self) -> bool {
        matches!(self, BackupFormat::Custom | BackupFormat::Directory)
    }
}

/// Detects the format from the content (not the file name).
pub fn detect(path: &Path) -> Result<BackupFormat, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("backup {}: {e}", path.display()))?;
    if meta.is_dir() {
        if path.join("toc.dat").is_file() {
            return Ok(BackupFormat::Directory);
        }
        if path.join("PG_VERSION").is_file() {
            if !path.join("backup_label").is_file() {
                return Err(format!(
                    "{} looks like a data directory but has no backup_label: not a pg_basebackup output",
                    path.display()
                ));
            }
            return Ok(BackupFormat::BaseBackup);
        }
        if path.join("base.tar").is_file() || path.join("base.tar.gz").is_file() {
            return Err(format!(
                "{} is a tar-format base backup; extract base.tar (and pg_wal.tar into pg_wal/) first, or take it with pg_basebackup -Fp",
                path.display()
            ));
        }
        return Err(format!(
            "{} is a directory but neither a pg_dump directory archive (toc.dat) nor a base backup (PG_VERSION, backup_label)",
            path.display()
        ));
    }
    let mut head = [0u8; 512];
    let n = std::fs::File::open(path)
        .and_then(|mut f| read_up_to(&mut f, &mut head))
        .map_err(|e| format!("backup {}: {e}", path.display()))?;
    let head = &head[..n];
    if head.starts_with(b"PGDMP") {
        return Ok(BackupFormat::Custom);
    }
    if n >= 262 && &head[257..262] == b"ustar" {
        return Ok(BackupFormat::Tar);
    }
    if head.starts_with(&[0x1f, 0x8b]) {
        return Err(format!(
            "{} is gzip-compressed; decompress it first (pg_restore reads custom, directory and tar archives)",
            path.display()
        ));
    }
    let text = String::from_utf8_lossy(head);
    if text.contains("PostgreSQL database dump")
        || text.trim_start().starts_with("--")
        || text.contains("SET statement_timeout")
    {
        return Ok(BackupFormat::Plain);
    }
    if n == 0 {
        return Err(format!("{} is empty", path.display()));
    }
    Err(format!(
        "{} is not a PostgreSQL backup: no PGDMP header, tar header or SQL dump text",
        path.display()
    ))
}

fn read_up_to(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// A table named in an archive's table of contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TocTable {
    /// `schema tag owner` as pg_restore prints it (names may contain spaces).
    pub raw: String,
    pub has_data: bool,
}

impl TocTable {
    /// The candidate (schema, name) pairs for the raw text: the owner is the last word and the
    /// schema the first, unless names contain spaces, hence all splits.
    pub fn candidates(&self) -> Vec<(String, String)> {
        let words: Vec<&str> = self.raw.split(' ').collect();
        let mut out = Vec::new();
        if words.len() < 3 {
            return out;
        }
        for owner_words in 1..words.len() - 1 {
            let body = &words[..words.len() - owner_words];
            for split in 1..body.len() {
                out.push((body[..split].join(" "), body[split..].join(" ")));
            }
        }
        out
    }
}

/// What is known about a backup before restoring it.
#[derive(Clone, Debug)]
pub struct BackupInfo {
    pub path: PathBuf,
    pub format: BackupFormat,
    pub bytes: u64,
    /// When the backup was taken (Unix seconds), and from what.
    pub created_at: Option<f64>,
    pub created_at_source: String,
    pub dbname: Option<String>,
    pub dumped_from: Option<String>,
    pub encoding: Option<String>,
    pub toc_entries: Option<usize>,
    pub tables: Vec<TocTable>,
    /// The major version of a base backup.
    pub pg_version: Option<u32>,
}

impl BackupInfo {
    fn new(path: &Path, format: BackupFormat) -> BackupInfo {
        BackupInfo {
            path: path.to_path_buf(),
            format,
            bytes: if path.is_dir() {
                crate::server::dir_size(path)
            } else {
                std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
            },
            created_at: None,
            created_at_source: "unknown".into(),
            dbname: None,
            dumped_from: None,
            encoding: None,
            toc_entries: None,
            tables: Vec::new(),
            pg_version: None,
        }
    }
}

/// Reads a pg_dump archive's header and table of contents with `pg_restore -l` (which also
/// catches a damaged header or TOC before anything is created).
pub fn inspect_logical(
    tools: &PgTools,
    path: &Path,
    format: BackupFormat,
    cancel: &Cancel,
) -> Result<BackupInfo, String> {
    let mut info = BackupInfo::new(path, format);
    let mtime = std::fs::metadata(if format == BackupFormat::Directory {
        path.join("toc.dat")
    } else {
        path.to_path_buf()
    })
    .ok()
    .and_then(|m| mtime_unix(&m));
    if format == BackupFormat::Plain {
        let mut head = String::new();
        let _ = std::fs::File::open(path).and_then(|f| f.take(8192).read_to_string(&mut head));
        for line in head.lines() {
            if let Some(v) = line.strip_prefix("-- Dumped from database version ") {
                info.dumped_from = Some(v.trim().to_string());
            }
            if let Some(v) = line.strip_prefix("SET client_encoding = '") {
                info.encoding = v.split('\'').next().map(str::to_string);
            }
        }
        info.created_at = mtime;
        info.created_at_source = "file modification time".into();
        return Ok(info);
    }
    let mut cmd = Command::new(tools.path("pg_restore"));
    cmd.arg("-l").arg(path).env("TZ", "UTC");
    let r = run(
        cmd,
        cancel,
        &RunOptions {
            capture_stdout: true,
            ..RunOptions::default()
        },
    );
    if !r.ok() {
        return Err(format!("the archive is unreadable: {}", r.describe()));
    }
    let mut header_time = None;
    for line in r.stdout.lines() {
        if let Some(v) = line.strip_prefix("; Archive created at ") {
            header_time = parse_timestamp(v);
        } else if let Some(v) = line.strip_prefix(";     dbname: ") {
            info.dbname = Some(v.trim().to_string());
        } else if let Some(v) = line.strip_prefix(";     TOC Entries: ") {
            info.toc_entries = v.trim().parse().ok();
        } else if let Some(v) = line.strip_prefix(";     Dumped from database version: ") {
            info.dumped_from = Some(v.trim().to_string());
        } else if !line.starts_with(';') {
            // `123; 1259 16404 TABLE public orders owner`
            let Some((_, rest)) = line.split_once("; ") else {
                continue;
            };
            let mut it = rest.splitn(3, ' ');
            let (_, _, desc) = (it.next(), it.next(), it.next().unwrap_or(""));
            if let Some(t) = desc.strip_prefix("TABLE DATA ") {
                if let Some(e) = info.tables.iter_mut().find(|e| e.raw == t) {
                    e.has_data = true;
                } else {
                    info.tables.push(TocTable {
                        raw: t.to_string(),
                        has_data: true,
                    });
                }
            } else if desc.starts_with("TABLE ATTACH ") {
            } else if let Some(t) = desc.strip_prefix("TABLE ")
                && !info.tables.iter().any(|e| e.raw == t)
            {
                info.tables.push(TocTable {
                    raw: t.to_string(),
                    has_data: false,
                });
            }
        }
    }
    // The archive stores the dump machine's local wall-clock time without its zone; pg_restore
    // (run with TZ=UTC here) reads it as UTC. When that is later than the file's modification
    // time, the dump ran east of UTC: take the earlier of the two (a conservative age).
    match (header_time, mtime) {
        (Some(h), Some(m)) if m < h => {
            info.created_at = Some(m);
            info.created_at_source =
                "file modification time (earlier than the archive header's local time)".into();
        }
        (Some(h), _) => {
            info.created_at = Some(h);
            info.created_at_source = "archive header".into();
        }
        (None, Some(m)) => {
            info.created_at = Some(m);
            info.created_at_source = "file modification time".into();
        }
        (None, None) => {}
    }
    // The encoding is in the preamble that pg_restore prints for any selection.
    let mut cmd = Command::new(tools.path("pg_restore"));
    cmd.arg("-f")
        .arg("-")
        .arg("-s")
        .arg("-n")
        .arg("plimsoll_drill_no_such_schema")
        .arg(path);
    let r = run(
        cmd,
        cancel,
        &RunOptions {
            capture_stdout: true,
            ..RunOptions::default()
        },
    );
    for line in r.stdout.lines().take(40) {
        if let Some(v) = line.strip_prefix("SET client_encoding = '") {
            info.encoding = v.split('\'').next().map(str::to_string);
        }
    }
    Ok(info)
}

/// Reads a base backup's `backup_label`.
pub fn inspect_physical(path: &Path) -> Result<BackupInfo, String> {
    let mut info = BackupInfo::new(path, BackupFormat::BaseBackup);
    let label_path = path.join("backup_label");
    let label = std::fs::read_to_string(&label_path)
        .map_err(|e| format!("{}: {e}", label_path.display()))?;
    let mut label_time = None;
    for line in label.lines() {
        if let Some(v) = line.strip_prefix("START TIME: ") {
            label_time = parse_timestamp(v);
        }
    }
    info.pg_version = std::fs::read_to_string(path.join("PG_VERSION"))
        .ok()
        .and_then(|v| v.trim().parse().ok());
    info.dumped_from = info.pg_version.map(|v| v.to_string());
    let mtime = std::fs::metadata(&label_path)
        .ok()
        .and_then(|m| mtime_unix(&m));
    match (label_time, mtime) {
        (Some(t), _) => {
            info.created_at = Some(t);
            info.created_at_source = "backup_label START TIME".into();
        }
        (None, Some(m)) => {
            info.created_at = Some(m);
            info.created_at_source = "backup_label modification time".into();
        }
        _ => {}
    }
    Ok(info)
}

/// The backup's identity: `sha256:` of the whole file (custom, tar, plain), `toc-sha256:` of a
/// directory archive's `toc.dat` (which names every data file and the dump's time), or
/// `manifest-sha256:` of a base backup's `backup_manifest` (which carries every file's checksum).
pub fn identity(path: &Path, format: BackupFormat, cancel: &Cancel) -> Result<String, String> {
    let (prefix, file) = match format {
        BackupFormat::Directory => ("toc-sha256", path.join("toc.dat")),
        BackupFormat::BaseBackup => {
            let m = path.join("backup_manifest");
            if m.is_file() {
                ("manifest-sha256", m)
            } else {
                ("label-sha256", path.join("backup_label"))
            }
        }
        _ => ("sha256", path.to_path_buf()),
    };
    let mut f = std::fs::File::open(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        if cancel.is_cancelled() {
            return Err("interrupted".into());
        }
        let n = f
            .read(&mut buf)
            .map_err(|e| format!("{}: {e}", file.display()))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    let digest = h.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{prefix}:{hex}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toc_candidates() {
        let t = TocTable {
            raw: "public orders app".into(),
            has_data: true,
        };
        assert_eq!(t.candidates(), vec![("public".into(), "orders".into())]);
        let t = TocTable {
            raw: "s2 Weird Name owner".into(),
            has_data: true,
        };
        assert!(t.candidates().contains(&("s2".into(), "Weird Name".into())));
    }

    #[test]
    fn detects_formats() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("x.dump");
        std::fs::write(&f, b"PGDMP\x01\x0e\x00").unwrap();
        assert_eq!(detect(&f).unwrap(), BackupFormat::Custom);
        std::fs::write(&f, b"--\n-- PostgreSQL database dump\n--\n").unwrap();
        assert_eq!(detect(&f).unwrap(), BackupFormat::Plain);
        std::fs::write(&f, b"\x1f\x8b\x08").unwrap();
        assert!(detect(&f).unwrap_err().contains("gzip"));
        std::fs::write(&f, b"garbage garbage").unwrap();
        assert!(detect(&f).unwrap_err().contains("not a PostgreSQL backup"));
        std::fs::write(d.path().join("toc.dat"), b"PGDMP").unwrap();
        assert_eq!(detect(d.path()).unwrap(), BackupFormat::Directory);
    }
}
