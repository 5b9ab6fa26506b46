//! The cooperative console over plain HTTP, as a browser with JavaScript off uses it:
//! staff sign in, create a product through the form generated from its category's
//! attribute schema, fail activation on a missing declaration and fix it, pack and
//! ship an order and open its invoice, record a batch and print its labels (the QR
//! code decoded independently), and an admin verifies a pending cooperative. Staff
//! never see another cooperative's product or order, and every POST needs its CSRF
//! token and this origin.

use reqwest::header;
use serde_json::{Value, json};

use crate::{
    both_backends,
    orders::{add_to_cart, leh, place_order},
    storefront::{Browser, location},
    support::{
        Backend, ServerOptions, TestServer,
        flows::{self, PASSWORD},
    },
};

/// Creates a member of a cooperative's staff through an admin; returns the email.
pub(crate) async fn staff_account(
    server: &TestServer,
    admin: &str,
    cooperative: &str,
    role: &str,
) -> String {
    let email = format!(
        "{}-{}@coop.example.org",
        role.to_lowercase(),
        uuid::Uuid::new_v4().simple()
    );
    let body = server
        .graphql_as(
            Some(admin),
            "mutation($input: UserCreateInput!) { userCreate(input: $input) { user { id } errors { message } } }",
            json!({ "input": { "email": email, "password": PASSWORD, "name": "Dolma Staff", "role": "COOPERATIVE",
                    "cooperativeId": cooperative, "cooperativeRole": role } }),
        )
        .await;
    assert!(
        body["data"]["userCreate"]["user"]["id"].is_string(),
        "{body}"
    );
    email
}

/// Creates a platform admin through the CLI; returns the email.
pub(crate) async fn admin_account(server: &TestServer) -> String {
    let email = format!("admin-{}@example.org", uuid::Uuid::new_v4().simple());
    let output = server
        .database
        .run_cli(
            &["admin", "create", "--email", &email, "--password-stdin"],
            &[],
            Some(&format!("{PASSWORD}\n")),
        )
        .await
        .unwrap();
    assert!(output.success, "{}", output.stderr);
    email
}

