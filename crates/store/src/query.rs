//! The one query builder for tenant lists: a base `SELECT ... FROM ...`, `WHERE 1 = 1`, the
//! list's filters, the tenancy scope ([`ScopeFilter`]) and keyset pagination ([`Page`]), with
//! the arguments bound in order (`$1`, `$2`, ...). Every scoped, paged list goes through
//! [`ScopedQuery`]; the tidy test refuses a `WHERE 1 = 1` anywhere else.

use sqlx::any::AnyRow;
use sqlx::AnyPool;

use crate::{Backend, Result, Scope, Tx, MAX_PAGE_LIMIT};

/// Which tenants a query may return: the storage form of a caller's [`Scope`].
///
/// Built only from a caller's scope ([`ScopeFilter::of`], `From<&Scope>`); work that is
/// system-wide by nature (the guard's caches, sweeps, authentication, intake, seeding) calls
/// the `system` modules of the repositories instead, which need no filter.
#[derive(Debug, Clone, Copy)]
pub struct ScopeFilter<'a> {
    scope: &'a Scope,
}

/// The scope of system work inside the store's `system` modules (see [`ScopeFilter::system`]).
static SYSTEM: Scope = Scope::All;

impl<'a> From<&'a Scope> for ScopeFilter<'a> {
    fn from(scope: &'a Scope) -> ScopeFilter<'a> {
        ScopeFilter { scope }
    }
}

impl<'a> ScopeFilter<'a> {
    /// The filter of a caller's scope (`ScopeFilter::of(&caller.scope)`).
    pub fn of(scope: &'a Scope) -> ScopeFilter<'a> {
        ScopeFilter { scope }
    }

    /// Every tenant, for the store's own `system` modules only (not visible outside the
    /// crate): a system read that shares its SQL with a scoped one calls it with this.
    pub(crate) fn system() -> ScopeFilter<'static> {
        ScopeFilter { scope: &SYSTEM }
    }

    /// The scope this filter applies.
    pub fn scope(&self) -> &'a Scope {
        self.scope
    }

    /// Appends `AND <col> IN (<select> AND <scope>)`: `col` must be one of the rows `select`
    /// (a `SELECT x FROM ... WHERE ...` that joins `customers` as named by `customer_col`
    /// and `partner_col`) returns in scope. Nothing for the operator's scope (every row).
    pub fn push_in(
        &self,
        sql: &mut String,
        args: &mut Vec<Arg>,
        col: &str,
        select: &str,
        customer_col: &str,
        partner_col: &str,
    ) {
        if matches!(self.scope, Scope::All) {
            return;
        }
        sql.push_str(&format!(" AND {col} IN ({select}"));
        self.push(sql, args, customer_col, partner_col);
        sql.push(')');
    }

    /// Appends a restriction of `partner_col` to the partners this scope sees: all for the
    /// operator, its own for a partner; a customer sees only its own partner's rows.
    pub fn push_partner(&self, sql: &mut String, args: &mut Vec<Arg>, partner_col: &str) {
        match self.scope {
            Scope::All => {}
            Scope::Partners(_) => self.push(sql, args, "NULL", partner_col),
            Scope::Customer(id) => {
                args.push(Arg::Text(id.clone()));
                sql.push_str(&format!(
                    " AND {partner_col} IN (SELECT partner_id FROM customers WHERE id = ${})",
                    args.len()
                ));
            }
        }
    }

    /// Appends `AND 1 = 0` unless this is the operator's scope (operator-only data).
    pub fn push_operator_only(&self, sql: &mut String) {
        if !matches!(self.scope, Scope::All) {
            sql.push_str(" AND 1 = 0");
        }
    }

    /// Appends `AND <customer_col> ...` restricting rows to the scope, binding into `args`.
    /// `customer_col` names a customer id column; `partner_col` the owning partner column.
    /// The scope of rows that exist at two levels (invoices, SLA outcomes): `retail` rows are
    /// the customer's and its partners'; a `wholesale` row (a partner's price) only the
    /// partner it names sees, never a customer.
    pub fn push_levelled(
        &self,
        sql: &mut String,
        args: &mut Vec<Arg>,
        level_col: &str,
        customer_col: &str,
        partner_col: &str,
    ) {
        match self.scope {
            Scope::All => {}
            Scope::Customer(id) => {
                args.push(Arg::Text(id.clone()));
                sql.push_str(&format!(
                    " AND {level_col} = 'retail' AND {customer_col} = ${}",
                    args.len()
                ));
            }
            Scope::Partners(ids) if ids.is_empty() => sql.push_str(" AND 1 = 0"),
            Scope::Partners(ids) => {
                let mut marks = Vec::new();
                for id in ids {
                    args.push(Arg::Text(id.clone()));
                    marks.push(format!("${}", args.len()));
                }
                // The partner itself is the scope's first id: only it sees its wholesale rows.
                sql.push_str(&format!(
                    " AND (({level_col} = 'retail' AND {partner_col} IN ({})) OR \
                     ({level_col} = 'wholesale' AND {partner_col} = {}))",
                    marks.join(", "),
                    marks[0]
                ));
            }
        }
    }

    pub fn push(
        &self,
        sql: &mut String,
        args: &mut Vec<Arg>,
        customer_col: &str,
        partner_col: &str,
    ) {
        match self.scope {
            Scope::All => {}
            Scope::Customer(id) => {
                args.push(Arg::Text(id.clone()));
                sql.push_str(&format!(" AND {customer_col} = ${}", args.len()));
            }
            Scope::Partners(ids) if ids.is_empty() => sql.push_str(" AND 1 = 0"),
            Scope::Partners(ids) => {
                sql.push_str(&format!(" AND {partner_col} IN ("));
                for (i, id) in ids.iter().enumerate() {
                    args.push(Arg::Text(id.clone()));
                    if i > 0 {
                        sql.push_str(", ");
                    }
                    sql.push_str(&format!("${}", args.len()));
                }
                sql.push(')');
            }
        }
    }
}

