//! The `deals` table. Updates name the version they read; a stale one matches no row.

use super::deal_events::Touched;
use super::{on, Tx};
use crate::domain::board::{DealCard, StageSum};
use crate::domain::contact::DealLine;
use crate::domain::deal::{Deal, DealStatus};
use crate::domain::ids::{DealId, OrganizationId, PersonId, PipelineId, StageId, UserId};
use crate::domain::money::Currency;
use crate::domain::replay::Facts;
use crate::error::AppResult;
use chrono::{DateTime, Utc};

macro_rules! columns {
    () => {
        "id, title, value, currency, pipeline_id, stage_id, status, lost_reason, \
         expected_close_date, probability, owner_id, organization_id, person_id, lead_source, \
         stage_entered_at, closed_at, created_at, updated_at, version, forecast_category"
    };
}

/// Which open deals of a pipeline the board shows: `$2` an owner, `$3` a search pattern.
macro_rules! board_where {
    () => {
        "d.pipeline_id = $1 AND d.status = 'open' AND d.deleted_at IS NULL \
         AND ($2 IS NULL OR d.owner_id = $2) \
         AND ($3 IS NULL OR LOWER(d.title) LIKE $3 ESCAPE '\\' \
              OR LOWER(COALESCE(o.name, '')) LIKE $3 ESCAPE '\\')"
    };
}

pub async fn insert(tx: &mut Tx, d: &Deal) -> AppResult<()> {
    let sql = concat!(
        "INSERT INTO deals (",
        columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"
    );
    on!(tx, |c| sqlx::query(sql)
        .bind(d.id)
        .bind(&d.title)
        .bind(d.value)
        .bind(&d.currency)
        .bind(d.pipeline_id)
        .bind(d.stage_id)
        .bind(d.status)
        .bind(&d.lost_reason)
        .bind(d.expected_close_date)
        .bind(d.probability)
        .bind(d.owner_id)
        .bind(d.organization_id)
        .bind(d.person_id)
        .bind(&d.lead_source)
        .bind(d.stage_entered_at)
        .bind(d.closed_at)
        .bind(d.created_at)
        .bind(d.updated_at)
        .bind(d.version)
        .bind(d.forecast_category)
        .execute(c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// A deal that has not been deleted.
pub async fn find(tx: &mut Tx, id: DealId) -> AppResult<Option<Deal>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM deals WHERE id = $1 AND deleted_at IS NULL"
    );
    Ok(on!(tx, |c| sqlx::query_as::<_, Deal>(sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// Whether a deal with this id was ever created (deleted ones included), for
/// idempotent creates.
pub async fn exists(tx: &mut Tx, id: DealId) -> AppResult<bool> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM deals WHERE id = $1"
    )
    .bind(id)
    .fetch_one(c)
    .await)?
        > 0)
}

/// Saves `d`, which was read at `read_version`; `false` when the row has moved on.
pub async fn update(tx: &mut Tx, d: &Deal, read_version: i64) -> AppResult<bool> {
    Ok(on!(tx, |c| {
        sqlx::query(
        "UPDATE deals SET title = $3, value = $4, currency = $5, pipeline_id = $6, stage_id = $7, \
         status = $8, lost_reason = $9, expected_close_date = $10, probability = $11, owner_id = $12, \
         organization_id = $13, person_id = $14, lead_source = $15, stage_entered_at = $16, \
         closed_at = $17, updated_at = $18, version = $19, forecast_category = $20 \
         WHERE id = $1 AND version = $2 AND deleted_at IS NULL"
    )
    .bind(d.id)
    .bind(read_version)
    .bind(&d.title)
    .bind(d.value)
    .bind(&d.currency)
    .bind(d.pipeline_id)
    .bind(d.stage_id)
    .bind(d.status)
    .bind(&d.lost_reason)
    .bind(d.expected_close_date)
    .bind(d.probability)
    .bind(d.owner_id)
    .bind(d.organization_id)
    .bind(d.person_id)
    .bind(&d.lead_source)
    .bind(d.stage_entered_at)
    .bind(d.closed_at)
    .bind(d.updated_at)
    .bind(d.version)
    .bind(d.forecast_category)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1)
    })?)
}

