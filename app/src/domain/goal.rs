//! Revenue goals: what the team, or one rep, means to win in a month or a quarter, per
//! pipeline and currency. Admins set them; the forecast reads them.

use super::forecast::{ForecastRow, PeriodKind};
use super::ids::{PipelineId, UserId};
use super::money::{Currency, Money};
use super::validation::RuleError;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// How far from today, in years, a goal's period may lie.
pub const YEARS_AROUND: i32 = 5;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Goal {
    pub pipeline_id: PipelineId,
    /// `None`: the whole team's goal.
    pub owner_id: Option<UserId>,
    pub kind: PeriodKind,
    pub period_start: NaiveDate,
    pub currency: Currency,
    /// Minor units.
    pub amount: i64,
}

/// What an admin fills in for a goal: the period by name ("2026-11", "2026-Q4"), and
/// the amount as typed, in whole units of the currency.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalDraft {
    pub owner_id: Option<UserId>,
    pub period: String,
    pub currency: String,
    pub amount: String,
}

impl GoalDraft {
    pub fn parse(&self, pipeline_id: PipelineId, today: NaiveDate) -> Result<Goal, RuleError> {
        let (kind, period_start) = PeriodKind::parse_name(&self.period)?;
        if (period_start.year() - today.year()).abs() > YEARS_AROUND {
            return Err(RuleError::invalid(
                "period",
                format!("must lie within {YEARS_AROUND} years of today"),
            ));
        }
        let currency = Currency::parse(&self.currency)?;
        if self.amount.trim().is_empty() {
            return Err(RuleError::invalid("amount", "is required"));
        }
        let amount = Money::parse_major(&self.amount, currency.clone()).map_err(|_| {
            RuleError::invalid("amount", "must be an amount such as 600000 or 600000.50")
        })?;
        Ok(Goal {
            pipeline_id,
            owner_id: self.owner_id,
            kind,
            period_start,
            currency,
            amount: amount.minor,
        })
    }
}

/// Puts each goal on the forecast row of its period and currency. `owner` is whose
/// forecast the rows are (`None`: the team's); other owners' goals are left out.
pub fn with_goals(
    mut rows: Vec<ForecastRow>,
    goals: &[Goal],
    kind: PeriodKind,
    owner: Option<UserId>,
) -> Vec<ForecastRow> {
    for row in &mut rows {
        row.goal = goals
            .iter()
            .find(|g| {
                g.owner_id == owner
                    && g.kind == kind
                    && g.period_start == row.period_start
                    && g.currency == row.currency
            })
            .map(|g| g.amount);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn draft(period: &str, currency: &str, amount: &str) -> GoalDraft {
        GoalDraft {
            owner_id: None,
            period: period.into(),
            currency: currency.into(),
            amount: amount.into(),
        }
    }

    #[test]
    fn a_goal_is_read_in_whole_units_for_a_named_period() {
        let p = PipelineId::new();
        let goal = draft("2026-Q4", "sek", "600 000")
            .parse(p, today())
            .unwrap();
        assert_eq!(goal.kind, PeriodKind::Quarter);
        assert_eq!(
            goal.period_start,
            NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()
        );
        assert_eq!(goal.amount, 60_000_000);
        assert_eq!(goal.currency.code(), "SEK");
    }

    #[test]
    fn a_bad_goal_is_refused_naming_its_field() {
        let p = PipelineId::new();
        for (d, field) in [
            (draft("next month", "SEK", "1"), "period"),
            (draft("2040-01", "SEK", "1"), "period"),
            (draft("2026-12", "XXX", "1"), "currency"),
            (draft("2026-12", "SEK", "-5"), "amount"),
            (draft("2026-12", "SEK", ""), "amount"),
            (draft("2026-12", "SEK", "99999999999999999999"), "amount"),
        ] {
            let refused = d.parse(p, today()).unwrap_err();
            assert_eq!(refused.field(), Some(field), "{d:?}");
        }
    }
}
