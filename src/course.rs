//! The course companion: the guided tour of the lecture (its steps, predictions and score) and
//! exercises (goals checked against the live world, what the student may edit, the shipped
//! catalog, and writing a world out as a new exercise). Plain Rust, tested natively; the views in
//! `ui::tour` and `ui::exercise` only render it.

use crate::model::{DocTarget, Playground};
use crate::state::{AppState, CellSelection, Intent};
use kms_engine::authz::Note;
use kms_engine::policy::eval::Decision;
use kms_engine::scenario::{
    EditKind, EditScope, ExerciseStatus, Expectation, GoalStatus, Scenario, changes_outside,
    evaluate_goal, exercise_status,
};
use kms_engine::world::World;

/// A question the student answers before the cell is revealed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prediction {
    /// The question in words.
    pub prompt: &'static str,
    /// The principal's name in the step's scenario.
    pub principal: &'static str,
    /// The key's name in the step's scenario.
    pub key: &'static str,
    /// The action asked about.
    pub action: &'static str,
}

/// One step of the tour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TourStep {
    /// Which of the lecture's three mechanisms (or the console demo) the step belongs to.
    pub part: &'static str,
    /// The step's title.
    pub title: &'static str,
    /// The scenario file the step loads.
    pub scenario: &'static str,
    /// `aws kms` lines run in the console after loading, as the lecture's demo does.
    pub setup: &'static [&'static str],
    /// Minutes the simulated clock moves after the setup.
    pub wait_minutes: i64,
    /// The cells the step is about, `(principal, key)` by name; the first is selected.
    pub cells: &'static [(&'static str, &'static str)],
    /// The statement the step is about: the key's name and the statement's `Sid`.
    pub statement: Option<(&'static str, &'static str)>,
    /// What to notice, in two or three sentences.
    pub text: &'static str,
    /// Where the lecture simplifies: what real KMS does.
    pub notes: &'static [Note],
    /// The prediction asked before the cell is revealed.
    pub question: Option<Prediction>,
}

const LECTURE: &str = include_str!("../scenarios/lecture.json");
const KEY_POLICY_ALONE: &str = include_str!("../scenarios/tour/key-policy-alone.json");
const DEMO1: &str = include_str!("../scenarios/demo1-grants.json");
const DEMO2: &str = include_str!("../scenarios/demo2-create-key.json");

const CREATE_GRANT: &str = "GRANT_TOKEN=$(aws kms create-grant --key-id arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab --grantee-principal arn:aws:iam::111122223333:user/Bob --operations Encrypt Decrypt --profile Alice --query GrantToken --output text)";
const FIND_GRANT: &str = "GRANT_ID=$(aws kms list-grants --key-id arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab --profile Alice --query Grants[0].GrantId --output text)";
const REVOKE_GRANT: &str = "aws kms revoke-grant --key-id arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab --grant-id $GRANT_ID --profile Alice";

