//! The building blocks every page is made of: facts, tables, forms, charts, inside one layout
//! (`templates/page.html`). Pages build these from the app's answers; the template renders
//! them with every value escaped. A form's field carries its own error, so an error is shown
//! beside the field it is about, with the API's code, rule and clause.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use tollgate_core::tenancy::Permission;

use crate::error::{ErrorView, PageError};
use crate::nav;
use crate::session::Session;

/// A table cell: text, maybe a link, maybe a style class (`num`, `bad`, `ok`).
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    pub class: &'static str,
}

impl Cell {
    pub fn text(t: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            ..Cell::default()
        }
    }

    pub fn link(t: impl Into<String>, href: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            href: Some(href.into()),
            class: "",
        }
    }

    /// A right-aligned number or amount.
    pub fn num(t: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            href: None,
            class: "num",
        }
    }

    pub fn class(mut self, class: &'static str) -> Cell {
        self.class = class;
        self
    }
}

/// A column head: its label, and for a sortable column the link that sorts by it and how the
/// table is sorted by it now (`ascending`, `descending`, or empty: not by this column).
#[derive(Debug, Clone, Default)]
pub struct Column {
    pub label: String,
    pub href: Option<String>,
    pub sort: &'static str,
}

/// A table: its caption, column heads, rows, what to say when empty, the next page's link.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub caption: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// Shown instead of an empty table: what to do next.
    pub empty: String,
    pub next: Option<String>,
}

impl Table {
    pub fn new(caption: &str, columns: &[&str], empty: &str) -> Table {
        Table {
            caption: caption.into(),
            columns: columns
                .iter()
                .map(|c| Column {
                    label: c.to_string(),
                    ..Column::default()
                })
                .collect(),
            rows: Vec::new(),
            empty: empty.into(),
            next: None,
        }
    }

    /// Makes column `label` sortable: `href` sorts by it; `sort` says how it is sorted now.
    pub fn sortable(&mut self, label: &str, href: String, sort: &'static str) {
        if let Some(c) = self.columns.iter_mut().find(|c| c.label == label) {
            c.href = Some(href);
            c.sort = sort;
        }
    }

    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }
}

/// What kind of input a field is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Text,
    Email,
    Password,
    /// A one-time code: numeric keyboard, `autocomplete=one-time-code`.
    Code,
    Number,
    Date,
    TextArea,
    Hidden,
    Checkbox,
    /// A choice among (value, label).
    Select(Vec<(String, String)>),
}

/// One input with its label, value, hint and error.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub label: String,
    pub kind: Kind,
    pub value: String,
    pub hint: String,
    pub error: Option<String>,
    pub required: bool,
    pub autocomplete: &'static str,
    /// The element id, `f-<form>-<name>`, set when the field joins its form.
    pub id: String,
    /// The id of the box the script fills with suggestions as this field is typed in.
    pub suggest: String,
}

impl Field {
    pub fn new(name: &str, label: &str, kind: Kind) -> Field {
        Field {
            name: name.into(),
            label: label.into(),
            kind,
            value: String::new(),
            hint: String::new(),
            error: None,
            required: false,
            autocomplete: "off",
            id: String::new(),
            suggest: String::new(),
        }
    }

    pub fn value(mut self, v: impl Into<String>) -> Field {
        self.value = v.into();
        self
    }

    pub fn hint(mut self, h: &str) -> Field {
        self.hint = h.into();
        self
    }

    /// Suggestions while typing, shown in the box `target`.
    pub fn suggest(mut self, target: &str) -> Field {
        self.suggest = target.into();
        self
    }

    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }

    pub fn autocomplete(mut self, a: &'static str) -> Field {
        self.autocomplete = a;
        self
    }

    pub fn is(&self, kind: &str) -> bool {
        matches!(
            (&self.kind, kind),
            (Kind::Text, "text")
                | (Kind::Email, "email")
                | (Kind::Password, "password")
                | (Kind::Code, "code")
                | (Kind::Number, "number")
                | (Kind::Date, "date")
                | (Kind::TextArea, "textarea")
                | (Kind::Hidden, "hidden")
                | (Kind::Checkbox, "checkbox")
                | (Kind::Select(_), "select")
        )
    }

    /// The ids that describe the input: its hint and its error, when there are.
    pub fn describedby(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-err", self.id));
        }
        ids.join(" ")
    }

    pub fn options(&self) -> &[(String, String)] {
        match &self.kind {
            Kind::Select(o) => o,
            _ => &[],
        }
    }
}

/// A form: posts (or gets, for filters) to `action`; carries the CSRF token when it posts.
#[derive(Debug, Clone)]
pub struct Form {
    pub id: String,
    pub title: String,
    pub action: String,
    pub method: &'static str,
    pub fields: Vec<Field>,
    pub submit: String,
    pub csrf: String,
    /// The error of the last attempt not tied to one field.
    pub error: Option<ErrorView>,
    /// A short note above the fields (what the action does, which rule it applies).
    pub note: String,
    /// A destructive action: the button is styled as such.
    pub danger: bool,
}

impl Form {
    pub fn post(id: &str, title: &str, action: impl Into<String>, session: &Session) -> Form {
        Form {
            id: id.into(),
            title: title.into(),
            action: action.into(),
            method: "post",
            fields: Vec::new(),
            submit: title.into(),
            csrf: session.csrf.clone(),
            error: None,
            note: String::new(),
            danger: false,
        }
    }

