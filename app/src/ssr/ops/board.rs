//! Reading the board: one snapshot holding the pipeline, exact per-stage sums and the
//! newest cards of each stage.

use crate::domain::board::{self, Board, BoardPage};
use crate::domain::ids::{PipelineId, UserId};
use crate::domain::user::User;
use crate::error::{AppError, AppResult};
use crate::ssr::db::{deals, lost_reasons, pipelines, users, Db};
use chrono::{DateTime, Utc};

/// Cards sent per column; the sums always cover every deal.
pub const CARDS_PER_STAGE: i64 = 200;

/// Turns what a person typed into a `LIKE` pattern that matches it literally.
pub fn like_pattern(text: &str) -> Option<String> {
    let text = text.trim().to_lowercase();
    if text.is_empty() {
        return None;
    }
    let escaped: String = text
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    Some(format!("%{escaped}%"))
}

pub async fn board_page(
    db: &Db,
    caller: &User,
    pipeline: Option<PipelineId>,
    owner: Option<UserId>,
    text: &str,
    now: DateTime<Utc>,
) -> AppResult<BoardPage> {
    let mut tx = db.read().await?;
    let all = pipelines::list(&mut tx).await?;
    let chosen = match pipeline {
        Some(id) => all
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| AppError::NotFound("The pipeline".into()))?,
        None => all
            .first()
            .ok_or_else(|| AppError::NotFound("A pipeline".into()))?,
    }
    .clone();
    let filter = deals::BoardFilter {
        owner_id: owner,
        text: like_pattern(text),
    };
    let sums = deals::board_sums(&mut tx, chosen.id, &filter).await?;
    let cards = deals::board_cards(&mut tx, chosen.id, &filter, CARDS_PER_STAGE).await?;
    let columns = board::columns(&chosen, &sums, cards);
    Ok(BoardPage {
        pipelines: all.iter().map(|p| (p.id, p.name.clone())).collect(),
        board: Board {
            pipeline: chosen,
            columns,
            now,
        },
        users: users::list(&mut tx).await?,
        lost_reasons: lost_reasons::list(&mut tx).await?,
        me: caller.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn search_text_matches_literally() {
        assert_eq!(like_pattern("  "), None);
        assert_eq!(like_pattern("Acme").as_deref(), Some("%acme%"));
        assert_eq!(like_pattern("50%_off").as_deref(), Some("%50\\%\\_off%"));
    }
}
