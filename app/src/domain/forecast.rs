//! Forecasts: what a pipeline's open deals will bring in, per period and currency
//! (currencies are never added together). Two methods read the same deals:
//! - **weighted**: each deal's value × its chance (its own, else its stage's), in the
//!   period of its expected close date;
//! - **empirical**: how deals that sat in the same stage at least as long fared before
//!   (from the log's finished deals): how often they were won and how long that took.
//!   A seeded simulation combines the open deals into an expected value and a
//!   P10–P90 range, so the same data always gives the same numbers.
//!
//! Every figure for a period includes what was already won in it.

use super::board::weighted_minor;
use super::deal::{DealStatus, ForecastCategory};
use super::dice::Dice;
use super::display::{month_label, month_of, quarter_label, quarter_of, Period};
use super::goal::{with_goals, Goal};
use super::ids::{DealId, StageId, UserId};
use super::money::{Currency, MAX_MINOR};
use super::pipeline::Stage;
use super::replay::{replay, Entry, Facts, Replayed, Stay, Then};
use super::validation::RuleError;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

/// Simulated futures behind each empirical range.
pub const RUNS: usize = 2_000;
/// Finished deals the empirical method needs before it is used at all.
pub const MIN_HISTORY: usize = 20;
/// Stays like a deal's (same stage, at least as long) that its chance is read from.
pub const MIN_LIKE: usize = 8;
/// Past months read for the business still to come (deals not yet in the pipeline).
pub const LOOK_BACK: usize = 6;
/// Past months needed before the business still to come is counted.
pub const MIN_LOOK_BACK: usize = 3;
/// Periods a forecast looks ahead at most.
pub const MAX_PERIODS: usize = 12;
/// Open deals simulated one by one at most: the largest ones. Past that, the others
/// form a crowd whose sum in each period is drawn from a normal with the crowd's exact
/// mean and variance: the sum of that many deals, none large beside it, spreads
/// normally (the central limit theorem), and the simulation's cost stops growing with
/// the pipeline.
pub const EXACT_AT_MOST: usize = 200;
const SEED: u64 = 0x7E4D_F0CA_57ED;

/// Months or quarters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum PeriodKind {
    Month,
    Quarter,
}

impl PeriodKind {
    pub fn parse(value: &str) -> Result<Self, RuleError> {
        match value.trim() {
            "month" => Ok(Self::Month),
            "quarter" => Ok(Self::Quarter),
            _ => Err(RuleError::invalid("period", "must be month or quarter")),
        }
    }

    /// The first day of the period `day` falls in, and of the one after.
    pub fn span(self, day: NaiveDate) -> (NaiveDate, NaiveDate) {
        match self {
            Self::Month => month_of(day),
            Self::Quarter => quarter_of(day),
        }
    }

    /// "2026-11" or "2026-Q4": how the API names the period starting on `start`.
    pub fn name(self, start: NaiveDate) -> String {
        match self {
            Self::Month => format!("{}-{:02}", start.year(), start.month()),
            Self::Quarter => format!("{}-Q{}", start.year(), start.month0() / 3 + 1),
        }
    }

    /// Reads a period's name ("2026-11" or "2026-Q4") back: its kind and first day.
    pub fn parse_name(value: &str) -> Result<(Self, NaiveDate), RuleError> {
        let invalid = || {
            RuleError::invalid(
                "period",
                "must be a month as 2026-11 or a quarter as 2026-Q4",
            )
        };
        let (year, rest) = value.trim().split_once('-').ok_or_else(invalid)?;
        let year: i32 = year.parse().map_err(|_| invalid())?;
        if !(2000..=2200).contains(&year) {
            return Err(invalid());
        }
        let (kind, month) = match rest.strip_prefix(['Q', 'q']) {
            Some(q) => match q.parse::<u32>() {
                Ok(q @ 1..=4) => (Self::Quarter, (q - 1) * 3 + 1),
                _ => return Err(invalid()),
            },
            None => match rest.parse::<u32>() {
                Ok(m @ 1..=12) if rest.len() == 2 => (Self::Month, m),
                _ => return Err(invalid()),
            },
        };
        let start = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(invalid)?;
        Ok((kind, start))
    }

    /// The first day of the period `n` periods before the one starting on `start`.
    pub fn before(self, start: NaiveDate, n: usize) -> NaiveDate {
        (0..n).fold(start, |s, _| self.span(s - chrono::Days::new(1)).0)
    }

    /// `count` periods from the one `today` falls in: their first days, and the day
    /// after the last.
    pub fn ahead(self, today: NaiveDate, count: usize) -> (Vec<NaiveDate>, NaiveDate) {
        let mut starts = Vec::new();
        let (mut start, mut next) = self.span(today);
        for _ in 0..count.clamp(1, MAX_PERIODS) {
            starts.push(start);
            start = next;
            next = self.span(next).1;
        }
        (starts, start)
    }
}

/// How an empirical row was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum Method {
    /// From the log's finished deals.
    Empirical,
    /// Too little history: each deal's stage (or own) chance and expected close date.
    StageProbability,
}

/// An open deal as the forecast reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenDeal {
    pub id: DealId,
    pub owner_id: UserId,
    pub stage_id: StageId,
    pub value: i64,
    pub currency: Currency,
    /// Percent: the deal's own chance, else its stage's.
    pub probability: i64,
    pub expected_close: Option<NaiveDate>,
    pub days_in_stage: i64,
    pub lead_source: Option<String>,
    /// Whether `probability` is the deal's own (else a move takes its new stage's).
    pub own_probability: bool,
    /// The rep's forecast category, else the one its chance stands for.
    pub category: ForecastCategory,
    /// Whether the rep chose `category` (else it follows the chance).
    pub own_category: bool,
}

/// A won deal, for what each period has already brought in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WonDeal {
    pub owner_id: UserId,
    pub value: i64,
    pub currency: Currency,
    pub created_on: NaiveDate,
    pub won_on: NaiveDate,
}

/// One period in one currency. Money in minor units.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ForecastRow {
    /// "2026-11" (month) or "2026-Q4" (quarter).
    pub period: String,
    pub period_start: NaiveDate,
    pub currency: Currency,
    /// Won so far + Σ value × chance of the deals expected to close in the period.
    pub weighted: i64,
    /// Won so far + the simulation's mean.
    pub expected: i64,
    pub p10: i64,
    pub p50: i64,
    pub p90: i64,
    /// Won in the period so far.
    pub won: i64,
    /// The revenue goal for the period in this currency, if one is set.
    pub goal: Option<i64>,
    pub method: Method,
    /// Finished deals the empirical method rests on.
    pub history_deals: i64,
    /// Open deals expected to close in the period.
    pub closing_deals: i64,
    /// The value (not weighted) of the open deals expected to close in the period, by
    /// forecast category: those the rep commits to, their best cases, and the rest.
    pub commit: i64,
    pub best_case: i64,
    pub pipeline: i64,
}

/// What a forecast reads.
pub struct Input<'a> {
    pub open: &'a [OpenDeal],
    pub won: &'a [WonDeal],
    /// Stays of the finished deals (see `replay`).
    pub stays: &'a [Stay],
    /// How many finished deals the stays came from.
    pub history_deals: usize,
    /// The day the earliest deal in the log was created: months before it tell
    /// nothing of what was won then.
    pub history_from: Option<NaiveDate>,
    pub today: NaiveDate,
    pub kind: PeriodKind,
    pub periods: usize,
}

/// A deal's chance of being won, and the days it may still take, from the stays like
/// its own.
#[derive(Clone, Debug, PartialEq)]
pub struct Odds {
    pub won: f64,
    /// Days from now to the win, one per winner among the stays read.
    pub days_left: Vec<i64>,
}

/// Stays of one stage (or of one stage and lead source), ordered by how long they
/// lasted, and the winners among them in the same order: kept as plain numbers side by
/// side, so that reading a deal's odds walks memory in order.
#[derive(Default)]
struct Shelf {
    /// How long each stay lasted, shortest first.
    days: Vec<i64>,
    /// How long each winner's stay lasted, shortest first, and the days from entering
    /// the stage to the win, in the same order.
    won_days: Vec<i64>,
    won_close: Vec<i64>,
}

impl Shelf {
    /// The shelf of `stays`, in any order (stays of equal length keep it).
    fn of(mut stays: Vec<(i64, bool, i64)>) -> Self {
        stays.sort_by_key(|s| s.0);
        let mut shelf = Shelf {
            days: stays.iter().map(|s| s.0).collect(),
            ..Shelf::default()
        };
        for (days, _, close) in stays.into_iter().filter(|s| s.1) {
            shelf.won_days.push(days);
            shelf.won_close.push(close);
        }
        shelf
    }

    /// How many stays lasted at least `days`, and the days to the win of the winners
    /// among them.
    fn lasting(&self, days: i64) -> (usize, &[i64]) {
        let all = self.days.len() - self.days.partition_point(|d| *d < days);
        let won = self.won_days.partition_point(|d| *d < days);
        (all, &self.won_close[won..])
    }
}

