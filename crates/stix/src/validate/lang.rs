//! RFC 5646 language tags, checked for well-formedness.
//!
//! The specification asks for RFC 5646 tags in `lang`, granular markings,
//! language-content and software. Well-formedness is checked by the RFC's
//! grammar (language, extlang, script, region, variants, extensions, private
//! use, and the grandfathered tags); whether each subtag is registered is
//! not, since the registry grows and a node must not refuse data over it.

const GRANDFATHERED: &[&str] = &[
    "en-gb-oed",
    "i-ami",
    "i-bnn",
    "i-default",
    "i-enochian",
    "i-hak",
    "i-klingon",
    "i-lux",
    "i-mingo",
    "i-navajo",
    "i-pwn",
    "i-tao",
    "i-tay",
    "i-tsu",
    "sgn-be-fr",
    "sgn-be-nl",
    "sgn-ch-de",
    "art-lojban",
    "cel-gaulish",
    "no-bok",
    "no-nyn",
    "zh-guoyu",
    "zh-hakka",
    "zh-min",
    "zh-min-nan",
    "zh-xiang",
];

/// A well-formed RFC 5646 language tag (`en`, `en-GB`, `zh-Hant-TW`,
/// `sr-Latn-RS`, `de-CH-1901`, `x-private`, …). Registry membership of
/// the subtags is not checked.
pub(crate) fn is_language_tag(s: &str) -> bool {
    if s.is_empty() || s.len() > 255 || !s.is_ascii() {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    if GRANDFATHERED.contains(&lower.as_str()) {
        return true;
    }
    let subtags: Vec<&str> = lower.split('-').collect();
    if subtags
        .iter()
        .any(|t| t.is_empty() || t.len() > 8 || !t.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return false;
    }
    let alpha = |t: &str| t.bytes().all(|b| b.is_ascii_alphabetic());
    let digit = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let private = |rest: &[&str]| !rest.is_empty();
    if subtags[0] == "x" {
        return private(&subtags[1..]);
    }
    let mut i = 0;
    // language, with up to three extlangs after a 2–3 letter language
    let lang = subtags[0];
    if !alpha(lang) || lang.len() < 2 {
        return false;
    }
    i += 1;
    if lang.len() <= 3 {
        let mut extlangs = 0;
        while extlangs < 3 && subtags.get(i).is_some_and(|t| t.len() == 3 && alpha(t)) {
            i += 1;
            extlangs += 1;
        }
    }
    if subtags.get(i).is_some_and(|t| t.len() == 4 && alpha(t)) {
        i += 1; // script
    }
    if subtags
        .get(i)
        .is_some_and(|t| (t.len() == 2 && alpha(t)) || (t.len() == 3 && digit(t)))
    {
        i += 1; // region
    }
    while subtags
        .get(i)
        .is_some_and(|t| (t.len() >= 5) || (t.len() == 4 && t.as_bytes()[0].is_ascii_digit()))
    {
        i += 1; // variants
    }
    while let Some(t) = subtags.get(i) {
        if t.len() != 1 {
            return false;
        }
        if *t == "x" {
            return private(&subtags[i + 1..]);
        }
        // an extension: a singleton, then one or more 2–8 character subtags
        let start = i + 1;
        i = start;
        while subtags.get(i).is_some_and(|t| t.len() >= 2) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags() {
        for ok in [
            "en",
            "en-GB",
            "zh-Hant-TW",
            "sr-Latn-RS",
            "de-CH-1901",
            "x-private",
            "en-a-bbb-x-a-ccc",
            "i-klingon",
            "zh-yue-HK",
            "kok",
        ] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in [
            "",
            "e",
            "abcdefghi",
            "en_GB",
            "en-",
            "1en",
            "en-a",
            "en-x",
            "français",
        ] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }
}
