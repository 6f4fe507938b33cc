//! The demo workspace: a few reps and a year of believable deals, generated from a
//! fixed seed so every fresh demo looks the same (relative to today). Only made when
//! asked for; a production start never calls this.

use super::db::{deal_events, deals, goals, lost_reasons, organizations, pipelines, users, Db};
use super::ops::pipelines::insert_default;
use crate::domain::deal::{Deal, NewDeal};
use crate::domain::dice::Dice;
use crate::domain::display::{month_of, quarter_of};
use crate::domain::event::{instant, DealEventKind};
use crate::domain::forecast::PeriodKind;
use crate::domain::goal::Goal;
use crate::domain::ids::{DealId, UserId};
use crate::domain::money::{Currency, Money};
use crate::error::AppResult;
use crate::ssr::auth::hash_password;
use chrono::{DateTime, Duration, Utc};

pub const DEMO_PASSWORD: &str = "tend-demo-2026";
pub const DEMO_ADMIN: &str = "anna@example.com";
pub const DEMO_DEALS: usize = 1_000;
/// How far back the demo's history reaches: enough for a year of closed months to be
/// forecast from the months before them.
pub const HISTORY_DAYS: i64 = 540;

pub const LOST_REASONS: &[&str] = &[
    "Price",
    "Chose a competitor",
    "No budget",
    "Went silent",
    "Bad timing",
    "Missing feature",
];

const REPS: &[(&str, &str, bool)] = &[
    ("Anna Lindqvist", DEMO_ADMIN, true),
    ("Erik Johansson", "erik@example.com", false),
    ("Sara Nilsson", "sara@example.com", false),
    ("Omar Haddad", "omar@example.com", false),
];

const COMPANIES: &[&str] = &[
    "Nordvik Logistik",
    "Fjällbacka Fisk",
    "Solberg Bygg",
    "Kvarnen Bageri",
    "Östra Tandvården",
    "Lundgren & Söner",
    "Björk Design",
    "Hamnkontoret",
    "Vasa Energi",
    "Grön Teknik",
    "Almhult Trä",
    "Skärgårdsbolaget",
    "Mälardalens Revision",
    "Nova Fastigheter",
    "Klippan Kaffe",
    "Berlin Brightworks",
    "Rotterdam Freight",
    "Helsinki Hydro",
    "Tallinn Tech",
    "Oslo Outdoor",
    "Aarhus Analytics",
    "Gdansk Glass",
    "Lyon Lumière",
    "Porto Pack",
    "Bremen Bikes",
    "Kiruna Mining Supply",
    "Uppsala Labs",
    "Göta Kanalbolaget",
    "Sundsvall Papper",
    "Visby Vin",
];

/// The person the team talks to at each of `COMPANIES`, in the same order.
const CONTACTS: &[(&str, &str)] = &[
    ("Karin Ek", "Logistics manager"),
    ("Jonas Lind", "Owner"),
    ("Sara Solberg", "Project manager"),
    ("Per Kvarn", "Baker and owner"),
    ("Åsa Öberg", "Clinic manager"),
    ("Nils Lundgren", "CEO"),
    ("Maja Björk", "Creative director"),
    ("Olof Hamn", "Office manager"),
    ("Lena Vasa", "Head of procurement"),
    ("Emil Grön", "CTO"),
    ("Ingrid Alm", "Purchasing"),
    ("Tove Skär", "Operations"),
    ("Anders Mälar", "Partner"),
    ("Eva Nova", "Property manager"),
    ("Klara Klippan", "Owner"),
    ("Jan Becker", "Head of sales"),
    ("Sanne de Vries", "Logistics lead"),
    ("Mikko Virtanen", "Plant manager"),
    ("Kadri Tamm", "CTO"),
    ("Ole Hansen", "Store manager"),
    ("Mette Jensen", "Analytics lead"),
    ("Piotr Nowak", "Production manager"),
    ("Camille Martin", "Purchasing"),
    ("Rui Costa", "Operations"),
    ("Lukas Weber", "Owner"),
    ("Aino Nilsson", "Site manager"),
    ("Hugo Lund", "Lab manager"),
    ("Elsa Göta", "CEO"),
    ("Viktor Sund", "Mill manager"),
    ("Linnea Vin", "Owner"),
];

