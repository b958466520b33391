//! A progress line on stderr for long jobs (imports, rating runs, generators).

use std::io::Write;
use std::time::Instant;

pub struct Progress {
    label: String,
    started: Instant,
}

impl Progress {
    pub fn new(label: &str) -> Progress {
        Progress {
            label: label.into(),
            started: Instant::now(),
        }
    }

    pub fn update(&self, done: usize, total: usize) {
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
