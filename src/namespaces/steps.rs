//! One async driver for the code members whose work is a short exchange
//! (look up the project's keys, send a request, tell the provider what
//! changed). Each such member is a plain synchronous state machine, a
//! [`Steps`]: given what its last step got, it says what to wait for next.
//! Only [`drive`] is a future, so the members share one state machine and
//! one copy of the poll plumbing of every wait, instead of each compiling
//! its own (an async member holds every value across its awaits, and drop
//! glue for each state).

use crate::prelude::*;
use alloc::rc::Rc;

use crate::args::Args;
use crate::credentials::{self, AllowanceRecord, LocalFuture, ProjectKeys, ProviderMethod};
use crate::error::Result;
use crate::json::Json;
use crate::kernel::{Call, Kernel, Reply};
use crate::routes::{self, Route};
use crate::value::Val;

/// What a member waits for next.
pub enum Ask {
    /// The provider's keys for this project (`ProjectNotFound` when it has
    /// none), errors under the given context phrase.
    Keys(String, &'static str),
    /// This request.
    Send(Call),
    /// This provider method (the member checks `has` first when it is
    /// optional), errors under the given context phrase.
    Invoke(ProviderMethod, Vec<Val>, &'static str),
    /// The provider's allowance record.
    Allowance,
    /// The provider's active project.
    Active,
    /// This declared route, run on the call's arguments as they now are; it
    /// takes them, so a member asks for it last (its later steps see only
    /// the call's names and context).
    Route(&'static Route),
    /// The call's result.
    Done(Val),
}

/// What the last step got.
pub enum Got {
    /// Nothing yet: the member's first step, before anything is awaited.
    Start,
    Keys(Result<ProjectKeys>),
    Reply(Result<Reply>),
    Json(Result<Json>),
    Allowance(Result<Option<AllowanceRecord>>),
    Active(Result<Option<String>>),
    Routed(Result<Val>),
}

/// A member as a state machine. Its first step runs before any future is
/// made: every argument check happens there, so bad input sends nothing and
/// asks the provider nothing.
pub trait Steps {
    fn next(&mut self, k: &Kernel, a: &mut Args, got: Got) -> Result<Ask>;
}

/// A finished future: a member's answer (or error) known without waiting.
#[inline(never)]
pub fn ready(out: Result<Val>) -> LocalFuture<'static, Result<Val>> {
    Box::pin(core::future::ready(out))
}

/// Takes the member's first step, and runs the rest in [`drive`] (a result
/// or an error at once is a finished future).
#[inline(never)]
pub fn start(k: Rc<Kernel>, mut a: Args, mut m: Box<dyn Steps>) -> LocalFuture<'static, Result<Val>> {
    match m.next(&k, &mut a, Got::Start) {
        Ok(Ask::Done(v)) => ready(Ok(v)),
        Ok(ask) => Box::pin(drive(k, a, m, ask)),
        Err(e) => ready(Err(e)),
    }
}

async fn drive(k: Rc<Kernel>, mut a: Args, mut m: Box<dyn Steps>, mut ask: Ask) -> Result<Val> {
    loop {
        let c = k.credentials.as_ref();
        let got = match ask {
            Ask::Done(v) => return Ok(v),
            Ask::Keys(id, context) => Got::Keys(k.project_keys(&id, context).await),
            Ask::Send(call) => Got::Reply(k.send(call).await),
            Ask::Invoke(method, args, context) => Got::Json(c.invoke(method, args, context).await),
            Ask::Allowance => Got::Allowance(credentials::read_allowance(c, a.context).await),
            Ask::Active => Got::Active(credentials::get_active_project(c, a.context).await),
            Ask::Route(route) => {
                let mut rest = Args::new(a.namespace, a.method, a.context, Vec::new());
                rest.params = a.params;
                let taken = core::mem::replace(&mut a, rest);
                Got::Routed(routes::run(&k, taken, route).await)
            }
        };
        ask = m.next(&k, &mut a, got)?;
    }
}

/// Runs a declared route and shapes its answer with `shape`: a member
/// whose result the vocabulary has no words for (`secrets.list`).
pub fn route_then(k: Rc<Kernel>, a: Args, route: &'static Route, shape: fn(Val) -> Val) -> LocalFuture<'static, Result<Val>> {
    start(k, a, Box::new(Routing { route: Some(route), shape }))
}

/// See [`route_then`].
struct Routing {
    /// The route, until it is run.
    route: Option<&'static Route>,
    shape: fn(Val) -> Val,
}

impl Steps for Routing {
    fn next(&mut self, _: &Kernel, _: &mut Args, got: Got) -> Result<Ask> {
        Ok(match (self.route.take(), got) {
            (Some(route), _) => Ask::Route(route),
            (None, Got::Routed(out)) => Ask::Done((self.shape)(out?)),
            (None, _) => Ask::Done(Val::Undefined),
        })
    }
}
