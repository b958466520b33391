//! Invoice runs over the demo (issue 12): October (the demo's last month at `NOW`, 18
//! November 2026) is invoiced by the demo itself; the tests move the clock to run November.

use std::collections::BTreeMap;

use tollgate_app::billing::InvoiceView;
use tollgate_app::rating::CdrFormat;
use tollgate_app::{Actor, App, Caller, Clock};
use tollgate_store::billing::InvoiceFilter;
use tollgate_store::Page;

const NOW: i64 = 1_795_000_000; // 2026-11-18
const DEC_2: i64 = 1_796_169_600; // 2026-12-02 00:00 UTC
const FEB_2: i64 = 1_801_526_400; // 2027-02-02 00:00 UTC

async fn app() -> App {
    let store = tollgate_store::testing::any().await;
    let app = App::new(store, Clock::fixed(NOW)).unwrap();
    app.start_guard().await.unwrap();
    let dir = std::env::temp_dir().join(format!("tg-bill-{}", tollgate_app::ids::new_id("t")));
    tollgate_app::demo::seed(&app, &dir).await.unwrap();
    app
}

fn sys() -> Caller {
    Caller::system(Actor::cli())
}

async fn invoices(app: &App, period: &str) -> Vec<InvoiceView> {
    let f = InvoiceFilter {
        period: Some(period.into()),
        ..Default::default()
    };
    let rows = app
        .list_invoices(&sys(), &f, &Page::first(500))
        .await
        .unwrap();
    let mut out = Vec::new();
    for r in rows {
        out.push(app.get_invoice(&sys(), &r.id).await.unwrap());
    }
    out
}

fn by_billed<'a>(v: &'a [InvoiceView], name: &str) -> &'a InvoiceView {
    v.iter()
        .find(|i| i.invoice.billed_name.ends_with(name))
        .unwrap_or_else(|| panic!("no invoice to {name}"))
}

async fn assert_ledger_verifies(app: &App) {
    let r = app.verify_ledger().await.unwrap();
    assert!(r.ok(), "ledger verify: {:#?}", r.breaches);
    assert!(r.transactions > 0);
}

#[tokio::test]
async fn b4_a_reseller_chain_produces_exactly_one_wholesale_and_one_retail_invoice_per_period() {
    let app = app().await;
    let oct = invoices(&app, "2026-10").await;
    let count = |level: &str| oct.iter().filter(|i| i.invoice.level == level).count();
    // Five demo billing accounts → five retail invoices; three partners → three wholesale.
    assert_eq!((count("retail"), count("wholesale")), (5, 3));
    // Harbor Logistics buys through Harbor Resell (a reseller): one retail invoice from the
    // reseller, one wholesale invoice from the operator to the reseller, never more.
    let retail = by_billed(&oct, "Harbor Logistics UK");
    assert_eq!(retail.invoice.issuer_name, "Harbor Resell Ltd");
    let wholesale: Vec<_> = oct
        .iter()
        .filter(|i| i.invoice.level == "wholesale" && i.invoice.billed_name == "Harbor Resell Ltd")
        .collect();
    assert_eq!(wholesale.len(), 1);
    assert_eq!(wholesale[0].invoice.issuer_name, "Demo Telecom");
    // A second run of October is a re-run: nothing new.
    let again = app
        .run_billing(&sys(), "2026-10", &mut |_| {})
        .await
        .unwrap();
    assert_eq!((again.issued, again.invoices.len()), (0, 8));
    assert_ledger_verifies(&app).await;
}

#[tokio::test]
async fn b3_a_monthly_licence_starting_on_the_17th_is_prorated_by_days() {
    let app = app().await;
    let oct = invoices(&app, "2026-10").await;
    let branch = by_billed(&oct, "Acme Dental Branch");
    let lic: Vec<_> = branch
        .lines
        .iter()
        .filter(|l| l.revenue == "licence")
        .collect();
    // 17–31 October: 15 of 31 days of 14.50 (Northwind's retail price) = 7.016129 → 7.02;
    // then all of November in advance: 14.50.
    assert_eq!(
        lic.iter()
            .map(|l| (l.exact_micros, l.amount_minor))
            .collect::<Vec<_>>(),
        vec![(7_016_129, 702), (14_500_000, 1_450)]
    );
    assert!(
        lic[0].description.contains("(15/31 days)"),
        "{}",
        lic[0].description
    );
    assert_eq!((lic[0].rule.as_str(), lic[1].rule.as_str()), ("B3", "B3"));
    assert_ledger_verifies(&app).await;
}

