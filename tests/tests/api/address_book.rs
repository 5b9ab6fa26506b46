//! A signed-in buyer's address book: saved addresses checked like the checkout's
//! (the PIN belongs to the State), a default shipping and a default billing address,
//! a bound per user, and `placeOrder` / `checkoutQuote` taking a saved address by id
//! (the buyer's own only).

use serde_json::{Value, json};

use crate::{
    both_backends,
    checkout_quote::QUOTE,
    orders::{ORDER_FIELDS, add_to_cart, delhi, int, leh, variant},
    support::{
        Backend, ServerOptions, TestServer, error_code,
        flows::{buyer_token, error_fields, user_errors},
    },
};

const SAVED: &str = "id label isDefaultShipping isDefaultBilling address { name phone line1 city pinCode stateCode stateName }";

async fn create(server: &TestServer, token: Option<&str>, input: Value) -> Value {
    server
        .graphql_as(
            token,
            &format!("mutation($i: AddressCreateInput!) {{ addressCreate(input: $i) {{ errors {{ field code message }} savedAddress {{ {SAVED} }} }} }}"),
            json!({ "i": input }),
        )
        .await
}

async fn update(server: &TestServer, token: &str, input: Value) -> Value {
    server
        .graphql_as(
            Some(token),
            &format!("mutation($i: AddressUpdateInput!) {{ addressUpdate(input: $i) {{ errors {{ field code message }} savedAddress {{ {SAVED} }} }} }}"),
            json!({ "i": input }),
        )
        .await
}

async fn delete(server: &TestServer, token: &str, id: &Value) -> Value {
    server
        .graphql_as(
            Some(token),
            "mutation($i: AddressDeleteInput!) { addressDelete(input: $i) { deletedId errors { field code message } } }",
            json!({ "i": { "id": id } }),
        )
        .await
}

async fn book(server: &TestServer, token: Option<&str>) -> Value {
    server
        .graphql_as(
            token,
            &format!("{{ myAddresses {{ {SAVED} }} }}"),
            json!({}),
        )
        .await
}

/// The saved address of a successful `addressCreate`.
fn saved(body: &Value) -> Value {
    assert!(user_errors(body, "addressCreate").is_empty(), "{body}");
    body["data"]["addressCreate"]["savedAddress"].clone()
}

/// Which of the book's addresses (by line1) hold the defaults.
fn defaults(body: &Value) -> (Vec<String>, Vec<String>) {
    let list = body["data"]["myAddresses"]
        .as_array()
        .unwrap_or_else(|| panic!("no address book: {body}"));
    let holding = |flag: &str| {
        list.iter()
            .filter(|a| a[flag] == true)
            .map(|a| a["address"]["line1"].as_str().unwrap().to_owned())
            .collect()
    };
    (holding("isDefaultShipping"), holding("isDefaultBilling"))
}

