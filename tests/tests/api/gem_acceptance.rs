//! GeM's provisional receipt (PRC) and acceptance (CRAC): ordered, accepted and
//! rejected units per consignee and line, rejected units credited back by a credit
//! note (and returned to stock when they came back), payment due 10 days after the
//! CRAC for a GeM contract.

use serde_json::{Value, json};

use crate::{
    both_backends,
    orders::{ORDER_FIELDS, add_to_cart, int, leh, place_order, stock, transition, variant},
    support::{
        Backend, ServerOptions, TestServer,
        documents::fetch_note,
        error_code,
        flows::{
            PASSWORD, admin_token, buyer_token, cooperative_id, error_fields, login, staff_token,
            user_errors,
        },
        server::time_of,
    },
};

both_backends!(gem_receipt_and_acceptance_record_rejections_and_fix_the_payment_term,);

const SLUG: &str = "nubra-sea-buckthorn-juice-10l-institutional";
const SKU: &str = "NSBJ-10L";

async fn accept(server: &TestServer, token: &str, input: Value) -> Value {
    server
        .graphql_as(
            Some(token),
            &format!("mutation($i: FulfilmentAcceptInput!) {{ fulfilmentAccept(input: $i) {{ errors {{ field code message }} order {{ {ORDER_FIELDS} fulfilments {{ provisionalReceiptAt acceptance {{ orderLineId consigneeId sku ordered accepted rejected disposition }} creditNotes {{ total reason url }} }} }} }} }}"),
            json!({ "i": input }),
        )
        .await
}

