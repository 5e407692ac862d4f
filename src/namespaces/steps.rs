//! Step machines and the one async driver that runs them. A code member
//! whose work is an exchange (look up the project's keys, send requests,
//! hash or read host bytes, pause, ask the provider, run a declared route)
//! is a plain synchronous [`Steps`]: told what its last wait got, it names
//! the waits to start next or gives its result. Only [`drive`] is compiled
//! as an async state machine, instead of one per member holding every
//! value across its awaits (with drop glue per state and the poll plumbing
//! of each awaited sub-future); a boxed future's outcome is made a [`Got`]
//! by one small [`Then`], an async fn's (the keys, the provider's records)
//! by an async block (each measured the smaller there). Waits run
//! concurrently, in start order, in the call's own task; when the machine
//! returns, whatever is still running is dropped (cancelled).

use crate::prelude::*;
use alloc::rc::Rc;
use core::future::poll_fn;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use crate::args::Args;
use crate::credentials::{self, AllowanceRecord, LocalFuture, ProjectKeys, ProviderMethod};
use crate::error::{Error, Result};
use crate::json::Json;
use crate::kernel::{Call, Kernel, Reply};
use crate::routes::{self, Route};
use crate::value::Val;

/// What a wait got; `Start` is given once, first, before anything waits.
pub enum Got {
    Start,
    Keys(ProjectKeys),
    Reply(Reply),
    /// A provider method's answer.
    Json(Json),
    Allowance(Option<AllowanceRecord>),
    Active(Option<String>),
    /// A declared route's result.
    Val(Val),
    Digest([u8; 32]),
    Read(Option<Json>),
    Slept,
}

impl Got {
    /// The reply of a `send` wait.
    pub fn reply(got: Result<Got>) -> Result<Reply> {
        match got? {
            Got::Reply(r) => Ok(r),
            _ => Err(out_of_step()),
        }
    }
}

/// A wait's outcome that its machine did not ask for: a bug, reported
/// rather than trapped.
#[cold]
pub fn out_of_step() -> Error {
    Error::local("running steps", "a step got an answer it did not ask for")
}

/// A member's exchange as plain code. Its first step runs before any
/// future is made: every argument check happens there (or before), so bad
/// input sends nothing and asks the provider nothing.
pub trait Steps {
    /// What the wait tagged `tag` got (`a`: the call's arguments): pushes
    /// the next waits on `ops` (each with a tag of the machine's choosing),
    /// or returns the result. A machine that returns `None` has a wait
    /// running (else the driver fails the call with [`out_of_step`] rather
    /// than hang).
    fn next(&mut self, k: &Kernel, a: &mut Args, tag: usize, got: Result<Got>, ops: &mut Waits) -> Result<Option<Val>>;
}

