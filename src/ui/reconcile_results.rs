//! What a new-system report says about the log, drawn on the Reconcile screen
//! (the Capture screen's reading and mapping, with these results in place of
//! its preview): the confident proposals (accepted all at once or one by one),
//! the fits a person must judge (accepted one by one, never in bulk), the items
//! ticked re-entered but not found (every one, in a list that scrolls), the
//! rows nobody logged (each with what it says), and the days the report
//! covers, which a person may narrow (a report of one clinic or prescriber).

use egui::Ui;

use super::focus_cycle::InCycle;

use crate::domain::dates::{parse_date, uk_date, uk_date_time};
use crate::domain::reconcile::Coverage;
use crate::domain::{ItemId, NhsNumber, Staff, StaffId};
use crate::reports::capture_check::CheckedReport;
use crate::store::capture::CaptureRow;
use crate::store::reconcile::{Acceptance, Pairing, ReconcilePlan};

/// How many pairings each list shows with their buttons (the counts say how
/// many there are; each acceptance reads the report again).
const LISTED: usize = 10;

/// What the person asked to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToRecord {
    pub accepted: Vec<Acceptance>,
    pub not_found: Vec<crate::domain::SeenItem>,
}

/// What the person asked for on the results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    /// Record these acceptances or flags.
    Record(ToRecord),
    /// Check the report again, covering only this.
    Narrow(Coverage),
}

/// What the person typed to narrow what the report covers; applied on Enter
/// or with its button.
#[derive(Debug, Clone, Default)]
pub struct Narrowing {
    pub from: String,
    pub to: String,
    pub clinician: Option<StaffId>,
    /// Why what was typed could not be applied, shown beside it.
    pub problem: Option<String>,
}

impl Narrowing {
    /// The coverage typed, or why it is not one.
    fn coverage(&self) -> Result<Coverage, String> {
        let day = |text: &str, what: &str| -> Result<Option<chrono::NaiveDate>, String> {
            if text.trim().is_empty() {
                return Ok(None);
            }
            parse_date(text)
                .map(Some)
                .map_err(|e| format!("{what}: {e}"))
        };
        let (from, to) = (day(&self.from, "From")?, day(&self.to, "To")?);
        let days = Coverage::days_between(from, to).ok_or("From is after To")?;
        Ok(Coverage {
            days,
            clinician: self.clinician,
        })
    }
}

/// The days the report covers and the person's narrowing of them.
fn coverage_ui(
    ui: &mut Ui,
    plan: &ReconcilePlan,
    narrowing: &mut Narrowing,
    staff: &[Staff],
) -> Option<Asked> {
    let covered: Vec<String> = plan
        .found
        .covered
        .iter()
        .map(|c| {
            let days = if c.first == c.last {
                uk_date(c.first)
            } else {
                format!("{} to {}", uk_date(c.first), uk_date(c.last))
            };
            format!("{} {days}", c.kind.label())
        })
        .collect();
    ui.label(format!(
        "The report covers: {}. \"Not found\" is said only of items due on those days.",
        if covered.is_empty() {
            "nothing".to_string()
        } else {
            covered.join("; ")
        }
    ));
    let mut out = None;
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("If it covers less, only from");
        let from = ui
            .add(
                egui::TextEdit::singleline(&mut narrowing.from)
                    .hint_text("dd/mm/yyyy")
                    .desired_width(90.0),
            )
            .labelled_by(label.id)
            .in_cycle(ui);
        let label = ui.label("to");
        let to = ui
            .add(
                egui::TextEdit::singleline(&mut narrowing.to)
                    .hint_text("dd/mm/yyyy")
                    .desired_width(90.0),
            )
            .labelled_by(label.id)
            .in_cycle(ui);
        let label = ui.label("clinician");
        let chosen = narrowing
            .clinician
            .and_then(|id| staff.iter().find(|s| s.id == id))
            .map_or("Anyone".to_string(), |s| s.name.clone());
        let mut picked = None;
        egui::ComboBox::from_id_salt("reconcile_clinician")
            .selected_text(chosen)
            .show_ui(ui, |ui| {
                if ui
                    .selectable_label(narrowing.clinician.is_none(), "Anyone")
                    .clicked()
                {
                    picked = Some(None);
                }
                for s in staff.iter().filter(|s| s.role.is_clinician()) {
                    if ui
                        .selectable_label(narrowing.clinician == Some(s.id), &s.name)
                        .clicked()
                    {
                        picked = Some(Some(s.id));
                    }
                }
            })
            .response
            .labelled_by(label.id);
        let enter =
            (from.lost_focus() || to.lost_focus()) && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let apply = ui
            .button("Check again covering only this")
            .in_cycle(ui)
            .clicked();
        if let Some(p) = picked {
            narrowing.clinician = p;
        }
        if enter || apply || picked.is_some() {
            match narrowing.coverage() {
                Ok(c) => {
                    narrowing.problem = None;
                    out = Some(Asked::Narrow(c));
                }
                Err(e) => narrowing.problem = Some(e),
            }
        }
    });
    if let Some(p) = &narrowing.problem {
        crate::ui::widgets::error_label(ui, p);
    }
    out
}

