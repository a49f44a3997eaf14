//! Running pure work on every core, in order. A big shop's reconcile checks
//! and hashes millions of entries, each on its own; the machine has a core
//! the database's writer is not using.

/// `items` in order, in pieces of `size` (the last may be shorter).
pub fn pieces<T>(items: Vec<T>, size: usize) -> Vec<Vec<T>> {
    let size = size.max(1);
    let mut out = Vec::with_capacity(items.len().div_ceil(size));
    let mut rest = items.into_iter().peekable();
    while rest.peek().is_some() {
        out.push(rest.by_ref().take(size).collect());
    }
    out
}

/// `f` of every item, in the items' order: on every core when there are
/// `alone_below` items or more, else on this thread.
pub fn map_in_order<T, U>(items: Vec<T>, alone_below: usize, f: impl Fn(T) -> U + Sync) -> Vec<U>
where
    T: Send,
    U: Send,
{
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if items.len() < alone_below || threads == 1 {
        return items.into_iter().map(f).collect();
    }
    let per_thread = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = pieces(items, per_thread)
            .into_iter()
            .map(|part| s.spawn(move || part.into_iter().map(f).collect::<Vec<U>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_and_parallel_maps_keep_the_order() {
        let items: Vec<u32> = (0..10_001).collect();
        let p = pieces(items.clone(), 4000);
        assert_eq!(
            p.iter().map(Vec::len).collect::<Vec<_>>(),
            [4000, 4000, 2001]
        );
        assert_eq!(p.concat(), items);
        let doubled: Vec<u32> = items.iter().map(|i| i * 2).collect();
        assert_eq!(map_in_order(items.clone(), 0, |i| i * 2), doubled);
        assert_eq!(map_in_order(items, usize::MAX, |i| i * 2), doubled);
    }
}
