//! The shape of the source tree, checked: imports run one way (no circle
//! of modules in the driver, the simulator or the fuzz crate), AT command
//! text lives only in the driver's `command/`, no source file is over 500
//! lines and every module opens with what it is for.

mod architecture {
    pub mod graph;
    pub mod lex;
}

use std::collections::{BTreeMap, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};

use architecture::graph::{crate_graph, cycles, Graph};
use architecture::lex::lex;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in fs::read_dir(&d).expect("a source directory") {
            let p = entry.expect("a directory entry").path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn relative(p: &Path) -> String {
    p.strip_prefix(repo()).unwrap_or(p).display().to_string()
}

const TREES: [&str; 3] = ["src", "sim/src", "fuzz/src"];

#[test]
fn no_module_imports_in_a_circle() {
    let mut report = String::new();
    for tree in TREES {
        let g = crate_graph(&repo().join(tree));
        for component in cycles(&g) {
            report.push_str(&format!(
                "{tree}: {} files import each other, for one:\n",
                component.len()
            ));
            // ARCHITECTURE_ALL_EDGES=1: every import inside the circle, to
            // plan where it breaks.
            let edges = if std::env::var_os("ARCHITECTURE_ALL_EDGES").is_some() {
                component
                    .iter()
                    .flat_map(|from| {
                        g.edges
                            .get(from)
                            .into_iter()
                            .flatten()
                            .filter(|(to, _)| component.contains(to))
                            .map(|(to, line)| (from.clone(), to.clone(), *line))
                    })
                    .collect()
            } else {
                shortest_circle(&g, &component)
            };
            for (from, to, line) in edges {
                report.push_str(&format!(
                    "  {}:{line} imports {}\n",
                    relative(&from),
                    relative(&to)
                ));
            }
        }
    }
    assert!(report.is_empty(), "{report}");
}

/// The lines of the `#[cfg(test)]` inline modules of some code.
fn test_lines(code: &str) -> Vec<std::ops::RangeInclusive<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("#[cfg(test)]").map(|p| from + p) {
        from = at + 1;
        let after = code[at + 12..].trim_start();
        if !after.starts_with("mod ") {
            continue;
        }
        let Some(open) = code[at..].find('{').map(|p| at + p) else {
            break;
        };
        let mut depth = 0;
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
        let line = |p: usize| code[..p].matches('\n').count() + 1;
        out.push(line(at)..=line(end));
    }
    out
}

/// The shortest circle through the first file of `component`, as edges.
fn shortest_circle(g: &Graph, component: &[PathBuf]) -> Vec<(PathBuf, PathBuf, usize)> {
    let start = &component[0];
    let mut came_from: BTreeMap<PathBuf, (PathBuf, usize)> = BTreeMap::new();
    let mut queue = VecDeque::from([start.clone()]);
    while let Some(f) = queue.pop_front() {
        for (to, &line) in g.edges.get(&f).into_iter().flatten() {
            if !component.contains(to) || came_from.contains_key(to) {
                continue;
            }
            came_from.insert(to.clone(), (f.clone(), line));
            if to == start {
                let mut edges = Vec::new();
                let mut at = start.clone();
                loop {
                    let (prev, line) = came_from[&at].clone();
                    edges.push((prev.clone(), at, line));
                    if prev == *start {
                        break;
                    }
                    at = prev;
                }
                edges.reverse();
                return edges;
            }
            queue.push_back(to.clone());
        }
    }
    Vec::new()
}

/// An AT command as the driver would write it: `AT` alone or followed by
/// what starts a command (`+`, `&`, a basic command letter, `\r`).
fn is_at_command(literal: &str) -> bool {
    let text = literal.trim_start_matches("\\r").trim_start_matches("\\n");
    let Some(rest) = text.strip_prefix("AT") else {
        return false;
    };
    let basic = |r: &str| {
        let mut c = r.chars();
        c.next().is_some_and(|l| "EOIZVQ".contains(l))
            && c.next()
                .is_none_or(|n| n.is_ascii_digit() || n == '\\' || n == ';')
    };
    rest.is_empty() || rest.starts_with(['+', '&', '\\']) || basic(rest)
}

