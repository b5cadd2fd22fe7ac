//! The Lambda's deployment package: `bootstrap` cross-built for arm64 (provided.al2023) and
//! zipped reproducibly.
//!
//! The toolchain comes from the registries and is installed here on first use: cargo-lambda
//! and zig (PyPI, pinned in core/build-requirements.txt) in target/venv-lambda, and the
//! rustup target. The binary is built with the size-tuned `[profile.lambda]` of the root
//! Cargo.toml, checked to need no glibc newer than AL2023's, and zipped by us (not by
//! cargo-lambda) with a fixed timestamp and mode, so unchanged sources give the same bytes.

use std::fs;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, ensure, Context, Result};
use sha2::{Digest, Sha256};
use xshell::{cmd, Cmd, Shell};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::{root, step};

/// The package and binary that make the function.
const PACKAGE: &str = "fsx-drt-core";
/// The deployment package, named for the function it deploys.
const ZIP: &str = "fsx-drt-lambda.zip";
const BIN: &str = "bootstrap";
/// Lambda's arm64 architecture.
const TARGET: &str = "aarch64-unknown-linux-gnu";
/// The size-tuned profile in the root Cargo.toml.
const PROFILE: &str = "lambda";
/// Amazon Linux 2023 (runtime provided.al2023) ships glibc 2.34.
const MAX_GLIBC: (u32, u32) = (2, 34);
/// The zip's one entry gets this mode, so Lambda may execute it.
const MODE: u32 = 0o755;
/// Issue 3's budget for the zip: 3 MiB (it ships inside the fsx-drt binary and is cold-started).
const MAX_ZIP: usize = 3 * 1024 * 1024;

/// Builds the Lambda's deployment package and returns the zip's absolute path.
///
/// Progress goes to stderr; nothing is printed to stdout.
pub fn build_lambda(sh: &Shell) -> Result<PathBuf> {
    let target_dir = crate::target_dir();
    let venv = ensure_toolchain(sh, &target_dir)?;
    ensure_rust_target(sh)?;

    step(&format!(
        "cargo lambda build --profile {PROFILE} --arm64 (package {PACKAGE}, bin {BIN})"
    ));
    let lambda_dir = target_dir.join("lambda");
    let bin_dir = venv.join("bin");
    // cargo-lambda finds zig as `python3 -m ziglang`: the venv's python3 must come first.
    let path = std::env::join_paths(std::iter::once(bin_dir.clone()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))?;
    let cargo_lambda = bin_dir.join("cargo-lambda");
    run_to_stderr(
        cmd!(
            sh,
            "{cargo_lambda} lambda build --profile {PROFILE} --arm64 --package {PACKAGE} --bin {BIN} --locked --lambda-dir {lambda_dir}"
        )
        .env("PATH", path),
    )
    .context("cargo lambda build failed")?;
    let bootstrap = lambda_dir.join(BIN).join(BIN);
    ensure!(
        bootstrap.is_file(),
        "cargo lambda build did not leave {}",
        bootstrap.display()
    );
    let binary =
        fs::read(&bootstrap).with_context(|| format!("reading {}", bootstrap.display()))?;
    eprintln!("binary: {} ({} bytes)", bootstrap.display(), binary.len());

    step(&format!(
        "glibc check: AL2023 has glibc {}.{}",
        MAX_GLIBC.0, MAX_GLIBC.1
    ));
    check_elf(sh, &bootstrap)?;

    step("zip (deterministic: one entry, fixed time and mode, deflate)");
    let zip = lambda_dir.join(ZIP);
    let bytes = zip_bootstrap(&binary)?;
    let partial = zip.with_extension("zip.partial");
    fs::write(&partial, &bytes).with_context(|| format!("writing {}", partial.display()))?;
    fs::rename(&partial, &zip).with_context(|| format!("writing {}", zip.display()))?;
    eprintln!("zip: {}", zip.display());
    eprintln!("size: {} bytes", bytes.len());
    eprintln!("sha256: {}", hex(&Sha256::digest(&bytes)));
    within_budget(bytes.len())?;
    Ok(zip)
}

