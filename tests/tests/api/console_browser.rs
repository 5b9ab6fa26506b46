//! The cooperative console in headless Chromium (`support::browser`), against the real
//! server on SQLite and PostgreSQL, on a 360×800 screen: a manager signs in, creates a
//! sea buckthorn juice through the form generated from its category's schema, fails
//! activation on a missing declaration, fixes it and activates it, and buyers find it
//! in the storefront's search; a batch is recorded with a lab report, its label sheet
//! opens, and its page takes a step of the chain; a photo is added through the file
//! input; the juice claims the Ladakh Seabuckthorn GI and is listed on GeM (a local
//! double) from its panels; the header's menu folds on a phone and shows inline on a wide screen; the
//! manager packs and ships an order and opens its invoice; an admin verifies a pending
//! cooperative, corrects a GI's register facts and opens a category's editor. Every console page visited is audited with axe-core (no serious or
//! critical violation) and screenshotted at 360 and 1280 px under
//! `target/screenshots/console/<backend>/`. Run alone with
//! `cargo test -p tests --test api -- console_browser::`.

use std::sync::Arc;

use fantoccini::Locator;
use serde_json::json;

use crate::{
    both_backends,
    console::{admin_account, an_order, staff_account},
    support::{
        Backend, TestServer,
        browser::{Browser, Javascript, with_browser},
        channel_sim::ChannelSim,
        flows::{self, PASSWORD},
    },
};

const JUICE: &str = "Yarab Tso Sea Buckthorn Juice";

/// Screenshots the console page at both widths and audits it with axe-core.
async fn check_page(browser: &Browser, page: &str) -> anyhow::Result<()> {
    browser.screenshot(page).await?;
    // The screenshots leave the window at 360 px: nothing may be wider than the phone.
    let wide = browser.wider_than_the_window().await?;
    assert!(
        wide.is_empty(),
        "the console's {page} page is wider than a 360 px screen: {wide:?}"
    );
    let violations = browser.accessibility_violations().await?;
    assert!(
        violations.is_empty(),
        "axe on the console's {page} page ({}):\n{}",
        browser.path().await?,
        violations.join("\n")
    );
    Ok(())
}

/// Chooses a select's option by its value.
async fn choose(browser: &Browser, id: &str, value: &str) -> anyhow::Result<()> {
    browser
        .client
        .find(Locator::Id(id))
        .await?
        .select_by_value(value)
        .await?;
    Ok(())
}

/// Sets a date field's value: typing into Chromium's date control depends on the
/// locale's order of day and month, the value does not.
async fn set_date(browser: &Browser, id: &str, value: &str) -> anyhow::Result<()> {
    browser
        .client
        .execute(
            "document.getElementById(arguments[0]).value = arguments[1];",
            vec![json!(id), json!(value)],
        )
        .await?;
    Ok(())
}

/// Opens the header's menu (a `<details>` on a phone's width), so that its links and
/// the sign-out button can be pressed.
async fn open_menu(browser: &Browser) -> anyhow::Result<()> {
    browser.click("details.menu > summary").await?;
    browser.wait_for("details.menu[open]").await?;
    Ok(())
}

/// The header's height in CSS pixels and whether `css` inside it is shown.
async fn header(browser: &Browser, css: &str) -> anyhow::Result<(f64, bool)> {
    let height = browser
        .client
        .execute(
            "return document.querySelector('header.top').getBoundingClientRect().height;",
            vec![],
        )
        .await?
        .as_f64()
        .unwrap_or(f64::MAX);
    let shown = browser
        .client
        .find(Locator::Css(css))
        .await?
        .is_displayed()
        .await?;
    Ok((height, shown))
}

