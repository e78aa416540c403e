//! Lays out and writes a paginated A4-landscape PDF: running header, optional
//! banner on every page, tables with repeated headers and wrapped cells, and a
//! "Page X of Y" footer.
//!
//! Every page is laid out first, keeping only a small plan per page (which
//! rows of which block go where), so the page count is known before drawing.
//! Text is measured with the embedded Liberation Sans advance widths; krilla
//! embeds subsets of the fonts with a Unicode map, so all text is extractable.

use std::borrow::Cow;
use std::ops::Range;

use icu_normalizer::ComposingNormalizerBorrowed;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Document, SerializeSettings};

const REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Regular.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Bold.ttf");

/// A report to write: running header, optional banner, footer text and content.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PdfReport {
    /// Running header on every page.
    pub title: String,
    /// If set, printed prominently (bold, red) near the top of every page.
    pub banner: Option<String>,
    /// Left part of the footer on every page; "Page X of Y" is on the right.
    pub footer: String,
    /// The content, in order.
    pub blocks: Vec<Block>,
}

/// One piece of report content.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section heading; never left alone at the bottom of a page.
    Heading(String),
    /// Wrapped body text; may continue on the next page.
    Paragraph(String),
    /// A two-column label/value list.
    KeyValues(Vec<(String, String)>),
    /// A ruled table whose header row repeats on every page it continues on.
    Table {
        /// The columns, left to right.
        columns: Vec<Column>,
        /// The cells, row by row; missing cells are blank, extra ones ignored.
        rows: Vec<Vec<String>>,
    },
    /// Starts a new page (unless the current one is still empty).
    PageBreak,
}

/// A table column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The header text.
    pub title: String,
    /// Relative weight; widths are scaled to fill the page width.
    pub width: f32,
}

/// Why a PDF could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// An embedded font could not be read.
    #[error("the embedded font could not be loaded: {0}")]
    Font(&'static str),
    /// The PDF library could not produce the document.
    #[error("the PDF could not be produced: {0}")]
    Pdf(String),
    /// Writing the finished PDF failed.
    #[error("could not write the PDF: {0}")]
    Io(#[from] std::io::Error),
}

/// Writes the report; `progress` is called with 0.0..=1.0 as pages are laid
/// out and written. Returns the page count.
pub fn write_pdf(
    report: &PdfReport,
    out: &mut dyn std::io::Write,
    progress: &mut dyn FnMut(f32),
) -> Result<usize, PdfError> {
    let fonts = Fonts::load()?;
    let mut progress = Progress::new(progress);
    let frame = Frame::new(report.banner.is_some());
    let pages = Layouter::new(report, &fonts, frame).run(&mut progress);
    let bytes = render(report, &fonts, frame, &pages, &mut progress)?;
    out.write_all(&bytes)?;
    out.flush()?;
    progress.report(1.0);
    Ok(pages.len())
}

// ---------------------------------------------------------------------------
// Page geometry and styles (points; y grows downwards from the page top).

const PAGE_W: f32 = 841.89;
const PAGE_H: f32 = 595.28;
const MARGIN_X: f32 = 36.0;
const MARGIN_TOP: f32 = 28.0;
const MARGIN_BOTTOM: f32 = 26.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
const RIGHT: f32 = PAGE_W - MARGIN_X;
const HEADER_RULE_Y: f32 = MARGIN_TOP + 17.0;
const BANNER_TOP: f32 = HEADER_RULE_Y + 6.0;
const BANNER_H: f32 = 19.0;
const FOOTER_RULE_Y: f32 = PAGE_H - MARGIN_BOTTOM - 13.0;
const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 2.5;
const HEADING_BEFORE: f32 = 8.0;
const HEADING_AFTER: f32 = 5.0;
const BLOCK_AFTER: f32 = 9.0;
const KV_PAD_Y: f32 = 1.5;
const HEADER_MAX_LINES: usize = 3;
const HEADING_MAX_LINES: usize = 3;
const ELLIPSIS: &str = "\u{2026}";
const EMPTY_TABLE_NOTE: &str = "No entries.";
/// A heading stays on the page with up to this many of its table's first rows.
const KEEP_TABLE_ROWS: usize = 2;
/// An introduction this long or shorter moves with its heading whole.
const KEEP_PARAGRAPH_LINES: usize = 4;

const INK: Rgb = Rgb(25, 28, 33);
const MUTED: Rgb = Rgb(95, 100, 110);
const RULE: Rgb = Rgb(200, 205, 212);
const BORDER: Rgb = Rgb(120, 126, 136);
const HEAD_FILL: Rgb = Rgb(225, 230, 238);
const ZEBRA_FILL: Rgb = Rgb(246, 247, 249);
const BANNER_INK: Rgb = Rgb(180, 0, 20);
const BANNER_FILL: Rgb = Rgb(253, 235, 236);

/// An sRGB colour (constant-friendly; krilla's constructor is not `const`).
#[derive(Clone, Copy)]
struct Rgb(u8, u8, u8);

impl Rgb {
    fn pdf(self) -> rgb::Color {
        rgb::Color::new(self.0, self.1, self.2)
    }
}

/// Font size, line height, weight and colour of one kind of text.
#[derive(Clone, Copy)]
struct Style {
    size: f32,
    leading: f32,
    bold: bool,
    color: Rgb,
}

const TITLE: Style = Style::new(11.0, 13.0, true, INK);
const BANNER: Style = Style::new(10.5, 12.5, true, BANNER_INK);
const FOOTER: Style = Style::new(7.5, 9.0, false, MUTED);
const HEADING: Style = Style::new(12.0, 15.0, true, INK);
const PARAGRAPH: Style = Style::new(9.0, 11.5, false, INK);
const CELL: Style = Style::new(8.5, 10.5, false, INK);
const CELL_HEAD: Style = Style::new(8.5, 10.5, true, INK);
const NOTE: Style = Style::new(8.5, 10.5, false, MUTED);

impl Style {
    const fn new(size: f32, leading: f32, bold: bool, color: Rgb) -> Self {
        Style {
            size,
            leading,
            bold,
            color,
        }
    }

    /// Height of `lines` lines of this style.
    fn height(self, lines: usize) -> f32 {
        self.leading * lines as f32
    }
}

/// The vertical space for content on every page.
#[derive(Clone, Copy)]
struct Frame {
    top: f32,
    bottom: f32,
}

impl Frame {
    fn new(has_banner: bool) -> Self {
        let top = if has_banner {
            BANNER_TOP + BANNER_H + 10.0
        } else {
            HEADER_RULE_Y + 12.0
        };
        Frame {
            top,
            bottom: FOOTER_RULE_Y - 8.0,
        }
    }

    fn height(self) -> f32 {
        self.bottom - self.top
    }
}

// ---------------------------------------------------------------------------
// Fonts and text measurement.

/// One font: the krilla handle (embedding) plus a glyph/advance table (measuring).
struct FontRes {
    pdf: Font,
    face: ttf_parser::Face<'static>,
    /// Glyph id and advance (font units) of every BMP code point; id 0 = missing.
    bmp: Vec<(u16, u16)>,
    units_per_em: f32,
    ascent: f32,
    descent: f32,
}

impl FontRes {
    fn load(data: &'static [u8]) -> Result<Self, PdfError> {
        let face = ttf_parser::Face::parse(data, 0)
            .map_err(|_| PdfError::Font("the font file could not be parsed"))?;
        let pdf = Font::new(krilla::Data::from(data), 0)
            .ok_or(PdfError::Font("the PDF library rejected the font"))?;
        let bmp = (0u32..=0xFFFF)
            .map(|cp| char::from_u32(cp).map_or((0, 0), |c| lookup_glyph(&face, c)))
            .collect();
        let units_per_em = f32::from(face.units_per_em().max(1));
        Ok(FontRes {
            pdf,
            bmp,
            units_per_em,
            ascent: f32::from(face.ascender()) / units_per_em,
            descent: -f32::from(face.descender()) / units_per_em,
            face,
        })
    }

    /// Glyph id and advance of `c`, or `None` if the font lacks it.
    fn glyph(&self, c: char) -> Option<(u16, u16)> {
        let found = match self.bmp.get(c as usize) {
            Some(&g) => g,
            None => lookup_glyph(&self.face, c),
        };
        (found.0 != 0).then_some(found)
    }

    /// Like [`FontRes::glyph`], falling back to '?' (or .notdef).
    fn glyph_or_fallback(&self, c: char) -> (u16, u16) {
        self.glyph(c).or_else(|| self.glyph('?')).unwrap_or((0, 0))
    }

    fn advance(&self, c: char) -> f32 {
        f32::from(self.glyph_or_fallback(c).1)
    }

    /// Width of `text` in font units.
    fn units(&self, text: &str) -> f32 {
        text.chars().map(|c| self.advance(c)).sum()
    }

    /// Width of `text` in points at `size`.
    fn width(&self, text: &str, size: f32) -> f32 {
        self.units(text) * size / self.units_per_em
    }

    /// Distance from the top of a line box to the baseline.
    fn baseline(&self, style: Style) -> f32 {
        let content = (self.ascent + self.descent) * style.size;
        (style.leading - content) / 2.0 + self.ascent * style.size
    }
}

fn lookup_glyph(face: &ttf_parser::Face<'_>, c: char) -> (u16, u16) {
    face.glyph_index(c)
        .map_or((0, 0), |g| (g.0, face.glyph_hor_advance(g).unwrap_or(0)))
}

/// The regular and bold faces.
struct Fonts {
    regular: FontRes,
    bold: FontRes,
}

impl Fonts {
    fn load() -> Result<Self, PdfError> {
        Ok(Fonts {
            regular: FontRes::load(REGULAR_TTF)?,
            bold: FontRes::load(BOLD_TTF)?,
        })
    }

    fn get(&self, style: Style) -> &FontRes {
        if style.bold {
            &self.bold
        } else {
            &self.regular
        }
    }
}

/// Characters that are invisible formatting and are dropped from output.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}' | '\u{E0000}'..='\u{E007F}')
}

