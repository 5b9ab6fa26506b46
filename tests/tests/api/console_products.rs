//! The console's product pages over plain HTTP, as a browser with JavaScript off uses
//! them: photos from the phone's camera (and `POST /media`'s CSRF check), tier prices,
//! GI claims and authorisations, channel listings and bulk import.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use serde_json::{Value, json};

use crate::{
    both_backends,
    console::{gzipped, signed_in, staff_account},
    storefront::{Browser, location},
    support::{
        Backend, ServerOptions, TestServer,
        channel_sim::ChannelSim,
        flows,
        multipart::Part::{File, Text},
    },
};

const NUBRA: &str = "nubra-leh-berry-growers-demo";

/// A real photo: a JPEG of two colours, `width` × `height`.
fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            Rgb([230, 120, 20])
        } else {
            Rgb([40, 90, 30])
        }
    });
    let mut bytes = Vec::new();
    DynamicImage::ImageRgb8(image)
        .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Jpeg)
        .unwrap();
    bytes
}

/// The first active product of the cooperative: its id and slug.
async fn active_product(server: &TestServer, admin: &str, cooperative: &str) -> (String, String) {
    let body = server
        .graphql_as(
            Some(admin),
            "query($c: ID!) { cooperativeProducts(cooperativeId: $c, first: 50) { nodes { id slug status } } }",
            json!({ "c": cooperative }),
        )
        .await;
    let product = body["data"]["cooperativeProducts"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["status"] == "ACTIVE")
        .unwrap_or_else(|| panic!("no active product in {body}"))
        .clone();
    (
        product["id"].as_str().unwrap().to_owned(),
        product["slug"].as_str().unwrap().to_owned(),
    )
}

