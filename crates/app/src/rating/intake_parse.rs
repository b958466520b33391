//! CDR intake parsing as a stream: a reader (a file, an HTTP body) is parsed in a blocking
//! thread and handed on in chunks of lines, so the memory of an intake is bounded by a few
//! chunks, not by the size of the file (issue 11 #7).
//!
//! A refusal of the whole body (an unknown CSV column, a JSON body that is not an array) is an
//! error only while no chunk has been handed on; after that, a body that breaks off (a JSON
//! syntax error at element 80,001) ends the batch with a reject line saying where, and what
//! came before it is stored. A resend is idempotent, so it completes such a batch.

use std::io::{BufRead, BufReader, Read};

use serde::de::{Deserializer as _, SeqAccess, Visitor};
use tollgate_core::cdr::RawCdr;
use tollgate_core::Refusal;

use super::{INTAKE_CHUNK_BYTES, MAX_REJECT_RAW_CHARS};
use crate::AppError;

/// One input line: `(line number, parsed raw CDR or refusal, raw text)`.
pub type ParsedLine = (usize, Result<RawCdr, Refusal>, String);

/// The formats `POST /v1/cdrs` and `tollgate cdrs import` take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CdrFormat {
    Json,
    Ndjson,
    Csv,
}

/// Longest NDJSON line read as one CDR; a longer line is refused as `line_too_long`.
pub const MAX_CDR_LINE_BYTES: usize = 64 << 10;

/// The fields of a CDR, in their CSV column order: the one list intake and the offline rater
/// read by.
pub const CDR_FIELDS: &[&str] = &[
    "source",
    "call_id",
    "billing_account",
    "from",
    "to",
    "start",
    "answer",
    "end",
    "duration_s",
    "disposition",
    "direction",
];

fn raw_from_map(get: impl Fn(&str) -> Option<String>) -> RawCdr {
    RawCdr {
        source: get("source"),
        call_id: get("call_id"),
        billing_account: get("billing_account"),
        from: get("from"),
        to: get("to"),
        start: get("start"),
        answer: get("answer"),
        end: get("end"),
        duration_s: get("duration_s"),
        disposition: get("disposition"),
        direction: get("direction"),
    }
}

fn json_line(v: &serde_json::Value) -> Result<RawCdr, Refusal> {
    let obj = v.as_object().ok_or_else(|| {
        Refusal::invalid("line_invalid", "line", "each CDR must be a JSON object")
    })?;
    if let Some(k) = obj.keys().find(|k| !CDR_FIELDS.contains(&k.as_str())) {
        return Err(Refusal::invalid(
            "unknown_field",
            "line",
            format!("unknown field `{k}` (known: {})", CDR_FIELDS.join(", ")),
        ));
    }
    Ok(raw_from_map(|k| match obj.get(k) {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }))
}

fn clip(s: &str) -> String {
    s.chars().take(MAX_REJECT_RAW_CHARS).collect()
}

/// Collects lines and hands them on `chunk_rows` at a time.
struct Chunker<F: FnMut(Vec<ParsedLine>) -> bool> {
    emit: F,
    chunk_rows: usize,
    lines: Vec<ParsedLine>,
    /// Bytes of input behind `lines`: a chunk is also handed on at [`INTAKE_CHUNK_BYTES`].
    bytes: usize,
    /// A chunk has been handed on: from now on a broken body is a reject line, not an error.
    handed_on: bool,
    /// The receiver has gone (the intake failed): stop reading.
    stopped: bool,
}

