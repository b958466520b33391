//! PDF rendering of an [`InvoiceDocument`]: A4 pages in the standard Type1 fonts Helvetica and
//! Helvetica-Bold (not embedded, `WinAnsiEncoding`), with uncompressed content streams.
//!
//! The document is first laid out into a list of pages of positioned drawing operations; only
//! then are the pages written, so every footer can say "Page i of N". The table columns, the
//! cells of each row and the annex note are shared with the HTML rendering.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::{CallDetail, DocLine, DocTax, InvoiceDocument, Party, ZoneSummary, MAX_ANNEX_CALLS};

/// A4, in PostScript points.
const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const MARGIN_X: f32 = 42.0;
const MARGIN_TOP: f32 = 48.0;
/// The layout cursor never goes below this; the footer sits beneath it.
const MARGIN_BOTTOM: f32 = 56.0;
const FOOTER_BASELINE: f32 = 30.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN_X;
const RIGHT_EDGE: f32 = PAGE_WIDTH - MARGIN_X;
/// Where the invoice title and key facts start, right of the parties.
const META_X: f32 = MARGIN_X + CONTENT_WIDTH * 0.55;
const META_LABEL_WIDTH: f32 = 88.0;
const META_VALUE_WIDTH: f32 = RIGHT_EDGE - META_X - META_LABEL_WIDTH;
const PARTY_WIDTH: f32 = META_X - MARGIN_X - 12.0;
const TOTALS_WIDTH: f32 = 220.0;
/// Baseline-to-baseline distance, as a multiple of the font size.
const LEADING: f32 = 1.3;
/// Distance from the top of a line box to its baseline, as a multiple of the font size.
const BASELINE: f32 = 0.9;
const SECTION_GAP: f32 = 16.0;
const CELL_PAD: f32 = 3.0;
const ROW_PAD: f32 = 2.0;
/// Lines a wrapped table cell may take before it is cut with an ellipsis.
const MAX_CELL_LINES: usize = 4;
/// Height of a header row plus a one-line row: what a section heading keeps with it.
const TABLE_KEEP: f32 = 2.0 * (CELL.1 * LEADING + 2.0 * ROW_PAD);
const HEADER_GRAY: f32 = 0.9;
const RULE_GRAY: f32 = 0.75;
const ELLIPSIS: &[u8] = b"...";

/// A font and a size in points.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Style(Font, f32);

const TITLE: Style = Style(Font::Bold, 16.0);
const NAME: Style = Style(Font::Bold, 12.0);
const HEADING: Style = Style(Font::Bold, 11.0);
const BODY: Style = Style(Font::Regular, 9.0);
const BODY_BOLD: Style = Style(Font::Bold, 9.0);
const CELL: Style = Style(Font::Regular, 8.0);
const CELL_BOLD: Style = Style(Font::Bold, 8.0);
const FOOTER: Style = Style(Font::Regular, 7.5);

/// Helvetica advance widths (1/1000 em) of the printable ASCII characters 32..=126.
#[rustfmt::skip]
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
/// Helvetica-Bold advance widths (1/1000 em) of the printable ASCII characters 32..=126.
#[rustfmt::skip]
const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];
/// Width assumed for the Latin-1 letters and signs above ASCII (never too narrow).
const LATIN1_WIDTH: u16 = 722;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Font {
    Regular,
    Bold,
}

impl Font {
    /// The font's name in each page's resource dictionary.
    fn resource(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
        }
    }
}

impl Style {
    /// Advance width of one WinAnsi byte.
    fn advance(self, byte: u8) -> f32 {
        let table = match self.0 {
            Font::Regular => &HELVETICA,
            Font::Bold => &HELVETICA_BOLD,
        };
        let units = match byte {
            32..=126 => table[usize::from(byte - 32)],
            _ => LATIN1_WIDTH,
        };
        f32::from(units) * self.1 / 1000.0
    }

    /// Width of `text` (WinAnsi bytes).
    fn width(self, text: &[u8]) -> f32 {
        text.iter().map(|&b| self.advance(b)).sum()
    }

    fn line_height(self) -> f32 {
        self.1 * LEADING
    }
}

