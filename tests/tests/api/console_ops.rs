//! The console's orders and money over plain HTTP, as a browser with JavaScript off
//! uses them: refunds (partial and full, per fulfilment) with their errors beside
//! their fields; the order page in Hindi (statuses, dates and amounts); an
//! institutional order's consignees, contract, receipt, acceptance and payment due
//! date; the settlement statement for a period with its CSV export, checked against
//! figures worked out by hand; and staff invitations from the manager's form to the
//! invitee signed in on the console, through the link the invitation's email carries.

use chrono::{DateTime, Datelike, Duration, FixedOffset, Utc};
use reqwest::header;
use serde_json::{Value, json};

use crate::{
    both_backends,
    console::{signed_in, staff_account, with_csrf},
    orders::{add_to_cart, delhi, int, leh, place_order, transition, variant},
    storefront::{Browser, location},
    support::{
        Backend, ServerOptions, TestServer,
        flows::{PASSWORD, admin_token, cooperative_id, login, user_errors},
    },
    tcs_settlement::sell,
};

const HINDI_MONTHS: [&str; 12] = [
    "जनवरी",
    "फ़रवरी",
    "मार्च",
    "अप्रैल",
    "मई",
    "जून",
    "जुलाई",
    "अगस्त",
    "सितंबर",
    "अक्तूबर",
    "नवंबर",
    "दिसंबर",
];

const ENGLISH_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A timestamp's date in India in words (`30 नवंबर 2026`, `30 Nov 2026`).
fn date_in(months: &[&str; 12], at: &str) -> String {
    let india = FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
    let date = DateTime::parse_from_rfc3339(at)
        .unwrap()
        .with_timezone(&india)
        .date_naive();
    format!(
        "{} {} {}",
        date.day(),
        months[date.month0() as usize],
        date.year()
    )
}

fn hindi_date(at: &str) -> String {
    date_in(&HINDI_MONTHS, at)
}

/// The value of the hidden field `name` inside the form that posts `action=value`.
fn hidden_in_form(page: &str, marker: &str, name: &str) -> String {
    let form = page
        .split("<form ")
        .find(|form| form.contains(marker))
        .unwrap_or_else(|| panic!("no form with {marker} in {page}"));
    let needle = format!("name=\"{name}\" value=\"");
    let start = form.find(&needle).unwrap() + needle.len();
    form[start..start + form[start..].find('"').unwrap()].to_owned()
}

fn market() -> ServerOptions {
    // Bank transfers go to the marketplace's account: the platform collects them.
    ServerOptions::seeded()
        .env("PLATFORM_GSTIN", "38AAECL4321K1ZF")
        .env("MARKETPLACE_PAYEE_ACCOUNT_NAME", "Ladakh Market Pvt Ltd")
        .env("MARKETPLACE_PAYEE_ACCOUNT_NUMBER", "50100234567890")
        .env("MARKETPLACE_PAYEE_IFSC", "HDFC0001234")
}

