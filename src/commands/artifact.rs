//! `fsx-drt artifact`: what the Lambda artifact deploy would upload is.

use crate::artifact::Artifact;
use crate::cli::ArtifactArgs;
use crate::error::Failure;
use crate::output::Printer;

pub fn run(args: &ArtifactArgs, ui: &Printer) -> Result<(), Failure> {
    let artifact = Artifact::load(args.lambda_zip.as_deref())?;
    ui.outcome(&artifact.summary())
}
