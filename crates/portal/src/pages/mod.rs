//! One file per section of the portal.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod availability;
pub mod calls;
pub mod customers;
pub mod dashboard;
pub mod frontline;
pub mod guard;
pub mod hardware;
pub mod invoices;
pub mod me;
pub mod messaging;
pub mod numbers;
pub mod policy;
pub mod rates;
pub mod receivables;
pub mod status;
pub mod tickets;

use serde::Deserialize;
use tollgate_store::Page as StorePage;

/// Rows per portal table page.
pub const PAGE_ROWS: i64 = 50;

/// `?after=<id>`: the keyset page of a list.
#[derive(Debug, Deserialize, Default)]
pub struct After {
    pub after: Option<String>,
}

impl After {
    pub fn page(&self) -> StorePage {
        StorePage {
            limit: PAGE_ROWS,
            after: self.after.clone().filter(|a| !a.is_empty()),
        }
    }
}

/// The next page's link when the page is full: `base?after=<last id>` (with `&` when `base`
/// already has a query).
pub fn next_link(base: &str, rows: usize, last: Option<&str>) -> Option<String> {
    let last = last?;
    (i64::try_from(rows).unwrap_or(0) >= PAGE_ROWS).then(|| {
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}after={}", crate::format::url_encode(last))
    })
}

/// The cursor of a list sorted by a column: `<value>:<id>` of the last row shown.
pub fn sort_cursor(at: Option<&str>) -> Result<Option<(i64, String)>, crate::error::PageError> {
    match at.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(at) => at
            .split_once(':')
            .and_then(|(v, id)| v.parse::<i64>().ok().map(|v| Some((v, id.to_string()))))
            .ok_or_else(|| {
                crate::error::PageError::bad_request(
                    "cursor_invalid",
                    "at",
                    "not a cursor of this list: follow the next-page link",
                )
            }),
    }
}

/// The link of a sortable column head: descending first, ascending when the list is
/// already sorted by it descending; and how it is sorted now (`aria-sort`).
pub fn sort_head(
    base: &str,
    key: &str,
    current: Option<&str>,
    descending: bool,
) -> (String, &'static str) {
    let (now, next_dir) = match current {
        Some(c) if c == key && descending => ("descending", "asc"),
        Some(c) if c == key => ("ascending", "desc"),
        _ => ("", "desc"),
    };
    let sep = if base.contains('?') { '&' } else { '?' };
    (format!("{base}{sep}sort={key}&dir={next_dir}"), now)
}

/// The next page of a sorted list when this one is full: `base&sort=..&dir=..&at=<value>:<id>`.
pub fn sorted_next(
    base: &str,
    rows: usize,
    key: &str,
    descending: bool,
    last: Option<(i64, &str)>,
) -> Option<String> {
    let (v, id) = last?;
    (i64::try_from(rows).unwrap_or(0) >= PAGE_ROWS).then(|| {
        let sep = if base.contains('?') { '&' } else { '?' };
        format!(
            "{base}{sep}sort={key}&dir={}&at={}",
            if descending { "desc" } else { "asc" },
            crate::format::url_encode(&format!("{v}:{id}"))
        )
    })
}

/// A list's sort from its query: the column, descending, the cursor `(value, id)`.
pub type SortParams<S> = (Option<S>, bool, Option<(i64, String)>);

/// The sort of a list from its query: the column (parsed by `parse`, `expected` naming the
/// choices), the direction (descending unless `asc`) and the cursor.
pub fn sort_params<S>(
    sort: Option<&str>,
    dir: Option<&str>,
    at: Option<&str>,
    parse: fn(&str) -> Option<S>,
    expected: &str,
) -> Result<SortParams<S>, crate::error::PageError> {
    let sort = match sort.filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(parse(s).ok_or_else(|| {
            crate::error::PageError::bad_request("sort_invalid", "sort", expected)
        })?),
    };
    Ok((sort, dir != Some("asc"), sort_cursor(at)?))
}

/// A column a portal list sorts by on the server: its query key and a row's value.
pub trait SortColumn<R>: Copy + PartialEq {
    fn key(self) -> &'static str;
    fn value_of(self, row: &R) -> i64;
}

impl SortColumn<tollgate_store::billing::InvoiceRow> for tollgate_store::billing::InvoiceSort {
    fn key(self) -> &'static str {
        self.as_str()
    }
    fn value_of(self, row: &tollgate_store::billing::InvoiceRow) -> i64 {
        self.value(row)
    }
}

impl SortColumn<tollgate_store::support::TicketRow> for tollgate_store::support::TicketSort {
    fn key(self) -> &'static str {
        self.as_str()
    }
    fn value_of(self, row: &tollgate_store::support::TicketRow) -> i64 {
        self.value(row)
    }
}

/// The store's page for the sort in `params`, or `None` when the list is by id.
pub fn sorted_page<S: Copy>(params: &SortParams<S>) -> Option<tollgate_store::SortedPage<'_, S>> {
    params.0.map(|sort| tollgate_store::SortedPage {
        sort,
        descending: params.1,
        after: params.2.as_ref().map(|(v, id)| (*v, id.as_str())),
        limit: PAGE_ROWS,
    })
}

/// Makes `heads` of `t` sortable links and sets its next-page link: by the sort column's
/// keyset when sorted, by id otherwise (`id` gives a row's id).
pub fn sort_table<R, S: SortColumn<R>>(
    t: &mut crate::view::Table,
    filters: &str,
    heads: &[(&str, S)],
    params: &SortParams<S>,
    rows: &[R],
    id: fn(&R) -> &str,
) {
    let (sort, descending) = (params.0, params.1);
    for (label, key) in heads {
        let (href, now) = sort_head(filters, key.key(), sort.map(|s| s.key()), descending);
        t.sortable(label, href, now);
    }
    t.next = match sort {
        None => next_link(filters, rows.len(), rows.last().map(id)),
        Some(s) => sorted_next(
            filters,
            rows.len(),
            s.key(),
            descending,
            rows.last().map(|r| (s.value_of(r), id(r))),
        ),
    };
}
