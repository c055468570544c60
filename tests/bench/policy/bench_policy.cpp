// SPDX-License-Identifier: Apache-2.0
// One authorization request end to end on prepared data (parsed policies, loaded entities),
// per workload; plus parsing 10,000 policies. `--dump-workloads=FILE` writes the workloads as
// JSON for scripts/bench-policy, which runs the same requests through cedar-wasm.
#include "PolicyWorkloads.h"

#include "policy/Authorizer.h"
#include "policy/JsonFormats.h"
#include "policy/PolicySet.h"

#include <QFile>
#include <QJsonDocument>

#include <benchmark/benchmark.h>

#include <cstring>
#include <memory>

using namespace mandate::policy;
using namespace mandate::policy::bench;

namespace {

/// A workload loaded into the engine's own structures.
struct Prepared
{
    PolicySet policies;
    std::vector<EntityStore> stores;
    std::vector<Request> requests;
};

std::shared_ptr<Prepared> prepare(const Workload &w)
{
    auto p = std::make_shared<Prepared>();
    const QByteArray text = w.policies.toUtf8();
    auto set = PolicySet::parse(std::string_view(text.constData(), size_t(text.size())));
    if (!set)
        qFatal("workload %s: %s", qPrintable(w.name), qPrintable(set.error().toString()));
    p->policies = std::move(set.value());
    for (size_t i = 0; i < w.requests.size(); ++i) {
        auto store = JsonFormats::entities(w.entities[i], nullptr);
        const QJsonObject &r = w.requests[i];
        auto principal = JsonFormats::entityUid(r.value(QStringLiteral("principal")));
        auto action = JsonFormats::entityUid(r.value(QStringLiteral("action")));
        auto resource = JsonFormats::entityUid(r.value(QStringLiteral("resource")));
        auto context = JsonFormats::context(r.value(QStringLiteral("context")), nullptr, action.value());
        if (!store || !principal || !context)
            qFatal("workload %s: bad request data", qPrintable(w.name));
        p->stores.push_back(std::move(store.value()));
        p->requests.push_back(Request{principal.value(), action.value(), resource.value(), context.value(), nullptr});
    }
    return p;
}

void authorize(benchmark::State &state, std::shared_ptr<Prepared> p)
{
    Decision decision;
    size_t i = 0, allowed = 0;
    for (auto _ : state) {
        Authorizer::isAuthorized(p->policies, p->stores[i], p->requests[i], decision);
        allowed += decision.allowed;
        benchmark::DoNotOptimize(decision);
        if (++i == p->requests.size())
            i = 0;
    }
    state.counters["allow_ratio"] = double(allowed) / double(state.iterations());
}

void parse(benchmark::State &state, QByteArray text)
{
    for (auto _ : state) {
        auto set = PolicySet::parse(std::string_view(text.constData(), size_t(text.size())));
        benchmark::DoNotOptimize(set);
    }
}

std::vector<Workload> workloads()
{
    std::vector<Workload> all;
    for (const int policies : {10, 100, 1000})
        for (const int entities : {5, 20, 50})
            all.push_back(documentCloud(policies, entities));
    for (const int policies : {10, 100, 1000})
        for (const int entities : {5, 20, 50})
            all.push_back(codeHosting(policies, entities));
    for (const int policies : {10, 100, 1000, 10000})
        all.push_back(irrelevantPolicies(policies));
    return all;
}

} // namespace

int main(int argc, char **argv)
{
    const std::vector<Workload> all = workloads();
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--dump-workloads=", 17) == 0) {
            QJsonArray out;
            for (const Workload &w : all)
                out.append(w.toJson());
            QFile file(QString::fromLocal8Bit(argv[i] + 17));
            if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(out).toJson(QJsonDocument::Compact)) < 0)
                return 2;
            return 0;
        }
    }
    for (const Workload &w : all)
        benchmark::RegisterBenchmark(QString(QStringLiteral("Authorize/") + w.name).toStdString().c_str(), authorize, prepare(w));
    benchmark::RegisterBenchmark("Parse/policies:10000", parse, irrelevantPolicies(10000).policies.toUtf8())
        ->Unit(benchmark::kMillisecond);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
