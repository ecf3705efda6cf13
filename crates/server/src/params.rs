//! TAXII URL parameters: `added_after`, `limit`, `next` and `match[...]`.
//!
//! Parsing is strict about syntax and liberal about presence:
//!
//! - `match[id]`, `match[type]`, `match[version]` and `match[spec_version]`
//!   take comma-separated lists, and a field may be repeated; all values are
//!   united (TAXII 2.1 §3.4.1: a list matches any of its values). An empty
//!   item (`match[type]=a,,b`) is an error rather than a silent "match all".
//! - `match[version]` values are `first`, `last`, `all` or STIX timestamps.
//!   Timestamps and version lists are parsed by the hub's shared parsers
//!   ([`charter_hub::parse_version_filter`], [`charter_hub::parse_timestamp`]),
//!   so the command line and TAXII accept exactly the same language.
//! - `added_after` is one STIX timestamp; `limit` a positive integer (larger
//!   than the node's maximum is clamped by the hub, not refused); `next` a
//!   token from an earlier page. Each may appear once.
//! - Unknown parameters and `match[...]` fields this server does not
//!   support are ignored, as the reference server medallion does: a client
//!   that adds a filter for another server's extension still gets a correct,
//!   if wider, answer. Each endpoint likewise ignores the filters the
//!   specification does not list for it.
//!
//! Every error names the parameter and quotes the value (400).

use axum::extract::Query;
use axum::http::Uri;
use charter_hub::{ObjectFilter, Timestamp, VersionFilter};

use crate::error::{ApiError, ApiResult, ErrorCode};

/// The parsed URL parameters of a read.
#[derive(Debug, Default)]
pub(crate) struct Params {
    added_after: Option<Timestamp>,
    limit: Option<usize>,
    next: Option<String>,
    ids: Vec<String>,
    types: Vec<String>,
    versions: Option<VersionFilter>,
    spec_versions: Vec<String>,
}

/// Which filters an endpoint honours (TAXII 2.1 chapter 5 lists them per endpoint).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Endpoint {
    /// Get Objects and Get Object Manifests: every filter.
    Objects,
    /// Get An Object: `added_after`, `limit`, `next`, `match[version]`, `match[spec_version]`.
    Object,
    /// Get Object Versions: `added_after`, `limit`, `next`, `match[spec_version]`.
    Versions,
}

impl Params {
    /// Parses the query string of `uri`.
    pub(crate) fn from_uri(uri: &Uri) -> ApiResult<Params> {
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri).map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidParameter,
                format!("the query string cannot be decoded: {e}"),
            )
        })?;
        let mut params = Params::default();
        for (name, value) in &pairs {
            params.add(name, value)?;
        }
        Ok(params)
    }

    fn add(&mut self, name: &str, value: &str) -> ApiResult<()> {
        match name {
            "added_after" => {
                let ts = charter_hub::parse_timestamp(name, value).map_err(|e| {
                    ApiError::parameter_described(name, value, e.message().to_owned())
                })?;
                set_once(&mut self.added_after, name, value, ts)
            }
            "limit" => set_once(&mut self.limit, name, value, parse_limit(value)?),
            "next" => {
                if value.is_empty() {
                    return Err(ApiError::parameter(name, value, "is empty"));
                }
                set_once(&mut self.next, name, value, value.to_owned())
            }
            "match[id]" => extend(&mut self.ids, name, value),
            "match[type]" => extend(&mut self.types, name, value),
            "match[spec_version]" => extend(&mut self.spec_versions, name, value),
            "match[version]" => {
                items(name, value)?;
                let parsed = charter_hub::parse_version_filter(name, [value]).map_err(|e| {
                    ApiError::parameter_described(name, value, e.message().to_owned())
                })?;
                let filter = self.versions.get_or_insert_with(VersionFilter::default);
                filter.all |= parsed.all;
                filter.first |= parsed.first;
                filter.last |= parsed.last;
                filter.exact.extend(parsed.exact);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The filter for `endpoint`, dropping the parameters it does not take.
    pub(crate) fn filter(self, endpoint: Endpoint) -> ObjectFilter {
        let mut filter = ObjectFilter {
            added_after: self.added_after,
            ids: Vec::new(),
            types: Vec::new(),
            versions: None,
            spec_versions: self.spec_versions,
            limit: self.limit,
            next: self.next,
        };
        match endpoint {
            Endpoint::Objects => {
                filter.ids = self.ids;
                filter.types = self.types;
                filter.versions = self.versions;
            }
            Endpoint::Object => filter.versions = self.versions,
            Endpoint::Versions => {
                filter.versions = Some(VersionFilter {
                    all: true,
                    ..VersionFilter::default()
                })
            }
        }
        filter
    }

    /// The `match[version]` selection alone (for Delete An Object).
    pub(crate) fn versions(self) -> Option<VersionFilter> {
        self.versions
    }
}

fn set_once<T>(slot: &mut Option<T>, name: &str, value: &str, parsed: T) -> ApiResult<()> {
    if slot.is_some() {
        return Err(ApiError::parameter(
            name,
            value,
            "repeats a parameter that may be given only once",
        ));
    }
    *slot = Some(parsed);
    Ok(())
}

fn parse_limit(value: &str) -> ApiResult<usize> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::parameter(
            "limit",
            value,
            "is not a positive integer",
        ));
    }
    // All digits: the only parse failure left is overflow, which the hub's
    // clamp to the node's maximum page size makes harmless.
    let limit = value.parse::<usize>().unwrap_or(usize::MAX);
    if limit == 0 {
        return Err(ApiError::parameter("limit", value, "must be at least 1"));
    }
    Ok(limit)
}

