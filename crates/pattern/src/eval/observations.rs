//! Observation input: observed-data objects, the SCOs they reference or embed, and bundles of
//! them, gathered into one [`Observations`] that patterns are evaluated against.
//!
//! Gathering reads each input object's keys once (no per-field map searches), keeps borrowed
//! references into the input (nothing is cloned), and resolves `object_refs` through one id
//! table. Two indexes are built on first use and kept with the observations, for evaluating
//! many patterns against them: objects by type, so that a bracketed expression visits only
//! objects of the types it names, and, per type and property path, objects by string value,
//! so that an equality test (the common indicator) is a lookup.

use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

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
    /// The sum of every observation's `number_observed`, saturating.
    pub(super) total_count: u64,
    /// Object type to the indexes in [`Self::objects`] of that type's objects (the
    /// observed-data objects themselves excluded), ascending; built on first use.
    by_type: OnceLock<HashMap<&'a str, Vec<u32>>>,
    /// Object type, then property path, to the index of the string values found there.
    by_value: Mutex<HashMap<Box<str>, Vec<PathIndex<'a>>>>,
}

/// A property path (its keys) and its value index.
type PathIndex<'a> = (Vec<Box<str>>, Arc<ValueIndex<'a>>);

/// The objects of one type by the string value at one path of plain keys
/// (`hashes.'SHA-256'`).
#[derive(Debug)]
pub(super) struct ValueIndex<'a> {
    /// Indexes in [`Observations::objects`], grouped by value, ascending within a group.
    objects: Vec<u32>,
    /// Each value's group in `objects`.
    groups: HashMap<&'a str, Range<u32>>,
}

impl ValueIndex<'_> {
    /// The objects with the string `value` at the path, ascending.
    pub(super) fn get(&self, value: &str) -> &[u32] {
        match self.groups.get(value) {
            Some(r) => &self.objects[r.start as usize..r.end as usize],
            None => &[],
        }
    }
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

/// An object of an observation: its id (or key, for embedded objects), type and properties,
/// and the observation it belongs to.
#[derive(Debug, Clone, Copy)]
pub(super) struct Obj<'a> {
    pub id: &'a str,
    pub ty: &'a str,
    pub value: &'a Value,
    pub obs: u32,
}

/// Above this many objects an observation gets a hash index for reference lookups; below it a
/// scan is faster.
const INDEX_THRESHOLD: usize = 16;

/// The properties gathering reads, found in one pass over an object's keys.
#[derive(Default, Clone, Copy)]
struct Fields<'a> {
    ty: Option<&'a str>,
    id: Option<&'a str>,
    first_observed: Option<&'a Value>,
    last_observed: Option<&'a Value>,
    number_observed: Option<&'a Value>,
    object_refs: Option<&'a Value>,
    objects: Option<&'a Value>,
}

impl<'a> Fields<'a> {
    fn read(map: &'a Map<String, Value>) -> Fields<'a> {
        let mut f = Fields::default();
        for (key, value) in map {
            // Lengths first: most keys are none of these and differ from all in length.
            match (key.len(), key.as_str()) {
                (2, "id") => f.id = value.as_str(),
                (4, "type") => f.ty = value.as_str(),
                (7, "objects") => f.objects = Some(value),
                (11, "object_refs") => f.object_refs = Some(value),
                (13, "last_observed") => f.last_observed = Some(value),
                (14, "first_observed") => f.first_observed = Some(value),
                (15, "number_observed") => f.number_observed = Some(value),
                _ => {}
            }
        }
        f
    }
}

/// The input sorted out: observed-data objects, and every other object by id.
struct Input<'a> {
    observed: Vec<(&'a Value, Fields<'a>)>,
    /// Id to the object's type and value; a later object with the same id replaces an
    /// earlier one.
    by_id: HashMap<&'a str, (&'a str, &'a Value)>,
}

