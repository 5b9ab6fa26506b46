//! GST return exports: a cooperative's GSTR-1 and the platform's GSTR-8 as JSON in
//! the GST portal's offline-tool layout, over GraphQL and from the command line.
//!
//! Every expected figure below is worked out by hand from the seeded prices, weights
//! and the shipping table (data/reference/shipping_rates.json), never by the code
//! under test:
//! - A, Leh, unregistered: 1 × RKDA-500 at Rs 360 (520 g) + shipping Rs 40 + Rs 20
//!   (one extra 500 g slab) = Rs 420 at 5%, intra-UT: goods 342.86 + 8.57 + 8.57,
//!   shipping 57.14 + 1.43 + 1.43 (docs/ORDERS.md's example): taxable 400.00, CGST
//!   10.00, UTGST 10.00.
//! - B, Delhi, unregistered: 31 × RKDA-5K at Rs 3,250 = Rs 1,00,750 (164,300 g);
//!   shipping to the NORTH zone Rs 80 + 328 extra slabs × Rs 40 = Rs 13,200; value Rs
//!   1,13,950 > Rs 1,00,000, so B2CL. IGST 5%: goods 10,075,000 × 10000 / 10500 =
//!   9,595,238.1 → 9,595,238 paise taxable, IGST 479,762; shipping 1,320,000 → taxable
//!   1,257,142.9 → 1,257,143, IGST 62,857: taxable 108,523.81, IGST 5,426.19.
//! - C, Delhi, registered (GSTIN 07AAAAS1234A1Z8): 1 × RKDA-1000 at Rs 690 (1,030 g) +
//!   shipping Rs 80 + 2 × Rs 40 = Rs 850; goods 65,714.3 → 65,714 + IGST 3,286,
//!   shipping 15,238.1 → 15,238 + IGST 762: taxable 809.52, IGST 40.48.
//! - D, Leh, unregistered: 1 × RKFR-2K fresh apricots at Rs 480 (nil-rated, 2,300 g)
//!   + shipping Rs 40 + 4 × Rs 20 = Rs 600, all at 0% (shipping follows its goods).

use serde_json::{Value, json};

use crate::{
    both_backends,
    orders::{add_to_cart, delhi, leh, place_order, variant},
    support::{
        Backend, ServerOptions, TestServer,
        documents::{fetch_document, fetch_note},
        error_code,
        flows::{admin_token, buyer_token, cooperative_id, error_fields, staff_token, user_errors},
    },
};

both_backends!(
    gstr1_reports_each_section_from_the_documents,
    gstr8_reports_tcs_per_supplier_with_returns_in_their_month,
    eway_bills_cover_consignments_above_the_threshold,
    notes_are_reported_in_the_month_of_the_note,
    invoices_are_cancelled_until_the_return_is_filed,
    einvoices_follow_inv01_for_registered_buyers_above_the_threshold,
);

const PLATFORM_GSTIN: &str = "38AAECL4321K1ZF";
const SHAM_GSTIN: &str = "38AAAAS1234A1Z3";
const BUYER_GSTIN: &str = "07AAAAS1234A1Z8";

struct Month {
    server: TestServer,
    admin: String,
    manager: String,
    sham: String,
    /// Invoice numbers of A, B, C and D.
    numbers: Vec<String>,
    /// Invoice dates (`dd-mm-yyyy`) of A, B, C and D.
    dates: Vec<String>,
    period: String,
    /// Order and fulfilment of A (refunded in the GSTR-8 test).
    a: (Value, Value),
    /// Fulfilments of A, B, C and D.
    fulfilments: Vec<Value>,
    /// Orders of A, B, C and D.
    orders: Vec<Value>,
}

async fn ship(server: &TestServer, staff: &str, fulfilment: &Value) -> Value {
    for (mutation, input, input_type) in [
        (
            "fulfilmentPack",
            json!({ "fulfilmentId": fulfilment }),
            "FulfilmentInput",
        ),
        (
            "fulfilmentShip",
            json!({ "fulfilmentId": fulfilment, "carrier": "India Post", "trackingNumber": "EL1IN" }),
            "FulfilmentShipInput",
        ),
    ] {
        let body = server
            .graphql_as(
                Some(staff),
                &format!("mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ errors {{ field code message }} order {{ fulfilments {{ id invoiceNumber invoiceDate }} }} }} }}"),
                json!({ "i": input }),
            )
            .await;
        assert!(user_errors(&body, mutation).is_empty(), "{body}");
        if mutation == "fulfilmentShip" {
            return body["data"][mutation]["order"]["fulfilments"][0].clone();
        }
    }
    unreachable!()
}

/// Places the four orders of the module's comment and ships them.
async fn month_of_sales(backend: Backend) -> anyhow::Result<Month> {
    let server = TestServer::spawn(
        backend,
        ServerOptions::seeded().env("PLATFORM_GSTIN", PLATFORM_GSTIN),
    )
    .await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let manager = staff_token(&server, &admin, &sham, "MANAGER").await;
    let buyer = buyer_token(&server, "returns@example.org").await;
    let mut registered_delhi = delhi();
    registered_delhi["gstin"] = json!(BUYER_GSTIN);
    let orders = [
        (
            "a",
            "raktsey-karpo-dried-apricots-500g",
            "RKDA-500",
            1,
            leh(),
        ),
        (
            "b",
            "raktsey-karpo-dried-apricots-5kg-institutional",
            "RKDA-5K",
            31,
            delhi(),
        ),
        (
            "c",
            "raktsey-karpo-dried-apricots-500g",
            "RKDA-1000",
            1,
            registered_delhi,
        ),
        ("d", "raktsey-karpo-fresh-apricots-2kg", "RKFR-2K", 1, leh()),
    ];
    let (mut numbers, mut dates, mut a) = (Vec::new(), Vec::new(), (Value::Null, Value::Null));
    let (mut fulfilments, mut order_ids) = (Vec::new(), Vec::new());
    for (key, slug, sku, quantity, address) in orders {
        let v = variant(&server, slug, sku).await;
        add_to_cart(&server, Some(&buyer), None, &v["id"], quantity).await;
        let placed =
            place_order(&server, &buyer, key, address, "CASH_ON_DELIVERY", json!({})).await;
        assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
        let order = &placed["data"]["placeOrder"]["order"];
        let fulfilment = order["fulfilments"][0]["id"].clone();
        let shipped = ship(&server, &manager, &fulfilment).await;
        numbers.push(shipped["invoiceNumber"].as_str().unwrap().to_owned());
        // invoiceDate is yyyy-mm-dd; the portal writes dd-mm-yyyy.
        let date = shipped["invoiceDate"].as_str().unwrap();
        dates.push(format!("{}-{}-{}", &date[8..10], &date[5..7], &date[0..4]));
        if key == "a" {
            a = (order["id"].clone(), fulfilment.clone());
        }
        fulfilments.push(fulfilment);
        order_ids.push(order["id"].clone());
    }
    let period = dates[0][3..].replace('-', "");
    assert!(
        dates.iter().all(|d| d[3..].replace('-', "") == period),
        "{dates:?}"
    );
    Ok(Month {
        server,
        admin,
        manager,
        sham,
        numbers,
        dates,
        period,
        a,
        fulfilments,
        orders: order_ids,
    })
}

