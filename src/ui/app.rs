//! The app: top bar (practice, phase banner, who is at this desk), the current
//! screen, and the status line; commands from every source handled in one place.

use chrono::NaiveDateTime;

use crate::domain::{Project, StaffDirectory};
use crate::store::CutoverStore;

use super::audit_screen::AuditScreen;
use super::command::{self, Command, Screen};
use super::desk::Desk;
use super::help::{Help, HelpPage};
use super::log_screen::LogScreen;
use super::practice::PracticeScreen;
use super::preferences::{Display, Preferences, ZOOM_STEPS};
use super::progress::ProgressScreen;
use super::report_screen::ReportScreen;
use super::setup::SetupScreen;
use super::status::StatusLine;
use super::worklist::WorklistScreen;
use super::{AppContext, theme};

/// The whole app's state.
pub struct CutoverApp {
    store: Box<dyn CutoverStore>,
    clock: fn() -> NaiveDateTime,
    project: Option<Project>,
    staff: StaffDirectory,
    pub desk: Desk,
    pub screen: Screen,
    pub setup: SetupScreen,
    pub log: LogScreen,
    pub practice: PracticeScreen,
    pub worklist: WorklistScreen,
    pub progress: ProgressScreen,
    pub report: ReportScreen,
    pub audit: AuditScreen,
    pub status: StatusLine,
    pub help: Help,
    /// Each person's light/dark and text size, applied when they sign in.
    pub preferences: Preferences,
    /// Whose display settings the window shows now.
    display_for: Option<crate::domain::StaffId>,
    commands: Vec<Command>,
    /// When set (the running app, not tests): re-read what other desks may have
    /// changed this often, whenever the window regains focus, and at once when
    /// the store's change watch says so. On a server this also notices a lost
    /// connection, and each re-read retries it.
    auto_refresh: Option<(std::time::Duration, std::time::Instant)>,
    /// Set by the store's change watch (another thread) when any desk changed
    /// the log: the next frame re-reads at once instead of waiting for the timer.
    changed: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// The store's change watch, once started (a server has one; a file none).
    watch: Option<Option<crate::store::ChangeWatch>>,
    /// The window title last asked for.
    title: Option<String>,
    /// Whose work the screens hold (their form, selection, search): kept for them
    /// while they are locked or signed out, cleared when someone else signs in.
    screens_for: Option<crate::domain::StaffId>,
    /// Minutes without use before the desk locks: read with the reference data,
    /// not every frame (on a server that would be a round trip per frame).
    lock_minutes: u32,
}

/// The lock time until the log's own setting has been read.
const DEFAULT_LOCK_MINUTES: u32 = 5;

/// How often the running app re-reads the log for other desks' changes.
const REFRESH_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

impl CutoverApp {
    /// An app over `store`; `clock` gives the practice's current time (fixed in tests).
    pub fn new(store: Box<dyn CutoverStore>, clock: fn() -> NaiveDateTime) -> Self {
        let now = clock();
        let mut app = Self {
            store,
            clock,
            project: None,
            staff: StaffDirectory::default(),
            desk: Desk::default(),
            screen: Screen::Log,
            setup: SetupScreen::default(),
            log: LogScreen::new(now),
            practice: PracticeScreen::default(),
            worklist: WorklistScreen::default(),
            progress: ProgressScreen::new(),
            report: ReportScreen::default(),
            audit: AuditScreen::default(),
            status: StatusLine::default(),
            help: Help::default(),
            preferences: Preferences::default(),
            display_for: None,
            commands: Vec::new(),
            auto_refresh: None,
            changed: std::sync::Arc::default(),
            watch: None,
            title: None,
            lock_minutes: DEFAULT_LOCK_MINUTES,
            screens_for: None,
        };
        app.reload_reference();
        // After go-live the log has become the practice's to-do list: open on it.
        if app.project.as_ref().is_some_and(|p| now >= p.go_live) {
            app.screen = Screen::Worklist;
        }
        app
    }

    /// Reads the worklist on a thread of its own, as the app does (tests read inline,
    /// so each frame shows the store's current state).
    pub fn reading_in_background(mut self) -> Self {
        self.worklist.read_in_background();
        self.auto_refresh = Some((REFRESH_EVERY, std::time::Instant::now()));
        self
    }

