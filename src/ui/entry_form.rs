//! The entry form for one item: common patient fields, then only the fields of
//! the chosen kind, checked as they are typed. Keyboard-first: Tab goes round the
//! form, Enter saves, Esc clears (a filled form asks first), and focus returns to
//! the NHS number after a save, before the next key is handled.

use std::collections::BTreeMap;

use egui::{Id, Ui};

use crate::domain::dates::{parse_date, parse_date_and_time, uk_date, uk_date_long, uk_date_time};
use crate::domain::kind::FieldInput;
use crate::domain::nhs_number::NhsNumberError;
use crate::domain::{
    FieldError, Item, ItemDraft, ItemId, ItemKind, NhsNumber, PatientRecall, StaffDirectory,
    StaffId,
};

use super::focus_cycle;
use super::widgets::{
    choice_buttons_at, error_for, error_label, note_label, row, stable_scope, text_box_with_id,
};

/// What the user asked the form to do this frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormAction {
    None,
    Save,
    Clear,
    /// Show (or hide) the recalled patient's earlier items.
    ToggleEarlier,
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
    /// Problems from the last save attempt, by field; a field's error goes when it changes.
    pub errors: Vec<FieldError>,
    /// What earlier entries say about the typed NHS number.
    pub recall: Option<PatientRecall>,
    /// The NHS number the recall was looked up for.
    pub recalled_for: Option<NhsNumber>,
    /// The recalled patient's earlier items, when the person asked to see them.
    pub earlier: Option<Vec<Item>>,
    /// Possible duplicates found at the last save attempt; a second Enter saves anyway.
    pub duplicates: Vec<Item>,
    /// Set when correcting a logged item: its id and the version it was read at.
    pub editing: Option<(ItemId, i64)>,
    /// The date or time was typed: it no longer follows the clock.
    pub when_typed: bool,
    /// Esc was pressed once on a filled form: a second Esc clears it.
    pub clear_armed: bool,
    /// The field to give focus to when the form is next drawn (before its keys are handled).
    focus: Option<&'static str>,
    /// The clinician last chosen for each kind that carries it to the next item.
    last_clinician: BTreeMap<ItemKind, StaffId>,
    /// Which clear of the form this is (never reused while the app runs, also not
    /// for the next person): each cleared form has new text boxes, so their undo
    /// history (Ctrl+Z) cannot bring back the previous patient's values.
    generation: u64,
    /// The choice rows' first (or chosen) button, as last drawn, by field key: where
    /// focus goes for a problem with a choice.
    choice_ids: BTreeMap<&'static str, Id>,
    /// The control that had focus at the end of the last frame (egui drops focus on
    /// Esc before the form sees the key; a first Esc gives it back).
    last_focused: Option<Id>,
    /// When the final extract was made (the project's cutover start), set by the
    /// screen each frame: a time typed before it is warned of beside the field.
    pub extract_at: Option<chrono::NaiveDateTime>,
    /// Text typed while the keyboard was on a button or tick box, not a text
    /// box: it went into no field, so it is shown (and a space typed among it
    /// pressed nothing).
    pub went_nowhere: String,
    /// When text last went nowhere (egui's input time, seconds).
    went_nowhere_at: f64,
    /// What a change of kind left behind (fields the new kind does not have),
    /// said on the form until the next change of kind or a new item.
    pub kind_note: Option<String>,
    /// The control focus was last asked for, until it is seen to have it.
    focus_asked: Option<Id>,
    /// The item being corrected's own patient as stored (NHS number, name,
    /// date of birth): not an "earlier item" of its patient.
    pub corrected_patient: Option<(NhsNumber, String, Option<chrono::NaiveDate>)>,
}

/// How long after text went nowhere a space is still taken as part of it.
const TYPING_PAUSE_SECONDS: f64 = 2.0;

