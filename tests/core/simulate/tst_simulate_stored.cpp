// SPDX-License-Identifier: Apache-2.0
// Reading stored decision records from their bytes (StoredRequestReader, JsonSpans) against
// reading them with Qt (RecordedTraffic::fromStoredWithQt): the same requests, and the same
// replay, for generated records and for altered ones that take the fallback or error paths.
#include "TrafficGenerator.h"

#include "audit/AuditLog.h"
#include "simulate/AuditRowReader.h"
#include "simulate/JsonSpans.h"
#include "simulate/RecordedTraffic.h"
#include "simulate/Replay.h"
#include "simulate/StoredRequestReader.h"
#include "policy/EntityUid.h"
#include "policy/JsonFormats.h"
#include "policy/TypedJsonBytes.h"
#include "store/Database.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace mandate;
using namespace mandate::simulate;

class tst_SimulateStored : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void spansAgreeWithQt_data();
    void spansAgreeWithQt();
    void generatedRecordsReadAsWithQt();
    void alteredRecordsReadAsWithQt();
    void contextBytesReadAsJsonFormats();
    void replayDecidesAsFromJson();
    void replayKeepsNothingInterned();
    void itemsReadInFullKeepTheirEntities();
    void nativeRowsAreAuditQueryRecords_data();
    void nativeRowsAreAuditQueryRecords();
    void readPathsGiveTheSameRequests();

private:
    static audit::StoredRecord stored(const QByteArray &body, qint64 sequence);
    static void compare(const audit::StoredRecord &record);
    static std::vector<QByteArray> altered(const QByteArray &body);

    std::shared_ptr<const policy::Schema> m_schema;
    QString m_demoSource;
    std::vector<QByteArray> m_bodies;
};

void tst_SimulateStored::initTestCase()
{
    auto schema = policy::Schema::parse(TrafficGenerator::resource(QStringLiteral(":/mandate/schema/mandate.cedarschema")));
    QVERIFY(schema);
    m_schema = std::make_shared<const policy::Schema>(std::move(schema).value());
    m_demoSource = QString::fromUtf8(TrafficGenerator::resource(QStringLiteral(":/mandate/policies/demo.cedar")));
    auto demo = policy::PolicySet::parse(m_demoSource.toStdString());
    QVERIFY(demo);
    TrafficGenerator generator(demo.value(), m_schema, 11);
    for (int i = 0; i < 3000; ++i)
        m_bodies.push_back(generator.next().canonicalBytes());
}

audit::StoredRecord tst_SimulateStored::stored(const QByteArray &body, qint64 sequence)
{
    audit::StoredRecord record;
    record.sequence = sequence;
    record.body = body;
    return record;
}

void tst_SimulateStored::compare(const audit::StoredRecord &record)
{
    const std::optional<Result<RecordedRequest>> fast = StoredRequestReader::read(record);
    if (!fast)
        return; // left to Qt: nothing to compare
    const Result<RecordedRequest> reference = RecordedTraffic::fromStoredWithQt(record);
    QCOMPARE(fast->ok(), reference.ok());
    if (!reference) {
        QCOMPARE(fast->error().code, reference.error().code);
        QCOMPARE(fast->error().message, reference.error().message);
        return;
    }
    const RecordedRequest &a = fast->value();
    const RecordedRequest &b = reference.value();
    QCOMPARE(a.sequence, b.sequence);
    QCOMPARE(a.gatewayId, b.gatewayId);
    QCOMPARE(a.time, b.time);
    QCOMPARE(a.time.timeSpec(), b.time.timeSpec());
    QCOMPARE(a.human, b.human);
    QCOMPARE(a.agent, b.agent);
    QCOMPARE(a.execution, b.execution);
    QCOMPARE(a.tool, b.tool);
    QCOMPARE(a.action, b.action);
    QCOMPARE(a.decisionId, b.decisionId);
    QCOMPARE(a.policyAllowed, b.policyAllowed);
    QCOMPARE(a.policies, b.policies);
    QCOMPARE(a.errors, b.errors);
    QVERIFY(!a.stored.isEmpty());
    QCOMPARE(a.cedarRequestObject(), b.cedarRequest);
}

