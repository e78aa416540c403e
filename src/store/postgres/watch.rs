//! Noticing other desks' changes at once: every write transaction sends
//! `NOTIFY cutover_log_changed` (with its write lock, so it costs no extra round
//! trip and is only delivered if the change commits), and a watch thread with
//! its own connection `LISTEN`s for it. A lost connection is retried every few
//! seconds; the app's timed re-read covers the gap.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use postgres::Client;
use postgres::fallible_iterator::FallibleIterator;

use super::{ServerAddress, open_client};
use crate::store::{ChangeWatch, StoreResult};

/// The channel every write notifies.
pub const CHANNEL: &str = "cutover_log_changed";

/// How long one wait for a notification lasts before the stop flag is looked at.
const POLL: Duration = Duration::from_millis(500);
/// How long to wait before reconnecting after the connection was lost.
const RETRY: Duration = Duration::from_secs(3);

/// Starts watching; fails only if the first connection cannot be made.
pub(super) fn start(
    address: ServerAddress,
    on_change: Box<dyn Fn() + Send>,
) -> StoreResult<ChangeWatch> {
    let first = listen(&address)?;
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    std::thread::Builder::new()
        .name("cutover-log watch".into())
        .spawn(move || run(address, first, &stopped, on_change.as_ref()))
        .map_err(|e| crate::store::StoreError::Server(format!("could not start watching: {e}")))?;
    Ok(ChangeWatch::new(stop))
}

fn listen(address: &ServerAddress) -> StoreResult<Client> {
    let mut client = open_client(address)?;
    client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
    Ok(client)
}

fn run(address: ServerAddress, first: Client, stop: &AtomicBool, on_change: &dyn Fn()) {
    let mut client = Some(first);
    while !stop.load(Ordering::Relaxed) {
        let Some(c) = client.as_mut() else {
            std::thread::sleep(RETRY);
            if let Ok(c) = listen(&address) {
                client = Some(c);
                // Changes made while away were not notified: re-read once.
                on_change();
            }
            continue;
        };
        let lost = {
            let mut notifications = c.notifications();
            let mut waiting = notifications.timeout_iter(POLL);
            match waiting.next() {
                Ok(Some(_)) => {
                    on_change();
                    false
                }
                Ok(None) => false,
                Err(_) => true,
            }
        };
        if lost || c.is_closed() {
            client = None;
        }
    }
}
