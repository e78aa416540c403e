//! Reports and exchange files: the interchange CSV (export and import) and the
//! re-entry report. Reads through the store interface; never writes half a file.

pub mod atomic;
pub mod capture_check;
pub mod csv_cells;
pub mod import_file;
mod in_order;
pub mod interchange;
pub mod pdf_writer;
pub mod reentry_report;
pub mod report_file;

/// A problem writing a report or exchange file.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("could not write the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("could not write the CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The PDF error says what it could not do ("could not write the PDF: …").
    #[error(transparent)]
    Pdf(#[from] pdf_writer::PdfError),
}
