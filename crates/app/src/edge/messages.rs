//! What Kamailio and Tollgate say to each other over evapi (deploy/kamailio/README.md has
//! the whole protocol): events from the edge, commands to it. JSON in netstrings.

use serde::{Deserialize, Serialize};

/// From Kamailio.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EdgeEvent {
    /// The first message of a connection: the edge's credential (a `sip_edge` token).
    Hello { token: String },
    /// An initial INVITE, suspended until the decision names its transaction.
    Invite {
        tindex: u64,
        tlabel: u64,
        call_id: String,
        from: String,
        to: String,
        #[serde(default)]
        src_ip: String,
    },
    /// The dialog was confirmed (200 OK), at `at` (Unix seconds; now when absent). Sent
    /// late, after a Tollgate restart, when no guard was connected at the time.
    Answered {
        call_id: String,
        #[serde(default)]
        at: Option<i64>,
    },
    /// An admitted call ended: BYE, CANCEL, a failure, its timeout, or a cut.
    Ended {
        call_id: String,
        #[serde(default)]
        reason: String,
        #[serde(default)]
        status: u16,
        /// When it ended (Unix seconds; now when absent).
        #[serde(default)]
        at: Option<i64>,
    },
    /// Credentials were presented and were wrong (F6).
    AuthFailed {
        src_ip: String,
        #[serde(default)]
        username: String,
    },
}

/// To Kamailio.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum EdgeCommand {
    /// Resume the suspended INVITE: `allow` (relay, with `max_duration_s` as the dialog
    /// timeout), `busy` (486), `deny` (403) or `unavailable` (503; emergency still relayed).
    Decision {
        tindex: u64,
        tlabel: u64,
        call_id: String,
        decision: &'static str,
        code: String,
        rule: String,
        clause: String,
        max_duration_s: u32,
    },
    /// End a live call now (F4: its account or scope was suspended).
    Cut { call_id: String, rule: String },
    /// Refuse every request from a source until `seconds` from now (F6).
    Ban { ip: String, seconds: i64 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_read_the_edge_json_and_commands_write_it() {
        let e: EdgeEvent = serde_json::from_str(
            r#"{"event":"invite","tindex":7,"tlabel":1234,"call_id":"a@b","from":"+33170000001","to":"112","src_ip":"127.0.0.1"}"#,
        )
        .unwrap();
        assert_eq!(
            e,
            EdgeEvent::Invite {
                tindex: 7,
                tlabel: 1234,
                call_id: "a@b".into(),
                from: "+33170000001".into(),
                to: "112".into(),
                src_ip: "127.0.0.1".into(),
            }
        );
        let c = EdgeCommand::Cut {
            call_id: "a@b".into(),
            rule: "F4".into(),
        };
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"cmd":"cut","call_id":"a@b","rule":"F4"}"#
        );
    }
}
