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
    /// Wraps `start`; `storage` is eframe's (absent when persistence is off);
    /// `database` is the file path, or the server address without its password.
    pub fn new(start: StartApp, database: &str, storage: Option<&dyn eframe::Storage>) -> Self {
        // Staff ids are per database, so each database keeps its own settings.
        let key = format!("{STORAGE_KEY}:{database}");
        let saved = storage.and_then(|s| s.get_string(&key));
        Self {
            start,
            key,
            saved,
            database: database.to_string(),
        }
    }
}

pub use crate::store::postgres::address::without_password;

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
        let asked = match &self.start {
            StartApp::Server { url, .. } => Some(url.clone()),
            _ => None,
        };
        StartApp::ui(&mut self.start, ui);
        if let (Some(url), StartApp::Open(_)) = (asked, &self.start) {
            // Connected from the connect screen: this computer uses that server from now on.
            super::server_choice::remember(&url);
            self.database = without_password(&url);
            self.key = format!("{STORAGE_KEY}:{}", self.database);
        }
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        if let StartApp::Open(app) = &mut self.start {
            app.on_close();
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if let StartApp::Open(app) = &self.start {
            storage.set_string(&self.key, app.preferences.to_text());
        }
    }
}
