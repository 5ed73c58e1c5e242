//! The ceilings every figure is reported against, measured in the same run on the same
//! machine: a bare actix-web JSON handler, raw argon2id at b2mms's parameters on every core,
//! a primary-key select straight on SQLite, and `pgbench -S` on PostgreSQL.

use std::process::Command;
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, get};
use anyhow::{Context, Result, bail};
use b2mms::store::{self, DbUrl};
use b2mms_shared::PersonId;

#[get("/health")]
async fn bare() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// Serves the bare handler on `port` until killed (the `ceiling-server` subcommand), with
/// as many workers as b2mms uses.
pub fn serve_bare(port: u16) -> Result<()> {
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(|| App::new().service(bare))
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
