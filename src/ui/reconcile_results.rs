//! What a new-system report says about the log, drawn on the Reconcile screen
//! (the Capture screen's reading and mapping, with these results in place of
//! its preview): the confident proposals (accepted all at once or one by one),
//! the fits a person must judge (accepted one by one, never in bulk), the items
//! ticked re-entered but not found, and the rows nobody logged.

use egui::Ui;

use super::focus_cycle::InCycle;

use crate::domain::dates::uk_date_time;
use crate::domain::{ItemId, NhsNumber};
use crate::reports::capture_check::CheckedReport;
use crate::store::capture::CaptureRow;
use crate::store::reconcile::{Acceptance, Pairing, ReconcilePlan};

/// How many entries each list shows (the counts say how many there are).
const LISTED: usize = 10;

/// What the person asked to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToRecord {
    pub accepted: Vec<Acceptance>,
    pub not_found: Vec<crate::domain::SeenItem>,
}

/// The results of a whole check, or `None` while the report is still checked.
/// Returns what the person accepted, if they pressed a button this frame.
pub fn results_ui(
    ui: &mut Ui,
    checked: &CheckedReport,
    plan: &ReconcilePlan,
    ready: bool,
) -> Option<ToRecord> {
    let found = &plan.found;
    let mut out = None;
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
        let label = format!("Accept the {} proposals", proposals.len());
        if ui
            .add_enabled(ready && !proposals.is_empty(), egui::Button::new(label))
            .in_cycle(ui)
            .clicked()
        {
            out = Some(ToRecord {
                accepted: proposals,
                not_found: Vec::new(),
            });
        }
        let missing = plan.all_not_found();
        let label = format!("Flag the {} not found for a second look", missing.len());
        if ui
            .add_enabled(ready && !missing.is_empty(), egui::Button::new(label))
            .in_cycle(ui)
            .clicked()
        {
            out = Some(ToRecord {
                accepted: Vec::new(),
                not_found: missing,
            });
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
                        out = Some(ToRecord {
                            accepted: vec![Acceptance { line: p.line, item }],
                            not_found: Vec::new(),
                        });
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
            egui::RichText::new("Ticked re-entered but not found in the new system: check each")
                .strong(),
        );
        for id in found.not_found.iter().take(LISTED) {
            crate::ui::widgets::error_label(ui, &item_words(plan, *id, true));
        }
        if found.not_found.len() > LISTED {
            ui.label(format!("… and {} more.", found.not_found.len() - LISTED));
        }
    }
    if !found.unlogged.is_empty() {
        ui.separator();
        let lines: Vec<String> = found
            .unlogged
            .iter()
            .take(LISTED)
            .map(u64::to_string)
            .collect();
        ui.label(format!(
            "In the new system but never logged (usually fine; possibly entered twice): rows {}{}",
            lines.join(", "),
            if found.unlogged.len() > LISTED {
                " …"
            } else {
                ""
            }
        ));
    }
    out
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
