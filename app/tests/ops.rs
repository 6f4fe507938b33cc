//! Use-cases against real databases: every test body runs on a fresh SQLite file and,
//! when TEND_TEST_POSTGRES_URL is set, on a fresh PostgreSQL database.

use app::domain::deal::{DealChange, DealDraft, DealEdit, DealStatus};
use app::domain::event::DealEventKind;
use app::domain::ids::{DealId, StageId};
use app::domain::live::LiveEvent;
use app::domain::pipeline::{Pipeline, StageInput};
use app::domain::user::User;
use app::error::AppError;
use app::ssr::db::Db;
use app::ssr::ops;
use app::ssr::ops::auth::SignIn;
use app::ssr::ops::Operator;
use app::ssr::testing::TestDb;
use app::ssr::throttle::SignInThrottle;
use chrono::{Duration, Utc};
use std::future::Future;

#[path = "ops/contacts.rs"]
mod contacts;
#[path = "ops/import.rs"]
mod import;
#[path = "ops/leads.rs"]
mod leads;

/// Runs `body` once per engine, each time on a fresh database with one admin and the
/// default pipeline.
async fn on_each_engine<F, Fut>(body: F)
where
    F: Fn(Db, User, Pipeline) -> Fut,
    Fut: Future<Output = ()>,
{
    for test_db in TestDb::all().await {
        let db = test_db.db.clone();
        let (admin, pipeline) = test_db.with_admin().await;
        println!("engine: {}", db.engine());
        body(db, admin, pipeline).await;
        test_db.drop_now().await;
    }
}

const HOME: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

/// A sign-in from the same address each time, with no session before it.
fn attempt<'a>(email: &'a str, password: &'a str) -> SignIn<'a> {
    SignIn {
        email,
        password,
        address: HOME,
        previous: None,
    }
}

fn draft(title: &str, value: i64, currency: &str, stage: StageId) -> DealDraft {
    DealDraft {
        title: title.into(),
        value,
        currency: currency.into(),
        stage_id: stage,
        ..Default::default()
    }
}

fn stage(p: &Pipeline, i: usize) -> StageId {
    let mut s = p.stages.clone();
    s.sort_by_key(|s| s.position);
    s[i].id
}

#[tokio::test]
async fn creating_a_deal_logs_it_and_a_retry_with_the_same_id_creates_nothing_new() {
    on_each_engine(|db, me, p| async move {
        let id = DealId::new();
        let mut d = draft("Acme renewal", 1_250_000, "SEK", stage(&p, 0));
        d.id = Some(id);
        d.organization = Some("Acme AB".into());
        let first = ops::deals::create(&db, &me, d.clone(), Utc::now())
            .await
            .unwrap()
            .deal;
        let again = ops::deals::create(&db, &me, d, Utc::now())
            .await
            .unwrap()
            .deal;
        assert_eq!(first, again);
        assert_eq!(first.owner_id, me.id);
        let history = ops::deals::history(&db, &me, id).await.unwrap();
        assert_eq!(history.len(), 1);
        assert!(matches!(
            history[0].kind,
            DealEventKind::Created {
                value: 1_250_000,
                ..
            }
        ));
        assert_eq!(history[0].actor_name.as_deref(), Some("Anna Berg"));
    })
    .await;
}

#[tokio::test]
async fn a_deal_reads_back_exactly_as_it_was_saved() {
    on_each_engine(|db, me, p| async move {
        let mut d = draft("Precise", 99, "EUR", stage(&p, 1));
        d.expected_close_date = Some(chrono::NaiveDate::from_ymd_opt(2027, 2, 28).unwrap());
        d.probability = Some(35);
        d.lead_source = Some("Referral".into());
        let created = ops::deals::create(&db, &me, d, Utc::now())
            .await
            .unwrap()
            .deal;
        let read = ops::deals::get(&db, &me, created.id).await.unwrap();
        assert_eq!(read, created);
    })
    .await;
}

#[tokio::test]
async fn moving_a_deal_logs_from_and_to_and_a_stale_version_is_refused() {
    on_each_engine(|db, me, p| async move {
        let deal = ops::deals::create(
            &db,
            &me,
            draft("Move me", 100, "SEK", stage(&p, 0)),
            Utc::now(),
        )
        .await
        .unwrap()
        .deal;
        let moved = ops::deals::change(
            &db,
            &me,
            deal.id,
            1,
            DealChange::Move(stage(&p, 1)),
            Utc::now(),
        )
        .await
        .unwrap()
        .deal;
        assert_eq!(moved.stage_id, stage(&p, 1));
        assert_eq!(moved.version, 2);

        let stale = ops::deals::change(
            &db,
            &me,
            deal.id,
            1,
            DealChange::Move(stage(&p, 2)),
            Utc::now(),
        )
        .await;
        assert!(matches!(stale, Err(AppError::Conflict(_))));
        let now = ops::deals::get(&db, &me, deal.id).await.unwrap();
        assert_eq!(now.stage_id, stage(&p, 1), "a stale move changes nothing");

        let history = ops::deals::history(&db, &me, deal.id).await.unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(
            history[1].kind,
            DealEventKind::Moved {
                from: stage(&p, 0),
                to: stage(&p, 1)
            }
        );
    })
    .await;
}

#[tokio::test]
async fn a_won_deal_cannot_move_until_reopened_and_lost_needs_a_reason() {
    on_each_engine(|db, me, p| async move {
        let deal = ops::deals::create(
            &db,
            &me,
            draft("Close me", 100, "SEK", stage(&p, 3)),
            Utc::now(),
        )
        .await
        .unwrap()
        .deal;
        let won = ops::deals::change(&db, &me, deal.id, 1, DealChange::Win, Utc::now())
            .await
            .unwrap()
            .deal;
        assert_eq!(won.status, DealStatus::Won);
        let refused = ops::deals::change(
            &db,
            &me,
            deal.id,
            2,
            DealChange::Move(stage(&p, 0)),
            Utc::now(),
        )
        .await;
        assert!(matches!(refused, Err(AppError::Refused(_))));
        let reopened = ops::deals::change(&db, &me, deal.id, 2, DealChange::Reopen, Utc::now())
            .await
            .unwrap()
            .deal;
        assert_eq!(reopened.status, DealStatus::Open);

        let no_reason = ops::deals::change(
            &db,
            &me,
            deal.id,
            3,
            DealChange::Lose("  ".into()),
            Utc::now(),
        )
        .await;
        assert_eq!(
            no_reason.unwrap_err().field("reason").as_deref(),
            Some("Say why the deal was lost.")
        );
        let lost = ops::deals::change(
            &db,
            &me,
            deal.id,
            3,
            DealChange::Lose("Price".into()),
            Utc::now(),
        )
        .await
        .unwrap()
        .deal;
        assert_eq!(lost.lost_reason.as_deref(), Some("Price"));
        let kinds: Vec<_> = ops::deals::history(&db, &me, deal.id)
            .await
            .unwrap()
            .iter()
            .map(|e| e.kind.name())
            .collect();
        assert_eq!(kinds, ["created", "won", "reopened", "lost"]);
    })
    .await;
}

#[tokio::test]
async fn an_edit_logs_only_the_fields_that_changed() {
    on_each_engine(|db, me, p| async move {
        let deal = ops::deals::create(
            &db,
            &me,
            draft("Edit me", 100, "SEK", stage(&p, 0)),
            Utc::now(),
        )
        .await
        .unwrap()
        .deal;
        let edit = DealEdit {
            title: Some("Edit me".into()),
            value: Some(500),
            ..Default::default()
        };
        let edited = ops::deals::change(&db, &me, deal.id, 1, DealChange::Edit(edit), Utc::now())
            .await
            .unwrap()
            .deal;
        assert_eq!(edited.value, 500);
        let history = ops::deals::history(&db, &me, deal.id).await.unwrap();
        let DealEventKind::Changed { changes } = &history[1].kind else {
            panic!("expected a change event, got {:?}", history[1].kind);
        };
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "value");
    })
    .await;
}

#[tokio::test]
async fn board_sums_are_exact_per_currency_even_beyond_the_cards_sent() {
    on_each_engine(|db, me, p| async move {
        let s = stage(&p, 2);
        let count = ops::board::CARDS_PER_STAGE + 5;
        for i in 0..count {
            ops::deals::create(
                &db,
                &me,
                draft(&format!("Deal {i}"), 1_001, "SEK", s),
                Utc::now(),
            )
            .await
            .unwrap()
            .deal;
        }
        let mut special = draft("Euro deal", 333, "EUR", s);
        special.probability = Some(33);
        ops::deals::create(&db, &me, special, Utc::now())
            .await
            .unwrap()
            .deal;

        let page = ops::board::board_page(&db, &me, Some(p.id), None, "", Utc::now())
            .await
            .unwrap();
        let column = page.board.columns.iter().find(|c| c.stage.id == s).unwrap();
        assert_eq!(column.deals, count + 1);
        assert_eq!(column.cards.len() as i64, ops::board::CARDS_PER_STAGE);
        let sek = app::domain::money::Currency::parse("SEK").unwrap();
        let eur = app::domain::money::Currency::parse("EUR").unwrap();
        assert_eq!(column.value.0[&sek], 1_001 * count as i128);
        assert_eq!(column.value.0[&eur], 333);
        // Proposal is 50 %: 1001 × 205 × 0.5 = 102 602.5, rounded once.
        assert_eq!(column.weighted().0[&sek], 102_603);
        assert_eq!(column.weighted().0[&eur], 110);

        let found = ops::board::board_page(&db, &me, Some(p.id), None, "euro", Utc::now())
            .await
            .unwrap();
        let total: i64 = found.board.columns.iter().map(|c| c.deals).sum();
        assert_eq!(total, 1);
    })
    .await;
}

