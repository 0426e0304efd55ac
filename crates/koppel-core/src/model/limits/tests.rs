use super::*;
use proptest::prelude::*;
use regex::Regex;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("pattern compiles")
}

/// What the id check accepts, as `check_code` decides it.
fn id_ok(s: &str) -> bool {
    id_problem(s).is_none()
}

#[test]
fn text_pattern_agrees_with_the_check_on_every_character() {
    let (text, optional) = (re(TEXT_PATTERN), re(OPTIONAL_TEXT_PATTERN));
    for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
        let s = c.to_string();
        assert_eq!(
            text.is_match(&s),
            text_problem(&s, MAX_NAME).is_none(),
            "U+{:04X} alone",
            c as u32
        );
        let padded = format!("a{c}b");
        assert_eq!(
            text.is_match(&padded),
            text_problem(&padded, MAX_NAME).is_none(),
            "U+{:04X} inside",
            c as u32
        );
        assert_eq!(
            optional.is_match(&s),
            optional_text_problem(&s, MAX_NAME).is_none(),
            "U+{:04X} (optional)",
            c as u32
        );
    }
}

/// Strings drawn from the characters that matter to the rules.
fn tricky() -> impl Strategy<Value = String> {
    let chars = prop_oneof![
        Just(' '),
        Just('\t'),
        Just('\u{0}'),
        Just('\u{85}'),
        Just('\u{A0}'),
        Just('\u{200B}'),
        Just('\u{202E}'),
        Just('\u{2067}'),
        Just('\u{3000}'),
        Just('\u{FEFF}'),
        Just('.'),
        Just('@'),
        Just('-'),
        Just('_'),
        Just('+'),
        Just('é'),
        Just('中'),
        Just('😀'),
        prop::char::range('a', 'z'),
        prop::char::range('A', 'Z'),
        prop::char::range('0', '9'),
    ];
    prop::collection::vec(chars, 0..80).prop_map(|v| v.into_iter().collect())
}

proptest! {
    #[test]
    fn patterns_agree_with_the_checks(s in tricky()) {
        prop_assert_eq!(re(TEXT_PATTERN).is_match(&s), optional_text_problem(&s, usize::MAX).is_none() && !s.trim().is_empty());
        prop_assert_eq!(re(OPTIONAL_TEXT_PATTERN).is_match(&s), optional_text_problem(&s, usize::MAX).is_none());
        prop_assert_eq!(re(ID_PATTERN).is_match(&s), id_ok(&s));
        prop_assert_eq!(re(EMAIL_PATTERN).is_match(&s), plausible_email(&s));
    }

    #[test]
    fn email_shapes_agree(local in "[a-z.+-]{0,6}", domain in "[a-z0-9.-]{0,12}") {
        let s = format!("{local}@{domain}");
        prop_assert_eq!(re(EMAIL_PATTERN).is_match(&s), plausible_email(&s), "{}", s);
    }

    #[test]
    fn id_shapes_agree(s in "[a-z.]{0,4}|[A-Za-z0-9._-]{60,70}") {
        prop_assert_eq!(re(ID_PATTERN).is_match(&s), id_ok(&s), "{}", s);
    }
}

#[test]
fn length_limits_count_characters_not_bytes() {
    assert!(text_problem(&"é".repeat(MAX_NAME), MAX_NAME).is_none());
    let why = text_problem(&"é".repeat(MAX_NAME + 1), MAX_NAME).unwrap();
    assert_eq!(why, "201 characters; at most 200 allowed");
    let why = text_problem(&"x".repeat(1 << 20), MAX_TITLE).unwrap();
    assert!(why.starts_with("1048576 characters"), "{why}");
}

#[test]
fn control_bidi_and_zero_width_characters_are_named() {
    for (s, code) in [
        ("Sanne\u{0}", "U+0000"),
        ("Stage\u{202E}gatS", "U+202E"),
        ("a\u{2066}b", "U+2066"),
        ("zero\u{200B}width", "U+200B"),
        ("bom\u{FEFF}", "U+FEFF"),
        ("joiner\u{2060}", "U+2060"),
        ("line\nbreak", "U+000A"),
        ("c1\u{85}", "U+0085"),
    ] {
        let why = text_problem(s, MAX_NAME).unwrap_or_default();
        assert!(why.contains(code), "{s:?}: {why}");
    }
    assert!(text_problem("Zoë Öztürk-Đặng 中村", MAX_NAME).is_none());
    assert!(text_problem("Leerbaan Verzorgende-IG (BBL) 😀", MAX_TITLE).is_none());
}

#[test]
fn blank_text_is_refused_but_optional_text_may_be_empty() {
    for blank in ["", " ", "\u{A0}\u{3000}"] {
        assert_eq!(
            text_problem(blank, 10).as_deref(),
            Some("must not be empty")
        );
        assert_eq!(optional_text_problem(blank, 10), None);
    }
}

#[test]
fn emails_need_a_plausible_shape() {
    for ok in [
        "lotte.degroot30@example.com",
        "a+b@mail.example.org",
        "x@a-b.nl",
    ] {
        assert_eq!(email_problem(ok), None, "{ok}");
    }
    for bad in [
        "",
        "lotte",
        "@example.org",
        "lotte@",
        "lotte@example",
        "lotte@@example.org",
        ".lotte@example.org",
        "lo..tte@example.org",
        "lotte@-example.org",
        "lotte@example.o",
        "lotte@example.123",
        "lotte @example.org",
        "lotte@exa mple.org",
        "lotte\u{0}@example.org",
    ] {
        assert!(email_problem(bad).is_some(), "{bad:?}");
    }
    let long = format!("{}@example.org", "a".repeat(MAX_EMAIL));
    assert!(email_problem(&long).unwrap().contains("at most 254"));
}

#[test]
fn quoted_values_are_short_and_escaped() {
    assert_eq!(shown("rijnmond"), "`rijnmond`");
    let long = shown(&"x".repeat(1 << 20));
    assert_eq!(
        long.chars().count(),
        MAX_ID + 3,
        "64 characters, an ellipsis, two backticks"
    );
    assert_eq!(shown("a\u{202E}b"), "`a\\u{202e}b`");
}
