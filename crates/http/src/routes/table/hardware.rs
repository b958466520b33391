//! The route table's hardware fragment (issue 18): the device catalog, devices and their
//! history, HWaaS leases (E1-E4, E7, E8), replacement claims (E5, E6), CAPEX sales, warranty,
//! RMAs and conversion (K1-K5).

use super::prelude::*;

api! {
    get "/v1/hardware/models" => hardware_routes::models, Perm(P::HardwareRead),
        "The device catalog: models, their casualty value and replacement model.";
    post "/v1/hardware/models" => hardware_routes::create_model, Perm(P::HardwareAdmin),
        "Add a model to the catalog with its casualty value (E6, E7).";
    post "/v1/hardware/models/{id}/upgrade" => hardware_routes::offer_upgrade, Perm(P::HardwareAdmin),
        "Offer a new model with significant improvements as a free replacement to every lessee of this one (E8): each is told; the exchange is not held back by E3.";
    get "/v1/hardware/devices" => hardware_routes::devices, Perm(P::HardwareRead),
        "Devices in scope by serial, of a lease when given.";
    get "/v1/hardware/devices/{id}" => hardware_routes::device, Perm(P::HardwareRead),
        "A device with its history (delivered, replaced, returned, not returned, sold, converted).";
    get "/v1/hardware/devices/{id}/warranty" => hardware_routes::warranty, Perm(P::HardwareRead),
        "A CAPEX device's warranty on a day from its dates (K2): 1 year when bought from 2022-07-01; 5 years with a signed agreement, its copy required once the device is a year old; none after 5 years.";
    get "/v1/hardware/devices/{id}/documents" => hardware_routes::documents, Perm(P::HardwareRead),
        "A device's documents (the 5-year agreement's copy, proof of purchase, police report), without their content.";
    post "/v1/hardware/devices/{id}/documents" => hardware_routes::upload_document, Perm(P::HardwareWrite),
        "Upload a device's document (PDF, PNG or JPEG, base64): the signed 5-year agreement's copy puts it on file for an RMA of a device over a year old (K2).";
    post "/v1/hardware/devices/{id}/reduce" => hardware_routes::reduce, Perm(P::HardwareWrite),
        "One device fewer on its lease: refused within 6 months of its delivery with the first allowed date (E3); the subscription's quantity goes down.";
    post "/v1/hardware/devices/{id}/exchange" => hardware_routes::exchange, Perm(P::HardwareWrite),
        "Exchange a leased device for another model: refused within 6 months of delivery (E3) unless the model was offered as its upgrade (E8).";
    post "/v1/hardware/devices/{id}/return" => hardware_routes::return_device, Perm(P::HardwareAdmin),
        "A device of an ending lease came back (E7).";
    post "/v1/hardware/devices/{id}/operational" => hardware_routes::operational, Perm(P::HardwareAdmin),
        "Record whether a device works (the verifier; K5).";
    post "/v1/hardware/devices/{id}/convert" => hardware_routes::convert, Perm(P::HardwareWrite),
        "Convert an operational CAPEX device to HWaaS, free, onto a lease (K5); a non-operational one is refused.";
    get "/v1/hardware/leases" => hardware_routes::leases, Perm(P::HardwareRead),
        "HWaaS leases in scope.";
    post "/v1/hardware/leases" => hardware_routes::create_lease, Perm(P::HardwareAdmin),
        "Open a lease for a billing account: its owning entity by region (E1), its term (E2).";
    get "/v1/hardware/leases/{id}" => hardware_routes::lease, Perm(P::HardwareRead),
        "A lease with its Annex A: each device's model, serial, order, delivery, first invoiced day (E4) and first day a change is allowed (E3).";
    post "/v1/hardware/leases/{id}/devices" => hardware_routes::deliver, Perm(P::HardwareAdmin),
        "A device delivered on the lease (Annex A), billed by one of the account's leased-device subscriptions from 14 days after its order (E4).";
    post "/v1/hardware/leases/{id}/end" => hardware_routes::end_lease, Perm(P::HardwareWrite),
        "End the lease: its devices are to be returned by the day given (E7).";
    post "/v1/hardware/leases/{id}/settle" => hardware_routes::settle_lease, Perm(P::HardwareAdmin),
        "After the return day: each device not returned is invoiced (unpaid fees for the term, casualty value and 10 %) and passes to the lessee (E7).";
    get "/v1/hardware/claims" => hardware_routes::claims, Perm(P::HardwareRead),
        "Replacement requests in scope; `late=true`: those not shipped within one working day (E5).";
    post "/v1/hardware/claims" => hardware_routes::claim, Perm(P::HardwareWrite),
        "Request a replacement stating the cause: damage or fire with an identifiable label free; theft or a destroyed label needs a police report naming model and serial; loss and unsuitable environment charged at the casualty value (E5, E6).";
    post "/v1/hardware/claims/{id}/ship" => hardware_routes::ship, Perm(P::HardwareAdmin),
        "The replacement shipped: it takes the old device's place; transport at cost on the next invoice (E5).";
    post "/v1/hardware/sales" => hardware_routes::record_sale, Perm(P::HardwareAdmin),
        "A CAPEX device sold (final, K1) with its purchase date and any signed 5-year warranty agreement (K2).";
    get "/v1/hardware/rmas" => hardware_routes::rmas, Perm(P::HardwareRead),
        "RMAs in scope.";
    post "/v1/hardware/rmas" => hardware_routes::open_rma, Perm(P::HardwareWrite),
        "Open an RMA for a CAPEX device under warranty with the fault and proof of purchase: a support ticket of kind RMA CAPEX (K2, K4).";
    post "/v1/hardware/rmas/{id}/label" => hardware_routes::rma_label, Perm(P::HardwareWrite),
        "US: the partner gives the RMA number, the weight and the dimensions; logistics is asked for a return label (K4, W 22.5 b).";
    post "/v1/hardware/rmas/{id}/state" => hardware_routes::rma_state, Perm(P::HardwareAdmin),
        "Move an RMA on: approved (US: the return label's data to logistics), unit received, verified (exclusions refuse it, K3), replacement or refurbished shipped, credit note on the next invoice, refused.";
}
