//! CDR intake: parsing, validation, rating and storage in chunks; CDR and reject lists.

use super::*;

/// The outcome of an intake batch.
#[derive(Debug, Clone)]
pub struct IngestReport {
    pub batch_id: String,
    pub received: usize,
    pub inserted: usize,
    pub duplicates: usize,
    pub rejected: usize,
    pub rejects: Vec<RejectRow>,
    /// Currency → (calls, exact micro amount) of the CDRs inserted now.
    pub totals: BTreeMap<String, (u64, i64)>,
}

/// One input line: `(line number, parsed raw CDR or refusal, raw text)`.
pub type ParsedLine = (usize, Result<RawCdr, Refusal>, String);

/// The formats `POST /v1/cdrs` and `tollgate cdrs import` take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CdrFormat {
    Json,
    Ndjson,
    Csv,
}

const CDR_FIELDS: &[&str] = &[
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

/// Splits a body into `(line number, parsed raw CDR or refusal, raw text)`.
pub fn parse_cdrs(format: CdrFormat, body: &[u8]) -> Result<Vec<ParsedLine>, AppError> {
    let mut out = Vec::new();
    match format {
        CdrFormat::Json => {
            let arr: Vec<serde_json::Value> = serde_json::from_slice(body).map_err(|e| {
                AppError::invalid(
                    "json_invalid",
                    "body",
                    format!("expected a JSON array of CDR objects: {e}"),
                )
            })?;
            for (i, v) in arr.iter().enumerate() {
                out.push((i + 1, json_line(v), clip(&v.to_string())));
            }
        }
        CdrFormat::Ndjson => {
            for (i, line) in body.split(|b| *b == b'\n').enumerate() {
                let text = String::from_utf8_lossy(line);
                if text.trim().is_empty() {
                    continue;
                }
                let parsed = serde_json::from_str::<serde_json::Value>(&text)
                    .map_err(|e| Refusal::invalid("json_invalid", "line", e.to_string()))
                    .and_then(|v| json_line(&v));
                out.push((i + 1, parsed, clip(&text)));
            }
        }
        CdrFormat::Csv => {
            let mut rdr = csv::ReaderBuilder::new()
                .trim(csv::Trim::All)
                .flexible(true)
                .from_reader(body);
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
            let mut rec = csv::StringRecord::new();
            loop {
                match rdr.read_record(&mut rec) {
                    Ok(false) => break,
                    Ok(true) => {
                        let line = rec.position().map_or(0, |p| p.line() as usize);
                        let raw = raw_from_map(|k| {
                            headers
                                .iter()
                                .position(|h| h == k)
                                .and_then(|i| rec.get(i))
                                .map(str::to_string)
                        });
                        let parsed = if rec.len() != headers.len() {
                            Err(Refusal::invalid(
                                "csv_invalid",
                                "line",
                                format!("{} fields, the header has {}", rec.len(), headers.len()),
                            ))
                        } else {
                            Ok(raw)
                        };
                        out.push((
                            line,
                            parsed,
                            clip(&rec.iter().collect::<Vec<_>>().join(",")),
                        ));
                    }
                    Err(e) => {
                        let line = e.position().map_or(0, |p| p.line() as usize);
                        out.push((
                            line,
                            Err(Refusal::invalid("csv_invalid", "line", e.to_string())),
                            String::new(),
                        ));
                        break;
                    }
                }
            }
        }
    }
    if out.len() > MAX_CDRS_PER_BATCH {
        return Err(AppError::invalid(
            "batch_too_large",
            "body",
            format!("at most {MAX_CDRS_PER_BATCH} CDRs per batch; split the file"),
        ));
    }
    Ok(out)
}

struct AccountInfo {
    row: BillingAccountRow,
    bundle: Option<Bundle>,
}

impl App {
    /// The billing accounts these ids name, by key (never a scan of every account).
    async fn accounts_by_id(
        &self,
        ids: &HashSet<String>,
    ) -> Result<HashMap<String, AccountInfo>, AppError> {
        let ids: Vec<String> = ids.iter().cloned().collect();
        Ok(st::billing_accounts_by_ids(&self.store, &ids)
            .await?
            .into_iter()
            .map(|(row, zone, seconds)| {
                let bundle = zone.filter(|_| seconds > 0).map(|zone| Bundle {
                    zone,
                    seconds_per_month: seconds as u64,
                });
                (row.id.clone(), AccountInfo { row, bundle })
            })
            .collect())
    }

    /// CDR intake: validates every line, keeps rejects with line number and code, skips
    /// (source, call_id) already stored, rates the rest in call order and stores all of it in
    /// one transaction. Re-sending a batch changes nothing.
    pub async fn ingest_cdrs(
        &self,
        actor: &Actor,
        format: CdrFormat,
        body: &[u8],
        default_source: Option<&str>,
        progress: Option<Progress<'_>>,
    ) -> Result<IngestReport, AppError> {
        let lines = parse_cdrs(format, body)?;
        self.ingest_lines(actor, lines, default_source, progress)
            .await
    }

    /// Intake of lines already split (the guard hands finished calls in here).
    pub async fn ingest_lines(
        &self,
        actor: &Actor,
        lines: Vec<ParsedLine>,
        default_source: Option<&str>,
        progress: Option<Progress<'_>>,
    ) -> Result<IngestReport, AppError> {
        let now = self.now();
        let batch_id = new_id("bat");
        let received = lines.len();
        let mut rejects: Vec<RejectRow> = Vec::new();
        let reject =
            |rejects: &mut Vec<RejectRow>, line: usize, source: &str, r: Refusal, raw: &str| {
                rejects.push(RejectRow {
                    id: new_id("rej"),
                    batch_id: batch_id.clone(),
                    at: now,
                    source: source.into(),
                    line: line as i64,
                    code: r.code.into(),
                    field: r.field.unwrap_or("line").into(),
                    message: r.message,
                    raw: raw.into(),
                })
            };
        // A line without a billing account resolves through the number that placed the call
        // (an active number of the inventory), looked up once per number per batch.
        let mut lines = lines;
        let mut by_number: HashMap<String, Option<String>> = HashMap::new();
        for (_, parsed, _) in lines.iter_mut() {
            let Ok(r) = parsed else { continue };
            if r.billing_account
                .as_deref()
                .is_some_and(|b| !b.trim().is_empty())
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
            if !by_number.contains_key(&from) {
                let n = tollgate_store::numbers::find_by_e164(&self.store, &from).await?;
                by_number.insert(from.clone(), n.and_then(|n| n.billing_account_id));
            }
            r.billing_account = by_number[&from].clone();
        }
        let named: HashSet<String> = lines
            .iter()
            .filter_map(|(_, p, _)| p.as_ref().ok()?.billing_account.as_deref())
            .map(|b| b.trim().to_string())
            .filter(|b| !b.is_empty())
            .collect();
        let accounts = self.accounts_by_id(&named).await?;
        let mut valid: Vec<(usize, Cdr, String)> = Vec::new();
        let mut seen: HashSet<(String, String)> = HashSet::new();
        let mut duplicates = 0usize;
        for (line, parsed, raw) in lines {
            let src = default_source.unwrap_or("");
            match parsed.and_then(|r| cdr::validate(&r, default_source, now)) {
                Err(r) => reject(&mut rejects, line, src, r, &raw),
                Ok(c) if !accounts.contains_key(&c.billing_account) => {
                    let msg = format!("no billing account `{}`", c.billing_account);
                    reject(
                        &mut rejects,
                        line,
                        &c.source,
                        Refusal::invalid("account_unknown", "billing_account", msg),
                        &raw,
                    )
                }
                Ok(c) => {
                    if seen.insert((c.source.clone(), c.call_id.clone())) {
                        valid.push((line, c, raw));
                    } else {
                        duplicates += 1;
                    }
                }
            }
        }
        // Call order: bundles are consumed by start time within each account.
        valid.sort_by(|a, b| {
            (&a.1.billing_account, a.1.start, a.0).cmp(&(&b.1.billing_account, b.1.start, b.0))
        });
        // Committed in chunks of INTAKE_CHUNK_ROWS, each its own transaction, so other
        // writers (the guard's queue, suspensions, logins) interleave within milliseconds of
        // a huge batch. Idempotency makes a resend after a crash or a conflict complete the
        // batch without doubling anything.
        let total = valid.len();
        let mut totals: BTreeMap<String, (u64, i64)> = BTreeMap::new();
        let mut inserted = 0usize;
        let mut rejects_written = 0usize;
        let mut done = 0usize;
        let mut chunks = valid.into_iter().peekable();
        loop {
            let chunk: Vec<(usize, Cdr, String)> =
                chunks.by_ref().take(INTAKE_CHUNK_ROWS).collect();
            let last = chunks.peek().is_none();
            let mut tx = self.store.begin().await?;
            let mut by_source: HashMap<&str, Vec<&str>> = HashMap::new();
            for (_, c, _) in &chunk {
                by_source
                    .entry(c.source.as_str())
                    .or_default()
                    .push(c.call_id.as_str());
            }
            let mut stored: HashSet<(String, String)> = HashSet::new();
            for (src, ids) in by_source {
                for id in sr::existing_call_ids(&mut tx, src, &ids).await? {
                    stored.insert((src.to_string(), id));
                }
            }
            // B4: included minutes are read locked per chunk, consumed in call order and
            // written back as a delta in the same transaction (no concurrent over-grant).
            let mut usage: HashMap<(String, i32), BundleUsage> = HashMap::new();
            let mut usage_base: HashMap<(String, i32), u64> = HashMap::new();
            let mut rows = Vec::with_capacity(chunk.len());
            for (line, c, raw) in chunk {
                if let Some(p) = progress {
                    if done.is_multiple_of(50_000) {
                        p(done, total);
                    }
                }
                done += 1;
                if stored.contains(&(c.source.clone(), c.call_id.clone())) {
                    duplicates += 1;
                    continue;
                }
                let acct = &accounts[&c.billing_account];
                let currency = acct.row.currency.clone();
                let mut row = CdrRow {
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
                    currency,
                    rate_table: acct.row.rate_table.clone(),
                    rate_version: None,
                    ingested_at: now,
                };
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
                        reject(
                            &mut rejects,
                            line,
                            &c.source,
                            Refusal::new("rate_table_missing", tollgate_core::rules::B4, msg)
                                .on_field("billing_account"),
                            &raw,
                        );
                        continue;
                    };
                    // The row first: a call the account cannot be billed for (no rate,
                    // another currency) is rejected before it consumes included minutes.
                    let Some(rate_row) = table.lookup(&c.to, c.start) else {
                        let msg = format!("no rate for +{} valid at the call's start", c.to);
                        reject(
                            &mut rejects,
                            line,
                            &c.source,
                            Refusal::new("no_rate_found", tollgate_core::rules::B4, msg)
                                .on_field("to"),
                            &raw,
                        );
                        continue;
                    };
                    if rate_row.currency.as_str() != acct.row.currency {
                        let msg = format!(
                            "the rate is in {} but the account bills in {}",
                            rate_row.currency, acct.row.currency
                        );
                        reject(
                            &mut rejects,
                            line,
                            &c.source,
                            Refusal::new("currency_mismatch", tollgate_core::rules::B1, msg)
                                .on_field("billing_account"),
                            &raw,
                        );
                        continue;
                    }
                    let month = time::month_index(c.start);
                    let key = (c.billing_account.clone(), month);
                    if acct.bundle.is_some() && !usage.contains_key(&key) {
                        let used =
                            sr::bundle_used(&mut tx, &c.billing_account, i64::from(month)).await?;
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
                let t = totals.entry(row.currency.clone()).or_default();
                t.0 += 1;
                t.1 = t
                    .1
                    .checked_add(row.amount_micros)
                    .ok_or_else(|| AppError::Internal("batch total overflows 64 bits".into()))?;
                rows.push(row);
            }
            let n = sr::insert_cdrs(&mut tx, &rows).await? as usize;
            if n != rows.len() {
                // Another writer stored some of these between our check and insert: refuse
                // this chunk rather than count a bundle twice; a resend is then idempotent.
                return Err(AppError::Conflict {
                    code: "concurrent_intake",
                    message: format!(
                        "another batch stored some of these CDRs at the same time; {inserted} were stored before it; resend the batch"
                    ),
                });
            }
            inserted += n;
            for ((acct, month), u) in &usage {
                let delta = u.used_s - usage_base[&(acct.clone(), *month)];
                if delta > 0 {
                    sr::add_bundle_used(&mut tx, acct, i64::from(*month), delta as i64).await?;
                }
            }
            sr::insert_rejects(&mut tx, &rejects[rejects_written..]).await?;
            rejects_written = rejects.len();
            if last {
                audit::append(
                    &mut tx,
                    &audit_row(actor, now, "cdrs.ingest", &batch_id, json!({"received": received, "inserted": inserted, "duplicates": duplicates, "rejected": rejects.len()})),
                )
                .await?;
            }
            tollgate_store::commit(tx).await?;
            if last {
                break;
            }
        }
        if let Some(p) = progress {
            p(total, total);
        }
        let rejected = rejects.len();
        rejects.truncate(MAX_INLINE_REJECTS);
        Ok(IngestReport {
            batch_id,
            received,
            inserted,
            duplicates,
            rejected,
            rejects,
            totals,
        })
    }

    /// T12: the caller's calls in full detail, scoped by tenancy.
    pub async fn list_cdrs(
        &self,
        caller: &Caller,
        account: Option<&str>,
        from: Option<i64>,
        to: Option<i64>,
        page: &Page,
    ) -> Result<Vec<CdrRow>, AppError> {
        if let Some(a) = account {
            st::get_billing_account(&self.store, ScopeFilter(&caller.scope), a)
                .await
                .map_err(|_| AppError::NotFound("billing account"))?;
        }
        Ok(sr::list_cdrs(
            &self.store,
            ScopeFilter(&caller.scope),
            account,
            from,
            to,
            page,
        )
        .await?)
    }

    pub async fn list_rejects(&self, page: &Page) -> Result<Vec<RejectRow>, AppError> {
        Ok(sr::list_rejects(&self.store, page).await?)
    }
}
