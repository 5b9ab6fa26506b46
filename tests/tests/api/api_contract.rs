//! The API contract beyond GraphQL-over-HTTP: feeds' conditional requests, field paths
//! of user errors, and the catalogue behaving the same whichever way it is reached.

use std::collections::{BTreeMap, BTreeSet};

use async_graphql_parser::types::{
    BaseType, InputValueDefinition, Type, TypeKind, TypeSystemDefinition,
};
use reqwest::header;
use serde_json::{Value, json};

use crate::{
    both_backends,
    support::{
        Backend, ServerOptions, TestServer, error_code,
        flows::{admin_token, buyer_token, cooperative_id, product_id, staff_token, user_errors},
    },
};

const SDL: &str = include_str!("../../../api/schema.graphql");

const FEED_KEY: &str = "feed-key-for-contract-tests";

async fn feed(
    server: &TestServer,
    accept_encoding: Option<&str>,
    if_none_match: Option<&str>,
) -> reqwest::Response {
    let mut request = server
        .client
        .get(server.url("/feeds/ncui-haat/catalog.json"))
        .header("X-Api-Key", FEED_KEY);
    if let Some(coding) = accept_encoding {
        request = request.header(header::ACCEPT_ENCODING, coding);
    }
    if let Some(tags) = if_none_match {
        request = request.header(header::IF_NONE_MATCH, tags);
    }
    request.send().await.unwrap()
}

fn etag(response: &reqwest::Response) -> String {
    response.headers()[header::ETAG]
        .to_str()
        .unwrap()
        .to_owned()
}

async fn feeds_honour_weak_etags_per_content_coding(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(
        backend,
        ServerOptions::seeded().env("NCUI_HAAT_FEED_API_KEY", FEED_KEY),
    )
    .await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let staff = staff_token(&server, &admin, &sham, "STAFF").await;
    let apricots = product_id(&server, None, "raktsey-karpo-dried-apricots-500g").await;
    let listed = server
        .graphql_as(
            Some(&staff),
            "mutation($i: ChannelProductInput!) { listOnChannel(input: $i) { listing { state } errors { field message } } }",
            json!({ "i": { "productId": apricots, "channel": "NCUI_HAAT" } }),
        )
        .await;
    assert!(user_errors(&listed, "listOnChannel").is_empty(), "{listed}");

    let identity = feed(&server, None, None).await;
    assert_eq!(identity.status(), 200);
    assert!(identity.headers().get(header::CONTENT_ENCODING).is_none());
    let identity_tag = etag(&identity);
    let gzip = feed(&server, Some("gzip"), None).await;
    assert_eq!(gzip.status(), 200);
    assert_eq!(gzip.headers()[header::CONTENT_ENCODING], "gzip");
    let gzip_tag = etag(&gzip);
    assert_ne!(
        identity_tag, gzip_tag,
        "gzip and identity bodies share a tag"
    );

    // Strong, weak, in a list, and `*`.
    let weak = format!("W/{identity_tag}");
    let list = format!("\"something-else\", {weak}");
    for tags in [identity_tag.as_str(), weak.as_str(), list.as_str(), "*"] {
        let again = feed(&server, None, Some(tags)).await;
        assert_eq!(again.status(), 304, "If-None-Match: {tags}");
        assert_eq!(etag(&again), identity_tag);
    }
    let weak_gzip = format!("W/{gzip_tag}");
    let again = feed(&server, Some("gzip"), Some(&weak_gzip)).await;
    assert_eq!(again.status(), 304);
    assert_eq!(etag(&again), gzip_tag);
    // A tag of the other coding is another representation.
    assert_eq!(
        feed(&server, Some("gzip"), Some(&identity_tag))
            .await
            .status(),
        200
    );
    assert_eq!(feed(&server, None, Some(&gzip_tag)).await.status(), 200);
    assert_eq!(
        feed(&server, None, Some("W/\"not-this-feed\""))
            .await
            .status(),
        200
    );
    Ok(())
}