#[tokio::test]
async fn closed_deals_leave_the_board() {
    on_each_engine(|db, me, p| async move {
        let deal = ops::deals::create(
            &db,
            &me,
            draft("Soon won", 100, "SEK", stage(&p, 0)),
            Utc::now(),
        )
        .await
        .unwrap()
        .deal;
        ops::deals::change(&db, &me, deal.id, 1, DealChange::Win, Utc::now())
            .await
            .unwrap()
            .deal;
        let page = ops::board::board_page(&db, &me, None, None, "", Utc::now())
            .await
            .unwrap();
        assert!(page
            .board
            .columns
            .iter()
            .all(|c| c.deals == 0 && c.cards.is_empty()));
    })
    .await;
}

#[tokio::test]
async fn a_stage_holding_deals_is_deleted_only_with_a_target_and_each_move_is_logged() {
    on_each_engine(|db, me, p| async move {
        let doomed = stage(&p, 1);
        let deal = ops::deals::create(&db, &me, draft("Survivor", 100, "SEK", doomed), Utc::now())
            .await
            .unwrap()
            .deal;
        let refused = ops::pipelines::delete_stage(&db, &me, doomed, None, Utc::now()).await;
        assert!(refused.unwrap_err().field("target_stage_id").is_some());
        ops::pipelines::delete_stage(&db, &me, doomed, Some(stage(&p, 0)), Utc::now())
            .await
            .unwrap();
        let after = ops::deals::get(&db, &me, deal.id).await.unwrap();
        assert_eq!(after.stage_id, stage(&p, 0));
        let history = ops::deals::history(&db, &me, deal.id).await.unwrap();
        assert_eq!(history.last().unwrap().kind.name(), "moved");
        let pipeline = ops::pipelines::list(&db, &me).await.unwrap().remove(0);
        assert_eq!(pipeline.stages.len(), 3);
    })
    .await;
}