/// The results of a whole check, or `None` while the report is still checked.
/// Returns what the person asked for, if they pressed a button this frame.
pub fn results_ui(
    ui: &mut Ui,
    checked: &CheckedReport,
    plan: &ReconcilePlan,
    ready: bool,
    narrowing: &mut Narrowing,
    staff: &[Staff],
) -> Option<Asked> {
    let found = &plan.found;
    let mut out = coverage_ui(ui, plan, narrowing, staff);
    ui.label(
        egui::RichText::new(format!(
            "{} proposed · {} to judge · {} already verified · {} ticked but not found · {} rows nobody logged · {} rejected",
            found.proposed.len(),
            found.to_judge.len(),
            found.already_verified.len(),
            found.not_found.len(),
            found.unlogged.len(),
            checked.rejected.len()
        ))
        .strong(),
    );
    // Two actions, not one: accepting proves items re-entered; flagging asks
    // for a second look (a report of the wrong kind or period would flag many).
    ui.horizontal_wrapped(|ui| {
        let proposals = plan.all_proposed();
        let label = match proposals.len() {
            1 => "Accept the 1 proposal".to_string(),
            n => format!("Accept the {n} proposals"),
        };
        if ui
            .add_enabled(ready && !proposals.is_empty(), egui::Button::new(label))
            .in_cycle(ui)
            .clicked()
        {
            out = Some(Asked::Record(ToRecord {
                accepted: proposals,
                not_found: Vec::new(),
            }));
        }
        let missing = plan.all_not_found();
        let label = format!("Flag the {} not found for a second look", missing.len());
        if ui
            .add_enabled(ready && !missing.is_empty(), egui::Button::new(label))
            .in_cycle(ui)
            .clicked()
        {
            out = Some(Asked::Record(ToRecord {
                accepted: Vec::new(),
                not_found: missing,
            }));
        }
    });
    let row_of = |line: u64| -> Option<&CaptureRow> {
        let rows = &checked.batch.rows;
        rows.binary_search_by_key(&line, |r| r.line)
            .ok()
            .and_then(|i| rows.get(i))
    };
    let mut pairs = |ui: &mut Ui, title: &str, list: &[Pairing], id: &str| {
        if list.is_empty() {
            return;
        }
        ui.separator();
        ui.label(egui::RichText::new(title).strong());
        // The button first and the words wrapped after it: at 1280x720 with
        // large text the whole entry, and its button, stay in the window.
        for p in list.iter().take(LISTED) {
            ui.push_id((id, p.line, p.item.0), |ui| {
                ui.horizontal_wrapped(|ui| {
                    let accept = format!("Accept row {} as item {}", p.line, p.item.0);
                    if ui
                        .add_enabled(ready, egui::Button::new(accept))
                        .in_cycle(ui)
                        .clicked()
                        && let Some(item) = plan.seen(p.item)
                    {
                        out = Some(Asked::Record(ToRecord {
                            accepted: vec![Acceptance { line: p.line, item }],
                            not_found: Vec::new(),
                        }));
                    }
                    let doubts: Vec<String> = p.doubts.iter().map(|d| d.describe()).collect();
                    let patient =
                        row_of(p.line).map_or_else(String::new, |r| patient_words(&r.input));
                    ui.label(format!(
                        "{patient} · {} · {}",
                        item_words(plan, p.item, false),
                        if doubts.is_empty() {
                            "confident".to_string()
                        } else {
                            doubts.join("; ")
                        }
                    ));
                });
            });
        }
        if list.len() > LISTED {
            ui.label(format!("… and {} more.", list.len() - LISTED));
        }
    };
    pairs(
        ui,
        "Proposed: found in the new system",
        &found.proposed,
        "reconcile_proposed",
    );
    pairs(
        ui,
        "To judge: possible or ambiguous, never accepted in bulk",
        &found.to_judge,
        "reconcile_to_judge",
    );
    if !found.not_found.is_empty() {
        ui.separator();
        ui.label(
            egui::RichText::new(format!(
                "Ticked re-entered but not found in the new system: check each ({})",
                found.not_found.len()
            ))
            .strong(),
        );
        every_one_ui(ui, "reconcile_not_found", found.not_found.len(), |ui, n| {
            if let Some(id) = found.not_found.get(n) {
                crate::ui::widgets::error_label(ui, &item_words(plan, *id, true));
            }
        });
    }
    if !found.unlogged.is_empty() {
        ui.separator();
        ui.label(
            egui::RichText::new(format!(
                "In the new system but never logged (usually fine; possibly entered twice): {} rows",
                found.unlogged.len()
            ))
            .strong(),
        );
        every_one_ui(ui, "reconcile_unlogged", found.unlogged.len(), |ui, n| {
            if let Some(&line) = found.unlogged.get(n) {
                ui.label(match row_of(line) {
                    Some(r) => format!(
                        "Row {line} · {} · {} · {}",
                        r.input.kind.label(),
                        uk_date_time(r.input.occurred_at),
                        patient_words(&r.input)
                    ),
                    None => format!("Row {line}"),
                });
            }
        });
    }
    out
}

