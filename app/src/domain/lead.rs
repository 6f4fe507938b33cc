//! Leads: someone who may buy, not yet a deal. A lead is captured (on a phone, by a web
//! form, through the API) into the inbox as `new`; a rep then qualifies it into a deal
//! in a pipeline's first stage, or discards it with one of the reasons admins keep. It
//! leaves the inbox once and for all: a qualified or discarded lead changes no more.
//! Every step is an event in the lead's own append-only log.

use super::contact::{optional_email, parse_phone, parse_website, NAME_MAX_CHARS};
use super::deal::{deal_title, LeadSource};
use super::ids::{DealId, LeadFormId, LeadId, PipelineId, UserId};
use super::money::{Currency, Money};
use super::validation::{is_forbidden_char, optional_text, required_text, RuleError};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The longest note kept with a lead.
pub const NOTE_MAX_CHARS: usize = 2000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type, utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    /// In the inbox, waiting for someone to qualify or discard it.
    New,
    /// Made into a deal (`deal_id`).
    Qualified,
    /// Not worth pursuing (`discard_reason`).
    Discarded,
}

impl LeadStatus {
    pub fn parse(value: &str) -> Result<Self, RuleError> {
        match value.trim() {
            "new" => Ok(Self::New),
            "qualified" => Ok(Self::Qualified),
            "discarded" => Ok(Self::Discarded),
            _ => Err(RuleError::invalid(
                "status",
                "must be new, qualified or discarded",
            )),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct Lead {
    pub id: LeadId,
    /// The person's name.
    pub name: String,
    pub company: Option<String>,
    /// The person's role there ("Head of Sales").
    pub job_title: Option<String>,
    pub website: Option<String>,
    /// Lower-cased.
    pub email: Option<String>,
    pub phone: Option<String>,
    /// What the deal may be worth, in minor units of `currency`.
    pub value: Option<i64>,
    pub currency: Option<Currency>,
    pub note: Option<String>,
    /// Where the lead came from ("Website", "Trade fair"…).
    pub source: Option<String>,
    /// The campaign a web form's visitor came from (UTM parameters).
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_term: Option<String>,
    pub utm_content: Option<String>,
    pub status: LeadStatus,
    pub discard_reason: Option<String>,
    /// The deal it was qualified into.
    pub deal_id: Option<DealId>,
    /// The rep it is assigned to; none while it waits for anyone.
    pub owner_id: Option<UserId>,
    /// Who captured it; none when it came from outside (a web form).
    pub captured_by: Option<UserId>,
    /// The web form it came through.
    pub form_id: Option<LeadFormId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// One step in a lead's life, as its log keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum LeadEventKind {
    Captured {
        source: Option<String>,
    },
    Qualified {
        deal_id: DealId,
    },
    Discarded {
        reason: String,
    },
    /// A second capture of the same person was added to this lead: the fields it filled.
    Amended {
        fields: Vec<String>,
    },
    /// Given to a rep to follow up.
    Assigned {
        owner_id: UserId,
    },
}

impl LeadEventKind {
    /// The name kept in the log's `kind` column.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Captured { .. } => "captured",
            Self::Qualified { .. } => "qualified",
            Self::Discarded { .. } => "discarded",
            Self::Amended { .. } => "amended",
            Self::Assigned { .. } => "assigned",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LeadEvent {
    /// Position in the leads' log.
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub kind: LeadEventKind,
}

/// A lead as a phone, a form or an API client sends it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LeadDraft {
    /// Made by the sender, so that a capture sent twice is stored once.
    #[serde(default)]
    pub id: Option<LeadId>,
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::person_name))]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::organization))]
    pub company: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::organization))]
    pub job_title: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::website))]
    pub website: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::email))]
    pub email: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::phone))]
    pub phone: Option<String>,
    /// Minor units; needs a `currency`.
    #[serde(default, deserialize_with = "super::wire::optional_whole")]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::optional_amount))]
    pub value: Option<i64>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::optional_currency))]
    pub currency: Option<String>,
    /// Several lines may be kept.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::note))]
    pub note: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::lead_source))]
    pub source: Option<String>,
}

