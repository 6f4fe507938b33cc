//! Tables as CSV, for spreadsheets: the API's `?format=csv` and the pages' downloads.

use app::domain::forecast::{ForecastRow, Method};
use app::domain::history::{groups, AsOfPage, SincePage};
use app::domain::ids::StageId;
use app::domain::stats::{Funnel, Summary};
use app::domain::track_record::TrackRecord;
use app::error::AppError;
use app::ssr::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

pub mod records;

/// Whether a request asks for CSV: `?format=csv`, or `Accept: text/csv`.
pub fn wants_csv(format: Option<&str>, headers: &HeaderMap) -> bool {
    format.is_some_and(|f| f.trim().eq_ignore_ascii_case("csv"))
        || headers
            .get(header::ACCEPT)
            .and_then(|a| a.to_str().ok())
            .is_some_and(|a| a.contains("text/csv"))
}

/// The forecast rows as the API writes them in JSON, one line each; money in minor
/// units, an empty goal when none is set. Every cell is a number, a period name, a
/// currency code or a method name, so none needs quoting.
pub fn forecast(rows: &[ForecastRow]) -> String {
    let mut out = String::from(
        "period,currency,weighted,expected,p10,p50,p90,won,goal,method,history_deals,closing_deals,commit,best_case,pipeline\r\n",
    );
    for r in rows {
        let method = method_name(r.method);
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\r\n",
            r.period,
            r.currency.code(),
            r.weighted,
            r.expected,
            r.p10,
            r.p50,
            r.p90,
            r.won,
            r.goal.map(|g| g.to_string()).unwrap_or_default(),
            method,
            r.history_deals,
            r.closing_deals,
            r.commit,
            r.best_case,
            r.pipeline
        ));
    }
    out
}

/// The track record, one line per closed period, currency and lead that has a
/// snapshot: what was said that many weeks before the period began against what was
/// won. Money in minor units; no cell is user text.
pub fn track_record(record: &TrackRecord) -> String {
    let mut out = String::from(
        "period,currency,won,weeks_before,taken_on,weighted,expected,p10,p90,method,inside\r\n",
    );
    for r in &record.rows {
        for (weeks, said) in record.leads.iter().zip(&r.said) {
            let Some(s) = said else { continue };
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{},{}\r\n",
                r.period,
                r.currency.code(),
                r.won,
                weeks,
                s.taken_on,
                s.weighted,
                s.expected,
                s.p10,
                s.p90,
                method_name(s.method),
                s.inside
            ));
        }
    }
    out
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::Empirical => "empirical",
        Method::StageProbability => "stage_probability",
    }
}

