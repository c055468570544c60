// SPDX-License-Identifier: Apache-2.0
// Fuzz target for compact JWS: the parser and the full verifier under both policies, against a
// fixed key set (the RFC 8037 A.2 key, so seeds can carry real signatures). Properties checked:
// no crash; nothing without a signature by that key is ever accepted; and a verifier that has
// seen the token's header before (its known-header path: the header part is not decoded
// again) answers exactly as a fresh one does.
#include "crypto/CompactJws.h"
#include "crypto/JwsVerifier.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace mandate::crypto;

namespace {

const Jwks &keys()
{
    static const Jwks set = Jwks::parse(
        R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a4","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})").value();
    return set;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView token(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const auto parsed = CompactJws::parse(token, 16 * 1024);
    // Kept across inputs, so that headers of the validly signed seeds become known and the
    // mutations of those seeds take the known-header path.
    static const JwsVerifier seasoned[] = {JwsVerifier(JwsPolicy::accessTokens(), keys()),
                                           JwsVerifier(JwsPolicy::idTokens(), keys())};
    const JwsPolicy policies[] = {JwsPolicy::accessTokens(), JwsPolicy::idTokens()};
    for (int i = 0; i < 2; ++i) {
        const auto verified = JwsVerifier(policies[i], keys()).verify(token);
        if (verified.ok()) {
            // Accepted: it must have parsed, and its signature must really verify.
            if (!parsed.ok() || verified->alg != QLatin1String("EdDSA")
                || !keys().entries().first().key->verify(verified->alg, parsed->signingInput(), parsed->signature()).ok())
                std::abort();
        }
        const auto again = seasoned[i].verify(token);
        if (again.ok() != verified.ok())
            std::abort();
        if (!again.ok() && again.error().code != verified.error().code)
            std::abort();
        if (again.ok() && (again->payload != verified->payload || again->header != verified->header
                           || again->alg != verified->alg || again->kid != verified->kid))
            std::abort();
    }
    return 0;
}
