//! `capture`: a report from the old system into the log. The file is read, its
//! columns mapped (a mapping file, a saved mapping that fits, or one suggested
//! from the header), every row checked by the entry form's rules, and each row
//! classified against the log: what the hand log missed is added, what it has
//! is recorded as confirmed, rows this file already gave are left alone. All or
//! nothing unless `--skip-invalid`; `--dry-run` stores nothing.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};

use crate::domain::ItemKind;
use crate::domain::capture::{CaptureMapping, Source, suggest};
use crate::domain::dates::uk_date_time;
use crate::reports::capture_check::check_report;
use crate::reports::interchange::write_rejected_rows;
use crate::reports::report_file::{ReportTable, read_report};
use crate::store::capture::RowOutcome;

use super::OnLog;

/// What `capture` was asked to do.
pub(super) struct CaptureArgs<'a> {
    pub file: &'a Path,
    pub mapping: Option<&'a Path>,
    pub kind: Option<&'a str>,
    pub dry_run: bool,
    pub skip_invalid: bool,
    pub write_mapping: Option<&'a Path>,
}

/// The mapping to use, and where it came from (for the report to the user).
fn choose_mapping(
    on: &OnLog<'_>,
    args: &CaptureArgs<'_>,
    table: &ReportTable,
    kind: Option<ItemKind>,
) -> Result<(CaptureMapping, String)> {
    let (mut mapping, from) = match args.mapping {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("could not read {}", path.display()))?;
            let m =
                CaptureMapping::from_json(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
            (m, format!("the mapping in {}", path.display()))
        }
        None => {
            let saved = on
                .store
                .capture_mappings()?
                .into_iter()
                .find(|m| m.check(&table.header).is_ok());
            match saved {
                Some(m) => {
                    let from = format!("the saved mapping '{}'", m.name);
                    (m, from)
                }
                None => {
                    let name = Path::new(&table.file_name)
                        .file_stem()
                        .and_then(|s| s.to_str())
                        .unwrap_or("report")
                        .to_string();
                    (
                        suggest(&table.header, kind, &name),
                        "a mapping suggested from the report's column names".to_string(),
                    )
                }
            }
        }
    };
    if let Some(k) = kind {
        mapping.kind = Some(Source::Constant {
            value: k.code().to_string(),
        });
    }
    Ok((mapping, from))
}

/// Runs `capture` (see the module comment).
pub(super) fn capture(on: &mut OnLog<'_>, args: &CaptureArgs<'_>) -> Result<ExitCode> {
    let actor = on.signed_in()?;
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
    let (mapping, from) = choose_mapping(on, args, &table, kind)?;
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
            "The mapping does not fit this report; nothing was captured. Give a mapping with --mapping FILE (--write-mapping FILE writes the one tried, to edit)."
        );
        return Ok(ExitCode::FAILURE);
    }
    let staff = on.store.staff()?;
    let checked = check_report(&table, &mapping, &staff, actor.at);
    if !checked.rejected.is_empty() && !args.skip_invalid {
        for r in &checked.rejected {
            for p in &r.problems {
                eprintln!("{}: {p}", file.display());
            }
        }
        eprintln!(
            "{} of {} rows have problems; nothing was captured. Fix them (or the mapping), or use --skip-invalid to capture the {} good rows.",
            checked.rejected.len(),
            table.rows.len(),
            checked.batch.rows.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    let plan = on.store.capture_plan(&checked.batch)?;
    writeln!(
        on.out,
        "{} rows the hand log missed, {} already logged by hand, {} captured before from this file, {} rejected.",
        plan.new_rows(),
        plan.in_log(),
        plan.already_captured(),
        checked.rejected.len()
    )?;
    for ((line, outcome), row) in plan.outcomes.iter().zip(&checked.batch.rows) {
        if *outcome == RowOutcome::New {
            writeln!(
                on.out,
                "  missed: row {line}, {} at {}",
                row.input.kind.noun(),
                uk_date_time(row.input.occurred_at)
            )?;
        }
    }
    if args.dry_run {
        writeln!(on.out, "Dry run: nothing was stored.")?;
        return Ok(ExitCode::SUCCESS);
    }
    let done = on.store.capture(&checked.batch, &actor, &mut |_, _| true)?;
    writeln!(
        on.out,
        "Captured {} items the hand log missed; {} logged items confirmed by the report.",
        done.outcomes
            .iter()
            .filter(|(_, o)| matches!(o, RowOutcome::Added(_)))
            .count(),
        done.in_log()
    )?;
    if args.mapping.is_some() || !from.starts_with("the saved mapping") {
        on.store.save_capture_mapping(&mapping, &actor)?;
        writeln!(
            on.out,
            "The mapping is saved as '{}': the next report like this one maps in one step.",
            mapping.name
        )?;
    }
    if !checked.rejected.is_empty() {
        let path = write_rejected_rows(
            file,
            &table.header,
            checked
                .rejected
                .iter()
                .map(|r| (r.cells.as_slice(), r.reasons())),
        )?;
        writeln!(
            on.out,
            "{} rows were rejected; they and their reasons are in {}",
            checked.rejected.len(),
            path.display()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
