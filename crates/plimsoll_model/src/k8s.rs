//! Kubernetes objects as views over the YAML tree.

use plimsoll_yaml::{Node, YamlFile};

/// A Kubernetes object: any YAML mapping with string `apiVersion` and `kind`. Unknown kinds and
/// custom resources are objects too.
#[derive(Clone, Copy, Debug)]
pub struct Object<'a> {
    /// Index of the document in the file.
    pub doc: usize,
    pub root: Node<'a>,
    pub api_version: &'a str,
    pub kind: &'a str,
    pub metadata: Option<Node<'a>>,
}

impl<'a> Object<'a> {
    /// Read an object from a node; `None` when the node is not a manifest.
    pub fn from_node(doc: usize, root: Node<'a>) -> Option<Object<'a>> {
        if !root.is_mapping() {
            return None;
        }
        let api_version = root.get("apiVersion")?.as_str()?;
        let kind = root.get("kind")?.as_str()?;
        if api_version.is_empty() || kind.is_empty() {
            return None;
        }
        Some(Object {
            doc,
            root,
            api_version,
            kind,
            metadata: root.get("metadata").filter(|m| m.is_mapping()),
        })
    }

    pub fn name(&self) -> Option<&'a str> {
        let m = self.metadata?;
        m.get_str("name").or_else(|| m.get_str("generateName"))
    }

    pub fn namespace(&self) -> Option<&'a str> {
        self.metadata?.get_str("namespace")
    }

    /// The API group (empty for the core group).
    pub fn group(&self) -> &'a str {
        match self.api_version.rsplit_once('/') {
            Some((g, _)) => g,
            None => "",
        }
    }

    pub fn spec(&self) -> Option<Node<'a>> {
        self.root.get("spec")
    }

    pub fn labels(&self) -> Option<Node<'a>> {
        self.metadata?.get("labels")
    }

    pub fn annotations(&self) -> Option<Node<'a>> {
        self.metadata?.get("annotations")
    }

    pub fn annotation(&self, key: &str) -> Option<&'a str> {
        self.annotations()?.get_str(key)
    }

    pub fn label(&self, key: &str) -> Option<&'a str> {
        self.labels()?.get_str(key)
    }

    /// The `kind:` key: where findings about the object as a whole point.
    pub fn kind_node(&self) -> Node<'a> {
        self.root.get("kind").unwrap_or(self.root)
    }

    /// Where findings about the object as a whole point: `metadata.name` when present (it names
    /// the object), else `kind`.
    pub fn anchor(&self) -> Node<'a> {
        self.metadata
            .and_then(|m| m.get("name"))
            .unwrap_or_else(|| self.kind_node())
    }

    pub fn is(&self, kind: &str) -> bool {
        self.kind == kind
    }

    /// True for kinds that are cluster-scoped in Kubernetes (namespace ignored).
    pub fn is_cluster_scoped(&self) -> bool {
        is_cluster_scoped(self.kind)
    }
}

/// Cluster-scoped kinds of Kubernetes and common projects.
pub fn is_cluster_scoped(kind: &str) -> bool {
    matches!(
        kind,
        "Namespace"
            | "Node"
            | "PersistentVolume"
            | "StorageClass"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "CustomResourceDefinition"
            | "ValidatingWebhookConfiguration"
            | "MutatingWebhookConfiguration"
            | "ValidatingAdmissionPolicy"
            | "ValidatingAdmissionPolicyBinding"
            | "PriorityClass"
            | "IngressClass"
            | "APIService"
            | "PodSecurityPolicy"
            | "RuntimeClass"
            | "CSIDriver"
            | "CSINode"
            | "VolumeSnapshotClass"
            | "ClusterIssuer"
            | "ClusterSecretStore"
            | "ClusterExternalSecret"
            | "GatewayClass"
            | "CiliumClusterwideNetworkPolicy"
            | "GlobalNetworkPolicy"
            | "ClusterPolicy"
            | "FlowSchema"
            | "PriorityLevelConfiguration"
    )
}

/// All objects of a file, in document order, with `List` kinds expanded into their items.
pub fn objects(file: &YamlFile) -> Vec<Object<'_>> {
    let mut out = Vec::new();
    for (doc, root) in file.roots() {
        let Some(obj) = Object::from_node(doc, root) else {
            continue;
        };
        if obj.kind == "List"
            || (obj.kind.ends_with("List") && root.get("items").is_some_and(|i| i.is_sequence()))
        {
            if let Some(items) = root.get("items") {
                for item in items.items() {
                    if let Some(o) = Object::from_node(doc, item) {
                        out.push(o);
                    }
                }
            }
            continue;
        }
        out.push(obj);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use plimsoll_yaml::{Limits, SourceFile, parse};

    #[test]
    fn lists_expand_and_non_manifests_are_skipped() {
        let f = parse(
            SourceFile::new(
                "l.yaml",
                "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: b, namespace: x}\n---\nfoo: bar\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n",
            ),
            &Limits::default(),
        );
        let objs = objects(&f);
        let kinds: Vec<_> = objs.iter().map(|o| (o.kind, o.name().unwrap())).collect();
        assert_eq!(
            kinds,
            vec![("ConfigMap", "a"), ("Secret", "b"), ("Widget", "w")]
        );
        assert_eq!(objs[1].namespace(), Some("x"));
        assert_eq!(objs[2].group(), "example.com");
    }
}
