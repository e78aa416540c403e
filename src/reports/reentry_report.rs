//! The completed re-entry report: the practice's proof that everything entered in
//! the old system during cutover reached the new one. Gathered from the store in
//! one pass, laid out as blocks, and written as an A4 landscape PDF.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::NaiveDateTime;

use crate::domain::dates::{uk_date_long, uk_date_time};
use crate::domain::deadline::{Deadlines, DueBy, Urgency, lateness_words};
use crate::domain::signoff::NewSystemChecks;
use crate::domain::{Item, ItemId, ItemKind, SignOff, StaffDirectory, Status};
use crate::store::CutoverStore;
use crate::store::reconcile::Verification;

use super::ReportError;
use super::atomic::write_atomically;
use super::pdf_writer::{Block, Column, PdfReport, write_pdf};

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportSummary {
    pub items: u64,
    pub open: u64,
    pub pages: usize,
    pub final_report: bool,
}

/// The default file name: `cutover-reentry-report-A81001-2026-12-05.pdf`.
pub fn default_file_name(ods: &str, day: chrono::NaiveDate, extension: &str) -> String {
    format!(
        "cutover-reentry-report-{ods}-{}.{extension}",
        day.format("%Y-%m-%d")
    )
}

/// Table columns from (title, relative width) pairs.
fn columns(spec: &[(&str, f32)]) -> Vec<Column> {
    spec.iter()
        .map(|&(title, width)| Column {
            title: title.to_string(),
            width,
        })
        .collect()
}

fn item_columns() -> Vec<Column> {
    columns(&[
        ("When", 1.5),
        ("NHS number", 1.1),
        ("Patient", 1.6),
        ("Details", 3.8),
        ("Clinician", 1.4),
        ("Logged by", 1.3),
        ("Outcome", 2.6),
    ])
}

/// The open items' columns: an item's, with its due-by after when it happened
/// (the outcome narrower: an open item's is short).
fn open_columns() -> Vec<Column> {
    columns(&[
        ("When", 1.4),
        ("Due by", 1.4),
        ("NHS number", 1.15),
        ("Patient", 1.5),
        ("Details", 4.0),
        ("Clinician", 1.3),
        ("Logged by", 1.3),
        ("Outcome", 2.0),
    ])
}

/// An open item's due-by in words, with "OVERDUE" after it once passed at `now`:
/// "23/11/2026 OVERDUE".
fn due_words(due: DueBy, now: NaiveDateTime) -> String {
    match due.urgency(now) {
        Urgency::Overdue => format!("{} OVERDUE", due.words()),
        Urgency::DueToday | Urgency::Later => due.words(),
    }
}

/// An open item's row: [`item_row`]'s, its kind before the details and its
/// due-by (see [`due_words`]) after when it happened.
fn open_row(item: &Item, mut row: Vec<String>, due: String) -> Vec<String> {
    row[3] = format!("{}: {}", item.input.kind.label(), row[3]);
    row.insert(1, due);
    row
}

/// Re-entered by whom and when, the reason, or the problem.
fn outcome(item: &Item, staff: &StaffDirectory) -> String {
    item.reentry.describe(staff, true)
}

/// An outcome, then on its own line whether the new system's reports had the
/// item (nothing more when there is nothing to check).
fn with_new_system(outcome: String, item: &Item, finding: Option<&Verification>) -> String {
    match new_system_words(item, finding) {
        words if words.is_empty() => outcome,
        words => format!("{outcome}\n{words}"),
    }
}

/// Whether the item was found in the new system's reports, and by which:
/// "Verified: systmone-issues.csv row 3", "NOT FOUND in systmone-issues.csv",
/// "Not checked" (re-entered, never checked), or blank (not re-entered: nothing
/// to check).
pub fn new_system_words(item: &Item, finding: Option<&Verification>) -> String {
    match finding {
        Some(f) => f.describe(),
        None if item.void.is_none() && item.reentry.status == Status::ReEntered => {
            "Not checked".into()
        }
        None => String::new(),
    }
}