impl LeadDraft {
    /// The new lead, in the inbox; `by` is whoever captured it (none for a web form),
    /// and a lead captured by a rep is theirs to follow up.
    pub fn parse(self, by: Option<UserId>, at: DateTime<Utc>) -> Result<Lead, RuleError> {
        let name = required_text("name", &self.name, NAME_MAX_CHARS)?;
        let company = optional_text("company", self.company.as_deref(), NAME_MAX_CHARS)?;
        let job_title = optional_text("job_title", self.job_title.as_deref(), NAME_MAX_CHARS)?;
        let website = parse_website(self.website.as_deref())?;
        let email = optional_email(self.email.as_deref())?;
        let phone = parse_phone(self.phone.as_deref())?;
        let currency = match self.currency.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => Some(Currency::parse(code)?),
        };
        let value = match (self.value, &currency) {
            (None, _) => None,
            (Some(_), None) => {
                return Err(RuleError::invalid("currency", "is required with a value"))
            }
            (Some(minor), Some(c)) => Some(Money::new(minor, c.clone())?.minor),
        };
        Ok(Lead {
            id: self.id.unwrap_or_default(),
            name,
            company,
            job_title,
            website,
            email,
            phone,
            currency: value.and(currency),
            value,
            note: note(self.note.as_deref())?,
            source: optional_text("source", self.source.as_deref(), LeadSource::MAX_CHARS)?,
            utm_source: None,
            utm_medium: None,
            utm_campaign: None,
            utm_term: None,
            utm_content: None,
            status: LeadStatus::New,
            discard_reason: None,
            deal_id: None,
            owner_id: by,
            captured_by: by,
            form_id: None,
            created_at: at,
            updated_at: at,
            version: 1,
        })
    }
}

/// A note: trimmed, several lines allowed (line ends kept as `\n`), nothing else that
/// is not printable; blank means none.
pub fn note(value: Option<&str>) -> Result<Option<String>, RuleError> {
    let Some(text) = value.map(|v| v.replace("\r\n", "\n").replace('\r', "\n")) else {
        return Ok(None);
    };
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > NOTE_MAX_CHARS {
        return Err(RuleError::invalid(
            "note",
            format!("must be at most {NOTE_MAX_CHARS} characters"),
        ));
    }
    if text.chars().any(|c| c != '\n' && is_forbidden_char(c)) {
        return Err(RuleError::invalid(
            "note",
            "must not contain control characters or text-direction overrides",
        ));
    }
    Ok(Some(text.to_string()))
}

/// Why a lead was not worth pursuing: one of the reasons admins keep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscardReason(String);

impl DiscardReason {
    pub const MAX_CHARS: usize = 80;

    /// A reason as written; `parse_from` checks it against the list.
    pub fn parse(value: &str) -> Result<DiscardReason, RuleError> {
        required_text("reason", value, Self::MAX_CHARS).map(DiscardReason)
    }

    /// The reason in `list` that `value` names (ignoring case), as the list spells it.
    pub fn parse_from(value: &str, list: &[String]) -> Result<DiscardReason, RuleError> {
        let wanted = Self::parse(value)?;
        list.iter()
            .find(|l| l.to_lowercase() == wanted.0.to_lowercase())
            .map(|l| DiscardReason(l.clone()))
            .ok_or_else(|| RuleError::invalid("reason", "must be one of the discard reasons"))
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// What qualifying a lead asks for; the lead supplies what is left out.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Qualification {
    /// The pipeline whose first stage the deal starts in; the first pipeline when absent.
    #[serde(default)]
    pub pipeline_id: Option<PipelineId>,
    /// The deal's value in minor units; the lead's when absent, else 0.
    #[serde(default, deserialize_with = "super::wire::optional_whole")]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::optional_amount))]
    pub value: Option<i64>,
    /// The deal's currency; the lead's when absent. Required when the lead has none.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::optional_currency))]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "super::wire::optional_date")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = Date))]
    pub expected_close: Option<NaiveDate>,
    /// The rep who will own the deal; the lead's owner when absent, else the caller.
    #[serde(default)]
    pub owner_id: Option<UserId>,
}

/// The deal a qualification makes, before it has a stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DealFromLead {
    pub title: String,
    pub value: Money,
    pub expected_close_date: Option<NaiveDate>,
    pub owner_id: UserId,
}

