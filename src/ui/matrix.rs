//! The access matrix: an ARIA grid (APG pattern) with one Tab stop that remembers its cell,
//! arrow-key navigation, and Enter/Space to open the why panel with focus kept in the grid.

use crate::look::{class_of, icon_of};
use crate::matrix_view::{
    CellView, ColumnView, MatrixFilter, MatrixView, RowView, matrix_view, thousands,
};
use crate::state::{CellSelection, Intent, Owner};
use crate::ui::hooks::use_playground;
use crate::ui::icons::{Icon, IconSvg};
use kms_engine::catalog::ActionGroup;
use kms_engine::view::{ActionSet, CellKind};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

/// A cell's value for the change line, saying explicit or implicit where the cell's word alone
/// does not ("explicit Deny", "None (implicit deny)").
fn spoken(summary: &kms_engine::view::CellSummary) -> String {
    match summary.kind {
        CellKind::ExplicitDeny => format!("explicit {}", summary.word),
        CellKind::ImplicitDeny => format!("{} (implicit deny)", summary.word),
        _ => summary.word.clone(),
    }
}

/// `12.3 ms`, formatted with integers (float formatting would add its code to the download).
fn milliseconds(ms: f64) -> String {
    let tenths = (ms * 10.0).round().max(0.0) as u64;
    format!("{}.{} ms", tenths / 10, tenths % 10)
}

/// Worlds with more principals or keys than this show the filter above the matrix.
const FILTER_ABOVE: usize = 10;
/// Worlds with more principals than this render only the rows in view.
const VIRTUALIZE_ABOVE: usize = 60;
/// Rows rendered above and below the visible ones, so scrolling shows no gap.
const OVERSCAN: usize = 6;
/// How many rows a large world renders at once.
const WINDOW_ROWS: usize = 48;
/// A row's height before one is measured (the compact rows of a large world).
const ROW_HEIGHT_GUESS: f64 = 29.0;

fn cell_id(row: usize, column: usize) -> String {
    format!("cell-{row}-{column}")
}

#[derive(Properties, PartialEq)]
struct RowProps {
    row: Rc<RowView>,
    /// Its position in the grid (the filter may hide rows above it).
    position: usize,
    /// The column holding the grid's Tab stop, if it is in this row.
    focus: Option<usize>,
    /// The selected column, if the selection is in this row.
    selected: Option<usize>,
    on_cell: Callback<(usize, usize)>,
    on_head: Callback<usize>,
}

/// One row. Rows re-render only when their own cells, focus or selection change.
#[component]
fn MatrixRow(props: &RowProps) -> Html {
    let row = &props.row;
    let index = props.position;
    let on_head = {
        let on_head = props.on_head.clone();
        Callback::from(move |_: MouseEvent| on_head.emit(index))
    };
    html! {
        <tr role="row" aria-rowindex={(index + 2).to_string()}>
            <th role="rowheader" scope="row" title={row.arn.to_string()}>
                <button class="head" tabindex="-1" onclick={on_head}
                    aria-label={format!("{} ({}): open its IAM policies", row.name, row.kind)}>
                    { row.name.to_string() }
                    <span class="sub">{ row.kind }</span>
                </button>
            </th>
            { for row.cells.iter().enumerate().map(|(column, cell)| {
                let on_cell = props.on_cell.clone();
                let onclick = Callback::from(move |_: MouseEvent| on_cell.emit((index, column)));
                let focused = props.focus == Some(column);
                let selected = props.selected == Some(column);
                html! {
                    <td role="gridcell" id={cell_id(index, column)}
                        tabindex={if focused { "0" } else { "-1" }}
                        aria-selected={selected.to_string()}
                        aria-label={cell.label.to_string()}
                        title={cell.label.to_string()}
                        {onclick}>
                        { cell_body(cell) }
                    </td>
                }
            }) }
        </tr>
    }
}

fn cell_body(cell: &CellView) -> Html {
    html! {
        <div class={classes!("cell", class_of(cell.kind), cell.changed.then_some("changed"), cell.stale.then_some("stale"))}
            aria-hidden="true">
            { icon_of(cell.kind).html() }
            <span class="word">{ cell.word.to_string() }</span>
            if let Some(note) = &cell.note {
                <span class="extra">{ note.to_string() }</span>
            }
        </div>
    }
}

