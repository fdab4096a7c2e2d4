//! Helpers shared by the Dockerfile rules: stage identity, the commands `RUN` runs, package
//! managers and what they install.

use std::sync::Arc;

use plimsoll_formats::dockerfile::{Cmd, Dockerfile, Instruction, Keyword, Script, Stage, Word};
use plimsoll_model::ObjectId;

use crate::rule::Cx;

/// Findings about a stage name it: `DockerfileStage/<alias or index>`.
pub fn stage_object(d: &Dockerfile, stage: Option<usize>) -> Option<Arc<ObjectId>> {
    let s = d.stages.get(stage?)?;
    Some(Arc::new(ObjectId {
        api_version: "dockerfile".into(),
        kind: "DockerfileStage".into(),
        namespace: None,
        name: s
            .name()
            .map(str::to_string)
            .unwrap_or_else(|| s.index.to_string())
            .into(),
    }))
}

/// Set the object of later reports to the instruction's stage.
pub fn at_stage(cx: &mut Cx<'_>, d: &Dockerfile, stage: Option<usize>) {
    cx.set_object(stage_object(d, stage));
}

/// `RUN` instructions with their scripts (those inside `ONBUILD` too: they run in the builds
/// that use the image).
pub fn runs(d: &Dockerfile) -> impl Iterator<Item = (&Instruction, &Script)> {
    d.instructions
        .iter()
        .filter(|i| i.keyword == Keyword::Run)
        .filter_map(|i| i.script().map(|s| (i, s)))
}

/// Stages whose files end up in the image built by default: the last stage and the stages it
/// is built `FROM`.
pub fn shipped(d: &Dockerfile) -> Vec<usize> {
    d.final_stage()
        .map(|f| d.lineage(f.index).iter().map(|s| s.index).collect())
        .unwrap_or_default()
}

/// `root`, `0`, `root:root`, `0:0`...
pub fn is_root_user(user: &str) -> bool {
    let u = user.split(':').next().unwrap_or("").trim();
    u == "root" || u == "0"
}

/// The last `USER` of a stage or of the stages it is built from.
pub fn effective_user<'a>(d: &'a Dockerfile, stage: &Stage) -> Option<&'a Instruction> {
    d.lineage(stage.index).into_iter().find_map(|s| {
        d.body(s)
            .iter()
            .rev()
            .find(|i| i.keyword == Keyword::User && !i.onbuild)
    })
}

/// `1`, `true`, `on`, `yes` in any case.
pub fn truthy(v: &str) -> bool {
    matches!(
        v.trim_matches(['"', '\'']).to_ascii_lowercase().as_str(),
        "1" | "true" | "on" | "yes"
    )
}

/// A package manager.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pm {
    AptGet,
    Apt,
    Apk,
    Pip,
    Npm,
    Yarn,
    Gem,
    Go,
    Yum,
    Dnf,
    Microdnf,
    Zypper,
}

impl Pm {
    /// How the install command is written in messages (`apt-get install`).
    pub fn install_verb(self) -> &'static str {
        match self {
            Pm::AptGet => "apt-get install",
            Pm::Apt => "apt install",
            Pm::Apk => "apk add",
            Pm::Pip => "pip install",
            Pm::Npm => "npm install",
            Pm::Yarn => "yarn install",
            Pm::Gem => "gem install",
            Pm::Go => "go install",
            Pm::Yum => "yum install",
            Pm::Dnf => "dnf install",
            Pm::Microdnf => "microdnf install",
            Pm::Zypper => "zypper install",
        }
    }
}

/// A package manager command: which one, its subcommand, and the command from the manager's
/// own name on (`python3 -m pip install x` gives the `pip install x` part).
#[derive(Clone, Copy, Debug)]
pub struct PmCmd<'a> {
    pub pm: Pm,
    pub cmd: Cmd<'a>,
    pub sub: Option<&'a Word>,
}

/// Options taking a value, per manager, so that their values are not taken for packages.
fn value_flags(pm: Pm) -> &'static [&'static str] {
    match pm {
        Pm::AptGet | Pm::Apt => &["-o", "-t", "--target-release", "-c", "--config-file"],
        Pm::Apk => &[
            "-t",
            "--virtual",
            "-X",
            "--repository",
            "--root",
            "-p",
            "--arch",
            "--cache-dir",
            "--keys-dir",
        ],
        Pm::Pip => &[
            "-b",
            "--build",
            "-e",
            "--editable",
            "--extra-index-url",
            "-f",
            "--find-links",
            "-i",
            "--index-url",
            "--implementation",
            "--no-binary",
            "--only-binary",
            "--platform",
            "--prefix",
            "--progress-bar",
            "--proxy",
            "--python-version",
            "--root",
            "--src",
            "-t",
            "--target",
            "--trusted-host",
            "--upgrade-strategy",
            "-c",
            "--constraint",
            "-r",
            "--requirement",
            "--abi",
            "--cache-dir",
            "--log",
            "--timeout",
            "--retries",
        ],
        Pm::Npm | Pm::Yarn => &["--prefix", "--registry", "--cache", "-w", "--workspace"],
        Pm::Gem => &[
            "-v",
            "--version",
            "-i",
            "--install-dir",
            "-n",
            "--bindir",
            "-s",
            "--source",
            "-P",
            "--trust-policy",
            "--platform",
        ],
        Pm::Go => &["-o", "-tags", "-ldflags", "-gcflags", "-mod", "-modfile"],
        Pm::Yum | Pm::Dnf | Pm::Microdnf => &[
            "-c",
            "--config",
            "--installroot",
            "--releasever",
            "--setopt",
            "--enablerepo",
            "--disablerepo",
            "-x",
            "--exclude",
        ],
        Pm::Zypper => &["-t", "--type", "-r", "--repo", "--from", "--root"],
    }
}

