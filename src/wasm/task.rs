//! The executor under every SDK call. Each call is a Rust task polled
//! synchronously from the JS loop in js/driver.js; nothing runs unless JS
//! calls in, and JS only calls in when a task can make progress.
//!
//! A task waits in one of two ways, chosen after each poll:
//!
//! - **One promise** (the fast path, every call that only awaits host
//!   promises one at a time): its only wait is a single fresh promise and
//!   no future kept its waker. The loop awaits that promise with a plain
//!   `await` and hands the outcome back with `resume`; no closure, no
//!   bookkeeping on the JS side.
//! - **Watched**: several promises outstanding (a join), or something else
//!   may wake it (a channel, an event queue waiting for room).
//!   The loop subscribes to each fresh promise (`fresh`), whose settlement
//!   is `deliver`ed by id, and sleeps until the task's waker fires; wakers
//!   only queue the task, and the queue is flushed (the loops of woken
//!   tasks are notified) at the end of every entry point here. Once
//!   watched, a task stays watched.
//!
//! Tasks live in one table per instance, so a waker can name its task by
//! handle and a call started re-entrantly (a provider that calls the SDK
//! during a poll) always gets a handle of its own: a handle stays allocated
//! from `start` until `take`, including while its task is on the stack.
//!
//! Cancelling drops the task's future at once (destructors run: a spend
//! reservation not yet sent is released) and abandons its waits: their late
//! outcomes are ignored, as wait ids are never reused.

use crate::prelude::*;
use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use alloc::rc::Rc;
use core::task::{Context, Poll};

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;

use crate::credentials::LocalFuture;
use crate::driver::events::{self, EventQueue};
use crate::driver::waits::{WaitId, Waits};
use crate::driver::wake::{any_woken, drain_woken, TaskWaker};
use crate::error::Result;
use crate::value::Val;

/// A settled host promise: fulfilled or rejected.
pub type Outcome = core::result::Result<JsValue, JsValue>;

/// Events a task may buffer before its emitter waits (or, with nobody
/// listening, drops the oldest): enough for a deploy's progress bursts.
const EVENT_CAPACITY: usize = 64;

/// Polls in a row for a task that wakes itself while being polled, before
/// the loop is asked to come back after a microtask instead.
const SELF_WAKE_POLLS: u32 = 16;

/// Call states reported to the facade (`handle * 8 + state`).
pub const OK: u32 = 0;
pub const FAILED: u32 = 1;
pub const WAITING_ONE: u32 = 2;
pub const WATCHED: u32 = 3;
/// Flag: the task has events queued.
pub const EVENTS: u32 = 4;

/// What a task shares with the futures it runs.
pub struct TaskCtx {
    waits: RefCell<Waits<JsValue, Outcome>>,
    events: RefCell<EventQueue<JsValue>>,
}

/// The running task's event queue, for [`events::emit`].
struct Events(Rc<TaskCtx>);

impl core::ops::Deref for Events {
    type Target = RefCell<EventQueue<JsValue>>;
    fn deref(&self) -> &Self::Target {
        &self.0.events
    }
}

local! {
    // The task being polled (a nested poll saves and restores it). Only
    // touched for O(1) swaps, never across a poll or a call into JS.
    static CURRENT: RefCell<Option<Rc<TaskCtx>>> = const { RefCell::new(None) };
    static TABLE: RefCell<Table> = const { RefCell::new(Table { entries: Vec::new(), free: Vec::new(), spare: Vec::new() }) };
}

/// Spares kept at most (about as many calls as are commonly in flight).
const SPARE_MAX: usize = 64;

/// A finished task's context and wake state, kept for the next task.
type Spare = (Rc<TaskCtx>, TaskWaker);

/// A context and wake state for a new task under `handle`, from `spare` if any.
fn task_parts(handle: u32, spare: Option<Spare>) -> Spare {
    if let Some((ctx, wake)) = spare {
        if wake.reuse(handle) {
            return (ctx, wake);
        }
    }
    let ctx = Rc::new(TaskCtx { waits: RefCell::default(), events: RefCell::new(EventQueue::new(EVENT_CAPACITY)) });
    (ctx, TaskWaker::new(handle))
}

