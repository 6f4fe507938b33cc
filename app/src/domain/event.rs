//! The append-only deal event log: every change to a deal is one of these, written in
//! the same transaction as the change. History, statistics and live replay read it;
//! nothing is ever updated or deleted in it.

use super::ids::{DealId, StageId, UserId};
use super::money::Currency;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// One changed field: its name and the old and new values as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FieldChange {
    pub field: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Value))]
    pub from: serde_json::Value,
    #[cfg_attr(feature = "ssr", schema(value_type = Value))]
    pub to: serde_json::Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum DealEventKind {
    Created {
        title: String,
        value: i64,
        currency: Currency,
        stage_id: StageId,
    },
    Moved {
        from: StageId,
        to: StageId,
    },
    Changed {
        changes: Vec<FieldChange>,
    },
    Won,
    Lost {
        reason: String,
    },
    Reopened,
    Deleted,
}

impl DealEventKind {
    /// The name kept in the log's `kind` column, for queries that filter by kind.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Created { .. } => "created",
            Self::Moved { .. } => "moved",
            Self::Changed { .. } => "changed",
            Self::Won => "won",
            Self::Lost { .. } => "lost",
            Self::Reopened => "reopened",
            Self::Deleted => "deleted",
        }
    }

    /// The stage a move left and the stage it reached, for indexed columns.
    pub fn stages(&self) -> (Option<StageId>, Option<StageId>) {
        match self {
            Self::Created { stage_id, .. } => (None, Some(*stage_id)),
            Self::Moved { from, to } => (Some(*from), Some(*to)),
            _ => (None, None),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DealEvent {
    /// Position in the log; also the live stream's event id.
    pub id: i64,
    pub deal_id: DealId,
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub actor_name: Option<String>,
    pub kind: DealEventKind,
}

/// Instants are kept to the microsecond: PostgreSQL's precision, so both engines read
/// back what was written.
pub fn instant(at: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::{DurationRound, TimeDelta};
    at.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(at)
}

pub fn date_json(d: Option<NaiveDate>) -> serde_json::Value {
    serde_json::to_value(d).unwrap_or(serde_json::Value::Null)
}
