//! Deciding observations one after another against an [`Index`], with the bounded, windowed
//! state that patterns across observations need.

use std::collections::VecDeque;

use foldhash::{HashMap, HashSet};
use serde_json::Value;

use super::{Index, Probe, Shape};

/// The most recent observations kept per windowed indicator. A pattern across observations
/// is decided over at most this many of those that hit its anchors, so memory and evaluation
/// time stay bounded whatever the input.
pub const WINDOW_OBSERVATIONS: usize = 64;

/// The most windowed indicators holding state at once; beyond it the oldest state is
/// dropped, so a scan runs in constant memory.
pub const WINDOW_INDICATORS: usize = 10_000;

/// A match of one indicator on one observation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The indicator's ordinal.
    pub ord: u32,
    /// The value that hit its anchor, as written in the input; empty when the indicator
    /// matched through the evaluator alone.
    pub value: String,
}

/// Scans observations one after another. Holds the windowed state of patterns across
/// observations; one scanner per input stream.
#[derive(Debug)]
pub struct Scanner<'i> {
    index: &'i Index,
    state: HashMap<u32, VecDeque<(i64, Value)>>,
    order: VecDeque<u32>,
    seen: HashSet<u32>,
    candidates: Vec<(u32, usize)>,
    /// Observations the evaluator refused as too complex (counted, never fatal).
    pub evaluation_errors: u64,
}

impl<'i> Scanner<'i> {
    /// A scanner over `index`.
    pub fn new(index: &'i Index) -> Scanner<'i> {
        Scanner {
            index,
            state: HashMap::default(),
            order: VecDeque::new(),
            seen: HashSet::default(),
            candidates: Vec::new(),
            evaluation_errors: 0,
        }
    }

    /// Decides one observation: its values (`probes`), the object types it holds, its time
    /// (microseconds since the epoch, for `WITHIN`), and `stix`, which builds it as STIX
    /// (an observed-data object with its objects embedded) when the evaluator needs it.
    /// Appends one [`Hit`] per matching indicator to `hits`.
    pub fn observe(
        &mut self,
        probes: &[Probe<'_>],
        types: &[&str],
        time: i64,
        stix: &mut dyn FnMut() -> Value,
        hits: &mut Vec<Hit>,
    ) {
        let index = self.index;
        self.seen.clear();
        self.candidates.clear();
        let seen = &mut self.seen;
        let candidates = &mut self.candidates;
        index.candidates_of(probes, &mut |i, ord| {
            if seen.insert(ord) {
                candidates.push((ord, i));
            }
        });
        for t in types.iter().filter(|_| index.has_general()) {
            for &ord in index.general(t) {
                if self.seen.insert(ord) {
                    self.candidates.push((ord, usize::MAX));
                }
            }
        }
        if self.candidates.is_empty() {
            return;
        }
        let mut built: Option<Value> = None;
        let candidates = std::mem::take(&mut self.candidates);
        for &(ord, probe) in &candidates {
            let value = probes
                .get(probe)
                .map(|p| p.value.to_owned())
                .unwrap_or_default();
            let matched = match index.shape(ord) {
                None => false,
                Some(Shape::Direct) => true,
                Some(Shape::Verified) => {
                    let obs = built.get_or_insert_with(&mut *stix);
                    self.evaluate(ord, std::slice::from_ref(obs))
                }
                Some(Shape::Windowed) => {
                    let obs = built.get_or_insert_with(&mut *stix).clone();
                    self.windowed(ord, time, obs)
                }
            };
            if matched {
                hits.push(Hit { ord, value });
            }
        }
        self.candidates = candidates;
    }

    fn evaluate(&mut self, ord: u32, observations: &[Value]) -> bool {
        let Some(pattern) = self.index.pattern(ord) else {
            return false;
        };
        match crate::matches(pattern, observations) {
            Ok(m) => m,
            Err(_) => {
                self.evaluation_errors += 1;
                false
            }
        }
    }

    fn windowed(&mut self, ord: u32, time: i64, obs: Value) -> bool {
        let window = self.index.window(ord);
        if !self.state.contains_key(&ord) {
            if self.state.len() >= WINDOW_INDICATORS {
                if let Some(oldest) = self.order.pop_front() {
                    self.state.remove(&oldest);
                }
            }
            self.order.push_back(ord);
        }
        let queue = self.state.entry(ord).or_default();
        queue.push_back((time, obs));
        if let Some(w) = window {
            while queue
                .front()
                .is_some_and(|(t, _)| time.saturating_sub(*t) > w)
            {
                queue.pop_front();
            }
        }
        while queue.len() > WINDOW_OBSERVATIONS {
            queue.pop_front();
        }
        let list: Vec<Value> = queue.iter().map(|(_, v)| v.clone()).collect();
        let matched = self.evaluate(ord, &list);
        if matched {
            // Reported once per completed match; the next match starts afresh.
            self.state.remove(&ord);
            self.order.retain(|&o| o != ord);
        }
        matched
    }
}