/// What cleaning does with one input character.
enum Fix {
    Keep,
    Newline,
    Space,
    Drop,
    Replace,
}

fn classify(c: char, font: &FontRes) -> Fix {
    match c {
        '\n' => Fix::Keep,
        '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}' => Fix::Newline,
        '\t' => Fix::Space,
        c if c.is_control() || is_invisible_format(c) => Fix::Drop,
        c if font.glyph(c).is_none() => Fix::Replace,
        _ => Fix::Keep,
    }
}

/// Text made drawable with `font`: combining accents composed (NFC), control
/// characters dropped (tabs become spaces, line breaks '\n'), and characters
/// the font lacks replaced by '?'.
fn clean<'a>(text: &'a str, font: &FontRes) -> Cow<'a, str> {
    if !text.chars().any(is_mark) {
        return clean_chars(text, font);
    }
    match ComposingNormalizerBorrowed::new_nfc().normalize(text) {
        Cow::Borrowed(composed) => clean_chars(composed, font),
        Cow::Owned(composed) => Cow::Owned(clean_chars(&composed, font).into_owned()),
    }
}

fn clean_chars<'a>(text: &'a str, font: &FontRes) -> Cow<'a, str> {
    if text.chars().all(|c| matches!(classify(c, font), Fix::Keep)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match classify(c, font) {
            Fix::Keep => out.push(c),
            Fix::Newline => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            Fix::Space => out.push(' '),
            Fix::Drop => {}
            Fix::Replace => out.push('?'),
        }
    }
    Cow::Owned(out)
}

/// Like [`clean`], with line breaks turned into spaces.
fn clean_one_line<'a>(text: &'a str, font: &FontRes) -> Cow<'a, str> {
    match clean(text, font) {
        Cow::Borrowed(s) if !s.contains('\n') => Cow::Borrowed(s),
        other => Cow::Owned(other.replace('\n', " ")),
    }
}

// ---------------------------------------------------------------------------
// Line breaking.

/// Greedy line breaker over cleaned text: breaks at spaces, hard-breaks words
/// wider than the line, honours '\n'. Yields byte ranges of lines.
struct LineBreaker<'a> {
    text: &'a str,
    font: &'a FontRes,
    max_units: f32,
    pos: usize,
    after_soft_break: bool,
}

impl<'a> LineBreaker<'a> {
    fn new(text: &'a str, font: &'a FontRes, size: f32, width: f32) -> Self {
        Self::starting_at(text, font, size, width, 0)
    }

    /// A breaker resuming at a line start previously yielded.
    fn starting_at(text: &'a str, font: &'a FontRes, size: f32, width: f32, pos: usize) -> Self {
        LineBreaker {
            text,
            font,
            max_units: width.max(0.0) * font.units_per_em / size.max(0.1),
            pos,
            after_soft_break: false,
        }
    }

    fn skip_spaces(&mut self) {
        let rest = self.text.get(self.pos..).unwrap_or("");
        self.pos += rest.len() - rest.trim_start_matches(' ').len();
    }

    fn trimmed_end(&self, start: usize, end: usize) -> usize {
        let line = self.text.get(start..end).unwrap_or("");
        start + line.trim_end_matches(' ').len()
    }
}