async fn buyers_keep_their_own_address_books(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let dolma = buyer_token(&server, "dolma-book@example.org").await;
    let rao = buyer_token(&server, "rao-book@example.org").await;

    // The first address becomes both defaults; it is normalised as the checkout's is.
    let home = saved(
        &create(
            &server,
            Some(&dolma),
            json!({ "label": " Home ", "address": leh() }),
        )
        .await,
    );
    assert_eq!(home["label"], "Home");
    assert_eq!(home["address"]["phone"], "+919876543210");
    assert_eq!(home["address"]["stateName"], "Ladakh");
    assert_eq!(
        (&home["isDefaultShipping"], &home["isDefaultBilling"]),
        (&json!(true), &json!(true))
    );
    // A second one may take the shipping default; billing stays where it was.
    let office = saved(
        &create(
            &server,
            Some(&dolma),
            json!({ "label": "Office", "address": delhi(), "defaultShipping": true }),
        )
        .await,
    );
    assert_eq!(office["isDefaultShipping"], true);
    assert_eq!(office["isDefaultBilling"], false);
    let listed = book(&server, Some(&dolma)).await;
    assert_eq!(
        listed["data"]["myAddresses"].as_array().map(Vec::len),
        Some(2),
        "{listed}"
    );
    assert_eq!(
        defaults(&listed),
        (
            vec!["12 Janpath".to_owned()],
            vec!["Main Bazaar".to_owned()]
        )
    );

    // Validated exactly like the checkout's address: a Delhi PIN is not in Ladakh, and
    // every problem is named by its input path.
    let refused = create(
        &server,
        Some(&dolma),
        json!({ "label": "x".repeat(51), "address": { "name": "", "phone": "12", "line1": "Main Bazaar", "city": "Leh", "pinCode": "110001", "stateCode": "38" } }),
    )
    .await;
    assert_eq!(
        error_fields(&refused, "addressCreate"),
        [
            "input.label",
            "input.address.name",
            "input.address.phone",
            "input.address.pinCode"
        ],
        "{refused}"
    );
    assert!(refused["data"]["addressCreate"]["savedAddress"].is_null());
    let moved = update(&server, &dolma, json!({ "id": office["id"], "address": { "name": "Anjali Rao", "phone": "9811122334", "line1": "12 Janpath", "city": "New Delhi", "pinCode": "194101", "stateCode": "07" } })).await;
    assert_eq!(
        error_fields(&moved, "addressUpdate"),
        ["input.address.pinCode"],
        "{moved}"
    );

    // Updates: a new label and the billing default moving over.
    let relabelled = update(
        &server,
        &dolma,
        json!({ "id": office["id"], "label": "Work", "defaultBilling": true }),
    )
    .await;
    assert!(
        user_errors(&relabelled, "addressUpdate").is_empty(),
        "{relabelled}"
    );
    let changed = &relabelled["data"]["addressUpdate"]["savedAddress"];
    assert_eq!(changed["label"], "Work");
    assert_eq!(
        changed["address"]["line1"], "12 Janpath",
        "the address is kept"
    );
    assert_eq!(
        defaults(&book(&server, Some(&dolma)).await),
        (vec!["12 Janpath".to_owned()], vec!["12 Janpath".to_owned()])
    );
    // A new address in full, and the shipping default given up.
    let rewritten = update(
        &server,
        &dolma,
        json!({ "id": office["id"], "address": leh(), "defaultShipping": false }),
    )
    .await;
    assert!(
        user_errors(&rewritten, "addressUpdate").is_empty(),
        "{rewritten}"
    );
    assert_eq!(
        rewritten["data"]["addressUpdate"]["savedAddress"]["address"]["city"],
        "Leh"
    );
    assert_eq!(
        defaults(&book(&server, Some(&dolma)).await),
        (Vec::<String>::new(), vec!["Main Bazaar".to_owned()])
    );

    // Another buyer sees none of it, and cannot change or delete it.
    let theirs = book(&server, Some(&rao)).await;
    assert_eq!(theirs["data"]["myAddresses"], json!([]), "{theirs}");
    let foreign = update(&server, &rao, json!({ "id": home["id"], "label": "Mine" })).await;
    assert_eq!(error_code(&foreign), Some("NOT_FOUND"), "{foreign}");
    let foreign = delete(&server, &rao, &home["id"]).await;
    assert_eq!(error_code(&foreign), Some("NOT_FOUND"), "{foreign}");
    assert_eq!(
        book(&server, Some(&dolma)).await["data"]["myAddresses"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    // Visitors have no address book.
    assert_eq!(
        error_code(&book(&server, None).await),
        Some("UNAUTHENTICATED")
    );
    let anonymous = create(&server, None, json!({ "address": leh() })).await;
    assert_eq!(
        error_code(&anonymous),
        Some("UNAUTHENTICATED"),
        "{anonymous}"
    );

    // Deleting: the address goes, and a deleted id is not found afterwards.
    let deleted = delete(&server, &dolma, &office["id"]).await;
    assert!(
        user_errors(&deleted, "addressDelete").is_empty(),
        "{deleted}"
    );
    assert_eq!(deleted["data"]["addressDelete"]["deletedId"], office["id"]);
    let again = delete(&server, &dolma, &office["id"]).await;
    assert_eq!(error_code(&again), Some("NOT_FOUND"), "{again}");

    // At most 20 addresses a buyer; deleting one makes room again.
    let mut last = Value::Null;
    for n in 2..=20 {
        let mut address = leh();
        address["line1"] = json!(format!("House {n}, Changspa"));
        last = saved(&create(&server, Some(&dolma), json!({ "address": address })).await);
        // Only the first address of a book takes the defaults by itself.
        assert_eq!(last["isDefaultShipping"], false);
    }
    let listed = book(&server, Some(&dolma)).await;
    assert_eq!(
        listed["data"]["myAddresses"].as_array().map(Vec::len),
        Some(20)
    );
    let full = create(&server, Some(&dolma), json!({ "address": delhi() })).await;
    assert_eq!(
        error_fields(&full, "addressCreate"),
        ["input.address"],
        "{full}"
    );
    assert_eq!(
        user_errors(&full, "addressCreate")[0]["code"],
        "NOT_ALLOWED"
    );
    assert!(user_errors(&delete(&server, &dolma, &last["id"]).await, "addressDelete").is_empty());
    saved(&create(&server, Some(&dolma), json!({ "address": delhi() })).await);
    Ok(())
}

async fn checkout_takes_a_saved_address_by_id(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let dolma = buyer_token(&server, "dolma-checkout@example.org").await;
    let rao = buyer_token(&server, "rao-checkout@example.org").await;
    let apricots = variant(&server, "raktsey-karpo-dried-apricots-500g", "RKDA-500").await;
    add_to_cart(&server, Some(&dolma), None, &apricots["id"], 2).await;
    let delhi_saved = saved(&create(&server, Some(&dolma), json!({ "address": delhi() })).await);
    let rao_saved = saved(&create(&server, Some(&rao), json!({ "address": leh() })).await);

    // The quote to the saved Delhi address is the quote to the same address given
    // inline: IGST, Delhi as the place of supply.
    let quote = |token: Option<String>, input: Value| {
        let server = &server;
        async move {
            server
                .graphql_as(token.as_deref(), QUOTE, json!({ "i": input }))
                .await
        }
    };
    let by_id = quote(
        Some(dolma.clone()),
        json!({ "shippingAddressId": delhi_saved["id"] }),
    )
    .await;
    let inline = quote(Some(dolma.clone()), json!({ "shippingAddress": delhi() })).await;
    assert_eq!(
        by_id["data"]["checkoutQuote"]["errors"],
        json!([]),
        "{by_id}"
    );
    let quoted = &by_id["data"]["checkoutQuote"]["quote"];
    assert_eq!(quoted["placeOfSupply"], "07", "{by_id}");
    assert!(int(&quoted["igst"]) > 0, "{by_id}");
    assert_eq!(quoted, &inline["data"]["checkoutQuote"]["quote"]);

    // Exactly one of the two: both is refused (with the inline address's own
    // problems), neither is refused.
    let mut bad = delhi();
    bad["pinCode"] = json!("194101");
    let both = quote(
        Some(dolma.clone()),
        json!({ "shippingAddressId": delhi_saved["id"], "shippingAddress": bad }),
    )
    .await;
    assert_eq!(
        error_fields(&both, "checkoutQuote"),
        ["input.shippingAddressId", "input.shippingAddress.pinCode"],
        "{both}"
    );
    let neither = quote(Some(dolma.clone()), json!({})).await;
    assert_eq!(
        error_fields(&neither, "checkoutQuote"),
        ["input.shippingAddress"],
        "{neither}"
    );
    assert_eq!(
        user_errors(&neither, "checkoutQuote")[0]["code"],
        "REQUIRED"
    );
    // Another buyer's address is not found; a visitor has no saved addresses.
    let foreign = quote(
        Some(dolma.clone()),
        json!({ "shippingAddressId": rao_saved["id"] }),
    )
    .await;
    assert_eq!(error_code(&foreign), Some("NOT_FOUND"), "{foreign}");
    let visitor = quote(None, json!({ "shippingAddressId": delhi_saved["id"] })).await;
    assert_eq!(error_code(&visitor), Some("UNAUTHENTICATED"), "{visitor}");

    // placeOrder likewise.
    let place = |key: &str, address: Value| {
        let server = &server;
        let dolma = dolma.clone();
        let mut input = json!({ "idempotencyKey": key, "paymentMethod": "CASH_ON_DELIVERY" });
        if let (Some(input), Some(address)) = (input.as_object_mut(), address.as_object()) {
            input.extend(address.clone());
        }
        async move {
            server
                .graphql_as(
                    Some(&dolma),
                    &format!("mutation($i: PlaceOrderInput!) {{ placeOrder(input: $i) {{ errors {{ field code message }} order {{ shippingAddress {{ name line1 pinCode stateCode }} {ORDER_FIELDS} }} }} }}"),
                    json!({ "i": input }),
                )
                .await
        }
    };
    let foreign = place("saved-1", json!({ "shippingAddressId": rao_saved["id"] })).await;
    assert_eq!(error_code(&foreign), Some("NOT_FOUND"), "{foreign}");
    let both = place(
        "saved-1",
        json!({ "shippingAddressId": delhi_saved["id"], "shippingAddress": delhi() }),
    )
    .await;
    assert_eq!(
        error_fields(&both, "placeOrder"),
        ["input.shippingAddressId"],
        "{both}"
    );
    let neither = place("saved-1", json!({})).await;
    assert_eq!(
        error_fields(&neither, "placeOrder"),
        ["input.shippingAddress"],
        "{neither}"
    );
    let placed = place("saved-1", json!({ "shippingAddressId": delhi_saved["id"] })).await;
    assert!(user_errors(&placed, "placeOrder").is_empty(), "{placed}");
    let order = &placed["data"]["placeOrder"]["order"];
    assert_eq!(
        order["shippingAddress"],
        json!({ "name": "Anjali Rao", "line1": "12 Janpath", "pinCode": "110001", "stateCode": "07" })
    );
    assert_eq!(order["placeOfSupply"], "07");
    assert_eq!(
        order["total"], quoted["total"],
        "the order costs what the quote said"
    );
    Ok(())
}

both_backends!(
    buyers_keep_their_own_address_books,
    checkout_takes_a_saved_address_by_id,
);
