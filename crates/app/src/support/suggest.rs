//! Documentation suggested while a ticket is typed (H11): an in-memory inverted index over the
//! knowledge base, ranked by BM25, the last word of the query matched as a prefix (the word
//! being typed).
//!
//! Written here rather than with a search engine crate (tantivy): the knowledge base is small
//! enough to index in memory at start, a few hundred lines beat a dependency tree that takes
//! minutes to build on this project's machines, and the index lives as long as the process.

use std::collections::{BTreeMap, HashMap};

use tollgate_store::support::ArticleRow;

/// BM25 parameters (the usual defaults).
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Terms a typed prefix expands to at most (the most frequent first).
pub const MAX_PREFIX_TERMS: usize = 32;
/// A word being typed completes from this many characters on (one letter says nothing).
pub const MIN_PREFIX_CHARS: usize = 2;
/// Suggestions returned at most.
pub const MAX_SUGGESTIONS: usize = 10;
/// A title word counts this many times (titles say what an article is about).
const TITLE_WEIGHT: u32 = 3;
/// The weight of a completion of the word being typed (the whole word typed counts 1).
const COMPLETION_WEIGHT: f64 = 0.8;
/// The boost of an article of the topic chosen.
const TOPIC_BOOST: f64 = 1.5;

/// Words too common to rank by.
const STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "for", "from", "how", "i", "in",
    "is", "it", "my", "no", "not", "of", "on", "or", "the", "to", "we", "what", "when", "why",
    "with", "you", "your",
];

/// A light English stemmer: the endings that separate a word typed from the word written
/// (`dispute`, `disputes`, `disputing`, `disputed` all become `disput`). Short words are kept.
pub fn stem(w: &str) -> String {
    let mut s = w;
    for (suffix, min_left) in [("ing", 4), ("ed", 4), ("es", 4), ("s", 4)] {
        if s.len() >= suffix.len() + min_left && s.ends_with(suffix) && !s.ends_with("ss") {
            s = &s[..s.len() - suffix.len()];
            break;
        }
    }
    if s.len() > 4 && s.ends_with('e') {
        s = &s[..s.len() - 1];
    }
    s.to_string()
}

/// Lower-case alphanumeric words, stop words out, stemmed.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !STOP.contains(&w.as_str()))
        .map(|w| stem(&w))
        .collect()
}

#[derive(Debug, Default)]
pub struct Index {
    /// term → (article index, term frequency), by article index.
    postings: BTreeMap<String, Vec<(u32, u32)>>,
    docs: Vec<Doc>,
    avg_len: f64,
}

#[derive(Debug)]
struct Doc {
    slug: String,
    title: String,
    topic: String,
    len: u32,
}

/// One suggestion.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub slug: String,
    pub title: String,
    pub topic: String,
    pub score: f64,
}