/// The tour, in the lecture's order: the key policy alone, the key policy with IAM policies,
/// the key policy with grants, then the console's create-key wizard.
pub const TOUR: &[TourStep] = &[
    TourStep {
        part: "1. Key policy alone",
        title: "Only the key policy counts",
        scenario: KEY_POLICY_ALONE,
        setup: &[],
        wait_minutes: 0,
        cells: &[("Charlie", "CMK-A"), ("Alice", "CMK-A")],
        statement: Some(("CMK-A", "Alice uses CMK-A")),
        text: "Here CMK-A's key policy names Alice and nobody else, and it does not trust the account. Every KMS key has exactly one key policy, and without an Allow in it nobody can use the key, not even the account's administrators. Charlie's IAM policy allows Encrypt on CMK-A.",
        notes: &[],
        question: Some(Prediction {
            prompt: "Can Charlie encrypt with CMK-A?",
            principal: "Charlie",
            key: "CMK-A",
            action: "kms:Encrypt",
        }),
    },
    TourStep {
        part: "2. Key policy + IAM policies",
        title: "The root statement lets IAM decide",
        scenario: LECTURE,
        setup: &[],
        wait_minutes: 0,
        cells: &[("Charlie", "CMK-A"), ("Alice", "CMK-A"), ("Bob", "CMK-A")],
        statement: Some(("CMK-A", "Enable IAM User Permissions")),
        text: "Now CMK-A's policy is the lecture's: one statement that allows the account itself. It gives nobody access directly; it lets the account's IAM policies decide. Alice's and Charlie's IAM policies now count; Bob has none, so he still gets nothing.",
        notes: &[Note::RootMeansAccount],
        question: Some(Prediction {
            prompt: "Can Charlie encrypt with CMK-A now?",
            principal: "Charlie",
            key: "CMK-A",
            action: "kms:Encrypt",
        }),
    },
    TourStep {
        part: "2. Key policy + IAM policies",
        title: "IAM cannot reach past a key policy",
        scenario: LECTURE,
        setup: &[],
        wait_minutes: 0,
        cells: &[("Alice", "CMK-B"), ("Bob", "CMK-B")],
        statement: Some(("CMK-B", "Allow Bob and Charlie")),
        text: "CMK-B's key policy names Bob and Charlie and does not trust the account. Alice's IAM policy allows every KMS action on CMK-B, and it makes no difference: an IAM allow counts only where the key policy delegates to the account.",
        notes: &[],
        question: Some(Prediction {
            prompt: "Can Alice decrypt with CMK-B?",
            principal: "Alice",
            key: "CMK-B",
            action: "kms:Decrypt",
        }),
    },
    TourStep {
        part: "2. Key policy + IAM policies",
        title: "An explicit Deny wins anywhere",
        scenario: LECTURE,
        setup: &[],
        wait_minutes: 0,
        cells: &[("David", "CMK-C"), ("Alice", "CMK-C")],
        statement: Some(("CMK-C", "Deny Bob, Charlie and David")),
        text: "CMK-C trusts the account, and David's IAM policy allows every KMS action on it. The key policy also denies Bob, Charlie and David. A Deny that applies ends the evaluation, whichever policy it is in.",
        notes: &[Note::DenyOverridesDelegation],
        question: Some(Prediction {
            prompt: "Can David decrypt with CMK-C?",
            principal: "David",
            key: "CMK-C",
            action: "kms:Decrypt",
        }),
    },
    TourStep {
        part: "3. Key policy + grants",
        title: "Alice grants Bob Encrypt and Decrypt",
        scenario: DEMO1,
        setup: &[CREATE_GRANT],
        wait_minutes: 0,
        cells: &[("Bob", "DemoKey")],
        statement: None,
        text: "Alice has just run create-grant for Bob, as in the lecture's first demonstration (see the console). A new grant takes a while to reach every KMS host, so for a few minutes it works only when Bob passes its grant token. The matrix shows the cell as Pending.",
        notes: &[Note::GrantsAreNotASubsetOfTheCreatorsPermissions],
        question: Some(Prediction {
            prompt: "Right now, without the grant token, can Bob encrypt with DemoKey?",
            principal: "Bob",
            key: "DemoKey",
            action: "kms:Encrypt",
        }),
    },
    TourStep {
        part: "3. Key policy + grants",
        title: "Once consistent, the grant alone works",
        scenario: DEMO1,
        setup: &[CREATE_GRANT],
        wait_minutes: 5,
        cells: &[("Bob", "DemoKey")],
        statement: None,
        text: "Five simulated minutes later the grant is in effect everywhere: Bob can encrypt and decrypt with DemoKey without passing any token. Neither the key policy nor an IAM policy mentions him; the grant is a third, separate way in.",
        notes: &[],
        question: Some(Prediction {
            prompt: "Five minutes later, without a token, can Bob encrypt with DemoKey?",
            principal: "Bob",
            key: "DemoKey",
            action: "kms:Encrypt",
        }),
    },
    TourStep {
        part: "3. Key policy + grants",
        title: "Retire and revoke",
        scenario: DEMO1,
        setup: &[CREATE_GRANT, FIND_GRANT, REVOKE_GRANT],
        wait_minutes: 5,
        cells: &[("Bob", "DemoKey")],
        statement: None,
        text: "A grant ends when it is revoked (by someone allowed kms:RevokeGrant, here Alice) or retired (by its retiring principal, or by the grantee when the grant allows RetireGrant). Alice has revoked Bob's grant; try the Grants tab to create and retire one yourself.",
        notes: &[],
        question: Some(Prediction {
            prompt: "After the revoke, can Bob encrypt with DemoKey?",
            principal: "Bob",
            key: "DemoKey",
            action: "kms:Encrypt",
        }),
    },
    TourStep {
        part: "Demo 2: the console's create-key wizard",
        title: "Administrators, users and grants",
        scenario: DEMO2,
        setup: &[],
        wait_minutes: 0,
        cells: &[("CloudAcademy", "DemoKey"), ("Alice", "DemoKey")],
        statement: Some(("DemoKey", "Allow access for Key Administrators")),
        text: "The console's wizard writes four statements: the account's, the key administrators', the key users' and one about grants. Administrators get no Encrypt or Decrypt. The grant statement only holds when an AWS service creates the grant for a key user (kms:GrantIsForAWSResource). Try the wizard yourself: Keys, Create key.",
        notes: &[
            Note::AdministratorsCanGrantThemselves,
            Note::GrantStatementIsForAwsServices,
        ],
        question: Some(Prediction {
            prompt: "Can CloudAcademy, a key administrator, decrypt with DemoKey?",
            principal: "CloudAcademy",
            key: "DemoKey",
            action: "kms:Decrypt",
        }),
    },
];

