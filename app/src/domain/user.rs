//! People who sign in. An email is stored lower-cased so one person is one account.

use super::ids::{ApiTokenId, UserId};
use super::validation::{plain_text, required_text, RuleError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
}

/// The longest email address there can be (RFC 5321's path limit).
pub const EMAIL_MAX_CHARS: usize = 254;

pub fn parse_email(value: &str) -> Result<String, RuleError> {
    // Bounded before anything else is done with it (lower-casing, lookups, throttling).
    if value.len() > 4 * EMAIL_MAX_CHARS || value.trim().chars().count() > EMAIL_MAX_CHARS {
        return Err(RuleError::invalid(
            "email",
            format!("must be at most {EMAIL_MAX_CHARS} characters"),
        ));
    }
    plain_text("email", value)?;
    let email = value.trim().to_lowercase();
    let valid = email.chars().count() <= EMAIL_MAX_CHARS
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(RuleError::invalid(
            "email",
            "must be an email address such as anna@example.com",
        ))
    }
}

pub fn user_name(value: &str) -> Result<String, RuleError> {
    required_text("name", value, 80)
}

pub const MIN_PASSWORD_CHARS: usize = 10;
/// Long enough for any passphrase; bounded so nobody can make hashing read megabytes.
pub const MAX_PASSWORD_CHARS: usize = 1_000;

/// A password as given at sign-in: bounded and free of control characters, else refused
/// before it is hashed.
pub fn check_password(value: &str) -> Result<(), RuleError> {
    if value.len() > 4 * MAX_PASSWORD_CHARS || value.chars().count() > MAX_PASSWORD_CHARS {
        return Err(RuleError::invalid(
            "password",
            format!("must be at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    plain_text("password", value)
}

pub fn check_new_password(value: &str) -> Result<(), RuleError> {
    if value.chars().count() < MIN_PASSWORD_CHARS {
        return Err(RuleError::invalid(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    check_password(value)
}

/// A user as an administrator sees them: whether they may still sign in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub user: User,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// An API token as listed (its secret is never kept, so never shown again).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub user_email: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What a token is for ("zapier", "website form"), in the admin's words.
pub fn token_name(value: &str) -> Result<String, RuleError> {
    required_text("name", value, 60)
}

impl User {
    /// "Anna Berg" → "AB", for avatars on cards. Only ASCII letters are upper-cased
    /// here; the stylesheet upper-cases the rest ("åsa öberg" shows as "ÅÖ"), which keeps
    /// Unicode's case tables out of the browser's download.
    pub fn initials(name: &str) -> String {
        name.split_whitespace()
            .filter_map(|w| w.chars().next())
            .take(2)
            .map(|c| c.to_ascii_uppercase())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lower_cased_and_checked() {
        assert_eq!(
            parse_email(" Anna@Example.COM ").unwrap(),
            "anna@example.com"
        );
        assert!(parse_email("anna").is_err());
        assert!(parse_email("anna@localhost").is_err());
        assert!(parse_email("a b@example.com").is_err());
    }

    #[test]
    fn an_over_long_or_control_laden_email_is_refused_naming_email() {
        let long = format!("{}@example.com", "a".repeat(300));
        assert_eq!(parse_email(&long).unwrap_err().field(), Some("email"));
        assert_eq!(
            parse_email(&"x".repeat(1 << 20)).unwrap_err().field(),
            Some("email")
        );
        assert_eq!(
            parse_email("anna\u{0}@example.com").unwrap_err().field(),
            Some("email")
        );
    }

    #[test]
    fn passwords_are_bounded_and_plain() {
        assert!(check_password("correct horse battery staple").is_ok());
        assert!(check_password(&"p".repeat(MAX_PASSWORD_CHARS + 1)).is_err());
        assert_eq!(
            check_password("pass\u{0}word").unwrap_err().field(),
            Some("password")
        );
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("long enough pass").is_ok());
    }

    #[test]
    fn initials_come_from_the_first_two_words() {
        assert_eq!(User::initials("anna maria berg"), "AM");
        assert_eq!(User::initials("Erik"), "E");
        assert_eq!(
            User::initials("åsa öberg"),
            "åö",
            "the stylesheet upper-cases these"
        );
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn an_accepted_email_is_one_plain_lower_cased_address(value in ".{0,300}|[a-zA-Z0-9.@ \\x00]{0,40}") {
                if let Ok(email) = parse_email(&value) {
                    prop_assert!(email.chars().count() <= EMAIL_MAX_CHARS);
                    prop_assert_eq!(email.to_lowercase(), email.clone());
                    prop_assert!(email.contains('@'));
                    prop_assert!(!email.chars().any(|c| c.is_whitespace() || crate::domain::validation::is_forbidden_char(c)));
                }
            }
        }
    }
}