    /// Re-reads the lists when it is time (see `auto_refresh`), so desks see each
    /// other's new items without restarting.
    fn refresh_if_due(&mut self, ui: &egui::Ui) {
        let Some((every, last)) = self.auto_refresh else {
            return;
        };
        if self.watch.is_none() {
            let changed = std::sync::Arc::clone(&self.changed);
            let ctx = ui.ctx().clone();
            let on_change = Box::new(move || {
                changed.store(true, std::sync::atomic::Ordering::Relaxed);
                ctx.request_repaint();
            });
            // Without a watch (a file, or the server refused) the timer still re-reads.
            self.watch = Some(self.store.watch_changes(on_change).ok().flatten());
        }
        let focused = ui.input(|i| {
            i.events
                .iter()
                .any(|e| matches!(e, egui::Event::WindowFocused(true)))
        });
        let changed = self
            .changed
            .swap(false, std::sync::atomic::Ordering::Relaxed);
        // With a watch, the timer is only a safety net (a file: every few minutes; a
        // server: often enough to notice a lost connection soon).
        let every = match &self.watch {
            Some(Some(w)) => w.fallback(),
            _ => every,
        };
        if focused || changed || last.elapsed() >= every {
            self.auto_refresh = Some((REFRESH_EVERY, std::time::Instant::now()));
            match self.store.staff() {
                Ok(s) => {
                    self.staff = StaffDirectory::new(s);
                    if self.status.text.starts_with("Connection") {
                        self.status.info("Connection to the log is back.");
                    }
                    self.read_lock_minutes();
                }
                Err(e) if e.is_connection_lost() => self.status.error(format!(
                    "Connection lost: {e} Retrying every {} seconds; what you are typing is kept.",
                    every.as_secs()
                )),
                Err(e) => self
                    .status
                    .error(format!("Could not re-read the staff list: {e}")),
            }
            self.lists_changed();
        }
        ui.ctx().request_repaint_after(every);
    }

    /// True once, after "Connect to practice server" was pressed in setup.
    pub fn take_server_request(&mut self) -> bool {
        std::mem::take(&mut self.setup.connect_to_server)
    }

    /// The store, for tests and tools that check what the app wrote.
    pub fn store(&self) -> &dyn CutoverStore {
        self.store.as_ref()
    }

    pub fn project(&self) -> Option<&Project> {
        self.project.as_ref()
    }

    pub fn staff(&self) -> &StaffDirectory {
        &self.staff
    }

    /// Starts writing a report to `path` on a background thread, as the export
    /// buttons do after their file dialog (which tests cannot drive).
    pub fn export_report(&mut self, format: super::ReportFormat, path: std::path::PathBuf) {
        let Some(project) = self.project.clone() else {
            self.status.error("Set up the cutover first.");
            return;
        };
        let mut sink = Vec::new();
        let mut cx = AppContext {
            store: self.store.as_mut(),
            project: &project,
            staff: &self.staff,
            desk: self.desk.current(&self.staff),
            now: (self.clock)(),
            status: &mut self.status,
            commands: &mut sink,
        };
        self.report.start_export(&mut cx, format, path);
    }

    /// Queues a command, as a button or shortcut would.
    pub fn send(&mut self, command: Command) {
        self.commands.push(command);
    }

    fn reload_reference(&mut self) {
        match self.store.project() {
            Ok(p) => self.project = p,
            Err(e) => self
                .status
                .error(format!("Could not read the project: {e}")),
        }
        match self.store.staff() {
            Ok(s) => self.staff = StaffDirectory::new(s),
            Err(e) => self
                .status
                .error(format!("Could not read the staff list: {e}")),
        }
        self.read_lock_minutes();
        self.lists_changed();
    }

    /// The log may have changed: every list re-reads when next shown.
    fn lists_changed(&mut self) {
        self.log.today.mark_stale();
        self.worklist.refresh();
        self.progress.mark_stale();
    }

    fn read_lock_minutes(&mut self) {
        match self.store.lock_minutes() {
            Ok(m) => self.lock_minutes = m,
            Err(e) => self.status.error(format!(
                "Could not read the lock time (kept at {} minutes): {e}",
                self.lock_minutes
            )),
        }
    }

