//! Workloads: every kind that carries a pod template, and the containers in it.

use plimsoll_yaml::Node;

use crate::k8s::Object;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum WorkloadKind {
    #[default]
    Pod,
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    ReplicationController,
    Job,
    CronJob,
    /// Argo Rollouts `Rollout`.
    Rollout,
    /// OpenShift `DeploymentConfig`.
    DeploymentConfig,
}

impl WorkloadKind {
    pub fn from_kind(kind: &str) -> Option<WorkloadKind> {
        Some(match kind {
            "Pod" => WorkloadKind::Pod,
            "Deployment" => WorkloadKind::Deployment,
            "StatefulSet" => WorkloadKind::StatefulSet,
            "DaemonSet" => WorkloadKind::DaemonSet,
            "ReplicaSet" => WorkloadKind::ReplicaSet,
            "ReplicationController" => WorkloadKind::ReplicationController,
            "Job" => WorkloadKind::Job,
            "CronJob" => WorkloadKind::CronJob,
            "Rollout" => WorkloadKind::Rollout,
            "DeploymentConfig" => WorkloadKind::DeploymentConfig,
            _ => return None,
        })
    }

    /// Long-running and replicated: the kinds where replicas, PDBs and spread matter.
    pub fn is_replicated_service(self) -> bool {
        matches!(
            self,
            WorkloadKind::Deployment
                | WorkloadKind::StatefulSet
                | WorkloadKind::ReplicaSet
                | WorkloadKind::ReplicationController
                | WorkloadKind::Rollout
                | WorkloadKind::DeploymentConfig
        )
    }

    /// Runs to completion.
    pub fn is_batch(self) -> bool {
        matches!(self, WorkloadKind::Job | WorkloadKind::CronJob)
    }
}

/// Where a container sits in the pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Init => "initContainers",
            ContainerKind::Regular => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }
}

/// A workload object with its pod template resolved.
#[derive(Clone, Copy, Debug)]
pub struct Workload<'a> {
    pub object: Object<'a>,
    pub kind: WorkloadKind,
    /// The pod template's `metadata` (the object's own for a Pod).
    pub template_metadata: Option<Node<'a>>,
    /// The pod spec.
    pub pod_spec: Node<'a>,
}

impl<'a> Workload<'a> {
    pub fn from_object(object: Object<'a>) -> Option<Workload<'a>> {
        let kind = WorkloadKind::from_kind(object.kind)?;
        let (template_metadata, pod_spec) = match kind {
            WorkloadKind::Pod => (object.metadata, object.spec()?),
            WorkloadKind::CronJob => {
                let t = object.spec()?.path(&["jobTemplate", "spec", "template"])?;
                (t.get("metadata"), t.get("spec")?)
            }
            _ => {
                let t = object.spec()?.get("template")?;
                (t.get("metadata"), t.get("spec")?)
            }
        };
        if !pod_spec.is_mapping() {
            return None;
        }
        Some(Workload {
            object,
            kind,
            template_metadata,
            pod_spec,
        })
    }

    /// Pod template labels.
    pub fn pod_labels(&self) -> Option<Node<'a>> {
        self.template_metadata?.get("labels")
    }

