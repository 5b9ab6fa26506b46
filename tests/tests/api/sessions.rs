//! Sessions over HTTP: an access token counts only while its session is live and its
//! user is in good standing, checked at every request (not when the token expires).

use serde_json::{Value, json};

use crate::{
    auth::{PASSWORD, admin_token, login, register},
    both_backends,
    support::{Backend, ServerOptions, TestServer, error_code},
};

const ME: &str = "{ me { id email role } }";
const LOGOUT: &str =
    "mutation($input: LogoutInput!) { logout(input: $input) { success errors { field code } } }";
const REFRESH: &str =
    "mutation($input: RefreshTokenInput!) { refreshToken(input: $input) { accessToken } }";
const SUSPEND: &str = "mutation($input: UserSuspendInput!) { userSuspend(input: $input) { user { id suspendedAt } errors { field code message } } }";
const LOGIN: &str =
    "mutation($input: LoginInput!) { login(input: $input) { accessToken errors { code } } }";

fn message(body: &Value) -> &str {
    body["errors"][0]["message"].as_str().unwrap_or_default()
}

async fn logout_with_the_access_token_ends_its_session(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    register(&server, "tashi@example.org").await;
    let (access, refresh) = login(&server, "tashi@example.org", PASSWORD).await;
    let (other_access, _) = login(&server, "tashi@example.org", PASSWORD).await;
    let me = server.graphql_as(Some(&access), ME, json!({})).await;
    assert_eq!(me["data"]["me"]["email"], "tashi@example.org", "{me}");

    // Only the access token: no refresh token in the input.
    let logout = server
        .graphql_as(Some(&access), LOGOUT, json!({ "input": {} }))
        .await;
    assert_eq!(logout["data"]["logout"]["success"], true, "{logout}");

    let after = server.graphql_as(Some(&access), ME, json!({})).await;
    assert_eq!(error_code(&after), Some("UNAUTHENTICATED"), "{after}");
    assert!(after["data"].is_null(), "{after}");
    let refreshed = server
        .graphql(REFRESH, json!({ "input": { "refreshToken": refresh } }))
        .await;
    assert_eq!(
        error_code(&refreshed),
        Some("UNAUTHENTICATED"),
        "{refreshed}"
    );
    // The user's other session is untouched.
    let other = server.graphql_as(Some(&other_access), ME, json!({})).await;
    assert_eq!(other["data"]["me"]["email"], "tashi@example.org", "{other}");

    // Anonymous and without a refresh token there is nothing to end.
    let nothing = server.graphql(LOGOUT, json!({ "input": {} })).await;
    assert_eq!(nothing["data"]["logout"]["success"], false, "{nothing}");
    assert_eq!(nothing["data"]["logout"]["errors"][0]["code"], "REQUIRED");
    Ok(())
}

