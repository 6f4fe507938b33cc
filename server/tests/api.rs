#![recursion_limit = "256"]
//! The HTTP surface, against a server spawned on a free port over a fresh database:
//! once on SQLite and, when TEND_TEST_POSTGRES_URL is set, once on PostgreSQL.

use app::domain::live::{LiveEvent, StreamMessage};
use app::ssr::ops;
use app::ssr::state::{AppState, Site};
use app::ssr::testing::TestDb;
use chrono::Utc;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::future::Future;

#[path = "api/contacts.rs"]
mod contacts;
#[path = "api/leads.rs"]
mod leads;

struct Spawned {
    base: String,
    token: String,
    http: Client,
    db: app::ssr::db::Db,
}

impl Spawned {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let r = self
            .http
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }
    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }
    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, body).await
    }
    /// A page as a signed-in browser gets it: its status and HTML.
    async fn page(&self, path: &str, cookie: &str) -> (StatusCode, String) {
        let r = self
            .http
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }
    /// A POST as a browser on Tend's own pages sends it: naming this site as its origin.
    fn browser_post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .post(self.url(path))
            .header("origin", &self.base)
            .header("accept", "application/json")
    }
}

/// Spawns Tend on port 0 over each engine with one admin and an API token.
async fn on_each_engine<F, Fut>(body: F)
where
    F: Fn(Spawned) -> Fut,
    Fut: Future<Output = ()>,
{
    on_each_engine_at(Site::default(), body).await
}

/// The same, for a Tend configured to be reached as `site` says.
async fn on_each_engine_at<F, Fut>(site: Site, body: F)
where
    F: Fn(Spawned) -> Fut,
    Fut: Future<Output = ()>,
{
    for test_db in TestDb::all().await {
        let db = test_db.db.clone();
        let now = Utc::now();
        test_db.with_admin().await;
        let token = ops::auth::create_token(&db, "anna@example.com", "tests", now)
            .await
            .unwrap();
        let leptos_options = leptos::config::LeptosOptions::builder()
            .output_name("tend")
            .site_root("target/site")
            .build();
        let state = AppState::new(db.clone(), leptos_options, site.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            server::serve(listener, state, std::future::pending())
                .await
                .unwrap();
        });
        let http = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        println!("engine: {}", db.engine());
        body(Spawned {
            base: format!("http://{addr}"),
            token,
            http,
            db: db.clone(),
        })
        .await;
        server.abort();
        test_db.drop_now().await;
    }
}