impl<F: FnMut(Vec<ParsedLine>) -> bool> Chunker<F> {
    /// Adds a line read from `bytes` bytes of input.
    fn push(&mut self, line: ParsedLine, bytes: usize) {
        self.lines.push(line);
        self.bytes += bytes;
        if self.lines.len() >= self.chunk_rows || self.bytes >= INTAKE_CHUNK_BYTES {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.lines.is_empty() || self.stopped {
            return;
        }
        let lines = std::mem::take(&mut self.lines);
        self.bytes = 0;
        self.handed_on = true;
        self.stopped = !(self.emit)(lines);
    }

    /// A body that cannot be read on: a whole-body error before any chunk was handed on,
    /// else a last reject line at `line`.
    fn broken(
        &mut self,
        line: usize,
        code: &'static str,
        field: &str,
        msg: String,
    ) -> Result<(), AppError> {
        if !self.handed_on {
            return Err(AppError::invalid(code, field, msg));
        }
        let why = format!("the body breaks off here; the lines before it were taken: {msg}");
        self.push(
            (
                line,
                Err(Refusal::invalid(code, "line", why)),
                String::new(),
            ),
            0,
        );
        Ok(())
    }
}

/// Parses `reader` as `format`, handing lines to `emit` in chunks of `chunk_rows`; `emit`
/// returns `false` when the receiver has gone, and parsing stops.
pub fn parse_stream(
    format: CdrFormat,
    reader: impl Read,
    chunk_rows: usize,
    emit: impl FnMut(Vec<ParsedLine>) -> bool,
) -> Result<(), AppError> {
    let mut c = Chunker {
        emit,
        chunk_rows: chunk_rows.max(1),
        lines: Vec::new(),
        bytes: 0,
        handed_on: false,
        stopped: false,
    };
    match format {
        CdrFormat::Json => json_array(reader, &mut c)?,
        CdrFormat::Ndjson => ndjson(reader, &mut c)?,
        CdrFormat::Csv => csv_records(reader, &mut c)?,
    }
    c.flush();
    Ok(())
}

/// Every line of `body` at once (small bodies: tests, the demo).
pub fn parse_cdrs(format: CdrFormat, body: &[u8]) -> Result<Vec<ParsedLine>, AppError> {
    let mut out = Vec::new();
    parse_stream(format, body, usize::MAX, |mut lines| {
        out.append(&mut lines);
        true
    })?;
    Ok(out)
}

fn ndjson<F: FnMut(Vec<ParsedLine>) -> bool>(
    reader: impl Read,
    c: &mut Chunker<F>,
) -> Result<(), AppError> {
    let mut r = BufReader::new(reader);
    let mut buf = Vec::new();
    let mut n = 0usize;
    while !c.stopped {
        buf.clear();
        // At most one byte past the limit is kept; the rest of a long line is skipped.
        let read = (&mut r)
            .take(MAX_CDR_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| AppError::invalid("body_unreadable", "body", e.to_string()))?;
        if read == 0 {
            break;
        }
        n += 1;
        if buf.len() > MAX_CDR_LINE_BYTES && buf.last() != Some(&b'\n') {
            skip_line(&mut r)?;
            let msg = format!("a CDR line is at most {MAX_CDR_LINE_BYTES} bytes");
            let text = clip(&String::from_utf8_lossy(&buf));
            c.push(
                (n, Err(Refusal::invalid("line_too_long", "line", msg)), text),
                buf.len(),
            );
            continue;
        }
        let text = String::from_utf8_lossy(&buf);
        if text.trim().is_empty() {
            continue;
        }
        let parsed = serde_json::from_str::<serde_json::Value>(&text)
            .map_err(|e| Refusal::invalid("json_invalid", "line", e.to_string()))
            .and_then(|v| json_line(&v));
        c.push((n, parsed, clip(text.trim_end())), buf.len());
    }
    Ok(())
}

fn skip_line(r: &mut impl BufRead) -> Result<(), AppError> {
    loop {
        let buf = r
            .fill_buf()
            .map_err(|e| AppError::invalid("body_unreadable", "body", e.to_string()))?;
        if buf.is_empty() {
            return Ok(());
        }
        if let Some(i) = buf.iter().position(|b| *b == b'\n') {
            r.consume(i + 1);
            return Ok(());
        }
        let len = buf.len();
        r.consume(len);
    }
}

fn csv_records<F: FnMut(Vec<ParsedLine>) -> bool>(
    reader: impl Read,
    c: &mut Chunker<F>,
) -> Result<(), AppError> {
    let mut rdr = crate::csv_in::reader(reader);
    let headers = rdr
        .headers()
        .map_err(|e| AppError::invalid("csv_invalid", "header", e.to_string()))?
        .clone();
    if let Some(h) = headers.iter().find(|h| !CDR_FIELDS.contains(h)) {
        return Err(AppError::invalid(
            "column_unknown",
            h,
            format!("unknown column `{h}` (known: {})", CDR_FIELDS.join(", ")),
        ));
    }
    let index: Vec<Option<usize>> = CDR_FIELDS
        .iter()
        .map(|k| headers.iter().position(|h| h == *k))
        .collect();
    let mut rec = csv::StringRecord::new();
    while !c.stopped {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let line = rec.position().map_or(0, |p| p.line() as usize);
                let parsed = if rec.len() != headers.len() {
                    Err(Refusal::invalid(
                        "csv_invalid",
                        "line",
                        format!("{} fields, the header has {}", rec.len(), headers.len()),
                    ))
                } else {
                    Ok(raw_from_map(|k| {
                        let i = CDR_FIELDS.iter().position(|f| *f == k)?;
                        index[i].and_then(|i| rec.get(i)).map(str::to_string)
                    }))
                };
                let raw = clip(&rec.iter().collect::<Vec<_>>().join(","));
                c.push((line, parsed, raw), rec.as_slice().len() + rec.len());
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Err(AppError::invalid("body_unreadable", "body", e.to_string()));
                }
                c.push(
                    (
                        line,
                        Err(Refusal::invalid("csv_invalid", "line", e.to_string())),
                        String::new(),
                    ),
                    0,
                );
                break;
            }
        }
    }
    Ok(())
}

