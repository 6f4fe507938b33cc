//! What the board shows: per stage, the count and the exact value and weighted value per
//! currency of every open deal (from the server's aggregate, never from the cards that
//! happen to be loaded), and the cards themselves.

use super::deal::DealStatus;
use super::ids::{DealId, OrganizationId, StageId, UserId};
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DealCard {
    pub id: DealId,
    pub title: String,
    pub value: i64,
    pub currency: Currency,
    pub stage_id: StageId,
    pub status: DealStatus,
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
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub stage: Stage,
    pub deals: i64,
    pub value: Totals,
    pub weighted: Totals,
    pub cards: Vec<DealCard>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub pipeline: Pipeline,
    pub columns: Vec<Column>,
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
                weighted: Totals::default(),
                cards: Vec::new(),
                stage,
            };
            for sum in sums.iter().filter(|s| s.stage_id == column.stage.id) {
                column.deals += sum.deals;
                column.value.add(&sum.currency, sum.value);
                column
                    .weighted
                    .add(&sum.currency, weighted_minor(sum.weighted_x100));
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

/// The board after a move, as the browser shows it before the server answers: the
/// card changes column and both columns' sums follow, using each stage's probability.
pub fn apply_move(columns: &mut [Column], deal: DealId, to: StageId, now: DateTime<Utc>) {
    let Some(from_index) = columns
        .iter()
        .position(|c| c.cards.iter().any(|card| card.id == deal))
    else {
        return;
    };
    let Some(to_index) = columns.iter().position(|c| c.stage.id == to) else {
        return;
    };
    if from_index == to_index {
        return;
    }
    let from = &mut columns[from_index];
    let at = from.cards.iter().position(|c| c.id == deal).unwrap_or(0);
    let mut card = from.cards.remove(at);
    from.deals -= 1;
    from.value.add(&card.currency, -card.value);
    from.weighted.add(
        &card.currency,
        -weighted_minor(i128::from(card.value) * i128::from(from.stage.probability)),
    );
    let to_column = &mut columns[to_index];
    card.stage_id = to;
    card.stage_entered_at = now;
    to_column.deals += 1;
    to_column.value.add(&card.currency, card.value);
    to_column.weighted.add(
        &card.currency,
        weighted_minor(i128::from(card.value) * i128::from(to_column.stage.probability)),
    );
    to_column.cards.insert(0, card);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::pipeline::tests::pipeline;

    fn sek() -> Currency {
        Currency::parse("SEK").unwrap()
    }

    fn card(stage: StageId, value: i64) -> DealCard {
        DealCard {
            id: DealId::new(),
            title: "Deal".into(),
            value,
            currency: sek(),
            stage_id: stage,
            status: DealStatus::Open,
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
        let cols = columns(&p, &sums, vec![card(s, 100)]);
        assert_eq!(cols.len(), 4);
        assert_eq!(cols[1].deals, 42);
        assert_eq!(cols[1].cards.len(), 1);
        assert_eq!(cols[1].value.0[&sek()], 4_000_000);
        assert_eq!(cols[1].weighted.0[&sek()], 1_000_001);
        assert_eq!(cols[0].deals, 0);
    }

    #[test]
    fn a_move_shifts_the_card_and_both_columns_sums() {
        let p = pipeline();
        let (a, b) = (p.stages[0].id, p.stages[2].id);
        let c = card(a, 10_000);
        let id = c.id;
        let sums = vec![StageSum {
            stage_id: a,
            currency: sek(),
            deals: 1,
            value: 10_000,
            weighted_x100: 100_000,
        }];
        let mut cols = columns(&p, &sums, vec![c]);
        apply_move(&mut cols, id, b, Utc::now());
        assert!(cols[0].cards.is_empty());
        assert_eq!(cols[0].deals, 0);
        assert_eq!(cols[0].value.0[&sek()], 0);
        assert_eq!(cols[2].cards[0].id, id);
        assert_eq!(cols[2].weighted.0[&sek()], 5_000);
    }

    #[test]
    fn a_column_of_the_largest_stored_values_sums_and_moves_without_overflow() {
        let p = pipeline();
        let (a, b) = (p.stages[0].id, p.stages[1].id);
        let big = card(a, i64::MAX);
        let id = big.id;
        let sums = vec![StageSum {
            stage_id: a,
            currency: sek(),
            deals: 3,
            value: 3 * i64::MAX as i128,
            weighted_x100: 3 * i64::MAX as i128 * 10,
        }];
        let mut cols = columns(&p, &sums, vec![big]);
        assert_eq!(cols[0].value.0[&sek()], 3 * i64::MAX as i128);
        apply_move(&mut cols, id, b, Utc::now());
        assert_eq!(cols[0].value.0[&sek()], 2 * i64::MAX as i128);
        assert_eq!(cols[1].value.0[&sek()], i64::MAX as i128);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn a_move_keeps_the_boards_total_and_count(
                values in prop::collection::vec(0..=i64::MAX, 1..8),
                from in 0usize..4,
                to in 0usize..4,
                which in 0usize..8,
            ) {
                let p = pipeline();
                let cards: Vec<DealCard> = values.iter().map(|v| card(p.stages[from].id, *v)).collect();
                let id = cards[which % cards.len()].id;
                let sums = vec![StageSum {
                    stage_id: p.stages[from].id,
                    currency: sek(),
                    deals: cards.len() as i64,
                    value: values.iter().map(|v| i128::from(*v)).sum(),
                    weighted_x100: 0,
                }];
                let mut cols = columns(&p, &sums, cards);
                let total = |cols: &[Column]| -> (i64, i128) {
                    cols.iter().fold((0, 0), |(n, v), c| {
                        (n + c.deals, v + c.value.0.get(&sek()).copied().unwrap_or(0))
                    })
                };
                let before = total(&cols);
                apply_move(&mut cols, id, p.stages[to].id, Utc::now());
                prop_assert_eq!(total(&cols), before);
                prop_assert!(cols.iter().find(|c| c.stage.id == p.stages[to].id).unwrap().cards.iter().any(|c| c.id == id));
            }
        }
    }

    #[test]
    fn rotting_starts_after_the_stages_limit() {
        let p = pipeline();
        let mut c = card(p.stages[0].id, 1);
        let now = Utc::now();
        c.stage_entered_at = now - chrono::Duration::days(8);
        assert!(c.is_rotting(&p.stages[0], now));
        c.stage_entered_at = now - chrono::Duration::days(2);
        assert!(!c.is_rotting(&p.stages[0], now));
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
}
