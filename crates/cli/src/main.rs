//! The `portico` command: serve, migrate, import, export, backup, restore,
//! run, admin.

mod config;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use portico_app::App;
use portico_app::demo::{DEMO_LOGINS, DEMO_PASSWORD, DemoOutcome};
use portico_domain::ids::TeamId;
use portico_server::Database;

use config::{FileConfig, Settings, SettingsArgs};

/// mimalloc: fewer cycles per allocation than the system allocator and less
/// memory kept after bursts (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "portico",
    version,
    about = "Share API collections with partner organisations."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server.
    Serve {
        #[command(flatten)]
        settings: SettingsArgs,
        /// Fill an empty database with demo teams and print their logins.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        settings: SettingsArgs,
    },
    /// Import a collection file (v2.1, v2.0 or v1) into a workspace.
    Import {
        #[command(flatten)]
        settings: SettingsArgs,
        /// The collection file.
        file: std::path::PathBuf,
        /// The workspace's id.
        #[arg(long)]
        workspace: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Export a collection in Collection Format v2.1.
    Export {
        #[command(flatten)]
        settings: SettingsArgs,
        /// The collection's id.
        collection: String,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Write a consistent copy of the SQLite database to a file, also while
    /// the server runs (for PostgreSQL, use pg_dump: see docs/deployment.md).
    Backup {
        #[command(flatten)]
        settings: SettingsArgs,
        /// The backup file to write (replaced only once the copy is complete).
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Restore the SQLite database from a backup file written by `portico
    /// backup`. Stop the server first.
    Restore {
        #[command(flatten)]
        settings: SettingsArgs,
        /// The backup file.
        #[arg(long)]
        from: std::path::PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
    },
    /// Run a collection's requests and scripts (like newman): reports on
    /// the terminal, as JSON or JUnit XML; exit code 0 only when every
    /// assertion passed (docs/runner.md).
    Run(Box<RunArgs>),
    /// Operator tasks.
    Admin {
        #[command(flatten)]
        settings: SettingsArgs,
        #[command(subcommand)]
        task: AdminTask,
    },
}

/// The options of `portico run` (docs/runner.md).
#[derive(clap::Args)]
struct RunArgs {
    /// The collection file (Collection Format v2.1).
    collection: std::path::PathBuf,
    /// An environment file.
    #[arg(short = 'e', long)]
    environment: Option<std::path::PathBuf>,
    /// A globals file.
    #[arg(short = 'g', long)]
    globals: Option<std::path::PathBuf>,
    /// A data file (CSV with a header line, or a JSON array of objects): one
    /// iteration per row.
    #[arg(short = 'd', long)]
    iteration_data: Option<std::path::PathBuf>,
    /// Number of iterations.
    #[arg(short = 'n', long)]
    iteration_count: Option<u32>,
    /// Run only this folder (or request), by name or id; repeatable.
    #[arg(long)]
    folder: Vec<String>,
    /// Reporters: cli, json, junit.
    #[arg(short = 'r', long, value_delimiter = ',', default_value = "cli")]
    reporters: Vec<String>,
    /// Where the json reporter writes.
    #[arg(long)]
    reporter_json_export: Option<std::path::PathBuf>,
    /// Where the junit reporter writes.
    #[arg(long)]
    reporter_junit_export: Option<std::path::PathBuf>,
    /// Per-request timeout in milliseconds (0: none).
    #[arg(long, value_name = "MS")]
    timeout_request: Option<u64>,
    /// Pause between requests in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    delay_request: u64,
    /// Accept any TLS certificate.
    #[arg(short = 'k', long)]
    insecure: bool,
    /// Do not follow redirects.
    #[arg(long)]
    ignore_redirects: bool,
    /// Stop at the first failure.
    #[arg(long)]
    bail: bool,
    /// An environment variable, KEY=VALUE; repeatable.
    #[arg(long, value_name = "KEY=VALUE")]
    env_var: Vec<String>,
    /// A global variable, KEY=VALUE; repeatable.
    #[arg(long, value_name = "KEY=VALUE")]
    global_var: Vec<String>,
}

impl RunArgs {
    fn into_runner(self) -> portico_runner::cli::RunArgs {
        portico_runner::cli::RunArgs {
            collection: self.collection,
            environment: self.environment,
            globals: self.globals,
            iteration_data: self.iteration_data,
            iteration_count: self.iteration_count,
            folders: self.folder,
            reporters: self.reporters,
            json_export: self.reporter_json_export,
            junit_export: self.reporter_junit_export,
            timeout_request_ms: self.timeout_request,
            delay_request_ms: self.delay_request,
            insecure: self.insecure,
            ignore_redirects: self.ignore_redirects,
            bail: self.bail,
            env_vars: self.env_var,
            global_vars: self.global_var,
        }
    }
}

/// Whose rights an import or export uses: the account of an API key.
#[derive(clap::Args)]
struct KeyArg {
    /// An API key of the account to act as (Settings > API keys).
    #[arg(long = "api-key", env = "PORTICO_API_KEY", hide_env_values = true)]
    api_key: String,
}

#[derive(Subcommand)]
enum AdminTask {
    /// Create an operator account, or make an existing account an operator
    /// (and set its password).
    CreateOperator {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// The password; read from PORTICO_OPERATOR_PASSWORD when left out.
        #[arg(long, env = "PORTICO_OPERATOR_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Change a team's plan.
    SetPlan {
        /// The team's id.
        team: String,
        /// free, basic, professional or enterprise.
        plan: String,
    },
    /// List the newest messages of the email outbox.
    Outbox {
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The runner owns its own single-threaded runtime: it runs outside the
    // server's.
    let cli = match cli.command {
        Command::Run(args) => {
            return ExitCode::from(portico_runner::cli::run(&args.into_runner()));
        }
        command => Cli { command },
    };
    init_logging();
    // Store transactions run on blocking threads, at most one per database
    // connection at a time (the store's gates); 32 leaves room for password
    // hashing and file reads beside a 16-connection PostgreSQL pool.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(32)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PORTICO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

async fn open_app(settings: &Settings) -> Result<App, String> {
    let store = settings
        .database
        .open()
        .await
        .map_err(|e| format!("cannot open the database {}: {e}", settings.database.redacted()))?;
    let mut config = settings.app.clone();
    config.server_key = Some(config::server_key(&settings.server_key_file)?);
    Ok(App::new(store, config))
}

fn load(args: &SettingsArgs) -> Result<Settings, String> {
    let file = match &args.config {
        Some(path) => FileConfig::read(path)?,
        None => FileConfig::default(),
    };
    Settings::resolve(args, file)
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve { settings, demo } => serve(load(&settings)?, demo).await,
        Command::Migrate { settings } => {
            let s = load(&settings)?;
            open_app(&s).await?;
            println!("Migrations applied to {}", s.database.redacted());
            Ok(())
        }
        Command::Admin { settings, task } => admin(load(&settings)?, task).await,
        Command::Backup { settings, to } => backup(&load(&settings)?, to).await,
        Command::Restore { settings, from, force } => restore(&load(&settings)?, from, force).await,
        Command::Import {
            settings,
            file,
            workspace,
            key,
        } => import(load(&settings)?, &file, &workspace, &key.api_key).await,
        Command::Export {
            settings,
            collection,
            output,
            key,
        } => export(load(&settings)?, &collection, output.as_deref(), &key.api_key).await,
        Command::Run(_) => Err("`portico run` runs outside the server runtime".into()),
    }
}

/// Where PostgreSQL operators are sent instead (docs/deployment.md).
const PG_DUMP_HINT: &str = "use pg_dump and pg_restore for PostgreSQL, e.g. \
     `pg_dump -Fc -d DATABASE_URL -f portico.dump` and \
     `pg_restore --no-owner --exit-on-error --single-transaction -d NEW_DATABASE_URL portico.dump` (see docs/deployment.md, \"Backup and restore\")";

/// `portico backup --to FILE`: SQLite's online backup, safe while a server
/// runs on the database.
async fn backup(settings: &Settings, to: std::path::PathBuf) -> Result<(), String> {
    let db = match &settings.database {
        Database::Sqlite(path) => path.clone(),
        Database::Postgres(_) => {
            return Err(format!("portico backup works on SQLite databases only: {PG_DUMP_HINT}"));
        }
    };
    let from = db.clone();
    let target = to.clone();
    let copied = tokio::task::spawn_blocking(move || portico_store_sqlite::backup(&from, &target))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    println!(
        "Backed up {} to {} ({} bytes, schema version {}).",
        db.display(),
        to.display(),
        copied.bytes,
        copied.schema_version
    );
    Ok(())
}

/// `portico restore --from FILE [--force]`.
async fn restore(settings: &Settings, from: std::path::PathBuf, force: bool) -> Result<(), String> {
    let db = match &settings.database {
        Database::Sqlite(path) => path.clone(),
        Database::Postgres(_) => {
            return Err(format!(
                "portico restore works on SQLite databases only: {PG_DUMP_HINT}"
            ));
        }
    };
    let source = from.clone();
    let target = db.clone();
    let copied = tokio::task::spawn_blocking(move || portico_store_sqlite::restore(&source, &target, force))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    println!(
        "Restored {} from {} (schema version {}).",
        db.display(),
        from.display(),
        copied.schema_version
    );
    if copied.schema_version < portico_store_sqlite::schema_version() {
        println!("The next start applies the newer migrations of this Portico.");
    }
    Ok(())
}

async fn principal(app: &App, api_key: &str) -> Result<portico_app::Principal, String> {
    app.authenticate_api_key(api_key)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "the API key is not valid (create one in Settings > API keys)".to_owned())
}

/// `portico import`: the same use case as `POST /api/collections`.
async fn import(settings: Settings, file: &std::path::Path, workspace: &str, api_key: &str) -> Result<(), String> {
    let app = open_app(&settings).await?;
    let who = principal(&app, api_key).await?;
    let text = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let ws =
        portico_domain::ids::WorkspaceId::parse(workspace).map_err(|_| format!("no workspace with id {workspace}"))?;
    let saved = app
        .create_collection(
            &who,
            ws,
            portico_app::collections::CollectionInput::upload(text).map_err(|e| e.to_string())?,
        )
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "Imported \"{}\" as collection {} (revision {}).",
        saved.collection.name, saved.collection.id, saved.collection.revision
    );
    Ok(())
}

/// `portico export`: the same use case as a download of
/// `GET /api/collections/{id}`.
async fn export(
    settings: Settings,
    collection: &str,
    output: Option<&std::path::Path>,
    api_key: &str,
) -> Result<(), String> {
    let app = open_app(&settings).await?;
    let who = principal(&app, api_key).await?;
    let id = portico_domain::ids::CollectionId::parse(collection)
        .map_err(|_| format!("no collection with id {collection}"))?;
    let (_, text) = app.collection(&who, id, true).await.map_err(|e| e.to_string())?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let text = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?;
    match output {
        Some(path) => {
            std::fs::write(path, text + "\n").map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            eprintln!("Exported to {}.", path.display());
        }
        None => println!("{text}"),
    }
    Ok(())
}

async fn serve(settings: Settings, demo: bool) -> Result<(), String> {
    let app = open_app(&settings).await?;
    tracing::info!(database = %settings.database.redacted(), "store ready");
    match &settings.mail.smtp_url {
        Some(url) => tracing::info!(smtp = %portico_server::redact_url(url), "email goes out by SMTP"),
        None => tracing::info!("no mail server configured: emails are not sent, only logged (recipient and subject)"),
    }
    if demo {
        match app.seed_demo().await.map_err(|e| format!("demo data: {e}"))? {
            DemoOutcome::NotEmpty => {
                println!("The database already holds data: no demo data was added.");
            }
            outcome => {
                if outcome == DemoOutcome::Created {
                    println!("Demo data created.");
                }
                println!("Demo logins (password for all: {DEMO_PASSWORD}):");
                for l in DEMO_LOGINS {
                    println!("  {:<24} {}", l.email, l.who);
                }
            }
        }
    }
    let config = portico_server::ServerConfig {
        listen: settings.listen.clone(),
        app: settings.app.clone(),
        mail: settings.mail.clone(),
        webhooks: portico_server::webhooks::WebhookConfig::default(),
    };
    let server = portico_server::build(&config, app.store.clone())
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", settings.listen))?;
    let addr = server.local_addr().map_err(|e| e.to_string())?;
    println!("Portico listening on http://{addr}");
    server.run_until_stopped().await.map_err(|e| e.to_string())
}

async fn admin(settings: Settings, task: AdminTask) -> Result<(), String> {
    let app = open_app(&settings).await?;
    match task {
        AdminTask::CreateOperator { email, name, password } => {
            let user = app
                .ensure_operator(&email, &name, &password)
                .await
                .map_err(|e| e.to_string())?;
            println!("{} ({}) is an operator.", user.email, user.id);
        }
        AdminTask::SetPlan { team, plan } => {
            let id = TeamId::parse(&team).map_err(|_| format!("no team with id {team}"))?;
            let t = app
                .set_team_plan_as_operator(id, &plan)
                .await
                .map_err(|e| e.to_string())?;
            println!("{} is now on the {} plan.", t.name, t.plan);
        }
        AdminTask::Outbox { limit } => {
            let rows = app.outbox(limit).await.map_err(|e| e.to_string())?;
            if rows.is_empty() {
                println!("The outbox is empty.");
            }
            for m in rows {
                let state = if m.sent_at.is_some() { "sent" } else { "pending" };
                let body = if m.body.is_empty() {
                    "(the body is not kept once sent: it may hold a single-use link)"
                } else {
                    m.body.as_str()
                };
                println!("#{} [{state}] to {}: {}\n{body}\n", m.id, m.recipient, m.subject);
            }
        }
    }
    Ok(())
}
