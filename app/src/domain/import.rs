//! Reading rows of a CSV file made by Tend's own export, Pipedrive or HubSpot into
//! deals, people and organizations: which column holds which field (recognised by its
//! heading), and each row parsed and checked as the API would, every error kept with
//! its line number. Splitting the file into rows is the server's (`ssr::import`); what
//! the rows name in the database (stages, owners) is checked by the use-case.

use super::contact::{optional_email, parse_phone, parse_website, NAME_MAX_CHARS};
use super::deal::{deal_title, DealStatus, LeadSource};
use super::ids::{DealId, OrganizationId, PersonId};
use super::money::{Currency, Money};
use super::validation::{optional_text, required_text, RuleError};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportKind {
    Deals,
    People,
    Organizations,
}

impl ImportKind {
    pub const ALL: [ImportKind; 3] = [Self::Deals, Self::People, Self::Organizations];

    /// Its name in a command, a query and a form: `deals`, `people`, `organizations`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Deals => "deals",
            Self::People => "people",
            Self::Organizations => "organizations",
        }
    }

    /// The fields a column of such a file can fill, in the order a page offers them.
    pub fn fields(self) -> impl Iterator<Item = Field> {
        self.names().iter().map(|n| n.0)
    }

    /// The field `name` (as `Field::name` writes it), when such a file has it.
    pub fn field(self, name: &str) -> Option<Field> {
        self.fields().find(|f| f.name() == name.trim())
    }

    fn names(self) -> &'static [Names] {
        match self {
            Self::Deals => DEAL_NAMES,
            Self::People => PERSON_NAMES,
            Self::Organizations => ORGANIZATION_NAMES,
        }
    }

    pub fn parse(value: &str) -> Result<Self, RuleError> {
        match value.trim() {
            "deals" => Ok(Self::Deals),
            "people" => Ok(Self::People),
            "organizations" => Ok(Self::Organizations),
            _ => Err(RuleError::invalid(
                "kind",
                "must be deals, people or organizations",
            )),
        }
    }
}

/// Whose column headings to recognise: Tend's own always, and Pipedrive's, HubSpot's
/// or both (`Auto`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mapping {
    Auto,
    Pipedrive,
    HubSpot,
}

impl Mapping {
    pub fn parse(value: &str) -> Result<Self, RuleError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "pipedrive" => Ok(Self::Pipedrive),
            "hubspot" => Ok(Self::HubSpot),
            _ => Err(RuleError::invalid(
                "mapping",
                "must be auto, pipedrive or hubspot",
            )),
        }
    }
}

/// A field a column can fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Id,
    Title,
    Value,
    Currency,
    Pipeline,
    Stage,
    Status,
    LostReason,
    ExpectedClose,
    Probability,
    Owner,
    Organization,
    Person,
    PersonEmail,
    LeadSource,
    CreatedAt,
    ClosedAt,
    Name,
    FirstName,
    LastName,
    JobTitle,
    Email,
    Phone,
    Website,
}

impl Field {
    /// Its name as Tend's export heads its column (and errors name it).
    pub fn name(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Title => "title",
            Field::Value => "value",
            Field::Currency => "currency",
            Field::Pipeline => "pipeline",
            Field::Stage => "stage",
            Field::Status => "status",
            Field::LostReason => "lost_reason",
            Field::ExpectedClose => "expected_close_date",
            Field::Probability => "probability",
            Field::Owner => "owner_email",
            Field::Organization => "organization",
            Field::Person => "person",
            Field::PersonEmail => "person_email",
            Field::LeadSource => "lead_source",
            Field::CreatedAt => "created_at",
            Field::ClosedAt => "closed_at",
            Field::Name => "name",
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::JobTitle => "job_title",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Website => "website",
        }
    }

    /// What a page calls it.
    pub fn label(self) -> &'static str {
        match self {
            Field::Id => "Tend id",
            Field::Title => "Title",
            Field::Value => "Value",
            Field::Currency => "Currency",
            Field::Pipeline => "Pipeline",
            Field::Stage => "Stage",
            Field::Status => "Status (open, won, lost)",
            Field::LostReason => "Lost reason",
            Field::ExpectedClose => "Expected close date",
            Field::Probability => "Probability %",
            Field::Owner => "Owner (email or name)",
            Field::Organization => "Organization",
            Field::Person => "Person",
            Field::PersonEmail => "Person's email",
            Field::LeadSource => "Lead source",
            Field::CreatedAt => "Created",
            Field::ClosedAt => "Closed",
            Field::Name => "Name",
            Field::FirstName => "First name",
            Field::LastName => "Last name",
            Field::JobTitle => "Job title",
            Field::Email => "Email",
            Field::Phone => "Phone",
            Field::Website => "Website",
        }
    }
}

