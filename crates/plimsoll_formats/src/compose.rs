//! Docker Compose files. (Being built: see issue 4.)

use plimsoll_yaml::{Limits, SourceFile, YamlFile};

use crate::FormatError;

/// A parsed Compose file.
#[derive(Debug)]
pub struct ComposeFile {
    pub yaml: YamlFile,
    pub errors: Vec<FormatError>,
}

/// Read a Compose file; never panics.
pub fn parse(source: SourceFile, limits: &Limits) -> ComposeFile {
    let yaml = plimsoll_yaml::parse(source, limits);
    let errors = yaml
        .errors
        .iter()
        .map(|e| FormatError {
            message: e.message.clone(),
            offset: e.offset,
        })
        .collect();
    ComposeFile { yaml, errors }
}
