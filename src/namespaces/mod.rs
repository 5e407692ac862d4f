//! One module per namespace, named as in the reference SDK. Each exports a
//! [`crate::surface::Namespace`] table and its methods as plain async Rust.

pub mod client;
pub mod projects;
pub mod service;

#[cfg(test)]
mod tests;
