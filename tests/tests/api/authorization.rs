//! The authorisation matrix: every query and mutation of the committed SDL
//! (`api/schema.graphql`, read here, so an operation added without a row fails the
//! test), tried by every kind of caller against an explicit table.
//!
//! An allowed call must succeed: no top-level error, its data present and, for a
//! mutation, an empty `errors` list in its payload. A refused call must carry the
//! expected code: UNAUTHENTICATED for anonymous callers and FORBIDDEN for signed-in ones,
//! unless the row names another (NOT_FOUND where the caller may not even see the
//! object). Calls that change state get fresh state for every caller, made by an admin
//! or the owning buyer before the call, so each call can succeed on its own.

use std::collections::BTreeSet;

use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::{Value, json};

use crate::{
    both_backends,
    import::{csv, row as import_row},
    support::{
        Backend, ServerOptions, TestServer, error_code,
        flows::{PASSWORD, admin_token, buyer_token, cooperative_id, login, staff_token},
        multipart::{graphql_with_file, tiny_png},
        razorpay_fake,
    },
};

const SDL: &str = include_str!("../../../api/schema.graphql");

/// Root fields the matrix does not call, each with the reason. Only an operation no
/// caller's role decides may go here; none does today.
const EXEMPT: &[&str] = &[];

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

const CALLERS: &[Caller] = &[
    Anonymous,
    Buyer,
    Institution,
    StaffA,
    ManagerA,
    ManagerB,
    Admin,
];
const EVERYONE: &[Caller] = CALLERS;
const EVERYONE_SIGNED_IN: &[Caller] = &[Buyer, Institution, StaffA, ManagerA, ManagerB, Admin];
const ADMIN: &[Caller] = &[Admin];
const STAFF_OF_A: &[Caller] = &[StaffA, ManagerA, Admin];
const MANAGERS_OF_A: &[Caller] = &[ManagerA, Admin];
const PURCHASERS: &[Caller] = &[Buyer, Institution];
/// Any cooperative's staff (each sees its own) and admins.
const STAFF_A_AND_B: &[Caller] = &[StaffA, ManagerA, ManagerB, Admin];
const SHOPPERS: &[Caller] = &[Anonymous, Buyer, Institution];
/// An order of the matrix's buyer: the buyer, cooperative A's staff and admins.
const ORDER_OF_BUYER: &[Caller] = &[Buyer, StaffA, ManagerA, Admin];
/// The order belongs to the buyer: an institution user cannot see it at all.
const HIDDEN_FROM_INSTITUTION: &[(Caller, &str)] = &[(Institution, "NOT_FOUND")];
const NONE: &[(Caller, &str)] = &[];

/// One row of the table.
struct Row {
    /// The root field; a second row of one field adds a label in parentheses.
    name: &'static str,
    allowed: &'static [Caller],
    /// Callers whose call ends with another top-level code than the rule above says.
    codes: &'static [(Caller, &'static str)],
}

const fn row(name: &'static str, allowed: &'static [Caller]) -> Row {
    Row {
        name,
        allowed,
        codes: NONE,
    }
}

const fn row_with(
    name: &'static str,
    allowed: &'static [Caller],
    codes: &'static [(Caller, &'static str)],
) -> Row {
    Row {
        name,
        allowed,
        codes,
    }
}

const ROWS: &[Row] = &[
    // Queries.
    row("me", EVERYONE_SIGNED_IN),
    row("cooperativeStaff", MANAGERS_OF_A),
    row("users", ADMIN),
    row("buyerOrganisations", ADMIN),
    row("products", EVERYONE),
    row("cooperativeProducts", STAFF_OF_A),
    row("product", EVERYONE),
    row("cooperatives", EVERYONE),
    row("cooperatives(PENDING)", ADMIN),
    row("cooperative", EVERYONE),
    row("cooperativeVerifications", ADMIN),
    row("categories", EVERYONE),
    row("districts", EVERYONE),
    row("giTags", EVERYONE),
    row("verifyProvenance", EVERYONE),
    row("search", EVERYONE),
    row("stripePublishableKey", EVERYONE),
    row("cart", SHOPPERS),
    row("checkoutQuote", SHOPPERS),
    row_with(
        "order",
        ORDER_OF_BUYER,
        // Another cooperative's manager has no part of this order to see.
        &[(Institution, "NOT_FOUND"), (ManagerB, "NOT_FOUND")],
    ),
    row("orders", ADMIN),
    row("myOrders", PURCHASERS),
    row("myAddresses", PURCHASERS),
    row("cooperativeOrders", STAFF_OF_A),
    row("settlementStatement", STAFF_OF_A),
    row("cooperativePayoutAccount", MANAGERS_OF_A),
    row("cooperativeRouteAccount", MANAGERS_OF_A),
    row("gstr1Export", MANAGERS_OF_A),
    row("gstr1Filing", MANAGERS_OF_A),
    row("gstr8Export", ADMIN),
    row_with(
        "ewayBillPayload",
        STAFF_OF_A,
        &[(Institution, "NOT_FOUND"), (ManagerB, "NOT_FOUND")],
    ),
    // Run while cooperative A is above the e-invoicing threshold (see E_INVOICE_ROWS).
    row_with(
        "einvoicePayload",
        STAFF_OF_A,
        &[(Institution, "NOT_FOUND"), (ManagerB, "NOT_FOUND")],
    ),
    row_with(
        "media",
        STAFF_OF_A,
        &[
            (Buyer, "NOT_FOUND"),
            (Institution, "NOT_FOUND"),
            (ManagerB, "NOT_FOUND"),
        ],
    ),
    row("channelListings", STAFF_A_AND_B),
    row("channelSyncStatus", STAFF_A_AND_B),
    // Mutations.
    row("register", EVERYONE),
    row("login", EVERYONE),
    row("refreshToken", EVERYONE),
    row("userCreate", ADMIN),
    row("userSuspend", ADMIN),
    row("buyerOrganisationCreate", ADMIN),
    row("staffInvite", MANAGERS_OF_A),
    row("staffInviteAccept", EVERYONE),
    row("passwordResetRequest", EVERYONE),
    row("passwordReset", EVERYONE),
    row("emailVerify", EVERYONE),
    row("emailVerificationRequest", EVERYONE_SIGNED_IN),
    row("meUpdate", EVERYONE_SIGNED_IN),
    row("staffRoleChange", MANAGERS_OF_A),
    row("staffRemove", MANAGERS_OF_A),
    row("cooperativeCreate", ADMIN),
    row("cooperativeUpdate", MANAGERS_OF_A),
    row("cooperativeVerify", ADMIN),
    row("districtCreate", ADMIN),
    row("categoryUpdate", ADMIN),
    row("productCreate", STAFF_OF_A),
    row("productUpdate", STAFF_OF_A),
    row("variantCreate", STAFF_OF_A),
    row("variantUpdate", STAFF_OF_A),
    row("stockAdjust", STAFF_OF_A),
    row("productImport", STAFF_OF_A),
    row("mediaUpload", STAFF_OF_A),
    // Another cooperative's upload is "no such upload".
    row_with(
        "mediaDelete",
        STAFF_OF_A,
        &[
            (Buyer, "NOT_FOUND"),
            (Institution, "NOT_FOUND"),
            (ManagerB, "NOT_FOUND"),
        ],
    ),
    row("giTagUpdate", ADMIN),
    row("giAuthorisedUserRegister", MANAGERS_OF_A),
    row("giAuthorisedUserVerify", ADMIN),
    row("productGiClaim", STAFF_OF_A),
    row("productGiClaimWithdraw", STAFF_OF_A),
    row("batchCreate", STAFF_OF_A),
    row("provenanceEventAdd", STAFF_OF_A),
    row("batchCorrect", STAFF_OF_A),
    row("batchVoid", STAFF_OF_A),
    row("cartAddItem", SHOPPERS),
    row("cartUpdateItem", SHOPPERS),
    row("cartRemoveItem", SHOPPERS),
    row("placeOrder", PURCHASERS),
    row("addressCreate", PURCHASERS),
    row("addressUpdate", PURCHASERS),
    row("addressDelete", PURCHASERS),
    row_with("fulfilmentPack", STAFF_OF_A, HIDDEN_FROM_INSTITUTION),
    row_with("fulfilmentShip", STAFF_OF_A, HIDDEN_FROM_INSTITUTION),
    row_with("fulfilmentDeliver", STAFF_OF_A, HIDDEN_FROM_INSTITUTION),
    // Only the consignee's organisation receives and accepts, or an admin keying in
    // GeM's record; the order is the institution's, so a retail buyer cannot see it.
    row_with(
        "fulfilmentReceive",
        &[Institution, Admin],
        &[(Buyer, "NOT_FOUND")],
    ),
    row_with(
        "fulfilmentAccept",
        &[Institution, Admin],
        &[(Buyer, "NOT_FOUND")],
    ),
    row_with(
        "orderCancel",
        ORDER_OF_BUYER,
        // As for `order`: another cooperative's manager cannot see this order.
        &[(Institution, "NOT_FOUND"), (ManagerB, "NOT_FOUND")],
    ),
    row_with("orderRefund", MANAGERS_OF_A, HIDDEN_FROM_INSTITUTION),
    row("debitNoteIssue", ADMIN),
    row_with(
        "invoiceCancel",
        MANAGERS_OF_A,
        // Another cooperative's manager does not see A's fulfilment at all.
        &[(Institution, "NOT_FOUND"), (ManagerB, "NOT_FOUND")],
    ),
    row("gstr1MarkFiled", ADMIN),
    row("einvoiceRecord", ADMIN),
    row_with(
        "fulfilmentReturnUndelivered",
        STAFF_OF_A,
        HIDDEN_FROM_INSTITUTION,
    ),
    row_with(
        "paymentMarkReceived",
        MANAGERS_OF_A,
        HIDDEN_FROM_INSTITUTION,
    ),
    row_with(
        "fulfilmentCashCollected",
        MANAGERS_OF_A,
        HIDDEN_FROM_INSTITUTION,
    ),
    row_with("orderPaymentIssueResolve", ADMIN, HIDDEN_FROM_INSTITUTION),
    // Only the order's buyer: staff and admins who see the order are refused.
    row_with("paymentConfirm", &[Buyer], HIDDEN_FROM_INSTITUTION),
    row("cooperativePayoutAccountSet", MANAGERS_OF_A),
    row("cooperativeRouteAccountSet", ADMIN),
    row("listOnChannel", STAFF_OF_A),
    row("delistFromChannel", STAFF_OF_A),
    row("retryChannelSync", STAFF_OF_A),
    // Called after every other row (see the loop below).
    row("logout", EVERYONE),
];

