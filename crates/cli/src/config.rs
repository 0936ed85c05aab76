//! Settings, layered: built-in defaults, then the TOML file given with
//! `--config`, then `PORTICO_*` environment variables, then flags.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use clap::Args;
use portico_app::{AppConfig, SignupMode};
use portico_domain::plan::{Plan, PlanLimits};
use portico_server::Database;
use portico_server::mail::MailConfig;
use serde::Deserialize;

#[derive(Args, Debug, Clone)]
pub struct SettingsArgs {
    /// A TOML configuration file.
    #[arg(long, global = true, env = "PORTICO_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, global = true, env = "PORTICO_LISTEN")]
    pub listen: Option<String>,
    /// `postgres://…` for PostgreSQL; `sqlite://PATH` or a path for SQLite
    /// [default: SQLite in the data directory].
    #[arg(
        long = "database",
        global = true,
        env = "PORTICO_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Directory for the SQLite database [default: ./portico-data].
    #[arg(long, global = true, env = "PORTICO_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Base URL people reach this server at, used in invitation links
    /// [default: http://<listen address>].
    #[arg(long, global = true, env = "PORTICO_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Plan of new teams: free, basic, professional or enterprise [default: free].
    #[arg(long, global = true, env = "PORTICO_DEFAULT_PLAN")]
    pub default_plan: Option<String>,
    /// Mail server for outgoing email, e.g. smtp://user:pass@host:587?tls=required
    /// [default: none; emails are not sent, only logged (recipient and subject)].
    #[arg(long, global = true, env = "PORTICO_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender of outgoing email [default: Portico <portico@localhost>].
    #[arg(long, global = true, env = "PORTICO_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// Let webhooks reach loopback, private and link-local addresses
    /// (for integrations with services on your own network) [default: false].
    #[arg(long, global = true, env = "PORTICO_WEBHOOKS_ALLOW_PRIVATE")]
    pub webhooks_allow_private: Option<bool>,
    /// Addresses of reverse proxies whose X-Forwarded-For is believed,
    /// comma-separated, e.g. 127.0.0.1 [default: none].
    #[arg(long, global = true, env = "PORTICO_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Option<Vec<String>>,
    /// File holding the key that encrypts teams' single sign-on client
    /// secrets; made on first start when missing. Every process of one
    /// deployment needs the same file [default: DATA_DIR/server.key].
    #[arg(long, global = true, env = "PORTICO_SERVER_KEY_FILE")]
    pub server_key_file: Option<PathBuf>,
    /// Let teams' OpenID Connect providers live on loopback, private and
    /// link-local addresses [default: false].
    #[arg(long, global = true, env = "PORTICO_IDENTITY_PROVIDERS_ALLOW_PRIVATE")]
    pub identity_providers_allow_private: Option<bool>,
    /// Let collection runs inside the app reach loopback, private and
    /// link-local addresses [default: false].
    #[arg(long, global = true, env = "PORTICO_RUNS_ALLOW_PRIVATE")]
    pub runs_allow_private: Option<bool>,
    /// How people make their own accounts: `open` (made at once) or
    /// `verify-email` (a link is emailed; sign-up tells nobody whether an
    /// email has an account; needs a mail server) [default: open].
    #[arg(long, global = true, env = "PORTICO_SIGNUP")]
    pub signup: Option<String>,
}

/// Per-plan limits in the file; leave a field out for the default, or set
/// it to -1 for unlimited.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilePlan {
    pub max_partner_workspaces: Option<i64>,
    pub max_partner_editor_seats: Option<i64>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub database_url: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub public_url: Option<String>,
    pub default_plan: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub session_ttl_hours: Option<u32>,
    /// Hourly allowances per account (OWASP API4/API6).
    pub invites_per_hour: Option<u32>,
    pub forks_per_hour: Option<u32>,
    pub exports_per_hour: Option<u32>,
    pub invitation_ttl_hours: Option<u32>,
    pub webhooks_allow_private: Option<bool>,
    pub trusted_proxies: Option<Vec<String>>,
    pub server_key_file: Option<PathBuf>,
    pub identity_providers_allow_private: Option<bool>,
    pub runs_allow_private: Option<bool>,
    pub runs_per_hour: Option<u32>,
    pub signup: Option<String>,
    pub signup_link_ttl_hours: Option<u32>,
    pub signups_per_hour: Option<u32>,
    pub signups_per_email_per_hour: Option<u32>,
    #[serde(default)]
    pub plans: HashMap<String, FilePlan>,
}