/// The student's answer to one prediction, and what the engine decided.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// What the student predicted.
    pub chosen: Decision,
    /// What the cell is.
    pub actual: Decision,
    /// What decides the cell, from the engine.
    pub rule: String,
}

impl Answer {
    /// Whether the prediction was right.
    pub fn correct(&self) -> bool {
        self.chosen == self.actual
    }
}

/// Where the student is in the tour, and how their predictions went.
#[derive(Clone, Debug, PartialEq)]
pub struct Tour {
    /// The current step, from 0.
    pub step: usize,
    /// One slot per step.
    pub answers: Vec<Option<Answer>>,
}

impl Tour {
    /// A tour at `step` (clamped to the last step).
    pub fn at(step: usize) -> Tour {
        Tour {
            step: step.min(TOUR.len().saturating_sub(1)),
            answers: vec![None; TOUR.len()],
        }
    }

    /// The current step.
    pub fn current(&self) -> Option<&'static TourStep> {
        TOUR.get(self.step)
    }

    /// The answer given at the current step.
    pub fn answer(&self) -> Option<&Answer> {
        self.answers.get(self.step).and_then(Option::as_ref)
    }

    /// `(right, answered)`.
    pub fn score(&self) -> (usize, usize) {
        let answered = self.answers.iter().flatten();
        let right = answered.clone().filter(|a| a.correct()).count();
        (right, answered.count())
    }
}

/// An exercise the app ships (`scenarios/exercises/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CatalogExercise {
    /// Its id, the file name without `.json` (`#exercise=<id>`).
    pub id: &'static str,
    /// The scenario file.
    pub text: &'static str,
}

macro_rules! exercises {
    ($($id:literal),* $(,)?) => {
        /// The shipped exercises, in the order a course would take them.
        pub const EXERCISES: &[CatalogExercise] = &[
            $(CatalogExercise {
                id: $id,
                text: include_str!(concat!("../scenarios/exercises/", $id, ".json")),
            }),*
        ];
    };
}

exercises!(
    "delegate-to-iam",
    "deny-wins",
    "use-not-admin",
    "context-condition",
    "grant-context",
    "grant-for-aws-resource",
    "cross-account",
    "key-state",
);

