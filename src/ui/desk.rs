//! Who is at this desk: sign-in with a password, the lock after idle time or on
//! demand (Ctrl+L), and sign-out. The one place that decides whose name goes on
//! each change. Locking hides the screens but keeps them, with anything typed.

use chrono::{Duration, NaiveDateTime};

use crate::domain::{Staff, StaffDirectory, StaffId};
use crate::store::CutoverStore;

use super::status::StatusLine;

/// What the keys did at the sign-in name list this frame.
#[derive(Debug, Default, Clone, Copy)]
struct NameListKeys {
    /// The name typed letters picked: its option takes keyboard focus.
    jump_to: Option<StaffId>,
    /// The list was open or its button had focus: Enter belongs to it.
    list_had_keys: bool,
}

/// The desk's session.
#[derive(Debug, Clone)]
pub struct Desk {
    /// The signed-in staff member.
    pub staff: Option<StaffId>,
    /// Locked: the screens are hidden until the password is given again.
    pub locked: bool,
    pub last_activity: Option<NaiveDateTime>,
    /// The sign-in form.
    pub name: Option<StaffId>,
    pub password: String,
    pub error: Option<String>,
    focus_password: bool,
    /// The sign-in name list's button, as drawn last frame (for its keys).
    name_list: Option<egui::Id>,
    /// Letters typed at the open name list: the name they start is picked.
    typed: String,
}

impl Default for Desk {
    fn default() -> Self {
        Self {
            staff: None,
            locked: false,
            last_activity: None,
            name: None,
            password: String::new(),
            error: None,
            focus_password: true,
            name_list: None,
            typed: String::new(),
        }
    }
}