/// Ends a task: drops its future (its destructors run now), then returns
/// its context and wake state for reuse if nothing else holds them.
fn retire(task: Task) -> Option<Spare> {
    let Task { future, ctx, wake, .. } = task;
    drop(future);
    if Rc::strong_count(&ctx) != 1 || wake.is_shared() {
        return None;
    }
    let (Ok(mut waits), Ok(mut events)) = (ctx.waits.try_borrow_mut(), ctx.events.try_borrow_mut()) else { return None };
    waits.clear();
    events.clear();
    drop((waits, events));
    Some((ctx, wake))
}

fn current() -> Option<Rc<TaskCtx>> {
    CURRENT.with(|c| c.try_borrow().ok().and_then(|c| c.clone()))
}

/// Awaits a JS promise (or thenable) by handing it to the loop.
pub struct HostWait {
    state: WaitState,
}

enum WaitState {
    New(JsValue),
    Waiting(Rc<TaskCtx>, WaitId),
    Done,
}

/// A future for the settlement of `promise`.
pub fn settle(promise: JsValue) -> HostWait {
    HostWait { state: WaitState::New(promise) }
}

fn misuse(what: &str) -> Outcome {
    Err(JsValue::from_str(&format!("run402: internal error: {what}")))
}

impl Future for HostWait {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Outcome> {
        match core::mem::replace(&mut self.state, WaitState::Done) {
            WaitState::New(promise) => {
                let Some(ctx) = current() else { return Poll::Ready(misuse("a host wait was polled outside a task")) };
                let Ok(id) = ctx.waits.try_borrow_mut().map(|mut w| w.register(promise)) else {
                    return Poll::Ready(misuse("the wait table was busy"));
                };
                self.state = WaitState::Waiting(ctx, id);
                Poll::Pending
            }
            WaitState::Waiting(ctx, id) => {
                let taken = ctx.waits.try_borrow_mut().ok().and_then(|mut w| w.take(id));
                match taken {
                    Some(outcome) => Poll::Ready(outcome),
                    None => {
                        self.state = WaitState::Waiting(ctx, id);
                        Poll::Pending
                    }
                }
            }
            WaitState::Done => Poll::Ready(misuse("a host wait was polled after it finished")),
        }
    }
}

impl Drop for HostWait {
    fn drop(&mut self) {
        if let WaitState::Waiting(ctx, id) = &self.state {
            if let Ok(mut w) = ctx.waits.try_borrow_mut() {
                w.abandon(*id);
            }
        }
    }
}

/// Emits `value` to the running task's event stream (see
/// [`crate::driver::events`] for when this waits). Outside a task it does
/// nothing.
// Deploy's operations (`deploy.start`) and the test hooks stream events.
pub async fn emit(value: JsValue) {
    if let Some(ctx) = current() {
        events::emit(Events(ctx), value).await;
    }
}

#[wasm_bindgen(raw_module = "./host.js")]
extern "C" {
    /// Resolves after `ms`, or early with an interruption marker when the
    /// running call's signal fires (never rejects).
    #[wasm_bindgen(js_name = sleep)]
    fn host_sleep(ms: u32) -> JsValue;
}

/// Waits `ms` milliseconds (retry backoff, polling loops). `timeoutMs`
/// limits each exchange, not a deliberate pause, so only the call's signal
/// cuts it short: `NetworkError` `ABORTED`.
#[cfg_attr(not(feature = "test-hooks"), allow(dead_code))]
pub async fn sleep(ms: u32, context: &str) -> Result<()> {
    use super::convert::{describe, interruption, interruption_cause, wrap};
    use crate::error::Error;
    match settle(host_sleep(ms)).await {
        Ok(v) => match interruption(&v) {
            Some(why) => Err(Error::interrupted(context, why, interruption_cause(&v))),
            None => Ok(()),
        },
        Err(e) => Err(Error::local_caused(context, format!("the timer failed: {}", describe(&e)), Some(wrap(e)))),
    }
}

/// One in-flight SDK call.
struct Task {
    future: LocalFuture<'static, Result<Val>>,
    ctx: Rc<TaskCtx>,
    wake: TaskWaker,
    /// The method's context phrase, for the error a cancelled call ends with.
    context: &'static str,
}

enum Entry {
    Vacant,
    /// Being polled right now (its task is on the Rust stack); `cancel`
    /// holds the abort reason if the call was cancelled meanwhile.
    Running { cancel: Option<JsValue> },
    Waiting(Parked),
    Finished { outcome: Outcome, ctx: Option<Rc<TaskCtx>> },
}

struct Parked {
    task: Task,
    /// The watched loop's wake-up function, once it has asked for one.
    notify: Option<Function>,
    /// The one promise the loop awaits on the fast path.
    sole: Option<(WaitId, JsValue)>,
}

