// SPDX-License-Identifier: Apache-2.0
// api::RequestSizeCheck: a request's head and body bounded as the bytes arrive, however they are
// split, with Content-Length read strictly and pipelined tails not taken for heads.
#include "api/RequestSizeCheck.h"

#include <QTest>

using namespace mandate;
using api::RequestSizeCheck;
using Verdict = RequestSizeCheck::Verdict;

namespace {

constexpr RequestSizeCheck::Limits kLimits{200, 1000};

/// The verdict once every byte of `bytes` has arrived, in pieces of `piece` bytes.
Verdict verdictFor(const QByteArray &bytes, qsizetype piece)
{
    RequestSizeCheck check(kLimits);
    Verdict verdict = Verdict::Fine;
    for (qsizetype at = 0; at < bytes.size(); at += piece)
        verdict = check.feed(QByteArrayView(bytes).sliced(at, std::min(piece, bytes.size() - at)));
    return verdict;
}

QByteArray post(const QByteArray &extraHeaders, const QByteArray &body)
{
    return "POST /v1/authorize HTTP/1.1\r\nHost: gw\r\n" + extraHeaders + "\r\n" + body;
}

} // namespace

class tst_RequestSizeCheck final : public QObject
{
    Q_OBJECT

private slots:
    void verdicts_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<Verdict>("expected");
        QTest::newRow("small request") << post("Content-Length: 2\r\n", "{}") << Verdict::Fine;
        QTest::newRow("head not finished yet") << QByteArray("GET /healthz HTTP/1.1\r\nHost: gw\r\n") << Verdict::Fine;
        QTest::newRow("head over the limit") << post("X-Pad: " + QByteArray(200, 'a') + "\r\n", {}) << Verdict::HeadTooLarge;
        QTest::newRow("unfinished head over the limit") << ("GET / HTTP/1.1\r\nX-Pad: " + QByteArray(300, 'a')) << Verdict::HeadTooLarge;
        QTest::newRow("announced body over the limit") << post("Content-Length: 1001\r\n", {}) << Verdict::BodyTooLarge;
        QTest::newRow("announced body at the limit") << post("Content-Length: 1000\r\n", {}) << Verdict::Fine;
        QTest::newRow("header name in any case") << post("content-LENGTH:   99999\r\n", {}) << Verdict::BodyTooLarge;
        QTest::newRow("streamed body over the limit") << post("Transfer-Encoding: chunked\r\n", QByteArray(1200, 'x')) << Verdict::BodyTooLarge;
        QTest::newRow("streamed body under both limits") << post("Transfer-Encoding: chunked\r\n", QByteArray(900, 'x')) << Verdict::Fine;
        QTest::newRow("pipelined tail") << QByteArray(1100, '{') << Verdict::Fine;
        QTest::newRow("pipelined tail over the total") << QByteArray(1300, '{') << Verdict::BodyTooLarge;
    }

    void verdicts()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(Verdict, expected);
        for (qsizetype piece : {qsizetype(1), qsizetype(7), qsizetype(64), bytes.size()})
            QVERIFY2(verdictFor(bytes, piece) == expected, qPrintable(QStringLiteral("pieces of %1").arg(piece)));
    }

    void uncopiedBytesCountTheSame()
    {
        const QByteArray bytes = post("Transfer-Encoding: chunked\r\n", QByteArray(1200, 'x'));
        RequestSizeCheck check(kLimits);
        QCOMPARE(check.feed(QByteArrayView(bytes).first(204), bytes.size() - 204), Verdict::BodyTooLarge);
        RequestSizeCheck under(kLimits);
        QCOMPARE(under.feed(QByteArrayView(bytes).first(204), 100), Verdict::Fine);
    }

    void resetStartsTheNextRequest()
    {
        RequestSizeCheck check(kLimits);
        const QByteArray request = post("Content-Length: 900\r\n", QByteArray(900, 'x'));
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(check.feed(request), Verdict::Fine);  // 5 × 950 bytes on one connection
            check.reset();
        }
        QCOMPARE(check.feed(post("Content-Length: 5000\r\n", {})), Verdict::BodyTooLarge);
        QCOMPARE(check.feed("GET"), Verdict::BodyTooLarge);  // a refusal stays until reset
        check.reset();
        QCOMPARE(check.feed("GET / HTTP/1.1\r\n\r\n"), Verdict::Fine);
    }

    void contentLength_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<qint64>("length");
        QTest::newRow("none") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\n\r\n") << qint64(-1);
        QTest::newRow("plain") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 42\r\n\r\n") << qint64(42);
        QTest::newRow("spaces and case") << QByteArray("POST / HTTP/1.1\r\ncontent-length :  7 \r\n\r\n") << qint64(7);
        QTest::newRow("huge") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 5000000000\r\n\r\n") << qint64(5000000000);
        QTest::newRow("signed") << QByteArray("POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n") << qint64(-2);
        QTest::newRow("hex") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n") << qint64(-2);
        QTest::newRow("two numbers") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n") << qint64(-2);
        QTest::newRow("empty") << QByteArray("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n") << qint64(-2);
        QTest::newRow("overflowing") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n") << qint64(-2);
        QTest::newRow("other header ending so") << QByteArray("POST / HTTP/1.1\r\nX-Content-Length: 9\r\n\r\n") << qint64(-1);
    }

    void contentLength()
    {
        QFETCH(QByteArray, head);
        QFETCH(qint64, length);
        QCOMPARE(RequestSizeCheck::contentLength(head), length);
    }

    void requestLines()
    {
        QVERIFY(RequestSizeCheck::startsLikeARequest("GET / HTTP/1.1"));
        QVERIFY(RequestSizeCheck::startsLikeARequest("DELE"));  // too short to tell
        QVERIFY(RequestSizeCheck::startsLikeARequest(""));
        QVERIFY(!RequestSizeCheck::startsLikeARequest("{\"a\":1}"));
        QVERIFY(!RequestSizeCheck::startsLikeARequest(" GET /"));
        QVERIFY(!RequestSizeCheck::startsLikeARequest("get / HTTP/1.1"));
        QVERIFY(!RequestSizeCheck::startsLikeARequest("ABCDEFGHIJKLMNOPQRSTUVWXYZ /"));
    }
};

QTEST_GUILESS_MAIN(tst_RequestSizeCheck)
#include "tst_request_size_check.moc"
