use crate::rule::Rule;

mod deprecated_registry;
mod forbidden_component;
mod image_not_pinned;
mod image_pull_policy;
mod image_tag_mutable;
mod registry_not_allowed;

pub const RULES: &[&dyn Rule] = &[
    &image_tag_mutable::ImageTagMutable,
    &image_not_pinned::ImageNotPinned,
    &image_pull_policy::ImagePullPolicy,
    &deprecated_registry::DeprecatedRegistry,
    &forbidden_component::ForbiddenComponent,
    &registry_not_allowed::RegistryNotAllowed,
];
