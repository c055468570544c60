// SPDX-License-Identifier: Apache-2.0
// Token crypto speed, to compare with `openssl speed ed25519` (scripts/bench-crypto runs both).
// Every benchmark is single-threaded and reports items_per_second.
#include "crypto/CompactJws.h"
#include "crypto/Base64Url.h"
#include "crypto/Ed25519Key.h"
#include "crypto/Sha256.h"
#include "json/JsonReader.h"
#include "crypto/TokenVerifier.h"
#include "json/JsonWriter.h"

#include <QJsonArray>

#include <benchmark/benchmark.h>

#include <cstdlib>

using namespace mandate;
using namespace mandate::crypto;

namespace {

const QString kKid = QStringLiteral("bench-key");

struct Fixture
{
    Ed25519Key key = Ed25519Key::generate().value();
    QByteArray encodedHeader = Base64Url::encode(json::writeCompact(
        QJsonObject{{QStringLiteral("alg"), QStringLiteral("EdDSA")}, {QStringLiteral("kid"), kKid},
                    {QStringLiteral("typ"), QStringLiteral("at+jwt")}}));
    SystemClock clock;

    /// Claims shaped like an execution token of the design (act chain, RFC 9396 details).
    QJsonObject claims(int serial) const
    {
        const qint64 now = clock.nowSecs();
        const QJsonObject details{{QStringLiteral("type"), QStringLiteral("agent_execution")},
                                  {QStringLiteral("execution"), QStringLiteral("exe_%1").arg(serial)},
                                  {QStringLiteral("purpose"), QStringLiteral("process refund for ticket 4711")},
                                  {QStringLiteral("actions"), QJsonArray{QStringLiteral("refund:create"), QStringLiteral("ticket:read")}},
                                  {QStringLiteral("budget"), QJsonObject{{QStringLiteral("calls"), 100}, {QStringLiteral("tokens"), 1000000},
                                                                         {QStringLiteral("amount"), QStringLiteral("1000.00")}}},
                                  {QStringLiteral("risk_ceiling"), 70},
                                  {QStringLiteral("depth"), 1}};
        return QJsonObject{{QStringLiteral("iss"), QStringLiteral("https://mandate.local")},
                           {QStringLiteral("aud"), QStringLiteral("mandate-gateway")},
                           {QStringLiteral("sub"), QStringLiteral("user:alice")},
                           {QStringLiteral("act"), QJsonObject{{QStringLiteral("sub"), QStringLiteral("agent:support-agent")}}},
                           {QStringLiteral("client_id"), QStringLiteral("support-agent")},
                           {QStringLiteral("scope"), QStringLiteral("refund:create ticket:read")},
                           {QStringLiteral("jti"), QStringLiteral("jti-%1").arg(serial)},
                           {QStringLiteral("iat"), now},
                           {QStringLiteral("nbf"), now},
                           {QStringLiteral("exp"), now + 3600},
                           {QStringLiteral("authorization_details"), QJsonArray{details}}};
    }

    QByteArray token(int serial) const
    {
        return CompactJws::signEncoded(encodedHeader, json::writeCompact(claims(serial)), key).value();
    }

