//! People and organizations: creating and changing them, their pages, the search for
//! likely duplicates, and merging two records of one into one. Each change is one
//! transaction that also appends to the record's log; a merge moves the deals (and an
//! organization's people) in the same transaction, logging each move in the deal's
//! own log, so nothing is ever half merged.

use super::deals::{edit_in, missing};
use crate::domain::contact::{
    ContactEvent, ContactEventKind, Duplicates, Organization, OrganizationDraft, OrganizationPage,
    OrganizationPair, OrganizationPatch, OrganizationRow, PeoplePair, Person, PersonDraft,
    PersonPage, PersonPatch, PersonRow,
};
use crate::domain::deal::DealEdit;
use crate::domain::duplicate::{company_pairs, people_pairs, Company, Contact};
use crate::domain::event::instant;
use crate::domain::ids::{OrganizationId, PersonId, UserId};
use crate::domain::user::User;
use crate::error::{AppError, AppResult};
use crate::ssr::db::contact_events::{self, Subject};
use crate::ssr::db::deals::DealFilter;
use crate::ssr::db::{deals, leads, organizations, persons, Db, Tx};
use chrono::{DateTime, Utc};

/// How many records the duplicate search reads at most, oldest first.
pub const SCAN_MAX: i64 = 100_000;
/// How many deals one merge moves at most; a merge that would move more is refused.
const MOVED_MAX: i64 = 5_000;

/// Whether `caller` may see people and organizations: everyone signed in sees all of
/// them today (as with deals); the API and the pages both ask here.
pub fn can_see(_caller: &User) -> bool {
    true
}

