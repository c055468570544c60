// SPDX-License-Identifier: Apache-2.0
// The per-call decision without HTTP (issue #5): what each step of DecisionPipeline::decide
// costs, and how many decisions per second the pipeline sustains in-process with as many
// concurrent callers as the wrk benchmark has connections. The gateway's HTTP throughput
// (scripts/bench-gateway) can be no better than this. Token verification is replaced by an
// in-memory view (bench_broker measures it); everything else is real: the demo registry and
// policies, Cedar, the audit log with group commit on a database in a temporary directory.
#include "FakeAuthority.h"

#include "audit/AuditLog.h"
#include "common/Clock.h"
#include "firewall/CedarEntityCache.h"
#include "firewall/CedarRequestBuilder.h"
#include "firewall/CedarRequestWriter.h"
#include "firewall/DecisionPipeline.h"
#include "policy/Authorizer.h"
#include "registry/PolicyStore.h"
#include "registry/Registry.h"
#include "store/Database.h"

#include <benchmark/benchmark.h>

#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <atomic>
#include <semaphore>

using namespace mandate;

namespace {

QByteArray resource(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

class NoEvents final : public firewall::EventSink
{
public:
    void publish(const QJsonObject &) override {}
};

/// One gateway's decision services, built once for all benchmarks.
struct Fixture
{
    QTemporaryDir dir;
    ManualClock clock;
    std::unique_ptr<store::Database> db;
    std::unique_ptr<registry::Registry> registry;
    std::unique_ptr<registry::PolicyStore> policies;
    std::unique_ptr<audit::AuditLog> audit;
    FakeAuthority authority;
    NoEvents events;
    std::unique_ptr<firewall::RateLimiter> limiter;
    std::unique_ptr<firewall::DecisionPipeline> pipeline;

    Fixture()
    {
        clock.set(QDateTime::fromSecsSinceEpoch(1'800'000'100, Qt::UTC));
        db = must(store::Database::open(dir.filePath(QStringLiteral("mandate.db"))));
        registry = std::make_unique<registry::Registry>(*db, clock);
        QByteArray demo = resource(QStringLiteral(":/mandate/demo/registry.json"));
        demo.replace("${DEMO_UPSTREAM}", "http://127.0.0.1:9/demo-api");
        // The wrk benchmark lifts the tools' rate limits the same way (scripts/bench-gateway).
        demo = QString::fromUtf8(demo).replace(QRegularExpression(QStringLiteral("\"rateLimitPerMinute\": *\\d+")),
                                               QStringLiteral("\"rateLimitPerMinute\": 1000000")).toUtf8();
        if (!registry->importJson(QJsonDocument::fromJson(demo).object(), QStringLiteral("bench")))
            qFatal("cannot import the demo registry");
        auto schema = must(policy::Schema::parse(resource(QStringLiteral(":/mandate/schema/mandate.cedarschema"))));
        policies = std::make_unique<registry::PolicyStore>(*db, clock, std::make_shared<const policy::Schema>(std::move(schema)));
        if (!policies->publish(QString::fromUtf8(resource(QStringLiteral(":/mandate/policies/demo.cedar"))), 0,
                               QStringLiteral("bench"), QString()))
            qFatal("cannot publish the demo policies");
        audit = must(audit::AuditLog::open(*db, {QStringLiteral("gw-bench"), std::nullopt, true}));
        limiter = std::make_unique<firewall::RateLimiter>(clock);
        pipeline = std::make_unique<firewall::DecisionPipeline>(firewall::DecisionPipeline::Services{
            authority, *registry, *policies, *audit, events, *limiter, clock, QStringLiteral("gw-bench"), 1'000'000'000});

        identity::Execution e;
        e.id = QStringLiteral("ex-bench");
        e.agent = QStringLiteral("support-agent");
        e.chain = {QStringLiteral("alice"), QStringLiteral("support-agent")};
        e.purpose = QStringLiteral("refund for ticket T-1001");
        e.capabilities = {{QStringLiteral("refund:create"), {}}, {QStringLiteral("ticket:read"), {}}};
        e.budget = {1'000'000'000, 0, *identity::Amount::parse(QStringLiteral("1000000"))};
        e.riskCeiling = 100;
        e.issuedAt = QDateTime::fromSecsSinceEpoch(1'800'000'000, Qt::UTC);
        e.expiresAt = e.issuedAt.addSecs(3600);
        firewall::ExecutionView view;
        view.remaining = e.budget;
        view.sessionActions = {QStringLiteral("refund:create")};  // not a first use: steady state
        view.execution = std::move(e);
        authority.views.insert("bench", view);
    }

    template <typename T>
    static T must(Result<T> result)
    {
        if (!result)
            qFatal("%s", qPrintable(result.error().toString()));
        return std::move(result).value();
    }

    /// The wrk benchmark's call: a refund under the policy's limit, which the demo policies allow.
    static firewall::CallRequest refund()
    {
        firewall::CallRequest call;
        call.bearer = "bench";
        call.action = QStringLiteral("refund:create");
        call.tool = QStringLiteral("refund");
        call.args = QJsonObject{{QStringLiteral("amount"), QStringLiteral("42.00")}};
        return call;
    }

    firewall::CedarRequestBuilder::Input cedarInput(const firewall::ExecutionView &view) const
    {
        firewall::CedarRequestBuilder::Input input;
        input.view = &view;
        for (const QString &id : {QStringLiteral("support-agent")})
            input.addAgent(*registry->agent(id));
        input.tool = QStringLiteral("refund");
        input.action = QStringLiteral("refund:create");
        input.args = QJsonObject{{QStringLiteral("amount"), QStringLiteral("42.00")}};
        input.now = clock.now();
        return input;
    }
};

Fixture &fixture()
{
    static Fixture f;
    return f;
}

void BM_CedarRequestToJson(benchmark::State &state)
{
    Fixture &f = fixture();
    const firewall::ExecutionView view = *f.authority.authenticate("bench");
    const auto input = f.cedarInput(view);
    for (auto _ : state)
        benchmark::DoNotOptimize(firewall::CedarRequestBuilder::toJson(input));
}
BENCHMARK(BM_CedarRequestToJson);

void BM_CedarRequestParse(benchmark::State &state)
{
    Fixture &f = fixture();
    const firewall::ExecutionView view = *f.authority.authenticate("bench");
    const QJsonObject json = firewall::CedarRequestBuilder::toJson(f.cedarInput(view));
    const auto active = f.policies->active();
    for (auto _ : state)
        benchmark::DoNotOptimize(firewall::CedarRequestBuilder::parse(json, active->schema.get()));
}
BENCHMARK(BM_CedarRequestParse);

/// The JSON path the pipeline took before CedarRequestWriter (and still takes for what the
/// byte reader declines): the request's JSON with cached entities, its audit encoding, and the
/// request parsed back from the JSON.
void BM_CedarRequestJsonPath(benchmark::State &state)
{
    Fixture &f = fixture();
    const firewall::ExecutionView view = *f.authority.authenticate("bench");
    const auto input = f.cedarInput(view);
    const auto active = f.policies->active();
    firewall::CedarEntityCache cache;
    const auto entry = cache.entities(input, active->schema);
    if (!entry)
        return state.SkipWithError("the entities do not parse");
    for (auto _ : state) {
        const QJsonObject json = firewall::CedarRequestBuilder::toJson(input, entry.value()->json);
        benchmark::DoNotOptimize(firewall::CedarEntityCache::canonicalRequest(json, *entry.value()));
        benchmark::DoNotOptimize(firewall::CedarRequestBuilder::parseRequest(json, active->schema.get()));
    }
}
BENCHMARK(BM_CedarRequestJsonPath);

/// What the pipeline does instead of BM_CedarRequestJsonPath:
/// the request written straight into its audit bytes and read back from them.
void BM_CedarRequestWriteRead(benchmark::State &state)
{
    Fixture &f = fixture();
    const firewall::ExecutionView view = *f.authority.authenticate("bench");
    const auto input = f.cedarInput(view);
    const auto active = f.policies->active();
    firewall::CedarEntityCache cache;
    const auto entry = cache.entities(input, active->schema);
    if (!entry)
        return state.SkipWithError("the entities do not parse");
    for (auto _ : state) {
        const firewall::CedarRequestWriter::Written written = firewall::CedarRequestWriter::write(input, entry.value()->canonical);
        const auto request = firewall::CedarRequestWriter::read(input, written.context(), active->schema.get());
        if (!request)
            return state.SkipWithError("the writer's request was not read back");
        benchmark::DoNotOptimize(request);
    }
}
BENCHMARK(BM_CedarRequestWriteRead);

void BM_Evaluate(benchmark::State &state)
{
    Fixture &f = fixture();
    const firewall::ExecutionView view = *f.authority.authenticate("bench");
    const auto active = f.policies->active();
    const auto cedar = *firewall::CedarRequestBuilder::parse(firewall::CedarRequestBuilder::toJson(f.cedarInput(view)),
                                                              active->schema.get());
    for (auto _ : state) {
        const policy::Decision verdict = policy::Authorizer::isAuthorized(active->policies, cedar.entities, cedar.request);
        if (!verdict.allowed)
            state.SkipWithError("the benchmark call should be allowed");
        benchmark::DoNotOptimize(verdict);
    }
}
BENCHMARK(BM_Evaluate);

void BM_AuditRecordEncode(benchmark::State &state)
{
    Fixture &f = fixture();
    const firewall::ExecutionView view = *f.authority.authenticate("bench");
    audit::AuditRecord record;
    record.time = f.clock.now();
    record.gatewayId = QStringLiteral("gw-bench");
    record.event = audit::EventType::Decision;
    record.decision = QStringLiteral("allow");
    record.execution = view.execution.id;
    record.cedarRequest = firewall::CedarRequestBuilder::toJson(f.cedarInput(view));
    for (auto _ : state)
        benchmark::DoNotOptimize(record.canonicalBytes());
}
BENCHMARK(BM_AuditRecordEncode);

/// The whole decision, audit commit included, with N concurrent callers; real time, and the
/// CPU of the whole process (audit writer included) per decision.
void BM_Decide(benchmark::State &state)
{
    Fixture &f = fixture();
    const firewall::CallRequest call = Fixture::refund();
    for (auto _ : state) {
        const firewall::CallDecision decision = f.pipeline->decide(call);
        if (!decision.allowed)
            state.SkipWithError(qPrintable(QStringLiteral("denied: ") + decision.message));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Decide)->Threads(1)->Threads(8)->Threads(64)->UseRealTime()->MeasureProcessCPUTime();

/// The same decisions as /v1/authorize makes them: each caller (a decider thread of the
/// gateway) keeps 64 / threads decisions in flight and is answered from the commit thread, so
/// no thread waits for a commit.
void BM_DecideAsync(benchmark::State &state)
{
    Fixture &f = fixture();
    const firewall::CallRequest call = Fixture::refund();
    std::counting_semaphore<64> room(64 / state.threads());
    std::atomic<int> denied{0};
    for (auto _ : state) {
        room.acquire();
        f.pipeline->decideAsync(call, [&](const firewall::CallDecision &decision) {
            if (!decision.allowed)
                ++denied;
            room.release();
        });
    }
    for (int i = 0; i < 64 / state.threads(); ++i)
        room.acquire();  // every decision of this caller answered
    f.pipeline->waitForPendingDecisions();  // and its callbacks done with `room`
    if (denied.load() > 0)
        state.SkipWithError("a decision was denied");
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecideAsync)->Threads(1)->Threads(2)->UseRealTime()->MeasureProcessCPUTime();

} // namespace
