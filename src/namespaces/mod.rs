//! One module per namespace, named as in the reference SDK. Each exports a
//! [`crate::surface::Namespace`] table and its methods as plain async Rust.

pub mod allowance;
pub mod client;
pub mod payments;
pub mod projects;
pub mod service;
pub mod tier;

#[cfg(test)]
mod tests;
