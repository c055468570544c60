// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/Migration.h"

#include <QList>
#include <QMap>
#include <QString>

struct sqlite3;

namespace mandate::store {

/// The gateway database's schema history, oldest first. Append, never edit: databases in the
/// field were created by the earlier steps.
class Schema
{
public:
    static const QList<Migration> &migrations();
    static int currentVersion();

    /// How `table`'s indexes (their SQL, and for each key the column, order and collation SQLite
    /// uses, from PRAGMA index_xinfo, which also shows a collation changed in the table's own
    /// definition) and every trigger of the database (a trigger on any table can write to this
    /// one) stand in the database behind `db`, by name; automatic indexes included.
    static QMap<QString, QString> indexesAndTriggers(sqlite3 *db, const QString &table);
    /// The same for an empty database after every migration, run in memory; computed once.
    /// Empty if the migrations cannot run there (a bug the schema tests would show).
    static QMap<QString, QString> expectedIndexesAndTriggers(const QString &table);
};

} // namespace mandate::store
