//! The shared (server) store under the conditions of several desks: concurrent
//! writers, moving a log onto the server and back, and a lost connection. These
//! need the test PostgreSQL server (see tests/common/pg.rs); the behavioural
//! suite that runs on both stores is in tests/store.rs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Instant;

use common::*;
use cutover_log::domain::{ItemKind, StatusChange, WorklistFilter};
use cutover_log::store::transfer::{Transfer, copy_log};
use cutover_log::store::{CutoverStore, PostgresStore, SqliteStore, StoreError};
use egui_kittest::kittest::Queryable;

/// Two desks each log 5,000 items at the same time: all 10,000 are stored, each
/// with its creation event, and the audit chain is complete and unbroken.
#[test]
fn two_concurrent_desks_log_5000_items_each_with_a_complete_audit_chain() {
    let Some(p) = Practice::on_postgres() else {
        return;
    };
    const EACH: u32 = 5_000;
    let events_before = p.store.verify().unwrap().audit_events;
    let started = Instant::now();
    let desks: Vec<_> = [p.reception.clone(), p.nurse.clone()]
        .into_iter()
        .enumerate()
        .map(|(d, who)| {
            let mut store = p.store.open_another().unwrap();
            let gp = p.gp.clone();
            std::thread::spawn(move || {
                for i in 0..EACH {
                    let n = d as u32 * EACH + i;
                    let item = input(ItemKind::Other, &gp, &nhs(n), "2026-11-18T09:15");
                    let actor =
                        cutover_log::domain::Actor::staff(who.id, who.name.clone(), during());
                    store.log_item(&item, &actor).unwrap();
                }
            })
        })
        .collect();
    for d in desks {
        d.join().unwrap();
    }
    let took = started.elapsed();
    let report = p.store.verify().unwrap();
    eprintln!(
        "2 desks x {EACH} items on PostgreSQL: {:.1} s ({:.0} items/s)",
        took.as_secs_f64(),
        f64::from(2 * EACH) / took.as_secs_f64()
    );
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.items, u64::from(2 * EACH));
    assert_eq!(report.items_without_creation_event, 0);
    assert_eq!(report.audit_events, events_before + u64::from(2 * EACH));
    assert_eq!(report.broken_link, None);
    assert_eq!(
        p.store.worklist_count(&WorklistFilter::default()).unwrap(),
        u64::from(2 * EACH)
    );
}

/// Two desks race to tick the same item off, 50 times each, each from a fresh
/// read: every attempt is either stored or refused as changed at another desk
/// (never a silent overwrite, never another error), every stored tick is in the
/// audit trail in order, and a desk is only refused because the other one won.
#[test]
fn two_desks_racing_to_tick_the_same_item_never_overwrite_each_other() {
    let Some(mut p) = Practice::on_postgres() else {
        return;
    };
    let gp = p.gp.clone();
    let item = p
        .store
        .log_item(
            &input(ItemKind::Consultation, &gp, NHS_A, "2026-11-18T09:15"),
            &p.desk(during()),
        )
        .unwrap();
    let desks: Vec<_> = (0..2)
        .map(|_| {
            let mut store = p.store.open_another().unwrap();
            let actor = p.as_gp(t("2026-11-24T10:00"));
            std::thread::spawn(move || {
                let (mut stored, mut refused) = (0u32, 0u32);
                for _ in 0..50 {
                    let seen = store.item(item.id).unwrap();
                    let change = if seen.reentry.status.is_open() {
                        StatusChange::ReEntered {
                            note: String::new(),
                        }
                    } else {
                        StatusChange::Reopen
                    };
                    match store.set_status(&[seen.seen()], &change, &actor) {
                        Ok(_) => stored += 1,
                        Err(StoreError::ChangedElsewhere(id)) if id == item.id.0 => refused += 1,
                        Err(e) => panic!("unexpected error: {e}"),
                    }
                }
                (stored, refused)
            })
        })
        .collect();
    let results: Vec<(u32, u32)> = desks.into_iter().map(|d| d.join().unwrap()).collect();
    let stored: u32 = results.iter().map(|r| r.0).sum();
    assert_eq!(results.iter().map(|r| r.0 + r.1).sum::<u32>(), 100);
    // Each refusal needs a tick by the other desk between its read and its write.
    assert!(results[0].1 <= results[1].0, "{results:?}");
    assert!(results[1].1 <= results[0].0, "{results:?}");
    let after = p.store.item(item.id).unwrap();
    assert_eq!(
        after.version,
        item.version + i64::from(stored),
        "{results:?}"
    );
    let history = p
        .store
        .history(cutover_log::domain::AuditEntity::Item, item.id.0)
        .unwrap();
    assert_eq!(history.len(), 1 + stored as usize);
    // Each stored tick was made from the state the one before it left.
    for pair in history[1..].windows(2) {
        assert_eq!(
            pair[0].after, pair[1].before,
            "ticks chain one from another"
        );
    }
    assert!(p.store.verify().unwrap().is_ok());
}

