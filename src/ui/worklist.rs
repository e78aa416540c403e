//! After go-live: the re-entry worklist. A virtualised table over the whole log
//! (rows fetched a page at a time), filters that combine, assignment, ticking
//! off from the keyboard with undo, and a detail panel with copy buttons.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use egui::{Key, Modifiers, Ui};
use egui_extras::{Column, TableBuilder};

use crate::domain::dates::{parse_date, uk_date, uk_date_time};
use crate::domain::item::display_field;
use crate::domain::{
    AssigneeFilter, AuditEvent, Item, ItemId, ItemKind, PreviousStatus, SeenItem, Sort, SortKey,
    StaffDirectory, StaffId, Status, StatusChange, WorklistFilter,
};
use crate::store::StoreError;

use super::AppContext;
use super::page_cache::{PageCache, Reader};
use super::today_log::describe_event;
use super::widgets::error_label;

/// Whose items the worklist shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AssigneeChoice {
    #[default]
    Anyone,
    /// Whoever is at the desk.
    Me,
    Unassigned,
    Staff(StaffId),
}

/// The worklist screen's state.
#[derive(Debug)]
pub struct WorklistScreen {
    pub kind: Option<ItemKind>,
    pub statuses: BTreeSet<Status>,
    pub assignee: AssigneeChoice,
    pub clinician: Option<StaffId>,
    pub from: String,
    pub to: String,
    pub text: String,
    pub sort: Sort,
    /// The row the keyboard is on.
    pub cursor: Option<u64>,
    /// Items picked for a bulk action (Ctrl+click, Shift+arrows), each with the
    /// version on screen when picked: a change refuses items changed since.
    pub selected: BTreeMap<ItemId, i64>,
    /// Reference, reason or note for the next status change.
    pub note: String,
    /// Earlier re-entry records, newest change last (Ctrl+Z puts them back).
    pub undo: Vec<Vec<PreviousStatus>>,
    pub assign_to: Option<StaffId>,
    /// The last value copied to the clipboard, with its field label.
    pub last_copied: Option<(String, String)>,
    cache: PageCache,
    /// Read the worklist on a thread of its own (the app); tests read inline.
    background: Background,
    scroll_to: Option<usize>,
    history: Option<(ItemId, Vec<AuditEvent>)>,
    focus_note: bool,
}

impl Default for WorklistScreen {
    fn default() -> Self {
        Self {
            kind: None,
            statuses: [Status::Outstanding, Status::Problem].into_iter().collect(),
            assignee: AssigneeChoice::Anyone,
            clinician: None,
            from: String::new(),
            to: String::new(),
            text: String::new(),
            sort: Sort::default(),
            cursor: None,
            selected: BTreeMap::new(),
            note: String::new(),
            undo: Vec::new(),
            assign_to: None,
            last_copied: None,
            cache: PageCache::default(),
            background: Background::Off,
            scroll_to: None,
            history: None,
            focus_note: false,
        }
    }
}

/// Whether the worklist reads on a thread of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Background {
    Off,
    Wanted,
    Running,
    Unavailable,
}

fn parse_optional_date(s: &str) -> Result<Option<NaiveDate>, String> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(s).map(Some).map_err(|e| e.to_string())
    }
}

impl WorklistScreen {
    /// The filter the controls describe, for the person at the desk.
    pub fn filter(&self, desk: Option<StaffId>) -> WorklistFilter {
        WorklistFilter {
            kinds: self.kind.into_iter().collect(),
            statuses: self.statuses.iter().copied().collect(),
            assignee: match self.assignee {
                AssigneeChoice::Anyone => AssigneeFilter::Anyone,
                AssigneeChoice::Unassigned => AssigneeFilter::Unassigned,
                AssigneeChoice::Staff(id) => AssigneeFilter::Staff(id),
                // Nobody at the desk: "my items" is nobody's.
                AssigneeChoice::Me => AssigneeFilter::Staff(desk.unwrap_or(StaffId(-1))),
            },
            clinician: self.clinician,
            from: parse_optional_date(&self.from).ok().flatten(),
            to: parse_optional_date(&self.to).ok().flatten(),
            text: self.text.trim().to_string(),
            ..WorklistFilter::default()
        }
    }

    /// Drops fetched rows so the next frame reads the store again.
    pub fn refresh(&mut self) {
        self.cache.invalidate();
    }

