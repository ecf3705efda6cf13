//! The vocabularies administration checks against: the STIX 2.1
//! industry-sector vocabulary, organisation kinds and country codes.

use crate::error::{Error, Result};

/// The STIX 2.1 `industry-sector-ov` vocabulary.
pub const INDUSTRY_SECTORS: &[&str] = &[
    "agriculture",
    "aerospace",
    "automotive",
    "chemical",
    "commercial",
    "communications",
    "construction",
    "defense",
    "education",
    "energy",
    "entertainment",
    "financial-services",
    "government",
    "government-emergency-services",
    "government-local",
    "government-national",
    "government-public-services",
    "government-regional",
    "healthcare",
    "hospitality-leisure",
    "infrastructure",
    "infrastructure-dams",
    "infrastructure-nuclear",
    "infrastructure-water",
    "insurance",
    "manufacturing",
    "mining",
    "non-profit",
    "pharmaceuticals",
    "retail",
    "technology",
    "telecommunications",
    "transportation",
    "utilities",
];

/// The kinds of member organisation.
pub const ORG_KINDS: &[&str] = &["government", "cert", "private"];

pub(crate) fn validate_sector(sector: &str) -> Result<()> {
    if INDUSTRY_SECTORS.contains(&sector) {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "sector '{sector}' is not in the STIX industry-sector vocabulary"
        )))
    }
}

pub(crate) fn validate_kind(kind: &str) -> Result<()> {
    if ORG_KINDS.contains(&kind) {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "kind '{kind}': use government, cert or private"
        )))
    }
}

/// A country is an ISO 3166-1 alpha-2 code in upper case (`GB`, `US`, `AU`).
pub(crate) fn validate_country(country: &str) -> Result<()> {
    if country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "country '{country}': use an ISO 3166-1 alpha-2 code such as GB, US or AU"
        )))
    }
}
