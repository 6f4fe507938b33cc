//! Statistics from the log, to look back on and see what needs doing: the funnel
//! (how far the deals of a period got, stage by stage) and the summary (win rate,
//! won value, sales cycle, velocity, time in each stage, why deals were lost, how each
//! lead source does, and the open pipeline's value week by week).
//!
//! Everything is read from a replay of the log as it stood at the end of the period's
//! last day; money is per currency, never added across currencies. Medians and P80s
//! are nearest-rank: the value at rank ⌈p·n⌉ of the n sorted values.

use super::deal::DealStatus;
use super::history::end_of;
use super::ids::{PipelineId, StageId, UserId};
use super::money::Currency;
use super::pipeline::Stage;
use super::replay::{Facts, Replayed, Then};
use super::validation::{optional_text, RuleError};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The longest period statistics look at.
pub const MAX_SPAN_DAYS: i64 = 366;
/// The period when none is named: the last 90 days.
pub const DEFAULT_SPAN_DAYS: i64 = 90;
/// Lost reasons and lead sources listed at most; the rest are summed in one row.
pub const LISTED: usize = 30;
/// What the rows past `LISTED` are summed under.
pub const OTHERS: &str = "All others";

/// What statistics look at: the days from `from` to `to` (UTC, both included), and the
/// deals of one owner, of one lead source, or all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub owner: Option<UserId>,
    pub lead_source: Option<String>,
}

impl Scope {
    /// The period and lead source as given (dates as YYYY-MM-DD; the last 90 days when
    /// none is named; a day given empty is refused), checked: `to` not after today, `from` not after `to`, at most
    /// `MAX_SPAN_DAYS` days in all.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        owner: Option<UserId>,
        lead_source: Option<&str>,
        today: NaiveDate,
    ) -> Result<Scope, RuleError> {
        let day = |field: &str, value: Option<&str>| {
            value
                .map(str::trim)
                .map(|v| {
                    NaiveDate::parse_from_str(v, "%Y-%m-%d")
                        .map_err(|_| RuleError::invalid(field, "must be a date as YYYY-MM-DD"))
                })
                .transpose()
        };
        let to = day("to", to)?.unwrap_or(today);
        if to > today {
            return Err(RuleError::invalid(
                "to",
                format!("must be {today} or earlier"),
            ));
        }
        let from =
            day("from", from)?.unwrap_or(to - chrono::Days::new(DEFAULT_SPAN_DAYS as u64 - 1));
        if from > to {
            return Err(RuleError::invalid(
                "from",
                format!("must be {to} or earlier"),
            ));
        }
        if (to - from).num_days() >= MAX_SPAN_DAYS {
            return Err(RuleError::invalid(
                "from",
                format!("must be at most {MAX_SPAN_DAYS} days before the end of the period"),
            ));
        }
        let lead_source = optional_text(
            "lead_source",
            lead_source,
            super::deal::LeadSource::MAX_CHARS,
        )?;
        Ok(Scope {
            from,
            to,
            owner,
            lead_source,
        })
    }

    /// The instant a replay for this scope stops at: the end of its last day.
    pub fn until(&self) -> DateTime<Utc> {
        end_of(self.to)
    }

    /// Whether a deal's owner and lead source are the ones looked at.
    pub fn holds(&self, f: &Facts) -> bool {
        self.owner.is_none_or(|o| f.owner_id == o)
            && self
                .lead_source
                .as_ref()
                .is_none_or(|s| f.lead_source.as_ref() == Some(s))
    }

    fn covers(&self, at: DateTime<Utc>) -> bool {
        (self.from..=self.to).contains(&at.date_naive())
    }

    /// The days the open pipeline's value is read at: every 7th day from `from`, and
    /// `to`.
    pub fn weeks(&self) -> Vec<NaiveDate> {
        let mut days: Vec<NaiveDate> = self
            .from
            .iter_days()
            .step_by(7)
            .take_while(|d| *d < self.to)
            .collect();
        days.push(self.to);
        days
    }
}

