//! Answers of the access routes (A1-A3): who am I, logins, passwords, TOTP, tokens.

use serde::Serialize;
use tollgate_app::records::CredentialRow;
use tollgate_app::{App, Principal};
use tollgate_core::tenancy::Role;
use utoipa::openapi::schema::ObjectBuilder;
use utoipa::ToSchema;

use crate::extract::ts;

pub(crate) fn role_schema() -> ObjectBuilder {
    super::strings(Role::ALL.map(Role::as_str))
}

fn level_schema() -> ObjectBuilder {
    super::strings(["operator", "partner", "customer"])
}

/// The caller: user, role, level and tenant, and the credential used.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeOut {
    pub user_id: String,
    pub email: String,
    #[schema(schema_with = role_schema)]
    pub role: &'static str,
    #[schema(schema_with = level_schema)]
    pub level: &'static str,
    pub partner_id: Option<String>,
    pub customer_id: Option<String>,
    pub credential_id: String,
}

impl From<&Principal> for MeOut {
    fn from(p: &Principal) -> MeOut {
        MeOut {
            user_id: p.user_id.clone(),
            email: p.email.clone(),
            role: p.role.as_str(),
            level: App::level_name(p.role),
            partner_id: p.partner_id.clone(),
            customer_id: p.customer_id.clone(),
            credential_id: p.credential_id.clone(),
        }
    }
}

/// A session: send `token` as `Authorization: Bearer <token>`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionOut {
    pub token: String,
    pub session_id: String,
    pub expires_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordSetOut {
    pub password_set: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoggedOutOut {
    pub logged_out: bool,
}

/// The TOTP secret to enrol in an authenticator; confirm with a first code.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolmentOut {
    pub secret: String,
    pub otpauth_uri: String,
    pub confirm_with: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnabledOut {
    pub totp_enabled: bool,
}

/// A2: every token and session of the user revoked at once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialsLostOut {
    pub user_id: String,
    /// Tokens and sessions revoked.
    pub revoked: u64,
    pub rule: &'static str,
    pub clause: &'static str,
    pub next: &'static str,
}

/// An API token (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    pub revoked_reason: Option<String>,
}

impl From<CredentialRow> for TokenOut {
    fn from(c: CredentialRow) -> TokenOut {
        TokenOut {
            id: c.id,
            user_id: c.user_id,
            name: c.name,
            created_at: ts(c.created_at),
            expires_at: c.expires_at.map(ts),
            revoked_at: c.revoked_at.map(ts),
            revoked_reason: c.revoked_reason,
        }
    }
}

/// A new API token with its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenCreatedOut {
    #[serde(flatten)]
    pub token_info: TokenOut,
    pub token: String,
    pub note: &'static str,
}
