//! Deals and the rules for changing them. Invariants: only an open deal moves; a lost
//! deal has a reason; a closed deal is reopened before anything about its stage
//! changes; every change yields the event that the log will keep.

use super::event::{date_json, DealEventKind, FieldChange};
use super::ids::{DealId, OrganizationId, PersonId, PipelineId, StageId, UserId};
use super::money::{Currency, Money};
use super::pipeline::{Probability, Stage};
use super::validation::{optional_text, required_text, RuleError};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum DealStatus {
    Open,
    Won,
    Lost,
}

impl DealStatus {
    pub fn parse(value: &str) -> Result<Self, RuleError> {
        match value.trim() {
            "open" => Ok(Self::Open),
            "won" => Ok(Self::Won),
            "lost" => Ok(Self::Lost),
            _ => Err(RuleError::invalid("status", "must be open, won or lost")),
        }
    }
}

/// How sure a rep is that a deal closes when expected: the forecast's categories.
/// Set on the deal by its rep; a deal without one takes it from its chance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ForecastCategory {
    Pipeline,
    BestCase,
    Commit,
}

impl ForecastCategory {
    pub const ALL: [ForecastCategory; 3] = [Self::Pipeline, Self::BestCase, Self::Commit];

    /// As the API and the log write it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pipeline => "pipeline",
            Self::BestCase => "best_case",
            Self::Commit => "commit",
        }
    }

    /// As people read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pipeline => "Pipeline",
            Self::BestCase => "Best case",
            Self::Commit => "Commit",
        }
    }

    /// A name as the API writes it; blank means none (the deal's chance decides).
    pub fn parse(value: Option<&str>) -> Result<Option<Self>, RuleError> {
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => Self::ALL
                .into_iter()
                .find(|c| c.name() == v)
                .map(Some)
                .ok_or_else(|| {
                    RuleError::invalid("forecast_category", "must be pipeline, best_case or commit")
                }),
        }
    }

    /// The category a chance (percent) stands for: 80 % and up is a commit (the default
    /// Commitment stage), 50 % and up a best case (Proposal), anything less pipeline.
    pub fn from_chance(percent: i64) -> Self {
        match percent {
            80.. => Self::Commit,
            50..=79 => Self::BestCase,
            _ => Self::Pipeline,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Deal {
    pub id: DealId,
    pub title: String,
    /// Minor units of `currency`.
    pub value: i64,
    pub currency: Currency,
    pub pipeline_id: PipelineId,
    pub stage_id: StageId,
    pub status: DealStatus,
    pub lost_reason: Option<String>,
    pub expected_close_date: Option<NaiveDate>,
    /// Overrides the stage's probability when set.
    pub probability: Option<i64>,
    pub owner_id: UserId,
    pub organization_id: Option<OrganizationId>,
    pub person_id: Option<PersonId>,
    pub lead_source: Option<String>,
    /// Set by the rep; when none, the deal's chance decides (see `category`).
    pub forecast_category: Option<ForecastCategory>,
    pub stage_entered_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// What a change answers the browser with: enough to carry on without the whole deal
/// (which the deal page reloads), and the change as the board applies it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    pub id: DealId,
    pub title: String,
    pub status: DealStatus,
    pub version: i64,
    pub event: Option<super::live::LiveEvent>,
}

impl Saved {
    pub fn new(deal: Deal, event: Option<super::live::LiveEvent>) -> Self {
        Saved {
            id: deal.id,
            title: deal.title,
            status: deal.status,
            version: deal.version,
            event,
        }
    }
}

/// What a person fills in to create a deal, already parsed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewDeal {
    pub id: DealId,
    pub title: String,
    pub value: Money,
    pub stage_id: StageId,
    pub owner_id: UserId,
    pub expected_close_date: Option<NaiveDate>,
    pub probability: Option<i64>,
    pub organization_id: Option<OrganizationId>,
    pub person_id: Option<PersonId>,
    pub lead_source: Option<String>,
}

pub fn deal_title(value: &str) -> Result<String, RuleError> {
    required_text("title", value, 200)
}

/// Where a deal came from ("Website", "Referral", a campaign…), in the team's words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LeadSource(String);

impl LeadSource {
    pub const MAX_CHARS: usize = 60;

    /// Trimmed; blank means none.
    pub fn parse(value: Option<&str>) -> Result<Option<LeadSource>, RuleError> {
        Ok(optional_text("lead_source", value, Self::MAX_CHARS)?.map(LeadSource))
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Why a deal was lost. Required to lose one; admins keep a list to pick from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LostReason(String);

impl LostReason {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(value: &str) -> Result<LostReason, RuleError> {
        let reason = value.trim();
        if reason.is_empty() {
            return Err(RuleError::invalid("reason", "Say why the deal was lost."));
        }
        required_text("reason", reason, Self::MAX_CHARS).map(LostReason)
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

fn lead_source(value: Option<&str>) -> Result<Option<String>, RuleError> {
    Ok(LeadSource::parse(value)?.map(LeadSource::into_string))
}

pub fn probability_override(value: Option<i64>) -> Result<Option<i64>, RuleError> {
    value
        .map(|p| Probability::parse("probability", p).map(Probability::percent))
        .transpose()
}

/// What a caller asks to happen to a deal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum DealChange {
    Move(StageId),
    Win,
    Lose(String),
    Reopen,
    Edit(DealEdit),
    Delete,
}

/// A partial edit: a missing field is left alone; `null` clears a clearable field.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DealEdit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::title))]
    pub title: Option<String>,
    #[serde(
        default,
        deserialize_with = "super::wire::optional_whole",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::amount))]
    pub value: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::currency))]
    pub currency: Option<String>,
    #[serde(
        default,
        deserialize_with = "super::wire::nullable_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub expected_close_date: Option<Option<NaiveDate>>,
    #[serde(
        default,
        deserialize_with = "super::wire::nullable_whole",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::probability))]
    pub probability: Option<Option<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<UserId>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub organization_id: Option<Option<OrganizationId>>,
    /// The person the team talks to about the deal; `null` unlinks them.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub person_id: Option<Option<PersonId>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::lead_source))]
    pub lead_source: Option<Option<String>>,
    /// `pipeline`, `best_case` or `commit`; `null` lets the deal's chance decide.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<ForecastCategory>))]
    pub forecast_category: Option<Option<String>>,
}

fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

impl DealEdit {
    /// Only what differs from `base`, the deal as the editor saw it: saving it changes
    /// nothing the editor left alone, whatever someone else changed meanwhile.
    pub fn against(self, base: &Deal) -> DealEdit {
        fn keep<T: PartialEq>(new: Option<T>, old: &T) -> Option<T> {
            new.filter(|n| n != old)
        }
        let money_changed = self.value.is_some_and(|v| v != base.value)
            || self
                .currency
                .as_deref()
                .is_some_and(|c| !c.trim().eq_ignore_ascii_case(base.currency.code()));
        let source = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        DealEdit {
            title: self.title.filter(|t| t.trim() != base.title),
            value: self.value.filter(|_| money_changed),
            currency: self.currency.filter(|_| money_changed),
            expected_close_date: keep(self.expected_close_date, &base.expected_close_date),
            probability: keep(self.probability, &base.probability),
            owner_id: keep(self.owner_id, &base.owner_id),
            organization_id: keep(self.organization_id, &base.organization_id),
            person_id: keep(self.person_id, &base.person_id),
            lead_source: self.lead_source.filter(|s| source(s) != base.lead_source),
            forecast_category: self.forecast_category.filter(|c| {
                ForecastCategory::parse(c.as_deref()).ok() != Some(base.forecast_category)
            }),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == DealEdit::default()
    }
}

/// A part of a deal someone can see change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DealField {
    Title,
    Value,
    Stage,
    Status,
    ExpectedCloseDate,
    Probability,
    Owner,
    Organization,
    Person,
    LeadSource,
    ForecastCategory,
}

