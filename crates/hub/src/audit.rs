//! The release record: a hash-chained log of every write, every release and
//! every administrative act.
//!
//! The hub decides *what* is recorded; the store appends entries and links
//! each to the one before inside its single writer, so the chain cannot
//! fork, and `charter_store::audit` holds the one definition of an entry's
//! hash that appending and verifying share. Entries name objects by id and
//! version, never by content, so an auditor can check the rules were kept
//! without reading what was shared.

use charter_store::{AuditDraft, AuditEntry, AuditProblem};
use serde_json::json;

use crate::error::{Error, ErrorKind, Result};
use crate::objects::now_micros;
use crate::{Hub, Released, Viewer};

/// What a verification of the release record found.
#[derive(Debug, Clone)]
pub struct AuditReport {
    /// Entries checked.
    pub entries: u64,
    /// The sequence number and hash of the last entry: keep them elsewhere
    /// to detect a later truncation of the record.
    pub head: Option<(i64, String)>,
    /// Every problem found, each naming the entry.
    pub problems: Vec<AuditProblem>,
}

/// Entries read per store call while verifying.
const VERIFY_PAGE: usize = 5_000;

pub(crate) fn draft(viewer: &Viewer, action: &str, detail: serde_json::Value) -> AuditDraft {
    AuditDraft {
        at: now_micros(),
        actor: viewer.username().to_owned(),
        action: action.to_owned(),
        channel: viewer.channel().as_str().to_owned(),
        detail: detail.to_string(),
    }
}

fn require_auditor(viewer: &Viewer) -> Result<()> {
    if viewer.can_audit() {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Forbidden,
            "the release record is for auditors and node administrators",
        ))
    }
}

impl Hub {
    /// Appends one entry for an act of `viewer`.
    pub(crate) async fn record(
        &self,
        viewer: &Viewer,
        action: &str,
        detail: serde_json::Value,
    ) -> Result<()> {
        self.store()
            .append_audit(vec![draft(viewer, action, detail)])
            .await?;
        Ok(())
    }

    /// Records that `viewer` was released `objects` (id, version) of
    /// `collection` in `form` ("objects", "manifest", "versions").
    pub(crate) async fn record_release(
        &self,
        viewer: &Viewer,
        collection: &str,
        form: &str,
        objects: &[(&str, &str)],
    ) -> Result<()> {
        let detail = json!({ "collection": collection, "form": form, "decision": "released", "objects": objects });
        self.record(viewer, "release", detail).await
    }

    /// Records that `viewer` was refused `what` and why.
    pub(crate) async fn record_refusal(
        &self,
        viewer: &Viewer,
        what: serde_json::Value,
        reason: &str,
    ) {
        let detail = json!({ "request": what, "decision": "refused", "reason": reason });
        if let Err(e) = self.record(viewer, "release", detail).await {
            tracing::error!(error = %e, "could not record a refusal");
        }
    }

    /// Entries of the release record after `after`, for an auditor.
    pub async fn audit_entries(
        &self,
        viewer: &Viewer,
        after: Option<i64>,
        limit: usize,
    ) -> Result<Released<Vec<AuditEntry>>> {
        require_auditor(viewer)?;
        let limit = limit.clamp(1, self.config().max_page_size.max(1));
        let entries = self.store().audit_entries(after, limit).await?;
        Ok(Released::grant(entries))
    }

    /// Checks the whole release record: each entry's hash, and that each
    /// links to the one before with no gap or reordering.
    pub async fn verify_audit(&self, viewer: &Viewer) -> Result<AuditReport> {
        require_auditor(viewer)?;
        let mut after = None;
        let mut previous: Option<(i64, String)> = None;
        let mut report = AuditReport {
            entries: 0,
            head: None,
            problems: Vec::new(),
        };
        loop {
            let page = self.store().audit_entries(after, VERIFY_PAGE).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.seq);
            let anchor = previous.as_ref().map(|(seq, hash)| (*seq, hash.as_str()));
            report
                .problems
                .extend(charter_store::audit::verify(&page, anchor));
            report.entries += page.len() as u64;
            previous = Some((last.seq, last.hash.clone()));
            if page.len() < VERIFY_PAGE {
                break;
            }
        }
        report.head = previous;
        Ok(report)
    }
}
