//! Walking and classifying inputs.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::kustomize;

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
    /// A Helm chart directory (it holds `Chart.yaml`), scanned as what `helm template` renders.
    HelmChart,
    /// A Kustomize directory (it holds `kustomization.yaml`), scanned as what it renders to.
    Kustomization,
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
    // Podman/Buildah call it a Containerfile; the format is the same
    if lower == "dockerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || lower == "containerfile"
        || lower.starts_with("containerfile.")
        || lower.ends_with(".containerfile")
    {
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
        if dir.file_name().is_some_and(|n| n == "templates") && dir.parent().is_some_and(is_chart) {
            return true;
        }
        p = dir.parent();
    }
    false
}

/// A directory holding `Chart.yaml`.
pub fn is_chart(dir: &Path) -> bool {
    dir.join("Chart.yaml").is_file()
}

/// Walk the given paths. Directories are walked respecting `.gitignore`, `.ignore` and hidden
/// files; files named explicitly are always taken (as YAML when their name says nothing);
/// `-` is standard input. Missing paths are returned as errors.
///
/// A directory holding `Chart.yaml` is one [`FileKind::HelmChart`] input and is not walked into
/// (its subcharts under `charts/` render with it). A directory holding a kustomization file is a
/// [`FileKind::Kustomization`] input when it is a root: no other kustomization of the scan refers
/// to it through `resources`, `bases` or `components`. Walked files that belong to a kustomize
/// tree (they sit in a kustomization's directory or in one a kustomization refers to, or a
/// kustomization names them) are not inputs of their own: they are scanned as what the roots
/// render to.
pub fn discover(paths: &[PathBuf]) -> (Vec<Input>, Vec<(PathBuf, String)>) {
    // (input, found by walking)
    let mut found: Vec<(Input, bool)> = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            found.push((Input::Stdin, false));
            continue;
        }
        if p.is_file() {
            found.push((
                Input::File {
                    path: p.clone(),
                    kind: classify(p).unwrap_or(FileKind::Yaml),
                },
                false,
            ));
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
            // nothing inside a chart is walked: the chart is rendered as a whole
            .filter_entry(|e| e.depth() == 0 || !e.path().parent().is_some_and(is_chart))
            .build();
        for entry in walker {
            match entry {
                Ok(e) => {
                    let Some(t) = e.file_type() else { continue };
                    if t.is_dir() {
                        let kind = if is_chart(e.path()) {
                            FileKind::HelmChart
                        } else if kustomize::kustomization_file(e.path()).is_some() {
                            FileKind::Kustomization
                        } else {
                            continue;
                        };
                        found.push((
                            Input::File {
                                path: e.into_path(),
                                kind,
                            },
                            true,
                        ));
                    } else if t.is_file()
                        && let Some(kind) = classify(e.path())
                    {
                        found.push((
                            Input::File {
                                path: e.into_path(),
                                kind,
                            },
                            true,
                        ));
                    }
                }
                Err(err) => errors.push((p.clone(), err.to_string())),
            }
        }
    }
    let found = prune_kustomize_trees(found);
    (found, errors)
}

