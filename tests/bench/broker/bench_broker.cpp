// SPDX-License-Identifier: Apache-2.0
// The broker's speed against its physical limit, OpenSSL's Ed25519: minting a token end to end
// (client check, agent and human lookup, narrowing checks, signing, the execution record in
// SQLite; and as the gateway mints, with the delegation's audit record in the same
// transaction) against a raw Ed25519 sign, and verifying an unseen execution token (signature,
// header and claims policy, the execution's state: recent from this gateway's cache, or read from the
// store) against a raw verify.
// scripts/bench-broker runs it next to `openssl speed ed25519` on one core.
#include "api/AuditTrail.h"
#include "audit/AuditLog.h"
#include "broker/AgentExecutionRequest.h"
#include "broker/DelegationBroker.h"
#include "broker/DevIdentityProvider.h"
#include "common/AllocatorTuning.h"
#include "json/JsonReader.h"
#include "store/Database.h"

#include <benchmark/benchmark.h>

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTemporaryDir>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <semaphore>
#include <vector>

using namespace mandate;

namespace {

/// One broker on a temporary data directory with the demo registry, shared by the benchmarks.
struct Bench
{
    QTemporaryDir dir;
    SystemClock clock;
    std::unique_ptr<store::Database> db;
    std::unique_ptr<registry::Registry> registry;
    std::unique_ptr<session::ExecutionStore> executions;
    std::unique_ptr<broker::OAuthClientStore> clients;
    std::unique_ptr<broker::TrustedIssuers> issuers;
    std::unique_ptr<crypto::KeyRing> keyRing;
    std::unique_ptr<broker::DevIdentityProvider> idp;
    std::unique_ptr<broker::DelegationBroker> broker;
    // Another gateway on the same database: it has seen none of the tokens and none of the
    // executions, so it verifies with the execution's state read from the store.
    std::unique_ptr<session::ExecutionStore> otherExecutions;
    std::unique_ptr<broker::DelegationBroker> otherBroker;
    // The gateway's audit log (sealed, fully synced) and trail: its mints write the execution
    // as the companion of the delegation record, in the audit writer's batch.
    std::unique_ptr<audit::AuditLog> log;
    std::unique_ptr<api::AuditTrail> trail;
    api::HttpRequest tokenPost;
    QByteArray idToken;
    QByteArray parentToken;

    Bench()
    {
        db = store::Database::open(dir.filePath(QStringLiteral("mandate.db"))).value();
        registry = std::make_unique<registry::Registry>(*db, clock);
        QFile file(QStringLiteral(MANDATE_SOURCE_DIR "/resources/demo/registry.json"));
        file.open(QIODevice::ReadOnly);
        QByteArray text = file.readAll();
        text.replace("${DEMO_UPSTREAM}", "http://127.0.0.1:9");
        (void)registry->importJson(json::parse(text)->toObject(), QStringLiteral("bench"));
        executions = std::make_unique<session::ExecutionStore>(*db, clock);
        clients = std::make_unique<broker::OAuthClientStore>(*db, clock);
        for (const char *agent : {"support-agent", "refund-subagent"})
            (void)clients->setSecret(QLatin1String(agent), "bench-secret-0123456789");
        issuers = std::make_unique<broker::TrustedIssuers>(clock, QStringLiteral("mandate"));
        keyRing = std::make_unique<crypto::KeyRing>(dir.filePath(QStringLiteral("keys")), clock);
        (void)keyRing->open();
        idp = std::make_unique<broker::DevIdentityProvider>(dir.path(), clock);
        (void)idp->open(broker::DevIdentityProvider::Mode::CreateIfMissing);
        issuers->trust(QLatin1String(broker::DevIdentityProvider::kIssuer), idp->publicKeys());
        broker = std::make_unique<broker::DelegationBroker>(broker::BrokerConfig{QStringLiteral("https://gateway.bench")}, *registry,
                                                            *executions, *clients, *issuers, *keyRing, clock);
        otherExecutions = std::make_unique<session::ExecutionStore>(*db, clock);
        otherBroker = std::make_unique<broker::DelegationBroker>(broker::BrokerConfig{QStringLiteral("https://gateway.bench")}, *registry,
                                                                 *otherExecutions, *clients, *issuers, *keyRing, clock);
        log = audit::AuditLog::open(*db, {QStringLiteral("bench"), crypto::Ed25519Key::generate().value(), true}).value();
        trail = std::make_unique<api::AuditTrail>(log.get(), clock, QStringLiteral("bench"));
        tokenPost.method = "POST";
        tokenPost.path = QStringLiteral("/v1/token");
        idToken = idp->issueIdToken(QStringLiteral("alice"), {}, 3600).value();
        parentToken = broker->exchange(rootRequest()).value().accessToken;
    }

