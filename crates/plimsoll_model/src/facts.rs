//! Compact, owned facts kept per object after its file's tree is dropped.
//!
//! Per-object rules run while the tree is alive; cross-object rules only see these facts, so
//! memory grows with what cross-object questions need, not with the text scanned.

use std::sync::Arc;

use plimsoll_yaml::{Node, SourceFile};

use crate::diag::{FileId, Loc, ObjectId};
use crate::k8s::Object;
use crate::selector::{LabelSelector, Labels};
use crate::workload::{Workload, WorkloadKind};

/// Annotation (on an object or its pod template) that suppresses findings.
pub const IGNORE_ANNOTATION: &str = "plimsoll.dev/ignore";

#[derive(Clone, Debug)]
pub struct ObjectFacts {
    pub id: Arc<ObjectId>,
    /// Where findings about the object point (`metadata.name`, else `kind`).
    pub loc: Loc,
    pub labels: Labels,
    pub annotations: Labels,
    pub detail: Detail,
}

impl ObjectFacts {
    pub fn kind(&self) -> &str {
        &self.id.kind
    }
    pub fn ns(&self) -> &str {
        self.id.ns()
    }
    pub fn workload(&self) -> Option<&WorkloadFacts> {
        match &self.detail {
            Detail::Workload(w) => Some(w),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub enum Detail {
    Workload(WorkloadFacts),
    Service(ServiceFacts),
    Ingress(IngressFacts),
    NetworkPolicy(NetworkPolicyFacts),
    PodDisruptionBudget(PdbFacts),
    Hpa(HpaFacts),
    Binding(BindingFacts),
    ServiceAccount {
        automount: Option<bool>,
    },
    BackupSchedule(BackupFacts),
    GitOps(GitOpsFacts),
    Monitor(MonitorFacts),
    AlertRules(AlertFacts),
    /// ExternalSecret, SealedSecret, SecretProviderClass, VaultStaticSecret...: a secret store.
    /// cert-manager `Certificate`s are here too (their `secretName` is issued, not committed).
    ManagedSecret {
        target: Option<Box<str>>,
    },
    PersistentVolumeClaim {
        storage_class: Option<Box<str>>,
    },
    /// A `plimsoll.dev` `Readiness` document: the declarations (see [`crate::declarations`]).
    Readiness(Box<crate::declarations::Declarations>),
    Other,
}

#[derive(Clone, Debug, Default)]
pub struct WorkloadFacts {
    pub kind: WorkloadKind,
    pub pod_labels: Labels,
    pub pod_annotations: Labels,
    /// Effective replicas for replicated kinds.
    pub replicas: Option<i64>,
    pub replicas_loc: Option<Loc>,
    pub service_account: Box<str>,
    pub service_account_loc: Option<Loc>,
    /// PersistentVolumeClaims mounted through `persistentVolumeClaim` volumes.
    pub claims: Vec<Box<str>>,
    pub claim_templates: bool,
    /// StatefulSet `spec.serviceName`, when written, and where.
    pub service_name: Option<(Box<str>, Loc)>,
    /// Container ports: (name, number).
    pub ports: Vec<(Option<Box<str>>, i64)>,
    pub container_names: Vec<Box<str>>,
    /// The pod spec's `automountServiceAccountToken`, when written, and where.
    pub automount_token: Option<(bool, Loc)>,
    /// Secrets the pod reads: env `secretKeyRef`, `envFrom[].secretRef`, `secret` and projected
    /// volumes (not `imagePullSecrets`): (name, where the name is written).
    pub secret_refs: Vec<(Box<str>, Loc)>,
    /// Mounts a Secrets Store CSI volume (`secrets-store.csi.k8s.io`).
    pub csi_secret_store: bool,
}

impl WorkloadFacts {
    /// Holds state that must survive the pod: PVCs, volumeClaimTemplates, or a StatefulSet
    /// (whose state may live on a hostPath or local volume).
    pub fn is_stateful(&self) -> bool {
        self.claim_templates || !self.claims.is_empty() || self.kind == WorkloadKind::StatefulSet
    }
}

#[derive(Clone, Debug)]
pub struct ServicePort {
    pub port: Option<i64>,
    pub name: Option<Box<str>>,
    /// `targetPort` as written (number or name); `None` means "same as port".
    pub target: Option<Box<str>>,
    /// Where `targetPort` is written.
    pub target_loc: Option<Loc>,
}

#[derive(Clone, Debug, Default)]
pub struct ServiceFacts {
    /// `None` when the Service has no selector (endpoints managed by hand).
    pub selector: Option<LabelSelector>,
    pub selector_loc: Option<Loc>,
    pub service_type: Box<str>,
    pub ports: Vec<ServicePort>,
    /// `clusterIP: None`: a headless Service.
    pub headless: bool,
}

#[derive(Clone, Debug)]
pub struct IngressFacts {
    /// Backend services: (name, where).
    pub backends: Vec<(Box<str>, Loc)>,
    pub hosts: Vec<(Box<str>, Loc)>,
    pub tls_hosts: Vec<Box<str>>,
    pub has_tls: bool,
}

#[derive(Clone, Debug, Default)]
pub struct NetworkPolicyFacts {
    /// `None` for policies whose selector Plimsoll cannot evaluate (Calico selector strings).
    pub pod_selector: Option<LabelSelector>,
    pub ingress: bool,
    pub egress: bool,
    /// Selects every pod and allows no ingress.
    pub default_deny_ingress: bool,
    pub default_deny_egress: bool,
    /// Has an egress rule that allows every destination (`egress: [{}]`), so restricts nothing.
    pub egress_allows_all: bool,
}

#[derive(Clone, Debug)]
pub struct PdbFacts {
    pub selector: Option<LabelSelector>,
    pub min_available: Option<Box<str>>,
    pub max_unavailable: Option<Box<str>>,
    /// Where `maxUnavailable` (else `minAvailable`) is written.
    pub policy_loc: Option<Loc>,
}

#[derive(Clone, Debug)]
pub struct HpaFacts {
    pub target_kind: Box<str>,
    pub target_name: Box<str>,
    pub target_loc: Option<Loc>,
    pub min_replicas: Option<i64>,
    pub max_replicas: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct Subject {
    pub kind: Box<str>,
    pub name: Box<str>,
    pub namespace: Option<Box<str>>,
}

#[derive(Clone, Debug)]
pub struct BindingFacts {
    pub cluster_wide: bool,
    pub role_kind: Box<str>,
    pub role_name: Box<str>,
    pub role_loc: Option<Loc>,
    pub subjects: Vec<Subject>,
}

#[derive(Clone, Debug)]
pub struct BackupFacts {
    /// Namespaces included; empty or `*` means all.
    pub included: Vec<Box<str>>,
    pub excluded: Vec<Box<str>>,
    pub label_selector: Option<LabelSelector>,
    pub schedule: Option<Box<str>>,
    pub ttl: Option<Box<str>>,
}

impl BackupFacts {
    pub fn covers_namespace(&self, ns: &str) -> bool {
        let all = self.included.is_empty() || self.included.iter().any(|n| &**n == "*");
        (all || self.included.iter().any(|n| &**n == ns))
            && !self.excluded.iter().any(|n| &**n == ns)
    }
}

#[derive(Clone, Debug)]
pub struct GitOpsFacts {
    pub destination_namespace: Option<Box<str>>,
    pub path: Option<Box<str>>,
}

#[derive(Clone, Debug)]
pub struct MonitorFacts {
    pub selector: Option<LabelSelector>,
    /// `None` = own namespace; `Some(empty)` = any namespace.
    pub namespaces: Option<Vec<Box<str>>>,
    pub pod_monitor: bool,
}

#[derive(Clone, Debug)]
pub struct AlertFacts {
    /// (alert name, has a runbook link, where)
    pub alerts: Vec<(Box<str>, bool, Loc)>,
}

fn strs(n: Option<Node<'_>>) -> Vec<Box<str>> {
    n.into_iter()
        .flat_map(|n| n.items())
        .filter_map(|i| i.as_str().map(Into::into))
        .collect()
}

/// Extract the facts of one object.
pub fn extract(
    file: FileId,
    src: &SourceFile,
    obj: &Object<'_>,
    default_namespace: Option<&str>,
) -> ObjectFacts {
    let loc = |n: Node<'_>| Loc::new(file, src, n.anchor());
    let namespace = if obj.is_cluster_scoped() {
        None
    } else {
        obj.namespace().or(default_namespace).map(Into::into)
    };
    let id = Arc::new(ObjectId {
        api_version: obj.api_version.into(),
        kind: obj.kind.into(),
        namespace,
        name: obj.name().unwrap_or("").into(),
    });
    let spec = obj.spec();
    let group = obj.group();
    let detail = if let Some(w) = Workload::from_object(*obj) {
        let mut ports = Vec::new();
        let mut names = Vec::new();
        for c in w.containers() {
            names.push(c.name().into());
            for p in c.ports() {
                if let Some(num) = p.get("containerPort").and_then(|n| n.as_i64()) {
                    ports.push((p.get_str("name").map(Into::into), num));
                }
            }
        }
        // a StatefulSet replaces the pod volumes named like its claim templates
        let template_names: Vec<&str> = if w.kind == WorkloadKind::StatefulSet {
            spec.and_then(|s| s.get("volumeClaimTemplates"))
                .into_iter()
                .flat_map(|t| t.items())
                .filter_map(|t| t.path(&["metadata", "name"])?.as_str())
                .collect()
        } else {
            Vec::new()
        };
        // a claim only read from (`readOnly` on the volume, or on every mount of it) is someone
        // else's state, e.g. a restore drill reading backups
        let read_only = |name: Option<&str>, v: plimsoll_yaml::Node<'_>| {
            if v.path(&["persistentVolumeClaim", "readOnly"])
                .and_then(|n| n.as_bool())
                == Some(true)
            {
                return true;
            }
            let Some(name) = name else { return false };
            let mut mounts = w
                .containers()
                .flat_map(|c| {
                    c.node
                        .get("volumeMounts")
                        .into_iter()
                        .flat_map(|m| m.items())
                })
                .filter(|m| m.get_str("name") == Some(name))
                .peekable();
            mounts.peek().is_some() && mounts.all(|m| m.get_bool("readOnly") == Some(true))
        };
        let claims = w
            .volumes()
            .filter(|v| {
                v.get_str("name")
                    .is_none_or(|n| !template_names.contains(&n))
            })
            .filter(|v| !read_only(v.get_str("name"), *v))
            .filter_map(|v| {
                v.path(&["persistentVolumeClaim", "claimName"])?
                    .as_str()
                    .map(Into::into)
            })
            .collect();
        let claim_templates = w.kind == WorkloadKind::StatefulSet
            && spec
                .and_then(|s| s.get("volumeClaimTemplates"))
                .is_some_and(|v| !v.is_empty());
        Detail::Workload(WorkloadFacts {
            kind: w.kind,
            pod_labels: Labels::from_node(w.pod_labels()),
            pod_annotations: Labels::from_node(w.pod_annotations()),
            replicas: w.replicas(),
            replicas_loc: w.replicas_node().map(loc),
            service_account: w.service_account().into(),
            service_account_loc: w
                .pod_spec
                .get("serviceAccountName")
                .or_else(|| w.pod_spec.get("serviceAccount"))
                .map(loc),
            claims,
            claim_templates,
            service_name: (w.kind == WorkloadKind::StatefulSet)
                .then(|| spec?.get("serviceName"))
                .flatten()
                .and_then(|n| Some((n.as_str()?.into(), loc(n)))),
            ports,
            container_names: names,
            automount_token: w
                .pod_spec
                .get("automountServiceAccountToken")
                .and_then(|n| Some((n.as_bool()?, loc(n)))),
            secret_refs: secret_refs(&w, &loc),
            csi_secret_store: w.volumes().any(|v| {
                v.path(&["csi", "driver"]).and_then(|d| d.as_str())
                    == Some("secrets-store.csi.k8s.io")
            }),
        })
    } else {
        match (group, obj.kind) {
            ("", "Service") => {
                let sel = spec
                    .and_then(|s| s.get("selector"))
                    .filter(|s| s.is_mapping() && !s.is_empty());
                Detail::Service(ServiceFacts {
                    selector: sel.map(LabelSelector::from_map),
                    selector_loc: sel.map(loc),
                    service_type: spec
                        .and_then(|s| s.get_str("type"))
                        .unwrap_or("ClusterIP")
                        .into(),
                    ports: spec
                        .and_then(|s| s.get("ports"))
                        .into_iter()
                        .flat_map(|p| p.items())
                        .map(|p| ServicePort {
                            port: p.get("port").and_then(|n| n.as_i64()),
                            name: p.get_str("name").map(Into::into),
                            target: p.get_str("targetPort").map(Into::into),
                            target_loc: p.get("targetPort").map(loc),
                        })
                        .collect(),
                    headless: spec.and_then(|s| s.get_str("clusterIP")) == Some("None"),
                })
            }
            ("networking.k8s.io" | "extensions", "Ingress") => {
                let mut backends = Vec::new();
                let mut hosts = Vec::new();
                if let Some(s) = spec {
                    for b in [s.get("defaultBackend"), s.get("backend")]
                        .into_iter()
                        .flatten()
                    {
                        if let Some(n) = b
                            .path(&["service", "name"])
                            .or_else(|| b.get("serviceName"))
                            && let Some(name) = n.as_str()
                        {
                            backends.push((name.into(), loc(n)));
                        }
                    }
                    for r in s.get("rules").into_iter().flat_map(|r| r.items()) {
                        if let Some(h) = r.get("host")
                            && let Some(t) = h.as_str()
                        {
                            hosts.push((t.into(), loc(h)));
                        }
                        for p in r
                            .path(&["http", "paths"])
                            .into_iter()
                            .flat_map(|p| p.items())
                        {
                            let b = p.get("backend");
                            if let Some(n) = b.and_then(|b| {
                                b.path(&["service", "name"])
                                    .or_else(|| b.get("serviceName"))
                            }) && let Some(name) = n.as_str()
                            {
                                backends.push((name.into(), loc(n)));
                            }
                        }
                    }
                }
                let tls = spec.and_then(|s| s.get("tls"));
                Detail::Ingress(IngressFacts {
                    backends,
                    hosts,
                    tls_hosts: tls
                        .into_iter()
                        .flat_map(|t| t.items())
                        .flat_map(|t| strs(t.get("hosts")))
                        .collect(),
                    has_tls: tls.is_some_and(|t| !t.is_empty()),
                })
            }
            ("networking.k8s.io" | "extensions", "NetworkPolicy") => netpol(spec, false),
            ("cilium.io", "CiliumNetworkPolicy") => netpol(spec, true),
            ("crd.projectcalico.org" | "projectcalico.org", "NetworkPolicy") => {
                let types = strs(spec.and_then(|s| s.get("types")));
                let sel = spec.and_then(|s| s.get_str("selector")).unwrap_or("all()");
                let all = sel.trim() == "all()" || sel.trim().is_empty();
                let ingress = types.iter().any(|t| &**t == "Ingress")
                    || spec.and_then(|s| s.get("ingress")).is_some();
                let egress = types.iter().any(|t| &**t == "Egress")
                    || spec.and_then(|s| s.get("egress")).is_some();
                Detail::NetworkPolicy(NetworkPolicyFacts {
                    pod_selector: if all {
                        Some(LabelSelector::default())
                    } else {
                        None
                    },
                    ingress,
                    egress,
                    default_deny_ingress: all
                        && ingress
                        && spec
                            .and_then(|s| s.get("ingress"))
                            .is_none_or(|i| i.is_empty()),
                    default_deny_egress: all
                        && egress
                        && spec
                            .and_then(|s| s.get("egress"))
                            .is_none_or(|i| i.is_empty()),
                    egress_allows_all: false,
                })
            }
            ("policy", "PodDisruptionBudget") => Detail::PodDisruptionBudget(PdbFacts {
                selector: spec
                    .and_then(|s| s.get("selector"))
                    .map(LabelSelector::from_node),
                min_available: spec.and_then(|s| s.get_str("minAvailable")).map(Into::into),
                max_unavailable: spec
                    .and_then(|s| s.get_str("maxUnavailable"))
                    .map(Into::into),
                policy_loc: spec
                    .and_then(|s| s.get("maxUnavailable").or_else(|| s.get("minAvailable")))
                    .map(loc),
            }),
            ("autoscaling", "HorizontalPodAutoscaler") => {
                let t = spec.and_then(|s| s.get("scaleTargetRef"));
                Detail::Hpa(HpaFacts {
                    target_kind: t.and_then(|t| t.get_str("kind")).unwrap_or("").into(),
                    target_name: t.and_then(|t| t.get_str("name")).unwrap_or("").into(),
                    target_loc: t.map(loc),
                    min_replicas: spec
                        .and_then(|s| s.get("minReplicas"))
                        .and_then(|n| n.as_i64()),
                    max_replicas: spec
                        .and_then(|s| s.get("maxReplicas"))
                        .and_then(|n| n.as_i64()),
                })
            }
            ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
                let r = obj.root.get("roleRef");
                Detail::Binding(BindingFacts {
                    cluster_wide: obj.kind == "ClusterRoleBinding",
                    role_kind: r.and_then(|r| r.get_str("kind")).unwrap_or("").into(),
                    role_name: r.and_then(|r| r.get_str("name")).unwrap_or("").into(),
                    role_loc: r.and_then(|r| r.get("name")).map(loc),
                    subjects: obj
                        .root
                        .get("subjects")
                        .into_iter()
                        .flat_map(|s| s.items())
                        .map(|s| Subject {
                            kind: s.get_str("kind").unwrap_or("").into(),
                            name: s.get_str("name").unwrap_or("").into(),
                            namespace: s.get_str("namespace").map(Into::into),
                        })
                        .collect(),
                })
            }
            ("", "ServiceAccount") => Detail::ServiceAccount {
                automount: obj.root.get_bool("automountServiceAccountToken"),
            },
            ("", "PersistentVolumeClaim") => Detail::PersistentVolumeClaim {
                storage_class: spec
                    .and_then(|s| s.get_str("storageClassName"))
                    .map(Into::into),
            },
            ("velero.io", "Schedule") => {
                let t = spec.and_then(|s| s.get("template"));
                Detail::BackupSchedule(BackupFacts {
                    included: strs(t.and_then(|t| t.get("includedNamespaces"))),
                    excluded: strs(t.and_then(|t| t.get("excludedNamespaces"))),
                    label_selector: t
                        .and_then(|t| t.get("labelSelector"))
                        .map(LabelSelector::from_node),
                    schedule: spec.and_then(|s| s.get_str("schedule")).map(Into::into),
                    ttl: t.and_then(|t| t.get_str("ttl")).map(Into::into),
                })
            }
            ("k8up.io", "Schedule") | ("postgresql.cnpg.io", "ScheduledBackup") => {
                Detail::BackupSchedule(BackupFacts {
                    included: vec![id.ns().into()],
                    excluded: vec![],
                    label_selector: None,
                    schedule: spec
                        .and_then(|s| {
                            s.get_str("schedule")
                                .or_else(|| s.path(&["backup", "schedule"])?.as_str())
                        })
                        .map(Into::into),
                    ttl: None,
                })
            }
            ("argoproj.io", "Application") => Detail::GitOps(GitOpsFacts {
                destination_namespace: spec
                    .and_then(|s| s.path(&["destination", "namespace"])?.as_str())
                    .map(Into::into),
                path: spec
                    .and_then(|s| s.path(&["source", "path"])?.as_str())
                    .map(Into::into),
            }),
            ("argoproj.io", "ApplicationSet")
            | ("kustomize.toolkit.fluxcd.io", "Kustomization")
            | ("helm.toolkit.fluxcd.io", "HelmRelease") => Detail::GitOps(GitOpsFacts {
                destination_namespace: spec
                    .and_then(|s| {
                        s.get_str("targetNamespace").or_else(|| {
                            s.path(&["template", "spec", "destination", "namespace"])?
                                .as_str()
                        })
                    })
                    .map(Into::into),
                path: spec.and_then(|s| s.get_str("path")).map(Into::into),
            }),
            ("monitoring.coreos.com", "ServiceMonitor" | "PodMonitor") => {
                let ns = spec.and_then(|s| s.get("namespaceSelector"));
                Detail::Monitor(MonitorFacts {
                    selector: spec
                        .and_then(|s| s.get("selector"))
                        .map(LabelSelector::from_node),
                    namespaces: ns.map(|n| {
                        if n.get_bool("any") == Some(true) {
                            Vec::new()
                        } else {
                            strs(n.get("matchNames"))
                        }
                    }),
                    pod_monitor: obj.kind == "PodMonitor",
                })
            }
            ("monitoring.coreos.com", "PrometheusRule") => {
                let mut alerts = Vec::new();
                for g in spec
                    .and_then(|s| s.get("groups"))
                    .into_iter()
                    .flat_map(|g| g.items())
                {
                    for r in g.get("rules").into_iter().flat_map(|r| r.items()) {
                        if let Some(a) = r.get("alert") {
                            let runbook = r.get("annotations").is_some_and(|an| {
                                an.get("runbook_url").is_some() || an.get("runbook").is_some()
                            });
                            alerts.push((a.as_str().unwrap_or("").into(), runbook, loc(a)));
                        }
                    }
                }
                Detail::AlertRules(AlertFacts { alerts })
            }
            ("external-secrets.io", "ExternalSecret") => Detail::ManagedSecret {
                target: spec
                    .and_then(|s| s.path(&["target", "name"])?.as_str())
                    .or(obj.name())
                    .map(Into::into),
            },
            // cert-manager issues and renews the Secret a Certificate names
            ("cert-manager.io", "Certificate") => Detail::ManagedSecret {
                target: spec.and_then(|s| s.get_str("secretName")).map(Into::into),
            },
            ("bitnami.com", "SealedSecret")
            | ("secrets-store.csi.x-k8s.io", "SecretProviderClass") => Detail::ManagedSecret {
                target: obj.name().map(Into::into),
            },
            ("plimsoll.dev", crate::declarations::KIND) => Detail::Readiness(Box::new(
                crate::declarations::from_object(file, src, obj.root),
            )),
            (g, _) if g.ends_with("secrets.hashicorp.com") => Detail::ManagedSecret {
                target: spec
                    .and_then(|s| {
                        s.get_str("destination")
                            .or_else(|| s.path(&["destination", "name"])?.as_str())
                    })
                    .map(Into::into),
            },
            _ => Detail::Other,
        }
    };
    let mut annotations = Labels::from_node(obj.annotations());
    // suppressions on the pod template count as suppressions on the object
    if let Detail::Workload(w) = &detail
        && annotations.get(IGNORE_ANNOTATION).is_none()
        && let Some(v) = w.pod_annotations.get(IGNORE_ANNOTATION)
    {
        annotations.0.push((IGNORE_ANNOTATION.into(), v.into()));
        annotations.0.sort();
    }
    ObjectFacts {
        id,
        loc: loc(obj.anchor()),
        labels: Labels::from_node(obj.labels()),
        annotations,
        detail,
    }
}

/// Names of the Secrets a pod reads (env, envFrom, secret and projected volumes).
fn secret_refs(w: &Workload<'_>, loc: &dyn Fn(Node<'_>) -> Loc) -> Vec<(Box<str>, Loc)> {
    let mut out = Vec::new();
    let mut push = |n: Option<Node<'_>>| {
        if let Some(n) = n
            && let Some(name) = n.as_str()
        {
            out.push((name.into(), loc(n)));
        }
    };
    for c in w.containers() {
        for e in c.env() {
            push(e.path(&["valueFrom", "secretKeyRef", "name"]));
        }
        for e in c.get("envFrom").into_iter().flat_map(|e| e.items()) {
            push(e.path(&["secretRef", "name"]));
        }
    }
    for v in w.volumes() {
        push(v.path(&["secret", "secretName"]));
        for s in v
            .path(&["projected", "sources"])
            .into_iter()
            .flat_map(|s| s.items())
        {
            push(s.path(&["secret", "name"]));
        }
    }
    out
}

