//! What a refused input looks like: the field it concerns and a sentence a person can act on.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

impl FieldError {
    /// The field as a person reads it: `target_stage_id` → "Target stage".
    pub fn label(&self) -> String {
        let words = self.field.trim_end_matches("_id").replace('_', " ");
        let mut chars = words.chars();
        match chars.next() {
            // Field names are ASCII identifiers.
            Some(first) => std::iter::once(first.to_ascii_uppercase())
                .chain(chars)
                .collect(),
            None => String::new(),
        }
    }
}

/// A message that is a whole sentence (capitalised) stands alone; a fragment such as
/// "is required" follows the field's label.
impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.starts_with(char::is_uppercase) {
            f.write_str(&self.message)
        } else {
            write!(f, "{} {}", self.label(), self.message)
        }
    }
}

/// A business rule said no. `Invalid` names a field; `Refused` is a rule about the
/// record as a whole (a closed deal cannot move).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("{0}")]
    Invalid(FieldError),
    #[error("{0}")]
    Refused(String),
}

impl RuleError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(FieldError::new(field, message))
    }

    /// The field an invalid input came from.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid(f) => Some(&f.field),
            Self::Refused(_) => None,
        }
    }
}

/// Trimmed text that must not be empty and has an upper length.
pub fn required_text(field: &str, value: &str, max_chars: usize) -> Result<String, RuleError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(RuleError::invalid(field, "is required"));
    }
    if value.chars().count() > max_chars {
        return Err(RuleError::invalid(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    Ok(value.to_string())
}

/// Trimmed optional text: empty means none.
pub fn optional_text(
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, RuleError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => required_text(field, v, max_chars).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_required_text_is_refused_naming_the_field() {
        let err = required_text("title", "   ", 10).unwrap_err();
        assert_eq!(err, RuleError::invalid("title", "is required"));
    }

    #[test]
    fn a_fragment_follows_the_fields_label_and_a_sentence_stands_alone() {
        assert_eq!(
            FieldError::new("title", "is required").to_string(),
            "Title is required"
        );
        assert_eq!(
            FieldError::new("target_stage_id", "must be another stage").to_string(),
            "Target stage must be another stage"
        );
        assert_eq!(
            FieldError::new("reason", "Say why.").to_string(),
            "Say why."
        );
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(required_text("title", "  Acme  ", 10).unwrap(), "Acme");
        assert!(required_text("title", "abcdefghijk", 10).is_err());
        assert_eq!(optional_text("note", Some("  "), 10).unwrap(), None);
    }
}
