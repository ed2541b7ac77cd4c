//! The access-state icons drawn by Yew (their shapes and classes are in [`crate::look`]).

use yew::prelude::*;

pub use crate::look::Icon;

impl Icon {
    /// The icon as inline SVG, filled with its state's colour and hidden from screen readers
    /// (the word next to it is what they read). A plain function, not a component: the matrix
    /// draws thousands.
    pub fn html(self) -> Html {
        html! {
            <svg class={classes!("ico", self.class())} viewBox="0 0 16 16" aria-hidden="true">
                <path d={self.path()} />
            </svg>
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
    props.icon.html()
}
