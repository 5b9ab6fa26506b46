//! The e-invoice of a tax invoice (CGST Rule 48(4)): the JSON the Invoice Registration
//! Portal (IRP) takes, in GSTN's schema INV-01 version 1.1 ("e-invoice schema" notified
//! with Notif. 60/2020-CT; field names, nesting and limits as published on
//! einvoice1.gst.gov.in). The fields used here are transcribed from GSTN's field table,
//! with its lengths, patterns and enumerations, in
//! `data/reference/einvoice_inv01_v1.1.schema.json`, and the tests validate every
//! payload against that file.
//!
//! E-invoicing applies to a regular supplier whose aggregate turnover is above the
//! threshold (Rs 5 crore since 1 Aug 2023, Notif. 10/2023-CT), which is the
//! cooperative's `turnoverBand` `ABOVE_5_CRORE`, and to its supplies to registered
//! persons (`SupTyp` `B2B`): B2C invoices and bills of supply are not e-invoiced.
//!
//! Figures: prices include tax, so an item's `TotAmt` and `AssAmt` are the line's
//! taxable value, `UnitPrice` that value per unit (to the tenth of a paisa, the
//! schema's three decimals), and `TotItemVal` what the buyer pays for the line; the
//! shipping line is an item of its goods' HSN (a composite supply), as on the invoice.
//! `ValDtls.AssVal` + every tax = `TotInvVal`, to the paisa, as on the invoice.

use catalog::{GstRegime, TurnoverBand};
use serde::Serialize;
use uuid::Uuid;

use super::json::{Percent, Rupees};
use crate::{
    Address, DocumentKind, LineKind, OrderError, OrderService, Party, records::OrderLineView, store,
};