const PRODUCTS: &[&str] = &[
    "annual licence",
    "pilot",
    "expansion",
    "renewal",
    "onboarding package",
    "support plan",
    "team seats",
    "integration project",
];

/// Lead sources, with how much likelier than average their deals move on (percent):
/// the demo's history must hold something true for the forecast to find.
const SOURCES: &[(&str, u64)] = &[
    ("Referral", 150),
    ("Partner", 125),
    ("Website", 100),
    ("Trade fair", 90),
    ("LinkedIn", 80),
    ("Cold call", 55),
];

/// The inbox as a Monday morning finds it: (name, company, email, phone, value in SEK,
/// source, hours ago, discarded for). Two have waited longer than they should.
const LEADS: &[(&str, &str, &str, &str, i64, &str, i64, &str)] = &[
    (
        "Maja Ek",
        "Ekdahl Måleri",
        "maja@ekdahl.se",
        "+46 70 412 88 10",
        45_000,
        "Website",
        2,
        "",
    ),
    (
        "Jonas Berg",
        "Bergs El",
        "",
        "+46 73 555 01 22",
        0,
        "Trade fair",
        20,
        "",
    ),
    (
        "Lena Holm",
        "Holm & Partners",
        "lena.holm@holmpartners.se",
        "",
        120_000,
        "Referral",
        30,
        "",
    ),
    (
        "Karim Aziz",
        "Nordic Fleet",
        "karim@nordicfleet.eu",
        "+46 76 210 30 40",
        80_000,
        "LinkedIn",
        52,
        "",
    ),
    (
        "Ida Strand",
        "",
        "ida.strand@gmail.com",
        "",
        0,
        "Website",
        75,
        "",
    ),
    (
        "Per Ågren",
        "Ågrens Åkeri",
        "",
        "+46 70 300 20 10",
        60_000,
        "Cold call",
        100,
        "",
    ),
    (
        "Sofia Lind",
        "Lind Arkitekter",
        "sofia@lindark.se",
        "",
        0,
        "Website",
        30,
        "Not a fit",
    ),
    (
        "Test Testsson",
        "",
        "asdf@asdf.se",
        "",
        0,
        "Website",
        50,
        "Spam",
    ),
];

/// The chance (percent) that an average deal in each stage moves on (from the last
/// stage: is won) rather than sitting until it is lost.
const MOVES_ON: [u64; 4] = [60, 65, 60, 75];

