//! The entry form for one item: common patient fields, then only the fields of
//! the chosen kind, checked as they are typed. Keyboard-first: Tab moves down,
//! Enter saves, Esc clears, and focus returns to the NHS number after a save.

use std::collections::BTreeMap;

use egui::Ui;

use crate::domain::dates::{parse_date, parse_date_and_time, uk_date, uk_date_long};
use crate::domain::kind::FieldInput;
use crate::domain::nhs_number::NhsNumberError;
use crate::domain::{
    FieldError, Item, ItemDraft, ItemId, ItemKind, NhsNumber, PatientRecall, StaffDirectory,
    StaffId,
};

use super::widgets::{choice_buttons, error_for, error_label, note_label, row, text_box};

/// What the user asked the form to do this frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormAction {
    None,
    Save,
    Clear,
}

/// The entry form's state: what has been typed, and what the store said about it.
#[derive(Debug, Clone)]
pub struct EntryForm {
    pub kind: ItemKind,
    pub nhs_number: String,
    pub no_nhs_number: bool,
    pub patient_name: String,
    pub date_of_birth: String,
    pub date: String,
    pub time: String,
    pub clinician: Option<StaffId>,
    pub details: String,
    pub fields: BTreeMap<&'static str, String>,
    /// Problems from the last save attempt, by field.
    pub errors: Vec<FieldError>,
    /// What earlier entries say about the typed NHS number.
    pub recall: Option<PatientRecall>,
    /// The NHS number the recall was looked up for.
    pub recalled_for: Option<NhsNumber>,
    /// Possible duplicates found at the last save attempt; a second Enter saves anyway.
    pub duplicates: Vec<Item>,
    /// Set when correcting a logged item: its id and the version it was read at.
    pub editing: Option<(ItemId, i64)>,
    /// Move focus to the first field on the next frame.
    pub focus_first: bool,
}

impl EntryForm {
    pub fn new(kind: ItemKind, now: chrono::NaiveDateTime) -> Self {
        Self {
            kind,
            nhs_number: String::new(),
            no_nhs_number: false,
            patient_name: String::new(),
            date_of_birth: String::new(),
            date: uk_date(now.date()),
            time: now.format("%H:%M").to_string(),
            clinician: None,
            details: String::new(),
            fields: BTreeMap::new(),
            errors: Vec::new(),
            recall: None,
            recalled_for: None,
            duplicates: Vec::new(),
            editing: None,
            focus_first: true,
        }
    }

    /// Clears the form for the next item, keeping the kind and the last clinician
    /// (sensible defaults at a busy desk), with today's date and the current time.
    pub fn reset(&mut self, now: chrono::NaiveDateTime) {
        let clinician = self.clinician;
        *self = Self {
            clinician,
            ..Self::new(self.kind, now)
        };
    }

    /// Switches kind, keeping the patient and time already typed.
    pub fn set_kind(&mut self, kind: ItemKind) {
        if self.kind != kind {
            self.kind = kind;
            self.fields.clear();
            self.errors.clear();
            self.duplicates.clear();
            self.no_nhs_number = false;
        }
        self.focus_first = true;
    }

    /// Loads a logged item for correction.
    pub fn load(&mut self, item: &Item) {
        let d = item.input.to_draft();
        let mut form = Self::new(item.input.kind, item.input.occurred_at);
        form.nhs_number = d.nhs_number;
        form.no_nhs_number = item.input.patient.nhs_number.is_none();
        form.patient_name = d.patient_name;
        form.date_of_birth = d.date_of_birth;
        form.clinician = d.clinician;
        form.details = d.details;
        for spec in item.input.kind.fields() {
            if let Some(v) = d.fields.get(spec.key) {
                form.fields.insert(spec.key, v.clone());
            }
        }
        form.editing = Some((item.id, item.version));
        *self = form;
    }

