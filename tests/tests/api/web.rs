//! What is served besides the JSON API: the web frontend, the OpenAPI document, the
//! interactive documentation, and health.

use b2mms::app::AppState;
use b2mms::clock::Clock;
use b2mms::store::{Db, DbUrl};
use b2mms_tests::{Backend, StatusCode, TestApp, TestDb, on_both_databases, test_config};

fn web_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>b2mms</title>",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b2mms-0123456789abcdef.js"),
        "export default 1;",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b2mms-0123456789abcdef_bg.wasm"),
        b"\0asm\x01\0\0\0",
    )
    .unwrap();
    dir
}

on_both_databases! {
    async fn health_reports_the_database(app: TestApp) {
        let health = app.get("/api/v1/health", None).await;
        assert_eq!(health.status, StatusCode::OK);
        assert_eq!(health.body, serde_json::json!({"status": "ok", "database": "ok"}));
    }
}

#[actix_web::test]
async fn health_is_503_when_the_database_is_unreachable() {
    let (db, url) = TestDb::create(Backend::Postgres);
    let mut state = AppState::initialize(test_config(&url), Clock::system())
        .await
        .unwrap();
    // Port 1 on loopback: nothing listens there.
    std::sync::Arc::get_mut(&mut state.services)
        .expect("the only handle on the services")
        .db = Db::new(
        DbUrl::parse("postgres://postgres@127.0.0.1:1/none").unwrap(),
        1,
    );
    let sink = b2mms_tests::smtp::SmtpSink::start().await;
    let app = TestApp::start(Backend::Postgres, state, db, url, sink);
    let health = app.get("/api/v1/health", None).await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(health.body["database"], "unreachable");
    // Other requests that need the database say so too, without internals.
    let list = app.get("/api/v1/institutions", None).await;
    list.assert_problem(503, "unavailable");
    assert!(!list.text.contains("127.0.0.1:1"));
}

