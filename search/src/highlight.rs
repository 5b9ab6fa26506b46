//! Highlighting that is the same for every backend: words of the text that match a
//! query word exactly, by prefix, or within the typo tolerance are wrapped in `<mark>`.

/// Typos tolerated for a word of this many characters: one from 5, two from 9.
pub fn typo_budget(length: usize) -> usize {
    match length {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Levenshtein distance with adjacent transpositions counted as one edit, stopping
/// early once it exceeds `limit`.
pub fn edit_distance(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    // Cells outside a row read as "too far", so no index can panic.
    let far = limit.saturating_add(1);
    let cell = |row: &[usize], k: usize| row.get(k).copied().unwrap_or(far);
    let mut previous_previous: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut current = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a.get(i - 1) != b.get(j - 1));
            let mut best = cell(&previous, j)
                .saturating_add(1)
                .min(cell(&current, j - 1).saturating_add(1))
                .min(cell(&previous, j - 1).saturating_add(cost));
            if i > 1 && j > 1 && a.get(i - 1) == b.get(j - 2) && a.get(i - 2) == b.get(j - 1) {
                best = best.min(cell(&previous_previous, j - 2).saturating_add(1));
            }
            if let Some(slot) = current.get_mut(j) {
                *slot = best;
            }
        }
        if current.iter().min().is_some_and(|m| *m > limit) {
            return far;
        }
        previous_previous = previous;
        previous = current;
    }
    previous.get(b.len()).copied().unwrap_or(limit + 1)
}

fn normalise(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn matches(word: &str, query_words: &[String]) -> bool {
    let word = normalise(word);
    !word.is_empty()
        && query_words.iter().any(|q| {
            word == *q
                || (q.chars().count() >= 2 && word.starts_with(q.as_str()))
                || edit_distance(&word, q, typo_budget(q.chars().count()))
                    <= typo_budget(q.chars().count())
        })
}

/// Wraps matching words of `text` in `<mark>`, escaping the text for HTML.
pub fn highlight(text: &str, query_words: &[String]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut word = String::new();
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        if matches(word, query_words) {
            out.push_str("<mark>");
            out.push_str(&escape(word));
            out.push_str("</mark>");
        } else {
            out.push_str(&escape(word));
        }
        word.clear();
    };
    for character in text.chars() {
        if character.is_alphanumeric() {
            word.push(character);
        } else {
            flush(&mut word, &mut out);
            out.push_str(&escape(&character.to_string()));
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typo_budget_follows_word_length() {
        assert_eq!(typo_budget(4), 0);
        assert_eq!(typo_budget(5), 1);
        assert_eq!(typo_budget(9), 2);
    }

    #[test]
    fn edit_distance_counts_transpositions_once() {
        assert_eq!(edit_distance("apricot", "aprciot", 2), 1);
        assert_eq!(edit_distance("pashmina", "pashmena", 2), 1);
        assert!(edit_distance("shawl", "stole", 1) > 1);
    }

    #[test]
    fn marks_exact_prefix_and_fuzzy_matches() {
        let words = vec!["apricot".to_owned(), "dri".to_owned()];
        assert_eq!(
            highlight("Sun-dried Apricots & <kernels>", &words),
            "Sun-<mark>dried</mark> <mark>Apricots</mark> &amp; &lt;kernels&gt;"
        );
    }
}
