//! Payment states per provider and method: a declined card is one attempt, not a
//! cancelled order; an order that ends unpaid cancels its PaymentIntent at Stripe and
//! stops handing out the client secret; payment issues clear when resolved and speak
//! rupees. See docs/ORDERS.md, "Payment states".

use serde_json::{Value, json};

use crate::{
    both_backends,
    orders::{
        ORDER_FIELDS, add_to_cart, deliver_intent_event, int, leh, now, place_order, post_webhook,
        stock, stripe_options, stripe_order, transition, variant,
    },
    support::{
        Backend, ServerOptions, TestServer, error_code,
        flows::{admin_token, buyer_token, cooperative_id, error_fields, staff_token, user_errors},
        server::{TestDatabase, clock_passes, time_of},
        stripe_fake::{self, FakeStripe},
    },
};

const APRICOTS: (&str, &str) = ("raktsey-karpo-dried-apricots-500g", "RKDA-500");

async fn view(server: &TestServer, token: &str, id: &Value) -> Value {
    let body = server
        .graphql_as(
            Some(token),
            &format!("query($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} paymentFailure }} }}"),
            json!({ "id": id }),
        )
        .await;
    body["data"]["order"].clone()
}

fn cancel_requests(fake: &FakeStripe, intent: &str) -> Vec<stripe_fake::Recorded> {
    fake.requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == format!("/v1/payment_intents/{intent}/cancel"))
        .collect()
}

async fn a_declined_card_is_one_attempt_and_the_retry_pays(backend: Backend) -> anyhow::Result<()> {
    let fake = FakeStripe::start().await?;
    let server = TestServer::spawn(backend, stripe_options(&fake)).await?;
    let buyer = buyer_token(&server, "declined-buyer@example.org").await;
    let shelf = stock(&server, APRICOTS.0, APRICOTS.1).await;
    let (placed, intent) = stripe_order(&server, &fake, &buyer, "decline-1").await;
    let secret = placed["stripeClientSecret"].clone();
    assert_eq!(stock(&server, APRICOTS.0, APRICOTS.1).await, shelf - 1);

    // The bank declines the first card; Stripe keeps the intent open.
    let declined = fake.decline(
        &intent,
        "insufficient_funds",
        "Your card has insufficient funds.",
    );
    deliver_intent_event(
        &server,
        "payment_intent.payment_failed",
        &declined,
        "evt_decline_1",
    )
    .await;
    let after = view(&server, &buyer, &placed["id"]).await;
    assert_eq!(
        after["status"], "PENDING_PAYMENT",
        "one failed attempt: {after}"
    );
    assert_eq!(after["fulfilments"][0]["status"], "PENDING_PAYMENT");
    assert_eq!(
        after["paymentFailure"], "Your card has insufficient funds. (insufficient_funds)",
        "the buyer is told why: {after}"
    );
    assert_eq!(
        after["stripeClientSecret"], secret,
        "still payable with another card"
    );
    assert_eq!(
        after["reservationExpiresAt"],
        placed["reservationExpiresAt"]
    );
    assert_eq!(
        stock(&server, APRICOTS.0, APRICOTS.1).await,
        shelf - 1,
        "the reservation is kept"
    );
    assert!(fake.payable(&intent));
    assert!(
        cancel_requests(&fake, &intent).is_empty(),
        "not cancelled at Stripe"
    );
    // A redelivery changes nothing.
    deliver_intent_event(
        &server,
        "payment_intent.payment_failed",
        &declined,
        "evt_decline_1",
    )
    .await;

    // The second card goes through: the order is paid, nothing is refunded.
    fake.set_intent(&intent, "succeeded", int(&placed["total"]));
    deliver_intent_event(
        &server,
        "payment_intent.succeeded",
        &fake.intent(&intent).unwrap(),
        "evt_paid_after_decline",
    )
    .await;
    let paid = view(&server, &buyer, &placed["id"]).await;
    assert_eq!(paid["status"], "PAID", "{paid}");
    assert_eq!(paid["refunded"], 0);
    assert!(
        paid["paymentFailure"].is_null(),
        "resolved by the payment: {paid}"
    );
    assert!(paid["paymentIssue"].is_null(), "{paid}");
    assert!(paid["stripeClientSecret"].is_null());
    assert_eq!(fake.refunded(&intent), 0);
    assert!(!fake.requests().iter().any(|r| r.path == "/v1/refunds"));
    assert_eq!(stock(&server, APRICOTS.0, APRICOTS.1).await, shelf - 1);
    fake.stop().await;
    Ok(())
}