fn seen(caller: &User) -> AppResult<()> {
    if can_see(caller) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The organization called `name` (ignoring case), created and logged if there is
/// none, in the caller's transaction (a deal or a lead names one this way).
pub(super) async fn organization_named(
    tx: &mut Tx,
    actor: UserId,
    name: &str,
    at: DateTime<Utc>,
) -> AppResult<OrganizationId> {
    let before = organizations::find_or_create(tx, name, at).await?;
    if let Some(org) = organizations::find(tx, before).await? {
        if org.created_at == at && org.version == 1 {
            let created = ContactEventKind::Created { name: org.name };
            contact_events::append(tx, Subject::Organization(org.id), at, Some(actor), &created)
                .await?;
        }
    }
    Ok(before)
}

/// Keeps `person` and logs `created`, in the caller's transaction; `false` when a
/// person with its id is kept already.
pub(super) async fn add_person(tx: &mut Tx, actor: UserId, person: &Person) -> AppResult<bool> {
    if !persons::insert(tx, person).await? {
        return Ok(false);
    }
    let created = ContactEventKind::Created {
        name: person.name.clone(),
    };
    contact_events::append(
        tx,
        Subject::Person(person.id),
        person.created_at,
        Some(actor),
        &created,
    )
    .await?;
    Ok(true)
}

/// Creates a person, at the organization named or found by id. A person whose id is
/// kept already is returned as kept, so a create sent twice stores one.
pub async fn create_person(
    db: &Db,
    caller: &User,
    draft: PersonDraft,
    at: DateTime<Utc>,
) -> AppResult<Person> {
    seen(caller)?;
    let at = instant(at);
    let (mut person, organization) = draft.parse(at)?;
    let mut tx = db.write().await?;
    if let Some(org) = person.organization_id {
        if organizations::name(&mut tx, org).await?.is_none() {
            return Err(missing("organization_id"));
        }
    } else if let Some(name) = organization {
        person.organization_id = Some(organization_named(&mut tx, caller.id, &name, at).await?);
    }
    if !add_person(&mut tx, caller.id, &person).await? {
        return person_found(persons::find(&mut tx, person.id).await?);
    }
    tx.commit().await?;
    Ok(person)
}

/// Creates an organization; one whose id is kept already is returned as kept.
pub async fn create_organization(
    db: &Db,
    caller: &User,
    draft: OrganizationDraft,
    at: DateTime<Utc>,
) -> AppResult<Organization> {
    seen(caller)?;
    let at = instant(at);
    let org = draft.parse(at)?;
    let mut tx = db.write().await?;
    if !organizations::insert(&mut tx, &org).await? {
        return organization_found(organizations::find(&mut tx, org.id).await?);
    }
    let created = ContactEventKind::Created {
        name: org.name.clone(),
    };
    contact_events::append(
        &mut tx,
        Subject::Organization(org.id),
        at,
        Some(caller.id),
        &created,
    )
    .await?;
    tx.commit().await?;
    Ok(org)
}

/// Person `id`, or the one it was merged into.
pub async fn person(db: &Db, caller: &User, id: PersonId) -> AppResult<Person> {
    seen(caller)?;
    let mut tx = db.read().await?;
    person_found(persons::find(&mut tx, id).await?)
}

/// Organization `id`, or the one it was merged into.
pub async fn organization(db: &Db, caller: &User, id: OrganizationId) -> AppResult<Organization> {
    seen(caller)?;
    let mut tx = db.read().await?;
    organization_found(organizations::find(&mut tx, id).await?)
}

pub async fn people(
    db: &Db,
    caller: &User,
    search: Option<&str>,
    organization: Option<OrganizationId>,
    limit: i64,
) -> AppResult<Vec<PersonRow>> {
    seen(caller)?;
    let mut tx = db.read().await?;
    persons::list(&mut tx, search, organization, limit).await
}

pub async fn organizations(
    db: &Db,
    caller: &User,
    search: Option<&str>,
    limit: i64,
) -> AppResult<Vec<OrganizationRow>> {
    seen(caller)?;
    let mut tx = db.read().await?;
    organizations::list(&mut tx, search, limit).await
}

/// Changes person `id` as `patch` says; refused (409) when `patch.version` is not the
/// one kept, or the person was merged into another.
pub async fn change_person(
    db: &Db,
    caller: &User,
    id: PersonId,
    patch: PersonPatch,
    at: DateTime<Utc>,
) -> AppResult<Person> {
    seen(caller)?;
    let at = instant(at);
    let mut tx = db.write().await?;
    let mut person = current(person_found(persons::find(&mut tx, id).await?)?, id, |p| {
        p.id
    })?;
    let read = person.version;
    if patch.version.is_some_and(|v| v != read) {
        return Err(changed_since());
    }
    if let Some(Some(org)) = patch.organization_id {
        if organizations::name(&mut tx, org).await?.is_none() {
            return Err(missing("organization_id"));
        }
    }
    let changes = person.apply(patch, at)?;
    if changes.is_empty() {
        return Ok(person);
    }
    if !persons::update(&mut tx, &person, read).await? {
        return Err(changed_since());
    }
    let changed = ContactEventKind::Changed { changes };
    contact_events::append(&mut tx, Subject::Person(id), at, Some(caller.id), &changed).await?;
    tx.commit().await?;
    Ok(person)
}

/// Changes organization `id` as `patch` says (see `change_person`).
pub async fn change_organization(
    db: &Db,
    caller: &User,
    id: OrganizationId,
    patch: OrganizationPatch,
    at: DateTime<Utc>,
) -> AppResult<Organization> {
    seen(caller)?;
    let at = instant(at);
    let mut tx = db.write().await?;
    let found = organization_found(organizations::find(&mut tx, id).await?)?;
    let mut org = current(found, id, |o| o.id)?;
    let read = org.version;
    if patch.version.is_some_and(|v| v != read) {
        return Err(changed_since());
    }
    let changes = org.apply(patch, at)?;
    if changes.is_empty() {
        return Ok(org);
    }
    if !organizations::update(&mut tx, &org, read).await? {
        return Err(changed_since());
    }
    let changed = ContactEventKind::Changed { changes };
    contact_events::append(
        &mut tx,
        Subject::Organization(id),
        at,
        Some(caller.id),
        &changed,
    )
    .await?;
    tx.commit().await?;
    Ok(org)
}

/// A person's page: where they work, their deals and leads, and their log (theirs and
/// that of every record merged into them).
pub async fn person_page(db: &Db, caller: &User, id: PersonId) -> AppResult<PersonPage> {
    seen(caller)?;
    let mut tx = db.read().await?;
    let person = person_found(persons::find(&mut tx, id).await?)?;
    let organization = match person.organization_id {
        Some(org) => organizations::find(&mut tx, org).await?,
        None => None,
    };
    let deals = deals::lines(&mut tx, Some(person.id), None).await?;
    let leads = leads::lines(&mut tx, Some((person.id, person.email.as_deref())), None).await?;
    let history = contact_events::history(&mut tx, Subject::Person(person.id)).await?;
    Ok(PersonPage {
        person,
        organization,
        deals,
        leads,
        history,
    })
}

/// An organization's page: its people, deals, leads and log.
pub async fn organization_page(
    db: &Db,
    caller: &User,
    id: OrganizationId,
) -> AppResult<OrganizationPage> {
    seen(caller)?;
    let mut tx = db.read().await?;
    let organization = organization_found(organizations::find(&mut tx, id).await?)?;
    let people = persons::at(&mut tx, organization.id).await?;
    let deals = deals::lines(&mut tx, None, Some(organization.id)).await?;
    let leads = leads::lines(&mut tx, None, Some((organization.id, &organization.name))).await?;
    let history = contact_events::history(&mut tx, Subject::Organization(organization.id)).await?;
    Ok(OrganizationPage {
        organization,
        people,
        deals,
        leads,
        history,
    })
}

pub async fn person_history(db: &Db, caller: &User, id: PersonId) -> AppResult<Vec<ContactEvent>> {
    Ok(person_page(db, caller, id).await?.history)
}

pub async fn organization_history(
    db: &Db,
    caller: &User,
    id: OrganizationId,
) -> AppResult<Vec<ContactEvent>> {
    Ok(organization_page(db, caller, id).await?.history)
}

/// Likely duplicate people and organizations across the database, the likeliest
/// first; each pair names the older record first.
pub async fn duplicates(db: &Db, caller: &User) -> AppResult<Duplicates> {
    seen(caller)?;
    let mut tx = db.read().await?;
    let people = persons::all(&mut tx, SCAN_MAX).await?;
    let contacts: Vec<Contact> = people
        .iter()
        .map(|r| Contact {
            name: &r.person.name,
            company: r.organization.as_deref(),
            email: r.person.email.as_deref(),
            phone: r.person.phone.as_deref(),
        })
        .collect();
    let people_found = people_pairs(&contacts)
        .into_iter()
        .map(|p| PeoplePair {
            a: people[p.a].clone(),
            b: people[p.b].clone(),
            why: p.why,
        })
        .collect();
    let orgs = organizations::all(&mut tx, SCAN_MAX).await?;
    let companies: Vec<Company> = orgs
        .iter()
        .map(|o| Company {
            name: &o.name,
            website: o.website.as_deref(),
        })
        .collect();
    let row = |o: &Organization| OrganizationRow {
        organization: o.clone(),
        people: 0,
        open_deals: 0,
    };
    let orgs_found = company_pairs(&companies)
        .into_iter()
        .map(|p| OrganizationPair {
            a: row(&orgs[p.a]),
            b: row(&orgs[p.b]),
            why: p.why,
        })
        .collect();
    Ok(Duplicates {
        people: people_found,
        organizations: orgs_found,
    })
}

/// Merges person `gone` into person `keep`: `keep` takes the fields only `gone` has,
/// `gone`'s deals move to `keep` (each logged in the deal's log), and both logs say
/// so. `gone` is kept, marked as merged, so that links to it lead to `keep`.
pub async fn merge_people(
    db: &Db,
    caller: &User,
    keep: PersonId,
    gone: PersonId,
    at: DateTime<Utc>,
) -> AppResult<Person> {
    seen(caller)?;
    if keep == gone {
        return Err(AppError::invalid(
            "from",
            "is the person kept; choose another",
        ));
    }
    let at = instant(at);
    let mut tx = db.write().await?;
    let mut kept = current(
        person_found(persons::find(&mut tx, keep).await?)?,
        keep,
        |p| p.id,
    )?;
    let other = persons::find(&mut tx, gone)
        .await?
        .filter(|p| p.id == gone)
        .ok_or_else(|| missing("from"))?;
    let read = kept.version;
    let filled = kept.absorb(&other, at);
    if !filled.is_empty() && !persons::update(&mut tx, &kept, read).await? {
        return Err(changed_since());
    }
    let moving = DealFilter {
        person_id: Some(gone),
        limit: MOVED_MAX + 1,
        ..DealFilter::default()
    };
    for deal in moved(deals::list(&mut tx, &moving).await?)? {
        let edit = DealEdit {
            person_id: Some(Some(keep)),
            ..DealEdit::default()
        };
        edit_in(&mut tx, caller.id, deal, edit, at).await?;
    }
    persons::merge(&mut tx, gone, keep).await?;
    let absorbed = ContactEventKind::Absorbed {
        from: gone.0,
        name: other.name.clone(),
        filled,
    };
    contact_events::append(
        &mut tx,
        Subject::Person(keep),
        at,
        Some(caller.id),
        &absorbed,
    )
    .await?;
    let merged = ContactEventKind::MergedInto {
        into: keep.0,
        name: kept.name.clone(),
    };
    contact_events::append(&mut tx, Subject::Person(gone), at, Some(caller.id), &merged).await?;
    tx.commit().await?;
    Ok(kept)
}

/// Merges organization `gone` into `keep`: its deals and people move to `keep` (each
/// logged), `keep` takes the website only `gone` has, and both logs say so.
pub async fn merge_organizations(
    db: &Db,
    caller: &User,
    keep: OrganizationId,
    gone: OrganizationId,
    at: DateTime<Utc>,
) -> AppResult<Organization> {
    seen(caller)?;
    if keep == gone {
        return Err(AppError::invalid(
            "from",
            "is the organization kept; choose another",
        ));
    }
    let at = instant(at);
    let mut tx = db.write().await?;
    let found = organization_found(organizations::find(&mut tx, keep).await?)?;
    let mut kept = current(found, keep, |o| o.id)?;
    let other = organizations::find(&mut tx, gone)
        .await?
        .filter(|o| o.id == gone)
        .ok_or_else(|| missing("from"))?;
    let read = kept.version;
    let filled = kept.absorb(&other, at);
    if !filled.is_empty() && !organizations::update(&mut tx, &kept, read).await? {
        return Err(changed_since());
    }
    let moving = DealFilter {
        organization_id: Some(gone),
        limit: MOVED_MAX + 1,
        ..DealFilter::default()
    };
    for deal in moved(deals::list(&mut tx, &moving).await?)? {
        let edit = DealEdit {
            organization_id: Some(Some(keep)),
            ..DealEdit::default()
        };
        edit_in(&mut tx, caller.id, deal, edit, at).await?;
    }
    for mut person in persons::at(&mut tx, gone).await? {
        let read = person.version;
        let patch = PersonPatch {
            organization_id: Some(Some(keep)),
            ..PersonPatch::default()
        };
        let changes = person.apply(patch, at)?;
        if !persons::update(&mut tx, &person, read).await? {
            return Err(changed_since());
        }
        let changed = ContactEventKind::Changed { changes };
        contact_events::append(
            &mut tx,
            Subject::Person(person.id),
            at,
            Some(caller.id),
            &changed,
        )
        .await?;
    }
    organizations::merge(&mut tx, gone, keep).await?;
    let absorbed = ContactEventKind::Absorbed {
        from: gone.0,
        name: other.name.clone(),
        filled,
    };
    contact_events::append(
        &mut tx,
        Subject::Organization(keep),
        at,
        Some(caller.id),
        &absorbed,
    )
    .await?;
    let merged = ContactEventKind::MergedInto {
        into: keep.0,
        name: kept.name.clone(),
    };
    contact_events::append(
        &mut tx,
        Subject::Organization(gone),
        at,
        Some(caller.id),
        &merged,
    )
    .await?;
    tx.commit().await?;
    Ok(kept)
}

/// The deals a merge moves, refused when there are more than one merge may move.
fn moved<T>(deals: Vec<T>) -> AppResult<Vec<T>> {
    if deals.len() as i64 > MOVED_MAX {
        return Err(AppError::invalid(
            "from",
            format!("has more than {MOVED_MAX} deals; move some first"),
        ));
    }
    Ok(deals)
}

/// The record found for `id`, refused when it stands for `id` only because `id` was
/// merged into it: a change meant for the merged record is not made to another.
fn current<T, I: PartialEq>(found: T, id: I, id_of: impl Fn(&T) -> I) -> AppResult<T> {
    if id_of(&found) == id {
        Ok(found)
    } else {
        Err(AppError::Conflict(
            "This record was merged into another; change that one.".into(),
        ))
    }
}

/// Someone else saved the record since the caller read it.
fn changed_since() -> AppError {
    AppError::Conflict(
        "Someone changed this since you loaded it. Reload to see their change.".into(),
    )
}

fn person_found(p: Option<Person>) -> AppResult<Person> {
    p.ok_or_else(|| AppError::NotFound("The person".into()))
}

fn organization_found(o: Option<Organization>) -> AppResult<Organization> {
    o.ok_or_else(|| AppError::NotFound("The organization".into()))
}
