use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::Pin;
use alloc::rc::Rc;
use alloc::sync::Arc;
use core::task::{Context, Poll};

use super::events::{emit, EventQueue};
use super::join::join_bounded;
use super::sync::{channel, oneshot, Closed};
use super::waits::Waits;
use super::wake::{drain_woken, TaskWake};

/// A task for the tests' little executor: a future and its waker.
struct Task<T> {
    future: Pin<Box<dyn Future<Output = T>>>,
    wake: Arc<TaskWake>,
}

fn task<T>(handle: u32, f: impl Future<Output = T> + 'static) -> Task<T> {
    Task { future: Box::pin(f), wake: TaskWake::new(handle) }
}

impl<T> Task<T> {
    fn poll(&mut self) -> Poll<T> {
        self.wake.take_woken();
        let waker = self.wake.waker();
        self.future.as_mut().poll(&mut Context::from_waker(&waker))
    }
}

/// Counts drops, to see that a cancelled future's destructors ran.
struct DropCount(Rc<Cell<u32>>);
impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn waits_take_outcomes_in_any_order_and_ignore_abandoned_ones() {
    let mut w: Waits<&str, u32> = Waits::default();
    let (a, b, c) = (w.register("a"), w.register("b"), w.register("c"));
    assert!(a != b && b != c && a != c);
    assert_eq!(w.take_fresh().iter().map(|(_, p)| *p).collect::<Vec<_>>(), ["a", "b", "c"]);
    assert!(w.take_fresh().is_empty(), "each promise is handed out once");
    assert!(w.deliver(c, 3));
    assert!(!w.deliver(c, 30), "a second outcome for one wait is refused");
    assert!(w.deliver(a, 1));
    assert_eq!(w.take(b), None);
    assert_eq!(w.take(c), Some(3));
    assert_eq!(w.take(a), Some(1));
    assert_eq!(w.take(a), None, "taken once");
    w.abandon(b);
    assert!(!w.deliver(b, 2), "an abandoned wait's late outcome is ignored");
    assert_eq!(w.outstanding(), 0);
}

#[test]
fn the_sole_fresh_wait_is_the_fast_path_only_when_nothing_else_is_outstanding() {
    let mut w: Waits<&str, u32> = Waits::default();
    let a = w.register("a");
    assert_eq!(w.take_sole(), Some((a, "a")));
    let b = w.register("b");
    assert_eq!(w.take_sole(), None, "a is still outstanding");
    assert_eq!(w.take_fresh(), vec![(b, "b")]);
    let mut w2: Waits<&str, u32> = Waits::default();
    let x = w2.register("x");
    w2.abandon(x);
    assert_eq!(w2.take_fresh(), vec![], "an abandoned wait is never handed out");
}

fn send(slot: &mut Option<super::sync::Sender<u32>>, v: u32) {
    if let Some(s) = slot.take() {
        assert!(s.send(v).is_ok());
    }
}

#[test]
fn join_runs_at_most_limit_at_once_keeps_input_order_and_settles_in_any_order() {
    let in_flight = Rc::new(Cell::new(0));
    let peak = Rc::new(Cell::new(0));
    let mut senders = Vec::new();
    let mut parts = Vec::new();
    for i in 0..5u32 {
        let (tx, rx) = oneshot::<u32>();
        senders.push(Some(tx));
        let (in_flight, peak) = (in_flight.clone(), peak.clone());
        parts.push(async move {
            in_flight.set(in_flight.get() + 1);
            peak.set(peak.get().max(in_flight.get()));
            let v = rx.await;
            in_flight.set(in_flight.get() - 1);
            v.map(|v| v * 10 + i)
        });
    }
    let mut t = task(7, join_bounded(parts, 2));
    assert!(t.poll().is_pending());
    assert_eq!(in_flight.get(), 2);
    // Settle the second first, then the first: each settlement wakes the task.
    send(&mut senders[1], 1);
    assert_eq!(drain_woken(), vec![7]);
    assert!(t.poll().is_pending());
    send(&mut senders[0], 0);
    assert!(t.poll().is_pending());
    let mut last = Poll::Pending;
    for i in [4, 2, 3] {
        send(&mut senders[i], i as u32);
        assert!(last.is_pending(), "finished before every part settled");
        last = t.poll();
    }
    assert_eq!(last, Poll::Ready(Ok(vec![0, 11, 22, 33, 44])));
    assert_eq!(peak.get(), 2, "never more than the limit in flight");
}

