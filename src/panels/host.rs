//! The app's domain model as the panels' [`WorldHost`].

use super::WorldHost;
use crate::model::Playground;
use kms_engine::entropy::Timestamp;
use kms_engine::kms::Env;
use kms_engine::world::World;

impl WorldHost for Playground {
    fn world(&self) -> &World {
        Playground::world(self)
    }

    fn now(&self) -> Timestamp {
        Playground::now(self)
    }

    fn operate<R>(&mut self, op: impl FnOnce(&mut World, &mut Env<'_>) -> R) -> R {
        Playground::operate(self, op)
    }

    fn advance_clock(&mut self, millis: i64) {
        Playground::advance_clock(self, millis);
    }
}
