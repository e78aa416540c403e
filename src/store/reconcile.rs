//! Reconciliation against the new system's reports, for every backend: the
//! log's live items of the kinds a report covers are read in one pass and
//! paired with its rows by the domain's rules (a preview: stores nothing); then
//! what a person accepted is recorded in one transaction: each accepted item
//! verified against its report row (one still open is marked re-entered), each
//! item ticked but not found flagged for a second look. Both are kept in
//! `verifications` (outcomes `verified` and `not_found`; the latest per item
//! stands) and audited with the report's file name, SHA-256 and row.

use std::collections::{BTreeSet, HashMap};

use crate::domain::StaffId;
use crate::domain::dates::iso_timestamp;
use crate::domain::permissions::Action;
use crate::domain::reconcile::{Coverage, LoggedItem, ReportRow, reconcile};
use crate::domain::signoff::{Finding, NewSystemChecks};
use crate::domain::{
    Actor, AuditAction, AuditEntity, Item, ItemId, ItemKind, Reentry, SeenItem, Status,
};
use crate::store::access::{authorize, require_staff};
use crate::store::audit::Chain;
use crate::store::capture::{CaptureBatch, ReportSource};
use crate::store::items::{authorize_status, fetch_for_update, write_reentry};
use crate::store::practice::require_project;
use crate::store::progress::Progress;
use crate::store::rows::{ITEM_COLUMNS, RawItem, check_still_as_seen};
use crate::store::sql::{Backend, Sql, params};
use crate::store::{StoreError, StoreResult};

pub use crate::domain::reconcile::{CoveredDays, Doubt, Pairing, Reconciliation};

/// An item's standing against the new system's reports: its latest finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Verified in the new system by this report row.
    Verified(ReportSource),
    /// Ticked re-entered, but this report (row 0: the report as a whole) did
    /// not have it: flagged for a second look.
    NotFound(ReportSource),
}

impl Verification {
    /// The finding without its report, as sign-off counts it.
    pub fn finding(&self) -> Finding {
        match self {
            Verification::Verified(_) => Finding::Verified,
            Verification::NotFound(_) => Finding::NotFound,
        }
    }

    /// The finding in words, naming the report: "Verified: systmone-issues.csv
    /// row 3", "NOT FOUND in systmone-issues.csv".
    pub fn describe(&self) -> String {
        match self {
            Verification::Verified(s) => format!("Verified: {} row {}", s.file_name, s.line),
            Verification::NotFound(s) => format!("NOT FOUND in {}", s.file_name),
        }
    }
}

/// The stored outcome of a verification.
pub(crate) const VERIFIED: &str = "verified";
/// The stored outcome of a "not found".
pub(crate) const NOT_FOUND: &str = "not_found";

/// The condition (SQL both stores read alike) that an item is re-entered with
/// this latest finding, for the worklist's filter.
pub(crate) fn finding_condition(f: crate::domain::NewSystemFilter) -> &'static str {
    use crate::domain::NewSystemFilter as F;
    match f {
        F::Verified => {
            "items.status = 're_entered' AND (SELECT v.outcome FROM verifications v
             WHERE v.item_id = items.id ORDER BY v.id DESC LIMIT 1) = 'verified'"
        }
        F::NotFound => {
            "items.status = 're_entered' AND (SELECT v.outcome FROM verifications v
             WHERE v.item_id = items.id ORDER BY v.id DESC LIMIT 1) = 'not_found'"
        }
        F::NotChecked => {
            "items.status = 're_entered' AND NOT EXISTS (SELECT 1 FROM verifications v
             WHERE v.item_id = items.id)"
        }
    }
}

/// A report against the log, with the items it names as they were read (their
/// versions are what an acceptance names).
#[derive(Debug, Clone, Default)]
pub struct ReconcilePlan {
    pub found: Reconciliation,
    pub items: HashMap<ItemId, Item>,
}

impl ReconcilePlan {
    /// The item as read for this plan, to name it in an acceptance.
    pub fn seen(&self, id: ItemId) -> Option<SeenItem> {
        self.items.get(&id).map(Item::seen)
    }

    /// Every confident proposal, as a person accepting them all names them.
    pub fn all_proposed(&self) -> Vec<Acceptance> {
        self.found
            .proposed
            .iter()
            .filter_map(|p| {
                Some(Acceptance {
                    line: p.line,
                    item: self.seen(p.item)?,
                })
            })
            .collect()
    }

    /// Every item ticked but not found, as read.
    pub fn all_not_found(&self) -> Vec<SeenItem> {
        self.found
            .not_found
            .iter()
            .filter_map(|id| self.seen(*id))
            .collect()
    }
}

/// A report row a person accepted as this item re-entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acceptance {
    pub line: u64,
    pub item: SeenItem,
}

