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
use super::display::{quarter_of, Period};
use super::forecast::{History, PeriodKind, Standing, LOOK_BACK};
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
        // The forecast reads wins from `LOOK_BACK` months before this quarter's first.
        let from = PeriodKind::Month.before(quarter_of(today).0, LOOK_BACK);
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

    /// An open deal's expected close date, as the model has it.
    pub fn expected_close(&self, deal: DealId) -> Option<NaiveDate> {
        self.standing
            .open
            .iter()
            .find(|d| d.id == deal)
            .and_then(|d| d.expected_close)
    }

    /// The deals as they would stand after `imagined`, in order. A change to a deal
    /// that is not open (or not in the model) changes nothing. A move starts the deal's
    /// time in its new stage and gives it that stage's chance (unless it has its own)
    /// and the category the chance stands for (unless the rep chose one); a win counts
    /// today.
    pub fn imagine(&self, imagined: &[Imagined]) -> Standing {
        let mut standing = self.standing.clone();
        for change in imagined {
            let deal = match change {
                Imagined::Move(d, _) | Imagined::Win(d) | Imagined::Lose(d) => *d,
                Imagined::Redate(d, _) => *d,
            };
            let Some(at) = standing.open.iter().position(|d| d.id == deal) else {
                continue;
            };
            match change {
                Imagined::Move(_, to) => {
                    let Some(chance) = self.stages.iter().find(|s| s.0 == *to).map(|s| s.1) else {
                        continue;
                    };
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
        }
        standing
    }
}

/// A what-if in progress: the model, its history read once, and what has been
/// imagined so far.
pub struct WhatIf {
    pub model: Model,
    stays: Vec<Stay>,
    history: History,
    pub imagined: Vec<Imagined>,
}

impl WhatIf {
    pub fn new(model: Model) -> Self {
        let stays = model.stays();
        WhatIf {
            history: History::new(&stays),
            stays,
            model,
            imagined: Vec::new(),
        }
    }

    /// This month's and this quarter's figures after everything imagined so far.
    pub fn periods(&self) -> Vec<Period> {
        let standing = self.model.imagine(&self.imagined);
        standing.this_month_and_quarter(
            &self.stays,
            &self.history,
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
        what_if.imagined.push(Imagined::Move(deal, stages[1].id));
        assert_eq!(month(&what_if).weighted, sek_totals(800));
        assert_eq!(
            what_if.model.imagine(&what_if.imagined).open[0].days_in_stage,
            0
        );
    }

    #[test]
    fn a_deal_with_its_own_chance_keeps_it_when_moved() {
        let (mut model, stages, deal) = small();
        model.standing.open[0].probability = 50;
        model.standing.open[0].own_probability = true;
        let mut what_if = WhatIf::new(model);
        what_if.imagined.push(Imagined::Move(deal, stages[1].id));
        assert_eq!(month(&what_if).weighted, sek_totals(500));
    }

    #[test]
    fn an_imagined_win_counts_as_won_this_month_and_leaves_the_open_deals() {
        let (model, _, deal) = small();
        let mut what_if = WhatIf::new(model);
        what_if.imagined.push(Imagined::Win(deal));
        let m = month(&what_if);
        assert_eq!(m.won, sek_totals(1_000));
        assert_eq!(m.weighted, sek_totals(1_000));
        assert_eq!(m.open_deals, 0);
    }

    #[test]
    fn an_imagined_loss_takes_the_deal_out_of_the_forecast() {
        let (model, _, deal) = small();
        let mut what_if = WhatIf::new(model);
        what_if.imagined.push(Imagined::Lose(deal));
        let m = month(&what_if);
        assert_eq!(m.weighted, Totals::default());
        assert_eq!(m.open_deals, 0);
        // A second change to the lost deal changes nothing.
        what_if.imagined.push(Imagined::Win(deal));
        assert_eq!(month(&what_if).won, Totals::default());
    }

    #[test]
    fn a_deal_redated_past_the_quarter_leaves_both_periods() {
        let (model, _, deal) = small();
        let mut what_if = WhatIf::new(model);
        what_if
            .imagined
            .push(Imagined::Redate(deal, date(2027, 2, 1)));
        let periods = what_if.periods();
        assert_eq!(periods[0].weighted, sek_totals(0));
        assert_eq!(periods[1].weighted, sek_totals(0));
        assert_eq!(periods[1].open_deals, 0);
        assert_eq!(what_if.model.expected_close(deal), Some(date(2026, 11, 20)));
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
            // This quarter began on 1 October: the forecast reads from 1 April.
            won: vec![won(date(2026, 3, 31)), won(date(2026, 4, 1)), won(today())],
            history_deals: 0,
        };
        let model = Model::new(standing, &[], &stages, vec![], today(), None);
        let kept: Vec<NaiveDate> = model.standing.won.iter().map(|w| w.won_on).collect();
        assert_eq!(kept, vec![date(2026, 4, 1), today()]);
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
