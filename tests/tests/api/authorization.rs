//! The authorisation matrix: every mutation and private query of the catalogue and
//! accounts, tried by every kind of caller, against an explicit allow table. A denied
//! call is UNAUTHENTICATED for anonymous callers and FORBIDDEN for signed-in ones; an
//! allowed call may still have validation errors, but never those two.

use serde_json::{Value, json};

use crate::{
    both_backends,
    support::{
        Backend, ServerOptions, TestServer, error_code,
        flows::{PASSWORD, admin_token, buyer_token, cooperative_id, login, staff_token},
    },
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    Buyer,
    Institution,
    /// Staff of cooperative A, the one every call targets.
    StaffA,
    ManagerA,
    /// A manager of another cooperative acting on A.
    ManagerB,
    Admin,
}

use Caller::*;

const EVERYONE_SIGNED_IN: &[Caller] = &[Buyer, Institution, StaffA, ManagerA, ManagerB, Admin];
const ADMIN: &[Caller] = &[Admin];
const STAFF_OF_A: &[Caller] = &[StaffA, ManagerA, Admin];
const MANAGERS_OF_A: &[Caller] = &[ManagerA, Admin];
const PURCHASERS: &[Caller] = &[Buyer, Institution];
/// Any cooperative's staff (each sees its own) and admins.
const STAFF_A_AND_B: &[Caller] = &[StaffA, ManagerA, ManagerB, Admin];
const SHOPPERS: &[Caller] = &[Anonymous, Buyer, Institution];

struct Ids {
    cooperative_a: String,
    product_a: String,
    variant_a: String,
    gi_tag: String,
    authorised_user: String,
}