pub async fn mark_deleted(
    tx: &mut Tx,
    id: DealId,
    read_version: i64,
    at: DateTime<Utc>,
) -> AppResult<bool> {
    Ok(on!(tx, |c| sqlx::query(
        "UPDATE deals SET deleted_at = $3, updated_at = $3, version = version + 1 \
         WHERE id = $1 AND version = $2 AND deleted_at IS NULL"
    )
    .bind(id)
    .bind(read_version)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected() == 1))?)
}

#[derive(Clone, Debug, Default)]
pub struct DealFilter {
    pub pipeline_id: Option<PipelineId>,
    pub stage_id: Option<StageId>,
    pub status: Option<DealStatus>,
    pub owner_id: Option<UserId>,
    pub person_id: Option<PersonId>,
    pub organization_id: Option<OrganizationId>,
    pub limit: i64,
}

pub async fn list(tx: &mut Tx, f: &DealFilter) -> AppResult<Vec<Deal>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM deals WHERE deleted_at IS NULL \
         AND ($1 IS NULL OR pipeline_id = $1) AND ($2 IS NULL OR stage_id = $2) \
         AND ($3 IS NULL OR status = $3) AND ($4 IS NULL OR owner_id = $4) \
         AND ($6 IS NULL OR person_id = $6) AND ($7 IS NULL OR organization_id = $7) \
         ORDER BY updated_at DESC, id LIMIT $5"
    );
    Ok(on!(tx, |c| sqlx::query_as::<_, Deal>(sql)
        .bind(f.pipeline_id)
        .bind(f.stage_id)
        .bind(f.status)
        .bind(f.owner_id)
        .bind(f.limit)
        .bind(f.person_id)
        .bind(f.organization_id)
        .fetch_all(c)
        .await)?)
}

/// The deals with a person (or at an organization), as their page lists them: open
/// ones first, then the most recently changed; at most 500.
pub async fn lines(
    tx: &mut Tx,
    person: Option<PersonId>,
    organization: Option<OrganizationId>,
) -> AppResult<Vec<DealLine>> {
    type Row = (
        DealId,
        String,
        i64,
        Currency,
        DealStatus,
        String,
        Option<String>,
    );
    let rows = on!(tx, |c| {
        sqlx::query_as::<_, Row>(
        "SELECT d.id, d.title, d.value, d.currency, d.status, s.name, p.name FROM deals d \
         JOIN stages s ON s.id = d.stage_id LEFT JOIN persons p ON p.id = d.person_id \
         WHERE d.deleted_at IS NULL \
         AND (($1 IS NOT NULL AND d.person_id = $1) OR ($2 IS NOT NULL AND d.organization_id = $2)) \
         ORDER BY CASE WHEN d.status = 'open' THEN 0 ELSE 1 END, d.updated_at DESC, d.id LIMIT 500"
    )
    .bind(person)
    .bind(organization)
    .fetch_all(c)
    .await
    })?;
    Ok(rows
        .into_iter()
        .map(
            |(id, title, value, currency, status, stage, person)| DealLine {
                id,
                title,
                value,
                currency,
                status,
                stage,
                person,
            },
        )
        .collect())
}

/// A deal as an export writes it: the names of its pipeline, stage, owner (by email),
/// organization and person, not their ids.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ExportRow {
    pub id: DealId,
    pub title: String,
    pub value: i64,
    pub currency: Currency,
    pub pipeline: String,
    pub stage: String,
    pub status: DealStatus,
    pub lost_reason: Option<String>,
    pub expected_close_date: Option<chrono::NaiveDate>,
    pub probability: Option<i64>,
    pub owner: String,
    pub organization: Option<String>,
    pub person: Option<String>,
    pub person_email: Option<String>,
    pub lead_source: Option<String>,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// Every deal not deleted, oldest first, at most `limit`.
