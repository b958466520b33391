//! The route table's frontline fragment (issue 19, Q, L1): the retailer's set-up and the
//! manager's statistics (users), the public call-point scan and signed video webhook, and
//! the staff devices' endpoints (a staff token: presence, requests, accepts, the live stream).

use super::prelude::*;

api! {
    get "/v1/frontline/stores" => frontline_routes::stores, Perm(P::FrontlineRead),
        "Stores in scope.";
    post "/v1/frontline/stores" => frontline_routes::create_store, Perm(P::FrontlineWrite),
        "Open a store for a customer, naming the subscriptions whose quantities are its headset and app seats (L1).";
    get "/v1/frontline/stores/{id}" => frontline_routes::store, Perm(P::FrontlineRead),
        "One store.";
    post "/v1/frontline/stores/{id}/seats" => frontline_routes::set_seats, Perm(P::FrontlineWrite),
        "Name the store's seat subscriptions (active subscriptions of its customer, one per kind of device; L1, L2).";
    post "/v1/frontline/stores/{id}/manager" => frontline_routes::set_manager, Perm(P::FrontlineWrite),
        "Name the store manager: unaccepted notifications escalate to them (Q).";
    get "/v1/frontline/broadcasts" => frontline_routes::broadcasts, Perm(P::FrontlineRead),
        "Broadcast groups in scope.";
    post "/v1/frontline/broadcasts" => frontline_routes::create_broadcast, Perm(P::FrontlineWrite),
        "Add a broadcast group to a store with its notifications' repeat frequency, escalation time and miss time (Q).";
    get "/v1/frontline/broadcasts/{id}/queue" => frontline_routes::queue, Perm(P::FrontlineRead),
        "A broadcast's queue: its open notifications in order.";
    get "/v1/frontline/staff" => frontline_routes::staff, Perm(P::FrontlineRead),
        "Staff in scope, with the broadcast each is in.";
    post "/v1/frontline/staff" => frontline_routes::create_staff, Perm(P::FrontlineWrite),
        "Add a staff member with a headset or the app: takes a seat of the store's subscription for the device, refused when none is left (L1) or none is named (L2). The device's token is shown once.";
    post "/v1/frontline/staff/{id}/active" => frontline_routes::set_active, Perm(P::FrontlineWrite),
        "Deactivate a staff member (the seat is freed, the token stops working) or activate one again (a seat is taken, L1).";
    get "/v1/frontline/call-points" => frontline_routes::call_points, Perm(P::FrontlineRead),
        "Smart call points in scope with their QR codes' codes.";
    post "/v1/frontline/call-points" => frontline_routes::create_call_point, Perm(P::FrontlineWrite),
        "Add a smart call point to a broadcast: a QR code shoppers scan for help.";
    post "/v1/frontline/call-points/{id}/active" => frontline_routes::set_call_point_active, Perm(P::FrontlineWrite),
        "Take a call point out of service (its scans are refused as an unknown code; an alert it raised stays until closed) or back.";
    get "/v1/frontline/video-sources" => frontline_routes::video_sources, Perm(P::FrontlineRead),
        "Video-analytics sources in scope.";
    post "/v1/frontline/video-sources" => frontline_routes::create_video_source, Perm(P::FrontlineWrite),
        "Register a video-analytics source for a broadcast; its alerts are signed with the secret shown once.";
    post "/v1/frontline/video-sources/{id}/active" => frontline_routes::set_video_source_active, Perm(P::FrontlineWrite),
        "Take a video source out of service (its alerts are refused) or back.";
    post "/v1/frontline/video-sources/{id}/secret" => frontline_routes::rotate_video_secret, Perm(P::FrontlineWrite),
        "Replace a video source's signing secret (shown once, as when created): alerts signed with the old one are refused from now on.";
    get "/v1/frontline/notifications" => frontline_routes::notifications, Perm(P::FrontlineRead),
        "Smart notifications in scope: their source, state, who accepted and when.";
    get "/v1/frontline/notifications/{id}" => frontline_routes::notification, Perm(P::FrontlineRead),
        "One notification.";
    get "/v1/frontline/stats" => frontline_routes::stats, Perm(P::FrontlineRead),
        "The manager's statistics per store and across stores for a period of UTC days, from the event log: alerts raised, accepted, missed, escalated and open, response times (p50, p90), staff time in the broadcasts, joins and leaves, call-point scans per point and hour.";
    get "/v1/frontline/stats.csv" => frontline_routes::stats_export, Perm(P::FrontlineRead),
        "The store comparison as CSV (one row per store, the total last).",
        doc: |d| d.answer_as(200, "text/csv", text_schema("One row per store, the total last."), "OK");
    post "/v1/frontline/call-points/{code}/scan" => frontline_routes::scan, Public,
        "A shopper scanned a call point (public, no token): limited per point and per address; every scan is logged; a scan while the point's alert is open joins it.",
        doc: |d| d.errors(&[429]);
    post "/v1/frontline/video/{id}/alerts" => frontline_routes::video_alert, Public,
        "An AI video alert (theft suspicion, queue too long, dwell time exceeded), signed `X-Tollgate-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">` with the source's secret; a wrong or old signature is refused (401) before the body is read; an alert sent again is one notification.",
        doc: |d| d.json_body::<frontline_routes::VideoAlertIn>(true).errors(&[401, 429]);
    get "/v1/frontline/me" => frontline_routes::me, Public,
        "The staff member of the device token (`Authorization: Bearer tgs_…`).";
    post "/v1/frontline/me/join" => frontline_routes::join, Public,
        "The device's member joins a broadcast of their store (from the app or a headset); recorded.";
    post "/v1/frontline/me/leave" => frontline_routes::leave, Public,
        "The device's member leaves their broadcast; recorded.";
    post "/v1/frontline/me/requests" => frontline_routes::request, Public,
        "A push-to-talk or app request for help into the member's broadcast queue; asked again before anyone answered, it joins the open one.",
        doc: |d| d.errors(&[429]);
    get "/v1/frontline/me/live" => frontline_routes::live, Public,
        "The live stream (Server-Sent Events) of the member's broadcast: the open queue, then `announce` (repeated at the broadcast's frequency until accepted), `accepted` (who took it), `escalated`, `missed`, `joined`, `left`; a manager also hears the store's escalations.",
        doc: |d| d.answer_as(200, "text/event-stream", text_schema("Server-Sent Events; each `data` is a JSON object."), "OK").errors(&[409, 429]);
    post "/v1/frontline/notifications/{id}/accept" => frontline_routes::accept, Public,
        "The device's member accepts a notification (a double press or the app): the first takes it and the broadcast is told who; later ones get 409 naming who took it.";
}
