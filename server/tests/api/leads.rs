//! Leads through API v1 on both engines.

use super::{first_stages, on_each_engine};
use reqwest::StatusCode;
use serde_json::json;

const LEAD_ID: &str = "01937a2e-5b1c-7d3e-8f00-0123456789ab";

#[tokio::test]
async fn a_lead_posted_twice_is_kept_once_and_qualifying_it_puts_a_deal_in_the_first_stage() {
    on_each_engine(|s| async move {
        let lead = json!({
            "id": LEAD_ID, "name": "Eva Berg", "company": "Acme AB",
            "email": "eva@acme.se", "phone": "+46 70 123 45 67",
            "value": 4500000, "currency": "SEK", "source": "Trade fair",
            "note": "Met at the fair.\nWants a demo."
        });
        let (status, first) = s.post("/api/v1/leads", lead.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        assert_eq!(
            (first["id"].as_str(), first["status"].as_str()),
            (Some(LEAD_ID), Some("new"))
        );
        let (status, again) = s.post("/api/v1/leads", lead).await;
        assert_eq!((status, &again), (StatusCode::CREATED, &first));

        let (status, inbox) = s.get("/api/v1/leads?status=new").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(inbox.as_array().unwrap().len(), 1);
        let (_, fair) = s.get("/api/v1/leads?source=Trade%20fair").await;
        assert_eq!(fair.as_array().unwrap().len(), 1);
        let (_, web) = s.get("/api/v1/leads?source=Website").await;
        assert!(web.as_array().unwrap().is_empty());

        let qualify = format!("/api/v1/leads/{LEAD_ID}/qualify");
        let (status, deal) = s
            .post(&qualify, json!({"expected_close": "2027-01-31"}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{deal}");
        assert_eq!(deal["title"], "Acme AB");
        assert_eq!(
            (deal["value"].as_i64(), deal["currency"].as_str()),
            (Some(4500000), Some("SEK"))
        );
        assert_eq!(
            deal["stage_id"].as_str(),
            Some(first_stages(&s).await[0].as_str())
        );
        assert_eq!(deal["lead_source"], "Trade fair");
        assert_eq!(deal["expected_close_date"], "2027-01-31");

        let (_, lead) = s.get(&format!("/api/v1/leads/{LEAD_ID}")).await;
        assert_eq!(
            (lead["status"].as_str(), &lead["deal_id"]),
            (Some("qualified"), &deal["id"])
        );
        let (_, log) = s.get(&format!("/api/v1/leads/{LEAD_ID}/events")).await;
        let kinds: Vec<_> = log
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"]["type"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["captured", "qualified"]);
        let (status, inbox) = s.get("/api/v1/leads?status=new").await;
        assert_eq!(
            (status, inbox.as_array().unwrap().len()),
            (StatusCode::OK, 0)
        );

        let (status, body) = s.post(&qualify, json!({})).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::CONFLICT, Some("refused"))
        );
        let (status, _) = s
            .post(
                &format!("/api/v1/leads/{LEAD_ID}/discard"),
                json!({"reason": "Spam"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
    })
    .await;
}

#[tokio::test]
async fn bad_lead_input_is_refused_naming_the_field_and_stores_nothing() {
    on_each_engine(|s| async move {
        let cases = [
            (json!({"company": "Acme"}), "name"),
            (json!({"name": "Eva", "email": "eva at acme"}), "email"),
            (json!({"name": "Eva", "phone": "call me"}), "phone"),
            (
                json!({"name": "Eva", "value": 1_000_000_000_000_001_i64, "currency": "SEK"}),
                "value",
            ),
            (json!({"name": "Eva", "value": 100}), "currency"),
            (
                json!({"name": "Eva", "currency": "XXX", "value": 1}),
                "currency",
            ),
            (json!({"name": "Eva", "note": "x".repeat(2001)}), "note"),
            (json!({"name": "Eva\u{202E}"}), "name"),
            (json!({"name": "Eva", "id": "not-an-id"}), "id"),
        ];
        for (body, field) in cases {
            let (status, err) = s.post("/api/v1/leads", body.clone()).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {err}");
            let named = err["field"].as_str().unwrap_or_default();
            assert!(
                named == field || (field == "name" && named == "body"),
                "{body} named {err}"
            );
        }
        let (status, err) = s.get("/api/v1/leads?status=maybe").await;
        assert_eq!(
            (status, err["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("status"))
        );
        let (status, err) = s.get("/api/v1/leads?limit=0").await;
        assert_eq!(
            (status, err["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("limit"))
        );
        let (_, all) = s.get("/api/v1/leads").await;
        assert!(
            all.as_array().unwrap().is_empty(),
            "nothing was stored: {all}"
        );

        let (_, lead) = s.post("/api/v1/leads", json!({"name": "Bo"})).await;
        let id = lead["id"].as_str().unwrap();
        let (status, err) = s
            .post(&format!("/api/v1/leads/{id}/qualify"), json!({}))
            .await;
        assert_eq!(
            (status, err["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("currency"))
        );
        let (status, err) = s
            .post(
                &format!("/api/v1/leads/{id}/discard"),
                json!({"reason": "Bored"}),
            )
            .await;
        assert_eq!(
            (status, err["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
        );
        let (status, _) = s
            .post(
                "/api/v1/leads/01937a2e-0000-7000-8000-000000000000/discard",
                json!({"reason": "Spam"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, reasons) = s.get("/api/v1/discard-reasons").await;
        assert_eq!(reasons[0], "Not a fit");
        let (status, lead) = s
            .post(
                &format!("/api/v1/leads/{id}/discard"),
                json!({"reason": "not a fit"}),
            )
            .await;
        assert_eq!(
            (status, lead["discard_reason"].as_str()),
            (StatusCode::OK, Some("Not a fit"))
        );
    })
    .await;
}

/// Milliseconds since 1970, `seconds` ago: when a form was shown.
fn shown(seconds: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::seconds(seconds))
        .timestamp_millis()
        .to_string()
}

#[tokio::test]
async fn a_website_posts_leads_through_its_form_and_bots_floods_and_revoked_forms_are_refused() {
    on_each_engine(|s| async move {
        let admin = app::ssr::ops::Operator::Console;
        let now = chrono::Utc::now();
        let form =
            app::ssr::ops::lead_forms::create(&s.db, admin, "Contact page", "Website", None, now)
                .await
                .unwrap();
        let url = s.url(&format!("/f/{}", form.key));
        let count = |status: &'static str| {
            let s = &s;
            async move {
                let (_, leads) = s.get(&format!("/api/v1/leads?status={status}")).await;
                leads.as_array().unwrap().len()
            }
        };

        // A plain HTML form from another site: the visitor gets a thank-you page.
        let started = shown(20);
        let r = s
            .http
            .post(&url)
            .header("origin", "https://www.acme.se")
            .form(&[
                ("name", "Maja Ek"),
                ("email", "maja@ekdahl.se"),
                ("note", "Call me\r\nafter 3"),
                ("homepage", ""),
                ("started", started.as_str()),
                ("utm_source", "google"),
                ("utm_campaign", "spring"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(r.headers()["access-control-allow-origin"], "*");
        assert!(r.text().await.unwrap().contains("Thank you"));
        let (_, leads) = s.get("/api/v1/leads?source=Website").await;
        let lead = &leads[0];
        assert_eq!(
            (lead["name"].as_str(), lead["source"].as_str()),
            (Some("Maja Ek"), Some("Website"))
        );
        assert_eq!(
            (lead["utm_source"].as_str(), lead["utm_campaign"].as_str()),
            (Some("google"), Some("spring"))
        );
        assert_eq!(
            (lead["owner_id"].as_str(), lead["captured_by"].as_str()),
            (None, None)
        );
        assert_eq!(lead["note"], "Call me\nafter 3");

        // A script posting JSON gets the new lead's id.
        let r = s
            .http
            .post(&url)
            .json(&json!({"name": "Jonas Berg", "phone": "+46 73 555 01 22", "started": shown(8)}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(body["id"].as_str().is_some());
        assert_eq!(count("new").await, 2);

        // Bots: the honeypot filled, or sent at once, or without a time; bad input.
        let refusals = [
            (
                json!({"name": "Bot", "homepage": "http://spam.example", "started": shown(20)}),
                "homepage",
            ),
            (json!({"name": "Bot", "started": shown(0)}), "started"),
            (json!({"name": "Bot"}), "started"),
            (json!({"name": "", "started": shown(20)}), "name"),
            (
                json!({"name": "Eva", "email": "not mail", "started": shown(20)}),
                "email",
            ),
        ];
        for (body, field) in refusals {
            let r = s.http.post(&url).json(&body).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            let err: serde_json::Value = r.json().await.unwrap();
            assert_eq!(err["field"], field, "{body}");
        }
        let r = s
            .http
            .post(&url)
            .header("content-type", "text/plain")
            .body("name=Eva")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        // A refused plain form gets a page that says why, with the refusal's status.
        let r = s
            .http
            .post(&url)
            .form(&[("name", "Bot"), ("started", "0")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("was not sent"));
        assert_eq!(count("new").await, 2, "nothing refused was kept");

        // Ten submissions from one address in 15 minutes (refused ones count), then a
        // pause: this is the tenth, and the eleventh waits.
        for (name, status) in [
            ("Tenth", StatusCode::CREATED),
            ("Eleventh", StatusCode::TOO_MANY_REQUESTS),
        ] {
            let r = s
                .http
                .post(&url)
                .json(&json!({"name": name, "started": shown(20)}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), status, "{name}");
        }
        assert_eq!(count("new").await, 3);

        let r = s
            .http
            .request(reqwest::Method::OPTIONS, &url)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(r.headers()["access-control-allow-methods"], "POST");

        // A revoked form, or one that never was, takes nothing.
        app::ssr::ops::lead_forms::revoke(&s.db, admin, "Contact page", now)
            .await
            .unwrap();
        for url in [url.clone(), s.url("/f/tf_made_up")] {
            let r = s
                .http
                .post(&url)
                .json(&json!({"name": "Late", "started": shown(20)}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{url}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_form_with_a_thank_you_address_sends_the_visitor_there() {
    on_each_engine(|s| async move {
        let form = app::ssr::ops::lead_forms::create(
            &s.db,
            app::ssr::ops::Operator::Console,
            "Fair",
            "Trade fair",
            Some("https://www.acme.se/thanks"),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        let started = shown(30);
        let r = s
            .http
            .post(s.url(&format!("/f/{}", form.key)))
            .form(&[("name", "Per Ågren"), ("started", started.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "https://www.acme.se/thanks");
        let (_, leads) = s.get("/api/v1/leads?source=Trade%20fair").await;
        assert_eq!(leads[0]["name"], "Per Ågren");
    })
    .await;
}

#[tokio::test]
async fn a_phone_gets_the_manifest_icon_and_service_worker_without_signing_in() {
    on_each_engine(|s| async move {
        let get = |path: &'static str| {
            let s = &s;
            async move { s.http.get(s.url(path)).send().await.unwrap() }
        };
        let manifest = get("/manifest.webmanifest").await;
        assert_eq!(manifest.status(), StatusCode::OK);
        assert_eq!(
            manifest.headers()["content-type"],
            "application/manifest+json"
        );
        let manifest: serde_json::Value = manifest.json().await.unwrap();
        assert_eq!(manifest["display"], "standalone");
        assert_eq!(manifest["icons"][0]["src"], "/icon.svg");
        assert_eq!(manifest["shortcuts"][0]["url"], "/leads/new");

        let worker = get("/sw.js").await;
        assert_eq!(worker.status(), StatusCode::OK);
        assert!(worker.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript"));
        assert_eq!(
            worker.headers()["content-security-policy"],
            "default-src 'self'",
            "it may fetch from Tend only"
        );
        assert!(worker.text().await.unwrap().contains("\"/leads/new\""));

        let icon = get("/icon.svg").await;
        assert_eq!(
            (
                icon.status(),
                icon.headers()["content-type"].to_str().unwrap()
            ),
            (StatusCode::OK, "image/svg+xml")
        );
        // Only these: any other page still wants a session.
        let page = get("/leads/new").await;
        assert_eq!(page.status(), StatusCode::SEE_OTHER);
    })
    .await;
}

/// What an open inbox's stream brings next: the count of changes to leads it now
/// stands at, told as a `Refetch`.
async fn inbox_told(stream: &mut super::EventStream) -> i64 {
    use app::domain::live::{LiveEvent, StreamMessage};
    let m = stream.next(super::SOON).await.expect("a message in time");
    assert_eq!(m.event, "change");
    assert_eq!(
        StreamMessage::decode(&m.data),
        Some(StreamMessage::Event(LiveEvent::Refetch))
    );
    m.id.expect("an id").parse().unwrap()
}

#[tokio::test]
async fn an_open_inbox_is_told_of_each_lead_that_comes_in_or_leaves_and_of_what_it_missed() {
    on_each_engine(|s| async move {
        let cookie = super::browser_session(&s).await;
        let inbox = |after: i64| {
            s.http
                .get(s.url(&format!("/api/live?leads&after={after}")))
                .header("cookie", cookie.clone())
        };
        let seen = app::ssr::ops::leads::seen(&s.db).await.unwrap();
        let mut open = super::EventStream::read(inbox(seen)).await;
        // Up to date: nothing to say until a lead changes.
        let quiet = std::time::Duration::from_millis(300);
        assert!(open.next(quiet).await.is_none());

        let (status, _) = s
            .post("/api/v1/leads", json!({"id": LEAD_ID, "name": "Eva Berg"}))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(inbox_told(&mut open).await, seen + 1);

        let (status, _) = s
            .post(
                &format!("/api/v1/leads/{LEAD_ID}/discard"),
                json!({"reason": "Spam"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(inbox_told(&mut open).await, seen + 2);

        // A page that read the inbox before the discard is told at once as it reconnects;
        // one that is up to date is not.
        let mut behind = super::EventStream::read(inbox(seen + 1)).await;
        assert_eq!(inbox_told(&mut behind).await, seen + 2);
        let mut current = super::EventStream::read(inbox(seen + 2)).await;
        assert!(current.next(quiet).await.is_none());

        // Only a signed-in browser has it.
        let r = s
            .http
            .get(s.url("/api/live?leads&after=0"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    })
    .await;
}
