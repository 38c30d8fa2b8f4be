//! Listing pipelines oldest update first without losing any to a list that moves under it.
//!
//! GitLab's `page=N` is an offset. A pipeline already listed that is updated while the listing
//! goes on moves to the end of the list, everything after it moves up one place, and the first
//! pipeline of the next page lands on the page already read: skipped. Being older than the
//! newest update the listing ends at, it would then stay behind the sync watermark until it
//! changed again. So each next page is asked for by time instead: `updated_after` one
//! millisecond before the last update listed (GitLab's filter is exclusive, and timestamps
//! come in whole milliseconds), the pipelines listed again at that millisecond dropped by
//! their id and update. GitLab's own `next` link is followed only when a whole page shares
//! one millisecond, where time alone cannot move on.

use std::collections::HashSet;

use reqwest::Url;

/// What the next request of a listing is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cursor {
    /// The list from this update on (exclusive, epoch ms); `None` from the beginning.
    After(Option<i64>),
    /// GitLab's `next` link, from the same `updated_after` as the page before it.
    Link { url: Url, after: Option<i64> },
}

impl Cursor {
    /// The `updated_after` this request lists from.
    pub fn after(&self) -> Option<i64> {
        match self {
            Cursor::After(after) | Cursor::Link { after, .. } => *after,
        }
    }
}

/// A pipeline as the listing sees it: which one, and when it was last updated.
pub type Listed = (i64, Option<i64>);

/// Where a listing goes after a page asked for with `cursor`, given the page's last update and
/// GitLab's `next` link (already resolved against the configured host). `None`: the end.
pub fn next_cursor(
    cursor: &Cursor,
    last_update: Option<i64>,
    next_link: Option<Url>,
) -> Option<Cursor> {
    let next_link = next_link?;
    let after = cursor.after();
    match last_update {
        // Moves on only if the new anchor is past the old one; a page all at one millisecond
        // (or without dates) goes on by offset.
        Some(last) if after.is_none_or(|after| last - 1 > after) => {
            Some(Cursor::After(Some(last - 1)))
        }
        _ => Some(Cursor::Link {
            url: next_link,
            after,
        }),
    }
}

/// The pipelines of a page not already listed on the page before it (the ties at the anchor
/// millisecond, listed again on purpose). A pipeline updated since is listed again: it
/// changed, and the sync should see it.
pub fn drop_relisted<T>(
    items: Vec<T>,
    previous: &HashSet<Listed>,
    key: impl Fn(&T) -> Listed,
) -> Vec<T> {
    items
        .into_iter()
        .filter(|item| !previous.contains(&key(item)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link() -> Option<Url> {
        Some(Url::parse("https://gitlab.example.com/api/v4/projects/8/pipelines?page=2").unwrap())
    }

    #[test]
    fn the_next_page_starts_a_millisecond_before_the_last_update() {
        let first = Cursor::After(Some(1_000));
        assert_eq!(
            next_cursor(&first, Some(5_000), link()),
            Some(Cursor::After(Some(4_999)))
        );
        assert_eq!(
            next_cursor(&Cursor::After(None), Some(5_000), link()),
            Some(Cursor::After(Some(4_999)))
        );
    }

    #[test]
    fn without_a_next_link_the_listing_ends() {
        assert_eq!(
            next_cursor(&Cursor::After(Some(1_000)), Some(5_000), None),
            None
        );
    }

    #[test]
    fn a_page_at_one_millisecond_goes_on_by_offset_and_then_by_time_again() {
        // Every pipeline of the page updated at 1,001: anchoring at 1,000 again would loop.
        let stuck = Cursor::After(Some(1_000));
        let by_offset = next_cursor(&stuck, Some(1_001), link()).unwrap();
        assert_eq!(
            by_offset,
            Cursor::Link {
                url: link().unwrap(),
                after: Some(1_000)
            }
        );
        // The offset page gets past that millisecond: back to time.
        assert_eq!(
            next_cursor(&by_offset, Some(1_500), link()),
            Some(Cursor::After(Some(1_499)))
        );
        // Undated pipelines cannot anchor anything.
        assert!(matches!(
            next_cursor(&Cursor::After(None), None, link()),
            Some(Cursor::Link { after: None, .. })
        ));
    }

    #[test]
    fn ties_listed_again_are_dropped_but_updated_ones_are_kept() {
        let previous: HashSet<Listed> = [(1, Some(10)), (2, Some(20)), (3, Some(20))].into();
        let page = vec![(2, Some(20)), (3, Some(20)), (4, Some(20)), (1, Some(30))];
        assert_eq!(
            drop_relisted(page, &previous, |p| *p),
            vec![(4, Some(20)), (1, Some(30))]
        );
    }
}
