// SPDX-License-Identifier: Apache-2.0
// api::RequestSizeCheck: requests framed and bounded as their bytes arrive, however they are
// split: head size, announced body size, strict Content-Length, no Transfer-Encoding, nothing
// but a request line where one must start, lines ended by CRLF alone, header lines that no
// parser could read another way, and pipelined requests each checked.
#include "api/RequestSizeCheck.h"

#include <QTest>

using namespace mandate;
using api::RequestSizeCheck;
using Verdict = RequestSizeCheck::Verdict;

namespace {

constexpr RequestSizeCheck::Limits kLimits{200, 1000};

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
        QTest::addColumn<qint64>("requests");
        QTest::newRow("small request") << post("Content-Length: 2\r\n", "{}") << Verdict::Fine << qint64(1);
        QTest::newRow("head not finished yet") << QByteArray("GET /healthz HTTP/1.1\r\nHost: gw\r\n") << Verdict::Fine << qint64(0);
        QTest::newRow("head over the limit") << post("X-Pad: " + QByteArray(200, 'a') + "\r\n", {}) << Verdict::HeadTooLarge << qint64(0);
        // Past the limit only the head's end is looked for: a bad line end there must not make
        // the verdict depend on whether the bytes arrived at once or one by one.
        QTest::newRow("bad line end just past the limit") << ("GET / HTTP/1.1\r\nX-Pad: " + QByteArray(175, 'a') + "\r\n\r\r\n\r\n")
                                                          << Verdict::HeadTooLarge << qint64(0);
        QTest::newRow("unfinished head over the limit") << ("GET / HTTP/1.1\r\nX-Pad: " + QByteArray(300, 'a')) << Verdict::HeadTooLarge << qint64(0);
        QTest::newRow("announced body over the limit") << post("Content-Length: 1001\r\n", {}) << Verdict::BodyTooLarge << qint64(0);
        QTest::newRow("announced body at the limit") << post("Content-Length: 1000\r\n", {}) << Verdict::Fine << qint64(1);
        QTest::newRow("header name in any case") << post("content-LENGTH:   99999\r\n", {}) << Verdict::BodyTooLarge << qint64(0);
        QTest::newRow("chunked body") << post("Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n") << Verdict::LengthRequired << qint64(0);
        QTest::newRow("length and chunked") << post("Content-Length: 5\r\ntransfer-encoding: chunked\r\n", "hello") << Verdict::LengthRequired << qint64(0);
        QTest::newRow("two lengths") << post("Content-Length: 5\r\nContent-Length: 5\r\n", "hello") << Verdict::BadRequest << qint64(0);
        QTest::newRow("signed length") << post("Content-Length: +5\r\n", "hello") << Verdict::BadRequest << qint64(0);
        QTest::newRow("not a request line") << QByteArray(R"({"tail":"of something"})") << Verdict::BadRequest << qint64(0);
        QTest::newRow("lower-case method") << QByteArray("get / HTTP/1.1\r\n\r\n") << Verdict::BadRequest << qint64(0);
        QTest::newRow("empty lines first") << ("\r\n\r\n" + post("Content-Length: 2\r\n", "{}")) << Verdict::Fine << qint64(1);
        QTest::newRow("empty lines, then too much") << ("\r\n" + post("Content-Length: 2000000000\r\n", "x")) << Verdict::BodyTooLarge << qint64(0);
        QTest::newRow("endless empty lines") << QByteArray(300, '\n') << Verdict::HeadTooLarge << qint64(0);
        QTest::newRow("pipelined") << (post("Content-Length: 2\r\n", "{}") + post("Content-Length: 3\r\n", "[1]") + "GET / HTTP/1.1\r\n\r\n")
                                   << Verdict::Fine << qint64(3);
        QTest::newRow("pipelined, the second too large") << (post("Content-Length: 2\r\n", "{}") + post("Content-Length: 5000\r\n", {}))
                                                         << Verdict::BodyTooLarge << qint64(1);
        // Lines end in CRLF only: Qt's parser also takes a bare LF, so a head in bare LFs would
        // pass here as endless header text while Qt read (and buffered) its announced body.
        QTest::newRow("bare LF ends the lines") << QByteArray("POST / HTTP/1.1\nContent-Length: 2147483647\n\nx") << Verdict::BadRequest << qint64(0);
        QTest::newRow("bare LF within the head") << post("X-A: b\nContent-Length: 5\r\n", "hello") << Verdict::BadRequest << qint64(0);
        QTest::newRow("bare LF ending the head") << QByteArray("GET / HTTP/1.1\r\nHost: gw\r\n\n") << Verdict::BadRequest << qint64(0);
        QTest::newRow("bare CR") << post("X-A: b\rContent-Length: 5\r\n", "hello") << Verdict::BadRequest << qint64(0);
        QTest::newRow("folded header line") << post("X-A: b\r\n Content-Length: 100\r\n", {}) << Verdict::BadRequest << qint64(0);
        QTest::newRow("folded with a tab") << post("X-A: b\r\n\tmore\r\n", {}) << Verdict::BadRequest << qint64(0);
        QTest::newRow("space before the colon") << post("Content-Length : 5\r\n", "hello") << Verdict::BadRequest << qint64(0);
        QTest::newRow("header line without a colon") << post("Content-Length 5\r\n", "hello") << Verdict::BadRequest << qint64(0);
        QTest::newRow("empty header name") << post(": 5\r\n", {}) << Verdict::BadRequest << qint64(0);
        QTest::newRow("bare LFs in the body") << post("Content-Length: 9\r\n", "{\n\"a\":1\n}\r") << Verdict::Fine << qint64(1);
        QTest::newRow("bare LFs in the next request's body") << (post("Content-Length: 2\r\n", "{}") + post("Content-Length: 3\r\n", "\n\n\n"))
                                                             << Verdict::Fine << qint64(2);
        QTest::newRow("colon and spaces in a value") << post("X-Time: 12:00 : noon\r\nContent-Length: 2\r\n", "{}") << Verdict::Fine << qint64(1);
        QTest::newRow("body longer than announced") << (post("Content-Length: 2\r\n", "{}") + "garbage that is not a request")
                                                    << Verdict::BadRequest << qint64(1);
    }

    void verdicts()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(Verdict, expected);
        QFETCH(qint64, requests);
        for (qsizetype piece : {qsizetype(1), qsizetype(7), qsizetype(64), bytes.size()}) {
            RequestSizeCheck check(kLimits);
            Verdict verdict = Verdict::Fine;
            for (qsizetype at = 0; at < bytes.size(); at += piece)
                verdict = check.feed(QByteArrayView(bytes).sliced(at, std::min(piece, bytes.size() - at)));
            QVERIFY2(verdict == expected, qPrintable(QStringLiteral("pieces of %1").arg(piece)));
            QCOMPARE(check.requests(), requests);
        }
    }

    void bodyBytesCanBeSkipped()
    {
        RequestSizeCheck check(kLimits);
        QCOMPARE(check.feed(post("Content-Length: 900\r\n", "{")), Verdict::Fine);
        QCOMPARE(check.bodyLeft(), qint64(899));
        QVERIFY(check.midRequest());
        QCOMPARE(check.current(), qint64(0));
        check.skipBody(899);
        QVERIFY(!check.midRequest());
        QCOMPARE(check.current(), qint64(1));
        QCOMPARE(check.feed("GET / HTTP/1.1\r\n\r\n"), Verdict::Fine);
        QCOMPARE(check.requests(), qint64(2));
        QCOMPARE(check.feed("nonsense"), Verdict::BadRequest);
        QCOMPARE(check.feed("GET / HTTP/1.1\r\n\r\n"), Verdict::BadRequest);  // a refusal stays
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
        QTest::newRow("twice, equal") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n") << qint64(-2);
        QTest::newRow("empty") << QByteArray("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n") << qint64(-2);
        QTest::newRow("overflowing") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n") << qint64(-2);
        QTest::newRow("other header ending so") << QByteArray("POST / HTTP/1.1\r\nX-Content-Length: 9\r\n\r\n") << qint64(-1);
        QTest::newRow("in the request line") << QByteArray("POST /content-length:9 HTTP/1.1\r\n\r\n") << qint64(-1);
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