impl Deal {
    /// What differs in `newer`, in the order a deal page shows it.
    pub fn changed_fields(&self, newer: &Deal) -> Vec<DealField> {
        [
            (DealField::Title, self.title != newer.title),
            (
                DealField::Value,
                (self.value, &self.currency) != (newer.value, &newer.currency),
            ),
            (DealField::Stage, self.stage_id != newer.stage_id),
            (
                DealField::Status,
                (self.status, &self.lost_reason) != (newer.status, &newer.lost_reason),
            ),
            (
                DealField::ExpectedCloseDate,
                self.expected_close_date != newer.expected_close_date,
            ),
            (
                DealField::Probability,
                self.probability != newer.probability,
            ),
            (DealField::Owner, self.owner_id != newer.owner_id),
            (
                DealField::Organization,
                self.organization_id != newer.organization_id,
            ),
            (DealField::Person, self.person_id != newer.person_id),
            (DealField::LeadSource, self.lead_source != newer.lead_source),
            (
                DealField::ForecastCategory,
                self.forecast_category != newer.forecast_category,
            ),
        ]
        .into_iter()
        .filter_map(|(field, changed)| changed.then_some(field))
        .collect()
    }

    pub fn create(new: NewDeal, stage: &Stage, at: DateTime<Utc>) -> (Deal, DealEventKind) {
        let deal = Deal {
            id: new.id,
            title: new.title,
            value: new.value.minor,
            currency: new.value.currency,
            pipeline_id: stage.pipeline_id,
            stage_id: stage.id,
            status: DealStatus::Open,
            lost_reason: None,
            expected_close_date: new.expected_close_date,
            probability: new.probability,
            owner_id: new.owner_id,
            organization_id: new.organization_id,
            person_id: new.person_id,
            lead_source: new.lead_source,
            forecast_category: None,
            stage_entered_at: at,
            closed_at: None,
            created_at: at,
            updated_at: at,
            version: 1,
        };
        let event = DealEventKind::Created {
            title: deal.title.clone(),
            value: deal.value,
            currency: deal.currency.clone(),
            stage_id: deal.stage_id,
        };
        (deal, event)
    }

    pub fn money(&self) -> Money {
        Money {
            minor: self.value,
            currency: self.currency.clone(),
        }
    }

    pub fn is_closed(&self) -> bool {
        self.status != DealStatus::Open
    }

    /// The chance of winning: the deal's own figure, else its stage's.
    pub fn effective_probability(&self, stage: &Stage) -> i64 {
        match self.status {
            DealStatus::Won => 100,
            DealStatus::Lost => 0,
            DealStatus::Open => self.probability.unwrap_or(stage.probability),
        }
    }

    /// The forecast category: the rep's, else the one its chance stands for.
    pub fn category(&self, stage: &Stage) -> ForecastCategory {
        self.forecast_category
            .unwrap_or_else(|| ForecastCategory::from_chance(self.effective_probability(stage)))
    }

    pub fn days_in_stage(&self, now: DateTime<Utc>) -> i64 {
        (now - self.stage_entered_at).num_days().max(0)
    }

    fn touch(&mut self, at: DateTime<Utc>) {
        self.updated_at = at;
        self.version += 1;
    }

    fn refuse_if_closed(&self, action: &str) -> Result<(), RuleError> {
        match self.status {
            DealStatus::Open => Ok(()),
            DealStatus::Won => Err(RuleError::Refused(format!(
                "This deal is won: reopen it before you {action}."
            ))),
            DealStatus::Lost => Err(RuleError::Refused(format!(
                "This deal is lost: reopen it before you {action}."
            ))),
        }
    }

