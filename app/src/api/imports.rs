//! The import page's questions; its file goes to `POST /import/upload` (the server's
//! `import` module), which is not a server function because the file travels as it is.

use crate::domain::import::ImportProgress;
use crate::domain::user::User;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{Json, Postcard};

/// Who is signed in, for the page's frame.
#[server(endpoint = "import_page", input = Json, output = Postcard)]
pub async fn load_import_page() -> Result<User, AppError> {
    use super::context::{caller, settle};
    settle(caller().await.map(|(_, user)| user))
}

/// How far the caller's import `job` has been written; none before it starts and
/// after it ends.
#[server(endpoint = "import_progress", input = Json, output = Postcard)]
pub async fn how_far(job: uuid::Uuid) -> Result<Option<ImportProgress>, AppError> {
    use super::context::{caller, settle};
    settle(
        caller()
            .await
            .map(|(state, user)| state.imports.progress(job, user.id)),
    )
}
