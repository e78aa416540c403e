//! `reconcile`: the new system's report against the log after go-live. The
//! report is read, mapped and checked as in `capture` (with mappings saved for
//! reconciling), each row paired with the item it shows re-entered by the
//! domain's rules, and the results listed: confident proposals, fits a person
//! must judge, items ticked re-entered but not found, rows nobody logged. With
//! `--accept-confident` the proposals are accepted and the items not found
//! flagged, in one transaction; otherwise nothing is stored. Items are named by
//! number, kind and date only (no patient details on the terminal).

use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::domain::StaffDirectory;
use crate::domain::capture::mapping::Purpose;
use crate::domain::dates::{parse_date, uk_date, uk_date_time};
use crate::domain::reconcile::Coverage;
use crate::domain::{Item, ItemId};
use crate::store::reconcile::{ReconcileDecision, ReconcilePlan};

use super::OnLog;
use super::capture::{ReportArgs, read_and_check};

/// An item in words without patient details: "item 12 (prescription, 25/11/2026 10:40, outstanding)".
fn item_words(plan: &ReconcilePlan, id: ItemId) -> String {
    match plan.items.get(&id) {
        Some(Item { input, reentry, .. }) => format!(
            "item {} ({}, {}, {})",
            id.0,
            input.kind.noun(),
            uk_date_time(input.occurred_at),
            reentry.status.label().to_lowercase()
        ),
        None => format!("item {}", id.0),
    }
}

/// What the report covers, as narrowed on the command line: days (either end
/// open) and a clinician by name.
pub(super) fn coverage(
    on: &mut OnLog<'_>,
    from: Option<&str>,
    to: Option<&str>,
    clinician: Option<&str>,
) -> Result<Coverage> {
    let day = |text: Option<&str>, what: &str| -> Result<Option<chrono::NaiveDate>> {
        text.map(|t| parse_date(t).with_context(|| format!("--{what}")))
            .transpose()
    };
    let (from, to) = (day(from, "covers-from")?, day(to, "covers-to")?);
    let Some(days) = Coverage::days_between(from, to) else {
        bail!("--covers-from is after --covers-to");
    };
    let clinician = match clinician {
        Some(name) => {
            let staff = StaffDirectory::new(on.store.staff()?);
            Some(
                staff
                    .by_name(name)
                    .with_context(|| format!("'{name}' is not on the staff list"))?
                    .id,
            )
        }
        None => None,
    };
    Ok(Coverage { days, clinician })
}

/// Runs `reconcile` (see the module comment).
pub(super) fn reconcile(
    on: &mut OnLog<'_>,
    args: &ReportArgs<'_>,
    coverage: Coverage,
    accept_confident: bool,
) -> Result<ExitCode> {
    let actor = on.signed_in()?;
    let Some(read) = read_and_check(on, args, Purpose::Reconcile)? else {
        return Ok(ExitCode::FAILURE);
    };
    if read.refused {
        return Ok(ExitCode::FAILURE);
    }
    let batch = &read.checked.batch;
    let plan = on.store.reconcile_plan(batch, coverage)?;
    let found = &plan.found;
    for c in &found.covered {
        writeln!(
            on.out,
            "The report's {} rows cover {} to {}{}.",
            c.kind.noun(),
            uk_date(c.first),
            uk_date(c.last),
            match coverage.days {
                Some((from, to)) => format!(
                    " (narrowed to {} to {})",
                    uk_date(from.max(c.first)),
                    uk_date(to.min(c.last))
                ),
                None => String::new(),
            }
        )?;
    }
    writeln!(
        on.out,
        "{} confident proposals, {} to judge, {} already verified, {} ticked but not found in the new system, {} rows nobody logged, {} rejected.",
        found.proposed.len(),
        found.to_judge.len(),
        found.already_verified.len(),
        found.not_found.len(),
        found.unlogged.len(),
        read.checked.rejected.len()
    )?;
    for p in &found.proposed {
        writeln!(
            on.out,
            "  proposed: row {} is {} re-entered",
            p.line,
            item_words(&plan, p.item)
        )?;
    }
    for p in &found.to_judge {
        let doubts: Vec<String> = p.doubts.iter().map(|d| d.describe()).collect();
        writeln!(
            on.out,
            "  to judge: row {} may be {}: {}",
            p.line,
            item_words(&plan, p.item),
            doubts.join("; ")
        )?;
    }
    for id in &found.not_found {
        writeln!(
            on.out,
            "  NOT FOUND: {} was ticked re-entered, but the report has no row for it",
            item_words(&plan, *id)
        )?;
    }
    for line in &found.unlogged {
        let says = batch
            .rows
            .binary_search_by_key(line, |r| r.line)
            .ok()
            .and_then(|i| batch.rows.get(i))
            .map_or(String::new(), |r| {
                format!(
                    ": {}, {}",
                    r.input.kind.noun(),
                    uk_date_time(r.input.occurred_at)
                )
            });
        writeln!(
            on.out,
            "  not logged: row {line}{says} (entered in the new system; usually fine, possibly entered twice)"
        )?;
    }
    if !accept_confident {
        writeln!(
            on.out,
            "Nothing was stored. Run with --accept-confident to accept the {} confident proposals and flag the {} items not found; judge the others on the Reconcile screen.",
            found.proposed.len(),
            found.not_found.len()
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let decision = ReconcileDecision {
        file_name: batch.file_name.clone(),
        sha256: batch.sha256.clone(),
        accepted: plan.all_proposed(),
        not_found: plan.all_not_found(),
    };
    read.write_rejects(on, args)?;
    let done = on
        .store
        .record_reconciliation(&decision, &actor, &mut |_, _| true)?;
    writeln!(on.out, "{}", done.describe())?;
    read.finish(on)?;
    Ok(ExitCode::SUCCESS)
}
