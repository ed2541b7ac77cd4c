//! The scenarios the app offers: the shipped scenario files (compiled in), a blank world and a
//! generated large one.

use crate::model::Playground;
use kms_engine::entropy::Timestamp;
use kms_engine::scenario::{Scenario, ScenarioError, generate};

/// The lecture's scenario file (`scenarios/lecture.json`).
pub const LECTURE: &str = include_str!("../scenarios/lecture.json");

/// Demonstration 1: Alice grants Bob Encrypt and Decrypt (`scenarios/demo1-grants.json`).
pub const DEMO1: &str = include_str!("../scenarios/demo1-grants.json");

/// Demonstration 2: creating a key in the console (`scenarios/demo2-create-key.json`).
pub const DEMO2: &str = include_str!("../scenarios/demo2-create-key.json");

/// A world with the account and nothing else, to build from scratch.
pub const BLANK: &str = r#"{
  "name": "Blank",
  "account": "111122223333",
  "principals": [],
  "keys": []
}
"#;

/// A preset the scenario menu offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// The lecture's three keys and four users.
    Lecture,
    /// Demonstration 1: grants from Alice to Bob.
    Demo1,
    /// Demonstration 2: create a key.
    Demo2,
    /// An empty account.
    Blank,
    /// A generated world of 200 principals and 50 keys, for trying speed.
    Large,
}

impl Preset {
    /// Every preset, in menu order.
    pub const ALL: [Preset; 5] = [
        Preset::Lecture,
        Preset::Demo1,
        Preset::Demo2,
        Preset::Blank,
        Preset::Large,
    ];

    /// The menu label.
    pub fn label(self) -> &'static str {
        match self {
            Preset::Lecture => "Lecture: 3 keys × 4 users",
            Preset::Demo1 => "Demo 1: grants from Alice to Bob",
            Preset::Demo2 => "Demo 2: create a key",
            Preset::Blank => "Blank",
            Preset::Large => "Generated: 200 principals × 50 keys",
        }
    }

    /// A stable identifier for the menu and storage.
    pub fn id(self) -> &'static str {
        match self {
            Preset::Lecture => "lecture",
            Preset::Demo1 => "demo1",
            Preset::Demo2 => "demo2",
            Preset::Blank => "blank",
            Preset::Large => "large",
        }
    }

    /// The preset with this identifier.
    pub fn from_id(id: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.id() == id)
    }

    /// The preset's scenario file text.
    pub fn text(self) -> String {
        match self {
            Preset::Lecture => LECTURE.to_owned(),
            Preset::Demo1 => DEMO1.to_owned(),
            Preset::Demo2 => DEMO2.to_owned(),
            Preset::Blank => BLANK.to_owned(),
            // A fixed seed: everyone who opens it gets the same world.
            Preset::Large => generate(200, 50, 7).to_json(),
        }
    }

    /// The preset as a playground at time `now`.
    pub fn load(self, now: Timestamp) -> Result<Playground, ScenarioError> {
        let text = self.text();
        Playground::from_scenario_text(&text, now)
    }
}

/// The lecture, as the app first opens.
pub fn lecture(now: Timestamp) -> Playground {
    match Preset::Lecture.load(now) {
        Ok(playground) => playground,
        // The file is compiled in and checked by the tests; an empty world is the only sane
        // fallback if it were ever broken.
        Err(_) => blank(now),
    }
}

/// An empty playground.
pub fn blank(now: Timestamp) -> Playground {
    let fallback = || {
        let scenario = Scenario::parse(BLANK).ok();
        Playground::new(
            kms_engine::world::World::default(),
            "Blank",
            Vec::new(),
            Vec::new(),
            kms_engine::view::ActionSet::All,
            now,
            scenario,
        )
    };
    Playground::from_scenario_text(BLANK, now).unwrap_or_else(|_| fallback())
}
