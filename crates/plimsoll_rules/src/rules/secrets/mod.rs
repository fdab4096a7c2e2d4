use crate::rule::Rule;

mod literal_secret_env;
mod plaintext_secret;

pub const RULES: &[&dyn Rule] = &[
    &literal_secret_env::LiteralSecretEnv,
    &plaintext_secret::PlaintextSecret,
];
