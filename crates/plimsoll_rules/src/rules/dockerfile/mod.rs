//! Dockerfile rules: what makes an image unfit for production. Each maps to the hadolint,
//! Checkov and Trivy checks it agrees with (see `docs/dockerfile.md` for the measured
//! agreement with hadolint).

use crate::rule::Rule;

mod add_from_url;
mod add_instead_of_copy;
mod apt_in_dockerfile;
mod apt_install_recommends;
mod base_image_mutable_tag;
mod base_image_without_digest;
mod copy_from_unknown_stage;
mod curl_and_wget;
mod curl_pipe_shell;
mod duplicate_stage_alias;
mod expose_invalid_port;
mod image_runs_as_root;
mod image_without_healthcheck;
mod maintainer_deprecated;
mod package_cache_kept;
mod package_install_interactive;
mod package_update_alone;
mod package_upgrade;
mod package_version_unpinned;
mod pipe_without_pipefail;
mod repeated_cmd_entrypoint;
mod run_cd;
mod secret_in_build_env;
mod shell_form_entrypoint;
mod ssh_port_exposed;
mod sudo_in_image;
pub mod support;
mod tls_verification_disabled;
mod useradd_high_uid;
mod workdir_relative;

pub const RULES: &[&dyn Rule] = &[
    &base_image_mutable_tag::BaseImageMutableTag,
    &base_image_without_digest::BaseImageWithoutDigest,
    &image_runs_as_root::ImageRunsAsRoot,
    &image_without_healthcheck::ImageWithoutHealthcheck,
    &shell_form_entrypoint::ShellFormEntrypoint,
    &add_instead_of_copy::AddInsteadOfCopy,
    &sudo_in_image::SudoInImage,
    &package_version_unpinned::PackageVersionUnpinned,
    &package_cache_kept::PackageCacheKept,
    &package_install_interactive::PackageInstallInteractive,
    &tls_verification_disabled::TlsVerificationDisabled,
    &ssh_port_exposed::SshPortExposed,
    &workdir_relative::WorkdirRelative,
    &copy_from_unknown_stage::CopyFromUnknownStage,
    &maintainer_deprecated::MaintainerDeprecated,
    &pipe_without_pipefail::PipeWithoutPipefail,
    &apt_in_dockerfile::AptInDockerfile,
    &curl_and_wget::CurlAndWget,
    &add_from_url::AddFromUrl,
    &package_update_alone::PackageUpdateAlone,
    &apt_install_recommends::AptInstallRecommends,
    &run_cd::RunCd,
    &duplicate_stage_alias::DuplicateStageAlias,
    &package_upgrade::PackageUpgrade,
    &expose_invalid_port::ExposeInvalidPort,
    &useradd_high_uid::UseraddHighUid,
    &repeated_cmd_entrypoint::RepeatedCmdEntrypoint,
    &curl_pipe_shell::CurlPipeShell,
    &secret_in_build_env::SecretInBuildEnv,
];

#[cfg(test)]
mod tests {
    use plimsoll_formats::dockerfile::parse;
    use plimsoll_model::FileId;
    use plimsoll_yaml::SourceFile;
    use proptest::prelude::*;

    use crate::Engine;

    const PIECES: &[&str] = &[
        "FROM ",
        "RUN ",
        "CMD ",
        "ENV ",
        "ARG ",
        "COPY ",
        "ADD ",
        "ONBUILD ",
        "USER ",
        "<<",
        "EOF",
        "\n",
        "\\\n",
        "`\n",
        " ",
        "\"",
        "'",
        "[\"",
        "\"]",
        "$(",
        ")",
        "|",
        "&&",
        "#",
        "# escape=`\n",
        "=",
        "--from=",
        "AS ",
        "é",
        "\r\n",
        "sh -c",
        "HEALTHCHECK ",
        "NONE",
        "apt-get install ",
        "apk add ",
        "pip install ",
        "curl ",
        "| sh",
        "-y ",
        "EXPOSE ",
        "22",
        "WORKDIR ",
        "0",
        "root",
        "PASSWORD=",
        "useradd -u 1234567 ",
        "${A:-b}",
        "scratch",
        "node",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        /// Whatever the reader makes of a text, every rule runs on it without panicking and
        /// reports inside the text.
        #[test]
        fn rules_never_panic(parts in proptest::collection::vec(0..PIECES.len(), 0..60)) {
            let s: String = parts.iter().map(|&i| PIECES[i]).collect();
            let d = parse(SourceFile::new("Dockerfile", s.clone()));
            let engine = Engine::new(super::RULES.to_vec(), Default::default());
            for f in engine.check_dockerfile(FileId(0), &d) {
                let loc = f.loc.expect("Dockerfile findings have a place");
                prop_assert!(loc.span.end as usize <= s.len());
            }
        }
    }
}
