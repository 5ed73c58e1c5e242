//! A stand-in for an external account registry: an HTTP server that refuses the first few
//! pushes (as a registry that is down would) and then accepts, recording what it received.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::{App, HttpResponse, HttpServer, web};

#[derive(Default)]
struct Shared {
    calls: AtomicUsize,
    fail_first: usize,
    /// How long each push takes to be answered.
    delay: std::time::Duration,
    accepted: Mutex<Vec<serde_json::Value>>,
}

pub struct FakeRegistry {
    pub url: String,
    shared: Arc<Shared>,
    handle: actix_web::dev::ServerHandle,
}

impl FakeRegistry {
    /// Answers 503 to the first `fail_first` pushes, then 201.
    pub fn start(fail_first: usize) -> Self {
        Self::start_with(fail_first, std::time::Duration::ZERO)
    }

    /// Accepts every push, each after `delay`: a slow registry, to stop b2mms in the middle
    /// of provisioning.
    pub fn start_slow(delay: std::time::Duration) -> Self {
        Self::start_with(0, delay)
    }

    fn start_with(fail_first: usize, delay: std::time::Duration) -> Self {
        let shared = Arc::new(Shared {
            fail_first,
            delay,
            ..Shared::default()
        });
        let data = web::Data::from(shared.clone());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server = HttpServer::new(move || {
            App::new().app_data(data.clone()).route(
                "/accounts",
                web::post().to(
                    |shared: web::Data<Shared>, body: web::Json<serde_json::Value>| async move {
                        let n = shared.calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(shared.delay).await;
                        if n < shared.fail_first {
                            HttpResponse::ServiceUnavailable().finish()
                        } else {
                            shared.accepted.lock().unwrap().push(body.into_inner());
                            HttpResponse::Created().finish()
                        }
                    },
                ),
            )
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Self {
            url,
            shared,
            handle,
        }
    }

    pub fn calls(&self) -> usize {
        self.shared.calls.load(Ordering::SeqCst)
    }

    pub fn accepted(&self) -> Vec<serde_json::Value> {
        self.shared.accepted.lock().unwrap().clone()
    }
}

impl Drop for FakeRegistry {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}
