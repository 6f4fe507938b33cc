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
