//! Use-cases against real databases: every test body runs on a fresh SQLite file and,
//! when TEND_TEST_POSTGRES_URL is set, on a fresh PostgreSQL database.

use app::domain::deal::{DealChange, DealDraft, DealEdit, DealStatus};
use app::domain::event::DealEventKind;
use app::domain::ids::{DealId, StageId};
use app::domain::pipeline::{Pipeline, StageInput};
use app::domain::user::User;
use app::error::AppError;
use app::ssr::db::Db;
use app::ssr::ops;
use app::ssr::ops::auth::SignIn;
use app::ssr::testing::TestDb;
use app::ssr::throttle::SignInThrottle;
use chrono::{Duration, Utc};
use std::future::Future;

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
            .unwrap();
        let again = ops::deals::create(&db, &me, d, Utc::now()).await.unwrap();
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
        let created = ops::deals::create(&db, &me, d, Utc::now()).await.unwrap();
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
        .unwrap();
        let moved = ops::deals::change(
            &db,
            &me,
            deal.id,
            1,
            DealChange::Move(stage(&p, 1)),
            Utc::now(),
        )
        .await
        .unwrap();
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
        .unwrap();
        let won = ops::deals::change(&db, &me, deal.id, 1, DealChange::Win, Utc::now())
            .await
            .unwrap();
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
            .unwrap();
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
        .unwrap();
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
        .unwrap();
        let edit = DealEdit {
            title: Some("Edit me".into()),
            value: Some(500),
            ..Default::default()
        };
        let edited = ops::deals::change(&db, &me, deal.id, 1, DealChange::Edit(edit), Utc::now())
            .await
            .unwrap();
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
            .unwrap();
        }
        let mut special = draft("Euro deal", 333, "EUR", s);
        special.probability = Some(33);
        ops::deals::create(&db, &me, special, Utc::now())
            .await
            .unwrap();

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
        assert_eq!(column.weighted.0[&sek], 102_603);
        assert_eq!(column.weighted.0[&eur], 110);

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
        .unwrap();
        ops::deals::change(&db, &me, deal.id, 1, DealChange::Win, Utc::now())
            .await
            .unwrap();
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
            .unwrap();
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
        let added = ops::pipelines::add_stage(&db, &me, p.id, input)
            .await
            .unwrap();
        assert_eq!(added.position, 4);
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
            .all(|d| d.created_at > now - Duration::days(366)));
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
        let rep = ops::auth::create_user(
            &db,
            "sara@example.com",
            "Sara",
            "another long secret",
            false,
            Utc::now(),
        )
        .await
        .unwrap();
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
