//! The audit viewer: who did what and when, filtered by person, item and date,
//! with a check of the tamper-evident hash chain.

use egui::Ui;
use egui_extras::{Column, TableBuilder};

use crate::domain::dates::{parse_date, uk_date_time};
use crate::domain::{AuditEntity, AuditEvent, AuditFilter, ItemId, StaffId, WorklistFilter};

use super::AppContext;
use super::audit_words::{action_with, changes_with, describe_with, subject_with};

/// Events shown at once; "Show more" fetches the next lot.
const PAGE: u64 = 200;

/// The audit screen's state.
#[derive(Debug, Default)]
pub struct AuditScreen {
    pub person: Option<StaffId>,
    pub item: String,
    pub from: String,
    pub to: String,
    pub events: Vec<AuditEvent>,
    pub verify_result: Option<String>,
    loaded_for: Option<AuditFilter>,
    limit: u64,
    /// The items the events shown are about, in words ("Prescription,
    /// 25/11/2026 10:40"), read with the events.
    items: std::collections::HashMap<i64, String>,
}

/// The items `events` are about, each in words (its kind and when it
/// happened), read in one query (voided ones too). An item that cannot be read
/// is left to the event's own words.
fn items_named(
    cx: &mut AppContext<'_>,
    events: &[AuditEvent],
) -> std::collections::HashMap<i64, String> {
    let ids: std::collections::BTreeSet<i64> = events
        .iter()
        .filter(|e| e.entity == AuditEntity::Item)
        .map(|e| e.entity_id)
        .collect();
    if ids.is_empty() {
        return std::collections::HashMap::new();
    }
    let filter = WorklistFilter {
        only: ids.iter().copied().map(ItemId).collect(),
        include_voided: true,
        ..WorklistFilter::default()
    };
    match cx
        .store
        .worklist_page(&filter, Default::default(), 0, ids.len() as u64)
    {
        Ok(items) => items
            .into_iter()
            .map(|i| {
                (
                    i.id.0,
                    format!(
                        "{}, {}",
                        i.input.kind.label(),
                        uk_date_time(i.input.occurred_at)
                    ),
                )
            })
            .collect(),
        Err(e) => {
            cx.status.error(format!(
                "Could not read the items the events are about: {e}"
            ));
            std::collections::HashMap::new()
        }
    }
}

impl AuditScreen {
    fn filter(&self) -> AuditFilter {
        AuditFilter {
            actor: self.person,
            item: self.item.trim().parse().ok(),
            from: parse_date(&self.from).ok(),
            to: parse_date(&self.to).ok(),
        }
    }

    pub fn refresh(&mut self) {
        self.loaded_for = None;
    }

    /// Forgets what the last person set here (filters, the chain check's
    /// result), so the next person at the desk starts on the whole trail.
    pub fn forget_person(&mut self) {
        *self = Self::default();
    }