/// Stays of the finished deals, by stage and by stage and lead source, for reading
/// odds: each deal's in time proportional to the log's size, not to the history's.
pub struct History {
    by_stage: HashMap<StageId, Shelf>,
    by_source: HashMap<StageId, HashMap<String, Shelf>>,
}

/// The stays like one open deal's: the share that was won, and the winners (to draw
/// how long a win takes), for a deal `age` days into its stage.
#[derive(Clone, Copy)]
struct Like<'a> {
    chance: f64,
    /// Each winner's days from entering the stage to the win.
    winners: &'a [i64],
    age: i64,
}

impl History {
    pub fn new(stays: &[Stay]) -> Self {
        type Pile = Vec<(i64, bool, i64)>;
        // A pipeline has a handful of stages: found by looking along a list.
        let mut by_stage = Vec::<(StageId, Pile)>::new();
        let mut by_source = HashMap::<StageId, HashMap<&str, Pile>>::new();
        for s in stays {
            let stay = (s.days, s.won, s.days_to_close);
            match by_stage.iter_mut().find(|(stage, _)| *stage == s.stage_id) {
                Some((_, pile)) => pile.push(stay),
                None => by_stage.push((s.stage_id, vec![stay])),
            }
            if let Some(source) = s.lead_source.as_deref() {
                by_source
                    .entry(s.stage_id)
                    .or_default()
                    .entry(source)
                    .or_default()
                    .push(stay);
            }
        }
        History {
            by_stage: by_stage
                .into_iter()
                .map(|(stage, pile)| (stage, Shelf::of(pile)))
                .collect(),
            by_source: by_source
                .into_iter()
                .map(|(stage, piles)| {
                    let shelves = piles
                        .into_iter()
                        .map(|(source, pile)| (source.to_string(), Shelf::of(pile)))
                        .collect();
                    (stage, shelves)
                })
                .collect(),
        }
    }

    /// The odds of a deal that has sat `deal.days_in_stage` days in its stage: read from
    /// the stays in that stage that lasted at least as long (a deal that has sat longer
    /// than most winners did is worth less), and among them from the deals of its own
    /// lead source when there are enough. When too few stays lasted that long, the
    /// longest ones stand in. `None` when the stage has too little history.
    pub fn odds(&self, deal: &OpenDeal) -> Option<Odds> {
        self.like(deal).map(|l| Odds {
            won: l.chance,
            days_left: l
                .winners
                .iter()
                .map(|close| (close - l.age).max(0))
                .collect(),
        })
    }

    fn like(&self, deal: &OpenDeal) -> Option<Like<'_>> {
        let all = self.by_stage.get(&deal.stage_id)?;
        if all.days.len() < MIN_LIKE {
            return None;
        }
        let age = deal.days_in_stage;
        let at_least = if all.lasting(age).0 >= MIN_LIKE {
            age
        } else {
            all.days[all.days.len() - MIN_LIKE]
        };
        let mut like = all.lasting(at_least);
        let own = deal
            .lead_source
            .as_deref()
            .and_then(|source| self.by_source.get(&deal.stage_id)?.get(source))
            .map(|shelf| shelf.lasting(at_least));
        if let Some(own) = own.filter(|o| o.0 >= MIN_LIKE) {
            like = own;
        }
        Some(Like {
            chance: like.1.len() as f64 / like.0 as f64,
            winners: like.1,
            age,
        })
    }
}

/// How one deal is won, read as its chance of being won in each period (`Landing::chances`).
enum Plan<'a> {
    /// Won as often as the deals like it were, as long after as one of them took.
    Like(Like<'a>),
    /// Won with this chance, on its expected close day.
    Dated(f64, NaiveDate),
}

/// Deals not yet in the pipeline that will be won in one month in one currency: as
/// many as the `months` past months read saw (on average `mean`, varying between
/// months by `variance`), each worth one of `values` (whose mean and variance are
/// `value_mean` and `value_variance`).
#[derive(Clone, Debug, Default, PartialEq)]
struct Part {
    months: f64,
    mean: f64,
    variance: f64,
    values: Vec<i128>,
    value_mean: f64,
    value_variance: f64,
}

/// Deals still to come whose values are drawn one by one at most in one future: past
/// that many, their sum is drawn from the normal with its exact mean and variance (as
/// the crowd's is, and for the same reason), so a large business costs no more to
/// simulate than a small one.
const PICKED_AT_MOST: u64 = 30;

/// The same for a period: the sum of its months' parts (a quarter is read month by
/// month, so it needs only months of history, and its months still to come add up).
#[derive(Clone, Debug, Default, PartialEq)]
struct ToCome(Vec<Part>);

impl ToCome {
    /// One possible outcome. How far each month's mean lies from the one read is drawn
    /// once for the period: a business that brings in more than it seemed does so in
    /// every month of a quarter. The mean and its spread are both read from a few
    /// months, so the distance, in standard errors, is Student's t with one degree of
    /// freedom fewer than months read (wider than normal: three months say less than
    /// six), not a normal.
    fn draw(&self, dice: &mut Dice) -> i128 {
        let read = self
            .0
            .iter()
            .map(|p| p.months)
            .fold(f64::INFINITY, f64::min);
        let off = student_t(read - 1.0, dice);
        self.0.iter().map(|part| part.draw(off, dice)).sum()
    }
}

impl Part {
    /// One possible outcome, with the month's mean `off` standard errors from the one
    /// read: read from a few months, it is known only as well as their average is
    /// (whose variance is the months' ÷ their count; at least chance's, the mean).
    /// The count is then Poisson when past months varied no more than chance alone
    /// would make them; when they varied more, its rate is itself drawn (gamma), which
    /// makes the count negative binomial with the same spread.
    fn draw(&self, off: f64, dice: &mut Dice) -> i128 {
        if self.values.is_empty() {
            return 0;
        }
        let error = (self.variance.max(self.mean) / self.months).sqrt();
        let mean = (self.mean + off * error).max(0.0);
        let rate = if self.variance > self.mean {
            let shape = self.mean * self.mean / (self.variance - self.mean);
            gamma(shape, dice) * mean / shape
        } else {
            mean
        };
        let count = poisson(rate, dice);
        if count > PICKED_AT_MOST {
            let n = count as f64;
            let sum = n * self.value_mean + (n * self.value_variance).sqrt() * normal(dice);
            return sum.round().max(0.0) as i128;
        }
        (0..count).map(|_| *dice.pick(&self.values)).sum()
    }
}

