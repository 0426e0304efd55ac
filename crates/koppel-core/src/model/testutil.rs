//! Helpers shared by the model's unit tests.

use crate::error::FieldError;

/// Exactly one error, on `field`, whose reason contains `word`.
pub(crate) fn assert_only(errs: &[FieldError], field: &str, word: &str) {
    assert_eq!(errs.len(), 1, "expected one error on `{field}`: {errs:?}");
    assert_eq!(errs[0].field, field, "{errs:?}");
    assert!(
        errs[0].reason.contains(word),
        "reason of `{field}` lacks `{word}`: {}",
        errs[0].reason
    );
}
