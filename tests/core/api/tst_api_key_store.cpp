// SPDX-License-Identifier: Apache-2.0
// api::ApiKeyStore on a real database: keys authenticate until revoked, only a hash is stored,
// names are checked, the last admin key stays, and change listeners hear only of what committed.
#include "api/ApiKeyStore.h"
#include "common/Clock.h"
#include "store/Database.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace mandate;

class TestApiKeyStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        auto db = store::Database::open(m_dir.filePath(QStringLiteral("keys-%1.db").arg(++m_serial)));
        QVERIFY(db.ok());
        m_db = std::move(db).value();
        m_keys = std::make_unique<api::ApiKeyStore>(*m_db, m_clock);
    }

    void keyAuthenticatesUntilRevoked()
    {
        const Result<QString> admin = m_keys->create(QStringLiteral("ops"), api::Role::Admin);
        const Result<QString> auditor = m_keys->create(QStringLiteral("audit"), api::Role::Auditor);
        QVERIFY(admin.ok() && auditor.ok());
        const Result<api::ApiPrincipal> caller = m_keys->authenticate(auditor->toLatin1());
        QVERIFY(caller.ok());
        QCOMPARE(caller->role, api::Role::Auditor);
        QCOMPARE(caller->name, QStringLiteral("audit"));
        QCOMPARE(m_keys->find(caller->keyId).value().name, QStringLiteral("audit"));
        QCOMPARE(m_keys->list().value().size(), 2);

        // One character off, or another key's secret under this id, is refused.
        QByteArray altered = auditor->toLatin1();
        altered[altered.size() - 1] = altered.back() == 'A' ? 'B' : 'A';
        QCOMPARE(m_keys->authenticate(altered).error().code, QStringLiteral("unauthorized"));
        const QByteArray crossed = auditor->toLatin1().left(21) + admin->toLatin1().mid(21);
        QCOMPARE(m_keys->authenticate(crossed).error().code, QStringLiteral("unauthorized"));

        QVERIFY(m_keys->revoke(caller->keyId).ok());
        QCOMPARE(m_keys->authenticate(auditor->toLatin1()).error().code, QStringLiteral("unauthorized"));
        QCOMPARE(m_keys->revoke(caller->keyId).error().code, QStringLiteral("not_found"));
        QCOMPARE(m_keys->find(caller->keyId).error().code, QStringLiteral("not_found"));
    }

    void onlyAHashIsStored()
    {
        const Result<QString> key = m_keys->create(QStringLiteral("ops"), api::Role::Admin);
        QVERIFY(key.ok());
        const QByteArray secret = key->toLatin1().mid(21);
        QSqlQuery query(m_db->connection());
        QVERIFY(query.exec(QStringLiteral("SELECT id, name, role, secret_hash, created_at FROM api_keys")));
        QVERIFY(query.next());
        for (int column = 0; column < 5; ++column)
            QVERIFY(!query.value(column).toByteArray().contains(secret));
        QCOMPARE(query.value(3).toByteArray().size(), 32);  // SHA-256
    }

    void namesAreChecked_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("plain") << QStringLiteral("ci deploy bot") << true;
        QTest::newRow("unicode") << QStringLiteral("Zoë’s console") << true;
        QTest::newRow("64 characters") << QString(64, u'n') << true;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("65 characters") << QString(65, u'n') << false;
        QTest::newRow("newline") << QStringLiteral("two\nlines") << false;
        QTest::newRow("escape") << QStringLiteral("\x1b[31mred") << false;
    }

    void namesAreChecked()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        const Result<QString> created = m_keys->create(name, api::Role::Analyst);
        QCOMPARE(created.ok(), valid);
        if (!valid)
            QCOMPARE(created.error().code, QStringLiteral("invalid"));
        QCOMPARE(m_keys->list().value().size(), valid ? 1 : 0);
    }

    void lastAdminKeyStays()
    {
        const Result<QString> first = m_keys->create(QStringLiteral("first"), api::Role::Admin);
        QVERIFY(first.ok());
        const QString firstId = m_keys->authenticate(first->toLatin1()).value().keyId;
        QCOMPARE(m_keys->revoke(firstId).error().code, QStringLiteral("in_use"));
        QVERIFY(m_keys->authenticate(first->toLatin1()).ok());
        // Other roles do not count as admins.
        QVERIFY(m_keys->create(QStringLiteral("reader"), api::Role::Auditor).ok());
        QCOMPARE(m_keys->revoke(firstId).error().code, QStringLiteral("in_use"));
        const Result<QString> second = m_keys->create(QStringLiteral("second"), api::Role::Admin);
        QVERIFY(second.ok());
        QCOMPARE(m_keys->adminCount().value(), 2);
        QVERIFY(m_keys->revoke(firstId).ok());
        QCOMPARE(m_keys->revoke(m_keys->authenticate(second->toLatin1()).value().keyId).error().code, QStringLiteral("in_use"));
    }

    void unknownRoleIsRefused()
    {
        const Result<QString> key = m_keys->create(QStringLiteral("ops"), api::Role::Admin);
        QVERIFY(key.ok());
        QSqlQuery query(m_db->connection());
        QVERIFY(query.exec(QStringLiteral("UPDATE api_keys SET role = 'superuser'")));
        const Result<api::ApiPrincipal> caller = m_keys->authenticate(key->toLatin1());
        QVERIFY(!caller.ok());
        QCOMPARE(caller.error().code, QStringLiteral("unauthorized"));
    }

    void listenersHearOnlyCommittedChanges()
    {
        QStringList heard;
        m_keys->setChangeListener([&heard](const QString &operation, const api::ApiKeyInfo &key) { heard << operation + u':' + key.name; });
        QVERIFY(m_keys->create(QStringLiteral("kept"), api::Role::Admin).ok());
        QCOMPARE(heard, QStringList{QStringLiteral("created:kept")});

        // Made inside a transaction that then fails: not stored, not heard.
        qsizetype heardInside = -1;
        const Status rolledBack = m_db->transaction([&]() -> Status {
            if (Result<QString> made = m_keys->create(QStringLiteral("undone"), api::Role::Admin); !made)
                return made.error();
            heardInside = heard.size();
            return Error{QStringLiteral("test"), QStringLiteral("roll back")};
        });
        QVERIFY(!rolledBack.ok());
        QCOMPARE(heardInside, 1);  // nothing before the commit
        QCOMPARE(heard.size(), 1);
        QCOMPARE(m_keys->list().value().size(), 1);

        const Result<QString> other = m_keys->create(QStringLiteral("other"), api::Role::Analyst);
        QVERIFY(other.ok());
        QVERIFY(m_keys->revoke(m_keys->authenticate(other->toLatin1()).value().keyId).ok());
        QCOMPARE(heard, (QStringList{QStringLiteral("created:kept"), QStringLiteral("created:other"), QStringLiteral("revoked:other")}));
    }

private:
    QTemporaryDir m_dir;
    int m_serial = 0;
    SystemClock m_clock;
    std::unique_ptr<store::Database> m_db;
    std::unique_ptr<api::ApiKeyStore> m_keys;
};

QTEST_GUILESS_MAIN(TestApiKeyStore)
#include "tst_api_key_store.moc"
