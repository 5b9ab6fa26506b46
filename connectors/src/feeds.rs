//! Channel feeds: GeM's bulk-catalogue layout (CSV, one row per SKU, or JSON) and NCUI
//! Haat's JSON, built from the listed products a page at a time so that memory does not
//! grow with the catalogue. An ETag from the listings' and products' last changes lets
//! a consumer skip an unchanged feed; `updated_since` gives only what changed.

use chrono::{DateTime, Utc};
use futures_util::Stream;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    Channel, ConnectorError, ConnectorService,
    entity::channel_listing,
    mapping::{load_sources, map_item},
    state::{Desired, ListingState},
};

/// The feed formats served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    Csv,
    Json,
}

/// GeM's bulk-catalogue columns, in order (see docs/connectors.md).
pub const GEM_CSV_COLUMNS: [&str; 21] = [
    "Seller SKU",
    "Listing Key",
    "Product Title",
    "Variant",
    "Brand",
    "Category",
    "HSN",
    "GST Rate (%)",
    "MRP (INR)",
    "Offer Price (INR)",
    "Minimum Order Quantity",
    "Stock",
    "Delivery Lead Time (days)",
    "Country of Origin",
    "Local Content (%)",
    "Make in India Class",
    "Unit",
    "Image URL",
    "Seller",
    "GI Tags",
    "Last Updated",
];

const PAGE: u64 = 200;
/// Listings per page when computing the ETag (ids and timestamps only).
const ETAG_PAGE: u64 = 1000;

fn rupees(paise: i64) -> String {
    format!("{}.{:02}", paise / 100, paise % 100)
}

fn listed_states() -> [ListingState; 3] {
    [
        ListingState::Listed,
        ListingState::OutOfSync,
        ListingState::Pending,
    ]
}

/// One page of feed entries after `after`: (listing id, last change, item).
async fn page(
    service: &ConnectorService,
    channel: Channel,
    after: Option<Uuid>,
    since: Option<DateTime<Utc>>,
) -> Result<(Vec<(DateTime<Utc>, Value)>, Option<Uuid>), ConnectorError> {
    let mut select = channel_listing::Entity::find()
        .filter(channel_listing::Column::Channel.eq(channel))
        .filter(channel_listing::Column::Desired.eq(Desired::Listed))
        .filter(channel_listing::Column::State.is_in(listed_states()));
    if let Some(after) = after {
        select = select.filter(channel_listing::Column::Id.gt(after));
    }
    let listings = select
        .order_by_asc(channel_listing::Column::Id)
        .limit(PAGE)
        .all(&service.db)
        .await?;
    let next = (listings.len() as u64 == PAGE)
        .then(|| listings.last().map(|l| l.id))
        .flatten();
    let ids: Vec<Uuid> = listings.iter().map(|l| l.product_id).collect();
    let sources = load_sources(&service.db, &ids).await?;
    let today = orders::time::india_today();
    let mut items = Vec::new();
    for listing in &listings {
        let Some(source) = sources.get(&listing.product_id) else {
            continue;
        };
        let changed = source
            .variants
            .iter()
            .map(|v| v.updated_at)
            .chain([source.product.updated_at, listing.updated_at])
            .max()
            .unwrap_or(listing.updated_at);
        if since.is_some_and(|since| changed < since) {
            continue;
        }
        // Only what can be sold now and passes the channel's checks is published.
        if let Ok(mut item) = map_item(
            channel,
            source,
            &service.categories,
            service.orders.rates(),
            today,
        ) {
            if let Some(obj) = item.as_object_mut() {
                obj.insert("updatedAt".into(), json!(changed));
            }
            items.push((changed, item));
        }
    }
    Ok((items, next))
}

fn csv_rows(item: &Value) -> Result<Vec<u8>, ConnectorError> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    let text = |key: &str| {
        item.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let number = |v: Option<&Value>| {
        v.and_then(Value::as_i64)
            .map(|n| n.to_string())
            .unwrap_or_default()
    };
    let image = item
        .pointer("/images/0/url")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let gi: Vec<&str> = item
        .get("giTags")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for variant in item
        .get("variants")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let paise = |key: &str| {
            variant
                .get(key)
                .and_then(Value::as_i64)
                .map(rupees)
                .unwrap_or_default()
        };
        writer
            .write_record([
                variant
                    .get("sku")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                item.get("listingKey")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                text("title"),
                variant
                    .get("title")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                text("brand"),
                text("category"),
                text("hsn"),
                variant
                    .get("gstRatePercent")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                paise("mrpPaise"),
                paise("offerPricePaise"),
                number(variant.get("minOrderQuantity")),
                number(variant.get("stock")),
                number(item.get("deliveryLeadTimeDays")),
                text("countryOfOrigin"),
                number(item.get("localContentPercent")),
                text("makeInIndiaClass"),
                "NOS".to_owned(),
                image.clone(),
                item.pointer("/seller/name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                gi.join("; "),
                item.get("updatedAt")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            ])
            .map_err(|e| ConnectorError::Corrupt(e.to_string()))?;
    }
    writer
        .into_inner()
        .map_err(|e| ConnectorError::Corrupt(e.to_string()))
}