/// Every entry of a list, one line each, in a box that scrolls once it is
/// taller than a few lines (only the lines in view are laid out).
fn every_one_ui(ui: &mut Ui, salt: &str, count: usize, mut line_ui: impl FnMut(&mut Ui, usize)) {
    let height = ui.text_style_height(&egui::TextStyle::Body) + ui.spacing().item_spacing.y;
    egui::ScrollArea::vertical()
        .id_salt(salt)
        .max_height(height * 8.0)
        .auto_shrink([false, true])
        .show_rows(ui, height, count, |ui, range| {
            for n in range {
                line_ui(ui, n);
            }
        });
}

fn patient_words(input: &crate::domain::ItemInput) -> String {
    let nhs = input
        .patient
        .nhs_number
        .map_or(String::new(), |n: NhsNumber| n.to_string());
    format!("{nhs} {}", input.patient.name).trim().to_string()
}

/// "Item 12 · Prescription · 18/11/2026 10:40 · Outstanding", with the patient
/// when no report row beside it names them.
fn item_words(plan: &ReconcilePlan, id: ItemId, with_patient: bool) -> String {
    match plan.items.get(&id) {
        Some(item) => {
            let patient = if with_patient {
                format!(" · {}", patient_words(&item.input))
            } else {
                String::new()
            };
            format!(
                "Item {} · {} · {}{patient} · {}",
                id.0,
                item.input.kind.label(),
                uk_date_time(item.input.occurred_at),
                item.reentry.status.label()
            )
        }
        None => format!("Item {}", id.0),
    }
}
