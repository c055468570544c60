// SPDX-License-Identifier: Apache-2.0
#include "audit/JsonLinesPosition.h"

#include "common/Logging.h"
#include "json/JsonReader.h"

#include <QFile>
#include <QJsonObject>

#include <functional>

namespace mandate::audit {

namespace {

constexpr qint64 kBlock = 64 << 10;

/// Calls `visit` with each whole line of the first `end` bytes of `file`, newest first, until it
/// returns false; reads blocks backwards, so the cost is what is visited, not the file's size.
Status visitLinesBackwards(QFile &file, qint64 end, const std::function<bool(QByteArrayView)> &visit)
{
    QByteArray tail;  // bytes [from, end) not visited yet
    qint64 from = end;
    while (from > 0 || !tail.isEmpty()) {
        if (from > 0) {
            const qint64 start = std::max<qint64>(0, from - kBlock);
            if (!file.seek(start))
                return Error{QStringLiteral("io"), QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString())};
            tail.prepend(file.read(from - start));
            from = start;
        }
        // Whole lines only: the first one in `tail` may have begun before `from`.
        qsizetype lineEnd = tail.size();
        while (lineEnd > 0) {
            const qsizetype lineStart = lineEnd >= 2 ? tail.lastIndexOf('\n', lineEnd - 2) + 1 : 0;
            if (lineStart == 0 && from > 0)
                break;
            const QByteArrayView text = QByteArrayView(tail).sliced(lineStart, lineEnd - lineStart).trimmed();
            lineEnd = lineStart;
            if (!text.isEmpty() && !visit(text))
                return Status::success();
        }
        tail.truncate(lineEnd);
        if (from == 0)
            break;
    }
    return Status::success();
}

/// The end of the last whole line: the byte after the last '\n' (0 without one).
Result<qint64> endOfWholeLines(QFile &file, qint64 size)
{
    for (qint64 end = size; end > 0;) {
        const qint64 start = std::max<qint64>(0, end - kBlock);
        if (!file.seek(start))
            return Error{QStringLiteral("io"), QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString())};
        const QByteArray block = file.read(end - start);
        if (const qsizetype at = block.lastIndexOf('\n'); at >= 0)
            return start + at + 1;
        end = start;
    }
    return qint64(0);
}

std::optional<QJsonObject> recordOf(QByteArrayView line)
{
    json::Limits limits;  // a record holds whole tool arguments: larger than a request's JSON
    limits.maxBytes = limits.maxStringBytes = 64 << 20;
    auto object = json::parseObject(line, limits);
    if (!object || !object->value(QStringLiteral("mandate.audit.sequence")).isDouble())
        return std::nullopt;
    return object.value();
}

} // namespace

Result<std::optional<ChainPosition>> lastPositionInJsonLines(const QString &path, const QString &gatewayId)
{
    QFile file(path);
    if (!file.exists())
        return std::optional<ChainPosition>();
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("io"), QStringLiteral("cannot read %1: %2").arg(path, file.errorString())};
    const qint64 size = file.size();
    Result<qint64> whole = endOfWholeLines(file, size);
    if (!whole)
        return whole.error();
    bool lastIsRecord = whole.value() == 0;
    std::optional<ChainPosition> found;
    Status scanned = visitLinesBackwards(file, whole.value(), [&](QByteArrayView line) {
        const std::optional<QJsonObject> record = recordOf(line);
        if (!lastIsRecord && !record)
            return false;  // the newest whole line is not a record: not an audit file
        lastIsRecord = true;
        if (!record || record->value(QStringLiteral("mandate.gateway.id")).toString() != gatewayId)
            return true;
        found = ChainPosition{record->value(QStringLiteral("mandate.audit.sequence")).toInteger(),
                              QByteArray::fromHex(record->value(QStringLiteral("mandate.audit.hash")).toString().toLatin1())};
        return false;
    });
    if (!scanned)
        return scanned.error();
    if (!lastIsRecord)
        return Error{QStringLiteral("invalid"), QStringLiteral("%1 does not end in an audit record: is it the right file?").arg(path)};
    if (whole.value() == 0 && size > 0) {
        // Only a partial line: remove it only if it looks like the start of a record.
        if (!file.seek(0) || !file.read(10).startsWith("{\"mandate."))
            return Error{QStringLiteral("invalid"), QStringLiteral("%1 is not an audit JSON lines file: is it the right file?").arg(path)};
    }
    if (whole.value() < size) {
        // A write a crash cut short; the record comes again from the database.
        file.close();
        if (!file.open(QIODevice::ReadWrite) || !file.resize(whole.value()))
            return Error{QStringLiteral("io"), QStringLiteral("%1 ends in a partial line that cannot be removed: %2").arg(path, file.errorString())};
        qCWarning(lcAudit) << "JSON lines file" << path << "ended in a partial line of" << (size - whole.value()) << "bytes; removed it";
    }
    return found;
}

} // namespace mandate::audit
