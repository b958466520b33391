//! Answers of the billing routes (issue 12): products, price lists and their versions, tax
//! rates, orders and subscriptions, runs, invoices with lines and taxes, the ledger check.
//! Amounts are decimal strings in the currency: invoice amounts to the minor unit, prices to
//! the micro (`0.012345`); days are `YYYY-MM-DD`.

use serde::Serialize;
use tollgate_app::billing::{
    day_text, micros_text, pct_text, InvoiceView, LedgerReport, OrderView, PriceListView,
    RunOutcome,
};
use tollgate_app::records::{
    InvoiceRow, ProductRow, RunRow, SubscriptionPriceRow, SubscriptionRow, TaxRateRow,
};
use tollgate_core::money::{format_minor, Currency};
use utoipa::openapi::schema::ObjectBuilder;
use utoipa::ToSchema;

use crate::extract::ts;

fn cur(code: &str) -> Currency {
    Currency::parse_stored(code).unwrap_or_else(|_| Currency::parse_stored("XXX").expect("XXX"))
}

fn minor(m: i64, c: &str) -> String {
    format_minor(m, cur(c))
}

fn micros(m: i64, c: &str) -> String {
    micros_text(m, cur(c))
}

pub(crate) fn product_kind_schema() -> ObjectBuilder {
    super::strings(
        tollgate_core::billing::catalog::PRODUCT_KINDS
            .iter()
            .map(|k| k.as_str()),
    )
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductOut {
    pub id: String,
    pub code: String,
    pub name: String,
    #[schema(schema_with = product_kind_schema)]
    pub kind: String,
    /// T3: concurrent calls one unit carries.
    pub included_calls: i64,
    pub included_minutes: i64,
    pub included_zone: Option<String>,
}

impl From<ProductRow> for ProductOut {
    fn from(p: ProductRow) -> ProductOut {
        ProductOut {
            id: p.id,
            code: p.code,
            name: p.name,
            kind: p.kind,
            included_calls: p.included_calls,
            included_minutes: p.included_minutes,
            included_zone: p.included_zone,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriceItemOut {
    pub product: String,
    /// Per unit and month (recurring) or per unit (one-time).
    pub unit_price: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TermDiscountOut {
    pub term: String,
    pub discount_bp: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriceVersionOut {
    pub version: i64,
    pub valid_from: String,
    pub usage_discount_bp: i64,
    pub items: Vec<PriceItemOut>,
    pub discounts: Vec<TermDiscountOut>,
    pub created_at: String,
    pub created_by: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriceListOut {
    pub id: String,
    pub name: String,
    /// `wholesale` or `retail`.
    pub level: String,
    pub owner_partner_id: Option<String>,
    pub tier: Option<String>,
    pub currency: String,
    /// Newest first (in a list: none; see the list itself).
    pub versions: Vec<PriceVersionOut>,
}

impl From<tollgate_app::records::PriceListRow> for PriceListOut {
    fn from(l: tollgate_app::records::PriceListRow) -> PriceListOut {
        PriceListOut {
            id: l.id,
            name: l.name,
            level: l.level,
            owner_partner_id: l.owner_partner_id,
            tier: l.tier,
            currency: l.currency,
            versions: Vec::new(),
        }
    }
}

impl From<PriceListView> for PriceListOut {
    fn from(v: PriceListView) -> PriceListOut {
        let c = v.list.currency.clone();
        let mut out = PriceListOut::from(v.list);
        out.versions = v
            .versions
            .into_iter()
            .map(|(ver, items, discounts)| PriceVersionOut {
                version: ver.version,
                valid_from: day_text(ver.valid_from),
                usage_discount_bp: ver.usage_discount_bp,
                items: items
                    .into_iter()
                    .map(|(code, i)| PriceItemOut {
                        product: code,
                        unit_price: micros(i.unit_micros, &c),
                    })
                    .collect(),
                discounts: discounts
                    .into_iter()
                    .map(|d| TermDiscountOut {
                        term: d.term,
                        discount_bp: d.discount_bp,
                    })
                    .collect(),
                created_at: ts(ver.created_at),
                created_by: ver.created_by,
            })
            .collect();
        out
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaxRateOut {
    pub id: String,
    pub jurisdiction: String,
    pub name: String,
    /// `tax` or `fee` (B7).
    pub kind: String,
    pub rate_pct: String,
    pub valid_from: String,
}

impl From<TaxRateRow> for TaxRateOut {
    fn from(t: TaxRateRow) -> TaxRateOut {
        TaxRateOut {
            id: t.id,
            jurisdiction: t.jurisdiction,
            name: t.name,
            kind: t.kind,
            rate_pct: pct_text(t.rate_ppm),
            valid_from: day_text(t.valid_from),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderLineOut {
    pub line_no: i64,
    pub product_id: String,
    pub quantity: i64,
    pub term: String,
    pub frequency: String,
    pub number_id: Option<String>,
    /// The list price, the term discount and the price kept for the subscription.
    pub list_price: String,
    pub discount_bp: i64,
    pub unit_price: String,
    pub price_version_id: String,
    /// What the partner pays the operator for it (operator and partner only).
    pub wholesale_price: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderOut {
    pub id: String,
    pub customer_id: String,
    pub billing_account_id: String,
    pub currency: String,
    /// C1: `draft`, `executed`, `accepted`, `fulfilled` or `cancelled`.
    pub state: String,
    pub start_date: String,
    pub created_at: String,
    pub executed_at: Option<String>,
    pub accepted_at: Option<String>,
    /// `explicit` or `work_started` (C1).
    pub accepted_how: Option<String>,
    pub fulfilled_at: Option<String>,
    pub lines: Vec<OrderLineOut>,
}

impl OrderOut {
    /// `wholesale` says whether the caller may see wholesale prices.
    pub fn new(v: OrderView, wholesale: bool) -> OrderOut {
        let o = v.order;
        let c = o.currency.clone();
        OrderOut {
            lines: v
                .lines
                .into_iter()
                .map(|l| OrderLineOut {
                    line_no: l.line_no,
                    product_id: l.product_id,
                    quantity: l.quantity,
                    term: l.term,
                    frequency: l.frequency,
                    number_id: l.number_id,
                    list_price: micros(l.list_micros, &c),
                    discount_bp: l.discount_bp,
                    unit_price: micros(l.unit_micros, &c),
                    price_version_id: l.price_version_id,
                    wholesale_price: l
                        .wholesale_micros
                        .filter(|_| wholesale)
                        .map(|w| micros(w, &c)),
                })
                .collect(),
            id: o.id,
            customer_id: o.customer_id,
            billing_account_id: o.billing_account_id,
            currency: o.currency,
            state: o.state,
            start_date: day_text(o.start_date),
            created_at: ts(o.created_at),
            executed_at: o.executed_at.map(ts),
            accepted_at: o.accepted_at.map(ts),
            accepted_how: o.accepted_how,
            fulfilled_at: o.fulfilled_at.map(ts),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriceChangeOut {
    pub id: String,
    pub unit_price: String,
    pub effective_from: String,
    pub noticed_on: String,
    /// C3 (`wildix-*`): the customer may withdraw until this day.
    pub withdraw_until: Option<String>,
}

impl PriceChangeOut {
    pub fn new(p: SubscriptionPriceRow, currency: &str) -> PriceChangeOut {
        PriceChangeOut {
            id: p.id,
            unit_price: micros(p.unit_micros, currency),
            effective_from: day_text(p.effective_from),
            noticed_on: day_text(p.noticed_on),
            withdraw_until: p.withdraw_until.map(day_text),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionOut {
    pub id: String,
    pub customer_id: String,
    pub billing_account_id: String,
    pub product_id: String,
    #[schema(schema_with = product_kind_schema)]
    pub kind: String,
    pub description: String,
    pub quantity: i64,
    pub term: String,
    pub frequency: String,
    pub currency: String,
    pub unit_price: String,
    /// T3: concurrent calls per unit.
    pub included_calls: i64,
    pub start_date: String,
    /// B2/E4: the first charged day (none while a number awaits activation).
    pub charges_from: Option<String>,
    pub number_id: Option<String>,
    pub state: String,
    /// C2: the last day in service after a notice of non-renewal.
    pub ends_on: Option<String>,
    pub billed_until: Option<String>,
    pub price_changes: Vec<PriceChangeOut>,
}

impl SubscriptionOut {
    pub fn new(s: SubscriptionRow, changes: Vec<SubscriptionPriceRow>) -> SubscriptionOut {
        let c = s.currency.clone();
        SubscriptionOut {
            price_changes: changes
                .into_iter()
                .map(|p| PriceChangeOut::new(p, &c))
                .collect(),
            unit_price: micros(s.unit_micros, &c),
            id: s.id,
            customer_id: s.customer_id,
            billing_account_id: s.billing_account_id,
            product_id: s.product_id,
            kind: s.kind,
            description: s.description,
            quantity: s.quantity,
            term: s.term,
            frequency: s.frequency,
            currency: s.currency,
            included_calls: s.included_calls,
            start_date: day_text(s.start_date),
            charges_from: s.charges_from.map(day_text),
            number_id: s.number_id,
            state: s.state,
            ends_on: s.ends_on.map(|e| day_text(e - 86_400)),
            billed_until: s.retail_billed_until.map(|e| day_text(e - 86_400)),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceSummaryOut {
    pub id: String,
    pub number: String,
    /// `wholesale` (operator → partner) or `retail`.
    pub level: String,
    pub issuer_id: String,
    pub issuer_name: String,
    pub billed_name: String,
    pub billing_account_id: Option<String>,
    pub customer_id: Option<String>,
    pub partner_id: Option<String>,
    pub period: String,
    pub invoice_date: String,
    /// B5.
    pub due_date: String,
    pub currency: String,
    pub subtotal: String,
    pub tax_total: String,
    pub total: String,
    pub payment_reference: String,
}

impl From<InvoiceRow> for InvoiceSummaryOut {
    fn from(i: InvoiceRow) -> InvoiceSummaryOut {
        let c = i.currency.clone();
        InvoiceSummaryOut {
            id: i.id,
            number: i.number,
            level: i.level,
            issuer_id: i.issuer_id,
            issuer_name: i.issuer_name,
            billed_name: i.billed_name,
            billing_account_id: i.billing_account_id,
            customer_id: i.customer_id,
            partner_id: i.partner_id,
            period: i.period,
            invoice_date: day_text(i.invoice_date),
            due_date: day_text(i.due_date),
            subtotal: minor(i.subtotal_minor, &c),
            tax_total: minor(i.tax_total_minor, &c),
            total: minor(i.total_minor, &c),
            currency: c,
            payment_reference: i.payment_reference,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceLineOut {
    pub line_no: i64,
    /// `recurring`, `usage`, `late_usage`, `one_time`, `pass_through`, `credit`, `fee`.
    pub kind: String,
    pub description: String,
    pub rule: String,
    pub clause: String,
    pub quantity: i64,
    pub unit_price: String,
    /// Exact, before rounding (micro units).
    pub amount_exact: String,
    /// Rounded half up to the minor unit; the total is the sum of these and the taxes.
    pub amount: String,
    pub service_from: Option<String>,
    /// The last day of service covered.
    pub service_to: Option<String>,
    /// A subscription, a waiting charge, or the calls (`cdrs:<invoice>:<destination>`).
    pub source: String,
    pub taxable: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceTaxOut {
    pub jurisdiction: String,
    pub name: String,
    pub rate_pct: String,
    pub base: String,
    pub amount: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceOut {
    #[serde(flatten)]
    pub summary: InvoiceSummaryOut,
    pub issuer_address: Vec<String>,
    pub billed_address: Vec<String>,
    pub issuer_tax_id: Option<String>,
    pub billed_tax_id: Option<String>,
    pub terms_profile: String,
    pub due_clause: String,
    pub lines: Vec<InvoiceLineOut>,
    pub taxes: Vec<InvoiceTaxOut>,
}

impl From<InvoiceView> for InvoiceOut {
    fn from(v: InvoiceView) -> InvoiceOut {
        let c = v.invoice.currency.clone();
        let i = &v.invoice;
        InvoiceOut {
            issuer_address: i.issuer_address.lines().map(String::from).collect(),
            billed_address: i.billed_address.lines().map(String::from).collect(),
            issuer_tax_id: i.issuer_tax_id.clone(),
            billed_tax_id: i.billed_tax_id.clone(),
            terms_profile: format!("{} v{}", i.profile_id, i.profile_version),
            due_clause: i.due_clause.clone(),
            lines: v
                .lines
                .iter()
                .map(|l| InvoiceLineOut {
                    line_no: l.line_no,
                    kind: l.kind.clone(),
                    description: l.description.clone(),
                    rule: l.rule.clone(),
                    clause: l.clause.clone(),
                    quantity: l.quantity,
                    unit_price: micros(l.unit_micros, &c),
                    amount_exact: micros(l.exact_micros, &c),
                    amount: minor(l.amount_minor, &c),
                    service_from: l.service_from.map(day_text),
                    service_to: l.service_to.map(|t| day_text(t - 86_400)),
                    source: l.source.clone(),
                    taxable: l.taxable != 0,
                })
                .collect(),
            taxes: v
                .taxes
                .iter()
                .map(|t| InvoiceTaxOut {
                    jurisdiction: t.jurisdiction.clone(),
                    name: t.name.clone(),
                    rate_pct: pct_text(t.rate_ppm),
                    base: minor(t.base_minor, &c),
                    amount: minor(t.amount_minor, &c),
                })
                .collect(),
            summary: v.invoice.into(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RunOut {
    pub id: String,
    pub period: String,
    /// `running` or `done`.
    pub state: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// Invoices issued by this request (0 when the period had been run: a re-run).
    pub issued: usize,
    pub calls_invoiced: u64,
    pub invoices: Vec<InvoiceSummaryOut>,
}

impl RunOut {
    pub fn of_run(r: RunRow) -> RunOut {
        RunOut {
            id: r.id,
            period: r.period,
            state: r.state,
            started_at: ts(r.started_at),
            finished_at: r.finished_at.map(ts),
            issued: r.invoices as usize,
            calls_invoiced: 0,
            invoices: Vec::new(),
        }
    }
}

impl From<RunOutcome> for RunOut {
    fn from(o: RunOutcome) -> RunOut {
        RunOut {
            issued: o.issued,
            calls_invoiced: o.calls_invoiced,
            invoices: o.invoices.into_iter().map(Into::into).collect(),
            ..RunOut::of_run(o.run)
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerReportOut {
    /// True when every invariant holds.
    pub ok: bool,
    pub transactions: u64,
    pub balances: usize,
    pub breaches: Vec<String>,
}

impl From<LedgerReport> for LedgerReportOut {
    fn from(r: LedgerReport) -> LedgerReportOut {
        LedgerReportOut {
            ok: r.ok(),
            transactions: r.transactions,
            balances: r.balances,
            breaches: r.breaches,
        }
    }
}
