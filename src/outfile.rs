//! Writing a file the user named (`deploy --outputs-file`): whole or not at all, and never
//! replacing what is not a regular file. A device node (/dev/null, /dev/stdout), a FIFO a
//! pipeline reads, or a terminal is written to; a symlink is followed, so its target gets the
//! content and the link stays; a regular file is replaced by renaming a temporary file over it,
//! and a failed write leaves no temporary file behind.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Symlinks followed before giving up (Linux's own limit is 40).
const MAX_LINKS: usize = 40;

/// Why `path` cannot be written, said before anything else is done: its directory does not
/// exist, or it is a directory.
pub fn check(path: &Path) -> Result<(), String> {
    if path.is_dir() {
        return Err(format!("{} is a directory", path.display()));
    }
    if path.exists() {
        return Ok(());
    }
    let target = resolve(path).map_err(|e| format!("cannot follow {}: {e}", path.display()))?;
    let parent = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(format!("the directory {} does not exist", parent.display()));
    }
    Ok(())
}

/// Writes `contents` to `path` as described in the module's documentation.
pub fn write(path: &Path, contents: &[u8]) -> io::Result<()> {
    replace_with(path, |file| file.write_all(contents))
}

/// [`write`] with the writing given, so tests can make it fail halfway.
fn replace_with(path: &Path, fill: impl FnOnce(&mut fs::File) -> io::Result<()>) -> io::Result<()> {
    // The kernel follows every link here, /proc/self/fd/1's to a pipe too (it names no path).
    let existing = fs::metadata(path).ok();
    if let Some(metadata) = existing.as_ref().filter(|m| !m.is_file()) {
        if metadata.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "it is a directory",
            ));
        }
        // Not a regular file: renaming over it would replace a device or a pipe's end.
        let mut file = fs::OpenOptions::new().write(true).open(path)?;
        return fill(&mut file).and_then(|()| file.flush());
    }
    // A regular file (or none yet) is replaced where it is, beside its links.
    let target = resolve(path)?;
    let temporary = target.with_extension("fsx-drt-tmp");
    let written = fs::File::create(&temporary).and_then(|mut file| {
        fill(&mut file)?;
        file.sync_all()?;
        // A file replaced keeps who may read it (outputs may be private).
        if let Some(metadata) = &existing {
            fs::set_permissions(&temporary, metadata.permissions())?;
        }
        fs::rename(&temporary, &target)
    });
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written
}

/// The path symlinks lead to (the path itself when it is no link, or does not exist yet).
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let link = fs::read_link(&current)?;
                // A relative link is relative to the link's directory.
                current = match current.parent() {
                    Some(parent) => parent.join(link),
                    None => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links in a row"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("fsx-drt-outfile-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_regular_file_is_replaced_whole_keeping_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("regular");
        let path = dir.join("out.json");
        write(&path, b"first").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        write(&path, b"second").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "second");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(entries(&dir), ["out.json"]);
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary_file() {
        let dir = temp_dir("failed");
        let path = dir.join("out.json");
        fs::write(&path, "old").unwrap();
        let failed = replace_with(&path, |file| {
            file.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(entries(&dir), ["out.json"]);
    }

    #[test]
    fn device_nodes_are_written_to_not_replaced() {
        write(Path::new("/dev/null"), b"{}\n").unwrap();
        assert!(!fs::metadata("/dev/null").unwrap().is_file());
        // /dev/full refuses every write: an error, and no temporary file beside it.
        let full = write(Path::new("/dev/full"), b"{}\n").unwrap_err();
        assert_eq!(full.raw_os_error(), Some(28), "{full}"); // ENOSPC
        assert!(!fs::metadata("/dev/full").unwrap().is_file());
        assert!(!Path::new("/dev/full.fsx-drt-tmp").exists());
    }

    #[test]
    fn a_fifo_is_written_to_for_its_reader() {
        use std::os::unix::fs::FileTypeExt;
        let dir = temp_dir("fifo");
        let fifo = dir.join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
        };
        write(&fifo, b"{\"a\": \"b\"}\n").unwrap();
        assert_eq!(reader.join().unwrap(), "{\"a\": \"b\"}\n");
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(entries(&dir), ["pipe"]);
    }

    #[test]
    fn a_pipe_behind_dev_stdout_is_written_to() {
        use std::io::Read;
        use std::os::fd::AsRawFd;
        // /dev/stdout is a link to /proc/self/fd/1, which links to "pipe:[N]" when stdout is
        // a pipe: no path to put a temporary file beside.
        let (mut reader, writer) = io::pipe().unwrap();
        let path = PathBuf::from(format!("/proc/self/fd/{}", writer.as_raw_fd()));
        assert_eq!(check(&path), Ok(()));
        write(&path, b"{}\n").unwrap();
        drop(writer);
        let mut text = String::new();
        reader.read_to_string(&mut text).unwrap();
        assert_eq!(text, "{}\n");
    }

    #[test]
    fn a_symlink_is_followed_and_stays() {
        let dir = temp_dir("symlink");
        fs::create_dir(dir.join("real")).unwrap();
        fs::write(dir.join("real/out.json"), "old").unwrap();
        std::os::unix::fs::symlink("real/out.json", dir.join("link")).unwrap();
        std::os::unix::fs::symlink("link", dir.join("link2")).unwrap();
        write(&dir.join("link2"), b"new").unwrap();
        assert!(fs::symlink_metadata(dir.join("link"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(fs::symlink_metadata(dir.join("link2"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(
            fs::read_to_string(dir.join("real/out.json")).unwrap(),
            "new"
        );
        assert_eq!(entries(&dir.join("real")), ["out.json"]);
        // A link to a file not there yet creates it.
        std::os::unix::fs::symlink("real/new.json", dir.join("dangling")).unwrap();
        write(&dir.join("dangling"), b"x").unwrap();
        assert_eq!(fs::read_to_string(dir.join("real/new.json")).unwrap(), "x");
        // A loop is an error, not a hang.
        std::os::unix::fs::symlink("loop", dir.join("loop")).unwrap();
        assert!(write(&dir.join("loop"), b"x").is_err());
    }

    #[test]
    fn check_names_a_missing_directory_or_a_directory() {
        let dir = temp_dir("check");
        assert_eq!(check(&dir.join("out.json")), Ok(()));
        assert_eq!(check(Path::new("out.json")), Ok(()));
        assert_eq!(check(Path::new("/dev/null")), Ok(()));
        let missing = check(&dir.join("nope/out.json")).unwrap_err();
        assert!(missing.contains("does not exist"), "{missing}");
        assert!(check(&dir).unwrap_err().contains("is a directory"));
        assert!(write(&dir, b"x").is_err());
    }
}
