//! `checkoutQuote`: what `placeOrder` would charge for the cart and an address, before
//! the buyer commits: lines, parcels with their shipping, GST by head, the total, and
//! every problem that would stop the order, per line.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::{
    ApiError, UserError,
    catalog::Cooperative,
    context::ContextExt,
    errors::respond,
    loaders::loader_error,
    money::Paise,
    orders::{AddressInput, DocumentKindValue, shipping_address},
};

#[derive(InputObject)]
pub struct CheckoutQuoteInput {
    /// A visitor's cart token; a signed-in buyer's own cart is quoted.
    pub cart_token: Option<String>,
    /// Checked as `placeOrder`'s `shippingAddress` is. Give it or `shippingAddressId`,
    /// not both.
    pub shipping_address: Option<AddressInput>,
    /// One of the signed-in buyer's saved addresses, instead of `shippingAddress`.
    pub shipping_address_id: Option<ID>,
}

/// What would stop `placeOrder` from accepting a line.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "CheckoutLineProblemCode", remote = "orders::LineIssueKind")]
pub enum CheckoutLineProblemCode {
    /// No longer for sale: remove it.
    NotForSale,
    /// The price changed since the buyer last saw it (the cart call acknowledges it).
    PriceChanged,
    /// Fewer units than the variant's minimum order quantity.
    BelowMinimumQuantity,
    /// More units than are in stock.
    OutOfStock,
    /// The cooperative's GST regime does not allow delivery to the address's State.
    NotDeliverable,
}

#[derive(SimpleObject)]
pub struct CheckoutLineProblem {
    pub code: CheckoutLineProblemCode,
    pub message: String,
}

/// A goods line's GST split.
#[derive(SimpleObject, Clone, Copy)]
pub struct TaxSplit {
    /// In basis points: 500 is 5%.
    pub rate_bp: i32,
    pub taxable_value: Paise,
    pub cgst: Paise,
    pub sgst: Paise,
    pub utgst: Paise,
    pub igst: Paise,
    /// Tax included.
    pub total: Paise,
}

impl From<orders::tax::LineTax> for TaxSplit {
    fn from(t: orders::tax::LineTax) -> Self {
        Self {
            rate_bp: i32::try_from(t.rate_bp).unwrap_or(i32::MAX),
            taxable_value: Paise(t.taxable_paise),
            cgst: Paise(t.cgst_paise),
            sgst: Paise(t.sgst_paise),
            utgst: Paise(t.utgst_paise),
            igst: Paise(t.igst_paise),
            total: Paise(t.total_paise),
        }
    }
}

pub struct CheckoutQuoteLine(orders::QuoteLine);

#[Object]
impl CheckoutQuoteLine {
    async fn variant_id(&self) -> ID {
        ID(self.0.line.variant_id.to_string())
    }
    async fn sku(&self) -> Option<&str> {
        self.0.line.item.as_ref().map(|i| i.variant.sku.as_str())
    }
    async fn product_title(&self) -> Option<&str> {
        self.0.line.item.as_ref().map(|i| i.product_title.as_str())
    }
    async fn quantity(&self) -> i32 {
        self.0.line.quantity
    }
    /// Today's unit price for this quantity (tier prices applied), tax included.
    async fn unit_price(&self) -> Paise {
        Paise(self.0.line.unit_price_paise)
    }
    async fn line_total(&self) -> Paise {
        Paise(self.0.line.line_total_paise)
    }
    /// The line's GST; none when it cannot be priced (not for sale, not deliverable).
    async fn tax(&self) -> Option<TaxSplit> {
        self.0.tax.map(TaxSplit::from)
    }
    /// Empty when `placeOrder` would accept the line.
    async fn problems(&self) -> Vec<CheckoutLineProblem> {
        self.0
            .issues
            .iter()
            .map(|i| CheckoutLineProblem {
                code: i.kind.into(),
                message: i.message.clone(),
            })
            .collect()
    }
}

/// One cooperative's parcel, as checkout splits the order.
pub struct CheckoutQuoteParcel(orders::QuoteParcel);

