//! Synonyms for the names buyers use across English, Hindi, Urdu and Ladakhi (apricot ~
//! khubani ~ chuli; sea buckthorn ~ leh berry ~ tsestalulu; pashmina ~ pashm; shawl ~
//! dushala). The built-in list is `data/reference/synonyms.json`; admins extend it with
//! `DATA_DIR/synonyms.json` in the same format (a list of groups of equivalent words
//! or phrases), read at start-up.

use std::path::Path;

use crate::{SearchError, highlight::edit_distance, highlight::typo_budget};

const BUILT_IN: &str = include_str!("../../data/reference/synonyms.json");

/// Groups of equivalent words or phrases.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synonyms {
    groups: Vec<Vec<String>>,
}

/// A piece of a query after synonym expansion: a single word, or several equivalent
/// phrases (each a list of words) of which any may match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryUnit {
    Word(String),
    Alternatives(Vec<Vec<String>>),
}

impl Synonyms {
    pub fn parse(json: &str) -> Result<Self, SearchError> {
        let groups: Vec<Vec<String>> =
            serde_json::from_str(json).map_err(|e| SearchError::Index(format!("synonyms: {e}")))?;
        Ok(Self {
            groups: groups
                .into_iter()
                .map(|group| {
                    group
                        .into_iter()
                        .map(|p| p.trim().to_lowercase())
                        .filter(|p| !p.is_empty())
                        .collect::<Vec<_>>()
                })
                .filter(|group| group.len() > 1)
                .collect(),
        })
    }

    /// The built-in list.
    pub fn built_in() -> Result<Self, SearchError> {
        Self::parse(BUILT_IN)
    }

    /// The built-in list plus `data_dir/synonyms.json` when it exists.
    pub fn load(data_dir: &Path) -> Result<Self, SearchError> {
        let mut synonyms = Self::built_in()?;
        let extra = data_dir.join("synonyms.json");
        if extra.exists() {
            let text = std::fs::read_to_string(&extra)
                .map_err(|e| SearchError::Index(format!("{}: {e}", extra.display())))?;
            synonyms.groups.extend(Self::parse(&text)?.groups);
        }
        Ok(synonyms)
    }

    pub fn groups(&self) -> &[Vec<String>] {
        &self.groups
    }

    /// Splits query words into units, replacing every synonym phrase found (exactly or
    /// within the typo tolerance, longest first) by all phrases of its group.
    pub fn units(
        &self,
        words: &[String],
        tokenize: impl Fn(&str) -> Vec<String>,
    ) -> Vec<QueryUnit> {
        let groups: Vec<Vec<Vec<String>>> = self
            .groups
            .iter()
            .map(|group| group.iter().map(|phrase| tokenize(phrase)).collect())
            .collect();
        let mut units = Vec::new();
        let mut position = 0;
        while position < words.len() {
            let mut best: Option<(usize, usize)> = None;
            for (group_index, group) in groups.iter().enumerate() {
                for phrase in group {
                    let length = phrase.len();
                    let Some(window) = words.get(position..position + length) else {
                        continue;
                    };
                    let matched = length > 0
                        && window.iter().zip(phrase).all(|(word, expected)| {
                            let budget = typo_budget(expected.chars().count());
                            word == expected || edit_distance(word, expected, budget) <= budget
                        });
                    if matched && best.is_none_or(|(_, best_length)| length > best_length) {
                        best = Some((group_index, length));
                    }
                }
            }
            match best
                .and_then(|(group_index, length)| groups.get(group_index).map(|g| (g, length)))
            {
                Some((group, length)) => {
                    units.push(QueryUnit::Alternatives(group.clone()));
                    position += length;
                }
                None => {
                    if let Some(word) = words.get(position) {
                        units.push(QueryUnit::Word(word.clone()));
                    }
                    position += 1;
                }
            }
        }
        units
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_lowercase).collect()
    }

    #[test]
    fn local_names_expand_to_their_group() {
        let synonyms = Synonyms::built_in().unwrap_or_default();
        let units = synonyms.units(&words("leh berry juice"), words);
        assert!(
            matches!(&units[0], QueryUnit::Alternatives(a) if a.contains(&words("sea buckthorn")))
        );
        assert!(matches!(&units[1], QueryUnit::Alternatives(a) if a.contains(&words("juice"))));
        let typo = synonyms.units(&words("khubaani"), words);
        assert!(matches!(&typo[0], QueryUnit::Alternatives(a) if a.contains(&words("apricot"))));
        let plain = synonyms.units(&words("blanket"), words);
        assert_eq!(plain, vec![QueryUnit::Word("blanket".into())]);
    }

    #[test]
    fn admins_can_extend_the_list() -> Result<(), SearchError> {
        let dir = tempfile::tempdir().map_err(|e| SearchError::Index(e.to_string()))?;
        std::fs::write(
            dir.path().join("synonyms.json"),
            r#"[["thigma", "tie-dye"]]"#,
        )
        .map_err(|e| SearchError::Index(e.to_string()))?;
        let synonyms = Synonyms::load(dir.path())?;
        assert!(
            synonyms
                .groups()
                .iter()
                .any(|g| g.contains(&"thigma".to_owned()))
        );
        Ok(())
    }
}