std::vector<QByteArray> tst_SimulateStored::altered(const QByteArray &body)
{
    const auto replaced = [&](const char *from, const char *to) { return QByteArray(body).replace(from, to); };
    return {
        replaced(",", " ,\n\t"),                                              // whitespace
        replaced("\"mandate.agent.id\":\"", "\"mandate.agent.id\":\"a\\\"b\\\\c\\/d\\n"), // escapes
        replaced("\"mandate.agent.id\":\"", "\"mandate.agent.id\":\"\\u00e9"), // left to Qt
        replaced("\"mandate.tool.id\":\"", "\"mandate.tool.id\":\"\xc3\xa9"),   // non-ASCII
        replaced("\"mandate.action\":", "\"mandate.action\":\"dup\",\"mandate.action\":"),
        replaced("\"principal\":", "\"principal\":{},\"principal\":"),
        replaced("\"mandate.decision\":\"allow\"", "\"mandate.decision\":\"deny\""),
        replaced("\"mandate.decision\":\"deny\"", "\"mandate.decision\":7"),
        replaced("\"mandate.decision.step\":\"policy\"", "\"mandate.decision.step\":\"rate_limit\""),
        replaced("\"mandate.event.type\":\"decision\"", "\"mandate.event.type\":\"delegation\""),
        replaced("\"mandate.event.type\":\"decision\"", "\"mandate.event.type\":\"nonsense\""),
        replaced("\"mandate.cedar.request\":{", "\"mandate.cedar.request\":{},\"x\":{"),
        replaced("\"mandate.cedar.request\":", "\"mandate.cedar.request\":[],\"y\":"),
        replaced("\"mandate.decision.policies\":[", "\"mandate.decision.policies\":[1,null,{\"a\":[]},"),
        replaced("\"mandate.decision.policies\":", "\"mandate.decision.policies\":\"p\",\"z\":"),
        replaced(".500Z\"", ".500+01:00\""),
        replaced("T00:", "T24:"),
        replaced("\"time\":\"", "\"time\":\"x"),
        replaced("\"calls\":", "\"calls\":1e3,\"c\":"),
        replaced("\"calls\":", "\"calls\":-0.25,\"c\":"),
        replaced("\"calls\":", "\"calls\":012,\"c\":"),
        replaced("\"depth\":1", "\"depth\":123456789012345678901234"),
        replaced("}", "} "),
        replaced("{", "{\"k\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],"),
        body.left(body.size() / 2),
        body + "x",
        "[" + body + "]",
    };
}

void tst_SimulateStored::spansAgreeWithQt_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("accepted");
    QTest::addRow("empty object") << QByteArray("{}") << true;
    QTest::addRow("spaces") << QByteArray(" { \"a\" : [ 1 , -2.5 , true , false , null , \"s\\t\" ] } ") << true;
    QTest::addRow("nested") << QByteArray(R"({"a":{"b":{"c":[{}]}},"d":""})") << true;
    QTest::addRow("trailing comma") << QByteArray(R"({"a":1,})") << false;
    QTest::addRow("missing colon") << QByteArray(R"({"a" 1})") << false;
    QTest::addRow("leading zero") << QByteArray(R"({"a":01})") << false;
    QTest::addRow("bare minus") << QByteArray(R"({"a":-})") << false;
    QTest::addRow("dot without digits") << QByteArray(R"({"a":1.})") << false;
    QTest::addRow("exponent") << QByteArray(R"({"a":1e2})") << false;
    QTest::addRow("unicode escape") << QByteArray(R"({"a":"\u0041"})") << false;
    QTest::addRow("bad escape") << QByteArray(R"({"a":"\x"})") << false;
    QTest::addRow("control character") << QByteArray("{\"a\":\"\x01\"}") << false;
    QTest::addRow("non-ASCII") << QByteArray("{\"a\":\"\xc3\xa9\"}") << false;
    QTest::addRow("unterminated") << QByteArray(R"({"a":"b)") << false;
    QTest::addRow("two values") << QByteArray(R"({} {})") << false;
    QTest::addRow("truncated literal") << QByteArray(R"({"a":tru})") << false;
    QTest::addRow("escaped key") << QByteArray(R"({"a\n":1})") << false;
    QTest::addRow("array") << QByteArray(R"([1])") << false;
    QTest::addRow("too deep") << QByteArray(200, '[').prepend("{\"a\":") + QByteArray(200, ']') + '}' << false;
}

