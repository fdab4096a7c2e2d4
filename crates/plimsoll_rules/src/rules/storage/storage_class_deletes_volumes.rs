use plimsoll_model::Object;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports StorageClasses whose `reclaimPolicy` is `Delete`, written or by default, and
    /// PersistentVolumes with `persistentVolumeReclaimPolicy: Delete`.
    ///
    /// ## Why it matters
    /// With `Delete`, the disk behind a volume is destroyed as soon as its claim is deleted. Claims
    /// get deleted for many reasons that are not "we no longer need this data": an uninstall, a
    /// namespace deleted by mistake, a GitOps prune after a rename. With `Retain` the volume
    /// survives as `Released` and can be re-bound; with `Delete` the only way back is a backup.
    ///
    /// ## How to fix
    /// Give data that matters a class that retains its volumes (and clean up released volumes on
    /// purpose):
    ///
    /// ```yaml
    /// apiVersion: storage.k8s.io/v1
    /// kind: StorageClass
    /// metadata: {name: regional-ssd-retain}
    /// provisioner: pd.csi.storage.gke.io
    /// reclaimPolicy: Retain
    /// allowVolumeExpansion: true
    /// ```
    ///
    /// ## Severity
    /// Low: `Delete` is the right policy for scratch and test data, and a backup still protects
    /// the rest; the finding asks which kind of data the class serves.
    pub struct StorageClassDeletesVolumes {
        id: "STO-010",
        name: "storage-class-deletes-volumes",
        gap: Storage,
        severity: Low,
        target: Target::Kinds(&["StorageClass", "PersistentVolume"]),
        summary: "Volumes are destroyed when their claim is deleted (`reclaimPolicy: Delete`)",
        peers: [],
    }
}

impl Rule for StorageClassDeletesVolumes {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        let name = o.name().unwrap_or("");
        match (o.group(), o.kind) {
            ("storage.k8s.io", "StorageClass") => {
                match o.root.get("reclaimPolicy").filter(|p| !p.is_null()) {
                    Some(p) if p.as_str() == Some("Delete") => {
                        cx.report(
                        p,
                        format!("StorageClass `{name}` destroys each volume when its claim is deleted"),
                    );
                    }
                    None => {
                        cx.report(
                        o.anchor(),
                        format!(
                            "StorageClass `{name}` sets no `reclaimPolicy`, so it defaults to `Delete`: each volume is destroyed when its claim is deleted"
                        ),
                    );
                    }
                    _ => {}
                }
            }
            ("", "PersistentVolume") => {
                if let Some(p) = o
                    .spec()
                    .and_then(|s| s.get("persistentVolumeReclaimPolicy"))
                    && p.as_str() == Some("Delete")
                {
                    cx.report(
                        p,
                        format!("PersistentVolume `{name}` is destroyed when its claim is deleted"),
                    );
                }
            }
            _ => {}
        }
    }
}