    /// The draft the domain validates.
    pub fn draft(&self) -> ItemDraft {
        ItemDraft {
            kind: Some(self.kind),
            occurred_at: format!("{} {}", self.date.trim(), self.time.trim()),
            nhs_number: if self.no_nhs_number {
                String::new()
            } else {
                self.nhs_number.clone()
            },
            patient_name: self.patient_name.clone(),
            date_of_birth: self.date_of_birth.clone(),
            clinician: self.clinician,
            details: self.details.clone(),
            fields: self
                .fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }

    /// The NHS number as typed, if it is complete and valid.
    pub fn valid_nhs_number(&self) -> Option<NhsNumber> {
        if self.no_nhs_number {
            None
        } else {
            NhsNumber::parse(&self.nhs_number).ok()
        }
    }

    /// Fills name and date of birth from earlier entries when they are still empty.
    pub fn apply_recall(&mut self, recall: Option<PatientRecall>) {
        if let Some(r) = &recall {
            if self.patient_name.trim().is_empty() {
                self.patient_name = r.name.clone();
            }
            if self.date_of_birth.trim().is_empty()
                && let Some(d) = r.date_of_birth
            {
                self.date_of_birth = uk_date(d);
            }
        }
        self.recall = recall;
    }

    fn error(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    /// Draws the form; returns what the user asked for.
    pub fn ui(&mut self, ui: &mut Ui, staff: &StaffDirectory) -> FormAction {
        let title = match self.editing {
            Some((id, _)) => format!("Correcting item {} ({})", id.0, self.kind.label()),
            None => format!("New {}", self.kind.label().to_lowercase()),
        };
        ui.heading(title);
        ui.add_space(4.0);

        egui::Grid::new("entry_form")
            .num_columns(2)
            .spacing([12.0, 8.0])
            .show(ui, |ui| {
                self.patient_rows(ui);
                self.when_row(ui);
                self.clinician_row(ui, staff);
                self.kind_rows(ui);
                let kind = self.kind;
                let details_error = self.error("details").map(str::to_string);
                row(ui, "Details", details_error.as_deref(), |ui, l| {
                    let hint = if kind.details_required() {
                        "what to re-enter (required)"
                    } else {
                        "anything else to re-enter"
                    };
                    text_box(ui, &mut self.details, "details", hint, true, l);
                });
            });

        if !self.duplicates.is_empty() {
            ui.add_space(4.0);
            let list: Vec<String> = self
                .duplicates
                .iter()
                .map(|d| {
                    format!(
                        "item {} at {}",
                        d.id.0,
                        crate::domain::dates::uk_date_time(d.input.occurred_at)
                    )
                })
                .collect();
            ui.label(
                egui::RichText::new(format!(
                    "Possible duplicate: this patient already has a {} within 15 minutes ({}). Press Enter again to save anyway, or Esc to clear.",
                    self.kind.label().to_lowercase(),
                    list.join(", ")
                ))
                .color(super::theme::warning_color(ui)),
            );
        }

        ui.add_space(8.0);
        let mut action = FormAction::None;
        ui.horizontal(|ui| {
            let save = if self.editing.is_some() {
                "Save changes (Enter)"
            } else {
                "Save (Enter)"
            };
            if ui.button(save).clicked() {
                action = FormAction::Save;
            }
            let clear = if self.editing.is_some() {
                "Cancel correction (Esc)"
            } else {
                "Clear (Esc)"
            };
            if ui.button(clear).clicked() {
                action = FormAction::Clear;
            }
        });

        if action == FormAction::None && !egui::Popup::is_any_open(ui.ctx()) {
            ui.input(|i| {
                if i.key_pressed(egui::Key::Enter) && !i.modifiers.shift {
                    action = FormAction::Save;
                } else if i.key_pressed(egui::Key::Escape) {
                    action = FormAction::Clear;
                }
            });
        }
        action
    }

    fn patient_rows(&mut self, ui: &mut Ui) {
        let registration = self.kind == ItemKind::Registration;
        let nhs_error = self.error("nhs_number").map(str::to_string);
        let focus = std::mem::take(&mut self.focus_first);
        row(ui, "NHS number", None, |ui, l| {
            let resp = ui.add_enabled(
                !self.no_nhs_number,
                egui::TextEdit::singleline(&mut self.nhs_number)
                    .id_salt("nhs_number")
                    .hint_text("10 digits, e.g. 943 476 5919")
                    .desired_width(340.0),
            );
            let resp = resp.labelled_by(l);
            if focus {
                resp.request_focus();
            }
            if self.no_nhs_number {
                note_label(ui, "No NHS number yet: give the reason below.", false);
            } else if let Some(e) = nhs_error.as_deref() {
                error_label(ui, e);
            } else {
                self.nhs_feedback(ui);
            }
            if registration {
                ui.checkbox(
                    &mut self.no_nhs_number,
                    "No NHS number yet (new registration)",
                );
            }
        });
        let name_error = self.error("patient_name").map(str::to_string);
        row(ui, "Patient name", name_error.as_deref(), |ui, l| {
            text_box(
                ui,
                &mut self.patient_name,
                "patient_name",
                "as on the old system",
                false,
                l,
            );
        });
        let dob_error = self.error("date_of_birth").map(str::to_string);
        row(ui, "Date of birth", dob_error.as_deref(), |ui, l| {
            text_box(
                ui,
                &mut self.date_of_birth,
                "date_of_birth",
                "dd/mm/yyyy",
                false,
                l,
            );
            if let Some(r) = &self.recall {
                let typed_dob = parse_date(&self.date_of_birth).ok();
                if let Some(w) = r.conflict_warning(&self.patient_name, typed_dob) {
                    ui.label(egui::RichText::new(w).color(super::theme::warning_color(ui)));
                }
            }
        });
    }

    /// Plain-words feedback on the NHS number while it is typed.
    fn nhs_feedback(&self, ui: &mut Ui) {
        let digits = self.nhs_number.chars().filter(char::is_ascii_digit).count();
        match NhsNumber::parse(&self.nhs_number) {
            Ok(n) => {
                let known = match &self.recall {
                    Some(r) if self.recalled_for == Some(n) => {
                        format!(" - known patient: {} earlier item(s)", r.earlier_items)
                    }
                    _ => String::new(),
                };
                note_label(ui, &format!("Valid NHS number {n}{known}"), true);
            }
            Err(NhsNumberError::Empty) => {}
            Err(NhsNumberError::WrongLength(_)) if digits < 10 => {
                note_label(ui, &format!("{digits} of 10 digits"), false);
            }
            Err(e) => error_label(ui, &e.to_string()),
        }
    }

    fn when_row(&mut self, ui: &mut Ui) {
        let error = self.error("occurred_at").map(str::to_string);
        row(ui, "When it happened", error.as_deref(), |ui, l| {
            ui.horizontal(|ui| {
                ui.add(
                    egui::TextEdit::singleline(&mut self.date)
                        .id_salt("date")
                        .hint_text("dd/mm/yyyy")
                        .desired_width(110.0),
                )
                .labelled_by(l);
                ui.label("at");
                ui.add(
                    egui::TextEdit::singleline(&mut self.time)
                        .id_salt("time")
                        .hint_text("hh:mm")
                        .desired_width(60.0),
                )
                .accessible_name("Time it happened")
                .on_hover_text("Time (24-hour)");
                if let Ok(at) = parse_date_and_time(&self.date, &self.time) {
                    note_label(
                        ui,
                        &format!("{} {}", at.format("%a"), uk_date_long(at.date())),
                        false,
                    );
                }
            });
        });
    }

    fn clinician_row(&mut self, ui: &mut Ui, staff: &StaffDirectory) {
        let rule = self.kind.clinician_rule();
        let error = self.error("clinician").map(str::to_string);
        let label = if rule.required {
            rule.label.to_string()
        } else {
            format!("{} (if any)", rule.label)
        };
        row(ui, &label, error.as_deref(), |ui, _| {
            let mut options: Vec<(Option<StaffId>, String)> = Vec::new();
            if !rule.required {
                options.push((None, "None".into()));
            }
            options.extend(staff.clinicians().map(|s| (Some(s.id), s.name.clone())));
            if options.is_empty() {
                note_label(
                    ui,
                    "No clinicians on the staff list yet: add them under Practice and staff.",
                    false,
                );
            }
            choice_buttons(ui, &mut self.clinician, &options);
        });
    }

    fn kind_rows(&mut self, ui: &mut Ui) {
        for spec in self.kind.fields() {
            let error = error_for(&self.errors, spec.key).map(str::to_string);
            let label = if spec.required {
                spec.label.to_string()
            } else {
                format!("{} (optional)", spec.label)
            };
            let value = self.fields.entry(spec.key).or_default();
            row(ui, &label, error.as_deref(), |ui, l| match spec.input {
                FieldInput::Choice(choices) => {
                    let mut options: Vec<(String, String)> = choices
                        .iter()
                        .map(|c| (c.code.to_string(), c.label.to_string()))
                        .collect();
                    if !spec.required {
                        options.insert(0, (String::new(), "Not given".into()));
                    }
                    choice_buttons(ui, value, &options);
                }
                FieldInput::LongText => {
                    text_box(ui, value, spec.key, spec.hint, true, l);
                }
                FieldInput::Text | FieldInput::Date | FieldInput::DateTime | FieldInput::Ubrn => {
                    text_box(ui, value, spec.key, spec.hint, false, l);
                }
            });
        }
    }
}
