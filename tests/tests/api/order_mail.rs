//! The mail orders send, against the real SMTP sink: the buyer's confirmation and each
//! cooperative's alert (its own lines only), payment received, shipped (with the
//! invoice attached), delivered, refunded and cancelled, each once, in the recipient's
//! language; an SMTP outage and a server killed while sending lose and double nothing.

use std::collections::HashMap;

use mail_parser::MimeHeaders;
use serde_json::{Value, json};

use crate::{
    both_backends,
    mail::mailing,
    orders::{add_to_cart, int, leh, place_order, transition, variant},
    support::{
        Backend, TestServer,
        flows::{PASSWORD, admin_token, buyer_token, cooperative_id, login, user_errors},
        server::{clock_passes, time_of},
        smtp_sink::{Received, SmtpSink},
    },
};

const SHAM: &str = "sham-apricot-growers-demo";
const NUBRA: &str = "nubra-leh-berry-growers-demo";

/// An amount as people in India write it, for the sums these tests use (under a
/// lakh of rupees): `Rs 1,430.00`.
fn rupees(paise: i64) -> String {
    let (whole, fraction) = (paise / 100, paise % 100);
    if whole >= 1000 {
        format!("Rs {},{:03}.{fraction:02}", whole / 1000, whole % 1000)
    } else {
        format!("Rs {whole}.{fraction:02}")
    }
}

/// A staff account of a cooperative with a known address; returns its token.
async fn staff(
    server: &TestServer,
    admin: &str,
    cooperative: &str,
    email: &str,
    role: &str,
) -> String {
    let body = server
        .graphql_as(
            Some(admin),
            "mutation($input: UserCreateInput!) { userCreate(input: $input) { user { id } errors { message } } }",
            json!({ "input": { "email": email, "password": PASSWORD, "name": "Staff", "role": "COOPERATIVE",
                    "cooperativeId": cooperative, "cooperativeRole": role } }),
        )
        .await;
    assert!(
        body["data"]["userCreate"]["user"]["id"].is_string(),
        "{body}"
    );
    login(server, email).await
}

async fn speak_hindi(server: &TestServer, token: &str) {
    let updated = server
        .graphql_as(
            Some(token),
            "mutation($input: MeUpdateInput!) { meUpdate(input: $input) { user { language } errors { code } } }",
            json!({ "input": { "language": "HINDI" } }),
        )
        .await;
    assert_eq!(
        updated["data"]["meUpdate"]["user"]["language"], "HINDI",
        "{updated}"
    );
}

/// The messages to `email` whose subject is `subject`.
fn titled(sink: &SmtpSink, email: &str, subject: &str) -> Vec<Received> {
    sink.to(email)
        .into_iter()
        .filter(|m| m.subject() == subject)
        .collect()
}

/// The one message to `email` titled `subject`.
fn one(sink: &SmtpSink, email: &str, subject: &str) -> Received {
    let found = titled(sink, email, subject);
    assert_eq!(
        found.len(),
        1,
        "{email} should have one {subject:?}; has {:?}",
        sink.to(email)
            .iter()
            .map(Received::subject)
            .collect::<Vec<_>>()
    );
    found.into_iter().next().unwrap()
}

/// Each fulfilment's cooperative slug, id, invoice number and line descriptions.
async fn parts(server: &TestServer, token: &str, order_id: &Value) -> HashMap<String, Value> {
    let body = server
        .graphql_as(
            Some(token),
            "query($id: ID!) { order(id: $id) { fulfilments { id total invoiceNumber cooperative { slug }
                lines { kind description } } } }",
            json!({ "id": order_id }),
        )
        .await;
    body["data"]["order"]["fulfilments"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|f| {
            (
                f["cooperative"]["slug"].as_str().unwrap().to_owned(),
                f.clone(),
            )
        })
        .collect()
}

