//! Capture from a report (F8): a report the old system made is read, its columns
//! mapped (a saved mapping that fits, or one suggested from the header, which the
//! person confirms or changes field by field), and previewed: every row checked,
//! counted as missed by the hand log, already logged, captured before or
//! rejected (row, column, reason), the first rows shown as they will be stored.
//! Nothing is stored until Capture; then the whole report in one transaction.
//!
//! The same screen, for reconciling (F9), reads the new system's report the same
//! way and shows `reconcile_results` in place of the preview: what a person
//! accepts is recorded in one transaction.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use egui::Ui;

use crate::domain::capture::mapping::{Chosen, Purpose, choose};
use crate::domain::capture::pairing::Judged;
use crate::domain::capture::rows::{NOT_ON_STAFF, distinct_values, match_clinician};
use crate::domain::capture::{CaptureMapping, Source};
use crate::domain::dates::uk_date_time;
use crate::domain::{ItemId, ItemKind, NhsNumber, Staff};
use crate::reports::capture_check::{CheckedReport, check_first, check_report, problem_groups};
use crate::reports::report_file::{ReportTable, read_report};
use crate::store::CutoverStore;
use crate::store::capture::{CaptureBatch, CapturePlan, RowOutcome};
use crate::store::reconcile::{ReconcileDecision, ReconcilePlan, Recorded};

use super::AppContext;
use super::background::Background;
use super::focus_cycle::{self, InCycle};
use super::reconcile_results::Asked;
use super::widgets;
use crate::domain::reconcile::Coverage;

/// How many rows the preview shows as they will be stored.
const PREVIEW_ROWS: usize = 10;
/// How many rejected rows are listed (all are written beside the file).
const LISTED_PROBLEMS: usize = 20;

/// Up to this many rows, a report is checked against the log at once; a longer
/// one shows its first rows at once and is checked whole on a thread.
const CHECK_AT_ONCE_ROWS: usize = 2_000;

/// What the good rows are against the log: for a capture, each row's outcome;
/// for a reconciliation, the pairing of rows and items.
enum Against {
    Capture(CapturePlan),
    Reconcile(ReconcilePlan),
}

/// The good rows against the log, for this screen's purpose.
fn against(
    store: &dyn CutoverStore,
    purpose: Purpose,
    batch: &CaptureBatch,
    coverage: Coverage,
) -> crate::store::StoreResult<Against> {
    Ok(match purpose {
        Purpose::Capture => Against::Capture(store.capture_plan(batch)?),
        Purpose::Reconcile => Against::Reconcile(store.reconcile_plan(batch, coverage)?),
    })
}

/// How the summary line begins when a saved mapping fitted the report.
const SAVED_MAPPING: &str = "columns mapped by the saved mapping";

/// A report checked against the log: the good rows against it, the rejected rows.
type Checked = (CheckedReport, Against);

/// What the file gave, its mapping and the preview.
struct Loaded {
    table: Arc<ReportTable>,
    mapping: CaptureMapping,
    /// Where the mapping came from, for the person to see.
    from: String,
    /// The first rows checked, shown while a long report is checked whole.
    first: Option<Checked>,
    /// Every row checked; `None` until checked (again) against the log.
    preview: Option<Checked>,
    /// The whole report being checked on a thread of its own.
    checking: Option<Background<Checked>>,
    /// The log changed since `preview` was checked: check again, keeping it shown.
    stale: bool,
    /// The report's kinds and clinician names, for matching.
    names: Names,
    /// The person's answers for rows the pairing left to judge, by line.
    judged: BTreeMap<u64, Judged>,
    /// The logged items offered for rows to judge, as one line each (read once).
    offered: HashMap<ItemId, String>,
    /// Where the rejected rows were written before the last write began, and
    /// how many (said once the write is done).
    rejects_written: Option<(usize, std::path::PathBuf)>,
}

/// What a thread of this screen wrote.
enum Written {
    Captured(CapturePlan),
    Recorded(Recorded),
}

/// A capture (or a reconciliation's decision) being written on a thread of its
/// own (with its own store handle), so the window stays responsive and the
/// person can cancel.
struct Running {
    done: Arc<AtomicUsize>,
    all: usize,
    cancel: Arc<AtomicBool>,
    result: Background<Written>,
}

/// The capture screen's state (and the reconcile screen's: the same reading,
/// mapping and checking, for the new system's reports).
#[derive(Default)]
pub struct CaptureScreen {
    /// Capture (the old system's reports) or reconcile (the new system's).
    purpose: Purpose,
    running: Option<Running>,
    /// The path box was given the focus once (when the screen first opened).
    focus_given: bool,
    path: String,
    /// The kind of every row, when the report does not say.
    kind: Option<ItemKind>,
    loaded: Option<Loaded>,
    skip_invalid: bool,
    /// Leave out the rows that happened before the final extract.
    leave_out_before_extract: bool,
    /// Why the file could not be read.
    problem: Option<String>,
    /// What a reconciled report covers, as the person narrowed it.
    coverage: Coverage,
    /// The narrowing as typed.
    narrowing: super::reconcile_results::Narrowing,
}

/// A field a mapping can fill, with the label people know it by.
fn fields_for(kind: Option<ItemKind>) -> Vec<(&'static str, &'static str)> {
    let mut out = vec![
        ("occurred_at", "When it happened"),
        ("nhs_number", "NHS number"),
        ("patient_name", "Patient name"),
        ("date_of_birth", "Date of birth"),
        ("clinician", "Clinician"),
    ];
    // A kind from a column: any kind's fields may be in the report.
    let kinds = kind.map_or(ItemKind::ALL.to_vec(), |k| vec![k]);
    for f in kinds.iter().flat_map(|k| k.fields()) {
        if !out.iter().any(|(key, _)| *key == f.key) {
            out.push((f.key, f.label));
        }
    }
    out.push(("details", "Details"));
    out
}

