// SPDX-License-Identifier: Apache-2.0
#include "store/Schema.h"

namespace mandate::store {

namespace {

QString recordTable(const char *name)
{
    return QStringLiteral("CREATE TABLE %1 (id TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL, "
                          "body TEXT NOT NULL, updated_at TEXT NOT NULL)").arg(QLatin1String(name));
}

QList<Migration> buildMigrations()
{
    QList<Migration> list;
    list.append({1, QStringLiteral("registry records"),
                 {recordTable("humans"), recordTable("machines"), recordTable("tools"), recordTable("agents")}});
    // Filtering by status and owner must not parse every JSON body.
    list.append({2, QStringLiteral("agent status and owner columns"),
                 {QStringLiteral("ALTER TABLE agents ADD COLUMN status TEXT NOT NULL DEFAULT 'active'"),
                  QStringLiteral("ALTER TABLE agents ADD COLUMN owner TEXT NOT NULL DEFAULT ''"),
                  // A body may omit "status" (it defaults to active when read), so keep the default.
                  QStringLiteral("UPDATE agents SET status = coalesce(json_extract(body, '$.status'), 'active'), "
                                 "owner = coalesce(json_extract(body, '$.owner'), '')"),
                  QStringLiteral("CREATE INDEX agents_status ON agents(status)"),
                  QStringLiteral("CREATE INDEX agents_owner ON agents(owner)")}});
    list.append({3, QStringLiteral("admin API keys"),
                 {QStringLiteral("CREATE TABLE api_keys (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, "
                                 "role TEXT NOT NULL, secret_hash BLOB NOT NULL, created_at TEXT NOT NULL)")}});
    return list;
}

} // namespace

const QList<Migration> &Schema::migrations()
{
    static const QList<Migration> list = buildMigrations();
    return list;
}

int Schema::currentVersion()
{
    return migrations().constLast().version;
}

} // namespace mandate::store