impl Lead {
    /// The deal `q` makes of this lead: titled by its company, else by its person.
    pub fn deal_from(&self, q: &Qualification, caller: UserId) -> Result<DealFromLead, RuleError> {
        self.still_new()?;
        let currency = match q.currency.as_deref().map(str::trim) {
            None | Some("") => self.currency.clone().ok_or_else(|| {
                RuleError::invalid("currency", "is required: the lead has no value")
            })?,
            Some(code) => Currency::parse(code)?,
        };
        let minor = q
            .value
            .or(self
                .value
                .filter(|_| self.currency.as_ref() == Some(&currency)))
            .unwrap_or(0);
        Ok(DealFromLead {
            title: deal_title(self.company.as_deref().unwrap_or(&self.name))?,
            value: Money::new(minor, currency)?,
            expected_close_date: q.expected_close,
            owner_id: q.owner_id.or(self.owner_id).unwrap_or(caller),
        })
    }

    /// Marks the lead qualified into `deal`.
    pub fn qualify(&mut self, deal: DealId, at: DateTime<Utc>) -> Result<LeadEventKind, RuleError> {
        self.still_new()?;
        self.status = LeadStatus::Qualified;
        self.deal_id = Some(deal);
        self.touch(at);
        Ok(LeadEventKind::Qualified { deal_id: deal })
    }

    pub fn discard(
        &mut self,
        reason: DiscardReason,
        at: DateTime<Utc>,
    ) -> Result<LeadEventKind, RuleError> {
        self.still_new()?;
        self.status = LeadStatus::Discarded;
        self.discard_reason = Some(reason.0.clone());
        self.touch(at);
        Ok(LeadEventKind::Discarded { reason: reason.0 })
    }

    /// Gives the lead to `owner`; none when it is theirs already.
    pub fn assign(
        &mut self,
        owner: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<LeadEventKind>, RuleError> {
        self.still_new()?;
        if self.owner_id == Some(owner) {
            return Ok(None);
        }
        self.owner_id = Some(owner);
        self.touch(at);
        Ok(Some(LeadEventKind::Assigned { owner_id: owner }))
    }

    fn still_new(&self) -> Result<(), RuleError> {
        match self.status {
            LeadStatus::New => Ok(()),
            LeadStatus::Qualified => Err(RuleError::Refused(
                "This lead was already qualified into a deal.".into(),
            )),
            LeadStatus::Discarded => Err(RuleError::Refused(
                "This lead was already discarded.".into(),
            )),
        }
    }

    fn touch(&mut self, at: DateTime<Utc>) {
        self.updated_at = at;
        self.version += 1;
    }
}

/// The most leads one bulk action takes.
pub const BULK_MAX: usize = 200;

/// What is done to several leads at once, all or none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Bulk {
    /// Each into a deal of its own, with its own value; `currency` for leads without one.
    Qualify(Qualification),
    Discard(String),
    Assign(UserId),
}

/// Several leads, named by id: at least one, at most `BULK_MAX`, each once.
pub fn bulk_ids(ids: Vec<LeadId>) -> Result<Vec<LeadId>, RuleError> {
    let mut seen = std::collections::HashSet::new();
    let ids: Vec<LeadId> = ids.into_iter().filter(|id| seen.insert(*id)).collect();
    match ids.len() {
        0 => Err(RuleError::invalid("ids", "Pick at least one lead.")),
        n if n > BULK_MAX => Err(RuleError::invalid(
            "ids",
            format!("At most {BULK_MAX} leads at once."),
        )),
        _ => Ok(ids),
    }
}