/// A page of a list sorted by an integer column: the column's key, the direction, the
/// `(value, id)` of the last row of the previous page, and the rows wanted.
#[derive(Debug, Clone, Copy)]
pub struct SortedPage<'a, S> {
    pub sort: S,
    pub descending: bool,
    pub after: Option<(i64, &'a str)>,
    pub limit: i64,
}

/// Appends keyset paging on `(col, id_col)` in the page's direction, then `ORDER BY` and
/// `LIMIT`: rows after the previous page's last, every page an index range.
pub fn push_sorted<S>(
    sql: &mut String,
    args: &mut Vec<Arg>,
    col: &str,
    id_col: &str,
    p: &SortedPage<'_, S>,
) {
    let (cmp, dir) = if p.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Some((v, id)) = p.after {
        args.push(Arg::Int(v));
        let a = args.len();
        args.push(Arg::Text(id.into()));
        sql.push_str(&format!(
            " AND ({col}, {id_col}) {cmp} (${a}, ${})",
            args.len()
        ));
    }
    args.push(Arg::Int(p.limit.clamp(1, MAX_PAGE_LIMIT)));
    sql.push_str(&format!(
        " ORDER BY {col} {dir}, {id_col} {dir} LIMIT ${}",
        args.len()
    ));
}

/// A bound argument for dynamically built SQL.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Int(i64),
    Null,
}

/// Keyset pagination: rows after `cursor` (an id), at most `limit`.
#[derive(Debug, Clone)]
pub struct Page {
    pub limit: i64,
    pub after: Option<String>,
}

impl Page {
    pub fn first(limit: i64) -> Page {
        Page {
            limit: limit.clamp(1, MAX_PAGE_LIMIT),
            after: None,
        }
    }
}

/// Runs a dynamically built query with `args` and maps each row.
pub async fn fetch_dynamic<T>(
    pool: &AnyPool,
    sql: &str,
    args: Vec<Arg>,
    map: impl Fn(&AnyRow) -> Result<T, sqlx::Error>,
) -> Result<Vec<T>> {
    let mut q = sqlx::query(sql);
    for a in args {
        q = match a {
            Arg::Text(s) => q.bind(s),
            Arg::Int(i) => q.bind(i),
            Arg::Null => q.bind(Option::<String>::None),
        };
    }
    let rows = q.fetch_all(pool).await?;
    Ok(rows.iter().map(map).collect::<Result<Vec<T>, _>>()?)
}