/// A standard normal draw (Box–Muller).
fn normal(dice: &mut Dice) -> f64 {
    let (u, v) = (1.0 - dice.unit(), dice.unit());
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// A draw of Student's t with `freedom` degrees of freedom (a normal over the root of
/// an independent chi-squared ÷ its degrees); a normal where there is no count to go by.
fn student_t(freedom: f64, dice: &mut Dice) -> f64 {
    let z = normal(dice);
    if !(freedom.is_finite() && freedom >= 1.0) {
        return z;
    }
    let chi_squared = 2.0 * gamma(freedom / 2.0, dice);
    z / (chi_squared / freedom).max(f64::MIN_POSITIVE).sqrt()
}

/// A gamma draw with scale 1 (Marsaglia and Tsang; a shape below 1 is boosted).
fn gamma(shape: f64, dice: &mut Dice) -> f64 {
    if shape < 1.0 {
        let boost = (1.0 - dice.unit()).powf(1.0 / shape);
        return gamma(shape + 1.0, dice) * boost;
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(dice);
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u = 1.0 - dice.unit();
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

/// A Poisson-distributed count with mean `mean`: Knuth's method while it is small,
/// then the normal approximation.
fn poisson(mean: f64, dice: &mut Dice) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    if mean < 30.0 {
        let limit = (-mean).exp();
        let mut product = dice.unit();
        let mut count = 0;
        while product > limit {
            count += 1;
            product *= dice.unit();
        }
        return count;
    }
    (mean + mean.sqrt() * normal(dice)).round().max(0.0) as u64
}

/// What deals not yet in the pipeline will bring in, per period and currency (in the
/// forecast's slot order), month by month: for each month of the period not yet over,
/// the deals won in each of the last `LOOK_BACK` finished months that were created
/// after the day lying as far before that month as the month ahead lies after today.
/// A month adds nothing while fewer than `MIN_LOOK_BACK` months have finished.
fn still_to_come(input: &Input, starts: &[NaiveDate], currencies: &[Currency]) -> Vec<ToCome> {
    let mut out = Vec::new();
    for start in starts {
        let months = match input.kind {
            PeriodKind::Month => 1,
            PeriodKind::Quarter => 3,
        };
        let mut slots = vec![ToCome::default(); currencies.len()];
        let mut month = *start;
        for _ in 0..months {
            let (_, next) = PeriodKind::Month.span(month);
            if next > input.today {
                for (slot, part) in slots
                    .iter_mut()
                    .zip(month_to_come(input, month, currencies))
                {
                    slot.0.extend(part);
                }
            }
            month = next;
        }
        out.extend(slots);
    }
    out
}

/// The empirical method needs `MIN_HISTORY` finished deals and a log that covers
/// `MIN_LOOK_BACK` finished months. Over a shorter log, what the finished deals show is
/// only how the quickest of them went, and the business still to come cannot be read:
/// it would forecast next to nothing for a later period, sure of it. Stage chances and
/// close dates say more, and the page says why they are used.
fn method_for(input: &Input) -> Method {
    if input.history_deals >= MIN_HISTORY
        && finished_months(input.history_from, input.today) >= MIN_LOOK_BACK
    {
        Method::Empirical
    } else {
        Method::StageProbability
    }
}

/// Months the log covers before `today`'s month, the month it began in counted (as
/// `month_to_come` reads them). A log with no deals limits nothing.
pub fn finished_months(history_from: Option<NaiveDate>, today: NaiveDate) -> usize {
    let Some(from) = history_from else {
        return usize::MAX;
    };
    let (first, _) = month_of(from);
    let (this, _) = month_of(today);
    let months = (this.year() - first.year()) * 12 + this.month() as i32 - first.month() as i32;
    months.max(0) as usize
}

/// One month's part of the business still to come, per currency (`None` where too few
/// past months can be read).
fn month_to_come(input: &Input, month: NaiveDate, currencies: &[Currency]) -> Vec<Option<Part>> {
    let ahead = (month - input.today).num_days();
    let mut seen = 0;
    let mut values = vec![Vec::new(); currencies.len()];
    let mut counts = vec![Vec::new(); currencies.len()];
    // Today's month has not finished: read the months before it.
    let mut then = PeriodKind::Month.span(input.today).0;
    while seen < LOOK_BACK {
        then = PeriodKind::Month.before(then, 1);
        let (_, end) = PeriodKind::Month.span(then);
        if input
            .history_from
            .is_none_or(|from| then < month_of(from).0)
        {
            break;
        }
        seen += 1;
        let asked = then - chrono::TimeDelta::days(ahead);
        let mut count = vec![0.0; currencies.len()];
        for w in input.won {
            if w.created_on > asked && w.won_on >= then && w.won_on < end {
                if let Ok(c) = currencies.binary_search(&w.currency) {
                    values[c].push(i128::from(w.value));
                    count[c] += 1.0;
                }
            }
        }
        for (counts, n) in counts.iter_mut().zip(count) {
            counts.push(n);
        }
    }
    values
        .into_iter()
        .zip(counts)
        .map(|(values, counts)| {
            if seen < MIN_LOOK_BACK {
                return None;
            }
            let n = counts.len() as f64;
            let mean = counts.iter().sum::<f64>() / n;
            let variance = counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (n - 1.0);
            let (value_mean, value_variance) = match values.len() as f64 {
                0.0 => (0.0, 0.0),
                k => {
                    let m = values.iter().map(|v| *v as f64).sum::<f64>() / k;
                    let v = values.iter().map(|v| (*v as f64 - m).powi(2)).sum::<f64>() / k;
                    (m, v)
                }
            };
            Some(Part {
                months: n,
                mean,
                variance,
                values,
                value_mean,
                value_variance,
            })
        })
        .collect()
}

/// A sum as the API writes it: past the largest number it writes, that number.
fn clamp(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Where the periods ahead lie, in days from today, for where a deal won some days
/// from now lands.
struct Landing {
    today: NaiveDate,
    /// Days from today to each period's first day, then to the day after the last.
    bounds: Vec<i64>,
}

impl Landing {
    fn new(today: NaiveDate, starts: &[NaiveDate], end: NaiveDate) -> Self {
        let days = |d: &NaiveDate| (*d - today).num_days();
        Landing {
            today,
            bounds: starts.iter().chain([&end]).map(days).collect(),
        }
    }

    /// The period a deal won `days` from today lands in.
    fn period(&self, days: i64) -> Option<usize> {
        let after = self.bounds.partition_point(|b| *b <= days);
        (after > 0 && after < self.bounds.len()).then(|| after - 1)
    }

    /// The chance that the deal is won in each period.
    fn chances(&self, plan: &Plan) -> Vec<f64> {
        let mut out = vec![0.0; self.bounds.len() - 1];
        match plan {
            Plan::Dated(chance, day) => {
                if let Some(p) = self.period((*day - self.today).num_days()) {
                    out[p] = *chance;
                }
            }
            Plan::Like(like) => {
                let share = like.chance / like.winners.len().max(1) as f64;
                for close in like.winners {
                    if let Some(p) = self.period((close - like.age).max(0)) {
                        out[p] += share;
                    }
                }
            }
        }
        out
    }
}

/// The deals of a crowd, summed for one period and currency: the mean and variance
/// of their sum.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Crowd {
    mean: f64,
    variance: f64,
}

impl Crowd {
    /// The sum in a future whose standard normal draw is `normal`.
    fn at(&self, normal: f64) -> i128 {
        if self.variance <= 0.0 {
            return self.mean.round() as i128;
        }
        (self.mean + self.variance.sqrt() * normal).round().max(0.0) as i128
    }
}

/// Chances read for deals alike in stage, lead source and days in the stage.
type Read<'h> = HashMap<(StageId, Option<&'h str>, i64), Option<Rc<[f64]>>>;

/// One open deal as the simulation draws it.
struct Drawn {
    id: DealId,
    /// Its currency's place among the forecast's.
    currency: usize,
    value: i64,
    /// Its chance of being won in each period.
    chances: Rc<[f64]>,
    /// Drawn one by one in every future (else one of the crowd).
    exact: bool,
}

impl Drawn {
    /// The spread the deal adds to a period's sum, for choosing which deals are drawn
    /// one by one; `None` when it cannot be won in any period ahead.
    fn spread(&self) -> Option<f64> {
        let won: f64 = self.chances.iter().sum();
        let v = self.value as f64;
        (won > 0.0).then(|| v * v * won * (1.0 - won).max(0.0))
    }
}

/// Each deal's own random numbers: drawn from its id, so that a deal is won in the same
/// futures whatever the other deals are (a change to one deal is figured again by
/// drawing that deal alone).
fn dice_of(id: DealId) -> Dice {
    let (high, low) = id.0.as_u64_pair();
    Dice(SEED ^ high ^ low.rotate_left(32))
}

/// The simulated futures of one forecast, kept so that a change to one deal is figured
/// again by drawing that deal alone (what-if on the board). `forecast_from` makes them
/// and reads them once.
pub struct Futures {
    kind: PeriodKind,
    starts: Vec<NaiveDate>,
    landing: Landing,
    currencies: Vec<Currency>,
    method: Method,
    /// The open deals, by id.
    deals: Vec<Drawn>,
    /// In every one of the `RUNS` futures, per slot (period, then currency): the sum
    /// of the deals drawn one by one (a sum of at most `EXACT_AT_MOST` values of at
    /// most `MAX_MINOR` each, so it fits, and is kept with wrapping additions so that
    /// taking a deal out is exact),
    exact: Vec<i64>,
    /// what deals not yet in the pipeline bring in,
    to_come: Vec<i128>,
    /// and where the crowd's sum falls (a standard normal draw).
    normals: Vec<f64>,
}

impl Futures {
    /// The futures of `input`'s open deals, with the odds read from `history` (made
    /// from `input.stays`).
    pub fn new(input: &Input, history: &History) -> Futures {
        let (starts, end) = input.kind.ahead(input.today, input.periods);
        let mut currencies: Vec<Currency> = Vec::new();
        for currency in input
            .open
            .iter()
            .map(|d| &d.currency)
            .chain(input.won.iter().map(|w| &w.currency))
        {
            if let Err(at) = currencies.binary_search(currency) {
                currencies.insert(at, currency.clone());
            }
        }
        let method = method_for(input);
        let slots = starts.len() * currencies.len();
        let mut futures = Futures {
            kind: input.kind,
            landing: Landing::new(input.today, &starts, end),
            starts,
            currencies,
            method,
            deals: Vec::with_capacity(input.open.len()),
            exact: vec![0; RUNS * slots],
            to_come: vec![0; RUNS * slots],
            normals: vec![0.0; RUNS * slots],
        };
        if slots == 0 {
            return futures;
        }
        // Deals alike in stage, source and age have the same odds: read them once.
        let mut read = HashMap::new();
        for deal in input.open {
            if let Some(drawn) = futures.plan(deal, history, input.today, &mut read) {
                futures.deals.push(drawn);
            }
        }
        futures.deals.sort_by_key(|d| d.id);
        let to_come = match method {
            Method::Empirical => still_to_come(input, &futures.starts, &futures.currencies),
            Method::StageProbability => vec![ToCome::default(); slots],
        };
        let mut dice = Dice(SEED);
        for (run, normals) in futures
            .to_come
            .chunks_exact_mut(slots)
            .zip(futures.normals.chunks_exact_mut(slots))
        {
            for ((sum, normal), to_come) in run.iter_mut().zip(normals).zip(&to_come) {
                *sum = to_come.draw(&mut dice);
                *normal = self::normal(&mut dice);
            }
        }
        futures.choose_exact();
        futures
    }

    /// Months or quarters.
    pub fn kind(&self) -> PeriodKind {
        self.kind
    }

    /// How `deal` enters the simulation: by its chance of being won in each period.
    fn plan<'h>(
        &self,
        deal: &'h OpenDeal,
        history: &'h History,
        today: NaiveDate,
        read: &mut Read<'h>,
    ) -> Option<Drawn> {
        let like = match self.method {
            Method::Empirical => read
                .entry((
                    deal.stage_id,
                    deal.lead_source.as_deref(),
                    deal.days_in_stage,
                ))
                .or_insert_with(|| {
                    history
                        .like(deal)
                        .map(|l| self.landing.chances(&Plan::Like(l)).into())
                })
                .clone(),
            Method::StageProbability => None,
        };
        let chances = like.unwrap_or_else(|| {
            let plan = match deal.expected_close {
                Some(day) => Plan::Dated(deal.probability as f64 / 100.0, day),
                None => Plan::Dated(0.0, today),
            };
            self.landing.chances(&plan).into()
        });
        Some(Drawn {
            id: deal.id,
            currency: self.currencies.binary_search(&deal.currency).ok()?,
            value: deal.value.clamp(0, MAX_MINOR),
            chances,
            exact: false,
        })
    }

    /// Draws the deal at `at` in every future: adds what it wins to the sums (or takes
    /// it out again, when `add` is false). Won in the first period whose chances, added
    /// up, pass the deal's draw (in none: not won in the periods ahead). Without a
    /// branch on the draw, which no processor could predict.
    fn draw(&mut self, at: usize, add: bool) {
        let deal = &self.deals[at];
        let periods = self.starts.len();
        let currencies = self.currencies.len();
        // The deal's chance of being won by the end of each period, as the share of
        // all 64-bit draws that lie below it.
        let by: Vec<u64> = deal
            .chances
            .iter()
            .scan(0.0, |by, chance| {
                *by += chance;
                Some((by.clamp(0.0, 1.0) * 2f64.powi(64)) as u64)
            })
            .collect();
        let value = if add { deal.value } else { -deal.value };
        let mut dice = dice_of(deal.id);
        for run in self.exact.chunks_exact_mut(periods * currencies) {
            let draw = dice.next();
            let passed: usize = by.iter().map(|b| usize::from(draw >= *b)).sum();
            // All ones when won, else zero.
            let won = -i64::from(passed < periods);
            let sum = &mut run[passed.min(periods - 1) * currencies + deal.currency];
            *sum = sum.wrapping_add(value & won);
        }
    }

    /// Chooses the deals drawn one by one (all of them while there are at most
    /// `EXACT_AT_MOST`; else the largest by the spread they add, the earlier id first
    /// among equals) and draws those newly chosen, taking out those no longer chosen.
    fn choose_exact(&mut self) {
        let mut chosen = vec![true; self.deals.len()];
        if self.deals.len() > EXACT_AT_MOST {
            let mut weighed: Vec<(f64, usize)> = (self.deals.iter().enumerate())
                .filter_map(|(i, d)| Some((d.spread()?, i)))
                .collect();
            if weighed.len() > EXACT_AT_MOST {
                weighed.select_nth_unstable_by(EXACT_AT_MOST, |a, b| {
                    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
                });
                weighed.truncate(EXACT_AT_MOST);
            }
            chosen.fill(false);
            for (_, i) in weighed {
                chosen[i] = true;
            }
        }
        for (at, chosen) in chosen.into_iter().enumerate() {
            if self.deals[at].exact != chosen {
                self.draw(at, chosen);
                self.deals[at].exact = chosen;
            }
        }
    }

    /// After the deal `id` changed in `input` (moved, re-dated, or gone from the open
    /// deals): draws it again, alone. `input` is what the futures were made from, with
    /// that change; the result is what `Futures::new` would make of it.
    pub fn renew(&mut self, input: &Input, history: &History, id: DealId) {
        if self.starts.is_empty() || self.currencies.is_empty() {
            return;
        }
        if let Ok(at) = self.deals.binary_search_by_key(&id, |d| d.id) {
            if self.deals[at].exact {
                self.draw(at, false);
            }
            self.deals.remove(at);
        }
        let deal = input.open.iter().find(|d| d.id == id);
        if let Some(drawn) =
            deal.and_then(|d| self.plan(d, history, input.today, &mut HashMap::new()))
        {
            let at = self.deals.partition_point(|d| d.id < id);
            self.deals.insert(at, drawn);
        }
        self.choose_exact();
    }

    /// The forecast rows, in period then currency order, of `input` (what the futures
    /// were made from, with any change since renewed). Goals are left empty for the
    /// caller to fill.
    pub fn rows(&self, input: &Input) -> Vec<ForecastRow> {
        let currencies = &self.currencies;
        let slots = self.starts.len() * currencies.len();
        if slots == 0 {
            return Vec::new();
        }
        let period_of = |day: NaiveDate| self.landing.period((day - input.today).num_days());
        let slot = |period: usize, currency: &Currency| {
            Some(period * currencies.len() + currencies.binary_search(currency).ok()?)
        };
        let mut present = vec![false; currencies.len()];
        let mut won = vec![0i128; slots];
        for w in input.won {
            if let Some(s) = slot(0, &w.currency) {
                present[s] = true;
            }
            if let Some(s) = period_of(w.won_on).and_then(|p| slot(p, &w.currency)) {
                won[s] += i128::from(w.value);
            }
        }
        let mut weighted_x100 = vec![0i128; slots];
        let mut closing = vec![0i64; slots];
        let mut by_category = vec![[0i128; 3]; slots];
        for d in input.open {
            if let Some(s) = slot(0, &d.currency) {
                present[s] = true;
            }
            if let Some(s) = d
                .expected_close
                .and_then(period_of)
                .and_then(|p| slot(p, &d.currency))
            {
                weighted_x100[s] += i128::from(d.value) * i128::from(d.probability);
                closing[s] += 1;
                by_category[s][d.category as usize] += i128::from(d.value);
            }
        }
        let mut crowd = vec![Crowd::default(); slots];
        for d in self.deals.iter().filter(|d| !d.exact) {
            let v = d.value as f64;
            for (p, q) in d.chances.iter().enumerate() {
                let c = &mut crowd[p * currencies.len() + d.currency];
                c.mean += v * q;
                c.variance += v * v * q * (1.0 - q);
            }
        }

        let mut rows = Vec::new();
        let mut sums = vec![0i128; RUNS];
        for (p, start) in self.starts.iter().enumerate() {
            for (c, currency) in currencies.iter().enumerate() {
                if !present[c] {
                    continue;
                }
                let s = p * currencies.len() + c;
                for (run, sum) in sums.iter_mut().enumerate() {
                    let at = run * slots + s;
                    *sum = i128::from(self.exact[at])
                        + self.to_come[at]
                        + crowd[s].at(self.normals[at]);
                }
                sums.sort_unstable();
                // An average of simulated futures is not exact to the cent: whole units.
                let unit = 10i128.pow(currency.minor_digits());
                let mean = (sums.iter().sum::<i128>() / RUNS as i128 + unit / 2) / unit * unit;
                let at = |q: f64| sums[((q * RUNS as f64).ceil() as usize).clamp(1, RUNS) - 1];
                let money = |v: i128| i64::try_from(won[s] + v).unwrap_or(i64::MAX);
                rows.push(ForecastRow {
                    period: self.kind.name(*start),
                    period_start: *start,
                    currency: currency.clone(),
                    weighted: money(weighted_minor(weighted_x100[s])),
                    expected: money(mean),
                    p10: money(at(0.1)),
                    p50: money(at(0.5)),
                    p90: money(at(0.9)),
                    won: money(0),
                    goal: None,
                    method: self.method,
                    history_deals: input.history_deals as i64,
                    closing_deals: closing[s],
                    commit: clamp(by_category[s][ForecastCategory::Commit as usize]),
                    best_case: clamp(by_category[s][ForecastCategory::BestCase as usize]),
                    pipeline: clamp(by_category[s][ForecastCategory::Pipeline as usize]),
                });
            }
        }
        rows
    }
}

