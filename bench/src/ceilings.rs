//! The ceilings every figure is reported against, measured in the same run on the same
//! machine: a bare actix-web JSON handler (alone, and answering one primary-key select), raw argon2id at b2mms's parameters on every core,
//! a primary-key select straight on SQLite, and `pgbench -S` on PostgreSQL.

use std::process::Command;
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, get, web};
use anyhow::{Context, Result, bail};
use b2mms::store::{self, DbUrl};
use b2mms_shared::PersonId;

#[get("/health")]
async fn bare() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

thread_local! {
    /// The blocking thread's own connection of the `/person/{id}` ceiling.
    static CONNECTION: std::cell::RefCell<Option<store::DbConnection>> =
        const { std::cell::RefCell::new(None) };
}

/// Whether the person exists, on this thread's connection to `url`.
fn person_exists(url: &str, id: &str) -> Result<bool> {
    let id = PersonId::parse(id).context("not a person id")?;
    CONNECTION.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            let parsed = DbUrl::parse(url).map_err(anyhow::Error::msg)?;
            *cell = Some(parsed.connect().map_err(anyhow::Error::msg)?);
        }
        let conn = cell.as_mut().context("connection")?;
        Ok(store::persons::exists(conn, &id)?)
    })
}

/// One primary-key select per request, off the async executor as b2mms does it: what an HTTP
/// service can make of the database at best (SQLite has no server, so this is its
/// equivalent of `pgbench -S`).
async fn person(url: web::Data<String>, id: web::Path<String>) -> HttpResponse {
    let (url, id) = (url.get_ref().clone(), id.into_inner());
    match web::block(move || person_exists(&url, &id)).await {
        Ok(Ok(true)) => HttpResponse::Ok().json(serde_json::json!({ "found": true })),
        Ok(Ok(false)) => HttpResponse::NotFound().finish(),
        _ => HttpResponse::InternalServerError().finish(),
    }
}

/// Serves the bare handler (and with `database`, the primary-key handler at `/person/{id}`)
/// on `port` until killed (the `ceiling-server` subcommand), with as many workers as b2mms
/// uses.
pub fn serve_bare(port: u16, database: Option<String>) -> Result<()> {
    let database = web::Data::new(database.unwrap_or_default());
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            App::new()
                .app_data(database.clone())
                .service(bare)
                .route("/person/{id}", web::get().to(person))
        })
        .bind(("127.0.0.1", port))?
        .run()
        .await
    })?;
    Ok(())
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Runs `work` on one thread per core for `duration`; operations per second.
fn per_second_on_every_core<S>(
    duration: Duration,
    setup: impl Fn() -> Result<S> + Sync,
    work: impl Fn(&mut S, usize) -> Result<()> + Sync,
) -> Result<f64> {
    let started = Instant::now();
    let counts = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..cores())
            .map(|_| {
                scope.spawn(|| -> Result<usize> {
                    let mut state = setup()?;
                    let mut n = 0;
                    while started.elapsed() < duration {
                        work(&mut state, n)?;
                        n += 1;
                    }
                    Ok(n)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().map_err(|_| anyhow::anyhow!("worker panicked"))?)
            .collect::<Result<Vec<_>>>()
    })?;
    Ok(counts.iter().sum::<usize>() as f64 / started.elapsed().as_secs_f64())
}

/// Raw argon2id hashes per second at b2mms's parameters, one thread per core.
pub fn argon2_rate(duration: Duration) -> Result<f64> {
    per_second_on_every_core(
        duration,
        || Ok(()),
        |_, _| {
            b2mms::auth::passwords::hash_blocking("Ceiling-Pass-2026")?;
            Ok(())
        },
    )
}

/// Primary-key selects of people per second straight on the database, one connection per
/// core (the SQLite ceiling; on PostgreSQL `pgbench -S` is the reference).
pub fn pk_select_rate(url: &str, ids: &[PersonId], duration: Duration) -> Result<f64> {
    let parsed = DbUrl::parse(url).map_err(anyhow::Error::msg)?;
    per_second_on_every_core(
        duration,
        || parsed.connect().map_err(anyhow::Error::msg),
        |conn, n| {
            let found = store::persons::exists(conn, &ids[(n * 7919) % ids.len()])?;
            if !found {
                bail!("a generated person is missing");
            }
            Ok(())
        },
    )
}

/// `pgbench -S -c16 -M prepared` transactions per second on the PostgreSQL at `url`, after
/// initialising its tables in that database; `None` when pgbench is not installed.
pub fn pgbench_select_rate(url: &str, duration: Duration) -> Result<Option<f64>> {
    if Command::new("pgbench").arg("--version").output().is_err() {
        return Ok(None);
    }
    let init = Command::new("pgbench")
        .args(["-i", "-q", "-s", "1", url])
        .output()
        .context("pgbench -i")?;
    if !init.status.success() {
        bail!("pgbench -i: {}", String::from_utf8_lossy(&init.stderr));
    }
    let seconds = duration.as_secs().max(1).to_string();
    let run = Command::new("pgbench")
        .args(["-S", "-c16", "-j2", "-M", "prepared", "-T", &seconds, url])
        .output()
        .context("pgbench -S")?;
    let out = String::from_utf8_lossy(&run.stdout);
    let tps = out
        .lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("no tps in pgbench's output: {out}"))?;
    Ok(Some(tps))
}