void tst_SimulateStored::spansAgreeWithQt()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, accepted);
    QJsonObject members;
    const bool ok = JsonSpans::forEachMember(text, [&](QByteArrayView key, QByteArrayView value) {
        const QJsonDocument item = QJsonDocument::fromJson("[" + value.toByteArray() + "]");
        members.insert(QString::fromLatin1(key), item.array().at(0));
        return item.isArray();
    });
    QCOMPARE(ok, accepted);
    if (ok)
        QCOMPARE(members, QJsonDocument::fromJson(text).object());
}

void tst_SimulateStored::generatedRecordsReadAsWithQt()
{
    qint64 read = 0;
    for (size_t i = 0; i < m_bodies.size(); ++i) {
        const audit::StoredRecord record = stored(m_bodies[i], qint64(i) + 1);
        QVERIFY2(StoredRequestReader::read(record), "generated records are all read without Qt");
        compare(record);
        if (QTest::currentTestFailed())
            return;
        read += RecordedTraffic::fromStored(record).ok() ? 1 : 0;
    }
    QVERIFY(read > 2000);
}

void tst_SimulateStored::alteredRecordsReadAsWithQt()
{
    for (size_t i = 0; i < m_bodies.size(); i += 7) {
        int variant = 0;
        for (const QByteArray &body : altered(m_bodies[i])) {
            compare(stored(body, qint64(i) + 1));
            if (QTest::currentTestFailed())
                qWarning("record %zu, variant %d: %s", i, variant, body.constData());
            QVERIFY(!QTest::currentTestFailed());
            ++variant;
        }
    }
}

void tst_SimulateStored::contextBytesReadAsJsonFormats()
{
    // Each generated context as stored, then altered: whatever the byte reader returns must be
    // what JsonFormats reads from Qt's parse of the same bytes, and it must take the plain ones.
    const QList<std::pair<QByteArray, QByteArray>> alterations{
        {"\"calls\":", "\"calls\": 1 ,\"c\":"}, {"\"calls\":", "\"calls\":1.0,\"c\":"},
        {"\"calls\":", "\"calls\":-0,\"c\":"}, {"\"score\":", "\"score\":\"9\",\"s\":"},
        {"\"depth\":", "\"depth\":1,\"depth\":"}, {"\"amount\":\"", "\"amount\":\"x"},
        {"\"root\":\"", "\"root\":\"a\\\"\\\\\\/\\t"}, {"\"root\":\"", "\"root\":\"\\u00e9"},
        {"\"actions\":[", "\"actions\":[\"a\",\"a\","}, {"\"actions\":[", "\"actions\":[1,"},
        {"\"ceiling\":", "\"undeclared\":{},\"ceiling\":"}, {"\"ceiling\":50,", ""},
        {"{", " { "}, {"}", "} "}, {"\"chain\":", "\"chain\":null,\"x\":"}};
    qint64 plain = 0, compared = 0;
    for (size_t i = 0; i < m_bodies.size(); ++i) {
        const Result<RecordedRequest> request = RecordedTraffic::fromStored(stored(m_bodies[i], qint64(i) + 1));
        if (!request)
            continue;
        const QByteArray context = request->stored.view(request->stored.context).toByteArray();
        const QJsonObject cedar = request->cedarRequestObject();
        const Result<policy::EntityRef> action = policy::JsonFormats::entityUid(cedar.value(QStringLiteral("action")));
        QVERIFY(action);
        QList<QByteArray> variants{context};
        for (const auto &[from, to] : alterations)
            variants << QByteArray(context).replace(from, to);
        for (const QByteArray &variant : std::as_const(variants)) {
            const std::optional<policy::Value> fast = policy::TypedJsonBytes::context(variant, *m_schema, action.value());
            if (&variant == &variants.front()) {
                QVERIFY2(fast, variant.constData());
                ++plain;
            }
            if (!fast)
                continue;
            const QJsonDocument document = QJsonDocument::fromJson(variant);
            QVERIFY2(document.isObject(), variant.constData());
            const Result<policy::Value> reference = policy::JsonFormats::context(document.object(), m_schema.get(), action.value());
            QVERIFY2(reference, variant.constData());
            QVERIFY2(reference.value() == *fast, variant.constData());
            QCOMPARE(QString::fromStdString(reference->toCedar()), QString::fromStdString(fast->toCedar()));
            ++compared;
        }
    }
    QVERIFY(plain > 2000);
    QVERIFY(compared > plain);
}