/// The forecast rows for `input.periods` periods from today's, in period then currency
/// order. Goals are left empty for the caller to fill.
pub fn forecast(input: &Input) -> Vec<ForecastRow> {
    forecast_from(input, &History::new(input.stays))
}

/// The same, with the odds read from `history` (made from `input.stays`), for a caller
/// that forecasts several times from one history.
pub fn forecast_from(input: &Input, history: &History) -> Vec<ForecastRow> {
    Futures::new(input, history).rows(input)
}

/// The forecast as it could have been made at `at`, from the deals as they stood then
/// (`replayed`, see `replay`): for one owner's deals when `owner` is given, read
/// against everyone's history. Deals in stages not among `stages` (another pipeline's)
/// are left out.
pub fn as_it_stood(
    replayed: &Replayed,
    stages: &[Stage],
    at: DateTime<Utc>,
    kind: PeriodKind,
    periods: usize,
    owner: Option<UserId>,
) -> Vec<ForecastRow> {
    let standing = Standing::of(replayed, stages, at, owner);
    forecast(&standing.input(&replayed.stays, at.date_naive(), kind, periods))
}

/// What a pipeline's forecast reads beside the history's stays, as it stood at one
/// instant: its open deals (one owner's, or everyone's), those won, and how many were
/// finished.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub open: Vec<OpenDeal>,
    pub won: Vec<WonDeal>,
    pub history_deals: usize,
    /// See `Input::history_from`.
    pub history_from: Option<NaiveDate>,
}

