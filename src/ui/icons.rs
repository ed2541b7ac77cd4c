//! The access-state icons. Each state has its own shape, so the matrix reads without colour
//! (WCAG 1.4.1). The shapes and their colours live in the stylesheet, once.

use yew::prelude::*;

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
    /// The stylesheet class that draws it (static/app.css holds each shape and colour once).
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
}

/// Properties of [`IconSvg`].
#[derive(Properties, PartialEq)]
pub struct IconProps {
    /// The icon.
    pub icon: Icon,
}

/// An icon, hidden from screen readers (the word next to it is what they read).
#[component]
pub fn IconSvg(props: &IconProps) -> Html {
    html! { <span class={classes!("ico", props.icon.class())} aria-hidden="true"></span> }
}
