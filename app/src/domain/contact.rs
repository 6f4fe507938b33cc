//! Who a deal is with: organizations, and the people there that the team talks to.
//! Each is a record of its own with a version (an edit made on a stale copy is
//! refused) and an append-only log: created, changed, and merges. Merging two records
//! of one person (or organization) keeps the older as the one that stays: the other's
//! deals and people move to it, its empty fields are filled from the other, and the
//! other is kept, marked as merged, so that old links and its log still lead there.

use super::duplicate::Alike;
use super::event::FieldChange;
use super::ids::{DealId, LeadId, OrganizationId, PersonId, UserId};
use super::user::parse_email;
use super::validation::{optional_text, required_text, RuleError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

/// The longest organization or person name kept.
pub const NAME_MAX_CHARS: usize = 120;
pub const PHONE_MAX_CHARS: usize = 40;
/// The longest web address kept.
pub const WEBSITE_MAX_CHARS: usize = 200;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct Organization {
    pub id: OrganizationId,
    pub name: String,
    pub website: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Goes up by one with each change; a change sent with an older one is refused.
    pub version: i64,
}

impl Organization {
    /// A new organization; its name is trimmed and required.
    pub fn new(name: &str, at: DateTime<Utc>) -> Result<Organization, RuleError> {
        OrganizationDraft {
            name: name.to_string(),
            ..OrganizationDraft::default()
        }
        .parse(at)
    }

    /// Applies `patch`, answering what changed (nothing: an empty list).
    pub fn apply(
        &mut self,
        patch: OrganizationPatch,
        at: DateTime<Utc>,
    ) -> Result<Vec<FieldChange>, RuleError> {
        let mut changes = Changes::default();
        let mut next = self.clone();
        if let Some(name) = patch.name {
            next.name = required_text("name", &name, NAME_MAX_CHARS)?;
            changes.text("name", &self.name, &next.name);
        }
        if let Some(website) = patch.website {
            next.website = parse_website(website.as_deref())?;
            changes.optional("website", &self.website, &next.website);
        }
        Ok(changes.commit(self, next, at))
    }

    /// Takes what only `other` knows (its website) into this record, the one that stays
    /// when the two are merged; answers what it filled.
    pub fn absorb(&mut self, other: &Organization, at: DateTime<Utc>) -> Vec<FieldChange> {
        let mut changes = Changes::default();
        let mut next = self.clone();
        fill(&mut next.website, &other.website);
        changes.optional("website", &self.website, &next.website);
        changes.commit(self, next, at)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    /// Their role ("Head of Sales").
    pub job_title: Option<String>,
    /// Lower-cased.
    pub email: Option<String>,
    pub phone: Option<String>,
    pub organization_id: Option<OrganizationId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Goes up by one with each change; a change sent with an older one is refused.
    pub version: i64,
}

impl Person {
    /// Applies `patch`, answering what changed (nothing: an empty list). A new
    /// organization id is checked to exist by whoever stores the change.
    pub fn apply(
        &mut self,
        patch: PersonPatch,
        at: DateTime<Utc>,
    ) -> Result<Vec<FieldChange>, RuleError> {
        let mut changes = Changes::default();
        let mut next = self.clone();
        if let Some(name) = patch.name {
            next.name = required_text("name", &name, NAME_MAX_CHARS)?;
            changes.text("name", &self.name, &next.name);
        }
        if let Some(title) = patch.job_title {
            next.job_title = optional_text("job_title", title.as_deref(), NAME_MAX_CHARS)?;
            changes.optional("job_title", &self.job_title, &next.job_title);
        }
        if let Some(email) = patch.email {
            next.email = optional_email(email.as_deref())?;
            changes.optional("email", &self.email, &next.email);
        }
        if let Some(phone) = patch.phone {
            next.phone = parse_phone(phone.as_deref())?;
            changes.optional("phone", &self.phone, &next.phone);
        }
        if let Some(org) = patch.organization_id {
            next.organization_id = org;
            changes.id("organization_id", self.organization_id, org);
        }
        Ok(changes.commit(self, next, at))
    }

    /// Takes what only `other` knows (title, email, phone, organization) into this
    /// record, the one that stays when the two are merged; answers what it filled.
    pub fn absorb(&mut self, other: &Person, at: DateTime<Utc>) -> Vec<FieldChange> {
        let mut changes = Changes::default();
        let mut next = self.clone();
        fill(&mut next.job_title, &other.job_title);
        fill(&mut next.email, &other.email);
        fill(&mut next.phone, &other.phone);
        fill(&mut next.organization_id, &other.organization_id);
        changes.optional("job_title", &self.job_title, &next.job_title);
        changes.optional("email", &self.email, &next.email);
        changes.optional("phone", &self.phone, &next.phone);
        changes.id(
            "organization_id",
            self.organization_id,
            next.organization_id,
        );
        changes.commit(self, next, at)
    }
}

fn fill<T: Clone>(mine: &mut Option<T>, theirs: &Option<T>) {
    if mine.is_none() {
        mine.clone_from(theirs);
    }
}

/// The fields a change altered, old and new, as the log keeps them.
#[derive(Default)]
struct Changes(Vec<FieldChange>);

impl Changes {
    fn push(&mut self, field: &str, from: serde_json::Value, to: serde_json::Value) {
        if from != to {
            self.0.push(FieldChange {
                field: field.into(),
                from,
                to,
            });
        }
    }

    fn text(&mut self, field: &str, from: &str, to: &str) {
        self.push(field, from.into(), to.into());
    }

    fn optional(&mut self, field: &str, from: &Option<String>, to: &Option<String>) {
        self.push(field, from.clone().into(), to.clone().into());
    }

    fn id<T: ToString>(&mut self, field: &str, from: Option<T>, to: Option<T>) {
        let text = |v: Option<T>| v.map(|v| v.to_string()).into();
        self.push(field, text(from), text(to));
    }

    /// Keeps `next` as the record when anything changed, one version on.
    fn commit<R: Versioned>(
        self,
        record: &mut R,
        mut next: R,
        at: DateTime<Utc>,
    ) -> Vec<FieldChange> {
        if !self.0.is_empty() {
            next.touch(at);
            *record = next;
        }
        self.0
    }
}

trait Versioned {
    fn touch(&mut self, at: DateTime<Utc>);
}

impl Versioned for Person {
    fn touch(&mut self, at: DateTime<Utc>) {
        self.version += 1;
        self.updated_at = at;
    }
}

impl Versioned for Organization {
    fn touch(&mut self, at: DateTime<Utc>) {
        self.version += 1;
        self.updated_at = at;
    }
}

/// A new person, as the API and the pages send one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PersonDraft {
    /// Made by the sender, so that a create sent twice is stored once.
    #[serde(default)]
    pub id: Option<PersonId>,
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::person_name))]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::organization))]
    pub job_title: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::email))]
    pub email: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::phone))]
    pub phone: Option<String>,
    /// Where they work: an organization kept already…
    #[serde(default)]
    pub organization_id: Option<OrganizationId>,
    /// …or one named here, found by name (ignoring case) or created. Ignored when
    /// `organization_id` is given.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::organization))]
    pub organization: Option<String>,
}

