//! Frontline services (issue 19, RULEBOOK Q, X 2.B): stores, their broadcast groups and staff;
//! smart notifications from call points, AI video alerts, push-to-talk and the app, each in
//! its broadcast's ordered queue, announced, repeated until accepted, escalated to the store
//! manager and counted missed; the manager's statistics; headset and app seats (L1).
//!
//! Pure: times are arguments (milliseconds since the epoch, `_ms`), nothing here reads a
//! clock or does I/O.

use crate::decision::Refusal;

pub mod schedule;
pub mod seats;
pub mod signature;
pub mod stats;

#[cfg(test)]
mod tests;

pub use schedule::{Step, Timing};

/// Shortest repeat interval: a headset repeating faster than this is noise.
pub const MIN_REPEAT_S: i64 = 5;
/// Longest repeat interval.
pub const MAX_REPEAT_S: i64 = 600;
/// Longest time a notification may stay open before it is counted missed.
pub const MAX_MISS_AFTER_S: i64 = 3_600;
/// Defaults of a new broadcast: repeat every 20 s, escalate after 60 s, missed after 5 min.
pub const DEFAULT_REPEAT_S: i64 = 20;
pub const DEFAULT_ESCALATE_AFTER_S: i64 = 60;
pub const DEFAULT_MISS_AFTER_S: i64 = 300;
/// Characters of a notification's text at most (a headset reads it aloud).
pub const MAX_TEXT_CHARS: usize = 280;
/// Characters of a notification's source (`from`: "Till Point 4", "Camera1") at most.
pub const MAX_FROM_CHARS: usize = 64;

macro_rules! closed_list {
    ($(#[$m:meta])* $name:ident, $what:literal { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }

            /// Parses the stored or sent text; anything else is `<field>_invalid` naming the
            /// values.
            pub fn parse(s: &str, field: &'static str) -> Result<$name, Refusal> {
                match s {
                    $($text => Ok($name::$variant),)*
                    _ => Err(Refusal::invalid(
                        concat!($what, "_invalid"),
                        field,
                        format!("one of {}", [$($text),*].join(", ")),
                    )),
                }
            }
        }
    };
}

closed_list! {
    /// How a notification reaches staff (Q): a message read to the broadcast, or a call or
    /// video call an associate takes.
    NotificationType, "type" {
        BroadcastMessage = "broadcast_message",
        Call = "call",
        VideoCall = "video_call",
    }
}

closed_list! {
    /// What happened (Q).
    EventKind, "event" {
        HelpNeeded = "help_needed",
        Theft = "theft",
        DwellTimeExceeded = "dwell_time_exceeded",
        Queue = "queue",
        Request = "request",
    }
}

closed_list! {
    /// Where a notification came from.
    SourceKind, "source" {
        CallPoint = "call_point",
        Video = "video",
        PushToTalk = "push_to_talk",
        App = "app",
    }
}

closed_list! {
    /// A staff member's device: each takes a seat of its own kind (L1).
    Device, "device" {
        Headset = "headset",
        App = "app",
    }
}

closed_list! {
    /// A notification's state: open until an associate accepts it or it is missed.
    NotificationState, "state" {
        Open = "open",
        Accepted = "accepted",
        Missed = "missed",
    }
}

closed_list! {
    /// What the event log records (the statistics add up from it).
    LogKind, "log" {
        Raised = "raised",
        Announced = "announced",
        Accepted = "accepted",
        Escalated = "escalated",
        Missed = "missed",
        Joined = "joined",
        Left = "left",
    }
}

/// What a video-analytics alert means for a store: its event and the words read out.
pub fn video_event(kind: &str) -> Result<EventKind, Refusal> {
    match kind {
        "theft_suspicion" | "theft" => Ok(EventKind::Theft),
        "queue_too_long" | "queue" => Ok(EventKind::Queue),
        "dwell_time_exceeded" | "dwell" => Ok(EventKind::DwellTimeExceeded),
        _ => Err(Refusal::invalid(
            "kind_invalid",
            "kind",
            "one of theft_suspicion, queue_too_long, dwell_time_exceeded",
        )),
    }
}

/// The text a headset speaks: the source, then the text, without characters a
/// text-to-speech engine reads out as symbols.
pub fn speech_text(from: &str, text: &str) -> String {
    let clean = |s: &str| {
        s.chars()
            .map(|c| {
                if c.is_alphanumeric() || " .,'?!-".contains(c) {
                    c
                } else {
                    ' '
                }
            })
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (f, t) = (clean(from), clean(text));
    if f.is_empty() {
        t
    } else {
        format!("{f}: {t}")
    }
}

/// The default words of an event when the source sends none.
pub fn default_text(event: EventKind, from: &str) -> String {
    match event {
        EventKind::HelpNeeded => format!("A customer needs help at {from}"),
        EventKind::Theft => format!("Possible theft seen by {from}"),
        EventKind::DwellTimeExceeded => format!("A customer has waited long at {from}"),
        EventKind::Queue => format!("The queue is too long at {from}"),
        EventKind::Request => format!("{from} asks for help"),
    }
}
