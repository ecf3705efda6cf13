//! Compiling one pattern into the index: its shape, its anchors, and the object types it is
//! evaluated on when it has none.

use super::keys::{Field, parse_ip};
use super::{Index, Shape};
use crate::ast::{
    CompareOp, ComparisonExpr, ComparisonKind, LiteralValue, ObservationExpr, ObservationKind,
    Pattern, PropTest, QualifierKind, Seconds, TestOp,
};

/// One anchor of a comparison: a value the matched object must carry.
enum Anchor {
    Exact(Field, String),
    Regex(Field, regex::Regex),
}

/// Files `pattern` as indicator `ord`; returns its shape and, for windowed patterns, the
/// longest `WITHIN` in microseconds.
pub(super) fn compile(index: &mut Index, pattern: &Pattern, ord: u32) -> (Shape, Option<i64>) {
    let root = unwrap_groups(&pattern.root);
    if let ObservationKind::Comparison(c) = &root.kind {
        let direct = is_direct(c);
        let filed = file_comparison(index, c, ord);
        let shape = if direct && filed {
            Shape::Direct
        } else {
            Shape::Verified
        };
        return (shape, None);
    }
    let mut leaves = Vec::new();
    let mut window = None;
    walk_observations(root, &mut leaves, &mut window);
    for leaf in leaves {
        file_comparison(index, leaf, ord);
    }
    (Shape::Windowed, window)
}

fn unwrap_groups(mut expr: &ObservationExpr) -> &ObservationExpr {
    while let ObservationKind::Group(inner) = &expr.kind {
        expr = inner;
    }
    expr
}

fn walk_observations<'p>(
    expr: &'p ObservationExpr,
    leaves: &mut Vec<&'p ComparisonExpr>,
    window: &mut Option<i64>,
) {
    match &expr.kind {
        ObservationKind::Comparison(c) => leaves.push(c),
        ObservationKind::Group(inner) => walk_observations(inner, leaves, window),
        ObservationKind::And(list)
        | ObservationKind::Or(list)
        | ObservationKind::FollowedBy(list) => {
            for e in list {
                walk_observations(e, leaves, window);
            }
        }
        ObservationKind::Qualified { inner, qualifiers } => {
            for q in qualifiers {
                if let QualifierKind::Within(s) = q.kind {
                    let micros = match s {
                        Seconds::Int(n) => n.saturating_mul(1_000_000),
                        #[allow(clippy::cast_possible_truncation)] // Saturating by `as`.
                        Seconds::Float(f) => (f * 1e6) as i64,
                    };
                    *window = Some(window.map_or(micros, |w: i64| w.max(micros)));
                }
            }
            walk_observations(inner, leaves, window);
        }
    }
}

/// Files one bracketed expression under its anchors, or under its object types when it has
/// none. `false` when it had to fall back to the object types.
fn file_comparison(index: &mut Index, c: &ComparisonExpr, ord: u32) -> bool {
    if let Some(anchors) = anchors(c) {
        let mut all = true;
        for anchor in &anchors {
            all &= match anchor {
                Anchor::Exact(Field::Ip, value) => match parse_ip(value) {
                    Some(key) => {
                        index.add_ip(key, ord);
                        true
                    }
                    None => false,
                },
                Anchor::Exact(field, value) => index.add_string(field, value, ord),
                Anchor::Regex(field, regex) => index.add_regex(field, regex.clone(), ord),
            };
        }
        if all {
            return true;
        }
    }
    let mut types = Vec::new();
    object_types(c, &mut types);
    for t in types {
        index.add_general(t, ord);
    }
    false
}

/// Anchors such that any object the comparison holds for carries one of them; `None` when
/// some way of satisfying it carries none.
fn anchors(c: &ComparisonExpr) -> Option<Vec<Anchor>> {
    match &c.kind {
        ComparisonKind::Group(inner) => anchors(inner),
        ComparisonKind::Or(list) => {
            let mut out = Vec::new();
            for e in list {
                out.extend(anchors(e)?);
            }
            Some(out)
        }
        // Every operand must hold, so one operand's anchors are enough: the first with
        // exact anchors, else the first with any.
        ComparisonKind::And(list) => {
            let mut fallback = None;
            for e in list {
                if let Some(a) = anchors(e) {
                    if a.iter().all(|x| matches!(x, Anchor::Exact(..))) {
                        return Some(a);
                    }
                    fallback.get_or_insert(a);
                }
            }
            fallback
        }
        ComparisonKind::Test(t) => test_anchors(t),
    }
}

