//! Razorpay Route against the Razorpay double (support::razorpay_fake): admins set a
//! verified cooperative's linked account and commission; a captured UPI payment
//! transfers the cooperative's share on hold, released on delivery and reversed
//! before each refund; no transfer without a linked account; a transfer whose create
//! answered 500 after it happened is not made twice; `transfer.*` webhooks applied
//! once, in any order; and every figure on the settlement statement. See
//! docs/ORDERS.md, "Razorpay Route".
//!
//! The figures, worked by hand: one 500 g pouch of dried apricots from Sham to Leh is
//! Rs 420.00, taxable 400.00 (goods and shipping) with GST 5% = 20.00. The platform
//! collects a Razorpay payment, so it keeps TCS 0.5% of 400.00 = 2.00 (CGST 1.00 +
//! UTGST 1.00). Sham's commission 2.5% of 400.00 = 10.00. Its transfer:
//! 420.00 − 10.00 − 2.00 = 408.00. A refund of 210.00 (half) reverses
//! 210.00 × 408 / 420 = 204.00; the refund of the rest reverses what is left, 204.00.

use serde_json::{Value, json};

use crate::{
    both_backends,
    orders::{add_to_cart, int, leh, order, place_order, transition, variant},
    support::{
        Backend, ServerOptions, TestServer,
        flows::{admin_token, buyer_token, cooperative_id, staff_token, user_errors},
        razorpay_fake::{self, FakeRazorpay},
    },
};

both_backends!(
    admins_set_linked_accounts_and_commission,
    a_share_is_held_released_on_delivery_and_reversed_before_refunds,
    no_transfer_without_a_linked_account,
    a_transfer_that_answered_500_is_not_made_twice_and_its_webhooks_apply_once,
    cancelling_before_delivery_reverses_the_whole_transfer,
);

const SHAM: &str = "sham-apricot-growers-demo";
const ACCOUNT: &str = "acc_ShamApricot001";

fn options(fake: &FakeRazorpay) -> ServerOptions {
    ServerOptions::seeded()
        .env("RAZORPAY_KEY_ID", razorpay_fake::KEY_ID)
        .env("RAZORPAY_KEY_SECRET", razorpay_fake::KEY_SECRET)
        .env("RAZORPAY_WEBHOOK_SECRET", razorpay_fake::WEBHOOK_SECRET)
        .env("RAZORPAY_API_BASE", &fake.base_url)
        .env("RAZORPAY_TIMEOUT_SECS", "2")
        .env("MARKETPLACE_COMMISSION_BPS", "100")
}

const ROUTE_FIELDS: &str = "cooperativeId linkedAccountId commissionBps effectiveCommissionBps";

async fn set_account(server: &TestServer, token: &str, input: Value) -> Value {
    server
        .graphql_as(
            Some(token),
            &format!("mutation($i: CooperativeRouteAccountSetInput!) {{ cooperativeRouteAccountSet(input: $i) {{ routeAccount {{ {ROUTE_FIELDS} }} errors {{ field code message }} }} }}"),
            json!({ "i": input }),
        )
        .await
}

