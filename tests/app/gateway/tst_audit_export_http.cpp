// SPDX-License-Identifier: Apache-2.0
// The audit log's continuous exports in a running mandated (issue #6): configured in [audit], a
// JSON lines file for a SIEM and an OTLP/HTTP collector (a real HTTP server started here) both
// receive every record, with the configured credentials; /metrics counts them; and a JSON lines
// file that lost its last records in a crash, one of them half written, gets them back when the
// gateway starts again, none twice. An export first configured on a gateway with a history
// begins at the head (the history is `mandatectl audit export`'s), its place noted before any
// record is written; a file rotated away is followed by the next from that place on.
#include "AuditEventsFixture.h"
#include "JsonLinesFile.h"
#include "audit/PositionNote.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QTemporaryDir>
#include <QTest>

#include <set>

using namespace mandate;
using namespace mandate::testing;

class tst_AuditExportHttp final : public AuditEventsFixture
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase() { stopGateway(); }
    void everyRecordReachesBothExports();
    void aFileThatLostRecordsGetsThemBack();
    void aFirstStartBeginsAtTheHead();

private:
    /// The newest sequence of the gateway's chain, from the admin API.
    qint64 head();

    QTemporaryDir m_exports;
    QString m_jsonl;
    QHttpServer m_collector;
    std::set<qint64> m_collected;
    QList<QByteArray> m_authorizations;
};

