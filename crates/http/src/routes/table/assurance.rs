//! The route table's service-assurance fragment (issue 17): services and components, probes,
//! incidents, maintenance, availability (S1, S2), restoration (T5), SLA credits (S3, B12) and
//! the public status feed, Atom feed and badge.

use super::prelude::*;

api! {
    get "/v1/assurance/services" => assurance_routes::services, Perm(P::AssuranceRead),
        "The services of the status page with their components.";
    post "/v1/assurance/services" => assurance_routes::create_service, Perm(P::AssuranceAdmin),
        "Add a service to the status page.";
    get "/v1/assurance/components" => assurance_routes::components, Perm(P::AssuranceRead),
        "Every component with its service (the ids incidents, maintenance and customers' mappings use).";
    post "/v1/assurance/components" => assurance_routes::create_component, Perm(P::AssuranceAdmin),
        "Add a component to a service (CLASSOUND components are tracked against the restoration time, T5).";
    get "/v1/customers/{id}/components" => assurance_routes::customer_components, Perm(P::AssuranceRead),
        "The components a customer's services use: its availability is measured on them.";
    put "/v1/customers/{id}/components" => assurance_routes::set_customer_components, Perm(P::AssuranceAdmin),
        "Set the components a customer's services use (availability, SLA credits and NOC tickets follow).";
    get "/v1/assurance/probes" => assurance_routes::probes, Perm(P::AssuranceAdmin),
        "Probes with their streak and last result.";
    post "/v1/assurance/probes" => assurance_routes::create_probe, Perm(P::AssuranceAdmin),
        "Add a probe: HTTP (status, body match), TCP connect, DNS, SIP OPTIONS over UDP or TCP; consecutive failures open an incident, recovery closes it.";
    post "/v1/assurance/probes/{id}/enabled" => assurance_routes::probe_enabled, Perm(P::AssuranceAdmin),
        "Enable or pause a probe.";
    get "/v1/assurance/probes/{id}/results" => assurance_routes::probe_results, Perm(P::AssuranceAdmin),
        "A probe's latest results with latency, newest first.";
    post "/v1/assurance/probes/run" => assurance_routes::run_probes, Perm(P::AssuranceAdmin),
        "Run the probes due now (the server also runs them on their schedules).";
    get "/v1/assurance/incidents" => assurance_routes::incidents, Perm(P::AssuranceRead),
        "Incidents (public information), filtered by state, cause and the period they were open.";
    post "/v1/assurance/incidents" => assurance_routes::open_incident, Perm(P::AssuranceAdmin),
        "Open an incident by hand with its cause: only the provider's sole fault counts against availability (S3; force majeure W 9.8, third party and customer do not).";
    get "/v1/assurance/incidents/{id}" => assurance_routes::incident, Perm(P::AssuranceRead),
        "One incident with its components, public updates and, for CLASSOUND, its restoration against each profile's restoration time (T5).";
    post "/v1/assurance/incidents/{id}/updates" => assurance_routes::update_incident, Perm(P::AssuranceAdmin),
        "Post a public update; `resolved` closes the incident; a corrected cause changes what counts.";
    get "/v1/assurance/maintenance" => assurance_routes::maintenance, Perm(P::AssuranceRead),
        "Maintenance windows in a period with the time their notice went out (S1).";
    post "/v1/assurance/maintenance" => assurance_routes::plan_maintenance, Perm(P::AssuranceAdmin),
        "Plan a maintenance window; excluded from availability only if notified at least the profile's lead time before it starts (S1).";
    post "/v1/assurance/maintenance/{id}/notice" => assurance_routes::notify_maintenance, Perm(P::AssuranceAdmin),
        "Send a window's notice now (its time is recorded).";
    post "/v1/assurance/maintenance/{id}/cancel" => assurance_routes::cancel_maintenance, Perm(P::AssuranceAdmin),
        "Cancel a window that has not started.";
    get "/v1/assurance/availability" => assurance_routes::days, Perm(P::AssuranceRead),
        "A service's published daily availability (S2): exact seconds counted and excluded.";
    get "/v1/assurance/availability/month" => assurance_routes::month, Perm(P::AssuranceRead),
        "A month's availability of a service, or of a customer in scope from the components its services use (S1, S3).";
    post "/v1/assurance/availability/publish" => assurance_routes::publish, Perm(P::AssuranceAdmin),
        "Compute and publish the daily availability now (the server does it on its schedule).";
    get "/v1/assurance/restoration" => assurance_routes::restoration, Perm(P::AssuranceRead),
        "CLASSOUND incidents of a month against each profile's restoration time, breaches marked (T5).";
    post "/v1/sla/close" => assurance_routes::sla_close, Perm(P::SlaClose),
        "Close a past month's SLA: each licensed account's availability gives the share of its licence fee payable under its profile's tiers; the rest is credited on the next invoice, retail and on the partner's wholesale fee (S3, B12). Idempotent per month, account and level.";
    get "/v1/sla/credits" => assurance_routes::sla_credits, Perm(P::AssuranceRead),
        "SLA outcomes in scope with their computation (minutes, excluded maintenance, tier, credit).";
    get "/status.json" => assurance_routes::status, Public,
        "The public status feed: each service's state and 90 days of daily availability, open and recent incidents with updates, planned maintenance (S2).";
    get "/status/feed.atom" => assurance_routes::status_feed, Public,
        "The status page as an Atom feed: incident updates and planned maintenance.",
        doc: |d| d.answer_as(200, "application/atom+xml", text_schema("An Atom 1.0 feed."), "OK");
    get "/status/badge/{id}" => assurance_routes::status_badge, Public,
        "A service's uptime badge (SVG) over the published window.",
        doc: |d| d.answer_as(200, "image/svg+xml", text_schema("An SVG badge."), "OK");
}