    /// Moves an open deal to `stage` (possibly in another pipeline). Moving to the
    /// stage it is in changes nothing.
    pub fn move_to(
        &mut self,
        stage: &Stage,
        at: DateTime<Utc>,
    ) -> Result<Option<DealEventKind>, RuleError> {
        self.refuse_if_closed("move it")?;
        if stage.id == self.stage_id {
            return Ok(None);
        }
        let from = self.stage_id;
        self.stage_id = stage.id;
        self.pipeline_id = stage.pipeline_id;
        self.stage_entered_at = at;
        self.touch(at);
        Ok(Some(DealEventKind::Moved { from, to: stage.id }))
    }

    pub fn win(&mut self, at: DateTime<Utc>) -> Result<DealEventKind, RuleError> {
        self.refuse_if_closed("mark it won")?;
        self.status = DealStatus::Won;
        self.closed_at = Some(at);
        self.touch(at);
        Ok(DealEventKind::Won)
    }

    pub fn lose(&mut self, reason: &str, at: DateTime<Utc>) -> Result<DealEventKind, RuleError> {
        self.refuse_if_closed("mark it lost")?;
        let reason = LostReason::parse(reason)?.into_string();
        self.status = DealStatus::Lost;
        self.lost_reason = Some(reason.clone());
        self.closed_at = Some(at);
        self.touch(at);
        Ok(DealEventKind::Lost { reason })
    }

    pub fn reopen(&mut self, at: DateTime<Utc>) -> Result<DealEventKind, RuleError> {
        if self.status == DealStatus::Open {
            return Err(RuleError::Refused("This deal is already open.".into()));
        }
        self.status = DealStatus::Open;
        self.lost_reason = None;
        self.closed_at = None;
        self.touch(at);
        Ok(DealEventKind::Reopened)
    }

    /// Applies an edit whole or not at all; returns the event, or `None` when nothing
    /// changed.
    pub fn edit(
        &mut self,
        edit: DealEdit,
        at: DateTime<Utc>,
    ) -> Result<Option<DealEventKind>, RuleError> {
        let mut next = self.clone();
        let event = next.apply_edit(edit, at)?;
        *self = next;
        Ok(event)
    }