async fn gstr1(month: &Month, token: &str, cooperative: &str) -> Value {
    month
        .server
        .graphql_as(
            Some(token),
            "query($c: ID!, $p: String!) { gstr1Export(cooperativeId: $c, period: $p) }",
            json!({ "c": cooperative, "p": month.period }),
        )
        .await
}

fn parsed(body: &Value, field: &str) -> Value {
    let text = body["data"][field]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"));
    serde_json::from_str(text).unwrap()
}

/// The keys the offline tool requires of each part of a GSTR-1 file (tcs_settlement::
/// checks a file whose table 14 has rows).
pub(crate) fn assert_gstr1_layout(file: &Value) {
    for key in [
        "gstin",
        "fp",
        "b2b",
        "b2cl",
        "b2cs",
        "cdnr",
        "cdnur",
        "nil",
        "hsn",
        "doc_issue",
        "supeco",
    ] {
        assert!(file.get(key).is_some(), "{key} missing: {file}");
    }
    let has = |value: &Value, keys: &[&str]| {
        for key in keys {
            assert!(value.get(key).is_some(), "{key} missing in {value}");
        }
    };
    let item_keys = ["txval", "rt", "csamt"];
    for recipient in file["b2b"].as_array().unwrap() {
        has(recipient, &["ctin", "inv"]);
        for inv in recipient["inv"].as_array().unwrap() {
            has(
                inv,
                &["inum", "idt", "val", "pos", "rchrg", "inv_typ", "itms"],
            );
            for item in inv["itms"].as_array().unwrap() {
                has(item, &["num", "itm_det"]);
                has(&item["itm_det"], &item_keys);
            }
        }
    }
    for place in file["b2cl"].as_array().unwrap() {
        has(place, &["pos", "inv"]);
        for inv in place["inv"].as_array().unwrap() {
            has(inv, &["inum", "idt", "val", "itms"]);
            for item in inv["itms"].as_array().unwrap() {
                has(&item["itm_det"], &item_keys);
            }
        }
    }
    for row in file["b2cs"].as_array().unwrap() {
        has(row, &["sply_ty", "pos", "typ", "txval", "rt", "csamt"]);
    }
    let note_keys = ["ntty", "nt_num", "nt_dt", "val", "pos", "itms"];
    for recipient in file["cdnr"].as_array().unwrap() {
        has(recipient, &["ctin", "nt"]);
        for note in recipient["nt"].as_array().unwrap() {
            has(note, &note_keys);
            has(note, &["rchrg", "inv_typ"]);
            for item in note["itms"].as_array().unwrap() {
                has(&item["itm_det"], &item_keys);
            }
        }
    }
    for note in file["cdnur"].as_array().unwrap() {
        has(note, &note_keys);
        has(note, &["typ"]);
        for item in note["itms"].as_array().unwrap() {
            has(&item["itm_det"], &item_keys);
        }
    }
    for row in file["nil"]["inv"].as_array().unwrap() {
        has(row, &["sply_ty", "nil_amt", "expt_amt", "ngsup_amt"]);
    }
    for table in ["hsn_b2b", "hsn_b2c"] {
        for row in file["hsn"][table].as_array().unwrap() {
            has(
                row,
                &[
                    "num", "hsn_sc", "uqc", "qty", "rt", "txval", "iamt", "camt", "samt", "csamt",
                ],
            );
        }
    }
    for kind in file["doc_issue"]["doc_det"].as_array().unwrap() {
        has(kind, &["doc_num", "docs"]);
        for range in kind["docs"].as_array().unwrap() {
            has(
                range,
                &["num", "from", "to", "totnum", "cancel", "net_issue"],
            );
        }
    }
    for row in file["supeco"]["clttx"].as_array().unwrap() {
        has(row, &["etin", "suppval", "igst", "cgst", "sgst", "cess"]);
    }
}

