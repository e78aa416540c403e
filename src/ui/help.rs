//! Help (F1): the keyboard-shortcut sheet, a short "how to" for the screen in
//! use, and the About page (version, database, clinical-safety documents).
//! Opens over whatever screen is showing; Esc or F1 closes it.

use egui::Ui;

use super::command::Screen;
use crate::domain::ItemKind;

/// The clinical-safety documents, built into the program so they travel with it.
const HAZARD_LOG: &str = include_str!("../../docs/clinical-safety/hazard-log.md");
const SAFETY_CASE: &str = include_str!("../../docs/clinical-safety/safety-case.md");

/// Which page of the help window is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HelpPage {
    #[default]
    Shortcuts,
    HowTo,
    About,
    HazardLog,
    SafetyCase,
}

impl HelpPage {
    const ALL: [HelpPage; 5] = [
        HelpPage::Shortcuts,
        HelpPage::HowTo,
        HelpPage::About,
        HelpPage::HazardLog,
        HelpPage::SafetyCase,
    ];

    fn label(self) -> &'static str {
        match self {
            HelpPage::Shortcuts => "Keyboard shortcuts",
            HelpPage::HowTo => "How to use this screen",
            HelpPage::About => "About Cutover Log",
            HelpPage::HazardLog => "Hazard log",
            HelpPage::SafetyCase => "Safety case",
        }
    }
}

/// What the About page shows about this copy of the app.
#[derive(Debug, Clone, Default)]
pub struct AboutInfo {
    /// Where the log is kept (file path or server), shown so support can find it.
    pub database: String,
}

/// The help window's state.
#[derive(Debug, Default)]
pub struct Help {
    pub open: bool,
    pub page: HelpPage,
    pub about: AboutInfo,
}

/// One line of the shortcut sheet: keys and what they do.
pub fn shortcut_sheet() -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = vec![
        ("F1".into(), "This help: shortcuts, how to, about".into()),
        ("Shift+F1".into(), "About Cutover Log".into()),
    ];
    for screen in Screen::ALL {
        let (name, key) = screen
            .label()
            .rsplit_once(" (")
            .map_or((screen.label(), ""), |(n, k)| (n, k.trim_end_matches(')')));
        rows.push((key.to_string(), format!("Go to {name}")));
    }
    for kind in ItemKind::ALL {
        rows.push((
            format!("Alt+{}", kind.shortcut_letter()),
            format!("Log a new {}", kind.noun()),
        ));
    }
    rows.extend(
        [
            (
                "Enter",
                "Save the item (on the log); a second Enter saves a possible duplicate",
            ),
            ("Esc", "Clear the form / close this help"),
            ("Tab / Shift+Tab", "Next / previous field"),
            ("Ctrl+L", "Lock the desk (your typing is kept)"),
            (
                "Ctrl+T",
                "Today's plan: the open items overdue or due today, soonest first",
            ),
            (
                "Ctrl+Plus / Ctrl+Minus / Ctrl+0",
                "Larger / smaller / normal text",
            ),
            (
                "Worklist: Up, Down, Page Up, Page Down",
                "Move between items",
            ),
            ("Worklist: Shift+Up, Shift+Down", "Select several items"),
            ("Worklist: Space or R", "Tick the item off as re-entered"),
            (
                "Worklist: N",
                "Not needed: asks for the reason (Enter applies, Esc cancels)",
            ),
            (
                "Worklist: P",
                "A problem: asks for a note (Enter applies, Esc cancels)",
            ),
            ("Worklist: O", "Reopen"),
            ("Worklist: Ctrl+Z", "Undo the last tick-off"),
        ]
        .map(|(k, d)| (k.to_string(), d.to_string())),
    );
    rows
}

