//! The knowledge base (H11): articles in Markdown, imported from files, indexed in memory for
//! suggestions.
//!
//! An article file is `<slug>.md`: `# Title`, then `topic: <H6 topic or technical>`, then
//! `tags: a, b, c`, a blank line, and the body.

use std::sync::Arc;

use serde_json::json;
use tollgate_store::support::{self as support_store, ArticleRow};

use super::suggest::{Index, Suggestion};
use crate::access::audit_row;
use crate::ids::new_id;
use crate::{App, AppError, Caller};

/// The largest article accepted, bytes.
pub const MAX_ARTICLE_BYTES: usize = 64 * 1024;

/// Reads one article file; the error names what is wrong.
pub fn parse_article(slug: &str, text: &str, now: i64) -> Result<ArticleRow, String> {
    if text.len() > MAX_ARTICLE_BYTES {
        return Err(format!("{slug}: longer than {MAX_ARTICLE_BYTES} bytes"));
    }
    if slug.is_empty()
        || !slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(format!(
            "{slug}: a slug is lower-case letters, digits and dashes"
        ));
    }
    let mut lines = text.lines();
    let title = lines
        .next()
        .and_then(|l| l.strip_prefix("# "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| format!("{slug}: the first line is `# Title`"))?;
    let topic = lines
        .next()
        .and_then(|l| l.strip_prefix("topic:"))
        .map(str::trim)
        .filter(|t| *t == "technical" || *t == "rma_capex" || tollgate_core::support::ticket::CARE_TOPICS.contains(t))
        .ok_or_else(|| format!("{slug}: the second line is `topic: <technical, rma_capex or a Customer Care topic>`"))?;
    let tags = lines
        .next()
        .and_then(|l| l.strip_prefix("tags:"))
        .map(str::trim)
        .ok_or_else(|| format!("{slug}: the third line is `tags: a, b, c`"))?;
    let body: String = lines.collect::<Vec<_>>().join("\n").trim().to_string();
    if body.is_empty() {
        return Err(format!("{slug}: the article has no body"));
    }
    Ok(ArticleRow {
        id: new_id("kb"),
        slug: slug.into(),
        title: title.into(),
        topic: topic.into(),
        tags: tags.into(),
        body,
        updated_at: now,
    })
}

impl App {
    /// Imports articles (slug, text): each replaces the article of its slug. All or nothing.
    pub async fn import_articles(
        &self,
        caller: &Caller,
        files: &[(String, String)],
    ) -> Result<usize, AppError> {
        let now = self.now();
        let mut rows = Vec::with_capacity(files.len());
        for (slug, text) in files {
            rows.push(
                parse_article(slug, text, now)
                    .map_err(|e| AppError::invalid("article_invalid", "file", e))?,
            );
        }
        let mut tx = self.store.begin().await?;
        for a in &rows {
            support_store::upsert_article(&mut tx, a).await?;
        }
        tollgate_store::audit::append(
            &mut tx,
            &audit_row(
                &caller.actor,
                now,
                "kb.import",
                "kb",
                json!({"articles": rows.len()}),
            ),
        )
        .await?;
        tollgate_store::commit(tx).await?;
        self.reload_kb().await?;
        Ok(rows.len())
    }

    /// Rebuilds the suggestion index from the stored articles.
    pub async fn reload_kb(&self) -> Result<usize, AppError> {
        let articles = support_store::system::all_articles(&self.store).await?;
        let idx = Arc::new(Index::build(&articles));
        let n = idx.len();
        *self.kb.write().expect("kb lock") = idx;
        Ok(n)
    }

    /// H11: articles for what is being typed (and the topic or device chosen).
    pub async fn suggestions(
        &self,
        q: &str,
        topic: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Suggestion>, AppError> {
        if q.chars().count() > tollgate_core::support::ticket::MAX_SUBJECT_CHARS {
            return Err(AppError::invalid(
                "query_too_long",
                "q",
                "at most a subject's length",
            ));
        }
        let idx = self.kb.read().expect("kb lock").clone();
        let idx = if idx.is_empty() {
            self.reload_kb().await?;
            self.kb.read().expect("kb lock").clone()
        } else {
            idx
        };
        Ok(idx.search(q, topic, limit))
    }

    /// One article by slug.
    pub async fn article(&self, slug: &str) -> Result<ArticleRow, AppError> {
        support_store::system::all_articles(&self.store)
            .await?
            .into_iter()
            .find(|a| a.slug == slug)
            .ok_or(AppError::NotFound("article"))
    }
}
