// SPDX-License-Identifier: Apache-2.0
// Fuzz target for compact JWS: the parser and the full verifier under both policies, against a
// fixed key set (the RFC 8037 A.2 key, so seeds can carry real signatures). Properties checked:
// no crash, and nothing without a signature by that key is ever accepted.
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
    for (const JwsPolicy &policy : {JwsPolicy::accessTokens(), JwsPolicy::idTokens()}) {
        const auto verified = JwsVerifier(policy, keys()).verify(token);
        if (verified.ok()) {
            // Accepted: it must have parsed, and its signature must really verify.
            if (!parsed.ok() || verified->alg != QLatin1String("EdDSA")
                || !keys().entries().first().key->verify(verified->alg, parsed->signingInput(), parsed->signature()).ok())
                std::abort();
        }
    }
    return 0;
}
