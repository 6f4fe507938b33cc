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
        if self.message.starts_with(|c: char| c.is_ascii_uppercase()) {
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

/// A character that has no business in a name or a title: control characters (NUL,
/// escape, line breaks…), which PostgreSQL refuses or terminals obey, and the
/// bidirectional overrides and isolates that make text display as something it is not.
pub fn is_forbidden_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Refuses text that holds a forbidden character, naming the field.
pub fn plain_text(field: &str, value: &str) -> Result<(), RuleError> {
    if value.chars().any(is_forbidden_char) {
        return Err(RuleError::invalid(
            field,
            "must not contain control characters or text-direction overrides",
        ));
    }
    Ok(())
}

/// Trimmed one-line text that must not be empty and has an upper length.
pub fn required_text(field: &str, value: &str, max_chars: usize) -> Result<String, RuleError> {
    // Counted as sent, spaces around it included: the bound the API documents.
    let too_long = value.chars().count() > max_chars;
    let value = value.trim();
    if value.is_empty() {
        return Err(RuleError::invalid(field, "is required"));
    }
    if too_long {
        return Err(RuleError::invalid(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    plain_text(field, value)?;
    Ok(value.to_string())
}

/// Trimmed optional text: empty means none.
pub fn optional_text(
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, RuleError> {
    match value.filter(|v| !v.trim().is_empty()) {
        None => Ok(None),
        Some(v) => required_text(field, v, max_chars).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_bounded_as_sent_spaces_included_and_kept_trimmed() {
        assert_eq!(required_text("name", " Eva ", 5).unwrap(), "Eva");
        let sent = format!(" {}", "x".repeat(10));
        assert!(
            required_text("name", &sent, 10).is_err(),
            "11 characters as sent"
        );
        assert!(optional_text("name", Some(&sent), 10).is_err());
    }

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

    #[test]
    fn control_characters_and_direction_overrides_are_refused_naming_the_field() {
        for bad in [
            "a\u{0}b",
            "a\u{7}b",
            "line\nbreak",
            "a\u{1b}[31mred",
            "\u{202E}gpj.exe",
            "x\u{2066}y",
            "a\u{85}b",
        ] {
            let err = required_text("title", bad, 100).unwrap_err();
            assert_eq!(err.field(), Some("title"), "{bad:?}");
        }
        assert_eq!(
            optional_text("organization", Some("Acme\u{0}"), 100)
                .unwrap_err()
                .field(),
            Some("organization")
        );
        // Letters of every script, emoji and the joiners inside them are welcome.
        for good in ["Åsa Öberg", "سارة", "李雷", "👩‍💻 team", "Zoë & Co."] {
            assert_eq!(required_text("title", good, 100).unwrap(), good);
        }
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn accepted_text_is_trimmed_bounded_and_plain(value in "\\PC{0,30}|.{0,30}|[\\x00-\\x20\\u{202a}-\\u{202e}a]{0,10}") {
                match required_text("title", &value, 20) {
                    Ok(t) => {
                        prop_assert!(!t.is_empty() && t.chars().count() <= 20);
                        prop_assert_eq!(t.trim(), t.as_str());
                        prop_assert!(!t.chars().any(is_forbidden_char));
                    }
                    Err(e) => prop_assert_eq!(e.field(), Some("title")),
                }
            }
        }
    }
}

/// The rules above as JSON Schema, for the API's OpenAPI document: what a client
/// generated from the document sends is what Tend accepts, and what it is told is
/// refused is refused.
#[cfg(feature = "ssr")]
pub mod schema {
    use utoipa::openapi::schema::{
        KnownFormat, Object, ObjectBuilder, SchemaFormat, SchemaType, Type,
    };

    /// Characters `is_forbidden_char` refuses, as a regex character-class body.
    const FORBIDDEN: &str = r"\x00-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069";

    fn kind(t: Type, nullable: bool) -> SchemaType {
        if nullable {
            SchemaType::from_iter([t, Type::Null])
        } else {
            SchemaType::new(t)
        }
    }

    /// Text of at most `max` characters without forbidden ones; `required` text has at
    /// least one that is not a space.
    pub fn text(required: bool, max: usize, nullable: bool) -> Object {
        let pattern = if required {
            format!(r"^[^{FORBIDDEN}]*[^\s{FORBIDDEN}][^{FORBIDDEN}]*$")
        } else {
            format!(r"^[^{FORBIDDEN}]*$")
        };
        ObjectBuilder::new()
            .schema_type(kind(Type::String, nullable))
            .min_length(required.then_some(1))
            .max_length(Some(max))
            .pattern(Some(pattern))
            .build()
    }

    fn integer(min: i64, max: i64, nullable: bool) -> Object {
        ObjectBuilder::new()
            .schema_type(kind(Type::Integer, nullable))
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(min as f64))
            .maximum(Some(max as f64))
            .build()
    }

    pub fn title() -> Object {
        text(true, 200, false)
    }

    pub fn organization() -> Object {
        text(false, crate::domain::contact::NAME_MAX_CHARS, true)
    }

    pub fn lead_source() -> Object {
        text(false, crate::domain::deal::LeadSource::MAX_CHARS, true)
    }

    pub fn person_name() -> Object {
        text(true, crate::domain::contact::NAME_MAX_CHARS, false)
    }

    pub fn optional_person_name() -> Object {
        text(true, crate::domain::contact::NAME_MAX_CHARS, true)
    }

    pub fn optional_version() -> Object {
        integer(1, i64::MAX, true)
    }

    pub fn website() -> Object {
        text(false, crate::domain::contact::WEBSITE_MAX_CHARS, true)
    }

    pub fn email() -> Object {
        text(false, crate::domain::user::EMAIL_MAX_CHARS, true)
    }

    pub fn phone() -> Object {
        ObjectBuilder::new()
            .schema_type(kind(Type::String, true))
            .max_length(Some(crate::domain::contact::PHONE_MAX_CHARS))
            .pattern(Some(r"^[0-9 +\-().\t\n\r]*$"))
            .build()
    }

    /// Several lines of text: line ends are allowed, other control characters not.
    pub fn note() -> Object {
        ObjectBuilder::new()
            .schema_type(kind(Type::String, true))
            .max_length(Some(crate::domain::lead::NOTE_MAX_CHARS))
            .pattern(Some(
                r"^[^\x00-\x09\x0B\x0C\x0E-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]*$",
            ))
            .build()
    }

    pub fn optional_amount() -> Object {
        integer(0, crate::domain::money::MAX_MINOR, true)
    }

    pub fn optional_currency() -> Object {
        ObjectBuilder::new()
            .schema_type(kind(Type::String, true))
            .enum_values(Some(
                crate::domain::money::Currency::all()
                    .map(|c| serde_json::Value::from(c.code().to_string()))
                    .chain([serde_json::Value::Null]),
            ))
            .build()
    }

    pub fn lost_reason() -> Object {
        text(true, crate::domain::deal::LostReason::MAX_CHARS, false)
    }

    /// Minor units, from 0 to `MAX_MINOR`.
    pub fn amount() -> Object {
        integer(0, crate::domain::money::MAX_MINOR, false)
    }

    pub fn probability() -> Object {
        integer(0, 100, true)
    }

    pub fn version() -> Object {
        integer(1, i64::MAX, false)
    }

    pub fn currency() -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(
                crate::domain::money::Currency::all().map(|c| c.code().to_string()),
            ))
            .build()
    }
}
