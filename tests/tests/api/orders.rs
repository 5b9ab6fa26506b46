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

pub fn int(v: &Value) -> i64 {
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

pub async fn stock(server: &TestServer, slug: &str, sku: &str) -> i64 {
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

pub fn delhi() -> Value {
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

pub async fn transition(server: &TestServer, token: &str, mutation: &str, input: Value) -> Value {
    let input_type = match mutation {
        "fulfilmentShip" => "FulfilmentShipInput",
        "orderCancel" => "OrderCancelInput",
        "paymentMarkReceived" => "PaymentMarkReceivedInput",
        "fulfilmentAccept" => "FulfilmentAcceptInput",
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
            if int(&line["igst"]) == 0 {
                // Within a State or UT the two halves are equal amounts (GSTR-1 and
                // e-invoice validation expect it); the hand-computed figures pin them.
                assert_eq!(
                    int(&line["cgst"]),
                    int(&line["sgst"]) + int(&line["utgst"]),
                    "{line}"
                );
            }
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

/// One line as the order shows it, written out by hand in the tests:
/// (kind, sku, quantity, rate in bp, total, taxable value, CGST, SGST, UTGST, IGST).
type PinnedLine = (
    &'static str,
    &'static str,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
);

/// A fulfilment's or an order's figures, written out by hand:
/// (total, goods, shipping, taxable value, CGST, SGST, UTGST, IGST).
type PinnedTotals = (i64, i64, i64, i64, i64, i64, i64, i64);

fn totals_of(v: &Value) -> PinnedTotals {
    (
        int(&v["total"]),
        int(&v["goodsTotal"]),
        int(&v["shippingTotal"]),
        int(&v["taxableValue"]),
        int(&v["cgst"]),
        int(&v["sgst"]),
        int(&v["utgst"]),
        int(&v["igst"]),
    )
}

/// The fulfilment of `cooperative` has exactly `lines`, in order, each shipped to
/// `place_of_supply`, and the figures `totals`.
fn assert_pinned_fulfilment(
    order: &Value,
    cooperative: &str,
    place_of_supply: &str,
    lines: &[PinnedLine],
    totals: PinnedTotals,
) {
    let fulfilment = order["fulfilments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["cooperative"]["slug"] == cooperative)
        .unwrap_or_else(|| panic!("no fulfilment of {cooperative}: {order}"));
    let actual: Vec<PinnedLine> = fulfilment["lines"]
        .as_array()
        .unwrap()
        .iter()
        .zip(lines)
        .map(|(line, pinned)| {
            assert_eq!(line["kind"], pinned.0, "{line}");
            assert_eq!(line["sku"], pinned.1, "{line}");
            assert_eq!(line["placeOfSupply"], place_of_supply, "{line}");
            (
                pinned.0,
                pinned.1,
                int(&line["quantity"]),
                int(&line["gstRateBp"]),
                int(&line["total"]),
                int(&line["taxableValue"]),
                int(&line["cgst"]),
                int(&line["sgst"]),
                int(&line["utgst"]),
                int(&line["igst"]),
            )
        })
        .collect();
    assert_eq!(
        fulfilment["lines"].as_array().unwrap().len(),
        lines.len(),
        "{fulfilment}"
    );
    assert_eq!(actual, lines, "{fulfilment}");
    assert_eq!(totals_of(fulfilment), totals, "{fulfilment}");
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
        fields.contains(&"input.shippingAddress.pinCode".to_owned())
            && fields.contains(&"input.shippingAddress.phone".to_owned()),
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
    // Leh to Leh: CGST + UTGST (Ladakh is a UT without a legislature), rates from
    // data/reference/gst_rates.json on today's date (after 22 Sep 2025), shipping from
    // data/reference/shipping_rates.json (zone LADAKH: Rs 40 for the first 500 g, Rs 20
    // for each started 500 g more). Within a State/UT, CGST and UTGST are equal halves:
    // each = amount × rate / (2 × (100 + rate)), rounded half up, and the taxable value is
    // the rest (docs/ORDERS.md); between States the taxable value = amount × 100 /
    // (100 + rate), rounded half up, and IGST is the rest.
    //
    // Sham: 2 × RKDA-500 at Rs 360, HSN 08131000 (prefix 0813, 5%): 72000 paise;
    //   each half 72000 × 5 / 210 = 1714.29 → 1714; taxable 72000 − 3428 = 68572.
    //   Parcel 2 × 520 g = 1040 g: 4000 + 2 started slabs × 2000 = 8000, taxed like its
    //   principal supply (the apricots, 5%): each half 8000 × 5 / 210 = 190.48 → 190;
    //   taxable 8000 − 380 = 7620.
    //   Fulfilment: 72000 + 8000 = 80000; taxable 68572 + 7620 = 76192;
    //   CGST 1714 + 190 = 1904; UTGST 1714 + 190 = 1904.
    assert_pinned_fulfilment(
        &order,
        "sham-apricot-growers-demo",
        "38",
        &[
            (
                "GOODS", "RKDA-500", 2, 500, 72_000, 68_572, 1_714, 0, 1_714, 0,
            ),
            ("SHIPPING", "SHIPPING", 1, 500, 8_000, 7_620, 190, 0, 190, 0),
        ],
        (80_000, 72_000, 8_000, 76_192, 1_904, 0, 1_904, 0),
    );
    // Nubra: 1 × NLBJ-500 at Rs 320, HSN 200989 (prefix 2009, 5%):
    //   each half 32000 × 5 / 210 = 761.90 → 762; taxable 32000 − 1524 = 30476.
    //   Parcel 780 g: 4000 + 1 × 2000 = 6000 at 5%: each half 6000 × 5 / 210 = 142.86
    //   → 143; taxable 6000 − 286 = 5714.
    //   Fulfilment: 38000; taxable 36190; CGST 905; UTGST 905.
    assert_pinned_fulfilment(
        &order,
        "nubra-leh-berry-growers-demo",
        "38",
        &[
            ("GOODS", "NLBJ-500", 1, 500, 32_000, 30_476, 762, 0, 762, 0),
            ("SHIPPING", "SHIPPING", 1, 500, 6_000, 5_714, 143, 0, 143, 0),
        ],
        (38_000, 32_000, 6_000, 36_190, 905, 0, 905, 0),
    );
    // Order: 80000 + 38000 = 118000 (goods 72000 + 32000 = 104000, shipping 14000);
    // taxable 76192 + 36190 = 112382; CGST 1904 + 905 = 2809; UTGST 1904 + 905 = 2809.
    assert_eq!(
        totals_of(&order),
        (118_000, 104_000, 14_000, 112_382, 2_809, 0, 2_809, 0),
        "{order}"
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
    // Leh to Delhi (State code 07): inter-State, all IGST. The cart holds 1 × NLBJ-500
    // (Rs 320, 5%): 32000 × 100 / 105 = 30476.19 → 30476, IGST 1524. Delhi is in zone
    // NORTH (Rs 80 for the first 500 g, Rs 40 per started 500 g more): 780 g is
    // 8000 + 4000 = 12000 at 5%: 12000 × 100 / 105 = 11428.57 → 11429, IGST 571.
    // Totals: 44000; taxable 30476 + 11429 = 41905; IGST 1524 + 571 = 2095.
    assert_pinned_fulfilment(
        &delhi_order,
        "nubra-leh-berry-growers-demo",
        "07",
        &[
            ("GOODS", "NLBJ-500", 1, 500, 32_000, 30_476, 0, 0, 0, 1_524),
            ("SHIPPING", "SHIPPING", 1, 500, 12_000, 11_429, 0, 0, 0, 571),
        ],
        (44_000, 32_000, 12_000, 41_905, 0, 0, 0, 2_095),
    );
    assert_eq!(
        totals_of(&delhi_order),
        (44_000, 32_000, 12_000, 41_905, 0, 0, 0, 2_095),
        "{delhi_order}"
    );

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
        ["input.cartToken"],
        "{empty}"
    );
    Ok(())
}

/// Textiles are taxed by their per-piece value (HSN 6214: 5% while a piece's value
/// before tax is at most Rs 2,500, 18% above, from 22 Sep 2025), and a parcel that mixes
/// rates pays shipping at the rate of its principal (dearest) supply. Every figure is
/// worked out by hand below.
async fn textile_gst_follows_the_per_piece_value_and_the_parcel_its_principal_supply(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let buyer = buyer_token(&server, "textile-buyer@example.org").await;

    // Leh to Leh (CGST + UTGST), one Chuchot parcel mixing 18% and 5%.
    for (slug, sku, quantity) in [
        ("ladakh-pashmina-stole-walnut-dyed-200x70", "CWST-200W", 1),
        ("chuchot-pashmina-travel-stole-160x50", "CWTS-160", 2),
        ("chuchot-snambu-handwoven-fabric-150x75", "CWF-150", 1),
    ] {
        let v = variant(&server, slug, sku).await;
        let added = add_to_cart(&server, Some(&buyer), None, &v["id"], quantity).await;
        assert!(user_errors(&added, "cartAddItem").is_empty(), "{added}");
    }
    let placed = place_order(
        &server,
        &buyer,
        "textile-leh",
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let order = placed["data"]["placeOrder"]["order"].clone();
    assert_reconciles(&order);
    // CWST-200W, Rs 11,500 a piece, HSN 621420: at 5% its value would be
    //   1150000 × 100 / 105 = 1095238 > 250000, so 18%: each half 1150000 × 18 / 236 =
    //   87711.86 → 87712; taxable 1150000 − 175424 = 974576.
    // CWTS-160, Rs 2,500 a piece: 250000 × 100 / 105 = 238095 ≤ 250000, so 5%;
    //   2 pieces: each half 500000 × 5 / 210 = 11904.76 → 11905; taxable 476190.
    // CWF-150, Rs 1,400, HSN 5111 (5%): each half 140000 × 5 / 210 = 3333.33 → 3333;
    //   taxable 140000 − 6666 = 133334 (the odd paisa stays in the taxable value).
    // Parcel 320 + 2 × 220 + 450 = 1210 g: Rs 40 + 2 started 500 g slabs × Rs 20 =
    //   8000, at the principal supply's rate (CWST-200W, the dearest line, 18%):
    //   each half 8000 × 18 / 236 = 610.17 → 610; taxable 8000 − 1220 = 6780.
    // Fulfilment: goods 1150000 + 500000 + 140000 = 1790000, shipping 8000, total
    //   1798000; taxable 974576 + 476190 + 133334 + 6780 = 1590880;
    //   CGST = UTGST = 87712 + 11905 + 3333 + 610 = 103560.
    let chuchot_totals = (
        1_798_000, 1_790_000, 8_000, 1_590_880, 103_560, 0, 103_560, 0,
    );
    assert_pinned_fulfilment(
        &order,
        "chuchot-women-weavers-demo",
        "38",
        &[
            (
                "GOODS",
                "CWST-200W",
                1,
                1_800,
                1_150_000,
                974_576,
                87_712,
                0,
                87_712,
                0,
            ),
            (
                "GOODS", "CWTS-160", 2, 500, 500_000, 476_190, 11_905, 0, 11_905, 0,
            ),
            (
                "GOODS", "CWF-150", 1, 500, 140_000, 133_334, 3_333, 0, 3_333, 0,
            ),
            (
                "SHIPPING", "SHIPPING", 1, 1_800, 8_000, 6_780, 610, 0, 610, 0,
            ),
        ],
        chuchot_totals,
    );
    assert_eq!(totals_of(&order), chuchot_totals, "{order}");

    // Leh to Delhi (IGST), one Changthang parcel: a shawl above the threshold and a
    // muffler below it.
    for (slug, sku) in [
        ("changthangi-pashmina-undyed-shawl-200x70", "CPS-200U"),
        ("changthang-pashmina-muffler-undyed-180x30", "CPM-180"),
    ] {
        let v = variant(&server, slug, sku).await;
        let added = add_to_cart(&server, Some(&buyer), None, &v["id"], 1).await;
        assert!(user_errors(&added, "cartAddItem").is_empty(), "{added}");
    }
    let placed = place_order(
        &server,
        &buyer,
        "textile-delhi",
        delhi(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let order = placed["data"]["placeOrder"]["order"].clone();
    assert_reconciles(&order);
    // CPS-200U, Rs 18,500: 1850000 × 100 / 105 = 1761905 > 250000, so 18%:
    //   1850000 × 100 / 118 = 1567796.61 → 1567797; IGST 282203.
    // CPM-180, Rs 2,400: 240000 × 100 / 105 = 228571.43 → 228571 ≤ 250000, so 5%;
    //   IGST 240000 − 228571 = 11429.
    // Parcel 380 + 180 = 560 g to zone NORTH: Rs 80 + 1 started slab × Rs 40 = 12000
    //   at 18% (the shawl is the principal supply): 12000 × 100 / 118 = 10169.49 →
    //   10169; IGST 1831.
    // Totals: goods 2090000, shipping 12000, total 2102000; taxable 1567797 + 228571 +
    //   10169 = 1806537; IGST 282203 + 11429 + 1831 = 295463.
    let changthang_totals = (2_102_000, 2_090_000, 12_000, 1_806_537, 0, 0, 0, 295_463);
    assert_pinned_fulfilment(
        &order,
        "changthang-pashmina-growers-demo",
        "07",
        &[
            (
                "GOODS", "CPS-200U", 1, 1_800, 1_850_000, 1_567_797, 0, 0, 0, 282_203,
            ),
            (
                "GOODS", "CPM-180", 1, 500, 240_000, 228_571, 0, 0, 0, 11_429,
            ),
            (
                "SHIPPING", "SHIPPING", 1, 1_800, 12_000, 10_169, 0, 0, 0, 1_831,
            ),
        ],
        changthang_totals,
    );
    assert_eq!(totals_of(&order), changthang_totals, "{order}");
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
    // The input names the cart, not its lines: the message names the SKU.
    assert_eq!(errors[0]["field"], json!(["input", "cartToken"]));
    assert!(
        errors[0]["message"].as_str().unwrap().contains("RKDA-250"),
        "{refused}"
    );
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
    assert_eq!(
        int(&shipped_f["tcs"]),
        0,
        "no TCS on cash on delivery: the cooperative's courier collects it: {shipped_f}"
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
    // The figures, by hand: 1 × RKDA-1000 at Rs 690 (HSN 0813, 5%) within Ladakh:
    // each half 69000 × 5 / 210 = 1642.86 → Rs 16.43; taxable 69000 − 3286 = Rs 657.14.
    // Shipping 1030 g: Rs 40 + 2 started 500 g slabs × Rs 20 = Rs 80 at 5%:
    // each half 8000 × 5 / 210 = 190.48 → Rs 1.90; taxable 8000 − 380 = Rs 76.20.
    // Totals: Rs 770.00; taxable 657.14 + 76.20 = 733.34; CGST = UTGST = 16.43 + 1.90
    // = 18.33. Each head prints its own rate (2.5%).
    for row in [
        "<th>CGST rate</th><th>CGST</th><th>UTGST rate</th><th>UTGST</th>",
        "<td>1</td><td class=\"l\">NOS</td><td>690.00</td><td data-col=\"total\">690.00</td><td data-col=\"taxable\">657.14</td><td>2.50%</td><td data-col=\"tax\" data-head=\"CGST\">16.43</td><td>2.50%</td><td data-col=\"tax\" data-head=\"UTGST\">16.43</td></tr>",
        "<td>1</td><td class=\"l\">NOS</td><td>80.00</td><td data-col=\"total\">80.00</td><td data-col=\"taxable\">76.20</td><td>2.50%</td><td data-col=\"tax\" data-head=\"CGST\">1.90</td><td>2.50%</td><td data-col=\"tax\" data-head=\"UTGST\">1.90</td></tr>",
        "<th id=\"invoice-total\" data-sum=\"total\">770.00</th><th data-sum=\"taxable\">733.34</th><th></th><th data-sum=\"tax\" data-head=\"CGST\">18.33</th><th></th><th data-sum=\"tax\" data-head=\"UTGST\">18.33</th>",
    ] {
        assert!(html.contains(row), "invoice lacks {row}: {html}");
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

    // The settlement statement is the platform's cash: cash on delivery never passed
    // through it (tcs_settlement.rs covers what did).
    let today = chrono::Utc::now().date_naive();
    let statement = server
        .graphql_as(Some(&manager), "query($c: ID!, $f: NaiveDate!, $t: NaiveDate!) { settlementStatement(cooperativeId: $c, from: $f, to: $t) { invoices grossSales collected tcs refunds netPayable } }",
            json!({ "c": sham, "f": (today - chrono::Duration::days(1)).to_string(), "t": (today + chrono::Duration::days(1)).to_string() }))
        .await;
    assert_eq!(
        statement["data"]["settlementStatement"],
        json!({ "invoices": 0, "grossSales": 0, "collected": 0, "tcs": 0, "refunds": 0, "netPayable": 0 }),
        "{statement}"
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
            .env("BANK_TRANSFER_RESERVATION_TTL_SECS", "2")
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

pub fn stripe_options(fake: &FakeStripe) -> ServerOptions {
    ServerOptions::seeded()
        .env("STRIPE_SECRET_KEY", stripe_fake::SECRET_KEY)
        .env("STRIPE_WEBHOOK_SECRET", stripe_fake::WEBHOOK_SECRET)
        .env("STRIPE_API_BASE", &fake.base_url)
        .env("STRIPE_TIMEOUT_SECS", "2")
}

pub async fn post_webhook(
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

/// Posts a Stripe event about `intent` (as Stripe would send it), signed now, and
/// checks it was accepted.
pub async fn deliver_intent_event(server: &TestServer, kind: &str, intent: &Value, event_id: &str) {
    let payload = stripe_fake::intent_event(event_id, kind, intent);
    let signature = stripe_fake::signature(stripe_fake::WEBHOOK_SECRET, now(), &payload);
    assert_eq!(
        post_webhook(server, Some(signature), &payload).await,
        200,
        "{kind} was accepted"
    );
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

pub async fn stripe_order(
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

    // A payment cancelled at Stripe releases the stock (a declined card does not:
    // see payment_states).
    let (third, third_intent) = stripe_order(&server, &fake, &buyer, "card-3").await;
    let before = stock(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    let fail = stripe_fake::intent_event(
        "evt_fail_3",
        "payment_intent.canceled",
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
        .graphql_as(Some(&admin), "mutation { buyerOrganisationCreate(input: { name: \"Directorate of Health Services\", kind: UT_GOVERNMENT_DEPARTMENT }) { buyerOrganisation { id } } }", json!({}))
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
    let terms = |consignees: Value, days: i64| json!({ "institutional": { "purchaseOrderNumber": "DHS/PO/2026/0042", "paymentTermsDays": days, "consignees": consignees } });

    // Below the minimum order quantity: refused when added to the cart …
    let added = add_to_cart(&server, Some(&institution), None, &bulk["id"], moq - 1).await;
    assert_eq!(
        error_fields(&added, "cartAddItem"),
        ["input.quantity"],
        "{added}"
    );
    assert_eq!(
        user_errors(&added, "cartAddItem")[0]["code"],
        "OUT_OF_RANGE",
        "{added}"
    );
    let added = add_to_cart(&server, Some(&institution), None, &bulk["id"], moq).await;
    assert!(user_errors(&added, "cartAddItem").is_empty(), "{added}");
    // … nor can a line be lowered below it …
    let set = server
        .graphql_as(
            Some(&institution),
            "mutation($i: CartUpdateItemInput!) { cartUpdateItem(input: $i) { errors { field code } } }",
            json!({ "i": { "variantId": bulk["id"], "quantity": moq - 1 } }),
        )
        .await;
    assert_eq!(
        user_errors(&set, "cartUpdateItem")[0]["code"],
        "OUT_OF_RANGE",
        "{set}"
    );
    // … and checkout refuses it when the minimum rose after the cart was filled.
    let raised = server
        .graphql_as(
            Some(&admin),
            "mutation($i: VariantUpdateInput!) { variantUpdate(input: $i) { errors { message } } }",
            json!({ "i": { "id": bulk["id"], "minOrderQuantity": moq + 1 } }),
        )
        .await;
    assert!(user_errors(&raised, "variantUpdate").is_empty(), "{raised}");
    let below = place_order(
        &server,
        &institution,
        "po-0",
        leh(),
        "PURCHASE_ORDER",
        terms(json!([consignee("District Hospital Leh", leh(), moq)]), 0),
    )
    .await;
    assert_eq!(
        user_errors(&below, "placeOrder")[0]["code"],
        "OUT_OF_RANGE",
        "{below}"
    );
    server
        .graphql_as(
            Some(&admin),
            "mutation($i: VariantUpdateInput!) { variantUpdate(input: $i) { errors { message } } }",
            json!({ "i": { "id": bulk["id"], "minOrderQuantity": moq } }),
        )
        .await;
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
        ["input.institutional.consignees"],
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
    let shipped = transition(&server, &staff, "fulfilmentShip", json!({ "fulfilmentId": f["fulfilmentId"], "carrier": "Blue Dart", "trackingNumber": "BD77" })).await;
    assert_eq!(
        shipped["data"]["fulfilmentShip"]["order"]["fulfilments"][0]["tcs"], 0,
        "a purchase order is paid to the cooperative: no TCS: {shipped}"
    );
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
    textile_gst_follows_the_per_piece_value_and_the_parcel_its_principal_supply,
    changed_prices_and_short_stock_are_reported_not_applied,
    fulfilment_moves_only_as_the_state_machine_allows,
    cancellation_and_expiry_give_stock_back,
    stripe_payments_are_verified_idempotent_and_refundable,
    an_unanswered_payment_is_reconciled_before_release,
    institutional_order_from_po_to_acceptance,
    buyers_racing_for_scarce_stock_never_oversell,
);
