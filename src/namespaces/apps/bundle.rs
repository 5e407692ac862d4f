//! `apps.bundleDeploy`'s Rust: the steps its adapter runs. The bundle is
//! translated to a `ReleaseSpec` and the steps sequenced in JS
//! (js/bundle-deploy.js, the `bundle` adapter of js/adapters.js): reshaping
//! caller data needs no wasm. Each step is a call of this member with the
//! caller's project id and options, then the step's name and its values:
//! - `check, spec?`: the project id, the options and the project's keys,
//!   then the whole spec valid (and, for a CI session, allowed) before the
//!   first secret is written; without a spec (the translation refused the
//!   bundle) it stops after the project, whose refusal comes first;
//! - `hash, text`: the lower-case hex SHA-256 of `text`'s UTF-8 (the
//!   migration's checksum), in Rust: a page on an insecure origin has no
//!   WebCrypto, and migration SQL is small;
//! - `secret, key, value`: one `secrets.set`;
//! - `apply, spec`: the `deploy.apply`, under this member's name and context.

use crate::prelude::*;
use alloc::rc::Rc;

use crate::args::Args;
use crate::credentials::LocalFuture;
use crate::error::Result;
use crate::json::{Json, Native};
use crate::kernel::Kernel;
use crate::namespaces::{deploy, secrets};
use crate::routes;
use crate::surface::{no_events, Events};
use crate::value::Val;

/// The member's operation (its events are not used: `apply` runs without).
pub fn step(k: Rc<Kernel>, a: Args, _: Events) -> LocalFuture<'static, Result<Val>> {
    Box::pin(async move { run(&k, a).await })
}

async fn run(k: &Kernel, a: Args) -> Result<Val> {
    let project = a.project_id(0)?;
    a.opt_object(1, "opts")?;
    let arg = |i: usize| -> Json { a.get(i).cloned().unwrap_or_else(Native::undefined) };
    match a.get(2).and_then(|s| s.string()).as_deref() {
        Some("hash") => {
            let text = a.get(3).and_then(|s| s.string()).ok_or_else(|| a.error("the bundle's hash step needs a string"))?;
            Ok(Val::Str(crate::wallet::codec::hex(&crate::kernel::sha256::digest(text.as_bytes()))))
        }
        Some("secret") => {
            let set = Args::new("secrets", "set", "setting secret", vec![Native::string(project), arg(3), arg(4)]);
            routes::run(k, set, &secrets::SET).await
        }
        Some("apply") => {
            let apply = Args::new(a.namespace, a.method, a.context, vec![arg(3), Native::undefined()]);
            deploy::run(k, apply, no_events()).await
        }
        _ => {
            k.project_keys(&project, a.context).await?;
            if let Some(spec) = a.get(3) {
                deploy::checked_spec(k, spec)?;
            }
            Ok(Val::Undefined)
        }
    }
}
