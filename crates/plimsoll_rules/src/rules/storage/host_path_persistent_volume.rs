use plimsoll_model::Object;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports PersistentVolumes backed by `hostPath`.
    ///
    /// ## Why it matters
    /// A `hostPath` PersistentVolume is a directory on whichever node the pod lands on: nothing
    /// pins the pod to the node that holds the data, so a reschedule starts it on an empty
    /// directory elsewhere, and the data is lost with the node. It also lets any workload that
    /// can claim the volume read and write that part of the node's filesystem, around the Pod
    /// Security Standards that forbid `hostPath` in pods. Kubernetes documents it for
    /// single-node testing only.
    ///
    /// ## How to fix
    /// Use a provisioned volume, or a `local` volume pinned to its node:
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: PersistentVolume
    /// metadata: {name: data-node1}
    /// spec:
    ///   capacity: {storage: 100Gi}
    ///   accessModes: [ReadWriteOnce]
    ///   storageClassName: local-ssd
    ///   local: {path: /mnt/disks/ssd1}
    ///   nodeAffinity:
    ///     required:
    ///       nodeSelectorTerms:
    ///         - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [node1]}]
    /// ```
    ///
    /// ## Severity
    /// Medium: data loss on reschedule and a way around the hostPath ban, but it needs a claim
    /// bound to it to do harm.
    pub struct HostPathPersistentVolume {
        id: "STO-008",
        name: "host-path-persistent-volume",
        gap: Storage,
        severity: Medium,
        target: Target::Kinds(&["PersistentVolume"]),
        summary: "PersistentVolume is a directory of a node (`hostPath`)",
        peers: [
            Kyverno: ["other/limit-hostpath-type-pv"],
            Kubescape: ["C-0278"],
        ],
    }
}

impl Rule for HostPathPersistentVolume {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        if o.group() != "" {
            return;
        }
        if let Some(hp) = o.spec().and_then(|s| s.get("hostPath")) {
            cx.report(
                hp,
                format!(
                    "PersistentVolume `{}` is the node directory `{}`; its data stays behind when the pod moves",
                    o.name().unwrap_or(""),
                    hp.get_str("path").unwrap_or("")
                ),
            );
        }
    }
}
