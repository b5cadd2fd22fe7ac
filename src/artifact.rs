//! The Lambda artifact deploy uploads: the zip built into this binary, or `--lambda-zip`.

use std::borrow::Cow;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Exit, Failure};

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
                let bytes = std::fs::read(path).map_err(|e| {
                    Failure::new(
                        Exit::Invalid,
                        format!("cannot read --lambda-zip {}: {e}", path.display()),
                        Some("give the zip `cargo xtask lambda` printed".into()),
                    )
                })?;
                check_zip(&bytes, path)?;
                (Cow::Owned(bytes), path.display().to_string())
            }
            None => match EMBEDDED {
                Some(bytes) => (Cow::Borrowed(bytes), "embedded".to_string()),
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
        let sha256 = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
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

/// A zip starts with a local file header; anything else is not a Lambda artifact.
fn check_zip(bytes: &[u8], path: &Path) -> Result<(), Failure> {
    if bytes.starts_with(b"PK\x03\x04") {
        Ok(())
    } else {
        Err(Failure::new(
            Exit::Invalid,
            format!("--lambda-zip {} is not a zip file", path.display()),
            Some("give the zip `cargo xtask lambda` printed (bootstrap at its root)".into()),
        ))
    }
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
