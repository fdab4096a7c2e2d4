use std::collections::HashSet;

use plimsoll_model::Index;

use super::support::{produced_in_scan, secret_stores, uses_store_directly};
use crate::declare_rule;
use crate::rule::{IndexCx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// In a scan that uses a secret store (it holds an `ExternalSecret`, `SealedSecret`,
    /// `SecretProviderClass`, Vault operator secret or external-secrets `SecretStore`), reports
    /// workloads that read a Secret (env `secretKeyRef`, `envFrom`, `secret` or projected
    /// volumes) that nothing in the scan produces: no store object targets it, no cert-manager
    /// `Certificate` issues it, and it is not committed as a `Secret` (which
    /// `plaintext-secret` judges). Workloads fed by Vault Agent injection or the Secrets Store
    /// CSI driver count as managed. Scans without any store are reported once by
    /// `no-secret-store` instead, so the same repository is not flagged reference by reference
    /// when nothing in it could have managed the Secret.
    ///
    /// ## Why it matters
    /// Once a team has a secret store, a Secret that bypasses it was created by hand with
    /// `kubectl create secret`: nobody knows who made it or from what, it is not rotated with
    /// the others, it is missing from the next cluster or the disaster-recovery rebuild, and the
    /// workload fails to start there with `secret not found`.
    ///
    /// ## How to fix
    /// Produce the Secret from the store like the others:
    ///
    /// ```yaml
    /// apiVersion: external-secrets.io/v1beta1
    /// kind: ExternalSecret
    /// metadata: {name: payment-api-key, namespace: shop}
    /// spec:
    ///   secretStoreRef: {name: vault, kind: ClusterSecretStore}
    ///   target: {name: payment-api-key}
    ///   data: [{secretKey: key, remoteRef: {key: shop/payment, property: api-key}}]
    /// ```
    ///
    /// ## Severity
    /// Low: the secret itself is not exposed; the risk is an unreproducible, unrotated
    /// credential that breaks a rebuild.
    pub struct UnmanagedSecretReference {
        id: "SCR-005",
        name: "unmanaged-secret-reference",
        gap: Secrets,
        severity: Low,
        target: Target::Index,
        summary: "Workload reads a Secret that no secret store produces",
        peers: [],
    }
}

impl Rule for UnmanagedSecretReference {
    fn check_index(&self, ix: &Index, cx: &mut IndexCx<'_>) {
        if secret_stores(ix).next().is_none() {
            return;
        }
        for (o, w) in ix.workloads() {
            if uses_store_directly(w) {
                continue;
            }
            let mut seen = HashSet::new();
            for (name, loc) in &w.secret_refs {
                if !seen.insert(name) || produced_in_scan(ix, o.ns(), name) {
                    continue;
                }
                cx.report(
                    o,
                    *loc,
                    format!(
                        "{} `{}` reads Secret `{name}`, which no ExternalSecret, SealedSecret or other store object in the scan produces; it is created outside the store, by hand or by a tool",
                        o.kind(),
                        o.id.name
                    ),
                );
            }
        }
    }
}
