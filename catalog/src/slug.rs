//! URL slugs: lower-case ASCII letters, digits and single hyphens.

/// Makes a slug from a title, dropping anything that is not a letter or digit.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for character in text.chars() {
        if character.is_ascii_alphanumeric() {
            slug.push(character.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug.truncate(80);
    slug
}

/// Checks a client-supplied slug.
pub fn check_slug(slug: &str) -> Result<(), String> {
    let well_formed = (2..=80).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    if well_formed {
        Ok(())
    } else {
        Err("slug must be 2 to 80 lower-case letters, digits and single hyphens".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(
            slugify("Raktsey Karpo — Dried Apricots (500 g)"),
            "raktsey-karpo-dried-apricots-500-g"
        );
        assert!(check_slug("raktsey-karpo").is_ok());
        assert!(check_slug("Raktsey Karpo").is_err());
        assert!(check_slug("-x").is_err());
    }
}
