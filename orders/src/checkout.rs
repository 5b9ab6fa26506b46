//! Turning a cart into an order: re-checking prices, availability, minimum quantities
//! and stock; computing GST per line and shipping per parcel; splitting the order into
//! one fulfilment per cooperative; and reserving the stock, all in one transaction.

use std::collections::{BTreeMap, HashMap};

use catalog::{FieldError, FieldErrorCode, reserve_stock_for_order};
use chrono::{Duration, Utc};
use rand::Rng;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, SqlErr};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    Address, OrderError, OrderService, Party, PaymentMethod,
    cart::{self, CartLine},
    entity::{consignee, fulfilment, order, order_line, stock_reservation},
    history,
    status::{FulfilmentStatus, OrderStatus},
    tax::{self, LineTax},
    time::india_today,
};

/// The longest idempotency key accepted.
pub const MAX_IDEMPOTENCY_KEY: usize = 100;
/// GeM's terms: payment within 10 days of the consignee's acceptance (CRAC).
pub const DEFAULT_PAYMENT_TERMS_DAYS: i32 = 10;

/// A consignee of an institutional order and what it receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsigneeInput {
    pub name: String,
    pub address: Address,
    pub items: Vec<ConsigneeItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ConsigneeItem {
    pub variant_id: Uuid,
    pub quantity: i32,
}

/// What an institution adds to an order: its contract and where the goods go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstitutionalTerms {
    pub purchase_order_number: Option<String>,
    pub gem_contract_number: Option<String>,
    pub payment_terms_days: Option<i32>,
    pub consignees: Vec<ConsigneeInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaceOrder {
    #[serde(skip)]
    pub cart_token: Option<String>,
    #[serde(skip)]
    pub idempotency_key: String,
    /// Delivery address of a retail order; billing address of an institutional one.
    pub address: Address,
    #[serde(serialize_with = "serialize_method")]
    pub payment_method: PaymentMethod,
    pub institutional: Option<InstitutionalTerms>,
}

fn serialize_method<S: serde::Serializer>(
    method: &PaymentMethod,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(method.as_str())
}

/// The result of `placeOrder`.
#[derive(Debug, Clone)]
pub struct PlacedOrder {
    pub order_id: Uuid,
    /// An earlier call with the same idempotency key created the order.
    pub replayed: bool,
    /// The order exists but the payment provider could not be reached; repeating the
    /// call with the same key tries again.
    pub payment_error: Option<String>,
}

/// Where an order comes from: a buyer's cart, or a sales channel.
struct Source {
    buyer_user_id: Uuid,
    cart_id: Option<Uuid>,
    channel: Option<String>,
}

/// An order that arrived from a sales channel (NCUI Haat, GeM).
#[derive(Debug, Clone)]
pub struct ChannelOrder {
    /// The channel's name, e.g. `GEM`.
    pub channel: String,
    /// The channel's own id for the order: orders are de-duplicated by it.
    pub channel_order_id: String,
    /// Variant, quantity and the unit price the channel sold at (tax included).
    pub lines: Vec<(Uuid, i32, i64)>,
    pub address: Address,
    pub payment_method: PaymentMethod,
    pub institutional: Option<InstitutionalTerms>,
}

/// The buyer recorded on a channel's orders: one fixed id per channel, no user account.
pub fn channel_buyer_id(channel: &str) -> Uuid {
    let digest = Sha256::digest(format!("ladakh-market channel buyer {channel}"));
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// One goods line before it is stored.
struct PlannedLine {
    consignee: Option<usize>,
    variant_id: Uuid,
    product_id: Uuid,
    cooperative_id: Uuid,
    sku: String,
    description: String,
    hsn: String,
    quantity: i32,
    unit_price_paise: i64,
    weight_grams: i64,
    destination: String,
    supplier_state: String,
    tax: LineTax,
}

fn check_key(key: &str) -> Result<(), OrderError> {
    let ok = !key.is_empty()
        && key.len() <= MAX_IDEMPOTENCY_KEY
        && key.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(OrderError::invalid(
            "idempotencyKey",
            FieldErrorCode::Invalid,
            format!("idempotencyKey must be 1 to {MAX_IDEMPOTENCY_KEY} printable ASCII characters"),
        ))
    }
}