async fn a_cancelled_order_cancels_its_payment_intent(backend: Backend) -> anyhow::Result<()> {
    let fake = FakeStripe::start().await?;
    let server = TestServer::spawn(backend, stripe_options(&fake)).await?;
    let buyer = buyer_token(&server, "cancelling-buyer@example.org").await;
    let (placed, intent) = stripe_order(&server, &fake, &buyer, "cancel-card-1").await;
    let cancelled = transition(
        &server,
        &buyer,
        "orderCancel",
        json!({ "orderId": placed["id"], "reason": "changed my mind" }),
    )
    .await;
    let order = &cancelled["data"]["orderCancel"]["order"];
    assert_eq!(order["status"], "CANCELLED", "{cancelled}");
    assert!(
        order["stripeClientSecret"].is_null(),
        "not payable: {order}"
    );
    let calls = cancel_requests(&fake, &intent);
    assert_eq!(calls.len(), 1, "cancelled at Stripe once");
    assert!(calls[0].idempotency_key.is_some());
    assert_eq!(fake.intent(&intent).unwrap()["status"], "canceled");
    assert!(!fake.payable(&intent), "the buyer can no longer pay it");
    // Placing it again with the same key returns the order, still without a secret.
    let replay = place_order(&server, &buyer, "cancel-card-1", leh(), "STRIPE", json!({})).await;
    assert_eq!(replay["data"]["placeOrder"]["order"]["id"], placed["id"]);
    assert!(
        replay["data"]["placeOrder"]["order"]["stripeClientSecret"].is_null(),
        "{replay}"
    );

    // Stripe unreachable when the buyer cancels: the secret is withheld at once, and
    // the sweeper cancels the intent when Stripe answers again.
    let (second, second_intent) = stripe_order(&server, &fake, &buyer, "cancel-card-2").await;
    fake.fail_next(500, 1);
    let cancelled = transition(
        &server,
        &buyer,
        "orderCancel",
        json!({ "orderId": second["id"], "reason": "found it cheaper" }),
    )
    .await;
    let order = &cancelled["data"]["orderCancel"]["order"];
    assert_eq!(order["status"], "CANCELLED", "{cancelled}");
    assert!(order["stripeClientSecret"].is_null(), "{order}");
    assert_eq!(
        fake.intent(&second_intent).unwrap()["status"],
        "requires_payment_method"
    );
    server.drain().await;
    assert_eq!(
        fake.intent(&second_intent).unwrap()["status"],
        "canceled",
        "the sweeper retried"
    );
    assert_eq!(cancel_requests(&fake, &second_intent).len(), 2);
    fake.stop().await;
    Ok(())
}

