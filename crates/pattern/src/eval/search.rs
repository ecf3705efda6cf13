//! Deciding an observation expression: a depth-first search for a *binding*, an assignment of
//! observation instances to the bracketed expressions that satisfies every operator.
//!
//! An observation counted `number_observed` times offers that many interchangeable instances,
//! and no instance may be bound twice, so a binding is a multiset of observations within
//! their counts. `AND` binds each operand; `OR` one of them; `FOLLOWEDBY` requires that the
//! latest `first_observed` on its left is not after the earliest `last_observed` on its right;
//! `REPEATS n` binds its operand n times; `WITHIN d` requires some window of d seconds to
//! touch every bound interval (latest first minus earliest last at most d); `START`/`STOP`
//! requires every bound interval to reach into `[start, stop)`. These are the semantics of
//! the OASIS stix2-matcher, which enumerates bindings in the same sense.
//!
//! The search prunes as it goes: per-observation conditions (`START`/`STOP`, the bound a
//! `FOLLOWEDBY` left side sets for its right side) filter candidates, and `WITHIN` windows
//! are checked on partial bindings, which is sound because adding an interval can only widen
//! the span. `REPEATS` picks its bindings in non-decreasing order so each combination is tried
//! once. Steps and depth are bounded ([`crate::MAX_EVAL_STEPS`], [`MAX_SEARCH_DEPTH`]).

use super::EvalError;
use super::observations::Observations;

/// Deepest nesting of choices one search may make; keeps the recursion within a thread's
/// stack whatever the pattern asks for.
pub(super) const MAX_SEARCH_DEPTH: usize = 1024;

/// The observation expression tree as the search sees it.
pub(super) enum Plan {
    /// A bracketed expression and the observations in which some object satisfies it.
    Leaf(Vec<u32>),
    And(Vec<Plan>),
    Or(Vec<Plan>),
    FollowedBy(Vec<Plan>),
    Within(Box<Plan>, i128),
    Repeats(Box<Plan>, u64),
    StartStop(Box<Plan>, i128, i128),
}

impl Plan {
    /// Calls `f` on every leaf's observation list.
    fn each_leaf(&mut self, f: &mut dyn FnMut(&mut Vec<u32>)) {
        match self {
            Plan::Leaf(list) => f(list),
            Plan::And(items) | Plan::Or(items) | Plan::FollowedBy(items) => {
                items.iter_mut().for_each(|i| i.each_leaf(f));
            }
            Plan::Within(inner, _) | Plan::Repeats(inner, _) | Plan::StartStop(inner, _, _) => {
                inner.each_leaf(f);
            }
        }
    }