/// Converts `text` to WinAnsi bytes: ASCII and Latin-1 are kept, common typographic characters
/// become their ASCII equivalents, anything else becomes `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            ' '..='~' => out.push(ch as u8),
            '\t' | '\n' | '\r' | '\u{a0}' => out.push(b' '),
            '\u{ad}' => {}
            '\u{a1}'..='\u{ff}' => out.push(ch as u32 as u8),
            _ => out.extend_from_slice(ascii_fallback(ch).as_bytes()),
        }
    }
    out
}

/// The ASCII stand-in for a character WinAnsi's Latin-1 part does not hold.
fn ascii_fallback(ch: char) -> &'static str {
    match ch {
        '\u{2010}'..='\u{2015}' | '\u{2212}' => "-",
        '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{2032}' => "'",
        '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{2033}' => "\"",
        '\u{2000}'..='\u{200a}' | '\u{202f}' => " ",
        '\u{200b}' | '\u{2060}' | '\u{feff}' => "",
        '\u{2026}' => "...",
        '\u{2022}' | '\u{2219}' | '\u{22c5}' => "*",
        '\u{2190}' => "<-",
        '\u{2192}' => "->",
        '\u{2260}' => "!=",
        '\u{2264}' => "<=",
        '\u{2265}' => ">=",
        '\u{2248}' => "~",
        '\u{20ac}' => "EUR",
        '\u{2122}' => "(TM)",
        _ => "?",
    }
}

/// Length of the longest prefix of `text` that is at most `max_width` wide.
fn fitting_prefix(text: &[u8], style: Style, max_width: f32) -> usize {
    let mut width = 0.0;
    for (i, &b) in text.iter().enumerate() {
        width += style.advance(b);
        if width > max_width {
            return i;
        }
    }
    text.len()
}

/// `text` cut with an ellipsis so it is at most `max_width` wide.
fn truncate(text: &[u8], style: Style, max_width: f32) -> Vec<u8> {
    if style.width(text) <= max_width {
        return text.to_vec();
    }
    let room = max_width - style.width(ELLIPSIS);
    let mut out = text[..fitting_prefix(text, style, room)].to_vec();
    while out.last() == Some(&b' ') {
        out.pop();
    }
    out.extend_from_slice(ELLIPSIS);
    out
}

/// Word-wraps `text` into at most `max_lines` lines of at most `max_width`; words wider than a
/// line are broken, and text beyond the last line is cut with an ellipsis.
fn wrap(text: &[u8], style: Style, max_width: f32, max_lines: usize) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    for word in text.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
        let space = if line.is_empty() {
            0.0
        } else {
            style.advance(b' ')
        };
        if style.width(&line) + space + style.width(word) <= max_width {
            if !line.is_empty() {
                line.push(b' ');
            }
            line.extend_from_slice(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut rest = word;
        while style.width(rest) > max_width {
            let n = fitting_prefix(rest, style, max_width).max(1);
            lines.push(rest[..n].to_vec());
            rest = &rest[n..];
        }
        line = rest.to_vec();
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    let max_lines = max_lines.max(1);
    if lines.len() > max_lines {
        let tail = lines.split_off(max_lines - 1).join(&b' ');
        lines.push(truncate(&tail, style, max_width));
    }
    lines
}

/// A table column: header, width in points, and whether it is right-aligned (figures).
pub(super) struct Column {
    pub(super) title: &'static str,
    width: f32,
    pub(super) right: bool,
}

const fn col(title: &'static str, width: f32, right: bool) -> Column {
    Column {
        title,
        width,
        right,
    }
}

/// A titled table of the document, as both renderings print it.
pub(super) struct Table {
    pub(super) title: &'static str,
    pub(super) columns: &'static [Column],
    /// Lines a PDF cell may wrap onto before it is cut with an ellipsis.
    max_lines: usize,
    /// Printed instead of a table without rows.
    pub(super) empty: &'static str,
}

#[rustfmt::skip]
pub(super) const LINES: Table = Table {
    title: "Invoice lines", empty: "No lines.", max_lines: MAX_CELL_LINES,
    columns: &[
        col("Description", 150.0, false), col("Rule", 64.0, false), col("Period", 106.0, false),
        col("Quantity", 70.0, false), col("Unit price", 56.0, true), col("Amount", 65.0, true),
    ],
};
#[rustfmt::skip]
pub(super) const TAXES: Table = Table {
    title: "Taxes", empty: "No tax applies to this invoice.", max_lines: MAX_CELL_LINES,
    columns: &[
        col("Jurisdiction", 80.0, false), col("Tax", 191.0, false), col("Rate %", 60.0, true),
        col("Base", 90.0, true), col("Amount", 90.0, true),
    ],
};
#[rustfmt::skip]
pub(super) const ZONES: Table = Table {
    title: "Usage by destination zone", empty: "No usage in this period.",
    max_lines: MAX_CELL_LINES,
    columns: &[
        col("Destination zone", 241.0, false), col("Calls", 80.0, true), col("Minutes", 90.0, true),
        col("Amount", 100.0, true),
    ],
};
/// The call detail annex: one line per call.
#[rustfmt::skip]
pub(super) const CALLS: Table = Table {
    title: "Call detail", empty: "No calls listed.", max_lines: 1,
    columns: &[
        col("Start (UTC)", 92.0, false), col("From", 95.0, false), col("To", 95.0, false),
        col("Destination", 119.0, false), col("Duration", 50.0, true), col("Amount", 60.0, true),
    ],
};

fn owned(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|s| s.to_string()).collect()
}

