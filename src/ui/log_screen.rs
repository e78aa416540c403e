//! The reception desk's screen: pick a kind, type the item, save, see it in
//! today's log.

use chrono::Timelike;
use egui::Ui;

use crate::domain::{Item, ItemId, ItemKind, Sort, SortKey, WorklistFilter};

use super::AppContext;
use super::entry_form::{EntryForm, FormAction};
use super::today_log::TodayLog;

/// Today's log never gets less than this: its heading, its column header and
/// three whole rows (issue 29 #6).
const TODAY_MIN_HEIGHT: f32 = 150.0;

/// The log screen: kind picker, entry form and today's log.
#[derive(Debug)]
pub struct LogScreen {
    pub form: EntryForm,
    pub today: TodayLog,
    /// Give the keyboard back to the form when next drawn (Help closed, the
    /// text size changed, the desk unlocked: set by the app).
    pub give_back_focus: bool,
    /// The Void dialog was open last frame (its closing gives the keyboard back).
    dialog_was_open: bool,
    /// The height the form needed when last drawn: today's log gets the rest, so
    /// the whole form, its messages and Save are always on screen.
    form_height: f32,
}

impl LogScreen {
    pub fn new(now: chrono::NaiveDateTime) -> Self {
        Self {
            form: EntryForm::new(ItemKind::Appointment, now),
            today: TodayLog::new(),
            give_back_focus: false,
            dialog_was_open: false,
            form_height: 480.0,
        }
    }

    /// Starts a new item of `kind` (the Alt shortcuts and the kind buttons).
    pub fn start(&mut self, kind: ItemKind) {
        self.form.set_kind(kind);
    }

