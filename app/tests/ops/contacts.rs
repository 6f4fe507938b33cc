//! People and organizations on both engines: create, change, their pages, the
//! duplicate search and merging.

use super::{draft, on_each_engine, stage};
use app::domain::contact::{
    ContactEventKind, OrganizationDraft, OrganizationPatch, PersonDraft, PersonPatch,
};
use app::domain::deal::{DealChange, DealEdit};
use app::domain::duplicate::Alike;
use app::domain::event::DealEventKind;
use app::domain::ids::PersonId;
use app::domain::lead::{LeadDraft, Qualification};
use app::error::AppError;
use app::ssr::ops;
use chrono::Utc;

fn eva() -> PersonDraft {
    PersonDraft {
        id: Some(PersonId::new()),
        name: "Eva Berg".into(),
        email: Some("Eva@Acme.se".into()),
        organization: Some("Acme AB".into()),
        ..PersonDraft::default()
    }
}

#[tokio::test]
async fn a_person_sent_twice_is_kept_once_at_the_organization_named() {
    on_each_engine(|db, me, _| async move {
        let first = ops::contacts::create_person(&db, &me, eva(), Utc::now())
            .await
            .unwrap();
        let again = PersonDraft {
            id: Some(first.id),
            name: "Someone else".into(),
            ..eva()
        };
        let second = ops::contacts::create_person(&db, &me, again, Utc::now())
            .await
            .unwrap();
        assert_eq!(first, second);
        assert_eq!(first.email.as_deref(), Some("eva@acme.se"));

        let acme = ops::contacts::organizations(&db, &me, Some("acme"), 10)
            .await
            .unwrap();
        assert_eq!(acme.len(), 1);
        assert_eq!(acme[0].organization.name, "Acme AB");
        assert_eq!(first.organization_id, Some(acme[0].organization.id));
        assert_eq!(acme[0].people, 1);

        let found = ops::contacts::people(&db, &me, Some("EVA@"), None, 10)
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].organization.as_deref(), Some("Acme AB"));
        let by_org = ops::contacts::people(&db, &me, Some("acme ab"), None, 10)
            .await
            .unwrap();
        assert_eq!(by_org.len(), 1, "found by the organization's name");
        let none = ops::contacts::people(&db, &me, Some("100%_"), None, 10)
            .await
            .unwrap();
        assert!(none.is_empty(), "% and _ are searched for as written");
    })
    .await;
}

