//! Razorpay Route: each verified cooperative's linked account (`acc_…`) and the
//! marketplace's commission, and the transfer of each fulfilment's share of a captured
//! Razorpay payment to it, held until the parcel is delivered (an institutional
//! order's: accepted), then released; a refund reverses its part first. The calls to
//! Razorpay are made by durable jobs (`route_jobs`, run by
//! the Route worker, `payments/route_worker.rs`), enqueued here in the transaction of the change
//! that asks for them, so no transfer, release or reversal is lost or made twice.
//!
//! The share of a fulfilment: its total (lines, shipping and GST) less the commission
//! (basis points of its taxable value, lines and shipping before GST, rounded half
//! away from zero to the paisa: GST is the government's, not a base for the fee) less
//! the TCS the operator keeps where `crate::tcs` says it collects.

use chrono::{DateTime, Utc};
use kernel::{FieldError, FieldErrorCode};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::OnConflict,
};
use uuid::Uuid;

use crate::{
    OrderError, OrderService, Party, PaymentProvider, RouteJobKind, RouteTransferStatus,
    entity::{fulfilment, refund, route_account, route_job, route_reversal, route_transfer},
    store,
    tax::TaxError,
    tcs::{invoice_tcs, scaled},
};

/// The largest commission: all of the taxable value.
pub const MAX_COMMISSION_BPS: i32 = 10_000;

/// A cooperative's Route settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteAccount {
    pub cooperative_id: Uuid,
    /// Its Razorpay linked account; None: no transfers, the platform settles it.
    pub linked_account_id: Option<String>,
    /// Its own commission, overriding the marketplace's.
    pub commission_bps: Option<i32>,
    /// The commission its transfers are made with.
    pub effective_commission_bps: i32,
}

/// What an admin sets; None clears.
#[derive(Debug, Clone, Default)]
pub struct RouteAccountInput {
    pub linked_account_id: Option<String>,
    pub commission_bps: Option<i32>,
}