struct Table {
    entries: Vec<Entry>,
    free: Vec<u32>,
    spare: Vec<Spare>,
}

impl Table {
    fn open(&mut self) -> u32 {
        if let Some(h) = self.free.pop() {
            if let Some(slot) = self.entries.get_mut(h as usize) {
                *slot = Entry::Running { cancel: None };
                return h;
            }
        }
        self.entries.push(Entry::Running { cancel: None });
        u32::try_from(self.entries.len() - 1).unwrap_or(u32::MAX)
    }

    fn get(&mut self, h: u32) -> Option<&mut Entry> {
        self.entries.get_mut(h as usize)
    }

    /// Takes a waiting task out to poll it, leaving the handle `Running`.
    fn checkout(&mut self, h: u32) -> Option<Parked> {
        let slot = self.get(h)?;
        if !matches!(slot, Entry::Waiting(_)) {
            return None;
        }
        match core::mem::replace(slot, Entry::Running { cancel: None }) {
            Entry::Waiting(p) => Some(p),
            _ => None,
        }
    }

    /// Files a finished call under `h` and keeps its spare parts.
    fn finish(&mut self, h: u32, outcome: Outcome, ctx: Option<Rc<TaskCtx>>, spare: Option<Spare>) {
        if let Some(slot @ Entry::Running { .. }) = self.get(h) {
            *slot = Entry::Finished { outcome, ctx };
        }
        if let Some(spare) = spare.filter(|_| self.spare.len() < SPARE_MAX) {
            self.spare.push(spare);
        }
    }

    /// Files a waiting call under `h`, or hands it back with the abort
    /// reason if it was cancelled during its poll.
    fn file_waiting(&mut self, h: u32, parked: Parked) -> Option<(Parked, JsValue)> {
        match self.get(h) {
            Some(slot @ Entry::Running { cancel: None }) => {
                *slot = Entry::Waiting(parked);
                None
            }
            Some(Entry::Running { cancel }) => Some((parked, cancel.take().unwrap_or(JsValue::UNDEFINED))),
            // Cannot happen (the handle is ours until `take`); drop the task.
            _ => None,
        }
    }

    /// The state of a finished call (what a stale resume reports).
    fn finished_state(&mut self, h: u32) -> u32 {
        match self.get(h) {
            Some(Entry::Finished { outcome: Ok(_), .. }) => OK,
            _ => FAILED,
        }
    }
}

fn with_table<R>(f: impl FnOnce(&mut Table) -> R) -> Option<R> {
    TABLE.with(|t| t.try_borrow_mut().ok().map(|mut t| f(&mut t)))
}

/// Turns a task's result into what JS receives.
pub type Convert<'a> = &'a dyn Fn(Result<Val>) -> Outcome;

impl Task {
    /// Polls until it is pending and not woken meanwhile (bounded), with
    /// its context installed for the host waits and emits it makes.
    fn poll(&mut self) -> Poll<Result<Val>> {
        let outer = CURRENT.with(|c| c.try_borrow_mut().map(|mut c| c.replace(self.ctx.clone())).ok().flatten());
        let mut cx = Context::from_waker(self.wake.waker());
        let mut polls = 0;
        let polled = loop {
            self.wake.take_woken();
            let p = self.future.as_mut().poll(&mut cx);
            polls += 1;
            if p.is_ready() || !self.wake.is_woken() || polls >= SELF_WAKE_POLLS {
                break p;
            }
        };
        CURRENT.with(|c| {
            if let Ok(mut c) = c.try_borrow_mut() {
                *c = outer;
            }
        });
        polled
    }

    fn has_events(&self) -> bool {
        self.ctx.events.try_borrow().is_ok_and(|q| !q.is_empty())
    }
}

/// Starts a call running `future` (`context` is the method's phrase):
/// allocates its handle, polls it once, returns `handle * 8 + state`.
pub fn start(future: LocalFuture<'static, Result<Val>>, context: &'static str, convert: Convert<'_>) -> u32 {
    let Some((handle, spare)) = with_table(|t| (t.open(), t.spare.pop())) else { return FAILED };
    let (ctx, wake) = task_parts(handle, spare);
    let task = Task { future, ctx, wake, context };
    let parked = Parked { task, notify: None, sole: None };
    let state = run(handle, parked, convert);
    handle.saturating_mul(8).saturating_add(state)
}

