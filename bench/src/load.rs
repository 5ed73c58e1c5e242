//! A closed-loop load generator: a number of connections, each sending its next request as
//! soon as the last one is answered, for a fixed time; the rate and latency percentiles of
//! the successful answers, and how many were not.

use std::future::Future;
use std::time::{Duration, Instant};

/// What a load run measured.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Figures {
    /// Successful answers per second.
    pub rate: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub ok: usize,
    /// Answers that were not a success (any status but 2xx) or failed to arrive.
    pub failed: usize,
}

impl Figures {
    fn of(mut latencies: Vec<Duration>, failed: usize, elapsed: Duration) -> Self {
        latencies.sort_unstable();
        let at = |q: f64| {
            latencies
                .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        Self {
            rate: latencies.len() as f64 / elapsed.as_secs_f64(),
            p50_ms: at(0.50),
            p99_ms: at(0.99),
            ok: latencies.len(),
            failed,
        }
    }
}

/// Runs `connections` loops of `request` for `duration`. Each loop gets its own HTTP client,
/// so each holds one keep-alive connection as a load generator's connection would.
pub async fn run<F, Fut>(connections: usize, duration: Duration, request: F) -> Figures
where
    F: Fn(reqwest::Client, usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = bool> + Send,
{
    run_paced(connections, duration, Duration::ZERO, request).await
}

/// As [`run`], each connection waiting `pause` before each request (not counted in the
/// latency): a steady user rather than a storm.
pub async fn run_paced<F, Fut>(
    connections: usize,
    duration: Duration,
    pause: Duration,
    request: F,
) -> Figures
where
    F: Fn(reqwest::Client, usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = bool> + Send,
{
    let started = Instant::now();
    let until = started + duration;
    let loops: Vec<_> = (0..connections)
        .map(|n| {
            let request = request.clone();
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .pool_max_idle_per_host(1)
                    .build()
                    .expect("http client");
                let (mut latencies, mut failed, mut i) = (Vec::new(), 0usize, n);
                while Instant::now() < until {
                    if !pause.is_zero() {
                        tokio::time::sleep(pause).await;
                    }
                    let sent = Instant::now();
                    if request(client.clone(), i).await {
                        latencies.push(sent.elapsed());
                    } else {
                        failed += 1;
                    }
                    i += connections;
                }
                (latencies, failed)
            })
        })
        .collect();
    let (mut latencies, mut failed) = (Vec::new(), 0);
    for one in loops {
        let (l, f) = one.await.expect("load loop");
        latencies.extend(l);
        failed += f;
    }
    Figures::of(latencies, failed, started.elapsed())
}

/// A GET that counts as a success on a 2xx answer.
pub async fn get_ok(client: &reqwest::Client, url: &str, token: Option<&str>) -> bool {
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    match request.send().await {
        Ok(response) => {
            let ok = response.status().is_success();
            response.bytes().await.is_ok() && ok
        }
        Err(_) => false,
    }
}
