//! Cooperatives' payout accounts, into which buyers pay bank transfers and UPI
//! payments to an account, and their Razorpay Route linked accounts and commission.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::{
    UserError, context::ContextExt, errors::respond, ids::parse_id, orders::PayoutAccount,
};

#[derive(InputObject)]
pub struct CooperativePayoutAccountSetInput {
    pub cooperative_id: ID,
    /// The name on the account.
    pub account_name: String,
    /// 9 to 18 digits.
    pub account_number: String,
    /// Four letters, a zero, six letters or digits (e.g. SBIN0001234).
    pub ifsc: String,
    /// The cooperative's UPI id (name@handle), if it takes UPI payments.
    pub upi_vpa: Option<String>,
}

#[derive(SimpleObject)]
pub struct PayoutAccountPayload {
    pub payout_account: Option<PayoutAccount>,
    pub errors: Vec<UserError>,
}

#[derive(Default)]
pub struct PayoutMutation;

#[Object]
impl PayoutMutation {
    /// Sets the account a cooperative is paid into (its managers and admins); bank
    /// transfers for orders from it alone are paid there from then on.
    async fn cooperative_payout_account_set(
        &self,
        ctx: &Context<'_>,
        input: CooperativePayoutAccountSetInput,
    ) -> Result<PayoutAccountPayload> {
        let cooperative_id = parse_id("cooperativeId", &input.cooperative_id)?;
        let result = ctx
            .orders()?
            .set_payout_account(
                &ctx.party()?,
                cooperative_id,
                &orders::PayoutAccountInput {
                    account_name: input.account_name,
                    account_number: input.account_number,
                    ifsc: input.ifsc,
                    upi_vpa: input.upi_vpa,
                },
            )
            .await;
        respond(result, |account, errors| PayoutAccountPayload {
            payout_account: account.map(PayoutAccount::from),
            errors,
        })
    }
}

/// A cooperative's Razorpay Route settings: where its share of a Razorpay payment is
/// transferred, and the commission kept.
#[derive(SimpleObject)]
pub struct RouteAccount {
    pub cooperative_id: ID,
    /// Its Razorpay linked account (`acc_…`); null: no transfers, the platform
    /// settles with it as for any other payment.
    pub linked_account_id: Option<String>,
    /// Its own commission in basis points, overriding the marketplace's; null: the
    /// marketplace's (`MARKETPLACE_COMMISSION_BPS`).
    pub commission_bps: Option<i32>,
    /// The commission its transfers are made with, in basis points of the taxable
    /// value.
    pub effective_commission_bps: i32,
}

impl From<orders::RouteAccount> for RouteAccount {
    fn from(a: orders::RouteAccount) -> Self {
        Self {
            cooperative_id: ID(a.cooperative_id.to_string()),
            linked_account_id: a.linked_account_id,
            commission_bps: a.commission_bps,
            effective_commission_bps: a.effective_commission_bps,
        }
    }
}

#[derive(InputObject)]
pub struct CooperativeRouteAccountSetInput {
    pub cooperative_id: ID,
    /// `acc_` and 14 letters or digits; null clears it.
    pub linked_account_id: Option<String>,
    /// 0 to 10000; null: the marketplace's commission.
    pub commission_bps: Option<i32>,
}

#[derive(SimpleObject)]
pub struct RouteAccountPayload {
    pub route_account: Option<RouteAccount>,
    pub errors: Vec<UserError>,
}

#[derive(Default)]
pub struct RouteAccountMutation;

#[Object]
impl RouteAccountMutation {
    /// Sets (or, with nulls, clears) a verified cooperative's Razorpay linked account
    /// and its own commission (admins).
    async fn cooperative_route_account_set(
        &self,
        ctx: &Context<'_>,
        input: CooperativeRouteAccountSetInput,
    ) -> Result<RouteAccountPayload> {
        let cooperative_id = parse_id("cooperativeId", &input.cooperative_id)?;
        let result = ctx
            .orders()?
            .set_route_account(
                &ctx.party()?,
                cooperative_id,
                &orders::RouteAccountInput {
                    linked_account_id: input.linked_account_id,
                    commission_bps: input.commission_bps,
                },
            )
            .await;
        respond(result, |account, errors| RouteAccountPayload {
            route_account: account.map(RouteAccount::from),
            errors,
        })
    }
}
