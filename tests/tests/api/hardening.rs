//! Security headers and CORS.

use b2mms_tests::{Backend, StatusCode, TestApp};

#[actix_web::test]
async fn every_response_carries_the_security_headers() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        security_headers(backend).await;
    }
}

async fn security_headers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for path in ["/api/v1/health", "/api/v1/nothing", "/", "/api/docs/"] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        // The tests' public URL is https: HSTS is on.
        assert!(
            h["strict-transport-security"]
                .to_str()
                .unwrap()
                .starts_with("max-age="),
            "{path}"
        );
    }
    let app_csp = app.client.get(app.url("/")).send().await.unwrap();
    assert!(
        !app_csp.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("unsafe-inline")
    );
    app.shutdown().await;

    let plain = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.public_url = "http://127.0.0.1:8080".into()
    })
    .await;
    let r = plain
        .client
        .get(plain.url("/api/v1/health"))
        .send()
        .await
        .unwrap();
    assert!(
        r.headers().get("strict-transport-security").is_none(),
        "no HSTS over plain HTTP"
    );
    plain.shutdown().await;
}

#[actix_web::test]
async fn cors_is_closed_unless_configured() {
    let preflight = |app: &TestApp, origin: &'static str| {
        let request = app
            .client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/institutions"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type",
            );
        async move { request.send().await.unwrap() }
    };
    let closed = TestApp::spawn(Backend::Sqlite).await;
    let r = preflight(&closed, "https://wiki.example.org").await;
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let simple = closed
        .client
        .get(closed.url("/api/v1/health"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(
        simple
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    closed.shutdown().await;

    let open = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.cors_origins = vec!["https://wiki.example.org".into()]
    })
    .await;
    let r = preflight(&open, "https://wiki.example.org").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://wiki.example.org"
    );
    let other = preflight(&open, "https://evil.example").await;
    assert!(other.headers().get("access-control-allow-origin").is_none());
    open.shutdown().await;
}
