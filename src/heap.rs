//! The wasm build's allocator: power-of-two free lists for small blocks,
//! coalescing page runs for large ones.
//!
//! Why not the standard library's (dlmalloc): it is about 7 KB of wasm for
//! bins and trees an SDK does not need. The SDK's allocations are mostly
//! small, short-lived and repeated call after call (strings, request parts,
//! futures), so a freed block is soon wanted again at the same size.
//!
//! - **Small** (up to half a page, 32 KiB): the size is rounded up to a power
//!   of two and served from that size's free list; an empty list takes one
//!   64 KiB page and cuts it into blocks. O(1) both ways. Small blocks never
//!   go back to pages, so their memory is bounded by the peak of each size.
//! - **Large**: whole pages, first fit from an address-ordered list of free
//!   runs that merges neighbours on free, else new pages from `memory.grow`.
//!   A 10 MiB string takes 160 pages, not a 16 MiB block, and freed runs join
//!   up for the next large request.
//!
//! Blocks of `2^k` bytes are cut from page-aligned pages, so each is aligned
//! to its size; a layout's alignment is rounded into its size, so any
//! alignment up to 64 KiB holds.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ptr::null_mut;

const PAGE: usize = 65536;
/// The smallest block: room for the free list's link.
const MIN_SHIFT: u32 = 3;
/// Lists for 2^0 ..= 2^15 bytes (the first three unused: sizes start at 8).
const SMALL_CLASSES: usize = 16;

/// The header of a free page run, at its first byte.
struct Run {
    pages: usize,
    /// The next free run at a higher address, 0 for none.
    next: usize,
}

struct State {
    /// Head of each small size's free list (0 = empty); a free block's first word links to the next.
    free: [usize; SMALL_CLASSES],
    /// The lowest free page run (0 = none).
    runs: usize,
    /// Adds pages at the end of memory: the first new page's index, `usize::MAX` when it cannot.
    grow: fn(usize) -> usize,
}

#[cfg(target_arch = "wasm32")]
fn memory_grow(pages: usize) -> usize {
    core::arch::wasm32::memory_grow(0, pages)
}

/// The global allocator of the wasm build.
pub struct Heap(UnsafeCell<State>);

// wasm32-unknown-unknown without the atomics feature has one thread.
unsafe impl Sync for Heap {}

impl Heap {
    /// Over wasm memory.
    #[cfg(target_arch = "wasm32")]
    pub const fn new() -> Heap {
        Heap::over(memory_grow)
    }

    /// Over another page source (native tests use an arena).
    pub const fn over(grow: fn(usize) -> usize) -> Heap {
        Heap(UnsafeCell::new(State { free: [0; SMALL_CLASSES], runs: 0, grow }))
    }
}

/// How a layout is served: a small size class, or a number of pages.
#[derive(PartialEq, Eq)]
enum Fit {
    Small(usize),
    Pages(usize),
}

// Inlined: every allocation and free asks, and a call costs more than the
// few instructions it is.
#[inline(always)]
fn fit(layout: Layout) -> Fit {
    let size = layout.size().max(layout.align());
    if size <= PAGE / 2 {
        let size = size.max(1 << MIN_SHIFT);
        Fit::Small((usize::BITS - (size - 1).leading_zeros()) as usize)
    } else {
        Fit::Pages(size.div_ceil(PAGE))
    }
}

impl State {
    /// `pages` contiguous free pages (page-aligned address), 0 when memory cannot grow.
    ///
    /// # Safety
    /// The run list must be intact.
    unsafe fn take_pages(&mut self, pages: usize) -> usize {
        let mut link: *mut usize = &mut self.runs;
        // SAFETY: every listed address is a free run with a valid header.
        unsafe {
            while *link != 0 {
                let run = *link as *mut Run;
                let have = (*run).pages;
                if have >= pages {
                    if have == pages {
                        *link = (*run).next;
                        return run as usize;
                    }
                    // Take the tail, so the header stays where it is.
                    (*run).pages = have - pages;
                    return run as usize + (have - pages) * PAGE;
                }
                link = &mut (*run).next;
            }
        }
        match (self.grow)(pages) {
            usize::MAX => 0,
            before => before * PAGE,
        }
    }

