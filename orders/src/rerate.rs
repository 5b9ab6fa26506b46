//! Rate at the time of supply: a fulfilment's GST is resolved again on the day its
//! document is issued, so an order placed before a rate change and shipped after it is
//! invoiced at the rate in force on the invoice date (CGST s.12–14: the time of supply of
//! goods is the invoice's date at the latest).
//!
//! Buyer price policy: prices include tax and the buyer pays what was agreed at
//! checkout. A rate change between order and invoice changes how that amount splits
//! into taxable value and tax, never the amount itself (the cooperative bears or keeps
//! the difference). Shipping follows the new rate of its parcel's largest goods line.

use chrono::NaiveDate;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use crate::{
    DocumentKind, LineKind, OrderError, OrderService,
    entity::{fulfilment, order, order_line},
    tax::{self, LineTax, RateSchedule, TaxError},
};

fn add(a: i64, b: i64) -> Result<i64, OrderError> {
    a.checked_add(b).ok_or(OrderError::Tax(TaxError::Overflow))
}

impl OrderService {
    /// Resolves the fulfilment's GST again at `date` (its invoice date) inside `db`'s
    /// transaction: changed lines are rewritten, and the fulfilment's new tax columns
    /// and document kind are returned for its row, with its new taxable value.
    pub(crate) async fn rerate_fulfilment(
        &self,
        db: &impl ConnectionTrait,
        fulfilment: &fulfilment::Model,
        date: NaiveDate,
    ) -> Result<(i64, Vec<(fulfilment::Column, sea_orm::Value)>), OrderError> {
        if !fulfilment.supplier_regime.collects_gst() {
            return Ok((fulfilment.taxable_paise, Vec::new()));
        }
        let cooperative = catalog::cooperatives_by_ids(db, &[fulfilment.cooperative_id])
            .await?
            .remove(&fulfilment.cooperative_id)
            .ok_or_else(|| OrderError::corrupt("fulfilment without cooperative"))?;
        let lines = order_line::Entity::find()
            .filter(order_line::Column::FulfilmentId.eq(fulfilment.id))
            .order_by_asc(order_line::Column::Position)
            .all(db)
            .await?;
        let rerated = rerated_lines(&lines, &self.rates, &cooperative.state_code, date)?;
        let mut totals = LineTax::default();
        let mut goods_rates = Vec::new();
        for (line, tax) in lines.into_iter().zip(rerated) {
            totals.taxable_paise = add(totals.taxable_paise, tax.taxable_paise)?;
            totals.cgst_paise = add(totals.cgst_paise, tax.cgst_paise)?;
            totals.sgst_paise = add(totals.sgst_paise, tax.sgst_paise)?;
            totals.utgst_paise = add(totals.utgst_paise, tax.utgst_paise)?;
            totals.igst_paise = add(totals.igst_paise, tax.igst_paise)?;
            if line.kind == LineKind::Goods {
                goods_rates.push(tax.rate_bp);
            }
            let rate_bp = i32::try_from(tax.rate_bp).map_err(OrderError::corrupt)?;
            let unchanged = line.rate_bp == rate_bp
                && line.taxable_paise == tax.taxable_paise
                && line.cgst_paise == tax.cgst_paise
                && line.sgst_paise == tax.sgst_paise
                && line.utgst_paise == tax.utgst_paise
                && line.igst_paise == tax.igst_paise;
            if unchanged {
                continue;
            }
            let mut row = line.into_active_model();
            row.rate_bp = Set(rate_bp);
            row.taxable_paise = Set(tax.taxable_paise);
            row.cgst_paise = Set(tax.cgst_paise);
            row.sgst_paise = Set(tax.sgst_paise);
            row.utgst_paise = Set(tax.utgst_paise);
            row.igst_paise = Set(tax.igst_paise);
            order_line::Entity::update(row).exec(db).await?;
        }
        let kind = DocumentKind::for_supply(fulfilment.supplier_regime, &goods_rates);
        Ok((
            totals.taxable_paise,
            vec![
                (
                    fulfilment::Column::TaxablePaise,
                    totals.taxable_paise.into(),
                ),
                (fulfilment::Column::CgstPaise, totals.cgst_paise.into()),
                (fulfilment::Column::SgstPaise, totals.sgst_paise.into()),
                (fulfilment::Column::UtgstPaise, totals.utgst_paise.into()),
                (fulfilment::Column::IgstPaise, totals.igst_paise.into()),
                (fulfilment::Column::DocumentKind, kind.into()),
            ],
        ))
    }
}

