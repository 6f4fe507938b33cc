//! Importing CSV files on both engines: all rows or none, a dry run that writes
//! nothing, and an export that imports back unchanged.

use super::on_each_engine;
use app::domain::deal::DealStatus;
use app::domain::import::{ImportKind, Mapping};
use app::domain::money::Currency;
use app::ssr::db::deals::DealFilter;
use app::ssr::ops;
use app::ssr::ops::import::{run, ImportOptions};
use chrono::Utc;

fn options(kind: ImportKind, dry_run: bool) -> ImportOptions {
    ImportOptions {
        kind,
        mapping: Mapping::Auto,
        currency: Currency::parse("SEK").unwrap(),
        dry_run,
        fields: None,
    }
}

const PIPEDRIVE: &str = "\u{feff}Deal - Title;Deal - Value;Deal - Currency;Deal - Stage;Deal - Status;Deal - Lost reason;Deal - Organization;Deal - Contact person;Deal - Deal created\r\n\
Acme renewal;12 500,50;SEK;Proposal;open;;Acme AB;Eva Berg;2026-01-15 10:00:00\r\n\
\"Beta; the big one\";300 000;EUR;Commitment;won;;Beta GmbH;;2025-11-02\r\n\
Gamma;1 000;SEK;Qualification;lost;Price;Acme AB;Eva Berg;2026-02-01\r\n";

#[tokio::test]
async fn a_pipedrive_export_is_checked_by_a_dry_run_then_imported_whole() {
    on_each_engine(|db, me, _| async move {
        let mut heard = Vec::new();
        let mut progress = |done, total| heard.push((done, total));
        let dry = run(
            &db,
            &me,
            &options(ImportKind::Deals, true),
            PIPEDRIVE.as_bytes(),
            Utc::now(),
            &mut progress,
        )
        .await
        .unwrap();
        assert_eq!(
            (dry.rows, dry.created, dry.error_count, dry.written),
            (3, 3, 0, false)
        );
        let all = DealFilter {
            limit: 100,
            ..DealFilter::default()
        };
        assert!(
            ops::deals::list(&db, &me, all.clone())
                .await
                .unwrap()
                .is_empty(),
            "a dry run writes nothing"
        );

        let done = run(
            &db,
            &me,
            &options(ImportKind::Deals, false),
            PIPEDRIVE.as_bytes(),
            Utc::now(),
            &mut progress,
        )
        .await
        .unwrap();
        assert!(done.written);
        assert_eq!(heard.last(), Some(&(3, 3)));
        let deals = ops::deals::list(&db, &me, all).await.unwrap();
        assert_eq!(deals.len(), 3);
        let acme = deals.iter().find(|d| d.title == "Acme renewal").unwrap();
        assert_eq!((acme.value, acme.currency.code()), (1_250_050, "SEK"));
        assert_eq!(acme.created_at.to_rfc3339(), "2026-01-15T10:00:00+00:00");
        let beta = deals
            .iter()
            .find(|d| d.title == "Beta; the big one")
            .unwrap();
        assert_eq!(
            (beta.status, beta.currency.code()),
            (DealStatus::Won, "EUR")
        );
        let gamma = deals.iter().find(|d| d.title == "Gamma").unwrap();
        assert_eq!(
            (gamma.status, gamma.lost_reason.as_deref()),
            (DealStatus::Lost, Some("Price"))
        );
        assert_eq!(
            gamma.organization_id, acme.organization_id,
            "one Acme AB for both"
        );
        assert_eq!(gamma.person_id, acme.person_id, "one Eva Berg for both");
        let log = ops::deals::history(&db, &me, beta.id).await.unwrap();
        let kinds: Vec<&str> = log.iter().map(|e| e.kind.name()).collect();
        assert_eq!(kinds, ["created", "won"]);
    })
    .await;
}

