//! The `contact_events` table: each person's and organization's append-only log.

use super::{on, Tx};
use crate::domain::contact::{ContactEvent, ContactEventKind};
use crate::domain::ids::{OrganizationId, PersonId, UserId};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};

/// Whose log an event is in.
#[derive(Clone, Copy, Debug)]
pub enum Subject {
    Person(PersonId),
    Organization(OrganizationId),
}

pub async fn append(
    tx: &mut Tx,
    subject: Subject,
    at: DateTime<Utc>,
    actor: Option<UserId>,
    kind: &ContactEventKind,
) -> AppResult<()> {
    let payload = serde_json::to_string(kind).map_err(|e| AppError::internal(&e))?;
    let (person, organization) = match subject {
        Subject::Person(p) => (Some(p), None),
        Subject::Organization(o) => (None, Some(o)),
    };
    on!(tx, |c| sqlx::query(
        "INSERT INTO contact_events (person_id, organization_id, at, actor_id, kind, payload) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(person)
    .bind(organization)
    .bind(at)
    .bind(actor)
    .bind(kind.name())
    .bind(payload)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The log of `subject` and of every record merged into it, oldest first.
pub async fn history(tx: &mut Tx, subject: Subject) -> AppResult<Vec<ContactEvent>> {
    type Row = (i64, DateTime<Utc>, Option<UserId>, Option<String>, String);
    let rows = match subject {
        Subject::Person(id) => on!(tx, |c| sqlx::query_as::<_, Row>(
            "SELECT e.id, e.at, e.actor_id, u.name, e.payload FROM contact_events e \
             LEFT JOIN users u ON u.id = e.actor_id \
             WHERE e.person_id = $1 \
                OR e.person_id IN (SELECT id FROM persons WHERE merged_into = $1) \
             ORDER BY e.id LIMIT 1000"
        )
        .bind(id)
        .fetch_all(c)
        .await)?,
        Subject::Organization(id) => on!(tx, |c| sqlx::query_as::<_, Row>(
            "SELECT e.id, e.at, e.actor_id, u.name, e.payload FROM contact_events e \
             LEFT JOIN users u ON u.id = e.actor_id \
             WHERE e.organization_id = $1 \
                OR e.organization_id IN (SELECT id FROM organizations WHERE merged_into = $1) \
             ORDER BY e.id LIMIT 1000"
        )
        .bind(id)
        .fetch_all(c)
        .await)?,
    };
    rows.into_iter()
        .map(|(id, at, actor_id, actor_name, payload)| {
            let kind = serde_json::from_str(&payload).map_err(|e| AppError::internal(&e))?;
            Ok(ContactEvent {
                id,
                at,
                actor_id,
                actor_name,
                kind,
            })
        })
        .collect()
}
