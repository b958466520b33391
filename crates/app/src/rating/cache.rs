//! In-memory rate tables, loaded at start and reloaded on import.

use super::*;

/// In-memory rate tables (rebuilt from the store on import and at start).
#[derive(Default)]
pub struct RateCache {
    tables: RwLock<HashMap<String, Arc<RateTable>>>,
}

impl RateCache {
    pub fn get(&self, name: &str) -> Option<Arc<RateTable>> {
        self.tables.read().expect("rate cache").get(name).cloned()
    }

    fn put(&self, name: &str, t: RateTable) {
        self.tables
            .write()
            .expect("rate cache")
            .insert(name.to_string(), Arc::new(t));
    }
}

fn to_core(r: &StoredRate) -> Result<RateRow, AppError> {
    Ok(RateRow {
        prefix: r.prefix.clone(),
        destination: r.destination.clone(),
        rate_per_min_micros: r.rate_micros,
        connection_fee_micros: r.connection_fee_micros,
        initial_s: r.initial_s as u32,
        subsequent_s: r.subsequent_s as u32,
        min_billed_s: r.min_billed_s as u32,
        valid_from: r.valid_from,
        valid_until: r.valid_until,
        currency: Currency::parse_stored(&r.currency).map_err(AppError::Internal)?,
        zone: r.zone.clone(),
        version: r.version as u32,
    })
}

impl App {
    /// Loads every rate table into memory (at start).
    pub async fn load_rates(&self) -> Result<(), AppError> {
        let names: HashSet<String> = rating_store::system::list_rate_versions(&self.store)
            .await?
            .into_iter()
            .map(|v| v.table_name)
            .collect();
        for n in names {
            self.reload_rate_table(&n).await?;
        }
        Ok(())
    }

    pub(super) async fn reload_rate_table(&self, name: &str) -> Result<Arc<RateTable>, AppError> {
        let rows = rating_store::system::load_rate_rows(&self.store, name).await?;
        let rows = rows.iter().map(to_core).collect::<Result<Vec<_>, _>>()?;
        self.rates.put(name, RateTable::new(rows));
        self.rates
            .get(name)
            .ok_or_else(|| AppError::Internal("rate cache".into()))
    }
}