/// How many different clinician names or kinds are listed for matching.
const LISTED_NAMES: usize = 60;

/// The different kinds and clinician names a report's rows give, read once for
/// the columns the mapping takes them from.
#[derive(Default)]
struct Names {
    kind_from: Option<Source>,
    clinician_from: Option<Source>,
    kinds: Vec<String>,
    clinicians: Vec<String>,
}

impl Loaded {
    /// Reads the report's kinds and clinician names again if the mapping now
    /// takes them from other columns (only column sources list anything).
    fn refresh_names(&mut self) {
        let from_column =
            |s: Option<&Source>| s.filter(|s| !matches!(s, Source::Constant { .. })).cloned();
        let kind_from = from_column(self.mapping.kind.as_ref());
        let clinician_from = from_column(self.mapping.fields.get("clinician"));
        if self.names.kind_from == kind_from && self.names.clinician_from == clinician_from {
            return;
        }
        let list = |source: &Option<Source>| {
            source.as_ref().map_or_else(Vec::new, |s| {
                let rows = self.table.rows.iter().map(|r| r.cells.as_slice());
                distinct_values(&self.table.header, rows, s, LISTED_NAMES)
            })
        };
        self.names = Names {
            kinds: list(&kind_from),
            clinicians: list(&clinician_from),
            kind_from,
            clinician_from,
        };
    }

    /// The check no longer holds (the mapping or the log changed): check again;
    /// a check still running is dropped (its result goes nowhere).
    fn forget_check(&mut self) {
        self.first = None;
        self.preview = None;
        self.checking = None;
        self.stale = false;
    }
}

impl CaptureScreen {
    /// The screen for the new system's reports.
    pub fn reconciling() -> Self {
        Self {
            purpose: Purpose::Reconcile,
            ..Self::default()
        }
    }

    /// Someone else signed in: nothing of the last person's report stays.
    pub fn forget_person(&mut self) {
        *self = Self {
            purpose: self.purpose,
            ..Self::default()
        };
    }

    /// The log changed (another desk logged something): check the report
    /// against it again. A whole preview stays on screen (and Capture with it:
    /// the capture classifies every row again inside its own transaction) until
    /// the new one replaces it, so the screen does not jump under the person's
    /// pointer each time a desk saves.
    pub fn mark_stale(&mut self) {
        if let Some(l) = &mut self.loaded {
            if l.preview.is_some() {
                l.stale = true;
                l.checking = None;
            } else {
                l.forget_check();
            }
        }
    }

    fn read(&mut self, cx: &mut AppContext<'_>) {
        self.problem = None;
        self.loaded = None;
        let path = std::path::PathBuf::from(self.path.trim());
        let table = match read_report(&path) {
            Ok(t) => t,
            Err(e) => {
                self.problem = Some(e.to_string());
                return;
            }
        };
        let saved = cx.store.capture_mappings().unwrap_or_else(|e| {
            cx.status
                .error(format!("Could not read the saved mappings: {e}"));
            Vec::new()
        });
        let (mapping, chosen) = choose(
            saved,
            &table.header,
            &table.file_name,
            self.kind,
            self.purpose,
        );
        let from = match chosen {
            Chosen::Saved(name) => format!("{SAVED_MAPPING} '{name}'"),
            Chosen::Suggested => {
                "mapping suggested from the column names: check each field".to_string()
            }
        };
        self.loaded = Some(Loaded {
            table: Arc::new(table),
            mapping,
            from,
            first: None,
            preview: None,
            checking: None,
            stale: false,
            names: Names::default(),
            judged: BTreeMap::new(),
            offered: HashMap::new(),
            rejects_written: None,
        });
    }

    /// Checks the report against the log: a short one at once; a long one's
    /// first rows at once, the whole on a thread (picked up here, frame by frame).
    fn check(&mut self, cx: &mut AppContext<'_>) {
        let (purpose, coverage) = (self.purpose, self.coverage);
        let Some(l) = &mut self.loaded else { return };
        if let Some(job) = &l.checking {
            // While it runs, the spinner keeps frames coming.
            if let Some(outcome) = job.finished() {
                l.checking = None;
                match outcome {
                    Ok(done) => l.preview = Some(done),
                    Err(e) => cx
                        .status
                        .error(format!("Could not check the report against the log: {e}")),
                }
            }
            return;
        }
        let again = l.stale && l.preview.is_some();
        if !again && (l.preview.is_some() || l.first.is_some()) {
            // Checked; or the whole check failed: said once, not retried every frame.
            return;
        }
        l.stale = false;
        let all = l.table.rows.len() <= CHECK_AT_ONCE_ROWS;
        // Reconciling pairs the whole report: its first rows alone would say
        // "not found" of items a later row has.
        if all || (!again && purpose == Purpose::Capture) {
            let rows = if all {
                l.table.rows.len()
            } else {
                PREVIEW_ROWS
            };
            let checked = check_first(&l.table, rows, &l.mapping, cx.staff.all(), cx.now);
            let plan = match against(cx.store, purpose, &checked.batch, coverage) {
                Ok(plan) => plan,
                Err(e) => {
                    cx.status
                        .error(format!("Could not check the report against the log: {e}"));
                    return;
                }
            };
            if all {
                l.preview = Some((checked, plan));
                return;
            }
            l.first = Some((checked, plan));
        }
        match cx.store.open_another() {
            Ok(store) => {
                let (table, mapping) = (Arc::clone(&l.table), l.mapping.clone());
                let (staff, now) = (cx.staff.all().to_vec(), cx.now);
                let job = Background::start("check of the report", move || {
                    let checked = check_report(&table, &mapping, &staff, now);
                    let plan = against(store.as_ref(), purpose, &checked.batch, coverage);
                    plan.map(|p| (checked, p)).map_err(|e| e.to_string())
                });
                match job {
                    Ok(job) => l.checking = Some(job),
                    Err(e) => cx
                        .status
                        .error(format!("Could not check the whole report: {e}")),
                }
            }
            Err(e) => cx
                .status
                .error(format!("Could not check the whole report: {e}")),
        }
    }