fn column_head(column: &ColumnView, on_key: Callback<usize>, badge: Html) -> Html {
    let key = column.key;
    let onclick = Callback::from(move |_: MouseEvent| on_key.emit(key));
    let (title, sub) = match column.action {
        Some((_, action)) => (
            column.name.to_string(),
            action.trim_start_matches("kms:").to_owned(),
        ),
        None => (
            column.name.to_string(),
            if column.state == "Enabled" {
                String::new()
            } else {
                column.state.to_owned()
            },
        ),
    };
    html! {
        <th role="columnheader" scope="col" title={column.arn.to_string()}>
            <button class="head" tabindex="-1" {onclick}
                aria-label={format!("{title}{}: open its key policy", if sub.is_empty() { String::new() } else { format!(" {sub}") })}>
                { title }
                if !sub.is_empty() { <span class="sub">{ sub }</span> }
            </button>
            { badge }
        </th>
    }
}

/// Where the arrow keys move the Tab stop.
fn next_focus(
    key: &str,
    ctrl: bool,
    at: (usize, usize),
    rows: usize,
    columns: usize,
) -> Option<(usize, usize)> {
    let (row, column) = at;
    let last_row = rows.checked_sub(1)?;
    let last_column = columns.checked_sub(1)?;
    let page = 10;
    Some(match key {
        "ArrowUp" => (row.saturating_sub(1), column),
        "ArrowDown" => ((row + 1).min(last_row), column),
        "ArrowLeft" => (row, column.saturating_sub(1)),
        "ArrowRight" => (row, (column + 1).min(last_column)),
        "Home" if ctrl => (0, 0),
        "End" if ctrl => (last_row, last_column),
        "Home" => (row, 0),
        "End" => (row, last_column),
        "PageUp" => (row.saturating_sub(page), column),
        "PageDown" => ((row + page).min(last_row), column),
        _ => return None,
    })
}

/// The action picker's choices: the scenario's actions, every group, every key action, and all
/// of them.
fn picker_options(
    scenario: Option<ActionSet>,
    current: &ActionSet,
    specs: &[kms_engine::catalog::KeySpec],
) -> Vec<(String, String)> {
    let mut options = Vec::new();
    if let Some(set) = scenario {
        options.push((set.id(), format!("Scenario: {}", set.label())));
    }
    if matches!(current, ActionSet::Listed(_)) && !options.iter().any(|(id, _)| *id == current.id())
    {
        options.push((current.id(), current.label()));
    }
    options.push((ActionSet::All.id(), "All key actions".to_owned()));
    for group in ActionSet::GROUPS {
        let set = ActionSet::Group(group);
        let label = match group {
            ActionGroup::Cryptographic => "Cryptographic (use)",
            ActionGroup::Administrative => "Administrative",
            ActionGroup::Grants => "Grants",
            ActionGroup::Read => "Read",
        };
        options.push((set.id(), label.to_owned()));
    }
    // Every action of the kinds of key the world holds (GenerateMac with an HMAC key).
    for action in ActionSet::All.actions_for(specs) {
        options.push((action.action.to_owned(), action.action.to_owned()));
    }
    options
}

