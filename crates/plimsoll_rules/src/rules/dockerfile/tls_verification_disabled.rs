use plimsoll_formats::dockerfile::{Dockerfile, Keyword, Word};
use plimsoll_yaml::Span;

use super::support::{at_stage, pm_cmd};
use crate::declare_rule;
use crate::rule::{Cx, Rule, Target};

declare_rule! {
    /// ## What it does
    /// Reports builds and images that switch off TLS certificate or package signature checks:
    /// - in `RUN`: `curl -k`/`--insecure`, `wget --no-check-certificate`, `pip --trusted-host`,
    ///   `apk --allow-untrusted`, `apt-get --allow-unauthenticated`/`--force-yes`/
    ///   `--allow-insecure-repositories`, `rpm`/`yum`/`dnf --nogpgcheck`, `rpm --nosignature`/
    ///   `--nodigest`/`--noverify`/`--nofiledigest`, `npm`/`yarn config set strict-ssl false`,
    ///   `yum`/`dnf config-manager --setopt=...sslverify=0`, `git config http.sslVerify false`
    ///   and `git -c http.sslVerify=false`;
    /// - in `ENV`, `ARG`, and assignments or `export` in `RUN`: `NODE_TLS_REJECT_UNAUTHORIZED=0`,
    ///   `PYTHONHTTPSVERIFY=0`, `NPM_CONFIG_STRICT_SSL=false`, `GIT_SSL_NO_VERIFY`,
    ///   `PIP_TRUSTED_HOST`, `GOINSECURE`.
    ///
    /// ## Why it matters
    /// Without verification anyone on the network path (a proxy, a compromised mirror, a
    /// hostile Wi-Fi on a build laptop) can hand the build different code, which then ships in
    /// the image. Set in `ENV`, it also stays on at run time: the service itself then accepts
    /// any certificate for its own outgoing calls, exposing its credentials and data.
    ///
    /// ## How to fix
    /// Install the CA that signs your proxy or mirror instead of turning checks off:
    ///
    /// ```dockerfile
    /// COPY corp-ca.crt /usr/local/share/ca-certificates/corp-ca.crt
    /// RUN update-ca-certificates
    /// RUN curl -fsSL https://example.com/tool.tar.gz -o /tmp/tool.tar.gz
    /// ```
    ///
    /// ## Severity
    /// High: it opens the build and the running service to interception.
    pub struct TlsVerificationDisabled {
        id: "DKR-011",
        name: "tls-verification-disabled",
        gap: Image,
        severity: High,
        target: Target::Dockerfiles,
        summary: "TLS certificate or package signature verification switched off",
        peers: [
            Checkov: [
                "CKV2_DOCKER_2", "CKV2_DOCKER_3", "CKV2_DOCKER_4", "CKV2_DOCKER_5",
                "CKV2_DOCKER_6", "CKV2_DOCKER_7", "CKV2_DOCKER_8", "CKV2_DOCKER_9",
                "CKV2_DOCKER_10", "CKV2_DOCKER_11", "CKV2_DOCKER_12", "CKV2_DOCKER_13",
                "CKV2_DOCKER_14", "CKV2_DOCKER_15", "CKV2_DOCKER_16", "CKV2_DOCKER_18",
            ],
        ],
    }
}

/// An environment variable that turns verification off with this value, and why.
fn insecure_env(name: &str, value: &str) -> Option<&'static str> {
    let v = value.trim_matches(['"', '\'']).to_ascii_lowercase();
    match name {
        "NODE_TLS_REJECT_UNAUTHORIZED" if v == "0" => {
            Some("makes Node.js accept any TLS certificate")
        }
        "PYTHONHTTPSVERIFY" if v == "0" => Some("makes Python accept any TLS certificate"),
        "NPM_CONFIG_STRICT_SSL" | "npm_config_strict_ssl" if v == "false" => {
            Some("makes npm accept any TLS certificate")
        }
        "GIT_SSL_NO_VERIFY" if !v.is_empty() => Some("makes Git accept any TLS certificate"),
        "PIP_TRUSTED_HOST" if !v.is_empty() => {
            Some("makes pip skip TLS verification for these hosts")
        }
        "GOINSECURE" if !v.is_empty() => {
            Some("makes Go fetch these modules without TLS verification")
        }
        _ => None,
    }
}

fn report(cx: &mut Cx<'_>, d: &Dockerfile, stage: Option<usize>, span: Span, msg: String) {
    at_stage(cx, d, stage);
    cx.report_span(span, msg);
}

fn flag_word<'a>(
    c: &plimsoll_formats::dockerfile::Cmd<'a>,
    short: &[char],
    long: &[&str],
) -> Option<&'a Word> {
    c.flag(short, long)
}