    /// Starts the capture on its own thread; [`Self::poll`] picks up the outcome.
    fn capture(&mut self, cx: &mut AppContext<'_>) {
        let Some(actor) = cx.actor() else { return };
        let Some(l) = &self.loaded else { return };
        let Some((checked, _)) = &l.preview else {
            return;
        };
        let mut batch = checked.batch.clone();
        if self.leave_out_before_extract {
            batch.leave_out_before_extract(cx.project.cutover_start);
        }
        batch.judged = l.judged.clone();
        // Only answers for rows this check leaves to judge (a changed mapping or
        // log may have settled others).
        if let Some((_, Against::Capture(plan))) = &l.preview {
            batch.judged.retain(|line, answer| {
                plan.outcomes.iter().any(|(l, o)| match o {
                    RowOutcome::ToJudge { candidates, .. } => {
                        l == line
                            && match answer {
                                Judged::Item(id) => candidates.contains(id),
                                Judged::Missed => true,
                            }
                    }
                    _ => false,
                })
            });
        }
        let all = batch.rows.len();
        if !self.write_rejects_first(cx) {
            return;
        }
        self.start(cx, all, move |store, going| {
            store.capture(&batch, &actor, going).map(Written::Captured)
        });
    }

    /// Writes the rejected rows beside the file before anything is stored, so
    /// a disk too full to take them stops the write with nothing stored (issue
    /// 31 #16). Says why and returns `false` when they could not be written.
    fn write_rejects_first(&mut self, cx: &mut AppContext<'_>) -> bool {
        let path = std::path::PathBuf::from(self.path.trim());
        let Some(l) = &mut self.loaded else {
            return false;
        };
        l.rejects_written = None;
        let Some((checked, _)) = &l.preview else {
            return true;
        };
        if checked.rejected.is_empty() {
            return true;
        }
        let rows = checked
            .rejected
            .iter()
            .map(|r| (r.cells.as_slice(), r.reasons()));
        match crate::reports::interchange::write_rejected_rows(&path, &l.table.header, rows) {
            Ok(p) => {
                l.rejects_written = Some((checked.rejected.len(), p));
                true
            }
            Err(e) => {
                cx.status.error(format!(
                    "The rejected rows could not be written beside the file ({e}), so nothing was stored. Free some space or check the folder, then try again."
                ));
                false
            }
        }
    }

    /// Writes on a thread of its own with its own store handle: `job` is given
    /// the store and the progress callback; [`Self::poll`] picks up the outcome.
    fn start(
        &mut self,
        cx: &mut AppContext<'_>,
        all: usize,
        job: impl FnOnce(
            &mut dyn CutoverStore,
            &mut dyn FnMut(usize, usize) -> bool,
        ) -> crate::store::StoreResult<Written>
        + Send
        + 'static,
    ) {
        let mut store = match cx.store.open_another() {
            Ok(s) => s,
            Err(e) => {
                cx.status.error(format!("Could not start: {e}"));
                return;
            }
        };
        let done = Arc::new(AtomicUsize::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (thread_done, thread_cancel) = (Arc::clone(&done), Arc::clone(&cancel));
        let what = match self.purpose {
            Purpose::Capture => "capture",
            Purpose::Reconcile => "recording",
        };
        let spawned = Background::start(what, move || {
            job(store.as_mut(), &mut |d, _| {
                thread_done.store(d, Ordering::Relaxed);
                !thread_cancel.load(Ordering::Relaxed)
            })
            .map_err(|e| e.to_string())
        });
        match spawned {
            Ok(result) => {
                self.running = Some(Running {
                    done,
                    all,
                    cancel,
                    result,
                });
            }
            Err(e) => cx.status.error(format!("Could not start: {e}")),
        }
    }

    /// Whether a capture is being written.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Picks up a finished capture: says what it did, saves the mapping, writes
    /// the rejected rows beside the file. Called every frame, on any screen.
    pub fn poll(&mut self, cx: &mut AppContext<'_>) {
        let Some(r) = &self.running else { return };
        let Some(result) = r.result.finished() else {
            return;
        };
        self.running = None;
        let nothing = match self.purpose {
            Purpose::Capture => "Nothing was captured",
            Purpose::Reconcile => "Nothing was recorded",
        };
        let done = match result {
            Ok(Written::Captured(done)) => done,
            Ok(Written::Recorded(done)) => {
                let mut said = done.describe();
                self.after_use(cx, &mut said);
                cx.status.info(said);
                return;
            }
            Err(e) => {
                cx.status.error(format!("{nothing}: {e}"));
                return;
            }
        };
        let Some(l) = &self.loaded else { return };
        let added = done
            .outcomes
            .iter()
            .filter(|(_, o)| matches!(o, RowOutcome::Added(_)))
            .count();
        let mut said = format!(
            "Captured {added} items the hand log missed; {} logged items confirmed by {}.",
            done.in_log(),
            l.table.file_name
        );
        if done.to_judge() > 0 {
            said.push_str(&format!(
                " {} rows left to judge were not captured: open the file again to judge them.",
                done.to_judge()
            ));
        }
        self.after_use(cx, &mut said);
        cx.status.info(said);
    }

    /// The capture's progress and its Cancel button.
    fn running_ui(&mut self, ui: &mut Ui) {
        let Some(r) = &self.running else { return };
        let done = r.done.load(Ordering::Relaxed);
        let fraction = if r.all == 0 {
            1.0
        } else {
            done as f32 / r.all as f32
        };
        ui.add(
            egui::ProgressBar::new(fraction)
                .text(match self.purpose {
                    Purpose::Capture => format!("Capturing: {done} of {} rows", r.all),
                    Purpose::Reconcile => format!("Recording: {done} of {} items", r.all),
                })
                .desired_width(360.0),
        );
        let cancel = match self.purpose {
            Purpose::Capture => "Cancel the capture",
            Purpose::Reconcile => "Cancel recording",
        };
        if ui.button(cancel).in_cycle(ui).clicked() {
            r.cancel.store(true, Ordering::Relaxed);
        }
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(100));
    }