/// Headings by field: (field, Tend's, Pipedrive's, HubSpot's), lower-cased; Pipedrive's
/// are read without their "Deal - " (or "Person - ", "Organization - ") prefix.
type Names = (
    Field,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

const DEAL_NAMES: &[Names] = &[
    (Field::Id, &["id"], &[], &[]),
    (Field::Title, &["title"], &["title"], &["deal name"]),
    (Field::Value, &["value"], &["value"], &["amount"]),
    (
        Field::Currency,
        &["currency"],
        &["currency"],
        &["deal currency code", "currency"],
    ),
    (Field::Pipeline, &["pipeline"], &["pipeline"], &["pipeline"]),
    (Field::Stage, &["stage"], &["stage"], &["deal stage"]),
    (Field::Status, &["status"], &["status"], &[]),
    (
        Field::LostReason,
        &["lost_reason"],
        &["lost reason"],
        &["closed lost reason"],
    ),
    (
        Field::ExpectedClose,
        &["expected_close_date"],
        &["expected close date"],
        &["close date"],
    ),
    (
        Field::Probability,
        &["probability"],
        &["probability"],
        &["deal probability"],
    ),
    (
        Field::Owner,
        &["owner_email", "owner"],
        &["owner"],
        &["deal owner"],
    ),
    (
        Field::Organization,
        &["organization"],
        &["organization"],
        &["associated company", "company name"],
    ),
    (
        Field::Person,
        &["person"],
        &["contact person"],
        &["associated contact"],
    ),
    (
        Field::PersonEmail,
        &["person_email"],
        &["contact person email"],
        &["contact email"],
    ),
    (
        Field::LeadSource,
        &["lead_source"],
        &["source origin", "source"],
        &["original source", "lead source"],
    ),
    (
        Field::CreatedAt,
        &["created_at"],
        &["deal created", "add time"],
        &["create date"],
    ),
    (
        Field::ClosedAt,
        &["closed_at"],
        &["deal closed on", "close time"],
        &[],
    ),
];

const PERSON_NAMES: &[Names] = &[
    (Field::Id, &["id"], &[], &[]),
    (Field::Name, &["name"], &["name"], &[]),
    (Field::FirstName, &[], &["first name"], &["first name"]),
    (Field::LastName, &[], &["last name"], &["last name"]),
    (
        Field::JobTitle,
        &["job_title"],
        &["job title"],
        &["job title"],
    ),
    (
        Field::Email,
        &["email"],
        &["email", "email - work", "email - other"],
        &["email"],
    ),
    (
        Field::Phone,
        &["phone"],
        &["phone", "phone - work", "phone - mobile"],
        &["phone number", "mobile phone number"],
    ),
    (
        Field::Organization,
        &["organization"],
        &["organization"],
        &["company name", "associated company"],
    ),
    (
        Field::CreatedAt,
        &["created_at"],
        &["person created", "add time"],
        &["create date"],
    ),
];

const ORGANIZATION_NAMES: &[Names] = &[
    (Field::Id, &["id"], &[], &[]),
    (Field::Name, &["name"], &["name"], &["company name", "name"]),
    (
        Field::Website,
        &["website"],
        &["website"],
        &["website url", "company domain name"],
    ),
    (
        Field::CreatedAt,
        &["created_at"],
        &["organization created", "add time"],
        &["create date"],
    ),
];

/// Which field each column of a file fills (none for a column left out).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Columns {
    pub kind: ImportKind,
    pub fields: Vec<Option<Field>>,
}