fn netpol(spec: Option<Node<'_>>, cilium: bool) -> Detail {
    let sel_key = if cilium {
        "endpointSelector"
    } else {
        "podSelector"
    };
    let selector = spec
        .and_then(|s| s.get(sel_key))
        .map(LabelSelector::from_node)
        .unwrap_or_default();
    let types = strs(spec.and_then(|s| s.get("policyTypes")));
    let ingress_rules = spec.and_then(|s| s.get("ingress"));
    let egress_rules = spec.and_then(|s| s.get("egress"));
    // Kubernetes: without policyTypes, Ingress is always implied and Egress only when egress rules exist
    let (ingress, egress) = if types.is_empty() || cilium {
        (
            !cilium || ingress_rules.is_some() || spec.and_then(|s| s.get("ingressDeny")).is_some(),
            egress_rules.is_some() || (cilium && spec.and_then(|s| s.get("egressDeny")).is_some()),
        )
    } else {
        (
            types.iter().any(|t| &**t == "Ingress"),
            types.iter().any(|t| &**t == "Egress"),
        )
    };
    let all = selector.is_empty();
    let empty = |n: Option<Node<'_>>| n.is_none_or(|n| n.is_empty() || n.is_null());
    let deny_in = if cilium {
        // Cilium: `ingress: [{}]` selects the endpoint with no allowed peers
        ingress_rules.is_some_and(|r| r.items().all(|i| i.is_empty()))
    } else {
        empty(ingress_rules)
    };
    let deny_out = if cilium {
        egress_rules.is_some_and(|r| r.items().all(|i| i.is_empty()))
    } else {
        empty(egress_rules)
    };
    Detail::NetworkPolicy(NetworkPolicyFacts {
        pod_selector: Some(selector),
        ingress,
        egress,
        default_deny_ingress: all && ingress && deny_in,
        default_deny_egress: all && egress && deny_out,
        // Kubernetes: a rule without `to` and `ports` allows everything (in Cilium `{}` denies)
        egress_allows_all: !cilium
            && egress_rules.is_some_and(|r| {
                r.items().any(|i| {
                    i.get("to").is_none_or(|t| t.is_null())
                        && i.get("ports").is_none_or(|p| p.is_null())
                })
            }),
    })
}
