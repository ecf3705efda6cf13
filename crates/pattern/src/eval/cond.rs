//! Bracketed expressions prepared for evaluation, and deciding them on one object.
//!
//! A [`Cond`] is a comparison expression with its operands compiled once (regular expressions
//! fetched from the tree's cache, address operands parsed, sets checked) and its path steps
//! classified once (`_ref`, `_refs`, `_hex`, `_bin` or plain), so that deciding it on each
//! of thousands of objects does no per-object setup. It also names the object types it can
//! hold for and, when it contains string equality tests, the objects it can hold for (from
//! the value index), which lets the evaluator visit only those objects.

use serde_json::Value;

use super::EvalError;
use super::observations::{Obj, Observations};
use super::values::{Node, Predicate, decode_base64, decode_hex};
use crate::ast::*;

/// A comparison expression ready to decide on objects.
pub(super) enum Cond<'p> {
    /// Every item holds for the object (`AND`).
    All(Vec<Cond<'p>>),
    /// Some item holds for the object (`OR`).
    Any(Vec<Cond<'p>>),
    /// One property test.
    Test(Test<'p>),
}

/// One property test, prepared.
pub(super) struct Test<'p> {
    ty: &'p str,
    steps: Vec<Step<'p>>,
    negated: bool,
    /// The operand test; `None` for `EXISTS`.
    pred: Option<Predicate<'p>>,
}

/// One step of an object path, classified by what following it does.
enum Step<'p> {
    /// A property or key whose value is taken as it is.
    Key(&'p str),
    /// A `_ref` property: followed to the object it names in the same observation.
    Ref(&'p str),
    /// A `_refs` property: followed to the objects it names, as a list.
    Refs(&'p str),
    /// A `_hex` property: decoded to bytes.
    Hex(&'p str),
    /// A `_bin` property: base64, decoded to bytes.
    Bin(&'p str),
    /// A list index; a negative one selects nothing.
    Index(i64),
    /// Every list element.
    AnyIndex,
}

impl<'p> Cond<'p> {
    /// Prepares `e`; fails as [`super::values::prepare`] does on a bad operand.
    pub(super) fn new(e: &'p ComparisonExpr) -> Result<Cond<'p>, EvalError> {
        let many = |items: &'p [ComparisonExpr]| {
            items.iter().map(Cond::new).collect::<Result<Vec<_>, _>>()
        };
        Ok(match &e.kind {
            ComparisonKind::And(items) => Cond::All(many(items)?),
            ComparisonKind::Or(items) => Cond::Any(many(items)?),
            ComparisonKind::Group(inner) => Cond::new(inner)?,
            ComparisonKind::Test(t) => Cond::Test(Test {
                ty: &t.path.object_type,
                steps: t.path.steps.iter().map(Step::new).collect(),
                negated: t.negated,
                pred: match &t.op {
                    TestOp::Exists => None,
                    op => Some(Predicate::new(op)?),
                },
            }),
        })
    }

    /// The object types this expression can hold for, sorted and without repeats, or `None`
    /// when it is not limited to any (an empty `AND`, which holds for every object). A test
    /// holds only for objects of its type, so an `AND` is limited to the types all of its
    /// items share and an `OR` to the types any of its items names.
    pub(super) fn types(&self) -> Option<Vec<&'p str>> {
        match self {
            Cond::Test(t) => Some(vec![t.ty]),
            Cond::Any(items) => {
                let mut all = Vec::new();
                for item in items {
                    all.extend(item.types()?);
                }
                all.sort_unstable();
                all.dedup();
                Some(all)
            }
            Cond::All(items) => {
                let mut shared: Option<Vec<&'p str>> = None;
                for item in items {
                    let Some(types) = item.types() else { continue };
                    shared = Some(match shared {
                        None => types,
                        Some(mut s) => {
                            s.retain(|ty| types.contains(ty));
                            s
                        }
                    });
                }
                shared
            }
        }
    }

    /// Indexes in [`Observations::objects`] of objects that include every object the
    /// expression holds for, ascending, found through value indexes; `None` when the
    /// expression has no equality test that narrows it so. A test `type:path = 'string'`
    /// whose path is plain keys holds exactly for the objects the value index lists under the
    /// string (such a path reaches one value at most); an `AND` holds only for objects its
    /// first such test holds for; an `OR` holds only for objects some item holds for.
    pub(super) fn candidates(&self, data: &Observations<'_>) -> Option<Vec<u32>> {
        match self {
            Cond::Test(Test {
                ty,
                steps,
                negated: false,
                pred: Some(Predicate::Compare(CompareOp::Eq, LiteralValue::Str(value))),
            }) => {
                let path = steps
                    .iter()
                    .map(|s| match s {
                        Step::Key(key) => Some(*key),
                        _ => None,
                    })
                    .collect::<Option<Vec<&str>>>()?;
                Some(data.by_value(ty, &path).get(value).to_vec())
            }
            Cond::Test(_) => None,
            Cond::All(items) => items.iter().find_map(|c| c.candidates(data)),
            Cond::Any(items) => {
                let mut all = Vec::new();
                for item in items {
                    all.extend(item.candidates(data)?);
                }
                all.sort_unstable();
                all.dedup();
                Some(all)
            }
        }
    }

    /// Whether the expression holds for `object`: the root-object semantics of the reference
    /// matcher, where every test of an `AND` must hold for the same object.
    pub(super) fn holds<'a>(&self, object: &Obj<'a>, data: &Observations<'a>) -> bool {
        match self {
            Cond::All(items) => items.iter().all(|c| c.holds(object, data)),
            Cond::Any(items) => items.iter().any(|c| c.holds(object, data)),
            Cond::Test(t) => t.ty == object.ty && t.holds(object.value, data, object.obs as usize),
        }
    }
}

impl<'p> Step<'p> {
    fn new(step: &'p PathStep) -> Step<'p> {
        match &step.kind {
            PathStepKind::Key { name, .. } => {
                let name = name.as_str();
                if name.ends_with("_ref") {
                    Step::Ref(name)
                } else if name.ends_with("_refs") {
                    Step::Refs(name)
                } else if name.ends_with("_hex") {
                    Step::Hex(name)
                } else if name.ends_with("_bin") {
                    Step::Bin(name)
                } else {
                    Step::Key(name)
                }
            }
            PathStepKind::Index(i) => Step::Index(*i),
            PathStepKind::AnyIndex => Step::AnyIndex,
        }
    }
}

impl Test<'_> {
    fn holds<'a>(&self, object: &'a Value, data: &Observations<'a>, obs: usize) -> bool {
        let walker = Walker { data, obs };
        match &self.pred {
            None => walker.walk(Node::Json(object), &self.steps, &mut |_| true) != self.negated,
            // `NOT` applies to each value: the test holds if some value fails the plain test.
            Some(pred) => walker.walk(Node::Json(object), &self.steps, &mut |node| {
                pred.holds(node) != self.negated
            }),
        }
    }
}

struct Walker<'d, 'a> {
    data: &'d Observations<'a>,
    obs: usize,
}

impl<'a> Walker<'_, 'a> {
    /// Calls `visit` on each value `steps` reach from `node` until it returns true.
    fn walk(
        &self,
        node: Node<'a>,
        steps: &[Step<'_>],
        visit: &mut dyn FnMut(&Node<'a>) -> bool,
    ) -> bool {
        let Some((step, rest)) = steps.split_first() else {
            return visit(&node);
        };
        let key = |name: &str| match node {
            Node::Json(Value::Object(map)) => map.get(name),
            _ => None,
        };
        match *step {
            Step::Key(name) => match key(name) {
                Some(child) => self.walk(Node::Json(child), rest, visit),
                None => false,
            },
            Step::Ref(name) => {
                let Some(Value::String(id)) = key(name) else {
                    return false;
                };
                match self.data.resolve(self.obs, id) {
                    Some(target) => self.walk(Node::Json(target), rest, visit),
                    None => false,
                }
            }
            Step::Refs(name) => {
                let Some(Value::Array(ids)) = key(name) else {
                    return false;
                };
                let targets: Vec<&'a Value> = ids
                    .iter()
                    .filter_map(Value::as_str)
                    .filter_map(|id| self.data.resolve(self.obs, id))
                    .collect();
                !targets.is_empty() && self.walk(Node::Refs(targets), rest, visit)
            }
            Step::Hex(name) => match key(name).and_then(Value::as_str).and_then(decode_hex) {
                Some(bytes) => self.walk(Node::Bytes(bytes), rest, visit),
                None => false,
            },
            Step::Bin(name) => match key(name).and_then(Value::as_str).and_then(decode_base64) {
                Some(bytes) => self.walk(Node::Bytes(bytes), rest, visit),
                None => false,
            },
            Step::Index(i) => {
                let Ok(i) = usize::try_from(i) else {
                    return false;
                };
                let item = match &node {
                    Node::Json(Value::Array(items)) => items.get(i),
                    Node::Refs(items) => items.get(i).copied(),
                    _ => None,
                };
                item.is_some_and(|v| self.walk(Node::Json(v), rest, visit))
            }
            Step::AnyIndex => match node {
                Node::Json(Value::Array(items)) => {
                    items.iter().any(|v| self.walk(Node::Json(v), rest, visit))
                }
                Node::Refs(items) => items
                    .into_iter()
                    .any(|v| self.walk(Node::Json(v), rest, visit)),
                _ => false,
            },
        }
    }
}
