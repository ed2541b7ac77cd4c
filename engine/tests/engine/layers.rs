//! The engine's module layers (ARCHITECTURE.md, "Layers"): a module may name modules of its own
//! layer or of a lower one, never of a higher one, and the modules never name each other in a
//! circle. This test reads every `crate::` path in `engine/src` (in `use` declarations and in
//! code; comments are skipped) and fails on an edge that runs up the order or closes a cycle.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on a bad setup")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layer order, lowest first: the one place it is written down for the build. Each row is a
/// layer; a module may use the modules of its row and of the rows above it.
const LAYERS: &[&[&str]] = &[
    // Neutral helpers: no JSON, no policies, no KMS.
    &["diagnostics", "entropy", "sort", "format", "export"],
    // Text in: the JSON reader with spans.
    &["json"],
    // KMS's facts as tables: actions, permission sources, condition keys.
    &["catalog"],
    // The policy language and the requests it judges; the default key policies are documents.
    &["request", "policy"],
    // KMS's exceptions: they name actions, not decisions.
    &["error"],
    // Stored data: keys, aliases, grants, key material.
    &["crypto", "store"],
    // Everything stored, together.
    &["world"],
    // The one authorizer.
    &["authz"],
    // What is built on decisions: the API operations, the matrix, the words for a cell.
    &["kms", "matrix", "view"],
    // Scenario files, the format the front ends share.
    &["scenario"],
    // Answers beyond one decision: fixes, synthetic principals, escalation, the audit.
    &["analysis"],
];

fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to: `store/grants.rs` → `store`; `lib.rs` → none.
fn module_of(file: &Path) -> Option<String> {
    let relative = file.strip_prefix(source_dir()).unwrap();
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib").then(|| name.to_owned())
}

/// The code of `text` without `//` comments (line, doc and trailing ones).
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| line.split_once("//").map_or(line, |(code, _)| code))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules named after each `crate::` in `code`, including every branch of a
/// `crate::{a::b, c}` group.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut modules = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let preceded_by_ident = rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        rest = &rest[at + "crate::".len()..];
        if preceded_by_ident {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            modules.extend(group_heads(group));
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                modules.insert(name);
            }
        }
    }
    modules
}

/// The first name of each top-level branch of a `{...}` group (the text after its `{`).
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0usize;
    let mut branch = String::new();
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                heads.push(std::mem::take(&mut branch));
                continue;
            }
            _ => {}
        }
        if depth == 0 {
            branch.push(c);
        }
    }
    heads.push(branch);
    heads
        .iter()
        .map(|b| {
            b.trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|name| !name.is_empty() && name != "self")
        .collect()
}

/// Every edge `from → to` between distinct top-level modules, with a file that makes it.
fn edges() -> BTreeMap<(String, String), PathBuf> {
    let mut files = Vec::new();
    rust_files(&source_dir(), &mut files);
    let mut edges = BTreeMap::new();
    for file in files {
        let Some(from) = module_of(&file) else {
            continue;
        };
        let code = without_comments(&std::fs::read_to_string(&file).unwrap());
        for to in crate_paths(&code) {
            if to != from {
                edges
                    .entry((from.clone(), to))
                    .or_insert_with(|| file.clone());
            }
        }
    }
    edges
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

#[test]
fn every_module_has_a_layer() {
    let lib = std::fs::read_to_string(source_dir().join("lib.rs")).unwrap();
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub mod "))
        .map(|rest| rest.trim_end_matches(';'))
        .collect();
    assert!(
        declared.len() > 10,
        "lib.rs declares its modules: {declared:?}"
    );
    for module in &declared {
        assert!(
            layer_of(module).is_some(),
            "module `{module}` has no row in LAYERS (engine/tests/engine/layers.rs): place it in the order"
        );
    }
    for module in LAYERS.iter().flat_map(|layer| layer.iter()) {
        assert!(
            declared.contains(module),
            "LAYERS names `{module}`, which lib.rs does not declare"
        );
    }
}

#[test]
fn no_module_uses_a_higher_layer() {
    let edges = edges();
    assert!(
        edges.contains_key(&("authz".to_owned(), "world".to_owned())),
        "the reader finds the engine's edges"
    );
    let upward: Vec<String> = edges
        .iter()
        .filter(|((from, to), _)| layer_of(to) > layer_of(from))
        .map(|((from, to), file)| format!("{from} → {to} (in {})", file.display()))
        .collect();
    assert!(
        upward.is_empty(),
        "edges that run up the layer order of engine/tests/engine/layers.rs:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_module_graph_has_no_cycle() {
    let edges = edges();
    let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        graph.entry(from).or_default().push(to);
    }
    // Depth-first search; a node met again while on the stack closes a cycle.
    fn visit<'a>(
        node: &'a str,
        graph: &BTreeMap<&'a str, Vec<&'a str>>,
        stack: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) {
        if done.contains(node) {
            return;
        }
        if let Some(at) = stack.iter().position(|n| *n == node) {
            panic!("modules use each other in a circle: {}", {
                let mut cycle = stack[at..].to_vec();
                cycle.push(node);
                cycle.join(" → ")
            });
        }
        stack.push(node);
        for next in graph.get(node).into_iter().flatten() {
            visit(next, graph, stack, done);
        }
        stack.pop();
        done.insert(node);
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        visit(node, &graph, &mut Vec::new(), &mut done);
    }
}

#[test]
fn the_reader_sees_groups_and_inline_paths() {
    let code = "use crate::{a::{B, C}, d, self};\nfn f() { crate::e::g(); x_crate::h(); }";
    let found: Vec<String> = crate_paths(code).into_iter().collect();
    assert_eq!(found, ["a", "d", "e"]);
    assert_eq!(
        without_comments("let x = 1; // crate::z\n/// [`crate::y`]"),
        "let x = 1; \n"
    );
}
