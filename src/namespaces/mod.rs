//! One module per namespace, named as in the reference SDK. Each exports a
//! [`crate::surface::Namespace`] table: declared routes, and for the members with
//! behaviour, code: mostly state machines run by one driver ([`steps`]).

pub mod ai;
pub mod admin;
pub mod allowance;
pub mod auth;
pub mod apps;
pub mod billing;
pub mod blobs;
pub mod deploy;
pub mod ci;
pub mod client;
pub mod contracts;
pub mod domains;
pub mod functions;
pub mod email;
pub mod payments;
pub mod projects;
pub mod s3;
pub mod secrets;
pub mod sender_domain;
pub mod service;
pub mod sites;
pub mod steps;
#[cfg(feature = "size-probe")]
pub mod size_probe;
pub mod subdomains;
pub mod tier;
#[cfg(feature = "test-hooks")]
pub mod test_probe;

#[cfg(test)]
mod tests;