impl Standing {
    pub fn of(
        replayed: &Replayed,
        stages: &[Stage],
        at: DateTime<Utc>,
        owner: Option<UserId>,
    ) -> Self {
        let chance = |stage: StageId| stages.iter().find(|s| s.id == stage).map(|s| s.probability);
        let mine =
            |d: &Then| chance(d.stage_id).is_some() && owner.is_none_or(|o| d.facts.owner_id == o);
        let open = replayed
            .deals
            .iter()
            .filter(|d| d.status == DealStatus::Open && mine(d))
            .map(|d| {
                let stage_chance = chance(d.stage_id).unwrap_or(0);
                OpenDeal {
                    id: d.facts.id,
                    owner_id: d.facts.owner_id,
                    stage_id: d.stage_id,
                    value: d.facts.value,
                    currency: d.facts.currency.clone(),
                    probability: d.facts.probability.unwrap_or(stage_chance),
                    own_probability: d.facts.probability.is_some(),
                    expected_close: d.facts.expected_close,
                    days_in_stage: (at - d.stage_entered_at).num_days().max(0),
                    lead_source: d.facts.lead_source.clone(),
                    category: d.facts.forecast_category.unwrap_or_else(|| {
                        ForecastCategory::from_chance(d.facts.probability.unwrap_or(stage_chance))
                    }),
                    own_category: d.facts.forecast_category.is_some(),
                }
            })
            .collect();
        Standing {
            open,
            won: won_deals(replayed, stages, owner),
            history_deals: finished_deals(replayed, stages),
            history_from: history_from(replayed),
        }
    }

    /// What `forecast` reads, with the odds from `stays` (everyone's history: stays in
    /// other pipelines' stages, of deals moved here, are never read, as odds are read
    /// for this pipeline's stages).
    pub fn input<'a>(
        &'a self,
        stays: &'a [Stay],
        today: NaiveDate,
        kind: PeriodKind,
        periods: usize,
    ) -> Input<'a> {
        Input {
            open: &self.open,
            won: &self.won,
            stays,
            history_deals: self.history_deals,
            history_from: self.history_from,
            today,
            kind,
            periods,
        }
    }

    /// This month's and this quarter's figures, with their goals (`owner`'s, or the
    /// team's): what the board's forecast widgets and the meeting-room screen show. The
    /// odds are read from `history`, made from `stays`.
    pub fn this_month_and_quarter(
        &self,
        stays: &[Stay],
        history: &History,
        today: NaiveDate,
        goals: &[Goal],
        owner: Option<UserId>,
    ) -> Vec<Period> {
        let futures = self.widget_futures(stays, history, today);
        self.widgets(&futures, stays, today, goals, owner)
    }

    /// The futures behind this month's and this quarter's figures, to keep (what-if
    /// renews them after each change, see `Futures::renew`).
    pub fn widget_futures(
        &self,
        stays: &[Stay],
        history: &History,
        today: NaiveDate,
    ) -> [Futures; 2] {
        [PeriodKind::Month, PeriodKind::Quarter]
            .map(|kind| Futures::new(&self.input(stays, today, kind, 1), history))
    }

    /// This month's and this quarter's figures from `futures` (see `widget_futures`).
    pub fn widgets(
        &self,
        futures: &[Futures; 2],
        stays: &[Stay],
        today: NaiveDate,
        goals: &[Goal],
        owner: Option<UserId>,
    ) -> Vec<Period> {
        futures
            .iter()
            .map(|futures| {
                let kind = futures.kind;
                let label = match kind {
                    PeriodKind::Month => month_label(month_of(today).0),
                    PeriodKind::Quarter => quarter_label(quarter_of(today).0),
                };
                let rows = futures.rows(&self.input(stays, today, kind, 1));
                Period::of(label, &with_goals(rows, goals, kind, owner))
            })
            .collect()
    }
}

/// The deals in `stages` that were won (one owner's when `owner` is given).
pub fn won_deals(replayed: &Replayed, stages: &[Stage], owner: Option<UserId>) -> Vec<WonDeal> {
    replayed
        .deals
        .iter()
        .filter(|d| {
            d.status == DealStatus::Won
                && stages.iter().any(|s| s.id == d.stage_id)
                && owner.is_none_or(|o| d.facts.owner_id == o)
        })
        .filter_map(|d| {
            Some(WonDeal {
                owner_id: d.facts.owner_id,
                value: d.facts.value,
                currency: d.facts.currency.clone(),
                created_on: d.created_at.date_naive(),
                won_on: d.closed_at?.date_naive(),
            })
        })
        .collect()
}

/// How many of the deals in `stages` were finished (won or lost): the history the
/// empirical method rests on.
/// The day the log's earliest deal was created.
pub fn history_from(replayed: &Replayed) -> Option<NaiveDate> {
    replayed
        .deals
        .iter()
        .map(|d| d.created_at.date_naive())
        .min()
}

pub fn finished_deals(replayed: &Replayed, stages: &[Stage]) -> usize {
    replayed
        .deals
        .iter()
        .filter(|d| d.status != DealStatus::Open && stages.iter().any(|s| s.id == d.stage_id))
        .count()
}

/// What each method said about one closed period in one currency some weeks before
/// it began, against what was won in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trial {
    pub period: String,
    pub currency: Currency,
    pub weeks_before: i64,
    pub weighted: i64,
    pub expected: i64,
    pub p10: i64,
    pub p50: i64,
    pub p90: i64,
    pub method: Method,
    pub actual: i64,
}

/// How far ahead the track record and the backtest look: weeks before a period began.
pub const LEADS: [i64; 3] = [1, 4, 8];

/// Replays the log as of `weeks` before each of the last `count` closed periods began
/// and forecasts that period as it could have been forecast then, against what was
/// then won in it (as the log stands at `now`). Periods in which nothing was won in a
/// currency are left out for it (an error in percent is undefined there).
pub fn backtest(
    now_facts: &[Facts],
    log: &[Entry],
    stages: &[Stage],
    now: DateTime<Utc>,
    kind: PeriodKind,
    count: usize,
    weeks: &[i64],
) -> Vec<Trial> {
    let today = now.date_naive();
    let this = kind.span(today).0;
    let mut closed = Vec::new();
    let mut start = this;
    for _ in 0..count.min(MAX_PERIODS * 4) {
        start = kind.span(start - chrono::Days::new(1)).0;
        closed.push(start);
    }
    closed.reverse();
    let Some(first) = closed.first().copied() else {
        return Vec::new();
    };
    let settled = replay(now_facts, log, now);
    let mut won_in = HashMap::<(NaiveDate, Currency), i64>::new();
    let ours: BTreeSet<StageId> = stages.iter().map(|s| s.id).collect();
    for d in &settled.deals {
        if let (DealStatus::Won, Some(closed_at), true) =
            (d.status, d.closed_at, ours.contains(&d.stage_id))
        {
            let period = kind.span(closed_at.date_naive()).0;
            if period >= first && period < this {
                *won_in
                    .entry((period, d.facts.currency.clone()))
                    .or_default() += d.facts.value;
            }
        }
    }
    let mut trials = Vec::new();
    for &period in &closed {
        for &w in weeks {
            let asked = (period - chrono::Days::new(7 * w.max(0) as u64))
                .and_time(chrono::NaiveTime::MIN)
                .and_utc();
            let (starts, _) = kind.ahead(asked.date_naive(), MAX_PERIODS);
            let Some(index) = starts.iter().position(|s| *s == period) else {
                continue;
            };
            let rows = as_it_stood(
                &replay(now_facts, log, asked),
                stages,
                asked,
                kind,
                index + 1,
                None,
            );
            for r in rows.iter().filter(|r| r.period_start == period) {
                let Some(&actual) = won_in.get(&(period, r.currency.clone())) else {
                    continue;
                };
                trials.push(Trial {
                    period: r.period.clone(),
                    currency: r.currency.clone(),
                    weeks_before: w,
                    weighted: r.weighted,
                    expected: r.expected,
                    p10: r.p10,
                    p50: r.p50,
                    p90: r.p90,
                    method: r.method,
                    actual,
                });
            }
        }
    }
    trials
}

/// The methods' record over some trials, in percent rounded to one decimal: each
/// point forecast's mean absolute percentage error (MAPE, the measure, which
/// favours forecasts that run low) and its weighted absolute percentage error
/// (WAPE = Σ|forecast − actual| ÷ Σ actual, which does not), its bias
/// (Σ(forecast − actual) ÷ Σ actual), and how often the actual fell inside P10–P90.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub trials: usize,
    pub weighted: Errors,
    pub expected: Errors,
    pub median: Errors,
    pub inside_range: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Errors {
    pub mape: f64,
    pub wape: f64,
    pub bias: f64,
}