    /// Reads the worklist on a thread with its own handle on the log from the
    /// next frame on, so no query holds up a frame (the app does this at start).
    pub fn read_in_background(&mut self) {
        if self.background == Background::Off {
            self.background = Background::Wanted;
        }
    }

    /// Whether rows for the current filter are still being fetched.
    pub fn is_loading(&self) -> bool {
        self.cache.is_loading()
    }

    fn start_reader(&mut self, ui: &Ui, cx: &mut AppContext<'_>) {
        if self.background != Background::Wanted {
            return;
        }
        let ctx = ui.ctx().clone();
        let started = cx
            .store
            .open_another()
            .map_err(|e| e.to_string())
            .and_then(|store| {
                Reader::start(store, move || ctx.request_repaint()).map_err(|e| e.to_string())
            });
        match started {
            Ok(reader) => {
                self.cache.read_in_background(reader);
                self.background = Background::Running;
            }
            Err(e) => {
                // Still correct, only slower at 100,000 items: read on this thread.
                cx.status
                    .error(format!("Reading the worklist without a second handle: {e}"));
                self.background = Background::Unavailable;
            }
        }
    }

    /// The "My items" view: what the person at the desk still has to do.
    pub fn show_my_items(&mut self) {
        self.assignee = AssigneeChoice::Me;
        self.statuses = [Status::Outstanding, Status::Problem].into_iter().collect();
        self.cursor = Some(0);
        self.selected.clear();
    }

    pub fn ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        self.start_reader(ui, cx);
        if let Some(e) = self.cache.poll() {
            cx.status.error(format!("Could not read the worklist: {e}"));
        }
        let desk = cx.desk.map(|s| s.id);
        self.cache.set_query(&self.filter(desk), self.sort);
        let count = match self.cache.count(&*cx.store) {
            Ok(n) => n,
            Err(e) => {
                cx.status.error(format!("Could not read the worklist: {e}"));
                0
            }
        };
        if let Some(c) = self.cursor
            && c >= count
        {
            self.cursor = count.checked_sub(1);
        }