void tst_SimulateStored::replayDecidesAsFromJson()
{
    // Without the refund permit, and with contexts and entities broken here and there so that
    // skipped requests (and their reasons) are compared too.
    QStringList kept;
    for (const QString &block : m_demoSource.split(QStringLiteral("\n\n"))) {
        if (!block.contains(QStringLiteral("support-agent-refunds-up-to-100")))
            kept << block;
    }
    Result<Replayer> replayer = Replayer::create(kept.join(QStringLiteral("\n\n")), m_schema);
    QVERIFY(replayer);
    const QByteArray kCarol = R"({"attrs":{},"parents":[],"uid":{"id":"carol","type":"User"}})";
    const QByteArray kAction = R"({"attrs":{},"parents":[],"uid":{"id":"ticket:update","type":"Action"}})";
    QRandomGenerator random(5);
    std::vector<RecordedRequest> fromBytes, fromJson;
    for (size_t i = 0; i < m_bodies.size(); ++i) {
        QByteArray body = m_bodies[i];
        switch (random.bounded(14)) {
        case 0: body.replace("\"ceiling\":", "\"ceiling\":\"x\",\"c\":"); break;
        case 1: body.replace("\"trustLevel\":", "\"trustLevel\":true,\"t\":"); break;
        case 2: body.replace("\"type\":\"Tool\"", "\"type\":\"Tool\",\"__entity\":{}"); break;
        case 3: body.replace("\"attrs\":{}", "\"attrs\":{\"x\":1}"); break;
        case 4: body.replace(kCarol, QByteArray(kCarol + "," + kCarol)); break;  // a duplicate entity
        case 5: body.replace(kCarol, QByteArray(kCarol + "," + kAction)); break;  // an action entity, skipped
        case 6: body.replace(kCarol, QByteArray(kAction + "," + kAction)); break;
        // Entity items outside the plain form the replay reads from bytes: tags, an escaped
        // parent, escapes in ids, an entity type the schema does not declare.
        case 7: body.replace("\"attrs\":{},\"parents\":[]", "\"attrs\":{},\"parents\":[],\"tags\":{}"); break;
        case 8:
            body.replace("\"parents\":[{\"id\":\"support-agent\",\"type\":\"Agent\"}]",
                         "\"parents\":[{\"__entity\":{\"id\":\"support-agent\",\"type\":\"Agent\"}}]");
            break;
        case 9: body.replace("\"id\":\"carol\"", "\"id\":\"car\\/ol\""); break;
        case 10: body.replace("\"type\":\"User\"}}", "\"type\":\"Person\"}}"); break;
        default: break;
        }
        Result<RecordedRequest> request = RecordedTraffic::fromStored(stored(body, qint64(i) + 1));
        if (!request)
            continue;
        QVERIFY(!request->stored.isEmpty());
        fromBytes.push_back(request.value());
        RecordedRequest json = std::move(request).value();
        json.cedarRequest = json.cedarRequestObject();
        json.stored = {};
        fromJson.push_back(std::move(json));
    }
    ReplaySummary a, b;
    replayer->replay(fromBytes, a, ReplayOptions{60, 2});
    replayer->replay(fromJson, b, ReplayOptions{60, 1});
    QVERIFY(a.overall.newlyDenied > 0);
    QVERIFY(a.skipped > 0);
    QCOMPARE(a.replayed + a.skipped, qint64(fromBytes.size()));
    QCOMPARE(QJsonDocument(a.toJson()).toJson(), QJsonDocument(b.toJson()).toJson());
}