    fn apply_edit(
        &mut self,
        edit: DealEdit,
        at: DateTime<Utc>,
    ) -> Result<Option<DealEventKind>, RuleError> {
        let mut changes = Vec::new();
        let mut change = |field: &str, from: serde_json::Value, to: serde_json::Value| {
            if from != to {
                changes.push(FieldChange {
                    field: field.into(),
                    from,
                    to,
                });
            }
        };
        if let Some(title) = edit.title {
            let title = deal_title(&title)?;
            change("title", self.title.clone().into(), title.clone().into());
            self.title = title;
        }
        if let Some(currency) = edit.currency {
            let currency = Currency::parse(&currency)?;
            change(
                "currency",
                self.currency.code().into(),
                currency.code().into(),
            );
            self.currency = currency;
        }
        if let Some(value) = edit.value {
            let money = Money::new(value, self.currency.clone())?;
            change("value", self.value.into(), money.minor.into());
            self.value = money.minor;
        }
        if let Some(date) = edit.expected_close_date {
            change(
                "expected_close_date",
                date_json(self.expected_close_date),
                date_json(date),
            );
            self.expected_close_date = date;
        }
        if let Some(p) = edit.probability {
            let p = probability_override(p)?;
            change("probability", self.probability.into(), p.into());
            self.probability = p;
        }
        if let Some(owner) = edit.owner_id {
            change(
                "owner_id",
                self.owner_id.to_string().into(),
                owner.to_string().into(),
            );
            self.owner_id = owner;
        }
        if let Some(org) = edit.organization_id {
            change(
                "organization_id",
                self.organization_id.map(|o| o.to_string()).into(),
                org.map(|o| o.to_string()).into(),
            );
            self.organization_id = org;
        }
        if let Some(person) = edit.person_id {
            change(
                "person_id",
                self.person_id.map(|p| p.to_string()).into(),
                person.map(|p| p.to_string()).into(),
            );
            self.person_id = person;
        }
        if let Some(source) = edit.lead_source {
            let source = lead_source(source.as_deref())?;
            change(
                "lead_source",
                self.lead_source.clone().into(),
                source.clone().into(),
            );
            self.lead_source = source;
        }
        if let Some(category) = edit.forecast_category {
            let category = ForecastCategory::parse(category.as_deref())?;
            change(
                "forecast_category",
                self.forecast_category.map(ForecastCategory::name).into(),
                category.map(ForecastCategory::name).into(),
            );
            self.forecast_category = category;
        }
        if changes.is_empty() {
            return Ok(None);
        }
        self.touch(at);
        Ok(Some(DealEventKind::Changed { changes }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::pipeline::tests::pipeline;
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, 9, 0, 0).unwrap()
    }

    #[test]
    fn an_edit_sends_only_what_the_editor_changed() {
        let (deal, _) = open_deal();
        let as_shown = DealEdit {
            title: Some(format!("{} ", deal.title)),
            value: Some(deal.value),
            currency: Some(deal.currency.code().to_lowercase()),
            expected_close_date: Some(deal.expected_close_date),
            probability: Some(deal.probability),
            owner_id: Some(deal.owner_id),
            organization_id: None,
            person_id: Some(deal.person_id),
            lead_source: Some(Some(String::new())),
            forecast_category: Some(Some(String::new())),
        };
        assert!(as_shown.clone().against(&deal).is_empty());
        let edited = DealEdit {
            probability: Some(Some(35)),
            currency: Some("EUR".into()),
            ..as_shown
        }
        .against(&deal);
        assert_eq!(edited.probability, Some(Some(35)));
        assert_eq!(edited.currency.as_deref(), Some("EUR"));
        assert_eq!(
            edited.value,
            Some(deal.value),
            "value and currency go together"
        );
        assert_eq!(edited.title, None);
        assert_eq!(edited.lead_source, None);
    }

    #[test]
    fn what_someone_else_changed_is_listed_field_by_field() {
        let (deal, p) = open_deal();
        assert!(deal.changed_fields(&deal).is_empty());
        let mut newer = deal.clone();
        newer.stage_id = p.stages[2].id;
        newer.value += 1;
        newer.lead_source = Some("Fair".into());
        newer.version += 2;
        newer.updated_at = at(9);
        assert_eq!(
            deal.changed_fields(&newer),
            [DealField::Value, DealField::Stage, DealField::LeadSource]
        );
        let mut won = deal.clone();
        won.status = DealStatus::Won;
        assert_eq!(deal.changed_fields(&won), [DealField::Status]);
    }

    fn open_deal() -> (Deal, crate::domain::pipeline::Pipeline) {
        let p = pipeline();
        let new = NewDeal {
            id: DealId::new(),
            title: "Acme renewal".into(),
            value: Money::new(1_000_00, Currency::parse("SEK").unwrap()).unwrap(),
            stage_id: p.stages[0].id,
            owner_id: UserId::new(),
            expected_close_date: None,
            probability: None,
            organization_id: None,
            person_id: None,
            lead_source: None,
        };
        let (deal, _) = Deal::create(new, &p.stages[0], at(1));
        (deal, p)
    }

    #[test]
    fn a_deals_forecast_category_comes_from_its_chance_until_the_rep_sets_one() {
        let (mut deal, p) = open_deal();
        // The default stages: 10 %, 25 %, 50 %, 80 %.
        let by_stage: Vec<_> = p.stages.iter().map(|s| deal.category(s)).collect();
        assert_eq!(
            by_stage,
            [
                ForecastCategory::Pipeline,
                ForecastCategory::Pipeline,
                ForecastCategory::BestCase,
                ForecastCategory::Commit
            ]
        );
        let commit = DealEdit {
            forecast_category: Some(Some("commit".into())),
            ..Default::default()
        };
        let event = deal.edit(commit, at(2)).unwrap();
        assert_eq!(deal.category(&p.stages[0]), ForecastCategory::Commit);
        assert_eq!(
            event,
            Some(DealEventKind::Changed {
                changes: vec![FieldChange {
                    field: "forecast_category".into(),
                    from: serde_json::Value::Null,
                    to: "commit".into()
                }]
            })
        );
        let unset = DealEdit {
            forecast_category: Some(None),
            ..Default::default()
        };
        deal.edit(unset, at(3)).unwrap();
        assert_eq!(deal.category(&p.stages[0]), ForecastCategory::Pipeline);
        let bad = DealEdit {
            forecast_category: Some(Some("maybe".into())),
            ..Default::default()
        };
        let err = deal.edit(bad, at(4)).unwrap_err();
        assert_eq!(
            err,
            RuleError::invalid("forecast_category", "must be pipeline, best_case or commit")
        );
    }

    #[test]
    fn moving_an_open_deal_records_from_and_to() {
        let (mut deal, p) = open_deal();
        let event = deal.move_to(&p.stages[2], at(3)).unwrap().unwrap();
        assert_eq!(
            event,
            DealEventKind::Moved {
                from: p.stages[0].id,
                to: p.stages[2].id
            }
        );
        assert_eq!(deal.stage_entered_at, at(3));
        assert_eq!(deal.version, 2);
    }

    #[test]
    fn moving_to_the_same_stage_changes_nothing() {
        let (mut deal, p) = open_deal();
        assert_eq!(deal.move_to(&p.stages[0], at(3)).unwrap(), None);
        assert_eq!(deal.version, 1);
    }

    #[test]
    fn moving_a_won_deal_is_refused_until_it_is_reopened() {
        let (mut deal, p) = open_deal();
        deal.win(at(2)).unwrap();
        assert!(matches!(
            deal.move_to(&p.stages[1], at(3)),
            Err(RuleError::Refused(_))
        ));
        deal.reopen(at(4)).unwrap();
        assert!(deal.move_to(&p.stages[1], at(5)).unwrap().is_some());
    }

    #[test]
    fn losing_a_deal_needs_a_reason() {
        let (mut deal, _) = open_deal();
        assert_eq!(
            deal.lose("  ", at(2)),
            Err(RuleError::invalid("reason", "Say why the deal was lost."))
        );
        assert_eq!(deal.status, DealStatus::Open);
        deal.lose("Price", at(2)).unwrap();
        assert_eq!(deal.lost_reason.as_deref(), Some("Price"));
        assert!(deal.win(at(3)).is_err());
    }

    #[test]
    fn an_edit_lists_only_what_changed() {
        let (mut deal, _) = open_deal();
        let edit = DealEdit {
            title: Some("Acme renewal".into()),
            value: Some(2_000_00),
            ..Default::default()
        };
        let Some(DealEventKind::Changed { changes }) = deal.edit(edit, at(2)).unwrap() else {
            panic!("expected a change");
        };
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "value");
        assert_eq!(deal.edit(DealEdit::default(), at(3)).unwrap(), None);
    }

