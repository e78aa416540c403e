//! Worklist rows fetched from the store a page at a time, as the table scrolls.
//! Only a few pages are held; a change of filter or sort, or any write, drops them.
//!
//! In the app the reads run on a [`Reader`] thread with its own handle on the log,
//! so a filter change at 100,000 items never holds up a frame: until the new rows
//! arrive the table keeps showing the previous ones. Without a reader (tests,
//! or if a second handle cannot be opened) the same reads happen inline.

use std::collections::{BTreeSet, VecDeque};
use std::sync::mpsc::{self, Receiver, Sender};

use crate::domain::{Item, Sort, WorklistFilter};
use crate::store::{CutoverStore, StoreError, StoreResult};

/// Rows per page fetched from the store.
pub const PAGE_SIZE: u64 = 100;
/// Pages kept in memory at once (a screenful needs one or two).
const PAGES_KEPT: usize = 8;

type Pages = VecDeque<(u64, Vec<Item>)>;

/// The current filter's count and the pages fetched so far.
#[derive(Default)]
pub struct PageCache {
    filter: WorklistFilter,
    sort: Sort,
    count: Option<u64>,
    pages: Pages,
    reader: Option<Reader>,
    /// Bumped by every change of query or write; replies for older ones are dropped.
    generation: u64,
    /// Pages asked of the reader for this generation and not yet answered.
    requested: BTreeSet<u64>,
    /// The previous rows and count, shown while the reader fetches the new ones.
    shown: Pages,
    shown_count: u64,
}

impl std::fmt::Debug for PageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageCache")
            .field("count", &self.count)
            .field("pages", &self.pages.len())
            .field("background", &self.reader.is_some())
            .finish()
    }
}

impl PageCache {
    /// Reads from now on go through `reader` instead of blocking the frame.
    pub fn read_in_background(&mut self, reader: Reader) {
        self.reader = Some(reader);
        self.invalidate();
    }

    /// Switches to a filter and sort; drops the pages if either changed.
    pub fn set_query(&mut self, filter: &WorklistFilter, sort: Sort) {
        if *filter != self.filter || sort != self.sort {
            self.filter = filter.clone();
            self.sort = sort;
            self.invalidate();
        }
    }

    /// Which read this is: moves on with every change of query and every write,
    /// so a caller can check what it keeps (a selection) against each.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Forget everything fetched (after a write).
    pub fn invalidate(&mut self) {
        self.generation += 1;
        self.requested.clear();
        if self.reader.is_some() {
            // Keep the old rows on screen until the new ones arrive.
            if let Some(n) = self.count.take() {
                self.shown_count = n;
            }
            if !self.pages.is_empty() {
                self.shown = std::mem::take(&mut self.pages);
            }
        } else {
            self.count = None;
            self.pages.clear();
        }
    }

    /// Whether the reader is still fetching rows for the current query.
    pub fn is_loading(&self) -> bool {
        !self.requested.is_empty()
    }

    /// Takes in what the reader has fetched; returns the first read that failed.
    pub fn poll(&mut self) -> Option<StoreError> {
        let replies: Vec<Reply> = match &self.reader {
            Some(r) => r.replies.try_iter().collect(),
            None => return None,
        };
        let mut failure = None;
        for reply in replies {
            if reply.generation != self.generation {
                continue;
            }
            self.requested.remove(&reply.page);
            match reply.result {
                Ok((count, items)) => {
                    if let Some(n) = count {
                        self.count = Some(n);
                    }
                    self.keep(reply.page, items);
                    self.shown.clear();
                }
                Err(e) => {
                    failure.get_or_insert(e);
                }
            }
        }
        failure
    }

    /// How many items match the filter (with a reader, the last known number
    /// until the new count arrives).
    pub fn count(&mut self, store: &dyn CutoverStore) -> StoreResult<u64> {
        if let Some(n) = self.count {
            return Ok(n);
        }
        if self.reader.is_some() {
            self.request(0);
            return Ok(self.shown_count);
        }
        let n = store.worklist_count(&self.filter)?;
        self.count = Some(n);
        Ok(n)
    }