/// The schema version the payload follows.
pub const EINVOICE_SCHEMA_VERSION: &str = "1.1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TranDtls {
    pub tax_sch: &'static str,
    pub sup_typ: &'static str,
    pub reg_rev: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecm_gstin: Option<String>,
    pub igst_on_intra: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DocDtls {
    pub typ: &'static str,
    pub no: String,
    /// `dd/mm/yyyy`.
    pub dt: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SellerDtls {
    pub gstin: String,
    pub lgl_nm: String,
    pub addr1: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr2: Option<String>,
    pub loc: String,
    pub pin: u32,
    pub stcd: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BuyerDtls {
    pub gstin: String,
    pub lgl_nm: String,
    /// The place of supply's State code.
    pub pos: String,
    pub addr1: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr2: Option<String>,
    pub loc: String,
    pub pin: u32,
    pub stcd: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ValDtls {
    pub ass_val: Rupees,
    pub cgst_val: Rupees,
    /// SGST or UTGST.
    pub sgst_val: Rupees,
    pub igst_val: Rupees,
    pub tot_inv_val: Rupees,
}

/// A price to the tenth of a paisa (three decimals), from tenths of a paisa.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitPrice(pub i64);

impl Serialize for UnitPrice {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let sign = if self.0 < 0 { "-" } else { "" };
        let v = self.0.unsigned_abs();
        let text = format!("{sign}{}.{:03}", v / 1000, v % 1000);
        serde_json::value::RawValue::from_string(text)
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EInvoiceItem {
    pub sl_no: String,
    pub prd_desc: String,
    pub is_servc: &'static str,
    pub hsn_cd: String,
    pub qty: i64,
    pub unit: String,
    pub unit_price: UnitPrice,
    pub tot_amt: Rupees,
    pub ass_amt: Rupees,
    pub gst_rt: Percent,
    pub igst_amt: Rupees,
    pub cgst_amt: Rupees,
    /// SGST or UTGST.
    pub sgst_amt: Rupees,
    pub tot_item_val: Rupees,
}

/// The payload, in the schema's key order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EInvoice {
    pub version: &'static str,
    pub tran_dtls: TranDtls,
    pub doc_dtls: DocDtls,
    pub seller_dtls: SellerDtls,
    pub buyer_dtls: BuyerDtls,
    pub item_list: Vec<EInvoiceItem>,
    pub val_dtls: ValDtls,
}

/// The e-invoice as JSON text.
pub fn einvoice_json(einvoice: &EInvoice) -> Result<String, OrderError> {
    serde_json::to_string_pretty(einvoice).map_err(OrderError::corrupt)
}

fn pin(text: &str) -> Result<u32, OrderError> {
    text.trim()
        .parse()
        .map_err(|_| OrderError::corrupt(format!("PIN code {text} is not a number")))
}

/// The unit of a line: the shipping line counts in its goods' unit, as in the returns.
fn unit(line: &OrderLineView, lines: &[OrderLineView]) -> String {
    match line.kind {
        LineKind::Goods => line.uqc.code(),
        LineKind::Shipping => lines
            .iter()
            .find(|g| g.kind == LineKind::Goods && g.hsn == line.hsn)
            .map_or_else(|| line.uqc.code(), |g| g.uqc.code()),
    }
}

fn sum(mut values: impl Iterator<Item = i64>) -> Result<i64, OrderError> {
    values
        .try_fold(0_i64, i64::checked_add)
        .ok_or(OrderError::Tax(crate::tax::TaxError::Overflow))
}

impl OrderService {
    /// `einvoicePayload`: the INV-01 JSON of a shipped fulfilment's tax invoice, for the
    /// cooperative's staff and admins.
    pub async fn einvoice(
        &self,
        party: &Party,
        fulfilment_id: Uuid,
    ) -> Result<EInvoice, OrderError> {
        party.require_signed_in()?;
        let (fulfilment, order) = store::load_fulfilment(&self.db, fulfilment_id).await?;
        if !(party.is_admin() || party.staff_of() == Some(fulfilment.cooperative_id)) {
            // The supplier registers its invoice: the buyer sees the order but may not;
            // anyone else does not see the fulfilment at all.
            return Err(if party.user_id() == Some(order.buyer_user_id) {
                OrderError::Forbidden("the supplier registers the e-invoice".into())
            } else {
                OrderError::NotFound("fulfilment")
            });
        }
        let (Some(number), Some(date)) =
            (fulfilment.invoice_number.clone(), fulfilment.invoice_date)
        else {
            return Err(OrderError::Conflict(
                "the e-invoice follows the invoice, issued when the fulfilment ships".into(),
            ));
        };
        let cooperative = catalog::cooperatives_by_ids(&self.db, &[fulfilment.cooperative_id])
            .await?
            .remove(&fulfilment.cooperative_id)
            .ok_or_else(|| OrderError::corrupt("fulfilment without cooperative"))?;
        if cooperative.turnover_band != TurnoverBand::Above5Crore {
            return Err(OrderError::Conflict(format!(
                "{} is not above the e-invoicing threshold (aggregate turnover above Rs 5 crore, turnoverBand ABOVE_5_CRORE): its invoices are not e-invoiced",
                cooperative.name
            )));
        }
        let (GstRegime::Regular, Some(seller_gstin)) =
            (fulfilment.supplier_regime, cooperative.gstin.clone())
        else {
            return Err(OrderError::Conflict(
                "only a regular GSTIN holder's tax invoices are e-invoiced".into(),
            ));
        };
        if fulfilment.document_kind == DocumentKind::BillOfSupply {
            return Err(OrderError::Conflict(
                "a bill of supply is not e-invoiced".into(),
            ));
        }
        let buyer: Address =
            serde_json::from_value(order.shipping_address.clone()).map_err(OrderError::corrupt)?;
        let Some(buyer_gstin) = buyer.gstin.clone().filter(|g| !g.trim().is_empty()) else {
            return Err(OrderError::Conflict(
                "e-invoicing covers supplies to registered persons: this buyer has no GSTIN".into(),
            ));
        };
        let lines = store::lines_of_fulfilment(&self.db, fulfilment.id).await?;
        let place = lines.first().map_or_else(
            || order.place_of_supply.clone(),
            |l| l.place_of_supply.clone(),
        );
        let items = lines
            .iter()
            .zip(1..)
            .map(|(line, sl)| {
                let qty = match line.kind {
                    LineKind::Goods => i64::from(line.quantity).max(1),
                    LineKind::Shipping => 1,
                };
                let utgst_or_sgst = line
                    .sgst_paise
                    .checked_add(line.utgst_paise)
                    .ok_or(OrderError::Tax(crate::tax::TaxError::Overflow))?;
                // Tenths of a paisa, rounded half up.
                let unit_price = line
                    .taxable_paise
                    .checked_mul(20)
                    .and_then(|v| v.checked_add(qty))
                    .and_then(|v| v.checked_div(2 * qty))
                    .ok_or(OrderError::Tax(crate::tax::TaxError::Overflow))?;
                Ok(EInvoiceItem {
                    sl_no: sl.to_string(),
                    prd_desc: match line.kind {
                        LineKind::Goods if line.pieces_per_unit > 1 => format!(
                            "{} (pack of {} pieces)",
                            line.description, line.pieces_per_unit
                        ),
                        _ => line.description.clone(),
                    },
                    is_servc: "N",
                    hsn_cd: line.hsn.clone(),
                    qty,
                    unit: unit(line, &lines),
                    unit_price: UnitPrice(unit_price),
                    tot_amt: Rupees(line.taxable_paise),
                    ass_amt: Rupees(line.taxable_paise),
                    gst_rt: Percent(i64::from(line.rate_bp)),
                    igst_amt: Rupees(line.igst_paise),
                    cgst_amt: Rupees(line.cgst_paise),
                    sgst_amt: Rupees(utgst_or_sgst),
                    tot_item_val: Rupees(line.total_paise),
                })
            })
            .collect::<Result<Vec<_>, OrderError>>()?;
        let sgst = fulfilment
            .sgst_paise
            .checked_add(fulfilment.utgst_paise)
            .ok_or(OrderError::Tax(crate::tax::TaxError::Overflow))?;
        let ass_val = sum(lines.iter().map(|l| l.taxable_paise))?;
        Ok(EInvoice {
            version: EINVOICE_SCHEMA_VERSION,
            tran_dtls: TranDtls {
                tax_sch: "GST",
                sup_typ: "B2B",
                reg_rev: "N",
                ecm_gstin: self
                    .settings
                    .operator
                    .as_ref()
                    .filter(|_| order.source_channel.is_none())
                    .map(|o| o.gstin.clone()),
                igst_on_intra: "N",
            },
            doc_dtls: DocDtls {
                typ: "INV",
                no: number,
                dt: date.format("%d/%m/%Y").to_string(),
            },
            seller_dtls: SellerDtls {
                gstin: seller_gstin,
                lgl_nm: cooperative.name.clone(),
                addr1: cooperative.address_line.clone(),
                addr2: Some(cooperative.village.clone()).filter(|v| !v.trim().is_empty()),
                loc: cooperative.district.clone(),
                pin: pin(&cooperative.pin_code)?,
                stcd: cooperative.state_code.clone(),
            },
            buyer_dtls: BuyerDtls {
                gstin: buyer_gstin,
                lgl_nm: buyer.name.clone(),
                pos: place,
                addr1: buyer.line1.clone(),
                addr2: buyer.line2.clone().filter(|l| !l.trim().is_empty()),
                loc: buyer.city.clone(),
                pin: pin(&buyer.pin_code)?,
                stcd: buyer.state_code.clone(),
            },
            item_list: items,
            val_dtls: ValDtls {
                ass_val: Rupees(ass_val),
                cgst_val: Rupees(fulfilment.cgst_paise),
                sgst_val: Rupees(sgst),
                igst_val: Rupees(fulfilment.igst_paise),
                tot_inv_val: Rupees(fulfilment.total_paise),
            },
        })
    }
}

/// What an admin records from the IRP's answer to a registered e-invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EinvoiceRegistrationInput {
    pub fulfilment_id: Uuid,
    pub irn: String,
    pub ack_no: String,
    pub ack_date: chrono::DateTime<chrono::Utc>,
    pub signed_qr: String,
}

/// The IRN is the SHA-256 of the supplier's GSTIN, the year and the document, in 64
/// hexadecimal digits.
fn valid_irn(irn: &str) -> bool {
    irn.len() == 64 && irn.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The signed QR code is a JWT the IRP signs: three base64url parts joined by dots.
fn valid_signed_qr(qr: &str) -> bool {
    let parts: Vec<&str> = qr.split('.').collect();
    qr.len() <= 8_192
        && parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

impl OrderService {
    /// `einvoiceRecord`: stores the IRN, acknowledgement and signed QR code the IRP
    /// returned for a fulfilment's current invoice (admins), printed on the invoice
    /// from then on. Recording again replaces the record.
    pub async fn record_einvoice(
        &self,
        party: &Party,
        input: EinvoiceRegistrationInput,
    ) -> Result<crate::InvoiceRegistration, OrderError> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

        use crate::entity::einvoice_registration;

        party.require_signed_in()?;
        if !party.is_admin() {
            return Err(OrderError::Forbidden(
                "the IRP's answer is recorded by admins".into(),
            ));
        }
        let irn = input.irn.trim().to_ascii_lowercase();
        let ack_no = input.ack_no.trim().to_owned();
        let signed_qr = input.signed_qr.trim().to_owned();
        let mut problems = Vec::new();
        if !valid_irn(&irn) {
            problems.push(kernel::FieldError::new(
                "irn",
                kernel::FieldErrorCode::Invalid,
                "the IRN is the 64 hexadecimal digits the IRP returned",
            ));
        }
        if ack_no.is_empty() || ack_no.len() > 20 || !ack_no.bytes().all(|b| b.is_ascii_digit()) {
            problems.push(kernel::FieldError::new(
                "ackNo",
                kernel::FieldErrorCode::Invalid,
                "the acknowledgement number is the digits the IRP returned",
            ));
        }
        if input.ack_date > chrono::Utc::now() + chrono::Duration::minutes(5) {
            problems.push(kernel::FieldError::new(
                "ackDate",
                kernel::FieldErrorCode::OutOfRange,
                "the acknowledgement date cannot be in the future",
            ));
        }
        if !valid_signed_qr(&signed_qr) {
            problems.push(kernel::FieldError::new(
                "signedQrCode",
                kernel::FieldErrorCode::Invalid,
                "the signed QR code is the JWT the IRP returned (three base64url parts joined by dots)",
            ));
        }
        // The invoice must be one that is e-invoiced (and the reader may see it).
        let einvoice = self.einvoice(party, input.fulfilment_id).await?;
        let invoice_date = chrono::NaiveDate::parse_from_str(&einvoice.doc_dtls.dt, "%d/%m/%Y")
            .map_err(OrderError::corrupt)?;
        if problems.is_empty() && crate::time::india_date(input.ack_date) < invoice_date {
            problems.push(kernel::FieldError::new(
                "ackDate",
                kernel::FieldErrorCode::OutOfRange,
                "the acknowledgement cannot be older than the invoice",
            ));
        }
        if problems.is_empty()
            && einvoice_registration::Entity::find()
                .filter(einvoice_registration::Column::Irn.eq(irn.as_str()))
                .filter(einvoice_registration::Column::FulfilmentId.ne(input.fulfilment_id))
                .one(&self.db)
                .await?
                .is_some()
        {
            problems.push(kernel::FieldError::new(
                "irn",
                kernel::FieldErrorCode::Taken,
                "this IRN is recorded for another invoice",
            ));
        }
        if !problems.is_empty() {
            return Err(OrderError::Invalid(problems));
        }
        let model = einvoice_registration::Model {
            fulfilment_id: input.fulfilment_id,
            invoice_number: einvoice.doc_dtls.no.clone(),
            irn,
            ack_no,
            ack_date: input.ack_date,
            signed_qr,
            actor_user_id: party.user_id(),
            recorded_at: chrono::Utc::now(),
        };
        let txn = kernel::begin_write(&self.db).await?;
        einvoice_registration::Entity::delete_by_id(input.fulfilment_id)
            .exec(&txn)
            .await?;
        einvoice_registration::Entity::insert(einvoice_registration::ActiveModel::from(
            model.clone(),
        ))
        .exec_without_returning(&txn)
        .await?;
        txn.commit().await?;
        Ok(crate::InvoiceRegistration {
            irn: model.irn,
            ack_no: model.ack_no,
            ack_date: model.ack_date,
            signed_qr: model.signed_qr,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn irp_answers_are_checked() {
        assert!(valid_irn(&"a1".repeat(32)));
        assert!(!valid_irn("a1b2"));
        assert!(valid_signed_qr(
            "eyJhbGciOiJSUzI1NiJ9.eyJkYXRhIjoiMSJ9.c2ln-_x"
        ));
        assert!(!valid_signed_qr("not a jwt"));
        assert!(!valid_signed_qr("a..b"));
    }

    #[test]
    fn unit_prices_have_three_decimals() {
        assert_eq!(
            serde_json::to_string(&UnitPrice(657_140)).unwrap(),
            "657.140"
        );
        assert_eq!(serde_json::to_string(&UnitPrice(5)).unwrap(), "0.005");
    }
}
