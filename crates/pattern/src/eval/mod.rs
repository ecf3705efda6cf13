//! The evaluator: does a pattern match a set of observations?
//!
//! Evaluation has two stages. First every bracketed expression is decided for every
//! observation (does some object of it satisfy the comparison?), which turns the pattern into
//! a [`search::Plan`] whose leaves are lists of observations. Then a search looks for a
//! binding of observations to the plan (see [`search`]). A pattern that is one bracketed
//! expression — the common indicator — skips the search and stops at the first observation
//! that matches.
//!
//! Each bracketed expression is prepared once (see [`cond`]). On prepared observations
//! ([`matches_prepared`]) it is decided only on the objects its string equality tests select
//! through the value index, or else on the objects of the types it names, through the type
//! index; both indexes are built on first use and kept. A one-shot [`matches`] scans every
//! object instead, since building an index costs about as much as one scan.

mod cond;
mod observations;
mod search;
mod values;

pub use observations::Observations;

use serde_json::Value;

use crate::ast::*;
use cond::Cond;
use search::{Plan, Search};

/// Why an evaluation could not decide.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// The observations are malformed (e.g. an observed-data object without
    /// `number_observed`).
    #[error("invalid observation: {0}")]
    Input(String),
    /// The pattern cannot be evaluated (a check that [`crate::validate`] makes failed: a
    /// regular expression that does not compile, `WITHIN 0 SECONDS`, a mixed set).
    #[error("pattern cannot be evaluated: {0}")]
    InvalidPattern(String),
    /// The search for a binding exceeded [`crate::MAX_EVAL_STEPS`] or its depth limit.
    #[error("evaluation too complex: {0}")]
    TooComplex(String),
}

/// Whether `pattern` matches `observations`: STIX observed-data objects, the SCOs they
/// reference, and bundles of them, in any order (see [`Observations::new`]).
pub fn matches(pattern: &Pattern, observations: &[Value]) -> Result<bool, EvalError> {
    let data = Observations::new(observations)?;
    decide(pattern, &data, Visit::Scan)
}

/// As [`matches`], for observations gathered once and matched against many patterns.
pub fn matches_prepared(pattern: &Pattern, data: &Observations<'_>) -> Result<bool, EvalError> {
    decide(pattern, data, Visit::Indexed)
}

/// How a bracketed expression finds the objects to decide on.
#[derive(Clone, Copy)]
enum Visit {
    /// Every object of every observation, skipping those of other types.
    Scan,
    /// Only the objects the value index selects, or else those of the types the
    /// expression names, from the index by type.
    Indexed,
}

fn decide(pattern: &Pattern, data: &Observations<'_>, visit: Visit) -> Result<bool, EvalError> {
    prepare_operands(&pattern.root)?;
    if let ObservationKind::Comparison(c) = &pattern.root.kind {
        let cond = Cond::new(c)?;
        let mut found = false;
        hits(&cond, data, visit, &mut |_| {
            found = true;
            false
        });
        return Ok(found);
    }
    let mut plan = plan(&pattern.root, data, visit)?;
    Search::new(data, &mut plan).run(&plan)
}

/// Calls `hit` with each observation in which some object satisfies `cond`, in ascending
/// order, until it returns false.
fn hits(cond: &Cond<'_>, data: &Observations<'_>, visit: Visit, hit: &mut dyn FnMut(u32) -> bool) {
    let types = match visit {
        Visit::Indexed => {
            if let Some(objects) = cond.candidates(data) {
                return each_observation(&objects, cond, data, hit);
            }
            cond.types()
        }
        Visit::Scan => None,
    };
    let Some(types) = types else {
        for obs in 0..data.len() {
            if data.objects_of(obs).iter().any(|o| cond.holds(o, data)) {
                // Observation counts fit u32 (see `Observations::new`).
                if !hit(obs as u32) {
                    return;
                }
            }
        }
        return;
    };
    if let [ty] = types.as_slice() {
        return each_observation(data.of_type(ty), cond, data, hit);
    }
    let mut objects: Vec<u32> = types
        .iter()
        .flat_map(|ty| data.of_type(ty))
        .copied()
        .collect();
    objects.sort_unstable();
    each_observation(&objects, cond, data, hit);
}