/// A share in percent to one decimal; none of nothing.
fn percent(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

fn one_decimal(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Nearest rank: the value at rank ⌈p·n/100⌉ of `sorted`.
fn rank(sorted: &[i64], p: usize) -> Option<i64> {
    let n = sorted.len();
    (n > 0).then(|| sorted[(p * n).div_ceil(100).clamp(1, n) - 1])
}

/// Median, P80 and mean of some counts of days.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Days {
    /// How many values there are.
    pub deals: i64,
    pub median: i64,
    pub p80: i64,
    pub mean: f64,
}

impl Days {
    fn of(mut days: Vec<i64>) -> Option<Days> {
        days.sort_unstable();
        Some(Days {
            deals: days.len() as i64,
            median: rank(&days, 50)?,
            p80: rank(&days, 80)?,
            mean: one_decimal(days.iter().sum::<i64>() as f64 / days.len() as f64),
        })
    }
}

/// One stage of the funnel: of the period's deals that reached it, how many went on
/// (to a later stage, or won from here or later), how many were lost here, and how many
/// still sit here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FunnelStage {
    pub stage_id: StageId,
    pub name: String,
    pub reached: i64,
    pub moved_on: i64,
    pub lost: i64,
    pub open: i64,
    /// moved_on ÷ reached, in percent; none when none reached it.
    pub conversion_pct: Option<f64>,
    /// lost ÷ reached, in percent.
    pub drop_off_pct: Option<f64>,
}

/// How far the deals created in a period got, as things stood at its end. A deal
/// created in a later stage counts as having passed the earlier ones; a won deal, as
/// having passed them all.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Funnel {
    pub pipeline_id: PipelineId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Deals created in the period.
    pub deals: i64,
    pub won: i64,
    pub lost: i64,
    pub open: i64,
    /// The pipeline's stages in board order.
    pub stages: Vec<FunnelStage>,
}

/// The deals the scope holds in `replayed`.
fn held<'a>(replayed: &'a Replayed, scope: &'a Scope) -> impl Iterator<Item = &'a Then> {
    replayed.deals.iter().filter(|d| scope.holds(&d.facts))
}

/// The funnel of the deals created in the scope's period. `stages` in board order;
/// a deal that sat only in stages deleted since is left out.
pub fn funnel(
    replayed: &Replayed,
    stages: &[Stage],
    pipeline: PipelineId,
    scope: &Scope,
) -> Funnel {
    let n = stages.len();
    let level = |d: &Then| {
        if d.status == DealStatus::Won {
            return Some(n);
        }
        d.visits
            .iter()
            .filter_map(|v| stages.iter().position(|s| s.id == v.stage_id))
            .max()
    };
    let cohort: Vec<(usize, DealStatus)> = held(replayed, scope)
        .filter(|d| scope.covers(d.created_at))
        .filter_map(|d| Some((level(d)?, d.status)))
        .collect();
    let count = |keep: &dyn Fn(usize, DealStatus) -> bool| {
        cohort.iter().filter(|(l, s)| keep(*l, *s)).count()
    };
    let rows = stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let reached = count(&|l, _| l >= i);
            let moved_on = count(&|l, _| l > i);
            let lost = count(&|l, st| l == i && st == DealStatus::Lost);
            FunnelStage {
                stage_id: s.id,
                name: s.name.clone(),
                reached: reached as i64,
                moved_on: moved_on as i64,
                lost: lost as i64,
                open: count(&|l, st| l == i && st == DealStatus::Open) as i64,
                conversion_pct: percent(moved_on, reached),
                drop_off_pct: percent(lost, reached),
            }
        })
        .collect();
    Funnel {
        pipeline_id: pipeline,
        from: scope.from,
        to: scope.to,
        deals: cohort.len() as i64,
        won: count(&|_, s| s == DealStatus::Won) as i64,
        lost: count(&|_, s| s == DealStatus::Lost) as i64,
        open: count(&|_, s| s == DealStatus::Open) as i64,
        stages: rows,
    }
}

/// Money figures in one currency (minor units).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CurrencyFigures {
    pub currency: Currency,
    /// Won in the period.
    pub won_deals: i64,
    pub won_value: i64,
    pub average_won_value: Option<i64>,
    /// Open at the end of the period.
    pub open_deals: i64,
    pub open_value: i64,
    /// Sales velocity: open deals × win rate × average won value ÷ mean sales cycle
    /// (days), in minor units a day; none without a win rate, a win or a cycle.
    pub velocity_per_day: Option<i64>,
}

