//! Display preferences per member of staff (light or dark, text size), so a
//! shared desk PC looks the way each person left it. Kept by eframe's own storage
//! on this computer (the user's app data folder), not in the log: they are not
//! patient data and not part of the record.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::StaffId;

/// The storage key eframe keeps these under.
pub const STORAGE_KEY: &str = "display_preferences";

/// Text sizes offered (UI zoom); Ctrl+Plus/Minus move through the same range.
pub const ZOOM_STEPS: [f32; 7] = [0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0];

/// One person's display settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Display {
    pub dark: bool,
    pub zoom: f32,
}

impl Default for Display {
    /// Light (clinical settings) at normal size.
    fn default() -> Self {
        Self {
            dark: false,
            zoom: 1.0,
        }
    }
}

/// Everyone's display settings on this computer, by staff id (per database file).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Preferences {
    by_staff: BTreeMap<i64, Display>,
}

impl Preferences {
    /// Reads what [`Preferences::to_text`] wrote; anything unreadable starts afresh.
    pub fn from_text(text: &str) -> Self {
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// This person's settings (the defaults until they change something).
    pub fn get(&self, staff: StaffId) -> Display {
        self.by_staff.get(&staff.0).copied().unwrap_or_default()
    }

    pub fn set(&mut self, staff: StaffId, display: Display) {
        self.by_staff.insert(staff.0, display);
    }

    /// Applies a person's settings to the window.
    pub fn apply(display: Display, ctx: &egui::Context) {
        ctx.set_theme(if display.dark {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        });
        ctx.set_zoom_factor(
            display
                .zoom
                .clamp(ZOOM_STEPS[0], ZOOM_STEPS[ZOOM_STEPS.len() - 1]),
        );
    }

    /// What the window shows now (after Ctrl+Plus, say), as settings to keep.
    pub fn read(ctx: &egui::Context) -> Display {
        Display {
            dark: ctx.theme() == egui::Theme::Dark,
            zoom: ctx.zoom_factor(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_kept_per_person_and_survive_a_round_trip() {
        let mut p = Preferences::default();
        p.set(
            StaffId(1),
            Display {
                dark: true,
                zoom: 1.25,
            },
        );
        let back = Preferences::from_text(&p.to_text());
        assert_eq!(back, p);
        assert!(back.get(StaffId(1)).dark);
        assert_eq!(
            back.get(StaffId(2)),
            Display::default(),
            "others keep the defaults"
        );
        assert_eq!(Preferences::from_text("not json"), Preferences::default());
    }
}
