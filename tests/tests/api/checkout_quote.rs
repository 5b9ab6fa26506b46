//! `checkoutQuote`: what `placeOrder` will charge for the cart and an address, with
//! every problem per line, computed by the checkout itself and writing nothing.

use serde_json::{Value, json};

use crate::{
    both_backends,
    orders::{add_to_cart, delhi, int, leh, place_order, stock, variant},
    support::{
        Backend, ServerOptions, TestServer,
        flows::{admin_token, buyer_token, cooperative_id, error_fields, user_errors},
    },
};

pub const QUOTE: &str = "query($i: CheckoutQuoteInput!) { checkoutQuote(input: $i) {
    errors { field code message }
    quote { placeOfSupply goodsTotal shippingTotal taxableValue cgst sgst utgst igst total orderable
        lines { variantId sku quantity unitPrice lineTotal
            tax { rateBp taxableValue cgst sgst utgst igst total } problems { code message } }
        parcels { cooperative { slug } documentKind goodsTotal shipping taxableValue cgst sgst utgst igst total } } } }";

pub async fn quote(
    server: &TestServer,
    token: Option<&str>,
    cart_token: Option<&str>,
    address: Value,
) -> Value {
    server
        .graphql_as(
            token,
            QUOTE,
            json!({ "i": { "cartToken": cart_token, "shippingAddress": address } }),
        )
        .await
}

const HEADS: [&str; 4] = ["cgst", "sgst", "utgst", "igst"];

/// Taxable value and the four heads add up to the total.
fn assert_adds_up(figures: &Value) {
    let tax: i64 = HEADS.iter().map(|h| int(&figures[*h])).sum();
    assert_eq!(
        int(&figures["taxableValue"]) + tax,
        int(&figures["total"]),
        "{figures}"
    );
}

