//! Prometheus metrics: requests by route and status with latency histograms, background job
//! runs and failures, and at each scrape the outbox depth, the age of its oldest message and
//! the use of the database pool and the password hashes waiting or running.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    /// The route's pattern (`/api/v1/members/{id}`), never the concrete path.
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobLabels {
    pub job: String,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// Every metric of one instance.
pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub latency: LatencyFamily,
    pub job_runs: Family<JobLabels, Counter>,
    pub job_failures: Family<JobLabels, Counter>,
    outbox_depth: Gauge,
    outbox_oldest_seconds: Gauge,
    pool_connections: Gauge,
    pool_idle: Gauge,
    hashes_pending: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

fn latency_histogram() -> Histogram {
    // 0.25 ms … about 8 s.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
}

/// What is measured at the moment of a scrape.
#[derive(Debug, Default, Clone, Copy)]
pub struct Snapshot {
    pub outbox_depth: i64,
    pub outbox_oldest_seconds: i64,
    pub pool_connections: u32,
    pub pool_idle: u32,
    pub hashes_pending: usize,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("b2mms");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by method, route and status",
            requests.clone(),
        );
        let latency = LatencyFamily::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer HTTP requests, by method and route",
            latency.clone(),
        );
        let job_runs = Family::<JobLabels, Counter>::default();
        registry.register("job_runs", "Runs of background jobs", job_runs.clone());
        let job_failures = Family::<JobLabels, Counter>::default();
        registry.register(
            "job_failures",
            "Runs of background jobs that failed",
            job_failures.clone(),
        );
        let outbox_depth = Gauge::default();
        registry.register(
            "mail_outbox_depth",
            "Messages waiting to be delivered",
            outbox_depth.clone(),
        );
        let outbox_oldest_seconds = Gauge::default();
        registry.register(
            "mail_outbox_oldest_seconds",
            "Age of the oldest message waiting to be delivered",
            outbox_oldest_seconds.clone(),
        );
        let pool_connections = Gauge::default();
        registry.register(
            "db_pool_connections",
            "Open database connections",
            pool_connections.clone(),
        );
        let pool_idle = Gauge::default();
        registry.register(
            "db_pool_idle_connections",
            "Idle database connections",
            pool_idle.clone(),
        );
        let hashes_pending = Gauge::default();
        registry.register(
            "password_hashes_pending",
            "Sign-ins and password changes waiting for a hashing worker or being hashed",
            hashes_pending.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            job_runs,
            job_failures,
            outbox_depth,
            outbox_oldest_seconds,
            pool_connections,
            pool_idle,
            hashes_pending,
        }
    }
}

impl Metrics {
    /// Counts one answered request.
    pub fn observe_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                method: method.to_owned(),
                route: route.to_owned(),
            })
            .observe(seconds);
    }

    /// Counts one run of a job, and whether it failed.
    pub fn observe_job(&self, job: &str, failed: bool) {
        let labels = JobLabels {
            job: job.to_owned(),
        };
        self.job_runs.get_or_create(&labels).inc();
        if failed {
            self.job_failures.get_or_create(&labels).inc();
        }
    }

    /// The text exposition, with the gauges set from `now`.
    pub fn render(&self, now: Snapshot) -> String {
        self.outbox_depth.set(now.outbox_depth);
        self.outbox_oldest_seconds.set(now.outbox_oldest_seconds);
        self.pool_connections.set(i64::from(now.pool_connections));
        self.pool_idle.set(i64::from(now.pool_idle));
        self.hashes_pending
            .set(i64::try_from(now.hashes_pending).unwrap_or(i64::MAX));
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_what_was_observed() {
        let metrics = Metrics::default();
        metrics.observe_request("GET", "/api/v1/members/{id}", 200, 0.002);
        metrics.observe_job("provisioning", true);
        let text = metrics.render(Snapshot {
            outbox_depth: 3,
            outbox_oldest_seconds: 42,
            pool_connections: 2,
            pool_idle: 1,
            hashes_pending: 5,
        });
        assert!(text.contains("b2mms_password_hashes_pending 5"), "{text}");
        assert!(text.contains(
            "b2mms_http_requests_total{method=\"GET\",route=\"/api/v1/members/{id}\",status=\"200\"} 1"
        ), "{text}");
        assert!(
            text.contains("b2mms_job_failures_total{job=\"provisioning\"} 1"),
            "{text}"
        );
        assert!(text.contains("b2mms_mail_outbox_depth 3"), "{text}");
        assert!(
            text.contains("b2mms_mail_outbox_oldest_seconds 42"),
            "{text}"
        );
        assert!(
            text.contains("b2mms_http_request_duration_seconds_bucket"),
            "{text}"
        );
    }
}
