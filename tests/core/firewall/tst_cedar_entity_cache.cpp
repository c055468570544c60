// SPDX-License-Identifier: Apache-2.0
// The per-execution cache of Cedar request entities: what it hands out is exactly what the
// uncached builder and parser make, and every value the entities are built from is in its key.
#include "CedarCall.h"

#include "audit/AuditRecord.h"
#include "firewall/CedarEntityCache.h"
#include "policy/Authorizer.h"
#include "policy/PolicySet.h"

#include <QFile>
#include <QTest>

using namespace mandate;
using firewall::CedarEntityCache;
using firewall::CedarRequestBuilder;

namespace {

using Call = test::CedarCall;
using test::agent;
using test::demoSchema;
using test::execution;

/// The stored entities' interned uids with their attribute counts, in store order.
QList<quint64> uids(const policy::EntityStore &store)
{
    QList<quint64> out;
    for (const policy::Entity *entity : store.all())
        out << (quint64(entity->uid.uid) << 16 | quint64(entity->attrs ? entity->attrs->size() : 0));
    return out;
}

} // namespace

class tst_CedarEntityCache final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cachedEntitiesAreTheUncachedOnes();
    void keyCoversEveryEntityField_data();
    void keyCoversEveryEntityField();
    void stateOfTheCallIsNotInTheKey();
    void aNewSchemaStartsOver();
    void canonicalRequestIsTheAuditEncoding_data();
    void canonicalRequestIsTheAuditEncoding();

private:
    std::shared_ptr<const policy::Schema> m_schema;
};

void tst_CedarEntityCache::initTestCase()
{
    m_schema = demoSchema();
    QVERIFY(m_schema);
}

