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

/// Where a preset's scenario comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// A scenario file's text, compiled in.
    Text(&'static str),
    /// `generate(principals, keys, seed)`: a fixed seed, so everyone gets the same world.
    Generated(usize, usize, u64),
}

/// What the menu says about a preset and where its world comes from: the one table of presets.
struct PresetRow {
    preset: Preset,
    id: &'static str,
    label: &'static str,
    source: Source,
}

const PRESETS: &[PresetRow] = &[
    PresetRow {
        preset: Preset::Lecture,
        id: "lecture",
        label: "Lecture: 3 keys × 4 users",
        source: Source::Text(LECTURE),
    },
    PresetRow {
        preset: Preset::Demo1,
        id: "demo1",
        label: "Demo 1: grants from Alice to Bob",
        source: Source::Text(DEMO1),
    },
    PresetRow {
        preset: Preset::Demo2,
        id: "demo2",
        label: "Demo 2: create a key",
        source: Source::Text(DEMO2),
    },
    PresetRow {
        preset: Preset::Blank,
        id: "blank",
        label: "Blank",
        source: Source::Text(BLANK),
    },
    PresetRow {
        preset: Preset::Large,
        id: "large",
        label: "Generated: 200 principals × 50 keys",
        source: Source::Generated(200, 50, 7),
    },
];

/// A preset the scenario menu offers; its row of [`PRESETS`] says the rest.
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

    fn row(self) -> Option<&'static PresetRow> {
        PRESETS.iter().find(|row| row.preset == self)
    }

    /// The menu label.
    pub fn label(self) -> &'static str {
        self.row().map_or("", |row| row.label)
    }

    /// A stable identifier for the menu and storage.
    pub fn id(self) -> &'static str {
        self.row().map_or("", |row| row.id)
    }

    /// The preset with this identifier.
    pub fn from_id(id: &str) -> Option<Preset> {
        PRESETS
            .iter()
            .find(|row| row.id == id)
            .map(|row| row.preset)
    }

    /// The preset's scenario file text.
    pub fn text(self) -> String {
        match self.row().map(|row| row.source) {
            Some(Source::Text(text)) => text.to_owned(),
            Some(Source::Generated(principals, keys, seed)) => {
                generate(principals, keys, seed).to_json()
            }
            None => BLANK.to_owned(),
        }
    }

    /// The compiled-in scenario file text, for presets that are files.
    pub fn file_text(self) -> Option<&'static str> {
        match self.row()?.source {
            Source::Text(text) => Some(text),
            Source::Generated(..) => None,
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
