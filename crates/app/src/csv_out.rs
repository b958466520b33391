//! The one CSV writer: every CSV Tollgate produces (the `GET /v1/cdrs?format=csv` export, the
//! offline rater's output and rejects, the benchmark generators) goes through [`CsvOut`], so
//! quoting (by the `csv` crate) and formula neutralising (issue 11 #11) cannot be forgotten.
//!
//! Formula neutralising (OWASP "CSV injection"): a cell that starts with `=`, `+`, `-`, `@`,
//! tab or carriage return is opened by a spreadsheet as a formula, so it gets a leading `'`.
//! A cell that is a plain number (`-5`, `+442079460000`, `-0.012500`) is kept as it is: no
//! spreadsheet evaluates it to anything but that number, and amounts and E.164 numbers stay
//! numbers. Everything else (free text: call ids, destinations, messages) is neutralised.

use std::borrow::Cow;
use std::io::Write;

/// The characters that make a spreadsheet read a cell as a formula.
pub const FORMULA_TRIGGERS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// `[+-]digits[.digits]`: a number, never a formula.
fn is_plain_number(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int, frac) = body.split_once('.').unwrap_or((body, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// The cell as a spreadsheet may safely open it: `'` before a would-be formula.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_TRIGGERS) && !is_plain_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A CSV writer whose every cell is [`neutralise`]d and quoted as needed.
pub struct CsvOut<W: Write> {
    w: csv::Writer<W>,
}

impl<W: Write> CsvOut<W> {
    pub fn new(w: W) -> CsvOut<W> {
        CsvOut {
            w: csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(w),
        }
    }

    /// Writes one record.
    pub fn row<I, S>(&mut self, cells: I) -> std::io::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.w
            .write_record(
                cells
                    .into_iter()
                    .map(|c| neutralise(c.as_ref()).into_owned()),
            )
            .map_err(std::io::Error::other)
    }

    /// Flushes and returns the inner writer.
    pub fn into_inner(self) -> std::io::Result<W> {
        self.w.into_inner().map_err(|e| e.into_error())
    }
}

/// The records as CSV text (for answers built in memory).
pub fn to_string<R, I, S>(records: R) -> String
where
    R: IntoIterator<Item = I>,
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = CsvOut::new(Vec::new());
    for r in records {
        out.row(r).expect("writing to memory cannot fail");
    }
    String::from_utf8(out.into_inner().expect("writing to memory cannot fail"))
        .expect("CSV of UTF-8 cells is UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn i11_11_formulas_are_neutralised_numbers_and_text_kept() {
        let cases = [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-", "'-"),
            ("-5", "-5"),
            ("-0.012500", "-0.012500"),
            ("+442079460000", "+442079460000"),
            ("12", "12"),
            ("United Kingdom", "United Kingdom"),
            ("a=b", "a=b"),
            ("", ""),
        ];
        for (cell, want) in cases {
            assert_eq!(neutralise(cell), want, "{cell:?}");
        }
        assert_eq!(
            to_string([["id", "note"], ["1", "=1+2, \"quoted\""]]),
            "id,note\n1,\"'=1+2, \"\"quoted\"\"\"\n"
        );
    }
}
