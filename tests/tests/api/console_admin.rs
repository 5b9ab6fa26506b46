//! The admin's corrections in the console over plain HTTP, as a browser with
//! JavaScript off uses them: the GI register's facts (a lapsed registration stops
//! counting on the storefront and in the API) and a category's HSN code, GST rate and
//! attribute schema (a new required choice appears on the product form and blocks
//! activation). Cooperative staff are refused both (403).

use serde_json::{Value, json};

use crate::{
    both_backends,
    console::{admin_account, signed_in, staff_account, with_csrf},
    storefront::{Browser, location},
    support::{Backend, ServerOptions, TestServer, flows},
};

const GI: &str = "raktsey-karpo-apricot";
const APRICOTS: &str = "/products/raktsey-karpo-dried-apricots-500g";
const VERIFY: &str = "/verify/LDK-RKA-25-0001";

/// The part of a page between `start` and the next `</section>` or `</fieldset>`.
fn section<'p>(page: &'p str, start: &str) -> &'p str {
    let from = page
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {page}"));
    let rest = &page[from..];
    let end = ["</section>", "</fieldset>"]
        .iter()
        .filter_map(|end| rest.find(end))
        .min()
        .unwrap_or(rest.len());
    &rest[..end]
}

async fn a_manager(server: &TestServer, admin: &str, cooperative: &str) -> String {
    let id = flows::cooperative_id(server, admin, cooperative).await;
    staff_account(server, admin, &id, "MANAGER").await
}

