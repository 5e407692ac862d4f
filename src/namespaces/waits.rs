//! Step machines and the one async driver that runs them. A member whose
//! exchange has several waits (keys, requests, hashing, stream reads,
//! pauses) is written as plain code that, told what its last wait got,
//! names the waits to start next or gives its result. Only [`drive`] (and
//! the keys' lookup) is compiled as an async state machine, instead of one
//! per member holding every value across its awaits (with drop glue per
//! state and the poll plumbing of each awaited sub-future); the other waits
//! are the host's or the kernel's boxed futures under one small [`Then`].
//! Waits run concurrently, in start order, in the call's own task; when the
//! machine returns, whatever is still running is dropped (cancelled).

use crate::prelude::*;
use alloc::rc::Rc;
use core::future::poll_fn;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use crate::args::Args;
use crate::credentials::{LocalFuture, ProjectKeys};
use crate::error::{Error, Result};
use crate::json::Json;
use crate::kernel::{Call, Kernel, Reply};
use crate::routes::{self, Route};
use crate::value::Val;

/// What a wait got; `Start` is given once, first.
pub enum Got {
    Start,
    Keys(ProjectKeys),
    Reply(Reply),
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

/// A member's exchange as plain code.
pub trait Steps {
    /// What the wait tagged `tag` got: pushes the next waits (each with a
    /// tag of the machine's choosing) on `ops`, or returns the result. A
    /// machine that returns `None` has a wait running (else the driver
    /// fails the call with [`out_of_step`] rather than hang).
    fn next(&mut self, k: &Kernel, tag: usize, got: Result<Got>, ops: &mut Waits) -> Result<Option<Val>>;
}

/// The waits running, each started as it is pushed.
pub struct Waits<'k> {
    k: &'k Kernel,
    running: Vec<(usize, LocalFuture<'k, Result<Got>>)>,
}

/// Each starts one wait (boxed: the driver holds any mix), tagged.
impl<'k> Waits<'k> {
    fn push(&mut self, tag: usize, wait: LocalFuture<'k, Result<Got>>) {
        self.running.push((tag, wait));
    }

    /// The project's keys (the provider must know it).
    pub fn keys(&mut self, tag: usize, id: String, ctx: &'static str) {
        let k = self.k;
        self.push(tag, Box::pin(async move { k.project_keys(&id, ctx).await.map(Got::Keys) }));
    }

    pub fn send(&mut self, tag: usize, call: Call) {
        self.then(tag, Box::pin(self.k.send(call)), "", |r, _| r.map(Got::Reply));
    }

    /// A declared route, run for these arguments.
    pub fn route(&mut self, tag: usize, a: Args, route: &'static Route) {
        self.then(tag, Box::pin(routes::run(self.k, a, route)), "", |r, _| r.map(Got::Val));
    }

    /// The SHA-256 of host bytes.
    pub fn hash(&mut self, tag: usize, data: Json, ctx: &'static str) {
        let digest = self.k.transport.sha256(&data);
        self.then(tag, digest, ctx, |r, ctx| r.map(Got::Digest).map_err(|why| Error::local(ctx, format!("cannot hash the content: {why}"))));
    }

    /// The next `max` bytes of a stream.
    pub fn read(&mut self, tag: usize, stream: Json, max: u64, ctx: &'static str) {
        let read = self.k.transport.read_stream(&stream, max);
        self.then(tag, read, ctx, |r, ctx| r.map(Got::Read).map_err(|why| Error::local(ctx, format!("cannot read the stream: {why}"))));
    }

    pub fn sleep(&mut self, tag: usize, ms: u32, ctx: &'static str) {
        self.then(tag, self.k.transport.sleep(ms, ctx), ctx, |r, _| r.map(|()| Got::Slept));
    }

    fn then<T: 'k>(&mut self, tag: usize, wait: LocalFuture<'k, T>, ctx: &'static str, then: fn(T, &'static str) -> Result<Got>) {
        self.push(tag, Box::pin(Then { wait, ctx, then }));
    }
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

/// Runs a machine to its result: the member's one future.
pub fn run(k: Rc<Kernel>, machine: Box<dyn Steps>) -> LocalFuture<'static, Result<Val>> {
    Box::pin(async move {
        let mut machine = machine;
        drive(&k, machine.as_mut()).await
    })
}

async fn drive(k: &Kernel, m: &mut dyn Steps) -> Result<Val> {
    let mut waits = Waits { k, running: Vec::new() };
    let (mut tag, mut got) = (0, Ok(Got::Start));
    loop {
        if let Some(v) = m.next(k, tag, got, &mut waits)? {
            return Ok(v);
        }
        let running = &mut waits.running;
        if running.is_empty() {
            return Err(out_of_step());
        }
        (tag, got) = poll_fn(|cx| {
            for i in 0..running.len() {
                if let Poll::Ready(r) = running[i].1.as_mut().poll(cx) {
                    return Poll::Ready((running.remove(i).0, r));
                }
            }
            Poll::Pending
        })
        .await;
    }
}

