//! Validators for places and names: UK postcodes (real postcode areas), US
//! street lines (state codes), e-mail addresses (no file names), and the user
//! name inside a profile path (not a built-in account, not a URL).

use std::ops::Range;

/// The UK postcode areas, sorted.
const POSTCODE_AREAS: &[&str] = &[
    "AB", "AL", "B", "BA", "BB", "BD", "BF", "BH", "BL", "BN", "BR", "BS", "BT", "BX", "CA", "CB",
    "CF", "CH", "CM", "CO", "CR", "CT", "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT",
    "DY", "E", "EC", "EH", "EN", "EX", "FK", "FY", "G", "GL", "GU", "GY", "HA", "HD", "HG", "HP",
    "HR", "HS", "HU", "HX", "IG", "IM", "IP", "IV", "JE", "KA", "KT", "KW", "KY", "L", "LA", "LD",
    "LE", "LL", "LN", "LS", "LU", "M", "ME", "MK", "ML", "N", "NE", "NG", "NN", "NP", "NR", "NW",
    "OL", "OX", "PA", "PE", "PH", "PL", "PO", "PR", "RG", "RH", "RM", "S", "SA", "SE", "SG", "SK",
    "SL", "SM", "SN", "SO", "SP", "SR", "SS", "ST", "SW", "SY", "TA", "TD", "TF", "TN", "TQ", "TR",
    "TS", "TW", "UB", "W", "WA", "WC", "WD", "WF", "WN", "WR", "WS", "WV", "YO", "ZE",
];

/// US state, district and territory codes, sorted.
const US_STATES: &[&str] = &[
    "AK", "AL", "AR", "AS", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "GU", "HI", "IA", "ID",
    "IL", "IN", "KS", "KY", "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MP", "MS", "MT", "NC", "ND",
    "NE", "NH", "NJ", "NM", "NV", "NY", "OH", "OK", "OR", "PA", "PR", "RI", "SC", "SD", "TN", "TX",
    "UT", "VA", "VI", "VT", "WA", "WI", "WV", "WY",
];

/// Profile folders that belong to no person, compared without case.
const BUILT_IN_PROFILES: &[&str] = &[
    "all users",
    "admin",
    "administrator",
    "default",
    "default user",
    "defaultapppool",
    "defaultuser0",
    "guest",
    "public",
    "user",
    "username",
    "%username%",
    "%user%",
    "name",
    "yourname",
    "your_user",
    "wdagutilityaccount",
    "localservice",
    "networkservice",
    "..",
    ".",
    // Default accounts of cloud and distribution images.
    "azureuser",
    "centos",
    "core",
    "debian",
    "ec2-user",
    "fedora",
    "kali",
    "opc",
    "pi",
    "root",
    "ubuntu",
    "vagrant",
];

/// File extensions that look like top-level domains after an `@` in file
/// names such as `icon@2x.png`; none of them is a delegated TLD.
const FILE_EXTENSIONS: &[&str] = &[
    "bat", "bin", "bmp", "cfg", "cmd", "css", "dat", "dll", "doc", "docx", "exe", "gif", "htm",
    "html", "ico", "ini", "jpeg", "jpg", "js", "json", "log", "lnk", "msi", "pdf", "png", "ps1",
    "py", "sh", "svg", "sys", "tmp", "txt", "vbs", "webp", "xls", "xlsx", "xml", "yaml", "yml",
];

/// Whether `candidate` is a UK postcode in a real postcode area.
pub(super) fn postcode(candidate: &str) -> bool {
    let area: String = candidate
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    candidate.starts_with("GIR") || POSTCODE_AREAS.binary_search(&area.as_str()).is_ok()
}

/// Whether a US-style street line is plausible: a state code, if the line
/// carries one, must be a real one.
pub(super) fn address(candidate: &str) -> bool {
    // The optional tail is `, City, ST 12345`: the state is the last
    // two-letter upper-case word after the last comma.
    let Some(comma) = candidate.rfind(',') else {
        return true;
    };
    let tail = &candidate[comma + 1..];
    let words: Vec<&str> = tail.split_whitespace().collect();
    let state = match words.as_slice() {
        [.., st, zip] if zip.bytes().all(|b| b.is_ascii_digit() || b == b'-') => Some(*st),
        [.., st] => Some(*st),
        [] => None,
    };
    match state {
        Some(st) if st.len() == 2 && st.bytes().all(|b| b.is_ascii_uppercase()) => {
            US_STATES.binary_search(&st).is_ok()
        }
        _ => true,
    }
}