/// One refusal: where in the file, which field, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// The line the row starts on (the heading is line 1).
    pub line: u64,
    pub field: Option<String>,
    pub message: String,
}

impl RowError {
    pub fn of(line: u64, e: RuleError) -> RowError {
        RowError {
            line,
            field: e.field().map(str::to_string),
            message: e.to_string(),
        }
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl Columns {
    /// Recognises each heading; a heading recognised twice fills its field from the
    /// first such column. Refused when a required field has no column: a deal needs
    /// its title and stage, a person and an organization their name.
    pub fn recognise(
        kind: ImportKind,
        mapping: Mapping,
        header: &[String],
    ) -> Result<Columns, RuleError> {
        Columns::heard(kind, mapping, header).complete()
    }

    /// Recognises each heading as `recognise` does, whether or not every field a
    /// record needs is found (a page then asks which column holds it).
    pub fn heard(kind: ImportKind, mapping: Mapping, header: &[String]) -> Columns {
        let names = kind.names();
        let mut taken = Vec::new();
        let fields: Vec<Option<Field>> = header
            .iter()
            .map(|heading| {
                let h = heading.trim().to_lowercase();
                let h = ["deal - ", "person - ", "organization - "]
                    .iter()
                    .find_map(|p| h.strip_prefix(p))
                    .unwrap_or(&h)
                    .to_string();
                let found = names.iter().find_map(|(field, tend, pipedrive, hubspot)| {
                    let vendor: Vec<&str> = match mapping {
                        Mapping::Auto => pipedrive.iter().chain(hubspot.iter()).copied().collect(),
                        Mapping::Pipedrive => pipedrive.to_vec(),
                        Mapping::HubSpot => hubspot.to_vec(),
                    };
                    (tend.contains(&h.as_str()) || vendor.contains(&h.as_str())).then_some(*field)
                });
                match found {
                    Some(f) if !taken.contains(&f) => {
                        taken.push(f);
                        Some(f)
                    }
                    _ => None,
                }
            })
            .collect();
        Columns { kind, fields }
    }

    /// The columns as someone chose them on the import page: `fields[i]` is what the
    /// file's column `i` fills (none: left out), each field from one column at most.
    pub fn chosen(
        kind: ImportKind,
        header: &[String],
        fields: &[Option<Field>],
    ) -> Result<Columns, RuleError> {
        if fields.len() != header.len() {
            return Err(RuleError::invalid(
                "fields",
                format!(
                    "name {} columns, but the file has {}: check the file again",
                    fields.len(),
                    header.len()
                ),
            ));
        }
        for (i, field) in fields.iter().enumerate() {
            let Some(f) = field else { continue };
            if !kind.fields().any(|k| k == *f) {
                return Err(RuleError::invalid(
                    "fields",
                    format!("{} is not a field of {}", f.label(), kind.name()),
                ));
            }
            if fields[..i].contains(field) {
                return Err(RuleError::invalid(
                    "fields",
                    format!("{} is filled from two columns: choose one", f.label()),
                ));
            }
        }
        Ok(Columns {
            kind,
            fields: fields.to_vec(),
        })
    }

    /// Itself, when every field its kind of record needs has a column; else the file
    /// is refused, naming the one missing.
    pub fn complete(self) -> Result<Columns, RuleError> {
        let has = |f: Field| self.fields.contains(&Some(f));
        let missing = match self.kind {
            ImportKind::Deals if !has(Field::Title) => Some("title"),
            ImportKind::Deals if !has(Field::Stage) => Some("stage"),
            ImportKind::People if !has(Field::Name) && !has(Field::FirstName) => Some("name"),
            ImportKind::Organizations if !has(Field::Name) => Some("name"),
            _ => None,
        };
        match missing {
            Some(name) => Err(RuleError::invalid(
                "file",
                format!("has no column for the {name}: head one “{name}”, or choose which column holds it"),
            )),
            None => Ok(self),
        }
    }

    /// What `field` holds in `cells`, trimmed, with the `'` an export puts before text
    /// a spreadsheet would read as a formula taken off; none when blank.
    pub fn get<'a>(&self, cells: &'a [String], field: Field) -> Option<&'a str> {
        let i = self.fields.iter().position(|f| *f == Some(field))?;
        let value = cells.get(i)?.trim();
        let value = match value.strip_prefix('\'') {
            Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
            _ => value,
        };
        (!value.is_empty()).then_some(value)
    }