async fn gstr1_reports_each_section_from_the_documents(backend: Backend) -> anyhow::Result<()> {
    let month = month_of_sales(backend).await?;
    let (n, d) = (&month.numbers, &month.dates);

    let body = gstr1(&month, &month.manager, &month.sham).await;
    let file = parsed(&body, "gstr1Export");
    assert_gstr1_layout(&file);
    assert_eq!(file["gstin"], SHAM_GSTIN);
    assert_eq!(file["fp"], month.period);
    assert_eq!(
        file["b2b"],
        json!([{ "ctin": BUYER_GSTIN, "inv": [{
            "inum": n[2], "idt": d[2], "val": 850.00, "pos": "07", "rchrg": "N", "inv_typ": "R",
            "itms": [{ "num": 1, "itm_det": { "txval": 809.52, "rt": 5, "iamt": 40.48, "csamt": 0.0 } }]
        }] }])
    );
    // Every sale of this month is cash on delivery, collected by the cooperative's
    // courier: made through the platform, but not one on which it collects TCS, so
    // no `etin` and B2CS type `OE` (the operator's GSTR-8 declares none of them).
    assert_eq!(
        file["b2cl"],
        json!([{ "pos": "07", "inv": [{
            "inum": n[1], "idt": d[1], "val": 113950.00,
            "itms": [{ "num": 1, "itm_det": { "txval": 108523.81, "rt": 5, "iamt": 5426.19, "csamt": 0.0 } }]
        }] }])
    );
    assert_eq!(
        file["b2cs"],
        json!([{ "sply_ty": "INTRA", "pos": "38", "typ": "OE",
                 "txval": 400.00, "rt": 5, "camt": 10.00, "samt": 10.00, "csamt": 0.0 }])
    );
    assert_eq!(
        file["nil"],
        json!({ "inv": [{ "sply_ty": "INTRAB2C", "nil_amt": 600.00, "expt_amt": 0.0, "ngsup_amt": 0.0 }] })
    );
    let hsn = &file["hsn"];
    assert_eq!(
        hsn["hsn_b2b"],
        json!([{ "num": 1, "hsn_sc": "08131000", "desc": hsn["hsn_b2b"][0]["desc"], "uqc": "NOS", "qty": 1, "rt": 5,
                 "txval": 809.52, "iamt": 40.48, "camt": 0.0, "samt": 0.0, "csamt": 0.0 }])
    );
    // Fresh apricots (0809) before dried (0813); quantities count goods, not
    // shipping: 1 + 31 packs of dried apricots to unregistered buyers.
    let b2c = hsn["hsn_b2c"].as_array().unwrap();
    assert_eq!(b2c.len(), 2, "{hsn}");
    assert_eq!(
        (
            &b2c[0]["hsn_sc"],
            &b2c[0]["qty"],
            &b2c[0]["rt"],
            &b2c[0]["txval"],
            &b2c[0]["iamt"],
            &b2c[0]["camt"]
        ),
        (
            &json!("08091000"),
            &json!(1),
            &json!(0),
            &json!(600.00),
            &json!(0.0),
            &json!(0.0)
        )
    );
    assert_eq!(
        (
            &b2c[1]["hsn_sc"],
            &b2c[1]["uqc"],
            &b2c[1]["qty"],
            &b2c[1]["rt"],
            &b2c[1]["txval"],
            &b2c[1]["iamt"],
            &b2c[1]["camt"],
            &b2c[1]["samt"]
        ),
        (
            &json!("08131000"),
            &json!("NOS"),
            &json!(32),
            &json!(5),
            &json!(108923.81),
            &json!(5426.19),
            &json!(10.00),
            &json!(10.00)
        )
    );
    let mut sorted = n.clone();
    sorted.sort();
    assert_eq!(
        file["doc_issue"],
        json!({ "doc_det": [{ "doc_num": 1, "doc_typ": "Invoices for outward supply", "docs": [{
            "num": 1, "from": sorted[0], "to": sorted[3], "totnum": 4, "cancel": 0, "net_issue": 4
        }] }] })
    );
    // Table 14 counts supplies through the platform on which it collects TCS: this
    // month is all cash on delivery, collected by the cooperative, so none
    // (tcs_settlement:: has the month where the platform collects).
    assert_eq!(file["supeco"], json!({ "clttx": [] }));
    // Amounts are written with two decimals from paise.
    let text = body["data"]["gstr1Export"].as_str().unwrap();
    assert!(text.contains("\"val\": 850.00"), "{text}");

    // Admins may export it too; plain staff and other cooperatives' managers may not.
    assert_eq!(
        parsed(
            &gstr1(&month, &month.admin, &month.sham).await,
            "gstr1Export"
        ),
        file
    );
    let staff = staff_token(&month.server, &month.admin, &month.sham, "STAFF").await;
    assert_eq!(
        error_code(&gstr1(&month, &staff, &month.sham).await),
        Some("FORBIDDEN")
    );
    let nubra = cooperative_id(&month.server, &month.admin, "nubra-leh-berry-growers-demo").await;
    let other = staff_token(&month.server, &month.admin, &nubra, "MANAGER").await;
    assert_eq!(
        error_code(&gstr1(&month, &other, &month.sham).await),
        Some("FORBIDDEN")
    );
    // A month without sales has empty sections; a malformed period is refused.
    let empty = month
        .server
        .graphql_as(
            Some(&month.admin),
            "query($c: ID!) { gstr1Export(cooperativeId: $c, period: \"042026\") }",
            json!({ "c": month.sham }),
        )
        .await;
    let empty = parsed(&empty, "gstr1Export");
    assert_gstr1_layout(&empty);
    assert_eq!(empty["b2cs"], json!([]));
    assert_eq!(empty["doc_issue"]["doc_det"], json!([]));
    let bad = month
        .server
        .graphql_as(
            Some(&month.admin),
            "query($c: ID!) { gstr1Export(cooperativeId: $c, period: \"2026-11\") }",
            json!({ "c": month.sham }),
        )
        .await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"), "{bad}");

    // The command line writes the same file.
    let out = month.server.database.data_path().join("gstr1.json");
    let cli = month
        .server
        .database
        .run_cli(
            &[
                "gst-export",
                "gstr1",
                "--cooperative",
                "sham-apricot-growers-demo",
                "--period",
                &month.period,
                "--out",
                out.to_str().unwrap(),
            ],
            &[("PLATFORM_GSTIN", PLATFORM_GSTIN)],
            None,
        )
        .await?;
    assert!(cli.success, "{}", cli.stderr);
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&out)?)?;
    assert_eq!(written, file);
    let refused = month
        .server
        .database
        .run_cli(
            &[
                "gst-export",
                "gstr1",
                "--cooperative",
                "sham-apricot-growers-demo",
                "--period",
                "13-2026",
            ],
            &[],
            None,
        )
        .await?;
    assert!(!refused.success);
    assert!(refused.stderr.contains("MMYYYY"), "{}", refused.stderr);
    Ok(())
}

async fn gstr8_reports_tcs_per_supplier_with_returns_in_their_month(
    backend: Backend,
) -> anyhow::Result<()> {
    let month = month_of_sales(backend).await?;
    // A's cash is collected and Rs 210 of it refunded: the taxable part of the refund
    // is 210 × 400 / 420 = Rs 200, a return from an unregistered buyer within Ladakh.
    let (order, fulfilment) = &month.a;
    let collected = month
        .server
        .graphql_as(
            Some(&month.admin),
            "mutation($i: FulfilmentCashCollectedInput!) { fulfilmentCashCollected(input: $i) { errors { field code message } } }",
            json!({ "i": { "fulfilmentId": fulfilment, "amountPaise": 42000, "reference": "CASH-A-1" } }),
        )
        .await;
    assert!(
        user_errors(&collected, "fulfilmentCashCollected").is_empty(),
        "{collected}"
    );
    let refunded = month
        .server
        .graphql_as(
            Some(&month.admin),
            "mutation($i: OrderRefundInput!) { orderRefund(input: $i) { refund { status } errors { field code message } } }",
            json!({ "i": { "orderId": order, "fulfilmentId": fulfilment, "amountPaise": 21000,
                           "reason": "half the pouch spoilt", "idempotencyKey": "gstr8-a" } }),
        )
        .await;
    assert_eq!(
        refunded["data"]["orderRefund"]["refund"]["status"], "SUCCEEDED",
        "{refunded}"
    );

    let query = "query($p: String!) { gstr8Export(period: $p) }";
    let body = month
        .server
        .graphql_as(Some(&month.admin), query, json!({ "p": month.period }))
        .await;
    let file = parsed(&body, "gstr8Export");
    // Every sale of the month was cash on delivery, collected by the cooperative's
    // courier, not by the platform: no TCS and nothing to report (CGST s.52 applies
    // to consideration the operator collects). tcs_settlement.rs has the figures of
    // sales the platform collected.
    assert_eq!(
        file,
        json!({ "gstin": PLATFORM_GSTIN, "fp": month.period, "tcs": [] })
    );
    // Admins only.
    assert_eq!(
        error_code(
            &month
                .server
                .graphql_as(Some(&month.manager), query, json!({ "p": month.period }))
                .await
        ),
        Some("FORBIDDEN")
    );
    // From the command line, to standard output.
    let cli = month
        .server
        .database
        .run_cli(
            &["gst-export", "gstr8", "--period", &month.period],
            &[("PLATFORM_GSTIN", PLATFORM_GSTIN)],
            None,
        )
        .await?;
    assert!(cli.success, "{}", cli.stderr);
    let printed: Value = serde_json::from_str(&cli.stdout)?;
    assert_eq!(printed, file);
    // Without the platform's GSTIN there is no GSTR-8 to make.
    let without = month
        .server
        .database
        .run_cli(
            &["gst-export", "gstr8", "--period", &month.period],
            &[("PLATFORM_GSTIN", "")],
            None,
        )
        .await?;
    assert!(!without.success);
    assert!(
        without.stderr.contains("PLATFORM_GSTIN"),
        "{}",
        without.stderr
    );
    Ok(())
}

