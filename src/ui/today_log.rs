//! Today's log: items logged today at this desk or across the practice, newest
//! first, each open for correction, voiding (with a reason) and its history.

use egui::Ui;
use egui_extras::{Column, TableBuilder};

use crate::domain::dates::{uk_date_time, uk_time};
use crate::domain::{AuditEvent, Item, ItemId, Sort, SortKey, WorklistFilter};

use super::AppContext;
use super::command::Command;
use super::focus_cycle;
use super::widgets::error_label;

/// How many of today's items are listed (a desk logs far fewer in a day).
const TODAY_LIMIT: u64 = 500;

/// Whose items today's log shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    ThisDesk,
    Practice,
}

/// The void dialog's state.
#[derive(Debug, Clone)]
struct VoidDialog {
    item: ItemId,
    /// The item in people's words: kind, patient and when it happened.
    what: String,
    reason: String,
    error: Option<String>,
    focus: bool,
}

/// Today's log panel.
#[derive(Debug, Default)]
pub struct TodayLog {
    pub scope: Scope,
    pub items: Vec<Item>,
    stale: bool,
    void: Option<VoidDialog>,
    history: Option<(ItemId, Vec<AuditEvent>)>,
}

impl TodayLog {
    pub fn new() -> Self {
        Self {
            stale: true,
            ..Self::default()
        }
    }

    /// Whether a dialog (Void) is open over the screen: it takes Enter and Esc.
    pub fn dialog_open(&self) -> bool {
        self.void.is_some()
    }

    /// Ask for a fresh read from the store on the next frame.
    pub fn mark_stale(&mut self) {
        self.stale = true;
    }

    fn reload(&mut self, cx: &mut AppContext<'_>) {
        let logged_by = match (self.scope, cx.desk) {
            (Scope::ThisDesk, Some(me)) => Some(me.id),
            (Scope::Practice, _) => None,
            // This desk's items, with nobody at the desk: none to read.
            (Scope::ThisDesk, None) => {
                self.items.clear();
                self.stale = false;
                return;
            }
        };
        let filter = WorklistFilter {
            logged_from: Some(cx.now.date()),
            logged_by,
            include_voided: true,
            ..WorklistFilter::default()
        };
        let sort = Sort {
            key: SortKey::LoggedAt,
            descending: true,
        };
        match cx.store.worklist_page(&filter, sort, 0, TODAY_LIMIT) {
            Ok(items) => self.items = items,
            Err(e) => cx.status.error(format!("Could not read today's log: {e}")),
        }
        if let Some((id, _)) = &self.history {
            let id = *id;
            self.load_history(cx, id);
        }
        self.stale = false;
    }

    fn load_history(&mut self, cx: &mut AppContext<'_>, id: ItemId) {
        match cx.store.history(crate::domain::AuditEntity::Item, id.0) {
            Ok(events) => self.history = Some((id, events)),
            Err(e) => cx
                .status
                .error(format!("Could not read the item's history: {e}")),
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        if self.stale {
            self.reload(cx);
        }
        ui.horizontal(|ui| {
            ui.heading("Today's log");
            let before = self.scope;
            ui.selectable_value(&mut self.scope, Scope::ThisDesk, "Logged by me");
            ui.selectable_value(&mut self.scope, Scope::Practice, "Whole practice");
            if before != self.scope {
                self.stale = true;
            }
            ui.label(format!("{} item(s)", self.items.len()));
        });
        // A dialog opened by this frame's key waits for the next frame, so the key
        // that opened it (Enter on the Void button) does not also answer it.
        let dialog_was_open = self.void.is_some();
        self.table_ui(ui, cx);
        self.history_ui(ui, cx);
        if dialog_was_open {
            self.void_dialog_ui(ui, cx);
        } else if self.void.is_some() {
            ui.ctx().request_repaint();
        }
    }

    fn table_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        let mut void_clicked = None;
        let mut history_clicked = None;
        // The panel's height is fixed by the screen: with a history open, the table
        // takes the top part and the history scrolls in the rest.
        let room = ui.available_height() - 8.0;
        let height = if self.history.is_some() {
            (room * 0.4).max(52.0)
        } else {
            room.max(52.0)
        };
        ui.push_id("today_table", |ui| {
            ui.style_mut().interaction.selectable_labels = false;
            TableBuilder::new(ui)
                .striped(true)
                .max_scroll_height(height)
                .column(Column::exact(48.0))
                .column(Column::exact(120.0))
                .column(Column::exact(100.0))
                .column(Column::initial(170.0).clip(true))
                .column(Column::remainder().clip(true))
                .column(Column::exact(210.0))
                .header(22.0, |mut h| {
                    for title in ["Logged", "Kind", "NHS number", "Patient", "What", ""] {
                        h.col(|ui| {
                            ui.strong(title);
                        });
                    }
                })
                .body(|body| {
                    body.rows(26.0, self.items.len(), |mut row| {
                        let item = &self.items[row.index()];
                        let voided = item.void.is_some();
                        let text = |s: String| {
                            let t = egui::RichText::new(s);
                            if voided { t.strikethrough().weak() } else { t }
                        };
                        row.col(|ui| {
                            ui.label(text(uk_time(item.logged_at)));
                        });
                        row.col(|ui| {
                            ui.label(text(item.input.kind.label().to_string()));
                        });
                        row.col(|ui| {
                            ui.label(text(item.input.patient.nhs_number_words()));
                        });
                        row.col(|ui| {
                            ui.label(text(item.input.patient.name.clone()));
                        });
                        row.col(|ui| {
                            let mut what = item.input.summary();
                            if let Some(v) = &item.void {
                                what = format!("VOIDED: {} - {what}", v.reason);
                            } else if item.logged_outside_window() {
                                what = format!("[logged outside cutover] {what}");
                            } else if cx.project.before_extract(item.input.occurred_at) {
                                what = format!("[before extract] {what}");
                            }
                            ui.label(text(what))
                                .on_hover_text(uk_date_time(item.input.occurred_at));
                        });
                        row.col(|ui| {
                            ui.horizontal(|ui| {
                                let n = item.id.0;
                                if !voided {
                                    if ui
                                        .small_button("Correct")
                                        .on_hover_text(format!("Correct item {n}"))
                                        .clicked()
                                    {
                                        cx.commands.push(Command::EditItem(item.id));
                                    }
                                    if ui
                                        .small_button("Void")
                                        .on_hover_text(format!("Void item {n}"))
                                        .clicked()
                                    {
                                        void_clicked = Some(item.id);
                                    }
                                }
                                if ui
                                    .small_button("History")
                                    .on_hover_text(format!("History of item {n}"))
                                    .clicked()
                                {
                                    history_clicked = Some(item.id);
                                }
                            });
                        });
                    });
                });
        });
        if let Some(id) = void_clicked
            && let Some(item) = self.items.iter().find(|i| i.id == id)
        {
            let patient = item.input.patient.nhs_number.map_or_else(
                || item.input.patient.name.clone(),
                |n| format!("{} ({n})", item.input.patient.name),
            );
            self.void = Some(VoidDialog {
                item: id,
                what: format!(
                    "{} for {patient}, {}",
                    item.input.kind.label(),
                    uk_date_time(item.input.occurred_at)
                ),
                reason: String::new(),
                error: None,
                focus: true,
            });
        }
        if let Some(id) = history_clicked {
            self.load_history(cx, id);
        }
    }

