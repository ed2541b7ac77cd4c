//! The app's one reducer: every user intent is an [`Intent`], applied to the [`AppState`] in one
//! place. Components render the state and dispatch intents; they change nothing themselves.
//!
//! The domain model ([`Playground`]) sits behind an `Rc<RefCell<_>>` so that an intent updates the
//! large derived state (the matrix) in place instead of copying it per keystroke; the
//! [`AppState::revision`] counter tells views that it changed. UI choices (what is selected, which
//! drawer panel is open) are plain values beside it.

use crate::model::{DocId, DocTarget, ModelError, NewPrincipal, Playground};
use crate::panels::console::ConsoleIntent;
use crate::panels::{PanelEffect, PanelIntent, Panels};
use crate::presets::Preset;
use kms_engine::catalog::Action;
use kms_engine::request::PrincipalArn;
use kms_engine::view::ActionSet;
use std::cell::{Ref, RefCell};
use std::rc::Rc;

/// What the sidebar has selected: a principal or a key, whose documents the editor shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner {
    /// A principal, by ARN.
    Principal(PrincipalArn),
    /// A key.
    Key(String),
}

/// The selected matrix cell (and the action the why panel explains).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellSelection {
    /// The principal's ARN.
    pub principal: PrincipalArn,
    /// The key.
    pub key: String,
    /// The action explained; `None` picks the one that decides the cell.
    pub action: Option<Action>,
}

/// The bottom drawer's panels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DrawerTab {
    /// The explanation of the selected cell.
    Why,
    /// Every problem in every document.
    Problems,
    /// Grants: create, list, retire and revoke, with the simulated clock.
    Grants,
    /// Encrypt, decrypt, GenerateDataKey and ReEncrypt, with the ciphertext inspector.
    Crypto,
    /// The `aws` console.
    Console,
    /// The scenario's expectations, checked live.
    Expectations,
}

/// The workspace pane a narrow screen shows; wide screens show all three side by side.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pane {
    /// The principals and keys.
    Lists,
    /// The policy editor.
    Editor,
    /// The access matrix.
    #[default]
    Matrix,
}

/// A request to select a byte range in a document's editor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RevealRequest {
    /// The document.
    pub doc: DocId,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Whether the editor takes the keyboard focus ([`Intent::Reveal`]).
    pub focus: bool,
    /// Distinguishes repeated requests for the same range.
    pub serial: u32,
}

/// A message at the top of the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// What happened.
    pub text: String,
    /// Whether it reports a failure.
    pub error: bool,
    /// Whether it offers to undo what it reports.
    pub undo: bool,
}

impl Notice {
    fn error(text: impl Into<String>) -> Notice {
        Notice {
            text: text.into(),
            error: true,
            undo: false,
        }
    }

    fn undoable(text: impl Into<String>) -> Notice {
        Notice {
            text: text.into(),
            error: false,
            undo: true,
        }
    }
}

/// How many world changes can be undone.
const HISTORY_LIMIT: usize = 30;

/// Undo and redo stacks of whole playgrounds, each with what the step did.
#[derive(Debug, Default)]
struct History {
    undo: Vec<(String, Playground)>,
    redo: Vec<(String, Playground)>,
    /// The document being typed in since the last undo step: further keystrokes there join
    /// that step, so Undo takes back a burst of typing, not one character.
    typing: Option<DocId>,
}

