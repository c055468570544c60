// SPDX-License-Identifier: Apache-2.0
#include "audit/ChainCursor.h"

#include <cstring>

namespace mandate::audit {

ChainCursor ChainCursor::atGenesis()
{
    ChainCursor cursor;
    cursor.m_anchored = true;
    return cursor;
}

bool ChainCursor::same(QByteArrayView stored, const Hash &hash)
{
    return stored.size() == ChainHash::kSize && std::memcmp(stored.data(), hash.data(), hash.size()) == 0;
}

bool ChainCursor::add(const ChainRow &row)
{
    if (m_fault)
        return false;
    if (m_rows++ == 0 && !m_anchored) {
        m_firstSeq = row.seq;
        m_firstPrevWellFormed = row.prev.size() == ChainHash::kSize;
        if (m_firstPrevWellFormed)
            std::memcpy(m_firstPrev.data(), row.prev.data(), m_firstPrev.size());
        m_expected = row.seq;
        m_last = m_firstPrev;
    }
    if (!row.hashOk) {
        m_fault = ChainFault{ChainFault::HashMismatch, row.seq, 0, kColumnsAgree};
        return false;
    }
    if (row.seq != m_expected) {
        m_fault = ChainFault{ChainFault::OutOfSequence, row.seq, m_expected, kColumnsAgree};
        return false;
    }
    // An unanchored first row is not compared with its own link: join() compares it.
    if ((m_rows > 1 || m_anchored) && !same(row.prev, m_last)) {
        m_fault = ChainFault{ChainFault::BrokenLink, row.seq, 0, kColumnsAgree};
        return false;
    }
    if (row.badColumn != kColumnsAgree) {
        m_fault = ChainFault{ChainFault::ColumnMismatch, row.seq, 0, row.badColumn};
        return false;
    }
    std::memcpy(m_last.data(), row.hash.data(), m_last.size());  // hashOk: 32 bytes
    m_lastSeq = row.seq;
    m_expected = row.seq + 1;
    ++m_taken;
    return true;
}

bool ChainCursor::join(const ChainCursor &part)
{
    Q_ASSERT(!part.m_anchored);
    if (m_fault)
        return false;
    if (part.m_rows == 0)
        return true;
    // The part's first row, in the order add() judges it: its own hash was judged by the
    // part; its place and link only here.
    const bool firstHashBad = part.m_fault && part.m_rows == 1 && part.m_fault->kind == ChainFault::HashMismatch;
    if (!firstHashBad) {
        if (part.m_firstSeq != m_expected) {
            ++m_rows;
            m_fault = ChainFault{ChainFault::OutOfSequence, part.m_firstSeq, m_expected, kColumnsAgree};
            return false;
        }
        if (!part.m_firstPrevWellFormed || part.m_firstPrev != m_last) {
            ++m_rows;
            m_fault = ChainFault{ChainFault::BrokenLink, part.m_firstSeq, 0, kColumnsAgree};
            return false;
        }
    }
    m_rows += part.m_rows;
    if (part.m_taken > 0) {
        m_last = part.m_last;
        m_lastSeq = part.m_lastSeq;
        m_expected = part.m_expected;
        m_taken += part.m_taken;
    }
    m_fault = part.m_fault;
    return !m_fault;
}

} // namespace mandate::audit
