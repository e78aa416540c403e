//! First run: set up the cutover (practice, systems, window) and the staff list.

use egui::Ui;

use crate::domain::dates::parse_date_and_time;
use crate::domain::{Actor, ClinicalSystem, FieldError, Project, Role};
use crate::store::CutoverStore;

use super::focus_cycle::{self, InCycle};
use super::status::StatusLine;
use super::widgets::{choice_buttons, error_for, error_label, row, text_box};

/// A clinical system as picked on the setup form.
#[derive(Debug, Clone, Default)]
pub struct SystemChoice {
    pub named: Option<usize>,
    pub other: String,
}

impl SystemChoice {
    fn text(&self) -> String {
        match self.named {
            Some(i) => ClinicalSystem::NAMED
                .get(i)
                .map(ClinicalSystem::label)
                .unwrap_or_default(),
            None => self.other.clone(),
        }
    }

    fn ui(&mut self, ui: &mut Ui, salt: &str, label_id: egui::Id) {
        let mut options: Vec<(Option<usize>, String)> = ClinicalSystem::NAMED
            .iter()
            .enumerate()
            .map(|(i, s)| (Some(i), s.label()))
            .collect();
        options.push((None, "Other".into()));
        choice_buttons(ui, &mut self.named, &options);
        if self.named.is_none() {
            text_box(
                ui,
                &mut self.other,
                salt,
                "name of the other system",
                false,
                label_id,
            );
        }
    }
}

/// The setup screen's state.
#[derive(Debug, Clone)]
pub struct SetupScreen {
    pub practice_name: String,
    pub ods_code: String,
    pub old_system: SystemChoice,
    pub new_system: SystemChoice,
    pub start_date: String,
    pub start_time: String,
    pub live_date: String,
    pub live_time: String,
    pub staff: Vec<(String, Role)>,
    pub new_staff_name: String,
    pub new_staff_role: Role,
    /// The practice manager's password (the first sign-in).
    pub password: String,
    pub password_again: String,
    pub errors: Vec<FieldError>,
    /// Set when "Connect to practice server" is pressed: the window then asks
    /// for the server instead of setting up this single-desk log.
    pub connect_to_server: bool,
    /// Which field gets the keyboard next frame: the practice's name when the
    /// screen opens, the first with a message after a failed Create.
    focus_to: Option<&'static str>,
}

impl Default for SetupScreen {
    fn default() -> Self {
        Self {
            practice_name: String::new(),
            ods_code: String::new(),
            old_system: SystemChoice {
                named: Some(0),
                other: String::new(),
            },
            new_system: SystemChoice {
                named: Some(1),
                other: String::new(),
            },
            start_date: String::new(),
            start_time: "18:00".into(),
            live_date: String::new(),
            live_time: "08:00".into(),
            staff: Vec::new(),
            new_staff_name: String::new(),
            new_staff_role: Role::PracticeManager,
            password: String::new(),
            password_again: String::new(),
            errors: Vec::new(),
            connect_to_server: false,
            focus_to: Some("practice_name"),
        }
    }
}

