//! Capture from the old system's reports, for every backend: each checked report
//! row is either an item reception already logged by hand (the item records that
//! the report confirms it), a row this file already gave (nothing happens), or
//! an item the hand log missed (added, with its source). The same classification
//! serves the preview (read) and the capture (one write transaction, all rows or
//! none). Mappings are saved by name, audited with before and after.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;

use serde::{Deserialize, Serialize};

use crate::domain::capture::CaptureMapping;
use crate::domain::capture::pairing::{Judged, LoggedItem, RowPairing, pair};
use crate::domain::dates::iso_timestamp;
use crate::domain::permissions::Action;
use crate::domain::{
    Actor, AuditAction, AuditEntity, Item, ItemId, ItemInput, ItemKind, NhsNumber, Reentry, StaffId,
};
use crate::store::access::{authorize, require_staff};
use crate::store::audit::append;
use crate::store::items::{NewItems, Record};
use crate::store::practice::require_project;
use crate::store::progress::Progress;
use crate::store::queries::same_patient;
use crate::store::rows::{ITEM_COLUMNS, RawItem};
use crate::store::sql::{Backend, Query, Sql, params};
use crate::store::{StoreError, StoreResult};

/// Where an item came from in a report: the file (by name and by the SHA-256 of
/// its bytes) and the row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSource {
    pub file_name: String,
    pub sha256: String,
    pub line: u64,
}

/// What a report row did to the log: added an item, or confirmed one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRowRecord {
    pub source: ReportSource,
    pub item: ItemId,
    /// `captured` or `confirmed`.
    pub outcome: String,
    pub at: chrono::NaiveDateTime,
    pub by: StaffId,
}

/// One checked report row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureRow {
    pub line: u64,
    pub input: ItemInput,
}

/// A report's checked rows, ready to capture.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaptureBatch {
    pub file_name: String,
    pub sha256: String,
    pub rows: Vec<CaptureRow>,
    /// A person's answers for rows the pairing left to judge, by line.
    pub judged: BTreeMap<u64, Judged>,
}

impl CaptureBatch {
    /// Leaves out the rows that happened before the final extract made at
    /// `extract` (the extract holds them: added, they would be keyed twice).
    /// Returns how many were left out.
    pub fn leave_out_before_extract(&mut self, extract: chrono::NaiveDateTime) -> usize {
        let before = self.rows.len();
        self.rows.retain(|r| {
            !crate::domain::project::report_row_before_extract(r.input.occurred_at, extract)
        });
        before - self.rows.len()
    }
}

/// What one row is, against the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    /// The hand log missed it: it is (or will be) added.
    New,
    /// Reception logged it: the report confirms this item.
    InLog(ItemId),
    /// This row of this very file was captured before: nothing to do.
    AlreadyCaptured(ItemId),
    /// Added by this capture (a capture's result; a preview says [`Self::New`]).
    Added(ItemId),
    /// It could be one of these logged items, or missed, and no fit is clearly
    /// the best: a person judges (the pairing's suggestion, if any, first).
    /// Left out of a capture until judged.
    ToJudge {
        candidates: Vec<ItemId>,
        suggested: Option<ItemId>,
    },
}

/// Each row's outcome, in the batch's order, with the counts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CapturePlan {
    pub outcomes: Vec<(u64, RowOutcome)>,
    /// Of the items rows are paired with, those that came from another report
    /// file (captured from it, not logged by hand): the file's name.
    pub captured_from: BTreeMap<ItemId, String>,
}

