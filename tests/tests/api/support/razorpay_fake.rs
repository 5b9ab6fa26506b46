//! A local stand-in for Razorpay's API that enforces the parts of its contract the
//! marketplace relies on: HTTP basic authentication with the key id and secret, JSON
//! bodies, amounts as integer paise (at least ₹1.00) in INR, a receipt unique among
//! orders (at most 40 characters), refunds bounded by what was captured and made once
//! per `X-Refund-Idempotency` key (at least 10 characters of letters, digits, `-` and
//! `_`; the same key with another body is refused), and capture only of an authorised
//! payment for its exact amount. Orders and payments follow Razorpay's lifecycle:
//! an order is `created`, `attempted` once a payment was tried, `paid` once one is
//! captured; a paid order takes no further payment. Tests pay or fail orders as the
//! buyer's Checkout would, and inject faults: an error status instead of an answer,
//! an answer held back past the client's timeout, and an answer of 500 after the
//! request took effect (a capture or refund that happened but seemed to fail).
//!
//! Route (razorpay.com/docs/payments/route/apis): transfers from a captured payment
//! only, to a linked account the double knows, in INR paise, their sum never above the
//! payment's amount; fetched by payment or by id; taken off hold by PATCH; reversed
//! at most up to what was transferred and not yet reversed.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

pub const KEY_ID: &str = "rzp_test_LadakhMarket01";
pub const KEY_SECRET: &str = "rzp_secret_ladakh_market_fake";
pub const WEBHOOK_SECRET: &str = "rzp_whsec_ladakh_market_fake";

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub idempotency_key: Option<String>,
    pub body: String,
}

#[derive(Default)]
struct State {
    orders: HashMap<String, Value>,
    payments: HashMap<String, Value>,
    /// Route: linked accounts that exist, and transfers by id.
    linked_accounts: Vec<String>,
    transfers: HashMap<String, Value>,
    reversals: Vec<Value>,
    /// Refund replies by idempotency key, with the body they answered.
    refund_keys: HashMap<String, (String, Value)>,
    requests: Vec<Recorded>,
    /// Injected: answer with this status without acting.
    fail_next: Vec<u16>,
    /// Injected: act, then answer 500 (paths containing the text given).
    fail_after_effect: Vec<String>,
    /// Injected: act on the next request of this method and path, then hold the
    /// answer back this long.
    delay_next: Vec<(String, String, Duration)>,
    counter: u64,
}

type Shared = Arc<Mutex<State>>;

pub struct FakeRazorpay {
    pub base_url: String,
    state: Shared,
    handle: actix_web::dev::ServerHandle,
}

fn error(status: u16, code: &str, description: &str) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
        .json(json!({ "error": { "code": code, "description": description,
                                  "source": "NA", "step": "NA", "reason": "NA", "metadata": {} } }))
}

fn bad_request(description: &str) -> HttpResponse {
    error(400, "BAD_REQUEST_ERROR", description)
}

fn authenticated(req: &HttpRequest) -> bool {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{KEY_ID}:{KEY_SECRET}"))
    );
    req.headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
        == Some(expected.as_str())
}

fn collection(items: Vec<Value>) -> Value {
    json!({ "entity": "collection", "count": items.len(), "items": items })
}

