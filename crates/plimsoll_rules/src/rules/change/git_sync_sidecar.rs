use plimsoll_model::{Container, Workload};

use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

/// Environment variables through which git-sync runs a program of the caller's choosing.
const EXEC_VARS: &[&str] = &[
    "GITSYNC_GIT",
    "GIT_SYNC_GIT",
    "GITSYNC_GIT_CONFIG",
    "GIT_SYNC_GIT_CONFIG",
];

fn is_git_sync(c: &Container<'_>) -> bool {
    c.image().and_then(|i| i.as_str()).is_some_and(|image| {
        let path = image.split(['@']).next().unwrap_or(image);
        let repo = path
            .rsplit_once(':')
            .filter(|(_, t)| !t.contains('/'))
            .map_or(path, |(r, _)| r);
        repo.rsplit('/').next().is_some_and(|n| n == "git-sync")
    })
}

/// The revision git-sync follows is a full commit hash (it then never changes).
fn pinned_to_commit(c: &Container<'_>) -> bool {
    let is_sha = |v: &str| v.len() == 40 && v.bytes().all(|b| b.is_ascii_hexdigit());
    let env_pinned = c.env().any(|e| {
        matches!(
            e.get_str("name"),
            Some("GITSYNC_REF" | "GIT_SYNC_REF" | "GIT_SYNC_REV")
        ) && e.get_str("value").is_some_and(is_sha)
    });
    let arg_pinned = ["args", "command"].iter().any(|k| {
        c.get(k).into_iter().flat_map(|a| a.items()).any(|a| {
            a.as_str().is_some_and(|a| {
                ["--ref=", "--rev=", "-ref=", "-rev="]
                    .iter()
                    .any(|p| a.strip_prefix(p).is_some_and(is_sha))
            })
        })
    });
    env_pinned || arg_pinned
}

declare_rule! {
    /// ## What it does
    /// Reports containers that run `git-sync` to pull a branch or tag into the pod at run time,
    /// and any container that sets `GITSYNC_GIT` or `GITSYNC_GIT_CONFIG`, through which git-sync
    /// runs a program of the caller's choosing. A git-sync pinned to a full commit hash is not
    /// reported unless it sets those variables.
    ///
    /// ## Why it matters
    /// git-sync makes the content of a Git branch part of the running pod: code, DAGs,
    /// dashboards, configuration change in production whenever someone pushes, without a new
    /// image, a reviewed manifest change or a rollout that can be rolled back. Whoever can push
    /// to the branch can change production. Its `GITSYNC_GIT` and `GITSYNC_GIT_CONFIG` settings
    /// let anyone who can edit the pod spec execute commands in it (the 2024 git-sync command
    /// injection research).
    ///
    /// ## How to fix
    /// Ship the content in the image, or pin git-sync to a reviewed commit and drop the
    /// program overrides:
    ///
    /// ```yaml
    /// - name: git-sync
    ///   image: registry.k8s.io/git-sync/git-sync:v4.2.3
    ///   env:
    ///     - {name: GITSYNC_REPO, value: https://git.acme.com/dags.git}
    ///     - {name: GITSYNC_REF, value: 3f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39}
    ///     - {name: GITSYNC_ONE_TIME, value: "true"}
    /// ```
    ///
    /// ## Severity
    /// Medium: it moves change control from reviewed manifests to a Git branch, and in its
    /// worst configuration lets a pod-spec editor run commands.
    pub struct GitSyncSidecar {
        id: "CHG-008",
        name: "git-sync-sidecar",
        gap: Change,
        severity: Medium,
        target: Target::Workloads,
        summary: "Pod pulls code or content from Git at run time (git-sync)",
        peers: [
            Checkov: ["CKV_K8S_159"],
        ],
    }
}

impl Rule for GitSyncSidecar {
    fn check_workload(&self, w: &Workload<'_>, cx: &mut Cx<'_>) {
        for c in w.containers() {
            let exec = c
                .env()
                .find(|e| e.get_str("name").is_some_and(|n| EXEC_VARS.contains(&n)));
            if let Some(e) = exec {
                let var = e.get_str("name").unwrap_or("");
                cx.report_in(
                    &c,
                    e,
                    format!("container `{}` sets `{var}`, which makes git-sync run a program of the caller's choosing", c.name()),
                );
                continue;
            }
            if is_git_sync(&c) && !pinned_to_commit(&c) {
                let at = c.image().unwrap_or(c.anchor());
                cx.report_in(
                    &c,
                    at,
                    format!("container `{}` runs git-sync: the pod's content changes whenever the branch does, without a rollout", c.name()),
                );
            }
        }
    }
}