fn item_row(item: &Item, staff: &StaffDirectory, last: String) -> Vec<String> {
    vec![
        uk_date_time(item.input.occurred_at),
        item.input.patient.nhs_number_words(),
        item.input.patient.name.clone(),
        item.input.summary(),
        staff.name(item.input.clinician),
        staff.name(Some(item.logged_by)),
        last,
    ]
}

fn late_columns() -> Vec<Column> {
    columns(&[
        ("Kind", 1.4),
        ("NHS number", 1.1),
        ("Patient", 1.6),
        ("Due by", 1.5),
        ("Re-entered", 1.5),
        ("By", 1.4),
        ("Late by", 1.2),
    ])
}

fn late_row(
    item: &Item,
    staff: &StaffDirectory,
    due: DueBy,
    at: NaiveDateTime,
    late: chrono::Duration,
) -> Vec<String> {
    vec![
        item.input.kind.label().to_string(),
        item.input.patient.nhs_number_words(),
        item.input.patient.name.clone(),
        due.words(),
        uk_date_time(at),
        staff.name(item.reentry.by),
        lateness_words(late),
    ]
}

/// The key of [`Gathered::counts`] for the open items of a kind that were past
/// their due-by when the report was made.
const OVERDUE: &str = "overdue";

/// The items still open: outstanding and marked a problem, counted apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct OpenCounts {
    outstanding: u64,
    problem: u64,
}

impl OpenCounts {
    /// Counts one open item by its status.
    fn count(&mut self, status: Status) {
        if status == Status::Problem {
            self.problem += 1;
        } else {
            self.outstanding += 1;
        }
    }

    /// Outstanding and problem items together.
    fn total(self) -> u64 {
        self.outstanding + self.problem
    }

    /// "2 outstanding, 1 marked a problem": a problem is never counted as outstanding.
    fn words(self) -> String {
        format!(
            "{} outstanding, {} marked a problem",
            self.outstanding, self.problem
        )
    }
}

/// What one person did to items: re-entered them, marked them not needed, or
/// marked them a problem.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct PersonCounts {
    re_entered: u64,
    not_needed: u64,
    problem: u64,
}

impl PersonCounts {
    /// Counts one item by the status this person gave it.
    fn count(&mut self, status: Status) {
        match status {
            Status::ReEntered => self.re_entered += 1,
            Status::NotNeeded => self.not_needed += 1,
            Status::Problem => self.problem += 1,
            Status::Outstanding => {}
        }
    }

    /// The person's row of the "Who re-entered the items" table.
    fn row(self, name: &str) -> Vec<String> {
        vec![
            name.to_string(),
            self.re_entered.to_string(),
            self.not_needed.to_string(),
            self.problem.to_string(),
        ]
    }
}

