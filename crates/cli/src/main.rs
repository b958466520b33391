//! `tollgate`: the one binary. Exit codes: 0 ok, 1 failure, 2 bad usage or configuration.

mod billing_bench;
mod billing_cmd;
mod config;
mod edge_cmd;
mod frontline_bench;
mod generate;
mod guard_bench;
mod http_bench;
mod list_bench;
mod messaging_bench;
mod numbers_cmd;
mod portal_bench;
mod progress;
mod rating_cmd;
mod receivables_cmd;
mod support_bench;
mod support_cmd;

/// mimalloc rather than the system allocator: a served burst allocates and frees small
/// buffers on several threads at once (HTTP, SQLite's worker threads), where glibc's malloc
/// spent about a seventh of the CPU (`tollgate bench frontline` under `perf`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tollgate_app::{Actor, App, Caller, Clock};
use tollgate_core::tenancy::Role;
use tollgate_store::Store;

#[derive(Parser)]
#[command(
    name = "tollgate",
    version,
    about = "Operations platform for cloud telephony providers and their partners"
)]
struct Cli {
    /// Configuration file (default: ./tollgate.toml if present).
    #[arg(long, global = true, env = "TOLLGATE_CONFIG")]
    config: Option<PathBuf>,
    /// Data directory (SQLite database, demo tokens).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite://... or postgres://...
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (API, docs, portal).
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080.
        #[arg(long)]
        listen: Option<String>,
        /// Seed the demo tenant and write <data-dir>/demo-tokens.json.
        #[arg(long)]
        demo: bool,
    },
    /// Bootstrap a real installation: the operator and its first admin; prints a token once.
    Init {
        /// The operator's name (the provider).
        #[arg(long)]
        operator: String,
        /// E-mail of the first operator admin.
        #[arg(long)]
        email: String,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        action: TokenCmd,
    },
    /// Show the effective configuration (secrets redacted).
    Config {
        #[command(subcommand)]
        action: ConfigCmd,
    },
    /// Rate tables.
    Rates {
        #[command(subcommand)]
        action: rating_cmd::RatesCmd,
    },
    /// Call records.
    Cdrs {
        #[command(subcommand)]
        action: rating_cmd::CdrsCmd,
    },
    /// Phone numbers: inventory import, listing, the time-driven sweep.
    Numbers {
        #[command(subcommand)]
        action: numbers_cmd::NumbersCmd,
    },
    /// Invoice a closed month (`YYYY-MM`): every billing account and partner, both levels.
    Bill {
        #[arg(long)]
        period: String,
    },
    /// The ledger.
    Ledger {
        #[command(subcommand)]
        action: billing_cmd::LedgerCmd,
    },
    /// Invoices: list a period, export one as PDF, HTML or CSV.
    Invoices {
        #[command(subcommand)]
        action: billing_cmd::InvoicesCmd,
    },
    /// Payments: import a bank statement.
    Payments {
        #[command(subcommand)]
        action: receivables_cmd::PaymentsCmd,
    },
    /// The outbox: deliver notifications to the SMTP relay.
    Outbox {
        #[command(subcommand)]
        action: receivables_cmd::OutboxCmd,
    },
    /// Inbound support e-mail: `tollgate mail receive < message.eml` (an MTA pipe transport).
    Mail {
        #[command(subcommand)]
        action: support_cmd::MailCmd,
    },
    /// The knowledge base the support desk suggests from (H11).
    Kb {
        #[command(subcommand)]
        action: support_cmd::KbCmd,
    },
    /// The SIP edge's configuration from Tollgate's tables.
    Edge {
        #[command(subcommand)]
        action: edge_cmd::EdgeCmd,
    },
    /// Offline batch rating: rate a CDR file against a rate-table file, no database.
    Rate(rating_cmd::RateArgs),
    /// Benchmarks that print their figures.
    Bench {
        #[command(subcommand)]
        action: rating_cmd::BenchCmd,
    },
    /// Generate synthetic data (rate tables, CDRs).
    Generate {
        #[command(subcommand)]
        action: rating_cmd::GenerateCmd,
    },
}

#[derive(Subcommand)]
enum TokenCmd {
    /// Create a token for a user; prints the secret once. `--role sip_edge` without
    /// `--email` creates the SIP edge's service credential (decides calls, reads nothing).
    Create {
        /// The user's e-mail.
        #[arg(long, required_unless_present = "role")]
        email: Option<String>,
        /// A service role (`sip_edge`): the token belongs to that role's service user,
        /// created on first use.
        #[arg(long)]
        role: Option<String>,
        #[arg(long, default_value = "cli")]
        name: String,
        #[arg(long)]
        expires_in_days: Option<i64>,
    },
    /// List tokens of a user.
    List {
        #[arg(long)]
        email: String,
    },
    /// Revoke a token by id.
    Revoke { id: String },
}

