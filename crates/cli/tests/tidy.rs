//! Tidy: hygiene rules of the source tree, checked by `cargo test` (as rust-analyzer's tidy
//! test does). Walks every `.rs` file under `crates/`.
//!
//! * No source file is longer than [`MAX_LINES`]: a domain is a folder, one job per file.
//! * The scoped list query (an always-true `WHERE`, then filters, scope and page) is built in
//!   one place, `crates/store/src/query.rs` (`ScopedQuery`); no other file writes its own.
//! * Every `pub` store read with a `&Store` parameter takes a `ScopeFilter`, unless it lives in
//!   a domain's `system` module (or `query.rs`, `migrate.rs`, `testing.rs`).

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

/// Store files exempt from the scope rule: the query builder, migrations and test helpers.
const SCOPE_EXEMPT_FILES: &[&str] = &[
    "crates/store/src/query.rs",
    "crates/store/src/migrate.rs",
    "crates/store/src/testing.rs",
];

/// Store reads still without a `ScopeFilter` outside a `system` module, as `path: fn` with the
/// reason (the list only shrinks).
const UNSCOPED_READS_ALLOWED: &[&str] = &[];

/// The `pub fn`/`pub async fn` signatures of `text`, as `(name, signature up to its body)`.
fn pub_fn_signatures(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("pub ") {
        let sig_start = &rest[at + 4..];
        let tail = sig_start.strip_prefix("async ").unwrap_or(sig_start);
        let Some(after_fn) = tail.strip_prefix("fn ") else {
            rest = sig_start;
            continue;
        };
        let name: String = after_fn
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let end = after_fn.find(['{', ';']).unwrap_or(after_fn.len());
        let len = sig_start.len() - after_fn.len() + end;
        out.push((name, sig_start[..len].to_string()));
        rest = &after_fn[end..];
    }
    out
}

/// Whether a signature reads the store: a `&Store` parameter (`store: &Store`, `_: &Store`).
fn takes_store(sig: &str) -> bool {
    let Some(open) = sig.find('(') else {
        return false;
    };
    let mut depth = 0;
    let close = sig[open..]
        .find(|c| {
            depth += match c {
                '(' => 1,
                ')' => -1,
                _ => 0,
            };
            depth == 0
        })
        .map_or(sig.len(), |i| open + i);
    sig[open + 1..close]
        .split(',')
        .any(|p| p.split(':').nth(1).map(str::trim) == Some("&Store"))
}

/// Whether a signature is async or returns a future.
fn is_async(sig: &str) -> bool {
    sig.trim_start().starts_with("async ") || sig.contains("Future")
}

#[test]
fn store_reads_take_a_scope_filter_or_live_in_a_system_module() {
    let mut offenders = Vec::new();
    let mut seen = Vec::new();
    for (path, text) in sources() {
        let in_system = path.ends_with("/system.rs") || path.contains("/system/");
        if !path.starts_with("crates/store/src/")
            || in_system
            || SCOPE_EXEMPT_FILES.contains(&path.as_str())
        {
            continue;
        }
        // `#[cfg(test)]` modules and inline `mod system { ... }` blocks are not public API;
        // stop at the first of them (they come last by convention).
        let body = ["#[cfg(test)]", "mod system {"]
            .iter()
            .filter_map(|m| text.find(m))
            .min()
            .map_or(text.as_str(), |i| &text[..i]);
        for (name, sig) in pub_fn_signatures(body) {
            if is_async(&sig) && takes_store(&sig) && !sig.contains("ScopeFilter") {
                let entry = format!("{path}: {name}");
                if UNSCOPED_READS_ALLOWED.contains(&entry.as_str()) {
                    seen.push(entry);
                } else {
                    offenders.push(entry);
                }
            }
        }
    }
    let stale: Vec<_> = UNSCOPED_READS_ALLOWED
        .iter()
        .filter(|a| !seen.iter().any(|s| s == *a))
        .collect();
    assert!(
        offenders.is_empty(),
        "store reads without a ScopeFilter: give them `scope: ScopeFilter<'_>` (applied in \
         SQL), or move them to the domain's `system` module with a doc saying who calls them \
         and why no scope applies:\n{}",
        offenders.join("\n")
    );
    assert!(
        stale.is_empty(),
        "remove from UNSCOPED_READS_ALLOWED (scoped or moved now):\n{stale:?}"
    );
}

#[test]
fn the_scope_rule_sees_store_parameters_and_futures() {
    let text = "pub async fn a(store: &Store, id: &str) -> Result<()> {}\n\
                pub fn b(store: &Store) -> impl Future<Output = ()> {}\n\
                pub fn c(s: &Store) -> u8 {}\n\
                pub async fn d(tx: &mut Tx, v: &StoredRate) -> Result<()> {}\n\
                pub async fn e(store: &Store, scope: ScopeFilter<'_>) -> Result<()> {}";
    let hits: Vec<String> = pub_fn_signatures(text)
        .into_iter()
        .filter(|(_, s)| is_async(s) && takes_store(s) && !s.contains("ScopeFilter"))
        .map(|(n, _)| n)
        .collect();
    assert_eq!(hits, ["a", "b"]);
}

/// The `[dependencies]` of a crate's manifest: the package names listed there.
fn dependencies(manifest: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == "[dependencies]";
            continue;
        }
        if inside && !line.is_empty() && !line.starts_with('#') {
            if let Some(name) = line.split(['=', '.', ' ']).next() {
                out.push(name.to_string());
            }
        }
    }
    out
}

#[test]
fn layers_http_depends_on_the_app_never_on_the_store_and_the_core_on_neither() {
    // The wire format is the HTTP crate's own; the store is reached through app use cases;
    // the core knows nothing above it.
    let read = |c: &str| {
        std::fs::read_to_string(crates_dir().join(c).join("Cargo.toml")).expect("manifest")
    };
    let http = dependencies(&read("http"));
    assert!(http.contains(&"tollgate-app".to_string()), "{http:?}");
    assert!(
        !http.contains(&"tollgate-store".to_string()),
        "http depends on the store: {http:?}"
    );
    let core = dependencies(&read("core"));
    for upper in [
        "tollgate-store",
        "tollgate-app",
        "tollgate-http",
        "tokio",
        "sqlx",
        "axum",
    ] {
        assert!(
            !core.contains(&upper.to_string()),
            "core depends on {upper}"
        );
    }
    assert_eq!(
        dependencies("[package]\nname = \"x\"\n[dependencies]\na.workspace = true\nb = \"1\"\n# c\n[dev-dependencies]\nd = \"1\"\n"),
        ["a", "b"]
    );
}
