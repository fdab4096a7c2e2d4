//! The cross-object index: answers "which X applies to this Y" over the facts of a whole scan.

use std::collections::{BTreeSet, HashMap};

use crate::facts::{Detail, ObjectFacts, WorkloadFacts};
use crate::selector::Labels;

/// Objects of one namespace, by category (indices into [`Index::objects`]).
#[derive(Default, Debug)]
struct Ns {
    workloads: Vec<u32>,
    network_policies: Vec<u32>,
    pdbs: Vec<u32>,
    services: Vec<u32>,
    monitors: Vec<u32>,
    alerts: Vec<u32>,
    hpas: Vec<u32>,
    other: Vec<u32>,
}

/// All facts of a scan with lookups by namespace and category.
#[derive(Default, Debug)]
pub struct Index {
    pub objects: Vec<ObjectFacts>,
    by_ns: HashMap<Box<str>, Ns>,
    cluster: Vec<u32>,
    backups: Vec<u32>,
    gitops: Vec<u32>,
    bindings: Vec<u32>,
    /// Namespaces from `Namespace` objects and from namespaced objects.
    namespaces: BTreeSet<Box<str>>,
}

impl Index {
    pub fn new(objects: Vec<ObjectFacts>) -> Index {
        let mut ix = Index {
            objects,
            ..Default::default()
        };
        for (i, o) in ix.objects.iter().enumerate() {
            let i = i as u32;
            match &o.detail {
                Detail::BackupSchedule(_) => ix.backups.push(i),
                Detail::GitOps(_) => ix.gitops.push(i),
                Detail::Binding(_) => ix.bindings.push(i),
                _ => {}
            }
            if o.id.kind.as_ref() == "Namespace" {
                ix.namespaces.insert(o.id.name.clone());
            }
            if o.id.namespace.is_none() && crate::k8s::is_cluster_scoped(&o.id.kind) {
                ix.cluster.push(i);
                continue;
            }
            let ns = o.ns();
            if !ix.namespaces.contains(ns) {
                ix.namespaces.insert(ns.into());
            }
            let e = ix.by_ns.entry(ns.into()).or_default();
            match &o.detail {
                Detail::Workload(_) => e.workloads.push(i),
                Detail::NetworkPolicy(_) => e.network_policies.push(i),
                Detail::PodDisruptionBudget(_) => e.pdbs.push(i),
                Detail::Service(_) => e.services.push(i),
                Detail::Monitor(_) => e.monitors.push(i),
                Detail::AlertRules(_) => e.alerts.push(i),
                Detail::Hpa(_) => e.hpas.push(i),
                _ => e.other.push(i),
            }
        }
        ix
    }

    fn get(&self, ids: &[u32]) -> impl Iterator<Item = &ObjectFacts> {
        ids.iter().map(|&i| &self.objects[i as usize])
    }

    fn ns(&self, ns: &str) -> Option<&Ns> {
        self.by_ns.get(ns)
    }

    /// Every namespace the scan mentions.
    pub fn namespaces(&self) -> impl Iterator<Item = &str> {
        self.namespaces.iter().map(|s| &**s)
    }

    pub fn has_namespace_object(&self, ns: &str) -> bool {
        self.objects
            .iter()
            .any(|o| o.id.kind.as_ref() == "Namespace" && o.id.name.as_ref() == ns)
    }

    pub fn namespace_object(&self, ns: &str) -> Option<&ObjectFacts> {
        self.get(&self.cluster)
            .find(|o| o.id.kind.as_ref() == "Namespace" && o.id.name.as_ref() == ns)
    }

