//! A worklist filter as conditions in no particular SQL dialect: what both stores
//! select, written once; each store spells the conditions with its own
//! placeholders and text search (see `sqlite/queries.rs` and `postgres/reads.rs`).

use chrono::Duration;

use crate::domain::dates::iso_date;
use crate::domain::deadline::DueBy;
use crate::domain::worklist::{DueFilter, DueWindow};
use crate::domain::{AssigneeFilter, WorklistFilter};
use crate::store::rows::search_terms;

/// A value compared with a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Int(i64),
    Text(String),
}

/// One condition an item must meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// A condition with no parameter, as SQL.
    Fixed(&'static str),
    /// The column holds one of the values.
    OneOf(&'static str, Vec<String>),
    /// `column op value`, with `op` one of `=`, `>=`, `>`, `<=`, `<`.
    Compare(&'static str, &'static str, Value),
    /// The item's search text contains this term (case-folded, as typed).
    Contains(String),
    /// The item is one of these (by id).
    IdIn(Vec<i64>),
}

/// The conditions of `f`, all of which an item must meet.
pub fn conditions(f: &WorklistFilter) -> Vec<Condition> {
    use Condition::{Compare, Contains, Fixed, OneOf};
    let mut out = Vec::new();
    if !f.include_voided {
        out.push(Fixed("items.voided_at IS NULL"));
    }
    if !f.kinds.is_empty() {
        let codes = f.kinds.iter().map(|k| k.code().to_string()).collect();
        out.push(OneOf("items.kind", codes));
    }
    if !f.statuses.is_empty() {
        let codes = f.statuses.iter().map(|s| s.code().to_string()).collect();
        out.push(OneOf("items.status", codes));
    }
    match f.assignee {
        AssigneeFilter::Anyone => {}
        AssigneeFilter::Unassigned => out.push(Fixed("items.assignee_id IS NULL")),
        AssigneeFilter::Staff(id) => out.push(Compare("items.assignee_id", "=", Value::Int(id.0))),
        AssigneeFilter::NobodyAtTheDesk => out.push(Fixed("1 = 0")),
    }
    if let Some(c) = f.clinician {
        out.push(Compare("items.clinician_id", "=", Value::Int(c.0)));
    }
    if let Some(by) = f.logged_by {
        out.push(Compare("items.logged_by", "=", Value::Int(by.0)));
    }
    if let Some(day) = f.logged_from {
        out.push(Compare("items.logged_at", ">=", Value::Text(iso_date(day))));
    }
    if let Some(from) = f.from {
        out.push(Compare(
            "items.occurred_at",
            ">=",
            Value::Text(iso_date(from)),
        ));
    }
    if let Some(to) = f.to {
        let next_day = iso_date(to + Duration::days(1));
        out.push(Compare("items.occurred_at", "<", Value::Text(next_day)));
    }
    if let Some(n) = f.new_system {
        out.push(Fixed(crate::store::reconcile::finding_condition(n)));
    }
    if let Some(w) = f.due {
        out.extend(due_conditions(w));
    }
    out.extend(search_terms(&f.text).into_iter().map(Contains));
    if !f.only.is_empty() {
        out.push(Condition::IdIn(f.only.iter().map(|i| i.0).collect()));
    }
    out
}

/// Open items whose stored due-by (`store::deadlines`, sorting as the deadlines
/// do) is past, or falls today, as of `w.now`.
fn due_conditions(w: DueWindow) -> Vec<Condition> {
    use Condition::{Compare, OneOf};
    let open = crate::domain::Status::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.code().to_string())
        .collect();
    // Overdue: the deadline is at or before now; today: before today's end.
    let now = DueBy::Time(w.now).stored();
    let end_of_today = DueBy::Day(w.now.date()).stored();
    let mut out = vec![OneOf("items.status", open)];
    match w.which {
        DueFilter::Overdue => out.push(Compare("items.due_at", "<=", Value::Text(now))),
        DueFilter::DueToday => {
            out.push(Compare("items.due_at", ">", Value::Text(now)));
            out.push(Compare("items.due_at", "<=", Value::Text(end_of_today)));
        }
        DueFilter::ByToday => {
            out.push(Compare("items.due_at", "<=", Value::Text(end_of_today)));
        }
    }
    out
}

/// `WHERE a AND b …` from written conditions (nothing when there are none).
pub fn where_sql(conds: &[String]) -> String {
    if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn a_date_range_ends_at_the_start_of_the_day_after() {
        let f = WorklistFilter {
            from: NaiveDate::from_ymd_opt(2026, 11, 17),
            to: NaiveDate::from_ymd_opt(2026, 11, 20),
            text: "smith 999".into(),
            ..WorklistFilter::default()
        };
        let c = conditions(&f);
        assert_eq!(c[0], Condition::Fixed("items.voided_at IS NULL"));
        assert!(c.contains(&Condition::Compare(
            "items.occurred_at",
            ">=",
            Value::Text("2026-11-17".into())
        )));
        assert!(c.contains(&Condition::Compare(
            "items.occurred_at",
            "<",
            Value::Text("2026-11-21".into())
        )));
        assert_eq!(
            c.iter()
                .filter(|x| matches!(x, Condition::Contains(_)))
                .count(),
            2,
            "one condition per search word"
        );
    }

    #[test]
    fn my_items_with_nobody_at_the_desk_match_no_item() {
        let f = WorklistFilter {
            assignee: AssigneeFilter::NobodyAtTheDesk,
            ..WorklistFilter::default()
        };
        assert!(conditions(&f).contains(&Condition::Fixed("1 = 0")));
    }
}
