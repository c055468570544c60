// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/Result.h"
#include "store/Database.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QVariant>

#include <vector>

namespace mandate::registry {

/// Reads and writes one kind of registry record (Agent, Tool, Human, Machine) stored as its
/// JSON body plus the columns needed to filter. Every write checks the caller's version
/// (optimistic concurrency); the caller runs it inside a transaction.
template<typename Record>
class RecordTable
{
public:
    RecordTable(const store::Database &database, QString table) : m_db(database), m_table(std::move(table)) {}

    Result<std::vector<Record>> all() const
    {
        QSqlQuery query(m_db.connection());
        query.setForwardOnly(true);
        if (!query.exec(QStringLiteral("SELECT body FROM %1 ORDER BY id").arg(m_table)))
            return store::Database::sqlError(QStringLiteral("cannot list %1").arg(m_table), query);
        std::vector<Record> records;
        while (query.next()) {
            Result<Record> record = decode(query.value(0).toByteArray());
            if (!record)
                return record.error();
            records.push_back(std::move(record).value());
        }
        return records;
    }

    Result<Record> get(const QString &id) const
    {
        QSqlQuery query(m_db.connection());
        query.prepare(QStringLiteral("SELECT body FROM %1 WHERE id = :id").arg(m_table));
        query.bindValue(QStringLiteral(":id"), id);
        if (!query.exec())
            return store::Database::sqlError(QStringLiteral("cannot read %1 %2").arg(QLatin1String(Record::kind), id), query);
        if (!query.next())
            return Error{QStringLiteral("not_found"), QStringLiteral("no %1 \"%2\"").arg(QLatin1String(Record::kind), id)};
        return decode(query.value(0).toByteArray());
    }

    bool contains(const QString &id) const
    {
        QSqlQuery query(m_db.connection());
        query.prepare(QStringLiteral("SELECT 1 FROM %1 WHERE id = :id").arg(m_table));
        query.bindValue(QStringLiteral(":id"), id);
        return query.exec() && query.next();
    }

    /// Current version of `id`, 0 when absent, or an error.
    Result<qint64> versionOf(const QString &id) const
    {
        QSqlQuery query(m_db.connection());
        query.prepare(QStringLiteral("SELECT version FROM %1 WHERE id = :id").arg(m_table));
        query.bindValue(QStringLiteral(":id"), id);
        if (!query.exec())
            return store::Database::sqlError(QStringLiteral("cannot read %1").arg(m_table), query);
        return query.next() ? query.value(0).toLongLong() : qint64(0);
    }

    /// Inserts or replaces `record` (whose version is already the new one).
    Status write(const Record &record, const QDateTime &now, bool insert) const
    {
        QSqlQuery query(m_db.connection());
        const QString extraColumns = m_hasAgentColumns ? QStringLiteral(", status, owner") : QString();
        const QString extraValues = m_hasAgentColumns ? QStringLiteral(", :status, :owner") : QString();
        if (insert) {
            query.prepare(QStringLiteral("INSERT INTO %1 (id, version, body, updated_at%2) VALUES (:id, :version, :body, :at%3)")
                              .arg(m_table, extraColumns, extraValues));
        } else {
            const QString sets = m_hasAgentColumns ? QStringLiteral(", status = :status, owner = :owner") : QString();
            query.prepare(QStringLiteral("UPDATE %1 SET version = :version, body = :body, updated_at = :at%2 WHERE id = :id")
                              .arg(m_table, sets));
        }
        const QJsonObject json = record.toJson();
        query.bindValue(QStringLiteral(":id"), record.id);
        query.bindValue(QStringLiteral(":version"), record.version);
        query.bindValue(QStringLiteral(":body"), QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact)));
        query.bindValue(QStringLiteral(":at"), now.toUTC().toString(Qt::ISODateWithMs));
        if (m_hasAgentColumns) {
            query.bindValue(QStringLiteral(":status"), json.value(QStringLiteral("status")).toString());
            query.bindValue(QStringLiteral(":owner"), json.value(QStringLiteral("owner")).toString());
        }
        if (!query.exec())
            return store::Database::sqlError(QStringLiteral("cannot write %1 %2").arg(QLatin1String(Record::kind), record.id), query);
        return Status::success();
    }

    Status remove(const QString &id) const
    {
        QSqlQuery query(m_db.connection());
        query.prepare(QStringLiteral("DELETE FROM %1 WHERE id = :id").arg(m_table));
        query.bindValue(QStringLiteral(":id"), id);
        if (!query.exec())
            return store::Database::sqlError(QStringLiteral("cannot delete %1 %2").arg(QLatin1String(Record::kind), id), query);
        return Status::success();
    }

    /// Agents carry status and owner columns so that filters run in SQL.
    void setHasAgentColumns(bool value) { m_hasAgentColumns = value; }
    const QString &table() const { return m_table; }

    static Result<Record> decode(const QByteArray &body)
    {
        QJsonParseError parseError{};
        const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
        if (!document.isObject())
            return Error{QStringLiteral("store_corrupt"), QStringLiteral("stored %1 is not valid JSON: %2")
                                                              .arg(QLatin1String(Record::kind), parseError.errorString())};
        std::vector<Error> errors;
        Record record = Record::fromJson(document.object(), QString(), errors);
        if (!errors.empty())
            return Error{QStringLiteral("store_corrupt"), QStringLiteral("stored %1 is invalid: %2")
                                                              .arg(QLatin1String(Record::kind), errors.front().toString())};
        return record;
    }

private:
    const store::Database &m_db;
    QString m_table;
    bool m_hasAgentColumns = false;
};

} // namespace mandate::registry
