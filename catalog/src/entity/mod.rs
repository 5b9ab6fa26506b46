pub(crate) mod category;
pub(crate) mod cooperative;
pub(crate) mod product;
pub(crate) mod product_variant;
