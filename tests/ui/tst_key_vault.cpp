// SPDX-License-Identifier: Apache-2.0
// KeyVault against whatever keychain this machine has: a real one stores and returns the key;
// none (headless CI) must switch to session-only mode, say why, and still return the key —
// never hang and never write it to settings.
#include "ConsoleSettings.h"
#include "KeyVault.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace mandate::ui;

class tst_KeyVault final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void storeAndLoad()
    {
        KeyVault vault(KeyVault::Mode::Keychain);
        std::optional<QString> stored;
        QObject context;
        vault.store(QStringLiteral("tst-key-vault"), "mdk_secret", &context, [&stored](const QString &error) { stored = error; });
        QTRY_VERIFY_WITH_TIMEOUT(stored.has_value(), 30'000);
        QVERIFY2(stored->isEmpty(), qPrintable(*stored));
        qInfo().noquote() << (vault.sessionOnly() ? QStringLiteral("keychain unavailable, session-only: ") + vault.sessionOnlyReason()
                                                  : QStringLiteral("stored in the OS keychain"));

        std::optional<std::optional<QByteArray>> loaded;
        vault.load(QStringLiteral("tst-key-vault"), &context, [&loaded](std::optional<QByteArray> key) { loaded = key; });
        QTRY_VERIFY_WITH_TIMEOUT(loaded.has_value(), 30'000);
        QVERIFY(loaded->has_value());
        QCOMPARE(loaded->value(), QByteArray("mdk_secret"));
        vault.remove(QStringLiteral("tst-key-vault"));
    }

    void sessionOnlyNeverTouchesKeychain()
    {
        KeyVault vault(KeyVault::Mode::SessionOnly);
        QVERIFY(vault.sessionOnly());
        QVERIFY(!vault.sessionOnlyReason().isEmpty());
        bool done = false;
        QObject context;
        vault.store(QStringLiteral("p"), "k", &context, [&done](const QString &error) { done = error.isEmpty(); });
        QVERIFY(done);  // synchronous in memory
        std::optional<QByteArray> key;
        vault.load(QStringLiteral("p"), &context, [&key](std::optional<QByteArray> k) { key = k; });
        QCOMPARE(key.value_or(QByteArray()), QByteArray("k"));
    }

    void settingsNeverHoldKeys()
    {
        QTemporaryDir dir;
        const QString ini = dir.filePath(QStringLiteral("console.ini"));
        {
            ConsoleSettings settings(ini);
            settings.setGateways({GatewayProfile{QStringLiteral("prod"), QUrl(QStringLiteral("https://gw.example:8443")), QStringLiteral("/etc/ca.pem")}});
            settings.setLastGateway(QStringLiteral("prod"));
            settings.setTheme(ConsoleSettings::Theme::Dark);
            settings.sync();
        }
        ConsoleSettings reread(ini);
        QCOMPARE(reread.gateways().size(), 1);
        QCOMPARE(reread.gateways().front().url, QUrl(QStringLiteral("https://gw.example:8443")));
        QCOMPARE(reread.theme(), ConsoleSettings::Theme::Dark);
        QFile file(ini);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(!text.contains("mdk_"));
        QVERIFY(!text.contains("apiKey"));
    }
};

QTEST_MAIN(tst_KeyVault)
#include "tst_key_vault.moc"
