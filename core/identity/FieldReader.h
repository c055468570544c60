// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Error.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

#include <initializer_list>
#include <vector>

namespace mandate::identity {

/// Reads typed fields out of one JSON object, collecting every problem with its path
/// (`agents[3].maxBudget.calls: expected an integer`) instead of stopping at the first.
/// Unknown members are errors too: a typo in a security setting must not be ignored.
class FieldReader
{
public:
    enum Presence { Optional, Required };

    FieldReader(const QJsonObject &object, QString path, std::vector<Error> &errors);

    QString string(const char *name, Presence presence = Optional, const QString &fallback = {});
    qint64 integer(const char *name, Presence presence = Optional, qint64 fallback = 0);
    /// An integer that must fit in an int: a larger one is an error, never silently truncated.
    int integer32(const char *name, Presence presence = Optional, int fallback = 0);
    QStringList stringList(const char *name, Presence presence = Optional);
    QJsonObject object(const char *name, Presence presence = Optional);
    QJsonArray array(const char *name, Presence presence = Optional);
    bool has(const char *name) const { return m_object.contains(QLatin1String(name)); }

    /// Reports every member not in `known`.
    void rejectUnknown(std::initializer_list<const char *> known);

    /// Path of a member, for nested readers: "agents[3].maxBudget".
    QString pathOf(const char *name) const;
    void fail(const char *name, const QString &message);

private:
    const QJsonValue *find(const char *name, Presence presence);

    QJsonObject m_object;
    QString m_path;
    std::vector<Error> &m_errors;
    QJsonValue m_current;
};

} // namespace mandate::identity
