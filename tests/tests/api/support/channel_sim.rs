//! A local stand-in for a sales channel's seller API (NCUI Haat or GeM), enforcing the
//! push and order contract of docs/connectors.md: bearer key, `Idempotency-Key` on every
//! write (a repeat replays the first answer), JSON bodies carrying the channel's
//! required fields, monotonic listing versions (an older version gets 409), and order
//! polling with acknowledgements. It can inject faults: 500s, 429 with Retry-After,
//! timeouts, writes that are applied but answered with a 500 (so the client retries a
//! request that already took effect), and failed order acknowledgements. It records
//! every request it answers, with the time it arrived, so tests can check schedules.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::{Value, json};

pub const API_KEY: &str = "channel-test-key";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    ServerError,
    TooMany {
        retry_after_secs: u64,
    },
    Timeout,
    /// Apply the write, then answer 500.
    AppliedThenError,
}

/// One request the simulator answered (or refused with an injected fault).
#[derive(Debug, Clone)]
pub struct Received {
    pub at: chrono::DateTime<chrono::Utc>,
    pub method: String,
    pub path: String,
    /// The status answered; 0 for an injected timeout (never answered).
    pub status: u16,
}

/// One answered order poll: its `after` cursor and the channel order ids it returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poll {
    pub after: Option<String>,
    pub orders: Vec<String>,
}

#[derive(Default)]
struct State {
    channel: String,
    listings: HashMap<String, (i64, Value)>,
    /// Highest version seen per key, including deletions.
    versions: HashMap<String, i64>,
    replies: HashMap<String, (String, u16, Value)>,
    faults: Vec<Fault>,
    fault_rate: f64,
    rng: Option<StdRng>,
    always_fail: HashSet<String>,
    reject: HashSet<String>,
    writes_applied: u64,
    orders: Vec<Value>,
    acks: HashMap<String, Value>,
    requests: u64,
    faults_injected: u64,
    /// Acknowledgements still to refuse with a 500 (without recording them).
    ack_failures: u32,
    log: Vec<Received>,
    polls: Vec<Poll>,
}

type Shared = Arc<Mutex<State>>;

pub struct ChannelSim {
    pub base_url: String,
    state: Shared,
    handle: actix_web::dev::ServerHandle,
}

fn problem(field: &str, message: &str) -> Value {
    json!({ "field": field, "message": message })
}

/// The channel's checks of a pushed listing.
fn check(channel: &str, body: &Value) -> Vec<Value> {
    let mut errors = Vec::new();
    let required = if channel == "GEM" {
        vec![
            "title",
            "category",
            "hsn",
            "gstRatePercent",
            "countryOfOrigin",
            "localContentPercent",
            "makeInIndiaClass",
            "deliveryLeadTimeDays",
            "brand",
        ]
    } else {
        vec!["title", "category", "hsn", "countryOfOrigin"]
    };
    for field in required {
        if body.get(field).is_none_or(Value::is_null) {
            errors.push(problem(field, "is required"));
        }
    }
    let variants = body
        .get("variants")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if variants.is_empty() {
        errors.push(problem("variants", "at least one SKU"));
    }
    for v in &variants {
        let mrp = v.get("mrpPaise").and_then(Value::as_i64).unwrap_or(0);
        let offer = v
            .get("offerPricePaise")
            .and_then(Value::as_i64)
            .unwrap_or(i64::MAX);
        if offer > mrp || (channel == "GEM" && offer == mrp) {
            errors.push(problem("offerPricePaise", "must be below MRP"));
        }
        if v.get("stock").and_then(Value::as_i64).is_none_or(|s| s < 0) {
            errors.push(problem("stock", "is required"));
        }
    }
    errors
}

async fn handle(req: HttpRequest, body: web::Bytes, state: web::Data<Shared>) -> HttpResponse {
    let at = chrono::Utc::now();
    let mut received = Received {
        at,
        method: req.method().as_str().to_owned(),
        path: req.path().to_owned(),
        status: 0,
    };
    // An injected timeout never returns from `respond`; log it as unanswered first.
    let index = {
        let mut s = state.lock().unwrap();
        s.log.push(received.clone());
        s.log.len() - 1
    };
    let response = respond(req, body, state.clone()).await;
    received.status = response.status().as_u16();
    state.lock().unwrap().log[index] = received;
    response
}