/// The console's header on a phone is one line with a menu button whose links open
/// without JavaScript's help (a `<details>`), each link a 44 px target; on a wide
/// screen the links show inline without the button.
async fn the_header_menu(browser: &Browser) -> anyhow::Result<()> {
    let link = "header nav a[href='/console/orders']";
    let (height, shown) = header(browser, link).await?;
    assert!(height < 70.0, "one line at 360 px, not {height} px");
    assert!(!shown, "the links are folded away at 360 px");
    open_menu(browser).await?;
    let (_, shown) = header(browser, link).await?;
    assert!(shown, "the menu shows the links once opened");
    let target = browser
        .client
        .execute(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect(); return Math.min(r.height, document.querySelector('details.menu > summary').getBoundingClientRect().height);",
            vec![json!(link)],
        )
        .await?
        .as_f64()
        .unwrap_or(0.0);
    assert!(target >= 44.0, "touch targets of 44 px, not {target}");
    browser.screenshot("menu-open").await?;
    let violations = browser.accessibility_violations().await?;
    assert!(
        violations.is_empty(),
        "axe, menu open:\n{}",
        violations.join("\n")
    );
    browser.client.set_window_size(1280, 800).await?;
    let (height, shown) = header(browser, link).await?;
    assert!(shown, "the links are inline at 1280 px");
    assert!(height < 70.0, "one line at 1280 px, not {height} px");
    let summary = browser
        .client
        .find(Locator::Css("details.menu > summary"))
        .await?
        .is_displayed()
        .await?;
    assert!(!summary, "no menu button at 1280 px");
    browser.client.set_window_size(360, 800).await?;
    Ok(())
}

/// The product's photo panel with a photo chosen through the file input, as a phone's
/// camera or gallery gives it.
async fn the_photo_panel(browser: &Browser, product_path: &str) -> anyhow::Result<()> {
    browser.goto(product_path).await?;
    browser.wait_for("#f-image-file").await?;
    let photo = std::env::temp_dir().join(format!(
        "console-photo-{}.jpg",
        uuid::Uuid::new_v4().simple()
    ));
    let image = image::RgbImage::from_fn(640, 480, |x, _| {
        if x < 320 {
            image::Rgb([230, 120, 20])
        } else {
            image::Rgb([40, 90, 30])
        }
    });
    image::DynamicImage::ImageRgb8(image).save_with_format(&photo, image::ImageFormat::Jpeg)?;
    browser
        .client
        .find(Locator::Id("f-image-file"))
        .await?
        .send_keys(&photo.display().to_string())
        .await?;
    browser
        .fill("f-alt", "Two bottles of sea buckthorn juice")
        .await?;
    browser
        .click("form[enctype='multipart/form-data'] button[type=submit]")
        .await?;
    browser.wait_for_text("p", "The photo was added.").await?;
    browser
        .wait_for("img[alt='Two bottles of sea buckthorn juice']")
        .await?;
    check_page(browser, "product-photo").await?;
    std::fs::remove_file(&photo)?;
    Ok(())
}

/// The batch's own page: the lab report recorded with it, then a step of its chain.
async fn the_batch_page(browser: &Browser, code: &str) -> anyhow::Result<()> {
    browser.goto(&format!("/console/batches/{code}")).await?;
    browser.wait_for("#certificates").await?;
    browser.wait_for_text("strong", "Lab report").await?;
    choose(browser, "f-event-kind", "PACKED").await?;
    set_date(browser, "f-event-occurredAt", "2026-09-12").await?;
    browser
        .fill("f-event-location", "Diskit packing unit")
        .await?;
    browser
        .click("form:has(#f-event-kind) button[type=submit]")
        .await?;
    browser
        .wait_for_text("p", "The step was added to the batch's chain.")
        .await?;
    let chain = browser
        .client
        .find(Locator::Css("#events"))
        .await?
        .text()
        .await?;
    assert!(chain.contains("Diskit packing unit"), "{chain}");
    check_page(browser, "batch").await?;
    Ok(())
}

