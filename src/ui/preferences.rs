//! Display preferences per member of staff (light or dark, text size, how the
//! worklist's width is shared between the list and the detail panel), so a
//! shared desk PC looks the way each person left it. Kept by eframe's own storage
//! on this computer (the user's app data folder), not in the log: they are not
//! patient data and not part of the record.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::StaffId;

/// The storage key eframe keeps these under.
pub const STORAGE_KEY: &str = "display_preferences";

/// Text sizes offered (UI zoom); Ctrl+Plus/Minus step through these same sizes
/// ([`zoom_keys`]), Ctrl+0 goes back to 100 %.
pub const ZOOM_STEPS: [f32; 7] = [0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0];

/// The text size after `now`, one step up or down the menu's own sizes (from
/// a size between two steps, the next one that way).
pub fn zoom_step(now: f32, up: bool) -> f32 {
    const CLOSE: f32 = 0.005;
    if up {
        ZOOM_STEPS
            .into_iter()
            .find(|s| *s > now + CLOSE)
            .unwrap_or(ZOOM_STEPS[ZOOM_STEPS.len() - 1])
    } else {
        ZOOM_STEPS
            .into_iter()
            .rev()
            .find(|s| *s < now - CLOSE)
            .unwrap_or(ZOOM_STEPS[0])
    }
}

/// Ctrl+Plus (or Ctrl+=), Ctrl+Minus and Ctrl+0 step through the text size
/// menu's sizes (in place of egui's own 10 % steps, turned off here).
pub fn zoom_keys(ctx: &egui::Context) {
    use egui::gui_zoom::kb_shortcuts as keys;
    ctx.options_mut(|o| o.zoom_with_keyboard = false);
    let (up, down, reset) = ctx.input_mut(|i| {
        (
            i.consume_shortcut(&keys::ZOOM_IN) || i.consume_shortcut(&keys::ZOOM_IN_SECONDARY),
            i.consume_shortcut(&keys::ZOOM_OUT),
            i.consume_shortcut(&keys::ZOOM_RESET),
        )
    });
    let now = ctx.zoom_factor();
    let next = if reset {
        1.0
    } else if up {
        zoom_step(now, true)
    } else if down {
        zoom_step(now, false)
    } else {
        return;
    };
    ctx.set_zoom_factor(next);
}

/// Where the window keeps the worklist's split while it is shown: the share of
/// the worklist's width given to the detail panel (see [`Display::detail_share`]).
/// [`Preferences::apply`] puts a person's share here when they sign in, the
/// worklist moves it when they drag the divider, and [`Preferences::read`] takes
/// it back to keep.
pub fn detail_share_id() -> egui::Id {
    egui::Id::unique("worklist_detail_share")
}

/// The share of the worklist's width the detail panel gets until a person moves
/// the divider.
pub const DEFAULT_DETAIL_SHARE: f32 = 0.4;

/// One person's display settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Display {
    pub dark: bool,
    pub zoom: f32,
    /// The share (0 to 1) of the worklist's width given to the detail panel, once
    /// this person has moved the divider; `None` for the default. A share, not
    /// points, so it suits every screen and text size. Settings saved before this
    /// existed read as `None`.
    #[serde(default)]
    pub detail_share: Option<f32>,
}

impl Default for Display {
    /// Light (clinical settings) at normal size.
    fn default() -> Self {
        Self {
            dark: false,
            zoom: 1.0,
            detail_share: None,
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
        // A map of numbers to plain values always serialises; were it ever not to,
        // nothing is kept and each person starts on the defaults next time.
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
        let share = display.detail_share.filter(|s| s.is_finite());
        ctx.data_mut(|d| match share {
            Some(s) => {
                d.insert_temp(detail_share_id(), s.clamp(0.0, 1.0));
            }
            None => d.remove::<f32>(detail_share_id()),
        });
    }

    /// What the window shows now (after Ctrl+Plus, say), as settings to keep.
    pub fn read(ctx: &egui::Context) -> Display {
        Display {
            dark: ctx.theme() == egui::Theme::Dark,
            zoom: ctx.zoom_factor(),
            detail_share: ctx.data(|d| d.get_temp::<f32>(detail_share_id())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctrl_plus_and_minus_step_through_the_menus_sizes() {
        assert_eq!(zoom_step(1.0, true), 1.1);
        assert_eq!(zoom_step(1.1, true), 1.25);
        assert_eq!(zoom_step(1.25, true), 1.5);
        assert_eq!(zoom_step(1.25, false), 1.1);
        assert_eq!(zoom_step(2.0, true), 2.0);
        assert_eq!(zoom_step(0.9, false), 0.9);
        // From a size between two (an older setting): the next one that way.
        assert_eq!(zoom_step(1.2, true), 1.25);
        assert_eq!(zoom_step(1.2, false), 1.1);
    }

    #[test]
    fn settings_are_kept_per_person_and_survive_a_round_trip() {
        let mut p = Preferences::default();
        p.set(
            StaffId(1),
            Display {
                dark: true,
                zoom: 1.25,
                detail_share: Some(0.55),
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

    /// Settings saved before the worklist split was remembered still read back
    /// (not "anything unreadable starts afresh", which would lose everyone's theme).
    #[test]
    fn settings_saved_without_a_split_still_read() {
        let old = r#"{"by_staff":{"3":{"dark":true,"zoom":1.5}}}"#;
        let p = Preferences::from_text(old);
        assert_eq!(
            p.get(StaffId(3)),
            Display {
                dark: true,
                zoom: 1.5,
                detail_share: None,
            }
        );
    }

    /// The split goes to the window with the person's settings and comes back
    /// with what the window shows; the defaults clear an earlier person's split.
    #[test]
    fn the_split_travels_through_the_window() {
        let ctx = egui::Context::default();
        let mine = Display {
            detail_share: Some(0.6),
            ..Display::default()
        };
        Preferences::apply(mine, &ctx);
        assert_eq!(Preferences::read(&ctx).detail_share, Some(0.6));
        Preferences::apply(Display::default(), &ctx);
        assert_eq!(Preferences::read(&ctx).detail_share, None);
    }
}