void tst_CedarEntityCache::cachedEntitiesAreTheUncachedOnes()
{
    const Call call;
    CedarEntityCache cache;
    auto first = cache.entities(call.input, m_schema);
    QVERIFY2(first, qPrintable(first ? QString() : first.error().toString()));
    auto again = cache.entities(call.input, m_schema);
    QVERIFY(again);
    QCOMPARE(again.value().get(), first.value().get());  // a hit

    const QJsonObject fresh = CedarRequestBuilder::toJson(call.input);
    const QJsonObject cached = CedarRequestBuilder::toJson(call.input, first.value()->json);
    QCOMPARE(cached, fresh);
    auto parsedFresh = CedarRequestBuilder::parse(fresh, m_schema.get());
    QVERIFY2(parsedFresh, qPrintable(parsedFresh ? QString() : parsedFresh.error().toString()));
    QVERIFY(uids(first.value()->store) == uids(parsedFresh->entities));
    QVERIFY(!uids(parsedFresh->entities).isEmpty());

    // The demo policies decide the same on the cached store, allow and deny alike.
    QFile file(QStringLiteral(":/mandate/policies/demo.cedar"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    auto policies = policy::PolicySet::parse(file.readAll().toStdString());
    QVERIFY2(policies, qPrintable(policies ? QString() : policies.error().toString()));
    for (const QString &amount : {QStringLiteral("42.00"), QStringLiteral("420.00")}) {
        Call priced(call);
        priced.input.args = QJsonObject{{QStringLiteral("amount"), amount}};
        const QJsonObject json = CedarRequestBuilder::toJson(priced.input, first.value()->json);
        auto whole = CedarRequestBuilder::parse(json, m_schema.get());
        auto request = CedarRequestBuilder::parseRequest(json, m_schema.get());
        QVERIFY(whole && request);
        const policy::Decision expected = policy::Authorizer::isAuthorized(policies.value(), whole->entities, whole->request);
        const policy::Decision cachedDecision = policy::Authorizer::isAuthorized(policies.value(), first.value()->store, request.value());
        QCOMPARE(cachedDecision.allowed, expected.allowed);
        QCOMPARE(cachedDecision.reasonIds(), expected.reasonIds());
        QCOMPARE(cachedDecision.errorIds(), expected.errorIds());
    }
}

void tst_CedarEntityCache::keyCoversEveryEntityField_data()
{
    QTest::addColumn<int>("field");
    const char *names[] = {"execution id", "execution agent", "execution parent", "execution purpose", "delegation depth",
                           "root human", "ancestor purpose", "ancestor dropped", "agent trust level", "agent owner",
                           "agent added", "tool"};
    for (int i = 0; i < int(std::size(names)); ++i)
        QTest::addRow("%s", names[i]) << i;
}

void tst_CedarEntityCache::keyCoversEveryEntityField()
{
    QFETCH(int, field);
    const Call base;
    Call changed(base);
    identity::Execution &e = changed.view.execution;
    switch (field) {
    case 0: e.id = QStringLiteral("e-3"); break;
    case 1: e.agent = QStringLiteral("finance-agent"); break;
    case 2: e.parent = QStringLiteral("e-0"); break;
    case 3: e.purpose = QStringLiteral("another purpose"); break;
    case 4: e.chain.append(QStringLiteral("finance-agent")); break;
    case 5: e.chain[0] = QStringLiteral("bob"); break;
    case 6: changed.view.ancestors[0].purpose = QStringLiteral("another purpose"); break;
    case 7: changed.view.ancestors.clear(); break;
    case 8: changed.input.agents[1].trustLevel = 3; break;
    case 9: changed.input.agents[1].owner = QStringLiteral("bob"); break;
    case 10: changed.input.addAgent(agent(QStringLiteral("finance-agent"), QStringLiteral("bob"), 1)); break;
    case 11: changed.input.tool = QStringLiteral("ticket"); break;
    }
    QVERIFY(CedarEntityCache::keyOf(changed.input) != CedarEntityCache::keyOf(base.input));
    QVERIFY(CedarRequestBuilder::entitiesJson(changed.input) != CedarRequestBuilder::entitiesJson(base.input));

    CedarEntityCache cache;
    QVERIFY(cache.entities(base.input, m_schema));
    auto entry = cache.entities(changed.input, m_schema);
    QVERIFY(entry);
    QCOMPARE(entry.value()->json, CedarRequestBuilder::entitiesJson(changed.input));
}

void tst_CedarEntityCache::stateOfTheCallIsNotInTheKey()
{
    // What changes from one call of an execution to the next goes into the context only.
    const Call base;
    Call next(base);
    next.view.remaining.calls = 1;
    next.view.riskScore = 7;
    next.view.sessionCalls = 3;
    next.view.sessionActions = {QStringLiteral("refund:create")};
    next.input.args = QJsonObject{{QStringLiteral("amount"), QStringLiteral("99.00")}};
    next.input.now = base.input.now.addSecs(60);
    next.input.action = QStringLiteral("ticket:read");
    QCOMPARE(CedarEntityCache::keyOf(next.input), CedarEntityCache::keyOf(base.input));
    QCOMPARE(CedarRequestBuilder::entitiesJson(next.input), CedarRequestBuilder::entitiesJson(base.input));
}

void tst_CedarEntityCache::aNewSchemaStartsOver()
{
    const Call call;
    CedarEntityCache cache;
    auto first = cache.entities(call.input, m_schema);
    QVERIFY(first);
    const auto republished = std::make_shared<const policy::Schema>(*m_schema);
    auto second = cache.entities(call.input, republished);
    QVERIFY(second);
    QVERIFY(second.value().get() != first.value().get());
    QVERIFY(uids(second.value()->store) == uids(first.value()->store));
}

void tst_CedarEntityCache::canonicalRequestIsTheAuditEncoding_data()
{
    QTest::addColumn<QString>("purpose");
    QTest::addColumn<QJsonObject>("args");
    QTest::addRow("plain") << QStringLiteral("refund") << QJsonObject{{QStringLiteral("amount"), QStringLiteral("42.00")}};
    QTest::addRow("escapes and non-ASCII") << QStringLiteral("R\u00fcckerstattung \"T-1\"\n\u2603 \U0001F600")
                                           << QJsonObject{{QStringLiteral("note"), QStringLiteral("tab\there \\ \u0001")},
                                                          {QStringLiteral("n"), 1.5}, {QStringLiteral("big"), qint64(1) << 53},
                                                          {QStringLiteral("list"), QJsonArray{true, QJsonValue(), QStringLiteral("x")}}};
    QTest::addRow("no args") << QString() << QJsonObject();
}

void tst_CedarEntityCache::canonicalRequestIsTheAuditEncoding()
{
    QFETCH(QString, purpose);
    QFETCH(QJsonObject, args);
    Call call;
    call.view.execution.purpose = purpose;
    call.input.args = args;
    CedarEntityCache cache;
    auto entry = cache.entities(call.input, m_schema);
    QVERIFY2(entry, qPrintable(entry ? QString() : entry.error().toString()));

    audit::AuditRecord record;
    record.time = call.input.now;
    record.gatewayId = QStringLiteral("gw-test");
    record.cedarRequest = CedarRequestBuilder::toJson(call.input, entry.value()->json);
    const QByteArray encoded = record.canonicalBytes();
    record.cedarRequestCanonical = CedarEntityCache::canonicalRequest(record.cedarRequest, *entry.value());
    QCOMPARE(record.canonicalBytes(), encoded);
}

QTEST_GUILESS_MAIN(tst_CedarEntityCache)
#include "tst_cedar_entity_cache.moc"
