//! Embeds the Lambda artifact when FSX_DRT_LAMBDA_ZIP names it (`cargo xtask install` and the
//! demo build do); a plain `cargo build` gives a binary that says how to get one.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=FSX_DRT_LAMBDA_ZIP");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let code = match std::env::var("FSX_DRT_LAMBDA_ZIP") {
        Ok(path) if !path.is_empty() => {
            let path = std::fs::canonicalize(&path).unwrap_or_else(|e| {
                panic!(
                    "FSX_DRT_LAMBDA_ZIP={path}: {e}; build the artifact with `cargo xtask lambda`"
                )
            });
            println!("cargo:rerun-if-changed={}", path.display());
            format!("Some(include_bytes!({:?}))", path.display().to_string())
        }
        _ => "None".to_string(),
    };
    std::fs::write(
        out.join("lambda_zip.rs"),
        format!("/// The Lambda zip built into this binary, if any.\npub const EMBEDDED: Option<&[u8]> = {code};\n"),
    )
    .expect("OUT_DIR is writable");
}
