//! Tables as CSV, for spreadsheets: the API's `?format=csv` and the pages' downloads.

use app::domain::forecast::{ForecastRow, Method};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

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
        "period,currency,weighted,expected,p10,p50,p90,won,goal,method,history_deals,closing_deals\r\n",
    );
    for r in rows {
        let method = match r.method {
            Method::Empirical => "empirical",
            Method::StageProbability => "stage_probability",
        };
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{}\r\n",
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
            r.closing_deals
        ));
    }
    out
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
}

/// `GET /forecast.csv?pipeline=&period=&owner=`: the forecast page's table, for the
/// signed-in browser.
pub async fn forecast_download(
    axum::extract::State(state): axum::extract::State<app::ssr::state::AppState>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    use app::error::AppError;
    let result = async {
        let token = state
            .cookies
            .token(&headers)
            .ok_or(AppError::Unauthenticated)?;
        let now = chrono::Utc::now();
        let user = app::ssr::ops::auth::session_user(&state.db, &token, now).await?;
        let pipeline = id(&q, "pipeline")?;
        let owner = id(&q, "owner")?;
        let period = q
            .get("period")
            .map(String::as_str)
            .filter(|p| !p.is_empty());
        let rows =
            app::ssr::ops::forecast::forecast(&state.db, &user, pipeline, period, owner, now)
                .await?;
        let name = format!("forecast-{}.csv", now.date_naive());
        Ok::<_, AppError>(csv_file(&name, forecast(&rows)))
    }
    .await;
    result.unwrap_or_else(|e| crate::api_v1::ApiError(e).into_response())
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
