//! Who a deal is with: organizations, and the people there that the team talks to.

use super::ids::{OrganizationId, PersonId};
use super::user::parse_email;
use super::validation::{optional_text, required_text, RuleError};
use serde::{Deserialize, Serialize};

/// The longest organization or person name kept.
pub const NAME_MAX_CHARS: usize = 120;
pub const PHONE_MAX_CHARS: usize = 40;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub id: OrganizationId,
    pub name: String,
}

impl Organization {
    /// A new organization; its name is trimmed and required.
    pub fn new(name: &str) -> Result<Organization, RuleError> {
        Ok(Organization {
            id: OrganizationId::new(),
            name: required_text("organization", name, NAME_MAX_CHARS)?,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub organization_id: Option<OrganizationId>,
}

impl Person {
    /// A new person: a name is required; an email, when given, must be one, and a phone
    /// number holds digits and the usual separators only.
    pub fn new(
        name: &str,
        email: Option<&str>,
        phone: Option<&str>,
        organization_id: Option<OrganizationId>,
    ) -> Result<Person, RuleError> {
        let name = required_text("name", name, NAME_MAX_CHARS)?;
        let email = optional_email(email)?;
        let phone = parse_phone(phone)?;
        Ok(Person {
            id: PersonId::new(),
            name,
            email,
            phone,
            organization_id,
        })
    }
}

/// An email address as people write it; blank means none.
pub fn optional_email(value: Option<&str>) -> Result<Option<String>, RuleError> {
    value
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(parse_email)
        .transpose()
}

/// A phone number: digits and the usual separators only; blank means none.
pub fn parse_phone(value: Option<&str>) -> Result<Option<String>, RuleError> {
    let phone = optional_text("phone", value, PHONE_MAX_CHARS)?;
    let phone_chars = |c: char| c.is_ascii_digit() || " +-().".contains(c);
    if phone
        .as_deref()
        .is_some_and(|p| !p.chars().all(phone_chars) || !p.chars().any(|c| c.is_ascii_digit()))
    {
        return Err(RuleError::invalid(
            "phone",
            "may hold only digits, spaces and + - ( )",
        ));
    }
    Ok(phone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_organization_needs_a_name_and_is_trimmed() {
        assert_eq!(Organization::new("  Acme AB ").unwrap().name, "Acme AB");
        assert!(Organization::new("   ").is_err());
        assert!(Organization::new(&"x".repeat(NAME_MAX_CHARS + 1)).is_err());
    }

    #[test]
    fn a_person_has_a_name_and_may_have_an_email_and_a_phone() {
        let p = Person::new(
            " Eva Berg ",
            Some(" Eva@Acme.se "),
            Some("+46 70-123 45 67"),
            None,
        )
        .unwrap();
        assert_eq!(p.name, "Eva Berg");
        assert_eq!(p.email.as_deref(), Some("eva@acme.se"));
        assert_eq!(p.phone.as_deref(), Some("+46 70-123 45 67"));
        let bare = Person::new("Eva", Some(""), None, None).unwrap();
        assert_eq!((bare.email, bare.phone), (None, None));
    }

    #[test]
    fn a_person_with_a_bad_email_or_phone_is_refused_naming_the_field() {
        let bad_email = Person::new("Eva", Some("eva"), None, None).unwrap_err();
        assert_eq!(bad_email.field(), Some("email"));
        let bad_phone = Person::new("Eva", None, Some("call me"), None).unwrap_err();
        assert_eq!(bad_phone.field(), Some("phone"));
        assert_eq!(
            Person::new(" ", None, None, None).unwrap_err().field(),
            Some("name")
        );
    }
}
