// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/Migration.h"

#include <QList>
#include <QMap>
#include <QString>

namespace mandate::store {

/// The gateway database's schema history, oldest first. Append, never edit: databases in the
/// field were created by the earlier steps.
class Schema
{
public:
    static const QList<Migration> &migrations();
    static int currentVersion();

    /// What SQLite keeps in sqlite_schema.sql for `table` and everything attached to it (its
    /// indexes and triggers), by name, once every migration has run: computed once, by running
    /// them on an empty in-memory database. Automatic indexes, which have no SQL, are left out.
    /// Empty if the migrations cannot run there (a bug the schema tests would show).
    static QMap<QString, QString> definitionsOf(const QString &table);
};

} // namespace mandate::store
