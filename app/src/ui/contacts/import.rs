//! Importing a CSV file from the page (`/import`): choose what it holds and the file;
//! Tend checks every row at once (a dry run) and shows which column fills which field,
//! the first rows, and every error with its line. A column's field can be changed,
//! which checks again. Only a file without an error can be imported, all of it in one
//! go, with a bar that shows the rows written. It lives in the people chunk: it fills
//! the same lists.

use crate::api::imports::{how_far, load_import_page};
use crate::domain::import::{Field, ImportKind, ImportProgress, ImportReport};
use crate::error::AppError;
use crate::ui::leads::CurrencyPicker;
use crate::ui::sheets::{Sheet, PAGES};
use crate::ui::widgets::{urlencode, Failure, Frame};
use codee::binary::PostcardCodec;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use send_wrapper::SendWrapper;
use std::time::Duration;

/// Where the file goes (the server's `import::PATH`).
const UPLOAD: &str = "/import/upload";
/// How often the page asks how far an import has been written.
const POLL_EVERY: Duration = Duration::from_millis(400);

#[component]
pub fn ImportPage() -> impl IntoView {
    let data = Resource::<_, PostcardCodec>::new_with_options(|| (), |_| load_import_page(), false);
    view! {
        <Title text="Import · Tend"/>
        <Sheet sheet=PAGES/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(me) => view! { <Frame user=me><Importer/></Frame> }.into_any(),
                    Err(e) => view! { <Failure error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The page's state between its steps.
#[derive(Clone, Copy)]
struct Form {
    kind: RwSignal<ImportKind>,
    mapping: RwSignal<String>,
    currency: RwSignal<String>,
    /// What each column fills, once checked; none: recognise the headings.
    fields: RwSignal<Option<Vec<Option<Field>>>>,
    /// The file chosen: only ever set in the browser, so the server (whose threads
    /// may drop the page's state) never holds one.
    file: StoredValue<Option<SendWrapper<web_sys::File>>>,
    file_name: RwSignal<Option<String>>,
    /// The last check's report, or the import's once written.
    report: RwSignal<Option<ImportReport>>,
    error: RwSignal<Option<String>>,
    checking: RwSignal<bool>,
    /// Rows written so far while an import is written.
    writing: RwSignal<Option<ImportProgress>>,
}

impl Form {
    fn query(&self, dry_run: bool, job: Option<uuid::Uuid>) -> String {
        let mut q = format!(
            "kind={}&mapping={}&currency={}&dry_run={dry_run}",
            self.kind.get_untracked().name(),
            urlencode(&self.mapping.get_untracked()),
            urlencode(&self.currency.get_untracked()),
        );
        if let Some(fields) = self.fields.get_untracked() {
            let names: Vec<&str> = fields.iter().map(|f| f.map_or("", Field::name)).collect();
            q.push_str(&format!("&fields={}", urlencode(&names.join(","))));
        }
        if let Some(job) = job {
            q.push_str(&format!("&job={job}"));
        }
        q
    }

    /// Checks the chosen file (a dry run): nothing is written.
    fn check(self) {
        let Some(file) = self.file.get_value().map(SendWrapper::take) else {
            return;
        };
        self.checking.set(true);
        self.error.set(None);
        let query = self.query(true, None);
        spawn_local(async move {
            match send(file, query).await {
                Ok(report) => {
                    let kind = self.kind.get_untracked();
                    let fields = report
                        .columns
                        .iter()
                        .map(|(_, f)| f.as_deref().and_then(|n| kind.field(n)))
                        .collect();
                    self.fields.set(Some(fields));
                    self.report.set(Some(report));
                }
                Err(e) => {
                    self.report.set(None);
                    self.error.set(Some(e.to_string()));
                }
            }
            self.checking.set(false);
        });
    }

    /// Writes the checked file, asking meanwhile how far it has got.
    fn import(self) {
        let Some(file) = self.file.get_value().map(SendWrapper::take) else {
            return;
        };
        let job = uuid::Uuid::now_v7();
        let total = self.report.get_untracked().map_or(0, |r| r.rows);
        self.writing.set(Some(ImportProgress { done: 0, total }));
        self.error.set(None);
        let poll = set_interval_with_handle(
            move || {
                spawn_local(async move {
                    if let Ok(Some(p)) = how_far(job).await {
                        if self.writing.get_untracked().is_some() {
                            self.writing.set(Some(p));
                        }
                    }
                })
            },
            POLL_EVERY,
        )
        .ok();
        let query = self.query(false, Some(job));
        spawn_local(async move {
            let result = send(file, query).await;
            if let Some(poll) = poll {
                poll.clear();
            }
            self.writing.set(None);
            match result {
                Ok(report) => self.report.set(Some(report)),
                Err(e) => self.error.set(Some(e.to_string())),
            }
        });
    }

    /// Back to a blank form, for the next file.
    fn reset(self) {
        self.file.set_value(None);
        self.file_name.set(None);
        self.fields.set(None);
        self.report.set(None);
        self.error.set(None);
    }
}

#[component]
fn Importer() -> impl IntoView {
    let form = Form {
        kind: RwSignal::new(ImportKind::Deals),
        mapping: RwSignal::new("auto".to_string()),
        currency: RwSignal::new("SEK".to_string()),
        fields: RwSignal::new(None),
        file: StoredValue::new(None),
        file_name: RwSignal::new(None),
        report: RwSignal::new(None),
        error: RwSignal::new(None),
        checking: RwSignal::new(false),
        writing: RwSignal::new(None),
    };
    let input = NodeRef::<leptos::html::Input>::new();
    let chose_file = move |_| {
        let file = input
            .get()
            .and_then(|i| i.files())
            .and_then(|list| list.get(0));
        form.file_name.set(file.as_ref().map(|f| f.name()));
        form.file.set_value(file.map(SendWrapper::new));
        // Emptied, so that choosing the same file again (once fixed) checks it again.
        if let Some(i) = input.get() {
            i.set_value("");
        }
        form.fields.set(None);
        form.report.set(None);
        form.check();
    };
    // Another kind or other headings: recognise the columns again.
    let rechoose = move || {
        form.fields.set(None);
        form.check();
    };
    let written = move || form.report.with(|r| r.as_ref().is_some_and(|r| r.written));
    view! {
        <div class="contacts import">
            <nav class="crumbs"><a href="/people">"← People"</a></nav>
            <h1>"Import from a CSV file"</h1>
            <p class="record-held">
                "Deals, people or organizations, from Tend's own export, Pipedrive or HubSpot. Tend checks \
                 every row first and writes nothing unless every row is right; then it writes the whole file \
                 at once. Rows naming a record Tend has already (by its Tend id, a person by email, an \
                 organization by name) leave it as it is, so importing an export again changes nothing."
            </p>
            <Show when=move || !written()>
                <div class="card-panel import-choose">
                    <fieldset>
                        <legend>"The file holds"</legend>
                        {ImportKind::ALL
                            .into_iter()
                            .map(|k| {
                                view! {
                                    <label class="choice">
                                        <input
                                            type="radio"
                                            name="kind"
                                            value=k.name()
                                            prop:checked=move || form.kind.get() == k
                                            on:change=move |_| {
                                                form.kind.set(k);
                                                rechoose();
                                            }
                                        />
                                        {kind_label(k)}
                                    </label>
                                }
                            })
                            .collect_view()}
                    </fieldset>
                    <div class="import-options">
                        <label>
                            "Column headings from"
                            <select on:change=move |ev| {
                                form.mapping.set(event_target_value(&ev));
                                rechoose();
                            }>
                                <option value="auto" selected=true>"Tend, Pipedrive or HubSpot"</option>
                                <option value="pipedrive">"Pipedrive"</option>
                                <option value="hubspot">"HubSpot"</option>
                            </select>
                        </label>
                        <Show when=move || form.kind.get() == ImportKind::Deals>
                            <span on:change=move |_| form.check()>
                                <CurrencyPicker currency=form.currency/>
                            </span>
                        </Show>
                    </div>
                    <label class="import-file">
                        "CSV file (UTF-8; “,” “;” or tab between fields)"
                        <input node_ref=input type="file" accept=".csv,text/csv,text/plain" on:change=chose_file/>
                    </label>
                    {move || form.file_name.get().map(|name| view! {
                        <p class="import-chosen">{format!("Checked: {name}. Changed it? Choose it again.")}</p>
                    })}
                </div>
            </Show>
            {move || form.checking.get().then(|| view! { <p class="loading" role="status">"Checking every row…"</p> })}
            {move || form.error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {move || form.writing.get().map(|p| view! { <Writing progress=p/> })}
            {move || {
                let writing = form.writing.get().is_some();
                form.report.get().filter(|_| !writing).map(|report| view! { <Report report form/> })
            }}
        </div>
    }
}

/// `n` of a kind of record, or of rows: "1 person", "3 deals", "1 row".
fn count(n: usize, kind: Option<ImportKind>) -> String {
    let (one, many) = match kind {
        Some(ImportKind::Deals) => ("deal", "deals"),
        Some(ImportKind::People) => ("person", "people"),
        Some(ImportKind::Organizations) => ("organization", "organizations"),
        None => ("row", "rows"),
    };
    format!("{n} {}", if n == 1 { one } else { many })
}

fn kind_label(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Deals => "Deals",
        ImportKind::People => "People",
        ImportKind::Organizations => "Organizations",
    }
}

/// The bar while the rows are written.
#[component]
fn Writing(progress: ImportProgress) -> impl IntoView {
    let ImportProgress { done, total } = progress;
    view! {
        <div class="card-panel import-writing" role="status">
            <label>
                {format!("Writing {done} of {total} rows…")}
                <progress max=total.max(1).to_string() value=done.to_string()></progress>
            </label>
        </div>
    }
}

/// What a check found, or what an import wrote.
#[component]
fn Report(report: ImportReport, form: Form) -> impl IntoView {
    let kind = form.kind.get_untracked();
    let records = move |n| count(n, Some(kind));
    if report.written {
        let (href, see) = match kind {
            ImportKind::Deals => ("/board", "See the board"),
            ImportKind::People => ("/people", "See people"),
            ImportKind::Organizations => ("/organizations", "See organizations"),
        };
        return view! {
            <div class="card-panel import-done" role="status">
                <h2>"Imported"</h2>
                <p>{format!(
                    "{} added; {} already in Tend, left as {}.",
                    records(report.created),
                    report.kept,
                    if report.kept == 1 { "it was" } else { "they were" },
                )}</p>
                <p class="import-actions">
                    <a class="button primary" href=href>{see}</a>
                    <button type="button" on:click=move |_| form.reset()>"Import another file"</button>
                </p>
            </div>
        }
        .into_any();
    }
    let errors = report.error_count;
    let can_import = errors == 0 && report.rows > 0;
    let summary = if errors > 0 {
        format!(
            "{} read. {errors} {}: fix {} in the file (or choose other columns) and choose the file again. \
             Nothing is imported while any row has an error.",
            count(report.rows, None),
            if errors == 1 { "error" } else { "errors" },
            if errors == 1 { "it" } else { "them" },
        )
    } else if report.rows == 0 {
        "The file has no rows under its headings.".to_string()
    } else {
        format!(
            "{} read, no errors: {} to add, {} already in Tend. Nothing is written until you import.",
            count(report.rows, None),
            records(report.created),
            report.kept
        )
    };
    let more = errors.saturating_sub(report.errors.len());
    view! {
        <section class="card-panel import-report">
            <h2>{match form.file_name.get_untracked() {
                Some(name) => format!("What Tend found in {name}"),
                None => "What Tend found".to_string(),
            }}</h2>
            <p class={if errors > 0 { "import-summary bad" } else { "import-summary" }}>{summary}</p>
            {(!report.errors.is_empty()).then(|| view! {
                <h3>"Errors"</h3>
                <ol class="import-errors">
                    {report.errors.iter().map(|e| view! {
                        <li><strong>{format!("Line {}", e.line)}</strong>" "{e.message.clone()}</li>
                    }).collect_view()}
                </ol>
                {(more > 0).then(|| view! { <p class="record-held">{format!("… and {more} more.")}</p> })}
            })}
            <Columns report=report.clone() form/>
            <p class="import-actions">
                <button type="button" class="primary" disabled=!can_import on:click=move |_| form.import()>
                    {format!("Import {}", records(report.rows))}
                </button>
            </p>
        </section>
    }
    .into_any()
}

/// Each column of the file: its heading, what it fills (to change) and its first
/// values.
#[component]
fn Columns(report: ImportReport, form: Form) -> impl IntoView {
    let kind = form.kind.get_untracked();
    let choose = move |column: usize, name: String| {
        form.fields.update(|fields| {
            if let Some(f) = fields.as_mut().and_then(|f| f.get_mut(column)) {
                *f = kind.field(&name);
            }
        });
        form.check();
    };
    view! {
        <h3>"Columns"</h3>
        <ul class="import-columns">
            {report
                .columns
                .iter()
                .enumerate()
                .map(|(i, (heading, field))| {
                    let firsts: Vec<String> = report
                        .sample
                        .iter()
                        .filter_map(|row| row.get(i))
                        .filter(|c| !c.trim().is_empty())
                        .map(|c| c.chars().take(40).collect())
                        .collect();
                    let heading = if heading.trim().is_empty() { "(no heading)".to_string() } else { heading.clone() };
                    let field = field.clone().unwrap_or_default();
                    view! {
                        <li class:left-out=field.is_empty()>
                            <label>
                                <span class="import-heading">{heading.clone()}</span>
                                <select
                                    aria-label=format!("What “{heading}” fills")
                                    on:change=move |ev| choose(i, event_target_value(&ev))
                                >
                                    <option value="" selected=field.is_empty()>"— left out —"</option>
                                    {kind
                                        .fields()
                                        .map(|f| view! {
                                            <option value=f.name() selected=f.name() == field>{f.label()}</option>
                                        })
                                        .collect_view()}
                                </select>
                            </label>
                            <span class="import-sample">{firsts.join(" · ")}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// Sends `file` to the import with `query` and reads its report.
async fn send(file: web_sys::File, query: String) -> Result<ImportReport, AppError> {
    let lost = |e: gloo_net::Error| AppError::Network(format!("the file could not be sent ({e})"));
    let answer = gloo_net::http::Request::post(&format!("{UPLOAD}?{query}"))
        .header("Content-Type", "text/csv")
        .header("Accept", "application/json")
        .body(file)
        .map_err(lost)?
        .send()
        .await
        .map_err(lost)?;
    let text = answer.text().await.map_err(lost)?;
    if answer.ok() {
        return serde_json::from_str(&text)
            .map_err(|_| AppError::Network("the report could not be read".into()));
    }
    // The API's refusal: `{code, message, field?}`.
    #[derive(serde::Deserialize)]
    struct Refusal {
        message: String,
        field: Option<String>,
    }
    Err(match serde_json::from_str::<Refusal>(&text) {
        Ok(Refusal {
            message,
            field: Some(field),
        }) => AppError::invalid(&field, message),
        Ok(Refusal { message, .. }) => AppError::Refused(message),
        Err(_) => AppError::Network(format!("the server answered {}", answer.status())),
    })
}
