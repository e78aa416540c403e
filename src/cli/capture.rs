//! `capture`: a report from the old system into the log. The file is read, its
//! columns mapped (a mapping file, a saved mapping that fits, or one suggested
//! from the header), every row checked by the entry form's rules, and each row
//! classified against the log: what the hand log missed is added, what it has
//! is recorded as confirmed, rows this file already gave are left alone; a row
//! whose pairing is not clear is listed to judge and left out until settled with
//! `--judge LINE=ITEM|missed`. All or nothing unless `--skip-invalid`;
//! `--dry-run` stores nothing.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};

use crate::domain::capture::mapping::{Chosen, Purpose, choose};
use crate::domain::capture::pairing::Judged;
use crate::domain::capture::{CaptureMapping, Source};
use crate::domain::dates::uk_date_time;
use crate::domain::{ItemId, ItemKind};
use crate::reports::capture_check::{CheckedReport, check_report, problem_groups};
use crate::reports::interchange::write_rejected_rows;
use crate::reports::report_file::{ReportTable, read_report};
use crate::store::capture::RowOutcome;

use super::OnLog;

/// What `capture` or `reconcile` was asked to read: the report and how to map it.
pub(super) struct ReportArgs<'a> {
    pub file: &'a Path,
    pub mapping: Option<&'a Path>,
    pub kind: Option<&'a str>,
    pub skip_invalid: bool,
    pub write_mapping: Option<&'a Path>,
}

/// What `capture` was asked to do.
pub(super) struct CaptureArgs<'a> {
    pub report: ReportArgs<'a>,
    pub dry_run: bool,
    /// `LINE=ITEM` or `LINE=missed`, for rows left to judge.
    pub judge: &'a [String],
    /// Leave out the rows from before the final extract.
    pub leave_out_before_extract: bool,
}

/// The answers given with `--judge`, by line; a malformed one is refused in words.
fn judged(answers: &[String]) -> Result<BTreeMap<u64, Judged>> {
    let mut out = BTreeMap::new();
    for a in answers {
        let parsed = a.split_once('=').and_then(|(line, what)| {
            let line: u64 = line.trim().parse().ok()?;
            let what = what.trim();
            let answer = if what.eq_ignore_ascii_case("missed") {
                Judged::Missed
            } else {
                Judged::Item(ItemId(what.trim_start_matches('#').parse().ok()?))
            };
            Some((line, answer))
        });
        let Some((line, answer)) = parsed else {
            bail!("--judge {a}: give LINE=ITEM (e.g. 12=130) or LINE=missed (e.g. 12=missed)");
        };
        if out.insert(line, answer).is_some() {
            bail!("--judge: row {line} is judged twice");
        }
    }
    Ok(out)
}

/// A report read, mapped and checked, ready to compare with the log.
pub(super) struct CheckedFile {
    pub table: ReportTable,
    pub mapping: CaptureMapping,
    /// Where the mapping came from, in words.
    pub from: String,
    pub checked: CheckedReport,
    /// Some rows were rejected and `--skip-invalid` was not given: nothing may
    /// be stored (the good rows are still compared, for the counts).
    pub refused: bool,
}

impl CheckedFile {
    /// Whether the mapping should be saved after use: it came from a file or
    /// was suggested (a saved one is saved already).
    pub fn mapping_is_new(&self) -> bool {
        !self.from.starts_with("the saved mapping")
    }

    /// Saves the mapping (when new), once the report's rows are stored.
    pub fn finish(&self, on: &mut OnLog<'_>) -> Result<()> {
        let actor = on.signed_in()?;
        if self.mapping_is_new() {
            on.store.save_capture_mapping(&self.mapping, &actor)?;
            writeln!(
                on.out,
                "The mapping is saved as '{}': the next report like this one maps in one step.",
                self.mapping.name
            )?;
        }
        Ok(())
    }

    /// Writes the rows left out, with their reasons, beside the file: before
    /// anything is stored, so a disk too full to take them stops the command
    /// with nothing stored (issue 31 #16) rather than after the rows are in.
    pub fn write_rejects(&self, on: &mut OnLog<'_>, args: &ReportArgs<'_>) -> Result<()> {
        if self.checked.rejected.is_empty() {
            return Ok(());
        }
        let path = write_rejected_rows(
            args.file,
            &self.table.header,
            self.checked
                .rejected
                .iter()
                .map(|r| (r.cells.as_slice(), r.reasons())),
        )
        .map_err(|e| {
            anyhow!(
                "the rows left out could not be written beside the file ({e}); nothing was stored"
            )
        })?;
        writeln!(
            on.out,
            "{} rows were rejected; they and their reasons are in {}. {}",
            self.checked.rejected.len(),
            path.display(),
            crate::reports::interchange::REJECTS_NOTE
        )?;
        Ok(())
    }
}