/// What the walker needs of the committed SDL: input objects' fields, enums' values,
/// and each mutation's arguments and payload type.
struct Sdl {
    inputs: BTreeMap<String, Vec<InputValueDefinition>>,
    enums: BTreeMap<String, Vec<String>>,
    mutations: Vec<(String, Vec<InputValueDefinition>, String)>,
    payload_fields: BTreeMap<String, BTreeSet<String>>,
}

fn named(ty: &Type) -> String {
    match &ty.base {
        BaseType::Named(name) => name.to_string(),
        BaseType::List(item) => named(item),
    }
}

fn read_sdl() -> Sdl {
    let document = async_graphql_parser::parse_schema(SDL).expect("the committed SDL parses");
    let mut sdl = Sdl {
        inputs: BTreeMap::new(),
        enums: BTreeMap::new(),
        mutations: Vec::new(),
        payload_fields: BTreeMap::new(),
    };
    let mut mutation_root = None;
    for definition in &document.definitions {
        if let TypeSystemDefinition::Schema(schema) = definition {
            mutation_root = schema.node.mutation.as_ref().map(|m| m.node.to_string());
        }
    }
    let mutation_root = mutation_root.expect("the SDL names its mutation root");
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let name = ty.node.name.node.to_string();
        match &ty.node.kind {
            TypeKind::InputObject(input) => {
                sdl.inputs
                    .insert(name, input.fields.iter().map(|f| f.node.clone()).collect());
            }
            TypeKind::Enum(values) => {
                sdl.enums.insert(
                    name,
                    values
                        .values
                        .iter()
                        .map(|v| v.node.value.node.to_string())
                        .collect(),
                );
            }
            TypeKind::Object(object) if name == mutation_root => {
                for field in &object.fields {
                    sdl.mutations.push((
                        field.node.name.node.to_string(),
                        field
                            .node
                            .arguments
                            .iter()
                            .map(|a| a.node.clone())
                            .collect(),
                        named(&field.node.ty.node),
                    ));
                }
            }
            TypeKind::Object(object) => {
                sdl.payload_fields.insert(
                    name,
                    object
                        .fields
                        .iter()
                        .map(|f| f.node.name.node.to_string())
                        .collect(),
                );
            }
            _ => {}
        }
    }
    sdl
}

/// How the walker fills an input: junk that validation should refuse, with ids either
/// malformed or of real objects (so that validation gets past "not found").
#[derive(Clone, Copy)]
enum Fill {
    Blank,
    BlankWithRealIds,
    Plausible,
}

impl Sdl {
    /// Whether a value of this type holds an `Upload` somewhere inside.
    fn carries_a_file(&self, ty: &Type, depth: usize) -> bool {
        match &ty.base {
            BaseType::List(item) => self.carries_a_file(item, depth),
            BaseType::Named(name) if name.as_str() == "Upload" => true,
            BaseType::Named(name) => {
                depth < 6
                    && self.inputs.get(name.as_str()).is_some_and(|fields| {
                        fields
                            .iter()
                            .any(|input| self.carries_a_file(&input.ty.node, depth + 1))
                    })
            }
        }
    }

