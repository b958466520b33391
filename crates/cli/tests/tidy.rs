//! Tidy: hygiene rules of the source tree, checked by `cargo test` (as rust-analyzer's tidy
//! test does). Walks every `.rs` file under `crates/`.
//!
//! * No source file is longer than [`MAX_LINES`]: a domain is a folder, one job per file.
//! * The scoped list query (an always-true `WHERE`, then filters, scope and page) is built in
//!   one place, `crates/store/src/query.rs` (`ScopedQuery`); no other file writes its own.

use std::path::{Path, PathBuf};

/// Longest source file, in lines.
const MAX_LINES: usize = 800;

/// Files allowed over [`MAX_LINES`] for now, each with the reason. An entry that is no longer
/// over the limit (or no longer exists) fails the test, so the list only shrinks.
const LONG_FILES_ALLOWED: &[&str] = &[];

/// The one module that may build list queries with an always-true `WHERE`.
const QUERY_BUILDER: &str = "crates/store/src/query.rs";

/// Files still building their own list queries, each with the reason (the list only shrinks).
const OWN_LIST_QUERIES_ALLOWED: &[&str] = &[];

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crates/")
        .to_path_buf()
}

/// Every `.rs` file under `crates/`, as `(path relative to the workspace, text)`.
fn sources() -> Vec<(String, String)> {
    let root = crates_dir();
    let workspace = root.parent().expect("workspace").to_path_buf();
    let mut out = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read_dir") {
            let path = entry.expect("dir entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                if name != "target" && !name.starts_with('.') {
                    dirs.push(path);
                }
            } else if name.ends_with(".rs") {
                let rel = path
                    .strip_prefix(&workspace)
                    .expect("under the workspace")
                    .to_string_lossy()
                    .replace('\\', "/");
                let text = std::fs::read_to_string(&path).expect("utf-8 source");
                out.push((rel, text));
            }
        }
    }
    out.sort();
    assert!(
        out.iter().any(|(p, _)| p == QUERY_BUILDER),
        "tidy walked the wrong tree: {QUERY_BUILDER} not found"
    );
    out
}

#[test]
fn no_source_file_is_over_800_lines() {
    let mut too_long = Vec::new();
    let mut stale = Vec::new();
    let files = sources();
    for (path, text) in &files {
        let lines = text.lines().count();
        let allowed = LONG_FILES_ALLOWED.contains(&path.as_str());
        if lines > MAX_LINES && !allowed {
            too_long.push(format!("{path}: {lines} lines"));
        }
        if allowed && lines <= MAX_LINES {
            stale.push(format!("{path}: {lines} lines"));
        }
    }
    for allowed in LONG_FILES_ALLOWED {
        if !files.iter().any(|(p, _)| p == allowed) {
            stale.push(format!("{allowed}: gone"));
        }
    }
    assert!(
        too_long.is_empty(),
        "source files over {MAX_LINES} lines (split them: a folder per domain, one job per \
         file):\n{}",
        too_long.join("\n")
    );
    assert!(
        stale.is_empty(),
        "remove from LONG_FILES_ALLOWED (no longer over {MAX_LINES} lines):\n{}",
        stale.join("\n")
    );
}

#[test]
fn list_queries_are_built_only_by_the_query_builder() {
    // Spelled in parts so this file does not match itself.
    let needles = [["WHERE 1", "= 1"].join(" "), ["WHERE 1", "=1"].join("")];
    let mut offenders = Vec::new();
    let mut stale = Vec::new();
    for (path, text) in sources() {
        let upper = text.to_uppercase();
        let hit = needles.iter().any(|n| upper.contains(n.as_str()));
        let allowed = path == QUERY_BUILDER || OWN_LIST_QUERIES_ALLOWED.contains(&path.as_str());
        if hit && !allowed {
            offenders.push(path.clone());
        }
        if !hit && OWN_LIST_QUERIES_ALLOWED.contains(&path.as_str()) {
            stale.push(path);
        }
    }
    assert!(
        offenders.is_empty(),
        "build list queries with tollgate_store::ScopedQuery ({QUERY_BUILDER}), not by hand:\n{}",
        offenders.join("\n")
    );
    assert!(
        stale.is_empty(),
        "remove from OWN_LIST_QUERIES_ALLOWED (no own list query left):\n{}",
        stale.join("\n")
    );
}