/// Figures worked out by hand (tcs_settlement.rs has the prices and shipping):
/// - A, Leh, bank transfer to the marketplace: Rs 420.00, taxable 400.00, GST 20.00
///   (CGST + UTGST). Rs 210.00 refunded in the console: its credit note takes 200.00
///   of the taxable value back, leaving 200.00 within Ladakh → TCS 0.50 + 0.50.
/// - B, Delhi, registered buyer, bank transfer to the marketplace: Rs 850.00, taxable
///   809.52, IGST 40.48; refunded whole in the console → no TCS left on it.
/// - The statement: gross 1,270.00, taxable 1,209.52, GST 60.48, collected 1,270.00,
///   refunds 1,060.00, TCS 1.00 (CGST 0.50, SGST/UTGST 0.50, IGST 0.00), net payable
///   1,270.00 − 1,060.00 − 1.00 = 209.00.
async fn refunds_and_the_settlement_statement_in_english_and_hindi(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, market()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let manager_email = staff_account(&server, &admin, &sham, "MANAGER").await;
    let manager = login(&server, &manager_email).await;
    let buyer = crate::support::flows::buyer_token(&server, "refunds@example.org").await;
    let mut registered_delhi = delhi();
    registered_delhi["gstin"] = json!("07AAAAS1234A1Z8");
    let (a, fa) = sell(
        &server,
        &buyer,
        &admin,
        &manager,
        "console-a",
        ("raktsey-karpo-dried-apricots-500g", "RKDA-500"),
        leh(),
        "BANK_TRANSFER",
    )
    .await;
    let (b, fb) = sell(
        &server,
        &buyer,
        &admin,
        &manager,
        "console-b",
        ("raktsey-karpo-dried-apricots-500g", "RKDA-1000"),
        registered_delhi,
        "BANK_TRANSFER",
    )
    .await;
    let (a, fa, b, fb) = (
        a.as_str().unwrap().to_owned(),
        fa.as_str().unwrap().to_owned(),
        b.as_str().unwrap().to_owned(),
        fb.as_str().unwrap().to_owned(),
    );

    // Staff who are not managers see no refund form.
    let clerk = staff_account(&server, &admin, &sham, "STAFF").await;
    let mut clerk = signed_in(&server, &clerk).await;
    let seen = clerk.page(&format!("/console/orders/{a}")).await;
    assert!(seen.contains("data-status=\"SHIPPED\""), "{seen}");
    assert!(!seen.contains("value=\"refund\""), "{seen}");

    let mut browser = signed_in(&server, &manager_email).await;
    let path_a = format!("/console/orders/{a}");
    let page = browser.page(&path_a).await;
    assert!(
        page.contains(&format!(
            "<label for=\"f-r-{fa}-amount\">Amount (₹)</label>"
        )),
        "{page}"
    );
    assert!(page.contains("Leave blank to refund everything not yet refunded: ₹420.00."));
    let action = format!("/console/orders/{a}/fulfilments/{fa}");
    let csrf = browser.csrf();
    let key = hidden_in_form(&page, "value=\"refund\"", "key");

    // More than was paid: the API's error beside the amount, what was typed kept.
    let refused = browser
        .post(
            &action,
            &with_csrf(
                &csrf,
                &[
                    ("action", "refund"),
                    ("key", &key),
                    ("amount", "999"),
                    ("refundReason", "half the pouch spoilt"),
                ],
            ),
        )
        .await;
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await?;
    assert!(
        refused.contains(&format!(
            "<p class=\"error\" id=\"e-r-{fa}-amount\">at most Rs 420.00 of this fulfilment can be refunded</p>"
        )),
        "{refused}"
    );
    assert!(refused.contains("value=\"999\""));
    assert!(refused.contains("value=\"half the pouch spoilt\""));
    // Not an amount, and no reason.
    let unreadable = browser
        .post(
            &action,
            &with_csrf(
                &csrf,
                &[("action", "refund"), ("key", &key), ("amount", "2 hundred")],
            ),
        )
        .await;
    assert_eq!(unreadable.status(), 422);
    assert!(
        unreadable
            .text()
            .await?
            .contains(&format!("id=\"e-r-{fa}-amount\">Enter an amount in rupees"))
    );
    let reasonless = browser
        .post(
            &action,
            &with_csrf(
                &csrf,
                &[("action", "refund"), ("key", &key), ("amount", "210")],
            ),
        )
        .await;
    assert_eq!(reasonless.status(), 422);
    assert!(
        reasonless
            .text()
            .await?
            .contains(&format!("id=\"e-r-{fa}-refundReason\""))
    );

    // Part of A, then all of B.
    let partial = [
        ("action", "refund"),
        ("key", key.as_str()),
        ("amount", "210"),
        ("refundReason", "half the pouch spoilt"),
    ];
    let refunded = browser.post(&action, &with_csrf(&csrf, &partial)).await;
    assert_eq!(refunded.status(), 303);
    assert_eq!(location(&refunded), format!("{path_a}?done=refund"));
    // The same form sent again is the same refund.
    let again = browser.post(&action, &with_csrf(&csrf, &partial)).await;
    assert_eq!(again.status(), 303);
    let page = browser.page(&location(&refunded)).await;
    assert!(page.contains("The refund is recorded."), "{page}");
    assert!(
        page.contains("<p data-refunded>Refunded ₹210.00</p>"),
        "{page}"
    );
    assert_eq!(page.matches("data-refund=\"SUCCEEDED\"").count(), 1);
    assert!(page.contains("data-order-status=\"PARTIALLY_REFUNDED\">Partly refunded<"));
    assert!(page.contains("Leave blank to refund everything not yet refunded: ₹210.00."));

    let path_b = format!("/console/orders/{b}");
    let page_b = browser.page(&path_b).await;
    let key_b = hidden_in_form(&page_b, "value=\"refund\"", "key");
    let whole = browser
        .post(
            &format!("/console/orders/{b}/fulfilments/{fb}"),
            &with_csrf(
                &csrf,
                &[
                    ("action", "refund"),
                    ("key", &key_b),
                    ("amount", ""),
                    ("refundReason", "the parcel was lost in transit"),
                ],
            ),
        )
        .await;
    assert_eq!(whole.status(), 303);
    let page_b = browser.page(&path_b).await;
    assert!(
        page_b.contains("<p data-refunded>Refunded ₹850.00</p>"),
        "{page_b}"
    );
    assert!(page_b.contains("data-order-status=\"REFUNDED\""));
    assert!(
        !page_b.contains("value=\"refund\""),
        "nothing is left to refund"
    );

    // The same order in Hindi: statuses from the Fluent files, the date in Hindi.
    let created = server
        .graphql_as(
            Some(&manager),
            "query($id: ID!) { order(id: $id) { createdAt } }",
            json!({ "id": a }),
        )
        .await;
    let placed = hindi_date(created["data"]["order"]["createdAt"].as_str().unwrap());
    let switched = browser.get(&format!("/lang/hi?next={path_a}")).await;
    assert_eq!(switched.status(), 303);
    let hindi = browser.page(&path_a).await;
    assert!(hindi.contains("<html lang=\"hi\">"), "{hindi}");
    assert!(
        hindi.contains(&format!("<p>{placed} · बैंक ट्रांसफ़र")),
        "{placed}: {hindi}"
    );
    assert!(
        hindi.contains("data-status=\"SHIPPED\">भेजा गया<"),
        "{hindi}"
    );
    assert!(hindi.contains("data-order-status=\"PARTIALLY_REFUNDED\">आंशिक रिफ़ंड हुआ<"));
    assert!(hindi.contains("<p data-refunded>रिफ़ंड ₹210.00</p>"));
    assert!(hindi.contains(&format!(
        "{placed} · <strong>₹210.00</strong> · रिफ़ंड हुआ · half the pouch spoilt"
    )));
    let list = browser.page("/console/orders").await;
    assert!(
        list.contains(&format!("<span class=\"note\">{placed}</span>")),
        "{list}"
    );
    browser.get(&format!("/lang/en?next={path_a}")).await;

    settlement(&mut browser).await
}