/// How long deals sat in one stage, counting the stays that ended in the period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StageTime {
    pub stage_id: StageId,
    pub name: String,
    pub days: Option<Days>,
}

/// Why deals were lost: how many, and their share of the lost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReasonShare {
    pub reason: String,
    pub deals: i64,
    pub share_pct: f64,
}

/// How one lead source does: deals created in the period, and those closed in it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SourceFigures {
    /// None for deals with no source.
    pub lead_source: Option<String>,
    pub created: i64,
    pub won: i64,
    pub lost: i64,
    pub win_rate_pct: Option<f64>,
    #[cfg_attr(feature = "ssr", schema(value_type = std::collections::BTreeMap<String, i64>))]
    pub won_value: BTreeMap<Currency, i64>,
    pub median_cycle_days: Option<i64>,
}

/// The open pipeline at the end of one day, in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ValuePoint {
    pub day: NaiveDate,
    pub currency: Currency,
    pub open_deals: i64,
    pub open_value: i64,
}

/// The period's statistics: deals closed in it (won or lost), with their win rate and
/// cycle (created to won), money per currency, time per stage, lost reasons, lead
/// sources, and the open pipeline week by week.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Summary {
    pub pipeline_id: PipelineId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub won: i64,
    pub lost: i64,
    /// won ÷ (won + lost), in percent.
    pub win_rate_pct: Option<f64>,
    /// Days from created to won, for the deals won in the period.
    pub cycle: Option<Days>,
    pub currencies: Vec<CurrencyFigures>,
    pub stages: Vec<StageTime>,
    pub lost_reasons: Vec<ReasonShare>,
    pub sources: Vec<SourceFigures>,
    pub value_over_time: Vec<ValuePoint>,
}

