// SPDX-License-Identifier: Apache-2.0
// Fuzz target for BodyColumnReader, which the verifier runs on every audit record. Beyond "no
// crash", a differential property: whenever both it and the strict JSON reader accept a body,
// they agree on every column field (present or not, and its value).
#include "audit/BodyColumnReader.h"
#include "json/JsonReader.h"

#include <QJsonObject>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using mandate::audit::AuditColumns;
    const QByteArrayView body(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    mandate::audit::BodyColumnReader reader;
    if (!reader.read(body))
        return 0;
    mandate::json::Limits limits;
    limits.maxBytes = 1 << 20;
    const auto parsed = mandate::json::parseObject(body, limits);
    if (!parsed.ok())
        return 0; // nested values are only followed, not validated (see BodyColumnReader)
    for (int c = 0; c < AuditColumns::Count; ++c) {
        const auto column = AuditColumns::Column(c);
        const QJsonValue expected = parsed.value().value(QString::fromLatin1(AuditColumns::jsonKey(column)));
        const QByteArrayView read = reader.value(column);
        if (expected.isUndefined() != read.isNull())
            std::abort();
        if (!read.isNull() && expected.toString().toUtf8() != read)
            std::abort();
    }
    return 0;
}
