// SPDX-License-Identifier: Apache-2.0
#include "registry/DeletedVersions.h"

#include <QSqlQuery>
#include <QVariant>

namespace mandate::registry {

Result<qint64> DeletedVersions::of(const QString &kind, const QString &id) const
{
    QSqlQuery query(m_db.connection());
    query.prepare(QStringLiteral("SELECT version FROM registry_deleted WHERE kind = :kind AND id = :id"));
    query.bindValue(QStringLiteral(":kind"), kind);
    query.bindValue(QStringLiteral(":id"), id);
    if (!query.exec())
        return store::Database::sqlError(QStringLiteral("cannot read the versions of deleted records"), query);
    return query.next() ? query.value(0).toLongLong() : qint64(0);
}

Status DeletedVersions::remember(const QString &kind, const QString &id, qint64 version) const
{
    QSqlQuery query(m_db.connection());
    query.prepare(QStringLiteral("INSERT INTO registry_deleted (kind, id, version) VALUES (:kind, :id, :version) "
                                 "ON CONFLICT (kind, id) DO UPDATE SET version = max(version, excluded.version)"));
    query.bindValue(QStringLiteral(":kind"), kind);
    query.bindValue(QStringLiteral(":id"), id);
    query.bindValue(QStringLiteral(":version"), version);
    if (!query.exec())
        return store::Database::sqlError(QStringLiteral("cannot record the deletion's version"), query);
    return Status::success();
}

} // namespace mandate::registry
