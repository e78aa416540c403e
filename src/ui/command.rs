//! Commands: what buttons, menus and keyboard shortcuts ask for, handled in one
//! place each frame by [`super::CutoverApp`].

use crate::domain::{ItemId, ItemKind};

/// The app's screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Screen {
    /// Logging items at the desk, with today's log.
    #[default]
    Log,
    /// After go-live: the re-entry worklist.
    Worklist,
    /// Totals, people and the burndown.
    Progress,
    /// Sign-off and the re-entry report.
    Report,
    /// Who did what: the audit trail.
    Audit,
    /// The practice: cutover window, go-live and staff.
    Practice,
    /// Capture from a report of the old system.
    Capture,
    /// After go-live: the new system's reports reconciled against the log.
    Reconcile,
}

impl Screen {
    pub const ALL: [Screen; 8] = [
        Screen::Log,
        Screen::Capture,
        Screen::Worklist,
        Screen::Reconcile,
        Screen::Progress,
        Screen::Report,
        Screen::Practice,
        Screen::Audit,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Screen::Log => "Log (F2)",
            Screen::Worklist => "Worklist (F3)",
            Screen::Progress => "Progress (F4)",
            Screen::Report => "Sign-off (F6)",
            Screen::Audit => "Audit (F7)",
            Screen::Practice => "Practice (F5)",
            Screen::Capture => "Capture (F8)",
            Screen::Reconcile => "Reconcile (F9)",
        }
    }

    pub fn key(self) -> egui::Key {
        match self {
            Screen::Log => egui::Key::F2,
            Screen::Worklist => egui::Key::F3,
            Screen::Progress => egui::Key::F4,
            Screen::Report => egui::Key::F6,
            Screen::Audit => egui::Key::F7,
            Screen::Practice => egui::Key::F5,
            Screen::Capture => egui::Key::F8,
            Screen::Reconcile => egui::Key::F9,
        }
    }
}

/// Something the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Go to a screen.
    Show(Screen),
    /// Start logging an item of this kind (Alt + the kind's letter).
    StartItem(ItemKind),
    /// Open a logged item in the entry form for correction.
    EditItem(ItemId),
    /// The staff list or project changed: read them again.
    ReloadReference,
    /// Lock the desk now (Ctrl+L); the screens keep what was typed.
    Lock,
    /// The worklist on today's plan (Ctrl+T): open items overdue or due today.
    TodaysPlan,
    /// Open (or close) the help window on a page: F1 the shortcuts, Shift+F1 About.
    Help(super::help::HelpPage),
}

/// Reads the global shortcuts from this frame's input.
pub fn shortcuts(ctx: &egui::Context) -> Vec<Command> {
    let mut out = Vec::new();
    ctx.input_mut(|i| {
        for screen in Screen::ALL {
            if i.consume_key(egui::Modifiers::NONE, screen.key()) {
                out.push(Command::Show(screen));
            }
        }
        if i.consume_key(egui::Modifiers::COMMAND, egui::Key::L) {
            out.push(Command::Lock);
        }
        if i.consume_key(egui::Modifiers::COMMAND, egui::Key::T) {
            out.push(Command::TodaysPlan);
        }
        if i.consume_key(egui::Modifiers::SHIFT, egui::Key::F1) {
            out.push(Command::Help(super::help::HelpPage::About));
        }
        if i.consume_key(egui::Modifiers::NONE, egui::Key::F1) {
            out.push(Command::Help(super::help::HelpPage::Shortcuts));
        }
        for kind in ItemKind::ALL {
            let letter = kind.shortcut_letter().to_string();
            if let Some(key) = egui::Key::from_name(&letter)
                && i.consume_key(egui::Modifiers::ALT, key)
            {
                // Some platforms also send the letter as typed text: keep it out of the form.
                i.events.retain(
                    |e| !matches!(e, egui::Event::Text(t) if t.eq_ignore_ascii_case(&letter)),
                );
                out.push(Command::StartItem(kind));
            }
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(key: egui::Key, modifiers: egui::Modifiers) -> Vec<Command> {
        let ctx = egui::Context::default();
        let mut input = egui::RawInput::default();
        input.events.push(egui::Event::Key {
            key,
            physical_key: None,
            pressed: true,
            repeat: false,
            modifiers,
        });
        let mut out = Vec::new();
        let mut output = ctx.run_ui(input, |ui| out = shortcuts(ui.ctx()));
        output.textures_delta.clear();
        out
    }

    #[test]
    fn function_keys_switch_screens_and_alt_letters_start_items() {
        for screen in Screen::ALL {
            assert_eq!(
                press(screen.key(), egui::Modifiers::NONE),
                vec![Command::Show(screen)],
                "{screen:?}"
            );
        }
        assert_eq!(
            press(egui::Key::P, egui::Modifiers::ALT),
            vec![Command::StartItem(ItemKind::Prescription)]
        );
        assert!(press(egui::Key::P, egui::Modifiers::NONE).is_empty());
    }
}