async fn handle(req: HttpRequest, body: web::Bytes, state: web::Data<Shared>) -> HttpResponse {
    let (response, delay) = {
        let mut s = state.lock().unwrap();
        let delay = s
            .delay_next
            .iter()
            .position(|(m, p, _)| m == req.method().as_str() && p == req.path())
            .map(|i| s.delay_next.remove(i).2);
        (answer(&req, &body, &mut s), delay)
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    response
}

fn answer(req: &HttpRequest, body: &web::Bytes, s: &mut State) -> HttpResponse {
    let body = String::from_utf8_lossy(body).into_owned();
    let path = req.path().to_owned();
    let method = req.method().as_str().to_owned();
    let key = req
        .headers()
        .get("X-Refund-Idempotency")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    s.requests.push(Recorded {
        method: method.clone(),
        path: path.clone(),
        query: req.query_string().to_owned(),
        idempotency_key: key.clone(),
        body: body.clone(),
    });
    if !s.fail_next.is_empty() {
        let status = s.fail_next.remove(0);
        return error(status, "SERVER_ERROR", "injected failure");
    }
    if !authenticated(req) {
        return error(401, "BAD_REQUEST_ERROR", "Authentication failed");
    }
    let json_body: Value = if method == "POST" || method == "PATCH" {
        let content_type = req
            .headers()
            .get("Content-Type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !content_type.starts_with("application/json") {
            return bad_request("this double takes JSON bodies");
        }
        match serde_json::from_str(&body) {
            Ok(v) => v,
            Err(_) => return bad_request("The request body is not valid JSON"),
        }
    } else {
        Value::Null
    };
    s.counter += 1;
    let n = s.counter;
    let segments: Vec<&str> = path.trim_start_matches("/v1/").split('/').collect();
    let reply = match (method.as_str(), segments.as_slice()) {
        ("POST", ["orders"]) => {
            let Some(amount) = json_body["amount"].as_i64().filter(|a| *a >= 100) else {
                return bad_request(
                    "The amount must be an integer of at least INR 1.00 (100 paise)",
                );
            };
            if json_body["currency"] != "INR" {
                return bad_request("Currency is not supported");
            }
            let receipt = json_body["receipt"].as_str().unwrap_or_default().to_owned();
            if receipt.is_empty() || receipt.len() > 40 {
                return bad_request("receipt must be 1 to 40 characters");
            }
            if s.orders.values().any(|o| o["receipt"] == receipt.as_str()) {
                return bad_request("an order with this receipt already exists");
            }
            if json_body["notes"].as_object().is_some_and(|n| n.len() > 15) {
                return bad_request("notes take at most 15 keys");
            }
            let id = format!("order_Fake{n:010}");
            let order = json!({
                "id": id, "entity": "order", "amount": amount, "amount_paid": 0,
                "amount_due": amount, "currency": "INR", "receipt": receipt,
                "status": "created", "attempts": 0, "notes": json_body["notes"],
                "created_at": 1_780_000_000 + n,
            });
            s.orders.insert(id, order.clone());
            order
        }
        ("GET", ["orders"]) => {
            let receipt = req
                .query_string()
                .split('&')
                .find_map(|p| p.strip_prefix("receipt="))
                .map(|r| r.replace("%2D", "-"));
            let items = s
                .orders
                .values()
                .filter(|o| receipt.as_ref().is_none_or(|r| o["receipt"] == r.as_str()))
                .cloned()
                .collect();
            collection(items)
        }
        ("GET", ["orders", id]) => match s.orders.get(*id) {
            Some(order) => order.clone(),
            None => return bad_request("The id provided does not exist"),
        },
        ("GET", ["orders", id, "payments"]) => {
            if !s.orders.contains_key(*id) {
                return bad_request("The id provided does not exist");
            }
            let mut items: Vec<Value> = s
                .payments
                .values()
                .filter(|p| p["order_id"] == *id)
                .cloned()
                .collect();
            items.sort_by_key(|p| p["created_at"].as_i64());
            collection(items)
        }
        ("GET", ["payments", id]) => match s.payments.get(*id) {
            Some(payment) => payment.clone(),
            None => return bad_request("The id provided does not exist"),
        },
        ("POST", ["payments", id, "capture"]) => {
            let Some(payment) = s.payments.get(*id).cloned() else {
                return bad_request("The id provided does not exist");
            };
            if payment["status"] != "authorized" {
                return bad_request("This payment has already been captured");
            }
            if json_body["amount"] != payment["amount"]
                || json_body["currency"] != payment["currency"]
            {
                return bad_request("Capture amount must be equal to the amount authorized");
            }
            let captured = s.capture(id);
            if take_fault(s, "/capture") {
                return error(500, "SERVER_ERROR", "injected failure after the capture");
            }
            captured
        }
        ("POST", ["payments", id, "refund"]) => {
            let Some(key) = key.filter(|k| {
                k.len() >= 10
                    && k.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            }) else {
                return bad_request(
                    "X-Refund-Idempotency: at least 10 letters, digits, - or _ (this marketplace's contract: every refund carries one)",
                );
            };
            if let Some((first, reply)) = s.refund_keys.get(&key) {
                if *first != body {
                    return bad_request(
                        "Different request with the same idempotency key has already been processed.",
                    );
                }
                return HttpResponse::Ok().json(reply.clone());
            }
            let Some(payment) = s.payments.get(*id).cloned() else {
                return bad_request("The id provided does not exist");
            };
            if payment["status"] != "captured" && payment["status"] != "refunded" {
                return bad_request("The payment has not been captured");
            }
            let captured = payment["amount"].as_i64().unwrap();
            let already = payment["amount_refunded"].as_i64().unwrap();
            let amount = json_body["amount"].as_i64().unwrap_or(captured - already);
            if amount < 100 || amount + already > captured {
                return bad_request("The refund amount provided is greater than amount captured");
            }
            let refund = json!({
                "id": format!("rfnd_Fake{n:010}"), "entity": "refund", "amount": amount,
                "currency": "INR", "payment_id": id, "notes": json_body["notes"],
                "status": "processed", "speed_processed": "normal",
                "created_at": 1_780_000_000 + n,
            });
            let payment = s.payments.get_mut(*id).unwrap();
            payment["amount_refunded"] = json!(already + amount);
            payment["refund_status"] = json!(if already + amount == captured {
                "full"
            } else {
                "partial"
            });
            if already + amount == captured {
                payment["status"] = json!("refunded");
            }
            s.refund_keys.insert(key, (body.clone(), refund.clone()));
            if take_fault(s, "/refund") {
                return error(500, "SERVER_ERROR", "injected failure after the refund");
            }
            refund
        }
        ("POST", ["payments", id, "transfers"]) => {
            let Some(payment) = s.payments.get(*id).cloned() else {
                return bad_request("The id provided does not exist");
            };
            if payment["status"] != "captured" {
                return bad_request("Transfers can be made only from a captured payment");
            }
            let Some(requested) = json_body["transfers"].as_array().cloned() else {
                return bad_request("transfers is required");
            };
            let already: i64 = s
                .transfers
                .values()
                .filter(|t| t["source"] == *id)
                .map(|t| t["amount"].as_i64().unwrap())
                .sum();
            let mut total = already;
            for t in &requested {
                let Some(amount) = t["amount"].as_i64().filter(|a| *a >= 100) else {
                    return bad_request("The amount must be an integer of at least 100 paise");
                };
                if t["currency"] != "INR" {
                    return bad_request("Currency is not supported");
                }
                let account = t["account"].as_str().unwrap_or_default();
                if !s.linked_accounts.iter().any(|a| a == account) {
                    return bad_request("The account id provided does not exist");
                }
                if !t["on_hold"].is_boolean() && !t["on_hold"].is_null() {
                    return bad_request("on_hold must be a boolean");
                }
                total += amount;
            }
            if total > payment["amount"].as_i64().unwrap() {
                return bad_request(
                    "The sum of amount requested for transfer is greater than the captured amount",
                );
            }
            let mut items = Vec::new();
            for t in requested {
                s.counter += 1;
                let id_n = s.counter;
                let transfer = json!({
                    "id": format!("trf_Fake{id_n:010}"), "entity": "transfer",
                    "status": "pending", "source": id, "recipient": t["account"],
                    "amount": t["amount"], "currency": "INR", "amount_reversed": 0,
                    "notes": t["notes"], "on_hold": t["on_hold"].as_bool().unwrap_or(false),
                    "on_hold_until": null, "created_at": 1_780_000_000 + id_n,
                });
                s.transfers.insert(
                    transfer["id"].as_str().unwrap().to_owned(),
                    transfer.clone(),
                );
                items.push(transfer);
            }
            if take_fault(s, "/transfers") {
                return error(500, "SERVER_ERROR", "injected failure after the transfer");
            }
            collection(items)
        }
        ("GET", ["payments", id, "transfers"]) => {
            let mut items: Vec<Value> = s
                .transfers
                .values()
                .filter(|t| t["source"] == *id)
                .cloned()
                .collect();
            items.sort_by_key(|t| t["created_at"].as_i64());
            collection(items)
        }
        ("GET", ["transfers", id]) => match s.transfers.get(*id) {
            Some(transfer) => transfer.clone(),
            None => return bad_request("The id provided does not exist"),
        },
        ("PATCH", ["transfers", id]) => {
            let Some(on_hold) = json_body["on_hold"].as_bool() else {
                return bad_request("on_hold is required");
            };
            let Some(transfer) = s.transfers.get_mut(*id) else {
                return bad_request("The id provided does not exist");
            };
            transfer["on_hold"] = json!(on_hold);
            transfer.clone()
        }
        ("POST", ["transfers", id, "reversals"]) => {
            let Some(transfer) = s.transfers.get(*id).cloned() else {
                return bad_request("The id provided does not exist");
            };
            let left = transfer["amount"].as_i64().unwrap()
                - transfer["amount_reversed"].as_i64().unwrap();
            let amount = json_body["amount"].as_i64().unwrap_or(left);
            if amount <= 0 || amount > left {
                return bad_request("The reversal amount is greater than the unreversed amount");
            }
            let reversal = json!({
                "id": format!("rvrsl_Fake{n:010}"), "entity": "reversal", "transfer_id": id,
                "amount": amount, "currency": "INR", "created_at": 1_780_000_000 + n,
            });
            let transfer = s.transfers.get_mut(*id).unwrap();
            let reversed = transfer["amount_reversed"].as_i64().unwrap() + amount;
            transfer["amount_reversed"] = json!(reversed);
            transfer["status"] = json!(if reversed == transfer["amount"].as_i64().unwrap() {
                "reversed"
            } else {
                "partially_reversed"
            });
            s.reversals.push(reversal.clone());
            if take_fault(s, "/reversals") {
                return error(500, "SERVER_ERROR", "injected failure after the reversal");
            }
            reversal
        }
        _ => {
            return error(
                404,
                "BAD_REQUEST_ERROR",
                "The requested URL was not found on the server.",
            );
        }
    };
    HttpResponse::Ok().json(reply)
}

fn take_fault(s: &mut State, path: &str) -> bool {
    match s.fail_after_effect.iter().position(|p| p == path) {
        Some(i) => {
            s.fail_after_effect.remove(i);
            true
        }
        None => false,
    }
}

impl State {
    fn capture(&mut self, payment_id: &str) -> Value {
        let payment = self.payments.get_mut(payment_id).unwrap();
        payment["status"] = json!("captured");
        payment["captured"] = json!(true);
        let payment = payment.clone();
        let order = self
            .orders
            .get_mut(payment["order_id"].as_str().unwrap())
            .unwrap();
        order["status"] = json!("paid");
        order["amount_paid"] = payment["amount"].clone();
        order["amount_due"] = json!(0);
        payment
    }
}

impl FakeRazorpay {
    pub async fn start() -> anyhow::Result<Self> {
        let state: Shared = Arc::default();
        let data = web::Data::new(Arc::clone(&state));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(handle))
        })
        .workers(1)
        .bind("127.0.0.1:0")?;
        let addr = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(Self {
            base_url: format!("http://{addr}"),
            state,
            handle,
        })
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    /// The requests to `path` with `method`.
    pub fn requests_to(&self, method: &str, path: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method && r.path == path)
            .collect()
    }

    /// The next `count` requests fail with `status`, doing nothing.
    pub fn fail_next(&self, status: u16, count: usize) {
        self.state
            .lock()
            .unwrap()
            .fail_next
            .extend(std::iter::repeat_n(status, count));
    }

    /// The next request whose path ends in `suffix` (`/capture`, `/refund`) takes
    /// effect, then answers 500.
    pub fn fail_after_effect(&self, suffix: &str) {
        self.state
            .lock()
            .unwrap()
            .fail_after_effect
            .push(suffix.to_owned());
    }

    /// The next `method` request to `path` takes effect, then its answer is held
    /// back by `delay` (past the client's timeout).
    pub fn delay_next(&self, method: &str, path: &str, delay: Duration) {
        self.state
            .lock()
            .unwrap()
            .delay_next
            .push((method.to_owned(), path.to_owned(), delay));
    }

    /// A Route linked account that exists at the double.
    pub fn add_linked_account(&self, account: &str) {
        self.state
            .lock()
            .unwrap()
            .linked_accounts
            .push(account.to_owned());
    }

    /// Every transfer made, oldest first.
    pub fn transfers(&self) -> Vec<Value> {
        let mut all: Vec<Value> = self
            .state
            .lock()
            .unwrap()
            .transfers
            .values()
            .cloned()
            .collect();
        all.sort_by_key(|t| t["created_at"].as_i64());
        all
    }

    /// Razorpay processes a transfer (`processed`) or fails it, as its
    /// `transfer.processed` / `transfer.failed` webhooks then report; returns it.
    pub fn settle_transfer(&self, id: &str, processed: bool) -> Value {
        let mut s = self.state.lock().unwrap();
        let transfer = s.transfers.get_mut(id).expect("no such transfer");
        if processed {
            transfer["status"] = json!("processed");
        } else {
            transfer["status"] = json!("failed");
            transfer["error"] = json!({ "code": "BAD_REQUEST_ERROR",
                "description": "The linked account is suspended", "reason": "account_suspended",
                "source": "business", "step": "transfer_processing", "field": null });
        }
        transfer.clone()
    }

    /// Every reversal made, in order.
    pub fn reversals(&self) -> Vec<Value> {
        self.state.lock().unwrap().reversals.clone()
    }

    pub fn order(&self, id: &str) -> Option<Value> {
        self.state.lock().unwrap().orders.get(id).cloned()
    }

    pub fn order_count(&self) -> usize {
        self.state.lock().unwrap().orders.len()
    }

    pub fn payment(&self, id: &str) -> Option<Value> {
        self.state.lock().unwrap().payments.get(id).cloned()
    }

    /// The buyer pays the order through Checkout with `method` (`upi`, `card`, …):
    /// captured at once (`capture`), or only authorised, as an account without
    /// automatic capture leaves it. Returns the payment.
    pub fn pay(&self, order_id: &str, method: &str, capture: bool) -> Value {
        let mut s = self.state.lock().unwrap();
        s.counter += 1;
        let n = s.counter;
        let order = s.orders.get_mut(order_id).expect("no such Razorpay order");
        assert_ne!(
            order["status"], "paid",
            "a paid order takes no further payment"
        );
        order["status"] = json!("attempted");
        order["attempts"] = json!(order["attempts"].as_i64().unwrap() + 1);
        let amount = order["amount"].clone();
        let id = format!("pay_Fake{n:010}");
        let payment = json!({
            "id": id, "entity": "payment", "amount": amount, "currency": "INR",
            "status": "authorized", "order_id": order_id, "method": method,
            "amount_refunded": 0, "refund_status": null, "captured": false,
            "vpa": if method == "upi" { json!("tsering@okaxis") } else { Value::Null },
            "email": "buyer@example.org", "contact": "+919876543210", "notes": [],
            "error_code": null, "error_description": null, "error_reason": null,
            "created_at": 1_780_000_000 + n,
        });
        s.payments.insert(id.clone(), payment.clone());
        if capture { s.capture(&id) } else { payment }
    }

    /// One attempt fails (a wrong UPI PIN, say); the order stays payable.
    pub fn fail_payment(&self, order_id: &str, description: &str, reason: &str) -> Value {
        let mut s = self.state.lock().unwrap();
        s.counter += 1;
        let n = s.counter;
        let order = s.orders.get_mut(order_id).expect("no such Razorpay order");
        order["status"] = json!("attempted");
        let amount = order["amount"].clone();
        let id = format!("pay_Fake{n:010}");
        let payment = json!({
            "id": id, "entity": "payment", "amount": amount, "currency": "INR",
            "status": "failed", "order_id": order_id, "method": "upi", "amount_refunded": 0,
            "captured": false, "notes": [], "error_code": "BAD_REQUEST_ERROR",
            "error_description": description, "error_reason": reason,
            "created_at": 1_780_000_000 + n,
        });
        s.payments.insert(id, payment.clone());
        payment
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}

/// `X-Razorpay-Signature` as Razorpay computes it: HMAC-SHA256, hex, of the raw body.
pub fn webhook_signature(secret: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Checkout's `razorpay_signature`: HMAC-SHA256, hex, of `order_id|payment_id` with
/// the key secret.
pub fn checkout_signature(key_secret: &str, order_id: &str, payment_id: &str) -> String {
    webhook_signature(key_secret, &format!("{order_id}|{payment_id}"))
}

/// A webhook body as Razorpay sends it: the event around snapshots of its entities
/// (`payment`, `order`, `refund`).
pub fn event(kind: &str, entities: &[(&str, &Value)]) -> String {
    let mut payload = serde_json::Map::new();
    for (name, entity) in entities {
        payload.insert((*name).to_owned(), json!({ "entity": entity }));
    }
    json!({
        "entity": "event", "account_id": "acc_FakeLadakh01", "event": kind,
        "contains": entities.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
        "payload": payload, "created_at": 1_780_000_000,
    })
    .to_string()
}