/// Sets an order's tax columns to the sums of its fulfilments' (after one was re-rated),
/// so that the order still equals the sum of its parts.
pub(crate) async fn refresh_order_taxes(
    db: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<(), OrderError> {
    let fulfilments = fulfilment::Entity::find()
        .filter(fulfilment::Column::OrderId.eq(order_id))
        .all(db)
        .await?;
    let mut sums = LineTax::default();
    for f in &fulfilments {
        sums.taxable_paise = add(sums.taxable_paise, f.taxable_paise)?;
        sums.cgst_paise = add(sums.cgst_paise, f.cgst_paise)?;
        sums.sgst_paise = add(sums.sgst_paise, f.sgst_paise)?;
        sums.utgst_paise = add(sums.utgst_paise, f.utgst_paise)?;
        sums.igst_paise = add(sums.igst_paise, f.igst_paise)?;
    }
    order::Entity::update_many()
        .col_expr(order::Column::TaxablePaise, sums.taxable_paise.into())
        .col_expr(order::Column::CgstPaise, sums.cgst_paise.into())
        .col_expr(order::Column::SgstPaise, sums.sgst_paise.into())
        .col_expr(order::Column::UtgstPaise, sums.utgst_paise.into())
        .col_expr(order::Column::IgstPaise, sums.igst_paise.into())
        .filter(order::Column::Id.eq(order_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The tax of each line of a fulfilment at `date`, in the lines' order. A goods line
/// whose HSN code the table lacks keeps the rate it was ordered at (the category's).
pub(crate) fn rerated_lines(
    lines: &[order_line::Model],
    rates: &RateSchedule,
    supplier_state: &str,
    date: NaiveDate,
) -> Result<Vec<LineTax>, OrderError> {
    let mut goods_rates: Vec<Option<i64>> = Vec::with_capacity(lines.len());
    for line in lines {
        goods_rates.push(match line.kind {
            LineKind::Goods => Some(
                match rates.rate_for(
                    &line.hsn,
                    date,
                    tax::price_per_piece(line.unit_price_paise, line.pieces_per_unit),
                ) {
                    Ok(rate) => rate,
                    Err(TaxError::NoRate { .. }) => i64::from(line.rate_bp),
                    Err(e) => return Err(e.into()),
                },
            ),
            LineKind::Shipping => None,
        });
    }
    // The principal supply of each parcel (consignee and place): its largest goods line.
    let principal_rate = |parcel: (Option<Uuid>, &str)| -> Option<i64> {
        lines
            .iter()
            .zip(&goods_rates)
            .filter(|(l, _)| (l.consignee_id, l.place_of_supply.as_str()) == parcel)
            .filter_map(|(l, rate)| rate.map(|r| (l.total_paise, r)))
            .max_by_key(|(total, _)| *total)
            .map(|(_, rate)| rate)
    };
    lines
        .iter()
        .zip(&goods_rates)
        .map(|(line, rate)| {
            let rate = rate
                .or_else(|| principal_rate((line.consignee_id, line.place_of_supply.as_str())))
                .unwrap_or(i64::from(line.rate_bp));
            let kind = tax::supply_kind(supplier_state, &line.place_of_supply)?;
            Ok(tax::line_tax(line.total_paise, rate, kind)?)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(kind: LineKind, hsn: &str, total: i64, rate_bp: i32) -> order_line::Model {
        order_line::Model {
            id: Uuid::now_v7(),
            order_id: Uuid::nil(),
            fulfilment_id: Uuid::nil(),
            consignee_id: None,
            position: 0,
            kind,
            variant_id: None,
            product_id: None,
            sku: "X".into(),
            description: "x".into(),
            hsn: hsn.into(),
            quantity: 1,
            uqc: catalog::Uqc::Nos,
            pieces_per_unit: 1,
            unit_price_paise: total,
            total_paise: total,
            rate_bp,
            taxable_paise: 0,
            cgst_paise: 0,
            sgst_paise: 0,
            utgst_paise: 0,
            igst_paise: 0,
            place_of_supply: "07".into(),
        }
    }

    #[test]
    fn an_order_straddling_a_rate_change_is_invoiced_at_the_new_rate()
    -> Result<(), Box<dyn std::error::Error>> {
        let rates = RateSchedule::built_in()?;
        // Dried apricots ordered at 12% on 21 Sep 2025, invoiced on 22 Sep at 5%.
        let lines = [
            line(LineKind::Goods, "08131000", 59_000, 1_200),
            line(LineKind::Shipping, "08131000", 8_000, 1_200),
        ];
        let day = NaiveDate::from_ymd_opt(2025, 9, 22).ok_or("date")?;
        let rerated = rerated_lines(&lines, &rates, "38", day)?;
        // By hand: 590 / 1.05 = 561.904…, Rs 561.90 taxable, Rs 28.10 IGST; shipping
        // 80 / 1.05 = 76.190…, Rs 76.19 and Rs 3.81.
        let figures: Vec<(i64, i64, i64)> = rerated
            .iter()
            .map(|t| (t.rate_bp, t.taxable_paise, t.igst_paise))
            .collect();
        assert_eq!(figures, [(500, 56_190, 2_810), (500, 7_619, 381)]);
        // The day before, the old rate stands.
        let before = rerated_lines(&lines, &rates, "38", day.pred_opt().ok_or("date")?)?;
        assert!(before.iter().all(|t| t.rate_bp == 1_200));
        Ok(())
    }
}
