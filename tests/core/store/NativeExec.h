// SPDX-License-Identifier: Apache-2.0
#pragma once

// Runs SQL on a native SQLite connection for the store tests, saying why when it fails.

#include <QByteArray>
#include <QtGlobal>

#include <sqlite3.h>

namespace mandate::store::test {

inline bool exec(sqlite3 *db, const QByteArray &sql)
{
    char *error = nullptr;
    const bool ok = sqlite3_exec(db, sql.constData(), nullptr, nullptr, &error) == SQLITE_OK;
    if (!ok)
        qWarning("%s: %s", sql.constData(), error);
    sqlite3_free(error);
    return ok;
}

} // namespace mandate::store::test