impl EntryForm {
    /// Text typed while the keyboard is on one of the form's buttons or tick
    /// boxes (one Tab short of a box, say) goes into no field: it is kept to be
    /// shown, and a space typed among it is part of the typing, never a press
    /// ("20/12/2026 10:00" typed on the appointment's choices once chose
    /// Cancelled; "Sian Evans" on "No NHS number yet" ticked it). A lone space,
    /// with nothing typed before it, still presses as it should.
    fn typing_on_a_button(&mut self, ctx: &egui::Context) {
        let typed: String = ctx.input(|i| {
            i.events
                .iter()
                .filter_map(|e| match e {
                    egui::Event::Text(t) => Some(t.as_str()),
                    _ => None,
                })
                .collect()
        });
        let on_a_box = super::input_pacing::text_box_has_focus(ctx);
        let on_a_button = !on_a_box && ctx.memory(egui::Memory::focused).is_some();
        if on_a_box && !typed.is_empty() {
            // Typing into a box again: what went nowhere has been seen.
            self.went_nowhere.clear();
        }
        if !on_a_button || typed.is_empty() {
            return;
        }
        let now = ctx.input(|i| i.time);
        let typing = (!self.went_nowhere.is_empty()
            && now - self.went_nowhere_at < TYPING_PAUSE_SECONDS)
            || !typed.trim().is_empty();
        if !typing {
            return;
        }
        ctx.input_mut(|i| {
            i.consume_key(egui::Modifiers::NONE, egui::Key::Space);
            i.consume_key(egui::Modifiers::SHIFT, egui::Key::Space);
        });
        self.went_nowhere.push_str(&typed);
        self.went_nowhere_at = now;
        // Nothing else on screen changed: draw the line now, not at the next
        // pointer move.
        ctx.request_repaint();
    }
}

/// The warning beside "When it happened" for a time before the final extract
/// (and the flag's meaning on the lists).
pub fn before_extract_words(extract: chrono::NaiveDateTime) -> String {
    format!(
        "Before the final extract ({}): it is in the new system's data already. Log it only if it was changed in the old system after the extract; it is flagged \"before extract\".",
        crate::domain::dates::uk_date_time(extract)
    )
}

/// The next form generation: every form, for every person, gets its own.
fn next_generation() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// The width of the form's label column: "Clinical codes to enter by hand" fits.
const LABEL_WIDTH: f32 = 205.0;

