//! The route table's access fragment: Logins, passwords, TOTP, tokens (A1-A3).

use super::prelude::*;

api! {
    post "/auth/login" => access::login, Public,
        "Log in with e-mail, password and TOTP code (A3); returns a session token. Repeated failures are rate limited.",
        doc: |d| d.errors(&[401, 429]);
    post "/auth/reset-password" => access::reset_password, Public,
        "Set a new password with the one-time token sent after A2.", doc: |d| d.errors(&[401]);
    get "/v1/me" => access::me, Perm(P::SelfRead),
        "Who the token belongs to.";
    post "/v1/me/logout" => access::logout, Perm(P::SelfRead),
        "Revoke the credential used for this request.";
    post "/v1/me/password" => access::set_password, Perm(P::SelfRead),
        "Set your password (A3): give the current one if you have one.";
    post "/v1/me/totp" => access::totp_enroll, Perm(P::SelfRead),
        "Start TOTP enrolment (A3): returns the secret.";
    post "/v1/me/totp/confirm" => access::totp_confirm, Perm(P::SelfRead),
        "Confirm TOTP with a first code; logins then need one.";
    post "/v1/users/{id}/credentials-lost" => access::credentials_lost, Perm(P::TokensManage),
        "A2: credentials lost or stolen: revoke every token and session of the user at once.";
    get "/v1/tokens" => access::list_tokens, Perm(P::TokensManage),
        "API tokens you may manage (never the secret).";
    post "/v1/tokens" => access::create_token, Perm(P::TokensManage),
        "Create an API token; the secret is shown once.";
    delete "/v1/tokens/{id}" => access::revoke_token, Perm(P::TokensManage),
        "Revoke an API token.";
}
