//! Colours and spacing: light by default (clinical settings), text colours that
//! keep WCAG AA contrast on their backgrounds.

use egui::Color32;

/// Sets the app's look.
pub fn apply(ctx: &egui::Context) {
    ctx.set_theme(egui::Theme::Light);
    ctx.all_styles_mut(|s| {
        s.spacing.item_spacing = egui::vec2(8.0, 6.0);
        s.spacing.button_padding = egui::vec2(8.0, 4.0);
    });
}

/// Dark red on light, light red on dark: readable error text.
pub fn error_color(ui: &egui::Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(255, 140, 140)
    } else {
        Color32::from_rgb(176, 0, 32)
    }
}

/// Amber-brown on light (AA on white), amber on dark.
pub fn warning_color(ui: &egui::Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(255, 200, 90)
    } else {
        Color32::from_rgb(138, 75, 0)
    }
}

/// NHS-style green for confirmations, dark enough for AA on white.
pub fn ok_color(ui: &egui::Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(120, 220, 140)
    } else {
        Color32::from_rgb(0, 110, 50)
    }
}

/// Banner background per phase.
pub fn banner_fill(ui: &egui::Ui, outside_window: bool) -> Color32 {
    match (ui.visuals().dark_mode, outside_window) {
        (false, false) => Color32::from_rgb(226, 238, 250),
        (false, true) => Color32::from_rgb(255, 236, 200),
        (true, false) => Color32::from_rgb(20, 45, 75),
        (true, true) => Color32::from_rgb(80, 50, 0),
    }
}
