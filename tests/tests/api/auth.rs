//! Accounts and authentication over HTTP: registration, login, refresh rotation and
//! reuse detection, logout, throttling, hostile tokens and admin-only account creation.

use api::auth::Claims;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::{
    both_backends,
    support::{Backend, ServerOptions, TestServer, error_code, server::TEST_JWT_SECRET},
};

const REGISTER: &str = "mutation($input: RegisterInput!) { register(input: $input) { user { id email role } errors { field code message } } }";
const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken expiresAt user { id role } errors { field code message } } }";
const REFRESH: &str = "mutation($input: RefreshTokenInput!) { refreshToken(input: $input) { accessToken refreshToken expiresAt } }";
const LOGOUT: &str =
    "mutation($input: LogoutInput!) { logout(input: $input) { success errors { code } } }";
const ME: &str = "{ me { id email name role } }";

pub const PASSWORD: &str = "apricot-harvest-2026";

pub async fn register(server: &TestServer, email: &str) -> Value {
    server
        .graphql(
            REGISTER,
            json!({ "input": { "email": email, "password": PASSWORD, "name": "Stanzin Dolma" } }),
        )
        .await
}

/// Logs in and returns `(access token, refresh token)`.
pub async fn login(server: &TestServer, email: &str, password: &str) -> (String, String) {
    let body = server
        .graphql(
            LOGIN,
            json!({ "input": { "email": email, "password": password } }),
        )
        .await;
    let access = body["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("login failed: {body}"));
    let refresh = body["data"]["login"]["refreshToken"]
        .as_str()
        .unwrap_or_else(|| panic!("no refresh token: {body}"));
    (access.to_owned(), refresh.to_owned())
}

/// Creates a platform admin through the CLI and logs in as them.
pub async fn admin_token(server: &TestServer) -> String {
    let output = server
        .database
        .run_cli(
            &[
                "admin",
                "create",
                "--email",
                "registrar@example.org",
                "--password-stdin",
            ],
            &[],
            Some(&format!("{PASSWORD}\n")),
        )
        .await
        .expect("admin create");
    assert!(output.success, "admin create failed: {}", output.stderr);
    login(server, "registrar@example.org", PASSWORD).await.0
}

async fn register_login_and_me(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    let registered = register(&server, "  Dolma@Example.ORG ").await;
    assert_eq!(registered["data"]["register"]["errors"], json!([]));
    assert_eq!(
        registered["data"]["register"]["user"]["email"],
        "dolma@example.org"
    );
    assert_eq!(registered["data"]["register"]["user"]["role"], "BUYER");

    // A second registration of the address answers like a new one (see registration.rs).
    let duplicate = register(&server, "DOLMA@example.org").await;
    assert_eq!(duplicate["data"]["register"]["errors"], json!([]));

    let weak = server
        .graphql(
            REGISTER,
            json!({ "input": { "email": "weak@example.org", "password": "short", "name": "W" } }),
        )
        .await;
    assert_eq!(
        weak["data"]["register"]["errors"][0]["code"],
        "WEAK_PASSWORD"
    );
    let bad_email = server
        .graphql(
            REGISTER,
            json!({ "input": { "email": "not-an-email", "password": PASSWORD, "name": "W" } }),
        )
        .await;
    assert_eq!(
        bad_email["data"]["register"]["errors"][0]["field"],
        json!(["input", "email"])
    );

    let (access, _) = login(&server, "dolma@example.org", PASSWORD).await;
    let me = server.graphql_as(Some(&access), ME, json!({})).await;
    assert_eq!(me["data"]["me"]["email"], "dolma@example.org");
    assert_eq!(me["data"]["me"]["role"], "BUYER");

    let anonymous = server.graphql(ME, json!({})).await;
    assert_eq!(error_code(&anonymous), Some("UNAUTHENTICATED"));

    let wrong = server
        .graphql(
            LOGIN,
            json!({ "input": { "email": "dolma@example.org", "password": "wrong-password-1" } }),
        )
        .await;
    assert_eq!(error_code(&wrong), Some("UNAUTHENTICATED"));
    let unknown = server
        .graphql(
            LOGIN,
            json!({ "input": { "email": "nobody@example.org", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(error_code(&unknown), Some("UNAUTHENTICATED"));
    assert_eq!(
        wrong["errors"][0]["message"],
        unknown["errors"][0]["message"]
    );
    Ok(())
}

async fn refresh_rotates_and_reuse_revokes_the_family(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    register(&server, "tsering@example.org").await;
    let (_, first_refresh) = login(&server, "tsering@example.org", PASSWORD).await;

    let rotated = server
        .graphql(
            REFRESH,
            json!({ "input": { "refreshToken": first_refresh } }),
        )
        .await;
    let second_refresh = rotated["data"]["refreshToken"]["refreshToken"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let second_access = rotated["data"]["refreshToken"]["accessToken"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        !second_refresh.is_empty() && second_refresh != first_refresh,
        "{rotated}"
    );
    let me = server.graphql_as(Some(&second_access), ME, json!({})).await;
    assert_eq!(me["data"]["me"]["email"], "tsering@example.org");

    // The first token was used already: presenting it again is theft or a replay.
    let reused = server
        .graphql(
            REFRESH,
            json!({ "input": { "refreshToken": first_refresh } }),
        )
        .await;
    assert_eq!(error_code(&reused), Some("UNAUTHENTICATED"));
    // ... and it revoked the whole family, including the token issued in its place.
    let after_reuse = server
        .graphql(
            REFRESH,
            json!({ "input": { "refreshToken": second_refresh } }),
        )
        .await;
    assert_eq!(error_code(&after_reuse), Some("UNAUTHENTICATED"));

    let garbage = server
        .graphql(REFRESH, json!({ "input": { "refreshToken": "garbage" } }))
        .await;
    assert_eq!(error_code(&garbage), Some("UNAUTHENTICATED"));
    Ok(())
}

async fn logout_revokes_the_session(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    register(&server, "padma@example.org").await;
    let (_, refresh) = login(&server, "padma@example.org", PASSWORD).await;
    let logout = server
        .graphql(LOGOUT, json!({ "input": { "refreshToken": refresh } }))
        .await;
    assert_eq!(logout["data"]["logout"]["success"], true);
    let refreshed = server
        .graphql(REFRESH, json!({ "input": { "refreshToken": refresh } }))
        .await;
    assert_eq!(error_code(&refreshed), Some("UNAUTHENTICATED"));
    Ok(())
}

async fn repeated_failed_logins_are_throttled(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    register(&server, "angmo@example.org").await;
    for _ in 0..5 {
        let wrong = server
            .graphql(LOGIN, json!({ "input": { "email": "angmo@example.org", "password": "not-the-password" } }))
            .await;
        assert_eq!(error_code(&wrong), Some("UNAUTHENTICATED"));
    }
    // Locked now: even the right password is refused for a while.
    let locked = server
        .graphql(
            LOGIN,
            json!({ "input": { "email": "angmo@example.org", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(error_code(&locked), Some("UNAUTHENTICATED"));
    assert!(
        locked["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("too many failed logins")),
        "{locked}"
    );
    Ok(())
}

fn claims(
    session: (uuid::Uuid, uuid::Uuid),
    audience: &str,
    exp_offset: i64,
    nbf_offset: i64,
) -> Claims {
    let (user_id, sid) = session;
    let now = chrono::Utc::now().timestamp();
    Claims {
        sub: user_id,
        sid,
        iss: "ladakh-market".into(),
        aud: audience.into(),
        exp: now + exp_offset,
        iat: now,
        nbf: now + nbf_offset,
        jti: uuid::Uuid::now_v7(),
        role: "ADMIN".into(),
        cooperative_id: None,
        cooperative_role: None,
        buyer_organisation_id: None,
    }
}

/// The session id (`sid`) an access token names.
pub fn session_of(access_token: &str) -> uuid::Uuid {
    let payload = access_token.split('.').nth(1).expect("a JWT has a payload");
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url payload"))
            .expect("JSON claims");
    claims["sid"]
        .as_str()
        .expect("a sid claim")
        .parse()
        .expect("a uuid")
}

fn sign(claims: &Claims, secret: &str) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("a token signs")
}

async fn hostile_tokens_are_unauthenticated(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    let registered = register(&server, "rigzin@example.org").await;
    let user_id: uuid::Uuid = registered["data"]["register"]["user"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("registration failed: {registered}"))
        .parse()?;
    // Forged tokens name the session of a real login: the session check is not what
    // this test is about.
    let (access, _) = login(&server, "rigzin@example.org", PASSWORD).await;
    let user_id = (user_id, session_of(&access));
    let audience = "ladakh-market-api";

    let valid = sign(&claims(user_id, audience, 600, 0), TEST_JWT_SECRET);
    let me = server.graphql_as(Some(&valid), ME, json!({})).await;
    assert_eq!(
        me["data"]["me"]["email"], "rigzin@example.org",
        "a correctly forged token is the control"
    );

    let expired = sign(&claims(user_id, audience, -600, -1200), TEST_JWT_SECRET);
    let not_yet_valid = sign(&claims(user_id, audience, 1200, 600), TEST_JWT_SECRET);
    let wrong_audience = sign(&claims(user_id, "another-api", 600, 0), TEST_JWT_SECRET);
    let wrong_secret = sign(
        &claims(user_id, audience, 600, 0),
        "a-different-secret-a-different-secret!!",
    );
    let mut tampered = valid.clone();
    tampered.pop();
    tampered.push(if valid.ends_with('A') { 'B' } else { 'A' });
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(user_id, audience, 600, 0))?);
    let alg_none = format!(
        "{}.{payload}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#)
    );
    let hs512 = encode(
        &Header::new(Algorithm::HS512),
        &claims(user_id, audience, 600, 0),
        &EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes()),
    )?;

    for (name, token) in [
        ("expired", expired),
        ("not yet valid", not_yet_valid),
        ("wrong audience", wrong_audience),
        ("wrong secret", wrong_secret),
        ("tampered", tampered),
        ("alg none", alg_none),
        ("another algorithm", hs512),
        ("garbage", "not.a.token".to_owned()),
    ] {
        let body = server
            .graphql_as(Some(&token), "{ categories { slug } }", json!({}))
            .await;
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{name}: {body}");
        assert!(
            body["data"].is_null(),
            "{name}: nothing runs with a bad token"
        );
    }
    Ok(())
}

const USER_CREATE: &str = "mutation($input: UserCreateInput!) { userCreate(input: $input) { user { id role cooperativeRole cooperativeId } errors { field code message } } }";

async fn only_admins_create_accounts(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let cooperatives = server
        .graphql(
            "{ cooperatives(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let cooperative_id = cooperatives["data"]["cooperatives"]["edges"][0]["node"]["id"].clone();
    let staff = json!({ "input": {
        "email": "manager@coop.example.org", "password": PASSWORD, "name": "Coop Manager",
        "role": "COOPERATIVE", "cooperativeId": cooperative_id, "cooperativeRole": "MANAGER"
    }});

    let anonymous = server.graphql(USER_CREATE, staff.clone()).await;
    assert_eq!(error_code(&anonymous), Some("UNAUTHENTICATED"));
    register(&server, "buyer@example.org").await;
    let (buyer, _) = login(&server, "buyer@example.org", PASSWORD).await;
    let forbidden = server
        .graphql_as(Some(&buyer), USER_CREATE, staff.clone())
        .await;
    assert_eq!(error_code(&forbidden), Some("FORBIDDEN"));

    let created = server.graphql_as(Some(&admin), USER_CREATE, staff).await;
    assert_eq!(
        created["data"]["userCreate"]["errors"],
        json!([]),
        "{created}"
    );
    assert_eq!(created["data"]["userCreate"]["user"]["role"], "COOPERATIVE");
    assert_eq!(
        created["data"]["userCreate"]["user"]["cooperativeRole"],
        "MANAGER"
    );
    let (manager, _) = login(&server, "manager@coop.example.org", PASSWORD).await;
    let me = server.graphql_as(Some(&manager), ME, json!({})).await;
    assert_eq!(me["data"]["me"]["role"], "COOPERATIVE");

    let no_cooperative = server
        .graphql_as(
            Some(&admin),
            USER_CREATE,
            json!({ "input": { "email": "x@coop.example.org", "password": PASSWORD, "name": "X", "role": "COOPERATIVE" } }),
        )
        .await;
    assert_eq!(
        no_cooperative["data"]["userCreate"]["errors"][0]["field"],
        json!(["input", "cooperativeId"])
    );

    let organisation = server
        .graphql_as(
            Some(&admin),
            "mutation($input: BuyerOrganisationCreateInput!) { buyerOrganisationCreate(input: $input) { buyerOrganisation { id gemBuyerId } errors { code } } }",
            json!({ "input": { "name": "Directorate of Health Services, Leh", "kind": "UT_GOVERNMENT_DEPARTMENT", "gemBuyerId": "GEM-B-000123" } }),
        )
        .await;
    let organisation_id =
        organisation["data"]["buyerOrganisationCreate"]["buyerOrganisation"]["id"].clone();
    assert!(organisation_id.is_string(), "{organisation}");
    let institution = server
        .graphql_as(
            Some(&admin),
            USER_CREATE,
            json!({ "input": { "email": "procurement@health.example.org", "password": PASSWORD, "name": "Procurement officer",
                    "role": "INSTITUTION", "buyerOrganisationId": organisation_id } }),
        )
        .await;
    assert_eq!(
        institution["data"]["userCreate"]["user"]["role"], "INSTITUTION",
        "{institution}"
    );
    Ok(())
}

both_backends!(
    register_login_and_me,
    refresh_rotates_and_reuse_revokes_the_family,
    logout_revokes_the_session,
    repeated_failed_logins_are_throttled,
    hostile_tokens_are_unauthenticated,
    only_admins_create_accounts,
);