#[test]
fn the_first_error_ends_a_join_and_drops_the_other_parts() {
    let drops = Rc::new(Cell::new(0));
    let (tx_fail, rx_fail) = oneshot::<u32>();
    let (_keep, rx_never) = oneshot::<u32>();
    let guard = DropCount(drops.clone());
    let parts: Vec<crate::credentials::LocalFuture<'static, Result<u32, Closed>>> = vec![
        Box::pin(async move {
            let _guard = guard;
            rx_never.await
        }),
        Box::pin(async move {
            rx_fail.await?;
            Err(Closed)
        }),
    ];
    let mut t = task(1, join_bounded(parts, 4));
    assert!(t.poll().is_pending());
    let _ = tx_fail.send(5);
    assert_eq!(t.poll(), Poll::Ready(Err(Closed)));
    assert_eq!(drops.get(), 1, "the unfinished part was dropped");
}

#[test]
fn oneshot_wakes_its_receiver_and_reports_a_dropped_sender() {
    let (tx, rx) = oneshot::<&str>();
    let mut t = task(3, rx);
    assert!(t.poll().is_pending());
    assert!(tx.send("hi").is_ok());
    assert_eq!(drain_woken(), vec![3]);
    assert_eq!(t.poll(), Poll::Ready(Ok("hi")));
    let (tx, rx) = oneshot::<&str>();
    let mut t = task(4, rx);
    assert!(t.poll().is_pending());
    drop(tx);
    assert_eq!(drain_woken(), vec![4]);
    assert_eq!(t.poll(), Poll::Ready(Err(Closed)));
    let (tx, rx) = oneshot::<&str>();
    drop(rx);
    assert_eq!(tx.send("lost"), Err("lost"));
}

#[test]
fn a_channel_between_two_tasks_applies_backpressure_and_ends_when_senders_go() {
    let (tx, mut rx) = channel::<u32>(2);
    let got = Rc::new(RefCell::new(Vec::new()));
    let mut producer = task(10, async move {
        for i in 0..5 {
            if tx.send(i).await.is_err() {
                return;
            }
        }
    });
    let seen = got.clone();
    let mut consumer = task(11, async move {
        while let Some(v) = rx.recv().await {
            seen.borrow_mut().push(v);
        }
    });
    assert!(producer.poll().is_pending(), "blocked after filling the channel");
    assert_eq!(drain_woken(), Vec::<u32>::new());
    // Run whichever was woken until both finish; no task is polled unwoken.
    let (mut p_done, mut c_done) = (false, consumer.poll().is_ready());
    let mut rounds = 0;
    while !(p_done && c_done) {
        rounds += 1;
        assert!(rounds < 50, "stalled: a wake was lost");
        let woken = drain_woken();
        assert!(!woken.is_empty(), "neither task was woken: the pair would stall");
        for h in woken {
            if h == 10 && !p_done {
                p_done = producer.poll().is_ready();
            }
            if h == 11 && !c_done {
                c_done = consumer.poll().is_ready();
            }
        }
    }
    assert_eq!(*got.borrow(), vec![0, 1, 2, 3, 4]);
}

#[test]
fn events_wait_for_an_attached_consumer_and_never_block_without_one() {
    let q = Rc::new(RefCell::new(EventQueue::new(2)));
    // Not attached: never waits, drops the oldest.
    for i in 0..3u32 {
        let mut t = task(30, emit(q.clone(), i));
        assert!(t.poll().is_ready());
    }
    assert_eq!(q.borrow().dropped(), 1);
    assert_eq!(q.borrow_mut().take().0, Some(1));
    // Attached: a full queue makes the emitter wait until one is taken.
    q.borrow_mut().set_attached(true);
    let mut t = task(31, emit(q.clone(), 3));
    assert!(t.poll().is_ready(), "room for one");
    let mut blocked = task(32, emit(q.clone(), 4));
    assert!(blocked.poll().is_pending());
    let (v, room) = q.borrow_mut().take();
    assert_eq!(v, Some(2));
    if let Some(w) = room {
        w.wake();
    }
    assert_eq!(drain_woken(), vec![32]);
    assert!(blocked.poll().is_ready());
    // Detaching releases a waiting emitter.
    let mut again = task(33, emit(q.clone(), 5));
    assert!(again.poll().is_pending());
    let released = q.borrow_mut().set_attached(false);
    if let Some(w) = released {
        w.wake();
    }
    assert_eq!(drain_woken(), vec![33]);
    assert!(again.poll().is_ready());
    assert_eq!(q.borrow().len(), 2);
}

#[test]
fn a_task_is_queued_once_however_often_it_is_woken() {
    let w = TaskWake::new(40);
    let (a, b) = (w.waker(), w.waker());
    assert!(w.is_shared());
    a.wake_by_ref();
    b.wake_by_ref();
    a.wake();
    assert_eq!(drain_woken(), vec![40]);
    assert!(w.take_woken());
    drop(b);
    assert!(!w.is_shared());
}
