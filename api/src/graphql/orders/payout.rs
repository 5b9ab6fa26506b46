//! Cooperatives' payout accounts, into which buyers pay bank transfers and UPI
//! payments to an account.

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
