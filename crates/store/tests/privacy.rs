//! The two forms of an object and the privacy review queue: originals kept
//! beside released forms, held versions kept out of their collection until
//! a decision, and decisions recorded with their status and audit entry in
//! one transaction.

use std::sync::Arc;

use charter_store::{
    AddOutcome, AuditDraft, DecideReview, ErrorKind, HeldVersion, ReviewDecision, ReviewOutcome,
    ReviewQuery, Store,
};

use crate::util::{collection, everything, granted, indicator, org_record, sco, status};

const V1: &str = "2021-01-01T00:00:00.000Z";

fn held(review: &str, mut version: charter_store::NewVersion) -> HeldVersion {
    version.original = Some(version.raw.replace("Malicious", "Original"));
    HeldVersion {
        id: review.to_owned(),
        version,
        submitted_by: "alice".to_owned(),
        findings: r#"[{"kind":"email"}]"#.to_owned(),
    }
}

fn decision(id: &str, outcome: ReviewOutcome, note: Option<&str>) -> DecideReview {
    DecideReview {
        id: id.to_owned(),
        decision: ReviewDecision {
            outcome,
            by: "rita".to_owned(),
            at: 1_800_000_000_000_000,
            note: note.map(str::to_owned),
        },
        released: None,
        warnings: Vec::new(),
    }
}

fn audit(action: &str) -> Vec<AuditDraft> {
    vec![AuditDraft {
        at: 1,
        actor: "rita".into(),
        action: action.into(),
        channel: "cli".into(),
        detail: "{}".into(),
    }]
}

storetest!(originals_are_kept_beside_the_released_form, |store: Arc<
    dyn Store,
>| async move {
    let c = collection(&*store, "c").await;
    let mut redacted = granted(indicator(1, V1), "amber", &["org:a"], Some("a"));
    redacted.original = Some(redacted.raw.replace("Malicious", "Secret"));
    let plain = indicator(2, V1);
    store
        .add_objects(
            vec![redacted.clone(), plain.clone()],
            status(&c),
            Vec::new(),
        )
        .await
        .expect("added");
    let stored = everything(&*store, &c).await;
    assert_eq!(stored.len(), 2);
    assert!(
        stored.iter().all(|v| !v.raw.contains("Secret")),
        "queries serve the released form"
    );
    let key = redacted.version.clone().expect("versioned").key;
    let originals = store
        .originals(
            &c,
            vec![
                (redacted.id.clone(), key.clone()),
                (plain.id.clone(), key.clone()),
                ("indicator--missing".into(), key.clone()),
            ],
        )
        .await
        .expect("originals");
    assert_eq!(
        originals,
        vec![(
            redacted.id.clone(),
            key,
            redacted.original.clone().expect("set")
        )],
        "only the version with an original has one"
    );
    assert_eq!(
        store
            .originals("nope", Vec::new())
            .await
            .expect_err("unknown collection")
            .kind(),
        ErrorKind::NotFound
    );

    // Deleting the version deletes its original.
    let removed = store
        .delete_object(
            &c,
            &redacted.id,
            crate::util::all(),
            crate::util::unrecorded(),
        )
        .await
        .expect("deleted");
    assert_eq!(removed, 1);
    let version = redacted.version.expect("versioned").key;
    assert!(
        store
            .originals(&c, vec![(redacted.id, version)])
            .await
            .expect("originals")
            .is_empty()
    );
});

storetest!(held_versions_wait_outside_their_collection, |store: Arc<
    dyn Store,
>| async move {
    let c = collection(&*store, "c").await;
    let mut st = status(&c);
    st.id = "s-held".into();
    let outcomes = store
        .submit(
            vec![indicator(1, V1)],
            vec![
                held("r-1", indicator(2, V1)),
                held("r-2", sco(3, "x.example")),
            ],
            st,
            audit("write"),
        )
        .await
        .expect("submitted");
    assert_eq!(outcomes.len(), 1, "one outcome per stored version");
    let stored = everything(&*store, &c).await;
    assert_eq!(stored.len(), 1, "held versions are not in the collection");

    let recorded = store.status("s-held").await.expect("read").expect("status");
    assert_eq!(recorded.successes.len(), 1);
    assert_eq!(recorded.pendings.len(), 2, "held versions are pending");
    assert_eq!(recorded.pendings[0].version, V1);
    assert!(
        !recorded.pendings[1].version.is_empty(),
        "an unversioned object shows its submission time"
    );

    let pending = store
        .reviews(ReviewQuery {
            pending_only: true,
            ..Default::default()
        })
        .await
        .expect("reviews");
    assert_eq!(
        pending.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["r-1", "r-2"]
    );
    let one = store.review("r-1").await.expect("read").expect("review");
    assert_eq!(one.collection, c);
    assert_eq!(one.status, "s-held");
    assert_eq!(one.submitted_by, "alice");
    assert!(
        one.version
            .original
            .as_deref()
            .is_some_and(|o| o.contains("Original"))
    );
    assert!(one.decision.is_none());
    assert!(store.review("r-none").await.expect("read").is_none());

    // A collection with held versions cannot be removed.
    let mut emptied = c.clone();
    emptied.push_str("-x");
    let d = collection(&*store, &emptied).await;
    let mut st = status(&d);
    st.id = "s-other".into();
    store
        .submit(
            Vec::new(),
            vec![held("r-3", indicator(9, V1))],
            st,
            Vec::new(),
        )
        .await
        .expect("held");
    assert_eq!(
        store.remove_collection(&d).await.expect_err("held").kind(),
        ErrorKind::Conflict
    );

    // A taken review id refuses the whole submission.
    let mut st = status(&c);
    st.id = "s-dup".into();
    let err = store
        .submit(
            vec![indicator(5, V1)],
            vec![held("r-1", indicator(6, V1))],
            st,
            Vec::new(),
        )
        .await
        .expect_err("review id taken");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(store.status("s-dup").await.expect("read").is_none());
    assert_eq!(everything(&*store, &c).await.len(), 1, "nothing stored");
});