    fn history_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        let Some((id, events)) = &self.history else {
            return;
        };
        let mut close = false;
        ui.separator();
        ui.horizontal(|ui| {
            ui.strong(format!("History of item {}", id.0));
            if ui.small_button("Close history").clicked() {
                close = true;
            }
        });
        egui::ScrollArea::vertical()
            .id_salt("today_history")
            .auto_shrink([false, false])
            .show(ui, |ui| events_ui(ui, events, cx.staff));
        if close {
            self.history = None;
        }
    }

    fn void_dialog_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        let Some(dialog) = self.void.as_mut() else {
            return;
        };
        let mut confirm = false;
        let mut cancel = false;
        let modal = egui::Modal::new(ui.make_persistent_id("void_dialog")).show(ui.ctx(), |ui| {
            focus_cycle::begin(ui.ctx(), false);
            ui.heading("Void this item?");
            ui.strong(&dialog.what);
            ui.label("The item stays in the log, crossed out, with your reason. Use this for items logged in error.");
            let l = ui.label("Reason for voiding");
            let before = dialog.reason.clone();
            let r = super::widgets::text_edit_focused_first(
                ui,
                egui::TextEdit::singleline(&mut dialog.reason).desired_width(360.0),
                "void_reason",
                &mut dialog.focus,
            )
            .labelled_by(l.id);
            focus_cycle::note(ui, &r);
            if dialog.reason != before {
                dialog.error = None;
            }
            if let Some(e) = &dialog.error {
                error_label(ui, e);
            }
            ui.horizontal(|ui| {
                let v = ui.button("Void item (Enter)");
                focus_cycle::note(ui, &v);
                if v.clicked() {
                    confirm = true;
                }
                let c = ui.button("Cancel (Esc)");
                focus_cycle::note(ui, &c);
                if c.clicked() {
                    cancel = true;
                }
            });
            focus_cycle::end(ui.ctx());
            // The dialog's keys are its own: the form behind it never sees them.
            ui.input_mut(|i| {
                if i.consume_key(egui::Modifiers::NONE, egui::Key::Enter) {
                    confirm = true;
                }
                if i.consume_key(egui::Modifiers::NONE, egui::Key::Escape) {
                    cancel = true;
                }
            });
        });
        if cancel {
            self.void = None;
            return;
        }
        if confirm {
            let id = dialog.item;
            let reason = dialog.reason.clone();
            let Some(actor) = cx.actor() else { return };
            match cx.store.void_item(id, &reason, &actor) {
                Ok(_) => {
                    cx.status.info(format!("Voided: {}", dialog.what));
                    self.void = None;
                    self.stale = true;
                }
                Err(crate::store::StoreError::Invalid(_)) => {
                    dialog.error = Some("Give the reason for voiding this item.".into());
                    dialog.focus = true;
                }
                Err(e) => cx.status.error(format!("Not voided: {e}")),
            }
        } else if modal.should_close() {
            self.void = None;
        }
    }
}

/// An item's history: each event with when and who, then each field it changed,
/// before -> after, in the form's words (shared by today's log and the worklist).
pub fn events_ui(ui: &mut Ui, events: &[AuditEvent], staff: &crate::domain::StaffDirectory) {
    for e in events {
        ui.label(format!(
            "{}  {}  {}",
            uk_date_time(e.at),
            e.actor_name,
            super::audit_words::action_with(e, staff)
        ));
        // A new item lists every value it was given; a change, each field changed.
        for c in super::audit_words::changes_with(e, staff) {
            let line = if c.before.is_empty() {
                format!("      {}: {}", c.field, c.after)
            } else {
                format!("      {}: {} -> {}", c.field, c.before, c.after)
            };
            ui.label(egui::RichText::new(line).weak());
        }
    }
}
