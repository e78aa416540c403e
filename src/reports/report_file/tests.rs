//! Reports as the old systems export them, made here: EMIS-like, SystmOne-like and
//! Vision-like layouts as CSV (UTF-8, UTF-8 with BOM, Windows-1252, UTF-16) and
//! .xlsx, and the messy cases. Synthetic data only: 999 NHS numbers, made-up names.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;

use proptest::prelude::*;

use super::*;

fn read(name: &str, bytes: &[u8]) -> ReportTable {
    let table = read_report_bytes(name, bytes).unwrap();
    check_invariants(&table, bytes);
    table
}

fn problem(name: &str, bytes: &[u8]) -> ReportFileProblem {
    match read_report_bytes(name, bytes) {
        Ok(t) => panic!("{name} read as a table: {t:?}"),
        Err(p) => {
            readable(&p.to_string());
            p
        }
    }
}

fn lines(t: &ReportTable) -> Vec<usize> {
    t.rows.iter().map(|r| r.line).collect()
}

fn skips(t: &ReportTable) -> Vec<(usize, usize, SkipReason)> {
    t.skipped
        .iter()
        .map(|s| (s.line, s.last_line, s.reason.clone()))
        .collect()
}

fn col<'a>(t: &'a ReportTable, row: usize, name: &str) -> &'a str {
    let i = t.header.iter().position(|h| h == name).unwrap();
    &t.rows[row].cells[i]
}

/// What every table promises, whatever the input.
fn check_invariants(t: &ReportTable, bytes: &[u8]) {
    assert!(!t.header.is_empty());
    assert!(t.header.last().is_some_and(|h| !h.is_empty()));
    assert!(t.header_line >= 1);
    assert_eq!(t.sha256.len(), 64);
    let mut last = t.header_line;
    for r in &t.rows {
        assert_eq!(r.cells.len(), t.header.len(), "row at line {}", r.line);
        assert!(r.extra.last().is_none_or(|c| !c.is_empty()));
        assert!(r.line > last, "rows in order: {} after {last}", r.line);
        last = r.line;
    }
    let mut prev = 0;
    for s in &t.skipped {
        assert!(s.line >= 1 && s.last_line >= s.line);
        assert!(s.line >= prev, "skipped in order");
        assert_ne!(s.line, t.header_line, "the header is never skipped");
        prev = s.line;
        readable(&t.describe(s));
    }
    if t.sheet.is_none() {
        let file_lines = 1 + bytes
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
            .count();
        let utf16 = t.encoding == "UTF-16";
        for l in t.skipped.iter().map(|s| s.last_line).chain([last]) {
            assert!(utf16 || l <= file_lines, "line {l} of {file_lines}");
        }
    }
}

fn readable(msg: &str) {
    assert!(
        !msg.chars().any(crate::domain::validation::is_invisible),
        "{msg:?}"
    );
    assert!(msg.chars().count() < 400, "{msg}");
}

// ---- EMIS-like: title lines, page break, totals ----

const EMIS_HEADER: &str =
    "Appointment Date,Start Time,Slot Type,Session Holder,Status,NHS Number,Surname,Forename,DOB";

fn emis_csv() -> String {
    [
        "Appointments report",
        "Run by: Dr A Khan on 25/11/2026 at 17:02",
        "Date range: 25/11/2026 - 25/11/2026",
        "",
        EMIS_HEADER,
        "25-Nov-2026,09:00,Routine,\"KHAN, Asha (Dr)\",Arrived,9990000018,Jones,Siân,01/02/1980",
        "25-Nov-2026,09:10,Routine,\"KHAN, Asha (Dr)\",DNA,9990000026,Evans,Zoë,11-Nov-1941",
        "",
        "Appointments report",
        EMIS_HEADER,
        "25-Nov-2026,09:20,Telephone,\"PATEL, Ravi (Dr)\",Finished,9990000034,O'Brien,Seán,",
        "Patient count: 3",
        "",
    ]
    .join("\r\n")
}

fn assert_emis(t: &ReportTable) {
    assert_eq!(t.header.join(","), EMIS_HEADER);
    assert_eq!(t.header_line, 5);
    assert_eq!(t.delimiter, Some(','));
    assert_eq!(t.sheet, None);
    assert_eq!(lines(t), [6, 7, 11]);
    assert_eq!(col(t, 0, "Session Holder"), "KHAN, Asha (Dr)");
    assert_eq!(col(t, 0, "Forename"), "Siân");
    assert_eq!(col(t, 1, "Forename"), "Zoë");
    assert_eq!(col(t, 2, "Forename"), "Seán");
    assert_eq!(col(t, 2, "DOB"), "");
    assert_eq!(col(t, 1, "NHS Number"), "9990000026");
    use SkipReason::*;
    assert_eq!(
        skips(t),
        [
            (1, 1, Title),
            (2, 2, Title),
            (3, 3, Title),
            (4, 4, Blank),
            (8, 8, Blank),
            (9, 9, RepeatedTitle),
            (10, 10, RepeatedHeader),
            (12, 12, Totals),
        ]
    );
    assert!(t.rows.iter().all(|r| r.extra.is_empty()));
}

#[test]
fn emis_csv_utf8_with_titles_page_break_and_count() {
    let bytes = emis_csv().into_bytes();
    let t = read("Appointments 25-11-2026.csv", &bytes);
    assert_emis(&t);
    assert_eq!(t.encoding, "UTF-8");
    assert_eq!(t.file_name, "Appointments 25-11-2026.csv");
    assert_eq!(
        t.describe(&t.skipped[0]),
        "line 1: a title line above the header"
    );
}

#[test]
fn emis_csv_with_bom() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(emis_csv().into_bytes());
    let t = read("emis.csv", &bytes);
    assert_emis(&t);
    assert_eq!(t.encoding, "UTF-8 with BOM");
}

#[test]
fn emis_csv_in_windows_1252_keeps_accents_and_pounds() {
    let text = emis_csv().replace("Routine", "Routine £0");
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err());
    let t = read("emis.csv", &bytes);
    assert_emis(&t);
    assert_eq!(t.encoding, "Windows-1252");
    assert_eq!(col(&t, 0, "Slot Type"), "Routine £0");
}

#[test]
fn utf16_with_and_without_bom_is_decoded() {
    let text = emis_csv();
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let t = read("emis.csv", &le);
    assert_emis(&t);
    assert_eq!(t.encoding, "UTF-16");
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    assert_emis(&read("emis.csv", &be));
}

