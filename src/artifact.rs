//! The Lambda artifact deploy uploads: the zip built into this binary, or `--lambda-zip`.

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use fsx_drt_core::Invalid;

use crate::error::{Exit, Failure};
use crate::params::Problem;

include!(concat!(env!("OUT_DIR"), "/lambda_zip.rs"));

#[derive(Debug, Clone)]
pub struct Artifact {
    pub bytes: Cow<'static, [u8]>,
    pub source: String,
    pub sha256: String,
}

impl Artifact {
    /// `--lambda-zip` when given, else the embedded zip, else a failure that says how to get
    /// one.
    pub fn load(lambda_zip: Option<&Path>) -> Result<Artifact, Failure> {
        let (bytes, source) = match lambda_zip {
            Some(path) => {
                let name = path.display().to_string();
                let problem = |problem: String| bad_zip("--lambda-zip", Some(&name), problem);
                let bytes = crate::workflows::inputs::read_at_most(path, MAX_BYTES)
                    .map_err(|e| problem(format!("cannot read it: {e}")))?;
                check_zip(&bytes).map_err(problem)?;
                (Cow::Owned(bytes), name)
            }
            None => match EMBEDDED {
                Some(bytes) => {
                    check_zip(bytes).map_err(|problem| {
                        bad_zip("the Lambda artifact embedded in fsx-drt", None, problem)
                    })?;
                    (Cow::Borrowed(bytes), "embedded".to_string())
                }
                None => {
                    return Err(Failure::new(
                        Exit::Invalid,
                        "this fsx-drt binary was built without the Lambda artifact",
                        Some(
                            "install a binary that embeds it with `cargo xtask install`, or build the zip with `cargo xtask lambda` and pass --lambda-zip PATH".into(),
                        ),
                    ))
                }
            },
        };
        let sha256 = sha256_hex(&bytes);
        Ok(Artifact {
            bytes,
            source,
            sha256,
        })
    }

    /// Where deploy keeps it in the artifact bucket: content-addressed, uploaded once.
    pub fn key(&self) -> String {
        format!("fsx-drt/{}.zip", self.sha256)
    }

    pub fn summary(&self) -> ArtifactSummary {
        ArtifactSummary {
            source: self.source.clone(),
            bytes: self.bytes.len(),
            sha256: self.sha256.clone(),
            key: self.key(),
        }
    }
}

/// Lambda takes a zip of at most 50 MB uploaded directly; reading stops one byte past it, so
/// `--lambda-zip /dev/zero` ends too.
const MAX_BYTES: u64 = 50 * 1024 * 1024;

/// EM_AARCH64: the template's function runs on arm64 (Graviton).
const EM_AARCH64: u16 = 183;

fn bad_zip(name: &str, value: Option<&str>, problem: String) -> Failure {
    Failure::invalid(
        "the Lambda artifact is not usable",
        vec![Problem::new(
            name,
            value,
            Invalid::new(
                problem,
                "give the zip `cargo xtask lambda` builds (an arm64 `bootstrap` at its root)",
            ),
        )],
    )
}

/// What the `provided.al2023` runtime needs, checked before any AWS call (a bad zip deploys
/// fine and then fails every run): a zip holding an aarch64 ELF executable named exactly
/// `bootstrap` at its root.
fn check_zip(bytes: &[u8]) -> Result<(), String> {
    if bytes.len() as u64 > MAX_BYTES {
        return Err(format!(
            "it is larger than {} MB, Lambda's limit for a zip",
            MAX_BYTES / 1024 / 1024
        ));
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("it is not a zip file ({e})"))?;
    let Some(index) = archive.index_for_name("bootstrap") else {
        let nested = archive
            .file_names()
            .find(|name| name.rsplit('/').next() == Some("bootstrap"));
        return Err(match nested {
            Some(name) => format!("its bootstrap is at {name}, not at the root of the zip"),
            None => "it has no `bootstrap` file at its root".into(),
        });
    };
    let mut entry = archive
        .by_index(index)
        .map_err(|e| format!("its bootstrap cannot be read ({e})"))?;
    if entry.unix_mode().is_some_and(|mode| mode & 0o111 == 0) {
        return Err("its bootstrap is not executable (no x bit in its mode)".into());
    }
    // The ELF header: magic, class, byte order, ..., e_machine at offset 18.
    let mut header = Vec::with_capacity(64);
    entry
        .by_ref()
        .take(64)
        .read_to_end(&mut header)
        .map_err(|e| format!("its bootstrap cannot be read ({e})"))?;
    if header.len() < 64 || !header.starts_with(b"\x7fELF") {
        return Err("its bootstrap is not an ELF executable".into());
    }
    let machine = [header[18], header[19]];
    let machine = match header[5] {
        2 => u16::from_be_bytes(machine),
        _ => u16::from_le_bytes(machine),
    };
    if header[4] != 2 || machine != EM_AARCH64 {
        let what = match (header[4], machine) {
            (2, 62) => "an x86_64".to_string(),
            (2, _) => format!("a 64-bit ELF for machine {machine}, not an aarch64"),
            _ => "a 32-bit".to_string(),
        };
        return Err(format!(
            "its bootstrap is {what} executable; Lambda runs it on arm64 (aarch64)"
        ));
    }
    Ok(())
}

