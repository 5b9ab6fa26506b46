//! Registration and sign-in never tell which addresses have accounts: a taken address
//! registers like a new one, and an unknown address is throttled like a known one.

use serde_json::{Value, json};

use crate::{
    auth::{PASSWORD, admin_token, login, register},
    both_backends,
    support::{Backend, ServerOptions, TestServer, error_code},
};

const REGISTER: &str = "mutation($input: RegisterInput!) { register(input: $input) { user { id email name role cooperativeId createdAt } errors { field code message } } }";
const LOGIN: &str =
    "mutation($input: LoginInput!) { login(input: $input) { accessToken errors { code } } }";

/// The payload with its volatile values (id, time) replaced, to compare shapes.
fn shape(body: &Value) -> Value {
    let mut payload = body["data"]["register"].clone();
    for key in ["id", "createdAt"] {
        if let Some(value) = payload["user"].get_mut(key) {
            assert!(value.is_string(), "{key} is given: {body}");
            *value = json!("…");
        }
    }
    payload
}

async fn a_taken_address_registers_like_a_new_one(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    let first = register(&server, "yangchen@example.org").await;
    let real_id = first["data"]["register"]["user"]["id"].clone();

    let taken = server
        .graphql(
            REGISTER,
            json!({ "input": { "email": "Yangchen@Example.org", "password": "another-passphrase-77", "name": "Stanzin Dolma" } }),
        )
        .await;
    let new = server
        .graphql(
            REGISTER,
            json!({ "input": { "email": "yangchen-2@example.org", "password": "another-passphrase-77", "name": "Stanzin Dolma" } }),
        )
        .await;
    assert!(taken["errors"].is_null(), "{taken}");
    assert_eq!(taken["data"]["register"]["errors"], json!([]), "{taken}");
    let mut expected = shape(&new);
    expected["user"]["email"] = json!("yangchen@example.org");
    assert_eq!(shape(&taken), expected, "{taken} vs {new}");
    assert_ne!(taken["data"]["register"]["user"]["id"], real_id);

    // Nothing changed for the owner: their password still works, the other does not.
    login(&server, "yangchen@example.org", PASSWORD).await;
    let other = server
        .graphql(
            LOGIN,
            json!({ "input": { "email": "yangchen@example.org", "password": "another-passphrase-77" } }),
        )
        .await;
    assert_eq!(error_code(&other), Some("UNAUTHENTICATED"), "{other}");
    Ok(())
}