#[test]
fn sha256_is_of_the_bytes_as_read_and_folders_are_dropped() {
    let t = read(r"C:\Users\reception\Downloads\abc.csv", b"A,B\r\n1,2\r\n");
    assert_eq!(t.file_name, "abc.csv");
    assert_eq!(
        super::sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(t.sha256, super::sha256_hex(b"A,B\r\n1,2\r\n"));
    assert_eq!(read("x/y/z.csv", b"A,B\n1,2\n").file_name, "z.csv");
}

#[test]
fn read_report_reads_a_file_and_refuses_one_too_large() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Vision export.csv");
    std::fs::write(&path, vision_csv()).unwrap();
    let t = read_report(&path).unwrap();
    assert_eq!(t.file_name, "Vision export.csv");
    assert_eq!(t.rows.len(), 2);

    let big = dir.path().join("big.csv");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(MAX_FILE_BYTES + 1).unwrap(); // sparse: nothing is written
    assert!(matches!(
        read_report(&big),
        Err(ReportFileProblem::TooLarge)
    ));
    assert!(matches!(
        read_report(&dir.path().join("missing.csv")),
        Err(ReportFileProblem::Io(_))
    ));
}

// ---- SystmOne-like: semicolons or tabs, commas inside names ----

fn systmone(delimiter: &str) -> String {
    [
        "NHS number;Patient name;Date of birth;Appointment date;Appointment time;Clinician;Slot type;Outcome",
        "999 000 0018;JONES, Siân (Miss);01 Feb 1980;25 Nov 2026;09:00;Dr Asha Khan;GP appointment;Seen",
        "999 000 0026;EVANS, Zoë (Mrs);11 Nov 1941;25 Nov 2026;09:10;Dr Asha Khan;GP appointment;Did not attend",
        "999 000 0034;O'BRIEN, Seán (Mr);;25 Nov 2026;09:20;Nurse B Lee;Nurse appointment;Seen",
    ]
    .join("\n")
    .replace(';', delimiter)
}

#[test]
fn systmone_semicolons_with_commas_in_names() {
    let t = read("SystmOne search.csv", systmone(";").as_bytes());
    assert_eq!(t.delimiter, Some(';'));
    assert_eq!(t.header_line, 1);
    assert_eq!(t.header.len(), 8);
    assert_eq!(lines(&t), [2, 3, 4]);
    assert_eq!(col(&t, 0, "Patient name"), "JONES, Siân (Miss)");
    assert_eq!(col(&t, 2, "Date of birth"), "");
    assert!(t.skipped.is_empty());
}

#[test]
fn systmone_tabs_in_a_txt_and_in_an_xls_that_is_really_text() {
    for name in ["search.txt", "search.tsv", "search.xls"] {
        let t = read(name, systmone("\t").replace('\n', "\r\n").as_bytes());
        assert_eq!(t.delimiter, Some('\t'), "{name}");
        assert_eq!(t.sheet, None);
        assert_eq!(col(&t, 1, "Outcome"), "Did not attend");
    }
}

#[test]
fn pipes_are_a_delimiter_too() {
    let t = read("r.txt", systmone("|").as_bytes());
    assert_eq!(t.delimiter, Some('|'));
    assert_eq!(t.rows.len(), 3);
}

// ---- Vision-like: header first, a total at the end ----

fn vision_csv() -> String {
    [
        "Date,Time,Clinician,Patient,NHS No,Type,Status",
        "25/11/2026,09:00,Dr A Khan,Siân Jones,9990000018,Surgery,Attended",
        "25/11/2026,09:10,Dr A Khan,Zoë Evans,9990000026,Surgery,DNA",
        "Total: 2",
    ]
    .join("\r\n")
}

#[test]
fn vision_header_first_and_total_skipped() {
    let t = read("vision.csv", vision_csv().as_bytes());
    assert_eq!(t.header_line, 1);
    assert_eq!(lines(&t), [2, 3]);
    assert_eq!(skips(&t), [(4, 4, SkipReason::Totals)]);
    assert_eq!(col(&t, 1, "Status"), "DNA");
}

// ---- Messy cases ----

#[test]
fn ragged_rows_are_padded_or_keep_their_extra_cells() {
    let t = read(
        "r.csv",
        b"NHS Number,Surname,Forename,DOB\n\
          9990000018,Jones\n\
          9990000026,Evans,Zoe,01/02/1980,surplus,\n\
          9990000034,KHAN, Asha,Asha,01/02/1980\n\
          9990000042,Lee,Bo,01/02/1980,,,\n",
    );
    assert_eq!(t.rows[0].cells, ["9990000018", "Jones", "", ""]);
    assert!(t.rows[0].extra.is_empty());
    assert_eq!(t.rows[1].extra, ["surplus"]);
    // An unquoted comma in a name shifts the columns: flagged by its extra cell.
    assert_eq!(t.rows[2].cells, ["9990000034", "KHAN", "Asha", "Asha"]);
    assert_eq!(t.rows[2].extra, ["01/02/1980"]);
    assert!(t.rows[3].extra.is_empty());
    let t = read("r.csv", b"A,B,C\n1,2,3,4\n");
    assert_eq!(t.rows[0].extra, ["4"]);
}

#[test]
fn quoted_cells_keep_newlines_and_delimiters_and_lines_stay_right() {
    for eol in ["\n", "\r\n", "\r"] {
        let text = [
            "NHS Number,Name,Note",
            "9990000018,\"Jones, Siân\",\"line one",
            "line two\"",
            "",
            "",
            "9990000026,Evans,\"say \"\"hello\"\"\"",
        ]
        .join(eol);
        let t = read("q.csv", text.as_bytes());
        assert_eq!(lines(&t), [2, 6], "{eol:?}");
        assert_eq!(t.rows[0].cells[1], "Jones, Siân");
        assert_eq!(t.rows[0].cells[2], format!("line one{eol}line two"));
        assert_eq!(t.rows[1].cells[2], "say \"hello\"");
        assert_eq!(skips(&t), [(4, 5, SkipReason::Blank)], "{eol:?}");
    }
}

#[test]
fn blank_lines_including_delimiter_only_ones_are_one_entry() {
    let t = read("b.csv", b"\n\nA,B\n1,2\n,\n  \n\n3,4\n");
    assert_eq!(t.header_line, 3);
    assert_eq!(lines(&t), [4, 8]);
    assert_eq!(
        skips(&t),
        [(1, 2, SkipReason::Blank), (5, 7, SkipReason::Blank)]
    );
    assert_eq!(t.describe(&t.skipped[1]), "lines 5-7: blank");
}

#[test]
fn footer_lines_after_the_data_are_skipped_but_not_in_the_middle() {
    let t = read(
        "f.csv",
        b"NHS Number,Surname,Forename\n\
          9990000018,Jones,Sian\n\
          9990000026\n\
          9990000034,Evans,Zoe\n\
          Page 1 of 1\n\
          Printed 25/11/2026 17:02\n\
          END\n",
    );
    // A one-cell row between data rows is data (the mapper will say what is missing).
    assert_eq!(lines(&t), [2, 3, 4]);
    use SkipReason::*;
    assert_eq!(skips(&t), [(5, 5, Totals), (6, 6, Totals), (7, 7, Footer)]);
}

