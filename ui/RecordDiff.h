// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

namespace mandate::ui {

/// Field-by-field differences between two JSON forms of a record, for the review and conflict
/// dialogs. The version member is bookkeeping, not content, and is left out.
class RecordDiff
{
public:
    struct Field
    {
        QString name;
        QString before;
        QString after;
        bool changed = false;
    };

    /// Every field present in either side, in key order; `changed` marks the differing ones.
    static QList<Field> compare(const QJsonObject &before, const QJsonObject &after);
    /// Only the differing fields.
    static QList<Field> changes(const QJsonObject &before, const QJsonObject &after);
    /// A compact, readable rendering of one JSON value ("ticket:read, refund:create").
    static QString render(const QJsonValue &value);
};

} // namespace mandate::ui
