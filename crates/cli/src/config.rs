//! Configuration: defaults < `tollgate.toml` < `TOLLGATE_*` environment < flags.
//! Unknown keys and variables are warned about; secrets are redacted in every dump.

use std::path::PathBuf;

use serde::Deserialize;

/// Every setting, with its default.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub listen: String,
    /// Where the SQLite database and demo files live.
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...`; empty means SQLite in `data_dir`.
    pub database_url: String,
    /// Log filter (`info`, `tollgate=debug`, ...).
    pub log: String,
    /// `text` (default) or `json` (one object per line).
    pub log_format: String,
    /// Largest request body, bytes.
    pub max_body_bytes: usize,
    /// Seed the demo tenant at start.
    pub demo: bool,
    /// Reverse proxies whose `X-Forwarded-For` / `Forwarded` headers name the client
    /// (comma-separated IPs or CIDRs, e.g. `127.0.0.1,10.0.0.0/8`); empty trusts none.
    pub trusted_proxies: String,
    /// The SMTP relay (`host:port`, plain SMTP) the outbox is delivered to; empty: messages
    /// wait in the outbox (visible at `GET /v1/outbox`) and nothing is sent.
    pub smtp_relay: String,
    /// The sender address of delivered mail.
    pub mail_from: String,
    /// Kamailio's evapi socket (`host:port`) to connect to as the SIP edge's guard; empty:
    /// no edge connection (calls are decided over HTTP only).
    pub edge_evapi: String,
    /// The SMSC (`host:port`, SMPP 3.4) messages are delivered through; empty: admitted
    /// messages wait in the queue (with `demo`, a local SMSC on 127.0.0.1 takes them).
    pub smpp: String,
    pub smpp_system_id: String,
    /// The SMPP password (redacted in `config show`).
    pub smpp_password: String,
    /// A messaging gateway reached by signed webhooks (`http://host:port/path`), used when
    /// `smpp` is empty.
    pub messaging_webhook: String,
    /// The webhook signing secret (redacted in `config show`).
    pub messaging_webhook_secret: String,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("data"),
            database_url: String::new(),
            log: "info".into(),
            log_format: "text".into(),
            max_body_bytes: tollgate_http::DEFAULT_MAX_BODY_BYTES,
            demo: false,
            trusted_proxies: String::new(),
            smtp_relay: String::new(),
            mail_from: "tollgate@localhost".into(),
            edge_evapi: String::new(),
            smpp: String::new(),
            smpp_system_id: "tollgate".into(),
            smpp_password: String::new(),
            messaging_webhook: String::new(),
            messaging_webhook_secret: String::new(),
        }
    }
}

/// Keys of [`Config`], for unknown-key warnings and `TOLLGATE_*` names.
pub const KEYS: &[&str] = &[
    "listen",
    "data_dir",
    "database_url",
    "log",
    "log_format",
    "max_body_bytes",
    "demo",
    "trusted_proxies",
    "smtp_relay",
    "mail_from",
    "edge_evapi",
    "smpp",
    "smpp_system_id",
    "smpp_password",
    "messaging_webhook",
    "messaging_webhook_secret",
];

/// Flags that override the file and the environment.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub demo: bool,
}

/// Loads the layered configuration. Returns it with the warnings met on the way.
pub fn load(
    file: Option<PathBuf>,
    env: &[(String, String)],
    flags: &Overrides,
) -> Result<(Config, Vec<String>), String> {
    let mut warnings = Vec::new();
    let mut table = toml::Table::new();
    let explicit = file.is_some();
    let path = file.unwrap_or_else(|| PathBuf::from("tollgate.toml"));
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            table = text
                .parse::<toml::Table>()
                .map_err(|e| format!("{}: {}", path.display(), e.message()))?;
            for k in table.keys() {
                if !KEYS.contains(&k.as_str()) {
                    warnings.push(format!(
                        "{}: unknown key `{k}` ignored (known: {})",
                        path.display(),
                        KEYS.join(", ")
                    ));
                }
            }
            table.retain(|k, _| KEYS.contains(&k));
        }
        Err(e) if explicit => return Err(format!("{}: {e}", path.display())),
        Err(_) => {}
    }
    for (name, value) in env {
        let Some(key) = name.strip_prefix("TOLLGATE_") else {
            continue;
        };
        let key = key.to_lowercase();
        if key == "config" || key.starts_with("test_") {
            continue;
        }
        if !KEYS.contains(&key.as_str()) {
            warnings.push(format!("environment: unknown variable `{name}` ignored"));
            continue;
        }
        let v = match key.as_str() {
            "max_body_bytes" => toml::Value::Integer(
                value
                    .parse()
                    .map_err(|_| format!("{name}: `{value}` is not a number"))?,
            ),
            "demo" => toml::Value::Boolean(matches!(value.as_str(), "1" | "true" | "yes")),
            _ => toml::Value::String(value.clone()),
        };
        table.insert(key, v);
    }
    let mut cfg: Config = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| format!("configuration: {}", e.message()))?;
    if let Some(l) = &flags.listen {
        cfg.listen = l.clone();
    }
    if let Some(d) = &flags.data_dir {
        cfg.data_dir = d.clone();
    }
    if let Some(u) = &flags.database_url {
        cfg.database_url = u.clone();
    }
    cfg.demo |= flags.demo;
    Ok((cfg, warnings))
}