/// The cells of an invoice line, in [`LINES`] column order.
pub(super) fn line_cells(l: &DocLine) -> Vec<String> {
    let parts = [l.rule.as_str(), l.clause.as_str()];
    let rule = parts.iter().filter(|s| !s.is_empty()).copied();
    let rule = rule.collect::<Vec<_>>().join(", ");
    owned(&[
        &l.description,
        &rule,
        &l.period,
        &l.quantity,
        &l.unit_price,
        &l.amount,
    ])
}

/// The cells of a tax, in [`TAXES`] column order.
pub(super) fn tax_cells(t: &DocTax) -> Vec<String> {
    owned(&[&t.jurisdiction, &t.name, &t.rate_pct, &t.base, &t.amount])
}

/// The cells of a zone summary, in [`ZONES`] column order.
pub(super) fn zone_cells(z: &ZoneSummary) -> Vec<String> {
    owned(&[&z.zone, &z.calls.to_string(), &z.minutes, &z.amount])
}

/// The cells of an annex call, in [`CALLS`] column order.
pub(super) fn call_cells(c: &CallDetail) -> Vec<String> {
    let duration = format_duration(c.duration_s);
    owned(&[
        &c.start,
        &c.from,
        &c.to,
        &c.destination,
        &duration,
        &c.amount,
    ])
}

/// Formats a call duration as `m:ss`, or `h:mm:ss` from an hour on.
pub(super) fn format_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, m, s) => format!("{m}:{s:02}"),
        (h, m, s) => format!("{h}:{m:02}:{s:02}"),
    }
}

/// The calls the annex prints (at most [`MAX_ANNEX_CALLS`]) and how many calls it leaves out.
pub(super) fn annex_calls(doc: &InvoiceDocument) -> (&[CallDetail], u64) {
    let shown = &doc.calls[..doc.calls.len().min(MAX_ANNEX_CALLS)];
    let not_shown = doc.calls_not_shown + (doc.calls.len() - shown.len()) as u64;
    (shown, not_shown)
}

/// The annex's closing line about the calls it leaves out.
pub(super) fn not_shown_note(count: u64) -> String {
    match count {
        1 => "1 more call on this invoice is not shown in this annex.".to_string(),
        n => format!("{n} more calls on this invoice are not shown in this annex."),
    }
}

/// One positioned drawing operation.
#[derive(Debug, Clone)]
enum Op {
    /// Text (WinAnsi bytes) with its baseline starting at `(x, y)`.
    Text(f32, f32, Style, Vec<u8>),
    /// A horizontal hairline from `(x, y)`, `width` long.
    Rule(f32, f32, f32),
    /// A light grey band (table header background): `x`, bottom `y`, `width`, `height`.
    Band(f32, f32, f32, f32),
}

