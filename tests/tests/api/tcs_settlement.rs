//! TCS (CGST s.52) only where the platform collects the money, split by head, with
//! returns taken in the month of their credit note; GSTR-1 table 14 by the same rule;
//! and the settlement statement as the cash the platform handled for a cooperative.
//!
//! Figures worked out by hand (see gst_returns.rs for the prices and shipping):
//! - A, Leh, bank transfer into the marketplace's account: Rs 420, taxable 400.00
//!   within Ladakh → TCS CGST 0.25% = 1.00 + UTGST 1.00 = 2.00. Rs 210 refunded later:
//!   its credit note's taxable value is 171.42 + 28.58 = 200.00.
//! - B, Delhi, registered buyer, bank transfer to the marketplace: Rs 850, taxable
//!   809.52 between States → IGST 0.5% = 4.0476 → 4.05.
//! - D, Leh, bank transfer to the marketplace: Rs 600 of fresh apricots, nil-rated →
//!   no TCS.
//! - C, Leh, cash on delivery (the cooperative's courier collects it): Rs 420 → no TCS,
//!   not in the settlement.
//! - E, Leh, bank transfer into the cooperative's own account: Rs 420 → no TCS, not in
//!   the settlement.

use serde_json::{Value, json};

use crate::{
    both_backends,
    channels::{list, push_options},
    orders::{add_to_cart, delhi, int, leh, order, place_order, transition, variant},
    support::{
        Backend, ServerOptions, TestServer,
        channel_sim::ChannelSim,
        flows::{
            PASSWORD, admin_token, buyer_token, cooperative_id, login, product_id, staff_token,
            user_errors,
        },
        stripe_fake,
    },
    tax_documents::{reverify, update_cooperative},
};

both_backends!(
    tcs_follows_the_money_and_the_settlement_is_cash,
    tcs_is_not_collected_on_gem_contracts_channel_orders_or_unregistered_suppliers,
);

const PLATFORM_GSTIN: &str = "38AAECL4321K1ZF";
const SHAM_GSTIN: &str = "38AAAAS1234A1Z3";
const BUYER_GSTIN: &str = "07AAAAS1234A1Z8";
const CHANNEL_SECRET: &str = "channel-webhook-secret";

async fn ship(server: &TestServer, staff: &str, fulfilment: &Value) {
    let packed = transition(
        server,
        staff,
        "fulfilmentPack",
        json!({ "fulfilmentId": fulfilment }),
    )
    .await;
    assert!(
        user_errors(&packed, "fulfilmentPack").is_empty(),
        "{packed}"
    );
    let shipped = transition(
        server,
        staff,
        "fulfilmentShip",
        json!({ "fulfilmentId": fulfilment, "carrier": "India Post", "trackingNumber": "EL1IN" }),
    )
    .await;
    assert!(
        user_errors(&shipped, "fulfilmentShip").is_empty(),
        "{shipped}"
    );
}

/// Places a one-line order, pays it when it is a bank transfer, and ships it: the
/// order and its fulfilment.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn sell(
    server: &TestServer,
    buyer: &str,
    admin: &str,
    manager: &str,
    key: &str,
    (slug, sku): (&str, &str),
    address: Value,
    method: &str,
) -> (Value, Value) {
    let v = variant(server, slug, sku).await;
    add_to_cart(server, Some(buyer), None, &v["id"], 1).await;
    let placed = place_order(server, buyer, key, address, method, json!({})).await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let placed = placed["data"]["placeOrder"]["order"].clone();
    if method == "BANK_TRANSFER" {
        let paid = transition(
            server,
            admin,
            "paymentMarkReceived",
            json!({ "orderId": placed["id"], "amountPaise": placed["total"], "reference": format!("NEFT-{key}") }),
        )
        .await;
        assert_eq!(
            paid["data"]["paymentMarkReceived"]["order"]["status"], "PAID",
            "{paid}"
        );
    }
    let fulfilment = placed["fulfilments"][0]["id"].clone();
    ship(server, manager, &fulfilment).await;
    (placed["id"].clone(), fulfilment)
}

