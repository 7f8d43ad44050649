//! Layout migration: bringing a ledger written by an earlier version to this layout.

use actledger_core::chain;

use crate::bundle;
use crate::{LogReader, OpenError, StoreError};

use super::index::Index;
use super::snapshot::RULES_KEY;
use super::Ledger;

/// `meta/layout`: the version of the store's layout, one byte. 1: no record, events in an
/// `events` tree. 2: Merkle tiles, the rule-state snapshot, no by_draft keys for tabled drafts
/// and votes. 3: events in bundles of 16. 4: every stored checkpoint is in the numbered
/// checkpoint history (`meta/checkpoint/N`), so a history missing whole is a lie `verify`
/// reports. Ledgers of an earlier layout are upgraded on open by a command that writes (a
/// read-only open of layout 3 reads it as layout 3); a newer one is refused, and so is a
/// database without the record that is not a layout-1 ledger.
pub(super) const LAYOUT_KEY: &[u8] = b"layout";

pub(super) const LAYOUT: u8 = 4;

/// The first layout whose checkpoints are all numbered.
pub(super) const NUMBERED_HISTORY_LAYOUT: u8 = 4;

/// The tree of one key per event that ledgers used before the bundles (layouts 1 and 2).
pub(super) const OLD_EVENTS_TREE: &[u8] = b"events";

/// The tree of one key per Merkle node that ledgers used before the tiles.
pub(super) const OLD_NODES_TREE: &[u8] = b"merkle";

/// The seq of an event key of the old `events` tree (8 bytes, big-endian).
pub(super) fn event_seq(k: &[u8]) -> Result<u64, StoreError> {
    let b: [u8; 8] = k.try_into().map_err(|_| {
        StoreError::Corrupted(format!("event key of {} bytes, expected 8", k.len()))
    })?;
    Ok(u64::from_be_bytes(b))
}

/// Present in `meta` while the events of an `events` tree are being copied into bundles:
/// bundles found beside an `events` tree are then this program's partial copy, redone. Without
/// it, a database holding both is in a state no version wrote, and is refused.
const MIGRATING_KEY: &[u8] = b"migrating";

/// What opening a ledger must change to bring it to this layout.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Plan {
    /// Copy the `events` tree into bundles.
    pub(super) events: bool,
    /// Upgrade derived data ([`Ledger::upgrade`]).
    pub(super) upgrade: bool,
}

impl Plan {
    pub(super) fn needed(self) -> bool {
        self.events || self.upgrade
    }
}

impl Ledger {
    /// What a ledger of `layout` needs to reach this layout, reading only; refuses a database
    /// in a state no released version wrote ([`OpenError::Unrecognised`]).
    pub(super) fn migration_plan(&self, layout: u8) -> Result<Plan, StoreError> {
        let unrecognised = |found: String| {
            StoreError::Open(OpenError::Unrecognised {
                dir: self.dir.display().to_string(),
                found,
            })
        };
        let mut plan = Plan {
            events: false,
            // Layout 3 differs from 4 only in what verify may require of the checkpoint
            // history: a read-only open reads it as it is.
            upgrade: layout < 3 || self.has_tree(OLD_NODES_TREE),
        };
        if self.has_tree(OLD_EVENTS_TREE) && !self.db.open_tree(OLD_EVENTS_TREE)?.is_empty() {
            if layout >= 3 {
                return Err(unrecognised(format!(
                    "an `events` tree (the layout before 3) beside a ledger of layout {layout}"
                )));
            }
            if !self.bundles.is_empty() && !self.meta.contains_key(MIGRATING_KEY)? {
                return Err(unrecognised(
                    "both an `events` tree and a `bundles` tree hold events".into(),
                ));
            }
            plan.events = true;
        }
        Ok(plan)
    }

