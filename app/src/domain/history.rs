//! Looking back, from the event log. "Since last meeting": what happened to the deals of
//! a pipeline since a day, grouped the way a sales meeting walks through it.

use super::board::weighted_minor;
use super::deal::DealStatus;
use super::event::{DealEvent, DealEventKind};
use super::ids::{DealId, StageId};
use super::money::{Currency, Totals};
use super::pipeline::Stage;
use super::replay::Replayed;
use super::validation::RuleError;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// How far back "since" may reach.
pub const LOOK_BACK_DAYS: i64 = 366;
/// Deals a group lists at most (the totals still count every one).
pub const LISTED: usize = 1_000;

/// One deal in a group: what it is now, and where it went. (Every field is always
/// written: the browser reads this as postcard, which cannot skip one.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChangedDeal {
    pub deal_id: DealId,
    pub title: String,
    /// For a move: the stage it was in when the period began (or was created in).
    pub from_stage_id: Option<StageId>,
    /// For a move or a new deal: the stage it reached.
    pub to_stage_id: Option<StageId>,
    /// Its value now, in minor units.
    pub value: i64,
    pub currency: Currency,
    /// When it happened (the last time, if more than once).
    pub at: DateTime<Utc>,
}

/// Every deal added, moved forward, moved back, won, lost, or whose value or expected
/// close date changed since a day. A deal is in every group that fits it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Changes {
    pub added: Vec<ChangedDeal>,
    pub moved_forward: Vec<ChangedDeal>,
    pub moved_back: Vec<ChangedDeal>,
    pub won: Vec<ChangedDeal>,
    pub lost: Vec<ChangedDeal>,
    pub changed: Vec<ChangedDeal>,
}

/// The "since last meeting" page: the groups, and what the page needs to show them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SincePage {
    pub me: super::user::User,
    pub pipelines: Vec<(super::ids::PipelineId, String)>,
    pub pipeline_id: super::ids::PipelineId,
    /// The pipeline's stages, in order: (id, name).
    pub stages: Vec<(StageId, String)>,
    pub since: NaiveDate,
    pub today: NaiveDate,
    /// The team's meeting weekday (0 = Monday), if an admin set one.
    pub meeting_weekday: Option<i64>,
    pub changes: Changes,
}

/// A weekday's name, 0 = Monday.
pub fn weekday_name(day: i64) -> &'static str {
    const NAMES: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    NAMES[day.rem_euclid(7) as usize]
}

/// The groups as a page lists them: (title, what the group holds).
pub fn groups(c: &Changes) -> [(&'static str, &[ChangedDeal]); 6] {
    [
        ("Added", &c.added),
        ("Moved forward", &c.moved_forward),
        ("Moved back", &c.moved_back),
        ("Won", &c.won),
        ("Lost", &c.lost),
        ("Value or close date changed", &c.changed),
    ]
}

/// A deal as it is now, for the groups to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DealNow {
    pub title: String,
    pub value: i64,
    pub currency: Currency,
}

/// The day of the last sales meeting before `today`: the latest earlier day on
/// `weekday` (0 = Monday; on the meeting day itself, a week back), or a week back when
/// the team set none.
pub fn last_meeting(today: NaiveDate, weekday: Option<i64>) -> NaiveDate {
    use chrono::Datelike;
    let back = match weekday {
        Some(day) => {
            let today_is = i64::from(today.weekday().num_days_from_monday());
            let back = (today_is - day).rem_euclid(7);
            if back == 0 {
                7
            } else {
                back
            }
        }
        None => 7,
    };
    today - chrono::Days::new(back as u64)
}

/// The first day "since" may name for `today`, and the day itself, checked: not in the
/// future and at most `LOOK_BACK_DAYS` back.
pub fn since_day(value: &str, today: NaiveDate) -> Result<NaiveDate, RuleError> {
    let day = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| RuleError::invalid("since", "must be a date as YYYY-MM-DD"))?;
    let earliest = today - chrono::Days::new(LOOK_BACK_DAYS as u64);
    if day > today || day < earliest {
        return Err(RuleError::invalid(
            "since",
            format!("must be a day from {earliest} to {today}"),
        ));
    }
    Ok(day)
}

