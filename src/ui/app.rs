//! The app: top bar (practice, phase banner, who is at this desk), the current
//! screen, and the status line; commands from every source handled in one place.

use chrono::NaiveDateTime;

use crate::domain::{Project, StaffDirectory};
use crate::store::CutoverStore;

use super::audit_screen::AuditScreen;
use super::capture_screen::CaptureScreen;
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
use super::{AppContext, theme, widgets};

/// What every screen shares, in one place: the log, what is read from it for
/// all of them (the project, the staff list, the lock time) and the clock. Read
/// when the app starts and again whenever the log may have changed
/// ([`CutoverApp::reread`]), never while drawing a frame.
struct Shared {
    store: Box<dyn CutoverStore>,
    clock: fn() -> NaiveDateTime,
    project: Option<Project>,
    staff: StaffDirectory,
    /// Minutes without use before the desk locks (on a server, reading it every
    /// frame would be a round trip per frame).
    lock_minutes: u32,
    /// The folder chosen for backups (read with the rest of the reference data).
    backup_folder: Option<String>,
    /// The practice's deadline numbers.
    deadline_rules: crate::domain::deadline::DeadlineRules,
    /// The last day the old system can be read, if recorded.
    old_system_last_day: Option<chrono::NaiveDate>,
    /// The banner's deadline counts and the minute they were counted (counted
    /// again when the log changes or the minute has moved on and a frame is drawn).
    deadline_counts: Option<(NaiveDateTime, crate::domain::deadline::DeadlineCounts)>,
}

impl Shared {
    /// What a screen may use while it draws, the one place an [`AppContext`] is
    /// made: `None` until the practice is set up.
    fn context<'a>(
        &'a mut self,
        desk: &Desk,
        now: NaiveDateTime,
        status: &'a mut StatusLine,
        commands: &'a mut Vec<Command>,
    ) -> Option<AppContext<'a>> {
        let project = self.project.as_ref()?;
        Some(AppContext {
            store: self.store.as_mut(),
            project,
            staff: &self.staff,
            desk: desk.current(&self.staff),
            now,
            lock_minutes: self.lock_minutes,
            backup_folder: self.backup_folder.as_deref(),
            deadlines: crate::domain::deadline::Deadlines {
                go_live: project.go_live,
                rules: self.deadline_rules,
            },
            old_system_last_day: self.old_system_last_day,
            status,
            commands,
        })
    }
}

impl Shared {
    /// The banner's lines about deadlines (see [`crate::domain::deadline::banner_lines`]),
    /// counted again when the log changed or the minute moved on.
    fn deadline_lines(&mut self, now: NaiveDateTime) -> Vec<(String, bool)> {
        let Some(project) = &self.project else {
            return Vec::new();
        };
        let minute = crate::domain::dates::truncate_to_minute(now);
        let counts = match self.deadline_counts {
            Some((at, c)) if at == minute => c,
            _ => match crate::store::deadlines::counts(self.store.as_ref(), minute) {
                Ok(c) => {
                    self.deadline_counts = Some((minute, c));
                    c
                }
                // The counts are a reminder: the worklist shows the items, and
                // a failing store is reported by the screens that read it.
                Err(_) => return Vec::new(),
            },
        };
        crate::domain::deadline::banner_lines(
            counts,
            self.old_system_last_day,
            project.go_live,
            now,
        )
    }
}

