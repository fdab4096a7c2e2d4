//! The cross-object index: answers "which X applies to this Y" over the facts of a whole scan.

use std::collections::{BTreeSet, HashMap};

use crate::facts::{Detail, ObjectFacts, WorkloadFacts};
use crate::selector::{LabelSelector, Labels, Operator};

/// label key -> label value -> ids
type Postings = HashMap<Box<str>, HashMap<Box<str>, Vec<u32>>>;

fn post(p: &mut Postings, k: &str, v: &str, id: u32) {
    p.entry(k.into())
        .or_default()
        .entry(v.into())
        .or_default()
        .push(id);
}

fn postings<'p>(p: &'p Postings, k: &str, v: &str) -> &'p [u32] {
    p.get(k)
        .and_then(|m| m.get(v))
        .map(|v| v.as_slice())
        .unwrap_or(&[])
}

/// The single-valued equality requirement a selector can be indexed under.
fn equality(sel: &LabelSelector) -> Option<(&str, &str)> {
    sel.requirements
        .iter()
        .find(|r| r.op == Operator::In && r.values.len() == 1)
        .map(|r| (&*r.key, &*r.values[0]))
}

/// Selectors of one category in one namespace, indexed by one of their equality requirements,
/// so "which selectors match these labels" only verifies candidates that share a label.
#[derive(Default, Debug)]
struct Selectors {
    by_pair: Postings,
    /// Selectors with no single-valued equality requirement (empty ones included).
    unindexed: Vec<u32>,
}

impl Selectors {
    fn add(&mut self, id: u32, sel: Option<&LabelSelector>) {
        match sel.and_then(equality) {
            Some((k, v)) => post(&mut self.by_pair, k, v, id),
            None => self.unindexed.push(id),
        }
    }

