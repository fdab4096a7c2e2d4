use plimsoll_model::Object;

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

/// Velero's names for the volume resources.
const VOLUME_RESOURCES: &[&str] = &[
    "persistentvolumeclaims",
    "persistentvolumeclaim",
    "pvc",
    "persistentvolumes",
    "persistentvolume",
    "pv",
];

declare_rule! {
    /// ## What it does
    /// Reports Velero `Schedule`s whose backups leave out the contents of volumes: volume
    /// snapshots turned off (`snapshotVolumes: false`) without file-system backup
    /// (`defaultVolumesToFsBackup: true`), or PersistentVolumeClaims and PersistentVolumes
    /// left out by `includedResources` or `excludedResources`.
    ///
    /// ## Why it matters
    /// Without volume data, a Velero backup holds the manifests of the namespace and nothing
    /// of its state: a restore recreates the database's StatefulSet and an empty disk. The
    /// backups succeed and look complete, so the gap shows only on the day of the restore.
    ///
    /// ## How to fix
    /// Snapshot the volumes, or back their files up with the node agent:
    ///
    /// ```yaml
    /// apiVersion: velero.io/v1
    /// kind: Schedule
    /// spec:
    ///   schedule: "0 2 * * *"
    ///   template:
    ///     includedNamespaces: [shop]
    ///     snapshotVolumes: true          # or:
    ///     defaultVolumesToFsBackup: true
    /// ```
    ///
    /// ## Severity
    /// Medium: the backup exists but cannot restore the data it was meant to protect, unless
    /// volumes are opted in one by one with pod annotations.
    pub struct BackupSkipsVolumeData {
        id: "REC-006",
        name: "backup-skips-volume-data",
        gap: Recovery,
        severity: Medium,
        target: Target::Kinds(&["Schedule"]),
        summary: "Velero Schedule backs up manifests but not volume data",
        peers: [],
    }
}

impl Rule for BackupSkipsVolumeData {
    fn check_object(&self, o: &Object<'_>, cx: &mut Cx<'_>) {
        if o.group() != "velero.io" {
            return;
        }
        let Some(t) = o.spec().and_then(|s| s.get("template")) else {
            return;
        };
        let name = o.name().unwrap_or("");
        let list = |k: &str| -> Vec<String> {
            t.get(k)
                .into_iter()
                .flat_map(|l| l.items())
                .filter_map(|i| i.as_str().map(|s| s.to_ascii_lowercase()))
                .collect()
        };
        let is_volume = |r: &String| {
            let base = r.split('.').next().unwrap_or(r);
            VOLUME_RESOURCES.contains(&base)
        };
        let included = list("includedResources");
        if !included.is_empty() && !included.iter().any(|r| r == "*" || is_volume(r)) {
            if let Some(n) = t.get("includedResources") {
                cx.report(
                    n,
                    format!("`includedResources` of Schedule `{name}` leaves out PersistentVolumeClaims; volume data is not backed up"),
                );
            }
            return;
        }
        if list("excludedResources").iter().any(is_volume) {
            if let Some(n) = t.get("excludedResources") {
                cx.report(
                    n,
                    format!("`excludedResources` of Schedule `{name}` excludes volumes; volume data is not backed up"),
                );
            }
            return;
        }
        let fs_backup = t.get_bool("defaultVolumesToFsBackup") == Some(true)
            || t.get_bool("defaultVolumesToRestic") == Some(true);
        if let Some(s) = t.get("snapshotVolumes")
            && s.as_bool() == Some(false)
            && !fs_backup
        {
            cx.report(
                s,
                format!("Schedule `{name}` takes no volume snapshots and no file-system backup; restores bring back empty volumes"),
            );
        }
    }
}
