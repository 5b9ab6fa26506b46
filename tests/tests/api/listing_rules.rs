//! Issue 19's listing rules that documents depend on: packs of N pieces and the UQC
//! per variant, HSN per product, Legal Metrology per variant, verification records and
//! batch corrections. Every document fetched here is checked by `support::documents`.

use serde_json::{Value, json};

use crate::{
    both_backends,
    orders::{add_to_cart, assert_reconciles, int, leh, place_order, variant},
    support::{
        Backend, ServerOptions, TestServer,
        documents::fetch_document,
        flows::{admin_token, buyer_token, cooperative_id, error_fields, staff_token, user_errors},
    },
};

both_backends!(
    a_pack_of_six_stoles_is_taxed_per_piece_and_invoiced_in_its_uqc,
    a_product_hsn_overrides_its_category_with_the_digits_the_turnover_needs,
    each_variant_declares_its_net_quantity_and_shows_its_unit_sale_price,
);

const VARIANT_UPDATE: &str = "mutation($i: VariantUpdateInput!) { variantUpdate(input: $i) { variant { sku piecesPerUnit uqc } errors { field code message } } }";

/// Packs and ships a fulfilment as the cooperative's staff, which issues its document.
async fn ship(server: &TestServer, staff: &str, fulfilment_id: &Value) {
    for (mutation, input, input_type) in [
        (
            "fulfilmentPack",
            json!({ "fulfilmentId": fulfilment_id }),
            "FulfilmentInput",
        ),
        (
            "fulfilmentShip",
            json!({ "fulfilmentId": fulfilment_id, "carrier": "India Post", "trackingNumber": "EL1IN" }),
            "FulfilmentShipInput",
        ),
    ] {
        let body = server
            .graphql_as(
                Some(staff),
                &format!("mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ errors {{ field code message }} }} }}"),
                json!({ "i": input }),
            )
            .await;
        assert!(user_errors(&body, mutation).is_empty(), "{body}");
    }
}

