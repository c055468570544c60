// SPDX-License-Identifier: Apache-2.0
// Audit log speed: appends with the hash chain (group commit), verification, and a lineage
// query for one execution among 1,000,000 records. Targets: ≥ 50,000 appends/s,
// ≥ 1,000,000 verified records/s, lineage < 50 ms.
#include "audit/AuditLog.h"
#include "audit/AuditVerifier.h"
#include "audit/BodyColumnReader.h"
#include "audit/Lineage.h"
#include "json/JsonWriter.h"
#include "store/Database.h"

#include <benchmark/benchmark.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>

#include <sys/resource.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <random>

using namespace mandate;
using namespace mandate::audit;

namespace {

const QString kGateway = QStringLiteral("gw-bench");
constexpr int kBigRecords = 1'000'000;
constexpr int kRecordsPerExecution = 20;

/// The 1,000,000-record log, built once per machine: a new name whenever the way it is built
/// changes (v4: 8 KiB pages, as new databases get).
const QString kBigLogName = QStringLiteral("mandate-bench-audit-1m-v4.db");

/// A realistic decision record (~1 KB: the full Cedar request is the bulk of it).
AuditRecord makeRecord(qint64 i)
{
    const qint64 execution = i / kRecordsPerExecution;
    AuditRecord r;
    r.time = QDateTime::fromSecsSinceEpoch(1'800'000'000 + i / 100, Qt::UTC);
    r.gatewayId = kGateway;
    r.event = i % kRecordsPerExecution == 0 ? EventType::Delegation : EventType::Decision;
    r.traceId = QStringLiteral("%1").arg(i + 1, 32, 16, QChar(u'0'));
    r.spanId = QStringLiteral("%1").arg(i + 1, 16, 16, QChar(u'0'));
    r.rootHuman = QStringLiteral("user-%1").arg(execution % 5000);
    r.delegationChain = {r.rootHuman};
    r.agent = QStringLiteral("agent-%1").arg(execution % 50);
    r.execution = QStringLiteral("exec-%1").arg(execution);
    if (execution % 4 == 3)
        r.parentExecution = QStringLiteral("exec-%1").arg(execution - 1); // some sub-executions
    if (r.event == EventType::Decision) {
        r.tool = QStringLiteral("refund");
        r.action = QStringLiteral("refund:create");
        r.resource = {{QStringLiteral("type"), QStringLiteral("Tool")}, {QStringLiteral("id"), QStringLiteral("refund")}};
        r.decision = i % 7 == 0 ? QStringLiteral("deny") : QStringLiteral("allow");
        r.decisionId = QStringLiteral("dec-%1").arg(i);
        r.policies = {QStringLiteral("support-refunds")};
        r.riskBefore = 0.2;
        r.riskAfter = 0.3;
        r.budgetBefore = {{QStringLiteral("calls"), 50}, {QStringLiteral("tokens"), 100000}, {QStringLiteral("amount"), QStringLiteral("1000.00")}};
        r.budgetAfter = {{QStringLiteral("calls"), 49}, {QStringLiteral("tokens"), 99000}, {QStringLiteral("amount"), QStringLiteral("958.00")}};
        r.latencyUs = 240;
        r.statedReason = QStringLiteral("customer requested a refund for order 1234");
        r.cedarRequest = {
            {QStringLiteral("principal"), QJsonObject{{QStringLiteral("type"), QStringLiteral("Execution")}, {QStringLiteral("id"), r.execution}}},
            {QStringLiteral("action"), QJsonObject{{QStringLiteral("type"), QStringLiteral("Action")}, {QStringLiteral("id"), r.action}}},
            {QStringLiteral("resource"), r.resource},
            {QStringLiteral("context"), QJsonObject{
                {QStringLiteral("delegation"), QJsonObject{{QStringLiteral("root"), r.rootHuman}, {QStringLiteral("depth"), 1},
                                                           {QStringLiteral("chain"), QJsonArray{r.rootHuman}}}},
                {QStringLiteral("budget"), r.budgetBefore},
                {QStringLiteral("risk"), QJsonObject{{QStringLiteral("score"), 0.2}, {QStringLiteral("ceiling"), 0.8}}},
                {QStringLiteral("args"), QJsonObject{{QStringLiteral("amount"), QStringLiteral("42.00")},
                                                     {QStringLiteral("order"), QStringLiteral("1234")}}},
                {QStringLiteral("now"), r.time.toString(Qt::ISODate)}}},
            {QStringLiteral("entities"), QJsonArray{
                QJsonObject{{QStringLiteral("uid"), QJsonObject{{QStringLiteral("type"), QStringLiteral("Execution")}, {QStringLiteral("id"), r.execution}}},
                            {QStringLiteral("parents"), QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("Agent")}, {QStringLiteral("id"), r.agent}}}},
                            {QStringLiteral("attrs"), QJsonObject{}}}}}};
    }
    return r;
}

