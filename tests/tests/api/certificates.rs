//! Registration by X.509 user certificate, over real TLS with certificates made at test time,
//! and through a reverse proxy's headers.

use b2mms_tests::pki::{Ca, TlsFiles};
use b2mms_tests::{Backend, Reply, StatusCode, TestApp};
use serde_json::json;

fn client(ca: &Ca, identity: Option<&[u8]>) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(ca.cert_pem().as_bytes()).unwrap()]);
    if let Some(pem) = identity {
        builder = builder.identity(reqwest::Identity::from_pem(pem).unwrap());
    }
    builder.build().unwrap()
}

async fn post(
    client: &reqwest::Client,
    url: String,
    token: Option<&str>,
    body: serde_json::Value,
) -> Reply {
    let mut request = client.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    Reply::from(request.send().await.unwrap()).await
}

async fn tls_app(backend: Backend, grid: &Ca) -> (TestApp, TlsFiles) {
    let files = TlsFiles::write(grid, &grid.server());
    let (cert, key, ca) = (
        files.cert.clone(),
        files.key.clone(),
        files.client_ca.clone(),
    );
    let app = TestApp::spawn_with(backend, move |c| {
        c.tls_cert = Some(cert);
        c.tls_key = Some(key);
        c.tls_client_ca = Some(ca);
    })
    .await;
    (app, files)
}

#[actix_web::test]
async fn certificate_holders_register_over_tls() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let grid = Ca::new("Test Grid CA");
        let (mut app, _files) = tls_app(backend, &grid).await;
        assert!(app.base.starts_with("https://"));
        app.client = client(&grid, None);
        let (_, admin) = app.admin().await;
        let kek = app.seed_institution("KEK").await;
        let ir = app.seed_person("irkek", &[], kek).await;
        app.post(
            &format!("/api/v1/institutions/{kek}/representatives"),
            Some(&admin),
            json!({"person_id": ir.id}),
        )
        .await;

        let toru = grid.user("Toru Iijima", Some("toru.iijima@kek.jp"));
        let browser = client(&grid, Some(&toru.identity_pem()));
        let login = post(
            &browser,
            app.url("/api/v1/auth/certificate"),
            None,
            json!({}),
        )
        .await;
        assert_eq!(login.status, StatusCode::OK, "{}", login.text);
        let token = login.body["access_token"].as_str().unwrap().to_owned();
        let id = login.body["registration_id"].as_str().unwrap().to_owned();
        let again = post(
            &browser,
            app.url("/api/v1/auth/certificate"),
            None,
            json!({}),
        )
        .await;
        assert_eq!(
            again.body["registration_id"],
            id.as_str(),
            "resumed, not opened twice"
        );

        let opened = Reply::from(
            browser
                .get(app.url(&format!("/api/v1/registrations/{id}")))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(opened.body["identity"], "certificate", "{}", opened.text);
        assert_eq!(opened.body["state"], "identity_verified");
        let dn = opened.body["certificate_dn"].as_str().unwrap().to_owned();
        assert!(
            dn.contains("CN=Toru Iijima") && dn.contains("O=KEK"),
            "{dn}"
        );
        assert_eq!(opened.body["given_name"], "Toru");
        assert_eq!(opened.body["family_name"], "Iijima");
        assert_eq!(opened.body["email"], "toru.iijima@kek.jp");

        // The applicant chooses the home institution.
        let submitted = post(
            &browser,
            app.url(&format!("/api/v1/registrations/{id}/submit")),
            Some(&token),
            json!({"given_name": "Toru", "family_name": "Iijima", "email": "toru.iijima@kek.jp", "account_name": "tiijima",
                   "initial_password": "Violet-Harbour-Lamp-73", "institution_id": kek, "category": "physicist_temporary"}),
        )
        .await;
        assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text);
        let ir_token = app.sign_in_fresh(&ir).await;
        let approved = app
            .post(
                &format!("/api/v1/registrations/{id}/approve"),
                Some(&ir_token),
                json!({}),
            )
            .await;
        assert_eq!(approved.body["state"], "approved", "{}", approved.text);
        assert_eq!(app.run_jobs().await.provisioned, 1);

        // The certificate now belongs to a person: registering again with it is refused.
        let back = post(
            &browser,
            app.url("/api/v1/auth/certificate"),
            None,
            json!({}),
        )
        .await;
        let (token, id) = (
            back.body["access_token"].as_str().unwrap().to_owned(),
            back.body["registration_id"].as_str().unwrap().to_owned(),
        );
        let twice = post(
            &browser,
            app.url(&format!("/api/v1/registrations/{id}/submit")),
            Some(&token),
            json!({"given_name": "Toru", "family_name": "Iijima", "email": "toru@kek.jp", "account_name": "toru",
                   "initial_password": "Violet-Harbour-Lamp-73", "institution_id": kek, "category": "physicist_temporary"}),
        )
        .await;
        twice.assert_problem(409, "duplicate_person");
        assert!(
            twice.body["detail"]
                .as_str()
                .unwrap()
                .contains("certificate")
        );

        // Without a certificate the API works over TLS, but certificate login explains itself.
        let plain = client(&grid, None);
        let health = plain.get(app.url("/api/v1/health")).send().await.unwrap();
        assert_eq!(health.status(), StatusCode::OK);
        let missing = post(&plain, app.url("/api/v1/auth/certificate"), None, json!({})).await;
        missing.assert_problem(401, "certificate_required");
        assert!(
            missing.body["detail"]
                .as_str()
                .unwrap()
                .contains("invitation")
        );

        // A certificate from a CA that is not trusted does not even get a connection.
        let rogue = Ca::new("Rogue CA").user("Mallory", None);
        let outsider = client(&grid, Some(&rogue.identity_pem()));
        assert!(
            outsider
                .post(app.url("/api/v1/auth/certificate"))
                .send()
                .await
                .is_err()
        );
        app.shutdown().await;
    }
}

#[actix_web::test]
async fn certificates_from_a_trusted_proxy_count_and_from_others_do_not() {
    let grid = Ca::new("Test Grid CA");
    let files = TlsFiles::write(&grid, &grid.server());
    let ca = files.client_ca.clone();
    let proxied = TestApp::spawn_with(Backend::Sqlite, move |c| {
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        c.tls_client_ca = Some(ca);
    })
    .await;
    let escape = |pem: &str| {
        percent_encoding::utf8_percent_encode(pem, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let forward = |app: &TestApp, pem: String| {
        let request = app
            .client
            .post(app.url("/api/v1/auth/certificate"))
            .header("X-SSL-Client-Verify", "SUCCESS")
            .header("X-SSL-Client-Cert", pem);
        async move { Reply::from(request.send().await.unwrap()).await }
    };
    let user = grid.user("Anna Schmidt", None);
    let ok = forward(&proxied, escape(&user.cert_pem)).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    let rogue = Ca::new("Rogue CA").user("Mallory", None);
    forward(&proxied, escape(&rogue.cert_pem))
        .await
        .assert_problem(401, "invalid_certificate");
    forward(&proxied, "garbage".into())
        .await
        .assert_problem(401, "invalid_certificate");

    // The same headers from an address that is not a trusted proxy are ignored.
    let direct = TestApp::spawn(Backend::Sqlite).await;
    forward(&direct, escape(&user.cert_pem))
        .await
        .assert_problem(401, "certificate_required");
    proxied.shutdown().await;
    direct.shutdown().await;
}
