//! The UPI QR of bank-transfer orders when no payment gateway is configured: the
//! order's `upi://pay` link (NPCI's UPI linking specification) pays the account its
//! instructions name, the exact amount, with the order number as note and reference;
//! the storefront's order page shows it as a QR code that decodes to that link; no
//! link and no code without a UPI id, nor with a gateway configured. See
//! docs/ORDERS.md, "UPI QR for bank transfers".

use serde_json::{Value, json};

use crate::{
    both_backends,
    orders::{add_to_cart, leh, stripe_options, variant},
    storefront::Browser,
    support::{
        Backend, ServerOptions, TestServer,
        flows::{PASSWORD, admin_token, buyer_token, cooperative_id, staff_token, user_errors},
        stripe_fake::FakeStripe,
    },
};

/// Sold by Sham Apricot Growers alone.
const APRICOTS: (&str, &str) = ("raktsey-karpo-dried-apricots-500g", "RKDA-500");
/// Sold by Nubra Leh Berry Growers, which has no payout account here.
const JUICE: (&str, &str) = ("nubra-leh-berry-juice-500ml", "NLBJ-500");

const MARKETPLACE: (&str, &str, &str) = (
    "Ladakh Cooperative Marketplace Pvt Ltd",
    "50100234567890",
    "HDFC0001234",
);
const MARKETPLACE_VPA: &str = "ladakhmarket@hdfcbank";
const SHAM_NAME: &str = "Sham Apricot Growers Cooperative Society";
const SHAM_VPA: &str = "shamapricots@sbi";

fn options(marketplace_vpa: Option<&str>, base: ServerOptions) -> ServerOptions {
    let options = base
        .env("MARKETPLACE_PAYEE_ACCOUNT_NAME", MARKETPLACE.0)
        .env("MARKETPLACE_PAYEE_ACCOUNT_NUMBER", MARKETPLACE.1)
        .env("MARKETPLACE_PAYEE_IFSC", MARKETPLACE.2);
    match marketplace_vpa {
        Some(vpa) => options.env("MARKETPLACE_PAYEE_UPI_VPA", vpa),
        None => options,
    }
}

/// Sham's manager gives its payout account, with or without a UPI id.
async fn sham_account(server: &TestServer, vpa: Option<&str>) {
    let admin = admin_token(server).await;
    let sham = cooperative_id(server, &admin, "sham-apricot-growers-demo").await;
    let manager = staff_token(server, &admin, &sham, "MANAGER").await;
    let saved = server
        .graphql_as(
            Some(&manager),
            "mutation($i: CooperativePayoutAccountSetInput!) { cooperativePayoutAccountSet(input: $i) { errors { field message } } }",
            json!({ "i": { "cooperativeId": sham, "accountName": SHAM_NAME,
                "accountNumber": "912010012345678", "ifsc": "SBIN0001234", "upiVpa": vpa } }),
        )
        .await;
    assert!(
        user_errors(&saved, "cooperativePayoutAccountSet").is_empty(),
        "{saved}"
    );
}

/// A bank-transfer order of one unit of `item`, as its buyer sees it.
async fn transfer_order(server: &TestServer, buyer: &str, key: &str, item: (&str, &str)) -> Value {
    let v = variant(server, item.0, item.1).await;
    add_to_cart(server, Some(buyer), None, &v["id"], 1).await;
    let placed = server
        .graphql_as(
            Some(buyer),
            "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { errors { field code message } order { id number total paymentInstructions { collectedBy reference amount upiLink } } } }",
            json!({ "i": { "idempotencyKey": key, "shippingAddress": leh(), "paymentMethod": "BANK_TRANSFER" } }),
        )
        .await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    placed["data"]["placeOrder"]["order"].clone()
}

/// The link as the test writes it by hand: names with their spaces as `%20`, the
/// amount in rupees with two decimals, the order number (letters, digits and hyphens:
/// nothing to encode) as note and reference.
fn expected_link(vpa: &str, encoded_name: &str, order: &Value) -> String {
    let number = order["number"].as_str().unwrap();
    assert!(
        number
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-'),
        "{number}"
    );
    let paise = order["total"].as_i64().unwrap();
    assert!(paise > 0);
    format!(
        "upi://pay?pa={vpa}&pn={encoded_name}&am={}.{:02}&cu=INR&tn={number}&tr={number}",
        paise / 100,
        paise % 100
    )
}