async fn eway_bills_cover_consignments_above_the_threshold(backend: Backend) -> anyhow::Result<()> {
    let month = month_of_sales(backend).await?;
    let query = "query($f: ID!) { ewayBillPayload(fulfilmentId: $f) }";
    let eway = |token: &str, fulfilment: &Value| {
        let token = token.to_owned();
        let fulfilment = fulfilment.clone();
        let server = &month.server;
        async move {
            server
                .graphql_as(Some(&token), query, json!({ "f": fulfilment }))
                .await
        }
    };
    // B, Rs 1,13,950 to Delhi, needs one; the document date is written dd/mm/yyyy.
    let body = eway(&month.manager, &month.fulfilments[1]).await;
    let bills = parsed(&body, "ewayBillPayload");
    let schema = published_schema("ewaybill_generate_v1.03.schema.json");
    for bill in bills.as_array().unwrap() {
        let problems: Vec<String> = schema.iter_errors(bill).map(|e| e.to_string()).collect();
        assert!(problems.is_empty(), "{problems:?}\n{bill}");
    }
    let date = month.dates[1].replace('-', "/");
    let item_desc = |i: usize| bills[0]["itemList"][i]["productDesc"].clone();
    let items = json!([
        { "productName": "RKDA-5K", "productDesc": item_desc(0),
          "hsnCode": 8131000, "quantity": 31, "qtyUnit": "NOS", "taxableAmount": 95952.38,
          "cgstRate": 0, "sgstRate": 0, "igstRate": 5, "cessRate": 0, "cessNonadvol": 0.0 },
        { "productName": "SHIPPING", "productDesc": item_desc(1),
          "hsnCode": 8131000, "quantity": 1, "qtyUnit": "NOS", "taxableAmount": 12571.43,
          "cgstRate": 0, "sgstRate": 0, "igstRate": 5, "cessRate": 0, "cessNonadvol": 0.0 }
    ]);
    let parties = json!({
        "supplyType": "O", "subSupplyType": "1", "subSupplyDesc": "",
        "docType": "INV", "docNo": month.numbers[1], "docDate": date,
        "fromGstin": SHAM_GSTIN, "fromTrdName": "Demo Sham Valley Apricot Growers Cooperative (demo)",
        "fromAddr1": "Main Road, Domkhar, Khaltse", "fromAddr2": "Domkhar", "fromPlace": "Sham",
        "fromPincode": 194106, "actFromStateCode": 38, "fromStateCode": 38,
        "toGstin": "URP", "toTrdName": "Anjali Rao", "toAddr1": "12 Janpath", "toAddr2": "",
        "toPlace": "New Delhi", "toPincode": 110001, "actToStateCode": 7, "toStateCode": 7,
        "transactionType": 1
    });
    let values = json!({
        "otherValue": 0.0, "totalValue": 108523.81, "cgstValue": 0.0, "sgstValue": 0.0, "igstValue": 5426.19,
        "cessValue": 0.0, "cessNonAdvolValue": 0.0, "totInvValue": 113950.00,
        "transMode": "1", "transDistance": "0", "transporterName": "India Post", "transporterId": "",
        "transDocNo": "EL1IN", "transDocDate": date, "vehicleNo": "", "vehicleType": "R"
    });
    let mut bill = parties.as_object().unwrap().clone();
    bill.extend(values.as_object().unwrap().clone());
    bill.insert("itemList".into(), items);
    assert_eq!(bills, json!([Value::Object(bill)]));
    // The schema is live: a bill without its document number, or with the bulk
    // tool's field name for the transaction type, is refused by it.
    let mut broken = bills[0].clone();
    broken.as_object_mut().unwrap().remove("docNo");
    assert!(!schema.is_valid(&broken));
    let mut bulk = bills[0].clone();
    bulk.as_object_mut().unwrap().remove("transactionType");
    bulk["transType"] = json!(1);
    assert!(!schema.is_valid(&bulk));
    // C, Rs 850, needs none.
    let small = parsed(
        &eway(&month.manager, &month.fulfilments[2]).await,
        "ewayBillPayload",
    );
    assert_eq!(small, json!([]));
    // The supplier makes it: not the buyer, not another cooperative.
    let nubra = cooperative_id(&month.server, &month.admin, "nubra-leh-berry-growers-demo").await;
    let other = staff_token(&month.server, &month.admin, &nubra, "MANAGER").await;
    assert_eq!(
        error_code(&eway(&other, &month.fulfilments[1]).await),
        Some("NOT_FOUND")
    );
    let buyer = crate::support::flows::login(&month.server, "returns@example.org").await;
    assert_eq!(
        error_code(&eway(&buyer, &month.fulfilments[1]).await),
        Some("FORBIDDEN")
    );
    Ok(())
}

