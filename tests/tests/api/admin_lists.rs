//! Admins' lists across the marketplace: `users`, `buyerOrganisations` and `orders`,
//! each narrowed by its filter and paged like every other list; nobody else reads them.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::{
    both_backends,
    orders::{add_to_cart, leh, place_order, variant},
    support::{
        Backend, ServerOptions, TestServer, error_code,
        flows::{PASSWORD, admin_token, buyer_token, user_errors},
    },
};

/// Every node id of `field(filter: $filter)`, read page by page (`first: 2`), failing
/// on an id seen twice; also checks `totalCount` against the number read.
async fn all_ids(server: &TestServer, admin: &str, field: &str, filter: Value) -> Vec<String> {
    let (arguments, variables) = if filter.is_null() {
        (String::new(), "$after: String".to_owned())
    } else {
        let input = if field == "users" {
            "UserFilter"
        } else {
            "OrderFilter"
        };
        (
            ", filter: $filter".to_owned(),
            format!("$after: String, $filter: {input}"),
        )
    };
    let query = format!(
        "query({variables}) {{ {field}(first: 2, after: $after{arguments}) {{
            totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ id }} }} }}"
    );
    let mut ids = Vec::new();
    let mut after = Value::Null;
    let mut total = None;
    for _ in 0..50 {
        let body = server
            .graphql_as(
                Some(admin),
                &query,
                json!({ "after": after, "filter": filter }),
            )
            .await;
        let connection = &body["data"][field];
        let nodes = connection["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"));
        assert!(nodes.len() <= 2, "{body}");
        ids.extend(nodes.iter().map(|n| n["id"].as_str().unwrap().to_owned()));
        total = connection["totalCount"].as_u64();
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    let distinct: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "an item came twice: {ids:?}");
    assert_eq!(total, Some(ids.len() as u64), "{ids:?}");
    ids
}

fn set(ids: &[&String]) -> BTreeSet<String> {
    ids.iter().map(|id| (*id).clone()).collect()
}

fn as_set(ids: Vec<String>) -> BTreeSet<String> {
    ids.into_iter().collect()
}

async fn users_and_organisations_for_admins(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::default()).await?;
    let admin = admin_token(&server).await;
    let marker = format!("adl-{}", uuid::Uuid::new_v4().simple());
    let user_id = |body: &Value, mutation: &str| {
        body["data"][mutation]["user"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}"))
            .to_owned()
    };
    let mut buyers = Vec::new();
    for name in ["a", "b", "c"] {
        let body = server
            .graphql(
                "mutation($i: RegisterInput!) { register(input: $i) { user { id } errors { message } } }",
                json!({ "i": { "email": format!("{marker}-{name}@example.org"), "password": PASSWORD, "name": name } }),
            )
            .await;
        buyers.push(user_id(&body, "register"));
    }
    let coop = server
        .graphql_as(
            Some(&admin),
            "mutation($i: UserCreateInput!) { userCreate(input: $i) { user { id } errors { message } } }",
            json!({ "i": { "email": format!("{marker}-admin@example.org"), "password": PASSWORD,
                           "name": "Second admin", "role": "ADMIN" } }),
        )
        .await;
    let second_admin = user_id(&coop, "userCreate");
    let suspended = server
        .graphql_as(
            Some(&admin),
            "mutation($i: UserSuspendInput!) { userSuspend(input: $i) { errors { message } } }",
            json!({ "i": { "userId": buyers[1], "suspended": true } }),
        )
        .await;
    assert!(
        user_errors(&suspended, "userSuspend").is_empty(),
        "{suspended}"
    );
    // Someone without the marker, who no email filter below may return.
    buyer_token(&server, "unmarked-buyer@example.org").await;

    let everyone = as_set(all_ids(&server, &admin, "users", Value::Null).await);
    assert!(everyone.len() >= 6, "{everyone:?}");
    for id in buyers.iter().chain([&second_admin]) {
        assert!(everyone.contains(id), "{id} missing from {everyone:?}");
    }
    // The email filter ignores case.
    let upper = marker.to_uppercase();
    let cases = [
        (
            json!({ "emailContains": upper }),
            set(&[&buyers[0], &buyers[1], &buyers[2], &second_admin]),
        ),
        (
            json!({ "emailContains": marker, "role": "BUYER" }),
            set(&[&buyers[0], &buyers[1], &buyers[2]]),
        ),
        (
            json!({ "emailContains": marker, "role": "ADMIN" }),
            set(&[&second_admin]),
        ),
        (
            json!({ "emailContains": marker, "suspended": true }),
            set(&[&buyers[1]]),
        ),
        (
            json!({ "emailContains": marker, "suspended": false, "role": "BUYER" }),
            set(&[&buyers[0], &buyers[2]]),
        ),
        (
            json!({ "emailContains": format!("{marker}-c@") }),
            set(&[&buyers[2]]),
        ),
        // LIKE wildcards in the needle are taken literally.
        (
            json!({ "emailContains": marker.replacen('-', "_", 1) }),
            BTreeSet::new(),
        ),
        (json!({ "emailContains": "%" }), BTreeSet::new()),
    ];
    for (filter, expected) in cases {
        let found = as_set(all_ids(&server, &admin, "users", filter.clone()).await);
        assert_eq!(found, expected, "filter {filter}");
    }

    let mut organisations = Vec::new();
    for n in 0..3 {
        let body = server
            .graphql_as(
                Some(&admin),
                "mutation($i: BuyerOrganisationCreateInput!) { buyerOrganisationCreate(input: $i) { buyerOrganisation { id } errors { message } } }",
                json!({ "i": { "name": format!("Department {n}"), "kind": "UT_GOVERNMENT_DEPARTMENT" } }),
            )
            .await;
        organisations.push(
            body["data"]["buyerOrganisationCreate"]["buyerOrganisation"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{body}"))
                .to_owned(),
        );
    }
    let listed = all_ids(&server, &admin, "buyerOrganisations", Value::Null).await;
    assert_eq!(listed, organisations, "oldest first, each once");

    // Nobody but admins reads the lists: the codes every admin-only operation answers.
    let buyer = buyer_token(&server, "nosy-buyer@example.org").await;
    for query in [
        "{ users(first: 5) { totalCount } }",
        "{ buyerOrganisations(first: 5) { totalCount } }",
        "{ orders(first: 5) { totalCount } }",
    ] {
        let refused = server.graphql_as(Some(&buyer), query, json!({})).await;
        assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
        assert!(refused["data"].is_null(), "{refused}");
        let anonymous = server.graphql(query, json!({})).await;
        assert_eq!(
            error_code(&anonymous),
            Some("UNAUTHENTICATED"),
            "{anonymous}"
        );
    }
    // Cooperatives awaiting verification are an admin's list too.
    let pending = "{ cooperatives(first: 5, verificationStatus: PENDING) { totalCount } }";
    let refused = server.graphql_as(Some(&buyer), pending, json!({})).await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    let allowed = server.graphql_as(Some(&admin), pending, json!({})).await;
    assert!(
        allowed["data"]["cooperatives"]["totalCount"].is_u64(),
        "{allowed}"
    );
    Ok(())
}