pub fn record(trials: &[Trial]) -> Record {
    let n = trials.len().max(1) as f64;
    let round = |v: f64| (v * 10.0).round() / 10.0;
    let actual: f64 = trials.iter().map(|t| t.actual as f64).sum::<f64>().max(1.0);
    let errors = |said: fn(&Trial) -> i64| {
        let off = |t: &Trial| (said(t) - t.actual) as f64;
        Errors {
            mape: round(
                trials
                    .iter()
                    .map(|t| off(t).abs() / t.actual.max(1) as f64)
                    .sum::<f64>()
                    * 100.0
                    / n,
            ),
            wape: round(trials.iter().map(|t| off(t).abs()).sum::<f64>() * 100.0 / actual),
            bias: round(trials.iter().map(off).sum::<f64>() * 100.0 / actual),
        }
    };
    let inside = trials
        .iter()
        .filter(|t| t.p10 <= t.actual && t.actual <= t.p90)
        .count() as f64;
    Record {
        trials: trials.len(),
        weighted: errors(|t| t.weighted),
        expected: errors(|t| t.expected),
        median: errors(|t| t.p50),
        inside_range: round(inside * 100.0 / n),
    }
}

/// The forecast page: the rows for one pipeline, period kind and owner (or the team),
/// with the goals set from this period on and what the page needs around them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastPage {
    pub me: super::user::User,
    pub pipelines: Vec<(super::ids::PipelineId, String)>,
    pub pipeline_id: super::ids::PipelineId,
    pub users: Vec<(UserId, String)>,
    pub kind: PeriodKind,
    pub owner: Option<UserId>,
    pub rows: Vec<ForecastRow>,
    pub goals: Vec<super::goal::Goal>,
    /// Finished deals the empirical method rests on, and how many it needs.
    pub history_deals: i64,
    pub min_history: i64,
    /// Finished months the log covers (see `finished_months`), and how many it needs.
    pub history_months: i64,
    pub min_months: i64,
    /// Periods a goal may be set for from this page, by name: this one and those after.
    pub goal_periods: Vec<String>,
    /// What the team's forecast said before each recent closed period began, against
    /// what was won (empty when the page is for one owner).
    pub track_record: super::track_record::TrackRecord,
}

/// Periods a goal may be set for: the current one and the next few, by name.
pub fn goal_periods(kind: PeriodKind, today: NaiveDate) -> Vec<String> {
    let count = match kind {
        PeriodKind::Month => 6,
        PeriodKind::Quarter => 4,
    };
    kind.ahead(today, count)
        .0
        .into_iter()
        .map(|s| kind.name(s))
        .collect()
}

/// One period of a range chart, each figure in percent of the chart's width.
#[derive(Clone, Debug, PartialEq)]
pub struct RangeBar {
    pub period: String,
    pub won: f64,
    pub low: f64,
    pub high: f64,
    pub expected: f64,
    pub goal: Option<f64>,
}

