//! Progress of a long write (a capture, a reconciliation's decision): told to the
//! caller every few hundred steps, which can stop it; stopping is an error, so
//! the transaction around it rolls back and nothing is stored.

use crate::store::{StoreError, StoreResult};

/// How many steps a long write takes between reports of its progress.
const EVERY: usize = 250;

/// The caller's `going(done, all)` for one write of `all` steps.
pub(crate) struct Progress<'a> {
    going: &'a mut dyn FnMut(usize, usize) -> bool,
    all: usize,
}

impl<'a> Progress<'a> {
    pub(crate) fn new(going: &'a mut dyn FnMut(usize, usize) -> bool, all: usize) -> Self {
        Self { going, all }
    }

    /// Before step `n` (from 0): reports every few hundred steps; `Cancelled`
    /// when the caller says stop.
    pub(crate) fn step(&mut self, n: usize) -> StoreResult<()> {
        if n.is_multiple_of(EVERY) && !(self.going)(n, self.all) {
            return Err(StoreError::Cancelled);
        }
        Ok(())
    }

    /// Every step done.
    pub(crate) fn finish(self) {
        (self.going)(self.all, self.all);
    }
}
