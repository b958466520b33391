//! The catalog (products, the operator's), price lists with effective-dated versions that are
//! never overwritten (the operator's wholesale list per partner tier and retail list; each
//! partner's retail list), term discounts as data, and tax and fee rates per jurisdiction
//! (B7) changing on the authority's date.

use serde_json::json;
use tollgate_core::billing::catalog::{ProductKind, Term, BASIS_POINTS};
use tollgate_core::money::{parse_scaled, Currency, MICRO_DIGITS};
use tollgate_core::tenancy::{Level, PartnerTier};
use tollgate_core::time::day_start;
use tollgate_store::billing::{
    self as billing_store, PriceDiscountRow, PriceItemRow, PriceListRow, PriceVersionRow,
    ProductRow, TaxRateRow,
};
use tollgate_store::{audit, tenancy as tenancy_store, Page, ScopeFilter};

use super::{RETAIL, WHOLESALE};
use crate::access::audit_row;
use crate::ids::new_id;
use crate::{App, AppError, Caller};

/// Longest product code, list name or tax name.
pub const MAX_NAME_CHARS: usize = 120;
/// Most items in one price-list version.
pub const MAX_PRICE_ITEMS: usize = 1_000;
/// Highest tax or fee rate accepted, in percent.
pub const MAX_TAX_PCT: i64 = 100;

#[derive(Debug, Clone)]
pub struct NewProduct {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub included_calls: i64,
    pub included_minutes: i64,
    pub included_zone: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewPriceVersion {
    /// `YYYY-MM-DD`.
    pub valid_from: String,
    /// Product code → price per unit and month (recurring) or per unit (one-time), decimal.
    pub items: Vec<(String, String)>,
    /// Term → discount in basis points.
    pub discounts: Vec<(String, i64)>,
    /// Wholesale lists: discount on the partner's customers' rated usage, basis points.
    pub usage_discount_bp: i64,
}

#[derive(Debug, Clone)]
pub struct NewTaxRate {
    pub jurisdiction: String,
    pub name: String,
    /// `tax` or `fee`.
    pub kind: String,
    /// Percent, decimal (`20`, `7.25`).
    pub rate_pct: String,
    pub valid_from: String,
}

/// A price list with its versions (newest first), each with items (product code, price) and
/// discounts.
#[derive(Debug, Clone)]
pub struct PriceListView {
    pub list: PriceListRow,
    pub versions: Vec<PriceVersionView>,
}

/// A version with its items (product code, price) and term discounts.
pub type PriceVersionView = (
    PriceVersionRow,
    Vec<(String, PriceItemRow)>,
    Vec<PriceDiscountRow>,
);

fn name_field(v: &str, field: &'static str) -> Result<String, AppError> {
    let t = v.trim();
    if t.is_empty() || t.chars().count() > MAX_NAME_CHARS || t.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "name_invalid",
            field,
            format!("1 to {MAX_NAME_CHARS} printable characters"),
        ));
    }
    Ok(t.to_string())
}

fn operator_only(caller: &Caller) -> Result<(), AppError> {
    if caller.principal.role.level() != Level::Operator {
        return Err(AppError::Forbidden("the catalog is the operator's".into()));
    }
    Ok(())
}

