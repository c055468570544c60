// SPDX-License-Identifier: Apache-2.0
#include "audit/AuditQuery.h"

#include "audit/AuditColumns.h"
#include "common/Rfc3339.h"
#include "crypto/Base64Url.h"

#include <QSet>
#include <QSqlQuery>
#include <QVariantList>

#include <sqlite3.h>

#include <memory>
#include <optional>

namespace mandate::audit {

namespace {

QString isoTime(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}

/// SQLite fast path (as in AuditVerifier): the page is read through the driver's native
/// handle, without a QVariant and a copy per value; a replay reads a million records this way.
/// Nullopt for another driver, a value it does not bind or any SQLite error: Qt Sql reads the
/// page then.
std::optional<Result<AuditPage>> findNative(const QSqlDatabase &db, const QString &sql, const QVariantList &values, int limit)
{
    sqlite3 *native = store::Database::nativeHandle(db);
    if (!native)
        return std::nullopt;
    const QByteArray utf8 = sql.toUtf8();
    sqlite3_stmt *statement = nullptr;
    if (sqlite3_prepare_v2(native, utf8.constData(), int(utf8.size()), &statement, nullptr) != SQLITE_OK)
        return std::nullopt; // Qt Sql says what is wrong
    const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt *)> guard(statement, sqlite3_finalize);
    for (int i = 0; i < values.size(); ++i) {
        const QVariant &value = values.at(i);
        int rc = SQLITE_MISUSE;
        if (value.typeId() == QMetaType::QString) {
            const QByteArray text = value.toString().toUtf8();
            rc = sqlite3_bind_text(statement, i + 1, text.constData(), int(text.size()), SQLITE_TRANSIENT);
        } else if (value.typeId() == QMetaType::LongLong || value.typeId() == QMetaType::Int) {
            rc = sqlite3_bind_int64(statement, i + 1, value.toLongLong());
        }
        if (rc != SQLITE_OK)
            return std::nullopt;
    }
    const auto bytes = [&](int column) {
        return QByteArray(static_cast<const char *>(sqlite3_column_blob(statement, column)), sqlite3_column_bytes(statement, column));
    };
    AuditPage page;
    qint64 lastId = 0;
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
        if (static_cast<int>(page.records.size()) == limit) {
            page.nextCursor = AuditQuery::encodeCursor(lastId);
            rc = SQLITE_DONE;
            break;
        }
        lastId = sqlite3_column_int64(statement, 0);
        StoredRecord rec;
        rec.gatewayId = QString::fromUtf8(bytes(1));
        rec.sequence = sqlite3_column_int64(statement, 2);
        rec.prevHash = bytes(3);
        rec.hash = bytes(4);
        rec.body = bytes(5);
        rec.seal = bytes(6);
        page.records.push_back(std::move(rec));
    }
    if (rc != SQLITE_DONE)
        return std::nullopt; // read-only: Qt Sql reads it again and reports the error its way
    return Result<AuditPage>(std::move(page));
}

} // namespace

Result<AuditFilter> AuditFilter::fromQuery(const QUrlQuery &query)
{
    AuditFilter f;
    static const QStringList reserved{QStringLiteral("cursor"), QStringLiteral("limit"), QStringLiteral("format")};
    QSet<QString> seen;
    for (const auto &item : query.queryItems(QUrl::FullyDecoded)) {
        // Named copies, not structured bindings: clang before 16 cannot capture those.
        const QString &key = item.first;
        const QString &value = item.second;
        // Which of two values would count is a guess: neither is taken.
        if (seen.contains(key))
            return Error{QStringLiteral("invalid"), QStringLiteral("%1 is given twice").arg(key), key};
        seen.insert(key);
        const auto time = [&](QDateTime &out) -> Status {
            out = parseRfc3339(value);
            if (!out.isValid())
                return Error{QStringLiteral("invalid"),
                             QStringLiteral("%1 must be an RFC 3339 time with its offset (Z or +01:00)").arg(key), key};
            return Status::success();
        };
        Status ok;
        if (key == QLatin1String("from")) ok = time(f.from);
        else if (key == QLatin1String("to")) ok = time(f.to);
        else if (key == QLatin1String("gateway")) f.gatewayId = value;
        else if (key == QLatin1String("event")) f.event = value;
        else if (key == QLatin1String("human")) f.human = value;
        else if (key == QLatin1String("agent")) f.agent = value;
        else if (key == QLatin1String("execution")) f.execution = value;
        else if (key == QLatin1String("descendants")) {
            if (value != QLatin1String("true") && value != QLatin1String("false"))
                ok = Error{QStringLiteral("invalid"), QStringLiteral("descendants must be true or false"), key};
            f.withDescendants = value == QLatin1String("true");
        }
        else if (key == QLatin1String("tool")) f.tool = value;
        else if (key == QLatin1String("action")) f.action = value;
        else if (key == QLatin1String("decision")) f.decision = value;
        else if (key == QLatin1String("trace_id")) f.traceId = value;
        else if (!reserved.contains(key))
            ok = Error{QStringLiteral("invalid"), QStringLiteral("unknown audit filter %1").arg(key), key};
        if (!ok)
            return ok.error();
    }
    if (!f.decision.isEmpty() && f.decision != QLatin1String("allow") && f.decision != QLatin1String("deny"))
        return Error{QStringLiteral("invalid"), QStringLiteral("decision must be allow or deny"), QStringLiteral("decision")};
    if (!f.event.isEmpty() && !eventTypeFromName(f.event))
        return Error{QStringLiteral("invalid"), QStringLiteral("unknown event type %1").arg(f.event), QStringLiteral("event")};
    return f;
}