    broker::ExchangeRequest rootRequest() const
    {
        broker::ExchangeRequest r;
        r.client = {QStringLiteral("support-agent"), "bench-secret-0123456789"};
        r.grantType = QLatin1String(broker::ExchangeRequest::kGrantType);
        r.subjectToken = idToken;
        r.subjectTokenType = QLatin1String(broker::ExchangeRequest::kIdTokenType);
        r.scope = QStringLiteral("refund:create ticket:read");
        r.authorizationDetails = QStringLiteral(R"([{"type":"agent_execution","purpose":"refund for ticket T-1001","ttl":900}])");
        return r;
    }

    broker::ExchangeRequest subRequest() const
    {
        broker::ExchangeRequest r = rootRequest();
        r.client.clientId = QStringLiteral("refund-subagent");
        r.subjectToken = parentToken;
        r.subjectTokenType = QLatin1String(broker::ExchangeRequest::kAccessTokenType);
        r.scope = QStringLiteral("refund:create");
        // A zero budget reserves nothing, so the parent never runs dry however long this runs.
        r.authorizationDetails = QStringLiteral(R"([{"type":"agent_execution","budget":{"calls":0,"tokens":0,"amount":"0"},"ttl":300}])");
        return r;
    }

    /// As the gateway's POST /v1/token mints: the execution commits with its delegation record.
    Result<broker::IssuedToken> exchangeRecorded(const broker::ExchangeRequest &request)
    {
        return broker->exchange(request, [&](const identity::Execution &execution) {
            return trail->delegation(tokenPost, execution, request.client.clientId, *executions);
        });
    }

