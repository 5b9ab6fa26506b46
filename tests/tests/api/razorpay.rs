//! Razorpay beside Stripe, against a local Razorpay double (support::razorpay_fake):
//! the buyer's choice of provider, a UPI checkout paid by the signed webhook, Checkout's
//! callback verified over the stored Razorpay order, webhooks tampered, replayed,
//! duplicated and out of order, refunds partial then full once per key, a lost webhook
//! reconciled by the sweeper, the gateway down at checkout and the retry with the same
//! idempotency key, and a capture that happened but answered 500. See docs/ORDERS.md,
//! "Payment providers".

use serde_json::{Value, json};

use crate::{
    both_backends,
    orders::{ORDER_FIELDS, add_to_cart, int, leh, order, place_order, variant},
    support::{
        Backend, ServerOptions, TestServer, error_code,
        flows::{admin_token, buyer_token, user_errors},
        razorpay_fake::{self, FakeRazorpay},
        server::{clock_passes, time_of},
        stripe_fake::{self, FakeStripe},
    },
};

const FIELDS: &str = "razorpayCheckout { keyId razorpayOrderId amount currency description prefill { name email contact } }";

fn razorpay_options(fake: &FakeRazorpay) -> ServerOptions {
    ServerOptions::seeded()
        .env("RAZORPAY_KEY_ID", razorpay_fake::KEY_ID)
        .env("RAZORPAY_KEY_SECRET", razorpay_fake::KEY_SECRET)
        .env("RAZORPAY_WEBHOOK_SECRET", razorpay_fake::WEBHOOK_SECRET)
        .env("RAZORPAY_API_BASE", &fake.base_url)
        .env("RAZORPAY_TIMEOUT_SECS", "2")
}

async fn view(server: &TestServer, token: &str, id: &Value) -> Value {
    let body = server
        .graphql_as(
            Some(token),
            &format!(
                "query($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} paymentFailure {FIELDS} }} }}"
            ),
            json!({ "id": id }),
        )
        .await;
    body["data"]["order"].clone()
}