/// Everything the report says, gathered in one pass over the log.
struct Gathered {
    by_kind: BTreeMap<ItemKind, Vec<Vec<String>>>,
    open_rows: Vec<Vec<String>>,
    open: OpenCounts,
    voided_rows: Vec<Vec<String>>,
    counts: BTreeMap<(ItemKind, &'static str), u64>,
    by_person: BTreeMap<String, PersonCounts>,
    checks: BTreeMap<ItemKind, NewSystemChecks>,
    first: Option<NaiveDateTime>,
    last: Option<NaiveDateTime>,
    items: u64,
    /// Items re-entered after their due-by, with how late (most late first).
    late: Vec<(chrono::Duration, Vec<String>)>,
}

/// Gathers the report in one pass over the log; open items are overdue or not
/// at `now`, when the report is made.
fn gather(
    store: &dyn CutoverStore,
    staff: &StaffDirectory,
    deadlines: &Deadlines,
    now: NaiveDateTime,
    progress: &mut dyn FnMut(f32),
) -> Result<Gathered, ReportError> {
    let stats = store.stats()?;
    let total = stats.total() + stats.voided();
    let findings: HashMap<ItemId, Verification> = store.verifications()?;
    let mut g = Gathered {
        by_kind: BTreeMap::new(),
        open_rows: Vec::new(),
        open: OpenCounts::default(),
        voided_rows: Vec::new(),
        counts: BTreeMap::new(),
        by_person: BTreeMap::new(),
        checks: BTreeMap::new(),
        first: None,
        last: None,
        items: 0,
        late: Vec::new(),
    };
    store.for_each_item(&mut |item| {
        g.items += 1;
        if g.items.is_multiple_of(5_000) {
            progress(0.4 * g.items as f32 / total.max(1) as f32);
        }
        let kind = item.input.kind;
        let finding = findings.get(&item.id);
        if let Some(v) = &item.void {
            *g.counts.entry((kind, "voided")).or_default() += 1;
            let voided = format!(
                "VOIDED by {}, {}: {}",
                staff.name(Some(v.by)),
                uk_date_time(v.at),
                v.reason
            );
            let mut row = item_row(item, staff, with_new_system(voided, item, finding));
            row[3] = format!("{}: {}", kind.label(), row[3]);
            g.voided_rows.push(row);
            return Ok(());
        }
        let status = item.reentry.status;
        g.checks
            .entry(kind)
            .or_default()
            .count(status, finding.map(Verification::finding));
        *g.counts.entry((kind, status.code())).or_default() += 1;
        if status != Status::Outstanding {
            g.by_person
                .entry(staff.name(item.reentry.by))
                .or_default()
                .count(status);
        }
        if status == Status::ReEntered
            && let Some(at) = item.reentry.at
        {
            g.first = Some(g.first.map_or(at, |f| f.min(at)));
            g.last = Some(g.last.map_or(at, |l| l.max(at)));
            let due = deadlines.due_by(&item.input);
            if let Some(late) = due.late_by(at) {
                g.late.push((late, late_row(item, staff, due, at, late)));
            }
        }
        let last = with_new_system(outcome(item, staff), item, finding);
        let row = item_row(item, staff, last);
        if item.still_to_do() {
            let due = deadlines.due_by(&item.input);
            g.open.count(status);
            if due.urgency(now) == Urgency::Overdue {
                *g.counts.entry((kind, OVERDUE)).or_default() += 1;
            }
            g.open_rows
                .push(open_row(item, row.clone(), due_words(due, now)));
        }
        g.by_kind.entry(kind).or_default().push(row);
        Ok(())
    })?;
    Ok(g)
}

/// Lays the report out: title block, summary, open items first, every item by
/// kind, the sign-off, and voided items in an appendix, each section following
/// on from the last.
pub fn build(
    store: &dyn CutoverStore,
    now: NaiveDateTime,
    progress: &mut dyn FnMut(f32),
) -> Result<(PdfReport, ReportSummary), ReportError> {
    let project = store
        .project()?
        .ok_or(crate::store::StoreError::NoProject)?;
    let staff = StaffDirectory::new(store.staff()?);
    let mut sign_offs = store.sign_offs()?;
    let sign_off: Option<SignOff> = sign_offs.pop();
    // Earlier sign-offs, each replaced by the next (the latest is in force).
    let replaced = sign_offs;
    let deadlines = Deadlines {
        go_live: project.go_live,
        rules: store.deadline_rules()?,
    };
    let mut g = gather(store, &staff, &deadlines, now, progress)?;
    g.late.sort_by_key(|(late, _)| std::cmp::Reverse(*late));
    let open = g.open.total();
    let final_report = sign_off.is_some() && open == 0;
    let state = if final_report {
        "FINAL - signed off".to_string()
    } else if open > 0 {
        format!("INTERIM - {}", g.open.words())
    } else {
        "INTERIM - not yet signed off".to_string()
    };

    let mut blocks = vec![
        Block::Heading("Cutover re-entry report".into()),
        Block::KeyValues(vec![
            (
                "Practice".into(),
                format!("{} ({})", project.practice_name, project.ods_code),
            ),
            (
                "Systems".into(),
                format!(
                    "{} -> {}",
                    project.old_system.label(),
                    project.new_system.label()
                ),
            ),
            (
                "Cutover start (final extract)".into(),
                uk_date_time(project.cutover_start),
            ),
            ("Go-live".into(), uk_date_time(project.go_live)),
            (
                "Report made".into(),
                format!("{} ({})", uk_date_time(now), uk_date_long(now.date())),
            ),
            ("Report status".into(), state.clone()),
            (
                "Audit trail".into(),
                match store.chain_anchor()? {
                    Some(a) => format!(
                        "up to event {} (check a log still holds it: cutover-log verify --against {})",
                        a.event,
                        a.text()
                    ),
                    None => "no events".into(),
                },
            ),
        ]),
        Block::Heading("Summary".into()),
    ];
    let states = [
        ("re_entered", "Re-entered"),
        ("not_needed", "Not needed"),
        ("problem", "Problem"),
        ("outstanding", "Outstanding"),
        ("voided", "Voided"),
    ];
    let mut columns = vec![Column {
        title: "Kind".into(),
        width: 2.5,
    }];
    columns.extend(states.iter().map(|(_, t)| Column {
        title: (*t).into(),
        width: 1.0,
    }));
    columns.push(Column {
        title: "Total".into(),
        width: 1.0,
    });
    // Then of the open items, how many were past their due-by at `now`.
    columns.push(Column {
        title: "Overdue".into(),
        width: 1.0,
    });
    // Then the items ticked re-entered by what the new system's reports showed.
    let checked = NewSystemChecks::default()
        .labelled()
        .map(|(title, _)| title);
    columns.extend(checked.iter().map(|t| Column {
        title: (*t).into(),
        width: 1.2,
    }));
    let mut rows = Vec::new();
    let mut totals = vec![0u64; states.len() + 2 + checked.len()];
    for kind in ItemKind::ALL {
        let counts: Vec<u64> = states
            .iter()
            .map(|(code, _)| g.counts.get(&(kind, *code)).copied().unwrap_or(0))
            .collect();
        let sum: u64 = counts.iter().sum();
        if sum == 0 {
            continue;
        }
        let mut row = vec![kind.label().to_string()];
        for (i, c) in counts.iter().enumerate() {
            totals[i] += c;
            row.push(c.to_string());
        }
        totals[states.len()] += sum;
        row.push(sum.to_string());
        let overdue = g.counts.get(&(kind, OVERDUE)).copied().unwrap_or(0);
        totals[states.len() + 1] += overdue;
        row.push(overdue.to_string());
        let checks = g.checks.get(&kind).copied().unwrap_or_default();
        for (i, (_, n)) in checks.labelled().into_iter().enumerate() {
            totals[states.len() + 2 + i] += n;
            row.push(n.to_string());
        }
        rows.push(row);
    }
    let mut total_row = vec!["All kinds".to_string()];
    total_row.extend(totals.iter().map(u64::to_string));
    rows.push(total_row);
    blocks.push(Block::Table { columns, rows });
    let not_found: u64 = g.checks.values().map(|c| c.not_found).sum();
    if not_found > 0 {
        blocks.push(Block::Paragraph(if final_report {
            format!(
                "{not_found} item(s) ticked re-entered were not found in the new system's report: they are marked NOT FOUND below; the sign-off's comment says why the re-entry was signed off with them."
            )
        } else {
            format!(
                "{not_found} item(s) ticked re-entered were not found in the new system's report: they are marked NOT FOUND below. Look again before sign-off; signing off needs a reason."
            )
        }));
    }

    blocks.push(Block::Heading("Who re-entered the items".into()));
    blocks.push(who_table(&g.by_person));
    blocks.push(Block::KeyValues(vec![
        (
            "First re-entry".into(),
            g.first
                .map(uk_date_time)
                .unwrap_or_else(|| "none yet".into()),
        ),
        (
            "Last re-entry".into(),
            g.last
                .map(uk_date_time)
                .unwrap_or_else(|| "none yet".into()),
        ),
        (
            "Re-entered after their due-by".into(),
            g.late.len().to_string(),
        ),
    ]));
    // Sections follow on from each other (a heading keeps its first rows with
    // it), so a small log is a page or two, not a page per section.
    if !g.open_rows.is_empty() {
        blocks.push(Block::Heading(format!(
            "Outstanding and problem items ({})",
            g.open.words()
        )));
        blocks.push(Block::Paragraph("These items have not reached the new system. They are listed again under their kind below. OVERDUE: past its due-by when this report was made.".into()));
        blocks.push(Block::Table {
            columns: open_columns(),
            rows: g.open_rows,
        });
    }
    for (kind, rows) in g.by_kind {
        blocks.push(Block::Heading(format!("{} ({})", kind.label(), rows.len())));
        blocks.push(Block::Table {
            columns: item_columns(),
            rows,
        });
    }

    blocks.push(Block::Heading(format!(
        "Re-entered after their due-by ({})",
        g.late.len()
    )));
    if g.late.is_empty() {
        blocks.push(Block::Paragraph(
            "Every item re-entered so far was re-entered by its due-by.".into(),
        ));
    } else {
        blocks.push(Block::Paragraph(
            "Most late first. Due-by follows the practice's deadlines: a booked appointment before its slot or on go-live day, repeat dispensing on go-live day, prescriptions within the turnaround, two-week-wait referrals the next working day.".into(),
        ));
        blocks.push(Block::Table {
            columns: late_columns(),
            rows: g.late.into_iter().map(|(_, row)| row).collect(),
        });
    }

    blocks.push(Block::Heading("Sign-off".into()));
    match &sign_off {
        Some(s) => {
            let mut rows = vec![
                (
                    "Sign-off".into(),
                    format!("{} of {}", replaced.len() + 1, replaced.len() + 1),
                ),
                ("Signed off by".into(), s.name.clone()),
                ("Role".into(), s.role.label().into()),
                ("Date and time".into(), uk_date_time(s.at)),
                ("Items at sign-off".into(), format!("{} ({} voided)", s.items, s.voided)),
                ("Comment".into(), if s.comment.is_empty() { "-".into() } else { s.comment.clone() }),
            ];
            if let (Some(why), Some(earlier)) = (&s.replaces_reason, replaced.last()) {
                rows.push((
                    "Replaces".into(),
                    format!(
                        "the sign-off by {} ({}) at {}: {why}",
                        earlier.name,
                        earlier.role.label(),
                        uk_date_time(earlier.at)
                    ),
                ));
            }
            blocks.push(Block::KeyValues(rows));
        }
        None => blocks.push(Block::Paragraph(format!(
            "Not signed off. The practice manager or clinical lead signs off in Cutover Log once no item is outstanding or a problem (now {}).",
            g.open.words()
        ))),
    }
    blocks.push(Block::Heading(format!(
        "Appendix: voided items ({})",
        g.voided_rows.len()
    )));
    if g.voided_rows.is_empty() {
        blocks.push(Block::Paragraph("No items were voided.".into()));
    } else {
        blocks.push(Block::Table {
            columns: item_columns(),
            rows: g.voided_rows,
        });
    }

    let report = PdfReport {
        title: format!(
            "Cutover re-entry report - {} ({})",
            project.practice_name, project.ods_code
        ),
        banner: (!final_report).then(|| state.clone()),
        footer: format!(
            "{} ({}) - Contains patient-identifiable data: store securely",
            project.practice_name, project.ods_code
        ),
        blocks,
    };
    Ok((
        report,
        ReportSummary {
            items: g.items,
            open,
            pages: 0,
            final_report,
        },
    ))
}

/// Who re-entered the items: per person, how many they re-entered, marked not
/// needed and marked a problem.
fn who_table(by_person: &BTreeMap<String, PersonCounts>) -> Block {
    let mut rows: Vec<Vec<String>> = by_person
        .iter()
        .map(|(name, counts)| counts.row(name))
        .collect();
    if rows.is_empty() {
        rows.push(PersonCounts::default().row("(nobody yet)"));
    }
    Block::Table {
        columns: columns(&[
            ("Person", 3.0),
            ("Re-entered", 1.0),
            ("Not needed", 1.0),
            ("Problem", 1.0),
        ]),
        rows,
    }
}

/// Writes the PDF report to `path`, whole or not at all.
pub fn export_pdf(
    store: &dyn CutoverStore,
    path: &Path,
    now: NaiveDateTime,
    progress: &mut dyn FnMut(f32),
) -> Result<ReportSummary, ReportError> {
    let (report, mut summary) = build(store, now, progress)?;
    write_atomically(path, |w| -> Result<(), ReportError> {
        let mut scaled = |p: f32| progress(0.4 + 0.6 * p);
        summary.pages = write_pdf(&report, w, &mut scaled)?;
        Ok(())
    })?;
    progress(1.0);
    Ok(summary)
}
