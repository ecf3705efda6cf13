//! Observation input: observed-data objects, the SCOs they reference or embed, and bundles of
//! them, gathered into one [`Observations`] that patterns are evaluated against.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use serde_json::{Map, Value};

use super::EvalError;
use crate::timestamp::Timestamp;

/// Observations ready for evaluation: build once with [`Observations::new`], then match any
/// number of patterns against them with [`crate::matches_prepared`].
#[derive(Debug)]
pub struct Observations<'a> {
    pub(super) list: Vec<Observation<'a>>,
    /// Every object of every observation, observation after observation.
    pub(super) objects: Vec<Obj<'a>>,
}

/// One observed-data object: a time interval, a count and a range of [`Observations::objects`].
#[derive(Debug)]
pub(super) struct Observation<'a> {
    pub first: i128,
    pub last: i128,
    pub count: u64,
    pub objects: std::ops::Range<usize>,
    /// Id lookup for reference properties, built only for observations with many objects.
    pub index: Option<HashMap<&'a str, usize>>,
}

/// An object of an observation: its id (or key, for embedded objects), type and properties.
#[derive(Debug, Clone, Copy)]
pub(super) struct Obj<'a> {
    pub id: &'a str,
    pub ty: &'a str,
    pub value: &'a Value,
}

/// Above this many objects an observation gets a hash index for reference lookups; below it a
/// scan is faster.
const INDEX_THRESHOLD: usize = 16;

impl<'a> Observations<'a> {
    /// Gathers observations from STIX objects: observed-data objects, SCOs, and bundles of
    /// them, in any order. Each observed-data becomes one observation holding itself and the
    /// SCOs its `object_refs` name (or, for STIX 2.0-style data, its embedded `objects`).
    /// References that name no supplied object are ignored, as the reference matcher does.
    ///
    /// Fails when an observed-data object lacks a valid `first_observed`, `last_observed`
    /// (not before `first_observed`) or `number_observed` (at least 1), or names its objects
    /// neither way, or when an input is not a JSON object.
    pub fn new(values: &'a [Value]) -> Result<Observations<'a>, EvalError> {
        let mut observed: Vec<(&'a Value, &'a Map<String, Value>)> = Vec::new();
        let mut by_id: HashMap<&'a str, &'a Value> = HashMap::with_capacity(values.len());
        // Bundles are opened one level deep; everything else is an object of the input.
        let mut gather = |v: &'a Value, nested: bool| -> Result<bool, EvalError> {
            let Value::Object(map) = v else {
                return Err(EvalError::Input(
                    "every observation input must be a STIX object".to_owned(),
                ));
            };
            match map.get("type").and_then(Value::as_str) {
                Some("observed-data") => observed.push((v, map)),
                Some("bundle") if !nested => return Ok(true),
                Some(_) => {
                    if let Some(id) = map.get("id").and_then(Value::as_str) {
                        by_id.insert(id, v);
                    }
                }
                None => {}
            }
            Ok(false)
        };
        for v in values {
            if gather(v, false)? {
                for inner in v
                    .get("objects")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    gather(inner, true)?;
                }
            }
        }
        let mut out = Observations {
            list: Vec::with_capacity(observed.len()),
            objects: Vec::new(),
        };
        for (value, od) in observed {
            out.add(value, od, &by_id)?;
        }
        Ok(out)
    }

    fn add(
        &mut self,
        od_value: &'a Value,
        od: &'a Map<String, Value>,
        by_id: &HashMap<&'a str, &'a Value>,
    ) -> Result<(), EvalError> {
        let od_id = od.get("id").and_then(Value::as_str).unwrap_or("");
        let bad = |what: &str| EvalError::Input(format!("observed-data {od_id}: {what}"));
        let time = |key: &str| -> Result<i128, EvalError> {
            let text = od
                .get(key)
                .and_then(Value::as_str)
                .ok_or_else(|| bad(&format!("{key} is missing")))?;
            Timestamp::parse(text)
                .map(|t| t.unix_nanos())
                .map_err(|_| bad(&format!("{key} {text:?} is not a STIX timestamp")))
        };
        let first = time("first_observed")?;
        let last = time("last_observed")?;
        if last < first {
            return Err(bad("last_observed is before first_observed"));
        }
        let count = match od.get("number_observed") {
            Some(Value::Number(n)) => n.as_u64().filter(|&n| n >= 1),
            _ => None,
        }
        .ok_or_else(|| bad("number_observed must be a whole number of at least 1"))?;
        let start = self.objects.len();
        // The observed-data object is part of its observation, so references to it resolve
        // as in the reference matcher; its type never matches a pattern's object type.
        self.objects.push(Obj {
            id: od_id,
            ty: "observed-data",
            value: od_value,
        });
        match (od.get("object_refs"), od.get("objects")) {
            (Some(Value::Array(refs)), _) => {
                let mut seen: HashSet<&str> = HashSet::new();
                let many = refs.len() > INDEX_THRESHOLD;
                for r in refs.iter().filter_map(Value::as_str) {
                    let Some(&value) = by_id.get(r) else { continue };
                    let repeated = if many {
                        !seen.insert(r)
                    } else {
                        self.objects[start..].iter().any(|o| o.id == r)
                    };
                    if repeated {
                        continue;
                    }
                    let ty = value.get("type").and_then(Value::as_str).unwrap_or("");
                    self.objects.push(Obj { id: r, ty, value });
                }
            }
            (Some(_), _) => return Err(bad("object_refs must be a list")),
            (None, Some(Value::Object(embedded))) => {
                for (key, value) in embedded {
                    let Some(ty) = value.get("type").and_then(Value::as_str) else {
                        continue;
                    };
                    self.objects.push(Obj { id: key, ty, value });
                }
            }
            (None, _) => return Err(bad("object_refs is missing")),
        }
        let end = self.objects.len();
        let index = (end - start > INDEX_THRESHOLD).then(|| {
            self.objects[start..end]
                .iter()
                .enumerate()
                .map(|(i, o)| (o.id, start + i))
                .collect()
        });
        self.list.push(Observation {
            first,
            last,
            count,
            objects: start..end,
            index,
        });
        Ok(())
    }

    /// How many observations (observed-data objects) there are.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The objects of observation `i` that a pattern's object type can name: all but the
    /// observed-data object itself, which `add` always places first.
    pub(super) fn objects_of(&self, i: usize) -> &[Obj<'a>] {
        let range = &self.list[i].objects;
        &self.objects[range.start + 1..range.end]
    }

    /// The object with `id` in observation `i`, if any.
    pub(super) fn resolve(&self, i: usize, id: &str) -> Option<&'a Value> {
        let obs = &self.list[i];
        match &obs.index {
            Some(index) => index.get(id).map(|&at| self.objects[at].value),
            None => self.objects[obs.objects.clone()]
                .iter()
                .find(|o| o.id == id)
                .map(|o| o.value),
        }
    }
}