/// A lead kept already that a new capture likely duplicates, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Duplicate {
    pub lead: Lead,
    pub why: super::duplicate::Alike,
}

impl Lead {
    /// What is known of this lead's person, to compare.
    pub fn contact(&self) -> super::duplicate::Contact<'_> {
        super::duplicate::Contact {
            name: &self.name,
            company: self.company.as_deref(),
            email: self.email.as_deref(),
            phone: self.phone.as_deref(),
        }
    }

    /// Adds what a second capture of the same person (`more`, parsed) knows and this
    /// lead does not: empty fields are filled, a note is added below this one's. Only
    /// a lead still in the inbox takes more; the fields filled are returned.
    pub fn amend(&mut self, more: Lead, at: DateTime<Utc>) -> Result<LeadEventKind, RuleError> {
        self.still_new()?;
        let mut filled = Vec::new();
        let mut fill = |mine: &mut Option<String>, theirs: Option<String>, name: &str| {
            if mine.is_none() && theirs.is_some() {
                *mine = theirs;
                filled.push(name.to_string());
            }
        };
        fill(&mut self.company, more.company, "company");
        fill(&mut self.job_title, more.job_title, "job_title");
        fill(&mut self.website, more.website, "website");
        fill(&mut self.email, more.email, "email");
        fill(&mut self.phone, more.phone, "phone");
        fill(&mut self.source, more.source, "source");
        if self.value.is_none() && more.value.is_some() {
            self.value = more.value;
            self.currency = more.currency;
            filled.push("value".into());
        }
        if let Some(note) = more.note {
            let joined = match self.note.take() {
                Some(mine) => format!("{mine}\n\n{note}"),
                None => note,
            };
            self.note = Some(joined.chars().take(NOTE_MAX_CHARS).collect());
            filled.push("note".into());
        }
        self.touch(at);
        Ok(LeadEventKind::Amended { fields: filled })
    }
}

/// A new lead nobody has touched for this many days is flagged in the inbox, until an
/// admin sets another number: the brief says to contact leads as soon as they come in.
pub const UNTOUCHED_DAYS_DEFAULT: i64 = 3;
/// The most days an admin may let a new lead wait before it is flagged.
pub const UNTOUCHED_DAYS_MAX: i64 = 90;

/// The days after which an untouched new lead is flagged, as an admin sets them.
pub fn untouched_days(days: i64) -> Result<i64, RuleError> {
    if (1..=UNTOUCHED_DAYS_MAX).contains(&days) {
        Ok(days)
    } else {
        Err(RuleError::invalid(
            "untouched_days",
            format!("must be a whole number of days from 1 to {UNTOUCHED_DAYS_MAX}"),
        ))
    }
}

impl Lead {
    /// The campaign a web form's visitor came from, in words ("google / cpc /
    /// spring-sale"); none when there is none.
    pub fn campaign(&self) -> Option<String> {
        let parts: Vec<&str> = [&self.utm_source, &self.utm_medium, &self.utm_campaign]
            .into_iter()
            .filter_map(|p| p.as_deref())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" / "))
    }

    /// Whole days since the lead came in.
    pub fn age_days(&self, now: DateTime<Utc>) -> i64 {
        (now - self.created_at).num_days().max(0)
    }

    /// Whole days since anyone last touched the lead (captured, amended, assigned).
    pub fn untouched_days(&self, now: DateTime<Utc>) -> i64 {
        (now - self.updated_at).num_days().max(0)
    }

    /// A new lead that nobody has touched for `after_days` or more.
    pub fn is_waiting_too_long(&self, now: DateTime<Utc>, after_days: i64) -> bool {
        self.status == LeadStatus::New && self.untouched_days(now) >= after_days
    }
}

/// How many leads there are in each state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadCounts {
    pub new: i64,
    pub qualified: i64,
    pub discarded: i64,
}