impl<'a> Input<'a> {
    /// Sorts out one input object; a bundle's fields are returned (unless `nested`: bundles
    /// are opened one level deep) for the caller to open it.
    fn gather(&mut self, v: &'a Value, nested: bool) -> Result<Option<Fields<'a>>, EvalError> {
        let Value::Object(map) = v else {
            return Err(EvalError::Input(
                "every observation input must be a STIX object".to_owned(),
            ));
        };
        let fields = Fields::read(map);
        match fields.ty {
            Some("observed-data") => self.observed.push((v, fields)),
            Some("bundle") if !nested => return Ok(Some(fields)),
            Some(ty) => {
                if let Some(id) = fields.id {
                    self.by_id.insert(id, (ty, v));
                }
            }
            None => {}
        }
        Ok(None)
    }
}

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
        let mut input = Input {
            observed: Vec::new(),
            by_id: HashMap::with_capacity(values.len()),
        };
        for v in values {
            if let Some(bundle) = input.gather(v, false)? {
                let inner = bundle.objects.and_then(Value::as_array);
                input.by_id.reserve(inner.map_or(0, Vec::len));
                for inner in inner.into_iter().flatten() {
                    input.gather(inner, true)?;
                }
            }
        }
        let Input { observed, by_id } = input;
        let mut out = Observations {
            list: Vec::with_capacity(observed.len()),
            objects: Vec::with_capacity(observed.len() + by_id.len()),
            total_count: 0,
            by_type: OnceLock::new(),
            by_value: Mutex::new(HashMap::new()),
        };
        for (value, od) in observed {
            out.add(value, &od, &by_id)?;
        }
        Ok(out)
    }

    fn add(
        &mut self,
        od_value: &'a Value,
        od: &Fields<'a>,
        by_id: &HashMap<&'a str, (&'a str, &'a Value)>,
    ) -> Result<(), EvalError> {
        let od_id = od.id.unwrap_or("");
        let bad = |what: &str| EvalError::Input(format!("observed-data {od_id}: {what}"));
        let time = |key: &str, field: Option<&Value>| -> Result<i128, EvalError> {
            let text = field
                .and_then(Value::as_str)
                .ok_or_else(|| bad(&format!("{key} is missing")))?;
            Timestamp::parse(text)
                .map(|t| t.unix_nanos())
                .map_err(|_| bad(&format!("{key} {text:?} is not a STIX timestamp")))
        };
        let first = time("first_observed", od.first_observed)?;
        let last = time("last_observed", od.last_observed)?;
        if last < first {
            return Err(bad("last_observed is before first_observed"));
        }
        let count = match od.number_observed {
            Some(Value::Number(n)) => n.as_u64().filter(|&n| n >= 1),
            _ => None,
        }
        .ok_or_else(|| bad("number_observed must be a whole number of at least 1"))?;
        // Observation counts fit u32: a larger input could not be held in memory.
        let obs = u32::try_from(self.list.len())
            .map_err(|_| EvalError::TooComplex("too many observations".to_owned()))?;
        let start = self.objects.len();
        // The observed-data object is part of its observation, so references to it resolve
        // as in the reference matcher; its type never matches a pattern's object type.
        self.objects.push(Obj {
            id: od_id,
            ty: "observed-data",
            value: od_value,
            obs,
        });
        match (od.object_refs, od.objects) {
            (Some(Value::Array(refs)), _) => {
                let mut seen: HashSet<&str> = HashSet::new();
                let many = refs.len() > INDEX_THRESHOLD;
                for r in refs.iter().filter_map(Value::as_str) {
                    let Some(&(ty, value)) = by_id.get(r) else {
                        continue;
                    };
                    let repeated = if many {
                        !seen.insert(r)
                    } else {
                        self.objects[start..].iter().any(|o| o.id == r)
                    };
                    if repeated {
                        continue;
                    }
                    self.objects.push(Obj {
                        id: r,
                        ty,
                        value,
                        obs,
                    });
                }
            }
            (Some(_), _) => return Err(bad("object_refs must be a list")),
            (None, Some(Value::Object(embedded))) => {
                for (key, value) in embedded {
                    let Some(ty) = value.get("type").and_then(Value::as_str) else {
                        continue;
                    };
                    self.objects.push(Obj {
                        id: key,
                        ty,
                        value,
                        obs,
                    });
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
        self.total_count = self.total_count.saturating_add(count);
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

    /// The indexes in [`Self::objects`] of the objects of type `ty` that a pattern's object
    /// type can name, ascending (and so in observation order).
    pub(super) fn of_type(&self, ty: &str) -> &[u32] {
        let index = self.by_type.get_or_init(|| {
            let mut index: HashMap<&'a str, Vec<u32>> = HashMap::new();
            for obs in &self.list {
                for at in obs.objects.start + 1..obs.objects.end {
                    // Object counts fit u32 as observation counts do (see `add`).
                    index
                        .entry(self.objects[at].ty)
                        .or_default()
                        .push(at as u32);
                }
            }
            index
        });
        index.get(ty).map_or(&[], Vec::as_slice)
    }

    /// The objects of type `ty` by the string at `path`, a list of keys each looked up in
    /// the object the previous one reached (none of them a `_ref`, `_refs`, `_hex` or `_bin`
    /// property, which a path walk would follow or decode).
    pub(super) fn by_value(&self, ty: &str, path: &[&str]) -> Arc<ValueIndex<'a>> {
        // Building under the lock is fine: nothing in it can panic or wait on another lock.
        let mut types = self.by_value.lock().unwrap_or_else(PoisonError::into_inner);
        let paths = types.entry(Box::from(ty)).or_default();
        let same = |known: &[Box<str>]| known.iter().map(|k| &**k).eq(path.iter().copied());
        if let Some((_, index)) = paths.iter().find(|(known, _)| same(known)) {
            return Arc::clone(index);
        }
        let at_path = |object: &'a Value| -> Option<&'a str> {
            path.iter()
                .try_fold(object, |v, key| v.get(*key))
                .and_then(Value::as_str)
        };
        let mut pairs: Vec<(&'a str, u32)> = self
            .of_type(ty)
            .iter()
            .filter_map(|&at| at_path(self.objects[at as usize].value).map(|s| (s, at)))
            .collect();
        // A stable sort keeps each value's objects ascending.
        pairs.sort_by(|a, b| a.0.cmp(b.0));
        let mut groups: HashMap<&'a str, Range<u32>> = HashMap::new();
        let mut from = 0;
        for (i, &(value, _)) in pairs.iter().enumerate() {
            if pairs.get(i + 1).is_none_or(|next| next.0 != value) {
                // Positions fit u32 as object indexes do.
                groups.insert(value, from as u32..(i + 1) as u32);
                from = i + 1;
            }
        }
        let index = Arc::new(ValueIndex {
            objects: pairs.into_iter().map(|(_, at)| at).collect(),
            groups,
        });
        paths.push((
            path.iter().map(|&k| Box::from(k)).collect(),
            Arc::clone(&index),
        ));
        index
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