/// Fails when the zip is over [`MAX_ZIP`], saying by how much.
fn within_budget(size: usize) -> Result<()> {
    ensure!(
        size <= MAX_ZIP,
        "the zip is {size} bytes, {} over the 3 MiB budget ({MAX_ZIP} bytes): find what grew with \
         `nm --size-sort` on a build with CARGO_PROFILE_LAMBDA_STRIP=false (README, The Lambda)",
        size - MAX_ZIP
    );
    Ok(())
}

/// target/venv-lambda with cargo-lambda and zig (core/build-requirements.txt).
fn ensure_toolchain(sh: &Shell, target_dir: &Path) -> Result<PathBuf> {
    let venv = target_dir.join("venv-lambda");
    let requirements = root().join("core/build-requirements.txt");
    crate::venv::ensure(sh, &venv, &requirements, "cargo-lambda and zig")?;
    Ok(venv)
}

fn ensure_rust_target(sh: &Shell) -> Result<()> {
    let installed = cmd!(sh, "rustup target list --installed")
        .quiet()
        .read()
        .context("rustup is needed to add the aarch64 target")?;
    if installed.lines().any(|line| line.trim() == TARGET) {
        return Ok(());
    }
    step(&format!("rustup target add {TARGET}"));
    run_to_stderr(cmd!(sh, "rustup target add {TARGET}"))
}

/// Fails unless `bootstrap` is an AArch64 ELF that needs no glibc symbol version newer than
/// AL2023's. Prints the newest one it needs (or that it is static).
fn check_elf(sh: &Shell, bootstrap: &Path) -> Result<()> {
    ensure_readelf(sh)?;
    let header = cmd!(sh, "readelf --file-header --wide {bootstrap}")
        .quiet()
        .read()?;
    ensure!(
        header
            .lines()
            .any(|l| l.trim_start().starts_with("Machine:") && l.contains("AArch64")),
        "{} is not an AArch64 executable:\n{header}",
        bootstrap.display()
    );
    let versions = cmd!(sh, "readelf --version-info --wide {bootstrap}")
        .quiet()
        .read()?;
    let dynamic = cmd!(sh, "readelf --dynamic --wide {bootstrap}")
        .quiet()
        .read()?;
    if !dynamic.contains("(NEEDED)") {
        eprintln!("glibc: none required (statically linked)");
        return Ok(());
    }
    let Some((newest, symbols)) = newest_glibc(&versions) else {
        bail!(
            "{} is dynamically linked but readelf shows no GLIBC_x.y version it needs; \
             cannot tell whether it runs on AL2023",
            bootstrap.display()
        );
    };
    eprintln!(
        "glibc: needs at most GLIBC_{}.{}{} (AL2023 has {}.{}); {} versions referenced",
        newest.0,
        newest.1,
        if newest.2 > 0 {
            format!(".{}", newest.2)
        } else {
            String::new()
        },
        MAX_GLIBC.0,
        MAX_GLIBC.1,
        symbols
    );
    if (newest.0, newest.1) > MAX_GLIBC {
        bail!(
            "{} needs GLIBC_{}.{} but AWS Lambda's provided.al2023 has glibc {}.{}: it would fail \
             to start there. Build against an older glibc (cargo-lambda/zig target \
             {TARGET}.2.34) or link statically",
            bootstrap.display(),
            newest.0,
            newest.1,
            MAX_GLIBC.0,
            MAX_GLIBC.1
        );
    }
    Ok(())
}

/// The newest `GLIBC_x.y[.z]` the binary needs, from the "Version needs" section of
/// `readelf --version-info` output, and how many distinct ones it needs. Version definitions
/// (what a library provides) and `GLIBC_PRIVATE` do not count.
fn newest_glibc(readelf: &str) -> Option<((u32, u32, u32), usize)> {
    let mut in_needs = false;
    let mut seen: Vec<(u32, u32, u32)> = Vec::new();
    for line in readelf.lines() {
        let line = line.trim();
        if line.starts_with("Version ") && line.contains(" section ") {
            in_needs = line.starts_with("Version needs section");
            continue;
        }
        if !in_needs {
            continue;
        }
        let versions = line
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .filter_map(|word| word.strip_prefix("GLIBC_"))
            .filter_map(parse_version);
        seen.extend(versions);
    }
    seen.sort_unstable();
    seen.dedup();
    Some((*seen.last()?, seen.len()))
}

