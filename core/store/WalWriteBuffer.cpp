// SPDX-License-Identifier: Apache-2.0
#include "store/WalWriteBuffer.h"

#include "store/SequentialReadAhead.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

namespace mandate::store {

namespace {

// The WAL file format (sqlite.org/fileformat2.html#walformat): a 32-byte header whose bytes
// 8-11 hold the page size, then frames of a 24-byte header and one page. Bytes 4-7 of a frame
// header are non-zero only in a transaction's commit frame.
constexpr int kWalHeaderBytes = 32;
constexpr int kFrameHeaderBytes = 24;
constexpr quint32 kWalMagicLittle = 0x377f0682;
constexpr quint32 kWalMagicBig = 0x377f0683;
// The WAL write lock is the wal-index's first lock slot (WAL_WRITE_LOCK in SQLite's wal.c).
constexpr int kWalWriteLock = 0;
// The default VFS writes at most 128 KiB - 1 bytes in one call (it masks the length), so what
// is held is written when it passes 96 KiB: one write per 24 frames of 4 KiB pages (12 of
// 8 KiB) instead of two calls per frame.
constexpr size_t kHeldLimit = 96 * 1024;
constexpr size_t kLargestWrite = 128 * 1024 - 1;

std::atomic<quint64> g_framesHeld{0};
std::atomic<quint64> g_flushes{0};
std::atomic<quint64> g_dropped{0};
std::atomic<quint64> g_writtenOver{0};

sqlite3_vfs *g_default = nullptr;
sqlite3_vfs g_vfs;

quint32 bigEndian32(const void *bytes)
{
    const auto *b = static_cast<const unsigned char *>(bytes);
    return (quint32(b[0]) << 24) | (quint32(b[1]) << 16) | (quint32(b[2]) << 8) | quint32(b[3]);
}

/// What the connections of this process share about one database's WAL.
struct SharedWal
{
    /// Moves each time any connection takes or gives up the WAL write lock (before giving it
    /// up, after taking it): frames held under an older value belong to a transaction that has
    /// ended, and bytes written under an older value to another transaction.
    std::atomic<quint64> epoch{0};
};

std::shared_ptr<SharedWal> sharedWalOf(const std::string &databasePath)
{
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<SharedWal>> wals;
    const std::lock_guard lock(mutex);
    std::shared_ptr<SharedWal> &shared = wals[databasePath];
    if (!shared)
        shared = std::make_shared<SharedWal>();
    return shared;
}

/// Our part of an open file; SQLite allocates g_vfs.szOsFile bytes, and the default VFS's
/// file lives after ours (kRealOffset).
struct ShimFile
{
    sqlite3_file base;  // first: SQLite sees a sqlite3_file
    sqlite3_file *real = nullptr;
    std::shared_ptr<SharedWal> wal;
    int lockLevel = SQLITE_LOCK_NONE;  ///< the database file's lock, as last taken or given up
    bool readOnly = false;             ///< opened read-only: it may read ahead (readSequentially())
    bool noLocks = false;              ///< opened with nolock=1: it may not
    std::unique_ptr<SequentialReadAhead> readAhead;
};

struct WalFile : ShimFile
{
    std::vector<char> held;
    sqlite3_int64 heldAt = 0;        ///< file offset of held[0]
    quint64 heldEpoch = 0;
    quint32 pageSize = 0;            ///< 0: not known yet
    sqlite3_int64 commitEnd = 0;     ///< the end of the commit frame being held: reaching it writes what is held
    bool failed = false;             ///< held frames could not be written: nothing more until their transaction ends
    quint64 failedEpoch = 0;
    sqlite3_int64 failedAt = 0;      ///< where the frames lost start: a new transaction writes there again
    /// What this connection has written to the file in its current transaction (epoch), as one
    /// range: SQLite rewrites in place only frames of the current transaction that the same
    /// connection wrote (pages changed again, then their checksum headers, the commit frame's
    /// last), and nothing may follow to complete such a write, so one over these bytes is never
    /// held. Being per transaction, the range cannot go stale with other processes or page sizes.
    sqlite3_int64 writtenFrom = 0;
    sqlite3_int64 writtenTo = 0;
    quint64 writtenEpoch = 0;
};

constexpr size_t alignUp(size_t n) { return (n + 15) & ~size_t(15); }
constexpr size_t kRealOffset = alignUp(sizeof(WalFile) > sizeof(ShimFile) ? sizeof(WalFile) : sizeof(ShimFile));

ShimFile *shim(sqlite3_file *file) { return reinterpret_cast<ShimFile *>(file); }
WalFile *wal(sqlite3_file *file) { return reinterpret_cast<WalFile *>(file); }
sqlite3_file *real(sqlite3_file *file) { return shim(file)->real; }
const sqlite3_io_methods *realMethods(sqlite3_file *file) { return real(file)->pMethods; }

// ---- what the database file and the WAL file share: calls passed on as they are ----

int passLock(sqlite3_file *f, int level) { return realMethods(f)->xLock(real(f), level); }
int passUnlock(sqlite3_file *f, int level) { return realMethods(f)->xUnlock(real(f), level); }
int passCheckReservedLock(sqlite3_file *f, int *out) { return realMethods(f)->xCheckReservedLock(real(f), out); }
int passFileControl(sqlite3_file *f, int op, void *arg) { return realMethods(f)->xFileControl(real(f), op, arg); }
int passSectorSize(sqlite3_file *f) { return realMethods(f)->xSectorSize(real(f)); }
int passDeviceCharacteristics(sqlite3_file *f) { return realMethods(f)->xDeviceCharacteristics(real(f)); }
int passShmMap(sqlite3_file *f, int region, int size, int extend, void volatile **out)
{
    return realMethods(f)->iVersion >= 2 ? realMethods(f)->xShmMap(real(f), region, size, extend, out) : SQLITE_IOERR;
}
void passShmBarrier(sqlite3_file *f)
{
    if (realMethods(f)->iVersion >= 2)
        realMethods(f)->xShmBarrier(real(f));
}
int passShmUnmap(sqlite3_file *f, int deleteFlag)
{
    return realMethods(f)->iVersion >= 2 ? realMethods(f)->xShmUnmap(real(f), deleteFlag) : SQLITE_OK;
}
int passUnfetch(sqlite3_file *f, sqlite3_int64 offset, void *page)
{
    return realMethods(f)->iVersion >= 3 ? realMethods(f)->xUnfetch(real(f), offset, page) : SQLITE_OK;
}

int closeReal(sqlite3_file *f)
{
    return realMethods(f) ? realMethods(f)->xClose(real(f)) : SQLITE_OK;
}

// ---- the database file: only its lock calls are watched ----

int databaseClose(sqlite3_file *f)
{
    const int rc = closeReal(f);
    shim(f)->~ShimFile();
    return rc;
}
/// A read transaction begins and ends with wal-index lock changes (and, outside WAL mode, file
/// lock changes): what was read ahead is not kept past one.
void forgetReadAhead(sqlite3_file *f)
{
    if (shim(f)->readAhead)
        shim(f)->readAhead->forget();
}
int databaseRead(sqlite3_file *f, void *out, int amount, sqlite3_int64 offset)
{
    if (SequentialReadAhead *ahead = shim(f)->readAhead.get())
        return ahead->read(real(f), out, amount, offset);
    return realMethods(f)->xRead(real(f), out, amount, offset);
}
int databaseWrite(sqlite3_file *f, const void *data, int amount, sqlite3_int64 offset)
{
    forgetReadAhead(f);  // never on a read-only file; should it ever be, nothing stale is kept
    return realMethods(f)->xWrite(real(f), data, amount, offset);
}
int databaseTruncate(sqlite3_file *f, sqlite3_int64 size)
{
    forgetReadAhead(f);
    return realMethods(f)->xTruncate(real(f), size);
}
int databaseSync(sqlite3_file *f, int flags) { return realMethods(f)->xSync(real(f), flags); }
int databaseFileSize(sqlite3_file *f, sqlite3_int64 *size) { return realMethods(f)->xFileSize(real(f), size); }
int databaseFileControl(sqlite3_file *f, int op, void *arg)
{
    if (op != SequentialReadAhead::kFileControl)
        return passFileControl(f, op, arg);
    if (!arg || *static_cast<const int *>(arg) == 0) {
        shim(f)->readAhead.reset();
        return SQLITE_OK;
    }
    // Its own writes would change pieces held; without locks (nolock=1) nothing says when a
    // read transaction ends.
    if (!shim(f)->readOnly || shim(f)->noLocks)
        return SQLITE_READONLY;
    if (!shim(f)->readAhead) {
        try {
            shim(f)->readAhead = std::make_unique<SequentialReadAhead>();
        } catch (const std::bad_alloc &) {
            return SQLITE_NOMEM;
        }
    }
    return SQLITE_OK;
}
int databaseLock(sqlite3_file *f, int level)
{
    forgetReadAhead(f);
    const int rc = realMethods(f)->xLock(real(f), level);
    if (rc == SQLITE_OK)  // asking for a level at or below the one held changes nothing
        shim(f)->lockLevel = std::max(shim(f)->lockLevel, level);
    return rc;
}
int databaseUnlock(sqlite3_file *f, int level)
{
    forgetReadAhead(f);
    // In locking_mode=EXCLUSIVE SQLite holds the file's EXCLUSIVE lock instead of the WAL write
    // lock and keeps the wal-index in its own memory (no xShmLock): giving that lock up is when
    // other connections can write again.
    const bool leavingExclusive = shim(f)->lockLevel == SQLITE_LOCK_EXCLUSIVE && level < SQLITE_LOCK_EXCLUSIVE;
    if (leavingExclusive)  // before: once unlocked, another connection may take over and hold frames
        shim(f)->wal->epoch.fetch_add(1);
    const int rc = realMethods(f)->xUnlock(real(f), level);
    shim(f)->lockLevel = level;
    return rc;
}
int databaseShmLock(sqlite3_file *f, int offset, int count, int flags)
{
    if (realMethods(f)->iVersion < 2)
        return SQLITE_IOERR;
    const bool writeLock = (flags & SQLITE_SHM_EXCLUSIVE) != 0 && offset <= kWalWriteLock && kWalWriteLock < offset + count;
    const bool unlocking = (flags & SQLITE_SHM_UNLOCK) != 0;
    forgetReadAhead(f);
    // Giving the lock up moves the epoch before: a connection of another thread that takes it
    // next must not see the move after it held frames of its own. Taking it moves it after.
    if (writeLock && unlocking)
        shim(f)->wal->epoch.fetch_add(1);
    const int rc = realMethods(f)->xShmLock(real(f), offset, count, flags);
    if (writeLock && !unlocking && rc == SQLITE_OK)
        shim(f)->wal->epoch.fetch_add(1);
    return rc;
}
int databaseFetch(sqlite3_file *f, sqlite3_int64 offset, int amount, void **page)
{
    if (realMethods(f)->iVersion < 3) {
        *page = nullptr;
        return SQLITE_OK;
    }
    return realMethods(f)->xFetch(real(f), offset, amount, page);
}

const sqlite3_io_methods kDatabaseMethods = {
    3, databaseClose, databaseRead, databaseWrite, databaseTruncate, databaseSync, databaseFileSize,
    databaseLock, databaseUnlock, passCheckReservedLock, databaseFileControl, passSectorSize, passDeviceCharacteristics,
    passShmMap, databaseShmLock, passShmBarrier, passShmUnmap, databaseFetch, passUnfetch,
};

// ---- the WAL file: frames before a commit frame are gathered ----

void noteWritten(WalFile *w, sqlite3_int64 from, sqlite3_int64 to)
{
    const quint64 epoch = w->wal->epoch.load();
    if (w->writtenEpoch != epoch || w->writtenTo <= w->writtenFrom) {
        w->writtenFrom = from;
        w->writtenTo = to;
        w->writtenEpoch = epoch;
        return;
    }
    w->writtenFrom = std::min(w->writtenFrom, from);
    w->writtenTo = std::max(w->writtenTo, to);
}

/// Whether [offset, offset + amount) overlaps what this transaction already put in the file.
bool overWritten(const WalFile *w, sqlite3_int64 offset, int amount)
{
    return w->writtenEpoch == w->wal->epoch.load() && offset < w->writtenTo && offset + amount > w->writtenFrom;
}

/// Frames held past the end of their transaction were rolled back: never write them.
void dropIfStale(WalFile *w)
{
    if (!w->held.empty() && w->wal->epoch.load() != w->heldEpoch) {
        w->held.clear();
        g_dropped.fetch_add(1, std::memory_order_relaxed);
    }
}

/// After held frames could not be written, the transaction they belong to must not commit:
/// every later write and sync fails until the write lock has changed hands (it rolled back).
bool refusing(WalFile *w)
{
    if (w->failed && w->wal->epoch.load() != w->failedEpoch)
        w->failed = false;
    return w->failed;
}

/// Held frames were lost: their transaction must not commit (refusing()).
void latchFailure(WalFile *w)
{
    w->failedAt = w->heldAt;
    w->held.clear();
    w->failed = true;
    w->failedEpoch = w->wal->epoch.load();
}

/// In locking_mode=EXCLUSIVE the write lock never changes hands: a new transaction shows by
/// writing where the lost frames began (or a new WAL header). SQLite writes nothing more in
/// the failed one (its pager stays in the error state until the rollback).
void endFailureOnNewTransaction(WalFile *w, sqlite3_int64 offset)
{
    if (w->failed && (offset == 0 || offset <= w->failedAt))
        w->failed = false;
}

/// Writes what is held. A failure is SQLITE_IOERR_WRITE whatever the cause: SQLite answers an
/// I/O error by rolling back the whole transaction, where SQLITE_FULL from a read would undo
/// only the statement and let the transaction commit without the frames that were lost.
int flush(WalFile *w)
{
    dropIfStale(w);
    if (w->held.empty())
        return SQLITE_OK;
    int rc = SQLITE_OK;
    for (size_t done = 0; done < w->held.size() && rc == SQLITE_OK; done += kLargestWrite) {
        const size_t piece = std::min(kLargestWrite, w->held.size() - done);
        rc = w->real->pMethods->xWrite(w->real, w->held.data() + done, int(piece), w->heldAt + sqlite3_int64(done));
    }
    g_flushes.fetch_add(1, std::memory_order_relaxed);
    if (rc == SQLITE_OK) {
        noteWritten(w, w->heldAt, w->heldAt + sqlite3_int64(w->held.size()));
        w->held.clear();
        return SQLITE_OK;
    }
    latchFailure(w);
    return SQLITE_IOERR_WRITE;
}

bool validPageSize(quint32 size)
{
    return size >= 512 && size <= 65536 && (size & (size - 1)) == 0;
}

/// The page size from a WAL header, or 0.
quint32 pageSizeOf(const unsigned char *header)
{
    const quint32 magic = bigEndian32(header);
    const quint32 size = bigEndian32(header + 8);
    return (magic == kWalMagicLittle || magic == kWalMagicBig) && validPageSize(size) ? size : 0;
}

/// Another connection may have written the WAL header; the page size never changes in WAL mode.
bool knowPageSize(WalFile *w)
{
    if (w->pageSize != 0)
        return true;
    unsigned char header[kWalHeaderBytes];
    if (w->real->pMethods->xRead(w->real, header, kWalHeaderBytes, 0) == SQLITE_OK)
        w->pageSize = pageSizeOf(header);
    return w->pageSize != 0;
}

int writeThrough(WalFile *w, const void *data, int amount, sqlite3_int64 offset)
{
    if (const int rc = flush(w); rc != SQLITE_OK)
        return rc;
    const int rc = w->real->pMethods->xWrite(w->real, data, amount, offset);
    if (rc == SQLITE_OK)
        noteWritten(w, offset, offset + amount);
    return rc;
}

/// Writes what is held once the commit frame being held is complete (`writtenEnd` reaches its
/// end): SQLite makes a commit visible to readers as soon as its frames' writes return.
int flushAtCommit(WalFile *w, sqlite3_int64 writtenEnd)
{
    if (w->commitEnd == 0 || writtenEnd < w->commitEnd)
        return SQLITE_OK;
    w->commitEnd = 0;
    return flush(w);
}

int walWrite(sqlite3_file *f, const void *data, int amount, sqlite3_int64 offset)
{
    WalFile *w = wal(f);
    dropIfStale(w);
    endFailureOnNewTransaction(w, offset);
    if (refusing(w))
        return SQLITE_IOERR_WRITE;
    if (offset == 0) {  // the header of a new WAL: it starts over
        if (amount >= kWalHeaderBytes)
            w->pageSize = pageSizeOf(static_cast<const unsigned char *>(data));
        w->commitEnd = 0;
        if (const int rc = flush(w); rc != SQLITE_OK)
            return rc;
        w->writtenTo = w->writtenFrom = 0;  // nothing of the new WAL is in the file yet
        return writeThrough(w, data, amount, offset);
    }
    if (offset < kWalHeaderBytes || !knowPageSize(w))
        return writeThrough(w, data, amount, offset);
    const sqlite3_int64 heldEnd = w->heldAt + sqlite3_int64(w->held.size());
    const bool insideHeld = !w->held.empty() && offset >= w->heldAt && offset + amount <= heldEnd;
    if (!insideHeld && overWritten(w, offset, amount)) {
        g_writtenOver.fetch_add(1, std::memory_order_relaxed);
        return writeThrough(w, data, amount, offset);  // over bytes already in the file
    }
    const sqlite3_int64 frameBytes = kFrameHeaderBytes + sqlite3_int64(w->pageSize);
    if ((offset - kWalHeaderBytes) % frameBytes == 0) {  // a frame's header: which frame it starts decides
        if (amount < 8) {
            w->commitEnd = 0;
            return writeThrough(w, data, amount, offset);
        }
        // The commit frame is held too, and what is held is written in the call that completes
        // it: one write per small transaction, and still before SQLite publishes the commit.
        const bool commits = bigEndian32(static_cast<const char *>(data) + 4) != 0;
        w->commitEnd = commits ? offset + frameBytes : 0;
    }
    if (insideHeld) {  // a frame of this transaction rewritten
        std::memcpy(w->held.data() + (offset - w->heldAt), data, size_t(amount));
        return flushAtCommit(w, offset + amount);
    }
    if (!w->held.empty() && offset != heldEnd)
        return writeThrough(w, data, amount, offset);
    if (w->held.empty()) {
        w->heldAt = offset;
        w->heldEpoch = w->wal->epoch.load();
    }
    const char *bytes = static_cast<const char *>(data);
    try {
        w->held.insert(w->held.end(), bytes, bytes + amount);
    } catch (const std::bad_alloc &) {
        if (w->held.empty())
            return writeThrough(w, data, amount, offset);
        latchFailure(w);  // what is held cannot be completed: the transaction fails
        return SQLITE_IOERR_NOMEM;
    }
    g_framesHeld.fetch_add(1, std::memory_order_relaxed);
    if (const int rc = flushAtCommit(w, offset + amount); rc != SQLITE_OK)
        return rc;
    return w->held.size() >= kHeldLimit ? flush(w) : SQLITE_OK;
}

int walRead(sqlite3_file *f, void *out, int amount, sqlite3_int64 offset)
{
    if (const int rc = flush(wal(f)); rc != SQLITE_OK)
        return rc;
    return realMethods(f)->xRead(real(f), out, amount, offset);
}

int walTruncate(sqlite3_file *f, sqlite3_int64 size)
{
    if (const int rc = flush(wal(f)); rc != SQLITE_OK)
        return rc;
    wal(f)->commitEnd = 0;
    const int rc = realMethods(f)->xTruncate(real(f), size);
    if (rc == SQLITE_OK)
        wal(f)->writtenTo = std::min(wal(f)->writtenTo, size);
    return rc;
}

int walSync(sqlite3_file *f, int flags)
{
    if (const int rc = flush(wal(f)); rc != SQLITE_OK)
        return rc;
    if (refusing(wal(f)))
        return SQLITE_IOERR_WRITE;
    return realMethods(f)->xSync(real(f), flags);
}

int walFileSize(sqlite3_file *f, sqlite3_int64 *size)
{
    if (const int rc = flush(wal(f)); rc != SQLITE_OK)
        return rc;
    return realMethods(f)->xFileSize(real(f), size);
}

int walClose(sqlite3_file *f)
{
    const int flushed = flush(wal(f));
    const int closed = closeReal(f);
    wal(f)->~WalFile();
    return flushed != SQLITE_OK ? flushed : closed;
}

int walShmLock(sqlite3_file *f, int offset, int count, int flags)
{
    return realMethods(f)->iVersion >= 2 ? realMethods(f)->xShmLock(real(f), offset, count, flags) : SQLITE_IOERR;
}

int walFetch(sqlite3_file *f, sqlite3_int64 offset, int amount, void **page)
{
    *page = nullptr;  // the WAL is read, never mapped, here
    (void)f;
    (void)offset;
    (void)amount;
    return SQLITE_OK;
}

const sqlite3_io_methods kWalMethods = {
    3, walClose, walRead, walWrite, walTruncate, walSync, walFileSize,
    passLock, passUnlock, passCheckReservedLock, passFileControl, passSectorSize, passDeviceCharacteristics,
    passShmMap, walShmLock, passShmBarrier, passShmUnmap, walFetch, passUnfetch,
};

// ---- the VFS ----

int shimOpen(sqlite3_vfs *, const char *name, sqlite3_file *file, int flags, int *outFlags)
{
    const bool isWal = (flags & SQLITE_OPEN_WAL) != 0;
    const bool isDatabase = (flags & SQLITE_OPEN_MAIN_DB) != 0;
    std::string databasePath = name ? name : "";
    if (isWal && databasePath.size() > 4 && databasePath.compare(databasePath.size() - 4, 4, "-wal") == 0)
        databasePath.resize(databasePath.size() - 4);
    else if (isWal)
        databasePath.clear();  // a name SQLite did not derive from its database's: leave it alone
    if (databasePath.empty() || (!isWal && !isDatabase))
        return g_default->xOpen(g_default, name, file, flags, outFlags);  // in our slot, which is large enough

    std::shared_ptr<SharedWal> shared;
    try {
        shared = sharedWalOf(databasePath);
    } catch (const std::bad_alloc &) {
        file->pMethods = nullptr;
        return SQLITE_NOMEM;
    }
    ShimFile *opened = isWal ? new (file) WalFile : new (file) ShimFile;
    opened->base.pMethods = nullptr;
    opened->real = reinterpret_cast<sqlite3_file *>(reinterpret_cast<char *>(file) + kRealOffset);
    opened->real->pMethods = nullptr;
    opened->wal = std::move(shared);
    opened->readOnly = (flags & SQLITE_OPEN_READONLY) != 0;
    opened->noLocks = isDatabase && sqlite3_uri_boolean(name, "nolock", 0);
    const int rc = g_default->xOpen(g_default, name, opened->real, flags, outFlags);
    if (rc != SQLITE_OK) {
        closeReal(file);
        if (isWal)
            wal(file)->~WalFile();
        else
            opened->~ShimFile();
        file->pMethods = nullptr;
        return rc;
    }
    opened->base.pMethods = isWal ? &kWalMethods : &kDatabaseMethods;
    return SQLITE_OK;
}

bool disabledByEnvironment()
{
    const char *setting = std::getenv("MANDATE_SQLITE_WAL_BUFFER");
    return setting && std::strcmp(setting, "0") == 0;
}

} // namespace

void installWalWriteBuffer()
{
    static std::once_flag once;
    std::call_once(once, [] {
        if (disabledByEnvironment() || sqlite3_initialize() != SQLITE_OK)
            return;
        g_default = sqlite3_vfs_find(nullptr);
        if (!g_default)
            return;
        g_vfs = sqlite3_vfs{};
        g_vfs.iVersion = g_default->iVersion < 3 ? g_default->iVersion : 3;
        g_vfs.szOsFile = int(kRealOffset) + g_default->szOsFile;
        g_vfs.mxPathname = g_default->mxPathname;
        g_vfs.zName = "mandate-wal-buffer";
        g_vfs.xOpen = shimOpen;
        g_vfs.xDelete = [](sqlite3_vfs *, const char *name, int syncDir) { return g_default->xDelete(g_default, name, syncDir); };
        g_vfs.xAccess = [](sqlite3_vfs *, const char *name, int flags, int *out) { return g_default->xAccess(g_default, name, flags, out); };
        g_vfs.xFullPathname = [](sqlite3_vfs *, const char *name, int size, char *out) {
            return g_default->xFullPathname(g_default, name, size, out);
        };
        g_vfs.xDlOpen = [](sqlite3_vfs *, const char *name) { return g_default->xDlOpen(g_default, name); };
        g_vfs.xDlError = [](sqlite3_vfs *, int size, char *out) { g_default->xDlError(g_default, size, out); };
        g_vfs.xDlSym = [](sqlite3_vfs *, void *handle, const char *symbol) { return g_default->xDlSym(g_default, handle, symbol); };
        g_vfs.xDlClose = [](sqlite3_vfs *, void *handle) { g_default->xDlClose(g_default, handle); };
        g_vfs.xRandomness = [](sqlite3_vfs *, int size, char *out) { return g_default->xRandomness(g_default, size, out); };
        g_vfs.xSleep = [](sqlite3_vfs *, int micros) { return g_default->xSleep(g_default, micros); };
        g_vfs.xCurrentTime = [](sqlite3_vfs *, double *out) { return g_default->xCurrentTime(g_default, out); };
        g_vfs.xGetLastError = [](sqlite3_vfs *, int size, char *out) { return g_default->xGetLastError(g_default, size, out); };
        if (g_vfs.iVersion >= 2) {
            g_vfs.xCurrentTimeInt64 = [](sqlite3_vfs *, sqlite3_int64 *out) { return g_default->xCurrentTimeInt64(g_default, out); };
        }
        if (g_vfs.iVersion >= 3) {
            g_vfs.xSetSystemCall = [](sqlite3_vfs *, const char *name, sqlite3_syscall_ptr call) {
                return g_default->xSetSystemCall(g_default, name, call);
            };
            g_vfs.xGetSystemCall = [](sqlite3_vfs *, const char *name) { return g_default->xGetSystemCall(g_default, name); };
            g_vfs.xNextSystemCall = [](sqlite3_vfs *, const char *name) { return g_default->xNextSystemCall(g_default, name); };
        }
        sqlite3_vfs_register(&g_vfs, 1);
    });
}

WalWriteCounts walWriteCounts()
{
    return WalWriteCounts{g_framesHeld.load(), g_flushes.load(), g_dropped.load(), g_writtenOver.load()};
}

} // namespace mandate::store
