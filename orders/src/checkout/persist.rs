//! Writing a planned order: the order, its fulfilments, consignees and lines, the stock
//! reservations and the history, in one transaction. Nothing is computed here that the
//! planner did not decide, except ids, the order number and the reservation's expiry.

use catalog::reserve_stock_for_order;
use chrono::{Duration, Utc};
use kernel::{FieldError, FieldErrorCode};
use rand::Rng;
use sea_orm::{ActiveValue::Set, EntityTrait};
use uuid::Uuid;

use crate::{
    OrderError, OrderKind, OrderService, Party, PaymentInstructions, PaymentMethod,
    ReservationStatus, cart,
    checkout::{
        input::{DEFAULT_PAYMENT_TERMS_DAYS, GEM_PAYMENT_DAYS_AFTER_CRAC, PlaceOrder},
        plan::{DraftLine, OrderDraft},
    },
    entity::{consignee, fulfilment, order, order_line, stock_reservation},
    history,
    status::{FulfilmentStatus, OrderStatus},
    time::india_today,
};

/// Where an order comes from: a buyer's cart, or a sales channel.
pub(crate) struct Source {
    pub buyer_user_id: Uuid,
    pub cart_id: Option<Uuid>,
    pub channel: Option<String>,
    /// A guest's contact and the hash of the order's access token.
    pub guest: Option<GuestRecord>,
}

/// What a guest order stores of its guest.
pub(crate) struct GuestRecord {
    pub email: String,
    pub phone: String,
    pub access_token_hash: String,
}

fn order_number() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    let suffix: String = (0..8)
        .filter_map(|_| ALPHABET.get(rng.random_range(0..ALPHABET.len())))
        .map(|b| char::from(*b))
        .collect();
    format!("LM-{}-{suffix}", india_today().format("%y%m%d"))
}

fn line_row(
    order_id: Uuid,
    fulfilment_ids: &[Uuid],
    consignee_ids: &[Uuid],
    position: usize,
    line: &DraftLine,
) -> Result<order_line::ActiveModel, OrderError> {
    let fulfilment_id = *fulfilment_ids
        .get(line.fulfilment)
        .ok_or_else(|| OrderError::corrupt("line without its fulfilment"))?;
    let consignee_id = line
        .consignee
        .map(|i| {
            consignee_ids
                .get(i)
                .copied()
                .ok_or_else(|| OrderError::corrupt("line without its consignee"))
        })
        .transpose()?;
    Ok(order_line::ActiveModel {
        id: Set(Uuid::now_v7()),
        order_id: Set(order_id),
        fulfilment_id: Set(fulfilment_id),
        consignee_id: Set(consignee_id),
        position: Set(i32::try_from(position).map_err(OrderError::corrupt)?),
        kind: Set(line.kind),
        variant_id: Set(line.variant_id),
        product_id: Set(line.product_id),
        sku: Set(line.sku.clone()),
        description: Set(line.description.clone()),
        hsn: Set(line.hsn.clone()),
        quantity: Set(line.quantity),
        uqc: Set(line.uqc),
        pieces_per_unit: Set(line.pieces_per_unit),
        unit_price_paise: Set(line.unit_price_paise),
        total_paise: Set(line.tax.total_paise),
        rate_bp: Set(i32::try_from(line.tax.rate_bp).map_err(OrderError::corrupt)?),
        taxable_paise: Set(line.tax.taxable_paise),
        cgst_paise: Set(line.tax.cgst_paise),
        sgst_paise: Set(line.tax.sgst_paise),
        utgst_paise: Set(line.tax.utgst_paise),
        igst_paise: Set(line.tax.igst_paise),
        place_of_supply: Set(line.destination.clone()),
    })
}