storetest!(
    decisions_release_or_reject_once,
    |store: Arc<dyn Store>| async move {
        let c = collection(&*store, "c").await;
        let mut st = status(&c);
        st.id = "s".into();
        store
            .submit(
                Vec::new(),
                vec![
                    held(
                        "approve-me",
                        granted(indicator(1, V1), "green", &["community:x"], Some("a")),
                    ),
                    held("reject-me", indicator(2, V1)),
                    held("redact-me", sco(3, "y.example")),
                ],
                st,
                Vec::new(),
            )
            .await
            .expect("held");
        let head = store.audit_head().await.expect("head");

        let (review, outcome) = store
            .decide_review(
                decision("approve-me", ReviewOutcome::Approved, None),
                audit("review"),
            )
            .await
            .expect("approved");
        assert!(matches!(outcome, Some(AddOutcome::Added(_))));
        assert_eq!(
            review.decision.as_ref().map(|d| d.outcome),
            Some(ReviewOutcome::Approved)
        );
        let stored = everything(&*store, &c).await;
        assert_eq!(stored.len(), 1);
        assert_eq!(
            stored[0].grants,
            ["community:x"],
            "the audience computed at submission"
        );
        assert_eq!(stored[0].submitter.as_deref(), Some("a"));
        assert!(stored[0].raw.contains("Malicious"), "the released form");
        let version = review.version.version.clone().expect("versioned").key;
        let originals = store
            .originals(&c, vec![(review.version.id.clone(), version)])
            .await
            .expect("originals");
        assert!(
            originals[0].2.contains("Original"),
            "the original goes with it"
        );

        let err = store
            .decide_review(
                decision("approve-me", ReviewOutcome::Rejected, None),
                audit("review"),
            )
            .await
            .expect_err("decided twice");
        assert_eq!(err.kind(), ErrorKind::Conflict);
        let err = store
            .decide_review(
                decision("nobody", ReviewOutcome::Approved, None),
                audit("review"),
            )
            .await
            .expect_err("unknown");
        assert_eq!(err.kind(), ErrorKind::NotFound);

        let (_, outcome) = store
            .decide_review(
                decision("reject-me", ReviewOutcome::Rejected, Some("names a victim")),
                audit("review"),
            )
            .await
            .expect("rejected");
        assert_eq!(outcome, None);

        let mut redacted = decision(
            "redact-me",
            ReviewOutcome::Approved,
            Some("redacted further"),
        );
        redacted.released = Some(
        r#"{"type":"domain-name","spec_version":"2.1","id":"domain-name--00000000-0000-4000-8000-000000000003","value":"[REDACTED]"}"#
            .to_owned(),
    );
        let (review, _) = store
            .decide_review(redacted, audit("review"))
            .await
            .expect("approved with changes");
        assert!(review.version.raw.contains("[REDACTED]"));
        let stored = everything(&*store, &c).await;
        assert_eq!(stored.len(), 2);
        assert!(stored.iter().any(|v| v.raw.contains("[REDACTED]")));
        let again = store
            .review("redact-me")
            .await
            .expect("read")
            .expect("review");
        assert!(
            again.version.raw.contains("[REDACTED]"),
            "the released form is recorded"
        );

        let status = store.status("s").await.expect("read").expect("status");
        assert!(status.pendings.is_empty(), "{status:?}");
        assert_eq!(status.successes.len(), 2);
        assert_eq!(status.failures.len(), 1);
        assert_eq!(
            status.failures[0].message.as_deref(),
            Some("rejected in privacy review: names a victim")
        );
        let decided = store
            .reviews(ReviewQuery {
                pending_only: true,
                ..Default::default()
            })
            .await
            .expect("reviews");
        assert!(decided.is_empty());
        let by_a = store
            .reviews(ReviewQuery {
                submitter: Some("a".into()),
                ..Default::default()
            })
            .await
            .expect("reviews");
        assert_eq!(by_a.len(), 1);
        assert_eq!(by_a[0].id, "approve-me");

        let after = store.audit_head().await.expect("head").expect("entries");
        assert_eq!(
            after.0,
            head.map_or(0, |h| h.0) + 3,
            "one entry per decision"
        );
    }
);

storetest!(attribution_is_kept_per_organisation, |store: Arc<
    dyn Store,
>| async move {
    store.create_org(org_record("grid")).await.expect("org");
    let org = store.org("grid").await.expect("read").expect("org");
    assert!(!org.attribution, "anonymous by default");
    store
        .set_org_attribution(&org.id, true)
        .await
        .expect("opt in");
    assert!(
        store
            .org("grid")
            .await
            .expect("read")
            .expect("org")
            .attribution
    );
    assert_eq!(
        store
            .set_org_attribution("org-nobody", true)
            .await
            .expect_err("unknown")
            .kind(),
        ErrorKind::NotFound
    );
});
