//! Receivables over the demo (issue 13): the demo invoiced October on 2026-11-01 (due
//! 2026-12-01). Harbor Logistics UK buys from Harbor Resell Ltd under `x-hoppers-2025`
//! (12 % late interest, 30-day dispute window, GBP); Acme Dental under `wildix-2026` (no
//! interest).

use tollgate_app::billing::InvoiceView;
use tollgate_app::receivables::{NewDispute, NewPayment, Resolution};
use tollgate_app::{Actor, App, AppError, Caller, Clock};
use tollgate_store::billing::InvoiceFilter;
use tollgate_store::Page;

const NOW: i64 = 1_795_000_000; // 2026-11-18
const DAY: i64 = 86_400;
const DEC_1: i64 = 1_796_083_200; // 2026-12-01 00:00 UTC
const DEC_2: i64 = DEC_1 + DAY;
const JAN_2: i64 = DEC_2 + 31 * DAY; // 2027-01-02

async fn app() -> App {
    let store = tollgate_store::testing::any().await;
    let app = App::new(store, Clock::fixed(NOW)).unwrap();
    app.start_guard().await.unwrap();
    let dir = std::env::temp_dir().join(format!("tg-rec-{}", tollgate_app::ids::new_id("t")));
    tollgate_app::demo::seed(&app, &dir).await.unwrap();
    app
}

fn sys() -> Caller {
    Caller::system(Actor::cli())
}

async fn invoice(app: &App, period: &str, billed: &str) -> InvoiceView {
    let f = InvoiceFilter {
        period: Some(period.into()),
        level: Some("retail".into()),
        ..Default::default()
    };
    let rows = app
        .list_invoices(&sys(), &f, &Page::first(500))
        .await
        .unwrap();
    let r = rows
        .into_iter()
        .find(|i| i.billed_name.ends_with(billed))
        .unwrap_or_else(|| panic!("no {period} invoice to {billed}"));
    app.get_invoice(&sys(), &r.id).await.unwrap()
}

fn pay(invoice: &str, amount: &str, reference: &str) -> NewPayment {
    NewPayment {
        invoice: invoice.into(),
        to_named_invoice: false,
        amount: amount.into(),
        currency: "GBP".into(),
        received_on: None,
        bank_reference: reference.into(),
        method: None,
    }
}