    /// Someone new is at the desk (not the same person unlocking): nothing of the
    /// previous person's is left (form, selection, search, half-made changes), and
    /// they start on their own screen: reception on the log; after go-live, a
    /// clinician on their own items and the practice manager on the worklist.
    fn start_fresh(&mut self, now: NaiveDateTime) {
        self.log.forget_person(now);
        self.worklist.forget_person();
        self.practice.forget_person();
        self.report.forget_person();
        self.audit.forget_person();
        let Some(me) = self.desk.current(&self.staff) else {
            return;
        };
        let after_go_live = self.project.as_ref().is_some_and(|p| now >= p.go_live);
        self.screen = if !after_go_live {
            Screen::Log
        } else if me.role.is_clinician() {
            self.worklist.show_my_items();
            Screen::Worklist
        } else if me.role == crate::domain::Role::PracticeManager {
            Screen::Worklist
        } else {
            Screen::Log
        };
        self.lists_changed();
    }

    fn handle_commands(&mut self) {
        let now = (self.clock)();
        for cmd in std::mem::take(&mut self.commands) {
            match cmd {
                Command::Show(screen) => {
                    if screen == Screen::Progress {
                        self.progress.mark_stale();
                    }
                    if screen == Screen::Worklist {
                        self.worklist.refresh();
                    }
                    if screen == Screen::Audit {
                        self.audit.refresh();
                    }
                    self.screen = screen;
                }
                Command::StartItem(kind) => {
                    self.screen = Screen::Log;
                    self.log.start(kind);
                }
                Command::EditItem(id) => {
                    self.screen = Screen::Log;
                    let Some(project) = self.project.clone() else {
                        continue;
                    };
                    let mut sink = Vec::new();
                    let mut cx = AppContext {
                        store: self.store.as_mut(),
                        project: &project,
                        staff: &self.staff,
                        desk: self.desk.current(&self.staff),
                        now,
                        status: &mut self.status,
                        commands: &mut sink,
                    };
                    self.log.edit(&mut cx, id);
                }
                Command::ReloadReference => self.reload_reference(),
                Command::Lock => self.desk.lock(),
                Command::Help(page) => self.help.toggle(page),
            }
        }
    }

    /// Draws the whole app into `ui` (the eframe window, or a test harness).
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        // (The window installs it before the first frame; a test harness here.)
        super::input_pacing::install(ui.ctx());
        super::focus_cycle::steer_tab(ui.ctx());
        self.commands.extend(command::shortcuts(ui.ctx()));
        self.handle_commands();
        self.refresh_if_due(ui);
        let now = (self.clock)();
        self.keep_display(ui.ctx());
        self.help.window_ui(ui.ctx(), self.screen);

        egui::Panel::bottom("status_line").show(ui, |ui| {
            ui.add_space(2.0);
            self.status.ui(ui);
        });

        let Some(project) = self.project.clone() else {
            egui::CentralPanel::default().show(ui, |ui| {
                if self
                    .setup
                    .ui(ui, self.store.as_mut(), now, &mut self.status)
                {
                    self.reload_reference();
                }
            });
            return;
        };

