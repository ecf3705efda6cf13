//! Lookups against the model: each viewer finds exactly the latest version it may see of
//! each object, whatever the other audiences the hub's lookup indexes serve.

use std::collections::BTreeMap;

use charter_hub::{Hub, IndicatorFilter, Viewer};
use proptest::prelude::*;

use super::model::{Version, World, may_read_collection, visible};

/// Each viewer looks up every value of the case in the collections it may read, and finds
/// exactly the latest version it may see of each object there (all are active).
pub(super) async fn check_lookups(
    hub: &Hub,
    case: u64,
    w: &World,
    viewers: &[Viewer],
    collection_ids: &[String],
    accepted: &[Version],
) -> Result<(), TestCaseError> {
    let values: Vec<String> = (0..4).map(|o| format!("198.51.100.{o}")).collect();
    let ours = format!("-8c7d-{case:08x}");
    for (org, viewer) in viewers.iter().enumerate() {
        let readable: Vec<usize> = (0..w.collections.len())
            .filter(|k| may_read_collection(w, org, *k))
            .collect();
        let mut expect: BTreeMap<(usize, usize), String> = BTreeMap::new();
        for v in accepted.iter().filter(|v| visible(w, org, v)) {
            let e = expect.entry((v.collection, v.object)).or_default();
            if v.version > *e {
                e.clone_from(&v.version);
            }
        }
        let filter = IndicatorFilter {
            api_root: "default".into(),
            collections: readable
                .iter()
                .map(|k| collection_ids[*k].clone())
                .collect(),
            ..IndicatorFilter::default()
        };
        let mut got = BTreeMap::new();
        if !readable.is_empty() {
            let answers = hub
                .lookup(viewer, &filter, &values)
                .await
                .map_err(|e| TestCaseError::fail(format!("lookup of org {org}: {e}")))?
                .into_inner();
            for (o, answer) in answers.iter().enumerate() {
                for (ind, exact) in &answer.indicators {
                    prop_assert!(*exact, "a direct pattern");
                    prop_assert!(ind.id.contains(&ours), "another case's {}", ind.id);
                    let object =
                        usize::from_str_radix(&ind.id[ind.id.len() - 4..], 16).expect("hex suffix");
                    prop_assert_eq!(object, o, "matched the value of its pattern");
                    let k = collection_ids
                        .iter()
                        .position(|c| *c == ind.collection)
                        .expect("a collection of this case");
                    prop_assert!(
                        got.insert((k, object), ind.version.clone()).is_none(),
                        "once per collection"
                    );
                }
            }
        }
        prop_assert_eq!(got, expect, "the lookup of org {}", org);
    }
    Ok(())
}
