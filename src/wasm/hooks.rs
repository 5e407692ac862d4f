//! Test-only calls (cargo feature `test-hooks`, built into `pkg-test/`,
//! never into `pkg/`): futures that exercise the driver's parts one at a
//! time (joins, channels between tasks, cancellation, sleep, event streams,
//! re-entrancy; channels only tests use, the rest deploy uses too), started through `Client.start` with ids
//! from [`HOOK_BASE`] so they run exactly like SDK calls. Numbers from 100
//! are the transport's hooks (`hooks_transport.rs`).

use crate::prelude::*;
use core::cell::{Cell, RefCell};
use alloc::collections::BTreeMap;

use js_sys::Function;
use wasm_bindgen::prelude::*;

use super::convert::{interruption, interruption_cause, json_to_js, wrap};
use super::task::{emit, settle, sleep};
use crate::credentials::LocalFuture;
use crate::driver::join::join_bounded;
use crate::driver::sync::{channel, oneshot, ChannelReceiver, ChannelSender, Sender};
use crate::error::{Error, Result};
use crate::json::Json;
use crate::value::Val;

/// Method ids at and above this are hooks.
pub const HOOK_BASE: u32 = 0xFFFF_0000;

const CONTEXT: &str = "running a test hook";

#[wasm_bindgen(raw_module = "./host.js")]
extern "C" {
    /// The promise, bounded by the running call's timeout and signal.
    fn bounded(promise: JsValue) -> JsValue;
}

/// Both ends of a named channel, each taken by the hook that uses it.
type Ends = (Option<ChannelSender<JsValue>>, Option<ChannelReceiver<JsValue>>);

local! {
    static DROPS: Cell<u32> = const { Cell::new(0) };
    static EMITTED: Cell<u32> = const { Cell::new(0) };
    static CHANNELS: RefCell<BTreeMap<String, Ends>> = const { RefCell::new(BTreeMap::new()) };
    // Kept alive so the hanging hook's receiver never resolves.
    static NEVER: RefCell<Vec<Sender<()>>> = const { RefCell::new(Vec::new()) };
}

/// Counts its drops: observable proof that a cancelled future was dropped.
struct DropGuard;
impl Drop for DropGuard {
    fn drop(&mut self) {
        DROPS.with(|d| d.set(d.get() + 1));
    }
}

fn arg(items: &[Json], i: usize) -> JsValue {
    items.get(i).map_or(JsValue::UNDEFINED, json_to_js)
}

fn number(items: &[Json], i: usize) -> u32 {
    arg(items, i).as_f64().map_or(0, |n| n.max(0.0) as u32)
}

/// Awaits a test promise under the call's limits.
async fn wait(promise: JsValue) -> Result<JsValue> {
    match settle(bounded(promise)).await {
        Ok(v) => Ok(v),
        Err(e) => match interruption(&e) {
            Some(why) => Err(Error::interrupted(CONTEXT, why, interruption_cause(&e))),
            None => Err(Error::local_caused(CONTEXT, "a hook promise rejected", Some(wrap(e)))),
        },
    }
}

fn val(v: JsValue) -> Val {
    Val::Json(wrap(v))
}

/// Takes one side of the named channel (made on first use, capacity 1).
fn channel_side<T>(name: &str, pick: impl FnOnce(&mut Ends) -> Option<T>) -> Option<T> {
    CHANNELS.with(|c| {
        let mut c = c.borrow_mut();
        let sides = c.entry(name.to_string()).or_insert_with(|| {
            let (tx, rx) = channel(1);
            (Some(tx), Some(rx))
        });
        pick(sides)
    })
}