void tst_SimulateStored::replayKeepsNothingInterned()
{
    // A replay reads every recorded execution's uid. What it interned goes with it (and with
    // the candidate policies, when the replayer goes): a console or gateway that simulates
    // again and again does not keep every execution it ever replayed.
    std::vector<RecordedRequest> fromBytes, fromJson;
    for (size_t i = 0; i < m_bodies.size(); ++i) {
        Result<RecordedRequest> request = RecordedTraffic::fromStored(stored(m_bodies[i], qint64(i) + 1));
        if (!request)
            continue;  // not a decision
        fromBytes.push_back(request.value());
        RecordedRequest json = std::move(request).value();
        json.cedarRequest = json.cedarRequestObject();
        json.stored = {};
        fromJson.push_back(std::move(json));
    }
    const size_t before = policy::UidTable::size().uids;
    size_t during = 0;
    const auto sample = [&during](qint64) { during = std::max(during, policy::UidTable::size().uids); };
    {
        Result<Replayer> replayer = Replayer::create(m_demoSource + QStringLiteral("\nforbid(principal == Execution::\"never-recorded\", action, resource);"),
                                                     m_schema);
        QVERIFY(replayer);
        ReplaySummary a, b;
        replayer->replay(fromBytes, a, ReplayOptions{60, 2}, nullptr, sample);
        replayer->replay(fromJson, b, ReplayOptions{60, 1}, nullptr, sample);
        QCOMPARE(a.replayed, qint64(fromBytes.size()));
        QCOMPARE(QJsonDocument(a.toJson()).toJson(), QJsonDocument(b.toJson()).toJson());
        QVERIFY(policy::UidTable::find("Execution", "never-recorded"));  // the candidate's literal, while it lives
    }
    QVERIFY2(during > before + 100, qPrintable(QStringLiteral("%1 uids during the replay, %2 before").arg(during).arg(before)));
    QCOMPARE(policy::UidTable::size().uids, before);
    QVERIFY(!policy::UidTable::find("Execution", "never-recorded"));
}

void tst_SimulateStored::itemsReadInFullKeepTheirEntities()
{
    // A sub-execution is `in Agent::"support-agent"` only through its parent execution. Here
    // the sub-execution's entity item is read in full (an `__entity` escape is not the plain
    // form), and no policy and no earlier record names the parent: the parent's uid in that
    // item must stay the one the parent is read with, or the forbid below misses.
    std::vector<RecordedRequest> fromBytes, fromJson;
    for (size_t i = 0; i < m_bodies.size(); ++i) {
        QByteArray body = m_bodies[i];
        body.replace("\"parents\":[{\"id\":\"refund-subagent\",\"type\":\"Agent\"},",
                     "\"parents\":[{\"__entity\":{\"id\":\"refund-subagent\",\"type\":\"Agent\"}},");
        Result<RecordedRequest> request = RecordedTraffic::fromStored(stored(body, qint64(i) + 1));
        if (!request || request->agent != QLatin1String("refund-subagent"))
            continue;
        fromBytes.push_back(request.value());
        RecordedRequest json = std::move(request).value();
        json.cedarRequest = json.cedarRequestObject();
        json.stored = {};
        fromJson.push_back(std::move(json));
    }
    QVERIFY(fromBytes.size() > 10);
    QVERIFY(QJsonDocument(fromJson.front().cedarRequest).toJson().contains("__entity"));
    Result<Replayer> replayer = Replayer::create(
        m_demoSource + QStringLiteral("\nforbid (principal in Agent::\"support-agent\", action == Action::\"refund:create\", resource);"), m_schema);
    QVERIFY(replayer);
    ReplaySummary a, b;
    replayer->replay(fromBytes, a, ReplayOptions{60, 1});
    replayer->replay(fromJson, b, ReplayOptions{60, 1});
    QCOMPARE(a.skipped, qint64(0));
    QCOMPARE(b.overall.newlyAllowed, qint64(0));
    QVERIFY(b.overall.newlyDenied > 0);
    QCOMPARE(QJsonDocument(a.toJson()).toJson(), QJsonDocument(b.toJson()).toJson());
}

