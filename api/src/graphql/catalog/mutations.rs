//! Catalog writes over GraphQL: cooperatives, districts and categories here, products
//! in `product_mutations`. Each mutation parses its input, hands it to one domain
//! service with the viewer as the acting party, and maps the result; role checks and
//! validation are the domain's.

use async_graphql::{Context, ID, InputObject, MergedObject, Object, Result, SimpleObject};

use crate::graphql::{
    UserError,
    catalog::{
        AttributeKindValue, Category, Cooperative, District, GstRegimeValue, ProductMutation,
        TurnoverBandValue, VerificationStatusValue,
    },
    context::ContextExt,
    errors::respond,
    ids::parse_id,
};

#[derive(InputObject, Default)]
pub struct CooperativeFieldsInput {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub registration_number: Option<String>,
    pub registrar: Option<String>,
    pub district: Option<String>,
    pub village: Option<String>,
    pub address_line: Option<String>,
    /// Six digits, not starting with 0.
    pub pin_code: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    /// Checked for format, state code and check character; an empty string clears it.
    pub gstin: Option<String>,
    /// On create: REGULAR with a GSTIN, ENROLLED without one. REGULAR and COMPOSITION
    /// need a GSTIN, ENROLLED has none.
    pub gst_regime: Option<GstRegimeValue>,
    /// The GST code of the State or UT the cooperative is registered in (Ladakh, 38,
    /// on create unless given); its GSTIN must have been issued there.
    pub state_code: Option<String>,
    /// 14 digits; needed before listing food. An empty string clears it.
    pub fssai_licence: Option<String>,
    /// UP_TO_5_CRORE on create unless given. Raising it is refused while a product of
    /// the cooperative has a shorter HSN code than the band needs.
    pub turnover_band: Option<TurnoverBandValue>,
}

impl From<CooperativeFieldsInput> for catalog::CooperativeFields {
    fn from(input: CooperativeFieldsInput) -> Self {
        Self {
            name: input.name,
            slug: input.slug,
            registration_number: input.registration_number,
            registrar: input.registrar,
            district: input.district,
            village: input.village,
            address_line: input.address_line,
            pin_code: input.pin_code,
            contact_email: input.contact_email,
            contact_phone: input.contact_phone,
            gstin: input.gstin,
            gst_regime: input.gst_regime.map(Into::into),
            state_code: input.state_code,
            fssai_licence: input.fssai_licence,
            turnover_band: input.turnover_band.map(Into::into),
        }
    }
}

#[derive(InputObject)]
pub struct CooperativeUpdateInput {
    pub id: ID,
    pub fields: CooperativeFieldsInput,
}

#[derive(SimpleObject, Default)]
pub struct CooperativePayload {
    pub cooperative: Option<Cooperative>,
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct CooperativeVerifyInput {
    pub id: ID,
    /// VERIFIED, or SUSPENDED to take the cooperative and its products off the
    /// storefront and channels.
    pub status: VerificationStatusValue,
    /// What was checked (the GSTIN or enrolment, the FSSAI licence) and why; a
    /// suspension's reason. Recorded in the cooperative's verification history.
    pub reason: String,
}

#[derive(InputObject)]
pub struct DistrictCreateInput {
    pub name: String,
}

#[derive(SimpleObject, Default)]
pub struct DistrictCreatePayload {
    pub district: Option<District>,
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct AttributeDefinitionInput {
    pub key: String,
    pub label: String,
    pub kind: AttributeKindValue,
    pub required: bool,
    #[graphql(default)]
    pub options: Vec<String>,
}

#[derive(InputObject)]
pub struct CategoryUpdateInput {
    pub slug: String,
    pub name: Option<String>,
    pub hsn_code: Option<String>,
    pub gst_rate_bp: Option<i32>,
    pub is_food: Option<bool>,
    pub attribute_schema: Option<Vec<AttributeDefinitionInput>>,
}

#[derive(SimpleObject, Default)]
pub struct CategoryUpdatePayload {
    pub category: Option<Category>,
    pub errors: Vec<UserError>,
}

/// Every catalog mutation, in the order the schema lists them.
#[derive(MergedObject, Default)]
pub struct CatalogMutation(CooperativeMutation, ProductMutation);

#[derive(Default)]
pub struct CooperativeMutation;

#[Object]
impl CooperativeMutation {
    /// Registers a cooperative (admins only); it starts PENDING.
    async fn cooperative_create(
        &self,
        ctx: &Context<'_>,
        input: CooperativeFieldsInput,
    ) -> Result<CooperativePayload> {
        let created = catalog::create_cooperative(ctx.db()?, &ctx.actor()?, input.into()).await;
        respond(created, |c, errors| CooperativePayload {
            cooperative: c.map(Into::into),
            errors,
        })
    }

    /// Edits a cooperative's details (its managers and admins).
    async fn cooperative_update(
        &self,
        ctx: &Context<'_>,
        input: CooperativeUpdateInput,
    ) -> Result<CooperativePayload> {
        let updated = catalog::update_cooperative(
            ctx.db()?,
            &ctx.actor()?,
            parse_id("id", &input.id)?,
            input.fields.into(),
        )
        .await;
        respond(updated, |c, errors| CooperativePayload {
            cooperative: c.map(Into::into),
            errors,
        })
    }

    /// Verifies, suspends or reinstates a cooperative (admins only).
    async fn cooperative_verify(
        &self,
        ctx: &Context<'_>,
        input: CooperativeVerifyInput,
    ) -> Result<CooperativePayload> {
        let changed = catalog::set_verification_status(
            ctx.db()?,
            &ctx.actor()?,
            parse_id("id", &input.id)?,
            input.status.into(),
            &input.reason,
        )
        .await;
        respond(changed, |c, errors| CooperativePayload {
            cooperative: c.map(Into::into),
            errors,
        })
    }

    /// Adds a district (admins only).
    async fn district_create(
        &self,
        ctx: &Context<'_>,
        input: DistrictCreateInput,
    ) -> Result<DistrictCreatePayload> {
        let created = catalog::create_district(ctx.db()?, &ctx.actor()?, &input.name).await;
        respond(created, |d, errors| DistrictCreatePayload {
            district: d.map(|d| District {
                id: ID(d.id.to_string()),
                name: d.name,
            }),
            errors,
        })
    }

    /// Corrects a category's HSN code, GST rate, food flag or attribute schema (admins).
    async fn category_update(
        &self,
        ctx: &Context<'_>,
        input: CategoryUpdateInput,
    ) -> Result<CategoryUpdatePayload> {
        let updated = catalog::update_category(
            ctx.db()?,
            &ctx.actor()?,
            &input.slug,
            catalog::CategoryChanges {
                name: input.name,
                hsn_code: input.hsn_code,
                gst_rate_bp: input.gst_rate_bp,
                is_food: input.is_food,
                attribute_schema: input.attribute_schema.map(|schema| {
                    schema
                        .into_iter()
                        .map(|d| catalog::AttributeDefinition {
                            key: d.key,
                            label: d.label,
                            kind: d.kind.into(),
                            required: d.required,
                            options: d.options,
                        })
                        .collect()
                }),
            },
        )
        .await;
        respond(updated, |c, errors| CategoryUpdatePayload {
            category: c.map(Into::into),
            errors,
        })
    }
}