pub async fn export(tx: &mut Tx, limit: i64) -> AppResult<Vec<ExportRow>> {
    Ok(on!(tx, |c| {
        sqlx::query_as::<_, ExportRow>(
        "SELECT d.id, d.title, d.value, d.currency, pl.name AS pipeline, s.name AS stage, \
         d.status, d.lost_reason, d.expected_close_date, d.probability, u.email AS owner, \
         o.name AS organization, pe.name AS person, pe.email AS person_email, d.lead_source, \
         d.created_at, d.closed_at \
         FROM deals d JOIN pipelines pl ON pl.id = d.pipeline_id JOIN stages s ON s.id = d.stage_id \
         JOIN users u ON u.id = d.owner_id LEFT JOIN organizations o ON o.id = d.organization_id \
         LEFT JOIN persons pe ON pe.id = d.person_id \
         WHERE d.deleted_at IS NULL ORDER BY d.created_at, d.id LIMIT $1"
    )
    .bind(limit)
    .fetch_all(c)
    .await
    })?)
}

/// What narrows the board: an owner and words in the title or organization.
#[derive(Clone, Debug, Default)]
pub struct BoardFilter {
    pub owner_id: Option<UserId>,
    /// Lower-cased `LIKE` pattern, already escaped.
    pub text: Option<String>,
}

/// A board sum as the database gives it. Each deal's value is split at 10^9 into a
/// high and a low part, summed apart, so the SQL sums stay far inside BIGINT whatever
/// values are stored (SQLite fails a SUM that overflows; PostgreSQL fails the cast);
/// the parts are joined in `i128`.
#[derive(sqlx::FromRow)]
struct StageSumRow {
    stage_id: StageId,
    currency: Currency,
    deals: i64,
    value_high: i64,
    value_low: i64,
    weighted_high: i64,
    weighted_low: i64,
}

const SPLIT: i128 = 1_000_000_000;

impl From<StageSumRow> for StageSum {
    fn from(r: StageSumRow) -> Self {
        StageSum {
            stage_id: r.stage_id,
            currency: r.currency,
            deals: r.deals,
            value: i128::from(r.value_high) * SPLIT + i128::from(r.value_low),
            weighted_x100: i128::from(r.weighted_high) * SPLIT + i128::from(r.weighted_low),
        }
    }
}

/// Exact count, value and Σ value × probability of the open deals per stage and currency.
pub async fn board_sums(
    tx: &mut Tx,
    pipeline: PipelineId,
    f: &BoardFilter,
) -> AppResult<Vec<StageSum>> {
    let sql = concat!(
        "SELECT d.stage_id AS stage_id, d.currency AS currency, COUNT(*) AS deals, \
         CAST(SUM(d.value / 1000000000) AS BIGINT) AS value_high, \
         CAST(SUM(d.value % 1000000000) AS BIGINT) AS value_low, \
         CAST(SUM((d.value / 1000000000) * COALESCE(d.probability, s.probability)) AS BIGINT) AS weighted_high, \
         CAST(SUM((d.value % 1000000000) * COALESCE(d.probability, s.probability)) AS BIGINT) AS weighted_low \
         FROM deals d JOIN stages s ON s.id = d.stage_id \
         LEFT JOIN organizations o ON o.id = d.organization_id \
         WHERE ",
        board_where!(),
        " GROUP BY d.stage_id, d.currency"
    );
    let rows = on!(tx, |c| sqlx::query_as::<_, StageSumRow>(sql)
        .bind(pipeline)
        .bind(f.owner_id)
        .bind(&f.text)
        .fetch_all(c)
        .await)?;
    Ok(rows.into_iter().map(StageSum::from).collect())
}

/// A deal's columns as a card has them (`card_columns!("d.")` prefixes the deal's own;
/// the names of owner and organization come from joins).
macro_rules! card_columns {
    () => {
        "id, title, value, currency, pipeline_id, stage_id, status, probability, owner_id, \
         owner_name, organization_id, organization_name, stage_entered_at, version"
    };
    ("d.") => {
        "d.id, d.title, d.value, d.currency, d.pipeline_id, d.stage_id, d.status, d.probability, \
         d.owner_id, d.organization_id, d.stage_entered_at, d.version"
    };
}