    static Bench &instance()
    {
        static Bench bench;
        return bench;
    }
};

/// What the broker signs: the signing input of a typical execution token (~700 bytes).
QByteArray typicalSigningInput()
{
    Bench &b = Bench::instance();
    const QByteArray token = b.parentToken;
    return token.left(token.lastIndexOf('.'));
}

void BM_Ed25519Sign(benchmark::State &state)
{
    const auto key = crypto::Ed25519Key::generate().value();
    const QByteArray message = typicalSigningInput();
    for (auto _ : state)
        benchmark::DoNotOptimize(key.sign(message));
}
BENCHMARK(BM_Ed25519Sign);

/// How a benchmark mints: the execution record alone (ExecutionStore::create), or as the
/// gateway does, with its delegation's audit record.
enum class Recording { StoreOnly, WithDelegation };

Result<broker::IssuedToken> mintOnce(Bench &b, Recording recording, const broker::ExchangeRequest &request)
{
    return recording == Recording::WithDelegation ? b.exchangeRecorded(request) : b.broker->exchange(request);
}

void mintRoots(benchmark::State &state, Recording recording)
{
    Bench &b = Bench::instance();
    const broker::ExchangeRequest request = b.rootRequest();
    for (auto _ : state) {
        auto issued = mintOnce(b, recording, request);
        if (!issued)
            state.SkipWithError(issued.error().message.toUtf8().constData());
        benchmark::DoNotOptimize(issued);
    }
    if (recording == Recording::WithDelegation)  // its time is the writer's and the disk's too
        state.SetItemsProcessed(state.iterations());
}
void BM_MintRoot(benchmark::State &state) { mintRoots(state, Recording::StoreOnly); }
BENCHMARK(BM_MintRoot);
void BM_MintRootRecorded(benchmark::State &state) { mintRoots(state, Recording::WithDelegation); }
BENCHMARK(BM_MintRootRecorded)->UseRealTime();

void mintRootsPipelined(benchmark::State &state, Recording recording)
{
    // As a server mints when its thread goes on to its next request while the records commit
    // (DelegationBroker::exchangeThen, as POST /v1/token does): one thread keeps up to
    // kInFlight exchanges in flight, and their records share the commits of the thread that
    // writes them (the store's committer, or the audit writer with the delegation records), on
    // the same core. Counted in real time, to the last token issued with its records committed.
    constexpr int kInFlight = 32;
    Bench &b = Bench::instance();
    const broker::ExchangeRequest request = b.rootRequest();
    const auto commits = [&] { return recording == Recording::WithDelegation ? b.log->commits() : b.executions->createCommits(); };
    std::counting_semaphore<kInFlight> free(kInFlight);
    std::mutex errorMutex;
    QString firstError;
    const quint64 commitsBefore = commits();
    const auto issued = [&](Result<broker::IssuedToken> token) {
        if (!token) {
            std::lock_guard lock(errorMutex);
            if (firstError.isEmpty())
                firstError = token.error().message;
        }
        benchmark::DoNotOptimize(token);
        free.release();
    };
    const auto withDelegation = [&](const identity::Execution &execution, broker::DelegationBroker::Recorded recorded) {
        b.trail->delegationThen(b.tokenPost, execution, request.client.clientId, *b.executions, std::move(recorded));
    };
    benchmark::IterationCount started = 0;
    for (auto _ : state) {
        free.acquire();
        if (recording == Recording::WithDelegation)
            b.broker->exchangeThen(request, issued, withDelegation);
        else
            b.broker->exchangeThen(request, issued);
        if (++started == state.max_iterations) {  // in the timed loop: wait for the last ones
            for (int i = 0; i < kInFlight; ++i)
                free.acquire();
            free.release(kInFlight);
        }
    }
    if (!firstError.isEmpty())
        state.SkipWithError(firstError.toUtf8().constData());
    state.SetItemsProcessed(state.iterations());
    const double made = double(commits() - commitsBefore);
    state.counters["records_per_commit"] = made > 0 ? double(state.iterations()) / made : 0.0;
}
void BM_MintRootPipelined(benchmark::State &state) { mintRootsPipelined(state, Recording::StoreOnly); }
BENCHMARK(BM_MintRootPipelined)->UseRealTime();
void BM_MintRootRecordedPipelined(benchmark::State &state) { mintRootsPipelined(state, Recording::WithDelegation); }
BENCHMARK(BM_MintRootRecordedPipelined)->UseRealTime();

void BM_ExchangeRequestParse(benchmark::State &state)
{
    // The requested scope and authorization details of a root exchange, the part of a mint's
    // checks that reads the agent's request.
    const broker::ExchangeRequest request = Bench::instance().rootRequest();
    for (auto _ : state)
        benchmark::DoNotOptimize(broker::AgentExecutionRequest::parse(request.scope, request.authorizationDetails));
}
BENCHMARK(BM_ExchangeRequestParse);

void mintRootsConcurrently(benchmark::State &state, Recording recording)
{
    // As a gateway mints under load: several exchanges in flight at once (on one core, when run
    // by scripts/bench-broker), whose records share commits: the execution records alone
    // (store::GroupCommitter), or with their delegation records (the audit writer's batches).
    Bench &b = Bench::instance();
    const broker::ExchangeRequest request = b.rootRequest();
    const auto commits = [&] { return recording == Recording::WithDelegation ? b.log->commits() : b.executions->createCommits(); };
    const quint64 commitsBefore = commits();
    std::vector<double> latencies;  // µs per exchange: what waiting for a batch costs a caller
    latencies.reserve(size_t(state.max_iterations));
    for (auto _ : state) {
        const auto start = std::chrono::steady_clock::now();
        auto issued = mintOnce(b, recording, request);
        latencies.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
        if (!issued)
            state.SkipWithError(issued.error().message.toUtf8().constData());
        benchmark::DoNotOptimize(issued);
    }
    state.SetItemsProcessed(state.iterations());
    if (state.thread_index() == 0 && !latencies.empty()) {  // over thread 0's share of the run
        const double made = double(commits() - commitsBefore);
        state.counters["records_per_commit"] = made > 0 ? double(state.iterations()) * state.threads() / made : 0.0;
        std::sort(latencies.begin(), latencies.end());
        state.counters["p50_us"] = latencies[latencies.size() / 2];
        state.counters["p99_us"] = latencies[latencies.size() * 99 / 100];
    }
}
void BM_MintRootConcurrent(benchmark::State &state) { mintRootsConcurrently(state, Recording::StoreOnly); }
BENCHMARK(BM_MintRootConcurrent)->Threads(8)->UseRealTime();
void BM_MintRootRecordedConcurrent(benchmark::State &state) { mintRootsConcurrently(state, Recording::WithDelegation); }
BENCHMARK(BM_MintRootRecordedConcurrent)->Threads(8)->UseRealTime();

void BM_MintSubDelegation(benchmark::State &state)
{
    Bench &b = Bench::instance();
    const broker::ExchangeRequest request = b.subRequest();
    for (auto _ : state) {
        auto issued = b.broker->exchange(request);
        if (!issued)
            state.SkipWithError(issued.error().message.toUtf8().constData());
        benchmark::DoNotOptimize(issued);
    }
}
BENCHMARK(BM_MintSubDelegation);

void BM_ExecutionRecord(benchmark::State &state)
{
    // The execution record alone (session::ExecutionStore::create of a root execution: JSON
    // body, INSERT and its WAL commit), the part of a mint outside core/broker and core/crypto.
    Bench &b = Bench::instance();
    identity::Execution execution;
    execution.agent = QStringLiteral("support-agent");
    execution.chain = {QStringLiteral("alice")};
    execution.purpose = QStringLiteral("refund for ticket T-1001");
    execution.capabilities = {identity::Capability{QStringLiteral("refund:create"), {}}, identity::Capability{QStringLiteral("ticket:read"), {}}};
    execution.budget.calls = 100;
    execution.riskCeiling = 50;
    const qint64 now = b.clock.nowSecs();
    execution.issuedAt = QDateTime::fromSecsSinceEpoch(now, Qt::UTC);
    execution.expiresAt = QDateTime::fromSecsSinceEpoch(now + 900, Qt::UTC);
    static qint64 n = 0;  // across the runs google-benchmark makes: ids stay unique
    for (auto _ : state) {
        execution.id = QStringLiteral("exe_bench_%1").arg(++n);
        if (Status s = b.executions->create(execution); !s)
            state.SkipWithError(s.error().message.toUtf8().constData());
    }
}
BENCHMARK(BM_ExecutionRecord);

void BM_Ed25519Verify(benchmark::State &state)
{
    const auto key = crypto::Ed25519Key::generate().value();
    const QByteArray message = typicalSigningInput();
    const QByteArray signature = key.sign(message).value();
    for (auto _ : state)
        benchmark::DoNotOptimize(key.verify(message, signature));
}
BENCHMARK(BM_Ed25519Verify);

constexpr int kUnseen = 6000;

/// Tokens minted up front, so that each verification below meets one it has never seen.
const std::vector<QByteArray> &unseenTokens()
{
    static const std::vector<QByteArray> tokens = []() {
        Bench &b = Bench::instance();
        std::vector<QByteArray> out;
        for (int i = 0; i < kUnseen; ++i)
            out.push_back(b.broker->exchange(b.rootRequest()).value().accessToken);
        return out;
    }();
    return tokens;
}

void BM_Ed25519VerifyUnseenTokens(benchmark::State &state)
{
    // The signature check alone over the same tokens as the rows below, through the key's JWK:
    // what an unseen verification costs in Ed25519, each message and signature different.
    Bench &b = Bench::instance();
    const auto &tokens = unseenTokens();
    const crypto::Jwks keys = b.keyRing->publicKeys();
    const crypto::Jwk &key = *keys.entries().constFirst().key;
    std::vector<std::pair<QByteArray, QByteArray>> signedInputs;
    for (const QByteArray &token : tokens) {
        const qsizetype dot = token.lastIndexOf('.');
        signedInputs.emplace_back(token.left(dot), QByteArray::fromBase64(token.mid(dot + 1), QByteArray::Base64UrlEncoding));
    }
    size_t next = 0;
    for (auto _ : state) {
        const auto &[input, signature] = signedInputs[next++ % signedInputs.size()];
        if (!key.verify(u"EdDSA", input, signature))
            state.SkipWithError("a token's signature does not verify");
    }
}
BENCHMARK(BM_Ed25519VerifyUnseenTokens)->Iterations(kUnseen);

void BM_TokenVerifierUnseen(benchmark::State &state)
{
    // core/crypto's TokenVerifier alone (JWS, header policy, strict claims, cache insert): the
    // part of an unseen verification that is not the execution lookup.
    Bench &b = Bench::instance();
    const auto &tokens = unseenTokens();
    crypto::ClaimsPolicy claims;
    claims.issuer = QStringLiteral("https://gateway.bench");
    claims.audience = QStringLiteral("mandate");
    crypto::TokenVerifier verifier(crypto::JwsPolicy::accessTokens(), claims, b.keyRing->publicKeys(), b.clock);
    size_t next = 0;
    for (auto _ : state)
        benchmark::DoNotOptimize(verifier.verify(tokens[next++ % tokens.size()]));
}
BENCHMARK(BM_TokenVerifierUnseen)->Iterations(kUnseen);

void BM_VerifyUnseen(benchmark::State &state)
{
    Bench &b = Bench::instance();
    const auto &tokens = unseenTokens();
    size_t next = 0;
    for (auto _ : state) {
        auto verified = b.broker->verifyExecutionToken(tokens[next++ % tokens.size()]);
        if (!verified)
            state.SkipWithError(verified.error().message.toUtf8().constData());
        benchmark::DoNotOptimize(verified);
    }
}
BENCHMARK(BM_VerifyUnseen)->Iterations(kUnseen);

void BM_VerifyUnseenStoredState(benchmark::State &state)
{
    // As BM_VerifyUnseen, on a gateway that did not mint the tokens: the execution's state is not
    // in its ExecutionStateCache and comes from the store (one SELECT per token).
    Bench &b = Bench::instance();
    const auto &tokens = unseenTokens();
    size_t next = 0;
    for (auto _ : state) {
        auto verified = b.otherBroker->verifyExecutionToken(tokens[next++ % tokens.size()]);
        if (!verified)
            state.SkipWithError(verified.error().message.toUtf8().constData());
        benchmark::DoNotOptimize(verified);
    }
}
BENCHMARK(BM_VerifyUnseenStoredState)->Iterations(kUnseen);

void BM_VerifySeen(benchmark::State &state)
{
    // The same token again: signature and claims come from the cache, and the execution's
    // state from the ExecutionStateCache (dropped whenever this gateway changes it).
    Bench &b = Bench::instance();
    for (auto _ : state)
        benchmark::DoNotOptimize(b.broker->verifyExecutionToken(b.parentToken));
}
BENCHMARK(BM_VerifySeen);

} // namespace

int main(int argc, char **argv)
{
    mandate::tuneAllocatorForServer();  // as the gateway's main() does
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("mandate.*.info=false"));
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
