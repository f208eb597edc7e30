//! The task-definition editor's text work, kept free of the browser so it is tested natively:
//! highlighting tokens, the check run as the user types (malformed JSON at its line and column,
//! then ECS's validation with the field path), and finding a field path's place in the text so
//! the editor can underline it.

use serde_json::Value;

use crate::ecs::task_definition;
use crate::engine::ApiError;

/// The editor refuses text longer than this: ECS's own limit on a task definition is 64 KiB,
/// and pasted describe output adds a little around it (style rule 14).
pub const EDITOR_BYTES_MAX: usize = 128 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// An object key (a string followed by `:`).
    Key,
    String,
    Number,
    /// `true`, `false`, `null`.
    Literal,
    Punctuation,
    /// Whitespace and anything JSON does not allow (left for the checker to report).
    Other,
}

impl TokenKind {
    /// The CSS class the overlay gives the token.
    pub fn class(self) -> &'static str {
        match self {
            TokenKind::Key => "tok-key",
            TokenKind::String => "tok-string",
            TokenKind::Number => "tok-number",
            TokenKind::Literal => "tok-literal",
            TokenKind::Punctuation => "tok-punct",
            TokenKind::Other => "tok-other",
        }
    }
}

/// A run of text, by byte offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

/// Splits `text` into highlighting tokens that cover it exactly, in order. Tolerant: an
/// unterminated string runs to the end of its line.
pub fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let kind = match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                if next_non_space(bytes, i) == Some(b':') {
                    TokenKind::Key
                } else {
                    TokenKind::String
                }
            }
            b'-' | b'0'..=b'9' => {
                while i < bytes.len()
                    && matches!(bytes[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                TokenKind::Number
            }
            b'{' | b'}' | b'[' | b']' | b':' | b',' => {
                i += 1;
                TokenKind::Punctuation
            }
            b't' | b'f' | b'n'
                if ["true", "false", "null"]
                    .iter()
                    .any(|w| text[i..].starts_with(w)) =>
            {
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                TokenKind::Literal
            }
            _ => {
                i += 1;
                // Keep multi-byte characters whole, so every token boundary is a char boundary.
                while i < bytes.len() && !text.is_char_boundary(i) {
                    i += 1;
                }
                TokenKind::Other
            }
        };
        let end = i.min(bytes.len());
        match out.last_mut() {
            Some(last) if last.kind == TokenKind::Other && kind == TokenKind::Other => {
                last.end = end
            }
            _ => out.push(Token { kind, start, end }),
        }
    }
    out
}

fn next_non_space(bytes: &[u8], mut i: usize) -> Option<u8> {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    bytes.get(i).copied()
}

/// Byte offset of a 1-based line and column (column counted in characters, as serde_json
/// reports it), clamped to the text.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (n, l) in text.split_inclusive('\n').enumerate() {
        if n + 1 == line {
            let col = column.saturating_sub(1);
            return offset
                + l.char_indices()
                    .nth(col)
                    .map_or(l.trim_end_matches('\n').len(), |(i, _)| i);
        }
        offset += l.len();
    }
    text.len()
}

/// 1-based line and column of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// What the editor shows under its text.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// Empty text: nothing to say yet.
    Empty,
    TooLarge {
        bytes: usize,
    },
    /// Not JSON: where and why.
    Syntax {
        line: usize,
        column: usize,
        offset: usize,
        message: String,
    },
    /// JSON that ECS refuses: its error, with where the field is in the text when found.
    Invalid {
        error: ApiError,
        span: Option<(usize, usize)>,
    },
    /// A definition ECS accepts: its family, and whether it was `describe-task-definition` output.
    Valid {
        family: String,
        from_describe_output: bool,
    },
}

impl Check {
    pub fn is_valid(&self) -> bool {
        matches!(self, Check::Valid { .. })
    }
}

/// A size in plain words: `812 bytes`, `200.5 KiB`, `1.9 MiB`.
pub fn size_words(bytes: usize) -> String {
    const KIB: usize = 1024;
    match bytes {
        b if b < KIB => format!("{b} bytes"),
        b if b < KIB * KIB => format!("{:.1} KiB", b as f64 / KIB as f64),
        b => format!("{:.1} MiB", b as f64 / (KIB * KIB) as f64),
    }
}

/// Checks the editor's text as RegisterTaskDefinition would.
pub fn check(text: &str) -> Check {
    if text.trim().is_empty() {
        return Check::Empty;
    }
    if text.len() > EDITOR_BYTES_MAX {
        return Check::TooLarge { bytes: text.len() };
    }
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(err) => return syntax(text, &err),
    };
    match task_definition::validate(&value) {
        Ok(definition) => Check::Valid {
            family: definition.family.clone(),
            from_describe_output: is_describe_output(&value),
        },
        Err(error) => {
            let span = error.path.as_deref().and_then(|path| {
                let path = if is_describe_output(&value) {
                    path.replacen('$', "$.taskDefinition", 1)
                } else {
                    path.to_string()
                };
                locate(text, &path)
            });
            Check::Invalid { error, span }
        }
    }
}

fn is_describe_output(value: &Value) -> bool {
    value.get("taskDefinition").is_some_and(Value::is_object)
}

fn syntax(text: &str, err: &serde_json::Error) -> Check {
    Check::Syntax {
        line: err.line(),
        column: err.column(),
        offset: offset_of(text, err.line(), err.column()),
        message: crate::scenario::json_error_message(err),
    }
}

