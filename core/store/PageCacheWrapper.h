// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QtGlobal>

struct sqlite3_pcache_methods2;

namespace mandate::store {

/// Wraps SQLite's own page cache (pcache1) to spare every commit a scan of the whole cache.
///
/// When a B-tree page split puts its new pages in order, SQLite (3.40, balance_nonroot) swaps
/// two page numbers through a temporary one: the page number of the lock-byte page at 1 GiB,
/// which never holds data. pcache1 records that number as the largest key it has seen, and at
/// the end of every transaction SQLite asks the cache to drop the pages past the database's
/// size; believing a page may lie that far out, pcache1 then visits every slot of its hash
/// table, one per cached page. The audit writer keeps 16,384 pages cached and splits index pages
/// in most batches: that scan was 4% of the gateway's CPU under load.
///
/// The wrapper keeps its own bound on the keys a cache holds, the largest page number it was
/// asked to create or move a page to, counting a page moved to the temporary number apart until
/// it moves away again. A truncation below which no page can lie is answered without asking
/// pcache1; every other one goes through as before, so a rollback still drops the pages the
/// transaction added. The bound only grows except where pcache1 itself drops pages, so it is
/// never below a cached page's key.
///
/// Installed once, before SQLite initialises (store::setUpSqlite); if SQLite is running
/// already, it is not installed and nothing changes. MANDATE_SQLITE_PAGE_CACHE_WRAPPER=0 leaves
/// pcache1 unwrapped (an escape hatch, and for comparison).
void installPageCacheWrapper();

/// What the wrapper did, counted over the process: for tests.
struct PageCacheCounts
{
    bool installed = false;
    quint64 truncationsSkipped = 0;   ///< answered without pcache1: no page past the limit
    quint64 truncationsPassed = 0;    ///< passed to pcache1
    quint64 movesThroughLockPage = 0; ///< pages moved to the lock-byte page's number
};
PageCacheCounts pageCacheCounts();

/// The wrapper's methods, as SQLite calls them (SQLite answers no questions about its
/// configuration once it runs): for tests.
const sqlite3_pcache_methods2 &pageCacheWrapperMethods();

} // namespace mandate::store
