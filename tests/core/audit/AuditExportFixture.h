// SPDX-License-Identifier: Apache-2.0
#pragma once

// Shared by the audit export suites: a fresh database and audit log per test in one temporary
// directory, records appended concurrently, and OTLP exporter options for a loopback collector.
#include "AuditTestUtil.h"
#include "JsonLinesFile.h"

#include "audit/AuditLog.h"
#include "audit/OtlpExporter.h"
#include "store/Database.h"

#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

namespace mandate::audit::testing {

class AuditExportFixture : public QObject
{
protected:
    QTemporaryDir m_dir;
    int m_n = 0;

    struct Fixture
    {
        std::unique_ptr<store::Database> db;
        std::unique_ptr<AuditLog> log;
    };
    Fixture open()
    {
        Fixture f;
        auto db = store::Database::open(m_dir.filePath(QStringLiteral("db%1.sqlite").arg(++m_n)));
        if (!db)
            qFatal("db: %s", qPrintable(db.error().message));
        f.db = std::move(db).value();
        AuditLog::Options options;
        options.gatewayId = kGateway;
        auto log = AuditLog::open(*f.db, options);
        if (!log)
            qFatal("log: %s", qPrintable(log.error().message));
        f.log = std::move(log).value();
        return f;
    }
    static void appendSome(AuditLog &log, int count)
    {
        std::vector<std::future<Result<AppendReceipt>>> pending;
        for (int i = 0; i < count; ++i)
            pending.push_back(log.appendAsync(decision(QStringLiteral("alice"), QStringLiteral("support-agent"),
                                                       QStringLiteral("e1"), QStringLiteral("ticket:read"), true, {}, i)));
        for (auto &p : pending)
            QVERIFY(p.get().ok());
    }
    /// Exporter options for a collector on `port`, spooling in a directory of its own.
    /// An exporter started with `options`, or null (the reason logged) when it cannot start:
    /// the test then fails on it rather than crashing.
    static std::shared_ptr<OtlpExporter> startOtlp(const OtlpExporter::Options &options)
    {
        Result<std::unique_ptr<OtlpExporter>> started = OtlpExporter::start(options);
        if (!started) {
            qWarning().noquote() << "the OTLP exporter did not start:" << started.error().message;
            return nullptr;
        }
        return std::move(started).value();
    }
    OtlpExporter::Options otlpOptions(quint16 port, const QString &spool) const
    {
        OtlpExporter::Options options;
        options.endpoint = QUrl(QStringLiteral("http://127.0.0.1:%1/v1/logs").arg(port));
        options.spoolDir = m_dir.filePath(spool);
        options.initialBackoffMs = 20;
        return options;
    }
    static quint16 freePort()
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        return probe.serverPort();
    }
};

} // namespace mandate::audit::testing