/// An audit log of generated traffic with a few records that are not decisions, from two
/// gateways' worth of ids, for the reading tests below.
struct TestLog
{
    QTemporaryDir dir;
    std::unique_ptr<store::Database> db;
    std::vector<audit::AuditRecord> written;
};

static std::unique_ptr<TestLog> testLog(const QString &demoSource, std::shared_ptr<const policy::Schema> schema)
{
    auto log = std::make_unique<TestLog>();
    auto db = store::Database::open(log->dir.filePath(QStringLiteral("mandate.db")));
    if (!db)
        return nullptr;
    log->db = std::move(db).value();
    auto audit = audit::AuditLog::open(*log->db, {QStringLiteral("gw-sim"), std::nullopt, false});
    if (!audit)
        return nullptr;
    auto demo = policy::PolicySet::parse(demoSource.toStdString());
    TrafficGenerator generator(demo.value(), std::move(schema), 9);
    for (int i = 0; i < 1500; ++i) {
        audit::AuditRecord record = generator.next();
        if (i % 97 == 5) {
            record.event = audit::EventType::Delegation;
            record.cedarRequest = {};
            record.decision.clear();
            record.details = {};
        }
        log->written.push_back(record);
        if (!(*audit)->append(record))
            return nullptr;
    }
    return log;
}

void tst_SimulateStored::nativeRowsAreAuditQueryRecords_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("descendants");
    QTest::addRow("everything") << "" << "" << true;
    QTest::addRow("decisions") << "event" << "decision" << true;
    QTest::addRow("agent") << "agent" << "finance-agent" << true;
    QTest::addRow("human") << "human" << "carol" << true;
    QTest::addRow("tool") << "tool" << "refund" << true;
    QTest::addRow("action") << "action" << "ticket:update" << true;
    QTest::addRow("denials") << "decision" << "deny" << true;
    QTest::addRow("gateway") << "gateway" << "gw-sim" << true;
    QTest::addRow("other gateway") << "gateway" << "gw-other" << true;
    QTest::addRow("execution and descendants") << "execution" << "exec-3" << true;
    QTest::addRow("execution alone") << "execution" << "exec-3" << false;
    QTest::addRow("from") << "from" << "2026-11-01T00:01:00.000Z" << true;
    QTest::addRow("to") << "to" << "2026-11-01T00:01:00.000Z" << true;
}

void tst_SimulateStored::nativeRowsAreAuditQueryRecords()
{
    // The replay's own statement must select what AuditQuery::find selects, in the same order,
    // whichever connection it reads on.
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(bool, descendants);
    const std::unique_ptr<TestLog> log = testLog(m_demoSource, m_schema);
    QVERIFY(log);
    QUrlQuery query;
    if (!field.isEmpty())
        query.addQueryItem(field, value);
    if (!descendants)
        query.addQueryItem(QStringLiteral("descendants"), QStringLiteral("false"));
    const Result<audit::AuditFilter> filter = audit::AuditFilter::fromQuery(query);
    QVERIFY(filter);

    std::vector<audit::StoredRecord> expected;
    const audit::AuditQuery auditQuery(*log->db);
    QString cursor;
    do {
        Result<audit::AuditPage> page = auditQuery.find(filter.value(), cursor, 100);
        QVERIFY(page);
        std::move(page->records.begin(), page->records.end(), std::back_inserter(expected));
        cursor = page->nextCursor;
    } while (!cursor.isEmpty());
    QVERIFY(field == QLatin1String("gateway") && value == QLatin1String("gw-other") ? expected.empty() : !expected.empty());

    for (const bool own : {false, true}) {
        std::unique_ptr<AuditRowReader> reader = AuditRowReader::open(log->db->connection(), filter.value(), own);
        QVERIFY(reader);
        size_t at = 0;
        AuditRowReader::Batch batch;
        for (;;) {
            QVERIFY(reader->next(37, batch));
            if (batch.rows.empty())
                break;
            QVERIFY(batch.rows.size() <= 37);
            for (const AuditRowReader::Row &row : batch.rows) {
                QVERIFY(at < expected.size());
                QCOMPARE(row.sequence, expected[at].sequence);
                QCOMPARE(batch.gateways.at(row.gateway), expected[at].gatewayId);
                QCOMPARE(batch.body(row).toByteArray(), expected[at].body);
                ++at;
            }
        }
        QCOMPARE(at, expected.size());
    }
}

