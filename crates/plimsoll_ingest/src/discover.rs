//! Walking and classifying inputs.

use std::path::{Path, PathBuf};

/// What a file is, decided from its name and where it sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// YAML or JSON that may hold Kubernetes manifests (documents without `apiVersion`/`kind`
    /// are simply not manifests).
    Yaml,
    /// A Helm chart template (Go template text, not YAML until rendered).
    HelmTemplate,
    Dockerfile,
    Compose,
    SystemdUnit,
}

/// One thing to scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    File {
        path: PathBuf,
        kind: FileKind,
    },
    /// Standard input (`-`), read as YAML.
    Stdin,
}

/// Classify a file by its name and place; `None` for files Plimsoll does not read.
pub fn classify(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    if lower == "dockerfile" || lower.starts_with("dockerfile.") || lower.ends_with(".dockerfile") {
        return Some(FileKind::Dockerfile);
    }
    if matches!(
        lower.as_str(),
        "compose.yaml" | "compose.yml" | "docker-compose.yaml" | "docker-compose.yml"
    ) || ((lower.starts_with("docker-compose.") || lower.starts_with("compose."))
        && (lower.ends_with(".yml") || lower.ends_with(".yaml")))
    {
        return Some(FileKind::Compose);
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if matches!(
        ext.as_str(),
        "service" | "socket" | "timer" | "mount" | "path"
    ) {
        return Some(FileKind::SystemdUnit);
    }
    if matches!(ext.as_str(), "yaml" | "yml" | "json") {
        if in_helm_templates(path) {
            return Some(FileKind::HelmTemplate);
        }
        if lower == "chart.yaml"
            || lower == "values.schema.json"
            || lower == "package.json"
            || lower.ends_with(".lock.json")
            || lower == "package-lock.json"
            || lower == "tsconfig.json"
        {
            return None;
        }
        return Some(FileKind::Yaml);
    }
    None
}

/// A file under `<chart>/templates/` (or a subchart's) where `<chart>/Chart.yaml` exists.
fn in_helm_templates(path: &Path) -> bool {
    let mut p = path.parent();
    while let Some(dir) = p {
        if dir.file_name().is_some_and(|n| n == "templates") {
            if let Some(chart) = dir.parent() {
                if chart.join("Chart.yaml").is_file() {
                    return true;
                }
            }
        }
        p = dir.parent();
    }
    false
}

/// Walk the given paths. Directories are walked respecting `.gitignore`, `.ignore` and hidden
/// files; files named explicitly are always taken (as YAML when their name says nothing);
/// `-` is standard input. Missing paths are returned as errors.
pub fn discover(paths: &[PathBuf]) -> (Vec<Input>, Vec<(PathBuf, String)>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        if p.is_file() {
            inputs.push(Input::File {
                path: p.clone(),
                kind: classify(p).unwrap_or(FileKind::Yaml),
            });
            continue;
        }
        if !p.is_dir() {
            errors.push((p.clone(), "no such file or directory".to_string()));
            continue;
        }
        let walker = ignore::WalkBuilder::new(p)
            .hidden(true)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(true)
            .require_git(false)
            .sort_by_file_name(|a, b| a.cmp(b))
            .build();
        for entry in walker {
            match entry {
                Ok(e) => {
                    if e.file_type().is_some_and(|t| t.is_file()) {
                        if let Some(kind) = classify(e.path()) {
                            inputs.push(Input::File {
                                path: e.into_path(),
                                kind,
                            });
                        }
                    }
                }
                Err(err) => errors.push((p.clone(), err.to_string())),
            }
        }
    }
    (inputs, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_name_and_place() {
        let d = tempfile::tempdir().unwrap();
        let chart = d.path().join("chart");
        std::fs::create_dir_all(chart.join("templates")).unwrap();
        std::fs::write(chart.join("Chart.yaml"), "name: c\n").unwrap();
        assert_eq!(
            classify(&chart.join("templates/deploy.yaml")),
            Some(FileKind::HelmTemplate)
        );
        assert_eq!(classify(&chart.join("Chart.yaml")), None);
        assert_eq!(classify(Path::new("k8s/deploy.yml")), Some(FileKind::Yaml));
        assert_eq!(
            classify(Path::new("Dockerfile")),
            Some(FileKind::Dockerfile)
        );
        assert_eq!(
            classify(Path::new("app.Dockerfile")),
            Some(FileKind::Dockerfile)
        );
        assert_eq!(
            classify(Path::new("docker-compose.prod.yml")),
            Some(FileKind::Compose)
        );
        assert_eq!(
            classify(Path::new("caddy.service")),
            Some(FileKind::SystemdUnit)
        );
        assert_eq!(classify(Path::new("main.rs")), None);
    }

    #[test]
    fn walking_respects_gitignore() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join(".gitignore"), "ignored/\n").unwrap();
        std::fs::create_dir_all(d.path().join("ignored")).unwrap();
        std::fs::write(d.path().join("ignored/a.yaml"), "a: 1").unwrap();
        std::fs::write(d.path().join("b.yaml"), "b: 1").unwrap();
        let (inputs, errors) = discover(&[d.path().to_path_buf()]);
        assert!(errors.is_empty());
        assert_eq!(inputs.len(), 1);
        assert!(matches!(&inputs[0], Input::File { path, .. } if path.ends_with("b.yaml")));
    }
}