/// The byte range in `text` of the member a JSON path names (`$.containerDefinitions[0].memory`):
/// from its key to the end of its value. When that member is absent, the nearest enclosing one
/// that is present.
pub fn locate(text: &str, path: &str) -> Option<(usize, usize)> {
    let wanted = parse_path(path)?;
    let mut spans = Vec::new();
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        i: 0,
    };
    scanner.value(&mut Vec::new(), None, &mut spans)?;
    (0..=wanted.len()).rev().find_map(|n| {
        spans
            .iter()
            .find(|(p, _)| p.as_slice() == &wanted[..n])
            .map(|(_, span)| *span)
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

fn parse_path(path: &str) -> Option<Vec<Segment>> {
    let rest = path.strip_prefix('$')?;
    let mut out = Vec::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                let mut key = String::new();
                while let Some(&c) = chars.peek() {
                    if c == '.' || c == '[' {
                        break;
                    }
                    key.push(c);
                    chars.next();
                }
                out.push(Segment::Key(key));
            }
            '[' => {
                let digits: String = chars.by_ref().take_while(|&c| c != ']').collect();
                out.push(Segment::Index(digits.parse().ok()?));
            }
            _ => return None,
        }
    }
    Some(out)
}

/// A forgiving JSON walk that records where each member is; it gives up (None) on text that is
/// not JSON, which `check` has reported already.
struct Scanner<'a> {
    bytes: &'a [u8],
    i: usize,
}

type Spans = Vec<(Vec<Segment>, (usize, usize))>;

impl Scanner<'_> {
    fn skip_space(&mut self) {
        while self.i < self.bytes.len() && self.bytes[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    /// Scans one value at `path`; `key_start` is where its key began, if it has one.
    fn value(
        &mut self,
        path: &mut Vec<Segment>,
        key_start: Option<usize>,
        spans: &mut Spans,
    ) -> Option<()> {
        self.skip_space();
        let start = key_start.unwrap_or(self.i);
        match *self.bytes.get(self.i)? {
            b'{' => {
                self.i += 1;
                loop {
                    self.skip_space();
                    if self.bytes.get(self.i) == Some(&b'}') {
                        self.i += 1;
                        break;
                    }
                    let key_at = self.i;
                    let key = self.string()?;
                    self.skip_space();
                    (self.bytes.get(self.i) == Some(&b':')).then_some(())?;
                    self.i += 1;
                    path.push(Segment::Key(key));
                    self.value(path, Some(key_at), spans)?;
                    path.pop();
                    self.skip_space();
                    match self.bytes.get(self.i)? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut n = 0;
                loop {
                    self.skip_space();
                    if self.bytes.get(self.i) == Some(&b']') {
                        self.i += 1;
                        break;
                    }
                    path.push(Segment::Index(n));
                    self.value(path, None, spans)?;
                    path.pop();
                    n += 1;
                    self.skip_space();
                    match self.bytes.get(self.i)? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
            }
            b'"' => {
                self.string()?;
            }
            _ => {
                while self.i < self.bytes.len()
                    && !matches!(self.bytes[self.i], b',' | b'}' | b']')
                    && !self.bytes[self.i].is_ascii_whitespace()
                {
                    self.i += 1;
                }
            }
        }
        spans.push((path.clone(), (start, self.i)));
        Some(())
    }

    fn string(&mut self) -> Option<String> {
        (self.bytes.get(self.i) == Some(&b'"')).then_some(())?;
        let start = self.i;
        self.i += 1;
        while *self.bytes.get(self.i)? != b'"' {
            self.i += if self.bytes[self.i] == b'\\' { 2 } else { 1 };
        }
        self.i += 1;
        let raw = std::str::from_utf8(&self.bytes[start..self.i]).ok()?;
        serde_json::from_str(raw).ok()
    }
}

/// The example the editor starts with: a small web server that registers as it is.
pub const EXAMPLE_TASK_DEFINITION: &str = r#"{
  "family": "web",
  "requiresCompatibilities": ["EC2"],
  "networkMode": "bridge",
  "containerDefinitions": [
    {
      "name": "web",
      "image": "public.ecr.aws/nginx/nginx:1.27",
      "cpu": 256,
      "memoryReservation": 512,
      "essential": true,
      "portMappings": [{ "containerPort": 80, "hostPort": 0, "protocol": "tcp" }]
    }
  ]
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_cover_the_text_and_tell_keys_from_values() {
        let text = "{ \"cpu\": 256, \"name\": \"web\", \"ok\": true }";
        let toks = tokens(text);
        let joined: String = toks.iter().map(|t| &text[t.start..t.end]).collect();
        assert_eq!(joined, text);
        let kinds: Vec<_> = toks
            .iter()
            .filter(|t| t.kind != TokenKind::Other)
            .map(|t| (t.kind, &text[t.start..t.end]))
            .collect();
        assert!(kinds.contains(&(TokenKind::Key, "\"cpu\"")));
        assert!(kinds.contains(&(TokenKind::Number, "256")));
        assert!(kinds.contains(&(TokenKind::String, "\"web\"")));
        assert!(kinds.contains(&(TokenKind::Literal, "true")));
    }

    #[test]
    fn offsets_and_line_columns_round_trip() {
        let text = "{\n  \"a\": 1,\n  \"é\": x\n}";
        let offset = offset_of(text, 3, 8);
        assert_eq!(&text[offset..offset + 1], "x");
        assert_eq!(line_column(text, offset), (3, 8));
    }

    #[test]
    fn locate_finds_a_member_or_its_nearest_parent() {
        let text =
            "{\"containerDefinitions\": [{\"name\": \"a\"}, {\"name\": \"b\", \"memory\": 0}]}";
        let (start, end) = locate(text, "$.containerDefinitions[1].memory").unwrap();
        assert_eq!(&text[start..end], "\"memory\": 0");
        let (start, end) = locate(text, "$.containerDefinitions[1].cpu").unwrap();
        assert_eq!(&text[start..end], "{\"name\": \"b\", \"memory\": 0}");
    }
}
