//! Limits of every field: ranges, lengths of free text and lists, and the rules text must
//! follow; the one source of these numbers and patterns. Validation (`learner.rs`, `placement.rs`, `reference.rs`) checks them
//! by hand; the OpenAPI schemas (`crate::record`, feature `openapi`) state the same limits and
//! the same patterns, so that a client can check a record before sending it. Tests hold every
//! pattern to its check, character by character.
//!
//! Lengths count Unicode scalar values (what JSON Schema's `maxLength` counts), not bytes.

use crate::error::FieldError;
use crate::model::enums::SupportKind;

/// Longest learner name, employer name, and reference-table name (region, province, central
/// municipality, sector, qualification), in characters.
pub const MAX_NAME: usize = 200;
/// Longest placement title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest employer-desk name of a placement, in characters.
pub const MAX_DESK: usize = 200;
/// Longest e-mail address (RFC 5321's path limit less the angle brackets), in characters.
pub const MAX_EMAIL: usize = 254;
/// Longest reason of an advisor's proposal, in characters.
pub const MAX_REASON: usize = 1000;
/// Longest id or code (`id`, `code`, `crebo` and every reference to one).
pub const MAX_ID: usize = 64;
/// Most qualifications one placement trains for.
pub const MAX_QUALIFICATIONS: usize = 20;
/// Most qualifications one employer is recognised for.
pub const MAX_RECOGNISED: usize = 500;
/// Most support needs of a learner, and most kinds of support a placement offers: each kind at
/// most once.
pub const MAX_SUPPORT: usize = SupportKind::ALL.len();

/// Most hours per week a learner offers or a placement asks (at least 1).
pub const MAX_HOURS: i64 = 40;
/// Longest travel limit of a learner, km (more than 0).
pub const MAX_TRAVEL_KM: f64 = 250.0;

/// An id or code: 1–64 characters from `A–Z a–z 0–9 - _ .`, not `.` or `..` alone. (Written
/// without look-ahead, so that every regex dialect reads it alike.)
pub const ID_PATTERN: &str = r"^(?:[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}|\.[A-Za-z0-9_-][A-Za-z0-9._-]{0,62}|\.\.[A-Za-z0-9._-]{1,62})$";

/// Required text (names, titles, desks, reasons): no control, bidi or zero-width character
/// ([`is_forbidden`]) and at least one character that is not white space.
pub const TEXT_PATTERN: &str = concat!(
    r"^[^\u0000-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]*",
    r"[^\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200F\u2028-\u202F\u205F\u2060\u2066-\u2069\u3000\uFEFF]",
    r"[^\u0000-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]*$"
);

/// Optional text (a region's province and central municipality): as [`TEXT_PATTERN`], but may
/// be empty or blank.
pub const OPTIONAL_TEXT_PATTERN: &str =
    r"^[^\u0000-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]*$";

/// A plausible e-mail address: a dot-atom local part, `@`, and a domain of at least two
/// labels (letters, digits, inner hyphens; 1–63 each) ending in a top-level domain of 2–63
/// letters. At most [`MAX_EMAIL`] characters in all.
pub const EMAIL_PATTERN: &str = concat!(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*",
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
);

/// Characters refused in every text field: C0 and C1 controls (NUL, tab and line breaks
/// included), DEL, zero-width characters (U+200B–U+200F, U+2060, U+FEFF) and bidirectional
/// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which can make a name
/// or title display as something other than what it is.
pub const fn is_forbidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1F}'
        | '\u{7F}'..='\u{9F}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}')
}

/// What is wrong with an id or code, if anything (see [`ID_PATTERN`]).
pub fn id_problem(code: &str) -> Option<String> {
    let ok = !code.is_empty()
        && code.len() <= MAX_ID
        && code != "."
        && code != ".."
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    (!ok).then(|| {
        format!(
            "{} is not a valid id: use 1-{MAX_ID} characters from A-Z a-z 0-9 - _ . (not `.` or `..` alone)",
            shown(code)
        )
    })
}

/// What is wrong with a required text of at most `max` characters, if anything.
pub fn text_problem(s: &str, max: usize) -> Option<String> {
    optional_text_problem(s, max)
        .or_else(|| s.trim().is_empty().then(|| "must not be empty".to_owned()))
}

/// What is wrong with a text that may be empty, of at most `max` characters, if anything.
pub fn optional_text_problem(s: &str, max: usize) -> Option<String> {
    let n = s.chars().count();
    if n > max {
        return Some(format!("{n} characters; at most {max} allowed"));
    }
    s.chars()
        .enumerate()
        .find(|&(_, c)| is_forbidden(c))
        .map(|(i, c)| {
            format!(
                "contains U+{:04X} at character {}; control, bidi and zero-width characters are not allowed",
                c as u32,
                i + 1
            )
        })
}

/// What is wrong with an e-mail address, if anything (see [`EMAIL_PATTERN`]).
pub fn email_problem(s: &str) -> Option<String> {
    let n = s.chars().count();
    if n > MAX_EMAIL {
        return Some(format!("{n} characters; at most {MAX_EMAIL} allowed"));
    }
    (!plausible_email(s)).then(|| {
        format!(
            "{} is not an e-mail address like name@example.org",
            shown(s)
        )
    })
}

fn plausible_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let atext = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~-".contains(&b);
    let dot_atom = local
        .split('.')
        .all(|part| !part.is_empty() && part.bytes().all(atext));
    let labels: Vec<&str> = domain.split('.').collect();
    let label = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let tld = labels
        .last()
        .is_some_and(|t| (2..=63).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphabetic()));
    dot_atom && labels.len() >= 2 && labels.iter().all(label) && tld
}

/// `Err` naming `field` when `len` items exceed `max`.
pub(crate) fn check_len(field: &'static str, len: usize, max: usize) -> Result<(), FieldError> {
    if len > max {
        Err(FieldError::new(
            field,
            format!("{len} given, at most {max} allowed"),
        ))
    } else {
        Ok(())
    }
}

/// A required text field, checked.
pub(crate) fn check_text(field: &'static str, s: &str, max: usize) -> Result<(), FieldError> {
    text_problem(s, max).map_or(Ok(()), |why| Err(FieldError::new(field, why)))
}

/// A text field that may be empty, checked.
pub(crate) fn check_optional_text(
    field: &'static str,
    s: &str,
    max: usize,
) -> Result<(), FieldError> {
    optional_text_problem(s, max).map_or(Ok(()), |why| Err(FieldError::new(field, why)))
}

/// A value as quoted in an error message: in backticks, at most [`MAX_ID`] characters (a
/// megabyte of input does not become a megabyte of error), forbidden characters escaped.
pub fn shown(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(4 * MAX_ID) + 2);
    out.push('`');
    for (i, c) in s.chars().enumerate() {
        if i == MAX_ID {
            out.push('…');
            break;
        }
        if is_forbidden(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out.push('`');
    out
}

#[cfg(test)]
mod tests;
