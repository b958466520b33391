//! The route table's guard fragment: The real-time guard: call decisions and progress, policies, suspensions, incidents (F1-F8, T1-T4, T13).

use super::prelude::*;

api! {
    post "/v1/guard/calls" => guard_routes::decide, Perm(P::GuardDecide),
        "Admit or refuse a call: allow | busy | deny, with code, rule, clause and max_duration_s; emergency calls carry the registered address and call-back number (T13, F1-F8, T1-T4).";
    post "/v1/guard/calls/{id}/answer" => guard_routes::answer, Perm(P::GuardDecide),
        "The call was answered (optional body {\"at\"}).";
    post "/v1/guard/calls/{id}/end" => guard_routes::end, Perm(P::GuardDecide),
        "The call ended: it leaves the live set and becomes a rated CDR.";
    get "/v1/guard/teardowns" => guard_routes::teardowns, Perm(P::GuardDecide),
        "Live calls the SIP edge must tear down now: their account was suspended while they were live (F4); each leaves the list when its end is reported. Emergency calls are never listed (T13).";
    post "/v1/guard/auth-failures" => guard_routes::auth_failure, Perm(P::GuardDecide),
        "An authentication failure seen by the SIP edge (F6).";
    post "/v1/guard/destination-prefixes" => guard_routes::add_prefix, Perm(P::GuardManage),
        "Add an operator-managed forbidden destination range (F2).";
    get "/v1/incidents" => guard_routes::list_incidents, Perm(P::GuardRead),
        "Fraud and abuse incidents in scope, with evidence.";
    get "/v1/suspensions" => guard_routes::list_suspensions, Perm(P::GuardRead),
        "Suspensions in scope (full and selective).";
    post "/v1/billing-accounts/{id}/suspensions" => guard_routes::suspend, Perm(P::GuardSuspend),
        "Suspend all, outbound or international calls, optionally until a time (F4).";
    post "/v1/suspensions/{id}/reactivate" => guard_routes::reactivate, Perm(P::GuardSuspend),
        "Lift a suspension, with the reason (F4).";
    get "/v1/billing-accounts/{id}/guard-policy" => guard_routes::get_policy, Perm(P::GuardRead),
        "An account's guard policy and live calls.";
    put "/v1/billing-accounts/{id}/guard-policy" => guard_routes::put_policy, Perm(P::GuardManage),
        "Replace the policy: validation (T2), licences (T3), bandwidth (T1), home country and international allowlist as ISO countries (F2), credit limit. Every field is required (null clears a nullable one).";
    patch "/v1/billing-accounts/{id}/guard-policy" => guard_routes::patch_policy, Perm(P::GuardManage),
        "Change only the fields given (null clears a nullable one).";
    post "/v1/billing-accounts/{id}/announcements" => guard_routes::announce, Perm(P::GuardAnnounce),
        "Announce legitimate unusual activity: thresholds rise for the window (F7).";
}
