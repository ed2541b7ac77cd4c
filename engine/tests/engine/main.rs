//! The engine's integration tests, one module a topic, in one test binary (one link instead of one
//! per file). `cargo test -p kms-engine --test engine MODULE::` runs one topic.

mod common;
mod kms_common;

mod analysis;
mod answers;
mod authz_rules;
mod crypto_ops;
mod exercises;
mod fidelity;
mod global_keys;
mod grants;
mod iam_evaluation;
mod import;
mod key_pairs;
mod key_types;
mod key_usage;
mod kms_operations;
mod layers;
mod lecture;
mod matrix_properties;
mod multi_region;
mod parser_properties;
mod policy_eval;
mod policy_eval_conditions;
mod policy_grammar;
mod policy_laws;
mod policy_lint;
mod randomness;
mod regions;
mod replicas;
mod rsa_keys;
mod scenario_props;
mod store_model;