    TokenVerifier verifier(size_t cacheCapacity) const
    {
        Jwks keys;
        keys.add(Jwk::fromEd25519(key, kKid));
        ClaimsPolicy policy;
        policy.issuer = QStringLiteral("https://mandate.local");
        policy.audience = QStringLiteral("mandate-gateway");
        return TokenVerifier(JwsPolicy::accessTokens(), policy, keys, clock, cacheCapacity);
    }
};

const Fixture &fixture()
{
    static const Fixture f;
    return f;
}

void BM_Ed25519Sign(benchmark::State &state)
{
    const QByteArray message(state.range(0), 'm');
    for (auto _ : state)
        benchmark::DoNotOptimize(fixture().key.sign(message));
    state.SetItemsProcessed(state.iterations());
}

void BM_Ed25519Verify(benchmark::State &state)
{
    const QByteArray message(state.range(0), 'm');
    const QByteArray signature = fixture().key.sign(message).value();
    for (auto _ : state) {
        if (!fixture().key.verify(message, signature).ok())
            std::abort();
    }
    state.SetItemsProcessed(state.iterations());
}

/// Ed25519 alone on a real token's signing input, with a public-only key as verifiers hold.
void BM_Ed25519VerifyTokenInput(benchmark::State &state)
{
    const QByteArray token = fixture().token(0);
    const qsizetype dot = token.lastIndexOf('.');
    const QByteArray input = token.left(dot);
    const QByteArray signature = Base64Url::decode(token.mid(dot + 1)).value();
    const Ed25519Key key = Ed25519Key::fromPublicKey(fixture().key.publicKey()).value();
    for (auto _ : state) {
        if (!key.verify(input, signature).ok())
            std::abort();
    }
    state.SetItemsProcessed(state.iterations());
}

/// A complete JWS: serialise the claims, base64url, sign, assemble.
void BM_JwsSign(benchmark::State &state)
{
    const QJsonObject claims = fixture().claims(1);
    for (auto _ : state) {
        auto token = CompactJws::signEncoded(fixture().encodedHeader, json::writeCompact(claims), fixture().key);
        benchmark::DoNotOptimize(token);
    }
    state.SetItemsProcessed(state.iterations());
}

/// Full verification of tokens never seen before: size check, hash, cache miss, JWS parse,
/// header policy, key lookup, Ed25519, strict claims JSON, claims policy, cache insert.
void BM_VerifyUnseenToken(benchmark::State &state)
{
    // Cycling through more distinct tokens than the cache holds (FIFO) means every lookup misses
    // and every verification also inserts and evicts. range(0) distinct tokens: 64 keeps the
    // working set small like a steady stream of new tokens; 4096 adds CPU-cache pressure.
    const int count = int(state.range(0));
    static QList<QByteArray> tokens;
    while (tokens.size() < count)
        tokens.append(fixture().token(int(tokens.size())));
    const TokenVerifier verifier = fixture().verifier(size_t(count / 4));
    int i = 0;
    for (auto _ : state) {
        auto result = verifier.verify(tokens[i]);
        if (!result.ok())
            std::abort();
        i = (i + 1) % count;
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["token_bytes"] = double(tokens.first().size());
}

void BM_VerifyCachedToken(benchmark::State &state)
{
    const QByteArray token = fixture().token(0);
    const TokenVerifier verifier = fixture().verifier(1024);
    if (!verifier.verify(token).ok())
        std::abort();
    for (auto _ : state) {
        auto result = verifier.verify(token);
        if (!result.ok())
            std::abort();
    }
    state.SetItemsProcessed(state.iterations());
}

// The parts of an unseen-token verification other than Ed25519 itself, to see where time goes.
void BM_PartJwsParse(benchmark::State &state)
{
    const QByteArray token = fixture().token(0);
    for (auto _ : state)
        benchmark::DoNotOptimize(CompactJws::parse(token, 8192));
    state.SetItemsProcessed(state.iterations());
}

void BM_PartClaimsJson(benchmark::State &state)
{
    const QByteArray claims = json::writeCompact(fixture().claims(0));
    for (auto _ : state)
        benchmark::DoNotOptimize(json::parse(claims));
    state.SetItemsProcessed(state.iterations());
}

void BM_PartTokenHash(benchmark::State &state)
{
    const QByteArray token = fixture().token(0);
    std::array<unsigned char, 32> digest;
    for (auto _ : state) {
        Sha256::hash(token, digest);
        benchmark::DoNotOptimize(digest);
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_PartJwsVerify(benchmark::State &state)
{
    const QByteArray token = fixture().token(0);
    Jwks keys;
    keys.add(Jwk::fromEd25519(fixture().key, kKid));
    const JwsVerifier verifier(JwsPolicy::accessTokens(), keys);
    for (auto _ : state) {
        if (!verifier.verify(token).ok())
            std::abort();
    }
    state.SetItemsProcessed(state.iterations());
}

} // namespace

BENCHMARK(BM_PartJwsVerify);
BENCHMARK(BM_PartJwsParse);
BENCHMARK(BM_PartClaimsJson);
BENCHMARK(BM_PartTokenHash);
BENCHMARK(BM_Ed25519Sign)->Arg(20)->Arg(512);
BENCHMARK(BM_Ed25519Verify)->Arg(20)->Arg(512);
BENCHMARK(BM_Ed25519VerifyTokenInput);
BENCHMARK(BM_JwsSign);
BENCHMARK(BM_VerifyUnseenToken)->Arg(64)->Arg(4096);
BENCHMARK(BM_VerifyCachedToken);

BENCHMARK_MAIN();
