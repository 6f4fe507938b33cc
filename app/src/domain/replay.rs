//! The deals as they stood at any instant, rebuilt from the append-only log: for the
//! board as of a past day, and for the forecast's history (how long deals sat in each
//! stage, and whether they were won in the end) as it was known on any day.
//!
//! The log's `created` entry names a deal's stage, title and value, but not its owner
//! or close date; so fields are learnt backwards: from the deal as it is now, undoing
//! every change made after the instant. Stages and outcomes are learnt forwards.

use super::deal::{DealStatus, ForecastCategory};
use super::event::{DealEvent, DealEventKind, FieldChange};
use super::ids::{DealId, StageId, UserId};
use super::money::Currency;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap};

/// What a log entry did, as far as replaying needs it.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Created(StageId),
    Moved(StageId),
    Won,
    /// Lost, with the reason given.
    Lost(String),
    Reopened,
    Deleted,
    Changed(Vec<FieldChange>),
}

/// One log entry. A replay reads them in log order.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub deal_id: DealId,
    pub at: DateTime<Utc>,
    pub step: Step,
}

impl From<&DealEvent> for Entry {
    fn from(e: &DealEvent) -> Self {
        let step = match &e.kind {
            DealEventKind::Created { stage_id, .. } => Step::Created(*stage_id),
            DealEventKind::Moved { to, .. } => Step::Moved(*to),
            DealEventKind::Won => Step::Won,
            DealEventKind::Lost { reason } => Step::Lost(reason.clone()),
            DealEventKind::Reopened => Step::Reopened,
            DealEventKind::Deleted => Step::Deleted,
            DealEventKind::Changed { changes } => Step::Changed(changes.clone()),
        };
        Entry {
            deal_id: e.deal_id,
            at: e.at,
            step,
        }
    }
}

/// A deal's own fields. Given as they are now, they come back as they were.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    pub id: DealId,
    pub title: String,
    pub value: i64,
    pub currency: Currency,
    pub owner_id: UserId,
    pub expected_close: Option<NaiveDate>,
    pub probability: Option<i64>,
    pub lead_source: Option<String>,
    pub forecast_category: Option<ForecastCategory>,
}

impl Facts {
    /// Puts back a field's earlier value.
    fn undo(&mut self, change: &FieldChange) {
        self.set(&change.field, &change.from);
    }

    /// Makes a field's change again (after undoing it).
    fn redo(&mut self, change: &FieldChange) {
        self.set(&change.field, &change.to);
    }

    /// Sets a field to a value as the log writes it. A value the log cannot have
    /// written (which would mean a damaged log) leaves the field as it is.
    fn set(&mut self, field: &str, before: &serde_json::Value) {
        let day = |v: &serde_json::Value| {
            v.as_str()
                .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        };
        match field {
            "title" => {
                if let Some(t) = before.as_str() {
                    self.title = t.to_string();
                }
            }
            "value" => {
                if let Some(v) = before.as_i64() {
                    self.value = v;
                }
            }
            "currency" => {
                if let Some(c) = before.as_str().and_then(|c| Currency::parse(c).ok()) {
                    self.currency = c;
                }
            }
            "expected_close_date" if before.is_null() => self.expected_close = None,
            "expected_close_date" => {
                if let Some(d) = day(before) {
                    self.expected_close = Some(d);
                }
            }
            "probability" if before.is_null() => self.probability = None,
            "probability" => {
                if let Some(p) = before.as_i64() {
                    self.probability = Some(p);
                }
            }
            "owner_id" => {
                if let Some(id) = before.as_str().and_then(|s| s.parse().ok()) {
                    self.owner_id = id;
                }
            }
            "lead_source" => self.lead_source = before.as_str().map(str::to_string),
            "forecast_category" => {
                if let Ok(category) = ForecastCategory::parse(before.as_str()) {
                    self.forecast_category = category;
                }
            }
            _ => {}
        }
    }
}