/// A payload's user errors as (input path, code).
fn problems(body: &Value) -> Vec<(String, String)> {
    user_errors(body, "cooperativeRouteAccountSet")
        .iter()
        .map(|e| {
            let path: Vec<&str> = e["field"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect();
            (path.join("."), e["code"].as_str().unwrap().to_owned())
        })
        .collect()
}

/// Sham gets its linked account and a 2.5% commission of its own.
async fn link_sham(server: &TestServer, admin: &str, sham: &str) {
    let set = set_account(
        server,
        admin,
        json!({ "cooperativeId": sham, "linkedAccountId": ACCOUNT, "commissionBps": 250 }),
    )
    .await;
    assert!(problems(&set).is_empty(), "{set}");
}

/// A pouch of dried apricots to Leh, paid by UPI and captured, the webhook
/// delivered under `event`: the order and Razorpay's payment.
async fn paid(
    server: &TestServer,
    fake: &FakeRazorpay,
    buyer: &str,
    key: &str,
    event: &str,
) -> (Value, Value) {
    let apricots = variant(server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    add_to_cart(server, Some(buyer), None, &apricots["id"], 1).await;
    let placed = place_order(server, buyer, key, leh(), "RAZORPAY", json!({})).await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let id = placed["data"]["placeOrder"]["order"]["id"].clone();
    let body = server
        .graphql_as(
            Some(buyer),
            "query($id: ID!) { order(id: $id) { total razorpayCheckout { razorpayOrderId } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(int(&body["data"]["order"]["total"]), 42_000, "{body}");
    let rzp = body["data"]["order"]["razorpayCheckout"]["razorpayOrderId"]
        .as_str()
        .unwrap()
        .to_owned();
    let payment = fake.pay(&rzp, "upi", true);
    deliver(
        server,
        event,
        &razorpay_fake::event("payment.captured", &[("payment", &payment)]),
    )
    .await;
    (order(server, buyer, &id).await, payment)
}

async fn paid_order(
    server: &TestServer,
    fake: &FakeRazorpay,
    buyer: &str,
    key: &str,
    event: &str,
) -> Value {
    paid(server, fake, buyer, key, event).await.0
}

/// Delivers `body` signed as Razorpay signs it (the helper checked against the
/// official library in signatures.rs), under `event_id`.
async fn deliver(server: &TestServer, event_id: &str, body: &str) {
    let signature = razorpay_fake::webhook_signature(razorpay_fake::WEBHOOK_SECRET, body);
    let status = server
        .client
        .post(server.url("/webhooks/razorpay"))
        .header("Content-Type", "application/json")
        .header("X-Razorpay-Signature", signature)
        .header("X-Razorpay-Event-Id", event_id)
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(status, 200, "{body}");
}

async fn statement(server: &TestServer, token: &str, cooperative: &str) -> Value {
    let today = chrono::Utc::now().date_naive();
    let body = server
        .graphql_as(
            Some(token),
            "query($c: ID!, $f: NaiveDate!, $t: NaiveDate!) { settlementStatement(cooperativeId: $c, from: $f, to: $t) {
                collected refunds tcs netPayable routeTransferred routeCommission routeOnHold
                routeReleased routeReversed owedOutsideRoute } }",
            json!({ "c": cooperative, "f": (today - chrono::Duration::days(1)).to_string(),
                    "t": (today + chrono::Duration::days(1)).to_string() }),
        )
        .await;
    body["data"]["settlementStatement"].clone()
}

async fn step(server: &TestServer, staff: &str, mutation: &str, input: Value) {
    let body = transition(server, staff, mutation, input).await;
    assert!(user_errors(&body, mutation).is_empty(), "{body}");
}

async fn refund(server: &TestServer, admin: &str, order: &Value, amount: i64, key: &str) -> Value {
    let body = server
        .graphql_as(
            Some(admin),
            "mutation($i: OrderRefundInput!) { orderRefund(input: $i) { refund { status amount } errors { field code message } } }",
            json!({ "i": { "orderId": order["id"], "fulfilmentId": order["fulfilments"][0]["id"],
                           "amountPaise": amount, "reason": "apricots spoilt", "idempotencyKey": key } }),
        )
        .await;
    assert!(user_errors(&body, "orderRefund").is_empty(), "{body}");
    body["data"]["orderRefund"]["refund"].clone()
}

async fn admins_set_linked_accounts_and_commission(backend: Backend) -> anyhow::Result<()> {
    let fake = FakeRazorpay::start().await?;
    let server = TestServer::spawn(backend, options(&fake)).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, SHAM).await;
    let manager = staff_token(&server, &admin, &sham, "MANAGER").await;

    // Field errors, both at once, with the schema's input names.
    let bad = set_account(
        &server,
        &admin,
        json!({ "cooperativeId": sham, "linkedAccountId": "acc_short", "commissionBps": 10_001 }),
    )
    .await;
    assert_eq!(
        problems(&bad),
        vec![
            ("input.linkedAccountId".to_owned(), "INVALID".to_owned()),
            ("input.commissionBps".to_owned(), "OUT_OF_RANGE".to_owned()),
        ],
        "{bad}"
    );
    // A manager reads it but does not set it.
    let refused = set_account(
        &server,
        &manager,
        json!({ "cooperativeId": sham, "linkedAccountId": ACCOUNT }),
    )
    .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused}"
    );

    link_sham(&server, &admin, &sham).await;
    let read = server
        .graphql_as(
            Some(&manager),
            &format!("query($c: ID!) {{ cooperativeRouteAccount(cooperativeId: $c) {{ {ROUTE_FIELDS} }} }}"),
            json!({ "c": sham }),
        )
        .await;
    assert_eq!(
        read["data"]["cooperativeRouteAccount"],
        json!({ "cooperativeId": sham, "linkedAccountId": ACCOUNT, "commissionBps": 250,
                "effectiveCommissionBps": 250 }),
        "{read}"
    );
    // Cleared: the marketplace's commission (MARKETPLACE_COMMISSION_BPS=100) applies.
    let cleared = set_account(&server, &admin, json!({ "cooperativeId": sham })).await;
    assert_eq!(
        cleared["data"]["cooperativeRouteAccountSet"]["routeAccount"],
        json!({ "cooperativeId": sham, "linkedAccountId": null, "commissionBps": null,
                "effectiveCommissionBps": 100 }),
        "{cleared}"
    );
    // A buyer sees nothing of it.
    let buyer = buyer_token(&server, "route-nosy@example.org").await;
    let nosy = server
        .graphql_as(
            Some(&buyer),
            &format!("query($c: ID!) {{ cooperativeRouteAccount(cooperativeId: $c) {{ {ROUTE_FIELDS} }} }}"),
            json!({ "c": sham }),
        )
        .await;
    assert_eq!(
        nosy["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{nosy}"
    );
    server.stop().await;
    fake.stop().await;
    Ok(())
}

