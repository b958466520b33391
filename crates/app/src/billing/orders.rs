//! Orders (C1): drafted for a customer with lines priced from the lists in force (kept on the
//! line), executed by the customer, accepted by the provider explicitly or by starting the
//! work, fulfilled into subscriptions (B2, E4) and one-time charges. Subscriptions: notice of
//! non-renewal (C2) and price changes (C3) under the agreement's terms profile.

use jiff::civil::Date;
use serde_json::json;
use tollgate_core::billing::catalog::{discounted_micros, Frequency, ProductKind, Term};
use tollgate_core::billing::contract::{
    charges_start, check_non_renewal, check_price_change, term_end_on,
};
use tollgate_core::money::{parse_scaled, Currency, MICRO_DIGITS};
use tollgate_core::terms::TermsProfile;
use tollgate_core::time::{date_of, parse_day};
use tollgate_core::{rules, Refusal};
use tollgate_store::billing::{
    self as billing_store, OrderLineRow, OrderRow, PendingChargeRow, SubscriptionPriceRow,
    SubscriptionRow,
};
use tollgate_store::{
    audit, numbers as numbers_store, tenancy as tenancy_store, Page, ScopeFilter,
};

use super::{day, RETAIL, WHOLESALE};
use crate::access::audit_row;
use crate::ids::new_id;
use crate::{App, AppError, Caller};

/// Most lines on one order.
pub const MAX_ORDER_LINES: usize = 200;
/// How many days back the provider may record a notice that arrived earlier (C2, C3).
pub const MAX_NOTICE_BACKDATE_DAYS: i64 = 7;
/// Largest quantity on one order line.
pub const MAX_LINE_QUANTITY: i64 = 100_000;

#[derive(Debug, Clone)]
pub struct NewOrderLine {
    /// Product code or id.
    pub product: String,
    pub quantity: i64,
    pub term: String,
    pub frequency: Option<String>,
    /// Number products: the number (id or E.164 digits) this line bills.
    pub number: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewOrder {
    pub billing_account_id: String,
    pub currency: String,
    /// `YYYY-MM-DD`; today when absent.
    pub start_date: Option<String>,
    pub lines: Vec<NewOrderLine>,
}

/// An order with its lines.
#[derive(Debug, Clone)]
pub struct OrderView {
    pub order: OrderRow,
    pub lines: Vec<OrderLineRow>,
}

/// A price list's key: level, owner partner, tier, currency.
type ListKey<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a str);

struct Priced {
    list_micros: i64,
    discount_bp: i64,
    unit_micros: i64,
    version_id: String,
}

/// The day a written notice arrived (C2, C4): today when absent; the provider may record one
/// that came in the last [`MAX_NOTICE_BACKDATE_DAYS`] days, a customer only today's.
pub(crate) fn notice_day(
    caller: &Caller,
    given: Option<&str>,
    today: Date,
    field: &'static str,
) -> Result<Date, AppError> {
    let day = match given {
        Some(r) => parse_day(r, field)?,
        None => return Ok(today),
    };
    let earliest = today - jiff::Span::new().days(MAX_NOTICE_BACKDATE_DAYS);
    let customer = matches!(caller.scope, tollgate_core::tenancy::Scope::Customer(_));
    if day > today || day < earliest || (customer && day != today) {
        return Err(AppError::invalid(
            "received_on_invalid",
            field,
            format!(
                "a notice is recorded on the day it arrived: today, or (by the provider) at most \
                 {MAX_NOTICE_BACKDATE_DAYS} days ago"
            ),
        ));
    }
    Ok(day)
}

impl App {
    /// Prices `product` for `term` from the list `(level, owner, tier, currency)` in force on
    /// `on`; `no_price_in_force` naming the field otherwise.
    async fn price_from_list(
        &self,
        (level, owner, tier, currency): ListKey<'_>,
        product_id: &str,
        term: Term,
        on: i64,
        field: &str,
    ) -> Result<Priced, AppError> {
        let none = || {
            AppError::invalid(
                "no_price_in_force",
                field,
                format!("no {level} price in {currency} is in force for this product"),
            )
        };
        let list =
            billing_store::system::find_price_list(&self.store, level, owner, tier, currency)
                .await?
                .ok_or_else(none)?;
        let (v, items, discounts) =
            billing_store::system::version_in_force(&self.store, &list.id, on)
                .await?
                .ok_or_else(none)?;
        let item = items
            .iter()
            .find(|i| i.product_id == product_id)
            .ok_or_else(none)?;
        let discount_bp = discounts
            .iter()
            .find(|d| d.term == term.as_str())
            .map_or(0, |d| d.discount_bp);
        Ok(Priced {
            list_micros: item.unit_micros,
            discount_bp,
            unit_micros: discounted_micros(item.unit_micros, discount_bp)?,
            version_id: v.id,
        })
    }

