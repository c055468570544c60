// SPDX-License-Identifier: Apache-2.0
// Fuzz target for JWK and JWKS parsing. Property: whatever parses re-exports to JSON that
// parses again to the same public key set (and never carries private members).
#include "crypto/Jwks.h"
#include "json/JsonWriter.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace mandate::crypto;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView text(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    if (auto jwk = Jwk::parse(text); jwk.ok()) {
        const QJsonObject exported = jwk->toJson();
        if (exported.contains(QStringLiteral("d")))
            std::abort();
        auto again = Jwk::fromJson(exported);
        if (!again.ok() || again->toJson() != exported || again->thumbprint() != jwk->thumbprint())
            std::abort();
    }
    if (auto set = Jwks::parse(text); set.ok()) {
        const QByteArray exported = mandate::json::writeCompact(set->toJson());
        auto again = Jwks::parse(exported);
        if (!again.ok() || mandate::json::writeCompact(again->toJson()) != exported)
            std::abort();
    }
    return 0;
}
