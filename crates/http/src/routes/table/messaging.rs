//! The route table's messaging fragment: admission, the log, inbound, consents, suppressions, registrations, usage, export (M1-M7, F8, F9, T2, B8).

use super::prelude::*;

api! {
    post "/v1/messages" => messaging_routes::send, Perm(P::MessagesSend),
        "Admit a message like a call: account suspension (F4), validation (T2), sender owned (F8) and registered (10DLC, short code; M5), opt-outs and suppression lists (M3), marketing consent (M2) and opt-out instruction (M3), state registration (M5), quiet hours in the recipient's local time in all its zones (M4, deferred with `defer_if_quiet`), per-state caps, enumeration (M6) and bulk without consent (F9). The answer is the decision (status, code, rule, clause); admitted messages are queued durably.";
    get "/v1/messages" => messaging_routes::list, Perm(P::MessagesRead),
        "The message log in scope (M7): decisions, delivery states, inbound messages and their keywords.";
    get "/v1/messages/{id}" => messaging_routes::get, Perm(P::MessagesRead),
        "One message with its decision and delivery state.";
    post "/v1/messages/inbound" => messaging_routes::inbound, Perm(P::MessagingAdmin),
        "A message from a recipient to an account's number (a connector's webhook): STOP and the other opt-out keywords revoke consent at once with one confirmation, START opts in again, HELP is answered, a non-keyword request to stop is flagged for review (M3).";
    post "/v1/messages/receipts" => messaging_routes::receipt, Perm(P::MessagingAdmin),
        "A delivery receipt from a webhook gateway: the message with that connector id becomes delivered or failed.";
    post "/v1/messages/{id}/review" => messaging_routes::review, Perm(P::MessagingAdmin),
        "Review a flagged stop request: opt_out revokes consent, dismiss leaves it.";
    post "/v1/messaging/consents" => messaging_routes::record_consent, Perm(P::ConsentWrite),
        "Record consent (M2: the text shown, how, the evidence, the recipient's address) or its revocation; append-only.";
    get "/v1/messaging/consents" => messaging_routes::list_consents, Perm(P::MessagesRead),
        "The consent ledger in scope.";
    post "/v1/messaging/consents/erase" => messaging_routes::erase_consents, Perm(P::ConsentWrite),
        "Erase a recipient's consent records: refused with M2 until four years after the last message or event (C8: they survive termination).";
    post "/v1/messaging/suppressions" => messaging_routes::add_suppression, Perm(P::ConsentWrite),
        "Add a recipient to an account's suppression list, or (the operator) to the provider's list for every account (M3).";
    get "/v1/messaging/suppressions" => messaging_routes::list_suppressions, Perm(P::MessagesRead),
        "Suppression entries in scope.";
    delete "/v1/messaging/suppressions/{id}" => messaging_routes::remove_suppression, Perm(P::ConsentWrite),
        "Remove a suppression entry (kept, marked removed).";
    post "/v1/messaging/registrations" => messaging_routes::file_registration, Perm(P::RegistrationsWrite),
        "File a 10DLC brand or campaign, short code, toll-free verification, sender ID or state registration (M5) with its pass-through fees (B8).";
    get "/v1/messaging/registrations" => messaging_routes::list_registrations, Perm(P::MessagesRead),
        "Registrations in scope with status and expiry.";
    post "/v1/messaging/registrations/{id}/status" => messaging_routes::registration_status, Perm(P::MessagingAdmin),
        "The registry's answer: approved (the one-off fee goes on the next invoice, B8), rejected, suspended, expired.";
    put "/v1/billing-accounts/{id}/messaging-price" => messaging_routes::put_price, Perm(P::MessagingAdmin),
        "The account's price per SMS segment beyond the included SMS.";
    post "/v1/messaging/usage-close" => messaging_routes::usage_close, Perm(P::BillingRun),
        "Put a closed month's messaging on the next invoice: segments beyond the included SMS per user, carrier surcharges and registration monthly fees as pass-throughs (B8); idempotent.";
    get "/v1/messaging/export" => messaging_routes::export, Perm(P::MessagesRead),
        "The audit export of an account and period (M7): consents, opt-outs, registrations, suppressions and the message log, as JSON or CSV (one kind).",
        doc: |d| d
            .answer::<MessagingExportOut>(200, "OK")
            .answer_as(200, "text/csv", text_schema("With format=csv: one kind (messages, consents, registrations, suppressions)."), "OK");
}