    /// Reads a deal's row (see `ImportDeal`); `currency` is for rows that name none.
    pub fn deal(
        &self,
        line: u64,
        cells: &[String],
        currency: &Currency,
    ) -> Result<ImportDeal, Vec<RowError>> {
        let mut c = Collect::new(line);
        let g = |f| self.get(cells, f);
        let id = c.ok(parse_id::<DealId>("id", g(Field::Id))).flatten();
        let title = c.ok(deal_title(g(Field::Title).unwrap_or("")));
        let currency = c.ok(match g(Field::Currency) {
            Some(code) => Currency::parse(code),
            None => Ok(currency.clone()),
        });
        let value = match (g(Field::Value), &currency) {
            (Some(text), Some(cur)) => c.ok(Money::parse_major(text, cur.clone())),
            (None, Some(cur)) => Some(Money {
                minor: 0,
                currency: cur.clone(),
            }),
            _ => None,
        };
        let stage = c.ok(required_text(
            "stage",
            g(Field::Stage).unwrap_or(""),
            NAME_MAX_CHARS,
        ));
        let pipeline = c
            .ok(optional_text(
                "pipeline",
                g(Field::Pipeline),
                NAME_MAX_CHARS,
            ))
            .flatten();
        let status = c.ok(match g(Field::Status).map(str::to_lowercase) {
            None => Ok(DealStatus::Open),
            Some(s) => DealStatus::parse(&s),
        });
        let lost_reason = c
            .ok(optional_text("lost_reason", g(Field::LostReason), 200))
            .flatten();
        let expected_close = c
            .ok(match g(Field::ExpectedClose) {
                None => Ok(None),
                Some(t) => parse_date("expected_close_date", t).map(Some),
            })
            .flatten();
        let probability = c
            .ok(match g(Field::Probability) {
                None => Ok(None),
                Some(t) => t
                    .trim_end_matches('%')
                    .trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|p| (0..=100).contains(p))
                    .map(Some)
                    .ok_or_else(|| {
                        RuleError::invalid("probability", "must be a whole number from 0 to 100")
                    }),
            })
            .flatten();
        let owner = c
            .ok(optional_text("owner_email", g(Field::Owner), 254))
            .flatten();
        let organization = c
            .ok(optional_text(
                "organization",
                g(Field::Organization),
                NAME_MAX_CHARS,
            ))
            .flatten();
        let person = c
            .ok(optional_text("person", g(Field::Person), NAME_MAX_CHARS))
            .flatten();
        let person_email = c
            .ok(optional_email(g(Field::PersonEmail))
                .map_err(|_| RuleError::invalid("person_email", "must be an email address")))
            .flatten();
        let lead_source = c
            .ok(LeadSource::parse(g(Field::LeadSource)))
            .flatten()
            .map(LeadSource::into_string);
        let created_at = c.ok(created(g(Field::CreatedAt))).flatten();
        let closed_at = c
            .ok(created(g(Field::ClosedAt)).map_err(|_| {
                RuleError::invalid("closed_at", "must be a time such as 2027-03-31 14:00")
            }))
            .flatten();
        if !c.errors.is_empty() {
            return Err(c.errors);
        }
        match (title, value, stage, status) {
            (Some(title), Some(value), Some(stage), Some(status)) => Ok(ImportDeal {
                id,
                title,
                value,
                pipeline,
                stage,
                status,
                lost_reason,
                expected_close,
                probability,
                owner,
                organization,
                person,
                person_email,
                lead_source,
                created_at,
                closed_at,
            }),
            _ => Err(c.errors),
        }
    }

    /// Reads a person's row: a name (or a first and last name), and what else is known.
    pub fn person(&self, line: u64, cells: &[String]) -> Result<ImportPerson, Vec<RowError>> {
        let mut c = Collect::new(line);
        let g = |f| self.get(cells, f);
        let id = c.ok(parse_id::<PersonId>("id", g(Field::Id))).flatten();
        let whole = match (g(Field::Name), g(Field::FirstName), g(Field::LastName)) {
            (Some(n), _, _) => n.to_string(),
            (None, first, last) => [first, last]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
        };
        let name = c.ok(required_text("name", &whole, NAME_MAX_CHARS));
        let job_title = c
            .ok(optional_text(
                "job_title",
                g(Field::JobTitle),
                NAME_MAX_CHARS,
            ))
            .flatten();
        let email = c.ok(optional_email(g(Field::Email))).flatten();
        let phone = c.ok(parse_phone(g(Field::Phone))).flatten();
        let organization = c
            .ok(optional_text(
                "organization",
                g(Field::Organization),
                NAME_MAX_CHARS,
            ))
            .flatten();
        let created_at = c.ok(created(g(Field::CreatedAt))).flatten();
        match name {
            Some(name) if c.errors.is_empty() => Ok(ImportPerson {
                id,
                name,
                job_title,
                email,
                phone,
                organization,
                created_at,
            }),
            _ => Err(c.errors),
        }
    }

    /// Reads an organization's row: its name and website.
    pub fn organization(
        &self,
        line: u64,
        cells: &[String],
    ) -> Result<ImportOrganization, Vec<RowError>> {
        let mut c = Collect::new(line);
        let g = |f| self.get(cells, f);
        let id = c
            .ok(parse_id::<OrganizationId>("id", g(Field::Id)))
            .flatten();
        let name = c.ok(required_text(
            "name",
            g(Field::Name).unwrap_or(""),
            NAME_MAX_CHARS,
        ));
        let website = c.ok(parse_website(g(Field::Website))).flatten();
        let created_at = c.ok(created(g(Field::CreatedAt))).flatten();
        match name {
            Some(name) if c.errors.is_empty() => Ok(ImportOrganization {
                id,
                name,
                website,
                created_at,
            }),
            _ => Err(c.errors),
        }
    }
}