std::unique_ptr<store::Database> openDb(const QString &path)
{
    auto db = store::Database::open(path);
    if (!db)
        qFatal("%s", qPrintable(db.error().message));
    return std::move(db).value();
}

std::unique_ptr<AuditLog> openLog(const store::Database &db, bool fullSync)
{
    AuditLog::Options options;
    options.gatewayId = kGateway;
    options.fullSync = fullSync;
    auto log = AuditLog::open(db, options);
    if (!log)
        qFatal("%s", qPrintable(log.error().message));
    return std::move(log).value();
}

/// One database with 1,000,000 records for the read benchmarks. Building it takes minutes, so
/// it is kept in the temp directory under kBigLogName and reused by later runs.
store::Database &bigDatabase()
{
    static std::unique_ptr<store::Database> db = [] {
        const QString path = QDir::temp().filePath(kBigLogName);
        auto database = openDb(path);
        auto log = openLog(*database, false);
        std::vector<std::future<Result<AppendReceipt>>> pending;
        for (qint64 i = log->head().sequence; i < kBigRecords; ++i) {
            pending.push_back(log->appendAsync(makeRecord(i)));
            if (pending.size() == 8192) {
                for (auto &p : pending)
                    if (!p.get())
                        qFatal("append failed");
                pending.clear();
            }
        }
        for (auto &p : pending)
            if (!p.get())
                qFatal("append failed");
        return database;
    }();
    return *db;
}

/// CPU time of the whole process (every thread) from construction on, in µs: on a shared
/// machine what an append costs shows better in it than in the throughput.
class ProcessCpu
{
public:
    ProcessCpu() : m_start(now()) {}
    double perItem(qint64 items) const { return items > 0 ? (now() - m_start) / double(items) : 0; }

private:
    static double now()
    {
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        const auto us = [](const timeval &t) { return double(t.tv_sec) * 1e6 + double(t.tv_usec); };
        return us(usage.ru_utime) + us(usage.ru_stime);
    }
    double m_start;
};

/// Each iteration appends `inFlight` of `records` (in turn) at once and waits for all of them;
/// sets the rate, the commits and the CPU per record.
void appendInRounds(benchmark::State &state, AuditLog &log, const std::vector<AuditRecord> &records, int inFlight)
{
    qint64 i = 0;
    const ProcessCpu cpu;
    // Told through a completion (appendThen()), as the gateway's decisions are; their hop to
    // the CommitWaiter's thread is the gateway's, not the log's, and is left out here. Counted
    // and notified under the lock, so that no completion still touches these once a round ends.
    std::mutex mutex;
    std::condition_variable allTold;
    int told = 0;
    bool failed = false;
    for (auto _ : state) {
        for (int k = 0; k < inFlight; ++k) {
            log.appendThen(records[size_t(i++ % qint64(records.size()))], {}, [&](Result<AppendReceipt> appended) {
                const std::lock_guard lock(mutex);
                failed = failed || !appended;
                if (++told == inFlight)
                    allTold.notify_one();
            });
        }
        std::unique_lock lock(mutex);
        allTold.wait(lock, [&] { return told == inFlight; });
        told = 0;
    }
    if (failed)
        state.SkipWithError("append failed");
    state.SetItemsProcessed(i);
    state.counters["commits"] = static_cast<double>(log.commits());
    state.counters["cpu_us"] = cpu.perItem(i);
}

/// Pipelined appends, as from many concurrent gateway calls; every commit is fsynced.
void BM_AppendGroupCommit(benchmark::State &state)
{
    QTemporaryDir dir;
    auto db = openDb(dir.filePath(QStringLiteral("append.db")));
    auto log = openLog(*db, state.range(1) != 0);
    std::vector<AuditRecord> records;
    for (int k = 0; k < 4096; ++k)
        records.push_back(makeRecord(k));
    appendInRounds(state, *log, records, static_cast<int>(state.range(0)));
}
BENCHMARK(BM_AppendGroupCommit)->ArgNames({"inflight", "fsync"})
    ->Args({1, 1})->Args({64, 1})->Args({1024, 1})->Args({8192, 1})->Args({8192, 0})->UseRealTime()->Unit(benchmark::kMillisecond);

