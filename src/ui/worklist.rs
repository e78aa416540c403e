//! After go-live: the re-entry worklist. A virtualised table over the whole log
//! (rows fetched a page at a time), filters that combine, assignment, ticking
//! off from the keyboard with undo, and a detail panel with copy buttons.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use egui::{Key, Modifiers, Ui};
use egui_extras::{Column, TableBuilder};

use crate::domain::dates::{parse_date, uk_date, uk_date_time};
use crate::domain::deadline::{Deadlines, DueBy, Urgency};
use crate::domain::item::display_field;
use crate::domain::worklist::item_number;
use crate::domain::{
    AssigneeFilter, AuditEvent, DueFilter, DueWindow, Item, ItemId, ItemKind, NewSystemFilter,
    PreviousStatus, SeenItem, Sort, SortKey, StaffDirectory, StaffId, Status, StatusChange,
    WorklistFilter,
};
use crate::store::StoreError;

use super::AppContext;
use super::focus_cycle::{self, InCycle};
use super::page_cache::{PageCache, Reader};
use super::preferences::{DEFAULT_DETAIL_SHARE, detail_share_id};
use super::today_log::events_ui;
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

/// How many items each person (or nobody) has, most first.
type Share = Vec<(Option<StaffId>, u64)>;

/// The worklist screen's state.
#[derive(Debug)]
pub struct WorklistScreen {
    pub kind: Option<ItemKind>,
    pub statuses: BTreeSet<Status>,
    pub assignee: AssigneeChoice,
    pub clinician: Option<StaffId>,
    /// Re-entered items by what the new system's reports showed.
    pub new_system: Option<NewSystemFilter>,
    pub from: String,
    pub to: String,
    pub text: String,
    /// Open items overdue or due today only.
    pub due: Option<DueFilter>,
    pub sort: Sort,
    /// Whether the person chose the sort (until then: by due-by after go-live,
    /// by date before).
    sort_chosen: bool,
    /// Each person's share of the items shown while a due filter is on, for
    /// the filter it was counted for (counted again when the log changes).
    plan_share: Option<(WorklistFilter, Share)>,
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
    /// Whether someone has been chosen in "Assign to" (until then it says so,
    /// rather than showing "Nobody" beside an item that has someone).
    assign_chosen: bool,
    /// The last value copied to the clipboard, with its field label.
    pub last_copied: Option<(String, String)>,
    cache: PageCache,
    /// Read the worklist on a thread of its own (the app); tests read inline.
    background: Background,
    scroll_to: Option<usize>,
    /// The cursor item's history as read when it was picked (or why it could not
    /// be: said once on the status line, not read again every frame).
    history: Option<(ItemId, Result<Vec<AuditEvent>, String>)>,
    /// Not needed or Problem waiting for its reason or note (N or P opened it).
    words: Option<WordsBox>,
    /// The split as last drawn: the share and the worklist's width it was laid
    /// out for, and the detail panel's width that gave.
    split: Option<Split>,
    /// The read ([`PageCache::generation`]) the selection was last checked
    /// against: a filter, search, sort or re-read that hides selected rows
    /// drops them from the selection.
    selection_checked: u64,
    /// A change to more than [`HANDFUL`] items, waiting for Enter (or Esc).
    confirm: Option<Bulk>,
    /// The columns the list's width left out when last drawn, said beside the
    /// count so nobody takes a missing column for a missing value.
    hidden_columns: Vec<&'static str>,
}

/// Up to this many items, a change applies at once; more, and it asks first.
pub const HANDFUL: usize = 5;

/// A change to many items, asked once before it is made.
#[derive(Debug, Clone)]
struct Bulk {
    action: BulkAction,
    targets: Vec<SeenItem>,
}

/// What a [`Bulk`] change does.
#[derive(Debug, Clone)]
enum BulkAction {
    Status(StatusChange),
    Assign(Option<StaffId>),
}

/// A status change that needs words before it is made: N (not needed, a reason)
/// or P (a problem, a note). It opens a box of its own; Enter applies, Esc cancels.
#[derive(Debug, Clone)]
struct WordsBox {
    change: NeedsWords,
    /// The items it will change, as this desk saw them when N or P was pressed
    /// (never whatever row the cursor index points at by the time Enter comes).
    targets: Vec<SeenItem>,
    /// What it applies to, in words, shown beside the box.
    what: String,
    text: String,
    /// Said beside the box (never before anything was tried).
    message: Option<String>,
    focus: bool,
}

/// The two status changes that need words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NeedsWords {
    NotNeeded,
    Problem,
}

impl NeedsWords {
    /// The worklist key that asks for it.
    fn key(self) -> Key {
        match self {
            NeedsWords::NotNeeded => Key::N,
            NeedsWords::Problem => Key::P,
        }
    }

    /// What it marks the items as.
    fn title(self) -> &'static str {
        match self {
            NeedsWords::NotNeeded => "Not needed",
            NeedsWords::Problem => "Problem",
        }
    }

    /// The box's label (also its accessible name).
    fn label(self) -> &'static str {
        match self {
            NeedsWords::NotNeeded => "Reason it is not needed",
            NeedsWords::Problem => "What the problem is",
        }
    }

    /// The button that applies it.
    fn button(self) -> &'static str {
        match self {
            NeedsWords::NotNeeded => "Mark not needed (Enter)",
            NeedsWords::Problem => "Mark as a problem (Enter)",
        }
    }

    /// Said beside the box when Enter comes with nothing typed.
    fn missing(self) -> &'static str {
        match self {
            NeedsWords::NotNeeded => {
                "Type the reason it is not needed, then press Enter (Esc cancels). Nothing has been changed."
            }
            NeedsWords::Problem => {
                "Type what the problem is, then press Enter (Esc cancels). Nothing has been changed."
            }
        }
    }

    fn change(self, words: &str) -> StatusChange {
        match self {
            NeedsWords::NotNeeded => StatusChange::NotNeeded {
                reason: words.to_string(),
            },
            NeedsWords::Problem => StatusChange::Problem {
                note: words.to_string(),
            },
        }
    }
}

/// What became of a status change.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Applied {
    Done,
    /// Another desk changed an item first; the list has been read again.
    ChangedElsewhere,
    /// Refused (no words, no permission, the log unavailable): why, in words.
    Refused(String),
}

/// How the worklist's width was last shared between the list and the detail panel.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Split {
    share: f32,
    width: f32,
    panel: f32,
}