/// The key under which the date and time row is focused and its errors are filed.
const WHEN: &str = "occurred_at";

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
            earlier: None,
            duplicates: Vec::new(),
            editing: None,
            when_typed: false,
            clear_armed: false,
            focus: Some("nhs_number"),
            last_clinician: BTreeMap::new(),
            generation: next_generation(),
            choice_ids: BTreeMap::new(),
            last_focused: None,
            extract_at: None,
            went_nowhere: String::new(),
            went_nowhere_at: 0.0,
            kind_note: None,
            focus_asked: None,
            corrected_patient: None,
        }
    }

    /// Clears the form for the next item, keeping the kind and, where the kind
    /// carries it (prescriber, consultation clinician), the last clinician; the
    /// date and time follow the clock again.
    pub fn reset(&mut self, now: chrono::NaiveDateTime) {
        if self.editing.is_none()
            && self.kind.clinician_rule().carried_to_next_item()
            && let Some(c) = self.clinician
        {
            self.last_clinician.insert(self.kind, c);
        }
        let last_clinician = std::mem::take(&mut self.last_clinician);
        *self = Self {
            clinician: last_clinician.get(&self.kind).copied(),
            last_clinician,
            ..Self::new(self.kind, now)
        };
    }

    /// Switches kind, keeping the patient and time already typed; the clinician
    /// becomes the one last used for the new kind (or none).
    pub fn set_kind(&mut self, kind: ItemKind) {
        if self.kind != kind {
            let was = self.kind;
            // An item under way changes kind; an empty form is a new item.
            let under_way = self.is_filled();
            self.kind = kind;
            // What still applies is kept: the patient, when, details, the
            // clinician chosen, and any field the new kind has too (a choice only
            // if it is one of the new kind's); the rest is said, not dropped unseen.
            let mut left = Vec::new();
            let old_fields = std::mem::take(&mut self.fields);
            for (key, value) in old_fields {
                let keeps = kind
                    .fields()
                    .iter()
                    .find(|f| f.key == key)
                    .is_some_and(|f| match f.input {
                        FieldInput::Choice(choices) => choices.iter().any(|c| c.code == value),
                        _ => true,
                    });
                if keeps {
                    self.fields.insert(key, value);
                } else if !value.trim().is_empty() {
                    let label = was
                        .fields()
                        .iter()
                        .find(|f| f.key == key)
                        .map_or(key, |f| f.label);
                    left.push(label.to_string());
                }
            }
            self.errors.clear();
            self.duplicates.clear();
            if kind != ItemKind::Registration && self.no_nhs_number {
                self.no_nhs_number = false;
                left.push("No NHS number yet".to_string());
            }
            // The clinician chosen for an item under way stays with it; a new
            // item starts with the kind's own (the last prescriber, or none).
            if self.editing.is_none() && !(under_way && self.clinician.is_some()) {
                self.clinician = self.last_clinician.get(&kind).copied();
            }
            self.kind_note = (!left.is_empty()).then(|| {
                format!(
                    "Now a {}: left behind from the {}: {}.",
                    kind.noun(),
                    was.noun(),
                    left.join(", ")
                )
            });
        }
        self.focus = Some("nhs_number");
    }

    /// Loads a logged item for correction: every stored value, choices by their code.
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
            let value = match spec.input {
                // The form's buttons are keyed by code; the draft shows labels.
                FieldInput::Choice(_) => item.input.fields.get(spec.key),
                _ => d.fields.get(spec.key),
            };
            if let Some(v) = value {
                form.fields.insert(spec.key, v.clone());
            }
        }
        form.editing = Some((item.id, item.version));
        form.corrected_patient = item.input.patient.nhs_number.map(|n| {
            (
                n,
                item.input.patient.name.clone(),
                item.input.patient.date_of_birth,
            )
        });
        form.last_clinician = std::mem::take(&mut self.last_clinician);
        *self = form;
    }

    /// Until the date or time is typed, a new item's time is the clock's: what is
    /// shown (and saved) is now, not when the form was cleared.
    pub fn follow_clock(&mut self, now: chrono::NaiveDateTime) {
        if self.editing.is_none() && !self.when_typed {
            self.date = uk_date(now.date());
            self.time = now.format("%H:%M").to_string();
        }
    }

    /// Whether anything has been typed that a clear would lose.
    pub fn is_filled(&self) -> bool {
        self.editing.is_some()
            || !self.nhs_number.trim().is_empty()
            || !self.patient_name.trim().is_empty()
            || !self.date_of_birth.trim().is_empty()
            || !self.details.trim().is_empty()
            || self.fields.values().any(|v| !v.trim().is_empty())
    }

    /// Gives focus to the first field with a problem (or `fallback`) when next drawn.
    pub fn focus_first_error(&mut self) {
        let keys = self.field_keys();
        self.focus = keys
            .into_iter()
            .find(|k| self.errors.iter().any(|e| e.field == *k))
            .or(Some("nhs_number"));
    }

    /// The form's field keys in the order they are drawn.
    fn field_keys(&self) -> Vec<&'static str> {
        let mut keys = vec![
            "nhs_number",
            "patient_name",
            "date_of_birth",
            WHEN,
            "clinician",
        ];
        keys.extend(self.kind.fields().iter().map(|s| s.key));
        keys.push("details");
        keys
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
                .kind
                .fields()
                .iter()
                .filter(|s| self.no_nhs_number || !s.only_without_nhs_number())
                .filter_map(|s| {
                    self.fields
                        .get(s.key)
                        .map(|v| (s.key.to_string(), v.clone()))
                })
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

    /// Fills name and date of birth from earlier entries when they are still
    /// empty and the entries agree; where they disagree nothing is taken: the
    /// spellings are shown with their counts for the person to pick. The item
    /// being corrected is not an earlier item of its own patient.
    pub fn apply_recall(&mut self, recall: Option<PatientRecall>) {
        let recall = match (&self.corrected_patient, recall) {
            (Some((nhs, name, dob)), Some(r)) if self.valid_nhs_number() == Some(*nhs) => {
                r.without_one(name, *dob)
            }
            (_, r) => r,
        };
        if let Some(r) = &recall {
            if self.patient_name.trim().is_empty()
                && let Some(name) = r.only_name()
            {
                self.patient_name = name.to_string();
            }
            if self.date_of_birth.trim().is_empty()
                && let Some(d) = r.only_date_of_birth()
            {
                self.date_of_birth = uk_date(d);
            }
        }
        self.recall = recall;
        self.earlier = None;
    }

    /// Where earlier entries spell the name more than one way: each spelling
    /// with how many items use it, a button to take it.
    fn spellings_ui(&mut self, ui: &mut Ui) {
        let Some(r) = &self.recall else { return };
        if r.spellings.len() < 2 {
            return;
        }
        let mut take = None;
        ui.horizontal_wrapped(|ui| {
            ui.label(
                egui::RichText::new("Earlier entries spell the name:")
                    .color(super::theme::warning_color(ui)),
            );
            for (name, n) in &r.spellings {
                let text = format!("{name} ({n})");
                if ui
                    .small_button(&text)
                    .on_hover_text("Use this spelling")
                    .clicked()
                {
                    take = Some(name.clone());
                }
            }
        });
        if let Some(name) = take {
            self.patient_name = name;
        }
    }

    fn error(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    fn id(&self, key: &str) -> Id {
        Id::unique(("entry_form", self.generation, key))
    }

    /// Gives focus now to the field asked for (after a save, a clear, a kind
    /// shortcut, a failed save): called before the form is drawn and after its
    /// actions, so the next keys, and a Tab, start from there.
    pub fn apply_focus(&mut self, ctx: &egui::Context) {
        // A field in a panel drawn for the first time (the screen right after
        // signing in) lets go of the focus again: asked once more next frame.
        if let Some(id) = self.focus_asked.take()
            && !ctx.memory(|m| m.has_focus(id))
            && ctx.memory(egui::Memory::focused).is_none()
        {
            ctx.memory_mut(|m| m.request_focus(id));
        }
        let Some(mut key) = self.focus.take() else {
            return;
        };
        if self.no_nhs_number && key == "nhs_number" {
            key = "patient_name";
        }
        let id = self
            .choice_ids
            .get(key)
            .copied()
            .unwrap_or_else(|| self.id(key));
        ctx.memory_mut(|m| m.request_focus(id));
        self.focus_asked = Some(id);
    }

    /// Draws the form; returns what the user asked for. `keys`: whether the form
    /// may take Enter and Esc (not while a dialog over it has them).
    pub fn ui(&mut self, ui: &mut Ui, staff: &StaffDirectory, keys: bool) -> FormAction {
        let title = match self.editing {
            Some((id, _)) => format!("Correcting item {} ({})", id.0, self.kind.noun()),
            None => format!("New {}", self.kind.noun()),
        };
        ui.heading(title);
        if let Some(note) = &self.kind_note {
            ui.add(
                egui::Label::new(egui::RichText::new(note).color(super::theme::warning_color(ui)))
                    .wrap(),
            );
        }
        self.typing_on_a_button(ui.ctx());
        if !self.went_nowhere.is_empty() {
            let shown: String = self.went_nowhere.chars().take(60).collect();
            ui.add(
                egui::Label::new(
                    egui::RichText::new(format!(
                        "Typed text went nowhere: \"{shown}\" (the keyboard was on a button, not a box). Click the box it was for, or Tab to it, and type it again."
                    ))
                    .color(super::theme::warning_color(ui)),
                )
                .wrap(),
            );
        }
        ui.add_space(4.0);

        let before = self.clone();
        let mut action = FormAction::None;
        focus_cycle::begin(ui.ctx(), keys);
        // The label column is as wide for every kind (as its longest label), so the
        // fields do not jump sideways when Alt+letter changes the kind.
        egui::Grid::new("entry_form")
            .num_columns(2)
            .min_col_width(LABEL_WIDTH)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                if self.patient_rows(ui) {
                    action = FormAction::ToggleEarlier;
                }
                self.when_row(ui);
                self.clinician_row(ui, staff);
                self.kind_rows(ui);
                let kind = self.kind;
                let details_error = self.error("details").map(str::to_string);
                let id = self.id("details");
                row(ui, "Details", details_error.as_deref(), |ui, l| {
                    let hint = if kind.details_required() {
                        "what to re-enter (required)"
                    } else {
                        "anything else to re-enter"
                    };
                    text_box_with_id(ui, &mut self.details, id, hint, true, l);
                });
            });
        self.forget_errors_of_changed(&before);
        self.earlier_ui(ui);

        if !self.duplicates.is_empty() {
            let list: Vec<String> = self
                .duplicates
                .iter()
                .map(|d| format!("item {} at {}", d.id.0, uk_date_time(d.input.occurred_at)))
                .collect();
            ui.label(
                egui::RichText::new(format!(
                    "Possible duplicate: this patient already has {} within 15 minutes ({}). Press Enter again to save anyway, or Esc to clear.",
                    self.kind.a_noun(),
                    list.join(", ")
                ))
                .color(super::theme::warning_color(ui)),
            );
        }
        if self.clear_armed {
            ui.label(
                egui::RichText::new(
                    "Press Esc again to clear what you typed (or carry on typing to keep it).",
                )
                .color(super::theme::warning_color(ui)),
            );
        }

        ui.add_space(4.0);
        // Its own id scope, so the messages above never move focus off the buttons.
        stable_scope(ui, "form_buttons", |ui| {
            ui.horizontal(|ui| {
                let save = if self.editing.is_some() {
                    "Save changes (Enter)"
                } else {
                    "Save (Enter)"
                };
                let r = ui.button(save);
                focus_cycle::note(ui, &r);
                if r.clicked() {
                    action = FormAction::Save;
                }
                let clear = if self.editing.is_some() {
                    "Cancel correction (Esc)"
                } else {
                    "Clear (Esc)"
                };
                let r = ui.button(clear);
                focus_cycle::note(ui, &r);
                if r.clicked() {
                    // A filled form asks first, by key or by button.
                    if self.is_filled() && !self.clear_armed {
                        self.clear_armed = true;
                        r.request_focus();
                    } else {
                        action = FormAction::Clear;
                    }
                }
            })
        });
        focus_cycle::end(ui.ctx());

        if action == FormAction::None && keys && !egui::Popup::is_any_open(ui.ctx()) {
            let (enter, esc) = ui.input(|i| {
                (
                    super::widgets::pressed(i, egui::Key::Enter),
                    super::widgets::pressed(i, egui::Key::Escape),
                )
            });
            if enter {
                action = FormAction::Save;
            } else if esc {
                if !self.is_filled() || self.clear_armed {
                    action = FormAction::Clear;
                } else {
                    self.clear_armed = true;
                    // egui let go of the field on Esc: give it back, so typing on
                    // (which keeps the form) goes where it was going.
                    if let Some(id) = self.last_focused {
                        ui.memory_mut(|m| m.request_focus(id));
                    }
                }
            }
        }
        if let Some(id) = ui.memory(egui::Memory::focused) {
            self.last_focused = Some(id);
        }
        action
    }

    /// Gives the keyboard back to the control of the form that last had it,
    /// when nothing has it now (after Help, a dialog, a text-size change or
    /// unlocking), so the next keys typed are not lost.
    pub fn give_back_focus(&mut self, ctx: &egui::Context) {
        if ctx.memory(egui::Memory::focused).is_some() {
            return;
        }
        match self.last_focused {
            Some(id) => ctx.memory_mut(|m| m.request_focus(id)),
            // A new item: its first field.
            None => self.focus = Some("nhs_number"),
        }
    }

    /// A field's error goes as soon as the field is changed; so does a pending Esc.
    fn forget_errors_of_changed(&mut self, before: &EntryForm) {
        let mut changed: Vec<&str> = Vec::new();
        if self.nhs_number != before.nhs_number || self.no_nhs_number != before.no_nhs_number {
            changed.push("nhs_number");
            changed.push(crate::domain::kind::NO_NHS_NUMBER_REASON);
        }
        if self.patient_name != before.patient_name {
            changed.push("patient_name");
        }
        if self.date_of_birth != before.date_of_birth {
            changed.push("date_of_birth");
        }
        if self.date != before.date || self.time != before.time {
            changed.push(WHEN);
            self.when_typed = true;
        }
        if self.clinician != before.clinician {
            changed.push("clinician");
        }
        if self.details != before.details {
            changed.push("details");
        }
        for (k, v) in &self.fields {
            if before.fields.get(k).map_or(!v.is_empty(), |b| b != v) {
                changed.push(k);
            }
        }
        if !changed.is_empty() {
            self.errors.retain(|e| !changed.contains(&e.field));
            self.clear_armed = false;
        }
    }

    /// The patient rows; true when "known patient" was clicked.
    fn patient_rows(&mut self, ui: &mut Ui) -> bool {
        let registration = self.kind == ItemKind::Registration;
        let nhs_error = self.error("nhs_number").map(str::to_string);
        let id = self.id("nhs_number");
        let mut toggle_earlier = false;
        row(ui, "NHS number", None, |ui, l| {
            // The field and what it says about it on one line, to keep the form short.
            ui.horizontal_wrapped(|ui| {
                let resp = ui.add_enabled(
                    !self.no_nhs_number,
                    egui::TextEdit::singleline(&mut self.nhs_number)
                        .id(id)
                        .hint_text("10 digits")
                        .desired_width(150.0),
                );
                let resp = resp.labelled_by(l);
                focus_cycle::note(ui, &resp);
                if self.no_nhs_number {
                    note_label(ui, "No NHS number yet: give the reason below.", false);
                } else if let Some(e) = nhs_error.as_deref() {
                    error_label(ui, e);
                } else {
                    toggle_earlier = self.nhs_feedback_ui(ui);
                }
                if registration {
                    // Its own id scope: the feedback before it changes when it is ticked.
                    let check = stable_scope(ui, "no_nhs_number", |ui| {
                        ui.checkbox(
                            &mut self.no_nhs_number,
                            "No NHS number yet (new registration)",
                        )
                    });
                    focus_cycle::note(ui, &check);
                }
            });
        });
        let name_error = self.error("patient_name").map(str::to_string);
        let id = self.id("patient_name");
        row(ui, "Patient name", name_error.as_deref(), |ui, l| {
            text_box_with_id(
                ui,
                &mut self.patient_name,
                id,
                "as on the old system",
                false,
                l,
            );
            self.spellings_ui(ui);
        });
        let dob_error = self.error("date_of_birth").map(str::to_string);
        let id = self.id("date_of_birth");
        row(ui, "Date of birth", dob_error.as_deref(), |ui, l| {
            text_box_with_id(ui, &mut self.date_of_birth, id, "dd/mm/yyyy", false, l);
            if let Some(r) = &self.recall {
                let typed_dob = parse_date(&self.date_of_birth).ok();
                if let Some(w) = r.conflict_warning(&self.patient_name, typed_dob) {
                    ui.label(egui::RichText::new(w).color(super::theme::warning_color(ui)));
                }
            }
        });
        toggle_earlier
    }

    /// Plain-words feedback on the NHS number while it is typed; true when the
    /// "known patient" link was clicked.
    fn nhs_feedback_ui(&self, ui: &mut Ui) -> bool {
        let digits = self.nhs_number.chars().filter(char::is_ascii_digit).count();
        match NhsNumber::parse(&self.nhs_number) {
            Ok(n) => {
                let known = match &self.recall {
                    Some(r) if self.recalled_for == Some(n) && r.earlier_items > 0 => {
                        Some(r.earlier_items)
                    }
                    _ => None,
                };
                let mut clicked = false;
                ui.horizontal(|ui| {
                    note_label(ui, &format!("Valid NHS number {n}"), true);
                    if let Some(count) = known {
                        let text = format!(
                            "known patient: {count} earlier item{}",
                            if count == 1 { "" } else { "s" }
                        );
                        clicked = ui
                            .link(text)
                            .on_hover_text("List this patient's earlier items")
                            .clicked();
                    }
                });
                clicked
            }
            Err(NhsNumberError::Empty) => false,
            Err(NhsNumberError::WrongLength(_)) if digits < 10 => {
                note_label(ui, &format!("{digits} of 10 digits"), false);
                false
            }
            Err(e) => {
                error_label(ui, &e.to_string());
                false
            }
        }
    }

    /// The recalled patient's earlier items, newest first, when asked for.
    fn earlier_ui(&self, ui: &mut Ui) {
        let Some(items) = &self.earlier else {
            return;
        };
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.strong("This patient's earlier items");
            for item in items.iter().take(10) {
                ui.label(format!(
                    "{}  {}  {}",
                    uk_date_time(item.input.occurred_at),
                    item.input.kind.label(),
                    item.input.summary()
                ));
            }
            if items.len() > 10 {
                note_label(
                    ui,
                    &format!(
                        "and {} more: search the worklist for the NHS number",
                        items.len() - 10
                    ),
                    false,
                );
            }
        });
    }

    fn when_row(&mut self, ui: &mut Ui) {
        let error = self.error(WHEN).map(str::to_string);
        let (date_id, time_id) = (self.id(WHEN), self.id("time"));
        let following = self.editing.is_none() && !self.when_typed;
        row(ui, "When it happened", error.as_deref(), |ui, l| {
            ui.horizontal(|ui| {
                let r = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.date)
                            .id(date_id)
                            .hint_text("dd/mm/yyyy")
                            .desired_width(110.0),
                    )
                    .labelled_by(l);
                focus_cycle::note(ui, &r);
                ui.label("at");
                let r = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.time)
                            .id(time_id)
                            .hint_text("hh:mm")
                            .desired_width(60.0),
                    )
                    .accessible_name("Time it happened")
                    .on_hover_text("Time (24-hour)");
                focus_cycle::note(ui, &r);
                if let Ok(at) = parse_date_and_time(&self.date, &self.time) {
                    let now = if following { " (now)" } else { "" };
                    note_label(
                        ui,
                        &format!("{} {}{now}", at.format("%a"), uk_date_long(at.date())),
                        false,
                    );
                }
            });
            // Before the final extract: the new system has it already.
            if let (Ok(at), Some(extract)) =
                (parse_date_and_time(&self.date, &self.time), self.extract_at)
                && crate::domain::project::before_extract(at, extract)
            {
                ui.add(
                    egui::Label::new(
                        egui::RichText::new(before_extract_words(extract))
                            .color(super::theme::warning_color(ui)),
                    )
                    .wrap(),
                );
            }
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
            // What will be saved is always shown: a stored clinician who is no longer
            // active stays visible on a correction; one merely carried over from
            // the last item is dropped rather than saved unseen.
            if let Some(id) = self.clinician
                && !options.iter().any(|(o, _)| *o == Some(id))
            {
                if self.editing.is_some() {
                    options.push((
                        Some(id),
                        format!("{} (no longer active)", staff.name(Some(id))),
                    ));
                } else {
                    self.clinician = None;
                }
            }
            if options.is_empty() {
                note_label(
                    ui,
                    "No clinicians on the staff list yet: add them under Practice (F5).",
                    false,
                );
            }
            if let (_, Some(id)) = choice_buttons_at(ui, &mut self.clinician, &options) {
                self.choice_ids.insert("clinician", id);
            }
        });
    }

    fn kind_rows(&mut self, ui: &mut Ui) {
        for spec in self.kind.fields() {
            if spec.only_without_nhs_number() && !self.no_nhs_number {
                continue;
            }
            let error = error_for(&self.errors, spec.key).map(str::to_string);
            let label = if spec.required || spec.only_without_nhs_number() {
                spec.label.to_string()
            } else {
                format!("{} (optional)", spec.label)
            };
            let id = self.id(spec.key);
            let choice_ids = &mut self.choice_ids;
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
                    if let (_, Some(id)) = choice_buttons_at(ui, value, &options) {
                        choice_ids.insert(spec.key, id);
                    }
                }
                FieldInput::LongText => {
                    text_box_with_id(ui, value, id, spec.hint, true, l);
                }
                FieldInput::Text | FieldInput::Date | FieldInput::DateTime | FieldInput::Ubrn => {
                    text_box_with_id(ui, value, id, spec.hint, false, l);
                }
            });
        }
    }
}
