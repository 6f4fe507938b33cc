//! Pipelines and their stages. Invariants: stage positions are unique within a
//! pipeline; a probability is 0–100; a stage that holds deals is deleted only by
//! naming where its deals go.

use super::ids::{PipelineId, StageId};
use super::validation::{required_text, RuleError};
use serde::{Deserialize, Serialize};

/// Chance of winning, in whole percent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Probability(u8);

impl Probability {
    pub fn parse(field: &str, value: i64) -> Result<Self, RuleError> {
        if (0..=100).contains(&value) {
            Ok(Self(value as u8))
        } else {
            Err(RuleError::invalid(field, "must be between 0 and 100"))
        }
    }

    pub fn percent(self) -> i64 {
        self.0 as i64
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Pipeline {
    pub id: PipelineId,
    pub name: String,
    pub position: i64,
    pub version: i64,
    pub stages: Vec<Stage>,
    /// The weekday the team's sales meeting is held, 0 = Monday … 6 = Sunday: where
    /// "since last meeting" looks back to. None: a week back.
    pub meeting_weekday: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Stage {
    pub id: StageId,
    pub pipeline_id: PipelineId,
    pub name: String,
    pub position: i64,
    pub probability: i64,
    pub rotting_days: Option<i64>,
    pub version: i64,
}

/// The stages the brief describes; winning a deal in Commitment is the sale.
pub const DEFAULT_STAGES: &[(&str, i64, Option<i64>)] = &[
    ("Prospect/lead", 10, Some(7)),
    ("Qualification", 25, Some(14)),
    ("Proposal", 50, Some(21)),
    ("Commitment", 80, Some(14)),
];

/// A meeting weekday as given: 0 (Monday) to 6 (Sunday), or none.
pub fn meeting_weekday(value: Option<i64>) -> Result<Option<i64>, RuleError> {
    match value {
        Some(day) if !(0..=6).contains(&day) => Err(RuleError::invalid(
            "meeting_weekday",
            "must be 0 (Monday) to 6 (Sunday), or none",
        )),
        day => Ok(day),
    }
}

pub fn pipeline_name(value: &str) -> Result<String, RuleError> {
    required_text("name", value, 80)
}

pub fn stage_name(value: &str) -> Result<String, RuleError> {
    required_text("name", value, 60)
}

pub fn rotting_days(value: Option<i64>) -> Result<Option<i64>, RuleError> {
    match value {
        Some(d) if !(1..=365).contains(&d) => Err(RuleError::invalid(
            "rotting_days",
            "must be between 1 and 365 days, or empty",
        )),
        other => Ok(other),
    }
}

impl Pipeline {
    pub fn stage(&self, id: StageId) -> Option<&Stage> {
        self.stages.iter().find(|s| s.id == id)
    }

    pub fn first_stage(&self) -> Option<&Stage> {
        self.stages.iter().min_by_key(|s| s.position)
    }

    /// The stage after (`step` = 1) or before (`step` = -1) `from`, if any.
    pub fn neighbour(&self, from: StageId, step: i64) -> Option<&Stage> {
        let mut ordered: Vec<&Stage> = self.stages.iter().collect();
        ordered.sort_by_key(|s| s.position);
        let i = ordered.iter().position(|s| s.id == from)? as i64 + step;
        usize::try_from(i)
            .ok()
            .and_then(|i| ordered.get(i).copied())
    }
}

impl Pipeline {
    /// Whether `wanted` names this pipeline: its id, or its name in any case.
    pub fn answers_to(&self, wanted: &str) -> bool {
        let wanted = wanted.trim();
        wanted.parse::<PipelineId>().ok() == Some(self.id) || self.name.eq_ignore_ascii_case(wanted)
    }
}

/// What an admin fills in for a stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageInput {
    pub name: String,
    pub probability: i64,
    pub rotting_days: Option<i64>,
}

impl StageInput {
    /// Name, probability and rotting days, checked.
    pub fn parse(&self) -> Result<(String, i64, Option<i64>), RuleError> {
        Ok((
            stage_name(&self.name)?,
            Probability::parse("probability", self.probability)?.percent(),
            rotting_days(self.rotting_days)?,
        ))
    }
}

/// Deleting a stage: its deals must go somewhere else in the same pipeline.
pub fn check_stage_delete(
    pipeline: &Pipeline,
    stage: StageId,
    deals_in_stage: i64,
    target: Option<StageId>,
) -> Result<(), RuleError> {
    if pipeline.stages.len() <= 1 {
        return Err(RuleError::Refused(
            "A pipeline needs at least one stage.".into(),
        ));
    }
    match target {
        None if deals_in_stage > 0 => Err(RuleError::invalid(
            "target_stage_id",
            format!("This stage holds {deals_in_stage} deals: choose a stage to move them to."),
        )),
        Some(t) if t == stage || pipeline.stage(t).is_none() => Err(RuleError::invalid(
            "target_stage_id",
            "must be another stage of the same pipeline",
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn pipeline() -> Pipeline {
        let id = PipelineId::new();
        Pipeline {
            id,
            name: "Sales".into(),
            position: 0,
            version: 1,
            meeting_weekday: None,
            stages: DEFAULT_STAGES
                .iter()
                .enumerate()
                .map(|(i, (name, p, r))| Stage {
                    id: StageId::new(),
                    pipeline_id: id,
                    name: name.to_string(),
                    position: i as i64,
                    probability: *p,
                    rotting_days: *r,
                    version: 1,
                })
                .collect(),
        }
    }

    #[test]
    fn probability_outside_0_to_100_is_refused() {
        assert!(Probability::parse("probability", 101).is_err());
        assert!(Probability::parse("probability", -1).is_err());
        assert_eq!(Probability::parse("probability", 40).unwrap().percent(), 40);
    }

    #[test]
    fn the_default_pipeline_follows_the_brief() {
        let names: Vec<_> = DEFAULT_STAGES.iter().map(|s| s.0).collect();
        assert_eq!(
            names,
            ["Prospect/lead", "Qualification", "Proposal", "Commitment"]
        );
    }

    #[test]
    fn neighbours_follow_stage_order() {
        let p = pipeline();
        let first = p.stages[0].id;
        assert_eq!(p.neighbour(first, 1).unwrap().name, "Qualification");
        assert!(p.neighbour(first, -1).is_none());
        assert!(p.neighbour(p.stages[3].id, 1).is_none());
    }

    #[test]
    fn a_stage_holding_deals_cannot_be_deleted_without_a_target() {
        let p = pipeline();
        let s = p.stages[1].id;
        assert!(check_stage_delete(&p, s, 3, None).is_err());
        assert!(check_stage_delete(&p, s, 3, Some(s)).is_err());
        assert!(check_stage_delete(&p, s, 3, Some(p.stages[0].id)).is_ok());
        assert!(check_stage_delete(&p, s, 0, None).is_ok());
    }
}
