//! Payout accounts: where a cooperative is paid a bank transfer or a UPI payment to
//! its account. Its manager (or an admin) sets it; a bank-transfer order from that
//! cooperative alone is paid into it, any other into the marketplace's account
//! (`MARKETPLACE_PAYEE_*`), which settles with the cooperatives.

use chrono::Utc;
use sea_orm::{ActiveValue::Set, EntityTrait, sea_query::OnConflict};
use uuid::Uuid;

use crate::{
    Collector, OrderError, OrderService, Party, PaymentInstructions, PayoutAccount,
    PayoutAccountInput, entity::payout_account, parse_payout_account,
};

fn of(model: payout_account::Model) -> PayoutAccount {
    PayoutAccount {
        account_name: model.account_name,
        account_number: model.account_number,
        ifsc: model.ifsc,
        upi_vpa: model.upi_vpa,
    }
}

impl OrderService {
    fn may_see_payout(party: &Party, cooperative_id: Uuid) -> Result<(), OrderError> {
        party.require_signed_in()?;
        if party.is_admin() || party.is_manager_of(cooperative_id) {
            Ok(())
        } else {
            Err(OrderError::Forbidden(
                "a cooperative's payout account is its managers' and admins' business".into(),
            ))
        }
    }

    /// `cooperativePayoutAccountSet`.
    pub async fn set_payout_account(
        &self,
        party: &Party,
        cooperative_id: Uuid,
        input: &PayoutAccountInput,
    ) -> Result<PayoutAccount, OrderError> {
        Self::may_see_payout(party, cooperative_id)?;
        let account = parse_payout_account(input).map_err(OrderError::Invalid)?;
        payout_account::Entity::insert(payout_account::ActiveModel {
            cooperative_id: Set(cooperative_id),
            account_name: Set(account.account_name.clone()),
            account_number: Set(account.account_number.clone()),
            ifsc: Set(account.ifsc.clone()),
            upi_vpa: Set(account.upi_vpa.clone()),
            updated_by: Set(party.user_id()),
            updated_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::column(payout_account::Column::CooperativeId)
                .update_columns([
                    payout_account::Column::AccountName,
                    payout_account::Column::AccountNumber,
                    payout_account::Column::Ifsc,
                    payout_account::Column::UpiVpa,
                    payout_account::Column::UpdatedBy,
                    payout_account::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        Ok(account)
    }

    /// `cooperativePayoutAccount`.
    pub async fn payout_account(
        &self,
        party: &Party,
        cooperative_id: Uuid,
    ) -> Result<Option<PayoutAccount>, OrderError> {
        Self::may_see_payout(party, cooperative_id)?;
        Ok(payout_account::Entity::find_by_id(cooperative_id)
            .one(&self.db)
            .await?
            .map(of))
    }

    /// The `upi://pay` link of a bank-transfer order's instructions
    /// ([`PaymentInstructions::upi_link`]), offered only while no payment gateway is
    /// configured: with one, a buyer who wants UPI pays through the gateway, which
    /// confirms the payment by itself; without, the link (and its QR code) spares the
    /// buyer typing the account, and staff confirm the payment as for any transfer.
    pub fn upi_link(&self, instructions: &PaymentInstructions) -> Option<String> {
        if self.gateways.is_empty() {
            instructions.upi_link()
        } else {
            None
        }
    }

    /// Who collects a bank transfer for an order from these cooperatives, and into
    /// which account; None when nobody has an account to give.
    pub(crate) async fn payee_for(
        &self,
        cooperatives: &[Uuid],
    ) -> Result<Option<(Collector, PayoutAccount)>, OrderError> {
        let mut distinct = cooperatives.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        if let [only] = distinct.as_slice()
            && let Some(account) = payout_account::Entity::find_by_id(*only)
                .one(&self.db)
                .await?
        {
            return Ok(Some((Collector::Cooperative, of(account))));
        }
        Ok(self
            .settings
            .marketplace_payout
            .clone()
            .map(|account| (Collector::Marketplace, account)))
    }
}