async fn a_quote_is_what_the_order_then_costs(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let apricots = variant(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    let juice = variant(&server, "nubra-leh-berry-juice-500ml", "NLBJ-500").await;
    let buyer = buyer_token(&server, "quote-buyer@example.org").await;
    add_to_cart(&server, Some(&buyer), None, &apricots["id"], 2).await;
    add_to_cart(&server, Some(&buyer), None, &juice["id"], 1).await;
    let apricot_stock = stock(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;

    let body = quote(&server, Some(&buyer), None, leh()).await;
    let payload = &body["data"]["checkoutQuote"];
    assert_eq!(payload["errors"], json!([]), "{body}");
    let leh_quote = payload["quote"].clone();
    assert_eq!(leh_quote["orderable"], true, "{body}");
    assert_eq!(leh_quote["placeOfSupply"], "38");
    let lines = leh_quote["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{body}");
    for (line, seeded, quantity) in [(&lines[0], &apricots, 2), (&lines[1], &juice, 1)] {
        assert_eq!(line["variantId"], seeded["id"]);
        assert_eq!(int(&line["quantity"]), quantity);
        assert_eq!(int(&line["unitPrice"]), int(&seeded["price"]["amount"]));
        assert_eq!(
            int(&line["lineTotal"]),
            int(&seeded["price"]["amount"]) * quantity
        );
        assert_eq!(line["problems"], json!([]));
        assert_eq!(line["tax"]["total"], line["lineTotal"]);
        assert_adds_up(&line["tax"]);
    }
    // Two cooperatives: two parcels, each with its own shipping; within Ladakh (a UT)
    // CGST and UTGST in equal halves.
    let parcels = leh_quote["parcels"].as_array().unwrap();
    assert_eq!(parcels.len(), 2, "{body}");
    for parcel in parcels {
        assert!(int(&parcel["shipping"]) > 0, "{parcel}");
        assert_eq!(
            int(&parcel["goodsTotal"]) + int(&parcel["shipping"]),
            int(&parcel["total"])
        );
        assert_adds_up(parcel);
    }
    for figure in ["total", "taxableValue", "cgst", "sgst", "utgst", "igst"] {
        let sum: i64 = parcels.iter().map(|p| int(&p[figure])).sum();
        assert_eq!(sum, int(&leh_quote[figure]), "{figure}: {body}");
    }
    assert_eq!(
        int(&leh_quote["goodsTotal"]),
        int(&apricots["price"]["amount"]) * 2 + int(&juice["price"]["amount"])
    );
    assert_eq!(
        int(&leh_quote["goodsTotal"]) + int(&leh_quote["shippingTotal"]),
        int(&leh_quote["total"])
    );
    assert_adds_up(&leh_quote);
    assert_eq!(int(&leh_quote["igst"]) + int(&leh_quote["sgst"]), 0);
    assert!(int(&leh_quote["cgst"]) > 0);
    assert_eq!(leh_quote["cgst"], leh_quote["utgst"]);

    // To Delhi the same cart is an inter-State supply: IGST only.
    let away = quote(&server, Some(&buyer), None, delhi()).await;
    let away = &away["data"]["checkoutQuote"]["quote"];
    assert_eq!(away["placeOfSupply"], "07");
    assert!(int(&away["igst"]) > 0, "{away}");
    assert_eq!(int(&away["cgst"]) + int(&away["utgst"]), 0);
    assert_adds_up(away);

    // The address is checked as placeOrder checks it, with the same paths.
    let bad = quote(
        &server,
        Some(&buyer),
        None,
        json!({ "name": "T", "phone": "12", "line1": "x", "city": "Leh", "pinCode": "600001", "stateCode": "38" }),
    )
    .await;
    let fields = error_fields(&bad, "checkoutQuote");
    assert!(
        fields.contains(&"input.shippingAddress.pinCode".to_owned())
            && fields.contains(&"input.shippingAddress.phone".to_owned()),
        "{bad}"
    );
    assert!(bad["data"]["checkoutQuote"]["quote"].is_null());

    // Quoting reserved nothing and left the cart as it was.
    assert_eq!(
        stock(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await,
        apricot_stock
    );
    let cart = server
        .graphql_as(Some(&buyer), "{ cart { itemCount } }", json!({}))
        .await;
    assert_eq!(cart["data"]["cart"]["itemCount"], 3, "{cart}");

    // The order costs what the quote said, to the paisa, parcel by parcel.
    let placed = place_order(
        &server,
        &buyer,
        "quoted",
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let order = &placed["data"]["placeOrder"]["order"];
    for figure in [
        "total",
        "goodsTotal",
        "shippingTotal",
        "taxableValue",
        "cgst",
        "sgst",
        "utgst",
        "igst",
    ] {
        assert_eq!(order[figure], leh_quote[figure], "{figure}: {placed}");
    }
    for fulfilment in order["fulfilments"].as_array().unwrap() {
        let parcel = parcels
            .iter()
            .find(|p| p["cooperative"]["slug"] == fulfilment["cooperative"]["slug"])
            .unwrap_or_else(|| panic!("no parcel for {fulfilment}"));
        assert_eq!(fulfilment["shippingTotal"], parcel["shipping"]);
        assert_eq!(fulfilment["total"], parcel["total"]);
    }

    // A visitor quotes their cart by its token; without one there is nothing to quote.
    let added = add_to_cart(&server, None, None, &juice["id"], 1).await;
    let token = added["data"]["cartAddItem"]["cartToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let visitor = quote(&server, None, Some(&token), leh()).await;
    let visitor = &visitor["data"]["checkoutQuote"]["quote"];
    assert_eq!(visitor["lines"].as_array().unwrap().len(), 1, "{visitor}");
    assert_eq!(visitor["orderable"], true);
    let nothing = quote(&server, None, None, leh()).await;
    let nothing = &nothing["data"]["checkoutQuote"]["quote"];
    assert_eq!(nothing["lines"], json!([]), "{nothing}");
    assert_eq!(nothing["orderable"], false);
    assert_eq!(int(&nothing["total"]), 0);
    Ok(())
}

async fn a_quote_shows_every_problem_per_line(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let nubra = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let apricots = variant(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    let juice = variant(&server, "nubra-leh-berry-juice-500ml", "NLBJ-500").await;
    let buyer = buyer_token(&server, "quote-problems@example.org").await;
    add_to_cart(&server, Some(&buyer), None, &apricots["id"], 2).await;
    add_to_cart(&server, Some(&buyer), None, &juice["id"], 1).await;

    // Nubra becomes a composition taxpayer (may sell only within Ladakh); the
    // apricots' stock falls to one; and they are now sold by threes.
    let composition = server
        .graphql_as(
            Some(&admin),
            "mutation($i: CooperativeUpdateInput!) { cooperativeUpdate(input: $i) { errors { field message } } }",
            json!({ "i": { "id": nubra, "fields": { "gstRegime": "COMPOSITION" } } }),
        )
        .await;
    assert!(
        user_errors(&composition, "cooperativeUpdate").is_empty(),
        "{composition}"
    );
    // A verified cooperative's regime change waits for the registrar's re-verification.
    let reverified = server
        .graphql_as(
            Some(&admin),
            "mutation($id: ID!) { cooperativeVerify(input: { id: $id, status: VERIFIED, reason: \"composition certificate checked\" }) { errors { field message } } }",
            json!({ "id": nubra }),
        )
        .await;
    assert!(
        user_errors(&reverified, "cooperativeVerify").is_empty(),
        "{reverified}"
    );
    let current = stock(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    let adjusted = server
        .graphql_as(Some(&admin), "mutation($i: StockAdjustInput!) { stockAdjust(input: $i) { errors { message } } }",
            json!({ "i": { "variantId": apricots["id"], "delta": -(current - 1), "reason": "DAMAGED" } }))
        .await;
    assert!(
        user_errors(&adjusted, "stockAdjust").is_empty(),
        "{adjusted}"
    );
    let moq = server
        .graphql_as(
            Some(&admin),
            "mutation($i: VariantUpdateInput!) { variantUpdate(input: $i) { errors { message } } }",
            json!({ "i": { "id": apricots["id"], "minOrderQuantity": 3 } }),
        )
        .await;
    assert!(user_errors(&moq, "variantUpdate").is_empty(), "{moq}");

    let body = quote(&server, Some(&buyer), None, delhi()).await;
    let q = &body["data"]["checkoutQuote"]["quote"];
    assert_eq!(q["orderable"], false, "{body}");
    let codes = |line: &Value| -> Vec<String> {
        line["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["code"].as_str().unwrap().to_owned())
            .collect()
    };
    let lines = q["lines"].as_array().unwrap();
    assert_eq!(
        codes(&lines[0]),
        ["BELOW_MINIMUM_QUANTITY", "OUT_OF_STOCK"],
        "{body}"
    );
    assert_eq!(codes(&lines[1]), ["NOT_DELIVERABLE"], "{body}");
    assert!(
        lines[1]["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("only within Ladakh"),
        "{body}"
    );
    // The undeliverable line has no price to quote; the apricots still show theirs.
    assert!(lines[1]["tax"].is_null(), "{body}");
    assert_eq!(lines[0]["tax"]["total"], lines[0]["lineTotal"]);
    let parcels = q["parcels"].as_array().unwrap();
    assert_eq!(parcels.len(), 1, "{body}");
    assert_eq!(
        parcels[0]["cooperative"]["slug"],
        "sham-apricot-growers-demo"
    );
    assert_eq!(q["total"], parcels[0]["total"]);

    // placeOrder refuses the same cart for the same reasons.
    let refused = place_order(
        &server,
        &buyer,
        "q-refused",
        delhi(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    let mut refused_codes: Vec<String> = user_errors(&refused, "placeOrder")
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect();
    refused_codes.sort();
    assert_eq!(refused_codes, ["OUT_OF_RANGE", "OUT_OF_STOCK"], "{refused}");
    Ok(())
}

both_backends!(
    a_quote_is_what_the_order_then_costs,
    a_quote_shows_every_problem_per_line,
);
