//! GST documents that survive an audit: registration regimes per cooperative (regular,
//! composition, enrolled without a GSTIN), bills of supply and invoices-cum-bills of
//! supply, and documents whose every figure adds up. Every document fetched here is
//! checked by `support::documents`.

use serde_json::{Value, json};

use crate::{
    both_backends,
    orders::{ORDER_FIELDS, add_to_cart, assert_reconciles, leh, place_order, variant},
    support::{
        Backend, ServerOptions, TestServer,
        documents::fetch_document,
        flows::{
            PASSWORD, admin_token, buyer_token, cooperative_id, error_fields, login, staff_token,
            user_errors,
        },
    },
};

both_backends!(
    gst_registration_is_checked_when_it_is_saved,
    suppliers_without_gst_issue_bills_of_supply_and_sell_at_home_only,
    nil_rated_goods_get_a_bill_of_supply_and_a_mixed_basket_an_invoice_cum_bill,
    cgst_and_utgst_are_equal_halves_on_every_line,
    consignees_in_two_states_get_one_document_per_place_of_supply,
    documents_show_per_head_rates_the_operator_and_their_copy,
    the_rate_in_force_on_the_invoice_date_applies,
);

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

fn delhi() -> Value {
    json!({ "name": "Anjali Rao", "phone": "+91 98111 22334", "line1": "12 Janpath", "city": "New Delhi", "pinCode": "110001", "stateCode": "07" })
}

const UPDATE: &str = "mutation($i: CooperativeUpdateInput!) { cooperativeUpdate(input: $i) { cooperative { gstin gstRegime stateCode } errors { field code message } } }";

pub(crate) async fn update_cooperative(
    server: &TestServer,
    admin: &str,
    id: &str,
    fields: Value,
) -> Value {
    server
        .graphql_as(
            Some(admin),
            UPDATE,
            json!({ "i": { "id": id, "fields": fields } }),
        )
        .await
}

/// Puts a verified cooperative's pending registration change into effect: a change of
/// GSTIN, regime or State waits for the registrar's re-verification.
pub(crate) async fn reverify(server: &TestServer, admin: &str, id: &str) {
    let body = server
        .graphql_as(
            Some(admin),
            "mutation($id: ID!) { cooperativeVerify(input: { id: $id, status: VERIFIED, reason: \"registration documents checked\" }) { errors { field message } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(user_errors(&body, "cooperativeVerify").is_empty(), "{body}");
}

/// Packs and ships a fulfilment as the cooperative's staff, which issues its document.
async fn ship(server: &TestServer, staff: &str, fulfilment_id: &Value) -> Value {
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
                &format!("mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ errors {{ field code message }} order {{ {ORDER_FIELDS} fulfilments {{ documentKind }} }} }} }}"),
                json!({ "i": input }),
            )
            .await;
        assert!(user_errors(&body, mutation).is_empty(), "{body}");
        if mutation == "fulfilmentShip" {
            return body["data"][mutation]["order"].clone();
        }
    }
    unreachable!()
}