    /// The item to draw at row `index`. With a reader, a page not yet fetched is
    /// asked for and the previous rows (or nothing) are shown meanwhile.
    pub fn row(&mut self, store: &dyn CutoverStore, index: u64) -> StoreResult<Option<&Item>> {
        let page = index / PAGE_SIZE;
        if self.reader.is_none() {
            return self.row_now(store, index);
        }
        if !self.pages.iter().any(|(p, _)| *p == page) {
            self.request(page);
            return Ok(find(&self.shown, index));
        }
        Ok(find(&self.pages, index))
    }

    /// The current item at row `index`, read at once if its page is not here:
    /// what an action (tick-off, assign) works on, never a stale row.
    pub fn row_now(&mut self, store: &dyn CutoverStore, index: u64) -> StoreResult<Option<&Item>> {
        let page = index / PAGE_SIZE;
        if !self.pages.iter().any(|(p, _)| *p == page) {
            let items =
                store.worklist_page(&self.filter, self.sort, page * PAGE_SIZE, PAGE_SIZE)?;
            self.keep(page, items);
        }
        Ok(find(&self.pages, index))
    }

    fn keep(&mut self, page: u64, items: Vec<Item>) {
        self.pages.retain(|(p, _)| *p != page);
        if self.pages.len() >= PAGES_KEPT {
            self.pages.pop_front();
        }
        self.pages.push_back((page, items));
    }

    fn request(&mut self, page: u64) {
        let Some(reader) = &self.reader else { return };
        if !self.requested.insert(page) {
            return;
        }
        let sent = reader.requests.send(Request {
            generation: self.generation,
            filter: self.filter.clone(),
            sort: self.sort,
            page,
            with_count: self.count.is_none(),
        });
        if sent.is_err() {
            // The reader thread has gone (it only ends if it panicked): read inline.
            self.reader = None;
            self.invalidate();
        }
    }
}

fn find(pages: &Pages, index: u64) -> Option<&Item> {
    pages
        .iter()
        .find(|(p, _)| *p == index / PAGE_SIZE)
        .and_then(|(_, items)| items.get((index % PAGE_SIZE) as usize))
}

/// One read the worklist asks of its reader.
struct Request {
    generation: u64,
    filter: WorklistFilter,
    sort: Sort,
    page: u64,
    with_count: bool,
}

/// The reader's answer: the count (when asked for) and the page's items.
struct Reply {
    generation: u64,
    page: u64,
    result: StoreResult<(Option<u64>, Vec<Item>)>,
}

/// A thread with its own handle on the log that answers worklist reads. It ends
/// when the [`PageCache`] holding it is dropped.
pub struct Reader {
    requests: Sender<Request>,
    replies: Receiver<Reply>,
}

impl Reader {
    /// Starts the thread; `wake` is called after each answer (to repaint).
    pub fn start(
        store: Box<dyn CutoverStore + Send>,
        wake: impl Fn() + Send + 'static,
    ) -> std::io::Result<Self> {
        let (requests, inbox) = mpsc::channel::<Request>();
        let (outbox, replies) = mpsc::channel::<Reply>();
        std::thread::Builder::new()
            .name("worklist-reader".into())
            .spawn(move || {
                while let Ok(first) = inbox.recv() {
                    // Typing sends a query per key: answer only the newest one.
                    let mut queue: Vec<Request> =
                        std::iter::once(first).chain(inbox.try_iter()).collect();
                    let newest = queue.iter().map(|r| r.generation).max().unwrap_or(0);
                    queue.retain(|r| r.generation == newest);
                    for req in queue {
                        let offset = req.page * PAGE_SIZE;
                        let result = if req.with_count {
                            store
                                .worklist_count_and_page(&req.filter, req.sort, offset, PAGE_SIZE)
                                .map(|(n, items)| (Some(n), items))
                        } else {
                            store
                                .worklist_page(&req.filter, req.sort, offset, PAGE_SIZE)
                                .map(|items| (None, items))
                        };
                        let reply = Reply {
                            generation: req.generation,
                            page: req.page,
                            result,
                        };
                        if outbox.send(reply).is_err() {
                            return;
                        }
                        wake();
                    }
                }
            })?;
        Ok(Self { requests, replies })
    }
}
