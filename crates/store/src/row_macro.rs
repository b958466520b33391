//! `table_row!`: a row struct with its column list, its mapping from a result row and its
//! INSERT, from one declaration, so the three cannot disagree (a column added to the struct is
//! read and written everywhere at once).

/// Declares `pub struct $name { pub field: Type, ... }` for table `$table`, with
/// `COLS` (the column names), `cols(alias)` (`a.id, a.name, ...`), `from_row` and `insert`.
macro_rules! table_row {
    ($(#[$m:meta])* pub struct $name:ident in $table:literal {
        $($(#[$fm:meta])* $field:ident : $ty:ty),* $(,)?
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name { $($(#[$fm])* pub $field: $ty),* }

        impl $name {
            pub const TABLE: &'static str = $table;
            pub const COLS: &'static [&'static str] = &[$(stringify!($field)),*];

            /// The columns, each prefixed with `alias.` when an alias is given.
            pub fn cols(alias: &str) -> String {
                Self::COLS
                    .iter()
                    .map(|c| if alias.is_empty() { c.to_string() } else { format!("{alias}.{c}") })
                    .collect::<Vec<_>>()
                    .join(", ")
            }

            pub fn from_row(r: &sqlx::any::AnyRow) -> Result<Self, sqlx::Error> {
                use sqlx::Row;
                Ok(Self { $($field: r.try_get(stringify!($field))?),* })
            }

            pub async fn insert(&self, tx: &mut $crate::Tx) -> $crate::Result<()> {
                let marks = (1..=Self::COLS.len())
                    .map(|i| format!("${i}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!(
                    "INSERT INTO {} ({}) VALUES ({marks})",
                    Self::TABLE,
                    Self::cols("")
                );
                sqlx::query(&sql)
                    $(.bind(&self.$field))*
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }

            /// Binds every column of the row, in [`Self::COLS`] order, to `q` (a multi-row
            /// insert binds its rows one after another).
            pub fn bind_to<'q>(
                &'q self,
                q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
            ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
                q$(.bind(&self.$field))*
            }

            /// `(…), (…)` placeholders for `rows` rows of this table in `tx`'s dialect
            /// ([`crate::marks`]: anonymous on SQLite).
            pub fn values_marks(tx: &mut $crate::Tx, rows: usize) -> String {
                let anon = $crate::marks::anonymous(tx);
                $crate::marks::values(rows, Self::COLS.len(), anon)
            }

            /// Inserts the row unless one with the same `conflict` columns (a unique
            /// constraint's) exists; whether it was inserted.
            pub async fn insert_unless(&self, tx: &mut $crate::Tx, conflict: &str) -> $crate::Result<bool> {
                let marks = (1..=Self::COLS.len())
                    .map(|i| format!("${i}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!(
                    "INSERT INTO {} ({}) VALUES ({marks}) ON CONFLICT ({conflict}) DO NOTHING",
                    Self::TABLE,
                    Self::cols("")
                );
                let done = sqlx::query(&sql)
                    $(.bind(&self.$field))*
                    .execute(&mut **tx)
                    .await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}

pub(crate) use table_row;
