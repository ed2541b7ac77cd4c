//! Problem lists: each problem at its line:column; clicking one selects it in its editor.

use crate::model::{DocId, DocTarget, Playground};
use crate::ui::hooks::use_playground;
use kms_engine::diagnostics::Severity;
use yew::prelude::*;

/// A document's name for people: "CMK-B key policy", "Alice / AliceKms".
pub fn document_title(model: &Playground, doc: DocId) -> String {
    match model.document(doc).map(|d| &d.target) {
        Some(DocTarget::KeyPolicy(key)) => format!("{} key policy", model.key_name(key)),
        Some(DocTarget::Identity { principal, name }) => {
            let who = model
                .world()
                .principal(principal)
                .map_or_else(|| principal.to_string(), |p| p.display_name());
            format!("{who} / {name}")
        }
        None => "(removed document)".to_owned(),
    }
}

/// Properties of [`ProblemList`].
#[derive(Properties, PartialEq)]
pub struct ProblemListProps {
    /// Only this document's problems; all documents' when `None`.
    #[prop_or_default]
    pub doc: Option<DocId>,
}

/// The problems of one document, or of all of them.
#[component]
pub fn ProblemList(props: &ProblemListProps) -> Html {
    let handle = use_playground();
    let state = handle.state();
    let model = state.model();
    let docs: Vec<_> = model
        .documents()
        .iter()
        .filter(|d| props.doc.is_none_or(|id| id == d.id))
        .filter(|d| !d.diagnostics.is_empty())
        .collect();
    if docs.is_empty() {
        return if props.doc.is_none() {
            html! { <p class="muted">{ "No problems in any document." }</p> }
        } else {
            html! {}
        };
    }
    let mut items = Vec::new();
    for doc in &docs {
        let title = document_title(&model, doc.id);
        let show_title = props.doc.is_none();
        items.extend(doc.diagnostics.iter().map(|d| {
            let (class, word) = match d.severity {
                Severity::Error => ("sev-error", "error"),
                Severity::Warning => ("sev-warning", "warning"),
            };
            let onclick = {
                let handle = handle.clone();
                let (id, start, end) = (doc.id, d.span.start as usize, d.span.end as usize);
                Callback::from(move |_: MouseEvent| handle.reveal(id, start, end, false))
            };
            html! {
                <li>
                    <button {onclick}>
                        <span class={class}>{ word }</span>
                        <span class="where">{ format!("{}{}:{}", if show_title { format!("{title} ") } else { String::new() }, d.start.line, d.start.column) }</span>
                        <span>
                            { d.message.clone() }
                            if let Some(hint) = &d.hint { <span class="muted">{ format!(" — {hint}") }</span> }
                        </span>
                    </button>
                </li>
            }
        }));
    }
    html! { <ul class="problems" aria-label="Problems">{ for items }</ul> }
}