/// The messages of six wrong logins of `email`, one after another.
async fn six_wrong_logins(server: &TestServer, email: &str) -> Vec<String> {
    let mut messages = Vec::new();
    for _ in 0..6 {
        let body = server
            .graphql(
                LOGIN,
                json!({ "input": { "email": email, "password": "not-the-password-at-all" } }),
            )
            .await;
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
        messages.push(
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    messages
}

async fn unknown_addresses_are_throttled_like_known_ones(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    register(&server, "known@example.org").await;
    let known = six_wrong_logins(&server, "known@example.org").await;
    let unknown = six_wrong_logins(&server, "nobody-here@example.org").await;
    let normalise = |messages: Vec<String>| -> Vec<String> {
        messages
            .into_iter()
            .map(|m| {
                // "try again in 30 seconds" may read 29 a moment later.
                m.split(" in ").next().unwrap_or_default().to_owned()
            })
            .collect()
    };
    assert!(
        known
            .last()
            .is_some_and(|m| m.contains("too many failed logins")),
        "{known:?}"
    );
    assert_eq!(normalise(known), normalise(unknown));
    Ok(())
}

fn register_with(email: &str, password: &str, name: &str) -> Value {
    json!({ "input": { "email": email, "password": password, "name": name } })
}

async fn common_passwords_are_refused(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    for password in ["qwertyuiop", "Password123", "iloveyou2026!"] {
        let body = server
            .graphql(REGISTER, register_with("chosen@example.org", password, "C"))
            .await;
        assert_eq!(
            body["data"]["register"]["errors"][0]["code"], "WEAK_PASSWORD",
            "{password}: {body}"
        );
        assert_eq!(
            body["data"]["register"]["errors"][0]["field"],
            json!(["input", "password"])
        );
    }
    Ok(())
}

async fn look_alike_addresses_are_one_account(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    register(&server, "tsering@example.org").await;
    // Full-width letters are the same address after NFKC: no second account.
    let full_width = server
        .graphql(
            REGISTER,
            register_with(
                "ｔｓｅｒｉｎｇ@example.org",
                "another-passphrase-77",
                "Impostor",
            ),
        )
        .await;
    assert_eq!(
        full_width["data"]["register"]["errors"],
        json!([]),
        "{full_width}"
    );
    assert_eq!(
        full_width["data"]["register"]["user"]["email"],
        "tsering@example.org"
    );
    let impostor = server
        .graphql(
            LOGIN,
            json!({ "input": { "email": "ｔｓｅｒｉｎｇ@example.org", "password": "another-passphrase-77" } }),
        )
        .await;
    assert_eq!(error_code(&impostor), Some("UNAUTHENTICATED"), "{impostor}");
    // The owner signs in with either spelling.
    login(&server, "ｔｓｅｒｉｎｇ@example.org", PASSWORD).await;

    for hidden in [
        "tser\u{200B}ing@example.org",
        "tsering\u{200D}@example.org",
        "\u{FEFF}tsering@example.org",
    ] {
        let body = server
            .graphql(REGISTER, register_with(hidden, PASSWORD, "Hidden"))
            .await;
        assert_eq!(
            body["data"]["register"]["errors"][0]["field"],
            json!(["input", "email"]),
            "{hidden:?}: {body}"
        );
        assert!(body["data"]["register"]["user"].is_null(), "{body}");
    }
    Ok(())
}

async fn control_characters_are_refused_in_every_text_input(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    let cases = [
        (
            REGISTER,
            register_with("nul@example.org", PASSWORD, "Dolma\u{0}"),
        ),
        (
            REGISTER,
            register_with("esc@example.org", PASSWORD, "\u{1b}[31mDolma"),
        ),
        (
            "query($slug: String) { product(slug: $slug) { id } }",
            json!({ "slug": "raktsey\u{7f}" }),
        ),
        ("{ product(slug: \"a\\u0000b\") { id } }", json!({})),
    ];
    for (query, variables) in cases {
        let body = server.graphql(query, variables.clone()).await;
        assert_eq!(
            error_code(&body),
            Some("BAD_USER_INPUT"),
            "{variables}: {body}"
        );
        assert!(body["data"].is_null(), "nothing runs: {body}");
    }
    // Nobody was registered by the refused requests.
    let nul = server
        .graphql(
            REGISTER,
            register_with("nul@example.org", PASSWORD, "Dolma\nNamgyal\tof Leh"),
        )
        .await;
    assert_eq!(nul["data"]["register"]["errors"], json!([]), "{nul}");
    Ok(())
}

async fn a_refused_password_does_not_use_up_an_invitation(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let cooperative = server
        .graphql_as(
            Some(&admin),
            "{ cooperative(slug: \"sham-apricot-growers-demo\") { id } }",
            json!({}),
        )
        .await;
    let invited = server
        .graphql_as(
            Some(&admin),
            "mutation($input: StaffInviteInput!) { staffInvite(input: $input) { invitation { token } errors { code } } }",
            json!({ "input": { "cooperativeId": cooperative["data"]["cooperative"]["id"],
                    "email": "rinchen@example.org", "name": "Rinchen" } }),
        )
        .await;
    let token = invited["data"]["staffInvite"]["invitation"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no invitation: {invited}"))
        .to_owned();
    const ACCEPT: &str = "mutation($input: StaffInviteAcceptInput!) { staffInviteAccept(input: $input) { user { email role } errors { field code } } }";
    for weak in ["short", "qwertyuiop"] {
        let refused = server
            .graphql(
                ACCEPT,
                json!({ "input": { "token": token, "password": weak } }),
            )
            .await;
        assert_eq!(
            refused["data"]["staffInviteAccept"]["errors"][0]["code"], "WEAK_PASSWORD",
            "{refused}"
        );
    }
    let accepted = server
        .graphql(
            ACCEPT,
            json!({ "input": { "token": token, "password": PASSWORD } }),
        )
        .await;
    assert_eq!(
        accepted["data"]["staffInviteAccept"]["errors"],
        json!([]),
        "{accepted}"
    );
    assert_eq!(
        accepted["data"]["staffInviteAccept"]["user"]["role"],
        "COOPERATIVE"
    );
    // And then it is used.
    let again = server
        .graphql(
            ACCEPT,
            json!({ "input": { "token": token, "password": PASSWORD } }),
        )
        .await;
    assert_eq!(
        again["data"]["staffInviteAccept"]["errors"][0]["code"], "INVALID",
        "{again}"
    );
    Ok(())
}

both_backends!(
    a_taken_address_registers_like_a_new_one,
    unknown_addresses_are_throttled_like_known_ones,
    common_passwords_are_refused,
    look_alike_addresses_are_one_account,
    control_characters_are_refused_in_every_text_input,
    a_refused_password_does_not_use_up_an_invitation,
);