/// The settlement statement of the refunds test's two orders (figures above).
async fn settlement(browser: &mut Browser<'_>) -> anyhow::Result<()> {
    let india_today = (Utc::now() + Duration::minutes(330)).date_naive();
    let (from, to) = (
        (india_today - Duration::days(1)).to_string(),
        (india_today + Duration::days(1)).to_string(),
    );
    let page = browser
        .page(&format!("/console/money?from={from}&to={to}"))
        .await;
    assert!(page.contains("data-invoices=\"2\""), "{page}");
    for (figure, amount) in [
        ("Gross sales (tax included)", "₹1,270.00"),
        ("Taxable value", "₹1,209.52"),
        ("GST", "₹60.48"),
        ("Collected by the marketplace", "₹1,270.00"),
        ("Refunds paid", "₹1,060.00"),
        ("TCS kept", "₹1.00"),
        ("of it CGST", "₹0.50"),
        ("of it SGST or UTGST", "₹0.50"),
        ("of it IGST", "₹0.00"),
    ] {
        assert!(
            page.contains(&format!(
                "<tr><th scope=\"row\">{figure}</th><td class=\"n\">{amount}</td></tr>"
            )),
            "{figure} {amount}: {page}"
        );
    }
    assert!(page.contains(
        "<tr class=\"sum\"><th scope=\"row\">Net payable to the cooperative</th><td class=\"n\"><strong>₹209.00</strong></td></tr>"
    ));
    let csv_path = format!("/console/money/statement.csv?from={from}&to={to}");
    assert!(
        page.contains(&format!("href=\"{}\"", csv_path.replace('&', "&#38;")))
            || page.contains(&format!("href=\"{}\"", csv_path.replace('&', "&amp;"))),
        "{page}"
    );
    let csv = browser.get(&csv_path).await;
    assert_eq!(csv.status(), 200);
    assert_eq!(
        csv.headers()[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    let text = csv.text().await?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!((&r[0], &r[1]), (from.as_str(), to.as_str()));
            (r[2].to_owned(), r[3].to_owned())
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("Invoices", "2"),
        ("Gross sales (tax included)", "1270.00"),
        ("Taxable value", "1209.52"),
        ("GST", "60.48"),
        ("Collected by the marketplace", "1270.00"),
        ("Refunds paid", "1060.00"),
        ("TCS kept", "1.00"),
        ("of it CGST", "0.50"),
        ("of it SGST or UTGST", "0.50"),
        ("of it IGST", "0.00"),
        ("Net payable to the cooperative", "209.00"),
        (
            "Transferred to the cooperative through Razorpay Route",
            "0.00",
        ),
        ("Commission the marketplace kept on them", "0.00"),
        ("Transfers on hold until delivery", "0.00"),
        ("Transfers released on delivery", "0.00"),
        ("Transfers reversed for refunds", "0.00"),
        ("Still owed to the cooperative outside Route", "209.00"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(rows, expected, "{text}");

    // A period that runs backwards: the error beside the field, the dates kept.
    let backwards = browser
        .get(&format!("/console/money?from={to}&to={from}"))
        .await;
    assert_eq!(backwards.status(), 422);
    let backwards = backwards.text().await?;
    assert!(
        backwards.contains("<p class=\"error\" id=\"e-to\">The period must run forwards"),
        "{backwards}"
    );
    assert!(backwards.contains(&format!("value=\"{to}\"")));

    // The statement in Hindi.
    browser.get("/lang/hi?next=/console/money").await;
    let hindi = browser
        .page(&format!("/console/money?from={from}&to={to}"))
        .await;
    assert!(hindi.contains(
        "<th scope=\"row\">सहकारी समिति को देय शुद्ध राशि</th><td class=\"n\"><strong>₹209.00</strong>"
    ), "{hindi}");
    Ok(())
}

const BULK: &str = "nubra-sea-buckthorn-juice-10l-institutional";

async fn an_institutional_order_shows_consignees_and_acceptance(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let nubra = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let manager_email = staff_account(&server, &admin, &nubra, "MANAGER").await;
    let manager = login(&server, &manager_email).await;
    let organisation = server
        .graphql_as(Some(&admin), "mutation { buyerOrganisationCreate(input: { name: \"SNM Hospital Leh\", kind: UT_GOVERNMENT_DEPARTMENT }) { buyerOrganisation { id } } }", json!({}))
        .await;
    server
        .graphql_as(Some(&admin), "mutation($i: UserCreateInput!) { userCreate(input: $i) { errors { code } } }",
            json!({ "i": { "email": "stores@snm.example.org", "password": PASSWORD, "name": "Stores", "role": "INSTITUTION",
                     "buyerOrganisationId": organisation["data"]["buyerOrganisationCreate"]["buyerOrganisation"]["id"] } }))
        .await;
    let institution = login(&server, "stores@snm.example.org").await;
    let bulk = variant(&server, BULK, "NSBJ-10L").await;
    let moq = int(&bulk["minOrderQuantity"]);
    let consignee = |name: &str| json!({ "name": name, "address": leh(), "items": [{ "variantId": bulk["id"], "quantity": moq }] });
    add_to_cart(&server, Some(&institution), None, &bulk["id"], 2 * moq).await;
    let placed = place_order(&server, &institution, "console-gem", leh(), "PURCHASE_ORDER",
        json!({ "institutional": { "purchaseOrderNumber": "SNM/PO/2026/114", "gemContractNumber": "GEMC-511687799990002",
                "consignees": [consignee("SNM Hospital stores"), consignee("SNM Hospital dispensary")] } })).await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let order = placed["data"]["placeOrder"]["order"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let fulfilment = placed["data"]["placeOrder"]["order"]["fulfilments"][0]["id"].clone();
    let f = json!({ "fulfilmentId": fulfilment });

    let mut browser = signed_in(&server, &manager_email).await;
    let path = format!("/console/orders/{order}");
    let page = browser.page(&path).await;
    assert!(
        page.contains("<span data-po>SNM/PO/2026/114</span>"),
        "{page}"
    );
    assert!(page.contains("<span data-gem>GEMC-511687799990002</span>"));
    assert!(page.contains("Payment terms: 10 days from acceptance"));
    assert_eq!(page.matches("<li data-consignee>").count(), 2);
    assert!(page.contains("<strong>SNM Hospital dispensary</strong> · State code 38"));
    assert!(page.contains("Not yet accepted by the consignee."));
    assert!(!page.contains("data-due"), "no due date before acceptance");

    transition(&server, &manager, "fulfilmentPack", f.clone()).await;
    transition(
        &server,
        &manager,
        "fulfilmentShip",
        json!({ "fulfilmentId": fulfilment, "carrier": "Blue Dart", "trackingNumber": "BD79" }),
    )
    .await;
    transition(&server, &manager, "fulfilmentDeliver", f.clone()).await;
    let received = server
        .graphql_as(Some(&institution), "mutation($i: FulfilmentInput!) { fulfilmentReceive(input: $i) { errors { message } } }", json!({ "i": f }))
        .await;
    assert!(
        user_errors(&received, "fulfilmentReceive").is_empty(),
        "{received}"
    );
    let lines = server
        .graphql_as(
            Some(&institution),
            "query($id: ID!) { order(id: $id) { fulfilments { lines { id kind } } } }",
            json!({ "id": order }),
        )
        .await;
    let goods: Vec<Value> = lines["data"]["order"]["fulfilments"][0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "GOODS")
        .cloned()
        .collect();
    let accepted = server
        .graphql_as(Some(&institution), "mutation($i: FulfilmentAcceptInput!) { fulfilmentAccept(input: $i) { errors { message } order { fulfilments { acceptedAt provisionalReceiptAt paymentDueAt } } } }",
            json!({ "i": { "fulfilmentId": fulfilment, "lines": [
                { "orderLineId": goods[0]["id"], "accepted": moq - 1, "rejected": 1, "disposition": "WRITE_OFF" } ] } }))
        .await;
    assert!(
        user_errors(&accepted, "fulfilmentAccept").is_empty(),
        "{accepted}"
    );
    let after = &accepted["data"]["fulfilmentAccept"]["order"]["fulfilments"][0];
    let in_words = |at: &Value| date_in(&ENGLISH_MONTHS, at.as_str().unwrap());
    let page = browser.page(&path).await;
    assert!(page.contains("data-status=\"ACCEPTED\""), "{page}");
    assert!(
        page.contains(&format!(
            "<p data-prc>Provisional receipt (PRC) {}</p>",
            in_words(&after["provisionalReceiptAt"])
        )),
        "{page}"
    );
    assert!(page.contains(&format!(
        "<p data-crac>Accepted (CRAC) {}</p>",
        in_words(&after["acceptedAt"])
    )));
    assert!(page.contains(&format!(
        "<p data-due>Payment due {}</p>",
        in_words(&after["paymentDueAt"])
    )));
    assert!(page.contains(&format!(
        "<tr><td>NSBJ-10L · SNM Hospital stores</td><td class=\"n\">{moq}</td><td class=\"n\">{}</td><td class=\"n\">1</td></tr>",
        moq - 1
    )), "{page}");
    Ok(())
}

/// The text of the newest message recorded for `to`, read from the notification
/// outbox's table as the sender would send it.
async fn mail_to(server: &TestServer, to: &str) -> String {
    use sea_orm::ConnectionTrait;
    let db = sea_orm::Database::connect(server.database.url.clone())
        .await
        .unwrap();
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT text_body FROM notifications WHERE recipient = '{to}' ORDER BY created_at DESC"
            ),
        ))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no mail to {to}"));
    row.try_get::<String>("", "text_body").unwrap()
}

async fn a_manager_invites_staff_who_accept_through_the_mailed_link(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(
        backend,
        ServerOptions::seeded()
            .arg("--public-url")
            .arg("https://shop.example.org"),
    )
    .await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let manager = staff_account(&server, &admin, &sham, "MANAGER").await;
    let mut browser = signed_in(&server, &manager).await;
    let page = browser.page("/console/staff").await;
    assert!(
        page.contains(&format!("<li data-member=\"{manager}\">")),
        "{page}"
    );
    assert!(page.contains("<label for=\"f-email\">Email"), "{page}");
    let csrf = browser.csrf();

    // An address that is not one: the error beside it, the name kept.
    let refused = browser
        .post(
            "/console/staff",
            &with_csrf(
                &csrf,
                &[
                    ("name", "Tsering Angmo"),
                    ("email", "not-an-address"),
                    ("cooperativeRole", "STAFF"),
                ],
            ),
        )
        .await;
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await?;
    assert!(
        refused.contains("<p class=\"error\" id=\"e-email\">"),
        "{refused}"
    );
    assert!(refused.contains("value=\"Tsering Angmo\""));

    let invitee = "angmo@sham.example.org";
    let invited = browser
        .post(
            "/console/staff",
            &with_csrf(
                &csrf,
                &[
                    ("name", "Tsering Angmo"),
                    ("email", invitee),
                    ("cooperativeRole", "STAFF"),
                ],
            ),
        )
        .await;
    assert_eq!(invited.status(), 303);
    let done = browser.page(&location(&invited)).await;
    assert!(
        done.contains(&format!("Invitation sent to {invitee}.")),
        "{done}"
    );

    // The link in the mail opens the accept page.
    let mail = mail_to(&server, invitee).await;
    let link = mail
        .split_whitespace()
        .find(|word| word.starts_with("https://shop.example.org/console/invitation?token="))
        .unwrap_or_else(|| panic!("no link in {mail}"))
        .to_owned();
    let path = link.trim_start_matches("https://shop.example.org");
    let mut invitee_browser = Browser::new(&server);
    let accept = invitee_browser.page(path).await;
    assert!(
        accept.contains("<label for=\"f-password\">Choose a password"),
        "{accept}"
    );
    let token = path.split("token=").nth(1).unwrap();
    let invitee_csrf = invitee_browser.csrf();
    let short = invitee_browser
        .post(
            "/console/invitation",
            &[
                ("csrf", invitee_csrf.as_str()),
                ("token", token),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(short.status(), 422);
    assert!(short.text().await?.contains("id=\"e-password\""));
    let accepted = invitee_browser
        .post(
            "/console/invitation",
            &[
                ("csrf", invitee_csrf.as_str()),
                ("token", token),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(accepted.status(), 303);
    assert_eq!(location(&accepted), "/console");
    let console = invitee_browser.page("/console").await;
    assert!(
        console.contains("Orders to pack"),
        "signed in on the console: {console}"
    );
    assert!(console.contains("<span class=\"who\">Tsering Angmo</span>"));
    // Staff invite no one; the link works once.
    assert_eq!(invitee_browser.get("/console/staff").await.status(), 404);
    let twice = Browser::new(&server).page(path).await;
    let mut again = Browser::new(&server);
    again.page(path).await;
    let again_csrf = again.csrf();
    let reused = again
        .post(
            "/console/invitation",
            &[
                ("csrf", again_csrf.as_str()),
                ("token", token),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_ne!(reused.status(), 303, "{twice}");
    Ok(())
}

async fn an_admin_keeps_the_registers(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let nubra = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let gi = crate::support::flows::gi_tag_id(&server, "ladakh-seabuckthorn").await;
    let registered = server
        .graphql_as(
            Some(&admin),
            "mutation($i: GiAuthorisedUserRegisterInput!) { giAuthorisedUserRegister(input: $i) { authorisedUser { id status } errors { message } } }",
            json!({ "i": { "giTagId": gi, "cooperativeId": nubra, "auNumber": "AU/SBT/2026/77",
                     "validFrom": "2026-01-01", "validUntil": "2031-01-01" } }),
        )
        .await;
    let au = registered["data"]["giAuthorisedUserRegister"]["authorisedUser"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{registered}"))
        .to_owned();
    let email = crate::console::admin_account(&server).await;
    let mut browser = signed_in(&server, &email).await;
    let csrf = browser.csrf();

    // GI authorised users: the pending registration, verified.
    let page = browser.page("/console/registers/gi").await;
    assert!(
        page.contains("<code>AU/SBT/2026/77</code> · 1 Jan 2026 – 1 Jan 2031"),
        "{page}"
    );
    assert!(page.contains(&format!("action=\"/console/registers/gi/{au}\"")));
    let verified = browser
        .post(
            &format!("/console/registers/gi/{au}"),
            &with_csrf(&csrf, &[("decision", "verify")]),
        )
        .await;
    assert_eq!(verified.status(), 303);
    let page = browser.page(&location(&verified)).await;
    assert!(page.contains("The registration is verified."), "{page}");
    let status = server
        .graphql_as(
            Some(&admin),
            "query($id: ID) { cooperative(id: $id) { giAuthorisations { auNumber status } } }",
            json!({ "id": nubra }),
        )
        .await;
    let status = status["data"]["cooperative"]["giAuthorisations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["auNumber"] == "AU/SBT/2026/77")
        .unwrap()["status"]
        .clone();
    assert_eq!(status, json!("VERIFIED"));

    // Categories with their HSN code and GST rate.
    let categories = browser.page("/console/registers/categories").await;
    assert!(
        categories.contains("data-category=\"sea-buckthorn-juice\""),
        "{categories}"
    );

    // Districts: a blank name refused beside its field, then one added.
    let blank = browser
        .post(
            "/console/registers/districts",
            &with_csrf(&csrf, &[("name", "")]),
        )
        .await;
    assert_eq!(blank.status(), 422);
    assert!(
        blank
            .text()
            .await?
            .contains("<p class=\"error\" id=\"e-name\">")
    );
    let added = browser
        .post(
            "/console/registers/districts",
            &with_csrf(&csrf, &[("name", "Suru")]),
        )
        .await;
    assert_eq!(added.status(), 303);
    let districts = browser.page(&location(&added)).await;
    assert!(
        districts.contains("<li data-district>Suru</li>"),
        "{districts}"
    );

    // Buyer organisations and their users. The kind is one of the API's kinds: a
    // free-text one is said beside the choice, with the name kept.
    let untyped = browser
        .post(
            "/console/registers/buyers",
            &with_csrf(
                &csrf,
                &[
                    ("name", "SNM Hospital Leh"),
                    ("kind", "DEPARTMENT"),
                    ("gemBuyerId", ""),
                ],
            ),
        )
        .await;
    assert_eq!(untyped.status(), 422);
    let untyped = untyped.text().await?;
    assert!(untyped.contains("id=\"e-kind\""), "{untyped}");
    assert!(untyped.contains("value=\"SNM Hospital Leh\""), "{untyped}");
    let created = browser
        .post(
            "/console/registers/buyers",
            &with_csrf(
                &csrf,
                &[
                    ("name", "SNM Hospital Leh"),
                    ("kind", "UT_GOVERNMENT_DEPARTMENT"),
                    ("gemBuyerId", ""),
                ],
            ),
        )
        .await;
    assert_eq!(created.status(), 303);
    let buyers = browser.page(&location(&created)).await;
    assert!(buyers.contains("<h2>SNM Hospital Leh</h2>"), "{buyers}");
    assert!(
        buyers.contains(
            "<p data-kind=\"UT_GOVERNMENT_DEPARTMENT\">Union Territory government department"
        ),
        "{buyers}"
    );
    let organisation = buyers
        .split("<section class=\"panel\" id=\"o-")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let users = format!("/console/registers/buyers/{organisation}/users");
    let short = browser
        .post(
            &users,
            &with_csrf(
                &csrf,
                &[
                    ("name", "Stores"),
                    ("email", "stores@snm.example.org"),
                    ("password", "short"),
                ],
            ),
        )
        .await;
    assert_eq!(short.status(), 422);
    let short = short.text().await?;
    assert!(
        short.contains(&format!("id=\"e-u-{organisation}-password\"")),
        "{short}"
    );
    assert!(short.contains("value=\"stores@snm.example.org\""));
    let made = browser
        .post(
            &users,
            &with_csrf(
                &csrf,
                &[
                    ("name", "Stores"),
                    ("email", "stores@snm.example.org"),
                    ("password", PASSWORD),
                ],
            ),
        )
        .await;
    assert_eq!(made.status(), 303);
    let buyers = browser.page("/console/registers/buyers").await;
    assert!(
        buyers.contains(
            "<li data-buyer-user=\"stores@snm.example.org\">Stores · stores@snm.example.org</li>"
        ),
        "{buyers}"
    );
    login(&server, "stores@snm.example.org").await;

    // Not for staff.
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let manager = staff_account(&server, &admin, &sham, "MANAGER").await;
    let mut manager = signed_in(&server, &manager).await;
    for page in ["gi", "buyers", "categories", "districts"] {
        assert_eq!(
            manager
                .get(&format!("/console/registers/{page}"))
                .await
                .status(),
            403
        );
    }
    Ok(())
}

both_backends!(
    refunds_and_the_settlement_statement_in_english_and_hindi,
    an_institutional_order_shows_consignees_and_acceptance,
    a_manager_invites_staff_who_accept_through_the_mailed_link,
    an_admin_keeps_the_registers,
);