/// The hook future for method `id`, if it is one.
pub fn dispatch(kernel: &alloc::rc::Rc<crate::kernel::Kernel>, id: u32, items: &[Json]) -> Option<LocalFuture<'static, Result<Val>>> {
    let hook = id.checked_sub(HOOK_BASE)?;
    let items = items.to_vec();
    if hook >= super::hooks_transport::FIRST {
        return Some(Box::pin(super::hooks_transport::run(kernel.clone(), hook, items)));
    }
    Some(match hook {
        // join(factory, count, limit): calls factory(i) for each part, at
        // most `limit` outstanding, and resolves to the values in order.
        0 => Box::pin(async move {
            let factory: Function = arg(&items, 0).dyn_into().map_err(|_| Error::local(CONTEXT, "factory must be a function"))?;
            let parts = (0..number(&items, 1)).map(|i| {
                let factory = factory.clone();
                async move {
                    let promise = factory.call1(&JsValue::NULL, &JsValue::from(i)).map_err(|e| Error::local_caused(CONTEXT, "factory threw", Some(wrap(e))))?;
                    wait(promise).await
                }
            });
            let values = join_bounded(parts, number(&items, 2) as usize).await?;
            Ok(Val::Arr(values.into_iter().map(val).collect()))
        }),
        // send(name, values): sends each value on the named channel.
        1 => Box::pin(async move {
            let name = arg(&items, 0).as_string().unwrap_or_default();
            let tx = channel_side(&name, |s| s.0.take()).ok_or_else(|| Error::local(CONTEXT, "sender taken"))?;
            let values = js_sys::Array::from(&arg(&items, 1));
            for v in values.iter() {
                tx.send(v).await.map_err(|_| Error::local(CONTEXT, "receiver gone"))?;
            }
            Ok(Val::Num(values.length() as f64))
        }),
        // recv(name): receives until every sender is gone.
        2 => Box::pin(async move {
            let name = arg(&items, 0).as_string().unwrap_or_default();
            let mut rx = channel_side(&name, |s| s.1.take()).ok_or_else(|| Error::local(CONTEXT, "receiver taken"))?;
            let mut got = Vec::new();
            while let Some(v) = rx.recv().await {
                got.push(val(v));
            }
            CHANNELS.with(|c| c.borrow_mut().remove(&name));
            Ok(Val::Arr(got))
        }),
        // hang(): holds a drop guard and waits on a oneshot nobody sends.
        3 => Box::pin(async move {
            let _guard = DropGuard;
            let (tx, rx) = oneshot::<()>();
            NEVER.with(|n| n.borrow_mut().push(tx));
            let _ = rx.await;
            Ok(Val::Null)
        }),
        // drops(): how many hook futures were dropped unfinished so far.
        4 => Box::pin(async move { Ok(Val::Num(f64::from(DROPS.with(Cell::get)))) }),
        // sleep(ms): resolves to the milliseconds actually slept.
        5 => Box::pin(async move {
            let started = js_sys::Date::now();
            sleep(number(&items, 0), CONTEXT).await?;
            Ok(Val::Num(js_sys::Date::now() - started))
        }),
        // events(count, pause): emits 0..count (awaiting `pause`(i) between
        // them when given), counting emits; resolves to "done".
        6 => Box::pin(async move {
            let pause = arg(&items, 1).dyn_into::<Function>().ok();
            EMITTED.with(|e| e.set(0));
            for i in 0..number(&items, 0) {
                if let Some(p) = &pause {
                    let promise = p.call1(&JsValue::NULL, &JsValue::from(i)).map_err(|e| Error::local_caused(CONTEXT, "pause threw", Some(wrap(e))))?;
                    wait(promise).await?;
                }
                emit(JsValue::from(i)).await;
                EMITTED.with(|e| e.set(e.get() + 1));
            }
            Ok(Val::Str("done".into()))
        }),
        // emitted(): how many events the last events hook emitted.
        7 => Box::pin(async move { Ok(Val::Num(f64::from(EMITTED.with(Cell::get)))) }),
        // reenter(promise, fn): awaits promise, then (inside the resumed
        // poll) calls fn(value), which may start another call; resolves to value.
        8 => Box::pin(async move {
            let v = wait(arg(&items, 0)).await?;
            let f: Function = arg(&items, 1).dyn_into().map_err(|_| Error::local(CONTEXT, "fn must be a function"))?;
            f.call1(&JsValue::NULL, &v).map_err(|e| Error::local_caused(CONTEXT, "fn threw", Some(wrap(e))))?;
            Ok(val(v))
        }),
        // guarded(promise): awaits promise while holding a drop guard.
        9 => Box::pin(async move {
            let _guard = DropGuard;
            let v = wait(arg(&items, 0)).await?;
            core::mem::forget(_guard);
            Ok(val(v))
        }),
        // spec(value, times): validates a ReleaseSpec `times` times (for
        // timing) and resolves to a summary of what it read.
        10 => {
            let kernel = kernel.clone();
            Box::pin(async move { spec_summary(&kernel, &items) })
        }
        _ => Box::pin(async move { Err(Error::local(CONTEXT, format!("unknown hook {hook}"))) }),
    })
}

/// The validated spec, summarized for the test: the project, and each site
/// file with the form its content source was read as.
fn spec_summary(kernel: &crate::kernel::Kernel, items: &[Json]) -> Result<Val> {
    use crate::deploy::Content;
    use crate::kernel::BodyKind;
    let value = items.first().cloned().unwrap_or_else(crate::json::Native::undefined);
    let probe = |j: &Json| kernel.host_body(j.clone(), CONTEXT).ok().map(|b| b.info);
    let mut spec = crate::deploy::release_spec(&value, &probe)?;
    for _ in 1..number(items, 1) {
        spec = crate::deploy::release_spec(&value, &probe)?;
    }
    let form = |c: Option<Content>| match c {
        Some(Content::Text(_)) => "text",
        Some(Content::Bytes(b)) => match b.info.kind {
            BodyKind::Text => "host text",
            BodyKind::Bytes => "bytes",
            BodyKind::Blob => "blob",
            BodyKind::Stream => "stream",
        },
        Some(Content::Wrapped { .. }) => "wrapped",
        Some(Content::FsFile { .. }) => "fs-file",
        Some(Content::Ref(_)) => "ref",
        None => "changed",
    };
    let files = spec.json().field("site").and_then(|s| s.field("replace"));
    let files = files.map(|f| {
        let entry = |path: String| Some((f.field(&path)?, path));
        f.keys().into_iter().filter_map(entry).map(|(v, path)| {
            Val::Arr(vec![Val::Str(path), Val::Str(form(crate::deploy::content(&v, &probe)).into())])
        }).collect()
    });
    let files = files.unwrap_or_default();
    Ok(Val::object().with("project", spec.project()).with("files", Val::Arr(files)))
}