/// A browser signed in to the console.
pub(crate) async fn signed_in<'a>(server: &'a TestServer, email: &str) -> Browser<'a> {
    let mut browser = Browser::new(server);
    browser.page("/console/sign-in").await;
    let csrf = browser.csrf();
    let response = browser
        .post(
            "/console/sign-in",
            &[
                ("csrf", &csrf),
                ("email", email),
                ("password", PASSWORD),
                ("next", "/console"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/console");
    browser
}

/// A page's size as a browser receives it compressed (the bar: under 40 KB).
pub(crate) fn gzipped(html: &str) -> usize {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(html.as_bytes()).unwrap();
    encoder.finish().unwrap().len()
}

pub(crate) fn with_csrf<'f>(
    csrf: &'f str,
    fields: &[(&'f str, &'f str)],
) -> Vec<(&'f str, &'f str)> {
    let mut all = vec![("csrf", csrf)];
    all.extend_from_slice(fields);
    all
}

/// The id in a `/console/products/{id}…` location.
pub(crate) fn product_id_of(location: &str) -> String {
    location
        .trim_start_matches("/console/products/")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

const JUICE: &str = "Tsogsti Sea Buckthorn Juice";

async fn a_manager_lists_a_product_through_the_generated_form(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = flows::admin_token(&server).await;
    let coop = flows::cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let email = staff_account(&server, &admin, &coop, "MANAGER").await;

    // Signed out, the console sends to its sign-in page and back.
    let mut browser = Browser::new(&server);
    let away = browser.get("/console/products/new").await;
    assert_eq!(away.status(), 303);
    assert_eq!(
        location(&away),
        "/console/sign-in?next=/console/products/new"
    );
    let form = browser.page("/console/sign-in").await;
    assert!(form.contains("<label for=\"f-email\">Email"), "{form}");
    let csrf = browser.csrf();
    let wrong = browser
        .post(
            "/console/sign-in",
            &[
                ("csrf", &csrf),
                ("email", &email),
                ("password", "not-the-password"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    let wrong = wrong.text().await?;
    assert!(
        wrong.contains(
            "<p class=\"error\" id=\"e-password\">The email or password is not right.</p>"
        ),
        "{wrong}"
    );
    assert!(
        wrong.contains(&format!("value=\"{email}\"")),
        "the email is kept"
    );
    let mut browser = signed_in(&server, &email).await;
    let dashboard = browser.page("/console").await;
    assert!(dashboard.contains("<h1>Dashboard</h1>"), "{dashboard}");
    assert!(dashboard.contains("Orders to pack"));
    assert!(dashboard.contains("Low stock"));

    // The kinds of product, then the form generated from the juice's schema.
    let kinds = browser.page("/console/products/new").await;
    assert!(kinds.contains("href=\"/console/products/new?category=sea-buckthorn-juice\""));
    let form = browser
        .page("/console/products/new?category=sea-buckthorn-juice")
        .await;
    assert!(
        form.contains("<select id=\"f-attributes-form\" name=\"attributes.form\" required>"),
        "{form}"
    );
    for option in ["juice", "concentrate", "squash"] {
        assert!(form.contains(&format!("<option value=\"{option}\">{option}</option>")));
    }
    assert!(
        form.contains("<label for=\"f-attributes-volume_ml\">Volume (ml) <abbr"),
        "the unit and the required mark"
    );
    assert!(form.contains("name=\"attributes.sugar_added\""));
    assert!(
        form.contains("name=\"declarations.bestBeforeMonths\""),
        "food asks for best-before"
    );
    assert!(gzipped(&form) < 40_000);
    assert!(!form.contains("<script"), "the console needs no JavaScript");

    let csrf = browser.csrf();
    let mut fields = vec![
        ("category", "sea-buckthorn-juice"),
        ("title", JUICE),
        (
            "description",
            "Cold-pressed sea buckthorn from Nubra, no added sugar.",
        ),
        ("attributes.form", "juice"),
        ("attributes.volume_ml", "500"),
        ("attributes.sugar_added", "false"),
        ("declarations.netQuantity", "500 ml"),
        ("declarations.manufacturerName", "Nubra Leh Berry Growers"),
        (
            "declarations.manufacturerAddress",
            "Diskit, Nubra, Leh, Ladakh 194401",
        ),
        ("declarations.countryOfOrigin", "India"),
        ("declarations.bestBeforeMonths", "12"),
        ("declarations.consumerCare.address", ""),
        ("declarations.consumerCare.phone", ""),
        ("declarations.consumerCare.email", ""),
        ("variants.0.sku", "SBJ 500"),
        ("variants.0.title", "500 ml bottle"),
        ("variants.0.price", "450"),
        ("variants.0.mrp", "500"),
        ("variants.0.weightGrams", "700"),
    ];
    // The API's field error beside its field, and everything typed kept.
    let refused = browser
        .post("/console/products/new", &with_csrf(&csrf, &fields))
        .await;
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await?;
    assert!(
        refused.contains("<p class=\"error\" id=\"e-variants-0-sku\">"),
        "{refused}"
    );
    assert!(refused.contains(&format!("value=\"{JUICE}\"")));
    assert!(refused.contains("<option value=\"juice\" selected>juice</option>"));
    assert!(refused.contains("value=\"500 ml\""));

    for (key, value) in &mut fields {
        if *key == "variants.0.sku" {
            *value = "SBJ-TSOGSTI-500";
        }
    }
    let created = browser
        .post("/console/products/new", &with_csrf(&csrf, &fields))
        .await;
    assert_eq!(created.status(), 303);
    let product_path = location(&created);
    assert!(
        product_path.starts_with("/console/products/"),
        "{product_path}"
    );
    let id = product_id_of(&product_path);
    let draft = browser.page(&product_path).await;
    assert!(draft.contains("data-status=\"DRAFT\""), "{draft}");
    assert!(draft.contains("SBJ-TSOGSTI-500"));

    // Activation refused: the missing declaration named beside its field.
    let mut edit: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(k, _)| !k.starts_with("variants.") && *k != "category")
        .copied()
        .collect();
    edit.push(("action", "activate"));
    let path = format!("/console/products/{id}");
    let blocked = browser.post(&path, &with_csrf(&csrf, &edit)).await;
    assert_eq!(blocked.status(), 422);
    let blocked = blocked.text().await?;
    assert!(
        blocked.contains("<p class=\"error\" id=\"e-declarations-consumerCare-address\">"),
        "{blocked}"
    );
    assert!(!blocked.contains("id=\"e-declarations-netQuantity\""));
    assert!(blocked.contains("value=\"Nubra Leh Berry Growers\""));

    for (key, value) in &mut edit {
        match *key {
            "declarations.consumerCare.address" => {
                *value = "Consumer Cell, Diskit, Nubra, Leh, Ladakh 194401";
            }
            "declarations.consumerCare.phone" => *value = "+91 94191 00000",
            "declarations.consumerCare.email" => *value = "care@nubra-berries.example.org",
            _ => {}
        }
    }
    let activated = browser.post(&path, &with_csrf(&csrf, &edit)).await;
    assert_eq!(activated.status(), 303);
    assert_eq!(location(&activated), format!("{path}?saved=activated"));
    let active = browser.page(&location(&activated)).await;
    assert!(active.contains("data-status=\"ACTIVE\""));
    assert!(active.contains("The product is active and on sale."));
    let list = browser.page("/console/products").await;
    assert!(list.contains(&format!("<a href=\"/console/products/{id}\">{JUICE}</a>")));

    // Buyers find it in the storefront's search.
    server.drain_all().await;
    let search = Browser::new(&server).page("/search?q=Tsogsti").await;
    assert!(search.contains(JUICE), "{search}");

    // Signing out ends the session.
    let out = browser.post("/console/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(out.status(), 303);
    assert!(!browser.cookies.contains_key("lm_access"));
    assert_eq!(browser.get("/console").await.status(), 303);
    Ok(())
}

/// A cash-on-delivery order for one unit of a seeded product of `slug`'s cooperative;
/// returns the order id.
pub(crate) async fn an_order(server: &TestServer, product_slug: &str) -> String {
    let product = server
        .graphql(
            "query($slug: String) { product(slug: $slug) { variants { id stockOnHand } } }",
            json!({ "slug": product_slug }),
        )
        .await;
    let variant = product["data"]["product"]["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["stockOnHand"].as_i64().unwrap() > 0)
        .unwrap()["id"]
        .clone();
    let buyer = flows::buyer_token(
        server,
        &format!("buyer-{}@example.org", uuid::Uuid::new_v4().simple()),
    )
    .await;
    let added = add_to_cart(server, Some(&buyer), None, &variant, 1).await;
    assert!(
        flows::user_errors(&added, "cartAddItem").is_empty(),
        "{added}"
    );
    let placed = place_order(
        server,
        &buyer,
        &uuid::Uuid::new_v4().to_string(),
        leh(),
        "CASH_ON_DELIVERY",
        json!({}),
    )
    .await;
    assert!(
        flows::user_errors(&placed, "placeOrder").is_empty(),
        "{placed}"
    );
    placed["data"]["placeOrder"]["order"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Where an order page's first fulfilment form posts.
fn fulfilment_action(page: &str) -> String {
    let action = page
        .split("action=\"")
        .map(|rest| rest.split('"').next().unwrap())
        .find(|action| action.contains("/fulfilments/"))
        .expect("a fulfilment form");
    action.to_owned()
}

const APRICOTS: &str = "raktsey-karpo-dried-apricots-500g";

async fn staff_pack_ship_and_print_the_invoice(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = flows::admin_token(&server).await;
    let sham = flows::cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let order = an_order(&server, APRICOTS).await;
    let email = staff_account(&server, &admin, &sham, "STAFF").await;
    let mut browser = signed_in(&server, &email).await;

    let dashboard = browser.page("/console").await;
    assert!(
        dashboard.contains(&format!("href=\"/console/orders/{order}\"")),
        "{dashboard}"
    );
    let list = browser.page("/console/orders").await;
    assert!(list.contains(&format!("href=\"/console/orders/{order}\"")));
    let path = format!("/console/orders/{order}");
    let page = browser.page(&path).await;
    assert!(page.contains("Cash on delivery"), "{page}");
    let action = fulfilment_action(&page);
    let csrf = browser.csrf();

    // Without the token, or from another origin, nothing happens.
    let tokenless = browser.post(&action, &[("action", "pack")]).await;
    assert_eq!(tokenless.status(), 403);
    let foreign = browser
        .post_from(
            &action,
            &[("csrf", &csrf), ("action", "pack")],
            Some("https://evil.example.org"),
        )
        .await;
    assert_eq!(foreign.status(), 403);
    assert!(
        browser
            .page(&path)
            .await
            .contains("data-status=\"CONFIRMED\"")
    );

    let packed = browser
        .post(&action, &[("csrf", &csrf), ("action", "pack")])
        .await;
    assert_eq!(packed.status(), 303);
    assert!(
        browser
            .page(&location(&packed))
            .await
            .contains("data-status=\"PACKED\"")
    );
    let shipped = browser
        .post(
            &action,
            &[
                ("csrf", &csrf),
                ("action", "ship"),
                ("carrier", "India Post"),
                ("trackingNumber", "EE123456789IN"),
            ],
        )
        .await;
    assert_eq!(shipped.status(), 303);
    let shipped = browser.page(&location(&shipped)).await;
    assert!(shipped.contains("data-status=\"SHIPPED\""), "{shipped}");
    assert!(shipped.contains("India Post · EE123456789IN"));
    let invoice = crate::storefront::attributes(&shipped, "href")
        .into_iter()
        .find(|h| h.starts_with("/invoices/"))
        .expect("the invoice link");
    let document = browser.get(&invoice).await;
    assert_eq!(document.status(), 200);
    assert!(document.text().await?.contains("data-kind=\"TAX_INVOICE\""));
    let delivered = browser
        .post(&action, &[("csrf", &csrf), ("action", "deliver")])
        .await;
    assert_eq!(delivered.status(), 303);
    assert!(
        browser
            .page(&path)
            .await
            .contains("data-status=\"DELIVERED\"")
    );

    // A parcel cancelled with a reason.
    let second = format!("/console/orders/{}", an_order(&server, APRICOTS).await);
    let second_action = fulfilment_action(&browser.page(&second).await);
    let cancelled = browser
        .post(
            &second_action,
            &[
                ("csrf", &csrf),
                ("action", "cancel"),
                ("reason", "The buyer asked by phone"),
            ],
        )
        .await;
    assert_eq!(cancelled.status(), 303);
    assert!(
        browser
            .page(&second)
            .await
            .contains("data-status=\"CANCELLED\"")
    );

    // Another cooperative's staff: neither this order nor Sham's products exist for them.
    let garkhon =
        flows::cooperative_id(&server, &admin, "garkhon-raktsey-karpo-collective-demo").await;
    let other_email = staff_account(&server, &admin, &garkhon, "MANAGER").await;
    let mut other = signed_in(&server, &other_email).await;
    let apricots = flows::product_id(&server, None, APRICOTS).await;
    for foreign in [
        path.clone(),
        format!("/console/products/{apricots}"),
        format!("/console/products/{apricots}/stock"),
    ] {
        let response = other.get(&foreign).await;
        assert_eq!(response.status(), 404, "{foreign}");
    }
    let other_csrf = other.csrf();
    let refused = other
        .post(&action, &[("csrf", &other_csrf), ("action", "deliver")])
        .await;
    assert_eq!(refused.status(), 404);
    Ok(())
}

/// Decodes the QR code of a PNG with `rqrr` (no shared code with the encoder).
fn decode_qr(png_bytes: &[u8]) -> String {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    let (width, height) = (info.width as usize, info.height as usize);
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        pixels[y * info.line_size + x]
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1);
    grids[0].decode().unwrap().1
}

/// The stock of the first variant on a stock page.
fn first_stock(page: &str) -> i64 {
    page.split("data-stock=\"")
        .nth(1)
        .and_then(|rest| rest.split('>').nth(1))
        .and_then(|rest| rest.split('<').next())
        .map(|n| n.parse::<i64>().unwrap())
        .unwrap_or_else(|| panic!("no stock in {page}"))
}

async fn batch_labels_carry_the_verify_url(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(
        backend,
        ServerOptions::seeded()
            .arg("--public-url")
            .arg("https://shop.example.org/"),
    )
    .await?;
    let admin = flows::admin_token(&server).await;
    let sham = flows::cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let email = staff_account(&server, &admin, &sham, "MANAGER").await;
    let mut browser = signed_in(&server, &email).await;
    let product = flows::product_id(&server, None, APRICOTS).await;
    let stock_path = format!("/console/products/{product}/stock");
    let stock = browser.page(&stock_path).await;
    let variant = stock
        .split("<select id=\"f-batch-variantId\" name=\"variantId\" required>")
        .nth(1)
        .and_then(|rest| rest.split("<option value=\"").nth(2))
        .and_then(|option| option.split('"').next())
        .expect("a variant to choose")
        .to_owned();
    let before = first_stock(&stock);
    let csrf = browser.csrf();
    let mut batch = vec![
        ("form", "batch"),
        ("variantId", variant.as_str()),
        ("code", "SHAM-LBL-2026"),
        ("originVillage", "Domkhar"),
        ("originDistrict", "Sham"),
        ("producedOn", ""),
        ("quantity", "40"),
    ];
    let refused = browser.post(&stock_path, &with_csrf(&csrf, &batch)).await;
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await?;
    assert!(refused.contains("id=\"e-batch-producedOn\""), "{refused}");
    assert!(refused.contains("value=\"Domkhar\""));
    for (key, value) in &mut batch {
        if *key == "producedOn" {
            *value = "2026-08-20";
        }
    }
    let created = browser.post(&stock_path, &with_csrf(&csrf, &batch)).await;
    assert_eq!(created.status(), 303);
    let stock = browser.page(&location(&created)).await;
    assert_eq!(
        first_stock(&stock),
        before + 40,
        "the batch's units are in stock"
    );
    assert!(
        stock.contains("<strong>SHAM-LBL-2026</strong> · Domkhar, Sham · 2026-08-20"),
        "{stock}"
    );

    let labels = browser.page("/console/batches/SHAM-LBL-2026/labels").await;
    let url = "https://shop.example.org/verify/SHAM-LBL-2026";
    assert!(
        labels.contains(&format!("<span class=\"url\">{url}</span>")),
        "{labels}"
    );
    assert_eq!(labels.matches("<svg ").count(), 24, "a sheet of 24 labels");
    assert!(gzipped(&labels) < 40_000, "{}", gzipped(&labels));
    let qr = browser.get("/console/batches/SHAM-LBL-2026/qr.png").await;
    assert_eq!(qr.status(), 200);
    assert_eq!(qr.headers()[header::CONTENT_TYPE], "image/png");
    let decoded = decode_qr(&qr.bytes().await?);
    assert_eq!(decoded, url);
    // The address the code holds opens the batch's provenance page.
    let path = decoded.trim_start_matches("https://shop.example.org");
    let provenance = Browser::new(&server).page(path).await;
    assert!(provenance.contains("SHAM-LBL-2026"), "{provenance}");
    assert!(provenance.contains("Domkhar"));

    // Another cooperative's staff get no labels for it.
    let nubra = flows::cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let other = staff_account(&server, &admin, &nubra, "STAFF").await;
    let mut other = signed_in(&server, &other).await;
    assert_eq!(
        other
            .get("/console/batches/SHAM-LBL-2026/labels")
            .await
            .status(),
        404
    );
    assert_eq!(
        other
            .get("/console/batches/SHAM-LBL-2026/qr.png")
            .await
            .status(),
        404
    );
    Ok(())
}

async fn an_admin_verifies_a_pending_cooperative(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let email = admin_account(&server).await;
    let mut browser = signed_in(&server, &email).await;
    let dashboard = browser.page("/console").await;
    assert!(
        dashboard.contains("Cooperatives waiting for verification"),
        "{dashboard}"
    );
    let pending = browser.page("/console/cooperatives?status=PENDING").await;
    assert!(pending.contains("Korzok"), "{pending}");
    assert!(pending.contains("<code>38AABAK8901H1ZK</code>"));
    let admin = flows::admin_token(&server).await;
    let korzok = flows::cooperative_id(&server, &admin, "korzok-changpa-weavers-demo").await;
    let action = format!("/console/cooperatives/{korzok}/verification");
    assert!(pending.contains(&format!("action=\"{action}\"")));
    let csrf = browser.csrf();
    let verified = browser
        .post(
            &action,
            &[
                ("csrf", &csrf),
                ("listed", "PENDING"),
                ("decision", "VERIFIED"),
                ("reason", "GSTIN 38AABAK8901H1ZK checked on the GST portal"),
            ],
        )
        .await;
    assert_eq!(verified.status(), 303);
    let after = browser.page(&location(&verified)).await;
    assert!(after.contains("The cooperative is verified."), "{after}");
    let status = server
        .graphql_as(
            Some(&admin),
            "query($id: ID) { cooperative(id: $id) { verificationStatus } }",
            json!({ "id": korzok }),
        )
        .await;
    assert_eq!(
        status["data"]["cooperative"]["verificationStatus"],
        Value::from("VERIFIED")
    );

    // The admin gives the cooperative a manager, who signs in at once.
    let add = format!("/console/cooperatives/{korzok}/managers");
    let manager_email = "stanzin@korzok.example.org";
    let short = browser
        .post(
            &add,
            &[
                ("csrf", &csrf),
                ("listed", "VERIFIED"),
                ("name", "Stanzin Dolkar"),
                ("email", manager_email),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(short.status(), 422);
    let short = short.text().await?;
    assert!(
        short.contains(&format!("id=\"e-m-{korzok}-password\"")),
        "{short}"
    );
    assert!(short.contains(&format!("value=\"{manager_email}\"")));
    let added = browser
        .post(
            &add,
            &[
                ("csrf", &csrf),
                ("listed", "VERIFIED"),
                ("name", "Stanzin Dolkar"),
                ("email", manager_email),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(added.status(), 303);
    let mut korzok_manager = signed_in(&server, manager_email).await;
    let their = korzok_manager.page("/console").await;
    assert!(their.contains("Orders to pack"), "{their}");

    // Staff are refused the admin's pages; buyers have no console.
    let sham = flows::cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let manager = staff_account(&server, &admin, &sham, "MANAGER").await;
    let mut manager = signed_in(&server, &manager).await;
    assert_eq!(manager.get("/console/cooperatives").await.status(), 403);
    let buyer = "console-buyer@example.org";
    flows::buyer_token(&server, buyer).await;
    let mut buyer = signed_in(&server, buyer).await;
    let refused = buyer.get("/console").await;
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .text()
            .await?
            .contains("This console is for cooperative staff")
    );
    Ok(())
}

both_backends!(
    a_manager_lists_a_product_through_the_generated_form,
    staff_pack_ship_and_print_the_invoice,
    batch_labels_carry_the_verify_url,
    an_admin_verifies_a_pending_cooperative,
);
