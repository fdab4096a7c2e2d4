//! Container image references (`registry/repo:tag@sha256:digest`).

/// A parsed image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    pub raw: &'a str,
    /// Registry host when the first path component looks like one (`ghcr.io`, `localhost:5000`).
    pub registry: Option<&'a str>,
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    pub fn parse(raw: &'a str) -> ImageRef<'a> {
        let raw_trim = raw.trim();
        let (rest, digest) = match raw_trim.split_once('@') {
            Some((r, d)) => (r, Some(d)),
            None => (raw_trim, None),
        };
        // a tag is after the last ':' that comes after the last '/'
        let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, repo))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (Some(first), repo)
            }
            _ => (None, name),
        };
        ImageRef {
            raw,
            registry,
            repository,
            tag,
            digest,
        }
    }

    /// Pinned by a content digest.
    pub fn is_pinned(&self) -> bool {
        self.digest.is_some_and(|d| d.contains(':') && d.len() > 10)
    }

    /// The tag is missing or `latest` and there is no digest: the image can change under you.
    pub fn is_mutable_latest(&self) -> bool {
        !self.is_pinned() && matches!(self.tag, None | Some("latest"))
    }

    /// Contains unrendered template or variable syntax (`{{ }}`, `${VAR}`, `$(VAR)`).
    pub fn is_templated(&self) -> bool {
        self.raw.contains("{{") || self.raw.contains("${") || self.raw.contains("$(")
    }

    /// The registry images are pulled from, with Docker Hub's default made explicit.
    pub fn effective_registry(&self) -> &'a str {
        self.registry.unwrap_or("docker.io")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        let r = ImageRef::parse("nginx");
        assert_eq!(
            (r.registry, r.repository, r.tag, r.digest),
            (None, "nginx", None, None)
        );
        assert!(r.is_mutable_latest());
        let r = ImageRef::parse("localhost:5000/team/app:1.2@sha256:abcdef0123456789");
        assert_eq!(r.registry, Some("localhost:5000"));
        assert_eq!(r.repository, "team/app");
        assert_eq!(r.tag, Some("1.2"));
        assert!(r.is_pinned());
        assert!(!r.is_mutable_latest());
        let r = ImageRef::parse("ghcr.io/org/app:latest");
        assert!(r.is_mutable_latest());
        assert_eq!(r.effective_registry(), "ghcr.io");
        let r = ImageRef::parse("library/redis:7");
        assert_eq!((r.registry, r.tag), (None, Some("7")));
    }
}