        egui::Panel::top("worklist_filters").show(ui, |ui| self.filters_ui(ui, cx, count));
        egui::Panel::right("item_detail")
            .resizable(true)
            .default_size(420.0)
            .min_size(300.0)
            .show(ui, |ui| {
                self.detail_ui(ui, cx);
            });
        egui::Panel::bottom("worklist_actions").show(ui, |ui| self.actions_ui(ui, cx));
        egui::CentralPanel::default().show(ui, |ui| {
            self.keyboard(ui, cx, count);
            self.table_ui(ui, cx, count);
        });
        if self.cache.is_loading() {
            // The reader wakes the app when rows arrive; this is only a backstop.
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(50));
        }
    }

    fn filters_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>, count: u64) {
        ui.add_space(4.0);
        ui.horizontal_wrapped(|ui| {
            ui.heading("Re-entry worklist");
            ui.label(
                egui::RichText::new(format!(
                    "{count} matching item{}{}",
                    if count == 1 { "" } else { "s" },
                    if self.cache.is_loading() {
                        " (searching…)"
                    } else {
                        ""
                    }
                ))
                .strong(),
            );
            if ui
                .button("My items")
                .on_hover_text("Outstanding and problem items assigned to whoever is at this desk")
                .clicked()
            {
                self.show_my_items();
            }
            if ui.button("Show everything").clicked() {
                *self = Self {
                    undo: std::mem::take(&mut self.undo),
                    ..Self::default()
                };
                self.statuses.clear();
            }
        });
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("Kind");
            let kind_text = self.kind.map_or("All kinds", |k| k.label());
            egui::ComboBox::from_id_salt("filter_kind")
                .selected_text(kind_text)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.kind, None, "All kinds");
                    for k in ItemKind::ALL {
                        ui.selectable_value(&mut self.kind, Some(k), k.label());
                    }
                })
                .response
                .labelled_by(l.id);
            ui.separator();
            ui.label("Status");
            for s in Status::ALL {
                let mut on = self.statuses.contains(&s);
                if ui.toggle_value(&mut on, s.label()).changed() {
                    if on {
                        self.statuses.insert(s);
                    } else {
                        self.statuses.remove(&s);
                    }
                }
            }
        });
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("Assigned to");
            egui::ComboBox::from_id_salt("filter_assignee")
                .selected_text(assignee_text(self.assignee, cx.staff))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.assignee, AssigneeChoice::Anyone, "Anyone");
                    ui.selectable_value(
                        &mut self.assignee,
                        AssigneeChoice::Me,
                        "Me (at this desk)",
                    );
                    ui.selectable_value(
                        &mut self.assignee,
                        AssigneeChoice::Unassigned,
                        "Unassigned",
                    );
                    for s in cx.staff.all() {
                        ui.selectable_value(
                            &mut self.assignee,
                            AssigneeChoice::Staff(s.id),
                            &s.name,
                        );
                    }
                })
                .response
                .labelled_by(l.id);
            let l = ui.label("Clinician");
            egui::ComboBox::from_id_salt("filter_clinician")
                .selected_text(
                    self.clinician
                        .map_or("Any".to_string(), |c| cx.staff.name(Some(c))),
                )
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.clinician, None, "Any");
                    for s in cx.staff.all().iter().filter(|s| s.role.is_clinician()) {
                        ui.selectable_value(&mut self.clinician, Some(s.id), &s.name);
                    }
                })
                .response
                .labelled_by(l.id);
            let l = ui.label("From");
            ui.add(
                egui::TextEdit::singleline(&mut self.from)
                    .hint_text("dd/mm/yyyy")
                    .desired_width(90.0),
            )
            .labelled_by(l.id);
            let l = ui.label("To");
            ui.add(
                egui::TextEdit::singleline(&mut self.to)
                    .hint_text("dd/mm/yyyy")
                    .desired_width(90.0),
            )
            .labelled_by(l.id);
            let l = ui.label("Search");
            ui.add(
                egui::TextEdit::singleline(&mut self.text)
                    .hint_text("name, NHS number or details")
                    .desired_width(220.0),
            )
            .labelled_by(l.id);
        });
        for (what, s) in [("From", &self.from), ("To", &self.to)] {
            if let Err(e) = parse_optional_date(s) {
                error_label(ui, &format!("{what}: {e}"));
            }
        }
        ui.add_space(2.0);
    }

    /// Arrow keys move, Space ticks, N/P/O set the other states, Ctrl+Z undoes.
    /// Ignored while a text box has the keyboard.
    fn keyboard(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>, count: u64) {
        if ui.ctx().egui_wants_keyboard_input() || egui::Popup::is_any_open(ui.ctx()) {
            return;
        }
        let mut change: Option<StatusChange> = None;
        let mut undo = false;
        let note = self.note.clone();
        let mut moved: Option<(i64, bool)> = None;
        ui.input_mut(|i| {
            for (key, step) in [
                (Key::ArrowDown, 1i64),
                (Key::ArrowUp, -1),
                (Key::PageDown, 20),
                (Key::PageUp, -20),
            ] {
                if i.consume_key(Modifiers::SHIFT, key) {
                    moved = Some((step, true));
                } else if i.consume_key(Modifiers::NONE, key) {
                    moved = Some((step, false));
                }
            }
            if i.consume_key(Modifiers::COMMAND, Key::Z) {
                undo = true;
            } else if i.consume_key(Modifiers::NONE, Key::Space)
                || i.consume_key(Modifiers::NONE, Key::R)
            {
                change = Some(StatusChange::ReEntered { note: note.clone() });
            } else if i.consume_key(Modifiers::NONE, Key::N) {
                change = Some(StatusChange::NotNeeded {
                    reason: note.clone(),
                });
            } else if i.consume_key(Modifiers::NONE, Key::P) {
                change = Some(StatusChange::Problem { note: note.clone() });
            } else if i.consume_key(Modifiers::NONE, Key::O) {
                change = Some(StatusChange::Reopen);
            }
        });
        if let Some((step, extend)) = moved {
            self.move_cursor(cx, count, step, extend);
        }
        if let Some(c) = change {
            self.apply(cx, &c);
        }
        if undo {
            self.undo_last(cx);
        }
    }

    fn move_cursor(&mut self, cx: &mut AppContext<'_>, count: u64, step: i64, extend: bool) {
        if count == 0 {
            return;
        }
        if extend && let Some(seen) = self.cursor_item(cx).map(|i| i.seen()) {
            self.selected.insert(seen.id, seen.version);
        }
        let here = self.cursor.map_or(-1, |c| c as i64);
        let next = (here + step).clamp(0, count as i64 - 1) as u64;
        self.cursor = Some(next);
        if extend {
            if let Some(seen) = self.cursor_item(cx).map(|i| i.seen()) {
                self.selected.insert(seen.id, seen.version);
            }
        } else {
            self.selected.clear();
        }
        self.scroll_to = Some(next as usize);
        self.history = None;
    }

    fn cursor_item(&mut self, cx: &mut AppContext<'_>) -> Option<Item> {
        let c = self.cursor?;
        match self.cache.row_now(&*cx.store, c) {
            Ok(item) => item.cloned(),
            Err(e) => {
                cx.status.error(format!("Could not read the item: {e}"));
                None
            }
        }
    }

    /// The items an action applies to, as this desk saw them: the selection, or
    /// the row the cursor is on.
    fn targets(&mut self, cx: &mut AppContext<'_>) -> Vec<SeenItem> {
        if self.selected.is_empty() {
            self.cursor_item(cx)
                .map(|i| vec![i.seen()])
                .unwrap_or_default()
        } else {
            self.selected
                .iter()
                .map(|(&id, &version)| SeenItem { id, version })
                .collect()
        }
    }

    /// Reports a change refused because the item moved on (another desk got there
    /// first): what `refused` says, where the item stands now and who put it there,
    /// and shows the list as it is now.
    fn changed_elsewhere(&mut self, cx: &mut AppContext<'_>, refused: &str, id: ItemId) {
        let now = match cx.store.item(id) {
            Ok(item) => {
                let r = &item.reentry;
                let by = match (r.by, r.at) {
                    (Some(by), Some(at)) => {
                        format!(" by {} at {}", cx.staff.name(Some(by)), uk_date_time(at))
                    }
                    _ => String::new(),
                };
                if item.void.is_some() {
                    " It has been voided.".to_string()
                } else {
                    format!(" It is now {}{by}.", r.status.label())
                }
            }
            Err(_) => String::new(),
        };
        cx.status.error(format!(
            "{refused}{now} Nothing was changed; the list now shows it as it is."
        ));
        self.selected.clear();
        self.history = None;
        self.cache.invalidate();
    }

    /// Changes the re-entry status of the target items, remembering the old ones for undo.
    pub fn apply(&mut self, cx: &mut AppContext<'_>, change: &StatusChange) {
        let targets = self.targets(cx);
        if targets.is_empty() {
            cx.status
                .error("Pick an item first (click a row, or use the arrow keys).");
            return;
        }
        if let Err(errors) = change.validate() {
            let what = if matches!(change, StatusChange::NotNeeded { .. }) {
                "the reason it is not needed"
            } else {
                "a note saying what the problem is"
            };
            cx.status.error(format!(
                "Type {what} in 'Reference, reason or note' first. ({})",
                crate::domain::validation::describe(&errors)
            ));
            self.focus_note = true;
            return;
        }
        let Some(actor) = cx.actor() else { return };
        match cx.store.set_status(&targets, change, &actor) {
            Ok(previous) => {
                let label = match change {
                    StatusChange::Reopen => "reopened (outstanding)",
                    StatusChange::ReEntered { .. } => "re-entered",
                    StatusChange::NotNeeded { .. } => "not needed",
                    StatusChange::Problem { .. } => "a problem",
                };
                let n = targets.len();
                cx.status.info(format!(
                    "Marked {n} item{} {label} by {} at {}. Ctrl+Z undoes.",
                    if n == 1 { "" } else { "s" },
                    actor.name,
                    uk_date_time(actor.at)
                ));
                self.undo.push(previous);
                self.note.clear();
                self.selected.clear();
                self.history = None;
                self.cache.invalidate();
            }
            Err(StoreError::ChangedElsewhere(id)) => {
                let refused = format!(
                    "Not changed: item {id} was changed at another desk since your list showed it."
                );
                self.changed_elsewhere(cx, &refused, ItemId(id));
            }
            Err(e) => cx.status.error(format!("Not changed: {e}")),
        }
    }

    /// Puts back the re-entry records before the last change.
    pub fn undo_last(&mut self, cx: &mut AppContext<'_>) {
        let Some(previous) = self.undo.last().cloned() else {
            cx.status.info("Nothing to undo.");
            return;
        };
        let Some(actor) = cx.actor() else { return };
        match cx.store.restore_status(&previous, &actor) {
            Ok(()) => {
                self.undo.pop();
                cx.status.info(format!(
                    "Undone: {} item(s) back as they were.",
                    previous.len()
                ));
                // This desk's own change: selected items it touched moved on one version.
                for p in &previous {
                    if let Some(version) = self.selected.get_mut(&p.id) {
                        *version += 1;
                    }
                }
                self.cache.invalidate();
                self.history = None;
            }
            Err(StoreError::ChangedElsewhere(id)) => {
                // The change cannot be undone any more: someone has moved on from it.
                self.undo.pop();
                let refused = format!("Could not undo: item {id} has been changed again since.");
                self.changed_elsewhere(cx, &refused, ItemId(id));
            }
            Err(e) => cx.status.error(format!("Could not undo: {e}")),
        }
    }

    fn assign(&mut self, cx: &mut AppContext<'_>) {
        let ids: Vec<ItemId> = self.targets(cx).into_iter().map(|s| s.id).collect();
        if ids.is_empty() {
            cx.status.error("Pick the items to assign first.");
            return;
        }
        let Some(actor) = cx.actor() else { return };
        let to = self.assign_to;
        match cx.store.assign(&ids, to, &actor) {
            Ok(()) => {
                let who = to.map_or("nobody (unassigned)".to_string(), |id| {
                    cx.staff.name(Some(id))
                });
                cx.status
                    .info(format!("Assigned {} item(s) to {who}.", ids.len()));
                // Each change moves an item on one version: the selection still
                // names what this desk sees, so a tick that follows is not refused.
                for version in self.selected.values_mut() {
                    *version += 1;
                }
                self.cache.invalidate();
            }
            Err(e) => cx.status.error(format!("Not assigned: {e}")),
        }
    }

    fn actions_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        ui.add_space(4.0);
        ui.horizontal_wrapped(|ui| {
            let picked = if self.selected.is_empty() {
                "the highlighted item".to_string()
            } else {
                format!("{} selected items", self.selected.len())
            };
            ui.label(format!("Apply to {picked}:"));
            let l = ui.label("Reference, reason or note");
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut self.note)
                        .hint_text("reference in the new system, or why")
                        .desired_width(260.0),
                )
                .labelled_by(l.id);
            if std::mem::take(&mut self.focus_note) {
                r.request_focus();
            }
            let note = self.note.clone();
            if ui.button("Re-entered (Space)").clicked() {
                self.apply(cx, &StatusChange::ReEntered { note: note.clone() });
            }
            if ui.button("Not needed (N)").clicked() {
                self.apply(
                    cx,
                    &StatusChange::NotNeeded {
                        reason: note.clone(),
                    },
                );
            }
            if ui.button("Problem (P)").clicked() {
                self.apply(cx, &StatusChange::Problem { note: note.clone() });
            }
            if ui.button("Reopen (O)").clicked() {
                self.apply(cx, &StatusChange::Reopen);
            }
            if ui
                .add_enabled(!self.undo.is_empty(), egui::Button::new("Undo (Ctrl+Z)"))
                .clicked()
            {
                self.undo_last(cx);
            }
        });
        ui.horizontal(|ui| {
            let l = ui.label("Assign to");
            egui::ComboBox::from_id_salt("assign_to")
                .selected_text(
                    self.assign_to
                        .map_or("Nobody (unassigned)".to_string(), |id| {
                            cx.staff.name(Some(id))
                        }),
                )
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.assign_to, None, "Nobody (unassigned)");
                    for s in cx.staff.active() {
                        ui.selectable_value(&mut self.assign_to, Some(s.id), &s.name);
                    }
                })
                .response
                .labelled_by(l.id);
            if ui.button("Assign").clicked() {
                self.assign(cx);
            }
        });
        ui.horizontal(|ui| {
            ui.weak("Keys: arrows move, Shift+arrows select, Space re-entered, N not needed, P problem, O reopen, Ctrl+Z undo.");
        });
        ui.add_space(2.0);
    }

    fn table_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>, count: u64) {
        let mut clicked: Option<(u64, SeenItem, Modifiers)> = None;
        let mut sort_by: Option<SortKey> = None;
        let mut error: Option<String> = None;
        let go_live = cx.project.go_live;
        let store = &*cx.store;
        let staff = cx.staff;
        let cache = &mut self.cache;
        let cursor = self.cursor;
        let selected = &self.selected;
        let sort = self.sort;
        ui.style_mut().interaction.selectable_labels = false;
        let mut table = TableBuilder::new(ui)
            .striped(true)
            .sense(egui::Sense::click())
            .column(Column::exact(108.0))
            .column(Column::exact(104.0))
            .column(Column::exact(92.0))
            .column(Column::initial(130.0).clip(true))
            .column(Column::remainder().at_least(100.0).clip(true))
            .column(Column::initial(105.0).clip(true))
            .column(Column::initial(105.0).clip(true))
            .column(Column::exact(82.0))
            .column(Column::exact(70.0));
        if let Some(r) = self.scroll_to.take() {
            table = table.scroll_to_row(r, None);
        }
        let headers = [
            ("When", Some(SortKey::OccurredAt)),
            ("Kind", Some(SortKey::Kind)),
            ("NHS number", Some(SortKey::NhsNumber)),
            ("Patient", Some(SortKey::PatientName)),
            ("Details", None),
            ("Clinician", Some(SortKey::Clinician)),
            ("Assigned to", Some(SortKey::Assignee)),
            ("Status", Some(SortKey::Status)),
            ("Flag", None),
        ];
        table
            .header(24.0, |mut h| {
                for (title, key) in headers {
                    h.col(|ui| match key {
                        Some(k) => {
                            let arrow = if sort.key == k {
                                if sort.descending { " v" } else { " ^" }
                            } else {
                                ""
                            };
                            if ui
                                .button(format!("{title}{arrow}"))
                                .on_hover_text(format!("Sort by {title}"))
                                .clicked()
                            {
                                sort_by = Some(k);
                            }
                        }
                        None => {
                            ui.strong(title);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(24.0, count as usize, |mut row| {
                    let index = row.index() as u64;
                    let item = match cache.row(store, index) {
                        Ok(Some(item)) => item.clone(),
                        Ok(None) => return,
                        Err(e) => {
                            error = Some(e.to_string());
                            return;
                        }
                    };
                    row.set_selected(cursor == Some(index) || selected.contains_key(&item.id));
                    let cells = row_cells(&item, staff, go_live);
                    for cell in cells {
                        row.col(|ui| {
                            ui.label(cell);
                        });
                    }
                    if row.response().clicked() {
                        let mods = row.response().ctx.input(|i| i.modifiers);
                        clicked = Some((index, item.seen(), mods));
                    }
                });
            });
        if let Some(e) = error {
            cx.status.error(format!("Could not read the worklist: {e}"));
        }
        if let Some(k) = sort_by {
            self.sort = if self.sort.key == k {
                Sort {
                    key: k,
                    descending: !self.sort.descending,
                }
            } else {
                Sort {
                    key: k,
                    descending: false,
                }
            };
            self.cursor = None;
        }
        if let Some((index, seen, mods)) = clicked {
            if mods.command || mods.ctrl {
                if self.selected.remove(&seen.id).is_none() {
                    self.selected.insert(seen.id, seen.version);
                }
            } else {
                self.selected.clear();
            }
            self.cursor = Some(index);
            self.history = None;
        }
    }

    fn detail_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        // Drawn from the rows on screen (never a query on this frame); actions
        // still read the cursor's item fresh.
        let shown = match self.cursor {
            Some(c) => self.cache.row(&*cx.store, c).ok().flatten().cloned(),
            None => None,
        };
        let Some(item) = shown else {
            ui.add_space(8.0);
            ui.label(
                "Pick an item to see everything to re-enter, with a copy button for each field.",
            );
            return;
        };
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            ui.heading(format!("{} (item {})", item.input.kind.label(), item.id.0));
            if item.logged_outside_window() {
                ui.label(egui::RichText::new("Logged outside the cutover window: check it was not already in the extract.").color(super::theme::warning_color(ui)));
            }
            if item.needs_transfer(cx.project.go_live) {
                ui.label(egui::RichText::new("Future appointment: book it in the new system.").color(super::theme::warning_color(ui)));
            }
            let mut copy: Option<(String, String)> = None;
            egui::Grid::new("detail_grid").num_columns(3).striped(true).show(ui, |ui| {
                for (label, value) in detail_fields(&item, cx.staff) {
                    ui.label(&label);
                    ui.label(&value);
                    if !value.is_empty() && ui.small_button("Copy").on_hover_text(format!("Copy {label}")).clicked() {
                        copy = Some((label.clone(), value.clone()));
                    }
                    ui.end_row();
                }
            });
            if let Some((label, value)) = copy {
                ui.ctx().copy_text(value.clone());
                cx.status.info(format!("Copied {label} - paste it into {}.", cx.project.new_system.label()));
                self.last_copied = Some((label, value));
            }
            ui.separator();
            ui.strong("Re-entry");
            ui.label(status_line(&item, cx.staff));
            ui.label(format!("Assigned to: {}", name_or(cx.staff, item.assignee, "nobody yet")));
            ui.label(format!("Logged by {} at {}", cx.staff.name(Some(item.logged_by)), uk_date_time(item.logged_at)));
            ui.separator();
            if self.history.as_ref().is_none_or(|(id, _)| *id != item.id) {
                match cx.store.history("item", item.id.0) {
                    Ok(h) => self.history = Some((item.id, h)),
                    Err(e) => cx.status.error(format!("Could not read the history: {e}")),
                }
            }
            ui.strong("History");
            if let Some((_, events)) = &self.history {
                for e in events {
                    ui.label(format!("{}  {}  {}", uk_date_time(e.at), e.actor_name, describe_event(e)));
                }
            }
        });
    }
}

