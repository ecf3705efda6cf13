//! Validators for the numeric identifiers: payment cards (Luhn and issuer
//! ranges), IBANs (per-country length and mod 97), US SSNs, UK National
//! Insurance numbers and Australian Tax File Numbers.
//!
//! Each takes the candidate text exactly as matched and answers whether it is
//! a plausible identifier. They are pure and allocation-free apart from
//! digit buffers of bounded size.

/// The ASCII digits of `s` as numbers, ignoring everything else.
fn digits(s: &str) -> impl Iterator<Item = u32> + '_ {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| u32::from(b - b'0'))
}

/// The Luhn (mod 10) check over the digits of `s`.
pub(super) fn luhn(s: &str) -> bool {
    let ds: Vec<u32> = digits(s).collect();
    let sum: u32 = ds
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    !ds.is_empty() && sum % 10 == 0
}

/// Whether `candidate` is a payment card number: separators used in a card
/// layout (4-4-4-4, 4-6-5, …), a known issuer range for its length, and Luhn.
pub(super) fn card(candidate: &str) -> bool {
    let groups: Vec<usize> = candidate.split([' ', '-']).map(str::len).collect();
    let layout_ok = matches!(
        groups.as_slice(),
        [_] | [4, 4, 4, 4] | [4, 6, 5] | [4, 6, 4] | [4, 4, 4, 1..=4] | [4, 4, 4, 4, 1..=3]
    );
    let separators: Vec<char> = candidate.chars().filter(|c| !c.is_ascii_digit()).collect();
    let one_separator = separators.windows(2).all(|w| w[0] == w[1]);
    let len = digits(candidate).count();
    layout_ok && one_separator && issuer_accepts(candidate, len) && luhn(candidate)
}

/// Whether a known card issuer uses the number's prefix at this length.
fn issuer_accepts(candidate: &str, len: usize) -> bool {
    let mut prefix = 0u32;
    let mut lead = [0u32; 6];
    for (i, d) in digits(candidate).take(6).enumerate() {
        prefix = prefix * 10 + d;
        lead[i] = prefix;
    }
    let [p1, p2, p3, p4, _, p6] = lead;
    let visa = p1 == 4 && matches!(len, 13 | 16 | 19);
    let mastercard = ((51..=55).contains(&p2) || (2221..=2720).contains(&p4)) && len == 16;
    let amex = matches!(p2, 34 | 37) && len == 15;
    let discover =
        (p4 == 6011 || (644..=649).contains(&p3) || p2 == 65 || (622126..=622925).contains(&p6))
            && (16..=19).contains(&len);
    let jcb = (3528..=3589).contains(&p4) && (16..=19).contains(&len);
    let diners = ((300..=305).contains(&p3) || p4 == 3095 || matches!(p2, 36 | 38 | 39))
        && (14..=19).contains(&len);
    let unionpay = p2 == 62 && (16..=19).contains(&len);
    let maestro =
        (p2 == 50 || (56..=58).contains(&p2) || p3 == 639 || p2 == 67) && (13..=19).contains(&len);
    let mir = (2200..=2204).contains(&p4) && (16..=19).contains(&len);
    visa || mastercard || amex || discover || jcb || diners || unionpay || maestro || mir
}

/// IBAN lengths by country (ISO 13616 registry), sorted by country code.
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("LY", 25),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NL", 18),
    ("NO", 15),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("SA", 24),
    ("SC", 31),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
];

/// The length of an IBAN for `country`, if the country issues IBANs.
fn iban_length(country: &str) -> Option<usize> {
    IBAN_LENGTHS
        .binary_search_by(|(c, _)| c.cmp(&country))
        .ok()
        .map(|i| IBAN_LENGTHS[i].1)
}

/// The byte length of the IBAN at the start of `candidate`, if there is
/// one. The candidate may run on past the IBAN (a greedy match can take a
/// following group); the IBAN then has to end where a group ends.
pub(super) fn iban(candidate: &str) -> Option<usize> {
    let country = candidate.get(..2)?;
    let want = iban_length(country)?;
    let mut chars = String::with_capacity(34);
    let mut end = None;
    for (i, b) in candidate.bytes().enumerate() {
        if b == b' ' {
            continue;
        }
        chars.push(char::from(b));
        if chars.len() == want {
            end = Some(i + 1);
            break;
        }
    }
    let end = end?;
    if end < candidate.len() && candidate.as_bytes()[end] != b' ' {
        return None;
    }
    mod97_is_one(&chars).then_some(end)
}

