//! The `Paths` parameter (`FSX_PATHS` in the Lambda): the reference's string form.
//!
//! Up to 32 file-system paths separated by spaces; a path containing spaces is wrapped in
//! double quotes: `/dir1 /dir_2 "/dir 3" /dir4/file1`. There are no escapes, so a path cannot
//! contain `"` (Lustre paths with quotes are vanishingly rare; the reference had none either).

use crate::Invalid;

/// The console and the reference allow 32 paths (the API allows 100).
pub const MAX_PATHS: usize = 32;
/// The API's limit for one path.
pub const MAX_PATH_CHARS: usize = 4096;

/// One validated file-system path, absolute, without `.`/`..` components, repeated or
/// trailing slashes (`/` itself is the whole file system).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FsPath(String);

impl FsPath {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for `/`, the whole file system.
    pub fn is_root(&self) -> bool {
        self.0 == "/"
    }

    /// The path relative to the mount point, as export and release tasks want it
    /// (`/a/b` -> `a/b`; the root is the empty string).
    pub fn relative(&self) -> &str {
        &self.0[1..]
    }

    /// The components, for component-wise prefix matching (`/data` covers `/data/x`, not
    /// `/database`).
    pub fn components(&self) -> impl Iterator<Item = &str> {
        self.relative().split('/').filter(|c| !c.is_empty())
    }

    /// True when `self` is `other` or an ancestor of it.
    pub fn covers(&self, other: &FsPath) -> bool {
        let mut theirs = other.components();
        self.components().all(|c| theirs.next() == Some(c))
    }
}

impl std::fmt::Display for FsPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses the whole `Paths` string, reporting every problem rather than the first.
pub fn parse_paths(input: &str) -> Result<Vec<FsPath>, Vec<Invalid>> {
    let (tokens, mut problems) = tokenize(input);
    let mut paths: Vec<FsPath> = Vec::with_capacity(tokens.len());
    for token in &tokens {
        match parse_one(token) {
            Ok(path) => {
                if paths.contains(&path) {
                    problems.push(Invalid::new(
                        format!("path \"{token}\" is listed more than once (as {path})"),
                        "list each path once",
                    ));
                } else {
                    paths.push(path);
                }
            }
            Err(invalid) => problems.push(invalid),
        }
    }
    if tokens.is_empty() && problems.is_empty() {
        problems.push(Invalid::new(
            "no path given",
            "give at least one path; `/` means the whole file system",
        ));
    }
    if tokens.len() > MAX_PATHS {
        problems.push(Invalid::new(
            format!(
                "{} paths given; at most {MAX_PATHS} are allowed",
                tokens.len()
            ),
            "use fewer paths, for example a common parent directory",
        ));
    }
    if problems.is_empty() {
        Ok(paths)
    } else {
        Err(problems)
    }
}