impl PersonDraft {
    /// The person, and the name of an organization to find or create for them.
    pub fn parse(self, at: DateTime<Utc>) -> Result<(Person, Option<String>), RuleError> {
        let person = Person {
            id: self.id.unwrap_or_default(),
            name: required_text("name", &self.name, NAME_MAX_CHARS)?,
            job_title: optional_text("job_title", self.job_title.as_deref(), NAME_MAX_CHARS)?,
            email: optional_email(self.email.as_deref())?,
            phone: parse_phone(self.phone.as_deref())?,
            organization_id: self.organization_id,
            created_at: at,
            updated_at: at,
            version: 1,
        };
        // Checked even when the id wins, so that nothing sent is taken unread.
        let named = optional_text("organization", self.organization.as_deref(), NAME_MAX_CHARS)?;
        let organization = named.filter(|_| self.organization_id.is_none());
        Ok((person, organization))
    }
}

/// A new organization, as the API and the pages send one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrganizationDraft {
    /// Made by the sender, so that a create sent twice is stored once.
    #[serde(default)]
    pub id: Option<OrganizationId>,
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::person_name))]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::website))]
    pub website: Option<String>,
}

impl OrganizationDraft {
    pub fn parse(self, at: DateTime<Utc>) -> Result<Organization, RuleError> {
        Ok(Organization {
            id: self.id.unwrap_or_default(),
            name: required_text("name", &self.name, NAME_MAX_CHARS)?,
            website: parse_website(self.website.as_deref())?,
            created_at: at,
            updated_at: at,
            version: 1,
        })
    }
}

/// A change to a person: only the fields sent change; `null` clears one. It travels as
/// JSON (a field left out is not `null`), never as postcard.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PersonPatch {
    /// The version the change was made on; a newer one kept means someone else
    /// changed the person since (409). Optional: without it the change applies to
    /// whatever is kept.
    #[serde(
        default,
        deserialize_with = "super::wire::optional_whole",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::optional_version))]
    pub version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::optional_person_name))]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::organization))]
    pub job_title: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::email))]
    pub email: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::phone))]
    pub phone: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub organization_id: Option<Option<OrganizationId>>,
}

