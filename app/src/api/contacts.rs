//! People and organizations: the lists, each one's page, creating and changing them,
//! the search a picker runs, likely duplicates and merging.

use crate::domain::contact::{
    Duplicates, Organization, OrganizationDraft, OrganizationPage, OrganizationPatch,
    OrganizationRow, Person, PersonDraft, PersonPage, PersonPatch, PersonRow,
};
use crate::domain::ids::{OrganizationId, PersonId};
use crate::domain::user::User;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{Json, Postcard};
use serde::{Deserialize, Serialize};

/// How many rows a list shows; a search narrows a longer one.
pub const LIST_MAX: i64 = 300;
/// How many matches a picker offers.
pub const PICK_MAX: i64 = 8;

/// The people list or the organizations list, searched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactList {
    pub me: User,
    pub people: Vec<PersonRow>,
    pub organizations: Vec<OrganizationRow>,
}

#[server(endpoint = "contacts", input = Json, output = Postcard)]
pub async fn load_contacts(
    organizations: bool,
    search: Option<String>,
) -> Result<ContactList, AppError> {
    use super::context::{caller, settle};
    use crate::ssr::ops::contacts;
    settle(
        async {
            let (state, user) = caller().await?;
            let search = words(search)?;
            let (people, orgs) = if organizations {
                let found = contacts::organizations(&state.db, &user, search.as_deref(), LIST_MAX);
                (Vec::new(), found.await?)
            } else {
                let found = contacts::people(&state.db, &user, search.as_deref(), None, LIST_MAX);
                (found.await?, Vec::new())
            };
            Ok(ContactList {
                me: user,
                people,
                organizations: orgs,
            })
        }
        .await,
    )
}

/// What a picker offers for `search`: people or organizations, a few.
#[server(endpoint = "pick_contacts", input = Json, output = Postcard)]
pub async fn pick_contacts(
    organizations: bool,
    search: String,
) -> Result<Vec<(uuid::Uuid, String, Option<String>)>, AppError> {
    use super::context::{caller, settle};
    use crate::ssr::ops::contacts;
    settle(
        async {
            let (state, user) = caller().await?;
            let search = words(Some(search))?;
            Ok(if organizations {
                contacts::organizations(&state.db, &user, search.as_deref(), PICK_MAX)
                    .await?
                    .into_iter()
                    .map(|r| {
                        (
                            r.organization.id.0,
                            r.organization.name,
                            r.organization.website,
                        )
                    })
                    .collect()
            } else {
                contacts::people(&state.db, &user, search.as_deref(), None, PICK_MAX)
                    .await?
                    .into_iter()
                    .map(|r| (r.person.id.0, r.person.name, r.organization))
                    .collect()
            })
        }
        .await,
    )
}

/// Search text: trimmed, bounded, no control characters; blank means all.
#[cfg(feature = "ssr")]
fn words(search: Option<String>) -> Result<Option<String>, AppError> {
    Ok(crate::domain::validation::optional_text(
        "search",
        search.as_deref(),
        100,
    )?)
}

// The pages carry the log, whose changes are JSON values: they travel as JSON.
#[server(endpoint = "person_page", input = Json)]
pub async fn load_person(id: PersonId) -> Result<(User, PersonPage), AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            let page = crate::ssr::ops::contacts::person_page(&state.db, &user, id).await?;
            Ok((user, page))
        }
        .await,
    )
}

#[server(endpoint = "organization_page", input = Json)]
pub async fn load_organization(id: OrganizationId) -> Result<(User, OrganizationPage), AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            let page = crate::ssr::ops::contacts::organization_page(&state.db, &user, id).await?;
            Ok((user, page))
        }
        .await,
    )
}

#[server(endpoint = "create_person", input = Json, output = Postcard)]
pub async fn create_person(draft: PersonDraft) -> Result<Person, AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            crate::ssr::ops::contacts::create_person(&state.db, &user, draft, chrono::Utc::now())
                .await
        }
        .await,
    )
}

#[server(endpoint = "create_organization", input = Json, output = Postcard)]
pub async fn create_organization(draft: OrganizationDraft) -> Result<Organization, AppError> {
    use super::context::{caller, settle};
    use crate::ssr::ops::contacts;
    settle(
        async {
            let (state, user) = caller().await?;
            contacts::create_organization(&state.db, &user, draft, chrono::Utc::now()).await
        }
        .await,
    )
}

#[server(endpoint = "change_person", input = Json, output = Postcard)]
pub async fn change_person(id: PersonId, patch: PersonPatch) -> Result<Person, AppError> {
    use super::context::{caller, settle};
    use crate::ssr::ops::contacts;
    settle(
        async {
            let (state, user) = caller().await?;
            contacts::change_person(&state.db, &user, id, patch, chrono::Utc::now()).await
        }
        .await,
    )
}

#[server(endpoint = "change_organization", input = Json, output = Postcard)]
pub async fn change_organization(
    id: OrganizationId,
    patch: OrganizationPatch,
) -> Result<Organization, AppError> {
    use super::context::{caller, settle};
    use crate::ssr::ops::contacts;
    settle(
        async {
            let (state, user) = caller().await?;
            contacts::change_organization(&state.db, &user, id, patch, chrono::Utc::now()).await
        }
        .await,
    )
}

#[server(endpoint = "duplicates", input = Json, output = Postcard)]
pub async fn load_duplicates() -> Result<(User, Duplicates), AppError> {
    use super::context::{caller, settle};
    settle(
        async {
            let (state, user) = caller().await?;
            let found = crate::ssr::ops::contacts::duplicates(&state.db, &user).await?;
            Ok((user, found))
        }
        .await,
    )
}

/// Merges `gone` into `keep`: people when `organizations` is false. Answers the name
/// of the one kept.
#[server(endpoint = "merge", input = Json, output = Postcard)]
pub async fn merge(
    organizations: bool,
    keep: uuid::Uuid,
    gone: uuid::Uuid,
) -> Result<String, AppError> {
    use super::context::{caller, settle};
    use crate::ssr::ops::contacts;
    settle(
        async {
            let (state, user) = caller().await?;
            let now = chrono::Utc::now();
            let name = if organizations {
                let (keep, gone) = (OrganizationId(keep), OrganizationId(gone));
                contacts::merge_organizations(&state.db, &user, keep, gone, now)
                    .await?
                    .name
            } else {
                let (keep, gone) = (PersonId(keep), PersonId(gone));
                contacts::merge_people(&state.db, &user, keep, gone, now)
                    .await?
                    .name
            };
            state.hub.wake();
            Ok(name)
        }
        .await,
    )
}
