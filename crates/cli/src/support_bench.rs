//! `tollgate bench support` (issue 16, performance): suggestions while typing over a generated
//! knowledge base (p50/p99 per keystroke, against a linear scan of every article as the
//! baseline in the same run), and tickets opened per second on SQLite through the use case
//! (eligibility, clock, audit) against bare inserts of the same rows.

use std::time::Instant;

use tollgate_app::support::suggest::Index;
use tollgate_app::support::NewTicket;
use tollgate_app::{App, Clock};
use tollgate_store::support::ArticleRow;

use crate::progress::Progress;
use crate::Fail;

/// Queries typed, each keystroke a search.
pub const QUERIES: usize = 200;
/// Words in the generated vocabulary.
const VOCABULARY: usize = 20_000;
/// Words per generated article body.
const BODY_WORDS: usize = 120;

/// A small deterministic generator (xorshift), so every run indexes the same articles.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Word ranks skewed to the frequent ones, as in real text.
    fn word(&mut self) -> usize {
        let a = (self.next() % VOCABULARY as u64) as usize;
        let b = (self.next() % VOCABULARY as u64) as usize;
        a.min(b).min((self.next() % VOCABULARY as u64) as usize)
    }
}

fn word(rank: usize) -> String {
    // Pronounceable, distinct: syllables from the rank's digits in base 20.
    const SYL: [&str; 20] = [
        "ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "vu", "we", "ba", "de", "fo", "gu", "ha",
        "ji", "ko", "le", "mo", "ne",
    ];
    let mut n = rank + 20;
    let mut w = String::new();
    while n > 0 {
        w.push_str(SYL[n % 20]);
        n /= 20;
    }
    w
}

fn articles(n: usize, rng: &mut Rng) -> Vec<ArticleRow> {
    (0..n)
        .map(|i| {
            let title: Vec<String> = (0..5).map(|_| word(rng.word())).collect();
            let body: Vec<String> = (0..BODY_WORDS).map(|_| word(rng.word())).collect();
            ArticleRow {
                id: format!("kb_{i}"),
                slug: format!("article-{i}"),
                title: title.join(" "),
                topic: "technical".into(),
                tags: String::new(),
                body: body.join(" "),
                updated_at: 0,
            }
        })
        .collect()
}

fn pct(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 - 1.0) * q).round() as usize]
}

pub async fn run(articles_n: usize, tickets: usize) -> Result<(), Fail> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    println!("== suggestions while typing: {articles_n} generated articles, {QUERIES} queries typed a key at a time");
    let docs = articles(articles_n, &mut rng);
    let t0 = Instant::now();
    let idx = Index::build(&docs);
    println!("index built in {:.2} s", t0.elapsed().as_secs_f64());
    let queries: Vec<String> = (0..QUERIES)
        .map(|_| {
            (0..3)
                .map(|_| word(rng.word()))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let mut lat = Vec::new();
    let mut found = 0usize;
    for q in &queries {
        for end in 1..=q.len() {
            let t = Instant::now();
            let s = idx.search(&q[..end], None, 5);
            lat.push(t.elapsed().as_secs_f64() * 1e3);
            found += usize::from(!s.is_empty());
        }
    }
    let keys = lat.len();
    let (p50, p99) = (pct(&mut lat, 0.5), pct(&mut lat, 0.99));
    println!("index: {keys} keystrokes, p50 {p50:.3} ms, p99 {p99:.3} ms ({found} with suggestions); target p99 <= 20 ms");
    // Baseline: every article scanned for the query's words on each keystroke (what a
    // `LIKE '%word%'` over the table does), on a sample of the keystrokes.
    let sample: Vec<&str> = queries.iter().take(5).map(String::as_str).collect();
    let mut base = Vec::new();
    for q in &sample {
        let t = Instant::now();
        let words: Vec<&str> = q.split(' ').collect();
        let hits = docs
            .iter()
            .filter(|d| {
                words
                    .iter()
                    .all(|w| d.title.contains(w) || d.body.contains(w))
            })
            .count();
        base.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(hits);
    }
    println!(
        "baseline (scan of every article per keystroke): p50 {:.1} ms over {} queries",
        pct(&mut base, 0.5),
        sample.len()
    );

    println!("\n== tickets opened per second (SQLite, a fresh database with the demo)");
    let dir = std::env::temp_dir().join(format!("tg-bench-support-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| Fail(1, e.to_string()))?;
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.display());
    let store = tollgate_store::Store::open(&url).await?;
    let app = App::new(store, Clock::System)?;
    app.start_guard().await?;
    tollgate_app::demo::seed(&app, &dir).await?;
    let gold = app_caller(&app, "admin@northwind.test").await?;
    let progress = Progress::new("tickets");
    let t0 = Instant::now();
    for i in 0..tickets {
        app.create_ticket(
            &gold,
            NewTicket {
                kind: "customer_care".into(),
                topic: Some("orders".into()),
                subject: format!("Order question {i}"),
                message: "Where is my order?".into(),
                channel: "api".into(),
                ..NewTicket::default()
            },
        )
        .await?;
        progress.update(i + 1, tickets);
    }
    progress.finish(tickets);
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "use case: {tickets} tickets in {secs:.2} s = {:.0} tickets/s (eligibility, clock, ticket, message, audit: one transaction each); target >= 1,000/s",
        tickets as f64 / secs
    );
    let rows = app
        .tickets(&gold, None, false, &tollgate_store::Page::first(1))
        .await?;
    let template = rows
        .into_iter()
        .next()
        .ok_or_else(|| Fail(1, "no ticket".into()))?;
    let t0 = Instant::now();
    for i in 0..tickets {
        let mut tx = app.store.begin().await?;
        let mut r = template.clone();
        r.id = format!("tkt_bench_{i}");
        r.reference = format!("TKT-B{i:06}");
        r.insert(&mut tx).await?;
        tollgate_store::commit(tx).await?;
    }
    let base = t0.elapsed().as_secs_f64();
    println!(
        "baseline (the bare ticket insert, one transaction each): {:.0} rows/s",
        tickets as f64 / base
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

async fn app_caller(app: &App, email: &str) -> Result<tollgate_app::Caller, Fail> {
    let u = app
        .user_by_email(
            &tollgate_app::Caller::system(tollgate_app::Actor::cli()),
            email,
        )
        .await?;
    let principal = tollgate_app::Principal {
        user_id: u.id.clone(),
        email: u.email.clone(),
        role: tollgate_core::tenancy::Role::parse(&u.role).ok_or_else(|| Fail(1, "role".into()))?,
        partner_id: u.partner_id.clone(),
        customer_id: u.customer_id.clone(),
        credential_id: "bench".into(),
    };
    Ok(tollgate_app::Caller {
        scope: app.scope_of(&principal).await?,
        principal,
        actor: tollgate_app::Actor::cli(),
    })
}
