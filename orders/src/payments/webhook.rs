//! Provider webhooks: the gateway verifies the delivery and reads it into neutral
//! events; here they are applied to orders. Every event id is processed once; the
//! handlers work from the order's state, so duplicates and out-of-order deliveries
//! change nothing.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

use crate::{
    OrderError, OrderService, OrderStatus, Party, PaymentProvider, RefundStatus,
    entity::{order, payment_event, refund},
    payments::{
        gateway::{PaymentEvent, PaymentGateway, PaymentRef, WebhookError, WebhookEvent},
        reconcile::Reconciled,
        recording::{PaymentRecord, flag, people},
    },
    store,
};

/// What a webhook delivery did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookOutcome {
    Processed(String),
    Duplicate,
    Ignored(String),
}

impl OrderService {
    /// `POST /webhooks/stripe`.
    pub async fn handle_stripe_webhook(
        &self,
        signature: Option<&str>,
        payload: &[u8],
    ) -> Result<WebhookOutcome, WebhookError> {
        self.handle_payment_webhook(PaymentProvider::Stripe, signature, None, payload)
            .await
    }

    /// `POST /webhooks/razorpay`: `X-Razorpay-Signature` and `X-Razorpay-Event-Id`.
    pub async fn handle_razorpay_webhook(
        &self,
        signature: Option<&str>,
        event_id: Option<&str>,
        payload: &[u8],
    ) -> Result<WebhookOutcome, WebhookError> {
        self.handle_payment_webhook(PaymentProvider::Razorpay, signature, event_id, payload)
            .await
    }