/// Fills an empty database with the demo. Returns `false` (and changes nothing) when
/// the database already has users.
pub async fn seed(db: &Db, now: DateTime<Utc>) -> AppResult<bool> {
    let now = instant(now);
    let mut tx = db.write().await?;
    if users::count(&mut tx).await? > 0 {
        return Ok(false);
    }
    let hash = hash_password(DEMO_PASSWORD.to_string()).await?;
    let mut reps = Vec::new();
    for (name, email, is_admin) in REPS {
        let row = users::UserRow {
            id: UserId::new(),
            email: email.to_string(),
            name: name.to_string(),
            password_hash: hash.clone(),
            is_admin: *is_admin,
            created_at: now - Duration::days(HISTORY_DAYS + 35),
            disabled_at: None,
        };
        users::insert(&mut tx, &row).await?;
        reps.push(row.id);
    }
    for (i, label) in LOST_REASONS.iter().enumerate() {
        lost_reasons::insert(&mut tx, label, i as i64).await?;
    }
    let pipeline_id = match pipelines::list(&mut tx).await?.first() {
        Some(p) => p.id,
        None => insert_default(&mut tx, "Sales", now - Duration::days(HISTORY_DAYS + 35)).await?,
    };
    let pipeline = pipelines::find(&mut tx, pipeline_id)
        .await?
        .expect("the pipeline was just read or made in this transaction");
    let mut stages = pipeline.stages.clone();
    stages.sort_by_key(|s| s.position);

    let mut dice = Dice(2020_03_04);
    let sek = Currency::parse("SEK")?;
    let eur = Currency::parse("EUR")?;
    let mut org_ids = Vec::new();
    for name in COMPANIES {
        org_ids.push(
            organizations::find_or_create(&mut tx, name, now - Duration::days(HISTORY_DAYS + 15))
                .await?,
        );
    }
    let person_ids = seed_people(&mut tx, &org_ids, now).await?;
    for _ in 0..DEMO_DEALS {
        let company = dice.below(COMPANIES.len() as u64) as usize;
        let currency = if company >= 15 {
            eur.clone()
        } else {
            sek.clone()
        };
        let major = match currency.code() {
            "EUR" => 2_000 + dice.below(21) * 500,
            _ => 20_000 + dice.below(21) * 5_000,
        };
        let created = now
            - Duration::days(dice.below(HISTORY_DAYS as u64) as i64)
            - Duration::minutes(dice.below(600) as i64);
        let owner = *dice.pick(&reps);
        let (source, quality) = *dice.pick(SOURCES);
        let new = NewDeal {
            id: DealId(uuid::Uuid::now_v7()),
            title: format!("{} – {}", COMPANIES[company], dice.pick(PRODUCTS)),
            value: Money::new(major as i64 * 100, currency)?,
            stage_id: stages[0].id,
            owner_id: owner,
            expected_close_date: Some(
                (created + Duration::days(30 + dice.below(90) as i64)).date_naive(),
            ),
            probability: None,
            organization_id: Some(org_ids[company]),
            person_id: Some(person_ids[company]),
            lead_source: Some(source.to_string()),
        };
        let (mut deal, created_event) = Deal::create(new, &stages[0], created);
        let mut events = vec![(created, created_event)];
        // Deals that move on do so within days; the others sit for weeks and are lost,
        // so a deal that has sat long is worth less than its stage says. One whose
        // next step lies after today is open now.
        let mut at = created;
        let mut stage = 0;
        loop {
            let moves_on = dice.chance((MOVES_ON[stage.min(3)] * quality / 100).clamp(5, 95));
            let next = if moves_on {
                at + Duration::days(1 + dice.below(12) as i64)
            } else {
                at + Duration::days(12 + dice.below(50) as i64)
            } + Duration::hours(dice.below(8) as i64);
            if next >= now {
                break;
            }
            at = next;
            let event = if !moves_on {
                deal.lose(*dice.pick(LOST_REASONS), at)?
            } else if stage + 1 < stages.len() {
                stage += 1;
                match deal.move_to(&stages[stage], at)? {
                    Some(event) => event,
                    None => break,
                }
            } else {
                deal.win(at)?
            };
            let closed = matches!(event, DealEventKind::Won | DealEventKind::Lost { .. });
            events.push((at, event));
            if closed {
                break;
            }
        }
        deals::insert(&mut tx, &deal).await?;
        for (at, event) in &events {
            deal_events::append(&mut tx, deal.id, *at, Some(owner), event, None).await?;
        }
    }
    // The team's goals for this month, next month and this quarter.
    let today = now.date_naive();
    for (kind, start, sek_goal, eur_goal) in [
        (PeriodKind::Month, month_of(today).0, 600_000, 70_000),
        (PeriodKind::Month, month_of(today).1, 600_000, 70_000),
        (PeriodKind::Quarter, quarter_of(today).0, 1_800_000, 200_000),
    ] {
        for (currency, amount) in [(&sek, sek_goal), (&eur, eur_goal)] {
            let goal = Goal {
                pipeline_id,
                owner_id: None,
                kind,
                period_start: start,
                currency: currency.clone(),
                amount: amount * 100,
            };
            goals::set(&mut tx, &goal, now).await?;
        }
    }
    seed_leads(&mut tx, &reps, now).await?;
    tx.commit().await?;
    // The track record a server running all along would have kept.
    super::ops::forecast::backfill_snapshots(db, now).await?;
    Ok(true)
}

