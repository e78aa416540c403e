//! Deadlines in the log: the practice's numbers and the old system's read-access
//! end (project settings the practice manager changes, audited with before and
//! after), and each item's due-by kept in `items.due_at` (written with the item,
//! and rewritten for every item in the same transaction when go-live or the
//! numbers change), so the worklist sorts and filters by it at any size.
//! The column is derived: `verify` recomputes it and names an item whose
//! due-by was changed behind the app's back.

use chrono::NaiveDate;

use crate::domain::dates::iso_date;
use crate::domain::deadline::{DeadlineRules, Deadlines, DueBy};
use crate::domain::permissions::Action;
use crate::domain::{Actor, AuditAction, ItemInput, ItemKind, Patient};
use crate::store::access::authorize;
use crate::store::practice::{change_setting, setting_text};
use crate::store::sql::{Backend, Param, Sql, params};
use crate::store::{StoreError, StoreResult};

/// The practice's numbers (the defaults until the practice manager sets them).
pub fn rules(c: &mut dyn Sql) -> StoreResult<DeadlineRules> {
    match setting_text(c, "deadline_rules")? {
        None => Ok(DeadlineRules::default()),
        Some(t) => serde_json::from_str(&t)
            .map_err(|_| StoreError::Corrupt("the project's deadline rules are unreadable".into())),
    }
}

/// The practice's deadlines (go-live and numbers), once a project is set up.
pub fn deadlines(c: &mut dyn Sql) -> StoreResult<Option<Deadlines>> {
    let Some(project) = crate::store::practice::project(c)? else {
        return Ok(None);
    };
    Ok(Some(Deadlines {
        go_live: project.go_live,
        rules: rules(c)?,
    }))
}

/// The day read access to the old system ends, if the practice recorded it.
pub fn old_system_access_ends(c: &mut dyn Sql) -> StoreResult<Option<NaiveDate>> {
    setting_text(c, "old_system_access_ends")?
        .map(|t| crate::store::rows::date(0, "old-system access end", &t))
        .transpose()
}

/// Changes the practice's numbers (the practice manager), and every item's
/// due-by with them, in one transaction with its audit event.
pub fn set_rules<B: Backend>(store: &mut B, new: &DeadlineRules, actor: &Actor) -> StoreResult<()> {
    authorize(store, actor, Action::ManageProject)?;
    new.check().map_err(|why| {
        StoreError::Invalid(vec![crate::domain::FieldError::new("deadline_rules", why)])
    })?;
    let json = serde_json::to_string(new).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    store.write(|tx| {
        let before = rules(tx)?;
        change_setting(
            tx,
            actor,
            "deadline_rules",
            Param::from(json.as_str()),
            AuditAction::ProjectDeadlineRules,
            &before,
            new,
        )?;
        // Every due-by follows, in the same transaction.
        refresh(tx, All).map(|_| ())
    })
}

/// Records the day read access to the old system ends (`None`: not known);
/// the practice manager, audited.
pub fn set_old_system_access_ends<B: Backend>(
    store: &mut B,
    day: Option<NaiveDate>,
    actor: &Actor,
) -> StoreResult<()> {
    authorize(store, actor, Action::ManageProject)?;
    store.write(|tx| {
        let before = old_system_access_ends(tx)?;
        change_setting(
            tx,
            actor,
            "old_system_access_ends",
            Param::from(day.map(iso_date)),
            AuditAction::ProjectOldSystemAccess,
            &before,
            &day,
        )
    })
}

/// What a due-by needs of an item, as stored (kind, time, fields).
pub(crate) fn due_of(
    d: &Deadlines,
    kind: &str,
    occurred_at: &str,
    fields_json: &str,
) -> Option<DueBy> {
    let input = ItemInput {
        kind: ItemKind::parse(kind)?,
        occurred_at: crate::domain::dates::from_iso(occurred_at)?,
        patient: Patient {
            nhs_number: None,
            name: String::new(),
            date_of_birth: None,
        },
        clinician: None,
        details: String::new(),
        fields: serde_json::from_str(fields_json).ok()?,
    };
    Some(d.due_by(&input))
}

/// Which items [`refresh`] rewrites.
#[derive(Clone, Copy)]
pub(crate) enum Which {
    All,
    /// Those with none yet (a log made before deadlines).
    Missing,
}
use Which::All;

/// Rewrites items' due-by from the practice's deadlines (only those that
/// change); returns how many changed.
pub(crate) fn refresh(tx: &mut dyn Sql, which: Which) -> StoreResult<u64> {
    let Some(d) = deadlines(tx)? else {
        return Ok(0);
    };
    let filter = match which {
        Which::All => "",
        Which::Missing => " WHERE due_at IS NULL",
    };
    let mut changed = Vec::new();
    tx.query_each(
        &format!("SELECT id, kind, occurred_at, fields_json, due_at FROM items{filter}"),
        &[],
        &mut |r| {
            let due = due_of(&d, &r.text(1)?, &r.text(2)?, &r.text(3)?).map(DueBy::stored);
            if due != r.opt_text(4)? {
                changed.push((r.int(0)?, due));
            }
            Ok(())
        },
    )?;
    // Items share few deadlines (a day, or a slot): one statement per deadline
    // and a few hundred items, not one per item (a round trip each on a server).
    let mut by_due: std::collections::BTreeMap<Option<String>, Vec<i64>> = Default::default();
    for (id, due) in &changed {
        by_due.entry(due.clone()).or_default().push(*id);
    }
    for (due, ids) in by_due {
        for chunk in ids.chunks(500) {
            let marks: Vec<String> = (2..chunk.len() + 2).map(|i| format!("?{i}")).collect();
            let mut p = params![due.clone()].to_vec();
            p.extend(chunk.iter().map(|id| crate::store::sql::Param::from(*id)));
            tx.execute(
                &format!(
                    "UPDATE items SET due_at = ?1 WHERE id IN ({})",
                    marks.join(", ")
                ),
                &p,
            )?;
        }
    }
    Ok(changed.len() as u64)
}

/// Fills in the due-by of items that have none (a log from before deadlines
/// were kept): once, when a log is opened. Derived data only: no event.
pub fn fill_missing<B: Backend>(store: &mut B) -> StoreResult<()> {
    let missing = store.read(|c| {
        c.exists(
            "SELECT 1 FROM items WHERE due_at IS NULL AND voided_at IS NULL",
            &[],
        )
    })?;
    if missing {
        store.write(|tx| refresh(tx, Which::Missing).map(|_| ()))?;
    }
    Ok(())
}

/// What the banner counts at `now`: open items overdue, due later today, and
/// open at all (three counts on the worklist's own filter).
pub fn counts(
    store: &dyn crate::store::CutoverStore,
    now: chrono::NaiveDateTime,
) -> StoreResult<crate::domain::deadline::DeadlineCounts> {
    use crate::domain::{DueFilter, DueWindow, Status, WorklistFilter};
    let due = |which| WorklistFilter {
        due: Some(DueWindow { which, now }),
        ..WorklistFilter::default()
    };
    let open = WorklistFilter {
        statuses: Status::ALL.into_iter().filter(|s| s.is_open()).collect(),
        ..WorklistFilter::default()
    };
    Ok(crate::domain::deadline::DeadlineCounts {
        overdue: store.worklist_count(&due(DueFilter::Overdue))?,
        due_today: store.worklist_count(&due(DueFilter::DueToday))?,
        open: store.worklist_count(&open)?,
    })
}