impl FileConfig {
    pub fn read(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// The settings in force.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: String,
    pub database: Database,
    pub app: AppConfig,
    pub mail: MailConfig,
    /// Where the server key lives (see [`server_key`]).
    pub server_key_file: PathBuf,
}

fn limit(v: Option<i64>, default: Option<u32>) -> Result<Option<u32>, String> {
    match v {
        None => Ok(default),
        Some(-1) => Ok(None),
        Some(n) => u32::try_from(n)
            .map(Some)
            .map_err(|_| format!("plan limit {n} is out of range (use -1 for unlimited)")),
    }
}

impl Settings {
    pub fn resolve(args: &SettingsArgs, file: FileConfig) -> Result<Self, String> {
        let listen = args
            .listen
            .clone()
            .or(file.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let data_dir = args
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("portico-data"));
        let url = args.database_url.clone().or(file.database_url);
        let database = Database::from_url(url.as_deref(), &data_dir);
        let public_url = args
            .public_url
            .clone()
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://{listen}"));
        let public_url = public_url.trim_end_matches('/').to_string();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(format!(
                "the public URL must start with http:// or https://, not '{public_url}'"
            ));
        }
        let mut app = AppConfig {
            public_url,
            ..AppConfig::default()
        };
        if let Some(plan) = args.default_plan.clone().or(file.default_plan) {
            app.default_plan = plan.parse().map_err(|e: portico_domain::Error| e.message)?;
        }
        if let Some(h) = file.session_ttl_hours {
            app.session_ttl_ms = i64::from(h) * 3_600_000;
        }
        if let Some(n) = file.invites_per_hour {
            app.invites_per_hour = n;
        }
        if let Some(n) = file.forks_per_hour {
            app.forks_per_hour = n;
        }
        if let Some(n) = file.exports_per_hour {
            app.exports_per_hour = n;
        }
        if let Some(h) = file.invitation_ttl_hours {
            app.invitation_ttl_ms = i64::from(h) * 3_600_000;
        }
        app.allow_private_run_targets = args.runs_allow_private.or(file.runs_allow_private).unwrap_or(false);
        if let Some(n) = file.runs_per_hour {
            app.runs_per_hour = n;
        }
        if let Some(mode) = args.signup.clone().or(file.signup) {
            app.signup = mode.parse()?;
        }
        if let Some(h) = file.signup_link_ttl_hours {
            app.signup_link_ttl_ms = i64::from(h) * 3_600_000;
        }
        if let Some(n) = file.signups_per_hour {
            app.signups_per_hour = n;
        }
        if let Some(n) = file.signups_per_email_per_hour {
            app.signups_per_email_per_hour = n;
        }
        app.allow_private_identity_providers = args
            .identity_providers_allow_private
            .or(file.identity_providers_allow_private)
            .unwrap_or(false);
        let server_key_file = args
            .server_key_file
            .clone()
            .or(file.server_key_file)
            .unwrap_or_else(|| data_dir.join("server.key"));
        app.allow_private_webhook_targets = args
            .webhooks_allow_private
            .or(file.webhooks_allow_private)
            .unwrap_or(false);
        for proxy in args
            .trusted_proxies
            .clone()
            .or(file.trusted_proxies)
            .unwrap_or_default()
        {
            let proxy = proxy.trim();
            app.trusted_proxies.push(
                proxy
                    .parse()
                    .map_err(|_| format!("'{proxy}' in trusted_proxies is not an IP address"))?,
            );
        }
        for (name, p) in file.plans {
            let plan: Plan = name.parse().map_err(|e: portico_domain::Error| e.message)?;
            let d = PlanLimits::default_for(plan);
            app.plan_limits.insert(
                plan,
                PlanLimits {
                    max_partner_workspaces: limit(p.max_partner_workspaces, d.max_partner_workspaces)?,
                    max_partner_editor_seats: limit(p.max_partner_editor_seats, d.max_partner_editor_seats)?,
                },
            );
        }
        let defaults = MailConfig::default();
        let mail = MailConfig {
            smtp_url: args.smtp_url.clone().or(file.smtp_url),
            from: args.mail_from.clone().or(file.mail_from).unwrap_or(defaults.from),
            ..defaults
        };
        if app.signup == SignupMode::VerifyEmail && mail.smtp_url.is_none() {
            return Err(
                "signup = \"verify-email\" needs a mail server (smtp_url): sign-up links are sent by email".into(),
            );
        }
        Ok(Self {
            listen,
            database,
            app,
            mail,
            server_key_file,
        })
    }
}

