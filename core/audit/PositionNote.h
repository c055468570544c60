// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/ChainPosition.h"
#include "common/Result.h"

#include <QFile>
#include <QString>

#include <optional>

namespace mandate::audit {

/// A position together with the chain (gateway) it is in.
struct NotedPosition
{
    QString gatewayId;
    ChainPosition position;
};

/// A one-line file noting where an export stands: "gateway-base64 sequence hash-hex". The JSON
/// lines export's bookmark and the OTLP spool's sent note. It is created by the first write and
/// overwritten in place after each batch without a sync: a note a crash leaves stale only makes
/// records go twice, and one it leaves torn or empty reads as none.
class PositionNote
{
public:
    explicit PositionNote(QString path) : m_path(std::move(path)) {}

    /// The note at `path`; nullopt when there is none, or one that does not read (warned).
    static Result<std::optional<NotedPosition>> read(const QString &path);
    /// The same, only when it is a position in `gatewayId`'s chain.
    static Result<std::optional<ChainPosition>> read(const QString &path, const QString &gatewayId);
    /// Best effort: a failure is logged, at most once a minute.
    void write(const NotedPosition &noted);
    /// Replaces the note whole and waits until it is on disk, its directory entry too: for the
    /// place an export starts from, which a power loss must not take back to "none".
    Status writeDurably(const NotedPosition &noted);

private:
    QString m_path;
    QFile m_file;
    qint64 m_lastWarning = 0;
};

} // namespace mandate::audit