#[tokio::test]
async fn one_bad_row_refuses_the_whole_file_naming_every_error_with_its_line() {
    on_each_engine(|db, me, _| async move {
        let file = "title,value,stage,owner_email\n\
                    Good,100,Proposal,\n\
                    ,abc,Nowhere,\n\
                    Also good,5,Proposal,nobody@example.com\n";
        let mut progress = |_, _| {};
        let report = run(
            &db,
            &me,
            &options(ImportKind::Deals, false),
            file.as_bytes(),
            Utc::now(),
            &mut progress,
        )
        .await
        .unwrap();
        assert!(!report.written);
        let said: Vec<String> = report
            .errors
            .iter()
            .map(|e| format!("{}:{}", e.line, e.field.clone().unwrap()))
            .collect();
        assert_eq!(said, ["3:title", "3:value", "4:owner_email"]);
        let all = DealFilter {
            limit: 100,
            ..DealFilter::default()
        };
        assert!(
            ops::deals::list(&db, &me, all).await.unwrap().is_empty(),
            "all rows or none"
        );

        let unknown_stage = "title,stage\nX,Nowhere\n";
        let report = run(
            &db,
            &me,
            &options(ImportKind::Deals, true),
            unknown_stage.as_bytes(),
            Utc::now(),
            &mut progress,
        )
        .await
        .unwrap();
        assert_eq!(report.errors[0].field.as_deref(), Some("stage"));
        assert!(
            report.errors[0].message.contains("Nowhere"),
            "{}",
            report.errors[0].message
        );

        let latin1 = b"name\nJ\xf6rgen\n";
        let refused = run(
            &db,
            &me,
            &options(ImportKind::People, true),
            latin1,
            Utc::now(),
            &mut progress,
        )
        .await
        .unwrap_err();
        assert!(refused.to_string().contains("UTF-8"), "{refused}");
    })
    .await;
}

#[tokio::test]
async fn people_and_organizations_exported_import_back_unchanged() {
    on_each_engine(|db, me, _| async move {
        let file = "First Name,Last Name,Email,Phone Number,Company Name,Job Title\n\
                    Eva,Berg,eva@acme.se,'+46 70 123 45 67,Acme AB,CFO\n\
                    Jonas,Lind,,,\"Lind, Måleri\",\n";
        let mut progress = |_, _| {};
        let first = run(
            &db,
            &me,
            &options(ImportKind::People, false),
            file.as_bytes(),
            Utc::now(),
            &mut progress,
        )
        .await
        .unwrap();
        assert_eq!((first.created, first.kept), (2, 0));
        let people = ops::contacts::people(&db, &me, None, None, 10)
            .await
            .unwrap();
        let eva = people.iter().find(|p| p.person.name == "Eva Berg").unwrap();
        assert_eq!(eva.person.phone.as_deref(), Some("+46 70 123 45 67"));
        assert_eq!(eva.organization.as_deref(), Some("Acme AB"));

        // The same people again, now as Tend's export writes them: all kept as they are.
        let export = people_csv(&people);
        let again = run(
            &db,
            &me,
            &options(ImportKind::People, false),
            export.as_bytes(),
            Utc::now(),
            &mut progress,
        )
        .await
        .unwrap();
        assert_eq!((again.created, again.kept), (0, 2));
        let after = ops::contacts::people(&db, &me, None, None, 10)
            .await
            .unwrap();
        assert_eq!(after, people, "nothing changed");

        let orgs = "name,website\nAcme AB,www.acme.se\nNew Co,\n";
        let report = run(
            &db,
            &me,
            &options(ImportKind::Organizations, false),
            orgs.as_bytes(),
            Utc::now(),
            &mut progress,
        )
        .await
        .unwrap();
        assert_eq!(
            (report.created, report.kept),
            (1, 1),
            "Acme AB is kept already"
        );
    })
    .await;
}

/// People as the export writes them (the server's `export::records::people`).
fn people_csv(rows: &[app::domain::contact::PersonRow]) -> String {
    let mut out =
        String::from("id,name,job_title,email,phone,organization,open_deals,created_at\r\n");
    for r in rows {
        let p = &r.person;
        let quote = |s: &str| {
            if s.contains(',') {
                format!("\"{s}\"")
            } else {
                s.to_string()
            }
        };
        let cell = |s: &Option<String>| {
            s.as_deref()
                .map(|v| {
                    if v.starts_with('+') {
                        format!("'{v}")
                    } else {
                        quote(v)
                    }
                })
                .unwrap_or_default()
        };
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\r\n",
            p.id,
            quote(&p.name),
            cell(&p.job_title),
            cell(&p.email),
            cell(&p.phone),
            cell(&r.organization),
            r.open_deals,
            p.created_at.to_rfc3339()
        ));
    }
    out
}