/// The product's GI panel: the juice claims the Ladakh Seabuckthorn GI, which Nubra is a
/// verified authorised user of (the demo's register), now that a batch from Diskit,
/// inside the GI's area, is recorded.
async fn the_gi_panel(
    browser: &Browser,
    server: &TestServer,
    product_path: &str,
) -> anyhow::Result<()> {
    let seabuckthorn = flows::gi_tag_id(server, "ladakh-seabuckthorn").await;
    browser.goto(product_path).await?;
    browser.wait_for("#f-giTagId").await?;
    choose(browser, "f-giTagId", &seabuckthorn).await?;
    browser
        .click("form[action$='/gi'] button[type=submit]")
        .await?;
    browser
        .wait_for(&format!("li[data-claim='{seabuckthorn}'] .ok"))
        .await?;
    browser.wait_for_text("p", "The GI is claimed.").await?;
    check_page(browser, "product-gi").await?;
    Ok(())
}

/// The product's channel panels: GeM's procurement facts typed on the product form,
/// then the juice listed on GeM, which the GeM double accepts once the queue has pushed
/// it.
async fn the_channel_panel(
    browser: &Browser,
    server: &TestServer,
    product_path: &str,
) -> anyhow::Result<()> {
    browser.goto(product_path).await?;
    browser
        .wait_for("#f-procurement-localContentPercent")
        .await?;
    browser
        .fill("f-procurement-localContentPercent", "100")
        .await?;
    browser
        .fill("f-procurement-deliveryLeadTimeDays", "7")
        .await?;
    browser.click("button[name=action][value=save]").await?;
    browser
        .wait_for("#f-procurement-localContentPercent[value='100']")
        .await?;
    browser
        .click("section[data-channel='GEM'] button[name=action][value=list]")
        .await?;
    browser
        .wait_for("section[data-channel='GEM'] button[name=action][value=delist]")
        .await?;
    server.drain_all().await;
    browser.goto(product_path).await?;
    browser
        .wait_for("section[data-channel='GEM'] [data-state='LISTED']")
        .await?;
    check_page(browser, "product-channels").await?;
    Ok(())
}

async fn sign_in(browser: &Browser, email: &str) -> anyhow::Result<()> {
    browser.goto("/console/sign-in").await?;
    browser.wait_for("#f-email").await?;
    browser.fill("f-email", email).await?;
    browser.fill("f-password", PASSWORD).await?;
    browser.click("main button[type=submit]").await?;
    browser.wait_for("form.signout").await?;
    Ok(())
}

struct Accounts {
    manager: String,
    admin: String,
    korzok: String,
}

