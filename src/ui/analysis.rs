//! The analysis in the page: the fixes of the selected cell (in the why panel), the findings on
//! key column headers, and the matrix's extra views (principals nobody listed; reachable cells).
//! Everything shown comes from [`crate::analysis_view`], which asks the engine.

use crate::analysis_view::{self, AnalysisView};
use crate::state::{CellSelection, Intent};
use crate::ui::hooks::use_playground;
use kms_engine::analysis::{Finding, Fix, Outcome, Severity};
use kms_engine::catalog::Action;
use yew::prelude::*;

/// Props of [`FixList`].
#[derive(Properties, PartialEq)]
pub struct FixListProps {
    /// The selected cell.
    pub selection: CellSelection,
    /// The action explained.
    pub action: Action,
}

/// "To allow: …" / "To deny: …": the verified fixes of the explained cell, each with Apply
/// (undoable; the matrix marks what changed) and Preview (the edits and their side effects).
#[component]
pub fn FixList(props: &FixListProps) -> Html {
    let handle = use_playground();
    let state = handle.state();
    let revision = state.model().revision();
    let open = use_state(|| None::<usize>);
    let report = {
        let model = state.model();
        let selection = props.selection.clone();
        let action = props.action;
        use_memo(
            (revision, selection, action),
            move |(_, selection, action)| analysis_view::fixes_for(&model, selection, *action),
        )
    };
    let Some(report) = report.as_ref() else {
        return html! {};
    };
    let heading = if report.to_allow {
        "To allow:"
    } else {
        "To deny:"
    };
    html! {
        <div class="fixes" id="why-fixes">
            <p><strong>{ heading }</strong></p>
            if report.fixes.is_empty() {
                <p class="muted">{ report.note.clone().unwrap_or_default() }</p>
            }
            <ol class="fix-list">
                { for report.fixes.iter().enumerate().map(|(i, fix)| fix_item(&handle, &open, i, fix)) }
            </ol>
        </div>
    }
}

fn fix_item(
    handle: &crate::ui::hooks::PlaygroundHandle,
    open: &UseStateHandle<Option<usize>>,
    index: usize,
    fix: &Fix,
) -> Html {
    let apply = {
        let handle = handle.clone();
        let fix = fix.clone();
        Callback::from(move |_: MouseEvent| {
            handle.dispatch(Intent::ApplyFix(Box::new(fix.clone())))
        })
    };
    let previewing = **open == Some(index);
    let preview = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(if previewing { None } else { Some(index) }))
    };
    let summary = fix
        .summary
        .split_once(": ")
        .map_or(fix.summary.as_str(), |(_, rest)| rest)
        .to_owned();
    html! {
        <li class="fix">
            <span>{ summary }</span>
            <span class="fix-actions">
                <button class="small" onclick={apply} title="Make this change (Undo takes it back)">{ "Apply" }</button>
                <button class="link small" onclick={preview} aria-expanded={previewing.to_string()}>
                    { if previewing { "Hide preview" } else { "Preview" } }
                </button>
            </span>
            if previewing {
                <div class="fix-preview">
                    { for fix.changes.iter().map(|c| html! {
                        <pre class="fix-edit">{ serde_json::to_string_pretty(c).unwrap_or_default() }</pre>
                    }) }
                    if fix.side_effects.is_empty() {
                        <p class="muted">{ "No other cell changes." }</p>
                    } else {
                        <ul>
                            { for fix.side_effects.iter().map(|s| html! { <li>{ s.sentence() }</li> }) }
                        </ul>
                    }
                </div>
            }
        </li>
    }
}

/// The badge on a key's column header: how many findings, the worst severity, and their
/// messages as its tooltip.
pub fn finding_badge(findings: &[&Finding]) -> Html {
    let Some(worst) = findings.iter().map(|f| f.severity).max() else {
        return html! {};
    };
    let class = match worst {
        Severity::Error => "finding-error",
        Severity::Warning => "finding-warning",
        Severity::Info => "finding-info",
    };
    let title: Vec<String> = findings
        .iter()
        .map(|f| format!("{}: {}", f.severity.as_str(), f.message))
        .collect();
    html! {
        <span class={classes!("finding-badge", class)} title={title.join("\n")}
            aria-label={format!("{} finding(s), worst {}", findings.len(), worst.as_str())}>
            { findings.len() }
        </span>
    }
}