/// The upload a page's remove forms name (the seeded images are links).
fn removable_image(page: &str) -> String {
    let needle = "<input type=\"hidden\" name=\"image\" value=\"";
    page.match_indices(needle)
        .map(|(at, _)| {
            let rest = &page[at + needle.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .find(|key| !key.starts_with("http"))
        .unwrap_or_else(|| panic!("no upload to remove in {page}"))
}

const ALT: &str = "Two bottles of sea buckthorn juice on a table";

async fn a_manager_adds_a_camera_photo_to_a_product(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = flows::admin_token(&server).await;
    let coop = flows::cooperative_id(&server, &admin, NUBRA).await;
    let email = staff_account(&server, &admin, &coop, "MANAGER").await;
    let (id, slug) = active_product(&server, &admin, &coop).await;
    let mut browser = signed_in(&server, &email).await;
    let path = format!("/console/products/{id}");
    let page = browser.page(&path).await;
    assert!(
        page.contains(&format!(
            "<form method=\"post\" action=\"{path}/images\" enctype=\"multipart/form-data\""
        )),
        "{page}"
    );
    assert!(page.contains("<label for=\"f-image-file\">Photo"), "{page}");
    assert!(page.contains(
        "<input id=\"f-image-file\" name=\"file\" type=\"file\" accept=\"image/*\" capture=\"environment\""
    ));
    assert!(page.contains("<label for=\"f-alt\">What the photo shows"));
    assert!(gzipped(&page) < 40_000, "{}", gzipped(&page));
    assert!(!page.contains("<script"));
    let csrf = browser.csrf();
    let upload = format!("{path}/images");

    // Without its CSRF token the form is refused, and nothing is stored.
    let photo = jpeg(1200, 900);
    let forged = browser
        .post_multipart(
            &upload,
            &[
                Text("alt", ALT),
                File("file", "photo.jpg", "image/jpeg", &photo),
            ],
        )
        .await;
    assert_eq!(forged.status(), 403);

    // No photo chosen, then a file that is no photo: said beside the file input, and
    // the alt text typed is kept.
    let empty = browser
        .post_multipart(
            &upload,
            &[
                Text("csrf", &csrf),
                Text("alt", ALT),
                File("file", "", "application/octet-stream", b""),
            ],
        )
        .await;
    assert_eq!(empty.status(), 422);
    let empty = empty.text().await?;
    assert!(
        empty.contains("<p class=\"error\" id=\"e-image-file\">Choose a photo to add.</p>"),
        "{empty}"
    );
    assert!(empty.contains(&format!("value=\"{ALT}\"")), "{empty}");
    let not_a_photo = browser
        .post_multipart(
            &upload,
            &[
                Text("csrf", &csrf),
                Text("alt", ALT),
                File(
                    "file",
                    "notes.jpg",
                    "image/jpeg",
                    b"these are notes, not a photo",
                ),
            ],
        )
        .await;
    assert_eq!(not_a_photo.status(), 422);
    let not_a_photo = not_a_photo.text().await?;
    assert!(
        not_a_photo.contains("<p class=\"error\" id=\"e-image-file\">"),
        "{not_a_photo}"
    );
    assert!(not_a_photo.contains("aria-describedby=\"e-image-file\""));

    // A real photo from the camera.
    let added = browser
        .post_multipart(
            &upload,
            &[
                Text("csrf", &csrf),
                Text("alt", ALT),
                File("file", "IMG_0001.jpg", "image/jpeg", &photo),
            ],
        )
        .await;
    assert_eq!(added.status(), 303, "{}", added.text().await?);
    assert_eq!(location(&added), format!("{path}?saved=image#images"));
    // The smaller sizes are made in the background.
    server.drain_all().await;
    let page = browser.page(&format!("{path}?saved=image")).await;
    assert!(page.contains("The photo was added."), "{page}");
    assert!(page.contains(&format!("alt=\"{ALT}\"")), "{page}");
    assert!(
        page.contains("Sizes made: 160×120, 320×240, 640×480, 1200×900"),
        "{page}"
    );
    let media = removable_image(&page);

    // The shop's product page shows it in every size.
    let store = Browser::new(&server)
        .page(&format!("/products/{slug}"))
        .await;
    assert!(store.contains(&format!("alt=\"{ALT}\"")), "{store}");
    let srcset = crate::storefront::attributes(&store, "srcset")
        .into_iter()
        .find(|s| s.contains(&format!("/media/{media}/")))
        .unwrap_or_else(|| panic!("no srcset of {media} in {store}"));
    for width in ["160w", "320w", "640w", "1200w"] {
        assert!(srcset.contains(width), "{srcset}");
    }

    // Taken off the product again.
    let removed = browser
        .post(
            &format!("{path}/images/remove"),
            &[("csrf", &csrf), ("image", &media)],
        )
        .await;
    assert_eq!(removed.status(), 303);
    let page = browser.page(&format!("{path}?saved=image-removed")).await;
    assert!(page.contains("The photo was removed."));
    assert!(!page.contains(&format!("alt=\"{ALT}\"")), "{page}");
    let unknown = browser
        .post(
            &format!("{path}/images/remove"),
            &[("csrf", &csrf), ("image", &media)],
        )
        .await;
    assert_eq!(unknown.status(), 404);

    // `POST /media` with the session cookie but without the CSRF token is refused;
    // with it, the same upload is taken.
    let refused = browser
        .post_multipart(
            "/media",
            &[
                Text("cooperativeId", &coop),
                Text("alt", ALT),
                File("file", "IMG_0002.jpg", "image/jpeg", &photo),
            ],
        )
        .await;
    assert_eq!(refused.status(), 403);
    let refused: Value = refused.json().await?;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused}"
    );
    let taken = browser
        .post_multipart(
            "/media",
            &[
                Text("cooperativeId", &coop),
                Text("alt", ALT),
                Text("csrf", &csrf),
                File("file", "IMG_0002.jpg", "image/jpeg", &photo),
            ],
        )
        .await;
    assert_eq!(taken.status(), 201);
    Ok(())
}

/// Paise as a person types rupees (`450.00`).
fn rupees(paise: i64) -> String {
    format!("{}.{:02}", paise / 100, paise % 100)
}

async fn tier_prices_on_the_variant_form(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = flows::admin_token(&server).await;
    let coop = flows::cooperative_id(&server, &admin, NUBRA).await;
    let email = staff_account(&server, &admin, &coop, "MANAGER").await;
    let (id, _) = active_product(&server, &admin, &coop).await;
    let variant_query = "query($id: ID!) { product(id: $id) { variants { id price { amount } mrp { amount } minOrderQuantity tierPrices { minQuantity price } } } }";
    let body = server
        .graphql_as(Some(&admin), variant_query, json!({ "id": id }))
        .await;
    let variant = body["data"]["product"]["variants"][0].clone();
    let vid = variant["id"].as_str().unwrap().to_owned();
    let price = variant["price"]["amount"].as_i64().unwrap();
    let mrp = variant["mrp"]["amount"].as_i64().unwrap();
    assert!(price > 2_000, "{variant}");
    assert_eq!(variant["minOrderQuantity"], 1, "{variant}");

    let mut browser = signed_in(&server, &email).await;
    let path = format!("/console/products/{id}");
    let page = browser.page(&path).await;
    assert!(
        page.contains(&format!(
            "<label for=\"f-{vid}-tierPrices-0-minQuantity\">From (units)</label>"
        )),
        "{page}"
    );
    assert!(page.contains("<legend>Price break 1</legend>"));
    assert!(page.contains("name=\"tierPrices.1.price\""));
    let csrf = browser.csrf();
    let action = format!("{path}/variants/{vid}");
    let (price_text, mrp_text) = (rupees(price), rupees(mrp));

    // A break priced above the base price, typed in the second row with the first
    // left empty: the API's error lands beside the row it was typed in, all kept.
    let too_dear = rupees(price + 100);
    let refused = browser
        .post(
            &action,
            &[
                ("csrf", &csrf),
                ("price", &price_text),
                ("mrp", &mrp_text),
                ("minOrderQuantity", "1"),
                ("tierPrices.0.minQuantity", ""),
                ("tierPrices.0.price", ""),
                ("tierPrices.1.minQuantity", "12"),
                ("tierPrices.1.price", &too_dear),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await?;
    assert!(
        refused.contains(&format!(
            "<p class=\"error\" id=\"e-{vid}-tierPrices-1-price\">a tier price must be positive and below the base price</p>"
        )),
        "{refused}"
    );
    assert!(refused.contains(&format!("value=\"{too_dear}\"")));
    assert!(refused.contains(&format!(
        "id=\"f-{vid}-tierPrices-1-minQuantity\" name=\"tierPrices.1.minQuantity\" type=\"number\" value=\"12\""
    )));

    // A break with no price, and one whose quantity is no number: said by the form.
    let incomplete = browser
        .post(
            &action,
            &[
                ("csrf", &csrf),
                ("price", &price_text),
                ("mrp", &mrp_text),
                ("minOrderQuantity", "1"),
                ("tierPrices.0.minQuantity", "12"),
                ("tierPrices.0.price", ""),
                ("tierPrices.1.minQuantity", "two dozen"),
                ("tierPrices.1.price", "400"),
            ],
        )
        .await;
    assert_eq!(incomplete.status(), 422);
    let incomplete = incomplete.text().await?;
    assert!(
        incomplete.contains(&format!("id=\"e-{vid}-tierPrices-0-price\"")),
        "{incomplete}"
    );
    assert!(incomplete.contains(&format!("id=\"e-{vid}-tierPrices-1-minQuantity\"")));

    // Two breaks, rising in quantity and falling in price: stored.
    let (first, second) = (price - 1_000, price - 2_000);
    let saved = browser
        .post(
            &action,
            &[
                ("csrf", &csrf),
                ("price", &price_text),
                ("mrp", &mrp_text),
                ("minOrderQuantity", "2"),
                ("tierPrices.0.minQuantity", "12"),
                ("tierPrices.0.price", &rupees(first)),
                ("tierPrices.1.minQuantity", "24"),
                ("tierPrices.1.price", &rupees(second)),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303, "{}", saved.text().await?);
    let body = server
        .graphql_as(Some(&admin), variant_query, json!({ "id": id }))
        .await;
    let stored = &body["data"]["product"]["variants"][0];
    assert_eq!(stored["minOrderQuantity"], 2, "{stored}");
    assert_eq!(
        stored["tierPrices"],
        json!([
            { "minQuantity": 12, "price": first },
            { "minQuantity": 24, "price": second },
        ])
    );
    let page = browser.page(&format!("{path}?saved=variant")).await;
    assert!(page.contains("From 12 units:"), "{page}");
    assert!(
        page.contains("name=\"tierPrices.2.minQuantity\""),
        "a spare row"
    );

    // Emptied rows take the breaks off again.
    let cleared = browser
        .post(
            &action,
            &[
                ("csrf", &csrf),
                ("price", &price_text),
                ("mrp", &mrp_text),
                ("minOrderQuantity", "1"),
            ],
        )
        .await;
    assert_eq!(cleared.status(), 303);
    let body = server
        .graphql_as(Some(&admin), variant_query, json!({ "id": id }))
        .await;
    assert_eq!(
        body["data"]["product"]["variants"][0]["tierPrices"],
        json!([])
    );
    Ok(())
}

const CHUCHOT: &str = "chuchot-women-weavers-demo";

async fn gi_authorisations_and_claims_in_the_console(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = flows::admin_token(&server).await;
    let coop = flows::cooperative_id(&server, &admin, CHUCHOT).await;
    let email = staff_account(&server, &admin, &coop, "MANAGER").await;
    let manager = flows::login(&server, &email).await;
    let apricot = flows::gi_tag_id(&server, "raktsey-karpo-apricot").await;

    // Dried apricots with one batch from Kargil, inside the GI's area.
    let created = server
        .graphql_as(
            Some(&manager),
            "mutation($input: ProductCreateInput!) { productCreate(input: $input) { product { id variants { id } } errors { field message } } }",
            json!({ "input": {
                "cooperativeId": coop, "categorySlug": "apricot-dried", "title": "Chuchot Dried Apricots",
                "attributes": { "variety": "Halman", "grade": "A", "form": "whole", "net_weight_g": 500 },
                "variants": [{ "sku": "CDA-500", "title": "500 g", "price": 45000, "mrp": 50000, "weightGrams": 550 }]
            } }),
        )
        .await;
    let product = created["data"]["productCreate"]["product"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_owned();
    let variant = created["data"]["productCreate"]["product"]["variants"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let batch = server
        .graphql_as(
            Some(&manager),
            "mutation($input: BatchCreateInput!) { batchCreate(input: $input) { batch { id } errors { field message } } }",
            json!({ "input": { "variantId": variant, "code": "CDA-25-0001", "originVillage": "Garkhon",
                    "originDistrict": "Kargil", "producedOn": "2025-08-01", "quantity": 10 } }),
        )
        .await;
    assert!(
        batch["data"]["batchCreate"]["batch"]["id"].is_string(),
        "{batch}"
    );

    let mut browser = signed_in(&server, &email).await;
    let product_path = format!("/console/products/{product}");
    // No registration for the apricot GI yet: it is not offered.
    let page = browser.page(&product_path).await;
    assert!(page.contains("This product claims no GI."), "{page}");
    assert!(
        !page.contains(&format!("<option value=\"{apricot}\"")),
        "{page}"
    );

    let gi = browser.page("/console/gi").await;
    assert!(gi.contains("<h1>Geographical Indications</h1>"), "{gi}");
    assert!(gi.contains("<label for=\"f-auNumber\">Authorised-user number"));
    assert!(gi.contains(&format!("<option value=\"{apricot}\">")));
    assert!(gzipped(&gi) < 40_000);
    let csrf = browser.csrf();
    let registration = |au: &'static str, from: &'static str, until: &'static str| {
        [
            ("giTagId", apricot.clone()),
            ("auNumber", au.to_owned()),
            ("validFrom", from.to_owned()),
            ("validUntil", until.to_owned()),
            ("csrf", csrf.clone()),
        ]
    };
    // A registration outliving the GI's own: the API's error beside the date, all kept.
    let outliving = registration("AU/RKA/CHU/1", "2023-01-01", "2040-01-01");
    let refs: Vec<(&str, &str)> = outliving.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = browser.post("/console/gi", &refs).await;
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await?;
    assert!(
        refused.contains("<p class=\"error\" id=\"e-validUntil\">"),
        "{refused}"
    );
    assert!(refused.contains("value=\"AU/RKA/CHU/1\""));
    assert!(refused.contains(&format!("<option value=\"{apricot}\" selected>")));
    // Not a date: said by the form.
    let garbled = registration("AU/RKA/CHU/1", "first of May", "2032-12-13");
    let refs: Vec<(&str, &str)> = garbled.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let garbled = browser.post("/console/gi", &refs).await;
    assert_eq!(garbled.status(), 422);
    assert!(
        garbled.text().await?.contains(
            "<p class=\"error\" id=\"e-validFrom\">Enter a date, such as 2026-12-31.</p>"
        )
    );

    // A registration ending in 30 days: announced. (The API records no registration
    // that has already lapsed; the lapse warning's wording is a unit test of the GI
    // page.)
    let soon = (chrono::Utc::now().date_naive() + chrono::Days::new(30)).to_string();
    let fields = vec![
        ("giTagId", apricot.as_str()),
        ("auNumber", "AU/RKA/CHU/1"),
        ("validFrom", "2023-01-01"),
        ("validUntil", soon.as_str()),
        ("csrf", csrf.as_str()),
    ];
    let recorded = browser.post("/console/gi", &fields).await;
    assert_eq!(recorded.status(), 303);
    assert_eq!(location(&recorded), "/console/gi?saved=1");
    let gi = browser.page("/console/gi?saved=1").await;
    assert!(gi.contains("Recorded. It counts once an admin has verified it."));
    assert!(gi.contains("Waiting for verification"), "{gi}");
    assert!(gi.contains("Ends in 30 days."), "{gi}");

    // An admin verifies the current one: the product may now claim the GI.
    let authorisations = server
        .graphql_as(
            Some(&admin),
            "query($c: ID!) { cooperative(id: $c) { giAuthorisations { id auNumber } } }",
            json!({ "c": coop }),
        )
        .await;
    let current = authorisations["data"]["cooperative"]["giAuthorisations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["auNumber"] == "AU/RKA/CHU/1")
        .unwrap()["id"]
        .clone();
    let verified = server
        .graphql_as(
            Some(&admin),
            "mutation($input: GiAuthorisedUserVerifyInput!) { giAuthorisedUserVerify(input: $input) { errors { message } } }",
            json!({ "input": { "id": current, "approve": true } }),
        )
        .await;
    assert_eq!(
        verified["data"]["giAuthorisedUserVerify"]["errors"],
        json!([]),
        "{verified}"
    );
    let gi = browser.page("/console/gi").await;
    assert!(gi.contains("Valid today"), "{gi}");

    let page = browser.page(&product_path).await;
    assert!(
        page.contains("<label for=\"f-giTagId\">GI to claim"),
        "{page}"
    );
    assert!(
        page.contains(&format!("<option value=\"{apricot}\">Raktsey Karpo")),
        "{page}"
    );
    let claimed = browser
        .post(
            &format!("{product_path}/gi"),
            &[("csrf", csrf.as_str()), ("giTagId", apricot.as_str())],
        )
        .await;
    assert_eq!(claimed.status(), 303, "{}", claimed.text().await?);
    let page = browser.page(&format!("{product_path}?saved=gi")).await;
    assert!(page.contains("The GI is claimed."), "{page}");
    assert!(page.contains(&format!("data-claim=\"{apricot}\"")));
    assert!(page.contains("Valid today"));
    assert!(page.contains("AU/RKA/CHU/1"));
    assert!(
        page.contains("Ends in 30 days."),
        "the claim's authorisation ends soon"
    );
    // Claimed twice: said beside the choice, not a failed page.
    let twice = browser
        .post(
            &format!("{product_path}/gi"),
            &[("csrf", csrf.as_str()), ("giTagId", apricot.as_str())],
        )
        .await;
    assert_eq!(twice.status(), 422);
    assert!(
        twice
            .text()
            .await?
            .contains("The product claims this GI already.")
    );

    // Withdrawn again.
    let withdrawn = browser
        .post(
            &format!("{product_path}/gi/withdraw"),
            &[("csrf", csrf.as_str()), ("giTagId", apricot.as_str())],
        )
        .await;
    assert_eq!(withdrawn.status(), 303);
    let page = browser
        .page(&format!("{product_path}?saved=gi-withdrawn"))
        .await;
    assert!(page.contains("This product claims no GI."), "{page}");
    Ok(())
}

/// The part of a product page about one channel.
fn channel_panel(page: &str, channel: &str) -> String {
    page.split(&format!("data-channel=\"{channel}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no {channel} panel in {page}"))
        .split("</section>")
        .next()
        .unwrap()
        .to_owned()
}

async fn channel_listings_on_the_product_page(backend: Backend) -> anyhow::Result<()> {
    let gem = ChannelSim::start("GEM").await?;
    let ncui = ChannelSim::start("NCUI_HAAT").await?;
    let server = TestServer::spawn(
        backend,
        crate::channels::push_options(&gem, &ncui).env("CHANNEL_MAX_ATTEMPTS", "3"),
    )
    .await?;
    let admin = flows::admin_token(&server).await;
    let sham = flows::cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let email = staff_account(&server, &admin, &sham, "MANAGER").await;
    let manager = flows::login(&server, &email).await;
    let apricots = flows::product_id(&server, None, "raktsey-karpo-dried-apricots-500g").await;
    let procurement = |value: Value| json!({ "i": { "id": apricots, "procurement": value } });
    let cleared = server
        .graphql_as(
            Some(&manager),
            "mutation($i: ProductUpdateInput!) { productUpdate(input: $i) { errors { message } } }",
            procurement(json!({})),
        )
        .await;
    assert_eq!(
        cleared["data"]["productUpdate"]["errors"],
        json!([]),
        "{cleared}"
    );
    gem.always_fail(&apricots, true);
    ncui.reject(&apricots);

    let mut browser = signed_in(&server, &email).await;
    let path = format!("/console/products/{apricots}");
    let page = browser.page(&path).await;
    let gem_panel = channel_panel(&page, "GEM");
    assert!(
        gem_panel.contains("data-state=\"NOT_LISTED\">Not listed"),
        "{gem_panel}"
    );
    assert!(gem_panel.contains("List on GeM"));
    assert!(page.contains("<label for=\"f-procurement-localContentPercent\">Local content (%)"));
    assert!(gzipped(&page) < 40_000, "{}", gzipped(&page));
    let csrf = browser.csrf();
    let action = format!("{path}/channels");

    // GeM's checks name the product's fields: each error beside its field.
    let refused = browser
        .post(
            &action,
            &[("csrf", &csrf), ("channel", "GEM"), ("action", "list")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await?;
    assert!(
        refused.contains(
            "<p class=\"error\" id=\"e-procurement-localContentPercent\">GeM needs the Make in India local-content percentage</p>"
        ),
        "{refused}"
    );
    assert!(refused.contains("<p class=\"error\" id=\"e-procurement-deliveryLeadTimeDays\">"));
    assert!(refused.contains("aria-describedby=\"e-procurement-localContentPercent\""));

    let filled = server
        .graphql_as(
            Some(&manager),
            "mutation($i: ProductUpdateInput!) { productUpdate(input: $i) { errors { message } } }",
            procurement(json!({ "localContentPercent": 100, "deliveryLeadTimeDays": 7 })),
        )
        .await;
    assert_eq!(
        filled["data"]["productUpdate"]["errors"],
        json!([]),
        "{filled}"
    );
    let page = browser.page(&path).await;
    assert!(
        page.contains("name=\"procurement.localContentPercent\" type=\"number\" value=\"100\""),
        "{page}"
    );
    for channel in ["GEM", "NCUI_HAAT"] {
        let listed = browser
            .post(
                &action,
                &[("csrf", &csrf), ("channel", channel), ("action", "list")],
            )
            .await;
        assert_eq!(listed.status(), 303, "{}", listed.text().await?);
        assert_eq!(location(&listed), format!("{path}?saved=listed#channels"));
    }
    // GeM fails until the pushes are given up; NCUI Haat refuses the product.
    server.drain_all().await;
    let listings = server
        .graphql_as(
            Some(&manager),
            "query($p: ID!) { channelListings(filter: { productId: $p }) { nodes { channel state rejectionReasons deadLettered } } }",
            json!({ "p": apricots }),
        )
        .await;
    let nodes = listings["data"]["channelListings"]["nodes"]
        .as_array()
        .unwrap();
    let ncui_listing = nodes.iter().find(|l| l["channel"] == "NCUI_HAAT").unwrap();
    assert_eq!(ncui_listing["state"], "REJECTED", "{listings}");
    let reason = ncui_listing["rejectionReasons"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let gem_listing = nodes.iter().find(|l| l["channel"] == "GEM").unwrap();
    assert_eq!(gem_listing["deadLettered"], 1, "{listings}");

    let page = browser.page(&format!("{path}?saved=listed")).await;
    assert!(page.contains("Sent to the channel."));
    let ncui_panel = channel_panel(&page, "NCUI_HAAT");
    assert!(
        ncui_panel.contains("data-state=\"REJECTED\">Refused"),
        "{ncui_panel}"
    );
    assert!(
        ncui_panel.contains(&format!("<li>{reason}</li>")),
        "{ncui_panel}"
    );
    assert!(ncui_panel.contains("Try again"));
    let gem_panel = channel_panel(&page, "GEM");
    assert!(
        gem_panel.contains("One change could not be sent."),
        "{gem_panel}"
    );
    assert!(gem_panel.contains("Last failure: "), "{gem_panel}");
    assert!(gem_panel.contains("Take off GeM"));

    // The channel recovers; the cooperative asks again.
    gem.always_fail(&apricots, false);
    let retried = browser
        .post(
            &action,
            &[("csrf", &csrf), ("channel", "GEM"), ("action", "retry")],
        )
        .await;
    assert_eq!(retried.status(), 303);
    server.drain_all().await;
    let page = browser.page(&format!("{path}?saved=retried")).await;
    assert!(page.contains("Sent to the channel again."));
    let gem_panel = channel_panel(&page, "GEM");
    assert!(
        gem_panel.contains("data-state=\"LISTED\">Listed"),
        "{gem_panel}"
    );
    assert!(!gem_panel.contains("Try again"), "{gem_panel}");

    // Taken off GeM.
    let delisted = browser
        .post(
            &action,
            &[("csrf", &csrf), ("channel", "GEM"), ("action", "delist")],
        )
        .await;
    assert_eq!(delisted.status(), 303);
    let page = browser.page(&format!("{path}?saved=delisted")).await;
    assert!(page.contains("Taken off the channel."));
    assert!(channel_panel(&page, "GEM").contains("List on GeM"));
    // No such channel, and no listing to retry: not found.
    let unknown = browser
        .post(
            &action,
            &[("csrf", &csrf), ("channel", "AMAZON"), ("action", "list")],
        )
        .await;
    assert_eq!(unknown.status(), 404);
    gem.stop().await;
    ncui.stop().await;
    Ok(())
}

/// An attribute's value in a page, its character references decoded.
fn hidden_value(page: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let at = page
        .find(&needle)
        .unwrap_or_else(|| panic!("no {name} in {page}"))
        + needle.len();
    let raw = &page[at..at + page[at..].find('"').unwrap()];
    let mut text = String::new();
    let mut rest = raw;
    while let Some(start) = rest.find("&#") {
        text.push_str(&rest[..start]);
        let end = rest[start..].find(';').unwrap() + start;
        let code = &rest[start + 2..end];
        let value = match code.strip_prefix('x') {
            Some(hex) => u32::from_str_radix(hex, 16).unwrap(),
            None => code.parse().unwrap(),
        };
        text.push(char::from_u32(value).unwrap());
        rest = &rest[end + 1..];
    }
    text.push_str(rest);
    text
}

async fn bulk_import_checks_a_sheet_then_applies_it(backend: Backend) -> anyhow::Result<()> {
    use crate::import::{csv, row};
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = flows::admin_token(&server).await;
    let sham = flows::cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let email = staff_account(&server, &admin, &sham, "MANAGER").await;
    let mut browser = signed_in(&server, &email).await;

    let page = browser.page("/console/import").await;
    assert!(
        page.contains("<a href=\"/catalog/import-template.csv\" download>"),
        "{page}"
    );
    assert!(page.contains("<label for=\"f-import-file\">Sheet"));
    assert!(page.contains("<label for=\"f-mode\">Products already here"));
    assert!(gzipped(&page) < 40_000);
    let template = browser.get("/catalog/import-template.csv").await;
    assert_eq!(template.status(), 200);
    assert!(template.text().await?.starts_with("product_slug,"));
    let csrf = browser.csrf();

    // A sheet with a bad price in its second product row (row 3 of the sheet).
    let good = row(
        "console-imported-a",
        "CIA-1KG",
        "apricot-dried",
        "1150.00",
        "1250.00",
        "Halman",
    );
    let bad = csv(&[
        good.clone(),
        row(
            "console-imported-b",
            "CIB-1KG",
            "apricot-dried",
            "abc",
            "1250.00",
            "Halman",
        ),
    ]);
    let checked = browser
        .post_multipart(
            "/console/import",
            &[
                Text("csrf", &csrf),
                Text("action", "check"),
                Text("mode", "CREATE_ONLY"),
                File("file", "products.csv", "text/csv", bad.as_bytes()),
            ],
        )
        .await;
    assert_eq!(checked.status(), 422);
    let checked = checked.text().await?;
    assert!(
        checked.contains("<tr><td class=\"n\">3</td><td><code>price_inr</code></td>"),
        "{checked}"
    );
    assert!(
        !checked.contains("<td class=\"n\">2</td>"),
        "the good row has no problem"
    );
    assert!(checked.contains("Nothing was stored."));
    assert!(
        !checked.contains("value=\"apply\""),
        "no import of a sheet with problems"
    );
    assert!(checked.contains("<option value=\"CREATE_ONLY\" selected>"));

    // No file chosen.
    let empty = browser
        .post_multipart(
            "/console/import",
            &[
                Text("csrf", &csrf),
                Text("action", "check"),
                File("file", "", "application/octet-stream", b""),
            ],
        )
        .await;
    assert_eq!(empty.status(), 422);
    assert!(
        empty
            .text()
            .await?
            .contains("<p class=\"error\" id=\"e-import-file\">Choose a sheet to check.</p>")
    );

    // A good sheet: checked, then imported without choosing it again.
    let sheet = csv(&[
        good,
        row(
            "console-imported-b",
            "CIB-1KG",
            "apricot-dried",
            "1100.00",
            "1250.00",
            "Safaida",
        ),
    ]);
    let clean = browser
        .post_multipart(
            "/console/import",
            &[
                Text("csrf", &csrf),
                Text("action", "check"),
                Text("mode", "CREATE_ONLY"),
                File("file", "products.csv", "text/csv", sheet.as_bytes()),
            ],
        )
        .await;
    assert_eq!(clean.status(), 200);
    let clean = clean.text().await?;
    assert!(clean.contains("No problems found."), "{clean}");
    assert!(clean.contains("2 new products"));
    let missing = server
        .graphql(
            "{ product(slug: \"console-imported-a\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(
        missing["data"]["product"],
        Value::Null,
        "a check stores nothing"
    );
    let content = hidden_value(&clean, "content");
    let format = hidden_value(&clean, "format");
    assert_eq!(format, "CSV");
    let applied = browser
        .post_multipart(
            "/console/import",
            &[
                Text("csrf", &csrf),
                Text("action", "apply"),
                Text("format", &format),
                Text("mode", "CREATE_ONLY"),
                Text("content", &content),
            ],
        )
        .await;
    assert_eq!(applied.status(), 303, "{}", applied.text().await?);
    assert_eq!(
        location(&applied),
        "/console/import/done?products=2&variants=2&updated=0"
    );
    let done = browser.page(&location(&applied)).await;
    assert!(done.contains("The sheet was imported."));
    assert!(done.contains("2 new products"));
    for slug in ["console-imported-a", "console-imported-b"] {
        let product = server
            .graphql(
                "query($s: String) { product(slug: $s) { status cooperative { id } } }",
                json!({ "s": slug }),
            )
            .await;
        assert_eq!(product["data"]["product"]["status"], "ACTIVE", "{product}");
        assert_eq!(
            product["data"]["product"]["cooperative"]["id"],
            sham.as_str()
        );
    }
    // Without the CSRF token nothing is checked.
    let forged = browser
        .post_multipart(
            "/console/import",
            &[
                Text("action", "check"),
                File("file", "products.csv", "text/csv", sheet.as_bytes()),
            ],
        )
        .await;
    assert_eq!(forged.status(), 403);
    Ok(())
}

both_backends!(
    a_manager_adds_a_camera_photo_to_a_product,
    tier_prices_on_the_variant_form,
    gi_authorisations_and_claims_in_the_console,
    channel_listings_on_the_product_page,
    bulk_import_checks_a_sheet_then_applies_it,
);