#[tokio::test]
async fn only_admins_change_pipelines_and_bad_stage_input_names_the_field() {
    on_each_engine(|db, me, p| async move {
        let rep = ops::auth::create_user(
            &db,
            "erik@example.com",
            "Erik",
            "another long secret",
            false,
            Utc::now(),
        )
        .await
        .unwrap();
        let input = StageInput {
            name: "Negotiation".into(),
            probability: 70,
            rotting_days: Some(10),
        };
        assert_eq!(
            ops::pipelines::add_stage(&db, &rep, p.id, input.clone())
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        let bad = StageInput {
            probability: 170,
            ..input.clone()
        };
        let err = ops::pipelines::add_stage(&db, &me, p.id, bad)
            .await
            .unwrap_err();
        assert_eq!(
            err.field("probability").as_deref(),
            Some("Probability must be between 0 and 100")
        );
        let (added, reshaped) = ops::pipelines::add_stage(&db, &me, p.id, input)
            .await
            .unwrap();
        assert_eq!(added.position, 4);
        assert_eq!(
            reshaped,
            LiveEvent::Reshaped {
                pipeline_id: p.id,
                version: p.version + 1
            },
            "boards of the pipeline are told its shape changed"
        );
        ops::pipelines::move_stage(&db, &me, added.id, -1)
            .await
            .unwrap();
        let stages = ops::pipelines::list(&db, &me)
            .await
            .unwrap()
            .remove(0)
            .stages;
        let names: Vec<_> = stages.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Prospect/lead",
                "Qualification",
                "Proposal",
                "Negotiation",
                "Commitment"
            ]
        );

        let second = ops::pipelines::create(&db, &me, "Partners", Utc::now())
            .await
            .unwrap();
        ops::pipelines::rename(&db, &me, second.id, second.version, "Partnerships")
            .await
            .unwrap();
        let stale = ops::pipelines::rename(&db, &me, second.id, second.version, "Again").await;
        assert!(matches!(stale, Err(AppError::Conflict(_))));
        ops::pipelines::reorder(&db, &me, second.id, -1)
            .await
            .unwrap();
        let all = ops::pipelines::list(&db, &me).await.unwrap();
        assert_eq!(all[0].name, "Partnerships");
        ops::pipelines::delete(&db, &me, second.id).await.unwrap();
        assert_eq!(ops::pipelines::list(&db, &me).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn signing_in_opens_a_session_that_signing_out_ends() {
    on_each_engine(|db, _me, _p| async move {
        let throttle = SignInThrottle::default();
        let wrong = ops::auth::sign_in(
            &db,
            &throttle,
            attempt("anna@example.com", "not the password"),
            Utc::now(),
        )
        .await;
        assert_eq!(
            wrong.unwrap_err().field("password").as_deref(),
            Some("That email and password do not match.")
        );
        let unknown = ops::auth::sign_in(
            &db,
            &throttle,
            attempt("nobody@example.com", "long enough secret"),
            Utc::now(),
        )
        .await;
        assert!(unknown.is_err());

        let (user, secret) = ops::auth::sign_in(
            &db,
            &throttle,
            attempt("Anna@Example.com", "long enough secret"),
            Utc::now(),
        )
        .await
        .unwrap();
        let (_, second) = ops::auth::sign_in(
            &db,
            &throttle,
            attempt("anna@example.com", "long enough secret"),
            Utc::now(),
        )
        .await
        .unwrap();
        assert_ne!(secret, second, "every sign-in gets a new session");
        assert_eq!(
            ops::auth::session_user(&db, &secret, Utc::now())
                .await
                .unwrap(),
            user
        );
        let later = Utc::now() + Duration::days(31);
        assert_eq!(
            ops::auth::session_user(&db, &secret, later).await,
            Err(AppError::Unauthenticated)
        );
        ops::auth::sign_out(&db, &secret).await.unwrap();
        assert_eq!(
            ops::auth::session_user(&db, &secret, Utc::now()).await,
            Err(AppError::Unauthenticated)
        );
    })
    .await;
}

#[tokio::test]
async fn too_many_wrong_passwords_pause_sign_in_for_that_email_only() {
    on_each_engine(|db, _me, _p| async move {
        let throttle = SignInThrottle::default();
        let now = Utc::now();
        for _ in 0..app::domain::throttle::PER_EMAIL.tries {
            let wrong = ops::auth::sign_in(
                &db,
                &throttle,
                attempt("anna@example.com", "guess guess"),
                now,
            );
            assert!(matches!(wrong.await, Err(AppError::Invalid(_))));
        }
        let paused = ops::auth::sign_in(
            &db,
            &throttle,
            attempt("ANNA@example.com", "long enough secret"),
            now,
        )
        .await;
        let Err(AppError::Throttled(message)) = paused else {
            panic!("expected a pause, got {paused:?}");
        };
        assert!(message.contains("Try again in 15 minutes"), "{message}");
        assert_eq!(AppError::Throttled(message).status(), 429);

        let other = ops::auth::sign_in(
            &db,
            &throttle,
            attempt("nobody@example.com", "guess guess"),
            now,
        );
        assert!(
            matches!(other.await, Err(AppError::Invalid(_))),
            "other emails are not paused"
        );

        let later = now + Duration::minutes(app::domain::throttle::WINDOW_MINUTES);
        let after = ops::auth::sign_in(
            &db,
            &throttle,
            attempt("anna@example.com", "long enough secret"),
            later,
        );
        assert!(after.await.is_ok(), "the pause ends");
    })
    .await;
}

#[tokio::test]
async fn an_api_token_identifies_its_user_and_a_made_up_one_does_not() {
    on_each_engine(|db, me, _p| async move {
        let token = ops::auth::create_token(&db, "anna@example.com", "ci", Utc::now())
            .await
            .unwrap();
        assert_eq!(ops::auth::token_user(&db, &token).await.unwrap(), me);
        assert_eq!(
            ops::auth::token_user(&db, "tend_nope").await,
            Err(AppError::Unauthenticated)
        );
        let duplicate = ops::auth::create_user(
            &db,
            "ANNA@example.com",
            "Anna",
            "long enough secret",
            false,
            Utc::now(),
        )
        .await;
        assert!(duplicate.unwrap_err().field("email").is_some());
    })
    .await;
}

#[tokio::test]
async fn the_demo_fills_an_empty_database_once_with_a_believable_year() {
    for test_db in TestDb::all().await {
        let db = test_db.db.clone();
        let now = Utc::now();
        assert!(app::ssr::demo::seed(&db, now).await.unwrap());
        assert!(
            !app::ssr::demo::seed(&db, now).await.unwrap(),
            "a second seed changes nothing"
        );
        let (admin, _) = ops::auth::sign_in(
            &db,
            &SignInThrottle::default(),
            attempt(app::ssr::demo::DEMO_ADMIN, app::ssr::demo::DEMO_PASSWORD),
            now,
        )
        .await
        .unwrap();
        let filter = app::ssr::db::deals::DealFilter {
            limit: 10_000,
            ..Default::default()
        };
        let deals = ops::deals::list(&db, &admin, filter).await.unwrap();
        assert_eq!(deals.len(), app::ssr::demo::DEMO_DEALS);
        let count = |s| deals.iter().filter(|d| d.status == s).count();
        assert!(count(DealStatus::Won) > 10, "some deals are won");
        assert!(count(DealStatus::Lost) > 10, "some deals are lost");
        assert!(count(DealStatus::Open) > 30, "many deals are open");
        assert!(deals.iter().any(|d| d.currency.code() == "EUR"));
        assert!(deals.iter().any(|d| d.currency.code() == "SEK"));
        assert!(deals
            .iter()
            .all(|d| d.created_at > now - Duration::days(app::ssr::demo::HISTORY_DAYS + 1)));
        let lost = deals.iter().find(|d| d.status == DealStatus::Lost).unwrap();
        let history = ops::deals::history(&db, &admin, lost.id).await.unwrap();
        assert_eq!(history.first().unwrap().kind.name(), "created");
        assert!(matches!(
            history.last().unwrap().kind,
            DealEventKind::Lost { .. }
        ));
        assert!(
            history.windows(2).all(|w| w[0].at <= w[1].at),
            "history is in time order"
        );
        assert!(
            deals.iter().all(|d| d.person_id.is_some()),
            "each deal is with someone"
        );
        let found = ops::contacts::duplicates(&db, &admin).await.unwrap();
        assert_eq!(
            (found.people.len(), found.organizations.len()),
            (1, 1),
            "one person and one organization kept twice, for the duplicates page"
        );
        test_db.drop_now().await;
    }
}

#[test]
fn both_engines_have_the_same_migrations() {
    let names = |dir: &str| {
        let mut v: Vec<String> = std::fs::read_dir(format!(
            "{}/../migrations/{dir}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"));
}

#[tokio::test]
async fn admins_keep_the_list_of_lost_reasons() {
    on_each_engine(|db, me, _p| async move {
        let rep = sara(&db).await;
        assert_eq!(
            ops::lost_reasons::add(&db, &rep, "Timing").await,
            Err(AppError::Forbidden)
        );
        ops::lost_reasons::add(&db, &me, "  Procurement stalled ")
            .await
            .unwrap();
        ops::lost_reasons::add(&db, &me, "Price").await.unwrap();
        let dup = ops::lost_reasons::add(&db, &me, "price").await.unwrap_err();
        assert_eq!(
            dup.field("reason").as_deref(),
            Some("Reason is already in the list")
        );
        assert!(ops::lost_reasons::add(&db, &me, " ").await.is_err());
        assert_eq!(
            ops::lost_reasons::list(&db, &rep).await.unwrap(),
            ["Procurement stalled", "Price"]
        );
        ops::lost_reasons::remove(&db, &me, "Procurement stalled")
            .await
            .unwrap();
        assert!(matches!(
            ops::lost_reasons::remove(&db, &me, "Procurement stalled").await,
            Err(AppError::NotFound(_))
        ));
        assert_eq!(ops::lost_reasons::list(&db, &me).await.unwrap(), ["Price"]);
    })
    .await;
}

#[tokio::test]
async fn sqlite_copies_the_wal_into_the_database_file_in_the_background() {
    let id = uuid::Uuid::now_v7().simple().to_string();
    let path = std::env::temp_dir().join(format!("tend-wal-{id}.db"));
    let db = Db::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    // A commit lands in the WAL; the database file holds it once a checkpoint copies it.
    let email = format!("wal-{id}@example.com");
    ops::auth::create_user(
        &db,
        &email,
        "Probe",
        "long enough secret",
        false,
        Utc::now(),
    )
    .await
    .unwrap();
    let in_file = || {
        let bytes = std::fs::read(&path).unwrap_or_default();
        bytes.windows(email.len()).any(|w| w == email.as_bytes())
    };
    let mut waited = 0;
    while !in_file() && waited < 50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    assert!(in_file(), "the commit reached the database file within 5 s");
    db.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[tokio::test]
async fn an_amount_above_ten_to_the_fifteen_is_refused_naming_value_and_nothing_is_saved() {
    on_each_engine(|db, me, p| async move {
        let too_big = draft("Too big", (1 << 62) + 1, "SEK", stage(&p, 0));
        let err = ops::deals::create(&db, &me, too_big, Utc::now())
            .await
            .unwrap_err();
        assert_eq!(err.status(), 422);
        assert!(err.field("value").is_some(), "{err:?}");
        let ok = ops::deals::create(
            &db,
            &me,
            draft("Fine", 500, "SEK", stage(&p, 0)),
            Utc::now(),
        )
        .await
        .unwrap()
        .deal;
        let edit = DealChange::Edit(DealEdit {
            value: Some(app::domain::money::MAX_MINOR + 1),
            ..Default::default()
        });
        let err = ops::deals::change(&db, &me, ok.id, 1, edit, Utc::now())
            .await
            .unwrap_err();
        assert!(err.field("value").is_some());
        assert_eq!(ops::deals::get(&db, &me, ok.id).await.unwrap().value, 500);
    })
    .await;
}

#[tokio::test]
async fn deals_already_stored_at_the_largest_values_do_not_break_the_board() {
    on_each_engine(|db, me, p| async move {
        // As a database from before the bound could hold: written past the domain's check.
        let s = stage(&p, 1);
        let proposal = p.stages.iter().find(|st| st.id == s).unwrap().clone();
        for i in 0..3 {
            let (new, _) = draft(&format!("Huge {i}"), 1, "SEK", s)
                .parse(me.id)
                .unwrap();
            let (mut deal, _) = app::domain::deal::Deal::create(new, &proposal, Utc::now());
            deal.value = i64::MAX;
            let mut tx = db.write().await.unwrap();
            app::ssr::db::deals::insert(&mut tx, &deal).await.unwrap();
            tx.commit().await.unwrap();
        }
        let page = ops::board::board_page(&db, &me, Some(p.id), None, "", Utc::now())
            .await
            .expect("the board still loads");
        let column = page.board.columns.iter().find(|c| c.stage.id == s).unwrap();
        let sek = app::domain::money::Currency::parse("SEK").unwrap();
        assert_eq!(column.deals, 3);
        assert_eq!(column.value.0[&sek], 3 * i64::MAX as i128);
        let percent = i128::from(proposal.probability);
        assert_eq!(
            column.weighted().0[&sek],
            (3 * i64::MAX as i128 * percent + 50) / 100
        );
    })
    .await;
}

#[tokio::test]
async fn text_with_control_characters_or_direction_overrides_is_refused_on_both_engines() {
    on_each_engine(|db, me, p| async move {
        for (field, title, org) in [
            ("title", "a\u{0}b", None),
            ("title", "\u{202E}gpj.exe", None),
            ("organization", "Fine", Some("Acme\u{1b}[2J")),
        ] {
            let mut d = draft(title, 100, "SEK", stage(&p, 0));
            d.organization = org.map(str::to_string);
            let err = ops::deals::create(&db, &me, d, Utc::now())
                .await
                .unwrap_err();
            assert!(err.field(field).is_some(), "{field}: {err:?}");
        }
        let filter = app::ssr::db::deals::DealFilter {
            limit: 10,
            ..Default::default()
        };
        assert!(ops::deals::list(&db, &me, filter).await.unwrap().is_empty());
        let err = ops::board::board_page(&db, &me, None, None, "a\u{0}", Utc::now())
            .await
            .unwrap_err();
        assert!(err.field("q").is_some());
    })
    .await;
}

#[tokio::test]
async fn a_delete_that_lost_a_race_with_an_edit_is_refused_and_logs_nothing() {
    on_each_engine(|db, me, p| async move {
        let deal = ops::deals::create(&db, &me, draft("Contested", 100, "SEK", stage(&p, 0)), Utc::now())
            .await
            .unwrap()
            .deal;
        // An edit holds its transaction open while the delete starts from version 1.
        let mut edit = db.write().await.unwrap();
        let mut edited = deal.clone();
        edited.title = "Edited".into();
        edited.version = 2;
        assert!(app::ssr::db::deals::update(&mut edit, &edited, 1).await.unwrap());
        let delete = tokio::spawn({
            let (db, me) = (db.clone(), me.clone());
            async move {
                ops::deals::change(&db, &me, deal.id, 1, DealChange::Delete, Utc::now()).await
            }
        });
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        edit.commit().await.unwrap();
        let refused = delete.await.unwrap().unwrap_err();
        assert!(matches!(refused, AppError::Conflict(_)), "{refused:?}");
        let still = ops::deals::get(&db, &me, deal.id).await.unwrap();
        assert_eq!((still.title.as_str(), still.version), ("Edited", 2));
        let history = ops::deals::history(&db, &me, deal.id).await.unwrap();
        assert!(!history.iter().any(|e| e.kind == DealEventKind::Deleted));
    })
    .await;
}

#[tokio::test]
async fn parallel_wrong_passwords_for_one_email_are_checked_at_most_five_times() {
    on_each_engine(|db, _me, _p| async move {
        let throttle = SignInThrottle::default();
        let tries: Vec<_> = (0..20)
            .map(|_| {
                let (db, throttle) = (db.clone(), throttle.clone());
                tokio::spawn(async move {
                    ops::auth::sign_in(
                        &db,
                        &throttle,
                        attempt("anna@example.com", "wrong guess!"),
                        Utc::now(),
                    )
                    .await
                })
            })
            .collect();
        let mut checked = 0;
        let mut paused = 0;
        for t in tries {
            match t.await.unwrap() {
                Err(AppError::Invalid(_)) => checked += 1,
                Err(AppError::Throttled(_)) => paused += 1,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!((checked, paused), (5, 15));
    })
    .await;
}

#[tokio::test]
async fn an_over_long_email_is_refused_before_anything_is_remembered() {
    on_each_engine(|db, _me, _p| async move {
        let throttle = SignInThrottle::default();
        let email = format!("{}@example.com", "a".repeat(10_000));
        let err = ops::auth::sign_in(
            &db,
            &throttle,
            attempt(&email, "whatever it is"),
            Utc::now(),
        )
        .await
        .unwrap_err();
        assert!(err.field("email").is_some());
        assert_eq!(throttle.remembered(), (0, 0));
    })
    .await;
}

/// A rep (not an admin): sara@example.com with the password "another long secret".
async fn sara(db: &Db) -> User {
    ops::auth::create_user(
        db,
        "sara@example.com",
        "Sara",
        "another long secret",
        false,
        Utc::now(),
    )
    .await
    .expect("the rep is created")
}

/// Signs `email` in and returns the session's secret.
async fn session_of(db: &Db, email: &str, password: &str) -> String {
    ops::auth::sign_in(
        db,
        &SignInThrottle::default(),
        attempt(email, password),
        Utc::now(),
    )
    .await
    .expect("signed in")
    .1
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_and_their_sessions_and_tokens_stop_at_once() {
    on_each_engine(|db, me, _p| async move {
        let rep = sara(&db).await;
        let session = session_of(&db, "sara@example.com", "another long secret").await;
        let token = ops::auth::create_token(&db, "sara@example.com", "zapier", Utc::now())
            .await
            .unwrap();
        assert_eq!(ops::auth::token_user(&db, &token).await.unwrap(), rep);

        let forbidden =
            ops::auth::disable_user(&db, Operator::User(&rep), "anna@example.com", Utc::now())
                .await;
        assert_eq!(
            forbidden.unwrap_err(),
            AppError::Forbidden,
            "only admins disable"
        );
        let myself =
            ops::auth::disable_user(&db, Operator::User(&me), "anna@example.com", Utc::now()).await;
        assert!(
            matches!(myself, Err(AppError::Refused(_))),
            "nobody locks themselves out"
        );

        let disabled =
            ops::auth::disable_user(&db, Operator::User(&me), "Sara@example.com", Utc::now())
                .await
                .unwrap();
        assert!(disabled.disabled_at.is_some());
        assert_eq!(
            ops::auth::session_user(&db, &session, Utc::now()).await,
            Err(AppError::Unauthenticated)
        );
        assert_eq!(
            ops::auth::token_user(&db, &token).await,
            Err(AppError::Unauthenticated)
        );
        let again = ops::auth::sign_in(
            &db,
            &SignInThrottle::default(),
            attempt("sara@example.com", "another long secret"),
            Utc::now(),
        )
        .await;
        assert!(matches!(again, Err(AppError::Refused(_))), "{again:?}");
        let guess = ops::auth::sign_in(
            &db,
            &SignInThrottle::default(),
            attempt("sara@example.com", "a wrong guess"),
            Utc::now(),
        )
        .await;
        assert!(
            guess.unwrap_err().field("password").is_some(),
            "a guesser learns nothing"
        );

        ops::auth::enable_user(&db, Operator::Console, "sara@example.com")
            .await
            .unwrap();
        session_of(&db, "sara@example.com", "another long secret").await;
        assert_eq!(
            ops::auth::token_user(&db, &token).await,
            Err(AppError::Unauthenticated),
            "revoked tokens stay revoked"
        );
        let tokens = ops::auth::list_tokens(&db, Operator::Console, Some("sara@example.com"))
            .await
            .unwrap();
        assert_eq!(tokens.len(), 1);
        assert!(tokens[0].revoked_at.is_some());
    })
    .await;
}

#[tokio::test]
async fn a_revoked_token_is_refused_at_once_and_listing_never_shows_secrets() {
    on_each_engine(|db, _me, _p| async move {
        let token = ops::auth::create_token(&db, "anna@example.com", "ci", Utc::now())
            .await
            .unwrap();
        let other = ops::auth::create_token(&db, "anna@example.com", "zapier", Utc::now())
            .await
            .unwrap();
        let listed = ops::auth::list_tokens(&db, Operator::Console, None)
            .await
            .unwrap();
        assert_eq!(listed.len(), 2);
        let ci = listed.iter().find(|t| t.name == "ci").unwrap();
        ops::auth::revoke_token(&db, Operator::Console, ci.id, Utc::now())
            .await
            .unwrap();
        assert_eq!(
            ops::auth::token_user(&db, &token).await,
            Err(AppError::Unauthenticated)
        );
        assert!(
            ops::auth::token_user(&db, &other).await.is_ok(),
            "only that token"
        );
        let twice = ops::auth::revoke_token(&db, Operator::Console, ci.id, Utc::now()).await;
        assert!(matches!(twice, Err(AppError::NotFound(_))));
        let bad_name = ops::auth::create_token(&db, "anna@example.com", "a\u{0}", Utc::now()).await;
        assert!(bad_name.unwrap_err().field("name").is_some());
    })
    .await;
}

#[tokio::test]
async fn a_new_password_ends_every_session_and_the_old_one_stops_working() {
    on_each_engine(|db, _me, _p| async move {
        let phone = session_of(&db, "anna@example.com", "long enough secret").await;
        let laptop = session_of(&db, "anna@example.com", "long enough secret").await;
        ops::auth::set_password(
            &db,
            Operator::Console,
            "anna@example.com",
            "a brand new secret",
        )
        .await
        .unwrap();
        for s in [&phone, &laptop] {
            assert_eq!(
                ops::auth::session_user(&db, s, Utc::now()).await,
                Err(AppError::Unauthenticated)
            );
        }
        let old = ops::auth::sign_in(
            &db,
            &SignInThrottle::default(),
            attempt("anna@example.com", "long enough secret"),
            Utc::now(),
        )
        .await;
        assert!(old.is_err());
        session_of(&db, "anna@example.com", "a brand new secret").await;
        let short =
            ops::auth::set_password(&db, Operator::Console, "anna@example.com", "short").await;
        assert!(short.unwrap_err().field("password").is_some());
    })
    .await;
}

#[tokio::test]
async fn a_session_unused_for_a_week_ends_and_one_in_use_stays() {
    on_each_engine(|db, _me, _p| async move {
        let idle = session_of(&db, "anna@example.com", "long enough secret").await;
        let busy = session_of(&db, "anna@example.com", "long enough secret").await;
        let now = Utc::now();
        // The busy one is used every few days; the idle one never again.
        for day in [3, 6, 9] {
            ops::auth::session_user(&db, &busy, now + Duration::days(day))
                .await
                .unwrap();
        }
        assert_eq!(
            ops::auth::session_user(&db, &idle, now + Duration::days(8)).await,
            Err(AppError::Unauthenticated)
        );
        assert!(
            ops::auth::session_user(&db, &busy, now + Duration::days(12))
                .await
                .is_ok()
        );
        assert_eq!(
            ops::auth::session_user(&db, &busy, now + Duration::days(31)).await,
            Err(AppError::Unauthenticated),
            "and every session ends after 30 days"
        );
    })
    .await;
}

#[tokio::test]
async fn signing_in_again_replaces_the_browsers_old_session() {
    on_each_engine(|db, _me, _p| async move {
        let old = session_of(&db, "anna@example.com", "long enough secret").await;
        let mut again = attempt("anna@example.com", "long enough secret");
        again.previous = Some(&old);
        let (_, new) = ops::auth::sign_in(&db, &SignInThrottle::default(), again, Utc::now())
            .await
            .unwrap();
        assert!(ops::auth::session_user(&db, &new, Utc::now()).await.is_ok());
        assert_eq!(
            ops::auth::session_user(&db, &old, Utc::now()).await,
            Err(AppError::Unauthenticated)
        );
    })
    .await;
}

#[tokio::test]
async fn a_change_says_what_it_did_as_the_deal_before_and_after_at_its_place_in_the_log() {
    use app::domain::live::{DealChanged, LiveEvent};
    on_each_engine(|db, me, p| async move {
        let created = ops::deals::create(
            &db,
            &me,
            draft("Live", 700, "SEK", stage(&p, 0)),
            Utc::now(),
        )
        .await
        .unwrap();
        let Some(LiveEvent::Deal(DealChanged {
            log_id,
            before: None,
            after: Some(card),
            ..
        })) = created.event
        else {
            panic!("a new deal: {:?}", created.event);
        };
        assert_eq!(
            (card.stage_id, card.value, card.version),
            (stage(&p, 0), 700, 1)
        );
        assert_eq!(card.owner_name, "Anna Berg");
        let history = ops::deals::history(&db, &me, card.id).await.unwrap();
        assert_eq!(log_id, history[0].id);
        let page = ops::board::board_page(&db, &me, Some(p.id), None, "", Utc::now())
            .await
            .unwrap();
        assert_eq!(
            page.board.position, log_id,
            "the board knows where in the log it stands"
        );

        let moved = ops::deals::change(
            &db,
            &me,
            card.id,
            1,
            DealChange::Move(stage(&p, 2)),
            Utc::now(),
        )
        .await
        .unwrap();
        let Some(LiveEvent::Deal(change)) = moved.event else {
            panic!("a move");
        };
        assert_eq!(change.before.as_ref().unwrap().stage_id, stage(&p, 0));
        assert_eq!(change.after.as_ref().unwrap().stage_id, stage(&p, 2));
        assert_eq!(change.after.as_ref().unwrap().version, 2);
        assert!(change.log_id > log_id);

        let same = ops::deals::change(
            &db,
            &me,
            card.id,
            2,
            DealChange::Move(stage(&p, 2)),
            Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(same.event, None, "nothing changed, nothing to tell");

        let deleted = ops::deals::change(&db, &me, card.id, 2, DealChange::Delete, Utc::now())
            .await
            .unwrap();
        let Some(LiveEvent::Deal(gone)) = deleted.event else {
            panic!("a deletion");
        };
        assert_eq!(gone.after, None);
        assert_eq!(gone.before.unwrap().version, 2);
    })
    .await;
}

#[tokio::test]
async fn the_leaderboard_ranks_reps_by_this_months_wins_and_counts_deals_moved_forward_this_week() {
    on_each_engine(|db, me, p| async move {
        let rep = sara(&db).await;
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-28T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let last_week = now - Duration::days(8);
        let last_month = now - Duration::days(40);
        let make = |who: User, title: &'static str, value: i64, currency: &'static str, at| {
            let (db, p) = (db.clone(), p.clone());
            async move {
                ops::deals::create(&db, &who, draft(title, value, currency, stage(&p, 0)), at)
                    .await
                    .unwrap()
                    .deal
            }
        };
        let change = |who: User, id: DealId, version: i64, what: DealChange, at| {
            let db = db.clone();
            async move {
                ops::deals::change(&db, &who, id, version, what, at)
                    .await
                    .unwrap()
            }
        };

        // Mine: moved forward twice this week (counted once), back once; another moved
        // forward only last week.
        let a = make(me.clone(), "Forward", 100, "SEK", last_month).await;
        change(me.clone(), a.id, 1, DealChange::Move(stage(&p, 2)), now).await;
        change(me.clone(), a.id, 2, DealChange::Move(stage(&p, 1)), now).await;
        change(me.clone(), a.id, 3, DealChange::Move(stage(&p, 3)), now).await;
        let b = make(me.clone(), "Stale", 100, "SEK", last_month).await;
        change(
            me.clone(),
            b.id,
            1,
            DealChange::Move(stage(&p, 1)),
            last_week,
        )
        .await;
        // Won last month: not this month's.
        let old = make(me.clone(), "Old win", 9_000_000, "SEK", last_month).await;
        change(me.clone(), old.id, 1, DealChange::Win, last_month).await;
        // Sara's: two wins this month, in two currencies.
        let c = make(rep.clone(), "Big", 50_000, "SEK", now).await;
        change(rep.clone(), c.id, 1, DealChange::Win, now).await;
        let d = make(rep.clone(), "Euro", 7_000, "EUR", now).await;
        change(rep.clone(), d.id, 1, DealChange::Win, now).await;

        let mut tx = db.read().await.unwrap();
        let board = ops::displays::leaders(&mut tx, p.id, now).await.unwrap();
        let rows: Vec<_> = board
            .iter()
            .map(|l| {
                let won: Vec<_> = l
                    .won
                    .0
                    .iter()
                    .map(|(c, m)| (c.code().to_string(), *m))
                    .collect();
                (l.name.as_str(), won, l.won_deals, l.moved_forward)
            })
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "Sara",
                    vec![("EUR".into(), 7_000), ("SEK".into(), 50_000)],
                    2,
                    0
                ),
                (me.name.as_str(), vec![], 0, 1),
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn since_last_meeting_groups_a_scripted_fortnight_by_what_each_deal_did() {
    on_each_engine(|db, me, p| async move {
        let day = |d: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, 11, d)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap()
                .and_utc()
        };
        let now = day(28);
        let make = |title: &'static str, value: i64, at| {
            let (db, me, p) = (db.clone(), me.clone(), p.clone());
            async move {
                ops::deals::create(&db, &me, draft(title, value, "SEK", stage(&p, 0)), at)
                    .await
                    .unwrap()
                    .deal
                    .id
            }
        };
        let change = |id: DealId, version: i64, what: DealChange, at| {
            let (db, me) = (db.clone(), me.clone());
            async move {
                ops::deals::change(&db, &me, id, version, what, at)
                    .await
                    .unwrap()
            }
        };
        let forward = make("Forward", 100, day(10)).await;
        change(forward, 1, DealChange::Move(stage(&p, 2)), day(22)).await;
        make("Added", 200, day(23)).await;
        let won = make("Won", 300, day(1)).await;
        change(won, 1, DealChange::Win, day(24)).await;
        let edited = make("Edited", 400, day(1)).await;
        let edit = DealEdit {
            value: Some(450),
            ..Default::default()
        };
        change(edited, 1, DealChange::Edit(edit), day(25)).await;
        let back = make("Back", 500, day(1)).await;
        change(back, 1, DealChange::Move(stage(&p, 2)), day(5)).await;
        change(back, 2, DealChange::Move(stage(&p, 1)), day(26)).await;
        let quiet = make("Quiet", 600, day(1)).await;
        change(quiet, 1, DealChange::Move(stage(&p, 3)), day(15)).await;

        let c = ops::history::since(&db, &me, Some(p.id), Some("2026-11-21"), now)
            .await
            .unwrap();
        let titles = |g: &[app::domain::history::ChangedDeal]| {
            g.iter().map(|d| d.title.clone()).collect::<Vec<_>>()
        };
        assert_eq!(titles(&c.added), ["Added"]);
        assert_eq!(titles(&c.moved_forward), ["Forward"]);
        assert_eq!(c.moved_forward[0].from_stage_id, Some(stage(&p, 0)));
        assert_eq!(c.moved_forward[0].to_stage_id, Some(stage(&p, 2)));
        assert_eq!(titles(&c.moved_back), ["Back"]);
        assert_eq!(titles(&c.won), ["Won"]);
        assert!(c.lost.is_empty());
        assert_eq!(titles(&c.changed), ["Edited"]);
        assert_eq!(c.changed[0].value, 450, "the deal as it is now");
        assert_eq!(c.changed[0].at, day(25));

        let refused = ops::history::since(&db, &me, Some(p.id), Some("2026-12-01"), now).await;
        assert!(
            refused.unwrap_err().field("since").is_some(),
            "a day in the future is refused naming the field"
        );
    })
    .await;
}

#[tokio::test]
async fn the_board_as_of_a_past_day_is_rebuilt_from_a_scripted_history() {
    on_each_engine(|db, me, p| async move {
        let day = |d: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, 11, d)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap()
                .and_utc()
        };
        let now = day(28);
        let make = |title: &'static str, value: i64, currency: &'static str, at| {
            let (db, me, p) = (db.clone(), me.clone(), p.clone());
            async move {
                ops::deals::create(&db, &me, draft(title, value, currency, stage(&p, 0)), at)
                    .await
                    .unwrap()
                    .deal
                    .id
            }
        };
        let change = |id: DealId, version: i64, what: DealChange, at| {
            let (db, me) = (db.clone(), me.clone());
            async move {
                ops::deals::change(&db, &me, id, version, what, at)
                    .await
                    .unwrap()
            }
        };
        let steady = make("Steady", 1_000, "SEK", day(1)).await;
        let gone = make("Gone", 200, "SEK", day(2)).await;
        let deleted = make("Deleted", 400, "SEK", day(3)).await;
        change(steady, 1, DealChange::Move(stage(&p, 2)), day(10)).await;
        change(gone, 1, DealChange::Lose("Price".into()), day(12)).await;
        let late = make("Late", 300, "EUR", day(15)).await;
        change(deleted, 1, DealChange::Delete, day(18)).await;
        let edit = DealEdit {
            value: Some(1_500),
            ..Default::default()
        };
        change(steady, 2, DealChange::Edit(edit), day(20)).await;

        let board = |as_of: &'static str| {
            let (db, me, p) = (db.clone(), me.clone(), p.clone());
            async move {
                let then = ops::history::board_as_of(&db, &me, Some(p.id), Some(as_of), now)
                    .await
                    .unwrap();
                then.stages
                    .iter()
                    .map(|s| {
                        let money = |m: &std::collections::BTreeMap<_, i64>| {
                            m.iter()
                                .map(|(c, v): (&app::domain::money::Currency, &i64)| {
                                    format!("{v} {}", c.code())
                                })
                                .collect::<Vec<_>>()
                                .join(" + ")
                        };
                        format!(
                            "{}: {} · {} · {}",
                            s.count,
                            money(&s.value_by_currency),
                            money(&s.weighted_by_currency),
                            s.deal_ids.len()
                        )
                    })
                    .collect::<Vec<_>>()
            }
        };
        let empty = "0:  ·  · 0".to_string();
        assert_eq!(
            board("2026-11-05").await,
            ["3: 1600 SEK · 160 SEK · 3", &empty, &empty, &empty]
        );
        assert_eq!(
            board("2026-11-11").await,
            [
                "2: 600 SEK · 60 SEK · 2",
                &empty,
                "1: 1000 SEK · 500 SEK · 1",
                &empty
            ]
        );
        assert_eq!(
            board("2026-11-16").await,
            [
                "2: 300 EUR + 400 SEK · 30 EUR + 40 SEK · 2",
                &empty,
                "1: 1000 SEK · 500 SEK · 1",
                &empty
            ]
        );
        assert_eq!(
            board("2026-11-25").await,
            [
                "1: 300 EUR · 30 EUR · 1",
                &empty,
                "1: 1500 SEK · 750 SEK · 1",
                &empty
            ]
        );
        let page = ops::history::as_of_page(&db, &me, Some(p.id), Some("2026-11-11"), now)
            .await
            .unwrap();
        let cards: Vec<Vec<String>> = page
            .cards
            .iter()
            .map(|c| {
                c.iter()
                    .map(|d| format!("{} {}", d.title, d.value))
                    .collect()
            })
            .collect();
        assert_eq!(
            cards,
            [
                vec!["Deleted 400", "Gone 200"],
                vec![],
                vec!["Steady 1000"],
                vec![]
            ],
            "each card as it was then, the largest first"
        );
        let today = ops::history::board_as_of(&db, &me, Some(p.id), None, now)
            .await
            .unwrap();
        assert_eq!(today.as_of, now.date_naive());
        assert_eq!(today.stages[0].deal_ids, [late]);

        let refused =
            ops::history::board_as_of(&db, &me, Some(p.id), Some("2026-11-29"), now).await;
        assert!(refused.unwrap_err().field("as_of").is_some());
    })
    .await;
}

#[tokio::test]
async fn the_forecast_counts_this_months_wins_and_weighs_what_is_expected_to_close() {
    on_each_engine(|db, me, p| async move {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 20)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
            .and_utc();
        let mut open = draft("Proposal out", 1_000, "SEK", stage(&p, 2));
        open.expected_close_date = chrono::NaiveDate::from_ymd_opt(2026, 11, 30);
        ops::deals::create(&db, &me, open, now - Duration::days(3))
            .await
            .unwrap();
        let mut later = draft("Next month", 2_000, "SEK", stage(&p, 3));
        later.expected_close_date = chrono::NaiveDate::from_ymd_opt(2026, 12, 15);
        ops::deals::create(&db, &me, later, now - Duration::days(3))
            .await
            .unwrap();
        let won = ops::deals::create(
            &db,
            &me,
            draft("Signed", 5_000, "SEK", stage(&p, 3)),
            now - Duration::days(9),
        )
        .await
        .unwrap()
        .deal;
        ops::deals::change(
            &db,
            &me,
            won.id,
            1,
            DealChange::Win,
            now - Duration::days(1),
        )
        .await
        .unwrap();

        let rows = ops::forecast::forecast(&db, &me, Some(p.id), Some("month"), None, now)
            .await
            .unwrap();
        let periods: Vec<_> = rows.iter().map(|r| r.period.as_str()).collect();
        assert_eq!(periods, ["2026-11", "2026-12", "2027-01"]);
        let november = &rows[0];
        assert_eq!((november.won, november.weighted), (5_000, 5_000 + 500));
        assert_eq!(
            november.method,
            app::domain::forecast::Method::StageProbability,
            "one finished deal is too little history"
        );
        assert_eq!(november.history_deals, 1);
        assert_eq!((november.p10, november.p90), (5_000, 6_000));
        assert_eq!(rows[1].weighted, 1_600);

        let quarters = ops::forecast::forecast(&db, &me, Some(p.id), Some("quarter"), None, now)
            .await
            .unwrap();
        assert_eq!(quarters[0].period, "2026-Q4");
        assert_eq!(quarters[0].weighted, 5_000 + 500 + 1_600);

        let stranger = ops::forecast::forecast(
            &db,
            &me,
            Some(p.id),
            None,
            Some(app::domain::ids::UserId::new()),
            now,
        )
        .await;
        assert!(matches!(stranger, Err(AppError::NotFound(_))));
        let bad = ops::forecast::forecast(&db, &me, Some(p.id), Some("week"), None, now).await;
        assert!(bad.unwrap_err().field("period").is_some());
    })
    .await;
}

#[tokio::test]
async fn the_forecast_and_funnel_read_again_after_each_change_follow_it() {
    on_each_engine(|db, me, p| async move {
        let day = |d: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, 11, d)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap()
                .and_utc()
        };
        let now = day(20);
        let read = || {
            let (db, me, p) = (db.clone(), me.clone(), p.clone());
            async move {
                let rows = ops::forecast::forecast(&db, &me, Some(p.id), None, None, now)
                    .await
                    .unwrap();
                let asked = ops::stats::Asked {
                    pipeline: Some(p.id),
                    from: Some("2026-11-01"),
                    to: Some("2026-11-20"),
                    ..Default::default()
                };
                let funnel = ops::stats::funnel(&db, &me, &asked, now).await.unwrap();
                let november = rows.iter().find(|r| r.period == "2026-11");
                (
                    november.map_or((0, 0), |r| (r.won, r.weighted)),
                    (funnel.deals, funnel.won, funnel.lost),
                )
            }
        };
        let closing = |title: &str, value: i64, at| {
            let mut d = draft(title, value, "SEK", stage(&p, 2));
            d.expected_close_date = chrono::NaiveDate::from_ymd_opt(2026, 11, 30);
            let (db, me) = (db.clone(), me.clone());
            async move { ops::deals::create(&db, &me, d, at).await.unwrap().deal }
        };
        let first = closing("First", 1_000, day(2)).await;
        assert_eq!(read().await, ((0, 500), (1, 0, 0)));

        let second = closing("Second", 3_000, day(3)).await;
        assert_eq!(read().await, ((0, 2_000), (2, 0, 0)), "a new deal counts");

        ops::deals::change(&db, &me, first.id, 1, DealChange::Win, day(4))
            .await
            .unwrap();
        assert_eq!(
            read().await,
            ((1_000, 2_500), (2, 1, 0)),
            "a win counts as won"
        );

        let edit = DealEdit {
            value: Some(5_000),
            ..Default::default()
        };
        ops::deals::change(&db, &me, second.id, 1, DealChange::Edit(edit), day(5))
            .await
            .unwrap();
        assert_eq!(
            read().await,
            ((1_000, 3_500), (2, 1, 0)),
            "a new value counts"
        );

        ops::deals::change(
            &db,
            &me,
            second.id,
            2,
            DealChange::Lose("Price".into()),
            day(6),
        )
        .await
        .unwrap();
        assert_eq!(
            read().await,
            ((1_000, 1_000), (2, 1, 1)),
            "a lost deal leaves"
        );

        ops::deals::change(&db, &me, first.id, 2, DealChange::Delete, day(7))
            .await
            .unwrap();
        assert_eq!(read().await, ((0, 0), (1, 0, 1)), "a deleted deal is gone");
    })
    .await;
}

#[tokio::test]
async fn what_if_starts_from_the_widgets_figures_and_imagining_saves_nothing() {
    on_each_engine(|db, me, p| async move {
        let at = |d: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, 11, d)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap()
                .and_utc()
        };
        let now = at(20);
        // History enough for the empirical method: 30 finished deals, one in three won.
        for i in 0..30u32 {
            let made = ops::deals::create(
                &db,
                &me,
                draft(&format!("Past {i}"), 1_000, "SEK", stage(&p, 2)),
                at(1),
            )
            .await
            .unwrap()
            .deal;
            let end = if i % 3 == 0 {
                DealChange::Win
            } else {
                DealChange::Lose("Price".into())
            };
            ops::deals::change(&db, &me, made.id, 1, end, at(2 + i % 10))
                .await
                .unwrap();
        }
        let mut d = draft("Open", 4_000, "SEK", stage(&p, 1));
        d.expected_close_date = chrono::NaiveDate::from_ymd_opt(2026, 11, 30);
        let open = ops::deals::create(&db, &me, d, at(15)).await.unwrap().deal;

        let widgets = ops::forecast::widgets(&db, &me, p.id, None, now)
            .await
            .unwrap();
        let model = ops::forecast::what_if(&db, &me, p.id, None, now)
            .await
            .unwrap();
        assert_eq!(model.standing.history_deals, 30);
        let mut what_if = app::domain::what_if::WhatIf::new(model);
        assert_eq!(
            what_if.periods(),
            widgets,
            "nothing imagined: the widgets' figures"
        );

        what_if.imagine(app::domain::what_if::Imagined::Win(open.id));
        let sek = app::domain::money::Currency::parse("SEK").unwrap();
        let won = |periods: &[app::domain::display::Period]| periods[0].won.0.get(&sek).copied();
        assert_eq!(won(&what_if.periods()), Some(10_000 + 4_000));
        let after = ops::forecast::widgets(&db, &me, p.id, None, now)
            .await
            .unwrap();
        assert_eq!(after, widgets, "what was imagined was not saved");
        assert_eq!(won(&after), Some(10_000));
    })
    .await;
}