#[tokio::test]
async fn b3_an_annual_subscription_is_billed_once_in_advance() {
    let app = app().await;
    let oct = invoices(&app, "2026-10").await;
    let bay = by_billed(&oct, "Bayview Bakery");
    // 5 × UC Business at Bronze Bay's 25.20 a month × 12 = 1,512.00, for the year from
    // 1 October 2026, on the first invoice only.
    let lic: Vec<_> = bay
        .lines
        .iter()
        .filter(|l| l.revenue == "licence")
        .collect();
    assert_eq!(lic.len(), 1);
    assert_eq!(lic[0].amount_minor, 151_200);
    app.clock.set(DEC_2);
    app.run_billing(&sys(), "2026-11", &mut |_| {})
        .await
        .unwrap();
    let nov = invoices(&app, "2026-11").await;
    let bay = by_billed(&nov, "Bayview Bakery");
    assert!(bay.lines.iter().all(|l| l.revenue != "licence"));
    assert_ledger_verifies(&app).await;
}

#[tokio::test]
async fn b4_octobers_calls_are_on_the_october_run_and_a_late_october_call_lands_in_november() {
    let app = app().await;
    let oct = invoices(&app, "2026-10").await;
    let hq = by_billed(&oct, "Acme Dental HQ");
    let calls: i64 = hq
        .lines
        .iter()
        .filter(|l| l.kind == "usage")
        .map(|l| l.quantity)
        .sum();
    // The demo seeds 24 October calls per account; yesterday's (November) calls wait.
    assert_eq!(calls, 24);
    // A call of 30 October arrives after October was invoiced.
    let hq_id = hq.invoice.billing_account_id.clone().unwrap();
    let start = 1_793_350_800; // 2026-10-30 09:00 UTC
    let body = format!(
        "source,call_id,billing_account,from,to,start,end,duration_s,direction\n\
         late,late-1,{hq_id},+33170000001,+33142685300,{start},{},120,outbound\n",
        start + 125
    );
    app.ingest_cdrs(&Actor::cli(), CdrFormat::Csv, body.as_bytes(), None, None)
        .await
        .unwrap();
    // October's invoice is not re-opened.
    assert_eq!(invoices(&app, "2026-10").await[..], oct[..]);
    app.clock.set(DEC_2);
    app.run_billing(&sys(), "2026-11", &mut |_| {})
        .await
        .unwrap();
    let nov = invoices(&app, "2026-11").await;
    let hq = by_billed(&nov, "Acme Dental HQ");
    let late: Vec<_> = hq.lines.iter().filter(|l| l.kind == "late_usage").collect();
    assert_eq!(late.len(), 1, "{:#?}", hq.lines);
    assert_eq!(late[0].quantity, 1);
    assert!(
        late[0].description.contains("2026-10-30"),
        "{}",
        late[0].description
    );
    // The wholesale invoice to Northwind carries it too, as late usage.
    let w = nov
        .iter()
        .find(|i| {
            i.invoice.level == "wholesale" && i.invoice.billed_name == "Northwind Communications"
        })
        .unwrap();
    assert!(w.lines.iter().any(|l| l.kind == "late_usage"));
    assert_ledger_verifies(&app).await;
}

#[tokio::test]
async fn b5_due_date_is_the_invoice_date_plus_the_profiles_days() {
    let app = app().await;
    for i in invoices(&app, "2026-10").await {
        // Invoice date 1 November 2026; every demo profile: 30 days → 1 December 2026.
        assert_eq!(i.invoice.invoice_date, 1_793_491_200);
        assert_eq!(
            i.invoice.due_date,
            1_793_491_200 + 30 * 86_400,
            "{}",
            i.invoice.number
        );
    }
    assert_ledger_verifies(&app).await;
}

#[tokio::test]
async fn b1_b7_taxes_are_exclusive_per_jurisdiction_and_change_on_the_authoritys_date() {
    let app = app().await;
    let oct = invoices(&app, "2026-10").await;
    for i in &oct {
        let lines: i64 = i.lines.iter().map(|l| l.amount_minor).sum();
        let taxes: i64 = i.taxes.iter().map(|t| t.amount_minor).sum();
        assert_eq!(i.invoice.subtotal_minor, lines, "{}", i.invoice.number);
        assert_eq!(i.invoice.total_minor, lines + taxes, "{}", i.invoice.number);
    }
    // Direct Corp (US-NY): the 3.5 % recovery fee in force from 1 November 2026 (the
    // invoice date) is a line, and the sales tax applies to it too.
    let dc = by_billed(&oct, "Direct Corp");
    let fee = dc
        .lines
        .iter()
        .find(|l| l.kind == "fee")
        .expect("recovery fee line");
    assert_eq!(fee.rule, "B7");
    assert_eq!(dc.taxes.len(), 1);
    assert_eq!(dc.taxes[0].jurisdiction, "US-NY");
    assert_eq!(dc.taxes[0].base_minor, dc.invoice.subtotal_minor);
    // Acme (FR): TVA 20 % on the subtotal, half up.
    let hq = by_billed(&oct, "Acme Dental HQ");
    let t = &hq.taxes[0];
    assert_eq!((t.jurisdiction.as_str(), t.rate_ppm), ("FR", 200_000));
    assert_eq!(t.amount_minor, (hq.invoice.subtotal_minor * 2 + 5) / 10);
    assert_ledger_verifies(&app).await;
}

