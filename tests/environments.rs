//! Bad environments: a read-only database file, a full disk, a damaged file
//! (garbage bytes, truncated, overwritten in the middle), a folder that is missing
//! and cannot be made, and a database from a newer schema. Each gives a clear
//! message on the command line (the exact text is asserted) and the same words in
//! the app's start screen where the app can meet it, and nothing already stored is
//! lost: the file is reopened and counted, or, when it cannot be opened, it is
//! shown to be byte-for-byte unchanged.
//!
//! The full disk is simulated two ways: a file-size limit on the writer
//! (`ulimit -f`, with SIGXFSZ ignored, so writes fail with EFBIG), which works
//! everywhere; and, when the tests run as root and may mount, a tiny tmpfs that
//! really runs out of space (ENOSPC). A read-only file is `chmod a-w`, or, as root
//! (who may write anyway), `chattr +i`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod reliability_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use chrono::NaiveDateTime;
use common::*;
use cutover_log::domain::ItemKind;
use cutover_log::store::sqlite::LATEST_VERSION;
use cutover_log::store::{CutoverStore, SqliteStore, StoreError};
use cutover_log::ui::StartApp;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use reliability_support::*;

const STORED: u64 = 20;

fn now() -> NaiveDateTime {
    t("2026-11-20T10:00")
}

/// A practice with 20 items, closed cleanly (no -wal left): its folder and file.
fn stored_practice() -> (tempfile::TempDir, PathBuf) {
    let mut p = Practice::new();
    for i in 0..STORED as u32 {
        let kind = ItemKind::ALL[i as usize % ItemKind::ALL.len()];
        let it = input(kind, &p.gp, &nhs(i), "2026-11-20T09:00");
        let desk = p.desk(during());
        p.store.log_item(&it, &desk).unwrap();
    }
    let path = p.path();
    let Practice { dir, store, .. } = p;
    drop(store);
    (dir, path)
}

fn cli(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cutover-log"))
        .env("CUTOVER_LOG_PASSWORD", TEST_PASSWORD)
        .env_remove("CUTOVER_LOG_DB_PASSPHRASE")
        .stdin(Stdio::null())
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run cutover-log")
}

/// The command failed, and its one error line is exactly `error: {message}`.
fn assert_cli_says(out: &Output, message: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "expected a failure; stderr: {stderr}"
    );
    assert_eq!(stderr.trim_end(), format!("error: {message}"));
}

