// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/AuditRecord.h"
#include "common/Result.h"
#include "simulate/Replay.h"

#include <QHash>

#include <optional>

namespace mandate::simulate {

/// Reads a stored decision record into a RecordedRequest straight from its bytes: the summary
/// members are decoded and the Cedar request is located, not parsed (see StoredCedarRequest).
/// Reading the whole body with Qt was most of the load time of a large replay.
class StoredRequestReader
{
public:
    /// The request, or "not_replayable" / "invalid" exactly as reading the body with Qt would
    /// say; nullopt when the body is outside what JsonSpans reads (non-ASCII text, escapes,
    /// duplicate members, ...) and Qt must read it.
    static std::optional<Result<RecordedRequest>> read(const audit::StoredRecord &stored);

    /// The strings that repeat from record to record (agents, tools, actions, policy lists...),
    /// decoded once by their bytes: the requests read share them instead of each holding its own.
    class Strings
    {
    public:
        QString text(QByteArrayView value);
        QStringList list(QByteArrayView value);

    private:
        /// `cache`'s value for `value`, decoding (and remembering, within bounds) on a miss.
        template<typename T, typename Decode>
        static T cached(QHash<QByteArray, T> &cache, QByteArrayView value, Decode decode);

        static constexpr qsizetype kMaxEntries = 16384;
        QHash<QByteArray, QString> m_texts;
        QHash<QByteArray, QStringList> m_lists;
    };

    /// The same for a record whose body is `body`, a part of `buffer` (which the request then
    /// shares, with its spans relative to it), stored by `gatewayId` under `sequence`.
    static std::optional<Result<RecordedRequest>> read(const QByteArray &buffer, QByteArrayView body, qint64 sequence,
                                                       const QString &gatewayId, Strings &strings);
};

} // namespace mandate::simulate
