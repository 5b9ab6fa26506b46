//! Reminding institutional buyers of payments past their due date: once per
//! fulfilment and due date. A sweep (a periodic task of the worker runtime) marks the
//! fulfilment with the due date it reminds of and records the message in one
//! transaction, with a compare-and-set on the mark, so replicas sweeping at once send
//! one reminder, and the mark keeps the sweep's query from finding it again.

use chrono::Utc;
use notifications::{Envelope, Message};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Query},
};

use crate::{
    FulfilmentStatus, OrderError, OrderKind, OrderService,
    entity::{fulfilment, order},
    store,
};

impl OrderService {
    /// One sweep over at most `limit` overdue fulfilments not yet reminded of their
    /// current due date; returns how many it marked (each with its reminder, unless
    /// the buyer switched reminders off or has no address here).
    pub async fn remind_overdue_payments(&self, limit: u64) -> Result<usize, OrderError> {
        let now = Utc::now();
        let unpaid_institutional = Query::select()
            .column(order::Column::Id)
            .from(order::Entity)
            .and_where(Expr::col(order::Column::Kind).eq(OrderKind::Institutional.as_str()))
            .and_where(
                Expr::col(order::Column::PaymentReceivedPaise)
                    .lt(Expr::col(order::Column::TotalPaise)),
            )
            .to_owned();
        let due = fulfilment::Entity::find()
            .filter(fulfilment::Column::PaymentDueAt.lte(now))
            .filter(
                fulfilment::Column::Status
                    .is_not_in([FulfilmentStatus::Cancelled, FulfilmentStatus::Returned]),
            )
            .filter(
                Condition::any()
                    .add(fulfilment::Column::OverdueRemindedFor.is_null())
                    .add(
                        Expr::col(fulfilment::Column::OverdueRemindedFor)
                            .ne(Expr::col(fulfilment::Column::PaymentDueAt)),
                    ),
            )
            .filter(fulfilment::Column::OrderId.in_subquery(unpaid_institutional))
            .order_by_asc(fulfilment::Column::PaymentDueAt)
            .limit(limit)
            .all(&self.db)
            .await?;
        let mut marked = 0;
        for f in due {
            let Some(due_at) = f.payment_due_at else {
                continue;
            };
            let txn = kernel::begin_write(&self.db).await?;
            let claimed = fulfilment::Entity::update_many()
                .col_expr(fulfilment::Column::OverdueRemindedFor, Expr::value(due_at))
                .filter(fulfilment::Column::Id.eq(f.id))
                .filter(fulfilment::Column::PaymentDueAt.eq(due_at))
                .filter(
                    Condition::any()
                        .add(fulfilment::Column::OverdueRemindedFor.is_null())
                        .add(fulfilment::Column::OverdueRemindedFor.ne(due_at)),
                )
                .exec(&txn)
                .await?;
            let (current, order) = store::load_fulfilment(&txn, f.id).await?;
            if claimed.rows_affected != 1 || !store::overdue(&order, &current) {
                txn.rollback().await?;
                continue;
            }
            if let Some(buyer) = self.buyer(&txn, &order).await? {
                let names = catalog::cooperatives_by_ids(&txn, &[f.cooperative_id]).await?;
                let message = Message::PaymentOverdue {
                    order_number: order.number.clone(),
                    cooperative: names
                        .get(&f.cooperative_id)
                        .map_or_else(|| "a cooperative".to_owned(), |c| c.name.clone()),
                    amount_paise: current.total_paise.saturating_sub(current.refunded_paise),
                    due_at,
                    purchase_order_number: order.purchase_order_number.clone(),
                };
                notifications::record(
                    &txn,
                    Envelope {
                        key: format!(
                            "payment-overdue:{}:{}:{}",
                            f.id,
                            due_at.timestamp_micros(),
                            buyer.email
                        ),
                        to: buyer.email.clone(),
                        user_id: buyer.user_id,
                        language: buyer.language,
                        message,
                        attachments: Vec::new(),
                    },
                )
                .await?;
            }
            txn.commit().await?;
            marked += 1;
        }
        Ok(marked)
    }
}
