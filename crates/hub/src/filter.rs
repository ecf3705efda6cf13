//! Parsing of filter values shared by every front end (TAXII parameters,
//! command-line flags), so they accept exactly the same language.

use charter_stix::Timestamp;
use charter_store::VersionFilter;

use crate::error::{Error, Result};

/// Parses `match[version]` values: each is `first`, `last`, `all` or a STIX
/// timestamp; a value may itself be a comma-separated list. `what` names the
/// parameter in error messages.
pub fn parse_version_filter<'a>(
    what: &str,
    values: impl IntoIterator<Item = &'a str>,
) -> Result<VersionFilter> {
    let mut filter = VersionFilter::default();
    for value in values.into_iter().flat_map(|v| v.split(',')) {
        match value.trim() {
            "" => {
                return Err(Error::invalid(format!(
                    "{what}: an empty item in '{value}'"
                )));
            }
            "first" => filter.first = true,
            "last" => filter.last = true,
            "all" => filter.all = true,
            other => {
                let ts = Timestamp::parse(other).map_err(|e| {
                    Error::invalid(format!(
                        "{what}: '{other}' is not first, last, all or a timestamp ({e})"
                    ))
                })?;
                filter.exact.push(ts.sort_key());
            }
        }
    }
    Ok(filter)
}

/// Parses a timestamp value such as `added_after`; `what` names it in errors.
pub fn parse_timestamp(what: &str, value: &str) -> Result<Timestamp> {
    Timestamp::parse(value)
        .map_err(|e| Error::invalid(format!("{what}: '{value}' is not a STIX timestamp ({e})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_and_timestamps_unite() {
        let f = parse_version_filter("match[version]", ["first,2016-01-01T00:00:00.000Z", "last"])
            .expect("valid values");
        assert!(f.first && f.last && !f.all);
        assert_eq!(f.exact, vec!["2016-01-01T00:00:00.000000000Z".to_owned()]);
    }

    #[test]
    fn empty_items_are_refused() {
        let err = parse_version_filter("--version", ["first,,last"]).expect_err("empty item");
        assert!(
            err.message().starts_with("--version: an empty item"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn bad_value_is_named() {
        let err = parse_version_filter("match[version]", ["newest"]).expect_err("not a keyword");
        assert!(
            err.message().contains("match[version]: 'newest'"),
            "{}",
            err.message()
        );
    }
}