fn goods(fulfilment: &Value) -> Vec<String> {
    fulfilment["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "GOODS")
        .map(|l| l["description"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_two_cooperative_order_mails_everyone_their_part(backend: Backend) -> anyhow::Result<()> {
    let sink = SmtpSink::start(None).await?;
    let server = TestServer::spawn(backend, mailing(&sink)).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, SHAM).await;
    let nubra = cooperative_id(&server, &admin, NUBRA).await;
    let (sham_manager_email, sham_staff_email, nubra_staff_email) = (
        "sham-manager@coop.example.org",
        "sham-staff@coop.example.org",
        "nubra-staff@coop.example.org",
    );
    let sham_manager = staff(&server, &admin, &sham, sham_manager_email, "MANAGER").await;
    staff(&server, &admin, &sham, sham_staff_email, "STAFF").await;
    let nubra_staff = staff(&server, &admin, &nubra, nubra_staff_email, "STAFF").await;
    speak_hindi(&server, &nubra_staff).await;
    let buyer_email = "two-cooperatives@example.org";
    let buyer = buyer_token(&server, buyer_email).await;

    let apricots = variant(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    let juice = variant(&server, "nubra-leh-berry-juice-500ml", "NLBJ-500").await;
    add_to_cart(&server, Some(&buyer), None, &apricots["id"], 2).await;
    add_to_cart(&server, Some(&buyer), None, &juice["id"], 1).await;
    let placed = place_order(
        &server,
        &buyer,
        "mail-order-1",
        leh(),
        "BANK_TRANSFER",
        json!({}),
    )
    .await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let order = placed["data"]["placeOrder"]["order"].clone();
    let number = order["number"].as_str().unwrap().to_owned();
    let by_cooperative = parts(&server, &buyer, &order["id"]).await;
    let (sham_part, nubra_part) = (&by_cooperative[SHAM], &by_cooperative[NUBRA]);
    let (sham_goods, nubra_goods) = (goods(sham_part), goods(nubra_part));
    assert!(!sham_goods.is_empty() && !nubra_goods.is_empty());
    server.drain().await;

    // The buyer: every line, the GST split (CGST and UTGST within Ladakh) and the address.
    let confirmation = one(
        &sink,
        buyer_email,
        &format!("Your order {number} is placed"),
    );
    let text = confirmation.text();
    for description in sham_goods.iter().chain(&nubra_goods) {
        assert!(
            text.contains(description.as_str()),
            "{description} in {text}"
        );
    }
    assert!(
        text.contains(&format!("Total: {}", rupees(int(&order["total"])))),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Taxable value: {}",
            rupees(int(&order["taxableValue"]))
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("CGST: {}", rupees(int(&order["cgst"])))),
        "{text}"
    );
    assert!(
        text.contains(&format!("UTGST: {}", rupees(int(&order["utgst"])))),
        "{text}"
    );
    assert!(!text.contains("IGST:"), "no IGST within Ladakh: {text}");
    assert!(
        text.contains("Tsering Dolma") && text.contains("Main Bazaar"),
        "{text}"
    );
    assert!(confirmation.html().contains("Main Bazaar"));

    // Each cooperative: its own lines and total, to each of its staff, and nothing of
    // the other's.
    for email in [sham_manager_email, sham_staff_email] {
        let alerts: Vec<_> = sink
            .to(email)
            .into_iter()
            .filter(|m| m.subject().starts_with(&format!("New order {number}")))
            .collect();
        assert_eq!(
            alerts.len(),
            1,
            "{email}: {:?}",
            sink.to(email)
                .iter()
                .map(Received::subject)
                .collect::<Vec<_>>()
        );
        let text = alerts[0].text();
        for description in &sham_goods {
            assert!(text.contains(description.as_str()), "{text}");
        }
        for description in &nubra_goods {
            assert!(
                !text.contains(description.as_str()),
                "Sham sees no Nubra line: {text}"
            );
        }
        assert!(
            text.contains(&format!("Total: {}", rupees(int(&sham_part["total"])))),
            "{text}"
        );
        assert!(
            !text.contains(&format!("Total: {}", rupees(int(&order["total"])))),
            "{text}"
        );
    }
    // Nubra's staff member reads Hindi.
    let nubra_alerts: Vec<_> = sink
        .to(nubra_staff_email)
        .into_iter()
        .filter(|m| m.subject().contains("नया ऑर्डर") && m.subject().contains(&number))
        .collect();
    assert_eq!(
        nubra_alerts.len(),
        1,
        "{:?}",
        sink.to(nubra_staff_email)
            .iter()
            .map(Received::subject)
            .collect::<Vec<_>>()
    );
    let nubra_text = nubra_alerts[0].text();
    for description in &nubra_goods {
        assert!(nubra_text.contains(description.as_str()), "{nubra_text}");
    }
    for description in &sham_goods {
        assert!(!nubra_text.contains(description.as_str()), "{nubra_text}");
    }
    assert!(
        nubra_text.contains(&format!("कुल: {}", rupees(int(&nubra_part["total"])))),
        "{nubra_text}"
    );
    assert!(nubra_alerts[0].html().contains("lang=\"hi\""));

    // The bank transfer arrives.
    let paid = transition(
        &server,
        &admin,
        "paymentMarkReceived",
        json!({ "orderId": order["id"], "amountPaise": order["total"], "reference": "NEFT-4471" }),
    )
    .await;
    assert!(
        user_errors(&paid, "paymentMarkReceived").is_empty(),
        "{paid}"
    );
    server.drain().await;
    let received = one(
        &sink,
        buyer_email,
        &format!("Payment received for order {number}"),
    );
    assert!(
        received
            .text()
            .contains(&format!("Received: {}", rupees(int(&order["total"]))))
    );

    // Sham ships: carrier, tracking number and the invoice attached.
    let f = json!({ "fulfilmentId": sham_part["id"] });
    transition(&server, &sham_manager, "fulfilmentPack", f.clone()).await;
    let shipped = transition(
        &server,
        &sham_manager,
        "fulfilmentShip",
        json!({ "fulfilmentId": sham_part["id"], "carrier": "India Post", "trackingNumber": "EL123456789IN" }),
    )
    .await;
    assert!(
        user_errors(&shipped, "fulfilmentShip").is_empty(),
        "{shipped}"
    );
    server.drain().await;
    let invoice_number = parts(&server, &buyer, &order["id"]).await[SHAM]["invoiceNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    let shipped_mail = one(
        &sink,
        buyer_email,
        &format!("Your order {number} has shipped"),
    );
    let text = shipped_mail.text();
    assert!(text.contains("Carrier: India Post"), "{text}");
    assert!(text.contains("Tracking number: EL123456789IN"), "{text}");
    assert!(
        text.contains(&format!("Invoice: {invoice_number}")),
        "{text}"
    );
    let parsed = shipped_mail.parsed();
    let attachments: Vec<_> = parsed.attachments().collect();
    assert_eq!(attachments.len(), 1, "the invoice is attached");
    let invoice = attachments[0];
    assert_eq!(
        invoice.attachment_name(),
        Some(format!("invoice-{}.html", invoice_number.replace('/', "-")).as_str())
    );
    assert_eq!(
        invoice.content_type().map(|c| c.subtype()),
        Some(Some("html"))
    );
    let invoice_html = String::from_utf8_lossy(invoice.contents()).into_owned();
    assert!(invoice_html.contains(&invoice_number), "{invoice_html}");
    assert!(
        invoice_html.contains("Demo Sham Valley Apricot Growers"),
        "{invoice_html}"
    );
    assert!(
        !invoice_html.contains(nubra_goods[0].as_str()),
        "only Sham's lines"
    );
    // The same document the invoice route serves.
    let served = server
        .client
        .get(server.url(&format!("/invoices/{}", sham_part["id"].as_str().unwrap())))
        .bearer_auth(&buyer)
        .send()
        .await?
        .text()
        .await?;
    assert_eq!(
        served.replace("\r\n", "\n").trim_end(),
        invoice_html.replace("\r\n", "\n").trim_end()
    );

    // Delivered, then part of it refunded.
    transition(&server, &sham_manager, "fulfilmentDeliver", f.clone()).await;
    let refund = server
        .graphql_as(
            Some(&admin),
            "mutation($i: OrderRefundInput!) { orderRefund(input: $i) { refund { status } errors { field code message } } }",
            json!({ "i": { "orderId": order["id"], "fulfilmentId": sham_part["id"], "amountPaise": 1000,
                           "reason": "one pouch was torn", "idempotencyKey": "mail-refund-1" } }),
        )
        .await;
    assert_eq!(
        refund["data"]["orderRefund"]["refund"]["status"], "SUCCEEDED",
        "{refund}"
    );
    server.drain().await;
    one(
        &sink,
        buyer_email,
        &format!("Your order {number} was delivered"),
    );
    let refunds = titled(&sink, buyer_email, &format!("A refund for order {number}"));
    assert_eq!(refunds.len(), 1);
    assert!(
        refunds[0].text().contains("Refunded: Rs 10.00"),
        "{}",
        refunds[0].text()
    );
    assert!(refunds[0].text().contains("one pouch was torn"));

    // Nubra's part is cancelled: the buyer and Nubra hear of it (Sham does not), and its
    // money goes back.
    let cancelled = transition(
        &server,
        &admin,
        "orderCancel",
        json!({ "orderId": order["id"], "fulfilmentId": nubra_part["id"], "reason": "juice spoilt in the cold store" }),
    )
    .await;
    assert!(
        user_errors(&cancelled, "orderCancel").is_empty(),
        "{cancelled}"
    );
    server.drain().await;
    let cancel_mail = one(&sink, buyer_email, &format!("Order {number} is cancelled"));
    assert!(
        cancel_mail
            .text()
            .contains("juice spoilt in the cold store")
    );
    assert!(
        cancel_mail.text().contains("Demo Nubra Leh Berry Growers"),
        "{}",
        cancel_mail.text()
    );
    let nubra_cancel: Vec<_> = sink
        .to(nubra_staff_email)
        .into_iter()
        .filter(|m| m.subject() == format!("ऑर्डर {number} रद्द हो गया"))
        .collect();
    assert_eq!(nubra_cancel.len(), 1);
    for email in [sham_manager_email, sham_staff_email] {
        assert!(
            sink.to(email)
                .iter()
                .all(|m| !m.subject().contains("is cancelled")),
            "Sham's part was not cancelled"
        );
    }
    let refunds = titled(&sink, buyer_email, &format!("A refund for order {number}"));
    assert_eq!(refunds.len(), 2);
    assert!(
        refunds.iter().any(|m| m
            .text()
            .contains(&format!("Refunded: {}", rupees(int(&nubra_part["total"]))))),
        "the cancelled part's money"
    );

    // Each once: nothing is sent again on later rounds.
    let before = sink.received().len();
    server.drain_all().await;
    assert_eq!(sink.received().len(), before);
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for message in sink.received() {
        *by_id.entry(message.message_id()).or_default() += 1;
    }
    assert!(by_id.values().all(|n| *n == 1), "{by_id:?}");
    // Verification, confirmation, payment, shipped, delivered, two refunds, cancelled.
    assert_eq!(
        sink.to(buyer_email).len(),
        8,
        "{:?}",
        sink.to(buyer_email)
            .iter()
            .map(Received::subject)
            .collect::<Vec<_>>()
    );
    sink.stop();
    Ok(())
}

/// Places a two-cooperative cash-on-delivery order; returns its number.
async fn two_cooperative_order(server: &TestServer, buyer: &str, key: &str) -> String {
    let apricots = variant(server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    let juice = variant(server, "nubra-leh-berry-juice-500ml", "NLBJ-500").await;
    add_to_cart(server, Some(buyer), None, &apricots["id"], 1).await;
    add_to_cart(server, Some(buyer), None, &juice["id"], 1).await;
    let placed = place_order(server, buyer, key, leh(), "CASH_ON_DELIVERY", json!({})).await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    placed["data"]["placeOrder"]["order"]["number"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn order_mail_survives_an_smtp_outage(backend: Backend) -> anyhow::Result<()> {
    let sink = SmtpSink::start(None).await?;
    let server = TestServer::spawn(backend, mailing(&sink)).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, SHAM).await;
    let nubra = cooperative_id(&server, &admin, NUBRA).await;
    staff(
        &server,
        &admin,
        &sham,
        "outage-sham@coop.example.org",
        "MANAGER",
    )
    .await;
    staff(
        &server,
        &admin,
        &nubra,
        "outage-nubra@coop.example.org",
        "MANAGER",
    )
    .await;
    let buyer = buyer_token(&server, "outage-buyer@example.org").await;
    server.drain().await;
    let before = sink.received().len();
    // Down: every attempt is refused.
    sink.refuse_next(usize::MAX);
    let number = two_cooperative_order(&server, &buyer, "outage-1").await;
    server.drain().await;
    server.drain().await;
    assert!(sink.refused() >= 3, "every message was tried");
    assert_eq!(sink.received().len(), before, "nothing got through");
    // Back up: each of the three arrives, once.
    sink.refuse_next(0);
    server.drain_all().await;
    server.drain_all().await;
    one(
        &sink,
        "outage-buyer@example.org",
        &format!("Your order {number} is placed"),
    );
    for (email, name) in [
        (
            "outage-sham@coop.example.org",
            "Demo Sham Valley Apricot Growers",
        ),
        (
            "outage-nubra@coop.example.org",
            "Demo Nubra Leh Berry Growers",
        ),
    ] {
        let alerts: Vec<_> = sink
            .to(email)
            .into_iter()
            .filter(|m| {
                m.subject()
                    .starts_with(&format!("New order {number} for {name}"))
            })
            .collect();
        assert_eq!(alerts.len(), 1, "{email}");
    }
    assert_eq!(sink.received().len(), before + 3);
    sink.stop();
    Ok(())
}

async fn order_mail_survives_a_kill_while_sending(backend: Backend) -> anyhow::Result<()> {
    let sink = SmtpSink::start(None).await?;
    let server = TestServer::spawn(backend, mailing(&sink)).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, SHAM).await;
    let nubra = cooperative_id(&server, &admin, NUBRA).await;
    staff(
        &server,
        &admin,
        &sham,
        "kill-sham@coop.example.org",
        "MANAGER",
    )
    .await;
    staff(
        &server,
        &admin,
        &nubra,
        "kill-nubra@coop.example.org",
        "MANAGER",
    )
    .await;
    let buyer = buyer_token(&server, "kill-buyer@example.org").await;
    server.drain().await;
    let before = sink.received().len();
    // The sink holds its reply to DATA: the server is killed in the middle of sending.
    sink.hold();
    let number = two_cooperative_order(&server, &buyer, "kill-1").await;
    sink.until_held(1).await;
    let database = server.stop().await;
    let lease_lapsed = chrono::Utc::now() + chrono::Duration::seconds(12);
    sink.release();
    assert_eq!(sink.received().len(), before, "no 250 before the kill");
    let server = TestServer::spawn_on(database, mailing(&sink)).await?;
    clock_passes(lease_lapsed).await;
    server.drain().await;
    server.drain().await;
    one(
        &sink,
        "kill-buyer@example.org",
        &format!("Your order {number} is placed"),
    );
    for email in ["kill-sham@coop.example.org", "kill-nubra@coop.example.org"] {
        let alerts: Vec<_> = sink
            .to(email)
            .into_iter()
            .filter(|m| m.subject().starts_with(&format!("New order {number}")))
            .collect();
        assert_eq!(alerts.len(), 1, "{email}");
    }
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for message in sink.received() {
        *by_id.entry(message.message_id()).or_default() += 1;
    }
    assert!(by_id.values().all(|n| *n == 1), "none doubled: {by_id:?}");
    assert_eq!(sink.received().len(), before + 3);
    sink.stop();
    Ok(())
}

/// An institution user of a new buyer organisation; returns their token.
async fn institution(server: &TestServer, admin: &str, email: &str) -> String {
    let organisation = server
        .graphql_as(
            Some(admin),
            "mutation($i: BuyerOrganisationCreateInput!) { buyerOrganisationCreate(input: $i) { buyerOrganisation { id } } }",
            json!({ "i": { "name": format!("Department of {email}"), "kind": "UT_GOVERNMENT_DEPARTMENT" } }),
        )
        .await;
    let created = server
        .graphql_as(
            Some(admin),
            "mutation($i: UserCreateInput!) { userCreate(input: $i) { errors { code } } }",
            json!({ "i": { "email": email, "password": PASSWORD, "name": "Procurement", "role": "INSTITUTION",
                     "buyerOrganisationId": organisation["data"]["buyerOrganisationCreate"]["buyerOrganisation"]["id"] } }),
        )
        .await;
    assert_eq!(
        created["data"]["userCreate"]["errors"],
        json!([]),
        "{created} {organisation}"
    );
    login(server, email).await
}

/// An institutional order on purchase-order terms due at once (0 days), shipped,
/// delivered and accepted, with its due date passed; returns its number.
async fn overdue_order(server: &TestServer, admin: &str, institution: &str, key: &str) -> String {
    let nubra = cooperative_id(server, admin, NUBRA).await;
    let manager = staff(
        server,
        admin,
        &nubra,
        &format!("{key}-nubra@coop.example.org"),
        "MANAGER",
    )
    .await;
    let bulk = variant(
        server,
        "nubra-sea-buckthorn-juice-10l-institutional",
        "NSBJ-10L",
    )
    .await;
    let moq = int(&bulk["minOrderQuantity"]);
    add_to_cart(server, Some(institution), None, &bulk["id"], moq).await;
    let placed = place_order(
        server,
        institution,
        key,
        leh(),
        "PURCHASE_ORDER",
        json!({ "institutional": { "purchaseOrderNumber": "DHS/PO/2026/77", "paymentTermsDays": 0,
                "consignees": [{ "name": "District Hospital Leh", "address": leh(), "items": [{ "variantId": bulk["id"], "quantity": moq }] }] } }),
    )
    .await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let order = &placed["data"]["placeOrder"]["order"];
    let f = json!({ "fulfilmentId": order["fulfilments"][0]["id"] });
    transition(server, &manager, "fulfilmentPack", f.clone()).await;
    transition(server, &manager, "fulfilmentShip", json!({ "fulfilmentId": f["fulfilmentId"], "carrier": "Blue Dart", "trackingNumber": "BD77" })).await;
    transition(server, &manager, "fulfilmentDeliver", f.clone()).await;
    let accepted = transition(server, institution, "fulfilmentAccept", f.clone()).await;
    let due = &accepted["data"]["fulfilmentAccept"]["order"]["fulfilments"][0]["paymentDueAt"];
    assert!(due.is_string(), "{accepted}");
    clock_passes(time_of(due)).await;
    order["number"].as_str().unwrap().to_owned()
}

async fn overdue_payments_are_reminded_once(backend: Backend) -> anyhow::Result<()> {
    let sink = SmtpSink::start(None).await?;
    let server = TestServer::spawn(backend, mailing(&sink)).await?;
    let admin = admin_token(&server).await;
    let email = "po-overdue@dhs.example.org";
    let buyer = institution(&server, &admin, email).await;
    let number = overdue_order(&server, &admin, &buyer, "overdue-1").await;
    server.drain().await;
    let reminder = one(&sink, email, &format!("Payment overdue for order {number}"));
    let text = reminder.text();
    assert!(text.contains("Purchase order: DHS/PO/2026/77"), "{text}");
    assert!(text.contains("Amount due: Rs "), "{text}");
    // Later sweeps remind of the same due date no more.
    server.drain_all().await;
    server.drain_all().await;
    assert_eq!(
        titled(&sink, email, &format!("Payment overdue for order {number}")).len(),
        1
    );
    sink.stop();
    Ok(())
}

const PREFERENCES: &str = "{ me { notificationPreferences { kind enabled } } }";
const ME_UPDATE: &str = "mutation($input: MeUpdateInput!) { meUpdate(input: $input) { user { email } errors { field code message } } }";

async fn an_opted_out_reminder_is_not_sent_but_order_mail_is(
    backend: Backend,
) -> anyhow::Result<()> {
    let sink = SmtpSink::start(None).await?;
    let server = TestServer::spawn(backend, mailing(&sink)).await?;
    let admin = admin_token(&server).await;
    let email = "po-quiet@dhs.example.org";
    let buyer = institution(&server, &admin, email).await;
    // Every optional kind is on until switched off.
    let before = server
        .graphql_as(Some(&buyer), PREFERENCES, json!({}))
        .await;
    assert_eq!(
        before["data"]["me"]["notificationPreferences"],
        json!([{ "kind": "PAYMENT_OVERDUE", "enabled": true }, { "kind": "GI_AUTHORISATION_EXPIRING", "enabled": true }]),
        "{before}"
    );
    // Transactional kinds cannot be switched off; nothing changes then.
    let refused = server
        .graphql_as(
            Some(&buyer),
            ME_UPDATE,
            json!({ "input": { "notificationPreferences": [
                { "kind": "PAYMENT_OVERDUE", "enabled": false },
                { "kind": "ORDER_SHIPPED", "enabled": false } ] } }),
        )
        .await;
    assert_eq!(
        refused["data"]["meUpdate"]["errors"][0]["field"],
        json!(["input", "notificationPreferences", "1", "kind"]),
        "{refused}"
    );
    assert_eq!(
        refused["data"]["meUpdate"]["errors"][0]["code"],
        "NOT_ALLOWED"
    );
    let unchanged = server
        .graphql_as(Some(&buyer), PREFERENCES, json!({}))
        .await;
    assert_eq!(unchanged, before);
    let off = server
        .graphql_as(
            Some(&buyer),
            ME_UPDATE,
            json!({ "input": { "notificationPreferences": [{ "kind": "PAYMENT_OVERDUE", "enabled": false }] } }),
        )
        .await;
    assert_eq!(off["data"]["meUpdate"]["errors"], json!([]), "{off}");
    let after = server
        .graphql_as(Some(&buyer), PREFERENCES, json!({}))
        .await;
    assert_eq!(
        after["data"]["me"]["notificationPreferences"],
        json!([{ "kind": "PAYMENT_OVERDUE", "enabled": false }, { "kind": "GI_AUTHORISATION_EXPIRING", "enabled": true }])
    );

    let number = overdue_order(&server, &admin, &buyer, "quiet-1").await;
    server.drain().await;
    server.drain_all().await;
    assert!(
        titled(&sink, email, &format!("Payment overdue for order {number}")).is_empty(),
        "switched off: {:?}",
        sink.to(email)
            .iter()
            .map(Received::subject)
            .collect::<Vec<_>>()
    );
    // Transactional mail of the same order still goes.
    one(&sink, email, &format!("Your order {number} is placed"));
    one(&sink, email, &format!("Your order {number} has shipped"));
    one(&sink, email, &format!("Your order {number} was delivered"));
    sink.stop();
    Ok(())
}

async fn expiring_gi_authorisations_are_reminded_once(backend: Backend) -> anyhow::Result<()> {
    let sink = SmtpSink::start(None).await?;
    let server = TestServer::spawn(backend, mailing(&sink)).await?;
    let admin = admin_token(&server).await;
    let sankoo = cooperative_id(&server, &admin, "sankoo-fruit-processors-demo").await;
    staff(
        &server,
        &admin,
        &sankoo,
        "gi-manager@coop.example.org",
        "MANAGER",
    )
    .await;
    let quiet = staff(
        &server,
        &admin,
        &sankoo,
        "gi-quiet@coop.example.org",
        "STAFF",
    )
    .await;
    let off = server
        .graphql_as(
            Some(&quiet),
            ME_UPDATE,
            json!({ "input": { "notificationPreferences": [{ "kind": "GI_AUTHORISATION_EXPIRING", "enabled": false }] } }),
        )
        .await;
    assert_eq!(off["data"]["meUpdate"]["errors"], json!([]), "{off}");
    let tag = crate::support::flows::gi_tag_id(&server, "raktsey-karpo-apricot").await;
    let soon = (chrono::Utc::now() + chrono::Duration::days(12)).date_naive();
    let later = (chrono::Utc::now() + chrono::Duration::days(300)).date_naive();
    for (number, until) in [("AU/RKA/TEST/0901", soon), ("AU/RKA/TEST/0902", later)] {
        let registered = server
            .graphql_as(
                Some(&admin),
                "mutation($i: GiAuthorisedUserRegisterInput!) { giAuthorisedUserRegister(input: $i) { authorisedUser { id } errors { field code message } } }",
                json!({ "i": { "giTagId": tag, "cooperativeId": sankoo, "auNumber": number,
                               "validFrom": "2023-01-01", "validUntil": until.to_string() } }),
            )
            .await;
        let id = registered["data"]["giAuthorisedUserRegister"]["authorisedUser"]["id"].clone();
        assert!(id.is_string(), "{registered}");
        let verified = server
            .graphql_as(
                Some(&admin),
                "mutation($i: GiAuthorisedUserVerifyInput!) { giAuthorisedUserVerify(input: $i) { errors { message } } }",
                json!({ "i": { "id": id, "approve": true } }),
            )
            .await;
        assert_eq!(
            verified["data"]["giAuthorisedUserVerify"]["errors"],
            json!([]),
            "{verified}"
        );
    }
    server.drain().await;
    let reminders: Vec<_> = sink
        .to("gi-manager@coop.example.org")
        .into_iter()
        .filter(|m| m.subject().contains("GI authorisation expires"))
        .collect();
    assert_eq!(
        reminders.len(),
        1,
        "only the one expiring within 30 days: {:?}",
        sink.received()
            .iter()
            .map(Received::subject)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        reminders[0].subject(),
        format!("Your Raktsey Karpo Apricot GI authorisation expires on {soon}")
    );
    assert!(
        reminders[0]
            .text()
            .contains("Authorised user number: AU/RKA/TEST/0901")
    );
    // The staff member who switched these off is not reminded; nor is anyone twice.
    assert!(
        sink.to("gi-quiet@coop.example.org")
            .iter()
            .all(|m| !m.subject().contains("GI authorisation")),
    );
    server.drain_all().await;
    assert_eq!(
        sink.to("gi-manager@coop.example.org")
            .iter()
            .filter(|m| m.subject().contains("GI authorisation expires"))
            .count(),
        1
    );
    sink.stop();
    Ok(())
}

both_backends!(
    overdue_payments_are_reminded_once,
    an_opted_out_reminder_is_not_sent_but_order_mail_is,
    expiring_gi_authorisations_are_reminded_once,
);

both_backends!(
    a_two_cooperative_order_mails_everyone_their_part,
    order_mail_survives_an_smtp_outage,
    order_mail_survives_a_kill_while_sending,
);

/// README: "a demo checkout in development leaves the buyer's and the cooperatives'
/// mail under `DATA_DIR/mail/`", named by kind and recipient; a guest's at the address
/// they ordered with, a cooperative without staff accounts at its contact address.
async fn a_demo_checkout_in_development_leaves_eml_files(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, crate::support::ServerOptions::seeded()).await?;
    let apricots = variant(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    let juice = variant(&server, "nubra-leh-berry-juice-500ml", "NLBJ-500").await;
    let first = add_to_cart(&server, None, None, &apricots["id"], 1).await;
    let cart = first["data"]["cartAddItem"]["cartToken"]
        .as_str()
        .unwrap()
        .to_owned();
    add_to_cart(&server, None, Some(&cart), &juice["id"], 1).await;
    let placed = server
        .graphql(
            "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { errors { field code message } order { number } } }",
            json!({ "i": { "cartToken": cart, "idempotencyKey": "demo-1", "shippingAddress": leh(),
                           "paymentMethod": "CASH_ON_DELIVERY",
                           "guest": { "email": "guest-demo@example.org", "phone": "9876543210" } } }),
        )
        .await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let number = placed["data"]["placeOrder"]["order"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    server.drain().await;
    let dir = server.database.data_path().join("mail");
    let mut names: Vec<String> = std::fs::read_dir(&dir)?
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let named = |kind_and_recipient: &str| -> Vec<String> {
        names
            .iter()
            .filter(|n| n.contains(&format!("-{kind_and_recipient}-")) && n.ends_with(".eml"))
            .cloned()
            .collect()
    };
    let buyer = named("order-confirmation-guest-demo@example.org");
    assert_eq!(buyer.len(), 1, "{names:?}");
    assert_eq!(
        named("new-order-sham-apricot@example.org").len(),
        1,
        "{names:?}"
    );
    assert_eq!(
        named("new-order-nubra-lehberry@example.org").len(),
        1,
        "{names:?}"
    );
    assert_eq!(names.len(), 3, "{names:?}");
    let raw = std::fs::read(dir.join(&buyer[0]))?;
    let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert_eq!(
        message.subject(),
        Some(format!("Your order {number} is placed").as_str())
    );
    Ok(())
}

both_backends!(a_demo_checkout_in_development_leaves_eml_files);