/// Recognise a package manager command.
pub fn pm_cmd<'a>(cmd: Cmd<'a>) -> Option<PmCmd<'a>> {
    let name = cmd.name();
    let (pm, cmd) = match name {
        "apt-get" => (Pm::AptGet, cmd),
        "apt" => (Pm::Apt, cmd),
        "apk" => (Pm::Apk, cmd),
        "npm" => (Pm::Npm, cmd),
        "yarn" => (Pm::Yarn, cmd),
        "gem" => (Pm::Gem, cmd),
        "go" => (Pm::Go, cmd),
        "yum" => (Pm::Yum, cmd),
        "dnf" | "tdnf" => (Pm::Dnf, cmd),
        "microdnf" => (Pm::Microdnf, cmd),
        "zypper" => (Pm::Zypper, cmd),
        n if is_pip(n) => (Pm::Pip, cmd),
        n if n.starts_with("python") => {
            // python3 -m pip ...
            let w = cmd.words;
            let i = w.iter().position(|x| x.value == "-m")?;
            if !w.get(i + 1).is_some_and(|x| is_pip(&x.value)) {
                return None;
            }
            (Pm::Pip, Cmd { words: &w[i + 1..] })
        }
        _ => return None,
    };
    let sub = if pm == Pm::Zypper {
        // zypper's global options come before the subcommand
        cmd.args().iter().find(|w| !w.value.starts_with('-'))
    } else {
        cmd.subcommand(value_flags(pm))
    };
    Some(PmCmd { pm, cmd, sub })
}

fn is_pip(n: &str) -> bool {
    n == "pip"
        || n.strip_prefix("pip")
            .is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

impl<'a> PmCmd<'a> {
    pub fn sub_is(&self, names: &[&str]) -> bool {
        self.sub.is_some_and(|s| names.contains(&s.value.as_str()))
    }

    /// An install of named packages (`apt-get install`, `apk add`, `pip install`...).
    pub fn is_install(&self) -> bool {
        // a simulation installs nothing (`apt-get install -s pkg`, `dnf install --assumeno`)
        if self.cmd.has_flag(
            &[],
            &[
                "simulate",
                "dry-run",
                "just-print",
                "no-act",
                "recon",
                "assumeno",
                "download-only",
            ],
        ) || (matches!(self.pm, Pm::AptGet | Pm::Apt) && self.cmd.has_flag(&['s', 'd'], &[]))
        {
            return false;
        }
        match self.pm {
            Pm::AptGet | Pm::Apt => self.sub_is(&["install"]),
            Pm::Apk => self.sub_is(&["add"]),
            Pm::Pip => self.sub_is(&["install"]),
            Pm::Npm => self.sub_is(&["install", "i"]),
            Pm::Yarn => self.sub.is_none() || self.sub_is(&["install", "add"]),
            Pm::Gem => self.sub_is(&["install"]),
            Pm::Go => self.sub_is(&["install", "get"]),
            Pm::Yum | Pm::Dnf | Pm::Microdnf => {
                self.sub_is(&["install", "groupinstall", "localinstall"])
            }
            Pm::Zypper => self.sub_is(&["install", "in"]),
        }
    }

    /// The package arguments after the subcommand.
    pub fn packages(&self) -> Vec<&'a Word> {
        let pos = self.cmd.positional(value_flags(self.pm));
        pos.into_iter().skip(1).collect()
    }

    pub fn value_flags(&self) -> &'static [&'static str] {
        value_flags(self.pm)
    }
}

/// Every package manager command of a script.
pub fn pm_cmds(script: &Script) -> impl Iterator<Item = PmCmd<'_>> {
    script.programs().filter_map(pm_cmd)
}

/// `rm` of a path under one of these directories (`rm -rf /var/lib/apt/lists/*`).
pub fn removes(script: &Script, dirs: &[&str]) -> bool {
    script.programs().any(|c| {
        c.name() == "rm"
            && c.args().iter().any(|a| {
                let v = a.value.trim_end_matches('*').trim_end_matches('/');
                dirs.iter().any(|d| {
                    let d = d.trim_end_matches('/');
                    v == d || v.starts_with(&format!("{d}/")) || d.starts_with(&format!("{v}/"))
                })
            })
    })
}

/// A `RUN --mount=type=cache` whose target is under one of these directories.
pub fn cache_mount(run: &Instruction, dirs: &[&str]) -> bool {
    run.flags.iter().any(|f| {
        f.name == "mount"
            && f.value.as_ref().is_some_and(|v| {
                let v = &v.value;
                v.split(',').any(|kv| kv == "type=cache")
                    && v.split(',').any(|kv| {
                        kv.split_once('=').is_some_and(|(k, t)| {
                            matches!(k, "target" | "dst" | "destination")
                                && dirs.iter().any(|d| t.starts_with(d))
                        })
                    })
            })
    })
}

/// Line of a span, for messages.
pub fn line_of(d: &Dockerfile, span: plimsoll_yaml::Span) -> u32 {
    d.source.line_col(span.start).line
}

/// The image a stage starts from, for messages: `node` or `${BASE}` (`node` by default).
pub fn image_label(s: &Stage) -> String {
    match &s.resolved {
        Some(r) if *r != s.image.value => format!("`{}` (`{r}` by default)", s.image.value),
        _ => format!("`{}`", s.image.value),
    }
}