/// A deal as it stood at an instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Then {
    pub facts: Facts,
    pub stage_id: StageId,
    pub status: DealStatus,
    pub created_at: DateTime<Utc>,
    pub stage_entered_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The reason it was lost, when it stood lost.
    pub lost_reason: Option<String>,
    /// Every stage it sat in, in order (a stage moved back to is a second visit).
    pub visits: Vec<Visit>,
}

/// One stay of a finished deal in one stage: how long it sat there, whether the deal
/// was won in the end, and how long it took from entering the stage to that end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stay {
    pub deal_id: DealId,
    pub stage_id: StageId,
    pub lead_source: Option<String>,
    pub days: i64,
    pub won: bool,
    pub days_to_close: i64,
}

/// What a replay finds: every deal that existed and was not deleted at the instant
/// (ordered by id), and the stays of those that were finished by then (in the same
/// order of deals).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Replayed {
    pub deals: Vec<Then>,
    pub stays: Vec<Stay>,
}

impl Replayed {
    /// Puts `fresh`, a replay of the whole logs of the deals `ids`, in place of what
    /// these deals were: those `fresh` holds are replaced or added, the others (deleted,
    /// or gone to another pipeline) removed. The same as replaying everything again,
    /// in time proportional to the deals renewed.
    pub fn renew(&mut self, ids: &[DealId], fresh: Replayed) {
        let mut deals: HashMap<DealId, Then> =
            fresh.deals.into_iter().map(|d| (d.facts.id, d)).collect();
        let mut stays: HashMap<DealId, Vec<Stay>> = HashMap::new();
        for s in fresh.stays {
            stays.entry(s.deal_id).or_default().push(s);
        }
        for id in ids {
            let at = self.deals.binary_search_by_key(id, |d| d.facts.id);
            match (at, deals.remove(id)) {
                (Ok(i), Some(then)) => self.deals[i] = then,
                (Ok(i), None) => {
                    self.deals.remove(i);
                }
                (Err(i), Some(then)) => self.deals.insert(i, then),
                (Err(_), None) => {}
            }
            let from = self.stays.partition_point(|s| s.deal_id < *id);
            let to = self.stays.partition_point(|s| s.deal_id <= *id);
            self.stays
                .splice(from..to, stays.remove(id).unwrap_or_default());
        }
    }
}

/// A time a deal sat in a stage: from when it entered to when it moved on or was
/// closed (none while it still sits there).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Visit {
    pub stage_id: StageId,
    pub entered: DateTime<Utc>,
    pub left: Option<DateTime<Utc>>,
}

