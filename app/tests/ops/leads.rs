//! Leads on both engines: capture, the inbox, qualifying into a deal, discarding.

use super::{on_each_engine, sara, stage};
use app::domain::deal::DealStatus;
use app::domain::duplicate::{Alike, Contact};
use app::domain::event::DealEventKind;
use app::domain::ids::LeadId;
use app::domain::lead::{Bulk, LeadDraft, LeadEventKind, LeadStatus, Qualification};
use app::error::AppError;
use app::ssr::db::leads::LeadFilter;
use app::ssr::ops;
use chrono::{Duration, Utc};

fn eva() -> LeadDraft {
    LeadDraft {
        id: Some(LeadId::new()),
        name: "Eva Berg".into(),
        company: Some("Acme AB".into()),
        job_title: Some("Head of Sales".into()),
        website: Some("https://acme.se".into()),
        email: Some("Eva@Acme.se".into()),
        phone: Some("+46 70 123 45 67".into()),
        value: Some(4_500_000),
        currency: Some("SEK".into()),
        note: Some("Met at the fair.\nWants a demo.".into()),
        source: Some("Trade fair".into()),
    }
}

fn inbox() -> LeadFilter {
    LeadFilter {
        status: Some(LeadStatus::New),
        source: None,
        limit: 100,
    }
}

