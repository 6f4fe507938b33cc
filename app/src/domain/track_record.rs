//! The forecast's track record: what the team's forecast said 1, 4 and 8 weeks before a
//! period began (as the server wrote it down that day) against what was then won in
//! it. Nothing here is reconstructed: a period before the first snapshot has no record.

use super::forecast::{ForecastRow, Method, PeriodKind, WonDeal, LEADS};
use super::money::Currency;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// Closed periods the forecast page looks back over.
pub const CLOSED_PERIODS: usize = 6;
/// Periods each snapshot holds: the current one and those after it, far enough ahead
/// that a snapshot 8 weeks before a period began holds that period.
pub const SNAPSHOT_PERIODS: usize = 4;
/// A snapshot stands for "w weeks before" when it was taken in the week up to that day
/// (a server that was down that day still has the day before's).
pub const STALE_DAYS: i64 = 7;

/// One period's forecast in one currency, as it was on `taken_on`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub taken_on: NaiveDate,
    pub kind: PeriodKind,
    pub period_start: NaiveDate,
    pub currency: Currency,
    pub weighted: i64,
    pub expected: i64,
    pub p10: i64,
    pub p90: i64,
    pub method: Method,
}

impl Snapshot {
    /// Today's forecast rows (the team's) as snapshots taken today.
    pub fn of(rows: &[ForecastRow], kind: PeriodKind, taken_on: NaiveDate) -> Vec<Snapshot> {
        rows.iter()
            .map(|r| Snapshot {
                taken_on,
                kind,
                period_start: r.period_start,
                currency: r.currency.clone(),
                weighted: r.weighted,
                expected: r.expected,
                p10: r.p10,
                p90: r.p90,
                method: r.method,
            })
            .collect()
    }
}

/// What the forecast said some weeks before a period began.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Said {
    pub taken_on: NaiveDate,
    pub weighted: i64,
    pub expected: i64,
    pub p10: i64,
    pub p90: i64,
    pub method: Method,
    /// Whether what was won fell inside P10–P90.
    pub inside: bool,
}

/// One closed period in one currency: what was won, and what was said before it began,
/// one entry per lead in `TrackRecord::leads` (`None`: no snapshot from then).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RecordRow {
    /// "2026-10" or "2026-Q3".
    pub period: String,
    pub period_start: NaiveDate,
    pub currency: Currency,
    pub won: i64,
    pub said: Vec<Option<Said>>,
}

/// The track record of one pipeline's team forecast, newest period first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TrackRecord {
    /// Weeks before each period began, in the order of each row's `said`.
    pub leads: Vec<i64>,
    pub rows: Vec<RecordRow>,
    /// Per lead, in the order of `leads`: how the forecast said then fared.
    pub held: Vec<Held>,
}

/// Of the rows with a forecast from one lead, how many there were (`said`) and in how
/// many the actual fell inside P10–P90 (`inside`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Held {
    pub said: usize,
    pub inside: usize,
}