fn clamp(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn cycle_days(d: &Then) -> Option<i64> {
    d.closed_at.map(|c| (c - d.created_at).num_days().max(0))
}

/// The summary of the scope's period. `stages` in board order; `value_over_time` as
/// `points` made it.
pub fn summary(
    replayed: &Replayed,
    stages: &[Stage],
    pipeline: PipelineId,
    scope: &Scope,
    value_over_time: Vec<ValuePoint>,
) -> Summary {
    let closed: Vec<&Then> = held(replayed, scope)
        .filter(|d| d.status != DealStatus::Open && d.closed_at.is_some_and(|c| scope.covers(c)))
        .collect();
    let won: Vec<&Then> = closed
        .iter()
        .copied()
        .filter(|d| d.status == DealStatus::Won)
        .collect();
    let lost = closed.len() - won.len();
    let win_rate = (!closed.is_empty()).then(|| won.len() as f64 / closed.len() as f64);
    let cycle = Days::of(won.iter().filter_map(|d| cycle_days(d)).collect());

    let mut money = BTreeMap::<Currency, (i64, i128, i64, i128)>::new();
    for d in &won {
        let m = money.entry(d.facts.currency.clone()).or_default();
        m.0 += 1;
        m.1 += i128::from(d.facts.value);
    }
    for d in held(replayed, scope).filter(|d| d.status == DealStatus::Open) {
        let m = money.entry(d.facts.currency.clone()).or_default();
        m.2 += 1;
        m.3 += i128::from(d.facts.value);
    }
    let currencies = money
        .into_iter()
        .map(
            |(currency, (won_deals, won_value, open_deals, open_value))| {
                let average = (won_deals > 0).then(|| clamp(won_value / i128::from(won_deals)));
                let velocity = match (win_rate, average, &cycle) {
                    (Some(rate), Some(avg), Some(c)) => {
                        let v = open_deals as f64 * rate * avg as f64 / c.mean.max(1.0);
                        Some(v.round().min(i64::MAX as f64) as i64)
                    }
                    _ => None,
                };
                CurrencyFigures {
                    currency,
                    won_deals,
                    won_value: clamp(won_value),
                    average_won_value: average,
                    open_deals,
                    open_value: clamp(open_value),
                    velocity_per_day: velocity,
                }
            },
        )
        .collect();

    let times = stages
        .iter()
        .map(|s| {
            let days = held(replayed, scope)
                .flat_map(|d| &d.visits)
                .filter(|v| v.stage_id == s.id)
                .filter_map(|v| {
                    v.left
                        .filter(|l| scope.covers(*l))
                        .map(|l| (l - v.entered).num_days().max(0))
                })
                .collect();
            StageTime {
                stage_id: s.id,
                name: s.name.clone(),
                days: Days::of(days),
            }
        })
        .collect();

    let mut reasons = BTreeMap::<&str, i64>::new();
    for d in closed.iter().filter(|d| d.status == DealStatus::Lost) {
        *reasons
            .entry(d.lost_reason.as_deref().unwrap_or_default())
            .or_default() += 1;
    }
    let mut reasons: Vec<(String, i64)> = reasons
        .into_iter()
        .map(|(r, n)| (r.to_string(), n))
        .collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let lost_reasons = fold_rest(reasons, |rest| {
        (OTHERS.to_string(), rest.iter().map(|r| r.1).sum())
    })
    .into_iter()
    .map(|(reason, deals)| ReasonShare {
        reason,
        deals,
        share_pct: percent(deals as usize, lost).unwrap_or_default(),
    })
    .collect();

    Summary {
        pipeline_id: pipeline,
        from: scope.from,
        to: scope.to,
        won: won.len() as i64,
        lost: lost as i64,
        win_rate_pct: percent(won.len(), closed.len()),
        cycle,
        currencies,
        stages: times,
        lost_reasons,
        sources: sources(replayed, scope, &closed),
        value_over_time,
    }
}

/// The first `LISTED` rows, and the rest folded into one by `fold`.
fn fold_rest<T>(mut rows: Vec<T>, fold: impl Fn(&[T]) -> T) -> Vec<T> {
    if rows.len() > LISTED {
        let rest = rows.split_off(LISTED - 1);
        rows.push(fold(&rest));
    }
    rows
}

/// Lead sources by deals won, then deals created.
fn sources(replayed: &Replayed, scope: &Scope, closed: &[&Then]) -> Vec<SourceFigures> {
    #[derive(Default)]
    struct Tally {
        created: usize,
        won: usize,
        lost: usize,
        value: BTreeMap<Currency, i128>,
        cycles: Vec<i64>,
    }
    let mut by = BTreeMap::<Option<&str>, Tally>::new();
    for d in held(replayed, scope).filter(|d| scope.covers(d.created_at)) {
        by.entry(d.facts.lead_source.as_deref())
            .or_default()
            .created += 1;
    }
    for d in closed {
        let t = by.entry(d.facts.lead_source.as_deref()).or_default();
        if d.status == DealStatus::Won {
            t.won += 1;
            *t.value.entry(d.facts.currency.clone()).or_default() += i128::from(d.facts.value);
            t.cycles.extend(cycle_days(d));
        } else {
            t.lost += 1;
        }
    }
    let mut rows: Vec<(Option<String>, Tally)> = by
        .into_iter()
        .map(|(s, t)| (s.map(str::to_string), t))
        .collect();
    rows.sort_by(|a, b| {
        (b.1.won, b.1.created)
            .cmp(&(a.1.won, a.1.created))
            .then_with(|| a.0.cmp(&b.0))
    });
    let rows = fold_rest(rows, |rest| {
        let mut all = Tally::default();
        for (_, t) in rest {
            all.created += t.created;
            all.won += t.won;
            all.lost += t.lost;
            all.cycles.extend(&t.cycles);
            for (c, v) in &t.value {
                *all.value.entry(c.clone()).or_default() += v;
            }
        }
        (Some(OTHERS.to_string()), all)
    });
    rows.into_iter()
        .map(|(lead_source, mut t)| {
            t.cycles.sort_unstable();
            SourceFigures {
                lead_source,
                created: t.created as i64,
                won: t.won as i64,
                lost: t.lost as i64,
                win_rate_pct: percent(t.won, t.won + t.lost),
                won_value: t.value.into_iter().map(|(c, v)| (c, clamp(v))).collect(),
                median_cycle_days: rank(&t.cycles, 50),
            }
        })
        .collect()
}

/// The open pipeline at each of `days`, from `sums` (one per day, as
/// `replay::open_over_time` gives them).
pub fn value_points(
    days: &[NaiveDate],
    sums: &[BTreeMap<Currency, (i64, i128)>],
) -> Vec<ValuePoint> {
    days.iter()
        .zip(sums)
        .flat_map(|(day, by)| {
            by.iter().map(|(currency, (deals, value))| ValuePoint {
                day: *day,
                currency: currency.clone(),
                open_deals: *deals,
                open_value: clamp(*value),
            })
        })
        .collect()
}

/// Each value as a share of the largest, 0 to 100: bar lengths for a chart.
pub fn scale(values: &[i64]) -> Vec<f64> {
    let top = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    values
        .iter()
        .map(|v| one_decimal((*v).max(0) as f64 * 100.0 / top))
        .collect()
}

/// The height of a line chart's box; `line` leaves a tenth of it free above.
pub const LINE_HEIGHT: f64 = 40.0;

/// One currency's open pipeline over time as a line chart's SVG points in a box 100
/// wide and `LINE_HEIGHT` high (the largest value near the top, nothing at the
/// bottom), with the largest value and the days it spans.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub currency: Currency,
    pub points: String,
    pub top: i64,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// A line per currency, from the summary's open pipeline, days in order.
pub fn lines(points: &[ValuePoint]) -> Vec<Line> {
    let mut by = BTreeMap::<&Currency, Vec<&ValuePoint>>::new();
    for p in points {
        by.entry(&p.currency).or_default().push(p);
    }
    let mut days: Vec<NaiveDate> = points.iter().map(|p| p.day).collect();
    days.sort();
    days.dedup();
    let (Some(&first), Some(&last)) = (days.first(), days.last()) else {
        return Vec::new();
    };
    let span = (last - first).num_days().max(1) as f64;
    by.into_iter()
        .map(|(currency, mut at)| {
            at.sort_by_key(|p| p.day);
            let top = at.iter().map(|p| p.open_value).max().unwrap_or(0);
            let heights = scale(&at.iter().map(|p| p.open_value).collect::<Vec<_>>());
            let points = at
                .iter()
                .zip(heights)
                .map(|(p, h)| {
                    let x = one_decimal((p.day - first).num_days() as f64 * 100.0 / span);
                    let y = one_decimal(LINE_HEIGHT - h * LINE_HEIGHT * 0.9 / 100.0);
                    format!("{x},{y}")
                })
                .collect::<Vec<_>>()
                .join(" ");
            Line {
                currency: currency.clone(),
                points,
                top,
                first,
                last,
            }
        })
        .collect()
}

/// The reports page: the funnel and the summary, and what the page needs to show them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportsPage {
    pub me: super::user::User,
    pub pipelines: Vec<(PipelineId, String)>,
    pub users: Vec<(UserId, String)>,
    /// The lead sources the pipeline's deals have (for the filter).
    pub lead_sources: Vec<String>,
    pub scope: Scope,
    pub funnel: Funnel,
    pub summary: Summary,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::replay::tests::{day, facts};
    use crate::domain::replay::{replay, Entry, Step};
    use chrono::TimeZone;

    fn stage(name: &str, position: i64) -> Stage {
        Stage {
            id: StageId::new(),
            pipeline_id: PipelineId::new(),
            name: name.into(),
            position,
            probability: 10 * (position + 1),
            rotting_days: None,
            version: 1,
        }
    }

    fn deal(value: i64, currency: &str, source: &str) -> Facts {
        Facts {
            value,
            currency: Currency::parse(currency).unwrap(),
            lead_source: Some(source.into()),
            ..facts(value)
        }
    }

    fn step(f: &Facts, at: DateTime<Utc>, step: Step) -> Entry {
        Entry {
            deal_id: f.id,
            at,
            step,
        }
    }

    /// Six deals over three weeks of March 2026 and one from February, worked by hand
    /// in the tests below.
    struct Script {
        stages: Vec<Stage>,
        replayed: Replayed,
        scope: Scope,
    }

    impl Script {
        fn summary(&self) -> Summary {
            summary(
                &self.replayed,
                &self.stages,
                PipelineId::new(),
                &self.scope,
                Vec::new(),
            )
        }
    }

    fn script() -> Script {
        let stages = vec![stage("A", 0), stage("B", 1), stage("C", 2)];
        let (a, b, c) = (stages[0].id, stages[1].id, stages[2].id);
        let d1 = deal(1000, "SEK", "Referral");
        let d2 = deal(500, "SEK", "Cold call");
        let d3 = deal(300, "SEK", "Referral");
        let d4 = deal(200, "SEK", "Referral");
        let d5 = deal(700, "EUR", "Cold call");
        let d7 = deal(999, "SEK", "Referral");
        let february = Utc.with_ymd_and_hms(2026, 2, 20, 12, 0, 0).unwrap();
        let log = vec![
            step(&d7, february, Step::Created(a)),
            step(&d1, day(0), Step::Created(a)),
            step(&d2, day(1), Step::Created(a)),
            step(&d1, day(2), Step::Moved(b)),
            step(&d5, day(2), Step::Created(a)),
            step(&d3, day(3), Step::Created(a)),
            step(&d5, day(3), Step::Moved(b)),
            step(&d2, day(4), Step::Lost("Price".into())),
            step(&d4, day(4), Step::Created(b)),
            step(&d1, day(5), Step::Moved(c)),
            step(&d3, day(6), Step::Moved(b)),
            step(&d7, day(7), Step::Won),
            step(&d3, day(8), Step::Lost("Timing".into())),
            step(&d5, day(9), Step::Won),
            step(&d1, day(10), Step::Won),
        ];
        let scope = Scope::parse(
            Some("2026-03-01"),
            Some("2026-03-21"),
            None,
            None,
            day(30).date_naive(),
        )
        .unwrap();
        let now = [d1, d2, d3, d4, d5, d7];
        Script {
            replayed: replay(&now, &log, scope.until()),
            stages,
            scope,
        }
    }

    fn row(f: &FunnelStage) -> (i64, i64, i64, i64, Option<f64>, Option<f64>) {
        (
            f.reached,
            f.moved_on,
            f.lost,
            f.open,
            f.conversion_pct,
            f.drop_off_pct,
        )
    }

    #[test]
    fn the_funnel_counts_how_far_the_periods_new_deals_got() {
        let s = script();
        let f = funnel(&s.replayed, &s.stages, PipelineId::new(), &s.scope);
        assert_eq!(
            (f.deals, f.won, f.lost, f.open),
            (5, 2, 2, 1),
            "February's deal is not new"
        );
        let rows: Vec<_> = f.stages.iter().map(row).collect();
        assert_eq!(
            rows,
            [
                (5, 4, 1, 0, Some(80.0), Some(20.0)),
                (4, 2, 1, 1, Some(50.0), Some(25.0)),
                (2, 2, 0, 0, Some(100.0), Some(0.0)),
            ]
        );
    }

    #[test]
    fn the_funnel_follows_the_lead_source_asked_for() {
        let mut s = script();
        s.scope.lead_source = Some("Cold call".into());
        let f = funnel(&s.replayed, &s.stages, PipelineId::new(), &s.scope);
        assert_eq!((f.deals, f.won, f.lost), (2, 1, 1));
        assert_eq!(row(&f.stages[1]), (1, 1, 0, 0, Some(100.0), Some(0.0)));
    }

    #[test]
    fn the_summary_counts_deals_closed_in_the_period() {
        let s = script();
        let sum = s.summary();
        assert_eq!((sum.won, sum.lost, sum.win_rate_pct), (3, 2, Some(60.0)));
        let cycle = sum.cycle.unwrap();
        assert_eq!(
            (cycle.deals, cycle.median, cycle.p80, cycle.mean),
            (3, 10, 16, 11.0)
        );
        let money: Vec<_> = sum
            .currencies
            .iter()
            .map(|c| {
                (
                    c.currency.code().to_string(),
                    c.won_deals,
                    c.won_value,
                    c.average_won_value,
                    c.open_deals,
                    c.open_value,
                    c.velocity_per_day,
                )
            })
            .collect();
        assert_eq!(
            money,
            [
                ("EUR".into(), 1, 700, Some(700), 0, 0, Some(0)),
                // 1 open × 60 % × 999 ÷ 11 days = 54.5
                ("SEK".into(), 2, 1999, Some(999), 1, 200, Some(54)),
            ]
        );
    }

    #[test]
    fn time_in_stage_counts_the_stays_that_ended_in_the_period() {
        let s = script();
        let sum = s.summary();
        let days: Vec<_> = sum
            .stages
            .iter()
            .map(|t| t.days.as_ref().map(|d| (d.deals, d.median, d.p80, d.mean)))
            .collect();
        assert_eq!(
            days,
            [
                Some((5, 3, 3, 5.0)),
                Some((3, 3, 6, 3.7)),
                Some((1, 5, 5, 5.0))
            ]
        );
    }

    #[test]
    fn lost_reasons_and_lead_sources_are_ranked() {
        let s = script();
        let sum = s.summary();
        let reasons: Vec<_> = sum
            .lost_reasons
            .iter()
            .map(|r| (r.reason.as_str(), r.deals, r.share_pct))
            .collect();
        assert_eq!(reasons, [("Price", 1, 50.0), ("Timing", 1, 50.0)]);
        let sources: Vec<_> = sum
            .sources
            .iter()
            .map(|r| {
                (
                    r.lead_source.clone().unwrap_or_default(),
                    r.created,
                    r.won,
                    r.lost,
                    r.win_rate_pct,
                    r.won_value.values().copied().collect::<Vec<_>>(),
                    r.median_cycle_days,
                )
            })
            .collect();
        assert_eq!(
            sources,
            [
                ("Referral".into(), 3, 2, 1, Some(66.7), vec![1999], Some(10)),
                ("Cold call".into(), 2, 1, 1, Some(50.0), vec![700], Some(7)),
            ]
        );
    }

    #[test]
    fn rows_past_the_listed_ones_are_summed_in_one() {
        let rows: Vec<(String, i64)> = (0..35).map(|i| (format!("r{i}"), 1)).collect();
        let folded = fold_rest(rows, |rest| (OTHERS.into(), rest.iter().map(|r| r.1).sum()));
        assert_eq!(folded.len(), LISTED);
        assert_eq!(folded.last(), Some(&(OTHERS.to_string(), 6)));
    }

    #[test]
    fn a_period_is_checked_naming_the_field() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let parse = |from, to| Scope::parse(from, to, None, None, today);
        let default = parse(None, None).unwrap();
        assert_eq!(
            (default.from, default.to),
            (today - chrono::Days::new(89), today)
        );
        let field = |r: Result<Scope, RuleError>| match r.unwrap_err() {
            RuleError::Invalid(e) => e.field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(parse(Some("2026-13-01"), None)), "from");
        assert_eq!(
            field(parse(None, Some(""))),
            "to",
            "given empty is not a date"
        );
        assert_eq!(field(parse(None, Some("2026-11-29"))), "to");
        assert_eq!(field(parse(Some("2026-11-20"), Some("2026-11-10"))), "from");
        assert_eq!(field(parse(Some("2025-11-27"), None)), "from");
        assert!(parse(Some("2025-11-28"), None).is_ok(), "366 days in all");
        let bell = Scope::parse(None, None, None, Some("Web\u{7}"), today);
        assert_eq!(field(bell), "lead_source");
    }

    #[test]
    fn weeks_step_from_the_first_day_and_end_on_the_last() {
        let s = script().scope;
        let days: Vec<String> = s.weeks().iter().map(|d| d.to_string()).collect();
        assert_eq!(
            days,
            ["2026-03-01", "2026-03-08", "2026-03-15", "2026-03-21"]
        );
    }

    #[test]
    fn bars_and_lines_are_scaled_to_the_largest_value() {
        assert_eq!(scale(&[5, 10, 0]), [50.0, 100.0, 0.0]);
        assert_eq!(scale(&[0, 0]), [0.0, 0.0]);
        let sek = Currency::parse("SEK").unwrap();
        let point = |d: u32, v| ValuePoint {
            day: NaiveDate::from_ymd_opt(2026, 3, d).unwrap(),
            currency: sek.clone(),
            open_deals: 1,
            open_value: v,
        };
        let line = &lines(&[point(1, 50), point(11, 100), point(21, 0)])[0];
        assert_eq!(line.points, "0,22 50,4 100,40");
        assert_eq!(line.top, 100);
    }
}
