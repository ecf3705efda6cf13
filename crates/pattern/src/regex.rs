//! `MATCHES` and `LIKE` operands compiled for the `regex` crate.
//!
//! STIX gives `MATCHES` PCRE syntax, and the reference matcher runs it with Python's `re`.
//! Charter runs partner-supplied expressions only on a linear-time engine, so constructs that
//! need backtracking (look-around, back-references, atomic groups, conditionals) are refused
//! with [`RegexError::Unsupported`]. The rest is translated so that it means what it means in
//! Python: `$` also matches before a final newline, `\Z` is the end of text, `{` that is not a
//! quantifier is a literal, `[` inside a class is a literal, octal escapes are characters.
//!
//! Binary values (properties ending in `_hex`/`_bin`) are matched with a byte-oriented
//! version of the same expression in which each character below 256 stands for one byte, as
//! Python does when the expression has no character above U+00FF.

use std::borrow::Cow;
use std::fmt::Write;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Compiled forms of one operand.
#[derive(Debug)]
pub(crate) struct Compiled {
    /// For string values.
    pub text: regex::Regex,
    /// For binary values, when the operand can be read as bytes.
    pub bytes: Option<regex::bytes::Regex>,
}

/// Why an operand cannot be compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RegexError {
    /// Not a regular expression at all.
    Invalid(String),
    /// A construct that needs a backtracking engine.
    Unsupported(String),
}

/// NFC form of `s`, borrowing when it already is (the common, ASCII case).
pub(crate) fn nfc(s: &str) -> Cow<'_, str> {
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.nfc().collect())
    }
}

/// Compiles a `MATCHES` operand (searched anywhere in the value, like `re.search`).
pub(crate) fn compile_matches(src: &str) -> Result<Compiled, RegexError> {
    let src = nfc(src);
    let text = compile_text(&src)?;
    let bytes = if src.chars().all(|c| (c as u32) < 256) {
        translate(&src, true)
            .ok()
            .and_then(|b| regex::bytes::Regex::new(&b).ok())
    } else {
        None
    };
    Ok(Compiled { text, bytes })
}

/// Checks that a `MATCHES` operand compiles, with the error [`compile_matches`] would give.
/// Only the form for string values decides that (the byte form is optional), so only it is
/// built.
pub(crate) fn check_matches(src: &str) -> Result<(), RegexError> {
    compile_text(&nfc(src)).map(|_| ())
}

/// The form of a `MATCHES` operand (already in NFC) for string values.
fn compile_text(src: &str) -> Result<regex::Regex, RegexError> {
    let text = translate(src, false)?;
    regex::Regex::new(&text).map_err(|e| RegexError::Invalid(first_line(&e.to_string())))
}

/// Compiles a `LIKE` operand: `%` is any run of characters, `_` any one character, the
/// whole value must match, and neither wildcard crosses a newline (as in the reference
/// matcher, which turns the operand into a Python regular expression).
pub(crate) fn compile_like(src: &str) -> Result<Compiled, RegexError> {
    let src = nfc(src);
    let mut out = String::from("^(?:");
    for c in src.chars() {
        match c {
            '%' => out.push_str(".*"),
            '_' => out.push('.'),
            c => out.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
        }
    }
    out.push_str(")\n?\\z");
    let text =
        regex::Regex::new(&out).map_err(|e| RegexError::Invalid(first_line(&e.to_string())))?;
    Ok(Compiled { text, bytes: None })
}

fn first_line(s: &str) -> String {
    let line = s
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim();
    line.strip_prefix("error: ").unwrap_or(line).to_owned()
}

fn unsupported(what: &str) -> RegexError {
    RegexError::Unsupported(format!(
        "{what} is not supported: Charter evaluates MATCHES with a linear-time engine"
    ))
}

