//! The release record for oversight: its entries, page by page, and a check
//! of the whole chain.
//!
//! `GET /api/v1/audit?after=SEQ&limit=N` answers
//! `{"entries": [...], "next": SEQ|null}`, entries in `seq` order after
//! `after` (from the start when absent), at most `limit` of them (the node's
//! default page size when absent, clamped to its maximum); `next` is the
//! `after` of the following page, `null` on the last. Entries are in the
//! form of [`crate::audit_format`].
//!
//! `GET /api/v1/audit/verify` answers
//! `{"entries": N, "head": {"seq", "hash"}|null, "valid": bool, "problems": [{"seq", "kind", "message"}]}`.
//!
//! Both are for auditors and node administrators; the hub refuses (403)
//! everyone else. Unknown parameters are ignored, as on TAXII routes.

use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use charter_hub::Hub;
use serde::Serialize;

use crate::api::{Caller, JsonResult, json};
use crate::audit_format::{self, EntryForm};
use crate::error::{ApiError, ApiResult, ErrorCode};

/// The URL parameters of an entries read.
#[derive(Debug, Default, PartialEq, Eq)]
struct EntriesQuery {
    after: Option<i64>,
    limit: Option<usize>,
}

impl EntriesQuery {
    fn from_uri(uri: &Uri) -> ApiResult<EntriesQuery> {
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri).map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidParameter,
                format!("the query string cannot be decoded: {e}"),
            )
        })?;
        let mut query = EntriesQuery::default();
        let mut seen = (false, false);
        for (name, value) in &pairs {
            let repeated = || ApiError::parameter(name, value, "is given more than once");
            match name.as_str() {
                "after" => {
                    if std::mem::replace(&mut seen.0, true) {
                        return Err(repeated());
                    }
                    let seq = value.parse::<i64>().ok().filter(|n| *n >= 0);
                    let seq = seq.ok_or_else(|| {
                        ApiError::parameter(name, value, "is not an entry's sequence number")
                    })?;
                    query.after = Some(seq);
                }
                "limit" => {
                    if std::mem::replace(&mut seen.1, true) {
                        return Err(repeated());
                    }
                    let n = value.parse::<usize>().ok().filter(|n| *n > 0);
                    let n = n.ok_or_else(|| {
                        ApiError::parameter(name, value, "is not a positive integer")
                    })?;
                    query.limit = Some(n);
                }
                _ => {}
            }
        }
        Ok(query)
    }
}

/// `GET /api/v1/audit`: one page of entries.
pub(super) async fn entries(
    State(hub): State<Hub>,
    Caller(viewer): Caller,
    uri: Uri,
) -> JsonResult<Response> {
    #[derive(Serialize)]
    struct Body<'a> {
        entries: Vec<EntryForm<'a>>,
        next: Option<i64>,
    }
    let query = EntriesQuery::from_uri(&uri)?;
    let config = hub.config();
    let limit = query
        .limit
        .unwrap_or(config.default_page_size)
        .clamp(1, config.max_page_size.max(1));
    let page = hub.audit_entries(&viewer, query.after, limit).await?;
    // A full page may be the last one: look one entry ahead so `next` is
    // given only when another page really follows.
    let next = match page.get().last() {
        Some(last) if page.get().len() >= limit => {
            let ahead = hub.audit_entries(&viewer, Some(last.seq), 1).await?;
            (!ahead.get().is_empty()).then_some(last.seq)
        }
        _ => None,
    };
    let body = Body {
        entries: audit_format::entries(&page),
        next,
    };
    Ok(json(&body)?)
}

/// `GET /api/v1/audit/verify`: checks the whole chain.
pub(super) async fn verify(State(hub): State<Hub>, Caller(viewer): Caller) -> JsonResult<Response> {
    #[derive(Serialize)]
    struct Head<'a> {
        seq: i64,
        hash: &'a str,
    }
    #[derive(Serialize)]
    struct Problem<'a> {
        seq: i64,
        kind: &'static str,
        message: &'a str,
    }
    #[derive(Serialize)]
    struct Body<'a> {
        entries: u64,
        head: Option<Head<'a>>,
        valid: bool,
        problems: Vec<Problem<'a>>,
    }
    let report = hub.verify_audit(&viewer).await?;
    let body = Body {
        entries: report.entries,
        head: report
            .head
            .as_ref()
            .map(|(seq, hash)| Head { seq: *seq, hash }),
        valid: report.problems.is_empty(),
        problems: report
            .problems
            .iter()
            .map(|p| Problem {
                seq: p.seq,
                kind: audit_format::problem_kind(p.kind),
                message: &p.message,
            })
            .collect(),
    };
    Ok(json(&body)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> Result<EntriesQuery, ErrorCode> {
        let uri: Uri = format!("/api/v1/audit{query}").parse().expect("test URI");
        EntriesQuery::from_uri(&uri).map_err(|e| e.code())
    }

    #[test]
    fn entries_parameters() {
        assert_eq!(parse(""), Ok(EntriesQuery::default()));
        assert_eq!(
            parse("?after=0&limit=10&other=x"),
            Ok(EntriesQuery {
                after: Some(0),
                limit: Some(10)
            })
        );
        for bad in [
            "?after=-1",
            "?after=x",
            "?limit=0",
            "?limit=",
            "?after=1&after=2",
            "?limit=1&limit=1",
        ] {
            assert_eq!(parse(bad), Err(ErrorCode::InvalidParameter), "{bad}");
        }
    }
}