/// Keep the root kustomizations, drop the others and the walked files of kustomize trees.
fn prune_kustomize_trees(found: Vec<(Input, bool)>) -> Vec<Input> {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let kdirs: Vec<PathBuf> = found
        .iter()
        .filter_map(|(i, _)| match i {
            Input::File {
                path,
                kind: FileKind::Kustomization,
            } => Some(canon(path)),
            _ => None,
        })
        .collect();
    if kdirs.is_empty() {
        return found.into_iter().map(|(i, _)| i).collect();
    }
    // follow every reference, also through kustomizations outside the scanned paths
    let mut tree_dirs: HashSet<PathBuf> = HashSet::new();
    let mut referenced_dirs: HashSet<PathBuf> = HashSet::new();
    let mut referenced_files: HashSet<PathBuf> = HashSet::new();
    let mut queue: Vec<PathBuf> = kdirs.clone();
    while let Some(dir) = queue.pop() {
        if !tree_dirs.insert(dir.clone()) {
            continue;
        }
        let Some(k) = kustomize::read(&dir) else {
            continue;
        };
        for entry in k.resources.iter().chain(&k.components) {
            let p = dir.join(entry);
            if p.is_dir() {
                let c = canon(&p);
                referenced_dirs.insert(c.clone());
                queue.push(c);
            } else {
                referenced_files.insert(canon(&p));
            }
        }
        for f in &k.files {
            referenced_files.insert(canon(&dir.join(f)));
        }
    }
    // canonical form of each walked file's directory, computed once per directory
    let mut dirs: HashMap<PathBuf, PathBuf> = HashMap::new();
    found
        .into_iter()
        .filter(|(input, walked)| {
            let Input::File { path, kind } = input else {
                return true;
            };
            if *kind == FileKind::Kustomization {
                return !referenced_dirs.contains(&canon(path));
            }
            if !*walked || *kind == FileKind::HelmChart {
                return true;
            }
            let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
                return true;
            };
            let dir = dirs
                .entry(parent.to_path_buf())
                .or_insert_with(|| canon(parent));
            !(tree_dirs.contains(dir.as_path()) || referenced_files.contains(&dir.join(name)))
        })
        .map(|(i, _)| i)
        .collect()
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

    fn write(p: &Path, text: &str) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn shown(inputs: &[Input], root: &Path) -> Vec<String> {
        inputs
            .iter()
            .map(|i| match i {
                Input::File { path, kind } => {
                    format!("{} {kind:?}", path.strip_prefix(root).unwrap().display())
                }
                Input::Stdin => "-".into(),
            })
            .collect()
    }

    #[test]
    fn charts_are_inputs_and_not_walked_into() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        write(&r.join("app/Chart.yaml"), "name: app\n");
        write(&r.join("app/values.yaml"), "a: 1\n");
        write(&r.join("app/templates/d.yaml"), "kind: {{ x }}\n");
        write(&r.join("app/charts/sub/Chart.yaml"), "name: sub\n");
        write(&r.join("app/charts/sub/templates/d.yaml"), "kind: x\n");
        write(&r.join("plain/svc.yaml"), "kind: Service\n");
        let (inputs, errors) = discover(&[r.to_path_buf()]);
        assert!(errors.is_empty());
        assert_eq!(shown(&inputs, r), ["app HelmChart", "plain/svc.yaml Yaml"]);
        // a chart given as the path itself
        let (inputs, _) = discover(&[r.join("app")]);
        assert_eq!(shown(&inputs, r), ["app HelmChart"]);
        // a template named explicitly is still taken (and skipped by the scan)
        let (inputs, _) = discover(&[r.join("app/templates/d.yaml")]);
        assert_eq!(shown(&inputs, r), ["app/templates/d.yaml HelmTemplate"]);
    }

    #[test]
    fn only_root_kustomizations_are_inputs_and_their_trees_are_not_scanned_raw() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        write(
            &r.join("k/base/kustomization.yaml"),
            "resources:\n- app.yaml\n",
        );
        write(&r.join("k/base/app.yaml"), "kind: Deployment\n");
        write(&r.join("k/base/notes.yaml"), "kind: Other\n");
        write(&r.join("k/comp/kustomization.yaml"), "kind: Component\n");
        write(&r.join("k/comp/np.yaml"), "kind: NetworkPolicy\n");
        write(&r.join("k/unused/kustomization.yaml"), "kind: Component\n");
        write(
            &r.join("k/overlays/prod/kustomization.yaml"),
            "resources:\n- ../../base\n- ../../shared/extra.yaml\ncomponents:\n- ../../comp\npatches:\n- path: patch.yaml\n",
        );
        write(&r.join("k/overlays/prod/patch.yaml"), "kind: Deployment\n");
        write(
            &r.join("k/overlays/dev/Kustomization"),
            "bases:\n- ../../base\n",
        );
        write(&r.join("k/shared/extra.yaml"), "kind: ConfigMap\n");
        write(&r.join("k/shared/other.yaml"), "kind: ConfigMap\n");
        write(&r.join("k/plain.yaml"), "kind: Service\n");
        let (inputs, errors) = discover(&[r.to_path_buf()]);
        assert!(errors.is_empty());
        assert_eq!(
            shown(&inputs, r),
            [
                "k/overlays/dev Kustomization",
                "k/overlays/prod Kustomization",
                "k/plain.yaml Yaml",
                "k/shared/other.yaml Yaml",
                "k/unused Kustomization",
            ]
        );
        // the base scanned on its own is a root; a file named explicitly is scanned as given
        let (inputs, _) = discover(&[r.join("k/base"), r.join("k/base/app.yaml")]);
        assert_eq!(
            shown(&inputs, r),
            ["k/base Kustomization", "k/base/app.yaml Yaml"]
        );
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
