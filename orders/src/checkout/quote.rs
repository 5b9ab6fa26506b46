//! `checkoutQuote`: what placing the order would charge, for the storefront to show
//! before the buyer commits. It runs the checkout's own checks and planner over the
//! cart (the same [`OrderService::plan_order`] `placeOrder` calls), so a quote without
//! problems totals exactly what the order will; it reads only, reserving nothing and
//! acknowledging no price.

use uuid::Uuid;

use crate::{
    Address, DocumentKind, LineKind, OrderError, OrderService, Party, PaymentMethod,
    cart::{self, CartLine},
    checkout::{
        PlaceOrder,
        input::{line_issues, plan_items},
        issues::LineIssue,
        plan::supply_issue,
    },
    tax::LineTax,
};

/// One cart line as it would be ordered.
#[derive(Debug, Clone)]
pub struct QuoteLine {
    /// Today's price for the line's quantity, and its availability.
    pub line: CartLine,
    /// Its GST; None when the line cannot be planned (not for sale, or not
    /// deliverable to the address).
    pub tax: Option<LineTax>,
    /// Everything that would stop `placeOrder`, each with what to do about it.
    pub issues: Vec<LineIssue>,
}

/// One cooperative's parcel: its goods, its shipping charge and its GST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteParcel {
    pub cooperative_id: Uuid,
    pub document_kind: DocumentKind,
    pub goods_paise: i64,
    pub shipping_paise: i64,
    /// Goods and shipping, with the GST split by head.
    pub totals: LineTax,
}

/// What `placeOrder` would charge for the cart to the address.
#[derive(Debug, Clone)]
pub struct CheckoutQuote {
    pub lines: Vec<QuoteLine>,
    pub parcels: Vec<QuoteParcel>,
    /// GST State code of the place of supply.
    pub place_of_supply: String,
    pub goods_paise: i64,
    pub shipping_paise: i64,
    /// Of the lines that can be planned; equal to the order's total when no line has a
    /// problem.
    pub totals: LineTax,
}

impl CheckoutQuote {
    /// Whether `placeOrder` would accept the cart as quoted.
    pub fn orderable(&self) -> bool {
        !self.lines.is_empty() && self.lines.iter().all(|l| l.issues.is_empty())
    }
}

impl OrderService {
    /// Quotes the caller's cart (a signed-in buyer's own; a visitor's by `cart_token`)
    /// delivered to `address`, checked as `placeOrder` checks its `shippingAddress`.
    /// A signed-in buyer's cart is read as it is: the anonymous cart a token names is
    /// merged into it by the cart calls and `placeOrder`, never by a quote, which
    /// writes nothing.
    pub async fn checkout_quote(
        &self,
        party: &Party,
        cart_token: Option<&str>,
        address: Address,
    ) -> Result<CheckoutQuote, OrderError> {
        let address = address
            .checked("shippingAddress")
            .map_err(OrderError::Invalid)?;
        let lines = match cart::quote_cart(&self.db, party, cart_token).await? {
            Some(cart) => cart::lines_of(&self.db, cart.id).await?,
            None => Vec::new(),
        };
        let mut quoted: Vec<QuoteLine> = Vec::with_capacity(lines.len());
        let mut planned: Vec<CartLine> = Vec::new();
        for line in lines {
            let mut issues = line_issues(&line);
            if line.available() {
                let items = plan_items(std::slice::from_ref(&line))?;
                issues.extend(
                    items
                        .iter()
                        .filter_map(|item| supply_issue(item, &address.state_code)),
                );
            }
            if line.available() && issues.iter().all(|i| !i.kind.blocks_planning()) {
                planned.push(line.clone());
            }
            quoted.push(QuoteLine {
                line,
                tax: None,
                issues,
            });
        }
        let place_of_supply = address.state_code.clone();
        if planned.is_empty() {
            return Ok(CheckoutQuote {
                lines: quoted,
                parcels: Vec::new(),
                place_of_supply,
                goods_paise: 0,
                shipping_paise: 0,
                totals: LineTax::default(),
            });
        }
        // The request placeOrder would plan: a retail order to this address. The
        // payment method and key do not enter the plan.
        let request = PlaceOrder {
            cart_token: None,
            idempotency_key: String::new(),
            address,
            payment_method: PaymentMethod::CashOnDelivery,
            institutional: None,
            guest: None,
        };
        let draft = self.plan_order(&request, &planned)?;
        for line in draft.lines.iter().filter(|l| l.kind == LineKind::Goods) {
            if let Some(quote) = quoted
                .iter_mut()
                .find(|q| Some(q.line.variant_id) == line.variant_id)
            {
                quote.tax = Some(line.tax);
            }
        }
        Ok(CheckoutQuote {
            lines: quoted,
            parcels: draft
                .fulfilments
                .iter()
                .map(|f| QuoteParcel {
                    cooperative_id: f.cooperative_id,
                    document_kind: f.document_kind,
                    goods_paise: f.goods_paise,
                    shipping_paise: f.shipping_paise,
                    totals: f.totals,
                })
                .collect(),
            place_of_supply,
            goods_paise: draft.goods_paise,
            shipping_paise: draft.shipping_paise,
            totals: draft.totals,
        })
    }
}