async fn a_share_is_held_released_on_delivery_and_reversed_before_refunds(
    backend: Backend,
) -> anyhow::Result<()> {
    let fake = FakeRazorpay::start().await?;
    fake.add_linked_account(ACCOUNT);
    let server = TestServer::spawn(backend, options(&fake)).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, SHAM).await;
    let manager = staff_token(&server, &admin, &sham, "MANAGER").await;
    link_sham(&server, &admin, &sham).await;
    let buyer = buyer_token(&server, "route-buyer@example.org").await;

    let paid = paid_order(&server, &fake, &buyer, "route-1", "evt_route_cap_1").await;
    assert_eq!(paid["status"], "PAID", "{paid}");
    server.drain().await;
    let transfers = fake.transfers();
    assert_eq!(transfers.len(), 1, "{transfers:?}");
    let transfer = &transfers[0];
    assert_eq!(transfer["recipient"], ACCOUNT);
    assert_eq!(int(&transfer["amount"]), 40_800, "420.00 − 10.00 − 2.00");
    assert_eq!(transfer["currency"], "INR");
    assert_eq!(transfer["on_hold"], true);
    // Held: the platform keeps the commission, and the TCS due once invoiced.
    assert_eq!(
        statement(&server, &manager, &sham).await,
        json!({ "collected": 42_000, "refunds": 0, "tcs": 0, "netPayable": 42_000,
                "routeTransferred": 40_800, "routeCommission": 1_000, "routeOnHold": 40_800,
                "routeReleased": 0, "routeReversed": 0, "owedOutsideRoute": 200 })
    );

    // Shipped (invoiced: TCS 2.00 is due) and delivered: released.
    let fulfilment = paid["fulfilments"][0]["id"].clone();
    step(
        &server,
        &manager,
        "fulfilmentPack",
        json!({ "fulfilmentId": fulfilment }),
    )
    .await;
    step(
        &server,
        &manager,
        "fulfilmentShip",
        json!({ "fulfilmentId": fulfilment, "carrier": "India Post", "trackingNumber": "EL9IN" }),
    )
    .await;
    server.drain().await;
    assert_eq!(
        fake.transfers()[0]["on_hold"],
        true,
        "shipped is not delivered"
    );
    step(
        &server,
        &manager,
        "fulfilmentDeliver",
        json!({ "fulfilmentId": fulfilment }),
    )
    .await;
    server.drain().await;
    assert_eq!(fake.transfers()[0]["on_hold"], false);
    assert_eq!(
        statement(&server, &manager, &sham).await,
        json!({ "collected": 42_000, "refunds": 0, "tcs": 200, "netPayable": 41_800,
                "routeTransferred": 40_800, "routeCommission": 1_000, "routeOnHold": 0,
                "routeReleased": 40_800, "routeReversed": 0, "owedOutsideRoute": 0 })
    );

    // Half refunded: 204.00 reversed first, then the buyer refunded.
    let first = refund(&server, &admin, &paid, 21_000, "route-refund-1").await;
    assert_eq!(first["status"], "PENDING", "it waits for the reversal");
    assert!(fake.requests().iter().all(|r| !r.path.ends_with("/refund")));
    server.drain().await;
    let reversals = fake.reversals();
    assert_eq!(reversals.len(), 1, "{reversals:?}");
    assert_eq!(int(&reversals[0]["amount"]), 20_400);
    let paths: Vec<String> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.path)
        .collect();
    let reversed_at = paths
        .iter()
        .position(|p| p.ends_with("/reversals"))
        .unwrap();
    let refunded_at = paths.iter().position(|p| p.ends_with("/refund")).unwrap();
    assert!(reversed_at < refunded_at, "{paths:?}");
    let after = order(&server, &admin, &paid["id"]).await;
    assert_eq!(int(&after["refunded"]), 21_000, "{after}");
    // The credit note halves the TCS base (0.50 + 0.50) and half the commission goes
    // back with the sale.
    assert_eq!(
        statement(&server, &manager, &sham).await,
        json!({ "collected": 42_000, "refunds": 21_000, "tcs": 100, "netPayable": 20_900,
                "routeTransferred": 40_800, "routeCommission": 500, "routeOnHold": 0,
                "routeReleased": 20_400, "routeReversed": 20_400, "owedOutsideRoute": 0 })
    );

    // The rest: all that is left is reversed, 204.00.
    refund(&server, &admin, &paid, 21_000, "route-refund-2").await;
    server.drain().await;
    let reversals = fake.reversals();
    assert_eq!(reversals.len(), 2, "{reversals:?}");
    assert_eq!(int(&reversals[1]["amount"]), 20_400);
    assert_eq!(int(&fake.transfers()[0]["amount_reversed"]), 40_800);
    let refunds = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/refund"))
        .count();
    assert_eq!(refunds, 2);
    assert_eq!(
        statement(&server, &manager, &sham).await,
        json!({ "collected": 42_000, "refunds": 42_000, "tcs": 0, "netPayable": 0,
                "routeTransferred": 40_800, "routeCommission": 0, "routeOnHold": 0,
                "routeReleased": 0, "routeReversed": 40_800, "owedOutsideRoute": 0 })
    );
    server.stop().await;
    fake.stop().await;
    Ok(())
}