fn busy_log(p: &mut Practice<SqliteStore>) {
    let gp = p.gp.clone();
    let mut ids = Vec::new();
    for (i, kind) in ItemKind::ALL.into_iter().enumerate() {
        let item = p
            .store
            .log_item(
                &input(kind, &gp, &nhs(i as u32), "2026-11-18T09:15"),
                &p.desk(during()),
            )
            .unwrap();
        ids.push(item.id);
    }
    p.store
        .void_item(
            ids[0],
            "Logged against the wrong patient",
            &p.desk(during()),
        )
        .unwrap();
    p.store
        .set_status(
            &p.seen(&ids[1..4]),
            &StatusChange::ReEntered {
                note: "done".into(),
            },
            &p.as_gp(t("2026-11-24T10:00")),
        )
        .unwrap();
    let _ = p.store.sign_in("Test Nurse", "wrong password", during());
}

/// A single-desk file moves onto the server with nothing lost — ids, staff and
/// their passwords, the audit chain — and back into a file for archiving.
#[test]
fn a_log_moves_to_the_server_and_back_with_nothing_lost() {
    let Some(db) = common::pg::TestDb::create() else {
        return;
    };
    let mut p = Practice::new();
    busy_log(&mut p);
    let mut server = PostgresStore::with_config(db.config()).unwrap();
    let report = copy_log(&p.store, &mut server).unwrap();
    assert_eq!(report.items, 11);
    assert_eq!(report.staff, 4);
    let source = p.store.verify().unwrap();
    let moved = server.verify().unwrap();
    assert!(moved.is_ok(), "{moved:?}");
    assert_eq!(moved.audit_events, source.audit_events);
    assert_eq!(moved.items, source.items);
    assert_eq!(server.stats().unwrap(), p.store.stats().unwrap());
    for id in 1..=11 {
        let id = cutover_log::domain::ItemId(id);
        assert_eq!(server.item(id).unwrap(), p.store.item(id).unwrap());
    }
    // Passwords came across as hashes: the staff sign in on the server.
    server
        .sign_in("Test Nurse", TEST_PASSWORD, t("2026-11-25T09:00"))
        .unwrap();
    // New work continues the chain and the ids.
    let next = server
        .log_item(
            &input(ItemKind::Other, &p.gp.clone(), &nhs(77), "2026-11-18T09:15"),
            &p.desk(during()),
        )
        .unwrap();
    assert_eq!(next.id.0, 12);
    assert!(server.verify().unwrap().is_ok());

    // Moving into a log that is not empty is refused, and changes nothing.
    let err = copy_log(&p.store, &mut server).unwrap_err();
    assert!(err.to_string().contains("already holds a log"), "{err}");
    assert_eq!(server.verify().unwrap().items, 12);

    // And back into a file, for archiving.
    let dir = tempfile::tempdir().unwrap();
    let mut archive = SqliteStore::open(&dir.path().join("archive.sqlite3")).unwrap();
    let back = copy_log(&server, &mut archive).unwrap();
    assert_eq!(back.items, 12);
    assert_eq!(
        back.chain_head,
        server.read_copy().unwrap().events.last().unwrap().hash
    );
    assert!(archive.verify().unwrap().is_ok());
    assert_eq!(archive.stats().unwrap(), server.stats().unwrap());
}