/// The platform's GSTR-8 file for a period (`mmyyyy`), as the admin exports it.
async fn gstr8(server: &TestServer, admin: &str, period: &str) -> Value {
    let body = server
        .graphql_as(
            Some(admin),
            "query($p: String!) { gstr8Export(period: $p) }",
            json!({ "p": period }),
        )
        .await;
    let file = body["data"]["gstr8Export"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"));
    serde_json::from_str(file).unwrap()
}

async fn tcs_of(server: &TestServer, admin: &str, order_id: &Value) -> i64 {
    int(&order(server, admin, order_id).await["fulfilments"][0]["tcs"])
}

async fn tcs_follows_the_money_and_the_settlement_is_cash(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(
        backend,
        ServerOptions::seeded()
            .env("PLATFORM_GSTIN", PLATFORM_GSTIN)
            .env("MARKETPLACE_PAYEE_ACCOUNT_NAME", "Ladakh Market Pvt Ltd")
            .env("MARKETPLACE_PAYEE_ACCOUNT_NUMBER", "50100234567890")
            .env("MARKETPLACE_PAYEE_IFSC", "HDFC0001234"),
    )
    .await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let manager = staff_token(&server, &admin, &sham, "MANAGER").await;
    let buyer = buyer_token(&server, "tcs@example.org").await;
    let dried = ("raktsey-karpo-dried-apricots-500g", "RKDA-500");
    let mut registered_delhi = delhi();
    registered_delhi["gstin"] = json!(BUYER_GSTIN);

    let a = sell(
        &server,
        &buyer,
        &admin,
        &manager,
        "a",
        dried,
        leh(),
        "BANK_TRANSFER",
    )
    .await;
    let b = sell(
        &server,
        &buyer,
        &admin,
        &manager,
        "b",
        ("raktsey-karpo-dried-apricots-500g", "RKDA-1000"),
        registered_delhi,
        "BANK_TRANSFER",
    )
    .await;
    let d = sell(
        &server,
        &buyer,
        &admin,
        &manager,
        "d",
        ("raktsey-karpo-fresh-apricots-2kg", "RKFR-2K"),
        leh(),
        "BANK_TRANSFER",
    )
    .await;
    let c = sell(
        &server,
        &buyer,
        &admin,
        &manager,
        "c",
        dried,
        leh(),
        "CASH_ON_DELIVERY",
    )
    .await;
    let cash = server
        .graphql_as(
            Some(&admin),
            "mutation($i: FulfilmentCashCollectedInput!) { fulfilmentCashCollected(input: $i) { errors { field code message } } }",
            json!({ "i": { "fulfilmentId": c.1, "amountPaise": 42000, "reference": "CASH-C" } }),
        )
        .await;
    assert!(
        user_errors(&cash, "fulfilmentCashCollected").is_empty(),
        "{cash}"
    );
    // From now on a bank transfer for Sham alone goes into Sham's own account.
    let account = server
        .graphql_as(
            Some(&manager),
            "mutation($i: CooperativePayoutAccountSetInput!) { cooperativePayoutAccountSet(input: $i) { errors { field code message } } }",
            json!({ "i": { "cooperativeId": sham, "accountName": "Sham Apricot Growers Cooperative Society",
                           "accountNumber": "912010012345678", "ifsc": "SBIN0001234" } }),
        )
        .await;
    assert!(
        user_errors(&account, "cooperativePayoutAccountSet").is_empty(),
        "{account}"
    );
    let e = sell(
        &server,
        &buyer,
        &admin,
        &manager,
        "e",
        dried,
        leh(),
        "BANK_TRANSFER",
    )
    .await;

    // TCS on each invoice: by the platform's collection, on taxed value only.
    assert_eq!(tcs_of(&server, &admin, &a.0).await, 200, "A: 1.00 + 1.00");
    assert_eq!(tcs_of(&server, &admin, &b.0).await, 405, "B: IGST 4.05");
    assert_eq!(tcs_of(&server, &admin, &d.0).await, 0, "D is nil-rated");
    assert_eq!(
        tcs_of(&server, &admin, &c.0).await,
        0,
        "C's cash went to the cooperative"
    );
    assert_eq!(
        tcs_of(&server, &admin, &e.0).await,
        0,
        "E was paid to the cooperative"
    );

    // A refund's credit note takes TCS back in its own month; the invoice is not rewritten.
    let refunded = server
        .graphql_as(
            Some(&admin),
            "mutation($i: OrderRefundInput!) { orderRefund(input: $i) { refund { status } errors { field code message } } }",
            json!({ "i": { "orderId": a.0, "fulfilmentId": a.1, "amountPaise": 21000,
                           "reason": "half the pouch spoilt", "idempotencyKey": "tcs-a" } }),
        )
        .await;
    assert_eq!(
        refunded["data"]["orderRefund"]["refund"]["status"], "SUCCEEDED",
        "{refunded}"
    );
    assert_eq!(
        tcs_of(&server, &admin, &a.0).await,
        200,
        "the invoice's TCS stays"
    );

    // GSTR-8: supplies R 809.52 (B), U 400.00 (A); returns U 200.00 (A's credit note);
    // net within Ladakh 200.00 → 0.50 + 0.50; between States 809.52 → 4.05.
    let today = chrono::Utc::now().date_naive();
    let india_today = (chrono::Utc::now() + chrono::Duration::minutes(330)).date_naive();
    let period = india_today.format("%m%Y").to_string();
    assert_eq!(
        gstr8(&server, &admin, &period).await,
        json!({ "gstin": PLATFORM_GSTIN, "fp": period, "tcs": [{
            "stin": SHAM_GSTIN, "supR": 809.52, "retsupR": 0.0, "supU": 400.00, "retsupU": 200.00,
            "amt": 1009.52, "iamt": 4.05, "camt": 0.50, "samt": 0.50
        }] })
    );

    // The settlement: the platform collected A, B and D (420 + 850 + 600 = 1,870.00),
    // refunded 210.00, kept TCS 0.50 + 0.50 + 4.05 = 5.05, and owes 1,654.95. C and E
    // never passed through it.
    let statement = server
        .graphql_as(
            Some(&manager),
            "query($c: ID!, $f: NaiveDate!, $t: NaiveDate!) { settlementStatement(cooperativeId: $c, from: $f, to: $t) {
                invoices grossSales collected refunds tcs tcsCgst tcsSgst tcsIgst netPayable } }",
            json!({ "c": sham, "f": (today - chrono::Duration::days(1)).to_string(), "t": (today + chrono::Duration::days(1)).to_string() }),
        )
        .await;
    assert_eq!(
        statement["data"]["settlementStatement"],
        json!({ "invoices": 3, "grossSales": 187000, "collected": 187000, "refunds": 21000,
                "tcs": 505, "tcsCgst": 50, "tcsSgst": 50, "tcsIgst": 405, "netPayable": 165495 }),
        "{statement}"
    );

    // GSTR-1 table 14 (`supeco`): only the supplies whose money the platform collected,
    // on taxed value: A 400.00 (10.00 + 10.00) and B 809.52 (IGST 40.48), net of A's
    // credit note 200.00 (5.00 + 5.00) = 1,009.52. D is nil-rated; C's cash and E's
    // transfer went to the cooperative, so the platform collected no TCS on them.
    let gstr1 = server
        .graphql_as(
            Some(&manager),
            "query($c: ID!, $p: String!) { gstr1Export(cooperativeId: $c, period: $p) }",
            json!({ "c": sham, "p": period }),
        )
        .await;
    let gstr1: Value = serde_json::from_str(gstr1["data"]["gstr1Export"].as_str().unwrap())?;
    crate::gst_returns::assert_gstr1_layout(&gstr1);
    assert_eq!(
        gstr1["supeco"],
        json!({ "clttx": [{ "etin": PLATFORM_GSTIN, "suppval": 1009.52, "igst": 40.48,
                            "cgst": 5.00, "sgst": 5.00, "cess": 0.0 }] })
    );

    // Table 7 names the operator only on the supplies it collected TCS on: A (400.00,
    // net of its credit note 200.00 → 200.00, 5.00 + 5.00) is type `E`; C's cash and
    // E's transfer to the cooperative (400.00 each → 800.00, 20.00 + 20.00) are `OE`.
    // D is nil-rated (table 8); B went to a registered buyer (B2B).
    assert_eq!(
        gstr1["b2cs"],
        json!([
            { "sply_ty": "INTRA", "pos": "38", "typ": "OE",
              "txval": 800.00, "rt": 5, "camt": 20.00, "samt": 20.00, "csamt": 0.0 },
            { "sply_ty": "INTRA", "pos": "38", "typ": "E", "etin": PLATFORM_GSTIN,
              "txval": 200.00, "rt": 5, "camt": 5.00, "samt": 5.00, "csamt": 0.0 },
        ])
    );

    // The same credit note dated in the next month: this month is reported as if it had
    // not been issued (A's 400.00 within Ladakh → 1.00 + 1.00), the next month carries the
    // return alone (−200.00 → −0.50 + −0.50), and neither rewrites the other.
    let (month, year): (u32, i32) = (period[..2].parse()?, period[2..].parse()?);
    let (next_month, next_year) = if month == 12 {
        (1, year + 1)
    } else {
        (month + 1, year)
    };
    let next = format!("{next_month:02}{next_year:04}");
    let db = sea_orm::Database::connect(server.database.url.clone()).await?;
    let moved = sea_orm::ConnectionTrait::execute_unprepared(
        &db,
        &format!(
            "UPDATE tax_notes SET note_date = '{next_year:04}-{next_month:02}-01' WHERE kind = 'CREDIT_NOTE'"
        ),
    )
    .await?;
    assert_eq!(moved.rows_affected(), 1, "one credit note in this test");
    assert_eq!(
        gstr8(&server, &admin, &period).await,
        json!({ "gstin": PLATFORM_GSTIN, "fp": period, "tcs": [{
            "stin": SHAM_GSTIN, "supR": 809.52, "retsupR": 0.0, "supU": 400.00, "retsupU": 0.0,
            "amt": 1209.52, "iamt": 4.05, "camt": 1.00, "samt": 1.00
        }] })
    );
    assert_eq!(
        gstr8(&server, &admin, &next).await,
        json!({ "gstin": PLATFORM_GSTIN, "fp": next, "tcs": [{
            "stin": SHAM_GSTIN, "supR": 0.0, "retsupR": 0.0, "supU": 0.0, "retsupU": 200.00,
            "amt": -200.00, "iamt": 0.0, "camt": -0.50, "samt": -0.50
        }] })
    );
    Ok(())
}

