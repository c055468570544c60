// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/ChainPosition.h"
#include "common/Result.h"

#include <QByteArray>
#include <QFile>
#include <QString>

#include <optional>

namespace mandate::audit {

/// The position of `gatewayId`'s newest line in the JSON lines file at `path`; nullopt when
/// there is no file or no line of that gateway. A last line cut short by a crash is removed
/// first (its record is written again), but only from a file whose last whole line is an audit
/// record: a path set to some other file is refused, never edited.
Result<std::optional<ChainPosition>> lastPositionInJsonLines(const QString &path, const QString &gatewayId);

/// The JSON lines export's own note of its position, kept beside the data directory: unlike the
/// file, it survives the file's rotation. One line, "gateway sequence hash-hex", rewritten after
/// each batch (not synced: the file itself is the better witness after a crash).
class JsonLinesBookmark
{
public:
    static Result<std::optional<ChainPosition>> read(const QString &path, const QString &gatewayId);
    explicit JsonLinesBookmark(QString path) : m_path(std::move(path)) {}
    /// Best effort: a failure is logged, at most once a minute.
    void write(const QString &gatewayId, const ChainPosition &position);

private:
    QString m_path;
    QFile m_file;
    qint64 m_lastWarning = 0;
};

} // namespace mandate::audit