/// A deal as a row gives it; the stage, pipeline and owner are names the use-case
/// finds (an unknown one is the row's error).
#[derive(Clone, Debug, PartialEq)]
pub struct ImportDeal {
    /// Kept when the row has one (Tend's own export): a deal with this id already
    /// kept is left as it is, so importing an export again changes nothing.
    pub id: Option<DealId>,
    pub title: String,
    pub value: Money,
    pub pipeline: Option<String>,
    pub stage: String,
    pub status: DealStatus,
    pub lost_reason: Option<String>,
    pub expected_close: Option<NaiveDate>,
    pub probability: Option<i64>,
    /// An email or a name.
    pub owner: Option<String>,
    pub organization: Option<String>,
    pub person: Option<String>,
    pub person_email: Option<String>,
    pub lead_source: Option<String>,
    /// When the deal was made, for its "created" event.
    pub created_at: Option<DateTime<Utc>>,
    /// When a won or lost deal closed.
    pub closed_at: Option<DateTime<Utc>>,
}

/// What an import found, and did unless it was a dry run or found an error.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Rows read, blank ones left out.
    pub rows: usize,
    /// Each column's heading and the field it fills (none: left out).
    pub columns: Vec<(String, Option<String>)>,
    /// Records made (or, in a dry run or when refused, that would be).
    pub created: usize,
    /// Rows naming a record kept already, left as it is.
    pub kept: usize,
    /// The first errors, each with its line; `error_count` counts them all.
    pub errors: Vec<RowError>,
    pub error_count: usize,
    /// Whether the rows were written: never in a dry run or with an error.
    pub written: bool,
    /// The first rows' cells as read, for a preview.
    pub sample: Vec<Vec<String>>,
}