        self.title_ui(ui, &project);
        // Two rows, so a practice PC's 1280-pixel screen (or a larger text size)
        // never puts one control over another: the practice and who is at the
        // desk, then the screens and the display settings.
        egui::Panel::top("top_bar").show(ui, |ui| {
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                ui.strong(format!("{} ({})", project.practice_name, project.ods_code));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    self.desk.bar_ui(ui, &self.staff);
                });
            });
            let signed_in = self.desk.current(&self.staff).is_some();
            ui.horizontal(|ui| {
                // The screens only for someone signed in (before that they lead nowhere).
                for screen in Screen::ALL.into_iter().filter(|_| signed_in) {
                    if ui
                        .add(egui::Button::new(screen.label()).selected(self.screen == screen))
                        .clicked()
                    {
                        self.commands.push(Command::Show(screen));
                    }
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui
                        .button("Help (F1)")
                        .on_hover_text("Shortcuts, how to use this screen, About")
                        .clicked()
                    {
                        self.commands.push(Command::Help(HelpPage::Shortcuts));
                    }
                    display_ui(ui);
                });
            });
            let phase = project.phase(now);
            let fill = theme::banner_fill(ui, phase.is_outside_window());
            egui::Frame::new()
                .fill(fill)
                .inner_margin(6.0)
                .show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    let mut text = project.phase_banner(now);
                    if phase.is_outside_window() {
                        text.push_str(
                            " - items logged now are flagged as outside the cutover window.",
                        );
                    }
                    ui.label(egui::RichText::new(text).strong());
                });
            ui.add_space(2.0);
        });

        self.desk.watch_idle(ui.ctx(), now, self.lock_minutes);
        // Wake when the lock is due, however quiet the desk is.
        if let (Some(_), false, Some(last)) =
            (self.desk.staff, self.desk.locked, self.desk.last_activity)
        {
            let due = last + chrono::Duration::minutes(i64::from(self.lock_minutes)) - now;
            let secs = u64::try_from(due.num_seconds()).unwrap_or(0).max(1);
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs(secs));
        }
        if self.desk.current(&self.staff).is_none() {
            egui::CentralPanel::default().show(ui, |ui| {
                self.desk
                    .sign_in_ui(ui, &self.staff, self.store.as_mut(), now, &mut self.status);
            });
            if let Some(me) = self.desk.current(&self.staff).map(|s| s.id) {
                if self.screens_for == Some(me) {
                    // Their own work, kept for them while they were away.
                    self.lists_changed();
                } else {
                    self.start_fresh(now);
                    self.screens_for = Some(me);
                }
                ui.ctx().request_repaint();
            }
            return;
        }

        let mut cx = AppContext {
            store: self.store.as_mut(),
            project: &project,
            staff: &self.staff,
            desk: self.desk.current(&self.staff),
            now,
            status: &mut self.status,
            commands: &mut self.commands,
        };
        // A report being written on another thread is picked up whatever the screen.
        self.report.poll(&mut cx);
        match self.screen {
            Screen::Log => self.log.ui(ui, &mut cx),
            Screen::Worklist => self.worklist.ui(ui, &mut cx),
            Screen::Progress => {
                egui::CentralPanel::default().show(ui, |ui| self.progress.ui(ui, &mut cx));
            }
            Screen::Report => {
                egui::CentralPanel::default().show(ui, |ui| self.report.ui(ui, &mut cx));
            }
            Screen::Audit => {
                egui::CentralPanel::default().show(ui, |ui| self.audit.ui(ui, &mut cx));
            }
            Screen::Practice => {
                egui::CentralPanel::default().show(ui, |ui| self.practice.ui(ui, &mut cx));
            }
        }
    }
}

impl CutoverApp {
    /// Applies the signed-in person's display settings when they sign in (the
    /// defaults when nobody is), and remembers any change they make.
    fn keep_display(&mut self, ctx: &egui::Context) {
        let current = self.desk.current(&self.staff).map(|s| s.id);
        if current != self.display_for {
            let display = current.map_or_else(Display::default, |id| self.preferences.get(id));
            Preferences::apply(display, ctx);
            self.display_for = current;
        } else if let Some(id) = current {
            let shown = Preferences::read(ctx);
            if shown != self.preferences.get(id) {
                self.preferences.set(id, shown);
            }
        }
    }
}

impl CutoverApp {
    /// Keeps the window title naming the practice (also right after setup).
    fn title_ui(&mut self, ui: &egui::Ui, project: &crate::domain::Project) {
        let title = format!(
            "Cutover Log - {} ({})",
            project.practice_name, project.ods_code
        );
        if self.title.as_deref() != Some(title.as_str()) {
            ui.ctx()
                .send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = Some(title);
        }
    }
}

/// Light or dark and the text size, for whoever is signed in.
fn display_ui(ui: &mut egui::Ui) {
    let ctx = ui.ctx().clone();
    let mut dark = ctx.theme() == egui::Theme::Dark;
    if ui
        .checkbox(&mut dark, "Dark theme")
        .on_hover_text("Light is the default for clinical settings")
        .changed()
    {
        ctx.set_theme(if dark {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        });
    }
    let zoom = ctx.zoom_factor();
    egui::ComboBox::from_label("Text size")
        .selected_text(format!("{:.0}%", zoom * 100.0))
        .show_ui(ui, |ui| {
            for step in ZOOM_STEPS {
                if ui
                    .selectable_label((step - zoom).abs() < 0.01, format!("{:.0}%", step * 100.0))
                    .clicked()
                {
                    ctx.set_zoom_factor(step);
                }
            }
        });
}

impl eframe::App for CutoverApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        CutoverApp::ui(self, ui);
    }
}