/// Streams the elements of a top-level JSON array one at a time (serde's sequence visitor),
/// never holding the array.
fn json_array<F: FnMut(Vec<ParsedLine>) -> bool>(
    reader: impl Read,
    c: &mut Chunker<F>,
) -> Result<(), AppError> {
    struct Elements<'a, F: FnMut(Vec<ParsedLine>) -> bool> {
        c: &'a mut Chunker<F>,
        n: &'a mut usize,
    }
    impl<'de, F: FnMut(Vec<ParsedLine>) -> bool> Visitor<'de> for Elements<'_, F> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON array of CDR objects")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while !self.c.stopped {
                let Some(v) = seq.next_element::<serde_json::Value>()? else {
                    break;
                };
                *self.n += 1;
                let text = v.to_string();
                let bytes = text.len();
                self.c.push((*self.n, json_line(&v), clip(&text)), bytes);
            }
            Ok(())
        }
    }
    let mut de = serde_json::Deserializer::from_reader(BufReader::new(reader));
    let mut n = 0usize;
    let done = de
        .deserialize_seq(Elements {
            c: &mut *c,
            n: &mut n,
        })
        .and_then(|()| if c.stopped { Ok(()) } else { de.end() });
    if let Err(e) = done {
        if e.is_io() {
            return Err(AppError::invalid("body_unreadable", "body", e.to_string()));
        }
        let msg = format!("expected a JSON array of CDR objects: {e}");
        c.broken(n + 1, "json_invalid", "body", msg)?;
    }
    Ok(())
}

/// A [`Read`] over body pieces sent from async code (an HTTP body arriving frame by frame):
/// the parser's blocking thread waits for each piece; at most `capacity` pieces are in flight,
/// so a fast sender waits for the parser rather than filling memory.
pub struct BodyReader {
    rx: tokio::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    piece: Vec<u8>,
    at: usize,
}

/// The sending half of a [`BodyReader`].
pub type BodySender = tokio::sync::mpsc::Sender<std::io::Result<Vec<u8>>>;

impl BodyReader {
    pub fn channel(capacity: usize) -> (BodySender, BodyReader) {
        let (tx, rx) = tokio::sync::mpsc::channel(capacity.max(1));
        let r = BodyReader {
            rx,
            piece: Vec::new(),
            at: 0,
        };
        (tx, r)
    }
}