/// The whole app's state.
pub struct CutoverApp {
    shared: Shared,
    pub desk: Desk,
    pub screen: Screen,
    pub setup: SetupScreen,
    pub log: LogScreen,
    pub practice: PracticeScreen,
    pub worklist: WorklistScreen,
    pub progress: ProgressScreen,
    pub report: ReportScreen,
    pub capture: CaptureScreen,
    /// The app's own backups of a log file.
    pub backups: super::auto_backup::AutoBackup,
    /// The new system's reports against the log (the capture screen, reconciling).
    pub reconcile: CaptureScreen,
    pub audit: AuditScreen,
    pub status: StatusLine,
    /// The status line says something of a signed-in person's work: cleared
    /// when the sign-in (or unlock) screen shows, which anyone can see.
    status_of_signed_in: bool,
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
    /// The store's change watch, once started (`Some(None)`: the store has none,
    /// or it would not start; the timer re-reads then).
    watch: Option<Option<crate::store::ChangeWatch>>,
    /// The last re-read found the connection lost (the next good one says it is back).
    connection_lost: bool,
    /// The window title last asked for.
    title: Option<String>,
    /// Whose work the screens hold (their form, selection, search): kept for them
    /// while they are locked or signed out, cleared when someone else signs in.
    screens_for: Option<crate::domain::StaffId>,
    /// An item each person was typing when someone else signed in at this desk
    /// (after a lock or a sign-out): given back, as they left it, when they
    /// sign in again; never shown to anyone else. In memory only.
    kept_forms: std::collections::HashMap<crate::domain::StaffId, super::entry_form::EntryForm>,
    /// The text size last frame (a change gives the keyboard back to the form).
    last_zoom: f32,
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
            shared: Shared {
                store,
                clock,
                project: None,
                staff: StaffDirectory::default(),
                lock_minutes: DEFAULT_LOCK_MINUTES,
                backup_folder: None,
                deadline_rules: crate::domain::deadline::DeadlineRules::default(),
                old_system_last_day: None,
                deadline_counts: None,
            },
            desk: Desk::default(),
            screen: Screen::Log,
            setup: SetupScreen::default(),
            log: LogScreen::new(now),
            practice: PracticeScreen::default(),
            worklist: WorklistScreen::default(),
            progress: ProgressScreen::new(),
            report: ReportScreen::default(),
            capture: CaptureScreen::default(),
            backups: super::auto_backup::AutoBackup::default(),
            reconcile: CaptureScreen::reconciling(),
            audit: AuditScreen::default(),
            status: StatusLine::default(),
            status_of_signed_in: false,
            help: Help::default(),
            preferences: Preferences::default(),
            display_for: None,
            commands: Vec::new(),
            auto_refresh: None,
            changed: std::sync::Arc::default(),
            watch: None,
            connection_lost: false,
            title: None,
            screens_for: None,
            kept_forms: std::collections::HashMap::new(),
            last_zoom: 1.0,
        };
        app.reread();
        // After go-live the log has become the practice's to-do list: open on it.
        if app
            .shared
            .project
            .as_ref()
            .is_some_and(|p| now >= p.go_live)
        {
            app.screen = Screen::Worklist;
        }
        app
    }

    /// Reads the worklist on a thread of its own and re-reads on the store's change
    /// watch and a timer, as the running app does. (Tests read inline, and are told
    /// of another desk's change with [`Self::notice_change`].)
    pub fn reading_in_background(mut self) -> Self {
        self.worklist.read_in_background();
        self.auto_refresh = Some((REFRESH_EVERY, std::time::Instant::now()));
        self
    }

    /// Re-reads when it is time (see `auto_refresh`), so desks see each other's
    /// changes without restarting; and at once when told the log changed.
    fn refresh_if_due(&mut self, ui: &egui::Ui) {
        let changed = self
            .changed
            .swap(false, std::sync::atomic::Ordering::Relaxed);
        let Some((every, last)) = self.auto_refresh else {
            // A test harness has no timer and no watch, but is told of a change
            // (`notice_change`) where the app's watch would have told it.
            if changed {
                self.reread();
            }
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
            self.watch = Some(match self.shared.store.watch_changes(on_change) {
                Ok(watch) => watch,
                Err(e) => {
                    self.status.warning(format!(
                        "Changes made at other desks will show within {} seconds, not at once (the log's change watch did not start: {e}).",
                        every.as_secs()
                    ));
                    None
                }
            });
        }
        let focused = ui.input(|i| {
            i.events
                .iter()
                .any(|e| matches!(e, egui::Event::WindowFocused(true)))
        });
        let every = self.refresh_every().unwrap_or(every);
        if focused || changed || last.elapsed() >= every {
            self.auto_refresh = Some((REFRESH_EVERY, std::time::Instant::now()));
            self.reread();
        }
        ui.ctx().request_repaint_after(every);
    }

    /// How often the running app re-reads on its own: with a watch, only as a
    /// safety net (a file: every few minutes; a server: often enough to notice a
    /// lost connection soon). `None` in a test harness.
    fn refresh_every(&self) -> Option<std::time::Duration> {
        let (every, _) = self.auto_refresh?;
        Some(match &self.watch {
            Some(Some(w)) => w.fallback(),
            _ => every,
        })
    }

    /// What the store's change watch does when any desk changed the log: the next
    /// frame re-reads ([`Self::reread`]). The running app's watch does this by
    /// itself; a test harness, which has none, is told here where the app would
    /// have been.
    pub fn notice_change(&self) {
        self.changed
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// True once, after "Connect to practice server" was pressed in setup.
    pub fn take_server_request(&mut self) -> bool {
        std::mem::take(&mut self.setup.connect_to_server)
    }

    /// The store, for tests and tools that check what the app wrote.
    pub fn store(&self) -> &dyn CutoverStore {
        self.shared.store.as_ref()
    }

    pub fn project(&self) -> Option<&Project> {
        self.shared.project.as_ref()
    }

    pub fn staff(&self) -> &StaffDirectory {
        &self.shared.staff
    }

    /// Starts writing a report to `path` on a background thread, as the export
    /// buttons do after their file dialog (which tests cannot drive).
    pub fn export_report(&mut self, format: super::ReportFormat, path: std::path::PathBuf) {
        let now = (self.shared.clock)();
        let Some(mut cx) =
            self.shared
                .context(&self.desk, now, &mut self.status, &mut self.commands)
        else {
            self.status.error("Set up the cutover first.");
            return;
        };
        self.report.start_export(&mut cx, format, path);
    }

    /// Queues a command, as a button or shortcut would.
    pub fn send(&mut self, command: Command) {
        self.commands.push(command);
    }

    /// The log may have changed (this desk's setup or staff change, another
    /// desk's save, a reconnection): re-reads what every screen shares, then every
    /// list when next shown. The one re-read path, whatever asked for it.
    fn reread(&mut self) {
        let shared = &mut self.shared;
        let mut problem: Option<(String, crate::store::StoreError)> = None;
        keep_or_report(
            &mut shared.project,
            shared.store.project(),
            &mut problem,
            || "Could not read the project".into(),
        );
        // Once the connection is found lost, each further read would only wait to
        // find the same.
        let lost = |p: &Option<(String, crate::store::StoreError)>| {
            p.as_ref().is_some_and(|(_, e)| e.is_connection_lost())
        };
        if !lost(&problem) {
            let staff = shared.store.staff().map(StaffDirectory::new);
            keep_or_report(&mut shared.staff, staff, &mut problem, || {
                "Could not read the staff list".into()
            });
        }
        if !lost(&problem) {
            let store = &shared.store;
            keep_or_report(
                &mut shared.backup_folder,
                store.backup_folder(),
                &mut problem,
                || "Could not read the backup folder".into(),
            );
            keep_or_report(
                &mut shared.deadline_rules,
                store.deadline_rules(),
                &mut problem,
                || "Could not read the practice's deadlines".into(),
            );
            let last_day = store.old_system_access_ends();
            keep_or_report(
                &mut shared.old_system_last_day,
                last_day,
                &mut problem,
                || "Could not read the old system's access end".into(),
            );
            shared.deadline_counts = None;
            let kept = shared.lock_minutes;
            keep_or_report(
                &mut shared.lock_minutes,
                store.lock_minutes(),
                &mut problem,
                || format!("Could not read the lock time (kept at {kept} minutes)"),
            );
        }
        // Read with the reference data, not every frame.
        self.backups.dir = self
            .shared
            .backup_folder
            .as_ref()
            .map(std::path::PathBuf::from);
        let retry = self.refresh_every();
        match problem {
            None => {
                if std::mem::take(&mut self.connection_lost) {
                    self.status.info("Connection to the log is back.");
                }
            }
            Some((_, e)) if e.is_connection_lost() && retry.is_some() => {
                self.connection_lost = true;
                self.status.error(format!(
                    "Connection lost: {e} Retrying every {} seconds; what you are typing is kept.",
                    retry.map_or(0, |d| d.as_secs())
                ));
            }
            Some((what, e)) => self.status.error(format!("{what}: {e}")),
        }
        self.lists_changed();
    }

    /// The log may have changed: every list re-reads when next shown.
    fn lists_changed(&mut self) {
        self.shared.deadline_counts = None;
        self.log.today.mark_stale();
        self.worklist.refresh();
        self.progress.mark_stale();
        self.report.mark_stale();
        self.capture.mark_stale();
        self.reconcile.mark_stale();
        self.backups.log_changed();
    }

    /// `screen` is about to be shown: what it lists is read afresh (the log may
    /// have changed on another screen since).
    fn showing(&mut self, screen: Screen) {
        match screen {
            Screen::Worklist => self.worklist.refresh(),
            Screen::Progress => self.progress.mark_stale(),
            Screen::Report => self.report.mark_stale(),
            Screen::Audit => self.audit.refresh(),
            Screen::Capture => self.capture.mark_stale(),
            Screen::Reconcile => self.reconcile.mark_stale(),
            Screen::Practice => self.practice.mark_stale(),
            Screen::Log => {}
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
        self.capture.forget_person();
        self.reconcile.forget_person();
        self.audit.forget_person();
        let Some(me) = self.desk.current(&self.shared.staff) else {
            return;
        };
        let after_go_live = self
            .shared
            .project
            .as_ref()
            .is_some_and(|p| now >= p.go_live);
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
        let now = (self.shared.clock)();
        for cmd in std::mem::take(&mut self.commands) {
            match cmd {
                Command::Show(screen) => {
                    self.showing(screen);
                    self.screen = screen;
                }
                Command::StartItem(kind) => {
                    self.screen = Screen::Log;
                    self.log.start(kind);
                }
                Command::EditItem(id) => {
                    self.screen = Screen::Log;
                    // (What the form sends while opening the item is handled next frame.)
                    if let Some(mut cx) =
                        self.shared
                            .context(&self.desk, now, &mut self.status, &mut self.commands)
                    {
                        self.log.edit(&mut cx, id);
                    }
                }
                Command::ReloadReference => self.reread(),
                Command::Lock => self.desk.lock(),
                Command::TodaysPlan => {
                    self.worklist.show_todays_plan();
                    self.showing(Screen::Worklist);
                    self.screen = Screen::Worklist;
                }
                Command::Help(page) => self.help.toggle(page),
            }
        }
    }

    /// Help and the display settings, drawn right to left (the top bar's).
    fn help_and_display_ui(&mut self, ui: &mut egui::Ui) {
        if ui
            .button("Help (F1)")
            .on_hover_text("Shortcuts, how to use this screen, About")
            .clicked()
        {
            self.commands.push(Command::Help(HelpPage::Shortcuts));
        }
        display_ui(ui);
    }

    /// Draws the whole app into `ui` (the eframe window, or a test harness).
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        // (The window installs it before the first frame; a test harness here.)
        super::input_pacing::install(ui.ctx());
        super::focus_cycle::steer_tab(ui.ctx());
        super::preferences::zoom_keys(ui.ctx());
        self.commands.extend(command::shortcuts(ui.ctx()));
        self.handle_commands();
        self.refresh_if_due(ui);
        let now = (self.shared.clock)();
        let zoom = ui.ctx().zoom_factor();
        self.keep_display(ui.ctx());
        let help_was_open = self.help.open;
        self.help.window_ui(ui.ctx(), self.screen);
        // Help closed, or the text size changed: the keyboard back to the form.
        if (help_was_open && !self.help.open) || (zoom - self.last_zoom).abs() > f32::EPSILON {
            self.log.give_back_focus = true;
        }
        self.last_zoom = zoom;

        egui::Panel::bottom("status_line").show(ui, |ui| {
            ui.add_space(2.0);
            self.status.ui(ui);
        });

        let Some(project) = self.shared.project.clone() else {
            egui::CentralPanel::default().show(ui, |ui| {
                if self
                    .setup
                    .ui(ui, self.shared.store.as_mut(), now, &mut self.status)
                {
                    self.reread();
                }
            });
            return;
        };

        self.backups.tick(self.shared.store.as_ref(), now);
        if self.backups.is_running() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(200));
        } else if let Some(due) = self.backups.next_due(now) {
            ui.ctx().request_repaint_after(due);
        }
        self.title_ui(ui, &project);
        // Two rows, so a practice PC's 1280-pixel screen (or a larger text size)
        // never puts one control over another: the practice and who is at the
        // desk, then the screens and the display settings (which go up into the
        // first row's gap when they would not fit beside the screens, and only
        // failing that onto a row of their own).
        egui::Panel::top("top_bar").show(ui, |ui| {
            ui.add_space(4.0);
            let signed_in = self.desk.current(&self.shared.staff).is_some();
            let mut place = DisplayPlace::remembered(ui.ctx(), signed_in);
            ui.horizontal(|ui| {
                ui.strong(format!("{} ({})", project.practice_name, project.ods_code));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let was = self.desk.staff;
                    self.desk.bar_ui(ui, &self.shared.staff);
                    if was.is_some() && self.desk.staff.is_none() {
                        // Signed out: what they did is backed up before anyone else sits down.
                        self.backups.now_and_wait(self.shared.store.as_ref(), now);
                    }
                    place.first_row_ui(ui, |ui| self.help_and_display_ui(ui));
                });
            });
            ui.horizontal_wrapped(|ui| {
                // The screens only for someone signed in (before that they lead nowhere).
                for screen in Screen::ALL.into_iter().filter(|_| signed_in) {
                    if ui
                        .add(egui::Button::new(screen.label()).selected(self.screen == screen))
                        .clicked()
                    {
                        self.commands.push(Command::Show(screen));
                    }
                }
                place.second_row_ui(ui, |ui| self.help_and_display_ui(ui));
            });
            place.remember(ui.ctx());
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
                    for (line, warning) in self.shared.deadline_lines(now) {
                        if warning {
                            widgets::error_label(ui, &line);
                        } else {
                            ui.label(line);
                        }
                    }
                    if let Some(warning) = self.backups.warning() {
                        widgets::error_label(ui, &warning);
                    }
                });
            ui.add_space(2.0);
        });

        self.desk
            .watch_idle(ui.ctx(), now, self.shared.lock_minutes);
        // Wake when the lock is due, however quiet the desk is.
        if let (Some(_), false, Some(last)) =
            (self.desk.staff, self.desk.locked, self.desk.last_activity)
        {
            let due = last + chrono::Duration::minutes(i64::from(self.shared.lock_minutes)) - now;
            let secs = u64::try_from(due.num_seconds()).unwrap_or(0).max(1);
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs(secs));
        }
        if self.desk.current(&self.shared.staff).is_none() {
            if std::mem::take(&mut self.status_of_signed_in) {
                // Nothing of the last person's work ("Marked 1 item…") on the
                // screen anyone at the desk can see.
                self.status = StatusLine::default();
                if !self.desk.locked && self.log.form.is_filled() {
                    // Signed out with an item half typed: kept, and said so
                    // (in words that name nobody).
                    self.status.info(
                        "Signed out. The item being typed is kept: it comes back when the same person signs in.",
                    );
                }
            }
            let was_locked = self.desk.locked;
            egui::CentralPanel::default().show(ui, |ui| {
                self.desk.sign_in_ui(
                    ui,
                    &self.shared.staff,
                    self.shared.store.as_mut(),
                    now,
                    &mut self.status,
                );
            });
            if was_locked && !self.desk.locked && self.desk.staff.is_none() {
                // "Sign in as someone else" at a locked desk: the locked person
                // never signed out; their work is backed up now, on a thread.
                self.backups.soon();
            }
            if let Some(me) = self.desk.current(&self.shared.staff).map(|s| s.id) {
                if self.screens_for == Some(me) {
                    // Their own work, kept for them while they were away, and
                    // the keyboard back where they left it.
                    self.lists_changed();
                    self.log.give_back_focus = true;
                } else {
                    // The last person's half-typed item waits for them.
                    if let Some(before) = self.screens_for
                        && self.log.form.is_filled()
                    {
                        self.kept_forms.insert(before, self.log.form.clone());
                    }
                    self.start_fresh(now);
                    self.screens_for = Some(me);
                    // The keyboard in the form's first field for the new person.
                    self.log.give_back_focus = true;
                    if let Some(form) = self.kept_forms.remove(&me) {
                        self.log.form = form;
                        self.log.give_back_focus = true;
                        self.screen = Screen::Log;
                        let signed_in = self.status.text.clone();
                        self.status.info(format!(
                            "{signed_in} The item you were typing is as you left it: check it, then press Enter to save it."
                        ));
                    }
                }
                ui.ctx().request_repaint();
            }
            return;
        }

        self.status_of_signed_in = true;
        let Some(mut cx) =
            self.shared
                .context(&self.desk, now, &mut self.status, &mut self.commands)
        else {
            return;
        };
        // A report being written on another thread is picked up whatever the screen.
        self.report.poll(&mut cx);
        self.capture.poll(&mut cx);
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
            Screen::Capture => {
                egui::CentralPanel::default().show(ui, |ui| self.capture.ui(ui, &mut cx));
            }
            Screen::Reconcile => {
                egui::CentralPanel::default().show(ui, |ui| self.reconcile.ui(ui, &mut cx));
            }
        }
    }
}