/// The shipped exercise with this id.
pub fn catalog_exercise(id: &str) -> Option<&'static CatalogExercise> {
    EXERCISES.iter().find(|e| e.id == id)
}

/// An exercise being worked on: its scenario and the world it started from.
#[derive(Clone, Debug)]
pub struct ExerciseSession {
    /// The catalog id, for a shipped exercise.
    pub id: Option<String>,
    /// The exercise's scenario (goals, `may_edit`, `must_not`, statement).
    pub scenario: Scenario,
    /// The world it started from, against which edits are judged.
    pub start: World,
}

impl ExerciseSession {
    /// The goals and side-effect rules against `model`'s world now.
    pub fn status(&self, model: &Playground) -> ExerciseStatus {
        exercise_status(&self.scenario, model.world(), model.now())
    }

    /// Why editing `target` is refused, if it is.
    pub fn refuse_document(&self, model: &Playground, target: &DocTarget) -> Option<String> {
        let scopes = self.scenario.exercise.may_edit.as_ref()?;
        let (kind, arn, what) = match target {
            DocTarget::KeyPolicy(key) => {
                let arn = model.world().keys.get_by_arn(key)?.arn.clone();
                let what = format!("the key policy of {}", model.key_name(key));
                (EditKind::KeyPolicy, arn, what)
            }
            DocTarget::Identity { principal, .. } => {
                let what = format!(
                    "the IAM policies of {}",
                    self.scenario.principal_name(principal.as_str())
                );
                (EditKind::Identity, principal.to_string(), what)
            }
        };
        if scopes.iter().any(|s| s.kind == kind && s.arn == arn) {
            return None;
        }
        Some(format!(
            "This exercise does not let you change {what}. You may change: {}.",
            allowed_list(scopes)
        ))
    }

    /// Why the change from `before` to `after` is refused: something outside `may_edit`
    /// changed that had not changed before.
    pub fn refuse_change(&self, before: &World, after: &World) -> Option<String> {
        let earlier = changes_outside(&self.scenario, &self.start, before);
        let new: Vec<String> = changes_outside(&self.scenario, &self.start, after)
            .into_iter()
            .filter(|c| !earlier.contains(c))
            .collect();
        if new.is_empty() {
            return None;
        }
        let scopes = self.scenario.exercise.may_edit.as_deref().unwrap_or(&[]);
        Some(format!(
            "Undone: {}. This exercise lets you change only {}.",
            new.join("; "),
            allowed_list(scopes)
        ))
    }
}