    /// The stored layout version; refuses a newer one than this program's. A database
    /// without the record is layout 1 only on positive evidence, its events in an `events`
    /// tree (layouts 2 and later write the record; layout 3 moved the events to bundles):
    /// anything else is refused ([`OpenError::Unrecognised`]), nothing changed.
    pub(super) fn check_layout(&self) -> Result<u8, StoreError> {
        let record = self.meta.get(LAYOUT_KEY)?;
        let layout = match record.as_deref() {
            Some([layout]) if *layout >= 1 => *layout,
            Some(other) => {
                return Err(StoreError::Open(OpenError::Unrecognised {
                    dir: self.dir.display().to_string(),
                    found: format!(
                        "a `meta/layout` record of {} byte(s) {:02x?}",
                        other.len(),
                        other.get(..8).unwrap_or(other)
                    ),
                }))
            }
            None => {
                let layout_1 = self.has_tree(OLD_EVENTS_TREE)
                    && !self.db.open_tree(OLD_EVENTS_TREE)?.is_empty();
                if !layout_1 {
                    return Err(StoreError::Open(OpenError::Unrecognised {
                        dir: self.dir.display().to_string(),
                        found: "no `meta/layout` record, yet no `events` tree of the layout \
                                that had none (the record is missing)"
                            .into(),
                    }));
                }
                1
            }
        };
        if layout > LAYOUT {
            return Err(OpenError::NewerLayout {
                found: layout,
                supported: LAYOUT,
            }
            .into());
        }
        // The numbered checkpoint history arrived in layout 3 (whose last versions wrote it)
        // and is written by upgrades in one batch with the layout record
        // (`number_checkpoints`), so a layout before 3 beside a numbered history is no state
        // any version wrote: a record altered to an older layout, which would otherwise be
        // "upgraded" quietly.
        if layout < 3 && !self.checkpoint_history()?.is_empty() {
            return Err(StoreError::Open(OpenError::Unrecognised {
                dir: self.dir.display().to_string(),
                found: format!(
                    "a `meta/layout` record of layout {layout} beside a numbered checkpoint \
                     history, which only layout 3 and later write"
                ),
            }));
        }
        Ok(layout)
    }

    /// Ledgers before layout 3 kept one sled key per event in an `events` tree. The events are
    /// copied, byte for byte, into bundles; the old tree is dropped only once the copy is
    /// durable and read back equal to it (an interrupted copy is redone from the start on the
    /// next open: [`MIGRATING_KEY`] says the bundles are that copy). The old log must have no
    /// gaps (a bundle cannot hold one): a ledger whose log has one is refused.
    pub(super) fn migrate_events_to_bundles(&self) -> Result<(), StoreError> {
        let old = self.db.open_tree(OLD_EVENTS_TREE)?;
        // The layout becomes a record before the `events` tree (layout 1's only evidence) is
        // dropped, so an open after a crash in between still knows what it is upgrading.
        if !self.meta.contains_key(LAYOUT_KEY)? {
            self.meta.insert(LAYOUT_KEY, &[1])?;
        }
        self.meta.insert(MIGRATING_KEY, &[] as &[u8])?;
        self.db.flush()?;
        self.bundles.clear()?;
        let mut batch = sled::Batch::default();
        let mut in_batch = 0usize;
        let mut current: Option<(u64, Vec<u8>)> = None;
        for (expected, item) in (0u64..).zip(old.iter()) {
            let (k, v) = item?;
            let seq = event_seq(&k)?;
            if seq != expected {
                return Err(StoreError::Corrupted(format!(
                    "the stored log has event key {seq} where seq {expected} was expected, so it \
                     cannot be moved to this version's layout; check it with `actledger verify` \
                     of the version that wrote it"
                )));
            }
            let (b, _) = bundle::locate(seq);
            if current.as_ref().is_some_and(|(cb, _)| *cb != b) {
                if let Some((cb, buf)) = current.take() {
                    batch.insert(&bundle::key(cb), buf);
                    in_batch += 1;
                }
                if in_batch == 256 {
                    self.bundles.apply_batch(std::mem::take(&mut batch))?;
                    in_batch = 0;
                }
            }
            bundle::push(&mut current.get_or_insert_with(|| (b, Vec::new())).1, &v);
        }
        if let Some((cb, buf)) = current {
            batch.insert(&bundle::key(cb), buf);
        }
        self.bundles.apply_batch(batch)?;
        self.db.flush()?;
        // Nothing is deleted before what was written reads back as what was copied.
        let mut copied = self.scan(0);
        for item in old.iter() {
            let (k, v) = item?;
            let seq = event_seq(&k)?;
            match copied.next().transpose()? {
                Some((s, b)) if s == seq && b == v.as_ref() => {}
                _ => {
                    return Err(StoreError::Corrupted(format!(
                        "the copy of event {seq} into bundles does not read back as it was; \
                         the `events` tree is kept"
                    )))
                }
            }
        }
        if copied.next().is_some() {
            return Err(StoreError::Corrupted(
                "the bundles hold more events than the `events` tree; the `events` tree is kept"
                    .into(),
            ));
        }
        drop(copied);
        drop(old);
        self.db.drop_tree(OLD_EVENTS_TREE)?;
        self.meta.remove(MIGRATING_KEY)?;
        self.db.flush()?;
        Ok(())
    }

