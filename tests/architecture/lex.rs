//! Just enough of a Rust lexer for the architecture checks: comments are
//! dropped, string literals come out whole (with the line they start on),
//! everything else is handed over as code text with string literals blanked.

/// A string literal of the source (normal, byte or raw), its contents as
/// written (escapes not resolved) and the line it starts on.
pub struct Literal {
    pub text: String,
    pub line: usize,
}

/// A source file split into code (comments removed, each string literal
/// replaced by `""`) and its string literals.
pub struct Lexed {
    pub code: String,
    pub literals: Vec<Literal>,
}

pub fn lex(src: &str) -> Lexed {
    let b = src.as_bytes();
    let mut code = String::with_capacity(src.len());
    let mut literals = Vec::new();
    let mut i = 0;
    let mut line = 1;
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            line += 1;
            code.push('\n');
            i += 1;
        } else if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if b[i] == b'\n' {
                        line += 1;
                        code.push('\n');
                    }
                    i += 1;
                }
            }
        } else if let Some((prefix, hashes)) =
            raw_string_start(&b[i..]).filter(|_| !ident_before(b, i))
        {
            let start = i + prefix + hashes + 1;
            let close: Vec<u8> = core::iter::once(b'"')
                .chain(core::iter::repeat_n(b'#', hashes))
                .collect();
            let end = find(&b[start..], &close).map_or(b.len(), |e| start + e);
            let text = &src[start..end];
            literals.push(Literal {
                text: text.to_string(),
                line,
            });
            line += text.matches('\n').count();
            code.push_str("\"\"");
            code.extend(core::iter::repeat_n('\n', text.matches('\n').count()));
            i = (end + close.len()).min(b.len());
        } else if c == b'"' || (c == b'b' && b.get(i + 1) == Some(&b'"') && !ident_before(b, i)) {
            let start = i + if c == b'b' { 2 } else { 1 };
            let mut j = start;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            let end = j.min(b.len());
            let text = &src[start..end];
            literals.push(Literal {
                text: text.to_string(),
                line,
            });
            line += text.matches('\n').count();
            code.push_str("\"\"");
            code.extend(core::iter::repeat_n('\n', text.matches('\n').count()));
            i = end + 1;
        } else if c == b'\'' || (c == b'b' && b.get(i + 1) == Some(&b'\'') && !ident_before(b, i)) {
            // A char literal ('x', '\n', '\u{..}', b'x') or a lifetime ('a).
            let start = i + if c == b'b' { 2 } else { 1 };
            let len = if b.get(start) == Some(&b'\\') {
                b[start..]
                    .iter()
                    .position(|&x| x == b'\'')
                    .filter(|&p| p > 0)
            } else {
                let ch = src[start..].chars().next().map_or(1, char::len_utf8);
                (b.get(start + ch) == Some(&b'\'')).then_some(ch)
            };
            match len {
                Some(n) => {
                    code.push_str("' '");
                    i = start + n + 1;
                }
                None => {
                    code.push('\'');
                    i += 1;
                }
            }
        } else {
            let ch = src[i..].chars().next().unwrap_or(' ');
            code.push(ch);
            i += ch.len_utf8();
        }
    }
    Lexed { code, literals }
}

/// `r"`, `r#"`, `br##"` …: the length of the prefix before the hashes and
/// the number of hashes.
fn raw_string_start(b: &[u8]) -> Option<(usize, usize)> {
    let prefix = if b.starts_with(b"br") {
        2
    } else if b.starts_with(b"r") {
        1
    } else {
        return None;
    };
    let hashes = b[prefix..].iter().take_while(|&&x| x == b'#').count();
    (b.get(prefix + hashes) == Some(&b'"')).then_some((prefix, hashes))
}

fn ident_before(b: &[u8], i: usize) -> bool {
    i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
