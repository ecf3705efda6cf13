//! The syntax tree of a STIX 2.1 pattern. Every node keeps the byte span it was parsed from.
//!
//! Chains of one operator are kept flat (`And(vec![a, b, c])` for `a AND b AND c`) rather
//! than as a left-leaning binary tree, so that a long chain cannot make the tree — and every
//! recursive walk over it — deep. The grammar's operators are left-associative, and each
//! flat node's meaning is defined to be that of the left-associated chain (which matters only
//! for `FOLLOWEDBY`).

use std::fmt;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use crate::timestamp::Timestamp;

/// A byte range into the pattern text.
pub type Span = Range<usize>;

/// A parsed pattern: one observation expression.
#[derive(Clone, Debug)]
pub struct Pattern {
    /// The whole pattern.
    pub root: ObservationExpr,
}

/// An observation expression and its span.
#[derive(Clone, Debug)]
pub struct ObservationExpr {
    /// What the expression is.
    pub kind: ObservationKind,
    /// Where it is in the pattern.
    pub span: Span,
}

/// The kinds of observation expression.
#[derive(Clone, Debug)]
pub enum ObservationKind {
    /// `[ comparison ]`: one observation in which one object satisfies the comparison.
    Comparison(ComparisonExpr),
    /// `( observation )`.
    Group(Box<ObservationExpr>),
    /// `a AND b AND …`: each operand bound to a different observation.
    And(Vec<ObservationExpr>),
    /// `a OR b OR …`.
    Or(Vec<ObservationExpr>),
    /// `a FOLLOWEDBY b FOLLOWEDBY …`, left-associative.
    FollowedBy(Vec<ObservationExpr>),
    /// An expression with qualifiers, applied in the order written (innermost first).
    Qualified {
        /// The qualified expression.
        inner: Box<ObservationExpr>,
        /// The qualifiers, at least one.
        qualifiers: Vec<Qualifier>,
    },
}

/// A qualifier and its span.
#[derive(Clone, Debug)]
pub struct Qualifier {
    /// Which qualifier.
    pub kind: QualifierKind,
    /// Where it is in the pattern.
    pub span: Span,
}

/// The three qualifiers.
#[derive(Clone, Debug)]
pub enum QualifierKind {
    /// `WITHIN n SECONDS`.
    Within(Seconds),
    /// `REPEATS n TIMES`.
    Repeats(i64),
    /// `START t'…' STOP t'…'`.
    StartStop {
        /// The inclusive start.
        start: Timestamp,
        /// The exclusive stop.
        stop: Timestamp,
    },
}

/// The number of a `WITHIN` qualifier, as written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Seconds {
    /// An integer number of seconds.
    Int(i64),
    /// A fractional number of seconds.
    Float(f64),
}

impl Seconds {
    /// Whether the number is greater than zero.
    pub fn is_positive(self) -> bool {
        match self {
            Seconds::Int(n) => n > 0,
            Seconds::Float(f) => f > 0.0,
        }
    }
}

/// A comparison expression (inside `[…]`) and its span.
#[derive(Clone, Debug)]
pub struct ComparisonExpr {
    /// What the expression is.
    pub kind: ComparisonKind,
    /// Where it is in the pattern.
    pub span: Span,
}

/// The kinds of comparison expression.
#[derive(Clone, Debug)]
pub enum ComparisonKind {
    /// `a AND b AND …`: all hold for the same object.
    And(Vec<ComparisonExpr>),
    /// `a OR b OR …`.
    Or(Vec<ComparisonExpr>),
    /// `( comparison )`.
    Group(Box<ComparisonExpr>),
    /// One property test.
    Test(Box<PropTest>),
}

/// One property test, e.g. `file:hashes.'SHA-256' = '…'` or `NOT EXISTS file:size`.
#[derive(Clone, Debug)]
pub struct PropTest {
    /// The object path tested.
    pub path: ObjectPath,
    /// Whether the test is preceded (`NOT EXISTS`) or its operator by `NOT`.
    pub negated: bool,
    /// The operator and its operand.
    pub op: TestOp,
    /// Where the test is in the pattern.
    pub span: Span,
}

