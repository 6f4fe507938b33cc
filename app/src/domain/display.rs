//! Meeting-room screens. A display link shows one pipeline on a screen that nobody signs
//! in to: it rotates through scenes the admin chose, every `seconds_per_scene`.

use super::board::{Board, DealCard};
use super::forecast::{ForecastRow, Method};
use super::ids::{DisplayId, PipelineId, StageId, UserId};
use super::money::{Currency, Totals};
use super::pipeline::Stage;
use super::validation::{required_text, RuleError};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What a screen can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scene {
    /// The live board with each column's count and sums.
    Board,
    /// This month and this quarter: won so far, weighted open pipeline.
    Numbers,
    /// The latest wins, with a celebration when one happens live.
    Wins,
    /// Reps ranked by what they won this month, with the deals they moved forward
    /// this week.
    Leaders,
    /// What happened since the team's last sales meeting, group by group.
    Since,
}

impl Scene {
    pub const ALL: [Scene; 5] = [
        Scene::Board,
        Scene::Numbers,
        Scene::Wins,
        Scene::Leaders,
        Scene::Since,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scene::Board => "board",
            Scene::Numbers => "numbers",
            Scene::Wins => "wins",
            Scene::Leaders => "leaders",
            Scene::Since => "since",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Scene::Board => "Pipeline",
            Scene::Numbers => "This month and quarter",
            Scene::Wins => "Recent wins",
            Scene::Leaders => "Leaderboard",
            Scene::Since => "Since last meeting",
        }
    }
}

/// A display link as admins see it (its secret is shown once, when it is made).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Display {
    pub id: DisplayId,
    pub name: String,
    pub pipeline_id: PipelineId,
    pub pipeline_name: String,
    pub scenes: Vec<Scene>,
    pub seconds_per_scene: i64,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub const MIN_SECONDS: i64 = 5;
pub const MAX_SECONDS: i64 = 3_600;
pub const DEFAULT_SECONDS: i64 = 20;

/// "Meeting room 2": what the screen is, in the admin's words.
pub fn display_name(value: &str) -> Result<String, RuleError> {
    required_text("name", value, 60)
}

/// "board,wins" → the scenes in that order, each once; empty means all of them.
pub fn parse_scenes(value: &str) -> Result<Vec<Scene>, RuleError> {
    let mut scenes = Vec::new();
    for word in value.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        let scene = Scene::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(word))
            .ok_or_else(|| {
                let names: Vec<_> = Scene::ALL.iter().map(|s| s.name()).collect();
                RuleError::invalid(
                    "scenes",
                    format!("must name scenes from: {}", names.join(", ")),
                )
            })?;
        if !scenes.contains(&scene) {
            scenes.push(scene);
        }
    }
    Ok(if scenes.is_empty() {
        Scene::ALL.to_vec()
    } else {
        scenes
    })
}

/// How the scenes are stored: their names, comma-separated.
pub fn scenes_text(scenes: &[Scene]) -> String {
    scenes
        .iter()
        .map(|s| s.name())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn seconds_per_scene(value: i64) -> Result<i64, RuleError> {
    if (MIN_SECONDS..=MAX_SECONDS).contains(&value) {
        Ok(value)
    } else {
        Err(RuleError::invalid(
            "seconds_per_scene",
            format!("must be from {MIN_SECONDS} to {MAX_SECONDS} seconds"),
        ))
    }
}

/// What a presenter tells a screen during a meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cue {
    Next,
    Previous,
    /// Stop rotating; stay on this scene.
    Pause,
    Resume,
    /// Show the board with this stage alone (paused), or every stage again (`None`,
    /// rotating again).
    Focus(Option<StageId>),
}

/// A screen a signed-in user can drive, with the stages they can focus.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presentable {
    pub display: Display,
    pub stages: Vec<Stage>,
}

/// Everything a screen shows, as of one moment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Screen {
    pub display: Display,
    pub board: Board,
    pub wins: Vec<Win>,
    pub figures: Figures,
}

/// The figures a screen reads again after every change: the numbers scene's periods
/// and the leaderboard.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub periods: Vec<Period>,
    pub leaders: Vec<Leader>,
    pub since: SinceFigures,
}

/// "Since last meeting" on a screen: from which day, and each group's count and total.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SinceFigures {
    pub since: NaiveDate,
    /// (title, deals, their value now per currency), in the order a meeting walks
    /// through them.
    pub groups: Vec<(String, i64, Totals)>,
}

impl SinceFigures {
    pub fn of(since: NaiveDate, changes: &super::history::Changes) -> SinceFigures {
        SinceFigures {
            since,
            groups: super::history::groups(changes)
                .into_iter()
                .map(|(title, deals)| {
                    (
                        title.to_string(),
                        deals.len() as i64,
                        super::history::total(deals),
                    )
                })
                .collect(),
        }
    }
}

/// One rep on the leaderboard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leader {
    pub user_id: UserId,
    pub name: String,
    /// Won this month, per currency.
    pub won: Totals,
    /// Deals won this month.
    pub won_deals: i64,
    /// Their deals that moved to a later stage this week (each deal once).
    pub moved_forward: i64,
}

