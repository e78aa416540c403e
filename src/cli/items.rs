//! Commands on the items: import, export, counts, the integrity check, and the
//! generated items of `demo` and `stress-log`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::domain::dates::now;
use crate::domain::{Actor, ItemKind, Project, StaffDirectory, Status};
use crate::reports::import_file::{NotImported, import_file};
use crate::reports::interchange::{self, ImportContext};

use super::{ExportFormat, OnLog};

/// Said after every export: the file holds patient details.
const IG_NOTE: &str = "This file contains patient-identifiable data: store and share it as the practice's IG policy requires.";

/// `import`: all or nothing, unless `skip_invalid` (the rejected rows are then
/// written beside the file, with their reasons, before the import is kept).
pub(super) fn import(on: &mut OnLog<'_>, file: &Path, skip_invalid: bool) -> Result<ExitCode> {
    let actor = on.signed_in()?;
    let staff = StaffDirectory::new(on.store.staff()?);
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "the file".into());
    let ctx = ImportContext {
        staff: &staff,
        importer: actor.staff,
        now: actor.at,
        file: &name,
    };
    match import_file(on.store, file, ctx, &actor, skip_invalid) {
        Ok(done) => {
            writeln!(
                on.out,
                "Imported {} items from {}",
                done.items,
                file.display()
            )?;
            if let Some(rejects) = done.rejects_file {
                writeln!(
                    on.out,
                    "{} rows were rejected; they and their reasons are in {}. {}",
                    done.rejected,
                    rejects.display(),
                    interchange::REJECTS_NOTE
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(NotImported::Rows { rejected, good }) => {
            for e in rejected.iter().flat_map(|r| r.errors.iter()) {
                eprintln!("{}: {e}", file.display());
            }
            eprintln!("{}", NotImported::Rows { rejected, good });
            Ok(ExitCode::FAILURE)
        }
        Err(NotImported::Store(e)) => Err(e.into()),
        Err(e) => Err(anyhow::anyhow!("{}: {e}", file.display())),
    }
}

/// `export`: the interchange CSV or the re-entry report, recorded first.
pub(super) fn export(on: &mut OnLog<'_>, format: ExportFormat, file: &Path) -> Result<ExitCode> {
    let actor = on.signed_in()?;
    let what = match format {
        ExportFormat::Csv => "csv",
        ExportFormat::Pdf => "pdf",
    };
    on.store.record_event(
        &actor,
        crate::domain::AuditAction::ReportExported,
        &format!("{what} to {}", file.display()),
    )?;
    match format {
        ExportFormat::Csv => {
            let n = interchange::export(on.store, file)?;
            writeln!(on.out, "Exported {n} items to {}", file.display())?;
        }
        ExportFormat::Pdf => {
            let s = crate::reports::reentry_report::export_pdf(on.store, file, now(), &mut |_| {})?;
            let kind = if s.final_report { "final" } else { "INTERIM" };
            writeln!(
                on.out,
                "Wrote the {kind} re-entry report: {} items, {} pages, to {}",
                s.items,
                s.pages,
                file.display()
            )?;
        }
    }
    writeln!(on.out, "{IG_NOTE}")?;
    Ok(ExitCode::SUCCESS)
}

/// `stats`: counts by kind and status, as a table or JSON.
pub(super) fn stats(on: &mut OnLog<'_>, json: bool) -> Result<ExitCode> {
    let s = on.store.stats()?;
    let out = &mut *on.out;
    let voided_of = |kind: ItemKind| -> u64 {
        s.voided_by_kind
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, n)| n)
            .sum()
    };
    if json {
        let mut by_kind = serde_json::Map::new();
        for kind in ItemKind::ALL {
            let mut m = serde_json::Map::new();
            for st in Status::ALL {
                m.insert(st.code().into(), s.count(Some(kind), Some(st)).into());
            }
            m.insert("voided".into(), voided_of(kind).into());
            by_kind.insert(kind.code().into(), m.into());
        }
        let mut totals = serde_json::Map::new();
        for st in Status::ALL {
            totals.insert(st.code().into(), s.count(None, Some(st)).into());
        }
        totals.insert("voided".into(), s.voided().into());
        totals.insert("items".into(), s.total().into());
        let doc = serde_json::json!({ "by_kind": by_kind, "totals": totals });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{:<28}{:>12}{:>12}{:>12}{:>12}{:>10}",
        "kind", "outstanding", "re-entered", "not needed", "problem", "voided"
    )?;
    for kind in ItemKind::ALL {
        let c = |st| s.count(Some(kind), Some(st));
        writeln!(
            out,
            "{:<28}{:>12}{:>12}{:>12}{:>12}{:>10}",
            kind.label(),
            c(Status::Outstanding),
            c(Status::ReEntered),
            c(Status::NotNeeded),
            c(Status::Problem),
            voided_of(kind)
        )?;
    }
    let c = |st| s.count(None, Some(st));
    writeln!(
        out,
        "{:<28}{:>12}{:>12}{:>12}{:>12}{:>10}",
        "total",
        c(Status::Outstanding),
        c(Status::ReEntered),
        c(Status::NotNeeded),
        c(Status::Problem),
        s.voided()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `verify`: each check and what it found; fails if any check did.
pub(super) fn verify(on: &mut OnLog<'_>, against: Option<&str>) -> Result<ExitCode> {
    let r = on.store.verify()?;
    let held = match against {
        None => None,
        Some(given) => {
            // As printed on a report (N:HASH), or a backup (or the record
            // beside it), whose recorded point is read.
            let text = match crate::store::audit::ChainAnchor::parse(given) {
                Some(_) => given.to_string(),
                None if Path::new(given).exists() => {
                    crate::store::sqlite::backup::record_of(Path::new(given))
                        .and_then(|r| r.anchor)
                        .with_context(|| {
                            format!("{given}: no point of the audit trail is recorded for it (a backup's record is the .json beside it)")
                        })?
                }
                None => bail!(
                    "'{given}' is not a point of the audit trail: give it as printed on the report, N:HASH (64 hex digits), or a backup file"
                ),
            };
            let Some((event, hash)) = crate::store::audit::ChainAnchor::parse(&text) else {
                bail!("'{text}' recorded for {given} is not a point of the audit trail");
            };
            let held = on.store.holding(event, &hash)?;
            Some((text, held))
        }
    };
    let out = &mut *on.out;
    writeln!(
        out,
        "database integrity: {}",
        if r.integrity_ok { "ok" } else { "FAILED" }
    )?;
    for m in r.integrity_messages.iter().filter(|m| *m != "ok") {
        writeln!(out, "  {m}")?;
    }
    writeln!(out, "links to staff: {} broken", r.foreign_key_problems)?;
    writeln!(
        out,
        "items without a creation event: {}",
        r.items_without_creation_event
    )?;
    writeln!(
        out,
        "unreadable audit events: {}",
        r.unreadable_audit_events
    )?;
    match &r.broken_link {
        None => writeln!(
            out,
            "audit hash chain: intact ({} events)",
            r.audit_events - r.events_before_chain
        )?,
        Some((id, why)) => writeln!(out, "audit hash chain: BROKEN at event {id}: {why}")?,
    }
    writeln!(
        out,
        "rows that differ from their history (changed behind the app's back): {}",
        r.divergent_rows
    )?;
    for d in &r.divergences {
        writeln!(out, "  {}", d.describe())?;
    }
    if r.divergent_rows > r.divergences.len() as u64 {
        writeln!(
            out,
            "  … and {} more",
            r.divergent_rows - r.divergences.len() as u64
        )?;
    }
    writeln!(out, "{} items, {} audit events", r.items, r.audit_events)?;
    let mut held_ok = true;
    match held {
        None => {}
        Some((_, Some(a))) => writeln!(
            out,
            "the recorded history up to event {} is still in this log",
            a.event
        )?,
        Some((text, None)) => {
            held_ok = false;
            writeln!(
                out,
                "NOT IN THIS LOG: the history recorded as {text} (rewritten since, or another log)"
            )?;
        }
    }
    if !r.is_ok() || !held_ok {
        bail!("verification failed");
    }
    writeln!(out, "verify: ok")?;
    Ok(ExitCode::SUCCESS)
}

/// `demo`: fills a new log with a synthetic practice.
pub(super) fn demo(on: &mut OnLog<'_>, items: usize, seed: u64) -> Result<ExitCode> {
    let n = crate::demo::fill(on.store, items, seed, now())?;
    writeln!(
        on.out,
        "Filled {} with a synthetic practice: {n} items",
        on.place
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `stress-log`: logs generated items one at a time through
/// [`crate::store::CutoverStore::log_item`], each in its own transaction, and
/// reports each one only after its commit returned (printed and flushed), so a
/// test that kills this process knows what must be stored.
///
/// The items are generated as of the project's go-live (not the clock), so the same
/// seed on the same practice always gives the same list: a test can regenerate it
/// with [`stress_items`] and compare what was stored.
pub(super) fn stress_log(on: &mut OnLog<'_>, count: usize, seed: u64) -> Result<ExitCode> {
    let actor = on.signed_in()?;
    let project = on
        .store
        .project()?
        .context("no project is set up: run `cutover-log init` first")?;
    // Synthetic patients only in a log of synthetic patients: never into a
    // practice's live log (issue 31 #13).
    let mut real = 0u64;
    on.store.for_each_item(&mut |i| {
        if i.input
            .patient
            .nhs_number
            .is_some_and(|n| !n.digits().starts_with("999"))
        {
            real += 1;
        }
        Ok(())
    })?;
    if real > 0 {
        bail!(
            "this log holds {real} items of real patients (NHS numbers outside the 999 test range): stress-log writes synthetic patients only into a log of synthetic patients (a demo or test log)"
        );
    }
    let list = stress_items(&project, &on.store.staff()?, count, seed);
    if list.len() < count {
        bail!(
            "could only generate {} of {count} items: the staff list needs a receptionist, a GP and a clinician",
            list.len()
        );
    }
    for it in &list {
        let at = Actor::staff(
            actor.staff.context("no staff member is signed in")?,
            actor.name.clone(),
            now(),
        );
        let item = on.store.log_item(&it.input, &at)?;
        writeln!(on.out, "saved {}", item.id.0)?;
        on.out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The synthetic items `stress-log --count COUNT --seed SEED` logs, in order, for
/// this project and staff list (NHS numbers from the 999 test range).
pub fn stress_items(
    project: &Project,
    staff: &[crate::domain::Staff],
    count: usize,
    seed: u64,
) -> Vec<crate::store::ImportedItem> {
    crate::demo::items(count, seed, project, staff, project.go_live)
}
