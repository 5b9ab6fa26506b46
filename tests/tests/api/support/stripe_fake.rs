//! A local stand-in for Stripe's API that enforces the parts of its contract the
//! marketplace relies on: bearer authentication with the secret key, form-encoded POST
//! bodies, `Idempotency-Key` on every POST (a repeated key with the same body replays
//! the first answer, with a different body is refused, as Stripe does), INR amounts
//! in paise, and refunds bounded by what was captured. PaymentIntents follow Stripe's
//! documented lifecycle: a declined payment (`payment_intent.payment_failed`) leaves the
//! intent in `requires_payment_method`, payable with another card; `POST
//! /v1/payment_intents/{id}/cancel` cancels one that is not yet paid (any other state
//! is refused with `payment_intent_unexpected_state`), and a cancelled intent can never
//! be paid. Tests can change an intent's state and inject failures.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

pub const SECRET_KEY: &str = "sk_test_ladakh_market_fake";
pub const WEBHOOK_SECRET: &str = "whsec_ladakh_market_fake";

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub idempotency_key: Option<String>,
    pub body: String,
}

#[derive(Default)]
struct State {
    intents: HashMap<String, Value>,
    refunded: HashMap<String, i64>,
    replies: HashMap<String, (String, u16, Value)>,
    requests: Vec<Recorded>,
    fail_next: Vec<u16>,
    /// Answers to hold back this long after the request took effect (a slow or
    /// timed-out Stripe), one per request.
    delay_next: Vec<Duration>,
    counter: u64,
}

type Shared = Arc<Mutex<State>>;

pub struct FakeStripe {
    pub base_url: String,
    state: Shared,
    arrived: Arc<tokio::sync::Notify>,
    handle: actix_web::dev::ServerHandle,
}

fn stripe_error(status: u16, kind: &str, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default())
        .json(json!({ "error": { "type": kind, "code": code, "message": message } }))
}

