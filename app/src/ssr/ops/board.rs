//! Reading the board: one snapshot holding the pipeline, exact per-stage sums and the
//! newest cards of each stage.

use crate::domain::board::{self, Board, BoardPage};
use crate::domain::ids::{PipelineId, UserId};
use crate::domain::user::User;
use crate::domain::validation::is_forbidden_char;
use crate::error::{AppError, AppResult};
use crate::ssr::db::{deal_events, deals, lost_reasons, pipelines, users, Db};
use chrono::{DateTime, Utc};

/// Cards sent per column; the sums always cover every deal.
pub const CARDS_PER_STAGE: i64 = 200;

/// The longest search text the board takes.
pub const SEARCH_MAX_CHARS: usize = 200;

/// Turns what a person typed into a `LIKE` pattern that matches it literally; refuses
/// text too long to be a search, or with characters no title holds.
pub fn like_pattern(text: &str) -> AppResult<Option<String>> {
    let text = text.trim();
    if text.len() > 4 * SEARCH_MAX_CHARS || text.chars().count() > SEARCH_MAX_CHARS {
        return Err(AppError::invalid(
            "q",
            format!("Search text must be at most {SEARCH_MAX_CHARS} characters."),
        ));
    }
    if text.chars().any(is_forbidden_char) {
        return Err(AppError::invalid(
            "q",
            "Search text must not contain control characters.",
        ));
    }
    let text = text.to_lowercase();
    if text.is_empty() {
        return Ok(None);
    }
    let escaped: String = text
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    Ok(Some(format!("%{escaped}%")))
}

pub async fn board_page(
    db: &Db,
    caller: &User,
    pipeline: Option<PipelineId>,
    owner: Option<UserId>,
    text: &str,
    now: DateTime<Utc>,
) -> AppResult<BoardPage> {
    let pattern = like_pattern(text)?;
    let mut tx = db.read().await?;
    let position = deal_events::position(&mut tx).await?;
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
        text: pattern,
    };
    let sums = deals::board_sums(&mut tx, chosen.id, &filter).await?;
    let cards = deals::board_cards(&mut tx, chosen.id, &filter, CARDS_PER_STAGE).await?;
    let columns = board::columns(&chosen, &sums, cards);
    let forecast = super::forecast::periods(&mut tx, &chosen, owner, now).await?;
    Ok(BoardPage {
        forecast,
        pipelines: all.iter().map(|p| (p.id, p.name.clone())).collect(),
        board: Board {
            pipeline: chosen,
            columns,
            filter: board::BoardFilter {
                owner,
                text: Some(text.trim().to_ascii_lowercase()).filter(|t| !t.is_empty()),
            },
            position,
            ahead: Vec::new(),
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
        assert_eq!(like_pattern("  ").unwrap(), None);
        assert_eq!(like_pattern("Acme").unwrap().as_deref(), Some("%acme%"));
        assert_eq!(
            like_pattern("50%_off").unwrap().as_deref(),
            Some("%50\\%\\_off%")
        );
    }

    #[test]
    fn search_text_is_bounded_and_plain() {
        let long = "a".repeat(super::SEARCH_MAX_CHARS + 1);
        assert!(like_pattern(&long).unwrap_err().field("q").is_some());
        assert!(like_pattern("a\u{0}b").is_err());
    }
}
