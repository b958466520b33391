//! The route table's support fragment: tickets, threads, clocks, feedback, suggestions, holidays, inbound e-mail (H1-H12, S4).

use super::prelude::*;

api! {
    get "/v1/tickets" => support_routes::list_tickets, Perm(P::TicketsRead),
        "Tickets in scope with their response clocks; `breached=true` for overdue first responses.";
    post "/v1/tickets" => support_routes::create_ticket, Perm(P::TicketsWrite),
        "Open a ticket (H1-H8): refused with the rule and whom to contact when the caller is not supported directly; the class of service proposed from the answers; the first response due in the region's support hours.";
    get "/v1/tickets/{id}" => support_routes::get_ticket, Perm(P::TicketsRead),
        "A ticket with its thread (internal notes for the provider's agents only).";
    post "/v1/tickets/{id}/messages" => support_routes::reply, Perm(P::TicketsWrite),
        "Reply in the thread. An agent's first public reply stops the response clock. A reply to a closed ticket opens a new ticket referencing it (H9), which is returned.";
    post "/v1/tickets/{id}/attachments" => support_routes::attach, Perm(P::TicketsWrite),
        "Attach a trace, log, screenshot or document (base64, at most 5 MiB, 20 per ticket; the type declared and matched by content).", bulk: true;
    get "/v1/tickets/{id}/attachments" => support_routes::attachments, Perm(P::TicketsRead),
        "A ticket's attachments with their content.";
    post "/v1/tickets/{id}/state" => support_routes::set_state, Perm(P::TicketsAgent),
        "Move a ticket (new, open, pending_customer, resolved, closed); closed is final (H9).";
    post "/v1/tickets/{id}/cos" => support_routes::set_cos, Perm(P::TicketsAgent),
        "Override the proposed class of service (H4), audited; the clock is recomputed from the creation time.";
    post "/v1/tickets/{id}/assign" => support_routes::assign, Perm(P::TicketsAgent),
        "Assign a ticket to an agent.";
    post "/v1/tickets/{id}/feedback" => support_routes::feedback, Perm(P::TicketsWrite),
        "Rate a resolved ticket 1-5 with a comment (H10).";
    post "/v1/tickets/{id}/contact-customer" => support_routes::contact_customer, Perm(P::TicketsAgent),
        "Record a direct contact with the partner's end customer on a Critical ticket the partner did not answer in time (H12).";
    get "/v1/support/suggestions" => support_routes::suggestions, Perm(P::TicketsRead),
        "Knowledge-base articles for what is being typed (the last word completed) and the topic chosen (H11).";
    get "/v1/support/articles/{slug}" => support_routes::article, Perm(P::TicketsRead),
        "One knowledge-base article (Markdown).";
    get "/v1/support/report" => support_routes::report, Perm(P::TicketsRead),
        "Response-time attainment per class of service and partner for a month, and the open backlog by age, in the caller's scope.";
    get "/v1/support/holidays" => support_routes::holidays, Perm(P::TicketsRead),
        "The public holidays of a support region (H3).";
    put "/v1/support/holidays" => support_routes::put_holiday, Perm(P::TicketsAgent),
        "Set a public holiday of a support region: the clocks skip it (H3).";
    put "/v1/partners/{id}/support-region" => support_routes::set_region, Perm(P::TicketsAgent),
        "The region whose support hours a partner's tickets run in: americas (New York) or emea (Berlin) (H3).";
    post "/v1/support/inbound-mail" => support_routes::inbound_mail, Perm(P::TicketsAgent),
        "An inbound e-mail as the MTA received it (message/rfc822): a follow-up naming its ticket (TKT-...) lands in the thread; a new ticket by e-mail is refused with an automatic reply (H5).", bulk: true,
        doc: |d| d.body_as("message/rfc822", "The raw RFC 5322 message.")
            .body_as("text/plain", "The same raw message, for MTAs that label it as text.");
}
