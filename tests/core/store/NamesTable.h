// SPDX-License-Identifier: Apache-2.0
#pragma once

// A one-column table for the store tests: what they write and read back.

#include "store/Database.h"

#include <QSqlError>
#include <QSqlQuery>

namespace mandate::store::test {

inline Migration namesTable()
{
    return Migration{1, QStringLiteral("names"), {QStringLiteral("CREATE TABLE names (name TEXT PRIMARY KEY NOT NULL)")}};
}

/// On this thread's connection, so inside whatever transaction it has open.
inline Status insertName(const Database &db, const QString &name)
{
    QSqlQuery query(db.connection());
    query.prepare(QStringLiteral("INSERT INTO names (name) VALUES (?)"));
    query.addBindValue(name);
    if (!query.exec())
        return Error{QStringLiteral("store_error"), query.lastError().text()};
    return Status::success();
}

inline QStringList names(const Database &db)
{
    QSqlQuery query(db.connection());
    query.exec(QStringLiteral("SELECT name FROM names ORDER BY name"));
    QStringList out;
    while (query.next())
        out.append(query.value(0).toString());
    return out;
}

} // namespace mandate::store::test