fn calls(ids: &Ids) -> Vec<(&'static str, &'static [Caller], String, Value)> {
    let unique = || uuid::Uuid::new_v4().simple().to_string();
    vec![
        ("me", EVERYONE_SIGNED_IN, "{ me { id } }".into(), json!({})),
        (
            "userCreate",
            ADMIN,
            "mutation($i: UserCreateInput!) { userCreate(input: $i) { errors { code } } }".into(),
            json!({ "i": { "email": format!("u{}@example.org", unique()), "password": PASSWORD, "name": "U", "role": "BUYER" } }),
        ),
        (
            "buyerOrganisationCreate",
            ADMIN,
            "mutation($i: BuyerOrganisationCreateInput!) { buyerOrganisationCreate(input: $i) { errors { code } } }".into(),
            json!({ "i": { "name": "Dept", "kind": "DEPARTMENT" } }),
        ),
        (
            "cooperativeCreate",
            ADMIN,
            "mutation($i: CooperativeFieldsInput!) { cooperativeCreate(input: $i) { errors { code } } }".into(),
            json!({ "i": { "name": format!("Matrix Coop {}", unique()) } }),
        ),
        (
            "cooperativeUpdate",
            MANAGERS_OF_A,
            "mutation($i: CooperativeUpdateInput!) { cooperativeUpdate(input: $i) { errors { code } } }".into(),
            json!({ "i": { "id": ids.cooperative_a, "fields": { "contactPhone": "+91 1982 111111" } } }),
        ),
        (
            "cooperativeVerify",
            ADMIN,
            "mutation($i: CooperativeVerifyInput!) { cooperativeVerify(input: $i) { errors { code } } }".into(),
            json!({ "i": { "id": ids.cooperative_a, "status": "VERIFIED" } }),
        ),
        (
            "districtCreate",
            ADMIN,
            "mutation($i: DistrictCreateInput!) { districtCreate(input: $i) { errors { code } } }".into(),
            json!({ "i": { "name": format!("District {}", unique()) } }),
        ),
        (
            "categoryUpdate",
            ADMIN,
            "mutation($i: CategoryUpdateInput!) { categoryUpdate(input: $i) { errors { code } } }".into(),
            json!({ "i": { "slug": "apricot-jam", "gstRateBp": 500 } }),
        ),
        (
            "giTagUpdate",
            ADMIN,
            "mutation($i: GiTagUpdateInput!) { giTagUpdate(input: $i) { errors { code } } }".into(),
            json!({ "i": { "id": ids.gi_tag, "sourceNote": "checked" } }),
        ),
        (
            "giAuthorisedUserVerify",
            ADMIN,
            "mutation($i: GiAuthorisedUserVerifyInput!) { giAuthorisedUserVerify(input: $i) { errors { code } } }".into(),
            json!({ "i": { "id": ids.authorised_user, "approve": true } }),
        ),
        (
            "giAuthorisedUserRegister",
            MANAGERS_OF_A,
            "mutation($i: GiAuthorisedUserRegisterInput!) { giAuthorisedUserRegister(input: $i) { errors { code } } }".into(),
            json!({ "i": { "giTagId": ids.gi_tag, "cooperativeId": ids.cooperative_a, "auNumber": format!("AU/{}", unique()),
                     "validFrom": "2023-01-01", "validUntil": "2030-01-01" } }),
        ),
        (
            "staffInvite",
            MANAGERS_OF_A,
            "mutation($i: StaffInviteInput!) { staffInvite(input: $i) { errors { code } } }".into(),
            json!({ "i": { "cooperativeId": ids.cooperative_a, "email": format!("s{}@example.org", unique()), "name": "S" } }),
        ),
        (
            "productCreate",
            STAFF_OF_A,
            "mutation($i: ProductCreateInput!) { productCreate(input: $i) { errors { code } } }".into(),
            json!({ "i": { "cooperativeId": ids.cooperative_a, "categorySlug": "apricot-jam", "title": "Matrix jam",
                     "slug": format!("matrix-jam-{}", unique()) } }),
        ),
        (
            "productUpdate",
            STAFF_OF_A,
            "mutation($i: ProductUpdateInput!) { productUpdate(input: $i) { errors { code } } }".into(),
            json!({ "i": { "id": ids.product_a, "description": "Updated in the matrix." } }),
        ),
        (
            "variantCreate",
            STAFF_OF_A,
            "mutation($i: VariantCreateInput!) { variantCreate(input: $i) { errors { code } } }".into(),
            json!({ "i": { "productId": ids.product_a, "variant": { "sku": format!("M-{}", &unique()[..8]), "title": "M",
                     "price": 1000, "mrp": 1000, "weightGrams": 10 } } }),
        ),
        (
            "variantUpdate",
            STAFF_OF_A,
            "mutation($i: VariantUpdateInput!) { variantUpdate(input: $i) { errors { code } } }".into(),
            json!({ "i": { "id": ids.variant_a, "weightGrams": 521 } }),
        ),
        (
            "stockAdjust",
            STAFF_OF_A,
            "mutation($i: StockAdjustInput!) { stockAdjust(input: $i) { errors { code } } }".into(),
            json!({ "i": { "variantId": ids.variant_a, "delta": 1, "reason": "RECOUNT" } }),
        ),
        (
            "batchCreate",
            STAFF_OF_A,
            "mutation($i: BatchCreateInput!) { batchCreate(input: $i) { errors { code } } }".into(),
            json!({ "i": { "variantId": ids.variant_a, "code": format!("MX-{}", &unique()[..8].to_uppercase()),
                     "originVillage": "Domkhar", "originDistrict": "Sham", "producedOn": "2025-08-01", "quantity": 1 } }),
        ),
        (
            "provenanceEventAdd",
            STAFF_OF_A,
            "mutation($i: ProvenanceEventAddInput!) { provenanceEventAdd(input: $i) { errors { code } } }".into(),
            json!({ "i": { "batchCode": "LDK-RKA-25-0003", "kind": "CERTIFIED", "occurredAt": "2026-11-01T00:00:00Z", "location": "Leh" } }),
        ),
        (
            "productImport",
            STAFF_OF_A,
            "mutation($i: ProductImportInput!) { productImport(input: $i) { errors { code } } }".into(),
            json!({ "i": { "cooperativeId": ids.cooperative_a, "format": "CSV", "contentBase64": "", "dryRun": true } }),
        ),
        (
            "cooperativeProducts",
            STAFF_OF_A,
            "query($id: ID!) { cooperativeProducts(cooperativeId: $id, first: 1) { totalCount } }".into(),
            json!({ "id": ids.cooperative_a }),
        ),
        (
            "cart",
            SHOPPERS,
            "{ cart { itemCount } }".into(),
            json!({}),
        ),
        (
            "cartAddItem",
            SHOPPERS,
            "mutation($i: CartAddItemInput!) { cartAddItem(input: $i) { errors { code } } }".into(),
            json!({ "i": { "variantId": ids.variant_a, "quantity": 1 } }),
        ),
        (
            "placeOrder",
            PURCHASERS,
            "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { errors { code } } }".into(),
            json!({ "i": { "idempotencyKey": unique(), "paymentMethod": "CASH_ON_DELIVERY",
                           "shippingAddress": { "name": "N", "phone": "9876543210", "line1": "L", "city": "Leh", "pinCode": "194101", "stateCode": "38" } } }),
        ),
        (
            "myOrders",
            PURCHASERS,
            "{ myOrders(first: 5) { totalCount } }".into(),
            json!({}),
        ),
        (
            "cooperativeOrders",
            STAFF_OF_A,
            "query($id: ID!) { cooperativeOrders(cooperativeId: $id, first: 5) { totalCount } }".into(),
            json!({ "id": ids.cooperative_a }),
        ),
        (
            "settlementStatement",
            STAFF_OF_A,
            "query($id: ID!) { settlementStatement(cooperativeId: $id, from: \"2026-04-01\", to: \"2027-03-31\") { netPayable } }".into(),
            json!({ "id": ids.cooperative_a }),
        ),
        (
            "channelListings",
            STAFF_A_AND_B,
            "{ channelListings(first: 5) { totalCount } }".into(),
            json!({}),
        ),
        (
            "channelSyncStatus",
            STAFF_A_AND_B,
            "{ channelSyncStatus { channel pendingChanges } }".into(),
            json!({}),
        ),
        (
            "listOnChannel",
            STAFF_OF_A,
            "mutation($i: ChannelProductInput!) { listOnChannel(input: $i) { errors { code } } }".into(),
            json!({ "i": { "productId": ids.product_a, "channel": "NCUI_HAAT" } }),
        ),
        (
            "cooperatives(PENDING)",
            ADMIN,
            "{ cooperatives(first: 5, verificationStatus: PENDING) { totalCount } }".into(),
            json!({}),
        ),
    ]
}