    /// Forgets one person's work when another signs in at this desk: the form
    /// (and its remembered clinicians), an open dialog or history.
    pub fn forget_person(&mut self, now: chrono::NaiveDateTime) {
        *self = Self::new(now);
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
        self.form.follow_clock(cx.now);
        if self.form.editing.is_none() && !self.form.when_typed {
            // Redraw when the minute changes, so the time shown is the time saved.
            let wait = 60 - u64::from(cx.now.second());
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs(wait.max(1)));
        }
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
                        .min_size(egui::vec2(210.0, 24.0));
                    if ui.add(button).clicked() {
                        self.start(kind);
                    }
                }
            });
        egui::CentralPanel::default().show(ui, |ui| {
            // Today's log below the form, each in a rect of its own that clips
            // what is drawn in it (a bottom panel let the form paint over its
            // heading in the real window at 125 %): the form gets what it
            // needed last frame, today's log the rest and never less than its
            // minimum; the form scrolls in what is left.
            let area = ui.available_rect_before_wrap();
            let spare = area.height() - self.form_height - 16.0;
            let today_height = spare.max(TODAY_MIN_HEIGHT).min(area.height());
            let split = area.bottom() - today_height;
            let form_rect = egui::Rect::from_min_max(area.min, egui::pos2(area.right(), split));
            let today_rect = egui::Rect::from_min_max(egui::pos2(area.left(), split), area.max);
            let mut today_ui = ui.new_child(
                egui::UiBuilder::new()
                    .id_salt("today_log")
                    .max_rect(today_rect.shrink2(egui::vec2(0.0, 4.0)))
                    .layout(egui::Layout::top_down(egui::Align::Min)),
            );
            today_ui.shrink_clip_rect(today_rect);
            ui.painter().hline(
                area.x_range(),
                split,
                ui.visuals().widgets.noninteractive.bg_stroke,
            );
            self.today.ui(&mut today_ui, cx);
            let keys = !self.today.dialog_open();
            if std::mem::take(&mut self.give_back_focus) || (self.dialog_was_open && keys) {
                self.form.give_back_focus(ui.ctx());
            }
            self.dialog_was_open = !keys;
            self.form.apply_focus(ui.ctx());
            let mut form_ui = ui.new_child(
                egui::UiBuilder::new()
                    .id_salt("log_form")
                    .max_rect(form_rect)
                    .layout(egui::Layout::top_down(egui::Align::Min)),
            );
            form_ui.shrink_clip_rect(form_rect);
            self.form_ui(&mut form_ui, cx, keys);
            ui.advance_cursor_after_rect(area);
        });
        // Focus asked for by what happened this frame (a save, a clear, a failed
        // save) is given now, so the next frame's keys and Tab start from there.
        self.form.apply_focus(ui.ctx());
    }

    /// The entry form, scrolling in its room; measures the height it needed.
    fn form_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>, keys: bool) {
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let top = ui.min_rect().top();
                let before = self.form.valid_nhs_number();
                let focused = ui.memory(egui::Memory::focused);
                self.form.extract_at = Some(cx.project.cutover_start);
                let problems = self.form.errors.len();
                let action = self.form.ui(ui, cx.staff, keys);
                // "Not saved: 3 problems" counts down as they are put right,
                // and goes with the last of them.
                let left = self.form.errors.len();
                if left < problems {
                    if left == 0 {
                        cx.status
                            .info("Every problem is put right: press Enter to save.");
                    } else {
                        cx.status.error(not_saved_words(left));
                    }
                }
                let height = ui.min_rect().bottom() - top;
                if (height - self.form_height).abs() > 1.0 {
                    self.form_height = height;
                    ui.ctx().request_repaint();
                }
                if self.form.valid_nhs_number() != before
                    || self.form.recalled_for != self.form.valid_nhs_number()
                {
                    self.refresh_recall(cx);
                }
                match action {
                    FormAction::Save => self.save(cx, focused, ui.ctx()),
                    FormAction::Clear => {
                        let was_editing = self.form.editing.is_some();
                        self.form.reset(cx.now);
                        cx.status.info(if was_editing {
                            "Correction cancelled."
                        } else {
                            "Form cleared."
                        });
                    }
                    FormAction::ToggleEarlier => self.toggle_earlier(cx),
                    FormAction::None => {}
                }
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

    /// Lists (or hides) the earlier items of the patient whose number is typed.
    fn toggle_earlier(&mut self, cx: &mut AppContext<'_>) {
        if self.form.earlier.take().is_some() {
            return;
        }
        let Some(nhs) = self.form.valid_nhs_number() else {
            return;
        };
        let filter = WorklistFilter {
            text: nhs.digits(),
            include_voided: true,
            ..WorklistFilter::default()
        };
        let sort = Sort {
            key: SortKey::OccurredAt,
            descending: true,
        };
        match cx.store.worklist_page(&filter, sort, 0, 200) {
            Ok(items) => {
                let mine: Vec<Item> = items
                    .into_iter()
                    .filter(|i| i.input.patient.nhs_number == Some(nhs))
                    .collect();
                self.form.earlier = Some(mine);
            }
            Err(e) => cx
                .status
                .error(format!("Could not read this patient's earlier items: {e}")),
        }
    }

    /// Validates and stores the form; on any problem keeps what was typed and puts
    /// focus back where typing goes on (the first field with a problem, or the
    /// field that had it), so the next keys are not lost.
    fn save(&mut self, cx: &mut AppContext<'_>, focused: Option<egui::Id>, ctx: &egui::Context) {
        let Some(actor) = cx.actor() else { return };
        let refocus = |ctx: &egui::Context| {
            if let Some(id) = focused {
                ctx.memory_mut(|m| m.request_focus(id));
            }
        };
        let input = match self.form.draft().validate(cx.now) {
            Ok(i) => i,
            Err(errors) => {
                let n = errors.len();
                self.form.errors = errors;
                self.form.duplicates.clear();
                self.form.focus_first_error();
                cx.status.error(not_saved_words(n));
                return;
            }
        };
        self.form.errors.clear();
        let except = self.form.editing.map(|(id, _)| id);
        if self.form.duplicates.is_empty() {
            match cx.store.possible_duplicates(&input, except) {
                Ok(d) if !d.is_empty() => {
                    self.form.duplicates = d;
                    refocus(ctx);
                    cx.status.warning(
                        "Possible duplicate - check it; press Enter again to save anyway.",
                    );
                    return;
                }
                Ok(_) => {}
                Err(e) => {
                    refocus(ctx);
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
                } else if cx.project.before_extract(item.input.occurred_at)
                    && self.form.editing.is_none()
                {
                    cx.status.warning(format!(
                        "{} - it happened before the final extract, so it is flagged \"before extract\" (check it is not in the new system already).",
                        saved_message(&item, false)
                    ));
                }
                self.form.reset(cx.now);
                self.today.mark_stale();
            }
            Err(crate::store::StoreError::Conflict) => {
                refocus(ctx);
                self.lost_to_another_desk(cx);
            }
            Err(e) => {
                refocus(ctx);
                cx.status
                    .error(format!("Not saved (what you typed is kept): {e}"));
            }
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

/// "Not saved: 2 problems - see the messages beside the fields."
fn not_saved_words(n: usize) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("Not saved: {n} problem{s} - see the message{s} beside the field{s}.")
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
    format!("{verb} {} for {who}", item.input.kind.noun())
}