#[Object]
impl CheckoutQuoteParcel {
    async fn cooperative(&self, ctx: &Context<'_>) -> Result<Cooperative> {
        ctx.loaders()?
            .cooperatives
            .load_one(self.0.cooperative_id)
            .await
            .map_err(loader_error)?
            .map(Cooperative::from)
            .ok_or_else(|| ApiError::Internal.into())
    }
    async fn document_kind(&self) -> DocumentKindValue {
        self.0.document_kind.into()
    }
    async fn goods_total(&self) -> Paise {
        Paise(self.0.goods_paise)
    }
    /// The parcel's shipping charge, tax included.
    async fn shipping(&self) -> Paise {
        Paise(self.0.shipping_paise)
    }
    async fn taxable_value(&self) -> Paise {
        Paise(self.0.totals.taxable_paise)
    }
    async fn cgst(&self) -> Paise {
        Paise(self.0.totals.cgst_paise)
    }
    async fn sgst(&self) -> Paise {
        Paise(self.0.totals.sgst_paise)
    }
    async fn utgst(&self) -> Paise {
        Paise(self.0.totals.utgst_paise)
    }
    async fn igst(&self) -> Paise {
        Paise(self.0.totals.igst_paise)
    }
    async fn total(&self) -> Paise {
        Paise(self.0.totals.total_paise)
    }
}

pub struct CheckoutQuote(orders::CheckoutQuote);

#[Object]
impl CheckoutQuote {
    async fn lines(&self) -> Vec<CheckoutQuoteLine> {
        self.0
            .lines
            .iter()
            .cloned()
            .map(CheckoutQuoteLine)
            .collect()
    }
    async fn parcels(&self) -> Vec<CheckoutQuoteParcel> {
        self.0
            .parcels
            .iter()
            .cloned()
            .map(CheckoutQuoteParcel)
            .collect()
    }
    /// GST state code of the place of supply.
    async fn place_of_supply(&self) -> &str {
        &self.0.place_of_supply
    }
    async fn goods_total(&self) -> Paise {
        Paise(self.0.goods_paise)
    }
    async fn shipping_total(&self) -> Paise {
        Paise(self.0.shipping_paise)
    }
    async fn taxable_value(&self) -> Paise {
        Paise(self.0.totals.taxable_paise)
    }
    async fn cgst(&self) -> Paise {
        Paise(self.0.totals.cgst_paise)
    }
    async fn sgst(&self) -> Paise {
        Paise(self.0.totals.sgst_paise)
    }
    async fn utgst(&self) -> Paise {
        Paise(self.0.totals.utgst_paise)
    }
    async fn igst(&self) -> Paise {
        Paise(self.0.totals.igst_paise)
    }
    /// Of the lines that can be priced; what `placeOrder` charges when `orderable`.
    async fn total(&self) -> Paise {
        Paise(self.0.totals.total_paise)
    }
    /// True when no line has a problem: `placeOrder` would accept the cart as quoted.
    async fn orderable(&self) -> bool {
        self.0.orderable()
    }
}

#[derive(SimpleObject)]
pub struct CheckoutQuotePayload {
    pub quote: Option<CheckoutQuote>,
    /// Problems with the input (the address), named as `placeOrder` names them.
    pub errors: Vec<UserError>,
}

#[derive(Default)]
pub struct CheckoutQuoteQuery;

#[Object]
impl CheckoutQuoteQuery {
    /// What `placeOrder` would charge for the cart delivered to an address: the same
    /// checks and computation, without reserving stock or writing anything.
    async fn checkout_quote(
        &self,
        ctx: &Context<'_>,
        input: CheckoutQuoteInput,
    ) -> Result<CheckoutQuotePayload> {
        let service = ctx.orders()?;
        let party = ctx.party()?;
        let result = match shipping_address(
            service,
            &party,
            input.shipping_address,
            input.shipping_address_id.as_ref(),
        )
        .await
        {
            Ok(address) => {
                service
                    .checkout_quote(&party, input.cart_token.as_deref(), address)
                    .await
            }
            Err(e) => Err(e),
        };
        respond(result, |quote, errors| CheckoutQuotePayload {
            quote: quote.map(CheckoutQuote),
            errors,
        })
    }
}
