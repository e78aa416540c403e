//! The practice screen: the cutover window (moving go-live is recorded) and the
//! staff list (add, make inactive).

use egui::Ui;

use crate::domain::dates::{parse_date_and_time, uk_date, uk_date_time};
use crate::domain::{Project, Role};

use super::AppContext;
use super::command::Command;
use super::setup::date_time;
use super::widgets::{choice_buttons, error_label, pressed, row, text_box};

/// The practice screen's state.
#[derive(Debug)]
pub struct PracticeScreen {
    purge_saved_report: bool,
    purge_word: String,
    purge_confirming: bool,
    lock_minutes: String,
    /// The backup folder as typed (read from the log when first shown).
    backup_folder: Option<String>,
    /// The deadline numbers as typed (read from the log when first shown).
    deadline_boxes: Option<[String; 4]>,
    deadline_error: Option<String>,
    /// The old system's last readable day as typed.
    old_system_last_day: Option<String>,
    old_system_error: Option<String>,
    password_for: Option<crate::domain::StaffId>,
    new_password: String,
    /// The new password typed a second time; it must match.
    new_password_again: String,
    /// Why the password was not set, shown beside the boxes.
    password_error: Option<String>,
    /// The staff with no password yet, as last read (`None`: read it again).
    no_password: Option<Vec<crate::domain::StaffId>>,
    /// The audit trail's head as last read (`N:HASH`; `None`: read it again).
    anchor: Option<String>,
    live_date: String,
    live_time: String,
    go_live_error: Option<String>,
    new_name: String,
    new_role: Role,
    loaded_for: Option<chrono::NaiveDateTime>,
    restore: super::restore::RestorePanel,
}

impl Default for PracticeScreen {
    fn default() -> Self {
        Self {
            purge_saved_report: false,
            purge_word: String::new(),
            purge_confirming: false,
            lock_minutes: String::new(),
            backup_folder: None,
            deadline_boxes: None,
            deadline_error: None,
            old_system_last_day: None,
            old_system_error: None,
            password_for: None,
            new_password: String::new(),
            new_password_again: String::new(),
            password_error: None,
            no_password: None,
            anchor: None,
            live_date: String::new(),
            live_time: String::new(),
            go_live_error: None,
            new_name: String::new(),
            new_role: Role::Reception,
            loaded_for: None,
            restore: super::restore::RestorePanel::default(),
        }
    }
}

impl PracticeScreen {
    /// Forgets everything the last person left here: the staff record chosen for
    /// a password and the passwords typed, a half-made go-live move, lock time,
    /// new staff member or purge confirmation. The next person starts clean, with
    /// the practice's saved values read again.
    pub fn forget_person(&mut self) {
        *self = Self::default();
    }

    /// The staff list may have changed: read who has no password again.
    pub fn mark_stale(&mut self) {
        self.no_password = None;
        self.anchor = None;
    }