impl Default for WorklistScreen {
    fn default() -> Self {
        Self {
            kind: None,
            statuses: [Status::Outstanding, Status::Problem].into_iter().collect(),
            assignee: AssigneeChoice::Anyone,
            clinician: None,
            new_system: None,
            from: String::new(),
            to: String::new(),
            text: String::new(),
            due: None,
            sort: Sort::default(),
            sort_chosen: false,
            plan_share: None,
            cursor: None,
            selected: BTreeMap::new(),
            note: String::new(),
            undo: Vec::new(),
            assign_to: None,
            assign_chosen: false,
            last_copied: None,
            cache: PageCache::default(),
            background: Background::Off,
            scroll_to: None,
            history: None,
            words: None,
            split: None,
            selection_checked: 0,
            confirm: None,
            hidden_columns: Vec::new(),
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
    /// The filter the controls describe, for the person at the desk at `now`.
    pub fn filter(&self, desk: Option<StaffId>, now: chrono::NaiveDateTime) -> WorklistFilter {
        WorklistFilter {
            kinds: self.kind.into_iter().collect(),
            statuses: self.statuses.iter().copied().collect(),
            assignee: match self.assignee {
                AssigneeChoice::Anyone => AssigneeFilter::Anyone,
                AssigneeChoice::Unassigned => AssigneeFilter::Unassigned,
                AssigneeChoice::Staff(id) => AssigneeFilter::Staff(id),
                // Nobody at the desk: "my items" is nobody's.
                AssigneeChoice::Me => {
                    desk.map_or(AssigneeFilter::NobodyAtTheDesk, AssigneeFilter::Staff)
                }
            },
            clinician: self.clinician,
            new_system: self.new_system,
            from: parse_optional_date(&self.from).ok().flatten(),
            to: parse_optional_date(&self.to).ok().flatten(),
            // "#130" or "item 130" finds that item (as the Audit screen names
            // it); anything else is searched for as text.
            text: match item_number(&self.text) {
                Some(_) => String::new(),
                None => self.text.trim().to_string(),
            },
            only: item_number(&self.text).into_iter().collect(),
            // To the minute: the rows are read again as the minute moves on.
            due: self.due.map(|which| DueWindow {
                which,
                now: crate::domain::dates::truncate_to_minute(now),
            }),
            ..WorklistFilter::default()
        }
    }

    /// Drops fetched rows so the next frame reads the store again.
    pub fn refresh(&mut self) {
        self.plan_share = None;
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

    /// Today's plan: every open item overdue or due today, soonest deadline
    /// first (the appointments to transfer before their slots lead), with each
    /// person's share shown above the list.
    pub fn show_todays_plan(&mut self) {
        // Whose plan stays as chosen: from "My items", the person's own plan.
        let assignee = self.assignee;
        self.reset_view();
        self.assignee = assignee;
        self.due = Some(DueFilter::ByToday);
        self.sort = Sort {
            key: SortKey::Due,
            descending: false,
        };
        self.sort_chosen = true;
        self.cursor = Some(0);
    }

    /// The "My items" view: what the person at the desk still has to do.
    pub fn show_my_items(&mut self) {
        // Every other filter (a plan's due filter, a search) back to the
        // defaults: "My items" is all of the person's open items.
        self.reset_view();
        self.assignee = AssigneeChoice::Me;
        self.statuses = [Status::Outstanding, Status::Problem].into_iter().collect();
        self.cursor = Some(0);
    }

    /// Filters, sort, cursor and selection back to how the worklist opens
    /// (outstanding and problem items, everyone's, in date order). The rows
    /// fetched and the reader thread are kept.
    fn reset_view(&mut self) {
        let fresh = Self::default();
        self.kind = fresh.kind;
        self.statuses = fresh.statuses;
        self.assignee = fresh.assignee;
        self.clinician = fresh.clinician;
        self.new_system = fresh.new_system;
        self.from = fresh.from;
        self.to = fresh.to;
        self.text = fresh.text;
        self.due = fresh.due;
        self.sort = fresh.sort;
        self.sort_chosen = false;
        self.plan_share = None;
        self.cursor = None;
        self.selected.clear();
        self.confirm = None;
        self.history = None;
        self.words = None;
        self.scroll_to = Some(0);
    }

    /// Forgets everything one person left on the worklist, so the next person at
    /// this desk starts clean (call it when someone signs out or another person
    /// signs in): the highlighted row and any selection, the search text and
    /// every filter and the sort (back to the defaults), a half-made change (the
    /// reference or note typed, a Not needed or Problem box still open, the
    /// "assign to" choice), the last value copied, and the undo list (Ctrl+Z
    /// would otherwise put back the previous person's changes under the next
    /// person's name). What is kept: the reader thread and its handle on the
    /// log (the rows are read again for the next person), and nothing of the
    /// split, which [`super::preferences::Preferences`] keeps per person.
    pub fn forget_person(&mut self) {
        self.reset_view();
        self.note.clear();
        self.undo.clear();
        self.assign_to = None;
        self.assign_chosen = false;
        self.last_copied = None;
        self.cache.invalidate();
    }

    pub fn ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        self.start_reader(ui, cx);
        if let Some(e) = self.cache.poll() {
            cx.status.error(format!("Could not read the worklist: {e}"));
        }
        let desk = cx.desk.map(|s| s.id);
        if !self.sort_chosen {
            // After go-live: overdue first, then due soonest, then date.
            self.sort = Sort {
                key: if cx.now >= cx.project.go_live {
                    SortKey::Due
                } else {
                    SortKey::OccurredAt
                },
                descending: false,
            };
        }
        self.cache.set_query(&self.filter(desk, cx.now), self.sort);
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
        self.keep_only_shown_selected(cx, desk);

        egui::Panel::top("worklist_filters").show(ui, |ui| self.filters_ui(ui, cx, count));
        self.detail_panel_ui(ui, cx);
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
        // The filters are a form of their own: Tab goes round them, never to
        // the top bar.
        focus_cycle::begin(ui.ctx(), false);
        self.filters_cycle_ui(ui, cx, count);
        focus_cycle::end(ui.ctx());
    }

    fn filters_cycle_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>, count: u64) {
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
            if !self.hidden_columns.is_empty() {
                ui.label(
                    egui::RichText::new(format!(
                        "Not shown at this width: {}",
                        self.hidden_columns.join(", ")
                    ))
                    .weak(),
                )
                .on_hover_text("Widen the window or drag the divider to show them");
            }
            if ui
                .button("My items")
                .on_hover_text("Outstanding and problem items assigned to whoever is at this desk")
                .in_cycle(ui)
                .clicked()
            {
                self.show_my_items();
            }
            if ui
                .button("Today's plan (Ctrl+T)")
                .on_hover_text(
                    "Every open item overdue or due today, soonest first, with each person's share",
                )
                .in_cycle(ui)
                .clicked()
            {
                // The same command as the shortcut: one way in.
                cx.commands.push(super::command::Command::TodaysPlan);
            }
            if ui.button("Show everything").in_cycle(ui).clicked() {
                // Only the view: the undo list and the reader thread stay.
                self.reset_view();
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
                .labelled_by(l.id)
                .in_cycle(ui);
            ui.separator();
            ui.label("Status");
            for s in Status::ALL {
                let mut on = self.statuses.contains(&s);
                if ui.toggle_value(&mut on, s.label()).in_cycle(ui).changed() {
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
                .labelled_by(l.id)
                .in_cycle(ui);
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
                .labelled_by(l.id)
                .in_cycle(ui);
            let l = ui.label("New system");
            let before = self.new_system;
            egui::ComboBox::from_id_salt("filter_new_system")
                .selected_text(self.new_system.map_or("Any", NewSystemFilter::label))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.new_system, None, "Any");
                    for f in NewSystemFilter::ALL {
                        ui.selectable_value(&mut self.new_system, Some(f), f.label());
                    }
                })
                .response
                .labelled_by(l.id)
                .in_cycle(ui)
                .on_hover_text("Items ticked re-entered, by what the new system's reports showed (Reconcile, F9)");
            if self.new_system != before && self.new_system.is_some() {
                // Only re-entered items have a finding: show them.
                self.statuses = [Status::ReEntered].into_iter().collect();
            }
            let l = ui.label("Due");
            egui::ComboBox::from_id_salt("filter_due")
                .selected_text(self.due.map_or("Any time", DueFilter::label))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.due, None, "Any time");
                    for f in DueFilter::ALL {
                        ui.selectable_value(&mut self.due, Some(f), f.label());
                    }
                })
                .response
                .labelled_by(l.id)
                .in_cycle(ui);
            // Each label with its box: a row that wraps never leaves a label
            // at the end of one line and its box at the start of the next.
            for (label, text, hint, width) in [
                ("From", &mut self.from, "dd/mm/yyyy", 90.0),
                ("To", &mut self.to, "dd/mm/yyyy", 90.0),
                ("Search", &mut self.text, "name, NHS number or details", 220.0),
            ] {
                ui.horizontal(|ui| {
                    let l = ui.label(label);
                    ui.add(
                        egui::TextEdit::singleline(text)
                            .hint_text(hint)
                            .desired_width(width),
                    )
                    .labelled_by(l.id)
                    .in_cycle(ui);
                });
            }
        });
        for (what, s) in [("From", &self.from), ("To", &self.to)] {
            if let Err(e) = parse_optional_date(s) {
                error_label(ui, &format!("{what}: {e}"));
            }
        }
        self.share_ui(ui, cx);
        ui.add_space(2.0);
    }

    /// While a due filter is on: each person's share of the items shown
    /// (counted once per filter and again when the log changes).
    fn share_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        if self.due.is_none() {
            return;
        }
        let filter = self.filter(cx.desk.map(|s| s.id), cx.now);
        if self.plan_share.as_ref().is_none_or(|(f, _)| *f != filter) {
            match cx.store.worklist_count_by_assignee(&filter) {
                Ok(share) => self.plan_share = Some((filter, share)),
                Err(e) => {
                    cx.status
                        .error(format!("Could not count each person's share: {e}"));
                    self.plan_share = Some((filter, Vec::new()));
                }
            }
        }
        let Some((_, share)) = &self.plan_share else {
            return;
        };
        let words: Vec<String> = share
            .iter()
            .map(|(who, n)| format!("{} {n}", name_or(cx.staff, *who, "unassigned")))
            .collect();
        ui.label(format!(
            "Each person's share: {}",
            if words.is_empty() {
                "nothing to do".to_string()
            } else {
                words.join(" · ")
            }
        ));
    }

    /// Arrow keys move, Space ticks, N/P/O set the other states, Ctrl+Z undoes.
    /// Ignored while any control has the keyboard (egui "wants" it for a
    /// focused button as for a text box): a button Tab reached keeps its own
    /// keys, so Space never acts twice; Esc (egui's own) gives the keyboard back
    /// to the list.
    fn keyboard(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>, count: u64) {
        if ui.ctx().egui_wants_keyboard_input() || egui::Popup::is_any_open(ui.ctx()) {
            return;
        }
        if self.words.is_some() && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
            self.cancel_words(cx);
            return;
        }
        if self.confirm.is_some() {
            // Asked once: Enter makes the change, Esc cancels; no other key acts
            // on the list meanwhile.
            let (enter, esc) = ui.input_mut(|i| {
                (
                    i.consume_key(Modifiers::NONE, Key::Enter),
                    i.consume_key(Modifiers::NONE, Key::Escape),
                )
            });
            if enter {
                self.confirm_bulk(cx);
            } else if esc {
                self.cancel_bulk(cx);
            }
            return;
        }
        let mut change: Option<StatusChange> = None;
        let mut words: Option<NeedsWords> = None;
        let mut undo = false;
        let note = self.note.clone();
        let mut moved: Option<(i64, bool)> = None;
        let mut typed_after = String::new();
        ui.input_mut(|i| {
            let arrived = i.events.clone();
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
                words = Some(NeedsWords::NotNeeded);
            } else if i.consume_key(Modifiers::NONE, Key::P) {
                words = Some(NeedsWords::Problem);
            } else if i.consume_key(Modifiers::NONE, Key::O) {
                change = Some(StatusChange::Reopen);
            }
            if let Some(w) = words {
                // A fast typist's first letters of the reason, typed after N or P
                // in this same frame, go into the box rather than nowhere.
                typed_after = text_typed_after(&arrived, w.key());
                i.events.retain(|e| !matches!(e, egui::Event::Text(_)));
            }
        });
        if let Some((step, extend)) = moved {
            self.move_cursor(cx, count, step, extend);
        }
        if let Some(c) = change {
            self.apply(cx, &c);
        }
        if let Some(w) = words {
            self.ask_words(cx, w);
            if let Some(open) = self.words.as_mut() {
                open.text.push_str(&typed_after);
            }
        }
        if undo {
            self.undo_last(cx);
        }
    }

    /// Drops from the selection every item the list no longer shows (a filter,
    /// search or re-read hid it), once per read: an action applies only to rows
    /// the person can see. A change waiting to be confirmed that named a hidden
    /// item is cancelled, and says so.
    fn keep_only_shown_selected(&mut self, cx: &mut AppContext<'_>, desk: Option<StaffId>) {
        let generation = self.cache.generation();
        if self.selection_checked == generation {
            return;
        }
        self.selection_checked = generation;
        if self.selected.is_empty() {
            return;
        }
        let shown_filter = self.filter(desk, cx.now);
        let filter = WorklistFilter {
            only: self
                .selected
                .keys()
                .copied()
                .filter(|id| shown_filter.only.is_empty() || shown_filter.only.contains(id))
                .collect(),
            ..shown_filter
        };
        let shown = if filter.only.is_empty() {
            // None of the selection can be among what the list shows.
            Ok(Vec::new())
        } else {
            cx.store
                .worklist_page(&filter, self.sort, 0, self.selected.len() as u64)
        };
        let shown: BTreeSet<ItemId> = match shown {
            Ok(items) => items.into_iter().map(|i| i.id).collect(),
            Err(e) => {
                // Unsure what is shown: pick nothing rather than something hidden.
                cx.status.error(format!(
                    "Could not check the selection against the list, so it was cleared: {e}"
                ));
                BTreeSet::new()
            }
        };
        let before = self.selected.len();
        self.selected.retain(|id, _| shown.contains(id));
        let hidden = before - self.selected.len();
        if hidden == 0 {
            return;
        }
        if let Some(bulk) = &self.confirm
            && bulk.targets.iter().any(|t| !shown.contains(&t.id))
        {
            self.confirm = None;
            cx.status.info(format!(
                "{hidden} selected item(s) are no longer in the list, so the change waiting to be confirmed was cancelled: nothing was changed."
            ));
        }
        if let Some(open) = &self.words
            && open.targets.iter().any(|t| !shown.contains(&t.id))
        {
            self.words = None;
        }
    }

    /// N or P: opens the box for the reason (or the note) on the items picked now,
    /// focused and without a message; nothing changes until Enter.
    fn ask_words(&mut self, cx: &mut AppContext<'_>, change: NeedsWords) {
        let targets = self.targets(cx);
        if targets.is_empty() {
            cx.status
                .error("Pick an item first (click a row, or use the arrow keys).");
            return;
        }
        let what = match (targets.len(), self.cursor_item(cx)) {
            (1, Some(item)) if item.id == targets[0].id => format!(
                "{}, {}, {}",
                item.input.kind.label(),
                item.input.patient.name,
                uk_date_time(item.input.occurred_at)
            ),
            (1, _) => "1 selected item".to_string(),
            (n, _) => format!("{n} selected items"),
        };
        // Anything already typed in the note box is the first draft of the reason.
        let text = match &self.words {
            Some(open) => open.text.clone(),
            None => self.note.trim().to_string(),
        };
        self.words = Some(WordsBox {
            change,
            targets,
            what,
            text,
            message: None,
            focus: true,
        });
    }

    /// Enter in the reason box: applies it, or says what is missing (nothing saved).
    fn submit_words(&mut self, cx: &mut AppContext<'_>) {
        let Some(open) = self.words.as_mut() else {
            return;
        };
        let change = open.change.change(open.text.trim());
        if let Err(errors) = change.validate() {
            open.message = Some(if open.text.trim().is_empty() {
                open.change.missing().to_string()
            } else {
                format!(
                    "Not changed: {}",
                    crate::domain::validation::describe(&errors)
                )
            });
            open.focus = true;
            return;
        }
        let targets = open.targets.clone();
        match self.apply_to(cx, &targets, &change) {
            Applied::Done | Applied::ChangedElsewhere => self.words = None,
            Applied::Refused(why) => {
                // Kept open with what was typed, and why, beside it.
                if let Some(open) = self.words.as_mut() {
                    open.message = Some(why);
                    open.focus = true;
                }
            }
        }
    }

    /// Esc: closes the reason box; nothing is changed.
    fn cancel_words(&mut self, cx: &mut AppContext<'_>) {
        if self.words.take().is_some() {
            cx.status.info("Cancelled: nothing was changed.");
        }
    }

    fn move_cursor(&mut self, cx: &mut AppContext<'_>, count: u64, step: i64, extend: bool) {
        if count == 0 {
            return;
        }
        let here = self.cursor.map_or(-1, |c| c as i64);
        let next = (here + step).clamp(0, count as i64 - 1) as u64;
        if extend {
            // Every row from here to there (Shift+PgDn picks the whole page
            // moved over, not only its end rows).
            let first = here.max(0) as u64;
            let (low, high) = (first.min(next), first.max(next));
            for index in low..=high {
                match self.cache.row_now(&*cx.store, index) {
                    Ok(Some(item)) => {
                        self.selected.insert(item.id, item.version);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        cx.status.error(format!("Could not read the item: {e}"));
                        break;
                    }
                }
            }
        } else {
            self.selected.clear();
        }
        self.cursor = Some(next);
        self.confirm = None;
        self.scroll_to = Some(next as usize);
        self.history = None;
        // A reason box still open belonged to the item left behind.
        self.words = None;
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
            Err(e) => format!(" (Where it stands now could not be read: {e}.)"),
        };
        cx.status.error(format!(
            "{refused}{now} Nothing was changed; the list now shows it as it is."
        ));
        self.selected.clear();
        self.history = None;
        self.cache.invalidate();
    }

    /// Changes the re-entry status of the target items, remembering the old ones
    /// for undo; more than [`HANDFUL`] are asked about first (Enter confirms).
    pub fn apply(&mut self, cx: &mut AppContext<'_>, change: &StatusChange) {
        let targets = self.targets(cx);
        if targets.is_empty() {
            cx.status
                .error("Pick an item first (click a row, or use the arrow keys).");
            return;
        }
        if targets.len() > HANDFUL {
            self.confirm = Some(Bulk {
                action: BulkAction::Status(change.clone()),
                targets,
            });
            return;
        }
        self.apply_to(cx, &targets, change);
    }

    /// Enter on a change waiting to be confirmed: makes it.
    fn confirm_bulk(&mut self, cx: &mut AppContext<'_>) {
        let Some(bulk) = self.confirm.take() else {
            return;
        };
        match bulk.action {
            BulkAction::Status(change) => {
                self.apply_to(cx, &bulk.targets, &change);
            }
            BulkAction::Assign(to) => {
                let ids: Vec<ItemId> = bulk.targets.iter().map(|t| t.id).collect();
                self.assign_ids(cx, &ids, to);
            }
        }
    }

    /// Esc on a change waiting to be confirmed: nothing changes.
    fn cancel_bulk(&mut self, cx: &mut AppContext<'_>) {
        if self.confirm.take().is_some() {
            cx.status.info("Cancelled: nothing was changed.");
        }
    }

    /// Changes the re-entry status of `targets` (as this desk saw them).
    fn apply_to(
        &mut self,
        cx: &mut AppContext<'_>,
        targets: &[SeenItem],
        change: &StatusChange,
    ) -> Applied {
        if let Err(errors) = change.validate() {
            let why = format!(
                "Not changed: {}",
                crate::domain::validation::describe(&errors)
            );
            cx.status.error(why.clone());
            return Applied::Refused(why);
        }
        let Some(actor) = cx.actor() else {
            return Applied::Refused("Nobody is signed in at this desk.".to_string());
        };
        match cx.store.set_status(targets, change, &actor) {
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
                // Whatever was waiting for words has been overtaken by this change.
                self.words = None;
                self.cache.invalidate();
                Applied::Done
            }
            Err(StoreError::ChangedElsewhere(id)) => {
                let refused = format!(
                    "Not changed: item {id} was changed at another desk since your list showed it."
                );
                self.changed_elsewhere(cx, &refused, ItemId(id));
                Applied::ChangedElsewhere
            }
            Err(e) => {
                let why = format!("Not changed: {e}");
                cx.status.error(why.clone());
                Applied::Refused(why)
            }
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
                let ids: Vec<ItemId> = previous.iter().map(|p| p.id).collect();
                self.own_change_made(&ids);
                self.words = None;
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

    /// This desk has just made one more change to each of `ids` (an assignment,
    /// an undo): what the selection and an open reason box name moves on with it,
    /// by the domain's rule ([`SeenItem::after_own_change`]), so the desk's next
    /// change is not refused for its own, and still is for another desk's.
    fn own_change_made(&mut self, ids: &[ItemId]) {
        for (&id, version) in self.selected.iter_mut().filter(|(id, _)| ids.contains(id)) {
            *version = SeenItem {
                id,
                version: *version,
            }
            .after_own_change()
            .version;
        }
        if let Some(open) = self.words.as_mut() {
            for seen in open.targets.iter_mut().filter(|s| ids.contains(&s.id)) {
                *seen = seen.after_own_change();
            }
        }
    }

    fn assign(&mut self, cx: &mut AppContext<'_>) {
        let targets = self.targets(cx);
        if targets.is_empty() {
            cx.status.error("Pick the items to assign first.");
            return;
        }
        let to = self.assign_to;
        if targets.len() > HANDFUL {
            self.confirm = Some(Bulk {
                action: BulkAction::Assign(to),
                targets,
            });
            return;
        }
        let ids: Vec<ItemId> = targets.iter().map(|t| t.id).collect();
        self.assign_ids(cx, &ids, to);
    }

    fn assign_ids(&mut self, cx: &mut AppContext<'_>, ids: &[ItemId], to: Option<StaffId>) {
        let Some(actor) = cx.actor() else { return };
        match cx.store.assign(ids, to, &actor) {
            Ok(()) => {
                let who = to.map_or("nobody (unassigned)".to_string(), |id| {
                    cx.staff.name(Some(id))
                });
                cx.status
                    .info(format!("Assigned {} item(s) to {who}.", ids.len()));
                // The selection, and a Not needed or Problem box still open on
                // them, still name what this desk sees: a tick that follows is
                // not refused.
                self.own_change_made(ids);
                // Not left armed: a stray click on Assign would move whatever is
                // selected next. Someone is chosen again for the next assignment.
                self.assign_chosen = false;
                self.assign_to = None;
                self.cache.invalidate();
            }
            Err(e) => cx.status.error(format!("Not assigned: {e}")),
        }
    }

    /// A change to many items, asked once: what it does and to how many; Enter
    /// (or the button) makes it, Esc (or Cancel) does not.
    fn confirm_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        let Some(bulk) = &self.confirm else { return };
        let n = bulk.targets.len();
        let what = match &bulk.action {
            BulkAction::Status(StatusChange::ReEntered { .. }) => {
                format!("Mark {n} selected items re-entered?")
            }
            BulkAction::Status(StatusChange::Reopen) => {
                format!("Reopen {n} selected items (back to outstanding)?")
            }
            BulkAction::Status(StatusChange::NotNeeded { .. }) => {
                format!("Mark {n} selected items not needed?")
            }
            BulkAction::Status(StatusChange::Problem { .. }) => {
                format!("Mark {n} selected items a problem?")
            }
            BulkAction::Assign(to) => format!(
                "Assign {n} selected items to {}?",
                to.map_or("nobody (unassigned)".to_string(), |id| cx
                    .staff
                    .name(Some(id)))
            ),
        };
        let (mut yes, mut no) = (false, false);
        ui.horizontal_wrapped(|ui| {
            ui.label(
                egui::RichText::new(what)
                    .strong()
                    .color(super::theme::warning_color(ui)),
            );
            yes = ui
                .button(format!("Yes, all {n} (Enter)"))
                .in_cycle(ui)
                .clicked();
            no = ui.button("Cancel (Esc)").in_cycle(ui).clicked();
        });
        if yes {
            self.confirm_bulk(cx);
        } else if no {
            self.cancel_bulk(cx);
        }
    }

    /// The Not needed / Problem box, while one is open: its words, Enter to
    /// apply, Esc to cancel, and what is missing said beside it.
    fn words_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        let Some(open) = self.words.as_mut() else {
            return;
        };
        let mut submit = false;
        let mut cancel = false;
        ui.horizontal_wrapped(|ui| {
            ui.strong(format!("{}: {}.", open.change.title(), open.what));
            let l = ui.label(open.change.label());
            let r = super::widgets::text_edit_focused_first(
                ui,
                egui::TextEdit::singleline(&mut open.text)
                    .hint_text("Enter applies, Esc cancels")
                    .desired_width(280.0),
                "worklist_words",
                &mut open.focus,
            )
            .labelled_by(l.id);
            if r.lost_focus() {
                // A one-line box gives up the keyboard on Enter and on Esc.
                ui.input(|i| {
                    submit = i.key_pressed(Key::Enter);
                    cancel = i.key_pressed(Key::Escape);
                });
            }
            if ui.button(open.change.button()).in_cycle(ui).clicked() {
                submit = true;
            }
            if ui.button("Cancel (Esc)").in_cycle(ui).clicked() {
                cancel = true;
            }
            if let Some(m) = &open.message {
                error_label(ui, m);
            }
        });
        if cancel {
            self.cancel_words(cx);
        } else if submit {
            self.submit_words(cx);
        }
    }

    fn actions_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        // The worklist's main form: Tab from the list enters it at the
        // Reference box and goes round these controls, never the top bar.
        focus_cycle::begin(ui.ctx(), true);
        self.actions_cycle_ui(ui, cx);
        focus_cycle::end(ui.ctx());
    }

    fn actions_cycle_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        ui.add_space(4.0);
        self.words_ui(ui, cx);
        self.confirm_ui(ui, cx);
        ui.horizontal_wrapped(|ui| {
            let picked = if self.selected.is_empty() {
                "the highlighted item".to_string()
            } else {
                format!("{} selected items", self.selected.len())
            };
            ui.label(format!("Apply to {picked}:"))
                .on_hover_text(KEYS_LINE);
            let reference = ui
                .horizontal(|ui| {
                    let l = ui.label("Reference, reason or note");
                    ui.add(
                        egui::TextEdit::singleline(&mut self.note)
                            .hint_text("reference in the new system; Enter ticks it re-entered")
                            .desired_width(260.0),
                    )
                    .labelled_by(l.id)
                    .in_cycle(ui)
                })
                .inner;
            // Enter in the box ticks the items re-entered with the reference.
            let enter = reference.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            let note = self.note.clone();
            if ui.button("Re-entered (Space)").in_cycle(ui).clicked() || enter {
                self.apply(cx, &StatusChange::ReEntered { note: note.clone() });
            }
            if ui.button("Not needed (N)").in_cycle(ui).clicked() {
                self.ask_words(cx, NeedsWords::NotNeeded);
            }
            if ui.button("Problem (P)").in_cycle(ui).clicked() {
                self.ask_words(cx, NeedsWords::Problem);
            }
            if ui.button("Reopen (O)").in_cycle(ui).clicked() {
                self.apply(cx, &StatusChange::Reopen);
            }
            if ui
                .add_enabled(!self.undo.is_empty(), egui::Button::new("Undo (Ctrl+Z)"))
                .in_cycle(ui)
                .clicked()
            {
                self.undo_last(cx);
            }
        });
        ui.horizontal(|ui| {
            let l = ui.label("Assign to");
            let shown = if self.assign_chosen {
                self.assign_to
                    .map_or("Nobody (unassigned)".to_string(), |id| {
                        cx.staff.name(Some(id))
                    })
            } else {
                "Choose a person".to_string()
            };
            let mut chosen = false;
            egui::ComboBox::from_id_salt("assign_to")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    chosen |= ui
                        .selectable_value(&mut self.assign_to, None, "Nobody (unassigned)")
                        .clicked();
                    for s in cx.staff.active() {
                        chosen |= ui
                            .selectable_value(&mut self.assign_to, Some(s.id), &s.name)
                            .clicked();
                    }
                })
                .response
                .labelled_by(l.id)
                .in_cycle(ui);
            self.assign_chosen |= chosen;
            if ui
                .add_enabled(self.assign_chosen, egui::Button::new("Assign"))
                .in_cycle(ui)
                .clicked()
            {
                self.assign(cx);
            }
        });
        // The keys, where there is room for them: on a short window (1280 x 720 or
        // 1366 x 768 at 125 % text) their two lines are worth two more rows of the
        // list; the help sheet (F1) has them too.
        if ui.ctx().content_rect().height() >= KEYS_LINE_MIN_HEIGHT {
            ui.add(egui::Label::new(egui::RichText::new(KEYS_LINE).weak()).wrap());
        }
        ui.add_space(2.0);
    }

    fn table_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>, count: u64) {
        let mut clicked: Option<(u64, SeenItem, Modifiers)> = None;
        let mut sort_by: Option<SortKey> = None;
        let mut error: Option<String> = None;
        let marks = RowMarks {
            deadlines: cx.deadlines,
            extract_at: cx.project.cutover_start,
            now: cx.now,
            old_system_last_day: cx.old_system_last_day,
        };
        let store = &*cx.store;
        let staff = cx.staff;
        let cache = &mut self.cache;
        let cursor = self.cursor;
        let selected = &self.selected;
        let sort = self.sort;
        ui.style_mut().interaction.selectable_labels = false;
        // The columns that fit, each as wide as it can be: Status, Assigned to and
        // the patient always; the others as the width allows.
        let table_width =
            ui.available_rect_before_wrap().width() - ui.spacing().scroll.allocated_width();
        let plan = fit_columns(table_width, ui.spacing().item_spacing.x);
        let hidden: Vec<&'static str> = COLUMNS
            .iter()
            .enumerate()
            .filter(|(c, _)| !plan.iter().any(|(shown, _)| shown == c))
            .map(|(_, spec)| spec.title)
            .collect();
        if hidden != self.hidden_columns {
            // Said above the list, which is drawn first: once more.
            self.hidden_columns = hidden;
            ui.ctx().request_repaint();
        }
        let mut table = TableBuilder::new(ui)
            .striped(true)
            .sense(egui::Sense::click());
        for &(_, w) in &plan {
            table = table.column(Column::exact(w).clip(true));
        }
        if let Some(r) = self.scroll_to.take() {
            table = table.scroll_to_row(r, None);
        }
        table
            .header(24.0, |mut h| {
                for &(c, _) in &plan {
                    let ColumnSpec {
                        title, sort: key, ..
                    } = COLUMNS[c];
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
                    let cells = row_cells(&item, staff, &marks);
                    for &(c, _) in &plan {
                        row.col(|ui| {
                            let cell = &cells[c];
                            let label = ui.label(cell);
                            // Cut short by the column ("due today, late l…"):
                            // the whole of it on hover.
                            let font = egui::TextStyle::Body.resolve(ui.style());
                            let wide = ui.fonts_mut(|f| {
                                f.layout_no_wrap(cell.clone(), font, egui::Color32::PLACEHOLDER)
                                    .size()
                                    .x
                            });
                            if wide > ui.max_rect().width() {
                                label.on_hover_text(cell);
                            }
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
            self.sort_chosen = true;
            self.cursor = None;
            self.words = None;
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
            self.words = None;
        }
    }

    /// The detail panel on the right, sharing the width with the list: a divider
    /// each person can drag, their share remembered (see
    /// [`super::preferences::Display::detail_share`]).
    fn detail_panel_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        let width = ui.available_width();
        let ctx = ui.ctx().clone();
        let share = ctx
            .data(|d| d.get_temp::<f32>(detail_share_id()))
            .unwrap_or(DEFAULT_DETAIL_SHARE);
        let range = split_range(width);
        let wanted = (share * width).clamp(range.min, range.max);
        // Laid out afresh when the person (so their share) or the window or text
        // size changed; otherwise the panel keeps what the divider says.
        let relayout = self
            .split
            .is_none_or(|s| (s.share - share).abs() > 1e-4 || (s.width - width).abs() > 0.5);
        let mut panel = egui::Panel::right("item_detail")
            .resizable(true)
            .size_range(range);
        if relayout {
            panel = panel.exact_size(wanted);
        }
        let got = panel
            .show(ui, |ui| self.detail_ui(ui, cx))
            .response
            .rect
            .width();
        // Only the divider moved by hand (a drag, or a screen reader or keyboard
        // through AccessKit) is the person's choice, never a change of content.
        let by_hand = ui.input(|i| {
            i.pointer.any_down()
                || i.pointer.any_released()
                || i.events
                    .iter()
                    .any(|e| matches!(e, egui::Event::AccessKitActionRequest(_)))
        });
        let mut kept = share;
        if let Some(before) = self.split
            && !relayout
            && by_hand
            && (got - before.panel).abs() > 0.5
            && width > 0.0
        {
            // The person moved the divider: their share from now on.
            kept = (got / width).clamp(0.0, 1.0);
            ctx.data_mut(|d| d.insert_temp(detail_share_id(), kept));
        }
        self.split = Some(Split {
            share: kept,
            width,
            panel: got,
        });
    }

    fn detail_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        // The panel is as wide as the divider says, whatever is in it.
        ui.set_min_width(ui.available_width());
        // Drawn from the rows on screen (never a query on this frame); actions
        // still read the cursor's item fresh.
        let shown = match self.cursor.map(|c| self.cache.row(&*cx.store, c)) {
            Some(Ok(item)) => item.cloned(),
            Some(Err(e)) => {
                cx.status.error(format!("Could not read the item: {e}"));
                None
            }
            None => None,
        };
        let Some(item) = shown else {
            ui.add_space(8.0);
            ui.label(
                "Pick an item to see everything to re-enter, with a copy button for each field.",
            );
            return;
        };
        // Always in view, above what scrolls: what it is, where it stands, whose it is.
        ui.heading(format!("{} (item {})", item.input.kind.label(), item.id.0));
        // An item still to do says by when, on the same line (no line more above
        // the fields on a small screen).
        let due = cx.deadlines.due_by(&item.input);
        let by_when = if item.still_to_do() {
            let flag = due_flag(&item, due, cx.now).map_or(String::new(), |f| format!(", {f}"));
            format!(" - due by {}{flag}", due.words())
        } else {
            String::new()
        };
        ui.add(
            egui::Label::new(format!("Status: {}{by_when}", status_line(&item, cx.staff))).wrap(),
        );
        ui.add(
            egui::Label::new(format!(
                "Assigned to: {}",
                name_or(cx.staff, item.assignee, "nobody yet")
            ))
            .wrap(),
        );
        if item.logged_outside_window() {
            ui.add(egui::Label::new(egui::RichText::new("Logged outside the cutover window: check it was not already in the extract.").color(super::theme::warning_color(ui))).wrap());
        } else if cx.project.before_extract(item.input.occurred_at) {
            ui.add(egui::Label::new(egui::RichText::new("Happened before the final extract: check it is not in the new system already.").color(super::theme::warning_color(ui))).wrap());
        }
        // Still to book, and its slot still ahead (a booking re-entered, or a
        // slot passed, needs nothing more).
        if item.still_to_do() && item.needs_transfer(cx.project.go_live.max(cx.now)) {
            ui.add(
                egui::Label::new(
                    egui::RichText::new("Future appointment: book it in the new system.")
                        .color(super::theme::warning_color(ui)),
                )
                .wrap(),
            );
        }
        ui.separator();
        egui::ScrollArea::vertical()
            // Each item (and each person) starts at the top of its details.
            .id_salt(("worklist_detail", item.id.0, cx.desk.map(|d| d.id.0)))
            .auto_shrink([false, false])
            .show(ui, |ui| {
                // The scroll bar floats over the right edge: keep the Copy buttons clear of it.
                let bar =
                    ui.spacing().scroll.bar_width + ui.spacing().scroll.bar_outer_margin + 2.0;
                ui.set_max_width((ui.available_width() - bar).max(0.0));
                let mut copy: Option<(String, String)> = None;
                // Three columns: the field's name, its value (wrapped), its Copy
                // button at the right edge; never wider than the panel.
                let name_width = (ui.available_width() * 0.34).clamp(80.0, 160.0);
                let row_height = ui.spacing().interact_size.y;
                for field in detail_fields(&item, cx.staff) {
                    ui.horizontal_top(|ui| {
                        ui.allocate_ui_with_layout(
                            egui::vec2(name_width, row_height),
                            egui::Layout::top_down(egui::Align::Min),
                            |ui| {
                                ui.set_width(name_width);
                                ui.add(
                                    egui::Label::new(egui::RichText::new(&field.label).strong())
                                        .wrap(),
                                );
                            },
                        );
                        ui.with_layout(egui::Layout::right_to_left(egui::Align::Min), |ui| {
                            if !field.copy.is_empty()
                                && ui
                                    .small_button("Copy")
                                    .on_hover_text(format!("Copy {}", field.label))
                                    .accessible_name(format!("Copy {}", field.label))
                                    .clicked()
                            {
                                copy = Some((field.label.clone(), field.copy.clone()));
                            }
                            ui.with_layout(egui::Layout::left_to_right(egui::Align::Min), |ui| {
                                ui.add(egui::Label::new(&field.shown).wrap());
                            });
                        });
                    });
                }
                ui.add_space(4.0);
                let details = ui.horizontal(|ui| {
                    let l = ui.strong("Details");
                    if !item.input.details.is_empty()
                        && ui
                            .small_button("Copy")
                            .on_hover_text("Copy Details")
                            .accessible_name("Copy Details")
                            .clicked()
                    {
                        copy = Some(("Details".to_string(), item.input.details.clone()));
                    }
                    l.id
                });
                // Read-only, the panel's full width: long details wrap and can be selected.
                let mut text = item.input.details.as_str();
                ui.add(
                    egui::TextEdit::multiline(&mut text)
                        .desired_width(f32::INFINITY)
                        .desired_rows(3),
                )
                .labelled_by(details.inner);
                if let Some((label, value)) = copy {
                    ui.ctx().copy_text(value.clone());
                    cx.status.info(format!(
                        "Copied {label} - paste it into {}.",
                        cx.project.new_system.label()
                    ));
                    self.last_copied = Some((label, value));
                }
                ui.separator();
                ui.label(format!(
                    "Logged by {} at {}",
                    cx.staff.name(Some(item.logged_by)),
                    uk_date_time(item.logged_at)
                ));
                ui.separator();
                if self.history.as_ref().is_none_or(|(id, _)| *id != item.id) {
                    let read = cx
                        .store
                        .history(crate::domain::AuditEntity::Item, item.id.0)
                        .map_err(|e| {
                            let why = format!("Could not read the history: {e}");
                            cx.status.error(why.clone());
                            why
                        });
                    self.history = Some((item.id, read));
                }
                ui.strong("History");
                match &self.history {
                    Some((_, Ok(events))) => events_ui(ui, events, cx.staff),
                    Some((_, Err(why))) => error_label(ui, why),
                    None => {}
                }
            });
    }
}

/// The worklist's keys, in words: under the actions on a tall enough window,
/// and on hovering "Apply to…".
const KEYS_LINE: &str = "Keys: arrows move, Shift+arrows select, Space re-entered, N not needed and P problem (type why, then Enter; Esc cancels), O reopen, Ctrl+Z undo.";
/// The window height (in points, so larger text counts) from which the keys line is shown.
const KEYS_LINE_MIN_HEIGHT: f32 = 700.0;
/// Least width of the detail panel, and of the list beside it.
const DETAIL_MIN: f32 = 280.0;
const LIST_MIN: f32 = 420.0;

/// How far the divider may go on a worklist `width` points wide: the detail
/// panel at least [`DETAIL_MIN`], the list at least [`LIST_MIN`] (as far as
/// the width allows both).
fn split_range(width: f32) -> egui::Rangef {
    let min = DETAIL_MIN.min(width * 0.5).max(0.0);
    let max = (width - LIST_MIN).max(min);
    egui::Rangef::new(min, max)
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

/// The text typed after `key` was pressed, from one frame's `events`, without
/// the key's own letter (N's "n"): what a fast typist meant for the box that key
/// opens.
fn text_typed_after(events: &[egui::Event], key: Key) -> String {
    let Some(at) = events
        .iter()
        .position(|e| matches!(e, egui::Event::Key { key: k, pressed: true, .. } if *k == key))
    else {
        return String::new();
    };
    let own = key.symbol_or_name();
    let mut typed = String::new();
    let mut own_seen = false;
    for e in &events[at + 1..] {
        if let egui::Event::Text(t) = e {
            if !own_seen && t.eq_ignore_ascii_case(own) {
                own_seen = true;
            } else {
                own_seen = true;
                typed.push_str(t);
            }
        }
    }
    typed
}

/// One column of the worklist table.
#[derive(Debug, Clone, Copy)]
struct ColumnSpec {
    title: &'static str,
    sort: Option<SortKey>,
    /// Narrower than this, it is left out rather than cut (an NHS number or a
    /// status cut short could be misread).
    min: f32,
    /// As wide as it needs; Details takes whatever is left over.
    preferred: f32,
    /// Left out when the width runs short: the lowest first; 0 never.
    drop_rank: u8,
}

/// The worklist's columns in order. Status, Assigned to and the patient are
/// never left out; Clinician goes first, then Details, NHS number, Kind, When,
/// Flag and Due (all also in the detail panel).
const COLUMNS: [ColumnSpec; 10] = [
    ColumnSpec {
        title: "When",
        sort: Some(SortKey::OccurredAt),
        min: 108.0,
        preferred: 108.0,
        drop_rank: 5,
    },
    ColumnSpec {
        title: "Due",
        sort: Some(SortKey::Due),
        min: 108.0,
        preferred: 108.0,
        drop_rank: 7,
    },
    ColumnSpec {
        title: "Kind",
        sort: Some(SortKey::Kind),
        min: 80.0,
        preferred: 104.0,
        drop_rank: 4,
    },
    ColumnSpec {
        title: "NHS number",
        sort: Some(SortKey::NhsNumber),
        min: 92.0,
        preferred: 92.0,
        drop_rank: 3,
    },
    ColumnSpec {
        title: "Patient",
        sort: Some(SortKey::PatientName),
        min: 100.0,
        preferred: 130.0,
        drop_rank: 0,
    },
    ColumnSpec {
        title: "Details",
        sort: None,
        min: 100.0,
        preferred: 100.0,
        drop_rank: 2,
    },
    ColumnSpec {
        title: "Clinician",
        sort: Some(SortKey::Clinician),
        min: 80.0,
        preferred: 105.0,
        drop_rank: 1,
    },
    ColumnSpec {
        title: "Assigned to",
        sort: Some(SortKey::Assignee),
        min: 100.0,
        preferred: 105.0,
        drop_rank: 0,
    },
    ColumnSpec {
        title: "Status",
        sort: Some(SortKey::Status),
        min: 86.0,
        preferred: 86.0,
        drop_rank: 0,
    },
    ColumnSpec {
        title: "Flag",
        sort: None,
        min: 72.0,
        preferred: 130.0,
        drop_rank: 6,
    },
];

/// Where the width left over goes: Details, or the patient's name without it.
const DETAILS: usize = 5;
const PATIENT: usize = 4;

/// The columns that fit a table `width` points wide (with `spacing` between
/// columns) and the width of each, as (index into [`COLUMNS`], width), in order.
fn fit_columns(width: f32, spacing: f32) -> Vec<(usize, f32)> {
    let mut kept: Vec<usize> = (0..COLUMNS.len()).collect();
    let needed = |kept: &[usize], each: fn(&ColumnSpec) -> f32| -> f32 {
        kept.iter().map(|&c| each(&COLUMNS[c])).sum::<f32>()
            + spacing * kept.len().saturating_sub(1) as f32
    };
    let mut ranks: Vec<u8> = COLUMNS
        .iter()
        .map(|c| c.drop_rank)
        .filter(|r| *r > 0)
        .collect();
    ranks.sort_unstable();
    for rank in ranks {
        if needed(&kept, |c| c.min) <= width {
            break;
        }
        kept.retain(|&c| COLUMNS[c].drop_rank != rank);
    }
    let mut widths: Vec<f32> = kept.iter().map(|&c| COLUMNS[c].min).collect();
    // Up to each one's preferred width, most important first...
    let mut spare = (width - needed(&kept, |c| c.min)).max(0.0);
    let mut by_importance: Vec<usize> = (0..kept.len()).collect();
    by_importance.sort_by_key(|&i| match COLUMNS[kept[i]].drop_rank {
        0 => std::cmp::Reverse(u8::MAX),
        r => std::cmp::Reverse(r),
    });
    for i in by_importance {
        let grow = (COLUMNS[kept[i]].preferred - widths[i]).min(spare);
        widths[i] += grow;
        spare -= grow;
    }
    // ...then the rest to Details (or the patient's name).
    let flexible = kept
        .iter()
        .position(|&c| c == DETAILS)
        .or_else(|| kept.iter().position(|&c| c == PATIENT));
    if let Some(i) = flexible {
        widths[i] += spare;
    }
    kept.into_iter().zip(widths).collect()
}

/// What a row's Due and Flag cells are worked out from.
struct RowMarks {
    deadlines: Deadlines,
    /// When the final extract was made (the project's cutover start).
    extract_at: chrono::NaiveDateTime,
    now: chrono::NaiveDateTime,
    old_system_last_day: Option<NaiveDate>,
}

/// "OVERDUE" or "due today" for an item still to do (nothing once done or voided).
fn due_flag(item: &Item, due: DueBy, now: chrono::NaiveDateTime) -> Option<&'static str> {
    if !item.still_to_do() {
        return None;
    }
    match due.urgency(now) {
        Urgency::Overdue => Some("OVERDUE"),
        Urgency::DueToday => Some("due today"),
        Urgency::Later => None,
    }
}

/// One worklist row's cells, in column order.
fn row_cells(item: &Item, staff: &StaffDirectory, marks: &RowMarks) -> [String; 10] {
    let due = marks.deadlines.due_by(&item.input);
    let mut flags: Vec<&str> = due_flag(item, due, marks.now).into_iter().collect();
    if item.still_to_do()
        && marks
            .old_system_last_day
            .is_some_and(|last| marks.now.date() > last)
    {
        flags.push("no longer checkable");
    }
    if item.logged_outside_window() {
        flags.push("late log");
    }
    if crate::domain::project::before_extract(item.input.occurred_at, marks.extract_at) {
        flags.push("before extract");
    }
    if item.needs_transfer(marks.deadlines.go_live) {
        flags.push("transfer");
    }
    [
        uk_date_time(item.input.occurred_at),
        due.words(),
        item.input.kind.label().to_string(),
        item.input.patient.nhs_number_words(),
        item.input.patient.name.clone(),
        item.input.summary(),
        staff.name(item.input.clinician),
        staff.name(item.assignee),
        item.reentry.status.label().to_string(),
        flags.join(", "),
    ]
}

/// One field of the detail panel: what is shown, and what its Copy button puts
/// on the clipboard (what the new system's box takes: an NHS number as its 10
/// digits, without the spaces it is shown with).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailField {
    pub label: String,
    pub shown: String,
    pub copy: String,
}

impl DetailField {
    fn same(label: impl Into<String>, value: String) -> Self {
        Self {
            label: label.into(),
            copy: value.clone(),
            shown: value,
        }
    }
}

/// Every field the re-entry needs, in the order the new system asks for them
/// (the free-text Details, which comes last, is shown in a box of its own).
pub fn detail_fields(item: &Item, staff: &StaffDirectory) -> Vec<DetailField> {
    let i = &item.input;
    let nhs = i.patient.nhs_number;
    let mut out = vec![
        DetailField {
            label: "NHS number".to_string(),
            shown: nhs.map(|n| n.to_string()).unwrap_or_default(),
            copy: nhs.map(|n| n.digits()).unwrap_or_default(),
        },
        DetailField::same("Patient name", i.patient.name.clone()),
        DetailField::same(
            "Date of birth",
            i.patient.date_of_birth.map(uk_date).unwrap_or_default(),
        ),
        DetailField::same("When it happened", uk_date_time(i.occurred_at)),
        DetailField::same(i.kind.clinician_rule().label, staff.name(i.clinician)),
    ];
    for spec in i.kind.fields() {
        let value = i
            .fields
            .get(spec.key)
            .map(|v| display_field(spec, v))
            .unwrap_or_default();
        out.push(DetailField::same(spec.label, value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(plan: &[(usize, f32)]) -> Vec<&'static str> {
        plan.iter().map(|&(c, _)| COLUMNS[c].title).collect()
    }

    fn total(plan: &[(usize, f32)], spacing: f32) -> f32 {
        plan.iter().map(|&(_, w)| w).sum::<f32>() + spacing * plan.len().saturating_sub(1) as f32
    }

    #[test]
    fn a_wide_list_shows_every_column_and_fills_the_width() {
        let plan = fit_columns(1200.0, 8.0);
        assert_eq!(plan.len(), COLUMNS.len());
        assert!((total(&plan, 8.0) - 1200.0).abs() < 0.01);
        for &(c, w) in &plan {
            assert!(w >= COLUMNS[c].min, "{} at {w}", COLUMNS[c].title);
        }
    }

    #[test]
    fn a_narrow_list_leaves_out_the_least_needed_columns_first_never_status_or_assignee() {
        let mut last = COLUMNS.len();
        for width in (300..1200).rev().step_by(10) {
            let plan = fit_columns(width as f32, 8.0);
            let shown = titles(&plan);
            for always in ["Patient", "Assigned to", "Status"] {
                assert!(shown.contains(&always), "{always} at {width}: {shown:?}");
            }
            assert!(plan.len() <= last, "columns only go as it narrows");
            last = plan.len();
            let must = ["Patient", "Assigned to", "Status"]
                .iter()
                .map(|t| {
                    COLUMNS
                        .iter()
                        .find(|c| c.title == *t)
                        .map_or(0.0, |c| c.min)
                })
                .sum::<f32>()
                + 16.0;
            if width as f32 >= must {
                assert!(
                    total(&plan, 8.0) <= width as f32 + 0.01,
                    "{width}: {shown:?} is {}",
                    total(&plan, 8.0)
                );
            }
            for &(c, w) in &plan {
                assert!(
                    w >= COLUMNS[c].min,
                    "{} cut to {w} at {width}",
                    COLUMNS[c].title
                );
            }
        }
        // The order they go in: Clinician, Details, NHS number, Kind, When, Flag
        // (it says what is overdue), and Due last.
        assert!(!titles(&fit_columns(940.0, 8.0)).contains(&"Clinician"));
        assert!(titles(&fit_columns(940.0, 8.0)).contains(&"Details"));
        let narrow = titles(&fit_columns(620.0, 8.0));
        assert_eq!(
            narrow,
            ["When", "Due", "Patient", "Assigned to", "Status", "Flag"]
        );
        let narrowest = titles(&fit_columns(420.0, 8.0));
        assert_eq!(narrowest, ["Due", "Patient", "Assigned to", "Status"]);
    }

    #[test]
    fn letters_typed_after_n_in_the_same_frame_are_kept_without_its_own() {
        let key = |k, pressed| egui::Event::Key {
            key: k,
            physical_key: None,
            pressed,
            repeat: false,
            modifiers: Modifiers::NONE,
        };
        let text = |t: &str| egui::Event::Text(t.into());
        let events = [
            key(Key::N, true),
            text("n"),
            key(Key::N, false),
            key(Key::D, true),
            text("D"),
            key(Key::D, false),
            text("up"),
        ];
        assert_eq!(text_typed_after(&events, Key::N), "Dup");
        // A reason that itself starts with the key's letter keeps it.
        let events = [key(Key::N, true), text("n"), text("no longer needed")];
        assert_eq!(text_typed_after(&events, Key::N), "no longer needed");
        assert_eq!(text_typed_after(&[key(Key::N, true)], Key::N), "");
        assert_eq!(text_typed_after(&[text("x")], Key::N), "");
    }

    #[test]
    fn the_divider_leaves_room_for_both_sides() {
        let r = split_range(1366.0);
        assert_eq!(r.min, DETAIL_MIN);
        assert_eq!(r.max, 1366.0 - LIST_MIN);
        let tiny = split_range(500.0);
        assert!(tiny.min <= tiny.max && tiny.max <= 500.0);
    }

    #[test]
    fn forgetting_a_person_resets_the_view_and_keeps_nothing_of_theirs() {
        let mut w = WorklistScreen {
            kind: Some(ItemKind::Prescription),
            text: "smith".into(),
            from: "01/11/2026".into(),
            assignee: AssigneeChoice::Me,
            clinician: Some(StaffId(1)),
            cursor: Some(3),
            note: "half typed".into(),
            undo: vec![Vec::new()],
            assign_to: Some(StaffId(2)),
            last_copied: Some(("NHS number".into(), "9990000018".into())),
            ..WorklistScreen::default()
        };
        w.selected.insert(ItemId(4), 1);
        w.statuses.clear();
        w.words = Some(WordsBox {
            change: NeedsWords::NotNeeded,
            targets: vec![SeenItem {
                id: ItemId(4),
                version: 1,
            }],
            what: "1 selected item".into(),
            text: "dup".into(),
            message: None,
            focus: false,
        });
        w.read_in_background();
        w.forget_person();
        let fresh = WorklistScreen::default();
        let now = chrono::NaiveDateTime::default();
        assert_eq!(
            w.filter(Some(StaffId(1)), now),
            fresh.filter(Some(StaffId(1)), now)
        );
        assert_eq!(w.sort, fresh.sort);
        assert_eq!(w.cursor, None);
        assert!(w.selected.is_empty() && w.note.is_empty() && w.undo.is_empty());
        assert!(w.words.is_none() && w.assign_to.is_none() && w.last_copied.is_none());
        assert_eq!(w.from, "");
        assert_eq!(
            w.background,
            Background::Wanted,
            "the reader is still wanted (and a running one kept)"
        );
    }
}