    #[test]
    fn an_edit_with_a_bad_probability_is_refused_and_changes_nothing() {
        let (mut deal, _) = open_deal();
        let before = deal.clone();
        let edit = DealEdit {
            title: Some("New".into()),
            probability: Some(Some(140)),
            ..Default::default()
        };
        assert!(deal.edit(edit, at(2)).is_err());
        assert_eq!(deal, before);
    }

    #[test]
    fn a_null_in_an_edit_clears_the_field_and_a_missing_field_is_kept() {
        let edit: DealEdit =
            serde_json::from_str(r#"{"expected_close_date": null, "title": "X"}"#).unwrap();
        assert_eq!(edit.expected_close_date, Some(None));
        assert_eq!(edit.probability, None);
    }

    #[test]
    fn effective_probability_prefers_the_deals_own_figure() {
        let (mut deal, p) = open_deal();
        assert_eq!(deal.effective_probability(&p.stages[0]), 10);
        deal.probability = Some(60);
        assert_eq!(deal.effective_probability(&p.stages[0]), 60);
        deal.win(at(2)).unwrap();
        assert_eq!(deal.effective_probability(&p.stages[0]), 100);
    }
}

/// A new deal as a client sends it, before parsing. `id` lets a client that retries
/// (or a phone that was offline) create the same deal once.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DealDraft {
    #[serde(default)]
    pub id: Option<DealId>,
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::title))]
    pub title: String,
    /// Minor units.
    #[serde(default, deserialize_with = "super::wire::whole")]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::amount))]
    pub value: i64,
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::currency))]
    pub currency: String,
    pub stage_id: StageId,
    #[serde(default, deserialize_with = "super::wire::optional_date")]
    pub expected_close_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "super::wire::optional_whole")]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::probability))]
    pub probability: Option<i64>,
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// An organization's name: found, or created when new.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::organization))]
    pub organization: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = super::validation::schema::lead_source))]
    pub lead_source: Option<String>,
}

