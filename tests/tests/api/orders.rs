//! Carts, checkout, GST, the order state machine, invoices, reservations and their
//! expiry, payments through a local Stripe double with signed webhooks, refunds,
//! institutional orders, and the race for scarce stock across two server processes.

use serde_json::{Value, json};

use crate::{
    both_backends,
    support::{
        Backend, ServerOptions, TestServer,
        documents::assert_document_adds_up,
        error_code,
        flows::{
            PASSWORD, admin_token, buyer_token, cooperative_id, error_fields, login, staff_token,
            user_errors,
        },
        server::{TestDatabase, clock_passes, time_of},
        stripe_fake::{self, FakeStripe},
    },
};

pub const ORDER_FIELDS: &str = "id number kind status paymentMethod total goodsTotal shippingTotal taxableValue cgst sgst utgst igst
    paymentReceived refunded paymentIssue stripeClientSecret reservationExpiresAt placeOfSupply paymentTermsDays
    consignees { id name stateCode }
    fulfilments { id status total goodsTotal shippingTotal taxableValue cgst sgst utgst igst tcs refunded
        invoiceNumber invoiceUrl carrier trackingNumber acceptedAt paymentDueAt paymentOverdue cooperative { slug }
        lines { kind sku quantity unitPrice total gstRateBp taxableValue cgst sgst utgst igst placeOfSupply consigneeId } }
    history { fulfilmentId fromStatus toStatus actorRole reason }";

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

pub async fn variant(server: &TestServer, slug: &str, sku: &str) -> Value {
    let body = server
        .graphql(
            "query($slug: String) { product(slug: $slug) { variants { id sku stockOnHand minOrderQuantity price { amount } } } }",
            json!({ "slug": slug }),
        )
        .await;
    body["data"]["product"]["variants"]
        .as_array()
        .unwrap_or_else(|| panic!("no product {slug}: {body}"))
        .iter()
        .find(|v| v["sku"] == sku)
        .cloned()
        .unwrap_or_else(|| panic!("no variant {sku}"))
}

async fn stock(server: &TestServer, slug: &str, sku: &str) -> i64 {
    int(&variant(server, slug, sku).await["stockOnHand"])
}

pub async fn add_to_cart(
    server: &TestServer,
    token: Option<&str>,
    cart_token: Option<&str>,
    variant_id: &Value,
    quantity: i64,
) -> Value {
    server
        .graphql_as(
            token,
            "mutation($i: CartAddItemInput!) { cartAddItem(input: $i) { cartToken cart { id itemCount subtotal lines { sku: productSlug quantity unitPrice } } errors { field code message } } }",
            json!({ "i": { "cartToken": cart_token, "variantId": variant_id, "quantity": quantity } }),
        )
        .await
}

pub fn leh() -> Value {
    json!({ "name": "Tsering Dolma", "phone": "9876543210", "line1": "Main Bazaar", "city": "Leh", "pinCode": "194101", "stateCode": "38" })
}

fn delhi() -> Value {
    json!({ "name": "Anjali Rao", "phone": "+91 98111 22334", "line1": "12 Janpath", "city": "New Delhi", "pinCode": "110001", "stateCode": "07" })
}

pub async fn place_order(
    server: &TestServer,
    token: &str,
    key: &str,
    address: Value,
    method: &str,
    extra: Value,
) -> Value {
    let mut input =
        json!({ "idempotencyKey": key, "shippingAddress": address, "paymentMethod": method });
    if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            input.insert(k.clone(), v.clone());
        }
    }
    server
        .graphql_as(
            Some(token),
            &format!("mutation($i: PlaceOrderInput!) {{ placeOrder(input: $i) {{ replayed errors {{ field code message }} order {{ {ORDER_FIELDS} }} }} }}"),
            json!({ "i": input }),
        )
        .await
}

pub async fn order(server: &TestServer, token: &str, id: &Value) -> Value {
    let body = server
        .graphql_as(
            Some(token),
            &format!("query($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}"),
            json!({ "id": id }),
        )
        .await;
    body["data"]["order"].clone()
}

async fn transition(server: &TestServer, token: &str, mutation: &str, input: Value) -> Value {
    let input_type = match mutation {
        "fulfilmentShip" => "FulfilmentShipInput",
        "orderCancel" => "OrderCancelInput",
        "paymentMarkReceived" => "PaymentMarkReceivedInput",
        _ => "FulfilmentInput",
    };
    server
        .graphql_as(
            Some(token),
            &format!("mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ errors {{ field code message }} order {{ {ORDER_FIELDS} }} }} }}"),
            json!({ "i": input }),
        )
        .await
}

/// Every figure of the order is the sum of its fulfilments', every fulfilment's the sum
/// of its lines', and on every line taxable value + tax = amount, split as its supply
/// kind says.
pub fn assert_reconciles(order: &Value) {
    let components = ["total", "taxableValue", "cgst", "sgst", "utgst", "igst"];
    let fulfilments = order["fulfilments"].as_array().unwrap();
    for c in components {
        let sum: i64 = fulfilments.iter().map(|f| int(&f[c])).sum();
        assert_eq!(
            sum,
            int(&order[c]),
            "order {c} is the sum of its fulfilments: {order}"
        );
    }
    assert_eq!(
        int(&order["goodsTotal"]) + int(&order["shippingTotal"]),
        int(&order["total"])
    );
    for f in fulfilments {
        let lines = f["lines"].as_array().unwrap();
        for c in components {
            let sum: i64 = lines.iter().map(|l| int(&l[c])).sum();
            assert_eq!(
                sum,
                int(&f[c]),
                "fulfilment {c} is the sum of its lines: {f}"
            );
        }
        for line in lines {
            let (total, taxable) = (int(&line["total"]), int(&line["taxableValue"]));
            let tax =
                int(&line["cgst"]) + int(&line["sgst"]) + int(&line["utgst"]) + int(&line["igst"]);
            assert_eq!(taxable + tax, total, "{line}");
            let rate = int(&line["gstRateBp"]);
            let expected = if int(&line["igst"]) == 0 && rate > 0 {
                // Within a State or UT the two halves are equal, each the inclusive
                // amount × rate / (2 × (1 + rate)) rounded half up; the taxable value
                // is the rest.
                let half = (2 * total * rate + 2 * (10_000 + rate)) / (4 * (10_000 + rate));
                assert_eq!(int(&line["cgst"]), half, "{line}");
                assert_eq!(int(&line["sgst"]) + int(&line["utgst"]), half, "{line}");
                total - 2 * half
            } else {
                // Between States taxable value is the inclusive amount / (1 + rate),
                // rounded half up.
                (2 * total * 10_000 + (10_000 + rate)) / (2 * (10_000 + rate))
            };
            assert_eq!(taxable, expected, "{line}");
            if line["kind"] == "GOODS" {
                assert_eq!(
                    int(&line["unitPrice"]) * int(&line["quantity"]),
                    total,
                    "{line}"
                );
            }
        }
    }
}

