// SPDX-License-Identifier: Apache-2.0
// json::appendEscaped for UTF-16 text gives exactly the bytes of the UTF-8 path, which signed
// claims and the audit chain's hashes depend on, whether or not its ASCII shortcut applies.
#include "json/JsonWriter.h"

#include <QJsonDocument>
#include <QTest>

using namespace mandate;

class tst_JsonEscape final : public QObject
{
    Q_OBJECT

private slots:
    void sameBytesAsTheUtf8Path_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << QString();
        QTest::newRow("ascii") << QStringLiteral("refund:create ticket:read 42.00 /v1/tools/x?y=z");
        QTest::newRow("quote") << QStringLiteral("say \"hi\"");
        QTest::newRow("backslash") << QStringLiteral("C:\\temp");
        QTest::newRow("controls") << QStringLiteral("a\tb\nc\rd") + QChar(0x01) + QChar(0x1f);
        QTest::newRow("delete") << QStringLiteral("x") + QChar(0x7f);
        QTest::newRow("latin-1") << QStringLiteral("Zoë, café");
        QTest::newRow("beyond the BMP") << QStringLiteral("agent 🤖 ok");
        QTest::newRow("lone surrogate") << QString(QChar(0xd800)) + QStringLiteral("x");
        QTest::newRow("ascii then non-ascii late") << QString(300, u'a') + QStringLiteral("é\"");
    }

    void sameBytesAsTheUtf8Path()
    {
        QFETCH(QString, text);
        QByteArray viaUtf16("prefix:");
        json::appendEscaped(viaUtf16, text);
        QByteArray viaUtf8("prefix:");
        json::appendEscaped(viaUtf8, QByteArrayView(text.toUtf8()));
        QCOMPARE(viaUtf16, viaUtf8);
        // And it is the string writeCompact() writes.
        QCOMPARE('"' + viaUtf16.mid(7) + '"', json::writeCompact(QJsonValue(text)));
    }
};

QTEST_GUILESS_MAIN(tst_JsonEscape)
#include "tst_json_escape.moc"
