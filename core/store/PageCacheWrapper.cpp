// SPDX-License-Identifier: Apache-2.0
#include "store/PageCacheWrapper.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>

namespace mandate::store {

namespace {

// SQLite's PENDING_BYTE: the lock bytes start at 1 GiB, and the page holding them is never used.
constexpr sqlite3_int64 kPendingByte = 0x40000000;

sqlite3_pcache_methods2 g_inner{};
sqlite3_pcache_methods2 g_wrapper{};
bool g_installed = false;
std::atomic<quint64> g_skipped{0};
std::atomic<quint64> g_passed{0};
std::atomic<quint64> g_lockPageMoves{0};

/// One connection's cache. SQLite calls a cache's methods under that connection's locks only,
/// so these fields need no synchronisation of their own.
struct Cache
{
    sqlite3_pcache *inner = nullptr;
    unsigned lockPage = 0;   ///< the page number SQLite borrows when it swaps two pages
    unsigned maxKey = 0;     ///< no cached page has a larger key, the lock page's aside
    unsigned atLockPage = 0; ///< pages moved to lockPage and not moved away since
};

Cache *cacheOf(sqlite3_pcache *cache) { return reinterpret_cast<Cache *>(cache); }

int init(void *) { return g_inner.xInit(g_inner.pArg); }
void shutdown(void *)
{
    if (g_inner.xShutdown)
        g_inner.xShutdown(g_inner.pArg);
}

sqlite3_pcache *create(int pageSize, int extraSize, int purgeable)
{
    auto *cache = new (std::nothrow) Cache;
    if (!cache)
        return nullptr;
    cache->inner = g_inner.xCreate(pageSize, extraSize, purgeable);
    if (!cache->inner) {
        delete cache;
        return nullptr;
    }
    cache->lockPage = pageSize > 0 ? unsigned(kPendingByte / pageSize + 1) : 0;
    return reinterpret_cast<sqlite3_pcache *>(cache);
}

void cacheSize(sqlite3_pcache *cache, int pages) { g_inner.xCachesize(cacheOf(cache)->inner, pages); }
int pageCount(sqlite3_pcache *cache) { return g_inner.xPagecount(cacheOf(cache)->inner); }

sqlite3_pcache_page *fetch(sqlite3_pcache *cache, unsigned key, int createFlag)
{
    Cache *c = cacheOf(cache);
    sqlite3_pcache_page *page = g_inner.xFetch(c->inner, key, createFlag);
    if (page && createFlag != 0)
        c->maxKey = std::max(c->maxKey, key);  // the lock page too: created there, it is counted
    return page;
}

void unpin(sqlite3_pcache *cache, sqlite3_pcache_page *page, int discard) { g_inner.xUnpin(cacheOf(cache)->inner, page, discard); }

void rekey(sqlite3_pcache *cache, sqlite3_pcache_page *page, unsigned oldKey, unsigned newKey)
{
    Cache *c = cacheOf(cache);
    g_inner.xRekey(c->inner, page, oldKey, newKey);
    if (newKey == c->lockPage) {
        ++c->atLockPage;
        g_lockPageMoves.fetch_add(1, std::memory_order_relaxed);
    } else {
        c->maxKey = std::max(c->maxKey, newKey);
    }
    if (oldKey == c->lockPage && c->atLockPage > 0)
        --c->atLockPage;
}

void truncate(sqlite3_pcache *cache, unsigned limit)
{
    Cache *c = cacheOf(cache);
    if (c->atLockPage == 0 && c->maxKey < limit) {
        g_skipped.fetch_add(1, std::memory_order_relaxed);
        return;  // every cached page lies below the limit: nothing to drop
    }
    g_passed.fetch_add(1, std::memory_order_relaxed);
    g_inner.xTruncate(c->inner, limit);
    if (limit > 0)
        c->maxKey = std::min(c->maxKey, limit - 1);
    if (limit <= c->lockPage)
        c->atLockPage = 0;
}

void destroy(sqlite3_pcache *cache)
{
    Cache *c = cacheOf(cache);
    g_inner.xDestroy(c->inner);
    delete c;
}

void shrink(sqlite3_pcache *cache) { g_inner.xShrink(cacheOf(cache)->inner); }

} // namespace

void installPageCacheWrapper()
{
    static std::once_flag once;
    std::call_once(once, [] {
        if (const char *setting = std::getenv("MANDATE_SQLITE_PAGE_CACHE_WRAPPER"); setting && std::strcmp(setting, "0") == 0)
            return;
        sqlite3_pcache_methods2 inner{};
        if (sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &inner) != SQLITE_OK || !inner.xCreate || !inner.xTruncate)
            return;
        g_inner = inner;
        sqlite3_pcache_methods2 &wrapper = g_wrapper;
        wrapper.iVersion = 1;
        wrapper.pArg = nullptr;
        wrapper.xInit = init;
        wrapper.xShutdown = shutdown;
        wrapper.xCreate = create;
        wrapper.xCachesize = cacheSize;
        wrapper.xPagecount = pageCount;
        wrapper.xFetch = fetch;
        wrapper.xUnpin = unpin;
        wrapper.xRekey = rekey;
        wrapper.xTruncate = truncate;
        wrapper.xDestroy = destroy;
        wrapper.xShrink = shrink;
        // Refused (SQLITE_MISUSE) once SQLite is initialised: then pcache1 stays, unwrapped.
        g_installed = sqlite3_config(SQLITE_CONFIG_PCACHE2, &wrapper) == SQLITE_OK;
    });
}

const sqlite3_pcache_methods2 &pageCacheWrapperMethods()
{
    return g_wrapper;
}

PageCacheCounts pageCacheCounts()
{
    return PageCacheCounts{g_installed, g_skipped.load(), g_passed.load(), g_lockPageMoves.load()};
}

} // namespace mandate::store