impl Iterator for LineBreaker<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        if self.after_soft_break {
            self.skip_spaces();
        }
        let start = self.pos;
        let rest = self.text.get(start..).filter(|r| !r.is_empty())?;
        let mut width = 0.0;
        let mut last_space: Option<usize> = None;
        for (i, c) in rest.char_indices() {
            let at = start + i;
            if c == '\n' {
                self.pos = at + 1;
                self.after_soft_break = false;
                return Some(start..at);
            }
            let advance = self.font.advance(c);
            if c != ' ' && at > start && width + advance > self.max_units {
                self.after_soft_break = true;
                return Some(match last_space {
                    Some(space) => {
                        self.pos = space + 1;
                        start..self.trimmed_end(start, space)
                    }
                    None => {
                        self.pos = at;
                        start..at
                    }
                });
            }
            if c == ' ' {
                last_space = Some(at);
            }
            width += advance;
        }
        self.pos = self.text.len();
        Some(start..self.text.len())
    }
}

/// Text wrapped to a width, with at most a given number of lines.
struct Wrapped<'a> {
    text: Cow<'a, str>,
    lines: Vec<Range<usize>>,
    /// The text was cut: the last line is followed by an ellipsis.
    ellipsis: bool,
}

impl<'a> Wrapped<'a> {
    fn new(raw: &'a str, font: &FontRes, style: Style, width: f32, max_lines: usize) -> Self {
        Self::from_clean(clean(raw, font), font, style, width, max_lines)
    }

    fn one_line(raw: &'a str, font: &FontRes, style: Style, width: f32) -> Self {
        Self::from_clean(clean_one_line(raw, font), font, style, width, 1)
    }

    fn from_clean(
        text: Cow<'a, str>,
        font: &FontRes,
        style: Style,
        width: f32,
        max_lines: usize,
    ) -> Self {
        let max_lines = max_lines.max(1);
        let mut breaker = LineBreaker::new(&text, font, style.size, width);
        let mut lines: Vec<Range<usize>> = breaker.by_ref().take(max_lines).collect();
        let ellipsis = breaker.next().is_some();
        if ellipsis && let Some(last) = lines.last_mut() {
            *last = shorten_for_ellipsis(&text, last.clone(), font, style.size, width);
        }
        Wrapped {
            text,
            lines,
            ellipsis,
        }
    }

    /// Number of lines, at least one (an empty text still takes a line).
    fn line_count(&self) -> usize {
        self.lines.len().max(1)
    }
}

/// Shortens `line` so that it plus an ellipsis fits in `width`.
fn shorten_for_ellipsis(
    text: &str,
    line: Range<usize>,
    font: &FontRes,
    size: f32,
    width: f32,
) -> Range<usize> {
    let budget = width * font.units_per_em / size.max(0.1) - font.units(ELLIPSIS);
    let slice = text.get(line.clone()).unwrap_or("");
    let mut used = 0.0;
    let mut end = line.start;
    for (i, c) in slice.char_indices() {
        used += font.advance(c);
        if used > budget {
            break;
        }
        end = line.start + i + c.len_utf8();
    }
    let kept = text.get(line.start..end).unwrap_or("");
    line.start..line.start + kept.trim_end_matches(' ').len()
}

// ---------------------------------------------------------------------------
// Tables and key/value lists: shared geometry.

/// Horizontal geometry and header of one table.
struct TableGeom<'a> {
    /// Left edge and width of each column.
    cols: Vec<(f32, f32)>,
    header: Vec<Wrapped<'a>>,
    header_h: f32,
    /// Most lines a body cell may show so that header plus row fit a page.
    max_lines: usize,
}

impl<'a> TableGeom<'a> {
    fn new(columns: &'a [Column], fonts: &Fonts, frame: Frame) -> Self {
        let cols = column_positions(columns);
        let font = fonts.get(CELL_HEAD);
        let header: Vec<Wrapped<'a>> = columns
            .iter()
            .zip(&cols)
            .map(|(c, &(_, w))| {
                Wrapped::new(
                    &c.title,
                    font,
                    CELL_HEAD,
                    w - 2.0 * CELL_PAD_X,
                    HEADER_MAX_LINES,
                )
            })
            .collect();
        let header_lines = header.iter().map(Wrapped::line_count).max().unwrap_or(1);
        let header_h = CELL_HEAD.height(header_lines) + 2.0 * CELL_PAD_Y;
        let max_lines = lines_fitting(frame.height() - header_h - 2.0 * CELL_PAD_Y, CELL);
        TableGeom {
            cols,
            header,
            header_h,
            max_lines,
        }
    }

    /// Wraps one row's cells.
    fn row<'r>(&self, row: &'r [String], font: &FontRes) -> Vec<Wrapped<'r>> {
        self.cols
            .iter()
            .enumerate()
            .map(|(i, &(_, w))| {
                let raw = row.get(i).map_or("", String::as_str);
                Wrapped::new(raw, font, CELL, w - 2.0 * CELL_PAD_X, self.max_lines)
            })
            .collect()
    }
}

/// Height of a table row from its wrapped cells.
fn row_height(cells: &[Wrapped<'_>]) -> f32 {
    let lines = cells.iter().map(Wrapped::line_count).max().unwrap_or(1);
    CELL.height(lines) + 2.0 * CELL_PAD_Y
}

/// How many lines of `style` fit in `height` (at least one).
fn lines_fitting(height: f32, style: Style) -> usize {
    let n = (height / style.leading).floor();
    if n.is_finite() && n >= 1.0 {
        n as usize
    } else {
        1
    }
}

/// Column left edges and widths, scaling weights to the content width.
/// Weights that are not positive finite numbers count as 1, and no column
/// gets less than a twentieth of the widest one's weight.
fn column_positions(columns: &[Column]) -> Vec<(f32, f32)> {
    let valid = |w: f32| w.is_finite() && w > 0.0;
    let raw: Vec<f32> = columns
        .iter()
        .map(|c| if valid(c.width) { c.width } else { 1.0 })
        .collect();
    let floor = raw.iter().copied().fold(0.0, f32::max) / 20.0;
    let weights: Vec<f32> = raw.iter().map(|w| w.max(floor)).collect();
    let total: f32 = weights.iter().sum();
    let mut x = MARGIN_X;
    weights
        .iter()
        .map(|w| {
            let width = if valid(total) {
                CONTENT_W * w / total
            } else {
                CONTENT_W / weights.len() as f32
            };
            let col = (x, width);
            x += width;
            col
        })
        .collect()
}

const KV_LABEL_W: f32 = 150.0;

/// One wrapped label/value pair.
struct KvRow<'a> {
    label: Wrapped<'a>,
    value: Wrapped<'a>,
}

