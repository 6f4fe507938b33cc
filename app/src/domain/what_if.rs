//! What-if on the board: moves, wins, losses and new close dates that are only
//! imagined, and the forecast widgets figured again from them by the forecast's own
//! engine (`Standing::this_month_and_quarter`). It runs in the browser, from a `Model`
//! the server sends once when the mode starts: nothing imagined reaches the server.
//!
//! With nothing imagined, the model gives the figures the widgets show. Past
//! `MODEL_STAYS` stays of history, the model carries an even sample of them (every
//! n-th), so that its size stays bounded; the odds it reads are then estimates from
//! that sample.

use super::deal::ForecastCategory;
use super::display::{month_of, Period};
use super::forecast::{Futures, History, PeriodKind, Standing, LOOK_BACK};
use super::goal::Goal;
use super::ids::{DealId, StageId, UserId};
use super::pipeline::Stage;
use super::replay::Stay;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The most stays of history a model carries (about 6 bytes each on the wire).
pub const MODEL_STAYS: usize = 20_000;

/// What the what-if mode figures from: the pipeline's deals as they stand now (one
/// owner's, or everyone's), its stages' chances, its goals, and the history's stays.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub today: NaiveDate,
    pub owner: Option<UserId>,
    /// Each stage and its chance, in the pipeline's order.
    pub stages: Vec<(StageId, i64)>,
    /// The open deals, and the deals won from the earliest month the forecast reads.
    pub standing: Standing,
    pub goals: Vec<Goal>,
    /// Lead sources, named once; a stay names its source by place here.
    pub sources: Vec<String>,
    pub stays: Vec<PastStay>,
}

/// One stay of a finished deal in one of the pipeline's stages (see `replay::Stay`),
/// as the model carries it: the stage and source by place, days as whole numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastStay {
    pub stage: u16,
    /// One past the source's place in `Model::sources`; 0 for none.
    pub source: u16,
    pub days: u32,
    pub won: bool,
    pub days_to_close: u32,
}

/// A change that is only imagined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Imagined {
    Move(DealId, StageId),
    Win(DealId),
    Lose(DealId),
    /// A new expected close date.
    Redate(DealId, NaiveDate),
}

impl Model {
    /// The model of `standing` (see `Standing::of`) read with the history `stays`.
    pub fn new(
        mut standing: Standing,
        stays: &[Stay],
        stages: &[Stage],
        goals: Vec<Goal>,
        today: NaiveDate,
        owner: Option<UserId>,
    ) -> Model {
        // The forecast reads wins from `LOOK_BACK` months before this month's first.
        let from = PeriodKind::Month.before(month_of(today).0, LOOK_BACK);
        standing.won.retain(|w| w.won_on >= from);
        let place = |stage: StageId| stages.iter().position(|s| s.id == stage);
        let ours: Vec<&Stay> = stays
            .iter()
            .filter(|s| place(s.stage_id).is_some())
            .collect();
        let every = ours.len().div_ceil(MODEL_STAYS).max(1);
        let mut sources: Vec<String> = Vec::new();
        let mut kept = Vec::with_capacity(ours.len().min(MODEL_STAYS));
        for stay in ours.into_iter().step_by(every) {
            let source = match stay.lead_source.as_deref() {
                None => 0,
                Some(name) => match sources.iter().position(|s| s == name) {
                    Some(i) => i + 1,
                    None => {
                        sources.push(name.to_string());
                        sources.len()
                    }
                },
            };
            kept.push(PastStay {
                stage: place(stay.stage_id).unwrap_or(0) as u16,
                source: u16::try_from(source).unwrap_or(0),
                days: u32::try_from(stay.days).unwrap_or(u32::MAX),
                won: stay.won,
                days_to_close: u32::try_from(stay.days_to_close).unwrap_or(u32::MAX),
            });
        }
        Model {
            today,
            owner,
            stages: stages.iter().map(|s| (s.id, s.probability)).collect(),
            standing,
            goals,
            sources,
            stays: kept,
        }
    }

    /// The stays as the forecast reads them (once per mode: the figures are read
    /// again from them after each imagined change).
    pub fn stays(&self) -> Vec<Stay> {
        self.stays
            .iter()
            .filter_map(|s| {
                Some(Stay {
                    deal_id: DealId(uuid::Uuid::nil()),
                    stage_id: self.stages.get(usize::from(s.stage))?.0,
                    lead_source: match s.source {
                        0 => None,
                        n => Some(self.sources.get(usize::from(n) - 1)?.clone()),
                    },
                    days: i64::from(s.days),
                    won: s.won,
                    days_to_close: i64::from(s.days_to_close),
                })
            })
            .collect()
    }