/// Pages of drawing operations and a cursor (`y`, the top of the next line) on the last page.
struct Layout {
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout {
    fn new() -> Self {
        let y = PAGE_HEIGHT - MARGIN_TOP;
        Layout {
            pages: vec![Vec::new()],
            y,
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = PAGE_HEIGHT - MARGIN_TOP;
    }

    /// Starts a new page unless `height` more points fit above the bottom margin.
    fn ensure(&mut self, height: f32) {
        if self.y - height < MARGIN_BOTTOM {
            self.new_page();
        }
    }

    fn push(&mut self, op: Op) {
        self.pages.last_mut().expect("a layout has a page").push(op);
    }

    /// Draws `text` with its baseline at `y`, starting at `x` or, if `right`, ending at `x`.
    fn text(&mut self, x: f32, y: f32, style: Style, text: Vec<u8>, right: bool) {
        let x = if right { x - style.width(&text) } else { x };
        self.push(Op::Text(x, y, style, text));
    }

    /// Draws one line, cut to `max_width`, in the line box whose top is `top`; returns the top
    /// of the next line box.
    fn put(&mut self, x: f32, top: f32, style: Style, text: &str, max_width: f32) -> f32 {
        let text = truncate(&win_ansi(text), style, max_width);
        self.text(x, top - style.1 * BASELINE, style, text, false);
        top - style.line_height()
    }

    /// A full-width paragraph, wrapped and flowing onto new pages.
    fn paragraph(&mut self, style: Style, text: &str) {
        for line in wrap(&win_ansi(text), style, CONTENT_WIDTH, usize::MAX) {
            self.ensure(style.line_height());
            self.text(MARGIN_X, self.y - style.1 * BASELINE, style, line, false);
            self.y -= style.line_height();
        }
    }

    /// A section heading, kept on one page with the start of the table under it.
    fn heading(&mut self, title: &str) {
        self.y -= SECTION_GAP;
        self.ensure(HEADING.line_height() + TABLE_KEEP);
        self.y = self.put(MARGIN_X, self.y, HEADING, title, CONTENT_WIDTH) - 2.0;
    }

    /// A titled table (or its note when there are no rows). A row that does not fit goes whole
    /// onto a new page, under a repeated header.
    fn section(&mut self, table: &Table, rows: impl Iterator<Item = Vec<String>>) {
        self.heading(table.title);
        let mut rows = rows.peekable();
        if rows.peek().is_none() {
            return self.paragraph(BODY, table.empty);
        }
        self.table_header(table);
        for row in rows {
            let row = wrap_row(table.columns, &row, CELL, table.max_lines);
            if self.y - row_height(&row) < MARGIN_BOTTOM {
                self.new_page();
                self.table_header(table);
            }
            self.draw_row(table.columns, row, CELL);
            self.push(Op::Rule(MARGIN_X, self.y, CONTENT_WIDTH));
        }
    }

    fn table_header(&mut self, table: &Table) {
        let height = CELL.line_height() + 2.0 * ROW_PAD;
        self.push(Op::Band(MARGIN_X, self.y - height, CONTENT_WIDTH, height));
        let titles: Vec<String> = table.columns.iter().map(|c| c.title.into()).collect();
        let titles = wrap_row(table.columns, &titles, CELL_BOLD, 1);
        self.draw_row(table.columns, titles, CELL_BOLD);
    }

    /// Draws one row of wrapped cells at the cursor and moves below it.
    fn draw_row(&mut self, columns: &[Column], row: Vec<Vec<Vec<u8>>>, style: Style) {
        let (top, height) = (self.y - ROW_PAD, row_height(&row));
        let mut x = MARGIN_X;
        for (column, lines) in columns.iter().zip(row) {
            let anchor = if column.right {
                x + column.width - CELL_PAD
            } else {
                x + CELL_PAD
            };
            for (i, line) in lines.into_iter().enumerate() {
                let y = top - style.1 * BASELINE - i as f32 * style.line_height();
                self.text(anchor, y, style, line, column.right);
            }
            x += column.width;
        }
        self.y -= height;
    }
}

/// Each cell of a table row wrapped to its column.
fn wrap_row(
    columns: &[Column],
    cells: &[String],
    style: Style,
    max_lines: usize,
) -> Vec<Vec<Vec<u8>>> {
    let wrap_cell = |(c, t): (&Column, &String)| {
        let width = c.width - 2.0 * CELL_PAD;
        wrap(&win_ansi(t), style, width, max_lines)
    };
    columns.iter().zip(cells).map(wrap_cell).collect()
}

/// Height of a row of wrapped cells, padding included.
fn row_height(row: &[Vec<Vec<u8>>]) -> f32 {
    let lines = row.iter().map(Vec::len).max().unwrap_or(1);
    lines as f32 * CELL.line_height() + 2.0 * ROW_PAD
}

/// Renders the invoice as a PDF file.
pub fn render_pdf(doc: &InvoiceDocument) -> Vec<u8> {
    let mut pages = layout(doc);
    add_footers(&mut pages, doc);
    write_pdf(&pages, &format!("Invoice {}", doc.number))
}

/// Lays the whole document out into pages (without footers).
fn layout(doc: &InvoiceDocument) -> Vec<Vec<Op>> {
    let mut l = Layout::new();
    header(&mut l, doc);
    l.section(&LINES, doc.lines.iter().map(line_cells));
    l.section(&TAXES, doc.taxes.iter().map(tax_cells));
    totals(&mut l, doc);
    l.section(&ZONES, doc.usage_by_zone.iter().map(zone_cells));
    let (shown, not_shown) = annex_calls(doc);
    l.section(&CALLS, shown.iter().map(call_cells));
    if not_shown > 0 {
        l.y -= 6.0;
        l.paragraph(BODY, &not_shown_note(not_shown));
    }
    l.pages
}

/// Issuer and customer on the left; title, dates and references on the right; then the terms.
fn header(l: &mut Layout, doc: &InvoiceDocument) {
    let top = l.y;
    let title = win_ansi(&format!("Invoice {}", doc.number));
    let title = truncate(&title, TITLE, RIGHT_EDGE - META_X);
    l.text(RIGHT_EDGE, top - TITLE.1 * BASELINE, TITLE, title, true);
    let mut right = top - TITLE.line_height() - 6.0;
    let facts = [
        ("Issue date", &doc.issue_date),
        ("Due date", &doc.due_date),
        ("Period", &doc.period),
        ("Level", &doc.level),
        ("Currency", &doc.currency),
        ("Payment reference", &doc.payment_reference),
    ];
    for (label, value) in facts {
        l.put(META_X, right, BODY_BOLD, label, META_LABEL_WIDTH);
        let x = META_X + META_LABEL_WIDTH;
        right = l.put(x, right, BODY, value, META_VALUE_WIDTH);
    }
    let left = party(l, top, None, &doc.issuer);
    let left = party(l, left - 10.0, Some("Bill to"), &doc.customer);
    l.y = left.min(right) - 10.0;
    l.paragraph(BODY, &format!("Payment terms: {}", doc.payment_terms));
}

/// A party block at the left margin from `top`; returns the top of the line below it.
fn party(l: &mut Layout, top: f32, label: Option<&str>, party: &Party) -> f32 {
    let mut y = top;
    if let Some(label) = label {
        y = l.put(MARGIN_X, y, BODY_BOLD, label, PARTY_WIDTH);
    }
    y = l.put(MARGIN_X, y, NAME, &party.name, PARTY_WIDTH);
    for line in &party.address_lines {
        y = l.put(MARGIN_X, y, BODY, line, PARTY_WIDTH);
    }
    if let Some(tax_id) = &party.tax_id {
        y = l.put(MARGIN_X, y, BODY, &format!("Tax ID: {tax_id}"), PARTY_WIDTH);
    }
    y
}

/// Subtotal, tax and total with the currency, right-aligned and kept together, then the total
/// and due date in one line of text.
fn totals(l: &mut Layout, doc: &InvoiceDocument) {
    let totals = [
        ("Subtotal", &doc.subtotal, BODY),
        ("Tax", &doc.tax_total, BODY),
        ("Total", &doc.total, BODY_BOLD),
    ];
    l.y -= SECTION_GAP / 2.0;
    l.ensure((totals.len() + 1) as f32 * BODY.line_height() + 6.0);
    let x = RIGHT_EDGE - TOTALS_WIDTH;
    for (label, amount, style) in totals {
        if style == BODY_BOLD {
            l.push(Op::Rule(x, l.y, TOTALS_WIDTH));
            l.y -= 2.0;
        }
        let y = l.y - style.1 * BASELINE;
        l.text(x + CELL_PAD, y, style, win_ansi(label), false);
        let figure = win_ansi(&format!("{amount} {}", doc.currency));
        l.text(RIGHT_EDGE - CELL_PAD, y, style, figure, true);
        l.y -= style.line_height();
    }
    let due = format!(
        "Total due {} {} by {}",
        doc.total, doc.currency, doc.due_date
    );
    l.y -= 4.0;
    let y = l.y - BODY.1 * BASELINE;
    l.text(RIGHT_EDGE - CELL_PAD, y, BODY, win_ansi(&due), true);
    l.y -= BODY.line_height();
}

/// Adds a rule, the invoice number and "Page i of N" under every page.
fn add_footers(pages: &mut [Vec<Op>], doc: &InvoiceDocument) {
    let count = pages.len();
    let label = win_ansi(&format!("Invoice {}", doc.number));
    let label = truncate(&label, FOOTER, CONTENT_WIDTH / 2.0);
    for (i, ops) in pages.iter_mut().enumerate() {
        ops.push(Op::Rule(MARGIN_X, FOOTER_BASELINE + 10.0, CONTENT_WIDTH));
        ops.push(Op::Text(MARGIN_X, FOOTER_BASELINE, FOOTER, label.clone()));
        let page = win_ansi(&format!("Page {} of {count}", i + 1));
        let x = RIGHT_EDGE - FOOTER.width(&page);
        ops.push(Op::Text(x, FOOTER_BASELINE, FOOTER, page));
    }
}

/// Writes laid-out pages as a PDF file.
fn write_pdf(pages: &[Vec<Op>], title: &str) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let (catalog, tree, info) = (Ref::new(1), Ref::new(2), Ref::new(3));
    let (regular, bold) = (Ref::new(4), Ref::new(5));
    let count = pages.len() as i32;
    let page_ids: Vec<Ref> = (0..count).map(|i| Ref::new(6 + 2 * i)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(count);
    for (id, base) in [(regular, "Helvetica"), (bold, "Helvetica-Bold")] {
        let mut font = pdf.type1_font(id);
        font.base_font(Name(base.as_bytes()));
        font.encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    let mut info = pdf.document_info(info);
    info.title(TextStr(title)).producer(TextStr("Tollgate"));
    info.finish();
    let fonts = [(Font::Regular, regular), (Font::Bold, bold)];
    let fonts = fonts.map(|(font, id)| (font.resource(), id));
    for (ops, &id) in pages.iter().zip(&page_ids) {
        let content_id = Ref::new(id.get() + 1);
        let mut page = pdf.page(id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
        page.parent(tree).contents(content_id);
        page.resources().fonts().pairs(fonts);
        page.finish();
        pdf.stream(content_id, &content_stream(ops));
    }
    pdf.finish()
}

/// One page's content stream: bands and rules first, then all text in one text object.
fn content_stream(ops: &[Op]) -> Vec<u8> {
    let mut c = Content::new();
    for op in ops {
        match *op {
            Op::Band(x, y, width, height) => {
                c.set_fill_gray(HEADER_GRAY);
                c.rect(x, y, width, height).fill_nonzero();
            }
            Op::Rule(x, y, width) => {
                c.set_stroke_gray(RULE_GRAY).set_line_width(0.5);
                c.move_to(x, y).line_to(x + width, y).stroke();
            }
            Op::Text(..) => {}
        }
    }
    c.set_fill_gray(0.0).begin_text();
    let mut current = None;
    for op in ops {
        if let Op::Text(x, y, style, text) = op {
            if current != Some(*style) {
                c.set_font(style.0.resource(), style.1);
                current = Some(*style);
            }
            c.set_text_matrix([1.0, 0.0, 0.0, 1.0, *x, *y]);
            c.show(Str(text));
        }
    }
    c.end_text();
    c.finish().to_vec()
}

/// A sample invoice with `lines` lines and `calls` calls, of which the annex holds at most
/// [`MAX_ANNEX_CALLS`] and `calls_not_shown` counts the rest.
#[cfg(test)]
mod tests;
