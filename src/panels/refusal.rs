//! A KMS call the engine refused, ready to show: the exception name, AWS's message, and where the
//! why panel can explain it.

use kms_engine::authz::denial_summary;
use kms_engine::catalog::Action;
use kms_engine::error::{AccessDenied, KmsError};
use kms_engine::request::PrincipalArn;
use kms_engine::world::World;

use crate::state::{CellSelection, Intent};
use crate::why::RequestInputs;

/// Where the why panel explains a denial: principal × key × action, and the request that was
/// refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhyLink {
    /// The caller's ARN.
    pub principal: PrincipalArn,
    /// The key.
    pub key: String,
    /// The permission that was denied.
    pub action: Action,
    /// What the refused request carried beyond principal, key and action (a CreateGrant's new
    /// grant, say), so the why panel decides that request and not the matrix's bare one.
    pub request: Box<RequestInputs>,
}

impl WhyLink {
    /// The cell that explains `denied`, when its caller and its key are in `world`, with the
    /// bare request ([`WhyLink::with_request`] says what the refused request carried).
    pub fn of_denial(world: &World, denied: &AccessDenied) -> Option<WhyLink> {
        let key = world.keys.get_by_arn(&denied.resource)?;
        let principal = denied.caller.arn()?;
        world.principal(principal)?;
        Some(WhyLink {
            principal: principal.clone(),
            key: key.arn.clone(),
            action: denied.action,
            request: Box::default(),
        })
    }

    /// The link with the refused request's inputs.
    pub fn with_request(self, request: RequestInputs) -> WhyLink {
        WhyLink {
            request: Box::new(request),
            ..self
        }
    }

    /// What following the link asks of the app: the why panel on its cell, deciding its request
    /// (which replaces the request set in the panel before).
    pub fn intent(&self) -> Intent {
        Intent::ShowRequest {
            selection: CellSelection {
                principal: self.principal.clone(),
                key: self.key.clone(),
                action: Some(self.action),
            },
            request: self.request.clone(),
        }
    }
}

/// A refused call, as the AWS CLI reports it, with a link to its explanation when the denial is
/// a policy decision about a key.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    /// The API operation, such as `Encrypt`.
    pub operation: &'static str,
    /// The KMS exception name, such as `AccessDeniedException`.
    pub exception: &'static str,
    /// AWS's message.
    pub message: String,
    /// The line the AWS CLI prints for it:
    /// `An error occurred (AccessDeniedException) when calling the Encrypt operation: ...`.
    pub line: String,
    /// The cell of the why panel that explains an `AccessDeniedException` on a key.
    pub why: Option<WhyLink>,
    /// For a denial that is not about a key (CreateKey), the engine's one-sentence explanation.
    pub summary: Option<String>,
}

impl Refusal {
    /// The refusal of `operation` with `error`. An access denial links to the why panel when its
    /// resource is a key of `world`.
    pub fn new(world: &World, operation: &'static str, error: &KmsError) -> Refusal {
        let mut why = None;
        let mut summary = None;
        if let Some(denied) = error.denial() {
            why = WhyLink::of_denial(world, denied);
            if why.is_none() {
                summary = Some(denial_summary(denied));
            }
        }
        Refusal {
            operation,
            exception: error.exception_name(),
            message: error.message().to_owned(),
            line: error.cli_line(operation),
            why,
            summary,
        }
    }

    /// The refusal whose why link decides `request`, the one the refused call sent.
    pub fn with_request(self, request: RequestInputs) -> Refusal {
        Refusal {
            why: self.why.map(|link| link.with_request(request)),
            ..self
        }
    }
}