/// One person at each company, and two records that are likely one with another
/// (the same email; an organization written twice), for the duplicates page.
async fn seed_people(
    tx: &mut super::db::Tx,
    org_ids: &[crate::domain::ids::OrganizationId],
    now: DateTime<Utc>,
) -> AppResult<Vec<crate::domain::ids::PersonId>> {
    use super::db::contact_events::{self, Subject};
    use super::db::persons;
    use crate::domain::contact::{ContactEventKind, OrganizationDraft, PersonDraft};
    use crate::domain::duplicate::fold_name;
    let at = now - Duration::days(HISTORY_DAYS + 15);
    let slug = |s: &str| fold_name(s).replace(' ', "-");
    for (org, company) in org_ids.iter().zip(COMPANIES) {
        let created = ContactEventKind::Created {
            name: company.to_string(),
        };
        contact_events::append(tx, Subject::Organization(*org), at, None, &created).await?;
    }
    let mut ids = Vec::new();
    for (i, ((name, title), company)) in CONTACTS.iter().zip(COMPANIES).enumerate() {
        let draft = PersonDraft {
            name: name.to_string(),
            job_title: Some(title.to_string()),
            email: Some(format!(
                "{}@{}.example",
                slug(name).replace('-', "."),
                slug(company)
            )),
            phone: Some(format!(
                "+46 70 {:03} {:02} {:02}",
                200 + i,
                (i * 37) % 100,
                (i * 53) % 100
            )),
            organization_id: Some(org_ids[i]),
            ..PersonDraft::default()
        };
        let (person, _) = draft.parse(at)?;
        persons::insert(tx, &person).await?;
        let created = ContactEventKind::Created {
            name: person.name.clone(),
        };
        contact_events::append(tx, Subject::Person(person.id), at, None, &created).await?;
        ids.push(person.id);
    }
    // Karin Ek again, captured later by someone else with her email in capitals.
    let again = PersonDraft {
        name: "Karin Ek".into(),
        email: Some("KARIN.EK@nordvik-logistik.example".into()),
        phone: Some("070-555 18 18".into()),
        ..PersonDraft::default()
    };
    let later = now - Duration::days(20);
    let (person, _) = again.parse(later)?;
    persons::insert(tx, &person).await?;
    let created = ContactEventKind::Created {
        name: person.name.clone(),
    };
    contact_events::append(tx, Subject::Person(person.id), later, None, &created).await?;
    let twice = OrganizationDraft {
        name: "Solberg Bygg AB".into(),
        website: Some("www.solbergbygg.example".into()),
        ..OrganizationDraft::default()
    }
    .parse(later)?;
    organizations::insert(tx, &twice).await?;
    let created = ContactEventKind::Created {
        name: twice.name.clone(),
    };
    contact_events::append(tx, Subject::Organization(twice.id), later, None, &created).await?;
    Ok(ids)
}

async fn seed_leads(tx: &mut super::db::Tx, reps: &[UserId], now: DateTime<Utc>) -> AppResult<()> {
    use super::db::{lead_events, leads};
    use crate::domain::lead::{DiscardReason, LeadDraft, LeadEventKind};
    let optional = |s: &str| (!s.is_empty()).then(|| s.to_string());
    for (i, (name, company, email, phone, value, source, hours, discarded)) in
        LEADS.iter().enumerate()
    {
        let at = now - Duration::hours(*hours);
        let rep = reps[i % reps.len()];
        let draft = LeadDraft {
            id: None,
            name: name.to_string(),
            company: optional(company),
            job_title: None,
            website: None,
            email: optional(email),
            phone: optional(phone),
            value: (*value > 0).then_some(value * 100),
            currency: (*value > 0).then(|| "SEK".to_string()),
            note: None,
            source: Some(source.to_string()),
        };
        let mut lead = draft.parse(Some(rep), at)?;
        leads::insert(tx, &lead).await?;
        let captured = LeadEventKind::Captured {
            source: lead.source.clone(),
        };
        lead_events::append(tx, lead.id, at, Some(rep), &captured).await?;
        if !discarded.is_empty() {
            let later = at + Duration::hours(1);
            let event = lead.discard(DiscardReason::parse(discarded)?, later)?;
            leads::settle(tx, &lead, 1).await?;
            lead_events::append(tx, lead.id, later, Some(rep), &event).await?;
        }
    }
    Ok(())
}
