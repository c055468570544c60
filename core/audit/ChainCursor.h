// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditColumns.h"
#include "audit/ChainHash.h"

#include <QByteArrayView>

#include <array>
#include <optional>

namespace mandate::audit {

/// Which query column of a row disagrees with its body (ChainRow::badColumn).
constexpr int kColumnsAgree = -1;
constexpr int kBodyUnreadable = AuditColumns::Count;  ///< the body is not of the canonical form

/// One stored row as the chain check needs it: its links, whether it matches its own hash, and
/// which query column disagrees with its body. The views are only read during ChainCursor::add().
struct ChainRow
{
    qint64 seq = 0;
    QByteArrayView prev;
    QByteArrayView hash;
    bool hashOk = false;
    int badColumn = kColumnsAgree;
};

/// The first thing wrong with a chain, before AuditVerifier words it.
struct ChainFault
{
    enum Kind { HashMismatch, OutOfSequence, BrokenLink, ColumnMismatch };
    Kind kind = HashMismatch;
    qint64 seq = 0;       ///< the row found wrong
    qint64 expected = 0;  ///< OutOfSequence: the sequence number that belonged there
    int column = kColumnsAgree;  ///< ColumnMismatch: the column, or kBodyUnreadable
};

/// Follows a chain row by row in stored order and stops at the first fault, judging each row
/// as the sequential walk always has: its own hash, then its place, then its link, then its
/// query columns. A part of the chain read on its own starts unanchored (its first row is taken
/// as in place); join() then checks that row against the parts before, so that joining parts
/// in order finds exactly the fault, and counts exactly the rows, that one walk would.
class ChainCursor
{
public:
    /// Before the first record: the next is 1 and links to the genesis hash.
    static ChainCursor atGenesis();
    /// Before a part whose predecessor is not known yet.
    static ChainCursor unanchored() { return ChainCursor(); }

    /// False at the first fault (fault() says which); nothing is taken after it.
    bool add(const ChainRow &row);
    /// Continues this chain with a part read by an unanchored cursor; false at a fault.
    bool join(const ChainCursor &part);

    const std::optional<ChainFault> &fault() const { return m_fault; }
    /// Rows looked at, the faulty one included.
    qint64 rows() const { return m_rows; }
    /// The last row taken as intact (0 and the genesis hash when none).
    qint64 lastSeq() const { return m_lastSeq; }
    QByteArray lastHash() const { return QByteArray(m_last.data(), m_last.size()); }

private:
    using Hash = std::array<char, ChainHash::kSize>;
    static bool same(QByteArrayView stored, const Hash &hash);

    bool m_anchored = false;
    qint64 m_expected = 1;
    Hash m_last{};           ///< what the next row must link to (genesis: zeros)
    qint64 m_lastSeq = 0;
    qint64 m_rows = 0;
    qint64 m_taken = 0;      ///< rows taken as intact
    std::optional<ChainFault> m_fault;
    // The first row of an unanchored part, for join().
    qint64 m_firstSeq = 0;
    Hash m_firstPrev{};
    bool m_firstPrevWellFormed = false;
};

} // namespace mandate::audit