/// The matrix's extra views: toggles, the rows of principals nobody listed, the reachable cells,
/// and the audit's findings.
#[component]
pub fn MatrixExtras() -> Html {
    let handle = use_playground();
    let state = handle.state();
    let view = state.ui.analysis;
    let revision = state.model().revision();
    let set_view = |next: AnalysisView| {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| handle.dispatch(Intent::SetAnalysisView(next)))
    };
    let rows = {
        let model = state.model();
        use_memo((revision, view.synthetic), move |(_, on)| {
            if *on {
                analysis_view::synthetic_rows(&model)
            } else {
                Vec::new()
            }
        })
    };
    let reachable = {
        let model = state.model();
        use_memo((revision, view.reachable), move |(_, on)| {
            if *on {
                analysis_view::reachable(&model)
            } else {
                Vec::new()
            }
        })
    };
    let model = state.model();
    let columns = model.columns().to_vec();
    let actions = model.matrix().actions().to_vec();
    let key_name = |id: &str| {
        columns
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| id.to_string(), |c| c.name.clone())
    };
    html! {
        <div class="matrix-extras" id="matrix-extras">
            <div class="matrix-tools" role="group" aria-label="Matrix view">
                <button aria-pressed={(!view.reachable).to_string()}
                    onclick={set_view(AnalysisView { reachable: false, ..view })}>{ "Now" }</button>
                <button aria-pressed={view.reachable.to_string()} id="view-reachable"
                    onclick={set_view(AnalysisView { reachable: true, ..view })}
                    title="What each principal can give itself">{ "Reachable" }</button>
                <button aria-pressed={view.synthetic.to_string()} id="view-synthetic"
                    onclick={set_view(AnalysisView { synthetic: !view.synthetic, ..view })}
                    title="Principals nobody listed">{ "Unlisted principals" }</button>
            </div>
            if view.synthetic {
                <table class="matrix synthetic" id="synthetic-rows">
                    <thead>
                        <tr>
                            <th scope="col">{ "Nobody listed \\ Key" }</th>
                            { for columns.iter().map(|c| html! { <th scope="col">{ c.name.clone() }</th> }) }
                        </tr>
                    </thead>
                    <tbody>
                        { for rows.iter().map(|row| html! {
                            <tr>
                                <th scope="row">{ row.label }</th>
                                { for columns.iter().map(|c| {
                                    let cells: Vec<_> = row.cells.iter().filter(|x| x.key == c.id).collect();
                                    let allowed: Vec<&str> = cells.iter().filter(|x| x.outcome == Outcome::Allow).map(|x| x.action.name()).collect();
                                    let conditional: Vec<String> = cells.iter().filter(|x| !x.requires.is_empty()).map(|x| {
                                        let pairs: Vec<String> = x.requires.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                                        format!("{} for anyone who sends {}", x.action.name(), pairs.join(" and "))
                                    }).collect();
                                    let why: Vec<String> = cells.iter().map(|x| format!("{}: {}", x.action.name(), x.why)).collect();
                                    let text = if !allowed.is_empty() {
                                        allowed.join(", ")
                                    } else if !conditional.is_empty() {
                                        conditional.join("; ")
                                    } else {
                                        "None".to_owned()
                                    };
                                    let class = if !allowed.is_empty() || !conditional.is_empty() { "allow" } else { "none" };
                                    html! { <td class={class} title={why.join("\n")}>{ text }</td> }
                                }) }
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            if view.reachable {
                <div id="reachable-cells">
                    if reachable.is_empty() {
                        <p class="muted">{ "Nobody can give itself more than it has now." }</p>
                    } else {
                        <ul>
                            { for reachable.iter().filter_map(|e| {
                                let key = e.key.as_ref()?;
                                let who = model.rows().iter().find(|r| r.arn == e.principal).map_or_else(|| e.principal.to_string(), |r| r.name.clone());
                                let gains: Vec<&str> = e.gains.iter().filter(|a| actions.contains(a)).map(|a| a.name()).collect();
                                let first = *e.gains.first()?;
                                let words = analysis_view::reachable_cell(std::slice::from_ref(e), &e.principal, key, first)?;
                                let line = format!("{who} × {}: {} {words}", key_name(key), gains.join(", "));
                                Some(html! { <li>{ line }</li> })
                            }) }
                        </ul>
                    }
                </div>
            }
        </div>
    }
}