/// Collects a cash-on-delivery fulfilment's cash and refunds part of it after
/// invoicing, which issues a credit note; returns the note's number.
async fn refund_part(month: &Month, index: usize, cash: i64, amount: i64) -> String {
    let (order, fulfilment) = (&month.orders[index], &month.fulfilments[index]);
    let collected = month
        .server
        .graphql_as(
            Some(&month.admin),
            "mutation($i: FulfilmentCashCollectedInput!) { fulfilmentCashCollected(input: $i) { errors { field code message } } }",
            json!({ "i": { "fulfilmentId": fulfilment, "amountPaise": cash, "reference": format!("CASH-{index}") } }),
        )
        .await;
    assert!(
        user_errors(&collected, "fulfilmentCashCollected").is_empty(),
        "{collected}"
    );
    let refunded = month
        .server
        .graphql_as(
            Some(&month.admin),
            "mutation($i: OrderRefundInput!) { orderRefund(input: $i) { refund { status } errors { field code message } } }",
            json!({ "i": { "orderId": order, "fulfilmentId": fulfilment, "amountPaise": amount,
                           "reason": "part of the goods spoilt", "idempotencyKey": format!("notes-{index}") } }),
        )
        .await;
    assert_eq!(
        refunded["data"]["orderRefund"]["refund"]["status"], "SUCCEEDED",
        "{refunded}"
    );
    let body = month
        .server
        .graphql_as(
            Some(&month.admin),
            "query($id: ID!) { order(id: $id) { fulfilments { creditNotes { number } } } }",
            json!({ "id": order }),
        )
        .await;
    let notes = body["data"]["order"]["fulfilments"][0]["creditNotes"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(notes.len(), 1, "{body}");
    notes[0]["number"].as_str().unwrap().to_owned()
}

/// `MMYYYY` of the month after `period`, and the ISO date of its first day.
fn next_period(period: &str) -> (String, String) {
    let (month, year): (u32, u32) = (period[..2].parse().unwrap(), period[2..].parse().unwrap());
    let (month, year) = if month == 12 {
        (1, year + 1)
    } else {
        (month + 1, year)
    };
    (
        format!("{month:02}{year:04}"),
        format!("{year:04}-{month:02}-01"),
    )
}

async fn gstr8(month: &Month, period: &str) -> Value {
    parsed(
        &month
            .server
            .graphql_as(
                Some(&month.admin),
                "query($p: String!) { gstr8Export(period: $p) }",
                json!({ "p": period }),
            )
            .await,
        "gstr8Export",
    )
}

/// Notes dated in the month: a credit note to the registered Delhi buyer (C) in
/// `cdnr`, a debit note on the large Delhi invoice (B) in `cdnur`, a credit note on
/// the small Leh sale (A) netted into `b2cs`; all of them netted into the HSN
/// summary and table 14, counted per series in `doc_issue`, and in GSTR-8 in the
/// month of the note, not of the invoice.
///
/// By hand (docs/ORDERS.md's rounding rule):
/// - A, Rs 105 back of Rs 420 (goods 360 : shipping 60): goods 90.00, each half
///   90 × 0.05 / 2.10 = 2.1428 → 2.14, taxable 85.72; shipping 15.00, each half
///   0.357 → 0.36, taxable 14.28: taxable 100.00, CGST 2.50, UTGST 2.50.
/// - C, Rs 425 back of Rs 850 (goods 690 : shipping 160): goods 345.00 → taxable
///   328.571 → 328.57, IGST 16.43; shipping 80.00 → 76.190 → 76.19, IGST 3.81:
///   taxable 404.76, IGST 20.24.
/// - B, a debit note of Rs 1,050 on the goods: taxable 1,000.00, IGST 50.00.
async fn notes_are_reported_in_the_month_of_the_note(backend: Backend) -> anyhow::Result<()> {
    let month = month_of_sales(backend).await?;
    let credit_a = refund_part(&month, 0, 42_000, 10_500).await;
    let credit_c = refund_part(&month, 2, 85_000, 42_500).await;
    let lines = month
        .server
        .graphql_as(
            Some(&month.admin),
            "query($id: ID!) { order(id: $id) { fulfilments { lines { id kind } } } }",
            json!({ "id": month.orders[1] }),
        )
        .await;
    let goods = lines["data"]["order"]["fulfilments"][0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "GOODS")
        .unwrap()["id"]
        .clone();
    let debit = month
        .server
        .graphql_as(
            Some(&month.admin),
            "mutation($i: DebitNoteIssueInput!) { debitNoteIssue(input: $i) { debitNote { number } errors { field code message } } }",
            json!({ "i": { "fulfilmentId": month.fulfilments[1], "reason": "price correction",
                           "lines": [{ "lineId": goods, "amountPaise": 105_000 }] } }),
        )
        .await;
    assert!(user_errors(&debit, "debitNoteIssue").is_empty(), "{debit}");
    let debit_b = debit["data"]["debitNoteIssue"]["debitNote"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    // Notes are dated the day they are issued, today like the invoices.
    let today = &month.dates[0];

    let file = parsed(
        &gstr1(&month, &month.manager, &month.sham).await,
        "gstr1Export",
    );
    assert_gstr1_layout(&file);
    assert_eq!(
        file["cdnr"],
        json!([{ "ctin": BUYER_GSTIN, "nt": [{
            "ntty": "C", "nt_num": credit_c, "nt_dt": today, "val": 425.00,
            "pos": "07", "rchrg": "N", "inv_typ": "R",
            "itms": [{ "num": 1, "itm_det": { "txval": 404.76, "rt": 5, "iamt": 20.24, "csamt": 0.0 } }]
        }] }])
    );
    assert_eq!(
        file["cdnur"],
        json!([{ "typ": "B2CL", "ntty": "D", "nt_num": debit_b, "nt_dt": today,
                 "pos": "07", "val": 1050.00,
                 "itms": [{ "num": 1, "itm_det": { "txval": 1000.00, "rt": 5, "iamt": 50.00, "csamt": 0.0 } }] }])
    );
    // The invoices' sections are the invoices as issued.
    assert_eq!(file["b2cl"][0]["inv"][0]["val"], json!(113950.00));
    assert_eq!(file["b2b"][0]["inv"][0]["val"], json!(850.00));
    // Table 7 is net of A's credit note: 400.00 − 100.00.
    assert_eq!(
        file["b2cs"],
        json!([{ "sply_ty": "INTRA", "pos": "38", "typ": "OE",
                 "txval": 300.00, "rt": 5, "camt": 7.50, "samt": 7.50, "csamt": 0.0 }])
    );
    // HSN: registered 809.52 − 404.76; unregistered 108,923.81 − 100.00 + 1,000.00.
    // Value-only notes move no quantity.
    let hsn = &file["hsn"];
    assert_eq!(
        (
            &hsn["hsn_b2b"][0]["qty"],
            &hsn["hsn_b2b"][0]["txval"],
            &hsn["hsn_b2b"][0]["iamt"]
        ),
        (&json!(1), &json!(404.76), &json!(20.24)),
        "{hsn}"
    );
    let dried = &hsn["hsn_b2c"][1];
    assert_eq!(
        (
            &dried["hsn_sc"],
            &dried["qty"],
            &dried["txval"],
            &dried["iamt"],
            &dried["camt"],
            &dried["samt"]
        ),
        (
            &json!("08131000"),
            &json!(32),
            &json!(109823.81),
            &json!(5476.19),
            &json!(7.50),
            &json!(7.50)
        ),
        "{hsn}"
    );
    // Table 13: invoices, debit notes and credit notes, each its own series.
    let mut invoices = month.numbers.clone();
    invoices.sort();
    assert_eq!(
        file["doc_issue"],
        json!({ "doc_det": [
            { "doc_num": 1, "doc_typ": "Invoices for outward supply", "docs": [{
                "num": 1, "from": invoices[0], "to": invoices[3], "totnum": 4, "cancel": 0, "net_issue": 4 }] },
            { "doc_num": 4, "doc_typ": "Debit Note", "docs": [{
                "num": 1, "from": debit_b, "to": debit_b, "totnum": 1, "cancel": 0, "net_issue": 1 }] },
            { "doc_num": 5, "doc_typ": "Credit Note", "docs": [{
                "num": 1, "from": credit_a, "to": credit_c, "totnum": 2, "cancel": 0, "net_issue": 2 }] }
        ] })
    );
    // Table 14: cash on delivery throughout, so neither the invoices nor their notes.
    assert_eq!(file["supeco"], json!({ "clttx": [] }));

    // GSTR-8: this month was all cash on delivery, collected by the cooperatives, so the
    // platform collected no consideration and owes no TCS: neither the invoices nor their
    // notes appear (tcs_settlement:: proves notes taken in their own month on money the
    // platform collected).
    assert_eq!(
        gstr8(&month, &month.period).await,
        json!({ "gstin": PLATFORM_GSTIN, "fp": month.period, "tcs": [] })
    );

    // A's credit note dated in the next month (its refund stays in this one): this
    // month is reported as if it had not been issued, the next month carries it.
    let (next, first_day) = next_period(&month.period);
    let db = sea_orm::Database::connect(month.server.database.url.clone()).await?;
    sea_orm::ConnectionTrait::execute_unprepared(
        &db,
        &format!("UPDATE tax_notes SET note_date = '{first_day}' WHERE number = '{credit_a}'"),
    )
    .await?;
    assert_eq!(
        gstr8(&month, &next).await,
        json!({ "gstin": PLATFORM_GSTIN, "fp": next, "tcs": [] })
    );
    let this = parsed(
        &gstr1(&month, &month.manager, &month.sham).await,
        "gstr1Export",
    );
    assert_eq!(this["b2cs"][0]["txval"], json!(400.00));
    let later = month
        .server
        .graphql_as(
            Some(&month.manager),
            "query($c: ID!, $p: String!) { gstr1Export(cooperativeId: $c, period: $p) }",
            json!({ "c": month.sham, "p": next }),
        )
        .await;
    let later = parsed(&later, "gstr1Export");
    assert_gstr1_layout(&later);
    assert_eq!(
        later["b2cs"],
        json!([{ "sply_ty": "INTRA", "pos": "38", "typ": "OE",
                 "txval": -100.00, "rt": 5, "camt": -2.50, "samt": -2.50, "csamt": 0.0 }])
    );
    assert_eq!(later["b2b"], json!([]));
    assert_eq!(
        later["doc_issue"],
        json!({ "doc_det": [{ "doc_num": 5, "doc_typ": "Credit Note", "docs": [{
            "num": 1, "from": credit_a, "to": credit_a, "totnum": 1, "cancel": 0, "net_issue": 1 }] }] })
    );
    Ok(())
}

const CANCEL: &str = "mutation($i: InvoiceCancelInput!) { invoiceCancel(input: $i) { cancelledInvoice { id number date reason replacedBy url } errors { field code message } } }";

async fn cancel(month: &Month, token: &str, fulfilment: &Value, reason: &str) -> Value {
    month
        .server
        .graphql_as(
            Some(token),
            CANCEL,
            json!({ "i": { "fulfilmentId": fulfilment, "reason": reason } }),
        )
        .await
}

/// The number after `number` in its series (`SAGD/2627/000004` → `SAGD/2627/000005`).
fn next_number(number: &str) -> String {
    let (series, serial) = number.rsplit_once('/').unwrap();
    format!("{series}/{:06}", serial.parse::<u32>().unwrap() + 1)
}

/// Before the month's GSTR-1 is marked filed, a manager cancels A's invoice: the
/// number stays in the series as cancelled, the document renders CANCELLED, and the
/// same supply is invoiced under the next number. After an admin marks the month
/// filed, a cancellation is a field error pointing to a credit note.
async fn invoices_are_cancelled_until_the_return_is_filed(backend: Backend) -> anyhow::Result<()> {
    let month = month_of_sales(backend).await?;
    let a = &month.fulfilments[0];
    // Plain staff and buyers may not; a reason is required.
    let staff = staff_token(&month.server, &month.admin, &month.sham, "STAFF").await;
    assert_eq!(
        error_code(&cancel(&month, &staff, a, "typo").await),
        Some("FORBIDDEN")
    );
    let buyer = crate::support::flows::login(&month.server, "returns@example.org").await;
    assert_eq!(
        error_code(&cancel(&month, &buyer, a, "typo").await),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_fields(
            &cancel(&month, &month.manager, a, "  ").await,
            "invoiceCancel"
        ),
        ["input.reason"]
    );

    let mut sorted = month.numbers.clone();
    sorted.sort();
    let replacement = next_number(&sorted[3]);
    let body = cancel(&month, &month.manager, a, "buyer's name misspelt").await;
    assert!(user_errors(&body, "invoiceCancel").is_empty(), "{body}");
    let cancelled = &body["data"]["invoiceCancel"]["cancelledInvoice"];
    assert_eq!(cancelled["number"], month.numbers[0]);
    assert_eq!(cancelled["replacedBy"], replacement.as_str());
    assert_eq!(cancelled["reason"], "buyer's name misspelt");

    // The fulfilment carries the fresh invoice and lists the cancelled one.
    let order = month
        .server
        .graphql_as(
            Some(&month.manager),
            "query($id: ID!) { order(id: $id) { fulfilments { invoiceNumber total cancelledInvoices { number replacedBy url } } } }",
            json!({ "id": month.orders[0] }),
        )
        .await;
    let f = &order["data"]["order"]["fulfilments"][0];
    assert_eq!(f["invoiceNumber"], replacement.as_str(), "{order}");
    assert_eq!(
        f["cancelledInvoices"],
        json!([{ "number": month.numbers[0], "replacedBy": replacement, "url": cancelled["url"] }])
    );
    // Both documents render and add up; the cancelled one is marked, with its own
    // number, the fresh one is not. Rs 420: taxable 400.00 + CGST 10.00 + UTGST 10.00.
    let (html, figures) = fetch_note(
        &month.server,
        &month.manager,
        cancelled["url"].as_str().unwrap(),
    )
    .await;
    assert!(html.contains("<strong>CANCELLED</strong>"), "{html}");
    assert!(html.contains(&month.numbers[0]), "{html}");
    assert_eq!((figures.total, figures.taxable), (42_000, 40_000));
    let (fresh, figures) = fetch_document(&month.server, &buyer, a).await;
    assert!(!fresh.contains("CANCELLED"), "{fresh}");
    assert!(fresh.contains(&replacement), "{fresh}");
    assert_eq!((figures.total, figures.taxable), (42_000, 40_000));
    // The buyer may read the cancelled document too; another cooperative may not.
    let url = cancelled["url"].as_str().unwrap();
    fetch_note(&month.server, &buyer, url).await;
    let nubra = cooperative_id(&month.server, &month.admin, "nubra-leh-berry-growers-demo").await;
    let other = staff_token(&month.server, &month.admin, &nubra, "MANAGER").await;
    let response = month
        .server
        .client
        .get(month.server.url(url))
        .bearer_auth(&other)
        .send()
        .await?;
    assert_eq!(response.status(), 404);

    // GSTR-1: five numbers in the series, one cancelled; the supply is reported once,
    // under its fresh number.
    let file = parsed(
        &gstr1(&month, &month.manager, &month.sham).await,
        "gstr1Export",
    );
    assert_eq!(
        file["doc_issue"],
        json!({ "doc_det": [{ "doc_num": 1, "doc_typ": "Invoices for outward supply", "docs": [{
            "num": 1, "from": sorted[0], "to": replacement, "totnum": 5, "cancel": 1, "net_issue": 4
        }] }] })
    );
    assert_eq!(file["b2cs"][0]["txval"], json!(400.00));

    // Only admins mark a month filed; the ARN is checked.
    let mark = "mutation($i: Gstr1MarkFiledInput!) { gstr1MarkFiled(input: $i) { filing { period arn } errors { field code message } } }";
    let input = |arn: &str| json!({ "i": { "cooperativeId": month.sham, "period": month.period, "arn": arn } });
    assert_eq!(
        error_code(
            &month
                .server
                .graphql_as(Some(&month.manager), mark, input("AA3811260123456"))
                .await
        ),
        Some("FORBIDDEN")
    );
    let bad = month
        .server
        .graphql_as(Some(&month.admin), mark, input("AA38-11"))
        .await;
    assert_eq!(error_fields(&bad, "gstr1MarkFiled"), ["input.arn"]);
    let filing_query =
        "query($c: ID!, $p: String!) { gstr1Filing(cooperativeId: $c, period: $p) { period arn } }";
    let filing = |token: String| {
        let server = &month.server;
        let vars = json!({ "c": month.sham, "p": month.period });
        async move { server.graphql_as(Some(&token), filing_query, vars).await }
    };
    assert_eq!(
        filing(month.manager.clone()).await["data"]["gstr1Filing"],
        Value::Null
    );
    let marked = month
        .server
        .graphql_as(Some(&month.admin), mark, input("AA3811260123456"))
        .await;
    assert!(
        user_errors(&marked, "gstr1MarkFiled").is_empty(),
        "{marked}"
    );
    assert_eq!(
        filing(month.manager.clone()).await["data"]["gstr1Filing"],
        json!({ "period": month.period, "arn": "AA3811260123456" })
    );

    // Filed: B's invoice can no longer be cancelled, by anyone.
    for token in [&month.manager, &month.admin] {
        let refused = cancel(&month, token, &month.fulfilments[1], "wrong rate").await;
        let errors = user_errors(&refused, "invoiceCancel");
        assert_eq!(errors.len(), 1, "{refused}");
        assert_eq!(errors[0]["field"], json!(["input", "fulfilmentId"]));
        assert_eq!(errors[0]["code"], "NOT_ALLOWED");
        assert!(
            errors[0]["message"]
                .as_str()
                .unwrap()
                .contains("credit note"),
            "{refused}"
        );
    }
    let order = month
        .server
        .graphql_as(
            Some(&month.manager),
            "query($id: ID!) { order(id: $id) { fulfilments { invoiceNumber cancelledInvoices { number } } } }",
            json!({ "id": month.orders[1] }),
        )
        .await;
    assert_eq!(
        order["data"]["order"]["fulfilments"][0],
        json!({ "invoiceNumber": month.numbers[1], "cancelledInvoices": [] })
    );
    Ok(())
}

/// A published schema kept in data/reference (each file names its source).
fn published_schema(file: &str) -> jsonschema::Validator {
    let path = format!("{}/../data/reference/{file}", env!("CARGO_MANIFEST_DIR"));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn paise_of(v: &Value) -> i64 {
    (v.as_f64().unwrap_or_else(|| panic!("not an amount: {v}")) * 100.0).round() as i64
}

/// C (Rs 850 to the registered Delhi buyer) as an e-invoice once Sham is above the
/// threshold. By hand (inter-State, 5%): goods Rs 690 → taxable 657.14, IGST 32.86;
/// shipping Rs 160 → 152.38 + 7.62; value 809.52 + 40.48 = 850.00.
async fn einvoices_follow_inv01_for_registered_buyers_above_the_threshold(
    backend: Backend,
) -> anyhow::Result<()> {
    let month = month_of_sales(backend).await?;
    let query = "query($f: ID!) { einvoicePayload(fulfilmentId: $f) }";
    let einvoice = |token: &str, fulfilment: &Value| {
        let (token, fulfilment) = (token.to_owned(), fulfilment.clone());
        let server = &month.server;
        async move {
            server
                .graphql_as(Some(&token), query, json!({ "f": fulfilment }))
                .await
        }
    };
    let c = &month.fulfilments[2];
    // Not above the threshold yet: no e-invoice.
    let below = einvoice(&month.manager, c).await;
    assert_eq!(error_code(&below), Some("CONFLICT"), "{below}");
    let raised = month
        .server
        .graphql_as(
            Some(&month.admin),
            "mutation($i: CooperativeUpdateInput!) { cooperativeUpdate(input: $i) { errors { field code message } } }",
            json!({ "i": { "id": month.sham, "fields": { "turnoverBand": "ABOVE_5_CRORE" } } }),
        )
        .await;
    assert!(
        user_errors(&raised, "cooperativeUpdate").is_empty(),
        "{raised}"
    );

    let file = parsed(&einvoice(&month.manager, c).await, "einvoicePayload");
    let schema = published_schema("einvoice_inv01_v1.1.schema.json");
    let problems: Vec<String> = schema.iter_errors(&file).map(|e| e.to_string()).collect();
    assert!(problems.is_empty(), "{problems:?}\n{file}");
    let date = month.dates[2].replace('-', "/");
    let desc = |i: usize| file["ItemList"][i]["PrdDesc"].clone();
    assert_eq!(
        file,
        json!({
            "Version": "1.1",
            "TranDtls": { "TaxSch": "GST", "SupTyp": "B2B", "RegRev": "N", "EcmGstin": PLATFORM_GSTIN, "IgstOnIntra": "N" },
            "DocDtls": { "Typ": "INV", "No": month.numbers[2], "Dt": date },
            "SellerDtls": { "Gstin": SHAM_GSTIN, "LglNm": "Demo Sham Valley Apricot Growers Cooperative (demo)",
                            "Addr1": "Main Road, Domkhar, Khaltse", "Addr2": "Domkhar", "Loc": "Sham",
                            "Pin": 194106, "Stcd": "38" },
            "BuyerDtls": { "Gstin": BUYER_GSTIN, "LglNm": "Anjali Rao", "Pos": "07", "Addr1": "12 Janpath",
                           "Loc": "New Delhi", "Pin": 110001, "Stcd": "07" },
            "ItemList": [
                { "SlNo": "1", "PrdDesc": desc(0), "IsServc": "N", "HsnCd": "08131000", "Qty": 1, "Unit": "NOS",
                  "UnitPrice": 657.14, "TotAmt": 657.14, "AssAmt": 657.14, "GstRt": 5,
                  "IgstAmt": 32.86, "CgstAmt": 0.0, "SgstAmt": 0.0, "TotItemVal": 690.00 },
                { "SlNo": "2", "PrdDesc": desc(1), "IsServc": "N", "HsnCd": "08131000", "Qty": 1, "Unit": "NOS",
                  "UnitPrice": 152.38, "TotAmt": 152.38, "AssAmt": 152.38, "GstRt": 5,
                  "IgstAmt": 7.62, "CgstAmt": 0.0, "SgstAmt": 0.0, "TotItemVal": 160.00 }
            ],
            "ValDtls": { "AssVal": 809.52, "CgstVal": 0.0, "SgstVal": 0.0, "IgstVal": 40.48, "TotInvVal": 850.00 }
        })
    );
    // The unit price is written with the schema's three decimals.
    let text = einvoice(&month.manager, c).await["data"]["einvoicePayload"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(text.contains("\"UnitPrice\": 657.140"), "{text}");
    // Assessable value + every tax = invoice value, to the paisa.
    let v = &file["ValDtls"];
    assert_eq!(
        paise_of(&v["AssVal"])
            + paise_of(&v["CgstVal"])
            + paise_of(&v["SgstVal"])
            + paise_of(&v["IgstVal"]),
        paise_of(&v["TotInvVal"])
    );
    // The schema is live: a payload without its version, or with a B2C supply type,
    // is refused by it.
    let mut broken = file.clone();
    broken.as_object_mut().unwrap().remove("Version");
    assert!(!schema.is_valid(&broken));
    let mut b2c = file.clone();
    b2c["TranDtls"]["SupTyp"] = json!("B2C");
    assert!(!schema.is_valid(&b2c));

    // The IRP's answer is recorded by admins, checked field by field, and printed on
    // the invoice.
    let record = "mutation($i: EinvoiceRecordInput!) { einvoiceRecord(input: $i) { registration { irn ackNo ackDate signedQrCode } errors { field code message } } }";
    let irn = "3dc1b8cba1d3b4a1f6c5e0e6a2b9d7c8e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9";
    let qr = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjE1In0.eyJkYXRhIjoie1wiU2VsbGVyR3N0aW5cIjpcIjM4QUFBQVMxMjM0QTFaM1wifSJ9.c2lnbmF0dXJl";
    let answer = |irn: &str, ack_no: &str, ack_date: &str, qr: &str| json!({ "i": { "fulfilmentId": c, "irn": irn, "ackNo": ack_no, "ackDate": ack_date, "signedQrCode": qr } });
    let now = chrono::Utc::now().to_rfc3339();
    assert_eq!(
        error_code(
            &month
                .server
                .graphql_as(
                    Some(&month.manager),
                    record,
                    answer(irn, "112010036563310", &now, qr)
                )
                .await
        ),
        Some("FORBIDDEN")
    );
    let bad = month
        .server
        .graphql_as(
            Some(&month.admin),
            record,
            answer("abc", "11-20", "2099-01-01T00:00:00Z", "not a jwt"),
        )
        .await;
    assert_eq!(
        error_fields(&bad, "einvoiceRecord"),
        [
            "input.irn",
            "input.ackNo",
            "input.ackDate",
            "input.signedQrCode"
        ]
    );
    let recorded = month
        .server
        .graphql_as(
            Some(&month.admin),
            record,
            answer(irn, "112010036563310", &now, qr),
        )
        .await;
    assert!(
        user_errors(&recorded, "einvoiceRecord").is_empty(),
        "{recorded}"
    );
    assert_eq!(
        recorded["data"]["einvoiceRecord"]["registration"]["irn"],
        irn
    );
    let (html, figures) = fetch_document(&month.server, &month.manager, c).await;
    assert!(
        html.contains(&format!("IRN: <span id=\"irn\">{irn}</span>")),
        "{html}"
    );
    assert!(
        html.contains("Ack No: <span id=\"ack-no\">112010036563310</span>"),
        "{html}"
    );
    assert!(html.contains(qr), "{html}");
    assert_eq!((figures.total, figures.taxable), (85_000, 80_952));
    // B2C invoices carry none.
    let (plain, _) = fetch_document(&month.server, &month.manager, &month.fulfilments[0]).await;
    assert!(!plain.contains("IRN:"), "{plain}");

    // An unregistered buyer's invoice (B) is not e-invoiced; the buyer may not make
    // one; another cooperative does not see the fulfilment.
    assert_eq!(
        error_code(&einvoice(&month.admin, &month.fulfilments[1]).await),
        Some("CONFLICT")
    );
    let buyer = crate::support::flows::login(&month.server, "returns@example.org").await;
    assert_eq!(error_code(&einvoice(&buyer, c).await), Some("FORBIDDEN"));
    let nubra = cooperative_id(&month.server, &month.admin, "nubra-leh-berry-growers-demo").await;
    let other = staff_token(&month.server, &month.admin, &nubra, "MANAGER").await;
    assert_eq!(error_code(&einvoice(&other, c).await), Some("NOT_FOUND"));
    Ok(())
}