/// Rewrites Python `re` syntax as `regex` crate syntax; `bytes` makes the byte-oriented form.
fn translate(src: &str, bytes: bool) -> Result<String, RegexError> {
    let chars: Vec<char> = src.chars().collect();
    // Python's `$` without MULTILINE also matches before a final newline; with MULTILINE the
    // two engines agree, so leave `$` alone if the flag appears anywhere.
    let multiline = has_multiline_flag(&chars);
    let mut out = String::with_capacity(src.len() + 8);
    if bytes {
        out.push_str("(?-u)");
    }
    let mut i = 0;
    let mut in_class = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                i = escape(&chars, i, in_class, bytes, &mut out)?;
                continue;
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                i += 1;
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
                continue;
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '[' | '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            '(' if !in_class && chars.get(i + 1) == Some(&'?') => {
                i = group_prefix(&chars, i, &mut out)?;
                continue;
            }
            '$' if !in_class && !multiline => out.push_str("(?:\n?\\z)"),
            '{' if !in_class => match quantifier(&chars, i) {
                Some((text, next)) => {
                    out.push_str(&text);
                    i = next;
                    continue;
                }
                None => out.push_str("\\{"),
            },
            '}' if !in_class => out.push_str("\\}"),
            c if bytes && (c as u32) >= 0x80 => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c => out.push(c),
        }
        i += 1;
    }
    Ok(out)
}

fn has_multiline_flag(chars: &[char]) -> bool {
    chars.windows(2).enumerate().any(|(i, w)| {
        w == ['(', '?']
            && chars[i + 2..]
                .iter()
                .take_while(|c| c.is_ascii_alphabetic() || **c == '-')
                .any(|c| *c == 'm')
    })
}

/// Handles `\…` at `i`; returns the index after the escape.
fn escape(
    chars: &[char],
    i: usize,
    in_class: bool,
    bytes: bool,
    out: &mut String,
) -> Result<usize, RegexError> {
    let Some(&e) = chars.get(i + 1) else {
        return Err(RegexError::Invalid("trailing backslash".to_owned()));
    };
    let push_code = |out: &mut String, code: u32| {
        if bytes {
            if code > 0xFF {
                return Err(RegexError::Invalid(
                    "escape above \\xFF in a byte expression".to_owned(),
                ));
            }
            let _ = write!(out, "\\x{code:02X}");
        } else {
            let _ = write!(out, "\\x{{{code:X}}}");
        }
        Ok(())
    };
    let octal = |d: Option<&char>| d.is_some_and(|d| ('0'..='7').contains(d));
    match e {
        '0' => {
            // `\0` plus up to two more octal digits.
            let mut j = i + 2;
            let mut code = 0u32;
            while j < i + 4 && octal(chars.get(j)) {
                code = code * 8 + chars[j].to_digit(8).unwrap_or(0);
                j += 1;
            }
            push_code(out, code)?;
            Ok(j)
        }
        '1'..='9' => {
            if octal(Some(&e)) && octal(chars.get(i + 2)) && octal(chars.get(i + 3)) {
                let code = chars[i + 1..i + 4]
                    .iter()
                    .fold(0, |acc, d| acc * 8 + d.to_digit(8).unwrap_or(0));
                push_code(out, code)?;
                Ok(i + 4)
            } else if in_class {
                Err(RegexError::Invalid(format!(
                    "bad escape \\{e} in a character class"
                )))
            } else {
                Err(unsupported("a back-reference"))
            }
        }
        'Z' if !in_class => {
            out.push_str("\\z");
            Ok(i + 2)
        }
        'b' if in_class => {
            push_code(out, 8)?;
            Ok(i + 2)
        }
        'u' | 'U' if !bytes => {
            let len = if e == 'u' { 4 } else { 8 };
            let digits: String = chars.iter().skip(i + 2).take(len).collect();
            if digits.len() != len || !digits.chars().all(|d| d.is_ascii_hexdigit()) {
                return Err(RegexError::Invalid(format!("incomplete escape \\{e}")));
            }
            let code = u32::from_str_radix(&digits, 16)
                .map_err(|_| RegexError::Invalid("bad escape".to_owned()))?;
            push_code(out, code)?;
            Ok(i + 2 + len)
        }
        'N' => Err(unsupported("a named character escape \\N{…}")),
        c if c.is_ascii_alphanumeric() => {
            out.push('\\');
            out.push(c);
            Ok(i + 2)
        }
        c => {
            push_code(out, c as u32)?;
            Ok(i + 2)
        }
    }
}

