// SPDX-License-Identifier: Apache-2.0
// Cedar entity and context JSON, read without and with a schema.
#include "policy/JsonFormats.h"

#include <cstddef>
#include <cstdint>

using namespace mandate::policy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const Schema schema = [] {
        auto s = Schema::parseCedar(
            "entity Group; entity User in [Group] { age?: Long, ip?: ipaddr, at?: datetime, d?: decimal, "
            "t?: duration, boss?: User, s?: Set<String>, r?: { a: Long } } tags String;"
            "action view appliesTo { principal: User, resource: Group, context: { ip?: ipaddr, n?: Long } };");
        return std::move(s.value());
    }();
    auto json = JsonFormats::read(QByteArrayView(data, qsizetype(size)));
    if (!json)
        return 0;
    (void)JsonFormats::entities(json.value(), nullptr);
    (void)JsonFormats::entities(json.value(), &schema);
    (void)JsonFormats::context(json.value(), nullptr, UidTable::uid("Action", "view"));
    (void)JsonFormats::context(json.value(), &schema, UidTable::uid("Action", "view"));
    (void)JsonFormats::entityUid(json.value());
    return 0;
}
