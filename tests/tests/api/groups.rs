//! Groups: made by administrators, managed by their managers, joined at once, by an
//! application or only by a manager's hand, left by members; every group membership ends with
//! the collaboration membership, and the main group is never joined or left by hand.

use b2mms_tests::fixtures::Institution;
use b2mms_tests::{StatusCode, TestApp, on_both_databases};
use serde_json::{Value, json};

/// The account names of a group's members.
async fn member_accounts(app: &TestApp, group: &str, token: &str) -> Vec<String> {
    let page = app
        .get(&format!("/api/v1/groups/{group}/members"), Some(token))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            m["person"]["account_name"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

on_both_databases! {
    async fn groups_are_made_managed_joined_and_left(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let alice = app.seed_person("alice", &[], kek.id).await;
        let bob = app.seed_person("bobby", &[], kek.id).await;
        let carol = app.seed_person("carol", &[], kek.id).await;
        let (alice_token, bob_token, carol_token) = (
            app.sign_in_fresh(&alice).await,
            app.sign_in_fresh(&bob).await,
            app.sign_in_fresh(&carol).await,
        );

        // Administrators make groups, with names that are names.
        let naf = json!({"name": "NAF", "description": "The computing facility", "join_policy": "approval"});
        app.post("/api/v1/groups", Some(&alice_token), naf.clone()).await.assert_problem(403, "forbidden");
        let bad = app.post("/api/v1/groups", Some(&kek.admin), json!({"name": "N A F", "description": " ", "join_policy": "approval"})).await;
        bad.assert_problem(422, "validation_failed");
        assert!(bad.body["errors"]["name"].is_array() && bad.body["errors"]["description"].is_array(), "{}", bad.text);
        let made = app.post("/api/v1/groups", Some(&kek.admin), naf.clone()).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
        app.post("/api/v1/groups", Some(&kek.admin), naf).await.assert_problem(409, "group_name_taken");
        let naf = id(&made.body);
        let seminar = id(&app.post("/api/v1/groups", Some(&kek.admin), json!({"name": "seminar", "description": "Talks", "join_policy": "open"})).await.body);
        let board = id(&app.post("/api/v1/groups", Some(&kek.admin), json!({"name": "board", "description": "The board", "join_policy": "closed"})).await.body);

        // The main group holds everyone and is not touched by hand.
        let all = app.get("/api/v1/groups", Some(&bob_token)).await;
        let main = all.body.as_array().unwrap().iter().find(|g| g["main"] == true).cloned().expect("the main group");
        assert_eq!(main["name"], "collaboration");
        assert!(main["members"].as_i64().unwrap() >= 5, "{main}");
        let main_id = id(&main);
        app.post(&format!("/api/v1/groups/{main_id}/applications"), Some(&bob_token), json!({"reason": "x"})).await.assert_problem(409, "main_group");
        app.patch(&format!("/api/v1/groups/{main_id}"), Some(&kek.admin), json!({"join_policy": "open"})).await.assert_problem(409, "main_group");
        app.delete(&format!("/api/v1/groups/{main_id}/members/{}", bob.id), Some(&bob_token)).await.assert_problem(409, "main_group");
        app.post(&format!("/api/v1/groups/{main_id}/managers"), Some(&kek.admin), json!({"person_id": alice.id})).await.assert_problem(409, "main_group");

        // Managers are appointed by administrators.
        app.post(&format!("/api/v1/groups/{naf}/managers"), Some(&alice_token), json!({"person_id": alice.id})).await.assert_problem(403, "forbidden");
        let appointed = app.post(&format!("/api/v1/groups/{naf}/managers"), Some(&kek.admin), json!({"person_id": alice.id})).await;
        assert_eq!(appointed.status, StatusCode::OK, "{}", appointed.text);
        assert_eq!(appointed.body["managers"][0]["account_name"], "alice");

        // An approval group: an application, its managers decide, the applicant hears.
        let apply = format!("/api/v1/groups/{naf}/applications");
        app.post(&apply, Some(&bob_token), json!({"reason": "  "})).await.assert_problem(422, "validation_failed");
        let applied = app.post(&apply, Some(&bob_token), json!({"reason": "I analyse data"})).await;
        assert_eq!(applied.status, StatusCode::CREATED, "{}", applied.text);
        assert_eq!(applied.body["state"], "pending");
        app.post(&apply, Some(&bob_token), json!({"reason": "again"})).await.assert_problem(409, "application_pending");
        app.get(&apply, Some(&carol_token)).await.assert_problem(403, "forbidden");
        let queue = app.get(&format!("{apply}?state=pending"), Some(&alice_token)).await;
        assert_eq!(queue.body["total"], 1, "{}", queue.text);
        let application = id(&applied.body);
        app.post(&format!("/api/v1/group-applications/{application}/approve"), Some(&carol_token), json!({})).await.assert_problem(403, "forbidden");
        let approved = app.post(&format!("/api/v1/group-applications/{application}/approve"), Some(&alice_token), json!({})).await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
        assert_eq!(approved.body["state"], "approved");
        app.post(&format!("/api/v1/group-applications/{application}/reject"), Some(&alice_token), json!({"reason": "late"})).await.assert_problem(409, "application_decided");
        assert_eq!(member_accounts(app, &naf, &carol_token).await, ["bobby"]);
        app.run_jobs().await;
        assert!(app.mail.to("alice@kek.jp").iter().any(|m| m.subject == "Test Bobby applies to join NAF"));
        assert!(app.mail.to("bobby@kek.jp").iter().any(|m| m.subject == "You are now in NAF"));

        // Two applications sent at the same moment leave one.
        let dave = app.seed_person("davey", &[], kek.id).await;
        let dave_token = app.sign_in_fresh(&dave).await;
        let (a, b) = futures_util::future::join(
            app.post(&apply, Some(&dave_token), json!({"reason": "Twice"})),
            app.post(&apply, Some(&dave_token), json!({"reason": "Twice"})),
        )
        .await;
        let created = [&a, &b].iter().filter(|r| r.status == StatusCode::CREATED).count();
        assert_eq!(created, 1, "{} / {}", a.text, b.text);
        let loser = if a.status == StatusCode::CREATED { b } else { a };
        loser.assert_problem(409, "application_pending");

        // Rejected with a reason; withdrawn by the applicant only.
        let second = app.post(&apply, Some(&carol_token), json!({"reason": "Curious"})).await;
        let second = id(&second.body);
        app.post(&format!("/api/v1/group-applications/{second}/reject"), Some(&alice_token), json!({"reason": ""})).await.assert_problem(422, "validation_failed");
        let rejected = app.post(&format!("/api/v1/group-applications/{second}/reject"), Some(&alice_token), json!({"reason": "Only for analysts"})).await;
        assert_eq!(rejected.body["state"], "rejected", "{}", rejected.text);
        let third = id(&app.post(&apply, Some(&carol_token), json!({"reason": "I analyse now"})).await.body);
        app.post(&format!("/api/v1/group-applications/{third}/withdraw"), Some(&bob_token), json!({})).await.assert_problem(403, "forbidden");
        let withdrawn = app.post(&format!("/api/v1/group-applications/{third}/withdraw"), Some(&carol_token), json!({})).await;
        assert_eq!(withdrawn.body["state"], "withdrawn", "{}", withdrawn.text);
        let mine = app.get("/api/v1/me/group-applications", Some(&carol_token)).await;
        assert_eq!(mine.body.as_array().unwrap().len(), 2, "{}", mine.text);
        app.run_jobs().await;
        assert!(app.mail.to("carol@kek.jp").iter().any(|m| m.subject == "Your application to NAF was rejected" && m.body.contains("Only for analysts")));

        // An open group is joined at once; a closed one only by a manager's hand.
        let joined = app.post(&format!("/api/v1/groups/{seminar}/applications"), Some(&carol_token), json!({"reason": "Talks"})).await;
        assert_eq!(joined.body["state"], "approved", "{}", joined.text);
        app.post(&format!("/api/v1/groups/{board}/applications"), Some(&carol_token), json!({"reason": "Me"})).await.assert_problem(409, "group_closed");
        app.post(&format!("/api/v1/groups/{board}/members"), Some(&alice_token), json!({"person_id": carol.id})).await.assert_problem(403, "forbidden");
        let added = app.post(&format!("/api/v1/groups/{board}/members"), Some(&kek.admin), json!({"person_id": carol.id})).await;
        assert_eq!(added.status, StatusCode::NO_CONTENT, "{}", added.text);
        app.post(&format!("/api/v1/groups/{board}/members"), Some(&kek.admin), json!({"person_id": carol.id})).await.assert_problem(409, "already_member");
        app.post(&format!("/api/v1/groups/{board}/members"), Some(&kek.admin), json!({"person_id": "00000000-0000-0000-0000-000000000001"})).await.assert_problem(422, "validation_failed");

        // Tools read groups with `groups:read` only.
        let tool = app.post("/api/v1/service-tokens", Some(&kek.admin), json!({"name": "naf-sync", "scopes": ["groups:read"]})).await;
        let tool = tool.body["token"].as_str().unwrap().to_owned();
        assert_eq!(member_accounts(app, &naf, &tool).await, ["bobby"]);
        let other = app.post("/api/v1/service-tokens", Some(&kek.admin), json!({"name": "wiki", "scopes": ["members:read"]})).await;
        let other = other.body["token"].as_str().unwrap().to_owned();
        app.get(&format!("/api/v1/groups/{naf}/members"), Some(&other)).await.assert_problem(403, "scope_missing");

        // Members leave; managers remove; others do neither.
        app.delete(&format!("/api/v1/groups/{seminar}/members/{}", carol.id), Some(&bob_token)).await.assert_problem(403, "forbidden");
        let left = app.delete(&format!("/api/v1/groups/{seminar}/members/{}", carol.id), Some(&carol_token)).await;
        assert_eq!(left.status, StatusCode::NO_CONTENT, "{}", left.text);
        app.delete(&format!("/api/v1/groups/{seminar}/members/{}", carol.id), Some(&carol_token)).await.assert_problem(404, "not_found");
        let removed = app.delete(&format!("/api/v1/groups/{naf}/members/{}", bob.id), Some(&alice_token)).await;
        assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.text);
        app.run_jobs().await;
        assert!(app.mail.to("bobby@kek.jp").iter().any(|m| m.subject == "You are no longer in NAF"));
    }

    async fn group_memberships_end_with_the_collaboration_membership(app: TestApp) {
        let kek = Institution::with_representative(app).await;
        let bob = app.seed_person("bobby", &[], kek.id).await;
        let bob_token = app.sign_in_fresh(&bob).await;
        let seminar = id(&app.post("/api/v1/groups", Some(&kek.admin), json!({"name": "seminar", "description": "Talks", "join_policy": "open"})).await.body);
        let naf = id(&app.post("/api/v1/groups", Some(&kek.admin), json!({"name": "NAF", "description": "Computing", "join_policy": "approval"})).await.body);
        app.post(&format!("/api/v1/groups/{seminar}/applications"), Some(&bob_token), json!({"reason": "Talks"})).await;
        let pending = app.post(&format!("/api/v1/groups/{naf}/applications"), Some(&bob_token), json!({"reason": "Data"})).await;
        let pending = id(&pending.body);
        let me = app.get("/api/v1/me", Some(&bob_token)).await;
        assert_eq!(me.body["groups"], json!(["collaboration", "seminar"]), "{}", me.text);

        let gone = app.post(&format!("/api/v1/members/{}/leave", bob.id), Some(&kek.ir_token), json!({"date": app.day(0)})).await;
        assert_eq!(gone.status, StatusCode::OK, "{}", gone.text);
        assert_eq!(gone.body["groups"], json!([]), "every group ends with the membership: {}", gone.text);
        assert!(member_accounts(app, &seminar, &kek.admin).await.is_empty());
        let application = app.get(&format!("/api/v1/groups/{naf}/applications"), Some(&kek.admin)).await;
        assert_eq!(application.body["items"][0]["state"], "withdrawn", "{}", application.text);
        app.post(&format!("/api/v1/group-applications/{pending}/approve"), Some(&kek.admin), json!({})).await.assert_problem(409, "application_decided");

        // Back as a member: the main group again, the others only by a new application.
        let back = app.post(&format!("/api/v1/members/{}/reactivate", bob.id), Some(&kek.ir_token), json!({"institution_id": kek.id, "category": "phd_student"})).await;
        assert_eq!(back.status, StatusCode::OK, "{}", back.text);
        assert_eq!(back.body["groups"], json!(["collaboration"]), "{}", back.text);

        // A term that runs out ends the groups too, through the daily job.
        let seminar_again = app.post(&format!("/api/v1/groups/{seminar}/applications"), Some(&app.sign_in(&bob).await), json!({"reason": "Talks"})).await;
        assert_eq!(seminar_again.body["state"], "approved", "{}", seminar_again.text);
        app.patch(&format!("/api/v1/members/{}", bob.id), Some(&kek.ir_token), json!({"membership_end": app.day(1)})).await;
        app.advance(chrono::Duration::days(1));
        app.run_jobs().await;
        let admin = app.sign_in(&kek.admin_person).await;
        let record = app.get(&format!("/api/v1/members/{}", bob.id), Some(&admin)).await;
        assert_eq!(record.body["status"], "expired", "{}", record.text);
        assert_eq!(record.body["groups"], json!([]), "{}", record.text);
    }
}