async fn suspension_applies_at_the_next_request(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    let admin = admin_token(&server).await;
    let registered = register(&server, "norbu@example.org").await;
    let user_id = registered["data"]["register"]["user"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("registration failed: {registered}"))
        .to_owned();
    let (access, refresh) = login(&server, "norbu@example.org", PASSWORD).await;
    let me = server.graphql_as(Some(&access), ME, json!({})).await;
    assert_eq!(me["data"]["me"]["id"], user_id.as_str(), "{me}");

    let suspended = server
        .graphql_as(
            Some(&admin),
            SUSPEND,
            json!({ "input": { "userId": user_id, "suspended": true } }),
        )
        .await;
    assert_eq!(
        suspended["data"]["userSuspend"]["errors"],
        json!([]),
        "{suspended}"
    );
    assert!(
        suspended["data"]["userSuspend"]["user"]["suspendedAt"].is_string(),
        "{suspended}"
    );

    // The access token has minutes to run, and is refused at once.
    let after = server.graphql_as(Some(&access), ME, json!({})).await;
    assert_eq!(error_code(&after), Some("UNAUTHENTICATED"), "{after}");
    let refreshed = server
        .graphql(REFRESH, json!({ "input": { "refreshToken": refresh } }))
        .await;
    assert_eq!(
        error_code(&refreshed),
        Some("UNAUTHENTICATED"),
        "{refreshed}"
    );
    let again = server
        .graphql(
            LOGIN,
            json!({ "input": { "email": "norbu@example.org", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(error_code(&again), Some("UNAUTHENTICATED"), "{again}");
    assert!(message(&again).contains("suspended"), "{again}");

    // An admin cannot suspend themselves (nobody would be left to lift it).
    let me_admin = server.graphql_as(Some(&admin), ME, json!({})).await;
    let own = server
        .graphql_as(
            Some(&admin),
            SUSPEND,
            json!({ "input": { "userId": me_admin["data"]["me"]["id"], "suspended": true } }),
        )
        .await;
    assert_eq!(
        own["data"]["userSuspend"]["errors"][0]["code"], "INVALID",
        "{own}"
    );

    let reinstated = server
        .graphql_as(
            Some(&admin),
            SUSPEND,
            json!({ "input": { "userId": user_id, "suspended": false } }),
        )
        .await;
    assert!(
        reinstated["data"]["userSuspend"]["user"]["suspendedAt"].is_null(),
        "{reinstated}"
    );
    let (fresh, _) = login(&server, "norbu@example.org", PASSWORD).await;
    let me = server.graphql_as(Some(&fresh), ME, json!({})).await;
    assert_eq!(me["data"]["me"]["id"], user_id.as_str(), "{me}");
    Ok(())
}

const LOGIN_DEVICE: &str =
    "mutation($input: LoginInput!) { login(input: $input) { accessToken deviceToken } }";

/// Sends `count` logins with a wrong password for `email` at once and returns the
/// error messages, in no particular order.
async fn wrong_logins_at_once(server: &TestServer, email: &str, count: usize) -> Vec<String> {
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..count {
        let client = reqwest::Client::new();
        let url = server.url("/graphql");
        let variables =
            json!({ "input": { "email": email, "password": "not-the-password-at-all" } });
        attempts.spawn(async move {
            let body: Value = client
                .post(url)
                .json(&json!({ "query": LOGIN, "variables": variables }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
            message(&body).to_owned()
        });
    }
    attempts.join_all().await
}

async fn concurrent_guesses_cannot_outrun_the_lock(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    register(&server, "sonam@example.org").await;
    let messages = wrong_logins_at_once(&server, "sonam@example.org", 24).await;
    let checked = messages
        .iter()
        .filter(|m| m.contains("email or password is incorrect"))
        .count();
    let throttled = messages
        .iter()
        .filter(|m| m.contains("too many failed logins"))
        .count();
    assert_eq!(checked + throttled, 24, "{messages:?}");
    // Five free failures, however many guesses arrive at once.
    assert_eq!(checked, 5, "{messages:?}");
    Ok(())
}

async fn a_known_device_is_not_locked_out_by_others(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    register(&server, "kunzang@example.org").await;
    let first = server
        .graphql(
            LOGIN_DEVICE,
            json!({ "input": { "email": "kunzang@example.org", "password": PASSWORD } }),
        )
        .await;
    let device = first["data"]["login"]["deviceToken"]
        .as_str()
        .unwrap_or_else(|| panic!("no device token: {first}"))
        .to_owned();

    // Someone else guesses until the address is locked.
    let messages = wrong_logins_at_once(&server, "kunzang@example.org", 8).await;
    assert!(
        messages
            .iter()
            .any(|m| m.contains("too many failed logins")),
        "{messages:?}"
    );
    let elsewhere = server
        .graphql(
            LOGIN_DEVICE,
            json!({ "input": { "email": "kunzang@example.org", "password": PASSWORD } }),
        )
        .await;
    assert!(
        message(&elsewhere).contains("too many failed logins"),
        "{elsewhere}"
    );
    // A made-up device token is no key.
    let forged = server
        .graphql(
            LOGIN_DEVICE,
            json!({ "input": { "email": "kunzang@example.org", "password": PASSWORD, "deviceToken": "made-up" } }),
        )
        .await;
    assert!(
        message(&forged).contains("too many failed logins"),
        "{forged}"
    );

    // The owner's own device signs in, keeps its token, and lifts the lock.
    let owner = server
        .graphql(
            LOGIN_DEVICE,
            json!({ "input": { "email": "kunzang@example.org", "password": PASSWORD, "deviceToken": device } }),
        )
        .await;
    assert!(owner["data"]["login"]["accessToken"].is_string(), "{owner}");
    assert!(owner["data"]["login"]["deviceToken"].is_null(), "{owner}");
    let lifted = server
        .graphql(
            LOGIN_DEVICE,
            json!({ "input": { "email": "kunzang@example.org", "password": PASSWORD } }),
        )
        .await;
    assert!(
        lifted["data"]["login"]["accessToken"].is_string(),
        "{lifted}"
    );
    Ok(())
}

both_backends!(
    logout_with_the_access_token_ends_its_session,
    suspension_applies_at_the_next_request,
    concurrent_guesses_cannot_outrun_the_lock,
    a_known_device_is_not_locked_out_by_others,
);