/// One deal as a card, deleted or not: what a change looked like before and after.
pub async fn card(tx: &mut Tx, id: DealId) -> AppResult<Option<DealCard>> {
    let sql = concat!(
        "SELECT ",
        card_columns!("d."),
        ", u.name AS owner_name, o.name AS organization_name \
         FROM deals d JOIN users u ON u.id = d.owner_id \
         LEFT JOIN organizations o ON o.id = d.organization_id WHERE d.id = $1"
    );
    Ok(on!(tx, |c| sqlx::query_as::<_, DealCard>(sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// The open cards of a pipeline, the most recently moved first, at most `per_stage`
/// for each stage.
pub async fn board_cards(
    tx: &mut Tx,
    pipeline: PipelineId,
    f: &BoardFilter,
    per_stage: i64,
) -> AppResult<Vec<DealCard>> {
    let sql = concat!(
        "SELECT ",
        card_columns!(),
        " FROM ( \
           SELECT ",
        card_columns!("d."),
        ", u.name AS owner_name, o.name AS organization_name, \
             ROW_NUMBER() OVER (PARTITION BY d.stage_id ORDER BY d.stage_entered_at DESC, d.id) AS n \
           FROM deals d JOIN users u ON u.id = d.owner_id \
           LEFT JOIN organizations o ON o.id = d.organization_id \
           WHERE ",
        board_where!(),
        ") ranked WHERE n <= $4 ORDER BY stage_entered_at DESC, id"
    );
    Ok(on!(tx, |c| sqlx::query_as::<_, DealCard>(sql)
        .bind(pipeline)
        .bind(f.owner_id)
        .bind(&f.text)
        .bind(per_stage)
        .fetch_all(c)
        .await)?)
}

#[derive(sqlx::FromRow)]
struct WinRow {
    #[sqlx(flatten)]
    card: DealCard,
    closed_at: DateTime<Utc>,
}

/// The pipeline's latest wins, newest first.
pub async fn recent_wins(
    tx: &mut Tx,
    pipeline: PipelineId,
    limit: i64,
) -> AppResult<Vec<crate::domain::display::Win>> {
    let sql = concat!(
        "SELECT ",
        card_columns!("d."),
        ", u.name AS owner_name, o.name AS organization_name, d.closed_at \
         FROM deals d JOIN users u ON u.id = d.owner_id \
         LEFT JOIN organizations o ON o.id = d.organization_id \
         WHERE d.pipeline_id = $1 AND d.status = 'won' AND d.deleted_at IS NULL \
           AND d.closed_at IS NOT NULL \
         ORDER BY d.closed_at DESC, d.id LIMIT $2"
    );
    let rows = on!(tx, |c| sqlx::query_as::<_, WinRow>(sql)
        .bind(pipeline)
        .bind(limit)
        .fetch_all(c)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|r| crate::domain::display::Win {
            card: r.card,
            won_at: r.closed_at,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct WonRow {
    owner_id: UserId,
    owner_name: String,
    currency: Currency,
    deals: i64,
    won_high: i64,
    won_low: i64,
}

/// What each owner won in a pipeline from `from` until `to`, per currency: (owner,
/// their name, currency, deals won, value won).
pub async fn won_by_owner(
    tx: &mut Tx,
    pipeline: PipelineId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<Vec<(UserId, String, Currency, i64, i128)>> {
    let sql = "SELECT d.owner_id AS owner_id, u.name AS owner_name, d.currency AS currency, \
         CAST(COUNT(*) AS BIGINT) AS deals, \
         CAST(SUM(d.value / 1000000000) AS BIGINT) AS won_high, \
         CAST(SUM(d.value % 1000000000) AS BIGINT) AS won_low \
         FROM deals d JOIN users u ON u.id = d.owner_id \
         WHERE d.pipeline_id = $1 AND d.status = 'won' AND d.deleted_at IS NULL \
           AND d.closed_at >= $2 AND d.closed_at < $3 \
         GROUP BY d.owner_id, u.name, d.currency";
    let rows = on!(tx, |c| sqlx::query_as::<_, WonRow>(sql)
        .bind(pipeline)
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let won = i128::from(r.won_high) * SPLIT + i128::from(r.won_low);
            (r.owner_id, r.owner_name, r.currency, r.deals, won)
        })
        .collect())
}

/// How many deals (closed ones too) sit in a stage.
pub async fn count_in_stage(tx: &mut Tx, stage: StageId) -> AppResult<i64> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM deals WHERE stage_id = $1"
    )
    .bind(stage)
    .fetch_one(c)
    .await)?)
}

/// How many deals (closed and deleted ones too) a pipeline holds, in one query.
pub async fn count_in_pipeline(tx: &mut Tx, pipeline: PipelineId) -> AppResult<i64> {
    Ok(on!(tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM deals WHERE pipeline_id = $1"
    )
    .bind(pipeline)
    .fetch_one(c)
    .await)?)
}

/// Moves every deal of `from` (deleted and closed ones too) to `to` without touching
/// their status, and returns the live ones it moved, so that the caller logs a move for
/// exactly the rows this statement changed, even when a move raced it.
pub async fn reassign_stage(
    tx: &mut Tx,
    from: StageId,
    to: StageId,
    pipeline: PipelineId,
) -> AppResult<Vec<DealId>> {
    let mut moved: Vec<(DealId, bool)> = on!(tx, |c| {
        sqlx::query_as(
            "UPDATE deals SET stage_id = $2, pipeline_id = $3, version = version + 1 \
             WHERE stage_id = $1 RETURNING id, deleted_at IS NULL",
        )
        .bind(from)
        .bind(to)
        .bind(pipeline)
        .fetch_all(c)
        .await
    })?;
    moved.sort();
    Ok(moved
        .into_iter()
        .filter_map(|(id, live)| live.then_some(id))
        .collect())
}

#[derive(sqlx::FromRow)]
struct FactsRow {
    id: DealId,
    title: String,
    value: i64,
    currency: Currency,
    owner_id: UserId,
    expected_close_date: Option<chrono::NaiveDate>,
    probability: Option<i64>,
    lead_source: Option<String>,
    forecast_category: Option<crate::domain::deal::ForecastCategory>,
}

/// Every deal of a pipeline as it is now, deleted ones too: what a replay of the log
/// starts from.
pub async fn facts(tx: &mut Tx, pipeline: PipelineId) -> AppResult<Vec<Facts>> {
    facts_of_touched(tx, pipeline, Touched::All { upto: i64::MAX }).await
}

/// The same for the pipeline's deals that `touched` names.
pub async fn facts_of_touched(
    tx: &mut Tx,
    pipeline: PipelineId,
    touched: Touched,
) -> AppResult<Vec<Facts>> {
    macro_rules! facts_columns {
        () => {
            "SELECT deals.id, title, value, currency, owner_id, expected_close_date, \
        probability, lead_source, forecast_category FROM"
        };
    }
    // Led by the entries that name the deals (SQLite keeps a CROSS JOIN's order).
    macro_rules! of_deals {
        ($deals:literal) => {
            concat!(
                facts_columns!(),
                " (SELECT DISTINCT deal_id FROM deal_events WHERE ",
                $deals,
                ") t CROSS JOIN deals WHERE deals.id = t.deal_id AND deals.pipeline_id = $1"
            )
        };
    }
    let rows = match touched {
        Touched::All { .. } => {
            let sql = concat!(facts_columns!(), " deals WHERE pipeline_id = $1");
            on!(tx, |c| sqlx::query_as::<_, FactsRow>(sql)
                .bind(pipeline)
                .fetch_all(c)
                .await)?
        }
        Touched::Between { after, upto } => {
            let sql = of_deals!("id > $2 AND id <= $3");
            on!(tx, |c| sqlx::query_as::<_, FactsRow>(sql)
                .bind(pipeline)
                .bind(after)
                .bind(upto)
                .fetch_all(c)
                .await)?
        }
        Touched::After(at) => {
            let sql = of_deals!("at > $2");
            on!(tx, |c| sqlx::query_as::<_, FactsRow>(sql)
                .bind(pipeline)
                .bind(at)
                .fetch_all(c)
                .await)?
        }
    };
    Ok(rows
        .into_iter()
        .map(|r| Facts {
            id: r.id,
            title: r.title,
            value: r.value,
            currency: r.currency,
            owner_id: r.owner_id,
            expected_close: r.expected_close_date,
            probability: r.probability,
            lead_source: r.lead_source,
            forecast_category: r.forecast_category,
        })
        .collect())
}
