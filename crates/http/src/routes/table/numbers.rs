//! The route table's numbers fragment: Numbers, port-ins and port-outs, emergency data, documents (T6-T14, B11).

use super::prelude::*;

api! {
    get "/v1/numbers" => numbers_routes::list_numbers, Perm(P::NumbersRead),
        "Numbers in scope (partners also see unassigned inventory to reserve).";
    post "/v1/numbers" => numbers_routes::import_numbers, Perm(P::NumbersAdmin),
        "Add numbers to the inventory (JSON or text/csv with columns e164, capabilities); refused lines are reported.", bulk: true,
        doc: |d| d.json_body::<numbers_routes::ImportIn>(true).body_as("text/csv", "Columns e164, capabilities (voice, sms, fax separated by `;` or space).");
    post "/v1/numbers/sweep" => numbers_routes::sweep, Perm(P::NumbersAdmin),
        "Apply what time decides now: missed document deadlines (B11), quarantines over (T9), port-outs at their date (T6).";
    get "/v1/numbers/{id}" => numbers_routes::get_number, Perm(P::NumbersRead),
        "One number (id or E.164 digits) with the emergency address in force, a pending change and a pending port-out.";
    get "/v1/numbers/{id}/history" => numbers_routes::number_history, Perm(P::NumbersRead),
        "Every recorded transition (actor, time, reason, rule), address history, documents and document requests.";
    post "/v1/numbers/{id}/reserve" => numbers_routes::reserve, Perm(P::NumbersWrite),
        "Reserve an available number for a billing account: provisional until verified and confirmed (T10).";
    post "/v1/numbers/{id}/unreserve" => numbers_routes::unreserve, Perm(P::NumbersWrite),
        "Give a provisional number back (T10).";
    post "/v1/numbers/{id}/verify" => numbers_routes::verify, Perm(P::NumbersAdmin),
        "The provider verified the provisional number (T10).";
    post "/v1/numbers/{id}/confirm" => numbers_routes::confirm, Perm(P::NumbersCustomerWrite),
        "The customer confirmed the provisional number, e.g. a test call (T10).";
    post "/v1/numbers/{id}/activate" => numbers_routes::activate, Perm(P::NumbersWrite),
        "Activate: needs verification and confirmation (T10), an emergency address and the acknowledgement (T13), the country's rules (T11); the Activation Date starts billing (B2).";
    post "/v1/numbers/{id}/release" => numbers_routes::release, Perm(P::NumbersWrite),
        "Release at cancellation or termination; the number goes to quarantine (T9).";
    post "/v1/numbers/{id}/suspend" => numbers_routes::suspend, Perm(P::NumbersAdmin),
        "Suspend a number (B11); the partner stays liable.";
    post "/v1/numbers/{id}/resume" => numbers_routes::resume, Perm(P::NumbersAdmin),
        "Resume a suspended number (B11).";
    post "/v1/numbers/{id}/port-out" => numbers_routes::port_out, Perm(P::NumbersAdmin),
        "Record a gaining provider's valid port-out request; it must be followed (T8).";
    post "/v1/numbers/{id}/port-out/complete" => numbers_routes::port_out_complete, Perm(P::NumbersAdmin),
        "The number leaves at the port date; the contract continues (T6).";
    post "/v1/numbers/{id}/port-out/cancel" => numbers_routes::port_out_cancel, Perm(P::NumbersAdmin),
        "The gaining provider withdrew its port-out request (T8).";
    post "/v1/numbers/{id}/routing" => numbers_routes::routing, Perm(P::NumbersWrite),
        "Where calls go; trunking or forwarding to a PBX or multi-call number is refused under no-trunking terms (T14).";
    post "/v1/numbers/{id}/cnam" => numbers_routes::cnam, Perm(P::NumbersWrite),
        "Caller name (CNAM) for US and CA numbers, at most 15 characters.";
    post "/v1/numbers/{id}/emergency-address" => numbers_routes::emergency_address, Perm(P::NumbersCustomerWrite),
        "Register the emergency service address; a change of a number in service applies after 48 h, the old address is used meanwhile (T13).";
    post "/v1/numbers/{id}/documents" => numbers_routes::number_document, Perm(P::NumbersWrite),
        "Upload a document for a number (pdf, png, jpeg; base64; size-limited), e.g. identity evidence (T11, B11).";
    post "/v1/numbers/{id}/document-requests" => numbers_routes::number_document_request, Perm(P::NumbersAdmin),
        "Request documents for a number by a deadline; missing it flags the partner and, per policy, suspends the number (B11).";
    get "/v1/port-ins" => numbers_routes::list_port_ins, Perm(P::NumbersRead),
        "Port-in requests in scope (T7).";
    post "/v1/port-ins" => numbers_routes::create_port_in, Perm(P::PortingWrite),
        "Request a port-in through the reseller with letter-of-authorisation data (T7).";
    get "/v1/port-ins/{id}" => numbers_routes::get_port_in, Perm(P::NumbersRead),
        "One port-in with documents, document requests and transitions.";
    post "/v1/port-ins/{id}/submit" => numbers_routes::port_in_submit, Perm(P::PortingWrite),
        "Submit a draft: the LOA must be complete with its signed document (T7).";
    post "/v1/port-ins/{id}/accept" => numbers_routes::port_in_accept, Perm(P::NumbersAdmin),
        "The losing provider acknowledged the request (pending).";
    post "/v1/port-ins/{id}/schedule" => numbers_routes::port_in_schedule, Perm(P::NumbersAdmin),
        "The losing provider gave the firm order commitment date.";
    post "/v1/port-ins/{id}/complete" => numbers_routes::port_in_complete, Perm(P::NumbersAdmin),
        "The port completed: the numbers are active, their Activation Date starts billing (B2).";
    post "/v1/port-ins/{id}/reject" => numbers_routes::port_in_reject, Perm(P::NumbersAdmin),
        "The port-in was rejected.";
    post "/v1/port-ins/{id}/cancel" => numbers_routes::port_in_cancel, Perm(P::PortingWrite),
        "Cancel a port-in that is not final.";
    post "/v1/port-ins/{id}/documents" => numbers_routes::port_in_document, Perm(P::PortingWrite),
        "Upload a porting document (pdf, png, jpeg; base64; size-limited); it fulfils open requests of its kind.";
    post "/v1/port-ins/{id}/document-requests" => numbers_routes::port_in_document_request, Perm(P::NumbersAdmin),
        "Request porting documents by a deadline (B11); `numbers` names the DIDs to suspend if it is missed.";
    get "/v1/emergency-acknowledgements/text" => numbers_routes::ack_text, Perm(P::NumbersRead),
        "The emergency-call limitations text to acknowledge, with its version (T13).";
    get "/v1/emergency-acknowledgements" => numbers_routes::list_acks, Perm(P::NumbersRead),
        "A customer's acknowledgements (who, when, text version) (T13).";
    post "/v1/emergency-acknowledgements" => numbers_routes::acknowledge, Perm(P::NumbersCustomerWrite),
        "Record the customer's written acknowledgement of the emergency-call limitations (T13).";
    post "/v1/emergency-contacts" => numbers_routes::emergency_contact, Perm(P::NumbersCustomerWrite),
        "Designate the contact notified of every emergency call (T13).";
}