/// A cell of user text, safe to open in a spreadsheet: text that a spreadsheet would
/// read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return)
/// is led by an apostrophe.
fn text(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

fn cell<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// Rows written by the `csv` crate (which quotes what needs it), lines ending CRLF.
fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing to memory cannot fail; a row that somehow did is left out.
    let _ = w.write_record(header);
    for row in rows {
        let _ = w.write_record(&row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The funnel, one line per stage in board order.
pub fn funnel(f: &Funnel) -> String {
    table(
        &[
            "stage_id",
            "stage",
            "reached",
            "moved_on",
            "lost",
            "open",
            "conversion_pct",
            "drop_off_pct",
        ],
        f.stages.iter().map(|s| {
            vec![
                s.stage_id.to_string(),
                text(&s.name),
                s.reached.to_string(),
                s.moved_on.to_string(),
                s.lost.to_string(),
                s.open.to_string(),
                cell(s.conversion_pct),
                cell(s.drop_off_pct),
            ]
        }),
    )
}

/// The summary as one long table (a row per figure), for a spreadsheet's pivot:
/// `table` says which part a figure belongs to, `item` what it is about (a stage, a
/// reason, a lead source, a day), `currency` its currency when it is money.
pub fn summary(s: &Summary) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut put = |table: &str, item: &str, currency: &str, measure: &str, value: String| {
        rows.push(vec![
            table.into(),
            text(item),
            currency.into(),
            measure.into(),
            value,
        ]);
    };
    put("closed", "", "", "won", s.won.to_string());
    put("closed", "", "", "lost", s.lost.to_string());
    put("closed", "", "", "win_rate_pct", cell(s.win_rate_pct));
    if let Some(c) = &s.cycle {
        put("cycle", "", "", "median_days", c.median.to_string());
        put("cycle", "", "", "p80_days", c.p80.to_string());
        put("cycle", "", "", "mean_days", c.mean.to_string());
    }
    for c in &s.currencies {
        let code = c.currency.code();
        put("money", "", code, "won_deals", c.won_deals.to_string());
        put("money", "", code, "won_value", c.won_value.to_string());
        put(
            "money",
            "",
            code,
            "average_won_value",
            cell(c.average_won_value),
        );
        put("money", "", code, "open_deals", c.open_deals.to_string());
        put("money", "", code, "open_value", c.open_value.to_string());
        put(
            "money",
            "",
            code,
            "velocity_per_day",
            cell(c.velocity_per_day),
        );
    }
    for t in &s.stages {
        if let Some(d) = &t.days {
            put("stage_time", &t.name, "", "stays", d.deals.to_string());
            put(
                "stage_time",
                &t.name,
                "",
                "median_days",
                d.median.to_string(),
            );
            put("stage_time", &t.name, "", "p80_days", d.p80.to_string());
            put("stage_time", &t.name, "", "mean_days", d.mean.to_string());
        }
    }
    for r in &s.lost_reasons {
        put("lost_reason", &r.reason, "", "deals", r.deals.to_string());
        put(
            "lost_reason",
            &r.reason,
            "",
            "share_pct",
            r.share_pct.to_string(),
        );
    }
    for r in &s.sources {
        let source = r.lead_source.as_deref().unwrap_or("");
        put("lead_source", source, "", "created", r.created.to_string());
        put("lead_source", source, "", "won", r.won.to_string());
        put("lead_source", source, "", "lost", r.lost.to_string());
        put(
            "lead_source",
            source,
            "",
            "win_rate_pct",
            cell(r.win_rate_pct),
        );
        put(
            "lead_source",
            source,
            "",
            "median_cycle_days",
            cell(r.median_cycle_days),
        );
        for (currency, value) in &r.won_value {
            put(
                "lead_source",
                source,
                currency.code(),
                "won_value",
                value.to_string(),
            );
        }
    }
    for p in &s.value_over_time {
        let day = p.day.to_string();
        put(
            "open_pipeline",
            &day,
            p.currency.code(),
            "open_deals",
            p.open_deals.to_string(),
        );
        put(
            "open_pipeline",
            &day,
            p.currency.code(),
            "open_value",
            p.open_value.to_string(),
        );
    }
    table(&["table", "item", "currency", "measure", "value"], rows)
}

/// "Since last meeting", a line per deal in each group it is in: where it moved from
/// and to (stage names), its value now, and when (RFC 3339, UTC).
pub fn since(page: &SincePage) -> String {
    let stage = |id: Option<StageId>| {
        id.and_then(|id| page.stages.iter().find(|(s, _)| *s == id))
            .map(|(_, name)| text(name))
            .unwrap_or_default()
    };
    let rows = groups(&page.changes)
        .into_iter()
        .flat_map(|(group, deals)| {
            deals.iter().map(move |d| {
                vec![
                    group.to_string(),
                    d.deal_id.to_string(),
                    text(&d.title),
                    stage(d.from_stage_id),
                    stage(d.to_stage_id),
                    d.value.to_string(),
                    d.currency.code().to_string(),
                    d.at.to_rfc3339(),
                ]
            })
        });
    table(
        &[
            "group",
            "deal_id",
            "title",
            "from_stage",
            "to_stage",
            "value",
            "currency",
            "at",
        ],
        rows.collect::<Vec<_>>(),
    )
}

/// The board as of a day, a line per stage and currency (one line with no currency for
/// a stage with no open deals).
pub fn board_then(page: &AsOfPage) -> String {
    let mut rows = Vec::new();
    for ((_, name), column) in page.stages.iter().zip(&page.board.stages) {
        let line = |currency: &str, value: String, weighted: String| {
            vec![
                page.board.as_of.to_string(),
                column.stage_id.to_string(),
                text(name),
                column.count.to_string(),
                currency.to_string(),
                value,
                weighted,
            ]
        };
        if column.value_by_currency.is_empty() {
            rows.push(line("", "0".into(), "0".into()));
        }
        for (currency, value) in &column.value_by_currency {
            let weighted = column
                .weighted_by_currency
                .get(currency)
                .copied()
                .unwrap_or(0);
            rows.push(line(
                currency.code(),
                value.to_string(),
                weighted.to_string(),
            ));
        }
    }
    table(
        &[
            "as_of", "stage_id", "stage", "count", "currency", "value", "weighted",
        ],
        rows,
    )
}

/// A CSV answer, offered to the browser as a file named `name`.
pub fn csv_file(name: &str, body: String) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_is_asked_for_by_format_or_accept() {
        let mut headers = HeaderMap::new();
        assert!(wants_csv(Some("CSV"), &headers));
        assert!(!wants_csv(Some("json"), &headers));
        assert!(!wants_csv(None, &headers));
        headers.insert(header::ACCEPT, HeaderValue::from_static("text/csv"));
        assert!(wants_csv(None, &headers));
    }

    #[test]
    fn user_text_is_quoted_and_cannot_become_a_formula() {
        let csv = table(
            &["a", "b"],
            [vec![text("Price, mostly"), text("=HYPERLINK(\"x\")")]],
        );
        assert_eq!(
            csv,
            "a,b\r\n\"Price, mostly\",\"'=HYPERLINK(\"\"x\"\")\"\r\n"
        );
    }
}

type Params = Query<std::collections::HashMap<String, String>>;

/// A download for the signed-in browser: the caller from the session cookie, then
/// `make` writes the file; an error is answered as the API answers it.
async fn download<F>(state: &AppState, headers: &HeaderMap, name: &str, make: F) -> Response
where
    F: AsyncFnOnce(&app::domain::user::User, DateTime) -> Result<String, AppError>,
{
    let result = async {
        let token = state
            .cookies
            .token(headers)
            .ok_or(AppError::Unauthenticated)?;
        let now = chrono::Utc::now();
        let user = app::ssr::ops::auth::session_user(&state.db, &token, now).await?;
        let body = make(&user, now).await?;
        Ok::<_, AppError>(csv_file(&format!("{name}-{}.csv", now.date_naive()), body))
    }
    .await;
    result.unwrap_or_else(|e| crate::api_v1::ApiError(e).into_response())
}

type DateTime = chrono::DateTime<chrono::Utc>;

/// `GET /forecast.csv?pipeline=&period=&owner=`: the forecast page's table.
pub async fn forecast_download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    download(&state, &headers, "forecast", async |user, now| {
        let period = given(&q, "period");
        let rows = app::ssr::ops::forecast::forecast(
            &state.db,
            user,
            id(&q, "pipeline")?,
            period,
            id(&q, "owner")?,
            now,
        )
        .await?;
        Ok(forecast(&rows))
    })
    .await
}