    /// The fewest instances any binding of this plan uses.
    fn min_size(&self) -> u64 {
        match self {
            Plan::Leaf(_) => 1,
            Plan::And(items) | Plan::FollowedBy(items) => items
                .iter()
                .map(Plan::min_size)
                .fold(0, u64::saturating_add),
            Plan::Or(items) => items.iter().map(Plan::min_size).min().unwrap_or(0),
            Plan::Within(inner, _) | Plan::StartStop(inner, _, _) => inner.min_size(),
            Plan::Repeats(inner, n) => inner.min_size().saturating_mul(*n),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    Stop,
    Continue,
}

/// A condition every observation picked inside some subexpression must meet.
#[derive(Clone, Copy)]
enum Filter {
    /// `START`/`STOP`: the interval reaches into `[start, stop)`.
    Window(i128, i128),
    /// The right side of `FOLLOWEDBY`: `last_observed` not before this.
    LastFrom(i128),
}

/// A `WITHIN` window being checked: its length and the span of the picks inside it so far.
struct Scope {
    limit: i128,
    max_first: i128,
    min_last: i128,
}

type Cont<'k> = dyn FnMut(&mut Search) -> Flow + 'k;

/// An observation some leaf of the plan lists, as the search sees it.
struct Slot {
    first: i128,
    last: i128,
    count: u64,
    /// Instances bound so far.
    used: u64,
}

/// The search state.
pub(super) struct Search {
    /// The observations the plan's leaves list, in observation order; the leaves are
    /// renumbered to index this, so the state is as large as what the plan can bind.
    obs: Vec<Slot>,
    /// Instances not bound yet, over all observations (listed or not), as `REPEATS`
    /// prunes with it.
    free: u64,
    picks: Vec<u32>,
    filters: Vec<Filter>,
    scopes: Vec<Scope>,
    undo: Vec<(i128, i128)>,
    steps: u64,
    depth: usize,
    failure: Option<EvalError>,
}

impl Search {
    /// The search for `plan` over `data`, renumbering the plan's leaves (in the same order,
    /// so the search takes the same steps).
    pub(super) fn new(data: &Observations<'_>, plan: &mut Plan) -> Search {
        let mut listed: Vec<u32> = Vec::new();
        plan.each_leaf(&mut |leaf| listed.extend_from_slice(leaf));
        listed.sort_unstable();
        listed.dedup();
        plan.each_leaf(&mut |leaf| {
            for o in leaf.iter_mut() {
                // `listed` holds every listed observation, and fewer than 2^32 of them.
                *o = listed.partition_point(|&x| x < *o) as u32;
            }
        });
        let obs = listed
            .iter()
            .map(|&o| {
                let o = &data.list[o as usize];
                Slot {
                    first: o.first,
                    last: o.last,
                    count: o.count,
                    used: 0,
                }
            })
            .collect();
        Search {
            obs,
            free: data.total_count,
            picks: Vec::new(),
            filters: Vec::new(),
            scopes: Vec::new(),
            undo: Vec::new(),
            steps: 0,
            depth: 0,
            failure: None,
        }
    }

    /// Whether some binding of `plan` exists.
    pub(super) fn run(mut self, plan: &Plan) -> Result<bool, EvalError> {
        let found = self.each(plan, &mut |_| Flow::Stop) == Flow::Stop;
        match self.failure {
            Some(e) => Err(e),
            None => Ok(found),
        }
    }

    /// Instances of observation `o` not bound yet.
    fn available(&self, o: u32) -> u64 {
        let slot = &self.obs[o as usize];
        slot.count - slot.used
    }

    /// Counts a step; false (with the failure recorded) once the budget is spent.
    fn step(&mut self) -> bool {
        self.steps += 1;
        if self.steps > crate::MAX_EVAL_STEPS {
            self.failure.get_or_insert(EvalError::TooComplex(format!(
                "evaluation needs more than {} search steps",
                crate::MAX_EVAL_STEPS
            )));
            return false;
        }
        true
    }

    /// Calls `k` for each binding of `plan` (extending the current partial binding) until `k`
    /// says stop.
    fn each(&mut self, plan: &Plan, k: &mut Cont<'_>) -> Flow {
        if self.failure.is_some() {
            return Flow::Stop;
        }
        self.depth += 1;
        let flow = if self.depth > MAX_SEARCH_DEPTH {
            self.failure.get_or_insert(EvalError::TooComplex(format!(
                "evaluation nests more than {MAX_SEARCH_DEPTH} choices"
            )));
            Flow::Stop
        } else {
            self.each_inner(plan, k)
        };
        self.depth -= 1;
        flow
    }

    fn each_inner(&mut self, plan: &Plan, k: &mut Cont<'_>) -> Flow {
        match plan {
            Plan::Leaf(candidates) => {
                for &o in candidates {
                    if self.pick(o, 1, k) == Flow::Stop {
                        return Flow::Stop;
                    }
                }
                Flow::Continue
            }
            Plan::Or(items) => {
                for item in items {
                    if self.each(item, k) == Flow::Stop {
                        return Flow::Stop;
                    }
                }
                Flow::Continue
            }
            Plan::And(items) => self.all_of(items, k),
            Plan::FollowedBy(items) => {
                let start = self.picks.len();
                self.followed_by(items, start, k)
            }
            Plan::Within(inner, limit) => {
                self.scopes.push(Scope {
                    limit: *limit,
                    max_first: i128::MIN,
                    min_last: i128::MAX,
                });
                let flow = self.each(inner, &mut |s: &mut Search| {
                    let scope = s.scopes.pop();
                    let flow = k(s);
                    s.scopes.extend(scope);
                    flow
                });
                self.scopes.pop();
                flow
            }
            Plan::StartStop(inner, start, stop) => {
                if start >= stop {
                    return Flow::Continue;
                }
                self.scoped_filter(Filter::Window(*start, *stop), inner, k)
            }
            Plan::Repeats(inner, n) => {
                if inner.min_size().saturating_mul(*n) > self.free {
                    return Flow::Continue;
                }
                match inner.as_ref() {
                    Plan::Leaf(candidates) => {
                        let free = candidates
                            .iter()
                            .map(|&o| self.available(o))
                            .fold(0, u64::saturating_add);
                        if free < *n {
                            return Flow::Continue;
                        }
                        self.repeat_leaf(candidates, 0, *n, k)
                    }
                    _ => self.repeat(inner, *n, None, k),
                }
            }
        }
    }

    /// Enumerates `inner` with `filter` applying to its picks only.
    fn scoped_filter(&mut self, filter: Filter, inner: &Plan, k: &mut Cont<'_>) -> Flow {
        self.filters.push(filter);
        let flow = self.each(inner, &mut |s: &mut Search| {
            let f = s.filters.pop();
            let flow = k(s);
            s.filters.extend(f);
            flow
        });
        self.filters.pop();
        flow
    }

    fn all_of(&mut self, items: &[Plan], k: &mut Cont<'_>) -> Flow {
        match items.split_first() {
            None => k(self),
            Some((head, rest)) => self.each(head, &mut |s: &mut Search| s.all_of(rest, k)),
        }
    }

    /// `items[i..]` of a left-associative `FOLLOWEDBY` whose picks began at `start`.
    fn followed_by(&mut self, items: &[Plan], start: usize, k: &mut Cont<'_>) -> Flow {
        let Some((head, rest)) = items.split_first() else {
            return k(self);
        };
        let mut next = |s: &mut Search| s.followed_by(rest, start, k);
        if self.picks.len() == start {
            return self.each(head, &mut next);
        }
        let bound = self.picks[start..]
            .iter()
            .map(|&o| self.obs[o as usize].first)
            .max()
            .unwrap_or(i128::MIN);
        self.scoped_filter(Filter::LastFrom(bound), head, &mut next)
    }

    /// Binds `inner` `n` more times, each binding (as a sorted multiset) not below `prev`.
    fn repeat(&mut self, inner: &Plan, n: u64, prev: Option<Vec<u32>>, k: &mut Cont<'_>) -> Flow {
        if n == 0 {
            return k(self);
        }
        let start = self.picks.len();
        self.each(inner, &mut |s: &mut Search| {
            if !s.step() {
                return Flow::Stop;
            }
            let mut key = s.picks[start..].to_vec();
            key.sort_unstable();
            if prev.as_ref().is_some_and(|p| key < *p) {
                return Flow::Continue;
            }
            s.repeat(inner, n - 1, Some(key), k)
        })
    }

    /// `REPEATS n` of a bracketed expression: choose how many instances to take from each
    /// candidate in turn, so the recursion is as deep as the candidates used, not as `n`.
    fn repeat_leaf(&mut self, candidates: &[u32], from: usize, n: u64, k: &mut Cont<'_>) -> Flow {
        if n == 0 {
            return k(self);
        }
        for (i, &o) in candidates.iter().enumerate().skip(from) {
            let available = self.available(o);
            for take in (1..=available.min(n)).rev() {
                let flow = self.pick(o, take, &mut |s: &mut Search| {
                    s.depth += 1;
                    let flow = if s.depth > MAX_SEARCH_DEPTH {
                        s.failure.get_or_insert(EvalError::TooComplex(format!(
                            "evaluation nests more than {MAX_SEARCH_DEPTH} choices"
                        )));
                        Flow::Stop
                    } else {
                        s.repeat_leaf(candidates, i + 1, n - take, k)
                    };
                    s.depth -= 1;
                    flow
                });
                if flow == Flow::Stop {
                    return Flow::Stop;
                }
            }
        }
        Flow::Continue
    }

    /// Binds `take` instances of observation `o` if they are free and every active condition
    /// allows them, runs `k`, and undoes the binding.
    fn pick(&mut self, o: u32, take: u64, k: &mut Cont<'_>) -> Flow {
        if !self.step() {
            return Flow::Stop;
        }
        let i = o as usize;
        if self.available(o) < take {
            return Flow::Continue;
        }
        let (first, last) = (self.obs[i].first, self.obs[i].last);
        let allowed = self.filters.iter().all(|f| match *f {
            Filter::Window(start, stop) => first < stop && last >= start,
            Filter::LastFrom(bound) => last >= bound,
        });
        let fits = self
            .scopes
            .iter()
            .all(|s| s.max_first.max(first).saturating_sub(s.min_last.min(last)) <= s.limit);
        if !allowed || !fits {
            return Flow::Continue;
        }
        let undo_from = self.undo.len();
        for s in &mut self.scopes {
            self.undo.push((s.max_first, s.min_last));
            s.max_first = s.max_first.max(first);
            s.min_last = s.min_last.min(last);
        }
        self.obs[i].used += take;
        self.free -= take;
        // One entry per pick whatever `take` is: the picks serve `FOLLOWEDBY` bounds (which
        // need presence only) and `REPEATS` ordering keys (any consistent key will do).
        self.picks.push(o);
        let flow = k(self);
        self.picks.pop();
        self.obs[i].used -= take;
        self.free += take;
        for (s, saved) in self.scopes.iter_mut().zip(self.undo.drain(undo_from..)) {
            (s.max_first, s.min_last) = saved;
        }
        flow
    }
}
