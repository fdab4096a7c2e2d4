use crate::rule::Rule;

mod literal_secret_env;
mod no_secret_store;
mod plaintext_secret;
mod secret_in_configmap;
mod secret_in_env;
mod support;
mod unmanaged_secret_reference;

pub const RULES: &[&dyn Rule] = &[
    &literal_secret_env::LiteralSecretEnv,
    &plaintext_secret::PlaintextSecret,
    &secret_in_configmap::SecretInConfigmap,
    &secret_in_env::SecretInEnv,
    &unmanaged_secret_reference::UnmanagedSecretReference,
    &no_secret_store::NoSecretStore,
];
