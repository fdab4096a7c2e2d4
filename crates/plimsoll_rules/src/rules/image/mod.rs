use crate::rule::Rule;

mod image_tag_mutable;

pub const RULES: &[&dyn Rule] = &[&image_tag_mutable::ImageTagMutable];