#[derive(Subcommand)]
enum ConfigCmd {
    Show,
}

/// The service user behind `tollgate token create --role sip_edge`.
pub const SIP_EDGE_USER: &str = "sip-edge@tollgate.internal";
/// Seconds between two runs of the time-driven number sweep while serving.
pub const SWEEP_INTERVAL_S: u64 = 60;
/// How often the outbox is delivered to the SMTP relay.
pub const DELIVERY_INTERVAL_S: u64 = 10;
/// How often the probe runner looks for due probes (a probe's own interval is at least this).
pub const PROBE_TICK_S: u64 = 5;

/// A failure with its exit code.
pub struct Fail(pub u8, pub String);

impl<E: std::fmt::Display> From<E> for Fail {
    fn from(e: E) -> Fail {
        Fail(1, e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env: Vec<(String, String)> = std::env::vars().collect();
    let flags = config::Overrides {
        listen: match &cli.command {
            Command::Serve { listen, .. } => listen.clone(),
            _ => None,
        },
        data_dir: cli.data_dir.clone(),
        database_url: cli.database_url.clone(),
        demo: matches!(cli.command, Command::Serve { demo: true, .. }),
    };
    let (cfg, warnings) = match config::load(cli.config.clone(), &env, &flags) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}\nhint: see `tollgate config show` and README.md#configuration");
            return ExitCode::from(2);
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_new(&cfg.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cfg.log_format.as_str() {
        // One JSON object per line, for log shippers.
        "json" => logs.json().init(),
        _ => logs.init(),
    }
    for w in &warnings {
        tracing::warn!("{w}");
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match rt.block_on(run(cli.command, cfg)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail(code, msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(code)
        }
    }
}

async fn open_app(cfg: &config::Config) -> Result<App, Fail> {
    std::fs::create_dir_all(&cfg.data_dir)
        .map_err(|e| Fail(2, format!("data dir {}: {e}", cfg.data_dir.display())))?;
    let terms_dir = cfg.data_dir.join("terms-profiles");
    let terms = tollgate_app::terms::Catalog::builtin_and_dir(&terms_dir)
        .map_err(|e| Fail(2, format!("terms profile: {e}")))?;
    let store = Store::open(&cfg.database_url()).await?;
    let mut app = App::with_terms(store, Clock::System, terms);
    let guard_file = cfg.data_dir.join("guard.toml");
    if let Ok(text) = std::fs::read_to_string(&guard_file) {
        let t = tollgate_core::guard::Thresholds::parse(&guard_file.display().to_string(), &text)
            .map_err(|e| Fail(2, e))?;
        tracing::info!(file = %guard_file.display(), "guard thresholds loaded");
        app.guard = std::sync::Arc::new(tollgate_app::guard::Guard::with_thresholds(t));
    }
    app.trusted_proxies = std::sync::Arc::new(
        tollgate_app::access::parse_trusted_proxies(&cfg.trusted_proxies)
            .map_err(|e| Fail(2, format!("trusted_proxies: {e}")))?,
    );
    app.load_rates().await?;
    Ok(app)
}

async fn run(command: Command, cfg: config::Config) -> Result<(), Fail> {
    match command {
        Command::Config {
            action: ConfigCmd::Show,
        } => {
            print!("{}", cfg.show());
            Ok(())
        }
        Command::Init { operator, email } => init(cfg, &operator, &email).await,
        Command::Migrate => {
            let (applied, v) = tollgate_app::access::migrate_database(&cfg.database_url()).await?;
            println!(
                "schema at version {v} ({} migration(s) applied now)",
                applied.len()
            );
            Ok(())
        }
        Command::Serve { .. } => serve(cfg).await,
        Command::Token { action } => token(cfg, action).await,
        Command::Rates { action } => rating_cmd::rates(open_app(&cfg).await?, action).await,
        Command::Cdrs { action } => rating_cmd::cdrs(open_app(&cfg).await?, action).await,
        Command::Numbers { action } => numbers_cmd::run(open_app(&cfg).await?, action).await,
        Command::Rate(args) => rating_cmd::offline(args),
        Command::Bill { period } => billing_cmd::bill(open_app(&cfg).await?, &period).await,
        Command::Ledger { action } => billing_cmd::ledger(open_app(&cfg).await?, action).await,
        Command::Invoices { action } => billing_cmd::invoices(open_app(&cfg).await?, action).await,
        Command::Payments { action } => {
            receivables_cmd::payments(open_app(&cfg).await?, action).await
        }
        Command::Edge { action } => edge_cmd::run(action).await,
        Command::Mail { action } => support_cmd::mail(open_app(&cfg).await?, action).await,
        Command::Kb { action } => support_cmd::kb(open_app(&cfg).await?, action).await,
        Command::Outbox { action } => {
            let relay = cfg.smtp_relay().map_err(|e| Fail(2, e))?;
            receivables_cmd::outbox(open_app(&cfg).await?, relay, action).await
        }
        Command::Bench {
            action:
                rating_cmd::BenchCmd::Billing {
                    accounts,
                    subscriptions,
                    cdrs_per_account,
                    postgres,
                },
        } => {
            billing_bench::run(
                &accounts,
                subscriptions,
                cdrs_per_account,
                postgres.as_deref(),
            )
            .await
        }
        Command::Generate {
            action:
                rating_cmd::GenerateCmd::Billing {
                    accounts,
                    subscriptions,
                    cdrs_per_account,
                },
        } => {
            let app = open_app(&cfg).await?;
            billing_bench::populate(&app.store, accounts, subscriptions, cdrs_per_account, true)
                .await?;
            Ok(())
        }
        Command::Bench {
            action:
                rating_cmd::BenchCmd::Guard {
                    accounts,
                    decisions,
                    http_decisions,
                    connections,
                    seed,
                    intake_cdrs,
                },
        } => {
            guard_bench::run(accounts, decisions, http_decisions, connections, seed).await?;
            if intake_cdrs > 0 {
                guard_bench::during_intake(accounts, intake_cdrs, seed).await?;
            }
            Ok(())
        }
        Command::Bench {
            action: rating_cmd::BenchCmd::Support { articles, tickets },
        } => support_bench::run(articles, tickets).await,
        Command::Bench {
            action:
                rating_cmd::BenchCmd::Portal {
                    calls,
                    numbers,
                    runs,
                },
        } => portal_bench::run(calls, numbers, runs).await,
        Command::Bench {
            action:
                rating_cmd::BenchCmd::Messaging {
                    admissions,
                    http_messages,
                    connections,
                    submits,
                },
        } => messaging_bench::run(admissions, http_messages, connections, submits).await,
        Command::Bench {
            action:
                rating_cmd::BenchCmd::Frontline {
                    stores,
                    staff_per_store,
                    burst_pct,
                    events,
                    bursts,
                    database,
                },
        } => {
            frontline_bench::run(stores, staff_per_store, burst_pct, events, bursts, database).await
        }
        Command::Bench { action } => rating_cmd::bench(action).await,
        Command::Generate { action } => rating_cmd::generate(action),
    }
}

/// Messaging delivery: through the configured SMSC, or with the demo through a local SMSC on
/// 127.0.0.1 (so a first start shows messages delivered with receipts); else queued only.
async fn start_messaging(
    app: &tollgate_app::App,
    cfg: &config::Config,
) -> Result<Option<String>, Fail> {
    use tollgate_app::messaging::smpp::{smsc::LocalSmsc, SmppClient, SmppConfig};
    let addr = if !cfg.smpp.is_empty() {
        cfg.smpp.clone()
    } else if !cfg.messaging_webhook.is_empty() {
        use tollgate_app::messaging::connector::{Connector, WebhookConnector};
        if tollgate_app::delivery::webhook::parse_http_url(&cfg.messaging_webhook).is_none() {
            return Err(Fail(
                2,
                format!(
                    "messaging_webhook `{}`: expected http://host:port/path",
                    cfg.messaging_webhook
                ),
            ));
        }
        let hook = WebhookConnector {
            url: cfg.messaging_webhook.clone(),
            secret: cfg.messaging_webhook_secret.clone(),
        };
        let delivery = app.start_connector(Connector::Webhook(hook), None).await?;
        tracing::info!(url = %cfg.messaging_webhook, "delivering messages to the webhook gateway");
        std::mem::forget(delivery);
        return Ok(None);
    } else if cfg.demo {
        let smsc = LocalSmsc::start(&cfg.smpp_system_id, &cfg.smpp_password)
            .await
            .map_err(|e| Fail(1, format!("demo SMSC: {e}")))?;
        smsc.set_receipts(true, "DELIVRD");
        let addr = smsc.addr().to_string();
        tracing::info!(%addr, "demo: a local SMSC takes the messages and returns delivery receipts");
        // Lives as long as the process.
        std::mem::forget(smsc);
        addr
    } else {
        tracing::info!("no smpp configured: admitted messages wait in the queue");
        return Ok(None);
    };
    let (client, inbound) = SmppClient::start(SmppConfig::new(
        &addr,
        &cfg.smpp_system_id,
        &cfg.smpp_password,
    ));
    let delivery = app.start_delivery(client, inbound).await?;
    tracing::info!(%addr, "delivering messages over SMPP");
    std::mem::forget(delivery);
    Ok(Some(addr))
}

async fn serve(cfg: config::Config) -> Result<(), Fail> {
    let app = open_app(&cfg).await?;
    app.store.spawn_checkpointer();
    app.start_guard().await?;
    // Frontline: the open notifications read back and announced again (a restart loses none).
    let reopened = app.start_frontline().await?;
    if reopened > 0 {
        tracing::info!(
            notifications = reopened,
            "frontline notifications re-announced"
        );
    }
    app.spawn_frontline_engine();
    if cfg.demo {
        let tokens = tollgate_app::demo::seed(&app, &cfg.data_dir).await?;
        tracing::info!(
            file = %cfg.data_dir.join("demo-tokens.json").display(),
            principals = tokens.len(),
            "demo tenant ready; demo users log in with password `{}`",
            tollgate_app::demo::DEMO_PASSWORD
        );
    }
    let sweeper = app.clone();
    tokio::spawn(async move {
        // Time-driven rules: B11 document deadlines, T9 quarantine ends, T8 port dates, and
        // live calls never reported ended.
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(SWEEP_INTERVAL_S));
        loop {
            tick.tick().await;
            let actor = tollgate_app::Actor {
                actor: "system:sweep".into(),
                source: "sweep".into(),
                request_id: "sweep".into(),
            };
            if let Err(e) = sweeper.sweep_numbers(&actor).await {
                tracing::error!(error = %e, "number sweep failed");
            }
            // Calls the edge never reported ended free their licence (and are recorded).
            match sweeper.reap_stale_calls(&actor).await {
                Ok(ids) if !ids.is_empty() => tracing::warn!(
                    calls = ids.len(),
                    "ended calls the edge never reported ended"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "stale call sweep failed"),
            }
            // S4: the NOC's detections reach the partners as tickets.
            match sweeper.noc_sweep().await {
                Ok(ids) if !ids.is_empty() => {
                    tracing::info!(tickets = ids.len(), "NOC tickets opened")
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "NOC sweep failed"),
            }
            // S2 and S4: the daily availability published, incidents' tickets to partners.
            if let Err(e) = sweeper.publish_daily().await {
                tracing::error!(error = %e, "daily availability failed");
            }
            match sweeper.incident_ticket_sweep().await {
                Ok(ids) if !ids.is_empty() => {
                    tracing::info!(tickets = ids.len(), "incident tickets opened")
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "incident ticket sweep failed"),
            }
            // Dunning: reminders, suspensions of overdue accounts, lifts once paid.
            match sweeper.dunning_sweep().await {
                Ok(r) if r.reminders + r.suspensions + r.lifted > 0 => tracing::info!(
                    reminders = r.reminders,
                    suspensions = r.suspensions,
                    lifted = r.lifted,
                    "dunning"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "dunning sweep failed"),
            }
        }
    });
    let smsc = start_messaging(&app, &cfg).await?;
    if cfg.demo {
        tollgate_app::assurance::demo::seed_probes(&app, &cfg.listen, smsc.as_deref()).await?;
    }
    // Service assurance: the probes on their schedules (S2).
    let prober = app.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(PROBE_TICK_S));
        loop {
            tick.tick().await;
            if let Err(e) = prober.run_due_probes().await {
                tracing::error!(error = %e, "probe round failed");
            }
        }
    });
    if !cfg.edge_evapi.is_empty() {
        let edge = app.clone();
        let addr = cfg.edge_evapi.clone();
        tracing::info!(%addr, "the guard answers the SIP edge over evapi");
        tokio::spawn(async move { edge.run_edge(addr).await });
    }
    // The outbox: e-mail to the relay when one is configured, webhooks to the operator's
    // endpoints always.
    let relay = cfg.smtp_relay().map_err(|e| Fail(2, e))?;
    match &relay {
        Some(_) => tracing::info!(relay = %cfg.smtp_relay, "delivering the outbox"),
        None => {
            tracing::info!("no smtp_relay configured: e-mail waits in the outbox, webhooks go out")
        }
    }
    let mailer = app.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(DELIVERY_INTERVAL_S));
        loop {
            tick.tick().await;
            match mailer.deliver_outbox(relay.as_ref()).await {
                Ok(r) if r.sent + r.failed > 0 => tracing::info!(
                    sent = r.sent,
                    failed = r.failed,
                    dead = r.dead,
                    "outbox delivery"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "outbox delivery failed"),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .map_err(|e| Fail(2, format!("listen on {}: {e}", cfg.listen)))?;
    tracing::info!(
        "tollgate listening on http://{} (database: {})",
        cfg.listen,
        app.store.backend().as_str()
    );
    let router = tollgate_http::router(app.clone(), cfg.max_body_bytes);
    axum::serve(
        tollgate_http::no_delay(listener),
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = async {
                match term.as_mut() {
                    Some(t) => { t.recv().await; }
                    None => std::future::pending::<()>().await,
                }
            } => {}
        }
        tracing::info!("shutting down");
    })
    .await?;
    // What the guard decided is written before the process goes: admissions (so their ends
    // become CDRs after a restart), ends, suspensions, emergency notices.
    let pending = app.guard.writes.pending();
    match app.flush_guard().await {
        Ok(()) => tracing::info!(writes = pending, "guard writes persisted"),
        Err(e) => tracing::error!(
            error = %e,
            left = app.guard.writes.pending(),
            "guard writes not persisted before shutdown"
        ),
    }
    app.store.close().await;
    Ok(())
}

