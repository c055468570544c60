// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>

namespace mandate::testing {

/// The "mandate.audit.sequence" of each line of an audit JSON lines file, in file order (-1
/// for a line that is not a record, such as one cut short); empty when there is no file.
inline QList<qint64> sequencesInJsonLines(const QString &path)
{
    QList<qint64> sequences;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return sequences;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (!line.isEmpty())
            sequences << QJsonDocument::fromJson(line).object().value(QStringLiteral("mandate.audit.sequence")).toInteger(-1);
    }
    return sequences;
}

/// first, first + 1, ..., last.
inline QList<qint64> sequenceRange(qint64 first, qint64 last)
{
    QList<qint64> out;
    for (qint64 i = first; i <= last; ++i)
        out << i;
    return out;
}

} // namespace mandate::testing
