//! Batches in the console over plain HTTP: a manager records a batch with a lab
//! report (a bad date of issue shown beside its own row, what was typed kept), adds a
//! provenance step, corrects the quantity and voids another batch after confirming it;
//! the storefront's verify page shows the certificate, the step and the void. Another
//! cooperative's batch does not exist for its staff.

use crate::{
    both_backends,
    console::{signed_in, staff_account, with_csrf},
    storefront::{Browser, location},
    support::{Backend, ServerOptions, TestServer, flows},
};

const APRICOTS: &str = "raktsey-karpo-dried-apricots-500g";

/// The first pack offered on the stock page's new-batch form.
fn first_variant(stock: &str) -> String {
    stock
        .split("<select id=\"f-batch-variantId\" name=\"variantId\" required>")
        .nth(1)
        .and_then(|rest| rest.split("<option value=\"").nth(2))
        .and_then(|option| option.split('"').next())
        .expect("a variant to choose")
        .to_owned()
}

/// The text of the element with `id`, up to its first tag.
fn text_of<'p>(page: &'p str, id: &str) -> &'p str {
    page.split(&format!("id=\"{id}\""))
        .nth(1)
        .and_then(|rest| rest.split('>').nth(1))
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("no #{id} in {page}"))
}

async fn a_manager_records_corrects_and_voids_batches(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = flows::admin_token(&server).await;
    let sham = flows::cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let email = staff_account(&server, &admin, &sham, "MANAGER").await;
    let mut browser = signed_in(&server, &email).await;
    let product = flows::product_id(&server, None, APRICOTS).await;
    let stock_path = format!("/console/products/{product}/stock");
    let stock = browser.page(&stock_path).await;
    let variant = first_variant(&stock);
    // Two empty certificate rows are offered.
    assert!(stock.contains("id=\"f-batch-certificates-1-documentUrl\""));
    assert!(!stock.contains("id=\"f-batch-certificates-2-kind\""));
    let csrf = browser.csrf();

    // Another row is one press away, without JavaScript; nothing is recorded by it.
    let more = browser
        .post(
            &stock_path,
            &with_csrf(
                &csrf,
                &[("form", "batch"), ("more", "1"), ("code", "SHAM-CRT-2026")],
            ),
        )
        .await;
    assert_eq!(more.status(), 200);
    let more = more.text().await?;
    assert!(
        more.contains("id=\"f-batch-certificates-2-kind\""),
        "{more}"
    );
    assert!(more.contains("value=\"SHAM-CRT-2026\""));

    // The lab report typed in the second row, the first left empty, with a date of
    // issue still to come: the API's refusal is shown beside that row's date.
    let mut batch = vec![
        ("form", "batch"),
        ("variantId", variant.as_str()),
        ("code", "SHAM-CRT-2026"),
        ("originVillage", "Domkhar"),
        ("originDistrict", "Sham"),
        ("producedOn", "2026-08-20"),
        ("quantity", "40"),
        ("rows", "2"),
        ("certificates.1.kind", "LAB_REPORT"),
        ("certificates.1.issuer", "Demo Food Lab Leh"),
        ("certificates.1.number", "DFL/26/0912"),
        ("certificates.1.issuedOn", "2099-01-01"),
        (
            "certificates.1.documentUrl",
            "https://docs.example.org/dfl-26-0912.pdf",
        ),
    ];
    let refused = browser.post(&stock_path, &with_csrf(&csrf, &batch)).await;
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await?;
    assert!(
        text_of(&refused, "e-batch-certificates-1-issuedOn")
            .contains("cannot be issued in the future"),
        "{refused}"
    );
    assert!(!refused.contains("id=\"e-batch-certificates-0-issuedOn\""));
    assert!(refused.contains("value=\"Demo Food Lab Leh\""));
    assert!(refused.contains("value=\"DFL/26/0912\""));
    assert!(refused.contains("value=\"2099-01-01\""));
    assert!(refused.contains("<option value=\"LAB_REPORT\" selected>"));
    // A date that is not a date is said before the API is asked.
    for (key, value) in &mut batch {
        if *key == "certificates.1.issuedOn" {
            *value = "1 Sept";
        }
    }
    let refused = browser.post(&stock_path, &with_csrf(&csrf, &batch)).await;
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await?;
    assert!(
        text_of(&refused, "e-batch-certificates-1-issuedOn").contains("Enter a date"),
        "{refused}"
    );

    for (key, value) in &mut batch {
        if *key == "certificates.1.issuedOn" {
            *value = "2026-09-02";
        }
    }
    let created = browser.post(&stock_path, &with_csrf(&csrf, &batch)).await;
    assert_eq!(created.status(), 303);
    let stock = browser.page(&location(&created)).await;
    assert!(
        stock.contains("href=\"/console/batches/SHAM-CRT-2026\""),
        "{stock}"
    );

    let page_path = "/console/batches/SHAM-CRT-2026";
    let page = browser.page(page_path).await;
    assert!(
        page.contains("<strong>Lab report</strong> · Demo Food Lab Leh · DFL/26/0912 · 2 Sep 2026"),
        "{page}"
    );
    assert!(page.contains("No steps recorded yet."));

    // A step of the batch's life.
    let event = browser
        .post(
            page_path,
            &with_csrf(
                &csrf,
                &[
                    ("form", "event"),
                    ("kind", "PACKED"),
                    ("occurredAt", "2026-09-05"),
                    ("location", "Kargil packing unit"),
                    ("notes", "Packed in 500 g pouches"),
                ],
            ),
        )
        .await;
    assert_eq!(event.status(), 303);
    assert_eq!(
        location(&event),
        "/console/batches/SHAM-CRT-2026?saved=event"
    );
    let page = browser.page(&location(&event)).await;
    assert!(
        page.contains(
            "<strong>Packed</strong> · 5 Sep 2026 · Kargil packing unit · Packed in 500 g pouches"
        ),
        "{page}"
    );

    // A correction needs its reason, said beside it, the quantity typed kept.
    let correction = |reason: &'static str| {
        vec![
            ("form", "correct"),
            ("originVillage", "Domkhar"),
            ("originDistrict", "Sham"),
            ("producedOn", "2026-08-20"),
            ("quantity", "35"),
            ("reason", reason),
        ]
    };
    let refused = browser
        .post(page_path, &with_csrf(&csrf, &correction("")))
        .await;
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await?;
    assert!(
        text_of(&refused, "e-correct-reason").contains("say why"),
        "{refused}"
    );
    assert!(
        refused
            .contains("id=\"f-correct-quantity\" name=\"quantity\" type=\"number\" value=\"35\"")
    );
    let corrected = browser
        .post(
            page_path,
            &with_csrf(&csrf, &correction("Five bags were counted twice")),
        )
        .await;
    assert_eq!(corrected.status(), 303);
    let page = browser.page(&location(&corrected)).await;
    assert_eq!(text_of(&page, "batch-quantity"), "35 units");
    assert!(page.contains("The batch was corrected."));
    assert!(page.contains("<strong>Record corrected</strong>"));

    // The storefront's verify page shows the certificate, the step and the correction.
    let mut buyer = Browser::new(&server);
    let verify = buyer.page("/verify/SHAM-CRT-2026").await;
    assert!(
        verify.contains("<strong>Lab report</strong> · Demo Food Lab Leh · DFL/26/0912"),
        "{verify}"
    );
    assert!(verify.contains("<span class=\"url\">https://docs.example.org/dfl-26-0912.pdf</span>"));
    assert!(verify.contains("Kargil packing unit"));
    assert!(verify.contains("Five bags were counted twice"));

    // Another batch, recorded and then voided after a confirmation.
    let second = vec![
        ("form", "batch"),
        ("variantId", variant.as_str()),
        ("code", "SHAM-VOID-2026"),
        ("originVillage", "Domkhar"),
        ("originDistrict", "Sham"),
        ("producedOn", "2026-08-21"),
        ("quantity", "10"),
    ];
    let created = browser.post(&stock_path, &with_csrf(&csrf, &second)).await;
    assert_eq!(created.status(), 303);
    let void_path = "/console/batches/SHAM-VOID-2026";
    let confirm = browser
        .post(
            void_path,
            &with_csrf(
                &csrf,
                &[("form", "void"), ("reason", "Mould found in storage")],
            ),
        )
        .await;
    assert_eq!(confirm.status(), 200);
    let confirm = confirm.text().await?;
    assert!(confirm.contains("Yes, void the batch"), "{confirm}");
    assert!(confirm.contains("name=\"reason\" value=\"Mould found in storage\""));
    // Not voided until confirmed.
    assert!(
        !browser
            .page(void_path)
            .await
            .contains("id=\"record-status\"")
    );
    let voided = browser
        .post(
            void_path,
            &with_csrf(
                &csrf,
                &[
                    ("form", "void-confirm"),
                    ("reason", "Mould found in storage"),
                ],
            ),
        )
        .await;
    assert_eq!(voided.status(), 303);
    let page = browser.page(&location(&voided)).await;
    assert!(
        text_of(&page, "record-status").contains("This batch was voided on"),
        "{page}"
    );
    assert!(page.contains("Mould found in storage"));
    assert!(
        !page.contains("name=\"form\" value=\"event\""),
        "no more steps"
    );
    let verify = buyer.page("/verify/SHAM-VOID-2026").await;
    assert!(verify.contains("This batch was voided on"), "{verify}");

    // Another cooperative's staff: the batch does not exist for them.
    let nubra = flows::cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let other = staff_account(&server, &admin, &nubra, "MANAGER").await;
    let mut other = signed_in(&server, &other).await;
    assert_eq!(other.get(page_path).await.status(), 404);
    other.page("/console").await;
    let other_csrf = other.csrf();
    let refused = other
        .post(
            page_path,
            &with_csrf(
                &other_csrf,
                &[("form", "void-confirm"), ("reason", "Not ours to void")],
            ),
        )
        .await;
    assert_eq!(refused.status(), 404);
    assert!(!browser.page(page_path).await.contains("was voided"));
    Ok(())
}

both_backends!(a_manager_records_corrects_and_voids_batches);
