//! Traffic Light Protocol marking definitions, TLP 1.0 and TLP 2.0.
//!
//! STIX 2.1 predefines the four TLP 1.0 marking definitions; TLP 2.0's five
//! come from the OASIS extension definition below. Charter works in TLP 2.0
//! levels, so TLP 1.0 WHITE reads as [`TlpLevel::Clear`].

/// TLP 2.0 CLEAR.
pub const TLP_V2_CLEAR: &str = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
/// TLP 2.0 GREEN.
pub const TLP_V2_GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
/// TLP 2.0 AMBER.
pub const TLP_V2_AMBER: &str = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
/// TLP 2.0 AMBER+STRICT.
pub const TLP_V2_AMBER_STRICT: &str = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003";
/// TLP 2.0 RED.
pub const TLP_V2_RED: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
/// TLP 1.0 WHITE (STIX 2.1 predefined).
pub const TLP_V1_WHITE: &str = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9";
/// TLP 1.0 GREEN (STIX 2.1 predefined).
pub const TLP_V1_GREEN: &str = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
/// TLP 1.0 AMBER (STIX 2.1 predefined).
pub const TLP_V1_AMBER: &str = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";
/// TLP 1.0 RED (STIX 2.1 predefined).
pub const TLP_V1_RED: &str = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed";
/// The extension definition the TLP 2.0 marking definitions use.
pub const TLP_V2_EXTENSION_DEFINITION: &str =
    "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";
/// The `created` timestamp every TLP 1.0 marking definition carries.
pub const TLP_V1_CREATED: &str = "2017-01-20T00:00:00.000Z";
/// The `created` timestamp every TLP 2.0 marking definition carries.
pub const TLP_V2_CREATED: &str = "2022-10-01T00:00:00.000Z";

/// A TLP 2.0 level, ordered from least to most restrictive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TlpLevel {
    /// TLP:CLEAR (TLP 1.0 WHITE): no limit on disclosure.
    Clear,
    /// TLP:GREEN: the community.
    Green,
    /// TLP:AMBER: the recipient's organisation and its clients.
    Amber,
    /// TLP:AMBER+STRICT: the recipient's organisation only.
    AmberStrict,
    /// TLP:RED: the named recipients only.
    Red,
}

impl TlpLevel {
    /// Every level, least restrictive first.
    pub const ALL: [TlpLevel; 5] = [
        TlpLevel::Clear,
        TlpLevel::Green,
        TlpLevel::Amber,
        TlpLevel::AmberStrict,
        TlpLevel::Red,
    ];

    /// The TLP 2.0 vocabulary value: `clear`, `green`, `amber`, `amber+strict`, `red`.
    pub fn as_str(self) -> &'static str {
        match self {
            TlpLevel::Clear => "clear",
            TlpLevel::Green => "green",
            TlpLevel::Amber => "amber",
            TlpLevel::AmberStrict => "amber+strict",
            TlpLevel::Red => "red",
        }
    }

    /// The display name, e.g. `TLP:AMBER+STRICT`.
    pub fn name(self) -> &'static str {
        match self {
            TlpLevel::Clear => "TLP:CLEAR",
            TlpLevel::Green => "TLP:GREEN",
            TlpLevel::Amber => "TLP:AMBER",
            TlpLevel::AmberStrict => "TLP:AMBER+STRICT",
            TlpLevel::Red => "TLP:RED",
        }
    }

    /// The id of this level's TLP 2.0 marking definition.
    pub fn marking_id(self) -> &'static str {
        match self {
            TlpLevel::Clear => TLP_V2_CLEAR,
            TlpLevel::Green => TLP_V2_GREEN,
            TlpLevel::Amber => TLP_V2_AMBER,
            TlpLevel::AmberStrict => TLP_V2_AMBER_STRICT,
            TlpLevel::Red => TLP_V2_RED,
        }
    }

    /// Reads a level from `clear`, `TLP:CLEAR`, `white`, `amber+strict`, …
    /// (any letter case).
    pub fn parse(s: &str) -> Option<TlpLevel> {
        let s = s.trim();
        let bare = match s.get(..4) {
            Some(p) if p.eq_ignore_ascii_case("tlp:") => &s[4..],
            _ => s,
        };
        let level = match bare.to_ascii_lowercase().as_str() {
            "clear" | "white" => TlpLevel::Clear,
            "green" => TlpLevel::Green,
            "amber" => TlpLevel::Amber,
            "amber+strict" => TlpLevel::AmberStrict,
            "red" => TlpLevel::Red,
            _ => return None,
        };
        Some(level)
    }
}

impl std::fmt::Display for TlpLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The TLP level a marking-definition id stands for, TLP 1.0 or 2.0.
pub fn level_of(marking_id: &str) -> Option<TlpLevel> {
    let level = match marking_id {
        TLP_V2_CLEAR | TLP_V1_WHITE => TlpLevel::Clear,
        TLP_V2_GREEN | TLP_V1_GREEN => TlpLevel::Green,
        TLP_V2_AMBER | TLP_V1_AMBER => TlpLevel::Amber,
        TLP_V2_AMBER_STRICT => TlpLevel::AmberStrict,
        TLP_V2_RED | TLP_V1_RED => TlpLevel::Red,
        _ => return None,
    };
    Some(level)
}

/// The most restrictive TLP level among marking ids, if any is a TLP marking.
pub fn strictest<'a>(marking_ids: impl IntoIterator<Item = &'a str>) -> Option<TlpLevel> {
    marking_ids.into_iter().filter_map(level_of).max()
}

/// The TLP 1.0 definitions as STIX defines them: id, name, `definition.tlp`.
pub(crate) const TLP_V1_DEFINITIONS: [(&str, &str, &str); 4] = [
    (TLP_V1_WHITE, "TLP:WHITE", "white"),
    (TLP_V1_GREEN, "TLP:GREEN", "green"),
    (TLP_V1_AMBER, "TLP:AMBER", "amber"),
    (TLP_V1_RED, "TLP:RED", "red"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_of_ids() {
        assert_eq!(level_of(TLP_V1_WHITE), Some(TlpLevel::Clear));
        assert_eq!(level_of(TLP_V2_AMBER_STRICT), Some(TlpLevel::AmberStrict));
        assert_eq!(level_of(TLP_V1_RED), Some(TlpLevel::Red));
        assert_eq!(
            level_of("marking-definition--00000000-0000-4000-8000-000000000000"),
            None
        );
        for level in TlpLevel::ALL {
            assert_eq!(level_of(level.marking_id()), Some(level));
            assert_eq!(TlpLevel::parse(level.name()), Some(level));
            assert_eq!(TlpLevel::parse(level.as_str()), Some(level));
        }
    }

    #[test]
    fn strictest_wins() {
        assert_eq!(
            strictest([TLP_V2_GREEN, TLP_V1_AMBER]),
            Some(TlpLevel::Amber)
        );
        assert_eq!(strictest([]), None);
        assert!(TlpLevel::AmberStrict > TlpLevel::Amber);
        assert_eq!(TlpLevel::parse("tlp:white"), Some(TlpLevel::Clear));
        assert_eq!(TlpLevel::parse("orange"), None);
    }
}