enum Phase {
    Start,
    Pages { after: Option<Uuid>, first: bool },
    End,
    Done,
}

impl ConnectorService {
    /// The feed's ETag: a digest of every listed product's last change, stock and
    /// prices. Narrow selects a page of listings at a time, so it stays cheap next to the
    /// feed itself (measured: it was half of the 100,000-product feed's time when it
    /// loaded whole products).
    pub async fn feed_etag(
        &self,
        channel: Channel,
        format: FeedFormat,
        since: Option<DateTime<Utc>>,
    ) -> Result<String, ConnectorError> {
        let mut digest = Sha256::new();
        // GI claims are judged by today's date, so a feed may change at midnight without
        // any write: the day is part of the tag.
        let today = Utc::now().date_naive();
        digest.update(format!("{channel}:{format:?}:{since:?}:{today}"));
        let mut after: Option<Uuid> = None;
        loop {
            let mut select = channel_listing::Entity::find()
                .select_only()
                .columns([
                    channel_listing::Column::Id,
                    channel_listing::Column::ProductId,
                    channel_listing::Column::UpdatedAt,
                ])
                .filter(channel_listing::Column::Channel.eq(channel))
                .filter(channel_listing::Column::Desired.eq(Desired::Listed))
                .filter(channel_listing::Column::State.is_in(listed_states()));
            if let Some(after) = after {
                select = select.filter(channel_listing::Column::Id.gt(after));
            }
            let listings: Vec<(Uuid, Uuid, DateTime<Utc>)> = select
                .order_by_asc(channel_listing::Column::Id)
                .limit(ETAG_PAGE)
                .into_tuple()
                .all(&self.db)
                .await?;
            let product_ids: Vec<Uuid> = listings.iter().map(|(_, product, _)| *product).collect();
            let stamps = catalog::change_stamps(&self.db, &product_ids).await?;
            for (listing, product, listed_at) in &listings {
                digest.update(format!("{listing}{listed_at}"));
                if let Some(stamp) = stamps.get(product) {
                    digest.update(format!(
                        "{product}{}{}",
                        stamp.updated_at,
                        stamp.status.as_str()
                    ));
                    for (variant, changed, stock, price) in &stamp.variants {
                        digest.update(format!("{variant}{changed}{stock}{price}"));
                    }
                }
            }
            match listings.last() {
                Some((last, _, _)) if listings.len() as u64 == ETAG_PAGE => after = Some(*last),
                _ => break,
            }
        }
        // The first 16 of SHA-256's 32 bytes: short enough for a header, long enough
        // that two different feeds never share a tag.
        let tag: Vec<u8> = digest.finalize().into_iter().take(16).collect();
        Ok(format!("\"{}\"", hex::encode(tag)))
    }

    /// The feed as a stream of chunks.
    pub fn feed_stream(
        &self,
        channel: Channel,
        format: FeedFormat,
        since: Option<DateTime<Utc>>,
    ) -> impl Stream<Item = Result<Vec<u8>, ConnectorError>> + use<> {
        let service = self.clone();
        futures_util::stream::unfold(Phase::Start, move |phase| {
            let service = service.clone();
            async move {
                match phase {
                    Phase::Start => {
                        let head = match format {
                            FeedFormat::Csv => {
                                let mut line = GEM_CSV_COLUMNS.join(",");
                                line.push('\n');
                                line.into_bytes()
                            }
                            FeedFormat::Json => format!(
                                "{{\"channel\":\"{channel}\",\"generatedAt\":\"{}\",\"items\":[",
                                Utc::now().to_rfc3339()
                            )
                            .into_bytes(),
                        };
                        Some((
                            Ok(head),
                            Phase::Pages {
                                after: None,
                                first: true,
                            },
                        ))
                    }
                    Phase::Pages { after, first } => {
                        match page(&service, channel, after, since).await {
                            Ok((items, next)) => {
                                let mut chunk = Vec::new();
                                let mut first = first;
                                for (_, item) in &items {
                                    match format {
                                        FeedFormat::Csv => match csv_rows(item) {
                                            Ok(rows) => chunk.extend(rows),
                                            Err(e) => return Some((Err(e), Phase::Done)),
                                        },
                                        FeedFormat::Json => {
                                            if !first {
                                                chunk.push(b',');
                                            }
                                            first = false;
                                            chunk.extend(item.to_string().into_bytes());
                                        }
                                    }
                                }
                                let phase = match next {
                                    Some(after) => Phase::Pages {
                                        after: Some(after),
                                        first,
                                    },
                                    None => Phase::End,
                                };
                                Some((Ok(chunk), phase))
                            }
                            Err(e) => Some((Err(e), Phase::Done)),
                        }
                    }
                    Phase::End => {
                        let tail = match format {
                            FeedFormat::Csv => Vec::new(),
                            FeedFormat::Json => b"]}".to_vec(),
                        };
                        Some((Ok(tail), Phase::Done))
                    }
                    Phase::Done => None,
                }
            }
        })
    }

    /// The API key that protects a channel's feed, if the feed is enabled.
    pub fn feed_key(&self, channel: Channel) -> Option<String> {
        self.config(channel).feed_api_key
    }
}
