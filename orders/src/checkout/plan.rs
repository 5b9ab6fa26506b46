//! The checkout planner: a pure function from checked lines, their allocation to
//! consignees and destinations, the GST rate table and the shipping table to one
//! [`OrderDraft`]: goods lines with GST per line, one parcel (and shipping line) per
//! cooperative, consignee and destination, one fulfilment per cooperative, and the
//! totals. No database, no clock: persistence writes the draft as it is.

use std::collections::{BTreeMap, HashMap};

use catalog::{GstRegime, Uqc};
use chrono::NaiveDate;
use kernel::FieldError;
use uuid::Uuid;

use crate::{
    DocumentKind, LineKind, OrderError,
    address::state_name,
    checkout::issues::{LineIssue, LineIssueKind},
    shipping::ShippingRates,
    tax::{self, LineTax, RateSchedule, TaxError},
};

/// One variant being ordered, as sold today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlanItem {
    pub variant_id: Uuid,
    pub product_id: Uuid,
    pub cooperative_id: Uuid,
    pub supplier_name: String,
    /// The GST State code the cooperative supplies from: its registered State.
    pub supplier_state: String,
    pub supplier_regime: GstRegime,
    pub sku: String,
    pub description: String,
    pub hsn: String,
    /// The catalogue's rate, where the dated rate table has none for the HSN code.
    pub category_gst_rate_bp: i64,
    /// Today's unit price for the whole quantity ordered (tier prices applied), tax
    /// included.
    pub unit_price_paise: i64,
    pub unit_weight_grams: i64,
    /// Pieces in one unit (a pack's), for per-piece rate thresholds.
    pub pieces_per_unit: i32,
    /// What the unit is counted in on the document.
    pub uqc: Uqc,
}

/// Units of a variant going to one consignee (or the buyer) in one State.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Allocation {
    /// Index into the order's consignees; None for a retail order.
    pub consignee: Option<usize>,
    pub variant_id: Uuid,
    pub quantity: i32,
    /// GST State code of the place of supply.
    pub destination: String,
    /// The request field a problem with this allocation is reported on.
    pub field: String,
}

/// The tables and the day a plan is made with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlanContext<'a> {
    pub rates: &'a RateSchedule,
    pub shipping: &'a ShippingRates,
    /// The day in India, which picks the GST rates in force.
    pub today: NaiveDate,
}

/// One line of the order as it will be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DraftLine {
    /// Index into [`OrderDraft::fulfilments`].
    pub fulfilment: usize,
    pub consignee: Option<usize>,
    pub kind: LineKind,
    pub variant_id: Option<Uuid>,
    pub product_id: Option<Uuid>,
    pub sku: String,
    pub description: String,
    pub hsn: String,
    pub quantity: i32,
    pub uqc: Uqc,
    pub pieces_per_unit: i32,
    pub unit_price_paise: i64,
    pub tax: LineTax,
    /// GST State code of the place of supply.
    pub destination: String,
}

/// One cooperative's part of the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DraftFulfilment {
    pub cooperative_id: Uuid,
    pub supplier_regime: GstRegime,
    pub document_kind: DocumentKind,
    pub goods_paise: i64,
    pub shipping_paise: i64,
    pub totals: LineTax,
}

/// Stock to hold: all units of a variant together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DraftReservation {
    pub variant_id: Uuid,
    /// All units of the variant in the order, taken from stock in one statement.
    pub quantity: i32,
    /// The units each fulfilment (by index) holds, so that each can release its own.
    pub parts: BTreeMap<usize, i32>,
}

/// Everything an order is made of before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OrderDraft {
    /// In the order the cooperatives first appear in the lines.
    pub fulfilments: Vec<DraftFulfilment>,
    /// Goods lines in allocation order, then shipping lines; the index is the position.
    pub lines: Vec<DraftLine>,
    /// In variant id order, so concurrent orders reserve in the same order.
    pub reservations: Vec<DraftReservation>,
    pub goods_paise: i64,
    pub shipping_paise: i64,
    pub totals: LineTax,
}

fn add(a: i64, b: i64) -> Result<i64, OrderError> {
    a.checked_add(b).ok_or(OrderError::Tax(TaxError::Overflow))
}

