//! Products: the cooperative's list with status and stock; a new product's form
//! generated from its category's attribute schema (enum options as choices, required
//! marks, the unit in each label), its Legal Metrology declarations and a first
//! variant; the edit page with its variants' prices; activation, whose refusal shows
//! each missing declaration beside its field.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{
    Console, Frame,
    forms::{Errors, Field, UserError, paise, payload, rupees_field, whole},
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
}

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
    cooperative: IdOnly,
    category: Category,
    declarations: Declarations,
    variants: Vec<VariantRow>,
}

const PRODUCT: &str = "query($id: ID!) { product(id: $id) { id slug title description status attributes cooperative { id }
  category { id slug name parentId isFood attributeSchema { key label kind required options } }
  declarations { netQuantity manufacturerName manufacturerAddress countryOfOrigin bestBeforeMonths consumerCare { address phone email } }
  variants { id sku title price { amount } mrp { amount } stockOnHand } } }";

#[derive(Deserialize)]
struct ProductData {
    product: Option<Product>,
}

/// Loads a product of this member of staff's cooperative; anything else is a 404.
async fn own_product(console: &mut Console, id: &str) -> Result<Product, HttpResponse> {
    let data: ProductData = console
        .ctx
        .run(PRODUCT, json!({ "id": id }))
        .await
        .map_err(|error| console.failure(error))?;
    match data.product {
        Some(product) if console.owns(&product.cooperative.id) => Ok(product),
        _ => Err(console.not_found()),
    }
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
    errors: Vec<String>,
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
}

/// Which form of the product page was sent, with what was typed and what the API
/// said about it.
enum Sent<'a> {
    Nothing,
    Product(&'a FormData, &'a Errors),
    Variant(&'a str, &'a FormData, &'a Errors),
    NewVariant(&'a FormData, &'a Errors),
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
        _ => (None, &none),
    };
    let basics = basic_fields(&t, form, &product.title, &product.description, errors);
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
        .map(|f| f.name.clone())
        .chain([CONSUMER_CARE.to_owned()])
        .collect();
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
            ];
            VariantView {
                id: v.id.clone(),
                sku: v.sku.clone(),
                title: v.title.clone(),
                price: money::rupees(v.price.amount),
                mrp: money::rupees(v.mrp.amount),
                stock: v.stock_on_hand,
                errors: errors.general(&["price".to_owned(), "mrp".to_owned()]),
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
        errors: errors.general(&names),
        variants,
        new_variant_errors: new_errors.general(&new_names),
        new_variant,
        saved,
    };
    console.ctx.render(status, &page)
}

#[derive(Deserialize)]
struct SavedQuery {
    saved: Option<String>,
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
        "created" | "saved" | "activated" | "variant" => {
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
    let mut console = match Console::open_form(&request, &form).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let product = match own_product(&mut console, &id).await {
        Ok(product) => product,
        Err(response) => return response,
    };
    let t = console.ctx.t;
    let mut errors = Errors::default();
    let declarations = declarations_input(&t, product.category.is_food, &form, &mut errors);
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
    let mut console = match Console::open_form(&request, &form).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let product = match own_product(&mut console, &id).await {
        Ok(product) => product,
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
    if errors.is_empty() {
        let new_errors = match console
            .mutate(
                "mutation($input: VariantUpdateInput!) { variantUpdate(input: $input) { errors { field message } } }",
                "variantUpdate",
                json!({ "id": variant, "price": price, "mrp": mrp }),
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
        errors = new_errors;
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
    let mut console = match Console::open_form(&request, &form).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let product = match own_product(&mut console, &id).await {
        Ok(product) => product,
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
        );
}
