use plimsoll_formats::compose::{ComposeFile, MountKind};
use plimsoll_model::ImageRef;

use super::support::each_service;
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports Compose services running a database or another stateful store (PostgreSQL,
    /// MySQL, MariaDB, MongoDB, Redis, Elasticsearch, OpenSearch, Cassandra, CouchDB, InfluxDB,
    /// Neo4j, RabbitMQ, ClickHouse, CockroachDB, etcd, ZooKeeper, Kafka, MinIO, recognised by
    /// image) that do not keep their data directory on a named volume or a bind mount.
    ///
    /// ## Why it matters
    /// Without a volume the data lives in the container's writable layer, or in an anonymous
    /// volume the image declares. `docker compose down`, a `--force-recreate`, an image upgrade
    /// or `docker system prune` then starts the database empty: the data is gone, and nothing
    /// about it can be backed up by volume.
    ///
    /// ## How to fix
    /// Keep the data directory on a named volume (and back the volume up):
    ///
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16
    ///     volumes:
    ///       - db-data:/var/lib/postgresql/data
    /// volumes:
    ///   db-data:
    /// ```
    ///
    /// ## Severity
    /// High: the first routine recreate loses the data.
    pub struct DatabaseWithoutVolume {
        id: "CMP-006",
        name: "database-without-named-volume",
        gap: Storage,
        severity: High,
        target: Target::ComposeFiles,
        summary: "Compose database service keeps its data in the container",
        peers: [],
    }
}

/// `(image name, what it is, data directories)`.
const STORES: &[(&str, &str, &[&str])] = &[
    (
        "postgres",
        "PostgreSQL",
        &["/var/lib/postgresql", "/bitnami/postgresql"],
    ),
    ("postgis", "PostgreSQL", &["/var/lib/postgresql"]),
    (
        "timescaledb",
        "PostgreSQL",
        &["/var/lib/postgresql", "/home/postgres/pgdata"],
    ),
    (
        "postgresql",
        "PostgreSQL",
        &["/var/lib/postgresql", "/bitnami/postgresql"],
    ),
    ("mysql", "MySQL", &["/var/lib/mysql", "/bitnami/mysql"]),
    (
        "mariadb",
        "MariaDB",
        &["/var/lib/mysql", "/bitnami/mariadb"],
    ),
    ("mongo", "MongoDB", &["/data/db", "/bitnami/mongodb"]),
    ("mongodb", "MongoDB", &["/data/db", "/bitnami/mongodb"]),
    ("redis", "Redis", &["/data", "/bitnami/redis"]),
    ("valkey", "Valkey", &["/data", "/bitnami/valkey"]),
    (
        "elasticsearch",
        "Elasticsearch",
        &["/usr/share/elasticsearch/data", "/bitnami/elasticsearch"],
    ),
    ("opensearch", "OpenSearch", &["/usr/share/opensearch/data"]),
    (
        "cassandra",
        "Cassandra",
        &["/var/lib/cassandra", "/bitnami/cassandra"],
    ),
    ("couchdb", "CouchDB", &["/opt/couchdb/data"]),
    (
        "influxdb",
        "InfluxDB",
        &["/var/lib/influxdb", "/var/lib/influxdb2"],
    ),
    ("neo4j", "Neo4j", &["/data"]),
    (
        "rabbitmq",
        "RabbitMQ",
        &["/var/lib/rabbitmq", "/bitnami/rabbitmq"],
    ),
    ("clickhouse-server", "ClickHouse", &["/var/lib/clickhouse"]),
    ("cockroach", "CockroachDB", &["/cockroach/cockroach-data"]),
    (
        "etcd",
        "etcd",
        &["/etcd-data", "/var/lib/etcd", "/bitnami/etcd"],
    ),
    (
        "zookeeper",
        "ZooKeeper",
        &["/data", "/datalog", "/bitnami/zookeeper"],
    ),
    (
        "kafka",
        "Kafka",
        &["/var/lib/kafka", "/bitnami/kafka", "/kafka"],
    ),
    ("minio", "MinIO", &["/data"]),
];

fn store(image: &str) -> Option<(&'static str, &'static [&'static str])> {
    let r = ImageRef::parse(image);
    let name = r.repository.rsplit('/').next().unwrap_or(r.repository);
    STORES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, what, dirs)| (*what, *dirs))
}

/// `a` is `b` or one of its parents or children.
fn overlaps(a: &str, b: &str) -> bool {
    let a = a.trim_end_matches('/');
    let b = b.trim_end_matches('/');
    a == b || b.starts_with(&format!("{a}/")) || a.starts_with(&format!("{b}/"))
}

impl Rule for DatabaseWithoutVolume {
    fn check_compose(&self, c: &ComposeFile, cx: &mut Cx<'_>) {
        each_service(c, cx, |s, cx| {
            let Some((image, field)) = s.image() else {
                return;
            };
            let Some((what, dirs)) = store(image) else {
                return;
            };
            let kept = s.mounts().iter().any(|m| {
                matches!(m.kind, MountKind::Volume | MountKind::Bind)
                    && m.target
                        .as_deref()
                        .is_some_and(|t| dirs.iter().any(|d| overlaps(t, d)))
            });
            if kept {
                return;
            }
            cx.report_span(
                field.span,
                format!(
                    "service `{}` runs {what} (`{image}`) without a named volume or bind mount at `{}`: its data is lost when the container is recreated",
                    s.name(),
                    dirs[0]
                ),
            );
        });
    }
}
