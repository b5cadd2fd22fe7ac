//! `cargo xtask dist`: what a release ships, in target/dist/: the release binary with the
//! Lambda artifact built in, shell completions and man pages generated from the clap
//! definitions (`fsx-drt completions`, `fsx-drt man`, which use clap_complete and
//! clap_mangen), and one tarball of it all.

use std::fs;

use anyhow::{ensure, Context, Result};
use sha2::{Digest, Sha256};
use xshell::{cmd, Shell};

use crate::{lambda, step, target_dir};

/// Each shell and the file name its completion loader looks for.
const COMPLETIONS: [(&str, &str); 5] = [
    ("bash", "fsx-drt.bash"),
    ("zsh", "_fsx-drt"),
    ("fish", "fsx-drt.fish"),
    ("elvish", "fsx-drt.elv"),
    ("powershell", "_fsx-drt.ps1"),
];

pub fn dist(sh: &Shell) -> Result<()> {
    let zip = lambda::build_lambda(sh)?;
    step(&format!(
        "cargo build --release --locked -p fsx-drt  (FSX_DRT_LAMBDA_ZIP={})",
        zip.display()
    ));
    cmd!(sh, "cargo build --release --locked --package fsx-drt")
        .env("FSX_DRT_LAMBDA_ZIP", &zip)
        .run()
        .context("the release build failed")?;

    let target = target_dir();
    let version = cmd!(sh, "{target}/release/fsx-drt --version").read()?;
    let version = version.trim().trim_start_matches("fsx-drt ").to_string();
    let name = format!("fsx-drt-{version}-{}-linux", std::env::consts::ARCH);
    let dir = target.join("dist").join(&name);
    if dir.exists() {
        fs::remove_dir_all(&dir).with_context(|| format!("cleaning {}", dir.display()))?;
    }
    fs::create_dir_all(dir.join("completions"))?;
    let bin = dir.join("fsx-drt");
    fs::copy(target.join("release/fsx-drt"), &bin).context("copying the release binary")?;

    step("the binary has the Lambda artifact built in (fsx-drt artifact)");
    let artifact = cmd!(sh, "{bin} artifact").read()?;
    eprintln!("{artifact}");
    ensure!(
        artifact.contains("Lambda artifact: embedded"),
        "the release binary has no embedded Lambda artifact"
    );

    step("shell completions (fsx-drt completions SHELL)");
    for (shell, file) in COMPLETIONS {
        let script = cmd!(sh, "{bin} completions {shell}").read()?;
        fs::write(dir.join("completions").join(file), script + "\n")?;
        eprintln!("completions/{file}");
    }

    step("man pages (fsx-drt man --out-dir man/man1)");
    let man = dir.join("man/man1");
    cmd!(sh, "{bin} man --out-dir {man}").run()?;
    let pages = fs::read_dir(&man)?.count();
    eprintln!("{pages} pages in man/man1");

    step("tarball");
    let tarball = target.join("dist").join(format!("{name}.tar.gz"));
    let parent = target.join("dist");
    cmd!(sh, "tar -C {parent} --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -czf {tarball} {name}")
        .run()?;
    let bytes = fs::read(&tarball)?;
    let digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    eprintln!(
        "\n{}\n  {} bytes, sha256 {digest}\n  binary {} bytes",
        tarball.display(),
        bytes.len(),
        fs::metadata(&bin)?.len()
    );
    println!("{}", tarball.display());
    Ok(())
}