    /// A delivery from `provider`, which must be configured.
    pub async fn handle_payment_webhook(
        &self,
        provider: PaymentProvider,
        signature: Option<&str>,
        event_id: Option<&str>,
        payload: &[u8],
    ) -> Result<WebhookOutcome, WebhookError> {
        let gateway = self
            .gateway_for(provider)
            .map(|g| g.as_ref())
            .ok_or(WebhookError::NotConfigured)?;
        let event = gateway.parse_webhook(signature, event_id, payload, Utc::now().timestamp())?;
        if event.id.is_empty() || event.id.len() > 255 {
            return Err(WebhookError::Payload("bad event id".into()));
        }
        if payment_event::Entity::find_by_id(event.id.clone())
            .one(&self.db)
            .await
            .map_err(OrderError::from)?
            .is_some()
        {
            return Ok(WebhookOutcome::Duplicate);
        }
        let (order_id, outcome) = self.apply_event(gateway, &event).await?;
        // Recorded after the effects, which are idempotent: a crash in between means
        // the provider redelivers and the handler finds the work done.
        payment_event::Entity::insert(payment_event::ActiveModel {
            id: Set(event.id.clone()),
            provider: Set(gateway.provider()),
            event_type: Set(event.kind.clone()),
            order_id: Set(order_id),
            outcome: Set(match &outcome {
                WebhookOutcome::Processed(s) | WebhookOutcome::Ignored(s) => s.clone(),
                WebhookOutcome::Duplicate => "duplicate".into(),
            }),
            received_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::column(payment_event::Column::Id)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await
        .map_err(OrderError::from)?;
        Ok(outcome)
    }

    /// The order a payment belongs to: by the stored reference, or (the payment was
    /// created but its reference not yet stored, a crash in between) by the order id
    /// the payment carries, if that order is this provider's and not another payment's.
    async fn order_of_payment(
        &self,
        gateway: &dyn PaymentGateway,
        payment: Option<&PaymentRef>,
    ) -> Result<Option<order::Model>, OrderError> {
        let Some(payment) = payment else {
            return Ok(None);
        };
        if let Some(order) = store::order_by_payment_reference(&self.db, &payment.reference).await?
        {
            return Ok(Some(order));
        }
        let Some(order_id) = payment.order_id else {
            return Ok(None);
        };
        let order = order::Entity::find_by_id(order_id).one(&self.db).await?;
        Ok(order.filter(|o| {
            o.payment_provider == gateway.provider()
                && o.payment_reference
                    .as_deref()
                    .is_none_or(|r| r == payment.reference)
        }))
    }

    async fn apply_event(
        &self,
        gateway: &dyn PaymentGateway,
        event: &WebhookEvent,
    ) -> Result<(Option<Uuid>, WebhookOutcome), OrderError> {
        let no_payment = || {
            Ok((
                None,
                WebhookOutcome::Ignored("no order for this payment".into()),
            ))
        };
        match &event.event {
            PaymentEvent::Succeeded {
                payment,
                amount_received_paise,
                currency,
            } => {
                let Some(order) = self.order_of_payment(gateway, payment.as_ref()).await? else {
                    return no_payment();
                };
                let record = self
                    .record_payment(
                        order.id,
                        *amount_received_paise,
                        currency,
                        &Party::system(),
                        &format!("{}: {}", gateway.display_name(), event.kind),
                    )
                    .await?;
                let outcome = match record {
                    PaymentRecord::Recorded => "paid".to_owned(),
                    PaymentRecord::AlreadyPaid => "already paid".to_owned(),
                    PaymentRecord::Mismatch(issue) => format!("flagged: {issue}"),
                    PaymentRecord::ArrivedAfterRelease => {
                        self.refund_late_payment(order.id).await?;
                        "paid after release: refunded".to_owned()
                    }
                };
                Ok((Some(order.id), WebhookOutcome::Processed(outcome)))
            }
            PaymentEvent::Declined { payment, message } => {
                let Some(order) = self.order_of_payment(gateway, payment.as_ref()).await? else {
                    return no_payment();
                };
                // One declined attempt: the payment stays open for another card, so the
                // order keeps its reservation until it expires or the payment is
                // cancelled. The buyer is shown why.
                let recorded = order::Entity::update_many()
                    .col_expr(order::Column::PaymentFailure, Expr::value(message.as_str()))
                    .col_expr(order::Column::UpdatedAt, Expr::value(Utc::now()))
                    .filter(order::Column::Id.eq(order.id))
                    .filter(order::Column::Status.eq(OrderStatus::PendingPayment))
                    .filter(order::Column::PaymentReceivedPaise.eq(0))
                    .exec(&self.db)
                    .await?;
                Ok((
                    Some(order.id),
                    WebhookOutcome::Processed(if recorded.rows_affected == 1 {
                        "declined attempt recorded; the order stays payable".into()
                    } else {
                        "declined attempt on an order no longer payable".into()
                    }),
                ))
            }
            PaymentEvent::Cancelled { payment } => {
                let Some(order) = self.order_of_payment(gateway, payment.as_ref()).await? else {
                    return no_payment();
                };
                let reason = format!("the {} payment was cancelled", gateway.display_name());
                let released = self.release_unpaid(order.id, &reason).await?;
                Ok((
                    Some(order.id),
                    WebhookOutcome::Processed(if released {
                        "released".into()
                    } else {
                        "nothing to release".into()
                    }),
                ))
            }
            PaymentEvent::Refunded {
                payment,
                succeeded_refunds,
                amount_refunded_paise,
            } => {
                let Some(order) = self.order_of_payment(gateway, payment.as_ref()).await? else {
                    return Ok((
                        None,
                        WebhookOutcome::Ignored("no order for this charge".into()),
                    ));
                };
                for reference in succeeded_refunds {
                    // The buyer hears of each refund once: only those not yet known
                    // to have succeeded are told, in the transaction that says so.
                    let txn = kernel::begin_write(&self.db).await?;
                    let confirmed = refund::Entity::find()
                        .filter(refund::Column::OrderId.eq(order.id))
                        .filter(refund::Column::ProviderReference.eq(reference.as_str()))
                        .filter(refund::Column::Status.ne(RefundStatus::Succeeded))
                        .all(&txn)
                        .await?;
                    refund::Entity::update_many()
                        .col_expr(refund::Column::Status, Expr::value(RefundStatus::Succeeded))
                        .col_expr(refund::Column::UpdatedAt, Expr::value(Utc::now()))
                        .filter(refund::Column::OrderId.eq(order.id))
                        .filter(refund::Column::ProviderReference.eq(reference.as_str()))
                        .exec(&txn)
                        .await?;
                    for refund in &confirmed {
                        self.notify_refunded(&txn, refund).await?;
                    }
                    txn.commit().await?;
                }
                let current = store::load_order(&self.db, order.id).await?;
                if *amount_refunded_paise > current.refunded_paise {
                    flag(
                        &self.db,
                        order.id,
                        &format!(
                            "{} shows {} refunded but the marketplace recorded {}: a refund was made outside it",
                            gateway.display_name(),
                            people(*amount_refunded_paise, &current.currency),
                            people(current.refunded_paise, &current.currency)
                        ),
                    )
                    .await?;
                    return Ok((
                        Some(order.id),
                        WebhookOutcome::Processed(
                            "flagged: refund made outside the marketplace".into(),
                        ),
                    ));
                }
                Ok((
                    Some(order.id),
                    WebhookOutcome::Processed("refunds confirmed".into()),
                ))
            }
            PaymentEvent::Changed { payment } => {
                let Some(order) = self.order_of_payment(gateway, payment.as_ref()).await? else {
                    return no_payment();
                };
                // Ask the provider how the payment stands (capturing money that is
                // only held), as reconciliation does; the answer is the truth, the
                // event only the reason to ask.
                let outcome = match self.reconcile_payment(&order).await {
                    Ok(Reconciled::Paid) => "paid (asked the provider)".to_owned(),
                    Ok(Reconciled::Open) => "not paid yet".to_owned(),
                    Ok(Reconciled::Cancelled) => "cancelled at the provider".to_owned(),
                    Err(OrderError::Provider(message)) => format!("provider: {message}"),
                    Err(e) => return Err(e),
                };
                Ok((Some(order.id), WebhookOutcome::Processed(outcome)))
            }
            PaymentEvent::RefundFailed {
                payment,
                refund_reference,
            } => {
                let Some(order) = self.order_of_payment(gateway, payment.as_ref()).await? else {
                    return Ok((
                        None,
                        WebhookOutcome::Ignored("no order for this refund".into()),
                    ));
                };
                let outcome = self
                    .refund_failed_at_provider(gateway, order.id, refund_reference)
                    .await?;
                Ok((Some(order.id), WebhookOutcome::Processed(outcome)))
            }
            PaymentEvent::TransferProcessed { reference, key } => {
                let (order_id, outcome) = self.apply_transfer_event(reference, *key, None).await?;
                Ok((order_id, WebhookOutcome::Processed(outcome)))
            }
            PaymentEvent::TransferFailed {
                reference,
                key,
                message,
            } => {
                let (order_id, outcome) = self
                    .apply_transfer_event(reference, *key, Some(message))
                    .await?;
                Ok((order_id, WebhookOutcome::Processed(outcome)))
            }
            PaymentEvent::Unused => Ok((
                None,
                WebhookOutcome::Ignored(format!("{} is not used", event.kind)),
            )),
        }
    }
}
