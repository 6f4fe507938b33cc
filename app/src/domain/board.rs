//! What the board shows: per stage, the count and the exact value and weighted value per
//! currency of every open deal (from the server's aggregate, never from the cards that
//! happen to be loaded), and the cards themselves. The board then follows changes as
//! `LiveEvent`s (`live.rs`), the user's own included, so its sums stay exact.

use super::deal::DealStatus;
use super::ids::{DealId, OrganizationId, PipelineId, StageId, UserId};
use super::money::{Currency, Totals};
use super::pipeline::{Pipeline, Stage};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One row of the board aggregate: open deals of one stage in one currency. Sums are
/// `i128`, so no number of deals of any stored value can overflow them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageSum {
    pub stage_id: StageId,
    pub currency: Currency,
    pub deals: i64,
    pub value: i128,
    /// Σ value × probability percent: divided by 100 once, at the end, so no cent is lost
    /// to rounding per deal.
    pub weighted_x100: i128,
}

/// A deal as the board shows and counts it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DealCard {
    pub id: DealId,
    pub title: String,
    pub value: i64,
    pub currency: Currency,
    pub pipeline_id: PipelineId,
    pub stage_id: StageId,
    pub status: DealStatus,
    /// The deal's own chance of winning, when it overrides its stage's.
    pub probability: Option<i64>,
    pub owner_id: UserId,
    pub owner_name: String,
    pub organization_id: Option<OrganizationId>,
    pub organization_name: Option<String>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub stage_entered_at: DateTime<Utc>,
    pub version: i64,
}

impl DealCard {
    pub fn days_in_stage(&self, now: DateTime<Utc>) -> i64 {
        (now - self.stage_entered_at).num_days().max(0)
    }

    /// Past the stage's rotting limit: needs attention.
    pub fn is_rotting(&self, stage: &Stage, now: DateTime<Utc>) -> bool {
        stage
            .rotting_days
            .is_some_and(|limit| self.days_in_stage(now) > limit)
    }

    /// Value × probability percent, as the column's weighted sum counts it.
    pub fn weighted_x100(&self, stage: &Stage) -> i128 {
        i128::from(self.value) * i128::from(self.probability.unwrap_or(stage.probability))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub stage: Stage,
    pub deals: i64,
    pub value: Totals,
    /// Σ value × percent per currency, kept unrounded so that changes applied one by one
    /// never drift from what the server would sum.
    pub weighted_x100: Totals,
    pub cards: Vec<DealCard>,
}

impl Column {
    /// The weighted value per currency, rounded once.
    pub fn weighted(&self) -> Totals {
        Totals(
            self.weighted_x100
                .0
                .iter()
                .map(|(c, w)| (c.clone(), weighted_minor(*w)))
                .collect(),
        )
    }

    /// Counts `card` in (`sign` 1) or out (`sign` -1) of the sums.
    pub(crate) fn count(&mut self, card: &DealCard, sign: i8) {
        let sign = i128::from(sign);
        self.deals += sign as i64;
        self.value
            .add(&card.currency, sign * i128::from(card.value));
        self.weighted_x100
            .add(&card.currency, sign * card.weighted_x100(&self.stage));
    }
}

/// Which open deals a board shows: all of a pipeline's, or one owner's, or those whose
/// title or organization holds some words.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardFilter {
    pub owner: Option<UserId>,
    /// Lower-cased search text.
    pub text: Option<String>,
}