    /// Brings a ledger written by an earlier version (of `layout`, as [`Ledger::check_layout`]
    /// read it) to the current layout ([`LAYOUT`]), once its events are in bundles. Only
    /// derived data changes, so this is safe to redo.
    pub(super) fn upgrade(&self, layout: u8) -> Result<(), StoreError> {
        if self.has_tree(OLD_NODES_TREE) {
            self.migrate_nodes_to_tiles()?;
        }
        if layout == LAYOUT {
            return Ok(());
        }
        if layout < 2 {
            self.remove_stale_draft_keys()?;
        }
        if layout < 3 {
            // Before layout 3 the snapshot was one record; the rule state is written in
            // parts (`meta/state`) by the next append or import.
            self.meta.remove(RULES_KEY)?;
        }
        // Numbering the checkpoints writes the new layout record in the same batch.
        self.number_checkpoints()?;
        self.db.flush()?;
        Ok(())
    }

    /// Before layout 2, tabled drafts and votes had by_draft keys (the rules' state now finds
    /// them by draft): removed.
    pub(super) fn remove_stale_draft_keys(&self) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        let mut pending = 0usize;
        for item in self.by_draft.iter() {
            let (k, _) = item?;
            let Some(seq) = Index::seq_of(&k) else {
                continue;
            };
            let stale = self.get(seq)?.is_some_and(|bytes| {
                matches!(
                    chain::peek_kind(&bytes),
                    Some((
                        chain::variant::FACT,
                        Some(chain::variant::DRAFT_TABLED | chain::variant::COUNCIL_VOTE)
                    ))
                )
            });
            if stale {
                batch.remove(k);
                pending += 1;
                if pending == 4096 {
                    self.by_draft.apply_batch(std::mem::take(&mut batch))?;
                    pending = 0;
                }
            }
        }
        self.by_draft.apply_batch(batch)?;
        Ok(())
    }

    /// Ledgers written before the Merkle tiles kept one sled key per tree node in a `merkle`
    /// tree. That tree is derived data: the tiles are computed from the events (up to the
    /// head), written, and the old tree is dropped, once, on the first open.
    pub(super) fn migrate_nodes_to_tiles(&self) -> Result<(), StoreError> {
        let (count, _) = self.stored_head()?;
        let mut batch = sled::Batch::default();
        self.recompute_tiles(count, |_, t| {
            batch.insert(&t.key(), t.bytes);
            Ok(std::ops::ControlFlow::<()>::Continue(()))
        })?;
        self.tiles.apply_batch(batch)?;
        self.db.flush()?;
        // The old tree goes only once the tiles give the root the stored frontier names.
        let frontier = self.stored_frontier()?;
        if frontier.size() != count || (count > 0 && self.root_at(count)? != frontier.root()) {
            return Err(StoreError::Corrupted(
                "the Merkle tiles computed from the events disagree with the stored frontier; \
                 the old `merkle` tree is kept; run `actledger verify`"
                    .into(),
            ));
        }
        self.db.drop_tree(OLD_NODES_TREE)?;
        self.db.flush()?;
        Ok(())
    }
}
