//! How a decision looks, the same in the app and in the page's prerendered first matrix: each
//! cell kind's stylesheet class and icon. The icons' shapes live here, once; their colours in the
//! stylesheet (`.ico-*`). Each state has its own shape, so the matrix reads without colour
//! (WCAG 1.4.1).

use kms_engine::view::CellKind;

/// Which icon to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Icon {
    /// Check in a circle: allowed.
    Allow,
    /// Half-filled circle: some of the selected actions allowed.
    Partial,
    /// Cross in an octagon: explicitly denied.
    Deny,
    /// Dash in a hollow circle: implicitly denied.
    None,
    /// Clock: allowed only with a grant token, for now.
    Pending,
    /// Padlock: the key's state blocks the request.
    Blocked,
    /// Question mark: the value may be out of date.
    Stale,
}

impl Icon {
    /// The stylesheet class that colours it (static/app.css holds each colour once).
    pub fn class(self) -> &'static str {
        match self {
            Icon::Allow => "ico-allow",
            Icon::Partial => "ico-partial",
            Icon::Deny => "ico-deny",
            Icon::None => "ico-none",
            Icon::Pending => "ico-pending",
            Icon::Blocked => "ico-blocked",
            Icon::Stale => "ico-stale",
        }
    }

    /// Its shape: an SVG path in a 16 × 16 box.
    pub fn path(self) -> &'static str {
        match self {
            Icon::Allow => {
                "M8 0a8 8 0 1 1 0 16A8 8 0 0 1 8 0Zm3.6 4.6L6.9 9.3 4.4 6.8 3.2 8l3.7 3.7 5.9-5.9-1.2-1.2Z"
            }
            Icon::Partial => "M8 0a8 8 0 1 1 0 16A8 8 0 0 1 8 0Zm0 1.6v12.8A6.4 6.4 0 0 0 8 1.6Z",
            Icon::Deny => {
                "M4.7 0h6.6L16 4.7v6.6L11.3 16H4.7L0 11.3V4.7L4.7 0Zm.5 4L4 5.2 6.8 8 4 10.8 5.2 12 8 9.2l2.8 2.8 1.2-1.2L9.2 8 12 5.2 10.8 4 8 6.8 5.2 4Z"
            }
            Icon::None => {
                "M8 0a8 8 0 1 1 0 16A8 8 0 0 1 8 0Zm0 1.6a6.4 6.4 0 1 0 0 12.8A6.4 6.4 0 0 0 8 1.6ZM4.5 7.2h7v1.6h-7V7.2Z"
            }
            Icon::Pending => {
                "M8 0a8 8 0 1 1 0 16A8 8 0 0 1 8 0Zm0 1.6a6.4 6.4 0 1 0 0 12.8A6.4 6.4 0 0 0 8 1.6ZM7.2 3.5h1.6v4.1l2.9 1.7-.8 1.4-3.7-2.2v-5Z"
            }
            Icon::Blocked => {
                "M8 0a4 4 0 0 1 4 4v2h1.5v10h-11V6H4V4a4 4 0 0 1 4-4Zm0 1.6A2.4 2.4 0 0 0 5.6 4v2h4.8V4A2.4 2.4 0 0 0 8 1.6Zm0 7a1.3 1.3 0 0 0-.8 2.3V13h1.6v-2.1A1.3 1.3 0 0 0 8 8.6Z"
            }
            Icon::Stale => {
                "M8 0a8 8 0 1 1 0 16A8 8 0 0 1 8 0Zm0 11.2a1 1 0 1 0 0 2 1 1 0 0 0 0-2Zm0-8.4c-1.8 0-3 1.1-3.1 2.8h1.6c.1-.8.6-1.3 1.5-1.3s1.4.5 1.4 1.2c0 .6-.3.9-1 1.3-.9.5-1.2 1.1-1.2 2v.6h1.6v-.4c0-.6.2-.9 1-1.3.9-.5 1.3-1.2 1.3-2.2 0-1.6-1.3-2.7-3.1-2.7Z"
            }
        }
    }
}

/// The icon of a cell kind.
pub fn icon_of(kind: CellKind) -> Icon {
    match kind {
        CellKind::Allow => Icon::Allow,
        CellKind::Partial => Icon::Partial,
        CellKind::ExplicitDeny => Icon::Deny,
        CellKind::ImplicitDeny => Icon::None,
        CellKind::Pending => Icon::Pending,
        CellKind::Blocked => Icon::Blocked,
    }
}

/// The stylesheet class of a cell kind.
pub fn class_of(kind: CellKind) -> &'static str {
    match kind {
        CellKind::Allow => "allow",
        CellKind::Partial => "partial",
        CellKind::ExplicitDeny => "deny",
        CellKind::ImplicitDeny => "none",
        CellKind::Pending => "pending",
        CellKind::Blocked => "blocked",
    }
}
