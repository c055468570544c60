// SPDX-License-Identifier: Apache-2.0
// Policy simulator speed (issue #8): replaying 1,000,000 recorded requests shaped like the
// gateway's, end to end from the audit store (page reads, JSON parsing, entities, evaluation),
// under a candidate with one permit removed. Target: under 10 s on the project machine.
// Also: the same split into its parts (load + parse only; evaluation of requests in memory)
// and one what-if decision.
#include "../../core/simulate/TrafficGenerator.h"

#include "audit/AuditLog.h"
#include "simulate/RecordedTraffic.h"
#include "simulate/Replay.h"
#include "store/Database.h"

#include <benchmark/benchmark.h>

#include <QDir>

#include <future>

using namespace mandate;
using namespace mandate::simulate;

namespace {

constexpr qint64 kRecords = 1'000'000;
constexpr qint64 kInMemory = 200'000;

struct Fixture
{
    std::shared_ptr<const policy::Schema> schema;
    QString demo;
    QString candidate;  ///< the demo set without the refund permit
};

const Fixture &fixture()
{
    static const Fixture f = [] {
        Fixture out;
        auto schema = policy::Schema::parse(TrafficGenerator::resource(QStringLiteral(":/mandate/schema/mandate.cedarschema")));
        if (!schema)
            qFatal("schema: %s", qPrintable(schema.error().toString()));
        out.schema = std::make_shared<const policy::Schema>(std::move(schema).value());
        out.demo = QString::fromUtf8(TrafficGenerator::resource(QStringLiteral(":/mandate/policies/demo.cedar")));
        QStringList kept;
        for (const QString &block : out.demo.split(QStringLiteral("\n\n"))) {
            if (!block.contains(QStringLiteral("support-agent-refunds-up-to-100")))
                kept << block;
        }
        out.candidate = kept.join(QStringLiteral("\n\n"));
        return out;
    }();
    return f;
}

Replayer candidate()
{
    Result<Replayer> replayer = Replayer::create(fixture().candidate, fixture().schema);
    if (!replayer)
        qFatal("candidate: %s", qPrintable(replayer.error().toString()));
    return std::move(replayer).value();
}

/// The audit store with kRecords generated decisions. Building it takes a few minutes, so it is
/// kept in the temp directory and reused by later runs.
store::Database &recordedStore()
{
    static std::unique_ptr<store::Database> db = [] {
        const QString path = QDir::temp().filePath(QStringLiteral("mandate-bench-simulate-1m-v1.db"));
        auto database = store::Database::open(path);
        if (!database)
            qFatal("%s", qPrintable(database.error().message));
        auto log = audit::AuditLog::open(*database.value(), {QStringLiteral("gw-sim"), std::nullopt, false});
        if (!log)
            qFatal("%s", qPrintable(log.error().message));
        if ((*log)->head().sequence < kRecords) {
            auto demo = policy::PolicySet::parse(fixture().demo.toStdString());
            TrafficGenerator generator(demo.value(), fixture().schema);
            // Regenerate from the start so that the stream is the same whatever was there.
            std::vector<std::future<Result<audit::AppendReceipt>>> pending;
            qint64 skip = (*log)->head().sequence;
            for (qint64 i = 0; i < kRecords; ++i) {
                audit::AuditRecord record = generator.next();
                if (i < skip)
                    continue;
                pending.push_back((*log)->appendAsync(record));
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
        }
        return std::move(database).value();
    }();
    return *db;
}

/// Load, parse and replay everything in the store, batch by batch: what `POST /v1/simulate`
/// and `mandatectl simulate --data-dir` do.
void BM_ReplayFromStore(benchmark::State &state)
{
    const store::Database &db = recordedStore();
    const Replayer replayer = candidate();
    RecordedTraffic::Options options;
    options.threads = int(state.range(0));
    ReplaySummary summary;
    RecordedTraffic::Totals totals;
    for (auto _ : state) {
        summary = {};
        auto read = RecordedTraffic(db).read({}, [&](std::vector<RecordedRequest> &&batch) {
            replayer.replay(batch, summary, ReplayOptions{60, options.threads});
            return true;
        }, options);
        if (!read)
            state.SkipWithError(qPrintable(read.error().toString()));
        else
            totals = read.value();
    }
    state.SetItemsProcessed(state.iterations() * totals.read);
    state.counters["records"] = double(totals.read);
    state.counters["replayed"] = double(summary.replayed);
    state.counters["newly_denied"] = double(summary.overall.newlyDenied);
    state.counters["not_replayable"] = double(totals.notReplayable);
}
BENCHMARK(BM_ReplayFromStore)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

/// The reading part alone: page queries and JSON parsing of the records.
void BM_LoadFromStore(benchmark::State &state)
{
    const store::Database &db = recordedStore();
    RecordedTraffic::Options options;
    options.threads = int(state.range(0));
    qint64 requests = 0;
    for (auto _ : state) {
        requests = 0;
        auto read = RecordedTraffic(db).read({}, [&](std::vector<RecordedRequest> &&batch) {
            requests += qint64(batch.size());
            return true;
        }, options);
        if (!read)
            state.SkipWithError(qPrintable(read.error().toString()));
    }
    state.SetItemsProcessed(state.iterations() * requests);
}
BENCHMARK(BM_LoadFromStore)->ArgName("threads")->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

/// The evaluating part alone: kInMemory requests already in memory (entities, context, policies).
void BM_ReplayInMemory(benchmark::State &state)
{
    static const std::vector<RecordedRequest> records = [] {
        std::vector<RecordedRequest> out;
        audit::AuditFilter filter;
        (void)RecordedTraffic(recordedStore()).read(filter, [&](std::vector<RecordedRequest> &&batch) {
            for (RecordedRequest &r : batch) {
                if (qint64(out.size()) < kInMemory)
                    out.push_back(std::move(r));
            }
            return qint64(out.size()) < kInMemory;
        });
        return out;
    }();
    const Replayer replayer = candidate();
    for (auto _ : state) {
        ReplaySummary summary;
        replayer.replay(records, summary, ReplayOptions{60, int(state.range(0))});
        benchmark::DoNotOptimize(summary.overall.newlyDenied);
    }
    state.SetItemsProcessed(state.iterations() * qint64(records.size()));
}
BENCHMARK(BM_ReplayInMemory)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

/// The evaluating part on a small generated set (no store): for profiling.
void BM_ReplayGenerated(benchmark::State &state)
{
    static const std::vector<RecordedRequest> records = [] {
        auto demo = policy::PolicySet::parse(fixture().demo.toStdString());
        TrafficGenerator generator(demo.value(), fixture().schema);
        std::vector<RecordedRequest> out;
        for (qint64 i = 0; i < 20'000; ++i) {
            const audit::AuditRecord record = generator.next();
            if (Result<RecordedRequest> r = RecordedRequest::fromAudit(record, i + 1, record.gatewayId))
                out.push_back(std::move(r).value());
        }
        return out;
    }();
    const Replayer replayer = candidate();
    for (auto _ : state) {
        ReplaySummary summary;
        replayer.replay(records, summary, ReplayOptions{60, 1});
        benchmark::DoNotOptimize(summary.overall.newlyDenied);
    }
    state.SetItemsProcessed(state.iterations() * qint64(records.size()));
}
BENCHMARK(BM_ReplayGenerated)->Unit(benchmark::kMillisecond);

/// One what-if decision, as the console's editor asks on every change.
void BM_WhatIf(benchmark::State &state)
{
    auto demo = policy::PolicySet::parse(fixture().demo.toStdString());
    TrafficGenerator generator(demo.value(), fixture().schema);
    audit::AuditRecord record = generator.next();
    while (record.cedarRequest.isEmpty())
        record = generator.next();
    const Replayer replayer = candidate();
    for (auto _ : state) {
        Result<Outcome> outcome = replayer.decide(record.cedarRequest);
        benchmark::DoNotOptimize(outcome);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WhatIf);

} // namespace