async fn a_pack_of_six_stoles_is_taxed_per_piece_and_invoiced_in_its_uqc(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let chuchot = cooperative_id(&server, &admin, "chuchot-women-weavers-demo").await;
    let staff = staff_token(&server, &admin, &chuchot, "STAFF").await;
    let pack = variant(&server, "ladakh-pashmina-blend-stole-180x70", "CWSB-180-6").await;

    // The count is bounded, and the UQC is one of GST's codes.
    for pieces in [0, 1_001] {
        let refused = server
            .graphql_as(
                Some(&staff),
                VARIANT_UPDATE,
                json!({ "i": { "id": pack["id"], "piecesPerUnit": pieces } }),
            )
            .await;
        assert_eq!(
            error_fields(&refused, "variantUpdate"),
            ["input.piecesPerUnit"],
            "{refused}"
        );
    }
    let unknown = server
        .graphql_as(
            Some(&staff),
            VARIANT_UPDATE,
            json!({ "i": { "id": pack["id"], "uqc": "LITRES" } }),
        )
        .await;
    assert!(unknown["errors"].is_array(), "{unknown}");

    let updated = server
        .graphql_as(
            Some(&staff),
            VARIANT_UPDATE,
            json!({ "i": { "id": pack["id"], "piecesPerUnit": 6, "uqc": "PAC" } }),
        )
        .await;
    assert!(
        user_errors(&updated, "variantUpdate").is_empty(),
        "{updated}"
    );
    assert_eq!(
        updated["data"]["variantUpdate"]["variant"],
        json!({ "sku": "CWSB-180-6", "piecesPerUnit": 6, "uqc": "PAC" })
    );

    // Two packs of six at Rs 13,500 each: Rs 2,250 a piece, Rs 2,142.86 of value at
    // 5%, under the Rs 2,500 per-piece threshold, so 5% (as one piece of Rs 13,500 it
    // would be 18%). Within Ladakh each half is 27,000 × 0.05 / 2.10 = 642.857…,
    // Rs 642.86; the taxable value is 27,000 − 1,285.72 = Rs 25,714.28.
    let buyer = buyer_token(&server, "packs@example.org").await;
    add_to_cart(&server, Some(&buyer), None, &pack["id"], 2).await;
    let placed = place_order(
        &server,
        &buyer,
        "packs",
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let order = &placed["data"]["placeOrder"]["order"];
    assert_reconciles(order);
    let goods = order["fulfilments"][0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "GOODS")
        .unwrap()
        .clone();
    assert_eq!(goods["gstRateBp"], 500, "{goods}");
    assert_eq!(
        (
            int(&goods["total"]),
            int(&goods["taxableValue"]),
            int(&goods["cgst"]),
            int(&goods["utgst"])
        ),
        (2_700_000, 2_571_428, 64_286, 64_286),
        "{goods}"
    );
    let lines = server
        .graphql_as(
            Some(&buyer),
            "query($id: ID!) { order(id: $id) { fulfilments { lines { kind quantity uqc piecesPerUnit } } } }",
            json!({ "id": order["id"] }),
        )
        .await;
    assert_eq!(
        lines["data"]["order"]["fulfilments"][0]["lines"][0],
        json!({ "kind": "GOODS", "quantity": 2, "uqc": "PAC", "piecesPerUnit": 6 }),
        "{lines}"
    );

    // The invoice counts what was sold in the variant's UQC: 2 PAC, each of six pieces.
    let fulfilment = order["fulfilments"][0]["id"].clone();
    ship(&server, &staff, &fulfilment).await;
    let (html, figures) = fetch_document(&server, &buyer, &fulfilment).await;
    assert_eq!(figures.kind, "TAX_INVOICE", "{html}");
    assert!(
        html.contains("<td>2</td><td class=\"l\">PAC</td>"),
        "{html}"
    );
    assert!(html.contains("(pack of 6 pieces)"), "{html}");
    assert!(html.contains("<td>2.50%</td>"), "{html}");
    Ok(())
}

const PRODUCT_UPDATE: &str = "mutation($i: ProductUpdateInput!) { productUpdate(input: $i) { product { slug hsnCode hsnCodeOverride } errors { field code message } } }";

async fn product_id(server: &TestServer, slug: &str) -> Value {
    let body = server
        .graphql(
            "query($slug: String) { product(slug: $slug) { id hsnCode hsnCodeOverride } }",
            json!({ "slug": slug }),
        )
        .await;
    body["data"]["product"]["id"].clone()
}

async fn set_hsn(server: &TestServer, token: &str, id: &Value, hsn: &str) -> Value {
    server
        .graphql_as(
            Some(token),
            PRODUCT_UPDATE,
            json!({ "i": { "id": id, "hsnCode": hsn } }),
        )
        .await
}

async fn a_product_hsn_overrides_its_category_with_the_digits_the_turnover_needs(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let nubra = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let staff = staff_token(&server, &admin, &nubra, "STAFF").await;
    let tea_bags = product_id(&server, "nubra-sea-buckthorn-tea-bags-25").await;
    let pulp = product_id(&server, "nubra-sea-buckthorn-pulp-500g").await;

    // An override must be an HSN code: 4, 6 or 8 digits.
    for bad in ["21O6", "210", "2106909", "2106 90"] {
        let refused = set_hsn(&server, &staff, &tea_bags, bad).await;
        assert_eq!(
            error_fields(&refused, "productUpdate"),
            ["input.hsnCode"],
            "{bad}: {refused}"
        );
    }
    // A herbal beverage mix is 2106 90, not the leaf tea category's 1211 90.
    let set = set_hsn(&server, &staff, &tea_bags, "21069099").await;
    assert!(user_errors(&set, "productUpdate").is_empty(), "{set}");
    assert_eq!(
        set["data"]["productUpdate"]["product"]["hsnCode"], "21069099",
        "{set}"
    );

    // Above Rs 5 crore every invoice needs 6 digits: the band is refused while the
    // pulp category's 2008 is the code of one of the cooperative's products.
    let band = |value: &'static str| {
        let server = &server;
        let admin = &admin;
        let nubra = &nubra;
        async move {
            server
                .graphql_as(
                    Some(admin),
                    "mutation($i: CooperativeUpdateInput!) { cooperativeUpdate(input: $i) { cooperative { turnoverBand } errors { field code message } } }",
                    json!({ "i": { "id": nubra, "fields": { "turnoverBand": value } } }),
                )
                .await
        }
    };
    let refused = band("ABOVE_5_CRORE").await;
    assert_eq!(
        error_fields(&refused, "cooperativeUpdate"),
        ["input.turnoverBand"],
        "{refused}"
    );
    let message = refused["data"]["cooperativeUpdate"]["errors"][0]["message"]
        .as_str()
        .unwrap();
    assert!(
        message.contains("nubra-sea-buckthorn-pulp-500g (2008)"),
        "{message}"
    );
    let longer = set_hsn(&server, &staff, &pulp, "200899").await;
    assert!(user_errors(&longer, "productUpdate").is_empty(), "{longer}");
    let raised = band("ABOVE_5_CRORE").await;
    assert!(
        user_errors(&raised, "cooperativeUpdate").is_empty(),
        "{raised}"
    );
    assert_eq!(
        raised["data"]["cooperativeUpdate"]["cooperative"]["turnoverBand"],
        "ABOVE_5_CRORE"
    );
    // Now a 4-digit code is too short for this cooperative.
    let short = set_hsn(&server, &staff, &tea_bags, "2106").await;
    assert_eq!(
        error_fields(&short, "productUpdate"),
        ["input.hsnCode"],
        "{short}"
    );

    // Checkout looks the rate up by the product's code: 18% for 2106, where the
    // category's 1211 is 5%. Rs 260 within Ladakh: each half 260 × 0.18 / 2.36 =
    // 19.83; taxable 260 − 39.66 = 220.34.
    let bags = variant(&server, "nubra-sea-buckthorn-tea-bags-25", "NSBTB-25").await;
    let buyer = buyer_token(&server, "hsn@example.org").await;
    add_to_cart(&server, Some(&buyer), None, &bags["id"], 1).await;
    let placed = place_order(&server, &buyer, "hsn", leh(), "CASH_ON_DELIVERY", json!({})).await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let order = &placed["data"]["placeOrder"]["order"];
    assert_reconciles(order);
    let lines = server
        .graphql_as(
            Some(&buyer),
            "query($id: ID!) { order(id: $id) { fulfilments { lines { kind hsn gstRateBp total taxableValue cgst utgst } } } }",
            json!({ "id": order["id"] }),
        )
        .await;
    assert_eq!(
        lines["data"]["order"]["fulfilments"][0]["lines"][0],
        json!({ "kind": "GOODS", "hsn": "21069099", "gstRateBp": 1800, "total": 26000, "taxableValue": 22034, "cgst": 1983, "utgst": 1983 }),
        "{lines}"
    );
    let fulfilment = order["fulfilments"][0]["id"].clone();
    ship(&server, &staff, &fulfilment).await;
    let (html, _) = fetch_document(&server, &buyer, &fulfilment).await;
    assert!(html.contains("<td class=\"l\">21069099</td>"), "{html}");
    assert!(html.contains("<td>9.00%</td>"), "{html}");
    Ok(())
}