void tst_SimulateStored::readPathsGiveTheSameRequests()
{
    // Read ahead on a connection of its own (2 threads) or batch by batch on the caller's
    // (1 thread), with and without a bound: the same requests as reading the records
    // AuditQuery returns one by one with Qt, and the same totals.
    const std::unique_ptr<TestLog> log = testLog(m_demoSource, m_schema);
    QVERIFY(log);
    audit::AuditFilter decisions;
    decisions.event = QStringLiteral("decision");
    std::vector<RecordedRequest> reference;
    qint64 decisionRecords = 0;
    const audit::AuditQuery auditQuery(*log->db);
    QString cursor;
    do {
        Result<audit::AuditPage> page = auditQuery.find(decisions, cursor, 1000);
        QVERIFY(page);
        for (const audit::StoredRecord &record : page->records) {
            ++decisionRecords;
            if (Result<RecordedRequest> request = RecordedTraffic::fromStoredWithQt(record))
                reference.push_back(std::move(request).value());
        }
        cursor = page->nextCursor;
    } while (!cursor.isEmpty());
    QVERIFY(reference.size() > 1000);

    for (const int threads : {1, 2, 3}) {
        for (const qint64 bound : {qint64(0), qint64(700), decisionRecords}) {
            RecordedTraffic::Options options;
            options.threads = threads;
            options.batchSize = 256;
            options.maxRecords = bound;
            std::vector<RecordedRequest> read;
            const Result<RecordedTraffic::Totals> totals = RecordedTraffic(*log->db).read({}, [&](std::vector<RecordedRequest> &&batch) {
                std::move(batch.begin(), batch.end(), std::back_inserter(read));
                return true;
            }, options);
            QVERIFY(totals);
            const qint64 expectedRead = bound > 0 ? std::min(bound, decisionRecords) : decisionRecords;
            QCOMPARE(totals->read, expectedRead);
            QCOMPARE(totals->truncated, bound > 0 && bound < decisionRecords);
            QCOMPARE(totals->read - totals->notReplayable, qint64(read.size()));
            QVERIFY(read.size() <= reference.size());
            for (size_t i = 0; i < read.size(); ++i) {
                const RecordedRequest &a = read[i];
                const RecordedRequest &b = reference[i];
                QCOMPARE(a.sequence, b.sequence);
                QCOMPARE(a.gatewayId, b.gatewayId);
                QCOMPARE(a.time, b.time);
                QCOMPARE(a.human, b.human);
                QCOMPARE(a.agent, b.agent);
                QCOMPARE(a.execution, b.execution);
                QCOMPARE(a.tool, b.tool);
                QCOMPARE(a.action, b.action);
                QCOMPARE(a.decisionId, b.decisionId);
                QCOMPARE(a.policyAllowed, b.policyAllowed);
                QCOMPARE(a.policies, b.policies);
                QCOMPARE(a.errors, b.errors);
                QCOMPARE(a.cedarRequestObject(), b.cedarRequest);
            }
            if (bound == 0)
                QCOMPARE(read.size(), reference.size());
        }
    }
    // A handler that stops the reading stops it.
    int batches = 0;
    RecordedTraffic::Options options;
    options.batchSize = 100;
    options.threads = 2;
    QVERIFY(RecordedTraffic(*log->db).read({}, [&](std::vector<RecordedRequest> &&) { return ++batches < 3; }, options));
    QCOMPARE(batches, 3);
}

QTEST_GUILESS_MAIN(tst_SimulateStored)
#include "tst_simulate_stored.moc"