#[derive(Debug, Serialize)]
pub struct ArtifactSummary {
    pub source: String,
    pub bytes: usize,
    pub sha256: String,
    pub key: String,
}

impl std::fmt::Display for ArtifactSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "Lambda artifact: {}", self.source)?;
        writeln!(f, "  size    {} bytes", self.bytes)?;
        writeln!(f, "  sha256  {}", self.sha256)?;
        writeln!(f, "  key     {} (in the artifact bucket)", self.key)
    }
}

/// The SHA-256 of `bytes` in lower-case hex: what uploads are keyed by.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use zip::write::SimpleFileOptions;

    use super::*;

    /// The first 64 bytes of a little-endian 64-bit ELF executable for `machine`.
    fn elf(machine: u16) -> Vec<u8> {
        let mut header = vec![0u8; 64];
        header[..4].copy_from_slice(b"\x7fELF");
        header[4] = 2;
        header[5] = 1;
        header[16] = 2;
        header[18..20].copy_from_slice(&machine.to_le_bytes());
        header
    }

    fn zip(entries: &[(&str, u32, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, mode, bytes) in entries {
            let options = SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .unix_permissions(*mode);
            writer.start_file(*name, options).unwrap();
            writer.write_all(bytes).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn a_zip_with_an_arm64_bootstrap_at_its_root_is_accepted() {
        let arm = elf(EM_AARCH64);
        assert_eq!(check_zip(&zip(&[("bootstrap", 0o755, &arm)])), Ok(()));
        assert_eq!(
            check_zip(&zip(&[
                ("README", 0o644, b"hi"),
                ("bootstrap", 0o755, &arm)
            ])),
            Ok(())
        );
    }

    #[test]
    fn a_zip_lambda_cannot_run_is_refused_saying_why() {
        let arm = elf(EM_AARCH64);
        let x86 = elf(62);
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"hello, not a zip".to_vec(), "not a zip file"),
            (
                b"PK\x03\x04 a header and nothing".to_vec(),
                "not a zip file",
            ),
            (
                zip(&[("main", 0o755, &arm)]),
                "no `bootstrap` file at its root",
            ),
            (
                zip(&[("target/bootstrap", 0o755, &arm)]),
                "at target/bootstrap, not at the root",
            ),
            (zip(&[("Bootstrap", 0o755, &arm)]), "no `bootstrap`"),
            (zip(&[("bootstrap", 0o755, &x86)]), "an x86_64 executable"),
            (zip(&[("bootstrap", 0o755, b"#!/bin/sh\n")]), "not an ELF"),
            (zip(&[("bootstrap", 0o644, &arm)]), "not executable"),
            (vec![0; MAX_BYTES as usize + 1], "larger than 50 MB"),
        ];
        for (bytes, expected) in cases {
            let problem = check_zip(&bytes).unwrap_err();
            assert!(problem.contains(expected), "{expected}: {problem}");
        }
    }

    #[test]
    fn lambda_zip_failures_name_the_flag_the_file_and_the_fix() {
        let dir = std::env::temp_dir().join(format!("fsx-drt-artifact-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("no-bootstrap.zip");
        std::fs::write(&path, zip(&[("main", 0o755, &elf(EM_AARCH64))])).unwrap();
        let failure = Artifact::load(Some(&path)).unwrap_err();
        assert_eq!(failure.exit, Exit::Invalid);
        let problem = &failure.problems[0];
        assert_eq!(problem.parameter, "--lambda-zip");
        assert_eq!(problem.value.as_deref(), Some(path.to_str().unwrap()));
        assert!(
            problem.fix.contains("cargo xtask lambda"),
            "{}",
            problem.fix
        );
        // /dev/zero never ends: reading stops past the limit.
        let failure = Artifact::load(Some(Path::new("/dev/zero"))).unwrap_err();
        assert!(failure.problems[0].problem.contains("larger than"));
    }
}
