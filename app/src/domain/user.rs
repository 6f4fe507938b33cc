//! People who sign in. An email is stored lower-cased so one person is one account.

use super::ids::UserId;
use super::validation::{required_text, RuleError};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
}

pub fn parse_email(value: &str) -> Result<String, RuleError> {
    let email = value.trim().to_lowercase();
    let valid = email.len() <= 254
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

pub fn check_new_password(value: &str) -> Result<(), RuleError> {
    if value.chars().count() < MIN_PASSWORD_CHARS {
        return Err(RuleError::invalid(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
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
}
