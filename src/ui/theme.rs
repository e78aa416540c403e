//! Colours and spacing: light by default (clinical settings), text colours that
//! keep WCAG AA contrast on their backgrounds.

use egui::Color32;

/// Sets the app's look.
pub fn apply(ctx: &egui::Context) {
    ctx.set_theme(egui::Theme::Light);
    ctx.all_styles_mut(|s| {
        s.spacing.item_spacing = egui::vec2(8.0, 6.0);
        s.spacing.button_padding = egui::vec2(8.0, 4.0);
        // A steady cursor: a blinking one redraws the window twice a second, which
        // on a practice PC drawing in software over remote desktop is a steady
        // load (and screen traffic) while the desk sits idle on the log.
        s.visuals.text_cursor.blink = false;
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

/// WCAG 2 contrast ratio of two colours (1 to 21; AA for body text is 4.5).
#[cfg(test)]
fn contrast_ratio(a: Color32, b: Color32) -> f32 {
    fn luminance(c: Color32) -> f32 {
        let lin = |v: u8| {
            let s = f32::from(v) / 255.0;
            if s <= 0.039_28 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(c.r()) + 0.7152 * lin(c.g()) + 0.0722 * lin(c.b())
    }
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_colours_pass_wcag_aa_on_their_backgrounds_in_both_themes() {
        for theme in [egui::Theme::Light, egui::Theme::Dark] {
            let ctx = egui::Context::default();
            ctx.set_theme(theme);
            apply(&ctx);
            ctx.set_theme(theme);
            let mut checked = 0;
            let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
                let v = ui.visuals().clone();
                let pairs = [
                    ("body text", v.text_color(), v.panel_fill),
                    ("body text on a window", v.text_color(), v.window_fill),
                    ("strong text", v.strong_text_color(), v.panel_fill),
                    ("error", error_color(ui), v.panel_fill),
                    ("warning", warning_color(ui), v.panel_fill),
                    ("confirmation", ok_color(ui), v.panel_fill),
                    ("banner", v.strong_text_color(), banner_fill(ui, false)),
                    (
                        "banner outside the window",
                        v.strong_text_color(),
                        banner_fill(ui, true),
                    ),
                ];
                for (what, fg, bg) in pairs {
                    let ratio = contrast_ratio(fg, bg);
                    assert!(ratio >= 4.5, "{theme:?} {what}: {ratio:.2} < 4.5");
                    checked += 1;
                }
            });
            output.textures_delta.clear();
            assert_eq!(checked, 8);
        }
        assert!((contrast_ratio(Color32::BLACK, Color32::WHITE) - 21.0).abs() < 0.01);
    }
}