    /// C1: a draft order, each line priced from the lists in force today (retail from the
    /// customer's partner or the operator; wholesale from the operator's list for the
    /// partner's tier). B1: the currency is the order's, and a fixed-currency profile's.
    pub async fn create_order(&self, caller: &Caller, o: NewOrder) -> Result<OrderView, AppError> {
        let scope = ScopeFilter::of(&caller.scope);
        let account = tenancy_store::get_billing_account(&self.store, scope, &o.billing_account_id)
            .await
            .map_err(|_| AppError::NotFound("billing account"))?;
        let customer =
            tenancy_store::get_customer(&self.store, scope, &account.customer_id).await?;
        let cur = Currency::parse(&o.currency)
            .map_err(|m| AppError::invalid("currency_invalid", "currency", m))?;
        if let Some(p) = self.profile_of_customer(&customer.id).await? {
            if let Some(fixed) = p.billing.currency.as_deref().filter(|f| *f != cur.as_str()) {
                return Err(Refusal::new(
                    "currency_not_allowed",
                    rules::B1,
                    format!(
                        "terms {} bill in {fixed} only ({})",
                        p.id,
                        p.clause_for(rules::B1)
                    ),
                )
                .on_field("currency")
                .into());
            }
        }
        if account.currency != cur.as_str() {
            return Err(AppError::invalid(
                "currency_mismatch",
                "currency",
                format!("the billing account is kept in {}", account.currency),
            ));
        }
        if o.lines.is_empty() || o.lines.len() > MAX_ORDER_LINES {
            return Err(AppError::invalid(
                "lines_invalid",
                "lines",
                format!("1 to {MAX_ORDER_LINES} lines"),
            ));
        }
        let now = self.now();
        let today = day(date_of(now));
        let start_date = match &o.start_date {
            Some(s) => day(parse_day(s, "start_date")?),
            None => today,
        };
        let tier = match &customer.partner_id {
            Some(p) => Some(self.partner_tier(p).await?),
            None => None,
        };
        let order_id = new_id("ord");
        let mut lines = Vec::with_capacity(o.lines.len());
        for (i, l) in o.lines.iter().enumerate() {
            let field = |f: &str| format!("lines[{i}].{f}");
            let product = billing_store::system::find_product(&self.store, l.product.trim())
                .await?
                .ok_or_else(|| {
                    AppError::invalid(
                        "product_unknown",
                        &field("product"),
                        format!("no product `{}`", l.product),
                    )
                })?;
            let kind = ProductKind::parse(&product.kind)?;
            if !(1..=MAX_LINE_QUANTITY).contains(&l.quantity) {
                return Err(AppError::invalid(
                    "quantity_invalid",
                    &field("quantity"),
                    format!("1 to {MAX_LINE_QUANTITY}"),
                ));
            }
            let term = Term::parse(&l.term)
                .map_err(|r| AppError::invalid(r.code, &field("term"), r.message))?;
            let frequency = match &l.frequency {
                Some(f) => Frequency::parse(f)
                    .map_err(|r| AppError::invalid(r.code, &field("frequency"), r.message))?,
                None if term == Term::Monthly => Frequency::Monthly,
                None => Frequency::Annual,
            };
            frequency
                .fits(term)
                .map_err(|r| AppError::invalid(r.code, &field("frequency"), r.message))?;
            let number_id =
                match (kind, &l.number) {
                    (ProductKind::Number, Some(n)) => {
                        let num = numbers_store::system::get_number(
                            &self.store,
                            n.trim_start_matches('+'),
                        )
                        .await
                        .map_err(|_| {
                            AppError::invalid("number_unknown", &field("number"), "no such number")
                        })?;
                        if num.billing_account_id.as_deref() != Some(account.id.as_str()) {
                            return Err(AppError::invalid(
                                "number_not_on_account",
                                &field("number"),
                                "the number is not reserved for this billing account",
                            ));
                        }
                        Some(num.id)
                    }
                    (ProductKind::Number, None) => return Err(AppError::invalid(
                        "number_required",
                        &field("number"),
                        "a number line names its number (B2: it bills from its Activation Date)",
                    )),
                    (_, Some(_)) => {
                        return Err(AppError::invalid(
                            "number_not_applicable",
                            &field("number"),
                            "only number products name a number",
                        ))
                    }
                    (_, None) => None,
                };
            let retail = self
                .price_from_list(
                    (RETAIL, customer.partner_id.as_deref(), None, cur.as_str()),
                    &product.id,
                    term,
                    today,
                    &field("product"),
                )
                .await?;
            let wholesale = match &customer.partner_id {
                Some(_) => Some(
                    self.price_from_list(
                        (WHOLESALE, None, tier.as_deref(), cur.as_str()),
                        &product.id,
                        term,
                        today,
                        &field("product"),
                    )
                    .await?,
                ),
                None => None,
            };
            lines.push(OrderLineRow {
                id: new_id("orl"),
                order_id: order_id.clone(),
                line_no: i as i64 + 1,
                product_id: product.id,
                quantity: l.quantity,
                term: term.as_str().into(),
                frequency: frequency.as_str().into(),
                number_id,
                list_micros: retail.list_micros,
                discount_bp: retail.discount_bp,
                unit_micros: retail.unit_micros,
                price_version_id: retail.version_id,
                wholesale_micros: wholesale.as_ref().map(|w| w.unit_micros),
                wholesale_version_id: wholesale.map(|w| w.version_id),
            });
        }
        let order = OrderRow {
            id: order_id,
            customer_id: customer.id,
            billing_account_id: account.id,
            currency: cur.as_str().into(),
            state: "draft".into(),
            start_date,
            created_at: now,
            created_by: caller.actor.actor.clone(),
            executed_at: None,
            executed_by: None,
            accepted_at: None,
            accepted_by: None,
            accepted_how: None,
            fulfilled_at: None,
            cancelled_at: None,
        };
        let mut tx = self.store.begin().await?;
        order.insert(&mut tx).await?;
        for l in &lines {
            l.insert(&mut tx).await?;
        }
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "order.create",
                &order.id,
                json!({"lines": lines.len(), "currency": order.currency}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(OrderView { order, lines })
    }

    pub async fn list_orders(
        &self,
        caller: &Caller,
        customer_id: Option<&str>,
        page: &Page,
    ) -> Result<Vec<OrderRow>, AppError> {
        Ok(billing_store::list_orders(
            &self.store,
            ScopeFilter::of(&caller.scope),
            customer_id,
            page,
        )
        .await?)
    }

    pub async fn get_order(&self, caller: &Caller, id: &str) -> Result<OrderView, AppError> {
        let scope = ScopeFilter::of(&caller.scope);
        let order = billing_store::get_order(&self.store, scope, id)
            .await
            .map_err(|_| AppError::NotFound("order"))?;
        let lines = billing_store::order_lines(&self.store, scope, id).await?;
        Ok(OrderView { order, lines })
    }

    /// C1: moves an order along `draft → executed → accepted → fulfilled` (or cancels it
    /// before acceptance). Fulfilling an executed order accepts it by starting the work.
    pub async fn order_event(
        &self,
        caller: &Caller,
        id: &str,
        event: &str,
    ) -> Result<OrderView, AppError> {
        let view = self.get_order(caller, id).await?;
        let mut o = view.order.clone();
        let now = self.now();
        let who = Some(caller.actor.actor.clone());
        let bad = |what: &str| {
            AppError::Refused(Refusal::new(
                "order_state_invalid",
                rules::C1,
                format!("a {} order cannot be {what}", o.state),
            ))
        };
        match (event, o.state.as_str()) {
            ("execute", "draft") => {
                o.state = "executed".into();
                o.executed_at = Some(now);
                o.executed_by = who;
            }
            ("accept", "executed") => {
                o.state = "accepted".into();
                o.accepted_at = Some(now);
                o.accepted_by = who;
                o.accepted_how = Some("explicit".into());
            }
            ("fulfil", "executed" | "accepted") => {
                if o.accepted_at.is_none() {
                    o.accepted_at = Some(now);
                    o.accepted_by = who.clone();
                    o.accepted_how = Some("work_started".into());
                }
                o.state = "fulfilled".into();
                o.fulfilled_at = Some(now);
            }
            ("cancel", "draft" | "executed") => {
                o.state = "cancelled".into();
                o.cancelled_at = Some(now);
            }
            ("execute", _) => return Err(bad("executed")),
            ("accept", _) => return Err(bad("accepted")),
            ("fulfil", _) => return Err(bad("fulfilled")),
            ("cancel", _) => return Err(bad("cancelled")),
            _ => return Err(AppError::NotFound("order action")),
        }
        let mut tx = self.store.begin().await?;
        if !billing_store::update_order(&mut tx, &o, &view.order.state).await? {
            return Err(AppError::Conflict {
                code: "order_changed",
                message: "the order changed meanwhile; reload it".into(),
            });
        }
        if o.state == "fulfilled" {
            self.fulfil_lines(&mut tx, &o, &view.lines).await?;
        }
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                &format!("order.{event}"),
                &o.id,
                json!({"from": view.order.state, "to": o.state, "rule": "C1"}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        if o.state == "fulfilled" {
            self.refresh_licensed_calls(&o.billing_account_id).await?;
        }
        Ok(OrderView {
            order: o,
            lines: view.lines,
        })
    }

    /// Order lines become subscriptions (recurring products) or charges waiting for the next
    /// invoice (one-time products, from the start date).
    async fn fulfil_lines(
        &self,
        tx: &mut tollgate_store::Tx,
        o: &OrderRow,
        lines: &[OrderLineRow],
    ) -> Result<(), AppError> {
        let customer = tenancy_store::system::get_customer(&self.store, &o.customer_id).await?;
        let now = self.now();
        for l in lines {
            let product = billing_store::system::find_product(&self.store, &l.product_id)
                .await?
                .ok_or(AppError::NotFound("product"))?;
            let kind = ProductKind::parse(&product.kind)?;
            if !kind.recurring() {
                for (level, unit, key) in [
                    (
                        RETAIL,
                        Some(l.unit_micros),
                        (Some(o.billing_account_id.clone()), None),
                    ),
                    (
                        WHOLESALE,
                        l.wholesale_micros,
                        (None, customer.partner_id.clone()),
                    ),
                ] {
                    let Some(unit) = unit else { continue };
                    if key.0.is_none() && key.1.is_none() {
                        continue;
                    }
                    PendingChargeRow {
                        id: new_id("chg"),
                        level: level.into(),
                        billing_account_id: key.0,
                        partner_id: key.1,
                        kind: "one_time".into(),
                        description: format!("{} ({})", product.name, o.id),
                        quantity: l.quantity,
                        unit_micros: unit,
                        currency: o.currency.clone(),
                        rule: rules::B3.rule.into(),
                        clause: rules::B3.clause.into(),
                        ready_on: o.start_date,
                        source: l.id.clone(),
                        created_at: now,
                        invoice_id: None,
                    }
                    .insert(tx)
                    .await?;
                }
                continue;
            }
            let activated = match &l.number_id {
                Some(n) => numbers_store::system::get_number(&self.store, n)
                    .await?
                    .activated_at
                    .map(date_of),
                None => None,
            };
            let (from, _) = charges_start(
                kind,
                date_of(o.start_date),
                date_of(o.created_at),
                activated,
            );
            SubscriptionRow {
                id: new_id("sub"),
                order_line_id: l.id.clone(),
                customer_id: o.customer_id.clone(),
                billing_account_id: o.billing_account_id.clone(),
                partner_id: customer.partner_id.clone(),
                product_id: product.id.clone(),
                kind: kind.as_str().into(),
                description: product.name.clone(),
                quantity: l.quantity,
                term: l.term.clone(),
                frequency: l.frequency.clone(),
                currency: o.currency.clone(),
                unit_micros: l.unit_micros,
                wholesale_micros: l.wholesale_micros,
                included_calls: product.included_calls,
                ordered_on: day(date_of(o.created_at)),
                start_date: o.start_date,
                charges_from: from.map(day),
                number_id: l.number_id.clone(),
                state: "active".into(),
                non_renewal_at: None,
                ends_on: None,
                renewal_notice_for: None,
                retail_billed_until: None,
                wholesale_billed_until: None,
                created_at: now,
                updated_at: now,
            }
            .insert(tx)
            .await?;
        }
        Ok(())
    }

    pub async fn list_subscriptions(
        &self,
        caller: &Caller,
        billing_account_id: Option<&str>,
        page: &Page,
    ) -> Result<Vec<SubscriptionRow>, AppError> {
        Ok(billing_store::list_subscriptions(
            &self.store,
            ScopeFilter::of(&caller.scope),
            billing_account_id,
            page,
        )
        .await?)
    }

    pub async fn get_subscription(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<(SubscriptionRow, Vec<SubscriptionPriceRow>), AppError> {
        let scope = ScopeFilter::of(&caller.scope);
        let s = billing_store::get_subscription(&self.store, scope, id)
            .await
            .map_err(|_| AppError::NotFound("subscription"))?;
        let prices = billing_store::subscription_prices(&self.store, scope, id).await?;
        Ok((s, prices))
    }

    pub(crate) async fn profile_for(&self, customer_id: &str) -> Result<TermsProfile, AppError> {
        Ok(match self.profile_of_customer(customer_id).await? {
            Some(p) => p,
            None => self
                .terms
                .get(crate::terms::DEFAULT_PROFILE, None)
                .cloned()
                .ok_or_else(|| AppError::Internal("default profile missing".into()))?,
        })
    }

    /// C2: a notice of non-renewal received on `received_on` (today when absent): at least
    /// the profile's days before the term ends, or refused with the clause; the subscription
    /// then ends with its term.
    pub async fn give_non_renewal(
        &self,
        caller: &Caller,
        id: &str,
        received_on: Option<&str>,
    ) -> Result<SubscriptionRow, AppError> {
        let (mut s, _) = self.get_subscription(caller, id).await?;
        if s.kind == "leased_device" {
            let mut tx = self.store.begin().await?;
            let leased = tollgate_store::hardware::system::active_lines_on(&mut tx, &s.id).await?;
            drop(tx);
            if leased > 0 {
                // E7: leased devices end with their lease (returned, or invoiced), not by
                // letting the subscription lapse under them.
                return Err(tollgate_core::Refusal::new(
                    "use_lease_end",
                    rules::E7,
                    "devices are on this subscription: end their lease with \
                     POST /v1/hardware/leases/{id}/end",
                )
                .into());
            }
        }
        if s.state != "active" || s.non_renewal_at.is_some() {
            return Err(AppError::Conflict {
                code: "subscription_ending",
                message: "the subscription already ends".into(),
            });
        }
        let now = self.now();
        let today = date_of(now);
        let received = notice_day(caller, received_on, today, "received_on")?;
        let profile = self.profile_for(&s.customer_id).await?;
        let term = Term::parse(&s.term)?;
        let start = date_of(s.charges_from.unwrap_or(s.start_date));
        let end = term_end_on(start, term, received);
        check_non_renewal(&profile, end, received)?;
        s.non_renewal_at = Some(now);
        s.ends_on = Some(day(end));
        s.updated_at = now;
        let mut tx = self.store.begin().await?;
        billing_store::update_subscription(&mut tx, &s).await?;
        audit::append(&mut tx, &audit_row(&caller.actor, now, "subscription.non_renewal", &s.id, json!({"ends_on": end.to_string(), "rule": "C2", "clause": profile.clause_for(rules::C2)}))).await?;
        tollgate_store::commit(tx).await?;
        Ok(s)
    }

    /// C3: a new unit price from `effective_from`, noticed today: allowed per the profile (an
    /// increase under `x-hoppers-2025` only from the next renewal term with 30 days' notice;
    /// under `wildix-*` on notice, with the customer's right to withdraw within 60 days).
    pub async fn change_price(
        &self,
        caller: &Caller,
        id: &str,
        unit_price: &str,
        effective_from: &str,
    ) -> Result<SubscriptionPriceRow, AppError> {
        let (s, prices) = self.get_subscription(caller, id).await?;
        let unit = parse_scaled(unit_price, MICRO_DIGITS)
            .map_err(|m| AppError::invalid("price_invalid", "unit_price", m))?;
        if unit < 0 {
            return Err(AppError::invalid(
                "price_invalid",
                "unit_price",
                "a price is not negative",
            ));
        }
        let now = self.now();
        let today = date_of(now);
        let from = parse_day(effective_from, "effective_from")?;
        let current = prices.last().map_or(s.unit_micros, |p| p.unit_micros);
        let profile = self.profile_for(&s.customer_id).await?;
        let term = Term::parse(&s.term)?;
        let start = date_of(s.charges_from.unwrap_or(s.start_date));
        let terms = check_price_change(&profile, unit > current, (start, term), today, from)?;
        let row = SubscriptionPriceRow {
            id: new_id("spc"),
            subscription_id: s.id.clone(),
            unit_micros: unit,
            effective_from: day(terms.effective_from),
            noticed_on: day(today),
            withdraw_until: terms.withdraw_until.map(day),
            created_at: now,
            created_by: caller.actor.actor.clone(),
        };
        let mut tx = self.store.begin().await?;
        row.insert(&mut tx).await?;
        audit::append(&mut tx, &audit_row(&caller.actor, now, "subscription.price_change", &s.id, json!({"from": current, "to": unit, "effective_from": effective_from, "rule": "C3", "clause": profile.clause_for(rules::C3)}))).await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }
}