fn decode(text: &str) -> String {
    let bytes = text.replace('+', " ").into_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(&String::from_utf8_lossy(&bytes[i + 1..i + 3]), 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn form(body: &str) -> HashMap<String, String> {
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn intent_json(id: &str, amount: i64, currency: &str, metadata: Value, created: u64) -> Value {
    json!({
        "id": id, "object": "payment_intent", "amount": amount, "amount_capturable": 0,
        "amount_received": 0, "capture_method": "automatic_async",
        "confirmation_method": "automatic", "created": created, "currency": currency,
        "livemode": false, "metadata": metadata, "payment_method_types": ["card", "upi"],
        "status": "requires_payment_method", "client_secret": format!("{id}_secret_fake"),
    })
}

/// The states from which Stripe lets a PaymentIntent be cancelled.
const CANCELLABLE: [&str; 5] = [
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
];

/// Checks what every request must carry; returns the refusal when it does not.
fn check_request(req: &HttpRequest, post: bool) -> Option<HttpResponse> {
    let auth = req
        .headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if auth != format!("Bearer {SECRET_KEY}") {
        return Some(stripe_error(
            401,
            "invalid_request_error",
            "api_key_invalid",
            "Invalid API Key provided",
        ));
    }
    if post {
        let content_type = req
            .headers()
            .get("Content-Type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !content_type.starts_with("application/x-www-form-urlencoded") {
            return Some(stripe_error(
                400,
                "invalid_request_error",
                "parameter_invalid",
                "bodies are form-encoded",
            ));
        }
        if req.headers().get("Idempotency-Key").is_none() {
            return Some(stripe_error(
                400,
                "invalid_request_error",
                "idempotency_key_required",
                "this marketplace's contract: every POST carries an Idempotency-Key",
            ));
        }
    }
    None
}

async fn handle(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Shared>,
    arrived: web::Data<Arc<tokio::sync::Notify>>,
) -> HttpResponse {
    let delay = {
        let mut s = state.lock().unwrap();
        (!s.delay_next.is_empty()).then(|| s.delay_next.remove(0))
    };
    let response = answer(&req, &body, &state);
    arrived.notify_waiters();
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    response
}

/// Records the request, applies it and builds the answer.
fn answer(req: &HttpRequest, body: &web::Bytes, state: &Shared) -> HttpResponse {
    let body = String::from_utf8_lossy(body).into_owned();
    let path = req.path().to_owned();
    let method = req.method().as_str().to_owned();
    let key = req
        .headers()
        .get("Idempotency-Key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut s = state.lock().unwrap();
    s.requests.push(Recorded {
        method: method.clone(),
        path: path.clone(),
        idempotency_key: key.clone(),
        body: body.clone(),
    });
    if !s.fail_next.is_empty() {
        let status = s.fail_next.remove(0);
        return stripe_error(status, "api_error", "injected", "injected failure");
    }
    let post = method == "POST";
    if let Some(refusal) = check_request(req, post) {
        return refusal;
    }
    if let Some(key) = &key
        && let Some((first_body, status, reply)) = s.replies.get(key)
    {
        {
            if *first_body != body {
                return stripe_error(
                    400,
                    "idempotency_error",
                    "idempotency_key_in_use",
                    "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                );
            }
            return HttpResponse::build(
                actix_web::http::StatusCode::from_u16(*status).unwrap_or_default(),
            )
            .insert_header(("Idempotent-Replayed", "true"))
            .json(reply.clone());
        }
    }
    s.counter += 1;
    let n = s.counter;
    let (status, reply) = match (method.as_str(), path.as_str()) {
        ("POST", "/v1/payment_intents") => {
            let f = form(&body);
            let amount = f
                .get("amount")
                .and_then(|a| a.parse::<i64>().ok())
                .unwrap_or(0);
            if amount <= 0 || f.get("currency").map(String::as_str) != Some("inr") {
                return stripe_error(
                    400,
                    "invalid_request_error",
                    "parameter_invalid_integer",
                    "amount must be a positive integer in paise and currency inr",
                );
            }
            let metadata: serde_json::Map<String, Value> = f
                .iter()
                .filter_map(|(k, v)| {
                    k.strip_prefix("metadata[")
                        .and_then(|k| k.strip_suffix(']'))
                        .map(|k| (k.to_owned(), Value::String(v.clone())))
                })
                .collect();
            let id = format!("pi_fake{n:06}");
            let intent = intent_json(
                &id,
                amount,
                "inr",
                Value::Object(metadata),
                1_780_000_000 + n,
            );
            s.intents.insert(id, intent.clone());
            (200, intent)
        }
        ("GET", p) if p.starts_with("/v1/payment_intents/") => {
            let id = p.trim_start_matches("/v1/payment_intents/");
            match s.intents.get(id) {
                Some(intent) => (200, intent.clone()),
                None => {
                    return stripe_error(
                        404,
                        "invalid_request_error",
                        "resource_missing",
                        "No such payment_intent",
                    );
                }
            }
        }
        ("POST", p) if p.starts_with("/v1/payment_intents/") && p.ends_with("/cancel") => {
            let id = p
                .trim_start_matches("/v1/payment_intents/")
                .trim_end_matches("/cancel")
                .to_owned();
            let Some(intent) = s.intents.get_mut(&id) else {
                return stripe_error(
                    404,
                    "invalid_request_error",
                    "resource_missing",
                    "No such payment_intent",
                );
            };
            // Stripe: "You can cancel a PaymentIntent object when it's in one of these
            // statuses: requires_payment_method, requires_capture,
            // requires_confirmation, requires_action or, in rare cases, processing."
            let status = intent["status"].as_str().unwrap_or_default().to_owned();
            if !CANCELLABLE.contains(&status.as_str()) {
                return stripe_error(
                    400,
                    "invalid_request_error",
                    "payment_intent_unexpected_state",
                    &format!(
                        "You cannot cancel this PaymentIntent because it has a status of {status}."
                    ),
                );
            }
            intent["status"] = json!("canceled");
            intent["cancellation_reason"] = json!(
                form(&body)
                    .get("cancellation_reason")
                    .cloned()
                    .unwrap_or_else(|| "requested_by_customer".into())
            );
            intent["canceled_at"] = json!(1_780_000_000 + n);
            (200, intent.clone())
        }
        ("POST", "/v1/refunds") => {
            let f = form(&body);
            let intent_id = f.get("payment_intent").cloned().unwrap_or_default();
            let Some(intent) = s.intents.get(&intent_id).cloned() else {
                return stripe_error(
                    400,
                    "invalid_request_error",
                    "resource_missing",
                    "No such payment_intent",
                );
            };
            let received = intent["amount_received"].as_i64().unwrap_or(0);
            let already = s.refunded.get(&intent_id).copied().unwrap_or(0);
            let amount = f
                .get("amount")
                .and_then(|a| a.parse::<i64>().ok())
                .unwrap_or(received - already);
            if amount <= 0 || amount + already > received {
                return stripe_error(
                    400,
                    "invalid_request_error",
                    "amount_too_large",
                    "Refund amount is greater than unrefunded amount on charge",
                );
            }
            s.refunded.insert(intent_id.clone(), already + amount);
            (
                200,
                json!({ "id": format!("re_fake{n:06}"), "object": "refund", "amount": amount,
                           "created": 1_780_000_000 + n, "currency": "inr", "status": "succeeded",
                           "payment_intent": intent_id }),
            )
        }
        _ => {
            return stripe_error(
                404,
                "invalid_request_error",
                "url_invalid",
                "Unrecognized request URL",
            );
        }
    };
    if let Some(key) = key {
        s.replies.insert(key, (body, status, reply.clone()));
    }
    HttpResponse::Ok().json(reply)
}

impl FakeStripe {
    pub async fn start() -> anyhow::Result<Self> {
        let state: Shared = Arc::default();
        let arrived = Arc::new(tokio::sync::Notify::new());
        let data = web::Data::new(Arc::clone(&state));
        let notify = web::Data::new(Arc::clone(&arrived));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(notify.clone())
                .default_service(web::to(handle))
        })
        .workers(1)
        .bind("127.0.0.1:0")?;
        let addr = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(Self {
            base_url: format!("http://{addr}/"),
            state,
            arrived,
            handle,
        })
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Makes the next `count` requests fail with `status`.
    pub fn fail_next(&self, status: u16, count: usize) {
        let mut s = self.state.lock().unwrap();
        s.fail_next.extend(std::iter::repeat_n(status, count));
    }

    /// Stripe answers again: injected failures not yet used are dropped.
    pub fn clear_failures(&self) {
        self.state.lock().unwrap().fail_next.clear();
    }

    /// Holds back the answers to the next `count` requests by `delay`, after each has
    /// taken effect.
    pub fn delay_next(&self, delay: Duration, count: usize) {
        let mut s = self.state.lock().unwrap();
        s.delay_next.extend(std::iter::repeat_n(delay, count));
    }

    /// Waits (at most 30 s) until a request to `path` has arrived, and returns it.
    pub async fn arrival(&self, method: &str, path: &str) -> Recorded {
        let find = || {
            self.requests()
                .into_iter()
                .find(|r| r.method == method && r.path == path)
        };
        tokio::time::timeout(Duration::from_secs(30), async {
            loop {
                let notified = self.arrived.notified();
                if let Some(found) = find() {
                    return found;
                }
                notified.await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("no {method} {path} reached the Stripe double"))
    }

    /// The buyer paid (or failed to): the intent's state as Stripe would report it.
    /// A cancelled intent can never be paid (Stripe refuses to confirm it).
    pub fn set_intent(&self, id: &str, status: &str, amount_received: i64) {
        let mut s = self.state.lock().unwrap();
        if let Some(intent) = s.intents.get_mut(id) {
            assert_ne!(
                intent["status"], "canceled",
                "a cancelled PaymentIntent cannot be paid or changed"
            );
            intent["status"] = json!(status);
            intent["amount_received"] = json!(amount_received);
        }
    }

    /// Whether the buyer could still pay the intent (Stripe refuses to confirm a
    /// cancelled or succeeded one).
    pub fn payable(&self, id: &str) -> bool {
        self.intent(id).is_some_and(|intent| {
            matches!(
                intent["status"].as_str(),
                Some("requires_payment_method" | "requires_confirmation" | "requires_action")
            )
        })
    }

    /// The buyer's card was declined, as Stripe records it before sending
    /// `payment_intent.payment_failed`: the intent goes back to
    /// `requires_payment_method` with `last_payment_error`, payable with another card.
    /// Returns the intent as the event carries it.
    pub fn decline(&self, id: &str, decline_code: &str, message: &str) -> Value {
        let mut s = self.state.lock().unwrap();
        let intent = s.intents.get_mut(id).expect("no such intent");
        assert!(
            intent["status"] != "canceled" && intent["status"] != "succeeded",
            "only an unpaid, open PaymentIntent can be declined"
        );
        intent["status"] = json!("requires_payment_method");
        intent["last_payment_error"] = json!({
            "type": "card_error", "code": "card_declined", "decline_code": decline_code,
            "message": message,
        });
        intent.clone()
    }

    pub fn intent(&self, id: &str) -> Option<Value> {
        self.state.lock().unwrap().intents.get(id).cloned()
    }

    pub fn refunded(&self, intent: &str) -> i64 {
        self.state
            .lock()
            .unwrap()
            .refunded
            .get(intent)
            .copied()
            .unwrap_or(0)
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}

/// A `Stripe-Signature` header exactly as Stripe computes it.
pub fn signature(secret: &str, timestamp: i64, payload: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{payload}").as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// A Stripe event around a PaymentIntent.
pub fn intent_event(event_id: &str, kind: &str, intent: &Value) -> String {
    json!({
        "id": event_id, "object": "event", "type": kind, "api_version": "2026-09-30.endive",
        "created": 1_780_000_000, "livemode": false,
        "data": { "object": intent },
    })
    .to_string()
}
