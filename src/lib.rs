//! Cutover Log: the record of what a GP practice enters in its old clinical
//! system during cutover, worked off as a re-entry worklist after go-live.
//!
//! Layers: [`domain`] (pure rules), [`store`] (SQLite), [`reports`] (CSV/PDF),
//! [`cli`] (headless commands) and [`ui`] (egui screens). See docs/ARCHITECTURE.md.

pub mod cli;
pub mod demo;
pub mod domain;
pub mod entry;
pub mod reports;
pub mod store;
pub mod ui;
