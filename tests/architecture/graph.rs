//! The import graph of a crate's source tree, one node per module file:
//! an edge from a file to the module file each of its paths (`use` trees
//! and inline `crate::` / `super::` / `self::` paths) lands in. A path to
//! an item lands in the module that holds the item, or re-exports it: a
//! child that reaches its parent's re-export of a sibling depends on the
//! parent. Test code (`#[cfg(test)]` modules, `tests.rs` files) is left
//! out: it imports what it tests, from outside the layering.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::lex::lex;

/// A module of the tree: its path from the crate root (`[]` for the root)
/// and the file it lives in.
pub struct Module {
    pub path: Vec<String>,
    pub file: PathBuf,
}

/// A crate's modules (file modules and the inline modules inside them) and
/// the edges between their files.
pub struct Graph {
    pub modules: Vec<Module>,
    /// file → (file it imports from, line of the first such path)
    pub edges: BTreeMap<PathBuf, BTreeMap<PathBuf, usize>>,
}

/// The crate rooted at `root/lib.rs` (binaries beside it are roots of
/// their own and left out).
pub fn crate_graph(root: &Path) -> Graph {
    let mut modules = Vec::new();
    collect(&root.join("lib.rs"), Vec::new(), &mut modules);
    let mut inline = Vec::new();
    let mut sources = BTreeMap::new();
    for m in &modules {
        let code = lex(&fs::read_to_string(&m.file).expect("readable source")).code;
        for (path, _) in inline_modules(&code) {
            let mut full = m.path.clone();
            full.extend(path);
            inline.push(Module {
                path: full,
                file: m.file.clone(),
            });
        }
        sources.insert(m.file.clone(), (m.path.clone(), code));
    }
    modules.extend(inline);
    let known: BTreeMap<Vec<String>, PathBuf> = modules
        .iter()
        .map(|m| (m.path.clone(), m.file.clone()))
        .collect();
    let mut edges: BTreeMap<PathBuf, BTreeMap<PathBuf, usize>> = BTreeMap::new();
    for (file, (module, code)) in &sources {
        if module.last().is_some_and(|m| m == "tests") {
            continue; // a test file: outside the layering
        }
        let scopes = inline_modules(code);
        let tests: Vec<_> = scopes
            .iter()
            .filter(|(_, span)| {
                code[..span.start].trim_end().contains("#[cfg(test)]") && {
                    let before = &code[..span.start];
                    let decl = before.rfind("mod").unwrap_or(0);
                    before[..decl].trim_end().ends_with("#[cfg(test)]")
                }
            })
            .map(|(_, span)| span.clone())
            .collect();
        for (at, path) in paths(code) {
            if tests.iter().any(|span| span.contains(&at)) {
                continue; // test code imports what it tests
            }
            let mut here = module.clone();
            if let Some((inner, _)) = scopes
                .iter()
                .filter(|(_, span)| span.contains(&at))
                .max_by_key(|(p, _)| p.len())
            {
                here.extend(inner.iter().cloned());
            }
            let Some(target) = resolve(&here, &path, &known) else {
                continue;
            };
            let to = &known[&target];
            if to != file {
                let line = code[..at].matches('\n').count() + 1;
                edges
                    .entry(file.clone())
                    .or_default()
                    .entry(to.clone())
                    .or_insert(line);
            }
        }
    }
    Graph { modules, edges }
}

/// The file modules under `file`, declared by `mod name;`.
fn collect(file: &Path, path: Vec<String>, out: &mut Vec<Module>) {
    let code = lex(&fs::read_to_string(file).expect("readable source")).code;
    let dir = if path.is_empty() || file.ends_with("mod.rs") {
        file.parent().expect("a directory").to_path_buf()
    } else {
        file.with_extension("")
    };
    out.push(Module {
        path: path.clone(),
        file: file.to_path_buf(),
    });
    for name in declared_file_modules(&code) {
        let flat = dir.join(format!("{name}.rs"));
        let nested = dir.join(&name).join("mod.rs");
        let child = if flat.exists() { flat } else { nested };
        assert!(
            child.exists(),
            "{}: module {name} has no file",
            file.display()
        );
        let mut p = path.clone();
        p.push(name);
        collect(&child, p, out);
    }
}

fn words(code: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in code.char_indices() {
        let part = c.is_alphanumeric() || c == '_' || c == '#';
        match (part, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, &code[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &code[s..]));
    }
    out
}

fn next_non_space(code: &str, from: usize) -> Option<(usize, char)> {
    code[from..]
        .char_indices()
        .find(|(_, c)| !c.is_whitespace())
        .map(|(i, c)| (from + i, c))
}

/// `mod name;` declarations at any depth of inline modules.
fn declared_file_modules(code: &str) -> Vec<String> {
    let w = words(code);
    let mut out = Vec::new();
    for pair in w.windows(2) {
        if pair[0].1 == "mod" {
            let (at, name) = pair[1];
            if let Some((_, ';')) = next_non_space(code, at + name.len()) {
                out.push(name.to_string());
            }
        }
    }
    out
}