/// Appends keyset pagination on column `id_col`.
pub fn push_page(sql: &mut String, args: &mut Vec<Arg>, id_col: &str, page: &Page) {
    if let Some(after) = &page.after {
        args.push(Arg::Text(after.clone()));
        sql.push_str(&format!(" AND {id_col} > ${}", args.len()));
    }
    args.push(Arg::Int(page.limit.clamp(1, MAX_PAGE_LIMIT)));
    sql.push_str(&format!(" ORDER BY {id_col} LIMIT ${}", args.len()));
}

/// A list query under construction: `<base> WHERE 1 = 1`, then `AND ...` clauses (filters,
/// scope), then `ORDER BY <id> LIMIT` (keyset page). Methods append in call order, so the SQL
/// text is exactly what the clauses say, in that order.
#[derive(Debug, Clone)]
pub struct ScopedQuery {
    sql: String,
    args: Vec<Arg>,
}

impl ScopedQuery {
    /// `base` is the `SELECT <cols> FROM <tables and joins>` part, without a `WHERE`.
    pub fn new(base: &str) -> ScopedQuery {
        ScopedQuery {
            sql: format!("{base} WHERE 1 = 1"),
            args: Vec::new(),
        }
    }

    /// Appends ` AND <col> <op> $n` binding `value`; nothing when `value` is `None` (an
    /// optional list filter that was not given).
    pub fn filter(&mut self, col: &str, op: &str, value: impl Into<Option<Arg>>) -> &mut Self {
        if let Some(v) = value.into() {
            self.args.push(v);
            self.sql
                .push_str(&format!(" AND {col} {op} ${}", self.args.len()));
        }
        self
    }

    /// Restricts rows to `scope` ([`ScopeFilter::push`]): `customer_col` names the customer id
    /// column, `partner_col` the owning partner's.
    pub fn scope(
        &mut self,
        scope: &ScopeFilter<'_>,
        customer_col: &str,
        partner_col: &str,
    ) -> &mut Self {
        scope.push(&mut self.sql, &mut self.args, customer_col, partner_col);
        self
    }

    /// Matches no row (a scope that may see none of this list).
    pub fn none(&mut self) -> &mut Self {
        self.sql.push_str(" AND 1 = 0");
        self
    }

    /// Appends a clause built by `f` (an ` AND ...` of the caller's own shape, binding into the
    /// arguments with `$<args.len()>` after each push).
    pub fn clause(&mut self, f: impl FnOnce(&mut String, &mut Vec<Arg>)) -> &mut Self {
        f(&mut self.sql, &mut self.args);
        self
    }

    /// Keyset pagination on `id_col` ([`push_page`]); the last clause.
    pub fn page(&mut self, id_col: &str, page: &Page) -> &mut Self {
        push_page(&mut self.sql, &mut self.args, id_col, page);
        self
    }

    /// Keyset pagination on several columns (an index's trailing columns, in its order):
    /// rows after the tuple `after` (`(a, b) > ($x, $y)`, a row-value comparison both
    /// backends serve from the index), ordered by `cols`, at most `limit`; the last clause.
    pub fn keyset(&mut self, cols: &[&str], after: Option<Vec<Arg>>, limit: i64) -> &mut Self {
        let list = cols.join(", ");
        if let Some(after) = after {
            assert_eq!(after.len(), cols.len(), "keyset: one value per column");
            let mut marks = Vec::with_capacity(after.len());
            for a in after {
                self.args.push(a);
                marks.push(format!("${}", self.args.len()));
            }
            self.sql
                .push_str(&format!(" AND ({list}) > ({})", marks.join(", ")));
        }
        self.args.push(Arg::Int(limit.clamp(1, MAX_PAGE_LIMIT)));
        self.sql
            .push_str(&format!(" ORDER BY {list} LIMIT ${}", self.args.len()));
        self
    }