/// Plain UI state.
#[derive(Clone, Debug, PartialEq)]
pub struct UiState {
    /// The sidebar selection.
    pub owner: Option<Owner>,
    /// The document open in the editor.
    pub document: Option<DocId>,
    /// The selected cell.
    pub selection: Option<CellSelection>,
    /// One column per action instead of one summary per key.
    pub expanded: bool,
    /// The drawer panel shown, if the drawer is open.
    pub drawer: Option<DrawerTab>,
    /// The last range the editor was asked to select.
    pub reveal: Option<RevealRequest>,
    /// A statement to highlight in its document (the why panel's "show statement").
    pub highlight: Option<(DocId, usize, usize)>,
    /// A message for the user.
    pub notice: Option<Notice>,
    /// Saved data that could not be restored, offered for download.
    pub recovery: Option<String>,
    /// Another tab saved over the autosave this tab started from.
    pub other_tab_saved: bool,
    /// The share link last made, shown for copying.
    pub share_link: Option<String>,
    /// The pane a narrow screen shows.
    pub pane: Pane,
    /// The request the why panel decides: its context, tokens and condition keys.
    pub request: crate::why::RequestInputs,
    /// Unlisted principals' rows and reachable cells.
    pub analysis: crate::analysis_view::AnalysisView,
    /// Where the page's RSA and elliptic-curve code stands.
    pub asymmetric: AsymmetricModule,
}

/// Where the page's RSA and elliptic-curve code stands: a WebAssembly module of its own, loaded
/// when the page first needs it ([`AppState::wants_asymmetric_module`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum AsymmetricModule {
    /// Not asked for yet.
    #[default]
    NotLoaded,
    /// On its way.
    Loading,
    /// Installed: asymmetric operations compute.
    Loaded,
    /// The load failed; the sentence says so.
    Failed(String),
}

/// Everything a user can ask the app to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Intent {
    /// The text of a document changed.
    EditDocument {
        /// The document.
        doc: DocId,
        /// Its whole new text.
        text: String,
    },
    /// Select a principal or key in the sidebar (opens its first document).
    SelectOwner(Owner),
    /// Open a document in the editor.
    SelectDocument(DocId),
    /// Select a matrix cell and show why.
    SelectCell(CellSelection),
    /// Choose the actions the matrix shows.
    SetActions(ActionSet),
    /// Show one column per action, or one summary per key.
    SetExpanded(bool),
    /// Open a drawer panel (or close the drawer with `None`).
    OpenDrawer(Option<DrawerTab>),
    /// Show one workspace pane on a narrow screen.
    ShowPane(Pane),
    /// Change the request the why panel decides.
    EditRequest(crate::why::RequestEdit),
    /// Pin the selected cell's decision (for the why panel's request) as an expectation.
    AddExpectation,
    /// Open the why panel on a cell with a given request (a link to a request).
    ShowRequest {
        /// The cell.
        selection: CellSelection,
        /// The request.
        request: Box<crate::why::RequestInputs>,
    },
    /// Select a range of a document in its editor (a problem, a statement).
    Reveal {
        /// The document.
        doc: DocId,
        /// First byte.
        start: usize,
        /// One past the last byte.
        end: usize,
        /// Also keep it highlighted (a statement the why panel points at).
        highlight: bool,
        /// Put the keyboard focus in the editor, as after a click on a problem or a statement
        /// link. A step of the course reveals without it: the focus stays on the course's
        /// buttons, and a phone neither scrolls away from the question nor opens its keyboard.
        focus: bool,
    },
    /// Attach a new identity policy to a principal.
    AddPolicy {
        /// The principal's ARN.
        principal: PrincipalArn,
        /// The new policy's name.
        name: String,
    },
    /// Rename an identity policy.
    RenamePolicy {
        /// The document.
        doc: DocId,
        /// The new name.
        name: String,
    },
    /// Detach an identity policy.
    RemovePolicy(DocId),
    /// Move the simulated clock forward.
    AdvanceClock {
        /// Milliseconds.
        millis: i64,
    },
    /// Hide the notice.
    DismissNotice,
    /// The asymmetric module's load started, ended or failed.
    AsymmetricModule(AsymmetricModule),
    /// Something done in a hands-on panel (caller, wizard, grants, crypto, console).
    Panel(PanelIntent),
    /// Replace the world with a preset (undoable).
    LoadPreset(Preset),
    /// Replace the world with a scenario file's (undoable). A bad file changes nothing and
    /// reports every problem with line:column.
    ImportScenario {
        /// The file's text.
        text: String,
        /// Where it came from, for the notice ("lecture.json", "the share link").
        source: String,
    },
    /// Replace the world with what "Import from AWS…" made of the AWS CLI's outputs (undoable),
    /// the matrix filtered as chosen.
    OpenImport(Box<crate::aws_import::ImportedWorld>),
    /// Show only the principals and keys the filter picks.
    SetMatrixFilter(crate::matrix_view::MatrixFilter),
    /// Add a principal (undoable).
    AddPrincipal {
        /// User, role or account root.
        kind: NewPrincipal,
        /// The user or role name (ignored for a root).
        name: String,
        /// The account (the scenario's when `None`).
        account: Option<String>,
    },
    /// Remove a principal (undoable).
    RemovePrincipal(PrincipalArn),
    /// Add a key with the default key policy (undoable).
    AddKey {
        /// Its name (and alias).
        name: String,
    },
    /// Remove a key (undoable).
    RemoveKey(String),
    /// Show a message.
    Notify {
        /// The message.
        text: String,
        /// Whether it reports a failure.
        error: bool,
    },
    /// Offer saved data that could not be restored for download (or stop offering it).
    OfferRecovery(Option<String>),
    /// Another tab saved its own state (or the user chose what to keep).
    OtherTabSaved(bool),
    /// Replace this tab's state with what another tab saved (not undoable: it is a reload).
    AdoptSaved(Box<AppState>),
    /// Show (or hide, with `None`) the share link.
    ShowShareLink(Option<String>),
    /// Make a proposed fix (undoable; the matrix marks what it changed).
    ApplyFix(Box<kms_engine::analysis::Fix>),
    /// Show or hide unlisted principals' rows and reachable cells.
    SetAnalysisView(crate::analysis_view::AnalysisView),
    /// Something asked of the tour or an exercise.
    Course(crate::course::CourseIntent),
    /// Undo the last world change.
    Undo,
    /// Redo the last undone world change.
    Redo,
}