impl OrderService {
    /// Stores `draft` and reserves its stock; a variant sold out meanwhile rolls it all
    /// back with the reasons.
    pub(crate) async fn store_order(
        &self,
        party: &Party,
        source: Source,
        input: &PlaceOrder,
        fingerprint: &str,
        draft: OrderDraft,
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
        // A card is paid in minutes; a bank transfer from the buyer's bank takes days.
        let ttl = if method == PaymentMethod::BankTransfer {
            self.settings.bank_transfer_reservation_ttl
        } else {
            self.settings.reservation_ttl
        };
        let expires_at = (!method.on_credit_terms())
            .then(|| now + Duration::from_std(ttl).unwrap_or(Duration::minutes(30)));
        let number = order_number();
        let instructions = if method == PaymentMethod::BankTransfer {
            let cooperatives: Vec<Uuid> =
                draft.fulfilments.iter().map(|f| f.cooperative_id).collect();
            self.payee_for(&cooperatives)
                .await?
                .map(|(collector, account)| {
                    serde_json::to_value(PaymentInstructions {
                        collected_by: collector.as_str().to_owned(),
                        account,
                        reference: number.clone(),
                        amount_paise: draft.totals.total_paise,
                    })
                    .map_err(OrderError::corrupt)
                })
                .transpose()?
        } else {
            None
        };
        let fulfilment_ids: Vec<Uuid> = draft.fulfilments.iter().map(|_| Uuid::now_v7()).collect();
        let terms = input.institutional.as_ref();
        let consignee_ids: Vec<Uuid> = terms
            .map(|t| t.consignees.iter().map(|_| Uuid::now_v7()).collect())
            .unwrap_or_default();
        let rows = draft
            .lines
            .iter()
            .enumerate()
            .map(|(position, line)| {
                line_row(order_id, &fulfilment_ids, &consignee_ids, position, line)
            })
            .collect::<Result<Vec<_>, _>>()?;

        let txn = kernel::begin_write(&self.db).await?;
        order::Entity::insert(order::ActiveModel {
            id: Set(order_id),
            number: Set(number),
            kind: Set(if terms.is_some() {
                OrderKind::Institutional
            } else {
                OrderKind::Retail
            }),
            status: Set(order_status),
            buyer_user_id: Set(user_id),
            buyer_organisation_id: Set(party.organisation_id.filter(|_| terms.is_some())),
            idempotency_key: Set(input.idempotency_key.clone()),
            request_fingerprint: Set(fingerprint.to_owned()),
            currency: Set("INR".into()),
            shipping_address: Set(
                serde_json::to_value(&input.address).map_err(OrderError::corrupt)?
            ),
            place_of_supply: Set(input.address.state_code.clone()),
            goods_paise: Set(draft.goods_paise),
            shipping_paise: Set(draft.shipping_paise),
            taxable_paise: Set(draft.totals.taxable_paise),
            cgst_paise: Set(draft.totals.cgst_paise),
            sgst_paise: Set(draft.totals.sgst_paise),
            utgst_paise: Set(draft.totals.utgst_paise),
            igst_paise: Set(draft.totals.igst_paise),
            total_paise: Set(draft.totals.total_paise),
            refunded_paise: Set(0),
            payment_method: Set(method),
            payment_provider: Set(method.provider()),
            payment_reference: Set(None),
            payment_client_secret: Set(None),
            payment_received_paise: Set(0),
            paid_at: Set(None),
            payment_issue: Set(None),
            payment_failure: Set(None),
            payment_instructions: Set(instructions),
            reservation_expires_at: Set(expires_at),
            purchase_order_number: Set(terms.and_then(|t| t.purchase_order_number.clone())),
            gem_contract_number: Set(terms.and_then(|t| t.gem_contract_number.clone())),
            payment_terms_days: Set(terms.map(|t| {
                if t.gem_contract_number.is_some() {
                    GEM_PAYMENT_DAYS_AFTER_CRAC
                } else {
                    t.payment_terms_days.unwrap_or(DEFAULT_PAYMENT_TERMS_DAYS)
                }
            })),
            source_channel: Set(source.channel.clone()),
            guest_email: Set(source.guest.as_ref().map(|g| g.email.clone())),
            guest_phone: Set(source.guest.as_ref().map(|g| g.phone.clone())),
            access_token_hash: Set(source.guest.as_ref().map(|g| g.access_token_hash.clone())),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec(&txn)
        .await?;
        for (f, fulfilment_id) in draft.fulfilments.iter().zip(&fulfilment_ids) {
            fulfilment::Entity::insert(fulfilment::ActiveModel {
                id: Set(*fulfilment_id),
                order_id: Set(order_id),
                cooperative_id: Set(f.cooperative_id),
                status: Set(fulfilment_status),
                goods_paise: Set(f.goods_paise),
                shipping_paise: Set(f.shipping_paise),
                taxable_paise: Set(f.totals.taxable_paise),
                cgst_paise: Set(f.totals.cgst_paise),
                sgst_paise: Set(f.totals.sgst_paise),
                utgst_paise: Set(f.totals.utgst_paise),
                igst_paise: Set(f.totals.igst_paise),
                total_paise: Set(f.totals.total_paise),
                tcs_paise: Set(0),
                refunded_paise: Set(0),
                supplier_regime: Set(f.supplier_regime),
                document_kind: Set(f.document_kind),
                invoice_number: Set(None),
                invoice_date: Set(None),
                carrier: Set(None),
                tracking_number: Set(None),
                accepted_at: Set(None),
                accepted_by: Set(None),
                received_at: Set(None),
                received_by: Set(None),
                payment_due_at: Set(None),
                cash_collected_paise: Set(0),
                cash_collected_at: Set(None),
                cash_reference: Set(None),
                overdue_reminded_for: Set(None),
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
        let variant_ids: Vec<Uuid> = draft.reservations.iter().map(|r| r.variant_id).collect();
        let sale = catalog::sale_items(&txn, &variant_ids).await?;
        let mut short = Vec::new();
        for reservation in &draft.reservations {
            let item = sale
                .get(&reservation.variant_id)
                .ok_or(OrderError::NotFound("variant"))?;
            if !reserve_stock_for_order(&txn, &item.variant, reservation.quantity, order_id).await?
            {
                short.push(FieldError::new(
                    super::input::CART_FIELD,
                    FieldErrorCode::OutOfStock,
                    format!("{} sold out while you were checking out", item.variant.sku),
                ));
                continue;
            }
            for (fulfilment, quantity) in &reservation.parts {
                let fulfilment_id = *fulfilment_ids
                    .get(*fulfilment)
                    .ok_or_else(|| OrderError::corrupt("reservation without its fulfilment"))?;
                stock_reservation::Entity::insert(stock_reservation::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    order_id: Set(order_id),
                    fulfilment_id: Set(fulfilment_id),
                    variant_id: Set(reservation.variant_id),
                    quantity: Set(*quantity),
                    status: Set(ReservationStatus::Held),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec(&txn)
                .await?;
            }
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
            order_status.into(),
            party,
            Some("order placed"),
        )
        .await?;
        // Fulfilments' entries in cooperative order, as before the planner existed.
        let mut by_cooperative: Vec<(Uuid, Uuid)> = draft
            .fulfilments
            .iter()
            .map(|f| f.cooperative_id)
            .zip(fulfilment_ids.iter().copied())
            .collect();
        by_cooperative.sort();
        for (_, fulfilment_id) in &by_cooperative {
            history::record(
                &txn,
                order_id,
                Some(*fulfilment_id),
                None,
                fulfilment_status.into(),
                party,
                None,
            )
            .await?;
        }
        self.notify_order_placed(&txn, order_id).await?;
        txn.commit().await?;
        Ok(order_id)
    }
}
