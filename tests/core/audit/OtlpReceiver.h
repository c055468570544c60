// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QHash>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QTcpServer>
#include <QTcpSocket>

#include <set>

namespace mandate::audit::testing {


/// A minimal OTLP/HTTP collector: answers `failuresLeft` requests with `failure` (503), then
/// 200, and keeps the sequence numbers of the log records it accepted.
class OtlpReceiver : public QObject
{
public:
    int failuresLeft = 0;
    QByteArray failure = "503 Service Unavailable";
    QByteArray successBody = "{}";  ///< what a 200 carries (e.g. a partialSuccess)
    QByteArray retryAfter;          ///< sent with a failure when set
    QByteArray failureHeaders;      ///< more header lines ("Name: value\r\n") sent with a failure
    int retryAfterDateSecs = 0;     ///< when > 0: Retry-After as the HTTP-date this far from the answer
    QList<qsizetype> bodySizes;
    QList<int> recordsPerRequest;   ///< log records in each request, accepted or not
    qint64 poison = 0;              ///< when set: a request holding this record is answered `failure`
    int requests = 0;
    std::multiset<qint64> sequences;
    QByteArray lastContentType;

    bool listen(quint16 port = 0)
    {
        connect(&m_server, &QTcpServer::newConnection, this, &OtlpReceiver::accept);
        return m_server.listen(QHostAddress::LocalHost, port);
    }
    void close() { m_server.close(); }
    quint16 port() const { return m_server.serverPort(); }

private:
    void accept()
    {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    }
    void read(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        qsizetype length = 0;
        for (const QByteArray &line : buffer.left(end).split('\n')) {
            const QByteArray l = line.trimmed().toLower();
            if (l.startsWith("content-length:"))
                length = l.mid(15).trimmed().toLongLong();
            if (l.startsWith("content-type:"))
                lastContentType = l.mid(13).trimmed();
        }
        if (buffer.size() < end + 4 + length)
            return;
        const QByteArray body = buffer.mid(end + 4, length);
        buffer.remove(0, end + 4 + length);
        ++requests;
        bodySizes << body.size();
        const QJsonObject request = QJsonDocument::fromJson(body).object();
        const QJsonArray logs = request[QStringLiteral("resourceLogs")][0][QStringLiteral("scopeLogs")][0][QStringLiteral("logRecords")].toArray();
        recordsPerRequest << int(logs.size());
        bool poisoned = false;
        for (const QJsonValue &log : logs) {
            for (const QJsonValue &attr : log[QStringLiteral("attributes")].toArray()) {
                if (poison > 0 && attr[QStringLiteral("key")].toString() == QLatin1String("mandate.audit.sequence")
                    && attr[QStringLiteral("value")][QStringLiteral("intValue")].toString().toLongLong() == poison)
                    poisoned = true;
            }
        }
        QByteArray status = "200 OK";
        if (poisoned) {
            status = failure;
        } else if (failuresLeft > 0) {
            --failuresLeft;
            status = failure;
        } else {
            for (const QJsonValue &log : logs) {
                for (const QJsonValue &attr : log[QStringLiteral("attributes")].toArray()) {
                    if (attr[QStringLiteral("key")].toString() == QLatin1String("mandate.audit.sequence"))
                        sequences.insert(attr[QStringLiteral("value")][QStringLiteral("intValue")].toString().toLongLong());
                }
            }
        }
        const QByteArray answer = status.startsWith("200") ? successBody : QByteArray("{}");
        QByteArray after = retryAfter;
        if (retryAfterDateSecs > 0)  // dated when answered: a date fixed earlier could be past by then
            after = QLocale::c().toString(QDateTime::currentDateTimeUtc().addSecs(retryAfterDateSecs),
                                          QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'")).toLatin1();
        QByteArray extra = !status.startsWith("200") && !after.isEmpty() ? "Retry-After: " + after + "\r\n" : QByteArray();
        if (!status.startsWith("200"))
            extra += failureHeaders;
        socket->write("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\n" + extra + "Content-Length: "
                      + QByteArray::number(answer.size()) + "\r\n\r\n" + answer);
    }

    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

} // namespace mandate::audit::testing