/// Calls `hit` with each observation in which one of `objects` (ascending indexes into
/// [`Observations::objects`], so in observation order) satisfies `cond`, until it returns
/// false.
fn each_observation(
    objects: &[u32],
    cond: &Cond<'_>,
    data: &Observations<'_>,
    hit: &mut dyn FnMut(u32) -> bool,
) {
    let mut last = None;
    for &at in objects {
        let object = &data.objects[at as usize];
        if last != Some(object.obs) && cond.holds(object, data) {
            last = Some(object.obs);
            if !hit(object.obs) {
                return;
            }
        }
    }
}

/// Compiles regular expressions and checks sets up front, so that a bad operand is an error
/// whatever the observations hold (as in the reference matcher).
fn prepare_operands(e: &ObservationExpr) -> Result<(), EvalError> {
    fn cmp(c: &ComparisonExpr) -> Result<(), EvalError> {
        match &c.kind {
            ComparisonKind::And(items) | ComparisonKind::Or(items) => {
                items.iter().try_for_each(cmp)
            }
            ComparisonKind::Group(inner) => cmp(inner),
            ComparisonKind::Test(t) => values::prepare(&t.op),
        }
    }
    match &e.kind {
        ObservationKind::Comparison(c) => cmp(c),
        ObservationKind::Group(inner) => prepare_operands(inner),
        ObservationKind::And(items)
        | ObservationKind::Or(items)
        | ObservationKind::FollowedBy(items) => items.iter().try_for_each(prepare_operands),
        ObservationKind::Qualified { inner, .. } => prepare_operands(inner),
    }
}

fn plan(e: &ObservationExpr, data: &Observations<'_>, visit: Visit) -> Result<Plan, EvalError> {
    let many = |items: &[ObservationExpr]| {
        items
            .iter()
            .map(|i| plan(i, data, visit))
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(match &e.kind {
        ObservationKind::Comparison(c) => {
            let cond = Cond::new(c)?;
            let mut found = Vec::new();
            hits(&cond, data, visit, &mut |obs| {
                found.push(obs);
                true
            });
            Plan::Leaf(found)
        }
        ObservationKind::Group(inner) => plan(inner, data, visit)?,
        ObservationKind::And(items) => Plan::And(many(items)?),
        ObservationKind::Or(items) => Plan::Or(many(items)?),
        ObservationKind::FollowedBy(items) => Plan::FollowedBy(many(items)?),
        ObservationKind::Qualified { inner, qualifiers } => {
            let mut p = plan(inner, data, visit)?;
            for q in qualifiers {
                p = match &q.kind {
                    QualifierKind::Within(seconds) => {
                        if !seconds.is_positive() {
                            return Err(EvalError::InvalidPattern(
                                "WITHIN needs a positive number of seconds".to_owned(),
                            ));
                        }
                        Plan::Within(Box::new(p), within_nanos(*seconds))
                    }
                    QualifierKind::Repeats(n) => {
                        let n = u64::try_from(*n).ok().filter(|&n| n > 0).ok_or_else(|| {
                            EvalError::InvalidPattern("REPEATS needs a positive count".to_owned())
                        })?;
                        Plan::Repeats(Box::new(p), n)
                    }
                    QualifierKind::StartStop { start, stop } => {
                        Plan::StartStop(Box::new(p), start.unix_nanos(), stop.unix_nanos())
                    }
                };
            }
            p
        }
    })
}

/// A `WITHIN` duration in nanoseconds. Fractions are rounded to the microsecond, the
/// resolution of the reference matcher's durations.
fn within_nanos(seconds: Seconds) -> i128 {
    match seconds {
        Seconds::Int(n) => i128::from(n) * 1_000_000_000,
        Seconds::Float(f) => {
            let micros = (f * 1e6).round();
            // Saturate: a window longer than the representable range is simply unbounded.
            if micros >= 1e30 {
                i128::MAX / 4
            } else {
                micros as i128 * 1000
            }
        }
    }
}
