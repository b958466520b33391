//! Rate-table import: the rate CSV, its checks (overlaps, currencies, dates) and versions.

use super::*;

/// A rate's validity bound: `YYYY-MM-DD` (midnight UTC), RFC 3339 or Unix seconds, between
/// 1970 and 2200 (`date_out_of_range` outside, `timestamp_invalid` when not a date at all).
fn parse_date(s: &str, field: &'static str) -> Result<i64, Refusal> {
    let s = s.trim();
    let t = if s.len() == 10 && s.as_bytes()[4] == b'-' {
        jiff::civil::Date::strptime("%Y-%m-%d", s)
            .ok()
            .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
            .map(|z| z.timestamp().as_second())
            .ok_or_else(|| {
                Refusal::invalid("timestamp_invalid", field, format!("`{s}` is not a date"))
            })?
    } else {
        match cdr::parse_time(s, field) {
            Err(r) if r.code == "timestamp_out_of_range" => i64::MIN,
            r => r?,
        }
    };
    if !(cdr::MIN_TIMESTAMP..=cdr::MAX_TIMESTAMP).contains(&t) {
        return Err(Refusal::invalid(
            "date_out_of_range",
            field,
            format!("`{s}` is outside 1970-01-01 to 2200-01-01"),
        ));
    }
    Ok(t)
}

/// Two rows of one import for the same prefix whose validity overlaps leave the price of a
/// call to row order: refused with both line numbers (`rate_overlap`, field `prefix`).
/// Back-to-back rows (`valid_until` of one = `valid_from` of the next) do not overlap.
fn overlaps(rows: &[RateRow], lines: &[usize]) -> Vec<LineError> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_unstable_by(|a, b| {
        let (ra, rb) = (&rows[*a], &rows[*b]);
        (ra.prefix.as_str(), ra.valid_from, lines[*a]).cmp(&(
            rb.prefix.as_str(),
            rb.valid_from,
            lines[*b],
        ))
    });
    let mut errors = Vec::new();
    // The row of the current prefix that reaches furthest so far.
    let mut reach: Option<usize> = None;
    for &i in &order {
        let r = &rows[i];
        match reach {
            Some(j) if rows[j].prefix == r.prefix => {
                // `valid_from` is sorted, so rows[i] starts no earlier than rows[j].
                if rows[j].valid_until.is_none_or(|u| r.valid_from < u) {
                    let (first, second) = (lines[j].min(lines[i]), lines[j].max(lines[i]));
                    errors.push(LineError {
                        line: second,
                        code: "rate_overlap".into(),
                        field: "prefix".into(),
                        message: format!(
                            "lines {first} and {second} both price prefix {} over an overlapping validity",
                            r.prefix
                        ),
                    });
                    if errors.len() >= MAX_LISTED_ERRORS {
                        break;
                    }
                }
                let further = match (rows[j].valid_until, r.valid_until) {
                    (None, _) => false,
                    (Some(_), None) => true,
                    (Some(a), Some(b)) => b > a,
                };
                if further {
                    reach = Some(i);
                }
            }
            _ => reach = Some(i),
        }
    }
    errors.sort_by_key(|e| e.line);
    errors
}

/// Rate-table CSV columns (header names; order free). `zone`, `valid_until`,
/// `connection_fee` and `min_billed_s` may be left empty.
pub const RATE_COLUMNS: &[&str] = &[
    "prefix",
    "destination",
    "rate_per_min",
    "connection_fee",
    "initial_s",
    "subsequent_s",
    "min_billed_s",
    "valid_from",
    "valid_until",
    "currency",
    "zone",
];

