//! CDR intake: validation, rating and storage, a chunk at a time as the parser hands lines on
//! ([`super::intake_parse`]), each chunk in its own transaction.

use std::io::Read;

use super::intake_parse::{parse_stream, CdrFormat, ParsedLine};
use super::*;

/// The outcome of an intake batch.
#[derive(Debug, Clone)]
pub struct IngestReport {
    pub batch_id: String,
    pub received: usize,
    pub inserted: usize,
    pub duplicates: usize,
    pub rejected: usize,
    /// The first [`MAX_INLINE_REJECTS`] rejects (all are stored).
    pub rejects: Vec<RejectRow>,
    /// Currency → (calls, exact micro amount) of the CDRs inserted now.
    pub totals: BTreeMap<String, (u64, i64)>,
}

/// Numbers (with the billing account they resolved to) and billing accounts remembered per
/// batch; each memory is forgotten when it grows past this, so a file naming a million
/// callers or accounts stays bounded.
pub const MAX_REMEMBERED_KEYS: usize = 100_000;

struct AccountInfo {
    row: BillingAccountRow,
    bundle: Option<Bundle>,
}

/// What a batch has done so far, carried from chunk to chunk.
struct Batch<'a> {
    batch_id: String,
    now: i64,
    default_source: Option<&'a str>,
    progress: Option<Progress<'a>>,
    received: usize,
    inserted: usize,
    duplicates: usize,
    rejected: usize,
    rejects: Vec<RejectRow>,
    totals: BTreeMap<String, (u64, i64)>,
    /// Billing accounts by id (`None`: no such account), looked up once per batch.
    accounts: HashMap<String, Option<AccountInfo>>,
    /// Calling number → the billing account of the active number, once per number.
    by_number: HashMap<String, Option<String>>,
    /// Lines rated so far (the progress figure).
    done: usize,
}

impl Batch<'_> {
    fn reject(
        &mut self,
        out: &mut Vec<RejectRow>,
        line: usize,
        source: &str,
        r: Refusal,
        raw: &str,
    ) {
        let row = RejectRow {
            id: new_id("rej"),
            batch_id: self.batch_id.clone(),
            at: self.now,
            source: source.into(),
            line: line as i64,
            code: r.code.into(),
            field: r.field.unwrap_or("line").into(),
            message: r.message,
            raw: raw.into(),
        };
        self.rejected += 1;
        if self.rejects.len() < MAX_INLINE_REJECTS {
            self.rejects.push(row.clone());
        }
        out.push(row);
    }
}

impl App {
    /// The billing accounts these ids name that the batch has not looked up yet, by key
    /// (never a scan of every account).
    async fn load_accounts(&self, b: &mut Batch<'_>, ids: HashSet<String>) -> Result<(), AppError> {
        let new = ids.iter().filter(|i| !b.accounts.contains_key(*i)).count();
        if b.accounts.len() + new > MAX_REMEMBERED_KEYS {
            // Forget before choosing what to load, so this chunk's accounts are all loaded.
            b.accounts.clear();
        }
        let ids: Vec<String> = ids
            .into_iter()
            .filter(|i| !b.accounts.contains_key(i))
            .collect();
        if ids.is_empty() {
            return Ok(());
        }
        for i in &ids {
            b.accounts.insert(i.clone(), None);
        }
        for (row, zone, seconds) in
            tenancy_store::system::billing_accounts_by_ids(&self.store, &ids).await?
        {
            let bundle = zone.filter(|_| seconds > 0).map(|zone| Bundle {
                zone,
                seconds_per_month: seconds as u64,
            });
            b.accounts
                .insert(row.id.clone(), Some(AccountInfo { row, bundle }));
        }
        Ok(())
    }

    /// CDR intake of a whole body held in memory (tests, the demo): as [`App::ingest_stream`].
    pub async fn ingest_cdrs(
        &self,
        actor: &Actor,
        format: CdrFormat,
        body: &[u8],
        default_source: Option<&str>,
        progress: Option<Progress<'_>>,
    ) -> Result<IngestReport, AppError> {
        let reader = std::io::Cursor::new(body.to_vec());
        self.ingest_stream(actor, format, reader, default_source, progress)
            .await
    }