/// The record of the `CLOSED_PERIODS` periods of `kind` before the one `today` falls
/// in, read from `snapshots` (any periods, any kinds) and the deals `won`. A period
/// with no snapshot from any lead is left out.
pub fn track_record(
    snapshots: &[Snapshot],
    won: &[WonDeal],
    kind: PeriodKind,
    today: NaiveDate,
) -> TrackRecord {
    let this = kind.span(today).0;
    let mut won_in = HashMap::<(NaiveDate, &Currency), i64>::new();
    for w in won {
        *won_in
            .entry((kind.span(w.won_on).0, &w.currency))
            .or_default() += w.value;
    }
    let said_on = |start: NaiveDate, currency: &Currency, weeks: i64, won: i64| {
        let day = start - chrono::Days::new(7 * weeks as u64);
        snapshots
            .iter()
            .filter(|s| {
                s.kind == kind
                    && s.period_start == start
                    && &s.currency == currency
                    && s.taken_on <= day
                    && (day - s.taken_on).num_days() < STALE_DAYS
            })
            .max_by_key(|s| s.taken_on)
            .map(|s| Said {
                taken_on: s.taken_on,
                weighted: s.weighted,
                expected: s.expected,
                p10: s.p10,
                p90: s.p90,
                method: s.method,
                inside: s.p10 <= won && won <= s.p90,
            })
    };
    let mut rows = Vec::new();
    for n in 1..=CLOSED_PERIODS {
        let start = kind.before(this, n);
        let currencies: BTreeSet<&Currency> = snapshots
            .iter()
            .filter(|s| s.kind == kind && s.period_start == start)
            .map(|s| &s.currency)
            .collect();
        for currency in currencies {
            let won = won_in.get(&(start, currency)).copied().unwrap_or(0);
            let said: Vec<Option<Said>> = LEADS
                .iter()
                .map(|w| said_on(start, currency, *w, won))
                .collect();
            if said.iter().any(Option::is_some) {
                rows.push(RecordRow {
                    period: kind.name(start),
                    period_start: start,
                    currency: currency.clone(),
                    won,
                    said,
                });
            }
        }
    }
    let held = (0..LEADS.len())
        .map(|i| {
            let said = rows.iter().filter_map(|r| r.said[i].as_ref());
            let inside = said.clone().filter(|s| s.inside).count();
            Held {
                said: said.count(),
                inside,
            }
        })
        .collect();
    TrackRecord {
        leads: LEADS.to_vec(),
        rows,
        held,
    }
}