    pub fn ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        let filter = self.filter();
        if self.limit == 0 {
            self.limit = PAGE;
        }
        if self.loaded_for.as_ref() != Some(&filter) {
            match cx.store.audit_log(&filter, 0, self.limit) {
                Ok(e) => {
                    self.events = e;
                    self.items = items_named(cx, &self.events);
                }
                Err(e) => cx
                    .status
                    .error(format!("Could not read the audit trail: {e}")),
            }
            self.loaded_for = Some(filter);
        }
        ui.horizontal_wrapped(|ui| {
            ui.heading("Audit trail");
            if ui.button("Check the audit trail").clicked() {
                self.verify_result = Some(match cx.store.verify() {
                    Ok(r) if r.is_ok() => format!(
                        "Intact: {} events, hash chain unbroken, database integrity ok.",
                        r.audit_events
                    ),
                    Ok(r) => match (&r.broken_link, r.divergences.first()) {
                        (Some((id, why)), _) => format!("BROKEN at event {id}: {why}."),
                        (None, Some(first)) => format!(
                            "CHANGED BEHIND THE APP'S BACK: {} rows differ from their history ({}{}).",
                            r.divergent_rows,
                            first.describe(),
                            if r.divergent_rows > 1 { "; …" } else { "" }
                        ),
                        (None, None) => {
                            "Problems found: run `cutover-log verify` for details.".to_string()
                        }
                    },
                    Err(e) => format!("Could not check: {e}"),
                });
            }
            if let Some(v) = &self.verify_result {
                ui.label(v);
            }
        });
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("Person");
            egui::ComboBox::from_id_salt("audit_person")
                .selected_text(
                    self.person
                        .map_or("Anyone".to_string(), |id| cx.staff.name(Some(id))),
                )
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.person, None, "Anyone");
                    for s in cx.staff.all() {
                        ui.selectable_value(&mut self.person, Some(s.id), &s.name);
                    }
                })
                .response
                .labelled_by(l.id);
            for (label, value, hint) in [
                ("Item number", &mut self.item, "e.g. 42"),
                ("From", &mut self.from, "dd/mm/yyyy"),
                ("To", &mut self.to, "dd/mm/yyyy"),
            ] {
                let l = ui.label(label);
                ui.add(
                    egui::TextEdit::singleline(value)
                        .hint_text(hint)
                        .desired_width(100.0),
                )
                .labelled_by(l.id);
            }
            ui.label(format!(
                "{} event(s) shown, newest first",
                self.events.len()
            ));
        });
        let mut more = false;
        ui.push_id("audit_table", |ui| {
            ui.style_mut().interaction.selectable_labels = false;
            let height = (ui.available_height() - 40.0).max(100.0);
            TableBuilder::new(ui)
                .striped(true)
                .max_scroll_height(height)
                .column(Column::exact(120.0))
                .column(Column::exact(170.0))
                .column(Column::exact(190.0))
                .column(Column::remainder().clip(true))
                .header(22.0, |mut h| {
                    for t in ["When", "Who", "What", "Change"] {
                        h.col(|ui| {
                            ui.strong(t);
                        });
                    }
                })
                .body(|body| {
                    body.rows(22.0, self.events.len(), |mut row| {
                        let Some(e) = self.events.get(row.index()) else {
                            return;
                        };
                        let change = describe_with(e, cx.staff);
                        // The whole change, a field a line, on hover (the column cuts it).
                        let mut full = action_with(e, cx.staff);
                        for c in changes_with(e, cx.staff) {
                            full.push('\n');
                            full.push_str(&c.line());
                        }
                        let subject = match self.items.get(&e.entity_id) {
                            Some(item) if e.entity == AuditEntity::Item => {
                                format!("Item {} ({item})", e.entity_id)
                            }
                            _ => subject_with(e, cx.staff),
                        };
                        for cell in [uk_date_time(e.at), e.actor_name.clone(), subject] {
                            row.col(|ui| {
                                ui.label(cell);
                            });
                        }
                        row.col(|ui| {
                            ui.label(change.as_str()).on_hover_text(full);
                        });
                    });
                });
        });
        if self.events.len() as u64 >= self.limit && ui.button("Show more").clicked() {
            more = true;
        }
        if more {
            self.limit += PAGE;
            self.loaded_for = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forget_person_clears_the_filters_and_the_check() {
        let mut a = AuditScreen {
            person: Some(StaffId(2)),
            item: "42".into(),
            from: "20/11/2026".into(),
            to: "21/11/2026".into(),
            verify_result: Some("Intact".into()),
            limit: 600,
            ..AuditScreen::default()
        };
        a.loaded_for = Some(a.filter());
        a.forget_person();
        assert_eq!(
            a.filter(),
            AuditFilter::default(),
            "the next person sees everything"
        );
        assert!(a.verify_result.is_none());
        assert!(a.events.is_empty());
        assert!(a.loaded_for.is_none(), "read again for the next person");
        assert_eq!(a.limit, 0, "from the first page");
    }
}
