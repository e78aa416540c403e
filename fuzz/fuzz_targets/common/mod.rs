//! Shared by the report readers' targets: the memory cap, the checks on a table, and
//! workbooks built around fuzzed parts. Each target uses only some of it.
#![allow(dead_code)]

pub mod capped_alloc;
pub mod table_checks;
pub mod workbooks;