    pub fn ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        self.poll(cx);
        self.check(cx);
        // The screen is one form: Tab goes round its own controls, never to the top bar.
        focus_cycle::begin(ui.ctx(), true);
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let (heading, intro) = match self.purpose {
                    Purpose::Capture => (
                        "Capture from a report",
                        "Read a report the old system made (CSV, Excel or ODS). The rows the hand log missed are added; the ones it has are recorded as confirmed. Nothing is stored until you press Capture.",
                    ),
                    Purpose::Reconcile => (
                        "Reconcile with the new system",
                        "Read a report the new system made since go-live (appointments booked, medication issued…). Each row is matched to the item it shows re-entered. Confident matches are proposed; nothing is stored until you accept them.",
                    ),
                };
                ui.heading(heading);
                ui.label(intro);
                self.file_ui(ui, cx);
                if self.running.is_some() {
                    ui.separator();
                    self.running_ui(ui);
                } else if self.loaded.is_some() {
                    ui.separator();
                    self.summary_ui(ui);
                    self.preview_ui(ui, cx);
                    ui.separator();
                    self.mapping_ui(ui, cx.staff.all());
                }
            });
        focus_cycle::end(ui.ctx());
    }

    fn file_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        let mut read = false;
        egui::Grid::new("capture_file")
            .num_columns(2)
            .show(ui, |ui| {
                widgets::row(ui, "Report file", None, |ui, label| {
                    ui.horizontal(|ui| {
                        let r = widgets::text_box(
                            ui,
                            &mut self.path,
                            "capture_path",
                            "C:\\Reports\\appointments.csv",
                            false,
                            label,
                        );
                        // Keyboard first: the path box has the focus when the screen opens.
                        if !self.focus_given {
                            r.request_focus();
                            self.focus_given = true;
                        }
                        if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                            read = true;
                            // Still here: Tab goes on to Choose…, Read and the kind.
                            r.request_focus();
                        }
                        if ui.button("Choose…").in_cycle(ui).clicked() {
                            match rfd::FileDialog::new()
                                .add_filter(
                                    "Reports",
                                    &["csv", "txt", "tsv", "xlsx", "xls", "xlsb", "ods"],
                                )
                                .pick_file()
                            {
                                Some(p) => {
                                    self.path = p.display().to_string();
                                    read = true;
                                }
                                None => {
                                    // No file dialog on this computer, or none
                                    // chosen: the typed path, at once.
                                    cx.status.info(
                                        "No file chosen. If no file dialog appeared, type the report's path in the box and press Enter.",
                                    );
                                    self.focus_given = false;
                                }
                            }
                        }
                        if ui.button("Read").in_cycle(ui).clicked() {
                            read = true;
                        }
                    });
                });
                widgets::row(ui, "Every row is", None, |ui, label| {
                    let before = self.kind;
                    egui::ComboBox::from_id_salt("capture_kind")
                        .selected_text(self.kind.map_or("as the mapping says", ItemKind::label))
                        .show_ui(ui, |ui| {
                            ui.selectable_value(&mut self.kind, None, "as the mapping says");
                            for k in ItemKind::ALL {
                                ui.selectable_value(&mut self.kind, Some(k), k.label());
                            }
                        })
                        .response
                        .labelled_by(label)
                        .in_cycle(ui);
                    if self.kind != before && self.loaded.is_some() {
                        read = true;
                    }
                });
            });
        if let Some(p) = &self.problem {
            widgets::error_label(ui, p);
        }
        if read && !self.path.trim().is_empty() {
            self.read(cx);
        }
    }

    /// What the file gave: its rows, where the header is, what was passed over.
    fn summary_ui(&self, ui: &mut Ui) {
        let Some(l) = &self.loaded else { return };
        ui.label(format!(
            "{}: {} rows under the header on {} {} ({}); {}.",
            l.table.file_name,
            l.table.rows.len(),
            l.table.line_word(),
            l.table.header_line,
            l.table.encoding,
            l.from
        ));
        if !l.table.skipped.is_empty() {
            let passed: Vec<String> = l
                .table
                .skipped
                .iter()
                .map(|s| l.table.describe(s))
                .collect();
            ui.label(format!("Passed over {}.", passed.join("; ")));
        }
    }

    /// Which column gives each field: open to check when suggested, folded when
    /// a saved mapping fitted.
    fn mapping_ui(&mut self, ui: &mut Ui, staff: &[Staff]) {
        let suggested = self
            .loaded
            .as_ref()
            .is_some_and(|l| !l.from.starts_with(SAVED_MAPPING));
        egui::CollapsingHeader::new("Which column gives each field")
            .default_open(suggested)
            .show(ui, |ui| {
                self.mapping_fields_ui(ui);
                self.names_ui(ui, staff);
            });
    }

    /// Each kind and clinician name the report writes, matched once: a kind
    /// to one of the log's kinds, a name to a member of staff (found by name
    /// where it can be, chosen here where it cannot). Remembered in the mapping.
    fn names_ui(&mut self, ui: &mut Ui, staff: &[Staff]) {
        let Some(l) = &mut self.loaded else { return };
        l.refresh_names();
        let mut changed = false;
        if !l.names.kinds.is_empty() {
            ui.label(egui::RichText::new("Kinds in this report").strong());
            egui::Grid::new("capture_kinds")
                .num_columns(2)
                .show(ui, |ui| {
                    for text in &l.names.kinds {
                        let now = l
                            .mapping
                            .value_for("kind", text)
                            .map_or(text.as_str(), |v| v)
                            .to_string();
                        let current = ItemKind::parse(now.trim());
                        widgets::row(ui, &format!("'{text}' is"), None, |ui, label| {
                            let mut chosen = current;
                            egui::ComboBox::from_id_salt(("capture_kind_value", text.as_str()))
                                .selected_text(
                                    current.map_or("(not a kind: rows rejected)", ItemKind::label),
                                )
                                .show_ui(ui, |ui| {
                                    for k in ItemKind::ALL {
                                        ui.selectable_value(&mut chosen, Some(k), k.label());
                                    }
                                })
                                .response
                                .labelled_by(label)
                                .in_cycle(ui);
                            if chosen != current
                                && let Some(k) = chosen
                            {
                                l.mapping
                                    .values
                                    .entry("kind".into())
                                    .or_default()
                                    .insert(text.clone(), k.code().to_string());
                                changed = true;
                            }
                        });
                    }
                });
        }
        if !l.names.clinicians.is_empty() {
            ui.label(egui::RichText::new("Clinicians in this report").strong());
            egui::Grid::new("capture_clinicians")
                .num_columns(2)
                .show(ui, |ui| {
                    for text in &l.names.clinicians {
                        let remembered = l.mapping.clinicians.get(text).cloned();
                        let locum = remembered.as_deref() == Some(NOT_ON_STAFF);
                        let found = match_clinician(&l.mapping, text, staff);
                        let shown = match (&remembered, &found) {
                            _ if locum => {
                                "not on the staff list (the report's name kept)".to_string()
                            }
                            (Some(name), Ok(_)) => format!("{name} (matched here)"),
                            (None, Ok(s)) => format!("{} (found by name)", s.name),
                            (_, Err(_)) => "not matched: choose who this is".to_string(),
                        };
                        let problem = if locum {
                            None
                        } else {
                            found.as_ref().err().cloned()
                        };
                        widgets::row(
                            ui,
                            &format!("'{text}' is"),
                            problem.as_deref(),
                            |ui, label| {
                                let mut chosen: Option<Option<String>> = None;
                                egui::ComboBox::from_id_salt(("capture_clinician", text.as_str()))
                                    .selected_text(shown)
                                    .width(280.0)
                                    .show_ui(ui, |ui| {
                                        if ui
                                            .selectable_label(
                                                remembered.is_none(),
                                                "(find by name)",
                                            )
                                            .clicked()
                                        {
                                            chosen = Some(None);
                                        }
                                        // Only who can be responsible for an item.
                                        for s in staff
                                            .iter()
                                            .filter(|s| s.active && s.role.is_clinician())
                                        {
                                            if ui
                                                .selectable_label(
                                                    remembered.as_deref() == Some(s.name.as_str()),
                                                    &s.name,
                                                )
                                                .clicked()
                                            {
                                                chosen = Some(Some(s.name.clone()));
                                            }
                                        }
                                        if ui
                                            .selectable_label(
                                                locum,
                                                "Not on the staff list (keep the report's name)",
                                            )
                                            .clicked()
                                        {
                                            chosen = Some(Some(NOT_ON_STAFF.to_string()));
                                        }
                                    })
                                    .response
                                    .labelled_by(label)
                                    .in_cycle(ui);
                                match chosen {
                                    Some(Some(name)) => {
                                        l.mapping.clinicians.insert(text.clone(), name);
                                        changed = true;
                                    }
                                    Some(None) => {
                                        l.mapping.clinicians.remove(text);
                                        changed = true;
                                    }
                                    None => {}
                                }
                            },
                        );
                    }
                });
        }
        if changed {
            l.forget_check();
        }
    }

    fn mapping_fields_ui(&mut self, ui: &mut Ui) {
        let Some(l) = &mut self.loaded else { return };
        let kind = l.mapping.every_row_kind();
        let mut changed = false;
        egui::Grid::new("capture_mapping")
            .num_columns(2)
            .show(ui, |ui| {
                widgets::row(ui, "Mapping name", None, |ui, label| {
                    widgets::text_box(
                        ui,
                        &mut l.mapping.name,
                        "capture_mapping_name",
                        "e.g. EMIS appointments report",
                        false,
                        label,
                    );
                });
                widgets::row(ui, "Kind", None, |ui, label| {
                    let current = l.mapping.kind.clone();
                    let shown = match &current {
                        Some(Source::Constant { value }) => ItemKind::parse(value).map_or_else(
                            || format!("'{value}'"),
                            |k| format!("every row: {}", k.label()),
                        ),
                        Some(other) => other.describe(),
                        None => "(not chosen)".to_string(),
                    };
                    let mut chosen = None;
                    egui::ComboBox::from_id_salt("capture_mapping_kind")
                        .selected_text(shown)
                        .width(280.0)
                        // Every kind and every column, without scrolling the list.
                        .height(640.0)
                        .show_ui(ui, |ui| {
                            let kinds = ItemKind::ALL.iter().map(|k| {
                                let value = k.code().to_string();
                                (
                                    Source::Constant { value },
                                    format!("every row: {}", k.label()),
                                )
                            });
                            let columns = l.table.header.iter().map(|column| {
                                let text = format!("column '{column}'");
                                let column = column.clone();
                                (Source::Column { column }, text)
                            });
                            for (this, text) in kinds.chain(columns) {
                                if ui
                                    .selectable_label(current.as_ref() == Some(&this), text)
                                    .clicked()
                                {
                                    chosen = Some(this);
                                }
                            }
                        })
                        .response
                        .labelled_by(label)
                        .in_cycle(ui);
                    if let Some(c) = chosen
                        && Some(&c) != current.as_ref()
                    {
                        l.mapping.kind = Some(c);
                        changed = true;
                    }
                });
                for (key, field_label) in fields_for(kind) {
                    widgets::row(ui, field_label, None, |ui, label| {
                        let current = l.mapping.fields.get(key).cloned();
                        let shown = current
                            .as_ref()
                            .map_or("(not in the report)".to_string(), Source::describe);
                        let mut chosen: Option<Option<Source>> = None;
                        egui::ComboBox::from_id_salt(("capture_field", key))
                            .selected_text(shown)
                            .width(280.0)
                            .show_ui(ui, |ui| {
                                if ui
                                    .selectable_label(current.is_none(), "(not in the report)")
                                    .clicked()
                                {
                                    chosen = Some(None);
                                }
                                for column in &l.table.header {
                                    let this = Source::Column {
                                        column: column.clone(),
                                    };
                                    if ui
                                        .selectable_label(
                                            current.as_ref() == Some(&this),
                                            format!("column '{column}'"),
                                        )
                                        .clicked()
                                    {
                                        chosen = Some(Some(this));
                                    }
                                }
                                if ui
                                    .selectable_label(
                                        matches!(current, Some(Source::Constant { .. })),
                                        "the same for every row…",
                                    )
                                    .clicked()
                                {
                                    chosen = Some(Some(Source::Constant {
                                        value: String::new(),
                                    }));
                                }
                            })
                            .response
                            .labelled_by(label)
                            .in_cycle(ui);
                        if let Some(Source::Constant { value }) = l.mapping.fields.get_mut(key) {
                            let r = ui.add(
                                egui::TextEdit::singleline(value)
                                    .hint_text("the value")
                                    .desired_width(180.0),
                            );
                            let r = r.labelled_by(label).in_cycle(ui);
                            if r.changed() {
                                changed = true;
                            }
                        }
                        if let Some(choice) = chosen {
                            match choice {
                                Some(s) => l.mapping.fields.insert(key.to_string(), s),
                                None => l.mapping.fields.remove(key),
                            };
                            changed = true;
                        }
                    });
                }
            });
        if changed {
            l.forget_check();
            // The kind box above follows the mapping's kind.
            self.kind = l.mapping.every_row_kind();
        }
    }

    fn preview_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        let Some(l) = &mut self.loaded else { return };
        let mut judged = std::mem::take(&mut l.judged);
        let mut offered = std::mem::take(&mut l.offered);
        let capture = self.checked_ui(ui, cx, &mut judged, &mut offered);
        if let Some(l) = &mut self.loaded {
            l.judged = judged;
            l.offered = offered;
        }
        if capture {
            self.capture(cx);
        }
    }

    /// The report checked against the log: its counts, Capture, the rows to
    /// judge and the first rows as they will be stored. True: Capture pressed.
    fn checked_ui(
        &mut self,
        ui: &mut Ui,
        cx: &mut AppContext<'_>,
        judged: &mut BTreeMap<u64, Judged>,
        offered: &mut HashMap<ItemId, String>,
    ) -> bool {
        let mut capture = false;
        let Some(l) = &self.loaded else { return false };
        let whole = l.preview.is_some();
        if l.checking.is_some() {
            // Frames while the thread works, to pick up its answer (a check of a
            // changed log runs behind the preview, with no spinner to ask for them).
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
        let Some((checked, against)) = l.preview.as_ref().or(l.first.as_ref()) else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!(
                    "Checking all {} rows against the log…",
                    l.table.rows.len()
                ));
            });
            return false;
        };
        let plan = match against {
            Against::Capture(plan) => plan,
            Against::Reconcile(plan) => {
                let rejected = checked.rejected.len();
                if rejected > 0 {
                    ui.checkbox(
                        &mut self.skip_invalid,
                        "Use the good rows; write the rejected ones beside the file",
                    )
                    .in_cycle(ui);
                }
                let ready = whole && (rejected == 0 || self.skip_invalid);
                let asked = super::reconcile_results::results_ui(
                    ui,
                    checked,
                    plan,
                    ready,
                    &mut self.narrowing,
                    cx.staff.all(),
                );
                rejected_ui(ui, checked);
                match asked {
                    Some(Asked::Record(asked)) => self.record(cx, asked),
                    Some(Asked::Narrow(coverage)) => {
                        self.coverage = coverage;
                        if let Some(l) = &mut self.loaded {
                            l.forget_check();
                        }
                    }
                    None => {}
                }
                return false;
            }
        };
        if whole {
            let judge = match plan.to_judge() {
                0 => String::new(),
                n => format!(" · {n} to judge"),
            };
            ui.label(
                egui::RichText::new(format!(
                    "{} rows the hand log missed · {} · {} captured before from this file{judge} · {} rejected",
                    plan.new_rows(),
                    plan.in_log_words().replace(", ", " · "),
                    plan.already_captured(),
                    checked.rejected.len()
                ))
                .strong(),
            );
        } else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(
                    egui::RichText::new(format!(
                        "Checking all {} rows against the log… the first rows are below.",
                        l.table.rows.len()
                    ))
                    .strong(),
                );
            });
        }
        if whole {
            before_extract_ui(
                ui,
                plan.missed_before_extract(&checked.batch, cx.project.cutover_start),
                cx.project.cutover_start,
                &mut self.leave_out_before_extract,
            );
            if !l.mapping.fields.contains_key("occurred_at") {
                ui.label(NO_WHEN_COLUMN);
            }
        }
        // The action first, so it is on screen whatever the preview's length.
        let can = checked.batch.rows.len();
        let rejected = checked.rejected.len();
        // A file captured before: its rows would only be passed over again.
        let all_captured =
            whole && can > 0 && plan.new_rows() + plan.in_log() + plan.to_judge() == 0;
        let unjudged = plan
            .outcomes
            .iter()
            .filter(|(line, o)| {
                matches!(o, RowOutcome::ToJudge { .. }) && !judged.contains_key(line)
            })
            .count();
        ui.horizontal_wrapped(|ui| {
            let ready = whole && can > 0 && !all_captured && (rejected == 0 || self.skip_invalid);
            let label = if all_captured {
                "Nothing to capture: every row was captured before".to_string()
            } else {
                let early = if self.leave_out_before_extract {
                    checked
                        .batch
                        .rows
                        .iter()
                        .filter(|r| {
                            crate::domain::project::report_row_before_extract(
                                r.input.occurred_at,
                                cx.project.cutover_start,
                            )
                        })
                        .count()
                } else {
                    0
                };
                let mut left: Vec<String> = Vec::new();
                if unjudged > 0 {
                    left.push(format!("{unjudged} not judged"));
                }
                if early > 0 {
                    left.push(format!("{early} from before the extract"));
                }
                match left.is_empty() {
                    true => format!("Capture {can} rows"),
                    false => format!(
                        "Capture {} rows ({} left out)",
                        can.saturating_sub(unjudged + early),
                        left.join(", ")
                    ),
                }
            };
            if ui
                .add_enabled(ready, egui::Button::new(label))
                .in_cycle(ui)
                .clicked()
            {
                capture = true;
            }
            if rejected > 0 {
                ui.checkbox(
                    &mut self.skip_invalid,
                    "Capture the good rows; write the rejected ones beside the file",
                )
                .in_cycle(ui);
            }
            // Why Capture is not offered, beside it.
            let why = if !whole {
                Some("Capture waits until every row is checked.")
            } else if can == 0 {
                Some("No row can be captured: see the problems below.")
            } else if rejected > 0 && !self.skip_invalid {
                Some("Some rows have problems: put them right (or the mapping), or tick the box to capture the good rows.")
            } else {
                None
            };
            if let Some(why) = why
                && !all_captured
            {
                ui.label(egui::RichText::new(why).weak());
            }
        });
        if whole && plan.to_judge() > 0 {
            to_judge_ui(ui, cx, plan, &checked.batch, judged, offered);
        }
        egui::Grid::new("capture_preview")
            .striped(true)
            .num_columns(7)
            .show(ui, |ui| {
                for h in [
                    "Row",
                    "Will be",
                    "Kind",
                    "When",
                    "NHS number",
                    "Patient",
                    "What",
                ] {
                    ui.label(egui::RichText::new(h).strong());
                }
                ui.end_row();
                for ((line, outcome), row) in plan
                    .outcomes
                    .iter()
                    .zip(&checked.batch.rows)
                    .take(PREVIEW_ROWS)
                {
                    ui.label(line.to_string());
                    ui.label(match outcome {
                        RowOutcome::New | RowOutcome::Added(_) => "added (missed)".to_string(),
                        RowOutcome::InLog(id) => format!("confirms item {}", id.0),
                        RowOutcome::AlreadyCaptured(id) => {
                            format!("captured before (item {})", id.0)
                        }
                        RowOutcome::ToJudge { .. } => match judged.get(line) {
                            Some(Judged::Item(id)) => format!("confirms item {} (judged)", id.0),
                            Some(Judged::Missed) => "added (judged missed)".to_string(),
                            None => "to judge (below)".to_string(),
                        },
                    });
                    ui.label(row.input.kind.label());
                    ui.label(uk_date_time(row.input.occurred_at));
                    ui.label(
                        row.input
                            .patient
                            .nhs_number
                            .map_or(String::new(), |n: NhsNumber| n.to_string()),
                    );
                    ui.label(&row.input.patient.name);
                    // What will be stored: the action, slot, drug… and who.
                    let who = row
                        .input
                        .clinician
                        .and_then(|id| cx.staff.all().iter().find(|s| s.id == id))
                        .map(|s| format!(" · {}", s.name))
                        .unwrap_or_default();
                    ui.label(format!("{}{who}", row.input.summary()));
                    ui.end_row();
                }
            });
        rejected_ui(ui, checked);
        capture
    }

    /// Records what the person accepted from a reconciliation (one transaction,
    /// on a thread with its progress shown); the report is then checked again.
    fn record(&mut self, cx: &mut AppContext<'_>, asked: super::reconcile_results::ToRecord) {
        let Some(actor) = cx.actor() else { return };
        let Some(l) = &self.loaded else { return };
        let decision = ReconcileDecision {
            file_name: l.table.file_name.clone(),
            sha256: l.table.sha256.clone(),
            accepted: asked.accepted,
            not_found: asked.not_found,
        };
        let all = decision.accepted.len() + decision.not_found.len();
        if !self.write_rejects_first(cx) {
            return;
        }
        self.start(cx, all, move |store, going| {
            store
                .record_reconciliation(&decision, &actor, going)
                .map(Written::Recorded)
        });
    }

    /// After a capture or a reconciliation was stored: the mapping is saved,
    /// where the rejected rows were written is said, and the report checked again.
    fn after_use(&mut self, cx: &mut AppContext<'_>, said: &mut String) {
        let Some(l) = &mut self.loaded else { return };
        if let Some(actor) = cx.actor()
            && let Err(e) = cx.store.save_capture_mapping(&l.mapping, &actor)
        {
            said.push_str(&format!(" The mapping was not saved: {e}"));
        }
        if let Some((n, p)) = l.rejects_written.take() {
            said.push_str(&format!(
                " {n} rejected rows are in {}. {}",
                p.display(),
                crate::reports::interchange::REJECTS_NOTE
            ));
        }
        l.forget_check();
        cx.commands.push(super::command::Command::ReloadReference);
    }
}