async fn an_expired_order_cancels_its_payment_intent(backend: Backend) -> anyhow::Result<()> {
    let fake = FakeStripe::start().await?;
    let server = TestServer::spawn(
        backend,
        stripe_options(&fake)
            .env("RESERVATION_TTL_SECS", "2")
            .env("ORDER_SWEEP_MS", "200"),
    )
    .await?;
    let buyer = buyer_token(&server, "expiring-buyer@example.org").await;
    let shelf = stock(&server, APRICOTS.0, APRICOTS.1).await;
    let (placed, intent) = stripe_order(&server, &fake, &buyer, "expire-card-1").await;
    // A declined card does not end it: the reservation still runs out on time.
    let declined = fake.decline(&intent, "do_not_honor", "Your card was declined.");
    deliver_intent_event(
        &server,
        "payment_intent.payment_failed",
        &declined,
        "evt_decline_x",
    )
    .await;
    assert_eq!(
        view(&server, &buyer, &placed["id"]).await["status"],
        "PENDING_PAYMENT"
    );
    clock_passes(time_of(&placed["reservationExpiresAt"])).await;
    server.drain().await;
    let expired = view(&server, &buyer, &placed["id"]).await;
    assert_eq!(expired["status"], "CANCELLED", "{expired}");
    assert!(expired["stripeClientSecret"].is_null(), "{expired}");
    assert_eq!(fake.intent(&intent).unwrap()["status"], "canceled");
    assert_eq!(cancel_requests(&fake, &intent).len(), 1);
    assert_eq!(stock(&server, APRICOTS.0, APRICOTS.1).await, shelf);
    // Stripe's own word that it was cancelled changes nothing more.
    deliver_intent_event(
        &server,
        "payment_intent.canceled",
        &fake.intent(&intent).unwrap(),
        "evt_cancelled_x",
    )
    .await;
    assert_eq!(stock(&server, APRICOTS.0, APRICOTS.1).await, shelf);
    fake.stop().await;
    Ok(())
}

async fn payment_issues_speak_rupees_and_clear_when_resolved(
    backend: Backend,
) -> anyhow::Result<()> {
    let fake = FakeStripe::start().await?;
    let server = TestServer::spawn(backend, stripe_options(&fake)).await?;
    let admin = admin_token(&server).await;
    let buyer = buyer_token(&server, "issue-buyer@example.org").await;
    // Four packs to Leh: 4 × Rs 360 goods; the shipping follows the rate table.
    let apricots = variant(&server, APRICOTS.0, APRICOTS.1).await;
    add_to_cart(&server, Some(&buyer), None, &apricots["id"], 4).await;
    let placed = place_order(&server, &buyer, "issue-1", leh(), "STRIPE", json!({})).await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let placed = placed["data"]["placeOrder"]["order"].clone();
    assert_eq!(placed["goodsTotal"], 144_000, "{placed}");
    let total = int(&placed["total"]);
    let intent = placed["stripeClientSecret"]
        .as_str()
        .unwrap()
        .split("_secret")
        .next()
        .unwrap()
        .to_owned();

    // Short by one rupee: flagged in rupees, not paise.
    fake.set_intent(&intent, "succeeded", total - 100);
    deliver_intent_event(
        &server,
        "payment_intent.succeeded",
        &fake.intent(&intent).unwrap(),
        "evt_short",
    )
    .await;
    let flagged = view(&server, &admin, &placed["id"]).await;
    let expected = format!(
        "payment of {} does not match the order total of {}",
        rupees(total - 100),
        rupees(total)
    );
    assert_eq!(flagged["paymentIssue"], expected.as_str(), "{flagged}");
    assert!(expected.contains("Rs 1,"), "{expected}");

    // The right amount arrives: the issue is resolved and clears.
    fake.set_intent(&intent, "succeeded", total);
    deliver_intent_event(
        &server,
        "payment_intent.succeeded",
        &fake.intent(&intent).unwrap(),
        "evt_full",
    )
    .await;
    let paid = view(&server, &admin, &placed["id"]).await;
    assert_eq!(paid["status"], "PAID", "{paid}");
    assert!(paid["paymentIssue"].is_null(), "cleared: {paid}");

    // A refund made in Stripe's dashboard is flagged (in rupees) until an admin
    // resolves it.
    let charge = json!({ "id": "evt_outside", "object": "event", "type": "charge.refunded",
        "data": { "object": { "id": "ch_1", "object": "charge", "payment_intent": intent,
            "amount_refunded": 50_000, "currency": "inr", "refunds": { "data": [] } } } })
    .to_string();
    let signature = stripe_fake::signature(stripe_fake::WEBHOOK_SECRET, now(), &charge);
    assert_eq!(post_webhook(&server, Some(signature), &charge).await, 200);
    let flagged = view(&server, &admin, &placed["id"]).await;
    assert_eq!(
        flagged["paymentIssue"],
        "Stripe shows Rs 500.00 refunded but the marketplace recorded Rs 0.00: a refund was made outside it",
        "{flagged}"
    );
    let resolve = "mutation($i: OrderPaymentIssueResolveInput!) { orderPaymentIssueResolve(input: $i) { errors { field code message } order { paymentIssue history { reason } } } }";
    let denied = server
        .graphql_as(
            Some(&buyer),
            resolve,
            json!({ "i": { "orderId": placed["id"], "note": "fine" } }),
        )
        .await;
    assert_eq!(error_code(&denied), Some("FORBIDDEN"), "{denied}");
    let empty = server
        .graphql_as(
            Some(&admin),
            resolve,
            json!({ "i": { "orderId": placed["id"], "note": " " } }),
        )
        .await;
    assert_eq!(
        error_fields(&empty, "orderPaymentIssueResolve"),
        ["input.note"],
        "{empty}"
    );
    let resolved = server
        .graphql_as(
            Some(&admin),
            resolve,
            json!({ "i": { "orderId": placed["id"], "note": "goodwill refund agreed by phone, ticket 42" } }),
        )
        .await;
    let order = &resolved["data"]["orderPaymentIssueResolve"]["order"];
    assert!(order["paymentIssue"].is_null(), "{resolved}");
    let last = order["history"].as_array().unwrap().last().unwrap();
    assert!(
        last["reason"]
            .as_str()
            .unwrap()
            .contains("goodwill refund agreed by phone, ticket 42"),
        "{last}"
    );
    // A repeated call resolves nothing more.
    let again = server
        .graphql_as(
            Some(&admin),
            resolve,
            json!({ "i": { "orderId": placed["id"], "note": "twice" } }),
        )
        .await;
    assert!(
        user_errors(&again, "orderPaymentIssueResolve").is_empty(),
        "{again}"
    );
    assert_eq!(
        again["data"]["orderPaymentIssueResolve"]["order"]["history"], order["history"],
        "{again}"
    );
    fake.stop().await;
    Ok(())
}