    /// CDR intake from a reader (a file, an HTTP body): validates every line, keeps rejects
    /// with line number and code, skips (source, call_id) already stored, rates the rest in
    /// call order within each chunk, and commits each chunk of [`INTAKE_CHUNK_ROWS`] in its
    /// own transaction as the parser hands it on; memory stays bounded by a few chunks
    /// whatever the size of the body. Re-sending a batch changes nothing, and a resend after
    /// a crash completes it.
    pub async fn ingest_stream<R: Read + Send + 'static>(
        &self,
        actor: &Actor,
        format: CdrFormat,
        reader: R,
        default_source: Option<&str>,
        progress: Option<Progress<'_>>,
    ) -> Result<IngestReport, AppError> {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<ParsedLine>>(1);
        let parser = tokio::task::spawn_blocking(move || {
            parse_stream(format, reader, INTAKE_CHUNK_ROWS, |c| {
                tx.blocking_send(c).is_ok()
            })
        });
        let mut b = self.new_batch(default_source, progress);
        let mut failed = None;
        while let Some(chunk) = rx.recv().await {
            if let Err(e) = self.ingest_chunk(actor, &mut b, chunk).await {
                failed = Some(stored_before(e, &b));
                break;
            }
        }
        // Dropping the receiver stops a parser still reading (after a failed chunk).
        drop(rx);
        let parsed = parser
            .await
            .map_err(|e| AppError::Internal(format!("CDR parser: {e}")))?;
        if let Some(e) = failed {
            return Err(e);
        }
        parsed.map_err(|e| stored_before(e, &b))?;
        self.finish_batch(actor, b).await
    }

    /// Intake of lines already split (the guard hands finished calls in here).
    pub async fn ingest_lines(
        &self,
        actor: &Actor,
        lines: Vec<ParsedLine>,
        default_source: Option<&str>,
        progress: Option<Progress<'_>>,
    ) -> Result<IngestReport, AppError> {
        let mut b = self.new_batch(default_source, progress);
        let mut lines = lines.into_iter().peekable();
        while lines.peek().is_some() {
            let chunk: Vec<ParsedLine> = lines.by_ref().take(INTAKE_CHUNK_ROWS).collect();
            self.ingest_chunk(actor, &mut b, chunk)
                .await
                .map_err(|e| stored_before(e, &b))?;
        }
        self.finish_batch(actor, b).await
    }

    fn new_batch<'a>(
        &self,
        default_source: Option<&'a str>,
        progress: Option<Progress<'a>>,
    ) -> Batch<'a> {
        Batch {
            batch_id: new_id("bat"),
            now: self.now(),
            default_source,
            progress,
            received: 0,
            inserted: 0,
            duplicates: 0,
            rejected: 0,
            rejects: Vec::new(),
            totals: BTreeMap::new(),
            accounts: HashMap::new(),
            by_number: HashMap::new(),
            done: 0,
        }
    }

    /// The report (and the audit entry of a batch with no line).
    async fn finish_batch(&self, actor: &Actor, b: Batch<'_>) -> Result<IngestReport, AppError> {
        self.metrics.ingested(b.inserted, b.duplicates, b.rejected);
        // Each chunk's audit entry carries the batch's figures so far, so the last one is the
        // batch's summary; only a batch with no line at all gets an entry of its own (one
        // transaction less per batch: intake speed, issue 11 #6).
        if b.received == 0 {
            let mut tx = self.store.begin().await?;
            let detail = json!({"batch_id": b.batch_id, "received": 0, "inserted": 0});
            audit::append(
                &mut tx,
                &audit_row(actor, b.now, "cdrs.ingest.chunk", &b.batch_id, detail),
            )
            .await?;
            tollgate_store::commit(tx).await?;
        }
        if let Some(p) = b.progress {
            p(b.done, b.done);
        }
        Ok(IngestReport {
            batch_id: b.batch_id,
            received: b.received,
            inserted: b.inserted,
            duplicates: b.duplicates,
            rejected: b.rejected,
            rejects: b.rejects,
            totals: b.totals,
        })
    }

    /// One chunk: resolve accounts, validate, rate in call order and commit, with the
    /// chunk's rejects, in one transaction.
    async fn ingest_chunk(
        &self,
        actor: &Actor,
        b: &mut Batch<'_>,
        mut lines: Vec<ParsedLine>,
    ) -> Result<(), AppError> {
        let chunk_lines = lines.len();
        b.received += lines.len();
        // A line without a billing account resolves through the number that placed the call
        // (an active number of the inventory), looked up once per number per batch.
        for (_, parsed, _) in lines.iter_mut() {
            let Ok(r) = parsed else { continue };
            if r.billing_account
                .as_deref()
                .is_some_and(|a| !a.trim().is_empty())
            {
                continue;
            }
            let Some(from) = r
                .from
                .as_deref()
                .and_then(|f| e164::normalize(f, "from").ok())
            else {
                continue;
            };
            if !b.by_number.contains_key(&from) {
                if b.by_number.len() >= MAX_REMEMBERED_KEYS {
                    b.by_number.clear();
                }
                let n = tollgate_store::numbers::system::find_by_e164(&self.store, &from).await?;
                b.by_number
                    .insert(from.clone(), n.and_then(|n| n.billing_account_id));
            }
            r.billing_account = b.by_number[&from].clone();
        }
        let named: HashSet<String> = lines
            .iter()
            .filter_map(|(_, p, _)| p.as_ref().ok()?.billing_account.as_deref())
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect();
        self.load_accounts(b, named).await?;
        let mut rejects: Vec<RejectRow> = Vec::new();
        let mut valid: Vec<(usize, Cdr, String)> = Vec::new();
        let mut seen: HashSet<(String, String)> = HashSet::new();
        for (line, parsed, raw) in lines {
            let src = b.default_source.unwrap_or("");
            match parsed.and_then(|r| cdr::validate(&r, b.default_source, b.now)) {
                Err(r) => b.reject(&mut rejects, line, src, r, &raw),
                Ok(c) if !matches!(b.accounts.get(&c.billing_account), Some(Some(_))) => {
                    let msg = format!("no billing account `{}`", c.billing_account);
                    let r = Refusal::invalid("account_unknown", "billing_account", msg);
                    b.reject(&mut rejects, line, &c.source, r, &raw)
                }
                Ok(c) => {
                    if seen.insert((c.source.clone(), c.call_id.clone())) {
                        valid.push((line, c, raw));
                    } else {
                        b.duplicates += 1;
                    }
                }
            }
        }
        // Call order within the chunk: bundles are consumed by start time within each
        // account. Chunks are taken in the order they arrive, as batches are.
        valid.sort_by(|x, y| {
            (&x.1.billing_account, x.1.start, x.0).cmp(&(&y.1.billing_account, y.1.start, y.0))
        });
        let mut tx = self.store.begin().await?;
        let mut by_source: HashMap<&str, Vec<&str>> = HashMap::new();
        for (_, c, _) in &valid {
            by_source
                .entry(c.source.as_str())
                .or_default()
                .push(c.call_id.as_str());
        }
        let mut stored: HashSet<(String, String)> = HashSet::new();
        for (src, ids) in by_source {
            for id in rating_store::existing_call_ids(&mut tx, src, &ids).await? {
                stored.insert((src.to_string(), id));
            }
        }
        // B4: included minutes are read locked per chunk, consumed in call order and written
        // back as a delta in the same transaction (no concurrent over-grant).
        let mut usage: HashMap<(String, i32), BundleUsage> = HashMap::new();
        let mut usage_base: HashMap<(String, i32), u64> = HashMap::new();
        let mut rows = Vec::with_capacity(valid.len());
        let mut totals: BTreeMap<String, (u64, i64)> = BTreeMap::new();
        for (line, c, raw) in valid {
            if let Some(p) = b.progress {
                if b.done.is_multiple_of(50_000) {
                    p(b.done, 0);
                }
            }
            b.done += 1;
            if stored.contains(&(c.source.clone(), c.call_id.clone())) {
                b.duplicates += 1;
                continue;
            }
            let Some(Some(acct)) = b.accounts.get(&c.billing_account) else {
                continue;
            };
            let mut row = cdr_row(&c, acct, b.now);
            if c.is_billable() {
                let Some(table) = acct
                    .row
                    .rate_table
                    .as_deref()
                    .and_then(|t| self.rates.get(t))
                else {
                    let msg = format!(
                        "billing account `{}` has no rate table loaded",
                        c.billing_account
                    );
                    let r = Refusal::new("rate_table_missing", tollgate_core::rules::B4, msg)
                        .on_field("billing_account");
                    b.reject(&mut rejects, line, &c.source, r, &raw);
                    continue;
                };
                // The row first: a call the account cannot be billed for (no rate, another
                // currency) is rejected before it consumes included minutes.
                let Some(rate_row) = table.lookup(&c.to, c.start) else {
                    let msg = format!("no rate for +{} valid at the call's start", c.to);
                    let r =
                        Refusal::new("no_rate_found", tollgate_core::rules::B4, msg).on_field("to");
                    b.reject(&mut rejects, line, &c.source, r, &raw);
                    continue;
                };
                if rate_row.currency.as_str() != acct.row.currency {
                    let msg = format!(
                        "the rate is in {} but the account bills in {}",
                        rate_row.currency, acct.row.currency
                    );
                    let r = Refusal::new("currency_mismatch", tollgate_core::rules::B1, msg)
                        .on_field("billing_account");
                    b.reject(&mut rejects, line, &c.source, r, &raw);
                    continue;
                }
                let month = time::month_index(c.start);
                let key = (c.billing_account.clone(), month);
                if acct.bundle.is_some() && !usage.contains_key(&key) {
                    let used =
                        rating_store::bundle_used(&mut tx, &c.billing_account, i64::from(month))
                            .await?;
                    usage_base.insert(key.clone(), used as u64);
                    usage.insert(
                        key.clone(),
                        BundleUsage {
                            month,
                            used_s: used as u64,
                        },
                    );
                }
                let r = rate_with_row(
                    rate_row,
                    c.start,
                    c.duration_s,
                    acct.bundle.as_ref(),
                    usage.get_mut(&key),
                );
                row.prefix = Some(r.row.prefix.clone());
                row.destination = Some(r.row.destination.clone());
                row.rate_micros = r.row.rate_per_min_micros;
                row.billed_s = i64::from(r.billed_s);
                row.bundle_s = i64::from(r.bundle_s);
                row.amount_micros = r.amount_micros;
                row.rate_version = Some(i64::from(r.row.version));
            }
            add_total(&mut totals, &row)?;
            rows.push(row);
        }
        let n = rating_store::insert_cdrs(&mut tx, &rows).await? as usize;
        if n != rows.len() {
            // Another writer stored some of these between our check and insert: refuse this
            // chunk rather than count a bundle twice; a resend is then idempotent.
            return Err(AppError::Conflict {
                code: "concurrent_intake",
                message:
                    "another batch stored some of these CDRs at the same time; resend the batch"
                        .into(),
            });
        }
        for ((acct, month), u) in &usage {
            let delta = u.used_s - usage_base[&(acct.clone(), *month)];
            if delta > 0 {
                rating_store::add_bundle_used(&mut tx, acct, i64::from(*month), delta as i64)
                    .await?;
            }
        }
        rating_store::insert_rejects(&mut tx, &rejects).await?;
        // Every chunk is audited with what it stored, so CDRs stored by a batch that then
        // failed (a conflict, a body cut off) are on the audit log under the batch's id.
        let detail = json!({"batch_id": b.batch_id, "chunk_lines": chunk_lines, "inserted": n, "inserted_so_far": b.inserted + n, "received_so_far": b.received, "rejected_so_far": b.rejected, "duplicates_so_far": b.duplicates});
        audit::append(
            &mut tx,
            &audit_row(actor, b.now, "cdrs.ingest.chunk", &b.batch_id, detail),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        b.inserted += n;
        for (cur, (calls, micros)) in totals {
            let t = b.totals.entry(cur).or_default();
            t.0 += calls;
            t.1 = t.1.checked_add(micros).ok_or_else(overflow)?;
        }
        Ok(())
    }
}