/// ISO 7064 mod 97-10 over an IBAN with its first four characters moved to
/// the end and letters read as 10..35.
fn mod97_is_one(iban: &str) -> bool {
    let (head, tail) = iban.split_at(4.min(iban.len()));
    let mut rem: u32 = 0;
    for c in tail.chars().chain(head.chars()) {
        let v = match c {
            '0'..='9' => u32::from(c) - u32::from('0'),
            'A'..='Z' => u32::from(c) - u32::from('A') + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// The US SSN rules: area not 000, 666 or 900–999; group not 00; serial not
/// 0000. Separators are ignored.
pub(super) fn ssn(candidate: &str) -> bool {
    let ds: Vec<u32> = digits(candidate).collect();
    if ds.len() != 9 {
        return false;
    }
    let area = ds[0] * 100 + ds[1] * 10 + ds[2];
    let group = ds[3] * 10 + ds[4];
    let serial = ds[5] * 1000 + ds[6] * 100 + ds[7] * 10 + ds[8];
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

/// The UK National Insurance number rules: neither prefix letter D, F, I,
/// Q, U or V; second letter not O; prefixes BG, GB, KN, NK, NT, TN and ZZ
/// unallocated; suffix A to D.
pub(super) fn nino(candidate: &str) -> bool {
    let letters: Vec<u8> = candidate
        .bytes()
        .filter(u8::is_ascii_alphabetic)
        .map(|b| b.to_ascii_uppercase())
        .collect();
    let [a, b, suffix] = letters.as_slice() else {
        return false;
    };
    let bad_first = b"DFIQUV".contains(a);
    let bad_second = b"DFIOQUV".contains(b);
    let unallocated = matches!(
        &[*a, *b],
        b"BG" | b"GB" | b"KN" | b"NK" | b"NT" | b"TN" | b"ZZ"
    );
    let spaces = candidate.bytes().filter(|&c| c == b' ').count();
    // Written as one block, as pairs (AB 12 34 56 C) or as AB 123456 C.
    let layout = matches!(spaces, 0 | 2 | 4);
    !bad_first && !bad_second && !unallocated && (b'A'..=b'D').contains(suffix) && layout
}

/// The Australian TFN checksum: 9 digits weighted 1,4,3,7,5,8,6,9,10 or
/// 8 digits weighted 10,7,8,4,6,3,5,1, the sum divisible by 11.
pub(super) fn tfn(candidate: &str) -> bool {
    const NINE: [u32; 9] = [1, 4, 3, 7, 5, 8, 6, 9, 10];
    const EIGHT: [u32; 8] = [10, 7, 8, 4, 6, 3, 5, 1];
    let ds: Vec<u32> = digits(candidate).collect();
    let weights: &[u32] = match ds.len() {
        9 => &NINE,
        8 => &EIGHT,
        _ => return false,
    };
    let sum: u32 = ds.iter().zip(weights).map(|(d, w)| d * w).sum();
    sum % 11 == 0 && sum != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_accepts_test_cards_and_rejects_a_changed_digit() {
        assert!(luhn("4111111111111111"));
        assert!(luhn("378282246310005"));
        assert!(!luhn("4111111111111112"));
    }

    #[test]
    fn cards_need_issuer_layout_and_luhn() {
        assert!(card("4111 1111 1111 1111"));
        assert!(card("5500-0000-0000-0004"));
        assert!(card("3782 822463 10005"));
        assert!(card("6011000990139424"));
        assert!(card("2223000048400011"));
        assert!(!card("4111 1111-1111 1111"), "mixed separators");
        assert!(!card("1234567812345670"), "no issuer starts with 1");
        assert!(!card("4111111111111112"), "Luhn");
        assert!(!card("411 1111 1111 11111"), "layout");
    }

    #[test]
    fn iban_checks_length_and_mod97() {
        assert_eq!(iban("GB82 WEST 1234 5698 7654 32"), Some(27));
        assert_eq!(iban("GB82WEST12345698765432"), Some(22));
        assert_eq!(iban("DE89370400440532013000"), Some(22));
        assert_eq!(iban("GB82 WEST 1234 5698 7654 32 ABCD"), Some(27));
        assert_eq!(iban("GB83WEST12345698765432"), None, "checksum");
        assert_eq!(iban("GB82WEST1234569876543"), None, "too short");
        assert_eq!(
            iban("GB82WEST123456987654321"),
            None,
            "runs on in one block"
        );
        assert_eq!(iban("QQ82WEST12345698765432"), None, "no such country");
    }

    #[test]
    fn ssn_rules() {
        assert!(ssn("536-22-8726"));
        assert!(!ssn("000-22-8726"));
        assert!(!ssn("666-22-8726"));
        assert!(!ssn("901-22-8726"));
        assert!(!ssn("536-00-8726"));
        assert!(!ssn("536-22-0000"));
    }

    #[test]
    fn nino_rules() {
        assert!(nino("AB123456C"));
        assert!(nino("AB 12 34 56 C"));
        assert!(nino("ab123456c"));
        assert!(!nino("DA123456C"), "first letter D");
        assert!(!nino("AO123456C"), "second letter O");
        assert!(!nino("GB123456A"), "unallocated prefix");
        assert!(!nino("AB 123 456 C"), "layout");
    }

    #[test]
    fn tfn_checksum() {
        assert!(tfn("123 456 782"));
        assert!(tfn("876 543 210"));
        assert!(!tfn("123 456 789"));
        assert!(!tfn("000 000 000"));
    }
}