/// Replays `log` up to and including `until`. Each deal's entries must be in the order
/// they were logged; different deals' entries may interleave in any order (an import
/// logs a deal's past after another's). `now` holds the deals as they are now; a deal
/// the log names but `now` does not is left out.
pub fn replay(now: &[Facts], log: &[Entry], until: DateTime<Utc>) -> Replayed {
    let mut facts: HashMap<DealId, Facts> = now.iter().map(|f| (f.id, f.clone())).collect();
    for e in log.iter().rev().filter(|e| e.at > until) {
        if let (Step::Changed(changes), Some(f)) = (&e.step, facts.get_mut(&e.deal_id)) {
            for c in changes.iter().rev() {
                f.undo(c);
            }
        }
    }
    let mut deals = HashMap::<DealId, (Then, Vec<Visit>)>::new();
    let mut deleted = std::collections::HashSet::new();
    for e in log.iter().filter(|e| e.at <= until) {
        if let Step::Created(stage_id) = e.step {
            let Some(f) = facts.get(&e.deal_id) else {
                continue;
            };
            let then = Then {
                facts: f.clone(),
                stage_id,
                status: DealStatus::Open,
                created_at: e.at,
                stage_entered_at: e.at,
                closed_at: None,
                lost_reason: None,
                visits: Vec::new(),
            };
            let visit = Visit {
                stage_id,
                entered: e.at,
                left: None,
            };
            deals.insert(e.deal_id, (then, vec![visit]));
            continue;
        }
        let Some((then, visits)) = deals.get_mut(&e.deal_id) else {
            continue;
        };
        let last = visits.last_mut();
        match &e.step {
            Step::Moved(to) => {
                if let Some(v) = last {
                    v.left.get_or_insert(e.at);
                }
                then.stage_id = *to;
                then.stage_entered_at = e.at;
                visits.push(Visit {
                    stage_id: *to,
                    entered: e.at,
                    left: None,
                });
            }
            Step::Won | Step::Lost(_) => {
                (then.status, then.lost_reason) = match &e.step {
                    Step::Lost(reason) => (DealStatus::Lost, Some(reason.clone())),
                    _ => (DealStatus::Won, None),
                };
                then.closed_at = Some(e.at);
                if let Some(v) = last {
                    v.left.get_or_insert(e.at);
                }
            }
            Step::Reopened => {
                then.status = DealStatus::Open;
                then.closed_at = None;
                then.lost_reason = None;
                if let Some(v) = last {
                    v.left = None;
                }
            }
            Step::Deleted => {
                deleted.insert(e.deal_id);
            }
            Step::Created(_) | Step::Changed(_) => {}
        }
    }
    let mut out = Replayed::default();
    let mut ids: Vec<DealId> = deals.keys().copied().collect();
    ids.sort();
    for id in ids {
        if deleted.contains(&id) {
            continue;
        }
        let Some((mut then, visits)) = deals.remove(&id) else {
            continue;
        };
        if let Some(closed) = then.closed_at {
            let won = then.status == DealStatus::Won;
            for v in &visits {
                let left = v.left.unwrap_or(closed);
                out.stays.push(Stay {
                    deal_id: id,
                    stage_id: v.stage_id,
                    lead_source: then.facts.lead_source.clone(),
                    days: (left - v.entered).num_days().max(0),
                    won,
                    days_to_close: (closed - v.entered).num_days().max(0),
                });
            }
        }
        then.visits = visits;
        out.deals.push(then);
    }
    out
}

/// The open deals' count and value per currency at each of `instants` (ascending),
/// in one sweep of the log: each deal's fields as they were at that instant (undone
/// back to the first instant, then redone as the sweep passes their changes). The
/// same deals count as in `replay` at each instant, those `keep` keeps (it reads a
/// deal's fields as they were then).
pub fn open_over_time(
    now: &[Facts],
    log: &[Entry],
    instants: &[DateTime<Utc>],
    keep: impl Fn(&Facts) -> bool,
) -> Vec<BTreeMap<Currency, (i64, i128)>> {
    let Some(&first) = instants.first() else {
        return Vec::new();
    };
    let mut facts: HashMap<DealId, Facts> = now.iter().map(|f| (f.id, f.clone())).collect();
    for e in log.iter().rev().filter(|e| e.at > first) {
        if let (Step::Changed(changes), Some(f)) = (&e.step, facts.get_mut(&e.deal_id)) {
            for c in changes.iter().rev() {
                f.undo(c);
            }
        }
    }
    // In time order; a deal's own entries keep their log order (a stable sort).
    let mut order: Vec<&Entry> = log.iter().collect();
    order.sort_by_key(|e| e.at);
    let mut open = HashMap::<DealId, bool>::new();
    let mut deleted = std::collections::HashSet::new();
    let mut next = order.into_iter().peekable();
    let mut out = Vec::with_capacity(instants.len());
    for &instant in instants {
        while let Some(e) = next.next_if(|e| e.at <= instant) {
            match &e.step {
                Step::Created(_) => {
                    open.insert(e.deal_id, true);
                }
                Step::Won | Step::Lost(_) => {
                    open.insert(e.deal_id, false);
                }
                Step::Reopened => {
                    open.insert(e.deal_id, true);
                }
                Step::Deleted => {
                    deleted.insert(e.deal_id);
                }
                Step::Moved(_) => {}
                Step::Changed(changes) if e.at > first => {
                    if let Some(f) = facts.get_mut(&e.deal_id) {
                        changes.iter().for_each(|c| f.redo(c));
                    }
                }
                Step::Changed(_) => {}
            }
        }
        let mut sums = BTreeMap::<Currency, (i64, i128)>::new();
        for (id, _) in open.iter().filter(|(_, open)| **open) {
            if deleted.contains(id) {
                continue;
            }
            if let Some(f) = facts.get(id).filter(|f| keep(f)) {
                let sum = sums.entry(f.currency.clone()).or_default();
                sum.0 += 1;
                sum.1 += i128::from(f.value);
            }
        }
        out.push(sums);
    }
    out
}