#[tokio::test]
async fn an_admin_sets_replaces_and_clears_goals_that_the_forecast_and_widgets_show() {
    on_each_engine(|db, me, p| async move {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 20)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
            .and_utc();
        let goal = |owner, period: &str, amount: &str| app::domain::goal::GoalDraft {
            owner_id: owner,
            period: period.into(),
            currency: "SEK".into(),
            amount: amount.into(),
        };
        let rep = sara(&db).await;
        let refused =
            ops::forecast::set_goal(&db, &rep, p.id, &goal(None, "2026-11", "1000"), now).await;
        assert!(matches!(refused, Err(AppError::Forbidden)));

        ops::forecast::set_goal(&db, &me, p.id, &goal(None, "2026-11", "1000"), now)
            .await
            .unwrap();
        ops::forecast::set_goal(&db, &me, p.id, &goal(None, "2026-11", "2500"), now)
            .await
            .unwrap();
        ops::forecast::set_goal(&db, &me, p.id, &goal(Some(rep.id), "2026-11", "700"), now)
            .await
            .unwrap();
        ops::forecast::set_goal(&db, &me, p.id, &goal(None, "2026-Q4", "9000"), now)
            .await
            .unwrap();
        let all = ops::forecast::goals(&db, &me, p.id, now).await.unwrap();
        assert_eq!(
            all.len(),
            3,
            "the second team goal for November replaced the first"
        );

        let rows = ops::forecast::forecast(&db, &me, Some(p.id), None, None, now)
            .await
            .unwrap_or_default();
        // No deals yet, so no currency to forecast in: the goal rides on the widgets.
        assert!(rows.is_empty());
        let widgets = ops::forecast::widgets(&db, &me, p.id, None, now)
            .await
            .unwrap();
        let sek = app::domain::money::Currency::parse("SEK").unwrap();
        assert_eq!(widgets[0].goal.0.get(&sek), None);

        ops::deals::create(&db, &me, draft("Deal", 100_000, "SEK", stage(&p, 0)), now)
            .await
            .unwrap();
        let widgets = ops::forecast::widgets(&db, &me, p.id, None, now)
            .await
            .unwrap();
        assert_eq!(widgets[0].goal.0.get(&sek), Some(&250_000));
        assert_eq!(widgets[1].goal.0.get(&sek), Some(&900_000));
        let sara_s = ops::forecast::widgets(&db, &me, p.id, Some(rep.id), now)
            .await
            .unwrap();
        assert!(
            sara_s[0].goal.is_empty(),
            "Sara has no SEK deals to forecast yet"
        );
        let rows = ops::forecast::forecast(&db, &me, Some(p.id), None, None, now)
            .await
            .unwrap();
        assert_eq!(rows[0].goal, Some(250_000));
        assert_eq!(rows[1].goal, None);

        ops::forecast::clear_goal(&db, &me, p.id, &goal(None, "2026-11", ""), now)
            .await
            .unwrap();
        let rows = ops::forecast::forecast(&db, &me, Some(p.id), None, None, now)
            .await
            .unwrap();
        assert_eq!(rows[0].goal, None);
        let bad =
            ops::forecast::set_goal(&db, &me, p.id, &goal(None, "2026-11", "lots"), now).await;
        assert!(bad.unwrap_err().field("amount").is_some());
    })
    .await;
}