/// The app's start screen for `db`: it refuses to open, showing `message` under
/// its heading (checked through the accessibility tree, as a user would see it).
fn assert_app_says(db: &Path, message: &str) {
    let start = StartApp::open(db.to_path_buf(), None, now);
    assert_eq!(start.failure(), Some(message), "the app's start screen");
    let mut h = Harness::builder()
        .with_size(egui::vec2(1000.0, 700.0))
        .build_ui_state(|ui, s: &mut StartApp| s.ui(ui), start);
    h.run();
    h.get_by_label("Cutover Log could not open its database");
    h.get_by_label(message);
    assert!(h.state().app().is_none());
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Makes a file read-only for the duration: `chmod a-w`, or `chattr +i` for root.
struct ReadOnly(PathBuf, bool);

impl ReadOnly {
    fn make(path: &Path) -> Option<Self> {
        if is_root() {
            let ok = Command::new("chattr")
                .arg("+i")
                .arg(path)
                .status()
                .is_ok_and(|s| s.success());
            ok.then(|| ReadOnly(path.to_path_buf(), true))
        } else {
            let mut perm = std::fs::metadata(path).unwrap().permissions();
            perm.set_readonly(true);
            std::fs::set_permissions(path, perm).unwrap();
            Some(ReadOnly(path.to_path_buf(), false))
        }
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        if self.1 {
            let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
        } else if let Ok(m) = std::fs::metadata(&self.0) {
            let mut perm = m.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perm.set_readonly(false);
            let _ = std::fs::set_permissions(&self.0, perm);
        }
    }
}

#[test]
fn read_only_file_is_refused_clearly_and_kept() {
    let (_dir, db) = stored_practice();
    {
        let Some(_ro) = ReadOnly::make(&db) else {
            eprintln!("SKIPPED: could not make a read-only file here (root without chattr)");
            return;
        };
        let message = StoreError::ReadOnly.to_string();
        // A change: refused, in words.
        let out = cli(
            &db,
            &["--as", "Test Receptionist", "stress-log", "--count", "3"],
        );
        assert_cli_says(&out, &message);
        // Reading still works.
        let out = cli(&db, &["stats"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The app: refused at the start (signing in is itself recorded).
        assert_app_says(&db, &message);
    }
    assert_eq!(assert_whole(&db), STORED);
}

/// Runs `stress-log` until the disk (or file-size limit) stops it: its report.
fn fill_until_refused(mut cmd: Command) -> (std::process::ExitStatus, Report) {
    cmd.env("CUTOVER_LOG_PASSWORD", TEST_PASSWORD);
    Writer::spawn(cmd).wait()
}

fn assert_kept_after_full(db: &Path, status: std::process::ExitStatus, report: &Report) {
    assert!(!status.success(), "the writer should have been stopped");
    let saved = report.ids();
    assert!(!saved.is_empty(), "nothing saved before the disk filled");
    let total = assert_whole(db);
    let reported = STORED + saved.len() as u64;
    assert!(
        total == reported || total == reported + 1,
        "{reported} stored or reported saved, {total} found"
    );
    let store = SqliteStore::open(db).unwrap();
    for id in saved {
        store.item(cutover_log::domain::ItemId(id)).unwrap();
    }
}

#[test]
fn file_size_limit_stops_saving_clearly_and_keeps_what_was_saved() {
    let (_dir, db) = stored_practice();
    // A limit a little above the file's size now (in 512-byte blocks, as sh counts):
    // the -wal file then the database hit it after some saves.
    let blocks = std::fs::metadata(&db).unwrap().len() / 512 + 1024;
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {blocks} && exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_cutover-log"))
        .arg("--db")
        .arg(&db)
        .args(["--as", WRITER, "stress-log", "--count", "100000"]);
    let (status, report) = fill_until_refused(cmd);
    // SQLite sees EFBIG as a failed write (a short write would be "full").
    let io = StoreError::WriteFailed("disk I/O error".into()).to_string();
    let full = StoreError::DiskFull.to_string();
    let said = report.stderr.trim_end();
    assert!(
        said == format!("error: {io}") || said == format!("error: {full}"),
        "unclear message: {said}"
    );
    eprintln!(
        "file-size limit {blocks} blocks: {} items saved, then: {said}",
        report.saved.len()
    );
    assert_kept_after_full(&db, status, &report);
}

/// A tmpfs mounted for the test (root only), unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, bytes: u64) -> Option<Self> {
        if !is_root() {
            return None;
        }
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o"])
            .arg(format!("size={bytes}"))
            .arg("tmpfs")
            .arg(at)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(at.to_path_buf()))
    }
    fn grow(&self, bytes: u64) {
        let ok = Command::new("mount")
            .args(["-o"])
            .arg(format!("remount,size={bytes}"))
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "remount");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn full_disk_stops_saving_clearly_and_keeps_what_was_saved() {
    let (dir, db) = stored_practice();
    let size = std::fs::metadata(&db).unwrap().len();
    let Some(disk) = Tmpfs::mount(&dir.path().join("small-disk"), size + 1024 * 1024) else {
        eprintln!(
            "SKIPPED: a real full disk needs root and mount (the file-size limit test still ran)"
        );
        return;
    };
    let full_db = disk.0.join("log.sqlite3");
    std::fs::copy(&db, &full_db).unwrap();
    // A small tmpfs stands in for a full disk: a disk held in memory is
    // refused for a live log unless IT overrides it, as here.
    let mut command = stress_command(&full_db, 100_000, 7);
    command.env(cutover_log::store::placement::OVERRIDE_VAR, "1");
    let (status, report) = fill_until_refused(command);
    assert_eq!(
        report.stderr.trim_end(),
        format!("error: {}", StoreError::DiskFull),
        "the message for a full disk"
    );
    eprintln!(
        "tmpfs of {} KB: {} items saved, then: {}",
        (size + 1024 * 1024) / 1024,
        report.saved.len(),
        report.stderr.trim_end()
    );
    // Space is freed (as a user would), then everything saved is there.
    disk.grow(size * 4 + 4 * 1024 * 1024);
    assert_kept_after_full(&full_db, status, &report);
}

/// Issue 31 #16: a log on a disk with no room left (SQLite cannot make its
/// journal beside it) is said to be on a full disk, not "disk I/O error".
#[test]
fn opening_a_log_on_a_full_disk_says_the_disk_is_full() {
    let (dir, db) = stored_practice();
    let size = std::fs::metadata(&db).unwrap().len();
    let Some(disk) = Tmpfs::mount(&dir.path().join("full-disk"), size + 256 * 1024) else {
        eprintln!("SKIPPED: a real full disk needs root and mount");
        return;
    };
    let full_db = disk.0.join("log.sqlite3");
    std::fs::copy(&db, &full_db).unwrap();
    // Fill what is left.
    let mut filler = std::fs::File::create(disk.0.join("filler")).unwrap();
    let block = vec![0u8; 64 * 1024];
    while std::io::Write::write_all(&mut filler, &block).is_ok() {}
    drop(filler);
    let out = Command::new(env!("CARGO_BIN_EXE_cutover-log"))
        .env(cutover_log::store::placement::OVERRIDE_VAR, "1")
        .arg("--db")
        .arg(&full_db)
        .arg("stats")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("the disk holding the log is full"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    drop(disk);
}

/// Bytes that are not a database (from a seeded generator, not real data).
fn garbage(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    (0..len).map(|_| rng.next() as u8).collect()
}

#[test]
fn garbage_file_is_reported_damaged_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("log.sqlite3");
    std::fs::write(&db, garbage(10_000, 42)).unwrap();
    let before = std::fs::read(&db).unwrap();
    let message = format!(
        "could not open the database {}: the file is damaged, or is not a Cutover Log database (file is not a database). \
         Restore it from a backup; nothing was written to it",
        db.display()
    );
    assert_cli_says(&cli(&db, &["stats"]), &message);
    assert_cli_says(
        &cli(&db, &["--as", WRITER, "stress-log", "--count", "1"]),
        &message,
    );
    assert_app_says(&db, &message);
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the file must not change"
    );
}