/// `open_over_time` over the whole log, read from the whole logs (`log`) of the deals
/// logged after the first instant (`touched`, as they are now) and, for every other
/// deal, from `now` (the log replayed to its end): a deal with nothing logged since the
/// first instant stood then as it stands now, so it is open at every instant or at none.
/// Its cost follows what was logged since the first instant, not the whole log.
pub fn open_over_time_since(
    now: &Replayed,
    touched: &[Facts],
    log: &[Entry],
    instants: &[DateTime<Utc>],
    keep: impl Fn(&Facts) -> bool,
) -> Vec<BTreeMap<Currency, (i64, i128)>> {
    let mut out = open_over_time(touched, log, instants, &keep);
    let logged: std::collections::HashSet<DealId> = log.iter().map(|e| e.deal_id).collect();
    let mut still = BTreeMap::<Currency, (i64, i128)>::new();
    for d in &now.deals {
        if d.status == DealStatus::Open && !logged.contains(&d.facts.id) && keep(&d.facts) {
            let sum = still.entry(d.facts.currency.clone()).or_default();
            sum.0 += 1;
            sum.1 += i128::from(d.facts.value);
        }
    }
    for sums in &mut out {
        for (currency, (count, value)) in &still {
            let sum = sums.entry(currency.clone()).or_default();
            sum.0 += count;
            sum.1 += value;
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn day(n: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap() + chrono::Days::new(u64::from(n))
    }

    pub(crate) fn facts(value: i64) -> Facts {
        Facts {
            id: DealId::new(),
            title: "Deal".into(),
            value,
            currency: Currency::parse("SEK").unwrap(),
            owner_id: UserId(uuid::Uuid::nil()),
            expected_close: None,
            probability: None,
            lead_source: Some("Referral".into()),
            forecast_category: None,
        }
    }

    fn at(deal: &Facts, n: u32, step: Step) -> Entry {
        Entry {
            deal_id: deal.id,
            at: day(n),
            step,
        }
    }

    fn change(field: &str, from: serde_json::Value, to: serde_json::Value) -> Step {
        Step::Changed(vec![FieldChange {
            field: field.into(),
            from,
            to,
        }])
    }

    #[test]
    fn a_deal_stands_where_the_log_had_put_it_by_that_day() {
        let (a, b) = (StageId::new(), StageId::new());
        let deal = facts(100);
        let log = vec![
            at(&deal, 0, Step::Created(a)),
            at(&deal, 5, Step::Moved(b)),
            at(&deal, 9, Step::Won),
        ];
        let on = |n| replay(std::slice::from_ref(&deal), &log, day(n)).deals;
        assert!(on(0).first().is_some_and(|d| d.stage_id == a));
        let fourth = on(4);
        assert_eq!(
            (fourth[0].stage_id, fourth[0].status),
            (a, DealStatus::Open)
        );
        let sixth = on(6);
        assert_eq!((sixth[0].stage_id, sixth[0].stage_entered_at), (b, day(5)));
        assert_eq!(on(9)[0].status, DealStatus::Won);
        assert_eq!(on(9)[0].closed_at, Some(day(9)));
    }

    #[test]
    fn a_deal_is_absent_before_it_was_created_and_after_it_was_deleted() {
        let deal = facts(100);
        let log = vec![
            at(&deal, 2, Step::Created(StageId::new())),
            at(&deal, 6, Step::Deleted),
        ];
        let count = |n| {
            replay(std::slice::from_ref(&deal), &log, day(n))
                .deals
                .len()
        };
        assert_eq!((count(1), count(3), count(6)), (0, 1, 0));
    }

    #[test]
    fn fields_changed_later_are_read_as_they_were_then() {
        let mut deal = facts(900);
        deal.expected_close = Some(NaiveDate::from_ymd_opt(2026, 6, 1).unwrap());
        let log = vec![
            at(&deal, 0, Step::Created(StageId::new())),
            at(&deal, 3, change("value", 100.into(), 500.into())),
            at(
                &deal,
                7,
                Step::Changed(vec![
                    FieldChange {
                        field: "value".into(),
                        from: 500.into(),
                        to: 900.into(),
                    },
                    FieldChange {
                        field: "expected_close_date".into(),
                        from: serde_json::Value::Null,
                        to: "2026-06-01".into(),
                    },
                ]),
            ),
        ];
        let then = |n| replay(std::slice::from_ref(&deal), &log, day(n)).deals[0].clone();
        assert_eq!(
            (then(1).facts.value, then(1).facts.expected_close),
            (100, None)
        );
        assert_eq!(then(5).facts.value, 500);
        assert_eq!(then(8).facts, deal);
    }

    #[test]
    fn a_finished_deal_leaves_one_stay_per_stage_it_sat_in() {
        let (a, b) = (StageId::new(), StageId::new());
        let won = facts(100);
        let lost = facts(100);
        let open = facts(100);
        let log = vec![
            at(&won, 0, Step::Created(a)),
            at(&lost, 0, Step::Created(a)),
            at(&open, 0, Step::Created(a)),
            at(&won, 4, Step::Moved(b)),
            at(&lost, 6, Step::Lost("Price".into())),
            at(&won, 10, Step::Won),
        ];
        let stays = replay(&[won.clone(), lost.clone(), open], &log, day(20)).stays;
        let of = |stage, won| {
            stays
                .iter()
                .filter(|s| s.stage_id == stage && s.won == won)
                .map(|s| (s.days, s.days_to_close))
                .collect::<Vec<_>>()
        };
        assert_eq!(of(a, true), [(4, 10)]);
        assert_eq!(of(b, true), [(6, 6)]);
        assert_eq!(of(a, false), [(6, 6)]);
        assert_eq!(stays.len(), 3, "the open deal has no finished stay");
        // On day 5 nothing had finished yet.
        assert!(replay(&[won, lost], &log, day(5)).stays.is_empty());
    }

    #[test]
    fn a_reopened_deal_is_open_again_and_its_stay_goes_on() {
        let a = StageId::new();
        let deal = facts(100);
        let log = vec![
            at(&deal, 0, Step::Created(a)),
            at(&deal, 2, Step::Lost("Timing".into())),
            at(&deal, 3, Step::Reopened),
            at(&deal, 8, Step::Won),
        ];
        let on = |n| replay(std::slice::from_ref(&deal), &log, day(n));
        assert_eq!(on(4).deals[0].status, DealStatus::Open);
        assert!(on(4).stays.is_empty());
        assert_eq!(
            on(9).stays,
            [Stay {
                deal_id: deal.id,
                stage_id: a,
                lead_source: Some("Referral".into()),
                days: 8,
                won: true,
                days_to_close: 8
            }]
        );
    }

    #[test]
    fn open_value_over_time_follows_creations_closes_and_edits() {
        let a = StageId::new();
        let first = facts(900);
        let second = facts(50);
        let log = vec![
            at(&first, 0, Step::Created(a)),
            at(&first, 3, change("value", 100.into(), 900.into())),
            at(&second, 4, Step::Created(a)),
            at(&second, 6, Step::Lost("Price".into())),
            at(&first, 8, Step::Won),
        ];
        let sek = Currency::parse("SEK").unwrap();
        let open = open_over_time(
            &[first, second],
            &log,
            &[day(1), day(5), day(7), day(9)],
            |_| true,
        );
        let at_each: Vec<(i64, i128)> = open
            .iter()
            .map(|m| m.get(&sek).copied().unwrap_or_default())
            .collect();
        assert_eq!(at_each, [(1, 100), (2, 950), (1, 900), (0, 0)]);
    }

    #[test]
    fn open_value_over_time_from_the_deals_logged_since_gives_what_the_whole_log_gives() {
        let (a, b) = (StageId::new(), StageId::new());
        let (quiet, closed, edited, late) = (facts(100), facts(200), facts(300), facts(400));
        let log = vec![
            at(&quiet, 0, Step::Created(a)),
            at(&closed, 1, Step::Created(a)),
            at(&edited, 2, Step::Created(a)),
            at(&quiet, 3, Step::Moved(b)),
            // From day 4 on, only these are logged.
            at(&closed, 6, Step::Won),
            at(&edited, 7, change("value", 30.into(), 300.into())),
            at(&late, 8, Step::Created(b)),
        ];
        let all = [quiet.clone(), closed.clone(), edited.clone(), late.clone()];
        let instants = [day(4), day(6), day(7), day(9)];
        let everything = open_over_time(&all, &log, &instants, |_| true);
        let now = replay(&all, &log, DateTime::<Utc>::MAX_UTC);
        let since: Vec<Entry> = log
            .iter()
            .filter(|e| [closed.id, edited.id, late.id].contains(&e.deal_id))
            .cloned()
            .collect();
        let touched = [closed, edited, late];
        assert_eq!(
            open_over_time_since(&now, &touched, &since, &instants, |_| true),
            everything
        );
        let sek = Currency::parse("SEK").unwrap();
        let on_day_7 = everything[2].get(&sek).copied();
        assert_eq!(on_day_7, Some((2, 100 + 300)));
        // Kept deals are read as the filter reads them too.
        let small = |f: &Facts| f.value < 250;
        assert_eq!(
            open_over_time_since(&now, &touched, &since, &instants, small),
            open_over_time(&all, &log, &instants, small)
        );
    }

    #[test]
    fn a_replayed_deal_keeps_its_visits_and_why_it_was_lost() {
        let (a, b) = (StageId::new(), StageId::new());
        let deal = facts(100);
        let log = vec![
            at(&deal, 0, Step::Created(a)),
            at(&deal, 2, Step::Moved(b)),
            at(&deal, 5, Step::Lost("Price".into())),
        ];
        let then = &replay(std::slice::from_ref(&deal), &log, day(9)).deals[0];
        assert_eq!(then.lost_reason.as_deref(), Some("Price"));
        let visits: Vec<_> = then
            .visits
            .iter()
            .map(|v| (v.stage_id, v.entered, v.left))
            .collect();
        assert_eq!(
            visits,
            [(a, day(0), Some(day(2))), (b, day(2), Some(day(5)))]
        );
    }

    #[test]
    fn renewing_the_deals_logged_since_gives_what_replaying_everything_gives() {
        let (a, b) = (StageId::new(), StageId::new());
        let (old, closing, deleted, new) = (facts(100), facts(200), facts(300), facts(400));
        let mut log = vec![
            at(&old, 0, Step::Created(a)),
            at(&closing, 1, Step::Created(a)),
            at(&deleted, 1, Step::Created(a)),
            at(&old, 2, Step::Won),
        ];
        let all = [old.clone(), closing.clone(), deleted.clone(), new.clone()];
        let end = day(30);
        let mut kept = replay(&all, &log, end);
        let since = vec![
            at(&closing, 3, Step::Moved(b)),
            at(&closing, 4, Step::Lost("Price".into())),
            at(&deleted, 4, Step::Deleted),
            at(&new, 5, Step::Created(b)),
        ];
        log.extend(since.iter().cloned());
        let touched = [closing.id, deleted.id, new.id];
        let theirs: Vec<Entry> = log
            .iter()
            .filter(|e| touched.contains(&e.deal_id))
            .cloned()
            .collect();
        kept.renew(&touched, replay(&all, &theirs, end));
        assert_eq!(kept, replay(&all, &log, end));
        assert_eq!(kept.deals.len(), 3);
        assert_eq!(kept.stays.len(), 3);
    }
}
