//! Comparing the values an object path reaches with a test's operand, with the type rules of
//! the reference matcher, and decoding `_hex`/`_bin` properties (the path walk itself is in
//! [`super::cond`]).

use std::cmp::Ordering;
use std::sync::Arc;

use serde_json::{Number, Value};

use super::EvalError;
use crate::ast::*;
use crate::check::parse_ip_or_net;
use crate::regex::{Compiled, compile_like, compile_matches, nfc};
use crate::timestamp::Timestamp;

/// A value reached by an object path.
pub(super) enum Node<'a> {
    /// A JSON value of an object.
    Json(&'a Value),
    /// A binary value: a `_hex` or `_bin` property, decoded.
    Bytes(Vec<u8>),
    /// The objects a `_refs` list resolved to, as a list that later steps may index.
    Refs(Vec<&'a Value>),
}

/// Checks and compiles a test's operand, so that errors surface whatever the data holds.
pub(super) fn prepare(op: &TestOp) -> Result<(), EvalError> {
    Predicate::new(op).map(|_| ())
}

/// A test's operand, prepared once per test and evaluation.
pub(super) enum Predicate<'p> {
    Compare(CompareOp, &'p LiteralValue),
    In(&'p [Literal]),
    Like(Arc<Compiled>, bool),
    Matches(Arc<Compiled>),
    Subset(ipnet::IpNet),
    Superset(ipnet::IpNet),
    /// An address operand that is no address: nothing is inside or around it.
    Never,
}

impl<'p> Predicate<'p> {
    /// Prepares `op`, compiling its regular expression or parsing its address.
    pub(super) fn new(op: &'p TestOp) -> Result<Predicate<'p>, EvalError> {
        Ok(match op {
            TestOp::Compare(op, lit) => Predicate::Compare(*op, &lit.value),
            TestOp::In(items) => {
                homogeneous(items)?;
                Predicate::In(items)
            }
            TestOp::Like(s) => {
                let latin1 = s.value.chars().all(|c| (c as u32) < 256);
                Predicate::Like(compiled(s, compile_like)?, latin1)
            }
            TestOp::Matches(s) => Predicate::Matches(compiled(s, compile_matches)?),
            TestOp::IsSubset(s) => {
                parse_ip_or_net(&s.value).map_or(Predicate::Never, Predicate::Subset)
            }
            TestOp::IsSuperset(s) => {
                parse_ip_or_net(&s.value).map_or(Predicate::Never, Predicate::Superset)
            }
            TestOp::Exists => Predicate::Never,
        })
    }

    /// Whether the value `node` passes the test.
    pub(super) fn holds(&self, node: &Node<'_>) -> bool {
        match self {
            Predicate::Compare(CompareOp::Eq, lit) => equal(node, lit),
            Predicate::Compare(CompareOp::Ne, lit) => !equal(node, lit),
            Predicate::Compare(op, lit) => order(node, lit).is_some_and(|o| match op {
                CompareOp::Lt => o == Ordering::Less,
                CompareOp::Le => o != Ordering::Greater,
                CompareOp::Gt => o == Ordering::Greater,
                _ => o != Ordering::Less,
            }),
            Predicate::In(items) => items.iter().any(|l| member(node, &l.value)),
            Predicate::Like(re, latin1) => match node {
                Node::Json(Value::String(s)) => re.text.is_match(&nfc(s)),
                // A binary value is read as UTF-8 text when the operand could be bytes.
                Node::Bytes(b) if *latin1 => {
                    std::str::from_utf8(b).is_ok_and(|s| re.text.is_match(&nfc(s)))
                }
                _ => false,
            },
            Predicate::Matches(re) => match node {
                Node::Json(Value::String(s)) => re.text.is_match(&nfc(s)),
                Node::Bytes(b) => re.bytes.as_ref().is_some_and(|r| r.is_match(b)),
                _ => false,
            },
            Predicate::Subset(net) => address(node).is_some_and(|v| contains(net, &v)),
            Predicate::Superset(net) => address(node).is_some_and(|v| contains(&v, net)),
            Predicate::Never => false,
        }
    }
}

/// The operand's compiled expressions, compiled on first use and cached in the tree.
fn compiled(
    s: &TextOperand,
    compile: fn(&str) -> Result<Compiled, crate::regex::RegexError>,
) -> Result<Arc<Compiled>, EvalError> {
    let cached = s.compiled.get_or_init(|| {
        compile(&s.value).map(Arc::new).map_err(|e| match e {
            crate::regex::RegexError::Invalid(m) | crate::regex::RegexError::Unsupported(m) => m,
        })
    });
    cached
        .clone()
        .map_err(|m| EvalError::InvalidPattern(format!("'{}': {m}", s.value)))
}

fn homogeneous(items: &[Literal]) -> Result<(), EvalError> {
    let Some(first) = items.first() else {
        return Ok(());
    };
    let mixed = items
        .iter()
        .any(|l| !crate::check::same_set_type(&first.value, &l.value));
    if mixed {
        return Err(EvalError::InvalidPattern(
            "a set mixes values of different types".to_owned(),
        ));
    }
    Ok(())
}

/// A number as the reference matcher's Python sees it: an exact integer or a float.
#[derive(Clone, Copy)]
enum Num {
    Int(i128),
    Float(f64),
}

fn json_num(n: &Number) -> Option<Num> {
    if let Some(i) = n.as_i64() {
        Some(Num::Int(i128::from(i)))
    } else if let Some(u) = n.as_u64() {
        Some(Num::Int(i128::from(u)))
    } else {
        n.as_f64().map(Num::Float)
    }
}

fn lit_num(v: &LiteralValue) -> Option<Num> {
    match v {
        LiteralValue::Int(i) => Some(Num::Int(i128::from(*i))),
        LiteralValue::Float(f) => Some(Num::Float(*f)),
        _ => None,
    }
}

/// Exact comparison of an integer and a float, as Python does it (no rounding of the integer).
fn num_cmp(a: Num, b: Num) -> Option<Ordering> {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
        (Num::Float(x), Num::Float(y)) => x.partial_cmp(&y),
        (Num::Int(x), Num::Float(y)) => int_float_cmp(x, y),
        (Num::Float(x), Num::Int(y)) => int_float_cmp(y, x).map(Ordering::reverse),
    }
}

fn int_float_cmp(i: i128, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    // Every i128 lies strictly inside ±1.7e38; floats beyond that are ordered by sign alone.
    if f >= 1.7e38 {
        return Some(Ordering::Less);
    }
    if f <= -1.7e38 {
        return Some(Ordering::Greater);
    }
    let whole = f.trunc();
    match i.cmp(&(whole as i128)) {
        Ordering::Equal => (0.0f64).partial_cmp(&(f - whole)),
        other => Some(other),
    }
}

/// A string as bytes for comparison with a binary value: allowed only when every character is
/// below 256, each standing for one byte.
fn latin1(s: &str) -> Option<Vec<u8>> {
    s.chars().map(|c| u8::try_from(c as u32).ok()).collect()
}

/// A string value read as a timestamp, for comparison with a timestamp literal.
fn json_timestamp(node: &Node<'_>) -> Option<Timestamp> {
    match node {
        Node::Json(Value::String(s)) => Timestamp::parse(s).ok(),
        _ => None,
    }
}

fn equal(node: &Node<'_>, lit: &LiteralValue) -> bool {
    order_or_equal(node, lit, true) == Some(Ordering::Equal)
}

fn order(node: &Node<'_>, lit: &LiteralValue) -> Option<Ordering> {
    order_or_equal(node, lit, false)
}

/// Compares a value with a literal where the reference matcher's type table allows it;
/// `None` means the types do not compare (so `=` and ordering are false, `!=` true).
/// Booleans compare only for equality.
fn order_or_equal(node: &Node<'_>, lit: &LiteralValue, equality: bool) -> Option<Ordering> {
    match (node, lit) {
        (Node::Json(Value::Number(n)), LiteralValue::Int(_) | LiteralValue::Float(_)) => {
            num_cmp(json_num(n)?, lit_num(lit)?)
        }
        (Node::Json(Value::String(s)), LiteralValue::Str(l)) => Some(s.as_str().cmp(l.as_str())),
        (Node::Json(Value::Bool(b)), LiteralValue::Bool(l)) if equality => Some(b.cmp(l)),
        (Node::Json(Value::String(s)), LiteralValue::Hex(l) | LiteralValue::Binary(l)) => {
            Some(latin1(s)?.as_slice().cmp(l.as_slice()))
        }
        (Node::Bytes(b), LiteralValue::Hex(l) | LiteralValue::Binary(l)) => {
            Some(b.as_slice().cmp(l.as_slice()))
        }
        (Node::Bytes(b), LiteralValue::Str(l)) => Some(b.as_slice().cmp(latin1(l)?.as_slice())),
        (_, LiteralValue::Timestamp(l)) => Some(json_timestamp(node)?.cmp(l)),
        _ => None,
    }
}

/// Set membership with Python's `in` on a set: numbers and booleans are equal by value
/// (`true` is 1), strings only to strings, bytes only to bytes, and string values are read as
/// timestamps when the set holds timestamps.
fn member(node: &Node<'_>, lit: &LiteralValue) -> bool {
    let as_num = |v: &Value| match v {
        Value::Number(n) => json_num(n),
        Value::Bool(b) => Some(Num::Int(i128::from(*b))),
        _ => None,
    };
    let lit_as_num = match lit {
        LiteralValue::Bool(b) => Some(Num::Int(i128::from(*b))),
        other => lit_num(other),
    };
    match (node, lit) {
        (Node::Json(v @ (Value::Number(_) | Value::Bool(_))), _) => match (as_num(v), lit_as_num) {
            (Some(a), Some(b)) => num_cmp(a, b) == Some(Ordering::Equal),
            _ => false,
        },
        (Node::Json(Value::String(s)), LiteralValue::Str(l)) => s == l,
        (Node::Json(Value::String(_)), LiteralValue::Timestamp(l)) => {
            json_timestamp(node).is_some_and(|t| t == *l)
        }
        (Node::Bytes(b), LiteralValue::Hex(l) | LiteralValue::Binary(l)) => b == l,
        _ => false,
    }
}

fn address(node: &Node<'_>) -> Option<ipnet::IpNet> {
    match node {
        Node::Json(Value::String(s)) => parse_ip_or_net(s),
        _ => None,
    }
}

/// Whether `outer` contains all of `inner` (same address family, no longer prefix).
fn contains(outer: &ipnet::IpNet, inner: &ipnet::IpNet) -> bool {
    outer.prefix_len() <= inner.prefix_len() && outer.trunc().contains(&inner.addr())
}

pub(super) fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if b.len() % 2 != 0 {
        return None;
    }
    b.chunks(2)
        .map(|p| Some((char::from(p[0]).to_digit(16)? * 16 + char::from(p[1]).to_digit(16)?) as u8))
        .collect()
}

/// Base64 as Python's `base64.standard_b64decode` reads it: characters outside the alphabet
/// are skipped, and the data must then come in whole groups of four (padding included).
pub(super) fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let clean: Vec<u8> = s
        .bytes()
        .filter(|&c| crate::literal::base64_value(c).is_some() || c == b'=')
        .collect();
    let data_len = clean.iter().position(|&c| c == b'=').unwrap_or(clean.len());
    let pad = clean.len() - data_len;
    if clean[data_len..].iter().any(|&c| c != b'=')
        || clean.len() % 4 != 0
        || pad > 2
        || (pad > 0 && data_len % 4 == 0)
    {
        return None;
    }
    let mut out = Vec::with_capacity(data_len / 4 * 3 + 2);
    let mut acc = 0u32;
    let mut bits = 0;
    for &c in &clean[..data_len] {
        acc = (acc << 6) | u32::from(crate::literal::base64_value(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_exactly() {
        assert_eq!(num_cmp(Num::Int(1), Num::Float(1.0)), Some(Ordering::Equal));
        assert_eq!(
            num_cmp(
                Num::Int(9_007_199_254_740_993),
                Num::Float(9_007_199_254_740_992.0)
            ),
            Some(Ordering::Greater)
        );
        assert_eq!(num_cmp(Num::Float(-0.5), Num::Int(0)), Some(Ordering::Less));
        assert_eq!(
            num_cmp(Num::Float(2.5), Num::Int(2)),
            Some(Ordering::Greater)
        );
    }

    #[test]
    fn base64_like_python() {
        assert_eq!(decode_base64("YWJj"), Some(b"abc".to_vec()));
        assert_eq!(decode_base64("YW\nJj"), Some(b"abc".to_vec()));
        assert_eq!(decode_base64("YQ=="), Some(b"a".to_vec()));
        assert_eq!(decode_base64("YQ"), None);
        assert_eq!(decode_hex("00Ff"), Some(vec![0, 255]));
        assert_eq!(decode_hex("0"), None);
    }

    #[test]
    fn address_containment() {
        let net = |s: &str| parse_ip_or_net(s).unwrap_or_else(|| panic!("{s}"));
        assert!(contains(&net("10.0.0.0/8"), &net("10.1.2.3")));
        assert!(contains(&net("10.0.0.0/8"), &net("10.0.0.5/8")));
        assert!(!contains(&net("10.0.0.0/16"), &net("10.0.0.0/8")));
        assert!(contains(&net("2001:db8::/32"), &net("2001:db8::1")));
        assert!(!contains(&net("10.0.0.0/8"), &net("::1")));
    }
}