#[tokio::test]
async fn the_funnel_and_summary_read_a_scripted_month_on_both_engines() {
    on_each_engine(|db, me, p| async move {
        let at = |month: u32, d: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, month, d)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap()
                .and_utc()
        };
        let now = at(11, 28);
        let make = |title: &'static str,
                    value: i64,
                    currency: &'static str,
                    source: &'static str,
                    first: usize,
                    when| {
            let (db, me, p) = (db.clone(), me.clone(), p.clone());
            async move {
                let d = DealDraft {
                    lead_source: Some(source.into()),
                    ..draft(title, value, currency, stage(&p, first))
                };
                ops::deals::create(&db, &me, d, when).await.unwrap().deal.id
            }
        };
        let change = |id: DealId, version: i64, what: DealChange, when| {
            let (db, me) = (db.clone(), me.clone());
            async move {
                ops::deals::change(&db, &me, id, version, what, when)
                    .await
                    .unwrap();
            }
        };
        let old = make("Old", 700, "SEK", "Referral", 0, at(10, 20)).await;
        let slow = make("Won slow", 300, "EUR", "Cold call", 0, at(11, 1)).await;
        let fast = make("Won fast", 1_000, "SEK", "Referral", 0, at(11, 2)).await;
        let early = make("Lost early", 500, "SEK", "Cold call", 0, at(11, 3)).await;
        change(fast, 1, DealChange::Move(stage(&p, 1)), at(11, 4)).await;
        change(early, 1, DealChange::Lose("Price".into()), at(11, 5)).await;
        make("Still open", 200, "SEK", "Referral", 1, at(11, 6)).await;
        change(old, 1, DealChange::Lose("Timing".into()), at(11, 7)).await;
        change(fast, 2, DealChange::Win, at(11, 9)).await;
        change(slow, 1, DealChange::Move(stage(&p, 2)), at(11, 10)).await;
        change(slow, 2, DealChange::Win, at(11, 20)).await;

        let asked = ops::stats::Asked {
            pipeline: Some(p.id),
            from: Some("2026-11-01"),
            to: Some("2026-11-28"),
            ..Default::default()
        };
        let funnel = ops::stats::funnel(&db, &me, &asked, now).await.unwrap();
        assert_eq!(
            (funnel.deals, funnel.won, funnel.lost, funnel.open),
            (4, 2, 1, 1)
        );
        let rows: Vec<_> = funnel
            .stages
            .iter()
            .map(|s| (s.reached, s.moved_on, s.lost, s.open, s.conversion_pct))
            .collect();
        assert_eq!(
            rows,
            [
                (4, 3, 1, 0, Some(75.0)),
                (3, 2, 0, 1, Some(66.7)),
                (2, 2, 0, 0, Some(100.0)),
                (2, 2, 0, 0, Some(100.0)),
            ]
        );

        let sum = ops::stats::summary(&db, &me, &asked, now).await.unwrap();
        assert_eq!((sum.won, sum.lost, sum.win_rate_pct), (2, 2, Some(50.0)));
        let cycle = sum.cycle.clone().unwrap();
        assert_eq!((cycle.median, cycle.p80, cycle.mean), (7, 19, 13.0));
        let reasons: Vec<_> = sum
            .lost_reasons
            .iter()
            .map(|r| (r.reason.as_str(), r.deals))
            .collect();
        assert_eq!(reasons, [("Price", 1), ("Timing", 1)]);
        let money: Vec<_> = sum
            .currencies
            .iter()
            .map(|c| {
                (
                    c.currency.code().to_string(),
                    c.won_value,
                    c.open_deals,
                    c.velocity_per_day,
                )
            })
            .collect();
        // SEK: 1 open × 50 % × 1,000 ÷ 13 days = 38.5 a day.
        assert_eq!(
            money,
            [
                ("EUR".into(), 300, 0, Some(0)),
                ("SEK".into(), 1_000, 1, Some(38))
            ]
        );
        let weekly: Vec<String> = sum
            .value_over_time
            .iter()
            .map(|v| {
                format!(
                    "{} {} {}×{}",
                    v.day,
                    v.currency.code(),
                    v.open_deals,
                    v.open_value
                )
            })
            .collect();
        assert_eq!(
            weekly,
            [
                "2026-11-01 EUR 1×300",
                "2026-11-01 SEK 1×700",
                "2026-11-08 EUR 1×300",
                "2026-11-08 SEK 2×1200",
                "2026-11-15 EUR 1×300",
                "2026-11-15 SEK 1×200",
                "2026-11-22 SEK 1×200",
                "2026-11-28 SEK 1×200",
            ]
        );

        let cold = ops::stats::Asked {
            lead_source: Some("Cold call"),
            ..asked.clone()
        };
        let funnel = ops::stats::funnel(&db, &me, &cold, now).await.unwrap();
        assert_eq!((funnel.deals, funnel.won, funnel.lost), (2, 1, 1));

        let future = ops::stats::Asked {
            to: Some("2026-11-29"),
            ..asked.clone()
        };
        let refused = ops::stats::summary(&db, &me, &future, now)
            .await
            .unwrap_err();
        assert!(refused.field("to").is_some());
        let stranger = ops::stats::Asked {
            owner: Some(app::domain::ids::UserId::new()),
            ..asked
        };
        let refused = ops::stats::funnel(&db, &me, &stranger, now)
            .await
            .unwrap_err();
        assert!(matches!(refused, AppError::NotFound(_)));
    })
    .await;
}