/// The mapping to use, and where it came from (for the report to the user).
fn choose_mapping(
    on: &OnLog<'_>,
    args: &ReportArgs<'_>,
    table: &ReportTable,
    kind: Option<ItemKind>,
    purpose: Purpose,
) -> Result<(CaptureMapping, String)> {
    let Some(path) = args.mapping else {
        let saved = on.store.capture_mappings()?;
        let (m, chosen) = choose(saved, &table.header, &table.file_name, kind, purpose);
        let from = match chosen {
            Chosen::Saved(name) => format!("the saved mapping '{name}'"),
            Chosen::Suggested => "a mapping suggested from the report's column names".to_string(),
        };
        return Ok((m, from));
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read {}", path.display()))?;
    let mut mapping =
        CaptureMapping::from_json(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    mapping.purpose = purpose;
    if let Some(k) = kind {
        mapping.kind = Some(Source::Constant {
            value: k.code().to_string(),
        });
    }
    Ok((mapping, format!("the mapping in {}", path.display())))
}

/// Reads, maps and checks a report (capture's and reconcile's first steps).
/// `None` when it cannot go on: what is wrong has been printed, nothing stored;
/// [`CheckedFile::refused`] when rows were rejected without `--skip-invalid`.
pub(super) fn read_and_check(
    on: &mut OnLog<'_>,
    args: &ReportArgs<'_>,
    purpose: Purpose,
) -> Result<Option<CheckedFile>> {
    let actor = on.signed_in()?;
    let verb = match purpose {
        Purpose::Capture => "captured",
        Purpose::Reconcile => "reconciled",
    };
    let kind = match args.kind {
        Some(k) => Some(ItemKind::parse(k).with_context(|| {
            let kinds: Vec<&str> = ItemKind::ALL.iter().map(|k| k.code()).collect();
            format!(
                "'{k}' is not a kind of item; use one of: {}",
                kinds.join(", ")
            )
        })?),
        None => None,
    };
    let file = args.file;
    let table = read_report(file).map_err(|e| anyhow!("{}: {e}", file.display()))?;
    let (mapping, from) = choose_mapping(on, args, &table, kind, purpose)?;
    if let Some(path) = args.write_mapping {
        crate::reports::atomic::write_atomically(path, |w| {
            w.write_all(mapping.to_json().as_bytes())
        })
        .with_context(|| format!("could not write {}", path.display()))?;
        writeln!(on.out, "The mapping used is in {}", path.display())?;
    }
    writeln!(
        on.out,
        "{}: {} rows under the header on line {}, mapped with {from}.",
        file.display(),
        table.rows.len(),
        table.header_line
    )?;
    for s in &table.skipped {
        writeln!(on.out, "  passed over {}", table.describe(s))?;
    }
    if let Err(problems) = mapping.check(&table.header) {
        for p in &problems {
            eprintln!("{}: {p}", file.display());
        }
        eprintln!(
            "The mapping does not fit this report; nothing was {verb}. Give a mapping with --mapping FILE (--write-mapping FILE writes the one tried, to edit)."
        );
        return Ok(None);
    }
    let staff = on.store.staff()?;
    let checked = check_report(&table, &mapping, &staff, actor.at);
    // Every distinct problem once, with its rows, whether or not the good rows
    // are used.
    for group in problem_groups(&checked.rejected) {
        eprintln!("{}: rejected: {}", file.display(), group.describe());
    }
    let refused = !checked.rejected.is_empty() && !args.skip_invalid;
    if refused {
        eprintln!(
            "{} of {} rows have problems; nothing was {verb}. Fix them (or the mapping), or use --skip-invalid to use the {} good rows.",
            checked.rejected.len(),
            table.rows.len(),
            checked.batch.rows.len()
        );
    }
    // The rows are checked: what is kept of them is in `checked` (the rejected
    // rows' cells with them), so the file's rows are not held twice over.
    let mut table = table;
    table.rows = Vec::new();
    Ok(Some(CheckedFile {
        table,
        mapping,
        from,
        checked,
        refused,
    }))
}

/// Runs `capture` (see the module comment).
pub(super) fn capture(on: &mut OnLog<'_>, args: &CaptureArgs<'_>) -> Result<ExitCode> {
    let actor = on.signed_in()?;
    let Some(mut read) = read_and_check(on, &args.report, Purpose::Capture)? else {
        return Ok(ExitCode::FAILURE);
    };
    // The batch is moved out, not copied (100,000 checked rows are ~100 MB).
    let mut batch = std::mem::take(&mut read.checked.batch);
    batch.judged = judged(args.judge)?;
    let checked = &read.checked;
    let extract = on
        .store
        .project()?
        .map(|p| p.cutover_start)
        .ok_or_else(|| anyhow!("the log has no practice set up yet"))?;
    if args.leave_out_before_extract {
        let n = batch.leave_out_before_extract(extract);
        writeln!(
            on.out,
            "{n} rows from before the final extract ({}) left out.",
            uk_date_time(extract)
        )?;
    }
    // A capture classifies every row inside its own transaction and says what
    // each was; a dry run, or a file with refused rows, only classifies them.
    let store_now = !(args.dry_run || read.refused);
    let plan = if store_now {
        read.write_rejects(on, &args.report)?;
        on.store.capture(&batch, &actor, &mut |_, _| true)?
    } else {
        on.store.capture_plan(&batch)?
    };
    writeln!(
        on.out,
        "{} rows the hand log missed, {}, {} captured before from this file, {} to judge, {} rejected.",
        plan.new_rows(),
        plan.in_log_words(),
        plan.already_captured(),
        plan.to_judge(),
        checked.rejected.len()
    )?;
    // A row to judge says what it states, its clinician too: that is often the
    // one thing two rows of one slot differ in.
    let staff = crate::domain::StaffDirectory::new(on.store.staff()?);
    for ((line, outcome), row) in plan.outcomes.iter().zip(&batch.rows) {
        if let RowOutcome::ToJudge {
            candidates,
            suggested,
        } = outcome
        {
            let items: Vec<String> = candidates
                .iter()
                .map(|id| {
                    let best = if Some(*id) == *suggested {
                        " (closest)"
                    } else {
                        ""
                    };
                    format!("{}{best}", id.0)
                })
                .collect();
            writeln!(
                on.out,
                "  to judge: row {line}, {} at {} ({}): could be item {} or missed; settle it with --judge {line}=ITEM or --judge {line}=missed",
                row.input.kind.noun(),
                uk_date_time(row.input.occurred_at),
                match row.input.clinician {
                    Some(_) => format!(
                        "{} · {}",
                        row.input.summary(),
                        staff.name(row.input.clinician)
                    ),
                    None => row.input.summary(),
                },
                items.join(" or item ")
            )?;
        }
    }
    for ((line, outcome), row) in plan.outcomes.iter().zip(&batch.rows) {
        if matches!(outcome, RowOutcome::New | RowOutcome::Added(_)) {
            writeln!(
                on.out,
                "  missed: row {line}, {} at {}",
                row.input.kind.noun(),
                uk_date_time(row.input.occurred_at)
            )?;
        }
    }
    let early = plan.missed_before_extract(&batch, extract);
    if early > 0 {
        writeln!(
            on.out,
            "{early} rows the hand log missed happened before the final extract ({}): the extract probably holds them, and adding them means keying them twice. --leave-out-before-extract leaves them out.",
            uk_date_time(extract)
        )?;
    }
    if read.refused {
        return Ok(ExitCode::FAILURE);
    }
    if args.dry_run {
        writeln!(on.out, "Dry run: nothing was stored.")?;
        return Ok(ExitCode::SUCCESS);
    }
    let done = plan;
    writeln!(
        on.out,
        "Captured {} items the hand log missed; {} logged items confirmed by the report.",
        done.outcomes
            .iter()
            .filter(|(_, o)| matches!(o, RowOutcome::Added(_)))
            .count(),
        done.in_log()
    )?;
    if done.to_judge() > 0 {
        writeln!(
            on.out,
            "{} rows left to judge were not captured: run again with --judge for each.",
            done.to_judge()
        )?;
    }
    read.finish(on)?;
    Ok(ExitCode::SUCCESS)
}