    /// A filter: a GET form, no CSRF token.
    pub fn filter(id: &str, action: &str) -> Form {
        Form {
            id: id.into(),
            title: String::new(),
            action: action.into(),
            method: "get",
            fields: Vec::new(),
            submit: "Filter".into(),
            csrf: String::new(),
            error: None,
            note: String::new(),
            danger: false,
        }
    }

    pub fn field(mut self, mut f: Field) -> Form {
        f.id = format!("f-{}-{}", self.id, f.name);
        self.fields.push(f);
        self
    }

    pub fn submit(mut self, s: &str) -> Form {
        self.submit = s.into();
        self
    }

    pub fn note(mut self, n: impl Into<String>) -> Form {
        self.note = n.into();
        self
    }

    pub fn danger(mut self) -> Form {
        self.danger = true;
        self
    }

    /// Puts an error on the form: on each field it names, the rest in the form's banner.
    pub fn with_error(mut self, e: ErrorView) -> Form {
        let mut unplaced = false;
        for (name, problem) in &e.fields {
            match self.fields.iter_mut().find(|f| &f.name == name) {
                Some(f) => f.error = Some(format!("{problem} ({})", e.code)),
                None => unplaced = true,
            }
        }
        if unplaced || e.fields.is_empty() || e.rule.is_some() {
            self.error = Some(e);
        }
        self
    }

    /// Keeps what the person typed (passwords and codes excepted) when the form comes back.
    pub fn refill(mut self, posted: &crate::session::Fields) -> Form {
        for f in &mut self.fields {
            if matches!(f.kind, Kind::Password | Kind::Code | Kind::Hidden) {
                continue;
            }
            if let Some(v) = posted.get(&f.name) {
                f.value = v.to_string();
            }
        }
        self
    }
}

/// One part of a page.
#[derive(Debug, Clone, Default)]
pub struct Section {
    pub title: String,
    pub text: String,
    /// Paragraphs of running text (an article).
    pub paras: Vec<String>,
    pub facts: Vec<(String, String)>,
    pub table: Option<Table>,
    pub forms: Vec<Form>,
    /// An SVG chart the portal drew (escaped by `chart`).
    pub svg: Option<String>,
    /// The chart's figures as a table (what a screen reader reads; a click away for anyone).
    pub chart_data: Option<Table>,
    pub links: Vec<(String, String)>,
    /// A box the script fills (`data-suggest`): suggestions while typing.
    pub live: Option<String>,
}

impl Section {
    pub fn new(title: &str) -> Section {
        Section {
            title: title.into(),
            ..Section::default()
        }
    }

    pub fn table(mut self, t: Table) -> Section {
        self.table = Some(t);
        self
    }

    pub fn form(mut self, f: Form) -> Section {
        self.forms.push(f);
        self
    }

    pub fn fact(mut self, label: &str, value: impl Into<String>) -> Section {
        self.facts.push((label.into(), value.into()));
        self
    }

    pub fn text(mut self, t: impl Into<String>) -> Section {
        self.text = t.into();
        self
    }

    /// A chart and the table of its figures.
    pub fn chart(mut self, svg: String, data: Table) -> Section {
        self.svg = Some(svg);
        self.chart_data = Some(data);
        self
    }

    pub fn link(mut self, label: &str, href: impl Into<String>) -> Section {
        self.links.push((label.into(), href.into()));
        self
    }
}

/// A signed-in page: the layout with its navigation, a notice, the sections.
#[derive(Template)]
#[template(path = "page.html", whitespace = "minimize")]
pub struct Page {
    pub title: String,
    pub lead: String,
    pub user: String,
    pub role: String,
    pub csrf: String,
    pub nav: Vec<nav::Item>,
    pub notice: Option<String>,
    pub sections: Vec<Section>,
    pub css: &'static str,
    pub js: &'static str,
}

impl Page {
    pub fn new(session: &Session, current: &str, title: &str) -> Page {
        Page {
            title: title.into(),
            lead: String::new(),
            user: session.principal.email.clone(),
            role: session.principal.role.as_str().into(),
            csrf: session.csrf.clone(),
            nav: nav::items(session, current),
            notice: None,
            sections: Vec::new(),
            css: crate::assets::css_path(),
            js: crate::assets::js_path(),
        }
    }

    pub fn lead(mut self, l: impl Into<String>) -> Page {
        self.lead = l.into();
        self
    }

    pub fn section(mut self, s: Section) -> Page {
        self.sections.push(s);
        self
    }

    pub fn notice(mut self, n: Option<String>) -> Page {
        self.notice = n;
        self
    }

    /// The page as a response with `status`.
    pub fn respond(self, status: axum::http::StatusCode) -> Result<Response, PageError> {
        let html = self.render().map_err(|e| {
            PageError::from(ErrorView::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "render_failed",
                e.to_string(),
            ))
        })?;
        Ok((status, Html(html)).into_response())
    }

    pub fn ok(self) -> Result<Response, PageError> {
        self.respond(axum::http::StatusCode::OK)
    }
}

/// Whether a permission shows: used to offer only the actions the role may take.
pub fn may(session: &Session, perm: Permission) -> bool {
    session.may(perm)
}