/// The rows that need cooperative A above the e-invoicing threshold. They run first,
/// for every caller, with A's band raised once; the band is then lowered again before
/// any other row, because a raised band refuses new products with a 4-digit HSN code
/// (`productCreate`) and, once such a product exists, the band cannot be raised again.
const E_INVOICE_ROWS: &[&str] = &["einvoicePayload", "einvoiceRecord"];

impl Row {
    fn field(&self) -> &'static str {
        self.name.split('(').next().unwrap_or(self.name)
    }

    /// `None` when the call must succeed, else the top-level code it must end with.
    fn expected(&self, caller: Caller) -> Option<&'static str> {
        if let Some((_, code)) = self.codes.iter().find(|(c, _)| *c == caller) {
            return Some(code);
        }
        if self.allowed.contains(&caller) {
            None
        } else if caller == Anonymous {
            Some("UNAUTHENTICATED")
        } else {
            Some("FORBIDDEN")
        }
    }
}

/// The root fields of the query and mutation types the SDL's schema block names.
fn sdl_root_fields() -> BTreeSet<String> {
    use async_graphql_parser::types::{TypeKind, TypeSystemDefinition};
    let document = async_graphql_parser::parse_schema(SDL).expect("the committed SDL parses");
    let mut roots = Vec::new();
    for definition in &document.definitions {
        if let TypeSystemDefinition::Schema(schema) = definition {
            roots.push(
                schema
                    .node
                    .query
                    .as_ref()
                    .expect("a query root")
                    .node
                    .to_string(),
            );
            roots.extend(schema.node.mutation.as_ref().map(|m| m.node.to_string()));
        }
    }
    assert_eq!(roots.len(), 2, "the SDL names its query and mutation roots");
    let mut fields = BTreeSet::new();
    for definition in &document.definitions {
        if let TypeSystemDefinition::Type(ty) = definition
            && roots.contains(&ty.node.name.node.to_string())
        {
            let TypeKind::Object(object) = &ty.node.kind else {
                panic!("{} is not an object type", ty.node.name.node);
            };
            for field in &object.fields {
                fields.insert(field.node.name.node.to_string());
            }
        }
    }
    fields
}

#[test]
fn every_root_field_of_the_sdl_has_a_row() {
    let sdl = sdl_root_fields();
    assert!(sdl.len() > 50, "too few root fields read: {sdl:?}");
    assert!(sdl.contains("placeOrder") && sdl.contains("me"), "{sdl:?}");
    let rows: BTreeSet<String> = ROWS.iter().map(|r| r.field().to_owned()).collect();
    let exempt: BTreeSet<String> = EXEMPT.iter().map(|e| (*e).to_owned()).collect();
    let missing: Vec<&String> = sdl
        .iter()
        .filter(|f| !rows.contains(*f) && !exempt.contains(*f))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a row in the authorisation matrix: {missing:?}"
    );
    let unknown: Vec<&String> = rows.union(&exempt).filter(|f| !sdl.contains(*f)).collect();
    assert!(unknown.is_empty(), "rows for no operation: {unknown:?}");
}

/// Everything the calls need, looked up once.
struct World<'a> {
    server: &'a TestServer,
    admin: String,
    tokens: Vec<(Caller, Option<String>)>,
    cooperative_a: String,
    product_a: String,
    variant_a: String,
    institutional_variant: String,
    gi_tag: String,
}

const PAYLOAD: &str = "__typename errors { field code message }";

fn unique() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A complete cooperative registration, unique by `u`.
fn new_cooperative(u: &str) -> Value {
    json!({
        "name": format!("Matrix Cooperative {u}"),
        "registrationNumber": format!("LEH/COOP/{}", &u[..8]),
        "registrar": "Assistant Registrar Cooperative Societies, Leh",
        "district": "Leh",
        "village": "Hemis Shukpachan",
        "addressLine": "Near the monastery, Hemis Shukpachan",
        "pinCode": "194101",
        "contactEmail": format!("coop-{u}@example.org"),
        "contactPhone": "+91 1982 000001"
    })
}

fn leh() -> Value {
    json!({ "name": "N", "phone": "9876543210", "line1": "L", "city": "Leh", "pinCode": "194101", "stateCode": "38" })
}

/// The string at `pointer` in `body`; a failed lookup fails the test here.
fn text(body: &Value, pointer: &str) -> String {
    body.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no {pointer} in {body}"))
        .to_owned()
}

/// A mutation with one `input`, by name and input type.
fn mutation(name: &str, input_type: &str, selection: &str) -> String {
    format!("mutation($i: {input_type}!) {{ {name}(input: $i) {{ {selection} }} }}")
}

