//! Python tools from PyPI, each in its own venv under target/, installed only when a pinned
//! version is missing (xtask/pins_installed.py decides), so reruns take no network time.

use std::path::Path;

use anyhow::{Context, Result};
use xshell::{cmd, Shell};

/// Creates `venv` if needed and pip-installs `requirements` into it unless every pin is
/// already installed. `what` names the tools in messages.
pub fn ensure(sh: &Shell, venv: &Path, requirements: &Path, what: &str) -> Result<()> {
    let python = venv.join("bin/python");
    if !python.is_file() {
        eprintln!("\n==> python3 -m venv {}", venv.display());
        cmd!(sh, "python3 -m venv {venv}").run().with_context(|| {
            format!("could not create the venv for {what} (python3 with its venv module is needed)")
        })?;
    }
    let pins_installed = crate::root().join("xtask/pins_installed.py");
    let pinned = cmd!(sh, "{python} {pins_installed} {requirements}")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()
        .is_ok();
    if pinned {
        eprintln!(
            "{what}: pinned versions already installed in {}",
            venv.display()
        );
        return Ok(());
    }
    eprintln!("\n==> pip install -r {} ({what})", requirements.display());
    // pip's own output goes to stderr: stdout of some tasks carries only results.
    let status = std::process::Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--quiet",
            "-r",
        ])
        .arg(requirements)
        .stdout(std::process::Stdio::from(std::io::stderr()))
        .status()
        .with_context(|| format!("could not run {}", python.display()))?;
    anyhow::ensure!(status.success(), "could not install {what} from PyPI");
    Ok(())
}
