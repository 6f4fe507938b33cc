//! Changes as every screen applies them. A use-case that changes a deal says what it
//! did as a `LiveEvent`: the deal as it stood before (none when new) and as it stands
//! after (none once deleted), with the position of the change in the event log. A board
//! applies events with `Board::apply`, the user's own changes and everyone else's alike,
//! and so keeps its counts and sums exact without reloading.
//!
//! Invariants: an event is applied at most once (a copy that arrives twice, from the
//! answer to one's own change and again from the live stream, changes nothing the
//! second time); an event that shows the board missed an earlier change of the same deal
//! asks for a reload rather than guess.

use super::board::{Board, DealCard};
use super::deal::{Deal, DealStatus};
use super::ids::{DealId, PipelineId, StageId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LiveEvent {
    /// A deal was created, changed or deleted.
    Deal(DealChanged),
    /// What boards are built from (pipelines, stages, people) changed: reload.
    Refetch,
    /// A pipeline's name or stages changed (a stage added, renamed, moved, deleted, its
    /// probability changed), and it reached `version`. Streams also send this as they
    /// start, so a board that was away learns of changes it missed.
    Reshaped {
        pipeline_id: PipelineId,
        version: i64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealChanged {
    /// The change's position in the event log (its last event's, when it wrote several).
    pub log_id: i64,
    pub deal_id: DealId,
    pub before: Option<DealCard>,
    pub after: Option<DealCard>,
}

impl DealChanged {
    /// The version the deal reached (for a deletion, one past the last it had).
    fn version(&self) -> i64 {
        match (&self.after, &self.before) {
            (Some(a), _) => a.version,
            (None, Some(b)) => b.version + 1,
            (None, None) => 0,
        }
    }
}

/// What the log keeps of a change to a deal beside its kind: the deal before and after
/// as the board counts it, and after as the API shows it. With it, a screen or an
/// integration that reconnects replays exactly what it missed, as it was then.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub before: Option<DealCard>,
    pub after: Option<DealCard>,
    /// The deal after the change (none once deleted).
    pub deal: Option<Deal>,
}

impl Snapshot {
    /// The event a board applies for the change logged at `log_id`.
    pub fn event(&self, log_id: i64, deal_id: DealId) -> LiveEvent {
        LiveEvent::Deal(DealChanged {
            log_id,
            deal_id,
            before: self.before.clone(),
            after: self.after.clone(),
        })
    }
}

/// A message on a browser's live stream: a change to apply, who else has the same
/// board open (other people only, each once, by name), or a presenter's cue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StreamMessage {
    Event(LiveEvent),
    Viewers(Vec<Viewer>),
    /// For a meeting-room screen: what its presenter asks.
    Cue(super::display::Cue),
}

/// Someone with a board open.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Viewer {
    pub name: String,
    pub user_id: UserId,
}

/// Everyone in `seats` but `me`, each person once, in order of name.
pub fn others<'a>(seats: impl IntoIterator<Item = &'a Viewer>, me: UserId) -> Vec<Viewer> {
    let mut others: Vec<Viewer> = seats
        .into_iter()
        .filter(|v| v.user_id != me)
        .cloned()
        .collect();
    others.sort();
    others.dedup_by_key(|v| v.user_id);
    others
}

impl StreamMessage {
    /// The text a stream's `data:` line carries: postcard, as hex (a stream is text, and
    /// the browser then needs no JSON or base64 code to read it).
    pub fn encode(&self) -> String {
        use codee::Encoder;
        let bytes = codee::binary::PostcardCodec::encode(self).unwrap_or_default();
        let mut text = String::with_capacity(bytes.len() * 2);
        for b in bytes {
            text.push(HEX[(b >> 4) as usize] as char);
            text.push(HEX[(b & 15) as usize] as char);
        }
        text
    }

    /// `None` for anything `encode` did not make.
    pub fn decode(text: &str) -> Option<StreamMessage> {
        use codee::Decoder;
        let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
        let text = text.as_bytes();
        if text.len() % 2 != 0 {
            return None;
        }
        let bytes = text
            .chunks(2)
            .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
            .collect::<Option<Vec<u8>>>()?;
        codee::binary::PostcardCodec::decode(&bytes).ok()
    }
}