impl Config {
    /// The SMTP relay, when one is configured.
    pub fn smtp_relay(&self) -> Result<Option<tollgate_app::delivery::SmtpRelay>, String> {
        if self.smtp_relay.is_empty() {
            return Ok(None);
        }
        let (host, port) = self
            .smtp_relay
            .rsplit_once(':')
            .ok_or_else(|| format!("smtp_relay `{}`: expected host:port", self.smtp_relay))?;
        let port = port
            .parse()
            .map_err(|_| format!("smtp_relay `{}`: the port is not a number", self.smtp_relay))?;
        Ok(Some(tollgate_app::delivery::SmtpRelay {
            host: host.into(),
            port,
            from: self.mail_from.clone(),
        }))
    }

    /// The database URL, defaulting to SQLite in the data directory.
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("tollgate.db").display()
            )
        } else {
            self.database_url.clone()
        }
    }

    /// TOML dump with secrets redacted.
    pub fn show(&self) -> String {
        format!(
            "listen = {:?}\ndata_dir = {:?}\ndatabase_url = {:?}\nlog = {:?}\nlog_format = {:?}\nmax_body_bytes = {}\ndemo = {}\ntrusted_proxies = {:?}\nsmtp_relay = {:?}\nmail_from = {:?}\nedge_evapi = {:?}\nsmpp = {:?}\nsmpp_system_id = {:?}\nsmpp_password = {:?}\nmessaging_webhook = {:?}\nmessaging_webhook_secret = {:?}\n",
            self.listen,
            self.data_dir.display().to_string(),
            tollgate_store::redact_url(&self.database_url()),
            self.log,
            self.log_format,
            self.max_body_bytes,
            self.demo,
            self.trusted_proxies,
            self.smtp_relay,
            self.mail_from,
            self.edge_evapi,
            self.smpp,
            self.smpp_system_id,
            if self.smpp_password.is_empty() { "" } else { "(redacted)" },
            self.messaging_webhook,
            if self.messaging_webhook_secret.is_empty() { "" } else { "(redacted)" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_in_order_and_warns_on_unknown_keys() {
        let dir = std::env::temp_dir().join(format!("tg-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("tollgate.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:1\"\nlog = \"debug\"\nbogus = 1\n",
        )
        .unwrap();
        let env = vec![
            ("TOLLGATE_LOG".to_string(), "warn".to_string()),
            ("TOLLGATE_NOPE".to_string(), "x".to_string()),
            (
                "TOLLGATE_DATABASE_URL".to_string(),
                "postgres://u:pw-x7q@h/db".to_string(),
            ),
        ];
        let flags = Overrides {
            listen: Some("127.0.0.1:9".into()),
            ..Default::default()
        };
        let (cfg, warnings) = load(Some(file), &env, &flags).unwrap();
        assert_eq!(cfg.listen, "127.0.0.1:9"); // flag beats file
        assert_eq!(cfg.log, "warn"); // env beats file
        assert_eq!(cfg.max_body_bytes, tollgate_http::DEFAULT_MAX_BODY_BYTES); // default
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(cfg.show().contains("postgres://u:***@h/db"));
        assert!(!cfg.show().contains("pw-x7q"));
    }

    #[test]
    fn bad_values_name_the_variable() {
        let env = vec![("TOLLGATE_MAX_BODY_BYTES".to_string(), "lots".to_string())];
        let e = load(None, &env, &Overrides::default()).unwrap_err();
        assert!(e.contains("TOLLGATE_MAX_BODY_BYTES"), "{e}");
    }
}