#[test]
fn totals_with_a_figure_in_another_column_are_skipped() {
    let t = read(
        "t.csv",
        b"Date,Clinician,Patient,NHS No,Type,Status\n\
          25/11/2026,Dr A Khan,Sian Jones,9990000018,Surgery,Seen\n\
          Total,,,,,1\n",
    );
    assert_eq!(lines(&t), [2]);
    assert_eq!(skips(&t), [(3, 3, SkipReason::Totals)]);
}

#[test]
fn key_value_and_dated_title_lines_are_not_taken_for_the_header() {
    let t = read(
        "k.csv",
        b"Report:,Appointments,Run by:,Dr A Khan\n\
          Date range:,01/11/2026,to,30/11/2026\n\
          Practice,Riverside Surgery\n\
          Appointment Date,Start Time,Slot Type,Session Holder,Status,NHS Number,Surname\n\
          25/11/2026,09:00,Routine,Dr A Khan,Arrived,9990000018,Jones\n",
    );
    assert_eq!(t.header_line, 4);
    assert_eq!(t.skipped.len(), 3);
    assert!(t.skipped.iter().all(|s| s.reason == SkipReason::Title));
    let t = read(
        "k.csv",
        b"Search: Appointments, Date: 25/11/2026, User: Dr A Khan\n\
          Date,Time,Clinician,NHS No\n\
          25/11/2026,09:00,Dr A Khan,9990000018\n",
    );
    assert_eq!(t.header_line, 2);
}

#[test]
fn a_one_column_list_has_its_name_above_the_first_value() {
    let t = read(
        "l.csv",
        b"Patient list\nNHS Number\n9990000018\n9990000026\n",
    );
    assert_eq!(t.header, ["NHS Number"]);
    assert_eq!(t.header_line, 2);
    assert_eq!(lines(&t), [3, 4]);
}

#[test]
fn header_cells_are_trimmed_and_excel_text_cells_unwrapped() {
    let t = read(
        "h.csv",
        b" NHS  Number ,\"Appointment\nDate\",Surname,,\n=\"9990000018\",25/11/2026,Jones\n",
    );
    assert_eq!(t.header, ["NHS Number", "Appointment Date", "Surname"]);
    assert_eq!(t.rows[0].cells[0], "9990000018");
}

#[test]
fn empty_files_and_title_only_files_are_refused_plainly() {
    for bytes in [&b""[..], b"   ", b"\r\n\r\n", b",,,\n,,\n", b"\xEF\xBB\xBF"] {
        assert!(
            matches!(problem("e.csv", bytes), ReportFileProblem::Empty),
            "{bytes:?}"
        );
    }
    let p = problem(
        "t.csv",
        b"Appointments for Mrs Siobhan Testpatient\r\nRun by: Dr A Khan\r\n",
    );
    assert!(
        matches!(p, ReportFileProblem::NoHeader { looked_at: 2 }),
        "{p:?}"
    );
    let msg = p.to_string();
    assert!(
        !msg.contains("Testpatient") && !msg.contains("Khan"),
        "{msg}"
    );
    assert!(matches!(
        problem("n.csv", b"1,2,3\n4,5,6\n"),
        ReportFileProblem::NoHeader { .. }
    ));
    // A header and nothing else is a table with no rows; the caller says so.
    let t = read("h.csv", b"Title\nA,B\n");
    assert!(t.rows.is_empty());
}

#[test]
fn an_unclosed_quote_is_refused_at_its_line() {
    let p = problem(
        "q.csv",
        b"NHS Number,Name\n9990000018,\"Jones\n9990000026,Evans\n9990000034,Lee\n",
    );
    assert!(
        matches!(p, ReportFileProblem::UnclosedQuote { line: 2 }),
        "{p:?}"
    );
}

