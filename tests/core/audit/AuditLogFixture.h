// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the audit log's tests share: a database per test, a log on it, and SQL run from outside.

#include "AuditTestUtil.h"

#include "audit/AuditLog.h"
#include "audit/AuditVerifier.h"
#include "store/Database.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

namespace mandate::audit::testing {

inline void exec(const store::Database &db, const QString &sql, const QVariantList &values = {})
{
    QSqlQuery q(db.connection());
    QVERIFY2(q.prepare(sql), qPrintable(sql));
    for (int i = 0; i < values.size(); ++i)
        q.bindValue(i, values.at(i));
    QVERIFY2(q.exec(), qPrintable(store::Database::sqlError(sql, q).message));
}

inline qint64 count(const store::Database &db, const QString &sql)
{
    QSqlQuery q(db.connection());
    return q.exec(sql) && q.next() ? q.value(0).toLongLong() : -1;
}

class AuditLogFixture : public QObject
{
protected:
    QTemporaryDir m_dir;
    int m_n = 0;
    std::unique_ptr<store::Database> openDb()
    {
        auto db = store::Database::open(m_dir.filePath(QStringLiteral("db%1.sqlite").arg(++m_n)));
        if (!db)
            qFatal("cannot open: %s", qPrintable(db.error().message));
        return std::move(db).value();
    }
    static std::unique_ptr<AuditLog> openLog(const store::Database &db, std::optional<crypto::Ed25519Key> key = {},
                                             int busyMs = 2000)
    {
        AuditLog::Options options;
        options.gatewayId = kGateway;
        options.sealingKey = std::move(key);
        options.busyTimeoutMs = busyMs;
        auto log = AuditLog::open(db, options);
        if (!log)
            qFatal("cannot open log: %s", qPrintable(log.error().message));
        return std::move(log).value();
    }
    static void appendSome(AuditLog &log, int count)
    {
        for (int i = 0; i < count; ++i) {
            const bool allow = i % 3 != 0;
            auto receipt = log.append(decision(QStringLiteral("alice"), QStringLiteral("support-agent"), QStringLiteral("e1"),
                                               allow ? QStringLiteral("refund:create") : QStringLiteral("account:delete"), allow, {}, i));
            QVERIFY2(receipt.ok(), receipt.ok() ? "" : qPrintable(receipt.error().message));
        }
    }
    static VerifyReport verify(const store::Database &db, AuditVerifier::Options options = {})
    {
        auto report = AuditVerifier(db).verify(options);
        if (!report)
            qFatal("verify failed: %s", qPrintable(report.error().message));
        return report.value();
    }
};

} // namespace mandate::audit::testing