    /// Where a finding about a namespace as a whole points: its `Namespace` object when the scan
    /// has one, else its first workload, else its first object (in scan order).
    pub fn namespace_anchor(&self, ns: &str) -> Option<&ObjectFacts> {
        if let Some(o) = self.namespace_object(ns) {
            return Some(o);
        }
        let n = self.ns(ns)?;
        let first = |v: &[u32]| v.iter().min().copied();
        first(&n.workloads)
            .or_else(|| {
                [
                    &n.network_policies,
                    &n.pdbs,
                    &n.services,
                    &n.monitors,
                    &n.alerts,
                    &n.hpas,
                    &n.other,
                ]
                .into_iter()
                .filter_map(|v| first(v))
                .min()
            })
            .map(|i| &self.objects[i as usize])
    }

    /// All workloads with their facts.
    pub fn workloads(&self) -> impl Iterator<Item = (&ObjectFacts, &WorkloadFacts)> {
        self.by_ns
            .values()
            .flat_map(|n| n.workloads.iter())
            .map(|&i| &self.objects[i as usize])
            .filter_map(|o| o.workload().map(|w| (o, w)))
    }

    pub fn workloads_in(&self, ns: &str) -> impl Iterator<Item = (&ObjectFacts, &WorkloadFacts)> {
        self.ns(ns)
            .into_iter()
            .flat_map(|n| n.workloads.iter())
            .map(|&i| &self.objects[i as usize])
            .filter_map(|o| o.workload().map(|w| (o, w)))
    }

