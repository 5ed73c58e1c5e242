//! The command line: `serve` (default), `migrate`, `create-admin`, `import`, `openapi`,
//! `demo`, `backup`.

use std::io::Read;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use b2mms_shared::api::NewMember;
use b2mms_shared::{Category, Role};
use clap::{Parser, Subcommand};

use crate::app::{self, AppState};
use crate::clock::Clock;
use crate::config::Config;
use crate::store::{self, DbUrl, migrate};

#[derive(Debug, Parser)]
#[command(
    name = "b2mms",
    version,
    about = "Membership management for scientific collaborations"
)]
struct Cli {
    /// Configuration file (default: b2mms.toml in the working directory, if present).
    #[arg(long, global = true, env = "B2MMS_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API and the web frontend (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create an administrator account; the password is read from standard input.
    CreateAdmin {
        #[arg(long)]
        account: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Collaboration")]
        given_name: String,
        #[arg(long, default_value = "Administrator")]
        family_name: String,
        /// Short name of the home institution; by default a "Secretariat" institution is
        /// created (and can be edited later).
        #[arg(long)]
        institution: Option<String>,
    },
    /// Import members from a CSV file: checks every row and reports every problem with its
    /// line; only with --apply are the new people written.
    Import {
        /// The CSV file (UTF-8, with the header line
        /// account_name,given_name,middle_name,family_name,email,orcid,category,institution,membership_start,membership_end,groups).
        file: PathBuf,
        /// Write the new people (without it the file is only checked).
        #[arg(long)]
        apply: bool,
        /// Mail each new person a link to choose their password (with --apply); without it
        /// the links go out when an administrator sends them.
        #[arg(long, requires = "apply")]
        mail: bool,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Load a sample collaboration into an empty database, to try b2mms with.
    Demo,
    /// Write a consistent copy of the SQLite database to PATH, also while b2mms runs (for
    /// PostgreSQL use pg_dump).
    Backup {
        /// Where the copy goes; it must not exist yet.
        path: PathBuf,
    },
}

fn load_config(cli: &Cli) -> anyhow::Result<Config> {
    let (path, required) = match &cli.config {
        Some(p) => (p.clone(), true),
        None => (PathBuf::from("b2mms.toml"), false),
    };
    let loaded = Config::load(Some(&path), required, std::env::vars())?;
    for key in &loaded.unknown_keys {
        tracing::warn!(key, "unknown configuration key ignored");
    }
    Ok(loaded.config)
}

fn init_logging(format: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("B2MMS_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        print!("{}", app::openapi_json());
        return ExitCode::SUCCESS;
    }
    let config = match load_config(&cli) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("b2mms: {e:#}");
            return ExitCode::from(2);
        }
    };
    init_logging(&config.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Migrate => run_migrate(&config),
        Command::CreateAdmin {
            account,
            email,
            given_name,
            family_name,
            institution,
        } => create_admin(config, account, email, given_name, family_name, institution),
        Command::Demo => demo(config),
        Command::Import { file, apply, mail } => import(config, &file, apply, mail),
        Command::Backup { path } => backup(&config, &path),
        Command::Openapi => unreachable!("handled above"),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("b2mms: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve(config: Config) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let listener = TcpListener::bind(config.bind)
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let backend = DbUrl::parse(&config.database_url)
            .map_err(anyhow::Error::msg)?
            .backend();
        let state = AppState::initialize(config, Clock::system()).await?;
        let running = app::start(state, listener)?;
        tracing::info!(
            address = %running.addr,
            database = backend,
            public_url = %running.state.config.public_url,
            "b2mms is serving: web frontend at /, API documentation at /api/docs"
        );
        running
            .until_stopped()
            .await
            .context("server stopped with an error")?;
        tracing::info!("b2mms stopped");
        Ok(())
    })
}

fn backup(config: &Config, path: &std::path::Path) -> anyhow::Result<()> {
    let url = DbUrl::parse(&config.database_url).map_err(anyhow::Error::msg)?;
    if let DbUrl::Postgres(_) = url {
        bail!(
            "b2mms backup copies SQLite databases; back PostgreSQL up with pg_dump, \
             e.g. `pg_dump --format=custom --file=b2mms.dump \"$B2MMS_DATABASE_URL\"`"
        );
    }
    if path.exists() {
        bail!("{} exists already; name a new file", path.display());
    }
    let mut conn = url.connect().map_err(anyhow::Error::msg)?;
    store::backup::sqlite_copy(&mut conn, path)?;
    println!("backup written to {}", path.display());
    Ok(())
}