impl Rule for TlsVerificationDisabled {
    fn check_dockerfile(&self, d: &Dockerfile, cx: &mut Cx<'_>) {
        for i in &d.instructions {
            if matches!(i.keyword, Keyword::Env | Keyword::Arg) {
                for p in i.pairs() {
                    let Some(v) = &p.value else { continue };
                    if let Some(why) = insecure_env(&p.key.value, &v.value) {
                        report(
                            cx,
                            d,
                            i.stage,
                            p.key.span,
                            format!("`{} {}={}` {why}", i.keyword.as_str(), p.key.value, v.value),
                        );
                    }
                }
                continue;
            }
            if i.keyword != Keyword::Run {
                continue;
            }
            let Some(script) = i.script() else { continue };
            for sc in &script.commands {
                // FOO=0 cmd, export FOO=0, env FOO=0 cmd
                let assigns = sc.assignments.iter().chain(
                    sc.words
                        .iter()
                        .skip(1)
                        .filter(|_| matches!(sc.name(), Some("export" | "env"))),
                );
                for a in assigns {
                    if let Some((k, v)) = a.value.split_once('=')
                        && let Some(why) = insecure_env(k, v)
                    {
                        report(cx, d, i.stage, a.span, format!("`{}` {why}", a.value));
                    }
                }
                let Some(c) = sc.program() else { continue };
                let hit: Option<(&Word, &str)> = match c.name() {
                    "curl" => flag_word(&c, &['k'], &["insecure"])
                        .map(|w| (w, "turns off certificate verification for `curl`")),
                    "wget" => flag_word(&c, &[], &["no-check-certificate"])
                        .map(|w| (w, "turns off certificate verification for `wget`")),
                    "rpm" => flag_word(
                        &c,
                        &[],
                        &[
                            "nogpgcheck",
                            "nosignature",
                            "nodigest",
                            "noverify",
                            "nofiledigest",
                        ],
                    )
                    .map(|w| (w, "installs RPM packages without checking their signatures")),
                    "git" => c
                        .args()
                        .iter()
                        .find(|a| {
                            a.value
                                .to_ascii_lowercase()
                                .replace(' ', "")
                                .contains("sslverify=false")
                        })
                        .or_else(|| {
                            let args = c.args();
                            args.windows(2)
                                .find(|w| {
                                    w[0].value.eq_ignore_ascii_case("http.sslVerify")
                                        && w[1].value == "false"
                                })
                                .map(|w| &w[0])
                        })
                        .map(|w| (w, "turns off certificate verification for Git")),
                    "npm" | "yarn" => {
                        let a = c.args();
                        a.iter()
                            .position(|w| {
                                w.value.trim_matches(['"', '\'']) == "strict-ssl"
                                    || w.value.starts_with("strict-ssl=")
                            })
                            .filter(|&k| {
                                a.iter().any(|w| w.value == "set")
                                    && (a[k].value.ends_with("=false")
                                        || a.get(k + 1).is_some_and(|n| n.value == "false"))
                            })
                            .map(|k| (&a[k], "makes npm accept any TLS certificate"))
                    }
                    _ => None,
                };
                let hit = hit.or_else(|| {
                    let pm = pm_cmd(c)?;
                    use super::support::Pm;
                    match pm.pm {
                        Pm::Pip => flag_word(&c, &[], &["trusted-host"]).map(|w| (w, "makes pip skip TLS verification")),
                        Pm::Apk => flag_word(&c, &[], &["allow-untrusted"]).map(|w| (w, "installs apk packages without checking their signatures")),
                        Pm::AptGet | Pm::Apt => flag_word(&c, &[], &["allow-unauthenticated", "force-yes", "allow-insecure-repositories"])
                            .map(|w| (w, "installs packages without checking their signatures")),
                        Pm::Yum | Pm::Dnf | Pm::Microdnf => flag_word(&c, &[], &["nogpgcheck"])
                            .map(|w| (w, "installs packages without checking their signatures"))
                            .or_else(|| {
                                c.args()
                                    .iter()
                                    .find(|a| {
                                        let v = a.value.to_ascii_lowercase();
                                        v.contains("sslverify=0") || v.contains("sslverify=false") || v.contains("sslverify=no")
                                    })
                                    .map(|w| (w, "turns off certificate verification for the package repositories"))
                            }),
                        _ => None,
                    }
                });
                if let Some((w, why)) = hit {
                    let shown = if w.value.starts_with('-') {
                        format!("{} {}", c.name(), w.value)
                    } else {
                        format!("{} ... {}", c.name(), w.value)
                    };
                    report(cx, d, i.stage, w.span, format!("`{shown}` {why}"));
                }
            }
        }
    }
}
