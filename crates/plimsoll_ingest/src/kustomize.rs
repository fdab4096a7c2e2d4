//! Kustomize overlays, rendered with `kustomize build` (when on `PATH`) or `kubectl kustomize`.
//!
//! Kustomize writes no `# Source:` comments, so each rendered object is mapped back by identity:
//! the raw objects of the kustomization's tree (its `resources`, `bases` and `components`,
//! followed recursively) are indexed by kind and `metadata.name`, and a rendered object takes
//! the raw object of its kind whose name equals its own, else the longest raw name its name
//! contains (what `namePrefix`, `nameSuffix` and generator hashes do to a name). Objects from
//! `configMapGenerator` and `secretGenerator` map to their entry in the kustomization file.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use plimsoll_yaml::{Limits, Node, SourceFile, YamlFile, parse};

use crate::render::{
    Failure, Output, RenderSource, RenderTool, RenderedDoc, display_dir, find_tool, normalize, run,
    split_docs,
};

/// The file names kustomize accepts, in its order of preference.
pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The kustomization file of a directory, if it has one.
pub fn kustomization_file(dir: &Path) -> Option<PathBuf> {
    FILE_NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

/// What a kustomization file refers to.
#[derive(Debug, Default)]
pub(crate) struct Kustomization {
    pub file: PathBuf,
    /// `kind: Component`.
    pub component: bool,
    /// `resources` and `bases` entries (files or directories; remote ones are dropped).
    pub resources: Vec<String>,
    /// `components` entries.
    pub components: Vec<String>,
    /// Other local files it reads: patches, generator sources, CRDs, replacements, configurations.
    pub files: Vec<String>,
    /// Generated ConfigMaps and Secrets: kind, name, first and last line of the entry.
    pub generators: Vec<(&'static str, String, u32, u32)>,
    pub source: Option<SourceFile>,
}

fn remote(entry: &str) -> bool {
    entry.contains("://")
        || entry.starts_with("git@")
        || entry.starts_with("github.com/")
        || entry.starts_with("gitlab.com/")
        || entry.starts_with("bitbucket.org/")
}

fn strings(node: Option<Node<'_>>) -> impl Iterator<Item = String> + '_ {
    node.into_iter()
        .flat_map(|n| n.items())
        .filter_map(|n| n.as_str().map(str::to_string))
}

/// Read a directory's kustomization file.
pub(crate) fn read(dir: &Path) -> Option<Kustomization> {
    let file = kustomization_file(dir)?;
    let text = std::fs::read_to_string(&file).ok()?;
    let yaml = parse(
        SourceFile::new(file.display().to_string(), text),
        &Limits::default(),
    );
    let mut k = Kustomization {
        file,
        ..Default::default()
    };
    if let Some((_, root)) = yaml.roots().next() {
        k.component = root.get_str("kind") == Some("Component");
        k.resources = strings(root.get("resources"))
            .chain(strings(root.get("bases")))
            .filter(|e| !remote(e))
            .collect();
        k.components = strings(root.get("components"))
            .filter(|e| !remote(e))
            .collect();
        for key in [
            "patchesStrategicMerge",
            "crds",
            "configurations",
            "transformers",
            "generators",
            "validators",
        ] {
            k.files
                .extend(strings(root.get(key)).filter(|e| !e.contains('\n') && !e.contains(": ")));
        }
        for key in ["patches", "patchesJson6902", "replacements"] {
            for item in root.get(key).into_iter().flat_map(|n| n.items()) {
                if let Some(p) = item.get_str("path") {
                    k.files.push(p.to_string());
                }
            }
        }
        if let Some(p) = root.path(&["openapi", "path"]).and_then(|n| n.as_str()) {
            k.files.push(p.to_string());
        }
        for (key, kind) in [
            ("configMapGenerator", "ConfigMap"),
            ("secretGenerator", "Secret"),
        ] {
            for item in root.get(key).into_iter().flat_map(|n| n.items()) {
                for f in strings(item.get("files")).chain(strings(item.get("envs"))) {
                    // `key=path` names the key in the generated object
                    let p = f.split_once('=').map(|(_, p)| p.to_string()).unwrap_or(f);
                    k.files.push(p);
                }
                if let Some(env) = item.get_str("env") {
                    k.files.push(env.to_string());
                }
                if let Some(name) = item.get_str("name") {
                    let span = item.span();
                    let first = yaml.source.line_col(span.start).line;
                    let last = yaml.source.line_col(span.end.saturating_sub(1)).line;
                    k.generators
                        .push((kind, name.to_string(), first, last.max(first)));
                }
            }
        }
    }
    k.source = Some(yaml.source);
    Some(k)
}

/// Render a kustomization directory.
pub(crate) fn render(dir: &Path) -> Result<Output, Failure> {
    let Some(k) = read(dir) else {
        return Err(Failure::Error("cannot read its kustomization file".into()));
    };
    if k.component {
        return Err(Failure::Skip {
            reason: "kustomize Component used by no kustomization in this scan: a component is \
                     rendered as part of the kustomizations that list it in `components`"
                .into(),
            warn: false,
        });
    }
    let mut cmd = match find_tool("PLIMSOLL_KUSTOMIZE", &["kustomize"]) {
        Ok(kustomize) => {
            let mut c = Command::new(kustomize);
            c.arg("build");
            c
        }
        Err(_) => match find_tool("PLIMSOLL_KUBECTL", &["kubectl"]) {
            Ok(kubectl) => {
                let mut c = Command::new(kubectl);
                c.arg("kustomize");
                c
            }
            Err(_) => {
                return Err(Failure::Skip {
                    reason: "neither kustomize nor kubectl found on PATH; install one (or set \
                             PLIMSOLL_KUSTOMIZE); kustomization not scanned"
                        .into(),
                    warn: true,
                });
            }
        },
    };
    cmd.arg(dir);
    let text = run(cmd).map_err(|e| Failure::Error(format!("kustomize build failed: {e}")))?;
    let (sources, docs) = table(dir, &text);
    Ok(Output {
        tool: RenderTool::Kustomize,
        text,
        sources,
        docs,
    })
}

/// A raw object of the tree: its name, its source and its lines there.
struct Raw {
    name: String,
    source: u32,
    lines: (u32, u32),
}

#[derive(Default)]
struct Tree {
    sources: Vec<RenderSource>,
    by_kind: HashMap<String, Vec<Raw>>,
    seen: HashSet<PathBuf>,
}

impl Tree {
    fn add_source(&mut self, path: String, text: SourceFile) -> u32 {
        self.sources.push(RenderSource {
            path,
            text: Some(text),
        });
        self.sources.len() as u32 - 1
    }

    /// Index a kustomization directory; `shown` is its path as the user would write it.
    fn visit(&mut self, dir: &Path, shown: &Path) {
        let key = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        if !self.seen.insert(key) {
            return;
        }
        let Some(mut k) = read(dir) else { return };
        if !k.generators.is_empty()
            && let Some(text) = k.source.take()
        {
            let name = k
                .file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let path = normalize(&shown.join(name)).display().to_string();
            let id = self.add_source(path, text);
            for (kind, name, first, last) in &k.generators {
                self.by_kind.entry(kind.to_string()).or_default().push(Raw {
                    name: name.clone(),
                    source: id,
                    lines: (*first, *last),
                });
            }
        }
        for entry in k.resources.iter().chain(&k.components) {
            let p = dir.join(entry);
            let s = shown.join(entry);
            if p.is_dir() {
                self.visit(&p, &s);
            } else if p.is_file() {
                self.index_file(&p, &s);
            }
        }
    }

    fn index_file(&mut self, path: &Path, shown: &Path) {
        let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        if !self.seen.insert(key) {
            return;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            return;
        };
        let shown = normalize(shown).display().to_string();
        let yaml = parse(SourceFile::new(shown.clone(), text), &Limits::default());
        let mut found: Vec<(String, String, (u32, u32))> = Vec::new();
        for (_, root) in yaml.roots() {
            collect(&yaml, root, root.span(), &mut found);
        }
        let id = self.add_source(shown, yaml.source);
        for (kind, name, lines) in found {
            self.by_kind.entry(kind).or_default().push(Raw {
                name,
                source: id,
                lines,
            });
        }
    }

    /// The raw object a rendered object came from.
    fn find(&self, kind: &str, name: &str) -> Option<&Raw> {
        let raws = self.by_kind.get(kind)?;
        raws.iter().find(|r| r.name == name).or_else(|| {
            raws.iter()
                .filter(|r| !r.name.is_empty() && name.contains(r.name.as_str()))
                .max_by_key(|r| r.name.len())
        })
    }
}

fn collect(
    yaml: &YamlFile,
    node: Node<'_>,
    span: plimsoll_yaml::Span,
    out: &mut Vec<(String, String, (u32, u32))>,
) {
    let Some(kind) = node.get_str("kind") else {
        return;
    };
    if kind.ends_with("List")
        && let Some(items) = node.get("items")
    {
        for item in items.items() {
            collect(yaml, item, item.span(), out);
        }
        return;
    }
    let Some(name) = node.path(&["metadata", "name"]).and_then(|n| n.as_str()) else {
        return;
    };
    let first = yaml.source.line_col(span.start).line;
    let last = yaml.source.line_col(span.end.saturating_sub(1)).line;
    out.push((kind.to_string(), name.to_string(), (first, last.max(first))));
}

/// The provenance table of a kustomization's output.
pub(crate) fn table(dir: &Path, text: &str) -> (Vec<RenderSource>, Vec<RenderedDoc>) {
    let mut tree = Tree::default();
    let shown = PathBuf::from(display_dir(dir));
    tree.visit(dir, &shown);
    let yaml = parse(
        SourceFile::new("rendered", text.to_string()),
        &Limits::default(),
    );
    let mut docs = Vec::new();
    for (span, body_line) in split_docs(text) {
        let root = yaml
            .roots()
            .find(|(i, _)| {
                let s = yaml.documents[*i].span.start;
                s >= span.start && s < span.end
            })
            .map(|(_, r)| r);
        let raw = root.and_then(|r| {
            let kind = r.get_str("kind")?;
            let name = r.path(&["metadata", "name"]).and_then(|n| n.as_str())?;
            tree.find(kind, name)
        });
        docs.push(RenderedDoc {
            span,
            body_line,
            source: raw.map(|r| r.source),
            lines: raw.map(|r| r.lines).unwrap_or((1, 1)),
        });
    }
    (tree.sources, docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(p: &Path, text: &str) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn reads_references() {
        let d = tempfile::tempdir().unwrap();
        write(
            &d.path().join("kustomization.yaml"),
            "resources:\n- ../base\n- svc.yaml\n- https://github.com/x/y\nbases: [../old]\ncomponents:\n- ../c\npatchesStrategicMerge:\n- p.yaml\npatches:\n- path: q.yaml\n- patch: |-\n    kind: X\nconfigMapGenerator:\n- name: cfg\n  files:\n  - app.conf\n  - k=other.conf\n",
        );
        let k = read(d.path()).unwrap();
        assert!(!k.component);
        assert_eq!(k.resources, ["../base", "svc.yaml", "../old"]);
        assert_eq!(k.components, ["../c"]);
        assert_eq!(k.files, ["p.yaml", "q.yaml", "app.conf", "other.conf"]);
        assert_eq!(k.generators, [("ConfigMap", "cfg".to_string(), 15, 18)]);
    }

    #[test]
    fn maps_rendered_objects_to_raw_ones() {
        let d = tempfile::tempdir().unwrap();
        let base = d.path().join("base");
        write(&base.join("kustomization.yaml"), "resources:\n- app.yaml\n");
        write(
            &base.join("app.yaml"),
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: app\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec: {}\n",
        );
        let prod = d.path().join("overlays/prod");
        write(
            &prod.join("kustomization.yaml"),
            "namePrefix: prod-\nresources:\n- ../../base\nconfigMapGenerator:\n- name: cfg\n  literals: [a=b]\n",
        );
        let out = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: prod-cfg-h5k2\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: prod-app\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: prod-app\nspec: {}\n---\nkind: Other\nmetadata:\n  name: x\n";
        let (sources, docs) = table(&prod, out);
        assert_eq!(docs.len(), 4);
        let src = |i: usize| sources[docs[i].source.unwrap() as usize].path.clone();
        assert!(
            src(0).ends_with("overlays/prod/kustomization.yaml"),
            "{}",
            src(0)
        );
        assert_eq!(docs[0].lines, (5, 6));
        assert!(src(1).ends_with("base/app.yaml"), "{}", src(1));
        assert!(!src(1).contains(".."), "{}", src(1));
        assert_eq!(docs[1].lines.0, 1);
        assert_eq!(docs[2].lines.0, 6);
        assert_eq!(docs[3].source, None);
    }
}