/// The change `change` would make to a shown card, one version on, before the server
/// has said so (its log position is not known yet).
fn preview(before: DealCard, change: impl FnOnce(&mut DealCard)) -> LiveEvent {
    let mut after = before.clone();
    change(&mut after);
    after.version += 1;
    LiveEvent::Deal(DealChanged {
        log_id: 0,
        deal_id: before.id,
        before: Some(before),
        after: Some(after),
    })
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// What applying an event did to a board.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    /// Nothing on this board changed (another pipeline, a filtered-out deal, a copy).
    Nothing,
    /// These columns changed.
    Columns(Vec<StageId>),
    /// The board cannot follow this change: load it again.
    Reload,
}

impl Board {
    /// Applies one event. Where the board holds the deal's card, versions decide: a
    /// copy of a change it already shows is skipped, and a change that starts from a
    /// version it has not seen means one was missed, so the board asks for a reload.
    /// A deal without a card here (beyond the cards loaded, or not shown) counts by its
    /// before and after alone; the log position keeps stream copies from counting twice.
    pub fn apply(&mut self, event: &LiveEvent) -> Applied {
        let change = match event {
            LiveEvent::Deal(change) => change,
            LiveEvent::Refetch => return Applied::Reload,
            LiveEvent::Reshaped {
                pipeline_id,
                version,
            } => {
                return if *pipeline_id == self.pipeline.id && *version > self.pipeline.version {
                    Applied::Reload
                } else {
                    Applied::Nothing
                }
            }
        };
        match self.card(change.deal_id).map(|c| c.version) {
            Some(known) if change.version() <= known => return Applied::Nothing,
            Some(known) if change.before.as_ref().map(|b| b.version) != Some(known) => {
                return Applied::Reload
            }
            None if change.log_id != 0
                && (change.log_id <= self.position || self.ahead.contains(&change.log_id)) =>
            {
                return Applied::Nothing
            }
            _ => {}
        }
        if change.log_id > self.position && !self.ahead.contains(&change.log_id) {
            self.ahead.push(change.log_id);
        }
        self.count_change(change)
    }

    /// Moves the counts and the card from `before` to `after`, unchecked.
    fn count_change(&mut self, change: &DealChanged) -> Applied {
        let mut touched = Vec::new();
        if let Some(before) = change.before.as_ref().filter(|b| self.counts(b)) {
            if let Some(column) = self.column_mut(before.stage_id) {
                column.count(before, -1);
                column.cards.retain(|c| c.id != change.deal_id);
                touched.push(before.stage_id);
            }
        }
        // A card may sit where `before` says it does not count (the filter changed with
        // an edit): it goes wherever it was.
        for column in &mut self.columns {
            let had = column.cards.len();
            column.cards.retain(|c| c.id != change.deal_id);
            if column.cards.len() != had && !touched.contains(&column.stage.id) {
                touched.push(column.stage.id);
            }
        }
        if let Some(after) = change.after.as_ref().filter(|a| self.counts(a)) {
            if let Some(column) = self.column_mut(after.stage_id) {
                column.count(after, 1);
                column.cards.insert(0, after.clone());
                if !touched.contains(&after.stage_id) {
                    touched.push(after.stage_id);
                }
            }
        }
        if touched.is_empty() {
            Applied::Nothing
        } else {
            Applied::Columns(touched)
        }
    }

    /// Notes that the live stream has delivered everything up to `log_id`.
    pub fn reached(&mut self, log_id: i64) {
        self.position = self.position.max(log_id);
        let position = self.position;
        self.ahead.retain(|id| *id > position);
    }

