//! The reception desk's screen: pick a kind, type the item, save, see it in
//! today's log.

use egui::Ui;

use crate::domain::{Item, ItemId, ItemKind};

use super::AppContext;
use super::entry_form::{EntryForm, FormAction};
use super::today_log::TodayLog;

/// The log screen: kind picker, entry form and today's log.
#[derive(Debug)]
pub struct LogScreen {
    pub form: EntryForm,
    pub today: TodayLog,
}

impl LogScreen {
    pub fn new(now: chrono::NaiveDateTime) -> Self {
        Self {
            form: EntryForm::new(ItemKind::Appointment, now),
            today: TodayLog::new(),
        }
    }

    /// Starts a new item of `kind` (the Alt shortcuts and the kind buttons).
    pub fn start(&mut self, kind: ItemKind) {
        self.form.set_kind(kind);
    }

    /// Opens a logged item in the form for correction.
    pub fn edit(&mut self, cx: &mut AppContext<'_>, id: ItemId) {
        match cx.store.item(id) {
            Ok(item) => {
                self.form.load(&item);
                self.refresh_recall(cx);
                cx.status.info(format!(
                    "Correcting item {}: change what is wrong and press Enter.",
                    id.0
                ));
            }
            Err(e) => cx
                .status
                .error(format!("Could not open item {}: {e}", id.0)),
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        egui::Panel::left("kind_picker")
            .resizable(false)
            .exact_size(230.0)
            .show(ui, |ui| {
                ui.add_space(6.0);
                ui.strong("What happened?");
                ui.add_space(4.0);
                for kind in ItemKind::ALL {
                    let selected = self.form.kind == kind;
                    let text = format!("{}   Alt+{}", kind.label(), kind.shortcut_letter());
                    let button = egui::Button::new(text)
                        .selected(selected)
                        .min_size(egui::vec2(210.0, 26.0));
                    if ui.add(button).clicked() {
                        self.start(kind);
                    }
                }
            });
        egui::Panel::bottom("today_log")
            .resizable(true)
            .default_size(260.0)
            .min_size(140.0)
            .show(ui, |ui| {
                self.today.ui(ui, cx);
            });
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical()
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    let before = self.form.valid_nhs_number();
                    let action = self.form.ui(ui, cx.staff);
                    if self.form.valid_nhs_number() != before
                        || self.form.recalled_for != self.form.valid_nhs_number()
                    {
                        self.refresh_recall(cx);
                    }
                    match action {
                        FormAction::Save => self.save(cx),
                        FormAction::Clear => {
                            let was_editing = self.form.editing.is_some();
                            self.form.reset(cx.now);
                            cx.status.info(if was_editing {
                                "Correction cancelled."
                            } else {
                                "Form cleared."
                            });
                        }
                        FormAction::None => {}
                    }
                });
        });
    }

    /// Looks up the typed NHS number's earlier entries and fills the patient in.
    fn refresh_recall(&mut self, cx: &mut AppContext<'_>) {
        let nhs = self.form.valid_nhs_number();
        self.form.recalled_for = nhs;
        let recall = match nhs {
            Some(n) => match cx.store.patient_recall(&n) {
                Ok(r) => r,
                Err(e) => {
                    cx.status
                        .error(format!("Could not look up earlier entries: {e}"));
                    None
                }
            },
            None => None,
        };
        self.form.apply_recall(recall);
    }

    /// Validates and stores the form; on any problem keeps what was typed.
    fn save(&mut self, cx: &mut AppContext<'_>) {
        let Some(actor) = cx.actor() else { return };
        let input = match self.form.draft().validate(cx.now) {
            Ok(i) => i,
            Err(errors) => {
                let n = errors.len();
                self.form.errors = errors;
                self.form.duplicates.clear();
                cx.status.error(format!(
                    "Not saved: {n} problem{} - see the message{} beside the field{}.",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "" } else { "s" }
                ));
                return;
            }
        };
        self.form.errors.clear();
        let except = self.form.editing.map(|(id, _)| id);
        if self.form.duplicates.is_empty() {
            match cx.store.possible_duplicates(&input, except) {
                Ok(d) if !d.is_empty() => {
                    self.form.duplicates = d;
                    cx.status.warning(
                        "Possible duplicate - check it; press Enter again to save anyway.",
                    );
                    return;
                }
                Ok(_) => {}
                Err(e) => {
                    cx.status.error(format!("Not saved: {e}"));
                    return;
                }
            }
        }
        let result = match self.form.editing {
            Some((id, version)) => cx.store.edit_item(id, version, &input, &actor),
            None => cx.store.log_item(&input, &actor),
        };
        match result {
            Ok(item) => {
                cx.status
                    .info(saved_message(&item, self.form.editing.is_some()));
                if item.logged_outside_window() && self.form.editing.is_none() {
                    cx.status.warning(format!(
                        "{} - logged outside the cutover window, so it is flagged for checking.",
                        saved_message(&item, false)
                    ));
                }
                self.form.reset(cx.now);
                self.today.mark_stale();
            }
            Err(crate::store::StoreError::Conflict) => self.lost_to_another_desk(cx),
            Err(e) => cx
                .status
                .error(format!("Not saved (what you typed is kept): {e}")),
        }
    }

    /// Another desk saved this item first: show what it now says and keep what
    /// was typed. Saving again is then a deliberate replacement of their values
    /// (against the version just shown), never a silent one.
    fn lost_to_another_desk(&mut self, cx: &mut AppContext<'_>) {
        let current = self.form.editing.map(|(id, _)| cx.store.item(id));
        let Some(Ok(current)) = current else {
            cx.status.error(format!(
                "Not saved (what you typed is kept): {}",
                crate::store::StoreError::Conflict
            ));
            return;
        };
        self.form.editing = Some((current.id, current.version));
        let details: String = current.input.details.chars().take(80).collect();
        cx.status.error(format!(
            "Not saved: another desk changed item {} while you were correcting it. It now reads: {}, {}, \"{details}\". What you typed is kept: save again to replace it, or cancel to keep theirs.",
            current.id.0,
            current.input.kind.label(),
            crate::domain::dates::uk_date_time(current.input.occurred_at),
        ));
    }
}

fn saved_message(item: &Item, corrected: bool) -> String {
    let who = item
        .input
        .patient
        .nhs_number
        .map_or_else(|| item.input.patient.name.clone(), |n| n.to_string());
    let verb = if corrected {
        "Saved correction to"
    } else {
        "Saved"
    };
    format!(
        "{verb} {} for {who}",
        item.input.kind.label().to_lowercase()
    )
}
