//! The eframe window around [`StartApp`]: what is kept on this computer between
//! runs (each person's display settings) and what the app shows about itself.

use super::StartApp;
use super::preferences::{Preferences, STORAGE_KEY};

/// The app as eframe runs it.
pub struct Window {
    start: StartApp,
    /// Where eframe keeps this database's display settings.
    key: String,
    /// Settings read at start, handed to the app once it is open (after a passphrase, perhaps).
    saved: Option<String>,
    database: String,
}

impl Window {
    /// Wraps `start`; `storage` is eframe's (absent when persistence is off).
    pub fn new(
        start: StartApp,
        database: &std::path::Path,
        storage: Option<&dyn eframe::Storage>,
    ) -> Self {
        // Staff ids are per database, so each database keeps its own settings.
        let key = format!("{STORAGE_KEY}:{}", database.display());
        let saved = storage.and_then(|s| s.get_string(&key));
        Self {
            start,
            key,
            saved,
            database: database.display().to_string(),
        }
    }
}

impl eframe::App for Window {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        if let StartApp::Open(app) = &mut self.start
            && app.help.about.database.is_empty()
        {
            app.help.about.database = self.database.clone();
            if let Some(text) = self.saved.take() {
                app.preferences = Preferences::from_text(&text);
            }
        }
        let _ = frame;
        StartApp::ui(&mut self.start, ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if let StartApp::Open(app) = &self.start {
            storage.set_string(&self.key, app.preferences.to_text());
        }
    }
}