/// How far an import being written has got: `done` rows of `total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProgress {
    pub done: usize,
    pub total: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ImportPerson {
    pub id: Option<PersonId>,
    pub name: String,
    pub job_title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub organization: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ImportOrganization {
    pub id: Option<OrganizationId>,
    pub name: String,
    pub website: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

/// A row's errors as its fields are read, each with the row's line.
struct Collect {
    line: u64,
    errors: Vec<RowError>,
}

impl Collect {
    fn new(line: u64) -> Collect {
        Collect {
            line,
            errors: Vec::new(),
        }
    }

    fn ok<T>(&mut self, r: Result<T, RuleError>) -> Option<T> {
        r.map_err(|e| self.errors.push(RowError::of(self.line, e)))
            .ok()
    }
}

fn parse_id<T: std::str::FromStr>(
    field: &str,
    value: Option<&str>,
) -> Result<Option<T>, RuleError> {
    value
        .map(|v| {
            v.parse()
                .map_err(|_| RuleError::invalid(field, "must be an id made by Tend (a UUID)"))
        })
        .transpose()
}

/// A day written `2027-03-31` (a time after it is ignored).
fn parse_date(field: &str, text: &str) -> Result<NaiveDate, RuleError> {
    text.get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or_else(|| RuleError::invalid(field, "must be a date such as 2027-03-31"))
}

/// When a record was made: RFC 3339, `2024-01-31 10:00[:00]` (UTC) or a day.
fn created(text: Option<&str>) -> Result<Option<DateTime<Utc>>, RuleError> {
    let Some(text) = text else { return Ok(None) };
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(Some(t.and_utc()));
        }
    }
    let day = parse_date("created_at", text)?;
    Ok(day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    fn sek() -> Currency {
        Currency::parse("SEK").unwrap()
    }

    #[test]
    fn pipedrive_and_hubspot_headings_are_recognised_and_others_left_out() {
        let pipedrive = strings(&[
            "Deal - Title",
            "Deal - Value",
            "Deal - Stage",
            "Deal - Owner",
            "Deal - Label",
        ]);
        let cols = Columns::recognise(ImportKind::Deals, Mapping::Auto, &pipedrive).unwrap();
        assert_eq!(
            cols.fields,
            [
                Some(Field::Title),
                Some(Field::Value),
                Some(Field::Stage),
                Some(Field::Owner),
                None
            ]
        );
        let hubspot = strings(&["Deal Name", "Amount", "Deal Stage", "Close Date"]);
        let cols = Columns::recognise(ImportKind::Deals, Mapping::HubSpot, &hubspot).unwrap();
        assert_eq!(cols.fields[3], Some(Field::ExpectedClose));
        assert!(
            Columns::recognise(ImportKind::Deals, Mapping::Pipedrive, &hubspot).is_err(),
            "HubSpot's title is not Pipedrive's"
        );
        let err =
            Columns::recognise(ImportKind::Deals, Mapping::Auto, &strings(&["Title"])).unwrap_err();
        assert!(err.to_string().contains("stage"), "{err}");
    }

    #[test]
    fn a_swedish_amount_and_a_row_from_an_export_read_back_as_written() {
        let head = strings(&[
            "id",
            "title",
            "value",
            "currency",
            "stage",
            "status",
            "lost_reason",
            "phone",
        ]);
        let cols = Columns::recognise(ImportKind::Deals, Mapping::Auto, &head).unwrap();
        let id = DealId::new();
        let row = strings(&[
            &id.to_string(),
            "'=Acme",
            "12 500,50",
            "",
            "Proposal",
            "Lost",
            "Price",
            "x",
        ]);
        let deal = cols.deal(2, &row, &sek()).unwrap();
        assert_eq!(deal.id, Some(id));
        assert_eq!(deal.title, "=Acme", "the export's defusing ' is taken off");
        assert_eq!(deal.value.minor, 1_250_050);
        assert_eq!(deal.value.currency, sek());
        assert_eq!(
            (deal.stage.as_str(), deal.status),
            ("Proposal", DealStatus::Lost)
        );
    }

    #[test]
    fn every_bad_field_of_a_row_is_named_with_the_line() {
        let head = strings(&[
            "title",
            "value",
            "currency",
            "stage",
            "expected_close_date",
            "probability",
            "created_at",
        ]);
        let cols = Columns::recognise(ImportKind::Deals, Mapping::Auto, &head).unwrap();
        let row = strings(&["", "12,5,0", "XYZ", "", "31/03/2027", "120", "yesterday"]);
        let errors = cols.deal(7, &row, &sek()).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.clone().unwrap()).collect();
        assert_eq!(
            fields,
            [
                "title",
                "currency",
                "stage",
                "expected_close_date",
                "probability",
                "created_at"
            ]
        );
        assert!(errors.iter().all(|e| e.line == 7));
        assert!(
            errors[0].to_string().starts_with("line 7: "),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn a_person_is_named_whole_or_by_first_and_last_name() {
        let head = strings(&[
            "First Name",
            "Last Name",
            "Email",
            "Phone Number",
            "Company Name",
        ]);
        let cols = Columns::recognise(ImportKind::People, Mapping::HubSpot, &head).unwrap();
        let p = cols
            .person(
                3,
                &strings(&["Eva", "Berg", "Eva@Acme.se", "'+46 70 123 45 67", "Acme AB"]),
            )
            .unwrap();
        assert_eq!(p.name, "Eva Berg");
        assert_eq!(p.email.as_deref(), Some("eva@acme.se"));
        assert_eq!(p.phone.as_deref(), Some("+46 70 123 45 67"));
        assert_eq!(p.organization.as_deref(), Some("Acme AB"));
        let errors = cols
            .person(4, &strings(&["", "", "not-an-email", "", ""]))
            .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.clone().unwrap()).collect();
        assert_eq!(fields, ["name", "email"]);
    }

    #[test]
    fn times_are_read_from_rfc_3339_a_plain_time_or_a_day() {
        let t = |s| created(Some(s)).unwrap().unwrap().to_rfc3339();
        assert_eq!(t("2024-01-31T10:00:00+01:00"), "2024-01-31T09:00:00+00:00");
        assert_eq!(t("2024-01-31 10:00:00"), "2024-01-31T10:00:00+00:00");
        assert_eq!(t("2024-01-31"), "2024-01-31T00:00:00+00:00");
        assert!(created(Some("31 Jan")).is_err());
    }

    #[test]
    fn columns_chosen_on_the_page_fill_each_field_once_and_cover_what_a_record_needs() {
        let header = strings(&["Namn", "Kontakt", "Firma"]);
        let chosen = Columns::chosen(
            ImportKind::People,
            &header,
            &[Some(Field::Name), Some(Field::Email), None],
        )
        .unwrap();
        let cells = strings(&["Eva Berg", "eva@acme.se", "Acme AB"]);
        assert_eq!(chosen.get(&cells, Field::Email), Some("eva@acme.se"));
        assert_eq!(chosen.get(&cells, Field::Organization), None, "left out");

        for (fields, why) in [
            (
                vec![Some(Field::Name), None],
                "two fields for three columns",
            ),
            (
                vec![Some(Field::Name), Some(Field::Name), None],
                "one field from two columns",
            ),
            (
                vec![Some(Field::Name), Some(Field::Stage), None],
                "a deal's field",
            ),
        ] {
            let refused = Columns::chosen(ImportKind::People, &header, &fields).unwrap_err();
            assert_eq!(refused.field(), Some("fields"), "{why}");
        }
        let nameless = Columns::chosen(
            ImportKind::People,
            &header,
            &[Some(Field::Email), None, None],
        );
        let refused = nameless.unwrap().complete().unwrap_err();
        assert_eq!(refused.field(), Some("file"), "a person needs a name");
        assert_eq!(ImportKind::Deals.field("stage"), Some(Field::Stage));
        assert_eq!(ImportKind::People.field("stage"), None);
        assert!(ImportKind::ALL
            .iter()
            .all(|k| ImportKind::parse(k.name()) == Ok(*k)));
    }
}