#[tokio::test]
async fn a_reps_forecast_category_moves_a_deal_between_the_forecasts_columns() {
    on_each_engine(|db, me, p| async move {
        let now = Utc::now();
        let d = DealDraft {
            expected_close_date: Some(now.date_naive()),
            ..draft("Category deal", 40_000, "NOK", stage(&p, 0))
        };
        let deal = ops::deals::create(&db, &me, d, now).await.unwrap().deal;
        let columns = || {
            let (db, me) = (db.clone(), me.clone());
            async move {
                let rows = ops::forecast::forecast(&db, &me, Some(p.id), None, None, Utc::now())
                    .await
                    .unwrap();
                let row = rows.iter().find(|r| r.currency.code() == "NOK").unwrap();
                (row.commit, row.best_case, row.pipeline)
            }
        };
        assert_eq!(columns().await, (0, 0, 40_000), "10 % is pipeline");
        let commit = DealEdit {
            forecast_category: Some(Some("commit".into())),
            ..Default::default()
        };
        let saved = ops::deals::change(&db, &me, deal.id, 1, DealChange::Edit(commit), now)
            .await
            .unwrap();
        assert_eq!(
            saved.deal.forecast_category,
            Some(app::domain::deal::ForecastCategory::Commit)
        );
        assert_eq!(columns().await, (40_000, 0, 0), "the rep commits to it");
        let read = ops::deals::get(&db, &me, deal.id).await.unwrap();
        assert_eq!(read.forecast_category, saved.deal.forecast_category, "kept");
    })
    .await;
}

