//! Multi-Region replica keys in the app: a replica has its primary's key id, and its own key
//! policy, so it is a column of its own (KMS Developer Guide, multi-region-keys-auth.html: "Each
//! multi-Region key is an independent resource with a unique key ARN and key policy").

use crate::panels_support;

use kms_playground::model::Playground;
use kms_playground::state::{AppState, Intent};
use panels_support::*;

const SCENARIO: &str = r#"{
  "name": "Replicas",
  "principals": [{"name": "Alice"}],
  "keys": [
    {"name": "Global", "id": "mrk-1234abcd12ab34cd56ef1234567890ab"},
    {"name": "Copy", "replica_of": "Global", "region": "eu-west-2",
     "policy": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
       {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/Alice"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}]}}
  ]
}"#;

#[test]
fn a_replica_and_its_primary_are_two_columns_with_their_own_policies() {
    let mut state = AppState::new(Playground::from_scenario_text(SCENARIO, START).unwrap());
    let (global, copy, copy_doc) = {
        let model = state.model();
        let columns = model.columns();
        assert_eq!(columns.len(), 2);
        assert_ne!(columns[0].id, columns[1].id);
        assert_eq!(
            (columns[0].name.as_str(), columns[1].name.as_str()),
            ("Global", "Copy")
        );
        let global = model.summary(0, 0).unwrap().allowed;
        let copy = model.summary(0, 1).unwrap().allowed;
        let doc = model.key_policy_doc(&columns[1].id).unwrap().id;
        assert_ne!(
            model.key_policy_doc(&columns[0].id).unwrap().id,
            doc,
            "each key has its own policy document"
        );
        (global, copy, doc)
    };
    // Alice may use the replica (its policy names her), not the primary.
    assert_eq!(global, 0);
    assert!(copy >= 2, "{copy}");
    // Editing the replica's policy changes its column only.
    state.apply(Intent::EditDocument {
        doc: copy_doc,
        text: r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}"#.to_owned(),
    });
    let model = state.model();
    assert_eq!(model.summary(0, 1).unwrap().allowed, 0);
    // Exported, the replica names its primary.
    let text = model.export().to_json();
    assert!(text.contains(r#""replica_of": "Global""#), "{text}");
}