/// The id of the cooperative that makes the product `slug`.
async fn maker(server: &TestServer, slug: &str) -> String {
    let body = server
        .graphql(
            "query($slug: String) { product(slug: $slug) { cooperative { id } } }",
            json!({ "slug": slug }),
        )
        .await;
    body["data"]["product"]["cooperative"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

async fn all_orders_for_admins(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let raktsey = maker(&server, "raktsey-karpo-dried-apricots-500g").await;
    let nubra = maker(&server, "nubra-leh-berry-juice-500ml").await;
    assert_ne!(raktsey, nubra);
    let apricots = variant(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    let juice = variant(&server, "nubra-leh-berry-juice-500ml", "NLBJ-500").await;
    let buyer = buyer_token(&server, "orders-list-buyer@example.org").await;

    let mut placed = Vec::new();
    let mut boundaries = Vec::new();
    for (key, item, method) in [
        ("k1", &apricots, "CASH_ON_DELIVERY"),
        ("k2", &juice, "BANK_TRANSFER"),
        ("k3", &apricots, "BANK_TRANSFER"),
    ] {
        // An instant between the previous order and this one (each is a round trip).
        boundaries.push(chrono::Utc::now().to_rfc3339());
        add_to_cart(&server, Some(&buyer), None, &item["id"], 1).await;
        let body = place_order(&server, &buyer, key, leh(), method, json!({})).await;
        let id = body["data"]["placeOrder"]["order"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}"))
            .to_owned();
        placed.push(id);
    }
    let [cod_apricots, transfer_juice, transfer_apricots] = [&placed[0], &placed[1], &placed[2]];

    // Newest first, each once, and nothing else in a fresh marketplace.
    let everything = all_ids(&server, &admin, "orders", Value::Null).await;
    assert_eq!(
        everything,
        vec![
            transfer_apricots.clone(),
            transfer_juice.clone(),
            cod_apricots.clone()
        ]
    );
    let cases = [
        (
            json!({ "paymentMethod": "BANK_TRANSFER" }),
            set(&[transfer_juice, transfer_apricots]),
        ),
        (json!({ "paymentMethod": "STRIPE" }), BTreeSet::new()),
        // Cash on delivery is confirmed at once; a bank transfer awaits its payment.
        (json!({ "status": "CONFIRMED" }), set(&[cod_apricots])),
        (
            json!({ "status": "PENDING_PAYMENT" }),
            set(&[transfer_juice, transfer_apricots]),
        ),
        (
            json!({ "cooperativeId": raktsey }),
            set(&[cod_apricots, transfer_apricots]),
        ),
        (json!({ "cooperativeId": nubra }), set(&[transfer_juice])),
        (
            json!({ "cooperativeId": raktsey, "paymentMethod": "BANK_TRANSFER" }),
            set(&[transfer_apricots]),
        ),
        (
            json!({ "placedFrom": boundaries[1] }),
            set(&[transfer_juice, transfer_apricots]),
        ),
        (json!({ "placedTo": boundaries[1] }), set(&[cod_apricots])),
        (
            json!({ "placedFrom": boundaries[1], "placedTo": boundaries[2] }),
            set(&[transfer_juice]),
        ),
        (json!({ "placedTo": boundaries[0] }), BTreeSet::new()),
    ];
    for (filter, expected) in cases {
        let found = as_set(all_ids(&server, &admin, "orders", filter.clone()).await);
        assert_eq!(found, expected, "filter {filter}");
    }
    // Orders are shown whole to admins, whichever cooperative narrowed the list.
    let body = server
        .graphql_as(
            Some(&admin),
            "query($f: OrderFilter) { orders(filter: $f) { nodes { id fulfilments { id } } } }",
            json!({ "f": { "cooperativeId": nubra } }),
        )
        .await;
    assert_eq!(
        body["data"]["orders"]["nodes"][0]["fulfilments"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "{body}"
    );
    let bad = server
        .graphql_as(
            Some(&admin),
            "{ orders(filter: { cooperativeId: \"nope\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"), "{bad}");

    // The cooperative's own staff and the buyer do not read the marketplace's orders.
    let mine = server
        .graphql_as(
            Some(&buyer),
            "{ orders(first: 5) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&mine), Some("FORBIDDEN"), "{mine}");
    Ok(())
}

both_backends!(users_and_organisations_for_admins, all_orders_for_admins);
