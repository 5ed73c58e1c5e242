//! Builds the application: shared state, the actix `App` (used by the server and by tests
//! alike) and the running server.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::passwords::Hasher;
use crate::auth::tokens::TokenKeys;
use crate::clock::Clock;
use crate::config::Config;
use crate::http::{self, RouteTable, problem, request_id};
use crate::jobs::JobsHandle;
use crate::mail::Mailer;
pub use crate::services::Services;
use crate::store::{Db, DbUrl, migrate};

/// The OpenAPI document of every route, as committed in `openapi/openapi.json`.
pub fn openapi_json() -> String {
    http::openapi::document_json()
}

/// Largest JSON body accepted.
pub const JSON_LIMIT: usize = 64 * 1024;

/// The HTTP front end's state: the services every front end shares, and what only HTTP needs
/// (routes, the served document, TLS, the sign-in throttle). Reads through to the services.
pub struct AppState {
    pub services: Arc<Services>,
    pub routes: Arc<RouteTable>,
    /// The OpenAPI document, as served at `/api/v1/openapi.json`.
    pub openapi_json: Arc<str>,
    /// Verifies client certificates against the CA bundle (native TLS and forwarded ones).
    pub client_verifier: Option<Arc<dyn rustls::server::danger::ClientCertVerifier>>,
    /// The TLS configuration when b2mms serves HTTPS itself.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Sign-in attempts per source address.
    pub throttle: Arc<http::throttle::Throttle>,
    /// Sessions checked in the last moment (see `auth::session_cache`).
    pub sessions: Arc<crate::auth::session_cache::SessionCache>,
    /// Directory totals counted in the last moment (see `store::totals_cache`).
    pub directory_totals: Arc<crate::store::totals_cache::TotalsCache>,
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.services
    }
}

impl AppState {
    /// Connects to the database, applies pending migrations and loads the signing keys.
    pub async fn initialize(config: Config, clock: Clock) -> anyhow::Result<Self> {
        let url = DbUrl::parse(&config.database_url).map_err(anyhow::Error::msg)?;
        let db = Db::new(url.clone(), config.database_pool_size);
        let applied = db
            .run(|conn| {
                migrate::run_pending(conn)
                    .map_err(|e| crate::error::AppError::Internal(format!("migrations: {e}")))
            })
            .await
            .with_context(|| format!("preparing the {} database", url.backend()))?;
        if !applied.is_empty() {
            tracing::info!(migrations = ?applied, "database migrated");
        }
        let issuer = config.public_url.trim_end_matches('/').to_owned();
        let pem = config.jwt_private_key.clone();
        let now = clock.now();
        let keys = db
            .write(move |conn| TokenKeys::load_or_create(conn, &issuer, pem.as_deref(), now))
            .await
            .context("loading the token signing key")?;
        let hasher = Hasher::new(config.hash_permits(), config.hash_queue_len())
            .context("preparing password hashing")?;
        let mailer = Mailer::from_url(&config.mail_url).map_err(anyhow::Error::msg)?;
        let client_verifier =
            crate::tls::client_verifier(&config).context("loading tls_client_ca")?;
        let tls = crate::tls::server_config(&config, client_verifier.clone())
            .context("loading tls_cert and tls_key")?
            .map(Arc::new);
        let http = reqwest::Client::builder()
            .user_agent(concat!("b2mms/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("preparing the HTTP client")?;
        let throttle = Arc::new(http::throttle::Throttle::new(config.auth_rate_per_minute));
        let instance = config.instance();
        let services = Services {
            instance,
            metrics: Arc::default(),
            config: Arc::new(config),
            db,
            hasher,
            keys: Arc::new(keys),
            clock,
            mailer,
            jobs: JobsHandle::default(),
            http,
        };
        // The document is built once, on a thread of its own whose allocator arena keeps none
        // of the building's garbage: the route table and the served text come from it.
        let (routes, openapi_json) = std::thread::scope(|s| {
            s.spawn(|| {
                let document = http::openapi::document();
                let routes = RouteTable::from_openapi(&document);
                (routes, http::openapi::pretty_json(document))
            })
            .join()
        })
        .map_err(|_| anyhow::anyhow!("building the OpenAPI document failed"))?;
        let (routes, openapi_json): (RouteTable, Arc<str>) = (routes.clone(), openapi_json.into());
        Ok(Self {
            services: Arc::new(services),
            routes: Arc::new(routes),
            openapi_json,
            client_verifier,
            tls,
            throttle,
            sessions: Arc::default(),
            directory_totals: Arc::default(),
        })
    }
}

/// The actix application with every route, middleware and error handler.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let cors_origins = state.config.cors_origins.clone();
    let (app, _) = App::new()
        // Ahead of the `/api/v1` scope, which would otherwise take the path.
        .service(web::resource("/api/v1/openapi.json").get(http::openapi::serve))
        .into_utoipa_app()
        .openapi(http::openapi::base())
        .service(utoipa_actix_web::scope("/api/v1").configure(http::api_v1))
        .service(http::auth::jwks)
        .split_for_parts();
    app.app_data(state)
        .app_data(
            web::JsonConfig::default()
                .limit(JSON_LIMIT)
                .error_handler(problem::json_error),
        )
        .app_data(web::QueryConfig::default().error_handler(problem::query_error))
        .app_data(web::PathConfig::default().error_handler(problem::path_error))
        .service(web::resource("/api/docs").to(|| async {
            HttpResponse::PermanentRedirect()
                .insert_header(("Location", "/api/docs/"))
                .finish()
        }))
        .service(
            SwaggerUi::new("/api/docs/{_:.*}")
                .config(utoipa_swagger_ui::Config::from("/api/v1/openapi.json")),
        )
        .service(web::resource("/metrics").get(http::metrics::guarded))
        .default_service(web::to(http::fallback))
        .wrap(from_fn(http::input::middleware))
        .wrap(Compress::default())
        .wrap(http::security::cors(&cors_origins))
        .wrap(from_fn(http::throttle::middleware))
        .wrap(from_fn(http::security::headers))
        .wrap(from_fn(request_id::middleware))
}

/// A server that is listening.
pub struct Running {
    pub addr: SocketAddr,
    pub server: actix_web::dev::Server,
    pub state: web::Data<AppState>,
    /// The background jobs, when they run (`jobs_interval` > 0).
    pub jobs: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Serves until the server is stopped (SIGTERM, SIGINT or its handle), which lets the
    /// requests in flight finish; then lets the background jobs finish their round.
    pub async fn until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        self.state.jobs.stop();
        if let Some(jobs) = self.jobs {
            let grace = std::time::Duration::from_secs(SHUTDOWN_GRACE_SECONDS);
            match tokio::time::timeout(grace, jobs).await {
                Ok(_) => tracing::info!("background jobs finished"),
                Err(_) => tracing::warn!("background jobs did not finish in time"),
            }
        }
        served
    }
}