fn allowed_list(scopes: &[EditScope]) -> String {
    if scopes.is_empty() {
        return "nothing".to_owned();
    }
    scopes
        .iter()
        .map(EditScope::describe)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The course state beside the playground: a tour, an exercise, or neither.
#[derive(Clone, Debug, Default)]
pub struct Course {
    /// The tour, while it is open.
    pub tour: Option<Tour>,
    /// The exercise, while one is open.
    pub exercise: Option<ExerciseSession>,
}

impl Course {
    /// After a world was loaded: an exercise opens when its scenario has goals (a share link or
    /// a file carries one); the same exercise keeps its starting world.
    pub fn world_loaded(&mut self, model: &Playground) {
        let Some(scenario) = model.scenario().filter(|s| s.exercise.is_exercise()) else {
            self.exercise = None;
            return;
        };
        let same = self.exercise.as_ref().is_some_and(|e| {
            e.scenario.name == scenario.name && e.scenario.exercise == scenario.exercise
        });
        if same {
            return;
        }
        let id = EXERCISES
            .iter()
            .find(|e| Scenario::parse(e.text).is_ok_and(|s| s.name == scenario.name))
            .map(|e| e.id.to_owned());
        self.exercise = Some(ExerciseSession {
            id,
            scenario: scenario.clone(),
            start: model.world().clone(),
        });
    }

    /// Why `intent` is refused before it runs (an edit outside the exercise's `may_edit`).
    pub fn refuse(&self, model: &Playground, intent: &Intent) -> Option<String> {
        let session = self.exercise.as_ref()?;
        let target = match intent {
            Intent::EditDocument { doc, .. }
            | Intent::RenamePolicy { doc, .. }
            | Intent::RemovePolicy(doc) => model.document(*doc)?.target.clone(),
            Intent::AddPolicy { principal, name } => DocTarget::Identity {
                principal: principal.clone(),
                name: name.clone(),
            },
            _ => return None,
        };
        session.refuse_document(model, &target)
    }

    /// Whether `intent` may change the world in ways only a comparison can judge (KMS calls
    /// from the panels and the console, adding or removing principals and keys, the clock).
    pub fn watches(&self, intent: &Intent) -> bool {
        self.exercise.is_some()
            && matches!(
                intent,
                Intent::Panel(_)
                    | Intent::AddPrincipal { .. }
                    | Intent::RemovePrincipal(_)
                    | Intent::AddKey { .. }
                    | Intent::RemoveKey(_)
                    | Intent::AdvanceClock { .. }
            )
    }
}

/// What the course views ask for.
#[derive(Clone, Debug, PartialEq)]
pub enum CourseIntent {
    /// Open the tour at a step (0-based), loading its world.
    OpenTour(usize),
    /// Close the tour (the world stays).
    CloseTour,
    /// Answer the current step's prediction.
    Predict(Decision),
    /// Open a shipped exercise by id.
    OpenExercise(String),
    /// Close the exercise (the world stays, edits are no longer restricted).
    CloseExercise,
}

/// The question a prediction asks, as an `expect`-shaped entry of `scenario`.
fn prediction_entry(scenario: &Scenario, p: &Prediction) -> Option<Expectation> {
    Some(Expectation {
        principal: scenario.principal_index(p.principal)?,
        key: scenario.key_index(p.key)?,
        action: p.action.to_owned(),
        context: Vec::new(),
        grant_tokens: Vec::new(),
        request_alias: None,
        decision: Decision::Allow,
        path: "prediction".to_owned(),
        span: Default::default(),
    })
}

/// The decision a prediction asks about in `model`, with the engine's words for what decides it.
pub fn reveal(model: &Playground, p: &Prediction) -> Option<GoalStatus> {
    let scenario = model.scenario()?;
    let entry = prediction_entry(scenario, p)?;
    evaluate_goal(scenario, &entry, model.world(), model.now())
}

/// The cell `(principal, key)` named in `model`'s scenario, as a selection.
pub fn cell(model: &Playground, principal: &str, key: &str) -> Option<CellSelection> {
    let scenario = model.scenario()?;
    let p = scenario
        .principals
        .get(scenario.principal_index(principal)?)?;
    let k = scenario.keys.get(scenario.key_index(key)?)?;
    Some(CellSelection {
        principal: p.arn.clone(),
        key: k.arn.clone(),
        action: None,
    })
}

/// The matrix positions `(row, column)` of the cells a step is about.
pub fn step_cells(model: &Playground, step: &TourStep) -> Vec<(usize, usize)> {
    step.cells
        .iter()
        .filter_map(|(p, k)| {
            let selection = cell(model, p, k)?;
            Some((
                model.row_of(selection.principal.as_str())?,
                model.column_of(&selection.key)?,
            ))
        })
        .collect()
}

/// The byte range of the statement with `sid` in `key`'s policy, in its document.
pub fn statement_range(
    model: &Playground,
    key: &str,
    sid: &str,
) -> Option<(crate::model::DocId, usize, usize)> {
    let scenario = model.scenario()?;
    let entry = scenario.keys.get(scenario.key_index(key)?)?;
    let id = entry.arn.clone();
    let doc = model.key_policy_doc(&id)?;
    let policy = &model.world().keys.get_by_arn(&id)?.policy.policy;
    let statement = policy
        .statements
        .iter()
        .find(|s| s.sid.as_deref() == Some(sid))?;
    Some((
        doc.id,
        statement.span.start as usize,
        statement.span.end as usize,
    ))
}

/// The intents that set the tour's step up once its world is loaded: the demo's console lines,
/// the clock, the cell and the statement it is about.
pub fn step_intents(model: &Playground, step: &TourStep) -> Vec<Intent> {
    use crate::panels::PanelIntent;
    use crate::panels::console::ConsoleIntent;
    let mut intents = Vec::new();
    for line in step.setup {
        intents.push(Intent::Panel(PanelIntent::Console(
            ConsoleIntent::SetInput((*line).to_owned()),
        )));
        intents.push(Intent::Panel(PanelIntent::Console(ConsoleIntent::Submit)));
    }
    if step.wait_minutes > 0 {
        intents.push(Intent::AdvanceClock {
            millis: step.wait_minutes * 60_000,
        });
    }
    if let Some((key, sid)) = step.statement {
        if let Some((doc, start, end)) = statement_range(model, key, sid) {
            intents.push(Intent::Reveal {
                doc,
                start,
                end,
                highlight: true,
                focus: false,
            });
        }
    }
    intents
}

/// Applies a course intent to the app state.
pub fn apply(state: &mut AppState, intent: CourseIntent) {
    match intent {
        CourseIntent::OpenTour(step) => {
            let tour = match state.course.tour.take() {
                Some(mut tour) => {
                    tour.step = step.min(TOUR.len().saturating_sub(1));
                    tour
                }
                None => Tour::at(step),
            };
            state.course.exercise = None;
            let Some(current) = tour.current() else {
                return;
            };
            state.course.tour = Some(tour);
            state.apply(Intent::ImportScenario {
                text: current.scenario.to_owned(),
                source: format!("the tour, step {}", step + 1),
            });
            let intents = step_intents(&state.model(), current);
            for intent in intents {
                state.apply(intent);
            }
            // The cell stays covered until the prediction is answered.
            let selection = current
                .cells
                .first()
                .filter(|_| current.question.is_none())
                .and_then(|(p, k)| cell(&state.model(), p, k));
            if let Some(selection) = selection {
                state.apply(Intent::SelectCell(selection));
            }
            state.apply(Intent::DismissNotice);
        }
        CourseIntent::CloseTour => state.course.tour = None,
        CourseIntent::Predict(chosen) => {
            let Some(step) = state.course.tour.as_ref().and_then(Tour::current) else {
                return;
            };
            let Some(question) = step.question else {
                return;
            };
            let revealed = reveal(&state.model(), &question);
            // The why panel explains the action asked about.
            let selection =
                cell(&state.model(), question.principal, question.key).map(|s| CellSelection {
                    action: kms_engine::catalog::Action::from_name(question.action),
                    ..s
                });
            if let (Some(status), Some(tour)) = (revealed, state.course.tour.as_mut()) {
                if let Some(slot) = tour.answers.get_mut(tour.step) {
                    *slot = Some(Answer {
                        chosen,
                        actual: status.actual,
                        rule: status.hint,
                    });
                }
            }
            if let Some(selection) = selection {
                state.apply(Intent::SelectCell(selection));
            }
        }
        CourseIntent::OpenExercise(id) => {
            let Some(exercise) = catalog_exercise(&id) else {
                state.apply(Intent::Notify {
                    text: format!("There is no exercise called \"{id}\"."),
                    error: true,
                });
                return;
            };
            state.course.tour = None;
            state.course.exercise = None;
            state.apply(Intent::ImportScenario {
                text: exercise.text.to_owned(),
                source: format!("exercise {id}"),
            });
            if let Some(session) = state.course.exercise.as_mut() {
                session.id = Some(id);
            }
            state.apply(Intent::DismissNotice);
        }
        CourseIntent::CloseExercise => state.course.exercise = None,
    }
}

/// Where a URL fragment asks the page to start: `#tour`, `#tour=3` (1-based, as people count),
/// `#exercise=<id>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CourseRoute {
    /// The tour at a step (0-based).
    Tour(usize),
    /// A shipped exercise.
    Exercise(String),
}