impl<'a> KvRow<'a> {
    fn new(pair: &'a (String, String), fonts: &Fonts, frame: Frame) -> Self {
        let max_lines = lines_fitting(frame.height() - 2.0 * KV_PAD_Y, CELL);
        let label_w = KV_LABEL_W - CELL_PAD_X;
        let value_w = CONTENT_W - KV_LABEL_W;
        KvRow {
            label: Wrapped::new(&pair.0, fonts.get(CELL_HEAD), CELL_HEAD, label_w, max_lines),
            value: Wrapped::new(&pair.1, fonts.get(CELL), CELL, value_w, max_lines),
        }
    }

    fn height(&self) -> f32 {
        let lines = self.label.line_count().max(self.value.line_count());
        CELL.height(lines) + 2.0 * KV_PAD_Y
    }
}

fn heading_lines<'a>(text: &'a str, fonts: &Fonts) -> Wrapped<'a> {
    Wrapped::new(
        text,
        fonts.get(HEADING),
        HEADING,
        CONTENT_W,
        HEADING_MAX_LINES,
    )
}

fn heading_height(text: &str, fonts: &Fonts) -> f32 {
    HEADING.height(heading_lines(text, fonts).line_count())
}

fn empty_table_row_height() -> f32 {
    NOTE.height(1) + 2.0 * CELL_PAD_Y
}

// ---------------------------------------------------------------------------
// Pass 1: layout into page plans.

/// A part of a block placed on a page, with its top edge.
struct Placed {
    top: f32,
    part: Part,
}

enum Part {
    Heading(usize),
    Paragraph {
        block: usize,
        start: usize,
        lines: usize,
    },
    KeyValues {
        block: usize,
        pairs: Range<usize>,
    },
    Table {
        block: usize,
        rows: Range<usize>,
    },
}

/// Distributes blocks over pages.
struct Layouter<'r> {
    report: &'r PdfReport,
    fonts: &'r Fonts,
    frame: Frame,
    pages: Vec<Vec<Placed>>,
    items: Vec<Placed>,
    y: f32,
    done: usize,
    total: usize,
}

impl<'r> Layouter<'r> {
    fn new(report: &'r PdfReport, fonts: &'r Fonts, frame: Frame) -> Self {
        let total = report.blocks.iter().map(block_work).sum::<usize>().max(1);
        Layouter {
            report,
            fonts,
            frame,
            pages: Vec::new(),
            items: Vec::new(),
            y: frame.top,
            done: 0,
            total,
        }
    }

    fn run(mut self, progress: &mut Progress<'_>) -> Vec<Vec<Placed>> {
        for (i, block) in self.report.blocks.iter().enumerate() {
            let after = self.report.blocks.get(i + 1..).unwrap_or_default();
            match block {
                Block::Heading(text) => self.heading(i, text, after),
                Block::Paragraph(text) => self.paragraph(i, text),
                Block::KeyValues(pairs) => self.key_values(i, pairs, progress),
                Block::Table { columns, rows } => self.table(i, columns, rows, progress),
                Block::PageBreak => self.page_break(),
            }
            self.tick(1, progress);
        }
        if !self.items.is_empty() || self.pages.is_empty() {
            self.new_page();
        }
        self.pages
    }

    fn tick(&mut self, work: usize, progress: &mut Progress<'_>) {
        self.done += work;
        progress.report(0.4 * self.done as f32 / self.total as f32);
    }

    fn new_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.items));
        self.y = self.frame.top;
    }

    fn page_break(&mut self) {
        if !self.items.is_empty() {
            self.new_page();
        }
    }

    /// Starts a new page unless `height` fits below or the page is empty.
    fn make_room(&mut self, height: f32) {
        if self.y + height > self.frame.bottom + 0.01 && !self.items.is_empty() {
            self.new_page();
        }
    }

    fn place(&mut self, part: Part) {
        self.items.push(Placed { top: self.y, part });
    }

    fn heading(&mut self, block: usize, text: &str, after: &[Block]) {
        if !self.items.is_empty() {
            self.y += HEADING_BEFORE;
        }
        let height = heading_height(text, self.fonts) + HEADING_AFTER;
        self.make_room(height + self.kept_with_heading(after));
        self.place(Part::Heading(block));
        self.y += height;
    }

    /// Height of what a heading keeps on its page: a short introduction (a
    /// paragraph) whole, then the first unit of the content itself (a table's
    /// header and first rows, a first label and value). Sections follow on from
    /// each other, so this is what stops a heading, or a heading and its
    /// introduction, being left alone at the foot of a page.
    fn kept_with_heading(&self, after: &[Block]) -> f32 {
        let mut height = 0.0;
        for block in after {
            match block {
                Block::Paragraph(text) => {
                    let lines = self.paragraph_lines(text).min(KEEP_PARAGRAPH_LINES);
                    height += PARAGRAPH.height(lines) + BLOCK_AFTER;
                    if lines >= KEEP_PARAGRAPH_LINES {
                        return height;
                    }
                }
                Block::PageBreak => return height,
                other => return height + self.first_unit_height(Some(other)),
            }
        }
        height
    }

    fn paragraph_lines(&self, raw: &str) -> usize {
        let font = self.fonts.get(PARAGRAPH);
        let text = clean(raw, font);
        LineBreaker::new(&text, font, PARAGRAPH.size, CONTENT_W).count()
    }

    /// Height of the smallest unit a block can start with (keeps headings
    /// with what follows them): for a table, its header and first rows.
    fn first_unit_height(&self, block: Option<&Block>) -> f32 {
        match block {
            Some(Block::Heading(text)) => heading_height(text, self.fonts),
            Some(Block::Paragraph(_)) => PARAGRAPH.height(1),
            Some(Block::KeyValues(pairs)) => pairs
                .first()
                .map_or(0.0, |p| KvRow::new(p, self.fonts, self.frame).height()),
            Some(Block::Table { columns, rows }) if !columns.is_empty() => {
                let geom = TableGeom::new(columns, self.fonts, self.frame);
                let font = self.fonts.get(CELL);
                let first: f32 = if rows.is_empty() {
                    empty_table_row_height()
                } else {
                    rows.iter()
                        .take(KEEP_TABLE_ROWS)
                        .map(|r| row_height(&geom.row(r, font)))
                        .sum()
                };
                geom.header_h + first
            }
            _ => 0.0,
        }
    }

    fn paragraph(&mut self, block: usize, raw: &str) {
        let font = self.fonts.get(PARAGRAPH);
        let text = clean(raw, font);
        for line in LineBreaker::new(&text, font, PARAGRAPH.size, CONTENT_W) {
            self.make_room(PARAGRAPH.leading);
            match self.items.last_mut() {
                Some(Placed {
                    part:
                        Part::Paragraph {
                            block: b, lines, ..
                        },
                    ..
                }) if *b == block => *lines += 1,
                _ => self.place(Part::Paragraph {
                    block,
                    start: line.start,
                    lines: 1,
                }),
            }
            self.y += PARAGRAPH.leading;
        }
        self.y += BLOCK_AFTER;
    }

    fn key_values(
        &mut self,
        block: usize,
        pairs: &[(String, String)],
        progress: &mut Progress<'_>,
    ) {
        for (i, pair) in pairs.iter().enumerate() {
            let height = KvRow::new(pair, self.fonts, self.frame).height();
            self.make_room(height);
            match self.items.last_mut() {
                Some(Placed {
                    part: Part::KeyValues { block: b, pairs },
                    ..
                }) if *b == block => pairs.end = i + 1,
                _ => self.place(Part::KeyValues {
                    block,
                    pairs: i..i + 1,
                }),
            }
            self.y += height;
            self.tick(1, progress);
        }
        self.y += BLOCK_AFTER;
    }

    fn table(
        &mut self,
        block: usize,
        columns: &[Column],
        rows: &[Vec<String>],
        progress: &mut Progress<'_>,
    ) {
        if columns.is_empty() {
            return;
        }
        let geom = TableGeom::new(columns, self.fonts, self.frame);
        if rows.is_empty() {
            self.make_room(geom.header_h + empty_table_row_height());
            self.place(Part::Table { block, rows: 0..0 });
            self.y += geom.header_h + empty_table_row_height() + BLOCK_AFTER;
            return;
        }
        let font = self.fonts.get(CELL);
        for (i, row) in rows.iter().enumerate() {
            let height = row_height(&geom.row(row, font));
            self.table_row(block, i, height, geom.header_h);
            if i % 1024 == 1023 {
                self.tick(1024, progress);
            }
        }
        self.tick(rows.len() % 1024, progress);
        self.y += BLOCK_AFTER;
    }

    /// Places row `i`, continuing the table fragment or starting a new one
    /// (with its header) on a new page.
    fn table_row(&mut self, block: usize, i: usize, height: f32, header_h: f32) {
        if let Some(Placed {
            part: Part::Table { block: b, rows },
            ..
        }) = self.items.last_mut()
            && *b == block
        {
            if self.y + height <= self.frame.bottom + 0.01 {
                rows.end = i + 1;
                self.y += height;
                return;
            }
            self.new_page();
        }
        self.make_room(header_h + height);
        self.place(Part::Table {
            block,
            rows: i..i + 1,
        });
        self.y += header_h + height;
    }
}