/// The comma-separated items of a `match[...]` value, trimmed.
fn items<'v>(name: &str, value: &'v str) -> ApiResult<Vec<&'v str>> {
    let items: Vec<&str> = value.split(',').map(str::trim).collect();
    if items.iter().any(|i| i.is_empty()) {
        return Err(ApiError::parameter(name, value, "has an empty item"));
    }
    Ok(items)
}

fn extend(list: &mut Vec<String>, name: &str, value: &str) -> ApiResult<()> {
    for item in items(name, value)? {
        if !list.iter().any(|v| v == item) {
            list.push(item.to_owned());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> ApiResult<Params> {
        let uri: Uri = format!("/x/?{query}").parse().expect("test URI is valid");
        Params::from_uri(&uri)
    }

    #[test]
    fn lists_are_united_across_repeats_and_commas() {
        let p =
            parse("match%5Btype%5D=indicator,%20malware&match[type]=tool&match[type]=indicator")
                .expect("valid query");
        assert_eq!(p.types, ["indicator", "malware", "tool"]);
    }

    #[test]
    fn version_keywords_and_timestamps() {
        let p = parse("match[version]=first,2016-01-01T00:00:00.000Z&match[version]=last")
            .expect("valid query");
        let v = p.versions.expect("versions given");
        assert!(v.first && v.last && !v.all);
        assert_eq!(v.exact.len(), 1);
    }

    #[test]
    fn errors_name_the_parameter() {
        for (query, needle) in [
            ("limit=0", "limit: '0'"),
            ("limit=-3", "limit: '-3'"),
            ("limit=ten", "limit: 'ten'"),
            ("limit=1&limit=2", "limit: '2'"),
            ("added_after=yesterday", "added_after: 'yesterday'"),
            ("match[version]=newest", "match[version]: 'newest'"),
            (
                "match[version]=first,,last",
                "match[version]: 'first,,last'",
            ),
            ("match[type]=a,,b", "match[type]: 'a,,b'"),
            ("next=", "next: ''"),
        ] {
            let err = parse(query).expect_err(query);
            assert_eq!(err.code(), ErrorCode::InvalidParameter);
            let text = format!("{err:?}");
            assert!(text.contains(needle), "{query}: {text}");
        }
    }

    #[test]
    fn huge_limits_are_accepted_for_clamping() {
        let p = parse("limit=999999999999999999999999").expect("valid query");
        assert_eq!(p.limit, Some(usize::MAX));
    }

    #[test]
    fn unknown_parameters_are_ignored() {
        let p = parse("match[created_by_ref]=identity--x&format=pretty").expect("valid query");
        assert!(p.ids.is_empty() && p.types.is_empty() && p.versions.is_none());
    }
}