/// The matrix panel: picker, grid, legend, change line and status line.
#[component]
pub fn AccessMatrix() -> Html {
    let handle = use_playground();
    let state = handle.state();
    let previous = use_mut_ref(|| None::<MatrixView>);
    let view = {
        let model = state.model();
        let expanded = state.ui.expanded;
        let revision = state.revision;
        let previous = previous.clone();
        // The view is rebuilt when the model's revision or the layout changes, reusing untouched
        // rows of the previous view.
        use_memo((revision, expanded), move |_| {
            let view = matrix_view(&model, expanded, previous.borrow().as_ref());
            *previous.borrow_mut() = Some(view.clone());
            view
        })
    };
    // The audit runs when the world changes, not when a cell is selected.
    let findings = {
        let model = state.model();
        use_memo(model.revision(), move |_| {
            crate::analysis_view::header_findings(&model)
        })
    };
    let focus = use_state(|| (0usize, 0usize));
    let grid_has_focus: Rc<RefCell<bool>> = use_mut_ref(|| false);

    let model = state.model();
    let rows = view.rows.len();
    let columns = view.columns.len();
    let focus_at = (
        focus.0.min(rows.saturating_sub(1)),
        focus.1.min(columns.saturating_sub(1)),
    );

    // A large world renders only the rows in view (and a few around them): every row in the DOM
    // costs the browser layout, paint and hit testing on every keystroke in the editor.
    let wrap = use_node_ref();
    let top_spacer = use_node_ref();
    let bottom_spacer = use_node_ref();
    let scroll = use_state(|| (0.0_f64, 800.0_f64));
    let row_height = use_state(|| ROW_HEIGHT_GUESS);
    let virtual_rows = rows > VIRTUALIZE_ABOVE;
    let window = if virtual_rows {
        // A fixed number of rows (enough for a tall screen): the window only ever slides, so
        // rows already on screen are kept as they are, focus included.
        let first = ((scroll.0 / *row_height) as usize).saturating_sub(OVERSCAN);
        let first = first.min(rows.saturating_sub(WINDOW_ROWS));
        (first, (first + WINDOW_ROWS).min(rows))
    } else {
        (0, rows)
    };
    {
        let (top_spacer, bottom_spacer, wrap) =
            (top_spacer.clone(), bottom_spacer.clone(), wrap.clone());
        let row_height = row_height.clone();
        use_effect_with(
            (window, rows, *row_height),
            move |&((first, last), rows, height)| {
                // Spacers stand in for the rows not rendered; sizes go through the CSSOM, since the
                // page's CSP forbids inline styles.
                let set = |node: &NodeRef, px: f64| {
                    if let Some(el) = node.cast::<HtmlElement>() {
                        let _ = el
                            .style()
                            .set_property("height", &format!("{}px", px.round() as i64));
                    }
                };
                set(&top_spacer, first as f64 * height);
                set(&bottom_spacer, rows.saturating_sub(last) as f64 * height);
                // Learn the real row height from a rendered row.
                let measured = wrap
                    .cast::<HtmlElement>()
                    .and_then(|w| w.query_selector("tbody tr[role='row']").ok().flatten())
                    .and_then(|r| r.dyn_into::<HtmlElement>().ok())
                    .map(|r| f64::from(r.offset_height()))
                    .filter(|h| *h > 0.0);
                if let Some(measured) = measured {
                    if (measured - height).abs() > 0.5 {
                        row_height.set(measured);
                    }
                }
            },
        );
    }
    let onscroll = {
        let scroll = scroll.clone();
        let wrap = wrap.clone();
        Callback::from(move |_: Event| {
            // Read the grid's own scroller: Yew may deliver other elements' scroll events here.
            if let Some(el) = wrap.cast::<HtmlElement>() {
                scroll.set((f64::from(el.scroll_top()), f64::from(el.client_height())));
            }
        })
    };

    // Keep DOM focus on the Tab stop after it moves, or after the rows in view changed under it
    // (only while the grid has focus).
    {
        let grid_has_focus = grid_has_focus.clone();
        use_effect_with((focus_at, window), move |&((row, column), _)| {
            if *grid_has_focus.borrow() {
                if let Some(el) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.get_element_by_id(&cell_id(row, column)))
                    .and_then(|e| e.dyn_into::<HtmlElement>().ok())
                {
                    let _ = el.focus();
                }
            }
        });
    }

    // Row callbacks must stay the same across renders, or every row would re-render on every
    // edit; they read the latest view and handle through this cell instead of capturing them.
    let latest = use_mut_ref(|| None::<(Rc<MatrixView>, crate::ui::hooks::PlaygroundHandle)>);
    *latest.borrow_mut() = Some((view.clone(), handle.clone()));
    let select = {
        let latest = latest.clone();
        let focus = focus.setter();
        move |(row, column): (usize, usize)| {
            let Some((view, handle)) = latest.borrow().clone() else {
                return;
            };
            let model = handle.state().model();
            let (Some(row_view), Some(column_view)) =
                (view.rows.get(row), view.columns.get(column))
            else {
                return;
            };
            let Some(key) = model.columns().get(column_view.key).map(|c| c.id.clone()) else {
                return;
            };
            let Some(principal) = model.rows().get(row_view.index).map(|r| r.arn.clone()) else {
                return;
            };
            let action = column_view
                .action
                .and_then(|(i, _)| model.matrix().actions().get(i).copied());
            let selection = CellSelection {
                principal,
                key,
                action,
            };
            drop(model);
            focus.set((row, column));
            handle.select_cell(selection);
            bring_details_into_view();
        }
    };
    let on_cell = {
        let select = select.clone();
        let grid_has_focus = grid_has_focus.clone();
        use_callback((), move |at: (usize, usize), _| {
            *grid_has_focus.borrow_mut() = true;
            select(at)
        })
    };
    let on_head = {
        let latest = latest.clone();
        use_callback((), move |row: usize, _| {
            let current = latest.borrow().clone();
            if let Some((view, handle)) = current {
                let head = view.rows.get(row).and_then(|r| {
                    handle
                        .state()
                        .model()
                        .rows()
                        .get(r.index)
                        .map(|h| h.arn.clone())
                });
                if let Some(arn) = head {
                    handle.select_owner(Owner::Principal(arn));
                }
            }
        })
    };
    let on_key = {
        let handle = handle.clone();
        let keys: Vec<_> = model.columns().iter().map(|c| c.id.clone()).collect();
        Callback::from(move |column: usize| {
            if let Some(id) = keys.get(column) {
                handle.select_owner(Owner::Key(id.clone()));
            }
        })
    };
    let onkeydown = {
        let focus = focus.clone();
        let select = select.clone();
        let grid_has_focus = grid_has_focus.clone();
        let (wrap, scroll, row_height) = (wrap.clone(), scroll.clone(), *row_height);
        Callback::from(move |event: KeyboardEvent| {
            *grid_has_focus.borrow_mut() = true;
            let key = event.key();
            if key == "Enter" || key == " " {
                event.prevent_default();
                select(focus_at);
                return;
            }
            let ctrl = event.ctrl_key() || event.meta_key();
            if let Some(next) = next_focus(&key, ctrl, focus_at, rows, columns) {
                event.prevent_default();
                // Bring the new row into view first, so that it is rendered when focus moves.
                if let Some(el) = wrap.cast::<HtmlElement>() {
                    let header = el
                        .query_selector("thead")
                        .ok()
                        .flatten()
                        .and_then(|h| h.dyn_into::<HtmlElement>().ok())
                        .map_or(0.0, |h| f64::from(h.offset_height()));
                    let (top, height) = (f64::from(el.scroll_top()), f64::from(el.client_height()));
                    let row_top = next.0 as f64 * row_height;
                    let wanted = if row_top < top {
                        Some(row_top)
                    } else if row_top + row_height + header > top + height {
                        Some(row_top + row_height + header - height)
                    } else {
                        None
                    };
                    if let Some(wanted) = wanted {
                        el.set_scroll_top(wanted.max(0.0) as i32);
                        scroll.set((f64::from(el.scroll_top()), height));
                    }
                }
                focus.set(next);
            }
        })
    };
    // Focus leaving for an element outside the grid ends keyboard navigation; focus lost with no
    // new target (the focused row scrolled out of the rendered window) does not.
    let onfocusout = {
        let grid_has_focus = grid_has_focus.clone();
        let wrap = wrap.clone();
        Callback::from(move |event: FocusEvent| {
            let Some(next) = event.related_target() else {
                return;
            };
            let inside = wrap
                .cast::<web_sys::Node>()
                .zip(next.dyn_ref::<web_sys::Node>())
                .is_some_and(|(grid, node)| grid.contains(Some(node)));
            if !inside {
                *grid_has_focus.borrow_mut() = false;
            }
        })
    };

    let selected = state.ui.selection.as_ref().and_then(|s| {
        let row = view.position_of_row(model.row_of(s.principal.as_str())?)?;
        let key_column = model.column_of(&s.key)?;
        let column = view.columns.iter().position(|c| {
            c.key == key_column
                && match (c.action, s.action) {
                    (Some((i, _)), Some(action)) => {
                        model.matrix().actions().get(i) == Some(&action)
                    }
                    (None, _) => true,
                    (Some(_), None) => false,
                }
        })?;
        Some((row, column))
    });

    let current_set = model.action_set().clone();
    let onchange_set = {
        let handle = handle.clone();
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<web_sys::HtmlSelectElement>() {
                if let Some(set) = ActionSet::from_id(&select.value()) {
                    handle.set_actions(set);
                }
            }
        })
    };
    let compact = rows > 30;

    // The filter: shown once a world is too big to take in at a glance, or while it hides rows.
    let filter = view.filter.clone();
    let show_filter = filter.is_active()
        || view.total_principals > FILTER_ABOVE
        || view.total_keys > FILTER_ABOVE;
    let on_filter = |principals: bool| {
        let handle = handle.clone();
        let filter = filter.clone();
        Callback::from(move |event: InputEvent| {
            let Some(input) = event.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            let mut next = filter.clone();
            if principals {
                next.principals = input.value();
            } else {
                next.keys = input.value();
            }
            handle.dispatch(Intent::SetMatrixFilter(next));
        })
    };
    let clear_filter =
        handle.callback(|_: MouseEvent| Intent::SetMatrixFilter(MatrixFilter::default()));
    let shown_line = view.shown_line().unwrap_or_else(|| {
        format!(
            "All {} principals and {} keys",
            thousands(view.total_principals),
            thousands(view.total_keys)
        )
    });

    let stale_docs = model.documents().iter().filter(|d| d.stale).count();
    let changes = model.changes();
    let stats = model.stats();

    let about = model.description().map(str::to_owned);
    let key_notes = model.key_descriptions();
    let first_hint = state.ui.selection.is_none();
    let set_summary = {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| handle.set_expanded(false))
    };
    let set_per_action = {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| handle.set_expanded(true))
    };

    html! {
        <section class="pane matrix-pane" aria-labelledby="matrix-title">
            if about.is_some() || first_hint {
                <div class="about" id="scenario-about">
                    if let Some(text) = about {
                        <p id="scenario-description">{ text }</p>
                    }
                    if !key_notes.is_empty() {
                        <details>
                            <summary>{ "The keys" }</summary>
                            <dl class="kv">
                                { for key_notes.iter().map(|(name, text)| html! { <><dt>{ name.clone() }</dt><dd>{ text.clone() }</dd></> }) }
                            </dl>
                        </details>
                    }
                    if first_hint {
                        <p class="hint" id="first-hint">{ "Click a cell (or move there with the arrow keys and press Enter) to see why it says what it says." }</p>
                    }
                </div>
            }
            <div class="pane-head">
                <h2 id="matrix-title">{ "Access" }</h2>
                <div class="matrix-tools">
                    <label for="action-picker">{ "Actions" }</label>
                    <select id="action-picker" onchange={onchange_set}>
                        { for picker_options(model.scenario_actions(), &current_set, &kms_engine::view::key_specs_of(model.world())).into_iter().map(|(id, label)| {
                            let selected = id == current_set.id();
                            html! { <option value={id} {selected}>{ label }</option> }
                        }) }
                    </select>
                    <div class="switch" role="group" aria-label="Columns">
                        <button type="button" id="columns-summary" aria-pressed={(!state.ui.expanded).to_string()} onclick={set_summary}
                            title="One column per key, its cells in words">{ "Per key" }</button>
                        <button type="button" id="columns-per-action" aria-pressed={state.ui.expanded.to_string()} onclick={set_per_action}
                            title="One column per key and action">{ "Per action" }</button>
                    </div>
                </div>
            </div>
            if show_filter {
                <div class="matrix-filter" role="search" aria-label="Filter the matrix">
                    <label for="filter-principals">{ "Principals" }</label>
                    <input id="filter-principals" type="search" value={filter.principals.clone()} oninput={on_filter(true)}
                        placeholder="name or ARN: lambda, Admin" autocomplete="off" spellcheck="false" />
                    <label for="filter-keys">{ "Keys" }</label>
                    <input id="filter-keys" type="search" value={filter.keys.clone()} oninput={on_filter(false)}
                        placeholder="alias or key id" autocomplete="off" spellcheck="false" />
                    <span id="filter-count" class="muted" aria-live="polite">{ shown_line }</span>
                    if filter.is_active() {
                        <button type="button" class="small" id="filter-clear" onclick={clear_filter}>{ "Show all" }</button>
                    }
                </div>
            }
            if filter.is_active() && (rows == 0 || columns == 0) {
                <p class="hint" id="filter-empty">{
                    if rows == 0 { "No principal's name or ARN holds those words. Words separated by spaces or commas match any of them." }
                    else { "No key's name or ARN holds those words. Words separated by spaces or commas match any of them." }
                }</p>
            }
            <div class="matrix-wrap" ref={wrap} {onscroll}>
                <table id="matrix" class={classes!("matrix", compact.then_some("compact"))} role="grid"
                    aria-labelledby="matrix-title"
                    aria-rowcount={(rows + 1).to_string()} aria-colcount={(columns + 1).to_string()}
                    {onkeydown} {onfocusout}>
                    <thead>
                        <tr role="row" aria-rowindex="1">
                            <th role="columnheader" scope="col">{ "Principal \\ Key" }</th>
                            { for view.columns.iter().map(|c| {
                                let on_key_findings = model.columns().get(c.key).map(|k| crate::analysis_view::findings_for_key(&findings, &k.id)).unwrap_or_default();
                                column_head(c, on_key.clone(), crate::ui::analysis::finding_badge(&on_key_findings))
                            }) }
                        </tr>
                    </thead>
                    <tbody>
                        if virtual_rows {
                            <tr class="spacer" aria-hidden="true" ref={top_spacer}><td colspan={(columns + 1).to_string()}></td></tr>
                        }
                        { for view.rows.iter().enumerate().skip(window.0).take(window.1 - window.0).map(|(position, row)| {
                            let focus = (focus_at.0 == position).then_some(focus_at.1);
                            let selected = selected.filter(|s| s.0 == position).map(|s| s.1);
                            if virtual_rows {
                                // Unkeyed: as the window slides, each slot takes the next row in
                                // place instead of moving DOM nodes (which would drop focus).
                                html! {
                                    <MatrixRow row={row.clone()} {position} {focus} {selected}
                                        on_cell={on_cell.clone()} on_head={on_head.clone()} />
                                }
                            } else {
                                html! {
                                    <MatrixRow key={row.arn.to_string()} row={row.clone()} {position} {focus} {selected}
                                        on_cell={on_cell.clone()} on_head={on_head.clone()} />
                                }
                            }
                        }) }
                        if virtual_rows {
                            <tr class="spacer" aria-hidden="true" ref={bottom_spacer}><td colspan={(columns + 1).to_string()}></td></tr>
                        }
                    </tbody>
                </table>
            </div>
            <crate::ui::analysis::MatrixExtras />
            <div class="legend" aria-hidden="true">
                <span class="allow"><IconSvg icon={Icon::Allow} />{ "allowed" }</span>
                <span class="allow"><IconSvg icon={Icon::Partial} />{ "partly" }</span>
                <span class="deny"><IconSvg icon={Icon::Deny} />{ "explicit deny" }</span>
                <span class="none"><IconSvg icon={Icon::None} />{ "implicit deny" }</span>
                <span class="pending"><IconSvg icon={Icon::Pending} />{ "token only" }</span>
                <span class="blocked"><IconSvg icon={Icon::Blocked} />{ "key state" }</span>
            </div>
            <div class="change-line" id="change-line" aria-live="polite">
                if changes.is_empty() {
                    <span class="muted">{ "No cell changed in the last edit." }</span>
                } else {
                    { for changes.iter().take(3).map(|c| {
                        let row = model.rows().get(c.row).map_or("", |r| r.name.as_str());
                        let column = model.columns().get(c.column).map_or("", |k| k.name.as_str());
                        html! {
                            <div>
                                <span class="star">{ "* " }</span>
                                { format!("{row} × {column}: {} → {}", spoken(&c.before), spoken(&c.after)) }
                                if let Some(cause) = &c.cause {
                                    <span class="muted">{ format!(" ({cause})") }</span>
                                }
                            </div>
                        }
                    }) }
                    if changes.len() > 3 {
                        <div class="muted">{ format!("and {} more cells", changes.len() - 3) }</div>
                    }
                }
            </div>
            <div class="status-line" id="status-line">
                <span>{ format!("{} decisions", stats.decisions) }</span>
                <span>{ milliseconds(stats.millis) }</span>
                <span>{ format!("{} × {}", model.rows().len(), model.columns().len()) }</span>
                if stale_docs > 0 {
                    <span class="stale">{ format!("stale: {stale_docs} document(s) do not parse") }</span>
                }
                <span class="spacer"></span>
                <span>{ format!("engine {}", kms_engine::VERSION) }</span>
            </div>
        </section>
    }
}

/// On a phone the details drawer sits below the matrix, so the answer to a tapped cell would
/// open off screen: once the drawer has rendered, scroll it up when less of it shows than a
/// few lines. On a wide screen it is already in view and nothing moves.
fn bring_details_into_view() {
    const ENOUGH_SHOWN_PX: f64 = 200.0;
    gloo::timers::callback::Timeout::new(0, || {
        let Some(window) = web_sys::window() else {
            return;
        };
        let Some(drawer) = window
            .document()
            .and_then(|d| d.get_element_by_id("drawer"))
        else {
            return;
        };
        let viewport = window
            .inner_height()
            .ok()
            .and_then(|h| h.as_f64())
            .unwrap_or_default();
        if viewport - drawer.get_bounding_client_rect().top() < ENOUGH_SHOWN_PX {
            drawer.scroll_into_view_with_bool(true);
        }
    })
    .forget();
}