/// A lost connection is reported as such (nothing half-saved), and the next
/// action reconnects by itself.
#[test]
fn a_lost_connection_is_reported_and_the_next_action_reconnects() {
    let Some(mut p) = Practice::on_postgres() else {
        return;
    };
    let gp = p.gp.clone();
    let before = p.store.verify().unwrap();
    // The server drops every other connection to this database (as a network
    // failure or a server restart would).
    let common::Db::Postgres(db) = &p.db else {
        unreachable!()
    };
    db.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .unwrap();
    let item = input(ItemKind::Other, &gp, NHS_A, "2026-11-18T09:15");
    let err = p.store.log_item(&item, &p.desk(during())).unwrap_err();
    assert!(
        matches!(err, StoreError::ConnectionLost(_)),
        "reported as a lost connection: {err}"
    );
    assert!(
        err.to_string()
            .contains("connection to the practice server was lost")
    );
    // Retrying works, and exactly one item was stored.
    p.store.log_item(&item, &p.desk(during())).unwrap();
    let after = p.store.verify().unwrap();
    assert!(after.is_ok());
    assert_eq!(after.items, before.items + 1);
}

/// The command line moves a file onto the server and back, checking each copy.
#[test]
fn the_command_line_migrates_to_the_server_and_back() {
    let Some(db) = common::pg::TestDb::create() else {
        return;
    };
    let mut p = Practice::new();
    busy_log(&mut p);
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cutover-log"))
            .env("CUTOVER_LOG_PASSWORD", TEST_PASSWORD)
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let file = p.path();
    let file = file.to_str().unwrap();
    let url = db.url();
    let (ok, text) = run(&[
        "--as",
        "Test Manager",
        "migrate-to-server",
        "--db",
        file,
        "--server",
        &url,
    ]);
    assert!(ok, "{text}");
    assert!(text.contains("Copied 11 items, 4 staff"), "{text}");
    // A second move into the same server is refused.
    let (ok, text) = run(&[
        "--as",
        "Test Manager",
        "migrate-to-server",
        "--db",
        file,
        "--server",
        &url,
    ]);
    assert!(!ok);
    assert!(text.contains("already holds a log"), "{text}");
    // Only the practice manager may move the log.
    let (ok, text) = run(&[
        "--as",
        "Test Nurse",
        "migrate-to-server",
        "--db",
        file,
        "--server",
        &url,
    ]);
    assert!(!ok);
    assert!(text.contains("only the practice manager"), "{text}");

    let (ok, text) = run(&["--server", &url, "verify"]);
    assert!(ok, "{text}");
    assert!(text.contains("audit hash chain: intact"), "{text}");

    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive.sqlite3");
    let archive = archive.to_str().unwrap();
    let (ok, text) = run(&[
        "--as",
        "Test Manager",
        "migrate-from-server",
        "--server",
        &url,
        "--db",
        archive,
    ]);
    assert!(ok, "{text}");
    let (ok, text) = run(&["--db", archive, "verify"]);
    assert!(ok, "{text}");
    let archived = SqliteStore::open(std::path::Path::new(archive)).unwrap();
    assert_eq!(archived.stats().unwrap(), p.store.stats().unwrap());
    // The server's password never appears in what the command prints.
    assert!(!text.contains("password="), "{text}");
}

/// The app connects to the practice server from its start screen (the password
/// typed there is not kept), and setup offers that screen instead of a file.
#[test]
fn the_app_connects_to_the_practice_server_from_setup() {
    let Some(p) = Practice::on_postgres() else {
        return;
    };
    let common::Db::Postgres(db) = &p.db else {
        unreachable!()
    };
    let now = || t("2026-11-20T10:00");
    let mut h = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1200.0, 900.0))
        .with_max_steps(12)
        .build_ui_state(
            |ui, app: &mut cutover_log::ui::StartApp| app.ui(ui),
            cutover_log::ui::StartApp::server(
                "postgres://nobody@127.0.0.1:1/none".into(),
                None,
                now,
            ),
        );
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(h.state().app().is_none(), "no server there");
    assert!(
        h.query_all_by_label_contains("could not open")
            .next()
            .is_some(),
        "the reason is shown"
    );
    // The right address: the app opens on the server's log, at sign-in.
    let cutover_log::ui::StartApp::Server { url, .. } = h.state_mut() else {
        unreachable!()
    };
    *url = db.url();
    h.get_by_label("Server password").focus();
    h.run();
    h.get_by_label("Server password")
        .type_text("typed-not-kept");
    h.key_press(egui::Key::Enter);
    h.run();
    let app = h.state().app().expect("connected");
    assert_eq!(app.project().unwrap().practice_name, "Test Surgery");
    // About names the server and says the (local socket) connection is not encrypted.
    let about = &app.help.about.database;
    assert!(about.starts_with("Practice server "), "{about}");
    assert!(about.ends_with(", not encrypted"), "{about}");
    assert!(!about.contains("typed-not-kept"), "{about}");
    assert!(h.query_all_by_label_contains("Sign in").next().is_some());

    // On an empty single-desk log, setup offers the server instead.
    let dir = tempfile::tempdir().unwrap();
    let empty = SqliteStore::open(&dir.path().join("new.sqlite3")).unwrap();
    let mut h = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1200.0, 900.0))
        .with_max_steps(12)
        .build_ui_state(
            |ui, app: &mut cutover_log::ui::StartApp| app.ui(ui),
            cutover_log::ui::StartApp::Open(Box::new(cutover_log::ui::CutoverApp::new(
                Box::new(empty),
                now,
            ))),
        );
    h.run();
    h.get_by_label("Connect to practice server").click();
    h.run();
    assert!(h.state().app().is_none());
    assert!(h.query_by_label("Server address").is_some());
}