async fn gst_registration_is_checked_when_it_is_saved(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;

    // Existing cooperatives with a GSTIN are regular, registered in Ladakh.
    let unchanged = update_cooperative(&server, &admin, &sham, json!({})).await;
    let cooperative = &unchanged["data"]["cooperativeUpdate"]["cooperative"];
    assert_eq!(cooperative["gstRegime"], "REGULAR", "{unchanged}");
    assert_eq!(cooperative["stateCode"], "38", "{unchanged}");

    // A valid Delhi GSTIN on a cooperative registered in Ladakh is refused on save.
    let delhi_gstin = update_cooperative(
        &server,
        &admin,
        &sham,
        json!({ "gstin": "07AAAAS1234A1Z8" }),
    )
    .await;
    assert_eq!(
        error_fields(&delhi_gstin, "cooperativeUpdate"),
        ["input.gstin"],
        "{delhi_gstin}"
    );
    let message = delhi_gstin["data"]["cooperativeUpdate"]["errors"][0]["message"]
        .as_str()
        .unwrap();
    assert!(
        message.contains("07") && message.contains("38"),
        "{message}"
    );
    // A code that is no State or UT is refused as the registered State.
    for code in ["99", "97", "25", "40"] {
        let bad = update_cooperative(&server, &admin, &sham, json!({ "stateCode": code })).await;
        assert_eq!(
            error_fields(&bad, "cooperativeUpdate"),
            ["input.stateCode"],
            "{code}: {bad}"
        );
    }
    // A GSTIN with a valid check character but a non-State code never gets saved.
    let centre = update_cooperative(
        &server,
        &admin,
        &sham,
        json!({ "gstin": "99AAAAS1234A1ZV" }),
    )
    .await;
    assert_eq!(
        error_fields(&centre, "cooperativeUpdate"),
        ["input.gstin"],
        "{centre}"
    );
    // The regime and the GSTIN must agree.
    let enrolled_with_gstin =
        update_cooperative(&server, &admin, &sham, json!({ "gstRegime": "ENROLLED" })).await;
    assert_eq!(
        error_fields(&enrolled_with_gstin, "cooperativeUpdate"),
        ["input.gstRegime"],
        "{enrolled_with_gstin}"
    );
    let regular_without = update_cooperative(&server, &admin, &sham, json!({ "gstin": "" })).await;
    assert_eq!(
        error_fields(&regular_without, "cooperativeUpdate"),
        ["input.gstin"],
        "{regular_without}"
    );
    // Nothing of it was saved.
    let still = update_cooperative(&server, &admin, &sham, json!({})).await;
    assert_eq!(
        still["data"]["cooperativeUpdate"]["cooperative"],
        json!({ "gstin": "38AAAAS1234A1Z3", "gstRegime": "REGULAR", "stateCode": "38" })
    );

    // Moving the registration to Delhi with a Delhi GSTIN is consistent, and the
    // supplier's State is then Delhi: a Leh buyer pays IGST, a Delhi buyer CGST + SGST.
    let moved = update_cooperative(
        &server,
        &admin,
        &sham,
        json!({ "gstin": "07AAAAS1234A1Z8", "stateCode": "07" }),
    )
    .await;
    assert!(
        user_errors(&moved, "cooperativeUpdate").is_empty(),
        "{moved}"
    );
    reverify(&server, &admin, &sham).await;
    let buyer = buyer_token(&server, "moved@example.org").await;
    let apricots = variant(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    add_to_cart(&server, Some(&buyer), None, &apricots["id"], 1).await;
    let to_leh = place_order(
        &server,
        &buyer,
        "moved-1",
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    let order = &to_leh["data"]["placeOrder"]["order"];
    assert_reconciles(order);
    assert!(int(&order["igst"]) > 0, "{to_leh}");
    assert_eq!(int(&order["utgst"]) + int(&order["cgst"]), 0, "{to_leh}");
    add_to_cart(&server, Some(&buyer), None, &apricots["id"], 1).await;
    let to_delhi = place_order(
        &server,
        &buyer,
        "moved-2",
        delhi(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    let order = &to_delhi["data"]["placeOrder"]["order"];
    assert_reconciles(order);
    assert_eq!(int(&order["igst"]), 0, "{to_delhi}");
    assert!(
        int(&order["sgst"]) > 0 && int(&order["cgst"]) > 0,
        "{to_delhi}"
    );
    Ok(())
}

async fn suppliers_without_gst_issue_bills_of_supply_and_sell_at_home_only(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let nubra = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let sham_staff = staff_token(&server, &admin, &sham, "STAFF").await;
    let nubra_staff = staff_token(&server, &admin, &nubra, "STAFF").await;

    // Sham gives up its GSTIN for a PAN-based enrolment; Nubra opts for composition.
    let enrolled = update_cooperative(
        &server,
        &admin,
        &sham,
        json!({ "gstin": "", "gstRegime": "ENROLLED" }),
    )
    .await;
    assert!(
        user_errors(&enrolled, "cooperativeUpdate").is_empty(),
        "{enrolled}"
    );
    reverify(&server, &admin, &sham).await;
    let composition = update_cooperative(
        &server,
        &admin,
        &nubra,
        json!({ "gstRegime": "COMPOSITION" }),
    )
    .await;
    assert!(
        user_errors(&composition, "cooperativeUpdate").is_empty(),
        "{composition}"
    );
    reverify(&server, &admin, &nubra).await;

    let apricots = variant(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    let juice = variant(&server, "nubra-leh-berry-juice-500ml", "NLBJ-500").await;
    let buyer = buyer_token(&server, "home-only@example.org").await;
    add_to_cart(&server, Some(&buyer), None, &apricots["id"], 2).await;
    add_to_cart(&server, Some(&buyer), None, &juice["id"], 1).await;

    // Neither may sell outside Ladakh: each line is refused with a reason.
    let away = place_order(
        &server,
        &buyer,
        "away",
        delhi(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    assert_eq!(
        error_fields(&away, "placeOrder"),
        ["input.cartToken", "input.cartToken"],
        "{away}"
    );
    for error in user_errors(&away, "placeOrder") {
        assert_eq!(error["code"], "NOT_ALLOWED", "{away}");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.contains("only within Ladakh") && message.contains("Delhi"),
            "{message}"
        );
    }

    // At home they sell, charging no GST: the price is all value.
    let home = place_order(
        &server,
        &buyer,
        "home",
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    assert!(user_errors(&home, "placeOrder").is_empty(), "{home}");
    let order = &home["data"]["placeOrder"]["order"];
    assert_reconciles(order);
    assert_eq!(
        int(&order["cgst"]) + int(&order["sgst"]) + int(&order["utgst"]) + int(&order["igst"]),
        0,
        "{home}"
    );
    assert_eq!(int(&order["taxableValue"]), int(&order["total"]));
    for fulfilment in order["fulfilments"].as_array().unwrap() {
        for line in fulfilment["lines"].as_array().unwrap() {
            assert_eq!(line["gstRateBp"], 0, "{line}");
        }
    }

    for (slug, staff, words) in [
        (
            "sham-apricot-growers-demo",
            &sham_staff,
            "enrolled for GST without a GSTIN",
        ),
        (
            "nubra-leh-berry-growers-demo",
            &nubra_staff,
            "composition taxable person, not eligible to collect tax on supplies",
        ),
    ] {
        let fulfilment = order["fulfilments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["cooperative"]["slug"] == slug)
            .unwrap();
        let shipped = ship(&server, staff, &fulfilment["id"]).await;
        let kinds: Vec<&Value> = shipped["fulfilments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| &f["documentKind"])
            .collect();
        assert!(kinds.iter().all(|k| *k == "BILL_OF_SUPPLY"), "{shipped}");
        let (html, figures) = fetch_document(&server, &buyer, &fulfilment["id"]).await;
        assert_eq!(figures.kind, "BILL_OF_SUPPLY");
        assert!(
            html.contains("<h1") && html.contains("Bill of supply"),
            "{html}"
        );
        assert!(!html.contains("Tax invoice"), "{html}");
        assert!(
            figures.taxes.is_empty(),
            "no tax column on a bill of supply: {html}"
        );
        assert_eq!(figures.total, int(&fulfilment["total"]));
        assert!(html.contains(words), "{slug} lacks {words}: {html}");
    }
    Ok(())
}

async fn nil_rated_goods_get_a_bill_of_supply_and_a_mixed_basket_an_invoice_cum_bill(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let staff = staff_token(&server, &admin, &sham, "STAFF").await;
    let fresh = variant(&server, "raktsey-karpo-fresh-apricots-2kg", "RKFR-2K").await;
    let dried = variant(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    let buyer = buyer_token(&server, "nil-rated@example.org").await;

    // Fresh apricots alone, to Delhi: nil-rated, so a bill of supply, and the supply is
    // still inter-State although no IGST is printed.
    add_to_cart(&server, Some(&buyer), None, &fresh["id"], 1).await;
    let nil = place_order(
        &server,
        &buyer,
        "nil",
        delhi(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    assert!(user_errors(&nil, "placeOrder").is_empty(), "{nil}");
    let order = &nil["data"]["placeOrder"]["order"];
    assert_reconciles(order);
    let fulfilment = order["fulfilments"][0]["id"].clone();
    ship(&server, &staff, &fulfilment).await;
    let (html, figures) = fetch_document(&server, &buyer, &fulfilment).await;
    assert_eq!(figures.kind, "BILL_OF_SUPPLY", "{html}");
    assert!(
        html.contains("Supply: <span class=\"supply\">inter-State</span>"),
        "{html}"
    );
    assert!(!html.contains("intra-State"), "{html}");
    assert!(html.contains("nil-rated or exempt"), "{html}");
    assert_eq!(figures.taxable, figures.total);

    // Fresh and dried together, in Leh: one invoice-cum-bill of supply, the dried
    // apricots taxed (CGST + UTGST), the fresh ones at 0%.
    add_to_cart(&server, Some(&buyer), None, &fresh["id"], 1).await;
    add_to_cart(&server, Some(&buyer), None, &dried["id"], 1).await;
    let mixed = place_order(
        &server,
        &buyer,
        "mixed",
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    assert!(user_errors(&mixed, "placeOrder").is_empty(), "{mixed}");
    let order = &mixed["data"]["placeOrder"]["order"];
    assert_reconciles(order);
    let fulfilment = order["fulfilments"][0]["id"].clone();
    let shipped = ship(&server, &staff, &fulfilment).await;
    assert_eq!(
        shipped["fulfilments"][0]["documentKind"],
        "INVOICE_CUM_BILL_OF_SUPPLY"
    );
    let (html, figures) = fetch_document(&server, &buyer, &fulfilment).await;
    assert_eq!(figures.kind, "INVOICE_CUM_BILL_OF_SUPPLY");
    assert!(html.contains("Invoice-cum-bill of supply"), "{html}");
    assert!(
        html.contains("Supply: <span class=\"supply\">intra-State</span>"),
        "{html}"
    );
    assert_eq!(
        figures.taxes.keys().map(String::as_str).collect::<Vec<_>>(),
        ["CGST", "UTGST"],
        "{html}"
    );
    assert!(figures.taxes.values().all(|t| *t > 0), "{html}");
    assert_eq!(figures.total, int(&order["total"]));

    // Dried apricots alone stay on a tax invoice.
    add_to_cart(&server, Some(&buyer), None, &dried["id"], 1).await;
    let taxed = place_order(
        &server,
        &buyer,
        "taxed",
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    let fulfilment = taxed["data"]["placeOrder"]["order"]["fulfilments"][0]["id"].clone();
    ship(&server, &staff, &fulfilment).await;
    let (html, figures) = fetch_document(&server, &buyer, &fulfilment).await;
    assert_eq!(figures.kind, "TAX_INVOICE");
    assert!(html.contains("Tax invoice"), "{html}");
    Ok(())
}

async fn cgst_and_utgst_are_equal_halves_on_every_line(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let staff = staff_token(&server, &admin, &sham, "STAFF").await;
    let dried = variant(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    let buyer = buyer_token(&server, "halves@example.org").await;
    add_to_cart(&server, Some(&buyer), None, &dried["id"], 2).await;
    let placed = place_order(
        &server,
        &buyer,
        "halves",
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    let order = &placed["data"]["placeOrder"]["order"];
    assert_reconciles(order);
    // Two at Rs 360 within Ladakh at 5%, by hand: each half is 720 × 0.05 / 2.10 =
    // 17.142…, Rs 17.14; the taxable value is 720 − 34.28 = Rs 685.72. (Splitting the
    // tax of 720 − 685.71 = 34.29 gave 17.14 and 17.15, which GSTR-1 refuses.)
    let goods = order["fulfilments"][0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "GOODS")
        .unwrap()
        .clone();
    assert_eq!(
        (
            int(&goods["total"]),
            int(&goods["taxableValue"]),
            int(&goods["cgst"]),
            int(&goods["utgst"])
        ),
        (72_000, 68_572, 1_714, 1_714),
        "{goods}"
    );
    for line in order["fulfilments"][0]["lines"].as_array().unwrap() {
        assert_eq!(line["cgst"], line["utgst"], "{line}");
    }
    let fulfilment = order["fulfilments"][0]["id"].clone();
    ship(&server, &staff, &fulfilment).await;
    let (html, figures) = fetch_document(&server, &buyer, &fulfilment).await;
    assert_eq!(figures.taxes["CGST"], figures.taxes["UTGST"], "{html}");
    assert!(
        html.contains("<td data-col=\"taxable\">685.72</td>"),
        "{html}"
    );
    Ok(())
}

async fn consignees_in_two_states_get_one_document_per_place_of_supply(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let nubra = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let staff = staff_token(&server, &admin, &nubra, "STAFF").await;
    let organisation = server
        .graphql_as(Some(&admin), "mutation { buyerOrganisationCreate(input: { name: \"Ministry of Health\", kind: UT_GOVERNMENT_DEPARTMENT }) { buyerOrganisation { id } } }", json!({}))
        .await;
    server
        .graphql_as(Some(&admin), "mutation($i: UserCreateInput!) { userCreate(input: $i) { errors { code } } }",
            json!({ "i": { "email": "gem@moh.example.org", "password": PASSWORD, "name": "Procurement", "role": "INSTITUTION",
                     "buyerOrganisationId": organisation["data"]["buyerOrganisationCreate"]["buyerOrganisation"]["id"] } }))
        .await;
    let institution = login(&server, "gem@moh.example.org").await;
    let bulk = variant(
        &server,
        "nubra-sea-buckthorn-juice-10l-institutional",
        "NSBJ-10L",
    )
    .await;
    let moq = int(&bulk["minOrderQuantity"]);
    add_to_cart(&server, Some(&institution), None, &bulk["id"], 2 * moq).await;
    let consignee = |name: &str, address: Value| json!({ "name": name, "address": address, "items": [{ "variantId": bulk["id"], "quantity": moq }] });
    let placed = place_order(
        &server,
        &institution,
        "two-states",
        leh(),
        "PURCHASE_ORDER",
        json!({ "institutional": { "gemContractNumber": "GEMC-511687700000001", "consignees": [
            consignee("District Hospital Leh", leh()),
            consignee("CGHS Wellness Centre Delhi", delhi()),
        ] } }),
    )
    .await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let order = &placed["data"]["placeOrder"]["order"];
    assert_reconciles(order);
    let fulfilments = order["fulfilments"].as_array().unwrap();
    assert_eq!(fulfilments.len(), 2, "one per place of supply: {order}");

    let mut numbers = Vec::new();
    for (fulfilment, place, state, mine, theirs, heads) in [
        (
            &fulfilments[0],
            "38",
            "Ladakh (State code 38)",
            "District Hospital Leh",
            "CGHS Wellness Centre Delhi",
            vec!["CGST", "UTGST"],
        ),
        (
            &fulfilments[1],
            "07",
            "Delhi (State code 07)",
            "CGHS Wellness Centre Delhi",
            "District Hospital Leh",
            vec!["IGST"],
        ),
    ] {
        for line in fulfilment["lines"].as_array().unwrap() {
            assert_eq!(line["placeOfSupply"], place, "{fulfilment}");
        }
        let shipped = ship(&server, &staff, &fulfilment["id"]).await;
        let number = shipped["fulfilments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == fulfilment["id"])
            .unwrap()["invoiceNumber"]
            .clone();
        numbers.push(number);
        let (html, figures) = fetch_document(&server, &institution, &fulfilment["id"]).await;
        assert_eq!(figures.kind, "TAX_INVOICE");
        assert_eq!(html.matches("Place of supply:").count(), 1, "{html}");
        assert!(
            html.contains(&format!("Place of supply: {state}")),
            "{html}"
        );
        assert!(html.contains(mine), "{html}");
        assert!(
            !html.contains(theirs),
            "only this document's consignees: {html}"
        );
        assert_eq!(
            figures
                .taxes
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .len(),
            heads.len(),
            "{html}"
        );
        for head in heads {
            assert!(figures.taxes[head] > 0, "{head}: {html}");
        }
        assert_eq!(figures.total, int(&fulfilment["total"]));
    }
    assert_ne!(numbers[0], numbers[1], "two documents, two numbers");
    Ok(())
}

async fn documents_show_per_head_rates_the_operator_and_their_copy(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(
        backend,
        ServerOptions::seeded()
            .env("PLATFORM_GSTIN", "38AAECL4321K1ZF")
            .env("PLATFORM_LEGAL_NAME", "Ladakh Marketplace Foundation"),
    )
    .await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let staff = staff_token(&server, &admin, &sham, "STAFF").await;
    let dried = variant(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    let buyer = buyer_token(&server, "copies@example.org").await;
    let mut fulfilments = Vec::new();
    for (key, address) in [("copies-leh", leh()), ("copies-delhi", delhi())] {
        add_to_cart(&server, Some(&buyer), None, &dried["id"], 1).await;
        let placed =
            place_order(&server, &buyer, key, address, "CASH_ON_DELIVERY", json!({})).await;
        let fulfilment = placed["data"]["placeOrder"]["order"]["fulfilments"][0]["id"].clone();
        ship(&server, &staff, &fulfilment).await;
        fulfilments.push(fulfilment);
    }

    // Within Ladakh: CGST and UTGST each at half the 5% rate.
    let (html, _) = fetch_document(&server, &buyer, &fulfilments[0]).await;
    assert!(
        html.contains("<th>CGST rate</th><th>CGST</th><th>UTGST rate</th><th>UTGST</th>"),
        "{html}"
    );
    assert_eq!(
        html.matches("<td>2.50%</td>").count(),
        4,
        "goods and shipping, two heads: {html}"
    );
    assert!(
        html.contains("Original for recipient"),
        "the default copy: {html}"
    );
    assert!(
        html.contains("Supplied through the e-commerce operator Ladakh Marketplace Foundation, GSTIN 38AAECL4321K1ZF"),
        "{html}"
    );
    // To Delhi: IGST at the whole rate.
    let (html, _) = fetch_document(&server, &buyer, &fulfilments[1]).await;
    assert!(html.contains("<th>IGST rate</th><th>IGST</th>"), "{html}");
    assert_eq!(html.matches("<td>5.00%</td>").count(), 2, "{html}");

    // The three copies of a goods document, each marked for whom it is.
    let id = fulfilments[0].as_str().unwrap();
    for (copy, marking) in [
        ("original", "Original for recipient"),
        ("duplicate", "Duplicate for transporter"),
        ("triplicate", "Triplicate for supplier"),
    ] {
        let response = server
            .client
            .get(server.url(&format!("/invoices/{id}?copy={copy}")))
            .bearer_auth(&staff)
            .send()
            .await?;
        assert_eq!(response.status(), 200);
        let html = response.text().await?;
        crate::support::documents::assert_document_adds_up(&html);
        assert!(html.contains(marking), "{copy}: {html}");
    }
    let bogus = server
        .client
        .get(server.url(&format!("/invoices/{id}?copy=quadruplicate")))
        .bearer_auth(&staff)
        .send()
        .await?;
    assert_eq!(bogus.status(), 400);
    Ok(())
}

async fn the_rate_in_force_on_the_invoice_date_applies(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let staff = staff_token(&server, &admin, &sham, "STAFF").await;
    let dried = variant(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    let buyer = buyer_token(&server, "straddle@example.org").await;
    add_to_cart(&server, Some(&buyer), None, &dried["id"], 1).await;
    let placed = place_order(
        &server,
        &buyer,
        "straddle",
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    let order = placed["data"]["placeOrder"]["order"].clone();
    assert_eq!(
        order["fulfilments"][0]["lines"][0]["gstRateBp"], 500,
        "{order}"
    );
    let total = int(&order["total"]);

    // A rate notification takes effect before the goods ship: the operator installs the
    // new table (dried apricots at 18%) and restarts the server.
    let staff_email = staff_email(&server, &staff).await;
    let database = server.stop().await;
    let built_in: Value =
        serde_json::from_str(include_str!("../../../data/reference/gst_rates.json"))?;
    let from = (chrono::Utc::now() - chrono::Duration::days(1))
        .date_naive()
        .to_string();
    let mut rates: Vec<Value> = built_in["rates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["hsn_prefix"] != "0813")
        .cloned()
        .collect();
    rates.push(
        json!({ "hsn_prefix": "0813", "effective_from": from, "rate_bp": 1800, "confirmed": true }),
    );
    std::fs::write(
        database.data_path().join("gst_rates.json"),
        serde_json::to_string(&json!({ "rates": rates }))?,
    )?;
    let server = TestServer::spawn_on(database, ServerOptions::default()).await?;
    let staff = login(&server, &staff_email).await;
    let buyer = login(&server, "straddle@example.org").await;
    let fulfilment = order["fulfilments"][0]["id"].clone();
    let shipped = ship(&server, &staff, &fulfilment).await;
    assert_reconciles(&shipped);
    // The buyer pays what was agreed; the split follows 18%. By hand, within Ladakh:
    // goods Rs 360: each half 360 × 0.18 / 2.36 = 27.457…, Rs 27.46; taxable
    // 360 − 54.92 = Rs 305.08. Shipping Rs 60 (a parcel over 500 g in Ladakh): each
    // half 60 × 0.18 / 2.36 = 4.576…, Rs 4.58; taxable 60 − 9.16 = Rs 50.84.
    assert_eq!(int(&shipped["total"]), total);
    let lines: Vec<(i64, i64, i64, i64)> = shipped["fulfilments"][0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                int(&l["gstRateBp"]),
                int(&l["taxableValue"]),
                int(&l["cgst"]),
                int(&l["utgst"]),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [(1_800, 30_508, 2_746, 2_746), (1_800, 5_084, 458, 458)]
    );
    assert_eq!(int(&shipped["taxableValue"]), 30_508 + 5_084);
    let (html, figures) = fetch_document(&server, &buyer, &fulfilment).await;
    assert_eq!(figures.taxable, 35_592, "{html}");
    assert_eq!(html.matches("<td>9.00%</td>").count(), 4, "{html}");
    Ok(())
}

/// The email a staff token was issued for.
async fn staff_email(server: &TestServer, token: &str) -> String {
    let me = server
        .graphql_as(Some(token), "{ me { email } }", json!({}))
        .await;
    me["data"]["me"]["email"]
        .as_str()
        .unwrap_or_else(|| panic!("{me}"))
        .to_owned()
}
