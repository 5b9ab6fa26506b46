//! The cooperative type, with its GI authorisations loaded in batches.

use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::graphql::{context::ContextExt, loaders::loader_error, provenance::AuthorisedUser};

use super::*;

/// A cooperative society selling on the marketplace.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Cooperative {
    pub id: ID,
    pub slug: String,
    pub name: String,
    pub registration_number: String,
    /// The registering authority, e.g. the Assistant Registrar Cooperative Societies, Leh.
    pub registrar: String,
    pub district: String,
    pub village: String,
    pub address_line: String,
    pub pin_code: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub gstin: Option<String>,
    pub gst_regime: GstRegimeValue,
    /// The GST code of the State or UT the cooperative is registered in and supplies
    /// from.
    pub state_code: String,
    pub fssai_licence: Option<String>,
    /// Sets the HSN digits its invoices carry.
    pub turnover_band: TurnoverBandValue,
    pub verification_status: VerificationStatusValue,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub uuid: Uuid,
    #[graphql(skip)]
    pub pending: Option<catalog::PendingRegistration>,
}

/// A registration change (GSTIN, regime, State, FSSAI licence) of a verified
/// cooperative, not in effect until an admin verifies it again.
#[derive(SimpleObject, Clone, Debug)]
pub struct PendingRegistration {
    pub gstin: Option<String>,
    pub gst_regime: GstRegimeValue,
    pub state_code: String,
    pub fssai_licence: Option<String>,
}

/// One verification decision: who checked what, and why.
#[derive(SimpleObject, Clone, Debug)]
pub struct CooperativeVerification {
    pub id: ID,
    pub from_status: VerificationStatusValue,
    pub to_status: VerificationStatusValue,
    /// The GSTIN in force after the decision (none for an enrolment).
    pub gstin: Option<String>,
    pub gst_regime: GstRegimeValue,
    pub state_code: String,
    pub fssai_licence: Option<String>,
    /// Whether the decision put a pending registration change into effect.
    pub applied_change: bool,
    pub reason: String,
    pub actor_user_id: Option<ID>,
    pub created_at: DateTime<Utc>,
}

impl From<catalog::VerificationRecord> for CooperativeVerification {
    fn from(r: catalog::VerificationRecord) -> Self {
        Self {
            id: ID(r.id.to_string()),
            from_status: r.from_status.into(),
            to_status: r.to_status.into(),
            gstin: r.gstin,
            gst_regime: r.gst_regime.into(),
            state_code: r.state_code,
            fssai_licence: r.fssai_licence,
            applied_change: r.applied_change,
            reason: r.reason,
            actor_user_id: r.actor_user_id.map(|id| ID(id.to_string())),
            created_at: r.created_at,
        }
    }
}

#[ComplexObject]
impl Cooperative {
    /// The cooperative's registrations as an authorised user of GIs (Part B of the
    /// GI register).
    async fn gi_authorisations(&self, ctx: &Context<'_>) -> Result<Vec<AuthorisedUser>> {
        Ok(ctx
            .loaders()?
            .authorised_users
            .load_one(self.uuid)
            .await
            .map_err(loader_error)?
            .unwrap_or_default()
            .into_iter()
            .map(AuthorisedUser)
            .collect())
    }

    /// A registration change waiting for an admin's verification; for the
    /// cooperative's managers and admins (null for anyone else).
    async fn pending_registration(&self, ctx: &Context<'_>) -> Result<Option<PendingRegistration>> {
        let actor = ctx.actor()?;
        if actor.require_manager(self.uuid).is_err() {
            return Ok(None);
        }
        Ok(self.pending.clone().map(|p| PendingRegistration {
            gstin: p.gstin,
            gst_regime: p.gst_regime.into(),
            state_code: p.state_code,
            fssai_licence: p.fssai_licence,
        }))
    }
}

impl From<catalog::Cooperative> for Cooperative {
    fn from(coop: catalog::Cooperative) -> Self {
        Self {
            id: ID(coop.id.to_string()),
            uuid: coop.id,
            pending: coop.pending_registration,
            slug: coop.slug,
            name: coop.name,
            registration_number: coop.registration_number,
            registrar: coop.registrar,
            district: coop.district,
            village: coop.village,
            address_line: coop.address_line,
            pin_code: coop.pin_code,
            contact_email: coop.contact_email,
            contact_phone: coop.contact_phone,
            gstin: coop.gstin,
            gst_regime: coop.gst_regime.into(),
            state_code: coop.state_code,
            fssai_licence: coop.fssai_licence,
            turnover_band: coop.turnover_band.into(),
            verification_status: coop.verification_status.into(),
            created_at: coop.created_at,
            updated_at: coop.updated_at,
        }
    }
}
