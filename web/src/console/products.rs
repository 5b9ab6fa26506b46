//! Products: the cooperative's list with status and stock; a new product's form
//! generated from its category's attribute schema (enum options as choices, required
//! marks, the unit in each label), its Legal Metrology declarations and a first
//! variant; the edit page with its variants' prices; activation, whose refusal shows
//! each missing declaration beside its field.

use super::SavedQuery;
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{
    Console, Frame,
    channels::{self, Listing},
    forms::{Errors, Field, UserError, paise, payload, rupees_field, whole},
    gi::{self, Authorisation, GiTag},
    images::{self, ProductImage},
    upload::{self, Unreadable},
};
use crate::{
    foundation::{FormData, PageInfo, encode, field},
    i18n::Tr,
    money,
};

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AttributeDef {
    key: String,
    label: String,
    kind: String,
    required: bool,
    options: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Category {
    slug: String,
    name: String,
    parent_id: Option<String>,
    id: String,
    is_food: bool,
    attribute_schema: Vec<AttributeDef>,
}

const CATEGORY_FIELDS: &str =
    "id slug name parentId isFood attributeSchema { key label kind required options }";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Declarations {
    net_quantity: Option<String>,
    manufacturer_name: Option<String>,
    manufacturer_address: Option<String>,
    country_of_origin: Option<String>,
    best_before_months: Option<i64>,
    consumer_care: Option<ConsumerCare>,
}

/// Consumer care as the API holds it: an address, a phone and an email.
#[derive(Debug, Clone, Default, Deserialize)]
struct ConsumerCare {
    address: String,
    phone: String,
    email: String,
}

/// The consumer-care parts, each its own field (`declarations.consumerCare.address`…).
const CONSUMER_CARE_PARTS: [&str; 3] = ["address", "phone", "email"];

/// A missing consumer care is reported on `declarations.consumerCare` itself; it is
/// shown beside the first of its parts.
const CONSUMER_CARE: &str = "declarations.consumerCare";

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Amount {
    pub amount: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VariantRow {
    pub id: String,
    pub sku: String,
    pub title: String,
    price: Amount,
    mrp: Amount,
    pub stock_on_hand: i64,
    min_order_quantity: i64,
    tier_prices: Vec<Tier>,
}

/// A quantity break: from `min_quantity` units on, each costs `price` paise.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Tier {
    min_quantity: i64,
    price: i64,
}

/// The tier rows a variant's form offers: its tiers and this many empty rows more
/// (the API takes at most ten).
const SPARE_TIER_ROWS: usize = 2;
const MAX_TIERS: usize = 10;

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct IdOnly {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Product {
    id: String,
    slug: String,
    title: String,
    description: String,
    status: String,
    attributes: Value,
    cooperative: OwnCooperative,
    category: Category,
    declarations: Declarations,
    variants: Vec<VariantRow>,
    images: Vec<ProductImage>,
    gi_claims: Vec<GiClaim>,
    /// The GI register, for the names of the GIs the cooperative is authorised for.
    #[serde(skip)]
    gi_tags: Vec<GiTag>,
    local_content_percent: Option<i64>,
    delivery_lead_time_days: Option<i64>,
    /// Its listings on the sales channels.
    #[serde(skip)]
    listings: Vec<Listing>,
}

/// The product's cooperative, with the GI authorisations its claims rest on.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OwnCooperative {
    id: String,
    gi_authorisations: Vec<Authorisation>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GiClaim {
    gi_tag: GiTagName,
    authorisation: Option<Authorisation>,
    valid_now: bool,
}

#[derive(Debug, Clone, Deserialize)]
struct GiTagName {
    id: String,
    name: String,
}

const PRODUCT: &str = "query($id: ID!) { giTags { id name expiryDate inForce }
  channelListings(filter: { productId: $id }, first: 10) { nodes { id channel state wanted rejectionReasons lastError pendingChanges deadLettered } }
  product(id: $id) { id slug title description status attributes localContentPercent deliveryLeadTimeDays
  cooperative { id giAuthorisations { giTagId auNumber validFrom validUntil status validNow } }
  giClaims { giTag { id name } validNow authorisation { giTagId auNumber validFrom validUntil status validNow } }
  category { id slug name parentId isFood attributeSchema { key label kind required options } }
  declarations { netQuantity manufacturerName manufacturerAddress countryOfOrigin bestBeforeMonths consumerCare { address phone email } }
  variants { id sku title price { amount } mrp { amount } stockOnHand minOrderQuantity tierPrices { minQuantity price } }
  images { url(width: 320) alt mediaId srcset width height renditions { width height } } } }";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProductData {
    product: Option<Product>,
    gi_tags: Vec<GiTag>,
    channel_listings: ListingNodes,
}

#[derive(Deserialize)]
struct ListingNodes {
    nodes: Vec<Listing>,
}

/// Loads a product of this member of staff's cooperative (with the register's GIs);
/// anything else is a 404.
async fn own_product(console: &mut Console, id: &str) -> Result<Product, HttpResponse> {
    let data: ProductData = console
        .ctx
        .run(PRODUCT, json!({ "id": id }))
        .await
        .map_err(|error| console.failure(error))?;
    match data.product {
        Some(mut product) if console.owns(&product.cooperative.id) => {
            product.gi_tags = data.gi_tags;
            product.listings = data.channel_listings.nodes;
            Ok(product)
        }
        _ => Err(console.not_found()),
    }
}

/// [`Console::open_form`] for a form posted to one of the product's pages, then the
/// product, which must be this member of staff's (else the 404 page).
async fn posted_to_own_product(
    request: &HttpRequest,
    form: &FormData,
    id: &str,
) -> Result<(Console, Product), HttpResponse> {
    let mut console = Console::open_form(request, form).await?;
    let product = own_product(&mut console, id).await?;
    Ok((console, product))
}