    fn value(
        &self,
        ty: &Type,
        field: &str,
        fill: Fill,
        ids: &BTreeMap<&str, String>,
        depth: usize,
    ) -> Value {
        match &ty.base {
            BaseType::List(item) => {
                if depth > 4 {
                    json!([])
                } else {
                    json!([self.value(item, field, fill, ids, depth + 1)])
                }
            }
            BaseType::Named(name) => {
                let name = name.as_str();
                if let Some(fields) = self.inputs.get(name) {
                    let mut object = serde_json::Map::new();
                    for input in fields {
                        if depth > 4 && input.ty.node.nullable {
                            continue;
                        }
                        let key = input.name.node.to_string();
                        let value = self.value(&input.ty.node, &key, fill, ids, depth + 1);
                        object.insert(key, value);
                    }
                    return Value::Object(object);
                }
                if let Some(values) = self.enums.get(name) {
                    return match fill {
                        Fill::Plausible => json!(values.last().unwrap()),
                        _ => json!(values.first().unwrap()),
                    };
                }
                match (name, fill) {
                    ("ID", Fill::Blank) => json!("not-an-id"),
                    ("ID", _) => ids
                        .iter()
                        .find(|(suffix, _)| {
                            field.ends_with(*suffix) || field.eq_ignore_ascii_case(suffix)
                        })
                        .map(|(_, id)| json!(id))
                        .unwrap_or_else(|| json!(uuid::Uuid::new_v4().to_string())),
                    ("String", Fill::Plausible) => json!("x"),
                    ("String", _) => json!(""),
                    ("Int" | "Paise", Fill::Plausible) => json!(0),
                    ("Int" | "Paise", _) => json!(-1),
                    ("Float", _) => json!(-1.5),
                    ("Boolean", _) => json!(false),
                    ("DateTime", _) => json!("1999-01-01T00:00:00Z"),
                    ("NaiveDate", _) => json!("1999-01-01"),
                    ("JSON", _) => json!({}),
                    (other, _) => panic!("the walker has no value for scalar {other}"),
                }
            }
        }
    }

    /// Whether `path` (argument, then fields and list indexes) names a place in the
    /// mutation's arguments as the schema spells them.
    fn resolves(&self, arguments: &[InputValueDefinition], path: &[String]) -> bool {
        let Some((first, rest)) = path.split_first() else {
            return false;
        };
        let Some(argument) = arguments.iter().find(|a| a.name.node.as_str() == first) else {
            return false;
        };
        let mut ty = argument.ty.node.clone();
        for segment in rest {
            match &ty.base {
                BaseType::List(item) => {
                    if segment.parse::<usize>().is_err() {
                        return false;
                    }
                    ty = (**item).clone();
                }
                // Keys inside a JSON value (a category's attributes) are the client's own.
                BaseType::Named(name) if name.as_str() == "JSON" => return true,
                BaseType::Named(name) => {
                    let Some(fields) = self.inputs.get(name.as_str()) else {
                        return false;
                    };
                    let Some(field) = fields.iter().find(|f| f.name.node.as_str() == segment)
                    else {
                        return false;
                    };
                    ty = field.ty.node.clone();
                }
            }
        }
        true
    }
}