#[actix_web::test]
async fn the_web_frontend_is_served_with_client_side_routes() {
    let dir = web_dir();
    let path = dir.path().to_owned();
    let app = TestApp::spawn_with(Backend::Sqlite, move |c| c.web_dir = path).await;

    for route in ["/", "/login", "/institutions/123/edit"] {
        let page = app.client.get(app.url(route)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{route}");
        assert_eq!(page.headers()["cache-control"], "no-cache", "{route}");
        assert!(
            page.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(page.text().await.unwrap().contains("<title>b2mms</title>"));
    }
    let js = app
        .client
        .get(app.url("/b2mms-0123456789abcdef.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), StatusCode::OK);
    assert!(
        js.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert_eq!(
        js.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let wasm = app
        .client
        .get(app.url("/b2mms-0123456789abcdef_bg.wasm"))
        .send()
        .await
        .unwrap();
    assert_eq!(wasm.headers()["content-type"], "application/wasm");

    let missing = app
        .client
        .get(app.url("/b2mms-ffffffffffffffff.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    for escape in [
        "/..%2f..%2fetc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/a/../../etc/passwd",
    ] {
        let reply = app.client.get(app.url(escape)).send().await.unwrap();
        let body = reply.text().await.unwrap();
        assert!(
            !body.contains("root:"),
            "{escape} must not leave the web directory"
        );
    }
    let post = app.client.post(app.url("/login")).send().await.unwrap();
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[actix_web::test]
async fn precompressed_assets_are_sent_to_browsers_that_accept_them() {
    let dir = web_dir();
    let wasm = "b2mms-0123456789abcdef_bg.wasm";
    std::fs::write(dir.path().join(format!("{wasm}.br")), b"brotli twin").unwrap();
    std::fs::write(dir.path().join(format!("{wasm}.gz")), b"gzip twin").unwrap();
    std::fs::write(dir.path().join("index.html.br"), b"brotli index").unwrap();
    let path = dir.path().to_owned();
    let app = TestApp::spawn_with(Backend::Sqlite, move |c| c.web_dir = path).await;
    let fetch = |path: &'static str, accept: Option<&'static str>| {
        let mut request = app.client.get(app.url(path));
        if let Some(accept) = accept {
            request = request.header("accept-encoding", accept);
        }
        async move {
            let reply = request.send().await.unwrap();
            assert_eq!(reply.status(), StatusCode::OK, "{path} with {accept:?}");
            let header = |name: &str| {
                reply
                    .headers()
                    .get(name)
                    .map(|v| v.to_str().unwrap().to_owned())
            };
            let (encoding, kind, vary, disposition) = (
                header("content-encoding"),
                header("content-type"),
                header("vary"),
                header("content-disposition"),
            );
            assert!(
                vary.unwrap_or_default()
                    .to_lowercase()
                    .contains("accept-encoding"),
                "{path}: caches must keep the encodings apart"
            );
            assert!(
                !disposition.unwrap_or_default().contains("attachment"),
                "{path} must not be offered as a download"
            );
            let body = reply.bytes().await.unwrap();
            (encoding, kind.unwrap(), body)
        }
    };
    let wasm_path = "/b2mms-0123456789abcdef_bg.wasm";

    // What Chromium sends: every encoding at the same weight; brotli is the smaller one.
    let (encoding, kind, body) = fetch(wasm_path, Some("gzip, deflate, br, zstd")).await;
    assert_eq!(encoding.as_deref(), Some("br"));
    assert_eq!(kind, "application/wasm");
    assert_eq!(&body[..], b"brotli twin");

    for accept in ["gzip", "br;q=0, gzip", "identity, gzip;q=0.5"] {
        let (encoding, kind, body) = fetch(wasm_path, Some(accept)).await;
        assert_eq!(encoding.as_deref(), Some("gzip"), "{accept}");
        assert_eq!(kind, "application/wasm");
        assert_eq!(&body[..], b"gzip twin", "{accept}");
    }

    // No header, or one refusing both: the file itself.
    for accept in [None, Some("identity"), Some("br;q=0, gzip;q=0")] {
        let (encoding, _, body) = fetch(wasm_path, accept).await;
        assert_eq!(encoding, None, "{accept:?}");
        assert_eq!(&body[..], b"\0asm\x01\0\0\0", "{accept:?}");
    }

    // Client routes get the page's twin, labelled as the page.
    let (encoding, kind, body) = fetch("/requests/123", Some("br")).await;
    assert_eq!(encoding.as_deref(), Some("br"));
    assert!(kind.starts_with("text/html"), "{kind}");
    assert_eq!(&body[..], b"brotli index");
}

#[actix_web::test]
async fn a_missing_frontend_is_explained() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.web_dir = "/nonexistent".into()).await;
    let page = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.text().await.unwrap().contains("xtask"));
}

#[actix_web::test]
async fn the_served_openapi_document_is_the_committed_one() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let served = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(served.status, StatusCode::OK);
    let committed_path = b2mms_tests::workspace().join("openapi/openapi.json");
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(committed_path).unwrap()).unwrap();
    assert_eq!(
        served.body, committed,
        "openapi/openapi.json is stale: regenerate it with `cargo run -q -p b2mms -- openapi > openapi/openapi.json`"
    );
    assert_eq!(
        served.body["openapi"].as_str().unwrap().get(..3),
        Some("3.1")
    );
    for path in [
        "/api/v1/health",
        "/api/v1/auth/login",
        "/api/v1/auth/password",
        "/api/v1/institutions/{id}/representatives",
        "/api/v1/audit",
        "/.well-known/jwks.json",
    ] {
        assert!(
            served.body["paths"].get(path).is_some(),
            "{path} documented"
        );
    }
}

#[actix_web::test]
async fn interactive_documentation_works_offline() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let redirect = app.client.get(app.url("/api/docs")).send().await.unwrap();
    assert_eq!(redirect.status(), StatusCode::PERMANENT_REDIRECT);
    let page = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger"), "{html}");
    assert!(
        !html.contains("https://"),
        "no CDN: every asset is served locally"
    );
    let bundle = app
        .client
        .get(app.url("/api/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(bundle.status(), StatusCode::OK);
    assert!(bundle.bytes().await.unwrap().len() > 100_000);
}