/// Units of layout work in a block, for progress reporting.
fn block_work(block: &Block) -> usize {
    match block {
        Block::Table { rows, .. } => rows.len() + 1,
        Block::KeyValues(pairs) => pairs.len() + 1,
        _ => 1,
    }
}

// ---------------------------------------------------------------------------
// Pass 2: drawing.

/// Throttled progress reporting.
struct Progress<'p> {
    callback: &'p mut dyn FnMut(f32),
    last: f32,
}

impl<'p> Progress<'p> {
    fn new(callback: &'p mut dyn FnMut(f32)) -> Self {
        callback(0.0);
        Progress {
            callback,
            last: 0.0,
        }
    }

    fn report(&mut self, value: f32) {
        let value = value.clamp(0.0, 1.0);
        if value >= 1.0 || value - self.last >= 0.01 {
            (self.callback)(value);
            self.last = value;
        }
    }
}

/// Draws every planned page and returns the PDF bytes.
fn render(
    report: &PdfReport,
    fonts: &Fonts,
    frame: Frame,
    pages: &[Vec<Placed>],
    progress: &mut Progress<'_>,
) -> Result<Vec<u8>, PdfError> {
    let settings = SerializeSettings {
        enable_tagging: false,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    document.set_metadata(Metadata::new().title(report.title.clone()));
    let page_settings =
        PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(PdfError::Pdf("bad page size".into()))?;
    let mut painter = Painter::new(fonts);
    for (i, items) in pages.iter().enumerate() {
        let mut page = document.start_page_with(page_settings.clone());
        let mut surface = page.surface();
        painter.chrome(&mut surface, report, i + 1, pages.len());
        for item in items {
            painter.item(&mut surface, report, frame, item);
        }
        surface.finish();
        page.finish();
        progress.report(0.4 + 0.55 * (i + 1) as f32 / pages.len() as f32);
    }
    document
        .finish()
        .map_err(|e| PdfError::Pdf(format!("{e:?}")))
}

/// Draws text, rules and fills on a page surface.
struct Painter<'f> {
    fonts: &'f Fonts,
    glyphs: Vec<KrillaGlyph>,
}

impl<'f> Painter<'f> {
    fn new(fonts: &'f Fonts) -> Self {
        Painter {
            fonts,
            glyphs: Vec::new(),
        }
    }

    /// Running header, banner and footer.
    fn chrome(&mut self, s: &mut Surface<'_>, report: &PdfReport, page: usize, pages: usize) {
        let font = self.fonts.get(TITLE);
        let title = Wrapped::one_line(&report.title, font, TITLE, CONTENT_W);
        self.lines(s, TITLE, MARGIN_X, MARGIN_TOP, &title);
        rule(s, MARGIN_X, RIGHT, HEADER_RULE_Y, 0.75, BORDER);
        if let Some(banner) = &report.banner {
            self.banner(s, banner);
        }
        rule(s, MARGIN_X, RIGHT, FOOTER_RULE_Y, 0.5, RULE);
        let label = format!("Page {page} of {pages}");
        let label_w = self.fonts.get(FOOTER).width(&label, FOOTER.size);
        let top = FOOTER_RULE_Y + 4.0;
        self.text(s, FOOTER, RIGHT - label_w, top, &label);
        let footer_font = self.fonts.get(FOOTER);
        let footer = Wrapped::one_line(
            &report.footer,
            footer_font,
            FOOTER,
            CONTENT_W - label_w - 24.0,
        );
        self.lines(s, FOOTER, MARGIN_X, top, &footer);
    }

    fn banner(&mut self, s: &mut Surface<'_>, banner: &str) {
        fill_rect(s, MARGIN_X, BANNER_TOP, CONTENT_W, BANNER_H, BANNER_FILL);
        fill_rect(s, MARGIN_X, BANNER_TOP, 3.0, BANNER_H, BANNER_INK);
        let font = self.fonts.get(BANNER);
        let text = Wrapped::one_line(banner, font, BANNER, CONTENT_W - 20.0);
        let top = BANNER_TOP + (BANNER_H - BANNER.leading) / 2.0;
        self.lines(s, BANNER, MARGIN_X + 10.0, top, &text);
    }