#[tokio::test]
async fn a_change_made_on_a_stale_copy_is_refused_and_a_good_one_is_logged() {
    on_each_engine(|db, me, _| async move {
        let eva = ops::contacts::create_person(&db, &me, eva(), Utc::now())
            .await
            .unwrap();
        let patch = PersonPatch {
            version: Some(eva.version),
            job_title: Some(Some("CFO".into())),
            phone: Some(Some("070-123 45 67".into())),
            ..PersonPatch::default()
        };
        let changed = ops::contacts::change_person(&db, &me, eva.id, patch.clone(), Utc::now())
            .await
            .unwrap();
        assert_eq!(changed.job_title.as_deref(), Some("CFO"));
        assert_eq!(changed.version, eva.version + 1);

        let stale = ops::contacts::change_person(&db, &me, eva.id, patch, Utc::now()).await;
        assert!(matches!(stale, Err(AppError::Conflict(_))), "{stale:?}");

        let bad = PersonPatch {
            email: Some(Some("no email".into())),
            ..PersonPatch::default()
        };
        let refused = ops::contacts::change_person(&db, &me, eva.id, bad, Utc::now())
            .await
            .unwrap_err();
        assert!(refused.field("email").is_some());
        let page = ops::contacts::person_page(&db, &me, eva.id).await.unwrap();
        assert_eq!(page.person, changed, "a refused change changes nothing");
        let kinds: Vec<&str> = page.history.iter().map(|e| e.kind.name()).collect();
        assert_eq!(kinds, ["created", "changed"]);
        assert_eq!(
            page.history[1].actor_name.as_deref(),
            Some(me.name.as_str())
        );
        assert_eq!(
            page.organization.map(|o| o.name).as_deref(),
            Some("Acme AB")
        );

        let rename = OrganizationPatch {
            name: Some("Acme Group".into()),
            website: Some(Some("https://acme.se".into())),
            ..OrganizationPatch::default()
        };
        let org = ops::contacts::change_organization(
            &db,
            &me,
            changed.organization_id.unwrap(),
            rename,
            Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!((org.name.as_str(), org.version), ("Acme Group", 2));
    })
    .await;
}

#[tokio::test]
async fn a_persons_page_lists_their_deals_and_the_leads_that_became_them() {
    on_each_engine(|db, me, p| async move {
        let lead = ops::leads::capture(
            &db,
            &me,
            LeadDraft {
                name: "Eva Berg".into(),
                company: Some("Acme AB".into()),
                email: Some("eva@acme.se".into()),
                ..LeadDraft::default()
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let q = Qualification {
            currency: Some("SEK".into()),
            ..Qualification::default()
        };
        let done = ops::leads::qualify(&db, &me, lead.id, q, Utc::now())
            .await
            .unwrap();
        let person = done.deal.deal.person_id.unwrap();
        let page = ops::contacts::person_page(&db, &me, person).await.unwrap();
        assert_eq!(page.person.name, "Eva Berg");
        assert_eq!(page.deals.len(), 1);
        assert_eq!(page.deals[0].id, done.deal.deal.id);
        assert_eq!(page.leads.len(), 1);
        assert_eq!(page.leads[0].id, lead.id);
        assert_eq!(
            page.history.len(),
            1,
            "qualifying logged the person as created"
        );

        let org = done.deal.deal.organization_id.unwrap();
        let org_page = ops::contacts::organization_page(&db, &me, org)
            .await
            .unwrap();
        assert_eq!(org_page.people.len(), 1);
        assert_eq!(org_page.deals.len(), 1);
        assert_eq!(org_page.leads.len(), 1);

        // Linking a person to another deal from the deal's side.
        let other = ops::deals::create(
            &db,
            &me,
            draft("Beta", 100, "SEK", stage(&p, 0)),
            Utc::now(),
        )
        .await
        .unwrap()
        .deal;
        let link = DealEdit {
            person_id: Some(Some(person)),
            organization_id: Some(Some(org)),
            ..DealEdit::default()
        };
        ops::deals::change(
            &db,
            &me,
            other.id,
            other.version,
            DealChange::Edit(link),
            Utc::now(),
        )
        .await
        .unwrap();
        let page = ops::contacts::person_page(&db, &me, person).await.unwrap();
        assert_eq!(page.deals.len(), 2);
        let nobody = DealEdit {
            person_id: Some(Some(PersonId::new())),
            ..DealEdit::default()
        };
        let refused = ops::deals::change(
            &db,
            &me,
            other.id,
            other.version + 1,
            DealChange::Edit(nobody),
            Utc::now(),
        )
        .await
        .unwrap_err();
        assert!(refused.field("person_id").is_some());
    })
    .await;
}

#[tokio::test]
async fn merging_two_people_moves_the_deals_fills_the_gaps_and_logs_it_everywhere() {
    on_each_engine(|db, me, p| async move {
        let keep = ops::contacts::create_person(&db, &me, eva(), Utc::now())
            .await
            .unwrap();
        let gone = ops::contacts::create_person(
            &db,
            &me,
            PersonDraft {
                name: "Eva Berg".into(),
                email: Some("eva@acme.se".into()),
                phone: Some("070-123 45 67".into()),
                ..PersonDraft::default()
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let deal = ops::deals::create(
            &db,
            &me,
            draft("Acme", 100, "SEK", stage(&p, 0)),
            Utc::now(),
        )
        .await
        .unwrap()
        .deal;
        let link = DealEdit {
            person_id: Some(Some(gone.id)),
            ..DealEdit::default()
        };
        ops::deals::change(
            &db,
            &me,
            deal.id,
            deal.version,
            DealChange::Edit(link),
            Utc::now(),
        )
        .await
        .unwrap();

        let found = ops::contacts::duplicates(&db, &me).await.unwrap();
        assert_eq!(found.people.len(), 1);
        assert_eq!(found.people[0].why, Alike::Email);
        assert_eq!(
            (found.people[0].a.person.id, found.people[0].b.person.id),
            (keep.id, gone.id),
            "the older first"
        );

        let kept = ops::contacts::merge_people(&db, &me, keep.id, gone.id, Utc::now())
            .await
            .unwrap();
        assert_eq!(
            kept.phone.as_deref(),
            Some("070-123 45 67"),
            "filled from the other"
        );
        let moved = ops::deals::get(&db, &me, deal.id).await.unwrap();
        assert_eq!(moved.person_id, Some(keep.id));
        let deal_log = ops::deals::history(&db, &me, deal.id).await.unwrap();
        assert!(matches!(
            &deal_log.last().unwrap().kind,
            DealEventKind::Changed { changes } if changes[0].field == "person_id"
        ));

        assert!(ops::contacts::duplicates(&db, &me)
            .await
            .unwrap()
            .people
            .is_empty());
        let listed = ops::contacts::people(&db, &me, None, None, 10)
            .await
            .unwrap();
        assert_eq!(listed.len(), 1, "the merged-away record is not listed");
        let via_old = ops::contacts::person(&db, &me, gone.id).await.unwrap();
        assert_eq!(via_old.id, keep.id, "the old id leads to the one kept");
        let page = ops::contacts::person_page(&db, &me, keep.id).await.unwrap();
        let kinds: Vec<&str> = page.history.iter().map(|e| e.kind.name()).collect();
        assert_eq!(kinds, ["created", "created", "absorbed", "merged_into"]);
        assert!(matches!(
            &page.history[2].kind,
            ContactEventKind::Absorbed { from, .. } if *from == gone.id.0
        ));
        assert_eq!(page.deals.len(), 1);

        let again = ops::contacts::merge_people(&db, &me, keep.id, gone.id, Utc::now()).await;
        assert!(again.unwrap_err().field("from").is_some(), "merged already");
        let into_old =
            ops::contacts::change_person(&db, &me, gone.id, PersonPatch::default(), Utc::now())
                .await;
        assert!(
            matches!(into_old, Err(AppError::Conflict(_))),
            "{into_old:?}"
        );
        let itself = ops::contacts::merge_people(&db, &me, keep.id, keep.id, Utc::now()).await;
        assert!(itself.unwrap_err().field("from").is_some());
    })
    .await;
}

#[tokio::test]
async fn merging_two_organizations_moves_their_people_and_deals() {
    on_each_engine(|db, me, p| async move {
        let acme = ops::contacts::create_organization(
            &db,
            &me,
            OrganizationDraft {
                name: "Acme AB".into(),
                ..OrganizationDraft::default()
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let mut d = draft("Acme", 100, "SEK", stage(&p, 0));
        d.organization = Some("ACME ab".into());
        let deal = ops::deals::create(&db, &me, d, Utc::now())
            .await
            .unwrap()
            .deal;
        assert_eq!(deal.organization_id, Some(acme.id), "found ignoring case");
        let other = ops::contacts::create_organization(
            &db,
            &me,
            OrganizationDraft {
                name: "Acme".into(),
                website: Some("www.acme.se".into()),
                ..OrganizationDraft::default()
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let person = ops::contacts::create_person(
            &db,
            &me,
            PersonDraft {
                name: "Jonas Lind".into(),
                organization_id: Some(other.id),
                ..PersonDraft::default()
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let link = DealEdit {
            organization_id: Some(Some(other.id)),
            ..DealEdit::default()
        };
        ops::deals::change(
            &db,
            &me,
            deal.id,
            deal.version,
            DealChange::Edit(link),
            Utc::now(),
        )
        .await
        .unwrap();

        let found = ops::contacts::duplicates(&db, &me).await.unwrap();
        assert_eq!(found.organizations.len(), 1);
        assert_eq!(found.organizations[0].why, Alike::Name);

        let kept = ops::contacts::merge_organizations(&db, &me, acme.id, other.id, Utc::now())
            .await
            .unwrap();
        assert_eq!(kept.website.as_deref(), Some("www.acme.se"));
        let moved = ops::deals::get(&db, &me, deal.id).await.unwrap();
        assert_eq!(moved.organization_id, Some(acme.id));
        let jonas = ops::contacts::person(&db, &me, person.id).await.unwrap();
        assert_eq!(jonas.organization_id, Some(acme.id));
        let page = ops::contacts::organization_page(&db, &me, acme.id)
            .await
            .unwrap();
        assert_eq!((page.people.len(), page.deals.len()), (1, 1));
        let listed = ops::contacts::organizations(&db, &me, None, 10)
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
    })
    .await;
}