/// Reads the server key (64 hex digits) from its file, or makes a new
/// random one there (readable by its owner only) when the file is missing.
pub fn server_key(path: &Path) -> Result<[u8; 32], String> {
    let shown = path.display();
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let mut key = [0u8; 32];
            hex::decode_to_slice(text.trim(), &mut key)
                .map_err(|_| format!("{shown} must hold 64 hexadecimal digits"))?;
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = portico_app::crypto::random_hex(32).map_err(|e| e.message)?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(path) {
                Ok(mut f) => {
                    use std::io::Write;
                    writeln!(f, "{key}").map_err(|e| format!("cannot write {shown}: {e}"))?;
                    tracing::info!(path = %shown, "made a new server key");
                }
                // Another process made it first: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(format!("cannot write {shown}: {e}")),
            }
            server_key(path)
        }
        Err(e) => Err(format!("cannot read {shown}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_args() -> SettingsArgs {
        SettingsArgs {
            config: None,
            listen: None,
            database_url: None,
            data_dir: None,
            public_url: None,
            default_plan: None,
            smtp_url: None,
            mail_from: None,
            webhooks_allow_private: None,
            trusted_proxies: None,
            server_key_file: None,
            identity_providers_allow_private: None,
            runs_allow_private: None,
            signup: None,
        }
    }

    #[test]
    fn the_server_key_is_made_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/server.key");
        let made = server_key(&path).unwrap();
        assert_eq!(server_key(&path).unwrap(), made, "the same key on the next start");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "readable by its owner only");
        }
        std::fs::write(&path, "not a key").unwrap();
        assert!(server_key(&path).unwrap_err().contains("64 hexadecimal digits"));
        let s = Settings::resolve(&no_args(), FileConfig::default()).unwrap();
        assert_eq!(s.server_key_file, PathBuf::from("portico-data/server.key"));
        assert!(!s.app.allow_private_identity_providers);
    }

    #[test]
    fn defaults_use_sqlite_in_portico_data_on_port_8080() {
        let s = Settings::resolve(&no_args(), FileConfig::default()).unwrap();
        assert_eq!(s.listen, "127.0.0.1:8080");
        assert_eq!(s.database, Database::Sqlite("portico-data/portico.db".into()));
        assert_eq!(s.app.public_url, "http://127.0.0.1:8080");
        assert_eq!(s.app.default_plan, Plan::Free);
    }

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        let file: FileConfig = toml::from_str(
            r#"
            listen = "0.0.0.0:9000"
            default_plan = "basic"
            public_url = "https://portico.example/"
            [plans.professional]
            max_partner_workspaces = 10
            [plans.enterprise]
            max_partner_editor_seats = -1
            "#,
        )
        .unwrap();
        let mut args = no_args();
        args.listen = Some("127.0.0.1:7000".into());
        let s = Settings::resolve(&args, file).unwrap();
        assert_eq!(s.listen, "127.0.0.1:7000");
        assert_eq!(s.app.default_plan, Plan::Basic);
        assert_eq!(s.app.public_url, "https://portico.example");
        assert_eq!(s.app.limits(Plan::Professional).max_partner_workspaces, Some(10));
        assert_eq!(s.app.limits(Plan::Professional).max_partner_editor_seats, Some(3));
        assert_eq!(s.app.limits(Plan::Enterprise).max_partner_editor_seats, None);
    }

    #[test]
    fn signup_is_open_by_default_and_verify_email_needs_a_mail_server() {
        let s = Settings::resolve(&no_args(), FileConfig::default()).unwrap();
        assert_eq!(s.app.signup, SignupMode::Open);
        let mut args = no_args();
        args.signup = Some("verify-email".into());
        let e = Settings::resolve(&args, FileConfig::default()).unwrap_err();
        assert!(e.contains("needs a mail server"), "{e}");
        args.smtp_url = Some("smtp://localhost:25".into());
        let s = Settings::resolve(&args, FileConfig::default()).unwrap();
        assert_eq!(s.app.signup, SignupMode::VerifyEmail);
        let file: FileConfig = toml::from_str(
            r#"
            signup = "verify-email"
            smtp_url = "smtp://localhost:25"
            signup_link_ttl_hours = 2
            signups_per_hour = 7
            signups_per_email_per_hour = 1
            "#,
        )
        .unwrap();
        let s = Settings::resolve(&no_args(), file).unwrap();
        assert_eq!(s.app.signup, SignupMode::VerifyEmail);
        assert_eq!(s.app.signup_link_ttl_ms, 2 * 3_600_000);
        assert_eq!((s.app.signups_per_hour, s.app.signups_per_email_per_hour), (7, 1));
        let mut args = no_args();
        args.signup = Some("invite-only".into());
        let e = Settings::resolve(&args, FileConfig::default()).unwrap_err();
        assert!(e.contains("open") && e.contains("verify-email"), "{e}");
    }

    #[test]
    fn unknown_settings_and_plans_are_refused() {
        assert!(toml::from_str::<FileConfig>("colour = \"blue\"").is_err());
        let mut args = no_args();
        args.default_plan = Some("gold".into());
        assert!(Settings::resolve(&args, FileConfig::default()).is_err());
    }
}