    /// Candidate ids for a label set; each selector appears at most once.
    fn candidates(&self, labels: &Labels) -> Vec<u32> {
        let mut out = self.unindexed.clone();
        for (k, v) in labels.iter() {
            out.extend_from_slice(postings(&self.by_pair, k, v));
        }
        out
    }
}

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
    /// Workloads by pod label.
    pod_labels: Postings,
    service_selectors: Selectors,
    policy_selectors: Selectors,
    pdb_selectors: Selectors,
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
    /// kind -> ids
    by_kind: HashMap<Box<str>, Vec<u32>>,
    /// ServiceMonitors/PodMonitors by the namespace they watch; `monitors_any` watch all.
    monitors_watching: HashMap<Box<str>, Vec<u32>>,
    monitors_any: Vec<u32>,
    /// Bindings by ServiceAccount subject (`ns/name`), by `system:serviceaccounts:<ns>` group,
    /// and to every ServiceAccount (`system:serviceaccounts`).
    sa_bindings: HashMap<Box<str>, Vec<u32>>,
    ns_group_bindings: HashMap<Box<str>, Vec<u32>>,
    all_sa_bindings: Vec<u32>,
    /// `kind/namespace/name` -> id (first object with that identity).
    by_key: HashMap<Box<str>, u32>,
    /// The repository's declarations (`readiness.yaml`): from the first `Readiness` document
    /// among the facts, or set after construction by whoever read the file.
    pub declarations: Option<crate::declarations::Declarations>,
    /// Restore drills that ran (`plimsoll drill ... --evidence`), set after construction.
    pub drills: Vec<crate::evidence::DrillEvidence>,
    /// Whether the scan looked for drill evidence at all (`--evidence` or `.plimsoll/evidence`).
    pub evidence_searched: bool,
    /// "Now" for staleness, seconds since the epoch (set by the caller; tests pin it).
    pub now_unix: i64,
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
            ix.by_kind.entry(o.id.kind.clone()).or_default().push(i);
            ix.by_key
                .entry(format!("{}/{}/{}", o.id.kind, o.ns(), o.id.name).into())
                .or_insert(i);
            if let Detail::Binding(bf) = &o.detail {
                for sub in &bf.subjects {
                    match &*sub.kind {
                        "ServiceAccount" => {
                            let ns = sub.namespace.as_deref().unwrap_or(o.ns());
                            ix.sa_bindings
                                .entry(format!("{ns}/{}", sub.name).into())
                                .or_default()
                                .push(i);
                        }
                        "Group" if &*sub.name == "system:serviceaccounts" => {
                            ix.all_sa_bindings.push(i)
                        }
                        "Group" => {
                            if let Some(ns) = sub.name.strip_prefix("system:serviceaccounts:") {
                                ix.ns_group_bindings.entry(ns.into()).or_default().push(i);
                            }
                        }
                        _ => {}
                    }
                }
            }
            if o.id.kind.as_ref() == "Namespace" {
                ix.namespaces.insert(o.id.name.clone());
            }
            if let Detail::Monitor(m) = &o.detail {
                match &m.namespaces {
                    None => ix
                        .monitors_watching
                        .entry(o.ns().into())
                        .or_default()
                        .push(i),
                    Some(list) if list.is_empty() => ix.monitors_any.push(i),
                    Some(list) => {
                        for n in list {
                            ix.monitors_watching.entry(n.clone()).or_default().push(i);
                        }
                    }
                }
            }
            // declarations belong to no namespace
            if let Detail::Readiness(d) = &o.detail {
                if ix.declarations.is_none() {
                    let mut d = (**d).clone();
                    d.object = Some(o.id.clone());
                    ix.declarations = Some(d);
                }
                continue;
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
                Detail::Workload(w) => {
                    e.workloads.push(i);
                    for (k, v) in w.pod_labels.iter() {
                        post(&mut e.pod_labels, k, v, i);
                    }
                }
                Detail::NetworkPolicy(np) => {
                    e.network_policies.push(i);
                    if let Some(sel) = &np.pod_selector {
                        e.policy_selectors.add(i, Some(sel));
                    }
                }
                Detail::PodDisruptionBudget(pdb) => {
                    e.pdbs.push(i);
                    if let Some(sel) = &pdb.selector {
                        e.pdb_selectors.add(i, Some(sel));
                    }
                }
                Detail::Service(svc) => {
                    e.services.push(i);
                    if let Some(sel) = &svc.selector {
                        e.service_selectors.add(i, Some(sel));
                    }
                }
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
        self.of_kind("Namespace").any(|o| o.id.name.as_ref() == ns)
    }

    pub fn namespace_object(&self, ns: &str) -> Option<&ObjectFacts> {
        self.of_kind("Namespace").find(|o| o.id.name.as_ref() == ns)
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
    /// Every workload, in a stable order: namespaces by name, then scan order.
    pub fn workloads(&self) -> impl Iterator<Item = (&ObjectFacts, &WorkloadFacts)> {
        self.namespaces().flat_map(|ns| self.workloads_in(ns))
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

    fn selecting<'s>(
        &'s self,
        ns: &str,
        pod_labels: &'s Labels,
        pick: fn(&Ns) -> &Selectors,
        selector: fn(&ObjectFacts) -> Option<&LabelSelector>,
    ) -> impl Iterator<Item = &'s ObjectFacts> + 's {
        let ids = self
            .ns(ns)
            .map(|n| pick(n).candidates(pod_labels))
            .unwrap_or_default();
        ids.into_iter()
            .map(|i| &self.objects[i as usize])
            .filter(move |o| selector(o).is_some_and(|s| s.matches(pod_labels)))
    }

    /// NetworkPolicies (Kubernetes, Cilium, Calico) that select a workload's pods.
    pub fn network_policies_selecting<'s>(
        &'s self,
        ns: &str,
        pod_labels: &'s Labels,
    ) -> impl Iterator<Item = &'s ObjectFacts> + 's {
        self.selecting(
            ns,
            pod_labels,
            |n| &n.policy_selectors,
            |o| match &o.detail {
                Detail::NetworkPolicy(np) => np.pod_selector.as_ref(),
                _ => None,
            },
        )
    }

    /// PodDisruptionBudgets whose selector matches a workload's pods.
    pub fn pdbs_covering<'s>(
        &'s self,
        ns: &str,
        pod_labels: &'s Labels,
    ) -> impl Iterator<Item = &'s ObjectFacts> + 's {
        self.selecting(
            ns,
            pod_labels,
            |n| &n.pdb_selectors,
            |o| match &o.detail {
                Detail::PodDisruptionBudget(p) => p.selector.as_ref(),
                _ => None,
            },
        )
    }

    /// Services whose selector matches a workload's pods.
    pub fn services_selecting<'s>(
        &'s self,
        ns: &str,
        pod_labels: &'s Labels,
    ) -> impl Iterator<Item = &'s ObjectFacts> + 's {
        self.selecting(
            ns,
            pod_labels,
            |n| &n.service_selectors,
            |o| match &o.detail {
                Detail::Service(s) => s.selector.as_ref(),
                _ => None,
            },
        )
    }

    /// Workloads of a namespace whose pods a selector selects. Candidates come from the
    /// shortest posting list of the selector's equality requirements, so the cost follows the
    /// matches, not the namespace.
    pub fn workloads_selected_by<'s>(
        &'s self,
        ns: &str,
        sel: &'s LabelSelector,
    ) -> impl Iterator<Item = (&'s ObjectFacts, &'s WorkloadFacts)> + 's {
        let ids: &[u32] = match self.ns(ns) {
            None => &[],
            Some(n) => sel
                .requirements
                .iter()
                .filter(|r| r.op == Operator::In && r.values.len() == 1)
                .map(|r| postings(&n.pod_labels, &r.key, &r.values[0]))
                .min_by_key(|l| l.len())
                .unwrap_or(&n.workloads),
        };
        ids.iter()
            .map(|&i| &self.objects[i as usize])
            .filter_map(|o| o.workload().map(|w| (o, w)))
            .filter(move |(_, w)| sel.matches(&w.pod_labels))
    }

    /// ServiceMonitors and PodMonitors that look for targets in a namespace.
    pub fn monitors_watching<'s>(
        &'s self,
        ns: &str,
    ) -> impl Iterator<Item = &'s ObjectFacts> + use<'s> {
        let own = self
            .monitors_watching
            .get(ns)
            .map(|v| v.as_slice())
            .unwrap_or(&[]);
        own.iter()
            .chain(self.monitors_any.iter())
            .map(|&i| &self.objects[i as usize])
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
        let direct = self
            .sa_bindings
            .get(format!("{ns}/{name}").as_str())
            .map(|v| v.as_slice())
            .unwrap_or(&[]);
        let group = self
            .ns_group_bindings
            .get(ns)
            .map(|v| v.as_slice())
            .unwrap_or(&[]);
        let mut ids: Vec<u32> = direct
            .iter()
            .chain(group)
            .chain(&self.all_sa_bindings)
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter().map(|i| &self.objects[i as usize])
    }

    /// Objects of a given kind (any namespace).
    pub fn of_kind<'s>(&'s self, kind: &str) -> impl Iterator<Item = &'s ObjectFacts> + use<'s> {
        self.by_kind
            .get(kind)
            .map(|v| v.as_slice())
            .unwrap_or(&[])
            .iter()
            .map(|&i| &self.objects[i as usize])
    }

    /// The object with this kind, namespace and name.
    pub fn find(&self, kind: &str, ns: Option<&str>, name: &str) -> Option<&ObjectFacts> {
        if let Some(ns) = ns {
            return self
                .by_key
                .get(format!("{kind}/{ns}/{name}").as_str())
                .map(|&i| &self.objects[i as usize]);
        }
        self.of_kind(kind).find(|o| {
            &*o.id.kind == kind && &*o.id.name == name && ns.is_none_or(|ns| o.ns() == ns)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::*;
    use crate::diag::{Loc, ObjectId};
    use crate::facts::{NetworkPolicyFacts, ServiceFacts};
    use crate::selector::Requirement;
    use crate::workload::WorkloadKind;

    fn obj(kind: &str, name: String, detail: Detail) -> ObjectFacts {
        ObjectFacts {
            id: Arc::new(ObjectId {
                api_version: "v1".into(),
                kind: kind.into(),
                namespace: Some("ns".into()),
                name: name.into(),
            }),
            loc: Loc::default(),
            labels: Labels::default(),
            annotations: Labels::default(),
            detail,
        }
    }

    fn workload(i: usize, labels: &[(String, String)]) -> ObjectFacts {
        obj(
            "Deployment",
            format!("w{i}"),
            Detail::Workload(WorkloadFacts {
                kind: WorkloadKind::Deployment,
                pod_labels: Labels::from_pairs(
                    labels.iter().map(|(a, b)| (a.as_str(), b.as_str())),
                ),
                pod_annotations: Labels::default(),
                replicas: Some(1),
                replicas_loc: None,
                service_account: "default".into(),
                service_account_loc: None,
                claims: vec![],
                claim_templates: false,
                ports: vec![],
                container_names: vec![],
                ..Default::default()
            }),
        )
    }

    fn arb_selector() -> impl Strategy<Value = LabelSelector> {
        let req = ("[ab]", 0..4usize, proptest::collection::vec("[xy]", 0..3)).prop_map(
            |(k, op, vals)| Requirement {
                key: k.as_str().into(),
                op: [
                    Operator::In,
                    Operator::NotIn,
                    Operator::Exists,
                    Operator::DoesNotExist,
                ][op],
                values: vals.iter().map(|v| v.as_str().into()).collect(),
            },
        );
        proptest::collection::vec(req, 0..3).prop_map(|requirements| LabelSelector { requirements })
    }

    fn arb_labels() -> impl Strategy<Value = Vec<(String, String)>> {
        proptest::collection::vec(("[abc]", "[xyz]"), 0..3)
    }

    proptest! {
        /// The indexed lookups give exactly what brute-force matching gives, both ways.
        #[test]
        fn indexed_selection_equals_brute_force(
            pods in proptest::collection::vec(arb_labels(), 0..6),
            sels in proptest::collection::vec(arb_selector(), 0..6),
        ) {
            let mut objects: Vec<ObjectFacts> = pods.iter().enumerate().map(|(i, l)| workload(i, l)).collect();
            for (i, s) in sels.iter().enumerate() {
                objects.push(obj("Service", format!("s{i}"), Detail::Service(ServiceFacts {
                    selector: Some(s.clone()), selector_loc: None, service_type: "ClusterIP".into(), ports: vec![], ..Default::default()
                })));
                objects.push(obj("NetworkPolicy", format!("p{i}"), Detail::NetworkPolicy(NetworkPolicyFacts {
                    pod_selector: Some(s.clone()), ingress: true, egress: false, default_deny_ingress: false, default_deny_egress: false, ..Default::default()
                })));
            }
            let ix = Index::new(objects);
            for (o, w) in ix.workloads() {
                let mut got: Vec<&str> = ix.services_selecting("ns", &w.pod_labels).map(|s| &*s.id.name).collect();
                got.sort();
                let mut want: Vec<String> = sels.iter().enumerate().filter(|(_, s)| s.matches(&w.pod_labels)).map(|(i, _)| format!("s{i}")).collect();
                want.sort();
                prop_assert_eq!(got, want.iter().map(|s| s.as_str()).collect::<Vec<_>>(), "{}", o.id.name);
                let np = ix.network_policies_selecting("ns", &w.pod_labels).count();
                prop_assert_eq!(np, sels.iter().filter(|s| s.matches(&w.pod_labels)).count());
            }
            for s in &sels {
                let mut got: Vec<&str> = ix.workloads_selected_by("ns", s).map(|(o, _)| &*o.id.name).collect();
                got.sort();
                let mut want: Vec<String> = pods.iter().enumerate().filter(|(_, l)| s.matches(&Labels::from_pairs(l.iter().map(|(a, b)| (a.as_str(), b.as_str()))))).map(|(i, _)| format!("w{i}")).collect();
                want.sort();
                prop_assert_eq!(got, want.iter().map(|s| s.as_str()).collect::<Vec<_>>());
            }
        }
    }
}