#[tokio::test]
async fn since_last_meeting_looks_back_to_the_teams_meeting_day_on_the_page_and_the_screen() {
    on_each_engine(|db, me, p| async move {
        // Saturday 28 November 2026; the team meets on Mondays.
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 28)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
            .and_utc();
        let page = ops::history::page(&db, &me, Some(p.id), None, now)
            .await
            .unwrap();
        assert_eq!(
            page.since.to_string(),
            "2026-11-21",
            "a week back when no day is set"
        );

        let rep = sara(&db).await;
        let refused = ops::pipelines::set_meeting_weekday(&db, &rep, p.id, Some(0)).await;
        assert!(matches!(refused, Err(AppError::Forbidden)));
        let bad = ops::pipelines::set_meeting_weekday(&db, &me, p.id, Some(7)).await;
        assert!(bad.unwrap_err().field("meeting_weekday").is_some());
        ops::pipelines::set_meeting_weekday(&db, &me, p.id, Some(0))
            .await
            .unwrap();

        let monday = now - Duration::days(5) + Duration::hours(2);
        ops::deals::create(
            &db,
            &me,
            draft("Since Monday", 900, "SEK", stage(&p, 0)),
            monday,
        )
        .await
        .unwrap();
        ops::deals::create(
            &db,
            &me,
            draft("Before", 100, "SEK", stage(&p, 0)),
            monday - Duration::days(1),
        )
        .await
        .unwrap();
        let page = ops::history::page(&db, &me, Some(p.id), None, now)
            .await
            .unwrap();
        assert_eq!(
            (page.since.to_string(), page.meeting_weekday),
            ("2026-11-23".into(), Some(0))
        );
        let added: Vec<_> = page
            .changes
            .added
            .iter()
            .map(|d| d.title.as_str())
            .collect();
        assert_eq!(added, ["Since Monday"]);

        let mut tx = db.read().await.unwrap();
        let figures = ops::displays::figures(&mut tx, p.id, now).await.unwrap();
        assert_eq!(figures.since.since.to_string(), "2026-11-23");
        let (title, count, total) = &figures.since.groups[0];
        assert_eq!((title.as_str(), *count), ("Added", 1));
        assert_eq!(total.0.values().copied().collect::<Vec<_>>(), [900]);
    })
    .await;
}

