//! Worklist rows fetched from the store a page at a time, as the table scrolls.
//! Only a few pages are held; a change of filter or sort, or any write, drops them.

use std::collections::VecDeque;

use crate::domain::{Item, Sort, WorklistFilter};
use crate::store::{CutoverStore, StoreResult};

/// Rows per page fetched from the store.
pub const PAGE_SIZE: u64 = 100;
/// Pages kept in memory at once (a screenful needs one or two).
const PAGES_KEPT: usize = 8;

/// The current filter's count and the pages fetched so far.
#[derive(Debug, Default)]
pub struct PageCache {
    filter: WorklistFilter,
    sort: Sort,
    count: Option<u64>,
    pages: VecDeque<(u64, Vec<Item>)>,
}

impl PageCache {
    /// Switches to a filter and sort; drops the pages if either changed.
    pub fn set_query(&mut self, filter: &WorklistFilter, sort: Sort) {
        if *filter != self.filter || sort != self.sort {
            self.filter = filter.clone();
            self.sort = sort;
            self.invalidate();
        }
    }

    /// Forget everything fetched (after a write).
    pub fn invalidate(&mut self) {
        self.count = None;
        self.pages.clear();
    }

    /// How many items match the filter.
    pub fn count(&mut self, store: &dyn CutoverStore) -> StoreResult<u64> {
        if let Some(n) = self.count {
            return Ok(n);
        }
        let n = store.worklist_count(&self.filter)?;
        self.count = Some(n);
        Ok(n)
    }

    /// The item at row `index`, fetching its page if needed.
    pub fn row(&mut self, store: &dyn CutoverStore, index: u64) -> StoreResult<Option<&Item>> {
        let page = index / PAGE_SIZE;
        if !self.pages.iter().any(|(p, _)| *p == page) {
            let items =
                store.worklist_page(&self.filter, self.sort, page * PAGE_SIZE, PAGE_SIZE)?;
            if self.pages.len() >= PAGES_KEPT {
                self.pages.pop_front();
            }
            self.pages.push_back((page, items));
        }
        Ok(self
            .pages
            .iter()
            .find(|(p, _)| *p == page)
            .and_then(|(_, items)| items.get((index % PAGE_SIZE) as usize)))
    }
}