/// `2.17` -> (2, 17, 0), `2.3.4` -> (2, 3, 4); anything else (e.g. `PRIVATE`) -> None.
fn parse_version(version: &str) -> Option<(u32, u32, u32)> {
    let mut parts = version.split('.').map(str::parse::<u32>);
    let major = parts.next()?.ok()?;
    let minor = parts.next()?.ok()?;
    let patch = match parts.next() {
        Some(p) => p.ok()?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    Some((major, minor, patch))
}

/// readelf (generic binutils reads any ELF). Installs Debian's binutils when it is missing and
/// we are root; otherwise says what to install.
fn ensure_readelf(sh: &Shell) -> Result<()> {
    let works = |sh: &Shell| {
        cmd!(sh, "readelf --version")
            .quiet()
            .ignore_stdout()
            .ignore_stderr()
            .run()
            .is_ok()
    };
    if works(sh) {
        return Ok(());
    }
    let root_user = cmd!(sh, "id -u")
        .quiet()
        .read()
        .is_ok_and(|uid| uid.trim() == "0");
    ensure!(
        root_user,
        "readelf is missing: install binutils (e.g. `apt-get install binutils`) to check the \
         Lambda's glibc needs"
    );
    step("readelf is missing: apt-get install -y binutils");
    if run_to_stderr(cmd!(
        sh,
        "apt-get install -y --no-install-recommends binutils"
    ))
    .is_err()
    {
        run_to_stderr(cmd!(sh, "apt-get update"))?;
        run_to_stderr(cmd!(
            sh,
            "apt-get install -y --no-install-recommends binutils"
        ))?;
    }
    ensure!(
        works(sh),
        "readelf still does not run after installing binutils"
    );
    Ok(())
}

/// A zip holding only `bootstrap` (mode 0755, 1980-01-01 00:00, deflated): the same binary
/// gives the same bytes.
fn zip_bootstrap(binary: &[u8]) -> Result<Vec<u8>> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9))
        .last_modified_time(DateTime::from_date_and_time(1980, 1, 1, 0, 0, 0)?)
        .unix_permissions(MODE)
        .large_file(false);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file(BIN, options)?;
    zip.write_all(binary)?;
    Ok(zip.finish()?.into_inner())
}