fn assert_intra_ut(order: &Value) {
    for f in order["fulfilments"].as_array().unwrap() {
        for line in f["lines"].as_array().unwrap() {
            let (cgst, utgst) = (int(&line["cgst"]), int(&line["utgst"]));
            assert_eq!(int(&line["igst"]), 0, "{line}");
            assert_eq!(
                int(&line["sgst"]),
                0,
                "Ladakh levies UTGST, not SGST: {line}"
            );
            assert_eq!(utgst, cgst, "equal halves: {line}");
        }
    }
}

fn assert_inter_state(order: &Value) {
    for f in order["fulfilments"].as_array().unwrap() {
        for line in f["lines"].as_array().unwrap() {
            assert_eq!(
                int(&line["cgst"]) + int(&line["sgst"]) + int(&line["utgst"]),
                0,
                "{line}"
            );
            assert!(int(&line["igst"]) > 0, "{line}");
        }
    }
}

async fn anonymous_cart_merges_and_checkout_splits_per_cooperative(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let apricots = variant(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    let juice = variant(&server, "nubra-leh-berry-juice-500ml", "NLBJ-500").await;
    let apricot_stock = int(&apricots["stockOnHand"]);

    // A visitor fills a cart, then signs in: the cart follows.
    let first = add_to_cart(&server, None, None, &apricots["id"], 2).await;
    let cart_token = first["data"]["cartAddItem"]["cartToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = add_to_cart(&server, None, Some(&cart_token), &juice["id"], 1).await;
    assert!(
        second["data"]["cartAddItem"]["cartToken"].is_null(),
        "the same cart: {second}"
    );
    assert_eq!(second["data"]["cartAddItem"]["cart"]["itemCount"], 3);
    buyer_token(&server, "cart-buyer@example.org").await;
    let login = server
        .graphql(
            "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
            json!({ "i": { "email": "cart-buyer@example.org", "password": PASSWORD, "cartToken": cart_token } }),
        )
        .await;
    let buyer = login["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let cart = server
        .graphql_as(
            Some(&buyer),
            "{ cart { itemCount lines { quantity } } }",
            json!({}),
        )
        .await;
    assert_eq!(cart["data"]["cart"]["itemCount"], 3, "{cart}");
    let anonymous = server
        .graphql(
            "query($t: String) { cart(cartToken: $t) { itemCount } }",
            json!({ "t": cart_token }),
        )
        .await;
    assert_eq!(
        anonymous["data"]["cart"]["itemCount"], 0,
        "the anonymous cart is gone: {anonymous}"
    );

    // An address whose PIN is in another region is refused field by field.
    let bad = place_order(&server, &buyer, "k-bad", json!({ "name": "T", "phone": "12", "line1": "x", "city": "Leh", "pinCode": "600001", "stateCode": "38" }), "CASH_ON_DELIVERY", json!({})).await;
    let fields = error_fields(&bad, "placeOrder");
    assert!(
        fields.contains(&"input.address.pinCode".to_owned())
            && fields.contains(&"input.address.phone".to_owned()),
        "{bad}"
    );

    let placed = place_order(
        &server,
        &buyer,
        "checkout-1",
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let order = placed["data"]["placeOrder"]["order"].clone();
    assert_eq!(
        order["status"], "CONFIRMED",
        "cash on delivery is confirmed at once: {order}"
    );
    assert_eq!(placed["data"]["placeOrder"]["replayed"], false);
    let fulfilments = order["fulfilments"].as_array().unwrap();
    assert_eq!(
        fulfilments.len(),
        2,
        "one fulfilment per cooperative: {order}"
    );
    assert!(fulfilments.iter().all(|f| f["status"] == "CONFIRMED"));
    assert!(
        fulfilments.iter().all(|f| f["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["kind"] == "SHIPPING")),
        "each parcel pays shipping"
    );
    assert_reconciles(&order);
    assert_intra_ut(&order);
    assert_eq!(
        int(&order["goodsTotal"]),
        2 * int(&apricots["price"]["amount"]) + int(&juice["price"]["amount"])
    );
    assert_eq!(
        stock(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await,
        apricot_stock - 2,
        "stock is reserved"
    );
    assert_eq!(order["history"][0]["toStatus"], "CONFIRMED");
    assert_eq!(order["history"][0]["actorRole"], "BUYER");

    // The same key and cart: the same order. The same key with another cart: CONFLICT.
    let again = place_order(
        &server,
        &buyer,
        "checkout-1",
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    assert_eq!(
        again["data"]["placeOrder"]["order"]["id"], order["id"],
        "{again}"
    );
    assert_eq!(again["data"]["placeOrder"]["replayed"], true);
    assert_eq!(
        stock(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await,
        apricot_stock - 2,
        "reserved once"
    );
    add_to_cart(&server, Some(&buyer), None, &juice["id"], 1).await;
    let reused = place_order(
        &server,
        &buyer,
        "checkout-1",
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    assert_eq!(error_code(&reused), Some("CONFLICT"), "{reused}");

    // Delhi: inter-State, IGST only; bank transfer waits for payment with a deadline.
    let delhi_order = place_order(
        &server,
        &buyer,
        "checkout-2",
        delhi(),
        "BANK_TRANSFER",
        json!({}),
    )
    .await;
    let delhi_order = delhi_order["data"]["placeOrder"]["order"].clone();
    assert_eq!(delhi_order["status"], "PENDING_PAYMENT", "{delhi_order}");
    assert!(delhi_order["reservationExpiresAt"].is_string());
    assert_reconciles(&delhi_order);
    assert_inter_state(&delhi_order);

    let mine = server
        .graphql_as(
            Some(&buyer),
            "{ myOrders(first: 10) { totalCount nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(mine["data"]["myOrders"]["totalCount"], 2, "{mine}");
    let other = buyer_token(&server, "other-buyer@example.org").await;
    let peek = server
        .graphql_as(
            Some(&other),
            "query($id: ID!) { order(id: $id) { id } }",
            json!({ "id": order["id"] }),
        )
        .await;
    assert_eq!(error_code(&peek), Some("NOT_FOUND"), "{peek}");
    let empty = place_order(
        &server,
        &other,
        "nothing",
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    assert_eq!(
        error_fields(&empty, "placeOrder"),
        ["input.cart"],
        "{empty}"
    );
    Ok(())
}

async fn changed_prices_and_short_stock_are_reported_not_applied(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let buyer = buyer_token(&server, "price-buyer@example.org").await;
    let small = variant(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-250").await;
    let price = int(&small["price"]["amount"]);
    add_to_cart(&server, Some(&buyer), None, &small["id"], 2).await;
    let updated = server
        .graphql_as(
            Some(&admin),
            "mutation($i: VariantUpdateInput!) { variantUpdate(input: $i) { errors { message } } }",
            json!({ "i": { "id": small["id"], "price": price - 500 } }),
        )
        .await;
    assert!(
        user_errors(&updated, "variantUpdate").is_empty(),
        "{updated}"
    );
    let refused = place_order(
        &server,
        &buyer,
        "price-1",
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    let errors = user_errors(&refused, "placeOrder");
    assert_eq!(errors.len(), 1, "{refused}");
    assert_eq!(errors[0]["code"], "PRICE_CHANGED");
    assert_eq!(errors[0]["field"], json!(["input", "cart", "lines", "0"]));
    assert!(refused["data"]["placeOrder"]["order"].is_null());
    // Having been told, the buyer places the order at the new price.
    let placed = place_order(
        &server,
        &buyer,
        "price-2",
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    let lines = &placed["data"]["placeOrder"]["order"]["fulfilments"][0]["lines"];
    assert_eq!(int(&lines[0]["unitPrice"]), price - 500, "{placed}");

    // More than there is: refused when added, and at checkout if stock fell meanwhile.
    let stock_now = int(&small["stockOnHand"]) - 2;
    let too_many = add_to_cart(&server, Some(&buyer), None, &small["id"], stock_now + 1).await;
    assert_eq!(
        user_errors(&too_many, "cartAddItem")[0]["code"],
        "OUT_OF_STOCK",
        "{too_many}"
    );
    add_to_cart(&server, Some(&buyer), None, &small["id"], 3).await;
    let current = stock(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-250").await;
    server
        .graphql_as(Some(&admin), "mutation($i: StockAdjustInput!) { stockAdjust(input: $i) { errors { message } } }",
            json!({ "i": { "variantId": small["id"], "delta": -(current - 1), "reason": "DAMAGED" } }))
        .await;
    let short = place_order(
        &server,
        &buyer,
        "price-3",
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    assert_eq!(
        user_errors(&short, "placeOrder")[0]["code"],
        "OUT_OF_STOCK",
        "{short}"
    );
    assert_eq!(
        stock(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-250").await,
        1,
        "nothing reserved"
    );
    Ok(())
}

async fn fulfilment_moves_only_as_the_state_machine_allows(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let nubra = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let staff = staff_token(&server, &admin, &sham, "STAFF").await;
    let manager = staff_token(&server, &admin, &sham, "MANAGER").await;
    let other_staff = staff_token(&server, &admin, &nubra, "STAFF").await;
    let buyer = buyer_token(&server, "fsm-buyer@example.org").await;
    let apricots = variant(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-1000").await;
    add_to_cart(&server, Some(&buyer), None, &apricots["id"], 1).await;
    let placed = place_order(
        &server,
        &buyer,
        "fsm-1",
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    let order_id = placed["data"]["placeOrder"]["order"]["id"].clone();
    let fulfilment = placed["data"]["placeOrder"]["order"]["fulfilments"][0]["id"].clone();
    let f = json!({ "fulfilmentId": fulfilment });
    let ship = json!({ "fulfilmentId": fulfilment, "carrier": "India Post", "trackingNumber": "EL123456789IN" });

    let code = |body: &Value| error_code(body).map(str::to_owned);
    assert_eq!(
        code(&transition(&server, &buyer, "fulfilmentPack", f.clone()).await).as_deref(),
        Some("FORBIDDEN")
    );
    assert_eq!(
        code(&transition(&server, &other_staff, "fulfilmentPack", f.clone()).await).as_deref(),
        Some("FORBIDDEN")
    );
    assert_eq!(
        code(&transition(&server, &staff, "fulfilmentShip", ship.clone()).await).as_deref(),
        Some("CONFLICT"),
        "ship before pack"
    );
    assert_eq!(
        code(&transition(&server, &staff, "fulfilmentDeliver", f.clone()).await).as_deref(),
        Some("CONFLICT")
    );
    let packed = transition(&server, &staff, "fulfilmentPack", f.clone()).await;
    assert_eq!(
        packed["data"]["fulfilmentPack"]["order"]["fulfilments"][0]["status"], "PACKED",
        "{packed}"
    );
    assert_eq!(
        code(&transition(&server, &staff, "fulfilmentPack", f.clone()).await).as_deref(),
        Some("CONFLICT"),
        "pack twice"
    );
    let buyer_cancel = transition(
        &server,
        &buyer,
        "orderCancel",
        json!({ "orderId": order_id, "reason": "changed my mind" }),
    )
    .await;
    assert_eq!(
        code(&buyer_cancel).as_deref(),
        Some("CONFLICT"),
        "buyers cancel only before packing: {buyer_cancel}"
    );
    let no_carrier = transition(
        &server,
        &staff,
        "fulfilmentShip",
        json!({ "fulfilmentId": fulfilment, "carrier": " ", "trackingNumber": "" }),
    )
    .await;
    assert_eq!(
        error_fields(&no_carrier, "fulfilmentShip"),
        ["input.carrier", "input.trackingNumber"],
        "{no_carrier}"
    );
    let shipped = transition(&server, &staff, "fulfilmentShip", ship.clone()).await;
    let shipped_f = &shipped["data"]["fulfilmentShip"]["order"]["fulfilments"][0];
    assert_eq!(shipped_f["status"], "SHIPPED", "{shipped}");
    let invoice_number = shipped_f["invoiceNumber"].as_str().unwrap().to_owned();
    assert!(invoice_number.len() <= 16, "{invoice_number}");
    let parts: Vec<&str> = invoice_number.split('/').collect();
    assert_eq!(parts.len(), 3, "{invoice_number}");
    assert!(parts[0].len() == 4 && parts[0].chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(
        parts[2], "000001",
        "the cooperative's first invoice of the year"
    );
    assert!(
        int(&shipped_f["tcs"]) > 0,
        "TCS recorded on invoicing: {shipped_f}"
    );
    assert_eq!(
        code(
            &transition(
                &server,
                &admin,
                "orderCancel",
                json!({ "orderId": order_id, "reason": "late" })
            )
            .await
        )
        .as_deref(),
        Some("CONFLICT"),
        "no cancelling after shipping"
    );
    assert_eq!(
        code(&transition(&server, &buyer, "fulfilmentAccept", f.clone()).await).as_deref(),
        Some("FORBIDDEN"),
        "acceptance is an institution's"
    );
    let delivered = transition(&server, &staff, "fulfilmentDeliver", f.clone()).await;
    assert_eq!(
        delivered["data"]["fulfilmentDeliver"]["order"]["fulfilments"][0]["status"],
        "DELIVERED"
    );
    assert_eq!(
        code(&transition(&server, &staff, "fulfilmentDeliver", f.clone()).await).as_deref(),
        Some("CONFLICT")
    );
    assert_eq!(
        code(&transition(&server, &staff, "fulfilmentPack", f.clone()).await).as_deref(),
        Some("CONFLICT")
    );

    // Payment on delivery, confirmed by the cooperative's manager, not its staff.
    let total = int(&delivered["data"]["fulfilmentDeliver"]["order"]["total"]);
    let pay = json!({ "orderId": order_id, "amountPaise": total, "reference": "COD receipt 17" });
    assert_eq!(
        code(&transition(&server, &staff, "paymentMarkReceived", pay.clone()).await).as_deref(),
        Some("FORBIDDEN")
    );
    assert_eq!(
        code(&transition(&server, &buyer, "paymentMarkReceived", pay.clone()).await).as_deref(),
        Some("FORBIDDEN")
    );
    let wrong = transition(
        &server,
        &manager,
        "paymentMarkReceived",
        json!({ "orderId": order_id, "amountPaise": total - 1, "reference": "x" }),
    )
    .await;
    assert_eq!(
        error_fields(&wrong, "paymentMarkReceived"),
        ["input.amountPaise"],
        "{wrong}"
    );
    let paid = transition(&server, &manager, "paymentMarkReceived", pay.clone()).await;
    assert_eq!(
        paid["data"]["paymentMarkReceived"]["order"]["status"], "PAID",
        "{paid}"
    );
    assert_eq!(
        code(&transition(&server, &manager, "paymentMarkReceived", pay).await).as_deref(),
        Some("CONFLICT")
    );

    // The history is complete and in order.
    let history = order(&server, &buyer, &order_id).await["history"].clone();
    let steps: Vec<String> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            format!(
                "{}>{}",
                h["fromStatus"].as_str().unwrap_or("-"),
                h["toStatus"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            "->CONFIRMED",
            "->CONFIRMED",
            "CONFIRMED>PACKED",
            "PACKED>SHIPPED",
            "SHIPPED>DELIVERED",
            "CONFIRMED>PAID"
        ],
        "{history}"
    );

    // The invoice, for the buyer and the cooperative, with the mandatory fields.
    let url = server.url(&format!("/invoices/{}", fulfilment.as_str().unwrap()));
    let html = server.client.get(&url).bearer_auth(&buyer).send().await?;
    assert_eq!(html.status(), 200);
    assert!(
        html.headers()["content-type"]
            .to_str()?
            .starts_with("text/html")
    );
    let html = html.text().await?;
    assert_document_adds_up(&html);
    for needle in [
        invoice_number.as_str(),
        "38AAAAS1234A1Z3",
        "Place of supply",
        "Ladakh (State code 38)",
        "reverse charge: No",
        "HSN",
        "UTGST",
        "Authorised signatory",
        "Tsering Dolma",
    ] {
        assert!(html.contains(needle), "invoice lacks {needle}: {html}");
    }
    assert_eq!(
        server
            .client
            .get(&url)
            .bearer_auth(&staff)
            .send()
            .await?
            .status(),
        200
    );
    assert_eq!(
        server
            .client
            .get(&url)
            .bearer_auth(&other_staff)
            .send()
            .await?
            .status(),
        404
    );
    assert_eq!(server.client.get(&url).send().await?.status(), 401);
    let stranger = buyer_token(&server, "stranger@example.org").await;
    assert_eq!(
        server
            .client
            .get(&url)
            .bearer_auth(&stranger)
            .send()
            .await?
            .status(),
        404
    );

    // A second shipment gets the next number in the series.
    add_to_cart(&server, Some(&buyer), None, &apricots["id"], 1).await;
    let second = place_order(
        &server,
        &buyer,
        "fsm-2",
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    let second_f = second["data"]["placeOrder"]["order"]["fulfilments"][0]["id"].clone();
    transition(
        &server,
        &staff,
        "fulfilmentPack",
        json!({ "fulfilmentId": second_f }),
    )
    .await;
    let shipped2 = transition(
        &server,
        &staff,
        "fulfilmentShip",
        json!({ "fulfilmentId": second_f, "carrier": "DTDC", "trackingNumber": "D1" }),
    )
    .await;
    let number2 = shipped2["data"]["fulfilmentShip"]["order"]["fulfilments"][0]["invoiceNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(number2, format!("{}/{}/000002", parts[0], parts[1]));

    // The settlement statement adds up.
    let today = chrono::Utc::now().date_naive();
    let statement = server
        .graphql_as(Some(&manager), "query($c: ID!, $f: NaiveDate!, $t: NaiveDate!) { settlementStatement(cooperativeId: $c, from: $f, to: $t) { invoices grossSales gst tcs refunds netPayable } }",
            json!({ "c": sham, "f": (today - chrono::Duration::days(1)).to_string(), "t": (today + chrono::Duration::days(1)).to_string() }))
        .await;
    let s = &statement["data"]["settlementStatement"];
    assert_eq!(s["invoices"], 2, "{statement}");
    assert_eq!(
        int(&s["netPayable"]),
        int(&s["grossSales"]) - int(&s["tcs"]) - int(&s["refunds"])
    );
    let foreign = server
        .graphql_as(Some(&other_staff), "query($c: ID!) { settlementStatement(cooperativeId: $c, from: \"2026-04-01\", to: \"2027-03-31\") { invoices } }", json!({ "c": sham }))
        .await;
    assert_eq!(error_code(&foreign), Some("FORBIDDEN"));
    let theirs = server
        .graphql_as(Some(&staff), "query($c: ID!) { cooperativeOrders(cooperativeId: $c, first: 10) { totalCount nodes { fulfilments { cooperative { slug } } } } }", json!({ "c": sham }))
        .await;
    assert_eq!(
        theirs["data"]["cooperativeOrders"]["totalCount"], 2,
        "{theirs}"
    );
    Ok(())
}

async fn cancellation_and_expiry_give_stock_back(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(
        backend,
        ServerOptions::seeded()
            .env("RESERVATION_TTL_SECS", "2")
            .env("ORDER_SWEEP_MS", "200"),
    )
    .await?;
    let buyer = buyer_token(&server, "expiry-buyer@example.org").await;
    let juice = variant(&server, "nubra-leh-berry-juice-500ml", "NLBJ-1000").await;
    let before = int(&juice["stockOnHand"]);
    add_to_cart(&server, Some(&buyer), None, &juice["id"], 3).await;
    let placed = place_order(
        &server,
        &buyer,
        "expire-1",
        delhi(),
        "BANK_TRANSFER",
        json!({}),
    )
    .await;
    let order_id = placed["data"]["placeOrder"]["order"]["id"].clone();
    assert_eq!(
        stock(&server, "nubra-leh-berry-juice-500ml", "NLBJ-1000").await,
        before - 3
    );
    // The reservation runs out; the next sweep releases it.
    clock_passes(time_of(
        &placed["data"]["placeOrder"]["order"]["reservationExpiresAt"],
    ))
    .await;
    server.drain().await;
    let expired = order(&server, &buyer, &order_id).await;
    assert_eq!(
        expired["status"], "CANCELLED",
        "the sweeper released it: {expired}"
    );
    assert_eq!(expired["fulfilments"][0]["status"], "CANCELLED");
    let last = expired["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["actorRole"], "SYSTEM");
    assert!(
        last["reason"]
            .as_str()
            .unwrap()
            .contains("reservation expired"),
        "{last}"
    );
    assert_eq!(
        stock(&server, "nubra-leh-berry-juice-500ml", "NLBJ-1000").await,
        before,
        "stock came back once"
    );
    let late = server
        .graphql_as(
            Some(&buyer),
            "mutation($i: OrderCancelInput!) { orderCancel(input: $i) { errors { code } } }",
            json!({ "i": { "orderId": order_id, "reason": "too late" } }),
        )
        .await;
    assert_eq!(error_code(&late), Some("CONFLICT"), "{late}");

    // A buyer's cancellation before packing returns the stock too.
    add_to_cart(&server, Some(&buyer), None, &juice["id"], 2).await;
    let placed = place_order(
        &server,
        &buyer,
        "cancel-1",
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    let order_id = placed["data"]["placeOrder"]["order"]["id"].clone();
    assert_eq!(
        stock(&server, "nubra-leh-berry-juice-500ml", "NLBJ-1000").await,
        before - 2
    );
    let cancelled = transition(
        &server,
        &buyer,
        "orderCancel",
        json!({ "orderId": order_id, "reason": "ordered twice" }),
    )
    .await;
    assert_eq!(
        cancelled["data"]["orderCancel"]["order"]["status"], "CANCELLED",
        "{cancelled}"
    );
    assert_eq!(
        stock(&server, "nubra-leh-berry-juice-500ml", "NLBJ-1000").await,
        before
    );
    Ok(())
}

fn stripe_options(fake: &FakeStripe) -> ServerOptions {
    ServerOptions::seeded()
        .env("STRIPE_SECRET_KEY", stripe_fake::SECRET_KEY)
        .env("STRIPE_WEBHOOK_SECRET", stripe_fake::WEBHOOK_SECRET)
        .env("STRIPE_API_BASE", &fake.base_url)
        .env("STRIPE_TIMEOUT_SECS", "2")
}

async fn post_webhook(
    server: &TestServer,
    signature: Option<String>,
    payload: &str,
) -> reqwest::StatusCode {
    let mut request = server
        .client
        .post(server.url("/webhooks/stripe"))
        .header("Content-Type", "application/json")
        .body(payload.to_owned());
    if let Some(signature) = signature {
        request = request.header("Stripe-Signature", signature);
    }
    request.send().await.unwrap().status()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

async fn stripe_order(
    server: &TestServer,
    fake: &FakeStripe,
    buyer: &str,
    key: &str,
) -> (Value, String) {
    let apricots = variant(server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    add_to_cart(server, Some(buyer), None, &apricots["id"], 1).await;
    let placed = place_order(server, buyer, key, leh(), "STRIPE", json!({})).await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let order = placed["data"]["placeOrder"]["order"].clone();
    let secret = order["stripeClientSecret"]
        .as_str()
        .unwrap_or_else(|| panic!("{placed}"));
    let intent = secret.split("_secret").next().unwrap().to_owned();
    assert!(fake.intent(&intent).is_some());
    (order, intent)
}

async fn stripe_payments_are_verified_idempotent_and_refundable(
    backend: Backend,
) -> anyhow::Result<()> {
    let fake = FakeStripe::start().await?;
    let server = TestServer::spawn(backend, stripe_options(&fake)).await?;
    let admin = admin_token(&server).await;
    let buyer = buyer_token(&server, "card-buyer@example.org").await;
    let (placed, intent_id) = stripe_order(&server, &fake, &buyer, "card-1").await;
    assert_eq!(placed["status"], "PENDING_PAYMENT");
    let total = int(&placed["total"]);

    // The PaymentIntent was created as Stripe expects it.
    let create = fake
        .requests()
        .into_iter()
        .find(|r| r.path == "/v1/payment_intents")
        .unwrap();
    assert_eq!(create.method, "POST");
    assert!(
        create
            .idempotency_key
            .as_deref()
            .unwrap()
            .starts_with("order-")
    );
    assert!(
        create.body.contains(&format!("amount={total}")) && create.body.contains("currency=inr"),
        "{}",
        create.body
    );
    assert!(
        create.body.contains(&format!(
            "metadata[order_id]={}",
            placed["id"].as_str().unwrap()
        )),
        "{}",
        create.body
    );

    // Placing again with the same key creates no second intent.
    let replay = place_order(&server, &buyer, "card-1", leh(), "STRIPE", json!({})).await;
    assert_eq!(replay["data"]["placeOrder"]["order"]["id"], placed["id"]);
    assert_eq!(
        fake.requests()
            .iter()
            .filter(|r| r.path == "/v1/payment_intents")
            .count(),
        1
    );

    fake.set_intent(&intent_id, "succeeded", total);
    let intent = fake.intent(&intent_id).unwrap();
    let payload = stripe_fake::intent_event("evt_paid_1", "payment_intent.succeeded", &intent);
    let good = stripe_fake::signature(stripe_fake::WEBHOOK_SECRET, now(), &payload);

    // Refused: no header, a tampered body, a stale timestamp, the wrong secret.
    assert_eq!(post_webhook(&server, None, &payload).await, 400);
    assert_eq!(
        post_webhook(
            &server,
            Some(good.clone()),
            &payload.replace("succeeded", "succeeded ")
        )
        .await,
        400
    );
    let stale = stripe_fake::signature(stripe_fake::WEBHOOK_SECRET, now() - 3600, &payload);
    assert_eq!(post_webhook(&server, Some(stale), &payload).await, 400);
    let wrong = stripe_fake::signature("whsec_someone_else", now(), &payload);
    assert_eq!(post_webhook(&server, Some(wrong), &payload).await, 400);
    assert_eq!(
        order(&server, &buyer, &placed["id"]).await["status"],
        "PENDING_PAYMENT",
        "nothing was trusted"
    );

    // Several v1 signatures (a secret being rolled): one matching is enough.
    let t = now();
    let rolled = format!(
        "{},v1={}",
        stripe_fake::signature("whsec_old_secret", t, &payload),
        stripe_fake::signature(stripe_fake::WEBHOOK_SECRET, t, &payload)
            .split("v1=")
            .nth(1)
            .unwrap()
    );
    assert_eq!(post_webhook(&server, Some(rolled), &payload).await, 200);
    let paid = order(&server, &buyer, &placed["id"]).await;
    assert_eq!(paid["status"], "PAID", "{paid}");
    assert_eq!(paid["fulfilments"][0]["status"], "PAID");
    assert!(paid["stripeClientSecret"].is_null(), "no secret once paid");
    let history_len = paid["history"].as_array().unwrap().len();

    // A duplicate delivery and a late failure event change nothing.
    assert_eq!(post_webhook(&server, Some(good), &payload).await, 200);
    let failed =
        stripe_fake::intent_event("evt_failed_0", "payment_intent.payment_failed", &intent);
    assert_eq!(
        post_webhook(
            &server,
            Some(stripe_fake::signature(
                stripe_fake::WEBHOOK_SECRET,
                now(),
                &failed
            )),
            &failed
        )
        .await,
        200
    );
    let still = order(&server, &buyer, &placed["id"]).await;
    assert_eq!(still["status"], "PAID");
    assert_eq!(
        still["history"].as_array().unwrap().len(),
        history_len,
        "{still}"
    );

    // A refund goes to Stripe once, whatever the retries.
    let fulfilment = paid["fulfilments"][0]["id"].clone();
    let refund = |amount: i64, key: &str| json!({ "i": { "orderId": placed["id"], "fulfilmentId": fulfilment, "amountPaise": amount, "reason": "damaged in transit", "idempotencyKey": key } });
    let query = "mutation($i: OrderRefundInput!) { orderRefund(input: $i) { refund { id status amount providerReference } order { status refunded } errors { field code message } } }";
    let denied = server
        .graphql_as(Some(&buyer), query, refund(1000, "r1"))
        .await;
    assert_eq!(error_code(&denied), Some("FORBIDDEN"), "{denied}");
    let first = server
        .graphql_as(Some(&admin), query, refund(1000, "r1"))
        .await;
    assert_eq!(
        first["data"]["orderRefund"]["refund"]["status"], "SUCCEEDED",
        "{first}"
    );
    assert_eq!(
        first["data"]["orderRefund"]["order"]["status"],
        "PARTIALLY_REFUNDED"
    );
    let repeat = server
        .graphql_as(Some(&admin), query, refund(1000, "r1"))
        .await;
    assert_eq!(
        repeat["data"]["orderRefund"]["refund"]["id"],
        first["data"]["orderRefund"]["refund"]["id"]
    );
    assert_eq!(fake.refunded(&intent_id), 1000, "refunded once");
    let refund_call = fake
        .requests()
        .into_iter()
        .find(|r| r.path == "/v1/refunds")
        .unwrap();
    assert!(
        refund_call.idempotency_key.is_some() && refund_call.body.contains("amount=1000"),
        "{refund_call:?}"
    );
    let too_much = server
        .graphql_as(Some(&admin), query, refund(total, "r2"))
        .await;
    assert_eq!(
        error_fields(&too_much, "orderRefund"),
        ["input.amountPaise"],
        "{too_much}"
    );
    let reused = server
        .graphql_as(Some(&admin), query, refund(5, "r1"))
        .await;
    assert_eq!(error_code(&reused), Some("CONFLICT"), "{reused}");
    let rest = server
        .graphql_as(Some(&admin), query, refund(total - 1000, "r3"))
        .await;
    assert_eq!(
        rest["data"]["orderRefund"]["order"]["status"], "REFUNDED",
        "{rest}"
    );
    assert_eq!(fake.refunded(&intent_id), total);

    // A refund made in Stripe's dashboard shows up as an issue to resolve.
    let charge = json!({ "id": "evt_charge_1", "object": "event", "type": "charge.refunded",
        "data": { "object": { "id": "ch_1", "object": "charge", "payment_intent": intent_id, "amount_refunded": total + 100, "currency": "inr", "refunds": { "data": [] } } } })
        .to_string();
    assert_eq!(
        post_webhook(
            &server,
            Some(stripe_fake::signature(
                stripe_fake::WEBHOOK_SECRET,
                now(),
                &charge
            )),
            &charge
        )
        .await,
        200
    );
    let flagged = order(&server, &admin, &placed["id"]).await;
    assert!(
        flagged["paymentIssue"]
            .as_str()
            .unwrap_or_default()
            .contains("outside"),
        "{flagged}"
    );

    // An amount that does not match is flagged, not trusted.
    let (second, second_intent) = stripe_order(&server, &fake, &buyer, "card-2").await;
    fake.set_intent(&second_intent, "succeeded", int(&second["total"]) - 1);
    let short = stripe_fake::intent_event(
        "evt_short_1",
        "payment_intent.succeeded",
        &fake.intent(&second_intent).unwrap(),
    );
    assert_eq!(
        post_webhook(
            &server,
            Some(stripe_fake::signature(
                stripe_fake::WEBHOOK_SECRET,
                now(),
                &short
            )),
            &short
        )
        .await,
        200
    );
    let mismatch = order(&server, &buyer, &second["id"]).await;
    assert_eq!(mismatch["status"], "PENDING_PAYMENT", "{mismatch}");
    assert!(
        mismatch["paymentIssue"]
            .as_str()
            .unwrap_or_default()
            .contains("does not match")
    );

    // Stripe down at checkout: the order exists, the buyer is told, and placing it again
    // with the same key starts the payment.
    let apricots = variant(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    add_to_cart(&server, Some(&buyer), None, &apricots["id"], 1).await;
    fake.fail_next(500, 1);
    let down = place_order(&server, &buyer, "card-down", leh(), "STRIPE", json!({})).await;
    let errors = user_errors(&down, "placeOrder");
    assert_eq!(errors[0]["code"], "PAYMENT_PROVIDER_UNAVAILABLE", "{down}");
    let pending_order = down["data"]["placeOrder"]["order"].clone();
    assert!(pending_order["stripeClientSecret"].is_null());
    let again = place_order(&server, &buyer, "card-down", leh(), "STRIPE", json!({})).await;
    assert_eq!(
        again["data"]["placeOrder"]["order"]["id"],
        pending_order["id"]
    );
    assert!(
        again["data"]["placeOrder"]["order"]["stripeClientSecret"].is_string(),
        "{again}"
    );

    // A failed payment releases the stock.
    let (third, third_intent) = stripe_order(&server, &fake, &buyer, "card-3").await;
    let before = stock(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    let fail = stripe_fake::intent_event(
        "evt_fail_3",
        "payment_intent.payment_failed",
        &fake.intent(&third_intent).unwrap(),
    );
    assert_eq!(
        post_webhook(
            &server,
            Some(stripe_fake::signature(
                stripe_fake::WEBHOOK_SECRET,
                now(),
                &fail
            )),
            &fail
        )
        .await,
        200
    );
    assert_eq!(
        order(&server, &buyer, &third["id"]).await["status"],
        "CANCELLED"
    );
    assert_eq!(
        stock(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await,
        before + 1
    );
    fake.stop().await;
    Ok(())
}

async fn an_unanswered_payment_is_reconciled_before_release(
    backend: Backend,
) -> anyhow::Result<()> {
    let fake = FakeStripe::start().await?;
    let server = TestServer::spawn(
        backend,
        stripe_options(&fake)
            .env("RESERVATION_TTL_SECS", "2")
            .env("ORDER_SWEEP_MS", "200"),
    )
    .await?;
    let buyer = buyer_token(&server, "quiet-buyer@example.org").await;
    let (paid, paid_intent) = stripe_order(&server, &fake, &buyer, "quiet-1").await;
    let (unpaid, _) = stripe_order(&server, &fake, &buyer, "quiet-2").await;
    // The buyer paid, but the webhook never comes; Stripe is briefly down.
    fake.set_intent(&paid_intent, "succeeded", int(&paid["total"]));
    fake.fail_next(500, 3);
    clock_passes(
        time_of(&paid["reservationExpiresAt"]).max(time_of(&unpaid["reservationExpiresAt"])),
    )
    .await;
    // Each sweep that finds Stripe down defers the orders; a later one settles them.
    let mut states = (Value::Null, Value::Null);
    for _ in 0..10 {
        server.drain().await;
        states = (
            order(&server, &buyer, &paid["id"]).await,
            order(&server, &buyer, &unpaid["id"]).await,
        );
        if states.0["status"] != "PENDING_PAYMENT" && states.1["status"] != "PENDING_PAYMENT" {
            break;
        }
    }
    assert_eq!(
        states.0["status"], "PAID",
        "asked Stripe instead of cancelling: {}",
        states.0
    );
    assert_eq!(states.1["status"], "CANCELLED", "{}", states.1);
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.method == "GET" && r.path.ends_with(&paid_intent))
    );
    fake.stop().await;
    Ok(())
}

async fn institutional_order_from_po_to_acceptance(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let nubra = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let staff = staff_token(&server, &admin, &nubra, "STAFF").await;
    let organisation = server
        .graphql_as(Some(&admin), "mutation { buyerOrganisationCreate(input: { name: \"Directorate of Health Services\", kind: \"DEPARTMENT\" }) { buyerOrganisation { id } } }", json!({}))
        .await;
    server
        .graphql_as(Some(&admin), "mutation($i: UserCreateInput!) { userCreate(input: $i) { errors { code } } }",
            json!({ "i": { "email": "po@dhs.example.org", "password": PASSWORD, "name": "Procurement", "role": "INSTITUTION",
                     "buyerOrganisationId": organisation["data"]["buyerOrganisationCreate"]["buyerOrganisation"]["id"] } }))
        .await;
    let institution = login(&server, "po@dhs.example.org").await;
    let bulk = variant(
        &server,
        "nubra-sea-buckthorn-juice-10l-institutional",
        "NSBJ-10L",
    )
    .await;
    let moq = int(&bulk["minOrderQuantity"]);
    assert!(moq >= 2);

    let consignee = |name: &str, address: Value, quantity: i64| json!({ "name": name, "address": address, "items": [{ "variantId": bulk["id"], "quantity": quantity }] });
    let terms = |consignees: Value, days: i64| json!({ "institutional": { "gemContractNumber": "GEMC-511687712345678", "paymentTermsDays": days, "consignees": consignees } });

    // Below the minimum order quantity.
    add_to_cart(&server, Some(&institution), None, &bulk["id"], moq - 1).await;
    let below = place_order(
        &server,
        &institution,
        "po-0",
        leh(),
        "PURCHASE_ORDER",
        terms(
            json!([consignee("District Hospital Leh", leh(), moq - 1)]),
            0,
        ),
    )
    .await;
    assert_eq!(
        user_errors(&below, "placeOrder")[0]["code"],
        "OUT_OF_RANGE",
        "{below}"
    );
    // Consignee quantities must add up to the cart's.
    server
        .graphql_as(
            Some(&institution),
            "mutation($i: CartUpdateItemInput!) { cartUpdateItem(input: $i) { errors { code } } }",
            json!({ "i": { "variantId": bulk["id"], "quantity": 2 * moq } }),
        )
        .await;
    let uneven = place_order(
        &server,
        &institution,
        "po-1",
        leh(),
        "PURCHASE_ORDER",
        terms(json!([consignee("District Hospital Leh", leh(), moq)]), 0),
    )
    .await;
    assert_eq!(
        error_fields(&uneven, "placeOrder"),
        ["input.cart.lines.0"],
        "{uneven}"
    );
    // A retail buyer cannot use purchase orders or institutional terms.
    let buyer = buyer_token(&server, "retail@example.org").await;
    add_to_cart(&server, Some(&buyer), None, &bulk["id"], moq).await;
    let retail = place_order(
        &server,
        &buyer,
        "po-r",
        leh(),
        "PURCHASE_ORDER",
        terms(json!([consignee("Me", leh(), moq)]), 0),
    )
    .await;
    let fields = error_fields(&retail, "placeOrder");
    assert!(
        fields.contains(&"input.institutional".to_owned())
            && fields.contains(&"input.paymentMethod".to_owned()),
        "{retail}"
    );

    let placed = place_order(
        &server,
        &institution,
        "po-2",
        leh(),
        "PURCHASE_ORDER",
        terms(
            json!([
                consignee("District Hospital Leh", leh(), moq),
                consignee("CGHS Wellness Centre Delhi", delhi(), moq)
            ]),
            0,
        ),
    )
    .await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let order_v = placed["data"]["placeOrder"]["order"].clone();
    assert_eq!(order_v["kind"], "INSTITUTIONAL");
    assert_eq!(
        order_v["status"], "CONFIRMED",
        "purchase orders go out on credit terms"
    );
    assert_eq!(order_v["consignees"].as_array().unwrap().len(), 2);
    assert_reconciles(&order_v);
    // Each consignee's place of supply decides its tax: Leh intra-UT, Delhi IGST, each
    // on its own fulfilment (one document per place of supply).
    let fulfilments = order_v["fulfilments"].as_array().unwrap();
    assert_eq!(fulfilments.len(), 2, "{order_v}");
    let lines: Vec<&Value> = fulfilments
        .iter()
        .flat_map(|f| f["lines"].as_array().unwrap())
        .collect();
    let goods = |state: &str| {
        lines
            .iter()
            .find(|l| l["kind"] == "GOODS" && l["placeOfSupply"] == state)
            .copied()
            .cloned()
            .unwrap()
    };
    assert!(int(&goods("38")["utgst"]) > 0 && int(&goods("38")["igst"]) == 0);
    assert!(int(&goods("07")["igst"]) > 0 && int(&goods("07")["utgst"]) == 0);

    let f = json!({ "fulfilmentId": order_v["fulfilments"][0]["id"] });
    transition(&server, &staff, "fulfilmentPack", f.clone()).await;
    transition(&server, &staff, "fulfilmentShip", json!({ "fulfilmentId": f["fulfilmentId"], "carrier": "Blue Dart", "trackingNumber": "BD77" })).await;
    assert_eq!(
        error_code(&transition(&server, &institution, "fulfilmentAccept", f.clone()).await),
        Some("CONFLICT"),
        "not delivered yet"
    );
    transition(&server, &staff, "fulfilmentDeliver", f.clone()).await;
    assert_eq!(
        error_code(&transition(&server, &staff, "fulfilmentAccept", f.clone()).await),
        Some("FORBIDDEN"),
        "the consignee accepts, not the seller"
    );
    let accepted = transition(&server, &institution, "fulfilmentAccept", f.clone()).await;
    let accepted_f = &accepted["data"]["fulfilmentAccept"]["order"]["fulfilments"][0];
    assert_eq!(accepted_f["status"], "ACCEPTED", "{accepted}");
    assert!(accepted_f["paymentDueAt"].is_string());
    clock_passes(time_of(&accepted_f["paymentDueAt"])).await;
    let overdue = server
        .graphql_as(Some(&staff), "query($c: ID!) { cooperativeOrders(cooperativeId: $c, overdueOnly: true, first: 5) { totalCount nodes { id fulfilments { paymentOverdue } } } }", json!({ "c": nubra }))
        .await;
    assert_eq!(
        overdue["data"]["cooperativeOrders"]["totalCount"], 1,
        "{overdue}"
    );
    assert_eq!(
        overdue["data"]["cooperativeOrders"]["nodes"][0]["fulfilments"][0]["paymentOverdue"],
        true
    );
    let paid = transition(&server, &admin, "paymentMarkReceived", json!({ "orderId": order_v["id"], "amountPaise": int(&order_v["total"]), "reference": "PFMS 2026-11-0042" })).await;
    assert_eq!(
        paid["data"]["paymentMarkReceived"]["order"]["status"], "PAID",
        "{paid}"
    );
    let after = server
        .graphql_as(Some(&staff), "query($c: ID!) { cooperativeOrders(cooperativeId: $c, overdueOnly: true, first: 5) { totalCount } }", json!({ "c": nubra }))
        .await;
    assert_eq!(
        after["data"]["cooperativeOrders"]["totalCount"], 0,
        "{after}"
    );
    let theirs = server
        .graphql_as(
            Some(&institution),
            "{ myOrders(first: 5) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(theirs["data"]["myOrders"]["totalCount"], 1);
    Ok(())
}

/// Many buyers race for a few units, through two server processes on PostgreSQL (one
/// on SQLite, whose file admits one writer): exactly the units in stock are sold.
async fn buyers_racing_for_scarce_stock_never_oversell(backend: Backend) -> anyhow::Result<()> {
    let first = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let second = match backend {
        Backend::Postgres => {
            let shared = TestDatabase::attach(&first.database)?;
            Some(TestServer::spawn_on(shared, ServerOptions::default()).await?)
        }
        Backend::Sqlite => None,
    };
    let admin = admin_token(&first).await;
    let shawl = variant(
        &first,
        "changthangi-pashmina-shawl-natural-200x100",
        "CPS-200N",
    )
    .await;
    let current = int(&shawl["stockOnHand"]);
    let scarce = 5;
    first
        .graphql_as(Some(&admin), "mutation($i: StockAdjustInput!) { stockAdjust(input: $i) { errors { message } } }",
            json!({ "i": { "variantId": shawl["id"], "delta": scarce - current, "reason": "RECOUNT" } }))
        .await;
    let buyers = 16;
    let mut tokens = Vec::new();
    for n in 0..buyers {
        let server = if n % 2 == 1 {
            second.as_ref().unwrap_or(&first)
        } else {
            &first
        };
        let token = buyer_token(server, &format!("racer{n}@example.org")).await;
        let quantity = if n % 4 == 0 { 2 } else { 1 };
        let added = add_to_cart(server, Some(&token), None, &shawl["id"], quantity).await;
        assert!(user_errors(&added, "cartAddItem").is_empty(), "{added}");
        tokens.push((n, token, quantity));
    }
    let demand: i64 = tokens.iter().map(|t| t.2).sum();
    let mut tasks = Vec::new();
    for (n, token, quantity) in tokens {
        let base = if n % 2 == 1 {
            second.as_ref().unwrap_or(&first).base_url.clone()
        } else {
            first.base_url.clone()
        };
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let body: Value = client
                .post(format!("{base}/graphql"))
                .bearer_auth(token)
                .json(&json!({ "query": "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { order { id } errors { code } } }",
                                "variables": { "i": { "idempotencyKey": format!("race-{n}"), "shippingAddress": leh(), "paymentMethod": "CASH_ON_DELIVERY" } } }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            (quantity, body)
        }));
    }
    let mut sold = 0;
    for task in tasks {
        let (quantity, body) = task.await?;
        assert!(
            body.get("errors").is_none(),
            "no top-level errors under contention: {body}"
        );
        if body["data"]["placeOrder"]["order"]["id"].is_string() {
            sold += quantity;
        } else {
            assert_eq!(
                body["data"]["placeOrder"]["errors"][0]["code"], "OUT_OF_STOCK",
                "{body}"
            );
        }
    }
    let left = stock(
        &first,
        "changthangi-pashmina-shawl-natural-200x100",
        "CPS-200N",
    )
    .await;
    assert!(left >= 0);
    assert_eq!(sold + left, scarce, "every unit is sold or on the shelf");
    assert!(
        sold >= scarce.min(demand) - 1,
        "sold {sold} of {scarce}: the race must not starve buyers while units remain"
    );
    assert_eq!(
        left, 0,
        "demand ({demand}) exceeded stock, so the shelf is empty"
    );
    Ok(())
}

both_backends!(
    anonymous_cart_merges_and_checkout_splits_per_cooperative,
    changed_prices_and_short_stock_are_reported_not_applied,
    fulfilment_moves_only_as_the_state_machine_allows,
    cancellation_and_expiry_give_stock_back,
    stripe_payments_are_verified_idempotent_and_refundable,
    an_unanswered_payment_is_reconciled_before_release,
    institutional_order_from_po_to_acceptance,
    buyers_racing_for_scarce_stock_never_oversell,
);