/// How long a stopping server waits for requests in flight and for the job round.
pub const SHUTDOWN_GRACE_SECONDS: u64 = 30;

/// Starts serving on an already bound listener (port 0 in tests).
pub fn start(state: AppState, listener: TcpListener) -> anyhow::Result<Running> {
    let addr = listener.local_addr()?;
    let workers = state.config.workers;
    let jobs_interval = state.config.jobs_interval;
    let state = web::Data::new(state);
    let jobs = (jobs_interval > 0).then(|| {
        actix_web::rt::spawn(crate::jobs::run_forever(
            state.services.clone(),
            std::time::Duration::from_secs(jobs_interval),
        ))
    });
    // Addresses that stopped signing in are forgotten now and then.
    let throttle = state.throttle.clone();
    actix_web::rt::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            throttle.forget_idle();
        }
    });
    let shared = state.clone();
    let tls = state.tls.clone();
    if let Some(address) = state.config.metrics_bind {
        let metrics_state = state.clone();
        let metrics = HttpServer::new(move || {
            App::new()
                .app_data(metrics_state.clone())
                .route("/metrics", web::get().to(http::metrics::exposition))
        })
        .workers(1)
        .disable_signals()
        .bind(address)
        .with_context(|| format!("metrics_bind: cannot listen on {address}"))?
        .run();
        actix_web::rt::spawn(metrics);
    }
    let server = HttpServer::new(move || app(shared.clone()))
        .on_connect(crate::tls::on_connect)
        .shutdown_timeout(SHUTDOWN_GRACE_SECONDS);
    let mut server = match tls {
        Some(config) => server.listen_rustls_0_23(listener, (*config).clone()),
        None => server.listen(listener),
    }
    .with_context(|| format!("listening on {addr}"))?;
    if workers > 0 {
        server = server.workers(workers);
    }
    Ok(Running {
        addr,
        server: server.run(),
        state,
        jobs,
    })
}
