//! Capture from the old system's own reports: a report's rows mapped to items
//! (`mapping`, `rows`), its looser dates (`report_dates`), and the rule that
//! says a row is an item already logged by hand (`matching`). Pure: no files,
//! no database; the report file is read in `reports::report_file` and stored by
//! the store's capture action.

pub mod mapping;
pub mod matching;
pub mod pairing;
pub mod report_dates;
pub mod rows;

pub use mapping::{CaptureMapping, MappingProblem, Source, suggest};
pub use matching::{normalise, same_event};
pub use rows::{RowProblem, check_row};
