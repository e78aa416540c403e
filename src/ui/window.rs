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

/// A server address fit to show and to keep: any password in it is removed
/// (`postgres://user:secret@host/db` and `host=h password=secret` alike).
pub fn without_password(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((userinfo, host)) = rest.split_once('@') {
            let user = userinfo.split(':').next().unwrap_or("");
            return format!("{scheme}://{user}@{host}");
        }
        return url.to_string();
    }
    url.split_whitespace()
        .filter(|kv| !kv.to_ascii_lowercase().starts_with("password="))
        .collect::<Vec<_>>()
        .join(" ")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_label() {
        assert_eq!(
            without_password("postgres://desk:s3cret@server/cutover"),
            "postgres://desk@server/cutover"
        );
        assert_eq!(
            without_password("host=server user=desk password=s3cret dbname=cutover"),
            "host=server user=desk dbname=cutover"
        );
        assert_eq!(
            without_password("postgres://server/cutover"),
            "postgres://server/cutover"
        );
    }
}
