//! The app's one reducer: every user intent is an [`Intent`], applied to the [`AppState`] in one
//! place. Components render the state and dispatch intents; they change nothing themselves.
//!
//! The domain model ([`Playground`]) sits behind an `Rc<RefCell<_>>` so that an intent updates the
//! large derived state (the matrix) in place instead of copying it per keystroke; the
//! [`AppState::revision`] counter tells views that it changed. UI choices (what is selected, which
//! drawer panel is open) are plain values beside it.

use crate::model::{DocId, DocTarget, ModelError, Playground};
use crate::panels::{PanelEffect, PanelIntent, Panels};
use kms_engine::kms::Action;
use kms_engine::store::KeyId;
use kms_engine::view::ActionSet;
use std::cell::{Ref, RefCell};
use std::rc::Rc;

/// What the sidebar has selected: a principal or a key, whose documents the editor shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner {
    /// A principal, by ARN.
    Principal(String),
    /// A key.
    Key(KeyId),
}

/// The selected matrix cell (and the action the why panel explains).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellSelection {
    /// The principal's ARN.
    pub principal: String,
    /// The key.
    pub key: KeyId,
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
    },
    /// Attach a new identity policy to a principal.
    AddPolicy {
        /// The principal's ARN.
        principal: String,
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
    /// Something done in a hands-on panel (caller, wizard, grants, crypto, console).
    Panel(PanelIntent),
}

/// The app's state: the domain model and the UI choices.
#[derive(Clone, Debug)]
pub struct AppState {
    model: Rc<RefCell<Playground>>,
    /// The model's revision when this state was made (so equal states compare equal cheaply).
    pub revision: u64,
    /// UI choices.
    pub ui: UiState,
    /// The hands-on panels.
    pub panels: Panels,
    reveal_serial: u32,
}

impl PartialEq for AppState {
    fn eq(&self, other: &AppState) -> bool {
        Rc::ptr_eq(&self.model, &other.model)
            && self.revision == other.revision
            && self.ui == other.ui
            && self.panels == other.panels
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
        let revision = playground.revision();
        let panels = Panels::new(playground.world(), playground.now());
        AppState {
            model: Rc::new(RefCell::new(playground)),
            revision,
            ui: UiState {
                owner,
                document,
                selection: None,
                expanded: false,
                drawer: Some(DrawerTab::Why),
                reveal: None,
                highlight: None,
                notice: None,
            },
            panels,
            reveal_serial: 0,
        }
    }

    /// The domain model, for reading.
    pub fn model(&self) -> Ref<'_, Playground> {
        self.model.borrow()
    }

    /// Applies one intent. Failures become a notice; nothing half-applied stays.
    pub fn apply(&mut self, intent: Intent) {
        if let Err(error) = self.try_apply(intent) {
            self.ui.notice = Some(Notice {
                text: error.to_string(),
                error: true,
            });
        }
        self.revision = self.model.borrow().revision();
    }

    fn try_apply(&mut self, intent: Intent) -> Result<(), ModelError> {
        match intent {
            Intent::EditDocument { doc, text } => {
                self.ui.highlight = None;
                self.model.borrow_mut().edit_document(doc, &text)
            }
            Intent::SelectOwner(owner) => {
                let model = self.model.borrow();
                let document = match &owner {
                    Owner::Key(key) => model.key_policy_doc(key).map(|d| d.id),
                    Owner::Principal(arn) => model.identity_docs(arn).next().map(|d| d.id),
                };
                drop(model);
                self.ui.document = document;
                self.ui.owner = Some(owner);
                Ok(())
            }
            Intent::SelectDocument(doc) => {
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
            Intent::Reveal {
                doc,
                start,
                end,
                highlight,
            } => {
                self.select_document(doc);
                self.reveal_serial += 1;
                self.ui.reveal = Some(RevealRequest {
                    doc,
                    start,
                    end,
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
            Intent::Panel(intent) => {
                let effect = self.panels.apply(&mut *self.model.borrow_mut(), intent);
                if let Some(PanelEffect::KeyCreated(key)) = effect {
                    let document = self.model.borrow().key_policy_doc(&key).map(|d| d.id);
                    self.ui.owner = Some(Owner::Key(key));
                    self.ui.document = document;
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
