//! Shared starting points for tests: an institution with its IR, an opened or submitted
//! registration request, an approved one. Built through the API, as a client would.

use serde_json::{Value, json};

use crate::{Seeded, StatusCode, TestApp};

/// An administrator, and an institution with an IR who has a full session.
pub struct Institution {
    pub admin_person: Seeded,
    pub admin: String,
    pub id: uuid::Uuid,
    pub ir: Seeded,
    pub ir_token: String,
}

impl Institution {
    /// "KEK" with the IR `irkek`.
    pub async fn with_representative(app: &TestApp) -> Self {
        let (admin_person, admin) = app.admin().await;
        let id = app.seed_institution("KEK").await;
        let ir = app.seed_person("irkek", &[], id).await;
        let appointed = app
            .post(
                &format!("/api/v1/institutions/{id}/representatives"),
                Some(&admin),
                json!({"person_id": ir.id}),
            )
            .await;
        assert_eq!(appointed.status, StatusCode::OK, "{}", appointed.text);
        let ir_token = app.sign_in_fresh(&ir).await;
        Self {
            admin_person,
            admin,
            id,
            ir,
            ir_token,
        }
    }

    /// People at KEK and at a second institution, DESY (its id and record are returned),
    /// imported: three qualified physicists with names that test the collation (Åström,
    /// Łukasiewicz, Zimmer), a PhD student who joined 90 days ago, an engineer, and a physicist
    /// whose membership ends in 30 days.
    pub async fn add_authors(&self, app: &TestApp) -> (String, Value) {
        let desy = app
            .post("/api/v1/institutions", Some(&self.admin), json!({"name": "Deutsches Elektronen-Synchrotron", "short_name": "DESY", "city": "Hamburg", "country": "DE", "ror_id": "01js2sh04", "address": "Notkestraße 85, 22607 Hamburg, Germany"}))
            .await;
        assert_eq!(desy.status, StatusCode::CREATED, "{}", desy.text);
        let (long_ago, recently, soon) = (app.day(-800), app.day(-90), app.day(30));
        app.import_csv(&self.admin, format!(
            "account_name,given_name,family_name,email,category,institution,membership_start,membership_end,orcid\n\
             zimmer,Anton,Zimmer,anton.zimmer@desy.de,physicist_permanent,DESY,{long_ago},,0000-0002-1825-0097\n\
             lukas,Jan,Łukasiewicz,jan.lukasiewicz@desy.de,physicist_temporary,DESY,{long_ago},,\n\
             astrom,Karin,Åström,karin.astrom@kek.jp,physicist_permanent,KEK,{long_ago},,\n\
             lutzm,Maria,Lutz,maria.lutz@kek.jp,phd_student,KEK,{recently},,\n\
             engin,Erik,Engel,erik.engel@kek.jp,technical_staff,KEK,{long_ago},,\n\
             leaves,Lea,Verlassen,lea.verlassen@desy.de,physicist_temporary,DESY,{long_ago},{soon},\n"
        ))
        .await;
        (desy.body["id"].as_str().unwrap().to_owned(), desy.body)
    }

    /// The IR invites `email` and the invitee signs in with the temporary credentials:
    /// `(registration token, request id)`.
    pub async fn open_request(&self, app: &TestApp, email: &str) -> (String, String) {
        open_request(app, &self.ir_token, self.id, email).await
    }

    /// A registration form for this institution.
    pub fn form(&self, given: &str, family: &str, email: &str, account: &str) -> Value {
        json!({
            "given_name": given,
            "family_name": family,
            "email": email,
            "account_name": account,
            "initial_password": "Violet-Harbour-Lamp-73",
            "institution_id": self.id,
            "category": "physicist_temporary"
        })
    }

    /// A request opened, submitted and approved by the IR; its id.
    pub async fn approved_request(
        &self,
        app: &TestApp,
        family: &str,
        email: &str,
        account: &str,
    ) -> String {
        let (token, id) = self.open_request(app, email).await;
        let submitted = app
            .post(
                &format!("/api/v1/registrations/{id}/submit"),
                Some(&token),
                self.form("Nino", family, email, account),
            )
            .await;
        assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text);
        let approved = app
            .post(
                &format!("/api/v1/registrations/{id}/approve"),
                Some(&self.ir_token),
                json!({}),
            )
            .await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
        id
    }

    /// The state of a request, as the admin sees it.
    pub async fn state_of(&self, app: &TestApp, id: &str) -> String {
        let reply = app
            .get(&format!("/api/v1/registrations/{id}"), Some(&self.admin))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        reply.body["state"].as_str().unwrap_or_default().to_owned()
    }
}

/// An IR (`ir_token`) invites `email` to `institution` and the invitee signs in with the
/// temporary credentials: `(registration token, request id)`.
pub async fn open_request(
    app: &TestApp,
    ir_token: &str,
    institution: uuid::Uuid,
    email: &str,
) -> (String, String) {
    let invitation = app
        .post(
            "/api/v1/invitations",
            Some(ir_token),
            json!({"email": email, "institution_id": institution}),
        )
        .await;
    assert_eq!(
        invitation.status,
        StatusCode::CREATED,
        "{}",
        invitation.text
    );
    let login = app
        .post(
            "/api/v1/auth/invitation",
            None,
            json!({"username": invitation.body["username"], "password": invitation.body["password"]}),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.text);
    (
        login.body["access_token"].as_str().unwrap().to_owned(),
        login.body["registration_id"].as_str().unwrap().to_owned(),
    )
}