void tst_AuditExportHttp::initTestCase()
{
    m_collector.route(QStringLiteral("/v1/logs"), QHttpServerRequest::Method::Post, [this](const QHttpServerRequest &request) {
        m_authorizations << request.value("Authorization");
        const QJsonObject body = QJsonDocument::fromJson(request.body()).object();
        const QJsonArray logs = body[QStringLiteral("resourceLogs")][0][QStringLiteral("scopeLogs")][0][QStringLiteral("logRecords")].toArray();
        for (const QJsonValue &log : logs) {
            for (const QJsonValue &attribute : log[QStringLiteral("attributes")].toArray()) {
                if (attribute[QStringLiteral("key")].toString() == QLatin1String("mandate.audit.sequence"))
                    m_collected.insert(attribute[QStringLiteral("value")][QStringLiteral("intValue")].toString().toLongLong());
            }
        }
        return QHttpServerResponse(QJsonObject{});
    });
    const quint16 port = m_collector.listen(QHostAddress::LocalHost);
    QVERIFY(port != 0);
    m_jsonl = m_exports.filePath(QStringLiteral("audit.jsonl"));
    QFile config(m_exports.filePath(QStringLiteral("mandated.conf")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write("[audit]\njsonl-file = " + m_jsonl.toUtf8() + "\notlp-endpoint = http://127.0.0.1:" + QByteArray::number(port)
                 + "/v1/logs\notlp-authorization = Bearer collector-secret\n");
    config.close();
    startGateway({QStringLiteral("--config"), config.fileName()});
}

qint64 tst_AuditExportHttp::head()
{
    const QJsonArray items = records(QString());
    return items.isEmpty() ? 0 : items.last().toObject().value(QStringLiteral("mandate.audit.sequence")).toInteger();
}

void tst_AuditExportHttp::everyRecordReachesBothExports()
{
    for (int i = 0; i < 3; ++i)
        QVERIFY(!rootToken(QStringLiteral("exported %1").arg(i), 900).isEmpty());
    const qint64 last = head();
    QVERIFY(last >= 3);
    QTRY_COMPARE_WITH_TIMEOUT(sequencesInJsonLines(m_jsonl), sequenceRange(1, last), 10'000);
    QTRY_COMPARE_WITH_TIMEOUT(qint64(m_collected.size()), last, 15'000);
    QCOMPARE(*m_collected.begin(), 1);
    QCOMPARE(*m_collected.rbegin(), last);
    QVERIFY(!m_authorizations.isEmpty());
    for (const QByteArray &authorization : std::as_const(m_authorizations))
        QCOMPARE(authorization, QByteArray("Bearer collector-secret"));

    const auto count = [](const char *sink, const char *outcome, qint64 value) -> QByteArray {
        return QByteArray("mandate_audit_export_records_total{sink=\"") + sink + "\",outcome=\"" + outcome + "\"} " + QByteArray::number(value) + '\n';
    };
    // The collector has the records a moment before the gateway has its answer.
    QTRY_VERIFY_WITH_TIMEOUT(m_http->get(QStringLiteral("/metrics")).body.contains(count("otlp", "sent", last)), 10'000);
    const QByteArray metrics = m_http->get(QStringLiteral("/metrics")).body;
    QVERIFY2(metrics.contains(count("jsonl", "written", last)), metrics.constData());
    QVERIFY2(metrics.contains(count("jsonl", "failed", 0)), metrics.constData());
    QVERIFY2(metrics.contains(count("otlp", "dropped", 0)), metrics.constData());
    QVERIFY2(metrics.contains(count("otlp", "rejected", 0)), metrics.constData());
    QVERIFY2(metrics.contains("mandate_audit_export_pending_bytes{sink=\"otlp\"} 0\n"), metrics.constData());
    // The collector's credential stays out of the gateway's output (checked again at its stop).
    QVERIFY(m_gateway->output().contains("audit records are exported to"));
    QVERIFY(!m_gateway->output().contains("collector-secret"));
}

void tst_AuditExportHttp::aFileThatLostRecordsGetsThemBack()
{
    const qint64 last = head();
    QCOMPARE(m_gateway->stop(), 0);
    QVERIFY(m_gateway->output().contains("audit records are written to"));
    QVERIFY(!m_gateway->output().contains("collector-secret"));
    // A crash's leftovers: the last three records never written, the third of them in part.
    QFile file(m_jsonl);
    QVERIFY(file.open(QIODevice::ReadWrite));
    const QByteArray text = file.readAll();
    qsizetype cut = text.size();
    for (int i = 0; i < 3; ++i)
        cut = text.lastIndexOf('\n', cut - 2) + 1;
    QVERIFY(file.resize(cut + 25));
    file.close();
    QCOMPARE(sequencesInJsonLines(m_jsonl).size(), last - 3 + 1);  // the partial line reads as one more

    QVERIFY2(m_gateway->start(), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    // Caught up before the gateway took a call (what it appended at its start may follow).
    QCOMPARE(sequencesInJsonLines(m_jsonl).mid(0, last), sequenceRange(1, last));
    QTRY_COMPARE_WITH_TIMEOUT(sequencesInJsonLines(m_jsonl), sequenceRange(1, head()), 10'000);
    QVERIFY(!rootToken(QStringLiteral("after the restart"), 900).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(sequencesInJsonLines(m_jsonl), sequenceRange(1, head()), 10'000);
}

void tst_AuditExportHttp::aFirstStartBeginsAtTheHead()
{
    const qint64 history = head();
    QVERIFY(history > 3);
    QCOMPARE(m_gateway->stop(), 0);
    // As if the file export had never been configured: no file, no bookmark.
    const QString bookmark = QDir(m_gateway->dataDir()).filePath(QStringLiteral("audit-jsonl.bookmark"));
    QVERIFY(QFile::remove(bookmark));
    QVERIFY(QFile::remove(m_jsonl));
    QVERIFY2(m_gateway->start(), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    // Noted at once, at the head or past it (what the gateway appended as it started).
    auto noted = audit::PositionNote::read(bookmark);
    QVERIFY(noted.ok() && noted->has_value());
    QVERIFY((*noted)->position.sequence >= history);
    QVERIFY(!rootToken(QStringLiteral("after a first start"), 900).isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!sequencesInJsonLines(m_jsonl).isEmpty() && sequencesInJsonLines(m_jsonl).last() == head(), 10'000);
    const QList<qint64> fresh = sequencesInJsonLines(m_jsonl);
    QVERIFY2(fresh.first() > history, qPrintable(QStringLiteral("the history was replayed from %1").arg(fresh.first())));
    QCOMPARE(fresh, sequenceRange(fresh.first(), head()));

    // Rotated away while the gateway was stopped: the next file begins right after the last
    // record the old one holds.
    const qint64 exported = head();
    QCOMPARE(m_gateway->stop(), 0);
    QVERIFY(QFile::rename(m_jsonl, m_jsonl + QStringLiteral(".1")));
    QVERIFY2(m_gateway->start(), qPrintable(m_gateway->error()));
    m_http = std::make_unique<HttpProbe>(m_gateway->url());
    QVERIFY(!rootToken(QStringLiteral("after a rotation"), 900).isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!sequencesInJsonLines(m_jsonl).isEmpty() && sequencesInJsonLines(m_jsonl).last() == head(), 10'000);
    QCOMPARE(sequencesInJsonLines(m_jsonl), sequenceRange(exported + 1, head()));
}

QTEST_GUILESS_MAIN(tst_AuditExportHttp)
#include "tst_audit_export_http.moc"