impl LeadCounts {
    pub fn of(self, status: LeadStatus) -> i64 {
        match status {
            LeadStatus::New => self.new,
            LeadStatus::Qualified => self.qualified,
            LeadStatus::Discarded => self.discarded,
        }
    }
}

/// New leads from one source: how many, and the oldest one's age in days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceCount {
    /// None: leads captured without a source.
    pub source: Option<String>,
    pub new: i64,
    pub oldest_days: i64,
}

/// The leads inbox: one status's leads, newest first, and what acting on them needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeadsPage {
    pub me: super::user::User,
    pub status: LeadStatus,
    pub leads: Vec<Lead>,
    pub counts: LeadCounts,
    /// New leads per source, most first.
    pub sources: Vec<SourceCount>,
    pub discard_reasons: Vec<String>,
    pub pipelines: Vec<(PipelineId, String)>,
    /// The reps a lead can be given to: (id, name).
    pub users: Vec<(UserId, String)>,
    /// A new lead untouched for this many days is flagged (an admin's setting).
    pub untouched_days: i64,
    /// How many changes to leads there had been when the page was read: its live
    /// stream starts there.
    pub seen: i64,
    pub now: DateTime<Utc>,
}

/// The capture page: who is capturing, and the source they used last.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CapturePage {
    pub me: super::user::User,
    pub last_source: Option<String>,
    pub last_currency: Option<Currency>,
    /// Sources already used, most used first, to pick from.
    pub sources: Vec<String>,
}