/// A change to an organization: only the fields sent change; `null` clears one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrganizationPatch {
    /// The version the change was made on (see `PersonPatch`).
    #[serde(
        default,
        deserialize_with = "super::wire::optional_whole",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::optional_version))]
    pub version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::optional_person_name))]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::website))]
    pub website: Option<Option<String>>,
}

fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// What happened to a person or an organization, as its log keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ContactEventKind {
    Created {
        name: String,
    },
    Changed {
        changes: Vec<FieldChange>,
    },
    /// Another record of the same one was merged into this one: its deals (and, for an
    /// organization, its people) are here now, and `filled` are the fields it gave.
    Absorbed {
        #[cfg_attr(feature = "ssr", schema(value_type = String, format = Uuid))]
        from: uuid::Uuid,
        name: String,
        filled: Vec<FieldChange>,
    },
    /// This record was merged into `into`, which stands for it from now on.
    MergedInto {
        #[cfg_attr(feature = "ssr", schema(value_type = String, format = Uuid))]
        into: uuid::Uuid,
        name: String,
    },
}

impl ContactEventKind {
    /// The name kept in the log's `kind` column.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Created { .. } => "created",
            Self::Changed { .. } => "changed",
            Self::Absorbed { .. } => "absorbed",
            Self::MergedInto { .. } => "merged_into",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ContactEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub actor_name: Option<String>,
    pub kind: ContactEventKind,
}

/// A deal as a person's or organization's page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealLine {
    pub id: DealId,
    pub title: String,
    pub value: i64,
    pub currency: super::money::Currency,
    pub status: super::deal::DealStatus,
    pub stage: String,
    pub person: Option<String>,
}

/// A lead as a person's or organization's page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadLine {
    pub id: LeadId,
    pub name: String,
    pub status: super::lead::LeadStatus,
    pub source: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A person in a list: the record and where they work.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::FromRow))]
pub struct PersonRow {
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub person: Person,
    pub organization: Option<String>,
    pub open_deals: i64,
}

/// An organization in a list, with how many people and open deals it has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::FromRow))]
pub struct OrganizationRow {
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub organization: Organization,
    pub people: i64,
    pub open_deals: i64,
}

/// A person's page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonPage {
    pub person: Person,
    pub organization: Option<Organization>,
    pub deals: Vec<DealLine>,
    pub leads: Vec<LeadLine>,
    pub history: Vec<ContactEvent>,
}

/// An organization's page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrganizationPage {
    pub organization: Organization,
    pub people: Vec<Person>,
    pub deals: Vec<DealLine>,
    pub leads: Vec<LeadLine>,
    pub history: Vec<ContactEvent>,
}

/// Two people who look like one, the older first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PeoplePair {
    pub a: PersonRow,
    pub b: PersonRow,
    pub why: Alike,
}

/// Two organizations that look like one, the older first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrganizationPair {
    pub a: OrganizationRow,
    pub b: OrganizationRow,
    pub why: Alike,
}

/// Likely duplicates across the database.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Duplicates {
    pub people: Vec<PeoplePair>,
    pub organizations: Vec<OrganizationPair>,
}

