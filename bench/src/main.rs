//! The benchmark harness: generates a collaboration, starts b2mms on it, and measures each
//! scenario next to a ceiling measured in the same run on the same machine; writes the table
//! with the machine's description to `bench/results/`. `--short` is the mode CI runs (small
//! sizes, a second or two per scenario) so the harness cannot rot; the full run is by hand.

mod burst;
mod ceilings;
mod data;
mod import;
mod load;
mod report;
mod server;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use load::Figures;
use report::{Report, Row};
use server::Server;

#[derive(Parser)]
#[command(about = "Measure b2mms against the machine's own ceilings")]
struct Args {
    #[command(subcommand)]
    command: Option<Sub>,
    /// The b2mms binary to measure (build it with `cargo build --release -p b2mms`).
    #[arg(long, default_value = "target/release/b2mms")]
    binary: String,
    /// People in the generated collaboration.
    #[arg(long, default_value_t = 10_000)]
    people: usize,
    /// Seconds per scenario.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// People in the collaboration for the directory scenarios (added after the others).
    #[arg(long, default_value_t = 100_000)]
    directory_people: usize,
    /// People in the CSV file of the bulk-import scenario.
    #[arg(long, default_value_t = 100_000)]
    import_people: usize,
    /// Concurrent connections of the load generator.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Also measure on this PostgreSQL (a server URL; the harness creates and drops the
    /// databases `b2mms_bench` and `b2mms_pgbench` on it).
    #[arg(long)]
    postgres: Option<String>,
    /// Small sizes and a second per scenario: checks that every scenario still runs.
    #[arg(long)]
    short: bool,
    /// Where the table goes.
    #[arg(long, default_value = "bench/results")]
    results: String,
}

#[derive(Subcommand)]
enum Sub {
    /// Serve the bare actix-web handler (the HTTP ceiling) on a port, until killed.
    CeilingServer {
        #[arg(long)]
        port: u16,
        /// Also answer `/person/{id}` with a primary-key select on this database.
        #[arg(long)]
        database: Option<String>,
    },
}

