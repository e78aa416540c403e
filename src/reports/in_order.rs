//! Checking many independent rows on every core, the results kept in row order:
//! the capture check and the import's row check, the long parts of reading a
//! 100,000-row file.

/// Rows checked on one thread; more are shared between the machine's cores.
const ROWS_PER_THREAD: usize = 5_000;

/// `f` of every row, in the rows' order, on as many threads as there are cores
/// (one for a short list). A panic in `f` is the caller's, as on one thread.
pub(crate) fn map_rows<T: Sync, R: Send>(rows: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(rows.len().div_ceil(ROWS_PER_THREAD))
        .max(1);
    if threads == 1 {
        return rows.iter().map(&f).collect();
    }
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = rows
            .chunks(rows.len().div_ceil(threads))
            .map(|chunk| scope.spawn(move || chunk.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut all = Vec::with_capacity(rows.len());
        for h in handles {
            match h.join() {
                Ok(part) => all.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_mapped_once_and_the_order_is_kept() {
        for n in [0, 1, 4_999, 5_000, 5_001, 23_456] {
            let rows: Vec<usize> = (0..n).collect();
            let out = map_rows(&rows, |r| r * 2);
            assert_eq!(
                out,
                rows.iter().map(|r| r * 2).collect::<Vec<_>>(),
                "{n} rows"
            );
        }
    }
}