impl CapturePlan {
    /// Rows the hand log missed (to be added, or added by this capture).
    pub fn new_rows(&self) -> usize {
        self.count(|o| matches!(o, RowOutcome::New | RowOutcome::Added(_)))
    }
    /// Rows already in the log (logged by hand, or captured from another file).
    pub fn in_log(&self) -> usize {
        self.count(|o| matches!(o, RowOutcome::InLog(_)))
    }
    /// Rows already logged by hand.
    pub fn by_hand(&self) -> usize {
        self.count(|o| matches!(o, RowOutcome::InLog(id) if !self.captured_from.contains_key(id)))
    }
    /// Rows already captured from other report files: each file with its count.
    pub fn from_other_files(&self) -> BTreeMap<&str, usize> {
        let mut out: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, o) in &self.outcomes {
            if let RowOutcome::InLog(id) = o
                && let Some(file) = self.captured_from.get(id)
            {
                *out.entry(file.as_str()).or_default() += 1;
            }
        }
        out
    }
    /// "173 already logged by hand" or "115 already logged by hand, 58 already
    /// captured from appointments.csv": where the rows in the log came from.
    pub fn in_log_words(&self) -> String {
        let mut parts = vec![format!("{} already logged by hand", self.by_hand())];
        for (file, n) in self.from_other_files() {
            parts.push(format!("{n} already captured from {file}"));
        }
        parts.join(", ")
    }
    /// Rows this file already gave.
    pub fn already_captured(&self) -> usize {
        self.count(|o| matches!(o, RowOutcome::AlreadyCaptured(_)))
    }
    /// Rows the hand log missed that happened before the final extract made at
    /// `extract`, of `batch` (the batch this plan is of).
    pub fn missed_before_extract(
        &self,
        batch: &CaptureBatch,
        extract: chrono::NaiveDateTime,
    ) -> usize {
        self.outcomes
            .iter()
            .zip(&batch.rows)
            .filter(|((_, o), row)| {
                matches!(o, RowOutcome::New | RowOutcome::Added(_))
                    && crate::domain::project::report_row_before_extract(
                        row.input.occurred_at,
                        extract,
                    )
            })
            .count()
    }
    /// Rows left for a person to judge (not captured until judged).
    pub fn to_judge(&self) -> usize {
        self.count(|o| matches!(o, RowOutcome::ToJudge { .. }))
    }
    fn count(&self, f: impl Fn(&RowOutcome) -> bool) -> usize {
        self.outcomes.iter().filter(|(_, o)| f(o)).count()
    }
}

/// The live items that could be this row: the same patient and kind (a
/// patient without an NHS number: the same name and date of birth).
fn candidates(c: &mut dyn Sql, input: &ItemInput) -> StoreResult<Vec<Item>> {
    let mut q = Query::default();
    let patient = same_patient(c.dialect(), &input.patient, &mut q);
    let kind = q.bind(input.kind.code());
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM items WHERE {patient} AND items.kind = {kind}
         AND items.voided_at IS NULL ORDER BY items.id"
    );
    c.query(&sql, &q.params)?
        .iter()
        .map(|r| RawItem::from_row(r)?.into_item())
        .collect()
}

/// How many NHS numbers one query asks for at once (well under every
/// backend's limit on bound values).
const PATIENTS_PER_QUERY: usize = 500;

/// The live items of `kind` for each of `patients` (by NHS number), read
/// [`PATIENTS_PER_QUERY`] patients at a time, each patient's in id order: a
/// 100,000-row report names as many patients, and one query each was most of
/// a capture's reading.
fn candidates_by_nhs(
    c: &mut dyn Sql,
    kind: ItemKind,
    patients: &[NhsNumber],
    out: &mut HashMap<CandidateKey, Vec<Item>>,
) -> StoreResult<()> {
    for chunk in patients.chunks(PATIENTS_PER_QUERY) {
        let mut q = Query::default();
        let list: Vec<String> = chunk.iter().map(|n| q.bind(n.digits())).collect();
        let kind_param = q.bind(kind.code());
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM items WHERE items.nhs_number IN ({}) AND items.kind = {kind_param}
             AND items.voided_at IS NULL ORDER BY items.id",
            list.join(", ")
        );
        for r in c.query(&sql, &q.params)? {
            let item = RawItem::from_row(&r)?.into_item()?;
            let key = candidate_key(&item.input);
            out.entry(key).or_default().push(item);
        }
    }
    Ok(())
}