/// A few lines on what each screen is for and how to use it.
pub fn how_to(screen: Screen) -> &'static str {
    match screen {
        Screen::Log => {
            "Log each change made in the old system during the cutover, as it happens.\n\
             1. Pick the kind (or press Alt + its letter, e.g. Alt+P for a prescription).\n\
             2. Type the NHS number: it is checked as you type; a typo is caught here.\n\
             3. Fill in the fields; dates as 25/11/2026, times as 14:05.\n\
             4. Press Enter to save. The form clears for the next item and keeps the kind.\n\
             Today's log, below, shows what you and the practice have logged; select an \
             item there to correct it, or void it (with a reason) if it was logged in error."
        }
        Screen::Worklist => {
            "After go-live, each logged item must be re-entered in the new system.\n\
             Filter by kind, status, person, clinician, dates or any text (name, NHS number).\n\
             Select an item: its details are on the right in the new system's order, with \
             Copy buttons. Re-enter it in the new system, then press Space to tick it off \
             (your name and the time are recorded). N marks it not needed and P a problem: \
             each asks for the reason in a box (Enter applies, Esc cancels). Ctrl+Z undoes the last change. \"My items\" shows what \
             is assigned to you."
        }
        Screen::Progress => {
            "How far re-entry has got: open items by kind and by person, and a chart of \
             open items per day since go-live. Use it to share the work out."
        }
        Screen::Report => {
            "When every item is re-entered or marked not needed, the practice manager (or a \
             GP as clinical lead) signs the re-entry off here. Export the completed report \
             as PDF for the practice's records, or CSV for a spreadsheet. Before sign-off the \
             PDF is marked INTERIM on every page."
        }
        Screen::Practice => {
            "The practice manager's settings: the cutover start and go-live, the time before \
             an idle desk locks, the staff list and passwords, and (after sign-off, with the \
             final report kept) removing patient details from this log."
        }
        Screen::Capture => {
            "Capture from a report: choose a report the old system made (CSV, Excel or ODS), \
             check which column gives each field, and read the preview: the rows the hand log \
             missed, the ones already logged, and any with a problem (row, column and why). \
             Capture adds the missed rows and records the others as confirmed; the same file \
             captured twice adds nothing. The mapping is saved for the next report like it."
        }
        Screen::Reconcile => {
            "Reconcile after go-live: choose a report the new system made for the same \
             period (appointments booked, medication issued, consultations), check the \
             mapping, and read the results. A confident match that nothing else competes for \
             is proposed: accept them all at once or one by one, and each item is recorded \
             as verified against that report row (an outstanding one is marked re-entered). \
             Possible or ambiguous matches are only ever accepted one by one. Items ticked \
             re-entered that the report does not have are listed; \"Flag the ... not found\" marks \
             them for a second look, and the worklist's New system filter finds them."
        }
        Screen::Audit => {
            "Every change, who made it and when, in order. The trail is chained: \
             \"Verify\" shows whether anything in it has been altered."
        }
    }
}

impl Help {
    /// Opens on `page`, or closes if that page is already showing.
    pub fn toggle(&mut self, page: HelpPage) {
        if self.open && self.page == page {
            self.open = false;
        } else {
            self.open = true;
            self.page = page;
        }
    }

    /// Draws the help window when it is open.
    pub fn window_ui(&mut self, ctx: &egui::Context, screen: Screen) {
        if !self.open {
            return;
        }
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape)) {
            self.open = false;
            return;
        }
        let mut open = self.open;
        // Tall enough for the whole shortcut sheet on a 768-pixel screen.
        let window_rect = ctx.content_rect();
        egui::Window::new("Help")
            .open(&mut open)
            .default_size([620.0, (window_rect.height() - 60.0).clamp(320.0, 900.0)])
            .collapsible(false)
            .show(ctx, |ui| {
                ui.horizontal_wrapped(|ui| {
                    for page in HelpPage::ALL {
                        if ui
                            .add(egui::Button::new(page.label()).selected(self.page == page))
                            .clicked()
                        {
                            self.page = page;
                        }
                    }
                });
                ui.separator();
                egui::ScrollArea::vertical().show(ui, |ui| match self.page {
                    HelpPage::Shortcuts => shortcuts_ui(ui),
                    HelpPage::HowTo => {
                        ui.heading(screen.label());
                        ui.label(how_to(screen));
                    }
                    HelpPage::About => self.about_ui(ui),
                    HelpPage::HazardLog => {
                        ui.label(HAZARD_LOG);
                    }
                    HelpPage::SafetyCase => {
                        ui.label(SAFETY_CASE);
                    }
                });
            });
        self.open = open;
    }

    fn about_ui(&self, ui: &mut Ui) {
        ui.heading(format!("Cutover Log {}", env!("CARGO_PKG_VERSION")));
        ui.label(
            "Logs what is entered in the old clinical system during a GP practice's system \
             change, so that all of it is re-entered in the new system after go-live.",
        );
        ui.add_space(6.0);
        egui::Grid::new("about_grid").num_columns(2).show(ui, |ui| {
            ui.label("Version");
            ui.label(env!("CARGO_PKG_VERSION"));
            ui.end_row();
            ui.label("Database");
            ui.label(&self.about.database);
            ui.end_row();
            ui.label("Clinical safety");
            ui.label("Hazard log and safety case: the pages beside this one (also in docs/clinical-safety/).");
            ui.end_row();
            ui.label("Patient data");
            ui.label("Stays on this computer (or the practice's server); it leaves only in a file you export.");
            ui.end_row();
        });
    }
}

fn shortcuts_ui(ui: &mut Ui) {
    egui::Grid::new("shortcut_sheet")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for (keys, what) in shortcut_sheet() {
                ui.strong(keys);
                ui.label(what);
                ui.end_row();
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sheet_lists_every_screen_key_and_every_kind_letter() {
        let sheet = shortcut_sheet();
        for screen in Screen::ALL {
            let key = format!("{:?}", screen.key());
            assert!(sheet.iter().any(|(k, _)| *k == key), "{key} missing");
        }
        for kind in ItemKind::ALL {
            let key = format!("Alt+{}", kind.shortcut_letter());
            assert!(sheet.iter().any(|(k, _)| *k == key), "{key} missing");
        }
    }
}