/// What a person decided on a reconciliation, to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconcileDecision {
    pub file_name: String,
    pub sha256: String,
    pub accepted: Vec<Acceptance>,
    /// Items ticked re-entered that the report did not have: flagged.
    pub not_found: Vec<SeenItem>,
}

/// What recording a decision did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Recorded {
    /// Items verified (including those marked re-entered by it).
    pub verified: usize,
    /// Of those, items that were still outstanding and are now re-entered.
    pub marked_re_entered: usize,
    /// Of those, items marked not needed or a problem: verified, their status
    /// and reason kept for a person to decide in the worklist.
    pub status_kept: usize,
    /// Items ticked but not found, flagged.
    pub flagged: usize,
}

impl Recorded {
    /// What was recorded, in one sentence for the screen and the command line.
    pub fn describe(&self) -> String {
        let items = |n: usize| match n {
            1 => "1 item".to_string(),
            n => format!("{n} items"),
        };
        let mut parts = Vec::new();
        if self.verified > 0 || self.flagged == 0 {
            parts.push(format!(
                "{} verified in the new system ({} of them marked re-entered now)",
                items(self.verified),
                self.marked_re_entered
            ));
        }
        if self.flagged > 0 {
            parts.push(format!(
                "{} ticked but not found, flagged for a second look",
                items(self.flagged)
            ));
        }
        let mut said = format!("Recorded: {}.", parts.join("; "));
        if self.status_kept > 0 {
            said.push_str(&format!(
                " {} verified item(s) were marked not needed or a problem: that and its reason are kept; decide each in the worklist.",
                self.status_kept
            ));
        }
        said
    }
}

/// Why a person's acceptance was refused: one report row confirms at most one
/// item, and an item is verified by at most one row of a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcceptanceRefusal {
    #[error(
        "row {line} of {file_name} was already accepted as item {item}: one row of a report confirms one item. Nothing was recorded."
    )]
    RowTaken {
        file_name: String,
        line: u64,
        item: i64,
    },
    #[error(
        "item {item} was already verified by row {line} of {file_name}: an item is verified by one row of a report. Nothing was recorded."
    )]
    ItemTaken {
        file_name: String,
        line: u64,
        item: i64,
    },
}

/// Every item's latest finding (verified or not found), one query.
pub fn verifications(c: &mut dyn Sql) -> StoreResult<HashMap<ItemId, Verification>> {
    let mut out = HashMap::new();
    c.query_each(
        "SELECT item_id, outcome, file_name, sha256, line FROM verifications ORDER BY id",
        &[],
        &mut |r| {
            let source = ReportSource {
                file_name: r.text(2)?,
                sha256: r.text(3)?,
                line: r.count(4)?,
            };
            let finding = if r.text(1)? == VERIFIED {
                Verification::Verified(source)
            } else {
                Verification::NotFound(source)
            };
            out.insert(ItemId(r.int(0)?), finding);
            Ok(())
        },
    )?;
    Ok(out)
}

/// The live items ticked re-entered, by their latest finding (verified, not
/// found, not checked).
pub fn new_system_checks(c: &mut dyn Sql) -> StoreResult<NewSystemChecks> {
    let findings = verifications(c)?;
    let mut checks = NewSystemChecks::default();
    c.query_each(
        "SELECT id FROM items WHERE status = ?1 AND voided_at IS NULL",
        &params![Status::ReEntered.code()],
        &mut |r| {
            let finding = findings.get(&ItemId(r.int(0)?)).map(Verification::finding);
            checks.count(Status::ReEntered, finding);
            Ok(())
        },
    )?;
    Ok(checks)
}

/// The live items of one kind, in id order.
fn live_items(c: &mut dyn Sql, kind: ItemKind, into: &mut Vec<Item>) -> StoreResult<()> {
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM items WHERE items.kind = ?1 AND items.voided_at IS NULL
         ORDER BY items.id"
    );
    c.query_each(&sql, &params![kind.code()], &mut |r| {
        into.push(RawItem::from_row(&r)?.into_item()?);
        Ok(())
    })
}

/// The rows of a file (by its SHA-256) already accepted, each with its item.
fn accepted_rows(c: &mut dyn Sql, sha256: &str) -> StoreResult<HashMap<u64, ItemId>> {
    let mut out = HashMap::new();
    c.query_each(
        "SELECT line, item_id FROM verifications WHERE sha256 = ?1 AND outcome = ?2 ORDER BY id",
        &params![sha256, VERIFIED],
        &mut |r| {
            out.insert(r.count(0)?, ItemId(r.int(1)?));
            Ok(())
        },
    )?;
    Ok(out)
}