/// Creates a deal worth 1 SEK through the API and returns its id.
async fn new_deal(s: &Spawned, title: &str, stage: &str) -> String {
    let (status, deal) = s
        .post(
            "/api/v1/deals",
            json!({"title": title, "value": 1, "currency": "SEK", "stage_id": stage}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{deal}");
    deal["id"].as_str().unwrap().to_string()
}

async fn first_stages(s: &Spawned) -> Vec<String> {
    let (status, pipelines) = s.get("/api/v1/pipelines").await;
    assert_eq!(status, StatusCode::OK);
    pipelines[0]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|st| st["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn without_a_valid_token_every_endpoint_answers_401_in_json() {
    on_each_engine(|s| async move {
        for path in ["/api/v1/pipelines", "/api/v1/deals"] {
            let r = s.http.get(s.url(path)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["code"], "unauthenticated");
            let r = s
                .http
                .get(s.url(path))
                .bearer_auth("tend_forged")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        }
    })
    .await;
}

#[tokio::test]
async fn pipelines_list_the_briefs_stages_in_order() {
    on_each_engine(|s| async move {
        let (status, body) = s.get("/api/v1/pipelines").await;
        assert_eq!(status, StatusCode::OK);
        let names: Vec<&str> = body[0]["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|st| st["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["Prospect/lead", "Qualification", "Proposal", "Commitment"]
        );
        assert_eq!(body[0]["stages"][2]["probability"], 50);
        assert_eq!(body[0]["stages"][0]["position"], 0);
    })
    .await;
}

#[tokio::test]
async fn a_deal_is_created_moved_won_reopened_lost_and_its_log_read_back() {
    on_each_engine(|s| async move {
        let stages = first_stages(&s).await;
        let (status, deal) = s
            .post(
                "/api/v1/deals",
                json!({"title": "Acme", "value": 1250000, "currency": "SEK", "stage_id": stages[0]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        for field in ["id", "title", "value", "currency", "pipeline_id", "stage_id", "status", "version"] {
            assert!(deal.get(field).is_some(), "a deal has {field}");
        }
        assert_eq!(deal["value"], 1250000);
        assert_eq!(deal["status"], "open");
        let id = deal["id"].as_str().unwrap().to_string();

        let (status, moved) = s
            .post(&format!("/api/v1/deals/{id}/move"), json!({"stage_id": stages[1], "version": 1}))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(moved["stage_id"], stages[1].as_str());
        assert_eq!(moved["version"], 2);

        let (status, err) = s
            .post(&format!("/api/v1/deals/{id}/move"), json!({"stage_id": stages[2], "version": 1}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(err["code"], "conflict");

        let (status, won) = s.post(&format!("/api/v1/deals/{id}/won"), json!({"version": 2})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(won["status"], "won");
        let (status, err) = s
            .post(&format!("/api/v1/deals/{id}/move"), json!({"stage_id": stages[0], "version": 3}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "a won deal is reopened first");
        assert_eq!(err["code"], "refused");

        let (status, _) = s.post(&format!("/api/v1/deals/{id}/reopen"), json!({"version": 3})).await;
        assert_eq!(status, StatusCode::OK);
        let (status, err) = s.post(&format!("/api/v1/deals/{id}/lost"), json!({"version": 4})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err["field"], "reason");
        let (status, lost) = s
            .post(&format!("/api/v1/deals/{id}/lost"), json!({"version": 4, "reason": "Price"}))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(lost["lost_reason"], "Price");

        let (status, events) = s.get(&format!("/api/v1/deals/{id}/events")).await;
        assert_eq!(status, StatusCode::OK);
        let kinds: Vec<&str> = events
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"]["type"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["created", "moved", "won", "reopened", "lost"]);
        assert_eq!(events[1]["kind"]["from"], stages[0].as_str());

        let (status, list) = s.get("/api/v1/deals?status=lost").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(list.as_array().unwrap().len(), 1);
        let (status, list) = s.get(&format!("/api/v1/deals?stage_id={}&status=open", stages[0])).await;
        assert_eq!(status, StatusCode::OK);
        assert!(list.as_array().unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn patch_changes_only_named_fields_and_null_clears_one() {
    on_each_engine(|s| async move {
        let stages = first_stages(&s).await;
        let (_, deal) = s
            .post(
                "/api/v1/deals",
                json!({"title": "Beta", "value": 100, "currency": "EUR", "stage_id": stages[0],
                       "expected_close_date": "2027-01-31", "lead_source": "Referral"}),
            )
            .await;
        let id = deal["id"].as_str().unwrap();
        let (status, patched) = s
            .send(
                reqwest::Method::PATCH,
                &format!("/api/v1/deals/{id}"),
                json!({"version": 1, "value": 250, "expected_close_date": null}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(patched["value"], 250);
        assert_eq!(patched["expected_close_date"], Value::Null);
        assert_eq!(patched["lead_source"], "Referral");
        assert_eq!(patched["title"], "Beta");

        let (status, err) = s
            .send(
                reqwest::Method::PATCH,
                &format!("/api/v1/deals/{id}"),
                json!({"version": 2, "probability": 250}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err["field"], "probability");
        let (_, unchanged) = s.get(&format!("/api/v1/deals/{id}")).await;
        assert_eq!(unchanged["version"], 2, "a refused patch changes nothing");

        let path = format!("/api/v1/deals/{id}");
        let patch = |body: Value| s.send(reqwest::Method::PATCH, &path, body);
        let (status, err) = patch(json!({"version": 2, "forecast_category": "maybe"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err["field"], "forecast_category");
        let (status, committed) = patch(json!({"version": 2, "forecast_category": "commit"})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(committed["forecast_category"], "commit");
        let (_, cleared) = patch(json!({"version": 3, "forecast_category": null})).await;
        assert_eq!(
            cleared["forecast_category"],
            Value::Null,
            "null lets the chance decide"
        );
    })
    .await;
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field_named_and_nothing_saved() {
    on_each_engine(|s| async move {
        let stages = first_stages(&s).await;
        let cases = [
            (json!({"title": "", "value": 1, "currency": "SEK", "stage_id": stages[0]}), "title"),
            (json!({"title": "X", "value": 1, "currency": "XYZ", "stage_id": stages[0]}), "currency"),
            (json!({"title": "X", "value": -5, "currency": "SEK", "stage_id": stages[0]}), "value"),
            (json!({"title": "X", "value": 1, "currency": "SEK", "stage_id": stages[0], "probability": 101}), "probability"),
            (json!({"title": "X", "value": "lots", "currency": "SEK", "stage_id": stages[0]}), "value"),
            (json!({"title": "X", "value": 2.5, "currency": "SEK", "stage_id": stages[0]}), "value"),
            (json!({"title": "X", "value": 1, "currency": "SEK", "stage_id": "nope"}), "stage_id"),
            (json!({"value": 1, "currency": "SEK", "stage_id": stages[0]}), "body"),
        ];
        for (body, field) in cases {
            let (status, err) = s.post("/api/v1/deals", body.clone()).await;
            assert!(status.is_client_error(), "{body} gave {status}");
            assert_eq!(err["field"], field, "{body}");
            assert!(err["message"].as_str().unwrap().len() > 3);
        }
        let (status, err) = s
            .post("/api/v1/deals", json!({"title": "X", "value": 1, "currency": "SEK", "stage_id": "0190c0de-0000-7000-8000-000000000000"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a stage that does not exist");
        assert_eq!(err["field"], "stage_id");
        assert_eq!(err["message"], "Stage does not exist");
        let (status, deal) = s
            .post("/api/v1/deals", json!({"title": "Whole", "value": 100.0, "currency": "SEK", "stage_id": stages[0]}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "100.0 is a whole number: {deal}");
        let (status, _) = s
            .send(reqwest::Method::DELETE, &format!("/api/v1/deals/{}?version=1", deal["id"].as_str().unwrap()), Value::Null)
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let r = s
            .http
            .post(s.url("/api/v1/deals"))
            .bearer_auth(&s.token)
            .body("{not json")
            .header("content-type", "application/json")
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error());
        let r = s.http.post(s.url("/api/v1/deals")).bearer_auth(&s.token).body("x").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let (status, _) = s.get("/api/v1/deals/not-a-uuid").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, err) = s.get("/api/v1/deals/0190c0de-0000-7000-8000-000000000000").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(err["code"], "not_found");
        let (status, err) = s.get("/api/v1/deals?status=maybe").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err["field"], "status");
        let (status, _) = s.get("/api/v1/deals?pipeline_id=nope").await;
        assert!(status.is_client_error());

        let (_, all) = s.get("/api/v1/deals").await;
        assert!(all.as_array().unwrap().is_empty(), "nothing was saved");
    })
    .await;
}

#[tokio::test]
async fn sign_in_pauses_with_429_after_too_many_wrong_passwords() {
    on_each_engine(|s| async move {
        let try_password = |password: &'static str| {
            s.browser_post("/api/sign_in")
                .form(&[("email", "anna@example.com"), ("password", password)])
                .send()
        };
        for _ in 0..app::domain::throttle::PER_EMAIL.tries {
            let wrong = try_password("wrong password!").await.unwrap();
            assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        let paused = try_password("long enough secret").await.unwrap();
        assert_eq!(paused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(paused.headers().get("set-cookie").is_none(), "no session");
        let body = paused.text().await.unwrap();
        assert!(body.contains("Too many wrong passwords"), "{body}");
    })
    .await;
}

#[tokio::test]
async fn browser_sign_in_sets_a_http_only_session_cookie_that_server_functions_accept() {
    on_each_engine(|s| async move {
        let refused = s
            .browser_post("/api/board")
            .json(&json!({"pipeline": null, "owner": null, "q": ""}))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

        let wrong = s
            .browser_post("/api/sign_in")
            .header("accept", "application/json")
            .form(&[
                ("email", "anna@example.com"),
                ("password", "wrong password!"),
            ])
            .send()
            .await
            .unwrap();
        let wrong_status = wrong.status();
        let wrong_cookie = wrong.headers().get("set-cookie").cloned();
        let wrong_body = wrong.text().await.unwrap();
        assert_eq!(
            wrong_status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{wrong_body}"
        );
        assert!(wrong_body.contains("do not match"));
        assert!(wrong_cookie.is_none());

        let signed_in = s
            .browser_post("/api/sign_in")
            .header("accept", "application/json")
            .form(&[
                ("email", "anna@example.com"),
                ("password", "long enough secret"),
            ])
            .send()
            .await
            .unwrap();
        let cookie = signed_in
            .headers()
            .get("set-cookie")
            .expect("a session cookie")
            .to_str()
            .unwrap()
            .to_string();
        assert!(cookie.contains("HttpOnly"));
        assert!(cookie.contains("SameSite=Lax"));
        let session = cookie.split(';').next().unwrap().to_string();

        let board = s
            .browser_post("/api/board")
            .header("cookie", &session)
            .json(&json!({"pipeline": null, "owner": null, "q": ""}))
            .send()
            .await
            .unwrap();
        assert_eq!(board.status(), StatusCode::OK);
        let bytes = board.bytes().await.unwrap();
        let page: app::domain::board::BoardPage = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(page.board.columns.len(), 4);
        assert_eq!(page.me.email, "anna@example.com");

        let (status, html) = s.page("/board", &session).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("Prospect/lead"),
            "the board is rendered on the server"
        );

        let cross_site = s
            .http
            .post(s.url("/api/board"))
            .header("cookie", &session)
            .header("origin", "https://evil.example")
            .json(&json!({"pipeline": null, "owner": null, "q": ""}))
            .send()
            .await
            .unwrap();
        assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn the_sign_in_page_renders_and_other_pages_send_strangers_to_it() {
    on_each_engine(|s| async move {
        let page = s.http.get(s.url("/login")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains("Sign in"));
        let stranger = s.http.get(s.url("/board")).send().await.unwrap();
        assert_eq!(stranger.status(), StatusCode::SEE_OTHER);
        assert_eq!(stranger.headers()["location"], "/login");
        let forged = s
            .http
            .get(s.url("/deals/0190c0de-0000-7000-8000-000000000000"))
            .header("cookie", "tend_session=s_forged")
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::SEE_OTHER);
        let health = s.http.get(s.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status(), StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn the_openapi_document_describes_every_endpoint() {
    on_each_engine(|s| async move {
        let r = s
            .http
            .get(s.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let doc: Value = r.json().await.unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        let paths = doc["paths"].as_object().unwrap();
        for (path, method) in [
            ("/api/v1/pipelines", "get"),
            ("/api/v1/deals", "get"),
            ("/api/v1/deals", "post"),
            ("/api/v1/deals/{id}", "get"),
            ("/api/v1/deals/{id}", "patch"),
            ("/api/v1/deals/{id}/move", "post"),
            ("/api/v1/deals/{id}/won", "post"),
            ("/api/v1/deals/{id}/lost", "post"),
            ("/api/v1/deals/{id}/reopen", "post"),
            ("/api/v1/deals/{id}/events", "get"),
            ("/api/v1/changes", "get"),
            ("/api/v1/forecast", "get"),
            ("/api/v1/forecast/track-record", "get"),
            ("/api/v1/board", "get"),
            ("/api/v1/stats/funnel", "get"),
            ("/api/v1/stats/summary", "get"),
            ("/api/v1/people", "post"),
            ("/api/v1/people/{id}", "patch"),
            ("/api/v1/people/{id}/merge", "post"),
            ("/api/v1/organizations", "get"),
            ("/api/v1/organizations/{id}", "patch"),
            ("/api/v1/duplicates", "get"),
            ("/api/v1/export/{file}", "get"),
        ] {
            assert!(
                paths[path].get(method).is_some(),
                "{method} {path} is documented"
            );
        }
        let deal = &doc["components"]["schemas"]["Deal"]["properties"];
        for field in [
            "id",
            "title",
            "value",
            "currency",
            "pipeline_id",
            "stage_id",
            "status",
            "version",
        ] {
            assert!(deal.get(field).is_some(), "Deal.{field} is documented");
        }
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
        // Every schema the document refers to is in it.
        let text = doc.to_string();
        for reference in text.split("\"#/components/schemas/").skip(1) {
            let name = reference.split('"').next().unwrap();
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "{name} is referred to and described"
            );
        }
    })
    .await;
}

/// Signs in as a browser would and returns the `Cookie` header value for the session.
async fn browser_session(s: &Spawned) -> String {
    browser_session_of(s, "anna@example.com").await
}

/// The same for another user (whose password is the admin's).
async fn browser_session_of(s: &Spawned, email: &str) -> String {
    let signed_in = s
        .browser_post("/api/sign_in")
        .form(&[("email", email), ("password", "long enough secret")])
        .send()
        .await
        .unwrap();
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    cookie.split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn a_body_over_the_limit_gets_a_413_in_json_whether_or_not_it_says_its_length() {
    on_each_engine(|s| async move {
        let huge = format!("{{\"title\": \"{}\"}}", "x".repeat(8 << 20));
        let r = s
            .http
            .post(s.url("/api/v1/deals"))
            .bearer_auth(&s.token)
            .header("content-type", "application/json")
            .body(huge.clone())
            .send()
            .await
            .expect("an answer, not a dropped connection");
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "too_large");

        // Sent in chunks with no length announced: read up to the limit, then refused.
        let chunks: Vec<Result<String, std::io::Error>> = huge
            .as_bytes()
            .chunks(64 << 10)
            .map(|c| Ok(String::from_utf8_lossy(c).into_owned()))
            .collect();
        let r = s
            .browser_post("/api/sign_in")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
                chunks,
            )))
            .send()
            .await
            .expect("an answer");
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(r.json::<Value>().await.unwrap()["code"], "too_large");

        let (_, all) = s.get("/api/v1/deals").await;
        assert!(all.as_array().unwrap().is_empty(), "nothing was saved");
    })
    .await;
}

#[tokio::test]
async fn amounts_and_text_that_could_break_a_page_are_refused_naming_the_field() {
    on_each_engine(|s| async move {
        let stages = first_stages(&s).await;
        let cases = [
            (json!({"title": "Big", "value": 4611686018427387904i64, "currency": "SEK", "stage_id": stages[0]}), "value"),
            (json!({"title": "Big", "value": 1000000000000001i64, "currency": "SEK", "stage_id": stages[0]}), "value"),
            (json!({"title": "a\u{0}b", "value": 1, "currency": "SEK", "stage_id": stages[0]}), "title"),
            (json!({"title": "\u{202e}gnp.exe", "value": 1, "currency": "SEK", "stage_id": stages[0]}), "title"),
            (json!({"title": "ok", "value": 1, "currency": "SEK", "stage_id": stages[0], "lead_source": "web\u{7}"}), "lead_source"),
        ];
        for (body, field) in cases {
            let (status, err) = s.post("/api/v1/deals", body.clone()).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(err["field"], field, "{body}");
        }
        let (_, all) = s.get("/api/v1/deals").await;
        assert!(all.as_array().unwrap().is_empty(), "nothing was saved");
        let (status, ok) = s
            .post("/api/v1/deals", json!({"title": "Max", "value": 1000000000000000i64, "currency": "SEK", "stage_id": stages[0]}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{ok}");
        let session = browser_session(&s).await;
        let board = s.http.get(s.url("/board")).header("cookie", &session).send().await.unwrap();
        assert_eq!(board.status(), StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn the_board_still_loads_over_deals_stored_before_amounts_were_bounded() {
    on_each_engine(|s| async move {
        let stages = first_stages(&s).await;
        for title in ["One", "Two"] {
            let id = new_deal(&s, title, &stages[0]).await;
            // What an older Tend let in: 2^62 minor units each.
            app::ssr::testing::force_value(&s.db, id.parse().unwrap(), 1 << 62).await;
        }
        let session = browser_session(&s).await;
        let (status, html) = s.page("/board", &session).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("92,233,720,368,547,758.08"),
            "the exact sum is shown"
        );
    })
    .await;
}

#[tokio::test]
async fn a_failed_page_answers_with_an_error_status() {
    on_each_engine(|s| async move {
        let session = browser_session(&s).await;
        let missing = "0190c0de-0000-7000-8000-000000000000";
        for path in [
            format!("/board?pipeline={missing}"),
            format!("/deals/{missing}"),
            "/no/such/page".to_string(),
        ] {
            let page = s
                .http
                .get(s.url(&path))
                .header("cookie", &session)
                .send()
                .await
                .unwrap();
            assert_eq!(page.status(), StatusCode::NOT_FOUND, "{path}");
            let html = page.text().await.unwrap();
            assert!(
                html.contains("not found")
                    || html.contains("Not found")
                    || html.contains("not be found"),
                "{path}: {html}"
            );
        }
        let bad_search = s
            .http
            .get(s.url(&format!("/board?q={}", "x".repeat(300))))
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        assert_eq!(bad_search.status(), StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_pages_a_nonce_policy() {
    on_each_engine(|s| async move {
        let session = browser_session(&s).await;
        for path in [
            "/login",
            "/board",
            "/api/v1/pipelines",
            "/healthz",
            "/no/such/page",
        ] {
            let r = s
                .http
                .get(s.url(path))
                .header("cookie", &session)
                .bearer_auth(&s.token)
                .send()
                .await
                .unwrap();
            let h = r.headers().clone();
            assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(h["referrer-policy"], "same-origin", "{path}");
            let csp = h["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            assert!(
                h.get("strict-transport-security").is_none(),
                "not over plain http"
            );
            let is_page = h["content-type"].to_str().unwrap().starts_with("text/html");
            if is_page {
                let nonce = csp
                    .split("'nonce-")
                    .nth(1)
                    .and_then(|r| r.split('\'').next())
                    .expect("a nonce");
                let html = r.text().await.unwrap();
                assert!(
                    html.contains(&format!("nonce=\"{nonce}\"")),
                    "{path}: scripts carry the nonce"
                );
                assert!(
                    csp.contains("'wasm-unsafe-eval'") && !csp.contains("unsafe-inline"),
                    "{csp}"
                );
            }
        }
    })
    .await;
}

#[tokio::test]
async fn over_https_cookies_are_secure_and_host_only_and_browsers_are_told_to_stay() {
    let site = Site {
        public_origin: Some("https://tend.example.com".into()),
        ..Site::default()
    };
    on_each_engine_at(site, |s| async move {
        let signed_in = s
            .http
            .post(s.url("/api/sign_in"))
            .header("origin", "https://tend.example.com")
            .header("accept", "application/json")
            .form(&[
                ("email", "anna@example.com"),
                ("password", "long enough secret"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status(), StatusCode::OK);
        let cookie = signed_in.headers()["set-cookie"].to_str().unwrap();
        assert!(cookie.starts_with("__Host-tend_session="), "{cookie}");
        assert!(
            cookie.contains("; Secure") && cookie.contains("HttpOnly") && cookie.contains("Path=/")
        );
        assert!(signed_in.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age="));
        let other_origin = s
            .http
            .post(s.url("/api/sign_in"))
            .header("origin", &s.base)
            .form(&[
                ("email", "anna@example.com"),
                ("password", "long enough secret"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            other_origin.status(),
            StatusCode::FORBIDDEN,
            "only the public origin"
        );
    })
    .await;
}

#[tokio::test]
async fn a_cookie_post_without_origin_or_fetch_metadata_is_refused() {
    on_each_engine(|s| async move {
        let session = browser_session(&s).await;
        let board = json!({"pipeline": null, "owner": null, "q": ""});
        for (fetch_site, expected) in [
            (None, StatusCode::FORBIDDEN),
            (Some("cross-site"), StatusCode::FORBIDDEN),
            (Some("same-origin"), StatusCode::OK),
        ] {
            let mut request = s.http.post(s.url("/api/board")).header("cookie", &session);
            if let Some(site) = fetch_site {
                request = request.header("sec-fetch-site", site);
            }
            let r = request.json(&board).send().await.unwrap();
            assert_eq!(r.status(), expected, "Sec-Fetch-Site: {fetch_site:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn twenty_parallel_wrong_passwords_get_at_most_five_checks_and_a_long_email_none() {
    on_each_engine(|s| async move {
        let tries = (0..20).map(|_| {
            s.browser_post("/api/sign_in")
                .form(&[("email", "anna@example.com"), ("password", "a wrong guess")])
                .send()
        });
        let answers = futures_util::future::join_all(tries).await;
        let count = |code: StatusCode| {
            answers
                .iter()
                .filter(|r| r.as_ref().unwrap().status() == code)
                .count()
        };
        let checked = count(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(checked <= 5, "{checked} were checked");
        assert_eq!(checked + count(StatusCode::TOO_MANY_REQUESTS), 20);

        let long = format!("{}@example.com", "a".repeat(5000));
        let r = s
            .browser_post("/api/sign_in")
            .form(&[("email", long.as_str()), ("password", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("254"));
    })
    .await;
}

#[tokio::test]
async fn sixteen_parallel_moves_at_one_version_make_exactly_one_move() {
    on_each_engine(|s| async move {
        let stages = first_stages(&s).await;
        let id = new_deal(&s, "Race", &stages[0]).await;
        let moves = (0..16).map(|i| {
            s.http
                .post(s.url(&format!("/api/v1/deals/{id}/move")))
                .bearer_auth(&s.token)
                .json(&json!({"stage_id": stages[1 + i % 3], "version": 1}))
                .send()
        });
        let answers = futures_util::future::join_all(moves).await;
        let statuses: Vec<StatusCode> = answers
            .iter()
            .map(|r| r.as_ref().unwrap().status())
            .collect();
        let ok = statuses.iter().filter(|st| **st == StatusCode::OK).count();
        let conflict = statuses
            .iter()
            .filter(|st| **st == StatusCode::CONFLICT)
            .count();
        assert_eq!((ok, conflict), (1, 15), "{statuses:?}");
        let (_, events) = s.get(&format!("/api/v1/deals/{id}/events")).await;
        let moved = events
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"]["type"] == "moved")
            .count();
        assert_eq!(moved, 1);
        let (_, now) = s.get(&format!("/api/v1/deals/{id}")).await;
        assert_eq!(now["version"], 2);
    })
    .await;
}

#[tokio::test]
async fn a_delete_racing_an_edit_never_both_succeed_and_the_log_matches() {
    on_each_engine(|s| async move {
        let stages = first_stages(&s).await;
        for round in 0..10 {
            let id = new_deal(&s, &format!("Race {round}"), &stages[0]).await;
            let edit = s
                .http
                .patch(s.url(&format!("/api/v1/deals/{id}")))
                .bearer_auth(&s.token)
                .json(&json!({"version": 1, "title": "Edited"}))
                .send();
            let delete = s
                .http
                .delete(s.url(&format!("/api/v1/deals/{id}?version=1")))
                .bearer_auth(&s.token)
                .send();
            let (edit, delete) = tokio::join!(edit, delete);
            let (edit, delete) = (edit.unwrap().status(), delete.unwrap().status());
            assert!(
                !(edit.is_success() && delete.is_success()),
                "round {round}: both succeeded"
            );
            let log = app::ssr::testing::event_kinds(&s.db, id.parse().unwrap()).await;
            let (status, _) = s.get(&format!("/api/v1/deals/{id}")).await;
            if delete.is_success() {
                assert_eq!(status, StatusCode::NOT_FOUND);
                assert_eq!(log, ["created", "deleted"], "round {round}");
            } else {
                assert_eq!(status, StatusCode::OK);
                assert_eq!(log, ["created", "changed"], "round {round}");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn the_deals_filters_are_optional_query_parameters_and_a_bad_limit_is_named() {
    on_each_engine(|s| async move {
        let (_, doc) = s.get("/api/v1/openapi.json").await;
        let params = doc["paths"]["/api/v1/deals"]["get"]["parameters"]
            .as_array()
            .unwrap();
        for p in params {
            assert_eq!(p["in"], "query", "{p}");
            assert_ne!(p["required"], true, "{p}");
        }
        let limit = params.iter().find(|p| p["name"] == "limit").unwrap();
        assert_eq!(limit["schema"]["maximum"], 5000);
        for bad in ["5001", "0", "abc"] {
            let (status, err) = s.get(&format!("/api/v1/deals?limit={bad}")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            assert_eq!(err["field"], "limit");
        }
        let (status, err) = s.get("/api/v1/deals?owner_id=nobody").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err["field"], "owner_id");
        let (status, _) = s.get("/api/v1/deals?limit=5000").await;
        assert_eq!(status, StatusCode::OK);
    })
    .await;
}

/// One Server-Sent Events message.
#[derive(Debug, Default, Clone)]
struct Message {
    id: Option<String>,
    event: String,
    data: String,
}

/// An open event stream (`GET /api/v1/events` or a browser's `GET /api/live`), read
/// message by message.
struct EventStream {
    body: std::pin::Pin<
        Box<dyn futures_util::Stream<Item = reqwest::Result<axum::body::Bytes>> + Send>,
    >,
    text: String,
}

impl EventStream {
    async fn open(base: &str, token: &str, last_event_id: Option<&str>) -> EventStream {
        let mut request = Client::new()
            .get(format!("{base}/api/v1/events"))
            .bearer_auth(token);
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        Self::read(request).await
    }

    /// A browser's stream for the board of `pipeline`, signed in with `cookie`, past
    /// its first message: where the pipeline's shape stands.
    async fn browser(s: &Spawned, cookie: &str, pipeline: &str) -> EventStream {
        let request = s
            .http
            .get(s.url(&format!("/api/live?pipeline={pipeline}")))
            .header("cookie", cookie);
        let mut stream = Self::read(request).await;
        let first = stream.next(SOON).await.expect("the pipeline's shape");
        assert_eq!(shape_of(&first).0.to_string(), pipeline);
        stream
    }

    async fn read(request: reqwest::RequestBuilder) -> EventStream {
        let r = request.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"));
        EventStream {
            body: Box::pin(r.bytes_stream()),
            text: String::new(),
        }
    }

    /// The next message within `wait`, or `None` (the stream ended or stayed quiet).
    async fn next(&mut self, wait: std::time::Duration) -> Option<Message> {
        use futures_util::StreamExt;
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.text.find("\n\n") {
                let block: String = self.text.drain(..end + 2).collect();
                let mut m = Message::default();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        m.id = Some(v.trim().to_string());
                    } else if let Some(v) = line.strip_prefix("event:") {
                        m.event = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        m.data.push_str(v.trim());
                    }
                }
                if m.id.is_some() || !m.data.is_empty() {
                    return Some(m);
                }
                continue; // a keep-alive comment
            }
            let chunk = tokio::time::timeout_at(deadline, self.body.next())
                .await
                .ok()??;
            self.text.push_str(&String::from_utf8_lossy(&chunk.ok()?));
        }
    }
}

const SOON: std::time::Duration = std::time::Duration::from_secs(5);

#[tokio::test]
async fn a_move_through_the_api_arrives_on_the_event_stream_with_the_deal() {
    on_each_engine(|s| async move {
        let stages = first_stages(&s).await;
        let mut stream = EventStream::open(&s.base, &s.token, None).await;
        let id = new_deal(&s, "Streamed", &stages[0]).await;
        let (status, _) = s
            .post(
                &format!("/api/v1/deals/{id}/move"),
                json!({"stage_id": stages[2], "version": 1}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let created = stream.next(SOON).await.expect("the creation");
        assert_eq!(created.event, "created");
        let moved = stream.next(SOON).await.expect("the move");
        assert_eq!(moved.event, "moved");
        let data: Value = serde_json::from_str(&moved.data).unwrap();
        assert_eq!(data["deal_id"], id.as_str());
        assert_eq!(data["kind"], "moved");
        assert_eq!(data["deal"]["stage_id"], stages[2].as_str());
        assert_eq!(data["deal"]["version"], 2);
        let (a, b): (i64, i64) = (
            created.id.unwrap().parse().unwrap(),
            moved.id.unwrap().parse().unwrap(),
        );
        assert!(b > a, "ids increase");
        assert_eq!(data["id"], b);
    })
    .await;
}

#[tokio::test]
async fn a_stream_resumed_with_last_event_id_misses_nothing_and_repeats_nothing_while_writes_go_on()
{
    on_each_engine(|s| async move {
        let stages = first_stages(&s).await;
        let mut deals = Vec::new();
        for i in 0..4 {
            deals.push(new_deal(&s, &format!("Busy {i}"), &stages[0]).await);
        }
        let start = *app::ssr::testing::log_ids_after(&s.db, 0)
            .await
            .last()
            .unwrap();
        // Four writers move their deals back and forth while the reader keeps dropping
        // its connection and resuming from the last id it got.
        let writers: Vec<_> = deals
            .iter()
            .map(|id| {
                let (base, token, stages, id) =
                    (s.base.clone(), s.token.clone(), stages.clone(), id.clone());
                tokio::spawn(async move {
                    let http = Client::new();
                    for v in 1..=25 {
                        let r = http
                            .post(format!("{base}/api/v1/deals/{id}/move"))
                            .bearer_auth(&token)
                            .json(&json!({"stage_id": stages[v % 2 + 1], "version": v}))
                            .send()
                            .await
                            .unwrap();
                        assert_eq!(r.status(), StatusCode::OK);
                    }
                })
            })
            .collect();
        let mut got: Vec<i64> = Vec::new();
        let mut last = start.to_string();
        let mut writers_done = false;
        let mut writers = writers;
        for round in 0.. {
            let mut stream = EventStream::open(&s.base, &s.token, Some(&last)).await;
            // Read a few, then hang up mid-flow.
            for _ in 0..(3 + round % 7) {
                match stream.next(std::time::Duration::from_millis(700)).await {
                    Some(m) => {
                        last = m.id.clone().unwrap();
                        got.push(last.parse().unwrap());
                    }
                    None => break,
                }
            }
            drop(stream);
            if !writers_done && writers.iter().all(|w| w.is_finished()) {
                for w in writers.drain(..) {
                    w.await.unwrap();
                }
                writers_done = true;
            }
            if writers_done && got.len() >= 100 {
                break;
            }
            assert!(
                round < 500,
                "the reader never caught up: {} of 100",
                got.len()
            );
        }
        let logged = app::ssr::testing::log_ids_after(&s.db, start).await;
        assert_eq!(logged.len(), 100);
        assert_eq!(got, logged, "exactly the log, in order, once each");
    })
    .await;
}

#[tokio::test]
async fn a_stream_too_far_behind_or_ahead_is_told_to_refetch() {
    on_each_engine(|s| async move {
        let stages = first_stages(&s).await;
        let id = new_deal(&s, "Old news", &stages[0]).await;
        let limit = app::ssr::live::REPLAY_LIMIT as usize;
        app::ssr::testing::append_events(&s.db, id.parse().unwrap(), limit + 1).await;
        for from in ["0", "999999999"] {
            let head = *app::ssr::testing::log_ids_after(&s.db, 0)
                .await
                .last()
                .unwrap();
            let mut stream = EventStream::open(&s.base, &s.token, Some(from)).await;
            let m = stream.next(SOON).await.expect("a message");
            assert_eq!(m.event, "refetch", "from {from}");
            assert_eq!(m.id.as_deref(), Some(head.to_string().as_str()));
            // And then it follows from the head.
            let (status, _) = s
                .post(
                    &format!("/api/v1/deals/{id}/move"),
                    json!({"stage_id": stages[1], "version": 1}),
                )
                .await;
            if from == "0" {
                assert_eq!(status, StatusCode::OK);
                let next = stream.next(SOON).await.expect("the move");
                assert_eq!(next.event, "moved");
            }
        }
        let r = s
            .http
            .get(s.url("/api/v1/events?after=soon"))
            .bearer_auth(&s.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json::<Value>().await.unwrap()["field"], "after");
    })
    .await;
}

#[tokio::test]
async fn a_revoked_tokens_stream_ends_and_a_stranger_gets_none() {
    on_each_engine(|s| async move {
        let r = s.http.get(s.url("/api/v1/events")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let mut stream = EventStream::open(&s.base, &s.token, None).await;
        let tokens = ops::auth::list_tokens(&s.db, app::ssr::ops::Operator::Console, None)
            .await
            .unwrap();
        ops::auth::revoke_token(
            &s.db,
            app::ssr::ops::Operator::Console,
            tokens[0].id,
            Utc::now(),
        )
        .await
        .unwrap();
        let ended = tokio::time::timeout(std::time::Duration::from_secs(12), async {
            while stream
                .next(std::time::Duration::from_secs(20))
                .await
                .is_some()
            {}
        })
        .await;
        assert!(
            ended.is_ok(),
            "the stream ended within a few seconds of the revocation"
        );
    })
    .await;
}

#[tokio::test]
async fn on_postgresql_a_move_through_one_instance_reaches_a_stream_on_another() {
    let Some(test_db) = TestDb::postgres().await else {
        println!("PostgreSQL not configured: skipped");
        return;
    };
    test_db.with_admin().await;
    let token = ops::auth::create_token(&test_db.db, "anna@example.com", "tests", Utc::now())
        .await
        .unwrap();
    // Two instances, each with its own pool and hub, on one database.
    let mut bases = Vec::new();
    let mut servers = Vec::new();
    for _ in 0..2 {
        let db = app::ssr::db::Db::connect(&test_db.url()).await.unwrap();
        let options = leptos::config::LeptosOptions::builder()
            .output_name("tend")
            .site_root("target/site")
            .build();
        let state = AppState::new(db, options, Site::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        bases.push(format!("http://{}", listener.local_addr().unwrap()));
        servers.push(tokio::spawn(server::serve(
            listener,
            state,
            std::future::pending(),
        )));
    }
    let mut on_b = EventStream::open(&bases[1], &token, None).await;
    let http = Client::new();
    let pipelines: Value = http
        .get(format!("{}/api/v1/pipelines", bases[0]))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let stage = pipelines[0]["stages"][0]["id"].as_str().unwrap();
    let sent = std::time::Instant::now();
    let r = http
        .post(format!("{}/api/v1/deals", bases[0]))
        .bearer_auth(&token)
        .json(&json!({"title": "Across", "value": 1, "currency": "SEK", "stage_id": stage}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let m = on_b.next(SOON).await.expect("instance B hears of it");
    assert_eq!(m.event, "created");
    assert!(m.data.contains("Across"));
    println!("created on A, seen on B after {:?}", sent.elapsed());
    assert!(
        sent.elapsed() < std::time::Duration::from_millis(900),
        "by NOTIFY, not by B's once-a-second look"
    );
    for s in servers {
        s.abort();
    }
    test_db.drop_now().await;
}

/// The pipeline and version a browser's `Reshaped` message names.
fn shape_of(m: &Message) -> (app::domain::ids::PipelineId, i64) {
    assert_eq!(m.event, "change");
    match StreamMessage::decode(&m.data) {
        Some(StreamMessage::Event(LiveEvent::Reshaped {
            pipeline_id,
            version,
        })) => (pipeline_id, version),
        other => panic!("not a pipeline's shape: {other:?}"),
    }
}

/// The names a browser's `viewers` message lists.
fn viewer_names(m: &Message) -> Vec<String> {
    assert_eq!(m.event, "viewers");
    match StreamMessage::decode(&m.data) {
        Some(StreamMessage::Viewers(v)) => v.into_iter().map(|v| v.name).collect(),
        other => panic!("not a list of viewers: {other:?}"),
    }
}

#[tokio::test]
async fn a_browser_stream_brings_each_change_as_the_board_applies_it() {
    on_each_engine(|s| async move {
        let cookie = browser_session(&s).await;
        let (_, pipelines) = s.get("/api/v1/pipelines").await;
        let pipeline = pipelines[0]["id"].as_str().unwrap().to_string();
        let stages = first_stages(&s).await;
        let mut stream = EventStream::browser(&s, &cookie, &pipeline).await;
        assert!(viewer_names(&stream.next(SOON).await.unwrap()).is_empty());
        let id = new_deal(&s, "Seen live", &stages[0]).await;
        s.post(
            &format!("/api/v1/deals/{id}/move"),
            json!({"stage_id": stages[1], "version": 1}),
        )
        .await;
        let mut events = Vec::new();
        for _ in 0..2 {
            let m = stream.next(SOON).await.expect("a change");
            assert_eq!(m.event, "change");
            let Some(StreamMessage::Event(LiveEvent::Deal(change))) =
                StreamMessage::decode(&m.data)
            else {
                panic!("not a deal's change: {m:?}");
            };
            assert_eq!(m.id.unwrap().parse::<i64>().unwrap(), change.log_id);
            events.push(change);
        }
        assert!(events[0].before.is_none(), "created");
        let moved = events[1].after.as_ref().unwrap();
        assert_eq!(moved.stage_id.to_string(), stages[1]);
        assert_eq!(moved.version, 2);
        assert_eq!(
            events[1].before.as_ref().unwrap().stage_id.to_string(),
            stages[0]
        );
        assert!(events[1].log_id > events[0].log_id);
    })
    .await;
}

#[tokio::test]
async fn a_browser_stream_needs_a_session_and_names_a_bad_pipeline() {
    on_each_engine(|s| async move {
        let r = s.http.get(s.url("/api/live")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let r = s
            .http
            .get(s.url("/api/live"))
            .bearer_auth(&s.token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNAUTHORIZED,
            "API tokens are not sessions"
        );
        let cookie = browser_session(&s).await;
        let r = s
            .http
            .get(s.url("/api/live?pipeline=nope"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["field"], "pipeline");
    })
    .await;
}

#[tokio::test]
async fn a_board_shows_who_else_has_it_open_and_when_they_leave() {
    on_each_engine(|s| async move {
        ops::auth::create_user(
            &s.db,
            "bo@example.com",
            "Bo Ek",
            "long enough secret",
            false,
            Utc::now(),
        )
        .await
        .unwrap();
        let anna = browser_session(&s).await;
        let bo = browser_session_of(&s, "bo@example.com").await;
        let (_, pipelines) = s.get("/api/v1/pipelines").await;
        let pipeline = pipelines[0]["id"].as_str().unwrap().to_string();
        let mut annas = EventStream::browser(&s, &anna, &pipeline).await;
        assert!(viewer_names(&annas.next(SOON).await.unwrap()).is_empty());
        let mut bos = EventStream::browser(&s, &bo, &pipeline).await;
        assert_eq!(viewer_names(&bos.next(SOON).await.unwrap()), ["Anna Berg"]);
        assert_eq!(viewer_names(&annas.next(SOON).await.unwrap()), ["Bo Ek"]);
        // A second tab of Bo's counts him once; a board of another pipeline not at all.
        let _bos_second = EventStream::browser(&s, &bo, &pipeline).await;
        let other = app::domain::ids::PipelineId::new().to_string();
        let _elsewhere = EventStream::browser(&s, &anna, &other).await;
        drop(bos);
        drop(_bos_second);
        let left = annas
            .next(std::time::Duration::from_secs(20))
            .await
            .expect("told that Bo left");
        assert!(viewer_names(&left).is_empty());
    })
    .await;
}

/// A meeting-room screen of the Sales pipeline, and its stream as a TV opens it.
async fn meeting_room_screen(s: &Spawned) -> (app::domain::display::Display, EventStream) {
    let (display, secret) = ops::displays::create(
        &s.db,
        app::ssr::ops::Operator::Console,
        ops::displays::NewDisplay {
            name: "Meeting room",
            pipeline: "Sales",
            scenes: "",
            seconds_per_scene: 20,
        },
        Utc::now(),
    )
    .await
    .unwrap();
    let request = s.http.get(s.url(&format!("/api/live?display={secret}")));
    (display, EventStream::read(request).await)
}

#[tokio::test]
async fn a_presenters_cue_reaches_the_screen_and_nobody_else_can_send_one() {
    use app::domain::display::Cue;
    on_each_engine(|s| async move {
        let (display, mut screen) = meeting_room_screen(&s).await;
        let first = screen.next(SOON).await.unwrap();
        assert_eq!(shape_of(&first).0, display.pipeline_id);

        let cookie = browser_session(&s).await;
        let cue = |body: Value, cookie: Option<&str>| {
            let mut r = s.browser_post("/api/present").json(&body);
            if let Some(c) = cookie {
                r = r.header("cookie", c);
            }
            r.send()
        };
        let r = cue(json!({"display": display.id, "cue": "next"}), None)
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNAUTHORIZED,
            "strangers cannot present"
        );
        let r = cue(
            json!({"display": display.id, "cue": {"focus": app::domain::ids::StageId::new()}}),
            Some(&cookie),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("stage"));

        for (body, expected) in [
            (json!("next"), Cue::Next),
            (json!("pause"), Cue::Pause),
            (json!({"focus": null}), Cue::Focus(None)),
        ] {
            let r = cue(json!({"display": display.id, "cue": body}), Some(&cookie))
                .await
                .unwrap();
            assert!(r.status().is_success(), "{}", r.status());
            let m = screen.next(SOON).await.expect("the cue");
            assert_eq!(m.event, "cue");
            assert_eq!(
                StreamMessage::decode(&m.data),
                Some(StreamMessage::Cue(expected))
            );
        }
        // Another screen does not hear it.
        let r = cue(
            json!({"display": app::domain::ids::DisplayId::new(), "cue": "next"}),
            Some(&cookie),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

#[tokio::test]
async fn a_change_to_a_pipelines_stages_reaches_its_boards_and_screens_and_a_late_one_learns_of_it()
{
    on_each_engine(|s| async move {
        let cookie = browser_session(&s).await;
        let (_, pipelines) = s.get("/api/v1/pipelines").await;
        let pipeline = pipelines[0]["id"].as_str().unwrap().to_string();
        let (_, mut screen) = meeting_room_screen(&s).await;
        let mut board = EventStream::browser(&s, &cookie, &pipeline).await;
        let (_, before) = shape_of(&screen.next(SOON).await.unwrap());

        let change = json!({"change": {"AddStage": {"pipeline_id": pipeline, "input": {"name": "Negotiation", "probability": 70, "rotting_days": null}}}});
        let r = s
            .browser_post("/api/change_pipelines")
            .header("cookie", &cookie)
            .json(&change)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        for stream in [&mut board, &mut screen] {
            let shape = loop {
                let m = stream.next(SOON).await.expect("told of the new stage");
                if m.event == "change" {
                    break shape_of(&m);
                }
            };
            assert_eq!(shape.0.to_string(), pipeline);
            assert_eq!(shape.1, before + 1);
        }
        // A board that opens later starts from the new shape.
        let late = s
            .http
            .get(s.url(&format!("/api/live?pipeline={pipeline}")))
            .header("cookie", &cookie);
        let mut late = EventStream::read(late).await;
        assert_eq!(shape_of(&late.next(SOON).await.unwrap()).1, before + 1);
    })
    .await;
}

#[tokio::test]
async fn changes_since_a_day_list_what_happened_and_a_bad_day_or_pipeline_is_named() {
    on_each_engine(|s| async move {
        let stages = first_stages(&s).await;
        let id = new_deal(&s, "Came in this week", &stages[0]).await;
        s.post(
            &format!("/api/v1/deals/{id}/move"),
            json!({"stage_id": stages[2], "version": 1}),
        )
        .await;
        let (status, body) = s.get("/api/v1/changes").await;
        assert_eq!(status, StatusCode::OK);
        let ids = |group: &str| -> Vec<String> {
            body[group]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["deal_id"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(ids("added"), [id.clone()]);
        assert_eq!(ids("moved_forward"), [id.clone()]);
        assert_eq!(
            body["moved_forward"][0]["from_stage_id"],
            stages[0].as_str()
        );
        assert_eq!(body["moved_forward"][0]["to_stage_id"], stages[2].as_str());
        assert_eq!(body["moved_forward"][0]["title"], "Came in this week");
        for group in ["moved_back", "won", "lost", "changed"] {
            assert!(ids(group).is_empty(), "{group}");
        }

        for bad in ["last-tuesday", ""] {
            let (status, body) = s.get(&format!("/api/v1/changes?since={bad}")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "since={bad}");
            assert_eq!(body["field"], "since");
        }
        let (status, body) = s.get("/api/v1/changes?pipeline_id=42").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["field"], "pipeline_id");
        let unknown = app::domain::ids::PipelineId::new();
        let (status, _) = s
            .get(&format!("/api/v1/changes?pipeline_id={unknown}"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn the_forecast_and_the_board_as_of_a_day_answer_in_minor_units_and_name_bad_input() {
    on_each_engine(|s| async move {
        let stages = first_stages(&s).await;
        let today = chrono::Utc::now().date_naive();
        let (status, deal) = s
            .post(
                "/api/v1/deals",
                json!({"title": "Closing soon", "value": 10_000, "currency": "EUR",
                       "stage_id": stages[2], "expected_close_date": today}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{deal}");

        let (status, rows) = s.get("/api/v1/forecast?period=quarter").await;
        assert_eq!(status, StatusCode::OK);
        let first = &rows[0];
        assert_eq!(first["currency"], "EUR");
        assert_eq!(
            first["weighted"], 5_000,
            "10 000 at the Proposal stage's 50 %"
        );
        assert_eq!(first["won"], 0);
        assert_eq!(first["method"], "stage_probability");
        assert!(first["period"].as_str().unwrap().contains("-Q"));
        for field in ["expected", "p10", "p50", "p90", "goal", "history_deals"] {
            assert!(first.get(field).is_some(), "{field}");
        }
        assert_eq!(
            rows.as_array().unwrap().len(),
            3,
            "this quarter and the two after"
        );

        let (status, board) = s.get("/api/v1/board").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(board["as_of"], today.to_string());
        assert_eq!(board["stages"][2]["count"], 1);
        assert_eq!(board["stages"][2]["value_by_currency"]["EUR"], 10_000);
        assert_eq!(board["stages"][2]["deal_ids"][0], deal["id"]);
        let r = s
            .http
            .get(s.url("/api/v1/board?format=csv"))
            .bearer_auth(&s.token)
            .send()
            .await
            .unwrap();
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let csv = r.text().await.unwrap();
        assert!(
            csv.starts_with("as_of,stage_id,stage,count,currency,value,weighted\r\n"),
            "{csv}"
        );
        assert!(
            csv.contains(&format!(
                "{today},{},Proposal,1,EUR,10000,5000\r\n",
                stages[2]
            )),
            "{csv}"
        );
        let r = s
            .http
            .get(s.url("/api/v1/changes"))
            .header("accept", "text/csv")
            .bearer_auth(&s.token)
            .send()
            .await
            .unwrap();
        let csv = r.text().await.unwrap();
        assert!(
            csv.starts_with("group,deal_id,title,from_stage,to_stage,value,currency,at\r\n"),
            "{csv}"
        );
        assert!(
            csv.contains(&format!(
                "Added,{},Closing soon,,Proposal,10000,EUR,",
                deal["id"].as_str().unwrap()
            )),
            "{csv}"
        );
        let yesterday = today - chrono::Days::new(1);
        let (status, board) = s.get(&format!("/api/v1/board?as_of={yesterday}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(board["stages"][2]["count"], 0, "the deal did not exist yet");

        for (path, field) in [
            ("/api/v1/forecast?period=week", "period"),
            ("/api/v1/forecast?owner_id=anna", "owner_id"),
            ("/api/v1/board?as_of=yesterday", "as_of"),
            ("/api/v1/board?as_of=2999-01-01", "as_of"),
            ("/api/v1/board?pipeline_id=1", "pipeline_id"),
        ] {
            let (status, body) = s.get(path).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
            assert_eq!(body["field"], field, "{path}");
        }
        let unknown = app::domain::ids::UserId::new();
        let (status, _) = s.get(&format!("/api/v1/forecast?owner_id={unknown}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn the_track_record_gives_what_was_written_down_before_last_month_against_its_wins() {
    use app::domain::forecast::{Method, PeriodKind};
    use app::domain::track_record::Snapshot;
    on_each_engine(|s| async move {
        let (_, pipelines) = s.get("/api/v1/pipelines").await;
        let pipeline: app::domain::ids::PipelineId =
            pipelines[0]["id"].as_str().unwrap().parse().unwrap();
        let kind = PeriodKind::Month;
        let last_month = kind.before(kind.span(chrono::Utc::now().date_naive()).0, 1);
        let taken_on = last_month - chrono::Days::new(7);
        let snapshot = Snapshot {
            taken_on,
            kind,
            period_start: last_month,
            currency: app::domain::money::Currency::parse("EUR").unwrap(),
            weighted: 4_000,
            expected: 5_000,
            p10: 1_000,
            p90: 9_000,
            method: Method::Empirical,
        };
        let mut tx = s.db.write().await.unwrap();
        app::ssr::db::forecast_snapshots::record(&mut tx, pipeline, &[snapshot])
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let (status, record) = s.get("/api/v1/forecast/track-record").await;
        assert_eq!(status, StatusCode::OK, "{record}");
        assert_eq!(record["leads"], json!([1, 4, 8]));
        let row = &record["rows"][0];
        assert_eq!(row["period"], kind.name(last_month));
        assert_eq!((row["currency"].as_str(), row["won"].as_i64()), (Some("EUR"), Some(0)));
        assert_eq!(row["said"][0]["expected"], 5_000);
        assert_eq!(row["said"][0]["taken_on"], taken_on.to_string());
        assert_eq!(row["said"][0]["inside"], false, "nothing won is below P10");
        assert_eq!(row["said"][1], Value::Null);
        assert_eq!(record["held"][0], json!({"said": 1, "inside": 0}));

        let r = s
            .http
            .get(s.url("/api/v1/forecast/track-record?format=csv"))
            .bearer_auth(&s.token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.text().await.unwrap(),
            format!(
                "period,currency,won,weeks_before,taken_on,weighted,expected,p10,p90,method,inside\r\n\
                 {},EUR,0,1,{taken_on},4000,5000,1000,9000,empirical,false\r\n",
                kind.name(last_month)
            )
        );
        let (status, quarters) = s.get("/api/v1/forecast/track-record?period=quarter").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(quarters["rows"], json!([]), "a month's forecast is not a quarter's");
        for (path, field) in [
            ("/api/v1/forecast/track-record?period=week", "period"),
            ("/api/v1/forecast/track-record?pipeline_id=x", "pipeline_id"),
        ] {
            let (status, body) = s.get(path).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
            assert_eq!(body["field"], field, "{path}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_funnel_and_summary_answer_in_json_and_csv_and_name_bad_input() {
    on_each_engine(|s| async move {
        let stages = first_stages(&s).await;
        let (status, deal) = s
            .post(
                "/api/v1/deals",
                json!({"title": "Won here", "value": 2_500, "currency": "EUR",
                       "stage_id": stages[1], "lead_source": "=Referral, mostly"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{deal}");
        let id = deal["id"].as_str().unwrap();
        let (status, _) = s
            .post(&format!("/api/v1/deals/{id}/won"), json!({"version": 1}))
            .await;
        assert_eq!(status, StatusCode::OK);

        let (status, funnel) = s.get("/api/v1/stats/funnel").await;
        assert_eq!(status, StatusCode::OK, "{funnel}");
        assert_eq!(funnel["deals"], 1);
        assert_eq!(funnel["won"], 1);
        assert_eq!(
            funnel["stages"][0]["reached"], 1,
            "created later, it passed the first stage"
        );
        assert_eq!(funnel["stages"][1]["conversion_pct"], 100.0);

        let (status, summary) = s.get("/api/v1/stats/summary").await;
        assert_eq!(status, StatusCode::OK, "{summary}");
        assert_eq!(summary["won"], 1);
        assert_eq!(summary["win_rate_pct"], 100.0);
        assert_eq!(summary["currencies"][0]["currency"], "EUR");
        assert_eq!(summary["currencies"][0]["won_value"], 2_500);
        assert_eq!(summary["sources"][0]["lead_source"], "=Referral, mostly");

        let csv = |path: &str| {
            let request = s.http.get(s.url(path)).bearer_auth(&s.token);
            async move {
                let r = request.send().await.unwrap();
                let kind = r.headers()["content-type"].to_str().unwrap().to_string();
                (r.status(), kind, r.text().await.unwrap())
            }
        };
        let (status, kind, body) = csv("/api/v1/stats/funnel?format=csv").await;
        assert_eq!(status, StatusCode::OK);
        assert!(kind.starts_with("text/csv"), "{kind}");
        let mut lines = body.lines();
        assert_eq!(
            lines.next(),
            Some("stage_id,stage,reached,moved_on,lost,open,conversion_pct,drop_off_pct")
        );
        assert_eq!(lines.count(), stages.len(), "a line per stage");
        let (_, _, body) = csv("/api/v1/stats/summary?format=csv").await;
        assert!(
            body.starts_with("table,item,currency,measure,value\r\n"),
            "{body}"
        );
        assert!(body.contains("money,,EUR,won_value,2500\r\n"), "{body}");
        assert!(
            body.contains("lead_source,\"'=Referral, mostly\",,won,1\r\n"),
            "a source that reads as a formula is quoted and made text: {body}"
        );

        let today = chrono::Utc::now().date_naive();
        let long_ago = today - chrono::Days::new(400);
        let cases = [
            ("/api/v1/stats/funnel?from=soon".to_string(), "from"),
            ("/api/v1/stats/funnel?to=2999-01-01".to_string(), "to"),
            (format!("/api/v1/stats/summary?from={long_ago}"), "from"),
            (
                "/api/v1/stats/summary?owner_id=anna".to_string(),
                "owner_id",
            ),
            (
                "/api/v1/stats/summary?pipeline_id=1".to_string(),
                "pipeline_id",
            ),
            (
                format!("/api/v1/stats/summary?lead_source={}", "x".repeat(61)),
                "lead_source",
            ),
        ];
        for (path, field) in cases {
            let (status, body) = s.get(&path).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
            assert_eq!(body["field"], field, "{path}");
        }
        let unknown = app::domain::ids::UserId::new();
        let (status, _) = s
            .get(&format!("/api/v1/stats/funnel?owner_id={unknown}"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}