/// Groups the events of a period (in log order) by what they did to each deal, each
/// group in the order things happened. Moves
/// count by where a deal ended against where it began, so a deal moved forward and
/// back again is in neither; won and lost go by a deal's last word (a win reopened is
/// not a win). Stage order is `position`; a move from or to a stage deleted since is
/// left out, as its direction cannot be told. Deals not in `now` (deleted, or in
/// another pipeline) are left out.
pub fn changes_since(
    events: &[DealEvent],
    now: &HashMap<DealId, DealNow>,
    position: &HashMap<StageId, i64>,
) -> Changes {
    #[derive(Default)]
    struct Seen {
        created: Option<(StageId, DateTime<Utc>)>,
        first_from: Option<StageId>,
        last_move: Option<(StageId, DateTime<Utc>)>,
        verdict: Option<(bool, DateTime<Utc>)>,
        edited: Option<DateTime<Utc>>,
    }
    let mut seen = BTreeMap::<(i64, DealId), Seen>::new();
    let mut order = HashMap::<DealId, i64>::new();
    for e in events {
        let first = *order.entry(e.deal_id).or_insert(e.id);
        let s = seen.entry((first, e.deal_id)).or_default();
        match &e.kind {
            DealEventKind::Created { stage_id, .. } => s.created = Some((*stage_id, e.at)),
            DealEventKind::Moved { from, to } => {
                s.first_from.get_or_insert(*from);
                s.last_move = Some((*to, e.at));
            }
            DealEventKind::Won => s.verdict = Some((true, e.at)),
            DealEventKind::Lost { .. } => s.verdict = Some((false, e.at)),
            DealEventKind::Reopened => s.verdict = None,
            DealEventKind::Changed { changes } => {
                if changes.iter().any(|c| {
                    matches!(
                        c.field.as_str(),
                        "value" | "currency" | "expected_close_date"
                    )
                }) {
                    s.edited = Some(e.at);
                }
            }
            DealEventKind::Deleted => {}
        }
    }
    let mut out = Changes::default();
    for ((_, deal_id), s) in seen {
        let Some(deal) = now.get(&deal_id) else {
            continue;
        };
        let entry = |from, to, at| ChangedDeal {
            deal_id,
            title: deal.title.clone(),
            from_stage_id: from,
            to_stage_id: to,
            value: deal.value,
            currency: deal.currency.clone(),
            at,
        };
        if let Some((stage, at)) = s.created {
            out.added.push(entry(None, Some(stage), at));
        }
        if let Some((to, at)) = s.last_move {
            let from = s.created.map(|(stage, _)| stage).or(s.first_from);
            let step = from
                .and_then(|f| Some((position.get(&f)?, position.get(&to)?)))
                .map(|(f, t)| t.cmp(f));
            match step {
                Some(std::cmp::Ordering::Greater) => {
                    out.moved_forward.push(entry(from, Some(to), at))
                }
                Some(std::cmp::Ordering::Less) => out.moved_back.push(entry(from, Some(to), at)),
                _ => {}
            }
        }
        match s.verdict {
            Some((true, at)) => out.won.push(entry(None, None, at)),
            Some((false, at)) => out.lost.push(entry(None, None, at)),
            None => {}
        }
        if let Some(at) = s.edited {
            out.changed.push(entry(None, None, at));
        }
    }
    // Each group in the order things happened.
    for group in out.groups_mut() {
        group.sort_by_key(|d| d.at);
        group.truncate(LISTED);
    }
    out
}

impl Changes {
    fn groups_mut(&mut self) -> [&mut Vec<ChangedDeal>; 6] {
        [
            &mut self.added,
            &mut self.moved_forward,
            &mut self.moved_back,
            &mut self.won,
            &mut self.lost,
            &mut self.changed,
        ]
    }
}

/// A group's deals' values added up, per currency.
pub fn total(group: &[ChangedDeal]) -> Totals {
    let mut t = Totals::default();
    for d in group {
        t.add(&d.currency, d.value);
    }
    t
}

/// One stage of the board as it stood at the end of a day: its open deals, counted,
/// their value and weighted value per currency (minor units; a sum past the largest
/// number the API writes is written as that number).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StageThen {
    pub stage_id: StageId,
    pub count: i64,
    #[cfg_attr(feature = "ssr", schema(value_type = std::collections::BTreeMap<String, i64>))]
    pub value_by_currency: BTreeMap<Currency, i64>,
    #[cfg_attr(feature = "ssr", schema(value_type = std::collections::BTreeMap<String, i64>))]
    pub weighted_by_currency: BTreeMap<Currency, i64>,
    pub deal_ids: Vec<DealId>,
}

/// A pipeline's board as it stood at the end of `as_of` (UTC), stages in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BoardThen {
    pub as_of: NaiveDate,
    pub stages: Vec<StageThen>,
}

/// A day to see the board as of, checked: not in the future.
pub fn as_of_day(value: &str, today: NaiveDate) -> Result<NaiveDate, RuleError> {
    let day = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| RuleError::invalid("as_of", "must be a date as YYYY-MM-DD"))?;
    if day > today {
        return Err(RuleError::invalid(
            "as_of",
            format!("must be {today} or earlier"),
        ));
    }
    Ok(day)
}