async fn journey(
    server: Arc<TestServer>,
    browser: Browser,
    accounts: Accounts,
) -> anyhow::Result<()> {
    browser.goto("/console").await?;
    browser.wait_for("#f-email").await?;
    assert_eq!(browser.path().await?, "/console/sign-in?next=/console");
    check_page(&browser, "sign-in").await?;
    sign_in(&browser, &accounts.manager).await?;
    browser.wait_for_text("h1", "Dashboard").await?;
    check_page(&browser, "dashboard").await?;
    the_header_menu(&browser).await?;

    // The kinds of product, then the form generated from the juice's schema.
    browser.click("nav a[href='/console/products']").await?;
    browser.wait_for("a[href='/console/products/new']").await?;
    check_page(&browser, "products").await?;
    browser.click("a[href='/console/products/new']").await?;
    browser
        .wait_for("a[href='/console/products/new?category=sea-buckthorn-juice']")
        .await?;
    check_page(&browser, "product-kinds").await?;
    browser
        .click("a[href='/console/products/new?category=sea-buckthorn-juice']")
        .await?;
    browser.wait_for("#f-attributes-form").await?;
    check_page(&browser, "product-new").await?;
    for (id, value) in [
        ("f-title", JUICE),
        ("f-description", "Cold-pressed sea buckthorn from Nubra."),
        ("f-attributes-volume_ml", "500"),
        ("f-declarations-netQuantity", "500 ml"),
        ("f-declarations-manufacturerName", "Nubra Leh Berry Growers"),
        (
            "f-declarations-manufacturerAddress",
            "Diskit, Nubra, Leh, Ladakh 194401",
        ),
        ("f-declarations-countryOfOrigin", "India"),
        ("f-declarations-bestBeforeMonths", "12"),
        ("f-variants-0-sku", "SBJ-YARAB-500"),
        ("f-variants-0-title", "500 ml bottle"),
        ("f-variants-0-price", "450"),
        ("f-variants-0-mrp", "500"),
        ("f-variants-0-weightGrams", "700"),
    ] {
        browser.fill(id, value).await?;
    }
    choose(&browser, "f-attributes-form", "juice").await?;
    choose(&browser, "f-attributes-sugar_added", "false").await?;
    browser.click("main form button[type=submit]").await?;
    browser.wait_for("[data-status='DRAFT']").await?;
    let product_path = browser.path().await?;
    let product_path = product_path.split('?').next().unwrap().to_owned();
    assert!(
        product_path.starts_with("/console/products/"),
        "{product_path}"
    );
    check_page(&browser, "product-draft").await?;

    // Activation refused: the missing consumer-care declaration beside its field, what
    // was typed kept.
    browser.click("button[name=action][value=activate]").await?;
    browser
        .wait_for("#e-declarations-consumerCare-address")
        .await?;
    let kept = browser
        .client
        .find(Locator::Id("f-declarations-manufacturerName"))
        .await?;
    assert_eq!(
        kept.prop("value").await?.as_deref(),
        Some("Nubra Leh Berry Growers")
    );
    check_page(&browser, "product-activation-refused").await?;
    for (id, value) in [
        (
            "f-declarations-consumerCare-address",
            "Consumer Cell, Diskit, Nubra, Leh, Ladakh 194401",
        ),
        ("f-declarations-consumerCare-phone", "+91 94191 00000"),
        (
            "f-declarations-consumerCare-email",
            "care@nubra-berries.example.org",
        ),
    ] {
        browser.fill(id, value).await?;
    }
    browser.click("button[name=action][value=activate]").await?;
    browser.wait_for("[data-status='ACTIVE']").await?;
    browser
        .wait_for_text("p", "The product is active and on sale.")
        .await?;
    check_page(&browser, "product-active").await?;

    // Buyers find it in the storefront's search.
    server.drain_all().await;
    browser.goto("/search?q=Yarab").await?;
    browser.wait_for_text("a", JUICE).await?;
    browser.goto(&product_path).await?;

    // A batch of 40 bottles, and its label sheet.
    browser.click("a[href$='/stock']").await?;
    browser.wait_for("#f-batch-code").await?;
    check_page(&browser, "stock").await?;
    browser
        .client
        .find(Locator::Id("f-batch-variantId"))
        .await?
        .select_by_index(1)
        .await?;
    browser.fill("f-batch-code", "NUBRA-SBJ-2026").await?;
    browser.fill("f-batch-originVillage", "Diskit").await?;
    choose(&browser, "f-batch-originDistrict", "Nubra").await?;
    set_date(&browser, "f-batch-producedOn", "2026-09-10").await?;
    browser.fill("f-batch-quantity", "40").await?;
    choose(&browser, "f-batch-certificates-0-kind", "LAB_REPORT").await?;
    browser
        .fill("f-batch-certificates-0-issuer", "Demo Food Lab Leh")
        .await?;
    browser
        .fill("f-batch-certificates-0-number", "DFL/26/0910")
        .await?;
    set_date(&browser, "f-batch-certificates-0-issuedOn", "2026-09-11").await?;
    browser
        .fill(
            "f-batch-certificates-0-documentUrl",
            "https://docs.example.org/dfl-26-0910.pdf",
        )
        .await?;
    browser
        .click("form:has(#f-batch-code) button[type=submit]")
        .await?;
    browser
        .wait_for("a[href='/console/batches/NUBRA-SBJ-2026/labels']")
        .await?;
    browser.wait_for("td[data-stock='SBJ-YARAB-500']").await?;
    browser
        .click("a[href='/console/batches/NUBRA-SBJ-2026/labels']")
        .await?;
    browser.wait_for(".sheet .label svg").await?;
    browser
        .wait_for_text("span", "/verify/NUBRA-SBJ-2026")
        .await?;
    check_page(&browser, "labels").await?;
    the_batch_page(&browser, "NUBRA-SBJ-2026").await?;
    the_photo_panel(&browser, &product_path).await?;
    the_gi_panel(&browser, &server, &product_path).await?;
    the_channel_panel(&browser, &server, &product_path).await?;

    // A buyer orders a bottle; the manager packs and ships it and opens the invoice.
    let product_id = product_path.trim_start_matches("/console/products/");
    let product = server
        .graphql(
            "query($id: ID) { product(id: $id) { slug } }",
            json!({ "id": product_id }),
        )
        .await;
    let slug = product["data"]["product"]["slug"]
        .as_str()
        .unwrap_or_else(|| panic!("the juice is on sale: {product}"))
        .to_owned();
    server.drain_all().await;
    let order = an_order(&server, &slug).await;
    browser.goto("/console").await?;
    browser
        .wait_for(&format!("a[href='/console/orders/{order}']"))
        .await?;
    open_menu(&browser).await?;
    browser.click("nav a[href='/console/orders']").await?;
    browser
        .wait_for(&format!("a[href='/console/orders/{order}']"))
        .await?;
    check_page(&browser, "orders").await?;
    browser
        .click(&format!("a[href='/console/orders/{order}']"))
        .await?;
    browser.wait_for("[data-status='CONFIRMED']").await?;
    check_page(&browser, "order").await?;
    browser.click("button[name=action][value=pack]").await?;
    browser.wait_for("[data-status='PACKED']").await?;
    check_page(&browser, "order-packed").await?;
    let carrier = browser
        .client
        .find(Locator::Css("input[name=carrier]"))
        .await?;
    carrier.send_keys("India Post").await?;
    browser
        .client
        .find(Locator::Css("input[name=trackingNumber]"))
        .await?
        .send_keys("EE987654321IN")
        .await?;
    browser.click("button[name=action][value=ship]").await?;
    browser.wait_for("[data-status='SHIPPED']").await?;
    browser
        .wait_for_text("p", "India Post · EE987654321IN")
        .await?;
    check_page(&browser, "order-shipped").await?;
    browser.click("a[href^='/invoices/']").await?;
    browser.wait_for("[data-kind='TAX_INVOICE']").await?;
    browser.screenshot("invoice").await?;

    // The cooperative's other pages, and a dry run of a sheet with a bad price, chosen
    // through the file input as a person would: the error is shown by row and column.
    for (path, ready, page) in [
        ("/console/money", "main h1", "money"),
        ("/console/staff", "form[action='/console/staff']", "staff"),
        ("/console/gi", "form[action='/console/gi']", "gi"),
        ("/console/import", "#f-import-file", "import"),
    ] {
        browser.goto(path).await?;
        browser.wait_for(ready).await?;
        check_page(&browser, page).await?;
    }
    let sheet = std::env::temp_dir().join(format!(
        "console-import-{}.csv",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(
        &sheet,
        crate::import::csv(&[crate::import::row(
            "browser-imported-apricots",
            "BIA-1KG",
            "apricot-dried",
            "abc",
            "1250.00",
            "Halman",
        )]),
    )?;
    browser
        .client
        .find(Locator::Id("f-import-file"))
        .await?
        .send_keys(&sheet.display().to_string())
        .await?;
    browser
        .click("form[action='/console/import'] button.secondary")
        .await?;
    browser.wait_for("table.row-errors").await?;
    let report = browser
        .client
        .find(Locator::Css("table.row-errors tbody"))
        .await?
        .text()
        .await?;
    assert!(
        report
            .lines()
            .any(|line| line.starts_with("2") && line.contains("price_inr")),
        "the bad price is reported at row 2, column price_inr:\n{report}"
    );
    check_page(&browser, "import-errors").await?;
    std::fs::remove_file(&sheet)?;

    // Signed out, then in as an admin, who verifies the pending Korzok cooperative.
    browser.goto("/console").await?;
    open_menu(&browser).await?;
    browser.click("form.signout button").await?;
    browser.wait_for("#f-email").await?;
    sign_in(&browser, &accounts.admin).await?;
    browser
        .wait_for_text("*", "Cooperatives waiting for verification")
        .await?;
    check_page(&browser, "admin-dashboard").await?;
    browser.goto("/console/cooperatives?status=PENDING").await?;
    let section = format!("#c-{}", accounts.korzok);
    browser.wait_for(&section).await?;
    check_page(&browser, "cooperatives").await?;
    browser
        .fill(
            &format!("f-{}-reason", accounts.korzok),
            "GSTIN 38AABAK8901H1ZK checked on the GST portal",
        )
        .await?;
    browser
        .click(&format!("{section} button[name=decision][value=VERIFIED]"))
        .await?;
    browser
        .wait_for_text("p", "The cooperative is verified.")
        .await?;
    check_page(&browser, "cooperative-verified").await?;

    // The registers an admin keeps.
    for (path, page) in [
        ("/console/registers/gi", "registers-gi"),
        ("/console/registers/buyers", "registers-buyers"),
        ("/console/registers/categories", "registers-categories"),
        ("/console/registers/districts", "registers-districts"),
    ] {
        browser.goto(path).await?;
        browser.wait_for("main h1").await?;
        check_page(&browser, page).await?;
    }
    admin_corrections(&browser).await?;
    Ok(())
}

/// The admin's corrections: the GI register with one GI's facts corrected through its
/// form, and a category's editor with its attribute rows.
async fn admin_corrections(browser: &Browser) -> anyhow::Result<()> {
    let panel = "#g-raktsey-karpo-apricot";
    browser.goto("/console/registers/gi-tags").await?;
    browser.wait_for(panel).await?;
    check_page(browser, "registers-gi-tags").await?;
    browser.click(&format!("{panel} summary")).await?;
    browser
        .fill("f-g-raktsey-karpo-apricot-applicationNumber", "GI-APP-736")
        .await?;
    browser
        .click(&format!("{panel} button[type=submit]"))
        .await?;
    browser.wait_for("p.done").await?;
    browser.wait_for_text("dd", "GI-APP-736").await?;
    check_page(browser, "gi-tag-corrected").await?;
    browser
        .goto("/console/registers/categories/sea-buckthorn-juice")
        .await?;
    browser.wait_for("fieldset[data-attribute-row]").await?;
    check_page(browser, "category-edit").await?;
    Ok(())
}

async fn staff_and_an_admin_work_in_a_browser(backend: Backend) -> anyhow::Result<()> {
    // GeM and NCUI Haat doubles, so that the product's channel panel lists for real.
    let gem = ChannelSim::start("GEM").await?;
    let ncui = ChannelSim::start("NCUI_HAAT").await?;
    let server =
        Arc::new(TestServer::spawn(backend, crate::channels::push_options(&gem, &ncui)).await?);
    let admin = flows::admin_token(&server).await;
    let nubra = flows::cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let korzok = flows::cooperative_id(&server, &admin, "korzok-changpa-weavers-demo").await;
    let accounts = Accounts {
        manager: staff_account(&server, &admin, &nubra, "MANAGER").await,
        admin: admin_account(&server).await,
        korzok,
    };
    let name = format!(
        "console/{}",
        match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    );
    let for_journey = Arc::clone(&server);
    with_browser(&server.base_url, &name, Javascript::On, move |browser| {
        journey(for_journey, browser, accounts)
    })
    .await
}

both_backends!(staff_and_an_admin_work_in_a_browser);