impl Read for BodyReader {
    /// Blocks the calling thread: call it from a blocking task, never from async code.
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.piece.len() {
            match self.rx.blocking_recv() {
                None => return Ok(0),
                Some(Ok(p)) => {
                    self.piece = p;
                    self.at = 0;
                }
                Some(Err(e)) => return Err(e),
            }
        }
        let n = out.len().min(self.piece.len() - self.at);
        out[..n].copy_from_slice(&self.piece[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(
        format: CdrFormat,
        body: &str,
        rows: usize,
    ) -> Result<Vec<Vec<ParsedLine>>, AppError> {
        let mut out = Vec::new();
        parse_stream(format, body.as_bytes(), rows, |c| {
            out.push(c);
            true
        })?;
        Ok(out)
    }

    #[test]
    fn i11_7_a_json_array_is_handed_on_in_chunks_of_the_given_size() {
        let body = format!("[{}]", [r#"{"call_id":"a"}"#; 5].join(","));
        let got = chunks(CdrFormat::Json, &body, 2).unwrap();
        // 5 elements in chunks of 2: 2 + 2 + 1, numbered 1..=5.
        assert_eq!(got.iter().map(Vec::len).collect::<Vec<_>>(), [2, 2, 1]);
        assert_eq!(got[2][0].0, 5);
        assert_eq!(got[0][0].1.as_ref().unwrap().call_id.as_deref(), Some("a"));
    }

    #[test]
    fn i11_7_a_body_broken_before_the_first_chunk_refuses_the_whole_body() {
        let e = chunks(CdrFormat::Json, r#"[{"call_id":"a"}, {"#, 10).unwrap_err();
        assert!(
            matches!(
                e,
                AppError::Invalid {
                    code: "json_invalid",
                    ..
                }
            ),
            "{e:?}"
        );
        let e = chunks(CdrFormat::Json, r#"{"call_id":"a"}"#, 10).unwrap_err();
        assert!(
            matches!(
                e,
                AppError::Invalid {
                    code: "json_invalid",
                    ..
                }
            ),
            "{e:?}"
        );
        let e = chunks(CdrFormat::Json, r#"[{"call_id":"a"}]{"b":2}"#, 10).unwrap_err();
        assert!(
            matches!(
                e,
                AppError::Invalid {
                    code: "json_invalid",
                    ..
                }
            ),
            "{e:?}"
        );
    }

    #[test]
    fn i11_7_a_body_broken_after_a_chunk_was_taken_ends_with_a_reject_line() {
        let got = chunks(CdrFormat::Json, r#"[{"call_id":"a"},{"call_id":"b"},{"#, 2).unwrap();
        // Chunk 1 holds elements 1 and 2; the break is reported as line 3.
        assert_eq!(got.len(), 2);
        let (line, parsed, _) = &got[1][0];
        assert_eq!(*line, 3);
        assert_eq!(parsed.as_ref().unwrap_err().code, "json_invalid");
    }

    #[test]
    fn i11_7_csv_and_ndjson_stream_with_line_numbers() {
        let csv = "call_id,source\na,s\nb,s\n\"c\nd\",s\n";
        let got = chunks(CdrFormat::Csv, csv, 2).unwrap();
        // The quoted field spans lines 4-5: the record is numbered by its first line.
        let lines: Vec<usize> = got.iter().flatten().map(|l| l.0).collect();
        assert_eq!(lines, [2, 3, 4]);
        let nd = "{\"call_id\":\"a\"}\n\n{\"call_id\":\"b\"}\nnot json\n";
        let got = chunks(CdrFormat::Ndjson, nd, 10).unwrap().concat();
        assert_eq!(got.iter().map(|l| l.0).collect::<Vec<_>>(), [1, 3, 4]);
        assert_eq!(got[2].1.as_ref().unwrap_err().code, "json_invalid");
    }

    #[test]
    fn i11_7_an_overlong_ndjson_line_is_refused_and_the_next_line_read() {
        let long = format!("{{\"call_id\":\"{}\"}}", "x".repeat(MAX_CDR_LINE_BYTES));
        let nd = format!("{long}\n{{\"call_id\":\"b\"}}\n");
        let got = chunks(CdrFormat::Ndjson, &nd, 10).unwrap().concat();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].1.as_ref().unwrap_err().code, "line_too_long");
        assert_eq!(got[1].1.as_ref().unwrap().call_id.as_deref(), Some("b"));
    }

    #[test]
    fn i11_7_a_chunk_is_also_handed_on_at_its_byte_budget() {
        // Lines of ~40 KiB: the byte budget, not the row count, cuts the chunks.
        let line = format!("{{\"call_id\":\"{}\"}}\n", "x".repeat(40 << 10));
        let n = INTAKE_CHUNK_BYTES / line.len() + 5;
        let got = chunks(CdrFormat::Ndjson, &line.repeat(n), 1_000_000).unwrap();
        let per_chunk = INTAKE_CHUNK_BYTES.div_ceil(line.len());
        assert_eq!(got[0].len(), per_chunk);
        assert_eq!(got.iter().map(Vec::len).sum::<usize>(), n);
    }

    #[test]
    fn i11_7_a_gone_receiver_stops_the_parser() {
        let body = format!("[{}]", [r#"{"call_id":"a"}"#; 10].join(","));
        let mut calls = 0;
        parse_stream(CdrFormat::Json, body.as_bytes(), 2, |_| {
            calls += 1;
            false
        })
        .unwrap();
        assert_eq!(calls, 1);
    }
}
