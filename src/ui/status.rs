//! The status line: confirms each save and shows errors without stealing focus.

/// How serious a status message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Level {
    #[default]
    Info,
    Warning,
    Error,
}

/// The one-line message at the bottom of the window.
#[derive(Debug, Clone, Default)]
pub struct StatusLine {
    pub text: String,
    pub level: Level,
}

impl StatusLine {
    pub fn info(&mut self, text: impl Into<String>) {
        self.text = text.into();
        self.level = Level::Info;
    }

    pub fn warning(&mut self, text: impl Into<String>) {
        self.text = text.into();
        self.level = Level::Warning;
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.text = text.into();
        self.level = Level::Error;
    }

    pub fn ui(&self, ui: &mut egui::Ui) {
        let color = match self.level {
            Level::Info => ui.visuals().text_color(),
            Level::Warning => super::theme::warning_color(ui),
            Level::Error => super::theme::error_color(ui),
        };
        let prefix = match self.level {
            Level::Info => "",
            Level::Warning => "Warning: ",
            Level::Error => "Error: ",
        };
        ui.label(egui::RichText::new(format!("{prefix}{}", self.text)).color(color))
            .on_hover_text("Status");
    }
}