fn name_or(staff: &StaffDirectory, id: Option<StaffId>, none: &str) -> String {
    let n = staff.name(id);
    if n.is_empty() { none.to_string() } else { n }
}

fn assignee_text(a: AssigneeChoice, staff: &StaffDirectory) -> String {
    match a {
        AssigneeChoice::Anyone => "Anyone".into(),
        AssigneeChoice::Me => "Me (at this desk)".into(),
        AssigneeChoice::Unassigned => "Unassigned".into(),
        AssigneeChoice::Staff(id) => staff.name(Some(id)),
    }
}

/// The re-entry state in words: who did what, when.
pub fn status_line(item: &Item, staff: &StaffDirectory) -> String {
    if let Some(v) = &item.void {
        return format!(
            "Voided by {} at {}: {}",
            staff.name(Some(v.by)),
            uk_date_time(v.at),
            v.reason
        );
    }
    item.reentry.describe(staff, false)
}

/// One worklist row's cells, in column order.
fn row_cells(item: &Item, staff: &StaffDirectory, go_live: chrono::NaiveDateTime) -> [String; 9] {
    let mut flags = Vec::new();
    if item.logged_outside_window() {
        flags.push("late log");
    }
    if item.needs_transfer(go_live) {
        flags.push("transfer");
    }
    [
        uk_date_time(item.input.occurred_at),
        item.input.kind.label().to_string(),
        item.input
            .patient
            .nhs_number
            .map_or("none yet".into(), |n| n.to_string()),
        item.input.patient.name.clone(),
        item.input.summary(),
        staff.name(item.input.clinician),
        staff.name(item.assignee),
        item.reentry.status.label().to_string(),
        flags.join(", "),
    ]
}

/// Every field the re-entry needs, in the order the new system asks for them.
pub fn detail_fields(item: &Item, staff: &StaffDirectory) -> Vec<(String, String)> {
    let i = &item.input;
    let mut out = vec![
        (
            "NHS number".to_string(),
            i.patient
                .nhs_number
                .map(|n| n.to_string())
                .unwrap_or_default(),
        ),
        ("Patient name".to_string(), i.patient.name.clone()),
        (
            "Date of birth".to_string(),
            i.patient.date_of_birth.map(uk_date).unwrap_or_default(),
        ),
        ("When it happened".to_string(), uk_date_time(i.occurred_at)),
        (
            i.kind.clinician_rule().label.to_string(),
            staff.name(i.clinician),
        ),
    ];
    for spec in i.kind.fields() {
        let value = i
            .fields
            .get(spec.key)
            .map(|v| display_field(spec, v))
            .unwrap_or_default();
        out.push((spec.label.to_string(), value));
    }
    out.push(("Details".to_string(), i.details.clone()));
    out
}