/// Refuses an acceptance that would make one row of a file confirm a second
/// item, or an item verified by a second row of the same file (or the same
/// row twice): read inside the recording's transaction, so two desks (or two
/// quick presses) cannot both record one.
fn check_one_to_one(
    tx: &mut dyn Sql,
    sha256: &str,
    file_name: &str,
    a: &Acceptance,
) -> StoreResult<()> {
    let taken = tx.query_opt(
        "SELECT item_id FROM verifications WHERE sha256 = ?1 AND line = ?2 AND outcome = ?3
         ORDER BY id LIMIT 1",
        &params![sha256, i64::try_from(a.line).unwrap_or(i64::MAX), VERIFIED],
    )?;
    if let Some(r) = taken {
        return Err(StoreError::Acceptance(AcceptanceRefusal::RowTaken {
            file_name: file_name.to_string(),
            line: a.line,
            item: r.int(0)?,
        }));
    }
    let verified = tx.query_opt(
        "SELECT line FROM verifications WHERE sha256 = ?1 AND item_id = ?2 AND outcome = ?3
         ORDER BY id LIMIT 1",
        &params![sha256, a.item.id.0, VERIFIED],
    )?;
    if let Some(r) = verified {
        return Err(StoreError::Acceptance(AcceptanceRefusal::ItemTaken {
            file_name: file_name.to_string(),
            line: r.count(0)?,
            item: a.item.id.0,
        }));
    }
    Ok(())
}

/// Pairs a report's checked rows with the log's items (stores nothing); rows
/// of this file already accepted stay with their item. `coverage` narrows
/// what the report covers for "not found".
pub fn plan(
    c: &mut dyn Sql,
    batch: &CaptureBatch,
    coverage: Coverage,
) -> StoreResult<ReconcilePlan> {
    let go_live = require_project(c)?.go_live.date();
    let kinds: BTreeSet<ItemKind> = batch.rows.iter().map(|r| r.input.kind).collect();
    let mut items = Vec::new();
    for kind in kinds {
        live_items(c, kind, &mut items)?;
    }
    let findings = verifications(c)?;
    let accepted = accepted_rows(c, &batch.sha256)?;
    let logged: Vec<LoggedItem<'_>> = items
        .iter()
        .map(|i| LoggedItem {
            id: i.id,
            input: &i.input,
            status: i.reentry.status,
            verified: matches!(findings.get(&i.id), Some(Verification::Verified(_))),
            re_entered_on: i.reentry.at.map(|t| t.date()),
        })
        .collect();
    let rows: Vec<ReportRow<'_>> = batch
        .rows
        .iter()
        .map(|r| ReportRow {
            line: r.line,
            input: &r.input,
            accepted_as: accepted.get(&r.line).copied(),
        })
        .collect();
    let found = reconcile(&logged, &rows, go_live, coverage);
    let named: BTreeSet<ItemId> = found
        .proposed
        .iter()
        .chain(&found.to_judge)
        .chain(&found.already_verified)
        .map(|p| p.item)
        .chain(found.not_found.iter().copied())
        .collect();
    let items = items
        .into_iter()
        .filter(|i| named.contains(&i.id))
        .map(|i| (i.id, i))
        .collect();
    Ok(ReconcilePlan { found, items })
}