/// Handles `(?` at `i`: passes through what `regex` supports, refuses what needs backtracking,
/// and drops `(?#…)` comments. Returns the index after the handled prefix.
fn group_prefix(chars: &[char], i: usize, out: &mut String) -> Result<usize, RegexError> {
    let rest: String = chars.iter().skip(i + 2).take(3).collect();
    if rest.starts_with('=')
        || rest.starts_with('!')
        || rest.starts_with("<=")
        || rest.starts_with("<!")
    {
        return Err(unsupported("look-around"));
    }
    if rest.starts_with("P=") {
        return Err(unsupported("a named back-reference"));
    }
    if rest.starts_with('>') {
        return Err(unsupported("an atomic group"));
    }
    if rest.starts_with('(') {
        return Err(unsupported("a conditional group"));
    }
    if rest.starts_with('#') {
        let end = chars[i..].iter().position(|&c| c == ')').map(|p| i + p);
        return end
            .map(|e| e + 1)
            .ok_or_else(|| RegexError::Invalid("unterminated comment".to_owned()));
    }
    let flags: String = chars
        .iter()
        .skip(i + 2)
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    if flags.contains('a') || flags.contains('L') {
        return Err(RegexError::Invalid(
            "flags 'a' and 'L' are not supported".to_owned(),
        ));
    }
    out.push_str("(?");
    Ok(i + 2)
}

/// A Python quantifier `{n}`, `{n,}`, `{,m}` or `{n,m}` at `i`, as `regex` syntax.
fn quantifier(chars: &[char], i: usize) -> Option<(String, usize)> {
    let close = chars[i..].iter().position(|&c| c == '}')? + i;
    let body: String = chars[i + 1..close].iter().collect();
    let (lo, hi) = match body.split_once(',') {
        Some((lo, hi)) => (lo, Some(hi)),
        None => (body.as_str(), None),
    };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if !digits(lo) || !hi.is_none_or(digits) || (lo.is_empty() && hi.is_none_or(str::is_empty)) {
        return None;
    }
    let lo = if lo.is_empty() { "0" } else { lo };
    let text = match hi {
        None => format!("{{{lo}}}"),
        Some(hi) => format!("{{{lo},{hi}}}"),
    };
    Some((text, close + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_match(re: &str, value: &str) -> Result<bool, RegexError> {
        compile_matches(re).map(|c| c.text.is_match(value))
    }

    #[test]
    fn python_meanings_are_kept() {
        assert_eq!(is_match("abc$", "abc\n"), Ok(true));
        assert_eq!(is_match("abc$", "abc\n\n"), Ok(false));
        assert_eq!(is_match("a{,2}b", "aab"), Ok(true));
        assert_eq!(is_match("a{x}", "a{x}"), Ok(true));
        assert_eq!(is_match("[[]", "["), Ok(true));
        assert_eq!(is_match(r"\101", "A"), Ok(true));
        assert_eq!(is_match(r"a\Z", "a"), Ok(true));
        assert_eq!(is_match(r"(?#note)x", "x"), Ok(true));
        assert_eq!(is_match(r"\u00e9", "é"), Ok(true));
    }

    #[test]
    fn backtracking_constructs_are_refused() {
        for re in [r"(?=a)", r"(?<!a)b", r"(a)\1", r"(?P<x>a)(?P=x)", r"(?>a)"] {
            assert!(
                matches!(compile_matches(re), Err(RegexError::Unsupported(_))),
                "{re}"
            );
        }
        assert!(matches!(compile_matches("(a"), Err(RegexError::Invalid(_))));
    }

    #[test]
    fn the_check_gives_the_compile_verdict() {
        for re in ["(a", r"(?=a)", "^f[0-9]+$", "\u{ff}\\x00", "a{,2}b", ""] {
            assert_eq!(check_matches(re).err(), compile_matches(re).err(), "{re}");
        }
        assert!(check_matches("(a").is_err());
    }

    #[test]
    fn bytes_form_reads_latin1_as_bytes() {
        let c = compile_matches("^\u{ff}\\x00").ok().and_then(|c| c.bytes);
        assert!(c.is_some_and(|b| b.is_match(&[0xff, 0x00])));
    }

    #[test]
    fn like_is_anchored_and_stays_on_one_line() {
        let like = |p: &str, v: &str| compile_like(p).map(|c| c.text.is_match(v));
        assert_eq!(like("a%c", "abbc"), Ok(true));
        assert_eq!(like("a_c", "abc"), Ok(true));
        assert_eq!(like("a%", "a\nb"), Ok(false));
        assert_eq!(like("a.c", "abc"), Ok(false));
        assert_eq!(like("abc", "abc\n"), Ok(true));
    }
}
