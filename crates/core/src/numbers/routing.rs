//! Extras: T14 routing, CNAM.

use super::*;

/// Where calls to a number go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routing {
    /// To the customer's users and devices.
    Direct,
    /// Forwarded to one single-line number.
    ForwardSingleLine,
    /// Delivered over a SIP trunk to a PBX.
    SipTrunk,
    /// Forwarded to a PBX.
    ForwardPbx,
    /// Forwarded to a multi-call number.
    ForwardMultiCall,
}

impl Routing {
    pub const ALL: [Routing; 5] = [
        Routing::Direct,
        Routing::ForwardSingleLine,
        Routing::SipTrunk,
        Routing::ForwardPbx,
        Routing::ForwardMultiCall,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Routing::Direct => "direct",
            Routing::ForwardSingleLine => "forward_single_line",
            Routing::SipTrunk => "sip_trunk",
            Routing::ForwardPbx => "forward_pbx",
            Routing::ForwardMultiCall => "forward_multi_call",
        }
    }

    pub fn parse(s: &str) -> Option<Routing> {
        Routing::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// T14: trunking or forwarding to a PBX or multi-call number.
    pub fn is_trunking(self) -> bool {
        matches!(
            self,
            Routing::SipTrunk | Routing::ForwardPbx | Routing::ForwardMultiCall
        )
    }
}

/// T14: under a no-trunking profile (`x-hoppers-2025`) numbers may not be trunked or forwarded
/// to a PBX or multi-call number.
pub fn check_routing(no_trunking: bool, r: Routing) -> Result<(), Refusal> {
    if no_trunking && r.is_trunking() {
        return Err(Refusal::new(
            "trunking_not_allowed",
            rules::T14,
            format!(
                "the customer's terms forbid trunking or forwarding numbers to a PBX or multi-call number ({})",
                r.as_str()
            ),
        )
        .on_field("routing"));
    }
    Ok(())
}

/// CNAM for US/CA numbers: up to 15 letters, digits, spaces and `.,&'-`. Returns it trimmed.
pub fn check_cnam(country_iso: &str, name: &str) -> Result<String, Refusal> {
    if !country(country_iso).is_some_and(|c| c.cnam) {
        return Err(Refusal::invalid(
            "cnam_not_applicable",
            "cnam",
            format!(
                "caller name (CNAM) is provisioned for US and CA numbers only, not {country_iso}"
            ),
        ));
    }
    let n = name.trim();
    if n.is_empty()
        || n.chars().count() > CNAM_MAX_CHARS
        || !n
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " .,&'-".contains(c))
    {
        return Err(Refusal::invalid(
            "cnam_invalid",
            "cnam",
            format!("1 to {CNAM_MAX_CHARS} letters, digits, spaces or .,&'-"),
        ));
    }
    Ok(n.to_string())
}
