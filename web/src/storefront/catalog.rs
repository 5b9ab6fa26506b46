//! Home, search and category listings, product, cooperative and verify pages.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Value, json};

use super::types::{CARD_FIELDS, Card, CoopRef, Image, Money, Nodes};
use crate::{
    foundation::{Ctx, Layout, encode},
    graphql::GqlError,
    money,
};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Category {
    slug: String,
    name: String,
    parent_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GiTag {
    id: String,
    slug: String,
    name: String,
    in_force: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HomeData {
    categories: Vec<Category>,
    gi_tags: Vec<GiTag>,
    cooperatives: Nodes<CoopRef>,
}

#[derive(Deserialize)]
struct CardsData {
    products: Nodes<Card>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    lines: Vec<Category>,
    gi_products: Vec<Card>,
    districts: Vec<(String, Vec<CoopRef>)>,
}

const HOME: &str = "{ categories { slug name parentId } giTags { id slug name inForce } cooperatives(first: 100) { nodes { slug name district village } } }";

async fn home(request: HttpRequest) -> HttpResponse {
    let mut ctx = Ctx::new(&request);
    let data: HomeData = match ctx.run(HOME, json!({})).await {
        Ok(data) => data,
        Err(error) => return ctx.failure(error),
    };
    let mut gi_products: Vec<Card> = Vec::new();
    for tag in data.gi_tags.iter().filter(|t| t.in_force).take(4) {
        let document = format!(
            "query($gi: ID!) {{ products(first: 4, filter: {{giTagId: $gi}}) {{ nodes {{ {CARD_FIELDS} }} }} }}"
        );
        match ctx
            .run::<CardsData>(&document, json!({ "gi": tag.id }))
            .await
        {
            Ok(cards) => gi_products.extend(
                cards
                    .products
                    .nodes
                    .into_iter()
                    .filter(|card| card.gi().is_some()),
            ),
            Err(error) => return ctx.failure(error),
        }
    }
    let mut districts: BTreeMap<String, Vec<CoopRef>> = BTreeMap::new();
    for coop in data.cooperatives.nodes {
        districts
            .entry(coop.district.clone())
            .or_default()
            .push(coop);
    }
    let page = HomePage {
        layout: ctx.layout(ctx.t.t("home-title"), ctx.t.t("home-description"), "/"),
        lines: data
            .categories
            .into_iter()
            .filter(|c| c.parent_id.is_none())
            .collect(),
        gi_products,
        districts: districts.into_iter().collect(),
    };
    ctx.render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------------------------
// Search and category listings.

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct SearchQuery {
    #[serde(default)]
    q: String,
    category: Option<String>,
    district: Option<String>,
    gi: Option<String>,
    price: Option<String>,
    stock: Option<String>,
    sort: Option<String>,
    after: Option<String>,
}

/// The price bands of the search index's price facet, in rupees.
const PRICE_BANDS: [(&str, i64, Option<i64>); 4] = [
    ("0-500", 0, Some(50_000)),
    ("500-2000", 50_000, Some(200_000)),
    ("2000-10000", 200_000, Some(1_000_000)),
    ("10000+", 1_000_000, None),
];

const SORTS: [(&str, &str); 4] = [
    ("relevance", "RELEVANCE"),
    ("price-asc", "PRICE_LOW_TO_HIGH"),
    ("price-desc", "PRICE_HIGH_TO_LOW"),
    ("newest", "NEWEST"),
];

impl SearchQuery {
    fn clean(value: &Option<String>) -> Option<&str> {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty() && v.len() <= 200)
    }

    /// The URL of this search with one parameter changed (None removes it); paging
    /// starts over.
    fn with(&self, key: &str, value: Option<&str>) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        let q = self.q.trim();
        let current = [
            ("q", (!q.is_empty()).then(|| q.to_owned())),
            ("category", Self::clean(&self.category).map(str::to_owned)),
            ("district", Self::clean(&self.district).map(str::to_owned)),
            ("gi", Self::clean(&self.gi).map(str::to_owned)),
            ("price", Self::clean(&self.price).map(str::to_owned)),
            ("stock", Self::clean(&self.stock).map(str::to_owned)),
            ("sort", Self::clean(&self.sort).map(str::to_owned)),
        ];
        for (name, existing) in current {
            let chosen = if name == key {
                value.map(str::to_owned)
            } else {
                existing
            };
            if let Some(v) = chosen {
                pairs.push((name, v));
            }
        }
        if key == "after"
            && let Some(after) = value
        {
            pairs.push(("after", after.to_owned()));
        }
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        if query.is_empty() {
            "/search".to_owned()
        } else {
            format!("/search?{}", query.join("&"))
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchPageInfo {
    has_next_page: bool,
    end_cursor: Option<String>,
}

#[derive(Deserialize)]
struct FacetValue {
    value: String,
    count: i64,
}

#[derive(Deserialize)]
struct Facet {
    field: String,
    values: Vec<FacetValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchConnection {
    total_count: i64,
    page_info: SearchPageInfo,
    nodes: Vec<Card>,
    facets: Vec<Facet>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchData {
    search: SearchConnection,
    categories: Vec<Category>,
    gi_tags: Vec<GiTag>,
}

/// One facet link.
struct FacetLink {
    label: String,
    count: i64,
    href: String,
    active: bool,
}

struct FacetGroup {
    title: String,
    links: Vec<FacetLink>,
}

struct SortLink {
    label: String,
    href: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    heading: String,
    total: i64,
    cards: Vec<Card>,
    facets: Vec<FacetGroup>,
    sorts: Vec<SortLink>,
    next: Option<String>,
    first_page: Option<String>,
    clear: Option<String>,
    suggestions: Vec<(String, String)>,
}

async fn search(request: HttpRequest, query: web::Query<SearchQuery>) -> HttpResponse {
    let mut ctx = Ctx::new(&request);
    let params = query.into_inner();
    let q = params.q.trim().chars().take(200).collect::<String>();
    let mut filter = serde_json::Map::new();
    if let Some(category) = SearchQuery::clean(&params.category) {
        filter.insert("categorySlug".into(), json!(category));
    }
    if let Some(district) = SearchQuery::clean(&params.district) {
        filter.insert("district".into(), json!(district));
    }
    if let Some(gi) = SearchQuery::clean(&params.gi) {
        filter.insert("giTagSlug".into(), json!(gi));
    }
    if let Some((_, min, max)) = SearchQuery::clean(&params.price)
        .and_then(|p| PRICE_BANDS.iter().find(|(label, _, _)| *label == p))
    {
        filter.insert("minPrice".into(), json!(min));
        if let Some(max) = max {
            filter.insert("maxPrice".into(), json!(max));
        }
    }
    if SearchQuery::clean(&params.stock) == Some("1") {
        filter.insert("inStock".into(), json!(true));
    }
    let sort_key = SearchQuery::clean(&params.sort).unwrap_or("relevance");
    let sort = SORTS
        .iter()
        .find(|(key, _)| *key == sort_key)
        .map_or("RELEVANCE", |(_, value)| value);
    let document = format!(
        "query($q: String, $filter: SearchFilter, $sort: SearchSort, $after: String) {{ search(query: $q, filter: $filter, sort: $sort, first: 20, after: $after) {{ totalCount pageInfo {{ hasNextPage endCursor }} facets {{ field values {{ value count }} }} nodes {{ {CARD_FIELDS} }} }} categories {{ slug name parentId }} giTags {{ id slug name inForce }} }}"
    );
    let variables = json!({
        "q": (!q.is_empty()).then_some(q.as_str()),
        "filter": Value::Object(filter),
        "sort": sort,
        "after": SearchQuery::clean(&params.after),
    });
    let data: SearchData = match ctx.run(&document, variables).await {
        Ok(data) => data,
        // A cursor from another search (or made up) is a bad request, not an outage:
        // the first page instead.
        Err(GqlError::Internal(message)) if params.after.is_some() => {
            tracing::info!(%message, "a search cursor was refused");
            return ctx.redirect(&params.with("after", None));
        }
        Err(error) => return ctx.failure(error),
    };
    let t = ctx.t;
    let category_name = |slug: &str| {
        data.categories
            .iter()
            .find(|c| c.slug == slug)
            .map_or_else(|| slug.to_owned(), |c| c.name.clone())
    };
    let gi_name = |slug: &str| {
        data.gi_tags
            .iter()
            .find(|g| g.slug == slug)
            .map_or_else(|| slug.to_owned(), |g| g.name.clone())
    };
    let mut facets = Vec::new();
    for facet in &data.search.facets {
        let (param, title, current) = match facet.field.as_str() {
            "category" => ("category", t.t("facet-category"), &params.category),
            "district" => ("district", t.t("facet-district"), &params.district),
            "gi" => ("gi", t.t("facet-gi"), &params.gi),
            "price" => ("price", t.t("facet-price"), &params.price),
            _ => continue,
        };
        let current = SearchQuery::clean(current);
        let links: Vec<FacetLink> = facet
            .values
            .iter()
            .filter(|v| v.count > 0)
            .map(|v| {
                let active = current == Some(v.value.as_str());
                FacetLink {
                    label: match param {
                        "category" => category_name(&v.value),
                        "gi" => gi_name(&v.value),
                        "price" => t.t1("price-band", "band", &v.value),
                        _ => v.value.clone(),
                    },
                    count: v.count,
                    href: params.with(param, (!active).then_some(v.value.as_str())),
                    active,
                }
            })
            .collect();
        if !links.is_empty() {
            facets.push(FacetGroup { title, links });
        }
    }
    let in_stock_only = SearchQuery::clean(&params.stock) == Some("1");
    facets.push(FacetGroup {
        title: t.t("facet-stock"),
        links: vec![FacetLink {
            label: t.t("facet-in-stock"),
            count: -1,
            href: params.with("stock", (!in_stock_only).then_some("1")),
            active: in_stock_only,
        }],
    });
    let sorts = SORTS
        .iter()
        .map(|(key, _)| SortLink {
            label: t.t(&format!("sort-{key}")),
            href: params.with("sort", (*key != "relevance").then_some(key)),
            active: *key == sort_key,
        })
        .collect();
    let heading = match (q.is_empty(), SearchQuery::clean(&params.category)) {
        (false, _) => t.t1("search-results-for", "query", &q),
        (true, Some(category)) => category_name(category),
        (true, None) => t.t("search-all"),
    };
    let filtered = params.category.is_some()
        || params.district.is_some()
        || params.gi.is_some()
        || params.price.is_some()
        || params.stock.is_some();
    let suggestions = if data.search.total_count == 0 {
        let mut s: Vec<(String, String)> = data
            .categories
            .iter()
            .filter(|c| c.parent_id.is_none())
            .map(|c| {
                (
                    c.name.clone(),
                    format!("/search?category={}", encode(&c.slug)),
                )
            })
            .collect();
        for word in ["khubani", "tsestalulu", "pashm"] {
            s.push((word.to_owned(), format!("/search?q={word}")));
        }
        s
    } else {
        Vec::new()
    };
    let category = SearchQuery::clean(&params.category);
    let canonical = match category {
        _ if !q.is_empty() => format!("/search?q={}", encode(&q)),
        Some(category) => format!("/search?category={}", encode(category)),
        None => "/search".to_owned(),
    };
    let mut layout = ctx.layout(heading.clone(), t.t("search-description"), &canonical);
    // A plain search (a local name such as "khubani" that buyers type into search
    // engines too) or a plain category listing is a page of its own; its filtered,
    // sorted and later pages are not, and name it as their canonical URL.
    let plain = [
        &params.district,
        &params.gi,
        &params.price,
        &params.stock,
        &params.sort,
        &params.after,
    ]
    .iter()
    .all(|value| SearchQuery::clean(value).is_none())
        && (q.is_empty() || category.is_none());
    layout.noindex = !plain;
    let page = SearchPage {
        layout,
        heading,
        total: data.search.total_count,
        next: data
            .search
            .page_info
            .has_next_page
            .then(|| {
                data.search
                    .page_info
                    .end_cursor
                    .as_deref()
                    .map(|c| params.with("after", Some(c)))
            })
            .flatten(),
        first_page: params.after.is_some().then(|| params.with("after", None)),
        clear: filtered.then(|| {
            SearchQuery {
                q: params.q.clone(),
                sort: params.sort.clone(),
                ..SearchQuery::default()
            }
            .with("after", None)
        }),
        cards: data.search.nodes,
        facets,
        sorts,
        suggestions,
    };
    ctx.render(StatusCode::OK, &page)
}

/// `GET /suggest?q=`: the first titles matching, as JSON, for the search box's list.
async fn suggest(request: HttpRequest, query: web::Query<SearchQuery>) -> HttpResponse {
    let mut ctx = Ctx::new(&request);
    let q = query.q.trim().chars().take(100).collect::<String>();
    if q.chars().count() < 2 {
        return HttpResponse::Ok().json(json!([]));
    }
    #[derive(Deserialize)]
    struct Found {
        search: Nodes<Slug>,
    }
    #[derive(Deserialize)]
    struct Slug {
        slug: String,
        title: String,
    }
    let found: Found = match ctx
        .run(
            "query($q: String) { search(query: $q, first: 6) { nodes { slug title } } }",
            json!({ "q": q }),
        )
        .await
    {
        Ok(found) => found,
        Err(error) => return ctx.failure(error),
    };
    let items: Vec<Value> = found
        .search
        .nodes
        .into_iter()
        .map(|p| json!({ "title": p.title, "href": format!("/products/{}", encode(&p.slug)) }))
        .collect();
    HttpResponse::Ok().json(items)
}

// ---------------------------------------------------------------------------------
// Product page.

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Variant {
    id: String,
    sku: String,
    title: String,
    price: Money,
    mrp: Money,
    stock_on_hand: i64,
    in_stock: bool,
    min_order_quantity: i64,
}

impl Variant {
    fn price(&self) -> String {
        money::rupees(self.price.amount)
    }
    fn mrp(&self) -> String {
        money::rupees(self.mrp.amount)
    }
    fn discount(&self) -> Option<i64> {
        money::discount_percent(self.price.amount, self.mrp.amount)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Declarations {
    net_quantity: Option<String>,
    mrp: Option<i64>,
    manufacturer_name: Option<String>,
    manufacturer_address: Option<String>,
    country_of_origin: Option<String>,
    best_before_months: Option<i64>,
    consumer_care: Option<ConsumerCare>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConsumerCare {
    address: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    legacy_text: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    sequence: i64,
    kind: String,
    occurred_at: String,
    location: String,
    notes: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Batch {
    code: String,
    origin_village: String,
    origin_district: String,
    produced_on: String,
    events: Vec<Event>,
    /// Asked for on the verify page only.
    #[serde(default)]
    certificates: Vec<Certificate>,
}

/// A document backing a batch, as buyers are shown it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Certificate {
    kind: String,
    issuer: String,
    number: String,
    issued_on: String,
    document_url: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProductCategory {
    slug: String,
    name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Product {
    slug: String,
    title: String,
    description: String,
    images: Vec<Image>,
    declarations: Declarations,
    cooperative: CoopRef,
    category: ProductCategory,
    variants: Vec<Variant>,
    gi_claims: Vec<super::types::GiClaim>,
    batches: Vec<Batch>,
}

#[derive(Deserialize)]
struct ProductData {
    product: Option<Product>,
}

#[derive(Template)]
#[template(path = "product.html")]
struct ProductPage {
    layout: Layout,
    product: Product,
    images: Vec<Image>,
    gi: Vec<String>,
    json_ld: String,
    declared_mrp: Option<String>,
}

const PRODUCT: &str = "query($slug: String!) { product(slug: $slug) { slug title description images { url(width: 640) alt srcset width height } declarations { netQuantity mrp manufacturerName manufacturerAddress countryOfOrigin bestBeforeMonths consumerCare { address phone email legacyText } } cooperative { slug name district village } category { slug name } variants { id sku title price { amount } mrp { amount } stockOnHand inStock minOrderQuantity } giClaims { validNow giTag { name } } batches { code originVillage originDistrict producedOn events { sequence kind occurredAt location notes } } } }";

/// JSON for a `<script type="application/ld+json">`: `<`, `>` and `&` escaped so that
/// no product text can close the script element.
fn script_json(value: &Value) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

fn product_json_ld(product: &Product, canonical: &str) -> String {
    let offers: Vec<Value> = product
        .variants
        .iter()
        .map(|v| {
            json!({
                "@type": "Offer",
                "sku": v.sku,
                "name": v.title,
                "price": money::decimal(v.price.amount),
                "priceCurrency": "INR",
                "availability": if v.in_stock { "https://schema.org/InStock" } else { "https://schema.org/OutOfStock" },
                "url": canonical,
            })
        })
        .collect();
    script_json(&json!({
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.title,
        "description": product.description,
        "sku": product.variants.first().map(|v| v.sku.clone()),
        "brand": { "@type": "Organization", "name": product.cooperative.name },
        "countryOfOrigin": product.declarations.country_of_origin,
        "offers": offers,
    }))
}

async fn product(request: HttpRequest, slug: web::Path<String>) -> HttpResponse {
    let mut ctx = Ctx::new(&request);
    let data: ProductData = match ctx.run(PRODUCT, json!({ "slug": *slug })).await {
        Ok(data) => data,
        Err(error) => return ctx.failure(error),
    };
    let Some(product) = data.product else {
        return ctx.not_found_page();
    };
    let path = format!("/products/{}", encode(&product.slug));
    let description: String = product.description.chars().take(155).collect();
    let layout = ctx.layout(product.title.clone(), description, &path);
    let json_ld = product_json_ld(&product, &layout.canonical);
    let page = ProductPage {
        layout,
        images: product
            .images
            .iter()
            .filter(|i| i.local())
            .cloned()
            .collect(),
        gi: product
            .gi_claims
            .iter()
            .filter(|c| c.valid_now)
            .map(|c| c.gi_tag.name.clone())
            .collect(),
        json_ld,
        declared_mrp: product.declarations.mrp.map(money::rupees),
        product,
    };
    ctx.render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------------------------
// Cooperative page.

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cooperative {
    id: String,
    slug: String,
    name: String,
    district: String,
    village: String,
    address_line: String,
    pin_code: String,
    registration_number: String,
    contact_email: String,
    contact_phone: String,
}

#[derive(Deserialize)]
struct CooperativeData {
    cooperative: Option<Cooperative>,
}

#[derive(Template)]
#[template(path = "cooperative.html")]
struct CooperativePage {
    layout: Layout,
    coop: Cooperative,
    cards: Vec<Card>,
}

async fn cooperative(request: HttpRequest, slug: web::Path<String>) -> HttpResponse {
    let mut ctx = Ctx::new(&request);
    let data: CooperativeData = match ctx
        .run(
            "query($slug: String!) { cooperative(slug: $slug) { id slug name district village addressLine pinCode registrationNumber contactEmail contactPhone } }",
            json!({ "slug": *slug }),
        )
        .await
    {
        Ok(data) => data,
        Err(error) => return ctx.failure(error),
    };
    let Some(coop) = data.cooperative else {
        return ctx.not_found_page();
    };
    let document = format!(
        "query($id: ID!) {{ products(first: 100, filter: {{cooperativeId: $id}}) {{ nodes {{ {CARD_FIELDS} }} }} }}"
    );
    let cards: CardsData = match ctx.run(&document, json!({ "id": coop.id })).await {
        Ok(cards) => cards,
        Err(error) => return ctx.failure(error),
    };
    let path = format!("/cooperatives/{}", encode(&coop.slug));
    let description = ctx.t.t1("coop-description", "district", &coop.district);
    let page = CooperativePage {
        layout: ctx.layout(coop.name.clone(), description, &path),
        coop,
        cards: cards.products.nodes,
    };
    ctx.render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------------------------
// Verify page.

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BatchGiClaim {
    gi_tag: GiTagName,
    valid_for_batch: bool,
    valid_now: bool,
}

#[derive(Debug, Clone, Deserialize)]
struct GiTagName {
    name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VerifyProduct {
    slug: String,
    title: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    record_status: String,
    record_changed_at: Option<String>,
    record_reason: Option<String>,
    batch: Batch,
    product: VerifyProduct,
    cooperative: CoopRef,
    gi_claims: Vec<BatchGiClaim>,
    chain_intact: bool,
    first_broken_sequence: Option<i64>,
    epcis_url: String,
}

impl Report {
    /// The day the record last changed status (the API's UTC timestamp's date).
    fn record_day(&self) -> String {
        self.record_changed_at
            .as_deref()
            .map(|at| at.chars().take(10).collect())
            .unwrap_or_default()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VerifyData {
    verify_provenance: Report,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    layout: Layout,
    code: String,
    report: Option<Report>,
}

const VERIFY: &str = "query($code: String!) { verifyProvenance(code: $code) { recordStatus recordChangedAt recordReason batch { code originVillage originDistrict producedOn events { sequence kind occurredAt location notes } certificates { kind issuer number issuedOn documentUrl } } product { slug title } cooperative { slug name district village } giClaims { giTag { name } validForBatch validNow } chainIntact firstBrokenSequence epcisUrl } }";

async fn verify(request: HttpRequest, code: web::Path<String>) -> HttpResponse {
    let mut ctx = Ctx::new(&request);
    let code: String = code.trim().chars().take(100).collect();
    let report = match ctx.run::<VerifyData>(VERIFY, json!({ "code": code })).await {
        Ok(data) => Some(data.verify_provenance),
        Err(GqlError::NotFound) => None,
        Err(error) => return ctx.failure(error),
    };
    let status = if report.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let path = format!("/verify/{}", encode(&code));
    let mut layout = ctx.layout(
        ctx.t.t1("verify-title", "code", &code),
        ctx.t.t("verify-description"),
        &path,
    );
    // A known batch's trail is public and worth finding; an unknown code is not a page.
    layout.noindex = report.is_none();
    let page = VerifyPage {
        layout,
        code,
        report,
    };
    ctx.render(status, &page)
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/", web::get().to(home))
        .route("/search", web::get().to(search))
        .route("/suggest", web::get().to(suggest))
        .route("/products/{slug}", web::get().to(product))
        .route("/cooperatives/{slug}", web::get().to(cooperative))
        .route("/verify/{code}", web::get().to(verify));
}
