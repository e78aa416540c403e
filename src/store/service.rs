//! The one implementation of [`CutoverStore`]: for any [`Backend`], each
//! operation is the backend-neutral use case in `items`, `practice`, `access`,
//! `queries`, `audit`, `purge` or `verify`. A backend never implements the trait
//! itself.

use chrono::{NaiveDate, NaiveDateTime};

use crate::domain::worklist::PersonProgress;
use crate::domain::{
    Actor, AuditAction, AuditEntity, AuditEvent, AuditFilter, Item, ItemId, ItemInput, NhsNumber,
    PatientRecall, PreviousStatus, Project, Role, SeenItem, SignOff, Sort, Staff, StaffId, Stats,
    StatusChange, WorklistFilter,
};
use crate::store::purge::PurgeSummary;
use crate::store::sql::Backend;
use crate::store::{
    ChangeWatch, CutoverStore, ImportedItem, StoreResult, VerifyReport, access, audit, capture,
    deadlines, items, practice, purge, queries, reconcile, verify,
};

impl<B: Backend> CutoverStore for B {
    fn project(&self) -> StoreResult<Option<Project>> {
        self.read(practice::project)
    }
    fn create_project(&mut self, project: &Project, actor: &Actor) -> StoreResult<()> {
        practice::create_project(self, project, actor)
    }
    fn update_project(&mut self, project: &Project, actor: &Actor) -> StoreResult<()> {
        practice::update_project(self, project, actor)
    }
    fn staff(&self) -> StoreResult<Vec<Staff>> {
        self.read(access::staff)
    }
    fn staff_without_password(&self) -> StoreResult<Vec<StaffId>> {
        self.read(access::without_password)
    }
    fn add_staff(&mut self, name: &str, role: Role, actor: &Actor) -> StoreResult<Staff> {
        practice::add_staff(self, name, role, actor)
    }
    fn set_staff_active(&mut self, id: StaffId, active: bool, actor: &Actor) -> StoreResult<()> {
        practice::set_staff_active(self, id, active, actor)
    }
    fn log_item(&mut self, input: &ItemInput, actor: &Actor) -> StoreResult<Item> {
        items::log_item(self, input, actor)
    }
    fn import_stream(
        &mut self,
        expected: usize,
        list: &mut dyn Iterator<Item = StoreResult<ImportedItem>>,
        actor: &Actor,
    ) -> StoreResult<usize> {
        items::import_items(self, expected, list, actor)
    }
    fn edit_item(
        &mut self,
        id: ItemId,
        expected_version: i64,
        input: &ItemInput,
        actor: &Actor,
    ) -> StoreResult<Item> {
        items::edit_item(self, id, expected_version, input, actor)
    }
    fn void_item(&mut self, id: ItemId, reason: &str, actor: &Actor) -> StoreResult<Item> {
        items::void_item(self, id, reason, actor)
    }
    fn set_status(
        &mut self,
        list: &[SeenItem],
        change: &StatusChange,
        actor: &Actor,
    ) -> StoreResult<Vec<PreviousStatus>> {
        items::set_status(self, list, change, actor)
    }
    fn restore_status(&mut self, previous: &[PreviousStatus], actor: &Actor) -> StoreResult<()> {
        items::restore_status(self, previous, actor)
    }
    fn assign(
        &mut self,
        ids: &[ItemId],
        assignee: Option<StaffId>,
        actor: &Actor,
    ) -> StoreResult<()> {
        items::assign(self, ids, assignee, actor)
    }
    fn item(&self, id: ItemId) -> StoreResult<Item> {
        self.read(|c| queries::fetch(c, id))
    }
    fn worklist_page(
        &self,
        filter: &WorklistFilter,
        sort: Sort,
        offset: u64,
        limit: u64,
    ) -> StoreResult<Vec<Item>> {
        self.read(|c| queries::page(c, filter, sort, offset, limit))
    }
    fn worklist_count(&self, filter: &WorklistFilter) -> StoreResult<u64> {
        self.read(|c| queries::count(c, filter))
    }
    fn worklist_count_by_assignee(
        &self,
        filter: &WorklistFilter,
    ) -> StoreResult<Vec<(Option<StaffId>, u64)>> {
        self.read(|c| queries::count_by_assignee(c, filter))
    }
    fn worklist_count_and_page(
        &self,
        filter: &WorklistFilter,
        sort: Sort,
        offset: u64,
        limit: u64,
    ) -> StoreResult<(u64, Vec<Item>)> {
        self.read(|c| queries::count_and_page(c, filter, sort, offset, limit))
    }
    fn stats(&self) -> StoreResult<Stats> {
        self.read(queries::stats)
    }
    fn person_progress(&self) -> StoreResult<Vec<PersonProgress>> {
        self.read(queries::person_progress)
    }
    fn burndown(&self, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<(NaiveDate, u64)>> {
        self.read(|c| queries::burndown(c, from, to))
    }
    fn patient_recall(&self, nhs_number: &NhsNumber) -> StoreResult<Option<PatientRecall>> {
        self.read(|c| queries::recall(c, nhs_number))
    }
    fn possible_duplicates(
        &self,
        input: &ItemInput,
        except: Option<ItemId>,
    ) -> StoreResult<Vec<Item>> {
        self.read(|c| queries::duplicates(c, input, except))
    }
    fn history(&self, entity: AuditEntity, id: i64) -> StoreResult<Vec<AuditEvent>> {
        self.read(|c| audit::history(c, &entity, id))
    }
    fn purge(&mut self, actor: &Actor) -> StoreResult<PurgeSummary> {
        purge::purge(self, actor)
    }
    fn purges(&self) -> StoreResult<Vec<PurgeSummary>> {
        self.read(purge::summaries)
    }
    fn audit_log(
        &self,
        filter: &AuditFilter,
        offset: u64,
        limit: u64,
    ) -> StoreResult<Vec<AuditEvent>> {
        self.read(|c| audit::log(c, filter, offset, limit))
    }
    fn capture_plan(&self, batch: &capture::CaptureBatch) -> StoreResult<capture::CapturePlan> {
        self.read(|c| capture::classify(c, batch))
    }
    fn capture(
        &mut self,
        batch: &capture::CaptureBatch,
        actor: &Actor,
        going: &mut dyn FnMut(usize, usize) -> bool,
    ) -> StoreResult<capture::CapturePlan> {
        capture::capture(self, batch, actor, going)
    }
    fn reconcile_plan(
        &self,
        batch: &capture::CaptureBatch,
        coverage: crate::domain::reconcile::Coverage,
    ) -> StoreResult<reconcile::ReconcilePlan> {
        self.read(|c| reconcile::plan(c, batch, coverage))
    }
    fn record_reconciliation(
        &mut self,
        decision: &reconcile::ReconcileDecision,
        actor: &Actor,
        going: &mut dyn FnMut(usize, usize) -> bool,
    ) -> StoreResult<reconcile::Recorded> {
        reconcile::record(self, decision, actor, going)
    }
    fn verifications(
        &self,
    ) -> StoreResult<std::collections::HashMap<ItemId, reconcile::Verification>> {
        self.read(reconcile::verifications)
    }
    fn new_system_checks(&self) -> StoreResult<crate::domain::signoff::NewSystemChecks> {
        self.snapshot(reconcile::new_system_checks)
    }
    fn report_sources(&self, item: ItemId) -> StoreResult<Vec<capture::ReportRowRecord>> {
        self.read(|c| capture::sources(c, item))
    }
    fn capture_mappings(&self) -> StoreResult<Vec<crate::domain::capture::CaptureMapping>> {
        self.read(capture::mappings)
    }
    fn save_capture_mapping(
        &mut self,
        mapping: &crate::domain::capture::CaptureMapping,
        actor: &Actor,
    ) -> StoreResult<()> {
        capture::save_mapping(self, mapping, actor)
    }
    fn check_permission(
        &mut self,
        actor: &Actor,
        action: crate::domain::permissions::Action,
    ) -> StoreResult<()> {
        access::authorize(self, actor, action)
    }
    fn record_event(
        &mut self,
        actor: &Actor,
        action: AuditAction,
        detail: &str,
    ) -> StoreResult<()> {
        // No write without an active, signed-in person permitted to make it;
        // the system records in its own name only what happens before anyone
        // signs in (IT's placement override, a restore from the command line).
        let by_the_system = actor.staff.is_none()
            && matches!(
                action,
                AuditAction::PlacementOverridden | AuditAction::LogRestored
            );
        if !by_the_system {
            access::authorize(self, actor, crate::domain::permissions::Action::RecordEvent)?;
        }
        self.write(|tx| {
            audit::append(
                tx,
                actor,
                AuditEntity::Report,
                0,
                action,
                None::<&()>,
                Some(&detail),
            )
        })
    }
    fn for_each_item(&self, f: &mut dyn FnMut(&Item) -> StoreResult<()>) -> StoreResult<()> {
        self.read(|c| queries::for_each_item(c, f))
    }
    fn chain_anchor(&self) -> StoreResult<Option<audit::ChainAnchor>> {
        self.read(audit::anchor)
    }
    fn holding(&self, event: Option<i64>, hash: &str) -> StoreResult<Option<audit::ChainAnchor>> {
        self.read(|c| audit::holding(c, event, hash))
    }
    fn verify(&self) -> StoreResult<VerifyReport> {
        verify::verify(self)
    }
    fn sign_off(
        &mut self,
        comment: &str,
        signing: crate::domain::signoff::Signing<'_>,
        actor: &Actor,
    ) -> StoreResult<SignOff> {
        practice::sign_off(self, comment, signing, actor)
    }
    fn sign_offs(&self) -> StoreResult<Vec<SignOff>> {
        self.read(practice::sign_offs)
    }
    fn set_password(&mut self, staff: StaffId, password: &str, actor: &Actor) -> StoreResult<()> {
        access::set_password(self, staff, password, actor)
    }
    fn sign_in(&mut self, name: &str, password: &str, at: NaiveDateTime) -> StoreResult<Staff> {
        access::sign_in(self, name, password, at)
    }
    fn lock_minutes(&self) -> StoreResult<u32> {
        self.read(practice::lock_minutes)
    }
    fn set_lock_minutes(&mut self, minutes: u32, actor: &Actor) -> StoreResult<()> {
        practice::set_lock_minutes(self, minutes, actor)
    }
    fn deadline_rules(&self) -> StoreResult<crate::domain::deadline::DeadlineRules> {
        self.read(deadlines::rules)
    }
    fn set_deadline_rules(
        &mut self,
        rules: &crate::domain::deadline::DeadlineRules,
        actor: &Actor,
    ) -> StoreResult<()> {
        deadlines::set_rules(self, rules, actor)
    }
    fn old_system_access_ends(&self) -> StoreResult<Option<NaiveDate>> {
        self.read(deadlines::old_system_access_ends)
    }
    fn set_old_system_access_ends(
        &mut self,
        day: Option<NaiveDate>,
        actor: &Actor,
    ) -> StoreResult<()> {
        deadlines::set_old_system_access_ends(self, day, actor)
    }
    fn backup_folder(&self) -> StoreResult<Option<String>> {
        self.read(practice::backup_folder)
    }
    fn set_backup_folder(&mut self, folder: Option<&str>, actor: &Actor) -> StoreResult<()> {
        practice::set_backup_folder(self, folder, actor)
    }
    fn open_another(&self) -> StoreResult<Box<dyn CutoverStore + Send>> {
        Backend::open_another(self)
    }
    fn back_up(
        &self,
        dir: Option<&std::path::Path>,
        at: chrono::NaiveDateTime,
    ) -> StoreResult<Option<crate::store::sqlite::backup::BackupInfo>> {
        Backend::back_up(self, dir, at)
    }
    fn backup_dir(&self, chosen: Option<&std::path::Path>) -> Option<std::path::PathBuf> {
        Backend::backup_dir(self, chosen)
    }
    fn restore_backup(
        &mut self,
        backup: &std::path::Path,
        to: &std::path::Path,
        actor: &Actor,
    ) -> StoreResult<crate::store::sqlite::restore::Restored> {
        practice::restore_backup(self, backup, to, actor)
    }
    fn watch_changes(&self, on_change: Box<dyn Fn() + Send>) -> StoreResult<Option<ChangeWatch>> {
        Backend::watch_changes(self, on_change)
    }
}
