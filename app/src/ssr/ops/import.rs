//! Importing a CSV file of deals, people or organizations. Every row is read and
//! checked first, its stage, pipeline and owner found by name; only a file without a
//! single error is written, in one transaction: all its rows or none. A dry run stops
//! after the checks and says what would be made. Rows that name a record kept already
//! (by id, as Tend's own export writes them; a person by email; an organization by
//! name) leave it as it is, so importing an export again changes nothing.

use super::contacts::{add_person, organization_named};
use super::deals::{add, change_in};
use crate::domain::contact::{ContactEventKind, OrganizationDraft, PersonDraft};
use crate::domain::deal::{DealChange, DealStatus, NewDeal};
use crate::domain::event::instant;
use crate::domain::ids::{DealId, OrganizationId, PersonId, UserId};
use crate::domain::import::{
    Columns, Field, ImportDeal, ImportKind, ImportOrganization, ImportPerson, ImportProgress,
    ImportReport, Mapping, RowError,
};
use crate::domain::money::Currency;
use crate::domain::pipeline::{Pipeline, Stage};
use crate::domain::user::User;
use crate::error::AppResult;
use crate::ssr::db::contact_events::{self, Subject};
use crate::ssr::db::{deals, organizations, persons, pipelines, users, Db, Tx};
use crate::ssr::import;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// What to import and how.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    pub kind: ImportKind,
    pub mapping: Mapping,
    /// For deals whose row names no currency.
    pub currency: Currency,
    pub dry_run: bool,
    /// What each column fills, as chosen on the import page; none: recognised by its
    /// heading (`mapping`).
    pub fields: Option<Vec<Option<Field>>>,
}

/// How many errors a report lists; the rest are counted.
pub const ERRORS_SHOWN: usize = 1_000;
/// How many rows a report carries as they were read, for a page to preview.
pub const SAMPLE_ROWS: usize = 3;

