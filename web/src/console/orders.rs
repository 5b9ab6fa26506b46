//! Orders: the cooperative's fulfilments by status; one order's page to pack, ship
//! (carrier and tracking number), mark delivered or cancel with a reason, and the
//! printable GST invoice once shipped.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::{
    Console, Frame, dates,
    forms::{Errors, ErrorsOnly, Field, paise, payload},
};
use crate::{
    foundation::{FormData, PageInfo, encode, field},
    graphql::GqlError,
    i18n::Tr,
    money,
};

/// The statuses the list can be narrowed to, in the order work moves.
const STATUSES: [&str; 8] = [
    "PAID",
    "CONFIRMED",
    "PACKED",
    "SHIPPED",
    "DELIVERED",
    "ACCEPTED",
    "CANCELLED",
    "PENDING_PAYMENT",
];

/// A status's words in the page's language: `prefix` is the Fluent family
/// (`con-fstatus` for fulfilments, `con-ostatus` for orders, `con-rstatus` for refunds).
fn label_of(t: &Tr, prefix: &str, status: &str) -> String {
    t.t(&format!(
        "{prefix}-{}",
        status.to_lowercase().replace('_', "-")
    ))
}

fn status_label(t: &Tr, status: &str) -> String {
    label_of(t, "con-fstatus", status)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListFulfilment {
    status: String,
    total: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListOrder {
    id: String,
    number: String,
    kind: String,
    created_at: String,
    fulfilments: Vec<ListFulfilment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListConnection {
    total_count: i64,
    nodes: Vec<ListOrder>,
    page_info: PageInfo,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListData {
    cooperative_orders: ListConnection,
}

/// A row of the list.
struct Row {
    id: String,
    number: String,
    institutional: bool,
    placed: String,
    status: String,
    status_label: String,
    total: String,
}

#[derive(Template)]
#[template(path = "console/orders.html")]
struct ListPage {
    frame: Frame,
    /// Each filter: its status (empty for all), label, whether it is the current one.
    filters: Vec<(String, String, bool)>,
    total: i64,
    rows: Vec<Row>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
    after: Option<String>,
}

async fn list(request: HttpRequest, query: web::Query<ListQuery>) -> HttpResponse {
    let mut console = match Console::open(&request).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let Some(cooperative) = console.cooperative() else {
        return console.not_found();
    };
    let status = query
        .status
        .as_deref()
        .filter(|s| STATUSES.contains(s))
        .map(str::to_owned);
    let data: ListData = match console
        .ctx
        .run(
            "query($c: ID!, $status: FulfilmentStatus, $after: String) { cooperativeOrders(cooperativeId: $c, status: $status, first: 30, after: $after) { totalCount nodes { id number kind createdAt fulfilments { status total } } pageInfo { hasNextPage endCursor } } }",
            json!({ "c": cooperative, "status": status, "after": query.after }),
        )
        .await
    {
        Ok(data) => data,
        Err(error) => return console.failure(error),
    };
    let t = console.ctx.t;
    let connection = data.cooperative_orders;
    let rows = connection
        .nodes
        .into_iter()
        .map(|o| {
            let status = o
                .fulfilments
                .first()
                .map(|f| f.status.clone())
                .unwrap_or_default();
            let total = o
                .fulfilments
                .iter()
                .fold(0i64, |sum, f| sum.saturating_add(f.total));
            Row {
                status_label: status_label(&t, &status),
                status,
                id: o.id,
                number: o.number,
                institutional: o.kind == "INSTITUTIONAL",
                placed: dates::day(&t, &o.created_at),
                total: money::rupees(total),
            }
        })
        .collect();
    let status_query = status
        .as_deref()
        .map(|s| format!("status={s}&"))
        .unwrap_or_default();
    let next = connection
        .page_info
        .has_next_page
        .then_some(connection.page_info.end_cursor)
        .flatten()
        .map(|cursor| format!("/console/orders?{status_query}after={}", encode(&cursor)));
    let mut filters = vec![(String::new(), t.t("con-all"), status.is_none())];
    filters.extend(STATUSES.iter().map(|s| {
        (
            (*s).to_owned(),
            status_label(&t, s),
            status.as_deref() == Some(*s),
        )
    }));
    let page = ListPage {
        frame: console.frame("con-orders", "/console/orders", "orders"),
        filters,
        total: connection.total_count,
        rows,
        next,
    };
    console.ctx.render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------- one order

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Address {
    name: String,
    phone: String,
    line1: String,
    line2: Option<String>,
    city: String,
    pin_code: String,
    state_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Line {
    kind: String,
    sku: String,
    description: String,
    quantity: i64,
    total: i64,
}

#[derive(Debug, Clone, Deserialize)]
struct CooperativeRef {
    id: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AcceptanceLine {
    consignee_id: Option<String>,
    sku: String,
    ordered: i64,
    accepted: i64,
    rejected: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Consignee {
    id: String,
    name: String,
    state_code: String,
    address: Option<Address>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Refund {
    fulfilment_id: String,
    amount: i64,
    status: String,
    reason: String,
    failure_message: Option<String>,
    created_at: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Fulfilment {
    id: String,
    status: String,
    cooperative: CooperativeRef,
    lines: Vec<Line>,
    total: i64,
    invoice_number: Option<String>,
    invoice_url: Option<String>,
    carrier: Option<String>,
    tracking_number: Option<String>,
    payment_due_at: Option<String>,
    payment_overdue: bool,
    refunded: i64,
    cash_collected: i64,
    accepted_at: Option<String>,
    provisional_receipt_at: Option<String>,
    acceptance: Vec<AcceptanceLine>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Order {
    id: String,
    number: String,
    kind: String,
    payment_method: String,
    created_at: String,
    purchase_order_number: Option<String>,
    gem_contract_number: Option<String>,
    payment_terms_days: Option<i64>,
    status: String,
    payment_received: i64,
    shipping_address: Option<Address>,
    fulfilments: Vec<Fulfilment>,
    consignees: Vec<Consignee>,
    refunds: Vec<Refund>,
}

#[derive(Deserialize)]
struct OrderData {
    order: Order,
}

const ORDER: &str = "query($id: ID!) { order(id: $id) { id number kind status paymentMethod
  paymentReceived createdAt purchaseOrderNumber gemContractNumber paymentTermsDays
  shippingAddress { name phone line1 line2 city pinCode stateName }
  consignees { id name stateCode address { name phone line1 line2 city pinCode stateName } }
  refunds { fulfilmentId amount status reason failureMessage createdAt }
  fulfilments { id status cooperative { id } lines { kind sku description quantity total } total
    invoiceNumber invoiceUrl carrier trackingNumber paymentDueAt paymentOverdue refunded
    cashCollected acceptedAt provisionalReceiptAt
    acceptance { consigneeId sku ordered accepted rejected } } } }";

/// A fulfilment as the page shows it, with the forms its status allows.
struct FulfilmentView {
    id: String,
    status: String,
    status_label: String,
    lines: Vec<(String, i64, String)>,
    total: String,
    invoice: Option<(String, String)>,
    shipment: Option<String>,
    payment_due: Option<String>,
    overdue: bool,
    can_pack: bool,
    can_ship: bool,
    can_deliver: bool,
    can_cancel: bool,
    ship_fields: Vec<Field>,
    cancel_fields: Vec<Field>,
    /// The cancel form was refused: shown open with its error.
    cancel_open: bool,
    errors: Vec<String>,
    /// What was refunded so far, when anything was.
    refunded: Option<String>,
    /// The refunds of this fulfilment: amount, status's words, reason, date, failure.
    refunds: Vec<RefundView>,
    /// The refund form, when money paid for this fulfilment is left to refund and
    /// this member of staff may refund (managers and admins).
    refund_fields: Option<Vec<Field>>,
    refund_open: bool,
    /// Makes a form sent twice one refund (the API's idempotency key).
    refund_key: String,
    /// Institutional orders: the consignee's receipt and acceptance.
    prc: Option<String>,
    crac: Option<String>,
    acceptance: Vec<AcceptanceView>,
}

struct RefundView {
    amount: String,
    status: String,
    status_label: String,
    reason: String,
    date: String,
    failure: Option<String>,
}

struct AcceptanceView {
    consignee: String,
    sku: String,
    ordered: i64,
    accepted: i64,
    rejected: i64,
}

struct ConsigneeView {
    name: String,
    state: String,
    address: Option<Address>,
}

#[derive(Template)]
#[template(path = "console/order.html")]
struct OrderPage {
    frame: Frame,
    id: String,
    institutional: bool,
    payment: String,
    placed: String,
    purchase_order: Option<String>,
    gem_contract: Option<String>,
    payment_terms: Option<String>,
    order_status: String,
    order_status_label: String,
    address: Option<Address>,
    consignees: Vec<ConsigneeView>,
    fulfilments: Vec<FulfilmentView>,
    done: Option<String>,
}

async fn own_order(console: &mut Console, id: &str) -> Result<Order, HttpResponse> {
    let data: OrderData = console
        .ctx
        .run(ORDER, json!({ "id": id }))
        .await
        .map_err(|error| console.failure(error))?;
    let mut order = data.order;
    // Staff see their own cooperative's part only; an order with none of it is not
    // theirs to open.
    order
        .fulfilments
        .retain(|f| console.owns(&f.cooperative.id));
    if order.fulfilments.is_empty() {
        return Err(console.not_found());
    }
    Ok(order)
}

/// What was sent for one fulfilment, and the errors.
struct Sent<'a> {
    fulfilment: &'a str,
    form: &'a FormData,
    errors: &'a Errors,
}

fn order_page(
    console: &Console,
    order: Order,
    sent: Option<Sent<'_>>,
    done: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let t = console.ctx.t;
    let none = Errors::default();
    let fulfilments = order
        .fulfilments
        .iter()
        .map(|f| {
            let (form, errors) = match &sent {
                Some(sent) if sent.fulfilment == f.id => (Some(sent.form), sent.errors),
                _ => (None, &none),
            };
            let ship_fields = vec![
                Field::new("carrier", t.t("con-carrier"), "text")
                    .scoped(&f.id)
                    .required(true)
                    .fill(form, "", errors),
                Field::new("trackingNumber", t.t("con-tracking"), "text")
                    .scoped(&f.id)
                    .required(true)
                    .fill(form, "", errors),
            ];
            let cancel_fields = vec![
                Field::new("reason", t.t("con-cancel-reason"), "text")
                    .scoped(&f.id)
                    .required(true)
                    .fill(form, "", errors),
            ];
            let refundable = if order.payment_method == "CASH_ON_DELIVERY" {
                f.cash_collected.saturating_sub(f.refunded)
            } else if order.payment_received > 0 {
                f.total.saturating_sub(f.refunded)
            } else {
                0
            };
            let refund_fields = (refundable > 0 && console.staff.is_manager()).then(|| {
                vec![
                    Field::new("amount", t.t("con-refund-amount"), "text")
                        .scoped(&format!("r-{}", f.id))
                        .decimal()
                        .hint(t.t1(
                            "con-refund-amount-hint",
                            "amount",
                            money::rupees(refundable),
                        ))
                        .fill(form, "", errors),
                    Field::new("refundReason", t.t("con-refund-reason"), "text")
                        .scoped(&format!("r-{}", f.id))
                        .required(true)
                        .fill(form, "", errors),
                ]
            });
            let known = [
                "carrier",
                "trackingNumber",
                "reason",
                "amount",
                "refundReason",
            ]
            .map(str::to_owned);
            let status = f.status.as_str();
            let consignee_name = |id: &Option<String>| {
                id.as_ref()
                    .and_then(|id| order.consignees.iter().find(|c| &c.id == id))
                    .map(|c| c.name.clone())
                    .unwrap_or_default()
            };
            FulfilmentView {
                id: f.id.clone(),
                status: f.status.clone(),
                status_label: status_label(&t, status),
                lines: f
                    .lines
                    .iter()
                    .map(|l| {
                        let label = if l.kind == "SHIPPING" {
                            t.t("con-shipping-line")
                        } else {
                            format!("{} ({})", l.description, l.sku)
                        };
                        (label, l.quantity, money::rupees(l.total))
                    })
                    .collect(),
                total: money::rupees(f.total),
                invoice: f
                    .invoice_url
                    .clone()
                    .map(|url| (url, f.invoice_number.clone().unwrap_or_default())),
                shipment: f.tracking_number.as_ref().map(|tracking| {
                    format!("{} · {tracking}", f.carrier.as_deref().unwrap_or_default())
                }),
                payment_due: f.payment_due_at.as_deref().map(|d| dates::day(&t, d)),
                overdue: f.payment_overdue,
                can_pack: matches!(status, "PAID" | "CONFIRMED"),
                can_ship: status == "PACKED",
                can_deliver: status == "SHIPPED",
                can_cancel: matches!(status, "PAID" | "CONFIRMED" | "PACKED" | "PENDING_PAYMENT"),
                ship_fields,
                cancel_open: errors.of("reason").is_some(),
                cancel_fields,
                errors: errors.general(&known),
                refunded: (f.refunded > 0).then(|| money::rupees(f.refunded)),
                refunds: order
                    .refunds
                    .iter()
                    .filter(|r| r.fulfilment_id == f.id)
                    .map(|r| RefundView {
                        amount: money::rupees(r.amount),
                        status: r.status.clone(),
                        status_label: label_of(&t, "con-rstatus", &r.status),
                        reason: r.reason.clone(),
                        date: dates::day(&t, &r.created_at),
                        failure: r.failure_message.clone(),
                    })
                    .collect(),
                refund_open: errors.of("amount").is_some() || errors.of("refundReason").is_some(),
                refund_fields,
                refund_key: uuid::Uuid::now_v7().to_string(),
                prc: f
                    .provisional_receipt_at
                    .as_deref()
                    .map(|d| t.t1("con-prc", "date", dates::day(&t, d))),
                crac: f
                    .accepted_at
                    .as_deref()
                    .map(|d| t.t1("con-crac", "date", dates::day(&t, d))),
                acceptance: f
                    .acceptance
                    .iter()
                    .map(|a| AcceptanceView {
                        consignee: consignee_name(&a.consignee_id),
                        sku: a.sku.clone(),
                        ordered: a.ordered,
                        accepted: a.accepted,
                        rejected: a.rejected,
                    })
                    .collect(),
            }
        })
        .collect();
    let path = format!("/console/orders/{}", order.id);
    let page = OrderPage {
        frame: console.frame_titled(
            t.t1("con-order-title", "number", &order.number),
            &path,
            "orders",
        ),
        id: order.id,
        institutional: order.kind == "INSTITUTIONAL",
        payment: t.t(&format!(
            "con-pay-{}",
            order.payment_method.to_lowercase().replace('_', "-")
        )),
        placed: dates::day(&t, &order.created_at),
        purchase_order: order.purchase_order_number,
        gem_contract: order.gem_contract_number,
        payment_terms: order
            .payment_terms_days
            .filter(|_| order.kind == "INSTITUTIONAL")
            .map(|days| t.t1("con-payment-terms", "days", days.to_string())),
        order_status_label: label_of(&t, "con-ostatus", &order.status),
        order_status: order.status,
        address: order.shipping_address,
        consignees: order
            .consignees
            .into_iter()
            .map(|c| ConsigneeView {
                name: c.name,
                state: t.t1("con-consignee-state", "code", c.state_code),
                address: c.address,
            })
            .collect(),
        fulfilments,
        done,
    };
    console.ctx.render(status, &page)
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn show(
    request: HttpRequest,
    id: web::Path<String>,
    query: web::Query<DoneQuery>,
) -> HttpResponse {
    let mut console = match Console::open(&request).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let order = match own_order(&mut console, &id).await {
        Ok(order) => order,
        Err(response) => return response,
    };
    let done = query.done.as_deref().and_then(|what| match what {
        "pack" | "ship" | "deliver" | "cancel" | "refund" => {
            Some(console.ctx.t.t(&format!("con-done-{what}")))
        }
        _ => None,
    });
    order_page(&console, order, None, done, StatusCode::OK)
}

/// Packs, ships, delivers or cancels one of the order's fulfilments.
async fn act(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<FormData>,
) -> HttpResponse {
    let form = form.into_inner();
    let (id, fulfilment) = path.into_inner();
    let mut console = match Console::open_form(&request, &form).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let order = match own_order(&mut console, &id).await {
        Ok(order) => order,
        Err(response) => return response,
    };
    if !order.fulfilments.iter().any(|f| f.id == fulfilment) {
        return console.not_found();
    }
    let action = field(&form, "action");
    let errors = if action == "refund" {
        match refund(&mut console, &order.id, &fulfilment, &form).await {
            Ok(errors) => errors,
            Err(response) => return response,
        }
    } else {
        let (document, name, input) = match action {
            "pack" => (
                "mutation($input: FulfilmentInput!) { fulfilmentPack(input: $input) { errors { field message } } }",
                "fulfilmentPack",
                json!({ "fulfilmentId": fulfilment }),
            ),
            "ship" => (
                "mutation($input: FulfilmentShipInput!) { fulfilmentShip(input: $input) { errors { field message } } }",
                "fulfilmentShip",
                json!({ "fulfilmentId": fulfilment, "carrier": field(&form, "carrier"), "trackingNumber": field(&form, "trackingNumber") }),
            ),
            "deliver" => (
                "mutation($input: FulfilmentInput!) { fulfilmentDeliver(input: $input) { errors { field message } } }",
                "fulfilmentDeliver",
                json!({ "fulfilmentId": fulfilment }),
            ),
            "cancel" => (
                "mutation($input: OrderCancelInput!) { orderCancel(input: $input) { errors { field message } } }",
                "orderCancel",
                json!({ "orderId": order.id, "fulfilmentId": fulfilment, "reason": field(&form, "reason") }),
            ),
            _ => return console.not_found(),
        };
        match console.mutate(document, name, input).await {
            Ok(errors) => errors,
            Err(response) => return response,
        }
    };
    if errors.is_empty() {
        return console
            .ctx
            .redirect(&format!("/console/orders/{}?done={action}", order.id));
    }
    let sent = Sent {
        fulfilment: &fulfilment,
        form: &form,
        errors: &errors,
    };
    order_page(
        &console,
        order,
        Some(sent),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// Refunds part or all of a fulfilment through `orderRefund`: the amount typed in
/// rupees (blank for everything left), the reason, and the form's own idempotency key
/// (a form sent twice refunds once). The API's errors come back named as the form's
/// fields; a refund the order's state rules out (nothing was paid) is shown above
/// the form.
async fn refund(
    console: &mut Console,
    order: &str,
    fulfilment: &str,
    form: &FormData,
) -> Result<Errors, HttpResponse> {
    let mut errors = Errors::default();
    let typed = field(form, "amount");
    let amount = if typed.is_empty() {
        None
    } else {
        match paise(typed) {
            Some(amount) => Some(amount),
            None => {
                errors.push("amount", console.ctx.t.t("con-error-rupees"));
                return Ok(errors);
            }
        }
    };
    let input = json!({
        "orderId": order,
        "fulfilmentId": fulfilment,
        "amountPaise": amount,
        "reason": field(form, "refundReason"),
        "idempotencyKey": field(form, "key"),
    });
    let answer = console
        .ctx
        .run::<serde_json::Value>(
            "mutation($input: OrderRefundInput!) { orderRefund(input: $input) { errors { field message } } }",
            json!({ "input": input }),
        )
        .await
        .and_then(|data| payload::<ErrorsOnly>(&data, "orderRefund"));
    let found = match answer {
        Ok(answer) => Errors::from_user_errors(&answer.errors),
        Err(GqlError::Conflict(message)) => {
            errors.push("", message);
            return Ok(errors);
        }
        Err(error) => return Err(console.failure(error)),
    };
    for (name, message) in found.0 {
        let name = match name.as_str() {
            "amountPaise" => "amount",
            "reason" => "refundReason",
            other => other,
        };
        errors.push(name, message);
    }
    Ok(errors)
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/console/orders", web::get().to(list))
        .route("/console/orders/{id}", web::get().to(show))
        .route(
            "/console/orders/{id}/fulfilments/{fulfilment}",
            web::post().to(act),
        );
}