    pub fn pod_annotations(&self) -> Option<Node<'a>> {
        self.template_metadata?.get("annotations")
    }

    pub fn pod_annotation(&self, key: &str) -> Option<&'a str> {
        self.pod_annotations()?.get_str(key)
    }

    /// `spec.replicas` of the workload, when written.
    pub fn replicas_node(&self) -> Option<Node<'a>> {
        if self.kind.is_replicated_service() {
            self.object.spec()?.get("replicas")
        } else {
            None
        }
    }

    /// Effective replicas: written value, else Kubernetes' default of 1 for replicated kinds.
    pub fn replicas(&self) -> Option<i64> {
        if !self.kind.is_replicated_service() {
            return None;
        }
        Some(self.replicas_node().and_then(|n| n.as_i64()).unwrap_or(1))
    }

    /// The workload's selector (`spec.selector`), when it has one.
    pub fn selector(&self) -> Option<Node<'a>> {
        match self.kind {
            WorkloadKind::Pod | WorkloadKind::CronJob => None,
            _ => self.object.spec()?.get("selector"),
        }
    }

    pub fn service_account(&self) -> &'a str {
        self.pod_spec
            .get_str("serviceAccountName")
            .or_else(|| self.pod_spec.get_str("serviceAccount"))
            .unwrap_or("default")
    }

    pub fn pod_security_context(&self) -> Option<Node<'a>> {
        self.pod_spec.get("securityContext")
    }

    pub fn volumes(&self) -> impl Iterator<Item = Node<'a>> + 'a {
        self.pod_spec
            .get("volumes")
            .into_iter()
            .flat_map(|v| v.items())
    }

    /// All containers: init, regular and ephemeral.
    pub fn containers(&self) -> impl Iterator<Item = Container<'a>> + 'a {
        let spec = self.pod_spec;
        [
            ContainerKind::Init,
            ContainerKind::Regular,
            ContainerKind::Ephemeral,
        ]
        .into_iter()
        .flat_map(move |kind| {
            spec.get(kind.field())
                .into_iter()
                .flat_map(|s| s.items())
                .filter(|n| n.is_mapping())
                .map(move |node| Container {
                    node,
                    kind,
                    pod_spec: spec,
                })
        })
    }

    /// Regular containers only.
    pub fn main_containers(&self) -> impl Iterator<Item = Container<'a>> + 'a {
        self.containers()
            .filter(|c| c.kind == ContainerKind::Regular)
    }

    /// Where a finding about the pod as a whole points.
    pub fn anchor(&self) -> Node<'a> {
        self.object.anchor()
    }
}

/// A container of a pod template.
#[derive(Clone, Copy, Debug)]
pub struct Container<'a> {
    pub node: Node<'a>,
    pub kind: ContainerKind,
    pub pod_spec: Node<'a>,
}

impl<'a> Container<'a> {
    pub fn name(&self) -> &'a str {
        self.node.get_str("name").unwrap_or("")
    }

    pub fn get(&self, key: &str) -> Option<Node<'a>> {
        self.node.get(key)
    }

    pub fn image(&self) -> Option<Node<'a>> {
        self.node.get("image")
    }

    pub fn security_context(&self) -> Option<Node<'a>> {
        self.node.get("securityContext")
    }

    /// A security-context field, from the container or else the pod (`runAsUser`,
    /// `runAsNonRoot`, `seccompProfile`, ... are inherited from the pod level).
    pub fn effective_security(&self, key: &str) -> Option<Node<'a>> {
        self.security_context()
            .and_then(|s| s.get(key))
            .or_else(|| {
                self.pod_spec
                    .get("securityContext")
                    .and_then(|s| s.get(key))
            })
    }

    /// Where findings about something missing in this container point: its `name:` key.
    pub fn anchor(&self) -> Node<'a> {
        self.node.get("name").unwrap_or(self.node)
    }

    pub fn env(&self) -> impl Iterator<Item = Node<'a>> + 'a {
        self.node.get("env").into_iter().flat_map(|e| e.items())
    }

    pub fn ports(&self) -> impl Iterator<Item = Node<'a>> + 'a {
        self.node.get("ports").into_iter().flat_map(|e| e.items())
    }

    pub fn resources(&self) -> Option<Node<'a>> {
        self.node.get("resources")
    }

    /// Capabilities listed under `securityContext.capabilities.<field>` (`add` or `drop`),
    /// normalised: upper case, without the `CAP_` prefix.
    pub fn capabilities(&self, field: &str) -> Vec<(String, Node<'a>)> {
        self.security_context()
            .and_then(|s| s.path(&["capabilities", field]))
            .into_iter()
            .flat_map(|l| l.items())
            .filter_map(|n| {
                let t = n.as_str()?.trim().to_ascii_uppercase();
                let t = t.strip_prefix("CAP_").map(str::to_string).unwrap_or(t);
                Some((t, n))
            })
            .collect()
    }
}
