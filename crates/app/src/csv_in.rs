//! The one CSV reader configuration (the `csv` crate): every CSV Tollgate reads (CDR intake,
//! rate tables, number imports, the offline rater) is read with cells trimmed, so a stray
//! space never makes a different prefix, account or number. [`crate::csv_out`] is its writer.

use std::io::Read;

/// A reader of a CSV with a header line; records may have another field count than the
/// header (the caller refuses such a line with its line number rather than stopping).
pub fn reader<R: Read>(r: R) -> csv::Reader<R> {
    builder().from_reader(r)
}

/// A reader of a CSV whose records must all have the header's field count (all-or-nothing
/// imports).
pub fn strict_reader<R: Read>(r: R) -> csv::Reader<R> {
    builder().flexible(false).from_reader(r)
}

/// A reader of CSV records without a header line (a chunk cut from the middle of a file).
pub fn headerless_reader<R: Read>(r: R) -> csv::Reader<R> {
    builder().has_headers(false).from_reader(r)
}

fn builder() -> csv::ReaderBuilder {
    let mut b = csv::ReaderBuilder::new();
    b.trim(csv::Trim::All).flexible(true);
    b
}