/// Inline modules (`mod name { … }`), nested, with their byte spans.
fn inline_modules(code: &str) -> Vec<(Vec<String>, std::ops::Range<usize>)> {
    let w = words(code);
    let mut out = Vec::new();
    for pair in w.windows(2) {
        if pair[0].1 != "mod" {
            continue;
        }
        let (at, name) = pair[1];
        let Some((open, '{')) = next_non_space(code, at + name.len()) else {
            continue;
        };
        let mut depth = 0usize;
        let mut end = code.len();
        for (i, c) in code[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push((vec![name.to_string()], open..end));
    }
    // Nesting: a module inside another's span is its child.
    let spans: Vec<_> = out.clone();
    for (path, span) in &mut out {
        let mut parents: Vec<_> = spans
            .iter()
            .filter(|(_, s)| s.start < span.start && span.end <= s.end)
            .collect();
        parents.sort_by_key(|(_, s)| s.start);
        let mut full: Vec<String> = parents.iter().map(|(p, _)| p[0].clone()).collect();
        full.append(path);
        *path = full;
    }
    out
}

/// Every path of the code that may name a module of the crate: each leaf
/// of each `use` tree, and each inline path starting with `crate`, `super`
/// or `self`. Paths in `pub(in …)` are visibility, not imports.
fn paths(code: &str) -> Vec<(usize, Vec<String>)> {
    let w = words(code);
    let mut out = Vec::new();
    let mut in_use_until = 0;
    for (k, &(at, word)) in w.iter().enumerate() {
        if at < in_use_until {
            continue;
        }
        if word == "use" && (k == 0 || !code[..at].trim_end().ends_with("::")) {
            let end = code[at..].find(';').map_or(code.len(), |e| at + e);
            for leaf in use_tree(&code[at + 3..end]) {
                out.push((at, leaf));
            }
            in_use_until = end;
        } else if matches!(word, "crate" | "super" | "self")
            && code[at + word.len()..].starts_with("::")
            && !(at > 0 && code[..at].ends_with('$'))
            && !code[..at].trim_end().ends_with("in")
            && !code[..at].trim_end().ends_with("::")
        {
            let mut segments = vec![word.to_string()];
            let mut pos = at + word.len();
            while code[pos..].starts_with("::") {
                pos += 2;
                let seg: String = code[pos..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if seg.is_empty() {
                    break;
                }
                pos += seg.len();
                segments.push(seg);
            }
            out.push((at, segments));
        }
    }
    out
}

/// The leaves of a use tree (`a::{b, c::{d, self}}` → `a::b`, `a::c::d`,
/// `a::c`), each as its segments.
fn use_tree(tree: &str) -> Vec<Vec<String>> {
    // Aliases (`x as y`) go first: the alias is no module.
    let mut plain = String::new();
    let mut rest = tree;
    while let Some(p) = rest.find(" as ") {
        plain.push_str(&rest[..p]);
        let after = rest[p + 4..].trim_start();
        let alias = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        rest = &after[alias..];
    }
    plain.push_str(rest);
    let tree: String = plain.chars().filter(|c| !c.is_whitespace()).collect();
    let mut out = Vec::new();
    expand(&tree, Vec::new(), &mut out);
    out
}

fn expand(tree: &str, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let tree = tree.trim_start_matches("::");
    if let Some(open) = tree.find('{') {
        let mut base = prefix;
        base.extend(
            tree[..open]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(String::from),
        );
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(&inner[start..i], base.clone(), out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand(&inner[start..], base, out);
    } else if !tree.is_empty() {
        let mut path = prefix;
        for seg in tree.split("::").filter(|s| !s.is_empty()) {
            if seg != "self" || path.is_empty() {
                path.push(seg.to_string());
            }
        }
        out.push(path);
    }
}

/// The module a path from module `here` lands in: the deepest known module
/// along it. `None` for paths outside the crate.
fn resolve(
    here: &[String],
    path: &[String],
    known: &BTreeMap<Vec<String>, PathBuf>,
) -> Option<Vec<String>> {
    let mut at: Vec<String>;
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => {
            at = Vec::new();
            rest = &path[1..];
        }
        Some("self") => {
            at = here.to_vec();
            rest = &path[1..];
        }
        Some("super") => {
            at = here.to_vec();
            while rest.first().map(String::as_str) == Some("super") {
                at.pop()?;
                rest = &rest[1..];
            }
        }
        Some(first) => {
            // A relative path: a child module of this one (2018 paths).
            let mut child = here.to_vec();
            child.push(first.to_string());
            if !known.contains_key(&child) {
                return None;
            }
            at = here.to_vec();
        }
        None => return None,
    }
    for seg in rest {
        let mut next = at.clone();
        next.push(seg.clone());
        if known.contains_key(&next) {
            at = next;
        } else {
            break;
        }
    }
    Some(at)
}

/// The cycles of the file graph (each strongly connected component with
/// more than one file), each as its files with one edge that closes it.
pub fn cycles(g: &Graph) -> Vec<Vec<PathBuf>> {
    let files: BTreeSet<&PathBuf> = g.modules.iter().map(|m| &m.file).collect();
    let reach = |from: &PathBuf| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(f) = todo.pop() {
            for to in g.edges.get(&f).into_iter().flat_map(|e| e.keys()) {
                if seen.insert(to.clone()) {
                    todo.push(to.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&PathBuf, BTreeSet<PathBuf>> =
        files.iter().map(|f| (*f, reach(f))).collect();
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for f in &files {
        if done.contains(*f) || !reaches[f].contains(*f) {
            continue;
        }
        let component: Vec<PathBuf> = files
            .iter()
            .filter(|o| reaches[f].contains(**o) && reaches[*o].contains(*f))
            .map(|o| (*o).clone())
            .collect();
        done.extend(component.iter().cloned());
        out.push(component);
    }
    out
}
