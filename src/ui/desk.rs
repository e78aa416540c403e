//! "Who is at this desk": the one place that decides whose name goes on each
//! entry. Sign-in (a later issue) replaces the choice here and nowhere else.

use crate::domain::{Staff, StaffDirectory, StaffId};

/// The person currently working at this desk.
#[derive(Debug, Clone, Default)]
pub struct Desk {
    pub staff: Option<StaffId>,
}

impl Desk {
    /// The person at the desk, if chosen and still active.
    pub fn current<'a>(&self, staff: &'a StaffDirectory) -> Option<&'a Staff> {
        self.staff.and_then(|id| staff.get(id)).filter(|s| s.active)
    }

    /// The "At this desk" picker, always visible in the top bar. Drawn inside a
    /// right-to-left layout: the picker first (far right), then its label.
    pub fn ui(&mut self, ui: &mut egui::Ui, staff: &StaffDirectory) {
        let before = self.staff;
        let selected = self
            .current(staff)
            .map_or("Choose who you are".to_string(), |s| s.name.clone());
        let combo = egui::ComboBox::from_id_salt("desk_user")
            .selected_text(selected)
            .width(240.0)
            .show_ui(ui, |ui| {
                for s in staff.active() {
                    ui.selectable_value(
                        &mut self.staff,
                        Some(s.id),
                        format!("{} ({})", s.name, s.role.label()),
                    );
                }
            })
            .response;
        let label = ui.label("At this desk:");
        let combo = combo.labelled_by(label.id);
        if self.staff != before {
            // Leave the keyboard to the screen (arrows and Space on the worklist).
            combo.surrender_focus();
        }
    }
}