/// Sums of lines, refusing to overflow.
fn checked_totals(lines: &[LineTax]) -> Result<LineTax, OrderError> {
    let mut sum = LineTax::default();
    for line in lines {
        sum.total_paise = add(sum.total_paise, line.total_paise)?;
        sum.taxable_paise = add(sum.taxable_paise, line.taxable_paise)?;
        sum.cgst_paise = add(sum.cgst_paise, line.cgst_paise)?;
        sum.sgst_paise = add(sum.sgst_paise, line.sgst_paise)?;
        sum.utgst_paise = add(sum.utgst_paise, line.utgst_paise)?;
        sum.igst_paise = add(sum.igst_paise, line.igst_paise)?;
    }
    Ok(sum)
}

fn regime_words(regime: GstRegime) -> &'static str {
    match regime {
        GstRegime::Regular => "registered for GST",
        GstRegime::Composition => "a composition taxpayer",
        GstRegime::Enrolled => "enrolled for GST without a GSTIN",
    }
}

/// Suppliers that may not supply outside their own State or UT (composition
/// taxpayers, CGST s.10(2)(c); enrolled suppliers, Notif. 34/2023-CT) refuse each line
/// going elsewhere, with a reason the buyer can act on.
fn supply_problems(
    by_variant: &HashMap<Uuid, &PlanItem>,
    allocations: &[Allocation],
) -> Vec<FieldError> {
    let mut problems = Vec::new();
    for allocation in allocations {
        let Some(item) = by_variant.get(&allocation.variant_id) else {
            continue;
        };
        if let Some(issue) = supply_issue(item, &allocation.destination) {
            problems.push(FieldError::new(
                &allocation.field,
                issue.kind.code(),
                issue.message,
            ));
        }
    }
    problems
}

/// Whether the item's supplier may deliver it to `destination` (a GST State code).
pub(crate) fn supply_issue(item: &PlanItem, destination: &str) -> Option<LineIssue> {
    if item.supplier_regime.may_supply_inter_state() || destination == item.supplier_state {
        return None;
    }
    let home = state_name(&item.supplier_state).unwrap_or("its own State");
    Some(LineIssue::new(
        LineIssueKind::NotDeliverable,
        format!(
            "{} is {} and may sell only within {home}: {} cannot be delivered to {}; remove it or deliver within {home}",
            item.supplier_name,
            regime_words(item.supplier_regime),
            item.sku,
            state_name(destination).unwrap_or("that State"),
        ),
    ))
}