/// The app's state: the domain model and the UI choices.
#[derive(Clone, Debug)]
pub struct AppState {
    model: Rc<RefCell<Playground>>,
    history: Rc<RefCell<History>>,
    /// Increases with every applied intent, so views see every change.
    pub revision: u64,
    /// UI choices.
    pub ui: UiState,
    /// The hands-on panels.
    pub panels: Panels,
    /// The tour or exercise open beside the playground.
    pub course: crate::course::Course,
    reveal_serial: u32,
}

impl PartialEq for AppState {
    fn eq(&self, other: &AppState) -> bool {
        Rc::ptr_eq(&self.model, &other.model) && self.revision == other.revision
    }
}

impl AppState {
    /// A state over `playground`, with its first key selected.
    pub fn new(playground: Playground) -> AppState {
        let owner = playground
            .columns()
            .first()
            .map(|c| Owner::Key(c.id.clone()));
        let document = playground
            .columns()
            .first()
            .and_then(|c| playground.key_policy_doc(&c.id))
            .map(|d| d.id);
        let panels = Panels::new(playground.world(), playground.now());
        let mut course = crate::course::Course::default();
        course.world_loaded(&playground);
        AppState {
            model: Rc::new(RefCell::new(playground)),
            history: Rc::new(RefCell::new(History::default())),
            revision: 0,
            ui: UiState {
                owner,
                document,
                selection: None,
                expanded: false,
                drawer: Some(DrawerTab::Why),
                reveal: None,
                highlight: None,
                notice: None,
                recovery: None,
                other_tab_saved: false,
                share_link: None,
                pane: Pane::default(),
                request: crate::why::RequestInputs::default(),
                analysis: crate::analysis_view::AnalysisView::default(),
                asymmetric: AsymmetricModule::default(),
            },
            panels,
            course,
            reveal_serial: 0,
        }
    }