/// No TCS where the platform does not collect the consideration or the supplier has no
/// GSTIN, and none of those supplies is reported against the operator: a GeM contract
/// (the buyer's organisation pays the cooperative), an order that came through NCUI
/// Haat (the channel settles), and a supplier enrolled without a GSTIN paid into the
/// marketplace's account (it charges no GST and has no GSTIN to credit TCS to).
async fn tcs_is_not_collected_on_gem_contracts_channel_orders_or_unregistered_suppliers(
    backend: Backend,
) -> anyhow::Result<()> {
    let gem = ChannelSim::start("GEM").await?;
    let ncui = ChannelSim::start("NCUI_HAAT").await?;
    let server = TestServer::spawn(
        backend,
        push_options(&gem, &ncui)
            .env("NCUI_HAAT_WEBHOOK_SECRET", CHANNEL_SECRET)
            .env("PLATFORM_GSTIN", PLATFORM_GSTIN)
            .env("MARKETPLACE_PAYEE_ACCOUNT_NAME", "Ladakh Market Pvt Ltd")
            .env("MARKETPLACE_PAYEE_ACCOUNT_NUMBER", "50100234567890")
            .env("MARKETPLACE_PAYEE_IFSC", "HDFC0001234"),
    )
    .await?;
    let admin = admin_token(&server).await;
    let nubra = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let nubra_staff = staff_token(&server, &admin, &nubra, "STAFF").await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let sham_manager = staff_token(&server, &admin, &sham, "MANAGER").await;

    // An order through NCUI Haat, Ladakh to Karnataka, shipped: its invoice bears IGST.
    let juice_id = product_id(&server, None, "nubra-leh-berry-juice-500ml").await;
    let listed = list(&server, &admin, &juice_id, "NCUI_HAAT").await;
    assert!(user_errors(&listed, "listOnChannel").is_empty(), "{listed}");
    let juice = variant(&server, "nubra-leh-berry-juice-500ml", "NLBJ-500").await;
    let payload = json!({ "channelOrderId": "NH-TCS-1",
        "buyer": { "name": "Priya Nair", "phone": "9812345678", "line1": "4 MG Road", "city": "Bengaluru",
                   "pinCode": "560001", "stateCode": "29" },
        "items": [{ "listingKey": juice_id, "sku": "NLBJ-500", "quantity": 2,
                    "unitPricePaise": juice["price"]["amount"] }] })
    .to_string();
    let accepted: Value = server
        .client
        .post(server.url("/channels/ncui-haat/orders"))
        .header("Content-Type", "application/json")
        .header(
            "X-Channel-Signature",
            stripe_fake::signature(CHANNEL_SECRET, chrono::Utc::now().timestamp(), &payload),
        )
        .body(payload)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(accepted["status"], "ACCEPTED", "{accepted}");
    let channel_order = order(&server, &admin, &accepted["orderId"]).await;
    ship(
        &server,
        &nubra_staff,
        &channel_order["fulfilments"][0]["id"],
    )
    .await;

    // A GeM contract for the institutional pack, shipped to one consignee in Leh.
    let organisation = server
        .graphql_as(Some(&admin), "mutation { buyerOrganisationCreate(input: { name: \"SNM Hospital Leh\", kind: UT_GOVERNMENT_DEPARTMENT }) { buyerOrganisation { id } } }", json!({}))
        .await;
    let created = server
        .graphql_as(Some(&admin), "mutation($i: UserCreateInput!) { userCreate(input: $i) { errors { code } } }",
            json!({ "i": { "email": "stores@snm.example.org", "password": PASSWORD, "name": "Stores", "role": "INSTITUTION",
                     "buyerOrganisationId": organisation["data"]["buyerOrganisationCreate"]["buyerOrganisation"]["id"] } }))
        .await;
    assert!(user_errors(&created, "userCreate").is_empty(), "{created}");
    let institution = login(&server, "stores@snm.example.org").await;
    let bulk = variant(
        &server,
        "nubra-sea-buckthorn-juice-10l-institutional",
        "NSBJ-10L",
    )
    .await;
    let moq = int(&bulk["minOrderQuantity"]);
    add_to_cart(&server, Some(&institution), None, &bulk["id"], moq).await;
    let contract = place_order(&server, &institution, "gem-tcs", leh(), "PURCHASE_ORDER",
        json!({ "institutional": { "gemContractNumber": "GEMC-511687799990002", "consignees": [
            { "name": "SNM Hospital stores", "address": leh(), "items": [{ "variantId": bulk["id"], "quantity": moq }] }
        ] } })).await;
    assert!(
        user_errors(&contract, "placeOrder").is_empty(),
        "{contract}"
    );
    let contract = contract["data"]["placeOrder"]["order"].clone();
    ship(&server, &nubra_staff, &contract["fulfilments"][0]["id"]).await;

    // Sham gives up its GSTIN for a PAN-based enrolment, then sells at home; the buyer
    // pays into the marketplace's account.
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
    let buyer = buyer_token(&server, "no-tcs@example.org").await;
    let (enrolled_sale, _) = sell(
        &server,
        &buyer,
        &admin,
        &sham_manager,
        "enrolled",
        ("raktsey-karpo-dried-apricots-500g", "RKDA-500"),
        leh(),
        "BANK_TRANSFER",
    )
    .await;
    let enrolled_sale = order(&server, &admin, &enrolled_sale).await;
    assert_eq!(
        enrolled_sale["paymentReceived"], enrolled_sale["total"],
        "{enrolled_sale}"
    );

    // None of the three invoices carries TCS, though the first two bear GST.
    for (what, placed) in [
        ("channel order", &channel_order),
        ("GeM contract", &contract),
        ("enrolled supplier", &enrolled_sale),
    ] {
        assert_eq!(tcs_of(&server, &admin, &placed["id"]).await, 0, "{what}");
    }
    assert!(int(&order(&server, &admin, &channel_order["id"]).await["igst"]) > 0);
    let contract = order(&server, &admin, &contract["id"]).await;
    assert!(int(&contract["cgst"]) + int(&contract["utgst"]) + int(&contract["sgst"]) > 0);

    // GSTR-8: the platform declares no supply this month.
    let india_today = (chrono::Utc::now() + chrono::Duration::minutes(330)).date_naive();
    let period = india_today.format("%m%Y").to_string();
    assert_eq!(
        gstr8(&server, &admin, &period).await,
        json!({ "gstin": PLATFORM_GSTIN, "fp": period, "tcs": [] })
    );

    // Nubra's GSTR-1: both supplies are in table 7 (unregistered buyers), neither
    // against the operator, and table 14 is empty.
    let gstr1 = server
        .graphql_as(
            Some(&admin),
            "query($c: ID!, $p: String!) { gstr1Export(cooperativeId: $c, period: $p) }",
            json!({ "c": nubra, "p": period }),
        )
        .await;
    let gstr1: Value = serde_json::from_str(
        gstr1["data"]["gstr1Export"]
            .as_str()
            .unwrap_or_else(|| panic!("{gstr1}")),
    )?;
    crate::gst_returns::assert_gstr1_layout(&gstr1);
    assert_eq!(gstr1["supeco"], json!({ "clttx": [] }));
    let b2cs = gstr1["b2cs"].as_array().unwrap();
    let places: Vec<(&str, &str)> = b2cs
        .iter()
        .map(|row| {
            (
                row["sply_ty"].as_str().unwrap(),
                row["pos"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(places, [("INTER", "29"), ("INTRA", "38")], "{gstr1}");
    for row in b2cs {
        assert_eq!(row["typ"], "OE", "{row}");
        assert!(row.get("etin").is_none(), "{row}");
    }

    // The settlements: the platform handled none of Nubra's money; it holds all of
    // the enrolled Sham's sale and keeps no TCS from it.
    let today = chrono::Utc::now().date_naive();
    let statement = |cooperative: &str| {
        let (server, admin) = (&server, &admin);
        let cooperative = cooperative.to_owned();
        async move {
            server
                .graphql_as(
                    Some(admin),
                    "query($c: ID!, $f: NaiveDate!, $t: NaiveDate!) { settlementStatement(cooperativeId: $c, from: $f, to: $t) {
                        invoices grossSales collected refunds tcs netPayable } }",
                    json!({ "c": cooperative, "f": (today - chrono::Duration::days(1)).to_string(),
                            "t": (today + chrono::Duration::days(1)).to_string() }),
                )
                .await["data"]["settlementStatement"]
                .clone()
        }
    };
    assert_eq!(
        statement(&nubra).await,
        json!({ "invoices": 0, "grossSales": 0, "collected": 0, "refunds": 0, "tcs": 0, "netPayable": 0 })
    );
    let total = int(&enrolled_sale["total"]);
    assert_eq!(
        statement(&sham).await,
        json!({ "invoices": 1, "grossSales": total, "collected": total, "refunds": 0, "tcs": 0, "netPayable": total })
    );
    Ok(())
}