impl DealDraft {
    /// Parses the draft; the deal belongs to `caller` unless another owner is named.
    pub fn parse(self, caller: UserId) -> Result<(NewDeal, Option<String>), RuleError> {
        let title = deal_title(&self.title)?;
        let currency = Currency::parse(&self.currency)?;
        let value = Money::new(self.value, currency)?;
        let organization = optional_text(
            "organization",
            self.organization.as_deref(),
            super::contact::NAME_MAX_CHARS,
        )?;
        let new = NewDeal {
            id: self.id.unwrap_or_default(),
            title,
            value,
            stage_id: self.stage_id,
            owner_id: self.owner_id.unwrap_or(caller),
            expected_close_date: self.expected_close_date,
            probability: probability_override(self.probability)?,
            organization_id: None,
            person_id: None,
            lead_source: lead_source(self.lead_source.as_deref())?,
        };
        Ok((new, organization))
    }
}

#[cfg(test)]
mod draft_tests {
    use super::*;

    #[test]
    fn a_draft_without_a_title_is_refused_naming_title() {
        let draft = DealDraft {
            title: " ".into(),
            currency: "SEK".into(),
            ..Default::default()
        };
        let err = draft.parse(UserId::new()).unwrap_err();
        assert_eq!(err, RuleError::invalid("title", "is required"));
    }

    #[test]
    fn a_draft_belongs_to_its_caller_unless_an_owner_is_named() {
        let me = UserId::new();
        let draft = DealDraft {
            title: "Acme".into(),
            value: 500,
            currency: "eur".into(),
            organization: Some("  Acme AB ".into()),
            ..Default::default()
        };
        let (new, org) = draft.parse(me).unwrap();
        assert_eq!(new.owner_id, me);
        assert_eq!(new.value.currency.code(), "EUR");
        assert_eq!(org.as_deref(), Some("Acme AB"));
    }

    #[test]
    fn a_lead_source_is_trimmed_and_blank_means_none() {
        let source = LeadSource::parse(Some("  Referral ")).unwrap().unwrap();
        assert_eq!(source.into_string(), "Referral");
        assert_eq!(LeadSource::parse(Some("   ")).unwrap(), None);
        let long = "x".repeat(LeadSource::MAX_CHARS + 1);
        assert_eq!(
            LeadSource::parse(Some(&long)).unwrap_err().field(),
            Some("lead_source")
        );
    }

    #[test]
    fn a_lost_reason_is_required() {
        assert_eq!(LostReason::parse(" Price ").unwrap().into_string(), "Price");
        assert_eq!(LostReason::parse("  ").unwrap_err().field(), Some("reason"));
    }
}