/// What [`candidates`] asks for: a report names the same patient on many rows,
/// and each patient's items of a kind are read once.
type CandidateKey = (ItemKind, Option<NhsNumber>, String, Option<NaiveDate>);

fn candidate_key(input: &ItemInput) -> CandidateKey {
    let p = &input.patient;
    match p.nhs_number {
        Some(n) => (input.kind, Some(n), String::new(), None),
        None => (input.kind, None, p.name.clone(), p.date_of_birth),
    }
}

/// Each row against the log: already captured from this file, logged by hand
/// (paired one to one by the best fit, [`pair`]), left to judge, or new. A
/// person's answers in `batch.judged` settle rows left to judge; an answer for
/// another row, or one naming an item that cannot be that row or is already
/// another row's, is refused and nothing is captured.
pub fn classify(c: &mut dyn Sql, batch: &CaptureBatch) -> StoreResult<CapturePlan> {
    let mut before: HashMap<u64, ItemId> = HashMap::new();
    c.query_each(
        "SELECT line, item_id FROM report_rows WHERE sha256 = ?1",
        &params![batch.sha256.as_str()],
        &mut |r| {
            before.insert(r.count(0)?, ItemId(r.int(1)?));
            Ok(())
        },
    )?;
    // An item this file already gave or confirmed is no other row's.
    let taken: HashSet<ItemId> = before.values().copied().collect();
    let open: Vec<&CaptureRow> = batch
        .rows
        .iter()
        .filter(|row| !before.contains_key(&row.line))
        .collect();
    // Each patient's items of the row's kind, read once: by NHS number many
    // patients to a query, otherwise (name and date of birth) one query each.
    let mut read: HashMap<CandidateKey, Vec<Item>> = HashMap::new();
    let mut by_nhs: BTreeMap<ItemKind, Vec<NhsNumber>> = BTreeMap::new();
    let mut asked: HashSet<CandidateKey> = HashSet::new();
    for row in &open {
        let key = candidate_key(&row.input);
        if asked.insert(key.clone()) {
            match row.input.patient.nhs_number {
                Some(n) => by_nhs.entry(row.input.kind).or_default().push(n),
                None => {
                    read.insert(key, candidates(c, &row.input)?);
                }
            }
        }
    }
    for (kind, patients) in &by_nhs {
        candidates_by_nhs(c, *kind, patients, &mut read)?;
    }
    // Each candidate's id and what it says (not the whole item: a 100k-row
    // report reads most of the log).
    let known: HashMap<CandidateKey, Vec<(ItemId, ItemInput)>> = read
        .into_iter()
        .filter(|(key, _)| asked.contains(key))
        .map(|(key, items)| {
            let free = items
                .into_iter()
                .filter(|i| !taken.contains(&i.id))
                .map(|i| (i.id, i.input))
                .collect();
            (key, free)
        })
        .collect();
    let items: Vec<LoggedItem<'_>> = known
        .values()
        .flatten()
        .map(|(id, input)| LoggedItem { id: *id, input })
        .collect();
    let inputs: Vec<&ItemInput> = open.iter().map(|r| &r.input).collect();
    let mut paired: HashMap<u64, RowPairing> = open
        .iter()
        .map(|r| r.line)
        .zip(pair(&inputs, &items))
        .collect();
    judge(&mut paired, &batch.judged)?;
    let mut plan = CapturePlan {
        captured_from: BTreeMap::new(),
        outcomes: batch
            .rows
            .iter()
            .map(|row| {
                let outcome = match before.get(&row.line) {
                    Some(id) => RowOutcome::AlreadyCaptured(*id),
                    None => match paired.remove(&row.line) {
                        Some(RowPairing::Logged(id)) => RowOutcome::InLog(id),
                        Some(RowPairing::ToJudge {
                            candidates,
                            suggested,
                        }) => RowOutcome::ToJudge {
                            candidates,
                            suggested,
                        },
                        Some(RowPairing::Missed) | None => RowOutcome::New,
                    },
                };
                (row.line, outcome)
            })
            .collect(),
    };
    // Which of the paired items another report file gave (one read of them all).
    let paired: HashSet<ItemId> = plan
        .outcomes
        .iter()
        .filter_map(|(_, o)| match o {
            RowOutcome::InLog(id) => Some(*id),
            _ => None,
        })
        .collect();
    if !paired.is_empty() {
        c.query_each(
            "SELECT item_id, file_name FROM report_rows WHERE outcome = 'captured' AND sha256 <> ?1",
            &params![batch.sha256.as_str()],
            &mut |r| {
                let id = ItemId(r.int(0)?);
                if paired.contains(&id) {
                    plan.captured_from.insert(id, r.text(1)?);
                }
                Ok(())
            },
        )?;
    }
    Ok(plan)
}

