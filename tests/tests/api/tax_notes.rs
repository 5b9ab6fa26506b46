//! Credit and debit notes (CGST s.34, Rule 53): a refund after invoicing issues a
//! credit note in the cooperative's own note series, reversing the taxable value and
//! each tax head in proportion; an admin raises an invoice's value with a debit note.
//! Every note fetched is checked by `support::documents`.

use serde_json::{Value, json};

use crate::{
    both_backends,
    orders::{ORDER_FIELDS, add_to_cart, leh, place_order, stock, transition, variant},
    support::{
        Backend, ServerOptions, TestServer,
        documents::{fetch_document, fetch_note},
        error_code,
        flows::{admin_token, buyer_token, cooperative_id, error_fields, staff_token, user_errors},
    },
};

both_backends!(
    refunds_after_invoicing_issue_credit_notes_that_reverse_each_head,
    admins_raise_an_invoice_with_a_debit_note,
    a_cod_parcel_returned_undelivered_is_closed_with_a_credit_note,
);

pub const NOTE_FIELDS: &str = "id kind number date invoiceNumber invoiceDate reason taxableValue cgst sgst utgst igst total refundId url";

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

/// A fulfilment's notes of both kinds, as `token` sees them.
pub async fn notes(server: &TestServer, token: &str, order_id: &Value) -> Value {
    let body = server
        .graphql_as(
            Some(token),
            &format!("query($id: ID!) {{ order(id: $id) {{ fulfilments {{ id invoiceNumber invoiceDate taxableValue cgst utgst total lines {{ id kind }} creditNotes {{ {NOTE_FIELDS} }} debitNotes {{ {NOTE_FIELDS} }} }} }} }}"),
            json!({ "id": order_id }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["order"]["fulfilments"][0].clone()
}

/// One pack of dried apricots to Leh, cash on delivery, shipped (invoiced) and its
/// cash collected: (order id, fulfilment id).
async fn invoiced_cod_order(
    server: &TestServer,
    admin: &str,
    staff: &str,
    buyer: &str,
    key: &str,
) -> (Value, Value) {
    let (order, fulfilment) = shipped_cod_order(server, staff, buyer, key).await;
    let collected = server
        .graphql_as(
            Some(admin),
            "mutation($i: FulfilmentCashCollectedInput!) { fulfilmentCashCollected(input: $i) { errors { field code message } } }",
            json!({ "i": { "fulfilmentId": fulfilment, "amountPaise": 42_000, "reference": format!("CASH-{key}") } }),
        )
        .await;
    assert!(
        user_errors(&collected, "fulfilmentCashCollected").is_empty(),
        "{collected}"
    );
    (order, fulfilment)
}

/// One pack of dried apricots to Leh, cash on delivery, shipped (invoiced), its cash
/// not collected yet: (order id, fulfilment id).
async fn shipped_cod_order(
    server: &TestServer,
    staff: &str,
    buyer: &str,
    key: &str,
) -> (Value, Value) {
    let apricots = variant(server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    add_to_cart(server, Some(buyer), None, &apricots["id"], 1).await;
    let placed = place_order(server, buyer, key, leh(), "CASH_ON_DELIVERY", json!({})).await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let order = placed["data"]["placeOrder"]["order"].clone();
    let fulfilment = order["fulfilments"][0]["id"].clone();
    // Rs 360 of apricots and Rs 60 shipping, within Ladakh.
    assert_eq!(int(&order["total"]), 42_000, "{order}");
    for step in ["fulfilmentPack", "fulfilmentShip"] {
        let input = if step == "fulfilmentShip" {
            json!({ "fulfilmentId": fulfilment, "carrier": "India Post", "trackingNumber": "EL1IN" })
        } else {
            json!({ "fulfilmentId": fulfilment })
        };
        let body = transition(server, staff, step, input).await;
        assert!(user_errors(&body, step).is_empty(), "{body}");
    }
    (order["id"].clone(), fulfilment)
}

async fn refund(
    server: &TestServer,
    token: &str,
    order: &Value,
    fulfilment: &Value,
    amount: Option<i64>,
    key: &str,
) -> Value {
    server
        .graphql_as(
            Some(token),
            "mutation($i: OrderRefundInput!) { orderRefund(input: $i) { refund { id amount } errors { field code message } } }",
            json!({ "i": { "orderId": order, "fulfilmentId": fulfilment, "amountPaise": amount, "reason": "one pack arrived crushed", "idempotencyKey": key } }),
        )
        .await
}

async fn refunds_after_invoicing_issue_credit_notes_that_reverse_each_head(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let nubra = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let staff = staff_token(&server, &admin, &sham, "STAFF").await;
    let other_staff = staff_token(&server, &admin, &nubra, "STAFF").await;
    let buyer = buyer_token(&server, "credit-notes@example.org").await;
    let (order, fulfilment) = invoiced_cod_order(&server, &admin, &staff, &buyer, "cn-1").await;
    let before = notes(&server, &buyer, &order).await;
    assert_eq!(before["creditNotes"], json!([]), "{before}");
    // The invoice: Rs 400.00 taxable + CGST 10.00 + UTGST 10.00 = Rs 420.00.
    assert_eq!(
        (
            int(&before["taxableValue"]),
            int(&before["cgst"]),
            int(&before["utgst"])
        ),
        (40_000, 1_000, 1_000)
    );
    fetch_document(&server, &buyer, &fulfilment).await;

    // Half the money back: a credit note for Rs 210.00, shared in proportion between the
    // goods (Rs 180.00: each half 180 × 0.05 / 2.10 = 4.2857 → 4.29, taxable 171.42) and
    // the shipping (Rs 30.00: each half 0.714 → 0.71, taxable 28.58).
    let half = refund(
        &server,
        &admin,
        &order,
        &fulfilment,
        Some(21_000),
        "cn-half",
    )
    .await;
    assert!(user_errors(&half, "orderRefund").is_empty(), "{half}");
    let after = notes(&server, &buyer, &order).await;
    let credit = after["creditNotes"][0].clone();
    assert_eq!(after["creditNotes"].as_array().unwrap().len(), 1, "{after}");
    let number = credit["number"].as_str().unwrap();
    assert_eq!(
        number,
        "SAGD/C2627/00001".replace("2627", &fy(&after)),
        "{credit}"
    );
    assert!(number.len() <= 16, "{number}");
    assert_ne!(credit["number"], after["invoiceNumber"]);
    assert_eq!(credit["kind"], "CREDIT_NOTE");
    assert_eq!(credit["invoiceNumber"], after["invoiceNumber"]);
    assert_eq!(credit["invoiceDate"], after["invoiceDate"]);
    assert_eq!(credit["reason"], "one pack arrived crushed");
    assert_eq!(
        credit["refundId"],
        half["data"]["orderRefund"]["refund"]["id"]
    );
    assert_eq!(
        (
            int(&credit["taxableValue"]),
            int(&credit["cgst"]),
            int(&credit["utgst"]),
            int(&credit["sgst"]),
            int(&credit["igst"]),
            int(&credit["total"])
        ),
        (20_000, 500, 500, 0, 0, 21_000),
        "{credit}"
    );
    let url = credit["url"].as_str().unwrap();
    assert_eq!(
        url,
        format!("/credit-notes/{}", credit["id"].as_str().unwrap())
    );
    let (html, figures) = fetch_note(&server, &buyer, url).await;
    assert_eq!(figures.kind, "CREDIT_NOTE", "{html}");
    assert_eq!(figures.total, 21_000);
    assert_eq!(figures.taxable, 20_000);
    assert_eq!(figures.lines, 2, "{html}");
    assert_eq!(
        figures.taxes.get("CGST"),
        figures.taxes.get("UTGST"),
        "equal halves: {html}"
    );
    assert!(
        html.contains("Credit note") && html.contains(number),
        "{html}"
    );
    assert!(
        html.contains(after["invoiceNumber"].as_str().unwrap()),
        "the note names the invoice it corrects: {html}"
    );
    assert!(html.contains("one pack arrived crushed"), "{html}");
    assert!(
        html.contains("<span class=\"supply\">intra-State</span>"),
        "{html}"
    );
    assert!(html.contains("17142") || html.contains("171.42"), "{html}");
    // Copies as for invoices; staff of the cooperative and admins read it too, nobody else.
    let duplicate = server
        .client
        .get(server.url(&format!("{url}?copy=duplicate")))
        .bearer_auth(&staff)
        .send()
        .await?;
    assert_eq!(duplicate.status(), 200);
    assert!(
        duplicate
            .text()
            .await?
            .contains("Duplicate for transporter")
    );
    fetch_note(&server, &admin, url).await;
    for (token, path) in [
        (&other_staff, url.to_owned()),
        (&buyer, url.replace("/credit-notes/", "/debit-notes/")),
        (&buyer, "/credit-notes/not-a-note".to_owned()),
    ] {
        let response = server
            .client
            .get(server.url(&path))
            .bearer_auth(token)
            .send()
            .await?;
        assert_eq!(response.status(), 404, "{path}");
    }
    let stranger = buyer_token(&server, "someone-else@example.org").await;
    let response = server
        .client
        .get(server.url(url))
        .bearer_auth(&stranger)
        .send()
        .await?;
    assert_eq!(response.status(), 404);

    // The rest back: the second note takes exactly what is left on every head, so the
    // invoice less its credit notes is zero on each.
    let rest = refund(&server, &admin, &order, &fulfilment, None, "cn-rest").await;
    assert!(user_errors(&rest, "orderRefund").is_empty(), "{rest}");
    // Repeating the refund issues no second note.
    refund(&server, &admin, &order, &fulfilment, None, "cn-rest").await;
    let done = notes(&server, &buyer, &order).await;
    let credits = done["creditNotes"].as_array().unwrap();
    assert_eq!(credits.len(), 2, "{done}");
    assert_eq!(
        credits[1]["number"],
        "SAGD/C2627/00002".replace("2627", &fy(&done))
    );
    for head in ["taxableValue", "cgst", "utgst", "total"] {
        let sum: i64 = credits.iter().map(|c| int(&c[head])).sum();
        assert_eq!(sum, int(&done[head]), "{head}: {done}");
    }
    // 400.00 − 200.00 taxable; CGST 10.00 − 5.00 (the goods line's 8.57 − 4.29 = 4.28
    // and the shipping's 1.43 − 0.71 = 0.72).
    assert_eq!(
        (int(&credits[1]["cgst"]), int(&credits[1]["utgst"])),
        (500, 500)
    );
    let (_, second) = fetch_note(&server, &buyer, credits[1]["url"].as_str().unwrap()).await;
    assert_eq!(second.total, 21_000);

    // A note has its own series: the next invoice keeps the invoice series' count.
    let (order_2, _) = invoiced_cod_order(&server, &admin, &staff, &buyer, "cn-2").await;
    let next = notes(&server, &buyer, &order_2).await;
    assert!(
        next["invoiceNumber"]
            .as_str()
            .unwrap()
            .starts_with("SAGD/2627/".replace("2627", &fy(&next)).as_str()),
        "{next}"
    );
    assert_eq!(next["creditNotes"], json!([]));
    Ok(())
}

/// The financial year of a fulfilment's invoice date as four digits (2026-11-29 is in
/// 2026-27, "2627"), read from the date the server returned.
fn fy(fulfilment: &Value) -> String {
    let date = fulfilment["invoiceDate"].as_str().unwrap();
    let year: i32 = date[..4].parse().unwrap();
    let month: u32 = date[5..7].parse().unwrap();
    let start = if month >= 4 { year } else { year - 1 };
    format!("{:02}{:02}", start % 100, (start + 1) % 100)
}

async fn admins_raise_an_invoice_with_a_debit_note(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let staff = staff_token(&server, &admin, &sham, "MANAGER").await;
    let buyer = buyer_token(&server, "debit-notes@example.org").await;
    let (order, _) = invoiced_cod_order(&server, &admin, &staff, &buyer, "dn-1").await;
    let fulfilment = notes(&server, &buyer, &order).await;
    let goods = fulfilment["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "GOODS")
        .unwrap()["id"]
        .clone();
    let issue = |token: String, lines: Value| {
        let server = &server;
        let fulfilment_id = fulfilment["id"].clone();
        async move {
            server
                .graphql_as(
                    Some(&token),
                    &format!("mutation($i: DebitNoteIssueInput!) {{ debitNoteIssue(input: $i) {{ debitNote {{ {NOTE_FIELDS} }} errors {{ field code message }} }} }}"),
                    json!({ "i": { "fulfilmentId": fulfilment_id, "reason": "price correction: the pack was Rs 370.50", "lines": lines } }),
                )
                .await
        }
    };
    // Only admins issue debit notes.
    let denied = issue(
        staff.clone(),
        json!([{ "lineId": goods, "amountPaise": 1_050 }]),
    )
    .await;
    assert_eq!(error_code(&denied), Some("FORBIDDEN"), "{denied}");
    // A line of another invoice, or no amount, is refused by field.
    let bad = issue(
        admin.clone(),
        json!([{ "lineId": order, "amountPaise": 1_050 }, { "lineId": goods, "amountPaise": 0 }]),
    )
    .await;
    assert_eq!(
        error_fields(&bad, "debitNoteIssue"),
        ["input.lines.0.lineId", "input.lines.1.amountPaise"],
        "{bad}"
    );
    // Rs 10.50 more on the goods: each half 10.50 × 0.05 / 2.10 = 0.25, taxable 10.00.
    let issued = issue(
        admin.clone(),
        json!([{ "lineId": goods, "amountPaise": 1_050 }]),
    )
    .await;
    assert!(
        user_errors(&issued, "debitNoteIssue").is_empty(),
        "{issued}"
    );
    let note = &issued["data"]["debitNoteIssue"]["debitNote"];
    assert_eq!(note["kind"], "DEBIT_NOTE");
    assert_eq!(
        note["number"],
        "SAGD/D2627/00001".replace("2627", &fy(&fulfilment))
    );
    assert_eq!(note["invoiceNumber"], fulfilment["invoiceNumber"]);
    assert_eq!(
        (
            int(&note["taxableValue"]),
            int(&note["cgst"]),
            int(&note["utgst"]),
            int(&note["total"])
        ),
        (1_000, 25, 25, 1_050)
    );
    let listed = notes(&server, &buyer, &order).await;
    assert_eq!(listed["debitNotes"][0]["id"], note["id"], "{listed}");
    assert_eq!(listed["creditNotes"], json!([]));
    let url = note["url"].as_str().unwrap();
    let (html, figures) = fetch_note(&server, &buyer, url).await;
    assert_eq!(figures.kind, "DEBIT_NOTE");
    assert_eq!(figures.total, 1_050);
    assert!(
        html.contains("Debit note") && html.contains("price correction"),
        "{html}"
    );
    // After a debit note a full refund's credit note reverses the raised value too.
    let rest = refund(
        &server,
        &admin,
        &order,
        &fulfilment["id"],
        None,
        "dn-refund",
    )
    .await;
    assert!(user_errors(&rest, "orderRefund").is_empty(), "{rest}");
    let after = notes(&server, &buyer, &order).await;
    assert_eq!(int(&after["creditNotes"][0]["total"]), 42_000, "{after}");
    fetch_note(
        &server,
        &buyer,
        after["creditNotes"][0]["url"].as_str().unwrap(),
    )
    .await;
    Ok(())
}

async fn return_undelivered(server: &TestServer, token: &str, fulfilment: &Value) -> Value {
    server
        .graphql_as(
            Some(token),
            &format!("mutation($i: FulfilmentReturnUndeliveredInput!) {{ fulfilmentReturnUndelivered(input: $i) {{ errors {{ field code message }} order {{ {ORDER_FIELDS} refunds {{ id }} }} }} }}"),
            json!({ "i": { "fulfilmentId": fulfilment, "reason": "refused at the door" } }),
        )
        .await
}

async fn a_cod_parcel_returned_undelivered_is_closed_with_a_credit_note(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let staff = staff_token(&server, &admin, &sham, "STAFF").await;
    let buyer = buyer_token(&server, "returned@example.org").await;
    let (slug, sku) = ("raktsey-karpo-dried-apricots-500g", "RKDA-500");
    let stock_before = stock(&server, slug, sku).await;
    let (order, fulfilment) = shipped_cod_order(&server, &staff, &buyer, "ret-1").await;
    assert_eq!(stock(&server, slug, sku).await, stock_before - 1);

    // The buyer cannot close it out; nor can anyone before it ships or once its cash
    // was collected.
    let denied = return_undelivered(&server, &buyer, &fulfilment).await;
    assert_eq!(error_code(&denied), Some("FORBIDDEN"), "{denied}");
    let (_, collected) = invoiced_cod_order(&server, &admin, &staff, &buyer, "ret-2").await;
    let delivered = return_undelivered(&server, &staff, &collected).await;
    assert_eq!(error_code(&delivered), Some("CONFLICT"), "{delivered}");

    let returned = return_undelivered(&server, &staff, &fulfilment).await;
    assert!(
        user_errors(&returned, "fulfilmentReturnUndelivered").is_empty(),
        "{returned}"
    );
    let view = &returned["data"]["fulfilmentReturnUndelivered"]["order"];
    assert_eq!(view["status"], "CANCELLED", "{view}");
    assert_eq!(view["fulfilments"][0]["status"], "RETURNED", "{view}");
    // Nothing was collected, so nothing is refunded and no TCS is due.
    assert_eq!(view["refunds"], json!([]), "{view}");
    assert_eq!(int(&view["refunded"]), 0);
    assert_eq!(int(&view["fulfilments"][0]["tcs"]), 0);
    let history = view["history"].as_array().unwrap();
    assert!(
        history.iter().any(|h| h["fromStatus"] == "SHIPPED"
            && h["toStatus"] == "RETURNED"
            && h["reason"] == "returned undelivered: refused at the door"),
        "{view}"
    );
    // The unit is back in stock (the second order above still holds its own).
    assert_eq!(stock(&server, slug, sku).await, stock_before - 1);
    // The invoice is reversed in full by a credit note.
    let listed = notes(&server, &buyer, &order).await;
    let credits = listed["creditNotes"].as_array().unwrap();
    assert_eq!(credits.len(), 1, "{listed}");
    assert_eq!(
        (
            int(&credits[0]["taxableValue"]),
            int(&credits[0]["cgst"]),
            int(&credits[0]["utgst"]),
            int(&credits[0]["total"])
        ),
        (40_000, 1_000, 1_000, 42_000)
    );
    assert_eq!(credits[0]["refundId"], Value::Null);
    let (html, figures) = fetch_note(&server, &buyer, credits[0]["url"].as_str().unwrap()).await;
    assert_eq!(figures.total, 42_000);
    assert!(html.contains("returned undelivered"), "{html}");
    // A second return is refused: the parcel is already back.
    let again = return_undelivered(&server, &staff, &fulfilment).await;
    assert_eq!(error_code(&again), Some("CONFLICT"), "{again}");
    assert_eq!(stock(&server, slug, sku).await, stock_before - 1);
    Ok(())
}
