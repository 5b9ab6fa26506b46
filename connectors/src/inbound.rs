//! Orders from the channels, by webhook (`POST /channels/{channel}/orders`, signed like
//! Stripe's webhooks: `X-Channel-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")`) or
//! by polling the channel's `GET /v1/orders?after=…` and acknowledging each order.
//! Either way the order becomes a marketplace order (institutional for GeM), its stock
//! reserved atomically, de-duplicated by the channel's order id. An order that cannot be
//! filled is rejected back with the reasons.

use chrono::Utc;
use sea_orm::{ActiveValue::Set, EntityTrait, sea_query::OnConflict};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    Channel, ConnectorError, ConnectorService, entity::channel_cursor, listings::find_listing,
    state::Desired,
};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboundItem {
    /// The marketplace's listing key (its product id) as sent to the channel.
    pub listing_key: Uuid,
    pub sku: String,
    pub quantity: i32,
    /// What the channel sold it at, tax included.
    pub unit_price_paise: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboundConsignee {
    pub name: String,
    pub address: orders::Address,
    pub items: Vec<InboundItem>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboundOrder {
    pub channel_order_id: String,
    /// The buyer (GeM: the buying organisation's billing address).
    pub buyer: orders::Address,
    pub items: Vec<InboundItem>,
    /// GeM: the contract number.
    #[serde(default)]
    pub contract_number: Option<String>,
    #[serde(default)]
    pub payment_terms_days: Option<i32>,
    #[serde(default)]
    pub consignees: Vec<InboundConsignee>,
}

/// What became of an inbound order; the body of the reply to the channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundOutcome {
    Accepted { order_id: Uuid, replayed: bool },
    Rejected { reasons: Vec<String> },
}

impl InboundOutcome {
    pub fn to_json(&self, channel_order_id: &str) -> Value {
        match self {
            Self::Accepted { order_id, replayed } => json!({
                "channelOrderId": channel_order_id, "status": "ACCEPTED",
                "orderId": order_id, "duplicate": replayed,
            }),
            Self::Rejected { reasons } => json!({
                "channelOrderId": channel_order_id, "status": "REJECTED", "reasons": reasons,
            }),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InboundError {
    #[error("signature: {0}")]
    Signature(String),
    #[error("payload: {0}")]
    Payload(String),
    #[error("this channel's order webhook is not configured")]
    NotConfigured,
    #[error(transparent)]
    Connector(#[from] ConnectorError),
}

/// Channels sign their webhooks with the shared `t=…,v1=…` HMAC scheme.
pub use kernel::webhook_signature::verify_signature;

impl ConnectorService {
    /// Turns a channel's order into a marketplace order (or its reasons for refusal).
    pub async fn ingest_order(
        &self,
        channel: Channel,
        order: InboundOrder,
    ) -> Result<InboundOutcome, ConnectorError> {
        let id = order.channel_order_id.trim().to_owned();
        if id.is_empty() || id.len() > 80 || !id.bytes().all(|b| b.is_ascii_graphic()) {
            return Ok(InboundOutcome::Rejected {
                reasons: vec!["channelOrderId must be 1 to 80 printable characters".into()],
            });
        }
        let all_items: Vec<&InboundItem> = if order.consignees.is_empty() {
            order.items.iter().collect()
        } else {
            order
                .consignees
                .iter()
                .flat_map(|c| c.items.iter())
                .collect()
        };
        let mut reasons = Vec::new();
        let mut resolved: Vec<(Uuid, i32, i64, String, Uuid)> = Vec::new();
        let variant_sets = catalog::variants_by_product_ids(
            &self.db,
            &all_items.iter().map(|i| i.listing_key).collect::<Vec<_>>(),
        )
        .await?;
        for item in &all_items {
            let listed = find_listing(&self.db, item.listing_key, channel)
                .await?
                .is_some_and(|l| l.desired == Desired::Listed);
            let variant = variant_sets
                .get(&item.listing_key)
                .and_then(|vs| vs.iter().find(|v| v.sku == item.sku));
            match (listed, variant) {
                (true, Some(variant)) => resolved.push((
                    variant.id,
                    item.quantity,
                    item.unit_price_paise,
                    item.sku.clone(),
                    item.listing_key,
                )),
                _ => reasons.push(format!("{} is not listed on {channel}", item.sku)),
            }
        }
        if !reasons.is_empty() {
            return Ok(InboundOutcome::Rejected { reasons });
        }
        let institutional = (channel == Channel::Gem).then(|| orders::InstitutionalTerms {
            purchase_order_number: None,
            gem_contract_number: order.contract_number.clone().or_else(|| Some(id.clone())),
            payment_terms_days: order.payment_terms_days,
            consignees: if order.consignees.is_empty() {
                vec![orders::ConsigneeInput {
                    name: order.buyer.name.clone(),
                    address: order.buyer.clone(),
                    items: order
                        .items
                        .iter()
                        .zip(&resolved)
                        .map(|(i, r)| orders::ConsigneeItem {
                            variant_id: r.0,
                            quantity: i.quantity,
                        })
                        .collect(),
                }]
            } else {
                let mut index = 0;
                order
                    .consignees
                    .iter()
                    .map(|c| {
                        let items = c
                            .items
                            .iter()
                            .map(|i| {
                                let variant_id = resolved.get(index).map_or(Uuid::nil(), |r| r.0);
                                index += 1;
                                orders::ConsigneeItem {
                                    variant_id,
                                    quantity: i.quantity,
                                }
                            })
                            .collect();
                        orders::ConsigneeInput {
                            name: c.name.clone(),
                            address: c.address.clone(),
                            items,
                        }
                    })
                    .collect()
            },
        });
        let placed = self
            .orders
            .place_channel_order(orders::ChannelOrder {
                channel: channel.as_str().to_owned(),
                channel_order_id: id,
                lines: resolved.iter().map(|r| (r.0, r.1, r.2)).collect(),
                address: order.buyer,
                payment_method: if channel == Channel::Gem {
                    orders::PaymentMethod::PurchaseOrder
                } else {
                    orders::PaymentMethod::Channel
                },
                institutional,
            })
            .await;
        match placed {
            Ok(placed) => Ok(InboundOutcome::Accepted {
                order_id: placed.order_id,
                replayed: placed.replayed,
            }),
            Err(orders::OrderError::Invalid(problems)) => Ok(InboundOutcome::Rejected {
                reasons: problems
                    .into_iter()
                    .map(|p| {
                        let sku = p
                            .field
                            .get(2)
                            .and_then(|i| i.parse::<usize>().ok())
                            .and_then(|i| resolved.get(i))
                            .map(|r| format!("{}: ", r.3))
                            .unwrap_or_default();
                        format!("{sku}{}", p.message)
                    })
                    .collect(),
            }),
            Err(orders::OrderError::Conflict(message)) => Ok(InboundOutcome::Rejected {
                reasons: vec![message],
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// `POST /channels/{channel}/orders`.
    pub async fn handle_order_webhook(
        &self,
        channel: Channel,
        signature: Option<&str>,
        payload: &[u8],
    ) -> Result<(String, InboundOutcome), InboundError> {
        let secret = self
            .config(channel)
            .webhook_secret
            .ok_or(InboundError::NotConfigured)?;
        let signature = signature
            .ok_or_else(|| InboundError::Signature("missing X-Channel-Signature".into()))?;
        verify_signature(
            &secret,
            signature,
            payload,
            Utc::now().timestamp(),
            self.settings.signature_tolerance,
        )
        .map_err(InboundError::Signature)?;
        let order: InboundOrder =
            serde_json::from_slice(payload).map_err(|e| InboundError::Payload(e.to_string()))?;
        let id = order.channel_order_id.clone();
        Ok((id, self.ingest_order(channel, order).await?))
    }

    /// Polls one channel for new orders, ingests and acknowledges each; returns how many.
    pub async fn poll_orders(&self, channel: Channel) -> Result<usize, ConnectorError> {
        let Some(endpoint) = self.config(channel).endpoint else {
            return Ok(0);
        };
        let cursor = channel_cursor::Entity::find_by_id(channel)
            .one(&self.db)
            .await?
            .map(|c| c.cursor);
        let base = endpoint.base_url.trim_end_matches('/').to_owned();
        let mut request = self
            .http
            .get(format!("{base}/v1/orders"))
            .bearer_auth(&endpoint.api_key);
        if let Some(cursor) = &cursor {
            request = request.query(&[("after", cursor)]);
        }
        let response = match request.send().await {
            Ok(r) if r.status().is_success() => r,
            Ok(r) => {
                tracing::info!(%channel, status = r.status().as_u16(), "order poll refused; next round");
                return Ok(0);
            }
            Err(e) => {
                tracing::info!(%channel, error = %e, "order poll failed; next round");
                return Ok(0);
            }
        };
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let mut handled = 0;
        for raw in body
            .get("orders")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(order_cursor) = raw.get("cursor").and_then(Value::as_str).map(str::to_owned)
            else {
                continue;
            };
            let outcome = match serde_json::from_value::<InboundOrder>(raw.clone()) {
                Ok(order) => self.ingest_order(channel, order).await?,
                Err(e) => InboundOutcome::Rejected {
                    reasons: vec![format!("unreadable order: {e}")],
                },
            };
            let channel_order_id = raw
                .get("channelOrderId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let ack = self
                .http
                .post(format!(
                    "{base}/v1/orders/{channel_order_id}/acknowledgement"
                ))
                .bearer_auth(&endpoint.api_key)
                .header(
                    "Idempotency-Key",
                    format!("ack-{}-{channel_order_id}", channel.slug()),
                )
                .json(&outcome.to_json(channel_order_id))
                .send()
                .await;
            if !ack.is_ok_and(|r| r.status().is_success()) {
                // Not acknowledged: the order comes again next round and is de-duplicated.
                break;
            }
            channel_cursor::Entity::insert(channel_cursor::ActiveModel {
                channel: Set(channel),
                cursor: Set(order_cursor),
                updated_at: Set(Utc::now()),
            })
            .on_conflict(
                OnConflict::column(channel_cursor::Column::Channel)
                    .update_columns([
                        channel_cursor::Column::Cursor,
                        channel_cursor::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
            handled += 1;
        }
        Ok(handled)
    }
}

/// A seeded stand-in for the `channel_order` fuzz target that runs under `cargo test`:
/// byte-level mutations of a valid GeM order body, parsed as the webhook parses them,
/// with every address checked as ingestion checks it. Nothing may panic; a parsed body
/// keeps what it said, and an address is either normalised or refused with field paths
/// under its own prefix.
#[cfg(test)]
mod hostile_input {
    use rand::{Rng, SeedableRng, rngs::StdRng};

    use super::*;

    const SEED: &str = r#"{"channelOrderId":"GEM/2026/B/123","contractNumber":"GEMC-1","paymentTermsDays":30,
        "buyer":{"name":"Directorate of Health","phone":"9876543210","line1":"Secretariat","city":"Leh","pinCode":"194101","stateCode":"38"},
        "items":[{"listingKey":"0190a0b0-0000-7000-8000-000000000001","sku":"RKDA-500","quantity":2,"unitPricePaise":36000}],
        "consignees":[{"name":"PHC Nubra","address":{"name":"PHC Nubra","phone":"+91 94191 00000","line1":"Diskit","city":"Nubra","pinCode":"194401","stateCode":"38"},
            "items":[{"listingKey":"0190a0b0-0000-7000-8000-000000000001","sku":"RKDA-500","quantity":1,"unitPricePaise":36000}]}]}"#;

    const TOKENS: [&[u8]; 14] = [
        b"{",
        b"}",
        b"[",
        b"]",
        b"\"",
        b",",
        b":",
        b"null",
        b"-1",
        b"1e999",
        b"\\u0000",
        b"\"\xff\"",
        b"9223372036854775808",
        b"\"38\"",
    ];

    fn mutate(rng: &mut StdRng, bytes: &mut Vec<u8>) {
        for _ in 0..rng.random_range(1..4) {
            let at = rng.random_range(0..=bytes.len());
            match rng.random_range(0..4) {
                0 if at < bytes.len() => bytes[at] = rng.random(),
                1 if at < bytes.len() => {
                    let end = (at + rng.random_range(1..8)).min(bytes.len());
                    bytes.drain(at..end);
                }
                2 => {
                    let token = TOKENS[rng.random_range(0..TOKENS.len())];
                    bytes.splice(at..at, token.iter().copied());
                }
                _ => {
                    // Swap in a digit: keeps the JSON valid more often, so the address
                    // checks see changed values, not just parse errors.
                    if let Some(b) = bytes.get_mut(at)
                        && b.is_ascii_digit()
                    {
                        *b = b'0' + rng.random_range(0..10);
                    }
                }
            }
        }
    }

    fn check_address(address: &orders::Address, prefix: &str) -> bool {
        match address.clone().checked(prefix) {
            Ok(checked) => {
                assert!(
                    checked.phone.starts_with("+91") && checked.phone.len() == 13,
                    "{checked:?}"
                );
                assert_eq!(checked.pin_code.len(), 6, "{checked:?}");
                assert_eq!(checked.clone().checked(prefix), Ok(checked));
                true
            }
            Err(problems) => {
                assert!(!problems.is_empty());
                assert!(
                    problems
                        .iter()
                        .all(|p| p.field.first().map(String::as_str) == Some(prefix))
                );
                false
            }
        }
    }

    #[test]
    fn mutated_channel_orders_parse_or_fail_without_panicking() {
        let seed: InboundOrder = serde_json::from_str(SEED).unwrap();
        assert!(
            check_address(&seed.buyer, "buyer"),
            "the seed body is valid"
        );
        assert_eq!(seed.consignees.len(), 1);
        let mut rng = StdRng::seed_from_u64(21);
        let (mut parsed, mut accepted, mut refused) = (0, 0, 0);
        for _ in 0..20_000 {
            let mut bytes = SEED.as_bytes().to_vec();
            mutate(&mut rng, &mut bytes);
            let Ok(order) = serde_json::from_slice::<InboundOrder>(&bytes) else {
                continue;
            };
            parsed += 1;
            for address in
                std::iter::once(&order.buyer).chain(order.consignees.iter().map(|c| &c.address))
            {
                if check_address(address, "buyer") {
                    accepted += 1;
                } else {
                    refused += 1;
                }
            }
        }
        // The loop reached the address checks on both paths, many times.
        assert!(parsed > 2_000, "{parsed} parsed");
        assert!(
            accepted > 1_000 && refused > 100,
            "{accepted} accepted, {refused} refused"
        );
    }
}
