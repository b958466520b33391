//! Headset and app seats per store (L1, W 24.4.1(e)): each staff member with a device takes a
//! seat of its kind from the subscription the store names for it; never silently exceeded.

use super::Device;
use crate::decision::Refusal;
use crate::rules;

/// Whether one more `device` seat may be taken when `in_use` are taken and the subscription
/// allows `limit` (`None`: the store names no active subscription for the kind, L2).
pub fn check_seat(device: Device, in_use: i64, limit: Option<i64>) -> Result<(), Refusal> {
    let kind = device.as_str();
    match limit {
        None => Err(Refusal::new(
            "no_seat_subscription",
            rules::L2,
            format!("the store names no active {kind} subscription: a seat lives only as long as its subscription"),
        )
        .on_field("device")),
        Some(limit) if in_use >= limit => Err(Refusal::new(
            "seats_exhausted",
            rules::L1,
            format!("{in_use} of {limit} {kind} seats of the subscription are taken"),
        )
        .on_field("device")),
        Some(_) => Ok(()),
    }
}