const COD_FIELDS: &str = "status total paymentReceived refunded paidAt
    fulfilments { id status total refunded cashCollected cashCollectedAt cooperative { slug } }
    history { fulfilmentId fromStatus toStatus reason }";

/// Places a cash-on-delivery order with a part from each of two cooperatives and
/// returns it with the ids of Sham's and Nubra's fulfilments.
async fn cod_order(server: &TestServer, buyer: &str, key: &str) -> (Value, Value, Value) {
    let apricots = variant(server, APRICOTS.0, APRICOTS.1).await;
    let juice = variant(server, "nubra-leh-berry-juice-500ml", "NLBJ-500").await;
    add_to_cart(server, Some(buyer), None, &apricots["id"], 1).await;
    add_to_cart(server, Some(buyer), None, &juice["id"], 2).await;
    let placed = place_order(server, buyer, key, leh(), "CASH_ON_DELIVERY", json!({})).await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let order = placed["data"]["placeOrder"]["order"].clone();
    let part = |slug: &str| {
        order["fulfilments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["cooperative"]["slug"] == slug)
            .unwrap_or_else(|| panic!("no {slug} part: {order}"))
            .clone()
    };
    let sham = part("sham-apricot-growers-demo");
    let nubra = part("nubra-leh-berry-growers-demo");
    (order, sham, nubra)
}

async fn send_out(server: &TestServer, staff: &str, fulfilment: &Value) {
    let f = json!({ "fulfilmentId": fulfilment["id"] });
    transition(server, staff, "fulfilmentPack", f.clone()).await;
    let shipped = transition(
        server,
        staff,
        "fulfilmentShip",
        json!({ "fulfilmentId": fulfilment["id"], "carrier": "India Post", "trackingNumber": "EL123456789IN" }),
    )
    .await;
    assert!(
        user_errors(&shipped, "fulfilmentShip").is_empty(),
        "{shipped}"
    );
    transition(server, staff, "fulfilmentDeliver", f).await;
}

async fn collect(
    server: &TestServer,
    token: &str,
    fulfilment: &Value,
    amount: i64,
    reference: &str,
) -> Value {
    server
        .graphql_as(
            Some(token),
            &format!("mutation($i: FulfilmentCashCollectedInput!) {{ fulfilmentCashCollected(input: $i) {{ errors {{ field code message }} order {{ {COD_FIELDS} }} }} }}"),
            json!({ "i": { "fulfilmentId": fulfilment["id"], "amountPaise": amount, "reference": reference } }),
        )
        .await
}

async fn cash_on_delivery_is_collected_per_cooperative(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham_id = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let nubra_id = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let sham_manager = staff_token(&server, &admin, &sham_id, "MANAGER").await;
    let sham_staff = staff_token(&server, &admin, &sham_id, "STAFF").await;
    let nubra_manager = staff_token(&server, &admin, &nubra_id, "MANAGER").await;
    let buyer = buyer_token(&server, "cod-buyer@example.org").await;

    // Both parts delivered, each paid at the door to its own cooperative.
    let (order, sham, nubra) = cod_order(&server, &buyer, "cod-1").await;
    assert_eq!(order["status"], "CONFIRMED");
    let (sham_total, nubra_total) = (int(&sham["total"]), int(&nubra["total"]));
    assert_eq!(sham_total + nubra_total, int(&order["total"]));
    let early = collect(&server, &sham_manager, &sham, sham_total, "RCPT-1").await;
    assert_eq!(error_code(&early), Some("CONFLICT"), "not out yet: {early}");
    send_out(&server, &sham_staff, &sham).await;
    send_out(&server, &nubra_manager, &nubra).await;
    let staff_only = collect(&server, &sham_staff, &sham, sham_total, "RCPT-1").await;
    assert_eq!(error_code(&staff_only), Some("FORBIDDEN"), "{staff_only}");
    let other = collect(&server, &nubra_manager, &sham, sham_total, "RCPT-1").await;
    assert_eq!(error_code(&other), Some("FORBIDDEN"), "{other}");
    let whole = collect(
        &server,
        &sham_manager,
        &sham,
        int(&order["total"]),
        "RCPT-1",
    )
    .await;
    assert_eq!(
        error_fields(&whole, "fulfilmentCashCollected"),
        ["input.amountPaise"],
        "{whole}"
    );
    let errors = user_errors(&whole, "fulfilmentCashCollected");
    assert!(
        errors[0]["message"].as_str().unwrap().contains("Rs "),
        "{whole}"
    );
    let first = collect(&server, &sham_manager, &sham, sham_total, "RCPT-1").await;
    let after_first = &first["data"]["fulfilmentCashCollected"]["order"];
    assert_eq!(after_first["status"], "CONFIRMED", "one part paid: {first}");
    assert_eq!(after_first["paymentReceived"], sham_total);
    assert!(after_first["paidAt"].is_null());
    let sham_part = after_first["fulfilments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == sham["id"])
        .unwrap();
    assert_eq!(sham_part["cashCollected"], sham_total);
    assert!(sham_part["cashCollectedAt"].is_string());
    let twice = collect(&server, &sham_manager, &sham, sham_total, "RCPT-1").await;
    assert_eq!(error_code(&twice), Some("CONFLICT"), "{twice}");
    let second = collect(&server, &admin, &nubra, nubra_total, "RCPT-2").await;
    let paid = &second["data"]["fulfilmentCashCollected"]["order"];
    assert_eq!(paid["status"], "PAID", "every part paid: {second}");
    assert_eq!(paid["paymentReceived"], int(&order["total"]));
    assert!(paid["paidAt"].is_string());

    // One part delivered and paid; the other cancelled before it shipped: nothing was
    // collected for it, so nothing is refunded, and the order is paid.
    let (order, sham, nubra) = cod_order(&server, &buyer, "cod-2").await;
    send_out(&server, &sham_staff, &sham).await;
    collect(&server, &sham_manager, &sham, int(&sham["total"]), "RCPT-3").await;
    let cancelled = transition(
        &server,
        &nubra_manager,
        "orderCancel",
        json!({ "orderId": order["id"], "fulfilmentId": nubra["id"], "reason": "juice spoiled" }),
    )
    .await;
    assert!(
        user_errors(&cancelled, "orderCancel").is_empty(),
        "{cancelled}"
    );
    let after = server
        .graphql_as(
            Some(&admin),
            &format!(
                "query($id: ID!) {{ order(id: $id) {{ {COD_FIELDS} refunds {{ id amount }} }} }}"
            ),
            json!({ "id": order["id"] }),
        )
        .await;
    let after = &after["data"]["order"];
    assert_eq!(after["refunded"], 0, "{after}");
    assert_eq!(after["refunds"], json!([]), "no refund recorded: {after}");
    assert_eq!(after["status"], "PAID", "{after}");
    assert_eq!(after["paymentReceived"], int(&sham["total"]));
    // A refund cannot be made for the part that was never collected.
    let refund = server
        .graphql_as(
            Some(&admin),
            "mutation($i: OrderRefundInput!) { orderRefund(input: $i) { errors { field code message } } }",
            json!({ "i": { "orderId": order["id"], "fulfilmentId": nubra["id"], "reason": "x", "idempotencyKey": "cod-r1" } }),
        )
        .await;
    assert_eq!(error_code(&refund), Some("CONFLICT"), "{refund}");
    Ok(())
}

const MARKETPLACE_ACCOUNT: (&str, &str, &str, &str) = (
    "Ladakh Cooperative Marketplace Pvt Ltd",
    "50100234567890",
    "HDFC0001234",
    "ladakhmarket@hdfcbank",
);

async fn bank_transfers_hold_for_days_and_carry_the_payees_details(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(
        backend,
        ServerOptions::seeded()
            .env("BANK_TRANSFER_RESERVATION_TTL_SECS", "259200")
            .env("MARKETPLACE_PAYEE_ACCOUNT_NAME", MARKETPLACE_ACCOUNT.0)
            .env("MARKETPLACE_PAYEE_ACCOUNT_NUMBER", MARKETPLACE_ACCOUNT.1)
            .env("MARKETPLACE_PAYEE_IFSC", MARKETPLACE_ACCOUNT.2)
            .env("MARKETPLACE_PAYEE_UPI_VPA", MARKETPLACE_ACCOUNT.3),
    )
    .await?;
    let admin = admin_token(&server).await;
    let sham_id = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let nubra_id = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let sham_manager = staff_token(&server, &admin, &sham_id, "MANAGER").await;
    let sham_staff = staff_token(&server, &admin, &sham_id, "STAFF").await;
    let nubra_manager = staff_token(&server, &admin, &nubra_id, "MANAGER").await;
    let buyer = buyer_token(&server, "transfer-buyer@example.org").await;

    // The cooperative's manager gives its account; bad fields are named.
    let set = "mutation($i: CooperativePayoutAccountSetInput!) { cooperativePayoutAccountSet(input: $i) { errors { field code message } payoutAccount { accountName accountNumber ifsc upiVpa } } }";
    let account = |ifsc: &str, vpa: &str| {
        json!({ "i": { "cooperativeId": sham_id,
        "accountName": "Sham Apricot Growers Cooperative Society", "accountNumber": "9120 1001 2345 678",
        "ifsc": ifsc, "upiVpa": vpa } })
    };
    let bad = server
        .graphql_as(
            Some(&sham_manager),
            set,
            account("SBIN1001234", "shamapricots"),
        )
        .await;
    assert_eq!(
        error_fields(&bad, "cooperativePayoutAccountSet"),
        ["input.ifsc", "input.upiVpa"],
        "{bad}"
    );
    for outsider in [&sham_staff, &nubra_manager, &buyer] {
        let refused = server
            .graphql_as(
                Some(outsider),
                set,
                account("SBIN0001234", "shamapricots@sbi"),
            )
            .await;
        assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    }
    let saved = server
        .graphql_as(
            Some(&sham_manager),
            set,
            account("sbin0001234", "ShamApricots@SBI"),
        )
        .await;
    assert!(
        user_errors(&saved, "cooperativePayoutAccountSet").is_empty(),
        "{saved}"
    );
    let sham_account = json!({ "accountName": "Sham Apricot Growers Cooperative Society",
        "accountNumber": "912010012345678", "ifsc": "SBIN0001234", "upiVpa": "shamapricots@sbi" });
    assert_eq!(
        saved["data"]["cooperativePayoutAccountSet"]["payoutAccount"],
        sham_account
    );
    let read = server
        .graphql_as(
            Some(&admin),
            "query($c: ID!) { cooperativePayoutAccount(cooperativeId: $c) { accountName accountNumber ifsc upiVpa } }",
            json!({ "c": sham_id }),
        )
        .await;
    assert_eq!(
        read["data"]["cooperativePayoutAccount"], sham_account,
        "{read}"
    );

    let instructions = "paymentInstructions { collectedBy reference amount account { accountName accountNumber ifsc upiVpa } }";
    let transfer = |key: &'static str, lines: Vec<(&'static str, &'static str, i64)>| {
        let server = &server;
        let buyer = &buyer;
        async move {
            for (slug, sku, quantity) in lines {
                let v = variant(server, slug, sku).await;
                add_to_cart(server, Some(buyer), None, &v["id"], quantity).await;
            }
            let placed = server
                .graphql_as(
                    Some(buyer),
                    &format!("mutation($i: PlaceOrderInput!) {{ placeOrder(input: $i) {{ errors {{ field code message }} order {{ id number total status reservationExpiresAt {instructions} }} }} }}"),
                    json!({ "i": { "idempotencyKey": key, "shippingAddress": leh(), "paymentMethod": "BANK_TRANSFER" } }),
                )
                .await;
            assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
            placed["data"]["placeOrder"]["order"].clone()
        }
    };

    // One cooperative with an account: the buyer pays it directly, quoting the order
    // number, and has days to do so.
    let before = chrono::Utc::now();
    let own = transfer("transfer-1", vec![(APRICOTS.0, APRICOTS.1, 1)]).await;
    assert_eq!(own["status"], "PENDING_PAYMENT");
    let pay = &own["paymentInstructions"];
    assert_eq!(pay["collectedBy"], "COOPERATIVE", "{own}");
    assert_eq!(pay["account"], sham_account);
    assert_eq!(pay["reference"], own["number"]);
    assert_eq!(pay["amount"], own["total"]);
    let expires = time_of(&own["reservationExpiresAt"]);
    assert!(
        expires >= before + chrono::Duration::hours(72) - chrono::Duration::minutes(1)
            && expires <= chrono::Utc::now() + chrono::Duration::hours(72),
        "three days, not 30 minutes: {expires}"
    );

    // Two cooperatives: the marketplace collects into its own account.
    let shared = transfer(
        "transfer-2",
        vec![
            (APRICOTS.0, APRICOTS.1, 1),
            ("nubra-leh-berry-juice-500ml", "NLBJ-500", 1),
        ],
    )
    .await;
    let pay = &shared["paymentInstructions"];
    assert_eq!(pay["collectedBy"], "MARKETPLACE", "{shared}");
    assert_eq!(
        pay["account"],
        json!({ "accountName": MARKETPLACE_ACCOUNT.0, "accountNumber": MARKETPLACE_ACCOUNT.1,
            "ifsc": MARKETPLACE_ACCOUNT.2, "upiVpa": MARKETPLACE_ACCOUNT.3 })
    );
    assert_eq!(pay["reference"], shared["number"]);

    // A cooperative without an account: the marketplace's too.
    let nubra_only = transfer(
        "transfer-3",
        vec![("nubra-leh-berry-juice-500ml", "NLBJ-500", 1)],
    )
    .await;
    assert_eq!(
        nubra_only["paymentInstructions"]["collectedBy"], "MARKETPLACE",
        "{nubra_only}"
    );

    // Cash on delivery carries no instructions and no expiry.
    add_to_cart(
        &server,
        Some(&buyer),
        None,
        &variant(&server, APRICOTS.0, APRICOTS.1).await["id"],
        1,
    )
    .await;
    let cod = server
        .graphql_as(
            Some(&buyer),
            &format!("mutation($i: PlaceOrderInput!) {{ placeOrder(input: $i) {{ order {{ reservationExpiresAt {instructions} }} }} }}"),
            json!({ "i": { "idempotencyKey": "transfer-cod", "shippingAddress": leh(), "paymentMethod": "CASH_ON_DELIVERY" } }),
        )
        .await;
    let cod = &cod["data"]["placeOrder"]["order"];
    assert!(cod["paymentInstructions"].is_null(), "{cod}");
    assert!(cod["reservationExpiresAt"].is_null(), "{cod}");
    Ok(())
}

/// A mistyped marketplace account stops the server at start-up, naming the setting,
/// rather than reaching a buyer's bank.
#[tokio::test]
async fn a_bad_marketplace_account_stops_the_server() -> anyhow::Result<()> {
    let database = TestDatabase::fresh(Backend::Sqlite).await?;
    let bad_ifsc = database
        .run_cli(
            &["serve", "--bind", "127.0.0.1:0"],
            &[
                ("MARKETPLACE_PAYEE_ACCOUNT_NAME", MARKETPLACE_ACCOUNT.0),
                ("MARKETPLACE_PAYEE_ACCOUNT_NUMBER", MARKETPLACE_ACCOUNT.1),
                ("MARKETPLACE_PAYEE_IFSC", "HDFC1001234"),
            ],
            None,
        )
        .await?;
    assert!(!bad_ifsc.success, "an IFSC without its 0 must be refused");
    assert!(
        bad_ifsc.stderr.contains("MARKETPLACE_PAYEE_") && bad_ifsc.stderr.contains("ifsc"),
        "{}",
        bad_ifsc.stderr
    );
    let half = database
        .run_cli(
            &["serve", "--bind", "127.0.0.1:0"],
            &[("MARKETPLACE_PAYEE_IFSC", MARKETPLACE_ACCOUNT.2)],
            None,
        )
        .await?;
    assert!(!half.success, "an IFSC without an account must be refused");
    assert!(
        half.stderr.contains("MARKETPLACE_PAYEE_ACCOUNT_NUMBER"),
        "{}",
        half.stderr
    );
    Ok(())
}

/// Rupees as the test writes them by hand: `Rs 1,430.00` (amounts here stay below a
/// lakh, where the Indian and the Western grouping agree).
fn rupees(paise: i64) -> String {
    assert!((0..10_000_000).contains(&paise));
    let rupees = paise / 100;
    let whole = if rupees >= 1000 {
        format!("{},{:03}", rupees / 1000, rupees % 1000)
    } else {
        rupees.to_string()
    };
    format!("Rs {whole}.{:02}", paise % 100)
}

both_backends!(
    a_declined_card_is_one_attempt_and_the_retry_pays,
    a_cancelled_order_cancels_its_payment_intent,
    an_expired_order_cancels_its_payment_intent,
    payment_issues_speak_rupees_and_clear_when_resolved,
    cash_on_delivery_is_collected_per_cooperative,
    bank_transfers_hold_for_days_and_carry_the_payees_details,
);