/// Renders paths back into the string form (quoting those with spaces), so that
/// `parse_paths(&render_paths(p)) == p`.
pub fn render_paths(paths: &[FsPath]) -> String {
    paths
        .iter()
        .map(|p| {
            if p.0.contains(char::is_whitespace) {
                format!("\"{}\"", p.0)
            } else {
                p.0.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Splits on unquoted separators. A token is either wholly quoted or has no quote at all.
fn tokenize(input: &str) -> (Vec<String>, Vec<Invalid>) {
    let mut tokens = Vec::new();
    let mut problems = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if is_separator(c) {
            chars.next();
            continue;
        }
        if c == '"' {
            chars.next();
            let mut token = String::new();
            let mut closed = false;
            for (_, c) in chars.by_ref() {
                if c == '"' {
                    closed = true;
                    break;
                }
                token.push(c);
            }
            if !closed {
                problems.push(Invalid::new(
                    format!(
                        "the quote opened at character {} is never closed",
                        start + 1
                    ),
                    "close the quote: \"/dir with spaces\"",
                ));
                return (tokens, problems);
            }
            if let Some(&(_, next)) = chars.peek() {
                if !is_separator(next) {
                    problems.push(Invalid::new(
                        format!("\"{token}\" is followed by '{next}' without a space between them"),
                        "separate paths with a space and quote a path as a whole",
                    ));
                    while chars.peek().is_some_and(|&(_, c)| !is_separator(c)) {
                        chars.next();
                    }
                }
            }
            tokens.push(token);
        } else {
            let mut token = String::new();
            while let Some(&(_, c)) = chars.peek() {
                if is_separator(c) {
                    break;
                }
                token.push(c);
                chars.next();
            }
            if token.contains('"') {
                problems.push(Invalid::new(
                    format!("{token} has a quote inside it"),
                    "quote a path as a whole: \"/dir with spaces\"",
                ));
            } else {
                tokens.push(token);
            }
        }
    }
    (tokens, problems)
}

fn parse_one(token: &str) -> Result<FsPath, Invalid> {
    if !token.starts_with('/') {
        return Err(Invalid::new(
            format!("path \"{token}\" does not start with /"),
            format!("give paths from the file system's root, e.g. /{token}"),
        ));
    }
    let chars = token.chars().count();
    if chars > MAX_PATH_CHARS {
        return Err(Invalid::new(
            format!("a path is {chars} characters long; at most {MAX_PATH_CHARS} are allowed"),
            "shorten the path or give one of its parent directories",
        ));
    }
    if let Some(bad) = token
        .chars()
        .find(|&c| c.is_control() || c == '\u{2028}' || c == '\u{2029}')
    {
        return Err(Invalid::new(
            format!(
                "path \"{}\" contains the control character U+{:04X}",
                token.escape_debug(),
                bad as u32
            ),
            "remove control characters (tabs, newlines, ...) from the path",
        ));
    }
    let components: Vec<&str> = token.split('/').filter(|c| !c.is_empty()).collect();
    if let Some(dot) = components.iter().find(|c| **c == "." || **c == "..") {
        return Err(Invalid::new(
            format!("path \"{token}\" has a `{dot}` component"),
            "write the path without . or .. (as it is from the file system's root)",
        ));
    }
    Ok(FsPath(format!("/{}", components.join("/"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> Vec<String> {
        parse_paths(input)
            .unwrap()
            .into_iter()
            .map(|p| p.0)
            .collect()
    }

    fn problems(input: &str) -> Vec<String> {
        parse_paths(input)
            .unwrap_err()
            .into_iter()
            .map(|i| i.problem)
            .collect()
    }

    #[test]
    fn reference_example() {
        assert_eq!(
            ok(r#"/dir1 /dir_2 "/dir 3" /dir4/file1"#),
            ["/dir1", "/dir_2", "/dir 3", "/dir4/file1"]
        );
    }

    #[test]
    fn root_and_normalisation() {
        assert_eq!(ok("/"), ["/"]);
        assert_eq!(ok("  /a//b/  \t/c\n"), ["/a/b", "/c"]);
        assert_eq!(ok("\"/x  y/\""), ["/x  y"]);
    }

    #[test]
    fn relative_and_components() {
        let p = &parse_paths("/a/b /").unwrap();
        assert_eq!(p[0].relative(), "a/b");
        assert_eq!(p[1].relative(), "");
        assert!(p[1].is_root());
    }

    #[test]
    fn covers_is_component_wise() {
        let p = parse_paths("/data /data/x /database /").unwrap();
        assert!(p[0].covers(&p[1]));
        assert!(p[0].covers(&p[0]));
        assert!(!p[0].covers(&p[2]));
        assert!(!p[1].covers(&p[0]));
        assert!(p[3].covers(&p[2]));
    }

    #[test]
    fn render_round_trips() {
        let input = r#"/dir1 "/dir 3" /"#;
        let parsed = parse_paths(input).unwrap();
        assert_eq!(render_paths(&parsed), input);
        assert_eq!(parse_paths(&render_paths(&parsed)).unwrap(), parsed);
    }

    #[test]
    fn every_problem_is_reported() {
        let found = problems(r#"relative /ok /a/../b /ok"#);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].contains("does not start with /"));
        assert!(found[1].contains("`..` component"));
        assert!(found[2].contains("more than once"));
    }

    #[test]
    fn bad_inputs() {
        for (input, expected) in [
            ("", "no path given"),
            ("   ", "no path given"),
            ("\"/open", "never closed"),
            ("/a \"/b c\"/d", "without a space"),
            ("/a\"b", "quote inside"),
            ("/./a", "`.` component"),
            ("/a/b/..", "`..` component"),
            ("\"/a\u{7}b\"", "U+0007"),
            ("\"/a\u{2028}b\"", "U+2028"),
            ("/a /a/", "more than once"),
        ] {
            let found = problems(input);
            assert!(
                found.iter().any(|p| p.contains(expected)),
                "{input:?}: {found:?} lacks {expected:?}"
            );
        }
    }

    #[test]
    fn limits() {
        let many: Vec<String> = (0..=MAX_PATHS).map(|i| format!("/d{i}")).collect();
        assert!(problems(&many.join(" "))[0].contains("33 paths given"));
        assert_eq!(ok(&many[..MAX_PATHS].join(" ")).len(), MAX_PATHS);
        let long = format!("/{}", "a".repeat(MAX_PATH_CHARS));
        assert!(problems(&long)[0].contains("4097 characters"));
        let longest = format!("/{}", "a".repeat(MAX_PATH_CHARS - 1));
        assert_eq!(ok(&longest).len(), 1);
    }
}