QString AuditQuery::encodeCursor(qint64 rowId)
{
    return QString::fromLatin1(crypto::Base64Url::encode(QByteArray("a1:" + QByteArray::number(rowId))));
}

std::optional<qint64> AuditQuery::decodeCursor(const QString &cursor)
{
    Result<QByteArray> raw = crypto::Base64Url::decode(cursor.toLatin1());
    if (!raw || !raw->startsWith("a1:"))
        return std::nullopt;
    bool ok = false;
    const qint64 id = raw->mid(3).toLongLong(&ok);
    if (!ok || id < 0)
        return std::nullopt;
    return id;
}

AuditFilterSql AuditFilter::toSql() const
{
    AuditFilterSql sql;
    if (!execution.isEmpty() && withDescendants) {
        sql.with = "WITH RECURSIVE tree(e) AS (SELECT ? UNION SELECT r.execution FROM audit_records r "
                   "JOIN tree ON r.parent_execution = tree.e) ";
        sql.withValues << execution;
    }
    const auto add = [&](const QString &value, const char *clause) {
        if (!value.isEmpty()) {
            sql.conditions += clause;
            sql.conditionValues << value;
        }
    };
    if (from.isValid())
        add(isoTime(from), " AND time >= ?");
    if (to.isValid())
        add(isoTime(to), " AND time < ?");
    add(gatewayId, " AND gateway = ?");
    add(event, " AND event = ?");
    if (!human.isEmpty()) {
        sql.conditions += " AND " + QByteArray(AuditColumns::humanMatch().data(), AuditColumns::humanMatch().size());
        sql.conditionValues << human << human;
    }
    add(agent, " AND agent = ?");
    if (withDescendants && !execution.isEmpty())
        sql.conditions += " AND execution IN (SELECT e FROM tree)";
    else
        add(execution, " AND execution = ?");
    add(tool, " AND tool = ?");
    add(action, " AND action = ?");
    add(decision, " AND decision = ?");
    if (!traceId.isEmpty()) {
        sql.conditions += QByteArray(" AND ") + AuditColumns::kTraceIdMatch;
        sql.conditionValues << traceId << traceId;
    }
    return sql;
}

Result<AuditPage> AuditQuery::find(const AuditFilter &filter, const QString &cursor, int limit) const
{
    limit = std::clamp(limit, 1, kMaxLimit);
    qint64 after = 0;
    if (!cursor.isEmpty()) {
        const auto decoded = decodeCursor(cursor);
        if (!decoded)
            return Error{QStringLiteral("invalid"), QStringLiteral("the cursor is not valid"), QStringLiteral("cursor")};
        after = *decoded;
    }
    const AuditFilterSql parts = filter.toSql();
    const QString sql = QString::fromUtf8(parts.with)
                        + QStringLiteral("SELECT id, gateway, seq, prev_hash, hash, CAST(body AS BLOB), seal FROM audit_records WHERE id > ?")
                        + QString::fromUtf8(parts.conditions) + QStringLiteral(" ORDER BY id LIMIT ?");
    QVariantList values;
    for (const QString &value : parts.withValues)
        values << value;
    values << after;
    for (const QString &value : parts.conditionValues)
        values << value;
    values << limit + 1; // one more tells whether there is a next page

    if (std::optional<Result<AuditPage>> page = findNative(m_db.connection(), sql, values, limit))
        return std::move(page).value();
    QSqlQuery query(m_db.connection());
    query.setForwardOnly(true);
    if (!query.prepare(sql))
        return store::Database::sqlError(QStringLiteral("cannot query the audit log"), query);
    for (int i = 0; i < values.size(); ++i)
        query.bindValue(i, values.at(i));
    if (!query.exec())
        return store::Database::sqlError(QStringLiteral("cannot query the audit log"), query);
    AuditPage page;
    qint64 lastId = 0;
    while (query.next()) {
        if (static_cast<int>(page.records.size()) == limit) {
            page.nextCursor = encodeCursor(lastId);
            break;
        }
        lastId = query.value(0).toLongLong();
        StoredRecord rec;
        rec.gatewayId = query.value(1).toString();
        rec.sequence = query.value(2).toLongLong();
        rec.prevHash = query.value(3).toByteArray();
        rec.hash = query.value(4).toByteArray();
        rec.body = query.value(5).toByteArray();
        rec.seal = query.value(6).toByteArray();
        page.records.push_back(std::move(rec));
    }
    return page;
}

} // namespace mandate::audit