fn main() -> Result<()> {
    let mut args = Args::parse();
    if let Some(Sub::CeilingServer { port, database }) = args.command.take() {
        return ceilings::serve_bare(port, database);
    }
    if args.short {
        args.people = args.people.min(300);
        args.directory_people = args.directory_people.min(1000);
        args.import_people = args.import_people.min(1000);
        args.seconds = 1;
        args.connections = args.connections.min(16);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let report = runtime.block_on(measure(&args))?;
    let written = report.write(&args.results, if args.short { "short" } else { "full" })?;
    println!("{}", report.markdown());
    println!("written to {}", written.display());
    Ok(())
}

async fn measure(args: &Args) -> Result<Report> {
    let span = Duration::from_secs(args.seconds);
    let mut report = Report::new(&format!(
        "{} people, {} connections, {} s per scenario",
        args.people, args.connections, args.seconds
    ));
    let http_ceiling = bare_http_rate(args, span).await?;
    report.ceiling("bare actix-web JSON handler", http_ceiling, "req/s");
    let argon2 = tokio::task::spawn_blocking(move || ceilings::argon2_rate(span)).await??;
    report.ceiling("raw argon2id, every core", argon2, "hashes/s");

    let dir = std::env::temp_dir().join(format!("b2mms-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let sqlite = format!("sqlite://{}", dir.join("bench.db").display());
    backend(
        args,
        &mut report,
        "SQLite",
        &sqlite,
        http_ceiling,
        argon2,
        None,
    )
    .await?;
    let sqlite_import = format!("sqlite://{}", dir.join("import.db").display());
    import_rows(args, &mut report, "SQLite", &sqlite_import, &dir)?;
    if let Some(server_url) = &args.postgres {
        let url = fresh_postgres_database(server_url, "b2mms_bench")?;
        let pgbench_url = fresh_postgres_database(server_url, "b2mms_pgbench")?;
        let pgbench = ceilings::pgbench_select_rate(&pgbench_url, span)?;
        if let Some(tps) = pgbench {
            report.ceiling("pgbench -S -c16 -M prepared", tps, "tx/s");
        }
        backend(
            args,
            &mut report,
            "PostgreSQL",
            &url,
            http_ceiling,
            argon2,
            pgbench,
        )
        .await?;
        let import_url = fresh_postgres_database(server_url, "b2mms_bench_import")?;
        import_rows(args, &mut report, "PostgreSQL", &import_url, &dir)?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(report)
}

/// The bulk import of `--import-people` people into a fresh database, against its target.
fn import_rows(
    args: &Args,
    report: &mut Report,
    name: &str,
    url: &str,
    dir: &std::path::Path,
) -> Result<()> {
    let people = args.import_people;
    let timings = import::run(&args.binary, url, people, dir).context("bulk import")?;
    let scenario = |what: &str| format!("import of {people} people from CSV: {what}");
    report.row(Row::plain(
        name,
        &scenario("check only"),
        timings.check,
        "s",
    ));
    report.row(Row::time(name, &scenario("--apply"), timings.apply, 60.0));
    report.row(Row::plain(
        name,
        &scenario("again, nothing to write"),
        timings.again,
        "s",
    ));
    Ok(())
}

/// The bare handler in a process of its own, loaded like b2mms.
async fn bare_http_rate(args: &Args, span: Duration) -> Result<f64> {
    let figures = ceiling_server_load(args, span, None, None).await?;
    Ok(figures.rate)
}

/// The ceiling server in a process of its own (with `database`, answering primary-key
/// selects on it), loaded like b2mms: GETs of `/health`, or of `/person/{id}` over `ids`.
async fn ceiling_server_load(
    args: &Args,
    span: Duration,
    database: Option<&str>,
    ids: Option<Arc<Vec<b2mms_shared::PersonId>>>,
) -> Result<Figures> {
    let port = server::free_port()?;
    let mut command = std::process::Command::new(std::env::current_exe()?);
    command.args(["ceiling-server", "--port", &port.to_string()]);
    if let Some(database) = database {
        command.args(["--database", database]);
    }
    let mut child = command.spawn()?;
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..500 {
        if client.get(format!("{base}/health")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let path = if ids.is_some() { "/person/" } else { "/health" };
    let figures = get_load(args, span, format!("{base}{path}"), None, ids).await;
    let _ = child.kill();
    let _ = child.wait();
    Ok(figures)
}

/// A database of this name on the server, empty; its URL.
fn fresh_postgres_database(server_url: &str, name: &str) -> Result<String> {
    use diesel::{Connection, RunQueryDsl};
    let mut admin = diesel::PgConnection::establish(server_url).context("PostgreSQL")?;
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)?;
    diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin)?;
    let base = server_url
        .rsplit_once('/')
        .map_or(server_url, |(base, _)| base);
    Ok(format!("{base}/{name}"))
}

/// Every scenario on one database.
async fn backend(
    args: &Args,
    report: &mut Report,
    name: &str,
    url: &str,
    http_ceiling: f64,
    argon2: f64,
    pgbench: Option<f64>,
) -> Result<()> {
    let span = Duration::from_secs(args.seconds);
    let (url_owned, people) = (url.to_owned(), args.people);
    let generated =
        tokio::task::spawn_blocking(move || data::generate(&url_owned, people)).await??;
    let ids = Arc::new(generated.people);
    let http_select = ceiling_server_load(args, span, Some(url), Some(Arc::clone(&ids)))
        .await?
        .rate;
    report.ceiling(
        &format!("{name}: bare actix-web handler answering one primary-key select"),
        http_select,
        "req/s",
    );
    // PostgreSQL's own select rate is `pgbench -S`; SQLite has no server, so its equivalent is
    // the least an HTTP service must do to answer from it: the handler above. Its raw rate
    // in-process is reported beside it.
    let (pk_ceiling, pk_label) = match pgbench {
        Some(tps) => (tps, "pgbench -S"),
        None => {
            let (url, ids) = (url.to_owned(), Arc::clone(&ids));
            let rate =
                tokio::task::spawn_blocking(move || ceilings::pk_select_rate(&url, &ids, span))
                    .await??;
            report.ceiling(
                &format!("{name} primary-key select in-process, every core"),
                rate,
                "selects/s",
            );
            (http_select, "HTTP + primary-key select")
        }
    };

    let server = Server::start(&args.binary, url).await?;
    report.row(Row::plain(
        name,
        "start to ready",
        server.ready_after.as_secs_f64() * 1000.0,
        "ms",
    ));
    tokio::time::sleep(Duration::from_millis(500)).await;
    report.row(Row::plain(
        name,
        "resident memory, idle",
        server.rss_mib()?,
        "MiB",
    ));
    let token = Arc::new(server.sign_in(&generated.admin, data::PASSWORD).await?);

    let health = get_load(args, span, server.url("/api/v1/health"), None, None).await;
    report.row(Row::against(
        name,
        "GET /api/v1/health",
        &health,
        http_ceiling,
        "bare handler",
    ));

    let member_base = server.url("/api/v1/members/");
    let (peak, members) = with_peak_rss(
        &server,
        get_load(
            args,
            span,
            member_base.clone(),
            Some(Arc::clone(&token)),
            Some(Arc::clone(&ids)),
        ),
    )
    .await?;
    report.row(Row::against(
        name,
        "GET /api/v1/members/{id}",
        &members,
        pk_ceiling,
        pk_label,
    ));
    report.row(Row::plain(
        name,
        "resident memory, under read load",
        peak,
        "MiB",
    ));

    let me = get_load(
        args,
        span,
        server.url("/api/v1/me"),
        Some(Arc::clone(&token)),
        None,
    )
    .await;
    report.row(Row::against(
        name,
        "GET /api/v1/me",
        &me,
        pk_ceiling,
        pk_label,
    ));

    let count = if args.short { 20 } else { 1000 };
    let burst = burst::run(
        &server,
        url,
        Arc::clone(&token),
        generated.institution.clone(),
        count,
        16.min(args.connections),
        Duration::from_secs(60 + count as u64 / 5),
    )
    .await
    .context("registration burst")?;
    report.row(Row::plain(
        name,
        &format!("{count} registrations, invitation to approval, 16 clients"),
        burst.approved_per_second,
        "/s",
    ));
    report.row(Row::plain(
        name,
        &format!("{count} registrations, all provisioned, one mail each, after"),
        burst.all_provisioned_after,
        "s",
    ));

    let storm = sign_in_storm(args, span, &server, &ids, Arc::clone(&token));
    let (peak, (signins, reader)) = with_peak_rss(&server, storm).await?;
    report.row(Row::against(
        name,
        "sign-in storm",
        &signins,
        argon2,
        "raw argon2id",
    ));
    report.row(Row::plain(
        name,
        "reader's p99 during the storm",
        reader.p99_ms,
        "ms",
    ));
    report.row(Row::plain(
        name,
        "resident memory, peak in the storm",
        peak,
        "MiB",
    ));
    tokio::time::sleep(Duration::from_millis(500)).await;
    report.row(Row::plain(
        name,
        "resident memory, after the storm",
        server.rss_mib()?,
        "MiB",
    ));

    // The directory at its own size: the collaboration grows to `--directory-people`.
    let grown = {
        let (url, target, have) = (url.to_owned(), args.directory_people, ids.len());
        let institutions = generated.institutions;
        tokio::task::spawn_blocking(move || data::grow(&url, &institutions, have, target)).await??
    };
    let people = ids.len() + grown.len();
    let base = server.url("/api/v1/members");
    // Where each page of 50 begins (the last person of the page before), walked once.
    let starts = Arc::new(page_starts(&base, &token, 50).await?);
    let directory = |query: Arc<dyn Fn(usize) -> String + Send + Sync>| {
        let (base, token) = (base.clone(), Arc::clone(&token));
        load::run(16.min(args.connections), span, move |client, n| {
            let url = format!("{base}?{}", query(n));
            let token = Arc::clone(&token);
            async move { load::get_ok(&client, &url, Some(&token)).await }
        })
    };
    let search = directory(Arc::new(move |n| {
        format!("q=family{}&per_page=50", (n * 7919) % people)
    }))
    .await;
    report.row(Row::latency(
        name,
        &format!("directory search at {people} people, page of 50, 16 clients"),
        &search,
        20.0,
    ));
    let page = {
        let starts = Arc::clone(&starts);
        directory(Arc::new(move |n| match n % (starts.len() + 1) {
            0 => "per_page=50".to_owned(),
            i => format!("per_page=50&after={}", starts[i - 1]),
        }))
        .await
    };
    report.row(Row::latency(
        name,
        &format!("directory page of 50 at any depth (after a person), {people} people, 16 clients"),
        &page,
        20.0,
    ));

    Ok(())
}

/// The `next_after` of every page of `per_page` people in the directory's default order: where
/// each page after the first begins.
async fn page_starts(base: &str, token: &str, per_page: usize) -> Result<Vec<String>> {
    let client = reqwest::Client::new();
    let (mut starts, mut after) = (Vec::new(), None::<String>);
    loop {
        let mut url = format!("{base}?per_page={per_page}");
        if let Some(after) = &after {
            url.push_str(&format!("&after={after}"));
        }
        let page: serde_json::Value = client
            .get(&url)
            .bearer_auth(token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        match page["next_after"].as_str() {
            Some(next) => {
                starts.push(next.to_owned());
                after = Some(next.to_owned());
            }
            None => return Ok(starts),
        }
    }
}

/// GETs of `base` (with a person's id appended when `ids` is given) under full load.
async fn get_load(
    args: &Args,
    span: Duration,
    base: String,
    token: Option<Arc<String>>,
    ids: Option<Arc<Vec<b2mms_shared::PersonId>>>,
) -> Figures {
    load::run(args.connections, span, move |client, n| {
        let url = match &ids {
            Some(ids) => format!("{base}{}", ids[(n * 7919) % ids.len()]),
            None => base.clone(),
        };
        let token = token.clone();
        async move { load::get_ok(&client, &url, token.as_deref().map(String::as_str)).await }
    })
    .await
}

/// Sign-ins of many accounts at full width, with one reader of records alongside asking
/// twenty times a second (a person using the web app meanwhile, not a second storm).
async fn sign_in_storm(
    args: &Args,
    span: Duration,
    server: &Server,
    ids: &Arc<Vec<b2mms_shared::PersonId>>,
    token: Arc<String>,
) -> (Figures, Figures) {
    let (login, people) = (server.url("/api/v1/auth/login"), ids.len());
    let signins = load::run(args.connections, span, move |client, n| {
        let login = login.clone();
        async move {
            let body = serde_json::json!({
                "account": format!("bench{:06}", (n * 7919) % people),
                "password": data::PASSWORD,
            });
            client
                .post(&login)
                .json(&body)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        }
    });
    let readers = load::run_paced(1, span, Duration::from_millis(50), {
        let (base, ids) = (server.url("/api/v1/members/"), Arc::clone(ids));
        move |client, n| {
            let url = format!("{base}{}", ids[(n * 104_729) % ids.len()]);
            let token = Arc::clone(&token);
            async move { load::get_ok(&client, &url, Some(&token)).await }
        }
    });
    tokio::join!(signins, readers)
}

/// Runs `work` while sampling the server's resident memory; the peak in MiB.
async fn with_peak_rss<T>(server: &Server, work: impl Future<Output = T>) -> Result<(f64, T)> {
    let done = Arc::new(AtomicBool::new(false));
    let pid_rss = {
        let rss = server.rss_mib()?;
        let done = Arc::clone(&done);
        let pid = server.pid();
        tokio::spawn(async move {
            let mut peak = rss;
            while !done.load(Ordering::Relaxed) {
                if let Ok(now) = server::rss_mib(pid) {
                    peak = peak.max(now);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            peak
        })
    };
    let out = work.await;
    done.store(true, Ordering::Relaxed);
    Ok((pid_rss.await?, out))
}
