//! The memory promise of issue 30 (a read takes at most 300 MB, whatever the file),
//! checked on every input: a global allocator that counts the bytes the target has
//! live and refuses an allocation that would take them past [`LIMIT_BYTES`]. Rust
//! then ends the run with "memory allocation of N bytes failed", which libFuzzer
//! reports as a crash and saves the input. Unlike `-rss_limit_mb` (sampled once a
//! second) it sees a spike however short; unlike `-malloc_limit_mb` it works without
//! a sanitizer (`-s none`, which has no malloc hooks). libFuzzer's own memory (its
//! corpus, the input) is C++ `malloc` and is not counted.
//!
//! The library forbids `unsafe` code; this crate is not part of it, and a global
//! allocator cannot be written without it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// 300 MB: the most one read may hold.
pub const LIMIT_BYTES: usize = 300 * 1024 * 1024;

static LIVE: AtomicUsize = AtomicUsize::new(0);

pub struct Capped;

/// Takes `size` more bytes if the total stays within the limit.
fn take(size: usize) -> bool {
    let before = LIVE.fetch_add(size, Ordering::Relaxed);
    if before.saturating_add(size) > LIMIT_BYTES {
        LIVE.fetch_sub(size, Ordering::Relaxed);
        return false;
    }
    true
}

fn give(size: usize) {
    LIVE.fetch_sub(size, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Capped {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !take(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's layout is passed on unchanged.
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            give(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !take(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's layout is passed on unchanged.
        let p = unsafe { System.alloc_zeroed(layout) };
        if p.is_null() {
            give(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with this layout.
        unsafe { System.dealloc(ptr, layout) };
        give(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = layout.size();
        if new_size > old && !take(new_size - old) {
            return std::ptr::null_mut(); // the old block stays as it was
        }
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            if new_size > old {
                give(new_size - old);
            }
        } else if new_size < old {
            give(old - new_size);
        }
        p
    }
}
