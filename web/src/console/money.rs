//! Money: a cooperative's settlement statement for a period (by default this month so
//! far, dates in India) as the API's `settlementStatement` gives it — invoiced value,
//! taxable value and GST, what the platform collected, refunded and kept as TCS, and
//! what it owes, and the Razorpay Route transfers (made, commission, on hold,
//! released, reversed, and what is still owed outside Route) — with the same figures
//! as a CSV file for the society's books.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, http::header, web};
use askama::Template;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde_json::json;

use super::{Console, Frame, dates, forms::Errors, forms::Field};
use crate::{foundation::FormData, money};

/// The API's limit on one statement's period, in days.
const LONGEST: i64 = 366;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Statement {
    invoices: i64,
    gross_sales: i64,
    taxable_value: i64,
    gst: i64,
    collected: i64,
    tcs: i64,
    tcs_cgst: i64,
    tcs_sgst: i64,
    tcs_igst: i64,
    refunds: i64,
    net_payable: i64,
    route_transferred: i64,
    route_commission: i64,
    route_on_hold: i64,
    route_released: i64,
    route_reversed: i64,
    owed_outside_route: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatementData {
    settlement_statement: Statement,
}

const STATEMENT: &str = "query($c: ID!, $from: NaiveDate!, $to: NaiveDate!) { settlementStatement(cooperativeId: $c, from: $from, to: $to) { invoices grossSales taxableValue gst collected tcs tcsCgst tcsSgst tcsIgst refunds netPayable routeTransferred routeCommission routeOnHold routeReleased routeReversed owedOutsideRoute } }";

#[derive(Deserialize)]
struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
}

/// The statement's figures in order: the Fluent key of each row, its amount, and
/// whether it is a sum the rows above lead to (shown in bold).
fn rows(s: &Statement) -> [(&'static str, i64, bool); 16] {
    [
        ("con-st-gross", s.gross_sales, false),
        ("con-st-taxable", s.taxable_value, false),
        ("con-st-gst", s.gst, false),
        ("con-st-collected", s.collected, false),
        ("con-st-refunds", s.refunds, false),
        ("con-st-tcs", s.tcs, false),
        ("con-st-tcs-cgst", s.tcs_cgst, false),
        ("con-st-tcs-sgst", s.tcs_sgst, false),
        ("con-st-tcs-igst", s.tcs_igst, false),
        ("con-st-net", s.net_payable, true),
        ("con-st-route-transferred", s.route_transferred, false),
        ("con-st-route-commission", s.route_commission, false),
        ("con-st-route-on-hold", s.route_on_hold, false),
        ("con-st-route-released", s.route_released, false),
        ("con-st-route-reversed", s.route_reversed, false),
        ("con-st-route-owed", s.owed_outside_route, true),
    ]
}

/// The period asked for, or this month so far; a date that is not one, or a period
/// that runs backwards or is longer than the API gives, is an error beside its field.
fn period(
    console: &Console,
    query: &PeriodQuery,
) -> (Option<(NaiveDate, NaiveDate)>, FormData, Errors) {
    let t = console.ctx.t;
    let today = dates::today();
    let first = today.with_day0(0).unwrap_or(today);
    let mut form = FormData::new();
    form.insert(
        "from".into(),
        query.from.clone().unwrap_or_else(|| first.to_string()),
    );
    form.insert(
        "to".into(),
        query.to.clone().unwrap_or_else(|| today.to_string()),
    );
    let mut errors = Errors::default();
    let mut read = |name: &str| {
        let text = form.get(name).map_or("", |v| v.trim());
        match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                errors.push(name, t.t("con-error-date"));
                None
            }
        }
    };
    let (from, to) = (read("from"), read("to"));
    let period = match (from, to) {
        (Some(from), Some(to)) if to < from || (to - from).num_days() > LONGEST => {
            errors.push("to", t.t("con-error-period"));
            None
        }
        (Some(from), Some(to)) => Some((from, to)),
        _ => None,
    };
    (period, form, errors)
}

/// The statement as the page shows it.
struct StatementView {
    /// The period in words.
    period: String,
    invoices: i64,
    /// Each figure's words, its amount, and whether it is the sum the others lead to.
    rows: Vec<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "console/money.html")]