/// Polls a checked-out task and files what it left under `h`. A cancel
/// requested during the poll wins over waiting; a call that finished in
/// that poll keeps its result.
fn run(h: u32, mut parked: Parked, convert: Convert<'_>) -> u32 {
    let (parked, outcome, state) = match parked.task.poll() {
        Poll::Ready(result) => {
            let outcome = convert(result);
            let state = if outcome.is_ok() { OK } else { FAILED };
            (parked, outcome, state)
        }
        Poll::Pending => match park(parked) {
            Err(stalled) => {
                // Nothing can ever wake it: fail rather than hang.
                let e = crate::error::Error::local("calling the SDK", "internal error: a call stalled without waiting on anything");
                (stalled, convert(Err(e)), FAILED)
            }
            Ok((waiting, state)) => {
                let events = if waiting.task.has_events() { EVENTS } else { 0 };
                let Some(Some((cancelled, reason))) = with_table(|t| t.file_waiting(h, waiting)) else {
                    flush();
                    return state | events;
                };
                let outcome = convert(Err(aborted(cancelled.task.context, reason)));
                (cancelled, outcome, FAILED)
            }
        },
    };
    let ctx = parked.task.has_events().then(|| parked.task.ctx.clone());
    let events = if ctx.is_some() { EVENTS } else { 0 };
    let spare = retire(parked.task);
    with_table(|t| t.finish(h, outcome, ctx, spare));
    flush();
    state | events
}

/// How a pending task waits: on its one promise (`WAITING_ONE`), or
/// watched; `Err` if nothing could ever wake it.
fn park(mut parked: Parked) -> core::result::Result<(Parked, u32), Parked> {
    let t = &parked.task;
    let may_be_woken = t.wake.is_shared() || t.wake.is_woken();
    if parked.notify.is_none() && !may_be_woken {
        let sole = t.ctx.waits.try_borrow_mut().ok().and_then(|mut w| w.take_sole());
        if let Some(sole) = sole {
            parked.sole = Some(sole);
            return Ok((parked, WAITING_ONE));
        }
        if !t.ctx.waits.try_borrow().is_ok_and(|w| w.outstanding() > 0) {
            return Err(parked);
        }
    }
    Ok((parked, WATCHED))
}

fn aborted(context: &str, reason: JsValue) -> crate::error::Error {
    let cause = (!reason.is_undefined()).then(|| super::convert::wrap(reason));
    crate::error::Error::interrupted(context, crate::error::Interruption::Aborted, cause)
}

/// Tells the loops of the tasks woken since the last flush to poll again.
fn flush() {
    if !any_woken() {
        return;
    }
    let woken = drain_woken();
    let mut notify: Vec<Function> = Vec::new();
    with_table(|t| {
        for h in woken {
            if let Some(Entry::Waiting(p)) = t.get(h) {
                if let (true, Some(f)) = (p.task.wake.is_woken(), &p.notify) {
                    notify.push(f.clone());
                }
            }
        }
    });
    for f in notify {
        // Only resolves the loop's promise; a throw is impossible, and
        // caught by the import regardless.
        let _ = f.call0(&JsValue::UNDEFINED);
    }
}

/// The promise a task on the fast path waits for.
pub fn parked(h: u32) -> JsValue {
    with_table(|t| match t.get(h) {
        Some(Entry::Waiting(p)) => p.sole.as_ref().map(|(_, promise)| promise.clone()),
        _ => None,
    })
    .flatten()
    .unwrap_or(JsValue::UNDEFINED)
}

/// Hands a fast-path task the outcome of its promise and polls it.
pub fn resume(h: u32, outcome: Outcome, convert: Convert<'_>) -> u32 {
    let Some(Some(mut parked)) = with_table(|t| t.checkout(h)) else {
        return with_table(|t| t.finished_state(h)).unwrap_or(FAILED);
    };
    if let Some((id, _)) = parked.sole.take() {
        if let Ok(mut w) = parked.task.ctx.waits.try_borrow_mut() {
            w.deliver(id, outcome);
        }
    }
    run(h, parked, convert)
}

/// Polls a watched task.
pub fn poll(h: u32, convert: Convert<'_>) -> u32 {
    match with_table(|t| t.checkout(h)) {
        Some(Some(parked)) => run(h, parked, convert),
        _ => with_table(|t| t.finished_state(h)).unwrap_or(FAILED),
    }
}

