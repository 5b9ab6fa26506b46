//! Common steps of the tests, done the way a client would do them.

use serde_json::{Value, json};

use super::TestServer;

pub const PASSWORD: &str = "apricot-harvest-2026";

/// Registers a buyer and returns their access token.
pub async fn buyer_token(server: &TestServer, email: &str) -> String {
    server
        .graphql(
            "mutation($input: RegisterInput!) { register(input: $input) { errors { message } } }",
            json!({ "input": { "email": email, "password": PASSWORD, "name": "Buyer" } }),
        )
        .await;
    login(server, email).await
}

pub async fn login(server: &TestServer, email: &str) -> String {
    let body = server
        .graphql(
            "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
            json!({ "input": { "email": email, "password": PASSWORD } }),
        )
        .await;
    body["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("login of {email} failed: {body}"))
        .to_owned()
}

/// Creates a platform admin through the CLI and returns their access token.
pub async fn admin_token(server: &TestServer) -> String {
    let email = format!("admin-{}@example.org", uuid::Uuid::new_v4().simple());
    let output = server
        .database
        .run_cli(
            &["admin", "create", "--email", &email, "--password-stdin"],
            &[],
            Some(&format!("{PASSWORD}\n")),
        )
        .await
        .expect("admin create");
    assert!(output.success, "admin create failed: {}", output.stderr);
    login(server, &email).await
}

/// The id of a seeded cooperative, looked up by an admin (any status).
pub async fn cooperative_id(server: &TestServer, admin: &str, slug: &str) -> String {
    let body = server
        .graphql_as(
            Some(admin),
            "query($slug: String) { cooperative(slug: $slug) { id } }",
            json!({ "slug": slug }),
        )
        .await;
    body["data"]["cooperative"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no cooperative {slug}: {body}"))
        .to_owned()
}

/// Creates a staff account of a cooperative (through an admin) and returns its token.
pub async fn staff_token(
    server: &TestServer,
    admin: &str,
    cooperative_id: &str,
    role: &str,
) -> String {
    let email = format!(
        "{}-{}@coop.example.org",
        role.to_lowercase(),
        uuid::Uuid::new_v4().simple()
    );
    let body = server
        .graphql_as(
            Some(admin),
            "mutation($input: UserCreateInput!) { userCreate(input: $input) { user { id } errors { message } } }",
            json!({ "input": { "email": email, "password": PASSWORD, "name": "Staff", "role": "COOPERATIVE",
                    "cooperativeId": cooperative_id, "cooperativeRole": role } }),
        )
        .await;
    assert!(
        body["data"]["userCreate"]["user"]["id"].is_string(),
        "{body}"
    );
    login(server, &email).await
}

/// The `errors` list of a mutation payload. A call refused at the top level (or a
/// payload without its list) fails the test here: an empty list must mean "accepted",
/// never "nothing got as far as the payload".
pub fn user_errors<'a>(body: &'a Value, mutation: &str) -> &'a Vec<Value> {
    let refused = body["errors"]
        .as_array()
        .is_some_and(|errors| !errors.is_empty());
    assert!(!refused, "{mutation} was refused at the top level: {body}");
    body["data"][mutation]["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{mutation} has no payload errors list: {body}"))
}

/// The input paths named by a payload's user errors, joined with dots.
pub fn error_fields(body: &Value, mutation: &str) -> Vec<String> {
    user_errors(body, mutation)
        .iter()
        .map(|e| {
            e["field"]
                .as_array()
                .map(|parts| {
                    parts
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .unwrap_or_default()
        })
        .collect()
}

#[test]
#[should_panic(expected = "refused at the top level")]
fn user_errors_fails_when_the_call_was_refused() {
    let refused = serde_json::json!({
        "data": null,
        "errors": [{ "message": "sign in first", "extensions": { "code": "UNAUTHENTICATED" } }]
    });
    user_errors(&refused, "productCreate");
}

#[test]
fn user_errors_reads_an_accepted_payload() {
    let accepted = serde_json::json!({ "data": { "productCreate": { "errors": [] } } });
    assert!(user_errors(&accepted, "productCreate").is_empty());
}

/// The id of a GI tag by its slug.
pub async fn gi_tag_id(server: &TestServer, slug: &str) -> String {
    let tags = server.graphql("{ giTags { id slug } }", json!({})).await;
    tags["data"]["giTags"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["slug"] == slug)
        .and_then(|t| t["id"].as_str())
        .unwrap_or_else(|| panic!("no GI {slug}: {tags}"))
        .to_owned()
}

/// The id of a product by its slug, as `token`'s holder sees it (a draft only to its
/// cooperative), or as the public sees it without one.
pub async fn product_id(server: &TestServer, token: Option<&str>, slug: &str) -> String {
    let found = server
        .graphql_as(
            token,
            "query($slug: String) { product(slug: $slug) { id } }",
            json!({ "slug": slug }),
        )
        .await;
    found["data"]["product"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no product {slug}: {found}"))
        .to_owned()
}