const DECLARED: &str =
    "sku mrp { amount } netQuantity { amount unit text } unitSalePrice { amount per text }";

async fn each_variant_declares_its_net_quantity_and_shows_its_unit_sale_price(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let chuchot = cooperative_id(&server, &admin, "chuchot-women-weavers-demo").await;
    let staff = staff_token(&server, &admin, &chuchot, "STAFF").await;

    // An old free-text declaration ("500 g") reads as the first variant's: Rs 400 MRP
    // for 500 g is below a kilogram, so per gram: Rs 0.80.
    let dried = server
        .graphql(
            &format!("{{ product(slug: \"raktsey-karpo-dried-apricots-500g\") {{ variants {{ {DECLARED} }} }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(
        dried["data"]["product"]["variants"][0],
        json!({ "sku": "RKDA-500", "mrp": { "amount": 40000 }, "netQuantity": { "amount": "500", "unit": "G", "text": "500 g" }, "unitSalePrice": { "amount": 80, "per": "G", "text": "Rs 0.80 per g" } }),
        "{dried}"
    );

    // Nonsense is refused on the field that carries it.
    let pack = variant(&server, "ladakh-pashmina-blend-stole-180x70", "CWSB-180-6").await;
    let update = |quantity: Value| {
        let server = &server;
        let staff = &staff;
        let id = pack["id"].clone();
        async move {
            server
                .graphql_as(
                    Some(staff),
                    &format!("mutation($i: VariantUpdateInput!) {{ variantUpdate(input: $i) {{ variant {{ {DECLARED} }} errors {{ field code message }} }} }}"),
                    json!({ "i": { "id": id, "netQuantity": quantity } }),
                )
                .await
        }
    };
    for nonsense in ["x", "0", "1,5", "-6", ""] {
        let refused = update(json!({ "amount": nonsense, "unit": "PIECE" })).await;
        assert_eq!(
            error_fields(&refused, "variantUpdate"),
            ["input.netQuantity.amount"],
            "{nonsense}: {refused}"
        );
    }
    let unknown_unit = update(json!({ "amount": "1", "unit": "BUNDLE" })).await;
    assert!(unknown_unit["errors"].is_array(), "{unknown_unit}");

    // The pack of six declares six pieces: Rs 15,000 MRP is Rs 2,500 a piece.
    let declared = update(json!({ "amount": "6", "unit": "PIECE" })).await;
    assert!(
        user_errors(&declared, "variantUpdate").is_empty(),
        "{declared}"
    );
    assert_eq!(
        declared["data"]["variantUpdate"]["variant"],
        json!({ "sku": "CWSB-180-6", "mrp": { "amount": 1500000 }, "netQuantity": { "amount": "6", "unit": "PIECE", "text": "6 piece" }, "unitSalePrice": { "amount": 250000, "per": "PIECE", "text": "Rs 2500.00 per piece" } }),
        "{declared}"
    );
    Ok(())
}