impl App {
    pub async fn create_product(
        &self,
        caller: &Caller,
        p: NewProduct,
    ) -> Result<ProductRow, AppError> {
        operator_only(caller)?;
        let kind = ProductKind::parse(&p.kind)?;
        if !(0..=100_000).contains(&p.included_calls)
            || !(0..=1_000_000).contains(&p.included_minutes)
        {
            return Err(AppError::invalid(
                "quantity_invalid",
                "included_calls",
                "included calls 0..=100000, minutes 0..=1000000",
            ));
        }
        let code = name_field(&p.code, "code")?;
        if billing_store::system::find_product(&self.store, &code)
            .await?
            .is_some()
        {
            return Err(AppError::Conflict {
                code: "product_exists",
                message: format!("a product with code {code} exists"),
            });
        }
        let now = self.now();
        let row = ProductRow {
            id: new_id("prd"),
            code,
            name: name_field(&p.name, "name")?,
            kind: kind.as_str().into(),
            included_calls: p.included_calls,
            included_minutes: p.included_minutes,
            included_zone: p.included_zone.filter(|z| !z.trim().is_empty()),
            created_at: now,
        };
        let mut tx = self.store.begin().await?;
        row.insert(&mut tx).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "product.create",
                &row.id,
                json!({"code": row.code, "kind": row.kind}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }

    pub async fn list_products(&self, _caller: &Caller) -> Result<Vec<ProductRow>, AppError> {
        Ok(billing_store::system::list_products(&self.store).await?)
    }

    /// A price list: the operator's wholesale list for a partner tier or its retail list, or
    /// a partner admin's own retail list.
    pub async fn create_price_list(
        &self,
        caller: &Caller,
        name: &str,
        level: &str,
        tier: Option<&str>,
        currency: &str,
    ) -> Result<PriceListRow, AppError> {
        let cur = Currency::parse(currency)
            .map_err(|m| AppError::invalid("currency_invalid", "currency", m))?;
        let (owner, tier) = match (caller.principal.role.level(), level) {
            (Level::Operator, WHOLESALE) => {
                let t = tier.ok_or_else(|| {
                    AppError::invalid(
                        "tier_required",
                        "tier",
                        "a wholesale list is per partner tier",
                    )
                })?;
                let t = PartnerTier::parse(t).ok_or_else(|| {
                    AppError::invalid(
                        "tier_invalid",
                        "tier",
                        format!("`{t}` is not a partner tier"),
                    )
                })?;
                (None, Some(t.as_str().to_string()))
            }
            (Level::Operator, RETAIL) => (None, None),
            (Level::Partner, RETAIL) => (caller.principal.partner_id.clone(), None),
            (_, WHOLESALE | RETAIL) => {
                return Err(AppError::Forbidden(
                    "wholesale lists are the operator's; a partner keeps its own retail lists"
                        .into(),
                ))
            }
            _ => {
                return Err(AppError::invalid(
                    "level_invalid",
                    "level",
                    "`wholesale` or `retail`",
                ))
            }
        };
        if tier.is_some() && level == RETAIL {
            return Err(AppError::invalid(
                "tier_invalid",
                "tier",
                "only wholesale lists have a tier",
            ));
        }
        let now = self.now();
        let row = PriceListRow {
            id: new_id("prl"),
            name: name_field(name, "name")?,
            level: level.into(),
            owner_partner_id: owner,
            tier,
            currency: cur.as_str().into(),
            created_at: now,
        };
        let mut tx = self.store.begin().await?;
        row.insert(&mut tx).await.map_err(|e| match e {
            tollgate_store::StoreError::Conflict(_) => AppError::Conflict {
                code: "price_list_exists",
                message: "a list for this level, owner, tier and currency exists: add a version"
                    .into(),
            },
            e => e.into(),
        })?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "price_list.create",
                &row.id,
                json!({"level": row.level, "currency": row.currency}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }

    pub async fn list_price_lists(
        &self,
        caller: &Caller,
        page: &Page,
    ) -> Result<Vec<PriceListRow>, AppError> {
        Ok(
            billing_store::list_price_lists(&self.store, ScopeFilter::of(&caller.scope), page)
                .await?,
        )
    }

    pub async fn get_price_list(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<PriceListView, AppError> {
        let scope = ScopeFilter::of(&caller.scope);
        let list = billing_store::get_price_list(&self.store, scope, id)
            .await
            .map_err(|_| AppError::NotFound("price list"))?;
        let products = billing_store::system::list_products(&self.store).await?;
        let code = |pid: &str| {
            products
                .iter()
                .find(|p| p.id == pid)
                .map_or_else(|| pid.to_string(), |p| p.code.clone())
        };
        let versions = billing_store::price_list_versions(&self.store, scope, id)
            .await?
            .into_iter()
            .map(|(v, items, d)| {
                let items = items
                    .into_iter()
                    .map(|i| (code(&i.product_id), i))
                    .collect();
                (v, items, d)
            })
            .collect();
        Ok(PriceListView { list, versions })
    }

    /// A new version of a list, valid from a day on; earlier versions stay as they were.
    pub async fn add_price_version(
        &self,
        caller: &Caller,
        list_id: &str,
        v: NewPriceVersion,
    ) -> Result<PriceListView, AppError> {
        let list =
            billing_store::get_price_list(&self.store, ScopeFilter::of(&caller.scope), list_id)
                .await
                .map_err(|_| AppError::NotFound("price list"))?;
        let mine = match caller.principal.role.level() {
            Level::Operator => list.owner_partner_id.is_none(),
            _ => list.owner_partner_id == caller.principal.partner_id,
        };
        if !mine {
            return Err(AppError::Forbidden(
                "only the list's owner adds versions".into(),
            ));
        }
        let valid_from = day_start(tollgate_core::time::parse_day(&v.valid_from, "valid_from")?);
        if v.items.is_empty() || v.items.len() > MAX_PRICE_ITEMS {
            return Err(AppError::invalid(
                "items_invalid",
                "items",
                format!("1 to {MAX_PRICE_ITEMS} items"),
            ));
        }
        if !(0..=BASIS_POINTS).contains(&v.usage_discount_bp) {
            return Err(AppError::invalid(
                "discount_invalid",
                "usage_discount_bp",
                "0..=10000",
            ));
        }
        let latest = billing_store::price_list_versions(
            &self.store,
            ScopeFilter::of(&caller.scope),
            list_id,
        )
        .await?
        .into_iter()
        .next();
        if let Some((l, _, _)) = &latest {
            if valid_from < l.valid_from {
                return Err(AppError::invalid(
                    "valid_from_invalid",
                    "valid_from",
                    "a new version cannot apply before the latest one",
                ));
            }
        }
        let now = self.now();
        let version_id = new_id("plv");
        let mut items = Vec::with_capacity(v.items.len());
        for (i, (code, price)) in v.items.iter().enumerate() {
            let field = || format!("items[{i}]");
            let p = billing_store::system::find_product(&self.store, code.trim())
                .await?
                .ok_or_else(|| {
                    AppError::invalid("product_unknown", &field(), format!("no product `{code}`"))
                })?;
            let unit = parse_scaled(price, MICRO_DIGITS)
                .map_err(|m| AppError::invalid("price_invalid", &field(), m))?;
            if unit < 0 {
                return Err(AppError::invalid(
                    "price_invalid",
                    &field(),
                    "a price is not negative",
                ));
            }
            if items.iter().any(|x: &PriceItemRow| x.product_id == p.id) {
                return Err(AppError::invalid(
                    "product_duplicate",
                    &field(),
                    "a product appears once",
                ));
            }
            items.push(PriceItemRow {
                version_id: version_id.clone(),
                product_id: p.id,
                unit_micros: unit,
            });
        }
        let mut discounts = Vec::new();
        for (i, (term, bp)) in v.discounts.iter().enumerate() {
            let t = Term::parse(term)
                .map_err(|r| AppError::invalid(r.code, &format!("discounts[{i}]"), r.message))?;
            if !(0..=BASIS_POINTS).contains(bp) {
                return Err(AppError::invalid(
                    "discount_invalid",
                    &format!("discounts[{i}]"),
                    "0..=10000 basis points",
                ));
            }
            discounts.push(PriceDiscountRow {
                version_id: version_id.clone(),
                term: t.as_str().into(),
                discount_bp: *bp,
            });
        }
        let mut tx = self.store.begin().await?;
        let version = billing_store::next_price_version(&mut tx, &list.id).await?;
        PriceVersionRow {
            id: version_id.clone(),
            price_list_id: list.id.clone(),
            version,
            valid_from,
            usage_discount_bp: v.usage_discount_bp,
            created_at: now,
            created_by: caller.actor.actor.clone(),
        }
        .insert(&mut tx)
        .await?;
        for i in &items {
            i.insert(&mut tx).await?;
        }
        for d in &discounts {
            d.insert(&mut tx).await?;
        }
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "price_list.version",
                &list.id,
                json!({"version": version, "valid_from": v.valid_from, "items": items.len()}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.get_price_list(caller, &list.id).await
    }

    /// B7: a tax or fee rate of a jurisdiction from the authority's date (a later row for the
    /// same jurisdiction and name replaces it from its own date; 0 abolishes it).
    pub async fn add_tax_rate(
        &self,
        caller: &Caller,
        t: NewTaxRate,
    ) -> Result<TaxRateRow, AppError> {
        operator_only(caller)?;
        let j = t.jurisdiction.trim().to_ascii_uppercase();
        let country = j.split('-').next().unwrap_or("");
        if !tollgate_core::country::is_known(country)
            || j.len() > 10
            || !j.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(AppError::invalid(
                "jurisdiction_invalid",
                "jurisdiction",
                "a country (GB) or a country and subdivision (US-NY)",
            ));
        }
        if t.kind != "tax" && t.kind != "fee" {
            return Err(AppError::invalid("kind_invalid", "kind", "`tax` or `fee`"));
        }
        // Percent with up to four decimals → parts per million.
        let ppm = parse_scaled(&t.rate_pct, 4)
            .map_err(|m| AppError::invalid("rate_invalid", "rate_pct", m))?;
        if !(0..=MAX_TAX_PCT * 10_000).contains(&ppm) {
            return Err(AppError::invalid(
                "rate_invalid",
                "rate_pct",
                format!("0 to {MAX_TAX_PCT} %"),
            ));
        }
        let now = self.now();
        let row = TaxRateRow {
            id: new_id("tax"),
            jurisdiction: j,
            name: name_field(&t.name, "name")?,
            kind: t.kind,
            rate_ppm: ppm,
            valid_from: day_start(tollgate_core::time::parse_day(&t.valid_from, "valid_from")?),
            valid_until: None,
            created_at: now,
            created_by: caller.actor.actor.clone(),
        };
        let mut tx = self.store.begin().await?;
        row.insert(&mut tx).await?;
        audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "tax_rate.add",
                &row.id,
                json!({"jurisdiction": row.jurisdiction, "name": row.name, "rate_ppm": ppm}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        Ok(row)
    }

    pub async fn list_tax_rates(&self, _caller: &Caller) -> Result<Vec<TaxRateRow>, AppError> {
        Ok(billing_store::system::list_tax_rates(&self.store).await?)
    }

    /// The partner tier of a partner (for its wholesale list).
    pub(crate) async fn partner_tier(&self, partner_id: &str) -> Result<String, AppError> {
        Ok(tenancy_store::system::get_partner(&self.store, partner_id)
            .await?
            .tier)
    }
}

/// B7: the rates in force on `on` (stored day) for `jurisdiction` and its country (`US-NY`
/// also takes `US`'s): per jurisdiction and name the latest from that day or earlier; a 0 %
/// row abolishes the rate.
pub(crate) fn rates_in_force(all: &[TaxRateRow], jurisdiction: &str, on: i64) -> Vec<TaxRateRow> {
    let country = jurisdiction.split('-').next().unwrap_or(jurisdiction);
    let mut latest: std::collections::BTreeMap<(String, String), &TaxRateRow> = Default::default();
    for r in all {
        if (r.jurisdiction == jurisdiction || r.jurisdiction == country) && r.valid_from <= on {
            let k = (r.jurisdiction.clone(), r.name.clone());
            if latest.get(&k).is_none_or(|p| p.valid_from <= r.valid_from) {
                latest.insert(k, r);
            }
        }
    }
    latest
        .into_values()
        .filter(|r| r.rate_ppm > 0)
        .cloned()
        .collect()
}