fn fingerprint(input: &PlaceOrder, lines: &[(Uuid, i32)]) -> Result<String, OrderError> {
    let mut sorted = lines.to_vec();
    sorted.sort();
    let body = serde_json::to_vec(&(input, sorted)).map_err(OrderError::corrupt)?;
    Ok(hex::encode(Sha256::digest(body)))
}

fn order_number() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    let suffix: String = (0..8)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    format!("LM-{}-{suffix}", india_today().format("%y%m%d"))
}

/// The State a cooperative supplies from: its GSTIN's first two digits, else Ladakh.
pub(crate) fn supplier_state(gstin: Option<&str>) -> String {
    gstin
        .and_then(|g| g.get(..2))
        .unwrap_or(crate::LADAKH_STATE_CODE)
        .to_owned()
}

impl OrderService {
    /// `placeOrder`: the caller's open cart becomes an order, or the order an earlier
    /// call with the same idempotency key made is returned.
    pub async fn place_order(
        &self,
        party: &Party,
        input: PlaceOrder,
    ) -> Result<PlacedOrder, OrderError> {
        let user_id = party.require_purchaser()?;
        check_key(&input.idempotency_key)?;
        let input = self.checked_input(party, input)?;
        let db = &self.db;
        let cart = cart::checkout_cart(db, party, input.cart_token.as_deref()).await?;
        let lines = match &cart {
            Some(cart) => cart::lines_of(db, cart.id).await?,
            None => Vec::new(),
        };
        if let Some(placed) = self.replay(user_id, &input, &lines).await? {
            return self.ensure_payment_intent(placed).await;
        }
        let Some(cart) = cart.filter(|_| !lines.is_empty()) else {
            return Err(OrderError::invalid(
                "cart",
                FieldErrorCode::Required,
                "the cart is empty",
            ));
        };
        self.check_lines(Some(cart.id), &lines).await?;
        let quantities: Vec<(Uuid, i32)> =
            lines.iter().map(|l| (l.variant_id, l.quantity)).collect();
        let fingerprint = fingerprint(&input, &quantities)?;
        let planned = self.plan_lines(&input, &lines)?;
        match self
            .store_order(
                party,
                Source {
                    buyer_user_id: user_id,
                    cart_id: Some(cart.id),
                    channel: None,
                },
                &input,
                &fingerprint,
                planned,
            )
            .await
        {
            Ok(order_id) => {
                self.ensure_payment_intent(PlacedOrder {
                    order_id,
                    replayed: false,
                    payment_error: None,
                })
                .await
            }
            // Another request with the same key won the race: answer as a replay.
            Err(OrderError::Db(e))
                if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) =>
            {
                match self.replay(user_id, &input, &lines).await? {
                    Some(placed) => self.ensure_payment_intent(placed).await,
                    None => Err(OrderError::Db(e)),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// An order from a sales channel: the same checks, GST and stock reservation as a
    /// buyer's checkout, de-duplicated by the channel's order id. A line whose price
    /// differs from the marketplace's current price, or that cannot be filled, makes the
    /// whole order fail with the reasons, for the channel to be told.
    pub async fn place_channel_order(
        &self,
        order: ChannelOrder,
    ) -> Result<PlacedOrder, OrderError> {
        let buyer = channel_buyer_id(&order.channel);
        let mut input = PlaceOrder {
            cart_token: None,
            idempotency_key: format!("{}:{}", order.channel, order.channel_order_id),
            address: order.address,
            payment_method: order.payment_method,
            institutional: order.institutional,
        };
        check_key(&input.idempotency_key)?;
        let mut problems = Vec::new();
        match input.address.clone().checked("address") {
            Ok(address) => input.address = address,
            Err(mut errors) => problems.append(&mut errors),
        }
        if let Some(terms) = &mut input.institutional {
            check_terms(terms, &mut problems);
        }
        if order.lines.is_empty() {
            problems.push(FieldError::new(
                "lines",
                FieldErrorCode::Required,
                "the order has no lines",
            ));
        }
        if !problems.is_empty() {
            return Err(OrderError::Invalid(problems));
        }
        let mut quantities: BTreeMap<Uuid, (i32, i64)> = BTreeMap::new();
        for (variant_id, quantity, price) in &order.lines {
            if *quantity <= 0 || *quantity > cart::MAX_LINE_QUANTITY {
                return Err(OrderError::invalid(
                    "lines",
                    FieldErrorCode::OutOfRange,
                    "quantities must be positive",
                ));
            }
            let entry = quantities.entry(*variant_id).or_insert((0, *price));
            entry.0 += quantity;
        }
        let ids: Vec<Uuid> = quantities.keys().copied().collect();
        let mut sale = catalog::sale_items(&self.db, &ids).await?;
        let lines: Vec<CartLine> = quantities
            .into_iter()
            .map(|(variant_id, (quantity, seen))| {
                let item = sale.remove(&variant_id);
                let unit = item
                    .as_ref()
                    .map_or(seen, |i| i.variant.unit_price_for(quantity).minor);
                CartLine {
                    variant_id,
                    quantity,
                    seen_unit_price_paise: seen,
                    unit_price_paise: unit,
                    line_total_paise: unit * i64::from(quantity),
                    item,
                }
            })
            .collect();
        if let Some(placed) = self.replay(buyer, &input, &lines).await? {
            return Ok(placed);
        }
        self.check_lines(None, &lines).await?;
        let quantities: Vec<(Uuid, i32)> =
            lines.iter().map(|l| (l.variant_id, l.quantity)).collect();
        let fingerprint = fingerprint(&input, &quantities)?;
        let planned = self.plan_lines(&input, &lines)?;
        let source = Source {
            buyer_user_id: buyer,
            cart_id: None,
            channel: Some(order.channel.clone()),
        };
        match self
            .store_order(&Party::system(), source, &input, &fingerprint, planned)
            .await
        {
            Ok(order_id) => Ok(PlacedOrder {
                order_id,
                replayed: false,
                payment_error: None,
            }),
            Err(OrderError::Db(e))
                if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) =>
            {
                self.replay(buyer, &input, &lines)
                    .await?
                    .ok_or(OrderError::Db(e))
            }
            Err(e) => Err(e),
        }
    }

    fn checked_input(
        &self,
        party: &Party,
        mut input: PlaceOrder,
    ) -> Result<PlaceOrder, OrderError> {
        let mut problems: Vec<FieldError> = Vec::new();
        match input.address.clone().checked("address") {
            Ok(address) => input.address = address,
            Err(mut errors) => problems.append(&mut errors),
        }
        let institution = matches!(party.actor, catalog::Actor::Institution { .. });
        match (&mut input.institutional, institution) {
            (None, true) => problems.push(FieldError::new(
                "institutional",
                FieldErrorCode::Required,
                "institution orders need a purchase order or GeM contract and consignees",
            )),
            (Some(_), false) => problems.push(FieldError::new(
                "institutional",
                FieldErrorCode::NotAllowed,
                "only institution accounts place institutional orders",
            )),
            (Some(terms), true) => check_terms(terms, &mut problems),
            (None, false) => {}
        }
        let method_allowed = match input.payment_method {
            PaymentMethod::Stripe => self.stripe.is_some(),
            PaymentMethod::PurchaseOrder => institution,
            PaymentMethod::CashOnDelivery | PaymentMethod::BankTransfer => true,
            PaymentMethod::Channel => false,
        };
        if !method_allowed {
            problems.push(FieldError::new(
                "paymentMethod",
                FieldErrorCode::NotAllowed,
                match input.payment_method {
                    PaymentMethod::Stripe => "card payments are not configured on this marketplace",
                    PaymentMethod::Channel => {
                        "channel settlement is for orders from the sales channels"
                    }
                    _ => "purchase orders are for institution accounts",
                },
            ));
        }
        if problems.is_empty() {
            Ok(input)
        } else {
            Err(OrderError::Invalid(problems))
        }
    }

    /// The earlier order with this key, if any: the same request gets it back, a
    /// different one is a conflict.
    async fn replay(
        &self,
        user_id: Uuid,
        input: &PlaceOrder,
        open_lines: &[CartLine],
    ) -> Result<Option<PlacedOrder>, OrderError> {
        let Some(existing) = order::Entity::find()
            .filter(order::Column::BuyerUserId.eq(user_id))
            .filter(order::Column::IdempotencyKey.eq(input.idempotency_key.as_str()))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        // Right after the order was placed the open cart is empty: compare with the
        // cart the order was made from.
        let lines = if open_lines.is_empty() {
            match cart::cart_of_order(&self.db, existing.id).await? {
                Some(source) => cart::lines_of(&self.db, source.id).await?,
                None => Vec::new(),
            }
        } else {
            open_lines.to_vec()
        };
        let quantities: Vec<(Uuid, i32)> =
            lines.iter().map(|l| (l.variant_id, l.quantity)).collect();
        if fingerprint(input, &quantities)? != existing.request_fingerprint {
            return Err(OrderError::Conflict(
                "this idempotencyKey was already used for a different order".into(),
            ));
        }
        Ok(Some(PlacedOrder {
            order_id: existing.id,
            replayed: true,
            payment_error: None,
        }))
    }

    /// Price changes, items no longer for sale, minimum quantities and stock, each as a
    /// field error on its cart line. Changed prices are recorded as seen, so that the
    /// buyer's next attempt (having been told) goes through at the new price.
    async fn check_lines(
        &self,
        cart_id: Option<Uuid>,
        lines: &[CartLine],
    ) -> Result<(), OrderError> {
        let mut problems = Vec::new();
        for (index, line) in lines.iter().enumerate() {
            let field = format!("cart.lines.{index}");
            let Some(item) = line.item.as_ref().filter(|item| item.on_sale) else {
                problems.push(FieldError::new(
                    &field,
                    FieldErrorCode::NotFound,
                    "this item is no longer for sale; remove it from the cart",
                ));
                continue;
            };
            let sku = &item.variant.sku;
            if line.price_changed() {
                problems.push(FieldError::new(
                    &field,
                    FieldErrorCode::PriceChanged,
                    format!(
                        "the price of {sku} changed from {} to {} paise",
                        line.seen_unit_price_paise, line.unit_price_paise
                    ),
                ));
            }
            if line.quantity < item.variant.min_order_quantity {
                problems.push(FieldError::new(
                    &field,
                    FieldErrorCode::OutOfRange,
                    format!(
                        "{sku} is sold in quantities of at least {}",
                        item.variant.min_order_quantity
                    ),
                ));
            }
            if line.quantity > item.variant.stock_on_hand {
                problems.push(FieldError::new(
                    &field,
                    FieldErrorCode::OutOfStock,
                    format!("only {} of {sku} in stock", item.variant.stock_on_hand),
                ));
            }
        }
        if problems.is_empty() {
            return Ok(());
        }
        if let Some(cart_id) = cart_id {
            let txn = catalog::transaction::begin_write(&self.db).await?;
            cart::acknowledge_prices(&txn, cart_id, lines).await?;
            txn.commit().await?;
        }
        Err(OrderError::Invalid(problems))
    }

    fn plan_lines(
        &self,
        input: &PlaceOrder,
        lines: &[CartLine],
    ) -> Result<Vec<PlannedLine>, OrderError> {
        let today = india_today();
        let by_variant: HashMap<Uuid, &CartLine> =
            lines.iter().map(|l| (l.variant_id, l)).collect();
        // (consignee, variant, quantity, destination state)
        let allocations: Vec<(Option<usize>, Uuid, i32, String)> = match &input.institutional {
            Some(terms) => {
                check_allocations(terms, lines)?;
                terms
                    .consignees
                    .iter()
                    .enumerate()
                    .flat_map(|(index, c)| {
                        c.items.iter().map(move |item| {
                            (
                                Some(index),
                                item.variant_id,
                                item.quantity,
                                c.address.state_code.clone(),
                            )
                        })
                    })
                    .collect()
            }
            None => lines
                .iter()
                .map(|l| {
                    (
                        None,
                        l.variant_id,
                        l.quantity,
                        input.address.state_code.clone(),
                    )
                })
                .collect(),
        };
        let mut planned = Vec::new();
        for (consignee, variant_id, quantity, destination) in allocations {
            let line = by_variant
                .get(&variant_id)
                .ok_or_else(|| OrderError::corrupt("allocation outside the cart"))?;
            let item = line
                .item
                .as_ref()
                .ok_or_else(|| OrderError::corrupt("checked line without its item"))?;
            // Tier prices follow the whole quantity ordered, across consignees.
            let unit = line.unit_price_paise;
            let total = unit
                .checked_mul(i64::from(quantity))
                .ok_or(tax::TaxError::Overflow)?;
            let rate = match self.rates.rate_for(&item.hsn_code, today, unit) {
                Ok(rate) => rate,
                Err(tax::TaxError::NoRate { .. }) => i64::from(item.category_gst_rate_bp),
                Err(e) => return Err(e.into()),
            };
            let supplier = supplier_state(item.cooperative.gstin.as_deref());
            let kind = tax::supply_kind(&supplier, &destination)?;
            planned.push(PlannedLine {
                consignee,
                variant_id,
                product_id: item.variant.product_id,
                cooperative_id: item.cooperative.id,
                sku: item.variant.sku.clone(),
                description: format!("{} ({})", item.product_title, item.variant.title),
                hsn: item.hsn_code.clone(),
                quantity,
                unit_price_paise: unit,
                weight_grams: i64::from(item.variant.weight_grams) * i64::from(quantity),
                destination,
                supplier_state: supplier,
                tax: tax::line_tax(total, rate, kind)?,
            });
        }
        Ok(planned)
    }

    async fn store_order(
        &self,
        party: &Party,
        source: Source,
        input: &PlaceOrder,
        fingerprint: &str,
        planned: Vec<PlannedLine>,
    ) -> Result<Uuid, OrderError> {
        let user_id = source.buyer_user_id;
        let now = Utc::now();
        let order_id = Uuid::now_v7();
        let method = input.payment_method;
        let (order_status, fulfilment_status) = if method.on_credit_terms() {
            (OrderStatus::Confirmed, FulfilmentStatus::Confirmed)
        } else {
            (
                OrderStatus::PendingPayment,
                FulfilmentStatus::PendingPayment,
            )
        };
        let expires_at = (!method.on_credit_terms()).then(|| {
            now + Duration::from_std(self.settings.reservation_ttl).unwrap_or(Duration::minutes(30))
        });
        let txn = catalog::transaction::begin_write(&self.db).await?;

        // Fulfilments by cooperative, and a shipping line per cooperative and destination.
        let mut cooperatives: BTreeMap<Uuid, Uuid> = BTreeMap::new();
        for line in &planned {
            cooperatives
                .entry(line.cooperative_id)
                .or_insert_with(Uuid::now_v7);
        }
        let mut parcels: BTreeMap<(Uuid, Option<usize>, String), (i64, usize)> = BTreeMap::new();
        for (index, line) in planned.iter().enumerate() {
            let parcel = parcels
                .entry((
                    line.cooperative_id,
                    line.consignee,
                    line.destination.clone(),
                ))
                .or_insert((0, index));
            parcel.0 += line.weight_grams;
            // The parcel's principal supply (largest value) sets the shipping's tax.
            if line.tax.total_paise > planned[parcel.1].tax.total_paise {
                parcel.1 = index;
            }
        }
        let consignee_ids: Vec<Uuid> = input
            .institutional
            .as_ref()
            .map(|t| t.consignees.iter().map(|_| Uuid::now_v7()).collect())
            .unwrap_or_default();

        let mut rows: Vec<order_line::ActiveModel> = Vec::new();
        let mut sums: HashMap<Uuid, (i64, i64, Vec<LineTax>)> = HashMap::new();
        for (position, line) in planned.iter().enumerate() {
            let fulfilment_id = cooperatives[&line.cooperative_id];
            let entry = sums.entry(fulfilment_id).or_default();
            entry.0 += line.tax.total_paise;
            entry.2.push(line.tax);
            rows.push(line_row(LineRow {
                order_id,
                fulfilment_id,
                consignee_id: line.consignee.map(|i| consignee_ids[i]),
                position,
                kind: "GOODS",
                variant_id: Some(line.variant_id),
                product_id: Some(line.product_id),
                sku: &line.sku,
                description: &line.description,
                hsn: &line.hsn,
                quantity: line.quantity,
                unit_price_paise: line.unit_price_paise,
                tax: line.tax,
                destination: &line.destination,
            })?);
        }
        for ((cooperative_id, consignee, destination), (grams, principal)) in &parcels {
            let charge = self.shipping.charge_paise(destination, *grams);
            if charge == 0 {
                continue;
            }
            let principal = &planned[*principal];
            let tax = tax::line_tax(
                charge,
                principal.tax.rate_bp,
                tax::supply_kind(&principal.supplier_state, destination)?,
            )?;
            let fulfilment_id = cooperatives[cooperative_id];
            let entry = sums.entry(fulfilment_id).or_default();
            entry.1 += charge;
            entry.2.push(tax);
            rows.push(line_row(LineRow {
                order_id,
                fulfilment_id,
                consignee_id: consignee.map(|i| consignee_ids[i]),
                position: rows.len(),
                kind: "SHIPPING",
                variant_id: None,
                product_id: None,
                sku: "SHIPPING",
                description: "Shipping and handling (part of the composite supply)",
                hsn: &principal.hsn,
                quantity: 1,
                unit_price_paise: charge,
                tax,
                destination,
            })?);
        }
        let all: Vec<LineTax> = sums.values().flat_map(|s| s.2.iter().copied()).collect();
        let order_totals = tax::totals(&all);
        let goods: i64 = sums.values().map(|s| s.0).sum();
        let shipping: i64 = sums.values().map(|s| s.1).sum();
        let terms = input.institutional.as_ref();
        order::Entity::insert(order::ActiveModel {
            id: Set(order_id),
            number: Set(order_number()),
            kind: Set(if terms.is_some() {
                "INSTITUTIONAL"
            } else {
                "RETAIL"
            }
            .into()),
            status: Set(order_status.as_str().into()),
            buyer_user_id: Set(user_id),
            buyer_organisation_id: Set(party.organisation_id.filter(|_| terms.is_some())),
            idempotency_key: Set(input.idempotency_key.clone()),
            request_fingerprint: Set(fingerprint.to_owned()),
            currency: Set("INR".into()),
            shipping_address: Set(
                serde_json::to_value(&input.address).map_err(OrderError::corrupt)?
            ),
            place_of_supply: Set(input.address.state_code.clone()),
            goods_paise: Set(goods),
            shipping_paise: Set(shipping),
            taxable_paise: Set(order_totals.taxable_paise),
            cgst_paise: Set(order_totals.cgst_paise),
            sgst_paise: Set(order_totals.sgst_paise),
            utgst_paise: Set(order_totals.utgst_paise),
            igst_paise: Set(order_totals.igst_paise),
            total_paise: Set(order_totals.total_paise),
            refunded_paise: Set(0),
            payment_method: Set(method.as_str().into()),
            payment_provider: Set(method.provider().into()),
            payment_reference: Set(None),
            payment_client_secret: Set(None),
            payment_received_paise: Set(0),
            paid_at: Set(None),
            payment_issue: Set(None),
            reservation_expires_at: Set(expires_at),
            purchase_order_number: Set(terms.and_then(|t| t.purchase_order_number.clone())),
            gem_contract_number: Set(terms.and_then(|t| t.gem_contract_number.clone())),
            payment_terms_days: Set(
                terms.map(|t| t.payment_terms_days.unwrap_or(DEFAULT_PAYMENT_TERMS_DAYS))
            ),
            source_channel: Set(source.channel.clone()),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec(&txn)
        .await?;
        for (cooperative_id, fulfilment_id) in &cooperatives {
            let (goods, shipping, taxes) = sums.remove(fulfilment_id).unwrap_or_default();
            let t = tax::totals(&taxes);
            fulfilment::Entity::insert(fulfilment::ActiveModel {
                id: Set(*fulfilment_id),
                order_id: Set(order_id),
                cooperative_id: Set(*cooperative_id),
                status: Set(fulfilment_status.as_str().into()),
                goods_paise: Set(goods),
                shipping_paise: Set(shipping),
                taxable_paise: Set(t.taxable_paise),
                cgst_paise: Set(t.cgst_paise),
                sgst_paise: Set(t.sgst_paise),
                utgst_paise: Set(t.utgst_paise),
                igst_paise: Set(t.igst_paise),
                total_paise: Set(t.total_paise),
                tcs_paise: Set(0),
                refunded_paise: Set(0),
                invoice_number: Set(None),
                invoice_date: Set(None),
                carrier: Set(None),
                tracking_number: Set(None),
                accepted_at: Set(None),
                payment_due_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec(&txn)
            .await?;
        }
        if let Some(terms) = terms {
            for (position, (c, id)) in terms.consignees.iter().zip(&consignee_ids).enumerate() {
                consignee::Entity::insert(consignee::ActiveModel {
                    id: Set(*id),
                    order_id: Set(order_id),
                    position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
                    name: Set(c.name.clone()),
                    address: Set(serde_json::to_value(&c.address).map_err(OrderError::corrupt)?),
                    state_code: Set(c.address.state_code.clone()),
                })
                .exec(&txn)
                .await?;
            }
        }
        for row in rows {
            order_line::Entity::insert(row).exec(&txn).await?;
        }

        // Reserve stock: one conditional statement per variant, all units of a variant
        // counted together, in variant order so concurrent orders cannot deadlock.
        let mut per_variant: BTreeMap<Uuid, (i32, Uuid)> = BTreeMap::new();
        for line in &planned {
            let entry = per_variant
                .entry(line.variant_id)
                .or_insert((0, cooperatives[&line.cooperative_id]));
            entry.0 += line.quantity;
        }
        let sale =
            catalog::sale_items(&txn, &per_variant.keys().copied().collect::<Vec<_>>()).await?;
        let mut short = Vec::new();
        for (variant_id, (quantity, fulfilment_id)) in &per_variant {
            let item = sale
                .get(variant_id)
                .ok_or(OrderError::NotFound("variant"))?;
            if !reserve_stock_for_order(&txn, &item.variant, *quantity, order_id).await? {
                short.push(FieldError::new(
                    "cart",
                    FieldErrorCode::OutOfStock,
                    format!("{} sold out while you were checking out", item.variant.sku),
                ));
                continue;
            }
            stock_reservation::Entity::insert(stock_reservation::ActiveModel {
                id: Set(Uuid::now_v7()),
                order_id: Set(order_id),
                fulfilment_id: Set(*fulfilment_id),
                variant_id: Set(*variant_id),
                quantity: Set(*quantity),
                status: Set(crate::reservations::HELD.into()),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec(&txn)
            .await?;
        }
        if !short.is_empty() {
            txn.rollback().await?;
            return Err(OrderError::Invalid(short));
        }
        if let Some(cart_id) = source.cart_id {
            cart::check_out(&txn, cart_id, order_id).await?;
        }
        history::record(
            &txn,
            order_id,
            None,
            None,
            order_status.as_str(),
            party,
            Some("order placed"),
        )
        .await?;
        for fulfilment_id in cooperatives.values() {
            history::record(
                &txn,
                order_id,
                Some(*fulfilment_id),
                None,
                fulfilment_status.as_str(),
                party,
                None,
            )
            .await?;
        }
        txn.commit().await?;
        Ok(order_id)
    }
}

struct LineRow<'a> {
    order_id: Uuid,
    fulfilment_id: Uuid,
    consignee_id: Option<Uuid>,
    position: usize,
    kind: &'a str,
    variant_id: Option<Uuid>,
    product_id: Option<Uuid>,
    sku: &'a str,
    description: &'a str,
    hsn: &'a str,
    quantity: i32,
    unit_price_paise: i64,
    tax: LineTax,
    destination: &'a str,
}

fn line_row(row: LineRow<'_>) -> Result<order_line::ActiveModel, OrderError> {
    Ok(order_line::ActiveModel {
        id: Set(Uuid::now_v7()),
        order_id: Set(row.order_id),
        fulfilment_id: Set(row.fulfilment_id),
        consignee_id: Set(row.consignee_id),
        position: Set(i32::try_from(row.position).map_err(OrderError::corrupt)?),
        kind: Set(row.kind.into()),
        variant_id: Set(row.variant_id),
        product_id: Set(row.product_id),
        sku: Set(row.sku.into()),
        description: Set(row.description.into()),
        hsn: Set(row.hsn.into()),
        quantity: Set(row.quantity),
        unit_price_paise: Set(row.unit_price_paise),
        total_paise: Set(row.tax.total_paise),
        rate_bp: Set(i32::try_from(row.tax.rate_bp).map_err(OrderError::corrupt)?),
        taxable_paise: Set(row.tax.taxable_paise),
        cgst_paise: Set(row.tax.cgst_paise),
        sgst_paise: Set(row.tax.sgst_paise),
        utgst_paise: Set(row.tax.utgst_paise),
        igst_paise: Set(row.tax.igst_paise),
        place_of_supply: Set(row.destination.into()),
    })
}

fn check_terms(terms: &mut InstitutionalTerms, problems: &mut Vec<FieldError>) {
    let clean = |value: &mut Option<String>| {
        *value = value
            .take()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty());
    };
    clean(&mut terms.purchase_order_number);
    clean(&mut terms.gem_contract_number);
    if terms.purchase_order_number.is_none() && terms.gem_contract_number.is_none() {
        problems.push(FieldError::new(
            "institutional.purchaseOrderNumber",
            FieldErrorCode::Required,
            "give a purchase order number or a GeM contract number",
        ));
    }
    for (field, value) in [
        ("purchaseOrderNumber", &terms.purchase_order_number),
        ("gemContractNumber", &terms.gem_contract_number),
    ] {
        if value.as_ref().is_some_and(|v| {
            v.len() > 64
                || !v
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-/_.".contains(&b))
        }) {
            problems.push(FieldError::new(
                &format!("institutional.{field}"),
                FieldErrorCode::Invalid,
                format!("{field} must be at most 64 letters, digits, '-', '/', '_' or '.'"),
            ));
        }
    }
    if terms
        .payment_terms_days
        .is_some_and(|d| !(0..=180).contains(&d))
    {
        problems.push(FieldError::new(
            "institutional.paymentTermsDays",
            FieldErrorCode::OutOfRange,
            "paymentTermsDays must be between 0 and 180",
        ));
    }
    if terms.consignees.is_empty() || terms.consignees.len() > 50 {
        problems.push(FieldError::new(
            "institutional.consignees",
            FieldErrorCode::OutOfRange,
            "an institutional order has 1 to 50 consignees",
        ));
    }
    for (index, consignee) in terms.consignees.iter_mut().enumerate() {
        let prefix = format!("institutional.consignees.{index}");
        consignee.name = consignee.name.trim().to_owned();
        if consignee.name.is_empty() || consignee.name.chars().count() > 100 {
            problems.push(FieldError::new(
                &format!("{prefix}.name"),
                FieldErrorCode::Required,
                "a consignee needs a name of at most 100 characters",
            ));
        }
        match consignee
            .address
            .clone()
            .checked(&format!("{prefix}.address"))
        {
            Ok(address) => consignee.address = address,
            Err(mut errors) => problems.append(&mut errors),
        }
        if consignee.items.is_empty() {
            problems.push(FieldError::new(
                &format!("{prefix}.items"),
                FieldErrorCode::Required,
                "a consignee receives at least one item",
            ));
        }
        for (i, item) in consignee.items.iter().enumerate() {
            if item.quantity <= 0 || item.quantity > cart::MAX_LINE_QUANTITY {
                problems.push(FieldError::new(
                    &format!("{prefix}.items.{i}.quantity"),
                    FieldErrorCode::OutOfRange,
                    "quantity must be positive",
                ));
            }
        }
    }
}

/// Consignees' quantities must add up to the cart's, variant by variant.
fn check_allocations(terms: &InstitutionalTerms, lines: &[CartLine]) -> Result<(), OrderError> {
    let mut allocated: BTreeMap<Uuid, i64> = BTreeMap::new();
    for consignee in &terms.consignees {
        for item in &consignee.items {
            *allocated.entry(item.variant_id).or_default() += i64::from(item.quantity);
        }
    }
    let mut problems = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let given = allocated.remove(&line.variant_id).unwrap_or(0);
        if given != i64::from(line.quantity) {
            problems.push(FieldError::new(
                &format!("cart.lines.{index}"),
                FieldErrorCode::Invalid,
                format!(
                    "consignees receive {given} units but the cart has {}",
                    line.quantity
                ),
            ));
        }
    }
    if !allocated.is_empty() {
        problems.push(FieldError::new(
            "institutional.consignees",
            FieldErrorCode::Invalid,
            "consignees list items that are not in the cart",
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(OrderError::Invalid(problems))
    }
}