async fn no_transfer_without_a_linked_account(backend: Backend) -> anyhow::Result<()> {
    let fake = FakeRazorpay::start().await?;
    fake.add_linked_account(ACCOUNT);
    let server = TestServer::spawn(backend, options(&fake)).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, SHAM).await;
    let manager = staff_token(&server, &admin, &sham, "MANAGER").await;
    let buyer = buyer_token(&server, "route-unlinked@example.org").await;

    let paid = paid_order(&server, &fake, &buyer, "unlinked-1", "evt_unlinked_1").await;
    assert_eq!(paid["status"], "PAID", "{paid}");
    server.drain().await;
    assert!(fake.transfers().is_empty());
    assert!(
        fake.requests()
            .iter()
            .all(|r| !r.path.contains("transfers")),
        "Razorpay was not even asked"
    );
    // The money stays with the platform, which owes it all.
    assert_eq!(
        statement(&server, &manager, &sham).await,
        json!({ "collected": 42_000, "refunds": 0, "tcs": 0, "netPayable": 42_000,
                "routeTransferred": 0, "routeCommission": 0, "routeOnHold": 0,
                "routeReleased": 0, "routeReversed": 0, "owedOutsideRoute": 42_000 })
    );
    // A refund goes straight to the buyer: nothing to reverse.
    let refunded = refund(&server, &admin, &paid, 10_000, "unlinked-refund").await;
    assert_eq!(refunded["status"], "SUCCEEDED", "{refunded}");
    assert!(fake.reversals().is_empty());
    server.stop().await;
    fake.stop().await;
    Ok(())
}

