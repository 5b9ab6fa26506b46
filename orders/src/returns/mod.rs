//! GST return data from the documents the marketplace issued: GSTR-1 (a supplier's
//! outward supplies, per cooperative GSTIN and month) and GSTR-8 (the platform's TCS
//! as e-commerce operator, CGST s.52), as JSON in the layout the GST portal's offline
//! tool imports.
//!
//! Also the e-way bill data of a consignment (`ewaybill`, CGST Rule 138).
//!
//! Layout: `period` and `policy` (vocabulary), `model` (the typed return built from
//! the stored documents, one loader), `gstr1` (one function per section over the
//! model, then the JSON), `gstr8`, `ewaybill`, and `json` (amounts written from
//! paise).
//!
//! Sources for the JSON layout (keys and nesting): the GSTN offline tool's import
//! format and the GSTR-1/GSTR-8 "save" API payloads as published on the GST developer
//! portal (developer.gst.gov.in, "GSTR1 API" and "GSTR8 API"), cross-checked against
//! public converters that produce files the portal accepts (e.g. GitHub
//! iam-arunfiddler/gstr1-converter, schema "GST3.1.6"; the GSTR-1 model types of
//! flutions-khizer/excel-to-gstr1). Where a layout detail could not be confirmed it is
//! said in docs/ORDERS.md ("GST return exports").

mod einvoice;
mod ewaybill;
mod gstr1;
mod gstr8;
mod json;
mod model;
mod period;
mod policy;

pub use einvoice::{
    EINVOICE_SCHEMA_VERSION, EInvoice, EInvoiceItem, EinvoiceRegistrationInput, einvoice_json,
};
pub use ewaybill::{EwayBill, EwayBillFile, EwayBillItem, eway_bill_json};
pub use gstr1::{
    B2bInvoice, B2bRecipient, B2clInvoice, B2clPlace, B2csRow, CdnrNote, CdnrRecipient, CdnurNote,
    DocIssue, Gstr1File, HsnRow, HsnSection, ItemDetail, NilRow, NilSection, Supeco, SupecoRow,
    b2b, b2cl, b2cs, cdnr, cdnur, doc_issue, gstr1_file, gstr1_json, hsn, nil, supeco,
};
pub use gstr8::{Gstr8Return, Gstr8Supplier, gstr8_json};
pub(crate) use model::recipient_gstin;
pub use model::{Gstr1Return, ReturnDocument, ReturnLine, ReturnNote, line_hsn, line_uqc};
pub use period::ReturnPeriod;
pub use policy::ReturnPolicy;

use uuid::Uuid;

use crate::{OrderError, OrderService, Party};

impl OrderService {
    /// A cooperative's GSTR-1 data for a month, for its managers and admins.
    pub async fn gstr1(
        &self,
        party: &Party,
        cooperative_id: Uuid,
        period: ReturnPeriod,
    ) -> Result<Gstr1Return, OrderError> {
        party.require_signed_in()?;
        if !(party.is_admin() || party.is_manager_of(cooperative_id)) {
            return Err(OrderError::Forbidden(
                "only the cooperative's managers and admins export its GSTR-1".into(),
            ));
        }
        model::load_gstr1(
            &self.db,
            &self.settings.return_policy,
            self.settings.operator.as_ref(),
            cooperative_id,
            period,
        )
        .await
    }

    /// The platform's GSTR-8 data for a month (admins only).
    pub async fn gstr8(
        &self,
        party: &Party,
        period: ReturnPeriod,
    ) -> Result<Gstr8Return, OrderError> {
        party.require_signed_in()?;
        if !party.is_admin() {
            return Err(OrderError::Forbidden(
                "only admins export the platform's GSTR-8".into(),
            ));
        }
        gstr8::load_gstr8(
            &self.db,
            self.settings.operator.as_ref(),
            self.settings.tcs_rate_bp,
            period,
        )
        .await
    }
}

/// The same exports without a signed-in party, for the operator's command line.
pub async fn gstr1_for_operator(
    db: &sea_orm::DatabaseConnection,
    policy: &ReturnPolicy,
    operator: Option<&crate::EcommerceOperator>,
    cooperative_id: Uuid,
    period: ReturnPeriod,
) -> Result<Gstr1Return, OrderError> {
    model::load_gstr1(db, policy, operator, cooperative_id, period).await
}

/// GSTR-8 for the operator's command line.
pub async fn gstr8_for_operator(
    db: &sea_orm::DatabaseConnection,
    operator: Option<&crate::EcommerceOperator>,
    tcs_rate_bp: i64,
    period: ReturnPeriod,
) -> Result<Gstr8Return, OrderError> {
    gstr8::load_gstr8(db, operator, tcs_rate_bp, period).await
}