fn run_migrate(config: &Config) -> anyhow::Result<()> {
    let url = DbUrl::parse(&config.database_url).map_err(anyhow::Error::msg)?;
    let mut conn = url.connect().map_err(anyhow::Error::msg)?;
    let applied = migrate::run_pending(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    if applied.is_empty() {
        println!("database is up to date");
    } else {
        for name in applied {
            println!("applied {name}");
        }
    }
    Ok(())
}

fn create_admin(
    config: Config,
    account: String,
    email: String,
    given_name: String,
    family_name: String,
    institution: Option<String>,
) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("reading the password from standard input")?;
    let password = password.lines().next().unwrap_or("").to_owned();
    if password.is_empty() {
        bail!(
            "give the password on standard input, e.g. `echo \"$PASSWORD\" | b2mms create-admin …`"
        );
    }
    let state =
        actix_web::rt::System::new().block_on(AppState::initialize(config, Clock::system()))?;
    let url = state.db.url().clone();
    let mut conn = url.connect().map_err(anyhow::Error::msg)?;
    let institution_id = home_institution(&mut conn, &state, institution.as_deref())?;
    let body = NewMember {
        given_name,
        middle_name: None,
        family_name,
        email,
        account_name: account,
        initial_password: password,
        institution_id,
        category: Category::TechnicalStaff,
    };
    let member = crate::ops::people::create_blocking(&mut conn, &state, &body, &[Role::Admin])
        .map_err(|e| match e {
            crate::error::AppError::Validation(errors) => {
                let lines: Vec<String> = errors
                    .0
                    .iter()
                    .flat_map(|(f, vs)| vs.iter().map(move |v| format!("  {f}: {}", v.message)))
                    .collect();
                anyhow::anyhow!("the administrator cannot be created:\n{}", lines.join("\n"))
            }
            other => anyhow::anyhow!("{}", other.problem().detail),
        })?;
    println!(
        "created administrator `{}` ({}); sign in with this password, you will be asked to change it",
        member.account_name.unwrap_or_default(),
        member.id
    );
    Ok(())
}

fn import(config: Config, file: &std::path::Path, apply: bool, mail: bool) -> anyhow::Result<()> {
    use crate::ops::import::{self, Importer, Options, Stage};

    let content = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let state =
        actix_web::rt::System::new().block_on(AppState::initialize(config, Clock::system()))?;
    let mut conn = state.db.url().connect().map_err(anyhow::Error::msg)?;
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("{msg:>9} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let report = import::run(
        &mut conn,
        &state.config,
        Importer::Operator,
        &content,
        Options { apply, mail },
        state.clock.now(),
        &mut |stage, done, total| {
            bar.set_message(match stage {
                Stage::Checking => "checking",
                Stage::Writing => "writing",
            });
            bar.set_length(total);
            bar.set_position(done);
        },
    )
    .map_err(|e| anyhow::anyhow!("{}", e.problem().detail))?;
    bar.finish_and_clear();
    for p in &report.problems {
        let column = if p.column.is_empty() {
            String::new()
        } else {
            format!(" {}", p.column)
        };
        eprintln!("line {}{column}: {} [{}]", p.line, p.message, p.code);
    }
    if !report.problems.is_empty() {
        bail!(
            "{} problems in {} rows; nothing was written. Correct the file and run the import again.",
            report.problems.len(),
            report.rows
        );
    }
    if report.applied {
        println!(
            "imported: {} new people, {} already present ({} rows){}",
            report.new_people,
            report.existing_people,
            report.rows,
            if report.mails_queued > 0 {
                format!("; {} set-password mails queued", report.mails_queued)
            } else if report.new_people == 0 {
                String::new()
            } else {
                "; no mail sent — send the set-password links when ready (POST /api/v1/members/set-password-mails)".into()
            }
        );
    } else {
        println!(
            "checked {} rows: {} new people, {} already present; nothing written (run again with --apply)",
            report.rows, report.new_people, report.existing_people
        );
    }
    Ok(())
}

fn demo(config: Config) -> anyhow::Result<()> {
    let state =
        actix_web::rt::System::new().block_on(AppState::initialize(config, Clock::system()))?;
    let mut conn = state.db.url().connect().map_err(anyhow::Error::msg)?;
    let loaded = crate::demo::load(&mut conn, &state.services)
        .map_err(|e| anyhow::anyhow!("{}", e.problem().detail))?;
    println!(
        "Demo collaboration loaded. Every account's password is {} (to be changed at the first sign-in):",
        crate::demo::PASSWORD
    );
    for (account, label) in &loaded.accounts {
        println!("  {account:<9} {label}");
    }
    if let Some((username, password)) = &loaded.invitation {
        println!(
            "An unused invitation to KEK for the registration portal: username {username}, password {password}"
        );
    }
    println!("Registration requests:");
    for (what, state) in &loaded.requests {
        println!("  {:<12} {what}", state.as_str());
    }
    Ok(())
}

/// The institution named on the command line, or the secretariat's (created when missing).
fn home_institution(
    conn: &mut store::DbConnection,
    state: &AppState,
    short_name: Option<&str>,
) -> anyhow::Result<uuid::Uuid> {
    use crate::store::schema::institutions;
    use diesel::prelude::*;

    let wanted = short_name.unwrap_or("Secretariat");
    let found: Option<b2mms_shared::InstitutionId> = institutions::table
        .filter(institutions::short_name.eq(wanted))
        .select(institutions::id)
        .first(conn)
        .optional()?;
    let id = match (found, short_name) {
        (Some(id), _) => id,
        (None, Some(name)) => bail!("no institution has the short name `{name}`"),
        (None, None) => {
            let body = b2mms_shared::api::NewInstitution {
                name: "Collaboration Secretariat".into(),
                short_name: "Secretariat".into(),
                city: "Tsukuba".into(),
                country: "JP".into(),
                ror_id: None,
                inspire_id: None,
                paper_name: None,
                address: None,
            };
            let now = state.clock.now();
            let created = store::write_tx(conn, |conn| {
                crate::ops::institutions::create_by_operator(conn, body, now)
            })
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            b2mms_shared::InstitutionId::from(created.id)
        }
    };
    Ok(id.uuid())
}
