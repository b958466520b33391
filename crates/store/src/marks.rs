//! Placeholders of multi-row statements, by backend.

use crate::Tx;

/// Whether the transaction's backend should get anonymous `?` placeholders. SQLite looks a
/// `$N` name up linearly for every bound parameter (`sqlite3_bind_parameter_name`), which is
/// quadratic in a multi-row INSERT; anonymous `?` in order avoids it. PostgreSQL needs `$N`.
pub(crate) fn anonymous(tx: &mut Tx) -> bool {
    tx.backend_name() == "SQLite"
}

pub(crate) fn placeholders(row: usize, cols: usize, anonymous: bool) -> String {
    let cells: Vec<String> = (1..=cols)
        .map(|c| {
            if anonymous {
                "?".to_string()
            } else {
                format!("${}", row * cols + c)
            }
        })
        .collect();
    format!("({})", cells.join(", "))
}

pub(crate) fn values(rows: usize, cols: usize, anonymous: bool) -> String {
    (0..rows)
        .map(|r| placeholders(r, cols, anonymous))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows below which the rest of a multi-row statement goes in one piece of its exact length.
const EXACT_BELOW: usize = 16;

/// Sizes a multi-row statement is cut into: `max` at a time, then the rest in powers of two
/// down to [`EXACT_BELOW`] and the last few in one piece. A table's inserts use a few dozen
/// distinct statements at most (the connection's statement cache keeps them) rather than one
/// per possible length, and a small group (the usual case) is still one statement.
pub(crate) fn pieces<T>(rows: &[T], max: usize) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut rest = rows;
    while !rest.is_empty() {
        let take = if rest.len() >= max {
            max
        } else if rest.len() < EXACT_BELOW {
            rest.len()
        } else {
            1 << rest.len().ilog2()
        };
        let (a, b) = rest.split_at(take);
        out.push(a);
        rest = b;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::pieces;

    #[test]
    fn statements_are_cut_into_max_then_powers_of_two_then_the_rest() {
        // 151 = 64 + 64 + 16 + 7; 55 = 32 + 16 + 7; 7 stays one piece
        let rows: Vec<u32> = (0..151).collect();
        let sizes: Vec<usize> = pieces(&rows, 64).iter().map(|p| p.len()).collect();
        assert_eq!(sizes, vec![64, 64, 16, 7]);
        let sizes: Vec<usize> = pieces(&rows[..55], 64).iter().map(|p| p.len()).collect();
        assert_eq!(sizes, vec![32, 16, 7]);
        assert_eq!(pieces(&rows[..7], 64).len(), 1);
        let joined: Vec<u32> = pieces(&rows, 64).concat();
        assert_eq!(joined, rows);
        assert!(pieces::<u32>(&[], 64).is_empty());
    }
}
