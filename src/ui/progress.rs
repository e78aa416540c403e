//! Progress of re-entry: totals and percentages by kind and by person, and a
//! burndown of items still open each day since go-live.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use egui::Ui;
use egui_plot::{GridMark, Legend, Line, Plot, PlotPoints};

use crate::domain::dates::uk_date;
use crate::domain::worklist::PersonProgress;
use crate::domain::{ItemKind, Stats, Status};

use super::AppContext;
use crate::store::{CutoverStore, StoreResult};

/// What the progress screen shows, read from the store when it opens or after changes.
#[derive(Debug, Default)]
pub struct ProgressScreen {
    pub stats: Option<Stats>,
    pub people: Vec<PersonProgress>,
    pub burndown: Vec<(NaiveDate, u64)>,
    stale: bool,
}

/// Share done (re-entered or not needed) of a total, as a whole percentage.
pub fn percent_done(done: u64, total: u64) -> u64 {
    (done * 100).checked_div(total).unwrap_or(100)
}

/// The days the open-items chart covers: from go-live day (the first day of
/// re-entry) to today, or go-live day alone before then.
pub fn burndown_days(go_live: NaiveDateTime, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let from = go_live.date();
    (from, today.max(from))
}

/// Items still open at the end of each day since go-live, go-live day first.
pub fn burndown_series(
    store: &dyn CutoverStore,
    go_live: NaiveDateTime,
    today: NaiveDate,
) -> StoreResult<Vec<(NaiveDate, u64)>> {
    let (from, to) = burndown_days(go_live, today);
    store.burndown(from, to)
}

/// Live items and open items assigned to nobody: every item less those the
/// people's rows count.
pub fn unassigned(stats: &crate::domain::Stats, people: &[PersonProgress]) -> (u64, u64) {
    let assigned: u64 = people.iter().map(|p| p.assigned).sum();
    let open: u64 = people.iter().map(|p| p.assigned_open).sum();
    (
        stats.total().saturating_sub(assigned),
        stats.open().saturating_sub(open),
    )
}

impl ProgressScreen {
    pub fn new() -> Self {
        Self {
            stale: true,
            ..Self::default()
        }
    }

    pub fn mark_stale(&mut self) {
        self.stale = true;
    }