    fn item(&mut self, s: &mut Surface<'_>, report: &PdfReport, frame: Frame, item: &Placed) {
        let block = |b: usize| report.blocks.get(b);
        match (&item.part, item.top) {
            (Part::Heading(b), top) => {
                if let Some(Block::Heading(text)) = block(*b) {
                    let wrapped = heading_lines(text, self.fonts);
                    self.lines(s, HEADING, MARGIN_X, top, &wrapped);
                }
            }
            (
                &Part::Paragraph {
                    block: b,
                    start,
                    lines,
                },
                top,
            ) => {
                if let Some(Block::Paragraph(text)) = block(b) {
                    self.paragraph(s, text, start, lines, top);
                }
            }
            (Part::KeyValues { block: b, pairs }, top) => {
                if let Some(Block::KeyValues(all)) = block(*b) {
                    let slice = all.get(pairs.clone()).unwrap_or_default();
                    self.key_values(s, slice, frame, top);
                }
            }
            (Part::Table { block: b, rows }, top) => {
                if let Some(Block::Table { columns, rows: all }) = block(*b) {
                    let slice = all.get(rows.clone()).unwrap_or_default();
                    self.table(s, columns, slice, rows.start, frame, top);
                }
            }
        }
    }

    fn paragraph(&mut self, s: &mut Surface<'_>, raw: &str, start: usize, lines: usize, top: f32) {
        let font = self.fonts.get(PARAGRAPH);
        let text = clean(raw, font);
        let breaker = LineBreaker::starting_at(&text, font, PARAGRAPH.size, CONTENT_W, start);
        for (n, line) in breaker.take(lines).enumerate() {
            let line_top = top + PARAGRAPH.height(n);
            if let Some(part) = text.get(line) {
                self.text(s, PARAGRAPH, MARGIN_X, line_top, part);
            }
        }
    }

    fn key_values(
        &mut self,
        s: &mut Surface<'_>,
        pairs: &[(String, String)],
        frame: Frame,
        top: f32,
    ) {
        let mut y = top;
        for pair in pairs {
            let row = KvRow::new(pair, self.fonts, frame);
            let height = row.height();
            self.lines(s, CELL_HEAD, MARGIN_X, y + KV_PAD_Y, &row.label);
            self.lines(s, CELL, MARGIN_X + KV_LABEL_W, y + KV_PAD_Y, &row.value);
            rule(s, MARGIN_X, RIGHT, y + height, 0.3, RULE);
            y += height;
        }
    }

    fn table(
        &mut self,
        s: &mut Surface<'_>,
        columns: &[Column],
        rows: &[Vec<String>],
        first_index: usize,
        frame: Frame,
        top: f32,
    ) {
        let geom = TableGeom::new(columns, self.fonts, frame);
        fill_rect(s, MARGIN_X, top, CONTENT_W, geom.header_h, HEAD_FILL);
        for (cell, &(x, _)) in geom.header.iter().zip(&geom.cols) {
            self.lines(s, CELL_HEAD, x + CELL_PAD_X, top + CELL_PAD_Y, cell);
        }
        let mut y = top + geom.header_h;
        rule(s, MARGIN_X, RIGHT, y, 0.75, BORDER);
        if rows.is_empty() {
            let height = empty_table_row_height();
            self.text(
                s,
                NOTE,
                MARGIN_X + CELL_PAD_X,
                y + CELL_PAD_Y,
                EMPTY_TABLE_NOTE,
            );
            y += height;
        }
        let font = self.fonts.get(CELL);
        for (i, row) in rows.iter().enumerate() {
            y += self.table_row(s, &geom, &geom.row(row, font), first_index + i, y);
        }
        table_grid(s, &geom, top, y);
    }

    /// Draws one body row at `top` and returns its height.
    fn table_row(
        &mut self,
        s: &mut Surface<'_>,
        geom: &TableGeom<'_>,
        cells: &[Wrapped<'_>],
        index: usize,
        top: f32,
    ) -> f32 {
        let height = row_height(cells);
        if index % 2 == 1 {
            fill_rect(s, MARGIN_X, top, CONTENT_W, height, ZEBRA_FILL);
        }
        for (cell, &(x, _)) in cells.iter().zip(&geom.cols) {
            self.lines(s, CELL, x + CELL_PAD_X, top + CELL_PAD_Y, cell);
        }
        rule(s, MARGIN_X, RIGHT, top + height, 0.3, RULE);
        height
    }

    /// Draws wrapped lines from `top`, with an ellipsis if the text was cut.
    fn lines(
        &mut self,
        s: &mut Surface<'_>,
        style: Style,
        x: f32,
        top: f32,
        wrapped: &Wrapped<'_>,
    ) {
        let count = wrapped.lines.len();
        for (n, range) in wrapped.lines.iter().enumerate() {
            let line_top = top + style.height(n);
            let line = wrapped.text.get(range.clone()).unwrap_or("");
            self.text(s, style, x, line_top, line);
            if wrapped.ellipsis && n + 1 == count {
                let after = x + self.fonts.get(style).width(line, style.size);
                self.text(s, style, after, line_top, ELLIPSIS);
            }
        }
    }

    /// Draws one line of cleaned text with its line box top at `top`.
    fn text(&mut self, s: &mut Surface<'_>, style: Style, x: f32, top: f32, text: &str) {
        if text.is_empty() {
            return;
        }
        let font = self.fonts.get(style);
        let baseline = top + font.baseline(style);
        s.set_stroke(None);
        s.set_fill(Some(solid(style.color)));
        if needs_bidi(text) {
            self.bidi_runs(s, font, style.size, x, baseline, text);
        } else {
            self.glyphs.clear();
            push_glyphs(&mut self.glyphs, font, text, false);
            draw_run(
                s,
                font,
                style.size,
                Point::from_xy(x, baseline),
                &self.glyphs,
                text,
            );
        }
    }

    /// Draws a line holding right-to-left text as visual runs.
    fn bidi_runs(
        &mut self,
        s: &mut Surface<'_>,
        font: &FontRes,
        size: f32,
        x: f32,
        baseline: f32,
        text: &str,
    ) {
        let info = unicode_bidi::ParagraphBidiInfo::new(text, None);
        let (levels, runs) = info.visual_runs(0..text.len());
        let mut x = x;
        for run in runs {
            let rtl = levels.get(run.start).is_some_and(|l| l.is_rtl());
            let Some(run_text) = text.get(run) else {
                continue;
            };
            self.glyphs.clear();
            push_glyphs(&mut self.glyphs, font, run_text, rtl);
            draw_run(
                s,
                font,
                size,
                Point::from_xy(x, baseline),
                &self.glyphs,
                run_text,
            );
            x += font.width(run_text, size);
        }
    }
}

/// Whether a line contains right-to-left characters.
fn needs_bidi(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFE}'
            | '\u{10800}'..='\u{10FFF}' | '\u{1E800}'..='\u{1EFFF}')
    })
}