/// Plans an order (see the module documentation).
pub(crate) fn plan(
    items: &[PlanItem],
    allocations: &[Allocation],
    ctx: PlanContext<'_>,
) -> Result<OrderDraft, OrderError> {
    let by_variant: HashMap<Uuid, &PlanItem> = items.iter().map(|i| (i.variant_id, i)).collect();
    let problems = supply_problems(&by_variant, allocations);
    if !problems.is_empty() {
        return Err(OrderError::Invalid(problems));
    }

    // Goods lines, with the item they came from.
    let mut goods: Vec<(&PlanItem, DraftLine, i64)> = Vec::new();
    for allocation in allocations {
        let item = by_variant
            .get(&allocation.variant_id)
            .ok_or_else(|| OrderError::corrupt("allocation outside the cart"))?;
        // Tier prices follow the whole quantity ordered, across consignees.
        let unit = item.unit_price_paise;
        let total = unit
            .checked_mul(i64::from(allocation.quantity))
            .ok_or(TaxError::Overflow)?;
        // A supplier outside the regular regime charges no GST at all: its price is
        // all value, on a bill of supply.
        let rate = tax::charged_rate(
            ctx.rates,
            item.supplier_regime,
            &item.hsn,
            ctx.today,
            unit,
            item.pieces_per_unit,
            item.category_gst_rate_bp,
        )?;
        let kind = tax::supply_kind(&item.supplier_state, &allocation.destination)?;
        let weight = item
            .unit_weight_grams
            .checked_mul(i64::from(allocation.quantity))
            .ok_or(TaxError::Overflow)?;
        goods.push((
            item,
            DraftLine {
                fulfilment: 0,
                consignee: allocation.consignee,
                kind: LineKind::Goods,
                variant_id: Some(item.variant_id),
                product_id: Some(item.product_id),
                sku: item.sku.clone(),
                description: item.description.clone(),
                hsn: item.hsn.clone(),
                quantity: allocation.quantity,
                uqc: item.uqc,
                pieces_per_unit: item.pieces_per_unit,
                unit_price_paise: unit,
                tax: tax::line_tax(total, rate, kind)?,
                destination: allocation.destination.clone(),
            },
            weight,
        ));
    }

    // One fulfilment per cooperative and place of supply, in the order they first
    // appear (their ids are generated in this order, and fulfilments are listed by id):
    // a tax invoice has one place of supply, so consignees in two States get two.
    let mut groups: Vec<(Uuid, String)> = Vec::new();
    let mut index_of: HashMap<(Uuid, String), usize> = HashMap::new();
    for (item, line, _) in &goods {
        index_of
            .entry((item.cooperative_id, line.destination.clone()))
            .or_insert_with(|| {
                groups.push((item.cooperative_id, line.destination.clone()));
                groups.len() - 1
            });
    }
    let fulfilment_of = |cooperative_id: &Uuid, destination: &str| {
        index_of
            .get(&(*cooperative_id, destination.to_owned()))
            .copied()
            .ok_or_else(|| OrderError::corrupt("line without its cooperative"))
    };

    // Parcels per cooperative, consignee and destination: their weight, and the
    // principal supply (largest value), which sets the shipping's tax.
    let mut parcels: BTreeMap<(Uuid, Option<usize>, String), (i64, usize)> = BTreeMap::new();
    for (index, (item, line, weight)) in goods.iter().enumerate() {
        let parcel = parcels
            .entry((
                item.cooperative_id,
                line.consignee,
                line.destination.clone(),
            ))
            .or_insert((0, index));
        parcel.0 = add(parcel.0, *weight)?;
        let principal_total = goods
            .get(parcel.1)
            .map_or(i64::MIN, |(_, principal, _)| principal.tax.total_paise);
        if line.tax.total_paise > principal_total {
            parcel.1 = index;
        }
    }

    let mut lines: Vec<DraftLine> = Vec::with_capacity(goods.len() + parcels.len());
    for (item, mut line, _) in goods.iter().cloned() {
        line.fulfilment = fulfilment_of(&item.cooperative_id, &line.destination)?;
        lines.push(line);
    }
    for ((cooperative_id, consignee, destination), (grams, principal)) in &parcels {
        let charge = ctx.shipping.charge_paise(destination, *grams);
        if charge == 0 {
            continue;
        }
        let (principal_item, principal_line, _) = goods
            .get(*principal)
            .ok_or_else(|| OrderError::corrupt("parcel without its principal line"))?;
        let tax = tax::line_tax(
            charge,
            principal_line.tax.rate_bp,
            tax::supply_kind(&principal_item.supplier_state, destination)?,
        )?;
        lines.push(DraftLine {
            fulfilment: fulfilment_of(cooperative_id, destination)?,
            consignee: *consignee,
            kind: LineKind::Shipping,
            variant_id: None,
            product_id: None,
            sku: "SHIPPING".into(),
            description: "Shipping and handling (part of the composite supply)".into(),
            hsn: principal_line.hsn.clone(),
            quantity: 1,
            // A service line: counted as one, as before UQCs were per variant.
            uqc: Uqc::Nos,
            pieces_per_unit: 1,
            unit_price_paise: charge,
            tax,
            destination: destination.clone(),
        });
    }

    let mut fulfilments = Vec::with_capacity(groups.len());
    for (index, (cooperative_id, _)) in groups.iter().enumerate() {
        let mine: Vec<&DraftLine> = lines.iter().filter(|l| l.fulfilment == index).collect();
        let mut goods_paise = 0_i64;
        let mut shipping_paise = 0_i64;
        for line in &mine {
            match line.kind {
                LineKind::Goods => goods_paise = add(goods_paise, line.tax.total_paise)?,
                LineKind::Shipping => shipping_paise = add(shipping_paise, line.tax.total_paise)?,
            }
        }
        let taxes: Vec<LineTax> = mine.iter().map(|l| l.tax).collect();
        let regime = goods
            .iter()
            .find(|(item, _, _)| item.cooperative_id == *cooperative_id)
            .map_or(GstRegime::Regular, |(item, _, _)| item.supplier_regime);
        let goods_rates: Vec<i64> = mine
            .iter()
            .filter(|l| l.kind == LineKind::Goods)
            .map(|l| l.tax.rate_bp)
            .collect();
        fulfilments.push(DraftFulfilment {
            cooperative_id: *cooperative_id,
            supplier_regime: regime,
            document_kind: DocumentKind::for_supply(regime, &goods_rates),
            goods_paise,
            shipping_paise,
            totals: checked_totals(&taxes)?,
        });
    }

    let mut per_variant: BTreeMap<Uuid, DraftReservation> = BTreeMap::new();
    for (item, line, _) in &goods {
        let fulfilment = fulfilment_of(&item.cooperative_id, &line.destination)?;
        let entry = per_variant
            .entry(item.variant_id)
            .or_insert(DraftReservation {
                variant_id: item.variant_id,
                quantity: 0,
                parts: BTreeMap::new(),
            });
        entry.quantity = entry
            .quantity
            .checked_add(line.quantity)
            .ok_or(TaxError::Overflow)?;
        let part = entry.parts.entry(fulfilment).or_insert(0);
        *part = part.checked_add(line.quantity).ok_or(TaxError::Overflow)?;
    }

    let all: Vec<LineTax> = lines.iter().map(|l| l.tax).collect();
    let mut goods_paise = 0_i64;
    let mut shipping_paise = 0_i64;
    for f in &fulfilments {
        goods_paise = add(goods_paise, f.goods_paise)?;
        shipping_paise = add(shipping_paise, f.shipping_paise)?;
    }
    Ok(OrderDraft {
        fulfilments,
        lines,
        reservations: per_variant.into_values().collect(),
        goods_paise,
        shipping_paise,
        totals: checked_totals(&all)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables() -> Result<(RateSchedule, ShippingRates), Box<dyn std::error::Error>> {
        Ok((RateSchedule::built_in()?, ShippingRates::built_in()?))
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 15).unwrap_or_default()
    }

    /// The built-in tables on the tests' fixed day.
    fn context<'a>(rates: &'a RateSchedule, shipping: &'a ShippingRates) -> PlanContext<'a> {
        PlanContext {
            rates,
            shipping,
            today: day(),
        }
    }

    fn item(cooperative_id: Uuid, hsn: &str, unit_price_paise: i64, grams: i64) -> PlanItem {
        PlanItem {
            variant_id: Uuid::now_v7(),
            product_id: Uuid::now_v7(),
            cooperative_id,
            supplier_name: "Test Cooperative".into(),
            supplier_state: "38".into(),
            supplier_regime: GstRegime::Regular,
            sku: format!("SKU-{hsn}"),
            description: "Test item (one size)".into(),
            hsn: hsn.into(),
            category_gst_rate_bp: 500,
            unit_price_paise,
            unit_weight_grams: grams,
            pieces_per_unit: 1,
            uqc: Uqc::Pcs,
        }
    }

    fn to(item: &PlanItem, quantity: i32, destination: &str) -> Allocation {
        Allocation {
            consignee: None,
            variant_id: item.variant_id,
            quantity,
            destination: destination.into(),
            field: "cartToken".into(),
        }
    }

    fn reconciles(draft: &OrderDraft) {
        for line in &draft.lines {
            assert_eq!(
                line.tax.taxable_paise + line.tax.tax_paise(),
                line.tax.total_paise
            );
        }
        let lines_total: i64 = draft.lines.iter().map(|l| l.tax.total_paise).sum();
        let fulfilments_total: i64 = draft.fulfilments.iter().map(|f| f.totals.total_paise).sum();
        assert_eq!(draft.totals.total_paise, lines_total);
        assert_eq!(draft.totals.total_paise, fulfilments_total);
        assert_eq!(
            draft.goods_paise + draft.shipping_paise,
            draft.totals.total_paise
        );
        assert_eq!(
            draft.totals.taxable_paise + draft.totals.tax_paise(),
            draft.totals.total_paise
        );
        for f in &draft.fulfilments {
            assert_eq!(f.goods_paise + f.shipping_paise, f.totals.total_paise);
        }
    }

    #[test]
    fn a_ladakh_order_pays_cgst_and_utgst() -> Result<(), Box<dyn std::error::Error>> {
        let (rates, shipping) = tables()?;
        let cooperative = Uuid::now_v7();
        // Apricot jam (HSN 2007), Rs 250 each.
        let jam = item(cooperative, "2007", 25_000, 400);
        let draft = plan(
            std::slice::from_ref(&jam),
            &[to(&jam, 2, "38")],
            context(&rates, &shipping),
        )?;
        reconciles(&draft);
        assert_eq!(draft.fulfilments.len(), 1);
        assert_eq!(draft.totals.igst_paise, 0);
        assert_eq!(draft.totals.sgst_paise, 0);
        assert!(draft.totals.cgst_paise > 0);
        assert!(draft.totals.utgst_paise > 0);
        assert_eq!(draft.totals.cgst_paise, draft.totals.utgst_paise);
        for line in &draft.lines {
            assert_eq!(line.tax.cgst_paise, line.tax.utgst_paise, "equal halves");
        }
        Ok(())
    }

    #[test]
    fn an_inter_state_order_pays_igst() -> Result<(), Box<dyn std::error::Error>> {
        let (rates, shipping) = tables()?;
        let jam = item(Uuid::now_v7(), "2007", 25_000, 400);
        let draft = plan(
            std::slice::from_ref(&jam),
            &[to(&jam, 1, "07")],
            context(&rates, &shipping),
        )?;
        reconciles(&draft);
        assert!(draft.totals.igst_paise > 0);
        assert_eq!(
            draft.totals.cgst_paise + draft.totals.sgst_paise + draft.totals.utgst_paise,
            0
        );
        for line in &draft.lines {
            assert_eq!(line.destination, "07");
            assert_eq!(line.tax.igst_paise, line.tax.tax_paise());
        }
        Ok(())
    }

    #[test]
    fn a_shawl_above_the_per_piece_threshold_pays_the_higher_rate()
    -> Result<(), Box<dyn std::error::Error>> {
        let (rates, shipping) = tables()?;
        let cooperative = Uuid::now_v7();
        let cheap = item(cooperative, "621420", 262_500, 300);
        let dear = item(cooperative, "621420", 262_502, 300);
        let draft = plan(
            &[cheap.clone(), dear.clone()],
            &[to(&cheap, 1, "38"), to(&dear, 1, "38")],
            context(&rates, &shipping),
        )?;
        reconciles(&draft);
        let rate_of = |variant: Uuid| {
            draft
                .lines
                .iter()
                .find(|l| l.variant_id == Some(variant))
                .map(|l| l.tax.rate_bp)
        };
        assert_eq!(rate_of(cheap.variant_id), Some(500));
        assert_eq!(rate_of(dear.variant_id), Some(1_800));
        // The parcel's shipping follows its principal (dearest) supply.
        let shipping_line = draft
            .lines
            .iter()
            .find(|l| l.kind == LineKind::Shipping)
            .map(|l| l.tax.rate_bp);
        assert_eq!(shipping_line, Some(1_800));
        Ok(())
    }

    #[test]
    fn shipping_is_charged_per_parcel() -> Result<(), Box<dyn std::error::Error>> {
        let (rates, shipping) = tables()?;
        let first = Uuid::now_v7();
        let second = Uuid::now_v7();
        let jam = item(first, "2007", 25_000, 400);
        let tea = item(first, "0902", 30_000, 300);
        let shawl = item(second, "621420", 500_000, 300);
        let draft = plan(
            &[jam.clone(), tea.clone(), shawl.clone()],
            &[to(&jam, 1, "38"), to(&tea, 1, "38"), to(&shawl, 1, "38")],
            context(&rates, &shipping),
        )?;
        reconciles(&draft);
        // Two cooperatives: two fulfilments, two parcels.
        assert_eq!(draft.fulfilments.len(), 2);
        let shipping_lines: Vec<&DraftLine> = draft
            .lines
            .iter()
            .filter(|l| l.kind == LineKind::Shipping)
            .collect();
        assert_eq!(shipping_lines.len(), 2);
        // 700 g to Ladakh: the first 500 g slab and one started 500 g slab.
        let joint = shipping_lines
            .iter()
            .find(|l| {
                draft
                    .fulfilments
                    .get(l.fulfilment)
                    .map(|f| f.cooperative_id)
                    == Some(first)
            })
            .map(|l| l.unit_price_paise);
        assert_eq!(joint, Some(4_000 + 2_000));
        let single = shipping_lines
            .iter()
            .find(|l| {
                draft
                    .fulfilments
                    .get(l.fulfilment)
                    .map(|f| f.cooperative_id)
                    == Some(second)
            })
            .map(|l| l.unit_price_paise);
        assert_eq!(single, Some(4_000));
        assert_eq!(draft.shipping_paise, 10_000);
        // Goods first, then shipping; one reservation per variant.
        assert_eq!(
            draft.lines.iter().map(|l| l.kind).collect::<Vec<_>>(),
            [
                LineKind::Goods,
                LineKind::Goods,
                LineKind::Goods,
                LineKind::Shipping,
                LineKind::Shipping
            ]
        );
        assert_eq!(draft.reservations.len(), 3);
        Ok(())
    }

    #[test]
    fn consignees_in_two_states_get_their_own_parcels_and_tax()
    -> Result<(), Box<dyn std::error::Error>> {
        let (rates, shipping) = tables()?;
        let jam = item(Uuid::now_v7(), "2007", 25_000, 400);
        let draft = plan(
            std::slice::from_ref(&jam),
            &[
                Allocation {
                    consignee: Some(0),
                    ..to(&jam, 3, "38")
                },
                Allocation {
                    consignee: Some(1),
                    ..to(&jam, 2, "07")
                },
            ],
            context(&rates, &shipping),
        )?;
        reconciles(&draft);
        // One document per place of supply: Leh's lines and Delhi's apart.
        assert_eq!(draft.fulfilments.len(), 2);
        for (index, place) in [(0, "38"), (1, "07")] {
            let lines: Vec<&DraftLine> = draft
                .lines
                .iter()
                .filter(|l| l.fulfilment == index)
                .collect();
            assert_eq!(lines.len(), 2, "goods and shipping");
            assert!(lines.iter().all(|l| l.destination == place));
        }
        assert_eq!(
            draft
                .lines
                .iter()
                .filter(|l| l.kind == LineKind::Shipping)
                .count(),
            2
        );
        assert_eq!(draft.reservations.len(), 1);
        let reservation = draft
            .reservations
            .first()
            .cloned()
            .unwrap_or_else(|| DraftReservation {
                variant_id: jam.variant_id,
                quantity: 0,
                parts: BTreeMap::new(),
            });
        assert_eq!(reservation.quantity, 5);
        assert_eq!(reservation.parts, BTreeMap::from([(0, 3), (1, 2)]));
        Ok(())
    }

    #[test]
    fn an_allocation_outside_the_items_is_refused() -> Result<(), Box<dyn std::error::Error>> {
        let (rates, shipping) = tables()?;
        let jam = item(Uuid::now_v7(), "2007", 25_000, 400);
        let other = item(Uuid::now_v7(), "2007", 25_000, 400);
        let planned = plan(
            std::slice::from_ref(&jam),
            &[to(&other, 1, "38")],
            context(&rates, &shipping),
        );
        assert!(matches!(planned, Err(OrderError::Corrupt(_))));
        Ok(())
    }

    #[test]
    fn overflowing_amounts_are_refused() -> Result<(), Box<dyn std::error::Error>> {
        let (rates, shipping) = tables()?;
        let dear = item(Uuid::now_v7(), "2007", i64::MAX / 2, 400);
        let planned = plan(
            std::slice::from_ref(&dear),
            &[to(&dear, 3, "38")],
            context(&rates, &shipping),
        );
        assert!(planned.is_err());
        Ok(())
    }
}
