//! Whole tables as CSV: deals, people, organizations and leads, from the API
//! (`GET /api/v1/export/{file}`) and the pages (`GET /export/{file}`). Names stand in
//! for ids where people read them (a deal's stage, owner by email, organization);
//! money is in major units (`12500.50`) beside its currency; times are RFC 3339 (UTC).

use super::{cell, download, table, text};
use app::domain::contact::{OrganizationRow, PersonRow};
use app::domain::deal::DealStatus;
use app::domain::lead::{Lead, LeadStatus};
use app::domain::money::major_text;
use app::domain::user::User;
use app::error::AppError;
use app::ssr::db::deals::ExportRow;
use app::ssr::ops;
use app::ssr::state::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

/// The tables an export writes, by the name of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Deals,
    People,
    Organizations,
    Leads,
}

impl Table {
    pub fn from_file(file: &str) -> Option<Table> {
        match file {
            "deals.csv" => Some(Table::Deals),
            "people.csv" => Some(Table::People),
            "organizations.csv" => Some(Table::Organizations),
            "leads.csv" => Some(Table::Leads),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Table::Deals => "deals",
            Table::People => "people",
            Table::Organizations => "organizations",
            Table::Leads => "leads",
        }
    }
}

/// The whole of `t` as the caller may see it, as CSV.
pub async fn write(state: &AppState, user: &User, t: Table) -> Result<String, AppError> {
    let db = &state.db;
    Ok(match t {
        Table::Deals => deals(&ops::export::deals(db, user).await?),
        Table::People => people(&ops::export::people(db, user).await?),
        Table::Organizations => organizations(&ops::export::organizations(db, user).await?),
        Table::Leads => leads(&ops::export::leads(db, user).await?),
    })
}

/// `GET /export/{file}`: a whole table, downloaded by a signed-in browser.
pub async fn table_download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Response {
    let Some(t) = Table::from_file(&file) else {
        return crate::api_v1::ApiError(AppError::NotFound("That export".into())).into_response();
    };
    download(&state, &headers, t.name(), async |user, _| {
        write(&state, user, t).await
    })
    .await
}

fn optional(value: &Option<String>) -> String {
    value.as_deref().map(text).unwrap_or_default()
}

fn status(s: DealStatus) -> String {
    match s {
        DealStatus::Open => "open",
        DealStatus::Won => "won",
        DealStatus::Lost => "lost",
    }
    .into()
}

pub fn deals(rows: &[ExportRow]) -> String {
    table(
        &[
            "id",
            "title",
            "value",
            "currency",
            "pipeline",
            "stage",
            "status",
            "lost_reason",
            "expected_close_date",
            "probability",
            "owner_email",
            "organization",
            "person",
            "person_email",
            "lead_source",
            "created_at",
            "closed_at",
        ],
        rows.iter().map(|d| {
            vec![
                d.id.to_string(),
                text(&d.title),
                major_text(d.value, &d.currency),
                d.currency.code().to_string(),
                text(&d.pipeline),
                text(&d.stage),
                status(d.status),
                optional(&d.lost_reason),
                cell(d.expected_close_date),
                cell(d.probability),
                text(&d.owner),
                optional(&d.organization),
                optional(&d.person),
                optional(&d.person_email),
                optional(&d.lead_source),
                d.created_at.to_rfc3339(),
                cell(d.closed_at.map(|t| t.to_rfc3339())),
            ]
        }),
    )
}

pub fn people(rows: &[PersonRow]) -> String {
    table(
        &[
            "id",
            "name",
            "job_title",
            "email",
            "phone",
            "organization",
            "open_deals",
            "created_at",
        ],
        rows.iter().map(|r| {
            let p = &r.person;
            vec![
                p.id.to_string(),
                text(&p.name),
                optional(&p.job_title),
                optional(&p.email),
                optional(&p.phone),
                optional(&r.organization),
                r.open_deals.to_string(),
                p.created_at.to_rfc3339(),
            ]
        }),
    )
}

pub fn organizations(rows: &[OrganizationRow]) -> String {
    table(
        &[
            "id",
            "name",
            "website",
            "people",
            "open_deals",
            "created_at",
        ],
        rows.iter().map(|r| {
            let o = &r.organization;
            vec![
                o.id.to_string(),
                text(&o.name),
                optional(&o.website),
                r.people.to_string(),
                r.open_deals.to_string(),
                o.created_at.to_rfc3339(),
            ]
        }),
    )
}

pub fn leads(rows: &[Lead]) -> String {
    table(
        &[
            "id",
            "name",
            "company",
            "job_title",
            "email",
            "phone",
            "website",
            "value",
            "currency",
            "note",
            "source",
            "status",
            "discard_reason",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "utm_term",
            "utm_content",
            "created_at",
        ],
        rows.iter().map(|l| {
            let value = l
                .value
                .zip(l.currency.as_ref())
                .map(|(v, c)| major_text(v, c))
                .unwrap_or_default();
            let state = match l.status {
                LeadStatus::New => "new",
                LeadStatus::Qualified => "qualified",
                LeadStatus::Discarded => "discarded",
            };
            vec![
                l.id.to_string(),
                text(&l.name),
                optional(&l.company),
                optional(&l.job_title),
                optional(&l.email),
                optional(&l.phone),
                optional(&l.website),
                value,
                cell(l.currency.as_ref().map(|c| c.code())),
                optional(&l.note),
                optional(&l.source),
                state.into(),
                optional(&l.discard_reason),
                optional(&l.utm_source),
                optional(&l.utm_medium),
                optional(&l.utm_campaign),
                optional(&l.utm_term),
                optional(&l.utm_content),
                l.created_at.to_rfc3339(),
            ]
        }),
    )
}
