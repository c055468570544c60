// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QtGlobal>

namespace mandate::store {

/// Makes the process's default SQLite VFS one that writes each transaction's WAL frames in
/// large pieces instead of two system calls per frame (SQLite writes a frame's 24-byte header
/// and its page separately). That took 4-5 µs of CPU from each execution record a mint writes
/// and from each audit record appended (bench_broker, bench_audit with
/// MANDATE_SQLITE_WAL_BUFFER=0, which turns this off, as an escape hatch and for comparison).
///
/// Why it is safe: SQLite's WAL file format marks the last frame of a transaction (the commit
/// frame, documented at sqlite.org/fileformat2.html). A transaction's frames, its commit frame
/// too, are held in memory and written, all at once and in order, by the write call that
/// completes the commit frame: before it returns, so before SQLite publishes the commit in the
/// wal-index. Everything else (the WAL header, reads, syncs, a write that does not continue what
/// is held, and any write over bytes the transaction already put in the file, such as the pages
/// and checksum headers SQLite rewrites in place) goes to the file as SQLite asked, after whatever is held (a rewrite of a
/// held frame changes it in memory). So no reader can see a commit before all the frames it covers are in
/// the file, a sync still syncs everything, and after a crash SQLite's recovery, which checks
/// every frame's checksum, finds a commit whole or not at all. Frames held when the connection
/// gives up the WAL write lock (or, in locking_mode=EXCLUSIVE, the file's exclusive lock) are
/// dropped, never written: another connection may have written its own frames there since. If
/// held frames cannot be written, the transaction gets an I/O error, which SQLite answers by
/// rolling it back whole, and nothing more is written until it has.
///
/// Installed once, before the first connection opens; idempotent. Other files (the database,
/// journals) go straight to the default VFS, the database with only its lock calls watched and,
/// for a read-only connection that asks (store::readSequentially()), its reads taken in pieces.
void installWalWriteBuffer();

/// What the buffer did, counted over the process: for tests and benchmarks.
struct WalWriteCounts
{
    quint64 framesHeld = 0;   ///< frame writes (headers and pages) gathered instead of written
    quint64 flushes = 0;      ///< writes of what was gathered
    quint64 dropped = 0;      ///< gathered writes dropped with their rolled-back transaction
    quint64 writtenOver = 0;  ///< writes over bytes the transaction already put in the file, written at once
};
WalWriteCounts walWriteCounts();

} // namespace mandate::store