/// Operators of property tests.
#[derive(Clone, Debug)]
pub enum TestOp {
    /// `=`, `!=`, `<`, `<=`, `>`, `>=`.
    Compare(CompareOp, Literal),
    /// `IN ( … )`.
    In(Vec<Literal>),
    /// `LIKE '…'`.
    Like(TextOperand),
    /// `MATCHES '…'`.
    Matches(TextOperand),
    /// `ISSUBSET '…'`.
    IsSubset(TextOperand),
    /// `ISSUPERSET '…'`.
    IsSuperset(TextOperand),
    /// `EXISTS`.
    Exists,
}

/// The comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    /// `=` or `==`.
    Eq,
    /// `!=` or `<>`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

impl CompareOp {
    /// The operator's canonical spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

/// The string operand of `LIKE`, `MATCHES`, `ISSUBSET` and `ISSUPERSET`. For `LIKE` and
/// `MATCHES` it also caches the compiled regular expressions, so a pattern parsed once and
/// matched many times compiles them once.
#[derive(Clone)]
pub struct TextOperand {
    /// The string, unescaped.
    pub value: String,
    /// Where the string literal is in the pattern.
    pub span: Span,
    pub(crate) compiled: OnceLock<Result<Arc<crate::regex::Compiled>, String>>,
}

impl TextOperand {
    pub(crate) fn new(value: String, span: Span) -> Self {
        Self {
            value,
            span,
            compiled: OnceLock::new(),
        }
    }
}

impl fmt::Debug for TextOperand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TextOperand")
            .field("value", &self.value)
            .field("span", &self.span)
            .finish()
    }
}

/// An object path: `type:first.step[0].step`.
#[derive(Clone, Debug)]
pub struct ObjectPath {
    /// The object type, e.g. `ipv4-addr`.
    pub object_type: String,
    /// Where the object type is.
    pub type_span: Span,
    /// The steps; the first is always a [`PathStepKind::Key`] (the property).
    pub steps: Vec<PathStep>,
    /// Where the whole path is.
    pub span: Span,
}

/// One step of an object path.
#[derive(Clone, Debug)]
pub struct PathStep {
    /// The step.
    pub kind: PathStepKind,
    /// Where the step is.
    pub span: Span,
}

/// The kinds of path step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStepKind {
    /// A property or dictionary key; `quoted` when written as `'…'`.
    Key {
        /// The key, unescaped.
        name: String,
        /// Whether it was written as a string literal.
        quoted: bool,
    },
    /// A list index `[n]`.
    Index(i64),
    /// Every list element, `[*]`.
    AnyIndex,
}

/// A literal and its span.
#[derive(Clone, Debug)]
pub struct Literal {
    /// The value.
    pub value: LiteralValue,
    /// Where it is.
    pub span: Span,
}

/// Literal values.
#[derive(Clone, Debug, PartialEq)]
pub enum LiteralValue {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string, unescaped.
    Str(String),
    /// `true` or `false`.
    Bool(bool),
    /// `t'…'`.
    Timestamp(Timestamp),
    /// `h'…'`, decoded.
    Hex(Vec<u8>),
    /// `b'…'`, decoded.
    Binary(Vec<u8>),
}

impl LiteralValue {
    /// The type name used in messages and in the tree dump.
    pub fn type_name(&self) -> &'static str {
        match self {
            LiteralValue::Int(_) => "int",
            LiteralValue::Float(_) => "float",
            LiteralValue::Str(_) => "string",
            LiteralValue::Bool(_) => "bool",
            LiteralValue::Timestamp(_) => "timestamp",
            LiteralValue::Hex(_) => "hex",
            LiteralValue::Binary(_) => "binary",
        }
    }
}