async fn respond(req: HttpRequest, body: web::Bytes, state: web::Data<Shared>) -> HttpResponse {
    let body_text = String::from_utf8_lossy(&body).into_owned();
    let path = req.path().to_owned();
    let method = req.method().as_str().to_owned();
    let key = req
        .headers()
        .get("Idempotency-Key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let auth = req
        .headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let fault = {
        let mut s = state.lock().unwrap();
        s.requests += 1;
        if auth != format!("Bearer {API_KEY}") {
            return HttpResponse::Unauthorized().json(json!({ "error": "bad key" }));
        }
        if method != "GET" && key.is_none() {
            return HttpResponse::BadRequest()
                .json(json!({ "error": "Idempotency-Key is required" }));
        }
        let listing = path.strip_prefix("/v1/listings/").map(str::to_owned);
        if let Some(k) = &listing
            && s.always_fail.contains(k)
        {
            return HttpResponse::InternalServerError()
                .json(json!({ "error": "down for this listing" }));
        }
        if method == "POST" && path.ends_with("/acknowledgement") && s.ack_failures > 0 {
            // Refused before anything is recorded, so the retry (same key) is answered
            // afresh rather than replayed.
            s.ack_failures -= 1;
            s.faults_injected += 1;
            return HttpResponse::InternalServerError()
                .json(json!({ "error": "acknowledgement failed (injected)" }));
        }
        if !s.faults.is_empty() {
            Some(s.faults.remove(0))
        } else if s.fault_rate > 0.0 && method != "GET" {
            let rate = s.fault_rate;
            let rng = s.rng.get_or_insert_with(|| StdRng::seed_from_u64(7));
            if rng.random_bool(rate) {
                Some(match rng.random_range(0..4) {
                    0 => Fault::ServerError,
                    1 => Fault::TooMany {
                        retry_after_secs: 1,
                    },
                    2 => Fault::Timeout,
                    _ => Fault::AppliedThenError,
                })
            } else {
                None
            }
        } else {
            None
        }
    };
    if fault.is_some() {
        state.lock().unwrap().faults_injected += 1;
    }
    match fault {
        Some(Fault::ServerError) => {
            return HttpResponse::InternalServerError().json(json!({ "error": "injected" }));
        }
        Some(Fault::TooMany { retry_after_secs }) => {
            return HttpResponse::TooManyRequests()
                .insert_header(("Retry-After", retry_after_secs.to_string()))
                .json(json!({ "error": "slow down" }));
        }
        Some(Fault::Timeout) => {
            // Never answers: the client's own timeout ends the request.
            std::future::pending::<()>().await;
            return HttpResponse::GatewayTimeout().finish();
        }
        _ => {}
    }
    let mut s = state.lock().unwrap();
    if let Some(key) = &key
        && let Some((first, status, reply)) = s.replies.get(key)
    {
        if *first != format!("{method} {path} {body_text}") {
            return HttpResponse::BadRequest()
                .json(json!({ "error": "Idempotency-Key reused with another request" }));
        }
        return HttpResponse::build(actix_web::http::StatusCode::from_u16(*status).unwrap())
            .json(reply.clone());
    }
    let (status, reply) = route(&mut s, &method, &path, req.query_string(), &body_text);
    if let Some(key) = key {
        s.replies.insert(
            key,
            (
                format!("{method} {path} {body_text}"),
                status,
                reply.clone(),
            ),
        );
    }
    if fault == Some(Fault::AppliedThenError) {
        // The write happened, but the client hears a failure and will retry with the same key.
        return HttpResponse::InternalServerError()
            .json(json!({ "error": "injected after applying" }));
    }
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).json(reply)
}