#[tokio::test]
async fn a_lead_sent_twice_with_one_id_is_kept_once_and_waits_in_the_inbox() {
    on_each_engine(|db, me, _| async move {
        let first = ops::leads::capture(&db, &me, eva(), Utc::now())
            .await
            .unwrap();
        let mut again = eva();
        again.id = first.id.into();
        again.name = "Someone else".into();
        let second = ops::leads::capture(&db, &me, again, Utc::now())
            .await
            .unwrap();
        assert_eq!(
            first, second,
            "the second send returns what the first stored"
        );

        let listed = ops::leads::list(&db, &me, inbox()).await.unwrap();
        assert_eq!(listed, vec![first.clone()]);
        assert_eq!(listed[0].email.as_deref(), Some("eva@acme.se"));
        assert_eq!(listed[0].owner_id, Some(me.id));
        let log = ops::leads::history(&db, &me, first.id).await.unwrap();
        let kinds: Vec<_> = log.iter().map(|e| e.kind.clone()).collect();
        assert_eq!(
            kinds,
            vec![LeadEventKind::Captured {
                source: Some("Trade fair".into())
            }]
        );
        assert_eq!(log[0].actor_id, Some(me.id));

        let bad = LeadDraft {
            email: Some("not an email".into()),
            ..eva()
        };
        let err = ops::leads::capture(&db, &me, bad, Utc::now())
            .await
            .unwrap_err();
        assert!(err.field("email").is_some());
        assert_eq!(ops::leads::list(&db, &me, inbox()).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn qualifying_a_lead_makes_a_deal_in_the_first_stage_with_its_company_person_and_source() {
    on_each_engine(|db, me, p| async move {
        let lead = ops::leads::capture(&db, &me, eva(), Utc::now())
            .await
            .unwrap();
        let close = Utc::now().date_naive() + Duration::days(30);
        let q = Qualification {
            expected_close: Some(close),
            ..Default::default()
        };
        let done = ops::leads::qualify(&db, &me, lead.id, q, Utc::now())
            .await
            .unwrap();
        let deal = done.deal.deal;
        assert_eq!(deal.title, "Acme AB");
        assert_eq!((deal.value, deal.currency.code()), (4_500_000, "SEK"));
        assert_eq!((deal.pipeline_id, deal.stage_id), (p.id, stage(&p, 0)));
        assert_eq!(deal.status, DealStatus::Open);
        assert_eq!(deal.expected_close_date, Some(close));
        assert_eq!(deal.lead_source.as_deref(), Some("Trade fair"));
        assert!(deal.organization_id.is_some() && deal.person_id.is_some());
        assert!(
            done.deal.event.is_some(),
            "every screen hears of the new deal"
        );

        let lead = ops::leads::get(&db, &me, lead.id).await.unwrap();
        assert_eq!(
            (lead.status, lead.deal_id),
            (LeadStatus::Qualified, Some(deal.id))
        );
        assert!(ops::leads::list(&db, &me, inbox())
            .await
            .unwrap()
            .is_empty());
        let log = ops::leads::history(&db, &me, lead.id).await.unwrap();
        assert_eq!(log[1].kind, LeadEventKind::Qualified { deal_id: deal.id });
        let deal_log = ops::deals::history(&db, &me, deal.id).await.unwrap();
        assert!(matches!(deal_log[0].kind, DealEventKind::Created { .. }));

        // A second lead from the same person joins the same person and organization.
        let again = LeadDraft {
            id: Some(LeadId::new()),
            email: Some("eva@acme.se".into()),
            ..eva()
        };
        let again = ops::leads::capture(&db, &me, again, Utc::now())
            .await
            .unwrap();
        let second = ops::leads::qualify(&db, &me, again.id, Qualification::default(), Utc::now())
            .await
            .unwrap()
            .deal
            .deal;
        assert_eq!(
            (second.person_id, second.organization_id),
            (deal.person_id, deal.organization_id)
        );
    })
    .await;
}

#[tokio::test]
async fn a_lead_is_discarded_only_for_a_listed_reason_and_is_then_settled_for_good() {
    on_each_engine(|db, me, _| async move {
        let lead = ops::leads::capture(&db, &me, eva(), Utc::now())
            .await
            .unwrap();
        let err = ops::leads::discard(&db, &me, lead.id, "Bored", Utc::now())
            .await
            .unwrap_err();
        assert!(err.field("reason").is_some());
        assert_eq!(
            ops::leads::get(&db, &me, lead.id).await.unwrap().status,
            LeadStatus::New
        );

        let gone = ops::leads::discard(&db, &me, lead.id, "no budget", Utc::now())
            .await
            .unwrap();
        assert_eq!(
            (gone.status, gone.discard_reason.as_deref()),
            (LeadStatus::Discarded, Some("No budget"))
        );
        let again = ops::leads::qualify(&db, &me, lead.id, Qualification::default(), Utc::now())
            .await
            .unwrap_err();
        assert!(matches!(again, AppError::Refused(_)));
        let twice = ops::leads::discard(&db, &me, lead.id, "Spam", Utc::now()).await;
        assert!(matches!(twice, Err(AppError::Refused(_))));
        let missing = ops::leads::discard(&db, &me, LeadId::new(), "Spam", Utc::now()).await;
        assert!(matches!(missing, Err(AppError::NotFound(_))));
        assert_eq!(
            ops::leads::history(&db, &me, lead.id).await.unwrap().len(),
            2,
            "captured, discarded: the refusals logged nothing"
        );
    })
    .await;
}

#[tokio::test]
async fn admins_keep_the_discard_reasons_and_the_last_one_stays() {
    on_each_engine(|db, me, _| async move {
        let rep = sara(&db).await;
        let refused = ops::leads::add_discard_reason(&db, &rep, "Competitor").await;
        assert!(matches!(refused, Err(AppError::Forbidden)));
        ops::leads::add_discard_reason(&db, &me, "Competitor")
            .await
            .unwrap();
        let dup = ops::leads::add_discard_reason(&db, &me, "competitor").await;
        assert!(dup.unwrap_err().field("reason").is_some());
        let list = ops::leads::discard_reasons(&db, &rep).await.unwrap();
        assert_eq!(
            list,
            [
                "Not a fit",
                "No budget",
                "No response",
                "Duplicate",
                "Spam",
                "Competitor"
            ]
        );
        for label in &list[1..] {
            ops::leads::remove_discard_reason(&db, &me, label)
                .await
                .unwrap();
        }
        let last = ops::leads::remove_discard_reason(&db, &me, "Not a fit").await;
        assert!(matches!(last, Err(AppError::Refused(_))));
    })
    .await;
}

#[tokio::test]
async fn the_inbox_counts_each_state_and_the_new_leads_per_source_and_the_capture_page_recalls_the_last_source(
) {
    on_each_engine(|db, me, _| async move {
        let now = Utc::now();
        let lead = |name: &str, source: Option<&str>| LeadDraft {
            id: Some(LeadId::new()),
            name: name.into(),
            source: source.map(Into::into),
            ..Default::default()
        };
        let old = ops::leads::capture(
            &db,
            &me,
            lead("Ann", Some("Website")),
            now - Duration::days(4),
        )
        .await
        .unwrap();
        ops::leads::capture(
            &db,
            &me,
            lead("Bo", Some("Website")),
            now - Duration::days(1),
        )
        .await
        .unwrap();
        let gone = ops::leads::capture(&db, &me, lead("Cy", None), now)
            .await
            .unwrap();
        ops::leads::capture(&db, &me, lead("Di", Some("Referral")), now)
            .await
            .unwrap();
        ops::leads::discard(&db, &me, gone.id, "Spam", now)
            .await
            .unwrap();

        let page = ops::leads::page(&db, &me, LeadStatus::New, now)
            .await
            .unwrap();
        let names: Vec<_> = page.leads.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["Di", "Bo", "Ann"], "newest first");
        assert_eq!(
            (
                page.counts.new,
                page.counts.qualified,
                page.counts.discarded
            ),
            (3, 0, 1)
        );
        let sources: Vec<_> = page
            .sources
            .iter()
            .map(|s| (s.source.as_deref(), s.new, s.oldest_days))
            .collect();
        assert_eq!(sources, [(Some("Website"), 2, 4), (Some("Referral"), 1, 0)]);
        assert!(page
            .leads
            .iter()
            .find(|l| l.id == old.id)
            .unwrap()
            .is_waiting_too_long(now, page.untouched_days));
        assert_eq!(page.discard_reasons.len(), 5);

        let discarded = ops::leads::page(&db, &me, LeadStatus::Discarded, now)
            .await
            .unwrap();
        assert_eq!(discarded.leads.len(), 1);

        let capture = ops::leads::capture_page(&db, &me).await.unwrap();
        assert_eq!(capture.last_source.as_deref(), Some("Referral"));
        assert_eq!(capture.sources, ["Website", "Referral"]);
    })
    .await;
}

#[tokio::test]
async fn a_capture_finds_the_same_person_by_email_phone_or_name_and_can_be_added_to_them() {
    on_each_engine(|db, me, _| async move {
        let now = Utc::now();
        let kept = ops::leads::capture(&db, &me, eva(), now).await.unwrap();
        let other = LeadDraft {
            id: Some(LeadId::new()),
            name: "Anna Lind".into(),
            phone: Some("08-555 123 45".into()),
            ..Default::default()
        };
        ops::leads::capture(&db, &me, other, now).await.unwrap();
        let look =
            |name: &'static str, email: Option<&'static str>, phone: Option<&'static str>| {
                let db = db.clone();
                let me = me.clone();
                async move {
                    let who = Contact {
                        name,
                        company: None,
                        email,
                        phone,
                    };
                    ops::leads::duplicates(&db, &me, &who)
                        .await
                        .unwrap()
                        .into_iter()
                        .map(|d| (d.lead.name, d.why))
                        .collect::<Vec<_>>()
                }
            };
        assert_eq!(
            look("E. Berg", Some("EVA@acme.se"), None).await,
            [("Eva Berg".to_string(), Alike::Email)]
        );
        assert_eq!(
            look("Someone", None, Some("070 123 45 67")).await,
            [("Eva Berg".to_string(), Alike::Phone)]
        );
        assert_eq!(
            look("eva berg", None, None).await,
            [("Eva Berg".to_string(), Alike::Name)]
        );
        assert!(look("Bo Ek", None, Some("+46 8 555 000 00"))
            .await
            .is_empty());

        let more = LeadDraft {
            name: "Eva Berg".into(),
            note: Some("Called back: wants a quote.".into()),
            ..Default::default()
        };
        let added = ops::leads::add_to(&db, &me, kept.id, more, now)
            .await
            .unwrap();
        assert_eq!(
            added.note.as_deref(),
            Some("Met at the fair.\nWants a demo.\n\nCalled back: wants a quote.")
        );
        let log = ops::leads::history(&db, &me, kept.id).await.unwrap();
        assert_eq!(
            log[1].kind,
            LeadEventKind::Amended {
                fields: vec!["note".into()]
            }
        );
        assert_eq!(
            ops::leads::list(&db, &me, inbox()).await.unwrap().len(),
            2,
            "no third lead"
        );
    })
    .await;
}

#[tokio::test]
async fn several_leads_are_assigned_discarded_or_qualified_at_once_and_a_refusal_changes_none() {
    on_each_engine(|db, me, p| async move {
        let now = Utc::now();
        let rep = sara(&db).await;
        let mut ids = Vec::new();
        for (name, value) in [("Ann", Some(1_000_00)), ("Bo", None), ("Cy", Some(5_00))] {
            let d = LeadDraft {
                id: Some(LeadId::new()),
                name: name.into(),
                value,
                currency: value.map(|_| "EUR".into()),
                ..Default::default()
            };
            ids.push(ops::leads::capture(&db, &me, d, now).await.unwrap().id);
        }
        let done = ops::leads::bulk(&db, &me, ids.clone(), Bulk::Assign(rep.id), now)
            .await
            .unwrap();
        assert_eq!(done.leads, 3);
        for id in &ids {
            assert_eq!(
                ops::leads::get(&db, &me, *id).await.unwrap().owner_id,
                Some(rep.id)
            );
        }

        // Bo has no value: qualified with the currency asked for; the others keep theirs.
        let q = Qualification {
            currency: Some("SEK".into()),
            ..Default::default()
        };
        let done = ops::leads::bulk(&db, &me, ids[..2].to_vec(), Bulk::Qualify(q), now)
            .await
            .unwrap();
        let deals: Vec<_> = done
            .deals
            .iter()
            .map(|c| {
                (
                    c.deal.title.clone(),
                    c.deal.value,
                    c.deal.currency.code().to_string(),
                    c.deal.owner_id,
                    c.deal.stage_id,
                )
            })
            .collect();
        assert_eq!(
            deals,
            [
                (
                    "Ann".to_string(),
                    1_000_00,
                    "EUR".to_string(),
                    rep.id,
                    stage(&p, 0)
                ),
                ("Bo".to_string(), 0, "SEK".to_string(), rep.id, stage(&p, 0)),
            ]
        );

        // Ann is qualified already: discarding her with Cy is refused, naming her, and
        // Cy stays in the inbox.
        let err = ops::leads::bulk(
            &db,
            &me,
            vec![ids[2], ids[0]],
            Bulk::Discard("Spam".into()),
            now,
        )
        .await
        .unwrap_err();
        assert!(err.to_string().starts_with("Ann: "), "{err}");
        assert_eq!(
            ops::leads::get(&db, &me, ids[2]).await.unwrap().status,
            LeadStatus::New
        );
        let none = ops::leads::bulk(&db, &me, vec![], Bulk::Discard("Spam".into()), now).await;
        assert!(none.unwrap_err().field("ids").is_some());
    })
    .await;
}

#[tokio::test]
async fn an_admin_sets_after_how_many_untouched_days_the_inbox_flags_a_lead() {
    on_each_engine(|db, me, _| async move {
        let now = Utc::now();
        let rep = sara(&db).await;
        let lead = ops::leads::capture(&db, &me, eva(), now - Duration::days(5))
            .await
            .unwrap();
        let page = ops::leads::page(&db, &rep, LeadStatus::New, now)
            .await
            .unwrap();
        assert_eq!(
            page.untouched_days, 3,
            "three days until an admin says otherwise"
        );
        assert!(lead.is_waiting_too_long(now, page.untouched_days));

        let refused = ops::leads::set_untouched_days(&db, &rep, 10).await;
        assert!(matches!(refused, Err(AppError::Forbidden)), "a rep may not");
        for wrong in [0, 91] {
            match ops::leads::set_untouched_days(&db, &me, wrong).await {
                Err(AppError::Invalid(errors)) => assert_eq!(errors[0].field, "untouched_days"),
                other => panic!("{wrong} days: {other:?}"),
            }
        }
        ops::leads::set_untouched_days(&db, &me, 10).await.unwrap();
        let page = ops::leads::page(&db, &rep, LeadStatus::New, now)
            .await
            .unwrap();
        assert_eq!(page.untouched_days, 10);
        assert!(
            !lead.is_waiting_too_long(now, page.untouched_days),
            "five days is not ten"
        );
        assert_eq!(ops::leads::untouched_days(&db, &rep).await.unwrap(), 10);
    })
    .await;
}
