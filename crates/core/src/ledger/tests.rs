use super::*;

fn acct(kind: AccountKind, cur: &str) -> LedgerAccount {
    LedgerAccount {
        issuer: "op".into(),
        counterparty: "ptn_1".into(),
        kind,
        currency: Currency::parse(cur).unwrap(),
    }
}

fn e(kind: AccountKind, side: Side, minor: i64) -> Entry {
    Entry {
        account: acct(kind, "EUR"),
        side,
        minor,
    }
}

/// An invoice of 100.00 licence + 20.00 tax: receivable 120.00 against revenue and tax.
fn invoice() -> Vec<Entry> {
    vec![
        e(AccountKind::Receivable, Side::Debit, 12_000),
        e(AccountKind::Revenue("licence".into()), Side::Credit, 10_000),
        e(AccountKind::TaxPayable("FR".into()), Side::Credit, 2_000),
    ]
}

#[test]
fn money_decision_a_transaction_balances_or_is_not_built() {
    let t = Transaction::new(invoice()).unwrap();
    assert_eq!(t.total(), 12_000);
    let mut short = invoice();
    short[0].minor = 11_999;
    assert_eq!(
        Transaction::new(short).unwrap_err().code,
        "ledger_unbalanced"
    );
    let mut mixed = invoice();
    mixed[2].account.currency = Currency::parse("GBP").unwrap();
    assert_eq!(
        Transaction::new(mixed).unwrap_err().code,
        "ledger_currency_mixed"
    );
    let mut negative = invoice();
    negative[1].minor = -10_000;
    assert_eq!(
        Transaction::new(negative).unwrap_err().code,
        "ledger_amount_invalid"
    );
    assert_eq!(Transaction::new(vec![]).unwrap_err().code, "ledger_empty");
    let huge = vec![
        e(AccountKind::Receivable, Side::Debit, i64::MAX),
        e(AccountKind::Receivable, Side::Debit, 1),
        e(AccountKind::Cash, Side::Credit, 1),
    ];
    assert_eq!(
        Transaction::new(huge).unwrap_err().code,
        "ledger_amount_invalid"
    );
}

#[test]
fn money_decision_account_kinds_read_back_their_stored_names() {
    for k in [
        AccountKind::Receivable,
        AccountKind::Revenue("usage".into()),
        AccountKind::TaxPayable("GB".into()),
        AccountKind::PassThroughPayable,
        AccountKind::CustomerCredit,
        AccountKind::Cash,
        AccountKind::RefundsPayable,
        AccountKind::WholesaleCost,
    ] {
        assert_eq!(AccountKind::parse(&k.name()), Some(k));
    }
    assert_eq!(AccountKind::parse("revenue:"), None);
    assert_eq!(AccountKind::parse("bogus"), None);
}

#[test]
fn ledger_verify_finds_an_unbalanced_transaction_and_a_drifted_balance() {
    let good = invoice();
    // Payment of 120.00: cash up, receivable down.
    let paid = vec![
        e(AccountKind::Cash, Side::Debit, 12_000),
        e(AccountKind::Receivable, Side::Credit, 12_000),
    ];
    let balances = vec![
        StoredBalance {
            account: acct(AccountKind::Receivable, "EUR"),
            minor: 0,
        },
        StoredBalance {
            account: acct(AccountKind::Cash, "EUR"),
            minor: 12_000,
        },
        StoredBalance {
            account: acct(AccountKind::Revenue("licence".into()), "EUR"),
            minor: 10_000,
        },
    ];
    let txs = [("tx1", good.as_slice()), ("tx2", paid.as_slice())];
    assert_eq!(verify(txs, &balances), vec![]);
    // Tampered: the payment's credit lost a cent, and revenue's stored balance drifted.
    let mut bad = paid.clone();
    bad[1].minor = 11_999;
    let mut drifted = balances.clone();
    drifted[2].minor = 10_001;
    let found = verify(
        [("tx1", good.as_slice()), ("tx2", bad.as_slice())],
        &drifted,
    );
    assert_eq!(
        found,
        vec![
            Breach::Unbalanced {
                transaction: "tx2".into(),
                debits: 12_000,
                credits: 11_999
            },
            // receivable: +12,000 (invoice) - 11,999 (payment) = 1 ≠ stored 0
            Breach::BalanceDrift {
                account: acct(AccountKind::Receivable, "EUR"),
                stored: 0,
                from_entries: 1
            },
            Breach::BalanceDrift {
                account: acct(AccountKind::Revenue("licence".into()), "EUR"),
                stored: 10_001,
                from_entries: 10_000
            },
        ]
    );
}
