// SPDX-License-Identifier: Apache-2.0
#include "store/NativeConnection.h"

#include "store/SqliteSetup.h"

#include <QByteArray>

#include <sqlite3.h>

namespace mandate::store {

NativeConnection openNativeConnection(const char *path, int flags)
{
    setUpSqlite();
    sqlite3 *db = nullptr;
    const int rc = sqlite3_open_v2(path, &db, flags, nullptr);
    NativeConnection connection(db, sqlite3_close);
    if (rc != SQLITE_OK)
        return NativeConnection(nullptr, sqlite3_close);
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    return connection;
}

void setMmapSize(sqlite3 *connection, qint64 bytes)
{
    QByteArray pragma("PRAGMA mmap_size=");
    pragma += QByteArray::number(bytes);
    sqlite3_exec(connection, pragma.constData(), nullptr, nullptr, nullptr);
}

} // namespace mandate::store