/// New leads per source from `(source, how many, the oldest's capture)`, most first
/// (ties by name).
pub fn sources_of(
    rows: Vec<(Option<String>, i64, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> Vec<SourceCount> {
    let mut by: Vec<SourceCount> = rows
        .into_iter()
        .map(|(source, new, oldest)| SourceCount {
            source,
            new,
            oldest_days: (now - oldest).num_days().max(0),
        })
        .collect();
    by.sort_by(|a, b| b.new.cmp(&a.new).then_with(|| a.source.cmp(&b.source)));
    by
}

/// The inbox after someone's change: the leads as read now, except that a lead the
/// user is in the middle of (`held`: ticked, a form open, an answer shown) stays as it
/// was shown and where it was, even if someone else has since qualified, discarded or
/// changed it. So a live inbox never takes away what a rep is working on.
pub fn keep_held(shown: &[Lead], fresh: Vec<Lead>, held: &[LeadId]) -> Vec<Lead> {
    let mut merged: Vec<Lead> = fresh
        .into_iter()
        .map(|lead| match shown.iter().find(|s| s.id == lead.id) {
            Some(was) if held.contains(&lead.id) => was.clone(),
            _ => lead,
        })
        .collect();
    for (at, was) in shown.iter().enumerate() {
        if held.contains(&was.id) && !merged.iter().any(|l| l.id == was.id) {
            merged.insert(at.min(merged.len()), was.clone());
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    fn names(leads: &[Lead]) -> Vec<&str> {
        leads.iter().map(|l| l.name.as_str()).collect()
    }

    #[test]
    fn a_live_inbox_shows_new_leads_and_drops_those_others_settled() {
        let (a, b, c) = (
            captured(draft("Ada")),
            captured(draft("Bo")),
            captured(draft("Cy")),
        );
        let shown = vec![a.clone(), b.clone()];
        // Someone captured Cy and qualified Bo.
        let now = keep_held(&shown, vec![c.clone(), a.clone()], &[]);
        assert_eq!(names(&now), ["Cy", "Ada"]);
    }

    #[test]
    fn a_live_inbox_keeps_the_lead_a_rep_is_acting_on_where_it_was_and_as_it_was() {
        let (a, b, c) = (
            captured(draft("Ada")),
            captured(draft("Bo")),
            captured(draft("Cy")),
        );
        let shown = vec![a.clone(), b.clone(), c.clone()];
        let mut amended = a.clone();
        amended.note = Some("Called back".into());
        amended.version += 1;
        // Bo was discarded by someone else and Ada amended, while this rep had both open.
        let now = keep_held(&shown, vec![amended.clone(), c.clone()], &[a.id, b.id]);
        assert_eq!(names(&now), ["Ada", "Bo", "Cy"]);
        assert_eq!(now[0], a, "the held lead stays as it was shown");
        // Once let go, the change shows.
        let later = keep_held(&now, vec![amended.clone(), c], &[]);
        assert_eq!(later[0], amended);
        assert_eq!(names(&later), ["Ada", "Cy"]);
    }

    use super::*;

    fn draft(name: &str) -> LeadDraft {
        LeadDraft {
            name: name.into(),
            ..Default::default()
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-12-04T10:00:00Z".parse().unwrap()
    }

    fn captured(d: LeadDraft) -> Lead {
        d.parse(Some(UserId::new()), now()).unwrap()
    }

    #[test]
    fn a_lead_needs_only_a_name_and_lands_new_with_whoever_captured_it() {
        let rep = UserId::new();
        let lead = draft("  Eva Berg ").parse(Some(rep), now()).unwrap();
        assert_eq!(lead.name, "Eva Berg");
        assert_eq!(lead.status, LeadStatus::New);
        assert_eq!((lead.owner_id, lead.captured_by), (Some(rep), Some(rep)));
        assert_eq!((lead.email, lead.phone, lead.value), (None, None, None));
        let err = draft(" ").parse(None, now()).unwrap_err();
        assert_eq!(err.field(), Some("name"));
    }

    #[test]
    fn each_bad_field_of_a_lead_is_refused_by_its_name() {
        let cases: [(LeadDraft, &str); 9] = [
            (
                LeadDraft {
                    email: Some("eva at acme".into()),
                    ..draft("Eva")
                },
                "email",
            ),
            (
                LeadDraft {
                    phone: Some("ring me".into()),
                    ..draft("Eva")
                },
                "phone",
            ),
            (
                LeadDraft {
                    phone: Some("--".into()),
                    ..draft("Eva")
                },
                "phone",
            ),
            (
                LeadDraft {
                    company: Some("x".repeat(121)),
                    ..draft("Eva")
                },
                "company",
            ),
            (
                LeadDraft {
                    value: Some(5),
                    ..draft("Eva")
                },
                "currency",
            ),
            (
                LeadDraft {
                    value: Some(-1),
                    currency: Some("SEK".into()),
                    ..draft("Eva")
                },
                "value",
            ),
            (
                LeadDraft {
                    note: Some("a\u{7}b".into()),
                    ..draft("Eva")
                },
                "note",
            ),
            (
                LeadDraft {
                    source: Some("s".repeat(61)),
                    ..draft("Eva")
                },
                "source",
            ),
            (
                LeadDraft {
                    website: Some("javascript:alert(1)".into()),
                    ..draft("Eva")
                },
                "website",
            ),
        ];
        for (d, field) in cases {
            assert_eq!(
                d.clone().parse(None, now()).unwrap_err().field(),
                Some(field),
                "{d:?}"
            );
        }
    }

    #[test]
    fn a_note_keeps_its_lines_and_a_contact_is_normalised() {
        let lead = captured(LeadDraft {
            email: Some(" Eva@Acme.SE ".into()),
            phone: Some("+46 70-123 45 67".into()),
            note: Some("Met at the fair.\r\nCall after lunch.\n".into()),
            value: Some(1_500_000),
            currency: Some("SEK".into()),
            ..draft("Eva Berg")
        });
        assert_eq!(lead.email.as_deref(), Some("eva@acme.se"));
        assert_eq!(
            lead.note.as_deref(),
            Some("Met at the fair.\nCall after lunch.")
        );
        assert_eq!(
            (lead.value, lead.currency.as_ref().map(|c| c.code())),
            (Some(1_500_000), Some("SEK"))
        );
    }

    #[test]
    fn a_qualified_deal_takes_the_company_as_title_and_the_leads_value() {
        let lead = captured(LeadDraft {
            company: Some("Acme AB".into()),
            value: Some(900_00),
            currency: Some("EUR".into()),
            ..draft("Eva Berg")
        });
        let deal = lead
            .deal_from(&Qualification::default(), UserId::new())
            .unwrap();
        assert_eq!(deal.title, "Acme AB");
        assert_eq!(
            (deal.value.minor, deal.value.currency.code()),
            (900_00, "EUR")
        );
        assert_eq!(deal.owner_id, lead.owner_id.unwrap());

        let asked = Qualification {
            value: Some(2_000_00),
            currency: Some("SEK".into()),
            ..Default::default()
        };
        let deal = lead.deal_from(&asked, UserId::new()).unwrap();
        assert_eq!(
            (deal.value.minor, deal.value.currency.code()),
            (2_000_00, "SEK")
        );
        let other_currency = Qualification {
            currency: Some("SEK".into()),
            ..Default::default()
        };
        assert_eq!(
            lead.deal_from(&other_currency, UserId::new())
                .unwrap()
                .value
                .minor,
            0
        );
    }

    #[test]
    fn a_lead_without_company_or_value_needs_a_currency_to_be_qualified() {
        let lead = draft("Eva Berg").parse(None, now()).unwrap();
        let err = lead
            .deal_from(&Qualification::default(), UserId::new())
            .unwrap_err();
        assert_eq!(err.field(), Some("currency"));
        let caller = UserId::new();
        let q = Qualification {
            currency: Some("SEK".into()),
            ..Default::default()
        };
        let deal = lead.deal_from(&q, caller).unwrap();
        assert_eq!((deal.title.as_str(), deal.owner_id), ("Eva Berg", caller));
    }

    #[test]
    fn a_lead_leaves_the_inbox_once_qualified_or_discarded() {
        let mut lead = captured(draft("Eva"));
        let deal = DealId::new();
        assert_eq!(
            lead.qualify(deal, now()).unwrap(),
            LeadEventKind::Qualified { deal_id: deal }
        );
        assert_eq!(
            (lead.status, lead.deal_id, lead.version),
            (LeadStatus::Qualified, Some(deal), 2)
        );
        assert!(matches!(
            lead.qualify(DealId::new(), now()),
            Err(RuleError::Refused(_))
        ));
        let spam = DiscardReason::parse("Spam").unwrap();
        assert!(matches!(
            lead.discard(spam.clone(), now()),
            Err(RuleError::Refused(_))
        ));
        assert!(lead
            .deal_from(&Qualification::default(), UserId::new())
            .is_err());

        let mut other = captured(draft("Bo"));
        other.discard(spam, now()).unwrap();
        assert_eq!(
            (other.status, other.discard_reason.as_deref()),
            (LeadStatus::Discarded, Some("Spam"))
        );
        assert!(matches!(
            other.qualify(deal, now()),
            Err(RuleError::Refused(_))
        ));
    }

    #[test]
    fn a_new_lead_is_flagged_once_nobody_has_touched_it_for_the_days_set() {
        let mut lead = captured(draft("Eva"));
        let later = |days| now() + chrono::Duration::days(days);
        let days = UNTOUCHED_DAYS_DEFAULT;
        assert_eq!(
            (
                lead.age_days(later(2)),
                lead.is_waiting_too_long(later(2), days)
            ),
            (2, false)
        );
        assert!(lead.is_waiting_too_long(later(3), days));
        assert!(
            !lead.is_waiting_too_long(later(3), 5),
            "an admin gave leads five days"
        );
        // Given to a rep on day 2: untouched for one day on day 3.
        lead.assign(UserId::new(), later(2)).unwrap();
        assert_eq!(
            (lead.age_days(later(3)), lead.untouched_days(later(3))),
            (3, 1)
        );
        assert!(!lead.is_waiting_too_long(later(3), days));
        lead.discard(DiscardReason::parse("Spam").unwrap(), now())
            .unwrap();
        assert!(
            !lead.is_waiting_too_long(later(30), days),
            "a settled lead waits for nothing"
        );
        assert_eq!(untouched_days(14), Ok(14));
        for wrong in [0, -1, UNTOUCHED_DAYS_MAX + 1] {
            assert_eq!(
                untouched_days(wrong).unwrap_err().field(),
                Some("untouched_days")
            );
        }
    }

    #[test]
    fn new_leads_are_counted_per_source_with_the_oldest_age() {
        let day = |d| now() - chrono::Duration::days(d);
        let web = Some("Website".to_string());
        let fair = Some("Trade fair".to_string());
        let counts = sources_of(
            vec![
                (fair.clone(), 1, day(1)),
                (web.clone(), 2, day(5)),
                (None, 1, day(0)),
            ],
            now(),
        );
        let seen: Vec<_> = counts
            .iter()
            .map(|c| (c.source.clone(), c.new, c.oldest_days))
            .collect();
        assert_eq!(seen, [(web, 2, 5), (None, 1, 0), (fair, 1, 1)]);
    }

    #[test]
    fn a_second_capture_fills_what_the_lead_lacked_and_adds_its_note() {
        let mut lead = captured(LeadDraft {
            email: Some("eva@acme.se".into()),
            note: Some("Met at the fair.".into()),
            ..draft("Eva Berg")
        });
        let more = captured(LeadDraft {
            email: Some("eva.berg@gmail.com".into()),
            phone: Some("070-123 45 67".into()),
            note: Some("Called back.".into()),
            ..draft("Eva B")
        });
        let event = lead.amend(more, now()).unwrap();
        assert_eq!(
            event,
            LeadEventKind::Amended {
                fields: vec!["phone".into(), "note".into()]
            }
        );
        assert_eq!(
            lead.email.as_deref(),
            Some("eva@acme.se"),
            "what it had stays"
        );
        assert_eq!(lead.phone.as_deref(), Some("070-123 45 67"));
        assert_eq!(
            lead.note.as_deref(),
            Some("Met at the fair.\n\nCalled back.")
        );
        assert_eq!((lead.name.as_str(), lead.version), ("Eva Berg", 2));
        lead.discard(DiscardReason::parse("Spam").unwrap(), now())
            .unwrap();
        assert!(lead.amend(captured(draft("Eva")), now()).is_err());
    }

    #[test]
    fn a_new_lead_is_given_to_a_rep_once_and_a_settled_one_not_at_all() {
        let mut lead = captured(draft("Eva"));
        let rep = UserId::new();
        assert_eq!(
            lead.assign(rep, now()).unwrap(),
            Some(LeadEventKind::Assigned { owner_id: rep })
        );
        assert_eq!(lead.assign(rep, now()).unwrap(), None, "theirs already");
        lead.discard(DiscardReason::parse("Spam").unwrap(), now())
            .unwrap();
        assert!(lead.assign(UserId::new(), now()).is_err());
    }

    #[test]
    fn a_bulk_action_takes_one_to_two_hundred_leads_each_once() {
        let a = LeadId::new();
        assert_eq!(bulk_ids(vec![a, a]).unwrap(), vec![a]);
        assert_eq!(bulk_ids(vec![]).unwrap_err().field(), Some("ids"));
        let many: Vec<LeadId> = (0..=BULK_MAX).map(|_| LeadId::new()).collect();
        assert_eq!(bulk_ids(many).unwrap_err().field(), Some("ids"));
    }

    #[test]
    fn a_discard_reason_must_be_one_of_the_list_as_the_list_spells_it() {
        let list = vec!["Not a fit".to_string(), "Spam".to_string()];
        assert_eq!(
            DiscardReason::parse_from(" not A FIT ", &list)
                .unwrap()
                .into_string(),
            "Not a fit"
        );
        assert_eq!(
            DiscardReason::parse_from("Too small", &list)
                .unwrap_err()
                .field(),
            Some("reason")
        );
        assert_eq!(
            DiscardReason::parse_from("", &list).unwrap_err().field(),
            Some("reason")
        );
    }
}