impl CutoverApp {
    /// The app is closing: the log is backed up once more if it changed.
    pub fn on_close(&mut self) {
        let now = (self.shared.clock)();
        self.backups.now_and_wait(self.shared.store.as_ref(), now);
    }

    /// Applies the signed-in person's display settings when they sign in (the
    /// defaults when nobody is), and remembers any change they make.
    fn keep_display(&mut self, ctx: &egui::Context) {
        let current = self.desk.current(&self.shared.staff).map(|s| s.id);
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

/// Where the top bar's display settings and Help go: at the right of the
/// screens' row when they fit there; else in the gap of the first row (between
/// the practice's name and who is signed in) when they fit there; else at the
/// right of a row of their own. Never over another control. Widths are measured
/// as drawn and kept for the next frame (a change asks for one more frame).
#[derive(Clone, Copy, Debug, PartialEq)]
struct DisplayPlace {
    /// The settings' width (unknown at first: infinite, so never over anything).
    width: f32,
    /// What the screens' row had left beside the screens.
    beside_screens: f32,
    /// Drawn in the first row this frame.
    drawn_first: bool,
    /// As remembered, to know whether anything changed.
    was: Option<(f32, f32)>,
    signed_in: bool,
}

impl DisplayPlace {
    fn id() -> egui::Id {
        egui::Id::unique("cutover_log::top_bar::display_place")
    }

    fn remembered(ctx: &egui::Context, signed_in: bool) -> Self {
        let was: Option<(f32, f32)> = ctx.data(|d| d.get_temp(Self::id()));
        let (width, beside_screens) = was.unwrap_or((f32::INFINITY, f32::INFINITY));
        Self {
            width,
            beside_screens,
            drawn_first: false,
            was,
            signed_in,
        }
    }

    fn room_for(&self, ui: &egui::Ui, free: f32) -> bool {
        free >= self.width + ui.spacing().item_spacing.x
    }

    /// In the first row's right-to-left part, after who is signed in: draws
    /// them here if they would not fit beside the screens but fit here.
    fn first_row_ui(&mut self, ui: &mut egui::Ui, add_contents: impl FnOnce(&mut egui::Ui)) {
        let crowded = self.signed_in && !self.room_for(ui, self.beside_screens);
        // A little more than the width, so the practice's name keeps its space.
        let gap = ui.available_size_before_wrap().x - 2.0 * ui.spacing().item_spacing.x;
        if crowded && self.width.is_finite() && self.room_for(ui, gap) {
            self.width = drawn_width(ui, add_contents);
            self.drawn_first = true;
        }
    }

    /// At the end of the screens' (wrapping) row.
    fn second_row_ui(&mut self, ui: &mut egui::Ui, add_contents: impl FnOnce(&mut egui::Ui)) {
        // (In a wrapping row, what is left of this row; `available_width` is the whole row.)
        self.beside_screens = ui.available_size_before_wrap().x;
        if self.drawn_first {
            return;
        }
        if !self.room_for(ui, self.beside_screens) {
            ui.end_row();
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            self.width = drawn_width(ui, add_contents);
        });
    }

    fn remember(&self, ctx: &egui::Context) {
        let now = (self.width, self.beside_screens);
        let changed = self
            .was
            .is_none_or(|(w, b)| (w - now.0).abs() > 0.5 || (b - now.1).abs() > 0.5);
        if changed {
            ctx.data_mut(|d| d.insert_temp(Self::id(), now));
            // Laid out again at once with the widths now known.
            ctx.request_repaint();
        }
    }
}

/// Draws `add_contents` in a right-to-left `ui`; the width it took.
fn drawn_width(ui: &mut egui::Ui, add_contents: impl FnOnce(&mut egui::Ui)) -> f32 {
    let right = ui.cursor().max.x;
    add_contents(ui);
    // Right to left: the cursor has moved left past what was drawn.
    right - ui.cursor().max.x
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
        // As narrow as "175%" needs: the top bar is short of room at large text.
        .width(64.0)
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

/// One read of what every screen shares: the value read replaces `slot`; on an
/// error `slot` keeps what it had and the first problem of the re-read is kept
/// (the one the status line shows).
fn keep_or_report<T>(
    slot: &mut T,
    read: Result<T, crate::store::StoreError>,
    problem: &mut Option<(String, crate::store::StoreError)>,
    what: impl FnOnce() -> String,
) {
    match read {
        Ok(value) => *slot = value,
        Err(e) => {
            problem.get_or_insert_with(|| (what(), e));
        }
    }
}