/// Appends to a log that already holds the 1,000,000 records of bigDatabase() (a copy of it),
/// with a new random W3C trace id per call as real traffic has: the query indexes then take
/// their inserts at scattered places, which a fresh log's few pages hide. 8,192 in flight,
/// every commit fsynced; each iteration appends 8,192 records.
void BM_AppendToGrownLog(benchmark::State &state)
{
    bigDatabase();  // built (once) before the copy
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("grown.db"));
    const QString big = QDir::temp().filePath(kBigLogName);
    if (!QFile::copy(big, path)) {
        state.SkipWithError("cannot copy the 1,000,000-record log");
        return;
    }
    auto db = openDb(path);
    auto log = openLog(*db, true);
    std::mt19937_64 random(20261130);
    const auto hex = [&random](int digits) {
        QString out;
        for (int d = 0; d < digits; d += 16)
            out += QStringLiteral("%1").arg(random(), 16, 16, QChar(u'0'));
        return out.left(digits);
    };
    std::vector<AuditRecord> records;
    for (qint64 k = 0; k < 16384; ++k) {
        AuditRecord r = makeRecord(kBigRecords + k);
        r.traceId = hex(32);
        r.spanId = hex(16);
        records.push_back(std::move(r));
    }
    appendInRounds(state, *log, records, 8192);
}
BENCHMARK(BM_AppendToGrownLog)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(5.0);

/// The caller-side cost of an append: the canonical encoding.
void BM_CanonicalEncoding(benchmark::State &state)
{
    const AuditRecord record = makeRecord(1);
    qint64 bytes = 0;
    for (auto _ : state) {
        const QByteArray body = record.canonicalBytes();
        bytes += body.size();
        benchmark::DoNotOptimize(body);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_CanonicalEncoding);

/// The verifier's per-record column check: the column fields read out of a body.
void BM_ReadBodyColumns(benchmark::State &state)
{
    const QByteArray body = makeRecord(1).canonicalBytes();
    BodyColumnReader reader;
    for (auto _ : state) {
        if (!reader.read(body))
            state.SkipWithError("unreadable body");
        benchmark::DoNotOptimize(reader.value(AuditColumns::TraceId));
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * body.size());
}
BENCHMARK(BM_ReadBodyColumns);

void BM_ToJsonOnly(benchmark::State &state)
{
    const AuditRecord record = makeRecord(1);
    for (auto _ : state)
        benchmark::DoNotOptimize(record.toJson());
}
BENCHMARK(BM_ToJsonOnly);

void BM_CedarWriteOnly(benchmark::State &state)
{
    const AuditRecord record = makeRecord(1);
    for (auto _ : state)
        benchmark::DoNotOptimize(json::writeCompact(record.cedarRequest));
}
BENCHMARK(BM_CedarWriteOnly);

/// Blocking appends from concurrent threads (the gateway's real shape).
void BM_AppendThreads(benchmark::State &state)
{
    static std::unique_ptr<QTemporaryDir> dir;
    static std::unique_ptr<store::Database> db;
    static std::unique_ptr<AuditLog> log;
    if (state.thread_index() == 0) {
        log.reset(); // from an earlier run: the log before the database it writes to
        db.reset();
        dir = std::make_unique<QTemporaryDir>();
        db = openDb(dir->filePath(QStringLiteral("threads.db")));
        log = openLog(*db, true);
    }
    const AuditRecord record = makeRecord(state.thread_index() + 1);
    for (auto _ : state) {
        if (!log->append(record))
            state.SkipWithError("append failed");
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AppendThreads)->Threads(32)->UseRealTime()->MinTime(2.0);

void BM_Verify(benchmark::State &state)
{
    const AuditVerifier verifier(bigDatabase());
    qint64 records = 0;
    const ProcessCpu cpu;
    for (auto _ : state) {
        auto report = verifier.verify({});
        if (!report || !report->intact())
            state.SkipWithError("verify failed");
        records += report->recordsChecked;
    }
    state.SetItemsProcessed(records);
    state.counters["cpu_us"] = cpu.perItem(records);
}
BENCHMARK(BM_Verify)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);

void BM_LineageOneExecution(benchmark::State &state)
{
    const Lineage lineage(bigDatabase());
    qint64 n = 0;
    for (auto _ : state) {
        // A root execution with a sub-execution, somewhere in the middle of the log.
        const QString execution = QStringLiteral("exec-%1").arg(20'002 + 4 * (n++ % 1000));
        auto graph = lineage.forExecution(execution);
        if (!graph || graph->nodes.size() < 20)
            state.SkipWithError("lineage failed");
        benchmark::DoNotOptimize(graph);
    }
}
BENCHMARK(BM_LineageOneExecution)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace
