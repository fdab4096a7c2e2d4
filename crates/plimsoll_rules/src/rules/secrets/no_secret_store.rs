use plimsoll_model::Index;

use super::support::{produced_in_scan, secret_stores, uses_store_directly};
use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports, once per scan, workloads that read Secrets (env `secretKeyRef`, `envFrom`,
    /// `secret` or projected volumes) that nothing in the scan produces, when the scan has no
    /// secret store at all: no `ExternalSecret`, `SealedSecret`, `SecretProviderClass`, Vault
    /// operator secret or `SecretStore`, and no workload fed by Vault Agent injection or the
    /// Secrets Store CSI driver. Secrets committed as `Secret` objects (judged by
    /// `plaintext-secret`) and Secrets issued by cert-manager `Certificate`s do not count. The
    /// finding points at the first such reference and counts the others.
    ///
    /// ## Why it matters
    /// The manifests need credentials that Git does not describe: someone creates them by hand
    /// before the first deploy, from a laptop, and they exist nowhere else. They are not
    /// rotated, not audited, and they are what is missing when the cluster has to be rebuilt
    /// after an incident, at the worst possible moment. A secret store (external-secrets with
    /// a cloud secret manager or Vault, or Sealed Secrets) makes every Secret reproducible from
    /// the repository.
    ///
    /// ## How to fix
    /// Declare where each Secret comes from:
    ///
    /// ```yaml
    /// apiVersion: external-secrets.io/v1beta1
    /// kind: ExternalSecret
    /// metadata: {name: db-credentials, namespace: shop}
    /// spec:
    ///   secretStoreRef: {name: aws-secrets-manager, kind: ClusterSecretStore}
    ///   target: {name: db-credentials}
    ///   dataFrom: [{extract: {key: prod/shop/db}}]
    /// ```
    ///
    /// ## Severity
    /// Low: no secret is exposed by the manifests; the risk is operational (rotation, rebuild).
    pub struct NoSecretStore {
        id: "SCR-006",
        name: "no-secret-store",
        gap: Secrets,
        severity: Low,
        target: Target::Index,
        summary: "Workloads read hand-made Secrets and the scan has no secret store",
        peers: [],
    }
}

impl Rule for NoSecretStore {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        if secret_stores(ix).next().is_some() || ix.workloads().any(|(_, w)| uses_store_directly(w))
        {
            return;
        }
        let mut first = None;
        let mut names = std::collections::BTreeSet::new();
        for (o, w) in ix.workloads() {
            for (name, loc) in &w.secret_refs {
                if produced_in_scan(ix, o.ns(), name) {
                    continue;
                }
                names.insert((o.ns(), &**name));
                if first.is_none() {
                    first = Some((o, *loc, name));
                }
            }
        }
        let Some((o, loc, name)) = first else { return };
        let others = names.len() - 1;
        let more = match others {
            0 => String::new(),
            1 => " (and 1 other Secret)".to_string(),
            n => format!(" (and {n} other Secrets)"),
        };
        cx.report(
            o,
            loc,
            format!(
                "{} `{}` reads Secret `{name}`{more}, which nothing in the scan produces and no secret store manages; it is created outside the manifests, by hand or by a tool",
                o.kind(),
                o.id.name
            ),
        );
    }
}
