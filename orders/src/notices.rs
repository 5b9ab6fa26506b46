//! The messages order changes send, recorded in the notifications outbox inside the
//! transaction of the change (`notifications::record`), once per event and recipient:
//! each key names the event (the order, fulfilment or refund it is about) and the
//! recipient's address, so a retried change or a second sweep records nothing new.
//!
//! `orders` depends on `notifications` (scripts/check-layering allows a domain crate
//! to depend on another that is free of HTTP and GraphQL, and `notifications` depends
//! on `kernel` only), but not on `accounts`: recipients come through the
//! [`notifications::Directory`] the service was built with.

use std::collections::HashMap;

use catalog::Cooperative;
use notifications::{Attachment, Envelope, Language, Message, OrderLine, OrderSummary, Recipient};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    Address, DocumentCopy, OrderError, OrderService, PaymentMethod,
    entity::{fulfilment, order, order_line, refund},
    invoices::{address_lines, render_invoice_html},
    store,
};

/// Records one message; false when this event's message to this recipient exists.
async fn send(
    txn: &DatabaseTransaction,
    event: &str,
    to: &Recipient,
    message: Message,
    attachments: Vec<Attachment>,
) -> Result<bool, OrderError> {
    Ok(notifications::record(
        txn,
        Envelope {
            key: format!("{event}:{}", to.email),
            to: to.email.clone(),
            user_id: to.user_id,
            language: to.language,
            message,
            attachments,
        },
    )
    .await?)
}

fn summary(
    order: &order::Model,
    lines: &[order_line::Model],
    totals: [i64; 6],
) -> Result<OrderSummary, OrderError> {
    let address: Address =
        serde_json::from_value(order.shipping_address.clone()).map_err(OrderError::corrupt)?;
    let [
        taxable_paise,
        cgst_paise,
        sgst_paise,
        utgst_paise,
        igst_paise,
        total_paise,
    ] = totals;
    Ok(OrderSummary {
        number: order.number.clone(),
        lines: lines
            .iter()
            .map(|line| OrderLine {
                description: line.description.clone(),
                quantity: line.quantity,
                unit_price_paise: line.unit_price_paise,
                total_paise: line.total_paise,
            })
            .collect(),
        taxable_paise,
        cgst_paise,
        sgst_paise,
        utgst_paise,
        igst_paise,
        total_paise,
        address: std::iter::once(address.name.clone())
            .chain(address_lines(&address))
            .collect(),
    })
}

