//! E-way bill data (CGST Rule 138) for a shipped fulfilment: one bill per consignment
//! (per consignee of an institutional order, else the delivery address) whose value
//! is above the threshold, each the request the NIC e-way bill system's API takes to
//! generate it ("Generate E-way bill", action GENEWAYBILL, API version 1.03: the
//! decrypted `data` JSON). NIC publishes that request's JSON Schema with the API
//! documentation; `data/reference/ewaybill_generate_v1.03.schema.json` holds it (with
//! its source) and the tests validate every bill against it.
//!
//! Only Part A is filled: the supplier and recipient, the document, the goods and the
//! carrier's tracking number as the transport document. The vehicle (Part B) is the
//! transporter's to add; `transDistance` 0 lets the portal work the distance out from
//! the two PIN codes.

use std::collections::BTreeMap;

use serde::Serialize;
use uuid::Uuid;

use super::json::{Percent, Rupees};
use crate::{
    Address, OrderError, OrderService, Party,
    records::OrderLineView,
    store,
    tax::{SupplyKind, TaxError, supply_kind},
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EwayBillItem {
    pub product_name: String,
    pub product_desc: String,
    pub hsn_code: u64,
    pub quantity: i64,
    pub qty_unit: String,
    pub taxable_amount: Rupees,
    pub cgst_rate: Percent,
    pub sgst_rate: Percent,
    pub igst_rate: Percent,
    pub cess_rate: Percent,
    #[serde(rename = "cessNonadvol")]
    pub cess_nonadvol: Rupees,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EwayBill {
    /// `O`: outward.
    pub supply_type: &'static str,
    /// 1: supply.
    pub sub_supply_type: &'static str,
    pub sub_supply_desc: &'static str,
    pub doc_type: &'static str,
    pub doc_no: String,
    /// `dd/mm/yyyy`.
    pub doc_date: String,
    pub from_gstin: String,
    pub from_trd_name: String,
    pub from_addr1: String,
    pub from_addr2: String,
    pub from_place: String,
    pub from_pincode: u32,
    pub act_from_state_code: u8,
    pub from_state_code: u8,
    /// `URP` for an unregistered recipient.
    pub to_gstin: String,
    pub to_trd_name: String,
    pub to_addr1: String,
    pub to_addr2: String,
    pub to_place: String,
    pub to_pincode: u32,
    pub act_to_state_code: u8,
    /// The place of supply.
    pub to_state_code: u8,
    /// 1: regular (bill-to and ship-to are the recipient).
    pub transaction_type: u8,
    pub other_value: Rupees,
    /// Taxable value of the consignment.
    pub total_value: Rupees,
    pub cgst_value: Rupees,
    /// SGST or UTGST.
    pub sgst_value: Rupees,
    pub igst_value: Rupees,
    pub cess_value: Rupees,
    pub cess_non_advol_value: Rupees,
    pub tot_inv_value: Rupees,
    pub trans_mode: &'static str,
    pub trans_distance: &'static str,
    pub transporter_name: String,
    pub transporter_id: &'static str,
    pub trans_doc_no: String,
    pub trans_doc_date: String,
    pub vehicle_no: &'static str,
    pub vehicle_type: &'static str,
    pub item_list: Vec<EwayBillItem>,
}

/// The bills of one fulfilment, one generation request each (empty when no
/// consignment is above the threshold).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct EwayBillFile {
    pub bills: Vec<EwayBill>,
}

fn add(a: i64, b: i64) -> Result<i64, TaxError> {
    a.checked_add(b).ok_or(TaxError::Overflow)
}

fn number<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, OrderError> {
    text.trim()
        .parse()
        .map_err(|_| OrderError::corrupt(format!("{what} {text} is not a number")))
}

impl OrderService {
    /// The e-way bill data of a shipped fulfilment, for its cooperative's staff and
    /// admins: one bill per consignment above the threshold
    /// (`ewayBillThresholdPaise`); an empty list when none is.
    pub async fn eway_bill(
        &self,
        party: &Party,
        fulfilment_id: Uuid,
    ) -> Result<EwayBillFile, OrderError> {
        party.require_signed_in()?;
        let (fulfilment, order) = store::load_fulfilment(&self.db, fulfilment_id).await?;
        if !(party.is_admin() || party.staff_of() == Some(fulfilment.cooperative_id)) {
            // The supplier makes the e-way bill: the buyer sees the order but may not
            // make one; anyone else does not see the fulfilment at all.
            return Err(if party.user_id() == Some(order.buyer_user_id) {
                OrderError::Forbidden("the supplier generates the e-way bill".into())
            } else {
                OrderError::NotFound("fulfilment")
            });
        }
        let (Some(invoice_number), Some(date)) =
            (fulfilment.invoice_number.clone(), fulfilment.invoice_date)
        else {
            return Err(OrderError::Conflict(
                "the e-way bill follows the invoice, issued when the fulfilment ships".into(),
            ));
        };
        let cooperative = catalog::cooperatives_by_ids(&self.db, &[fulfilment.cooperative_id])
            .await?
            .remove(&fulfilment.cooperative_id)
            .ok_or_else(|| OrderError::corrupt("fulfilment without cooperative"))?;
        let Some(supplier_gstin) = cooperative.gstin.clone() else {
            return Err(OrderError::Conflict(format!(
                "{} has no GSTIN: an enrolled supplier generates e-way bills with its enrolment number on the portal",
                cooperative.name
            )));
        };
        let delivery: Address =
            serde_json::from_value(order.shipping_address.clone()).map_err(OrderError::corrupt)?;
        let lines = store::lines_of_fulfilment(&self.db, fulfilment.id).await?;
        let consignees = store::consignees_of(&self.db, order.id).await?;
        // One consignment per consignee (institutional orders), else the delivery.
        let mut consignments: BTreeMap<Option<Uuid>, Vec<&OrderLineView>> = BTreeMap::new();
        for line in &lines {
            consignments
                .entry(line.consignee_id)
                .or_default()
                .push(line);
        }
        let from_state: u8 = number(&cooperative.state_code, "state code")?;
        let mut bills = Vec::new();
        for (consignee_id, lines) in consignments {
            let (name, address) = match consignee_id {
                Some(id) => {
                    let consignee = consignees
                        .iter()
                        .find(|c| c.id == id)
                        .ok_or_else(|| OrderError::corrupt("line without its consignee"))?;
                    let address: Address = serde_json::from_value(consignee.address.clone())
                        .map_err(OrderError::corrupt)?;
                    (consignee.name.clone(), address)
                }
                None => (delivery.name.clone(), delivery.clone()),
            };
            let place = lines
                .first()
                .map_or(address.state_code.as_str(), |l| l.place_of_supply.as_str());
            let kind = supply_kind(&cooperative.state_code, place)?;
            // Rule 138(1): the consignment's value with tax, without exempt goods.
            let value = lines
                .iter()
                .filter(|l| l.rate_bp > 0)
                .try_fold(0, |sum, l| add(sum, l.total_paise))?;
            if value <= self.settings.return_policy.eway_bill_threshold_paise {
                continue;
            }
            let (mut taxable, mut cgst, mut sgst, mut igst, mut total) = (0, 0, 0, 0, 0);
            let mut items = Vec::new();
            for line in &lines {
                taxable = add(taxable, line.taxable_paise)?;
                cgst = add(cgst, line.cgst_paise)?;
                sgst = add(sgst, add(line.sgst_paise, line.utgst_paise)?)?;
                igst = add(igst, line.igst_paise)?;
                total = add(total, line.total_paise)?;
                let rate = i64::from(line.rate_bp);
                let (half, whole) = match kind {
                    SupplyKind::InterState => (Percent(0), Percent(rate)),
                    SupplyKind::IntraState | SupplyKind::IntraUnionTerritory => {
                        (Percent(rate / 2), Percent(0))
                    }
                };
                items.push(EwayBillItem {
                    product_name: line.sku.clone(),
                    product_desc: line.description.chars().take(100).collect(),
                    hsn_code: number(super::line_hsn(line), "HSN code")?,
                    quantity: i64::from(line.quantity),
                    qty_unit: super::line_uqc(line),
                    taxable_amount: Rupees(line.taxable_paise),
                    cgst_rate: half,
                    sgst_rate: half,
                    igst_rate: whole,
                    cess_rate: Percent(0),
                    cess_nonadvol: Rupees(0),
                });
            }
            let doc_date = date.format("%d/%m/%Y").to_string();
            bills.push(EwayBill {
                supply_type: "O",
                sub_supply_type: "1",
                sub_supply_desc: "",
                doc_type: "INV",
                doc_no: invoice_number.clone(),
                doc_date: doc_date.clone(),
                from_gstin: supplier_gstin.clone(),
                from_trd_name: cooperative.name.clone(),
                from_addr1: cooperative.address_line.clone(),
                from_addr2: cooperative.village.clone(),
                from_place: cooperative.district.clone(),
                from_pincode: number(&cooperative.pin_code, "PIN code")?,
                act_from_state_code: from_state,
                from_state_code: from_state,
                to_gstin: delivery.gstin.clone().unwrap_or_else(|| "URP".into()),
                to_trd_name: name,
                to_addr1: address.line1.clone(),
                to_addr2: address.line2.clone().unwrap_or_default(),
                to_place: address.city.clone(),
                to_pincode: number(&address.pin_code, "PIN code")?,
                act_to_state_code: number(&address.state_code, "state code")?,
                to_state_code: number(place, "state code")?,
                transaction_type: 1,
                other_value: Rupees(0),
                total_value: Rupees(taxable),
                cgst_value: Rupees(cgst),
                sgst_value: Rupees(sgst),
                igst_value: Rupees(igst),
                cess_value: Rupees(0),
                cess_non_advol_value: Rupees(0),
                tot_inv_value: Rupees(total),
                trans_mode: "1",
                trans_distance: "0",
                transporter_name: fulfilment.carrier.clone().unwrap_or_default(),
                transporter_id: "",
                trans_doc_no: fulfilment.tracking_number.clone().unwrap_or_default(),
                trans_doc_date: doc_date,
                vehicle_no: "",
                vehicle_type: "R",
                item_list: items,
            });
        }
        // No consignment above the threshold: an empty list, nothing to generate.
        Ok(EwayBillFile { bills })
    }
}

/// The e-way bill file as JSON text.
pub fn eway_bill_json(file: &EwayBillFile) -> Result<String, OrderError> {
    serde_json::to_string_pretty(file).map_err(OrderError::corrupt)
}