impl Index {
    pub fn build(articles: &[ArticleRow]) -> Index {
        let mut postings: BTreeMap<String, Vec<(u32, u32)>> = BTreeMap::new();
        let mut docs = Vec::with_capacity(articles.len());
        let mut total: u64 = 0;
        for (i, a) in articles.iter().enumerate() {
            let mut tf: HashMap<String, u32> = HashMap::new();
            for w in words(&a.title) {
                *tf.entry(w).or_default() += TITLE_WEIGHT;
            }
            for w in words(&a.tags).into_iter().chain(words(&a.body)) {
                *tf.entry(w).or_default() += 1;
            }
            let len: u32 = tf.values().sum();
            total += u64::from(len);
            for (w, n) in tf {
                postings.entry(w).or_default().push((i as u32, n));
            }
            docs.push(Doc {
                slug: a.slug.clone(),
                title: a.title.clone(),
                topic: a.topic.clone(),
                len,
            });
        }
        let avg_len = if docs.is_empty() {
            1.0
        } else {
            total as f64 / docs.len() as f64
        };
        Index {
            postings,
            docs,
            avg_len,
        }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    fn idf(&self, df: usize) -> f64 {
        let n = self.docs.len() as f64;
        ((n - df as f64 + 0.5) / (df as f64 + 0.5) + 1.0).ln()
    }

    /// Adds each posting's BM25 score times `weight` to `acc` (dense, one slot per article),
    /// noting the articles touched for the first time.
    fn add(&self, acc: &mut Scores, list: &[(u32, u32)], weight: f64) {
        let idf = self.idf(list.len());
        for &(d, tf) in list {
            let len = f64::from(self.docs[d as usize].len);
            let tf = f64::from(tf);
            let s = idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / self.avg_len));
            acc.add(d, s * weight);
        }
    }

    /// The best articles for `query` (its last word a prefix unless the query ends with a
    /// space), those of `topic` first when one is chosen.
    pub fn search(&self, query: &str, topic: Option<&str>, limit: usize) -> Vec<Suggestion> {
        let mut terms = words(query);
        let typing = !query.ends_with(char::is_whitespace);
        let prefix = if typing { terms.pop() } else { None };
        let mut scores = Scores::new(self.docs.len());
        for t in &terms {
            if let Some(list) = self.postings.get(t) {
                self.add(&mut scores, list, 1.0);
            }
        }
        if let Some(p) = prefix.filter(|p| p.chars().count() >= MIN_PREFIX_CHARS) {
            let mut expansions: Vec<(&String, &Vec<(u32, u32)>)> = self
                .postings
                .range(p.clone()..)
                .take_while(|(k, _)| k.starts_with(&p))
                .collect();
            expansions.sort_by_key(|(_, l)| std::cmp::Reverse(l.len()));
            // The word being typed is one word: each article scores its best completion, not
            // the sum of all (an article full of `li...` words is not about `li`).
            let mut best = Scores::new(self.docs.len());
            for (k, list) in expansions.into_iter().take(MAX_PREFIX_TERMS) {
                // The whole word typed counts fully; a completion a little less.
                let w = if *k == p { 1.0 } else { COMPLETION_WEIGHT };
                let idf = self.idf(list.len());
                for &(d, tf) in list {
                    let len = f64::from(self.docs[d as usize].len);
                    let tf = f64::from(tf);
                    let v =
                        w * idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / self.avg_len));
                    best.max(d, v);
                }
            }
            for &d in &best.touched {
                scores.add(d, best.value[d as usize]);
            }
        }
        if let Some(tp) = topic {
            if scores.touched.is_empty() {
                // A topic chosen and nothing typed yet: that topic's articles.
                for (i, doc) in self.docs.iter().enumerate() {
                    if doc.topic == tp {
                        scores.add(i as u32, 1.0);
                    }
                }
            } else {
                for &d in &scores.touched {
                    if self.docs[d as usize].topic == tp {
                        scores.value[d as usize] *= TOPIC_BOOST;
                    }
                }
            }
        }
        let mut ranked: Vec<(u32, f64)> = scores
            .touched
            .iter()
            .map(|&d| (d, scores.value[d as usize]))
            .collect();
        let k = limit.min(MAX_SUGGESTIONS);
        let order = |a: &(u32, f64), b: &(u32, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if ranked.len() > k {
            ranked.select_nth_unstable_by(k, order);
            ranked.truncate(k);
        }
        ranked.sort_by(order);
        ranked
            .into_iter()
            .map(|(d, score)| {
                let doc = &self.docs[d as usize];
                Suggestion {
                    slug: doc.slug.clone(),
                    title: doc.title.clone(),
                    topic: doc.topic.clone(),
                    score,
                }
            })
            .collect()
    }
}

/// Scores per article, dense (an array indexed by article is many times faster than a map
/// over the long posting lists of common words), with the articles touched.
struct Scores {
    value: Vec<f64>,
    touched: Vec<u32>,
}

impl Scores {
    fn new(n: usize) -> Scores {
        Scores {
            value: vec![0.0; n],
            touched: Vec::new(),
        }
    }

    fn add(&mut self, d: u32, v: f64) {
        let slot = &mut self.value[d as usize];
        if *slot == 0.0 {
            self.touched.push(d);
        }
        *slot += v;
    }

    fn max(&mut self, d: u32, v: f64) {
        let slot = &mut self.value[d as usize];
        if *slot == 0.0 {
            self.touched.push(d);
        }
        if v > *slot {
            *slot = v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(slug: &str, title: &str, topic: &str, body: &str) -> ArticleRow {
        ArticleRow {
            id: slug.into(),
            slug: slug.into(),
            title: title.into(),
            topic: topic.into(),
            tags: String::new(),
            body: body.into(),
            updated_at: 0,
        }
    }

    #[test]
    fn h11_the_word_being_typed_completes_and_the_title_ranks_first() {
        let idx = Index::build(&[
            art(
                "one-way-audio",
                "One-way audio",
                "technical",
                "RTP and NAT: media flows one way.",
            ),
            art(
                "invoice",
                "Reading your invoice",
                "billing",
                "Every line names its rule and clause.",
            ),
            art(
                "pbx",
                "Cloud PBX unreachable",
                "technical",
                "Check the network; audio may also fail.",
            ),
        ]);
        // "aud" while typing: both articles mentioning audio, the one titled so first.
        let s = idx.search("no aud", None, 5);
        assert_eq!(
            s.iter().map(|x| x.slug.as_str()).collect::<Vec<_>>(),
            ["one-way-audio", "pbx"]
        );
        // A topic chosen and nothing typed: that topic's articles.
        let s = idx.search("", Some("billing"), 5);
        assert_eq!(s[0].slug, "invoice");
        // Nothing matches: nothing suggested.
        assert!(idx.search("zzz ", None, 5).is_empty());
    }
}