async fn a_transfer_that_answered_500_is_not_made_twice_and_its_webhooks_apply_once(
    backend: Backend,
) -> anyhow::Result<()> {
    let fake = FakeRazorpay::start().await?;
    fake.add_linked_account(ACCOUNT);
    let server = TestServer::spawn(backend, options(&fake)).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, SHAM).await;
    link_sham(&server, &admin, &sham).await;
    let buyer = buyer_token(&server, "route-faults@example.org").await;

    // The create takes effect, then answers 500.
    fake.fail_after_effect("/transfers");
    let (paid, payment) = paid(&server, &fake, &buyer, "faults-1", "evt_faults_cap").await;
    assert_eq!(paid["status"], "PAID", "{paid}");
    // The same capture delivered again under another event id: already paid, no
    // second transfer planned.
    deliver(
        &server,
        "evt_faults_cap_again",
        &razorpay_fake::event("payment.captured", &[("payment", &payment)]),
    )
    .await;
    server.drain_all().await;
    let attempts = fake
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/transfers"))
        .count();
    let creates = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/transfers"))
        .count();
    assert_eq!(attempts, 2, "the retry looked the transfer up");
    assert_eq!(creates, 1, "and did not make it again");
    let transfers = fake.transfers();
    assert_eq!(transfers.len(), 1, "{transfers:?}");
    let id = transfers[0]["id"].as_str().unwrap().to_owned();

    // transfer.failed first, then a late transfer.processed and replays: failed it stays,
    // flagged for staff once.
    let failed = fake.settle_transfer(&id, false);
    let failed_event = razorpay_fake::event("transfer.failed", &[("transfer", &failed)]);
    deliver(&server, "evt_trf_failed", &failed_event).await;
    deliver(&server, "evt_trf_failed", &failed_event).await;
    let processed = fake.settle_transfer(&id, true);
    deliver(
        &server,
        "evt_trf_processed",
        &razorpay_fake::event("transfer.processed", &[("transfer", &processed)]),
    )
    .await;
    let flagged = order(&server, &admin, &paid["id"]).await;
    let issue = flagged["paymentIssue"].as_str().unwrap_or_default();
    assert!(
        issue.contains("Route transfer") && issue.contains("The linked account is suspended"),
        "{flagged}"
    );
    // Not retried blindly: no further create, and a failed transfer is not on the
    // statement as transferred; the platform owes it.
    server.drain_all().await;
    assert_eq!(fake.transfers().len(), 1);
    let manager = staff_token(&server, &admin, &sham, "MANAGER").await;
    let figures = statement(&server, &manager, &sham).await;
    assert_eq!(figures["routeTransferred"], 0, "{figures}");
    assert_eq!(figures["owedOutsideRoute"], 42_000, "{figures}");
    server.stop().await;
    fake.stop().await;
    Ok(())
}

async fn cancelling_before_delivery_reverses_the_whole_transfer(
    backend: Backend,
) -> anyhow::Result<()> {
    let fake = FakeRazorpay::start().await?;
    fake.add_linked_account(ACCOUNT);
    let server = TestServer::spawn(backend, options(&fake)).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, SHAM).await;
    link_sham(&server, &admin, &sham).await;
    let buyer = buyer_token(&server, "route-cancel@example.org").await;

    let paid = paid_order(&server, &fake, &buyer, "cancel-1", "evt_cancel_cap").await;
    server.drain().await;
    assert_eq!(int(&fake.transfers()[0]["amount"]), 40_800);
    step(
        &server,
        &admin,
        "orderCancel",
        json!({ "orderId": paid["id"], "fulfilmentId": paid["fulfilments"][0]["id"],
                "reason": "the cooperative ran out of apricots" }),
    )
    .await;
    server.drain().await;
    // All of the share comes back before the buyer's whole refund goes out; nothing is
    // released.
    let reversals = fake.reversals();
    assert_eq!(reversals.len(), 1, "{reversals:?}");
    assert_eq!(int(&reversals[0]["amount"]), 40_800);
    let refunds: Vec<Value> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/refund"))
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    assert_eq!(refunds.len(), 1);
    assert_eq!(int(&refunds[0]["amount"]), 42_000);
    assert_eq!(fake.transfers()[0]["on_hold"], true);
    assert!(
        fake.requests().iter().all(|r| r.method != "PATCH"),
        "never released"
    );
    let after = order(&server, &admin, &paid["id"]).await;
    assert_eq!(int(&after["refunded"]), 42_000, "{after}");
    server.stop().await;
    fake.stop().await;
    Ok(())
}