/// Runs `core/tests/runtime.rs` against the arm64 `bootstrap` inside `zip`, under
/// qemu-user with Debian's arm64 glibc (installed when missing and we are root): the artifact
/// itself answers a scheduled event.
pub fn test_arm64(sh: &Shell, zip: &Path) -> Result<()> {
    step("the arm64 artifact under qemu-user (core/tests/runtime.rs)");
    let sysroot = Path::new("/usr/aarch64-linux-gnu");
    let ready = |sh: &Shell| {
        sysroot.join("lib/ld-linux-aarch64.so.1").exists()
            && cmd!(sh, "qemu-aarch64 --version")
                .quiet()
                .ignore_stdout()
                .ignore_stderr()
                .run()
                .is_ok()
    };
    if !ready(sh) {
        let packages = ["qemu-user", "libc6-arm64-cross"];
        step("apt-get install -y qemu-user libc6-arm64-cross");
        if run_to_stderr(cmd!(
            sh,
            "apt-get install -y --no-install-recommends {packages...}"
        ))
        .is_err()
        {
            run_to_stderr(cmd!(sh, "apt-get update"))?;
            run_to_stderr(cmd!(
                sh,
                "apt-get install -y --no-install-recommends {packages...}"
            ))?;
        }
        ensure!(
            ready(sh),
            "qemu-aarch64 or the arm64 glibc is still missing"
        );
    }
    let mut archive = zip::ZipArchive::new(fs::File::open(zip)?)?;
    let mut entry = archive.by_name(BIN).context("the zip has no bootstrap")?;
    let mut binary = Vec::new();
    std::io::Read::read_to_end(&mut entry, &mut binary)?;
    let dir = crate::target_dir().join("lambda/arm64-check");
    fs::create_dir_all(&dir)?;
    let bootstrap = dir.join(BIN);
    fs::write(&bootstrap, binary)?;
    fs::set_permissions(
        &bootstrap,
        std::os::unix::fs::PermissionsExt::from_mode(MODE),
    )?;
    let runner = format!("qemu-aarch64 -L {}", sysroot.display());
    run_to_stderr(
        cmd!(sh, "cargo test --locked -p {PACKAGE} --test runtime")
            .env("FSX_DRT_BOOTSTRAP", &bootstrap)
            .env("FSX_DRT_BOOTSTRAP_RUNNER", runner),
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs a command with its stdout sent to our stderr, so that stdout carries only results.
fn run_to_stderr(cmd: Cmd<'_>) -> Result<()> {
    eprintln!("$ {cmd}");
    let mut command: Command = cmd.into();
    let status = command
        .stdout(Stdio::from(std::io::stderr()))
        .status()
        .with_context(|| format!("could not run {:?}", command.get_program()))?;
    ensure!(
        status.success(),
        "{:?} failed: {status}",
        command.get_program()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_glibc_reads_only_the_version_needs() {
        let out = "\
Version symbols section '.gnu.version' contains 4 entries:
 Addr: 0x0000000000000388  Offset: 0x000388  Link: 5 (.dynsym)
  000:   0 (*local*)       2 (GLIBC_2.17)    4 (GLIBC_2.28)    5 (GLIBC_2.99)

Version definition section '.gnu.version_d' contains 1 entry:
  0x0000: Rev: 1  Flags: none  Index: 5  Cnt: 1  Name: GLIBC_2.99

Version needs section '.gnu.version_r' contains 2 entries:
 Addr: 0x0000000000000400  Offset: 0x000400  Link: 6 (.dynstr)
  000000: Version: 1  File: libc.so.6  Cnt: 4
  0x0010:   Name: GLIBC_2.17  Flags: none  Version: 2
  0x0020:   Name: GLIBC_2.28  Flags: none  Version: 4
  0x0030:   Name: GLIBC_2.3.4  Flags: none  Version: 6
  0x0040:   Name: GLIBC_PRIVATE  Flags: none  Version: 7
  0x0050: Version: 1  File: ld-linux-aarch64.so.1  Cnt: 1
  0x0060:   Name: GLIBC_2.17  Flags: none  Version: 3
";
        assert_eq!(newest_glibc(out), Some(((2, 28, 0), 3)));
        assert_eq!(
            newest_glibc("\nNo version information found in this file.\n"),
            None
        );
        let too_new = "Version needs section '.gnu.version_r' contains 1 entry:\n  \
                       0x0010:   Name: GLIBC_2.35  Flags: none  Version: 2\n";
        let (newest, _) = newest_glibc(too_new).unwrap();
        assert!((newest.0, newest.1) > MAX_GLIBC);
    }

    #[test]
    fn a_zip_over_3_mib_fails_the_build() {
        within_budget(3_145_728).unwrap();
        let error = within_budget(3_145_729).unwrap_err().to_string();
        assert!(error.contains("1 over the 3 MiB budget"), "{error}");
    }

    #[test]
    fn the_zip_is_deterministic_and_executable() {
        let a = zip_bootstrap(b"\x7fELF pretend binary").unwrap();
        let b = zip_bootstrap(b"\x7fELF pretend binary").unwrap();
        assert_eq!(a, b);
        let mut archive = zip::ZipArchive::new(Cursor::new(a)).unwrap();
        assert_eq!(archive.len(), 1);
        let file = archive.by_index(0).unwrap();
        assert_eq!(file.name(), "bootstrap");
        assert_eq!(file.compression(), CompressionMethod::Deflated);
        assert_eq!(file.unix_mode(), Some(0o100755));
        assert_eq!(file.last_modified(), Some(DateTime::default()));
    }
}
