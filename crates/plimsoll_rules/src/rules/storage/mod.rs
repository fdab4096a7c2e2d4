use plimsoll_model::Object;
use plimsoll_yaml::Node;

use crate::rule::Rule;

mod claim_not_in_scan;
mod claim_without_storage_class;
mod claim_without_storage_request;
mod empty_dir_without_size_limit;
mod host_path_persistent_volume;
mod host_path_volume;
mod read_write_many_claim;
mod statefulset_deletes_claims;
mod statefulset_no_headless_service;
mod storage_class_deletes_volumes;

pub const RULES: &[&dyn Rule] = &[
    &host_path_volume::HostPathVolume,
    &statefulset_no_headless_service::StatefulsetNoHeadlessService,
    &claim_without_storage_request::ClaimWithoutStorageRequest,
    &claim_without_storage_class::ClaimWithoutStorageClass,
    &read_write_many_claim::ReadWriteManyClaim,
    &empty_dir_without_size_limit::EmptyDirWithoutSizeLimit,
    &claim_not_in_scan::ClaimNotInScan,
    &host_path_persistent_volume::HostPathPersistentVolume,
    &statefulset_deletes_claims::StatefulsetDeletesClaims,
    &storage_class_deletes_volumes::StorageClassDeletesVolumes,
];

impl Claim<'_> {
    fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata?.get("annotations")?.get_str(key)
    }
}

/// A claim written in a manifest: a `PersistentVolumeClaim` object or one of a StatefulSet's
/// `volumeClaimTemplates`.
struct Claim<'a> {
    /// How messages name it: "PersistentVolumeClaim `data`" or "claim template `data`".
    what: String,
    /// The claim's `metadata`, when written.
    metadata: Option<Node<'a>>,
    /// The claim's `spec`, when written.
    spec: Option<Node<'a>>,
    /// Where findings about something missing point: `spec`, else the claim's name.
    anchor: Node<'a>,
}

/// The claims an object writes: itself for a core `PersistentVolumeClaim`, its
/// `volumeClaimTemplates` for an `apps` StatefulSet.
fn claims<'a>(o: &Object<'a>) -> Vec<Claim<'a>> {
    match (o.group(), o.kind) {
        ("", "PersistentVolumeClaim") => {
            let spec = o.spec();
            vec![Claim {
                what: format!("PersistentVolumeClaim `{}`", o.name().unwrap_or("")),
                metadata: o.metadata,
                spec,
                anchor: spec.unwrap_or_else(|| o.anchor()),
            }]
        }
        ("apps", "StatefulSet") => o
            .spec()
            .and_then(|s| s.get("volumeClaimTemplates"))
            .into_iter()
            .flat_map(|t| t.items())
            .filter(|t| t.is_mapping())
            .map(|t| {
                let name = t.path(&["metadata", "name"]);
                let spec = t.get("spec");
                Claim {
                    what: format!(
                        "claim template `{}` of StatefulSet `{}`",
                        name.and_then(|n| n.as_str()).unwrap_or(""),
                        o.name().unwrap_or("")
                    ),
                    metadata: t.get("metadata"),
                    spec,
                    anchor: spec.or(name).unwrap_or(t),
                }
            })
            .collect(),
        _ => Vec::new(),
    }
}