    /// Imagines `change` on `standing` (the deals as they stand with what was imagined
    /// before): the deal it changed, if any. A change to a deal that is not open (or not
    /// in the model) changes nothing. A move starts the deal's time in its new stage and
    /// gives it that stage's chance (unless it has its own) and the category the chance
    /// stands for (unless the rep chose one); a win counts today.
    fn apply(&self, standing: &mut Standing, change: &Imagined) -> Option<DealId> {
        let deal = match change {
            Imagined::Move(d, _) | Imagined::Win(d) | Imagined::Lose(d) => *d,
            Imagined::Redate(d, _) => *d,
        };
        let at = standing.open.iter().position(|d| d.id == deal)?;
        match change {
            Imagined::Move(_, to) => {
                let chance = self.stages.iter().find(|s| s.0 == *to)?.1;
                let d = &mut standing.open[at];
                d.stage_id = *to;
                d.days_in_stage = 0;
                if !d.own_probability {
                    d.probability = chance;
                }
                if !d.own_category {
                    d.category = ForecastCategory::from_chance(d.probability);
                }
            }
            Imagined::Win(_) => {
                let d = standing.open.remove(at);
                standing.won.push(super::forecast::WonDeal {
                    owner_id: d.owner_id,
                    value: d.value,
                    currency: d.currency,
                    created_on: self.today,
                    won_on: self.today,
                });
            }
            Imagined::Lose(_) => {
                standing.open.remove(at);
            }
            Imagined::Redate(_, day) => standing.open[at].expected_close = Some(*day),
        }
        Some(deal)
    }
}

/// A what-if in progress: the model, its history read once, the deals as they stand
/// with everything imagined so far, and the widgets' simulated futures, kept so that
/// each change is figured again by drawing the one deal it changed.
pub struct WhatIf {
    pub model: Model,
    stays: Vec<Stay>,
    history: History,
    standing: Standing,
    futures: [Futures; 2],
}

impl WhatIf {
    pub fn new(model: Model) -> Self {
        let stays = model.stays();
        let history = History::new(&stays);
        let standing = model.standing.clone();
        let futures = standing.widget_futures(&stays, &history, model.today);
        WhatIf {
            history,
            stays,
            standing,
            futures,
            model,
        }
    }

    /// The deals as they stand with everything imagined so far.
    pub fn standing(&self) -> &Standing {
        &self.standing
    }

    /// An open deal's expected close date, with what was imagined.
    pub fn expected_close(&self, deal: DealId) -> Option<NaiveDate> {
        let deal = self.standing.open.iter().find(|d| d.id == deal)?;
        deal.expected_close
    }

    /// Imagines `change` on top of what was imagined before.
    pub fn imagine(&mut self, change: Imagined) {
        let Some(deal) = self.model.apply(&mut self.standing, &change) else {
            return;
        };
        for futures in &mut self.futures {
            let input = self
                .standing
                .input(&self.stays, self.model.today, futures.kind(), 1);
            futures.renew(&input, &self.history, deal);
        }
    }