/// A web address: `www.acme.se` or `https://…`, no spaces, no other scheme; blank
/// means none.
pub fn parse_website(value: Option<&str>) -> Result<Option<String>, RuleError> {
    let website = optional_text("website", value, WEBSITE_MAX_CHARS)?;
    let is_web = |w: &str| {
        let scheme_ok = !w.contains(':') || w.starts_with("https://") || w.starts_with("http://");
        scheme_ok && !w.contains(char::is_whitespace)
    };
    if website.as_deref().is_some_and(|w| !is_web(w)) {
        return Err(RuleError::invalid(
            "website",
            "must be a web address such as www.acme.se",
        ));
    }
    Ok(website)
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
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, 9, 0, 0).unwrap()
    }

    fn person(name: &str, email: Option<&str>, phone: Option<&str>) -> Result<Person, RuleError> {
        PersonDraft {
            name: name.into(),
            email: email.map(Into::into),
            phone: phone.map(Into::into),
            ..PersonDraft::default()
        }
        .parse(at(1))
        .map(|(p, _)| p)
    }

    #[test]
    fn an_organization_needs_a_name_and_is_trimmed() {
        assert_eq!(
            Organization::new("  Acme AB ", at(1)).unwrap().name,
            "Acme AB"
        );
        assert!(Organization::new("   ", at(1)).is_err());
        assert!(Organization::new(&"x".repeat(NAME_MAX_CHARS + 1), at(1)).is_err());
    }

    #[test]
    fn a_person_has_a_name_and_may_have_an_email_and_a_phone() {
        let p = person(
            " Eva Berg ",
            Some(" Eva@Acme.se "),
            Some("+46 70-123 45 67"),
        )
        .unwrap();
        assert_eq!(p.name, "Eva Berg");
        assert_eq!(p.email.as_deref(), Some("eva@acme.se"));
        assert_eq!(p.phone.as_deref(), Some("+46 70-123 45 67"));
        assert_eq!(p.version, 1);
        let bare = person("Eva", Some(""), None).unwrap();
        assert_eq!((bare.email, bare.phone), (None, None));
    }

    #[test]
    fn a_person_with_a_bad_email_or_phone_is_refused_naming_the_field() {
        let bad_email = person("Eva", Some("eva"), None).unwrap_err();
        assert_eq!(bad_email.field(), Some("email"));
        let bad_phone = person("Eva", None, Some("call me")).unwrap_err();
        assert_eq!(bad_phone.field(), Some("phone"));
        assert_eq!(person(" ", None, None).unwrap_err().field(), Some("name"));
    }

    #[test]
    fn a_new_person_names_an_organization_to_find_only_when_no_id_is_given() {
        let draft = PersonDraft {
            name: "Eva".into(),
            organization: Some(" Acme AB ".into()),
            ..PersonDraft::default()
        };
        assert_eq!(
            draft.clone().parse(at(1)).unwrap().1.as_deref(),
            Some("Acme AB")
        );
        let with_id = PersonDraft {
            organization_id: Some(OrganizationId::new()),
            ..draft
        };
        assert_eq!(with_id.parse(at(1)).unwrap().1, None);
    }

    #[test]
    fn a_change_to_a_person_alters_only_what_it_names_and_goes_one_version_on() {
        let mut p = person("Eva Berg", Some("eva@acme.se"), Some("070-123 45 67")).unwrap();
        let changes = p
            .apply(
                PersonPatch {
                    job_title: Some(Some("CFO".into())),
                    phone: Some(None),
                    ..PersonPatch::default()
                },
                at(2),
            )
            .unwrap();
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["job_title", "phone"]);
        assert_eq!(
            (p.job_title.as_deref(), p.phone.as_deref()),
            (Some("CFO"), None)
        );
        assert_eq!(p.email.as_deref(), Some("eva@acme.se"));
        assert_eq!((p.version, p.updated_at), (2, at(2)));
    }

    #[test]
    fn a_change_that_alters_nothing_keeps_the_version() {
        let mut p = person("Eva Berg", None, None).unwrap();
        let same = PersonPatch {
            name: Some(" Eva Berg ".into()),
            ..PersonPatch::default()
        };
        assert!(p.apply(same, at(2)).unwrap().is_empty());
        assert_eq!(p.version, 1);
    }

    #[test]
    fn a_bad_change_is_refused_naming_the_field_and_changes_nothing() {
        let mut p = person("Eva Berg", Some("eva@acme.se"), None).unwrap();
        let before = p.clone();
        let bad = PersonPatch {
            name: Some("Eva B".into()),
            email: Some(Some("not an email".into())),
            ..PersonPatch::default()
        };
        assert_eq!(p.apply(bad, at(2)).unwrap_err().field(), Some("email"));
        assert_eq!(p, before);
    }

    #[test]
    fn the_record_that_stays_takes_only_the_fields_it_lacks_from_the_other() {
        let mut keep = person("Eva Berg", Some("eva@acme.se"), None).unwrap();
        let mut other =
            person("Eva Berg", Some("eva.berg@gmail.com"), Some("070-1234567")).unwrap();
        other.job_title = Some("CFO".into());
        let filled = keep.absorb(&other, at(3));
        let fields: Vec<&str> = filled.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["job_title", "phone"]);
        assert_eq!(keep.email.as_deref(), Some("eva@acme.se"));
        assert_eq!(keep.phone.as_deref(), Some("070-1234567"));
        assert_eq!(keep.version, 2);
    }

    #[test]
    fn a_change_sent_as_json_leaves_out_what_it_does_not_change() {
        let patch = PersonPatch {
            job_title: Some(None),
            ..PersonPatch::default()
        };
        let json = serde_json::to_string(&patch).unwrap();
        assert_eq!(json, r#"{"job_title":null}"#);
        assert_eq!(serde_json::from_str::<PersonPatch>(&json).unwrap(), patch);
    }

    #[test]
    fn a_website_is_a_web_address_or_nothing() {
        assert_eq!(
            parse_website(Some(" www.acme.se ")).unwrap().as_deref(),
            Some("www.acme.se")
        );
        assert_eq!(parse_website(Some("")).unwrap(), None);
        for bad in ["javascript:alert(1)", "acme dot se", "ftp://acme.se"] {
            assert_eq!(
                parse_website(Some(bad)).unwrap_err().field(),
                Some("website"),
                "{bad}"
            );
        }
    }
}