    /// The SQL text built so far.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The backend's plan of this query, a line per step (`EXPLAIN QUERY PLAN` on SQLite,
    /// `EXPLAIN` on PostgreSQL), run in `tx` so a test can set planner options first.
    pub async fn explain(self, tx: &mut Tx, backend: Backend) -> Result<Vec<String>> {
        use sqlx::Row;
        let (prefix, col) = match backend {
            Backend::Sqlite => ("EXPLAIN QUERY PLAN ", "detail"),
            Backend::Postgres => ("EXPLAIN ", "QUERY PLAN"),
        };
        let sql = format!("{prefix}{}", self.sql);
        let mut q = sqlx::query(&sql);
        for a in self.args {
            q = match a {
                Arg::Text(s) => q.bind(s),
                Arg::Int(i) => q.bind(i),
                Arg::Null => q.bind(Option::<String>::None),
            };
        }
        let rows = q.fetch_all(&mut **tx).await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get::<String, _>(col))
            .collect::<Result<Vec<_>, _>>()?)
    }

    /// Runs the query on `pool` and maps each row.
    pub async fn fetch<T>(
        self,
        pool: &AnyPool,
        map: impl Fn(&AnyRow) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>> {
        fetch_dynamic(pool, &self.sql, self.args, map).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(after: Option<&str>) -> Page {
        Page {
            limit: 50,
            after: after.map(String::from),
        }
    }

    #[test]
    fn a_list_query_is_base_filters_scope_then_page_in_order() {
        let partners = Scope::Partners(vec!["p1".into(), "p2".into()]);
        let mut q = ScopedQuery::new("SELECT x FROM t JOIN customers c ON c.id = t.customer_id");
        q.filter("t.state", "=", Some(Arg::Text("active".into())))
            .filter("t.kind", "=", None)
            .filter("t.at", ">=", Arg::Int(5))
            .scope(&ScopeFilter::of(&partners), "c.id", "c.partner_id")
            .page("t.id", &page(Some("t_9")));
        assert_eq!(
            q.sql(),
            "SELECT x FROM t JOIN customers c ON c.id = t.customer_id WHERE 1 = 1 \
             AND t.state = $1 AND t.at >= $2 AND c.partner_id IN ($3, $4) \
             AND t.id > $5 ORDER BY t.id LIMIT $6"
        );
    }

    #[test]
    fn a_keyset_page_compares_the_row_value_and_orders_by_the_same_columns() {
        let mut q = ScopedQuery::new("SELECT x FROM d");
        q.filter("d.acct", "=", Arg::Text("a".into())).keyset(
            &["d.start_at", "d.id"],
            Some(vec![Arg::Int(7), Arg::Text("cdr_1".into())]),
            20,
        );
        assert_eq!(
            q.sql(),
            "SELECT x FROM d WHERE 1 = 1 AND d.acct = $1 AND (d.start_at, d.id) > ($2, $3) \
             ORDER BY d.start_at, d.id LIMIT $4"
        );
    }

    #[test]
    fn scopes_all_customer_and_no_partner() {
        let build = |s: &Scope| {
            let mut q = ScopedQuery::new("SELECT x FROM customers");
            q.scope(&ScopeFilter::of(s), "id", "partner_id")
                .page("id", &page(None));
            q.sql().to_string()
        };
        assert_eq!(
            build(&Scope::All),
            "SELECT x FROM customers WHERE 1 = 1 ORDER BY id LIMIT $1"
        );
        assert_eq!(
            build(&Scope::Customer("c1".into())),
            "SELECT x FROM customers WHERE 1 = 1 AND id = $1 ORDER BY id LIMIT $2"
        );
        assert_eq!(
            build(&Scope::Partners(vec![])),
            "SELECT x FROM customers WHERE 1 = 1 AND 1 = 0 ORDER BY id LIMIT $1"
        );
        let mut q = ScopedQuery::new("SELECT x FROM partners");
        q.none().page("id", &page(None));
        assert_eq!(
            q.sql(),
            "SELECT x FROM partners WHERE 1 = 1 AND 1 = 0 ORDER BY id LIMIT $1"
        );
    }
}