    /// This month's and this quarter's figures after everything imagined so far.
    pub fn periods(&self) -> Vec<Period> {
        self.standing.widgets(
            &self.futures,
            &self.stays,
            self.model.today,
            &self.model.goals,
            self.model.owner,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::forecast::{OpenDeal, WonDeal};
    use crate::domain::ids::PipelineId;
    use crate::domain::money::{Currency, Totals};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }
    fn today() -> NaiveDate {
        date(2026, 11, 10)
    }
    fn sek() -> Currency {
        Currency::parse("SEK").unwrap()
    }
    fn sek_totals(minor: i64) -> Totals {
        let mut t = Totals::default();
        t.add(&sek(), minor);
        t
    }

    fn stage(name: &str, probability: i64) -> Stage {
        Stage {
            id: StageId::new(),
            pipeline_id: PipelineId(uuid::Uuid::nil()),
            name: name.into(),
            position: 0,
            probability,
            rotting_days: None,
            version: 1,
        }
    }

    fn open(stage: &Stage, value: i64, close: NaiveDate) -> OpenDeal {
        OpenDeal {
            id: DealId::new(),
            owner_id: UserId(uuid::Uuid::nil()),
            stage_id: stage.id,
            value,
            currency: sek(),
            probability: stage.probability,
            own_probability: false,
            expected_close: Some(close),
            days_in_stage: 12,
            lead_source: None,
            category: ForecastCategory::from_chance(stage.probability),
            own_category: false,
        }
    }

    /// Two stages at 40 % and 80 %, one deal of 1,000 SEK in the first expected this
    /// month, and too little history for the empirical method: stage chances decide.
    fn small() -> (Model, Vec<Stage>, DealId) {
        let stages = vec![stage("Proposal", 40), stage("Commitment", 80)];
        let deal = open(&stages[0], 1_000, date(2026, 11, 20));
        let id = deal.id;
        let standing = Standing {
            open: vec![deal],
            won: vec![],
            history_deals: 0,
            history_from: None,
        };
        let model = Model::new(standing, &[], &stages, vec![], today(), None);
        (model, stages, id)
    }

    fn month(what_if: &WhatIf) -> Period {
        what_if.periods().remove(0)
    }

    #[test]
    fn with_nothing_imagined_the_figures_are_the_widgets() {
        let (model, _, _) = small();
        let what_if = WhatIf::new(model.clone());
        let stays = model.stays();
        let widgets = model.standing.this_month_and_quarter(
            &stays,
            &History::new(&stays),
            today(),
            &[],
            None,
        );
        assert_eq!(what_if.periods(), widgets);
        assert_eq!(month(&what_if).weighted, sek_totals(400));
        assert_eq!(month(&what_if).label, "November 2026");
    }

    #[test]
    fn an_imagined_move_takes_the_new_stages_chance() {
        let (model, stages, deal) = small();
        let mut what_if = WhatIf::new(model);
        what_if.imagine(Imagined::Move(deal, stages[1].id));
        assert_eq!(month(&what_if).weighted, sek_totals(800));
        assert_eq!(what_if.standing().open[0].days_in_stage, 0);
    }

    #[test]
    fn a_deal_with_its_own_chance_keeps_it_when_moved() {
        let (mut model, stages, deal) = small();
        model.standing.open[0].probability = 50;
        model.standing.open[0].own_probability = true;
        let mut what_if = WhatIf::new(model);
        what_if.imagine(Imagined::Move(deal, stages[1].id));
        assert_eq!(month(&what_if).weighted, sek_totals(500));
    }

    #[test]
    fn an_imagined_win_counts_as_won_this_month_and_leaves_the_open_deals() {
        let (model, _, deal) = small();
        let mut what_if = WhatIf::new(model);
        what_if.imagine(Imagined::Win(deal));
        let m = month(&what_if);
        assert_eq!(m.won, sek_totals(1_000));
        assert_eq!(m.weighted, sek_totals(1_000));
        assert_eq!(m.open_deals, 0);
    }

    #[test]
    fn an_imagined_loss_takes_the_deal_out_of_the_forecast() {
        let (model, _, deal) = small();
        let mut what_if = WhatIf::new(model);
        what_if.imagine(Imagined::Lose(deal));
        let m = month(&what_if);
        assert_eq!(m.weighted, Totals::default());
        assert_eq!(m.open_deals, 0);
        // A second change to the lost deal changes nothing.
        what_if.imagine(Imagined::Win(deal));
        assert_eq!(month(&what_if).won, Totals::default());
    }

    #[test]
    fn a_deal_redated_past_the_quarter_leaves_both_periods() {
        let (model, _, deal) = small();
        let mut what_if = WhatIf::new(model);
        what_if.imagine(Imagined::Redate(deal, date(2027, 2, 1)));
        let periods = what_if.periods();
        assert_eq!(periods[0].weighted, sek_totals(0));
        assert_eq!(periods[1].weighted, sek_totals(0));
        assert_eq!(periods[1].open_deals, 0);
        assert_eq!(what_if.expected_close(deal), Some(date(2027, 2, 1)));
        // The model, what leaving restores, is as it was.
        assert_eq!(
            what_if.model.standing.open[0].expected_close,
            Some(date(2026, 11, 20))
        );
    }

    #[test]
    fn each_change_drawn_alone_gives_the_figures_of_the_whole_forecast_made_again() {
        let stages = vec![stage("Proposal", 40), stage("Commitment", 80)];
        let mut dice = crate::domain::dice::Dice(5);
        // 400 open deals: the largest 200 are drawn one by one, the others are a crowd.
        let deals: Vec<OpenDeal> = (0..400)
            .map(|i| {
                let close = today() + chrono::TimeDelta::days(dice.below(100) as i64);
                open(&stages[i % 2], 1_000 + dice.below(1_000_000) as i64, close)
            })
            .collect();
        let stays: Vec<Stay> = (0..200)
            .map(|i| Stay {
                deal_id: DealId::new(),
                stage_id: stages[i % 2].id,
                lead_source: None,
                days: (i % 40) as i64,
                won: i % 3 == 0,
                days_to_close: (i % 70) as i64,
            })
            .collect();
        let ids: Vec<DealId> = deals.iter().map(|d| d.id).collect();
        let largest = deals.iter().max_by_key(|d| d.value).unwrap().id;
        let smallest = deals.iter().min_by_key(|d| d.value).unwrap().id;
        let standing = Standing {
            open: deals,
            won: vec![],
            history_deals: 100,
            history_from: None,
        };
        let model = Model::new(standing, &stays, &stages, vec![], today(), None);
        let mut what_if = WhatIf::new(model);
        let before = what_if.periods();
        assert_eq!(before[0].method, crate::domain::forecast::Method::Empirical);
        for change in [
            Imagined::Move(largest, stages[1].id),
            Imagined::Move(smallest, stages[1].id),
            Imagined::Win(ids[3]),
            Imagined::Lose(ids[4]),
            Imagined::Redate(ids[5], date(2026, 12, 20)),
            Imagined::Lose(largest),
        ] {
            what_if.imagine(change.clone());
            let stays = what_if.model.stays();
            let afresh = what_if.standing().this_month_and_quarter(
                &stays,
                &History::new(&stays),
                today(),
                &[],
                None,
            );
            assert_eq!(what_if.periods(), afresh, "after {change:?}");
        }
        assert_ne!(what_if.periods()[1].expected, before[1].expected);
    }

    #[test]
    fn the_model_keeps_wins_the_forecast_reads_and_leaves_older_ones_out() {
        let (_, stages, _) = small();
        let won = |on: NaiveDate| WonDeal {
            owner_id: UserId(uuid::Uuid::nil()),
            value: 100,
            currency: sek(),
            created_on: on,
            won_on: on,
        };
        let standing = Standing {
            open: vec![],
            // This month began on 1 November: the forecast reads from 1 May.
            won: vec![won(date(2026, 4, 30)), won(date(2026, 5, 1)), won(today())],
            history_deals: 0,
            history_from: None,
        };
        let model = Model::new(standing, &[], &stages, vec![], today(), None);
        let kept: Vec<NaiveDate> = model.standing.won.iter().map(|w| w.won_on).collect();
        assert_eq!(kept, vec![date(2026, 5, 1), today()]);
    }

    #[test]
    fn a_long_history_is_sampled_evenly_and_keeps_its_win_rates() {
        let (_, stages, _) = small();
        // 50,000 stays in the first stage, one in five won; 10 in another pipeline's.
        let mut stays: Vec<Stay> = (0..50_000)
            .map(|i| Stay {
                deal_id: DealId::new(),
                stage_id: stages[0].id,
                lead_source: (i % 2 == 0).then(|| "Web".to_string()),
                days: i % 30,
                won: i % 5 == 0,
                days_to_close: 40,
            })
            .collect();
        let elsewhere = Stay {
            stage_id: StageId::new(),
            ..stays[0].clone()
        };
        stays.extend(std::iter::repeat_n(elsewhere, 10));
        let standing = Standing {
            open: vec![],
            won: vec![],
            history_deals: 25_000,
            history_from: None,
        };
        let model = Model::new(standing, &stays, &stages, vec![], today(), None);
        let kept = model.stays();
        assert!(kept.len() <= MODEL_STAYS, "{} stays kept", kept.len());
        assert!(kept.len() >= MODEL_STAYS / 2, "{} stays kept", kept.len());
        assert!(kept.iter().all(|s| s.stage_id == stages[0].id));
        let won = kept.iter().filter(|s| s.won).count() as f64 / kept.len() as f64;
        assert!((won - 0.2).abs() < 0.01, "win rate {won}");
        let web = kept
            .iter()
            .filter(|s| s.lead_source.as_deref() == Some("Web"))
            .count();
        assert!((web as f64 / kept.len() as f64 - 0.5).abs() < 0.01);
    }
}