    fn in_ns<'s>(
        &'s self,
        ns: &str,
        pick: fn(&Ns) -> &Vec<u32>,
    ) -> impl Iterator<Item = &'s ObjectFacts> + use<'s> {
        self.ns(ns)
            .map(|n| pick(n).as_slice())
            .unwrap_or(&[])
            .iter()
            .map(|&i| &self.objects[i as usize])
    }

    pub fn network_policies_in<'s>(
        &'s self,
        ns: &str,
    ) -> impl Iterator<Item = &'s ObjectFacts> + use<'s> {
        self.in_ns(ns, |n| &n.network_policies)
    }

    pub fn services_in<'s>(&'s self, ns: &str) -> impl Iterator<Item = &'s ObjectFacts> + use<'s> {
        self.in_ns(ns, |n| &n.services)
    }

    pub fn pdbs_in<'s>(&'s self, ns: &str) -> impl Iterator<Item = &'s ObjectFacts> + use<'s> {
        self.in_ns(ns, |n| &n.pdbs)
    }

    pub fn hpas_in<'s>(&'s self, ns: &str) -> impl Iterator<Item = &'s ObjectFacts> + use<'s> {
        self.in_ns(ns, |n| &n.hpas)
    }

    pub fn monitors_in<'s>(&'s self, ns: &str) -> impl Iterator<Item = &'s ObjectFacts> + use<'s> {
        self.in_ns(ns, |n| &n.monitors)
    }

    pub fn alert_rules_in<'s>(
        &'s self,
        ns: &str,
    ) -> impl Iterator<Item = &'s ObjectFacts> + use<'s> {
        self.in_ns(ns, |n| &n.alerts)
    }

    /// Objects of a namespace that are not workloads, policies, services, PDBs, monitors,
    /// alert rules or HPAs.
    pub fn others_in<'s>(&'s self, ns: &str) -> impl Iterator<Item = &'s ObjectFacts> + use<'s> {
        self.in_ns(ns, |n| &n.other)
    }

    /// NetworkPolicies (Kubernetes, Cilium, Calico) that select a workload's pods.
    pub fn network_policies_selecting<'s>(
        &'s self,
        ns: &str,
        pod_labels: &'s Labels,
    ) -> impl Iterator<Item = &'s ObjectFacts> + 's {
        self.network_policies_in(ns)
            .filter(move |p| match &p.detail {
                Detail::NetworkPolicy(np) => np
                    .pod_selector
                    .as_ref()
                    .is_some_and(|s| s.matches(pod_labels)),
                _ => false,
            })
    }

    /// PodDisruptionBudgets whose selector matches a workload's pods.
    pub fn pdbs_covering<'s>(
        &'s self,
        ns: &str,
        pod_labels: &'s Labels,
    ) -> impl Iterator<Item = &'s ObjectFacts> + 's {
        self.pdbs_in(ns).filter(move |p| match &p.detail {
            Detail::PodDisruptionBudget(pdb) => {
                pdb.selector.as_ref().is_some_and(|s| s.matches(pod_labels))
            }
            _ => false,
        })
    }

    /// Services whose selector matches a workload's pods.
    pub fn services_selecting<'s>(
        &'s self,
        ns: &str,
        pod_labels: &'s Labels,
    ) -> impl Iterator<Item = &'s ObjectFacts> + 's {
        self.services_in(ns).filter(move |p| match &p.detail {
            Detail::Service(s) => s.selector.as_ref().is_some_and(|s| s.matches(pod_labels)),
            _ => false,
        })
    }

    /// HPAs that scale a workload.
    pub fn hpas_targeting<'s>(
        &'s self,
        ns: &str,
        kind: &'s str,
        name: &'s str,
    ) -> impl Iterator<Item = &'s ObjectFacts> + 's {
        self.hpas_in(ns).filter(move |p| match &p.detail {
            Detail::Hpa(h) => &*h.target_kind == kind && &*h.target_name == name,
            _ => false,
        })
    }

    /// Backup schedules (Velero, K8up, CloudNativePG) that cover a namespace and label set.
    pub fn backups_covering<'s>(
        &'s self,
        ns: &'s str,
        labels: &'s Labels,
    ) -> impl Iterator<Item = &'s ObjectFacts> + 's {
        self.get(&self.backups).filter(move |b| match &b.detail {
            Detail::BackupSchedule(f) => {
                let in_ns = if b.id.kind.as_ref() == "Schedule"
                    && b.id.api_version.starts_with("velero.io")
                {
                    f.covers_namespace(ns)
                } else {
                    b.ns() == ns
                };
                in_ns && f.label_selector.as_ref().is_none_or(|s| s.matches(labels))
            }
            _ => false,
        })
    }

    pub fn backup_schedules(&self) -> impl Iterator<Item = &ObjectFacts> {
        self.get(&self.backups)
    }

    /// Argo CD Applications, ApplicationSets, Flux Kustomizations and HelmReleases.
    pub fn gitops_objects(&self) -> impl Iterator<Item = &ObjectFacts> {
        self.get(&self.gitops)
    }

    /// RoleBindings and ClusterRoleBindings.
    pub fn bindings(&self) -> impl Iterator<Item = &ObjectFacts> {
        self.get(&self.bindings)
    }

    /// Bindings whose subjects include a ServiceAccount (`ns`, `name`).
    pub fn bindings_of_service_account<'s>(
        &'s self,
        ns: &'s str,
        name: &'s str,
    ) -> impl Iterator<Item = &'s ObjectFacts> + 's {
        self.bindings().filter(move |b| match &b.detail {
            Detail::Binding(bf) => bf.subjects.iter().any(|s| {
                (&*s.kind == "ServiceAccount"
                    && &*s.name == name
                    && s.namespace.as_deref().unwrap_or(b.ns()) == ns)
                    || (&*s.kind == "Group"
                        && (&*s.name == "system:serviceaccounts"
                            || s.name.strip_prefix("system:serviceaccounts:") == Some(ns)))
            }),
            _ => false,
        })
    }

    /// Objects of a given kind (any namespace).
    pub fn of_kind<'s>(&'s self, kind: &'s str) -> impl Iterator<Item = &'s ObjectFacts> + 's {
        self.objects.iter().filter(move |o| &*o.id.kind == kind)
    }

    /// The object with this kind, namespace and name.
    pub fn find(&self, kind: &str, ns: Option<&str>, name: &str) -> Option<&ObjectFacts> {
        self.objects.iter().find(|o| {
            &*o.id.kind == kind && &*o.id.name == name && ns.is_none_or(|ns| o.ns() == ns)
        })
    }
}