    pub fn ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        let p = cx.project;
        if self.loaded_for != Some(p.go_live) {
            self.live_date = uk_date(p.go_live.date());
            self.live_time = p.go_live.format("%H:%M").to_string();
            self.loaded_for = Some(p.go_live);
        }
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.heading(format!("{} ({})", p.practice_name, p.ods_code));
                ui.label(format!(
                    "Moving from {} to {}",
                    p.old_system.label(),
                    p.new_system.label()
                ));
                ui.label(format!(
                    "Cutover started (final extract): {}",
                    uk_date_time(p.cutover_start)
                ));
                // With the day the deadlines count from (not go-live day when
                // that is a weekend or a bank holiday).
                ui.label(format!(
                    "Planned go-live: {} ({})",
                    uk_date_time(p.go_live),
                    first_day_words(&cx.deadlines)
                ));
                ui.add_space(8.0);
                ui.strong("Move go-live");
                let l = ui.label("New go-live date and time");
                date_time(
                    ui,
                    &mut self.live_date,
                    &mut self.live_time,
                    "move_live",
                    l.id,
                    "New go-live",
                );
                if let Some(e) = &self.go_live_error {
                    error_label(ui, e);
                }
                if ui.button("Save new go-live").clicked() {
                    self.move_go_live(cx);
                }
                ui.add_space(8.0);
                self.lock_ui(ui, cx);
                self.backup_ui(ui, cx);
                ui.add_space(8.0);
                self.deadlines_ui(ui, cx);
                ui.add_space(12.0);
                self.staff_ui(ui, cx);
                if cx.desk.is_some_and(|d| d.role == Role::PracticeManager) {
                    ui.add_space(16.0);
                    self.restore.ui(ui, cx);
                    ui.add_space(16.0);
                    self.purge_ui(ui, cx);
                }
                ui.add_space(16.0);
                self.anchor_ui(ui, cx);
            });
    }

    /// Retention: a double confirmation (a typed word, then a dialog) before the
    /// store removes every patient detail.
    fn purge_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        ui.heading("Purge patient data");
        ui.label(
            "After sign-off, and once the final report is saved with the practice's migration records, \
             remove every patient detail from this log for good. A summary of counts is kept.",
        );
        ui.checkbox(
            &mut self.purge_saved_report,
            "I have saved the final re-entry report",
        );
        ui.horizontal(|ui| {
            let l = ui.label("Type PURGE to confirm");
            ui.add(egui::TextEdit::singleline(&mut self.purge_word).desired_width(100.0))
                .labelled_by(l.id);
        });
        let ready = self.purge_saved_report && self.purge_word.trim() == "PURGE";
        if ui
            .add_enabled(ready, egui::Button::new("Purge patient data..."))
            .clicked()
        {
            self.purge_confirming = true;
        }
        if !self.purge_confirming {
            return;
        }
        let mut go = false;
        let modal = egui::Modal::new(ui.make_persistent_id("purge_modal")).show(ui.ctx(), |ui| {
            ui.heading("Remove every patient detail?");
            ui.label("Items, their history and patient details are deleted and the file is rewritten. This cannot be undone.");
            ui.horizontal(|ui| {
                if ui.button("Purge now").clicked() {
                    go = true;
                }
                if ui.button("Cancel").clicked() {
                    ui.close();
                }
            });
        });
        if go {
            self.purge_confirming = false;
            self.purge_word.clear();
            let Some(actor) = cx.actor() else { return };
            match cx.store.purge(&actor) {
                Ok(s) => {
                    cx.status.info(format!(
                        "Purged: {} items removed; a de-identified summary is kept.",
                        s.items
                    ));
                    cx.commands.push(Command::ReloadReference);
                }
                Err(e) => cx.status.error(format!("Not purged: {e}")),
            }
        } else if modal.should_close() {
            self.purge_confirming = false;
        }
    }

    /// Where the app backs the log up: a folder the practice manager chooses (a
    /// network share is fine for backups), or beside the log when left empty.
    fn backup_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        if self.backup_folder.is_none() {
            self.backup_folder = Some(cx.backup_folder.unwrap_or_default().to_string());
        }
        let Some(folder) = &mut self.backup_folder else {
            return;
        };
        ui.horizontal(|ui| {
            let l = ui.label("Back the log up to this folder (empty: beside the log)");
            ui.add(
                egui::TextEdit::singleline(folder)
                    .hint_text("D:\\CutoverBackups")
                    .desired_width(320.0),
            )
            .labelled_by(l.id);
            if ui.button("Save backup folder").clicked() {
                let Some(actor) = cx.actor() else { return };
                let chosen = Some(folder.trim()).filter(|f| !f.is_empty());
                match cx.store.set_backup_folder(chosen, &actor) {
                    Ok(()) => {
                        cx.status.info(match chosen {
                            Some(f) => format!("The log is now backed up to {f}."),
                            None => "The log is now backed up beside itself.".to_string(),
                        });
                        cx.commands.push(Command::ReloadReference);
                    }
                    Err(e) => cx.status.error(format!("Backup folder not changed: {e}")),
                }
            }
        });
    }

    /// The audit trail's head, to keep outside the file (written down, or in
    /// the report): `verify --against N:HASH` later proves the log still holds
    /// this exact history, which a rewritten tail cannot fake.
    fn anchor_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        if self.anchor.is_none() {
            self.anchor = Some(match cx.store.chain_anchor() {
                Ok(Some(a)) => a.text(),
                Ok(None) => "(no events yet)".to_string(),
                Err(e) => format!("(could not be read: {e})"),
            });
        }
        let anchor = self.anchor.clone().unwrap_or_default();
        ui.horizontal_wrapped(|ui| {
            let l = ui
                .label("Audit trail head (keep it outside this computer; every report prints it):");
            ui.add(
                egui::TextEdit::singleline(&mut anchor.as_str())
                    .desired_width(560.0)
                    .font(egui::TextStyle::Monospace),
            )
            .labelled_by(l.id);
        });
        ui.label(
            egui::RichText::new(format!(
                "Later, `cutover-log verify --against {anchor}` proves the log still holds this exact history."
            ))
            .weak(),
        );
    }

    /// The practice's deadline numbers and the old system's last readable day
    /// (the practice manager saves them; each saved on its own, audited).
    fn deadlines_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        let rules = cx.deadlines.rules;
        let boxes = self
            .deadline_boxes
            .get_or_insert_with(|| rules.describe().map(|(_, n)| n.to_string()));
        ui.strong("Deadlines, in working days (weekends and England's bank holidays are skipped)");
        let mut enter = false;
        egui::Grid::new("deadline_grid")
            .num_columns(2)
            .spacing([12.0, 4.0])
            .show(ui, |ui| {
                for ((label, _), text) in rules.describe().iter().zip(boxes.iter_mut()) {
                    let l = ui.label(*label);
                    let r = ui
                        .add(egui::TextEdit::singleline(text).desired_width(40.0))
                        .labelled_by(l.id);
                    enter |= r.lost_focus() && ui.input(|i| pressed(i, egui::Key::Enter));
                    ui.end_row();
                }
            });
        if let Some(e) = &self.deadline_error {
            error_label(ui, e);
        }
        if ui.button("Save deadlines").clicked() || enter {
            self.save_deadlines(cx);
        }
        let last = self
            .old_system_last_day
            .get_or_insert_with(|| cx.old_system_last_day.map(uk_date).unwrap_or_default());
        let mut save_last = false;
        ui.horizontal(|ui| {
            let l = ui.label("Last day the old system can be read (empty: not known)");
            let r = ui
                .add(
                    egui::TextEdit::singleline(last)
                        .hint_text("dd/mm/yyyy")
                        .desired_width(100.0),
                )
                .labelled_by(l.id);
            save_last = r.lost_focus() && ui.input(|i| pressed(i, egui::Key::Enter));
            save_last |= ui.button("Save last day").clicked();
        });
        if let Some(e) = &self.old_system_error {
            error_label(ui, e);
        }
        if save_last {
            self.save_old_system_last_day(cx);
        }
    }

    fn save_deadlines(&mut self, cx: &mut AppContext<'_>) {
        let Some(boxes) = &self.deadline_boxes else {
            return;
        };
        let labels = cx.deadlines.rules.describe();
        let mut numbers = [0u32; 4];
        for (i, text) in boxes.iter().enumerate() {
            match text.trim().parse::<u32>() {
                Ok(n) => numbers[i] = n,
                Err(_) => {
                    self.deadline_error = Some(format!(
                        "{}: type a whole number of working days. Nothing was saved.",
                        labels[i].0
                    ));
                    return;
                }
            }
        }
        let Some(actor) = cx.actor() else { return };
        let rules = crate::domain::deadline::DeadlineRules::from_numbers(numbers);
        match cx.store.set_deadline_rules(&rules, &actor) {
            Ok(()) => {
                self.deadline_error = None;
                self.deadline_boxes = None;
                cx.status
                    .info("Deadlines saved; every item's due-by follows them.");
                cx.commands.push(Command::ReloadReference);
            }
            Err(e) => self.deadline_error = Some(format!("Deadlines not saved: {e}")),
        }
    }

    fn save_old_system_last_day(&mut self, cx: &mut AppContext<'_>) {
        let typed = self.old_system_last_day.clone().unwrap_or_default();
        let day = if typed.trim().is_empty() {
            None
        } else {
            match crate::domain::dates::parse_date(&typed) {
                Ok(d) => Some(d),
                Err(e) => {
                    self.old_system_error = Some(format!("{e}. Nothing was saved."));
                    return;
                }
            }
        };
        let Some(actor) = cx.actor() else { return };
        match cx.store.set_old_system_access_ends(day, &actor) {
            Ok(()) => {
                self.old_system_error = None;
                self.old_system_last_day = None;
                cx.status.info(match day {
                    Some(d) => format!("The old system can be read until {}.", uk_date(d)),
                    None => "The old system's last readable day is cleared.".to_string(),
                });
                cx.commands.push(Command::ReloadReference);
            }
            Err(e) => self.old_system_error = Some(format!("Not saved: {e}")),
        }
    }

    fn lock_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        if self.lock_minutes.is_empty() {
            self.lock_minutes = cx.lock_minutes.to_string();
        }
        ui.horizontal(|ui| {
            let l = ui.label("Lock the app after this many minutes without use");
            ui.add(egui::TextEdit::singleline(&mut self.lock_minutes).desired_width(40.0))
                .labelled_by(l.id);
            if ui.button("Save lock time").clicked() {
                let Some(actor) = cx.actor() else { return };
                let result = match self.lock_minutes.trim().parse::<u32>() {
                    Ok(m) => cx
                        .store
                        .set_lock_minutes(m, &actor)
                        .map(|()| m)
                        .map_err(|e| e.to_string()),
                    Err(_) => Err("type a whole number of minutes".to_string()),
                };
                match result {
                    Ok(m) => {
                        cx.status
                            .info(format!("The app now locks after {m} minutes without use."));
                        // The app's idle lock reads it with the rest of the shared data.
                        cx.commands.push(Command::ReloadReference);
                    }
                    Err(e) => cx.status.error(format!("Lock time not changed: {e}")),
                }
            }
        });
    }

    fn move_go_live(&mut self, cx: &mut AppContext<'_>) {
        let Some(actor) = cx.actor() else { return };
        let p: &Project = cx.project;
        let result = Project::validate(
            &p.practice_name,
            p.ods_code.as_str(),
            &p.old_system.label(),
            &p.new_system.label(),
            Ok(p.cutover_start),
            parse_date_and_time(&self.live_date, &self.live_time).map_err(|e| e.to_string()),
        );
        match result {
            Ok(moved) => match cx.store.update_project(&moved, &actor) {
                Ok(()) => {
                    self.go_live_error = None;
                    cx.status
                        .info(format!("Go-live moved to {}", uk_date_time(moved.go_live)));
                    cx.commands.push(Command::ReloadReference);
                }
                Err(e) => cx.status.error(format!("Go-live not moved: {e}")),
            },
            Err(errors) => self.go_live_error = Some(crate::domain::validation::describe(&errors)),
        }
    }

    /// Sets a staff member's password: typed twice, and saved only when both
    /// agree. Enter in the first box goes to the second; Enter there sets it.
    fn password_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        let mut enter = false;
        ui.horizontal(|ui| {
            let l = ui.label("Set the password of");
            egui::ComboBox::from_id_salt("password_for")
                .selected_text(
                    self.password_for
                        .map_or("choose".to_string(), |id| cx.staff.name(Some(id))),
                )
                .show_ui(ui, |ui| {
                    for s in cx.staff.active() {
                        if ui
                            .selectable_value(&mut self.password_for, Some(s.id), &s.name)
                            .clicked()
                        {
                            ui.close();
                        }
                    }
                })
                .response
                .labelled_by(l.id);
        });
        let mut focus_repeat = false;
        let error = self.password_error.clone();
        egui::Grid::new("password_grid")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                let first = row(ui, "New password", None, |ui, l| {
                    ui.add(
                        egui::TextEdit::singleline(&mut self.new_password)
                            .password(true)
                            .desired_width(200.0),
                    )
                    .labelled_by(l)
                });
                // Enter in the first box goes on to the second.
                focus_repeat = first.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                let again = row(ui, "Repeat the password", error.as_deref(), |ui, l| {
                    ui.add(
                        egui::TextEdit::singleline(&mut self.new_password_again)
                            .id_salt("practice_password_again")
                            .password(true)
                            .desired_width(200.0),
                    )
                    .labelled_by(l)
                });
                if focus_repeat {
                    again.request_focus();
                }
                if first.changed() || again.changed() {
                    self.password_error = None;
                }
                enter = again.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            });
        if ui.button("Set password").clicked() || enter {
            self.set_password(cx);
        }
    }

    /// Checks the two boxes agree, then saves; on any problem nothing is saved
    /// and the reason is shown beside the boxes.
    fn set_password(&mut self, cx: &mut AppContext<'_>) {
        let Some(id) = self.password_for else {
            self.password_error = Some("Choose whose password to set first.".into());
            return;
        };
        if let Err(e) =
            crate::domain::staff::check_new_password(&self.new_password, &self.new_password_again)
        {
            let mut why = e.to_string();
            if let Some(first) = why.get(..1) {
                why = first.to_uppercase() + &why[1..];
            }
            self.password_error = Some(format!(
                "{why}, so nothing was saved: type the new password in both boxes again."
            ));
            self.new_password.clear();
            self.new_password_again.clear();
            return;
        }
        let Some(actor) = cx.actor() else { return };
        match cx.store.set_password(id, &self.new_password, &actor) {
            Ok(()) => {
                cx.status
                    .info(format!("Password set for {}.", cx.staff.name(Some(id))));
                self.new_password.clear();
                self.new_password_again.clear();
                self.password_error = None;
                self.no_password = None;
            }
            Err(e) => self.password_error = Some(format!("Password not set: {e}")),
        }
    }

    fn staff_ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        ui.heading("Staff");
        if self.no_password.is_none() {
            self.no_password = match cx.store.staff_without_password() {
                Ok(ids) => Some(ids),
                Err(e) => {
                    cx.status
                        .error(format!("Could not read who has a password: {e}"));
                    Some(Vec::new())
                }
            };
        }
        let no_password = self.no_password.clone().unwrap_or_default();
        let mut toggle = None;
        egui::Grid::new("staff_grid")
            .num_columns(4)
            .striped(true)
            .show(ui, |ui| {
                for s in cx.staff.all() {
                    ui.label(&s.name);
                    ui.label(s.role.label());
                    // Who cannot sign in yet: set their password below.
                    if no_password.contains(&s.id) {
                        ui.label(
                            egui::RichText::new("no password yet")
                                .color(super::theme::warning_color(ui)),
                        );
                    } else {
                        ui.label("");
                    }
                    let text = if s.active {
                        "Make inactive"
                    } else {
                        "Make active"
                    };
                    if ui
                        .small_button(text)
                        .on_hover_text(format!("{text}: {}", s.name))
                        .clicked()
                    {
                        toggle = Some((s.id, !s.active));
                    }
                    ui.end_row();
                }
            });
        if let Some((id, active)) = toggle
            && let Some(actor) = cx.actor()
        {
            match cx.store.set_staff_active(id, active, &actor) {
                Ok(()) => cx.commands.push(Command::ReloadReference),
                Err(e) => cx.status.error(format!("Not changed: {e}")),
            }
        }
        ui.add_space(6.0);
        self.password_ui(ui, cx);
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let l = ui.label("New staff name");
            text_box(
                ui,
                &mut self.new_name,
                "practice_new_staff",
                "full name",
                false,
                l.id,
            );
        });
        let roles: Vec<(Role, String)> = Role::ALL
            .iter()
            .map(|r| (*r, r.label().to_string()))
            .collect();
        choice_buttons(ui, &mut self.new_role, &roles);
        if ui.button("Add staff member").clicked() {
            let actor = match cx.desk {
                Some(s) => crate::domain::Actor::staff(s.id, s.name.clone(), cx.now),
                None => crate::domain::Actor::system("practice screen", cx.now),
            };
            match cx.store.add_staff(&self.new_name, self.new_role, &actor) {
                Ok(s) => {
                    cx.status
                        .info(format!("Added {} ({})", s.name, s.role.label()));
                    self.new_name.clear();
                    cx.commands.push(Command::ReloadReference);
                }
                Err(e) => cx.status.error(format!("Not added: {e}")),
            }
        }
    }
}

/// From which day the deadlines count, in words: go-live day, or the first
/// working day after a weekend or bank-holiday go-live.
pub fn first_day_words(d: &crate::domain::deadline::Deadlines) -> String {
    let first = d.first_working_day();
    if first == d.go_live.date() {
        "deadlines count from that day".to_string()
    } else {
        format!(
            "not a working day: deadlines count from {}",
            first.format("%A %d/%m/%Y")
        )
    }
}