/// `GET /track-record.csv?pipeline=&period=`: the forecast page's track record.
pub async fn track_record_download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    download(&state, &headers, "track-record", async |user, now| {
        let record = app::ssr::ops::forecast::track_record_of(
            &state.db,
            user,
            id(&q, "pipeline")?,
            given(&q, "period"),
            now,
        )
        .await?;
        Ok(track_record(&record))
    })
    .await
}

/// What the reports page's downloads are asked for: `pipeline`, `from`, `to`, `owner`,
/// `lead_source`.
fn asked(
    q: &std::collections::HashMap<String, String>,
) -> Result<app::ssr::ops::stats::Asked<'_>, AppError> {
    Ok(app::ssr::ops::stats::Asked {
        pipeline: id(q, "pipeline")?,
        from: given(q, "from"),
        to: given(q, "to"),
        owner: id(q, "owner")?,
        lead_source: given(q, "lead_source"),
    })
}

/// `GET /funnel.csv?…`: the reports page's funnel.
pub async fn funnel_download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    download(&state, &headers, "funnel", async |user, now| {
        Ok(funnel(
            &app::ssr::ops::stats::funnel(&state.db, user, &asked(&q)?, now).await?,
        ))
    })
    .await
}

/// `GET /summary.csv?…`: the reports page's figures.
pub async fn summary_download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    download(&state, &headers, "summary", async |user, now| {
        Ok(summary(
            &app::ssr::ops::stats::summary(&state.db, user, &asked(&q)?, now).await?,
        ))
    })
    .await
}

/// `GET /since.csv?pipeline=&since=`: the "since last meeting" page's groups.
pub async fn since_download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    download(&state, &headers, "since", async |user, now| {
        let page = app::ssr::ops::history::page(
            &state.db,
            user,
            id(&q, "pipeline")?,
            given(&q, "since"),
            now,
        )
        .await?;
        Ok(since(&page))
    })
    .await
}

/// `GET /as-of.csv?pipeline=&day=`: the board as of a day.
pub async fn as_of_download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    download(&state, &headers, "board-as-of", async |user, now| {
        let page = app::ssr::ops::history::as_of_page(
            &state.db,
            user,
            id(&q, "pipeline")?,
            given(&q, "day"),
            now,
        )
        .await?;
        Ok(board_then(&page))
    })
    .await
}

/// A query string's value; empty is none.
fn given<'a>(q: &'a std::collections::HashMap<String, String>, field: &str) -> Option<&'a str> {
    q.get(field).map(String::as_str).filter(|v| !v.is_empty())
}

/// An optional id in a query string, refused naming `field` when it is not one.
fn id<T: std::str::FromStr>(
    q: &std::collections::HashMap<String, String>,
    field: &str,
) -> Result<Option<T>, app::error::AppError> {
    q.get(field)
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.trim()
                .parse()
                .map_err(|_| app::error::AppError::invalid(field, "must be an id (a UUID)"))
        })
        .transpose()
}