/// Whether an e-mail candidate is an address, not a file name (`icon@2x.png`)
/// nor an scp-style remote (`git@github.com:org/repo.git`); `after` is the
/// text that follows the candidate.
pub(super) fn email(candidate: &str, after: &str) -> bool {
    let tld_start = candidate.rfind(['.', ']', ')']).map_or(0, |i| i + 1);
    let tld = candidate[tld_start..].to_ascii_lowercase();
    let mut rest = after.chars();
    let remote = rest.next() == Some(':') && rest.next().is_some_and(|c| !c.is_whitespace());
    !FILE_EXTENSIONS.contains(&tld.as_str()) && !remote
}

/// The user name inside a Windows profile path such as `C:\Users\NAME\…`,
/// as a byte range of `candidate`.
pub(super) fn windows_profile(candidate: &str) -> Option<Range<usize>> {
    // The candidate is `X:`, a separator, the profile folder, a separator,
    // then the name; separators are one or two characters (`\\` in JSON).
    let is_sep = |b: u8| b == b'\\' || b == b'/';
    let bytes = candidate.as_bytes();
    let mut at = 2 + bytes.get(2..)?.iter().take_while(|&&b| is_sep(b)).count();
    let folder = if candidate.get(at..at + 5)?.eq_ignore_ascii_case("users") {
        5
    } else {
        "documents and settings".len()
    };
    at += folder;
    let start = at + bytes.get(at..)?.iter().take_while(|&&b| is_sep(b)).count();
    let end = candidate.trim_end_matches(['\\', '/']).len();
    profile_name(candidate, start..end)
}

/// The user name inside `/home/NAME/…` or `/Users/NAME/…`, as a byte range
/// of `candidate`; `before` is the text preceding the candidate, used to
/// tell a local path from the path of a URL.
pub(super) fn unix_home(before: &str, candidate: &str) -> Option<Range<usize>> {
    let token_start = before
        .rfind(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '(' | '[' | '='))
        .map_or(0, |i| i + 1);
    let token = &before[token_start..];
    if token.contains("://") && !token.starts_with("file://") {
        return None;
    }
    let start = candidate[1..].find('/').map(|i| i + 2)?;
    let end = candidate.trim_end_matches('/').len();
    profile_name(candidate, start..end)
}

/// The name at `span`, unless it is empty or a built-in profile.
fn profile_name(candidate: &str, span: Range<usize>) -> Option<Range<usize>> {
    let name = candidate.get(span.clone())?.trim_end_matches('.');
    let lower = name.to_ascii_lowercase();
    if name.is_empty() || BUILT_IN_PROFILES.contains(&lower.as_str()) {
        return None;
    }
    Some(span.start..span.start + name.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_binary_search() {
        assert!(POSTCODE_AREAS.windows(2).all(|w| w[0] < w[1]));
        assert!(US_STATES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn postcodes_need_a_real_area() {
        assert!(postcode("SW1A 1AA"));
        assert!(postcode("M1 1AE"));
        assert!(postcode("GIR 0AA"));
        assert!(postcode("sw1a 1aa"));
        assert!(!postcode("QQ1 1AA"));
    }

    #[test]
    fn address_state_codes() {
        assert!(address("1600 Pennsylvania Avenue NW, Washington, DC 20500"));
        assert!(address("742 Evergreen Terrace"));
        assert!(!address("12 Main Street, Springfield, QQ 12345"));
    }

    #[test]
    fn email_rejects_file_names() {
        assert!(email("j.smith@hospital.nhs.uk", "."));
        assert!(email("j.smith[@]hospital[.]nhs[.]uk", ""));
        assert!(email("soc@example.com", ": see below"));
        assert!(!email("icon@2x.png", " "));
        assert!(!email("git@github.com", ":org/repo.git"));
    }

    #[test]
    fn profile_names() {
        let c = r"C:\Users\jsmith\";
        assert_eq!(windows_profile(c).map(|r| &c[r]), Some("jsmith"));
        let c = r"C:\\Users\\John Smith\\";
        assert_eq!(windows_profile(c).map(|r| &c[r]), Some("John Smith"));
        assert_eq!(windows_profile(r"C:\Users\Public"), None);
        let c = "/home/alice";
        assert_eq!(unix_home("cat ", c).map(|r| &c[r]), Some("alice"));
        assert_eq!(unix_home("https://example.com", "/home/index.html"), None);
        let c = "/Users/bob.";
        assert_eq!(unix_home("file://", c).map(|r| &c[r]), Some("bob"));
    }
}
