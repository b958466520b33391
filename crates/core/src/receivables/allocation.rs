//! Payments allocated to open invoices: a named invoice first, then the oldest open invoice
//! first; what is left over becomes a billing credit (B9).

use crate::Refusal;

/// An invoice with something still to pay, in the order the caller lists them (oldest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenItem {
    pub id: String,
    pub open_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Allocated {
    /// (invoice id, amount) in allocation order.
    pub parts: Vec<(String, i64)>,
    /// An overpayment: a billing credit for later invoices (B9).
    pub leftover_minor: i64,
}

/// Allocates `amount_minor` over `open` (oldest first); `named` goes first and must be open.
pub fn allocate(
    amount_minor: i64,
    open: &[OpenItem],
    named: Option<&str>,
) -> Result<Allocated, Refusal> {
    if amount_minor <= 0 {
        return Err(Refusal::invalid(
            "amount_invalid",
            "amount",
            "a payment is a positive amount",
        ));
    }
    let mut order: Vec<&OpenItem> = Vec::with_capacity(open.len());
    if let Some(id) = named {
        let item = open
            .iter()
            .find(|o| o.id == id && o.open_minor > 0)
            .ok_or_else(|| {
                Refusal::invalid(
                    "invoice_closed",
                    "invoice_id",
                    format!("invoice {id} has nothing left to pay"),
                )
            })?;
        order.push(item);
    }
    order.extend(open.iter().filter(|o| Some(o.id.as_str()) != named));
    let mut left = amount_minor;
    let mut out = Allocated::default();
    for o in order {
        if left == 0 {
            break;
        }
        let take = left.min(o.open_minor);
        if take > 0 {
            out.parts.push((o.id.clone(), take));
            left -= take;
        }
    }
    out.leftover_minor = left;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(items: &[(&str, i64)]) -> Vec<OpenItem> {
        items
            .iter()
            .map(|(id, m)| OpenItem {
                id: (*id).into(),
                open_minor: *m,
            })
            .collect()
    }

    #[test]
    fn b9_a_payment_goes_to_the_oldest_open_invoice_first_and_an_overpayment_is_a_credit() {
        // 150.00 over 100.00 (oldest) and 80.00: 100.00 + 50.00, nothing left.
        let a = allocate(15_000, &open(&[("i1", 10_000), ("i2", 8_000)]), None).unwrap();
        assert_eq!(a.parts, vec![("i1".into(), 10_000), ("i2".into(), 5_000)]);
        assert_eq!(a.leftover_minor, 0);
        // 200.00 over the same: both paid, 20.00 a billing credit.
        let a = allocate(20_000, &open(&[("i1", 10_000), ("i2", 8_000)]), None).unwrap();
        assert_eq!(a.leftover_minor, 2_000);
    }

    #[test]
    fn a_named_invoice_is_paid_first_and_a_closed_one_is_refused() {
        let items = open(&[("i1", 10_000), ("i2", 8_000), ("i3", 0)]);
        let a = allocate(9_000, &items, Some("i2")).unwrap();
        assert_eq!(a.parts, vec![("i2".into(), 8_000), ("i1".into(), 1_000)]);
        assert_eq!(
            allocate(1, &items, Some("i3")).unwrap_err().code,
            "invoice_closed"
        );
        assert_eq!(
            allocate(0, &items, None).unwrap_err().code,
            "amount_invalid"
        );
        assert_eq!(
            allocate(-5, &items, None).unwrap_err().code,
            "amount_invalid"
        );
    }
}