impl BoardFilter {
    /// Whether the board counts and shows `card`: the server's query's rule. Letters are
    /// compared without case in ASCII only, as SQLite's `LOWER` does (and which keeps
    /// Unicode's case tables out of the browser's download).
    pub fn shows(&self, card: &DealCard) -> bool {
        let owner = self.owner.is_none_or(|o| o == card.owner_id);
        let text = self.text.as_deref().is_none_or(|t| {
            let t = t.to_ascii_lowercase();
            card.title.to_ascii_lowercase().contains(&t)
                || card
                    .organization_name
                    .as_deref()
                    .is_some_and(|o| o.to_ascii_lowercase().contains(&t))
        });
        owner && text
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub pipeline: Pipeline,
    pub columns: Vec<Column>,
    pub filter: BoardFilter,
    /// The last event of the log this board reflects: a live stream resumes after it.
    pub position: i64,
    /// Log positions past `position` that this board has already applied (its user's
    /// own changes, answered before the stream brings them), so the stream's copies
    /// count once even when their card has left the board.
    pub ahead: Vec<i64>,
    /// When the server read the board (as milliseconds, like the cards' times, so the
    /// browser does not carry a date parser for the board).
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub now: DateTime<Utc>,
}

/// Rounds Σ value × percent to minor units, half away from zero.
pub fn weighted_minor(weighted_x100: i128) -> i128 {
    (weighted_x100 + 50).div_euclid(100)
}

pub fn columns(pipeline: &Pipeline, sums: &[StageSum], cards: Vec<DealCard>) -> Vec<Column> {
    let mut stages = pipeline.stages.clone();
    stages.sort_by_key(|s| s.position);
    let mut columns: Vec<Column> = stages
        .into_iter()
        .map(|stage| {
            let mut column = Column {
                deals: 0,
                value: Totals::default(),
                weighted_x100: Totals::default(),
                cards: Vec::new(),
                stage,
            };
            for sum in sums.iter().filter(|s| s.stage_id == column.stage.id) {
                column.deals += sum.deals;
                column.value.add(&sum.currency, sum.value);
                column.weighted_x100.add(&sum.currency, sum.weighted_x100);
            }
            column
        })
        .collect();
    for card in cards {
        if let Some(column) = columns.iter_mut().find(|c| c.stage.id == card.stage_id) {
            column.cards.push(card);
        }
    }
    columns
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::pipeline::tests::pipeline;

    pub(crate) fn sek() -> Currency {
        Currency::parse("SEK").unwrap()
    }

    pub(crate) fn card(p: &Pipeline, stage: StageId, value: i64) -> DealCard {
        DealCard {
            id: DealId::new(),
            title: "Deal".into(),
            value,
            currency: sek(),
            pipeline_id: p.id,
            stage_id: stage,
            status: DealStatus::Open,
            probability: None,
            owner_id: UserId::new(),
            owner_name: "Anna".into(),
            organization_id: None,
            organization_name: None,
            stage_entered_at: Utc::now(),
            version: 1,
        }
    }

    #[test]
    fn column_totals_come_from_the_aggregate_not_the_loaded_cards() {
        let p = pipeline();
        let s = p.stages[1].id;
        let sums = vec![
            StageSum {
                stage_id: s,
                currency: sek(),
                deals: 40,
                value: 4_000_000,
                weighted_x100: 100_000_050,
            },
            StageSum {
                stage_id: s,
                currency: Currency::parse("EUR").unwrap(),
                deals: 2,
                value: 500,
                weighted_x100: 12_500,
            },
        ];
        let cols = columns(&p, &sums, vec![card(&p, s, 100)]);
        assert_eq!(cols.len(), 4);
        assert_eq!(cols[1].deals, 42);
        assert_eq!(cols[1].cards.len(), 1);
        assert_eq!(cols[1].value.0[&sek()], 4_000_000);
        assert_eq!(cols[1].weighted().0[&sek()], 1_000_001);
        assert_eq!(cols[0].deals, 0);
    }

    #[test]
    fn rotting_starts_after_the_stages_limit() {
        let p = pipeline();
        let mut c = card(&p, p.stages[0].id, 1);
        let now = Utc::now();
        c.stage_entered_at = now - chrono::Duration::days(8);
        assert!(c.is_rotting(&p.stages[0], now));
        c.stage_entered_at = now - chrono::Duration::days(2);
        assert!(!c.is_rotting(&p.stages[0], now));
    }

    #[test]
    fn the_filter_shows_what_the_servers_query_would() {
        let p = pipeline();
        let mut c = card(&p, p.stages[0].id, 1);
        c.title = "Acme Renewal".into();
        c.organization_name = Some("Göta Kanal AB".into());
        let all = BoardFilter::default();
        assert!(all.shows(&c));
        let words = |t: &str| BoardFilter {
            text: Some(t.into()),
            ..Default::default()
        };
        assert!(words("renewal").shows(&c));
        assert!(words("göta kanal").shows(&c));
        assert!(!words("beta").shows(&c));
        let someone_else = BoardFilter {
            owner: Some(UserId::new()),
            ..Default::default()
        };
        assert!(!someone_else.shows(&c));
    }
}

/// Everything the board page needs in one round trip.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardPage {
    pub pipelines: Vec<(super::ids::PipelineId, String)>,
    pub board: Board,
    pub users: Vec<super::user::User>,
    pub lost_reasons: Vec<String>,
    pub me: super::user::User,
    /// This month's and this quarter's forecast, for the owner the board shows (or
    /// the team).
    pub forecast: Vec<super::display::Period>,
}