/// Records a decision in one transaction, all or none: refused if any item is
/// no longer at the version the person saw (another desk accepted it first),
/// or if a row or an item of this file was accepted before. A verification
/// changes an item's status only from outstanding (to re-entered); an item
/// marked not needed or a problem keeps its status and reason. Changing a
/// status needs the right to change it for that kind; recording what the
/// report shows needs none. `going` hears of the progress and can stop it
/// (then nothing is stored).
pub fn record<B: Backend>(
    store: &mut B,
    decision: &ReconcileDecision,
    actor: &Actor,
    going: &mut dyn FnMut(usize, usize) -> bool,
) -> StoreResult<Recorded> {
    authorize(store, actor, Action::RecordVerification)?;
    // Only items still outstanding change status: the right is checked for
    // those (a change since is refused below by the version check).
    let accepted: Vec<ItemId> = decision.accepted.iter().map(|a| a.item.id).collect();
    let outstanding = store.read(|c| outstanding_among(c, &accepted))?;
    authorize_status(store, outstanding.into_iter(), actor)?;
    let by = require_staff(actor)?;
    let source = |line| ReportSource {
        file_name: decision.file_name.clone(),
        sha256: decision.sha256.clone(),
        line,
    };
    let all = decision.accepted.len() + decision.not_found.len();
    store.write(|tx| {
        let mut chain = Chain::read(tx)?;
        let mut done = Recorded::default();
        let mut progress = Progress::new(going, all);
        for (n, a) in decision.accepted.iter().enumerate() {
            progress.step(n)?;
            let before = fetch_for_update(tx, a.item.id)?;
            check_still_as_seen(&before, a.item.version)?;
            check_one_to_one(tx, &decision.sha256, &decision.file_name, a)?;
            let row = source(a.line);
            let id = a.item.id;
            match before.reentry.status {
                Status::Outstanding => {
                    let after = Reentry {
                        status: Status::ReEntered,
                        by: Some(by),
                        at: Some(actor.at),
                        note: format!(
                            "verified in the new system: {} row {}",
                            row.file_name, row.line
                        ),
                    };
                    write_reentry(tx, id, &after)?;
                    chain.append(
                        tx,
                        actor,
                        AuditEntity::Item,
                        id.0,
                        AuditAction::ItemStatus,
                        Some(&before.reentry),
                        Some(&after),
                    )?;
                    done.marked_re_entered += 1;
                }
                Status::ReEntered => bump_version(tx, id)?,
                Status::NotNeeded | Status::Problem => {
                    bump_version(tx, id)?;
                    done.status_kept += 1;
                }
            }
            record_finding(tx, &row, id, VERIFIED, actor, by)?;
            chain.append(
                tx,
                actor,
                AuditEntity::Item,
                id.0,
                AuditAction::ItemVerified,
                None::<&()>,
                Some(&row),
            )?;
            done.verified += 1;
        }
        let report = source(0);
        let file = serde_json::json!({
            "file_name": report.file_name,
            "sha256": report.sha256,
        });
        for (n, seen) in decision.not_found.iter().enumerate() {
            progress.step(decision.accepted.len() + n)?;
            let before = fetch_for_update(tx, seen.id)?;
            check_still_as_seen(&before, seen.version)?;
            if before.reentry.status != Status::ReEntered {
                return Err(StoreError::ChangedElsewhere(seen.id.0));
            }
            bump_version(tx, seen.id)?;
            record_finding(tx, &report, seen.id, NOT_FOUND, actor, by)?;
            chain.append(
                tx,
                actor,
                AuditEntity::Item,
                seen.id.0,
                AuditAction::ItemNotFoundInReport,
                None::<&()>,
                Some(&file),
            )?;
            done.flagged += 1;
        }
        progress.finish();
        Ok(done)
    })
}

/// Which of `ids` are still outstanding (one query per id for a few, one pass
/// for many).
fn outstanding_among(c: &mut dyn Sql, ids: &[ItemId]) -> StoreResult<Vec<ItemId>> {
    let wanted: std::collections::HashSet<i64> = ids.iter().map(|i| i.0).collect();
    let mut out = Vec::new();
    if ids.len() <= 100 {
        for id in ids {
            let row = c
                .query_opt("SELECT status FROM items WHERE id = ?1", &params![id.0])?
                .ok_or(StoreError::ItemNotFound(id.0))?;
            if row.text(0)? == Status::Outstanding.code() {
                out.push(*id);
            }
        }
        return Ok(out);
    }
    c.query_each(
        "SELECT id FROM items WHERE status = ?1",
        &params![Status::Outstanding.code()],
        &mut |r| {
            let id = r.int(0)?;
            if wanted.contains(&id) {
                out.push(ItemId(id));
            }
            Ok(())
        },
    )?;
    Ok(out)
}

fn record_finding(
    tx: &mut dyn Sql,
    source: &ReportSource,
    item: ItemId,
    outcome: &str,
    actor: &Actor,
    by: StaffId,
) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO verifications (item_id, outcome, file_name, sha256, line, at, by_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        &params![
            item.0,
            outcome,
            source.file_name.as_str(),
            source.sha256.as_str(),
            i64::try_from(source.line).unwrap_or(i64::MAX),
            iso_timestamp(actor.at),
            by.0
        ],
    )?;
    Ok(())
}

/// A change to an item's standing that leaves its columns as they are still
/// moves it on one version, so a desk that saw it before is refused.
fn bump_version(tx: &mut dyn Sql, id: ItemId) -> StoreResult<()> {
    tx.execute(
        "UPDATE items SET version = version + 1 WHERE id = ?1",
        &params![id.0],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::NewSystemFilter;

    #[test]
    fn the_worklist_filter_names_the_stored_outcomes_and_status() {
        let re_entered = format!("items.status = '{}'", Status::ReEntered.code());
        for f in NewSystemFilter::ALL {
            assert!(finding_condition(f).starts_with(&re_entered), "{f:?}");
        }
        assert!(finding_condition(NewSystemFilter::Verified).ends_with(&format!("'{VERIFIED}'")));
        assert!(finding_condition(NewSystemFilter::NotFound).ends_with(&format!("'{NOT_FOUND}'")));
    }
}
