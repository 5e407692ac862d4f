// The loop that drives one SDK call's Rust task (src/wasm/task.rs). The
// task runs synchronously inside start/resume/poll until it must wait; this
// loop waits for it and calls back in. `control` carries the call's limits,
// `{ timeoutMs, signal? }`, installed as host.running.control around every
// poll so the host applies them to each promise the task waits on.
import * as host from "./host.js";
import {
  taskAttach, taskCancel, taskDeliver, taskEvents, taskFresh, taskParked, taskPoll, taskResume, taskTake,
} from "./run402_sdk_wasm.js";
import { retryScopeKey } from "./retry.js";

// Call states (`handle * 8 + state`), as in src/wasm/task.rs.
const OK = 0;
const WAITING_ONE = 2;
const WATCHED = 3;
const STATE = 3;
const EVENTS = 4;

/**
 * Runs one call to completion: resolves to its result, rejects with its
 * error. With `stream`, the call's events go to it (see `operation`).
 */
export async function run(client, id, scope, args, control, stream) {
  let outer = host.running.control;
  host.running.control = control;
  let started;
  try {
    started = client.start(id, scope, args, retryScopeKey());
  } finally {
    host.running.control = outer;
  }
  const handle = started >>> 3;
  let state = started & 7;
  // Still synchronous: `operation` has the handle before it returns.
  if (stream !== undefined) stream.handle = handle;
  let watch;
  try {
    while ((state & STATE) >= WAITING_ONE) {
      if ((state & EVENTS) !== 0 && stream !== undefined) stream.ready();
      let ok = true;
      let value;
      if ((state & STATE) === WAITING_ONE) {
        // The fast path: one promise, awaited as is.
        try {
          value = await taskParked(handle);
        } catch (e) {
          ok = false;
          value = e;
        }
      } else {
        watch ??= new Watch(handle, control);
        await watch.wait();
      }
      outer = host.running.control;
      host.running.control = control;
      try {
        state = (state & STATE) === WAITING_ONE ? taskResume(handle, ok, value) : taskPoll(handle);
      } finally {
        host.running.control = outer;
      }
    }
  } finally {
    watch?.stop();
  }
  // Read what the task left before its handle is freed (and reused).
  if (stream !== undefined) stream.close(taskEvents(handle));
  const out = taskTake(handle);
  if ((state & STATE) === OK) return out;
  throw out;
}

/**
 * Runs a synchronous method's call (src/surface.rs `Run::Sync`): its task
 * ends in the poll inside `start`, so its value is returned, or its typed
 * error thrown, before this returns.
 */
export function runSync(client, id, scope, args) {
  const started = client.start(id, scope, args, undefined);
  const out = taskTake(started >>> 3);
  if ((started & STATE) === OK) return out;
  throw out;
}

/**
 * Starts a call that streams events while it runs:
 * `{ events(): AsyncIterable, result(): Promise }`.
 */
export function operation(client, id, scope, args, control) {
  const stream = new EventStream();
  const done = run(client, id, scope, args, control, stream);
  done.catch(() => {}); // the caller sees a failure through result()
  return {
    events: () => stream.iterate(),
    result: () => done,
  };
}

/**
 * A watched task's side of the loop: subscribes to its fresh promises,
 * sleeps until its waker fires, and cancels it when the call's signal does
 * (the fast path needs none of this: its one promise already obeys it).
 */
class Watch {
  constructor(handle, control) {
    this.handle = handle;
    this.ready = false;
    this.wake = null;
    this.notify = () => {
      const wake = this.wake;
      if (wake !== null) {
        this.wake = null;
        wake();
      } else {
        this.ready = true;
      }
    };
    this.signal = control === undefined ? undefined : control.signal;
    if (this.signal !== undefined) {
      this.abort = () => {
        try {
          taskCancel(handle, this.signal.reason);
        } catch {
          // cancel cannot throw; an odd signal's `reason` getter might
          taskCancel(handle, undefined);
        }
      };
      try {
        this.signal.addEventListener("abort", this.abort);
        if (this.signal.aborted) this.abort();
      } catch {
        this.signal = undefined; // an unusable signal-like object: its waits still obey it
      }
    }
  }

  /** Resolves when the task should be polled again. */
  wait() {
    const fresh = taskFresh(this.handle, this.notify);
    for (let i = 0; i < fresh.length; i += 2) subscribe(this.handle, fresh[i], fresh[i + 1]);
    if (this.ready) {
      this.ready = false;
      return undefined;
    }
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  stop() {
    if (this.signal !== undefined) {
      try {
        this.signal.removeEventListener("abort", this.abort);
      } catch {
        // nothing to undo
      }
    }
  }
}

function subscribe(handle, id, promise) {
  const fulfilled = (v) => taskDeliver(handle, id, true, v);
  const rejected = (e) => taskDeliver(handle, id, false, e);
  try {
    Promise.resolve(promise).then(fulfilled, rejected);
  } catch (e) {
    rejected(e);
  }
}

/**
 * A call's events for one async iterator at a time. While it iterates,
 * the task's queue applies backpressure; `break` (or `return`) detaches it
 * and the call keeps running: later events are kept up to the queue's
 * bound (oldest dropped) for the next iterator, and `result()` still
 * settles. Iteration ends when the call does, after its last event,
 * whether it succeeded or failed: `result()` tells which.
 */
class EventStream {
  constructor() {
    this.handle = -1; // set by run() before it first waits
    this.buffer = [];
    this.open = true; // the handle is live
    this.waiter = null;
    this.attached = false;
  }

  /** The task has events queued. */
  ready() {
    if (this.waiter === null) return;
    const waiter = this.waiter;
    this.waiter = null;
    waiter();
  }

  /** The call ended; `rest` is what it left queued. */
  close(rest) {
    for (let i = 0; i < rest.length; i++) this.buffer.push(rest[i]);
    this.open = false;
    this.ready();
  }

  async *iterate() {
    if (this.attached) throw new Error("run402: this operation's events are already being read");
    this.attached = true;
    if (this.open) taskAttach(this.handle, true);
    try {
      for (;;) {
        if (this.buffer.length === 0 && this.open) {
          const got = taskEvents(this.handle);
          for (let i = 0; i < got.length; i++) this.buffer.push(got[i]);
        }
        if (this.buffer.length > 0) {
          yield this.buffer.shift();
          continue;
        }
        if (!this.open) return;
        await new Promise((resolve) => {
          this.waiter = resolve;
        });
      }
    } finally {
      this.attached = false;
      this.waiter = null;
      if (this.open) taskAttach(this.handle, false);
    }
  }
}