async fn cooperatives(
    txn: &DatabaseTransaction,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Cooperative>, OrderError> {
    Ok(catalog::cooperatives_by_ids(txn, ids).await?)
}

fn name_of(cooperatives: &HashMap<Uuid, Cooperative>, id: Uuid) -> String {
    cooperatives
        .get(&id)
        .map_or_else(|| "a cooperative".to_owned(), |c| c.name.clone())
}

impl OrderService {
    /// The buyer: their account, or the address a guest ordered with. A sales
    /// channel's order has neither (the channel tells its buyer).
    pub(crate) async fn buyer(
        &self,
        txn: &DatabaseTransaction,
        order: &order::Model,
    ) -> Result<Option<Recipient>, OrderError> {
        if let Some(user) = self.directory.user(txn, order.buyer_user_id).await? {
            return Ok(Some(user));
        }
        Ok(order.guest_email.clone().map(|email| Recipient {
            user_id: None,
            email,
            language: Language::default(),
        }))
    }

    /// A cooperative's managers and staff; a cooperative without staff accounts yet
    /// is written to at its registered contact address, so that its orders reach
    /// someone.
    async fn staff_of(
        &self,
        txn: &DatabaseTransaction,
        cooperative: Option<&Cooperative>,
        cooperative_id: Uuid,
    ) -> Result<Vec<Recipient>, OrderError> {
        let staff = self
            .directory
            .cooperative_staff(txn, cooperative_id)
            .await?;
        if !staff.is_empty() {
            return Ok(staff);
        }
        Ok(cooperative
            .map(|c| c.contact_email.trim().to_lowercase())
            .filter(|email| !email.is_empty())
            .map(|email| Recipient {
                user_id: None,
                email,
                language: Language::default(),
            })
            .into_iter()
            .collect())
    }

    /// A new order: the buyer's confirmation (every line, the order's GST split and
    /// delivery address) and each cooperative's alert (its own lines and totals only).
    pub(crate) async fn notify_order_placed(
        &self,
        txn: &DatabaseTransaction,
        order_id: Uuid,
    ) -> Result<(), OrderError> {
        let order = store::load_order(txn, order_id).await?;
        let lines = order_line::Entity::find()
            .filter(order_line::Column::OrderId.eq(order_id))
            .order_by_asc(order_line::Column::Position)
            .all(txn)
            .await?;
        if let Some(buyer) = self.buyer(txn, &order).await? {
            let totals = [
                order.taxable_paise,
                order.cgst_paise,
                order.sgst_paise,
                order.utgst_paise,
                order.igst_paise,
                order.total_paise,
            ];
            let message = Message::OrderConfirmation {
                order: summary(&order, &lines, totals)?,
            };
            send(
                txn,
                &format!("order-confirmation:{order_id}"),
                &buyer,
                message,
                Vec::new(),
            )
            .await?;
        }
        let mut fulfilments = store::fulfilments_of(txn, order_id).await?;
        fulfilments.sort_by_key(|f| f.cooperative_id);
        let ids: Vec<Uuid> = fulfilments.iter().map(|f| f.cooperative_id).collect();
        let names = cooperatives(txn, &ids).await?;
        for f in &fulfilments {
            let own: Vec<order_line::Model> = lines
                .iter()
                .filter(|line| line.fulfilment_id == f.id)
                .cloned()
                .collect();
            let totals = [
                f.taxable_paise,
                f.cgst_paise,
                f.sgst_paise,
                f.utgst_paise,
                f.igst_paise,
                f.total_paise,
            ];
            let message = Message::NewOrder {
                cooperative: name_of(&names, f.cooperative_id),
                order: summary(&order, &own, totals)?,
            };
            for to in self
                .staff_of(txn, names.get(&f.cooperative_id), f.cooperative_id)
                .await?
            {
                send(
                    txn,
                    &format!("new-order:{}", f.id),
                    &to,
                    message.clone(),
                    Vec::new(),
                )
                .await?;
            }
        }
        Ok(())
    }

    /// A fulfilment shipped: the buyer hears the carrier and tracking number, with
    /// the invoice issued in the same transaction attached as HTML.
    pub(crate) async fn notify_shipped(
        &self,
        txn: &DatabaseTransaction,
        fulfilment_id: Uuid,
    ) -> Result<(), OrderError> {
        let (f, order) = store::load_fulfilment(txn, fulfilment_id).await?;
        let Some(buyer) = self.buyer(txn, &order).await? else {
            return Ok(());
        };
        let names = cooperatives(txn, &[f.cooperative_id]).await?;
        let message = Message::OrderShipped {
            order_number: order.number.clone(),
            cooperative: name_of(&names, f.cooperative_id),
            carrier: f.carrier.clone().unwrap_or_default(),
            tracking_number: f.tracking_number.clone().unwrap_or_default(),
            invoice_number: f.invoice_number.clone().unwrap_or_default(),
        };
        let invoice = self.invoice_of(txn, f, order).await?;
        let attachment = Attachment {
            filename: format!("invoice-{}.html", invoice.number.replace('/', "-")),
            content_type: "text/html; charset=utf-8".to_owned(),
            body: render_invoice_html(&invoice, DocumentCopy::Original),
        };
        send(
            txn,
            &format!("shipped:{fulfilment_id}"),
            &buyer,
            message,
            vec![attachment],
        )
        .await?;
        Ok(())
    }

    /// A fulfilment was delivered.
    pub(crate) async fn notify_delivered(
        &self,
        txn: &DatabaseTransaction,
        fulfilment_id: Uuid,
    ) -> Result<(), OrderError> {
        let (f, order) = store::load_fulfilment(txn, fulfilment_id).await?;
        let Some(buyer) = self.buyer(txn, &order).await? else {
            return Ok(());
        };
        let names = cooperatives(txn, &[f.cooperative_id]).await?;
        let message = Message::OrderDelivered {
            order_number: order.number.clone(),
            cooperative: name_of(&names, f.cooperative_id),
        };
        send(
            txn,
            &format!("delivered:{fulfilment_id}"),
            &buyer,
            message,
            Vec::new(),
        )
        .await?;
        Ok(())
    }

    /// Fulfilments were cancelled together (by someone, or because payment never
    /// came): one message to the buyer and one to each cooperative concerned. A
    /// fulfilment is cancelled once, so the first one's id names the event.
    pub(crate) async fn notify_cancelled(
        &self,
        txn: &DatabaseTransaction,
        order_id: Uuid,
        fulfilment_ids: &[Uuid],
        reason: &str,
    ) -> Result<(), OrderError> {
        let Some(first) = fulfilment_ids.iter().min() else {
            return Ok(());
        };
        let order = store::load_order(txn, order_id).await?;
        let cancelled: Vec<fulfilment::Model> = store::fulfilments_of(txn, order_id)
            .await?
            .into_iter()
            .filter(|f| fulfilment_ids.contains(&f.id))
            .collect();
        let mut ids: Vec<Uuid> = cancelled.iter().map(|f| f.cooperative_id).collect();
        ids.sort();
        ids.dedup();
        let names = cooperatives(txn, &ids).await?;
        let message = Message::OrderCancelled {
            order_number: order.number.clone(),
            cooperatives: ids.iter().map(|id| name_of(&names, *id)).collect(),
            reason: reason.to_owned(),
        };
        let event = format!("cancelled:{first}");
        if let Some(buyer) = self.buyer(txn, &order).await? {
            send(txn, &event, &buyer, message.clone(), Vec::new()).await?;
        }
        for id in &ids {
            let own = Message::OrderCancelled {
                order_number: order.number.clone(),
                cooperatives: vec![name_of(&names, *id)],
                reason: reason.to_owned(),
            };
            for to in self.staff_of(txn, names.get(id), *id).await? {
                send(txn, &event, &to, own.clone(), Vec::new()).await?;
            }
        }
        Ok(())
    }

    /// A refund succeeded (recorded by hand, or confirmed by the provider).
    pub(crate) async fn notify_refunded(
        &self,
        txn: &DatabaseTransaction,
        refund: &refund::Model,
    ) -> Result<(), OrderError> {
        let (f, order) = store::load_fulfilment(txn, refund.fulfilment_id).await?;
        let Some(buyer) = self.buyer(txn, &order).await? else {
            return Ok(());
        };
        let names = cooperatives(txn, &[f.cooperative_id]).await?;
        let message = Message::OrderRefunded {
            order_number: order.number.clone(),
            cooperative: name_of(&names, f.cooperative_id),
            amount_paise: refund.amount_paise,
            reason: refund.reason.clone(),
        };
        send(
            txn,
            &format!("refunded:{}", refund.id),
            &buyer,
            message,
            Vec::new(),
        )
        .await?;
        Ok(())
    }

    /// The payment of a bank transfer or a purchase order arrived (a card payer sees
    /// the card's own confirmation; cash changes hands at the door).
    pub(crate) async fn notify_payment_received(
        &self,
        txn: &DatabaseTransaction,
        order_id: Uuid,
    ) -> Result<(), OrderError> {
        let order = store::load_order(txn, order_id).await?;
        if !matches!(
            order.payment_method,
            PaymentMethod::BankTransfer | PaymentMethod::PurchaseOrder
        ) {
            return Ok(());
        }
        let Some(buyer) = self.buyer(txn, &order).await? else {
            return Ok(());
        };
        let message = Message::PaymentReceived {
            order_number: order.number.clone(),
            amount_paise: order.payment_received_paise,
        };
        send(
            txn,
            &format!("payment-received:{order_id}"),
            &buyer,
            message,
            Vec::new(),
        )
        .await?;
        Ok(())
    }
}