    /// The change a move of a shown card would make, for showing it before the server
    /// answers: the card in `to`, one version on, entered now. `None` when the card is
    /// not here or already in `to`.
    pub fn move_preview(
        &self,
        deal: DealId,
        to: StageId,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<LiveEvent> {
        let before = self.card(deal)?.clone();
        if before.stage_id == to || self.column(to).is_none() {
            return None;
        }
        Some(preview(before, |after| {
            after.stage_id = to;
            after.stage_entered_at = now;
        }))
    }

    /// The change closing a shown card would make (won, or lost): the card leaves the
    /// board one version on. `None` when the card is not here.
    pub fn close_preview(&self, deal: DealId, status: DealStatus) -> Option<LiveEvent> {
        let before = self.card(deal)?.clone();
        Some(preview(before, |after| after.status = status))
    }

    /// Takes back a preview that the server refused: the card as it was, version and
    /// all, and the sums with it.
    pub fn revert(&mut self, preview: &LiveEvent) -> Applied {
        let LiveEvent::Deal(change) = preview else {
            return Applied::Nothing;
        };
        self.count_change(&DealChanged {
            log_id: 0,
            deal_id: change.deal_id,
            before: change.after.clone(),
            after: change.before.clone(),
        })
    }

    pub fn card(&self, deal: DealId) -> Option<&DealCard> {
        self.columns
            .iter()
            .flat_map(|c| c.cards.iter())
            .find(|c| c.id == deal)
    }

    fn column(&self, stage: StageId) -> Option<&super::board::Column> {
        self.columns.iter().find(|c| c.stage.id == stage)
    }

    fn column_mut(&mut self, stage: StageId) -> Option<&mut super::board::Column> {
        self.columns.iter_mut().find(|c| c.stage.id == stage)
    }

    /// Whether this board counts a deal in this state: open, in this pipeline, shown
    /// by the filter.
    fn counts(&self, card: &DealCard) -> bool {
        card.status == DealStatus::Open
            && card.pipeline_id == self.pipeline.id
            && self.filter.shows(card)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::board::tests::{card, sek};
    use crate::domain::board::{columns, BoardFilter, StageSum};
    use crate::domain::pipeline::tests::pipeline;
    use crate::domain::pipeline::Pipeline;
    use chrono::Utc;

    /// A board whose columns hold `cards` (each counted) and `hidden` more deals of
    /// 1,000 each in the first stage, beyond the cards loaded.
    fn board_with(p: &Pipeline, cards: Vec<DealCard>, hidden: i64) -> Board {
        let p = p.clone();
        let mut sums: Vec<StageSum> = Vec::new();
        for c in &cards {
            let stage = p.stages.iter().find(|s| s.id == c.stage_id).unwrap();
            sums.push(StageSum {
                stage_id: c.stage_id,
                currency: c.currency.clone(),
                deals: 1,
                value: c.value.into(),
                weighted_x100: c.weighted_x100(stage),
            });
        }
        sums.push(StageSum {
            stage_id: p.stages[0].id,
            currency: sek(),
            deals: hidden,
            value: 1_000 * i128::from(hidden),
            weighted_x100: 1_000 * i128::from(hidden) * 10,
        });
        Board {
            columns: columns(&p, &sums, cards),
            pipeline: p,
            filter: BoardFilter::default(),
            position: 100,
            ahead: Vec::new(),
            now: Utc::now(),
        }
    }

    fn moved(c: &DealCard, to: StageId, log_id: i64) -> LiveEvent {
        let mut after = c.clone();
        after.stage_id = to;
        after.version += 1;
        LiveEvent::Deal(DealChanged {
            log_id,
            deal_id: c.id,
            before: Some(c.clone()),
            after: Some(after),
        })
    }

    /// (deals, value, weighted rounded) of each column, in SEK.
    fn sums(b: &Board) -> Vec<(i64, i128, i128)> {
        b.columns
            .iter()
            .map(|c| {
                (
                    c.deals,
                    c.value.0.get(&sek()).copied().unwrap_or(0),
                    c.weighted().0.get(&sek()).copied().unwrap_or(0),
                )
            })
            .collect()
    }

    #[test]
    fn someone_elses_move_shifts_the_card_and_both_columns_sums() {
        let p = pipeline();
        let c = card(&p, p.stages[0].id, 10_000);
        let mut b = board_with(&p, vec![c.clone()], 0);
        let applied = b.apply(&moved(&c, p.stages[2].id, 101));
        assert_eq!(
            applied,
            Applied::Columns(vec![p.stages[0].id, p.stages[2].id])
        );
        assert_eq!(sums(&b)[0], (0, 0, 0));
        assert_eq!(sums(&b)[2], (1, 10_000, 5_000));
        assert_eq!(b.card(c.id).unwrap().stage_id, p.stages[2].id);
    }

    #[test]
    fn a_copy_of_a_change_already_shown_changes_nothing() {
        let p = pipeline();
        let c = card(&p, p.stages[0].id, 10_000);
        let mut b = board_with(&p, vec![c.clone()], 0);
        let event = moved(&c, p.stages[1].id, 101);
        b.apply(&event);
        let once = b.clone();
        assert_eq!(b.apply(&event), Applied::Nothing, "the stream's copy");
        assert_eq!(b, once);
    }

    #[test]
    fn a_win_the_user_made_counts_once_when_the_stream_brings_it_after_the_card_left() {
        let p = pipeline();
        let c = card(&p, p.stages[0].id, 10_000);
        let other = card(&p, p.stages[0].id, 5_000);
        let mut b = board_with(&p, vec![c.clone(), other], 0);
        let mut won = c.clone();
        won.version += 1;
        won.status = crate::domain::deal::DealStatus::Won;
        let event = LiveEvent::Deal(DealChanged {
            log_id: 101,
            deal_id: c.id,
            before: Some(c.clone()),
            after: None,
        });
        b.apply(&event);
        assert_eq!(sums(&b)[0].0, 1, "the won card left its column");
        assert_eq!(
            b.apply(&event),
            Applied::Nothing,
            "the stream's copy, card gone"
        );
        assert_eq!(sums(&b)[0].0, 1);
        b.reached(101);
        assert!(b.ahead.is_empty(), "the stream caught up");
    }

    #[test]
    fn a_change_that_skips_a_version_asks_for_a_reload() {
        let p = pipeline();
        let c = card(&p, p.stages[0].id, 10_000);
        let mut b = board_with(&p, vec![c.clone()], 0);
        let mut later = c.clone();
        later.version = 2;
        let event = moved(&later, p.stages[1].id, 102);
        assert_eq!(b.apply(&event), Applied::Reload, "version 2 was never seen");
    }

    #[test]
    fn out_of_order_delivery_reloads_rather_than_drifts() {
        let p = pipeline();
        let c = card(&p, p.stages[0].id, 10_000);
        let mut b = board_with(&p, vec![c.clone()], 0);
        let first = moved(&c, p.stages[1].id, 101);
        let LiveEvent::Deal(ref f) = first else {
            unreachable!()
        };
        let second = moved(f.after.as_ref().unwrap(), p.stages[2].id, 102);
        assert_eq!(b.apply(&second), Applied::Reload);
        // In order, both apply and the sums end where the server's would.
        let mut b = board_with(&p, vec![c.clone()], 0);
        b.apply(&first);
        b.apply(&second);
        assert_eq!(sums(&b)[2], (1, 10_000, 5_000));
        assert_eq!(sums(&b)[0].0 + sums(&b)[1].0, 0);
    }

    #[test]
    fn a_deal_beyond_the_loaded_cards_still_moves_the_sums_once() {
        let p = pipeline();
        let mut b = board_with(&p, vec![], 3);
        let mut unseen = card(&p, p.stages[0].id, 1_000);
        unseen.version = 7;
        let event = moved(&unseen, p.stages[1].id, 150);
        b.apply(&event);
        b.reached(150);
        assert_eq!(sums(&b)[0], (2, 2_000, 200));
        assert_eq!(sums(&b)[1], (1, 1_000, 250));
        assert_eq!(b.apply(&event), Applied::Nothing, "already reached");
        assert_eq!(sums(&b)[1], (1, 1_000, 250));
    }

    #[test]
    fn new_won_lost_and_deleted_deals_come_and_go() {
        let p = pipeline();
        let mut b = board_with(&p, vec![], 0);
        let new = card(&p, p.stages[1].id, 4_000);
        let created = LiveEvent::Deal(DealChanged {
            log_id: 101,
            deal_id: new.id,
            before: None,
            after: Some(new.clone()),
        });
        b.apply(&created);
        assert_eq!(sums(&b)[1], (1, 4_000, 1_000));
        let mut won = new.clone();
        won.status = DealStatus::Won;
        won.version = 2;
        b.apply(&LiveEvent::Deal(DealChanged {
            log_id: 102,
            deal_id: new.id,
            before: Some(new.clone()),
            after: Some(won),
        }));
        assert_eq!(sums(&b)[1], (0, 0, 0));
        assert!(b.card(new.id).is_none(), "a won deal leaves the board");
        let other = card(&p, p.stages[3].id, 100);
        let mut b = board_with(&p, vec![other.clone()], 0);
        b.apply(&LiveEvent::Deal(DealChanged {
            log_id: 103,
            deal_id: other.id,
            before: Some(other.clone()),
            after: None,
        }));
        assert_eq!(sums(&b)[3], (0, 0, 0));
    }

    #[test]
    fn deals_of_other_pipelines_and_owners_filtered_out_are_not_counted() {
        let p = pipeline();
        let mut b = board_with(&p, vec![], 0);
        b.filter.owner = Some(crate::domain::ids::UserId::new());
        let someone_elses = card(&p, p.stages[0].id, 500);
        let event = LiveEvent::Deal(DealChanged {
            log_id: 101,
            deal_id: someone_elses.id,
            before: None,
            after: Some(someone_elses),
        });
        assert_eq!(b.apply(&event), Applied::Nothing);
        let mut elsewhere = card(&p, p.stages[0].id, 500);
        elsewhere.pipeline_id = crate::domain::ids::PipelineId::new();
        let mut b = board_with(&p, vec![], 0);
        let event = LiveEvent::Deal(DealChanged {
            log_id: 102,
            deal_id: elsewhere.id,
            before: None,
            after: Some(elsewhere),
        });
        assert_eq!(b.apply(&event), Applied::Nothing);
    }

    #[test]
    fn a_deals_own_probability_weighs_it_in_and_out() {
        let p = pipeline();
        let mut c = card(&p, p.stages[0].id, 10_000);
        c.probability = Some(90);
        let mut b = board_with(&p, vec![c.clone()], 0);
        assert_eq!(sums(&b)[0], (1, 10_000, 9_000));
        b.apply(&moved(&c, p.stages[1].id, 101));
        assert_eq!(sums(&b)[0], (0, 0, 0));
        assert_eq!(sums(&b)[1], (1, 10_000, 9_000));
    }

    #[test]
    fn a_preview_shows_a_move_at_once_and_reverting_it_puts_everything_back() {
        let p = pipeline();
        let c = card(&p, p.stages[0].id, 10_000);
        let mut b = board_with(&p, vec![c.clone()], 2);
        let start = sums(&b);
        let preview = b.move_preview(c.id, p.stages[3].id, Utc::now()).unwrap();
        b.apply(&preview);
        assert_eq!(b.card(c.id).unwrap().stage_id, p.stages[3].id);
        b.revert(&preview);
        assert_eq!(sums(&b), start);
        assert_eq!(
            b.card(c.id),
            Some(&c),
            "the card as it was, version included"
        );
        assert_eq!(
            b.move_preview(c.id, p.stages[0].id, Utc::now()),
            None,
            "already there"
        );
    }

    #[test]
    fn a_closed_preview_takes_the_card_and_its_sums_off_the_board() {
        let p = pipeline();
        let c = card(&p, p.stages[0].id, 10_000);
        let mut b = board_with(&p, vec![c.clone()], 0);
        let preview = b.close_preview(c.id, DealStatus::Won).unwrap();
        assert_eq!(b.apply(&preview), Applied::Columns(vec![p.stages[0].id]));
        assert_eq!(sums(&b)[0], (0, 0, 0));
        assert_eq!(b.card(c.id), None);
        assert_eq!(
            b.close_preview(c.id, DealStatus::Lost),
            None,
            "no longer here"
        );
    }

    #[test]
    fn the_servers_answer_to_a_previewed_move_is_not_counted_again() {
        let p = pipeline();
        let c = card(&p, p.stages[0].id, 10_000);
        let mut b = board_with(&p, vec![c.clone()], 0);
        let preview = b.move_preview(c.id, p.stages[1].id, Utc::now()).unwrap();
        b.apply(&preview);
        let shown = sums(&b);
        assert_eq!(b.apply(&moved(&c, p.stages[1].id, 101)), Applied::Nothing);
        assert_eq!(sums(&b), shown);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn moves_in_any_order_keep_the_boards_count_and_total(
                values in prop::collection::vec(0..=i64::MAX / 4, 1..6),
                targets in prop::collection::vec((0usize..6, 0usize..4), 1..12),
            ) {
                let p = pipeline();
                let cards: Vec<DealCard> = values.iter().map(|v| card(&p, p.stages[0].id, *v)).collect();
                let mut b = board_with(&p, cards.clone(), 0);
                let total = |b: &Board| b.columns.iter().fold((0i64, 0i128), |(n, v), c| {
                    (n + c.deals, v + c.value.0.get(&sek()).copied().unwrap_or(0))
                });
                let before = total(&b);
                for (log, (which, to)) in targets.into_iter().enumerate() {
                    let id = cards[which % cards.len()].id;
                    let current = b.card(id).unwrap().clone();
                    b.apply(&moved(&current, p.stages[to].id, 101 + log as i64));
                }
                prop_assert_eq!(total(&b), before);
            }
        }
    }

    #[test]
    fn a_board_reloads_when_its_own_pipeline_reaches_a_newer_shape_and_only_then() {
        let mut b = board_with(&pipeline(), Vec::new(), 0);
        let (id, version) = (b.pipeline.id, b.pipeline.version);
        let reshaped = |pipeline_id, version| LiveEvent::Reshaped {
            pipeline_id,
            version,
        };
        assert_eq!(
            b.apply(&reshaped(id, version)),
            Applied::Nothing,
            "the shape it shows"
        );
        assert_eq!(
            b.apply(&reshaped(id, version - 1)),
            Applied::Nothing,
            "an older one"
        );
        assert_eq!(
            b.apply(&reshaped(PipelineId::new(), version + 1)),
            Applied::Nothing,
            "another pipeline"
        );
        assert_eq!(b.apply(&reshaped(id, version + 1)), Applied::Reload);
    }

    #[test]
    fn a_stream_message_reads_back_as_it_was_written() {
        let p = pipeline();
        let mut c = card(&p, p.stages[0].id, 1_000);
        // Times travel to the millisecond.
        let ms = c.stage_entered_at.timestamp_millis();
        c.stage_entered_at = chrono::DateTime::from_timestamp_millis(ms).unwrap();
        let messages = [
            moved(&c, p.stages[1].id, 7),
            LiveEvent::Refetch,
            LiveEvent::Reshaped {
                pipeline_id: p.id,
                version: 9,
            },
        ]
        .map(StreamMessage::Event);
        for m in messages {
            let text = m.encode();
            assert!(text.bytes().all(|b| b.is_ascii_hexdigit()));
            assert_eq!(StreamMessage::decode(&text), Some(m));
        }
        let viewers = StreamMessage::Viewers(vec![Viewer {
            name: "Åsa Öberg".into(),
            user_id: UserId::new(),
        }]);
        assert_eq!(StreamMessage::decode(&viewers.encode()), Some(viewers));
    }

    #[test]
    fn a_stream_message_that_was_not_written_by_tend_is_ignored() {
        for text in ["", "0", "zz", "ffff", "{\"kind\":\"moved\"}"] {
            assert_eq!(StreamMessage::decode(text), None, "{text}");
        }
    }

    #[test]
    fn the_others_viewing_a_board_leave_out_me_and_count_each_person_once() {
        let (me, ann, bo) = (UserId::new(), UserId::new(), UserId::new());
        let seat = |name: &str, user_id| Viewer {
            name: name.into(),
            user_id,
        };
        let seats = [
            seat("Bo", bo),
            seat("Me", me),
            seat("Ann", ann),
            seat("Bo", bo),
        ];
        let names: Vec<String> = others(&seats, me).into_iter().map(|v| v.name).collect();
        assert_eq!(names, ["Ann", "Bo"]);
        assert!(others(&seats[1..2], me).is_empty());
    }
}