async fn every_call_is_allowed_or_denied_as_the_table_says(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let cooperative_a = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let cooperative_b = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let product = server
        .graphql(
            "{ product(slug: \"raktsey-karpo-dried-apricots-500g\") { id variants { id } } }",
            json!({}),
        )
        .await;
    let tags = server.graphql("{ giTags { id slug } }", json!({})).await;
    let gi_tag = tags["data"]["giTags"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["slug"] == "raktsey-karpo-apricot")
        .and_then(|t| t["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let pending = server
        .graphql_as(
            Some(&admin),
            "query($id: ID) { cooperative(id: $id) { giAuthorisations { id } } }",
            json!({ "id": cooperative_a }),
        )
        .await;
    let authorised_user = pending["data"]["cooperative"]["giAuthorisations"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let ids = Ids {
        cooperative_a: cooperative_a.clone(),
        product_a: product["data"]["product"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        variant_a: product["data"]["product"]["variants"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        gi_tag,
        authorised_user,
    };

    let organisation = server
        .graphql_as(
            Some(&admin),
            "mutation { buyerOrganisationCreate(input: { name: \"Directorate\", kind: \"DEPARTMENT\" }) { buyerOrganisation { id } } }",
            json!({}),
        )
        .await;
    let institution_email = "officer@directorate.example.org";
    server
        .graphql_as(
            Some(&admin),
            "mutation($i: UserCreateInput!) { userCreate(input: $i) { errors { code } } }",
            json!({ "i": { "email": institution_email, "password": PASSWORD, "name": "Officer", "role": "INSTITUTION",
                     "buyerOrganisationId": organisation["data"]["buyerOrganisationCreate"]["buyerOrganisation"]["id"] } }),
        )
        .await;
    let tokens = [
        (Anonymous, None),
        (
            Buyer,
            Some(buyer_token(&server, "matrix-buyer@example.org").await),
        ),
        (Institution, Some(login(&server, institution_email).await)),
        (
            StaffA,
            Some(staff_token(&server, &admin, &cooperative_a, "STAFF").await),
        ),
        (
            ManagerA,
            Some(staff_token(&server, &admin, &cooperative_a, "MANAGER").await),
        ),
        (
            ManagerB,
            Some(staff_token(&server, &admin, &cooperative_b, "MANAGER").await),
        ),
        (Admin, Some(admin.clone())),
    ];

    let mut mismatches = Vec::new();
    for (caller, token) in &tokens {
        for (name, allowed, query, variables) in calls(&ids) {
            let body = server.graphql_as(token.as_deref(), &query, variables).await;
            let code = error_code(&body);
            let denied = matches!(code, Some("UNAUTHENTICATED" | "FORBIDDEN"));
            let expected_denial = if *caller == Anonymous {
                "UNAUTHENTICATED"
            } else {
                "FORBIDDEN"
            };
            let ok = if allowed.contains(caller) {
                !denied && code != Some("INTERNAL")
            } else {
                code == Some(expected_denial)
            };
            if !ok {
                mismatches.push(format!("{caller:?} {name}: {body}"));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "authorisation mismatches:\n{}",
        mismatches.join("\n")
    );
    Ok(())
}

both_backends!(every_call_is_allowed_or_denied_as_the_table_says);