/// An error after some chunks were stored says so, with the batch id (the audit log has
/// the chunks under it); a resend is idempotent and completes the batch.
fn stored_before(e: AppError, b: &Batch<'_>) -> AppError {
    if b.received == 0 {
        return e;
    }
    let note = format!(
        " (batch {}: {} CDRs of {} lines read were stored before this; a resend stores the rest and nothing twice)",
        b.batch_id, b.inserted, b.received
    );
    match e {
        AppError::Invalid {
            code,
            message,
            fields,
        } => AppError::Invalid {
            code,
            message: message + &note,
            fields,
        },
        AppError::Conflict { code, message } => AppError::Conflict {
            code,
            message: message + &note,
        },
        AppError::Internal(m) => AppError::Internal(m + &note),
        other => other,
    }
}

fn overflow() -> AppError {
    AppError::Internal("batch total overflows 64 bits".into())
}

fn add_total(totals: &mut BTreeMap<String, (u64, i64)>, row: &CdrRow) -> Result<(), AppError> {
    let t = totals.entry(row.currency.clone()).or_default();
    t.0 += 1;
    t.1 = t.1.checked_add(row.amount_micros).ok_or_else(overflow)?;
    Ok(())
}

/// The stored row of a validated CDR, unrated (rating fills the price columns).
fn cdr_row(c: &Cdr, acct: &AccountInfo, now: i64) -> CdrRow {
    CdrRow {
        id: new_id("cdr"),
        source: c.source.clone(),
        call_id: c.call_id.clone(),
        billing_account_id: c.billing_account.clone(),
        customer_id: acct.row.customer_id.clone(),
        from_number: c.from.clone(),
        to_number: c.to.clone(),
        start_at: c.start,
        answer_at: c.answer,
        end_at: c.end,
        duration_s: i64::from(c.duration_s),
        disposition: c.disposition.as_str().into(),
        direction: c.direction.as_str().into(),
        prefix: None,
        destination: None,
        rate_micros: 0,
        billed_s: 0,
        bundle_s: 0,
        amount_micros: 0,
        currency: acct.row.currency.clone(),
        rate_table: acct.row.rate_table.clone(),
        rate_version: None,
        ingested_at: now,
    }
}
