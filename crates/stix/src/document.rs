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
/// Accepts a bundle (its `objects`), a JSON array, a single object, or JSON
/// Lines. A bundle's or array's members are returned in order; anything
/// that is not itself an array is returned as one member, so a member that
/// is not an object is still reported per object by [`crate::StixObject::parse`].
pub fn split_document(text: &str) -> Result<Vec<Box<RawValue>>, DocumentError> {
    let mut out = Vec::new();
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<Box<RawValue>>();
    let mut count = 0usize;
    for item in values.by_ref() {
        let raw = item.map_err(|e| DocumentError::from_json(&e, 0))?;
        count += 1;
        push_value(raw, text, &mut out, count)?;
    }
    Ok(out)
}

/// Adds one top-level value: arrays and bundles are opened, others kept whole.
fn push_value(
    raw: Box<RawValue>,
    text: &str,
    out: &mut Vec<Box<RawValue>>,
    ordinal: usize,
) -> Result<(), DocumentError> {
    let line = line_of(text, raw.get());
    let trimmed = raw.get().trim_start();
    if trimmed.starts_with('[') {
        // Only a lone top-level array is a document of objects; arrays in
        // JSON Lines would be ambiguous, so they are opened the same way.
        let items: Vec<Box<RawValue>> =
            serde_json::from_str(raw.get()).map_err(|e| DocumentError::from_json(&e, line - 1))?;
        out.extend(items);
        return Ok(());
    }
    if trimmed.starts_with('{') {
        if let Ok(peek) = serde_json::from_str::<Peek<'_>>(raw.get()) {
            if peek.object_type.as_deref() == Some("bundle") {
                if let Some(objects) = peek.objects {
                    let items: Vec<Box<RawValue>> = serde_json::from_str(objects.get())
                        .map_err(|_| DocumentError {
                            line,
                            column: 1,
                            message: format!("value {ordinal}: a bundle's objects must be a list"),
                        })?;
                    out.extend(items);
                }
                return Ok(());
            }
        }
    }
    out.push(raw);
    Ok(())
}

/// The 1-based line on which `part` (a slice of `text`) starts.
fn line_of(text: &str, part: &str) -> usize {
    let offset = (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    let offset = offset.min(text.len());
    text.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count() + 1
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
        assert_eq!(texts(r#"[{"a":1},{"b":2}]"#), vec![r#"{"a":1}"#, r#"{"b":2}"#]);
        assert_eq!(texts(r#" {"type": "x-foo"} "#), vec![r#"{"type": "x-foo"}"#]);
        let lines = "{\"a\":1}\n\n  \n{\"b\" : 2}\n";
        assert_eq!(texts(lines), vec![r#"{"a":1}"#, r#"{"b" : 2}"#]);
        assert!(texts("  \n").is_empty());
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