/// A storefront browser signed in as `email`.
async fn signed_in<'a>(server: &'a TestServer, email: &str) -> Browser<'a> {
    let mut browser = Browser::new(server);
    browser.page("/sign-in").await;
    let csrf = browser.csrf();
    let response = browser
        .post(
            "/sign-in",
            &[("csrf", &csrf), ("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), 303);
    browser
}

/// The QR code's inline `<svg>` on an order page, drawn as the storefront draws it
/// (one unit per module, dark runs as `M{x} {y}h{n}v1h-{n}z`) into a greyscale
/// image, and decoded with `rqrr` (no code shared with the encoder).
fn decode_svg_qr(page: &str) -> String {
    let figure = page
        .split("<figure class=\"upi-qr\">")
        .nth(1)
        .unwrap_or_else(|| panic!("no UPI QR on {page}"));
    let svg = figure.split("</svg>").next().unwrap();
    let size: usize = svg
        .split("viewBox=\"0 0 ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let path = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let mut dark = vec![false; size * size];
    for run in path.split('z').filter(|r| !r.is_empty()) {
        // `M{x} {y}h{n}v1h-{n}`
        let rest = run.strip_prefix('M').unwrap();
        let (x, rest) = rest.split_once(' ').unwrap();
        let (y, rest) = rest.split_once('h').unwrap();
        let (n, _) = rest.split_once('v').unwrap();
        let (x, y, n): (usize, usize, usize) =
            (x.parse().unwrap(), y.parse().unwrap(), n.parse().unwrap());
        for cell in &mut dark[y * size + x..y * size + x + n] {
            *cell = true;
        }
    }
    let scale = 4;
    let side = size * scale;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
        if dark[(y / scale) * size + x / scale] {
            0
        } else {
            255
        }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1);
    grids[0].decode().unwrap().1
}

async fn bank_transfers_offer_a_upi_link_and_qr_of_the_payee(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(
        backend,
        options(Some(MARKETPLACE_VPA), ServerOptions::seeded()),
    )
    .await?;
    sham_account(&server, Some(SHAM_VPA)).await;
    let email = "upi-buyer@example.org";
    let buyer = buyer_token(&server, email).await;

    // Sham alone, with its UPI id: the buyer pays Sham.
    let own = transfer_order(&server, &buyer, "upi-1", APRICOTS).await;
    let pay = &own["paymentInstructions"];
    assert_eq!(pay["collectedBy"], "COOPERATIVE", "{own}");
    let link = expected_link(
        SHAM_VPA,
        "Sham%20Apricot%20Growers%20Cooperative%20Society",
        &own,
    );
    assert_eq!(pay["upiLink"], link.as_str(), "{own}");

    // The storefront's order page shows it as a QR code that decodes to the link.
    let mut browser = signed_in(&server, email).await;
    let page = browser
        .page(&format!("/orders/{}", own["id"].as_str().unwrap()))
        .await;
    assert_eq!(decode_svg_qr(&page), link);

    // Nubra has no account: the marketplace collects, into its own UPI id.
    let shared = transfer_order(&server, &buyer, "upi-2", JUICE).await;
    let pay = &shared["paymentInstructions"];
    assert_eq!(pay["collectedBy"], "MARKETPLACE", "{shared}");
    let link = expected_link(
        MARKETPLACE_VPA,
        "Ladakh%20Cooperative%20Marketplace%20Pvt%20Ltd",
        &shared,
    );
    assert_eq!(pay["upiLink"], link.as_str(), "{shared}");
    let page = browser
        .page(&format!("/orders/{}", shared["id"].as_str().unwrap()))
        .await;
    assert_eq!(decode_svg_qr(&page), link);
    Ok(())
}

async fn no_upi_qr_without_a_upi_id_or_with_a_gateway(backend: Backend) -> anyhow::Result<()> {
    // Neither the cooperative nor the marketplace has a UPI id.
    let server = TestServer::spawn(backend, options(None, ServerOptions::seeded())).await?;
    sham_account(&server, None).await;
    let email = "no-upi-buyer@example.org";
    let buyer = buyer_token(&server, email).await;
    let mut browser = signed_in(&server, email).await;
    for (key, item, collector) in [
        ("no-upi-1", APRICOTS, "COOPERATIVE"),
        ("no-upi-2", JUICE, "MARKETPLACE"),
    ] {
        let order = transfer_order(&server, &buyer, key, item).await;
        let pay = &order["paymentInstructions"];
        assert_eq!(pay["collectedBy"], collector, "{order}");
        assert!(pay["upiLink"].is_null(), "{order}");
        let page = browser
            .page(&format!("/orders/{}", order["id"].as_str().unwrap()))
            .await;
        assert!(page.contains(&format!("<dd>{}</dd>", order["number"].as_str().unwrap())));
        assert!(!page.contains("upi-qr") && !page.contains("upi:"), "{page}");
    }

    // With a payment gateway configured, UPI goes through it: no link, though both
    // have UPI ids.
    let fake = FakeStripe::start().await?;
    let server = TestServer::spawn(
        backend,
        options(Some(MARKETPLACE_VPA), stripe_options(&fake)),
    )
    .await?;
    sham_account(&server, Some(SHAM_VPA)).await;
    let buyer = buyer_token(&server, email).await;
    let order = transfer_order(&server, &buyer, "gateway-1", APRICOTS).await;
    assert_eq!(order["paymentInstructions"]["collectedBy"], "COOPERATIVE");
    assert!(order["paymentInstructions"]["upiLink"].is_null(), "{order}");
    Ok(())
}

both_backends!(
    bank_transfers_offer_a_upi_link_and_qr_of_the_payee,
    no_upi_qr_without_a_upi_id_or_with_a_gateway,
);
