// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QtGlobal>

#include <sqlite3.h>

#include <vector>

namespace mandate::store {

/// Reads a database file in 1 MiB pieces and hands SQLite its pages from them, for a read-only
/// connection that scans the file (the audit verifier). Mapped instead, every 4 KiB page of a
/// 2 GB log costs a page fault on first touch, about a fifth of a verify on this machine's
/// hypervisor; read page by page, one system call each. Kept for one read transaction only:
/// within one, the pages SQLite reads from the database file cannot change (a checkpoint only
/// copies into the file what no open read transaction still reads from it), so forget() is
/// called at every lock change (wal-index locks in WAL mode, file locks otherwise), which each
/// read transaction begins and ends with.
class SequentialReadAhead
{
public:
    /// Reads [offset, offset + amount) of `file` (the default VFS's file) through the piece
    /// held, or a new piece read there; SQLite's error codes, as `file`'s xRead returns them.
    int read(sqlite3_file *file, void *out, int amount, sqlite3_int64 offset);
    void forget() { m_size = 0; }
    /// Pieces read by every connection of the process so far: for tests and benchmarks.
    static quint64 piecesRead();

    /// The file-control opcode that turns it on (sqlite3_file_control() on the "main" file):
    /// outside SQLite's own range; a VFS that does not know it answers SQLITE_NOTFOUND.
    static constexpr int kFileControl = 0x4d4e5241;  // "MNRA"
    static constexpr sqlite3_int64 kPieceBytes = 1 << 20;
    static constexpr sqlite3_int64 kAlignBytes = 64 << 10;

private:
    std::vector<char> m_bytes;
    sqlite3_int64 m_at = 0;
    sqlite3_int64 m_size = 0;  ///< 0: nothing held
};

/// Asks `connection`'s main database file to be read ahead in pieces (SequentialReadAhead):
/// true when it is; false when the connection can write (only a read-only connection's file
/// cannot change under it between lock changes), was opened with nolock=1 (no lock changes),
/// or the VFS is not Mandate's (turned off with MANDATE_SQLITE_WAL_BUFFER=0). The caller sets
/// the connection's mmap_size to 0: a mapped file is never read. Off again when the
/// connection closes.
bool readSequentially(sqlite3 *connection);

} // namespace mandate::store
