//! Commands on the practice's setup: the project, the staff list, sign-off and
//! the purge.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::domain::dates::{now, parse_date_time, uk_date_time};
use crate::domain::signoff::Signing;
use crate::domain::validation::describe;
use crate::domain::{Actor, Project, Role, SignOffRole, StaffDirectory};

use super::{InitArgs, OnLog, password};

/// Who made a change from the command line before anyone could sign in (setup).
fn system_actor() -> Actor {
    // Neither set (a service account, say): the actor is "command line ()".
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default();
    Actor::system(format!("command line ({user})"), now())
}

/// `init`: the project and its practice manager, in a new log.
pub(super) fn init(on: &mut OnLog<'_>, a: &InitArgs) -> Result<ExitCode> {
    let project = Project::validate(
        &a.practice,
        &a.ods,
        &a.old_system,
        &a.new_system,
        parse_date_time(&a.cutover_start).map_err(|e| e.to_string()),
        parse_date_time(&a.go_live).map_err(|e| e.to_string()),
    )
    .map_err(|e| anyhow::anyhow!(describe(&e)))?;
    let pw = password(
        "CUTOVER_LOG_PASSWORD",
        &format!("New password for {}: ", a.manager),
    )?;
    on.store.create_project(&project, &system_actor())?;
    let pm = on
        .store
        .add_staff(&a.manager, Role::PracticeManager, &system_actor())?;
    on.store
        .set_password(pm.id, &pw, &Actor::staff(pm.id, pm.name.clone(), now()))?;
    writeln!(
        on.out,
        "Set up {} ({}) in {}",
        project.practice_name, project.ods_code, on.place
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `set-go-live`: moves the planned go-live.
pub(super) fn set_go_live(on: &mut OnLog<'_>, at: &str) -> Result<ExitCode> {
    let mut project = on
        .store
        .project()?
        .context("no project is set up: run `cutover-log init` first")?;
    project.go_live = parse_date_time(at)?;
    let project = Project::validate(
        &project.practice_name,
        project.ods_code.as_str(),
        &project.old_system.label(),
        &project.new_system.label(),
        Ok(project.cutover_start),
        Ok(project.go_live),
    )
    .map_err(|e| anyhow::anyhow!(describe(&e)))?;
    let actor = on.signed_in()?;
    on.store.update_project(&project, &actor)?;
    writeln!(on.out, "Go-live moved to {}", uk_date_time(project.go_live))?;
    Ok(ExitCode::SUCCESS)
}

/// `deadlines`: changes what was given (each change audited), then shows them
/// and what is overdue and due today now.
pub(super) fn deadlines(on: &mut OnLog<'_>, a: &super::DeadlinesArgs) -> Result<ExitCode> {
    use crate::domain::deadline::DeadlineRules;
    let before = on.store.deadline_rules()?;
    let given = [
        a.prescription_turnaround,
        a.repeat_dispensing,
        a.two_week_wait,
        a.default_days,
    ];
    if given.iter().any(Option::is_some) {
        let numbers = before.describe().map(|(_, n)| n);
        let mut new = [0u32; 4];
        for (i, n) in new.iter_mut().enumerate() {
            *n = given[i].unwrap_or(numbers[i]);
        }
        let actor = on.signed_in()?;
        on.store
            .set_deadline_rules(&DeadlineRules::from_numbers(new), &actor)?;
    }
    if let Some(day) = &a.old_system_last_day {
        let day = match day.trim() {
            "none" | "" => None,
            d => Some(crate::domain::dates::parse_date(d)?),
        };
        let actor = on.signed_in()?;
        on.store.set_old_system_access_ends(day, &actor)?;
    }
    let rules = on.store.deadline_rules()?;
    for (what, n) in rules.describe() {
        writeln!(on.out, "{what}: {n}")?;
    }
    let last = on.store.old_system_access_ends()?;
    writeln!(
        on.out,
        "Last day the old system can be read: {}",
        last.map_or("not recorded".to_string(), crate::domain::dates::uk_date)
    )?;
    let project = on
        .store
        .project()?
        .context("no project is set up: run `cutover-log init` first")?;
    let counts = crate::store::deadlines::counts(&*on.store, now())?;
    writeln!(
        on.out,
        "Now: {} overdue, {} due today, {} open",
        counts.overdue, counts.due_today, counts.open
    )?;
    for (line, _) in crate::domain::deadline::banner_lines(counts, last, project.go_live, now()) {
        writeln!(on.out, "{line}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `staff add`.
pub(super) fn add_staff(on: &mut OnLog<'_>, name: &str, role: &str) -> Result<ExitCode> {
    let Some(role) = Role::parse(role) else {
        let roles: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
        bail!("'{role}' is not a role; use one of {}", roles.join(", "));
    };
    let actor = on.signed_in()?;
    let s = on.store.add_staff(name, role, &actor)?;
    writeln!(
        on.out,
        "Added {} ({}), id {}",
        s.name,
        s.role.label(),
        s.id.0
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `staff list`.
pub(super) fn list_staff(on: &mut OnLog<'_>) -> Result<ExitCode> {
    for s in on.store.staff()? {
        let active = if s.active { "" } else { " (inactive)" };
        writeln!(
            on.out,
            "{}\t{}\t{}{}",
            s.id.0,
            s.name,
            s.role.label(),
            active
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `staff set-password`.
pub(super) fn set_password(on: &mut OnLog<'_>, name: &str) -> Result<ExitCode> {
    let actor = on.signed_in()?;
    let staff = StaffDirectory::new(on.store.staff()?);
    let target = staff
        .by_name(name)
        .with_context(|| format!("'{name}' is not on the staff list"))?
        .clone();
    let pw = password(
        "CUTOVER_LOG_NEW_PASSWORD",
        &format!("New password for {}: ", target.name),
    )?;
    on.store.set_password(target.id, &pw, &actor)?;
    writeln!(on.out, "Password set for {}", target.name)?;
    Ok(ExitCode::SUCCESS)
}

/// `sign-off`: signed by the person signed in, as themself in their own
/// capacity (`--role`, when given, must be it), after saying how the items
/// re-entered stand against the new system's reports (a comment is required
/// when any was not found there: the store refuses without one). `--replace`
/// replaces the sign-off in force, with why.
pub(super) fn sign_off(
    on: &mut OnLog<'_>,
    role: Option<&str>,
    comment: &str,
    replace: Option<&str>,
) -> Result<ExitCode> {
    let actor = on.signed_in()?;
    if let Some(role) = role {
        let asked = SignOffRole::parse(role).with_context(|| {
            format!("'{role}' is not a sign-off role; use practice_manager or clinical_lead")
        })?;
        let staff = StaffDirectory::new(on.store.staff()?);
        let own = actor
            .staff
            .and_then(|id| staff.get(id))
            .and_then(|s| SignOffRole::of(s.role));
        if own != Some(asked) {
            bail!(
                "{} signs off only as themself, in their own capacity ({}), not as {}",
                actor.name,
                own.map_or("none: only the practice manager or a GP signs off", |r| r
                    .label()),
                asked.label()
            );
        }
    }
    let checks = on.store.new_system_checks()?;
    writeln!(on.out, "Re-entered items {}", checks.describe())?;
    let signing = match replace {
        Some(reason) => Signing::Replacing { reason },
        None => Signing::First,
    };
    let s = on.store.sign_off(comment, signing, &actor)?;
    writeln!(
        on.out,
        "Signed off by {} ({}) at {}{}",
        s.name,
        s.role.label(),
        uk_date_time(s.at),
        if s.replaces_reason.is_some() {
            ", replacing the earlier sign-off"
        } else {
            ""
        }
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `purge`: only with `--confirm`.
pub(super) fn purge(on: &mut OnLog<'_>, confirm: bool) -> Result<ExitCode> {
    if !confirm {
        bail!(
            "purging removes every patient detail for good: keep the final report, then run again with --confirm"
        );
    }
    let actor = on.signed_in()?;
    let s = on.store.purge(&actor)?;
    writeln!(
        on.out,
        "Purged: {} items and {} audit events removed; a de-identified summary is kept.",
        s.items, s.audit_events_removed
    )?;
    Ok(ExitCode::SUCCESS)
}