/// The promises a watched task registered since last asked, as
/// `[id, promise, ...]`; `notify` is how its loop is woken from now on
/// (called at once if the task is already due).
pub fn fresh(h: u32, notify: Function) -> Array {
    let out = Array::new();
    let due = with_table(|t| match t.get(h) {
        Some(Entry::Waiting(p)) => {
            let fresh = p.task.ctx.waits.try_borrow_mut().map(|mut w| w.take_fresh()).unwrap_or_default();
            let push = |(id, promise): (WaitId, JsValue)| {
                out.push(&JsValue::from(id));
                out.push(&promise);
            };
            for wait in fresh {
                push(wait);
            }
            if let Some(wait) = p.sole.take() {
                push(wait);
            }
            p.notify = Some(notify.clone());
            p.task.wake.is_woken() || p.task.ctx.waits.try_borrow().is_ok_and(|w| w.has_delivered())
        }
        // Finished (cancelled) meanwhile: the loop must come and take it.
        _ => true,
    })
    .unwrap_or(true);
    if due {
        let _ = notify.call0(&JsValue::UNDEFINED);
    }
    out
}

/// Records the outcome of wait `id` of a watched task and wakes it.
pub fn deliver(h: u32, id: WaitId, outcome: Outcome) {
    // Waking only queues the handle, so it is safe inside the borrow.
    with_table(|t| {
        if let Some(Entry::Waiting(p)) = t.get(h) {
            let taken = p.task.ctx.waits.try_borrow_mut().is_ok_and(|mut w| w.deliver(id, outcome));
            if taken {
                p.task.wake.wake();
            }
        }
    });
    flush();
}

/// Cancels a call: drops its future now (or right after the poll it is
/// in) and finishes it with `NetworkError` `ABORTED`. A finished call is
/// left alone.
pub fn cancel(h: u32, reason: JsValue, convert: Convert<'_>) {
    let taken = with_table(|t| match t.get(h) {
        Some(Entry::Running { cancel }) => {
            *cancel = Some(reason.clone());
            None
        }
        Some(Entry::Waiting(_)) => t.checkout(h),
        _ => None,
    })
    .flatten();
    let Some(parked) = taken else { return };
    let notify = parked.notify.clone();
    let ctx = parked.task.has_events().then(|| parked.task.ctx.clone());
    let outcome = convert(Err(aborted(parked.task.context, reason)));
    // Destructors run here, outside any borrow of the table.
    let spare = retire(parked.task);
    with_table(|t| t.finish(h, outcome, ctx, spare));
    if let Some(f) = notify {
        let _ = f.call0(&JsValue::UNDEFINED);
    }
    flush();
}

fn events_of(t: &mut Table, h: u32) -> Option<Rc<TaskCtx>> {
    match t.get(h)? {
        Entry::Waiting(p) => Some(p.task.ctx.clone()),
        Entry::Finished { ctx: Some(ctx), .. } => Some(ctx.clone()),
        _ => None,
    }
}

/// Every event queued for the call, oldest first (waking an emitter that
/// waited for room).
pub fn take_events(h: u32) -> Array {
    let out = Array::new();
    let Some(Some(ctx)) = with_table(|t| events_of(t, h)) else { return out };
    let mut room = Vec::new();
    if let Ok(mut q) = ctx.events.try_borrow_mut() {
        while let (Some(v), w) = q.take() {
            out.push(&v);
            room.extend(w);
        }
    }
    for w in room {
        w.wake();
    }
    flush();
    out
}

/// Attaches or detaches the call's event consumer (see [`crate::driver::events`]).
pub fn attach_events(h: u32, attached: bool) {
    let Some(Some(ctx)) = with_table(|t| events_of(t, h)) else { return };
    let released = ctx.events.try_borrow_mut().ok().and_then(|mut q| q.set_attached(attached));
    if let Some(w) = released {
        w.wake();
    }
    flush();
}

/// Frees a finished call's handle and returns its result (or error).
pub fn take(h: u32) -> JsValue {
    let taken = with_table(|t| {
        let slot = t.get(h)?;
        if !matches!(slot, Entry::Finished { .. }) {
            return None;
        }
        let Entry::Finished { outcome, ctx } = core::mem::replace(slot, Entry::Vacant) else { return None };
        t.free.push(h);
        Some((outcome, ctx))
    })
    .flatten();
    match taken {
        // The context (and any unread events) is dropped outside the borrow.
        Some((outcome, _ctx)) => outcome.unwrap_or_else(|e| e),
        None => JsValue::UNDEFINED,
    }
}