/// Minor units as the API's text (`1234` → `12.34`).
fn text(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

async fn assert_ledger_verifies(app: &App) {
    let r = app.verify_ledger().await.unwrap();
    assert!(r.ok(), "ledger verify: {:#?}", r.breaches);
}

fn code(e: AppError) -> String {
    match e {
        AppError::Refused(r) => format!("{} {}", r.code, r.rule.map_or("", |r| r.rule)),
        AppError::Invalid { code, .. } | AppError::Conflict { code, .. } => code.to_string(),
        other => format!("{other:?}"),
    }
}

#[tokio::test]
async fn b9_a_payment_is_allocated_and_an_overpayment_becomes_a_credit_on_the_next_invoice() {
    let app = app().await;
    let oct = invoice(&app, "2026-10", "Harbor Logistics UK").await;
    let total = oct.invoice.total_minor;
    // Part payment: the invoice stays open for the rest.
    let p1 = app
        .record_payment(
            &sys(),
            pay(&oct.invoice.payment_reference, "10.00", "BANK-1"),
        )
        .await
        .unwrap();
    assert_eq!(p1.allocations.len(), 1);
    assert_eq!(p1.allocations[0].amount_minor, 1_000);
    // The same bank line again is recognised, not recorded twice.
    let again = app
        .record_payment(&sys(), pay(&oct.invoice.number, "10.00", "BANK-1"))
        .await
        .unwrap();
    assert!(again.duplicate);
    // The rest plus 25.00 more: the invoice is paid, 25.00 is a billing credit.
    let rest = total - 1_000 + 2_500;
    let p2 = app
        .record_payment(&sys(), pay(&oct.invoice.number, &text(rest), "BANK-2"))
        .await
        .unwrap();
    assert_eq!(p2.payment.credit_minor, 2_500);
    assert_eq!(p2.allocations[0].amount_minor, total - 1_000);
    // November's invoice (dated 2026-12-01) uses the credit: 25.00 applied.
    app.clock.set(DEC_2);
    app.run_billing(&sys(), "2026-11", &mut |_| {})
        .await
        .unwrap();
    let nov = invoice(&app, "2026-11", "Harbor Logistics UK").await;
    let account = oct.invoice.billing_account_id.clone().unwrap();
    let credits = app
        .list_billing_credits(&sys(), Some(&account), &Page::first(10))
        .await
        .unwrap();
    assert_eq!(
        credits
            .iter()
            .map(|c| (c.amount_minor, c.remaining_minor))
            .collect::<Vec<_>>(),
        vec![(2_500, 0)],
        "the credit is used by November's invoice"
    );
    let st = app
        .statement(
            &sys(),
            oct.invoice.billing_account_id.as_deref().unwrap(),
            None,
            None,
        )
        .await
        .unwrap();
    // Statement: October's total, two payments (−10.00, −(total − 10.00 + 25.00)), then
    // November's total: closing = November's total − 25.00.
    assert_eq!(st[0].closing_minor, nov.invoice.total_minor - 2_500);
    assert_eq!(
        st[0]
            .lines
            .iter()
            .map(|l| l.kind.as_str())
            .collect::<Vec<_>>(),
        vec!["invoice", "payment", "payment", "invoice"]
    );
    // Bad input: nothing is written.
    for (p, want) in [
        (pay(&oct.invoice.number, "0", "BANK-3"), "amount_invalid"),
        (
            pay(&oct.invoice.number, "-5.00", "BANK-3"),
            "amount_invalid",
        ),
        (
            NewPayment {
                currency: "EUR".into(),
                ..pay(&oct.invoice.number, "5.00", "BANK-3")
            },
            "currency_mismatch",
        ),
        (
            NewPayment {
                to_named_invoice: true,
                ..pay(&oct.invoice.number, "5.00", "BANK-3")
            },
            "invoice_closed",
        ),
    ] {
        assert_eq!(code(app.record_payment(&sys(), p).await.unwrap_err()), want);
    }
    assert_eq!(
        code(
            app.record_payment(&sys(), pay("INV-NOPE", "5.00", "BANK-3"))
                .await
                .unwrap_err()
        ),
        "invoice_unknown"
    );
    assert_ledger_verifies(&app).await;
}

#[tokio::test]
async fn b10_a_declined_payment_reverses_its_allocation_and_tells_the_billing_contact() {
    let app = app().await;
    let oct = invoice(&app, "2026-10", "Harbor Logistics UK").await;
    let total = oct.invoice.total_minor;
    let p = app
        .record_payment(&sys(), pay(&oct.invoice.number, &text(total), "BANK-D"))
        .await
        .unwrap();
    let aged = |rows: Vec<tollgate_app::receivables::AgedRow>| {
        rows.iter()
            .filter(|r| r.billed_name.ends_with("Harbor Logistics UK"))
            .map(|r| r.total_minor)
            .sum::<i64>()
    };
    assert_eq!(aged(app.aged_receivables(&sys()).await.unwrap()), 0);
    let declined = app
        .decline_payment(&sys(), &p.payment.id, "returned: account closed")
        .await
        .unwrap();
    assert_eq!(declined.state, "declined");
    // The invoice is due again in full.
    assert_eq!(aged(app.aged_receivables(&sys()).await.unwrap()), total);
    let mail =
        tollgate_store::outbox::system::pending_for(&app.store, "admin@harbor-logistics.test")
            .await
            .unwrap();
    assert!(
        mail.iter()
            .any(|m| m.rule == "B10" && m.subject.contains("BANK-D")),
        "{mail:#?}"
    );
    // Declined once only.
    assert_eq!(
        code(
            app.decline_payment(&sys(), &p.payment.id, "again")
                .await
                .unwrap_err()
        ),
        "payment_not_received"
    );
    assert_ledger_verifies(&app).await;
}

#[tokio::test]
async fn b6_late_interest_is_on_the_next_invoice_under_x_hoppers_and_never_under_wildix() {
    let app = app().await;
    let oct = invoice(&app, "2026-10", "Harbor Logistics UK").await;
    // Unpaid; November's run (dated 2026-12-01, the due date) charges nothing yet.
    app.clock.set(DEC_2);
    app.run_billing(&sys(), "2026-11", &mut |_| {})
        .await
        .unwrap();
    let nov = invoice(&app, "2026-11", "Harbor Logistics UK").await;
    assert!(nov.lines.iter().all(|l| l.kind != "interest"));
    // December's run (dated 2027-01-01): October's invoice, 31 days (1 Dec → 1 Jan) at 12 % a
    // year, no anniversary before 1 January: total × 1,200 bp × 31 / (10,000 × 365), half up
    // to the micro (then to the penny on the line); November's (due 2026-12-31), 1 day.
    app.clock.set(JAN_2);
    app.run_billing(&sys(), "2026-12", &mut |_| {})
        .await
        .unwrap();
    let dec = invoice(&app, "2026-12", "Harbor Logistics UK").await;
    let interest: Vec<_> = dec.lines.iter().filter(|l| l.kind == "interest").collect();
    assert_eq!(interest.len(), 2, "{:#?}", dec.lines);
    let expect = |total: i64, days: i128| {
        let num = i128::from(total) * 10_000 * 1_200 * days;
        (num + 3_650_000 / 2) / 3_650_000
    };
    assert!(interest[0].description.contains(&oct.invoice.number));
    assert_eq!(
        i128::from(interest[0].exact_micros),
        expect(oct.invoice.total_minor, 31)
    );
    assert!(interest[1].description.contains(&nov.invoice.number));
    assert_eq!(
        i128::from(interest[1].exact_micros),
        expect(nov.invoice.total_minor, 1)
    );
    assert_eq!(
        (interest[0].rule.as_str(), interest[0].clause.as_str()),
        ("B6", "X 3.B")
    );
    assert!(
        interest[0].description.contains("31 day(s) at 12.00 %"),
        "{}",
        interest[0].description
    );
    // Paid in full on 2027-01-05: January's run charges October's interest from 1 to 5
    // January only: 4 days on the total plus the 31 days' interest capitalised on the
    // anniversary (1 January).
    app.clock.set(JAN_2 + 3 * DAY);
    app.record_payment(
        &sys(),
        NewPayment {
            received_on: Some("2027-01-05".into()),
            to_named_invoice: true,
            ..pay(
                &oct.invoice.number,
                &text(oct.invoice.total_minor),
                "BANK-I",
            )
        },
    )
    .await
    .unwrap();
    app.clock.set(JAN_2 + 31 * DAY);
    app.run_billing(&sys(), "2027-01", &mut |_| {})
        .await
        .unwrap();
    let jan = invoice(&app, "2027-01", "Harbor Logistics UK").await;
    let on_oct: Vec<_> = jan
        .lines
        .iter()
        .filter(|l| l.kind == "interest" && l.description.contains(&oct.invoice.number))
        .collect();
    let capitalised = expect(oct.invoice.total_minor, 31);
    let base = i128::from(oct.invoice.total_minor) * 10_000 + capitalised;
    let four_days = (base * 1_200 * 4 + 3_650_000 / 2) / 3_650_000;
    assert_eq!(on_oct.len(), 1, "{:#?}", jan.lines);
    assert_eq!(i128::from(on_oct[0].exact_micros), four_days);
    // Acme Dental (wildix-2026) owes no interest, however late.
    let acme = invoice(&app, "2026-12", "Acme Dental HQ").await;
    assert!(acme.lines.iter().all(|l| l.kind != "interest"));
    assert_ledger_verifies(&app).await;
}

#[tokio::test]
async fn b9_disputes_keep_to_the_window_and_an_upheld_one_is_a_credit_on_the_next_invoice() {
    let app = app().await;
    let oct = invoice(&app, "2026-10", "Harbor Logistics UK").await;
    let line = &oct.lines[0];
    let dispute = |on: &str, amount: &str| NewDispute {
        lines: vec![line.line_no],
        amount: amount.into(),
        reason: "not ordered".into(),
        opened_on: Some(on.into()),
        ticket_ref: None,
    };
    app.clock.set(DEC_2);
    // Invoice dated 2026-11-01, 30-day window: 2026-12-01 is the last day.
    let late = app
        .open_dispute(&sys(), &oct.invoice.id, dispute("2026-12-02", "1.00"))
        .await
        .unwrap_err();
    assert_eq!(code(late), "dispute_late B9");
    let too_much = app
        .open_dispute(
            &sys(),
            &oct.invoice.id,
            dispute("2026-12-01", &text(line.amount_minor + 1)),
        )
        .await
        .unwrap_err();
    assert_eq!(code(too_much), "dispute_exceeds_lines B9");
    let d = app
        .open_dispute(&sys(), &oct.invoice.id, dispute("2026-12-01", "1.00"))
        .await
        .unwrap();
    // Paid in full meanwhile; the dispute is upheld: a credit note of 1.00, a billing credit
    // (nothing is open on the invoice) used by the next invoice.
    app.record_payment(
        &sys(),
        pay(
            &oct.invoice.number,
            &text(oct.invoice.total_minor),
            "BANK-U",
        ),
    )
    .await
    .unwrap();
    let (resolved, note) = app
        .resolve_dispute(
            &sys(),
            &d.id,
            Resolution {
                upheld: "1.00".into(),
                note: "agreed".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(resolved.state, "upheld");
    let note = note.unwrap();
    assert!(note.number.starts_with("HARB-CN-2026-"), "{}", note.number);
    app.run_billing(&sys(), "2026-11", &mut |_| {})
        .await
        .unwrap();
    let nov = invoice(&app, "2026-11", "Harbor Logistics UK").await;
    let st = app
        .statement(
            &sys(),
            oct.invoice.billing_account_id.as_deref().unwrap(),
            None,
            None,
        )
        .await
        .unwrap();
    // The credit note gives back 1.00 and its 20 % GB VAT (the line was taxed): 1.20. Owed
    // after November: its total less that credit.
    assert_eq!(note.amount_minor, 120);
    assert_eq!(st[0].closing_minor, nov.invoice.total_minor - 120);
    assert!(st[0]
        .lines
        .iter()
        .any(|l| l.kind == "credit_note" && l.amount_minor == -120));
    // Resolved once.
    let again = app
        .resolve_dispute(
            &sys(),
            &d.id,
            Resolution {
                upheld: "0".into(),
                note: "no".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(code(again), "dispute_resolved");
    assert_ledger_verifies(&app).await;
}

#[tokio::test]
async fn b9_a_rejected_dispute_is_due_thirty_days_after_the_resolution() {
    let app = app().await;
    let oct = invoice(&app, "2026-10", "Harbor Logistics UK").await;
    app.clock.set(DEC_1);
    let d = app
        .open_dispute(
            &sys(),
            &oct.invoice.number,
            NewDispute {
                lines: vec![oct.lines[0].line_no],
                amount: "1.00".into(),
                reason: "wrong price".into(),
                opened_on: None,
                ticket_ref: Some("T-42".into()),
            },
        )
        .await
        .unwrap();
    app.clock.set(DEC_2);
    let (r, note) = app
        .resolve_dispute(
            &sys(),
            &d.id,
            Resolution {
                upheld: "0".into(),
                note: "price as agreed".into(),
            },
        )
        .await
        .unwrap();
    // Rejected on 2026-12-02: due on 2027-01-01.
    assert_eq!((r.state.as_str(), note.is_none()), ("rejected", true));
    assert_eq!(r.due_on, Some(1_798_761_600)); // 2027-01-01 00:00 UTC
    assert_ledger_verifies(&app).await;
}

#[tokio::test]
async fn the_demos_statements_and_aged_receivables_add_up_to_the_ledger() {
    let app = app().await;
    let aged = app.aged_receivables(&sys()).await.unwrap();
    assert!(!aged.is_empty());
    for row in aged.iter().filter(|r| r.billed_id.starts_with("ba_")) {
        // Each party's open invoices = its statement's closing balance (read from the ledger).
        let st = app
            .statement(&sys(), &row.billed_id, None, None)
            .await
            .unwrap();
        assert_eq!(st[0].closing_minor, row.total_minor, "{}", row.billed_name);
        assert_eq!(
            row.buckets.iter().map(|b| b.minor).sum::<i64>(),
            row.total_minor
        );
    }
    // On 2026-11-18 October's invoices (due 2026-12-01) are all current.
    assert!(aged.iter().all(|r| r.buckets[0].minor == r.total_minor));
    // On 2027-01-02 they are 32 days past due: 31-60.
    app.clock.set(JAN_2);
    let later = app.aged_receivables(&sys()).await.unwrap();
    assert!(later.iter().all(|r| r.buckets[2].minor == r.total_minor));
}

#[tokio::test]
async fn c4_a_cancellation_on_day_20_refunds_the_unused_days_and_one_on_day_35_is_refused() {
    use tollgate_app::billing::{NewOrder, NewOrderLine};
    let app = app().await;
    let account = invoice(&app, "2026-10", "Harbor Logistics UK")
        .await
        .invoice
        .billing_account_id
        .unwrap();
    // An annual licence billed annually in advance, effective 2026-11-12.
    let order = app
        .create_order(
            &sys(),
            NewOrder {
                billing_account_id: account.clone(),
                currency: "GBP".into(),
                start_date: Some("2026-11-12".into()),
                lines: vec![
                    NewOrderLine {
                        product: "UC-BUSINESS".into(),
                        quantity: 1,
                        term: "annual".into(),
                        frequency: Some("annual".into()),
                        number: None,
                    },
                    NewOrderLine {
                        product: "SMS-200".into(),
                        quantity: 1,
                        term: "monthly".into(),
                        frequency: None,
                        number: None,
                    },
                ],
            },
        )
        .await
        .unwrap();
    app.order_event(&sys(), &order.order.id, "execute")
        .await
        .unwrap();
    app.order_event(&sys(), &order.order.id, "fulfil")
        .await
        .unwrap();
    app.clock.set(DEC_2);
    app.run_billing(&sys(), "2026-11", &mut |_| {})
        .await
        .unwrap();
    let nov = invoice(&app, "2026-11", "Harbor Logistics UK").await;
    let subs = app
        .list_subscriptions(&sys(), Some(&account), &Page::first(50))
        .await
        .unwrap();
    let sub = subs.iter().find(|s| s.term == "annual").unwrap();
    let year = nov
        .lines
        .iter()
        .find(|l| l.source == sub.id)
        .expect("the year billed in advance");
    // Notice on 2026-12-01, day 20 of the purchase (12 November is day 1): fees stop that day;
    // 1 December 2026 → 12 November 2027 is 346 of the year's 365 days:
    // refund = year × 346 / 365, half up to the micro, then to the penny, plus its 20 % GB VAT
    // (the tax paid on the unused part) likewise.
    let c = app
        .cancel_subscription(&sys(), &sub.id, Some("2026-12-01"))
        .await
        .unwrap();
    let exact = (i128::from(year.exact_micros) * 346 * 2 + 365) / (365 * 2);
    let vat = (exact * 200_000 + 500_000) / 1_000_000;
    assert_eq!(
        i128::from(c.refund_minor),
        (exact + 5_000) / 10_000 + (vat + 5_000) / 10_000
    );
    assert_eq!(c.subscription.ends_on, Some(DEC_1));
    // The refund is a billing credit: December's invoice uses it.
    let credits = app
        .list_billing_credits(&sys(), Some(&account), &Page::first(10))
        .await
        .unwrap();
    assert_eq!(
        credits.iter().map(|c| c.amount_minor).sum::<i64>(),
        c.refund_minor
    );
    // Another purchase, effective 2026-11-12 too: on 2026-12-16 (day 35) it is final.
    app.clock.set(DEC_1 + 15 * DAY);
    let other = subs
        .iter()
        .find(|s| s.id != sub.id && s.start_date == sub.start_date)
        .unwrap();
    let e = app
        .cancel_subscription(&sys(), &other.id, None)
        .await
        .unwrap_err();
    assert_eq!(code(e), "cancellation_too_late C4");
    assert_ledger_verifies(&app).await;
}

#[tokio::test]
async fn dunning_reminds_at_its_days_suspends_outbound_calls_past_the_threshold_and_lifts_when_paid(
) {
    use tollgate_core::receivables::dunning::DunningPolicy;
    let app = app().await;
    let oct = invoice(&app, "2026-10", "Harbor Logistics UK").await;
    let account = oct.invoice.billing_account_id.clone().unwrap();
    app.set_dunning_policy(
        &sys(),
        Some(&oct.invoice.issuer_id),
        DunningPolicy::new(vec![7, 14], Some(20), 100).unwrap(),
    )
    .await
    .unwrap();
    let reminders = || async {
        tollgate_store::outbox::system::pending_for(&app.store, "admin@harbor-logistics.test")
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.rule == "B5")
            .count()
    };
    // Due 2026-12-01; on 2026-12-09 (8 days late): the 7-day reminder, once.
    app.clock.set(DEC_1 + 8 * DAY);
    // (Every overdue invoice of the demo gets its reminders: the other issuers' default
    // policy is 7, 14 and 30 days, without suspension.)
    let r = app.dunning_sweep().await.unwrap();
    assert_eq!(r.suspensions, 0);
    assert_eq!(reminders().await, 1);
    assert_eq!(app.dunning_sweep().await.unwrap().reminders, 0);
    assert_eq!(reminders().await, 1);
    // On 2026-12-22 (21 days late): the 14-day reminder and the suspension of outbound calls.
    app.clock.set(DEC_1 + 21 * DAY);
    let r = app.dunning_sweep().await.unwrap();
    assert_eq!(r.suspensions, 1);
    assert_eq!(reminders().await, 2);
    let active = tollgate_store::guard::system::active_suspensions(&app.store, &account, app.now())
        .await
        .unwrap();
    assert_eq!(active.len(), 1, "{active:#?}");
    assert_eq!(
        (active[0].scope.as_str(), active[0].rule.as_str()),
        ("outbound", "F4")
    );
    // Paid: the next sweep lifts it.
    app.record_payment(
        &sys(),
        pay(
            &oct.invoice.number,
            &text(oct.invoice.total_minor),
            "BANK-DUN",
        ),
    )
    .await
    .unwrap();
    let r = app.dunning_sweep().await.unwrap();
    assert_eq!(r.lifted, 1);
    let active = tollgate_store::guard::system::active_suspensions(&app.store, &account, app.now())
        .await
        .unwrap();
    assert!(active.is_empty(), "{active:#?}");
    assert_ledger_verifies(&app).await;
}

#[tokio::test]
async fn c5_termination_for_the_providers_breach_refunds_credits_and_for_the_customers_charges_the_term(
) {
    let app = app().await;
    let harbor = invoice(&app, "2026-10", "Harbor Logistics UK").await;
    let account = harbor.invoice.billing_account_id.clone().unwrap();
    // An overpayment of 20.00 leaves a credit; the customer terminates for the provider's
    // breach on 2026-11-18: its subscriptions end, the prepaid unused part of November
    // (18 November → 1 December: 13 of 30 days) is credited and every credit refunded.
    app.record_payment(
        &sys(),
        pay(
            &harbor.invoice.number,
            &text(harbor.invoice.total_minor + 2_000),
            "BANK-T",
        ),
    )
    .await
    .unwrap();
    let customer = tollgate_app::Caller {
        scope: tollgate_core::tenancy::Scope::Customer(harbor.invoice.customer_id.clone().unwrap()),
        ..sys()
    };
    let wrong = app
        .terminate_account(&sys(), &account, "provider_breach")
        .await
        .unwrap_err();
    assert!(matches!(wrong, AppError::Forbidden(_)), "{wrong:?}");
    let active = app
        .list_subscriptions(&sys(), Some(&account), &Page::first(50))
        .await
        .unwrap()
        .iter()
        .filter(|s| s.state == "active")
        .count();
    let t = app
        .terminate_account(&customer, &account, "provider_breach")
        .await
        .unwrap();
    assert_eq!(t.subscriptions_ended, active);
    // Every period billed in advance beyond 18 November, each × its unused days / its days
    // (November: 13 of 30), half up to the micro, summed, then to the penny; and the 20 % GB
    // VAT paid on each of those parts (taxed lines), likewise.
    let nov_18 = DEC_1 - 13 * DAY;
    let parts: Vec<(i128, bool)> = harbor
        .lines
        .iter()
        .filter(|l| l.kind == "recurring" && l.service_to.is_some_and(|t| t > nov_18))
        .map(|l| {
            let (from, to) = (l.service_from.unwrap(), l.service_to.unwrap());
            let (unused, days) = (
                i128::from((to - from.max(nov_18)) / DAY),
                i128::from((to - from) / DAY),
            );
            (
                (i128::from(l.exact_micros) * unused * 2 + days) / (days * 2),
                l.taxable != 0,
            )
        })
        .collect();
    let net: i128 = parts.iter().map(|p| p.0).sum();
    let vat: i128 = parts
        .iter()
        .filter(|p| p.1)
        .map(|p| (p.0 * 200_000 + 500_000) / 1_000_000)
        .sum();
    assert_eq!(
        i128::from(t.credited_minor),
        (net + 5_000) / 10_000 + (vat + 5_000) / 10_000
    );
    assert_eq!(t.refunded_minor, 2_000 + t.credited_minor);
    let left = app
        .list_billing_credits(&sys(), Some(&account), &Page::first(10))
        .await
        .unwrap();
    assert!(left.iter().all(|c| c.remaining_minor == 0));
    // Bayview Bakery (annual, prepaid to 1 October 2027) terminated by the provider for the
    // customer's breach: nothing refunded; the term was billed to its end, so no remainder.
    let bay = invoice(&app, "2026-10", "Bayview Bakery").await;
    let t = app
        .terminate_account(
            &sys(),
            bay.invoice.billing_account_id.as_deref().unwrap(),
            "customer_breach",
        )
        .await
        .unwrap();
    assert_eq!((t.credited_minor, t.refunded_minor), (0, 0));
    assert!(t.subscriptions_ended >= 1);
    assert_ledger_verifies(&app).await;
}

#[tokio::test]
async fn b6_a_jurisdictions_legal_maximum_caps_the_rate() {
    let app = app().await;
    // Harbor Logistics UK is billed in GB; a cap of 6 % a year from 2026-01-01 halves the
    // profile's 12 %: October's 31 days of interest = total × 600 bp × 31 / (10,000 × 365).
    assert_eq!(
        app.set_interest_cap(&sys(), "GB", "6", "2026-01-01")
            .await
            .unwrap(),
        600
    );
    let oct = invoice(&app, "2026-10", "Harbor Logistics UK").await;
    app.clock.set(DEC_2);
    app.run_billing(&sys(), "2026-11", &mut |_| {})
        .await
        .unwrap();
    app.clock.set(JAN_2);
    app.run_billing(&sys(), "2026-12", &mut |_| {})
        .await
        .unwrap();
    let dec = invoice(&app, "2026-12", "Harbor Logistics UK").await;
    let line = dec
        .lines
        .iter()
        .find(|l| l.kind == "interest" && l.description.contains(&oct.invoice.number))
        .unwrap();
    let num = i128::from(oct.invoice.total_minor) * 10_000 * 600 * 31;
    assert_eq!(
        i128::from(line.exact_micros),
        (num + 3_650_000 / 2) / 3_650_000
    );
    assert!(
        line.description.contains("at 6.00 %"),
        "{}",
        line.description
    );
    assert!(app
        .set_interest_cap(&sys(), "gb", "6", "2026-01-01")
        .await
        .is_err());
    assert_ledger_verifies(&app).await;
}