impl SetupScreen {
    /// Draws the form; returns true once the project has been created.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        store: &mut dyn CutoverStore,
        now: chrono::NaiveDateTime,
        status: &mut StatusLine,
    ) -> bool {
        let mut created = false;
        // One form: Tab goes round its controls from the practice's name to
        // Create (then "Connect to practice server", last), never elsewhere.
        focus_cycle::begin(ui.ctx(), true);
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            ui.heading("Set up the cutover");
            ui.label("Fill this in once, before the final data extract. Everything can be read back in the Practice screen later.");
            let connect = ui
                .horizontal(|ui| {
                    ui.label("Several desks share one log on the practice's server?");
                    let r = ui.button("Connect to practice server");
                    if r.clicked() {
                        self.connect_to_server = true;
                    }
                    r
                })
                .inner;
            ui.add_space(8.0);
            let errors = self.errors.clone();
            let e = |f: &str| error_for(&errors, f).map(str::to_string);
            egui::Grid::new("setup_grid").num_columns(2).spacing([12.0, 8.0]).show(ui, |ui| {
                row(ui, "Practice name", e("practice_name").as_deref(), |ui, l| {
                    let r = text_box(ui, &mut self.practice_name, "practice_name", "e.g. Riverside Medical Practice", false, l);
                    // The first field has the keyboard when the screen opens
                    // (the first letters typed are not lost).
                    if self.focus_to == Some("practice_name") {
                        self.focus_to = None;
                        r.request_focus();
                    }
                });
                row(ui, "ODS code", e("ods_code").as_deref(), |ui, l| {
                    text_box(ui, &mut self.ods_code, "ods_code", "e.g. A81001", false, l);
                });
                row(ui, "Old system", e("old_system").as_deref(), |ui, l| self.old_system.ui(ui, "old_other", l));
                row(ui, "New system", e("new_system").as_deref(), |ui, l| self.new_system.ui(ui, "new_other", l));
                row(ui, "Cutover starts (final extract)", e("cutover_start").as_deref(), |ui, l| {
                    date_time(ui, &mut self.start_date, &mut self.start_time, "start", l, "Cutover start");
                });
                row(ui, "Planned go-live", e("go_live").as_deref(), |ui, l| {
                    date_time(ui, &mut self.live_date, &mut self.live_time, "live", l, "Go-live");
                });
            });
            ui.add_space(12.0);
            ui.heading("Staff");
            ui.label("Everyone who will log or re-enter items. Add the practice manager first. Enter adds the name typed.");
            self.staff_list_ui(ui, status);
            if let Some(err) = error_for(&self.errors, "staff") {
                error_label(ui, err);
            }
            ui.add_space(8.0);
            ui.label(format!(
                "The practice manager signs in first, with this password (at least {} characters), and then sets everyone else's.",
                crate::domain::staff::MIN_PASSWORD
            ));
            let mut create_by_key = false;
            egui::Grid::new("setup_password").num_columns(2).spacing([12.0, 8.0]).show(ui, |ui| {
                let e = error_for(&errors, "password").map(str::to_string);
                let first = row(ui, "Practice manager's password", e.as_deref(), |ui, l| {
                    ui.add(
                        egui::TextEdit::singleline(&mut self.password)
                            .password(true)
                            .hint_text(format!("at least {} characters", crate::domain::staff::MIN_PASSWORD))
                            .desired_width(260.0),
                    )
                    .labelled_by(l)
                    .in_cycle(ui)
                });
                if self.focus_to == Some("password") {
                    self.focus_to = None;
                    first.request_focus();
                }
                let again = row(ui, "Repeat the password", None, |ui, l| {
                    ui.add(
                        egui::TextEdit::singleline(&mut self.password_again)
                            .id_salt("setup_password_again")
                            .password(true)
                            .desired_width(260.0),
                    )
                    .labelled_by(l)
                    .in_cycle(ui)
                });
                let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
                // Enter in the first box goes on to the second; Enter in the
                // second, the last box of the form, creates the log.
                if first.lost_focus() && enter {
                    again.request_focus();
                }
                create_by_key = again.lost_focus() && enter;
                // A password's message follows what is typed (too short, then
                // not the same twice) and goes as soon as it is put right, with
                // the status line's pointer to it.
                if (first.changed() || again.changed())
                    && self.errors.iter().any(|e| e.field == "password")
                {
                    self.errors.retain(|e| e.field != "password");
                    match crate::domain::staff::check_new_password(&self.password, &self.password_again) {
                        Err(e) => self.errors.push(FieldError::new("password", e.to_string())),
                        Ok(()) if self.errors.is_empty() => {
                            status.info("Every problem is put right: press Enter in the last box, or Create.");
                        }
                        Ok(()) => {}
                    }
                }
            });
            ui.add_space(12.0);
            if ui.button("Create the cutover log").in_cycle(ui).clicked() || create_by_key {
                created = self.create(store, now, status);
            }
            focus_cycle::note(ui, &connect);
        });
        focus_cycle::end(ui.ctx());
        created
    }

    /// The staff added so far (each with a Remove button), then the row that
    /// adds one: name, role, "Add to staff list". Enter in the name box, or on a
    /// role (which it also picks), adds the row and goes back to the name box.
    fn staff_list_ui(&mut self, ui: &mut Ui, status: &mut StatusLine) {
        let mut remove = None;
        egui::Grid::new("setup_staff")
            .num_columns(2)
            .spacing([12.0, 4.0])
            .show(ui, |ui| {
                for (i, (name, role)) in self.staff.iter().enumerate() {
                    ui.label(format!("{name} - {}", role.label()));
                    let text = format!("Remove {name}");
                    if ui
                        .small_button("Remove")
                        .on_hover_text(&text)
                        .accessible_name(text)
                        .in_cycle(ui)
                        .clicked()
                    {
                        remove = Some(i);
                    }
                    ui.end_row();
                }
            });
        if let Some(i) = remove
            && i < self.staff.len()
        {
            let (name, _) = self.staff.remove(i);
            status.info(format!("{name} taken off the staff list."));
        }
        // Focus as the frame began: Enter there belongs to this row.
        let focused = ui.memory(|m| m.focused());
        let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
        let mut row_ids = Vec::new();
        let name_box = ui
            .horizontal(|ui| {
                let l = ui.label("Staff name");
                text_box(
                    ui,
                    &mut self.new_staff_name,
                    "new_staff_name",
                    "full name",
                    false,
                    l.id,
                )
            })
            .inner;
        row_ids.push(name_box.id);
        if self.focus_to == Some("staff") {
            self.focus_to = None;
            name_box.request_focus();
        }
        // The roles are one Tab stop; the arrows move the choice.
        let roles: Vec<(Role, String)> = Role::ALL
            .iter()
            .map(|r| (*r, r.label().to_string()))
            .collect();
        let (_, role_stop) =
            super::widgets::choice_buttons_at(ui, &mut self.new_staff_role, &roles);
        row_ids.extend(role_stop);
        let add_clicked = ui.button("Add to staff list").in_cycle(ui).clicked();
        let enter_here = enter && focused.is_some_and(|f| row_ids.contains(&f));
        if add_clicked || enter_here {
            let before = self.staff.len();
            self.add_staff_row(status);
            if enter_here || self.staff.len() == before {
                name_box.request_focus();
            }
        }
    }

    fn add_staff_row(&mut self, status: &mut StatusLine) {
        let name = self.new_staff_name.trim().to_string();
        if name.is_empty() {
            status.error("Type the staff member's name first.");
        } else if self
            .staff
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(&name))
        {
            status.error(format!("{name} is already on the list."));
        } else {
            status.info(format!(
                "{name} ({}) added to the staff list.",
                self.new_staff_role.label()
            ));
            self.staff.push((name, self.new_staff_role));
            self.new_staff_name.clear();
            self.new_staff_role = Role::Reception;
        }
    }

    /// Checks everything; creates the project and its staff.
    pub fn create(
        &mut self,
        store: &mut dyn CutoverStore,
        now: chrono::NaiveDateTime,
        status: &mut StatusLine,
    ) -> bool {
        if !self.new_staff_name.trim().is_empty() {
            self.add_staff_row(status);
        }
        let project = Project::validate(
            &self.practice_name,
            &self.ods_code,
            &self.old_system.text(),
            &self.new_system.text(),
            parse_date_and_time(&self.start_date, &self.start_time).map_err(|e| e.to_string()),
            parse_date_and_time(&self.live_date, &self.live_time).map_err(|e| e.to_string()),
        );
        let mut errors = project.as_ref().err().cloned().unwrap_or_default();
        if !self.staff.iter().any(|(_, r)| *r == Role::PracticeManager) {
            errors.push(FieldError::new(
                "staff",
                "add the practice manager to the staff list",
            ));
        }
        if let Err(e) =
            crate::domain::staff::check_new_password(&self.password, &self.password_again)
        {
            errors.push(FieldError::new("password", e.to_string()));
        }
        self.errors = errors;
        let Ok(project) = project else {
            status.error("Not set up yet: see the messages beside the fields.");
            self.focus_to = self.errors.first().map(|e| e.field);
            return false;
        };
        if !self.errors.is_empty() {
            // Say which: the messages are beside those fields.
            let which: Vec<&str> = self
                .errors
                .iter()
                .map(|e| match e.field {
                    "staff" => "the staff list",
                    "password" => "the password",
                    _ => "a field",
                })
                .collect();
            status.error(format!(
                "Not set up yet: see the message beside {}.",
                which.join(" and ")
            ));
            // The keyboard to the first field with a message, not lost.
            self.focus_to = self.errors.first().map(|e| e.field);
            return false;
        }
        let actor = Actor::system("setup screen", now);
        let result = store.create_project(&project, &actor).and_then(|()| {
            let mut manager = None;
            for (name, role) in &self.staff {
                let s = store.add_staff(name, *role, &actor)?;
                if *role == Role::PracticeManager && manager.is_none() {
                    manager = Some(s);
                }
            }
            if let Some(pm) = manager {
                store.set_password(
                    pm.id,
                    &self.password,
                    &Actor::staff(pm.id, pm.name.clone(), now),
                )?;
            }
            Ok(())
        });
        match result {
            Ok(()) => {
                status.info(format!(
                    "Cutover log set up for {} ({}). The practice manager signs in next.",
                    project.practice_name, project.ods_code
                ));
                self.password.clear();
                self.password_again.clear();
                true
            }
            Err(e) => {
                status.error(format!("Could not set up: {e}"));
                false
            }
        }
    }
}

/// A date box and a time box side by side.
/// The time box is named "<name> time" for screen readers and tests.
pub fn date_time(
    ui: &mut Ui,
    date: &mut String,
    time: &mut String,
    salt: &str,
    label_id: egui::Id,
    name: &str,
) {
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(date)
                .id_salt(format!("{salt}_date"))
                .hint_text("dd/mm/yyyy")
                .desired_width(110.0),
        )
        .labelled_by(label_id)
        .in_cycle(ui);
        ui.label("at");
        ui.add(
            egui::TextEdit::singleline(time)
                .id_salt(format!("{salt}_time"))
                .hint_text("hh:mm")
                .desired_width(60.0),
        )
        .accessible_name(format!("{name} time"))
        .in_cycle(ui);
    });
}