#[tokio::test]
async fn i12_6_a_period_rerun_is_byte_identical() {
    let app = app().await;
    let first = invoices(&app, "2026-10").await;
    let mut docs = BTreeMap::new();
    for i in &first {
        docs.insert(
            i.invoice.id.clone(),
            app.invoice_pdf(&sys(), &i.invoice.id).await.unwrap(),
        );
    }
    let r = app
        .run_billing(&sys(), "2026-10", &mut |_| {})
        .await
        .unwrap();
    assert_eq!(r.issued, 0);
    assert_eq!(invoices(&app, "2026-10").await[..], first[..]);
    for i in &first {
        assert_eq!(
            app.invoice_pdf(&sys(), &i.invoice.id).await.unwrap(),
            docs[&i.invoice.id]
        );
    }
    assert_ledger_verifies(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn b5_invoice_numbers_are_gapless_per_issuer_and_year_and_months_run_one_at_a_time_in_order()
{
    let app = app().await;
    app.clock.set(FEB_2);
    // Three runs of November at once: each either finishes (all with the same invoices) or
    // is refused while another holds the month; none issues anything twice.
    let runs: Vec<_> = (0..3)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move { app.run_billing(&sys(), "2026-11", &mut |_| {}).await })
        })
        .collect();
    let mut finished = Vec::new();
    for r in runs {
        match r.await.unwrap() {
            Ok(o) => finished.push(o.invoices.iter().map(|i| i.id.clone()).collect::<Vec<_>>()),
            Err(tollgate_app::AppError::Conflict { code, .. }) => {
                assert_eq!(code, "run_in_progress")
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    assert!(!finished.is_empty());
    assert!(finished.windows(2).all(|w| w[0] == w[1]));
    // Months in order: after January, a month before it is refused.
    app.run_billing(&sys(), "2026-12", &mut |_| {})
        .await
        .unwrap();
    app.run_billing(&sys(), "2027-01", &mut |_| {})
        .await
        .unwrap();
    let late = app
        .run_billing(&sys(), "2026-09", &mut |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(
            late,
            tollgate_app::AppError::Conflict {
                code: "run_out_of_order",
                ..
            }
        ),
        "{late:?}"
    );
    let all = app
        .list_invoices(&sys(), &InvoiceFilter::default(), &Page::first(500))
        .await
        .unwrap();
    let mut per: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
    for i in &all {
        let mut parts = i.number.rsplitn(3, '-');
        let seq: i64 = parts.next().unwrap().parse().unwrap();
        let year = parts.next().unwrap().to_string();
        per.entry((i.issuer_id.clone(), year))
            .or_default()
            .push(seq);
    }
    assert!(per.len() >= 4, "{per:?}");
    for (k, mut seqs) in per {
        seqs.sort();
        assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "{k:?}");
    }
    assert_ledger_verifies(&app).await;
}

#[tokio::test]
async fn b4_a_run_for_an_unclosed_or_malformed_period_is_refused_and_writes_nothing() {
    let app = app().await;
    for (p, code) in [
        ("2026-11", "period_not_closed"),
        ("2026-13", "period_invalid"),
        ("26-10", "period_invalid"),
    ] {
        let e = app.run_billing(&sys(), p, &mut |_| {}).await.unwrap_err();
        assert_eq!(e.code(), code, "{p}");
    }
    assert!(invoices(&app, "2026-11").await.is_empty());
    assert_ledger_verifies(&app).await;
}

#[tokio::test]
async fn t3_l2_licences_drive_the_guards_concurrent_call_limit() {
    let app = app().await;
    let branch = tollgate_store::testing::texts(
        &app.store,
        "SELECT id FROM billing_accounts WHERE name = 'Acme Dental Branch'",
    )
    .await
    .unwrap()
    .remove(0);
    // One UC Essential licence (1 call).
    assert_eq!(
        tollgate_store::billing::system::licensed_calls(&app.store, &branch, 1_793_491_200)
            .await
            .unwrap(),
        Some(1)
    );
    // L2: notice of non-renewal on 17 November (30 days before the term ends on 17 December):
    // from 17 December the licence carries no call; the day before it still does.
    app.clock.set(NOW - 86_400);
    let lic = app
        .list_subscriptions(&sys(), Some(&branch), &Page::first(50))
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.kind == "licence")
        .unwrap();
    let s = app.give_non_renewal(&sys(), &lic.id, None).await.unwrap();
    const DEC_17: i64 = 1_797_465_600; // 2026-12-17 00:00 UTC
    assert_eq!(s.ends_on, Some(DEC_17));
    let calls = |day| tollgate_store::billing::system::licensed_calls(&app.store, &branch, day);
    assert_eq!(calls(DEC_17 - 86_400).await.unwrap(), Some(1));
    assert_eq!(calls(DEC_17).await.unwrap(), Some(0));
    assert_ledger_verifies(&app).await;
}