/// Combining marks that stay with the preceding character when reordering.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{0483}'..='\u{0489}' | '\u{0591}'..='\u{05BD}'
        | '\u{05BF}' | '\u{05C1}'..='\u{05C2}' | '\u{05C4}'..='\u{05C5}' | '\u{05C7}'
        | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// The mirrored form of a bracket drawn right-to-left.
fn mirrored(c: char) -> char {
    match c {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        '\u{AB}' => '\u{BB}',
        '\u{BB}' => '\u{AB}',
        other => other,
    }
}

/// Appends glyphs for `text` in visual order; right-to-left text is reversed
/// cluster by cluster (a character plus its combining marks).
fn push_glyphs(out: &mut Vec<KrillaGlyph>, font: &FontRes, text: &str, rtl: bool) {
    if !rtl {
        for (i, c) in text.char_indices() {
            out.push(make_glyph(font, c, i..i + c.len_utf8()));
        }
        return;
    }
    let mut starts: Vec<usize> = text
        .char_indices()
        .filter(|&(i, c)| i == 0 || !is_mark(c))
        .map(|(i, _)| i)
        .collect();
    starts.push(text.len());
    for pair in starts.windows(2).rev() {
        let (Some(&start), Some(&end)) = (pair.first(), pair.last()) else {
            continue;
        };
        let cluster = text.get(start..end).unwrap_or("");
        for (i, c) in cluster.char_indices() {
            let at = start + i;
            out.push(make_glyph(font, mirrored(c), at..at + c.len_utf8()));
        }
    }
}

fn make_glyph(font: &FontRes, c: char, range: Range<usize>) -> KrillaGlyph {
    let (id, advance) = font.glyph_or_fallback(c);
    let advance = f32::from(advance) / font.units_per_em;
    KrillaGlyph::new(
        GlyphId::new(u32::from(id)),
        advance,
        0.0,
        0.0,
        0.0,
        range,
        None,
    )
}

fn draw_run(
    s: &mut Surface<'_>,
    font: &FontRes,
    size: f32,
    at: Point,
    glyphs: &[KrillaGlyph],
    text: &str,
) {
    if !glyphs.is_empty() {
        s.draw_glyphs(at, glyphs, font.pdf.clone(), text, size, false);
    }
}

/// Column separators and the outer border of a table fragment.
fn table_grid(s: &mut Surface<'_>, geom: &TableGeom<'_>, top: f32, bottom: f32) {
    for &(x, _) in geom.cols.iter().skip(1) {
        vline(s, x, top, bottom, 0.3, RULE);
    }
    stroke_rect(s, MARGIN_X, top, CONTENT_W, bottom - top, 0.6, BORDER);
}