impl World<'_> {
    /// The value of `label` in the newest message to `email`, from the `.eml` files a
    /// development server without SMTP writes under DATA_DIR/mail/.
    async fn code_mailed_to(&self, email: &str, label: &str) -> String {
        self.server.drain().await;
        let mut found = Vec::new();
        for entry in std::fs::read_dir(self.server.database.data_path().join("mail")).unwrap() {
            let path = entry.unwrap().path();
            let raw = std::fs::read(&path).unwrap();
            let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
            let to_them = message
                .to()
                .and_then(|to| to.first())
                .and_then(|a| a.address())
                .is_some_and(|a| a == email);
            if to_them {
                let text = message.body_text(0).unwrap().into_owned();
                if let Some(code) = text
                    .lines()
                    .find_map(|l| l.trim().strip_prefix(&format!("{label}: ")))
                {
                    found.push((path, code.trim().to_owned()));
                }
            }
        }
        // The files are named by creation time, then id (time-ordered).
        found.sort();
        found
            .pop()
            .unwrap_or_else(|| panic!("no {label} mailed to {email}"))
            .1
    }

    fn token(&self, caller: Caller) -> Option<&str> {
        self.tokens
            .iter()
            .find(|(c, _)| *c == caller)
            .and_then(|(_, t)| t.as_deref())
    }

    /// Sends one call: `mediaUpload` as a GraphQL multipart request with a small PNG,
    /// everything else as JSON.
    async fn send(&self, token: Option<&str>, row: &str, query: &str, variables: Value) -> Value {
        if row != "mediaUpload" {
            return self.server.graphql_as(token, query, variables).await;
        }
        let (status, body) = graphql_with_file(
            self.server,
            token,
            query,
            variables,
            "variables.i.file",
            ("square.png", "image/png", &tiny_png()),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// An upload of cooperative A, made by an admin; its id.
    async fn upload_a(&self) -> String {
        let body = self
            .send(
                Some(&self.admin),
                "mediaUpload",
                &mutation("mediaUpload", "MediaUploadInput", "media { id } errors { field code message }"),
                json!({ "i": { "cooperativeId": self.cooperative_a, "file": null, "alt": "A grey square" } }),
            )
            .await;
        assert!(
            succeeded(&body, "mediaUpload"),
            "setup mediaUpload failed: {body}"
        );
        text(&body, "/data/mediaUpload/media/id")
    }

    /// Runs a setup mutation and fails the test unless it was accepted.
    async fn setup(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
        field: &str,
    ) -> Value {
        let body = self.server.graphql_as(token, query, variables).await;
        assert!(
            succeeded(&body, field),
            "setup {field} failed, so the matrix cannot run: {body}"
        );
        body
    }

    /// Runs a setup mutation whose outcome does not matter (putting back a state the
    /// previous caller may or may not have changed).
    async fn reset(&self, query: &str, variables: Value) {
        self.server
            .graphql_as(Some(&self.admin), query, variables)
            .await;
    }

    /// A cash-on-delivery order of cooperative A's apricots by the matrix's buyer:
    /// (order id, fulfilment id, total).
    /// Cooperative A's payout account, as `cooperativePayoutAccountSet` takes it.
    fn payout_account(&self) -> Value {
        json!({ "i": { "cooperativeId": self.cooperative_a, "accountName": "Sham Apricot Growers",
                       "accountNumber": "912010012345678", "ifsc": "SBIN0001234", "upiVpa": "sham@sbi" } })
    }

    async fn buyer_order(&self) -> (String, String, i64) {
        let buyer = self.token(Buyer);
        self.setup(
            buyer,
            &mutation("cartAddItem", "CartAddItemInput", PAYLOAD),
            json!({ "i": { "variantId": self.variant_a, "quantity": 1 } }),
            "cartAddItem",
        )
        .await;
        let body = self
            .setup(
                buyer,
                &mutation("placeOrder", "PlaceOrderInput", "errors { code message } order { id total fulfilments { id } }"),
                json!({ "i": { "idempotencyKey": unique(), "paymentMethod": "CASH_ON_DELIVERY", "shippingAddress": leh() } }),
                "placeOrder",
            )
            .await;
        let order = &body["data"]["placeOrder"]["order"];
        let fulfilments = order["fulfilments"].as_array().expect("fulfilments");
        assert_eq!(
            fulfilments.len(),
            1,
            "one cooperative, one fulfilment: {body}"
        );
        (
            text(order, "/id"),
            text(&fulfilments[0], "/id"),
            order["total"].as_i64().expect("total"),
        )
    }

    /// A shipped fulfilment of cooperative A to a buyer who gave a GSTIN (a B2B tax
    /// invoice, which is what gets e-invoiced).
    async fn registered_buyer_shipment(&self) -> String {
        self.setup(
            self.token(Buyer),
            &mutation("cartAddItem", "CartAddItemInput", PAYLOAD),
            json!({ "i": { "variantId": self.variant_a, "quantity": 1 } }),
            "cartAddItem",
        )
        .await;
        let mut address = leh();
        address["gstin"] = json!("38AAAAS1234A2Z2");
        let body = self
            .setup(
                self.token(Buyer),
                &mutation("placeOrder", "PlaceOrderInput", "errors { code message } order { fulfilments { id } }"),
                json!({ "i": { "idempotencyKey": unique(), "paymentMethod": "CASH_ON_DELIVERY", "shippingAddress": address } }),
                "placeOrder",
            )
            .await;
        let fulfilment = text(&body, "/data/placeOrder/order/fulfilments/0/id");
        self.advance(&fulfilment, &["fulfilmentPack", "fulfilmentShip"])
            .await;
        fulfilment
    }

    /// Sets cooperative A's turnover band as an admin.
    async fn set_band_a(&self, band: &str) {
        self.setup(
            Some(&self.admin),
            &mutation("cooperativeUpdate", "CooperativeUpdateInput", PAYLOAD),
            json!({ "i": { "id": self.cooperative_a, "fields": { "turnoverBand": band } } }),
            "cooperativeUpdate",
        )
        .await;
    }

    /// Moves a fulfilment on as an admin, one step after another.
    async fn advance(&self, fulfilment: &str, steps: &[&str]) {
        for step in steps {
            let (input_type, input) = match *step {
                "fulfilmentShip" => (
                    "FulfilmentShipInput",
                    json!({ "fulfilmentId": fulfilment, "carrier": "India Post", "trackingNumber": "EL1IN" }),
                ),
                _ => ("FulfilmentInput", json!({ "fulfilmentId": fulfilment })),
            };
            self.setup(
                Some(&self.admin),
                &mutation(step, input_type, PAYLOAD),
                json!({ "i": input }),
                step,
            )
            .await;
        }
    }

    /// A delivered purchase-order fulfilment of cooperative A, ordered by the matrix's
    /// institution user.
    async fn delivered_institutional_fulfilment(&self) -> String {
        self.fill_institutional_cart().await;
        let body = self
            .setup(
                self.token(Institution),
                &mutation(
                    "placeOrder",
                    "PlaceOrderInput",
                    "errors { code message } order { fulfilments { id } }",
                ),
                self.purchase_order(),
                "placeOrder",
            )
            .await;
        let fulfilment = text(&body, "/data/placeOrder/order/fulfilments/0/id");
        self.advance(
            &fulfilment,
            &["fulfilmentPack", "fulfilmentShip", "fulfilmentDeliver"],
        )
        .await;
        fulfilment
    }

    /// The institution's cart holding the minimum order of cooperative A's bulk apricots
    /// and nothing else.
    async fn fill_institutional_cart(&self) {
        let institution = self.token(Institution);
        // Earlier rows leave retail apricots in the institution's cart; a purchase order
        // must hold only what its consignees receive.
        for variant in [&self.variant_a, &self.institutional_variant] {
            self.server
                .graphql_as(
                    institution,
                    &mutation("cartRemoveItem", "CartRemoveItemInput", PAYLOAD),
                    json!({ "i": { "variantId": variant } }),
                )
                .await;
        }
        self.setup(
            institution,
            &mutation("cartAddItem", "CartAddItemInput", PAYLOAD),
            json!({ "i": { "variantId": self.institutional_variant, "quantity": 4 } }),
            "cartAddItem",
        )
        .await;
    }

    /// `placeOrder`'s variables for a purchase order of the institutional cart.
    fn purchase_order(&self) -> Value {
        json!({ "i": { "idempotencyKey": unique(), "paymentMethod": "PURCHASE_ORDER", "shippingAddress": leh(),
            "institutional": { "gemContractNumber": "GEMC-511687712345678",
                "consignees": [{ "name": "District Hospital Leh", "address": leh(),
                    "items": [{ "variantId": self.institutional_variant, "quantity": 4 }] }] } } })
    }

    /// A fresh buyer account: (email, refresh token).
    async fn fresh_session(&self) -> (String, String) {
        let email = format!("session-{}@example.org", unique());
        self.setup(
            None,
            &mutation("register", "RegisterInput", PAYLOAD),
            json!({ "i": { "email": email, "password": PASSWORD, "name": "Session" } }),
            "register",
        )
        .await;
        let body = self
            .setup(
                None,
                &mutation("login", "LoginInput", "refreshToken"),
                json!({ "i": { "email": email, "password": PASSWORD } }),
                "login",
            )
            .await;
        let refresh = text(&body, "/data/login/refreshToken");
        (email, refresh)
    }

    /// Lists product A on NCUI Haat as an admin and returns the listing's id.
    async fn listing_a(&self) -> String {
        let body = self
            .setup(
                Some(&self.admin),
                &mutation(
                    "listOnChannel",
                    "ChannelProductInput",
                    "listing { id } errors { field code message }",
                ),
                json!({ "i": { "productId": self.product_a, "channel": "NCUI_HAAT" } }),
                "listOnChannel",
            )
            .await;
        text(&body, "/data/listOnChannel/listing/id")
    }

    /// The query and variables `caller` sends for `row`, after making the state the
    /// call needs.
    async fn call(&self, row: &str, caller: Caller) -> (String, Value) {
        let u = unique();
        match row {
            "me" => ("{ me { id } }".into(), json!({})),
            "cooperativeStaff" => (
                "query($id: ID!) { cooperativeStaff(cooperativeId: $id, first: 5) { totalCount nodes { id } } }".into(),
                json!({ "id": self.cooperative_a }),
            ),
            "users" => (
                "{ users(first: 5, filter: { role: BUYER }) { totalCount nodes { id } } }".into(),
                json!({}),
            ),
            "buyerOrganisations" => (
                "{ buyerOrganisations(first: 5) { totalCount nodes { id } } }".into(),
                json!({}),
            ),
            "products" => ("{ products(first: 2) { totalCount nodes { id } } }".into(), json!({})),
            "cooperativeProducts" => (
                "query($id: ID!) { cooperativeProducts(cooperativeId: $id, first: 1) { totalCount } }".into(),
                json!({ "id": self.cooperative_a }),
            ),
            "product" => (
                "query($id: ID) { product(id: $id) { id title } }".into(),
                json!({ "id": self.product_a }),
            ),
            "cooperatives" => ("{ cooperatives(first: 5) { totalCount } }".into(), json!({})),
            "cooperatives(PENDING)" => (
                "{ cooperatives(first: 5, verificationStatus: PENDING) { totalCount } }".into(),
                json!({}),
            ),
            "cooperative" => (
                "query($id: ID) { cooperative(id: $id) { id name } }".into(),
                json!({ "id": self.cooperative_a }),
            ),
            "cooperativeVerifications" => (
                "query($id: ID!) { cooperativeVerifications(cooperativeId: $id) { reason } }".into(),
                json!({ "id": self.cooperative_a }),
            ),
            "categories" => ("{ categories { slug } }".into(), json!({})),
            "districts" => ("{ districts { name } }".into(), json!({})),
            "giTags" => ("{ giTags { slug } }".into(), json!({})),
            "verifyProvenance" => (
                "{ verifyProvenance(code: \"LDK-RKA-25-0001\") { chainIntact } }".into(),
                json!({}),
            ),
            // Public configuration, null on this server (Stripe is off): `__typename`
            // under the row's name shows the call went through for every caller.
            "stripePublishableKey" => (
                "{ key: stripePublishableKey stripePublishableKey: __typename }".into(),
                json!({}),
            ),
            "search" => (
                "{ search(query: \"apricot\", first: 2) { totalCount } }".into(),
                json!({}),
            ),
            "cart" => ("{ cart { itemCount } }".into(), json!({})),
            "checkoutQuote" => (
                "query($a: AddressInput!) { checkoutQuote(input: { shippingAddress: $a }) { quote { total } errors { field } } }".into(),
                json!({ "a": leh() }),
            ),
            "order" => {
                let (order, _, _) = self.buyer_order().await;
                (
                    "query($id: ID!) { order(id: $id) { id } }".into(),
                    json!({ "id": order }),
                )
            }
            "cooperativePayoutAccount" => {
                self.setup(
                    Some(&self.admin),
                    &mutation("cooperativePayoutAccountSet", "CooperativePayoutAccountSetInput", PAYLOAD),
                    self.payout_account(),
                    "cooperativePayoutAccountSet",
                )
                .await;
                (
                    "query($id: ID!) { cooperativePayoutAccount(cooperativeId: $id) { ifsc } }".into(),
                    json!({ "id": self.cooperative_a }),
                )
            }
            "orders" => (
                "query($id: ID!) { orders(first: 5, filter: { cooperativeId: $id }) { totalCount } }".into(),
                json!({ "id": self.cooperative_a }),
            ),
            "myOrders" => ("{ myOrders(first: 5) { totalCount } }".into(), json!({})),
            "myAddresses" => ("{ myAddresses { id } }".into(), json!({})),
            "cooperativeOrders" => (
                "query($id: ID!) { cooperativeOrders(cooperativeId: $id, first: 5) { totalCount } }".into(),
                json!({ "id": self.cooperative_a }),
            ),
            "settlementStatement" => (
                "query($id: ID!) { settlementStatement(cooperativeId: $id, from: \"2026-04-01\", to: \"2027-03-31\") { netPayable } }".into(),
                json!({ "id": self.cooperative_a }),
            ),
            "gstr1Export" => (
                "query($id: ID!) { gstr1Export(cooperativeId: $id, period: \"112026\") }".into(),
                json!({ "id": self.cooperative_a }),
            ),
            "gstr8Export" => ("{ gstr8Export(period: \"112026\") }".into(), json!({})),
            "gstr1Filing" => {
                // A month long past, marked filed, so that the answer is not null.
                self.setup(
                    Some(&self.admin),
                    &mutation("gstr1MarkFiled", "Gstr1MarkFiledInput", PAYLOAD),
                    json!({ "i": { "cooperativeId": self.cooperative_a, "period": "082017" } }),
                    "gstr1MarkFiled",
                )
                .await;
                (
                    "query($id: ID!) { gstr1Filing(cooperativeId: $id, period: \"082017\") { period } }".into(),
                    json!({ "id": self.cooperative_a }),
                )
            }
            "ewayBillPayload" => {
                let (_, fulfilment, _) = self.buyer_order().await;
                self.advance(&fulfilment, &["fulfilmentPack", "fulfilmentShip"])
                    .await;
                (
                    "query($id: ID!) { ewayBillPayload(fulfilmentId: $id) }".into(),
                    json!({ "id": fulfilment }),
                )
            }
            "einvoicePayload" => {
                let fulfilment = self.registered_buyer_shipment().await;
                (
                    "query($id: ID!) { einvoicePayload(fulfilmentId: $id) }".into(),
                    json!({ "id": fulfilment }),
                )
            }
            "einvoiceRecord" => {
                let fulfilment = self.registered_buyer_shipment().await;
                // A fresh IRN each time: one IRN belongs to one invoice.
                let irn = format!("{}{}", unique(), unique());
                (
                    mutation(row, "EinvoiceRecordInput", "registration { irn } errors { field code message }"),
                    json!({ "i": { "fulfilmentId": fulfilment, "irn": irn, "ackNo": "112010036563310",
                                   "ackDate": chrono::Utc::now().to_rfc3339(),
                                   "signedQrCode": "eyJhbGciOiJSUzI1NiJ9.eyJkYXRhIjoiMSJ9.c2lnbmF0dXJl" } }),
                )
            }
            "channelListings" => ("{ channelListings(first: 5) { totalCount } }".into(), json!({})),
            "channelSyncStatus" => ("{ channelSyncStatus { channel pendingChanges } }".into(), json!({})),
            "register" => (
                mutation("register", "RegisterInput", PAYLOAD),
                json!({ "i": { "email": format!("r{u}@example.org"), "password": PASSWORD, "name": "R" } }),
            ),
            "login" => {
                let (email, _) = self.fresh_session().await;
                (
                    mutation("login", "LoginInput", "accessToken"),
                    json!({ "i": { "email": email, "password": PASSWORD } }),
                )
            }
            "refreshToken" => {
                let (_, refresh) = self.fresh_session().await;
                (
                    mutation("refreshToken", "RefreshTokenInput", "accessToken"),
                    json!({ "i": { "refreshToken": refresh } }),
                )
            }
            "logout" => {
                let (_, refresh) = self.fresh_session().await;
                (
                    mutation("logout", "LogoutInput", "__typename"),
                    json!({ "i": { "refreshToken": refresh } }),
                )
            }
            "userCreate" => (
                mutation("userCreate", "UserCreateInput", PAYLOAD),
                json!({ "i": { "email": format!("u{u}@example.org"), "password": PASSWORD, "name": "U", "role": "BUYER" } }),
            ),
            "userSuspend" => {
                let registered = self
                    .setup(
                        None,
                        &mutation("register", "RegisterInput", "user { id } errors { code message }"),
                        json!({ "i": { "email": format!("z{u}@example.org"), "password": PASSWORD, "name": "Z" } }),
                        "register",
                    )
                    .await;
                (
                    mutation("userSuspend", "UserSuspendInput", PAYLOAD),
                    json!({ "i": { "userId": text(&registered, "/data/register/user/id"), "suspended": true } }),
                )
            }
            "buyerOrganisationCreate" => (
                mutation("buyerOrganisationCreate", "BuyerOrganisationCreateInput", PAYLOAD),
                json!({ "i": { "name": format!("Dept {u}"), "kind": "UT_GOVERNMENT_DEPARTMENT" } }),
            ),
            "staffInvite" => (
                mutation("staffInvite", "StaffInviteInput", PAYLOAD),
                json!({ "i": { "cooperativeId": self.cooperative_a, "email": format!("s{u}@example.org"), "name": "S" } }),
            ),
            "passwordResetRequest" => (
                mutation("passwordResetRequest", "PasswordResetRequestInput", PAYLOAD),
                json!({ "i": { "email": format!("r{u}@example.org") } }),
            ),
            "passwordReset" => {
                let (email, _) = self.fresh_session().await;
                self.setup(
                    None,
                    &mutation("passwordResetRequest", "PasswordResetRequestInput", PAYLOAD),
                    json!({ "i": { "email": email } }),
                    "passwordResetRequest",
                )
                .await;
                let token = self.code_mailed_to(&email, "Reset code").await;
                (
                    mutation("passwordReset", "PasswordResetInput", PAYLOAD),
                    json!({ "i": { "token": token, "newPassword": "a-new-passphrase-for-the-matrix" } }),
                )
            }
            "emailVerify" => {
                let (email, _) = self.fresh_session().await;
                let token = self.code_mailed_to(&email, "Verification code").await;
                (
                    mutation("emailVerify", "EmailVerifyInput", PAYLOAD),
                    json!({ "i": { "token": token } }),
                )
            }
            "emailVerificationRequest" => (
                format!("mutation {{ emailVerificationRequest {{ {PAYLOAD} }} }}"),
                json!({}),
            ),
            "meUpdate" => (
                mutation("meUpdate", "MeUpdateInput", PAYLOAD),
                json!({ "i": { "language": "ENGLISH" } }),
            ),
            "staffInviteAccept" => {
                let invited = self
                    .setup(
                        Some(&self.admin),
                        &mutation("staffInvite", "StaffInviteInput", "invitation { token } errors { code message }"),
                        json!({ "i": { "cooperativeId": self.cooperative_a, "email": format!("a{u}@example.org"), "name": "A" } }),
                        "staffInvite",
                    )
                    .await;
                (
                    mutation("staffInviteAccept", "StaffInviteAcceptInput", PAYLOAD),
                    json!({ "i": { "token": text(&invited, "/data/staffInvite/invitation/token"), "password": PASSWORD } }),
                )
            }
            "staffRoleChange" | "staffRemove" => {
                let created = self
                    .setup(
                        Some(&self.admin),
                        &mutation("userCreate", "UserCreateInput", "user { id } errors { code message }"),
                        json!({ "i": { "email": format!("m{u}@example.org"), "password": PASSWORD, "name": "M",
                                "role": "COOPERATIVE", "cooperativeId": self.cooperative_a, "cooperativeRole": "STAFF" } }),
                        "userCreate",
                    )
                    .await;
                let user_id = text(&created, "/data/userCreate/user/id");
                if row == "staffRoleChange" {
                    (
                        mutation(row, "StaffRoleChangeInput", PAYLOAD),
                        json!({ "i": { "userId": user_id, "cooperativeRole": "MANAGER" } }),
                    )
                } else {
                    (
                        mutation(row, "StaffRemoveInput", PAYLOAD),
                        json!({ "i": { "userId": user_id } }),
                    )
                }
            }
            "cooperativeCreate" => (
                mutation("cooperativeCreate", "CooperativeFieldsInput", PAYLOAD),
                json!({ "i": new_cooperative(&u) }),
            ),
            "cooperativeUpdate" => (
                mutation("cooperativeUpdate", "CooperativeUpdateInput", PAYLOAD),
                json!({ "i": { "id": self.cooperative_a, "fields": { "contactPhone": "+91 1982 111111" } } }),
            ),
            "cooperativeVerify" => {
                // A new cooperative starts PENDING, so each caller has one to verify.
                let created = self
                    .setup(
                        Some(&self.admin),
                        &mutation("cooperativeCreate", "CooperativeFieldsInput", "cooperative { id } errors { field code message }"),
                        json!({ "i": new_cooperative(&u) }),
                        "cooperativeCreate",
                    )
                    .await;
                (
                    mutation("cooperativeVerify", "CooperativeVerifyInput", PAYLOAD),
                    json!({ "i": { "id": text(&created, "/data/cooperativeCreate/cooperative/id"), "status": "VERIFIED", "reason": "GSTIN checked" } }),
                )
            }
            "districtCreate" => (
                mutation("districtCreate", "DistrictCreateInput", PAYLOAD),
                json!({ "i": { "name": format!("District {u}") } }),
            ),
            "categoryUpdate" => (
                mutation("categoryUpdate", "CategoryUpdateInput", PAYLOAD),
                json!({ "i": { "slug": "apricot-jam", "gstRateBp": 500 } }),
            ),
            "productCreate" => (
                mutation("productCreate", "ProductCreateInput", PAYLOAD),
                json!({ "i": { "cooperativeId": self.cooperative_a, "categorySlug": "apricot-jam", "title": "Matrix jam",
                         "slug": format!("matrix-jam-{u}"), "attributes": { "form": "jam", "net_weight_g": 450 } } }),
            ),
            "productUpdate" => (
                mutation("productUpdate", "ProductUpdateInput", PAYLOAD),
                json!({ "i": { "id": self.product_a, "description": "Updated in the matrix." } }),
            ),
            "variantCreate" => (
                mutation("variantCreate", "VariantCreateInput", PAYLOAD),
                json!({ "i": { "productId": self.product_a, "variant": { "sku": format!("M-{}", &u[..8]), "title": "M",
                         "price": 1000, "mrp": 1000, "weightGrams": 10 } } }),
            ),
            "variantUpdate" => (
                mutation("variantUpdate", "VariantUpdateInput", PAYLOAD),
                json!({ "i": { "id": self.variant_a, "weightGrams": 521 } }),
            ),
            "stockAdjust" => (
                mutation("stockAdjust", "StockAdjustInput", PAYLOAD),
                json!({ "i": { "variantId": self.variant_a, "delta": 1, "reason": "RECOUNT" } }),
            ),
            "productImport" => {
                let content = csv(&[import_row(
                    &format!("matrix-import-{u}"),
                    &format!("MI-{}", &u[..8]),
                    "apricot-dried",
                    "1150.00",
                    "1250.00",
                    "Halman",
                )]);
                (
                    mutation("productImport", "ProductImportInput", "report { rowErrors { row message } } errors { field code message }"),
                    json!({ "i": { "cooperativeId": self.cooperative_a, "format": "CSV",
                                   "contentBase64": STANDARD.encode(content), "dryRun": true } }),
                )
            }
            "giTagUpdate" => (
                mutation("giTagUpdate", "GiTagUpdateInput", PAYLOAD),
                json!({ "i": { "id": self.gi_tag, "sourceNote": "checked" } }),
            ),
            "giAuthorisedUserRegister" => (
                mutation("giAuthorisedUserRegister", "GiAuthorisedUserRegisterInput", PAYLOAD),
                json!({ "i": { "giTagId": self.gi_tag, "cooperativeId": self.cooperative_a, "auNumber": format!("AU/{u}"),
                         "validFrom": "2023-01-01", "validUntil": "2030-01-01" } }),
            ),
            "giAuthorisedUserVerify" => {
                // A new registration waits for verification, one for each caller.
                let registered = self
                    .setup(
                        Some(&self.admin),
                        &mutation("giAuthorisedUserRegister", "GiAuthorisedUserRegisterInput", "authorisedUser { id } errors { field code message }"),
                        json!({ "i": { "giTagId": self.gi_tag, "cooperativeId": self.cooperative_a, "auNumber": format!("AU/{u}"),
                                 "validFrom": "2023-01-01", "validUntil": "2030-01-01" } }),
                        "giAuthorisedUserRegister",
                    )
                    .await;
                (
                    mutation("giAuthorisedUserVerify", "GiAuthorisedUserVerifyInput", PAYLOAD),
                    json!({ "i": { "id": text(&registered, "/data/giAuthorisedUserRegister/authorisedUser/id"), "approve": true } }),
                )
            }
            "productGiClaim" | "productGiClaimWithdraw" => {
                let claim = json!({ "i": { "productId": self.product_a, "giTagId": self.gi_tag } });
                // The claim exists before a withdrawal and not before a claim.
                let undo = if row == "productGiClaim" {
                    "productGiClaimWithdraw"
                } else {
                    "productGiClaim"
                };
                self.reset(
                    &mutation(undo, "ProductGiClaimInput", PAYLOAD),
                    claim.clone(),
                )
                .await;
                (mutation(row, "ProductGiClaimInput", PAYLOAD), claim)
            }
            "batchCreate" => (
                mutation("batchCreate", "BatchCreateInput", PAYLOAD),
                json!({ "i": { "variantId": self.variant_a, "code": format!("MX-{}", &u[..8].to_uppercase()),
                         "originVillage": "Domkhar", "originDistrict": "Sham", "producedOn": "2025-08-01", "quantity": 1 } }),
            ),
            "batchCorrect" | "batchVoid" => {
                // A fresh batch for each caller: a voided batch cannot change again.
                let code = format!("MV-{}", &u[..8].to_uppercase());
                self.setup(
                    Some(&self.admin),
                    &mutation("batchCreate", "BatchCreateInput", PAYLOAD),
                    json!({ "i": { "variantId": self.variant_a, "code": code, "originVillage": "Domkhar",
                                   "originDistrict": "Sham", "producedOn": "2025-08-01", "quantity": 1 } }),
                    "batchCreate",
                )
                .await;
                if row == "batchCorrect" {
                    (
                        mutation(row, "BatchCorrectInput", PAYLOAD),
                        json!({ "i": { "batchCode": code, "originVillage": "Domkar", "reason": "as the intake sheet says" } }),
                    )
                } else {
                    (
                        mutation(row, "BatchVoidInput", PAYLOAD),
                        json!({ "i": { "batchCode": code, "reason": "mould found by the lab" } }),
                    )
                }
            }
            "provenanceEventAdd" => (
                mutation("provenanceEventAdd", "ProvenanceEventAddInput", PAYLOAD),
                json!({ "i": { "batchCode": "LDK-RKA-25-0003", "kind": "CERTIFIED", "occurredAt": "2026-11-01T00:00:00Z", "location": "Leh" } }),
            ),
            "cartAddItem" => (
                mutation("cartAddItem", "CartAddItemInput", PAYLOAD),
                json!({ "i": { "variantId": self.variant_a, "quantity": 1 } }),
            ),
            "cartUpdateItem" | "cartRemoveItem" => {
                // A line to change, in the caller's own cart (a visitor's by its token).
                let mut cart_token = Value::Null;
                if SHOPPERS.contains(&caller) {
                    let added = self
                        .setup(
                            self.token(caller),
                            &mutation("cartAddItem", "CartAddItemInput", "cartToken errors { code message }"),
                            json!({ "i": { "variantId": self.variant_a, "quantity": 1 } }),
                            "cartAddItem",
                        )
                        .await;
                    cart_token = added["data"]["cartAddItem"]["cartToken"].clone();
                    if caller == Anonymous {
                        assert!(cart_token.is_string(), "a visitor's cart has a token: {added}");
                    }
                }
                if row == "cartUpdateItem" {
                    (
                        mutation(row, "CartUpdateItemInput", PAYLOAD),
                        json!({ "i": { "cartToken": cart_token, "variantId": self.variant_a, "quantity": 2 } }),
                    )
                } else {
                    (
                        mutation(row, "CartRemoveItemInput", PAYLOAD),
                        json!({ "i": { "cartToken": cart_token, "variantId": self.variant_a } }),
                    )
                }
            }
            "placeOrder" if caller == Institution => {
                // An institution orders on a purchase order with its consignees.
                self.fill_institutional_cart().await;
                (
                    mutation("placeOrder", "PlaceOrderInput", PAYLOAD),
                    self.purchase_order(),
                )
            }
            "placeOrder" => {
                if caller == Buyer {
                    self.setup(
                        self.token(caller),
                        &mutation("cartAddItem", "CartAddItemInput", PAYLOAD),
                        json!({ "i": { "variantId": self.variant_a, "quantity": 1 } }),
                        "cartAddItem",
                    )
                    .await;
                }
                (
                    mutation("placeOrder", "PlaceOrderInput", PAYLOAD),
                    json!({ "i": { "idempotencyKey": u, "paymentMethod": "CASH_ON_DELIVERY", "shippingAddress": leh() } }),
                )
            }
            "addressCreate" => (
                mutation(row, "AddressCreateInput", PAYLOAD),
                json!({ "i": { "address": leh() } }),
            ),
            "addressUpdate" | "addressDelete" => {
                // A saved address of the caller's own, or (for callers who keep none)
                // the matrix's buyer's.
                let owner = if PURCHASERS.contains(&caller) {
                    caller
                } else {
                    Buyer
                };
                let saved = self
                    .setup(
                        self.token(owner),
                        &mutation("addressCreate", "AddressCreateInput", "savedAddress { id } errors { code message }"),
                        json!({ "i": { "address": leh() } }),
                        "addressCreate",
                    )
                    .await;
                let id = saved["data"]["addressCreate"]["savedAddress"]["id"].clone();
                if row == "addressUpdate" {
                    (
                        mutation(row, "AddressUpdateInput", PAYLOAD),
                        json!({ "i": { "id": id, "label": "Stores" } }),
                    )
                } else {
                    (
                        mutation(row, "AddressDeleteInput", PAYLOAD),
                        json!({ "i": { "id": id } }),
                    )
                }
            }
            "fulfilmentPack" | "fulfilmentShip" | "fulfilmentDeliver" => {
                let (_, fulfilment, _) = self.buyer_order().await;
                let before: &[&str] = match row {
                    "fulfilmentPack" => &[],
                    "fulfilmentShip" => &["fulfilmentPack"],
                    _ => &["fulfilmentPack", "fulfilmentShip"],
                };
                self.advance(&fulfilment, before).await;
                if row == "fulfilmentShip" {
                    (
                        mutation(row, "FulfilmentShipInput", PAYLOAD),
                        json!({ "i": { "fulfilmentId": fulfilment, "carrier": "India Post", "trackingNumber": "EL2IN" } }),
                    )
                } else {
                    (
                        mutation(row, "FulfilmentInput", PAYLOAD),
                        json!({ "i": { "fulfilmentId": fulfilment } }),
                    )
                }
            }
            "media" => {
                let id = self.upload_a().await;
                (
                    "query($id: ID!) { media(id: $id) { id } }".into(),
                    json!({ "id": id }),
                )
            }
            "mediaUpload" => (
                mutation(row, "MediaUploadInput", PAYLOAD),
                json!({ "i": { "cooperativeId": self.cooperative_a, "file": null, "alt": "A grey square" } }),
            ),
            "mediaDelete" => {
                let id = self.upload_a().await;
                (
                    mutation(row, "MediaDeleteInput", PAYLOAD),
                    json!({ "i": { "id": id } }),
                )
            }
            "fulfilmentAccept" => {
                let fulfilment = self.delivered_institutional_fulfilment().await;
                (
                    mutation(row, "FulfilmentAcceptInput", PAYLOAD),
                    json!({ "i": { "fulfilmentId": fulfilment } }),
                )
            }
            "fulfilmentReceive" => {
                let fulfilment = self.delivered_institutional_fulfilment().await;
                (
                    mutation(row, "FulfilmentInput", PAYLOAD),
                    json!({ "i": { "fulfilmentId": fulfilment } }),
                )
            }
            "orderCancel" => {
                let (order, _, _) = self.buyer_order().await;
                (
                    mutation(row, "OrderCancelInput", PAYLOAD),
                    json!({ "i": { "orderId": order, "reason": "changed my mind" } }),
                )
            }
            "paymentMarkReceived" => {
                let (order, _, total) = self.buyer_order().await;
                (
                    mutation(row, "PaymentMarkReceivedInput", PAYLOAD),
                    json!({ "i": { "orderId": order, "amountPaise": total, "reference": format!("RCPT-{}", &u[..8]) } }),
                )
            }
            "paymentConfirm" => {
                // A Razorpay order of the buyer's, and Checkout's callback for it.
                let buyer = self.token(Buyer);
                self.setup(
                    buyer,
                    &mutation("cartAddItem", "CartAddItemInput", PAYLOAD),
                    json!({ "i": { "variantId": self.variant_a, "quantity": 1 } }),
                    "cartAddItem",
                )
                .await;
                let body = self
                    .setup(
                        buyer,
                        &mutation("placeOrder", "PlaceOrderInput", "errors { code message } order { id razorpayCheckout { razorpayOrderId } }"),
                        json!({ "i": { "idempotencyKey": unique(), "paymentMethod": "RAZORPAY", "shippingAddress": leh() } }),
                        "placeOrder",
                    )
                    .await;
                let order = &body["data"]["placeOrder"]["order"];
                let rzp = text(order, "/razorpayCheckout/razorpayOrderId");
                let payment = format!("pay_Matrix{}", &u[..8]);
                (
                    mutation(row, "PaymentConfirmInput", PAYLOAD),
                    json!({ "i": { "orderId": text(order, "/id"), "razorpayOrderId": rzp, "razorpayPaymentId": payment,
                                   "razorpaySignature": razorpay_fake::checkout_signature(razorpay_fake::KEY_SECRET, &rzp, &payment) } }),
                )
            }
            "orderRefund" => {
                let (order, fulfilment, total) = self.buyer_order().await;
                self.setup(
                    Some(&self.admin),
                    &mutation("paymentMarkReceived", "PaymentMarkReceivedInput", PAYLOAD),
                    json!({ "i": { "orderId": order, "amountPaise": total, "reference": "RCPT-MATRIX" } }),
                    "paymentMarkReceived",
                )
                .await;
                (
                    mutation(row, "OrderRefundInput", PAYLOAD),
                    json!({ "i": { "orderId": order, "fulfilmentId": fulfilment, "amountPaise": 100,
                                   "reason": "damaged in transit", "idempotencyKey": u } }),
                )
            }
            "fulfilmentReturnUndelivered" => {
                let (_, fulfilment, _) = self.buyer_order().await;
                self.advance(&fulfilment, &["fulfilmentPack", "fulfilmentShip"])
                    .await;
                (
                    mutation(row, "FulfilmentReturnUndeliveredInput", PAYLOAD),
                    json!({ "i": { "fulfilmentId": fulfilment, "reason": "refused at the door" } }),
                )
            }
            "invoiceCancel" => {
                let (_, fulfilment, _) = self.buyer_order().await;
                self.advance(&fulfilment, &["fulfilmentPack", "fulfilmentShip"])
                    .await;
                (
                    mutation(row, "InvoiceCancelInput", PAYLOAD),
                    json!({ "i": { "fulfilmentId": fulfilment, "reason": "buyer's name misspelt" } }),
                )
            }
            // A month long past, so that no other row's invoice is in a filed month.
            "gstr1MarkFiled" => (
                mutation(row, "Gstr1MarkFiledInput", PAYLOAD),
                json!({ "i": { "cooperativeId": self.cooperative_a, "period": "072017" } }),
            ),
            "debitNoteIssue" => {
                let (order, fulfilment, _) = self.buyer_order().await;
                self.advance(&fulfilment, &["fulfilmentPack", "fulfilmentShip"])
                    .await;
                let body = self
                    .server
                    .graphql_as(
                        Some(&self.admin),
                        "query($id: ID!) { order(id: $id) { fulfilments { lines { id } } } }",
                        json!({ "id": order }),
                    )
                    .await;
                let line = text(&body, "/data/order/fulfilments/0/lines/0/id");
                (
                    mutation(row, "DebitNoteIssueInput", PAYLOAD),
                    json!({ "i": { "fulfilmentId": fulfilment, "reason": "price correction",
                                   "lines": [{ "lineId": line, "amountPaise": 500 }] } }),
                )
            }
            "fulfilmentCashCollected" => {
                let (order, fulfilment, total) = self.buyer_order().await;
                self.advance(&fulfilment, &["fulfilmentPack", "fulfilmentShip"])
                    .await;
                (
                    mutation(row, "FulfilmentCashCollectedInput", PAYLOAD),
                    json!({ "i": { "fulfilmentId": fulfilment, "amountPaise": total,
                                   "reference": format!("CASH-{}-{}", &u[..8], &order[..4]) } }),
                )
            }
            "cooperativeRouteAccount" => (
                "query($id: ID!) { cooperativeRouteAccount(cooperativeId: $id) { effectiveCommissionBps } }".into(),
                json!({ "id": self.cooperative_a }),
            ),
            "orderPaymentIssueResolve" => {
                let (order, _, _) = self.buyer_order().await;
                (
                    mutation(row, "OrderPaymentIssueResolveInput", PAYLOAD),
                    json!({ "i": { "orderId": order, "note": "settled with the buyer" } }),
                )
            }
            "cooperativePayoutAccountSet" => (
                mutation(row, "CooperativePayoutAccountSetInput", PAYLOAD),
                self.payout_account(),
            ),
            "cooperativeRouteAccountSet" => (
                mutation(row, "CooperativeRouteAccountSetInput", PAYLOAD),
                json!({ "i": { "cooperativeId": self.cooperative_a,
                               "linkedAccountId": "acc_AuthzMatrix001", "commissionBps": 150 } }),
            ),
            "listOnChannel" => {
                self.reset(
                    &mutation("delistFromChannel", "ChannelProductInput", PAYLOAD),
                    json!({ "i": { "productId": self.product_a, "channel": "NCUI_HAAT" } }),
                )
                .await;
                (
                    mutation(row, "ChannelProductInput", PAYLOAD),
                    json!({ "i": { "productId": self.product_a, "channel": "NCUI_HAAT" } }),
                )
            }
            "delistFromChannel" => {
                self.listing_a().await;
                (
                    mutation(row, "ChannelProductInput", PAYLOAD),
                    json!({ "i": { "productId": self.product_a, "channel": "NCUI_HAAT" } }),
                )
            }
            "retryChannelSync" => {
                let listing = self.listing_a().await;
                (
                    mutation(row, "RetryChannelSyncInput", PAYLOAD),
                    json!({ "i": { "listingId": listing } }),
                )
            }
            other => panic!("the matrix has a row {other} but no call for it"),
        }
    }
}

/// No top-level error, the field's data present, and a payload's `errors` list empty.
fn succeeded(body: &Value, field: &str) -> bool {
    let top_level = body["errors"].as_array().is_some_and(|e| !e.is_empty());
    let data = &body["data"][field];
    let payload_errors = match data.get("errors") {
        Some(errors) => errors.as_array().is_none_or(|e| !e.is_empty()),
        None => false,
    };
    !top_level && !data.is_null() && !payload_errors
}

async fn every_call_is_allowed_or_denied_as_the_table_says(backend: Backend) -> anyhow::Result<()> {
    // With the platform's GSTIN, so that the GSTR-8 export (which needs it) can succeed,
    // and Razorpay, so that the buyer has a Checkout callback to confirm.
    let razorpay = razorpay_fake::FakeRazorpay::start().await?;
    let server = TestServer::spawn(
        backend,
        ServerOptions::seeded()
            .env("PLATFORM_GSTIN", "38AAECL4321K1ZF")
            .env("RAZORPAY_KEY_ID", razorpay_fake::KEY_ID)
            .env("RAZORPAY_KEY_SECRET", razorpay_fake::KEY_SECRET)
            .env("RAZORPAY_WEBHOOK_SECRET", razorpay_fake::WEBHOOK_SECRET)
            .env("RAZORPAY_API_BASE", &razorpay.base_url),
    )
    .await?;
    let admin = admin_token(&server).await;
    let cooperative_a = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let cooperative_b = cooperative_id(&server, &admin, "nubra-leh-berry-growers-demo").await;
    let product = server
        .graphql(
            "{ product(slug: \"raktsey-karpo-dried-apricots-500g\") { id variants { id } } }",
            json!({}),
        )
        .await;
    let institutional = server
        .graphql(
            "{ product(slug: \"raktsey-karpo-dried-apricots-5kg-institutional\") { variants { id minOrderQuantity } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        institutional["data"]["product"]["variants"][0]["minOrderQuantity"], 4,
        "{institutional}"
    );
    let tags = server.graphql("{ giTags { id slug } }", json!({})).await;
    let gi_tag = tags["data"]["giTags"]
        .as_array()
        .expect("giTags")
        .iter()
        .find(|t| t["slug"] == "raktsey-karpo-apricot")
        .map(|t| text(t, "/id"))
        .unwrap_or_else(|| panic!("no raktsey-karpo-apricot GI: {tags}"));
    let world_ids = (
        text(&product, "/data/product/id"),
        text(&product, "/data/product/variants/0/id"),
        text(&institutional, "/data/product/variants/0/id"),
    );

    let organisation = server
        .graphql_as(
            Some(&admin),
            "mutation { buyerOrganisationCreate(input: { name: \"Directorate\", kind: UT_GOVERNMENT_DEPARTMENT }) { buyerOrganisation { id } errors { code } } }",
            json!({}),
        )
        .await;
    let institution_email = "officer@directorate.example.org";
    let created = server
        .graphql_as(
            Some(&admin),
            "mutation($i: UserCreateInput!) { userCreate(input: $i) { errors { code } } }",
            json!({ "i": { "email": institution_email, "password": PASSWORD, "name": "Officer", "role": "INSTITUTION",
                     "buyerOrganisationId": text(&organisation, "/data/buyerOrganisationCreate/buyerOrganisation/id") } }),
        )
        .await;
    assert!(succeeded(&created, "userCreate"), "{created}");
    let tokens = vec![
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
    let world = World {
        server: &server,
        admin: admin.clone(),
        tokens,
        cooperative_a,
        product_a: world_ids.0,
        variant_a: world_ids.1,
        institutional_variant: world_ids.2,
        gi_tag,
    };
    // Every caller's orders draw on the same stock.
    for variant in [&world.variant_a, &world.institutional_variant] {
        world
            .setup(
                Some(&admin),
                &mutation("stockAdjust", "StockAdjustInput", PAYLOAD),
                json!({ "i": { "variantId": variant, "delta": 500, "reason": "RECOUNT" } }),
                "stockAdjust",
            )
            .await;
    }

    let mut mismatches = Vec::new();
    let mut calls = 0;
    // A signed-in caller's logout ends the session of the token it calls with, and the
    // setup of later calls uses the callers' tokens: every caller logs out last. The
    // e-invoice rows run first, with cooperative A above the threshold (E_INVOICE_ROWS).
    let (ending, others): (Vec<&Row>, Vec<&Row>) =
        ROWS.iter().partition(|row| row.name == "logout");
    let (einvoicing, others): (Vec<&Row>, Vec<&Row>) = others
        .into_iter()
        .partition(|row| E_INVOICE_ROWS.contains(&row.name));
    assert_eq!(einvoicing.len(), E_INVOICE_ROWS.len());
    let phase = |rows: Vec<&'static Row>| {
        CALLERS
            .iter()
            .flat_map(move |&caller| rows.clone().into_iter().map(move |row| (caller, row)))
            .collect::<Vec<_>>()
    };
    let phases = [phase(einvoicing), phase(others), phase(ending)];
    for (index, rows) in phases.into_iter().enumerate() {
        match index {
            0 => world.set_band_a("ABOVE_5_CRORE").await,
            1 => world.set_band_a("UP_TO_5_CRORE").await,
            _ => {}
        }
        for (caller, row) in rows {
            let (query, variables) = world.call(row.name, caller).await;
            let body = world
                .send(world.token(caller), row.name, &query, variables)
                .await;
            calls += 1;
            let ok = match row.expected(caller) {
                None => succeeded(&body, row.field()),
                Some(code) => error_code(&body) == Some(code),
            };
            if !ok {
                let wanted = row.expected(caller).unwrap_or("success");
                mismatches.push(format!("{caller:?} {} (wanted {wanted}): {body}", row.name));
            }
        }
    }
    assert_eq!(calls, CALLERS.len() * ROWS.len());
    assert!(
        mismatches.is_empty(),
        "authorisation mismatches:\n{}",
        mismatches.join("\n")
    );
    Ok(())
}

both_backends!(every_call_is_allowed_or_denied_as_the_table_says);
