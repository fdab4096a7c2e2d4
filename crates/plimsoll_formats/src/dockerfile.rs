//! Dockerfiles. (Being built: see issue 4.)

use plimsoll_yaml::SourceFile;

use crate::FormatError;

/// A parsed Dockerfile.
#[derive(Debug)]
pub struct Dockerfile {
    pub source: SourceFile,
    pub errors: Vec<FormatError>,
}

/// Read a Dockerfile; never panics.
pub fn parse(source: SourceFile) -> Dockerfile {
    Dockerfile {
        source,
        errors: Vec::new(),
    }
}
