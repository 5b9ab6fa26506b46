//! Cooperative staff over HTTP: invitations accepted by existing accounts, and refused
//! when made to an address whose account cannot join.

use serde_json::{Value, json};

use crate::{
    auth::{PASSWORD, admin_token, login, register},
    both_backends,
    support::{Backend, ServerOptions, TestServer, flows::cooperative_id},
};

const INVITE: &str = "mutation($input: StaffInviteInput!) { staffInvite(input: $input) { invitation { token } errors { field code message } } }";
const ACCEPT: &str = "mutation($input: StaffInviteAcceptInput!) { staffInviteAccept(input: $input) { user { id email role cooperativeId cooperativeRole } errors { field code message } } }";
const ME: &str = "{ me { id role cooperativeId cooperativeRole } }";

async fn invite(server: &TestServer, admin: &str, cooperative: &str, email: &str) -> Value {
    server
        .graphql_as(
            Some(admin),
            INVITE,
            json!({ "input": { "cooperativeId": cooperative, "email": email, "name": "Invitee", "cooperativeRole": "STAFF" } }),
        )
        .await
}

async fn an_existing_buyer_accepts_by_signing_in(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    register(&server, "padma@example.org").await;
    let (buyer, _) = login(&server, "padma@example.org", PASSWORD).await;
    let (stranger, _) = {
        register(&server, "stranger@example.org").await;
        login(&server, "stranger@example.org", PASSWORD).await
    };

    let invited = invite(&server, &admin, &sham, "Padma@Example.org").await;
    assert_eq!(
        invited["data"]["staffInvite"]["errors"],
        json!([]),
        "{invited}"
    );
    let token = invited["data"]["staffInvite"]["invitation"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token: {invited}"))
        .to_owned();

    // Not signed in, or signed in as someone else: sign in as the invited account.
    for caller in [None, Some(stranger.as_str())] {
        let refused = server
            .graphql_as(
                caller,
                ACCEPT,
                json!({ "input": { "token": token, "password": "another-passphrase-77" } }),
            )
            .await;
        assert_eq!(
            refused["data"]["staffInviteAccept"]["errors"][0]["code"], "NOT_ALLOWED",
            "{refused}"
        );
        assert!(
            refused["data"]["staffInviteAccept"]["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("sign in"))
        );
    }

    let accepted = server
        .graphql_as(Some(&buyer), ACCEPT, json!({ "input": { "token": token } }))
        .await;
    assert_eq!(
        accepted["data"]["staffInviteAccept"]["errors"],
        json!([]),
        "{accepted}"
    );
    let user = &accepted["data"]["staffInviteAccept"]["user"];
    assert_eq!(user["email"], "padma@example.org");
    assert_eq!(user["role"], "COOPERATIVE");
    assert_eq!(user["cooperativeId"], sham.as_str());
    assert_eq!(user["cooperativeRole"], "STAFF");
    // The same access token acts as staff from the next request on.
    let me = server.graphql_as(Some(&buyer), ME, json!({})).await;
    assert_eq!(me["data"]["me"]["role"], "COOPERATIVE", "{me}");
    let products = server
        .graphql_as(
            Some(&buyer),
            "query($id: ID!) { cooperativeProducts(cooperativeId: $id, first: 1) { totalCount } }",
            json!({ "id": sham }),
        )
        .await;
    assert!(products["errors"].is_null(), "{products}");
    // The password of the account did not change.
    login(&server, "padma@example.org", PASSWORD).await;
    Ok(())
}

async fn invitations_to_accounts_that_cannot_join_are_refused(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let nubra = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    // Staff of another cooperative.
    let first = invite(&server, &admin, &nubra, "dawa@example.org").await;
    let token = first["data"]["staffInvite"]["invitation"]["token"].clone();
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

    // The admin's own address, staff of another cooperative, staff of this one.
    for (email, cooperative) in [
        ("registrar@example.org", &sham),
        ("dawa@example.org", &sham),
        ("dawa@example.org", &nubra),
    ] {
        let refused = invite(&server, &admin, cooperative, email).await;
        assert_eq!(
            refused["data"]["staffInvite"]["errors"][0]["code"], "NOT_ALLOWED",
            "{email}: {refused}"
        );
        assert_eq!(
            refused["data"]["staffInvite"]["errors"][0]["field"],
            json!(["input", "email"])
        );
        assert!(refused["data"]["staffInvite"]["invitation"].is_null());
    }
    Ok(())
}

const STAFF: &str = "query($id: ID!, $after: String) { cooperativeStaff(cooperativeId: $id, first: 2, after: $after) { totalCount nodes { id email cooperativeRole } pageInfo { hasNextPage endCursor } } }";
const ROLE_CHANGE: &str = "mutation($input: StaffRoleChangeInput!) { staffRoleChange(input: $input) { user { id role cooperativeRole } errors { field code message } } }";
const REMOVE: &str = "mutation($input: StaffRemoveInput!) { staffRemove(input: $input) { user { id role cooperativeId } errors { field code message } } }";

/// Creates a member of `cooperative` through the admin; returns (id, access token).
async fn member(
    server: &TestServer,
    admin: &str,
    cooperative: &str,
    email: &str,
    role: &str,
) -> (String, String) {
    let created = server
        .graphql_as(
            Some(admin),
            "mutation($input: UserCreateInput!) { userCreate(input: $input) { user { id } errors { message } } }",
            json!({ "input": { "email": email, "password": PASSWORD, "name": "Member", "role": "COOPERATIVE",
                    "cooperativeId": cooperative, "cooperativeRole": role } }),
        )
        .await;
    let id = created["data"]["userCreate"]["user"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("userCreate failed: {created}"))
        .to_owned();
    (id, login(server, email, PASSWORD).await.0)
}

async fn managers_list_promote_and_remove_their_staff(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let nubra = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let (manager_id, manager) =
        member(&server, &admin, &sham, "head@sham.example.org", "MANAGER").await;
    let (lobzang_id, lobzang) =
        member(&server, &admin, &sham, "lobzang@sham.example.org", "STAFF").await;
    let (_, _) = member(&server, &admin, &sham, "yangdol@sham.example.org", "STAFF").await;
    let (_, other_manager) =
        member(&server, &admin, &nubra, "head@nubra.example.org", "MANAGER").await;

    // The list, paged: three members, oldest first.
    let first = server
        .graphql_as(Some(&manager), STAFF, json!({ "id": sham }))
        .await;
    let connection = &first["data"]["cooperativeStaff"];
    assert_eq!(connection["totalCount"], 3, "{first}");
    assert_eq!(connection["nodes"][0]["email"], "head@sham.example.org");
    assert_eq!(connection["nodes"][1]["email"], "lobzang@sham.example.org");
    assert_eq!(connection["pageInfo"]["hasNextPage"], true);
    let second = server
        .graphql_as(
            Some(&manager),
            STAFF,
            json!({ "id": sham, "after": connection["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(
        second["data"]["cooperativeStaff"]["nodes"][0]["email"],
        "yangdol@sham.example.org"
    );
    assert_eq!(
        second["data"]["cooperativeStaff"]["pageInfo"]["hasNextPage"],
        false
    );
    // Neither staff nor another cooperative's manager may list or change them.
    for token in [&lobzang, &other_manager] {
        let listed = server
            .graphql_as(Some(token), STAFF, json!({ "id": sham }))
            .await;
        assert_eq!(
            crate::support::error_code(&listed),
            Some("FORBIDDEN"),
            "{listed}"
        );
    }
    let foreign = server
        .graphql_as(
            Some(&other_manager),
            REMOVE,
            json!({ "input": { "userId": lobzang_id } }),
        )
        .await;
    assert_eq!(
        crate::support::error_code(&foreign),
        Some("FORBIDDEN"),
        "{foreign}"
    );
    // A manager does not demote or remove themselves.
    let own = server
        .graphql_as(
            Some(&manager),
            ROLE_CHANGE,
            json!({ "input": { "userId": manager_id, "cooperativeRole": "STAFF" } }),
        )
        .await;
    assert_eq!(
        own["data"]["staffRoleChange"]["errors"][0]["code"], "NOT_ALLOWED",
        "{own}"
    );

    // Promotion applies at Lobzang's next request, with the token he already has.
    let invite_as_staff = || {
        server.graphql_as(
            Some(&lobzang),
            INVITE,
            json!({ "input": { "cooperativeId": sham, "email": "new@sham.example.org", "name": "New" } }),
        )
    };
    assert_eq!(
        crate::support::error_code(&invite_as_staff().await),
        Some("FORBIDDEN")
    );
    let promoted = server
        .graphql_as(
            Some(&manager),
            ROLE_CHANGE,
            json!({ "input": { "userId": lobzang_id, "cooperativeRole": "MANAGER" } }),
        )
        .await;
    assert_eq!(
        promoted["data"]["staffRoleChange"]["errors"],
        json!([]),
        "{promoted}"
    );
    assert_eq!(
        promoted["data"]["staffRoleChange"]["user"]["cooperativeRole"],
        "MANAGER"
    );
    let invited = invite_as_staff().await;
    assert_eq!(
        invited["data"]["staffInvite"]["errors"],
        json!([]),
        "{invited}"
    );

    // Removal ends his sessions at once; the account stays, as a buyer's.
    let removed = server
        .graphql_as(
            Some(&manager),
            REMOVE,
            json!({ "input": { "userId": lobzang_id } }),
        )
        .await;
    assert_eq!(
        removed["data"]["staffRemove"]["errors"],
        json!([]),
        "{removed}"
    );
    assert_eq!(removed["data"]["staffRemove"]["user"]["role"], "BUYER");
    assert!(removed["data"]["staffRemove"]["user"]["cooperativeId"].is_null());
    let after = server.graphql_as(Some(&lobzang), ME, json!({})).await;
    assert_eq!(
        crate::support::error_code(&after),
        Some("UNAUTHENTICATED"),
        "{after}"
    );
    let listed = server
        .graphql_as(Some(&admin), STAFF, json!({ "id": sham }))
        .await;
    assert_eq!(
        listed["data"]["cooperativeStaff"]["totalCount"], 2,
        "{listed}"
    );
    let (again, _) = login(&server, "lobzang@sham.example.org", PASSWORD).await;
    let me = server.graphql_as(Some(&again), ME, json!({})).await;
    assert_eq!(me["data"]["me"]["role"], "BUYER", "{me}");
    Ok(())
}

both_backends!(
    an_existing_buyer_accepts_by_signing_in,
    invitations_to_accounts_that_cannot_join_are_refused,
    managers_list_promote_and_remove_their_staff,
);