#[tokio::test]
async fn the_forecast_written_down_before_a_month_began_is_its_track_record_once_it_has_ended() {
    on_each_engine(|db, me, p| async move {
        let at = |m: u32, d: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, m, d)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap()
                .and_utc()
        };
        let mut proposal = draft("Proposal out", 10_000, "SEK", stage(&p, 2));
        proposal.expected_close_date = chrono::NaiveDate::from_ymd_opt(2026, 11, 20);
        let deal = ops::deals::create(&db, &me, proposal, at(10, 1))
            .await
            .unwrap()
            .deal;
        // A week before November began, the server writes the forecast down, once.
        assert_eq!(
            ops::forecast::snapshot_due(&db, at(10, 25)).await.unwrap(),
            1
        );
        assert_eq!(
            ops::forecast::snapshot_due(&db, at(10, 25)).await.unwrap(),
            0
        );
        // Only an admin takes one on demand.
        let rep = sara(&db).await;
        let refused = ops::forecast::snapshot_now(&db, Operator::User(&rep), None, at(10, 4)).await;
        assert!(matches!(refused, Err(AppError::Forbidden)));
        let unknown =
            ops::forecast::snapshot_now(&db, Operator::Console, Some("Nowhere"), at(10, 4)).await;
        assert!(unknown.unwrap_err().field("pipeline").is_some());
        // Four weeks before: 4 October.
        let taken = ops::forecast::snapshot_now(&db, Operator::Console, Some(&p.name), at(10, 4))
            .await
            .unwrap();
        assert_eq!(taken.len(), 1);
        ops::deals::change(&db, &me, deal.id, 1, DealChange::Win, at(11, 12))
            .await
            .unwrap();

        // In November the month is not on the record yet.
        let page = ops::forecast::page(&db, &me, Some(p.id), Some("month"), None, at(11, 28))
            .await
            .unwrap();
        assert!(page.track_record.rows.is_empty());
        let page = ops::forecast::page(&db, &me, Some(p.id), Some("month"), None, at(12, 2))
            .await
            .unwrap();
        // The log began in October: two finished months, of the three experience needs.
        assert_eq!((page.history_months, page.min_months), (2, 3));
        let record = page.track_record;
        assert_eq!(record.leads, vec![1, 4, 8]);
        assert_eq!(record.rows.len(), 1);
        let november = &record.rows[0];
        assert_eq!(
            (november.period.as_str(), november.won),
            ("2026-11", 10_000)
        );
        let week = november.said[0].as_ref().expect("said a week before");
        assert_eq!(week.taken_on.to_string(), "2026-10-25");
        // The proposal stage's 50 % of its value; the simulation's range holds the win.
        assert_eq!(week.weighted, 5_000);
        assert!(week.inside, "{week:?}");
        let month = november.said[1].as_ref().expect("said four weeks before");
        assert_eq!(month.taken_on.to_string(), "2026-10-04");
        assert!(
            november.said[2].is_none(),
            "nothing written down eight weeks before"
        );
        let held: Vec<_> = record.held.iter().map(|h| (h.said, h.inside)).collect();
        assert_eq!(held, vec![(1, 1), (1, 1), (0, 0)]);

        // The record is the team's: one rep's page has none.
        let mine = ops::forecast::page(&db, &me, Some(p.id), Some("month"), Some(me.id), at(12, 2))
            .await
            .unwrap();
        assert!(mine.track_record.rows.is_empty());
    })
    .await;
}
