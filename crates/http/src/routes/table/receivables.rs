//! The route table's receivables fragment: payments, disputes and credit notes, billing credits, statements, aged receivables, the outbox (B6, B9, B10).

use super::prelude::*;

api! {
    get "/v1/payments" => receivables_routes::list_payments, Perm(P::ReceivablesRead),
        "Payments in scope: a customer its own; a partner those it received and made; the operator all.";
    post "/v1/payments" => receivables_routes::record_payment, Perm(P::PaymentsWrite),
        "Record a payment to an invoice's issuer (idempotent by bank reference): allocated to the named invoice or the oldest open invoice first; the rest becomes a billing credit (B9).";
    post "/v1/payments/{id}/decline" => receivables_routes::decline_payment, Perm(P::PaymentsWrite),
        "A declined or returned payment: its allocations are reversed, the invoices are due again and the billing contact is told (B10).";
    get "/v1/disputes" => receivables_routes::list_disputes, Perm(P::ReceivablesRead),
        "Disputes in scope (B9).";
    post "/v1/invoices/{id}/disputes" => receivables_routes::open_dispute, Perm(P::DisputesWrite),
        "Dispute lines of an invoice within the profile's window from the invoice date (B9): the undisputed part stays due.";
    post "/v1/disputes/{id}/resolve" => receivables_routes::resolve_dispute, Perm(P::PaymentsWrite),
        "Resolve a dispute as the issuer: the upheld part becomes a credit note, the rest is due 30 days later (B9).";
    get "/v1/credit-notes" => receivables_routes::list_credit_notes, Perm(P::ReceivablesRead),
        "Credit notes in scope (their own gapless series per issuer and year).";
    get "/v1/billing-credits" => receivables_routes::list_credits, Perm(P::ReceivablesRead),
        "Billing credits in scope and what is left of each for the next invoices (B9, B12).";
    get "/v1/billing-accounts/{id}/statement" => receivables_routes::statement, Perm(P::ReceivablesRead),
        "Statement of account, read from the ledger: opening balance, invoices, payments, credits, interest, closing balance.";
    get "/v1/receivables/aged" => receivables_routes::aged, Perm(P::ReceivablesReport),
        "Aged receivables of the caller as issuer (the operator: every issuer): open amounts by days past due.";
    post "/v1/subscriptions/{id}/cancel" => receivables_routes::cancel_subscription, Perm(P::OrdersExecute),
        "Written cancellation (C4): under x-hoppers-2025 within 30 days of the purchase's effective date, fees stop on the notice day and the prepaid unused part is credited pro rata; otherwise purchases are final.";
    post "/v1/billing-accounts/{id}/terminate" => receivables_routes::terminate, Perm(P::OrdersExecute),
        "Terminate an account (C5-C7): the customer for the provider's breach or an adverse amendment (prepaid unused fees credited and refunded, no penalty); the provider for the customer's breach, insolvency, a regulator or an express cause (the remainder of each term charged). Numbers go into quarantine (T9).";
    post "/v1/subscriptions/{id}/quantity" => receivables_routes::change_quantity, Perm(P::OrdersWrite),
        "Change a subscription's quantity from a day: the part of the period already invoiced is charged or credited by days on the next invoice (B3); later periods bill the new quantity.";
    put "/v1/interest-caps" => receivables_routes::set_interest_cap, Perm(P::BillingRun),
        "The legal maximum rate of late interest in a jurisdiction from a day (B6: the profile's rate or this cap, if lower); the operator's.";
    put "/v1/dunning-policy" => receivables_routes::set_dunning_policy, Perm(P::PaymentsWrite),
        "The issuer's dunning: reminder days past due, and from which day and overdue balance outbound calls are suspended (F4) until paid.";
    get "/v1/outbox" => receivables_routes::list_outbox, Perm(P::OutboxManage),
        "Notifications by delivery state (pending, sent, dead): attempts and the last error.";
    post "/v1/outbox/{id}/requeue" => receivables_routes::requeue, Perm(P::OutboxManage),
        "Put a dead-lettered notification back in the queue.";
    get "/v1/webhooks" => receivables_routes::list_webhooks, Perm(P::OutboxManage),
        "The operator's webhook endpoints.";
    post "/v1/webhooks" => receivables_routes::create_webhook, Perm(P::OutboxManage),
        "Register an endpoint (a plain-HTTP URL): every notification queued from now on is also posted to it, signed with HMAC-SHA256 under the secret returned once.";
    delete "/v1/webhooks/{id}" => receivables_routes::disable_webhook, Perm(P::OutboxManage),
        "Disable an endpoint: nothing more is queued for it.";
}