/// Reps a leaderboard lists.
pub const LEADERS_SHOWN: usize = 8;

/// Orders reps as the leaderboard shows them: by what they won this month, then by
/// deals won, then by deals moved forward this week, then by name. Amounts in
/// different currencies are never added: the ranking reads the currency most reps won
/// in (a tie goes to the first code alphabetically), and each rep's every currency is
/// shown. Reps with nothing to show are left out; at most `LEADERS_SHOWN` remain.
pub fn rank_leaders(mut leaders: Vec<Leader>) -> Vec<Leader> {
    leaders.retain(|l| l.won_deals > 0 || l.moved_forward > 0);
    let mut reps_in = std::collections::BTreeMap::<&Currency, usize>::new();
    for l in &leaders {
        for currency in l.won.0.keys() {
            *reps_in.entry(currency).or_default() += 1;
        }
    }
    let main = reps_in
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(c, _)| (*c).clone());
    let in_main = |l: &Leader| {
        main.as_ref()
            .and_then(|c| l.won.0.get(c))
            .copied()
            .unwrap_or(0)
    };
    leaders.sort_by(|a, b| {
        in_main(b)
            .cmp(&in_main(a))
            .then(b.won_deals.cmp(&a.won_deals))
            .then(b.moved_forward.cmp(&a.moved_forward))
            .then(a.name.cmp(&b.name))
    });
    leaders.truncate(LEADERS_SHOWN);
    leaders
}

/// A deal won, for the wins scene.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Win {
    pub card: DealCard,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub won_at: DateTime<Utc>,
}

/// One period's figures, as the numbers scene and the board's forecast widgets show
/// them: what was won in it so far, the open deals expected to close in it weighted by
/// their chance, and the forecast (won so far included) with its likely range and the
/// goal, each per currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub label: String,
    pub won: Totals,
    pub weighted: Totals,
    pub expected: Totals,
    pub low: Totals,
    pub high: Totals,
    pub goal: Totals,
    pub method: Method,
    pub open_deals: i64,
}

impl Period {
    /// The figures of one period from its forecast rows (one per currency).
    pub fn of(label: String, rows: &[ForecastRow]) -> Period {
        let mut p = Period {
            label,
            won: Totals::default(),
            weighted: Totals::default(),
            expected: Totals::default(),
            low: Totals::default(),
            high: Totals::default(),
            goal: Totals::default(),
            method: rows.first().map_or(Method::StageProbability, |r| r.method),
            open_deals: 0,
        };
        for r in rows {
            p.won.add(&r.currency, r.won);
            p.weighted.add(&r.currency, r.weighted);
            p.expected.add(&r.currency, r.expected);
            p.low.add(&r.currency, r.p10);
            p.high.add(&r.currency, r.p90);
            if let Some(goal) = r.goal {
                p.goal.add(&r.currency, goal);
            }
            p.open_deals += r.closing_deals;
        }
        p
    }
}

/// How far a period has come towards its goal, in one currency: the percent won so
/// far and the percent the forecast expects (each capped at 100 for drawing, and the
/// expected never below the won).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    pub currency: Currency,
    pub won_percent: i64,
    pub expected_percent: i64,
}

impl Period {
    /// Progress towards the goal in its first currency; `None` without a goal.
    pub fn progress(&self) -> Option<Progress> {
        let (currency, goal) = self.goal.0.iter().find(|(_, g)| **g > 0)?;
        let percent = |t: &Totals| {
            let v = t.0.get(currency).copied().unwrap_or(0).max(0);
            i64::try_from((v * 100 / goal).min(100)).unwrap_or(100)
        };
        let won_percent = percent(&self.won);
        Some(Progress {
            currency: currency.clone(),
            won_percent,
            expected_percent: percent(&self.expected).max(won_percent),
        })
    }
}

/// The first day of `today`'s month and of the month after.
pub fn month_of(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    span(today.year(), today.month0(), 1)
}

/// The Monday `today`'s week began on, and the next Monday.
pub fn week_of(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let monday = today - chrono::Days::new(u64::from(today.weekday().num_days_from_monday()));
    (monday, monday + chrono::Days::new(7))
}

/// The first day of `today`'s quarter and of the quarter after.
pub fn quarter_of(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    span(today.year(), today.month0() / 3 * 3, 3)
}

fn span(year: i32, month0: u32, months: u32) -> (NaiveDate, NaiveDate) {
    let first = |y: i32, m0: u32| {
        NaiveDate::from_ymd_opt(y + (m0 / 12) as i32, m0 % 12 + 1, 1).unwrap_or_default()
    };
    (first(year, month0), first(year, month0 + months))
}

/// "November 2026", "Q4 2026".
pub fn month_label(start: NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    format!("{} {}", MONTHS[start.month0() as usize], start.year())
}

pub fn quarter_label(start: NaiveDate) -> String {
    format!("Q{} {}", start.month0() / 3 + 1, start.year())
}

