//! systemd units. (Being built: see issue 4.)

use plimsoll_yaml::SourceFile;

use crate::FormatError;

/// A parsed unit file (with its drop-ins, once merged).
#[derive(Debug)]
pub struct Unit {
    pub source: SourceFile,
    pub errors: Vec<FormatError>,
}

/// Read a unit file; never panics.
pub fn parse(source: SourceFile) -> Unit {
    Unit {
        source,
        errors: Vec::new(),
    }
}
