//! Guest checkout: a visitor orders with an email and phone instead of an account,
//! sees the order afterwards with the access token placeOrder gave them (and nothing
//! else), and pays by any method open to buyers.

use serde_json::{Value, json};

use crate::{
    both_backends,
    mail::{code_in, mailing},
    orders::{ORDER_FIELDS, add_to_cart, leh, stripe_options, variant},
    support::{
        Backend, ServerOptions, TestServer, error_code,
        flows::{PASSWORD, buyer_token, error_fields, user_errors},
        smtp_sink::SmtpSink,
        stripe_fake::FakeStripe,
    },
};

async fn visitor_cart(server: &TestServer, quantity: i64) -> String {
    let apricots = variant(server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    let added = add_to_cart(server, None, None, &apricots["id"], quantity).await;
    added["data"]["cartAddItem"]["cartToken"]
        .as_str()
        .unwrap_or_else(|| panic!("no cart token: {added}"))
        .to_owned()
}

async fn guest_order(
    server: &TestServer,
    token: Option<&str>,
    cart_token: &str,
    key: &str,
    method: &str,
    guest: Value,
) -> Value {
    server
        .graphql_as(
            token,
            &format!("mutation($i: PlaceOrderInput!) {{ placeOrder(input: $i) {{ replayed accessToken errors {{ field code message }} order {{ guestEmail guestPhone {ORDER_FIELDS} }} }} }}"),
            json!({ "i": { "cartToken": cart_token, "idempotencyKey": key, "shippingAddress": leh(),
                           "paymentMethod": method, "guest": guest } }),
        )
        .await
}

async fn by_token(server: &TestServer, id: &Value, token: &str) -> Value {
    server
        .graphql(
            "query($id: ID!, $t: String) { order(id: $id, accessToken: $t) { id number guestEmail status stripeClientSecret } }",
            json!({ "id": id, "t": token }),
        )
        .await
}

async fn a_guest_orders_and_sees_only_their_order(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let cart = visitor_cart(&server, 2).await;
    let guest = json!({ "email": "  Ｇuest@Example.ORG ", "phone": "98765 43210" });

    // Bad contact details are refused field by field, with the schema's names.
    let bad = guest_order(
        &server,
        None,
        &cart,
        "guest-bad",
        "CASH_ON_DELIVERY",
        json!({ "email": "not-an-email", "phone": "12" }),
    )
    .await;
    let mut fields = error_fields(&bad, "placeOrder");
    fields.sort();
    assert_eq!(fields, ["input.guest.email", "input.guest.phone"], "{bad}");
    let long = format!("{}@example.org", "a".repeat(300));
    let too_long = guest_order(
        &server,
        None,
        &cart,
        "guest-long",
        "CASH_ON_DELIVERY",
        json!({ "email": long, "phone": "9876543210" }),
    )
    .await;
    assert_eq!(
        error_fields(&too_long, "placeOrder"),
        ["input.guest.email"],
        "{too_long}"
    );
    // Without an account and without guest details there is no one to order for.
    let nobody = server
        .graphql(
            "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { errors { field } } }",
            json!({ "i": { "cartToken": cart, "idempotencyKey": "nobody", "shippingAddress": leh(), "paymentMethod": "CASH_ON_DELIVERY" } }),
        )
        .await;
    assert_eq!(error_code(&nobody), Some("UNAUTHENTICATED"), "{nobody}");

    // Cash on delivery, email normalised as accounts normalise it.
    let placed = guest_order(
        &server,
        None,
        &cart,
        "guest-1",
        "CASH_ON_DELIVERY",
        guest.clone(),
    )
    .await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let payload = &placed["data"]["placeOrder"];
    let order = &payload["order"];
    assert_eq!(order["status"], "CONFIRMED", "{placed}");
    assert_eq!(order["guestEmail"], "guest@example.org");
    assert_eq!(order["guestPhone"], "+919876543210");
    let token = payload["accessToken"].as_str().unwrap().to_owned();
    assert!(token.len() >= 40, "an unguessable token: {token}");

    // The token opens that order; nothing else does.
    let seen = by_token(&server, &order["id"], &token).await;
    assert_eq!(seen["data"]["order"]["number"], order["number"], "{seen}");
    for wrong in ["", "x", &token[..token.len() - 1]] {
        let refused = by_token(&server, &order["id"], wrong).await;
        assert_eq!(
            error_code(&refused),
            Some("NOT_FOUND"),
            "{wrong}: {refused}"
        );
    }
    let without = server
        .graphql(
            "query($id: ID!) { order(id: $id) { id } }",
            json!({ "id": order["id"] }),
        )
        .await;
    assert_eq!(error_code(&without), Some("UNAUTHENTICATED"), "{without}");

    // Another guest's token does not open this order, nor this one theirs.
    let other_cart = visitor_cart(&server, 1).await;
    let other = guest_order(
        &server,
        None,
        &other_cart,
        "guest-1",
        "BANK_TRANSFER",
        json!({ "email": "other@example.org", "phone": "9811122233" }),
    )
    .await;
    assert!(user_errors(&other, "placeOrder").is_empty(), "{other}");
    let other_order = &other["data"]["placeOrder"]["order"];
    assert_eq!(other_order["status"], "PENDING_PAYMENT", "{other}");
    let other_token = other["data"]["placeOrder"]["accessToken"].as_str().unwrap();
    assert_eq!(
        error_code(&by_token(&server, &order["id"], other_token).await),
        Some("NOT_FOUND")
    );
    assert_eq!(
        error_code(&by_token(&server, &other_order["id"], &token).await),
        Some("NOT_FOUND")
    );

    // Repeating the call answers with the same order and a renewed token, which
    // replaces the first.
    let again = guest_order(
        &server,
        None,
        &cart,
        "guest-1",
        "CASH_ON_DELIVERY",
        guest.clone(),
    )
    .await;
    assert_eq!(again["data"]["placeOrder"]["replayed"], true, "{again}");
    assert_eq!(again["data"]["placeOrder"]["order"]["id"], order["id"]);
    let renewed = again["data"]["placeOrder"]["accessToken"].as_str().unwrap();
    assert_ne!(renewed, token);
    assert_eq!(
        by_token(&server, &order["id"], renewed).await["data"]["order"]["id"],
        order["id"]
    );
    assert_eq!(
        error_code(&by_token(&server, &order["id"], &token).await),
        Some("NOT_FOUND")
    );

    // A signed-in buyer orders as themselves, not as a guest.
    let buyer = buyer_token(&server, "signed-in@example.org").await;
    let apricots = variant(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    add_to_cart(&server, Some(&buyer), None, &apricots["id"], 1).await;
    let mixed = guest_order(
        &server,
        Some(&buyer),
        &cart,
        "mixed",
        "CASH_ON_DELIVERY",
        guest,
    )
    .await;
    assert_eq!(
        error_fields(&mixed, "placeOrder"),
        ["input.guest"],
        "{mixed}"
    );
    // And the guest's orders are not among theirs.
    let mine = server
        .graphql_as(
            Some(&buyer),
            "{ myOrders { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(mine["data"]["myOrders"]["edges"], json!([]), "{mine}");
    Ok(())
}

async fn a_guest_pays_by_card(backend: Backend) -> anyhow::Result<()> {
    let fake = FakeStripe::start().await?;
    let server = TestServer::spawn(backend, stripe_options(&fake)).await?;
    let cart = visitor_cart(&server, 1).await;
    let placed = guest_order(
        &server,
        None,
        &cart,
        "guest-card",
        "STRIPE",
        json!({ "email": "card-guest@example.org", "phone": "9876543210" }),
    )
    .await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let order = &placed["data"]["placeOrder"]["order"];
    assert_eq!(order["status"], "PENDING_PAYMENT", "{placed}");
    let secret = order["stripeClientSecret"].as_str().unwrap_or_default();
    assert!(
        !secret.is_empty(),
        "the guest gets the client secret: {placed}"
    );
    let token = placed["data"]["placeOrder"]["accessToken"]
        .as_str()
        .unwrap();
    let seen = by_token(&server, &order["id"], token).await;
    assert_eq!(
        seen["data"]["order"]["stripeClientSecret"], secret,
        "{seen}"
    );
    Ok(())
}

async fn guest_checkout_is_rate_limited_per_client(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(
        backend,
        ServerOptions::seeded().env("RATE_LIMIT_CHECKOUT_PER_MIN", "2"),
    )
    .await?;
    let cart = visitor_cart(&server, 1).await;
    let guest = json!({ "email": "busy@example.org", "phone": "9876543210" });
    for key in ["busy-1", "busy-2"] {
        let placed =
            guest_order(&server, None, &cart, key, "CASH_ON_DELIVERY", guest.clone()).await;
        assert_ne!(error_code(&placed), Some("RATE_LIMITED"), "{placed}");
    }
    // The third within the minute is refused before it runs.
    let response = server
        .client
        .post(server.url("/graphql"))
        .json(&json!({
            "query": "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { errors { field } } }",
            "variables": { "i": { "cartToken": cart, "idempotencyKey": "busy-3", "shippingAddress": leh(),
                                  "paymentMethod": "CASH_ON_DELIVERY", "guest": guest } },
        }))
        .send()
        .await?;
    assert_eq!(response.status(), 429);
    assert!(response.headers().get("Retry-After").is_some());
    let refused: Value = response.json().await?;
    assert_eq!(error_code(&refused), Some("RATE_LIMITED"), "{refused}");
    Ok(())
}

/// A guest's orders go to the account that proves their address: not when someone
/// registers with it (anyone can type an address), but when the address is verified
/// with the code mailed to it; and only the orders placed with that address.
async fn a_verified_account_takes_over_its_guest_orders(backend: Backend) -> anyhow::Result<()> {
    let sink = SmtpSink::start(None).await?;
    let server = TestServer::spawn(backend, mailing(&sink)).await?;
    let email = "dolma.guest@example.org";
    let cart = visitor_cart(&server, 1).await;
    let placed = guest_order(
        &server,
        None,
        &cart,
        "claim-1",
        "CASH_ON_DELIVERY",
        json!({ "email": email, "phone": "9876543210" }),
    )
    .await;
    let order_id = placed["data"]["placeOrder"]["order"]["id"].clone();
    assert!(order_id.is_string(), "{placed}");
    let other_cart = visitor_cart(&server, 1).await;
    let other = guest_order(
        &server,
        None,
        &other_cart,
        "claim-2",
        "CASH_ON_DELIVERY",
        json!({ "email": "someone.else@example.org", "phone": "9876543211" }),
    )
    .await;
    assert!(
        other["data"]["placeOrder"]["order"]["id"].is_string(),
        "{other}"
    );

    let registered = server
        .graphql(
            "mutation($input: RegisterInput!) { register(input: $input) { errors { code } } }",
            json!({ "input": { "email": email, "password": PASSWORD, "name": "Dolma" } }),
        )
        .await;
    assert_eq!(
        registered["data"]["register"]["errors"],
        json!([]),
        "{registered}"
    );
    let login = server
        .graphql(
            "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
            json!({ "input": { "email": email, "password": PASSWORD } }),
        )
        .await;
    let access = login["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{login}"))
        .to_owned();
    let mine = || async {
        let body = server
            .graphql_as(
                Some(&access),
                "{ myOrders { edges { node { id } } } }",
                json!({}),
            )
            .await;
        body["data"]["myOrders"]["edges"].clone()
    };
    assert_eq!(
        mine().await,
        json!([]),
        "registered but not verified: nothing claimed"
    );

    server.drain().await;
    let mails = sink.to(email);
    let code = code_in(
        &mails
            .last()
            .unwrap_or_else(|| panic!("no mail to {email}"))
            .text(),
        "Verification code",
    );
    let verified = server
        .graphql(
            "mutation($input: EmailVerifyInput!) { emailVerify(input: $input) { user { emailVerified } errors { code } } }",
            json!({ "input": { "token": code } }),
        )
        .await;
    assert_eq!(
        verified["data"]["emailVerify"],
        json!({ "user": { "emailVerified": true }, "errors": [] }),
        "{verified}"
    );
    assert_eq!(mine().await, json!([{ "node": { "id": order_id } }]));
    sink.stop();
    Ok(())
}

both_backends!(
    a_verified_account_takes_over_its_guest_orders,
    a_guest_orders_and_sees_only_their_order,
    a_guest_pays_by_card,
    guest_checkout_is_rate_limited_per_client,
);