/// Said when the mapping has no column for when each row was done.
const NO_WHEN_COLUMN: &str = "No column says when each row was done in the old system (booked, issued or created): an appointment's \"when it happened\" is its slot if past, else the time of capture. If the report has such a date, choose it for \"When it happened\" above.";

/// The rows the hand log missed that happened before the final extract: how
/// many, why that matters, and the choice to leave them out.
fn before_extract_ui(
    ui: &mut Ui,
    count: usize,
    extract: chrono::NaiveDateTime,
    leave_out: &mut bool,
) {
    if count == 0 {
        return;
    }
    widgets::error_label(
        ui,
        &format!(
            "{count} rows the hand log missed happened before the final extract ({}): the extract probably holds them, and adding them means keying them twice.",
            uk_date_time(extract)
        ),
    );
    ui.checkbox(
        leave_out,
        format!("Leave out the {count} rows from before the final extract"),
    )
    .in_cycle(ui);
}

/// How many rows to judge are listed at once (the rest after a capture).
const LISTED_TO_JUDGE: usize = 30;

/// The rows the pairing left to judge, each with its candidates: "item N" for
/// each logged item it could be, or "missed". Nothing is chosen for the person.
fn to_judge_ui(
    ui: &mut Ui,
    cx: &mut AppContext<'_>,
    plan: &CapturePlan,
    batch: &CaptureBatch,
    judged: &mut BTreeMap<u64, Judged>,
    offered: &mut HashMap<ItemId, String>,
) {
    ui.add_space(6.0);
    ui.label(
        egui::RichText::new(format!(
            "{} rows to judge: the report does not show clearly which logged item each is. \
             Choose for each; a row not judged is left out of this capture.",
            plan.to_judge()
        ))
        .strong(),
    );
    let staff_name = |id: Option<crate::domain::StaffId>| {
        id.and_then(|id| cx.staff.all().iter().find(|s| s.id == id))
            .map(|s| format!(" · {}", s.name))
            .unwrap_or_default()
    };
    let mut listed = 0;
    for ((line, outcome), row) in plan.outcomes.iter().zip(&batch.rows) {
        let RowOutcome::ToJudge {
            candidates,
            suggested,
        } = outcome
        else {
            continue;
        };
        listed += 1;
        if listed > LISTED_TO_JUDGE {
            ui.label(format!(
                "… and {} more to judge after this capture.",
                plan.to_judge() - LISTED_TO_JUDGE
            ));
            break;
        }
        let what = format!(
            "Row {line}: {} {} · {} · {}{}",
            row.input.kind.label(),
            uk_date_time(row.input.occurred_at),
            row.input
                .patient
                .nhs_number
                .map_or(String::new(), |n| n.to_string()),
            row.input.summary(),
            staff_name(row.input.clinician)
        );
        ui.label(what);
        let mut options: Vec<(Option<Judged>, String)> = vec![(None, "Not judged".to_string())];
        for id in candidates {
            let text = match offered.get(id) {
                Some(t) => t.clone(),
                None => {
                    let t = match cx.store.item(*id) {
                        Ok(item) => format!(
                            "Item {}: {}{}",
                            id.0,
                            item.input.summary(),
                            staff_name(item.input.clinician)
                        ),
                        Err(_) => format!("Item {}", id.0),
                    };
                    offered.insert(*id, t.clone());
                    t
                }
            };
            let best = if Some(*id) == *suggested {
                " (closest)"
            } else {
                ""
            };
            options.push((Some(Judged::Item(*id)), format!("{text}{best}")));
        }
        options.push((Some(Judged::Missed), "Missed: add it".to_string()));
        let mut value = judged.get(line).copied();
        ui.push_id(("judge", *line), |ui| {
            if widgets::choice_buttons(ui, &mut value, &options) {
                match value {
                    Some(v) => judged.insert(*line, v),
                    None => judged.remove(line),
                };
            }
        });
    }
    ui.add_space(6.0);
}

/// The rejected rows' problems, each distinct one once with its rows (the
/// first few; all rows are written beside the file).
fn rejected_ui(ui: &mut Ui, checked: &CheckedReport) {
    let groups = problem_groups(&checked.rejected);
    for g in groups.iter().take(LISTED_PROBLEMS) {
        widgets::error_label(ui, &g.describe());
    }
    if groups.len() > LISTED_PROBLEMS {
        ui.label(format!(
            "… and {} more problems ({} rejected rows in all).",
            groups.len() - LISTED_PROBLEMS,
            checked.rejected.len()
        ));
    }
}
