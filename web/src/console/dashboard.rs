//! The dashboard: what needs doing today (orders to pack or ship, low stock, listings
//! the channels refused or could not take, institutional payments overdue) and this
//! month's sales. An admin's dashboard points at the cooperatives waiting for
//! verification.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Console, Frame};
use crate::{graphql::GqlError, money};

/// Units at or below which a variant of an active product counts as low on stock.
const LOW_STOCK: i64 = 5;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OrderRef {
    pub id: String,
    pub number: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderCount {
    total_count: i64,
    nodes: Vec<OrderRef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VariantStock {
    sku: String,
    title: String,
    stock_on_hand: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProductStock {
    id: String,
    title: String,
    variants: Vec<VariantStock>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Listing {
    product_id: String,
    channel: String,
    state: String,
    rejection_reasons: Vec<String>,
    last_error: Option<String>,
    dead_lettered: i64,
}

#[derive(Deserialize)]
struct Nodes<T> {
    nodes: Vec<T>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Today {
    paid: OrderCount,
    confirmed: OrderCount,
    packed: OrderCount,
    overdue: OrderCount,
    products: Nodes<ProductStock>,
    listings: Nodes<Listing>,
}

const TODAY: &str = "query($c: ID!) {
  paid: cooperativeOrders(cooperativeId: $c, status: PAID, first: 10) { totalCount nodes { id number } }
  confirmed: cooperativeOrders(cooperativeId: $c, status: CONFIRMED, first: 10) { totalCount nodes { id number } }
  packed: cooperativeOrders(cooperativeId: $c, status: PACKED, first: 10) { totalCount nodes { id number } }
  overdue: cooperativeOrders(cooperativeId: $c, overdueOnly: true, first: 10) { totalCount nodes { id number } }
  products: cooperativeProducts(cooperativeId: $c, status: ACTIVE, first: 50) { nodes { id title variants { sku title stockOnHand } } }
  listings: channelListings(filter: {cooperativeId: $c}, first: 50) { nodes { productId channel state rejectionReasons lastError deadLettered } }
}";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Sales {
    gross_sales: i64,
    invoices: i64,
}

/// A line of the low-stock list.
struct Low {
    product_id: String,
    label: String,
    stock: i64,
}

/// A listing that needs attention.
struct Trouble {
    product_id: String,
    channel: String,
    state: String,
    reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "console/dashboard.html")]
struct DashboardPage {
    frame: Frame,
    to_pack: i64,
    to_ship: i64,
    pack_orders: Vec<OrderRef>,
    ship_orders: Vec<OrderRef>,
    overdue: i64,
    overdue_orders: Vec<OrderRef>,
    low: Vec<Low>,
    troubles: Vec<Trouble>,
    /// This month's invoiced sales and invoice count; None when the API does not show
    /// them to this member of staff (the settlement is the managers').
    sales: Option<(String, i64)>,
    month: String,
    pending_cooperatives: Option<i64>,
}

/// Today's date in India and the first of its month, as `YYYY-MM-DD`.
fn this_month() -> (String, String) {
    use actix_web::cookie::time::{OffsetDateTime, UtcOffset};
    let now = OffsetDateTime::now_utc();
    let india = UtcOffset::from_hms(5, 30, 0).map_or(now, |offset| now.to_offset(offset));
    let date = india.date();
    let month = u8::from(date.month());
    (
        format!("{:04}-{month:02}-01", date.year()),
        format!("{:04}-{month:02}-{:02}", date.year(), date.day()),
    )
}

async fn dashboard(request: HttpRequest) -> HttpResponse {
    let mut console = match Console::open(&request).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let pending_cooperatives = if console.staff.is_admin() {
        match console
            .ctx
            .run::<Value>(
                "{ cooperatives(verificationStatus: PENDING, first: 1) { totalCount } }",
                json!({}),
            )
            .await
        {
            Ok(data) => data
                .pointer("/cooperatives/totalCount")
                .and_then(Value::as_i64),
            Err(error) => return console.failure(error),
        }
    } else {
        None
    };
    let Some(cooperative) = console.staff.cooperative_id.clone() else {
        let page = DashboardPage {
            frame: console.frame("con-dashboard", "/console", "dashboard"),
            to_pack: 0,
            to_ship: 0,
            pack_orders: Vec::new(),
            ship_orders: Vec::new(),
            overdue: 0,
            overdue_orders: Vec::new(),
            low: Vec::new(),
            troubles: Vec::new(),
            sales: None,
            month: String::new(),
            pending_cooperatives,
        };
        return console.ctx.render(StatusCode::OK, &page);
    };
    let today: Today = match console.ctx.run(TODAY, json!({ "c": cooperative })).await {
        Ok(today) => today,
        Err(error) => return console.failure(error),
    };
    let (from, to) = this_month();
    let sales = match console
        .ctx
        .run::<Value>(
            "query($c: ID!, $from: NaiveDate!, $to: NaiveDate!) { settlementStatement(cooperativeId: $c, from: $from, to: $to) { grossSales invoices } }",
            json!({ "c": cooperative, "from": from, "to": to }),
        )
        .await
    {
        Ok(data) => data
            .get("settlementStatement")
            .cloned()
            .and_then(|s| serde_json::from_value::<Sales>(s).ok())
            .map(|s| (money::rupees(s.gross_sales), s.invoices)),
        Err(GqlError::Unauthenticated) => return console.failure(GqlError::Unauthenticated),
        // Staff who are not managers do not see the settlement: the card is left out,
        // and the rest of the dashboard is still worth showing if it fails otherwise.
        Err(error) => {
            tracing::info!(?error, "this month's sales are not shown");
            None
        }
    };
    let low = today
        .products
        .nodes
        .iter()
        .flat_map(|p| {
            p.variants
                .iter()
                .filter(|v| v.stock_on_hand <= LOW_STOCK)
                .map(|v| Low {
                    product_id: p.id.clone(),
                    label: format!("{} — {} ({})", p.title, v.title, v.sku),
                    stock: v.stock_on_hand,
                })
        })
        .collect();
    let titles: std::collections::HashMap<&str, &str> = today
        .products
        .nodes
        .iter()
        .map(|p| (p.id.as_str(), p.title.as_str()))
        .collect();
    let troubles = today
        .listings
        .nodes
        .iter()
        .filter(|l| l.state == "REJECTED" || l.last_error.is_some() || l.dead_lettered > 0)
        .map(|l| {
            let mut reasons = l.rejection_reasons.clone();
            reasons.extend(l.last_error.clone());
            if l.dead_lettered > 0 {
                reasons.push(console.ctx.t.n("con-dead-letters", l.dead_lettered));
            }
            Trouble {
                product_id: l.product_id.clone(),
                channel: format!(
                    "{} · {}",
                    titles
                        .get(l.product_id.as_str())
                        .copied()
                        .unwrap_or_default(),
                    l.channel
                ),
                state: l.state.clone(),
                reasons,
            }
        })
        .collect();
    let mut pack_orders = today.paid.nodes;
    pack_orders.extend(today.confirmed.nodes);
    let page = DashboardPage {
        frame: console.frame("con-dashboard", "/console", "dashboard"),
        to_pack: today
            .paid
            .total_count
            .saturating_add(today.confirmed.total_count),
        to_ship: today.packed.total_count,
        pack_orders,
        ship_orders: today.packed.nodes,
        overdue: today.overdue.total_count,
        overdue_orders: today.overdue.nodes,
        low,
        troubles,
        sales,
        month: from.get(..7).unwrap_or_default().to_owned(),
        pending_cooperatives,
    };
    console.ctx.render(StatusCode::OK, &page)
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config.route("/console", web::get().to(dashboard));
}