/// The running app notices a lost server connection at once (on its next
/// re-read, here forced by the window regaining focus), says so on the status
/// line, and says so again when the retry succeeds.
#[test]
fn the_app_says_at_once_when_the_server_connection_is_lost_and_when_it_is_back() {
    let Some(p) = Practice::on_postgres() else {
        return;
    };
    let common::Db::Postgres(db) = &p.db else {
        unreachable!()
    };
    let mut h = app_on_server(db, || t("2026-11-20T10:00"));
    h.run();
    db.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .unwrap();
    h.event(egui::Event::WindowFocused(true));
    h.run();
    let status = h.state().status.text.clone();
    assert!(status.starts_with("Connection lost"), "{status}");
    assert!(status.contains("what you are typing is kept"), "{status}");
    h.event(egui::Event::WindowFocused(true));
    h.run();
    assert_eq!(h.state().status.text, "Connection to the log is back.");
}

/// The connection to a server over the network is encrypted and the server's
/// certificate checked: against the practice's own authority (sslrootcert) it
/// connects over TLS; without that authority, or by a name the certificate does
/// not carry, it is refused with a message that says what to do.
#[test]
fn the_server_connection_is_encrypted_and_its_certificate_checked() {
    let Some((base, ca)) = common::pg::tls_server() else {
        return;
    };
    let Some(db) = common::pg::TestDb::create() else {
        return;
    };
    let name = db.config().get_dbname().unwrap().to_string();
    let verified = format!("{base} dbname={name} sslmode=verify-full sslrootcert={ca}");
    let mut store = PostgresStore::connect(&verified).unwrap();
    assert!(store.is_encrypted().unwrap(), "TLS in use");
    assert_eq!(store.project().unwrap(), None);
    store
        .create_project(
            &project(),
            &cutover_log::domain::Actor::system("tls test", during()),
        )
        .unwrap();
    assert!(store.verify().unwrap().is_ok());
    // Another handle (the worklist's reader) is encrypted too.
    let other = store.open_another().unwrap();
    assert!(other.project().unwrap().is_some());

    let unknown_authority = format!("{base} dbname={name} sslmode=require");
    let message = PostgresStore::connect(&unknown_authority)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("sslrootcert="),
        "says what to do: {message}"
    );

    let wrong_name = format!(
        "{} dbname={name} sslmode=verify-full sslrootcert={ca}",
        base.replace("host=localhost", "host=127.0.0.1")
    );
    assert!(
        PostgresStore::connect(&wrong_name).is_err(),
        "the certificate is for localhost only"
    );
}

/// `verify` on the server checks every table page by page and every index
/// against its table when the amcheck extension is there, and says how to get
/// that check when it is not.
#[test]
fn verify_checks_pages_with_amcheck_and_says_how_to_get_it() {
    let Some(mut p) = Practice::on_postgres() else {
        return;
    };
    let gp = p.gp.clone();
    p.store
        .log_item(
            &input(ItemKind::Consultation, &gp, NHS_A, "2026-11-18T09:15"),
            &p.desk(during()),
        )
        .unwrap();
    let without = p.store.verify().unwrap();
    assert!(without.is_ok(), "{without:?}");
    assert!(
        without
            .integrity_messages
            .iter()
            .any(|m| m.contains("CREATE EXTENSION amcheck")),
        "{:?}",
        without.integrity_messages
    );
    p.db.exec("", "CREATE EXTENSION amcheck").unwrap();
    let with = p.store.verify().unwrap();
    assert!(with.is_ok(), "{with:?}");
    assert_eq!(with.integrity_messages, vec!["ok".to_string()]);
}