/// The last instant of `day` (UTC).
pub fn end_of(day: NaiveDate) -> DateTime<Utc> {
    (day + chrono::Days::new(1))
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
        - chrono::TimeDelta::microseconds(1)
}

/// The open deals of `replayed` in `stages` (in board order), counted per stage, each
/// weighted by its own chance as it stood then, else its stage's.
pub fn board_then(replayed: &Replayed, stages: &[Stage], as_of: NaiveDate) -> BoardThen {
    let mut columns: Vec<(
        StageThen,
        BTreeMap<Currency, i128>,
        BTreeMap<Currency, i128>,
    )> = stages
        .iter()
        .map(|s| {
            let column = StageThen {
                stage_id: s.id,
                count: 0,
                value_by_currency: BTreeMap::new(),
                weighted_by_currency: BTreeMap::new(),
                deal_ids: Vec::new(),
            };
            (column, BTreeMap::new(), BTreeMap::new())
        })
        .collect();
    for d in replayed
        .deals
        .iter()
        .filter(|d| d.status == DealStatus::Open)
    {
        let Some(i) = stages.iter().position(|s| s.id == d.stage_id) else {
            continue;
        };
        let chance = d.facts.probability.unwrap_or(stages[i].probability);
        let (column, value, weighted) = &mut columns[i];
        column.count += 1;
        column.deal_ids.push(d.facts.id);
        *value.entry(d.facts.currency.clone()).or_default() += i128::from(d.facts.value);
        *weighted.entry(d.facts.currency.clone()).or_default() +=
            i128::from(d.facts.value) * i128::from(chance);
    }
    let clamp = |v: i128| i64::try_from(v).unwrap_or(i64::MAX);
    BoardThen {
        as_of,
        stages: columns
            .into_iter()
            .map(|(mut column, value, weighted)| {
                column.value_by_currency = value.into_iter().map(|(c, v)| (c, clamp(v))).collect();
                column.weighted_by_currency = weighted
                    .into_iter()
                    .map(|(c, w)| (c, clamp(weighted_minor(w))))
                    .collect();
                column
            })
            .collect(),
    }
}

/// Cards a column of the board as of a day lists at most (its count and totals still
/// hold every deal).
pub const CARDS_LISTED: usize = 100;

/// A deal on the board as it stood then: its title and value as they were.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardThen {
    pub deal_id: DealId,
    pub title: String,
    pub value: i64,
    pub currency: Currency,
}

/// The open deals of each stage (in `stages`' order) as they stood, largest value
/// first (by currency, then value), at most `CARDS_LISTED` a stage.
pub fn cards_then(replayed: &Replayed, stages: &[Stage]) -> Vec<Vec<CardThen>> {
    let mut columns: Vec<Vec<CardThen>> = vec![Vec::new(); stages.len()];
    for d in replayed
        .deals
        .iter()
        .filter(|d| d.status == DealStatus::Open)
    {
        if let Some(i) = stages.iter().position(|s| s.id == d.stage_id) {
            columns[i].push(CardThen {
                deal_id: d.facts.id,
                title: d.facts.title.clone(),
                value: d.facts.value,
                currency: d.facts.currency.clone(),
            });
        }
    }
    for column in &mut columns {
        column.sort_by(|a, b| {
            (&a.currency, b.value, a.deal_id).cmp(&(&b.currency, a.value, b.deal_id))
        });
        column.truncate(CARDS_LISTED);
    }
    columns
}

/// The page of the board as of a day: the board, its cards, and what the page needs
/// to show them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AsOfPage {
    pub me: super::user::User,
    pub pipelines: Vec<(super::ids::PipelineId, String)>,
    pub pipeline_id: super::ids::PipelineId,
    /// The pipeline's stages in board order: (id, name).
    pub stages: Vec<(StageId, String)>,
    pub today: NaiveDate,
    pub board: BoardThen,
    /// Per stage, in the same order, its cards.
    pub cards: Vec<Vec<CardThen>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_meeting_is_the_latest_earlier_meeting_day_or_a_week_back() {
        // Saturday 28 November 2026.
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        assert_eq!(last_meeting(today, None), day(21));
        assert_eq!(last_meeting(today, Some(0)), day(23), "Monday");
        assert_eq!(last_meeting(today, Some(4)), day(27), "Friday");
        assert_eq!(
            last_meeting(today, Some(5)),
            day(21),
            "Saturday: today's is not yet past"
        );
        assert_eq!(last_meeting(today, Some(6)), day(22), "Sunday");
    }
    use crate::domain::event::FieldChange;
    use chrono::TimeZone;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 9, minute, 0).unwrap()
    }

    struct Script {
        events: Vec<DealEvent>,
    }

    impl Script {
        fn then(&mut self, deal: DealId, minute: u32, kind: DealEventKind) -> &mut Self {
            let id = self.events.len() as i64 + 1;
            self.events.push(DealEvent {
                id,
                deal_id: deal,
                at: at(minute),
                actor_id: None,
                actor_name: None,
                kind,
            });
            self
        }
    }

    fn sek() -> Currency {
        Currency::parse("SEK").unwrap()
    }

    #[test]
    fn a_meetings_groups_follow_where_each_deal_began_and_ended() {
        let stages: Vec<StageId> = (0..4).map(|_| StageId::new()).collect();
        let position: HashMap<_, _> = stages
            .iter()
            .enumerate()
            .map(|(i, s)| (*s, i as i64))
            .collect();
        let [new, up, there_and_back, down, won_then_reopened, lost, edited, deleted] =
            std::array::from_fn(|_| DealId::new());
        let mut now = HashMap::new();
        for (i, d) in [
            new,
            up,
            there_and_back,
            down,
            won_then_reopened,
            lost,
            edited,
        ]
        .into_iter()
        .enumerate()
        {
            now.insert(
                d,
                DealNow {
                    title: format!("Deal {i}"),
                    value: 1_000 * (i as i64 + 1),
                    currency: sek(),
                },
            );
        }
        let moved = |from: usize, to: usize| DealEventKind::Moved {
            from: stages[from],
            to: stages[to],
        };
        let mut s = Script { events: Vec::new() };
        s.then(
            new,
            1,
            DealEventKind::Created {
                title: "Deal 0".into(),
                value: 1_000,
                currency: sek(),
                stage_id: stages[0],
            },
        )
        .then(new, 2, moved(0, 2))
        .then(up, 3, moved(1, 2))
        .then(up, 4, moved(2, 3))
        .then(there_and_back, 5, moved(1, 3))
        .then(there_and_back, 6, moved(3, 1))
        .then(down, 7, moved(2, 0))
        .then(won_then_reopened, 8, DealEventKind::Won)
        .then(won_then_reopened, 9, DealEventKind::Reopened)
        .then(lost, 10, DealEventKind::Won)
        .then(lost, 11, DealEventKind::Reopened)
        .then(
            lost,
            12,
            DealEventKind::Lost {
                reason: "Price".into(),
            },
        )
        .then(
            edited,
            13,
            DealEventKind::Changed {
                changes: vec![FieldChange {
                    field: "title".into(),
                    from: "a".into(),
                    to: "b".into(),
                }],
            },
        )
        .then(
            edited,
            14,
            DealEventKind::Changed {
                changes: vec![FieldChange {
                    field: "value".into(),
                    from: 1.into(),
                    to: 2.into(),
                }],
            },
        )
        .then(deleted, 15, moved(0, 3))
        .then(deleted, 16, DealEventKind::Deleted);

        let c = changes_since(&s.events, &now, &position);
        let ids = |g: &[ChangedDeal]| g.iter().map(|d| d.deal_id).collect::<Vec<_>>();
        assert_eq!(ids(&c.added), [new]);
        assert_eq!(c.added[0].to_stage_id, Some(stages[0]));
        assert_eq!(ids(&c.moved_forward), [new, up]);
        assert_eq!(
            (
                c.moved_forward[1].from_stage_id,
                c.moved_forward[1].to_stage_id,
                c.moved_forward[1].at
            ),
            (Some(stages[1]), Some(stages[3]), at(4)),
            "from where it began to where it ended, at its last move"
        );
        assert_eq!(ids(&c.moved_back), [down]);
        assert!(c.won.is_empty(), "a win reopened is not a win");
        assert_eq!(ids(&c.lost), [lost]);
        assert_eq!(
            ids(&c.changed),
            [edited],
            "a new title alone is not a change of value"
        );
        assert_eq!(c.changed[0].at, at(14));
        assert_eq!(total(&c.moved_forward).0[&sek()], 1_000 + 2_000);
    }

    #[test]
    fn since_is_a_day_within_the_last_year() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(
            since_day("2026-11-21", today),
            Ok(NaiveDate::from_ymd_opt(2026, 11, 21).unwrap())
        );
        for bad in ["2026-11-29", "2025-11-26", "21/11/2026", ""] {
            assert_eq!(
                since_day(bad, today).unwrap_err().field(),
                Some("since"),
                "{bad}"
            );
        }
    }
}