// ---------------------------------------------------------------- the list

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListVariant {
    stock_on_hand: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListProduct {
    id: String,
    title: String,
    status: String,
    #[serde(skip)]
    status_label: String,
    category: NameOnly,
    variants: Vec<ListVariant>,
}

#[derive(Debug, Clone, Deserialize)]
struct NameOnly {
    name: String,
}

impl ListProduct {
    fn stock(&self) -> i64 {
        self.variants
            .iter()
            .fold(0i64, |sum, v| sum.saturating_add(v.stock_on_hand))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListConnection {
    total_count: i64,
    nodes: Vec<ListProduct>,
    page_info: PageInfo,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListData {
    cooperative_products: ListConnection,
}

#[derive(Template)]
#[template(path = "console/products.html")]
struct ListPage {
    frame: Frame,
    total: i64,
    products: Vec<ListProduct>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct AfterQuery {
    after: Option<String>,
}

fn status_label(t: &Tr, status: &str) -> String {
    t.t(&format!("con-status-{}", status.to_lowercase()))
}

async fn list(request: HttpRequest, query: web::Query<AfterQuery>) -> HttpResponse {
    let mut console = match Console::open(&request).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let Some(cooperative) = console.cooperative() else {
        return console.not_found();
    };
    let data: ListData = match console
        .ctx
        .run(
            "query($c: ID!, $after: String) { cooperativeProducts(cooperativeId: $c, first: 30, after: $after) { totalCount nodes { id title status category { name } variants { stockOnHand } } pageInfo { hasNextPage endCursor } } }",
            json!({ "c": cooperative, "after": query.after }),
        )
        .await
    {
        Ok(data) => data,
        Err(error) => return console.failure(error),
    };
    let mut connection = data.cooperative_products;
    for product in &mut connection.nodes {
        product.status_label = status_label(&console.ctx.t, &product.status);
    }
    let next = connection
        .page_info
        .has_next_page
        .then_some(connection.page_info.end_cursor)
        .flatten()
        .map(|cursor| format!("/console/products?after={}", encode(&cursor)));
    let page = ListPage {
        frame: console.frame("con-products", "/console/products", "products"),
        total: connection.total_count,
        products: connection.nodes,
        next,
    };
    console.ctx.render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------- the form

/// A stored attribute value as a form shows it.
fn attribute_text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn attribute_fields(
    t: &Tr,
    category: &Category,
    form: Option<&FormData>,
    stored: &Value,
    errors: &Errors,
) -> Vec<Field> {
    category
        .attribute_schema
        .iter()
        .map(|def| {
            let name = format!("attributes.{}", def.key);
            let field = match def.kind.as_str() {
                "ENUM" => Field::new(&name, def.label.clone(), "select")
                    .options(def.options.iter().map(|o| (o.clone(), o.clone())).collect()),
                "BOOLEAN" => Field::new(&name, def.label.clone(), "select").options(vec![
                    ("true".into(), t.t("con-yes")),
                    ("false".into(), t.t("con-no")),
                ]),
                "NUMBER" => Field::new(&name, def.label.clone(), "number").decimal(),
                _ => Field::new(&name, def.label.clone(), "text"),
            };
            field
                .required(def.required)
                .fill(form, &attribute_text(stored.get(&def.key)), errors)
        })
        .collect()
}

const DECLARATIONS: [&str; 4] = [
    "netQuantity",
    "manufacturerName",
    "manufacturerAddress",
    "countryOfOrigin",
];

fn declaration_fields(
    t: &Tr,
    is_food: bool,
    form: Option<&FormData>,
    stored: &Declarations,
    errors: &Errors,
) -> Vec<Field> {
    let mut fields: Vec<Field> = DECLARATIONS
        .iter()
        .map(|key| {
            let value = match *key {
                "netQuantity" => stored.net_quantity.clone(),
                "manufacturerName" => stored.manufacturer_name.clone(),
                "manufacturerAddress" => stored.manufacturer_address.clone(),
                _ => stored.country_of_origin.clone(),
            };
            let kind = if *key == "manufacturerAddress" {
                "textarea"
            } else {
                "text"
            };
            Field::new(
                &format!("declarations.{key}"),
                t.t(&format!("con-decl-{key}")),
                kind,
            )
            .hint(t.t(&format!("con-decl-{key}-hint")))
            .required(true)
            .fill(form, value.as_deref().unwrap_or_default(), errors)
        })
        .collect();
    let care = stored.consumer_care.clone().unwrap_or_default();
    for (index, part) in CONSUMER_CARE_PARTS.iter().enumerate() {
        let (value, kind) = match *part {
            "address" => (&care.address, "textarea"),
            "phone" => (&care.phone, "tel"),
            _ => (&care.email, "email"),
        };
        let mut field = Field::new(
            &format!("{CONSUMER_CARE}.{part}"),
            t.t(&format!("con-decl-consumerCare-{part}")),
            kind,
        )
        .hint(t.t(&format!("con-decl-consumerCare-{part}-hint")))
        .required(true)
        .fill(form, value, errors);
        if index == 0 && field.error.is_none() {
            field.error = errors.of(CONSUMER_CARE);
        }
        fields.push(field);
    }
    if is_food {
        fields.push(
            Field::new(
                "declarations.bestBeforeMonths",
                t.t("con-decl-bestBeforeMonths"),
                "number",
            )
            .numeric()
            .hint(t.t("con-decl-bestBeforeMonths-hint"))
            .required(true)
            .fill(
                form,
                &stored
                    .best_before_months
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                errors,
            ),
        );
    }
    fields
}

/// What government buyers (GeM) need to know: Make in India local content and the
/// delivery lead time.
fn procurement_fields(
    t: &Tr,
    form: Option<&FormData>,
    product: &Product,
    errors: &Errors,
) -> Vec<Field> {
    let stored = |value: Option<i64>| value.map(|v| v.to_string()).unwrap_or_default();
    vec![
        Field::new(
            "procurement.localContentPercent",
            t.t("con-local-content"),
            "number",
        )
        .numeric()
        .hint(t.t("con-local-content-hint"))
        .fill(form, &stored(product.local_content_percent), errors),
        Field::new(
            "procurement.deliveryLeadTimeDays",
            t.t("con-lead-time"),
            "number",
        )
        .numeric()
        .hint(t.t("con-lead-time-hint"))
        .fill(form, &stored(product.delivery_lead_time_days), errors),
    ]
}

/// The procurement facts typed, as `ProcurementInput` (it replaces the stored ones: a
/// field left empty clears it).
fn procurement_input(t: &Tr, form: &FormData, errors: &mut Errors) -> Value {
    let mut number = |key: &str| {
        let name = format!("procurement.{key}");
        whole(field(form, &name), &name, t, errors)
    };
    json!({
        "localContentPercent": number("localContentPercent"),
        "deliveryLeadTimeDays": number("deliveryLeadTimeDays"),
    })
}

fn basic_fields(
    t: &Tr,
    form: Option<&FormData>,
    title: &str,
    description: &str,
    errors: &Errors,
) -> Vec<Field> {
    vec![
        Field::new("title", t.t("con-product-title"), "text")
            .required(true)
            .fill(form, title, errors),
        Field::new("description", t.t("con-product-description"), "textarea").fill(
            form,
            description,
            errors,
        ),
    ]
}

/// The fields of a new variant, under `prefix` (`variants.0` in a new product's
/// input, `variant` in `variantCreate`'s).
fn new_variant_fields(
    t: &Tr,
    prefix: &str,
    form: Option<&FormData>,
    errors: &Errors,
) -> Vec<Field> {
    let name = |key: &str| format!("{prefix}.{key}");
    vec![
        Field::new(&name("sku"), t.t("con-variant-sku"), "text")
            .hint(t.t("con-variant-sku-hint"))
            .required(true)
            .fill(form, "", errors),
        Field::new(&name("title"), t.t("con-variant-title"), "text")
            .hint(t.t("con-variant-title-hint"))
            .required(true)
            .fill(form, "", errors),
        Field::new(&name("price"), t.t("con-variant-price"), "text")
            .decimal()
            .hint(t.t("con-rupees-hint"))
            .required(true)
            .fill(form, "", errors),
        Field::new(&name("mrp"), t.t("con-variant-mrp"), "text")
            .decimal()
            .hint(t.t("con-rupees-hint"))
            .required(true)
            .fill(form, "", errors),
        Field::new(&name("weightGrams"), t.t("con-variant-weight"), "number")
            .numeric()
            .required(true)
            .fill(form, "", errors),
    ]
}

/// The attributes typed into the form, as the API takes them: numbers as numbers,
/// yes/no as booleans, blanks left out (a required one is then reported missing).
fn attributes_input(category: &Category, form: &FormData) -> Value {
    let mut attributes = Map::new();
    for def in &category.attribute_schema {
        let text = field(form, &format!("attributes.{}", def.key));
        if text.is_empty() {
            continue;
        }
        let value = match def.kind.as_str() {
            "NUMBER" => text
                .parse::<i64>()
                .map(Value::from)
                .ok()
                .or_else(|| {
                    text.parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map(Value::Number)
                })
                // Not a number: sent as typed, for the API to say what it expects.
                .unwrap_or_else(|| Value::from(text)),
            "BOOLEAN" => match text {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                other => Value::from(other),
            },
            _ => Value::from(text),
        };
        attributes.insert(def.key.clone(), value);
    }
    Value::Object(attributes)
}

fn declarations_input(t: &Tr, is_food: bool, form: &FormData, errors: &mut Errors) -> Value {
    let text = |key: &str| {
        let value = field(form, &format!("declarations.{key}"));
        (!value.is_empty()).then(|| value.to_owned())
    };
    let mut declarations = json!({
        "netQuantity": text("netQuantity"),
        "manufacturerName": text("manufacturerName"),
        "manufacturerAddress": text("manufacturerAddress"),
        "countryOfOrigin": text("countryOfOrigin"),
        "consumerCare": consumer_care_input(form),
    });
    if is_food && let Some(object) = declarations.as_object_mut() {
        let months = whole(
            field(form, "declarations.bestBeforeMonths"),
            "declarations.bestBeforeMonths",
            t,
            errors,
        );
        object.insert("bestBeforeMonths".into(), json!(months));
    }
    declarations
}

/// The consumer care typed into its three fields, or null when all are empty (then
/// activation names the missing declaration); parts left empty are refused by the API
/// beside their own fields.
fn consumer_care_input(form: &FormData) -> Value {
    let parts: Vec<(&str, &str)> = CONSUMER_CARE_PARTS
        .iter()
        .map(|part| (*part, field(form, &format!("{CONSUMER_CARE}.{part}"))))
        .collect();
    if parts.iter().all(|(_, value)| value.is_empty()) {
        return Value::Null;
    }
    Value::Object(
        parts
            .into_iter()
            .map(|(part, value)| (part.to_owned(), Value::from(value)))
            .collect(),
    )
}

/// A variant typed into the form under `prefix`, as `VariantInput`.
fn variant_input(t: &Tr, prefix: &str, form: &FormData, errors: &mut Errors) -> Value {
    let name = |key: &str| format!("{prefix}.{key}");
    let mut amount = |key: &str| {
        let text = field(form, &name(key));
        if text.is_empty() {
            // A null would refuse the whole document: said beside the field instead.
            errors.push(&name(key), t.t("con-error-required"));
            return None;
        }
        let amount = paise(text);
        if amount.is_none() {
            errors.push(&name(key), t.t("con-error-rupees"));
        }
        amount
    };
    let price = amount("price");
    let mrp = amount("mrp");
    let weight = whole(
        field(form, &name("weightGrams")),
        &name("weightGrams"),
        t,
        errors,
    );
    if weight.is_none() && errors.of(&name("weightGrams")).is_none() {
        errors.push(&name("weightGrams"), t.t("con-error-required"));
    }
    json!({
        "sku": field(form, &name("sku")),
        "title": field(form, &name("title")),
        "price": price,
        "mrp": mrp,
        "weightGrams": weight,
    })
}

fn variant_typed(prefix: &str, form: &FormData) -> bool {
    ["sku", "title", "price", "mrp", "weightGrams"]
        .iter()
        .any(|key| !field(form, &format!("{prefix}.{key}")).is_empty())
}

// ---------------------------------------------------------------- new product

#[derive(Deserialize)]
struct CategoriesData {
    categories: Vec<Category>,
}

#[derive(Template)]
#[template(path = "console/category_pick.html")]
struct CategoryPage {
    frame: Frame,
    /// Each top-level category with its children.
    groups: Vec<(Category, Vec<Category>)>,
}

#[derive(Template)]
#[template(path = "console/product_new.html")]
struct NewPage {
    frame: Frame,
    category: Category,
    basics: Vec<Field>,
    attributes: Vec<Field>,
    declarations: Vec<Field>,
    variant: Vec<Field>,
    errors: Vec<String>,
}

#[derive(Deserialize)]
struct CategoryQuery {
    category: Option<String>,
}

async fn categories(console: &mut Console) -> Result<Vec<Category>, HttpResponse> {
    let data: CategoriesData = console
        .ctx
        .run(
            &format!("{{ categories {{ {CATEGORY_FIELDS} }} }}"),
            json!({}),
        )
        .await
        .map_err(|error| console.failure(error))?;
    Ok(data.categories)
}

fn new_page(
    console: &Console,
    category: Category,
    form: Option<&FormData>,
    errors: &Errors,
    status: StatusCode,
) -> HttpResponse {
    let t = console.ctx.t;
    let basics = basic_fields(&t, form, "", "", errors);
    let attributes = attribute_fields(&t, &category, form, &Value::Null, errors);
    let declarations =
        declaration_fields(&t, category.is_food, form, &Declarations::default(), errors);
    let variant = new_variant_fields(&t, "variants.0", form, errors);
    let names: Vec<String> = basics
        .iter()
        .chain(&attributes)
        .chain(&declarations)
        .chain(&variant)
        .map(|f| f.name.clone())
        .chain([CONSUMER_CARE.to_owned()])
        .collect();
    let page = NewPage {
        frame: console.frame_titled(
            t.t1("con-new-product-in", "category", &category.name),
            "/console/products/new",
            "products",
        ),
        category,
        basics,
        attributes,
        declarations,
        variant,
        errors: errors.general(&names),
    };
    console.ctx.render(status, &page)
}

async fn new_product(request: HttpRequest, query: web::Query<CategoryQuery>) -> HttpResponse {
    let mut console = match Console::open(&request).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    if console.cooperative().is_none() {
        return console.not_found();
    }
    let all = match categories(&mut console).await {
        Ok(all) => all,
        Err(response) => return response,
    };
    match query.category.as_deref() {
        Some(slug) => match all.into_iter().find(|c| c.slug == slug) {
            Some(category) => {
                new_page(&console, category, None, &Errors::default(), StatusCode::OK)
            }
            None => console.not_found(),
        },
        None => {
            let groups = all
                .iter()
                .filter(|c| c.parent_id.is_none())
                .map(|parent| {
                    let children = all
                        .iter()
                        .filter(|c| c.parent_id.as_deref() == Some(parent.id.as_str()))
                        .cloned()
                        .collect();
                    (parent.clone(), children)
                })
                .collect();
            let page = CategoryPage {
                frame: console.frame("con-new-product", "/console/products/new", "products"),
                groups,
            };
            console.ctx.render(StatusCode::OK, &page)
        }
    }
}

#[derive(Deserialize)]
struct CreatedProduct {
    id: String,
}

#[derive(Deserialize)]
struct ProductPayload {
    product: Option<CreatedProduct>,
    errors: Vec<UserError>,
}

async fn create_product(request: HttpRequest, form: web::Form<FormData>) -> HttpResponse {
    let form = form.into_inner();
    let mut console = match Console::open_form(&request, &form).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let Some(cooperative) = console.cooperative() else {
        return console.not_found();
    };
    let all = match categories(&mut console).await {
        Ok(all) => all,
        Err(response) => return response,
    };
    let Some(category) = all.into_iter().find(|c| c.slug == field(&form, "category")) else {
        return console.not_found();
    };
    let t = console.ctx.t;
    let mut errors = Errors::default();
    let declarations = declarations_input(&t, category.is_food, &form, &mut errors);
    let variants = if variant_typed("variants.0", &form) {
        vec![variant_input(&t, "variants.0", &form, &mut errors)]
    } else {
        Vec::new()
    };
    if !errors.is_empty() {
        return new_page(
            &console,
            category,
            Some(&form),
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let input = json!({
        "cooperativeId": cooperative,
        "categorySlug": category.slug,
        "title": field(&form, "title"),
        "description": field(&form, "description"),
        "attributes": attributes_input(&category, &form),
        "declarations": declarations,
        "variants": variants,
    });
    let created: ProductPayload = match console
        .ctx
        .run::<Value>(
            "mutation($input: ProductCreateInput!) { productCreate(input: $input) { product { id } errors { field message } } }",
            json!({ "input": input }),
        )
        .await
        .and_then(|data| payload(&data, "productCreate"))
    {
        Ok(created) => created,
        Err(error) => return console.failure(error),
    };
    match created.product {
        Some(product) if created.errors.is_empty() => console
            .ctx
            .redirect(&format!("/console/products/{}?saved=created", product.id)),
        _ => new_page(
            &console,
            category,
            Some(&form),
            &Errors::from_user_errors(&created.errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}

// ---------------------------------------------------------------- edit

/// A variant's row on the product page, with its price form.
struct VariantView {
    id: String,
    sku: String,
    title: String,
    price: String,
    mrp: String,
    stock: i64,
    fields: Vec<Field>,
    /// The quantity breaks, a row of two fields (minimum quantity, price) each.
    tiers: Vec<Vec<Field>>,
    /// Each stored break as the staff read it ("from 12: ₹400.00").
    tier_summary: Vec<(i64, String)>,
    errors: Vec<String>,
}

/// A variant's tier rows: what was typed when its form was sent, else its stored tiers,
/// then empty rows to add more. A whole-row error (tiers must rise in quantity and
/// fall in price) is shown beside the row's quantity.
fn tier_fields(
    t: &Tr,
    variant: &VariantRow,
    form: Option<&FormData>,
    errors: &Errors,
) -> Vec<Vec<Field>> {
    let rows = variant
        .tier_prices
        .len()
        .saturating_add(SPARE_TIER_ROWS)
        .min(MAX_TIERS);
    (0..rows)
        .map(|index| {
            let stored = variant.tier_prices.get(index);
            let name = |key: &str| format!("tierPrices.{index}.{key}");
            let mut quantity = Field::new(&name("minQuantity"), t.t("con-tier-from"), "number")
                .numeric()
                .scoped(&variant.id)
                .fill(
                    form,
                    &stored
                        .map(|s| s.min_quantity.to_string())
                        .unwrap_or_default(),
                    errors,
                );
            if quantity.error.is_none() {
                quantity.error = errors.of(&format!("tierPrices.{index}"));
            }
            let price = Field::new(&name("price"), t.t("con-tier-price"), "text")
                .decimal()
                .hint(t.t("con-rupees-hint"))
                .scoped(&variant.id)
                .fill(
                    form,
                    &stored.map(|s| rupees_field(s.price)).unwrap_or_default(),
                    errors,
                );
            vec![quantity, price]
        })
        .collect()
}

/// The tiers typed into a variant's form, empty rows left out, as `TierPriceInput`s;
/// with, for each one sent, the row it came from (the API's errors name the position
/// in the list sent, the form's fields the row).
fn tiers_input(t: &Tr, form: &FormData, errors: &mut Errors) -> (Vec<Value>, Vec<usize>) {
    let mut tiers = Vec::new();
    let mut rows = Vec::new();
    for index in 0..MAX_TIERS {
        let quantity_name = format!("tierPrices.{index}.minQuantity");
        let price_name = format!("tierPrices.{index}.price");
        let quantity_text = field(form, &quantity_name);
        let price_text = field(form, &price_name);
        if quantity_text.is_empty() && price_text.is_empty() {
            continue;
        }
        let quantity = whole(quantity_text, &quantity_name, t, errors);
        if quantity_text.is_empty() {
            errors.push(&quantity_name, t.t("con-error-required"));
        }
        let price = if price_text.is_empty() {
            errors.push(&price_name, t.t("con-error-required"));
            None
        } else {
            let price = paise(price_text);
            if price.is_none() {
                errors.push(&price_name, t.t("con-error-rupees"));
            }
            price
        };
        if let (Some(quantity), Some(price)) = (quantity, price) {
            tiers.push(json!({ "minQuantity": quantity, "price": price }));
            rows.push(index);
        }
    }
    (tiers, rows)
}

/// The API's errors about the tiers sent, renamed to the form rows they came from.
fn tier_errors_to_rows(errors: Errors, rows: &[usize]) -> Errors {
    Errors(
        errors
            .0
            .into_iter()
            .map(|(path, message)| {
                let renamed = path
                    .strip_prefix("tierPrices.")
                    .and_then(|rest| {
                        let (position, tail) = match rest.split_once('.') {
                            Some((position, tail)) => (position, Some(tail)),
                            None => (rest, None),
                        };
                        let row = rows.get(position.parse::<usize>().ok()?)?;
                        Some(match tail {
                            Some(tail) => format!("tierPrices.{row}.{tail}"),
                            None => format!("tierPrices.{row}"),
                        })
                    })
                    .unwrap_or(path);
                (renamed, message)
            })
            .collect(),
    )
}

#[derive(Template)]
#[template(path = "console/product_edit.html")]
struct EditPage {
    frame: Frame,
    id: String,
    slug: String,
    status: String,
    status_label: String,
    category: String,
    basics: Vec<Field>,
    attributes: Vec<Field>,
    declarations: Vec<Field>,
    errors: Vec<String>,
    variants: Vec<VariantView>,
    new_variant: Vec<Field>,
    new_variant_errors: Vec<String>,
    saved: Option<String>,
    images: Vec<ProductImage>,
    /// The upload form's alt-text field (one, as the fields template takes a list).
    image_alt: Vec<Field>,
    /// What the API said about the chosen file, shown beside the file input.
    image_file_error: Option<String>,
    image_errors: Vec<String>,
    procurement: Vec<Field>,
    channels: Vec<channels::ChannelView>,
    gi_claims: Vec<ClaimView>,
    /// The claim form's one field (a list, as the fields template takes); empty when
    /// no authorisation of the cooperative holds today for a GI not yet claimed.
    gi_claim: Vec<Field>,
    gi_errors: Vec<String>,
}

/// A GI claim on the product page: whether it counts today, and the authorisation it
/// rests on with that one's warnings.
struct ClaimView {
    gi_tag_id: String,
    gi: String,
    valid_now: bool,
    authorisation: Option<gi::AuthorisationView>,
}

fn claim_views(t: &Tr, product: &Product) -> Vec<ClaimView> {
    let today = gi::today();
    product
        .gi_claims
        .iter()
        .map(|claim| ClaimView {
            gi_tag_id: claim.gi_tag.id.clone(),
            gi: claim.gi_tag.name.clone(),
            valid_now: claim.valid_now,
            authorisation: claim
                .authorisation
                .as_ref()
                .map(|a| gi::view(t, a, &product.gi_tags, today)),
        })
        .collect()
}

/// The claim form: a choice among the GIs the cooperative is a verified authorised
/// user of today and the product does not claim yet (the API then checks each batch's
/// date and origin).
fn claim_fields(t: &Tr, product: &Product, form: Option<&FormData>, errors: &Errors) -> Vec<Field> {
    let options: Vec<(String, String)> = product
        .cooperative
        .gi_authorisations
        .iter()
        .filter(|a| a.valid_now)
        .filter(|a| !product.gi_claims.iter().any(|c| c.gi_tag.id == a.gi_tag_id))
        .filter_map(|a| {
            let tag = product.gi_tags.iter().find(|g| g.id == a.gi_tag_id)?;
            Some((
                a.gi_tag_id.clone(),
                format!(
                    "{} ({}, {} {})",
                    tag.name,
                    a.au_number,
                    t.t("con-au-valid-until"),
                    crate::dates::day(t, &a.valid_until.to_string())
                ),
            ))
        })
        .collect();
    if options.is_empty() {
        return Vec::new();
    }
    vec![
        Field::new("giTagId", t.t("con-gi-claim-choose"), "select")
            .hint(t.t("con-gi-claim-hint"))
            .options(options)
            .required(true)
            .fill(form, "", errors),
    ]
}

/// Which form of the product page was sent, with what was typed and what the API
/// said about it.
enum Sent<'a> {
    Nothing,
    Product(&'a FormData, &'a Errors),
    Variant(&'a str, &'a FormData, &'a Errors),
    NewVariant(&'a FormData, &'a Errors),
    Image(&'a FormData, &'a Errors),
    Gi(&'a FormData, &'a Errors),
    /// A channel's refusal to list: its field errors beside the product form's fields.
    Channel(&'a str, &'a Errors),
}

fn edit_page(
    console: &Console,
    product: Product,
    sent: Sent<'_>,
    saved: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let t = console.ctx.t;
    let none = Errors::default();
    let (form, errors) = match sent {
        Sent::Product(form, errors) => (Some(form), errors),
        Sent::Channel(_, errors) => (None, errors),
        _ => (None, &none),
    };
    let basics = basic_fields(&t, form, &product.title, &product.description, errors);
    let procurement = procurement_fields(&t, form, &product, errors);
    let attributes = attribute_fields(&t, &product.category, form, &product.attributes, errors);
    let declarations = declaration_fields(
        &t,
        product.category.is_food,
        form,
        &product.declarations,
        errors,
    );
    let names: Vec<String> = basics
        .iter()
        .chain(&attributes)
        .chain(&declarations)
        .chain(&procurement)
        .map(|f| f.name.clone())
        .chain([CONSUMER_CARE.to_owned()])
        .collect();
    let channel_sent = match &sent {
        Sent::Channel(channel, errors) => Some((*channel, *errors)),
        _ => None,
    };
    let channels = channels::views(&t, &product.listings, channel_sent, &names);
    // A channel's errors are shown beside the product's fields and in its own
    // section, not twice above the form.
    let form_errors = if channel_sent.is_some() {
        Vec::new()
    } else {
        errors.general(&names)
    };
    let variants = product
        .variants
        .iter()
        .map(|v| {
            let (form, errors) = match &sent {
                Sent::Variant(id, form, errors) if *id == v.id => (Some(*form), *errors),
                _ => (None, &none),
            };
            let fields = vec![
                Field::new("price", t.t("con-variant-price"), "text")
                    .decimal()
                    .scoped(&v.id)
                    .fill(form, &rupees_field(v.price.amount), errors),
                Field::new("mrp", t.t("con-variant-mrp"), "text")
                    .decimal()
                    .scoped(&v.id)
                    .fill(form, &rupees_field(v.mrp.amount), errors),
                Field::new("minOrderQuantity", t.t("con-variant-moq"), "number")
                    .numeric()
                    .hint(t.t("con-variant-moq-hint"))
                    .scoped(&v.id)
                    .fill(form, &v.min_order_quantity.to_string(), errors),
            ];
            let tiers = tier_fields(&t, v, form, errors);
            let mut named: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
            for (index, row) in tiers.iter().enumerate() {
                named.extend(row.iter().map(|f| f.name.clone()));
                named.push(format!("tierPrices.{index}"));
            }
            VariantView {
                tiers,
                tier_summary: v
                    .tier_prices
                    .iter()
                    .map(|tier| (tier.min_quantity, money::rupees(tier.price)))
                    .collect(),
                id: v.id.clone(),
                sku: v.sku.clone(),
                title: v.title.clone(),
                price: money::rupees(v.price.amount),
                mrp: money::rupees(v.mrp.amount),
                stock: v.stock_on_hand,
                errors: errors.general(&named),
                fields,
            }
        })
        .collect();
    let (new_form, new_errors) = match &sent {
        Sent::NewVariant(form, errors) => (Some(*form), *errors),
        _ => (None, &none),
    };
    let new_variant = new_variant_fields(&t, "variant", new_form, new_errors);
    let new_names: Vec<String> = new_variant.iter().map(|f| f.name.clone()).collect();
    let (image_form, image_errors) = match &sent {
        Sent::Image(form, errors) => (Some(*form), *errors),
        _ => (None, &none),
    };
    let image_alt = vec![images::alt_field(&t, image_form, image_errors)];
    let (gi_form, gi_errors) = match &sent {
        Sent::Gi(form, errors) => (Some(*form), *errors),
        _ => (None, &none),
    };
    let gi_claims = claim_views(&t, &product);
    let gi_claim = claim_fields(&t, &product, gi_form, gi_errors);
    let mut gi_general = gi_errors.general(&["giTagId".to_owned()]);
    if gi_claim.is_empty() {
        // No form to show it beside: said above the claims.
        gi_general.extend(gi_errors.of("giTagId"));
    }
    let path = format!("/console/products/{}", product.id);
    let page = EditPage {
        frame: console.frame_titled(product.title.clone(), &path, "products"),
        status_label: status_label(&t, &product.status),
        id: product.id,
        slug: product.slug,
        status: product.status,
        category: product.category.name,
        basics,
        attributes,
        declarations,
        procurement,
        errors: form_errors,
        channels,
        variants,
        new_variant_errors: new_errors.general(&new_names),
        new_variant,
        saved,
        images: product.images,
        image_alt,
        image_file_error: image_errors.of("file"),
        image_errors: image_errors.general(&["file".to_owned(), "alt".to_owned()]),
        gi_claims,
        gi_claim,
        gi_errors: gi_general,
    };
    console.ctx.render(status, &page)
}

async fn edit(
    request: HttpRequest,
    id: web::Path<String>,
    query: web::Query<SavedQuery>,
) -> HttpResponse {
    let mut console = match Console::open(&request).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let product = match own_product(&mut console, &id).await {
        Ok(product) => product,
        Err(response) => return response,
    };
    let saved = query.saved.as_deref().and_then(|what| match what {
        "created" | "saved" | "activated" | "variant" | "image" | "image-removed" | "gi"
        | "gi-withdrawn" | "listed" | "delisted" | "retried" => {
            Some(console.ctx.t.t(&format!("con-saved-{what}")))
        }
        _ => None,
    });
    edit_page(&console, product, Sent::Nothing, saved, StatusCode::OK)
}

/// Saves the product form; `action=activate` also makes it ACTIVE, which the API
/// refuses with the missing declarations as field errors.
async fn update(
    request: HttpRequest,
    id: web::Path<String>,
    form: web::Form<FormData>,
) -> HttpResponse {
    let form = form.into_inner();
    let (mut console, product) = match posted_to_own_product(&request, &form, &id).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let t = console.ctx.t;
    let mut errors = Errors::default();
    let declarations = declarations_input(&t, product.category.is_food, &form, &mut errors);
    let procurement = procurement_input(&t, &form, &mut errors);
    if !errors.is_empty() {
        return edit_page(
            &console,
            product,
            Sent::Product(&form, &errors),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let activate = field(&form, "action") == "activate";
    let mut input = json!({
        "id": product.id,
        "title": field(&form, "title"),
        "description": field(&form, "description"),
        "attributes": attributes_input(&product.category, &form),
        "declarations": declarations,
        "procurement": procurement,
    });
    if activate && let Some(object) = input.as_object_mut() {
        object.insert("status".into(), json!("ACTIVE"));
    }
    let errors = match console
        .mutate(
            "mutation($input: ProductUpdateInput!) { productUpdate(input: $input) { errors { field message } } }",
            "productUpdate",
            json!(input),
        )
        .await
    {
            Ok(errors) => errors,
            Err(response) => return response,
        };
    if errors.is_empty() {
        let saved = if activate { "activated" } else { "saved" };
        return console
            .ctx
            .redirect(&format!("/console/products/{}?saved={saved}", product.id));
    }
    edit_page(
        &console,
        product,
        Sent::Product(&form, &errors),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// A variant's new price and MRP.
async fn update_variant(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<FormData>,
) -> HttpResponse {
    let form = form.into_inner();
    let (id, variant) = path.into_inner();
    let (mut console, product) = match posted_to_own_product(&request, &form, &id).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    if !product.variants.iter().any(|v| v.id == variant) {
        return console.not_found();
    }
    let t = console.ctx.t;
    let mut errors = Errors::default();
    let mut amount = |key: &str| {
        let amount = paise(field(&form, key));
        if amount.is_none() {
            errors.push(key, t.t("con-error-rupees"));
        }
        amount
    };
    let price = amount("price");
    let mrp = amount("mrp");
    let min_order_quantity = whole(
        field(&form, "minOrderQuantity"),
        "minOrderQuantity",
        &t,
        &mut errors,
    );
    let (tiers, rows) = tiers_input(&t, &form, &mut errors);
    if errors.is_empty() {
        let mut input = json!({ "id": variant, "price": price, "mrp": mrp, "tierPrices": tiers });
        if let (Some(moq), Some(object)) = (min_order_quantity, input.as_object_mut()) {
            object.insert("minOrderQuantity".into(), json!(moq));
        }
        let new_errors = match console
            .mutate(
                "mutation($input: VariantUpdateInput!) { variantUpdate(input: $input) { errors { field message } } }",
                "variantUpdate",
                input,
            )
            .await
        {
            Ok(errors) => errors,
            Err(response) => return response,
        };
        if new_errors.is_empty() {
            return console
                .ctx
                .redirect(&format!("/console/products/{id}?saved=variant"));
        }
        errors = tier_errors_to_rows(new_errors, &rows);
    }
    edit_page(
        &console,
        product,
        Sent::Variant(&variant, &form, &errors),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// Adds a variant; its stock arrives with batches or adjustments.
async fn create_variant(
    request: HttpRequest,
    id: web::Path<String>,
    form: web::Form<FormData>,
) -> HttpResponse {
    let form = form.into_inner();
    let (mut console, product) = match posted_to_own_product(&request, &form, &id).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let t = console.ctx.t;
    let mut errors = Errors::default();
    let variant = variant_input(&t, "variant", &form, &mut errors);
    if errors.is_empty() {
        let new_errors = match console
            .mutate(
                "mutation($input: VariantCreateInput!) { variantCreate(input: $input) { errors { field message } } }",
                "variantCreate",
                json!({ "productId": product.id, "variant": variant }),
            )
            .await
        {
            Ok(errors) => errors,
            Err(response) => return response,
        };
        if new_errors.is_empty() {
            return console
                .ctx
                .redirect(&format!("/console/products/{}?saved=variant", product.id));
        }
        errors = new_errors;
    }
    edit_page(
        &console,
        product,
        Sent::NewVariant(&form, &errors),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

#[derive(Deserialize)]
struct Uploaded {
    media: Option<IdOnly>,
    errors: Vec<UserError>,
}

/// Shows the product with `images` in place of its own; the field errors when the API
/// refuses.
async fn set_images(
    console: &mut Console,
    product: &Product,
    images: Vec<Value>,
) -> Result<Errors, HttpResponse> {
    console
        .mutate(
            "mutation($input: ProductUpdateInput!) { productUpdate(input: $input) { errors { field message } } }",
            "productUpdate",
            json!({ "id": product.id, "images": images }),
        )
        .await
}

/// A photo from the phone's camera (or its gallery), as a multipart form: stored
/// through `mediaUpload`, then added to the product's images.
async fn upload_image(
    request: HttpRequest,
    id: web::Path<String>,
    body: web::Payload,
) -> HttpResponse {
    // Signed in first, so a stranger's upload is not read; its CSRF token comes with
    // the body.
    let mut console = match Console::open(&request).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let product = match own_product(&mut console, &id).await {
        Ok(product) => product,
        Err(response) => return response,
    };
    let t = console.ctx.t;
    let mut errors = Errors::default();
    let (form, file) = match upload::read_form(&request, body).await {
        Ok(read) => read,
        Err(problem) => {
            let (status, key) = match problem {
                Unreadable::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "con-image-too-large"),
                Unreadable::Malformed => (StatusCode::BAD_REQUEST, "con-image-unreadable"),
            };
            errors.push("file", t.t(key));
            let form = FormData::new();
            return edit_page(&console, product, Sent::Image(&form, &errors), None, status);
        }
    };
    if let Some(refusal) = console.ctx.csrf_refusal(&form) {
        return refusal;
    }
    let Some(file) = file else {
        errors.push("file", t.t("con-image-choose"));
        return edit_page(
            &console,
            product,
            Sent::Image(&form, &errors),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let uploaded: Uploaded = match console
        .ctx
        .run_upload::<Value>(
            "mutation($input: MediaUploadInput!) { mediaUpload(input: $input) { media { id } errors { field message } } }",
            json!({ "input": {
                "cooperativeId": product.cooperative.id,
                "file": null,
                "alt": field(&form, "alt"),
            } }),
            true,
            Some(&file),
        )
        .await
        .and_then(|data| payload(&data, "mediaUpload"))
    {
        Ok(uploaded) => uploaded,
        Err(error) => return console.failure(error),
    };
    let errors = match uploaded.media {
        Some(media) if uploaded.errors.is_empty() => {
            let mut all = images::kept(&product.images);
            all.push(json!({ "mediaId": media.id, "alt": field(&form, "alt") }));
            match set_images(&mut console, &product, all).await {
                Ok(errors) => errors,
                Err(response) => return response,
            }
        }
        _ => Errors::from_user_errors(&uploaded.errors),
    };
    if errors.is_empty() {
        return console.ctx.redirect(&format!(
            "/console/products/{}?saved=image#images",
            product.id
        ));
    }
    edit_page(
        &console,
        product,
        Sent::Image(&form, &errors),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// Takes an image off the product (the upload itself goes when no product shows it).
async fn remove_image(
    request: HttpRequest,
    id: web::Path<String>,
    form: web::Form<FormData>,
) -> HttpResponse {
    let form = form.into_inner();
    let (mut console, product) = match posted_to_own_product(&request, &form, &id).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let Some(rest) = images::without(&product.images, field(&form, "image")) else {
        return console.not_found();
    };
    let errors = match set_images(&mut console, &product, rest).await {
        Ok(errors) => errors,
        Err(response) => return response,
    };
    if errors.is_empty() {
        return console.ctx.redirect(&format!(
            "/console/products/{}?saved=image-removed#images",
            product.id
        ));
    }
    let none = FormData::new();
    edit_page(
        &console,
        product,
        Sent::Image(&none, &errors),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// Claims a GI for the product; the API's refusal (an authorisation that does not
/// cover a batch's date, a batch from outside the GI's area) is shown on the page.
async fn claim_gi(
    request: HttpRequest,
    id: web::Path<String>,
    form: web::Form<FormData>,
) -> HttpResponse {
    gi_claim_change(request, id.into_inner(), form.into_inner(), true).await
}

async fn withdraw_gi(
    request: HttpRequest,
    id: web::Path<String>,
    form: web::Form<FormData>,
) -> HttpResponse {
    gi_claim_change(request, id.into_inner(), form.into_inner(), false).await
}

async fn gi_claim_change(
    request: HttpRequest,
    id: String,
    form: FormData,
    claim: bool,
) -> HttpResponse {
    let (mut console, product) = match posted_to_own_product(&request, &form, &id).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let t = console.ctx.t;
    let gi_tag = field(&form, "giTagId");
    let claimed = product.gi_claims.iter().any(|c| c.gi_tag.id == gi_tag);
    let mut errors = Errors::default();
    if gi_tag.is_empty() {
        errors.push("giTagId", t.t("con-error-required"));
    } else if claim && claimed {
        // Already claimed: the API would refuse the document as a conflict.
        errors.push("giTagId", t.t("con-gi-claimed-already"));
    } else if !claim && !claimed {
        return console.not_found();
    }
    if errors.is_empty() {
        let (document, name) = if claim {
            (
                "mutation($input: ProductGiClaimInput!) { productGiClaim(input: $input) { errors { field message } } }",
                "productGiClaim",
            )
        } else {
            (
                "mutation($input: ProductGiClaimInput!) { productGiClaimWithdraw(input: $input) { errors { field message } } }",
                "productGiClaimWithdraw",
            )
        };
        errors = match console
            .mutate(
                document,
                name,
                json!({ "productId": product.id, "giTagId": gi_tag }),
            )
            .await
        {
            Ok(errors) => errors,
            Err(response) => return response,
        };
        if errors.is_empty() {
            let saved = if claim { "gi" } else { "gi-withdrawn" };
            return console.ctx.redirect(&format!(
                "/console/products/{}?saved={saved}#gi",
                product.id
            ));
        }
    }
    edit_page(
        &console,
        product,
        Sent::Gi(&form, &errors),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// Lists the product on a channel, takes it off, or asks the channel again after a
/// refusal or failed pushes (`action` = `list`, `delist` or `retry`).
async fn channel_action(
    request: HttpRequest,
    id: web::Path<String>,
    form: web::Form<FormData>,
) -> HttpResponse {
    let form = form.into_inner();
    let (mut console, product) = match posted_to_own_product(&request, &form, &id).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let channel = field(&form, "channel");
    if !channels::known(channel) {
        return console.not_found();
    }
    let listing = product.listings.iter().find(|l| l.channel == channel);
    let (document, name, input, saved) = match (field(&form, "action"), listing) {
        ("list", _) => (
            "mutation($input: ChannelProductInput!) { listOnChannel(input: $input) { errors { field message } } }",
            "listOnChannel",
            json!({ "productId": product.id, "channel": channel }),
            "listed",
        ),
        ("delist", Some(_)) => (
            "mutation($input: ChannelProductInput!) { delistFromChannel(input: $input) { errors { field message } } }",
            "delistFromChannel",
            json!({ "productId": product.id, "channel": channel }),
            "delisted",
        ),
        ("retry", Some(listing)) => (
            "mutation($input: RetryChannelSyncInput!) { retryChannelSync(input: $input) { errors { field message } } }",
            "retryChannelSync",
            json!({ "listingId": listing.id }),
            "retried",
        ),
        _ => return console.not_found(),
    };
    let errors = match console.mutate(document, name, input).await {
        Ok(errors) => errors,
        Err(response) => return response,
    };
    if errors.is_empty() {
        return console.ctx.redirect(&format!(
            "/console/products/{}?saved={saved}#channels",
            product.id
        ));
    }
    let errors = channels::on_form_fields(errors);
    let channel = channel.to_owned();
    edit_page(
        &console,
        product,
        Sent::Channel(&channel, &errors),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/console/products", web::get().to(list))
        .route("/console/products/new", web::get().to(new_product))
        .route("/console/products/new", web::post().to(create_product))
        .route("/console/products/{id}", web::get().to(edit))
        .route("/console/products/{id}", web::post().to(update))
        .route(
            "/console/products/{id}/variants",
            web::post().to(create_variant),
        )
        .route(
            "/console/products/{id}/variants/{variant}",
            web::post().to(update_variant),
        )
        .route(
            "/console/products/{id}/images",
            web::post().to(upload_image),
        )
        .route(
            "/console/products/{id}/images/remove",
            web::post().to(remove_image),
        )
        .route("/console/products/{id}/gi", web::post().to(claim_gi))
        .route(
            "/console/products/{id}/channels",
            web::post().to(channel_action),
        )
        .route(
            "/console/products/{id}/gi/withdraw",
            web::post().to(withdraw_gi),
        );
}
