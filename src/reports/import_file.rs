//! Importing an interchange CSV into the log: the one flow every front end
//! runs. The file is read and checked a chunk of rows at a time on one thread
//! while the chunk before is written on another, inside one transaction, so
//! the whole file's items are never held at once and reading costs little
//! beside writing. All or nothing: a row with a problem (unless the importer
//! chose to leave such rows out), a file that stops being readable part way, a
//! refused item or a rejects file that cannot be written rolls every row back.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, sync_channel};

use crate::domain::{Actor, FieldError};
use crate::store::{CutoverStore, ImportedItem, StoreError, StoreResult};

use super::ReportError;
use super::interchange::{
    CheckedRows, FileProblem, ImportContext, ImportReader, RejectedRow, file_bytes,
};

/// What an import stored.
#[derive(Debug)]
pub struct Imported {
    /// Items stored.
    pub items: usize,
    /// Rows left out (only when the importer chose to leave them out).
    pub rejected: usize,
    /// Where the rows left out were written, with their reasons, before the
    /// import was committed.
    pub rejects_file: Option<PathBuf>,
}

/// Why nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum NotImported {
    #[error("{0}")]
    File(#[from] FileProblem),
    /// Rows with problems, and the importer did not choose to leave them out.
    #[error(
        "{} of {} rows have problems; nothing was imported. Fix them, or use --skip-invalid to import the {good} good rows.",
        rejected.len(),
        rejected.len() + good
    )]
    Rows {
        rejected: Vec<RejectedRow>,
        good: usize,
    },
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The rows left out could not be written beside the file, so nothing was
    /// imported (they would have been lost without a trace).
    #[error("the rows left out could not be written beside the file ({0}); nothing was imported")]
    Rejects(ReportError),
}

/// One message from the reading thread.
enum Read {
    Chunk(CheckedRows),
    /// The file's end (or where it could not be read further).
    End(Result<(), FileProblem>),
}

/// Imports the interchange CSV at `path` in `actor`'s name (see
/// [`ImportContext::importer`]). With `skip_invalid`, rows with problems are
/// written to `FILE.rejected.csv` beside it first and the others imported;
/// without, any such row means nothing is imported.
pub fn import_file(
    store: &mut dyn CutoverStore,
    path: &Path,
    ctx: ImportContext<'_>,
    actor: &Actor,
    skip_invalid: bool,
) -> Result<Imported, NotImported> {
    let bytes = file_bytes(path)?;
    let mut reader = ImportReader::open(&bytes, ctx)?;
    let header = reader.header().to_vec();
    // About as many items as lines: chooses how the indexes are kept up.
    let expected = lines_in(&bytes);
    let (send, receive) = sync_channel::<Read>(1);
    std::thread::scope(|scope| {
        let reading = scope.spawn(move || {
            let end = reader.each_chunk(&mut |chunk| send.send(Read::Chunk(chunk)).is_ok());
            // The writer may have stopped listening (it failed): nothing to tell.
            let _ = send.send(Read::End(end));
        });
        let mut feed = Feed {
            receive: &receive,
            current: Vec::new().into_iter(),
            rejected: Vec::new(),
            yielded: 0,
            skip_invalid,
            stop: None,
            rejects: RejectsTarget {
                input: path,
                header: &header,
                written: None,
            },
        };
        let stored = store.import_stream(expected, &mut feed, actor);
        let outcome = match (stored, feed.stop.take()) {
            (Ok(items), None) => Ok(Imported {
                items,
                rejected: feed.rejected.len(),
                rejects_file: feed.rejects.written.take(),
            }),
            (_, Some(Stop::Rows)) => {
                // Read on to the end, so every problem is listed at once.
                let mut good = feed.yielded + feed.current.len();
                let mut rejected = std::mem::take(&mut feed.rejected);
                let mut problem = None;
                for message in receive.iter() {
                    match message {
                        Read::Chunk(chunk) => {
                            good += chunk.items.len();
                            rejected.extend(chunk.rejected);
                        }
                        Read::End(end) => problem = end.err(),
                    }
                }
                match problem {
                    Some(p) => Err(NotImported::File(p)),
                    None => Err(NotImported::Rows { rejected, good }),
                }
            }
            (_, Some(Stop::File(p))) => Err(NotImported::File(p)),
            (_, Some(Stop::Rejects(e))) => Err(NotImported::Rejects(e)),
            (Err(e), None) => Err(NotImported::Store(e)),
        };
        // The reader ends once the channel is dropped or the file is read.
        drop(feed);
        drop(receive);
        match reading.join() {
            Ok(()) => outcome,
            Err(_) => Err(NotImported::File(FileProblem::Io(
                "reading the file stopped unexpectedly; nothing was imported".into(),
            ))),
        }
    })
}

/// Lines in the file: about how many items it holds.
fn lines_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| **b == b'\n').count()
}

/// Why the feed stopped the import.
enum Stop {
    Rows,
    File(FileProblem),
    Rejects(ReportError),
}

/// Where the rows left out go, written when the file has been read to its end
/// (before the import commits).
struct RejectsTarget<'a> {
    input: &'a Path,
    header: &'a [String],
    written: Option<PathBuf>,
}

/// The items of each chunk as the reading thread sends them; an `Err` (and
/// [`Feed::stop`] says why) rolls the import back.
struct Feed<'a> {
    receive: &'a Receiver<Read>,
    current: std::vec::IntoIter<ImportedItem>,
    rejected: Vec<RejectedRow>,
    /// Items handed to the store.
    yielded: usize,
    skip_invalid: bool,
    stop: Option<Stop>,
    rejects: RejectsTarget<'a>,
}

impl Feed<'_> {
    fn halt(&mut self, why: Stop) -> Option<StoreResult<ImportedItem>> {
        self.stop = Some(why);
        Some(Err(StoreError::Invalid(vec![FieldError::new(
            "file",
            "the import was stopped",
        )])))
    }
}

impl Iterator for Feed<'_> {
    type Item = StoreResult<ImportedItem>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.stop.is_some() {
            return None;
        }
        loop {
            if let Some(item) = self.current.next() {
                self.yielded += 1;
                return Some(Ok(item));
            }
            match self.receive.recv() {
                Ok(Read::Chunk(chunk)) => {
                    let bad = !chunk.rejected.is_empty();
                    self.rejected.extend(chunk.rejected);
                    self.current = chunk.items.into_iter();
                    if bad && !self.skip_invalid {
                        return self.halt(Stop::Rows);
                    }
                }
                Ok(Read::End(Err(problem))) => return self.halt(Stop::File(problem)),
                Ok(Read::End(Ok(()))) => {
                    if self.rejected.is_empty() {
                        return None;
                    }
                    match super::interchange::write_rejects(
                        self.rejects.input,
                        self.rejects.header,
                        &self.rejected,
                    ) {
                        Ok(path) => {
                            self.rejects.written = Some(path);
                            return None;
                        }
                        Err(e) => return self.halt(Stop::Rejects(e)),
                    }
                }
                // The reading thread ended without saying so (it panicked).
                Err(_) => {
                    return self.halt(Stop::File(FileProblem::Io(
                        "reading the file stopped unexpectedly".into(),
                    )));
                }
            }
        }
    }
}