async fn every_user_error_names_an_input_field(backend: Backend) -> anyhow::Result<()> {
    let sdl = read_sdl();
    assert!(sdl.mutations.len() > 30, "too few mutations read");
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let manager = staff_token(&server, &admin, &sham, "MANAGER").await;
    let buyer = buyer_token(&server, "walker@example.org").await;
    let apricots = product_id(&server, None, "raktsey-karpo-dried-apricots-500g").await;
    let product = server
        .graphql(
            "query($id: ID!) { node: product(id: $id) { variants { id } } }",
            json!({ "id": apricots }),
        )
        .await;
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    ids.insert("cooperativeId", sham);
    ids.insert("productId", apricots);
    if let Some(variant) = product["data"]["node"]["variants"][0]["id"].as_str() {
        ids.insert("variantId", variant.to_owned());
    }

    let mut wrong: Vec<String> = Vec::new();
    let mut checked = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for (mutation, arguments, payload) in &sdl.mutations {
        let has_errors = sdl
            .payload_fields
            .get(payload)
            .is_some_and(|fields| fields.contains("errors"));
        // `logout` ends the session of the token it is called with, and every later
        // call of the walk would then be refused before it could check its input. A
        // file (`Upload`) travels only in a multipart request, never in JSON variables:
        // the media tests send those files and check their field errors.
        let takes_a_file = arguments.iter().any(|a| sdl.carries_a_file(&a.ty.node, 0));
        if !has_errors || mutation == "logout" || takes_a_file {
            continue;
        }
        let declarations: Vec<String> = arguments
            .iter()
            .map(|a| format!("${}: {}", a.name.node, a.ty.node))
            .collect();
        let passing: Vec<String> = arguments
            .iter()
            .map(|a| format!("{0}: ${0}", a.name.node))
            .collect();
        let document = format!(
            "mutation({}) {{ {mutation}({}) {{ errors {{ field code message }} }} }}",
            declarations.join(", "),
            passing.join(", ")
        );
        for fill in [Fill::Blank, Fill::BlankWithRealIds, Fill::Plausible] {
            let variables: serde_json::Map<String, Value> = arguments
                .iter()
                .map(|a| {
                    let name = a.name.node.to_string();
                    let value = sdl.value(&a.ty.node, &name, fill, &ids, 0);
                    (name, value)
                })
                .collect();
            for token in [&admin, &manager, &buyer] {
                let body = server
                    .graphql_as(
                        Some(token.as_str()),
                        &document,
                        Value::Object(variables.clone()),
                    )
                    .await;
                let Some(errors) = body["data"][mutation]["errors"].as_array() else {
                    continue;
                };
                for error in errors {
                    let path: Vec<String> = error["field"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|segment| segment.as_str().unwrap().to_owned())
                        .collect();
                    checked.insert(mutation.clone());
                    seen.insert(format!("{mutation}: {}", path.join(".")));
                    if !sdl.resolves(arguments, &path) {
                        wrong.push(format!(
                            "{mutation}: {} ({})",
                            path.join("."),
                            error["message"]
                        ));
                    }
                }
            }
        }
    }
    // The walk's generated addresses never pass, so placeOrder's cart checks are
    // reached here with a real address: an empty cart, then a price changed since the
    // buyer saw it.
    let leh = json!({ "name": "Tsering Dolma", "phone": "9876543210", "line1": "Main Bazaar", "city": "Leh", "pinCode": "194101", "stateCode": "38" });
    let place = "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { errors { field code message } } }";
    let place_input = json!({ "i": { "idempotencyKey": "walker-cart", "shippingAddress": leh, "paymentMethod": "CASH_ON_DELIVERY" } });
    // A fresh buyer and a product the walk did not touch.
    let shopper = buyer_token(&server, "walker-cart@example.org").await;
    let empty = server
        .graphql_as(Some(&shopper), place, place_input.clone())
        .await;
    let juice = product_id(&server, None, "nubra-leh-berry-juice-500ml").await;
    let juice = server
        .graphql(
            "query($id: ID!) { node: product(id: $id) { variants { id } } }",
            json!({ "id": juice }),
        )
        .await;
    let variant_id = juice["data"]["node"]["variants"][0]["id"].clone();
    server
        .graphql_as(
            Some(&shopper),
            "mutation($i: CartAddItemInput!) { cartAddItem(input: $i) { errors { field } } }",
            json!({ "i": { "variantId": variant_id, "quantity": 1 } }),
        )
        .await;
    let repriced = server
        .graphql_as(
            Some(&admin),
            "mutation($i: VariantUpdateInput!) { variantUpdate(input: $i) { errors { field } } }",
            json!({ "i": { "id": variant_id, "price": 12_345 } }),
        )
        .await;
    assert!(
        user_errors(&repriced, "variantUpdate").is_empty(),
        "{repriced}"
    );
    let changed = server.graphql_as(Some(&shopper), place, place_input).await;
    let arguments = &sdl
        .mutations
        .iter()
        .find(|(name, _, _)| name == "placeOrder")
        .unwrap()
        .1;
    for (body, code) in [(&empty, "REQUIRED"), (&changed, "PRICE_CHANGED")] {
        let errors = user_errors(body, "placeOrder");
        assert!(
            errors.iter().any(|e| e["code"] == code),
            "no {code}: {body}"
        );
        for error in errors {
            let path: Vec<String> = error["field"]
                .as_array()
                .unwrap()
                .iter()
                .map(|segment| segment.as_str().unwrap().to_owned())
                .collect();
            seen.insert(format!("placeOrder: {}", path.join(".")));
            if !sdl.resolves(arguments, &path) {
                wrong.push(format!(
                    "placeOrder: {} ({})",
                    path.join("."),
                    error["message"]
                ));
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "user error paths that name no input field:\n{}",
        wrong.join("\n")
    );
    eprintln!("mutations that returned user errors: {checked:?}");
    // The two the API contract names.
    for expected in [
        "productCreate: input.variants.0.price",
        "placeOrder: input.shippingAddress.pinCode",
        "placeOrder: input.cartToken",
    ] {
        assert!(seen.contains(expected), "{expected} not among {seen:#?}");
    }
    // Not vacuous: most mutations were made to refuse their input.
    assert!(
        checked.len() >= 20,
        "only {} mutations returned user errors: {checked:?}",
        checked.len()
    );
    Ok(())
}

const PRODUCT_FIELDS: &str = "slug declarations { mrp } variants { sku mrp { amount } }";

async fn product_by_slug(server: &TestServer, token: &str, slug: &str) -> Value {
    let body = server
        .graphql_as(
            Some(token),
            &format!("query($slug: String) {{ product(slug: $slug) {{ {PRODUCT_FIELDS} }} }}"),
            json!({ "slug": slug }),
        )
        .await;
    body["data"]["product"].clone()
}

fn skus(product: &Value) -> Vec<&str> {
    product["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["sku"].as_str().unwrap())
        .collect()
}

/// One product made by `productCreate` and one by import, each with its variants given
/// in an order that is not the SKUs' alphabetical one.
async fn made_both_ways(server: &TestServer) -> (String, Value, Value) {
    let admin = admin_token(server).await;
    let sham = cooperative_id(server, &admin, "sham-apricot-growers-demo").await;
    let manager = staff_token(server, &admin, &sham, "MANAGER").await;
    let created = server
        .graphql_as(
            Some(&manager),
            "mutation($input: ProductCreateInput!) { productCreate(input: $input) { product { id } errors { field message } } }",
            json!({ "input": {
                "cooperativeId": sham, "categorySlug": "apricot-dried", "title": "Contract Apricots",
                "slug": "contract-apricots",
                "attributes": { "variety": "Halman", "grade": "A", "form": "whole", "net_weight_g": 1000 },
                "variants": [
                    { "sku": "ZZ-CONTRACT-2KG", "title": "2 kg", "price": 220000, "mrp": 240000, "weightGrams": 2040 },
                    { "sku": "AA-CONTRACT-1KG", "title": "1 kg", "price": 115000, "mrp": 125000, "weightGrams": 1040 },
                    { "sku": "MM-CONTRACT-500G", "title": "500 g", "price": 60000, "mrp": 65000, "weightGrams": 540 }
                ]
            } }),
        )
        .await;
    assert!(
        user_errors(&created, "productCreate").is_empty(),
        "{created}"
    );
    let rows = vec![
        crate::import::row(
            "imported-contract",
            "ZZ-IMPORT-2KG",
            "apricot-dried",
            "2200.00",
            "2400.00",
            "Halman",
        ),
        crate::import::row(
            "imported-contract",
            "AA-IMPORT-1KG",
            "apricot-dried",
            "1150.00",
            "1250.00",
            "Halman",
        ),
    ];
    let imported = server
        .graphql_as(
            Some(&manager),
            "mutation($input: ProductImportInput!) { productImport(input: $input) { report { applied rowErrors { row message } } errors { field message } } }",
            json!({ "input": { "cooperativeId": sham, "format": "CSV",
                "contentBase64": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, crate::import::csv(&rows)),
                "dryRun": false } }),
        )
        .await;
    assert_eq!(
        imported["data"]["productImport"]["report"]["applied"], true,
        "{imported}"
    );
    let created = product_by_slug(server, &manager, "contract-apricots").await;
    let imported = product_by_slug(server, &manager, "imported-contract").await;
    (manager, created, imported)
}

async fn variants_keep_the_order_they_were_given_in(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let (_, created, imported) = made_both_ways(&server).await;
    assert_eq!(
        skus(&created),
        ["ZZ-CONTRACT-2KG", "AA-CONTRACT-1KG", "MM-CONTRACT-500G"]
    );
    assert_eq!(skus(&imported), ["ZZ-IMPORT-2KG", "AA-IMPORT-1KG"]);
    Ok(())
}

async fn declared_mrp_is_the_same_however_a_product_was_made(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let (manager, created, imported) = made_both_ways(&server).await;
    let seeded = product_by_slug(&server, &manager, "raktsey-karpo-dried-apricots-500g").await;
    // Created, imported and seeded alike: the declared MRP is the first variant's.
    for product in [&created, &imported, &seeded] {
        let first = &product["variants"][0]["mrp"]["amount"];
        assert!(first.is_i64(), "{product}");
        assert_eq!(&product["declarations"]["mrp"], first, "{product}");
    }
    Ok(())
}

const SEARCH: &str = "query($query: String, $filter: SearchFilter) { search(query: $query, filter: $filter, first: 50) { totalCount nodes { slug } } }";
const PRODUCTS: &str = "query($filter: ProductFilter) { products(filter: $filter, first: 100) { totalCount nodes { slug } } }";

async fn district_filters_ignore_letter_case(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    server.drain().await;
    let exact = server
        .graphql(PRODUCTS, json!({ "filter": { "district": "Leh" } }))
        .await;
    let leh = exact["data"]["products"]["totalCount"].as_u64().unwrap();
    assert!(leh > 0, "{exact}");
    for spelling in ["leh", "LEH", " Leh "] {
        let listed = server
            .graphql(PRODUCTS, json!({ "filter": { "district": spelling } }))
            .await;
        assert_eq!(
            listed["data"]["products"]["totalCount"], leh,
            "{spelling}: {listed}"
        );
        let found = server
            .graphql(SEARCH, json!({ "filter": { "district": spelling } }))
            .await;
        assert_eq!(
            found["data"]["search"]["totalCount"], leh,
            "{spelling}: {found}"
        );
    }
    let nowhere = server
        .graphql(PRODUCTS, json!({ "filter": { "district": "Atlantis" } }))
        .await;
    assert_eq!(nowhere["data"]["products"]["totalCount"], 0);
    Ok(())
}

async fn an_unknown_category_is_not_found_in_products_and_search(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    server.drain().await;
    let listed = server
        .graphql(
            PRODUCTS,
            json!({ "filter": { "categorySlug": "no-such-category" } }),
        )
        .await;
    assert_eq!(error_code(&listed), Some("NOT_FOUND"), "{listed}");
    let found = server
        .graphql(
            SEARCH,
            json!({ "filter": { "categorySlug": "no-such-category" } }),
        )
        .await;
    assert_eq!(error_code(&found), Some("NOT_FOUND"), "{found}");
    // A known one answers in both.
    let known = server
        .graphql(
            SEARCH,
            json!({ "filter": { "categorySlug": "apricot-dried" } }),
        )
        .await;
    assert!(
        known["data"]["search"]["totalCount"].as_u64().unwrap() > 0,
        "{known}"
    );
    Ok(())
}

async fn a_sku_can_be_searched(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    server.drain().await;
    for query in ["RKDA-500", "rkda-500"] {
        let found = server.graphql(SEARCH, json!({ "query": query })).await;
        let slugs: Vec<&str> = found["data"]["search"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["slug"].as_str().unwrap())
            .collect();
        assert_eq!(
            slugs.first(),
            Some(&"raktsey-karpo-dried-apricots-500g"),
            "{query}: {found}"
        );
    }
    Ok(())
}

both_backends!(
    feeds_honour_weak_etags_per_content_coding,
    every_user_error_names_an_input_field,
    variants_keep_the_order_they_were_given_in,
    declared_mrp_is_the_same_however_a_product_was_made,
    district_filters_ignore_letter_case,
    an_unknown_category_is_not_found_in_products_and_search,
    a_sku_can_be_searched,
);