async fn gem_receipt_and_acceptance_record_rejections_and_fix_the_payment_term(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let nubra = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let staff = staff_token(&server, &admin, &nubra, "STAFF").await;
    let organisation = server
        .graphql_as(Some(&admin), "mutation { buyerOrganisationCreate(input: { name: \"SNM Hospital Leh\", kind: UT_GOVERNMENT_DEPARTMENT }) { buyerOrganisation { id } } }", json!({}))
        .await;
    server
        .graphql_as(Some(&admin), "mutation($i: UserCreateInput!) { userCreate(input: $i) { errors { code } } }",
            json!({ "i": { "email": "stores@snm.example.org", "password": PASSWORD, "name": "Stores", "role": "INSTITUTION",
                     "buyerOrganisationId": organisation["data"]["buyerOrganisationCreate"]["buyerOrganisation"]["id"] } }))
        .await;
    let institution = login(&server, "stores@snm.example.org").await;
    let buyer = buyer_token(&server, "someone@example.org").await;
    let bulk = variant(&server, SLUG, SKU).await;
    let moq = int(&bulk["minOrderQuantity"]);
    assert!(moq >= 2);
    let consignee = |name: &str, quantity: i64| json!({ "name": name, "address": leh(), "items": [{ "variantId": bulk["id"], "quantity": quantity }] });
    let consignees = json!([
        consignee("SNM Hospital stores", moq),
        consignee("SNM Hospital dispensary", moq)
    ]);
    add_to_cart(&server, Some(&institution), None, &bulk["id"], 2 * moq).await;

    // GeM's terms fix the payment at 10 days after the CRAC: other terms are refused.
    let other_terms = place_order(&server, &institution, "gem-1", leh(), "PURCHASE_ORDER",
        json!({ "institutional": { "gemContractNumber": "GEMC-511687799990001", "paymentTermsDays": 30, "consignees": consignees } })).await;
    assert_eq!(
        error_fields(&other_terms, "placeOrder"),
        ["input.institutional.paymentTermsDays"],
        "{other_terms}"
    );
    let placed = place_order(&server, &institution, "gem-2", leh(), "PURCHASE_ORDER",
        json!({ "institutional": { "gemContractNumber": "GEMC-511687799990001", "consignees": consignees } })).await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let order = &placed["data"]["placeOrder"]["order"];
    assert_eq!(order["paymentTermsDays"], 10);
    let fulfilment = order["fulfilments"][0]["id"].clone();
    let with_ids = server
        .graphql_as(Some(&institution), "query($id: ID!) { order(id: $id) { fulfilments { lines { id kind consigneeId unitPrice } } } }", json!({ "id": order["id"] }))
        .await;
    let lines = with_ids["data"]["order"]["fulfilments"][0]["lines"]
        .as_array()
        .unwrap()
        .clone();
    let goods: Vec<&Value> = lines.iter().filter(|l| l["kind"] == "GOODS").collect();
    assert_eq!(goods.len(), 2, "one line per consignee: {order}");
    let unit_price = int(&goods[0]["unitPrice"]);
    let f = json!({ "fulfilmentId": fulfilment });
    for step in ["fulfilmentPack"] {
        transition(&server, &staff, step, f.clone()).await;
    }
    transition(
        &server,
        &staff,
        "fulfilmentShip",
        json!({ "fulfilmentId": fulfilment, "carrier": "Blue Dart", "trackingNumber": "BD78" }),
    )
    .await;

    // No receipt before delivery.
    let receive = "mutation($i: FulfilmentInput!) { fulfilmentReceive(input: $i) { errors { field code message } order { fulfilments { provisionalReceiptAt } } } }";
    let early = server
        .graphql_as(Some(&institution), receive, json!({ "i": f }))
        .await;
    assert_eq!(error_code(&early), Some("CONFLICT"), "{early}");
    transition(&server, &staff, "fulfilmentDeliver", f.clone()).await;
    let stock_before = stock(&server, SLUG, SKU).await;

    // PRC: the consignee's organisation, not the seller, not a stranger; once.
    let by_seller = server
        .graphql_as(Some(&staff), receive, json!({ "i": f }))
        .await;
    assert_eq!(error_code(&by_seller), Some("FORBIDDEN"), "{by_seller}");
    let by_stranger = server
        .graphql_as(Some(&buyer), receive, json!({ "i": f }))
        .await;
    assert_eq!(error_code(&by_stranger), Some("NOT_FOUND"), "{by_stranger}");
    let received = server
        .graphql_as(Some(&institution), receive, json!({ "i": f }))
        .await;
    assert!(
        received["data"]["fulfilmentReceive"]["order"]["fulfilments"][0]["provisionalReceiptAt"]
            .is_string(),
        "{received}"
    );
    let twice = server
        .graphql_as(Some(&institution), receive, json!({ "i": f }))
        .await;
    assert_eq!(error_code(&twice), Some("CONFLICT"), "{twice}");

    // CRAC: quantities must add up to the ordered units, and rejections say where the
    // units go.
    let bad = accept(&server, &institution, json!({ "fulfilmentId": fulfilment, "lines": [
        { "orderLineId": goods[0]["id"], "accepted": moq, "rejected": 1, "disposition": "WRITE_OFF" },
        { "orderLineId": goods[1]["id"], "accepted": moq - 1, "rejected": 1 },
    ] })).await;
    assert_eq!(
        error_fields(&bad, "fulfilmentAccept"),
        ["input.lines.0.rejected", "input.lines.1.disposition"],
        "{bad}"
    );
    let accepted = accept(&server, &institution, json!({ "fulfilmentId": fulfilment, "lines": [
        { "orderLineId": goods[0]["id"], "accepted": moq - 1, "rejected": 1, "disposition": "RETURN_TO_STOCK" },
        { "orderLineId": goods[1]["id"], "accepted": moq - 2, "rejected": 2, "disposition": "WRITE_OFF" },
    ], "note": "seals broken on three cans" })).await;
    assert!(
        user_errors(&accepted, "fulfilmentAccept").is_empty(),
        "{accepted}"
    );
    let after = &accepted["data"]["fulfilmentAccept"]["order"]["fulfilments"][0];
    assert_eq!(after["status"], "ACCEPTED", "{accepted}");
    assert_eq!(
        after["acceptance"],
        json!([
            { "orderLineId": goods[0]["id"], "consigneeId": goods[0]["consigneeId"], "sku": SKU,
              "ordered": moq, "accepted": moq - 1, "rejected": 1, "disposition": "RETURN_TO_STOCK" },
            { "orderLineId": goods[1]["id"], "consigneeId": goods[1]["consigneeId"], "sku": SKU,
              "ordered": moq, "accepted": moq - 2, "rejected": 2, "disposition": "WRITE_OFF" },
        ])
    );
    // The unit that came back is in stock again; the written-off ones are not.
    assert_eq!(stock(&server, SLUG, SKU).await, stock_before + 1);
    // One credit note takes the three rejected units' value off the invoice.
    let notes = after["creditNotes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{after}");
    assert_eq!(int(&notes[0]["total"]), 3 * unit_price, "{after}");
    assert!(
        notes[0]["reason"].as_str().unwrap().starts_with("CRAC:"),
        "{after}"
    );
    let (html, _) = fetch_note(&server, &admin, notes[0]["url"].as_str().unwrap()).await;
    assert!(html.contains("rejected"), "{html}");
    // Payment is due 10 days after the CRAC.
    let due = time_of(&after["paymentDueAt"]) - time_of(&after["acceptedAt"]);
    assert_eq!(due, chrono::Duration::days(10));
    // Accepted once.
    let again = accept(&server, &institution, json!({ "fulfilmentId": fulfilment })).await;
    assert_eq!(error_code(&again), Some("CONFLICT"), "{again}");
    Ok(())
}
