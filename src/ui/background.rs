//! Work on a thread of its own while the window stays responsive: a backup, a
//! restore, checking a whole report, writing a capture or a reconciliation, an
//! export. Each job runs with its own store handle; its outcome is picked up
//! frame by frame. A thread that ends without an answer (it panicked) is an
//! outcome too, said in words, never a progress bar left turning for ever.

use std::sync::mpsc::{Receiver, TryRecvError, channel};

/// One job running on its own thread, with its outcome to come.
#[derive(Debug)]
pub struct Background<T> {
    /// What the job is, in words ("backup", "restore"): names the thread and
    /// the outcome of one that stopped.
    what: &'static str,
    outcome: Receiver<Result<T, String>>,
}

impl<T: Send + 'static> Background<T> {
    /// Starts `job` on a thread of its own. Err: the thread could not be
    /// started (why, in words).
    pub fn start(
        what: &'static str,
        job: impl FnOnce() -> Result<T, String> + Send + 'static,
    ) -> Result<Self, String> {
        let (tx, rx) = channel();
        std::thread::Builder::new()
            .name(what.into())
            .spawn(move || {
                // Whoever asked may be gone (the app closed, another file was
                // chosen): nothing to tell then.
                let _ = tx.send(job());
            })
            .map_err(|e| e.to_string())?;
        Ok(Self { what, outcome: rx })
    }

    /// The outcome once the job has ended, `None` while it runs.
    pub fn finished(&self) -> Option<Result<T, String>> {
        match self.outcome.try_recv() {
            Ok(outcome) => Some(outcome),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err(self.stopped())),
        }
    }

    /// Waits for the outcome (at sign-out and closing).
    pub fn wait(self) -> Result<T, String> {
        self.outcome.recv().unwrap_or_else(|_| Err(self.stopped()))
    }

    fn stopped(&self) -> String {
        format!("the {} stopped part-way", self.what)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn until_finished<T: Send + 'static>(job: &Background<T>) -> Result<T, String> {
        loop {
            if let Some(outcome) = job.finished() {
                return outcome;
            }
            std::thread::yield_now();
        }
    }

    #[test]
    fn the_outcome_is_picked_up_once_the_job_ends() {
        let (go, wait) = channel::<()>();
        let Ok(job) = Background::start("sum", move || {
            wait.recv().map_err(|e| e.to_string())?;
            Ok(2 + 2)
        }) else {
            panic!("no thread")
        };
        assert!(job.finished().is_none(), "still waiting for its go");
        go.send(()).ok();
        assert_eq!(until_finished(&job), Ok(4));
    }

    #[test]
    fn a_job_that_panics_is_said_to_have_stopped_not_left_running() {
        let Ok(job) = Background::<()>::start("restore", || panic!("synthetic failure")) else {
            panic!("no thread")
        };
        assert_eq!(
            until_finished(&job),
            Err("the restore stopped part-way".to_string())
        );
        let Ok(waited) = Background::<()>::start("backup", || panic!("synthetic failure")) else {
            panic!("no thread")
        };
        assert_eq!(
            waited.wait(),
            Err("the backup stopped part-way".to_string())
        );
    }
}