#[test]
fn other_files_with_a_report_name_are_named() {
    for (name, bytes, what) in [
        ("r.csv", &b"%PDF-1.7\n%\xE2\xE3\n1 0 obj"[..], "PDF"),
        (
            "r.xls",
            b"<!DOCTYPE html><html><table><tr><td>x</td></tr></table>",
            "web page",
        ),
        (
            "r.xls",
            b"\r\n<TABLE border=1><TR><TD>x</TD></TR>",
            "web page",
        ),
        ("r.xls", b"<?xml version=\"1.0\"?><Workbook>", "XML"),
        ("r.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "picture"),
        ("r.csv", b"MZ\x90\0\x03\0\0\0", "program"),
        ("r.csv", b"A,B\n\x01\x00\x02\x00\x00\x00\x07", "binary"),
    ] {
        let p = problem(name, bytes);
        assert!(matches!(p, ReportFileProblem::Unsupported { .. }), "{p:?}");
        assert!(p.to_string().contains(what), "{p}");
    }
    // Text that merely starts like a magic number is still text.
    let t = read("r.csv", b"BMI,NHS Number\n31,9990000018\n");
    assert_eq!(t.header, ["BMI", "NHS Number"]);
}

#[test]
fn a_wide_title_in_a_semicolon_file_does_not_fool_the_delimiter() {
    let text = "Clinical Reporting export, Riverside Surgery, run 25/11/2026\n".to_string()
        + &systmone(";");
    let t = read("s.csv", text.as_bytes());
    assert_eq!(t.delimiter, Some(';'));
    assert_eq!(t.header_line, 2);
}

// ---- Totals, counts, pages and ends, anywhere below the header (issue 30) ----

/// A SystmOne-like search with `delimiter`: a title, the header, two patients, the
/// lines `middle`, a page break (blank, the title and the header again), a third
/// patient and the lines `end`. Cells holding the delimiter are quoted.
fn with_summaries(delimiter: char, middle: &[&[&str]], end: &[&[&str]]) -> String {
    let row = |cells: &[&str]| -> String {
        cells
            .iter()
            .map(|c| {
                if c.contains(delimiter) {
                    format!("\"{c}\"")
                } else {
                    (*c).to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(&delimiter.to_string())
    };
    let header: &[&str] = &[
        "NHS number",
        "Patient name",
        "Date of birth",
        "Appointment date",
        "Clinician",
        "Outcome",
    ];
    let mut lines = vec![
        "Appointments report".to_string(),
        row(header),
        row(&[
            "999 000 0018",
            "JONES, Siân (Miss)",
            "01 Feb 1980",
            "25 Nov 2026",
            "Dr Asha Khan",
            "Seen",
        ]),
        row(&[
            "999 000 0026",
            "EVANS, Zoë (Mrs)",
            "11 Nov 1941",
            "25 Nov 2026",
            "Dr Asha Khan",
            "Did not attend",
        ]),
    ];
    lines.extend(middle.iter().map(|cells| row(cells)));
    lines.extend([
        String::new(),
        "Appointments report".to_string(),
        row(header),
    ]);
    lines.push(row(&[
        "999 000 0034",
        "O'BRIEN, Seán (Mr)",
        "",
        "25 Nov 2026",
        "Nurse B Lee",
        "Seen",
    ]));
    lines.extend(end.iter().map(|cells| row(cells)));
    lines.join("\r\n") + "\r\n"
}

/// Every summary line as one cell and as a label with its figure beside it.
const SUMMARY_LINES: [&[&str]; 12] = [
    &["Total", "42"],
    &["Patient count", "166"],
    &["Count of appointments:", "58"],
    &["Page", "2 of 5"],
    &["Records:", "212"],
    &["Total appointments =", "58"],
    &["Page 2 of 5"],
    &["Records: 212"],
    &["Total appointments = 58"],
    &["Patient count: 166"],
    &["End of report"],
    &["Number of patients", "1,166"],
];

fn assert_summaries_skipped(t: &ReportTable, middle: usize, end: usize) {
    // Lines: title 1, header 2, patients 3 and 4, the middle ones, a blank, the
    // title, the header, the third patient, the end ones.
    let third = 4 + middle + 4;
    assert_eq!(lines(t), [3, 4, third], "{:?}", skips(t));
    assert_eq!(col(t, 0, "Patient name"), "JONES, Siân (Miss)");
    let totals: Vec<usize> = t
        .skipped
        .iter()
        .filter(|s| s.reason == SkipReason::Totals)
        .map(|s| s.line)
        .collect();
    let want: Vec<usize> = (5..5 + middle).chain(third + 1..third + 1 + end).collect();
    assert_eq!(totals, want);
    for s in t.skipped.iter().filter(|s| s.reason == SkipReason::Totals) {
        assert_eq!(
            t.describe(s),
            format!("line {}: a totals, count or page line", s.line)
        );
    }
}

#[test]
fn a_count_line_with_its_figure_in_the_next_cell_ends_a_report_cleanly() {
    // The SystmOne-like report of issue 30: its last line was taken for a patient.
    for d in [';', ','] {
        let text = with_summaries(d, &[], &[&["Patient count", "166"]]);
        let t = read("SystmOne search.csv", text.as_bytes());
        assert_eq!(t.delimiter, Some(d));
        assert_summaries_skipped(&t, 0, 1);
    }
}

#[test]
fn totals_counts_pages_and_ends_are_skipped_at_the_end_in_either_delimiter() {
    for d in [',', ';'] {
        let text = with_summaries(d, &[], &SUMMARY_LINES);
        let t = read("s.csv", text.as_bytes());
        assert_eq!(t.delimiter, Some(d), "{text}");
        assert_summaries_skipped(&t, 0, SUMMARY_LINES.len());
    }
}

#[test]
fn totals_counts_and_pages_before_a_page_break_are_skipped_in_the_middle() {
    for d in [',', ';'] {
        let text = with_summaries(d, &SUMMARY_LINES, &[&["Total", "3"]]);
        let t = read("s.csv", text.as_bytes());
        assert_summaries_skipped(&t, SUMMARY_LINES.len(), 1);
        use SkipReason::*;
        let page_break: Vec<SkipReason> = t
            .skipped
            .iter()
            .skip_while(|s| s.reason == Title || s.reason == Totals)
            .take(3)
            .map(|s| s.reason.clone())
            .collect();
        assert_eq!(page_break, [Blank, RepeatedTitle, RepeatedHeader]);
    }
}

#[test]
fn summary_lines_in_windows_1252_are_skipped_too() {
    let text = with_summaries(
        ';',
        &[&["Total", "2"]],
        &[&["Patient count", "3"], &["Page 1 of 1"]],
    );
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err());
    let t = read("s.csv", &bytes);
    assert_eq!(t.encoding, "Windows-1252");
    assert_summaries_skipped(&t, 1, 2);
}

#[test]
fn a_patient_called_total_or_count_is_data_not_a_summary() {
    let t = read(
        "r.csv",
        "NHS Number,Surname,Forename,Appointment date,Clinician\r\n\
         9990000018,Total,Siân,25/11/2026,Dr A Khan\r\n\
         9990000026,\"Count, Alex\",,25/11/2026,\r\n\
         \"Count, Alex\",9990000034,,,\r\n\
         Count,,,25/11/2026,\r\n\
         Total,,,,\r\n\
         Patient count,2\r\n"
            .as_bytes(),
    );
    // A name with an NHS number or a date beside it is a patient, however it starts;
    // a bare "Total" line and a count with its figure are not.
    assert_eq!(lines(&t), [2, 3, 4, 5], "{:?}", skips(&t));
    assert_eq!(col(&t, 0, "Surname"), "Total");
    assert_eq!(col(&t, 1, "Surname"), "Count, Alex");
    assert_eq!(
        skips(&t),
        [(6, 6, SkipReason::Totals), (7, 7, SkipReason::Totals)]
    );
    // A totals line of amounts, negative and with decimals, is a totals line.
    let t = read(
        "r.csv",
        b"Deal,Customer,Amount,Term,Price,Balance,Book,Code\r\n\
          9990000018,Jones,713000.256407,12,102.305,-240397,B1,X\r\n\
          TOTAL ORIGINATION,,713000.256407,,\"(1,250.00)\",-240397,,\r\n",
    );
    assert_eq!(lines(&t), [2]);
    assert_eq!(skips(&t), [(3, 3, SkipReason::Totals)]);
    // Several filled cells are data too, whatever the first one says.
    let t = read(
        "r.csv",
        b"Surname,Forename,Clinic,Room\r\nCount,Alex,Diabetes,3\r\nTotal,Sam,Asthma,4\r\n",
    );
    assert_eq!(lines(&t), [2, 3]);
}

// ---- Encoding decided by the bytes (issue 30) ----

/// Ten lines of UTF-8 with "Siân" and "Zoë" on every data line.
fn utf8_rows() -> Vec<u8> {
    let mut text = String::from("NHS Number,Surname,Forename\r\n");
    for i in 0..9 {
        text += &format!("99900000{:02},Jones,Siân Zoë\r\n", 18 + i);
    }
    text.into_bytes()
}

#[test]
fn one_stray_byte_in_a_utf8_file_is_refused_at_its_line() {
    let mut bytes = utf8_rows();
    // The start of line 7: one byte that begins a UTF-8 character and is not followed
    // by the rest of it.
    let at = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(5)
        .map(|(i, _)| i + 1)
        .unwrap();
    bytes.insert(at, 0xE2);
    let p = problem("r.csv", &bytes);
    assert!(
        matches!(p, ReportFileProblem::MixedEncoding { line: 7 }),
        "{p:?}"
    );
    let msg = p.to_string();
    assert!(msg.starts_with("line 7: "), "{msg}");
    assert!(msg.contains("save it again as UTF-8 from the old system or a spreadsheet"));
    assert!(!msg.contains("Jones") && !msg.contains("Si"), "{msg}");
    // With a BOM too: the BOM says UTF-8.
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend(&bytes);
    assert!(matches!(
        problem("r.csv", &with_bom),
        ReportFileProblem::MixedEncoding { line: 7 }
    ));
}

#[test]
fn windows_1252_and_valid_utf8_are_read_as_they_are() {
    let utf8 = utf8_rows();
    let t = read("r.csv", &utf8);
    assert_eq!(t.encoding, "UTF-8");
    assert_eq!(t.rows[6].cells[2], "Siân Zoë");
    let text = String::from_utf8(utf8).unwrap();
    let (cp1252, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    assert!(cp1252.contains(&0xE2)); // â
    let t = read("r.csv", &cp1252);
    assert_eq!(t.encoding, "Windows-1252");
    assert_eq!(t.rows[6].cells[2], "Siân Zoë");
    // A Windows-1252 file with one pair of bytes that happens to be UTF-8 ("Ã©") is
    // still Windows-1252: most of its high bytes are not UTF-8.
    let mut odd = cp1252.into_owned();
    odd.extend(b"9990000999,\xC3\xA9,Si\xE2n\r\n");
    assert_eq!(read("r.csv", &odd).encoding, "Windows-1252");
}

// ---- Limits (issue 30; the bombs themselves are in tests/report_bombs.rs) ----

#[test]
fn a_cell_over_the_limit_is_refused_at_its_line_and_the_text_is_measured_first() {
    let mut text = String::from("NHS Number,Notes\r\n9990000018,short\r\n9990000026,");
    text += &"x".repeat(MAX_CELL_BYTES + 1);
    text += "\r\n";
    let p = problem("r.csv", text.as_bytes());
    assert!(
        matches!(
            p,
            ReportFileProblem::CellTooLarge {
                at: Some(("line", 3))
            }
        ),
        "{p:?}"
    );
    assert!(
        p.to_string()
            .starts_with("line 3: a cell holds more than 256 KB")
    );
    // Windows-1252 that would decode to more than the limit: refused before decoding.
    let big = vec![0xE9u8; MAX_TEXT_BYTES / 2 + 1];
    let p = problem("r.csv", &big);
    assert!(matches!(p, ReportFileProblem::TooMuchText), "{p:?}");
    assert!(p.to_string().contains("more than 64 MB of text"));
}

#[test]
fn too_many_rows_are_refused_in_words() {
    let text = "A,B\r\n".to_string() + &"1\r\n".repeat(MAX_ROWS + 1);
    let p = problem("r.csv", text.as_bytes());
    assert!(matches!(p, ReportFileProblem::TooManyRows), "{p:?}");
    assert!(p.to_string().contains("more than 500,000 rows"), "{p}");
}

#[test]
fn every_workbook_limit_is_said_in_plain_words() {
    use WorkbookLimit::*;
    for (limit, words) in [
        (PartSize, "more than 512 MB"),
        (Parts, "more than 10,000 parts"),
        (SharedStrings, "more than 1,000,000 entries"),
        (Records, "more than 200,000 style records"),
        (Manifest, "larger than 4 MB"),
        (CellSize, "more than 256 KB"),
        (ExpandedCells, "more than 1,000,000 cells"),
        (Text, "more than 64 MB of text"),
        (XlsStream, "larger than 32 MB"),
        (
            CellReference,
            "outside Excel's grid of 1,048,576 rows and 16,384 columns",
        ),
        (UnendedTable, "stops before its table ends"),
    ] {
        let p = ReportFileProblem::WorkbookLimit {
            format: "Excel workbook (.xlsx)",
            limit,
        };
        let msg = p.to_string();
        readable(&msg);
        assert!(
            msg.starts_with("this Excel workbook (.xlsx) cannot be read safely: "),
            "{msg}"
        );
        assert!(msg.contains(words), "{msg}");
    }
}

#[test]
fn a_shared_string_shown_by_many_cells_is_refused_as_its_copies_pass_the_text_limit() {
    let long: &'static str = "x".repeat(100_000).leak();
    let mut rows = vec![vec![X::S("NHS Number"), X::S("Notes")]];
    for _ in 0..700 {
        rows.push(vec![X::N(9990000018.0), X::S(long)]);
    }
    // One entry in the table of shared text, 100 KB, shown by 700 cells: 70 MB of
    // copies, refused as the copies pass 64 MB.
    let p = problem("n.xlsx", &xlsx(&[("S", false, 0, rows)]));
    assert!(matches!(p, ReportFileProblem::TooMuchText), "{p:?}");
}

// ---- Spreadsheets ----

#[derive(Clone)]
pub(crate) enum X {
    S(&'static str),
    N(f64),
    Date(i32, u32, u32),
    DateTime(i32, u32, u32, u32, u32),
    Time(u32, u32),
    B(bool),
    E(&'static str),
    Empty,
}

fn serial(y: i32, m: u32, d: u32) -> f64 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
    (chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap() - epoch).num_days() as f64
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn column_letters(mut c: usize) -> String {
    let mut s = String::new();
    loop {
        s.insert(0, char::from(b'A' + (c % 26) as u8));
        if c < 26 {
            return s;
        }
        c = c / 26 - 1;
    }
}

/// A minimal workbook as Excel writes one: shared strings, styles with a built-in
/// date format (14), a custom date-time format and a time format.
/// Each sheet: (name, hidden, first column, rows from row 1).
pub(crate) fn xlsx(sheets: &[(&str, bool, usize, Vec<Vec<X>>)]) -> Vec<u8> {
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut strings: Vec<String> = Vec::new();
    let mut parts: Vec<(String, String)> = Vec::new();
    let mut overrides = String::new();
    let mut book_sheets = String::new();
    let mut rels = String::new();
    for (i, (name, hidden, first_col, rows)) in sheets.iter().enumerate() {
        let n = i + 1;
        let mut data = String::new();
        for (r, row) in rows.iter().enumerate() {
            if row.iter().all(|c| matches!(c, X::Empty)) {
                continue;
            }
            data += &format!("<row r=\"{}\">", r + 1);
            for (c, cell) in row.iter().enumerate() {
                let at = format!("{}{}", column_letters(first_col + c), r + 1);
                data += &match cell {
                    X::Empty => continue,
                    X::S(s) => {
                        // One entry per distinct text, as Excel writes it.
                        let text = escape(s);
                        let i = match strings.iter().position(|t| *t == text) {
                            Some(i) => i,
                            None => {
                                strings.push(text);
                                strings.len() - 1
                            }
                        };
                        format!("<c r=\"{at}\" t=\"s\"><v>{i}</v></c>")
                    }
                    X::N(v) => format!("<c r=\"{at}\"><v>{v}</v></c>"),
                    X::Date(y, m, d) => {
                        format!("<c r=\"{at}\" s=\"1\"><v>{}</v></c>", serial(*y, *m, *d))
                    }
                    X::DateTime(y, m, d, hh, mm) => format!(
                        "<c r=\"{at}\" s=\"2\"><v>{}</v></c>",
                        serial(*y, *m, *d) + f64::from(hh * 60 + mm) / 1440.0
                    ),
                    X::Time(hh, mm) => format!(
                        "<c r=\"{at}\" s=\"3\"><v>{}</v></c>",
                        f64::from(hh * 60 + mm) / 1440.0
                    ),
                    X::B(b) => format!("<c r=\"{at}\" t=\"b\"><v>{}</v></c>", u8::from(*b)),
                    X::E(e) => format!("<c r=\"{at}\" t=\"e\"><v>{e}</v></c>"),
                };
            }
            data += "</row>";
        }
        parts.push((
            format!("xl/worksheets/sheet{n}.xml"),
            format!("<worksheet xmlns=\"{MAIN}\"><sheetData>{data}</sheetData></worksheet>"),
        ));
        overrides += &format!(
            "<Override PartName=\"/xl/worksheets/sheet{n}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        );
        let state = if *hidden { " state=\"hidden\"" } else { "" };
        book_sheets += &format!(
            "<sheet name=\"{}\" sheetId=\"{n}\"{state} r:id=\"rId{n}\"/>",
            escape(name)
        );
        rels += &format!(
            "<Relationship Id=\"rId{n}\" Type=\"{REL}/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>"
        );
    }
    let sst: String = strings
        .iter()
        .map(|s| format!("<si><t>{s}</t></si>"))
        .collect();
    let files = [
        (
            "[Content_Types].xml".to_string(),
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
                 <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
                 <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
                 <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
                 <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
                 <Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>\
                 <Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>\
                 {overrides}</Types>"
            ),
        ),
        (
            "_rels/.rels".to_string(),
            format!(
                "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                 <Relationship Id=\"rId1\" Type=\"{REL}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
            ),
        ),
        (
            "xl/workbook.xml".to_string(),
            format!(
                "<workbook xmlns=\"{MAIN}\" xmlns:r=\"{REL}\"><sheets>{book_sheets}</sheets></workbook>"
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels".to_string(),
            format!(
                "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{rels}\
                 <Relationship Id=\"rIdS\" Type=\"{REL}/styles\" Target=\"styles.xml\"/>\
                 <Relationship Id=\"rIdT\" Type=\"{REL}/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>"
            ),
        ),
        (
            "xl/styles.xml".to_string(),
            format!(
                "<styleSheet xmlns=\"{MAIN}\"><numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy hh:mm\"/></numFmts>\
                 <fonts count=\"1\"><font/></fonts><fills count=\"1\"><fill/></fills><borders count=\"1\"><border/></borders>\
                 <cellStyleXfs count=\"1\"><xf/></cellStyleXfs><cellXfs count=\"4\"><xf numFmtId=\"0\"/>\
                 <xf numFmtId=\"14\" applyNumberFormat=\"1\"/><xf numFmtId=\"164\" applyNumberFormat=\"1\"/>\
                 <xf numFmtId=\"20\" applyNumberFormat=\"1\"/></cellXfs></styleSheet>"
            ),
        ),
        (
            "xl/sharedStrings.xml".to_string(),
            format!(
                "<sst xmlns=\"{MAIN}\" count=\"{0}\" uniqueCount=\"{0}\">{sst}</sst>",
                strings.len()
            ),
        ),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in files.into_iter().chain(parts) {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn emis_sheet_rows() -> Vec<Vec<X>> {
    use X::*;
    let header = [
        "Appointment Date",
        "Start Time",
        "Slot Type",
        "Session Holder",
        "Status",
        "NHS Number",
        "Surname",
        "Forename",
        "DOB",
        "Booked At",
        "Urgent",
        "Quantity",
    ]
    .map(S)
    .to_vec();
    vec![
        vec![S("Appointments report")],
        vec![S("Run by: Dr A Khan")],
        vec![],
        header,
        vec![
            Date(2026, 11, 25),
            Time(9, 30),
            S("Routine"),
            S("KHAN, Asha (Dr)"),
            S("Arrived"),
            N(9990000018.0),
            S("Jones"),
            S(" Siân "),
            Date(1980, 2, 1),
            DateTime(2026, 11, 20, 14, 5),
            B(true),
            N(2.5),
        ],
        vec![
            Date(2026, 11, 25),
            Time(9, 40),
            Empty,
            S("KHAN, Asha (Dr)"),
            S("DNA"),
            N(9990000026.0),
            S("Evans"),
            S("Zoë"),
            E("#N/A"),
            DateTime(2026, 11, 21, 0, 0),
            B(false),
            N(28.0),
        ],
        vec![],
        vec![S("Patient count: 2")],
    ]
}

#[test]
fn emis_xlsx_with_date_cells_and_a_numeric_nhs_number() {
    let bytes = xlsx(&[
        ("Notes", true, 0, vec![vec![X::S("hidden working")]]),
        ("Empty", false, 0, vec![]),
        ("Appointments", false, 0, emis_sheet_rows()),
    ]);
    let t = read("Appointments.xlsx", &bytes);
    assert_eq!(t.sheet.as_deref(), Some("Appointments"));
    assert_eq!(t.encoding, "spreadsheet");
    assert_eq!(t.delimiter, None);
    assert_eq!(t.header_line, 4);
    assert_eq!(t.header.len(), 12);
    assert_eq!(lines(&t), [5, 6]);
    assert_eq!(
        t.rows[0].cells,
        [
            "2026-11-25",
            "09:30",
            "Routine",
            "KHAN, Asha (Dr)",
            "Arrived",
            "9990000018",
            "Jones",
            "Siân",
            "1980-02-01",
            "2026-11-20T14:05",
            "TRUE",
            "2.5"
        ]
    );
    assert_eq!(col(&t, 1, "Slot Type"), "");
    assert_eq!(col(&t, 1, "NHS Number"), "9990000026");
    assert_eq!(col(&t, 1, "DOB"), "");
    assert_eq!(col(&t, 1, "Booked At"), "2026-11-21");
    assert_eq!(col(&t, 1, "Urgent"), "FALSE");
    assert_eq!(col(&t, 1, "Quantity"), "28");
    use SkipReason::*;
    assert_eq!(
        skips(&t),
        [
            (1, 1, Title),
            (2, 2, Title),
            (3, 3, Blank),
            (
                6,
                6,
                ErrorCell {
                    column: "DOB".into(),
                    error: "#N/A".into()
                }
            ),
            (7, 7, Blank),
            (8, 8, Totals),
        ]
    );
    assert_eq!(
        t.describe(&t.skipped[3]),
        "row 6: the cell in column 'DOB' shows the spreadsheet error #N/A; read as empty"
    );
}

#[test]
fn a_workbook_named_csv_is_read_as_a_workbook_and_columns_start_where_the_table_does() {
    let rows = vec![
        vec![X::S("Date"), X::S("Clinician"), X::S("NHS No")],
        vec![X::Date(2026, 11, 25), X::S("Dr A Khan"), X::N(9990000018.0)],
    ];
    let t = read("vision.csv", &xlsx(&[("Report", false, 2, rows)]));
    assert_eq!(t.sheet.as_deref(), Some("Report"));
    assert_eq!(t.header, ["Date", "Clinician", "NHS No"]);
    assert_eq!(t.rows[0].cells, ["2026-11-25", "Dr A Khan", "9990000018"]);
}

#[test]
fn a_workbook_with_no_data_and_a_damaged_one_are_refused() {
    let empty = xlsx(&[("Sheet1", false, 0, vec![])]);
    assert!(matches!(
        problem("e.xlsx", &empty),
        ReportFileProblem::NoSheetWithData
    ));
    let good = xlsx(&[("S", false, 0, emis_sheet_rows())]);
    for cut in [10, good.len() / 2, good.len() - 30] {
        let p = problem("d.xlsx", &good[..cut]);
        assert!(
            matches!(p, ReportFileProblem::UnreadableSpreadsheet { .. }),
            "{p:?}"
        );
        assert!(p.to_string().contains("Excel workbook (.xlsx)"), "{p}");
    }
}

/// A minimal OLE compound file holding empty streams with these names: enough
/// for the directory to say what the file is (an encrypted workbook keeps its
/// package in "EncryptedPackage"; a Word document has "WordDocument").
fn ole_with_streams(names: &[&str]) -> Vec<u8> {
    const END: u32 = 0xFFFF_FFFE;
    const FREE: u32 = 0xFFFF_FFFF;
    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    let put16 =
        |b: &mut Vec<u8>, at: usize, v: u16| b[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put32 =
        |b: &mut Vec<u8>, at: usize, v: u32| b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    put16(&mut header, 24, 0x3E);
    put16(&mut header, 26, 3);
    put16(&mut header, 28, 0xFFFE);
    put16(&mut header, 30, 9);
    put16(&mut header, 32, 6);
    put32(&mut header, 44, 1); // one FAT sector
    put32(&mut header, 48, 1); // directory at sector 1
    put32(&mut header, 56, 4096);
    put32(&mut header, 60, END); // no mini FAT
    put32(&mut header, 68, END); // no DIFAT sectors
    put32(&mut header, 76, 0); // the FAT is sector 0
    for i in 1..109 {
        put32(&mut header, 76 + 4 * i, FREE);
    }
    let mut fat = vec![0u8; 512];
    for i in 0..128 {
        let v = match i {
            0 => 0xFFFF_FFFD,
            1 => END,
            _ => FREE,
        };
        put32(&mut fat, 4 * i, v);
    }
    let mut dir = vec![0u8; 512];
    for (i, name) in ["Root Entry"].iter().chain(names).enumerate() {
        let at = i * 128;
        let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        dir[at..at + utf16.len()].copy_from_slice(&utf16);
        put16(&mut dir, at + 64, (utf16.len() + 2) as u16);
        dir[at + 66] = if i == 0 { 5 } else { 2 };
        put32(&mut dir, at + 68, FREE);
        put32(&mut dir, at + 72, FREE);
        put32(&mut dir, at + 76, if i == 0 { 1 } else { FREE });
        put32(&mut dir, at + 116, END);
    }
    [header, fat, dir].concat()
}

#[test]
fn a_password_protected_workbook_is_named_as_such() {
    let bytes = ole_with_streams(&["EncryptionInfo", "EncryptedPackage"]);
    for name in ["locked.xlsx", "locked.xls", "locked.csv"] {
        let p = problem(name, &bytes);
        assert!(matches!(p, ReportFileProblem::Encrypted), "{name}: {p:?}");
        assert!(p.to_string().contains("password"));
    }
}

#[test]
fn other_office_files_are_named_and_a_damaged_xls_is_unreadable() {
    let p = problem("r.xls", &ole_with_streams(&["WordDocument"]));
    assert!(p.to_string().contains("Word document"), "{p}");
    let p = problem("r.xls", &ole_with_streams(&["Something"]));
    assert!(
        matches!(
            p,
            ReportFileProblem::UnreadableSpreadsheet {
                format: "Excel 97-2003 workbook (.xls)",
                sheet: None
            }
        ),
        "{p:?}"
    );
}

// ---- Anything at all: no panic, and the table's promises hold ----

fn seeds() -> Vec<Vec<u8>> {
    vec![
        emis_csv().into_bytes(),
        systmone(";").into_bytes(),
        vision_csv().into_bytes(),
        xlsx(&[("S", false, 0, emis_sheet_rows())]),
        ods_repeated(60_000, 1_000),
        ods_repeated(3, 2),
    ]
}

/// An .ods of one row of one cell, the cell repeated `cols` times across and the row
/// `rows` times down: some 1 KB, whatever the counts (a bomb when they are large).
pub(crate) fn ods_repeated(rows: u64, cols: u64) -> Vec<u8> {
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\">\
         <office:body><office:spreadsheet><table:table table:name=\"Report\">\
         <table:table-row><table:table-cell office:value-type=\"string\"><text:p>NHS Number</text:p></table:table-cell>\
         <table:table-cell office:value-type=\"string\"><text:p>Surname</text:p></table:table-cell></table:table-row>\
         <table:table-row table:number-rows-repeated=\"{rows}\">\
         <table:table-cell office:value-type=\"string\" table:number-columns-repeated=\"{cols}\"><text:p>x</text:p></table:table-cell>\
         </table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in [
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet".to_string()),
        (
            "META-INF/manifest.xml",
            "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\"/>".to_string(),
        ),
        ("content.xml", content),
    ] {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn a_small_ods_reads_and_a_repeated_row_bomb_is_refused_before_it_is_expanded() {
    let t = read("r.ods", &ods_repeated(3, 2));
    assert_eq!(t.sheet.as_deref(), Some("Report"));
    assert_eq!(t.header, ["NHS Number", "Surname"]);
    assert_eq!(t.rows.len(), 3);
    assert_eq!(t.rows[2].cells, ["x", "x"]);
    let bomb = ods_repeated(60_000, 1_000);
    assert!(bomb.len() < 2_000, "{}", bomb.len());
    let p = problem("r.ods", &bomb);
    assert!(
        matches!(
            p,
            ReportFileProblem::WorkbookLimit {
                limit: WorkbookLimit::ExpandedCells,
                ..
            }
        ),
        "{p:?}"
    );
    assert!(
        p.to_string().contains("OpenDocument spreadsheet (.ods)"),
        "{p}"
    );
}

/// A long EMIS-like sheet: titles, the header, data rows with a repeated header, an
/// error cell and a row of one filled cell among them, a count line at the end.
fn long_sheet(rows: usize) -> Vec<Vec<X>> {
    use X::*;
    let mut sheet = vec![
        vec![S("Appointments report")],
        vec![S("Run by: Dr A Khan")],
        vec![],
        vec![
            S("Appointment Date"),
            S("Slot Type"),
            S("NHS Number"),
            S("Surname"),
            S("DOB"),
        ],
    ];
    for i in 0..rows {
        sheet.push(match i {
            3 => vec![
                S("Appointment Date"),
                S("Slot Type"),
                S("NHS Number"),
                S("Surname"),
                S("DOB"),
            ],
            5 => vec![S("Only a date column filled"), Empty, Empty, Empty, Empty],
            _ => vec![
                Date(2026, 12, 4),
                S("Routine"),
                N(9990000018.0),
                S(["Jones", "Evans", "Shah"][i % 3]),
                if i == 7 { E("#N/A") } else { Date(1980, 2, 1) },
            ],
        });
    }
    sheet.push(vec![S("Patient count: many")]);
    sheet
}

/// The head of `whole`: its first `rows` data rows and what was skipped before the
/// last of them.
fn head_of(whole: &ReportTable, rows: usize) -> ReportTable {
    let mut head = whole.clone();
    head.rows.truncate(rows);
    if whole.rows.len() > rows {
        let last = head.rows.last().map_or(head.header_line, |r| r.line);
        head.skipped.retain(|s| s.line < last);
    }
    head
}

#[test]
fn the_first_rows_of_a_long_sheet_are_streamed_and_are_the_whole_read_s_first_rows() {
    let bytes = xlsx(&[("Appointments", false, 0, long_sheet(1_000))]);
    let whole = read("long.xlsx", &bytes);
    assert_eq!(whole.rows.len(), 999);
    let head = read_report_head_bytes("long.xlsx", &bytes, 10).unwrap();
    check_invariants(&head, &bytes);
    assert_eq!(head, head_of(&whole, 10));
    assert_eq!(lines(&head), [5, 6, 7, 9, 10, 11, 12, 13, 14, 15]);
    use SkipReason::*;
    assert_eq!(
        skips(&head),
        [
            (1, 1, Title),
            (2, 2, Title),
            (3, 3, Blank),
            (8, 8, RepeatedHeader),
            (
                12,
                12,
                ErrorCell {
                    column: "DOB".into(),
                    error: "#N/A".into()
                }
            )
        ]
    );
    // The row of one filled cell is data (it is not after the last data row).
    assert_eq!(
        col(&head, 4, "Appointment Date"),
        "Only a date column filled"
    );
    // Asked for more rows than there are: the whole read, footer and all.
    let all = read_report_head_bytes("long.xlsx", &bytes, 5_000).unwrap();
    assert_eq!(all, whole);
    // Text, .ods and .xls are read whole and cut to their first rows.
    let csv = emis_csv();
    let whole = read("emis.csv", csv.as_bytes());
    let head = read_report_head_bytes("emis.csv", csv.as_bytes(), 2).unwrap();
    assert_eq!(head, head_of(&whole, 2));
    assert_eq!(lines(&head), [6, 7]);
    assert_eq!(
        skips(&head),
        [(1, 1, Title), (2, 2, Title), (3, 3, Title), (4, 4, Blank)]
    );
}

#[test]
fn the_first_rows_stop_the_stream_before_a_bad_cell_further_down() {
    // A cell calamine cannot read at row 900: the whole read is refused there; the
    // first rows never reach it, so only the whole read (on its thread) says so.
    let mut rows = long_sheet(1_000);
    rows[900][0] = X::E("#NOT-AN-ERROR");
    let bytes = xlsx(&[("Appointments", false, 0, rows)]);
    assert!(matches!(
        problem("long.xlsx", &bytes),
        ReportFileProblem::UnreadableSpreadsheet { .. }
    ));
    let head = read_report_head_bytes("long.xlsx", &bytes, 10).unwrap();
    assert_eq!(head.rows.len(), 10);
    assert_eq!(head.header_line, 4);
    // The workbook is still checked whole before it is opened: a sheet that would
    // unpack past the limits is refused by the first rows too.
    let too_big = xlsx(&[(
        "Appointments",
        false,
        0,
        vec![
            vec![X::S("NHS Number"), X::S("Surname")],
            vec![
                X::N(9990000018.0),
                X::S(Box::leak("x".repeat(MAX_CELL_BYTES + 1).into_boxed_str())),
            ],
        ],
    )]);
    let refused = read_report_head_bytes("big.xlsx", &too_big, 10).unwrap_err();
    assert!(
        matches!(refused, ReportFileProblem::WorkbookLimit { .. }),
        "{refused}"
    );
}

fn any_input(bytes: &[u8]) {
    match read_report_bytes("fuzz.csv", bytes) {
        Ok(t) => check_invariants(&t, bytes),
        Err(p) => readable(&p.to_string()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_bytes_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        any_input(&bytes);
    }

    #[test]
    fn any_text_read_or_refused(text in "[A-Za-z0-9 ,;\t|\"\r\n:£é=-]{0,400}") {
        any_input(text.as_bytes());
    }

    #[test]
    fn mangled_reports_read_or_refused(
        seed in 0usize..6,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        cut in any::<usize>(),
    ) {
        let mut bytes = seeds().swap_remove(seed);
        for (at, b) in edits {
            let i = at % bytes.len();
            bytes[i] = b;
        }
        bytes.truncate(cut % (bytes.len() + 1));
        any_input(&bytes);
    }
}

/// `cargo test --release --lib reports::report_file -- --ignored --nocapture`
/// prints how long 100,000 rows of twelve columns take (no assertion: a test
/// does not time things).
#[test]
#[ignore = "a timing to read by eye, in a release build"]
fn hundred_thousand_rows() {
    let mut text = String::from("Appointments report\r\nRun by: Dr A Khan\r\n\r\n");
    text += "Appointment Date,Start Time,Slot Type,Session Holder,Status,NHS Number,Surname,Forename,DOB,Booked At,Reason,Notes\r\n";
    for i in 0..100_000 {
        text += &format!(
            "25-Nov-2026,{:02}:{:02},Routine,\"KHAN, Asha (Dr)\",Arrived,9990000018,Testpatient{i},Siân,01/02/1980,20/11/2026 14:05,Review,\"Note {i}\"\r\n",
            8 + i % 10,
            i % 60
        );
    }
    let start = std::time::Instant::now();
    let t = read_report_bytes("big.csv", text.as_bytes()).unwrap();
    let took = start.elapsed();
    assert_eq!(t.rows.len(), 100_000);
    println!(
        "{} rows, {} MB: {took:?}",
        t.rows.len(),
        text.len() / 1_000_000
    );
}