    /// Returns `pages` pages at `addr` to the run list, merged with free neighbours.
    ///
    /// # Safety
    /// `[addr, addr + pages * PAGE)` must be unused, page-aligned memory.
    unsafe fn give_pages(&mut self, addr: usize, pages: usize) {
        let mut prev = 0usize;
        let mut link: *mut usize = &mut self.runs;
        // SAFETY: listed addresses are free runs with valid headers; `addr` is unused.
        unsafe {
            while *link != 0 && *link < addr {
                prev = *link;
                link = &mut (*(prev as *mut Run)).next;
            }
            let run = addr as *mut Run;
            let next = *link;
            *run = Run { pages, next };
            if next != 0 && addr + pages * PAGE == next {
                let after = next as *mut Run;
                *run = Run { pages: pages + (*after).pages, next: (*after).next };
            }
            *link = addr;
            if prev != 0 {
                let before = prev as *mut Run;
                if prev + (*before).pages * PAGE == addr {
                    *before = Run { pages: (*before).pages + (*run).pages, next: (*run).next };
                }
            }
        }
    }

    /// Pushes a block onto a small size's list.
    ///
    /// # Safety
    /// `block` must be an unused block of that size.
    unsafe fn push(&mut self, class: usize, block: usize) {
        if let Some(head) = self.free.get_mut(class) {
            // SAFETY: the block is unused and at least 8 bytes, aligned to 8.
            unsafe { *(block as *mut usize) = *head };
            *head = block;
        }
    }
}

unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: one thread, and no allocator call re-enters another.
        let s = unsafe { &mut *self.0.get() };
        match fit(layout) {
            Fit::Pages(_) if layout.align() > PAGE => null_mut(),
            // SAFETY: the run list is only changed here.
            Fit::Pages(pages) => unsafe { s.take_pages(pages) as *mut u8 },
            Fit::Small(class) => {
                let size = 1usize << class;
                // SAFETY: listed blocks are free and hold their link; a new
                // page is unused and is cut into blocks of this size.
                unsafe {
                    if s.free.get(class) == Some(&0) {
                        let page = s.take_pages(1);
                        if page == 0 {
                            return null_mut();
                        }
                        let mut at = page + PAGE;
                        while at > page {
                            at -= size;
                            s.push(class, at);
                        }
                    }
                    match s.free.get_mut(class) {
                        Some(head) => {
                            let block = *head;
                            *head = *(block as *const usize);
                            block as *mut u8
                        }
                        None => null_mut(),
                    }
                }
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as in `alloc`; `ptr` came from `alloc` with this layout.
        let s = unsafe { &mut *self.0.get() };
        unsafe {
            match fit(layout) {
                Fit::Small(class) => s.push(class, ptr as usize),
                Fit::Pages(pages) => s.give_pages(ptr as usize, pages),
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `new_size`, rounded to the alignment, fits in a Layout.
        let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if fit(new) == fit(layout) {
            return ptr;
        }
        // SAFETY: `new` is a valid non-zero layout; the blocks do not overlap.
        unsafe {
            let moved = self.alloc(new);
            if !moved.is_null() {
                core::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            moved
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Heap, PAGE};
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::Cell;

    const ARENA_PAGES: usize = 256;

    thread_local! {
        // Each test runs on its own thread, so each gets its own arena.
        static ARENA: usize = unsafe { alloc::alloc::alloc(Layout::from_size_align(ARENA_PAGES * PAGE, PAGE).unwrap()) as usize };
        static GROWN: Cell<usize> = const { Cell::new(0) };
    }

    fn arena_grow(pages: usize) -> usize {
        GROWN.with(|g| {
            if g.get() + pages > ARENA_PAGES {
                return usize::MAX;
            }
            let first = ARENA.with(|a| *a) / PAGE + g.get();
            g.set(g.get() + pages);
            first
        })
    }

    fn grown() -> usize {
        GROWN.with(|g| g.get())
    }

    /// Allocates, fills with a tag, checks alignment; returns (ptr, layout, tag).
    fn fill(heap: &Heap, size: usize, align: usize, tag: u8) -> (*mut u8, Layout, u8) {
        let layout = Layout::from_size_align(size, align).unwrap();
        let p = unsafe { heap.alloc(layout) };
        assert!(!p.is_null(), "{size} bytes");
        assert_eq!(p as usize % align, 0, "{size} bytes aligned to {align}");
        unsafe { p.write_bytes(tag, size) };
        (p, layout, tag)
    }

    fn intact(&(p, layout, tag): &(*mut u8, Layout, u8)) -> bool {
        (0..layout.size()).all(|i| unsafe { *p.add(i) } == tag)
    }

    #[test]
    fn blocks_do_not_overlap_and_freed_blocks_are_reused() {
        let heap = Heap::over(arena_grow);
        let sizes = [1, 7, 8, 9, 24, 100, 1000, 4096, 5000, 32768, 32769, 70000, 200000];
        for round in 0..3 {
            let mut live = Vec::new();
            for (i, &size) in sizes.iter().cycle().take(120).enumerate() {
                let align = [1, 8, 16, 64][i % 4];
                live.push(fill(&heap, size, align, (i % 250) as u8 + 1));
            }
            assert!(live.iter().all(intact), "a block was overwritten by another");
            let after_first = grown();
            // Free every other block, then the rest, so lists and runs interleave.
            for b in live.iter().step_by(2).chain(live.iter().skip(1).step_by(2)) {
                unsafe { heap.dealloc(b.0, b.1) };
            }
            if round > 0 {
                assert_eq!(grown(), after_first, "round {round} needed new pages for the same work");
            }
        }
    }

    #[test]
    fn freed_neighbouring_runs_merge() {
        let heap = Heap::over(arena_grow);
        let a = fill(&heap, 3 * PAGE, 8, 1);
        let b = fill(&heap, 5 * PAGE, 8, 2);
        unsafe { heap.dealloc(b.0, b.1) };
        unsafe { heap.dealloc(a.0, a.1) };
        let before = grown();
        let c = fill(&heap, 8 * PAGE, 8, 3);
        assert_eq!(grown(), before, "8 pages fit in the merged 3 + 5");
        assert!(intact(&c));
    }

    #[test]
    fn realloc_keeps_the_contents_across_sizes() {
        let heap = Heap::over(arena_grow);
        let (mut p, mut layout, _) = fill(&heap, 10, 8, 0);
        for i in 0..10 {
            unsafe { *p.add(i) = i as u8 };
        }
        for new_size in [12, 16, 17, 5000, 40000, 300000, 64, 10] {
            p = unsafe { heap.realloc(p, layout, new_size) };
            assert!(!p.is_null());
            layout = Layout::from_size_align(new_size, 8).unwrap();
            assert!((0..10).all(|i| unsafe { *p.add(i) } == i as u8), "after resizing to {new_size}");
            // The whole new size is ours: filling it must not reach a block allocated after it.
            let guard = fill(&heap, new_size, 8, 0xEE);
            unsafe { p.add(10).write_bytes(0xAB, new_size - 10) };
            assert!(intact(&guard), "resized to {new_size}: the block overlaps the next one");
        }
    }

    #[test]
    fn a_request_past_the_memory_available_fails_cleanly() {
        let heap = Heap::over(arena_grow);
        let layout = Layout::from_size_align((ARENA_PAGES + 1) * PAGE, 8).unwrap();
        assert!(unsafe { heap.alloc(layout) }.is_null());
        assert!(!fill(&heap, 100, 8, 1).0.is_null(), "still usable afterwards");
    }
}