/// Another desk's new item shows in this desk's worklist at once: every write on
/// the server notifies the desks watching it, so the list is re-read without
/// waiting for the 10-second timer or a change of window focus.
#[test]
fn another_desks_new_item_shows_at_once_without_waiting_for_the_timer() {
    let Some(mut p) = Practice::on_postgres() else {
        return;
    };
    let common::Db::Postgres(db) = &p.db else {
        unreachable!()
    };
    let gp = p.gp.clone();
    p.store
        .log_item(
            &input(ItemKind::Consultation, &gp, NHS_A, "2026-11-18T09:15"),
            &p.desk(during()),
        )
        .unwrap();
    let mut h = app_on_server(db, || t("2026-11-24T10:00"));
    h.run_ok();
    common::ui::sign_in(&mut h, "Dr Test Gp (GP)");
    let shows = |h: &egui_kittest::Harness<'_, cutover_log::ui::CutoverApp>, text: &str| {
        h.query_all_by_label_contains(text).next().is_some()
    };
    let wait_for = |h: &mut egui_kittest::Harness<'_, cutover_log::ui::CutoverApp>, text: &str| {
        let started = Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(5) {
            h.run_ok();
            if shows(h, text) {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        false
    };
    assert!(
        wait_for(&mut h, "1 matching item"),
        "the first item is listed"
    );
    let opened = Instant::now();

    p.store
        .log_item(
            &input(ItemKind::Prescription, &gp, &nhs(7), "2026-11-19T11:00"),
            &p.desk(during()),
        )
        .unwrap();
    assert!(
        wait_for(&mut h, "2 matching items"),
        "the other desk's item appears"
    );
    assert!(
        opened.elapsed() < std::time::Duration::from_secs(9),
        "seen through the notification, before the 10-second re-read"
    );
}

/// Runs the app's binary with no display (its window cannot open, so it stops on
/// its own) in a home folder of the test's, and waits at most a minute.
fn start_app_without_display(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_cutover-log"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the app did not stop within a minute");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// A desk started once on the server remembers it (the address only, never the
/// password) and uses it at the next start with no address given, so it never
/// falls back to an empty log of its own.
#[test]
fn a_desk_remembers_its_server_without_the_password() {
    let Some(p) = Practice::on_postgres() else {
        return;
    };
    let common::Db::Postgres(db) = &p.db else {
        unreachable!()
    };
    let home = tempfile::tempdir().unwrap();
    let url = db.url();
    let with_password = if url.starts_with("postgres") {
        let joint = if url.contains('?') { '&' } else { '?' };
        format!("{url}{joint}password=not-kept")
    } else {
        format!("{url} password=not-kept")
    };
    start_app_without_display(home.path(), &["--server", &with_password]);
    let file = walk(home.path())
        .into_iter()
        .find(|f| f.ends_with("practice-server.txt"))
        .expect("the server is remembered");
    let text = std::fs::read_to_string(&file).unwrap();
    let name = db.config().get_dbname().unwrap().to_string();
    assert!(text.contains(&name), "{text}");
    assert!(!text.contains("not-kept"), "no password kept: {text}");

    let again = start_app_without_display(home.path(), &[]);
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(
        said.contains("using the practice server") && said.contains(&name),
        "{said}"
    );
    assert!(!said.contains("not-kept"), "{said}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The running app (reading in the background, as a desk does) on a test
/// database of the server, at the practice time `now` gives.
fn app_on_server(
    db: &common::pg::TestDb,
    now: fn() -> chrono::NaiveDateTime,
) -> egui_kittest::Harness<'static, cutover_log::ui::CutoverApp> {
    let store = PostgresStore::with_config(db.config()).unwrap();
    egui_kittest::Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .with_max_steps(12)
        .build_ui_state(
            |ui, app: &mut cutover_log::ui::CutoverApp| app.ui(ui),
            cutover_log::ui::CutoverApp::new(Box::new(store), now).reading_in_background(),
        )
}