async fn an_admin_corrects_a_gi_registers_validity(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin_token = flows::admin_token(&server).await;

    // Before: the seeded dried apricots carry the GI, valid today.
    let mut shop = Browser::new(&server);
    let product = shop.page(APRICOTS).await;
    assert!(
        product.contains("<p class=\"gi\">GI: Raktsey Karpo Apricot</p>"),
        "{product}"
    );
    let verify = shop.page(VERIFY).await;
    assert!(
        verify.contains(
            "Raktsey Karpo Apricot: the cooperative is an authorised user and the claim is valid today."
        ),
        "{verify}"
    );

    let email = admin_account(&server).await;
    let mut admin = signed_in(&server, &email).await;
    let csrf = admin.csrf();
    let page = admin.page("/console/registers/gi-tags").await;
    let panel = section(&page, &format!("id=\"g-{GI}\""));
    assert!(panel.contains("data-in-force=\"true\""), "{panel}");
    assert!(
        panel.contains("<dt>Registration date</dt><dd>14 Dec 2022</dd>"),
        "{panel}"
    );
    assert!(panel.contains("<dt>Valid until</dt><dd>13 Dec 2032</dd>"));
    assert!(panel.contains("<dt>Application number</dt><dd>Not known yet</dd>"));
    assert!(panel.contains("Some facts still await confirmation from the GI register"));
    assert!(!panel.contains("lapsed"));
    let id = flows::gi_tag_id(&server, GI).await;
    let action = format!("/console/registers/gi-tags/{id}");
    assert!(panel.contains(&format!("action=\"{action}\"")), "{panel}");
    assert!(panel.contains(&format!(
        "id=\"f-g-{GI}-expiryDate\" name=\"expiryDate\" type=\"date\" value=\"2032-12-13\""
    )));

    // A date that is not one is said beside its field; what was typed is kept.
    let bad = admin
        .post(
            &action,
            &with_csrf(
                &csrf,
                &[
                    ("applicationNumber", "GI-APP-736"),
                    ("registrationDate", "2022-12-14"),
                    ("expiryDate", "2026-13-40"),
                ],
            ),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let bad = bad.text().await?;
    let panel = section(&bad, &format!("id=\"g-{GI}\""));
    assert!(
        panel.contains(&format!(
            "<p class=\"error\" id=\"e-g-{GI}-expiryDate\">Enter a date, such as 2026-12-31.</p>"
        )),
        "{panel}"
    );
    assert!(panel.contains("value=\"2026-13-40\""));
    assert!(panel.contains("value=\"GI-APP-736\""));
    assert!(panel.contains("<details open>"));

    // The API's refusal (an expiry before the registration) beside its field too.
    let before = admin
        .post(&action, &with_csrf(&csrf, &[("expiryDate", "2020-01-01")]))
        .await;
    assert_eq!(before.status(), 422);
    let before = before.text().await?;
    assert!(
        before.contains(&format!(
            "<p class=\"error\" id=\"e-g-{GI}-expiryDate\">expiry must come after registration</p>"
        )),
        "{before}"
    );

    // The registration lapsed yesterday.
    let yesterday = (chrono::Utc::now().date_naive() - chrono::Days::new(1)).to_string();
    let corrected = admin
        .post(
            &action,
            &with_csrf(
                &csrf,
                &[
                    ("applicationNumber", "GI-APP-736"),
                    ("classOfGoods", "31"),
                    ("expiryDate", &yesterday),
                ],
            ),
        )
        .await;
    assert_eq!(corrected.status(), 303);
    assert_eq!(
        location(&corrected),
        format!("/console/registers/gi-tags?done=gi-tag#g-{GI}")
    );
    let page = admin.page(&location(&corrected)).await;
    let panel = section(&page, &format!("id=\"g-{GI}\""));
    assert!(panel.contains("data-in-force=\"false\""), "{panel}");
    assert!(panel.contains("The registration lapsed on "), "{panel}");
    assert!(panel.contains("<dt>Application number</dt><dd>GI-APP-736</dd>"));
    assert!(panel.contains("<dt>Class of goods</dt><dd>31</dd>"));
    // A fact the form did not carry is left as it was.
    assert!(panel.contains("<dt>Registration date</dt><dd>14 Dec 2022</dd>"));

    // The API and the storefront no longer count the GI.
    let tags = server
        .graphql(
            "{ giTags { slug expiryDate inForce applicationNumber } }",
            json!({}),
        )
        .await;
    let tag = tags["data"]["giTags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == GI)
        .unwrap()
        .clone();
    assert_eq!(
        tag,
        json!({ "slug": GI, "expiryDate": yesterday, "inForce": false, "applicationNumber": "GI-APP-736" })
    );
    let claims = server
        .graphql_as(
            Some(&admin_token),
            "{ product(slug: \"raktsey-karpo-dried-apricots-500g\") { giClaims { validNow giTag { slug } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        claims["data"]["product"]["giClaims"],
        json!([{ "validNow": false, "giTag": { "slug": GI } }])
    );
    let product = shop.page(APRICOTS).await;
    assert!(!product.contains("<p class=\"gi\">"), "{product}");
    let verify = shop.page(VERIFY).await;
    assert!(
        verify.contains(
            "Raktsey Karpo Apricot: valid when this batch was made, but no longer valid today."
        ),
        "{verify}"
    );

    // Not for cooperative staff, to read or to post.
    let manager = a_manager(&server, &admin_token, "sham-apricot-growers-demo").await;
    let mut manager = signed_in(&server, &manager).await;
    let refused = manager.get("/console/registers/gi-tags").await;
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await?.contains("For admins only"));
    let csrf = manager.csrf();
    let posted = manager
        .post(&action, &with_csrf(&csrf, &[("expiryDate", "2040-01-01")]))
        .await;
    assert_eq!(posted.status(), 403);
    let after = server
        .graphql("{ giTags { slug inForce } }", json!({}))
        .await;
    assert!(
        after["data"]["giTags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["slug"] == GI && t["inForce"] == false)
    );
    Ok(())
}

const JUICE_CATEGORY: &str = "sea-buckthorn-juice";

/// The juice's stored schema as the API gives it.
async fn juice(server: &TestServer) -> Value {
    let body = server
        .graphql(
            "{ categories { slug name hsnCode gstRateBp isFood attributeSchema { key label kind required options } } }",
            json!({}),
        )
        .await;
    body["data"]["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == JUICE_CATEGORY)
        .unwrap()
        .clone()
}

/// The product fields of a complete sea buckthorn juice, but for `extra`.
fn juice_product(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut fields = vec![
        ("title", "Chuli Sea Buckthorn Juice"),
        ("description", "Sea buckthorn juice from Nubra."),
        ("attributes.form", "juice"),
        ("attributes.volume_ml", "250"),
        ("attributes.sugar_added", "false"),
        ("declarations.netQuantity", "250 ml"),
        ("declarations.manufacturerName", "Nubra Leh Berry Growers"),
        (
            "declarations.manufacturerAddress",
            "Diskit, Nubra, Leh, Ladakh 194401",
        ),
        ("declarations.countryOfOrigin", "India"),
        ("declarations.bestBeforeMonths", "12"),
        (
            "declarations.consumerCare.address",
            "Consumer Cell, Diskit, Nubra, Leh, Ladakh 194401",
        ),
        ("declarations.consumerCare.phone", "+91 94191 00001"),
        ("declarations.consumerCare.email", "care@nubra.example.org"),
    ];
    fields.extend_from_slice(extra);
    fields
}

async fn an_admin_edits_a_categorys_attribute_schema(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin_token = flows::admin_token(&server).await;
    let stored = juice(&server).await;
    let schema = stored["attributeSchema"].as_array().unwrap().clone();
    let n = schema.len();
    assert!(n > 0, "{stored}");

    // A manager's draft juice, made before the schema changes.
    let manager_email = a_manager(&server, &admin_token, "nubra-leh-berry-growers-demo").await;
    let mut manager = signed_in(&server, &manager_email).await;
    let manager_csrf = manager.csrf();
    let new = juice_product(&[
        ("category", JUICE_CATEGORY),
        ("variants.0.sku", "SBJ-CHULI-250"),
        ("variants.0.title", "250 ml bottle"),
        ("variants.0.price", "180"),
        ("variants.0.mrp", "200"),
        ("variants.0.weightGrams", "350"),
    ]);
    let created = manager
        .post("/console/products/new", &with_csrf(&manager_csrf, &new))
        .await;
    assert_eq!(created.status(), 303);
    let product_path = location(&created);
    let product_path = product_path.split('?').next().unwrap().to_owned();

    let email = admin_account(&server).await;
    let mut admin = signed_in(&server, &email).await;
    let csrf = admin.csrf();
    let list = admin.page("/console/registers/categories").await;
    let edit_path = format!("/console/registers/categories/{JUICE_CATEGORY}");
    assert!(
        list.contains(&format!("<a href=\"{edit_path}\">")),
        "{list}"
    );

    // The editor: the category's fields, a row per stored attribute and an empty one.
    let editor = admin.page(&edit_path).await;
    assert!(
        editor.contains(&format!("name=\"rows\" value=\"{}\"", n + 1)),
        "{editor}"
    );
    assert!(
        editor.contains("<option value=\"500\" selected>5%</option>"),
        "{editor}"
    );
    assert!(editor.contains("<option value=\"1800\">18%</option>"));
    let first_key = schema[0]["key"].as_str().unwrap();
    assert!(editor.contains(&format!(
        "name=\"attributeSchema.0.key\" type=\"text\" value=\"{first_key}\""
    )));
    let empty = section(&editor, &format!("data-attribute-row=\"{n}\""));
    assert!(
        empty.contains(&format!(
            "name=\"attributeSchema.{n}.key\" type=\"text\" value=\"\""
        )),
        "{empty}"
    );

    // The form as the admin fills it: the stored rows as they are, the empty row
    // left empty, a new required choice below it, and a scratch row ticked off.
    let mut owned: Vec<(String, String)> = vec![
        ("name".into(), stored["name"].as_str().unwrap().into()),
        ("gstRateBp".into(), stored["gstRateBp"].to_string()),
        ("isFood".into(), stored["isFood"].to_string()),
        ("rows".into(), (n + 3).to_string()),
    ];
    for (row, attribute) in schema.iter().enumerate() {
        let options: Vec<&str> = attribute["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_str().unwrap())
            .collect();
        for (part, value) in [
            ("key", attribute["key"].as_str().unwrap().to_owned()),
            ("label", attribute["label"].as_str().unwrap().to_owned()),
            ("kind", attribute["kind"].as_str().unwrap().to_owned()),
            ("required", attribute["required"].to_string()),
            ("options", options.join("\n")),
        ] {
            owned.push((format!("attributeSchema.{row}.{part}"), value));
        }
    }
    for part in ["key", "label", "kind", "options"] {
        owned.push((format!("attributeSchema.{n}.{part}"), String::new()));
    }
    owned.push((format!("attributeSchema.{n}.required"), "false".into()));
    let new_row = n + 1;
    let scratch = n + 2;
    owned.extend([
        (
            format!("attributeSchema.{new_row}.label"),
            "Processing".into(),
        ),
        (format!("attributeSchema.{new_row}.kind"), "ENUM".into()),
        (format!("attributeSchema.{new_row}.required"), "true".into()),
        (
            format!("attributeSchema.{new_row}.options"),
            "Cold pressed\nPasteurised".into(),
        ),
        (format!("attributeSchema.{scratch}.key"), "scratch".into()),
        (format!("attributeSchema.{scratch}.label"), "Scratch".into()),
        (format!("attributeSchema.{scratch}.kind"), "TEXT".into()),
        (format!("attributeSchema.{scratch}.remove"), "1".into()),
        ("csrf".into(), csrf.clone()),
    ]);
    let form = |hsn: &str, key: &str, action: &str| -> Vec<(String, String)> {
        let mut form = owned.clone();
        form.push(("hsnCode".into(), hsn.into()));
        form.push((format!("attributeSchema.{new_row}.key"), key.into()));
        form.push(("action".into(), action.into()));
        form
    };

    // An invalid HSN code and a key that is not lower_snake_case: the API's errors
    // beside the field and the row they name (the row typed, not the index sent).
    let sent = form("20AB", "Processing Method", "save");
    let pairs: Vec<(&str, &str)> = sent.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let refused = admin.post(&edit_path, &pairs).await;
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await?;
    assert!(
        refused
            .contains("<p class=\"error\" id=\"e-hsnCode\">HSN code must be 4, 6 or 8 digits</p>"),
        "{refused}"
    );
    let row = section(&refused, &format!("data-attribute-row=\"{new_row}\""));
    assert!(
        row.contains(&format!(
            "<p class=\"error\" id=\"e-attributeSchema-{new_row}-key\">attribute keys are lower_snake_case</p>"
        )),
        "{row}"
    );
    assert!(row.contains("value=\"Processing Method\""));
    assert!(
        row.contains("Cold pressed\nPasteurised</textarea>"),
        "{row}"
    );
    assert!(row.contains("<option value=\"ENUM\" selected>A choice</option>"));
    assert!(refused.contains("value=\"20AB\""));
    let ticked = section(&refused, &format!("data-attribute-row=\"{scratch}\""));
    assert!(ticked.contains("value=\"1\" checked>"), "{ticked}");
    assert_eq!(juice(&server).await, stored, "nothing stored");

    // Another row asked for: the typed rows kept, one more empty, nothing stored.
    let sent = form("20AB", "Processing Method", "add");
    let pairs: Vec<(&str, &str)> = sent.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let more = admin.post(&edit_path, &pairs).await;
    assert_eq!(more.status(), 200);
    let more = more.text().await?;
    assert!(more.contains(&format!("name=\"rows\" value=\"{}\"", n + 4)));
    assert!(more.contains(&format!(
        "name=\"attributeSchema.{}.key\" type=\"text\" value=\"\"",
        n + 3
    )));
    assert!(more.contains("value=\"Processing Method\""));

    let hsn = stored["hsnCode"].as_str().unwrap();
    let sent = form(hsn, "processing", "save");
    let pairs: Vec<(&str, &str)> = sent.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let saved = admin.post(&edit_path, &pairs).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(
        location(&saved),
        "/console/registers/categories?done=category"
    );
    let after = juice(&server).await;
    let keys: Vec<&str> = after["attributeSchema"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap())
        .collect();
    let mut expected: Vec<&str> = schema.iter().map(|a| a["key"].as_str().unwrap()).collect();
    expected.push("processing");
    assert_eq!(keys, expected, "the scratch row was ticked off");
    assert_eq!(
        after["attributeSchema"][n],
        json!({ "key": "processing", "label": "Processing", "kind": "ENUM", "required": true,
                "options": ["Cold pressed", "Pasteurised"] })
    );
    assert_eq!(
        after["attributeSchema"].as_array().unwrap()[..n],
        schema[..],
        "the stored attributes as they were"
    );

    // The product form asks for it as a required choice.
    let product_form = manager
        .page(&format!("/console/products/new?category={JUICE_CATEGORY}"))
        .await;
    assert!(
        product_form.contains(
            "<select id=\"f-attributes-processing\" name=\"attributes.processing\" required>"
        ),
        "{product_form}"
    );
    assert!(product_form.contains("<label for=\"f-attributes-processing\">Processing <abbr"));
    for option in ["Cold pressed", "Pasteurised"] {
        assert!(product_form.contains(&format!("<option value=\"{option}\">{option}</option>")));
    }

    // The draft made before cannot go live without it.
    let mut edit = juice_product(&[("action", "activate")]);
    let blocked = manager
        .post(&product_path, &with_csrf(&manager_csrf, &edit))
        .await;
    assert_eq!(blocked.status(), 422);
    let blocked = blocked.text().await?;
    assert!(
        blocked.contains("<p class=\"error\" id=\"e-attributes-processing\">"),
        "{blocked}"
    );
    edit.push(("attributes.processing", "Cold pressed"));
    let activated = manager
        .post(&product_path, &with_csrf(&manager_csrf, &edit))
        .await;
    assert_eq!(activated.status(), 303);
    assert_eq!(
        location(&activated),
        format!("{product_path}?saved=activated")
    );

    // Not for cooperative staff.
    let refused = manager.get(&edit_path).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(
        manager.get("/console/registers/categories").await.status(),
        403
    );
    let posted = manager
        .post(
            &edit_path,
            &with_csrf(&manager_csrf, &[("hsnCode", "2009")]),
        )
        .await;
    assert_eq!(posted.status(), 403);
    assert_eq!(juice(&server).await["hsnCode"], stored["hsnCode"]);
    Ok(())
}

both_backends!(
    an_admin_corrects_a_gi_registers_validity,
    an_admin_edits_a_categorys_attribute_schema,
);