struct MoneyPage {
    frame: Frame,
    fields: Vec<Field>,
    errors: Vec<String>,
    statement: Option<StatementView>,
    csv: Option<String>,
}

async fn statement_page(request: HttpRequest, query: web::Query<PeriodQuery>) -> HttpResponse {
    let mut console = match Console::open(&request).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let Some(cooperative) = console.cooperative() else {
        return console.not_found();
    };
    let (period, form, errors) = period(&console, &query);
    let t = console.ctx.t;
    let statement = match period {
        Some((from, to)) => {
            let data: StatementData = match console
                .ctx
                .run(
                    STATEMENT,
                    json!({ "c": cooperative, "from": from.to_string(), "to": to.to_string() }),
                )
                .await
            {
                Ok(data) => data,
                Err(error) => return console.failure(error),
            };
            let s = data.settlement_statement;
            Some(StatementView {
                period: format!(
                    "{} – {}",
                    dates::day(&t, &from.to_string()),
                    dates::day(&t, &to.to_string())
                ),
                invoices: s.invoices,
                rows: rows(&s)
                    .iter()
                    .map(|(key, amount, sum)| (t.t(key), money::rupees(*amount), *sum))
                    .collect(),
            })
        }
        None => None,
    };
    let fields = vec![
        Field::new("from", t.t("con-st-from"), "date")
            .required(true)
            .fill(Some(&form), "", &errors),
        Field::new("to", t.t("con-st-to"), "date")
            .required(true)
            .fill(Some(&form), "", &errors),
    ];
    let csv = period.map(|(from, to)| format!("/console/money/statement.csv?from={from}&to={to}"));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = MoneyPage {
        frame: console.frame("con-money", "/console/money", "money"),
        errors: errors.general(&["from".to_owned(), "to".to_owned()]),
        fields,
        statement,
        csv,
    };
    console.ctx.render(status, &page)
}

/// The statement as CSV: one row per figure, the amount in rupees with two decimals
/// (what a spreadsheet reads as a number), headed by the cooperative's period.
async fn statement_csv(request: HttpRequest, query: web::Query<PeriodQuery>) -> HttpResponse {
    let mut console = match Console::open(&request).await {
        Ok(console) => console,
        Err(response) => return response,
    };
    let Some(cooperative) = console.cooperative() else {
        return console.not_found();
    };
    let (Some((from, to)), _, _) = period(&console, &query) else {
        return console.not_found();
    };
    let data: StatementData = match console
        .ctx
        .run(
            STATEMENT,
            json!({ "c": cooperative, "from": from.to_string(), "to": to.to_string() }),
        )
        .await
    {
        Ok(data) => data,
        Err(error) => return console.failure(error),
    };
    let s = data.settlement_statement;
    let t = console.ctx.t;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut write = || -> Result<Vec<u8>, csv::Error> {
        writer.write_record(["from", "to", "figure", "amount_inr"])?;
        let (from, to) = (from.to_string(), to.to_string());
        writer.write_record([
            from.as_str(),
            to.as_str(),
            t.t("con-st-invoices").as_str(),
            s.invoices.to_string().as_str(),
        ])?;
        for (key, amount, _) in rows(&s) {
            writer.write_record([
                from.as_str(),
                to.as_str(),
                t.t(key).as_str(),
                money::decimal(amount).as_str(),
            ])?;
        }
        writer.flush()?;
        Ok(writer.get_ref().clone())
    };
    match write() {
        Ok(body) => {
            let mut response = HttpResponse::Ok()
                .content_type("text/csv; charset=utf-8")
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"settlement-{from}-{to}.csv\""),
                ))
                .insert_header((header::CACHE_CONTROL, "private, no-store"))
                .body(body);
            console.ctx.session.apply(&mut response);
            response
        }
        Err(error) => {
            tracing::error!(%error, "the settlement CSV did not write");
            console.ctx.internal_error()
        }
    }
}

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/console/money", web::get().to(statement_page))
        .route("/console/money/statement.csv", web::get().to(statement_csv));
}