    fn reload(&mut self, cx: &mut AppContext<'_>) {
        self.stale = false;
        let result = (|| {
            let stats = cx.store.stats()?;
            let people = cx.store.person_progress()?;
            let burndown = burndown_series(&*cx.store, cx.project.go_live, cx.now.date())?;
            Ok::<_, crate::store::StoreError>((stats, people, burndown))
        })();
        match result {
            Ok((stats, people, burndown)) => {
                self.stats = Some(stats);
                self.people = people;
                self.burndown = burndown;
            }
            Err(e) => cx.status.error(format!("Could not read progress: {e}")),
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, cx: &mut AppContext<'_>) {
        if self.stale {
            self.reload(cx);
        }
        let Some(stats) = self.stats.clone() else {
            return;
        };
        // The chart gets the height the tables leave, so at 1366×768 it is on
        // screen without scrolling (the page still scrolls on a smaller window).
        let room = ui.available_height();
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let top = ui.min_rect().top();
                ui.horizontal(|ui| {
                    ui.heading("Re-entry progress");
                    if ui.button("Refresh").clicked() {
                        self.stale = true;
                    }
                });
                let total = stats.total();
                let done = stats.count(None, Some(Status::ReEntered))
                    + stats.count(None, Some(Status::NotNeeded));
                ui.label(
                    egui::RichText::new(format!(
                        "{done} of {total} items done ({}%): {} outstanding, {} problem, {} voided",
                        percent_done(done, total),
                        stats.count(None, Some(Status::Outstanding)),
                        stats.count(None, Some(Status::Problem)),
                        stats.voided()
                    ))
                    .strong(),
                );
                ui.add_space(6.0);
                // The two tables side by side: the width is there, the height is not.
                ui.horizontal_top(|ui| {
                    ui.vertical(|ui| {
                        ui.strong("By kind");
                        egui::Grid::new("progress_kind")
                            .num_columns(7)
                            .striped(true)
                            .show(ui, |ui| {
                                for h in [
                                    "Kind",
                                    "Items",
                                    "Outstanding",
                                    "Re-entered",
                                    "Not needed",
                                    "Problem",
                                    "Done",
                                ] {
                                    ui.strong(h);
                                }
                                ui.end_row();
                                for kind in ItemKind::ALL {
                                    let n = stats.count(Some(kind), None);
                                    if n == 0 {
                                        continue;
                                    }
                                    let c = |s| stats.count(Some(kind), Some(s));
                                    let done = c(Status::ReEntered) + c(Status::NotNeeded);
                                    ui.label(kind.label());
                                    for v in [
                                        n,
                                        c(Status::Outstanding),
                                        c(Status::ReEntered),
                                        c(Status::NotNeeded),
                                        c(Status::Problem),
                                    ] {
                                        ui.label(v.to_string());
                                    }
                                    ui.label(format!("{}%", percent_done(done, n)));
                                    ui.end_row();
                                }
                            });
                    });
                    ui.add_space(32.0);
                    ui.vertical(|ui| {
                        ui.strong("By person");
                        egui::Grid::new("progress_people")
                            .num_columns(5)
                            .striped(true)
                            .show(ui, |ui| {
                                for h in [
                                    "Person",
                                    "Assigned",
                                    "Still open",
                                    "Re-entered",
                                    "Not needed",
                                ] {
                                    ui.strong(h);
                                }
                                ui.end_row();
                                for p in &self.people {
                                    ui.label(cx.staff.name(Some(p.staff)));
                                    for v in
                                        [p.assigned, p.assigned_open, p.re_entered, p.not_needed]
                                    {
                                        ui.label(v.to_string());
                                    }
                                    ui.end_row();
                                }
                                // Nobody's: what no person has been given, so the
                                // rows add up to every item and every open one.
                                let (assigned, open) = unassigned(&stats, &self.people);
                                ui.label("Unassigned");
                                ui.label(assigned.to_string());
                                ui.label(open.to_string());
                                ui.label("-");
                                ui.label("-");
                                ui.end_row();
                            });
                    });
                });
                ui.add_space(8.0);
                ui.strong("Items still open at the end of each day since go-live");
                let used = ui.min_rect().bottom() - top;
                self.burndown_ui(ui, (room - used - 12.0).max(160.0));
            });
    }

    fn burndown_ui(&self, ui: &mut Ui, height: f32) {
        let Some(first) = self.burndown.first().map(|(d, _)| *d) else {
            return;
        };
        let points: Vec<[f64; 2]> = self
            .burndown
            .iter()
            .map(|(d, n)| [(*d - first).num_days() as f64, *n as f64])
            .collect();
        let label_day = move |mark: GridMark, _: &std::ops::RangeInclusive<f64>| {
            if mark.value.fract() != 0.0 {
                return String::new();
            }
            uk_date(first + Duration::days(mark.value as i64))
        };
        Plot::new("burndown")
            .height(height)
            .legend(Legend::default())
            .x_axis_formatter(label_day)
            .y_axis_label("Open items")
            .allow_zoom(false)
            .allow_drag(false)
            .allow_scroll(false)
            .include_y(0.0)
            .show(ui, |plot| {
                plot.line(Line::new("Open items", PlotPoints::from(points)).width(2.0));
            });
        let days: Vec<String> = self
            .burndown
            .iter()
            .map(|(d, n)| format!("{}: {n} open", uk_date(*d)))
            .collect();
        ui.horizontal_wrapped(|ui| {
            for d in days {
                ui.label(d);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dates::from_iso;

    fn at(s: &str) -> NaiveDateTime {
        from_iso(s).unwrap_or_default()
    }

    #[test]
    fn the_chart_starts_on_go_live_day() {
        let go_live = at("2026-11-23T08:00");
        let today = at("2026-11-26T12:00").date();
        let (from, to) = burndown_days(go_live, today);
        assert_eq!(
            from,
            go_live.date(),
            "the first day is go-live, not the day before"
        );
        assert_eq!(to, today);
        // Before go-live the chart is go-live day alone.
        assert_eq!(
            burndown_days(go_live, at("2026-11-20T10:00").date()),
            (go_live.date(), go_live.date())
        );
    }

    #[test]
    fn the_series_read_from_a_log_begins_on_go_live_day() -> Result<(), Box<dyn std::error::Error>>
    {
        use crate::domain::{Actor, ClinicalSystem, OdsCode, Project};
        let dir = tempfile::tempdir()?;
        let mut store = crate::store::SqliteStore::open(&dir.path().join("p.sqlite3"))?;
        let project = Project {
            practice_name: "Test Surgery".into(),
            ods_code: OdsCode::parse("A81001")?,
            old_system: ClinicalSystem::EmisWeb,
            new_system: ClinicalSystem::TppSystmOne,
            cutover_start: at("2026-11-16T18:00"),
            go_live: at("2026-11-23T08:00"),
        };
        store.create_project(&project, &Actor::system("test", at("2026-11-16T09:00")))?;
        let series = burndown_series(&store, project.go_live, at("2026-11-25T16:00").date())?;
        let days: Vec<String> = series.iter().map(|(d, _)| uk_date(*d)).collect();
        assert_eq!(days, ["23/11/2026", "24/11/2026", "25/11/2026"]);
        Ok(())
    }
}
