//! The domain handle components use: the app state to read, and intent methods to call.
//! Components never dispatch raw state changes; they say what the user asked for.

use crate::model::DocId;
use crate::state::{AppState, CellSelection, DrawerTab, Intent, Owner};
use kms_engine::view::ActionSet;
use yew::prelude::*;

/// The app state and its intents.
#[derive(Clone, PartialEq)]
pub struct PlaygroundHandle {
    inner: UseReducerHandle<AppState>,
}

impl PlaygroundHandle {
    /// Wraps the reducer handle.
    pub fn new(inner: UseReducerHandle<AppState>) -> PlaygroundHandle {
        PlaygroundHandle { inner }
    }

    /// The current state.
    pub fn state(&self) -> &AppState {
        &self.inner
    }

    /// Sends an intent.
    pub fn dispatch(&self, intent: Intent) {
        self.inner.dispatch(intent);
    }

    /// A callback that sends the intent `make` builds from its argument.
    pub fn callback<T: 'static>(&self, make: impl Fn(T) -> Intent + 'static) -> Callback<T> {
        let inner = self.inner.clone();
        Callback::from(move |value: T| inner.dispatch(make(value)))
    }

    /// The user typed in a document.
    pub fn edit_document(&self, doc: DocId, text: String) {
        self.dispatch(Intent::EditDocument { doc, text });
    }

    /// The user picked a principal or key in the sidebar.
    pub fn select_owner(&self, owner: Owner) {
        self.dispatch(Intent::SelectOwner(owner));
    }

    /// The user opened a document tab.
    pub fn select_document(&self, doc: DocId) {
        self.dispatch(Intent::SelectDocument(doc));
    }

    /// The user asked why a cell says what it says.
    pub fn select_cell(&self, selection: CellSelection) {
        self.dispatch(Intent::SelectCell(selection));
    }

    /// The user chose the actions the matrix shows.
    pub fn set_actions(&self, set: ActionSet) {
        self.dispatch(Intent::SetActions(set));
    }

    /// The user switched between one summary per key and one column per action.
    pub fn set_expanded(&self, expanded: bool) {
        self.dispatch(Intent::SetExpanded(expanded));
    }

    /// The user opened (or closed, with `None`) a drawer panel.
    pub fn open_drawer(&self, tab: Option<DrawerTab>) {
        self.dispatch(Intent::OpenDrawer(tab));
    }

    /// The user asked to see a range of a document (a problem or a statement).
    pub fn reveal(&self, doc: DocId, start: usize, end: usize, highlight: bool) {
        self.dispatch(Intent::Reveal {
            doc,
            start,
            end,
            highlight,
            focus: true,
        });
    }
}

/// The playground handle from the app's context.
#[hook]
pub fn use_playground() -> PlaygroundHandle {
    // The app root provides the context around every component; without it nothing can render.
    #[expect(
        clippy::expect_used,
        reason = "a component outside the app root is a programming error, not user input"
    )]
    use_context::<PlaygroundHandle>().expect("components render inside the app's context")
}