/// A Razorpay linked account id: `acc_` and 14 letters or digits.
pub fn is_linked_account_id(text: &str) -> bool {
    text.strip_prefix("acc_")
        .is_some_and(|rest| rest.len() == 14 && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// A fulfilment's split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    /// Transferred to the cooperative.
    pub amount_paise: i64,
    pub commission_paise: i64,
    pub tcs_paise: i64,
}

/// `total − round(taxable × bps / 10 000) − tcs`, in checked integer arithmetic.
pub fn share(
    total_paise: i64,
    taxable_paise: i64,
    commission_bps: i32,
    tcs_paise: i64,
) -> Result<Share, TaxError> {
    let commission = scaled(taxable_paise, i64::from(commission_bps), 10_000)?;
    let amount = total_paise
        .checked_sub(commission)
        .and_then(|a| a.checked_sub(tcs_paise))
        .ok_or(TaxError::Overflow)?;
    Ok(Share {
        amount_paise: amount,
        commission_paise: commission,
        tcs_paise,
    })
}

/// How much of a transfer a refund reverses: the refund's proportion of the
/// fulfilment's total, rounded half away from zero, capped at what is not yet
/// reversed (or claimed by an earlier refund); the refund that completes the
/// fulfilment's refunds reverses all that is left, so no rounding remainder stays with
/// the cooperative.
pub fn reversal_for(
    refund_paise: i64,
    fulfilment_total_paise: i64,
    refunded_after_paise: i64,
    transfer_paise: i64,
    already_claimed_paise: i64,
) -> Result<i64, TaxError> {
    let left = transfer_paise
        .checked_sub(already_claimed_paise)
        .ok_or(TaxError::Overflow)?
        .max(0);
    if refunded_after_paise >= fulfilment_total_paise {
        return Ok(left);
    }
    Ok(scaled(refund_paise, transfer_paise, fulfilment_total_paise)?.clamp(0, left))
}

fn account_of(
    cooperative_id: Uuid,
    model: Option<route_account::Model>,
    global_bps: i32,
) -> RouteAccount {
    let (linked_account_id, commission_bps) = model
        .map(|m| (m.linked_account_id, m.commission_bps))
        .unwrap_or_default();
    RouteAccount {
        cooperative_id,
        linked_account_id,
        commission_bps,
        effective_commission_bps: commission_bps.unwrap_or(global_bps),
    }
}

/// Queues a Route job in the caller's transaction.
pub(crate) async fn enqueue(
    db: &impl ConnectionTrait,
    route_transfer_id: Uuid,
    kind: RouteJobKind,
    refund_id: Option<Uuid>,
) -> Result<(), OrderError> {
    let now = Utc::now();
    route_job::Entity::insert(route_job::ActiveModel {
        route_transfer_id: Set(route_transfer_id),
        kind: Set(kind),
        refund_id: Set(refund_id),
        attempts: Set(0),
        available_at: Set(now),
        locked_by: Set(None),
        locked_until: Set(None),
        last_error: Set(None),
        dead_at: Set(None),
        enqueued_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

impl OrderService {
    /// `cooperativeRouteAccountSet`: admins set (or, with nulls, clear) a cooperative's
    /// linked account and its own commission. Only a verified cooperative gets a
    /// linked account: the money goes straight to it.
    pub async fn set_route_account(
        &self,
        party: &Party,
        cooperative_id: Uuid,
        input: &RouteAccountInput,
    ) -> Result<RouteAccount, OrderError> {
        party.require_signed_in()?;
        if !party.is_admin() {
            return Err(OrderError::Forbidden(
                "admins set a cooperative's Razorpay linked account and commission".into(),
            ));
        }
        let mut problems = Vec::new();
        let linked = input
            .linked_account_id
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty());
        if let Some(account) = linked
            && !is_linked_account_id(account)
        {
            problems.push(FieldError::new(
                "linkedAccountId",
                FieldErrorCode::Invalid,
                "a Razorpay linked account id is acc_ and 14 letters or digits",
            ));
        }
        if let Some(bps) = input.commission_bps
            && !(0..=MAX_COMMISSION_BPS).contains(&bps)
        {
            problems.push(FieldError::new(
                "commissionBps",
                FieldErrorCode::OutOfRange,
                "the commission is 0 to 10000 basis points (100%)",
            ));
        }
        if !problems.is_empty() {
            return Err(OrderError::Invalid(problems));
        }
        let cooperative = catalog::cooperatives_by_ids(&self.db, &[cooperative_id])
            .await?
            .remove(&cooperative_id)
            .ok_or(OrderError::NotFound("cooperative"))?;
        if linked.is_some()
            && cooperative.verification_status != catalog::VerificationStatus::Verified
        {
            return Err(OrderError::invalid(
                "linkedAccountId",
                FieldErrorCode::Invalid,
                "only a verified cooperative is paid through a linked account",
            ));
        }
        route_account::Entity::insert(route_account::ActiveModel {
            cooperative_id: Set(cooperative_id),
            linked_account_id: Set(linked.map(str::to_owned)),
            commission_bps: Set(input.commission_bps),
            updated_by: Set(party.user_id()),
            updated_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::column(route_account::Column::CooperativeId)
                .update_columns([
                    route_account::Column::LinkedAccountId,
                    route_account::Column::CommissionBps,
                    route_account::Column::UpdatedBy,
                    route_account::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        self.load_route_account(cooperative_id).await
    }

    /// `cooperativeRouteAccount`: its managers and admins.
    pub async fn route_account(
        &self,
        party: &Party,
        cooperative_id: Uuid,
    ) -> Result<RouteAccount, OrderError> {
        party.require_signed_in()?;
        if !(party.is_admin() || party.is_manager_of(cooperative_id)) {
            return Err(OrderError::Forbidden(
                "a cooperative's Route account is its managers' and admins' business".into(),
            ));
        }
        self.load_route_account(cooperative_id).await
    }

    async fn load_route_account(&self, cooperative_id: Uuid) -> Result<RouteAccount, OrderError> {
        let model = route_account::Entity::find_by_id(cooperative_id)
            .one(&self.db)
            .await?;
        Ok(account_of(
            cooperative_id,
            model,
            self.settings.commission_bps,
        ))
    }

    /// When a Razorpay payment is recorded (in its transaction): one transfer, on
    /// hold, per fulfilment whose cooperative has a linked account, and the job that
    /// makes it. A fulfilment already planned is left alone.
    pub(crate) async fn plan_transfers(
        &self,
        db: &impl ConnectionTrait,
        order_id: Uuid,
    ) -> Result<usize, OrderError> {
        let order = store::load_order(db, order_id).await?;
        if order.payment_provider != PaymentProvider::Razorpay {
            return Ok(0);
        }
        let fulfilments: Vec<fulfilment::Model> = store::fulfilments_of(db, order_id)
            .await?
            .into_iter()
            .filter(|f| !f.status.is_void())
            .collect();
        let accounts = route_account::Entity::find()
            .filter(
                route_account::Column::CooperativeId
                    .is_in(fulfilments.iter().map(|f| f.cooperative_id)),
            )
            .all(db)
            .await?;
        let now = Utc::now();
        let mut planned = 0;
        for f in &fulfilments {
            let Some(account) = accounts
                .iter()
                .find(|a| a.cooperative_id == f.cooperative_id)
            else {
                continue;
            };
            let Some(linked) = account.linked_account_id.clone() else {
                continue;
            };
            let bps = account
                .commission_bps
                .unwrap_or(self.settings.commission_bps);
            let tcs = invoice_tcs(db, f, &order, self.settings.tcs_rate_bp).await?;
            let split = share(f.total_paise, f.taxable_paise, bps, tcs)?;
            if split.amount_paise <= 0 {
                continue;
            }
            let id = Uuid::now_v7();
            let inserted = route_transfer::Entity::insert(route_transfer::ActiveModel {
                id: Set(id),
                fulfilment_id: Set(f.id),
                order_id: Set(order_id),
                cooperative_id: Set(f.cooperative_id),
                linked_account_id: Set(linked),
                amount_paise: Set(split.amount_paise),
                commission_paise: Set(split.commission_paise),
                tcs_paise: Set(split.tcs_paise),
                status: Set(RouteTransferStatus::Pending),
                transfer_reference: Set(None),
                on_hold: Set(true),
                released_at: Set(None),
                reversed_paise: Set(0),
                failure: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .on_conflict(
                OnConflict::column(route_transfer::Column::FulfilmentId)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
            if inserted == 1 {
                enqueue(db, id, RouteJobKind::Create, None).await?;
                planned += 1;
            }
        }
        Ok(planned)
    }
}

/// The transfer of a fulfilment, if it has one.
pub(crate) async fn transfer_of(
    db: &impl ConnectionTrait,
    fulfilment_id: Uuid,
) -> Result<Option<route_transfer::Model>, OrderError> {
    Ok(route_transfer::Entity::find()
        .filter(route_transfer::Column::FulfilmentId.eq(fulfilment_id))
        .one(db)
        .await?)
}

/// The parcel was delivered (an institutional order's: accepted): its transfer, if
/// any, is released by a job (in the caller's transaction).
pub(crate) async fn plan_release(
    db: &impl ConnectionTrait,
    fulfilment_id: Uuid,
) -> Result<(), OrderError> {
    if let Some(transfer) = transfer_of(db, fulfilment_id).await? {
        enqueue(db, transfer.id, RouteJobKind::Release, None).await?;
    }
    Ok(())
}

/// A refund of `fulfilment` was recorded (in the caller's transaction, `fulfilment`
/// as it was before it): the part of its transfer to reverse first, and the job that
/// reverses it and then sends the refund. True when the refund waits for it.
pub(crate) async fn plan_reversal(
    db: &impl ConnectionTrait,
    fulfilment: &fulfilment::Model,
    refund: &refund::Model,
) -> Result<bool, OrderError> {
    let Some(transfer) = transfer_of(db, fulfilment.id).await? else {
        return Ok(false);
    };
    let mut claimed = 0_i64;
    for r in route_reversal::Entity::find()
        .filter(route_reversal::Column::RouteTransferId.eq(transfer.id))
        .all(db)
        .await?
    {
        claimed = claimed
            .checked_add(r.amount_paise)
            .ok_or(TaxError::Overflow)?;
    }
    let refunded_after = fulfilment
        .refunded_paise
        .checked_add(refund.amount_paise)
        .ok_or(TaxError::Overflow)?;
    let amount = reversal_for(
        refund.amount_paise,
        fulfilment.total_paise,
        refunded_after,
        transfer.amount_paise,
        claimed,
    )?;
    if amount <= 0 {
        return Ok(false);
    }
    route_reversal::Entity::insert(route_reversal::ActiveModel {
        refund_id: Set(refund.id),
        route_transfer_id: Set(transfer.id),
        amount_paise: Set(amount),
        reversed_at: Set(None),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(db)
    .await?;
    enqueue(db, transfer.id, RouteJobKind::Reverse, Some(refund.id)).await?;
    Ok(true)
}

/// Whether a refund still waits for its reversal.
pub(crate) async fn reversal_pending(
    db: &impl ConnectionTrait,
    refund_id: Uuid,
) -> Result<bool, OrderError> {
    Ok(route_reversal::Entity::find_by_id(refund_id)
        .one(db)
        .await?
        .is_some_and(|r| r.reversed_at.is_none()))
}

/// Route's figures for a cooperative's statement over `[start, end)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RouteFigures {
    /// Transfers made (created at Razorpay, or waiting to be) in the period.
    pub transferred_paise: i64,
    /// Commission kept on them: each one's commission less the share of it its
    /// fulfilment's refunds give back (`commission × refunded / total`, rounded half
    /// away from zero), for no commission is kept on a sale refunded.
    pub commission_paise: i64,
    /// Of them, what is still on hold now (not released, less what was reversed).
    pub on_hold_paise: i64,
    /// Released in the period (less what had been reversed before the release).
    pub released_paise: i64,
    /// Reversed in the period.
    pub reversed_paise: i64,
}

pub(crate) async fn route_figures(
    db: &impl ConnectionTrait,
    cooperative_id: Uuid,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<RouteFigures, OrderError> {
    let add = |a: i64, b: i64| a.checked_add(b).ok_or(TaxError::Overflow);
    let mut figures = RouteFigures::default();
    let transfers = route_transfer::Entity::find()
        .filter(route_transfer::Column::CooperativeId.eq(cooperative_id))
        .filter(route_transfer::Column::Status.ne(RouteTransferStatus::Failed))
        .all(db)
        .await?;
    for t in &transfers {
        let left = t
            .amount_paise
            .checked_sub(t.reversed_paise)
            .ok_or(TaxError::Overflow)?;
        if t.created_at >= start && t.created_at < end {
            figures.transferred_paise = add(figures.transferred_paise, t.amount_paise)?;
            figures.commission_paise = add(figures.commission_paise, t.commission_paise)?;
            if t.released_at.is_none() {
                figures.on_hold_paise = add(figures.on_hold_paise, left)?;
            }
        }
        if t.released_at.is_some_and(|at| at >= start && at < end) {
            figures.released_paise = add(figures.released_paise, left)?;
        }
    }
    let parts = fulfilment::Entity::find()
        .filter(fulfilment::Column::Id.is_in(transfers.iter().map(|t| t.fulfilment_id)))
        .all(db)
        .await?;
    for t in transfers
        .iter()
        .filter(|t| t.created_at >= start && t.created_at < end)
    {
        let Some(f) = parts.iter().find(|f| f.id == t.fulfilment_id) else {
            continue;
        };
        let given_back = scaled(t.commission_paise, f.refunded_paise, f.total_paise)?;
        figures.commission_paise = figures
            .commission_paise
            .checked_sub(given_back)
            .ok_or(TaxError::Overflow)?;
    }
    let ids: Vec<Uuid> = transfers.iter().map(|t| t.id).collect();
    for r in route_reversal::Entity::find()
        .filter(route_reversal::Column::RouteTransferId.is_in(ids))
        .filter(route_reversal::Column::ReversedAt.gte(start))
        .filter(route_reversal::Column::ReversedAt.lt(end))
        .all(db)
        .await?
    {
        figures.reversed_paise = add(figures.reversed_paise, r.amount_paise)?;
    }
    Ok(figures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linked_account_ids_are_acc_and_fourteen_alphanumerics() {
        assert!(is_linked_account_id("acc_IROu8Nod6PXPtZ"));
        for bad in [
            "acc_IROu8Nod6PXPt",
            "acc_IROu8Nod6PXPtZZ",
            "acc-IROu8Nod6PXPtZ",
            "acc_IROu8Nod6PXP_Z",
            "",
        ] {
            assert!(!is_linked_account_id(bad), "{bad}");
        }
    }

    #[test]
    fn the_share_is_the_total_less_commission_on_taxable_value_and_tcs() {
        // Rs 1,050.00 total on Rs 1,000.00 taxable, 2.5%: Rs 25.00 commission; TCS
        // Rs 5.00: Rs 1,020.00 to the cooperative.
        assert_eq!(
            share(105_000, 100_000, 250, 500).unwrap(),
            Share {
                amount_paise: 102_000,
                commission_paise: 2_500,
                tcs_paise: 500
            }
        );
        // 0.05% of Rs 10.10 is 0.505 paise: rounded half away from zero to 1.
        assert_eq!(share(1_060, 1_010, 5, 0).unwrap().commission_paise, 1);
        // 0.5045 paise rounds up to 1, 0.4995 down to 0.
        assert_eq!(share(1_060, 1_009, 5, 0).unwrap().commission_paise, 1);
        assert_eq!(share(1_060, 999, 5, 0).unwrap().commission_paise, 0);
        assert!(share(i64::MIN, 0, 0, 1).is_err());
    }

    #[test]
    fn reversals_are_proportional_capped_and_the_last_takes_the_rest() {
        // Transfer 900 of a 1,000 total; a refund of 333 reverses 299.7 → 300.
        assert_eq!(reversal_for(333, 1_000, 333, 900, 0).unwrap(), 300);
        // The rest refunded: all that is left, 600.
        assert_eq!(reversal_for(667, 1_000, 1_000, 900, 300).unwrap(), 600);
        // Never more than is left.
        assert_eq!(reversal_for(500, 1_000, 500, 900, 800).unwrap(), 100);
        assert_eq!(reversal_for(500, 1_000, 1_000, 900, 900).unwrap(), 0);
    }
}