impl Desk {
    /// The person at the desk, if signed in, unlocked and still active.
    pub fn current<'a>(&self, staff: &'a StaffDirectory) -> Option<&'a Staff> {
        if self.locked {
            return None;
        }
        self.staff.and_then(|id| staff.get(id)).filter(|s| s.active)
    }

    /// Notes input this frame; locks after `lock_minutes` without any.
    pub fn watch_idle(&mut self, ctx: &egui::Context, now: NaiveDateTime, lock_minutes: u32) {
        let active = ctx.input(|i| !i.events.is_empty());
        if active || self.last_activity.is_none() {
            self.last_activity = Some(now);
        }
        if self.staff.is_some()
            && !self.locked
            && self
                .last_activity
                .is_some_and(|t| now - t >= Duration::minutes(i64::from(lock_minutes)))
        {
            self.lock();
        }
    }

    pub fn lock(&mut self) {
        if self.staff.is_some() {
            self.locked = true;
            self.name = self.staff;
            self.password.clear();
            self.focus_password = true;
        }
    }

    pub fn sign_out(&mut self) {
        *self = Self::default();
    }

    /// The top bar's part: who is signed in, Lock and Sign out.
    /// Drawn right to left: Sign out at the far right.
    pub fn bar_ui(&mut self, ui: &mut egui::Ui, staff: &StaffDirectory) {
        let Some(me) = self.current(staff) else {
            return;
        };
        let text = format!("Signed in: {} ({})", me.name, me.role.label());
        if ui.button("Sign out").clicked() {
            self.sign_out();
            return;
        }
        if ui.button("Lock (Ctrl+L)").clicked() {
            self.lock();
        }
        ui.label(text);
    }

    /// The sign-in (or unlock) form, shown instead of the screens.
    pub fn sign_in_ui(
        &mut self,
        ui: &mut egui::Ui,
        staff: &StaffDirectory,
        store: &mut dyn CutoverStore,
        now: NaiveDateTime,
        status: &mut StatusLine,
    ) {
        ui.add_space(40.0);
        ui.vertical_centered(|ui| {
            ui.set_max_width(420.0);
            if self.locked {
                ui.heading("Locked");
                ui.label("Your work is kept. Enter your password to carry on.");
            } else {
                ui.heading("Sign in");
                ui.label("Everything you log or change is recorded under your name.");
            }
            ui.add_space(8.0);
            let keys = self.name_list_keys(ui.ctx(), staff);
            let mut picked = false;
            // Tab goes round the sign-in form, never out to the top bar.
            super::focus_cycle::begin(ui.ctx(), true);
            egui::Grid::new("sign_in_grid")
                .num_columns(2)
                .spacing([12.0, 8.0])
                .show(ui, |ui| {
                    let l = ui.label("Name");
                    let chosen = self
                        .name
                        .and_then(|id| staff.get(id))
                        .map_or("Choose your name".to_string(), |s| s.name.clone());
                    if self.locked {
                        ui.label(chosen);
                    } else {
                        let list = egui::ComboBox::from_id_salt("sign_in_name")
                            .selected_text(chosen)
                            .width(260.0)
                            .show_ui(ui, |ui| {
                                for s in staff.active() {
                                    let r = ui.selectable_value(
                                        &mut self.name,
                                        Some(s.id),
                                        format!("{} ({})", s.name, s.role.label()),
                                    );
                                    if keys.jump_to == Some(s.id) {
                                        r.request_focus();
                                        r.scroll_to_me(None);
                                    }
                                    // Chosen by mouse, Enter or Space: the list
                                    // closes and the password box is next.
                                    if r.clicked() {
                                        picked = true;
                                        self.focus_password = true;
                                        self.typed.clear();
                                        ui.close();
                                    }
                                }
                            })
                            .response
                            .labelled_by(l.id);
                        super::focus_cycle::note(ui, &list);
                        // Nobody chosen yet: the name list is where to start.
                        if self.name.is_none() && self.focus_password {
                            self.focus_password = false;
                            list.request_focus();
                        }
                        self.name_list = Some(list.id);
                    }
                    ui.end_row();
                    let l = ui.label("Password");
                    let r = super::widgets::text_edit_focused_first(
                        ui,
                        egui::TextEdit::singleline(&mut self.password)
                            .password(true)
                            .desired_width(260.0),
                        "sign_in_password",
                        &mut self.focus_password,
                    )
                    .labelled_by(l.id);
                    super::focus_cycle::note(ui, &r);
                    ui.end_row();
                });
            if let Some(e) = &self.error {
                super::widgets::error_label(ui, e);
            }
            // Enter that chose a name (or opened the list) does not also sign in.
            let enter = ui.input(|i| i.key_pressed(egui::Key::Enter))
                && !keys.list_had_keys
                && !picked
                && !egui::Popup::is_any_open(ui.ctx());
            ui.horizontal(|ui| {
                let label = if self.locked { "Unlock" } else { "Sign in" };
                let b = ui.button(label);
                super::focus_cycle::note(ui, &b);
                if b.clicked() || enter {
                    self.try_sign_in(staff, store, now, status);
                }
                if self.locked {
                    let other = ui.button("Sign in as someone else");
                    super::focus_cycle::note(ui, &other);
                    if other.clicked() {
                        self.sign_out();
                    }
                }
            });
            super::focus_cycle::end(ui.ctx());
        });
    }

    /// Type-ahead on the name list: while it is open, or its button has focus,
    /// letters typed pick the first active name they start (opening the list
    /// and moving to that name; Enter or Space then chooses it). Space is part
    /// of the name typed, not a choice, once any letter has been typed.
    fn name_list_keys(&mut self, ctx: &egui::Context, staff: &StaffDirectory) -> NameListKeys {
        let Some(button) = self.name_list.filter(|_| !self.locked) else {
            return NameListKeys::default();
        };
        let open = egui::ComboBox::is_open(ctx, button);
        let focused = ctx.memory(|m| m.has_focus(button));
        if !open && !focused {
            self.typed.clear();
            return NameListKeys::default();
        }
        let typing = !self.typed.is_empty();
        let text: String = ctx.input_mut(|i| {
            if typing {
                i.consume_key(egui::Modifiers::NONE, egui::Key::Space);
            }
            i.events
                .iter()
                .filter_map(|e| match e {
                    egui::Event::Text(t) => Some(t.as_str()),
                    _ => None,
                })
                .collect()
        });
        let mut keys = NameListKeys {
            jump_to: None,
            list_had_keys: true,
        };
        if text.is_empty() || (!typing && text.trim().is_empty()) {
            return keys;
        }
        let starts = |prefix: &str| {
            let prefix = prefix.to_lowercase();
            staff
                .active()
                .find(|s| s.name.to_lowercase().starts_with(&prefix))
                .map(|s| s.id)
        };
        let longer = format!("{}{text}", self.typed);
        let found = match starts(&longer) {
            Some(id) => {
                self.typed = longer;
                Some(id)
            }
            // No name goes on like that: start again from these letters.
            None => starts(text.trim_start()).inspect(|_| self.typed = text.trim_start().into()),
        };
        if let Some(id) = found {
            self.name = Some(id);
            keys.jump_to = Some(id);
            if !open {
                egui::Popup::open_id(ctx, button.with("popup"));
            }
        }
        keys
    }

    fn try_sign_in(
        &mut self,
        staff: &StaffDirectory,
        store: &mut dyn CutoverStore,
        now: NaiveDateTime,
        status: &mut StatusLine,
    ) {
        let Some(who) = self.name.and_then(|id| staff.get(id)) else {
            self.error = Some("Choose your name first.".into());
            return;
        };
        match store.sign_in(&who.name, &self.password, now) {
            Ok(s) => {
                status.info(format!("Signed in as {}.", s.name));
                self.staff = Some(s.id);
                self.locked = false;
                self.error = None;
                self.password.clear();
                self.last_activity = Some(now);
            }
            Err(e) => {
                self.error = Some(e.to_string());
                self.password.clear();
                self.focus_password = true;
            }
        }
    }
}