/// Applies a person's answers to the rows left to judge, refusing any that
/// would pair a row with an item it cannot be, or one item with two rows.
fn judge(paired: &mut HashMap<u64, RowPairing>, judged: &BTreeMap<u64, Judged>) -> StoreResult<()> {
    let refuse = |message: String| {
        StoreError::Invalid(vec![crate::domain::FieldError::new("judged", message)])
    };
    for (line, answer) in judged {
        let Some(RowPairing::ToJudge { candidates, .. }) = paired.get(line) else {
            return Err(refuse(format!(
                "row {line} is not one to judge (it was captured before, or its pairing is clear)"
            )));
        };
        let decided = match answer {
            Judged::Missed => RowPairing::Missed,
            Judged::Item(id) if candidates.contains(id) => RowPairing::Logged(*id),
            Judged::Item(id) => {
                return Err(refuse(format!(
                    "row {line} cannot be item {}: the patient, kind, day or key field differ",
                    id.0
                )));
            }
        };
        paired.insert(*line, decided);
    }
    let mut used: HashMap<ItemId, u64> = HashMap::new();
    let mut lines: Vec<&u64> = paired.keys().collect();
    lines.sort();
    for line in lines {
        if let Some(RowPairing::Logged(id)) = paired.get(line)
            && let Some(other) = used.insert(*id, *line)
        {
            return Err(refuse(format!(
                "item {} cannot be both row {other} and row {line}: one report row is one item",
                id.0
            )));
        }
    }
    Ok(())
}

fn record_row(
    tx: &mut dyn Sql,
    source: &ReportSource,
    item: ItemId,
    outcome: &str,
    actor: &Actor,
    by: StaffId,
) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO report_rows (file_name, sha256, line, item_id, outcome, at, by_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        &params![
            source.file_name.as_str(),
            source.sha256.as_str(),
            i64::try_from(source.line).unwrap_or(i64::MAX),
            item.0,
            outcome,
            iso_timestamp(actor.at),
            by.0
        ],
    )?;
    Ok(())
}

/// Captures a report in one transaction: the missed rows added (each with its
/// creation event naming its source), the rows reception logged recorded as
/// confirmed, rows this file already gave left alone. Returns what each row was.
pub fn capture<B: Backend>(
    store: &mut B,
    batch: &CaptureBatch,
    actor: &Actor,
    going: &mut dyn FnMut(usize, usize) -> bool,
) -> StoreResult<CapturePlan> {
    authorize(store, actor, Action::LogItem)?;
    let by = require_staff(actor)?;
    store.write(|tx| {
        let phase = require_project(tx)?.phase(actor.at).code();
        let plan = classify(tx, batch)?;
        let mut new = NewItems::begin::<B>(tx, plan.new_rows())?;
        let mut done = CapturePlan {
            captured_from: plan.captured_from.clone(),
            ..CapturePlan::default()
        };
        let mut progress = Progress::new(going, batch.rows.len());
        for (done_rows, (row, (line, outcome))) in batch.rows.iter().zip(plan.outcomes).enumerate()
        {
            progress.step(done_rows)?;
            let source = ReportSource {
                file_name: batch.file_name.clone(),
                sha256: batch.sha256.clone(),
                line,
            };
            let outcome = match outcome {
                RowOutcome::New => {
                    let record = Record {
                        input: &row.input,
                        logged_by: by,
                        logged_at: actor.at,
                        logged_phase: phase,
                        assignee: row.input.default_assignee(),
                        reentry: &Reentry::outstanding(),
                        void: None,
                    };
                    let item =
                        new.add(tx, actor, &record, AuditAction::ItemCaptured, Some(&source))?;
                    record_row(tx, &source, item.id, "captured", actor, by)?;
                    RowOutcome::Added(item.id)
                }
                RowOutcome::InLog(id) => {
                    record_row(tx, &source, id, "confirmed", actor, by)?;
                    new.chain.append(
                        tx,
                        actor,
                        AuditEntity::Item,
                        id.0,
                        AuditAction::ItemConfirmedByReport,
                        None::<&()>,
                        Some(&source),
                    )?;
                    RowOutcome::InLog(id)
                }
                already => already,
            };
            done.outcomes.push((line, outcome));
        }
        new.finish::<B>(tx)?;
        progress.finish();
        Ok(done)
    })
}