    /// The domain model, for reading.
    pub fn model(&self) -> Ref<'_, Playground> {
        self.model.borrow()
    }

    /// Whether the page should load its RSA and elliptic-curve code now: the engine has no
    /// asymmetric backend yet, none is on its way, and something on the page may compute with
    /// an asymmetric key: the world has one, the create-key wizard's key type is asymmetric, or
    /// the `aws` console is open (any command there may create or use one, or ask for an RSA
    /// wrapping key). A failed load is not retried on its own; reloading the page tries again.
    pub fn wants_asymmetric_module(&self) -> bool {
        if self.ui.asymmetric != AsymmetricModule::NotLoaded
            || kms_engine::crypto::backend::available()
        {
            return false;
        }
        let wizard_asymmetric = self
            .panels
            .wizard
            .as_ref()
            .is_some_and(|wizard| wizard.key_spec.row().asymmetric);
        wizard_asymmetric
            || self.ui.drawer == Some(DrawerTab::Console)
            || self
                .model()
                .world()
                .keys
                .keys()
                .any(|key| key.spec.row().asymmetric)
    }

    /// Applies one intent. Failures become a notice; nothing half-applied stays.
    pub fn apply(&mut self, intent: Intent) {
        // An open exercise refuses edits outside what it lets the student change.
        let refusal = self.course.refuse(&self.model.borrow(), &intent);
        if let Some(refusal) = refusal {
            self.ui.notice = Some(Notice::error(refusal));
            self.revision += 1;
            return;
        }
        let before = self
            .course
            .watches(&intent)
            .then(|| self.model.borrow().clone());
        if let Err(error) = self.try_apply(intent) {
            self.ui.notice = Some(Notice::error(error.to_string()));
        }
        if let (Some(before), Some(session)) = (before, &self.course.exercise) {
            let refusal = session.refuse_change(before.world(), self.model.borrow().world());
            if let Some(refusal) = refusal {
                *self.model.borrow_mut() = before;
                self.ui.notice = Some(Notice::error(refusal));
            }
        }
        self.revision += 1;
    }

    /// What Undo would undo, if anything.
    pub fn undo_label(&self) -> Option<String> {
        self.history
            .borrow()
            .undo
            .last()
            .map(|(label, _)| label.clone())
    }

    /// What Redo would redo, if anything.
    pub fn redo_label(&self) -> Option<String> {
        self.history
            .borrow()
            .redo
            .last()
            .map(|(label, _)| label.clone())
    }

    /// Runs a world change that can be undone: on success the previous playground goes on the
    /// undo stack; on failure the playground is restored as it was.
    fn undoable(
        &mut self,
        label: impl Into<String>,
        change: impl FnOnce(&mut Playground) -> Result<(), ModelError>,
    ) -> Result<(), ModelError> {
        let before = self.model.borrow().clone();
        let result = change(&mut self.model.borrow_mut());
        match result {
            Ok(()) => {
                let mut history = self.history.borrow_mut();
                history.typing = None;
                history.undo.push((label.into(), before));
                if history.undo.len() > HISTORY_LIMIT {
                    history.undo.remove(0);
                }
                history.redo.clear();
                Ok(())
            }
            Err(e) => {
                *self.model.borrow_mut() = before;
                Err(e)
            }
        }
    }

    /// Replaces the playground (loading a preset or a file), keeping the old one for Undo.
    fn replace(&mut self, label: String, playground: Playground) {
        let old = std::mem::replace(&mut *self.model.borrow_mut(), playground);
        {
            let mut history = self.history.borrow_mut();
            history.typing = None;
            history.undo.push((label.clone(), old));
            if history.undo.len() > HISTORY_LIMIT {
                history.undo.remove(0);
            }
            history.redo.clear();
        }
        self.world_replaced(true);
        let caller =
            self.panels.caller.as_ref().map(|arn| {
                crate::panels::principal_name(self.model.borrow().world(), arn.as_str())
            });
        self.ui.notice = Some(Notice::undoable(match caller {
            Some(name) => format!("{label} Caller: {name}."),
            None => label,
        }));
    }

    /// After the whole world changed (`loaded` from a scenario, or adopted from another tab): the
    /// panels and selections follow it.
    fn world_replaced(&mut self, loaded: bool) {
        {
            let model = self.model.borrow();
            self.panels
                .world_replaced(model.world(), model.now(), loaded);
            self.course.world_loaded(&model);
        }
        self.reset_ui();
    }

    /// After Undo or Redo: like [`AppState::reset_ui`], but the document open in the editor stays
    /// open when it still exists (undoing typing should not move the editor away).
    fn reset_ui_keeping_document(&mut self) {
        let (owner, document) = (self.ui.owner.clone(), self.ui.document);
        self.reset_ui();
        if let Some(doc) = document {
            if self.model.borrow().document(doc).is_some() {
                self.ui.owner = owner;
                self.ui.document = Some(doc);
            }
        }
    }

    /// A document's name for the undo history: its policy's name and whose it is.
    fn document_title(&self, doc: DocId) -> String {
        let model = self.model.borrow();
        match model.document(doc).map(|d| d.target.clone()) {
            Some(DocTarget::KeyPolicy(key)) => {
                format!("the key policy of {}", model.key_name(&key))
            }
            Some(DocTarget::Identity { principal, name }) => format!(
                "{name} of {}",
                crate::panels::principal_name(model.world(), principal.as_str())
            ),
            None => "a document".to_owned(),
        }
    }

    /// Selects the first key and clears selections that may point at things that are gone.
    fn reset_ui(&mut self) {
        let model = self.model.borrow();
        self.ui.owner = model.columns().first().map(|c| Owner::Key(c.id.clone()));
        self.ui.document = model
            .columns()
            .first()
            .and_then(|c| model.key_policy_doc(&c.id))
            .map(|d| d.id);
        self.ui.selection = None;
        self.ui.reveal = None;
        self.ui.highlight = None;
    }

    fn try_apply(&mut self, intent: Intent) -> Result<(), ModelError> {
        match intent {
            Intent::EditDocument { doc, text } => {
                self.ui.highlight = None;
                if self.history.borrow().typing == Some(doc) {
                    return self.model.borrow_mut().edit_document(doc, &text);
                }
                let title = self.document_title(doc);
                self.undoable(format!("typing in {title}"), |m| {
                    m.edit_document(doc, &text)
                })?;
                self.history.borrow_mut().typing = Some(doc);
                Ok(())
            }
            Intent::SelectOwner(owner) => {
                self.history.borrow_mut().typing = None;
                let model = self.model.borrow();
                let document = match &owner {
                    Owner::Key(key) => model.key_policy_doc(key).map(|d| d.id),
                    Owner::Principal(arn) => model.identity_docs(arn).next().map(|d| d.id),
                };
                drop(model);
                self.ui.document = document;
                self.ui.owner = Some(owner);
                // Picking a principal or key is asking for its policies.
                self.ui.pane = Pane::Editor;
                Ok(())
            }
            Intent::SelectDocument(doc) => {
                self.history.borrow_mut().typing = None;
                self.select_document(doc);
                Ok(())
            }
            Intent::SelectCell(selection) => {
                self.ui.selection = Some(selection);
                self.ui.drawer = Some(DrawerTab::Why);
                Ok(())
            }
            Intent::SetActions(set) => {
                self.model.borrow_mut().set_action_set(set);
                if let Some(selection) = &mut self.ui.selection {
                    selection.action = None;
                }
                Ok(())
            }
            Intent::SetExpanded(expanded) => {
                self.ui.expanded = expanded;
                Ok(())
            }
            Intent::OpenDrawer(tab) => {
                self.ui.drawer = tab;
                Ok(())
            }
            Intent::ShowPane(pane) => {
                self.ui.pane = pane;
                Ok(())
            }
            Intent::EditRequest(edit) => {
                self.ui.request.apply(edit);
                Ok(())
            }
            Intent::AddExpectation => {
                let Some(selection) = self.ui.selection.clone() else {
                    return Ok(());
                };
                if let Some(problem) = self.ui.request.expectation_problem() {
                    self.ui.notice = Some(Notice::error(problem));
                    return Ok(());
                }
                let pinned = {
                    let model = self.model.borrow();
                    let (Some(row), Some(column)) = (
                        model.row_of(selection.principal.as_str()),
                        model.column_of(&selection.key),
                    ) else {
                        return Ok(());
                    };
                    let index = crate::why::explained_action(&model, row, column, selection.action);
                    let explanation =
                        crate::why::explain_cell(&model, row, column, index, &self.ui.request);
                    explanation.map(|e| {
                        let who = model
                            .rows()
                            .get(row)
                            .map_or(String::new(), |r| r.name.clone());
                        (
                            e.action,
                            e.verdict.decision,
                            who,
                            model.key_name(&selection.key),
                        )
                    })
                };
                let Some((action, decision, who, key_name)) = pinned else {
                    return Ok(());
                };
                let request = self.ui.request.as_expectation();
                let label = format!(
                    "expect {who} × {key_name} {} → {}",
                    action.name(),
                    crate::why::decision_words(decision)
                );
                self.undoable(label.clone(), |m| {
                    m.add_expectation(
                        &selection.principal,
                        &selection.key,
                        action,
                        request,
                        decision,
                    );
                    Ok(())
                })?;
                self.ui.drawer = Some(DrawerTab::Expectations);
                self.ui.notice = Some(Notice::undoable(format!("Added: {label}.")));
                Ok(())
            }
            Intent::ShowRequest { selection, request } => {
                if let Some(action) = selection.action {
                    // A link may ask about an action the matrix does not show (a refused
                    // CreateGrant over the cryptographic columns): the matrix shows every key
                    // action then, so the why panel explains that action and not another.
                    let mut model = self.model.borrow_mut();
                    if !model.matrix().actions().contains(&action) {
                        let before = model.action_set().clone();
                        model.set_action_set(ActionSet::All);
                        if !model.matrix().actions().contains(&action) {
                            model.set_action_set(before);
                        }
                    }
                }
                self.ui.selection = Some(selection);
                self.ui.request = *request;
                self.ui.drawer = Some(DrawerTab::Why);
                Ok(())
            }
            Intent::Reveal {
                doc,
                start,
                end,
                highlight,
                focus,
            } => {
                self.select_document(doc);
                self.ui.pane = Pane::Editor;
                self.reveal_serial += 1;
                self.ui.reveal = Some(RevealRequest {
                    doc,
                    start,
                    end,
                    focus,
                    serial: self.reveal_serial,
                });
                self.ui.highlight = highlight.then_some((doc, start, end));
                Ok(())
            }
            Intent::AddPolicy { principal, name } => {
                let doc = self
                    .model
                    .borrow_mut()
                    .add_identity_policy(&principal, &name)?;
                self.ui.owner = Some(Owner::Principal(principal));
                self.ui.document = Some(doc);
                Ok(())
            }
            Intent::RenamePolicy { doc, name } => {
                self.model.borrow_mut().rename_identity_policy(doc, &name)
            }
            Intent::RemovePolicy(doc) => {
                self.model.borrow_mut().remove_identity_policy(doc)?;
                if self.ui.document == Some(doc) {
                    self.ui.document = None;
                }
                Ok(())
            }
            Intent::AdvanceClock { millis } => {
                self.model.borrow_mut().advance_clock(millis);
                Ok(())
            }
            Intent::DismissNotice => {
                self.ui.notice = None;
                Ok(())
            }
            Intent::AsymmetricModule(status) => {
                self.ui.asymmetric = status;
                Ok(())
            }
            Intent::Panel(intent) => {
                let effect = self.panels.apply(&mut *self.model.borrow_mut(), intent);
                match effect {
                    Some(PanelEffect::KeyCreated(key)) => {
                        let document = self.model.borrow().key_policy_doc(&key).map(|d| d.id);
                        self.ui.owner = Some(Owner::Key(key));
                        self.ui.document = document;
                    }
                    Some(PanelEffect::NeedsDemo1) => {
                        self.try_apply(Intent::LoadPreset(Preset::Demo1))?;
                        let mut model = self.model.borrow_mut();
                        let caller = self.panels.caller.clone();
                        self.panels.console.apply(
                            &mut *model,
                            caller.as_ref(),
                            ConsoleIntent::ReplayDemo1,
                        );
                    }
                    None => {}
                }
                Ok(())
            }
            Intent::LoadPreset(preset) => {
                let now = self.model.borrow().now();
                match preset.load(now) {
                    Ok(playground) => {
                        self.replace(format!("Loaded \"{}\".", preset.label()), playground);
                        Ok(())
                    }
                    Err(e) => {
                        self.ui.notice = Some(Notice::error(format!(
                            "The preset could not be loaded: {}",
                            e
                        )));
                        Ok(())
                    }
                }
            }
            Intent::ImportScenario { text, source } => {
                let now = self.model.borrow().now();
                match Playground::from_scenario_text(&text, now) {
                    Ok(playground) => {
                        let title = playground.title().to_owned();
                        self.replace(format!("Loaded \"{title}\" from {source}."), playground);
                    }
                    Err(e) => {
                        self.ui.notice = Some(Notice::error(format!(
                            "Nothing was changed: {source} is not a scenario the playground can use.\n{}",
                            e
                        )));
                    }
                }
                Ok(())
            }
            Intent::OpenImport(imported) => {
                let now = self.model.borrow().now();
                let actions = if imported.large {
                    ActionSet::listed(crate::aws_import::LARGE_ACTIONS).unwrap_or(ActionSet::All)
                } else {
                    ActionSet::All
                };
                match Playground::from_scenario_text_or(&imported.text, now, actions) {
                    Ok(mut playground) => {
                        playground.set_filter(imported.filter.clone());
                        let title = playground.title().to_owned();
                        let files = imported.files;
                        let plural = if files == 1 { "" } else { "s" };
                        self.replace(
                            format!("Imported \"{title}\" from {files} AWS CLI output{plural}."),
                            playground,
                        );
                        self.ui.pane = Pane::Matrix;
                    }
                    Err(e) => {
                        self.ui.notice = Some(Notice::error(format!(
                            "Nothing was changed: the import does not load.\n{e}"
                        )));
                    }
                }
                Ok(())
            }
            Intent::SetMatrixFilter(filter) => {
                self.model.borrow_mut().set_filter(filter);
                Ok(())
            }
            Intent::AddPrincipal {
                kind,
                name,
                account,
            } => {
                let mut added = None;
                self.undoable(format!("add {name}"), |m| {
                    added = Some(m.add_principal(kind, &name, account.as_deref())?);
                    Ok(())
                })?;
                if let Some(arn) = added {
                    self.ui.owner = Some(Owner::Principal(arn));
                    self.ui.document = None;
                }
                Ok(())
            }
            Intent::RemovePrincipal(arn) => {
                let name = crate::panels::principal_name(self.model.borrow().world(), arn.as_str());
                self.undoable(format!("remove {name}"), |m| m.remove_principal(&arn))?;
                self.reset_ui();
                Ok(())
            }
            Intent::AddKey { name } => {
                let mut added = None;
                self.undoable(format!("add key {name}"), |m| {
                    added = Some(m.add_key(&name, "")?);
                    Ok(())
                })?;
                if let Some(id) = added {
                    let doc = self.model.borrow().key_policy_doc(&id).map(|d| d.id);
                    self.ui.owner = Some(Owner::Key(id));
                    self.ui.document = doc;
                }
                Ok(())
            }
            Intent::RemoveKey(id) => {
                let name = self.model.borrow().key_name(&id);
                self.undoable(format!("remove key {name}"), |m| m.remove_key(&id))?;
                self.reset_ui();
                Ok(())
            }
            Intent::Notify { text, error } => {
                self.ui.notice = Some(Notice {
                    text,
                    error,
                    undo: false,
                });
                Ok(())
            }
            Intent::OfferRecovery(text) => {
                self.ui.recovery = text;
                Ok(())
            }
            Intent::OtherTabSaved(saved) => {
                self.ui.other_tab_saved = saved;
                Ok(())
            }
            Intent::AdoptSaved(saved) => {
                self.model = saved.model.clone();
                self.history = Rc::new(RefCell::new(History::default()));
                self.ui = UiState {
                    other_tab_saved: false,
                    // What this page has loaded stays this page's.
                    asymmetric: self.ui.asymmetric.clone(),
                    ..saved.ui.clone()
                };
                self.world_replaced(false);
                Ok(())
            }
            Intent::ShowShareLink(link) => {
                self.ui.share_link = link;
                Ok(())
            }
            Intent::ApplyFix(fix) => {
                let label = fix.summary.clone();
                self.undoable(label.clone(), |m| crate::analysis_view::apply_fix(m, &fix))?;
                self.ui.notice = Some(Notice::undoable(label));
                Ok(())
            }
            Intent::SetAnalysisView(view) => {
                self.ui.analysis = view;
                Ok(())
            }
            Intent::Course(intent) => {
                crate::course::apply(self, intent);
                Ok(())
            }
            Intent::Undo => {
                self.history.borrow_mut().typing = None;
                let entry = self.history.borrow_mut().undo.pop();
                if let Some((label, previous)) = entry {
                    let current = std::mem::replace(&mut *self.model.borrow_mut(), previous);
                    self.history
                        .borrow_mut()
                        .redo
                        .push((label.clone(), current));
                    self.reset_ui_keeping_document();
                    self.course.world_loaded(&self.model.borrow());
                    self.ui.notice = Some(Notice {
                        text: format!("Undone: {label}"),
                        error: false,
                        undo: false,
                    });
                }
                Ok(())
            }
            Intent::Redo => {
                self.history.borrow_mut().typing = None;
                let entry = self.history.borrow_mut().redo.pop();
                if let Some((label, next)) = entry {
                    let current = std::mem::replace(&mut *self.model.borrow_mut(), next);
                    self.history
                        .borrow_mut()
                        .undo
                        .push((label.clone(), current));
                    self.reset_ui_keeping_document();
                    self.course.world_loaded(&self.model.borrow());
                    self.ui.notice = Some(Notice {
                        text: format!("Redone: {label}"),
                        error: false,
                        undo: false,
                    });
                }
                Ok(())
            }
        }
    }

    /// Opens `doc` and selects its owner in the sidebar.
    fn select_document(&mut self, doc: DocId) {
        let owner = self.model.borrow().document(doc).map(|d| match &d.target {
            DocTarget::KeyPolicy(key) => Owner::Key(key.clone()),
            DocTarget::Identity { principal, .. } => Owner::Principal(principal.clone()),
        });
        if let Some(owner) = owner {
            self.ui.owner = Some(owner);
            self.ui.document = Some(doc);
        }
    }
}

impl yew::Reducible for AppState {
    type Action = Intent;

    fn reduce(self: Rc<Self>, intent: Intent) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(intent);
        Rc::new(next)
    }
}