/// The rows of one currency drawn to one scale: the largest of any period's P90, goal
/// and won fills the width.
pub fn range_bars(rows: &[ForecastRow], currency: &Currency) -> Vec<RangeBar> {
    let mine: Vec<&ForecastRow> = rows.iter().filter(|r| &r.currency == currency).collect();
    let widest = mine
        .iter()
        .flat_map(|r| [r.p90, r.won, r.expected, r.goal.unwrap_or(0)])
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let pct = |v: i64| (v.max(0) as f64 * 100.0 / widest).clamp(0.0, 100.0);
    mine.into_iter()
        .map(|r| RangeBar {
            period: r.period.clone(),
            won: pct(r.won),
            low: pct(r.p10),
            high: pct(r.p90),
            expected: pct(r.expected),
            goal: r.goal.map(pct),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sek() -> Currency {
        Currency::parse("SEK").unwrap()
    }
    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }
    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }
    fn today() -> NaiveDate {
        date(2026, 3, 10)
    }

    fn deal(stage: StageId, value: i64, probability: i64, close: Option<NaiveDate>) -> OpenDeal {
        OpenDeal {
            id: DealId::new(),
            owner_id: UserId(uuid::Uuid::nil()),
            stage_id: stage,
            value,
            currency: sek(),
            probability,
            own_probability: false,
            expected_close: close,
            days_in_stage: 0,
            lead_source: None,
            category: ForecastCategory::from_chance(probability),
            own_category: false,
        }
    }

    #[test]
    fn open_deals_closing_in_a_period_are_summed_by_forecast_category() {
        let stage = StageId::new();
        let this_month = Some(date(2026, 3, 20));
        let mut committed = deal(stage, 400, 20, this_month);
        committed.category = ForecastCategory::Commit;
        let open = [
            committed,
            deal(stage, 300, 60, this_month),
            deal(stage, 200, 10, this_month),
            deal(stage, 100, 90, Some(date(2026, 4, 2))),
        ];
        let rows = run(&open, &[], &[], 0);
        let march = (rows[0].commit, rows[0].best_case, rows[0].pipeline);
        assert_eq!(march, (400, 300, 200), "the rep's commit, then by chance");
        assert_eq!(
            (rows[1].commit, rows[1].best_case, rows[1].pipeline),
            (100, 0, 0)
        );
    }

    fn stay(stage: StageId, days: i64, won: bool, days_to_close: i64) -> Stay {
        Stay {
            deal_id: DealId::new(),
            stage_id: stage,
            lead_source: None,
            days,
            won,
            days_to_close,
        }
    }

    fn won_deal(value: i64, created_on: NaiveDate, won_on: NaiveDate) -> WonDeal {
        WonDeal {
            owner_id: UserId(uuid::Uuid::nil()),
            value,
            currency: sek(),
            created_on,
            won_on,
        }
    }

    fn run(open: &[OpenDeal], won: &[WonDeal], stays: &[Stay], history: usize) -> Vec<ForecastRow> {
        forecast(&Input {
            open,
            won,
            stays,
            history_deals: history,
            history_from: won.iter().map(|w| w.created_on).min(),
            today: today(),
            kind: PeriodKind::Month,
            periods: 3,
        })
    }

    #[test]
    fn a_range_chart_scales_each_currency_to_its_widest_figure() {
        let row = |period: &str, currency: Currency, won, p10, p90, goal| ForecastRow {
            period: period.into(),
            period_start: date(2026, 3, 1),
            currency,
            weighted: 0,
            expected: (p10 + p90) / 2,
            p10,
            p50: 0,
            p90,
            won,
            goal,
            method: Method::Empirical,
            history_deals: 0,
            closing_deals: 0,
            commit: 0,
            best_case: 0,
            pipeline: 0,
        };
        let rows = [
            row("2026-03", sek(), 100, 200, 400, Some(800)),
            row("2026-04", sek(), 0, 0, 600, None),
            row("2026-03", eur(), 5, 5, 10, None),
        ];
        let bars = range_bars(&rows, &sek());
        assert_eq!(bars.len(), 2);
        assert_eq!(
            (
                bars[0].won,
                bars[0].low,
                bars[0].high,
                bars[0].expected,
                bars[0].goal
            ),
            (12.5, 25.0, 50.0, 37.5, Some(100.0))
        );
        assert_eq!((bars[1].high, bars[1].goal), (75.0, None));
        assert_eq!(range_bars(&rows, &eur())[0].high, 100.0);
    }

    #[test]
    fn periods_are_named_as_the_api_names_them() {
        let (starts, end) = PeriodKind::Quarter.ahead(date(2026, 11, 27), 2);
        assert_eq!(starts, [date(2026, 10, 1), date(2027, 1, 1)]);
        assert_eq!(end, date(2027, 4, 1));
        assert_eq!(PeriodKind::Quarter.name(starts[1]), "2027-Q1");
        assert_eq!(PeriodKind::Month.name(date(2026, 3, 1)), "2026-03");
        assert_eq!(
            goal_periods(PeriodKind::Quarter, date(2026, 11, 27)),
            ["2026-Q4", "2027-Q1", "2027-Q2", "2027-Q3"]
        );
        assert!(PeriodKind::parse("week").is_err());
        assert_eq!(
            PeriodKind::parse_name("2026-Q4").unwrap(),
            (PeriodKind::Quarter, date(2026, 10, 1))
        );
        assert_eq!(
            PeriodKind::parse_name(" 2027-01 ").unwrap(),
            (PeriodKind::Month, date(2027, 1, 1))
        );
        for bad in [
            "2026-13", "2026-Q5", "2026-1", "26-01", "soon", "2026-Q", "9999-01",
        ] {
            let refused = PeriodKind::parse_name(bad).unwrap_err();
            assert_eq!(refused.field(), Some("period"), "{bad}");
        }
    }

    #[test]
    fn the_weighted_forecast_is_value_times_chance_in_the_month_of_the_close_date() {
        let stage = StageId::new();
        let mut in_euros = deal(stage, 10_000, 50, Some(date(2026, 3, 20)));
        in_euros.currency = eur();
        let open = [
            deal(stage, 10_000, 25, Some(date(2026, 3, 31))),
            deal(stage, 333, 10, Some(date(2026, 3, 1))),
            deal(stage, 20_000, 80, Some(date(2026, 4, 1))),
            // Overdue, undated and too far ahead: in no period.
            deal(stage, 50_000, 80, Some(date(2026, 2, 28))),
            deal(stage, 50_000, 80, None),
            deal(stage, 50_000, 80, Some(date(2026, 6, 1))),
            in_euros,
        ];
        let won = [won_deal(1_000, date(2026, 1, 2), date(2026, 3, 2))];
        let rows = run(&open, &won, &[], 0);
        let get = |period: &str, c: Currency| {
            rows.iter()
                .find(|r| r.period == period && r.currency == c)
                .unwrap()
                .clone()
        };
        // 1 000 won + 10 000 × 25 % + 333 × 10 % (33.3, rounded once).
        assert_eq!(get("2026-03", sek()).weighted, 1_000 + 2_500 + 33);
        assert_eq!(get("2026-03", sek()).won, 1_000);
        assert_eq!(get("2026-04", sek()).weighted, 16_000);
        assert_eq!(get("2026-05", sek()).weighted, 0);
        assert_eq!(get("2026-03", eur()).weighted, 5_000);
        assert_eq!(rows.len(), 6, "three months × two currencies, never added");
    }

    #[test]
    fn with_little_history_the_range_comes_from_stage_chances_and_says_so() {
        let stage = StageId::new();
        let open = [deal(stage, 10_000, 100, Some(date(2026, 3, 20)))];
        let rows = run(&open, &[], &[], MIN_HISTORY - 1);
        assert_eq!(rows[0].method, Method::StageProbability);
        assert_eq!(rows[0].history_deals, (MIN_HISTORY - 1) as i64);
        assert_eq!(
            (rows[0].expected, rows[0].p10, rows[0].p90),
            (10_000, 10_000, 10_000)
        );
    }

    #[test]
    fn a_log_two_months_long_forecasts_from_stage_chances_not_from_its_quickest_deals() {
        // 40 finished deals, all won within a day: a log begun in January (two
        // finished months before March) has seen only its quickest deals. From them
        // alone April would get nothing, for sure; the deal's own chance and date say
        // 60 % of 1 000 in April.
        let stage = StageId::new();
        let stays: Vec<Stay> = (0..40).map(|i| stay(stage, 1, i % 2 == 0, 1)).collect();
        let won = [won_deal(500, date(2026, 1, 15), date(2026, 1, 16))];
        let open = [deal(stage, 1_000, 60, Some(date(2026, 4, 10)))];
        let rows = run(&open, &won, &stays, 40);
        assert_eq!(rows[0].method, Method::StageProbability);
        assert_eq!(rows[1].expected, 600, "{:?}", rows[1]);
        assert_eq!((rows[1].p10, rows[1].p90), (0, 1_000));

        // A month more of log, and experience speaks.
        let won = [won_deal(500, date(2025, 12, 15), date(2025, 12, 16))];
        let rows = run(&open, &won, &stays, 40);
        assert_eq!(rows[0].method, Method::Empirical);
    }

    #[test]
    fn a_mean_read_from_three_months_is_less_sure_than_one_read_from_six() {
        // Student's t: 5 % of draws lie above 2.920 with 2 degrees of freedom (three
        // months read), above 2.015 with 5 (six), above 1.645 for a normal.
        let above = |freedom: f64, at: f64| {
            let mut dice = Dice(11);
            let n = 40_000;
            let hits = (0..n)
                .filter(|_| student_t(freedom, &mut dice) > at)
                .count();
            hits as f64 / n as f64
        };
        for (freedom, at) in [(2.0, 2.920), (5.0, 2.015), (f64::INFINITY, 1.645)] {
            let share = above(freedom, at);
            assert!((0.045..=0.055).contains(&share), "{freedom}: {share}");
        }
    }

    #[test]
    fn the_months_a_log_covers_count_the_month_it_began_and_not_this_one() {
        let today = date(2026, 3, 10);
        assert_eq!(finished_months(Some(date(2026, 3, 1)), today), 0);
        assert_eq!(finished_months(Some(date(2026, 1, 31)), today), 2);
        assert_eq!(finished_months(Some(date(2025, 12, 1)), today), 3);
        assert_eq!(finished_months(Some(date(2027, 1, 1)), today), 0);
        assert_eq!(finished_months(None, today), usize::MAX);
    }

    #[test]
    fn ten_coin_flip_deals_give_the_binomial_range() {
        // Half of the deals that sat in this stage were won, each a day later: ten open
        // deals of 100 are Binomial(10, ½) × 100. P(X ≤ 2) = 5.5 %, P(X ≤ 3) = 17.2 %,
        // P(X ≤ 4) = 37.7 %, P(X ≤ 5) = 62.3 %, P(X ≤ 6) = 82.8 %, P(X ≤ 7) = 94.5 %:
        // so P10 = 300, P50 = 500, P90 = 700 and the mean is 500.
        let stage = StageId::new();
        let stays: Vec<Stay> = (0..40).map(|i| stay(stage, 1, i % 2 == 0, 1)).collect();
        let open: Vec<OpenDeal> = (0..10).map(|_| deal(stage, 100, 10, None)).collect();
        let rows = run(&open, &[], &stays, 40);
        let march = &rows[0];
        assert_eq!(march.method, Method::Empirical);
        assert_eq!((march.p10, march.p50, march.p90), (300, 500, 700));
        assert!((480..=520).contains(&march.expected), "{}", march.expected);
        assert_eq!(rows[1].expected, 0, "every win lands tomorrow, in March");
    }

    #[test]
    fn a_pipeline_too_large_to_simulate_deal_by_deal_keeps_the_range_of_its_sum() {
        // 10 000 deals of 100, each won with chance ½ this month: their sum has mean
        // 500 000 and standard deviation 100 × √(10 000 × ¼) = 5 000, and is normal to
        // within a fraction of a percent, so P10 and P90 lie 1.2816 deviations out:
        // 493 592 and 506 408. One deal of 1 000 000 at 30 %, simulated on its own, adds
        // 300 000 to the mean and makes P90 include it (P(won) > 10 %); P10 is then where
        // 0.7 × Φ(z) = 0.1, z = −1.067: 494 665.
        let stage = StageId::new();
        let this_month = Some(date(2026, 3, 20));
        let crowd: Vec<OpenDeal> = (0..10_000)
            .map(|_| deal(stage, 100, 50, this_month))
            .collect();
        let rows = run(&crowd, &[], &[], 0);
        let march = &rows[0];
        assert!(
            (499_500..=500_500).contains(&march.expected),
            "{}",
            march.expected
        );
        assert!((492_600..=494_600).contains(&march.p10), "{}", march.p10);
        assert!((499_000..=501_000).contains(&march.p50), "{}", march.p50);
        assert!((505_400..=507_400).contains(&march.p90), "{}", march.p90);
        assert_eq!(march.weighted, 500_000);

        let mut with_a_whale = crowd.clone();
        with_a_whale.push(deal(stage, 1_000_000, 30, this_month));
        let march = &run(&with_a_whale, &[], &[], 0)[0];
        assert!(
            (770_000..=830_000).contains(&march.expected),
            "{}",
            march.expected
        );
        assert!((493_700..=495_700).contains(&march.p10), "{}", march.p10);
        assert!(march.p90 > 1_490_000, "{}", march.p90);
    }

    #[test]
    fn a_crowd_of_deals_is_won_when_deals_like_them_were() {
        // Half the stays were won; half the winners took a day (11 March), half 30 days
        // (9 April): each of 2 000 open deals of 100 lands in March with chance ¼ and
        // in April with chance ¼, so each month expects 50 000 (σ ≈ 1 936).
        let stage = StageId::new();
        let stays: Vec<Stay> = (0..40)
            .map(|i| stay(stage, 1, i % 2 == 0, if i % 4 == 0 { 1 } else { 30 }))
            .collect();
        let open: Vec<OpenDeal> = (0..2_000).map(|_| deal(stage, 100, 10, None)).collect();
        let rows = run(&open, &[], &stays, 40);
        assert_eq!(rows[0].method, Method::Empirical);
        for month in &rows[..2] {
            assert!(
                (49_500..=50_500).contains(&month.expected),
                "{}: {}",
                month.period,
                month.expected
            );
        }
        assert_eq!(rows[2].expected, 0, "nothing lands in May");
    }

    #[test]
    fn the_same_data_gives_the_same_numbers() {
        let stage = StageId::new();
        let stays: Vec<Stay> = (0..30)
            .map(|i| stay(stage, i, i % 3 == 0, i + 20))
            .collect();
        let open: Vec<OpenDeal> = (0..25).map(|i| deal(stage, 1_000 + i, 10, None)).collect();
        let mut shuffled = open.clone();
        shuffled.reverse();
        assert_eq!(run(&open, &[], &stays, 30), run(&shuffled, &[], &stays, 30));
    }

    #[test]
    fn a_deal_that_sat_longer_than_the_winners_did_is_worth_less() {
        let stage = StageId::new();
        // Winners left the stage within 10 days; deals still there at 30 were all lost.
        let mut stays: Vec<Stay> = (0..10).map(|i| stay(stage, i, true, i + 5)).collect();
        stays.extend((0..10).map(|i| stay(stage, 30 + i, false, 30 + i)));
        let history = History::new(&stays);
        let mut fresh = deal(stage, 100, 50, None);
        assert_eq!(history.odds(&fresh).unwrap().won, 0.5);
        fresh.days_in_stage = 25;
        assert_eq!(history.odds(&fresh).unwrap().won, 0.0);
        fresh.days_in_stage = 5;
        let odds = history.odds(&fresh).unwrap();
        // Stays at least 5 days long: winners of 5..9 days and all ten losers.
        assert_eq!(odds.won, 5.0 / 15.0);
        assert_eq!(odds.days_left, [5, 6, 7, 8, 9]);
    }

    #[test]
    fn a_deal_is_read_against_its_own_lead_source_when_there_is_enough_of_it() {
        let stage = StageId::new();
        let mut stays = Vec::new();
        for i in 0..10 {
            stays.push(Stay {
                lead_source: Some("Referral".into()),
                ..stay(stage, i, true, i)
            });
            stays.push(Stay {
                lead_source: Some("Cold call".into()),
                ..stay(stage, i, i == 0, i)
            });
        }
        let history = History::new(&stays);
        let mut d = deal(stage, 100, 50, None);
        assert_eq!(history.odds(&d).unwrap().won, 11.0 / 20.0);
        d.lead_source = Some("Referral".into());
        assert_eq!(history.odds(&d).unwrap().won, 1.0);
        d.lead_source = Some("Cold call".into());
        assert_eq!(history.odds(&d).unwrap().won, 0.1);
    }

    #[test]
    fn a_stage_without_enough_history_falls_back_to_the_deals_own_chance() {
        let (known, new) = (StageId::new(), StageId::new());
        let stays: Vec<Stay> = (0..30).map(|i| stay(known, i, false, i)).collect();
        assert!(History::new(&stays).odds(&deal(new, 1, 50, None)).is_none());
        let open = [deal(new, 10_000, 100, Some(date(2026, 4, 2)))];
        let rows = run(&open, &[], &stays, 30);
        assert_eq!(rows[0].method, Method::Empirical);
        assert_eq!(rows[1].expected, 10_000, "April, by its close date");
    }

    #[test]
    fn the_backtest_replays_what_was_known_weeks_before_each_closed_period() {
        use crate::domain::replay::Step;
        use chrono::TimeZone;
        let stage = Stage {
            id: StageId::new(),
            pipeline_id: crate::domain::ids::PipelineId::new(),
            name: "Proposal".into(),
            position: 0,
            probability: 50,
            rotting_days: None,
            version: 1,
        };
        let noon = |m, d| Utc.with_ymd_and_hms(2026, m, d, 12, 0, 0).unwrap();
        let facts = |value, close| Facts {
            id: DealId::new(),
            title: "Deal".into(),
            value,
            currency: sek(),
            owner_id: UserId(uuid::Uuid::nil()),
            expected_close: Some(close),
            probability: None,
            lead_source: None,
            forecast_category: None,
        };
        let a = facts(1_000, date(2026, 2, 10));
        let b = facts(3_000, date(2026, 2, 20));
        let step = |f: &Facts, at, step| Entry {
            deal_id: f.id,
            at,
            step,
        };
        let log = [
            step(&a, noon(1, 5), Step::Created(stage.id)),
            step(&b, noon(1, 6), Step::Created(stage.id)),
            step(&a, noon(2, 10), Step::Won),
            step(&b, noon(2, 20), Step::Lost("Price".into())),
        ];
        let trials = backtest(
            &[a, b],
            &log,
            &[stage],
            noon(3, 15),
            PeriodKind::Month,
            1,
            &[1, 8],
        );
        // A week before February both deals were open at 50 %; eight weeks before,
        // neither existed, so there was nothing to say.
        assert_eq!(trials.len(), 1);
        let t = &trials[0];
        assert_eq!((t.period.as_str(), t.weeks_before), ("2026-02", 1));
        assert_eq!((t.weighted, t.actual), (2_000, 1_000));
        assert_eq!(t.method, Method::StageProbability);
        assert_eq!((t.p10, t.p90), (0, 4_000));
        let r = record(&trials);
        assert_eq!((r.trials, r.inside_range), (1, 100.0));
        assert_eq!(
            (r.weighted.mape, r.weighted.wape, r.weighted.bias),
            (100.0, 100.0, 100.0),
            "2 000 said against 1 000 won"
        );
    }

    #[test]
    fn months_far_ahead_read_the_last_finished_months_but_none_before_the_log_began() {
        // The log began in December; each month since won two deals of 100 created in
        // it. Each month of the third quarter, months after the last one read, should
        // bring as much (not nothing, and not the half that six months would give if
        // three of them, before the log began, counted as months with nothing won).
        let stage = StageId::new();
        let mut won = Vec::new();
        for (y, m) in [(2025, 12), (2026, 1), (2026, 2)] {
            for day in [10, 20] {
                won.push(won_deal(100, date(y, m, day - 5), date(y, m, day)));
            }
        }
        let stays: Vec<Stay> = (0..30).map(|i| stay(stage, i, false, i)).collect();
        let rows = forecast(&Input {
            open: &[],
            won: &won,
            stays: &stays,
            history_deals: MIN_HISTORY,
            history_from: Some(date(2025, 12, 5)),
            today: today(),
            kind: PeriodKind::Quarter,
            periods: 3,
        });
        let third = rows.iter().find(|r| r.period == "2026-Q3").unwrap();
        assert!((550..=650).contains(&third.expected), "{}", third.expected);
    }

    #[test]
    fn a_large_business_still_to_come_keeps_the_range_of_its_sum() {
        // Each of the last six months won 1,000 deals of 100, none open: next month
        // brings N such deals, Poisson with a mean itself uncertain by √(1000/6), so
        // N spreads by √(1000 + 1000/6) = 34.16 and the sum by 3,416 around 100,000:
        // P10 and P90 at 100,000 ∓ 1.2816 × 3,416 = 95,622 and 104,378.
        let stage = StageId::new();
        let mut won = Vec::new();
        for month in 9..=14u32 {
            let (y, m) = (2025 + (month - 1) as i32 / 12, (month - 1) % 12 + 1);
            for i in 0..1_000 {
                won.push(won_deal(100, date(y, m, 5), date(y, m, 10 + i % 10)));
            }
        }
        let stays: Vec<Stay> = (0..30).map(|i| stay(stage, i, false, i)).collect();
        let rows = run(&[], &won, &stays, MIN_HISTORY);
        let april = rows.iter().find(|r| r.period == "2026-04").unwrap();
        let near = |got: i64, want: i64| (got - want).abs() <= want / 100;
        assert!(near(april.expected, 100_000), "{}", april.expected);
        assert!(near(april.p10, 95_622), "{}", april.p10);
        assert!(near(april.p90, 104_378), "{}", april.p90);
    }

    #[test]
    fn business_still_to_come_follows_what_past_months_brought_in() {
        // Each of the last six months won two deals of 100 that were created in it, and
        // nothing is open: next month should bring Poisson(2) such deals. P(N = 0) =
        // 13.5 %, P(N ≤ 2) = 67.7 % with P(N ≤ 1) = 40.6 %, P(N ≤ 3) = 85.7 % and
        // P(N ≤ 4) = 94.7 %: so P10 = 0, P50 = 200, P90 = 400, and the mean is 200 (a
        // mean read from six months is itself uncertain by √(2/6), which widens the
        // spread a little but moves none of these).
        let stage = StageId::new();
        let mut won = Vec::new();
        for month in 9..=14u32 {
            let (y, m) = (2025 + (month - 1) as i32 / 12, (month - 1) % 12 + 1);
            for day in [10, 20] {
                won.push(won_deal(100, date(y, m, day - 5), date(y, m, day)));
            }
        }
        let stays: Vec<Stay> = (0..30).map(|i| stay(stage, i, false, i)).collect();
        let rows = run(&[], &won, &stays, MIN_HISTORY);
        let april = rows.iter().find(|r| r.period == "2026-04").unwrap();
        assert_eq!((april.p10, april.p50, april.p90), (0, 200, 400));
        assert!((190..=210).contains(&april.expected), "{}", april.expected);
        assert_eq!(
            april.weighted, 0,
            "the weighted method sees only open deals"
        );
        // March is under way: its wins so far are counted, and the rest of it is
        // read from how much the past months won after their tenth day.
        let march = &rows[0];
        assert_eq!(march.won, 0);
        assert!((90..=110).contains(&march.expected), "{}", march.expected);
    }
}
