// SPDX-License-Identifier: Apache-2.0
// Contexts read straight from their bytes (TypedJsonBytes) against JsonFormats on Qt's reading
// of the same bytes. Beyond "no crash", a differential property: whatever the byte reader
// accepts, JsonFormats accepts too, with an equal value.
#include "policy/JsonFormats.h"
#include "policy/TypedJsonBytes.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace mandate::policy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const Schema schema = [] {
        auto s = Schema::parseCedar(
            "entity Group; entity User in [Group];"
            "type Budget = { amount: decimal, calls: Long, tokens?: Long };"
            "action view appliesTo { principal: User, resource: Group, context: { ip?: ipaddr, n?: Long, "
            "at?: datetime, d?: duration, who?: User, tags?: Set<String>, flag?: Bool, budget?: Budget, "
            "nested?: { a: Long, b?: Set<Set<Long>>, u?: { x?: String } } } };");
        return std::move(s.value());
    }();
    const EntityRef action = UidTable::uid("Action", "view");
    const QByteArrayView bytes(data, qsizetype(size));
    const std::optional<Value> fast = TypedJsonBytes::context(bytes, schema, action);
    if (!fast)
        return 0;
    const QJsonDocument document = QJsonDocument::fromJson(bytes.toByteArray());
    if (!document.isObject())
        std::abort();
    const mandate::Result<Value> reference = JsonFormats::context(document.object(), &schema, action);
    if (!reference || !(reference.value() == *fast))
        std::abort();
    return 0;
}
