//! Splitting a document into the raw JSON of its objects.
//!
//! A document is a bundle (its `objects` are taken), a JSON array of objects,
//! a single object, or JSON Lines (one object per line; blank lines are
//! ignored). The parts are returned as raw JSON so each object's bytes are
//! kept exactly. The JSON parser limits nesting to 128 levels, so hostile
//! input cannot exhaust the stack.

use serde::Deserialize;
use serde_json::value::RawValue;

/// Why a document could not be split, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct DocumentError {
    /// 1-based line of the problem.
    pub line: usize,
    /// 1-based column of the problem.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl DocumentError {
    fn from_json(e: &serde_json::Error, line_offset: usize) -> DocumentError {
        DocumentError {
            line: e.line() + line_offset,
            column: e.column(),
            message: e.to_string(),
        }
    }
}

/// What we need to see of a top-level value to know whether it is a bundle.
#[derive(Deserialize)]
struct Peek<'a> {
    #[serde(rename = "type", borrow, default)]
    object_type: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    objects: Option<Box<RawValue>>,
}

/// Splits a document into its objects' raw JSON.
///
/// A document that is one JSON value is opened when it is a bundle (its
/// `objects`) or an array (its members), and otherwise taken as one object.
/// A document of several values is JSON Lines: each value is one object, a
/// bundle among them included (validating it checks its members). Members
/// are returned in order; one that is not an object is still returned, so it
/// is reported per object by [`crate::StixObject::parse`].
pub fn split_document(text: &str) -> Result<Vec<Box<RawValue>>, DocumentError> {
    let mut values = Vec::new();
    for item in serde_json::Deserializer::from_str(text).into_iter::<Box<RawValue>>() {
        values.push(item.map_err(|e| DocumentError::from_json(&e, 0))?);
    }
    if values.len() != 1 {
        return Ok(values);
    }
    let Some(only) = values.pop() else {
        return Ok(values);
    };
    open_value(only, text)
}

/// Opens a lone top-level value: arrays and bundles yield their members.
fn open_value(raw: Box<RawValue>, text: &str) -> Result<Vec<Box<RawValue>>, DocumentError> {
    let line = line_of(text, raw.get());
    let trimmed = raw.get().trim_start();
    if trimmed.starts_with('[') {
        return serde_json::from_str(raw.get()).map_err(|e| DocumentError::from_json(&e, line - 1));
    }
    if trimmed.starts_with('{') {
        if let Ok(peek) = serde_json::from_str::<Peek<'_>>(raw.get()) {
            if peek.object_type.as_deref() == Some("bundle") {
                let Some(objects) = peek.objects else {
                    return Ok(Vec::new());
                };
                return serde_json::from_str(objects.get()).map_err(|_| DocumentError {
                    line,
                    column: 1,
                    message: "a bundle's objects must be a list".into(),
                });
            }
        }
    }
    Ok(vec![raw])
}

/// The 1-based line on which `part` (a slice of `text`) starts.
fn line_of(text: &str, part: &str) -> usize {
    let offset = (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(doc: &str) -> Vec<String> {
        split_document(doc)
            .expect("splits")
            .iter()
            .map(|r| r.get().to_owned())
            .collect()
    }

    #[test]
    fn bundle_array_single_and_lines() {
        let bundle = r#"{"type": "bundle", "id": "bundle--1", "objects": [ {"a":1}, {"b": 2} ]}"#;
        assert_eq!(texts(bundle), vec![r#"{"a":1}"#, r#"{"b": 2}"#]);
        assert_eq!(
            texts(r#"[{"a":1},{"b":2}]"#),
            vec![r#"{"a":1}"#, r#"{"b":2}"#]
        );
        assert_eq!(
            texts(r#" {"type": "x-foo"} "#),
            vec![r#"{"type": "x-foo"}"#]
        );
        let lines = "{\"a\":1}\n\n  \n{\"b\" : 2}\n";
        assert_eq!(texts(lines), vec![r#"{"a":1}"#, r#"{"b" : 2}"#]);
        assert!(texts("  \n").is_empty());
        // In JSON Lines a bundle is one object; alone, it is opened.
        let mixed = format!("{bundle}\n{{\"a\":1}}");
        assert_eq!(texts(&mixed), vec![bundle, r#"{"a":1}"#]);
    }

    #[test]
    fn errors_name_the_line() {
        let err = split_document("{\"a\":1}\n{\"b\":2}\n{\"c\":\n").expect_err("truncated");
        assert_eq!(err.line, 4);
        let err = split_document("{\"a\":1}\n{\"b\" 2}\n").expect_err("syntax");
        assert_eq!((err.line, err.column), (2, 6));
        assert!(err.to_string().starts_with("line 2, column 6: "), "{err}");
        let err = split_document("{\"type\":\"bundle\",\"objects\":{}}").expect_err("objects");
        assert!(err.message.contains("must be a list"), "{err}");
    }
}
