//! The PDF renderer's tests.
use super::*;
use crate::billing::document::sample::sample_document;

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// The page count declared in the page tree.
fn page_count(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    let count = text.split("/Count ").nth(1).expect("a page tree");
    count
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn is_a_complete_pdf_file_with_standard_fonts() {
    let pdf = render_pdf(&sample_document(3, 5));
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(String::from_utf8_lossy(&pdf).trim_end().ends_with("%%EOF"));
    assert!(contains(&pdf, "/BaseFont /Helvetica-Bold"));
    assert!(contains(&pdf, "/Encoding /WinAnsiEncoding"));
    assert!(!contains(&pdf, "/Filter"), "streams stay uncompressed");
}

#[test]
fn prints_total_and_due_date_as_text() {
    let pdf = render_pdf(&sample_document(3, 5));
    for text in [
        "(Total)",
        "(1,481.47 EUR)",
        "(Due date)",
        "(2026-12-01)",
        "(Globex Corporation)",
    ] {
        assert!(contains(&pdf, &format!("{text} Tj")), "{text}");
    }
}

#[test]
fn many_calls_flow_onto_numbered_pages() {
    let pdf = render_pdf(&sample_document(40, 3_000));
    let n = page_count(&pdf);
    assert!(n > 1, "{n} pages");
    assert_eq!(
        String::from_utf8_lossy(&pdf)
            .matches("/Type /Page\n")
            .count(),
        n
    );
    assert!(contains(&pdf, &format!("(Page 1 of {n})")));
    assert!(contains(&pdf, &format!("(Page {n} of {n})")));
    assert!(!contains(&pdf, &format!("(Page {} of", n + 1)));
    // The annex header repeats on each of its continuation pages.
    assert!(String::from_utf8_lossy(&pdf).matches("Start (UTC)").count() > 10);
    assert!(contains(
        &pdf,
        "(1000 more calls on this invoice are not shown in this annex.)"
    ));
}

#[test]
fn small_invoice_fits_one_page() {
    let pdf = render_pdf(&sample_document(2, 3));
    assert_eq!(page_count(&pdf), 1);
    assert!(contains(&pdf, "(Page 1 of 1)"));
    let empty = render_pdf(&sample_document(0, 0));
    assert!(contains(&empty, "(No calls listed.)") && contains(&empty, "(No lines.)"));
}

#[test]
fn nothing_is_drawn_in_the_margins() {
    let pages = layout(&sample_document(60, 300));
    assert!(pages.len() > 2);
    for op in pages.iter().flatten() {
        if let Op::Text(x, y, style, text) = op {
            let shown = String::from_utf8_lossy(text);
            assert!(
                *x >= MARGIN_X && x + style.width(text) <= RIGHT_EDGE + 0.01,
                "{shown}"
            );
            assert!(
                *y >= MARGIN_BOTTOM && *y <= PAGE_HEIGHT - MARGIN_TOP,
                "{shown}"
            );
        }
    }
}

#[test]
fn table_columns_fill_the_content_width() {
    for table in [LINES, TAXES, ZONES, CALLS] {
        let width: f32 = table.columns.iter().map(|c| c.width).sum();
        assert!(
            width <= CONTENT_WIDTH && width > CONTENT_WIDTH - 1.0,
            "{}",
            table.title
        );
    }
}

#[test]
fn maps_text_to_win_ansi() {
    assert_eq!(
        win_ansi("2026-11-01 – 2026-11-30"),
        b"2026-11-01 - 2026-11-30"
    );
    assert_eq!(win_ansi("a ≠ b … “x”"), b"a != b ... \"x\"");
    assert_eq!(win_ansi("Café × 2"), b"Caf\xe9 \xd7 2");
    assert_eq!(win_ansi("日本"), b"??");
}

#[test]
fn wraps_and_truncates_to_width() {
    let text = win_ansi("one two three four five six seven eight nine ten eleven twelve");
    let lines = wrap(&text, CELL, 60.0, 10);
    assert!(lines.len() > 2);
    assert!(lines.iter().all(|l| CELL.width(l) <= 60.0));
    assert_eq!(lines.join(&b' '), text);
    let cut = wrap(&text, CELL, 60.0, 2);
    assert_eq!(cut.len(), 2);
    assert!(cut[1].ends_with(ELLIPSIS) && CELL.width(&cut[1]) <= 60.0);
    let long_word = wrap(&[b'9'; 40], CELL, 30.0, 10);
    assert!(long_word.len() > 1 && long_word.iter().all(|l| CELL.width(l) <= 30.0));
}

#[test]
fn formats_durations() {
    assert_eq!(format_duration(0), "0:00");
    assert_eq!(format_duration(125), "2:05");
    assert_eq!(format_duration(3_725), "1:02:05");
    assert_eq!(format_duration(-3), "0:00");
}