fn test_anchors(t: &PropTest) -> Option<Vec<Anchor>> {
    if t.negated {
        return None;
    }
    let field = Field::of_path(&t.path);
    match &t.op {
        TestOp::Compare(CompareOp::Eq, lit) => match &lit.value {
            LiteralValue::Str(s) => Some(vec![Anchor::Exact(field, s.clone())]),
            _ => None,
        },
        TestOp::In(list) => list
            .iter()
            .map(|lit| match &lit.value {
                LiteralValue::Str(s) => Some(Anchor::Exact(field.clone(), s.clone())),
                _ => None,
            })
            .collect(),
        TestOp::IsSubset(text) if field == Field::Ip => {
            Some(vec![Anchor::Exact(field, text.value.clone())])
        }
        TestOp::Like(text) => crate::regex::compile_like(&text.value)
            .ok()
            .map(|c| vec![Anchor::Regex(field, c.text)]),
        TestOp::Matches(text) => crate::regex::compile_matches(&text.value)
            .ok()
            .map(|c| vec![Anchor::Regex(field, c.text)]),
        _ => None,
    }
}

/// Whether an anchor hit alone decides the comparison: an `OR` of equality, `IN` and
/// `ISSUBSET` tests on plain properties.
fn is_direct(c: &ComparisonExpr) -> bool {
    match &c.kind {
        ComparisonKind::Group(inner) => is_direct(inner),
        ComparisonKind::Or(list) => list.iter().all(is_direct),
        ComparisonKind::And(_) => false,
        ComparisonKind::Test(t) => {
            !t.negated
                && !t.path.steps.iter().any(|s| {
                    matches!(s.kind, crate::ast::PathStepKind::Key { ref name, .. } if name.ends_with("_hex") || name.ends_with("_bin"))
                })
                && match &t.op {
                    TestOp::Compare(CompareOp::Eq, lit) => {
                        matches!(lit.value, LiteralValue::Str(_))
                    }
                    TestOp::In(list) => list
                        .iter()
                        .all(|l| matches!(l.value, LiteralValue::Str(_))),
                    TestOp::IsSubset(_) => Field::of_path(&t.path) == Field::Ip,
                    _ => false,
                }
        }
    }
}

fn object_types<'p>(c: &'p ComparisonExpr, out: &mut Vec<&'p str>) {
    match &c.kind {
        ComparisonKind::Group(inner) => object_types(inner, out),
        ComparisonKind::Or(list) | ComparisonKind::And(list) => {
            for e in list {
                object_types(e, out);
            }
        }
        ComparisonKind::Test(t) => {
            if !out.contains(&t.path.object_type.as_str()) {
                out.push(&t.path.object_type);
            }
        }
    }
}

/// The values of a pattern that is a bracketed `OR` of equality, `IN` and `ISSUBSET` tests,
/// or an observation-level `OR` of such brackets (`[a = 'x'] OR [b = 'y']`, which matches an
/// observation exactly when one of them does): the indicator a sensor can load as a list,
/// with its fields. `None` for any other pattern, which a list of values would not express.
pub fn exact_values(pattern: &Pattern) -> Option<Vec<(Field, String)>> {
    let mut out = Vec::new();
    observation_values(&pattern.root, &mut out)?;
    Some(out)
}

fn observation_values(expr: &ObservationExpr, out: &mut Vec<(Field, String)>) -> Option<()> {
    match &unwrap_groups(expr).kind {
        ObservationKind::Comparison(c) => {
            if !is_direct(c) {
                return None;
            }
            for anchor in anchors(c)? {
                if let Anchor::Exact(field, value) = anchor {
                    out.push((field, value));
                }
            }
            Some(())
        }
        ObservationKind::Or(list) => list.iter().try_for_each(|e| observation_values(e, out)),
        _ => None,
    }
}
