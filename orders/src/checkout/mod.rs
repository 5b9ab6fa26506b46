//! Turning a cart (or a sales channel's order) into an order: [`input`] checks the
//! request, [`plan`] computes lines, parcels, GST and totals without touching the
//! database, and [`persist`] stores the draft and reserves its stock in one
//! transaction. This module only sequences them.

mod input;
mod issues;
mod persist;
mod plan;
mod quote;

use std::collections::BTreeMap;

use kernel::{FieldError, FieldErrorCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, SqlErr};
use uuid::Uuid;

pub use input::{
    ChannelOrder, ConsigneeInput, ConsigneeItem, DEFAULT_PAYMENT_TERMS_DAYS,
    GEM_PAYMENT_DAYS_AFTER_CRAC, InstitutionalTerms, PlaceOrder, PlacedOrder, channel_buyer_id,
};
pub use issues::{LineIssue, LineIssueKind};
pub use quote::{CheckoutQuote, QuoteLine, QuoteParcel};

use crate::{
    OrderError, OrderService, Party,
    cart::{self, CartLine},
    entity::order,
    guest::{guest_buyer_id, new_access_token},
    time::india_today,
};
use input::{
    CART_FIELD, allocations, check_key, check_terms, checked_input, fingerprint, line_problems,
    plan_items,
};
use persist::{GuestRecord, Source};
use plan::{OrderDraft, PlanContext, plan};

impl OrderService {
    /// `placeOrder`: the caller's open cart becomes an order, or the order an earlier
    /// call with the same idempotency key made is returned.
    pub async fn place_order(
        &self,
        party: &Party,
        input: PlaceOrder,
    ) -> Result<PlacedOrder, OrderError> {
        let as_guest = party.actor == kernel::Actor::Anonymous && input.guest.is_some();
        if !as_guest {
            party.require_purchaser()?;
        }
        check_key(&input.idempotency_key)?;
        let input = checked_input(party, input, |p| self.gateway_for(p).is_some())?;
        let user_id = match (&input.guest, as_guest) {
            (Some(guest), true) => guest_buyer_id(&guest.email),
            _ => party.require_purchaser()?,
        };
        let db = &self.db;
        let cart = cart::checkout_cart(db, party, input.cart_token.as_deref()).await?;
        let lines = match &cart {
            Some(cart) => cart::lines_of(db, cart.id).await?,
            None => Vec::new(),
        };
        if let Some(placed) = self.replay(user_id, &input, &lines).await? {
            return self
                .with_payment(self.for_guest(placed, as_guest).await?)
                .await;
        }
        let Some(cart) = cart.filter(|_| !lines.is_empty()) else {
            return Err(OrderError::invalid(
                CART_FIELD,
                FieldErrorCode::Required,
                "the cart is empty",
            ));
        };
        self.check_lines(Some(cart.id), &lines).await?;
        let quantities: Vec<(Uuid, i32)> =
            lines.iter().map(|l| (l.variant_id, l.quantity)).collect();
        let fingerprint = fingerprint(&input, &quantities)?;
        let draft = self.plan_order(&input, &lines)?;
        let (access_token, guest) = match &input.guest {
            Some(contact) if as_guest => {
                let (token, hash) = new_access_token();
                (
                    Some(token),
                    Some(GuestRecord {
                        email: contact.email.clone(),
                        phone: contact.phone.clone(),
                        access_token_hash: hash,
                    }),
                )
            }
            _ => (None, None),
        };
        match self
            .store_order(
                party,
                Source {
                    buyer_user_id: user_id,
                    cart_id: Some(cart.id),
                    channel: None,
                    guest,
                },
                &input,
                &fingerprint,
                draft,
            )
            .await
        {
            Ok(order_id) => {
                self.with_payment(PlacedOrder {
                    order_id,
                    replayed: false,
                    payment_error: None,
                    access_token,
                })
                .await
            }
            // Another request with the same key won the race: answer as a replay.
            Err(OrderError::Db(e))
                if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) =>
            {
                match self.replay(user_id, &input, &lines).await? {
                    Some(placed) => {
                        self.with_payment(self.for_guest(placed, as_guest).await?)
                            .await
                    }
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
            guest: None,
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
            entry.0 = entry
                .0
                .checked_add(*quantity)
                .ok_or(OrderError::Tax(crate::tax::TaxError::Overflow))?;
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
                Ok(CartLine {
                    variant_id,
                    quantity,
                    seen_unit_price_paise: seen,
                    unit_price_paise: unit,
                    line_total_paise: crate::cart::line_total(unit, quantity)?,
                    item,
                })
            })
            .collect::<Result<_, OrderError>>()?;
        if let Some(placed) = self.replay(buyer, &input, &lines).await? {
            return Ok(placed);
        }
        self.check_lines(None, &lines).await?;
        let quantities: Vec<(Uuid, i32)> =
            lines.iter().map(|l| (l.variant_id, l.quantity)).collect();
        let fingerprint = fingerprint(&input, &quantities)?;
        let draft = self.plan_order(&input, &lines)?;
        let source = Source {
            buyer_user_id: buyer,
            cart_id: None,
            channel: Some(order.channel.clone()),
            guest: None,
        };
        match self
            .store_order(&Party::system(), source, &input, &fingerprint, draft)
            .await
        {
            Ok(order_id) => Ok(PlacedOrder {
                order_id,
                replayed: false,
                payment_error: None,
                access_token: None,
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
            access_token: None,
        }))
    }

    /// A replayed guest checkout answers with a renewed access token.
    async fn for_guest(
        &self,
        mut placed: PlacedOrder,
        as_guest: bool,
    ) -> Result<PlacedOrder, OrderError> {
        if as_guest {
            placed.access_token = Some(self.renew_access_token(placed.order_id).await?);
        }
        Ok(placed)
    }

    /// The problems [`line_problems`] finds, after recording changed prices as seen, so
    /// that the buyer's next attempt (having been told) goes through at the new price.
    async fn check_lines(
        &self,
        cart_id: Option<Uuid>,
        lines: &[CartLine],
    ) -> Result<(), OrderError> {
        let problems = line_problems(lines);
        if problems.is_empty() {
            return Ok(());
        }
        if let Some(cart_id) = cart_id {
            let txn = kernel::begin_write(&self.db).await?;
            cart::acknowledge_prices(&txn, cart_id, lines).await?;
            txn.commit().await?;
        }
        Err(OrderError::Invalid(problems))
    }

    /// The pure planner over this service's rate and shipping tables.
    pub(crate) fn plan_order(
        &self,
        input: &PlaceOrder,
        lines: &[CartLine],
    ) -> Result<OrderDraft, OrderError> {
        let allocations = allocations(input, lines)?;
        let items = plan_items(lines)?;
        plan(
            &items,
            &allocations,
            PlanContext {
                rates: &self.rates,
                shipping: &self.shipping,
                today: india_today(),
            },
        )
    }

    /// A provider-paid order gets its payment started (once).
    async fn with_payment(&self, mut placed: PlacedOrder) -> Result<PlacedOrder, OrderError> {
        if let Some(problem) = self.start_payment(placed.order_id).await? {
            placed.payment_error = Some(problem);
        }
        Ok(placed)
    }
}