/// Parses a rate-table CSV into rows of `version`. All-or-nothing: any bad line refuses the
/// import, listing up to [`MAX_LISTED_ERRORS`] lines.
pub fn parse_rate_csv(
    text: &[u8],
    version: u32,
    progress: Option<Progress>,
) -> Result<Vec<RateRow>, Vec<LineError>> {
    let mut rdr = crate::csv_in::strict_reader(text);
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(vec![LineError {
                line: 1,
                code: "csv_invalid".into(),
                field: "header".into(),
                message: e.to_string(),
            }])
        }
    };
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let mut errors = Vec::new();
    for required in [
        "prefix",
        "destination",
        "rate_per_min",
        "initial_s",
        "subsequent_s",
        "valid_from",
        "currency",
    ] {
        if col(required).is_none() {
            errors.push(LineError {
                line: 1,
                code: "column_missing".into(),
                field: required.into(),
                message: format!("the header has no `{required}` column"),
            });
        }
    }
    for h in headers.iter() {
        if !RATE_COLUMNS.iter().any(|c| c.eq_ignore_ascii_case(h)) {
            errors.push(LineError {
                line: 1,
                code: "column_unknown".into(),
                field: h.into(),
                message: format!("unknown column `{h}` (known: {})", RATE_COLUMNS.join(", ")),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let idx: Vec<Option<usize>> = RATE_COLUMNS.iter().map(|c| col(c)).collect();
    let total = text.iter().filter(|b| **b == b'\n').count();
    let mut rows = Vec::new();
    // The file line of each row, for errors that involve two rows.
    let mut lines = Vec::new();
    let mut rec = csv::StringRecord::new();
    let mut line = 1;
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                errors.push(LineError {
                    line: line + 1,
                    code: "csv_invalid".into(),
                    field: "line".into(),
                    message: e.to_string(),
                });
                break;
            }
        }
        line = rec.position().map_or(line + 1, |p| p.line() as usize);
        if rows.len() >= MAX_RATE_ROWS {
            errors.push(LineError {
                line,
                code: "too_many_rows".into(),
                field: "line".into(),
                message: format!("at most {MAX_RATE_ROWS} rows"),
            });
            break;
        }
        let get = |i: usize| idx[i].and_then(|c| rec.get(c)).unwrap_or("");
        let parsed = (|| -> Result<RateRow, Refusal> {
            let money = |i: usize, field: &'static str| -> Result<i64, Refusal> {
                let v = get(i);
                if v.is_empty() {
                    return Ok(0);
                }
                parse_scaled(v, MICRO_DIGITS)
                    .map_err(|m| Refusal::invalid("amount_invalid", field, m))
            };
            let secs = |i: usize, field: &'static str, default: u32| -> Result<u32, Refusal> {
                let v = get(i);
                if v.is_empty() {
                    return Ok(default);
                }
                v.parse().map_err(|_| {
                    Refusal::invalid(
                        "seconds_invalid",
                        field,
                        format!("`{v}` is not whole seconds"),
                    )
                })
            };
            let prefix = get(0).trim_start_matches('+').to_string();
            let row = RateRow {
                prefix,
                destination: get(1).to_string(),
                rate_per_min_micros: money(2, "rate_per_min")?,
                connection_fee_micros: money(3, "connection_fee")?,
                initial_s: secs(4, "initial_s", 0)?,
                subsequent_s: secs(5, "subsequent_s", 0)?,
                min_billed_s: secs(6, "min_billed_s", 0)?,
                valid_from: parse_date(get(7), "valid_from")?,
                valid_until: match get(8) {
                    "" => None,
                    v => Some(parse_date(v, "valid_until")?),
                },
                currency: Currency::parse(get(9))
                    .map_err(|m| Refusal::invalid("currency_invalid", "currency", m))?,
                zone: Some(get(10).to_string()).filter(|z| !z.is_empty()),
                version,
            };
            row.validate()?;
            Ok(row)
        })();
        match parsed {
            Ok(r) => {
                rows.push(r);
                lines.push(line);
            }
            Err(r) => errors.push(LineError {
                line,
                code: r.code.into(),
                field: r.field.unwrap_or("line").into(),
                message: r.message,
            }),
        }
        if errors.len() >= MAX_LISTED_ERRORS {
            break;
        }
        if let Some(p) = progress {
            if rows.len().is_multiple_of(100_000) {
                p(rows.len(), total);
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if rows.is_empty() {
        return Err(vec![LineError {
            line: 1,
            code: "table_empty".into(),
            field: "body".into(),
            message: "the rate table has no rows".into(),
        }]);
    }
    let errors = overlaps(&rows, &lines);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(rows)
}

fn to_stored(r: &RateRow) -> StoredRate {
    StoredRate {
        version: i64::from(r.version),
        prefix: r.prefix.clone(),
        destination: r.destination.clone(),
        rate_micros: r.rate_per_min_micros,
        connection_fee_micros: r.connection_fee_micros,
        initial_s: i64::from(r.initial_s),
        subsequent_s: i64::from(r.subsequent_s),
        min_billed_s: i64::from(r.min_billed_s),
        valid_from: r.valid_from,
        valid_until: r.valid_until,
        currency: r.currency.as_str().into(),
        zone: r.zone.clone(),
    }
}

fn check_table_name(name: &str) -> Result<(), AppError> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(AppError::invalid(
            "table_name_invalid",
            "name",
            "1 to 64 letters, digits, `-` or `_`",
        ));
    }
    Ok(())
}

impl App {
    /// Imports a CSV rate table as a new version; history is never overwritten.
    pub async fn import_rate_table(
        &self,
        actor: &Actor,
        name: &str,
        csv: &[u8],
        progress: Option<Progress<'_>>,
    ) -> Result<(RateVersionRow, Vec<LineError>), AppError> {
        check_table_name(name)?;
        let mut tx = self.store.begin().await?;
        let version = rating_store::next_rate_version(&mut tx, name).await?;
        let rows = match parse_rate_csv(csv, version as u32, progress) {
            Ok(r) => r,
            Err(errors) => {
                return Ok((
                    RateVersionRow {
                        id: String::new(),
                        table_name: name.into(),
                        version: 0,
                        imported_at: 0,
                        imported_by: String::new(),
                        row_count: 0,
                    },
                    errors,
                ))
            }
        };
        let now = self.now();
        let v = RateVersionRow {
            id: new_id("rtv"),
            table_name: name.into(),
            version,
            imported_at: now,
            imported_by: actor.actor.clone(),
            row_count: rows.len() as i64,
        };
        let stored: Vec<StoredRate> = rows.iter().map(to_stored).collect();
        rating_store::insert_rate_version(&mut tx, &v, &stored).await?;
        audit::append(
            &mut tx,
            &audit_row(
                actor,
                now,
                "rate_table.import",
                name,
                json!({"version": version, "rows": rows.len()}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.reload_rate_table(name).await?;
        Ok((v, Vec::new()))
    }
}