/// The scene after `current` in the rotation.
pub fn next_scene(scenes: &[Scene], current: Scene, step: i64) -> Scene {
    if scenes.is_empty() {
        return current;
    }
    let here = scenes.iter().position(|s| *s == current).unwrap_or(0) as i64;
    let n = scenes.len() as i64;
    scenes[(here + step).rem_euclid(n) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenes_are_read_by_name_in_order_each_once_and_none_means_all() {
        assert_eq!(
            parse_scenes("wins, Board,wins").unwrap(),
            [Scene::Wins, Scene::Board]
        );
        assert_eq!(parse_scenes(" ").unwrap(), Scene::ALL);
        assert_eq!(
            parse_scenes("board,karaoke").unwrap_err(),
            RuleError::invalid(
                "scenes",
                "must name scenes from: board, numbers, wins, leaders, since"
            )
        );
        assert_eq!(
            parse_scenes(&scenes_text(&[Scene::Numbers, Scene::Board])).unwrap(),
            [Scene::Numbers, Scene::Board]
        );
    }

    #[test]
    fn months_and_quarters_start_on_their_first_day_and_end_where_the_next_begins() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(month_of(d(2026, 11, 28)), (d(2026, 11, 1), d(2026, 12, 1)));
        assert_eq!(month_of(d(2026, 12, 31)), (d(2026, 12, 1), d(2027, 1, 1)));
        assert_eq!(quarter_of(d(2026, 11, 28)), (d(2026, 10, 1), d(2027, 1, 1)));
        assert_eq!(quarter_of(d(2026, 2, 1)), (d(2026, 1, 1), d(2026, 4, 1)));
        assert_eq!(month_label(d(2026, 11, 1)), "November 2026");
        assert_eq!(quarter_label(d(2026, 10, 1)), "Q4 2026");
    }

    #[test]
    fn a_week_runs_from_monday_to_monday() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(week_of(d(2026, 11, 28)), (d(2026, 11, 23), d(2026, 11, 30)));
        assert_eq!(week_of(d(2026, 11, 23)), (d(2026, 11, 23), d(2026, 11, 30)));
        assert_eq!(week_of(d(2027, 1, 3)), (d(2026, 12, 28), d(2027, 1, 4)));
    }

    fn leader(name: &str, won: &[(&str, i128)], won_deals: i64, moved_forward: i64) -> Leader {
        let mut totals = Totals::default();
        for (code, minor) in won {
            totals.add(&Currency::parse(code).unwrap(), *minor);
        }
        Leader {
            user_id: UserId::new(),
            name: name.into(),
            won: totals,
            won_deals,
            moved_forward,
        }
    }

    fn names(leaders: &[Leader]) -> Vec<&str> {
        leaders.iter().map(|l| l.name.as_str()).collect()
    }

    #[test]
    fn reps_rank_by_won_value_then_deals_won_then_deals_moved_and_idle_reps_are_left_out() {
        let ranked = rank_leaders(vec![
            leader("Omar", &[], 0, 0),
            leader("Sara", &[("SEK", 50_000)], 1, 0),
            leader("Erik", &[("SEK", 90_000)], 1, 2),
            leader("Anna", &[], 0, 5),
            leader("Bo", &[("SEK", 50_000)], 2, 0),
        ]);
        assert_eq!(names(&ranked), ["Erik", "Bo", "Sara", "Anna"]);
    }

    #[test]
    fn the_ranking_reads_the_currency_most_reps_won_in_and_never_adds_currencies() {
        let ranked = rank_leaders(vec![
            leader("Eva", &[("EUR", 9_000_000)], 1, 0),
            leader("Sara", &[("SEK", 60_000)], 1, 0),
            leader("Bo", &[("SEK", 10_000)], 1, 0),
            leader("Erik", &[("SEK", 80_000), ("EUR", 100)], 2, 0),
        ]);
        assert_eq!(names(&ranked), ["Erik", "Sara", "Bo", "Eva"]);
        assert_eq!(ranked[0].won.0.len(), 2, "each currency is kept apart");
    }

    #[test]
    fn a_leaderboard_lists_at_most_eight_reps() {
        let many = (0..12)
            .map(|i| leader(&format!("Rep {i:02}"), &[], 0, i + 1))
            .collect();
        let ranked = rank_leaders(many);
        assert_eq!(ranked.len(), LEADERS_SHOWN);
        assert_eq!(ranked[0].name, "Rep 11");
    }

    #[test]
    fn the_rotation_wraps_both_ways() {
        let s = [Scene::Board, Scene::Numbers, Scene::Wins];
        assert_eq!(next_scene(&s, Scene::Wins, 1), Scene::Board);
        assert_eq!(next_scene(&s, Scene::Board, -1), Scene::Wins);
        assert_eq!(next_scene(&[Scene::Wins], Scene::Wins, 1), Scene::Wins);
    }

    #[test]
    fn a_scene_lasts_five_seconds_to_an_hour() {
        assert!(seconds_per_scene(4).is_err());
        assert_eq!(seconds_per_scene(20), Ok(20));
        assert_eq!(
            seconds_per_scene(3_601),
            Err(RuleError::invalid(
                "seconds_per_scene",
                "must be from 5 to 3600 seconds"
            ))
        );
    }
}