/// Imports `file` as `caller` (the owner of deals that name none, and who the logs
/// say made each record). `progress` hears how many rows are written of how many.
pub async fn run(
    db: &Db,
    caller: &User,
    options: &ImportOptions,
    file: &[u8],
    now: DateTime<Utc>,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> AppResult<ImportReport> {
    let now = instant(now);
    let sheet = import::read(file)?;
    let columns = match &options.fields {
        Some(fields) => Columns::chosen(options.kind, &sheet.header, fields)?,
        None => Columns::heard(options.kind, options.mapping, &sheet.header),
    };
    let mut report = ImportReport {
        rows: sheet.rows.len(),
        columns: sheet
            .header
            .iter()
            .zip(&columns.fields)
            .map(|(h, f)| (h.clone(), f.map(|f| f.name().to_string())))
            .collect(),
        sample: sheet
            .rows
            .iter()
            .take(SAMPLE_ROWS)
            .map(|(_, cells)| cells.clone())
            .collect(),
        ..ImportReport::default()
    };
    // A file whose columns miss a field every record needs: said as its heading's
    // error, with the columns, so a page can ask which column holds it.
    let columns = match columns.complete() {
        Ok(columns) => columns,
        Err(e) => {
            report.errors = vec![RowError::of(1, e)];
            report.error_count = 1;
            return Ok(report);
        }
    };
    let mut errors = Vec::new();
    let rows = match options.kind {
        ImportKind::Deals => {
            // A new team's first import finds the brief's pipeline, as its first page does.
            super::pipelines::ensure_default(db, now).await?;
            let mut tx = db.read().await?;
            let known = Known::read(&mut tx, caller).await?;
            let mut rows = Vec::new();
            for (line, cells) in &sheet.rows {
                match columns.deal(*line, cells, &options.currency) {
                    Ok(deal) => match known.place(*line, &deal) {
                        Ok(place) => rows.push(Row::Deal(deal, place)),
                        Err(e) => errors.push(e),
                    },
                    Err(e) => errors.extend(e),
                }
            }
            rows
        }
        ImportKind::People => read_rows(&sheet.rows, &mut errors, |l, c| {
            columns.person(l, c).map(Row::Person)
        }),
        ImportKind::Organizations => read_rows(&sheet.rows, &mut errors, |l, c| {
            columns.organization(l, c).map(Row::Organization)
        }),
    };
    report.error_count = errors.len();
    errors.truncate(ERRORS_SHOWN);
    report.errors = errors;
    if report.error_count > 0 || options.dry_run {
        let mut tx = db.read().await?;
        for row in &rows {
            if row.is_kept(&mut tx).await? {
                report.kept += 1;
            } else {
                report.created += 1;
            }
        }
        return Ok(report);
    }
    let mut tx = db.write().await?;
    let mut names = Names::default();
    let total = rows.len();
    for (done, row) in rows.into_iter().enumerate() {
        if row.write(&mut tx, caller.id, &mut names, now).await? {
            report.created += 1;
        } else {
            report.kept += 1;
        }
        if (done + 1) % 500 == 0 || done + 1 == total {
            progress(done + 1, total);
        }
    }
    tx.commit().await?;
    report.written = true;
    Ok(report)
}

/// Who an import from the console is made as: the user with `email`, else the first
/// admin.
pub async fn importer(db: &Db, email: Option<&str>) -> AppResult<User> {
    let mut tx = db.read().await?;
    let all = users::list(&mut tx).await?;
    let found = match email {
        Some(e) => all
            .into_iter()
            .find(|u| u.email.eq_ignore_ascii_case(e.trim())),
        None => all.into_iter().find(|u| u.is_admin),
    };
    found.ok_or_else(|| {
        crate::error::AppError::invalid("as", "names no user: create one with `tend user add`")
    })
}

fn read_rows(
    rows: &[(u64, Vec<String>)],
    errors: &mut Vec<RowError>,
    read: impl Fn(u64, &[String]) -> Result<Row, Vec<RowError>>,
) -> Vec<Row> {
    let mut out = Vec::new();
    for (line, cells) in rows {
        match read(*line, cells) {
            Ok(row) => out.push(row),
            Err(e) => errors.extend(e),
        }
    }
    out
}

/// Where a deal's row puts it: its stage and owner, found by name.
struct Place {
    stage: Stage,
    owner: UserId,
}

/// The pipelines and people a deal's row may name.
struct Known {
    pipelines: Vec<Pipeline>,
    users: Vec<User>,
    caller: UserId,
}

impl Known {
    async fn read(tx: &mut Tx, caller: &User) -> AppResult<Known> {
        Ok(Known {
            pipelines: pipelines::list(tx).await?,
            users: users::list(tx).await?,
            caller: caller.id,
        })
    }

    /// The stage (in the pipeline named, else the first) and owner (by email or name,
    /// else the one importing) of `deal`; an unknown one is the row's error.
    fn place(&self, line: u64, deal: &ImportDeal) -> Result<Place, RowError> {
        let refused = |field: &str, message: String| RowError {
            line,
            field: Some(field.into()),
            message,
        };
        let same = |a: &str, b: &str| a.trim().to_lowercase() == b.trim().to_lowercase();
        let pipeline = match &deal.pipeline {
            Some(name) => self
                .pipelines
                .iter()
                .find(|p| same(&p.name, name))
                .ok_or_else(|| {
                    refused(
                        "pipeline",
                        format!("Pipeline: no pipeline is called “{name}”"),
                    )
                })?,
            None => self
                .pipelines
                .first()
                .ok_or_else(|| refused("pipeline", "Pipeline: there is none yet".into()))?,
        };
        let stage = pipeline
            .stages
            .iter()
            .find(|s| same(&s.name, &deal.stage))
            .ok_or_else(|| {
                refused(
                    "stage",
                    format!(
                        "Stage: “{}” has no stage called “{}”",
                        pipeline.name, deal.stage
                    ),
                )
            })?;
        let owner = match &deal.owner {
            None => self.caller,
            Some(who) => self
                .users
                .iter()
                .find(|u| same(&u.email, who) || same(&u.name, who))
                .map(|u| u.id)
                .ok_or_else(|| refused("owner_email", format!("Owner: no user is “{who}”")))?,
        };
        Ok(Place {
            stage: stage.clone(),
            owner,
        })
    }
}

enum Row {
    Deal(ImportDeal, Place),
    Person(ImportPerson),
    Organization(ImportOrganization),
}

/// Organizations and people found or made so far in this import, by name and email.
#[derive(Default)]
struct Names {
    organizations: HashMap<String, OrganizationId>,
    people: HashMap<String, PersonId>,
}

impl Row {
    /// Whether the row names a record kept already.
    async fn is_kept(&self, tx: &mut Tx) -> AppResult<bool> {
        Ok(match self {
            Row::Deal(d, _) => match d.id {
                Some(id) => deals::exists(tx, id).await?,
                None => false,
            },
            Row::Person(p) => person_kept(tx, p).await?.is_some(),
            Row::Organization(o) => organization_kept(tx, o).await?.is_some(),
        })
    }

    /// Writes the row, or leaves the record it names as it is (`false`).
    async fn write(
        self,
        tx: &mut Tx,
        actor: UserId,
        names: &mut Names,
        now: DateTime<Utc>,
    ) -> AppResult<bool> {
        match self {
            Row::Deal(d, place) => write_deal(tx, actor, names, d, place, now).await,
            Row::Person(p) => {
                if person_kept(tx, &p).await?.is_some() {
                    return Ok(false);
                }
                let at = p.created_at.map(instant).unwrap_or(now);
                let organization = match &p.organization {
                    Some(name) => Some(organization(tx, actor, names, name, at).await?),
                    None => None,
                };
                let draft = PersonDraft {
                    id: p.id,
                    name: p.name,
                    job_title: p.job_title,
                    email: p.email,
                    phone: p.phone,
                    organization_id: organization,
                    organization: None,
                };
                let (person, _) = draft.parse(at)?;
                add_person(tx, actor, &person).await
            }
            Row::Organization(o) => {
                if organization_kept(tx, &o).await?.is_some() {
                    return Ok(false);
                }
                let at = o.created_at.map(instant).unwrap_or(now);
                let org = OrganizationDraft {
                    id: o.id,
                    name: o.name,
                    website: o.website,
                }
                .parse(at)?;
                organizations::insert(tx, &org).await?;
                let created = ContactEventKind::Created {
                    name: org.name.clone(),
                };
                contact_events::append(
                    tx,
                    Subject::Organization(org.id),
                    at,
                    Some(actor),
                    &created,
                )
                .await?;
                names.organizations.insert(org.name.to_lowercase(), org.id);
                Ok(true)
            }
        }
    }
}

async fn write_deal(
    tx: &mut Tx,
    actor: UserId,
    names: &mut Names,
    d: ImportDeal,
    place: Place,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    // A row without an id makes a new deal: only an id from the file can be kept.
    if let Some(id) = d.id {
        if deals::exists(tx, id).await? {
            return Ok(false);
        }
    }
    let id = d.id.unwrap_or_default();
    let at = d.created_at.map(instant).unwrap_or(now).min(now);
    let organization_id = match &d.organization {
        Some(name) => Some(organization(tx, actor, names, name, at).await?),
        None => None,
    };
    let person_id = match &d.person {
        Some(name) => Some(
            person(
                tx,
                actor,
                names,
                name,
                d.person_email.as_deref(),
                organization_id,
                at,
            )
            .await?,
        ),
        None => None,
    };
    let new = NewDeal {
        id: DealId(id.0),
        title: d.title,
        value: d.value,
        stage_id: place.stage.id,
        owner_id: place.owner,
        expected_close_date: d.expected_close,
        probability: d.probability,
        organization_id,
        person_id,
        lead_source: d.lead_source,
    };
    let made = add(tx, actor, new, &place.stage, at).await?;
    let closed = match d.closed_at {
        Some(t) => instant(t).clamp(at, now),
        None => at,
    };
    let close = match d.status {
        DealStatus::Open => None,
        DealStatus::Won => Some(DealChange::Win),
        DealStatus::Lost => Some(DealChange::Lose(
            d.lost_reason
                .unwrap_or_else(|| "Not given in the import".into()),
        )),
    };
    if let Some(change) = close {
        change_in(tx, actor, made.deal, change, closed).await?;
    }
    Ok(true)
}

/// The organization called `name`: one found or made earlier in this import, else
/// one kept (ignoring case), else a new one.
async fn organization(
    tx: &mut Tx,
    actor: UserId,
    names: &mut Names,
    name: &str,
    at: DateTime<Utc>,
) -> AppResult<OrganizationId> {
    let key = name.to_lowercase();
    if let Some(id) = names.organizations.get(&key) {
        return Ok(*id);
    }
    let id = organization_named(tx, actor, name, at).await?;
    names.organizations.insert(key, id);
    Ok(id)
}

/// The person a deal's row names: by email when it gives one (kept or new), else a
/// new person of that name, made once per import.
#[allow(clippy::too_many_arguments)]
async fn person(
    tx: &mut Tx,
    actor: UserId,
    names: &mut Names,
    name: &str,
    email: Option<&str>,
    organization_id: Option<OrganizationId>,
    at: DateTime<Utc>,
) -> AppResult<PersonId> {
    let key = email.map_or_else(|| format!("name:{}", name.to_lowercase()), str::to_string);
    if let Some(id) = names.people.get(&key) {
        return Ok(*id);
    }
    let kept = match email {
        Some(e) => persons::find_by_email(tx, e).await?,
        None => None,
    };
    let id = match kept {
        Some(id) => id,
        None => {
            let draft = PersonDraft {
                name: name.into(),
                email: email.map(Into::into),
                organization_id,
                ..PersonDraft::default()
            };
            let (p, _) = draft.parse(at)?;
            add_person(tx, actor, &p).await?;
            p.id
        }
    };
    names.people.insert(key, id);
    Ok(id)
}

async fn person_kept(tx: &mut Tx, p: &ImportPerson) -> AppResult<Option<PersonId>> {
    if let Some(id) = p.id {
        if persons::find(tx, id).await?.is_some() {
            return Ok(Some(id));
        }
    }
    match &p.email {
        Some(e) => persons::find_by_email(tx, e).await,
        None => Ok(None),
    }
}

async fn organization_kept(
    tx: &mut Tx,
    o: &ImportOrganization,
) -> AppResult<Option<OrganizationId>> {
    if let Some(id) = o.id {
        if organizations::find(tx, id).await?.is_some() {
            return Ok(Some(id));
        }
    }
    organizations::find_by_name(tx, &o.name).await
}

/// The imports being written on this server, by the id the page gave each, with who
/// started it. One is written at a time: a file of 50,000 rows holds the write lock
/// for seconds, and two at once would only queue behind each other.
#[derive(Clone, Debug, Default)]
pub struct Imports(std::sync::Arc<std::sync::Mutex<HashMap<uuid::Uuid, (UserId, ImportProgress)>>>);

/// The right to write one import; its progress is forgotten when it is dropped.
pub struct Writing {
    imports: Imports,
    job: uuid::Uuid,
}

impl Imports {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<uuid::Uuid, (UserId, ImportProgress)>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Starts writing import `job` for `by`, or refuses while another is written.
    pub fn start(&self, job: uuid::Uuid, by: UserId) -> AppResult<Writing> {
        let mut all = self.lock();
        if !all.is_empty() {
            return Err(crate::error::AppError::Conflict(
                "Another import is being written right now. Try again when it is done.".into(),
            ));
        }
        all.insert(job, (by, ImportProgress { done: 0, total: 0 }));
        Ok(Writing {
            imports: self.clone(),
            job,
        })
    }

    /// How far `by`'s import `job` has got; none when it is not (or no longer) written.
    pub fn progress(&self, job: uuid::Uuid, by: UserId) -> Option<ImportProgress> {
        self.lock()
            .get(&job)
            .filter(|(owner, _)| *owner == by)
            .map(|(_, p)| *p)
    }
}

impl Writing {
    pub fn tell(&self, done: usize, total: usize) {
        if let Some((_, p)) = self.imports.lock().get_mut(&self.job) {
            *p = ImportProgress { done, total };
        }
    }
}

impl Drop for Writing {
    fn drop(&mut self) {
        self.imports.lock().remove(&self.job);
    }
}