/// The days a snapshot must exist for the record of the last `CLOSED_PERIODS` periods
/// of `kind` before `today`'s: each lead before each period began.
pub fn days_wanted(kind: PeriodKind, today: NaiveDate) -> Vec<NaiveDate> {
    let this = kind.span(today).0;
    let days: BTreeSet<NaiveDate> = (1..=CLOSED_PERIODS)
        .flat_map(|n| {
            let start = kind.before(this, n);
            LEADS
                .iter()
                .map(move |w| start - chrono::Days::new(7 * *w as u64))
        })
        .collect();
    days.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::UserId;

    fn held(r: &TrackRecord) -> Vec<(usize, usize)> {
        r.held.iter().map(|h| (h.said, h.inside)).collect()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn sek() -> Currency {
        Currency::parse("SEK").unwrap()
    }

    fn snap(taken_on: &str, period: &str, expected: i64, p10: i64, p90: i64) -> Snapshot {
        Snapshot {
            taken_on: day(taken_on),
            kind: PeriodKind::Month,
            period_start: day(period),
            currency: sek(),
            weighted: expected / 2,
            expected,
            p10,
            p90,
            method: Method::Empirical,
        }
    }

    fn won(on: &str, value: i64) -> WonDeal {
        WonDeal {
            owner_id: UserId::new(),
            value,
            currency: sek(),
            created_on: day("2026-01-01"),
            won_on: day(on),
        }
    }

    #[test]
    fn a_closed_month_shows_what_was_said_one_four_and_eight_weeks_before_against_what_was_won() {
        // October 2026 began on Thursday the 1st: 1 week before is 24 September, 4 weeks
        // before 3 September, 8 weeks before 6 August.
        let snapshots = vec![
            snap("2026-09-24", "2026-10-01", 900, 700, 1_100),
            snap("2026-09-23", "2026-10-01", 800, 600, 1_000),
            snap("2026-09-01", "2026-10-01", 500, 400, 600),
            snap("2026-08-06", "2026-10-01", 300, 100, 400),
            // Taken after the 1-week mark: not what was said a week before.
            snap("2026-09-30", "2026-10-01", 1_000, 990, 1_010),
        ];
        let won = [
            won("2026-10-05", 600),
            won("2026-10-30", 400),
            won("2026-11-02", 50),
        ];
        let record = track_record(&snapshots, &won, PeriodKind::Month, day("2026-11-28"));
        assert_eq!(record.leads, vec![1, 4, 8]);
        assert_eq!(record.rows.len(), 1);
        let october = &record.rows[0];
        assert_eq!(october.period, "2026-10");
        assert_eq!(october.won, 1_000);
        let said: Vec<_> = october.said.iter().map(|s| s.clone().unwrap()).collect();
        assert_eq!(said[0].taken_on, day("2026-09-24"));
        assert_eq!((said[0].expected, said[0].inside), (900, true));
        // The newest in the week up to 3 September: the 1st.
        assert_eq!(said[1].taken_on, day("2026-09-01"));
        assert_eq!((said[1].expected, said[1].inside), (500, false));
        assert_eq!(said[2].taken_on, day("2026-08-06"));
        assert_eq!(said[2].weighted, 150);
        assert_eq!(held(&record), vec![(1, 1), (1, 0), (1, 0)]);
    }

    #[test]
    fn a_snapshot_older_than_a_week_does_not_stand_for_a_lead_and_a_period_without_any_is_left_out()
    {
        let snapshots = vec![
            // 8 days before the 1-week mark of October, and nothing for September.
            snap("2026-09-16", "2026-10-01", 900, 700, 1_100),
            snap("2026-07-20", "2026-09-01", 900, 700, 1_100),
        ];
        let record = track_record(&snapshots, &[], PeriodKind::Month, day("2026-11-28"));
        // September's marks are 25 August, 4 August and 7 July: 20 July is after the
        // last and more than a week before the others. October's are 24 September
        // (the 16th is 8 days before it), 3 September and 6 August (after both).
        assert_eq!(record.rows, vec![]);
        assert_eq!(held(&record), vec![(0, 0), (0, 0), (0, 0)]);
    }

    #[test]
    fn a_month_with_nothing_won_counts_zero_and_the_current_month_is_not_on_the_record() {
        let snapshots = vec![
            snap("2026-10-25", "2026-11-01", 900, 0, 1_100),
            snap("2026-11-20", "2026-12-01", 900, 0, 1_100),
        ];
        let record = track_record(&snapshots, &[], PeriodKind::Month, day("2026-12-03"));
        assert_eq!(record.rows.len(), 1);
        assert_eq!(record.rows[0].period, "2026-11");
        assert_eq!(record.rows[0].won, 0);
        assert!(record.rows[0].said[0].as_ref().unwrap().inside);
    }

    #[test]
    fn quarters_read_quarter_snapshots_only() {
        let mut q = snap("2026-06-24", "2026-07-01", 5_000, 4_000, 6_000);
        q.kind = PeriodKind::Quarter;
        let snapshots = vec![q, snap("2026-06-24", "2026-07-01", 900, 700, 1_100)];
        let won = [won("2026-08-10", 4_500)];
        let record = track_record(&snapshots, &won, PeriodKind::Quarter, day("2026-11-28"));
        assert_eq!(record.rows.len(), 1);
        assert_eq!(record.rows[0].period, "2026-Q3");
        assert_eq!(record.rows[0].won, 4_500);
        let said = record.rows[0].said[0].as_ref().unwrap();
        assert_eq!((said.expected, said.inside), (5_000, true));
    }

    #[test]
    fn the_days_wanted_are_each_lead_before_each_closed_period() {
        let days = days_wanted(PeriodKind::Quarter, day("2026-11-28"));
        // Q3 began 1 July: 24 June, 3 June, 6 May; and so on back six quarters.
        assert!(days.contains(&day("2026-06-24")));
        assert!(days.contains(&day("2026-06-03")));
        assert!(days.contains(&day("2026-05-06")));
        assert_eq!(days.len(), CLOSED_PERIODS * LEADS.len());
        assert!(days.windows(2).all(|w| w[0] < w[1]));
    }
}