fn route(s: &mut State, method: &str, path: &str, query: &str, body: &str) -> (u16, Value) {
    if let Some(listing) = path.strip_prefix("/v1/listings/") {
        let listing = listing.to_owned();
        match method {
            "PUT" => {
                let Ok(value) = serde_json::from_str::<Value>(body) else {
                    return (400, json!({ "error": "JSON body expected" }));
                };
                if value.get("listingKey").and_then(Value::as_str) != Some(listing.as_str())
                    || value.get("channel").and_then(Value::as_str) != Some(s.channel.as_str())
                {
                    return (400, json!({ "error": "listingKey and channel must match" }));
                }
                let Some(version) = value.get("version").and_then(Value::as_i64) else {
                    return (400, json!({ "error": "version is required" }));
                };
                if s.versions.get(&listing).is_some_and(|v| *v >= version) {
                    return (
                        409,
                        json!({ "error": "a newer version is already applied" }),
                    );
                }
                if s.reject.contains(&listing) {
                    return (
                        422,
                        json!({ "errors": [problem("category", "not accepted in this category")] }),
                    );
                }
                let errors = check(&s.channel, &value);
                if !errors.is_empty() {
                    return (422, json!({ "errors": errors }));
                }
                s.versions.insert(listing.clone(), version);
                s.listings.insert(listing.clone(), (version, value));
                s.writes_applied += 1;
                (
                    200,
                    json!({ "remoteId": format!("{}-{}", s.channel, &listing[..8]), "status": "LISTED" }),
                )
            }
            "DELETE" => {
                let version = query
                    .split('&')
                    .find_map(|p| p.strip_prefix("version="))
                    .and_then(|v| v.parse::<i64>().ok())
                    .unwrap_or(0);
                if s.versions.get(&listing).is_some_and(|v| *v >= version) {
                    return (
                        409,
                        json!({ "error": "a newer version is already applied" }),
                    );
                }
                s.versions.insert(listing.clone(), version);
                s.writes_applied += 1;
                match s.listings.remove(&listing) {
                    Some(_) => (200, json!({ "status": "DELISTED" })),
                    None => (404, json!({ "error": "no such listing" })),
                }
            }
            _ => (405, json!({})),
        }
    } else if path == "/v1/orders" && method == "GET" {
        let after: usize = query
            .split('&')
            .find_map(|p| p.strip_prefix("after="))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let orders: Vec<Value> = s.orders.iter().skip(after).cloned().collect();
        let poll = Poll {
            after: query
                .split('&')
                .find_map(|p| p.strip_prefix("after="))
                .map(str::to_owned),
            orders: orders
                .iter()
                .filter_map(|o| o["channelOrderId"].as_str().map(str::to_owned))
                .collect(),
        };
        s.polls.push(poll);
        (200, json!({ "orders": orders }))
    } else if let Some(rest) = path.strip_prefix("/v1/orders/") {
        let id = rest.trim_end_matches("/acknowledgement").to_owned();
        let ack: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        s.acks.insert(id, ack);
        (200, json!({ "received": true }))
    } else {
        (404, json!({ "error": "unknown route" }))
    }
}

impl ChannelSim {
    pub async fn start(channel: &str) -> anyhow::Result<Self> {
        let state: Shared = Arc::new(Mutex::new(State {
            channel: channel.to_owned(),
            ..State::default()
        }));
        let data = web::Data::new(Arc::clone(&state));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(handle))
        })
        .workers(2)
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

    pub fn inject(&self, faults: &[Fault]) {
        self.state.lock().unwrap().faults.extend_from_slice(faults);
    }

    /// Fails this share of writes at random (seeded), until set back to 0.
    pub fn storm(&self, rate: f64) {
        self.state.lock().unwrap().fault_rate = rate;
    }

    pub fn always_fail(&self, listing_key: &str, on: bool) {
        let mut s = self.state.lock().unwrap();
        if on {
            s.always_fail.insert(listing_key.to_owned());
        } else {
            s.always_fail.remove(listing_key);
        }
    }

    pub fn reject(&self, listing_key: &str) {
        self.state
            .lock()
            .unwrap()
            .reject
            .insert(listing_key.to_owned());
    }

    /// The listings the channel holds now: key → body.
    pub fn listings(&self) -> HashMap<String, Value> {
        self.state
            .lock()
            .unwrap()
            .listings
            .iter()
            .map(|(k, (_, v))| (k.clone(), v.clone()))
            .collect()
    }

    /// (requests received, faults injected)
    pub fn traffic(&self) -> (u64, u64) {
        let s = self.state.lock().unwrap();
        (s.requests, s.faults_injected)
    }

    pub fn push_order(&self, mut order: Value) {
        let mut s = self.state.lock().unwrap();
        let cursor = (s.orders.len() + 1).to_string();
        order["cursor"] = json!(cursor);
        s.orders.push(order);
    }

    pub fn ack(&self, channel_order_id: &str) -> Option<Value> {
        self.state
            .lock()
            .unwrap()
            .acks
            .get(channel_order_id)
            .cloned()
    }

    /// Refuses the next `count` order acknowledgements with a 500.
    pub fn fail_acks(&self, count: u32) {
        self.state.lock().unwrap().ack_failures += count;
    }

    /// Every request received so far, in order of arrival.
    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().log.clone()
    }

    /// Every answered order poll so far, in order.
    pub fn polls(&self) -> Vec<Poll> {
        self.state.lock().unwrap().polls.clone()
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}