/// A wait asked for, started by the driver once the step returns.
enum Wait {
    /// Errors under the context phrase.
    Keys(String, &'static str),
    Send(Call),
    Invoke(ProviderMethod, Vec<Val>, &'static str),
    Allowance(&'static str),
    Active(&'static str),
    Route(Args, &'static Route),
    Hash(Json, &'static str),
    Read(Json, u64, &'static str),
    Sleep(u32, &'static str),
}

/// The waits a step asks for. Each method returns `None` (nothing known
/// yet), so a step can end with `Ok(ops.send(0, call))`.
pub struct Waits(Vec<(usize, Wait)>);

impl Waits {
    fn push(&mut self, tag: usize, wait: Wait) -> Option<Val> {
        self.0.push((tag, wait));
        None
    }

    /// The project's keys (`ProjectNotFound` when the provider has none).
    pub fn keys(&mut self, tag: usize, id: String, ctx: &'static str) -> Option<Val> {
        self.push(tag, Wait::Keys(id, ctx))
    }

    pub fn send(&mut self, tag: usize, call: Call) -> Option<Val> {
        self.push(tag, Wait::Send(call))
    }

    /// This provider method (the member checks `has` first when it is
    /// optional).
    pub fn invoke(&mut self, tag: usize, method: ProviderMethod, args: Vec<Val>, ctx: &'static str) -> Option<Val> {
        self.push(tag, Wait::Invoke(method, args, ctx))
    }

    /// The provider's allowance record.
    pub fn allowance(&mut self, tag: usize, ctx: &'static str) -> Option<Val> {
        self.push(tag, Wait::Allowance(ctx))
    }

    /// The provider's active project.
    pub fn active(&mut self, tag: usize, ctx: &'static str) -> Option<Val> {
        self.push(tag, Wait::Active(ctx))
    }

    /// A declared route, run for these arguments.
    pub fn route(&mut self, tag: usize, a: Args, route: &'static Route) -> Option<Val> {
        self.push(tag, Wait::Route(a, route))
    }

    /// A declared route, run on the call's own arguments as they now are;
    /// it takes them (later steps see only the call's names and context).
    pub fn route_call(&mut self, tag: usize, a: &mut Args, route: &'static Route) -> Option<Val> {
        let mut rest = Args::new(a.namespace, a.method, a.context, Vec::new());
        rest.params = a.params;
        let taken = core::mem::replace(a, rest);
        self.route(tag, taken, route)
    }

    /// The SHA-256 of host bytes.
    pub fn hash(&mut self, tag: usize, data: Json, ctx: &'static str) -> Option<Val> {
        self.push(tag, Wait::Hash(data, ctx))
    }

    /// The next `max` bytes of a stream.
    pub fn read(&mut self, tag: usize, stream: Json, max: u64, ctx: &'static str) -> Option<Val> {
        self.push(tag, Wait::Read(stream, max, ctx))
    }

    pub fn sleep(&mut self, tag: usize, ms: u32, ctx: &'static str) -> Option<Val> {
        self.push(tag, Wait::Sleep(ms, ctx))
    }
}

/// The future of a wait.
fn begin(k: &Kernel, wait: Wait) -> LocalFuture<'_, Result<Got>> {
    let c = k.credentials.as_ref();
    match wait {
        Wait::Keys(id, ctx) => Box::pin(async move { k.project_keys(&id, ctx).await.map(Got::Keys) }),
        Wait::Send(call) => then(Box::pin(k.send(call)), "", |r, _| r.map(Got::Reply)),
        Wait::Invoke(method, args, ctx) => then(c.invoke(method, args, ctx), ctx, |r, _| r.map(Got::Json)),
        Wait::Allowance(ctx) => Box::pin(async move { credentials::read_allowance(c, ctx).await.map(Got::Allowance) }),
        Wait::Active(ctx) => Box::pin(async move { credentials::get_active_project(c, ctx).await.map(Got::Active) }),
        Wait::Route(a, route) => then(Box::pin(routes::run(k, a, route)), "", |r, _| r.map(Got::Val)),
        Wait::Hash(data, ctx) => then(k.transport.sha256(&data), ctx, |r, ctx| {
            r.map(Got::Digest).map_err(|why| Error::local(ctx, format!("cannot hash the content: {why}")))
        }),
        Wait::Read(stream, max, ctx) => then(k.transport.read_stream(&stream, max), ctx, |r, ctx| {
            r.map(Got::Read).map_err(|why| Error::local(ctx, format!("cannot read the stream: {why}")))
        }),
        Wait::Sleep(ms, ctx) => then(k.transport.sleep(ms, ctx), ctx, |r, _| r.map(|()| Got::Slept)),
    }
}

fn then<'k, T: 'k>(wait: LocalFuture<'k, T>, ctx: &'static str, then: fn(T, &'static str) -> Result<Got>) -> LocalFuture<'k, Result<Got>> {
    Box::pin(Then { wait, ctx, then })
}

/// A wait whose outcome `then` makes a [`Got`]: one small poll per outcome
/// type, where an async block would be a state machine of its own.
struct Then<'k, T> {
    wait: LocalFuture<'k, T>,
    ctx: &'static str,
    then: fn(T, &'static str) -> Result<Got>,
}

impl<T> Future for Then<'_, T> {
    type Output = Result<Got>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<Got>> {
        let this = self.get_mut();
        let (ctx, then) = (this.ctx, this.then);
        this.wait.as_mut().poll(cx).map(|v| then(v, ctx))
    }
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
    let mut ops = Waits(Vec::new());
    match m.next(&k, &mut a, 0, Ok(Got::Start), &mut ops) {
        Ok(Some(v)) => ready(Ok(v)),
        Ok(None) => Box::pin(drive(k, a, m, ops)),
        Err(e) => ready(Err(e)),
    }
}

async fn drive(k: Rc<Kernel>, mut a: Args, mut m: Box<dyn Steps>, mut ops: Waits) -> Result<Val> {
    let k = &*k;
    let mut running = Vec::new();
    loop {
        while !ops.0.is_empty() {
            let (tag, wait) = ops.0.remove(0);
            running.push((tag, begin(k, wait)));
        }
        if running.is_empty() {
            return Err(out_of_step());
        }
        let (tag, got) = poll_fn(|cx| {
            for i in 0..running.len() {
                if let Poll::Ready(r) = running[i].1.as_mut().poll(cx) {
                    return Poll::Ready((running.remove(i).0, r));
                }
            }
            Poll::Pending
        })
        .await;
        if let Some(v) = m.next(k, &mut a, tag, got, &mut ops)? {
            return Ok(v);
        }
    }
}

/// Runs a declared route and shapes its answer with `shape`: a member
/// whose result the vocabulary has no words for (`secrets.list`).
pub fn route_then(k: Rc<Kernel>, a: Args, route: &'static Route, shape: fn(Val) -> Val) -> LocalFuture<'static, Result<Val>> {
    start(k, a, Box::new(Routing { route, shape }))
}

/// See [`route_then`]: the route is asked for first, its result shaped.
struct Routing {
    route: &'static Route,
    shape: fn(Val) -> Val,
}

impl Steps for Routing {
    fn next(&mut self, _: &Kernel, a: &mut Args, _: usize, got: Result<Got>, ops: &mut Waits) -> Result<Option<Val>> {
        Ok(match got? {
            Got::Start => ops.route_call(0, a, self.route),
            Got::Val(out) => Some((self.shape)(out)),
            _ => return Err(out_of_step()),
        })
    }
}