fn solid(color: Rgb) -> Fill {
    Fill {
        paint: color.pdf().into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

fn line_stroke(width: f32, color: Rgb) -> Stroke {
    Stroke {
        paint: color.pdf().into(),
        width,
        ..Stroke::default()
    }
}

fn fill_rect(s: &mut Surface<'_>, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
    let Some(rect) = Rect::from_xywh(x, y, w, h) else {
        return;
    };
    let mut builder = PathBuilder::new();
    builder.push_rect(rect);
    if let Some(path) = builder.finish() {
        s.set_stroke(None);
        s.set_fill(Some(solid(color)));
        s.draw_path(&path);
    }
}

fn stroke_rect(s: &mut Surface<'_>, x: f32, y: f32, w: f32, h: f32, width: f32, color: Rgb) {
    let Some(rect) = Rect::from_xywh(x, y, w, h) else {
        return;
    };
    let mut builder = PathBuilder::new();
    builder.push_rect(rect);
    stroke_path(s, builder, width, color);
}

/// A horizontal rule from `x0` to `x1` at `y`.
fn rule(s: &mut Surface<'_>, x0: f32, x1: f32, y: f32, width: f32, color: Rgb) {
    let mut builder = PathBuilder::new();
    builder.move_to(x0, y);
    builder.line_to(x1, y);
    stroke_path(s, builder, width, color);
}

fn vline(s: &mut Surface<'_>, x: f32, y0: f32, y1: f32, width: f32, color: Rgb) {
    let mut builder = PathBuilder::new();
    builder.move_to(x, y0);
    builder.line_to(x, y1);
    stroke_path(s, builder, width, color);
}

fn stroke_path(s: &mut Surface<'_>, builder: PathBuilder, width: f32, color: Rgb) {
    if let Some(path) = builder.finish() {
        s.set_fill(None);
        s.set_stroke(Some(line_stroke(width, color)));
        s.draw_path(&path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(n: usize) -> Vec<Column> {
        (0..n)
            .map(|i| Column {
                title: format!("Column {i}"),
                width: 1.0 + i as f32,
            })
            .collect()
    }

    fn report(blocks: Vec<Block>) -> PdfReport {
        PdfReport {
            title: "Title".into(),
            banner: Some("INTERIM - 2 items outstanding".into()),
            footer: "Footer".into(),
            blocks,
        }
    }

    fn plan(report: &PdfReport) -> Result<Vec<Vec<Placed>>, PdfError> {
        let fonts = Fonts::load()?;
        let mut sink = |_: f32| {};
        let mut progress = Progress::new(&mut sink);
        let frame = Frame::new(report.banner.is_some());
        Ok(Layouter::new(report, &fonts, frame).run(&mut progress))
    }

    fn write(report: &PdfReport) -> Result<(usize, Vec<u8>), PdfError> {
        let mut out = Vec::new();
        let pages = write_pdf(report, &mut out, &mut |_| {})?;
        Ok((pages, out))
    }

    #[test]
    fn cleaning_drops_controls_and_replaces_missing_glyphs() -> Result<(), PdfError> {
        let fonts = Fonts::load()?;
        let cleaned = clean("a\u{0}b\tc\r\nd\u{1F600}\u{200B}e", &fonts.regular);
        assert_eq!(cleaned, "ab c\nd?e");
        assert_eq!(
            clean("Zoe\u{308} \u{7}Sio\u{301}", &fonts.regular),
            "Zoë Sió"
        );
        let kept = clean("Zoë O'Brien, Siobhán Ó Briain, שלום, Пётр", &fonts.regular);
        assert!(matches!(kept, Cow::Borrowed(_)));
        Ok(())
    }

    #[test]
    fn lines_wrap_at_spaces_and_hard_break_long_words() -> Result<(), PdfError> {
        let fonts = Fonts::load()?;
        let font = &fonts.regular;
        let text = "alpha beta gamma delta Averyveryveryveryverylongword\n\nend";
        let width = 60.0;
        let lines: Vec<&str> = LineBreaker::new(text, font, 9.0, width)
            .filter_map(|r| text.get(r))
            .collect();
        assert_eq!(lines.first(), Some(&"alpha beta"));
        assert!(lines.contains(&""), "blank line kept: {lines:?}");
        assert_eq!(lines.last(), Some(&"end"));
        for line in &lines {
            assert!(font.width(line, 9.0) <= width, "{line:?} too wide");
            assert!(!line.starts_with(' ') && !line.ends_with(' '));
        }
        let joined: String = lines.concat();
        assert!(joined.contains("Averyvery"));
        Ok(())
    }

    #[test]
    fn oversized_cells_are_truncated_with_an_ellipsis() -> Result<(), PdfError> {
        let fonts = Fonts::load()?;
        let frame = Frame::new(true);
        let columns = cols(3);
        let geom = TableGeom::new(&columns, &fonts, frame);
        let row = vec!["x".repeat(100_000), "word ".repeat(20_000), String::new()];
        let cells = geom.row(&row, &fonts.regular);
        assert!(cells.iter().take(2).all(|c| c.ellipsis));
        assert!(geom.header_h + row_height(&cells) <= frame.height());
        Ok(())
    }

    #[test]
    fn tables_split_between_rows_and_repeat_their_header() -> Result<(), PdfError> {
        let rows: Vec<Vec<String>> = (0..500)
            .map(|i| vec![format!("row {i}"), "some words ".repeat(i % 7 + 1)])
            .collect();
        let report = report(vec![Block::Table {
            columns: cols(2),
            rows,
        }]);
        let pages = plan(&report)?;
        assert!(pages.len() > 3);
        let mut next = 0;
        for page in &pages {
            let [
                Placed {
                    part: Part::Table { rows, .. },
                    ..
                },
            ] = page.as_slice()
            else {
                panic!("each page holds one table fragment");
            };
            assert_eq!(rows.start, next);
            assert!(rows.end > rows.start);
            next = rows.end;
        }
        assert_eq!(next, 500);
        Ok(())
    }

    #[test]
    fn headings_are_never_last_on_a_page() -> Result<(), PdfError> {
        for lines in 0..50 {
            let blocks = vec![
                Block::Paragraph("line\n".repeat(lines)),
                Block::Heading("Items".into()),
                Block::Table {
                    columns: cols(2),
                    rows: vec![vec!["a".into(), "b\nc\nd".into()]; 2],
                },
            ];
            for page in plan(&report(blocks))? {
                let last = page.last().map(|p| &p.part);
                assert!(!matches!(last, Some(Part::Heading(_))), "{lines} lines");
            }
        }
        Ok(())
    }

    #[test]
    fn sections_follow_on_and_a_heading_keeps_its_introduction_and_first_rows()
    -> Result<(), PdfError> {
        let section = |n: usize| {
            vec![
                Block::Heading(format!("Section {n}")),
                Block::Paragraph("An introduction to the table below.".into()),
                Block::Table {
                    columns: cols(3),
                    rows: vec![vec!["a".into(), "b".into(), "c".into()]; 3],
                },
            ]
        };
        // Two small sections share a page.
        let two: Vec<Block> = (0..2).flat_map(section).collect();
        assert_eq!(plan(&report(two))?.len(), 1);
        // Wherever a section starts, its heading, introduction and first two
        // rows are on one page.
        for lines in 0..45 {
            let mut blocks = vec![Block::Paragraph("line\n".repeat(lines))];
            blocks.extend(section(1));
            let pages = plan(&report(blocks))?;
            let page = pages
                .iter()
                .find(|p| p.iter().any(|x| matches!(x.part, Part::Heading(_))))
                .ok_or(PdfError::Pdf("no heading placed".into()))?;
            assert!(
                page.iter()
                    .any(|x| matches!(x.part, Part::Paragraph { block: 2, .. })),
                "{lines} lines: the introduction left its heading"
            );
            assert!(
                page.iter().any(|x| matches!(
                    &x.part,
                    Part::Table { block: 3, rows } if rows.start == 0 && rows.end >= 2
                )),
                "{lines} lines: the first rows left their heading"
            );
        }
        Ok(())
    }

    #[test]
    fn odd_input_writes_a_pdf() -> Result<(), PdfError> {
        let report = PdfReport {
            title: "\u{0}".repeat(3),
            banner: Some(String::new()),
            footer: "x".repeat(10_000),
            blocks: vec![
                Block::Heading(String::new()),
                Block::Paragraph("\r\n\t\u{7f}".into()),
                Block::KeyValues(vec![(String::new(), "v".repeat(50_000))]),
                Block::Table {
                    columns: Vec::new(),
                    rows: vec![vec!["ignored".into()]],
                },
                Block::Table {
                    columns: vec![
                        Column {
                            title: String::new(),
                            width: f32::NAN,
                        },
                        Column {
                            title: "inf".into(),
                            width: f32::INFINITY,
                        },
                        Column {
                            title: "tiny".into(),
                            width: 1e-30,
                        },
                        Column {
                            title: "max".into(),
                            width: f32::MAX,
                        },
                    ],
                    rows: vec![vec![], vec!["\u{202E}שלום (א)".into(); 9]],
                },
                Block::Table {
                    columns: cols(1),
                    rows: Vec::new(),
                },
                Block::PageBreak,
                Block::PageBreak,
            ],
        };
        let (pages, bytes) = write(&report)?;
        assert!(pages >= 2);
        assert!(bytes.starts_with(b"%PDF"));
        let (empty_pages, _) = write(&PdfReport::default())?;
        assert_eq!(empty_pages, 1);
        Ok(())
    }

    #[test]
    fn progress_rises_to_one() -> Result<(), PdfError> {
        let report = report(vec![Block::Table {
            columns: cols(4),
            rows: vec![vec!["cell".into(); 4]; 3000],
        }]);
        let mut seen = Vec::new();
        let pages = write_pdf(&report, &mut std::io::sink(), &mut |p| seen.push(p))?;
        assert!(pages > 1);
        assert_eq!(seen.first(), Some(&0.0));
        assert_eq!(seen.last(), Some(&1.0));
        assert!(seen.windows(2).all(|w| w.first() <= w.last()));
        Ok(())
    }
}
