// SPDX-License-Identifier: Apache-2.0
#include "store/SequentialReadAhead.h"

#include <algorithm>
#include <atomic>
#include <cstring>

namespace mandate::store {

namespace {
std::atomic<quint64> g_piecesRead{0};
} // namespace

quint64 SequentialReadAhead::piecesRead()
{
    return g_piecesRead.load();
}

int SequentialReadAhead::read(sqlite3_file *file, void *out, int amount, sqlite3_int64 offset)
{
    const sqlite3_io_methods *methods = file->pMethods;
    // Larger reads than a quarter piece (never a page) gain nothing from a copy.
    if (amount <= 0 || amount > kPieceBytes / 4)
        return methods->xRead(file, out, amount, offset);
    if (m_size == 0 || offset < m_at || offset + amount > m_at + m_size) {
        m_size = 0;
        sqlite3_int64 fileSize = 0;
        // Past the end SQLite expects a short read (zero-filled, SQLITE_IOERR_SHORT_READ): the
        // file's own read gives exactly that.
        if (methods->xFileSize(file, &fileSize) != SQLITE_OK || offset + amount > fileSize)
            return methods->xRead(file, out, amount, offset);
        // From an aligned place: the first read of a transaction is 16 bytes of page 1, the
        // next page 1 itself.
        const sqlite3_int64 at = offset & ~sqlite3_int64(kAlignBytes - 1);
        const sqlite3_int64 piece = std::min(kPieceBytes, fileSize - at);
        try {
            m_bytes.resize(size_t(kPieceBytes));
        } catch (const std::bad_alloc &) {
            return methods->xRead(file, out, amount, offset);
        }
        if (methods->xRead(file, m_bytes.data(), int(piece), at) != SQLITE_OK)
            return methods->xRead(file, out, amount, offset);  // the page alone, with its own error
        m_at = at;
        m_size = piece;
        g_piecesRead.fetch_add(1, std::memory_order_relaxed);
    }
    std::memcpy(out, m_bytes.data() + (offset - m_at), size_t(amount));
    return SQLITE_OK;
}

bool readSequentially(sqlite3 *connection)
{
    int on = 1;
    return sqlite3_file_control(connection, "main", SequentialReadAhead::kFileControl, &on) == SQLITE_OK;
}

} // namespace mandate::store