/// The course route in a URL fragment, if it names one.
pub fn route(hash: &str) -> Option<CourseRoute> {
    let hash = hash.trim_start_matches('#');
    if hash == "tour" {
        return Some(CourseRoute::Tour(0));
    }
    if let Some(n) = hash.strip_prefix("tour=") {
        let step = n.parse::<usize>().ok()?.max(1) - 1;
        return Some(CourseRoute::Tour(step));
    }
    hash.strip_prefix("exercise=")
        .filter(|id| !id.is_empty())
        .map(|id| CourseRoute::Exercise(id.to_owned()))
}

/// The fragment for the course's current place, so a reload returns to it.
pub fn fragment(course: &Course) -> Option<String> {
    if let Some(tour) = &course.tour {
        return Some(format!("#tour={}", tour.step + 1));
    }
    let id = course.exercise.as_ref()?.id.as_ref()?;
    Some(format!("#exercise={id}"))
}

/// A goal or rule for "Save as exercise": a cell and the decision it must (or must not) have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellGoal {
    /// The principal's ARN.
    pub principal: String,
    /// The key's ARN.
    pub key: String,
    /// The action.
    pub action: String,
    /// The decision.
    pub decision: Decision,
}

/// The current world as an exercise file: `statement` as its description, `goals` to make
/// true, `must_not` side effects, and the documents the student may edit (`may_edit` entries
/// such as `key-policy:CMK-C`). Cells that name things not in the world are left out.
pub fn exercise_file(
    model: &Playground,
    title: &str,
    statement: &str,
    goals: &[CellGoal],
    must_not: &[CellGoal],
    may_edit: &[String],
) -> Result<String, String> {
    let mut scenario = model.export();
    scenario.name = Some(title.to_owned());
    scenario.description = Some(statement.to_owned()).filter(|s| !s.trim().is_empty());
    scenario.expect.clear();
    let entry = |g: &CellGoal, path: String| -> Option<Expectation> {
        Some(Expectation {
            principal: scenario
                .principals
                .iter()
                .position(|p| p.arn == g.principal)?,
            key: scenario.keys.iter().position(|k| k.arn == g.key)?,
            action: g.action.clone(),
            context: Vec::new(),
            grant_tokens: Vec::new(),
            request_alias: None,
            decision: g.decision,
            path,
            span: Default::default(),
        })
    };
    let goal_entries: Vec<Expectation> = goals
        .iter()
        .enumerate()
        .filter_map(|(i, g)| entry(g, format!("goals[{i}]")))
        .collect();
    let rule_entries: Vec<Expectation> = must_not
        .iter()
        .enumerate()
        .filter_map(|(i, g)| entry(g, format!("must_not[{i}]")))
        .collect();
    if goal_entries.is_empty() {
        return Err(
            "Choose at least one goal: a cell and the decision the student must reach.".into(),
        );
    }
    scenario.exercise.goals = goal_entries;
    scenario.exercise.must_not = rule_entries;
    let mut scopes = Vec::new();
    for written in may_edit {
        let scope = written.split_once(':').and_then(|(prefix, name)| {
            let kind = EditKind::from_prefix(prefix)?;
            let arn = if kind == EditKind::Identity {
                scenario
                    .principals
                    .iter()
                    .find(|p| p.name == name)?
                    .arn
                    .to_string()
            } else {
                scenario.keys.iter().find(|k| k.name == name)?.arn.clone()
            };
            Some(EditScope {
                kind,
                name: name.to_owned(),
                arn,
            })
        });
        scopes.push(scope.ok_or_else(|| format!("`{written}` names nothing in this world."))?);
    }
    scenario.exercise.may_edit = Some(scopes);
    let text = scenario.to_json();
    // Reading the file back is the check that it is one the playground and the CLI accept.
    Scenario::parse(&text).map_err(|e| e.to_string())?;
    Ok(text)
}
