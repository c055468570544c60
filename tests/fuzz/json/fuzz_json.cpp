// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the strict JSON reader. Beyond "no crash", it checks a property: whatever the
// reader accepts, the compact writer re-emits as a document the reader accepts again unchanged.
#include "json/JsonReader.h"
#include "json/JsonWriter.h"

#include <cstdlib>
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mandate::json::Limits limits;
    limits.maxBytes = 64 * 1024;
    limits.maxDepth = 32;
    const auto parsed = mandate::json::parse(
        QByteArrayView(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size)), limits);
    if (!parsed.ok())
        return 0;
    const QByteArray once = mandate::json::writeCompact(parsed.value());
    // Differential: Qt's builder (used after strict validation) and Mandate's own agree.
    const auto own = mandate::json::detail::parseWithOwnBuilder(
        QByteArrayView(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size)), limits);
    if (!own.ok() || mandate::json::writeCompact(own.value()) != once)
        std::abort();
    mandate::json::Limits relaxed;
    relaxed.maxBytes = once.size() + 1;
    const auto again = mandate::json::parse(once, relaxed);
    if (!again.ok() || mandate::json::writeCompact(again.value()) != once)
        std::abort();
    return 0;
}