/// The report rows that added or confirmed an item, oldest first.
pub fn sources(c: &mut dyn Sql, item: ItemId) -> StoreResult<Vec<ReportRowRecord>> {
    c.query(
        "SELECT file_name, sha256, line, item_id, outcome, at, by_id FROM report_rows
         WHERE item_id = ?1 ORDER BY id",
        &params![item.0],
    )?
    .iter()
    .map(|r| {
        Ok(ReportRowRecord {
            source: ReportSource {
                file_name: r.text(0)?,
                sha256: r.text(1)?,
                line: r.count(2)?,
            },
            item: ItemId(r.int(3)?),
            outcome: r.text(4)?,
            at: crate::store::rows::time(item.0, "capture time", &r.text(5)?)?,
            by: StaffId(r.int(6)?),
        })
    })
    .collect()
}

/// Every saved mapping, by name.
pub fn mappings(c: &mut dyn Sql) -> StoreResult<Vec<CaptureMapping>> {
    c.query(
        "SELECT mapping_json FROM capture_mappings ORDER BY name",
        &[],
    )?
    .iter()
    .map(|r| {
        CaptureMapping::from_json(&r.text(0)?)
            .map_err(|_| StoreError::Corrupt("a saved mapping is unreadable".into()))
    })
    .collect()
}

/// Saves a mapping under its name (replacing one of the same name), audited
/// with the mapping before and after.
pub fn save_mapping<B: Backend>(
    store: &mut B,
    mapping: &CaptureMapping,
    actor: &Actor,
) -> StoreResult<()> {
    authorize(store, actor, Action::LogItem)?;
    let by = require_staff(actor)?;
    let name = mapping.name.trim().to_string();
    if name.is_empty() {
        return Err(StoreError::Invalid(vec![crate::domain::FieldError::new(
            "mapping_name",
            "give the mapping a name (e.g. EMIS appointments report)",
        )]));
    }
    let mapping = CaptureMapping {
        name: name.clone(),
        ..mapping.clone()
    };
    store.write(|tx| {
        let before = tx
            .query_opt(
                "SELECT mapping_json FROM capture_mappings WHERE name = ?1",
                &params![name.as_str()],
            )?
            .map(|r| r.text(0))
            .transpose()?
            .and_then(|j| CaptureMapping::from_json(&j).ok());
        tx.execute(
            "DELETE FROM capture_mappings WHERE name = ?1",
            &params![name.as_str()],
        )?;
        tx.execute(
            "INSERT INTO capture_mappings (name, mapping_json, saved_at, saved_by) VALUES (?1, ?2, ?3, ?4)",
            &params![name.as_str(), mapping.to_json(), iso_timestamp(actor.at), by.0],
        )?;
        append(
            tx,
            actor,
            AuditEntity::Mapping,
            0,
            AuditAction::MappingSaved,
            before.as_ref(),
            Some(&mapping),
        )
    })
}