/// A payload's user errors as (input path, code).
fn problems(body: &Value, mutation: &str) -> Vec<(String, String)> {
    user_errors(body, mutation)
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

fn one(field: &str, code: &str) -> Vec<(String, String)> {
    vec![(format!("input.{field}"), code.to_owned())]
}

/// Places an order of one pack of apricots paid through `method`; returns the
/// `placeOrder` answer.
async fn place(server: &TestServer, buyer: &str, key: &str, method: &str) -> Value {
    let apricots = variant(server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    add_to_cart(server, Some(buyer), None, &apricots["id"], 1).await;
    place_order(server, buyer, key, leh(), method, json!({})).await
}

/// A Razorpay order placed and its checkout data; returns (order, Razorpay order id).
async fn razorpay_order(server: &TestServer, buyer: &str, key: &str) -> (Value, String) {
    let placed = place(server, buyer, key, "RAZORPAY").await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let id = placed["data"]["placeOrder"]["order"]["id"].clone();
    let order = view(server, buyer, &id).await;
    let rzp = order["razorpayCheckout"]["razorpayOrderId"]
        .as_str()
        .unwrap_or_else(|| panic!("{order}"))
        .to_owned();
    (order, rzp)
}

async fn post_event(
    server: &TestServer,
    signature: Option<&str>,
    event_id: Option<&str>,
    body: &str,
) -> u16 {
    let mut request = server
        .client
        .post(server.url("/webhooks/razorpay"))
        .header("Content-Type", "application/json")
        .body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header("X-Razorpay-Signature", signature);
    }
    if let Some(event_id) = event_id {
        request = request.header("X-Razorpay-Event-Id", event_id);
    }
    request.send().await.unwrap().status().as_u16()
}

/// Delivers `body` signed as Razorpay signs it, under `event_id`; checks it was accepted.
async fn deliver(server: &TestServer, event_id: &str, body: &str) {
    let signature = razorpay_fake::webhook_signature(razorpay_fake::WEBHOOK_SECRET, body);
    assert_eq!(
        post_event(server, Some(&signature), Some(event_id), body).await,
        200,
        "{body}"
    );
}

async fn confirm(
    server: &TestServer,
    token: &str,
    order_id: &Value,
    rzp_order: &str,
    payment: &str,
    signature: &str,
) -> Value {
    server
        .graphql_as(
            Some(token),
            &format!("mutation($i: PaymentConfirmInput!) {{ paymentConfirm(input: $i) {{ errors {{ field code message }} order {{ {ORDER_FIELDS} }} }} }}"),
            json!({ "i": { "orderId": order_id, "razorpayOrderId": rzp_order,
                           "razorpayPaymentId": payment, "razorpaySignature": signature } }),
        )
        .await
}

async fn a_upi_checkout_is_paid_by_the_signed_webhook(backend: Backend) -> anyhow::Result<()> {
    let razorpay = FakeRazorpay::start().await?;
    let stripe = FakeStripe::start().await?;
    // Both providers at once: the buyer chooses.
    let server = TestServer::spawn(
        backend,
        razorpay_options(&razorpay)
            .env("STRIPE_SECRET_KEY", stripe_fake::SECRET_KEY)
            .env("STRIPE_WEBHOOK_SECRET", stripe_fake::WEBHOOK_SECRET)
            .env("STRIPE_API_BASE", &stripe.base_url),
    )
    .await?;
    let buyer = buyer_token(&server, "upi-buyer@example.org").await;
    let (placed, rzp) = razorpay_order(&server, &buyer, "upi-1").await;
    let total = int(&placed["total"]);
    assert_eq!(placed["status"], "PENDING_PAYMENT");
    assert_eq!(placed["paymentMethod"], "RAZORPAY");
    assert!(placed["stripeClientSecret"].is_null());
    let checkout = &placed["razorpayCheckout"];
    assert_eq!(checkout["keyId"], razorpay_fake::KEY_ID);
    assert_eq!(int(&checkout["amount"]), total);
    assert_eq!(checkout["currency"], "INR");
    assert_eq!(checkout["prefill"]["name"], "Tsering Dolma");
    // The delivery phone as the checkout normalised it.
    assert_eq!(checkout["prefill"]["contact"], "+919876543210");

    // The Razorpay order was created as the contract says: paise, INR, our number as
    // the receipt, our ids in the notes.
    let created = razorpay.order(&rzp).unwrap();
    assert_eq!(int(&created["amount"]), total);
    assert_eq!(created["currency"], "INR");
    assert_eq!(created["receipt"], placed["number"]);
    assert_eq!(created["notes"]["order_id"], placed["id"]);
    assert_eq!(created["notes"]["order_number"], placed["number"]);
    // A replay of placeOrder makes no second Razorpay order.
    let replay = place_order(&server, &buyer, "upi-1", leh(), "RAZORPAY", json!({})).await;
    assert_eq!(replay["data"]["placeOrder"]["replayed"], true, "{replay}");
    assert_eq!(razorpay.order_count(), 1);
    assert_eq!(razorpay.requests_to("POST", "/v1/orders").len(), 1);

    // Stripe stays available beside it.
    let card = place(&server, &buyer, "card-beside-upi", "STRIPE").await;
    assert!(user_errors(&card, "placeOrder").is_empty(), "{card}");
    assert!(card["data"]["placeOrder"]["order"]["stripeClientSecret"].is_string());

    // A failed UPI attempt first: one attempt, the order stays payable.
    let failed = razorpay.fail_payment(
        &rzp,
        "Payment was unsuccessful as the UPI PIN was incorrect.",
        "incorrect_pin",
    );
    deliver(
        &server,
        "evt_upi_failed_1",
        &razorpay_fake::event("payment.failed", &[("payment", &failed)]),
    )
    .await;
    let after = view(&server, &buyer, &placed["id"]).await;
    assert_eq!(after["status"], "PENDING_PAYMENT", "{after}");
    assert_eq!(
        after["paymentFailure"],
        "Payment was unsuccessful as the UPI PIN was incorrect. (incorrect_pin)"
    );
    assert_eq!(after["razorpayCheckout"]["razorpayOrderId"], rzp.as_str());

    // The buyer pays by UPI. Before the right delivery: no signature, a tampered body,
    // another secret, a signature that is not hex; none is trusted.
    let payment = razorpay.pay(&rzp, "upi", true);
    let captured = razorpay_fake::event("payment.captured", &[("payment", &payment)]);
    let good = razorpay_fake::webhook_signature(razorpay_fake::WEBHOOK_SECRET, &captured);
    assert_eq!(
        post_event(&server, None, Some("evt_cap_1"), &captured).await,
        400
    );
    let tampered = captured.replace(
        &format!("\"amount\":{total}"),
        &format!("\"amount\":{}", total + 1),
    );
    assert_ne!(tampered, captured);
    assert_eq!(
        post_event(&server, Some(&good), Some("evt_cap_1"), &tampered).await,
        400
    );
    let wrong = razorpay_fake::webhook_signature("someone_elses_secret", &captured);
    assert_eq!(
        post_event(&server, Some(&wrong), Some("evt_cap_1"), &captured).await,
        400
    );
    assert_eq!(
        post_event(&server, Some("not-hex"), Some("evt_cap_1"), &captured).await,
        400
    );
    assert_eq!(
        view(&server, &buyer, &placed["id"]).await["status"],
        "PENDING_PAYMENT",
        "nothing was trusted"
    );

    deliver(&server, "evt_cap_1", &captured).await;
    let paid = view(&server, &buyer, &placed["id"]).await;
    assert_eq!(paid["status"], "PAID", "{paid}");
    assert_eq!(int(&paid["paymentReceived"]), total);
    assert!(paid["paymentFailure"].is_null());
    assert!(paid["razorpayCheckout"].is_null(), "no checkout once paid");
    let history = paid["history"].as_array().unwrap().len();

    // Replayed (the same event id), duplicated (order.paid for the same payment),
    // out of order (the failure again, late): nothing changes.
    deliver(&server, "evt_cap_1", &captured).await;
    let order_paid = razorpay_fake::event(
        "order.paid",
        &[
            ("payment", &payment),
            ("order", &razorpay.order(&rzp).unwrap()),
        ],
    );
    deliver(&server, "evt_order_paid_1", &order_paid).await;
    deliver(
        &server,
        "evt_upi_failed_late",
        &razorpay_fake::event("payment.failed", &[("payment", &failed)]),
    )
    .await;
    let still = view(&server, &buyer, &placed["id"]).await;
    assert_eq!(still["status"], "PAID");
    assert!(still["paymentIssue"].is_null(), "{still}");
    assert!(still["paymentFailure"].is_null(), "{still}");
    assert_eq!(
        still["history"].as_array().unwrap().len(),
        history,
        "{still}"
    );

    // A signed event whose amount differs from the order's is flagged, not trusted.
    let (short, short_rzp) = razorpay_order(&server, &buyer, "upi-short").await;
    let mut underpaid = razorpay.pay(&short_rzp, "upi", true);
    underpaid["amount"] = json!(int(&short["total"]) - 100);
    deliver(
        &server,
        "evt_short_1",
        &razorpay_fake::event("payment.captured", &[("payment", &underpaid)]),
    )
    .await;
    let flagged = view(&server, &buyer, &short["id"]).await;
    assert_eq!(flagged["status"], "PENDING_PAYMENT", "{flagged}");
    assert!(
        flagged["paymentIssue"]
            .as_str()
            .unwrap()
            .contains("does not match"),
        "{flagged}"
    );

    stripe.stop().await;
    razorpay.stop().await;
    Ok(())
}

async fn the_chosen_provider_must_be_configured(backend: Backend) -> anyhow::Result<()> {
    let stripe = FakeStripe::start().await?;
    let server = TestServer::spawn(backend, crate::orders::stripe_options(&stripe)).await?;
    let buyer = buyer_token(&server, "choosy-buyer@example.org").await;
    let refused = place(&server, &buyer, "rzp-off-1", "RAZORPAY").await;
    assert_eq!(
        problems(&refused, "placeOrder"),
        one("paymentMethod", "NOT_ALLOWED"),
        "{refused}"
    );
    assert!(refused["data"]["placeOrder"]["order"].is_null());
    let body = razorpay_fake::event("payment.captured", &[("payment", &json!({}))]);
    let signature = razorpay_fake::webhook_signature(razorpay_fake::WEBHOOK_SECRET, &body);
    assert_eq!(
        post_event(&server, Some(&signature), Some("evt_x"), &body).await,
        404
    );
    // Stripe, configured, is taken.
    let card = place(&server, &buyer, "rzp-off-2", "STRIPE").await;
    assert!(user_errors(&card, "placeOrder").is_empty(), "{card}");
    stripe.stop().await;
    Ok(())
}

async fn checkout_callbacks_are_checked_against_the_stored_order(
    backend: Backend,
) -> anyhow::Result<()> {
    let razorpay = FakeRazorpay::start().await?;
    let server = TestServer::spawn(backend, razorpay_options(&razorpay)).await?;
    let buyer = buyer_token(&server, "callback-buyer@example.org").await;
    let other = buyer_token(&server, "someone-else@example.org").await;
    let (a, rzp_a) = razorpay_order(&server, &buyer, "cb-a").await;
    let (b, rzp_b) = razorpay_order(&server, &buyer, "cb-b").await;
    let pay_a = razorpay.pay(&rzp_a, "upi", true);
    let pay_a = pay_a["id"].as_str().unwrap();
    // B is only authorised: this account captures by API.
    let pay_b = razorpay.pay(&rzp_b, "card", false);
    let pay_b = pay_b["id"].as_str().unwrap();
    let sign = |order: &str, payment: &str| {
        razorpay_fake::checkout_signature(razorpay_fake::KEY_SECRET, order, payment)
    };
    let field = |answer: &Value| problems(answer, "paymentConfirm");

    // Tampered: one hex digit changed.
    let good_a = sign(&rzp_a, pay_a);
    let flipped = format!(
        "{}{}",
        if good_a.starts_with('0') { '1' } else { '0' },
        &good_a[1..]
    );
    let tampered = confirm(&server, &buyer, &a["id"], &rzp_a, pay_a, &flipped).await;
    assert_eq!(
        field(&tampered),
        one("razorpaySignature", "INVALID"),
        "{tampered}"
    );
    // Another order's callback, valid for B, sent for A.
    let for_b = confirm(
        &server,
        &buyer,
        &a["id"],
        &rzp_b,
        pay_b,
        &sign(&rzp_b, pay_b),
    )
    .await;
    assert_eq!(field(&for_b), one("razorpayOrderId", "INVALID"), "{for_b}");
    // A's order id named, but signed over B's: the stored id decides.
    let crossed = confirm(
        &server,
        &buyer,
        &a["id"],
        &rzp_a,
        pay_a,
        &sign(&rzp_b, pay_a),
    )
    .await;
    assert_eq!(
        field(&crossed),
        one("razorpaySignature", "INVALID"),
        "{crossed}"
    );
    // Signed with the webhook secret instead of the key secret.
    let wrong_secret =
        razorpay_fake::checkout_signature(razorpay_fake::WEBHOOK_SECRET, &rzp_a, pay_a);
    let refused = confirm(&server, &buyer, &a["id"], &rzp_a, pay_a, &wrong_secret).await;
    assert_eq!(
        field(&refused),
        one("razorpaySignature", "INVALID"),
        "{refused}"
    );
    // Someone else's callback for A.
    let stranger = confirm(&server, &other, &a["id"], &rzp_a, pay_a, &good_a).await;
    assert_eq!(error_code(&stranger), Some("NOT_FOUND"), "{stranger}");
    let admin = admin_token(&server).await;
    let staff = confirm(&server, &admin, &a["id"], &rzp_a, pay_a, &good_a).await;
    assert_eq!(error_code(&staff), Some("FORBIDDEN"), "{staff}");
    assert_eq!(
        view(&server, &buyer, &a["id"]).await["status"],
        "PENDING_PAYMENT"
    );
    assert!(
        razorpay
            .requests_to("GET", &format!("/v1/orders/{rzp_a}/payments"))
            .is_empty(),
        "a refused callback asks Razorpay nothing"
    );

    // The valid callback: Razorpay is asked, and says it was captured.
    let valid = confirm(&server, &buyer, &a["id"], &rzp_a, pay_a, &good_a).await;
    assert!(field(&valid).is_empty(), "{valid}");
    assert_eq!(
        valid["data"]["paymentConfirm"]["order"]["status"], "PAID",
        "{valid}"
    );
    assert_eq!(
        razorpay
            .requests_to("GET", &format!("/v1/orders/{rzp_a}/payments"))
            .len(),
        1
    );

    // B: the capture happens but its answer is a 500. It is not sent again; the
    // payment is read back, found captured, and the order is paid.
    razorpay.fail_after_effect("/capture");
    let valid_b = confirm(
        &server,
        &buyer,
        &b["id"],
        &rzp_b,
        pay_b,
        &sign(&rzp_b, pay_b),
    )
    .await;
    assert!(field(&valid_b).is_empty(), "{valid_b}");
    assert_eq!(
        valid_b["data"]["paymentConfirm"]["order"]["status"], "PAID",
        "{valid_b}"
    );
    let captures = razorpay.requests_to("POST", &format!("/v1/payments/{pay_b}/capture"));
    assert_eq!(captures.len(), 1, "a capture is never repeated blind");
    let body: Value = serde_json::from_str(&captures[0].body).unwrap();
    assert_eq!(
        body,
        json!({ "amount": int(&b["total"]), "currency": "INR" })
    );
    assert_eq!(razorpay.payment(pay_b).unwrap()["status"], "captured");
    assert!(
        !razorpay
            .requests_to("GET", &format!("/v1/payments/{pay_b}"))
            .is_empty()
    );

    razorpay.stop().await;
    Ok(())
}

async fn refunds_go_to_razorpay_once_partial_then_full(backend: Backend) -> anyhow::Result<()> {
    let razorpay = FakeRazorpay::start().await?;
    let server = TestServer::spawn(backend, razorpay_options(&razorpay)).await?;
    let admin = admin_token(&server).await;
    let buyer = buyer_token(&server, "refund-upi-buyer@example.org").await;
    let (placed, rzp) = razorpay_order(&server, &buyer, "rf-1").await;
    let total = int(&placed["total"]);
    let payment = razorpay.pay(&rzp, "upi", true);
    let pay_id = payment["id"].as_str().unwrap().to_owned();
    deliver(
        &server,
        "evt_rf_paid",
        &razorpay_fake::event("payment.captured", &[("payment", &payment)]),
    )
    .await;
    let paid = order(&server, &buyer, &placed["id"]).await;
    assert_eq!(paid["status"], "PAID", "{paid}");
    let fulfilment = paid["fulfilments"][0]["id"].clone();
    let refund = |amount: Option<i64>, key: &str| json!({ "i": { "orderId": placed["id"], "fulfilmentId": fulfilment, "amountPaise": amount, "reason": "one pack arrived crushed", "idempotencyKey": key } });
    let query = "mutation($i: OrderRefundInput!) { orderRefund(input: $i) { refund { id status amount providerReference } order { status refunded } errors { field code message } } }";

    // Partial. The refund happens at Razorpay but the answer is a 500: the client
    // repeats it with the same X-Refund-Idempotency key and gets the same refund.
    razorpay.fail_after_effect("/refund");
    let first = server
        .graphql_as(Some(&admin), query, refund(Some(1000), "rf-part"))
        .await;
    assert_eq!(
        first["data"]["orderRefund"]["refund"]["status"], "SUCCEEDED",
        "{first}"
    );
    assert_eq!(
        first["data"]["orderRefund"]["order"]["status"],
        "PARTIALLY_REFUNDED"
    );
    let calls = razorpay.requests_to("POST", &format!("/v1/payments/{pay_id}/refund"));
    assert_eq!(calls.len(), 2, "retried once after the 500");
    assert_eq!(calls[0].idempotency_key, calls[1].idempotency_key);
    assert!(calls[0].idempotency_key.as_ref().unwrap().len() >= 10);
    assert_eq!(calls[0].body, calls[1].body);
    assert_eq!(
        int(&razorpay.payment(&pay_id).unwrap()["amount_refunded"]),
        1000,
        "refunded once"
    );
    // The same request again is the same refund; no third call.
    let repeat = server
        .graphql_as(Some(&admin), query, refund(Some(1000), "rf-part"))
        .await;
    assert_eq!(
        repeat["data"]["orderRefund"]["refund"]["id"],
        first["data"]["orderRefund"]["refund"]["id"]
    );
    assert_eq!(
        razorpay
            .requests_to("POST", &format!("/v1/payments/{pay_id}/refund"))
            .len(),
        2
    );

    // Razorpay confirms it.
    let refund_entity = json!({ "id": first["data"]["orderRefund"]["refund"]["providerReference"], "entity": "refund",
        "amount": 1000, "payment_id": pay_id, "status": "processed", "notes": { "razorpay_order_id": rzp } });
    deliver(
        &server,
        "evt_rf_processed_1",
        &razorpay_fake::event(
            "refund.processed",
            &[
                ("refund", &refund_entity),
                ("payment", &razorpay.payment(&pay_id).unwrap()),
            ],
        ),
    )
    .await;
    let partly = order(&server, &buyer, &placed["id"]).await;
    assert!(partly["paymentIssue"].is_null(), "{partly}");
    assert_eq!(int(&partly["refunded"]), 1000);

    // More than is left is refused before Razorpay is asked.
    let too_much = server
        .graphql_as(Some(&admin), query, refund(Some(total), "rf-over"))
        .await;
    assert_eq!(
        problems(&too_much, "orderRefund"),
        one("amountPaise", "OUT_OF_RANGE"),
        "{too_much}"
    );
    // The rest.
    let rest = server
        .graphql_as(Some(&admin), query, refund(None, "rf-rest"))
        .await;
    assert_eq!(
        rest["data"]["orderRefund"]["refund"]["status"], "SUCCEEDED",
        "{rest}"
    );
    assert_eq!(
        int(&rest["data"]["orderRefund"]["refund"]["amount"]),
        total - 1000
    );
    assert_eq!(rest["data"]["orderRefund"]["order"]["status"], "REFUNDED");
    let at_razorpay = razorpay.payment(&pay_id).unwrap();
    assert_eq!(int(&at_razorpay["amount_refunded"]), total);
    assert_eq!(at_razorpay["status"], "refunded");
    let bodies: Vec<Value> = razorpay
        .requests_to("POST", &format!("/v1/payments/{pay_id}/refund"))
        .iter()
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    assert_eq!(
        bodies.last().unwrap()["amount"],
        json!(total - 1000),
        "integer paise"
    );

    // A refund made at Razorpay's dashboard, outside the marketplace, is flagged.
    let mut outside = at_razorpay.clone();
    outside["amount_refunded"] = json!(total + 500);
    let stray = json!({ "id": "rfnd_Outside01", "amount": 500, "payment_id": pay_id, "status": "processed" });
    deliver(
        &server,
        "evt_rf_outside",
        &razorpay_fake::event(
            "refund.processed",
            &[("refund", &stray), ("payment", &outside)],
        ),
    )
    .await;
    let flagged = order(&server, &buyer, &placed["id"]).await;
    assert!(
        flagged["paymentIssue"]
            .as_str()
            .unwrap()
            .contains("outside"),
        "{flagged}"
    );

    razorpay.stop().await;
    Ok(())
}

async fn a_down_gateway_is_retried_and_a_lost_webhook_reconciled(
    backend: Backend,
) -> anyhow::Result<()> {
    let razorpay = FakeRazorpay::start().await?;
    let server = TestServer::spawn(
        backend,
        razorpay_options(&razorpay)
            .env("RESERVATION_TTL_SECS", "3")
            .env("ORDER_SWEEP_MS", "200"),
    )
    .await?;
    let buyer = buyer_token(&server, "patient-buyer@example.org").await;

    // Razorpay is down at checkout: the order stands, without its payment.
    razorpay.fail_next(500, 2);
    let down = place(&server, &buyer, "down-1", "RAZORPAY").await;
    let errors = user_errors(&down, "placeOrder");
    assert_eq!(errors.len(), 1, "{down}");
    assert_eq!(errors[0]["code"], "PAYMENT_PROVIDER_UNAVAILABLE", "{down}");
    let id = down["data"]["placeOrder"]["order"]["id"].clone();
    assert!(view(&server, &buyer, &id).await["razorpayCheckout"].is_null());
    assert_eq!(razorpay.order_count(), 0);

    // The same key again, with Razorpay answering slowly: the create takes effect
    // but its answer comes after the client's 2 s; the retry finds the order by its
    // receipt instead of making a second.
    razorpay.delay_next("POST", "/v1/orders", std::time::Duration::from_secs(3));
    let retried = place_order(&server, &buyer, "down-1", leh(), "RAZORPAY", json!({})).await;
    assert!(user_errors(&retried, "placeOrder").is_empty(), "{retried}");
    assert_eq!(retried["data"]["placeOrder"]["order"]["id"], id);
    let placed = view(&server, &buyer, &id).await;
    let rzp = placed["razorpayCheckout"]["razorpayOrderId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        razorpay.order_count(),
        1,
        "one Razorpay order for the one order"
    );
    assert!(
        razorpay
            .requests_to("GET", "/v1/orders")
            .iter()
            .any(|r| r.query.contains("receipt=")),
        "looked up by receipt"
    );

    // The buyer pays; the webhook never comes, and Razorpay is briefly down again.
    let (unpaid, _) = razorpay_order(&server, &buyer, "down-2").await;
    razorpay.pay(&rzp, "upi", true);
    razorpay.fail_next(500, 3);
    clock_passes(
        time_of(&placed["reservationExpiresAt"]).max(time_of(&unpaid["reservationExpiresAt"])),
    )
    .await;
    let mut states = (Value::Null, Value::Null);
    for _ in 0..10 {
        server.drain().await;
        states = (
            order(&server, &buyer, &id).await,
            order(&server, &buyer, &unpaid["id"]).await,
        );
        if states.0["status"] != "PENDING_PAYMENT" && states.1["status"] != "PENDING_PAYMENT" {
            break;
        }
    }
    assert_eq!(
        states.0["status"], "PAID",
        "asked Razorpay instead of cancelling: {}",
        states.0
    );
    assert_eq!(states.1["status"], "CANCELLED", "{}", states.1);
    assert!(view(&server, &buyer, &unpaid["id"]).await["razorpayCheckout"].is_null());

    razorpay.stop().await;
    Ok(())
}

both_backends!(
    a_upi_checkout_is_paid_by_the_signed_webhook,
    the_chosen_provider_must_be_configured,
    checkout_callbacks_are_checked_against_the_stored_order,
    refunds_go_to_razorpay_once_partial_then_full,
    a_down_gateway_is_retried_and_a_lost_webhook_reconciled,
);