/// The unsent C2 notices to `recipient`, their bodies.
async fn renewal_notices(app: &App, recipient: &str) -> Vec<String> {
    tollgate_store::outbox::system::pending_for(&app.store, recipient)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.rule == "C2" && m.subject.contains("Acme Dental Branch"))
        .map(|m| m.body)
        .collect()
}

#[tokio::test]
async fn c2_a_renewal_notice_goes_to_the_customer_before_each_renewal_once() {
    let app = app().await;
    // The October run (dated 2026-11-01, the next run 2026-12-01) announces the Branch's
    // monthly licence (from 17 October) renewing on 17 November (notice due 18 October,
    // already late) and on 17 December (due 17 November, before the next run), not 17 January
    // (due 18 December: the December run's).
    let oct = renewal_notices(&app, "admin@acme-dental.test").await;
    assert_eq!(oct.len(), 1, "{oct:#?}");
    assert!(oct[0].contains("renews on 2026-11-17"), "{}", oct[0]);
    assert!(
        oct[0].contains("renews on 2026-12-17; notice of non-renewal by 2026-11-17"),
        "{}",
        oct[0]
    );
    assert!(!oct[0].contains("2027-01-17"), "{}", oct[0]);
    assert!(oct[0].contains("(C2, W 2.2)"), "{}", oct[0]);
    // A rerun of October sends nothing again.
    app.run_billing(&sys(), "2026-10", &mut |_| {})
        .await
        .unwrap();
    assert_eq!(
        renewal_notices(&app, "admin@acme-dental.test").await.len(),
        1
    );
    // The November run announces 17 January only.
    app.clock.set(DEC_2);
    app.run_billing(&sys(), "2026-11", &mut |_| {})
        .await
        .unwrap();
    let all = renewal_notices(&app, "admin@acme-dental.test").await;
    assert_eq!(all.len(), 2);
    let nov = all.iter().find(|b| !oct.contains(b)).unwrap();
    assert!(nov.contains("renews on 2027-01-17"), "{nov}");
    assert!(!nov.contains("2026-12-17"), "{nov}");
    assert_ledger_verifies(&app).await;
}

#[tokio::test]
async fn b3_a_quantity_change_is_prorated_by_days_on_the_next_invoice() {
    let app = app().await;
    let oct = invoices(&app, "2026-10").await;
    let branch = by_billed(&oct, "Acme Dental Branch");
    let account = branch.invoice.billing_account_id.clone().unwrap();
    let lic = app
        .list_subscriptions(&sys(), Some(&account), &Page::first(50))
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.kind == "licence")
        .unwrap();
    // 1 → 3 licences on 18 November; November (1 Nov → 1 Dec, 14.50 a licence) was invoiced
    // in advance: the 13 unused days of 30 at 2 more licences = 14.50 × 2 × 13/30
    // = 12.566666.7… → 12.566667, on November's invoice as 12.57; December bills 3 × 14.50.
    let (s, charge) = app.change_quantity(&sys(), &lic.id, 3, None).await.unwrap();
    assert_eq!(s.quantity, 3);
    assert_eq!(charge.unwrap().unit_micros, 12_566_667);
    app.clock.set(DEC_2);
    app.run_billing(&sys(), "2026-11", &mut |_| {})
        .await
        .unwrap();
    let nov = invoices(&app, "2026-11").await;
    let b = by_billed(&nov, "Acme Dental Branch");
    let amounts: Vec<(String, i64)> = b
        .lines
        .iter()
        .filter(|l| l.revenue == "licence" || l.kind == "one_time")
        .map(|l| (l.kind.clone(), l.amount_minor))
        .collect();
    assert!(amounts.contains(&("one_time".into(), 1_257)), "{amounts:?}");
    assert!(
        amounts.contains(&("recurring".into(), 4_350)),
        "{amounts:?}"
    );
    // A quantity of 0 is refused.
    assert_eq!(
        app.change_quantity(&sys(), &lic.id, 0, None)
            .await
            .unwrap_err()
            .code(),
        "quantity_invalid"
    );
    assert_ledger_verifies(&app).await;
}
