//! A progress line on stderr for long jobs (imports, rating runs, generators).

use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Least time between two redraws of the line (the last state is always drawn).
pub const REDRAW_EVERY: Duration = Duration::from_millis(200);

pub struct Progress {
    label: String,
    started: Instant,
    drawn: Mutex<Option<Instant>>,
}

impl Progress {
    pub fn new(label: &str) -> Progress {
        Progress {
            label: label.into(),
            started: Instant::now(),
            drawn: Mutex::new(None),
        }
    }

    pub fn update(&self, done: usize, total: usize) {
        let now = Instant::now();
        {
            let mut drawn = self.drawn.lock().unwrap_or_else(|e| e.into_inner());
            let due = drawn.is_none_or(|t| now - t >= REDRAW_EVERY);
            if !due && done != total {
                return;
            }
            *drawn = Some(now);
        }
        let secs = self.started.elapsed().as_secs_f64().max(1e-9);
        let rate = done as f64 / secs;
        let pct = if total > 0 {
            format!(" {:>3}%", done * 100 / total.max(1))
        } else {
            String::new()
        };
        if total > 0 {
            eprint!("\r{}:{pct} {done}/{total} ({rate:.0}/s)   ", self.label);
        } else {
            // The total is not known yet (a streamed file).
            eprint!("\r{}: {done} ({rate:.0}/s)   ", self.label);
        }
        let _ = std::io::stderr().flush();
    }

    pub fn finish(&self, done: usize) {
        self.update(done, done);
        eprintln!();
    }
}