#[test]
fn garbage_the_size_of_an_encrypted_file_asks_for_the_passphrase() {
    // Whole pages of noise cannot be told from an encrypted log without the key:
    // ask for the passphrase, and say the other possibility.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("log.sqlite3");
    std::fs::write(&db, garbage(8192, 43)).unwrap();
    let before = std::fs::read(&db).unwrap();
    let out = cli(&db, &["stats"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        said.starts_with(&format!(
            "error: {} is encrypted (or is not a Cutover Log database) and needs the practice's database passphrase",
            db.display()
        )),
        "{said}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_cutover-log"))
        .env("CUTOVER_LOG_DB_PASSPHRASE", "a practice passphrase")
        .arg("--db")
        .arg(&db)
        .arg("stats")
        .output()
        .unwrap();
    assert_cli_says(&out, &StoreError::WrongPassphrase.to_string());
    let start = StartApp::open(db.clone(), None, now);
    assert!(matches!(start, StartApp::Passphrase { .. }));
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the file must not change"
    );
}

#[test]
fn truncated_file_is_reported_damaged_and_left_alone() {
    let (_dir, db) = stored_practice();
    let len = std::fs::metadata(&db).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    f.set_len(len / 2).unwrap();
    drop(f);
    let before = std::fs::read(&db).unwrap();
    let message = format!(
        "could not open the database {}: the file is damaged, or is not a Cutover Log database (database disk image is malformed). \
         Restore it from a backup; nothing was written to it",
        db.display()
    );
    assert_cli_says(&cli(&db, &["stats"]), &message);
    assert_cli_says(&cli(&db, &["verify"]), &message);
    assert_app_says(&db, &message);
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the file must not change"
    );

    // Cut inside the header: the same words.
    std::fs::write(&db, &before[..100]).unwrap();
    assert_cli_says(&cli(&db, &["stats"]), &message);
}

#[test]
fn file_overwritten_in_the_middle_fails_verify() {
    let (_dir, db) = stored_practice();
    let mut bytes = std::fs::read(&db).unwrap();
    let page = 4096;
    let at = (bytes.len() / 2) / page * page;
    bytes[at..at + page].copy_from_slice(&garbage(page, 44));
    std::fs::write(&db, &bytes).unwrap();
    let out = cli(&db, &["verify"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "verify must fail: {stdout}");
    assert!(
        stdout.contains("database integrity: FAILED") || stderr.contains("damaged"),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        bytes,
        "the file must not change"
    );
}

#[test]
fn missing_folder_that_cannot_be_made_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"a file where a folder should be").unwrap();
    let db = blocker.join("logs").join("log.sqlite3");
    let message = format!(
        "could not open the database {}: its folder {} does not exist and could not be created \
         (Not a directory (os error 20)). Check the path",
        db.display(),
        blocker.join("logs").display()
    );
    // A command that makes a log (one on a log that is not there is refused).
    assert_cli_says(&cli(&db, &["demo", "--items", "1"]), &message);
    assert_app_says(&db, &message);
    assert_eq!(
        std::fs::read(&blocker).unwrap(),
        b"a file where a folder should be"
    );
}

#[test]
fn missing_folder_is_made_for_a_new_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new").join("deeper").join("log.sqlite3");
    let out = cli(&db, &["demo", "--items", "1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(db.exists());
}

#[test]
fn newer_schema_is_refused_clearly_and_kept() {
    let (_dir, db) = stored_practice();
    raw(&db)
        .pragma_update(None, "user_version", LATEST_VERSION + 1)
        .unwrap();
    let before = std::fs::read(&db).unwrap();
    let message = StoreError::NewerSchema {
        found: LATEST_VERSION + 1,
        known: LATEST_VERSION,
    }
    .to_string();
    assert!(message.contains("made by a newer version of Cutover Log"));
    assert_cli_says(&cli(&db, &["stats"]), &message);
    assert_cli_says(
        &cli(&db, &["--as", WRITER, "stress-log", "--count", "1"]),
        &message,
    );
    assert_app_says(&db, &message);
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the file must not change"
    );
    // With this version's schema number back (as the newer app would leave it),
    // everything is there.
    raw(&db)
        .pragma_update(None, "user_version", LATEST_VERSION)
        .unwrap();
    assert_eq!(assert_whole(&db), STORED);
}