async fn init(cfg: config::Config, operator: &str, email: &str) -> Result<(), Fail> {
    let app = open_app(&cfg).await?;
    let (op, user, t) = app
        .init_installation(operator, email)
        .await
        .map_err(|e| Fail(2, e.to_string()))?;
    eprintln!("operator `{}` created; admin {} (this API token is shown once; set a password with POST /v1/me/password):", op.name, user.email);
    println!("{}", t.token);
    Ok(())
}

async fn token(cfg: config::Config, action: TokenCmd) -> Result<(), Fail> {
    let app = open_app(&cfg).await?;
    let sys = Caller::system(Actor::cli());
    let user_by_email = |email: String| {
        let (app, sys) = (app.clone(), sys.clone());
        async move {
            app.user_by_email(&sys, &email)
                .await
                .map_err(|_| Fail(2, format!("no user with e-mail `{email}`")))
        }
    };
    match action {
        TokenCmd::Create {
            email,
            role,
            name,
            expires_in_days,
        } => {
            let role = match role.as_deref().map(|r| (r, Role::parse(r))) {
                None => None,
                Some((_, Some(Role::SipEdge))) => Some(Role::SipEdge),
                Some((other, _)) => {
                    return Err(Fail(
                        2,
                        format!("--role {other}: the only service role is sip_edge"),
                    ))
                }
            };
            let u = match (email, role) {
                (Some(email), None) => user_by_email(email).await?,
                (email, Some(Role::SipEdge)) => {
                    let email = email.unwrap_or_else(|| SIP_EDGE_USER.to_string());
                    match app.user_by_email(&sys, &email).await.ok() {
                        Some(u) if Role::parse(&u.role) == Some(Role::SipEdge) => u,
                        Some(_) => {
                            return Err(Fail(
                                2,
                                format!("`{email}` exists with another role than sip_edge"),
                            ))
                        }
                        None => {
                            let new = tollgate_app::tenancy::NewUser {
                                email,
                                name: "SIP edge".into(),
                                role: Role::SipEdge.as_str().into(),
                                partner_id: None,
                                customer_id: None,
                                password: None,
                            };
                            app.create_user(&sys, new).await?
                        }
                    }
                }
                (_, Some(other)) => {
                    return Err(Fail(
                        2,
                        format!(
                            "--role {}: the only service role is sip_edge",
                            other.as_str()
                        ),
                    ))
                }
                (None, None) => return Err(Fail(2, "--email or --role is required".into())),
            };
            let t = app
                .create_token(&sys, Some(&u.id), &name, expires_in_days)
                .await?;
            eprintln!(
                "token {} for {} (shown once; only its hash is stored):",
                t.credential.id, u.email
            );
            println!("{}", t.token);
        }
        TokenCmd::List { email } => {
            let u = user_by_email(email).await?;
            for c in app.credentials_of(&sys, &u).await? {
                let state = if c.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!("{}\t{}\t{}\t{state}", c.id, c.name, c.created_at);
            }
        }
        TokenCmd::Revoke { id } => {
            app.revoke_token(&sys, &id)
                .await
                .map_err(|e| Fail(1, format!("revoke {id}: {e}")))?;
            println!("revoked {id}");
        }
    }
    Ok(())
}