#[test]
fn at_command_text_lives_only_in_command() {
    let command = repo().join("src/command");
    let mut found = Vec::new();
    for file in sources(&repo().join("src")) {
        if file.starts_with(&command) {
            continue;
        }
        // Test input (the echo a module would send): a `tests.rs` file, or
        // one of the files its tests are split into, in its `tests/` folder.
        let test_file = file.file_name().is_some_and(|n| n == "tests.rs")
            || file.parent().is_some_and(|dir| dir.ends_with("tests"));
        if test_file {
            continue;
        }
        let src = fs::read_to_string(&file).expect("readable source");
        let lexed = lex(&src);
        let tests = test_lines(&lexed.code);
        for lit in lexed.literals {
            if is_at_command(&lit.text) && !tests.iter().any(|r| r.contains(&lit.line)) {
                found.push(format!(
                    "{}:{}: \"{}\"",
                    relative(&file),
                    lit.line,
                    lit.text
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "AT command text outside src/command/:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_source_file_is_over_500_lines() {
    let mut long = Vec::new();
    for tree in TREES {
        for file in sources(&repo().join(tree)) {
            let lines = fs::read_to_string(&file).expect("readable").lines().count();
            if lines > 500 {
                long.push(format!("{} ({lines} lines)", relative(&file)));
            }
        }
    }
    assert!(long.is_empty(), "over 500 lines:\n{}", long.join("\n"));
}

#[test]
fn every_module_opens_with_what_it_is_for() {
    let mut bare = Vec::new();
    for tree in TREES {
        for file in sources(&repo().join(tree)) {
            let src = fs::read_to_string(&file).expect("readable");
            // `#![doc = include_str!(..)]` is a module doc too.
            let first = src
                .lines()
                .find(|l| {
                    !l.trim().is_empty() && (l.starts_with("#![doc") || !l.starts_with("#!["))
                })
                .unwrap_or("");
            if !first.starts_with("//!") && !first.starts_with("#![doc") {
                bare.push(relative(&file));
            }
        }
    }
    assert!(bare.is_empty(), "no module doc:\n{}", bare.join("\n"));
}

#[test]
fn the_checks_see_what_they_look_for() {
    // The lexer keeps comments out and literals whole.
    let l = lex("// \"AT+X\"\nlet a = b\"AT+QIACT?\\r\"; /* \"ATE0\" */ let c = 'a';");
    let texts: Vec<_> = l.literals.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts, ["AT+QIACT?\\r"]);
    assert!(is_at_command("AT+QSSLSTATE"));
    assert!(is_at_command("\\rAT\\r"));
    assert!(is_at_command("AT"));
    assert!(!is_at_command("ATTACH"));
    assert!(is_at_command("ATE0"));
    assert!(is_at_command("ATO\\r"));
    assert!(!is_at_command("ATO can't return"));
    assert!(!is_at_command("+QSSLRECV: "));
}

/// The doc lines right above `struct name` in `src` (attributes skipped).
fn struct_doc(src: &str, name: &str) -> Option<String> {
    let lines: Vec<&str> = src.lines().collect();
    let at = lines.iter().position(|l| {
        let l = l.trim_start();
        let rest = l
            .strip_prefix("pub struct ")
            .or_else(|| l.strip_prefix("pub(crate) struct "))
            .or_else(|| l.strip_prefix("struct "));
        rest.is_some_and(|r| {
            r.strip_prefix(name)
                .is_some_and(|after| after.starts_with(['<', ' ', ';', '{', '(']))
        })
    })?;
    let mut doc = Vec::new();
    for l in lines[..at].iter().rev() {
        let l = l.trim();
        if l.starts_with("#[") {
            continue;
        }
        match l.strip_prefix("///") {
            Some(d) => doc.push(d.trim().to_string()),
            None => break,
        }
    }
    doc.reverse();
    Some(doc.join(" "))
}

#[test]
fn each_command_doc_opens_with_its_at_form() {
    let mut bare = Vec::new();
    let mut commands = 0;
    for file in sources(&repo().join("src/command")) {
        let src = fs::read_to_string(&file).expect("readable");
        for (at, _) in src.match_indices("AtCommand for ") {
            // A command of the user's in a doc example is not one of ours.
            let line_start = src[..at].rfind('\n').map_or(0, |p| p + 1);
            if src[line_start..at].trim_start().starts_with("//") {
                continue;
            }
            let name: String = src[at + 14..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let block_end = src[at..].find("\n}\n").map_or(src.len(), |e| at + e);
            // A data phase (bytes after `> ` or `CONNECT`) and a fold of a
            // list command have no line of their own.
            if src[at..block_end].contains("DATA_PHASE: bool = true") || name == "Fold" {
                continue;
            }
            commands += 1;
            match struct_doc(&src, &name) {
                Some(doc) if doc.starts_with("`AT") => {}
                doc => bare.push(format!("{} {name}: {doc:?}", relative(&file))),
            }
        }
    }
    assert!(
        commands >= 30,
        "only {commands} commands found: the scan is broken"
    );
    assert!(
        bare.is_empty(),
        "command docs that do not open with the AT form:\n{}",
        bare.join("\n")
    );
}
